/* SPDX-License-Identifier: MIT */
/*
 * test-smartlogger-control.c - LUNA2000 dispatch through /Control/... on a simulated plant:
 * the forcible write sequence and its order, the split by battery limits, clamping, keep-alive,
 * timeout fallback, hold, self-consumption, kill -9 (the device's own period ends it), SIGTERM
 * (STOP and working mode 2), refused SetValues, refused writes (0x80, 0x02)
 */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/sim/smartlogger-sim-fixture.h"

static struct slf f;

static void setup(void)
{
	struct slsim_config sc = SLSIM_CONFIG_DEFAULT;

	sc.n_inverters = 2;
	sc.n_batteries = 2;
	sc.minute_ms = 1000; /* forcible_period = 1 "minute" lasts 1 s */
	slf_start(&f, &sc);
}

static void teardown(void)
{
	slf_stop(&f);
}

/* The writes of @unit from log index @i on, in order, are @addrs = @values. */
static void assert_sequence(size_t i, int unit, const uint16_t *addrs, const long *values, size_t n)
{
	struct mbsim_write w;

	for (size_t k = 0; k < n; i++) {
		ck_assert_int_eq(mbsim_write_get(slsim_mbsim(f.sim), i, &w), 0);
		if (w.unit != unit)
			continue;
		ck_assert_int_eq(w.addr, addrs[k]);
		ck_assert_int_eq(slf_value(&f, i), values[k]);
		ck_assert_int_eq(w.function, 0x10);
		k++;
	}
}

/* The documented forcible sequence for @unit, starting at or after @from. */
static size_t assert_force(size_t from, int unit, int cmd, long watts)
{
	const uint16_t addrs[] = { cmd == 1 ? 47247 : 47249, 47083, 47246, 47100 };
	const long values[] = { watts, 1, 0, cmd };
	long i = slf_wait_write(&f, unit, addrs[0], watts, from, SLF_WAIT);

	ck_assert_int_ge(i, 0);
	ck_assert_int_ge(slf_wait_write(&f, unit, 47100, cmd, (size_t)i, SLF_WAIT), i);
	assert_sequence((size_t)i, unit, addrs, values, 4);
	return (size_t)i;
}

static void battery_mode(int mode, double setpoint)
{
	ck_assert_int_eq(slf_set_double(&f, SLF_BATTERY, "/Control/BatteryPowerSetpoint", setpoint),
			 0);
	ck_assert_int_eq(slf_set_int(&f, SLF_BATTERY, "/Control/Mode", mode), 0);
}

START_TEST(test_discharge_sequence)
{
	struct slsim_unit_state st;

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -3000);
	assert_force(0, 1, 2, 1500);
	assert_force(0, 2, 2, 1500);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Control/ActiveMode", 1, SLF_WAIT), 0);
	ck_assert_int_eq(
		hx_wait_double(f.cl, SLF_BATTERY, "/Control/AppliedPower", -3000, 0.5, SLF_WAIT),
		0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_BATTERY, "/Dc/0/Power", -3000, 2, SLF_WAIT), 0);
	ck_assert_int_eq(slsim_unit_state(f.sim, 2, &st), 0);
	ck_assert(st.forcing && st.command == 2);
}
END_TEST

/* Shares follow each unit's limit (min of 37046 and 47075). */
START_TEST(test_charge_split)
{
	const uint16_t limit[2] = { 0, 2000 };

	ck_assert_int_eq(mbsim_set(slsim_mbsim(f.sim), 2, MBSIM_HOLDING, 47075, limit, 2), 0);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(
		hx_wait_double(f.cl, SLF_BATTERY, "/Control/MaxChargePower", 7000, 0.5, SLF_WAIT),
		0);
	battery_mode(1, 3500);
	assert_force(0, 1, 1, 2500);
	assert_force(0, 2, 1, 1000);
}
END_TEST

/* Clamped to the configured battery rated power, then to the devices' limits. */
START_TEST(test_clamp)
{
	slf_driver(&f, "plant: battery_rated_power = 6000", NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -20000);
	assert_force(0, 1, 2, 3000);
	assert_force(0, 2, 2, 3000);
	ck_assert_int_eq(
		hx_wait_double(f.cl, SLF_BATTERY, "/Control/AppliedPower", -6000, 0.5, SLF_WAIT),
		0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_BATTERY, "/Control/MaxDischargePower", 6000, 0.5,
					SLF_WAIT),
			 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "limit rated power", SLF_WAIT), 0);
}
END_TEST

START_TEST(test_clamp_device)
{
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, 30000);
	assert_force(0, 1, 1, 5000);
	assert_force(0, 2, 1, 5000);
	ck_assert_int_eq(
		hx_wait_double(f.cl, SLF_BATTERY, "/Control/AppliedPower", 10000, 0.5, SLF_WAIT),
		0);
}
END_TEST

