/* SPDX-License-Identifier: MIT */
/* test-harness.c - proves the test harness itself: private bus, processes, client, waits, sync */

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define FAKE_NAME  "com.victronenergy.test.harness"
#define FAKE_IFACE "com.victronenergy.test.Harness"
#define OTHER_NAME "com.victronenergy.test.other"

/*
 * A minimal BusItem service on its own thread and connection, written against libdbus only,
 * so the harness is tested without libvedbus. Items: /Value (double, writable), /Invalid (always
 * invalid), /LastSig (the signature of the last SetValue variant). Test-only methods on "/":
 * Arm(d) changes /Value right after answering the next GetValue of it; Emit(i) sends that many
 * PropertiesChanged of /Value; Quit() ends the thread. Its state belongs to its thread alone.
 */
struct fake {
	DBusConnection *conn;
	pthread_t thread;
	bool running;
	bool quit;
	double value;
	bool armed;
	double next;
	char last_sig[32];
};

static struct hx_bus *bus;
static struct hx_client *client;
static struct fake fake;

/* Append a variant holding @valp of @type ("ai" when @type is DBUS_TYPE_ARRAY: empty). */
static void append_variant(DBusMessageIter *iter, int type, const void *valp)
{
	char sig[2] = {(char)type, '\0'};
	DBusMessageIter variant, array;

	if (type == DBUS_TYPE_ARRAY) {
		dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "ai", &variant);
		dbus_message_iter_open_container(&variant, DBUS_TYPE_ARRAY, "i", &array);
		dbus_message_iter_close_container(&variant, &array);
	} else {
		dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, sig, &variant);
		dbus_message_iter_append_basic(&variant, type, valp);
	}
	dbus_message_iter_close_container(iter, &variant);
}

static void append_prop(DBusMessageIter *dict, const char *key, int type, const void *valp)
{
	DBusMessageIter entry;

	dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
	dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key);
	append_variant(&entry, type, valp);
	dbus_message_iter_close_container(dict, &entry);
}

/* The value of @path as a variant type and pointer, and its text; false for an unknown path. */
static bool item_get(struct fake *f, const char *path, int *ret_type, const void **ret_valp,
		     char *text, size_t len)
{
	static const char *last_sig;

	*ret_type = DBUS_TYPE_ARRAY; /* invalid */
	*ret_valp = NULL;
	snprintf(text, len, "---");
	if (strcmp(path, "/Value") == 0) {
		*ret_type = DBUS_TYPE_DOUBLE;
		*ret_valp = &f->value;
		snprintf(text, len, "%.1fV", f->value);
	} else if (strcmp(path, "/LastSig") == 0) {
		last_sig = f->last_sig;
		*ret_type = DBUS_TYPE_STRING;
		*ret_valp = &last_sig;
		snprintf(text, len, "%s", f->last_sig);
	}
	return strcmp(path, "/Value") == 0 || strcmp(path, "/LastSig") == 0 ||
	       strcmp(path, "/Invalid") == 0;
}

/* {"Value": v, "Text": s} of one item into an open a{sv}. */
static void append_item_props(struct fake *f, DBusMessageIter *dict, const char *path)
{
	const void *valp;
	char buf[64];
	const char *text = buf;
	int type;

	item_get(f, path, &type, &valp, buf, sizeof(buf));
	append_prop(dict, "Value", type, valp);
	append_prop(dict, "Text", DBUS_TYPE_STRING, &text);
}

/* GetItems reply or ItemsChanged body: a{sa{sv}} of @paths. */
static void append_items(struct fake *f, DBusMessage *msg, const char *const *paths)
{
	DBusMessageIter iter, items, entry, props;

	dbus_message_iter_init_append(msg, &iter);
	dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "{sa{sv}}", &items);
	for (; *paths; paths++) {
		dbus_message_iter_open_container(&items, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
		dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, paths);
		dbus_message_iter_open_container(&entry, DBUS_TYPE_ARRAY, "{sv}", &props);
		append_item_props(f, &props, *paths);
		dbus_message_iter_close_container(&entry, &props);
		dbus_message_iter_close_container(&items, &entry);
	}
	dbus_message_iter_close_container(&iter, &items);
}

