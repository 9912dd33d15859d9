/* SPDX-License-Identifier: MIT */
/* settings.c - client of com.victronenergy.settings: AddSettings, changes, device instances */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

struct vedbus_setting {
	struct vedbus_settings *st;
	char *path;
	struct vedbus_value def;   /* owned */
	struct vedbus_value value; /* owned */
	double min, max;
	vedbus_setting_fn fn;
	void *userdata;
	bool synced; /* went through AddSettings with the present settings service */
};

struct vedbus_settings {
	DBusConnection *conn;
	GPtrArray *settings;     /* struct vedbus_setting *, owned */
	GHashTable *by_path;     /* path -> setting, borrowed */
	char *owner;             /* unique name of the settings service, or NULL */
	bool absent;             /* GetNameOwner said: nobody */
	DBusPendingCall *pending; /* AddSettings in flight */
	GPtrArray *in_flight;    /* settings in that call, borrowed */
	guint idle;              /* scheduled sync */
};

static DBusHandlerResult settings_filter(DBusConnection *c, DBusMessage *msg, void *data);
static void settings_sync(struct vedbus_settings *st);
static void settings_appeared(struct vedbus_settings *st, const char *owner);

static void setting_free(struct vedbus_setting *s)
{
	value_clear(&s->def);
	value_clear(&s->value);
	free(s->path);
	free(s);
}

static void on_name_owner(DBusPendingCall *pc, void *data)
{
	struct vedbus_settings *st = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	const char *owner = NULL;

	if (reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID)) {
		if (!st->owner)
			settings_appeared(st, owner);
	} else if (!st->owner) {
		st->absent = true;
	}
	if (reply)
		dbus_message_unref(reply);
}

static int call_async(DBusConnection *conn, DBusMessage *msg, DBusPendingCallNotifyFunction fn,
		      void *data, DBusPendingCall **ret_pc)
{
	DBusPendingCall *pc = NULL;

	if (!dbus_connection_send_with_reply(conn, msg, &pc, 5000) || !pc) {
		dbus_message_unref(msg);
		return -ENOMEM;
	}
	dbus_message_unref(msg);
	dbus_pending_call_set_notify(pc, fn, data, NULL);
	if (ret_pc)
		*ret_pc = pc;
	else
		dbus_pending_call_unref(pc);
	return 0;
}

int vedbus_settings_new(DBusConnection *conn, struct vedbus_settings **ret)
{
	struct vedbus_settings *st;
	const char *name = VEDBUS_SETTINGS_NAME;
	DBusMessage *msg;

	if (!conn || !ret)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->conn = dbus_connection_ref(conn);
	st->settings = g_ptr_array_new_with_free_func((GDestroyNotify)setting_free);
	st->by_path = g_hash_table_new(g_str_hash, g_str_equal);
	dbus_connection_add_filter(conn, settings_filter, st, NULL);
	dbus_bus_add_match(conn, "type='signal',sender='org.freedesktop.DBus',"
			   "member='NameOwnerChanged',arg0='" VEDBUS_SETTINGS_NAME "'", NULL);

	msg = dbus_message_new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", "GetNameOwner");
	if (!msg || !dbus_message_append_args(msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID) ||
	    call_async(conn, msg, on_name_owner, st, NULL) < 0) {
		vedbus_settings_free(st);
		return -ENOMEM;
	}
	*ret = st;
	return 0;
}

struct vedbus_settings *vedbus_settings_free(struct vedbus_settings *st)
{
	if (!st)
		return NULL;
	if (st->pending) {
		dbus_pending_call_cancel(st->pending);
		dbus_pending_call_unref(st->pending);
	}
	if (st->idle)
		g_source_remove(st->idle);
	dbus_connection_remove_filter(st->conn, settings_filter, st);
	dbus_connection_unref(st->conn);
	if (st->in_flight)
		g_ptr_array_unref(st->in_flight);
	g_hash_table_unref(st->by_path);
	g_ptr_array_unref(st->settings);
	free(st->owner);
	free(st);
	return NULL;
}

static bool setting_path_valid(const char *path)
{
	return tree_path_valid(path) && g_str_has_prefix(path, "/Settings/");
}

static void add_change_match(struct vedbus_settings *st, const char *path)
{
	char rule[512];

	snprintf(rule, sizeof(rule),
		 "type='signal',sender='" VEDBUS_SETTINGS_NAME "',interface='"
		 VEDBUS_IFACE_BUSITEM "',member='PropertiesChanged',path='%s'", path);
	dbus_bus_add_match(st->conn, rule, NULL);
}

static gboolean sync_idle(gpointer data)
{
	struct vedbus_settings *st = data;

	st->idle = 0;
	settings_sync(st);
	return G_SOURCE_REMOVE;
}

