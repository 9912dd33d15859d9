// SPDX-License-Identifier: MIT
/* test-settingsd.c - ve-settingsd on a private bus: localsettings' API, limits, instances, file */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "harness.h"

#define SETTINGS "com.victronenergy.settings"
#define WAIT	 5000

static struct hx_bus *bus;
static struct hx_client *cl;
static char dir[256];
static char file[300];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vhd-settingsd-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/settings.ini", dir);
	ck_assert_int_eq(hx_bus_start(&bus), 0);
	ck_assert_int_eq(hx_client_new(hx_bus_address(bus), &cl), 0);
}

static void teardown(void)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);

	cl = hx_client_free(cl);
	bus = hx_bus_stop(bus);
	(void)system(cmd);
}

/* ve-settingsd -v on the test's file; returns once the name is claimed. */
static struct hx_proc *settingsd(void)
{
	const char *argv[] = { hx_bin("ve-settingsd"), "-v", "-f", file, NULL };
	struct hx_proc *p = NULL;

	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_wait_name(cl, SETTINGS, true, WAIT), 0);
	return p;
}

/* Our own variant encoder: the daemon decodes with libvedbus, the test must not. */
static void append_variant(DBusMessageIter *it, const struct vedbus_value *v)
{
	static const char *const sigs[] = { "ai", "i", "d", "s" };
	dbus_int32_t i = (dbus_int32_t)v->u.i;
	DBusMessageIter var, arr;

	dbus_message_iter_open_container(it, DBUS_TYPE_VARIANT, sigs[v->type], &var);
	if (v->type == VEDBUS_TYPE_INT)
		dbus_message_iter_append_basic(&var, DBUS_TYPE_INT32, &i);
	else if (v->type == VEDBUS_TYPE_DOUBLE)
		dbus_message_iter_append_basic(&var, DBUS_TYPE_DOUBLE, &v->u.d);
	else if (v->type == VEDBUS_TYPE_STRING)
		dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &v->u.s);
	else if (dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, "i", &arr))
		dbus_message_iter_close_container(&var, &arr);
	dbus_message_iter_close_container(it, &var);
}

static void append_entry(DBusMessageIter *dict, const char *key, const struct vedbus_value *v)
{
	DBusMessageIter e;

	dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	append_variant(&e, v);
	dbus_message_iter_close_container(dict, &e);
}

/* One AddSettings entry; a NULL path leaves the key out, INVALID limits too. */
struct add {
	const char *path;
	struct vedbus_value def, min, max;
	bool silent;
};

struct result {
	char path[128];
	int error;
	bool has_value;
	struct hx_value value;
};

static void read_result(DBusMessageIter *dict, struct result *r)
{
	DBusMessageIter e;
	struct hx_value v;
	const char *key;

	memset(r, 0, sizeof(*r));
	for (; dbus_message_iter_get_arg_type(dict) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(dict)) {
		dbus_message_iter_recurse(dict, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		ck_assert_int_eq(hx_value_read(&e, &v), 0);
		if (strcmp(key, "path") == 0)
			g_strlcpy(r->path, v.s, sizeof(r->path));
		else if (strcmp(key, "error") == 0)
			r->error = (int)v.i;
		else if (strcmp(key, "value") == 0)
			r->value = v, r->has_value = true;
	}
}

/* AddSettings on @base (@iface may be NULL) with @n entries; results into @ret. */
static void add_settings(const char *base, const char *iface, const struct add *adds, int n,
			 struct result *ret)
{
	DBusMessage *msg = dbus_message_new_method_call(SETTINGS, base, iface, "AddSettings");
	DBusMessageIter it, arr, dict, rit, rarr, rdict;
	struct vedbus_value on = vedbus_int(1);
	DBusMessage *reply = NULL;
	int i;

	dbus_message_iter_init_append(msg, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "a{sv}", &arr);
	for (i = 0; i < n; i++) {
		struct vedbus_value path = vedbus_string(adds[i].path);

		dbus_message_iter_open_container(&arr, DBUS_TYPE_ARRAY, "{sv}", &dict);
		if (adds[i].path)
			append_entry(&dict, "path", &path);
		append_entry(&dict, "default", &adds[i].def);
		if (vedbus_value_is_valid(&adds[i].min))
			append_entry(&dict, "min", &adds[i].min);
		if (vedbus_value_is_valid(&adds[i].max))
			append_entry(&dict, "max", &adds[i].max);
		if (adds[i].silent)
			append_entry(&dict, "silent", &on);
		dbus_message_iter_close_container(&arr, &dict);
	}
	dbus_message_iter_close_container(&it, &arr);
	ck_assert_int_eq(hx_call_message(cl, msg, WAIT, &reply), 0);
	ck_assert_str_eq(dbus_message_get_signature(reply), "aa{sv}");
	dbus_message_iter_init(reply, &rit);
	dbus_message_iter_recurse(&rit, &rarr);
	for (i = 0; i < n; i++, dbus_message_iter_next(&rarr)) {
		dbus_message_iter_recurse(&rarr, &rdict);
		read_result(&rdict, &ret[i]);
	}
	dbus_message_unref(reply);
	dbus_message_unref(msg);
}

/* One setting with default @def on @base; asserts success. Return: the granted value. */
static struct hx_value add_one(const char *base, const char *path, struct vedbus_value def)
{
	struct add a = { path, def, vedbus_invalid(), vedbus_invalid() };
	struct result r;

	add_settings(base, "com.victronenergy.Settings", &a, 1, &r);
	ck_assert_int_eq(r.error, 0);
	ck_assert(r.has_value);
	return r.value;
}

static int set_value(const char *path, struct vedbus_value v)
{
	int code = 99;

	ck_assert_int_eq(hx_set_value(cl, SETTINGS, path, &v, &code), 0);
	return code;
}

/* A method without arguments that answers one int32. */
static int call_int(const char *path, const char *iface, const char *member)
{
	DBusMessage *reply = NULL;
	dbus_int32_t i = 99;

	ck_assert_int_eq(hx_call(cl, SETTINGS, path, iface, member, &reply, DBUS_TYPE_INVALID), 0);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_INT32, &i, DBUS_TYPE_INVALID));
	dbus_message_unref(reply);
	return i;
}