static void fake_send(struct fake *f, DBusMessage *msg)
{
	dbus_connection_send(f->conn, msg, NULL);
	dbus_message_unref(msg);
}

/* PropertiesChanged on /Value, and ItemsChanged on "/" unless @only_properties. */
static void fake_emit(struct fake *f, bool only_properties)
{
	static const char *const changed[] = {"/Value", NULL};
	DBusMessageIter iter, dict;
	DBusMessage *sig;

	sig = dbus_message_new_signal("/Value", VEDBUS_IFACE_BUSITEM, "PropertiesChanged");
	dbus_message_iter_init_append(sig, &iter);
	dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "{sv}", &dict);
	append_item_props(f, &dict, "/Value");
	dbus_message_iter_close_container(&iter, &dict);
	fake_send(f, sig);
	if (only_properties)
		return;
	sig = dbus_message_new_signal("/", VEDBUS_IFACE_BUSITEM, "ItemsChanged");
	append_items(f, sig, changed);
	fake_send(f, sig);
}

/* SetValue: record the variant's signature; accept numbers (reply 0), refuse the rest (1). */
static DBusMessage *fake_set_value(struct fake *f, DBusMessage *msg)
{
	DBusMessageIter iter, variant;
	dbus_int32_t code = 1;
	DBusBasicValue v;
	char *sig;
	int type;

	if (!dbus_message_iter_init(msg, &iter) ||
	    dbus_message_iter_get_arg_type(&iter) != DBUS_TYPE_VARIANT)
		return dbus_message_new_error(msg, DBUS_ERROR_INVALID_ARGS, "want a variant");
	dbus_message_iter_recurse(&iter, &variant);
	sig = dbus_message_iter_get_signature(&variant);
	snprintf(f->last_sig, sizeof(f->last_sig), "%s", sig);
	dbus_free(sig);
	type = dbus_message_iter_get_arg_type(&variant);
	if (type == DBUS_TYPE_DOUBLE || type == DBUS_TYPE_UINT16 || type == DBUS_TYPE_INT32) {
		dbus_message_iter_get_basic(&variant, &v);
		f->value = type == DBUS_TYPE_DOUBLE   ? v.dbl
			   : type == DBUS_TYPE_UINT16 ? v.u16
						      : v.i32;
		code = 0;
		fake_emit(f, false);
	}
	msg = dbus_message_new_method_return(msg);
	dbus_message_append_args(msg, DBUS_TYPE_INT32, &code, DBUS_TYPE_INVALID);
	return msg;
}

/* GetValue or GetText on a leaf. */
static DBusMessage *fake_get(struct fake *f, DBusMessage *msg, bool text)
{
	const char *path = dbus_message_get_path(msg);
	DBusMessageIter iter;
	DBusMessage *reply;
	const void *valp;
	char buf[64];
	const char *s = buf;
	int type;

	if (!item_get(f, path, &type, &valp, buf, sizeof(buf)))
		return dbus_message_new_error(msg, DBUS_ERROR_UNKNOWN_OBJECT, path);
	reply = dbus_message_new_method_return(msg);
	dbus_message_iter_init_append(reply, &iter);
	if (text)
		append_variant(&iter, DBUS_TYPE_STRING, &s);
	else
		append_variant(&iter, type, valp);
	return reply;
}

