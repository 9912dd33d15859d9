/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-faults.c - dbus-up5000-hybrid when the device misbehaves: every fault mode of the
 * simulator (silence, garbage, exceptions, a dropped reply, a reboot) makes the values invalid
 * (never 0, never stale) and /Connected 0, then the driver recovers or, after the configured
 * outage, exits; energy never goes backwards; D-Bus stays responsive meanwhile
 */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/sim/up5000-sim-fixture.h"
#include "check-run.h"

static struct upfx f;

static const char *const solar_values[] = { "/Dc/0/Voltage", "/Dc/0/Current", "/Pv/V",
					    "/Yield/Power",  "/Yield/System", "/Yield/User",
					    "/State",	     "/ErrorCode",    NULL };
static const char *const vebus_values[] = { "/Dc/0/Voltage",
					    "/Dc/0/Current",
					    "/Dc/0/Power",
					    "/Ac/Out/L1/V",
					    "/Ac/Out/L1/P",
					    "/Ac/ActiveIn/L1/V",
					    "/Ac/ActiveIn/ActiveInput",
					    "/Soc",
					    "/State",
					    "/Alarms/LowBattery",
					    NULL };

static void setup(void)
{
	upfx_setup(&f, 0);
}

static void teardown(void)
{
	upfx_teardown(&f);
}

static void expect_lost(void)
{
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Connected", 0, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_VEBUS, "/Connected", 0, UPFX_WAIT), 0);
	for (unsigned int i = 0; solar_values[i]; i++)
		ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, solar_values[i], UPFX_WAIT), 0);
	for (unsigned int i = 0; vebus_values[i]; i++)
		ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_VEBUS, vebus_values[i], UPFX_WAIT), 0);
}

static void expect_back(void)
{
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Connected", 1, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_VEBUS, "/Connected", 1, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_SOLAR, "/Dc/0/Voltage", 54.15, 0.001, UPFX_WAIT),
			 0);
	ck_assert_int_eq(
		hx_wait_double(f.cl, UPFX_SOLAR, "/Yield/Power", 1640.66, 0.001, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_VEBUS, "/Soc", 79, 0, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_VEBUS, "/State", 9, UPFX_WAIT), 0);
}

START_TEST(test_silence)
{
	upfx_start(&f, NULL);
	mbsim_fault_silence(f.sim, true);
	expect_lost();
	mbsim_fault_clear(f.sim);
	expect_back();
	ck_assert_int_eq(hx_proc_stop(f.drv, UPFX_WAIT), 0);
}
END_TEST

/* Garbage is counted every time and logged once. */
START_TEST(test_garbage)
{
	struct hx_value v;

	upfx_start(&f, NULL);
	mbsim_fault_garbage(f.sim, true);
	expect_lost();
	upfx_wait_cycles(&f, 5);
	ck_assert_int_eq(hx_get_value(f.cl, UPFX_SOLAR, "/Diagnostics/Errors", &v), 0);
	ck_assert_int_ge(v.i, 5);
	ck_assert_int_eq(hx_get_value(f.cl, UPFX_SOLAR, "/Diagnostics/LastError", &v), 0);
	ck_assert_ptr_nonnull(strstr(v.s, "read 0x"));
	ck_assert_int_eq(upfx_count_log(&f, "device: lost"), 1);
	mbsim_fault_clear(f.sim);
	expect_back();
}
END_TEST

/* The device answers every read with an exception: as good as lost. */
START_TEST(test_exception_everywhere)
{
	upfx_start(&f, NULL);
	ck_assert_int_eq(mbsim_fault_exception(f.sim, -1, 0x3400, 0x200, 4), 0);
	expect_lost();
	ck_assert_int_eq(mbsim_fault_exception(f.sim, -1, 0, 0, 4), 0);
	expect_back();
}
END_TEST

/* One block failing makes only its values invalid. */
START_TEST(test_exception_one_block)
{
	upfx_start(&f, NULL);
	ck_assert_int_eq(mbsim_fault_exception(f.sim, -1, 0x3549, 4, 4), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, "/Pv/V", UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, "/Yield/Power", UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, "/Dc/0/Current", UPFX_WAIT), 0);
	upfx_wait_cycles(&f, 2);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Connected", 1, 0), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_SOLAR, "/Dc/0/Voltage", 54.15, 0.001, 0), 0);
	ck_assert_int_eq(mbsim_fault_exception(f.sim, -1, 0, 0, 4), 0);
	expect_back();
}
END_TEST

/* A reply lost on the wire: one failed cycle, then the next one reads again. */
START_TEST(test_dropped_reply)
{
	upfx_start(&f, NULL);
	mbsim_fault_drop_after(f.sim, 2);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Connected", 0, UPFX_WAIT), 0);
	expect_back();
}
END_TEST

START_TEST(test_reboot)
{
	upfx_start(&f, NULL);
	mbsim_reboot(f.sim, 1000);
	expect_lost();
	expect_back();
}
END_TEST

/* A bounded outage, then exit: serial-starter probes the port again. */
START_TEST(test_outage_exit)
{
	int status;

	upfx_start(&f, "[link]\noutage_timeout = 1\n");
	mbsim_fault_silence(f.sim, true);
	ck_assert_int_eq(hx_proc_wait_exit(f.drv, UPFX_WAIT, &status), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_int_eq(hx_wait_name(f.cl, UPFX_SOLAR, false, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_name(f.cl, UPFX_VEBUS, false, UPFX_WAIT), 0);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "device lost for 1 s, exiting"));
}
END_TEST

START_TEST(test_energy_across_reconnect)
{
	const uint16_t lower[2] = { 100, 0 }, higher[2] = { 0xEA60, 0 }; /* 1.00, 600.00 kWh */

	upfx_start(&f, NULL);
	mbsim_fault_silence(f.sim, true);
	ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, "/Yield/System", UPFX_WAIT), 0);
	upfx_set(&f, true, 0x3557, lower, 2); /* e.g. a replaced or reset device */
	mbsim_fault_clear(f.sim);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/Connected", 1, UPFX_WAIT), 0);
	upfx_wait_cycles(&f, 4);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_SOLAR, "/Yield/System", 535.61, 0.001, 0), 0);
	upfx_set(&f, true, 0x3557, higher, 2);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_SOLAR, "/Yield/System", 600, 0.001, UPFX_WAIT),
			 0);
}
END_TEST

/* The device's silence never reaches D-Bus: GetValue answers at once. */
START_TEST(test_responsive_while_silent)
{
	struct hx_value v;
	int64_t worst = 0;

	upfx_start(&f, "[link]\nresponse_timeout = 2\n");
	mbsim_fault_silence(f.sim, true);
	for (int i = 0; i < 50; i++) {
		int64_t t0 = hx_now_ms();

		ck_assert_int_eq(hx_get_value(f.cl, UPFX_SOLAR, "/Dc/0/Voltage", &v), 0);
		worst = MAX(worst, hx_now_ms() - t0);
	}
	ck_assert_int_lt(worst, hx_scale_ms(200)); /* the figure (p99 < 5 ms) is in make bench */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-faults");
	TCase *tc = tcase_create("faults");

	if (!hx_have_program("dbus-daemon"))
		return 77;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_silence);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_exception_everywhere);
	tcase_add_test(tc, test_exception_one_block);
	tcase_add_test(tc, test_dropped_reply);
	tcase_add_test(tc, test_reboot);
	tcase_add_test(tc, test_outage_exit);
	tcase_add_test(tc, test_energy_across_reconnect);
	tcase_add_test(tc, test_responsive_while_silent);
	suite_add_tcase(s, tc);
	return check_run(s);
}