static struct hx_value get_value(const char *path)
{
	struct hx_value v;

	ck_assert_int_eq(hx_get_value(cl, SETTINGS, path, &v), 0);
	return v;
}

START_TEST(add_settings_error_codes)
{
	const struct vedbus_value none = vedbus_invalid();
	const struct add adds[] = {
		{ "/Settings/T/Int", vedbus_int(5), vedbus_int(0), vedbus_int(10) },
		{ "/Settings/T/_Hidden", vedbus_int(1), none, none },
		{ NULL, vedbus_int(1), none, none },
		{ "/Settings/T/Int", vedbus_string("x"), none, none },
		{ "/Settings/T/Far", vedbus_int(11), vedbus_int(0), vedbus_int(10) },
		{ "/Settings/T", vedbus_int(1), none, none },
		{ "/Elsewhere/X", vedbus_int(1), none, none },
		{ "/Settings/T/Str", vedbus_string("a b"), none, none },
	};
	static const int expect[] = { 0, -2, -4, -5, -7, -8, -9, 0 };
	struct result r[G_N_ELEMENTS(adds)];
	struct hx_proc *p = settingsd();

	/* a call without an interface field, as velib_python's proxies make */
	add_settings("/", NULL, adds, G_N_ELEMENTS(adds), r);
	for (size_t i = 0; i < G_N_ELEMENTS(adds); i++)
		ck_assert_msg(r[i].error == expect[i], "entry %zu: %d, not %d", i, r[i].error,
			      expect[i]);
	ck_assert_str_eq(r[0].path, "/Settings/T/Int");
	ck_assert(r[0].has_value && r[0].value.i == 5);
	ck_assert(!r[1].has_value);
	ck_assert_str_eq(r[7].value.s, "a b");
	/* relative to the group called */
	ck_assert_str_eq(add_one("/Settings/T", "Rel", vedbus_double(1.5)).sig, "d");
	ck_assert_double_eq(get_value("/Settings/T/Rel").d, 1.5);
	hx_proc_free(p);
}
END_TEST

START_TEST(add_setting_classic)
{
	struct hx_proc *p = settingsd();
	DBusMessage *msg = dbus_message_new_method_call(SETTINGS, "/Settings",
							"com.victronenergy.Settings", "AddSetting");
	const char *group = "Classic", *name = "Level", *type = "i";
	struct vedbus_value def = vedbus_int(3), min = vedbus_int(1), max = vedbus_int(9);
	DBusMessage *reply = NULL;
	dbus_int32_t code = 99;
	DBusMessageIter it;

	dbus_message_iter_init_append(msg, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &group);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &name);
	append_variant(&it, &def);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &type);
	append_variant(&it, &min);
	append_variant(&it, &max);
	ck_assert_int_eq(hx_call_message(cl, msg, WAIT, &reply), 0);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_INT32, &code, DBUS_TYPE_INVALID));
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(get_value("/Settings/Classic/Level").i, 3);
	dbus_message_unref(reply);
	dbus_message_unref(msg);
	hx_proc_free(p);
}
END_TEST