static DBusMessage *fake_method(struct fake *f, DBusMessage *msg)
{
	static const char *const all[] = {"/Value", "/Invalid", "/LastSig", NULL};
	DBusMessage *reply = NULL;
	dbus_int32_t n = 0;

	if (dbus_message_has_member(msg, "GetValue"))
		return fake_get(f, msg, false);
	if (dbus_message_has_member(msg, "GetText"))
		return fake_get(f, msg, true);
	if (dbus_message_has_member(msg, "SetValue"))
		return fake_set_value(f, msg);
	if (dbus_message_is_method_call(msg, VEDBUS_IFACE_BUSITEM, "GetItems")) {
		reply = dbus_message_new_method_return(msg);
		append_items(f, reply, all);
	} else if (dbus_message_is_method_call(msg, FAKE_IFACE, "Arm")) {
		f->armed = dbus_message_get_args(msg, NULL, DBUS_TYPE_DOUBLE, &f->next,
						 DBUS_TYPE_INVALID);
	} else if (dbus_message_is_method_call(msg, FAKE_IFACE, "Emit")) {
		dbus_message_get_args(msg, NULL, DBUS_TYPE_INT32, &n, DBUS_TYPE_INVALID);
		while (n-- > 0)
			fake_emit(f, true);
	} else if (dbus_message_is_method_call(msg, FAKE_IFACE, "Quit")) {
		f->quit = true;
	} else {
		return dbus_message_new_error(msg, DBUS_ERROR_UNKNOWN_METHOD,
					      dbus_message_get_member(msg));
	}
	return reply ? reply : dbus_message_new_method_return(msg);
}

static DBusHandlerResult fake_filter(DBusConnection *conn, DBusMessage *msg, void *data)
{
	struct fake *f = data;
	bool get_value;
	DBusMessage *reply;

	if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_METHOD_CALL)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	get_value =
		dbus_message_has_member(msg, "GetValue") && dbus_message_has_path(msg, "/Value");
	reply = fake_method(f, msg);
	if (dbus_message_get_no_reply(msg))
		dbus_message_unref(reply);
	else
		fake_send(f, reply);
	if (get_value && f->armed) {
		/* Changed right after the reply: a waiter can only learn it from the signals. */
		f->armed = false;
		f->value = f->next;
		fake_emit(f, false);
	}
	return DBUS_HANDLER_RESULT_HANDLED;
}

static void *fake_run(void *data)
{
	struct fake *f = data;

	while (!f->quit && dbus_connection_read_write_dispatch(f->conn, -1))
		;
	dbus_connection_flush(f->conn);
	dbus_connection_close(f->conn);
	dbus_connection_unref(f->conn);
	return NULL;
}

static void fake_start(void)
{
	DBusError err;

	dbus_error_init(&err);
	memset(&fake, 0, sizeof(fake));
	fake.value = 1.5;
	snprintf(fake.last_sig, sizeof(fake.last_sig), "none");
	fake.conn = dbus_connection_open_private(hx_bus_address(bus), &err);
	ck_assert_msg(fake.conn, "%s", err.message);
	dbus_connection_set_exit_on_disconnect(fake.conn, FALSE);
	ck_assert(dbus_bus_register(fake.conn, &err));
	ck_assert_int_eq(
		dbus_bus_request_name(fake.conn, FAKE_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err),
		DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
	ck_assert(dbus_connection_add_filter(fake.conn, fake_filter, &fake, NULL));
	ck_assert_int_eq(pthread_create(&fake.thread, NULL, fake_run, &fake), 0);
	fake.running = true;
}

static void fake_stop(void)
{
	if (!fake.running)
		return;
	fake.running = false;
	ck_assert_int_eq(
		hx_call(client, FAKE_NAME, "/", FAKE_IFACE, "Quit", NULL, DBUS_TYPE_INVALID), 0);
	pthread_join(fake.thread, NULL);
}

/* ------------------------------------------------------------------------------------------ */

static void setup_bus(void)
{
	ck_assert_int_eq(hx_bus_start(&bus), 0);
	ck_assert_int_eq(hx_client_new(hx_bus_address(bus), &client), 0);
}

static void teardown_bus(void)
{
	fake_stop();
	client = hx_client_free(client);
	bus = hx_bus_stop(bus);
}

START_TEST(test_bus_list_names)
{
	DBusMessage *reply;
	char **names;
	int n_names, i;
	bool have_bus = false, have_self = false;

	ck_assert_str_eq(getenv("DBUS_SESSION_BUS_ADDRESS"), hx_bus_address(bus));
	ck_assert_int_eq(hx_call(client, DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
				 "ListNames", &reply, DBUS_TYPE_INVALID),
			 0);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &names,
					&n_names, DBUS_TYPE_INVALID));
	for (i = 0; i < n_names; i++) {
		have_bus |= strcmp(names[i], DBUS_SERVICE_DBUS) == 0;
		have_self |= strcmp(names[i], hx_client_name(client)) == 0;
	}
	dbus_free_string_array(names);
	dbus_message_unref(reply);
	ck_assert(have_bus);
	ck_assert(have_self);
	ck_assert_int_eq(hx_sync(client, NULL), 0);
}
END_TEST

