/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-agg.h - pure aggregation of many SUN2000/LUNA2000 units into one Venus service
 *
 * No D-Bus, no engine, no clock: values come through a getter, so unit tests feed plain
 * arrays. A unit that is not online takes no part in sums and means (it "drops out"), except
 * in energy totals, which keep its last known value and never go backwards.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_agg_kind {
	SL_AGG_SUM = 0, /* sum over the online units with a value */
	SL_AGG_MEAN,	/* mean over the online units with a value */
	SL_AGG_MAX,	/* largest value of the online units */
	SL_AGG_WMEAN,	/* mean weighted by the register .weight (SOC by capacity) */
	SL_AGG_KEEP,	/* sum of each unit's last known value (daily yield) */
	SL_AGG_ENERGY,	/* KEEP, and never below the highest total returned before */
};

/*
 * One aggregation line. Adjacent lines with the same path make one value: the registers of
 * all of them over all units (e.g. MAX of both LUNA2000 temperatures), with the first line's
 * kind.
 */
struct sl_agg {
	uint16_t addr;
	const char *path;
	enum sl_agg_kind kind;
	uint16_t weight; /* SL_AGG_WMEAN: the register holding the weight */
};

/* The value of register @addr of unit @unit: true and *ret, or false when it has none. */
typedef bool (*sl_get_fn)(void *ctx, size_t unit, uint16_t addr, double *ret);

/* Memory of KEEP and ENERGY lines. Plain data: init, then done. */
struct sl_agg_state {
	const struct sl_agg *aggs; /* borrowed */
	size_t n_aggs;
	size_t n_units;
	double *last;	   /* [unit * n_aggs + line]: last known value, NAN none */
	double *published; /* [line]: highest ENERGY total returned, NAN none */
};

/* sl_agg_init() - memory for @n_units units of @aggs (borrowed). Return: 0 or -ENOMEM. */
int sl_agg_init(struct sl_agg_state *st, const struct sl_agg *aggs, size_t n_aggs, size_t n_units);
void sl_agg_done(struct sl_agg_state *st);

/*
 * sl_agg_eval() - the value of the path of line @i over the units marked in @online.
 * *ret_next is the first line of the next path. Return: the value, NAN when no unit has one.
 */
double sl_agg_eval(struct sl_agg_state *st, size_t i, size_t *ret_next, const bool *online,
		   sl_get_fn get, void *ctx);

/* One inverter's AC side as read; NAN where unknown. */
struct sl_phase_in {
	double power; /* W, total active power (32080) */
	double v[3];  /* V, phase voltages (32069-32071) */
	double i[3];  /* A, phase currents (32072-32076) */
};

/*
 * sl_phase_split() - per-phase active power of an inverter that reports only its total: the
 * total split in proportion to V x I of each phase; all on L1 when no phase has a known,
 * non-zero V x I (a single-phase model). NAN for all three when the total is unknown.
 */
void sl_phase_split(const struct sl_phase_in *in, double ret[3]);

/* One SUN2000 alarm bit (32008 + word, bit) with its Huawei alarm id. */
struct sl_alarm_bit {
	uint8_t word; /* 0, 1, 2: 32008, 32009, 32010 */
	uint8_t bit;
	uint16_t id;   /* Huawei alarm id, e.g. 2032 */
	uint8_t level; /* 1 warning, 2 alarm (Venus /Alarms convention) */
	const char *text;
};

/*
 * sl_alarm_describe() - "2032 grid loss, 2063 overtemperature" for the bits set in @words
 * (bits without a table line read "32008 bit 5"), "" for none, into @buf.
 * Return: the highest level among the set bits (0 none, 1 warning, 2 alarm).
 */
int sl_alarm_describe(const struct sl_alarm_bit *bits, size_t n_bits, const uint16_t words[3],
		      char *buf, size_t len);

/* 32089 device status ranges and what they mean on Venus. */
struct sl_status_map {
	uint16_t lo, hi;
	int status_code; /* pvinverter /StatusCode */
	const char *text;
};

/*
 * sl_status_lookup() - the line covering @raw, or NULL. Return: borrowed from @map.
 */
const struct sl_status_map *sl_status_lookup(const struct sl_status_map *map, size_t n, int raw);

/*
 * sl_status_combine() - the plant's /StatusCode from two inverters' codes (-1: none): running
 * (7, 11, 12) wins over error (10), error over standby (8), standby over starting (0-6).
 */
int sl_status_combine(int a, int b);