/* An unchanged command is written again every keep-alive interval, whole sequence. */
START_TEST(test_keepalive)
{
	size_t first;

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -2000);
	first = assert_force(0, 1, 2, 1000);
	ck_assert_int_eq(slf_set_int(&f, SLF_BATTERY, "/Control/Mode", 1), 0); /* keep-alive */
	assert_force(first + 1, 1, 2, 1000);
}
END_TEST

/* Not refreshed within /Control/Timeout: back to self-consumption, STOP written. */
START_TEST(test_timeout_fallback)
{
	struct slsim_unit_state st;
	long i;

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -2000);
	i = (long)assert_force(0, 1, 2, 1000);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Control/ActiveMode", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "control: autonomous (timeout)", SLF_WAIT), 0);
	ck_assert_int_ge(slf_wait_write(&f, 1, 47100, 0, (size_t)i, SLF_WAIT), 0);
	ck_assert_int_ge(slf_wait_write(&f, 2, 47100, 0, (size_t)i, SLF_WAIT), 0);
	ck_assert_int_eq(slsim_unit_state(f.sim, 1, &st), 0);
	ck_assert_int_eq(st.command, 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_BATTERY, "/Control/AppliedPower", SLF_WAIT), 0);
}
END_TEST

/* Hold: forcible discharge at 0 W. */
START_TEST(test_hold)
{
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	ck_assert_int_eq(slf_set_int(&f, SLF_BATTERY, "/Control/Mode", 3), 0);
	assert_force(0, 1, 2, 0);
	assert_force(0, 2, 2, 0);
	ck_assert_int_eq(
		hx_wait_double(f.cl, SLF_BATTERY, "/Control/AppliedPower", 0, 0.01, SLF_WAIT), 0);
}
END_TEST

/* Autonomous: working mode 2 where it reads otherwise, and only there. */
START_TEST(test_self_consumption_mode)
{
	ck_assert_int_eq(slsim_set_working_mode(f.sim, 1, 5), 0);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_ge(slf_wait_write(&f, 1, 47086, 2, 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Battery/1/WorkingMode", 2, SLF_WAIT), 0);
	slf_wait_requests(&f, 30);
	ck_assert_uint_eq(slf_count_writes(&f, 1, 47086, 0), 1);
	ck_assert_uint_eq(slf_count_writes(&f, 2, 0, 0), 0);
	ck_assert_uint_eq(slf_count_writes(&f, 1, 47100, 0), 0);
}
END_TEST

/* kill -9 while forcing: nothing more is written; the LUNA2000's period ends it. */
START_TEST(test_kill9_period_ends)
{
	struct slsim_unit_state st;
	int32_t power, cmd;
	size_t n;

	slsim_set_load(f.sim, 3000);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -2000);
	assert_force(0, 1, 2, 1000);
	assert_force(0, 2, 2, 1000);
	ck_assert_int_eq(hx_proc_kill(f.drv, SIGKILL), 0);
	ck_assert_int_eq(hx_proc_wait_exit(f.drv, SLF_WAIT, NULL), 0);
	n = slf_n_writes(&f);
	ck_assert_int_eq(slsim_unit_state(f.sim, 1, &st), 0);
	ck_assert(st.forcing);
	ck_assert_int_eq(slsim_wait_period_end(f.sim, 1, (unsigned int)hx_scale_ms(3000)), 0);
	ck_assert_int_eq(slsim_wait_period_end(f.sim, 2, (unsigned int)hx_scale_ms(3000)), 0);
	ck_assert_int_eq(slsim_unit_state(f.sim, 1, &st), 0);
	ck_assert(!st.forcing);
	ck_assert_int_eq(st.working_mode, 2); /* back to maximise self-consumption */
	ck_assert_uint_eq(slf_n_writes(&f), n);
	/* as a Modbus client sees it: no command, the battery covers half the 3 kW load */
	ck_assert_int_eq(slf_read(&f, 1, 47100, 1, &cmd), 0);
	ck_assert_int_eq(cmd, 0);
	ck_assert_int_eq(slf_read(&f, 1, 37765, 2, &power), 0);
	ck_assert_int_eq(power, -1500);
}
END_TEST

/* SIGTERM: STOP on every battery and working mode 2 restored, then a clean exit. */
START_TEST(test_sigterm)
{
	struct slsim_unit_state st;
	size_t n;

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -2000);
	assert_force(0, 1, 2, 1000);
	ck_assert_int_eq(slsim_set_working_mode(f.sim, 1, 5), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Battery/1/WorkingMode", 5, SLF_WAIT), 0);
	n = slf_n_writes(&f);
	ck_assert_int_eq(hx_proc_stop(f.drv, SLF_WAIT), 0);
	ck_assert_int_ge(slf_wait_write(&f, 1, 47100, 0, n, 0), 0);
	ck_assert_int_ge(slf_wait_write(&f, 2, 47100, 0, n, 0), 0);
	ck_assert_int_ge(slf_wait_write(&f, 1, 47086, 2, n, 0), 0);
	ck_assert_uint_eq(slf_count_writes(&f, 2, 47086, n), 0);
	ck_assert_int_eq(slsim_unit_state(f.sim, 1, &st), 0);
	ck_assert(!st.forcing && st.working_mode == 2);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "stopped: batteries left in"));
}
END_TEST