int vedbus_settings_add(struct vedbus_settings *st, const char *path,
			const struct vedbus_value *def, double min, double max,
			vedbus_setting_fn fn, void *userdata, struct vedbus_setting **ret_setting)
{
	struct vedbus_setting *s;

	if (!st || !setting_path_valid(path) || !vedbus_value_is_valid(def))
		return -EINVAL;
	if (g_hash_table_contains(st->by_path, path))
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->st = st;
	s->path = strdup(path);
	if (!s->path || value_copy(&s->def, def) < 0 || value_copy(&s->value, def) < 0) {
		setting_free(s);
		return -ENOMEM;
	}
	s->min = min;
	s->max = max;
	s->fn = fn;
	s->userdata = userdata;
	g_ptr_array_add(st->settings, s);
	g_hash_table_insert(st->by_path, s->path, s);
	add_change_match(st, path);
	/* batch the settings added in one go into one AddSettings call */
	if (st->owner && !st->idle)
		st->idle = g_idle_add(sync_idle, st);
	if (ret_setting)
		*ret_setting = s;
	return 0;
}

const struct vedbus_value *vedbus_setting_get(const struct vedbus_setting *setting)
{
	return setting ? &setting->value : NULL;
}

const char *vedbus_setting_path(const struct vedbus_setting *setting)
{
	return setting ? setting->path : NULL;
}

bool vedbus_settings_synced(const struct vedbus_settings *st)
{
	guint i;

	if (!st || !st->owner || st->pending)
		return false;
	for (i = 0; i < st->settings->len; i++)
		if (!((struct vedbus_setting *)g_ptr_array_index(st->settings, i))->synced)
			return false;
	return true;
}

/* Take @v as the setting's value; tell the owner when it changed. */
static void setting_update(struct vedbus_setting *s, const struct vedbus_value *v)
{
	struct vedbus_value c, copy;

	if (vedbus_value_coerce(v, s->def.type, &c) < 0 || vedbus_value_equal(&c, &s->value))
		return;
	if (value_copy(&copy, &c) < 0)
		return;
	value_clear(&s->value);
	s->value = copy;
	if (s->fn)
		s->fn(s, &s->value, s->userdata);
}

int vedbus_setting_set(struct vedbus_setting *setting, const struct vedbus_value *v)
{
	struct vedbus_settings *st;
	DBusMessageIter iter;
	DBusMessage *msg;

	if (!setting || !v)
		return -EINVAL;
	st = setting->st;
	setting_update(setting, v);
	if (!st->owner)
		return 0;
	msg = dbus_message_new_method_call(VEDBUS_SETTINGS_NAME, setting->path,
					   VEDBUS_IFACE_BUSITEM, "SetValue");
	if (!msg)
		return -ENOMEM;
	dbus_message_iter_init_append(msg, &iter);
	if (vedbus_value_append(&iter, &setting->value) < 0) {
		dbus_message_unref(msg);
		return -ENOMEM;
	}
	dbus_message_set_no_reply(msg, TRUE);
	dbus_connection_send(st->conn, msg, NULL);
	dbus_message_unref(msg);
	return 0;
}


/* AddSettings ---------------------------------------------------------------------------- */

static int append_entry_value(DBusMessageIter *dict, const char *key,
			      const struct vedbus_value *v)
{
	DBusMessageIter e;

	if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &e))
		return -ENOMEM;
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	if (vedbus_value_append(&e, v) < 0)
		return -ENOMEM;
	return dbus_message_iter_close_container(dict, &e) ? 0 : -ENOMEM;
}

/* {path, default[, min, max]}; a numeric limit of the setting's own type */
static int append_setting_entry(DBusMessageIter *arr, const struct vedbus_setting *s)
{
	struct vedbus_value path = vedbus_string(s->path), min, max;
	DBusMessageIter dict;
	int r;

	if (!dbus_message_iter_open_container(arr, DBUS_TYPE_ARRAY, "{sv}", &dict))
		return -ENOMEM;
	r = append_entry_value(&dict, "path", &path);
	if (r == 0)
		r = append_entry_value(&dict, "default", &s->def);
	if (r == 0 && s->def.type != VEDBUS_TYPE_STRING && (s->min != 0 || s->max != 0)) {
		min = s->def.type == VEDBUS_TYPE_INT ? vedbus_int((int64_t)s->min)
						     : vedbus_double(s->min);
		max = s->def.type == VEDBUS_TYPE_INT ? vedbus_int((int64_t)s->max)
						     : vedbus_double(s->max);
		r = append_entry_value(&dict, "min", &min);
		if (r == 0)
			r = append_entry_value(&dict, "max", &max);
	}
	if (r < 0)
		return r;
	return dbus_message_iter_close_container(arr, &dict) ? 0 : -ENOMEM;
}

/* One result entry {path, error, value}: take the value of a setting we asked for. */
static void read_result_entry(struct vedbus_settings *st, DBusMessageIter *entry)
{
	struct vedbus_value path, value = vedbus_invalid();
	struct vedbus_setting *s;

	if (marshal_dict_get(entry, "path", &path) < 0 || path.type != VEDBUS_TYPE_STRING)
		return;
	s = g_hash_table_lookup(st->by_path, path.u.s);
	if (!s)
		return;
	(void)marshal_dict_get(entry, "value", &value);
	s->synced = true;
	if (vedbus_value_is_valid(&value))
		setting_update(s, &value);
}

