/* SPDX-License-Identifier: MIT */
/*
 * test-up5000.c - dbus-up5000-hybrid on a private bus against the UP5000 simulator: what it
 * publishes on the solarcharger and vebus services, the start-up probe, the command line and
 * configuration, read-only paths and SIGTERM
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>

#include "tests/sim/up5000-sim-fixture.h"
#include "check-run.h"

static struct upfx f;

static void setup(void)
{
	upfx_setup(&f, 0);
}

static void teardown(void)
{
	upfx_teardown(&f);
}

static void expect(const char *svc, const char *path, double v, double tol)
{
	ck_assert_int_eq(hx_wait_double(f.cl, svc, path, v, tol, UPFX_WAIT), 0);
}

static void expect_type(const char *svc, const char *path, const char *sig)
{
	struct hx_value v;

	ck_assert_int_eq(hx_get_value(f.cl, svc, path, &v), 0);
	ck_assert_str_eq(v.sig, sig);
}

START_TEST(test_solarcharger)
{
	upfx_start(&f, NULL);
	/* the README's log, through the vendor table's scaling and word order */
	expect(UPFX_SOLAR, "/Dc/0/Voltage", 54.15, 0.001);
	expect(UPFX_SOLAR, "/Pv/V", 152.19, 0.001);
	expect(UPFX_SOLAR, "/Yield/Power", 1640.66, 0.001);
	expect(UPFX_SOLAR, "/Yield/System", 535.61, 0.001);
	expect(UPFX_SOLAR, "/Yield/User", 535.61, 0.001);
	/* systemcalc: PV power = V x I; I is the charger's current into the battery */
	expect(UPFX_SOLAR, "/Dc/0/Current", 1640.66 / 54.15, 0.001);
	expect(UPFX_SOLAR, "/NrOfTrackers", 1, 0);
	expect(UPFX_SOLAR, "/State", 3, 0); /* running, boost, below the boost voltage: bulk */
	expect(UPFX_SOLAR, "/MppOperationMode", 2, 0);
	expect(UPFX_SOLAR, "/ErrorCode", 0, 0);
	expect(UPFX_SOLAR, "/Mode", 1, 0);
	expect(UPFX_SOLAR, "/Settings/ChargeCurrentLimit", 80, 0);
	expect(UPFX_SOLAR, "/DeviceInstance", 288, 0);
	expect(UPFX_SOLAR, "/Diagnostics/Device/EqualizeVoltage", 55.2, 0.001);
	expect_type(UPFX_SOLAR, "/FirmwareVersion", "i");
	expect_type(UPFX_SOLAR, "/Dc/0/Voltage", "d");
	expect_type(UPFX_SOLAR, "/State", "i");
	ck_assert_int_eq(hx_proc_stop(f.drv, UPFX_WAIT), 0);
}
END_TEST

