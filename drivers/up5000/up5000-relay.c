/* SPDX-License-Identifier: MIT */
/* up5000-relay.c - the excess-power relay decision (pure; see up5000-relay.h) */

#include <math.h>
#include <stdio.h>

#include "up5000-relay.h"

void upr_init(struct upr_state *s, int64_t now)
{
	*s = (struct upr_state){ .since = now };
}

/* The spread is "good" when small; every other input when large. */
static bool on_holds(enum upr_input i, double threshold, double v)
{
	return i == UPR_CELL_SPREAD ? v <= threshold : v >= threshold;
}

static bool off_holds(enum upr_input i, double threshold, double v)
{
	return i == UPR_CELL_SPREAD ? v > threshold : v < threshold;
}

static bool any_on_set(const struct upr_config *c)
{
	for (unsigned int i = 0; i < UPR_N_INPUTS; i++)
		if (!isnan(c->on[i]))
			return true;
	return false;
}

/* Every set on-condition holds; otherwise the reason and the input that failed. */
static bool all_on(const struct upr_config *c, const double *v, struct upr_output *out)
{
	for (unsigned int i = 0; i < UPR_N_INPUTS; i++) {
		if (isnan(c->on[i]))
			continue;
		if (isnan(v[i])) {
			out->reason = UPR_REASON_NO_DATA;
			out->input = i;
			return false;
		}
		if (!on_holds(i, c->on[i], v[i]))
			return false;
	}
	out->reason = UPR_REASON_ON_MET;
	return true;
}

/* Some set off-condition holds, or its input is unknown. */
static bool any_off(const struct upr_config *c, const double *v, struct upr_output *out)
{
	for (unsigned int i = 0; i < UPR_N_INPUTS; i++) {
		double t = isnan(c->off[i]) ? c->on[i] : c->off[i];

		if (isnan(t))
			continue;
		if (isnan(v[i]) || (!isnan(c->off[i]) && off_holds(i, c->off[i], v[i]))) {
			out->reason = isnan(v[i]) ? UPR_REASON_NO_DATA : UPR_REASON_OFF_MET;
			out->input = i;
			return true;
		}
	}
	return false;
}

static bool wanted(const struct upr_config *c, const struct upr_state *s, const double *v,
		   struct upr_output *out)
{
	if (!any_on_set(c)) {
		out->reason = UPR_REASON_NOT_CONFIGURED;
		return false;
	}
	if (s->on)
		return !any_off(c, v, out);
	return all_on(c, v, out);
}

void upr_step(const struct upr_config *c, struct upr_state *s, const double *values, int64_t now,
	      struct upr_output *out)
{
	bool want;

	*out = (struct upr_output){ .on = s->on, .reason = UPR_REASON_HOLD };
	want = wanted(c, s, values, out);
	if (want != s->on) {
		int64_t min = s->on ? c->min_on : c->min_off;

		if (s->started && now - s->since < min) {
			out->reason = UPR_REASON_MIN_TIME;
		} else {
			s->on = want;
			s->since = now;
			out->on = want;
			out->changed = true;
		}
	}
	if (!s->started && !s->on && out->reason == UPR_REASON_HOLD)
		out->reason = UPR_REASON_START;
	s->started = true;
	out->send = out->changed || !s->sent || now - s->last_sent >= c->refresh;
}

void upr_sent(struct upr_state *s, int64_t now)
{
	s->sent = true;
	s->last_sent = now;
}

void upr_resend(struct upr_state *s)
{
	s->sent = false;
}

const char *upr_input_name(enum upr_input in)
{
	static const char *const names[UPR_N_INPUTS] = {
		[UPR_SOC] = "soc",
		[UPR_BATTERY_VOLTAGE] = "battery voltage",
		[UPR_PV_POWER] = "pv power",
		[UPR_PV_VOLTAGE] = "pv voltage",
		[UPR_CELL_SPREAD] = "cell spread",
	};

	return (unsigned int)in < UPR_N_INPUTS ? names[in] : "?";
}

const char *upr_reason_text(const struct upr_output *out, char *buf, unsigned int len)
{
	switch (out->reason) {
	case UPR_REASON_START:
		snprintf(buf, len, "start");
		break;
	case UPR_REASON_ON_MET:
		snprintf(buf, len, "on conditions met");
		break;
	case UPR_REASON_OFF_MET:
		snprintf(buf, len, "%s past off threshold", upr_input_name(out->input));
		break;
	case UPR_REASON_NO_DATA:
		snprintf(buf, len, "%s unknown", upr_input_name(out->input));
		break;
	case UPR_REASON_HOLD:
		snprintf(buf, len, out->on ? "on, no off condition" : "off, on conditions not met");
		break;
	case UPR_REASON_MIN_TIME:
		snprintf(buf, len, "waiting for minimum %s time", out->on ? "on" : "off");
		break;
	case UPR_REASON_NOT_CONFIGURED:
		snprintf(buf, len, "no on condition configured");
		break;
	}
	return buf;
}
