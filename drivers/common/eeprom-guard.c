/* SPDX-License-Identifier: MIT */
/* eeprom-guard.c - decide whether a settings (EEPROM-backed) register may be written now */

#include <math.h>

#include "eeprom-guard.h"

void eeg_budget_init(struct eeg_budget *b, unsigned int limit)
{
	*b = (struct eeg_budget){ .limit = limit ? limit : EEG_DEFAULT_BUDGET };
}

static bool window_open_at(const struct eeg_budget *b, int64_t now)
{
	return b->open && now - b->window_start < EEG_WINDOW;
}

unsigned int eeg_budget_writes_today(const struct eeg_budget *b, int64_t now)
{
	return b && window_open_at(b, now) ? b->n_writes : 0;
}

static bool budget_spent(const struct eeg_budget *b, int64_t now)
{
	return b && b->limit && eeg_budget_writes_today(b, now) >= b->limit;
}

static void budget_count(struct eeg_budget *b, int64_t now)
{
	if (!b)
		return;
	if (!window_open_at(b, now)) {
		b->open = true;
		b->window_start = now;
		b->n_writes = 0;
	}
	b->n_writes++;
}

void eeg_init(struct eeg *g, double step, int64_t min_interval, struct eeg_budget *budget)
{
	*g = (struct eeg){
		.step = step,
		.min_interval = min_interval ? min_interval : EEG_DEFAULT_INTERVAL,
		.budget = budget,
	};
}

static bool same_value(double device, double desired, double step)
{
	if (isnan(device) || isnan(desired))
		return false;
	return device == desired || fabs(desired - device) < step;
}

static bool interval_running(const struct eeg *g, int64_t now)
{
	return g->written && g->min_interval > 0 && now - g->last_write < g->min_interval;
}

enum eeg_decision eeg_decide(const struct eeg *g, double device, double desired, bool safer,
			     int64_t now)
{
	if (same_value(device, desired, g->step))
		return EEG_SKIP_SAME;
	if (safer && !(g->written && same_value(g->last_value, desired, g->step)))
		return EEG_WRITE;
	if (interval_running(g, now))
		return EEG_SKIP_RATE;
	if (budget_spent(g->budget, now))
		return EEG_SKIP_BUDGET;
	return EEG_WRITE;
}

void eeg_record(struct eeg *g, double value, int64_t now)
{
	g->written = true;
	g->last_value = value;
	g->last_write = now;
	budget_count(g->budget, now);
}

enum eeg_decision eeg_check(struct eeg *g, double device, double desired, bool safer,
			    int64_t now)
{
	enum eeg_decision d = eeg_decide(g, device, desired, safer, now);

	if (d == EEG_WRITE)
		eeg_record(g, desired, now);
	return d;
}

const char *eeg_decision_text(enum eeg_decision d)
{
	switch (d) {
	case EEG_WRITE:
		return "write";
	case EEG_SKIP_SAME:
		return "same";
	case EEG_SKIP_RATE:
		return "rate";
	case EEG_SKIP_BUDGET:
		return "budget";
	}
	return "?";
}