START_TEST(test_bus_dir_removed)
{
	char dir[512], path[600], address[1024];
	const char *env;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", hx_bus_dir(bus));
	snprintf(address, sizeof(address), "%s", hx_bus_address(bus));
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/file", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	client = hx_client_free(client);
	bus = hx_bus_stop(bus);
	ck_assert_int_ne(access(dir, F_OK), 0);
	env = getenv("DBUS_SESSION_BUS_ADDRESS");
	ck_assert(!env || strcmp(env, address) != 0);
}
END_TEST

START_TEST(test_call_error_reply)
{
	DBusMessage *reply;

	ck_assert_int_eq(hx_call(client, DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
				 "NoSuchMethod", &reply, DBUS_TYPE_INVALID),
			 -EREMOTEIO);
	ck_assert_ptr_nonnull(reply);
	ck_assert_str_eq(dbus_message_get_error_name(reply), DBUS_ERROR_UNKNOWN_METHOD);
	dbus_message_unref(reply);
	ck_assert_int_eq(hx_call(client, "com.victronenergy.nobody", "/", NULL, "GetValue", NULL,
				 DBUS_TYPE_INVALID),
			 -EREMOTEIO);
}
END_TEST

START_TEST(test_wait_name)
{
	DBusConnection *other;
	DBusMessage *msg;
	const char *name = OTHER_NAME;
	dbus_uint32_t flags = DBUS_NAME_FLAG_DO_NOT_QUEUE;

	other = dbus_connection_open_private(hx_bus_address(bus), NULL);
	ck_assert_ptr_nonnull(other);
	ck_assert(dbus_bus_register(other, NULL));
	ck_assert_int_eq(hx_wait_name(client, OTHER_NAME, false, 1000), 0);
	ck_assert_int_eq(hx_wait_name(client, OTHER_NAME, true, 100), -ETIMEDOUT);

	/* Claim it without waiting for the reply: the harness has to see it happen. */
	msg = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
					   "RequestName");
	ck_assert(dbus_message_append_args(msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_UINT32, &flags,
					   DBUS_TYPE_INVALID));
	ck_assert(dbus_connection_send(other, msg, NULL));
	dbus_message_unref(msg);
	dbus_connection_flush(other);
	ck_assert_int_eq(hx_wait_name(client, OTHER_NAME, true, 5000), 0);

	dbus_connection_close(other);
	dbus_connection_unref(other);
	ck_assert_int_eq(hx_wait_name(client, OTHER_NAME, false, 5000), 0);
	ck_assert_int_ge(hx_count_signals(client, "NameOwnerChanged", NULL), 2);
}
END_TEST

