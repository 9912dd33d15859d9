/* SPDX-License-Identifier: MIT */
/* test-vedbus.c - libvedbus tree, marshalling, text and dispatch, on messages built offline */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"
#include "check-run.h"

static struct vedbus_service *svc;
static GPtrArray *sent; /* signals the service emitted, through the sink */

static void sink(DBusMessage *msg, void *data)
{
	g_ptr_array_add(sent, dbus_message_ref(msg));
}

static void setup(void)
{
	ck_assert_int_eq(vedbus_service_new_offline("com.victronenergy.test.unit", &svc), 0);
	sent = g_ptr_array_new_with_free_func((GDestroyNotify)dbus_message_unref);
	vedbus_service_set_sink(svc, sink, NULL);
}

static void teardown(void)
{
	svc = vedbus_service_free(svc);
	g_ptr_array_unref(sent);
}

/* Call @member on @path (interface NULL = none, as python clients do) and return the reply. */
static DBusMessage *call(const char *path, const char *iface, const char *member)
{
	DBusMessage *m = dbus_message_new_method_call(NULL, path, iface, member);
	DBusMessage *reply;

	dbus_message_set_serial(m, 7);
	reply = vedbus_service_handle(svc, m);
	dbus_message_unref(m);
	ck_assert_ptr_nonnull(reply);
	return reply;
}

static DBusMessage *set_call(const char *path, const struct vedbus_value *v)
{
	DBusMessage *m = dbus_message_new_method_call(NULL, path, VEDBUS_IFACE_BUSITEM, "SetValue");
	DBusMessageIter it;
	DBusMessage *reply;

	dbus_message_set_serial(m, 8);
	dbus_message_iter_init_append(m, &it);
	vedbus_value_append(&it, v);
	reply = vedbus_service_handle(svc, m);
	dbus_message_unref(m);
	return reply;
}

static int set_code(const char *path, struct vedbus_value v)
{
	DBusMessage *reply = set_call(path, &v);
	dbus_int32_t code = -100;

	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_INT32, &code, DBUS_TYPE_INVALID));
	dbus_message_unref(reply);
	return code;
}

/* The signature inside the variant of a GetValue reply. */
static char *value_sig(DBusMessage *reply)
{
	DBusMessageIter it, var;

	ck_assert_str_eq(dbus_message_get_signature(reply), "v");
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &var);
	return dbus_message_iter_get_signature(&var);
}

static struct vedbus_item *add(const char *path, enum vedbus_type t, unsigned int flags)
{
	struct vedbus_item *item = NULL;

	ck_assert_int_eq(vedbus_service_add(svc, path, t, flags, &item), 0);
	return item;
}

START_TEST(paths_are_checked)
{
	add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0);
	ck_assert_int_eq(vedbus_service_add(svc, "/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0, NULL),
			 -EEXIST);
	ck_assert_int_eq(vedbus_service_add(svc, "/Dc/0", VEDBUS_TYPE_DOUBLE, 0, NULL), -EEXIST);
	ck_assert_int_eq(vedbus_service_add(svc, "/Dc/0/Voltage/X", VEDBUS_TYPE_INT, 0, NULL),
			 -EEXIST);
	ck_assert_int_eq(vedbus_service_add(svc, "Dc", VEDBUS_TYPE_INT, 0, NULL), -EINVAL);
	ck_assert_int_eq(vedbus_service_add(svc, "/Dc/", VEDBUS_TYPE_INT, 0, NULL), -EINVAL);
	ck_assert_int_eq(vedbus_service_add(svc, "/A//B", VEDBUS_TYPE_INT, 0, NULL), -EINVAL);
	ck_assert_int_eq(vedbus_service_add(svc, "/A-B", VEDBUS_TYPE_INT, 0, NULL), -EINVAL);
	ck_assert_ptr_nonnull(vedbus_service_item(svc, "/Dc/0/Voltage"));
	ck_assert_ptr_null(vedbus_service_item(svc, "/Dc/0"));
}
END_TEST

START_TEST(service_names_are_checked)
{
	struct vedbus_service *s = NULL;

	ck_assert_int_eq(vedbus_service_new_offline("com.victronenergy.grid.ip10_0_0_5", &s), 0);
	s = vedbus_service_free(s);
	/* a name element must not start with a digit */
	ck_assert_int_eq(vedbus_service_new_offline("com.victronenergy.grid.10_0_0_5", &s), -EINVAL);
	ck_assert_int_eq(vedbus_service_new_offline("com.victronenergy.grid.10.0.0.5", &s), -EINVAL);
	ck_assert_int_eq(vedbus_service_new_offline("nodots", &s), -EINVAL);
	ck_assert_int_eq(vedbus_service_new_offline("com..x", &s), -EINVAL);
	ck_assert_ptr_null(vedbus_service_free(NULL));
}
END_TEST

