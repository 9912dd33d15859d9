/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-dvcc.c - charge control from Venus against the UP5000 simulator: DVCC's
 * /Link/ChargeVoltage, /Link/ChargeCurrent and the Multi's /BatteryOperationalLimits, or a
 * followed BMS, into the settings registers, in an order the device accepts, through the
 * EEPROM guard; what the simulator logs as written is the truth
 */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/up5000-sim-fixture.h"
#include "check-run.h"

static struct upfx f;

static void setup(void)
{
	upfx_setup(&f, 0);
}

static void setup_bms(void)
{
	upfx_setup(&f, UPFX_WITH_BMS);
}

static void teardown(void)
{
	upfx_teardown(&f);
}

static void expect_writes(size_t from, const uint16_t *addrs, size_t n)
{
	uint16_t got[64];
	size_t k = upfx_write_addrs(&f, from, got, 64);

	ck_assert_int_eq(k, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == addrs[i], "write %zu: 0x%04x, expected 0x%04x", i, got[i],
			      addrs[i]);
}

static void expect_device(const char *path, double v)
{
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_SOLAR, path, v, 0.001, UPFX_WAIT), 0);
}

static void link_voltage(double v)
{
	ck_assert_int_eq(upfx_set_double(&f, UPFX_SOLAR, "/Link/ChargeVoltage", v), 0);
}

/* DVCC writes every 3 s whether or not the value changed: one settings write, ever. */
START_TEST(test_same_value_100_times)
{
	static const uint16_t raise[] = { 0x9618, 0x9619, 0x961A, 0x961B };

	upfx_start(&f, NULL);
	for (int i = 0; i < 100; i++)
		link_voltage(56.0);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.0);
	expect_device("/Diagnostics/Device/BoostReconnectVoltage", 55.9);
	upfx_wait_cycles(&f, 5);
	expect_writes(0, raise, 4); /* one change: equalize first when raising */
	ck_assert_int_eq(upfx_get_holding(&f, 0x961A), 5600);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Diagnostics/SettingsWritesToday", 1, 0),
			 0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Diagnostics/SettingsWrites", 4, 0), 0);
	ck_assert_int_eq(
		hx_wait_string(f.cl, UPFX_SOLAR, "/Diagnostics/ChargeVoltageSource", "dvcc", 0), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Link/NetworkStatus", 1, 0), 0);
	for (int i = 0; i < 100; i++)
		link_voltage(56.0);
	upfx_wait_cycles(&f, 5);
	ck_assert_int_eq(upfx_n_writes(&f, 0), 4);
	ck_assert_int_eq(upfx_count_log(&f, "settings: charge voltage change"), 1);
}
END_TEST

START_TEST(test_lower_order)
{
	static const uint16_t lower[] = { 0x961B, 0x961A, 0x9619, 0x9618 };

	upfx_start(&f, NULL);
	link_voltage(54.0);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 54.0);
	expect_writes(0, lower, 4); /* boost reconnect first when lowering */
	ck_assert_int_eq(upfx_get_holding(&f, 0x961B), 5390);
}
END_TEST

/* A SetValue the driver refuses answers the Venus code and writes nothing. */
START_TEST(test_rejected_setvalue)
{
	struct vedbus_value s = vedbus_string("56");
	int code;

	upfx_start(&f, NULL);
	ck_assert_int_eq(upfx_set_double(&f, UPFX_SOLAR, "/Link/ChargeVoltage", 70), 2);
	ck_assert_int_eq(upfx_set_double(&f, UPFX_SOLAR, "/Link/ChargeVoltage", 12), 2);
	ck_assert_int_eq(upfx_set_double(&f, UPFX_SOLAR, "/Link/ChargeCurrent", -5), 2);
	ck_assert_int_eq(hx_set_value(f.cl, UPFX_SOLAR, "/Link/ChargeVoltage", &s, &code), 0);
	ck_assert_int_eq(code, 1);
	upfx_wait_cycles(&f, 5);
	ck_assert_int_eq(upfx_n_writes(&f, 0), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, "/Link/ChargeVoltage", 0), 0);
}
END_TEST

/* A device with a rule of its own: it refuses any write to the equalize voltage. */
static int refuse_ecv(struct mbsim *sim, int unit, uint16_t addr, const uint16_t *values,
		      uint16_t n, void *userdata)
{
	if (addr <= 0x9618 && addr + n > 0x9618)
		return 3;
	return up5000_sim_write(sim, unit, addr, values, n, userdata);
}

/* The device refuses a write: logged, counted, not retried every cycle, nothing after it. */
START_TEST(test_device_rejects)
{
	static const struct mbsim_hooks hooks = { .write = refuse_ecv };

	ck_assert_int_eq(mbsim_set_hooks(f.sim, -1, &hooks, NULL), 0);
	upfx_start(&f, NULL);
	link_voltage(56.0);
	ck_assert_int_eq(
		hx_wait_int(f.cl, UPFX_SOLAR, "/Diagnostics/SettingsRejected", 1, UPFX_WAIT), 0);
	for (int i = 0; i < 10; i++) {
		link_voltage(56.0);
		upfx_wait_cycles(&f, 1);
	}
	ck_assert_int_eq(upfx_n_writes(&f, 0), 1); /* the refused one; BCV etc. not attempted */
	ck_assert_int_eq(upfx_get_holding(&f, 0x9618), 5520);
	ck_assert_int_eq(upfx_count_log(&f, "settings: write equalize voltage = 56.00"), 1);
}
END_TEST

/* Above the device's charging limit: clamped before writing. */
START_TEST(test_clamp)
{
	const uint16_t clv = 5600;

	upfx_set(&f, false, 0x9616, &clv, 1);
	upfx_start(&f, NULL);
	expect_device("/Diagnostics/Device/ChargeLimitVoltage", 56.0);
	link_voltage(57.5);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.0);
	expect_device("/Diagnostics/ChargeVoltage", 56.0);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "limited to the device's charging "
							    "limit 56.00 V"));
}
END_TEST

