/* SPDX-License-Identifier: MIT */
/* smartlogger-agg.c - pure aggregation: sums, means, energy totals, phase split, alarm texts */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smartlogger-agg.h"

int sl_agg_init(struct sl_agg_state *st, const struct sl_agg *aggs, size_t n_aggs, size_t n_units)
{
	memset(st, 0, sizeof(*st));
	st->last = malloc((n_units * n_aggs + 1) * sizeof(*st->last));
	st->published = malloc((n_aggs + 1) * sizeof(*st->published));
	if (!st->last || !st->published) {
		sl_agg_done(st);
		return -ENOMEM;
	}
	for (size_t k = 0; k < n_units * n_aggs; k++)
		st->last[k] = NAN;
	for (size_t k = 0; k < n_aggs; k++)
		st->published[k] = NAN;
	st->aggs = aggs;
	st->n_aggs = n_aggs;
	st->n_units = n_units;
	return 0;
}

void sl_agg_done(struct sl_agg_state *st)
{
	free(st->last);
	free(st->published);
	memset(st, 0, sizeof(*st));
}

struct acc {
	double sum;
	double weight;
	double max;
	unsigned int n;
};

static void acc_add(struct acc *a, double v, double w)
{
	a->sum += v * w;
	a->weight += w;
	a->max = a->n == 0 || v > a->max ? v : a->max;
	a->n++;
}

/* KEEP/ENERGY: remember what online units say, add what every unit said last. */
static void keep_line(struct sl_agg_state *st, size_t line, const bool *online, sl_get_fn get,
		      void *ctx, struct acc *a)
{
	for (size_t u = 0; u < st->n_units; u++) {
		double *last = &st->last[u * st->n_aggs + line];
		double v;

		if (online[u] && get(ctx, u, st->aggs[line].addr, &v) && isfinite(v))
			*last = v;
		if (!isnan(*last))
			acc_add(a, *last, 1);
	}
}

/* SUM, MEAN, MAX, WMEAN: the online units that have a value (and a weight). */
static void live_line(struct sl_agg_state *st, size_t line, const bool *online, sl_get_fn get,
		      void *ctx, struct acc *a)
{
	const struct sl_agg *g = &st->aggs[line];

	for (size_t u = 0; u < st->n_units; u++) {
		double v, w = 1;

		if (!online[u] || !get(ctx, u, g->addr, &v) || !isfinite(v))
			continue;
		/* no weight (capacity unreadable): count the unit once rather than drop it */
		if (g->kind == SL_AGG_WMEAN && (!get(ctx, u, g->weight, &w) || !(w > 0)))
			w = 1;
		acc_add(a, v, w);
	}
}

static double result(struct sl_agg_state *st, size_t first, const struct acc *a)
{
	double *pub = &st->published[first];

	if (a->n == 0)
		return NAN;
	switch (st->aggs[first].kind) {
	case SL_AGG_SUM:
	case SL_AGG_KEEP:
		return a->sum;
	case SL_AGG_MEAN:
	case SL_AGG_WMEAN:
		return a->weight > 0 ? a->sum / a->weight : NAN;
	case SL_AGG_MAX:
		return a->max;
	case SL_AGG_ENERGY:
		if (isnan(*pub) || a->sum > *pub)
			*pub = a->sum;
		return *pub;
	}
	return NAN;
}

double sl_agg_eval(struct sl_agg_state *st, size_t i, size_t *ret_next, const bool *online,
		   sl_get_fn get, void *ctx)
{
	const char *path = st->aggs[i].path;
	enum sl_agg_kind kind = st->aggs[i].kind;
	struct acc a = { 0 };
	size_t k = i;

	for (; k < st->n_aggs && strcmp(st->aggs[k].path, path) == 0; k++) {
		if (kind == SL_AGG_KEEP || kind == SL_AGG_ENERGY)
			keep_line(st, k, online, get, ctx, &a);
		else
			live_line(st, k, online, get, ctx, &a);
	}
	*ret_next = k;
	return result(st, i, &a);
}

void sl_phase_split(const struct sl_phase_in *in, double ret[3])
{
	double s[3], total = 0;

	for (int p = 0; p < 3; p++) {
		s[p] = in->v[p] * fabs(in->i[p]);
		if (!isfinite(s[p]) || s[p] < 0)
			s[p] = 0;
		total += s[p];
	}
	for (int p = 0; p < 3; p++) {
		if (isnan(in->power))
			ret[p] = NAN;
		else if (total > 0)
			ret[p] = in->power * s[p] / total;
		else
			ret[p] = p == 0 ? in->power : 0;
	}
}

static void append(char *buf, size_t len, size_t *pos, const char *text)
{
	int n = snprintf(buf + *pos, len - *pos, "%s%s", *pos ? ", " : "", text);

	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len - 1;
}

static const struct sl_alarm_bit *find_bit(const struct sl_alarm_bit *bits, size_t n, int w, int b)
{
	for (size_t k = 0; k < n; k++)
		if (bits[k].word == w && bits[k].bit == b)
			return &bits[k];
	return NULL;
}

int sl_alarm_describe(const struct sl_alarm_bit *bits, size_t n_bits, const uint16_t words[3],
		      char *buf, size_t len)
{
	size_t pos = 0;
	int level = 0;

	buf[0] = '\0';
	for (int w = 0; w < 3; w++) {
		for (int b = 0; b < 16; b++) {
			const struct sl_alarm_bit *a = find_bit(bits, n_bits, w, b);
			char text[80];

			if (!(words[w] & (1u << b)))
				continue;
			if (a)
				snprintf(text, sizeof(text), "%u %s", a->id, a->text);
			else
				snprintf(text, sizeof(text), "%d bit %d", 32008 + w, b);
			append(buf, len, &pos, text);
			level = a && a->level > level ? a->level : (level ? level : 1);
		}
	}
	return level;
}

const struct sl_status_map *sl_status_lookup(const struct sl_status_map *map, size_t n, int raw)
{
	for (size_t k = 0; k < n; k++)
		if (raw >= map[k].lo && raw <= map[k].hi)
			return &map[k];
	return NULL;
}

static int status_rank(int code)
{
	if (code == 7 || code == 11 || code == 12)
		return 4;
	if (code == 10)
		return 3;
	if (code == 8)
		return 2;
	return code >= 0 ? 1 : 0;
}

int sl_status_combine(int a, int b)
{
	return status_rank(b) > status_rank(a) ? b : a;
}