START_TEST(invalid_is_an_empty_ai)
{
	DBusMessage *r;
	DBusMessageIter it, var;
	char *sig;

	add("/Soc", VEDBUS_TYPE_DOUBLE, 0);
	r = call("/Soc", VEDBUS_IFACE_BUSITEM, "GetValue");
	sig = value_sig(r);
	ck_assert_str_eq(sig, "ai");
	dbus_free(sig);
	dbus_message_iter_init(r, &it);
	dbus_message_iter_recurse(&it, &var);
	ck_assert_int_eq(dbus_message_iter_get_element_count(&var), 0);
	dbus_message_unref(r);
}
END_TEST

static void check_sig(const char *path, const char *expect)
{
	DBusMessage *r = call(path, VEDBUS_IFACE_BUSITEM, "GetValue");
	char *sig = value_sig(r);

	ck_assert_str_eq(sig, expect);
	dbus_free(sig);
	dbus_message_unref(r);
}

START_TEST(numbers_stay_numbers)
{
	vedbus_item_set_int(add("/DeviceInstance", VEDBUS_TYPE_INT, 0), 288);
	vedbus_item_set_int(add("/Big", VEDBUS_TYPE_INT, 0), 5000000000LL);
	vedbus_item_set_double(add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0), 54.15);
	vedbus_item_set_string(add("/ProductName", VEDBUS_TYPE_STRING, 0), "UP5000");
	/* an int set on a double item is published as a double */
	vedbus_item_set_int(add("/Dc/0/Current", VEDBUS_TYPE_DOUBLE, 0), 6);
	check_sig("/DeviceInstance", "i");
	check_sig("/Big", "x");
	check_sig("/Dc/0/Voltage", "d");
	check_sig("/ProductName", "s");
	check_sig("/Dc/0/Current", "d");
}
END_TEST

static const struct vedbus_format volt = { .unit = "V", .decimals = 2 };
static const struct vedbus_enum state_names[] = { { 3, "Bulk" }, { 5, "Float" }, {} };
static const struct vedbus_format state_fmt = { .enums = state_names };

static void check_text(const char *path, const char *expect)
{
	DBusMessage *r = call(path, NULL, "GetText");
	const char *text = NULL;

	ck_assert(dbus_message_get_args(r, NULL, DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID));
	ck_assert_str_eq(text, expect);
	dbus_message_unref(r);
}

START_TEST(text_has_units_enums_and_dashes)
{
	struct vedbus_item *v = add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0);
	struct vedbus_item *s = add("/State", VEDBUS_TYPE_INT, 0);

	vedbus_item_set_format(v, &volt);
	vedbus_item_set_format(s, &state_fmt);
	check_text("/Dc/0/Voltage", "---");
	vedbus_item_set_double(v, 54.15);
	vedbus_item_set_int(s, 5);
	check_text("/Dc/0/Voltage", "54.15V");
	check_text("/State", "Float");
	vedbus_item_set_int(s, 9);
	check_text("/State", "9");
	vedbus_item_set_double(add("/Plain", VEDBUS_TYPE_DOUBLE, 0), 0.1);
	check_text("/Plain", "0.1");
}
END_TEST

/* Find @key in a v(a{sv}) reply; return the variant's signature or NULL. */
static char *dict_sig(DBusMessage *r, const char *key)
{
	DBusMessageIter it, var, arr, e, inner;
	const char *k;

	dbus_message_iter_init(r, &it);
	dbus_message_iter_recurse(&it, &var);
	dbus_message_iter_recurse(&var, &arr);
	for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&arr)) {
		dbus_message_iter_recurse(&arr, &e);
		dbus_message_iter_get_basic(&e, &k);
		dbus_message_iter_next(&e);
		if (strcmp(k, key) != 0)
			continue;
		dbus_message_iter_recurse(&e, &inner);
		return dbus_message_iter_get_signature(&inner);
	}
	return NULL;
}

