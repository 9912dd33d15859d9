/* SPDX-License-Identifier: MIT */
/*
 * test-saj-chs2-read.c - dbus-saj-chs2 reading and publishing, on a private bus with
 * ve-settingsd and the CHS2 simulator: both set-ups (a grid service only with a CT), the
 * per-phase paths systemcalc reads, signs and their check against the direction registers,
 * energy names ("FeedIn" = import), faults, and what the driver does when the device fails:
 * exceptions on a block, silence, dropped connections, counters going backwards
 */

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "tests/sim/saj-chs2-sim-fixture.h"

#define W SAJFIX_WAIT

static struct sajfix fx;

static void teardown(void)
{
	sajfix_stop(&fx);
}

static bool is_invalid(const struct hx_value *v, void *data)
{
	return v->type == VEDBUS_TYPE_INVALID;
}

static bool above(const struct hx_value *v, void *data)
{
	return v->type != VEDBUS_TYPE_INVALID && v->d > *(const double *)data;
}

/* Setup A: PV 8 kW, load 3 kW, self-use: the battery takes the 5 kW surplus, grid 0. */
START_TEST(test_setup_ct)
{
	sajfix_start(&fx, NULL, NULL);
	sajsim_set_pv(fx.sim, 8000);
	sajsim_set_load(fx.sim, 11000); /* importing 3 kW: the battery is empty */
	sajsim_set_soc(fx.sim, 5);
	ck_assert_int_eq(hx_wait_name(fx.cl, SAJFIX_GRID, true, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Diagnostics/Setup", 1, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Control/Capabilities", 0x1f, W), 0);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_GRID, "/Ac/Power", 3000, 5, W), 0);
	for (int p = 1; p <= 3; p++) {
		char path[32];

		snprintf(path, sizeof(path), "/Ac/L%d/Power", p);
		ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_GRID, path), 1000, 2);
		ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, path), 8000.0 / 3, 2);
		snprintf(path, sizeof(path), "/Ac/L%d/Current", p);
		ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_GRID, path), 1000 / 230.0, 0.01);
		ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, path), 8000 / 3 / 230.0, 0.01);
	}
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, "/Ac/Power"), 8000, 3);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, "/Yield/Power"), 8000, 1);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, "/Pv/0/P"), 4000, 1);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_GRID, "/Ac/L1/Voltage"), 230, 0.01);
	/* "FeedInEnergy" (0x40FD) is the import, "SellEnergy" (0x40F5) the export */
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_GRID, "/Ac/Energy/Forward"), 678.90, 0.05);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_GRID, "/Ac/Energy/Reverse"), 123.45, 0.05);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_BAT, "/History/ChargedEnergy"), 800, 0.05);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_BAT, "/Soc"), 5, 0.01);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_BAT, "/Info/MaxChargeCurrent"), 100, 0.01);
	/* not a DVCC BMS unless configured (test_setup_no_ct): the path does not exist */
	ck_assert_int_ne(
		hx_get_value(fx.cl, SAJFIX_BAT, "/Info/MaxChargeVoltage", &(struct hx_value){ 0 }),
		0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_PV, "/StatusCode", 7, W), 0);
	ck_assert_int_eq(hx_wait_string(fx.cl, SAJFIX_PV, "/Serial", "CHS2S50K2406001234", W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_PV, "/Position", 0, W), 0);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, "/Ac/PowerLimit"), 50000, 0.1);
}
END_TEST

/* Battery sign: charging is +, checked against 0x4096; grid import is +, checked on 0x4097. */
START_TEST(test_signs)
{
	sajfix_start(&fx, NULL, NULL);
	sajsim_set_pv(fx.sim, 9000);
	sajsim_set_load(fx.sim, 2000); /* self-use: the battery charges 7 kW */
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_BAT, "/Dc/0/Power", 7000, 5, W), 0);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_BAT, "/Dc/0/Current"), 17.5, 0.02);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Diagnostics/BatterySign", 1, W), 0);
	sajsim_set_soc(fx.sim, 100); /* full: the surplus is exported, grid negative */
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_GRID, "/Ac/Power", -7000, 5, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Diagnostics/GridSign", 1, W), 0);
	/* the export counter ("SellEnergy") grows */
	ck_assert_int_eq(hx_wait_value(fx.cl, SAJFIX_GRID, "/Ac/Energy/Reverse", above,
				       &(double){ 123.45 }, W * 2),
			 0);
}
END_TEST

