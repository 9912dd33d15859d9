/* SPDX-License-Identifier: MIT */
/* up5000-control.c - the UP5000 charge controller: DVCC / BMS limits to settings registers */

#include <errno.h>
#include <math.h>

#include "up5000-control.h"

#define RAW_EPS 0.005 /* half the device's resolution (0.01 V, 0.01 A) */

static const enum upc_reg voltage_chain[] = { UPC_ECV, UPC_BCV, UPC_FCV, UPC_BVR };
static const enum upc_reg low_chain[] = { UPC_LVR, UPC_LVD };
static const enum upc_reg current_chain[] = { UPC_CURRENT };

void upc_init(struct upc_state *s, const struct upc_config *c, int64_t now)
{
	*s = (struct upc_state){ .start = now };
	deadman_init(&s->link_voltage, c->timeout);
	deadman_init(&s->link_current, c->timeout);
	deadman_init(&s->link_discharge, c->timeout);
	eeg_budget_init(&s->budget, c->daily_budget);
	eeg_init(&s->guard[UPC_CHANGE_VOLTAGE], c->voltage_step, c->write_interval, &s->budget);
	eeg_init(&s->guard[UPC_CHANGE_LOW_VOLTAGE], c->voltage_step, c->write_interval, &s->budget);
	eeg_init(&s->guard[UPC_CHANGE_CURRENT], c->current_step, c->write_interval, &s->budget);
}

int upc_check_voltage(const struct upc_config *c, double v)
{
	return isfinite(v) && v >= c->min_voltage && v <= c->max_voltage ? 0 : -ERANGE;
}

int upc_check_current(const struct upc_config *c, double a)
{
	return isfinite(a) && a >= 0 && a <= 10000 ? 0 : -ERANGE;
}

void upc_set_link_voltage(struct upc_state *s, double v, int64_t now)
{
	s->link_voltage_value = v;
	deadman_touch(&s->link_voltage, now);
}

void upc_set_link_current(struct upc_state *s, double a, int64_t now)
{
	s->link_current_value = a;
	deadman_touch(&s->link_current, now);
}

void upc_set_link_discharge(struct upc_state *s, double a, int64_t now)
{
	s->link_discharge_value = a;
	deadman_touch(&s->link_discharge, now);
}

unsigned int upc_writes_today(const struct upc_state *s, int64_t now)
{
	return eeg_budget_writes_today(&s->budget, now);
}

static double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

static bool in_grace(const struct upc_config *c, const struct upc_state *s, const struct deadman *d,
		     int64_t now)
{
	return !d->touched && now - s->start < c->timeout;
}

/* The charge voltage in force, before the device's own limit. */
static double voltage_target(const struct upc_config *c, const struct upc_state *s,
			     const struct upc_inputs *in, enum upc_source *src)
{
	bool dvcc = !deadman_expired(&s->link_voltage, in->now);
	bool bms = c->follow_bms && isfinite(in->bms_max_charge_voltage) &&
		   in->bms_max_charge_voltage > 0;
	double v;

	if (dvcc && (!bms || s->link_voltage_value <= in->bms_max_charge_voltage)) {
		*src = UPC_SOURCE_DVCC;
		v = s->link_voltage_value;
	} else if (bms) {
		*src = UPC_SOURCE_BMS;
		v = in->bms_max_charge_voltage;
	} else if (in_grace(c, s, &s->link_voltage, in->now)) {
		*src = UPC_SOURCE_DEVICE;
		return NAN;
	} else {
		*src = UPC_SOURCE_FALLBACK;
		v = c->fallback_voltage;
	}
	return round2(fmin(fmax(v, c->min_voltage), c->max_voltage));
}

/* The charge current in force, or NAN when the device keeps its own. */
static double current_target(const struct upc_config *c, const struct upc_state *s,
			     const struct upc_inputs *in, enum upc_source *src)
{
	double limit = c->current_limit, v;

	if (!deadman_expired(&s->link_current, in->now)) {
		*src = UPC_SOURCE_DVCC;
		v = s->link_current_value;
	} else if (in_grace(c, s, &s->link_current, in->now)) {
		*src = UPC_SOURCE_DEVICE;
		return NAN;
	} else {
		*src = UPC_SOURCE_FALLBACK;
		v = c->fallback_current < 0 ? limit : c->fallback_current;
	}
	return round2(fmax(0, fmin(v, limit)));
}

/* The low-voltage disconnect in force, or NAN while nothing is known about discharge. */
static double lvd_target(const struct upc_config *c, const struct upc_state *s,
			 const struct upc_inputs *in, bool *ret_allowed)
{
	bool dvcc = !deadman_expired(&s->link_discharge, in->now);
	bool bms = c->follow_bms && isfinite(in->bms_max_discharge_current);
	bool stop = (dvcc && s->link_discharge_value <= 0) ||
		    (bms && in->bms_max_discharge_current <= 0);

	*ret_allowed = !stop;
	if (!dvcc && !bms && !s->link_discharge.touched)
		return NAN;
	return stop ? c->lvd_stop : c->lvd;
}

static void add_write(struct upc_output *out, enum upc_reg reg, double value)
{
	out->writes[out->n_writes++] = (struct upc_write){ .reg = reg, .value = value };
}

