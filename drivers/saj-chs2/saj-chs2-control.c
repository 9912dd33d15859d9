/* SPDX-License-Identifier: MIT */
/* saj-chs2-control.c - pure controllers: set-up detection, sign check, regulator, command */

#include <math.h>

#include "saj-chs2-control.h"

#define USEC	    1e6
#define MAX_GAP_SEC 5.0 /* a regulator idle longer than this restarts bumplessly */

/* ------------------------------------------------------------------------------------------ */
/* Set-up detection                                                                           */

enum saj_setup saj_detect_step(struct saj_detect *d, int meter_mode,
			       enum saj_meter_override override)
{
	enum saj_setup s;

	if (override == SAJ_METER_CT || override == SAJ_METER_NONE) {
		d->setup = override == SAJ_METER_CT ? SAJ_SETUP_CT : SAJ_SETUP_NO_CT;
		return d->setup;
	}
	if (meter_mode < 0)
		return d->setup;
	s = meter_mode == 0 ? SAJ_SETUP_NO_CT : SAJ_SETUP_CT;
	if (d->setup == SAJ_SETUP_UNKNOWN || s == d->setup) {
		d->setup = s;
		d->candidate = s;
		d->n_same = 0;
		return s;
	}
	if (s == d->candidate) {
		d->n_same++;
	} else {
		d->candidate = s;
		d->n_same = 1;
	}
	if (d->n_same >= SAJ_DETECT_CONFIRM) {
		d->setup = s;
		d->n_same = 0;
	}
	return d->setup;
}

unsigned int saj_setup_capabilities(enum saj_setup setup)
{
	switch (setup) {
	case SAJ_SETUP_CT:
		return HC_CAP_MODES | HC_CAP_CHARGE_FROM_GRID;
	case SAJ_SETUP_NO_CT:
		return HC_CAP_BATTERY | HC_CAP_HOLD;
	case SAJ_SETUP_UNKNOWN:
		break;
	}
	return 0;
}