START_TEST(test_vebus)
{
	struct hx_value v;
	DBusMessage *items;

	upfx_start(&f, NULL);
	expect(UPFX_VEBUS, "/Ac/ActiveIn/L1/V", 239.67, 0.001);
	expect(UPFX_VEBUS, "/Ac/ActiveIn/L1/P", 0, 0.001);
	expect(UPFX_VEBUS, "/Ac/ActiveIn/ActiveInput", 0, 0);
	expect(UPFX_VEBUS, "/Ac/ActiveIn/Connected", 1, 0);
	expect(UPFX_VEBUS, "/Ac/Out/L1/V", 229.96, 0.001);
	expect(UPFX_VEBUS, "/Ac/Out/L1/P", 229.96 * 5, 0.001);
	expect(UPFX_VEBUS, "/Ac/Out/P", 229.96 * 5, 0.001);
	expect(UPFX_VEBUS, "/Ac/NumberOfPhases", 1, 0);
	expect(UPFX_VEBUS, "/State", 9, 0); /* load running: inverting */
	expect(UPFX_VEBUS, "/Mode", 3, 0);
	expect(UPFX_VEBUS, "/Soc", 79, 0);
	expect(UPFX_VEBUS, "/Dc/0/Voltage", 54.15, 0.001);
	expect(UPFX_VEBUS, "/Dc/0/Current", 6.54 - 1640.66 / 54.15, 0.001);
	expect(UPFX_VEBUS, "/Dc/0/Temperature", 25.10, 0.001);
	expect(UPFX_VEBUS, "/Alarms/LowBattery", 0, 0);
	expect(UPFX_VEBUS, "/DeviceInstance", 300, 0);
	ck_assert_int_eq(hx_get_value(f.cl, UPFX_VEBUS, "/FirmwareVersion", &v), 0);
	ck_assert_str_eq(v.sig, "i");
	ck_assert_int_ge(v.i, 0x422);
	/* a Multi on a USB port, an ESS charge voltage or hub4 would change systemcalc */
	ck_assert_int_eq(hx_get_items(f.cl, UPFX_VEBUS, &items), 0);
	ck_assert_int_eq(hx_items_find(items, "/Interfaces/Mk2/Connection", NULL, NULL, 0),
			 -ENOENT);
	ck_assert_int_eq(hx_items_find(items, "/Hub/ChargeVoltage", NULL, NULL, 0), -ENOENT);
	ck_assert_int_eq(hx_items_find(items, "/Hub4/AssistantId", NULL, NULL, 0), -ENOENT);
	ck_assert_int_eq(hx_items_find(items, "/BatteryOperationalLimits/MaxDischargeCurrent", NULL,
				       NULL, 0),
			 0);
	dbus_message_unref(items);
	ck_assert_int_eq(hx_proc_stop(f.drv, UPFX_WAIT), 0);
}
END_TEST