/* Registers going down lowest first, then those going up highest first. */
static void order_writes(const enum upc_reg *chain, size_t n, const double *cur, const double *tgt,
			 struct upc_output *out)
{
	for (size_t k = n; k-- > 0;)
		if (tgt[k] < cur[k] - RAW_EPS)
			add_write(out, chain[k], tgt[k]);
	for (size_t k = 0; k < n; k++)
		if (tgt[k] > cur[k] + RAW_EPS)
			add_write(out, chain[k], tgt[k]);
}

/*
 * One guarded change: @tgt per register of @chain (the first is the one compared with the
 * guard), @safer as judged by the caller.
 */
static void plan_change(struct upc_state *s, enum upc_change ch, const enum upc_reg *chain,
			size_t n, const double *tgt, bool safer, const struct upc_inputs *in,
			struct upc_output *out)
{
	struct eeg *g = &s->guard[ch];
	double cur[UPC_N_REGS];
	bool same = true;

	for (size_t k = 0; k < n; k++) {
		cur[k] = in->dev.reg[chain[k]];
		if (isnan(cur[k]) || isnan(tgt[k]))
			return;
		same = same && fabs(tgt[k] - cur[k]) < g->step;
	}
	out->planned[ch] = true;
	out->safer[ch] = safer;
	out->decision[ch] = eeg_check(g, same ? tgt[0] : NAN, tgt[0], safer, in->now);
	if (out->decision[ch] == EEG_WRITE)
		order_writes(chain, n, cur, tgt, out);
}

static void plan_voltage(const struct upc_config *c, struct upc_state *s,
			 const struct upc_inputs *in, struct upc_output *out)
{
	double v = voltage_target(c, s, in, &out->voltage_source), tgt[4];

	if (!isnan(v) && isfinite(in->dev.clv) && v > in->dev.clv) {
		v = in->dev.clv;
		out->voltage_clamped = true;
	}
	out->charge_voltage = v;
	if (isnan(v))
		return;
	tgt[0] = tgt[1] = tgt[2] = v;
	tgt[3] = round2(v - c->bvr_offset);
	plan_change(s, UPC_CHANGE_VOLTAGE, voltage_chain, 4, tgt, v < in->dev.reg[UPC_ECV], in,
		    out);
}

static void plan_low_voltage(const struct upc_config *c, struct upc_state *s,
			     const struct upc_inputs *in, struct upc_output *out)
{
	double lvd = lvd_target(c, s, in, &out->discharge_allowed), tgt[2];

	if (!isnan(lvd) && isfinite(in->dev.dlv))
		lvd = fmax(lvd, in->dev.dlv);
	out->lvd = lvd;
	if (isnan(lvd))
		return;
	tgt[0] = round2(lvd + c->lvr_offset);
	tgt[1] = round2(lvd);
	plan_change(s, UPC_CHANGE_LOW_VOLTAGE, low_chain, 2, tgt, lvd > in->dev.reg[UPC_LVD], in,
		    out);
}

static void plan_current(const struct upc_config *c, struct upc_state *s,
			 const struct upc_inputs *in, struct upc_output *out)
{
	double a;

	out->current_source = UPC_SOURCE_DISABLED;
	out->charge_current = NAN;
	if (!c->control_current)
		return;
	a = current_target(c, s, in, &out->current_source);
	out->charge_current = a;
	if (!isnan(a))
		plan_change(s, UPC_CHANGE_CURRENT, current_chain, 1, &a,
			    a < in->dev.reg[UPC_CURRENT], in, out);
}

void upc_step(const struct upc_config *c, struct upc_state *s, const struct upc_inputs *in,
	      struct upc_output *out)
{
	*out = (struct upc_output){
		.charge_voltage = NAN, .charge_current = NAN, .lvd = NAN, .discharge_allowed = true
	};
	if (!c->enabled) {
		out->voltage_source = out->current_source = UPC_SOURCE_DISABLED;
		return;
	}
	plan_voltage(c, s, in, out);
	plan_low_voltage(c, s, in, out);
	plan_current(c, s, in, out);
}

const char *upc_source_text(enum upc_source src)
{
	switch (src) {
	case UPC_SOURCE_DEVICE:
		return "device";
	case UPC_SOURCE_DVCC:
		return "dvcc";
	case UPC_SOURCE_BMS:
		return "bms";
	case UPC_SOURCE_FALLBACK:
		return "fallback";
	case UPC_SOURCE_DISABLED:
		return "disabled";
	}
	return "?";
}

const char *upc_reg_name(enum upc_reg reg)
{
	static const char *const names[UPC_N_REGS] = {
		[UPC_ECV] = "equalize voltage",
		[UPC_BCV] = "boost voltage",
		[UPC_FCV] = "float voltage",
		[UPC_BVR] = "boost reconnect voltage",
		[UPC_LVR] = "low-voltage reconnect",
		[UPC_LVD] = "low-voltage disconnect",
		[UPC_CURRENT] = "max charging current",
	};

	return (unsigned int)reg < UPC_N_REGS ? names[reg] : "?";
}

const char *upc_change_name(enum upc_change ch)
{
	static const char *const names[UPC_N_CHANGES] = {
		[UPC_CHANGE_VOLTAGE] = "charge voltage",
		[UPC_CHANGE_LOW_VOLTAGE] = "low-voltage disconnect",
		[UPC_CHANGE_CURRENT] = "charge current",
	};

	return (unsigned int)ch < UPC_N_CHANGES ? names[ch] : "?";
}