/* Rewrites keep the limit alive; without them for the timeout, the fallback. */
START_TEST(test_fallback)
{
	upfx_start(&f, "[dvcc]\ntimeout = 1\n");
	for (int i = 0; i < 8; i++) {
		link_voltage(56.0);
		upfx_wait_cycles(&f, 1);
	}
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.0);
	ck_assert_int_eq(
		hx_wait_string(f.cl, UPFX_SOLAR, "/Diagnostics/ChargeVoltageSource", "dvcc", 0), 0);
	ck_assert_int_eq(hx_wait_string(f.cl, UPFX_SOLAR, "/Diagnostics/ChargeVoltageSource",
					"fallback", UPFX_WAIT),
			 0);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 54.4); /* lower: no interval */
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Link/NetworkStatus", 4, 0), 0);
}
END_TEST

/* The BMS allows no discharge: low-voltage disconnect raised, later restored. */
START_TEST(test_discharge_stop)
{
	static const uint16_t raise[] = { 0x961C, 0x961F }, lower[] = { 0x961F, 0x961C };
	const char *dcl = "/BatteryOperationalLimits/MaxDischargeCurrent";

	upfx_start(&f, "[dvcc]\nwrite_interval = 1\n");
	ck_assert_int_eq(upfx_set_double(&f, UPFX_VEBUS, dcl, 0), 0);
	expect_device("/Diagnostics/Device/LowVoltageDisconnect", 52.6);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Diagnostics/DischargeAllowed", 0, 0), 0);
	expect_writes(0, raise, 2);
	ck_assert_int_eq(upfx_get_holding(&f, 0x961C), 5360);
	ck_assert_int_eq(upfx_set_double(&f, UPFX_VEBUS, dcl, 100), 0);
	expect_device("/Diagnostics/Device/LowVoltageDisconnect", 50.5);
	expect_writes(2, lower, 2);
	ck_assert_int_eq(upfx_get_holding(&f, 0x961C), 5150);
}
END_TEST

START_TEST(test_charge_current)
{
	upfx_start(&f, NULL);
	ck_assert_int_eq(upfx_set_double(&f, UPFX_SOLAR, "/Link/ChargeCurrent", 40), 0);
	expect_device("/Diagnostics/Device/MaxChargeCurrent", 40);
	ck_assert_int_eq(upfx_n_writes(&f, 0x9609), 1);
	ck_assert_int_eq(upfx_get_holding(&f, 0x9609), 4000);
}
END_TEST

/* A rebooted device forgot the setting: written again, once the interval allows. */
START_TEST(test_reboot_rewrite)
{
	upfx_start(&f, "[dvcc]\nwrite_interval = 1\n");
	link_voltage(56.0);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.0);
	mbsim_reboot(f.sim, 300);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Connected", 0, UPFX_WAIT), 0);
	for (int i = 0; i < 40 && upfx_n_writes(&f, 0x9618) < 2; i++) {
		link_voltage(56.0);
		upfx_wait_cycles(&f, 1);
	}
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.0);
	ck_assert_int_eq(upfx_n_writes(&f, 0x9618), 2);
}
END_TEST

START_TEST(test_daily_budget)
{
	upfx_start(&f, "[dvcc]\nwrite_interval = 0\ndaily_budget = 2\n");
	link_voltage(56.0);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.0);
	link_voltage(56.5);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.5);
	link_voltage(57.0);
	upfx_wait_cycles(&f, 5);
	expect_device("/Diagnostics/Device/EqualizeVoltage", 56.5); /* budget spent */
	link_voltage(54.0);					    /* safer: passes */
	expect_device("/Diagnostics/Device/EqualizeVoltage", 54.0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Diagnostics/SettingsWritesToday", 3, 0),
			 0);
}
END_TEST

/* As the original did: the BMS's own limits, without DVCC. */
START_TEST(test_follow_bms)
{
	upfx_start(&f, "[dvcc]\nfollow_bms = yes\n");
	ck_assert_int_eq(hx_wait_string(f.cl, UPFX_SOLAR, "/Diagnostics/ChargeVoltageSource", "bms",
					UPFX_WAIT),
			 0);
	upfx_wait_cycles(&f, 3);
	ck_assert_int_eq(upfx_n_writes(&f, 0x9618), 0); /* 55.2 V: the device has it */
	upfx_bms(&f, "/Info/MaxChargeVoltage 55.6");
	expect_device("/Diagnostics/Device/EqualizeVoltage", 55.6);
	upfx_bms(&f, "/Info/MaxDischargeCurrent 0");
	expect_device("/Diagnostics/Device/LowVoltageDisconnect", 52.6);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "bms: following " UPFX_BMS));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-dvcc");
	TCase *tc = tcase_create("dvcc"), *tb = tcase_create("bms");

	if (!hx_have_program("dbus-daemon"))
		return 77;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_same_value_100_times);
	tcase_add_test(tc, test_lower_order);
	tcase_add_test(tc, test_rejected_setvalue);
	tcase_add_test(tc, test_device_rejects);
	tcase_add_test(tc, test_clamp);
	tcase_add_test(tc, test_fallback);
	tcase_add_test(tc, test_discharge_stop);
	tcase_add_test(tc, test_charge_current);
	tcase_add_test(tc, test_reboot_rewrite);
	tcase_add_test(tc, test_daily_budget);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tb, setup_bms, teardown);
	tcase_set_timeout(tb, 30);
	tcase_add_test(tb, test_follow_bms);
	suite_add_tcase(s, tb);
	return check_run(s);
}
