// SPDX-License-Identifier: MIT
/* test-settingsd-store.c - ve-settingsd's settings table: codes, limits, bumping, key files */

#include <check.h>
#include <errno.h>
#include <stdlib.h>

/* the store is part of a tool, not of a library: compile it in */
#include "../../tools/ve-settingsd-store.c"
#include "../../tools/ve-settingsd-value.c"
#include "../../tools/ve-settingsd-keyfile.c"
#include "check-run.h"

/* a pointer to a temporary value, for calls taking const struct vedbus_value * */
#define REF(v) ((struct vedbus_value[]){ v })

static struct store *st;

static void setup(void)
{
	ck_assert_int_eq(store_new(&st), 0);
}

static void teardown(void)
{
	st = store_free(st);
}

/* AddSettings-style add on @base of @path with default @def and limits @min/@max. */
static enum store_code add(const char *base, const char *path, char type, struct vedbus_value def,
			   struct vedbus_value min, struct vedbus_value max)
{
	struct store_request req = {
		.base = base,
		.path = path,
		.type = type,
		.def = def,
		.min = min,
		.max = max,
	};

	return store_add(st, &req, NULL, NULL);
}

static enum store_code add_plain(const char *path, char type, struct vedbus_value def)
{
	return add("/", path, type, def, vedbus_invalid(), vedbus_invalid());
}

static const char *str_of(const char *path)
{
	struct store_setting *s = store_lookup(st, path);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->value.type, VEDBUS_TYPE_STRING);
	return s->value.u.s;
}

static int64_t int_of(const char *path)
{
	struct store_setting *s = store_lookup(st, path);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->value.type, VEDBUS_TYPE_INT);
	return s->value.u.i;
}

START_TEST(test_path_valid)
{
	ck_assert(store_path_valid("/Settings/A"));
	ck_assert(store_path_valid("/Settings/Devices/x_1/ClassAndVrmInstance"));
	ck_assert(!store_path_valid("/"));
	ck_assert(!store_path_valid("Settings/A"));
	ck_assert(!store_path_valid("/Settings//A"));
	ck_assert(!store_path_valid("/Settings/A/"));
	ck_assert(!store_path_valid("/Settings/A-b"));
	ck_assert(!store_path_valid("/Settings/A.b"));
	ck_assert(!store_path_valid(NULL));
}
END_TEST

