/* SPDX-License-Identifier: MIT */
/* test-vedbus-bus.c - the libvedbus contract on a private bus, through ve-virtual services */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define BATT "com.victronenergy.battery.t1"
#define BATT2 "com.victronenergy.battery.t2"
#define WAIT 5000

static struct hx_bus *bus;
static struct hx_client *cl;
static char dir[256];

static const char batt_spec[] =
	"service " BATT "\n"
	"productname Test BMS\n"
	"productid 0xB0FF\n"
	"deviceinstance 512\n"
	"/Dc/0/Voltage d 53.2 V 2\n"
	"/Dc/0/Current d 4.5 A 1\n"
	"/Soc d 80 % 0\n"
	"/Info/MaxChargeVoltage d 55.2 w V 2\n"
	"/Mode i 3 w\n"
	"/Name s \"My battery\" w\n"
	"/Empty d invalid\n";

static void write_file(const char *name, const char *text, char *ret_path, size_t len)
{
	FILE *f;

	snprintf(ret_path, len, "%s/%s", dir, name);
	f = fopen(ret_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The battery spec under another service name and instance. */
static void write_spec(const char *file, const char *service, char *ret_path, size_t len)
{
	char *text = g_strdup_printf("service %s\n%s", service, strchr(batt_spec, '\n') + 1);

	write_file(file, text, ret_path, len);
	g_free(text);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vhd-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(hx_bus_start(&bus), 0);
	ck_assert_int_eq(hx_client_new(hx_bus_address(bus), &cl), 0);
}

static void teardown(void)
{
	char cmd[300];

	cl = hx_client_free(cl);
	bus = hx_bus_stop(bus);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

/* ve-virtual with @n specs; waits for READY. */
static struct hx_proc *virtual(const char *const *specs, int n, bool settings)
{
	const char *argv[8] = { hx_bin("ve-virtual") };
	struct hx_proc *p = NULL;
	int i, a = 1;

	if (settings)
		argv[a++] = "--settings";
	for (i = 0; i < n; i++)
		argv[a++] = specs[i];
	ck_assert_int_eq(hx_spawn(argv, NULL, HX_SPAWN_STDIN, &p), 0);
	ck_assert_int_eq(hx_proc_wait_log(p, "READY", WAIT), 0);
	return p;
}

static struct hx_proc *battery(void)
{
	char spec[300];
	const char *specs[1] = { spec };

	write_file("b.spec", batt_spec, spec, sizeof(spec));
	return virtual(specs, 1, false);
}

static struct hx_proc *settingsd(void)
{
	char file[300];
	const char *argv[] = { hx_bin("ve-settingsd"), "-f", file, NULL };
	struct hx_proc *p = NULL;

	snprintf(file, sizeof(file), "%s/settings.ini", dir);
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_wait_name(cl, "com.victronenergy.settings", true, WAIT), 0);
	return p;
}

START_TEST(first_get_items_has_every_path)
{
	static const char *const paths[] = {
		"/DeviceInstance", "/ProductId", "/ProductName", "/Mgmt/ProcessName",
		"/Mgmt/Connection", "/Connected", "/CustomName", "/FirmwareVersion",
		"/Dc/0/Voltage", "/Dc/0/Current", "/Soc", "/Info/MaxChargeVoltage", "/Mode",
		"/Name", "/Empty", NULL,
	};
	struct hx_proc *p;
	struct hx_value v;
	DBusMessage *items;
	int i;

	p = battery();
	/* the very first GetItems after the name appears */
	ck_assert_int_eq(hx_wait_name(cl, BATT, true, WAIT), 0);
	ck_assert_int_eq(hx_get_items(cl, BATT, &items), 0);
	ck_assert_str_eq(dbus_message_get_signature(items), "a{sa{sv}}");
	for (i = 0; paths[i]; i++)
		ck_assert_msg(hx_items_find(items, paths[i], &v, NULL, 0) == 0, "%s", paths[i]);
	ck_assert_int_eq(hx_items_find(items, "/DeviceInstance", &v, NULL, 0), 0);
	ck_assert_str_eq(v.sig, "i");
	ck_assert_int_eq(v.i, 512);
	ck_assert_int_eq(hx_items_find(items, "/Empty", &v, NULL, 0), 0);
	ck_assert_str_eq(v.sig, "ai");
	ck_assert_int_eq(hx_items_find(items, "/Dc/0/Voltage", &v, NULL, 0), 0);
	ck_assert_str_eq(v.sig, "d");
	dbus_message_unref(items);
	hx_proc_free(p);
}
END_TEST

START_TEST(interface_less_calls_and_introspection)
{
	struct hx_proc *p = battery();
	DBusMessage *reply;
	const char *xml;
	char text[64];

	ck_assert_int_eq(hx_call(cl, BATT, "/Dc/0/Voltage", NULL, "GetValue", &reply,
				 DBUS_TYPE_INVALID), 0);
	ck_assert_str_eq(dbus_message_get_signature(reply), "v");
	dbus_message_unref(reply);
	ck_assert_int_eq(hx_get_text(cl, BATT, "/Dc/0/Voltage", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "53.20V");
	ck_assert_int_eq(hx_get_text(cl, BATT, "/Empty", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "---");

	ck_assert_int_eq(hx_call(cl, BATT, "/", NULL, "Introspect", &reply, DBUS_TYPE_INVALID), 0);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID));
	ck_assert_ptr_nonnull(strstr(xml, "<node name=\"Dc\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<node name=\"Info\"/>"));
	dbus_message_unref(reply);
	ck_assert_int_eq(hx_call(cl, BATT, "/Dc/0", "org.freedesktop.DBus.Introspectable",
				 "Introspect", &reply, DBUS_TYPE_INVALID), 0);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID));
	ck_assert_ptr_nonnull(strstr(xml, "<node name=\"Voltage\"/>"));
	dbus_message_unref(reply);

	ck_assert_int_eq(hx_call(cl, BATT, "/Nope", NULL, "GetValue", &reply, DBUS_TYPE_INVALID),
			 -EREMOTEIO);
	ck_assert_str_eq(dbus_message_get_error_name(reply), DBUS_ERROR_UNKNOWN_OBJECT);
	dbus_message_unref(reply);
	hx_proc_free(p);
}
END_TEST