/* A device whose battery power has the other sign: the direction register wins, logged. */
START_TEST(test_sign_contradiction)
{
	struct sajsim_config c = SAJSIM_CONFIG_DEFAULT;

	c.inverted_battery_sign = true;
	sajfix_start(&fx, &c, NULL);
	sajsim_set_pv(fx.sim, 9000);
	sajsim_set_load(fx.sim, 2000);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Diagnostics/BatterySign", 2, W), 0);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_BAT, "/Dc/0/Power", 7000, 5, W), 0);
	ck_assert_int_eq(hx_proc_wait_log(fx.drv, "contradicts the direction register 0x4096", W),
			 0);
}
END_TEST

/* Setup B: no grid service at all (systemcalc must not take zeros for a meter). */
START_TEST(test_setup_no_ct)
{
	struct sajsim_config c = SAJSIM_CONFIG_DEFAULT;

	c.ct = false;
	sajfix_start(&fx, &c, "[battery]\ndvcc_bms = true\ncapacity = 280\n");
	sajsim_set_pv(fx.sim, 4000);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Diagnostics/Setup", 2, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Control/Capabilities", 0x0a, W), 0);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_PV, "/Yield/Power", 4000, 1, W), 0);
	ck_assert_int_eq(hx_sync(fx.cl, SAJFIX_BAT), 0);
	ck_assert_int_eq(hx_wait_name(fx.cl, SAJFIX_GRID, false, 0), 0);
	ck_assert(!strstr(hx_proc_output(fx.drv), "grid.saj"));
	/* without a CT the resting mode is hold: the battery idles, the PV goes out on AC */
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Control/ActiveMode", 3, W), 0);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_PV, "/Ac/L2/Power", 4000.0 / 3, 2, W), 0);
	ck_assert(isnan(sajfix_get(&fx, SAJFIX_PV, "/Ac/PowerLimit"))); /* cannot curtail */
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_BAT, "/Info/MaxChargeVoltage"), 438, 0.01);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_BAT, "/InstalledCapacity"), 280, 0.01);
}
END_TEST

/* The CT configured or removed at run time: the grid service follows (3 equal readings). */
START_TEST(test_setup_change)
{
	sajfix_start(&fx, NULL, NULL);
	ck_assert_int_eq(hx_wait_name(fx.cl, SAJFIX_GRID, true, W), 0);
	sajsim_set_ct(fx.sim, false);
	ck_assert_int_eq(hx_wait_name(fx.cl, SAJFIX_GRID, false, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Control/Capabilities", 0x0a, W), 0);
	sajsim_set_ct(fx.sim, true);
	ck_assert_int_eq(hx_wait_name(fx.cl, SAJFIX_GRID, true, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_GRID, "/Connected", 1, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Control/Capabilities", 0x1f, W), 0);
}
END_TEST

/* An exception on the battery/meter block: only those paths go invalid. */
START_TEST(test_block_exception)
{
	sajfix_start(&fx, NULL, NULL);
	sajsim_set_pv(fx.sim, 6000);
	ck_assert_int_eq(hx_wait_name(fx.cl, SAJFIX_GRID, true, W), 0);
	ck_assert_int_eq(mbsim_fault_exception(sajsim_mbsim(fx.sim), -1, 0xA030, 0x30, 4), 0);
	ck_assert_int_eq(hx_wait_invalid(fx.cl, SAJFIX_GRID, "/Ac/L1/Power", W), 0);
	ck_assert_int_eq(hx_wait_invalid(fx.cl, SAJFIX_BAT, "/Info/MaxChargeCurrent", W), 0);
	ck_assert_int_eq(hx_wait_invalid(fx.cl, SAJFIX_GRID, "/Ac/Power", W), 0);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, "/Yield/Power"), 6000, 1);
	ck_assert_int_eq((int)sajfix_get(&fx, SAJFIX_BAT, "/Connected"), 1);
	ck_assert_int_eq(hx_proc_wait_log(fx.drv, "read 0xa034", W), 0);
	mbsim_fault_clear(sajsim_mbsim(fx.sim));
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_GRID, "/Ac/L1/Voltage", 230, 0.1, W), 0);
}
END_TEST

/* Silence: invalid values and /Connected 0 after the first failed cycle, then recovery. */
START_TEST(test_silence)
{
	sajfix_start(&fx, NULL, NULL);
	sajsim_set_pv(fx.sim, 5000);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_PV, "/Yield/Power", 5000, 1, W), 0);
	mbsim_fault_silence(sajsim_mbsim(fx.sim), true);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Connected", 0, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_PV, "/Connected", 0, W), 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_GRID, "/Connected", 0, W), 0);
	ck_assert_int_eq(hx_wait_value(fx.cl, SAJFIX_PV, "/Yield/Power", is_invalid, NULL, 0), 0);
	ck_assert(isnan(sajfix_get(&fx, SAJFIX_BAT, "/Soc")));
	ck_assert(isnan(sajfix_get(&fx, SAJFIX_GRID, "/Ac/L3/Power")));
	ck_assert(isnan(sajfix_get(&fx, SAJFIX_BAT, "/History/ChargedEnergy")));
	mbsim_fault_silence(sajsim_mbsim(fx.sim), false);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Connected", 1, W * 2), 0);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_PV, "/Yield/Power", 5000, 1, W), 0);
	ck_assert_int_eq(hx_proc_wait_log(fx.drv, "no answer from the inverter", 0), 0);
}
END_TEST