const char *saj_setup_text(enum saj_setup setup)
{
	switch (setup) {
	case SAJ_SETUP_CT:
		return "with CT";
	case SAJ_SETUP_NO_CT:
		return "without CT";
	case SAJ_SETUP_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ------------------------------------------------------------------------------------------ */
/* Sign check                                                                                 */

bool saj_sign_step(struct saj_sign *s, double raw, int dir, int expect)
{
	int implied;

	if (s->verdict != SAJ_SIGN_PENDING || isnan(raw) || fabs(raw) < SAJ_SIGN_THRESHOLD ||
	    dir == 0)
		return false;
	implied = (raw > 0 ? 1 : -1) * (expect < 0 ? -1 : 1);
	if (implied == (dir > 0 ? 1 : -1))
		s->n_agree++;
	else
		s->n_contra++;
	if (s->n_agree + s->n_contra < SAJ_SIGN_SAMPLES)
		return false;
	s->verdict = s->n_agree >= s->n_contra ? SAJ_SIGN_CONSISTENT : SAJ_SIGN_CONTRADICTS;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Regulator                                                                                  */

void saj_reg_reset(struct saj_reg *st)
{
	*st = (struct saj_reg){ .active = false };
}

static double clamp_to(double w, double lo, double hi)
{
	if (!isnan(hi) && w > hi)
		w = hi;
	if (!isnan(lo) && w < lo)
		w = lo;
	return w;
}

/* Seconds since the last step; a fresh or stale regulator starts from the battery power. */
static double reg_dt(struct saj_reg *st, const struct saj_reg_in *in)
{
	double dt = (double)(in->now - st->last) / USEC;

	if (!st->active || dt < 0 || dt > MAX_GAP_SEC) {
		st->cmd = isnan(in->battery) ? 0 : in->battery;
		st->grid = NAN;
		st->active = true;
		dt = 0;
	}
	st->last = in->now;
	return dt;
}

double saj_reg_step(const struct saj_reg_params *p, struct saj_reg *st, const struct saj_reg_in *in)
{
	double prev, dt, err, gain, cmd, step;

	dt = reg_dt(st, in);
	prev = st->cmd;
	err = in->target - in->grid;
	if (fabs(err) < p->deadband)
		err = 0;
	gain = p->time_constant > 0 ? fmin(1.0, dt / p->time_constant) : 1.0;
	cmd = prev + gain * err - (isnan(st->grid) ? 0 : p->kp * (in->grid - st->grid));
	st->grid = in->grid;
	if (p->track_window > 0 && !isnan(in->battery))
		cmd = clamp_to(cmd, in->battery - p->track_window, in->battery + p->track_window);
	if (!isnan(in->floor) && cmd < in->floor)
		cmd = in->floor;
	if (p->ramp > 0) {
		step = p->ramp * dt;
		cmd = clamp_to(cmd, prev - step, prev + step);
	}
	cmd = clamp_to(cmd, isnan(in->max_discharge) ? NAN : -in->max_discharge, in->max_charge);
	st->cmd = cmd;
	return cmd;
}

/* ------------------------------------------------------------------------------------------ */
/* Command                                                                                    */

uint16_t saj_permille(double w, double rated)
{
	double pm;

	if (isnan(w) || !(rated > 0))
		return 0;
	pm = round(fabs(w) / rated * 1000.0);
	return (uint16_t)fmin(pm, SAJ_PERMILLE_MAX);
}

/* @w rounded to what the per mille registers can carry. */
static double quantize(double w, double rated)
{
	double q = saj_permille(w, rated) * rated / 1000.0;

	return w < 0 ? -q : q;
}

void saj_cmd_for_power(double w, enum saj_setup setup, double export_bound, double rated,
		       struct saj_cmd *ret)
{
	bool ct = setup == SAJ_SETUP_CT;
	uint16_t pm = saj_permille(w, rated);

	*ret = (struct saj_cmd){ .passive = true, .enable = SAJ_PASSIVE_STANDBY };
	if (pm > 0 && w > 0) {
		ret->enable = SAJ_PASSIVE_CHARGE;
		ret->bat_charge = pm;
		ret->grid_charge = ct ? pm : 0;
	} else if (pm > 0) {
		ret->enable = SAJ_PASSIVE_DISCHARGE;
		ret->bat_discharge = pm;
	}
	if (!ct)
		ret->grid_discharge = ret->bat_discharge;
	else if (isnan(export_bound))
		ret->grid_discharge = 1000;
	else
		ret->grid_discharge = saj_permille(fmax(export_bound, 0), rated);
}

/* The battery power keeping the export within the bound, at least @base (modes 1 and 3). */
static double bounded(const struct saj_reg_params *p, struct saj_reg *reg,
		      const struct saj_plan_in *in, double base, bool *regulating)
{
	struct saj_reg_in ri = {
		.target = -in->export_bound,
		.grid = in->grid,
		.battery = in->battery,
		.floor = base,
		.max_charge = in->max_charge,
		.max_discharge = in->max_discharge,
		.now = in->now,
	};
	double w;

	if (isnan(in->grid)) {
		saj_reg_reset(reg);
		return base;
	}
	w = saj_reg_step(p, reg, &ri);
	*regulating = w > base;
	return w;
}

static double grid_mode(const struct saj_reg_params *p, struct saj_reg *reg,
			const struct saj_plan_in *in, double bound)
{
	struct saj_reg_in ri = {
		.target = isnan(in->applied) ? 0 : in->applied,
		.grid = in->grid,
		.battery = in->battery,
		.floor = NAN,
		.max_charge = in->max_charge,
		.max_discharge = in->max_discharge,
		.now = in->now,
	};

	if (isnan(in->grid)) { /* no measurement, no regulation: stand by */
		saj_reg_reset(reg);
		return 0;
	}
	if (!isnan(bound) && ri.target < -bound)
		ri.target = -bound;
	return saj_reg_step(p, reg, &ri);
}

/* Mode 1 without a CT: a charge cannot exceed the PV power. */
static double pv_capped(const struct saj_plan_in *in, double w, struct saj_plan_out *out)
{
	out->pv_cap = isnan(in->pv) ? 0 : fmax(in->pv, 0);
	if (w > out->pv_cap) {
		out->pv_capped = true;
		return out->pv_cap;
	}
	return w;
}

void saj_plan(const struct saj_reg_params *p, struct saj_reg *reg, const struct saj_plan_in *in,
	      struct saj_plan_out *ret)
{
	double bound = in->setup == SAJ_SETUP_CT ? in->export_bound : NAN;
	double w = 0;

	*ret = (struct saj_plan_out){ .battery = NAN, .pv_cap = NAN };
	switch (in->mode) {
	case HC_MODE_AUTONOMOUS:
		saj_reg_reset(reg);
		return; /* cmd.passive false: hand back */
	case HC_MODE_BATTERY:
		w = isnan(in->applied) ? 0 : in->applied;
		if (in->setup != SAJ_SETUP_CT)
			w = pv_capped(in, w, ret);
		/* fall through */
	case HC_MODE_HOLD:
		if (!isnan(bound))
			w = bounded(p, reg, in, w, &ret->regulating);
		else
			saj_reg_reset(reg);
		break;
	case HC_MODE_GRID:
		w = grid_mode(p, reg, in, bound);
		ret->regulating = true;
		break;
	}
	w = clamp_to(w, isnan(in->max_discharge) ? NAN : -in->max_discharge, in->max_charge);
	w = quantize(w, in->rated);
	saj_cmd_for_power(w, in->setup, bound, in->rated, &ret->cmd);
	ret->battery = w;
}