START_TEST(set_value_codes_and_keepalives)
{
	struct hx_proc *p = battery();
	struct vedbus_value v;
	dbus_uint16_t mode = 4;
	int code = -1, i;

	v = vedbus_double(1.0);
	ck_assert_int_eq(hx_set_value(cl, BATT, "/Dc/0/Voltage", &v, &code), 0);
	ck_assert_int_eq(code, 1);
	v = vedbus_string("x");
	ck_assert_int_eq(hx_set_value(cl, BATT, "/Info/MaxChargeVoltage", &v, &code), 0);
	ck_assert_int_eq(code, 1);
	ck_assert_int_eq(hx_set_raw(cl, BATT, "/Mode", DBUS_TYPE_UINT16, &mode, &code), 0);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(hx_wait_int(cl, BATT, "/Mode", 4, WAIT), 0);

	hx_sync(cl, BATT);
	hx_clear_signals(cl);
	v = vedbus_double(54.0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(hx_set_value(cl, BATT, "/Info/MaxChargeVoltage", &v, &code), 0);
		ck_assert_int_eq(code, 0);
	}
	/* every write reached the owner, but only the first changed anything */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(hx_proc_wait_log(p, "W " BATT " /Info/MaxChargeVoltage 54", WAIT),
				 0);
	ck_assert_int_eq(hx_sync(cl, BATT), 0);
	ck_assert_int_eq(hx_count_signals(cl, "PropertiesChanged", "/Info/MaxChargeVoltage"), 1);
	ck_assert_int_eq(hx_count_signals(cl, "ItemsChanged", "/"), 1);
	hx_proc_free(p);
}
END_TEST

START_TEST(one_items_changed_per_flush_and_none_when_unchanged)
{
	struct hx_proc *p = battery();
	struct hx_value v;
	DBusMessage *sig;

	hx_sync(cl, BATT);
	hx_clear_signals(cl);
	ck_assert_int_eq(hx_proc_write(p, "/Soc 81; /Dc/0/Voltage 53.3; /Dc/0/Current invalid"), 0);
	ck_assert_int_eq(hx_wait_signal(cl, "ItemsChanged", "/", WAIT, &sig), 0);
	ck_assert_int_eq(hx_items_find(sig, "/Soc", &v, NULL, 0), 0);
	ck_assert(v.d == 81);
	ck_assert_int_eq(hx_items_find(sig, "/Dc/0/Current", &v, NULL, 0), 0);
	ck_assert_str_eq(v.sig, "ai");
	ck_assert_int_eq(hx_items_find(sig, "/Mode", &v, NULL, 0), -ENOENT);
	dbus_message_unref(sig);
	ck_assert_int_eq(hx_sync(cl, BATT), 0);
	ck_assert_int_eq(hx_count_signals(cl, "ItemsChanged", NULL), 0);
	ck_assert_int_eq(hx_count_signals(cl, "PropertiesChanged", NULL), 3);

	hx_clear_signals(cl);
	ck_assert_int_eq(hx_proc_write(p, "/Soc 81; /Dc/0/Voltage 53.3"), 0);
	ck_assert_int_eq(hx_proc_write(p, "/Mode 5"), 0);
	ck_assert_int_eq(hx_wait_signal(cl, "ItemsChanged", "/", WAIT, &sig), 0);
	/* the unchanged line sent nothing: the first ItemsChanged is the /Mode one */
	ck_assert_int_eq(hx_items_find(sig, "/Mode", &v, NULL, 0), 0);
	ck_assert_int_eq(hx_items_find(sig, "/Soc", &v, NULL, 0), -ENOENT);
	dbus_message_unref(sig);
	hx_proc_free(p);
}
END_TEST