START_TEST(test_resolve_join)
{
	const struct {
		const char *base, *rel, *full;
	} cases[] = {
		{ "/", "/Settings/X", "/Settings/X" },
		{ "/", "Settings/X", "/Settings/X" },
		{ "/Settings", "Devices/x/Y", "/Settings/Devices/x/Y" },
		{ "/Settings/Devices", "/x/Y", "/Settings/Devices/x/Y" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *full = store_resolve(cases[i].base, cases[i].rel);

		ck_assert_str_eq(full, cases[i].full);
	}
	g_autofree char *a = store_join("Group", "Name");
	g_autofree char *b = store_join("/Group", "/Name");
	g_autofree char *c = store_join("", "Name");

	ck_assert_str_eq(a, "/Group/Name");
	ck_assert_str_eq(b, "/Group/Name");
	ck_assert_str_eq(c, "/Name");
}
END_TEST

START_TEST(test_parse_instance)
{
	size_t len;
	int n;

	ck_assert_int_eq(store_parse_instance("battery:512", &len, &n), 0);
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(n, 512);
	ck_assert_int_eq(store_parse_instance("battery", &len, &n), -EINVAL);
	ck_assert_int_eq(store_parse_instance(":1", &len, &n), -EINVAL);
	ck_assert_int_eq(store_parse_instance("a:1:2", &len, &n), -EINVAL);
	ck_assert_int_eq(store_parse_instance("a:x", &len, &n), -EINVAL);
	ck_assert_int_eq(store_parse_instance("a:", &len, &n), -EINVAL);
}
END_TEST

START_TEST(test_add_codes)
{
	struct vedbus_value none = vedbus_invalid();

	ck_assert_int_eq(add_plain("/Settings/_A", 'i', vedbus_int(1)), STORE_CODE_UNDERSCORE);
	ck_assert_int_eq(add_plain("/Settings/A", 'x', vedbus_int(1)), STORE_CODE_UNKNOWN_TYPE);
	ck_assert_int_eq(add_plain("/Settings/A-b", 'i', vedbus_int(1)), STORE_CODE_INVALID_PATH);
	ck_assert_int_eq(add_plain("/Settings/A", 'i', vedbus_string("abc")),
			 STORE_CODE_INVALID_DEFAULT);
	ck_assert_int_eq(add_plain("/Settings/A", 'i', vedbus_invalid()),
			 STORE_CODE_INVALID_DEFAULT);
	ck_assert_int_eq(
		add("/", "/Settings/A", 'i', vedbus_int(11), vedbus_int(0), vedbus_int(10)),
		STORE_CODE_OUT_OF_RANGE);
	ck_assert_int_eq(add("/", "/Settings/A", 'i', vedbus_int(-1), vedbus_int(0), none),
			 STORE_CODE_OUT_OF_RANGE);
	ck_assert_int_eq(add_plain("/Foo/Bar", 'i', vedbus_int(1)), STORE_CODE_NOT_IN_SETTINGS);
	ck_assert_int_eq(add_plain("/Settings/Devices", 'i', vedbus_int(1)), STORE_CODE_IS_GROUP);
	ck_assert_int_eq(add_plain("/Settings/G/A", 'i', vedbus_int(1)), STORE_CODE_OK);
	ck_assert_int_eq(add_plain("/Settings/G", 'i', vedbus_int(1)), STORE_CODE_IS_GROUP);
	ck_assert_int_eq(add_plain("/Settings/G/A/B", 'i', vedbus_int(1)), STORE_CODE_INVALID_PATH);
	ck_assert_int_eq(add_plain("/Settings/G/A", 's', vedbus_string("x")),
			 STORE_CODE_TYPE_DIFFERS);
	ck_assert_int_eq(store_count(st), 1);
}
END_TEST

START_TEST(test_add_relative)
{
	ck_assert_int_eq(add("/Settings", "Devices/x/Y", 'i', vedbus_int(3), vedbus_invalid(),
			     vedbus_invalid()),
			 STORE_CODE_OK);
	ck_assert_int_eq(add("/Settings/Devices", "/x/Z", 'i', vedbus_int(4), vedbus_invalid(),
			     vedbus_invalid()),
			 STORE_CODE_OK);
	ck_assert_int_eq(int_of("/Settings/Devices/x/Y"), 3);
	ck_assert_int_eq(int_of("/Settings/Devices/x/Z"), 4);
	ck_assert(store_is_group(st, "/Settings/Devices/x"));
	ck_assert(store_is_group(st, "/Settings"));
	ck_assert(store_is_group(st, "/"));
	ck_assert(!store_is_group(st, "/Settings/Devices/x/Y"));
	ck_assert(!store_is_group(st, "/Settings/Dev"));
}
END_TEST

START_TEST(test_readd_keeps_value)
{
	struct store_request req = {
		.base = "/",
		.path = "/Settings/A",
		.type = 'i',
		.def = vedbus_int(5),
		.min = vedbus_int(0),
		.max = vedbus_int(10),
	};
	struct store_setting *s;
	enum store_change change;

	ck_assert_int_eq(store_add(st, &req, &s, &change), STORE_CODE_OK);
	ck_assert_int_eq(change, STORE_CHANGE_NEW);
	ck_assert_int_eq(store_set(st, s, REF(vedbus_int(7))), 1);
	ck_assert_int_eq(store_add(st, &req, &s, &change), STORE_CODE_OK);
	ck_assert_int_eq(change, STORE_CHANGE_NONE);
	ck_assert_int_eq(s->value.u.i, 7);
	req.def = vedbus_int(6);
	req.max = vedbus_int(20);
	ck_assert_int_eq(store_add(st, &req, &s, &change), STORE_CODE_OK);
	ck_assert_int_eq(change, STORE_CHANGE_ATTRIBUTES);
	ck_assert_int_eq(s->value.u.i, 7);
	ck_assert_int_eq(s->def.u.i, 6);
	ck_assert_int_eq(s->max.u.i, 20);
	req.silent = true;
	ck_assert_int_eq(store_add(st, &req, &s, &change), STORE_CODE_OK);
	ck_assert_int_eq(change, STORE_CHANGE_ATTRIBUTES);
}
END_TEST

START_TEST(test_limits_zero_means_none)
{
	struct store_setting *s;

	ck_assert_int_eq(
		add("/", "/Settings/A", 'f', vedbus_double(-5), vedbus_int(0), vedbus_int(0)),
		STORE_CODE_OK);
	s = store_lookup(st, "/Settings/A");
	ck_assert(!vedbus_value_is_valid(&s->min));
	ck_assert(!vedbus_value_is_valid(&s->max));
	ck_assert_int_eq(store_set(st, s, REF(vedbus_double(1e9))), 1);
	/* min 0 alone is a limit */
	ck_assert_int_eq(
		add("/", "/Settings/B", 'i', vedbus_int(5), vedbus_int(0), vedbus_invalid()),
		STORE_CODE_OK);
	s = store_lookup(st, "/Settings/B");
	ck_assert_int_eq(store_set(st, s, REF(vedbus_int(-1))), -ERANGE);
	/* strings have no limits */
	ck_assert_int_eq(
		add("/", "/Settings/C", 's', vedbus_string("x"), vedbus_int(1), vedbus_int(2)),
		STORE_CODE_OK);
	ck_assert(!vedbus_value_is_valid(&store_lookup(st, "/Settings/C")->min));
}
END_TEST

START_TEST(test_loose_defaults)
{
	struct store_setting *s;

	ck_assert_int_eq(add_plain("/Settings/A", 'i', vedbus_string(" 5 ")), STORE_CODE_OK);
	ck_assert_int_eq(int_of("/Settings/A"), 5);
	ck_assert_int_eq(add_plain("/Settings/B", 'i', vedbus_double(3.7)), STORE_CODE_OK);
	ck_assert_int_eq(int_of("/Settings/B"), 3);
	ck_assert_int_eq(add_plain("/Settings/C", 's', vedbus_int(5)), STORE_CODE_OK);
	ck_assert_str_eq(str_of("/Settings/C"), "5");
	ck_assert_int_eq(add_plain("/Settings/D", 's', vedbus_double(2)), STORE_CODE_OK);
	ck_assert_str_eq(str_of("/Settings/D"), "2.0");
	ck_assert_int_eq(add_plain("/Settings/E", 'f', vedbus_int(1)), STORE_CODE_OK);
	s = store_lookup(st, "/Settings/E");
	ck_assert_int_eq(s->value.type, VEDBUS_TYPE_DOUBLE);
	ck_assert_double_eq(s->value.u.d, 1.0);
	ck_assert_int_eq(add_plain("/Settings/F", 'f', vedbus_string("0.25")), STORE_CODE_OK);
	ck_assert_double_eq(store_lookup(st, "/Settings/F")->value.u.d, 0.25);
}
END_TEST

START_TEST(test_set_strict)
{
	struct store_setting *i, *f, *s;

	ck_assert_int_eq(add("/", "/Settings/I", 'i', vedbus_int(5), vedbus_int(0), vedbus_int(10)),
			 STORE_CODE_OK);
	ck_assert_int_eq(add("/", "/Settings/F", 'f', vedbus_double(1), vedbus_double(0.5),
			     vedbus_double(2.5)),
			 STORE_CODE_OK);
	ck_assert_int_eq(add_plain("/Settings/S", 's', vedbus_string("x")), STORE_CODE_OK);
	i = store_lookup(st, "/Settings/I");
	f = store_lookup(st, "/Settings/F");
	s = store_lookup(st, "/Settings/S");
	ck_assert_int_eq(store_set(st, i, REF(vedbus_int(5))), 0);
	ck_assert_int_eq(store_set(st, i, REF(vedbus_int(11))), -ERANGE);
	ck_assert_int_eq(store_set(st, i, REF(vedbus_double(3.5))), -EINVAL);
	ck_assert_int_eq(store_set(st, i, REF(vedbus_string("6"))), -EINVAL);
	ck_assert_int_eq(store_set(st, i, REF(vedbus_invalid())), -EINVAL);
	ck_assert_int_eq(i->value.u.i, 5);
	ck_assert_int_eq(store_set(st, i, REF(vedbus_double(6.0))), 1);
	ck_assert_int_eq(i->value.u.i, 6);
	ck_assert_int_eq(store_set(st, f, REF(vedbus_int(2))), 1);
	ck_assert_double_eq(f->value.u.d, 2.0);
	ck_assert_int_eq(store_set(st, f, REF(vedbus_double(2.6))), -ERANGE);
	ck_assert_int_eq(store_set(st, f, REF(vedbus_double(0.4))), -ERANGE);
	ck_assert_int_eq(store_set(st, s, REF(vedbus_int(1))), -EINVAL);
	ck_assert_int_eq(store_set(st, s, REF(vedbus_string("y"))), 1);
	ck_assert_str_eq(s->value.u.s, "y");
}
END_TEST

START_TEST(test_instance_bumping)
{
	const char *a = "/Settings/Devices/a/ClassAndVrmInstance";
	const char *b = "/Settings/Devices/b/ClassAndVrmInstance";
	const char *c = "/Settings/Devices/c/ClassAndVrmInstance";

	ck_assert_int_eq(add_plain(a, 's', vedbus_string("battery:512")), STORE_CODE_OK);
	ck_assert_int_eq(add_plain(b, 's', vedbus_string("battery:512")), STORE_CODE_OK);
	ck_assert_int_eq(add_plain(c, 's', vedbus_string("solarcharger:512")), STORE_CODE_OK);
	ck_assert_str_eq(str_of(a), "battery:512");
	ck_assert_str_eq(str_of(b), "battery:513");
	ck_assert_str_eq(str_of(c), "solarcharger:512");
	/* re-adding keeps the granted instance */
	ck_assert_int_eq(add_plain(b, 's', vedbus_string("battery:512")), STORE_CODE_OK);
	ck_assert_str_eq(str_of(b), "battery:513");
	/* b asks for a's number: the next free one is its own */
	ck_assert_int_eq(store_set(st, store_lookup(st, b), REF(vedbus_string("battery:512"))), 0);
	ck_assert_str_eq(str_of(b), "battery:513");
	ck_assert_int_eq(store_set(st, store_lookup(st, a), REF(vedbus_string("battery:513"))), 1);
	ck_assert_str_eq(str_of(a), "battery:514");
	ck_assert_int_eq(store_set(st, store_lookup(st, a), REF(vedbus_string("battery:7"))), 1);
	ck_assert_str_eq(str_of(a), "battery:7");
	ck_assert_int_eq(store_set(st, store_lookup(st, a), REF(vedbus_string("battery"))),
			 -EINVAL);
	ck_assert_str_eq(str_of(a), "battery:7");
	/* any path ending in ClassAndVrmInstance takes part */
	ck_assert_int_eq(
		add_plain("/Settings/Other/ClassAndVrmInstance", 's', vedbus_string("battery:7")),
		STORE_CODE_OK);
	ck_assert_str_eq(str_of("/Settings/Other/ClassAndVrmInstance"), "battery:8");
	ck_assert_int_eq(
		add_plain("/Settings/Devices/d/ClassAndVrmInstance", 's', vedbus_string("nocolon")),
		STORE_CODE_INVALID_DEFAULT);
	ck_assert_int_eq(add_plain("/Settings/Devices/e/ClassAndVrmInstance", 'i', vedbus_int(1)),
			 STORE_CODE_INVALID_DEFAULT);
	ck_assert_ptr_null(store_lookup(st, "/Settings/Devices/d/ClassAndVrmInstance"));
}
END_TEST

START_TEST(test_list_and_remove)
{
	g_autoptr(GPtrArray) all = NULL;
	g_autoptr(GPtrArray) dev = NULL;

	ck_assert_int_eq(add_plain("/Settings/Z", 'i', vedbus_int(1)), STORE_CODE_OK);
	ck_assert_int_eq(add_plain("/Settings/Devices/x/A", 'i', vedbus_int(1)), STORE_CODE_OK);
	ck_assert_int_eq(add_plain("/Settings/Devices/x/B", 'i', vedbus_int(1)), STORE_CODE_OK);
	all = store_list(st, "/");
	dev = store_list(st, "/Settings/Devices");
	ck_assert_uint_eq(all->len, 3);
	ck_assert_uint_eq(dev->len, 2);
	ck_assert_str_eq(((struct store_setting *)all->pdata[0])->path, "/Settings/Devices/x/A");
	ck_assert_str_eq(((struct store_setting *)all->pdata[2])->path, "/Settings/Z");
	store_remove(st, store_lookup(st, "/Settings/Devices/x/A"));
	store_remove(st, store_lookup(st, "/Settings/Devices/x/B"));
	ck_assert(!store_is_group(st, "/Settings/Devices/x"));
	ck_assert_int_eq(add_plain("/Settings/Devices/x", 'i', vedbus_int(1)), STORE_CODE_OK);
}
END_TEST

static GKeyFile *keyfile_of(const char *text)
{
	GKeyFile *kf = g_key_file_new();

	ck_assert(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, NULL));
	return kf;
}

