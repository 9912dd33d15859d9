// SPDX-License-Identifier: MIT
/* test-vedbus-cli.c - the vedbus client's pure parts: value typing, name matching, printing */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* the helpers are part of a tool, not of a library: compile them in */
#include "../../tools/vedbus-util.c"
#include "check-run.h"

/* ------------------------------------------------------------------------------------------ */
/* Values typed on the command line                                                           */

static struct vedbus_value guess(const char *text)
{
	struct vedbus_value v = { .type = -1 };

	ck_assert_int_eq(vedbus_cli_parse_value(text, VEDBUS_CLI_TYPE_GUESS, &v), 0);
	return v;
}

START_TEST(test_guess_int)
{
	static const struct {
		const char *text;
		int64_t value;
	} cases[] = {
		{ "12", 12 },	  { "-5", -5 },
		{ "+7", 7 },	  { "0", 0 },
		{ "0x1F", 31 },	  { "3000000000", 3000000000LL },
		{ "-0x10", -16 }, { "9223372036854775807", INT64_MAX },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct vedbus_value v = guess(cases[i].text);

		ck_assert_msg(v.type == VEDBUS_TYPE_INT, "%s", cases[i].text);
		ck_assert_int_eq(v.u.i, cases[i].value);
	}
}
END_TEST

START_TEST(test_guess_float)
{
	static const struct {
		const char *text;
		double value;
	} cases[] = {
		{ "1.5", 1.5 }, { "-12.25", -12.25 }, { "1e3", 1000.0 },
		{ ".5", 0.5 },	{ "2.", 2.0 },	      { "99999999999999999999", 1e20 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct vedbus_value v = guess(cases[i].text);

		ck_assert_msg(v.type == VEDBUS_TYPE_DOUBLE, "%s", cases[i].text);
		ck_assert_double_eq(v.u.d, cases[i].value);
	}
}
END_TEST

START_TEST(test_guess_string_and_invalid)
{
	static const char *const strings[] = { "abc", "",    " 5", "5 ", "12abc",   "1.2.3",
					       "nan", "inf", "-",  "0x", "Invalid", "1e999" };

	for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
		struct vedbus_value v = guess(strings[i]);

		ck_assert_msg(v.type == VEDBUS_TYPE_STRING, "%s", strings[i]);
		ck_assert_ptr_eq(v.u.s, strings[i]); /* borrowed, not copied */
	}
	ck_assert_int_eq(guess("invalid").type, VEDBUS_TYPE_INVALID);
}
END_TEST

START_TEST(test_typed_values)
{
	struct vedbus_value v;

	ck_assert_int_eq(vedbus_cli_parse_value("1.5", VEDBUS_CLI_TYPE_INT, &v), -EINVAL);
	ck_assert_int_eq(vedbus_cli_parse_value("abc", VEDBUS_CLI_TYPE_INT, &v), -EINVAL);
	ck_assert_int_eq(vedbus_cli_parse_value("99999999999999999999", VEDBUS_CLI_TYPE_INT, &v),
			 -ERANGE);
	ck_assert_int_eq(vedbus_cli_parse_value("12", VEDBUS_CLI_TYPE_FLOAT, &v), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_DOUBLE);
	ck_assert_double_eq(v.u.d, 12.0);
	ck_assert_int_eq(vedbus_cli_parse_value("1e999", VEDBUS_CLI_TYPE_FLOAT, &v), -ERANGE);
	ck_assert_int_eq(vedbus_cli_parse_value("x", VEDBUS_CLI_TYPE_FLOAT, &v), -EINVAL);
	ck_assert_int_eq(vedbus_cli_parse_value("invalid", VEDBUS_CLI_TYPE_STRING, &v), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_STRING);
	ck_assert_str_eq(v.u.s, "invalid");
	ck_assert_int_eq(vedbus_cli_parse_value("12", VEDBUS_CLI_TYPE_STRING, &v), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_STRING);
	ck_assert_int_eq(vedbus_cli_parse_value("42", VEDBUS_CLI_TYPE_INVALID, &v), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_INVALID);
}
END_TEST

