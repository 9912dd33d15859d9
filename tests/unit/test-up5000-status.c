/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-status.c - the UP5000 status bit fields as Venus states, error codes, alarms and
 * log texts, and the solar charger history kept by the driver (fake clock, fake days)
 */

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "drivers/up5000/up5000-history.h"
#include "drivers/up5000/up5000-status.h"
#include "check-run.h"

static struct ups_status decode(int acc, int load, int pv, int batt, double vbat)
{
	struct ups_inputs in = { .raw = { acc, load, pv, batt },
				 .battery_voltage = vbat,
				 .boost_voltage = 55.2,
				 .grid_voltage = 239.67 };
	struct ups_status st;

	ups_decode(&in, &st);
	return st;
}

START_TEST(test_solar_states)
{
	ck_assert_int_eq(decode(1, 1, 0x0009, 0, 54.15).solar_state, 3); /* boost, below */
	ck_assert_int_eq(decode(1, 1, 0x0009, 0, 55.1).solar_state, 4);	 /* boost, at BCV */
	ck_assert_int_eq(decode(1, 1, 0x0005, 0, 54.0).solar_state, 5);	 /* float */
	ck_assert_int_eq(decode(1, 1, 0x000D, 0, 54.0).solar_state, 7);	 /* equalize */
	ck_assert_int_eq(decode(1, 1, 0x0000, 0, 54.0).solar_state, 0);	 /* standby */
	ck_assert_int_eq(decode(1, 1, 0x0003, 0, 54.0).solar_state, 2);	 /* fault */
	ck_assert_int_eq(decode(1, 1, -1, 0, 54.0).solar_state, -1);	 /* unknown */
	ck_assert_int_eq(decode(1, 1, 0x0009, 0, 54.15).mpp_mode, 2);
	ck_assert_int_eq(decode(1, 1, 0x0005, 0, 54.15).mpp_mode, 1);
	ck_assert_int_eq(decode(1, 1, 0x0000, 0, 54.15).mpp_mode, 0);
}
END_TEST

START_TEST(test_solar_errors)
{
	ck_assert_int_eq(decode(1, 1, 0x8003, 0, 54).solar_error, 33);
	ck_assert_int_eq(decode(1, 1, 0x0403, 0, 54).solar_error, 34);
	ck_assert_int_eq(decode(1, 1, 0x0001, 1, 54).solar_error, 2);
	ck_assert_int_eq(decode(1, 1, 0x0013, 0, 54).solar_error, 201);
	ck_assert_int_eq(decode(1, 1, 0x0003, 0, 54).solar_error, 200);
	ck_assert_int_eq(decode(1, 1, 0x0009, 0, 54).solar_error, 0);
	ck_assert_int_eq(decode(1, 1, 0x0009, -1, 54).solar_error, -1);
}
END_TEST

START_TEST(test_vebus_states)
{
	ck_assert_int_eq(decode(0x0001, 0x0001, 0, 0, 54).vebus_state, 9); /* inverting */
	ck_assert_int_eq(decode(0x0009, 0x0001, 0, 0, 54).vebus_state, 3); /* AC boost */
	ck_assert_int_eq(decode(0x0005, 0x0000, 0, 0, 54).vebus_state, 5); /* AC float */
	ck_assert_int_eq(decode(0x0000, 0x0000, 0, 0, 54).vebus_state, 8); /* grid: passthru */
	ck_assert_int_eq(decode(0xC000, 0x0000, 0, 0, 54).vebus_state, 0); /* no grid, off */
	ck_assert_int_eq(decode(0x0001, 0x0003, 0, 0, 54).vebus_state, 2); /* load fault */
	ck_assert_int_eq(decode(0xC000, 0x0001, 0, 0, 54).active_input, 240);
	ck_assert_int_eq(decode(0x0001, 0x0001, 0, 0, 54).active_input, 0);
	ck_assert_int_eq(decode(-1, 0x0001, 0, 0, 54).vebus_state, -1);
}
END_TEST

