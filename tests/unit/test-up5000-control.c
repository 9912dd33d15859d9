/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-control.c - the UP5000 charge controller with a fake clock: DVCC and BMS limits
 * to equalize/boost/float/boost-reconnect and low-voltage disconnect/reconnect, written in an
 * order that keeps the device's constraints after every single write, through the EEPROM guard
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "drivers/up5000/up5000-control.h"
#include "check-run.h"

#define S(x) ((int64_t)((x)*1000000.0))

static struct upc_config cfg;
static struct upc_state st;
static struct upc_inputs in;
static struct upc_output out;

/* The simulated device: read back what was written. */
static void device_reset(void)
{
	in.dev = (struct upc_device){
		.reg = { [UPC_ECV] = 55.2,
			 [UPC_BCV] = 55.2,
			 [UPC_FCV] = 55.2,
			 [UPC_BVR] = 55.1,
			 [UPC_LVR] = 51.5,
			 [UPC_LVD] = 50.5,
			 [UPC_CURRENT] = 80 },
		.clv = 58.4,
		.ovd = 60.0,
		.dlv = 48.0,
	};
}

/* The device compares raw register values (0.01 V). */
static long raw(double v)
{
	return lround(v * 100);
}

static bool constraints_hold(const struct upc_device *d)
{
	long r[UPC_N_REGS];

	for (unsigned int k = 0; k < UPC_N_REGS; k++)
		r[k] = raw(d->reg[k]);
	return raw(d->ovd) > raw(d->clv) && raw(d->clv) >= r[UPC_ECV] && r[UPC_ECV] >= r[UPC_BCV] &&
	       r[UPC_BCV] >= r[UPC_FCV] && r[UPC_FCV] > r[UPC_BVR] && r[UPC_LVR] > r[UPC_LVD] &&
	       r[UPC_LVD] >= raw(d->dlv);
}

/* Apply the writes one by one, checking the constraints after each. */
static void apply(void)
{
	for (size_t i = 0; i < out.n_writes; i++) {
		in.dev.reg[out.writes[i].reg] = out.writes[i].value;
		ck_assert_msg(constraints_hold(&in.dev), "constraint broken after write %zu (%s)",
			      i, upc_reg_name(out.writes[i].reg));
	}
}

static void step_at(double t)
{
	in.now = S(t);
	upc_step(&cfg, &st, &in, &out);
	apply();
}

static void setup(void)
{
	cfg = (struct upc_config){
		.enabled = true,
		.control_current = true,
		.timeout = S(60),
		.fallback_voltage = 54.4,
		.fallback_current = -1,
		.min_voltage = 48,
		.max_voltage = 58.4,
		.current_limit = 80,
		.bvr_offset = 0.1,
		.lvd = 50.5,
		.lvd_stop = 52.6,
		.lvr_offset = 1.0,
		.voltage_step = 0.1,
		.current_step = 1,
		.write_interval = S(600),
		.daily_budget = 48,
	};
	device_reset();
	in.bms_max_charge_voltage = NAN;
	in.bms_max_discharge_current = NAN;
	upc_init(&st, &cfg, S(0));
}

static void expect_writes(const enum upc_reg *regs, const double *values, size_t n)
{
	ck_assert_int_eq(out.n_writes, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(out.writes[i].reg, regs[i]);
		ck_assert_double_eq_tol(out.writes[i].value, values[i], 1e-9);
	}
}

START_TEST(test_start_grace)
{
	for (double t = 0; t < 59.9; t += 3) {
		step_at(t);
		ck_assert_int_eq(out.n_writes, 0);
		ck_assert_int_eq(out.voltage_source, UPC_SOURCE_DEVICE);
		ck_assert(isnan(out.charge_voltage));
	}
	/* nobody wrote a limit for the timeout: the fallback applies (lower: safer) */
	step_at(60);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_FALLBACK);
	expect_writes((enum upc_reg[]){ UPC_BVR, UPC_FCV, UPC_BCV, UPC_ECV },
		      (double[]){ 54.3, 54.4, 54.4, 54.4 }, 4);
}
END_TEST

START_TEST(test_raise_order)
{
	upc_set_link_voltage(&st, 56.0, S(1));
	step_at(1);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_DVCC);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE);
	ck_assert(!out.safer[UPC_CHANGE_VOLTAGE]);
	/* going up: the highest first */
	expect_writes((enum upc_reg[]){ UPC_ECV, UPC_BCV, UPC_FCV, UPC_BVR },
		      (double[]){ 56.0, 56.0, 56.0, 55.9 }, 4);
	ck_assert_int_eq(upc_writes_today(&st, S(1)), 1);
}
END_TEST

START_TEST(test_lower_order)
{
	upc_set_link_voltage(&st, 54.0, S(1));
	step_at(1);
	ck_assert(out.safer[UPC_CHANGE_VOLTAGE]);
	/* going down: the lowest first */
	expect_writes((enum upc_reg[]){ UPC_BVR, UPC_FCV, UPC_BCV, UPC_ECV },
		      (double[]){ 53.9, 54.0, 54.0, 54.0 }, 4);
}
END_TEST