START_TEST(test_keyfile_roundtrip)
{
	const char *odd = "a b;#c\n\"d\"\\ \xc3\xa9";
	g_autoptr(GKeyFile) out = g_key_file_new();
	g_autoptr(GKeyFile) in = NULL;
	g_autofree char *text = NULL;
	g_autofree char *reason = NULL;
	struct store *st2;
	struct store_setting *s;

	ck_assert_int_eq(
		add("/", "/Settings/I", 'i', vedbus_int(5), vedbus_int(-3), vedbus_int(10)),
		STORE_CODE_OK);
	ck_assert_int_eq(add_plain("/Settings/F", 'f', vedbus_double(0.1)), STORE_CODE_OK);
	ck_assert_int_eq(add_plain("/Settings/S", 's', vedbus_string(odd)), STORE_CODE_OK);
	ck_assert_int_eq(
		add_plain("/Settings/Devices/x/ClassAndVrmInstance", 's', vedbus_string("grid:40")),
		STORE_CODE_OK);
	store_lookup(st, "/Settings/F")->silent = true;
	store_to_keyfile(st, out);
	text = g_key_file_to_data(out, NULL, NULL);
	in = keyfile_of(text);
	ck_assert_int_eq(store_new(&st2), 0);
	ck_assert_int_eq(store_from_keyfile(st2, in, &reason), 0);
	ck_assert_uint_eq(store_count(st2), 4);
	s = store_lookup(st2, "/Settings/I");
	ck_assert_int_eq(s->value.u.i, 5);
	ck_assert_int_eq(s->min.u.i, -3);
	ck_assert_int_eq(s->max.u.i, 10);
	ck_assert_double_eq(store_lookup(st2, "/Settings/F")->value.u.d, 0.1);
	ck_assert(store_lookup(st2, "/Settings/F")->silent);
	ck_assert(!vedbus_value_is_valid(&store_lookup(st2, "/Settings/F")->min));
	ck_assert_str_eq(store_lookup(st2, "/Settings/S")->value.u.s, odd);
	ck_assert(store_lookup(st2, "/Settings/Devices/x/ClassAndVrmInstance")->is_instance);
	store_free(st2);
}
END_TEST

