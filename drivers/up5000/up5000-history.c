/* SPDX-License-Identifier: MIT */
/* up5000-history.c - daily and overall solar charger history (pure; see up5000-history.h) */

#include <math.h>

#include "up5000-history.h"

static const struct uph_day empty_day = {
	.yield = 0,
	.max_power = NAN,
	.max_pv_voltage = NAN,
	.min_battery_voltage = NAN,
	.max_battery_voltage = NAN,
	.max_battery_current = NAN,
};

void uph_init(struct uph *h)
{
	*h = (struct uph){
		.today = empty_day,
		.yield_start = NAN,
		.overall_max_pv_voltage = NAN,
		.overall_min_battery_voltage = NAN,
		.overall_max_battery_voltage = NAN,
	};
}

/* fmax/fmin treat NAN as missing: the known value wins. */
static void track_max(double *m, double v)
{
	*m = fmax(*m, v);
}

static void track_min(double *m, double v)
{
	*m = fmin(*m, v);
}

static void new_day(struct uph *h, const struct uph_sample *s)
{
	h->open = true;
	h->day = s->day;
	h->today = empty_day;
	h->yield_start = s->yield_total;
}

static void time_in_state(struct uph *h, const struct uph_sample *s)
{
	double minutes;

	if (!h->has_last || s->now <= h->last || s->now - h->last > UPH_MAX_GAP_US)
		return;
	minutes = (double)(s->now - h->last) / 60e6;
	if (s->state == UPH_STATE_BULK)
		h->today.minutes_bulk += minutes;
	else if (s->state == UPH_STATE_ABSORPTION)
		h->today.minutes_absorption += minutes;
	else if (s->state == UPH_STATE_FLOAT)
		h->today.minutes_float += minutes;
}

void uph_update(struct uph *h, const struct uph_sample *s)
{
	if (!h->open || s->day != h->day)
		new_day(h, s);
	if (isnan(h->yield_start))
		h->yield_start = s->yield_total;
	if (!isnan(s->yield_total) && s->yield_total >= h->yield_start)
		h->today.yield = s->yield_total - h->yield_start;
	track_max(&h->today.max_power, s->pv_power);
	track_max(&h->today.max_pv_voltage, s->pv_voltage);
	track_min(&h->today.min_battery_voltage, s->battery_voltage);
	track_max(&h->today.max_battery_voltage, s->battery_voltage);
	track_max(&h->today.max_battery_current, s->charge_current);
	track_max(&h->overall_max_pv_voltage, s->pv_voltage);
	track_min(&h->overall_min_battery_voltage, s->battery_voltage);
	track_max(&h->overall_max_battery_voltage, s->battery_voltage);
	time_in_state(h, s);
	h->last = s->now;
	h->has_last = true;
}