START_TEST(nodes_answer_relative_dicts)
{
	DBusMessage *r;
	char *sig;

	vedbus_item_set_double(add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0), 54.1);
	add("/Dc/0/Current", VEDBUS_TYPE_DOUBLE, 0);
	add("/Soc", VEDBUS_TYPE_DOUBLE, 0);

	r = call("/Dc", NULL, "GetValue");
	sig = value_sig(r);
	ck_assert_str_eq(sig, "a{sv}");
	dbus_free(sig);
	sig = dict_sig(r, "0/Voltage");
	ck_assert_str_eq(sig, "d");
	dbus_free(sig);
	sig = dict_sig(r, "0/Current");
	ck_assert_str_eq(sig, "ai");
	dbus_free(sig);
	ck_assert_ptr_null(dict_sig(r, "Soc"));
	dbus_message_unref(r);

	r = call("/", VEDBUS_IFACE_BUSITEM, "GetValue");
	sig = dict_sig(r, "Dc/0/Voltage");
	ck_assert_str_eq(sig, "d");
	dbus_free(sig);
	dbus_message_unref(r);

	r = call("/Dc/0", VEDBUS_IFACE_BUSITEM, "GetText");
	sig = value_sig(r);
	ck_assert_str_eq(sig, "a{ss}");
	dbus_free(sig);
	dbus_message_unref(r);
}
END_TEST

START_TEST(get_items_is_exactly_a_sa_sv)
{
	DBusMessageIter it, arr, e, props, p;
	DBusMessage *r;
	const char *path, *key;
	int n = 0, keys = 0;

	vedbus_item_set_double(add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0), 54.1);
	add("/DeviceInstance", VEDBUS_TYPE_INT, 0);
	r = call("/", NULL, "GetItems");
	ck_assert_str_eq(dbus_message_get_signature(r), "a{sa{sv}}");
	dbus_message_iter_init(r, &it);
	dbus_message_iter_recurse(&it, &arr);
	for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&arr), n++) {
		dbus_message_iter_recurse(&arr, &e);
		dbus_message_iter_get_basic(&e, &path);
		ck_assert(path[0] == '/');
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &props);
		for (; dbus_message_iter_get_arg_type(&props) == DBUS_TYPE_DICT_ENTRY;
		     dbus_message_iter_next(&props)) {
			dbus_message_iter_recurse(&props, &p);
			dbus_message_iter_get_basic(&p, &key);
			keys += strcmp(key, "Value") == 0 || strcmp(key, "Text") == 0;
		}
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(keys, 4);
	dbus_message_unref(r);

	/* GetItems only exists on the root */
	r = call("/Dc", NULL, "GetItems");
	ck_assert_str_eq(dbus_message_get_error_name(r), DBUS_ERROR_UNKNOWN_METHOD);
	dbus_message_unref(r);
}
END_TEST