/* Dropped connections: reconnect (counted); counters that go backwards are held. */
START_TEST(test_drop_and_counters)
{
	sajfix_start(&fx, NULL, NULL);
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_GRID, "/Ac/Energy/Forward", 678.90, 0.05, W),
			 0);
	mbsim_fault_drop_after(sajsim_mbsim(fx.sim), 2);
	ck_assert_int_eq(hx_wait_value(fx.cl, SAJFIX_BAT, "/Diagnostics/Reconnects", above,
				       &(double){ 0.5 }, W),
			 0);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_BAT, "/Connected", 1, W), 0);
	sajsim_reset_energy(fx.sim);
	ck_assert_int_eq(hx_wait_value(fx.cl, SAJFIX_BAT, "/Diagnostics/RequestsPerCycle", above,
				       &(double){ 0 }, W),
			 0);
	/* the reset was read (the day counter may fall) but the totals hold the highest value */
	ck_assert_int_eq(hx_wait_double(fx.cl, SAJFIX_PV, "/Yield/Today", 0, 0.005, W), 0);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_GRID, "/Ac/Energy/Forward"), 678.90, 0.05);
	ck_assert_double_eq_tol(sajfix_get(&fx, SAJFIX_PV, "/Yield/Total"), 2500, 0.05);
}
END_TEST

/* Fault words with texts on the pvinverter. */
START_TEST(test_faults)
{
	char text[64];

	sajfix_start(&fx, NULL, NULL);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_PV, "/ErrorCode", 0, W), 0);
	sajsim_set_fault(fx.sim, 0, 1u << 1);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_PV, "/ErrorCode", 2, W), 0);
	ck_assert_int_eq(hx_get_text(fx.cl, SAJFIX_PV, "/ErrorCode", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "Meter lost");
	sajsim_set_fault(fx.sim, 0, 0);
	sajsim_set_fault(fx.sim, 2, 1u << 30);
	ck_assert_int_eq(hx_wait_int(fx.cl, SAJFIX_PV, "/ErrorCode", 64 + 31, W), 0);
	ck_assert_int_eq(hx_get_text(fx.cl, SAJFIX_PV, "/ErrorCode", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "ISO error");
}
END_TEST

/* -n: a bad configuration names the key and exits 1; a good one exits 0. */
START_TEST(test_check_config)
{
	g_autofree char *dir = g_build_filename(g_get_tmp_dir(), "saj-cfg-XXXXXX", NULL);
	g_autofree char *bad = NULL, *good = NULL;
	struct hx_proc *p = NULL;
	int status = -1;

	ck_assert_ptr_nonnull(g_mkdtemp(dir));
	bad = g_strdup_printf("%s/bad.ini", dir);
	good = g_strdup_printf("%s/good.ini", dir);
	ck_assert(g_file_set_contents(bad, "[link]\nhost = h\n[control]\ntimeout = 0\n", -1, NULL));
	ck_assert(g_file_set_contents(good, "[link]\nhost = h\n", -1, NULL));
	{
		const char *argv[] = { hx_bin("dbus-saj-chs2"), "-n", "-c", bad, NULL };

		ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
		ck_assert_int_eq(hx_proc_wait_exit(p, W, &status), 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		ck_assert_ptr_nonnull(strstr(hx_proc_output(p), "[control] timeout = 0"));
		p = hx_proc_free(p);
	}
	{
		const char *argv[] = { hx_bin("dbus-saj-chs2"), "-n", "-c", good, NULL };

		ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
		ck_assert_int_eq(hx_proc_wait_exit(p, W, &status), 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		p = hx_proc_free(p);
	}
	(void)!unlink(bad);
	(void)!unlink(good);
	(void)!rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("saj-chs2-read");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_setup_ct);
	tcase_add_test(tc, test_signs);
	tcase_add_test(tc, test_sign_contradiction);
	tcase_add_test(tc, test_setup_no_ct);
	tcase_add_test(tc, test_setup_change);
	tcase_add_test(tc, test_block_exception);
	tcase_add_test(tc, test_silence);
	tcase_add_test(tc, test_drop_and_counters);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_check_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hx_run_suite(suite());
}
