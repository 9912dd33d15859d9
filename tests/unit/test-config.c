/* SPDX-License-Identifier: MIT */
/* test-config.c - key tables, INI files, command-line overrides, errors naming the key */

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "log.h"
#include "check-run.h"

struct tcfg {
	char *host;
	int port;
	int unit;
	double max_voltage;
	bool relay;
	int allow;
	struct cfg_int_list units;
	int timeout;
};

static const char *const allow_choices[] = { "no", "yes", "automatic", NULL };

#define F(m, t) CFG_FIELD(struct tcfg, m, t)
static const struct cfg_key keys[] = {
	{ "link", "host", CFG_STRING, NULL, .offset = F(host, char *), .flags = CFG_KEY_REQUIRED,
	  .option = "host", .help = "device address" },
	{ "link", "port", CFG_INT, "502", 1, 65535, .offset = F(port, int), .option = "port" },
	{ "link", "unit", CFG_INT, "1", 1, 247, .offset = F(unit, int), .option = "unit",
	  .short_option = 'u' },
	{ "link", "units", CFG_INT_LIST, "1,2,3", 1, 247, .offset = F(units, struct cfg_int_list),
	  .option = "units" },
	{ "battery", "max_voltage", CFG_DOUBLE, "56.4", 40, 60, .offset = F(max_voltage, double) },
	{ "relay", "enabled", CFG_BOOL, "false", .offset = F(relay, bool), .option = "relay" },
	{ "control", "allow_self_consumption", CFG_ENUM, "automatic", .choices = allow_choices,
	  .offset = F(allow, int) },
	{ "control", "timeout", CFG_INT, "60", 1, 3600, .offset = F(timeout, int),
	  .option = "timeout", .help = "seconds before a setpoint expires" },
	{ .key = NULL },
};
#undef F

static const struct cfg_program prog = {
	.name = "dbus-test",
	.summary = "a test driver",
	.args = "[TTY]",
	.min_args = 0,
	.max_args = 1,
	.keys = keys,
};

static GPtrArray *errors; /* logged lines */
static struct tcfg conf;
static struct cfg_common common;
static char *tmp_path;

static void capture(enum log_level level, const char *line, void *userdata)
{
	if (level <= LOG_LEVEL_WARNING)
		g_ptr_array_add(errors, g_strdup(line));
}

static void setup(void)
{
	errors = g_ptr_array_new_with_free_func(g_free);
	log_set_sink(capture, NULL);
	memset(&conf, 0, sizeof(conf));
}

static void teardown(void)
{
	cfg_free(keys, &conf);
	cfg_common_done(&common);
	log_set_sink(NULL, NULL);
	log_set_verbosity(0);
	g_ptr_array_unref(errors);
	if (tmp_path)
		(void)g_unlink(tmp_path);
	g_clear_pointer(&tmp_path, g_free);
}

static const char *error(guint i)
{
	ck_assert_uint_gt(errors->len, i);
	return g_ptr_array_index(errors, i);
}

static const char *write_tmp(const char *text)
{
	int fd = g_file_open_tmp("test-config-XXXXXX.ini", &tmp_path, NULL);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmp_path;
}

