/* SPDX-License-Identifier: MIT */
/*
 * test-smartlogger-curtail.c - PV curtailment on a simulated plant: pvinverter /Ac/PowerLimit
 * (what Venus zero feed-in writes) to the SmartLogger's 40420 in 0.1 kW, clamped to [0, 40697],
 * back to the ceiling when not refreshed, restored at start and on SIGTERM; self-consumption
 * hand-over withheld while curtailing; refused writes and SetValues
 */

#include <check.h>
#include <errno.h>
#include <string.h>

#include "tests/sim/smartlogger-sim-fixture.h"

#define LOGGER 0
#define LIMIT  40420

static struct slf f;

static void setup(void)
{
	struct slsim_config sc = SLSIM_CONFIG_DEFAULT;

	sc.n_inverters = 2;
	sc.n_batteries = 2;
	slf_start(&f, &sc);
}

static void teardown(void)
{
	slf_stop(&f);
}

static void start(const char *extra)
{
	slf_driver(&f, extra, NULL);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/MaxPower", 20000, 0.5, SLF_WAIT), 0);
}

static int limit(double w)
{
	return slf_set_double(&f, SLF_PV, "/Ac/PowerLimit", w);
}

/* The limit reaches 40420, caps the inverters, and withholds self-consumption (hold). */
START_TEST(test_limit)
{
	slsim_set_pv(f.sim, 12000);
	start(NULL);
	ck_assert_int_eq(limit(5000), 0);
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 50, 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/PowerLimit", 5000, 0.5, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Control/ActiveMode", 3, SLF_WAIT), 0);
	ck_assert_int_eq(limit(5000), 0); /* keep-alive */
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/Power", 5000, 2, SLF_WAIT), 0);
	ck_assert(slsim_limit(f.sim) == 5000);
	ck_assert_uint_eq(slf_count_writes(&f, LOGGER, LIMIT, 0), 1); /* unchanged: once */
}
END_TEST

/* Above the ceiling means no curtailment; below 0 means 0. */
START_TEST(test_clamp)
{
	start(NULL);
	ck_assert_int_eq(limit(50000), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/PowerLimit", 20000, 0.5, SLF_WAIT), 0);
	ck_assert_int_eq(limit(-100), 0);
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 0, 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/PowerLimit", 0, 0.01, SLF_WAIT), 0);
	ck_assert_int_eq(limit(3333), 0); /* rounded down to 0.1 kW */
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 33, 0, SLF_WAIT), 0);
	ck_assert_uint_eq(slf_count_writes(&f, LOGGER, LIMIT, 0), 2); /* 50000 wrote nothing */
}
END_TEST

/* The ceiling is read first: a smaller 40697 bounds the limit. */
START_TEST(test_ceiling)
{
	ck_assert_int_eq(slsim_set_ceiling(f.sim, 15000), 0);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/MaxPower", 15000, 0.5, SLF_WAIT), 0);
	ck_assert_int_eq(limit(18000), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/PowerLimit", 15000, 0.5, SLF_WAIT), 0);
	ck_assert_int_eq(limit(12000), 0);
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 120, 0, SLF_WAIT), 0);
}
END_TEST

/* Not rewritten within the timeout (1 s here, 60 s by default): back to the ceiling. */
START_TEST(test_revert)
{
	long i;

	start(NULL);
	ck_assert_int_eq(limit(5000), 0);
	i = slf_wait_write(&f, LOGGER, LIMIT, 50, 0, SLF_WAIT);
	ck_assert_int_ge(i, 0);
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 200, (size_t)i, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/PowerLimit", 20000, 0.5, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "power limit not refreshed", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Control/ActiveMode", 0, SLF_WAIT), 0);
}
END_TEST

/* A limit left by a crashed session is lifted at start. */
START_TEST(test_restore_at_start)
{
	slsim_set_limit(f.sim, 3000);
	start(NULL);
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 200, 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/PowerLimit", 20000, 0.5, SLF_WAIT), 0);
}
END_TEST

/* SIGTERM lifts a limit in force. */
START_TEST(test_sigterm)
{
	long i;

	start(NULL);
	ck_assert_int_eq(limit(4000), 0);
	i = slf_wait_write(&f, LOGGER, LIMIT, 40, 0, SLF_WAIT);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(hx_proc_stop(f.drv, SLF_WAIT), 0);
	ck_assert_int_ge(slf_wait_write(&f, LOGGER, LIMIT, 200, (size_t)i, 0), 0);
}
END_TEST

/* Wrong type: 1, nothing written; 0x80 on the write: one log line, no storm. */
START_TEST(test_refused)
{
	struct vedbus_value s = vedbus_string("5 kW");
	int code = -1;
	int64_t t0;

	start(NULL);
	ck_assert_int_eq(hx_set_value(f.cl, SLF_PV, "/Ac/PowerLimit", &s, &code), 0);
	ck_assert_int_eq(code, 1);
	slf_wait_requests(&f, 20);
	ck_assert_uint_eq(slf_count_writes(&f, LOGGER, 0, 0), 0);
	ck_assert_int_eq(mbsim_fault_exception(slsim_mbsim(f.sim), LOGGER, LIMIT, 2, 0x80), 0);
	ck_assert_int_eq(limit(6000), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "unit 0: write of 40420 refused", SLF_WAIT), 0);
	t0 = hx_now_ms();
	slf_wait_requests(&f, 30);
	ck_assert_uint_le(slf_count_writes(&f, LOGGER, LIMIT, 0),
			  2 + (size_t)((hx_now_ms() - t0) / 1000)); /* retry_interval = 1 s */
}
END_TEST

/* [curtailment] enable = false: no /Ac/PowerLimit, 40420 never written. */
START_TEST(test_disabled)
{
	struct hx_value v;

	slsim_set_limit(f.sim, 3000);
	slf_driver(&f, "curtailment: enable = false", NULL);
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_PV, "/Ac/MaxPower", 20000, 0.5, SLF_WAIT), 0);
	ck_assert_int_eq(hx_get_value(f.cl, SLF_PV, "/Ac/PowerLimit", &v), -EREMOTEIO);
	slf_wait_requests(&f, 30);
	ck_assert_uint_eq(slf_count_writes(&f, LOGGER, 0, 0), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smartlogger-curtail");
	TCase *tc = tcase_create("curtail");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_clamp);
	tcase_add_test(tc, test_ceiling);
	tcase_add_test(tc, test_revert);
	tcase_add_test(tc, test_restore_at_start);
	tcase_add_test(tc, test_sigterm);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_disabled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hx_run_suite(suite());
}
