/* SPDX-License-Identifier: MIT */
/*
 * test-smartlogger-agg.c - pure aggregation of SUN2000/LUNA2000 units
 * (drivers/smartlogger/smartlogger-agg.c): sums, means, maxima, SOC weighted by capacity,
 * units dropping out, energy totals that never go backwards, per-phase split, alarm texts,
 * status mapping
 */

#include <check.h>
#include <math.h>
#include <string.h>

#include "drivers/smartlogger/smartlogger-agg.h"
#include "check-run.h"

/* Values by [unit][register]; NAN = none. Registers 1..5. */
static double vals[3][6];

static bool get(void *ctx, size_t unit, uint16_t addr, double *ret)
{
	*ret = vals[unit][addr];
	return !isnan(*ret);
}

static const struct sl_agg aggs[] = {
	{ 1, "/P", SL_AGG_SUM },    { 2, "/V", SL_AGG_MEAN },	    { 3, "/T", SL_AGG_MAX },
	{ 4, "/T", SL_AGG_MAX },    { 5, "/Soc", SL_AGG_WMEAN, 1 }, { 2, "/E", SL_AGG_ENERGY },
	{ 3, "/Day", SL_AGG_KEEP },
};

static void fill(void)
{
	const double v[3][6] = {
		{ 0, 1000, 400, 20, NAN, 50 },
		{ 0, 3000, 410, 25, 31, 90 },
		{ 0, NAN, NAN, NAN, NAN, NAN },
	};

	memcpy(vals, v, sizeof(vals));
}

/* The value of @path, evaluating every path in order (as the driver does each cycle). */
static double eval(struct sl_agg_state *st, const bool *online, const char *path)
{
	double result = NAN;
	size_t next;

	for (size_t i = 0; i < st->n_aggs; i = next) {
		double v = sl_agg_eval(st, i, &next, online, get, NULL);

		if (strcmp(st->aggs[i].path, path) == 0)
			result = v;
	}
	return result;
}

START_TEST(test_kinds)
{
	struct sl_agg_state st;
	bool online[3] = { true, true, false };

	fill();
	ck_assert_int_eq(sl_agg_init(&st, aggs, sizeof(aggs) / sizeof(aggs[0]), 3), 0);
	ck_assert_double_eq(eval(&st, online, "/P"), 4000);
	ck_assert_double_eq(eval(&st, online, "/V"), 405);
	ck_assert_double_eq(eval(&st, online, "/T"), 31); /* max over both registers */
	ck_assert_double_eq_tol(eval(&st, online, "/Soc"), (50 * 1000 + 90 * 3000) / 4000.0, 1e-9);
	ck_assert_double_eq(eval(&st, online, "/E"), 810);
	sl_agg_done(&st);
}
END_TEST

/* A unit that drops out leaves sums and means at once; energy keeps its last value. */
START_TEST(test_dropout_energy)
{
	struct sl_agg_state st;
	bool online[3] = { true, true, false };

	fill();
	ck_assert_int_eq(sl_agg_init(&st, aggs, sizeof(aggs) / sizeof(aggs[0]), 3), 0);
	ck_assert_double_eq(eval(&st, online, "/E"), 810);
	ck_assert_double_eq(eval(&st, online, "/Day"), 45);
	online[1] = false;
	vals[1][2] = NAN; /* it answers no more */
	ck_assert_double_eq(eval(&st, online, "/P"), 1000);
	ck_assert_double_eq(eval(&st, online, "/V"), 400);
	ck_assert_double_eq(eval(&st, online, "/E"), 810); /* 400 + the 410 it said last */
	ck_assert_double_eq(eval(&st, online, "/Day"), 45);
	vals[0][2] = 300; /* a counter read lower than before: the total does not drop */
	ck_assert_double_eq(eval(&st, online, "/E"), 810);
	vals[0][2] = 450;
	ck_assert_double_eq(eval(&st, online, "/E"), 860);
	online[0] = false; /* nobody online: live values invalid, energy stays */
	ck_assert(isnan(eval(&st, online, "/P")));
	ck_assert_double_eq(eval(&st, online, "/E"), 860);
	sl_agg_done(&st);
}
END_TEST