START_TEST(test_keyfile_bad)
{
	static const char *const bad[] = {
		"[/Settings/A]\ntype=x\nvalue=1\ndefault=1\n",
		"[/Settings/A]\ntype=i\nvalue=abc\ndefault=1\n",
		"[/Settings/A]\ntype=i\ndefault=1\n",
		"[/Settings/A]\ntype=i\nvalue=1\ndefault=1\nmin=z\n",
		"[/Settings/A]\ntype=i\nvalue=1\ndefault=1\nsilent=maybe\n",
		"[/Foo/A]\ntype=i\nvalue=1\ndefault=1\n",
		"[/Settings/A]\ntype=i\nvalue=1\ndefault=1\n[/Settings/A/B]\ntype=i\nvalue=1\n"
		"default=1\n",
		"[/Settings/D/ClassAndVrmInstance]\ntype=s\nvalue=x\ndefault=x\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GKeyFile) kf = keyfile_of(bad[i]);
		g_autofree char *reason = NULL;
		struct store *s2;

		ck_assert_int_eq(store_new(&s2), 0);
		ck_assert_int_eq(store_from_keyfile(s2, kf, &reason), -EINVAL);
		ck_assert_ptr_nonnull(strstr(reason, "[/"));
		store_free(s2);
	}
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("settingsd-store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_path_valid);
	tcase_add_test(tc, test_resolve_join);
	tcase_add_test(tc, test_parse_instance);
	tcase_add_test(tc, test_add_codes);
	tcase_add_test(tc, test_add_relative);
	tcase_add_test(tc, test_readd_keeps_value);
	tcase_add_test(tc, test_limits_zero_means_none);
	tcase_add_test(tc, test_loose_defaults);
	tcase_add_test(tc, test_set_strict);
	tcase_add_test(tc, test_instance_bumping);
	tcase_add_test(tc, test_list_and_remove);
	tcase_add_test(tc, test_keyfile_roundtrip);
	tcase_add_test(tc, test_keyfile_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(store_suite());
}