/* DVCC rewrites the same value every 3 s: one write, ever. */
START_TEST(test_same_value_100_times)
{
	size_t writes = 0;

	for (int i = 0; i < 100; i++) {
		upc_set_link_voltage(&st, 56.0, S(1 + 3 * i));
		step_at(1 + 3 * i);
		writes += out.n_writes ? 1 : 0;
	}
	ck_assert_int_eq(writes, 1);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_SKIP_SAME);
	ck_assert_int_eq(upc_writes_today(&st, S(300)), 1);
}
END_TEST

/* Before the device reads back the write, the interval holds a repeat off. */
START_TEST(test_no_repeat_before_readback)
{
	struct upc_device before = in.dev;

	upc_set_link_voltage(&st, 56.0, S(1));
	step_at(1);
	ck_assert_int_eq(out.n_writes, 4);
	in.dev = before; /* not read back yet */
	step_at(2);
	ck_assert_int_eq(out.n_writes, 0);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_SKIP_RATE);
}
END_TEST

/* Within the step: nothing to write; a raise within the interval waits, a cut does not. */
START_TEST(test_step_and_interval)
{
	upc_set_link_voltage(&st, 55.25, S(1));
	step_at(1);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_SKIP_SAME);
	upc_set_link_voltage(&st, 56.0, S(2));
	step_at(2);
	ck_assert_int_eq(out.n_writes, 4);
	upc_set_link_voltage(&st, 56.4, S(10));
	step_at(10);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_SKIP_RATE);
	ck_assert_int_eq(out.n_writes, 0);
	upc_set_link_voltage(&st, 55.0, S(20));
	step_at(20);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE); /* safer */
	upc_set_link_voltage(&st, 56.4, S(619));
	step_at(619); /* the safer write restarted the interval */
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_SKIP_RATE);
	upc_set_link_voltage(&st, 56.4, S(620));
	step_at(620);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE); /* interval over */
}
END_TEST

START_TEST(test_daily_budget)
{
	double v = 55.2;

	cfg.daily_budget = 3;
	cfg.write_interval = -1; /* no interval: the budget alone */
	upc_init(&st, &cfg, S(0));
	for (int i = 0; i < 3; i++) {
		v += 0.5;
		upc_set_link_voltage(&st, v, S(1 + i));
		step_at(1 + i);
		ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE);
	}
	upc_set_link_voltage(&st, 58.0, S(5));
	step_at(5);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_SKIP_BUDGET);
	ck_assert_int_eq(out.n_writes, 0);
	upc_set_link_voltage(&st, 54.0, S(6)); /* safer: passes the budget */
	step_at(6);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE);
	/* a day later the budget is back */
	upc_set_link_voltage(&st, 58.0, S(86407));
	step_at(86407);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE);
}
END_TEST

START_TEST(test_clamp_to_device_limit)
{
	in.dev.clv = 56.0;
	upc_set_link_voltage(&st, 57.5, S(1));
	step_at(1);
	ck_assert(out.voltage_clamped);
	ck_assert_double_eq_tol(out.charge_voltage, 56.0, 1e-9);
	ck_assert_double_eq_tol(in.dev.reg[UPC_ECV], 56.0, 1e-9);
	ck_assert_int_eq(upc_check_voltage(&cfg, 58.5), -ERANGE);
	ck_assert_int_eq(upc_check_voltage(&cfg, NAN), -ERANGE);
	ck_assert_int_eq(upc_check_voltage(&cfg, 55.0), 0);
}
END_TEST

/* Without a rewrite within the timeout, the fallback. */
START_TEST(test_deadman_fallback)
{
	upc_set_link_voltage(&st, 56.0, S(1));
	step_at(1);
	step_at(60.9);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_DVCC);
	step_at(61);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_FALLBACK);
	ck_assert_int_eq(out.decision[UPC_CHANGE_VOLTAGE], EEG_WRITE); /* lower: safer */
	ck_assert_double_eq_tol(in.dev.reg[UPC_ECV], 54.4, 1e-9);
	/* DVCC is back */
	upc_set_link_voltage(&st, 55.0, S(62));
	step_at(62);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_DVCC);
}
END_TEST

/* Discharge current 0: LVD raised (reconnect first), restored later (disconnect first). */
START_TEST(test_discharge_stop)
{
	cfg.control_current = false;
	upc_set_link_voltage(&st, 55.2, S(1)); /* the device's own: nothing else to write */
	step_at(1);
	ck_assert(isnan(out.lvd)); /* nothing known: the device's own */
	upc_set_link_discharge(&st, 0, S(2));
	step_at(2);
	ck_assert(!out.discharge_allowed);
	ck_assert(out.safer[UPC_CHANGE_LOW_VOLTAGE]);
	expect_writes((enum upc_reg[]){ UPC_LVR, UPC_LVD }, (double[]){ 53.6, 52.6 }, 2);
	upc_set_link_discharge(&st, 100, S(3));
	step_at(3);
	ck_assert(out.discharge_allowed);
	ck_assert_int_eq(out.decision[UPC_CHANGE_LOW_VOLTAGE], EEG_SKIP_RATE);
	upc_set_link_voltage(&st, 55.2, S(603));
	upc_set_link_discharge(&st, 100, S(603));
	step_at(603);
	expect_writes((enum upc_reg[]){ UPC_LVD, UPC_LVR }, (double[]){ 50.5, 51.5 }, 2);
}
END_TEST