START_TEST(test_alarms)
{
	struct ups_status st = decode(0x0200, 0x3881, 0x0010, 0x0013, 54);

	ck_assert_int_eq(st.alarm[UPS_ALARM_LOW_BATTERY], 2);	   /* over-discharge */
	ck_assert_int_eq(st.alarm[UPS_ALARM_HIGH_TEMPERATURE], 2); /* battery, heat sink */
	ck_assert_int_eq(st.alarm[UPS_ALARM_OVERLOAD], 2);	   /* overload + short */
	ck_assert_int_eq(st.alarm[UPS_ALARM_HIGH_DC_CURRENT], 2);
	ck_assert_int_eq(st.alarm[UPS_ALARM_SHORT_CIRCUIT], 2);
	ck_assert_int_eq(st.alarm[UPS_ALARM_HIGH_DC_VOLTAGE], 0);
	st = decode(1, 1, 0, 2, 54);
	ck_assert_int_eq(st.alarm[UPS_ALARM_LOW_BATTERY], 1); /* under-voltage: warning */
	st = decode(1, 1, 0, -1, 54);
	ck_assert_int_eq(st.alarm[UPS_ALARM_LOW_BATTERY], -1);
	ck_assert_str_eq(ups_alarm_path(UPS_ALARM_LOW_BATTERY), "/Alarms/LowBattery");
}
END_TEST

START_TEST(test_describe)
{
	char buf[200];

	/* the README's log: 9 is "running" and D3-D2 = 2, boost in the vendor table */
	ck_assert_str_eq(ups_describe(UPS_PV, 0x0009, buf, sizeof(buf)), "0x0009: running, boost");
	ck_assert_str_eq(ups_describe(UPS_ACC, 0x0001, buf, sizeof(buf)), "0x0001: running");
	ck_assert_str_eq(ups_describe(UPS_BATT, 0x0000, buf, sizeof(buf)), "0x0000: normal");
	ck_assert_str_eq(ups_describe(UPS_LOAD, 0x4002, buf, sizeof(buf)),
			 "0x4002: standby, fault, input voltage low");
}
END_TEST

static void sample(struct uph *h, int day, int64_t t_s, double yield, double p, double vbat,
		   int state)
{
	struct uph_sample s = { .day = day,
				.now = t_s * 1000000,
				.yield_total = yield,
				.pv_power = p,
				.pv_voltage = 150,
				.battery_voltage = vbat,
				.charge_current = p / vbat,
				.state = state };

	uph_update(h, &s);
}

START_TEST(test_history)
{
	struct uph h;

	uph_init(&h);
	sample(&h, 100, 0, 535.61, 1000, 54.0, UPH_STATE_BULK);
	for (int i = 1; i <= 120; i++)
		sample(&h, 100, i, 535.61 + i * 0.01, 1000 + i, 54.0 + i * 0.01, UPH_STATE_BULK);
	ck_assert_double_eq_tol(h.today.yield, 1.2, 1e-9);
	ck_assert_double_eq_tol(h.today.max_power, 1120, 1e-9);
	ck_assert_double_eq_tol(h.today.min_battery_voltage, 54.0, 1e-9);
	ck_assert_double_eq_tol(h.today.minutes_bulk, 2.0, 1e-9);
	/* a gap (device lost) does not count as time in bulk */
	sample(&h, 100, 500, 536.81, NAN, NAN, UPH_STATE_BULK);
	ck_assert_double_eq_tol(h.today.minutes_bulk, 2.0, 1e-9);
	/* a new day starts from the total at that moment; overall extremes stay */
	sample(&h, 101, 501, 537.00, 10, 53.0, UPH_STATE_FLOAT);
	ck_assert_double_eq_tol(h.today.yield, 0, 1e-9);
	ck_assert_double_eq_tol(h.today.max_power, 10, 1e-9);
	ck_assert_double_eq_tol(h.overall_min_battery_voltage, 53.0, 1e-9);
	ck_assert_double_eq_tol(h.overall_max_battery_voltage, 55.2, 1e-9);
	sample(&h, 101, 531, 537.50, 10, 53.0, UPH_STATE_FLOAT);
	ck_assert_double_eq_tol(h.today.minutes_float, 31 / 60.0, 1e-9); /* 500..531 s */
	ck_assert_double_eq_tol(h.today.yield, 0.5, 1e-9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-status");
	TCase *tc = tcase_create("status");

	tcase_add_test(tc, test_solar_states);
	tcase_add_test(tc, test_solar_errors);
	tcase_add_test(tc, test_vebus_states);
	tcase_add_test(tc, test_alarms);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_history);
	suite_add_tcase(s, tc);
	return check_run(s);
}
