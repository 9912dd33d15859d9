/* SPDX-License-Identifier: MIT */
/*
 * test-smartlogger-regs.c - the SmartLogger register tables against the hand-written images of
 * tests/sim/profiles/smartlogger.regs (devices doc part A): every table lints, decodes to the
 * engineering values the doc gives, plans within Huawei's 64-register reads, and encodes the
 * control writes as the doc says; the alarm, status and configuration tables are sound
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "drivers/smartlogger/smartlogger.h"
#include "mb-plan.h"
#include "tests/sim/mbsim.h"
#include "tests/sim/smartlogger-sim.h"
#include "check-run.h"

static struct mbsim *sim;

static void setup(void)
{
	unsigned int line = 0;

	ck_assert_int_eq(mbsim_new(MBSIM_TCP, NULL, 0, &sim), 0);
	ck_assert_int_eq(mbsim_load_profile(sim, slsim_default_profile(), &line), 0);
}

static void teardown(void)
{
	sim = mbsim_free(sim);
}

/* Decode register @addr of @regs from the profile's unit @unit. */
static struct mb_val decode(int unit, const struct mb_reg *regs, size_t n, uint16_t addr)
{
	int k = mb_table_find(regs, n, MB_HOLDING, addr);
	uint16_t words[MB_STR_MAX_REGS];
	struct mb_val v;

	ck_assert_int_ge(k, 0);
	ck_assert_int_eq(mbsim_get(sim, unit, MBSIM_HOLDING, addr, words, mb_reg_width(&regs[k])),
			 0);
	ck_assert_int_eq(mb_decode(&regs[k], words, MB_WORDS_HIGH_FIRST, &v), 0);
	return v;
}

static double num(int unit, const struct mb_reg *regs, size_t n, uint16_t addr)
{
	struct mb_val v = decode(unit, regs, n, addr);

	ck_assert_int_eq(v.kind, MB_VAL_NUMBER);
	return v.value;
}

#define LOGGER(a) num(0, sl_logger_regs, sl_n_logger_regs, a)
#define METER(a)  num(11, sl_meter_regs, sl_n_meter_regs, a)
#define SUN(a)	  num(1, sl_sun2000_regs, sl_n_sun2000_regs, a)
#define LUNA(a)	  num(1, sl_luna_regs, sl_n_luna_regs, a)

