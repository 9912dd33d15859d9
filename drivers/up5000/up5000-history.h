/* SPDX-License-Identifier: MIT */
/*
 * up5000-history.h - the solar charger's /History/Daily/0/... and /History/Overall/..., kept by
 * the driver (the UP5000 has no history of its own)
 *
 * Pure: the caller passes the local day number (days since 1970 in local time) and a
 * monotonic time in µs with every sample. A new day number starts a new day: yield counts
 * from the device's total at that moment. Kept in memory only: a restart starts today over
 * from the total at start, and the overall extremes since the start.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Victron solar charger states that are timed (/State values). */
#define UPH_STATE_BULK	     3
#define UPH_STATE_ABSORPTION 4
#define UPH_STATE_FLOAT	     5

struct uph_day {
	double yield;	  /* kWh */
	double max_power; /* W */
	double max_pv_voltage;
	double min_battery_voltage, max_battery_voltage;
	double max_battery_current;
	double minutes_bulk, minutes_absorption, minutes_float;
};

struct uph {
	bool open;
	int day;
	double yield_start; /* device total at the start of the day, kWh */
	struct uph_day today;
	double overall_max_pv_voltage;
	double overall_min_battery_voltage, overall_max_battery_voltage;
	int64_t last; /* µs of the last sample */
	bool has_last;
};

/* One sample; NAN for unknown values, state < 0 unknown. */
struct uph_sample {
	int day;
	int64_t now;
	double yield_total; /* kWh */
	double pv_power;
	double pv_voltage;
	double battery_voltage;
	double charge_current; /* the charger's current into the battery */
	int state;
};

/* Gaps longer than this between samples (device lost) are not counted as time in a state. */
#define UPH_MAX_GAP_US (30 * INT64_C(1000000))

void uph_init(struct uph *h);
void uph_update(struct uph *h, const struct uph_sample *s);
