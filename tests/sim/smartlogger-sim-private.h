/* SPDX-License-Identifier: MIT */
/* smartlogger-sim-private.h - what the plant model and the simulator set-up share */
#pragma once

#include <glib.h>

#include "smartlogger-sim.h"

#define MAX_UNITS 247

struct sunit {
	int id;
	bool battery;
	double soc;   /* % */
	double bat_w; /* + charge */
	double ac_w;
	double pv_w;
	int command;			     /* 47100 in force */
	int64_t period_end;		     /* µs */
	double e_yield, e_day, e_chg, e_dis; /* kWh */
};

struct slsim {
	struct mbsim *sim;
	struct slsim_config cfg;
	GMutex lock;   /* the model; never held while calling mbsim_* from outside a hook */
	GCond changed; /* a write arrived (slsim_wait_period_end()) */
	struct sunit *units;
	unsigned int n;
	double pv, load, limit_w, ceiling_w, grid_w;
	double e_import, e_export; /* kWh */
	bool meter_connected;
	int64_t last;
};

/* Words, high word first (smartlogger-sim-plant.c). Call with the model's lock held only from
 * a hook (the simulator's lock is taken first there) or before the simulator starts. */
void slsim_put16(struct slsim *s, int unit, uint16_t addr, int v);
int slsim_get16(struct slsim *s, int unit, uint16_t addr);
double slsim_getu32(struct slsim *s, int unit, uint16_t addr);
double slsim_gets64(struct slsim *s, int unit, uint16_t addr);
void slsim_put_string(struct slsim *s, int unit, uint16_t addr, const char *text, int regs);

struct sunit *slsim_find(struct slsim *s, int unit);
/* slsim_advance() - move the model to now; slsim_refresh_logger() - its image. Lock held. */
void slsim_advance(struct slsim *s);
void slsim_refresh_logger(struct slsim *s);

extern const struct mbsim_hooks slsim_plant_hooks;