/* cfg_parse() on a NULL-terminated list of arguments after the program name. */
static int parse(const char *first, ...)
{
	char *argv[32] = { (char *)"dbus-test" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	cfg_common_done(&common);
	return cfg_parse(&prog, argc, argv, &common, &conf);
}

START_TEST(defaults_fill_the_struct)
{
	ck_assert_int_eq(cfg_check_table(keys), 0);
	ck_assert_int_eq(cfg_defaults(keys, &conf), 0);
	ck_assert_ptr_null(conf.host);
	ck_assert_int_eq(conf.port, 502);
	ck_assert_double_eq(conf.max_voltage, 56.4);
	ck_assert(!conf.relay);
	ck_assert_int_eq(conf.allow, 2);
	ck_assert_uint_eq(conf.units.n_values, 3);
	ck_assert_int_eq(conf.units.values[2], 3);
	ck_assert_int_eq(conf.timeout, 60);
}
END_TEST

START_TEST(a_file_sets_keys)
{
	static const char ini[] = "# comment\n[link]\nhost = 10.0.0.5\nunits = 3, 4 ,5,6\n"
				  "[battery]\nmax_voltage = 55.2\n[relay]\nenabled = yes\n"
				  "[control]\nallow_self_consumption = no\ntimeout = 3600\n";

	ck_assert_int_eq(cfg_defaults(keys, &conf), 0);
	ck_assert_int_eq(cfg_load_data(keys, "config.ini", ini, &conf), 0);
	ck_assert_str_eq(conf.host, "10.0.0.5");
	ck_assert_uint_eq(conf.units.n_values, 4);
	ck_assert_int_eq(conf.units.values[0], 3);
	ck_assert_int_eq(conf.units.values[3], 6);
	ck_assert_double_eq(conf.max_voltage, 55.2);
	ck_assert(conf.relay);
	ck_assert_int_eq(conf.allow, 0);
	ck_assert_int_eq(conf.timeout, 3600);
	ck_assert_int_eq(conf.port, 502);
	ck_assert_uint_eq(errors->len, 0);
}
END_TEST

/* Each bad value gives one error that names the file, the group, the key and the value. */
START_TEST(bad_values_name_the_key)
{
	static const struct {
		const char *ini;
		const char *error;
	} cases[] = {
		{ "[control]\ntimeout = -5\n",
		  "config.ini: [control] timeout = -5: must be between 1 and 3600" },
		{ "[control]\ntimeout = 5s\n",
		  "config.ini: [control] timeout = 5s: not an integer" },
		{ "[link]\nport = 99999999999\n",
		  "config.ini: [link] port = 99999999999: out of the integer range" },
		{ "[battery]\nmax_voltage = high\n",
		  "config.ini: [battery] max_voltage = high: not a number" },
		{ "[battery]\nmax_voltage = 70\n",
		  "config.ini: [battery] max_voltage = 70: must be between 40 and 60" },
		{ "[relay]\nenabled = maybe\n", "config.ini: [relay] enabled = maybe: must be true "
						"or false (yes/no, on/off, 1/0)" },
		{ "[control]\nallow_self_consumption = sometimes\n",
		  "config.ini: [control] allow_self_consumption = sometimes: must be one of: no, "
		  "yes, automatic" },
		{ "[link]\nunits = 1,x,3\n",
		  "config.ini: [link] units = 1,x,3: item 2 (\"x\"): not an integer" },
		{ "[link]\nunits = 1,248\n",
		  "config.ini: [link] units = 1,248: item 2 (\"248\"): must be between 1 and 247" },
		{ "[link]\nhots = a\n", "config.ini: [link] hots: unknown key" },
		{ "[lnik]\nhost = a\n", "config.ini: [lnik]: unknown group" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_ptr_array_set_size(errors, 0);
		ck_assert_int_eq(cfg_defaults(keys, &conf), 0);
		ck_assert_int_lt(cfg_load_data(keys, "config.ini", cases[i].ini, &conf), 0);
		ck_assert_uint_eq(errors->len, 1);
		ck_assert_str_eq(error(0), cases[i].error);
	}
	/* nothing was stored by the failing keys */
	ck_assert_int_eq(conf.timeout, 60);
	ck_assert_uint_eq(conf.units.n_values, 3);
}
END_TEST

START_TEST(a_broken_file_is_reported)
{
	ck_assert_int_eq(cfg_load_data(keys, "x.ini", "[link\nhost=1\n", &conf), -EINVAL);
	ck_assert(g_str_has_prefix(error(0), "x.ini: "));
	ck_assert_int_eq(cfg_load_file(keys, "/nonexistent/x.ini", &conf), -ENOENT);
	ck_assert(g_str_has_prefix(error(1), "/nonexistent/x.ini: "));
}
END_TEST

START_TEST(common_options)
{
	ck_assert_int_eq(parse("--dbus", "session", "-vv", "-n", "--host=h", "ttyUSB0", NULL), 0);
	ck_assert_str_eq(common.dbus, "session");
	ck_assert_int_eq(common.verbosity, 2);
	ck_assert_int_eq(log_get_level(), LOG_LEVEL_TRACE);
	ck_assert(common.check_only);
	ck_assert_str_eq(common.args[0], "ttyUSB0");
	ck_assert_ptr_null(common.args[1]);
	ck_assert_str_eq(conf.host, "h");
	ck_assert_ptr_null(common.config_file);
}
END_TEST

/* Options beat the file whatever their order; the file beats the defaults. */
START_TEST(options_override_the_file)
{
	const char *path = write_tmp("[link]\nhost = from-file\nport = 1502\nunit = 7\n"
				     "[control]\ntimeout = 30\n");

	ck_assert_int_eq(parse("--host", "from-option", "-c", path, "-u", "9", "--relay",
			       "--units=4,5", NULL), 0);
	ck_assert_str_eq(common.config_file, path);
	ck_assert_str_eq(conf.host, "from-option");
	ck_assert_int_eq(conf.port, 1502);
	ck_assert_int_eq(conf.unit, 9);
	ck_assert_int_eq(conf.timeout, 30);
	ck_assert(conf.relay);
	ck_assert_uint_eq(conf.units.n_values, 2);
	ck_assert_int_eq(parse("--host=h", "--relay=no", NULL), 0);
	ck_assert(!conf.relay);
}
END_TEST

START_TEST(command_line_errors)
{
	ck_assert_int_eq(parse("--host=h", "--timeout=-5", NULL), -EINVAL);
	ck_assert_str_eq(error(0), "--timeout=-5 ([control] timeout): must be between 1 and 3600");
	ck_assert_int_eq(parse("--host=h", "--bogus", NULL), -EINVAL);
	ck_assert_str_eq(error(1), "unknown option --bogus; see --help");
	ck_assert_int_eq(parse("--host=h", "-x", NULL), -EINVAL);
	ck_assert_str_eq(error(2), "unknown option -x; see --help");
	ck_assert_int_eq(parse("--host=h", "--port", NULL), -EINVAL);
	ck_assert_str_eq(error(3), "option --port needs a value; see --help");
	ck_assert_int_eq(parse("--host=h", "a", "b", NULL), -EINVAL);
	ck_assert_str_eq(error(4), "unexpected argument \"b\"; see --help");
	ck_assert_int_eq(parse(NULL), -EINVAL);
	ck_assert_str_eq(error(5),
			 "[link] host: required; set it in the configuration file or with --host");
	ck_assert_int_eq(parse("--host=h", "-c", "/nonexistent.ini", NULL), -EINVAL);
	ck_assert_uint_eq(errors->len, 7);
}
END_TEST

static char *capture_stdout(int (*fn)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	FILE *saved = stdout;

	stdout = mem;
	ck_assert_int_eq(fn(), CFG_EXIT);
	stdout = saved;
	fclose(mem);
	return buf;
}

static int parse_help(void)
{
	return parse("--help", NULL);
}

static int parse_version(void)
{
	return parse("-V", "--timeout=-1", NULL);
}

static int parse_reference(void)
{
	return parse("--config-reference", NULL);
}

START_TEST(help_version_and_reference_exit)
{
	g_autofree char *help = capture_stdout(parse_help);
	g_autofree char *version = capture_stdout(parse_version);
	g_autofree char *ref = capture_stdout(parse_reference);

	ck_assert(g_str_has_prefix(help, "Usage: dbus-test [OPTION...] [TTY]\na test driver\n"));
	ck_assert_ptr_nonnull(strstr(help, "  -c, --config=FILE"));
	ck_assert_ptr_nonnull(strstr(help, "  -u, --unit=UNIT"));
	ck_assert_ptr_nonnull(strstr(help, "      --relay[=BOOL]"));
	ck_assert_ptr_nonnull(strstr(help, "seconds before a setpoint expires ([control] timeout, "
					   "default 60)"));
	ck_assert(g_str_has_prefix(version, "dbus-test "));
	ck_assert(g_str_has_prefix(ref, ".. list-table::\n"));
	ck_assert_ptr_nonnull(strstr(ref, "   * - ``[control] timeout``\n     - integer\n"
					  "     - ``60``\n     - 1 to 3600\n     - ``--timeout``\n"
					  "     - seconds before a setpoint expires\n"));
	ck_assert_ptr_nonnull(strstr(ref, "``no``, ``yes``, ``automatic``"));
	ck_assert_ptr_nonnull(strstr(ref, "none (required)"));
	ck_assert_ptr_nonnull(strstr(ref, "``-u``, ``--unit``"));
}
END_TEST

START_TEST(bad_tables_are_refused)
{
	static const struct cfg_key dup[] = {
		{ "a", "k", CFG_INT, "1", .offset = 0 },
		{ "a", "k", CFG_INT, "2", .offset = 0 },
		{ .key = NULL },
	};
	static const struct cfg_key bad_default[] = {
		{ "a", "k", CFG_INT, "100", 1, 10, .offset = 0 },
		{ .key = NULL },
	};
	static const struct cfg_key taken[] = {
		{ "a", "k", CFG_BOOL, "no", .offset = 0, .option = "verbose" },
		{ .key = NULL },
	};
	static const struct cfg_key no_choices[] = {
		{ "a", "k", CFG_ENUM, NULL, .offset = 0 },
		{ .key = NULL },
	};

	ck_assert_int_eq(cfg_check_table(dup), -EINVAL);
	ck_assert_str_eq(error(0), "key table: [a] k: duplicate key or option");
	ck_assert_int_eq(cfg_check_table(bad_default), -EINVAL);
	ck_assert_str_eq(error(1), "key table: [a] k: default \"100\": must be between 1 and 10");
	ck_assert_int_eq(cfg_check_table(taken), -EINVAL);
	ck_assert_int_eq(cfg_check_table(no_choices), -EINVAL);
	ck_assert_int_eq(cfg_check_table(NULL), 0);
}
END_TEST

START_TEST(cfg_set_and_find)
{
	ck_assert_int_eq(cfg_defaults(keys, &conf), 0);
	ck_assert_ptr_eq(cfg_find(keys, "link", "port"), &keys[1]);
	ck_assert_ptr_null(cfg_find(keys, "link", "nope"));
	ck_assert_int_eq(cfg_set(keys, "link", "port", " 1502 ", NULL, &conf), 0);
	ck_assert_int_eq(conf.port, 1502);
	ck_assert_int_eq(cfg_set(keys, "link", "port", "0", NULL, &conf), -EINVAL);
	ck_assert_str_eq(error(0), "[link] port = 0: must be between 1 and 65535");
	ck_assert_int_eq(cfg_set(keys, "link", "units", "", NULL, &conf), 0);
	ck_assert_uint_eq(conf.units.n_values, 0);
	ck_assert_ptr_null(conf.units.values);
	ck_assert_str_eq(cfg_type_name(CFG_INT_LIST), "list of integers");
	cfg_free(keys, NULL);
	cfg_common_done(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("keys");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_fill_the_struct);
	tcase_add_test(tc, a_file_sets_keys);
	tcase_add_test(tc, bad_values_name_the_key);
	tcase_add_test(tc, a_broken_file_is_reported);
	tcase_add_test(tc, common_options);
	tcase_add_test(tc, options_override_the_file);
	tcase_add_test(tc, command_line_errors);
	tcase_add_test(tc, help_version_and_reference_exit);
	tcase_add_test(tc, bad_tables_are_refused);
	tcase_add_test(tc, cfg_set_and_find);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