START_TEST(test_parse_type)
{
	enum vedbus_cli_type t;

	ck_assert_int_eq(vedbus_cli_parse_type("int", &t), 0);
	ck_assert_int_eq(t, VEDBUS_CLI_TYPE_INT);
	ck_assert_int_eq(vedbus_cli_parse_type("float", &t), 0);
	ck_assert_int_eq(t, VEDBUS_CLI_TYPE_FLOAT);
	ck_assert_int_eq(vedbus_cli_parse_type("string", &t), 0);
	ck_assert_int_eq(t, VEDBUS_CLI_TYPE_STRING);
	ck_assert_int_eq(vedbus_cli_parse_type("invalid", &t), 0);
	ck_assert_int_eq(t, VEDBUS_CLI_TYPE_INVALID);
	ck_assert_int_eq(vedbus_cli_parse_type("double", &t), -EINVAL);
	ck_assert_int_eq(vedbus_cli_parse_type("", &t), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Service names and paths                                                                    */

static const char *const names[] = {
	":1.5",
	"org.freedesktop.DBus",
	"com.victronenergy.settings",
	"com.victronenergy.system",
	"com.victronenergy.battery.sim",
	"com.victronenergy.battery.ttyUSB1",
	"com.victronenergy.solarcharger.ttyUSB0",
	"com.victronenergy.grid.cgwacs_ttyUSB0", /* "ttyUSB0" ends it too, but not after a '.' */
	"com.victronenergy.vebus.ttyS4",
};

static int match(const char *arg, const char **ret)
{
	*ret = NULL;
	return vedbus_cli_match_service(names, G_N_ELEMENTS(names), arg, ret);
}

START_TEST(test_match_service)
{
	static const struct {
		const char *arg;
		const char *name;
	} cases[] = {
		{ "com.victronenergy.system", "com.victronenergy.system" },
		{ "org.freedesktop.DBus", "org.freedesktop.DBus" },
		{ ":1.5", ":1.5" },
		{ "settings", "com.victronenergy.settings" },
		{ "battery.sim", "com.victronenergy.battery.sim" },
		{ "sim", "com.victronenergy.battery.sim" },
		{ "ttyUSB0", "com.victronenergy.solarcharger.ttyUSB0" },
		{ "cgwacs", "com.victronenergy.grid.cgwacs_ttyUSB0" },
		{ "solarcharger", "com.victronenergy.solarcharger.ttyUSB0" },
		{ "USB1", "com.victronenergy.battery.ttyUSB1" },
		{ "vebus", "com.victronenergy.vebus.ttyS4" },
		{ "sys", "com.victronenergy.system" },
	};
	const char *found;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		ck_assert_msg(match(cases[i].arg, &found) == 0, "%s", cases[i].arg);
		ck_assert_str_eq(found, cases[i].name);
	}
}
END_TEST

START_TEST(test_match_service_fails)
{
	const char *found;

	ck_assert_int_eq(match("battery", &found), -ENOTUNIQ);
	ck_assert_int_eq(match("ttyUSB", &found), -ENOTUNIQ);
	ck_assert_int_eq(match("com.victronenergy", &found), -ENOTUNIQ);
	ck_assert_int_eq(match("tank", &found), -ENOENT);
	/* abbreviations only stand for com.victronenergy names */
	ck_assert_int_eq(match("freedesktop", &found), -ENOENT);
	ck_assert_int_eq(match("", &found), -ENOENT);
	ck_assert_ptr_null(found);
	ck_assert_int_eq(vedbus_cli_match_service(NULL, 0, "x", &found), -ENOENT);
}
END_TEST

START_TEST(test_is_victron)
{
	ck_assert(vedbus_cli_is_victron("com.victronenergy.x"));
	ck_assert(!vedbus_cli_is_victron("com.victronenergy."));
	ck_assert(!vedbus_cli_is_victron("com.victronenergyx.y"));
	ck_assert(!vedbus_cli_is_victron(":1.4"));
}
END_TEST

START_TEST(test_path_selected)
{
	char *dc[] = { "/Dc", NULL };
	char *slash[] = { "/Dc/", NULL };
	char *root[] = { "/", NULL };
	char *glob[] = { "/Ac/*/Power", "/Soc", NULL };

	ck_assert(vedbus_cli_path_selected("/Anything", NULL));
	ck_assert(vedbus_cli_path_selected("/Dc", dc));
	ck_assert(vedbus_cli_path_selected("/Dc/0/Voltage", dc));
	ck_assert(!vedbus_cli_path_selected("/DcX", dc));
	ck_assert(!vedbus_cli_path_selected("/Ac", dc));
	ck_assert(vedbus_cli_path_selected("/Dc/0", slash));
	ck_assert(vedbus_cli_path_selected("/Mgmt/Connection", root));
	ck_assert(vedbus_cli_path_selected("/Ac/L1/Power", glob));
	ck_assert(!vedbus_cli_path_selected("/Ac/L1/Voltage", glob));
	ck_assert(vedbus_cli_path_selected("/Soc", glob));
	ck_assert(!vedbus_cli_path_selected("/Socket", glob));
}
END_TEST

START_TEST(test_paths_normalize_join)
{
	static const char *const cases[][2] = {
		{ "/Dc/0", "/Dc/0" }, { "Dc/0", "/Dc/0" }, { "/Dc/", "/Dc" },
		{ "/", "/" },	      { "", "/" },	   { "//", "/" },
	};
	char *s;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		s = vedbus_cli_normalize_path(cases[i][0]);
		ck_assert_str_eq(s, cases[i][1]);
		g_free(s);
	}
	s = vedbus_cli_join_path("/", "Dc/0/Voltage");
	ck_assert_str_eq(s, "/Dc/0/Voltage");
	g_free(s);
	s = vedbus_cli_join_path("/Dc", "0/Voltage");
	ck_assert_str_eq(s, "/Dc/0/Voltage");
	g_free(s);
	s = vedbus_cli_join_path("/Dc", "/0");
	ck_assert_str_eq(s, "/Dc/0");
	g_free(s);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Printing values: messages built with plain libdbus, no bus                                 */

static DBusMessage *msg;
static DBusMessageIter app;

static void msg_setup(void)
{
	msg = dbus_message_new_method_call("com.example", "/", "com.example", "M");
	ck_assert_ptr_nonnull(msg);
	dbus_message_iter_init_append(msg, &app);
}

static void msg_teardown(void)
{
	dbus_message_unref(msg);
	msg = NULL;
}

static void open_(DBusMessageIter *it, int type, const char *sig, DBusMessageIter *sub)
{
	ck_assert(dbus_message_iter_open_container(it, type, sig, sub));
}

static void close_(DBusMessageIter *it, DBusMessageIter *sub)
{
	ck_assert(dbus_message_iter_close_container(it, sub));
}

static void basic(DBusMessageIter *it, int type, const void *value)
{
	ck_assert(dbus_message_iter_append_basic(it, type, value));
}

/* A variant holding one basic value. */
static void variant(DBusMessageIter *it, int type, const void *value)
{
	char sig[2] = { (char)type, 0 };
	DBusMessageIter v;

	open_(it, DBUS_TYPE_VARIANT, sig, &v);
	basic(&v, type, value);
	close_(it, &v);
}

/* A variant holding an empty array of @elem: the invalid marker when @elem is "i". */
static void empty_array(DBusMessageIter *it, const char *elem)
{
	char *sig = g_strconcat("a", elem, NULL);
	DBusMessageIter v, a;

	open_(it, DBUS_TYPE_VARIANT, sig, &v);
	open_(&v, DBUS_TYPE_ARRAY, elem, &a);
	close_(&v, &a);
	close_(it, &v);
	g_free(sig);
}

/* The first argument of msg printed with @flags; static storage. */
static const char *printed(unsigned int flags)
{
	static char buf[512];
	DBusMessageIter it;
	GString *out = g_string_new(NULL);

	ck_assert(dbus_message_iter_init(msg, &it));
	vedbus_cli_print_iter(out, &it, flags);
	g_strlcpy(buf, out->str, sizeof(buf));
	g_string_free(out, TRUE);
	return buf;
}

START_TEST(test_print_numbers)
{
	static const struct {
		double d;
		const char *text;
	} doubles[] = {
		{ 52.0, "52.0" },
		{ 0.1, "0.1" },
		{ -12.25, "-12.25" },
		{ 1e300, "1e+300" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ 0.0, "0.0" },
	};
	GString *out = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(doubles); i++) {
		g_string_truncate(out, 0);
		vedbus_cli_print_double(out, doubles[i].d, false);
		ck_assert_str_eq(out->str, doubles[i].text);
		ck_assert_double_eq(g_ascii_strtod(out->str, NULL), doubles[i].d);
	}
	g_string_truncate(out, 0);
	vedbus_cli_print_double(out, NAN, false);
	g_string_append_c(out, ' ');
	vedbus_cli_print_double(out, -INFINITY, false);
	g_string_append_c(out, ' ');
	vedbus_cli_print_double(out, NAN, true);
	ck_assert_str_eq(out->str, "nan -inf null");
	g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_print_basic_types)
{
	static const char *const expect[] = {
		"-7",	      "true", "18446744073709551615", "-9223372036854775808", "255",
		"/some/path", "-7",
	};
	dbus_int32_t i = -7;
	dbus_bool_t b = TRUE;
	dbus_uint64_t u = UINT64_MAX;
	dbus_int64_t x = INT64_MIN;
	unsigned char y = 255;
	const char *o = "/some/path";
	GString *out = g_string_new(NULL);
	DBusMessageIter v, it;
	size_t n = 0;

	variant(&app, DBUS_TYPE_INT32, &i);
	variant(&app, DBUS_TYPE_BOOLEAN, &b);
	variant(&app, DBUS_TYPE_UINT64, &u);
	variant(&app, DBUS_TYPE_INT64, &x);
	variant(&app, DBUS_TYPE_BYTE, &y);
	variant(&app, DBUS_TYPE_OBJECT_PATH, &o);
	open_(&app, DBUS_TYPE_VARIANT, "v", &v); /* a variant in a variant */
	variant(&v, DBUS_TYPE_INT32, &i);
	close_(&app, &v);

	ck_assert(dbus_message_iter_init(msg, &it));
	do {
		g_string_truncate(out, 0);
		vedbus_cli_print_iter(out, &it, 0);
		ck_assert_str_eq(out->str, expect[n++]);
	} while (dbus_message_iter_next(&it));
	ck_assert_uint_eq(n, G_N_ELEMENTS(expect));
	g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_print_strings)
{
	const char *s = "tab\there \"q\" \\ \x01 °C";

	variant(&app, DBUS_TYPE_STRING, &s);
	ck_assert_str_eq(printed(0), s);
	ck_assert_str_eq(printed(VEDBUS_CLI_PRINT_QUOTE),
			 "\"tab\\there \\\"q\\\" \\\\ \\u0001 °C\"");
	ck_assert_str_eq(printed(VEDBUS_CLI_PRINT_JSON),
			 "\"tab\\there \\\"q\\\" \\\\ \\u0001 °C\"");
}
END_TEST