START_TEST(test_values)
{
	const char *str = "text";
	struct vedbus_value val;
	struct hx_value v;
	DBusMessage *items;
	char text[64];
	dbus_uint16_t u16 = 7;
	int code = -1;

	fake_start();
	ck_assert_int_eq(hx_wait_name(client, FAKE_NAME, true, 5000), 0);
	ck_assert_int_eq(hx_get_value(client, FAKE_NAME, "/Value", &v), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_DOUBLE);
	ck_assert_str_eq(v.sig, "d");
	ck_assert_double_eq(v.d, 1.5);
	ck_assert_int_eq(hx_get_text(client, FAKE_NAME, "/Value", text, sizeof(text)), 0);
	ck_assert_str_eq(text, "1.5V");
	ck_assert_int_eq(hx_get_value(client, FAKE_NAME, "/Invalid", &v), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_INVALID);
	ck_assert_str_eq(v.sig, "ai");
	ck_assert_int_eq(hx_get_value(client, FAKE_NAME, "/Nope", &v), -EREMOTEIO);

	ck_assert_int_eq(hx_get_items(client, FAKE_NAME, &items), 0);
	ck_assert_int_eq(hx_items_find(items, "/Value", &v, text, sizeof(text)), 0);
	ck_assert_double_eq(v.d, 1.5);
	ck_assert_str_eq(text, "1.5V");
	ck_assert_int_eq(hx_items_find(items, "/Invalid", &v, text, sizeof(text)), 0);
	ck_assert_int_eq(v.type, VEDBUS_TYPE_INVALID);
	ck_assert_str_eq(text, "---");
	ck_assert_int_eq(hx_items_find(items, "/Nope", NULL, NULL, 0), -ENOENT);
	dbus_message_unref(items);

	/* Encodings as velib_python: "d", "i", "x" when it does not fit, empty "ai". */
	val = vedbus_double(2.25);
	ck_assert_int_eq(hx_set_value(client, FAKE_NAME, "/Value", &val, &code), 0);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(hx_wait_double(client, FAKE_NAME, "/Value", 2.25, 1e-9, 5000), 0);
	val = vedbus_int(3);
	ck_assert_int_eq(hx_set_value(client, FAKE_NAME, "/Value", &val, &code), 0);
	ck_assert_int_eq(hx_wait_string(client, FAKE_NAME, "/LastSig", "i", 5000), 0);
	val = vedbus_int(1LL << 40);
	ck_assert_int_eq(hx_set_value(client, FAKE_NAME, "/Value", &val, &code), 0);
	ck_assert_int_eq(code, 1);
	ck_assert_int_eq(hx_wait_string(client, FAKE_NAME, "/LastSig", "x", 5000), 0);
	val = vedbus_invalid();
	ck_assert_int_eq(hx_set_value(client, FAKE_NAME, "/Value", &val, &code), 0);
	ck_assert_int_eq(hx_wait_string(client, FAKE_NAME, "/LastSig", "ai", 5000), 0);

	ck_assert_int_eq(hx_set_raw(client, FAKE_NAME, "/Value", DBUS_TYPE_UINT16, &u16, &code), 0);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(hx_wait_string(client, FAKE_NAME, "/LastSig", "q", 5000), 0);
	ck_assert_int_eq(hx_wait_double(client, FAKE_NAME, "/Value", 7, 0, 5000), 0);
	ck_assert_int_eq(hx_set_raw(client, FAKE_NAME, "/Value", DBUS_TYPE_STRING, &str, &code), 0);
	ck_assert_int_eq(code, 1);
	ck_assert_int_eq(hx_wait_invalid(client, FAKE_NAME, "/Invalid", 5000), 0);
}
END_TEST

