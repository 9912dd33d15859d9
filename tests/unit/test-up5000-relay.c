/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-relay.c - the excess-power relay decision with a fake clock: hysteresis between
 * on and off thresholds, minimum on and off times, unknown inputs, repeated commands
 */

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/up5000/up5000-relay.h"
#include "check-run.h"

#define S(x) ((int64_t)((x)*1000000.0))

static struct upr_config cfg;
static struct upr_state st;
static struct upr_output out;
static double v[UPR_N_INPUTS];

static void setup(void)
{
	cfg = (struct upr_config){ .min_on = S(60), .min_off = S(60), .refresh = S(60) };
	for (unsigned int i = 0; i < UPR_N_INPUTS; i++)
		cfg.on[i] = cfg.off[i] = NAN;
	v[UPR_SOC] = 90;
	v[UPR_BATTERY_VOLTAGE] = 54.0;
	v[UPR_PV_POWER] = 1640;
	v[UPR_PV_VOLTAGE] = 152;
	v[UPR_CELL_SPREAD] = 0.004;
	upr_init(&st, S(0));
}

static void step(double t)
{
	upr_step(&cfg, &st, v, S(t), &out);
	if (out.send)
		upr_sent(&st, S(t));
}

START_TEST(test_soc_hysteresis)
{
	cfg.on[UPR_SOC] = 98;
	cfg.off[UPR_SOC] = 95;
	step(0);
	ck_assert(!out.on);
	ck_assert(out.send); /* the first state goes out */
	v[UPR_SOC] = 98;
	step(100);
	ck_assert(out.on);
	ck_assert(out.changed);
	ck_assert_int_eq(out.reason, UPR_REASON_ON_MET);
	v[UPR_SOC] = 96; /* inside the hysteresis: stays on */
	step(200);
	ck_assert(out.on);
	ck_assert(!out.changed);
	v[UPR_SOC] = 94.9;
	step(300);
	ck_assert(!out.on);
	ck_assert_int_eq(out.reason, UPR_REASON_OFF_MET);
	ck_assert_int_eq(out.input, UPR_SOC);
	v[UPR_SOC] = 97; /* inside again: stays off */
	step(400);
	ck_assert(!out.on);
}
END_TEST

START_TEST(test_min_times)
{
	char buf[80];

	cfg.on[UPR_SOC] = 98;
	cfg.off[UPR_SOC] = 95;
	v[UPR_SOC] = 99;
	step(0); /* at start: no minimum off time to wait for */
	ck_assert(out.on);
	v[UPR_SOC] = 90;
	step(30);
	ck_assert(out.on);
	ck_assert_int_eq(out.reason, UPR_REASON_MIN_TIME);
	ck_assert_str_eq(upr_reason_text(&out, buf, sizeof(buf)), "waiting for minimum on time");
	step(60);
	ck_assert(!out.on);
	v[UPR_SOC] = 99;
	step(100);
	ck_assert(!out.on); /* off for 40 s only */
	step(120);
	ck_assert(out.on);
}
END_TEST

/* Every on condition must hold; any off condition switches off. */
START_TEST(test_all_on_any_off)
{
	cfg.min_on = cfg.min_off = 0;
	cfg.on[UPR_BATTERY_VOLTAGE] = 55.1;
	cfg.on[UPR_PV_VOLTAGE] = 250;
	cfg.on[UPR_CELL_SPREAD] = 0.005;
	cfg.off[UPR_CELL_SPREAD] = 0.010;
	cfg.off[UPR_PV_POWER] = 100;
	v[UPR_BATTERY_VOLTAGE] = 55.2;
	v[UPR_PV_VOLTAGE] = 260;
	v[UPR_CELL_SPREAD] = 0.006;
	step(0);
	ck_assert(!out.on); /* spread too wide */
	v[UPR_CELL_SPREAD] = 0.005;
	step(1);
	ck_assert(out.on);
	v[UPR_CELL_SPREAD] = 0.008; /* inside the hysteresis */
	v[UPR_PV_VOLTAGE] = 200;    /* on conditions no longer matter once on */
	step(2);
	ck_assert(out.on);
	v[UPR_PV_POWER] = 50;
	step(3);
	ck_assert(!out.on);
	ck_assert_int_eq(out.input, UPR_PV_POWER);
}
END_TEST

/* Unknown data switches off (fail safe) and never on. */
START_TEST(test_unknown)
{
	char buf[80];

	cfg.min_on = cfg.min_off = 0;
	cfg.on[UPR_SOC] = 80;
	cfg.off[UPR_SOC] = 70;
	step(0);
	ck_assert(out.on);
	v[UPR_SOC] = NAN;
	step(1);
	ck_assert(!out.on);
	ck_assert_int_eq(out.reason, UPR_REASON_NO_DATA);
	ck_assert_str_eq(upr_reason_text(&out, buf, sizeof(buf)), "soc unknown");
	step(2);
	ck_assert(!out.on);
}
END_TEST

START_TEST(test_not_configured)
{
	cfg.off[UPR_SOC] = 50;
	step(0);
	ck_assert(!out.on);
	ck_assert_int_eq(out.reason, UPR_REASON_NOT_CONFIGURED);
}
END_TEST

/* A command on every change, and again every refresh interval. */
START_TEST(test_refresh)
{
	cfg.on[UPR_SOC] = 80;
	step(0);
	ck_assert(out.send);
	step(10);
	ck_assert(!out.send);
	step(59);
	ck_assert(!out.send);
	step(60);
	ck_assert(out.send);
	upr_resend(&st); /* the broker came back */
	step(61);
	ck_assert(out.send);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-relay");
	TCase *tc = tcase_create("relay");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_soc_hysteresis);
	tcase_add_test(tc, test_min_times);
	tcase_add_test(tc, test_all_on_any_off);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_not_configured);
	tcase_add_test(tc, test_refresh);
	suite_add_tcase(s, tc);
	return check_run(s);
}