START_TEST(min_max_and_readding)
{
	struct add a = { "/Settings/T/Int", vedbus_int(5), vedbus_int(0), vedbus_int(10) };
	struct hx_proc *p = settingsd();
	struct result r;
	DBusMessage *reply = NULL;
	DBusMessageIter it;
	struct hx_value v;

	add_settings("/", NULL, &a, 1, &r);
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(11)), -1);
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(-1)), -1);
	ck_assert_int_eq(get_value("/Settings/T/Int").i, 5);
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(7)), 0);
	ck_assert_int_eq(
		hx_call(cl, SETTINGS, "/Settings/T/Int", NULL, "GetMax", &reply, DBUS_TYPE_INVALID),
		0);
	ck_assert(dbus_message_iter_init(reply, &it));
	ck_assert_int_eq(hx_value_read(&it, &v), 0);
	ck_assert_int_eq(v.i, 10);
	dbus_message_unref(reply);
	/* re-adding keeps the value, stores the new default and limits */
	a.def = vedbus_int(6);
	a.max = vedbus_int(20);
	add_settings("/", NULL, &a, 1, &r);
	ck_assert_int_eq(r.error, 0);
	ck_assert_int_eq(r.value.i, 7);
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(15)), 0);
	ck_assert_int_eq(call_int("/Settings/T/Int", NULL, "SetDefault"), 0);
	ck_assert_int_eq(get_value("/Settings/T/Int").i, 6);
	/* an int written to a float setting is fine */
	add_one("/", "/Settings/T/Float", vedbus_double(0.5));
	ck_assert_int_eq(set_value("/Settings/T/Float", vedbus_int(2)), 0);
	ck_assert_double_eq(get_value("/Settings/T/Float").d, 2.0);
	ck_assert_str_eq(get_value("/Settings/T/Float").sig, "d");
	hx_proc_free(p);
}
END_TEST

START_TEST(class_and_vrm_instance_bumping)
{
	struct hx_proc *p = settingsd();
	const char *a = "/Settings/Devices/a/ClassAndVrmInstance";
	const char *b = "/Settings/Devices/b/ClassAndVrmInstance";

	ck_assert_str_eq(
		add_one("/Settings/Devices", "a/ClassAndVrmInstance", vedbus_string("battery:512"))
			.s,
		"battery:512");
	ck_assert_str_eq(
		add_one("/Settings/Devices", "b/ClassAndVrmInstance", vedbus_string("battery:512"))
			.s,
		"battery:513");
	ck_assert_str_eq(add_one("/Settings/Devices", "c/ClassAndVrmInstance",
				 vedbus_string("solarcharger:512"))
				 .s,
			 "solarcharger:512");
	/* asking for a taken number gives the next free one */
	ck_assert_int_eq(set_value(a, vedbus_string("battery:513")), 0);
	ck_assert_str_eq(get_value(a).s, "battery:514");
	ck_assert_int_eq(set_value(b, vedbus_string("nonsense")), -1);
	ck_assert_str_eq(get_value(b).s, "battery:513");
	ck_assert_int_eq(call_int(a, "com.victronenergy.BusItem", "SetDefault"), -1);
	hx_proc_free(p);
}
END_TEST

START_TEST(properties_changed_only)
{
	struct hx_proc *p = settingsd();

	add_one("/", "/Settings/T/Int", vedbus_int(1));
	ck_assert_int_eq(hx_sync(cl, SETTINGS), 0);
	hx_clear_signals(cl);
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(2)), 0);
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(2)), 0);
	ck_assert_int_eq(hx_sync(cl, SETTINGS), 0);
	ck_assert_int_eq(hx_count_signals(cl, "PropertiesChanged", "/Settings/T/Int"), 1);
	ck_assert_int_eq(hx_count_signals(cl, "ItemsChanged", NULL), 0);
	hx_proc_free(p);
}
END_TEST

