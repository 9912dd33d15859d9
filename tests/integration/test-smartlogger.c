/* SPDX-License-Identifier: MIT */
/*
 * test-smartlogger.c - dbus-smartlogger-hybrid reading a simulated SmartLogger plant: grid,
 * battery and pvinverter values on D-Bus, the meter's trust status, inverters that stop
 * answering, a silent link, alarm bits, read exceptions, configuration errors
 */

#include <check.h>
#include <errno.h>
#include <math.h>
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
	slf_start(&f, &sc);
}

/* Five inverters, a LUNA2000 behind the first only. */
static void setup_five(void)
{
	struct slsim_config sc = SLSIM_CONFIG_DEFAULT;

	sc.n_inverters = 5;
	sc.n_batteries = 1;
	slf_start(&f, &sc);
}

static void teardown(void)
{
	slf_stop(&f);
}

static int wait_num(const char *svc, const char *path, double v, double tol)
{
	return hx_wait_double(f.cl, svc, path, v, tol, SLF_WAIT);
}

/* Values straight from the profile (devices doc part A), decoded by the driver. */
START_TEST(test_publishes_images)
{
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L1/Voltage", 230.12, 0.001), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L3/Voltage", 229.87, 0.001), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/PowerFactor", 0.985, 0.0001), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/Energy/Reverse", 1234.56, 0.01), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/Connected", 1, SLF_WAIT), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/L2/Voltage", 231.0, 0.001), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/Frequency", 50.01, 0.001), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/MaxPower", 20000, 0.5), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Position", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/StatusCode", 8, SLF_WAIT), 0); /* no sun */
	ck_assert_int_eq(
		hx_wait_string(f.cl, SLF_PV, "/Inverter/2/Model", "SUN2000-10KTL-M1", SLF_WAIT), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Soc", 55.0, 0.05), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Dc/0/Voltage", 450.0, 0.001), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Dc/0/Temperature", 25.5, 0.001), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/History/ChargedEnergy", 3000.0, 0.01), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/InstalledCapacity", 44, 0.5),
			 0); /* 20 kWh/450 V */
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Connected", 1, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_stop(f.drv, SLF_WAIT), 0);
}
END_TEST

/* Import: batteries at their discharge limit, the rest from the grid; + import, per phase. */
START_TEST(test_grid_import_export)
{
	slsim_set_load(f.sim, 13000);
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/Power", 3000, 2), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L2/Power", 1000, 2), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L2/Current", 4.3, 0.11), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Dc/0/Power", -10000, 2), 0);
	slsim_set_load(f.sim, 0);
	slsim_set_pv(f.sim, 20000); /* batteries charge 10 kW, 10 kW go out */
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/Power", -10000, 2), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L1/Current", -14.5, 0.11), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/Power", 10000, 2), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/L3/Power", 3333, 3), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/L1/Current", 2 * 5000 / 3 / 230.1, 0.01), 0);
}
END_TEST

/* meter_inverted: the meter counts export as positive. */
START_TEST(test_meter_inverted)
{
	slsim_set_load(f.sim, 13000);
	slf_driver(&f, "plant: meter_inverted = true", NULL);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/Power", -3000, 2), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L1/Current", -4.3, 0.11), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/Energy/Forward", 1234.56, 0.01), 0);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/Energy/Reverse", 5678.90, 0.02), 0);
}
END_TEST

/* 0xB000: invalid (never 0), /Connected 0, a critical alarm with text, one log line. */
START_TEST(test_meter_disconnected)
{
	char text[128];

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L1/Voltage", 230.12, 0.001), 0);
	slsim_set_meter_connected(f.sim, false);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_GRID, "/Ac/Power", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_GRID, "/Ac/L1/Voltage", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/Connected", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/Alarms/GridMeterDisconnected", 2, SLF_WAIT),
			 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/ErrorCode", 1, SLF_WAIT), 0);
	ck_assert_int_eq(hx_get_text(f.cl, SLF_GRID, "/ErrorCode", text, sizeof(text)), 0);
	ck_assert_ptr_nonnull(strstr(text, "0xB000"));
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "disconnected (status 0xB000)", SLF_WAIT), 0);
	slf_wait_requests(&f, 40);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "disconnected (status 0xB000)", 0), -ETIMEDOUT);
	slsim_set_meter_connected(f.sim, true);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L1/Voltage", 230.12, 0.001), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/Alarms/GridMeterDisconnected", 0, SLF_WAIT),
			 0);
}
END_TEST