START_TEST(introspect_lists_children)
{
	DBusMessage *r;
	const char *xml;

	add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0);
	add("/Mgmt/ProcessName", VEDBUS_TYPE_STRING, 0);
	r = call("/", "org.freedesktop.DBus.Introspectable", "Introspect");
	ck_assert(dbus_message_get_args(r, NULL, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID));
	ck_assert_ptr_nonnull(strstr(xml, "<node name=\"Dc\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<node name=\"Mgmt\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "GetItems"));
	dbus_message_unref(r);

	r = call("/Dc/0/Voltage", NULL, "Introspect");
	ck_assert(dbus_message_get_args(r, NULL, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID));
	ck_assert_ptr_nonnull(strstr(xml, "SetValue"));
	ck_assert_ptr_null(strstr(xml, "<node name="));
	dbus_message_unref(r);
}
END_TEST

START_TEST(unknown_objects_and_methods)
{
	DBusMessage *r = call("/Nope", NULL, "GetValue");

	ck_assert_str_eq(dbus_message_get_error_name(r), DBUS_ERROR_UNKNOWN_OBJECT);
	dbus_message_unref(r);
	add("/A", VEDBUS_TYPE_INT, 0);
	r = call("/A", "org.example.Other", "GetValue");
	ck_assert_str_eq(dbus_message_get_error_name(r), DBUS_ERROR_UNKNOWN_METHOD);
	dbus_message_unref(r);
}
END_TEST

static int n_writes;
static double last_write;

static int on_write(struct vedbus_item *item, const struct vedbus_value *v, void *data)
{
	n_writes++;
	if (v->type == VEDBUS_TYPE_DOUBLE)
		last_write = v->u.d;
	return v->type == VEDBUS_TYPE_DOUBLE && v->u.d > 60 ? -ERANGE : 0;
}

START_TEST(set_value_codes)
{
	struct vedbus_item *ro = add("/Dc/0/Voltage", VEDBUS_TYPE_DOUBLE, 0);
	struct vedbus_item *cv = add("/Link/ChargeVoltage", VEDBUS_TYPE_DOUBLE,
				     VEDBUS_ITEM_WRITABLE | VEDBUS_ITEM_NULLABLE);
	struct vedbus_item *mode = add("/Mode", VEDBUS_TYPE_INT, VEDBUS_ITEM_WRITABLE);

	vedbus_item_set_write_fn(cv, on_write, NULL);
	(void)ro;
	ck_assert_int_eq(set_code("/Dc/0/Voltage", vedbus_double(1)), VEDBUS_REPLY_READONLY);
	ck_assert_int_eq(set_code("/Link/ChargeVoltage", vedbus_string("x")), 1);
	ck_assert_int_eq(set_code("/Link/ChargeVoltage", vedbus_double(99)), 2);
	ck_assert(!vedbus_value_is_valid(vedbus_item_get(cv)));
	ck_assert_int_eq(set_code("/Link/ChargeVoltage", vedbus_int(55)), 0);
	ck_assert_int_eq(vedbus_item_get(cv)->type, VEDBUS_TYPE_DOUBLE);
	ck_assert(last_write == 55.0);
	ck_assert_int_eq(set_code("/Link/ChargeVoltage", vedbus_invalid()), 0);
	ck_assert_int_eq(set_code("/Mode", vedbus_invalid()), 1);
	ck_assert_int_eq(set_code("/Mode", vedbus_double(3.0)), 0);
	ck_assert_int_eq(vedbus_item_get(mode)->u.i, 3);
	ck_assert_int_eq(set_code("/Mode", vedbus_double(3.5)), 1);
}
END_TEST

START_TEST(narrow_integers_are_coerced)
{
	DBusMessage *m = dbus_message_new_method_call(NULL, "/Mode", NULL, "SetValue");
	struct vedbus_item *mode = add("/Mode", VEDBUS_TYPE_INT, VEDBUS_ITEM_WRITABLE);
	DBusMessageIter it, var;
	dbus_uint16_t u16 = 4;
	DBusMessage *reply;
	dbus_int32_t code = -1;

	dbus_message_set_serial(m, 3);
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, "q", &var);
	dbus_message_iter_append_basic(&var, DBUS_TYPE_UINT16, &u16);
	dbus_message_iter_close_container(&it, &var);
	reply = vedbus_service_handle(svc, m);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_INT32, &code, DBUS_TYPE_INVALID));
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(vedbus_item_get(mode)->u.i, 4);
	dbus_message_unref(reply);
	dbus_message_unref(m);
}
END_TEST

static int count_sent(const char *member)
{
	guint i;
	int n = 0;

	for (i = 0; i < sent->len; i++)
		n += strcmp(dbus_message_get_member(g_ptr_array_index(sent, i)), member) == 0;
	return n;
}

START_TEST(a_repeated_write_is_a_keepalive_without_signals)
{
	struct vedbus_item *cv = add("/Link/ChargeVoltage", VEDBUS_TYPE_DOUBLE,
				     VEDBUS_ITEM_WRITABLE);
	int i;

	vedbus_item_set_write_fn(cv, on_write, NULL);
	n_writes = 0;
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(set_code("/Link/ChargeVoltage", vedbus_double(55.2)), 0);
	ck_assert_int_eq(n_writes, 100);
	ck_assert_int_eq(count_sent("PropertiesChanged"), 1);
	ck_assert_int_eq(count_sent("ItemsChanged"), 1);
}
END_TEST

START_TEST(one_items_changed_per_flush)
{
	struct vedbus_item *a = add("/A", VEDBUS_TYPE_DOUBLE, 0);
	struct vedbus_item *b = add("/B", VEDBUS_TYPE_INT, 0);
	struct vedbus_item *c = add("/C/D", VEDBUS_TYPE_STRING, 0);

	ck_assert_int_eq(vedbus_service_flush(svc), 0);
	ck_assert_int_eq(vedbus_item_set_double(a, 1.5), 1);
	ck_assert_int_eq(vedbus_item_set_double(a, 2.5), 1);
	ck_assert_int_eq(vedbus_item_set_int(b, 7), 1);
	ck_assert_int_eq(vedbus_item_set_string(c, "x"), 1);
	ck_assert_int_eq(vedbus_service_flush(svc), 3);
	ck_assert_int_eq(count_sent("ItemsChanged"), 1);
	ck_assert_int_eq(count_sent("PropertiesChanged"), 3);
	ck_assert_str_eq(dbus_message_get_signature(g_ptr_array_index(sent, 0)), "a{sa{sv}}");
	ck_assert_str_eq(dbus_message_get_path(g_ptr_array_index(sent, 0)), "/");
	ck_assert_str_eq(dbus_message_get_signature(g_ptr_array_index(sent, 1)), "a{sv}");

	/* unchanged values queue nothing */
	ck_assert_int_eq(vedbus_item_set_double(a, 2.5), 0);
	ck_assert_int_eq(vedbus_item_set_int(b, 7), 0);
	ck_assert_int_eq(vedbus_service_flush(svc), 0);
	ck_assert_int_eq(sent->len, 4);
}
END_TEST