START_TEST(remove_settings)
{
	struct hx_proc *p = settingsd();
	const char *arr[] = { "T/A", "T/Nope" };
	const char **list = arr;
	DBusMessage *reply = NULL;
	dbus_int32_t *codes;
	struct hx_value v;
	int n;

	add_one("/", "/Settings/T/A", vedbus_int(1));
	ck_assert_int_eq(hx_call(cl, SETTINGS, "/Settings", "com.victronenergy.Settings",
				 "RemoveSettings", &reply, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &list,
				 2, DBUS_TYPE_INVALID),
			 0);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_INT32, &codes, &n,
					DBUS_TYPE_INVALID));
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(codes[0], 0);
	ck_assert_int_eq(codes[1], -1);
	dbus_message_unref(reply);
	ck_assert_int_eq(hx_get_value(cl, SETTINGS, "/Settings/T/A", &v), -EREMOTEIO);
	hx_proc_free(p);
}
END_TEST

START_TEST(persists_across_restart)
{
	struct hx_proc *p = settingsd();

	add_one("/", "/Settings/T/Int", vedbus_int(1));
	add_one("/", "/Settings/T/Name", vedbus_string(""));
	add_one("/Settings/Devices", "x/ClassAndVrmInstance", vedbus_string("grid:40"));
	add_one("/Settings/Devices", "y/ClassAndVrmInstance", vedbus_string("grid:40"));
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(42)), 0);
	ck_assert_int_eq(set_value("/Settings/T/Name", vedbus_string("a \"b\"; #c")), 0);
	/* SIGTERM writes what the debounce has not written yet */
	ck_assert_int_eq(hx_proc_stop(p, WAIT), 0);
	hx_proc_free(p);
	ck_assert_int_eq(hx_wait_name(cl, SETTINGS, false, WAIT), 0);

	p = settingsd();
	ck_assert_int_eq(get_value("/Settings/T/Int").i, 42);
	ck_assert_str_eq(get_value("/Settings/T/Name").s, "a \"b\"; #c");
	ck_assert_str_eq(get_value("/Settings/Devices/y/ClassAndVrmInstance").s, "grid:41");
	/* re-adding after the restart changes nothing */
	ck_assert_int_eq(add_one("/", "/Settings/T/Int", vedbus_int(1)).i, 42);
	hx_proc_free(p);
}
END_TEST

START_TEST(kill_9_keeps_the_file)
{
	struct hx_proc *p = settingsd();
	g_autoptr(GKeyFile) kf = g_key_file_new();

	add_one("/", "/Settings/T/Int", vedbus_int(1));
	ck_assert_int_eq(set_value("/Settings/T/Int", vedbus_int(7)), 0);
	/* -v logs each save: the event to wait for */
	ck_assert_int_eq(hx_proc_wait_log(p, "saved", WAIT), 0);
	ck_assert_int_eq(hx_proc_kill(p, SIGKILL), 0);
	hx_proc_free(p);
	ck_assert(g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, NULL));
	ck_assert_int_eq(g_key_file_get_integer(kf, "/Settings/T/Int", "value", NULL), 7);
	ck_assert_int_eq(hx_wait_name(cl, SETTINGS, false, WAIT), 0);
	p = settingsd();
	ck_assert_int_eq(get_value("/Settings/T/Int").i, 7);
	hx_proc_free(p);
}
END_TEST

START_TEST(corrupted_file_is_set_aside)
{
	g_autofree char *bad = g_strconcat(file, ".bad", NULL);
	g_autofree char *text = NULL;
	struct hx_proc *p;

	ck_assert(g_file_set_contents(file, "[/Settings/A]\ntype=i\nvalue=oops\n", -1, NULL));
	p = settingsd();
	ck_assert_int_eq(hx_proc_wait_log(p, "renamed to", WAIT), 0);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(p), file));
	ck_assert(g_file_get_contents(bad, &text, NULL, NULL));
	ck_assert_ptr_nonnull(strstr(text, "oops"));
	/* and it runs, empty */
	add_one("/", "/Settings/A", vedbus_int(1));
	hx_proc_free(p);
}
END_TEST

static Suite *settingsd_suite(void)
{
	Suite *s = suite_create("settingsd");
	TCase *tc = tcase_create("settingsd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, add_settings_error_codes);
	tcase_add_test(tc, add_setting_classic);
	tcase_add_test(tc, min_max_and_readding);
	tcase_add_test(tc, class_and_vrm_instance_bumping);
	tcase_add_test(tc, properties_changed_only);
	tcase_add_test(tc, remove_settings);
	tcase_add_test(tc, persists_across_restart);
	tcase_add_test(tc, kill_9_keeps_the_file);
	tcase_add_test(tc, corrupted_file_is_set_aside);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hx_run_suite(settingsd_suite());
}