START_TEST(test_meter_silent)
{
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(wait_num(SLF_GRID, "/Ac/L1/Voltage", 230.12, 0.001), 0);
	mbsim_fault_unit_silent(slsim_mbsim(f.sim), 11, true);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/ErrorCode", 2, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_GRID, "/Ac/L1/Voltage", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/Connected", 0, SLF_WAIT), 0);
	/* the rest of the plant keeps publishing */
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Soc", 55.0, 0.05), 0);
}
END_TEST

/* An inverter that stops answering drops out of the totals, flagged; energy never drops. */
START_TEST(test_inverter_dropout)
{
	slsim_set_pv(f.sim, 4000);
	slf_driver(&f, "control: allow_self_consumption = no", NULL); /* batteries idle */
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/Power", 4000, 2), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/Energy/Forward", 24691.34, 0.05), 0);
	mbsim_fault_unit_silent(slsim_mbsim(f.sim), 2, true);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverters/Online", 1, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverter/2/Connected", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_PV, "/Inverter/2/Ac/Power", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Alarms/InverterOffline", 1, SLF_WAIT), 0);
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/Power", 2000, 2), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Connected", 1, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 1, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Battery/2/Connected", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "inverter 2: not answering", SLF_WAIT), 0);
	/* the silent unit's last total still counts: the plant total did not go backwards */
	ck_assert_int_eq(wait_num(SLF_PV, "/Ac/Energy/Forward", 24691.34, 0.05), 0);
	mbsim_fault_unit_silent(slsim_mbsim(f.sim), 2, false);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverters/Online", 2, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "inverter 2: answering", SLF_WAIT), 0);
}
END_TEST

/* Units behind the SmartLogger falling silent in a row do not take the link down. */
START_TEST(test_silent_units_keep_link)
{
	struct mbsim *sim = slsim_mbsim(f.sim);

	slf_driver(&f,
		   "plant: inverters = 1,2,3,4,5\nplant: battery_inverters = 1\n"
		   "plant: meter_unit = 11",
		   NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverters/Online", 5, SLF_WAIT), 0);
	for (int u = 2; u <= 5; u++)
		mbsim_fault_unit_silent(sim, u, true);
	mbsim_fault_unit_silent(sim, 11, true);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverters/Online", 1, SLF_WAIT), 0);
	slf_wait_requests(&f, 20);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverters/Online", 1, SLF_WAIT), 0);
	ck_assert_ptr_null(strstr(hx_proc_output(f.drv), "link down"));
	ck_assert_int_eq(hx_wait_double(f.cl, SLF_BATTERY, "/Soc", 55.0, 0.05, SLF_WAIT), 0);
}
END_TEST

/* A silent SmartLogger: every value invalid, never 0; /Connected 0; back after. */
START_TEST(test_link_silent)
{
	struct mbsim *sim = slsim_mbsim(f.sim);

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Soc", 55.0, 0.05), 0);
	mbsim_fault_silence(sim, true);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Connected", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Connected", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_GRID, "/Connected", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_BATTERY, "/Soc", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_PV, "/Ac/Power", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_PV, "/Ac/L1/Power", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, SLF_GRID, "/Ac/L1/Power", SLF_WAIT), 0);
	mbsim_fault_silence(sim, false);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Soc", 55.0, 0.05), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Connected", 1, SLF_WAIT), 0);
}
END_TEST

/* A dropped connection: reconnect, counted on /Diagnostics/Reconnects. */
START_TEST(test_link_drop)
{
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Soc", 55.0, 0.05), 0);
	mbsim_fault_drop_after(slsim_mbsim(f.sim), 1);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "link down", SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "link up", SLF_WAIT), 0);
	ck_assert_int_eq(wait_num(SLF_BATTERY, "/Soc", 55.0, 0.05), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Connected", 1, SLF_WAIT), 0);
}
END_TEST