START_TEST(removed_items_leave_the_queue_and_tree)
{
	struct vedbus_item *a = add("/X/Y/A", VEDBUS_TYPE_INT, 0);

	add("/X/B", VEDBUS_TYPE_INT, 0);
	vedbus_item_set_int(a, 1);
	vedbus_item_remove(a);
	ck_assert_ptr_null(vedbus_service_item(svc, "/X/Y/A"));
	ck_assert_ptr_null(tree_lookup(svc, "/X/Y"));
	ck_assert_ptr_nonnull(tree_lookup(svc, "/X"));
	ck_assert_int_eq(vedbus_service_flush(svc), 0);
}
END_TEST

START_TEST(mandatory_paths)
{
	struct vedbus_identity id = {
		.process_name = "dbus-test", .process_version = "1.0", .connection = "Modbus RTU x",
		.device_instance = 288, .product_id = 0xA057, .product_name = "Test",
		.firmware_version = 0x129, .serial = "S1",
	};
	static const char *const paths[] = {
		"/Mgmt/ProcessName", "/Mgmt/ProcessVersion", "/Mgmt/Connection",
		"/DeviceInstance", "/ProductId", "/ProductName", "/FirmwareVersion",
		"/HardwareVersion", "/Connected", "/CustomName", "/Serial", NULL,
	};
	int i;

	ck_assert_int_eq(vedbus_add_mandatory_paths(svc, &id), 0);
	for (i = 0; paths[i]; i++)
		ck_assert_msg(vedbus_service_item(svc, paths[i]), "%s missing", paths[i]);
	check_sig("/FirmwareVersion", "i");
	check_sig("/DeviceInstance", "i");
	check_sig("/HardwareVersion", "ai");
	check_text("/FirmwareVersion", "v1.29");
	check_text("/ProductId", "0xA057");
	ck_assert_int_eq(set_code("/CustomName", vedbus_string("Shed")), 0);
	ck_assert_int_eq(set_code("/ProductName", vedbus_string("x")), 1);
}
END_TEST

START_TEST(values_read_back)
{
	struct vedbus_value in[] = { vedbus_int(-3), vedbus_int(1LL << 40), vedbus_double(2.5),
				     vedbus_string("abc"), vedbus_invalid() };
	DBusMessage *m = dbus_message_new_signal("/", "a.b", "C");
	DBusMessageIter it;
	struct vedbus_value out;
	size_t i;

	dbus_message_iter_init_append(m, &it);
	for (i = 0; i < G_N_ELEMENTS(in); i++)
		ck_assert_int_eq(vedbus_value_append(&it, &in[i]), 0);
	dbus_message_iter_init(m, &it);
	for (i = 0; i < G_N_ELEMENTS(in); i++, dbus_message_iter_next(&it)) {
		ck_assert_int_eq(vedbus_value_read(&it, &out), 0);
		ck_assert(vedbus_value_equal(&in[i], &out));
	}
	dbus_message_unref(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vedbus");
	TCase *tc = tcase_create("offline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, paths_are_checked);
	tcase_add_test(tc, service_names_are_checked);
	tcase_add_test(tc, invalid_is_an_empty_ai);
	tcase_add_test(tc, numbers_stay_numbers);
	tcase_add_test(tc, text_has_units_enums_and_dashes);
	tcase_add_test(tc, nodes_answer_relative_dicts);
	tcase_add_test(tc, get_items_is_exactly_a_sa_sv);
	tcase_add_test(tc, introspect_lists_children);
	tcase_add_test(tc, unknown_objects_and_methods);
	tcase_add_test(tc, set_value_codes);
	tcase_add_test(tc, narrow_integers_are_coerced);
	tcase_add_test(tc, a_repeated_write_is_a_keepalive_without_signals);
	tcase_add_test(tc, one_items_changed_per_flush);
	tcase_add_test(tc, removed_items_leave_the_queue_and_tree);
	tcase_add_test(tc, mandatory_paths);
	tcase_add_test(tc, values_read_back);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
