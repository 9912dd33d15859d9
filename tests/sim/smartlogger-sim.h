/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-sim.h - a Huawei SmartLogger plant on top of mbsim: the SmartLogger (unit 0),
 * N SUN2000 inverters (units 1..N by default), LUNA2000 batteries behind the first ones, and the
 * meter, with a plant model
 *
 * Images come from tests/sim/profiles/smartlogger.regs (hand-written from the devices doc); the
 * model then moves what a plant moves: PV production split over the inverters, a load, each
 * LUNA2000's power and SOC following its working mode (47086 = 2: it balances the meter to 0)
 * or a forcible command (47100, with 47247/47249 as power and 47083 minutes as period, after
 * which it stops on its own), 40420 capping the AC output (writes above 40697 are ignored),
 * the meter's status (65534) switchable, energy counters. Faults (silent units, exceptions,
 * drops, delays) are mbsim's own: use slsim_mbsim().
 *
 * Thread-safe; the model runs in mbsim's hooks on the simulator thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mbsim.h"

struct slsim_config {
	unsigned int n_inverters; /* 1.. */
	int first_unit; /* unit id of the first inverter (default 1); ids are consecutive */
	unsigned int n_batteries; /* the first n inverters have a LUNA2000 */
	int logger_unit;	  /* 0 */
	int meter_unit;		  /* -1: no meter */
	unsigned int minute_ms;	  /* length of one 47083 minute (60000 real) */
	double soc_speed;	  /* SOC moves this many times faster than real */
	const char *profile;	  /* NULL: slsim_default_profile() */
};

#define SLSIM_CONFIG_DEFAULT                                                                       \
	{                                                                                          \
		.n_inverters = 1, .first_unit = 1, .n_batteries = 1, .logger_unit = 0,             \
		.meter_unit = 11, .minute_ms = 60000, .soc_speed = 1                               \
	}

struct slsim;

/* One battery inverter as the model sees it. */
struct slsim_unit_state {
	int command;	  /* 47100 in force: 0 stop, 1 charge, 2 discharge */
	int working_mode; /* 47086 */
	double battery_w; /* + charge */
	double soc;	  /* % */
	double ac_w;	  /* inverter AC output */
	bool forcing;	  /* a forcible command whose period has not ended */
};

/* slsim_default_profile() - $SLSIM_PROFILE, or the source tree's profile found from the cwd
 * or the executable's location. Borrowed, static storage. */
const char *slsim_default_profile(void);

/*
 * slsim_new() - a plant served by a new TCP simulator on 127.0.0.1:@port (0: any free port);
 * started. Return: 0, -EINVAL (bad config or profile), -errno.
 */
int slsim_new(const struct slsim_config *cfg, unsigned int port, struct slsim **ret);
struct slsim *slsim_free(struct slsim *s);

struct mbsim *slsim_mbsim(struct slsim *s); /* borrowed: faults, write log, port */
unsigned int slsim_port(struct slsim *s);

void slsim_set_pv(struct slsim *s, double watts); /* total DC production */
void slsim_set_load(struct slsim *s, double watts);
void slsim_set_meter_connected(struct slsim *s, bool connected);
int slsim_set_alarms(struct slsim *s, int unit, uint16_t a1, uint16_t a2, uint16_t a3);
int slsim_set_soc(struct slsim *s, int unit, double soc);
int slsim_set_working_mode(struct slsim *s, int unit, int mode);
int slsim_set_ceiling(struct slsim *s, double watts); /* 40697 */
void slsim_set_limit(struct slsim *s, double watts);  /* 40420, as if written */

/* slsim_unit_state() - the model's view of battery inverter @unit. Return: 0 or -ENOENT. */
int slsim_unit_state(struct slsim *s, int unit, struct slsim_unit_state *ret);
/*
 * slsim_wait_period_end() - block until the forcible period of @unit is over (at once when it
 * is not forcing), at most @timeout_ms. Return: 0, -ETIMEDOUT, -ENOENT.
 */
int slsim_wait_period_end(struct slsim *s, int unit, unsigned int timeout_ms);
/* slsim_limit() - the curtailment limit in force (40420), W. */
double slsim_limit(struct slsim *s);
/* slsim_grid() - the meter's power, W, + import. */
double slsim_grid(struct slsim *s);
