/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-control.h - pure LUNA2000 dispatch and SmartLogger curtailment decisions
 *
 * No D-Bus, no Modbus, no clock: (state, inputs, now) in, an action out. Times are monotonic
 * microseconds. The glue (smartlogger-io.c) turns actions into write transactions and reports
 * their outcome back with slc_unit_written() / slc_curtail_written().
 *
 * Dispatch, per inverter with a LUNA2000 (devices doc A.9, vendor integration document):
 *   charge     47247 = P, 47083 = period, 47246 = 0 (time mode), 47100 = 1
 *   discharge  47249 = P, 47083 = period, 47246 = 0, 47100 = 2
 *   hold       discharge at 0 W
 *   autonomous 47100 = 0 (stop) if a forcible command may be in force, then 47086 = 2
 *              (maximise self-consumption) when it reads otherwise
 * A forcible command is rewritten when it changes, when the power moves by the deadband or
 * more, every keep-alive interval (the period is the device's own dead-man), and when the
 * device reads back another command (its period ran out). A refused write (exception 0x80
 * or 0x02) blocks the unit for the retry interval: no retry storm.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hybrid-control.h"

/* 47100 forcible charge/discharge command. */
enum slc_cmd {
	SLC_CMD_NONE = -1, /* nothing written yet */
	SLC_CMD_STOP = 0,
	SLC_CMD_CHARGE = 1,
	SLC_CMD_DISCHARGE = 2,
};

struct slc_config {
	int64_t keepalive; /* µs between rewrites of an unchanged command */
	int period_min;	   /* 47083, minutes (1..1440) */
	double deadband;   /* W: smaller power changes wait for the keep-alive */
	int64_t retry;	   /* µs: after a refused write; between corrections of read-backs */
};

/* What the last poll cycle said about one battery inverter. */
struct slc_unit_in {
	bool online;	      /* its LUNA2000 block answered */
	double max_charge;    /* W: min(37046, 47075) of those known; NAN unknown */
	double max_discharge; /* W: min(37048, 47077) of those known; NAN unknown */
	int command;	      /* 47100 read back; -1 unknown */
	int working_mode;     /* 47086 read back; -1 unknown */
	int64_t read_at;      /* µs, when the cycle holding these values completed */
};

/* What the controller remembers per unit. Zero-init, then slc_unit_init(). */
struct slc_unit {
	enum slc_cmd cmd;	 /* the command last written */
	double power;		 /* W written with it */
	int64_t written_at;	 /* µs, completion of the last command write */
	int64_t mode_written_at; /* µs, completion of the last 47086 write */
	int64_t blocked_until;	 /* µs: no writes before */
	bool mode_written;
	bool busy; /* a write is in flight */
};

enum slc_action_kind {
	SLC_ACT_NONE = 0,
	SLC_ACT_FORCE, /* power, period, time mode, command */
	SLC_ACT_STOP,  /* 47100 = 0 */
	SLC_ACT_SELF,  /* 47086 = 2 */
};

struct slc_action {
	enum slc_action_kind kind;
	enum slc_cmd cmd; /* FORCE: CHARGE or DISCHARGE */
	double power;	  /* FORCE: W, >= 0 */
};

void slc_unit_init(struct slc_unit *u);

/*
 * slc_limits() - the plant's charge and discharge limits: the sum of the online units'
 * limits, NAN when any online unit's is unknown (or none is online: 0).
 */
void slc_limits(const struct slc_unit_in *in, size_t n, double *ret_charge, double *ret_discharge);

/*
 * slc_split() - share @total (W, + charge) among the online units in proportion to their
 * limit in that direction (equal shares when any is unknown), each share clamped to its own
 * limit; offline units get 0. @ret has @n entries.
 */
void slc_split(double total, const struct slc_unit_in *in, size_t n, double *ret);

/*
 * slc_unit_step() - what to write to one unit now, for @mode with this unit's share @power
 * (W, + charge; ignored for autonomous and hold).
 */
struct slc_action slc_unit_step(const struct slc_config *cfg, const struct slc_unit *st,
				const struct slc_unit_in *in, enum hc_mode mode, double power,
				int64_t now);

/*
 * slc_unit_written() - the action's write finished at @now with @status: 0, 1 (refused by the
 * device: 0x80 or 0x02, blocked for the retry interval) or -1 (transport: tried next cycle).
 */
void slc_unit_written(const struct slc_config *cfg, struct slc_unit *st,
		      const struct slc_action *act, int status, int64_t now);

/* ------------------------------------------------------------------------------------------ */
/* Curtailment: pvinverter /Ac/PowerLimit -> 40420 (0.1 kW), clamped to [0, 40697]          */

struct slc_curtail {
	double request;	      /* W as written on /Ac/PowerLimit; NAN: never */
	struct deadman alive; /* of /Ac/PowerLimit (60 s) */
	double written;	      /* 0.1 kW units last written to 40420; NAN: none */
	int64_t written_at;
	int64_t blocked_until;
	bool busy;
};

struct slc_curtail_in {
	double ceiling;	 /* W: 40697; NAN unknown */
	double readback; /* W: 40420; NAN unknown */
	int64_t read_at; /* µs, completion of the cycle that read it */
};

struct slc_curtail_out {
	bool write;
	double raw;   /* 0.1 kW units to write */
	double limit; /* W in force (published on /Ac/PowerLimit); NAN: ceiling unknown */
	bool active;  /* a limit below the ceiling is in force */
	bool expired; /* a request was written but not refreshed within the timeout */
};

/* slc_curtail_init() - no request; the limit reverts @timeout µs after the last write. */
void slc_curtail_init(struct slc_curtail *c, int64_t timeout);

/* slc_curtail_request() - /Ac/PowerLimit written with @watts (finite) at @now. */
void slc_curtail_request(struct slc_curtail *c, double watts, int64_t now);

/*
 * slc_curtail_step() - the limit in force and whether to write 40420. The ceiling (40697)
 * means no curtailment; without a ceiling nothing is written. A first write waits for the
 * read-back unless a request is alive; later, a read-back that disagrees is corrected at most
 * once per retry interval.
 */
void slc_curtail_step(const struct slc_config *cfg, const struct slc_curtail *c,
		      const struct slc_curtail_in *in, int64_t now, struct slc_curtail_out *ret);

/* slc_curtail_written() - as slc_unit_written(), for a write of @raw. */
void slc_curtail_written(const struct slc_config *cfg, struct slc_curtail *c, double raw,
			 int status, int64_t now);
