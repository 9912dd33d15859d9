/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-control.h - pure controllers of dbus-saj-chs2: set-up detection, sign check,
 * grid-target regulator and the passive-mode command
 *
 * Nothing here knows D-Bus, Modbus or a clock: state, inputs and now (monotonic µs) go in, a
 * decision comes out. tests/unit/test-saj-chs2-control.c drives them with a fake clock and a
 * plant model. Powers are in W with Victron signs: battery + charge, grid + import.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hybrid-control.h"

/* ------------------------------------------------------------------------------------------ */
/* Set-up detection                                                                           */

enum saj_setup {
	SAJ_SETUP_UNKNOWN = 0,
	SAJ_SETUP_CT = 1,    /* Setup A: a CT meter configured (0x4030 != 0) */
	SAJ_SETUP_NO_CT = 2, /* Setup B: no meter (0x4030 == 0) */
};

/* [device] meter_mode: "auto" follows the device, the others force a set-up. */
enum saj_meter_override {
	SAJ_METER_AUTO = 0,
	SAJ_METER_CT,
	SAJ_METER_NONE,
};

#define SAJ_DETECT_CONFIRM 3 /* equal readings before a change of set-up is believed */

struct saj_detect {
	enum saj_setup setup; /* in force */
	enum saj_setup candidate;
	unsigned int n_same;
};

/*
 * saj_detect_step() - feed one read-back of the meter mode (@meter_mode < 0: not read). The
 * first reading decides at once; a later change needs SAJ_DETECT_CONFIRM equal readings in a
 * row. @override other than AUTO decides regardless of the reading.
 * Return: the set-up in force after this reading.
 */
enum saj_setup saj_detect_step(struct saj_detect *d, int meter_mode,
			       enum saj_meter_override override);

/* saj_setup_capabilities() - HC_CAP_* of a set-up: 0x1f with a CT, 0x0a without, 0 unknown. */
unsigned int saj_setup_capabilities(enum saj_setup setup);

/* ------------------------------------------------------------------------------------------ */
/* Sign check against the direction registers                                                 */

enum saj_sign_verdict {
	SAJ_SIGN_PENDING = 0,	  /* not enough samples yet */
	SAJ_SIGN_CONSISTENT = 1,  /* the assumed convention agrees with the direction register */
	SAJ_SIGN_CONTRADICTS = 2, /* it does not: the direction register is followed */
};

#define SAJ_SIGN_SAMPLES   3	/* decisive samples needed */
#define SAJ_SIGN_THRESHOLD 100. /* W; smaller powers are too close to zero to judge */

struct saj_sign {
	enum saj_sign_verdict verdict;
	unsigned int n_agree;
	unsigned int n_contra;
};

/*
 * saj_sign_step() - one sample: @raw power as read, @dir the direction register, @expect the
 * direction a positive @raw means under the assumed convention (+1 or -1). Samples below
 * SAJ_SIGN_THRESHOLD or with @dir 0 are skipped. After SAJ_SIGN_SAMPLES decisive samples the
 * majority decides; later samples are ignored.
 * Return: true when the verdict was reached by this sample.
 */
bool saj_sign_step(struct saj_sign *s, double raw, int dir, int expect);

/* ------------------------------------------------------------------------------------------ */
/* Grid-target regulator                                                                      */

struct saj_reg_params {
	double time_constant; /* s: integral action, dt/time_constant of the error per step */
	double kp;	      /* proportional action on the change of the grid power (damping) */
	double ramp;	      /* W/s: largest change of the command; <= 0 none */
	double deadband;      /* W: errors smaller than this move nothing */
	double track_window;  /* W: the command stays within this of the measured battery
			       * power (anti-windup when the battery cannot follow); <= 0 none */
};

struct saj_reg {
	double cmd;   /* W, battery power commanded last */
	double grid;  /* W, the grid power seen at the last step */
	int64_t last; /* µs of the last step */
	bool active;
};

struct saj_reg_in {
	double target;	      /* W, grid power to reach (+ import) */
	double grid;	      /* W, measured grid power */
	double battery;	      /* W, measured battery power (NAN: unknown) */
	double floor;	      /* W, lowest command allowed before clamping (NAN: none) */
	double max_charge;    /* W (NAN: none) */
	double max_discharge; /* W, positive (NAN: none) */
	int64_t now;	      /* µs */
};