static void on_add_settings(DBusPendingCall *pc, void *data)
{
	struct vedbus_settings *st = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	DBusMessageIter iter, arr;
	GPtrArray *asked = st->in_flight;

	dbus_pending_call_unref(st->pending);
	st->pending = NULL;
	st->in_flight = NULL;
	if (reply && dbus_message_has_signature(reply, "aa{sv}")) {
		dbus_message_iter_init(reply, &iter);
		dbus_message_iter_recurse(&iter, &arr);
		for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_ARRAY;
		     dbus_message_iter_next(&arr))
			read_result_entry(st, &arr);
	}
	if (reply)
		dbus_message_unref(reply);
	if (asked)
		g_ptr_array_unref(asked);
	/* settings added while the call was in flight go in the next one */
	settings_sync(st);
}

static void settings_sync(struct vedbus_settings *st)
{
	DBusMessageIter iter, arr;
	DBusMessage *msg;
	guint i;

	if (!st->owner || st->pending)
		return;
	st->in_flight = g_ptr_array_new();
	for (i = 0; i < st->settings->len; i++) {
		struct vedbus_setting *s = g_ptr_array_index(st->settings, i);

		if (!s->synced)
			g_ptr_array_add(st->in_flight, s);
	}
	if (st->in_flight->len == 0)
		goto out_nothing;
	msg = dbus_message_new_method_call(VEDBUS_SETTINGS_NAME, "/", VEDBUS_IFACE_SETTINGS,
					   "AddSettings");
	if (!msg)
		goto out_nothing;
	dbus_message_iter_init_append(msg, &iter);
	dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "a{sv}", &arr);
	for (i = 0; i < st->in_flight->len; i++)
		append_setting_entry(&arr, g_ptr_array_index(st->in_flight, i));
	dbus_message_iter_close_container(&iter, &arr);
	if (call_async(st->conn, msg, on_add_settings, st, &st->pending) < 0)
		goto out_nothing;
	return;

out_nothing:
	g_ptr_array_unref(st->in_flight);
	st->in_flight = NULL;
}

static void settings_appeared(struct vedbus_settings *st, const char *owner)
{
	guint i;

	free(st->owner);
	st->owner = strdup(owner);
	st->absent = false;
	/* a new settings service (or a restarted one) knows nothing of ours: add them again */
	for (i = 0; i < st->settings->len; i++)
		((struct vedbus_setting *)g_ptr_array_index(st->settings, i))->synced = false;
	if (st->pending) {
		dbus_pending_call_cancel(st->pending);
		dbus_pending_call_unref(st->pending);
		st->pending = NULL;
		g_ptr_array_unref(st->in_flight);
		st->in_flight = NULL;
	}
	settings_sync(st);
}

static void on_owner_changed(struct vedbus_settings *st, DBusMessage *msg)
{
	const char *name, *old, *new;

	if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old,
				   DBUS_TYPE_STRING, &new, DBUS_TYPE_INVALID) ||
	    strcmp(name, VEDBUS_SETTINGS_NAME) != 0)
		return;
	if (*new) {
		settings_appeared(st, new);
		return;
	}
	free(st->owner);
	st->owner = NULL;
	st->absent = true;
}

static void on_properties_changed(struct vedbus_settings *st, DBusMessage *msg)
{
	struct vedbus_setting *s = g_hash_table_lookup(st->by_path, dbus_message_get_path(msg));
	DBusMessageIter iter;
	struct vedbus_value v;

	if (!s || !dbus_message_has_signature(msg, "a{sv}"))
		return;
	dbus_message_iter_init(msg, &iter);
	if (marshal_dict_get(&iter, "Value", &v) == 0)
		setting_update(s, &v);
}

static DBusHandlerResult settings_filter(DBusConnection *c, DBusMessage *msg, void *data)
{
	struct vedbus_settings *st = data;

	if (dbus_message_is_signal(msg, "org.freedesktop.DBus", "NameOwnerChanged"))
		on_owner_changed(st, msg);
	else if (dbus_message_is_signal(msg, VEDBUS_IFACE_BUSITEM, "PropertiesChanged") &&
		 st->owner && g_strcmp0(dbus_message_get_sender(msg), st->owner) == 0)
		on_properties_changed(st, msg);
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static gboolean wait_timeout(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

int vedbus_settings_wait(struct vedbus_settings *st, unsigned int timeout_ms)
{
	bool expired = false;
	guint id;

	if (!st)
		return -EINVAL;
	id = g_timeout_add(timeout_ms, wait_timeout, &expired);
	while (!expired && !vedbus_settings_synced(st) && !(st->absent && !st->owner))
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(id);
	return vedbus_settings_synced(st) ? 0 : 1;
}