/* The names appear with a whole, valid tree: systemcalc snapshots with one GetItems. */
START_TEST(test_first_getitems)
{
	struct hx_value v;
	DBusMessage *items;

	upfx_spawn(&f, NULL);
	ck_assert_int_eq(hx_wait_name(f.cl, UPFX_SOLAR, true, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_get_items(f.cl, UPFX_SOLAR, &items), 0);
	ck_assert_int_eq(hx_items_find(items, "/DeviceInstance", &v, NULL, 0), 0);
	ck_assert_int_eq(v.i, 288);
	ck_assert_int_eq(hx_items_find(items, "/Dc/0/Voltage", &v, NULL, 0), 0);
	ck_assert_double_eq_tol(v.d, 54.15, 0.001);
	ck_assert_int_eq(hx_items_find(items, "/Link/ChargeVoltage", &v, NULL, 0), 0);
	ck_assert_int_eq(hx_items_find(items, "/Link/NetworkMode", &v, NULL, 0), 0);
	ck_assert_int_eq(hx_items_find(items, "/Connected", &v, NULL, 0), 0);
	ck_assert_int_eq(v.i, 1);
	dbus_message_unref(items);
}
END_TEST

/* Word order and sign from the vendor table: a discharge current of -12.34 A, L then H. */
START_TEST(test_signed_low_word_first)
{
	const uint16_t batt_i[2] = { 0xFB2E, 0xFFFF }; /* -1234 */
	const uint16_t pv_p[2] = { 0x0000, 0x0001 };   /* 65536 = 655.36 W */

	upfx_start(&f, NULL);
	upfx_set(&f, true, 0x3581, batt_i, 2);
	upfx_set(&f, true, 0x354B, pv_p, 2);
	expect(UPFX_SOLAR, "/Yield/Power", 655.36, 0.001);
	expect(UPFX_VEBUS, "/Dc/0/Current", -12.34 - 655.36 / 54.15, 0.001);
	expect(UPFX_VEBUS, "/Dc/0/Power", 54.15 * (-12.34 - 655.36 / 54.15), 0.01);
}
END_TEST

START_TEST(test_status_bits)
{
	const uint16_t pv_fault = 0x8003; /* running, fault, input voltage high */
	const uint16_t batt_low = 0x0003; /* over-discharge */
	const uint16_t overload = 0x3001; /* running, overload */
	char text[128];

	upfx_start(&f, NULL);
	upfx_set(&f, true, 0x3559, &pv_fault, 1);
	upfx_set(&f, true, 0x3589, &batt_low, 1);
	upfx_set(&f, true, 0x3523, &overload, 1);
	expect(UPFX_SOLAR, "/State", 2, 0);
	expect(UPFX_SOLAR, "/ErrorCode", 33, 0);
	ck_assert_int_eq(hx_get_text(f.cl, UPFX_SOLAR, "/ErrorCode", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "#33 PV input voltage too high");
	expect(UPFX_VEBUS, "/Alarms/LowBattery", 2, 0);
	expect(UPFX_VEBUS, "/Alarms/Overload", 2, 0);
	ck_assert_int_eq(hx_get_text(f.cl, UPFX_VEBUS, "/Alarms/Overload", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "Alarm");
	upfx_wait_cycles(&f, 3);
	/* logged once on change, with the decoded bits */
	ck_assert_int_eq(upfx_count_log(&f, "PV charger status 0x8003: running, fault, input "
					    "voltage high"),
			 1);
	ck_assert_int_eq(upfx_count_log(&f, "battery status 0x0003: over-discharge"), 1);
}
END_TEST

START_TEST(test_energy_never_backwards)
{
	const uint16_t lower[2] = { 1000, 0 };

	upfx_start(&f, NULL);
	expect(UPFX_SOLAR, "/Yield/System", 535.61, 0.001);
	upfx_set(&f, true, 0x3557, lower, 2);
	upfx_wait_cycles(&f, 4);
	expect(UPFX_SOLAR, "/Yield/System", 535.61, 0.001);
}
END_TEST

START_TEST(test_read_only)
{
	int code;

	upfx_start(&f, NULL);
	code = upfx_set_double(&f, UPFX_SOLAR, "/Dc/0/Voltage", 12);
	ck_assert_int_eq(code, 1);
	code = upfx_set_double(&f, UPFX_VEBUS, "/Soc", 12);
	ck_assert_int_eq(code, 1);
	expect(UPFX_SOLAR, "/Dc/0/Voltage", 54.15, 0.001);
}
END_TEST

/* serial-starter: no answer at start means the next driver gets the port. */
START_TEST(test_probe_fails)
{
	int status;

	mbsim_fault_silence(f.sim, true);
	upfx_spawn(&f, "[link]\nprobe_timeout = 1\n");
	ck_assert_int_eq(hx_proc_wait_exit(f.drv, UPFX_WAIT, &status), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "no UP5000 answered"));
	ck_assert_int_eq(hx_wait_name(f.cl, UPFX_SOLAR, true, 0), -ETIMEDOUT);
}
END_TEST

/* The first request after opening the port may fail: the probe tolerates it. */
START_TEST(test_probe_first_request_lost)
{
	mbsim_fault_drop_after(f.sim, 1);
	upfx_start(&f, NULL);
	expect(UPFX_SOLAR, "/Dc/0/Voltage", 54.15, 0.001);
}
END_TEST

/* Run the driver to its exit; return its exit status, check its output holds @text. */
static int run_driver(const char *const *argv, const char *text)
{
	struct hx_proc *p;
	int status;

	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_exit(p, UPFX_WAIT, &status), 0);
	if (text && !strstr(hx_proc_output(p), text))
		ck_abort_msg("expected \"%s\" in: %s", text, hx_proc_output(p));
	hx_proc_free(p);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void config(const char *text)
{
	FILE *fp = fopen(f.conf, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_config)
{
	const char *check[] = { hx_bin("dbus-up5000-hybrid"), "-n", "-c", f.conf, "ttyUSB0", NULL };
	const char *bad_tty[] = { hx_bin("dbus-up5000-hybrid"), "-n", "/dev/pts/3", NULL };
	const char *no_tty[] = { hx_bin("dbus-up5000-hybrid"), "-n", NULL };
	const char *unit[] = { hx_bin("dbus-up5000-hybrid"), "-n", "--unit=300", "ttyUSB0", NULL };

	config("[dvcc]\ntimeout = -5\n");
	ck_assert_int_eq(run_driver(check, "[dvcc] timeout = -5"), 1);
	config("[dvcc]\ntimout = 5\n");
	ck_assert_int_eq(run_driver(check, "[dvcc] timout"), 1);
	config("[relay]\nenabled = yes\non_soc = 90\noff_soc = 95\n");
	ck_assert_int_eq(run_driver(check, "[relay] off_soc = 95"), 1);
	config("[link]\nunit = 1\n[relay]\nenabled = yes\non_soc = 95\noff_soc = 90\n");
	ck_assert_int_eq(run_driver(check, NULL), 0);
	ck_assert_int_eq(run_driver(bad_tty, "cannot be a D-Bus service name"), 1);
	ck_assert_int_eq(run_driver(no_tty, "missing argument"), 1);
	ck_assert_int_eq(run_driver(unit, "--unit=300"), 1);
}
END_TEST

/* doc/drivers/up5000.rst holds the key table the program prints. */
START_TEST(test_doc_reference)
{
	const char *argv[] = { hx_bin("dbus-up5000-hybrid"), "--config-reference", NULL };
	char *top = g_path_get_dirname(hx_build_dir()), *doc, *page = NULL;
	struct hx_proc *p;

	doc = g_build_filename(top, "doc", "drivers", "up5000.rst", NULL);
	ck_assert_msg(g_file_get_contents(doc, &page, NULL, NULL), "cannot read %s", doc);
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_exit(p, UPFX_WAIT, NULL), 0);
	ck_assert_msg(strstr(page, hx_proc_output(p)),
		      "%s: the key table differs from --config-reference", doc);
	hx_proc_free(p);
	g_free(page);
	g_free(doc);
	g_free(top);
}
END_TEST

/* A real Multi on the bus with a higher instance: ours moves above it. */
static struct hx_proc *real_multi(void)
{
	char spec[600];
	const char *argv[] = { hx_bin("ve-virtual"), spec, NULL };
	struct hx_proc *p;
	FILE *fp;

	snprintf(spec, sizeof(spec), "%s/multi.spec", hx_bus_dir(f.bus));
	fp = fopen(spec, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("service com.victronenergy.vebus.ttyS4\nproductname MultiPlus-II\n"
	      "deviceinstance 400\nfirmwareversion 0x510\n/State i 9\n",
	      fp);
	fclose(fp);
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_log(p, "READY", UPFX_WAIT), 0);
	return p;
}

START_TEST(test_not_main_multi)
{
	struct hx_proc *multi = real_multi();

	upfx_start(&f, NULL);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_VEBUS, "/DeviceInstance", 401, UPFX_WAIT), 0);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "com.victronenergy.vebus.ttyS4 "
							    "(instance 400) is on the bus"));
	hx_proc_free(multi);
}
END_TEST