static pid_t name_pid(const char *name)
{
	DBusMessage *reply;
	dbus_uint32_t pid = 0;

	ck_assert_int_eq(hx_call(cl, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				 "org.freedesktop.DBus", "GetConnectionUnixProcessID", &reply,
				 DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID), 0);
	dbus_message_get_args(reply, NULL, DBUS_TYPE_UINT32, &pid, DBUS_TYPE_INVALID);
	dbus_message_unref(reply);
	return (pid_t)pid;
}

static const char *unique_name(const char *name)
{
	static char buf[64];
	DBusMessage *reply;
	const char *owner;

	ck_assert_int_eq(hx_call(cl, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				 "org.freedesktop.DBus", "GetNameOwner", &reply,
				 DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID), 0);
	dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID);
	snprintf(buf, sizeof(buf), "%s", owner);
	dbus_message_unref(reply);
	return buf;
}

START_TEST(two_services_in_one_process_on_two_connections)
{
	char a[300], b[300], owner_a[64];
	const char *specs[2] = { a, b };
	struct hx_proc *p;

	write_spec("a.spec", BATT, a, sizeof(a));
	write_spec("b.spec", BATT2, b, sizeof(b));
	p = virtual(specs, 2, false);
	ck_assert_int_eq(hx_wait_name(cl, BATT, true, WAIT), 0);
	ck_assert_int_eq(hx_wait_name(cl, BATT2, true, WAIT), 0);
	ck_assert_int_eq(name_pid(BATT), name_pid(BATT2));
	snprintf(owner_a, sizeof(owner_a), "%s", unique_name(BATT));
	ck_assert_str_ne(owner_a, unique_name(BATT2));
	ck_assert_int_eq(hx_proc_write(p, BATT2 " /Soc 12"), 0);
	ck_assert_int_eq(hx_wait_double(cl, BATT2, "/Soc", 12, 0.001, WAIT), 0);
	ck_assert_int_eq(hx_wait_double(cl, BATT, "/Soc", 80, 0.001, WAIT), 0);
	hx_proc_free(p);
}
END_TEST

START_TEST(a_taken_name_is_a_clear_error)
{
	struct hx_proc *p = battery(), *q = NULL;
	char spec[300];
	const char *argv[] = { hx_bin("ve-virtual"), spec, NULL };
	int status;

	write_file("b.spec", batt_spec, spec, sizeof(spec));
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &q), 0);
	ck_assert_int_eq(hx_proc_wait_exit(q, WAIT, &status), 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(q), BATT));
	hx_proc_free(q);
	hx_proc_free(p);
}
END_TEST

START_TEST(settings_late_and_instances_bumped)
{
	char a[300], b[300];
	const char *specs[2] = { a, b };
	struct hx_proc *p, *s;
	struct hx_value va, vb;

	write_spec("a.spec", BATT, a, sizeof(a));
	write_spec("b.spec", BATT2, b, sizeof(b));
	/* both ask for battery:512, before any settings service exists */
	p = virtual(specs, 2, true);
	ck_assert_int_eq(hx_wait_int(cl, BATT, "/DeviceInstance", 512, WAIT), 0);
	ck_assert_int_eq(hx_wait_int(cl, BATT2, "/DeviceInstance", 512, WAIT), 0);
	s = settingsd();
	/* the settings service grants 512 to one and bumps the other to 513 */
	for (;;) {
		ck_assert_int_eq(hx_get_value(cl, BATT, "/DeviceInstance", &va), 0);
		ck_assert_int_eq(hx_get_value(cl, BATT2, "/DeviceInstance", &vb), 0);
		if (va.i != vb.i)
			break;
		ck_assert_int_eq(hx_wait_signal(cl, "PropertiesChanged", "/DeviceInstance", WAIT,
						NULL), 0);
	}
	ck_assert_int_eq(va.i + vb.i, 512 + 513);
	hx_proc_free(p);
	hx_proc_free(s);
}
END_TEST