/* Alarm bits become texts per inverter, the plant's alarm level, one log line per change. */
START_TEST(test_alarms)
{
	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Alarms/InverterAlarm", 0, SLF_WAIT), 0);
	ck_assert_int_eq(slsim_set_alarms(f.sim, 1, 0x0080, 0x0008, 0), 0);
	ck_assert_int_eq(hx_wait_string(f.cl, SLF_PV, "/Inverter/1/Alarms",
					"2032 grid loss, 2063 overtemperature", SLF_WAIT),
			 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Alarms/InverterAlarm", 2, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_string(f.cl, SLF_PV, "/Inverter/2/Alarms", "", SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "inverter 1: alarms: 2032 grid loss", SLF_WAIT),
			 0);
	slf_wait_requests(&f, 30);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "inverter 1: alarms: 2032", 0), -ETIMEDOUT);
	ck_assert_int_eq(slsim_set_alarms(f.sim, 1, 0, 0, 0), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Alarms/InverterAlarm", 0, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "inverter 1: alarms: none", SLF_WAIT), 0);
}
END_TEST

/* 0x80 on a read: one log line and a diagnostic; the battery drops out, nothing crashes. */
START_TEST(test_read_exceptions)
{
	struct mbsim *sim = slsim_mbsim(f.sim);

	slf_driver(&f, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 2, SLF_WAIT), 0);
	ck_assert_int_eq(mbsim_fault_exception(sim, 2, 37752, 14, 0x80), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_BATTERY, "/Batteries/Online", 1, SLF_WAIT), 0);
	ck_assert_int_eq(
		hx_proc_wait_log(f.drv, "LUNA2000 unit 2: registers 37752-37766", SLF_WAIT), 0);
	slf_wait_requests(&f, 30);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "registers 37752-37766: exception", 0),
			 -ETIMEDOUT);
	/* 0x02 on the alarm words: left out from now on, the inverter keeps publishing */
	ck_assert_int_eq(mbsim_fault_exception(sim, 1, 32008, 3, 0x02), 0);
	ck_assert_int_eq(hx_proc_wait_log(f.drv, "(left out from now on)", SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, SLF_PV, "/Inverter/1/Connected", 1, SLF_WAIT), 0);
	ck_assert_int_eq(hx_proc_stop(f.drv, SLF_WAIT), 0);
}
END_TEST

/* Bad configuration names the key and exits non-zero; -n checks a good one. */
START_TEST(test_config)
{
	const char *dup[] = {
		hx_bin("dbus-smartlogger-hybrid"), "--host", "x", "--inverters", "1,2,1", NULL
	};
	const char *meter[] = { hx_bin("dbus-smartlogger-hybrid"),
				"--host",
				"x",
				"--inverters",
				"1,2",
				"--meter-unit",
				"2",
				NULL };
	const char *good[] = { hx_bin("dbus-smartlogger-hybrid"),
			       "-n",
			       "--host",
			       "x",
			       "--inverters",
			       "1,2",
			       "--meter-unit",
			       "11",
			       NULL };
	struct hx_proc *p = NULL;
	int st;

	ck_assert_int_eq(hx_spawn(dup, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_exit(p, SLF_WAIT, &st), 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(p), "[plant] inverters: unit 1 is listed"));
	p = hx_proc_free(p);
	ck_assert_int_eq(hx_spawn(meter, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_exit(p, SLF_WAIT, &st), 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(p), "[plant] inverters: unit 2 is also"));
	p = hx_proc_free(p);
	ck_assert_int_eq(hx_spawn(good, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_exit(p, SLF_WAIT, &st), 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	p = hx_proc_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smartlogger");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_publishes_images);
	tcase_add_test(tc, test_grid_import_export);
	tcase_add_test(tc, test_meter_inverted);
	tcase_add_test(tc, test_meter_disconnected);
	tcase_add_test(tc, test_meter_silent);
	tcase_add_test(tc, test_inverter_dropout);
	tcase_add_test(tc, test_link_silent);
	tcase_add_test(tc, test_link_drop);
	tcase_add_test(tc, test_alarms);
	tcase_add_test(tc, test_read_exceptions);
	tcase_add_test(tc, test_config);
	suite_add_tcase(s, tc);
	tc = tcase_create("five");
	tcase_add_checked_fixture(tc, setup_five, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_silent_units_keep_link);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hx_run_suite(suite());
}