START_TEST(test_main_multi)
{
	struct hx_proc *multi = real_multi();

	upfx_start(&f, "[device]\nmain_multi = yes\n");
	upfx_wait_cycles(&f, 3);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_VEBUS, "/DeviceInstance", 300, 0), 0);
	hx_proc_free(multi);
}
END_TEST

START_TEST(test_sigterm)
{
	upfx_start(&f, NULL);
	ck_assert_int_eq(hx_proc_stop(f.drv, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_name(f.cl, UPFX_SOLAR, false, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_name(f.cl, UPFX_VEBUS, false, UPFX_WAIT), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000");
	TCase *tc = tcase_create("publish");

	if (!hx_have_program("dbus-daemon"))
		return 77;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_solarcharger);
	tcase_add_test(tc, test_vebus);
	tcase_add_test(tc, test_first_getitems);
	tcase_add_test(tc, test_signed_low_word_first);
	tcase_add_test(tc, test_status_bits);
	tcase_add_test(tc, test_energy_never_backwards);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_probe_fails);
	tcase_add_test(tc, test_probe_first_request_lost);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_doc_reference);
	tcase_add_test(tc, test_not_main_multi);
	tcase_add_test(tc, test_main_multi);
	tcase_add_test(tc, test_sigterm);
	suite_add_tcase(s, tc);
	return check_run(s);
}