START_TEST(test_print_invalid)
{
	empty_array(&app, "i");
	ck_assert_str_eq(printed(0), "invalid");
	ck_assert_str_eq(printed(VEDBUS_CLI_PRINT_JSON), "null");
}
END_TEST

START_TEST(test_print_invalid_any_element)
{
	empty_array(&app, "u");
	ck_assert_str_eq(printed(VEDBUS_CLI_PRINT_QUOTE), "invalid");
}
END_TEST

/* av [1, "x", 2.5, []] */
START_TEST(test_print_array)
{
	dbus_int32_t one = 1;
	const char *x = "x";
	double d = 2.5;
	DBusMessageIter v, a;

	open_(&app, DBUS_TYPE_VARIANT, "av", &v);
	open_(&v, DBUS_TYPE_ARRAY, "v", &a);
	variant(&a, DBUS_TYPE_INT32, &one);
	variant(&a, DBUS_TYPE_STRING, &x);
	variant(&a, DBUS_TYPE_DOUBLE, &d);
	empty_array(&a, "i");
	close_(&v, &a);
	close_(&app, &v);
	ck_assert_str_eq(printed(0), "[1, \"x\", 2.5, []]");
	ck_assert_str_eq(printed(VEDBUS_CLI_PRINT_JSON), "[1, \"x\", 2.5, []]");
}
END_TEST