START_TEST(test_wait_value_follows_signals)
{
	double next = 42.0;
	struct hx_value v;
	DBusMessage *sig;
	char text[64];

	fake_start();
	ck_assert_int_eq(hx_call(client, FAKE_NAME, "/", FAKE_IFACE, "Arm", NULL, DBUS_TYPE_DOUBLE,
				 &next, DBUS_TYPE_INVALID),
			 0);
	hx_clear_signals(client);
	/* GetValue still answers 1.5; only the signals after it carry 42. */
	ck_assert_int_eq(hx_wait_double(client, FAKE_NAME, "/Value", 42.0, 1e-9, 5000), 0);
	ck_assert_int_eq(hx_sync(client, FAKE_NAME), 0);
	ck_assert_int_eq(hx_count_signals(client, "PropertiesChanged", "/Value"), 1);
	ck_assert_int_eq(hx_count_signals(client, "ItemsChanged", "/"), 1);
	sig = hx_pop_signal(client, "ItemsChanged", NULL);
	ck_assert_ptr_nonnull(sig);
	ck_assert_int_eq(hx_items_find(sig, "/Value", &v, text, sizeof(text)), 0);
	ck_assert_double_eq(v.d, 42.0);
	ck_assert_str_eq(text, "42.0V");
	dbus_message_unref(sig);
	ck_assert_int_eq(hx_count_signals(client, "ItemsChanged", NULL), 0);
	ck_assert_int_eq(hx_wait_int(client, FAKE_NAME, "/Value", 42, 200), -ETIMEDOUT);
}
END_TEST

START_TEST(test_sync_counts_signals)
{
	DBusMessage *msg;
	dbus_int32_t n = 25;

	fake_start();
	hx_clear_signals(client);
	/* No reply wanted: only hx_sync() makes the count exact. */
	msg = dbus_message_new_method_call(FAKE_NAME, "/", FAKE_IFACE, "Emit");
	ck_assert(dbus_message_append_args(msg, DBUS_TYPE_INT32, &n, DBUS_TYPE_INVALID));
	dbus_message_set_no_reply(msg, TRUE);
	ck_assert(dbus_connection_send(hx_client_conn(client), msg, NULL));
	dbus_message_unref(msg);
	ck_assert_int_eq(hx_sync(client, FAKE_NAME), 0);
	ck_assert_int_eq(hx_count_signals(client, "PropertiesChanged", "/Value"), 25);
	ck_assert_int_eq(hx_count_signals(client, "PropertiesChanged", "/Other"), 0);
	ck_assert_int_eq(hx_wait_signal(client, "PropertiesChanged", "/Value", 1000, &msg), 0);
	ck_assert_int_eq(hx_items_find(msg, "/Value", NULL, NULL, 0), 0);
	dbus_message_unref(msg);
	ck_assert_int_eq(hx_count_signals(client, "PropertiesChanged", NULL), 24);
	hx_clear_signals(client);
	ck_assert_int_eq(hx_count_signals(client, NULL, NULL), 0);
	ck_assert_int_eq(hx_wait_signal(client, "ItemsChanged", NULL, 100, NULL), -ETIMEDOUT);
}
END_TEST

START_TEST(test_spawn_echo)
{
	const char *const argv[] = {"/bin/sh", "-c", "echo ready; echo \"$HX_TEST\" >&2; exec cat",
				    NULL};
	const char *const env[] = {"HX_TEST=from-env", NULL};
	struct hx_proc *proc;
	int status;

	ck_assert_int_eq(hx_spawn(argv, env, HX_SPAWN_STDIN, &proc), 0);
	ck_assert_int_eq(hx_proc_wait_log(proc, "ready", 5000), 0);
	ck_assert_int_eq(hx_proc_wait_log(proc, "from-env", 5000), 0);
	ck_assert_int_eq(hx_proc_write(proc, "hello harness"), 0);
	ck_assert_int_eq(hx_proc_wait_log(proc, "hello harness", 5000), 0);
	/* The next wait starts after the previous match. */
	ck_assert_int_eq(hx_proc_write(proc, "hello harness\n"), 0);
	ck_assert_int_eq(hx_proc_wait_log(proc, "hello harness", 5000), 0);
	ck_assert_ptr_nonnull(strstr(hx_proc_output(proc), "ready\nfrom-env\nhello harness\n"));
	ck_assert_int_eq(hx_proc_kill(proc, SIGTERM), 0);
	ck_assert_int_eq(hx_proc_wait_exit(proc, 5000, &status), 0);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGTERM);
	ck_assert_int_eq(hx_proc_kill(proc, SIGTERM), -ESRCH);
	proc = hx_proc_free(proc);
	ck_assert_ptr_null(proc);
}
END_TEST

