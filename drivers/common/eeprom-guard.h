/* SPDX-License-Identifier: MIT */
/*
 * eeprom-guard.h - decide whether a settings (EEPROM-backed) register may be written now
 *
 * Many inverters keep "settings" registers (charge voltages, cut-off levels, export limits) in
 * EEPROM or flash with a limited number of write cycles. A controller that writes such a
 * register on every DVCC update (every 3 s) wears the device out within months. The guard
 * allows a write only when the value really changes, at most once per interval, and within a
 * daily budget per device; a change the caller declares "safer" (a lower voltage, stopping a
 * discharge) skips the interval and the budget, but never the same-value check.
 *
 * Pure: times are monotonic microseconds (g_get_monotonic_time()) passed in as @now.
 * The day is a rolling 24 h window, not the calendar day: it opens with the first write after
 * the previous window ended and lasts 24 h. This needs no wall clock and no time zone (a GX
 * may boot without NTP), and bounds the writes of any 24 h window that starts at a write to
 * the budget.
 *
 * One struct eeg_budget per device (shared by all its guarded settings) and one struct eeg
 * per setting, or per group of registers written together as one change. Plain data; embed
 * them, no destructor. The budget is borrowed by each struct eeg and must outlive it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define EEG_USEC_PER_SEC        INT64_C(1000000)
#define EEG_DEFAULT_INTERVAL    (10 * 60 * EEG_USEC_PER_SEC)
#define EEG_DEFAULT_BUDGET      48
#define EEG_WINDOW              (24 * 3600 * EEG_USEC_PER_SEC)

enum eeg_decision {
	EEG_WRITE = 0,   /* write now, then call eeg_record() */
	EEG_SKIP_SAME,   /* the device already holds the value (within the step) */
	EEG_SKIP_RATE,   /* last write of this setting is less than the interval ago */
	EEG_SKIP_BUDGET, /* the device's budget for the current 24 h window is spent */
};

struct eeg_budget {
	unsigned int limit;   /* writes per window; 0 = no budget */
	int64_t window_start; /* µs */
	unsigned int n_writes;
	bool open;
};

struct eeg {
	double step;          /* values closer than this count as equal (e.g. 0.1 V) */
	int64_t min_interval; /* µs between writes of this setting; <= 0: none */
	int64_t last_write;   /* µs */
	double last_value;    /* the value last written */
	bool written;
	struct eeg_budget *budget; /* borrowed, may be NULL */
};

/* eeg_budget_init() - an empty window with @limit writes (0: EEG_DEFAULT_BUDGET). */
void eeg_budget_init(struct eeg_budget *b, unsigned int limit);

/*
 * eeg_budget_writes_today() - writes in the window open at @now (NULL: 0); what
 * /Diagnostics/SettingsWritesToday shows.
 */
unsigned int eeg_budget_writes_today(const struct eeg_budget *b, int64_t now);

/*
 * eeg_init() - a setting compared with @step, written at most every @min_interval µs
 * (0: EEG_DEFAULT_INTERVAL; negative: no interval), counted in @budget (NULL: no budget).
 */
void eeg_init(struct eeg *g, double step, int64_t min_interval, struct eeg_budget *budget);

/*
 * eeg_decide() - may @desired be written now?
 * @device: the value read back from the device; NAN when not (yet) known, which counts as
 *          different from anything.
 * @safer:  the caller's judgement that the change reduces risk (lower voltage, stop a
 *          discharge); it passes the interval and the budget, unless @desired is (within the
 *          step) the value written last: a device that ignores or is slow to reflect a write
 *          must not get it again every cycle.
 * Checks, in order: same (|desired - device| < step, or equal) → SKIP_SAME; the interval not
 * elapsed → SKIP_RATE; the budget spent → SKIP_BUDGET. Pure: nothing is recorded.
 */
enum eeg_decision eeg_decide(const struct eeg *g, double device, double desired, bool safer,
			     int64_t now);

/* eeg_record() - @value was written at @now: start the interval, count it in the budget. */
void eeg_record(struct eeg *g, double value, int64_t now);

/* eeg_check() - eeg_decide() and, on EEG_WRITE, eeg_record(). */
enum eeg_decision eeg_check(struct eeg *g, double device, double desired, bool safer,
			    int64_t now);

/* eeg_decision_text() - "write", "same", "rate", "budget". */
const char *eeg_decision_text(enum eeg_decision d);