/* a{iv} {1: true} and (is) (7, "seven") */
START_TEST(test_print_dict_struct)
{
	dbus_int32_t key = 1, seven = 7;
	dbus_bool_t t = TRUE;
	const char *s = "seven";
	GString *out = g_string_new(NULL);
	DBusMessageIter v, a, e, st, it;

	open_(&app, DBUS_TYPE_VARIANT, "a{iv}", &v);
	open_(&v, DBUS_TYPE_ARRAY, "{iv}", &a);
	open_(&a, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	basic(&e, DBUS_TYPE_INT32, &key);
	variant(&e, DBUS_TYPE_BOOLEAN, &t);
	close_(&a, &e);
	close_(&v, &a);
	close_(&app, &v);
	open_(&app, DBUS_TYPE_STRUCT, NULL, &st);
	basic(&st, DBUS_TYPE_INT32, &seven);
	basic(&st, DBUS_TYPE_STRING, &s);
	close_(&app, &st);

	ck_assert_str_eq(printed(0), "{1: true}");
	ck_assert_str_eq(printed(VEDBUS_CLI_PRINT_JSON), "{\"1\": true}");
	ck_assert(dbus_message_iter_init(msg, &it));
	ck_assert(dbus_message_iter_next(&it));
	vedbus_cli_print_iter(out, &it, 0);
	ck_assert_str_eq(out->str, "(7, \"seven\")");
	g_string_truncate(out, 0);
	vedbus_cli_print_iter(out, &it, VEDBUS_CLI_PRINT_JSON);
	ck_assert_str_eq(out->str, "[7, \"seven\"]");
	g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_print_text)
{
	GString *out = g_string_new(NULL);

	vedbus_cli_print_text(out, "54.15V\nnext\t\"line\"");
	ck_assert_str_eq(out->str, "54.15V\\nnext\\t\"line\"");
	g_string_free(out, TRUE);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Walking GetItems, PropertiesChanged and node dicts                                         */

/* One {path: {Value: ..., Text: ...}} entry; @text NULL leaves Text out, @int_text sends an
 * integer Text, @value NULL leaves Value out. */
static void item(DBusMessageIter *a, const char *path, const double *value, const char *text,
		 bool int_text)
{
	const char *k_value = "Value", *k_text = "Text";
	dbus_int32_t n = 42;
	DBusMessageIter e, props, pe;

	open_(a, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	basic(&e, DBUS_TYPE_STRING, &path);
	open_(&e, DBUS_TYPE_ARRAY, "{sv}", &props);
	if (value) {
		open_(&props, DBUS_TYPE_DICT_ENTRY, NULL, &pe);
		basic(&pe, DBUS_TYPE_STRING, &k_value);
		variant(&pe, DBUS_TYPE_DOUBLE, value);
		close_(&props, &pe);
	}
	if (text || int_text) {
		open_(&props, DBUS_TYPE_DICT_ENTRY, NULL, &pe);
		basic(&pe, DBUS_TYPE_STRING, &k_text);
		if (int_text)
			variant(&pe, DBUS_TYPE_INT32, &n);
		else
			variant(&pe, DBUS_TYPE_STRING, &text);
		close_(&props, &pe);
	}
	close_(&e, &props);
	close_(a, &e);
}

static void collect(const char *path, DBusMessageIter *value, const char *text, void *userdata)
{
	GString *out = userdata;

	g_string_append_printf(out, "%s=", path);
	vedbus_cli_print_iter(out, value, VEDBUS_CLI_PRINT_QUOTE);
	g_string_append_printf(out, "[%s];", text ? text : "-");
}

START_TEST(test_walk_items)
{
	static const double v1 = 54.15, v2 = 1.0;
	GString *out = g_string_new(NULL);
	DBusMessageIter a, it;

	open_(&app, DBUS_TYPE_ARRAY, "{sa{sv}}", &a);
	item(&a, "/Dc/0/Voltage", &v1, "54.15V", false);
	item(&a, "/NoText", &v2, NULL, false);
	item(&a, "/NoValue", NULL, "x", false); /* skipped: consumers need a Value */
	item(&a, "/IntText", &v2, NULL, true);
	close_(&app, &a);

	ck_assert(dbus_message_iter_init(msg, &it));
	ck_assert_int_eq(vedbus_cli_walk_items(&it, collect, out), 0);
	ck_assert_str_eq(out->str, "/Dc/0/Voltage=54.15[54.15V];/NoText=1.0[-];/IntText=1.0[42];");
	g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_walk_items_bad)
{
	dbus_int32_t n = 5;
	DBusMessageIter it;

	basic(&app, DBUS_TYPE_INT32, &n);
	ck_assert(dbus_message_iter_init(msg, &it));
	ck_assert_int_eq(vedbus_cli_walk_items(&it, collect, NULL), -EBADMSG);
	ck_assert_int_eq(vedbus_cli_walk_props(&it, "/X", collect, NULL), -EBADMSG);
	ck_assert_int_eq(vedbus_cli_walk_node(&it, "/", collect, NULL), -EBADMSG);
	ck_assert(!vedbus_cli_iter_is_node(&it));
}
END_TEST

START_TEST(test_walk_props)
{
	static const double v = 3.5;
	GString *out = g_string_new(NULL);
	DBusMessageIter a, e, it;

	/* PropertiesChanged carries the inner dict of an item: build one and step into it */
	open_(&app, DBUS_TYPE_ARRAY, "{sa{sv}}", &a);
	item(&a, "/ignored", &v, "3.5A", false);
	item(&a, "/ignored", NULL, "no value", false);
	close_(&app, &a);
	ck_assert(dbus_message_iter_init(msg, &it));
	dbus_message_iter_recurse(&it, &a);
	dbus_message_iter_recurse(&a, &e);
	dbus_message_iter_next(&e);
	ck_assert_int_eq(vedbus_cli_walk_props(&e, "/Dc/0/Current", collect, out), 1);
	ck_assert_str_eq(out->str, "/Dc/0/Current=3.5[3.5A];");
	dbus_message_iter_next(&a);
	dbus_message_iter_recurse(&a, &e);
	dbus_message_iter_next(&e);
	ck_assert_int_eq(vedbus_cli_walk_props(&e, "/Dc/0/Current", collect, out), 0);
	g_string_free(out, TRUE);
}
END_TEST

/* GetValue on a node: a variant holding a{sv} with relative keys */
START_TEST(test_walk_node)
{
	const char *k1 = "0/Voltage", *k2 = "1/Voltage";
	double d = 12.5;
	GString *out = g_string_new(NULL);
	DBusMessageIter v, a, e, it;

	open_(&app, DBUS_TYPE_VARIANT, "a{sv}", &v);
	open_(&v, DBUS_TYPE_ARRAY, "{sv}", &a);
	open_(&a, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	basic(&e, DBUS_TYPE_STRING, &k1);
	variant(&e, DBUS_TYPE_DOUBLE, &d);
	close_(&a, &e);
	open_(&a, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	basic(&e, DBUS_TYPE_STRING, &k2);
	empty_array(&e, "i");
	close_(&a, &e);
	close_(&v, &a);
	close_(&app, &v);

	ck_assert(dbus_message_iter_init(msg, &it));
	ck_assert(vedbus_cli_iter_is_node(&it));
	ck_assert_int_eq(vedbus_cli_walk_node(&it, "/Dc", collect, out), 0);
	ck_assert_str_eq(out->str, "/Dc/0/Voltage=12.5[-];/Dc/1/Voltage=invalid[-];");
	g_string_free(out, TRUE);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("vedbus-cli");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, test_guess_int);
	tcase_add_test(tc, test_guess_float);
	tcase_add_test(tc, test_guess_string_and_invalid);
	tcase_add_test(tc, test_typed_values);
	tcase_add_test(tc, test_parse_type);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_match_service);
	tcase_add_test(tc, test_match_service_fails);
	tcase_add_test(tc, test_is_victron);
	tcase_add_test(tc, test_path_selected);
	tcase_add_test(tc, test_paths_normalize_join);
	suite_add_tcase(s, tc);

	tc = tcase_create("printing");
	tcase_add_checked_fixture(tc, msg_setup, msg_teardown);
	tcase_add_test(tc, test_print_numbers);
	tcase_add_test(tc, test_print_basic_types);
	tcase_add_test(tc, test_print_strings);
	tcase_add_test(tc, test_print_invalid);
	tcase_add_test(tc, test_print_invalid_any_element);
	tcase_add_test(tc, test_print_array);
	tcase_add_test(tc, test_print_dict_struct);
	tcase_add_test(tc, test_print_text);
	tcase_add_test(tc, test_walk_items);
	tcase_add_test(tc, test_walk_items_bad);
	tcase_add_test(tc, test_walk_props);
	tcase_add_test(tc, test_walk_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(cli_suite());
}