START_TEST(test_spawn_exit)
{
	const char *const cat[] = {"cat", NULL};
	const char *const fail[] = {"/bin/sh", "-c", "echo bye; exit 3", NULL};
	const char *const missing[] = {"/nonexistent/hx-nothing", NULL};
	struct hx_proc *proc = NULL;
	int status;

	ck_assert_int_eq(hx_spawn(missing, NULL, 0, &proc), -ENOENT);
	ck_assert_ptr_null(proc);

	ck_assert_int_eq(hx_spawn(fail, NULL, 0, &proc), 0);
	ck_assert_int_eq(hx_proc_wait_exit(proc, 5000, &status), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	ck_assert_int_eq(hx_proc_wait_log(proc, "bye", 0), 0);
	ck_assert_int_eq(hx_proc_wait_log(proc, "never", 5000), -EPIPE);
	ck_assert_int_eq(hx_proc_write(proc, "x"), -EBADF);
	proc = hx_proc_free(proc);

	ck_assert_int_eq(hx_spawn(cat, NULL, HX_SPAWN_STDIN, &proc), 0);
	ck_assert_int_eq(hx_proc_close_stdin(proc), 0);
	ck_assert_int_eq(hx_proc_wait_exit(proc, 5000, &status), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(hx_proc_stop(proc, 1000), 0);
	proc = hx_proc_free(proc);

	ck_assert_int_eq(hx_spawn(cat, NULL, HX_SPAWN_STDIN, &proc), 0);
	ck_assert_int_eq(hx_proc_stop(proc, 5000), 128 + SIGTERM);
	proc = hx_proc_free(proc);
	ck_assert_ptr_null(hx_proc_free(NULL));
	ck_assert_ptr_null(hx_bus_stop(NULL));
	ck_assert_ptr_null(hx_client_free(NULL));
}
END_TEST

START_TEST(test_paths)
{
	const char *bin = hx_bin("vedbus");

	ck_assert(bin[0] == '/');
	ck_assert_ptr_nonnull(strstr(bin, "/bin/vedbus"));
	ck_assert_ptr_eq(bin, hx_bin("vedbus"));
	ck_assert(hx_have_program("sh"));
	ck_assert(!hx_have_program("hx-no-such-program"));
	ck_assert_int_ge(hx_scale_ms(1000), 1000);
	ck_assert_int_eq(hx_remaining_ms(hx_deadline(-1)), -1);
	ck_assert_int_eq(hx_remaining_ms(hx_now_ms() - 1), 0);
}
END_TEST

static Suite *harness_suite(void)
{
	Suite *s = suite_create("harness");
	TCase *tc;

	tc = tcase_create("bus");
	tcase_add_checked_fixture(tc, setup_bus, teardown_bus);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bus_list_names);
	tcase_add_test(tc, test_bus_dir_removed);
	tcase_add_test(tc, test_call_error_reply);
	tcase_add_test(tc, test_wait_name);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_wait_value_follows_signals);
	tcase_add_test(tc, test_sync_counts_signals);
	suite_add_tcase(s, tc);

	tc = tcase_create("spawn");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_spawn_echo);
	tcase_add_test(tc, test_spawn_exit);
	tcase_add_test(tc, test_paths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!hx_have_program("dbus-daemon")) {
		fprintf(stderr, "test-harness: dbus-daemon not installed, skipped\n");
		return 77;
	}
	dbus_threads_init_default(); /* the fake service runs on a thread of its own */
	sr = srunner_create(harness_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