/* Wrong types and impossible modes: the Venus codes, nothing stored, nothing written. */
START_TEST(test_setvalue_rejected)
{
	struct vedbus_value s = vedbus_string("discharge"), half = vedbus_double(1.5);
	int code = -1;

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	ck_assert_int_eq(hx_set_value(f.cl, SLF_BATTERY, "/Control/Mode", &s, &code), 0);
	ck_assert_int_eq(code, 1);
	ck_assert_int_eq(hx_set_value(f.cl, SLF_BATTERY, "/Control/Mode", &half, &code), 0);
	ck_assert_int_eq(code, 1);
	ck_assert_int_eq(
		hx_set_value(f.cl, SLF_BATTERY, "/Control/BatteryPowerSetpoint", &s, &code), 0);
	ck_assert_int_eq(code, 1);
	ck_assert_int_eq(slf_set_int(&f, SLF_BATTERY, "/Control/Mode", 2), 2); /* no grid mode */
	ck_assert_int_eq(slf_set_int(&f, SLF_BATTERY, "/Control/Mode", 7), 2);
	ck_assert_int_eq(slf_set_double(&f, SLF_BATTERY, "/Control/BatteryPowerSetpoint", 1e9), 2);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Control/Mode", 0, SLF_WAIT), 0);
	slf_wait_requests(&f, 30);
	ck_assert_uint_eq(slf_count_writes(&f, -1, 0, 0), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Control/ActiveMode", 0, SLF_WAIT), 0);
}
END_TEST

/* 0x80 on a write: one log line, a diagnostic, no retry storm; the other unit works. */
START_TEST(test_write_no_permission)
{
	int64_t t0;
	size_t tries;

	ck_assert_int_eq(mbsim_fault_exception(slsim_mbsim(f.sim), 1, 47249, 2, 0x80), 0);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, -2000);
	assert_force(0, 2, 2, 1000);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "unit 1: write of 47249 refused", SLF_WAIT), 0);
	ck_assert_int_eq(
		hx_wait_int(f.cl, SLF_BATTERY, "/Diagnostics/PermissionDenied", 1, SLF_WAIT), 0);
	t0 = hx_now_ms();
	slf_wait_requests(&f, 40);
	tries = slf_count_writes(&f, 1, 47249, 0);
	/* one try, then one per retry_interval (1 s), however slow the machine is */
	ck_assert_uint_le(tries, 2 + (size_t)((hx_now_ms() - t0) / 1000));
	ck_assert_uint_eq(slf_count_writes(&f, 1, 47100, 0), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "unit 1: write of 47249 refused", 0), -ETIMEDOUT);
}
END_TEST

/* 0x02 on a write: named in /Diagnostics/Unsupported. */
START_TEST(test_write_unsupported)
{
	ck_assert_int_eq(mbsim_fault_exception(slsim_mbsim(f.sim), 2, 47247, 2, 0x02), 0);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	battery_mode(1, 2000);
	assert_force(0, 1, 1, 1000);
	ck_assert_int_eq(
		hx_wait_string(f.cl, SLF_BATTERY, "/Diagnostics/Unsupported", "2:47247", SLF_WAIT),
		0);
	ck_assert_int_eq(hx_proc_stop(f.drv, SLF_WAIT), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smartlogger-control");
	TCase *tc = tcase_create("control");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_discharge_sequence);
	tcase_add_test(tc, test_charge_split);
	tcase_add_test(tc, test_clamp);
	tcase_add_test(tc, test_clamp_device);
	tcase_add_test(tc, test_keepalive);
	tcase_add_test(tc, test_timeout_fallback);
	tcase_add_test(tc, test_hold);
	tcase_add_test(tc, test_self_consumption_mode);
	tcase_add_test(tc, test_kill9_period_ends);
	tcase_add_test(tc, test_sigterm);
	tcase_add_test(tc, test_setvalue_rejected);
	tcase_add_test(tc, test_write_no_permission);
	tcase_add_test(tc, test_write_unsupported);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hx_run_suite(suite());
}