START_TEST(custom_name_is_stored_in_settings)
{
	char a[300];
	const char *specs[1] = { a };
	struct hx_proc *p, *s;
	struct vedbus_value v = vedbus_string("Shed battery");
	int code = -1;

	s = settingsd();
	write_spec("a.spec", BATT, a, sizeof(a));
	p = virtual(specs, 1, true);
	ck_assert_int_eq(hx_set_value(cl, BATT, "/CustomName", &v, &code), 0);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(hx_wait_string(cl, "com.victronenergy.settings",
					"/Settings/Devices/virtual_t1/CustomName", "Shed battery",
					WAIT), 0);
	/* and a name set in settings (the GUI) reaches the device service */
	v = vedbus_string("Garage");
	ck_assert_int_eq(hx_set_value(cl, "com.victronenergy.settings",
				      "/Settings/Devices/virtual_t1/CustomName", &v, &code), 0);
	ck_assert_int_eq(hx_wait_string(cl, BATT, "/CustomName", "Garage", WAIT), 0);
	hx_proc_free(p);
	hx_proc_free(s);
}
END_TEST

START_TEST(a_client_leaving_mid_call_harms_nothing)
{
	struct hx_proc *p = battery();
	DBusConnection *raw;
	DBusMessage *msg;
	int i;

	for (i = 0; i < 20; i++) {
		raw = dbus_connection_open_private(hx_bus_address(bus), NULL);
		ck_assert_ptr_nonnull(raw);
		ck_assert(dbus_bus_register(raw, NULL));
		msg = dbus_message_new_method_call(BATT, "/", NULL, "GetItems");
		dbus_connection_send(raw, msg, NULL);
		dbus_connection_flush(raw);
		dbus_message_unref(msg);
		dbus_connection_close(raw);
		dbus_connection_unref(raw);
	}
	ck_assert_int_eq(hx_wait_double(cl, BATT, "/Soc", 80, 0.001, WAIT), 0);
	ck_assert_int_eq(hx_proc_stop(p, WAIT), 0);
	hx_proc_free(p);
}
END_TEST

START_TEST(monitor_follows_appear_change_and_disappear)
{
	const char *argv[] = { hx_bin("vedbus-follow"), "com.victronenergy.battery",
			       "/Info/MaxChargeVoltage", NULL };
	struct hx_proc *f = NULL, *p;

	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &f), 0);
	ck_assert_int_eq(hx_proc_wait_log(f, "READY", WAIT), 0);
	p = battery();
	ck_assert_int_eq(hx_proc_wait_log(f, "F " BATT " /Info/MaxChargeVoltage 55.2", WAIT), 0);
	ck_assert_int_eq(hx_proc_write(p, "/Info/MaxChargeVoltage 54.8; /Soc 70"), 0);
	ck_assert_int_eq(hx_proc_wait_log(f, "F " BATT " /Info/MaxChargeVoltage 54.8", WAIT), 0);
	ck_assert_int_eq(hx_proc_stop(p, WAIT), 0);
	ck_assert_int_eq(hx_proc_wait_log(f, "F " BATT " /Info/MaxChargeVoltage ---", WAIT), 0);
	/* /Soc is not followed: it never showed up */
	ck_assert_ptr_null(strstr(hx_proc_output(f), "/Soc"));
	ck_assert_int_eq(hx_proc_stop(f, WAIT), 0);
	hx_proc_free(p);
	hx_proc_free(f);
}
END_TEST

START_TEST(a_service_exits_when_the_bus_goes_away)
{
	struct hx_proc *p = battery();
	int status;

	cl = hx_client_free(cl);
	bus = hx_bus_stop(bus);
	ck_assert_int_eq(hx_proc_wait_exit(p, WAIT, &status), 0);
	ck_assert_msg(WIFEXITED(status), "killed by signal %d", WTERMSIG(status));
	hx_proc_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vedbus-bus");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, first_get_items_has_every_path);
	tcase_add_test(tc, interface_less_calls_and_introspection);
	tcase_add_test(tc, set_value_codes_and_keepalives);
	tcase_add_test(tc, one_items_changed_per_flush_and_none_when_unchanged);
	tcase_add_test(tc, two_services_in_one_process_on_two_connections);
	tcase_add_test(tc, a_taken_name_is_a_clear_error);
	tcase_add_test(tc, settings_late_and_instances_bumped);
	tcase_add_test(tc, custom_name_is_stored_in_settings);
	tcase_add_test(tc, a_client_leaving_mid_call_harms_nothing);
	tcase_add_test(tc, monitor_follows_appear_change_and_disappear);
	tcase_add_test(tc, a_service_exits_when_the_bus_goes_away);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hx_run_suite(suite());
}