/* saj_reg_reset() - inactive: the next step starts from the measured battery power. */
void saj_reg_reset(struct saj_reg *st);

/*
 * saj_reg_step() - the battery power that moves the grid power to the target: a PI controller
 * in velocity form, cmd += (dt / time_constant) * error - kp * (grid - previous grid), so
 * every command is clamped before it becomes state (no windup at the limits). The
 * proportional part acts on the measurement only (no kick when the target jumps) and damps a
 * battery that lags its command. Then,
 * in this order: not below
 * @floor, within track_window of the measured battery power, at most ramp * dt away from the
 * previous command, within [-max_discharge, +max_charge]. A first step (or one after a gap of
 * more than 5 s) starts from the measured battery power (bumpless).
 * Return: the command, W.
 */
double saj_reg_step(const struct saj_reg_params *p, struct saj_reg *st,
		    const struct saj_reg_in *in);

/* ------------------------------------------------------------------------------------------ */
/* The passive-mode command                                                                   */

enum saj_passive {
	SAJ_PASSIVE_STANDBY = 0, /* 0x3636 values */
	SAJ_PASSIVE_DISCHARGE = 1,
	SAJ_PASSIVE_CHARGE = 2,
};

#define SAJ_PERMILLE_MAX 1100

/* What to write: per mille of the rated power, as the registers take it. */
struct saj_cmd {
	bool passive; /* false: hand back to the device's own AppMode */
	enum saj_passive enable;
	uint16_t grid_charge;	 /* 0x3637: import allowed for charging */
	uint16_t grid_discharge; /* 0x3638: export bound */
	uint16_t bat_charge;	 /* 0x3639 */
	uint16_t bat_discharge;	 /* 0x363A */
};

struct saj_plan_in {
	enum saj_setup setup;
	enum hc_mode mode;    /* hc_output.active_mode */
	double applied;	      /* hc_output.applied_power: battery W (1) or grid target W (2) */
	double max_charge;    /* hc_output.max_charge_power (NAN: none) */
	double max_discharge; /* hc_output.max_discharge_power */
	double grid;	      /* measured, NAN unknown */
	double battery;	      /* measured, NAN unknown */
	double pv;	      /* W of PV, NAN unknown */
	double export_bound;  /* W from /Ac/PowerLimit (NAN: no curtailment) */
	double rated;	      /* W */
	int64_t now;
};

struct saj_plan_out {
	struct saj_cmd cmd;
	double battery;	 /* W that reached the command after caps and rounding; NAN mode 0 */
	double pv_cap;	 /* W, the PV cap of a charge without CT; NAN when none applies */
	bool pv_capped;	 /* the PV cap lowered the charge */
	bool regulating; /* the grid regulator produced the power */
};

/* saj_permille() - |@w| as per mille of @rated, rounded, at most SAJ_PERMILLE_MAX. */
uint16_t saj_permille(double w, double rated);

/*
 * saj_cmd_for_power() - the passive command for battery power @w (+ charge): charge, discharge
 * or standby with the battery registers in per mille; the grid charge register allows import
 * only with a CT; the export bound (@export_bound W, NAN none) goes into 0x3638 with a CT,
 * without one 0x3638 mirrors the battery discharge.
 */
void saj_cmd_for_power(double w, enum saj_setup setup, double export_bound, double rated,
		       struct saj_cmd *ret);

/*
 * saj_plan() - the device command for one cycle:
 *   mode 0: hand back (cmd.passive false), regulator reset;
 *   mode 1: the battery setpoint; without a CT a charge is capped at the PV power (reported);
 *   mode 2: the regulator towards the target, raised to -export_bound when curtailing;
 *   mode 3: standby.
 * With a CT and an export bound, modes 1 and 3 also run the regulator towards -export_bound
 * as a floor, so surplus PV goes to the battery rather than over the bound. The power is
 * rounded to what the per mille registers can say.
 */
void saj_plan(const struct saj_reg_params *p, struct saj_reg *reg, const struct saj_plan_in *in,
	      struct saj_plan_out *ret);

/* saj_setup_text() - "unknown", "with CT", "without CT". */
const char *saj_setup_text(enum saj_setup setup);