START_TEST(test_lvd_floor)
{
	cfg.lvd = 47.0;
	in.dev.reg[UPC_LVD] = 52.0;
	in.dev.reg[UPC_LVR] = 53.0;
	upc_set_link_discharge(&st, 100, S(1));
	step_at(1);
	ck_assert_double_eq_tol(out.lvd, 48.0, 1e-9); /* DLV */
}
END_TEST

START_TEST(test_follow_bms)
{
	cfg.follow_bms = true;
	in.bms_max_charge_voltage = 55.6;
	step_at(1);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_BMS);
	ck_assert_double_eq_tol(in.dev.reg[UPC_ECV], 55.6, 1e-9);
	/* DVCC asks for less: the lower wins */
	upc_set_link_voltage(&st, 55.3, S(2));
	step_at(2);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_DVCC);
	ck_assert_double_eq_tol(in.dev.reg[UPC_ECV], 55.3, 1e-9);
	in.bms_max_discharge_current = 0;
	step_at(3);
	ck_assert(!out.discharge_allowed);
	ck_assert_double_eq_tol(in.dev.reg[UPC_LVD], 52.6, 1e-9);
}
END_TEST

START_TEST(test_charge_current)
{
	upc_set_link_current(&st, 40, S(1));
	step_at(1);
	ck_assert_int_eq(out.current_source, UPC_SOURCE_DVCC);
	expect_writes((enum upc_reg[]){ UPC_CURRENT }, (double[]){ 40 }, 1);
	upc_set_link_current(&st, 200, S(700));
	step_at(700);
	ck_assert_double_eq_tol(out.charge_current, 80, 1e-9); /* the charger's limit */
	cfg.control_current = false;
	upc_set_link_current(&st, 10, S(1400));
	step_at(1400);
	ck_assert_int_eq(out.n_writes, 0);
	ck_assert_int_eq(out.current_source, UPC_SOURCE_DISABLED);
}
END_TEST

START_TEST(test_unknown_readback)
{
	in.dev.reg[UPC_BVR] = NAN;
	upc_set_link_voltage(&st, 56.0, S(1));
	step_at(1);
	ck_assert(!out.planned[UPC_CHANGE_VOLTAGE]);
	ck_assert_int_eq(out.n_writes, 0);
	cfg.enabled = false;
	step_at(2);
	ck_assert_int_eq(out.voltage_source, UPC_SOURCE_DISABLED);
}
END_TEST

/* Any valid device state, any target: every single write keeps the constraints. */
START_TEST(test_order_property)
{
	unsigned int seed = 1;

	cfg.write_interval = -1;
	cfg.daily_budget = 100000;
	for (int i = 0; i < 2000; i++) {
		double top = 50 + rand_r(&seed) % 800 / 100.0;

		upc_init(&st, &cfg, S(0));
		in.dev.reg[UPC_ECV] = top;
		in.dev.reg[UPC_BCV] = top - rand_r(&seed) % 50 / 100.0;
		in.dev.reg[UPC_FCV] = in.dev.reg[UPC_BCV] - rand_r(&seed) % 50 / 100.0;
		in.dev.reg[UPC_BVR] = in.dev.reg[UPC_FCV] - 0.01 - rand_r(&seed) % 300 / 100.0;
		in.dev.reg[UPC_LVD] = 48 + rand_r(&seed) % 600 / 100.0;
		in.dev.reg[UPC_LVR] = in.dev.reg[UPC_LVD] + 0.01 + rand_r(&seed) % 300 / 100.0;
		ck_assert(constraints_hold(&in.dev));
		upc_set_link_voltage(&st, 48 + rand_r(&seed) % 1040 / 100.0, S(1));
		upc_set_link_discharge(&st, rand_r(&seed) % 2 ? 0 : 100, S(1));
		step_at(1); /* asserts after each write */
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-control");
	TCase *tc = tcase_create("control");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_start_grace);
	tcase_add_test(tc, test_raise_order);
	tcase_add_test(tc, test_lower_order);
	tcase_add_test(tc, test_same_value_100_times);
	tcase_add_test(tc, test_no_repeat_before_readback);
	tcase_add_test(tc, test_step_and_interval);
	tcase_add_test(tc, test_daily_budget);
	tcase_add_test(tc, test_clamp_to_device_limit);
	tcase_add_test(tc, test_deadman_fallback);
	tcase_add_test(tc, test_discharge_stop);
	tcase_add_test(tc, test_lvd_floor);
	tcase_add_test(tc, test_follow_bms);
	tcase_add_test(tc, test_charge_current);
	tcase_add_test(tc, test_unknown_readback);
	tcase_add_test(tc, test_order_property);
	suite_add_tcase(s, tc);
	return check_run(s);
}