START_TEST(test_tables_lint)
{
	char err[160];

	ck_assert_msg(mb_table_check(sl_logger_regs, sl_n_logger_regs, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_msg(mb_table_check(sl_meter_regs, sl_n_meter_regs, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_msg(mb_table_check(sl_sun2000_regs, sl_n_sun2000_regs, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_msg(mb_table_check(sl_luna_regs, sl_n_luna_regs, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_msg(mb_table_check(sl_write_regs, sl_n_write_regs, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_int_eq(cfg_check_table(sl_config_keys), 0);
}
END_TEST

START_TEST(test_logger_meter)
{
	struct mb_val esn = decode(0, sl_logger_regs, sl_n_logger_regs, SL_LOGGER_ESN);

	ck_assert_double_eq(LOGGER(SL_LOGGER_LIMIT), 30000); /* 30.0 kW */
	ck_assert_double_eq(LOGGER(SL_LOGGER_CEILING), 30000);
	ck_assert_int_eq(esn.kind, MB_VAL_STRING);
	ck_assert_str_eq(esn.str, "102182345678SL3000");
	ck_assert_double_eq_tol(METER(32260), 230.12, 1e-9);
	ck_assert_double_eq_tol(METER(32264), 229.87, 1e-9);
	ck_assert_double_eq_tol(METER(32272), 4.3, 1e-9);
	ck_assert_double_eq(METER(32278), 3000);
	ck_assert_double_eq(METER(32280), -150);
	ck_assert_double_eq_tol(METER(32284), 0.985, 1e-9);
	ck_assert_double_eq(METER(32337), 947);
	ck_assert_double_eq_tol(METER(32349), 1234.56, 1e-9);
	ck_assert_double_eq_tol(METER(32357), 5678.90, 1e-9);
	ck_assert_double_eq(METER(SL_METER_STATUS), SL_METER_CONNECTED);
}
END_TEST

START_TEST(test_sun2000_luna)
{
	struct mb_val model = decode(1, sl_sun2000_regs, sl_n_sun2000_regs, SL_INV_MODEL);
	struct mb_val temp2 = decode(1, sl_luna_regs, sl_n_luna_regs, 37752);

	ck_assert_str_eq(model.str, "SUN2000-10KTL-M1");
	ck_assert_double_eq(SUN(SL_INV_RATED), 10000);
	ck_assert_double_eq_tol(SUN(SL_INV_VOLT_A), 230.1, 1e-9);
	ck_assert_double_eq_tol(SUN(32085), 50.01, 1e-9);
	ck_assert_double_eq(SUN(SL_INV_STATUS), 0x0200);
	ck_assert_double_eq_tol(SUN(32106), 12345.67, 1e-9);
	ck_assert_double_eq_tol(SUN(32114), 12.34, 1e-9);
	ck_assert_double_eq(SUN(SL_INV_ALARM1), 0);
	ck_assert_double_eq_tol(LUNA(SL_BAT_SOC), 55.0, 1e-9);
	ck_assert_double_eq_tol(LUNA(37763), 450.0, 1e-9);
	ck_assert_double_eq_tol(LUNA(SL_BAT_TEMP1), 25.5, 1e-9);
	ck_assert_int_eq(temp2.kind, MB_VAL_INVALID); /* 0x7FFF: no second unit */
	ck_assert_double_eq(LUNA(SL_BAT_CAPACITY), 10000);
	ck_assert_double_eq_tol(LUNA(37780), 1500.00, 1e-9);
	ck_assert_double_eq(LUNA(SL_BAT_PRODUCT), 2);
	ck_assert_double_eq(LUNA(SL_BAT_CFG_MAX_CHARGE), 5000);
	ck_assert_double_eq(LUNA(SL_BAT_MAX_DISCHARGE), 5000);
	ck_assert_double_eq(LUNA(SL_BAT_WORKING_MODE), SL_WORKING_MODE_SELF);
}
END_TEST

static size_t n_blocks(const struct mb_reg *regs, size_t n, uint32_t groups)
{
	struct mb_plan_params p = { .max_regs = 64, .bridge_gap = 16, .group_mask = groups };
	struct mb_block blocks[32];
	size_t nb = 0;

	ck_assert_int_eq(mb_plan(regs, n, &p, NULL, blocks, 32, &nb), 0);
	for (size_t k = 0; k < nb; k++)
		ck_assert_uint_le(blocks[k].count, 64);
	return nb;
}

/* Requests per poll cycle: what the bench multiplies by the number of inverters. */
START_TEST(test_plan)
{
	ck_assert_uint_eq(n_blocks(sl_logger_regs, sl_n_logger_regs, 1u << SL_FAST), 1);
	ck_assert_uint_eq(n_blocks(sl_meter_regs, sl_n_meter_regs, 1u << SL_FAST), 3);
	ck_assert_uint_eq(n_blocks(sl_sun2000_regs, sl_n_sun2000_regs, 1u << SL_FAST), 2);
	ck_assert_uint_eq(n_blocks(sl_luna_regs, sl_n_luna_regs, 1u << SL_FAST), 2);
	ck_assert_uint_eq(n_blocks(sl_sun2000_regs, sl_n_sun2000_regs, 1u << SL_SLOW), 1);
	ck_assert_uint_eq(n_blocks(sl_luna_regs, sl_n_luna_regs, 1u << SL_SLOW), 3);
}
END_TEST

static void encode(uint16_t addr, double v, uint16_t hi, uint16_t lo)
{
	int k = mb_table_find(sl_write_regs, sl_n_write_regs, MB_HOLDING, addr);
	uint16_t w[2] = { 0xdead, 0xdead };

	ck_assert_int_ge(k, 0);
	ck_assert_int_eq(mb_encode(&sl_write_regs[k], v, MB_WORDS_HIGH_FIRST, w), 0);
	if (mb_reg_width(&sl_write_regs[k]) == 2) {
		ck_assert_uint_eq(w[0], hi);
		ck_assert_uint_eq(w[1], lo);
	} else {
		ck_assert_uint_eq(w[0], lo);
	}
}

/* Control writes: 0.1 kW steps for 40420, W for the forcible powers, high word first. */
START_TEST(test_encode)
{
	uint16_t w[2];
	int k = mb_table_find(sl_write_regs, sl_n_write_regs, MB_HOLDING, SL_BAT_PERIOD);

	encode(SL_LOGGER_LIMIT, 5000, 0x0000, 0x0032);
	encode(SL_LOGGER_LIMIT, 300000, 0x0000, 0x0BB8);
	encode(SL_BAT_DISCHARGE_POWER, 1500, 0x0000, 0x05DC);
	encode(SL_BAT_CHARGE_POWER, 70000, 0x0001, 0x1170);
	encode(SL_BAT_PERIOD, 5, 0, 5);
	encode(SL_BAT_COMMAND, 2, 0, 2);
	ck_assert_int_eq(mb_encode(&sl_write_regs[k], 0, MB_WORDS_HIGH_FIRST, w), -ERANGE);
}
END_TEST

START_TEST(test_alarm_status_tables)
{
	for (size_t i = 0; i < sl_n_alarm_bits; i++) {
		ck_assert_uint_le(sl_alarm_bits[i].word, 2);
		ck_assert_uint_le(sl_alarm_bits[i].bit, 15);
		ck_assert(sl_alarm_bits[i].level == 1 || sl_alarm_bits[i].level == 2);
		for (size_t j = 0; j < i; j++)
			ck_assert(sl_alarm_bits[j].word != sl_alarm_bits[i].word ||
				  sl_alarm_bits[j].bit != sl_alarm_bits[i].bit);
	}
	for (size_t i = 1; i < sl_n_status_map; i++)
		ck_assert_uint_gt(sl_status_map[i].lo, sl_status_map[i - 1].hi);
	ck_assert_int_eq(sl_status_lookup(sl_status_map, sl_n_status_map, 0xA000)->status_code, 8);
	ck_assert_int_eq(sl_status_lookup(sl_status_map, sl_n_status_map, 0x0200)->status_code, 7);
}
END_TEST

/* Every register an aggregation names is read by its table. */
START_TEST(test_aggs_in_tables)
{
	for (size_t i = 0; i < sl_n_pv_aggs; i++)
		ck_assert_int_ge(mb_table_find(sl_sun2000_regs, sl_n_sun2000_regs, MB_HOLDING,
					       sl_pv_aggs[i].addr),
				 0);
	for (size_t i = 0; i < sl_n_battery_aggs; i++)
		ck_assert_int_ge(mb_table_find(sl_luna_regs, sl_n_luna_regs, MB_HOLDING,
					       sl_battery_aggs[i].addr),
				 0);
	for (size_t i = 0; i < sl_n_meter_rules; i++)
		ck_assert_int_ge(mb_table_find(sl_meter_regs, sl_n_meter_regs, MB_HOLDING,
					       sl_meter_rules[i].addr),
				 0);
}
END_TEST

/* The doc's key table is what --config-reference prints (between the two markers). */
START_TEST(test_doc_config_table)
{
	const char *profile = slsim_default_profile();
	const char *tail = "tests/sim/profiles/smartlogger.regs";
	g_autofree char *top = g_strndup(profile, strlen(profile) - strlen(tail));
	g_autofree char *path = g_strdup_printf("%sdoc/drivers/smartlogger.rst", top);
	g_autofree char *doc = NULL, *printed = NULL;
	char *begin, *end;
	size_t len = 0;
	FILE *f = open_memstream(&printed, &len);

	cfg_print_rst(sl_config_keys, f);
	fclose(f);
	ck_assert_msg(g_file_get_contents(path, &doc, NULL, NULL), "%s", path);
	begin = strstr(doc, ".. config-reference-begin\n\n");
	end = strstr(doc, "\n.. config-reference-end");
	ck_assert(begin && end && end > begin);
	begin += strlen(".. config-reference-begin\n\n");
	*end = '\0';
	ck_assert_str_eq(g_strchomp(begin), g_strchomp(printed));
	free(printed);
	printed = NULL;
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smartlogger-regs");
	TCase *tc = tcase_create("regs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tables_lint);
	tcase_add_test(tc, test_logger_meter);
	tcase_add_test(tc, test_sun2000_luna);
	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_alarm_status_tables);
	tcase_add_test(tc, test_aggs_in_tables);
	tcase_add_test(tc, test_doc_config_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