START_TEST(test_wmean_without_weight)
{
	struct sl_agg_state st;
	bool online[3] = { true, true, true };

	fill();
	vals[0][1] = NAN; /* capacity unknown: weight 1, still published */
	vals[1][1] = NAN;
	ck_assert_int_eq(sl_agg_init(&st, aggs, sizeof(aggs) / sizeof(aggs[0]), 3), 0);
	ck_assert_double_eq_tol(eval(&st, online, "/Soc"), 70, 1e-9);
	sl_agg_done(&st);
}
END_TEST

START_TEST(test_phase_split)
{
	struct sl_phase_in three = { 6000, { 230, 230, 230 }, { 10, 10, 20 } };
	struct sl_phase_in single = { 3000, { 230, NAN, NAN }, { 13, NAN, NAN } };
	struct sl_phase_in night = { -12, { 230, 230, 230 }, { 0, 0, 0 } };
	struct sl_phase_in unknown = { NAN, { 230, 230, 230 }, { 1, 1, 1 } };
	double p[3];

	sl_phase_split(&three, p);
	ck_assert_double_eq_tol(p[0], 1500, 1e-9);
	ck_assert_double_eq_tol(p[2], 3000, 1e-9);
	sl_phase_split(&single, p);
	ck_assert(p[0] == 3000 && p[1] == 0 && p[2] == 0);
	sl_phase_split(&night, p); /* no current: all on L1, the total kept */
	ck_assert(p[0] == -12 && p[1] == 0);
	sl_phase_split(&unknown, p);
	ck_assert(isnan(p[0]) && isnan(p[1]) && isnan(p[2]));
}
END_TEST

START_TEST(test_alarms)
{
	static const struct sl_alarm_bit bits[] = {
		{ 0, 7, 2032, 2, "grid loss" },
		{ 1, 3, 2063, 1, "overtemperature" },
	};
	uint16_t w[3] = { 0, 0x0008, 0 };
	char buf[128];

	ck_assert_int_eq(sl_alarm_describe(bits, 2, w, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "2063 overtemperature");
	w[0] = 0x0080;
	w[2] = 0x0400;
	ck_assert_int_eq(sl_alarm_describe(bits, 2, w, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "2032 grid loss, 2063 overtemperature, 32010 bit 10");
	memset(w, 0, sizeof(w));
	ck_assert_int_eq(sl_alarm_describe(bits, 2, w, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	w[0] = 0xffff;
	w[1] = 0xffff;
	sl_alarm_describe(bits, 2, w, buf, 24); /* cut, terminated */
	ck_assert_uint_eq(strlen(buf), 23);
}
END_TEST

START_TEST(test_status)
{
	static const struct sl_status_map map[] = {
		{ 0x0200, 0x0200, 7, "on-grid" },
		{ 0x0300, 0x030C, 10, "shut down" },
		{ 0xA000, 0xA000, 8, "no irradiation" },
	};

	ck_assert_int_eq(sl_status_lookup(map, 3, 0x0305)->status_code, 10);
	ck_assert_ptr_null(sl_status_lookup(map, 3, 0x0400));
	ck_assert_int_eq(sl_status_combine(-1, 8), 8);
	ck_assert_int_eq(sl_status_combine(8, 10), 10);
	ck_assert_int_eq(sl_status_combine(10, 7), 7);
	ck_assert_int_eq(sl_status_combine(7, 8), 7);
	ck_assert_int_eq(sl_status_combine(0, -1), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smartlogger-agg");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_dropout_energy);
	tcase_add_test(tc, test_wmean_without_weight);
	tcase_add_test(tc, test_phase_split);
	tcase_add_test(tc, test_alarms);
	tcase_add_test(tc, test_status);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
