/* SPDX-License-Identifier: MIT */
/* monitor.c - follow chosen paths of other services, with match rules narrowed to them */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

struct watch {
	char *target; /* a full name, or a class prefix such as "com.victronenergy.battery" */
	char *path;
	vedbus_monitor_fn fn;
	void *userdata;
};

struct mservice {
	struct vedbus_monitor *mon;
	char *name;
	char *owner;       /* unique name: signals carry it as sender */
	GHashTable *values; /* path -> struct vedbus_value *, owned */
	GPtrArray *rules;  /* match rules added for this service, owned strings */
	DBusPendingCall *scan;
};

struct vedbus_monitor {
	DBusConnection *conn;
	GPtrArray *watches;    /* struct watch *, owned */
	GHashTable *services;  /* name -> struct mservice *, owned */
	GHashTable *by_owner;  /* unique name -> struct mservice *, borrowed */
	GHashTable *targets;   /* targets with a NameOwnerChanged match, owned keys */
};

static DBusHandlerResult monitor_filter(DBusConnection *c, DBusMessage *msg, void *data);

static void value_destroy(gpointer v)
{
	value_free(v);
}

static int name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool target_matches(const char *target, const char *name)
{
	size_t n = strlen(target);

	return strncmp(name, target, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

static void watch_free(struct watch *w)
{
	free(w->target);
	free(w->path);
	free(w);
}

static void mservice_free(struct mservice *ms)
{
	guint i;

	if (ms->scan) {
		dbus_pending_call_cancel(ms->scan);
		dbus_pending_call_unref(ms->scan);
	}
	for (i = 0; i < ms->rules->len; i++)
		dbus_bus_remove_match(ms->mon->conn, g_ptr_array_index(ms->rules, i), NULL);
	g_ptr_array_unref(ms->rules);
	g_hash_table_unref(ms->values);
	free(ms->name);
	free(ms->owner);
	free(ms);
}

int vedbus_monitor_new(DBusConnection *conn, struct vedbus_monitor **ret)
{
	struct vedbus_monitor *mon;

	if (!conn || !ret)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	mon->conn = dbus_connection_ref(conn);
	mon->watches = g_ptr_array_new_with_free_func((GDestroyNotify)watch_free);
	mon->services = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					      (GDestroyNotify)mservice_free);
	mon->by_owner = g_hash_table_new(g_str_hash, g_str_equal);
	mon->targets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	dbus_connection_add_filter(conn, monitor_filter, mon, NULL);
	*ret = mon;
	return 0;
}

struct vedbus_monitor *vedbus_monitor_free(struct vedbus_monitor *mon)
{
	if (!mon)
		return NULL;
	dbus_connection_remove_filter(mon->conn, monitor_filter, mon);
	g_hash_table_unref(mon->by_owner);
	g_hash_table_unref(mon->services);
	g_hash_table_unref(mon->targets);
	g_ptr_array_unref(mon->watches);
	dbus_connection_unref(mon->conn);
	free(mon);
	return NULL;
}

/* Tell every watcher of @path on @ms about a new value. */
static void notify(struct mservice *ms, const char *path, const struct vedbus_value *v)
{
	struct vedbus_monitor *mon = ms->mon;
	guint i;

	for (i = 0; i < mon->watches->len; i++) {
		struct watch *w = g_ptr_array_index(mon->watches, i);

		if (w->fn && strcmp(w->path, path) == 0 && target_matches(w->target, ms->name))
			w->fn(mon, ms->name, path, v, w->userdata);
	}
}

static bool path_watched(struct mservice *ms, const char *path)
{
	guint i;

	for (i = 0; i < ms->mon->watches->len; i++) {
		struct watch *w = g_ptr_array_index(ms->mon->watches, i);

		if (strcmp(w->path, path) == 0 && target_matches(w->target, ms->name))
			return true;
	}
	return false;
}

static void store(struct mservice *ms, const char *path, const struct vedbus_value *v)
{
	struct vedbus_value *old = g_hash_table_lookup(ms->values, path);
	struct vedbus_value *copy;

	if (!path_watched(ms, path) || (old && vedbus_value_equal(old, v)))
		return;
	copy = value_dup(v);
	if (!copy)
		return;
	g_hash_table_replace(ms->values, g_strdup(path), copy);
	notify(ms, path, copy);
}

/* Walk an a{sa{sv}} (GetItems reply or ItemsChanged) and store the watched paths. */
static void read_items(struct mservice *ms, DBusMessage *msg)
{
	DBusMessageIter iter, dict, entry;
	struct vedbus_value v;
	const char *path;

	if (!dbus_message_has_signature(msg, "a{sa{sv}}"))
		return;
	dbus_message_iter_init(msg, &iter);
	dbus_message_iter_recurse(&iter, &dict);
	for (; dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&dict)) {
		dbus_message_iter_recurse(&dict, &entry);
		dbus_message_iter_get_basic(&entry, &path);
		dbus_message_iter_next(&entry);
		if (marshal_dict_get(&entry, "Value", &v) == 0)
			store(ms, path, &v);
	}
}

static void on_scan(DBusPendingCall *pc, void *data)
{
	struct mservice *ms = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);

	dbus_pending_call_unref(ms->scan);
	ms->scan = NULL;
	if (!reply)
		return;
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN)
		read_items(ms, reply);
	dbus_message_unref(reply);
}

static void add_rule(struct mservice *ms, const char *member, const char *path)
{
	char *rule;

	rule = g_strdup_printf("type='signal',sender='%s',interface='" VEDBUS_IFACE_BUSITEM
			       "',member='%s',path='%s'", ms->owner, member, path);
	dbus_bus_add_match(ms->mon->conn, rule, NULL);
	g_ptr_array_add(ms->rules, rule);
}

/* Match exactly the signals we follow: ItemsChanged on "/" and each watched path. */
static void service_rules(struct mservice *ms)
{
	struct vedbus_monitor *mon = ms->mon;
	guint i;

	add_rule(ms, "ItemsChanged", "/");
	for (i = 0; i < mon->watches->len; i++) {
		struct watch *w = g_ptr_array_index(mon->watches, i);

		if (target_matches(w->target, ms->name))
			add_rule(ms, "PropertiesChanged", w->path);
	}
}

static void service_scan(struct mservice *ms)
{
	DBusMessage *msg;

	if (ms->scan) {
		dbus_pending_call_cancel(ms->scan);
		dbus_pending_call_unref(ms->scan);
		ms->scan = NULL;
	}
	msg = dbus_message_new_method_call(ms->owner, "/", VEDBUS_IFACE_BUSITEM, "GetItems");
	if (!msg)
		return;
	if (dbus_connection_send_with_reply(ms->mon->conn, msg, &ms->scan, 5000) && ms->scan)
		dbus_pending_call_set_notify(ms->scan, on_scan, ms, NULL);
	dbus_message_unref(msg);
}

static void service_gone(struct vedbus_monitor *mon, const char *name)
{
	struct mservice *ms = g_hash_table_lookup(mon->services, name);
	struct vedbus_value invalid = vedbus_invalid();
	GHashTableIter it;
	gpointer path, v;

	if (!ms)
		return;
	g_hash_table_remove(mon->by_owner, ms->owner);
	g_hash_table_iter_init(&it, ms->values);
	while (g_hash_table_iter_next(&it, &path, &v))
		if (vedbus_value_is_valid(v))
			notify(ms, path, &invalid);
	g_hash_table_remove(mon->services, name);
}

static void service_appeared(struct vedbus_monitor *mon, const char *name, const char *owner)
{
	struct mservice *ms;

	service_gone(mon, name);
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return;
	ms->mon = mon;
	ms->name = strdup(name);
	ms->owner = strdup(owner);
	ms->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   value_destroy);
	ms->rules = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_insert(mon->services, ms->name, ms);
	g_hash_table_insert(mon->by_owner, ms->owner, ms);
	service_rules(ms);
	service_scan(ms);
}

static bool name_followed(struct vedbus_monitor *mon, const char *name)
{
	guint i;

	for (i = 0; i < mon->watches->len; i++)
		if (target_matches(((struct watch *)g_ptr_array_index(mon->watches, i))->target,
				   name))
			return true;
	return false;
}

static void on_owner_changed(struct vedbus_monitor *mon, DBusMessage *msg)
{
	const char *name, *old, *new;

	if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old,
				   DBUS_TYPE_STRING, &new, DBUS_TYPE_INVALID) ||
	    name[0] == ':' || !name_followed(mon, name))
		return;
	if (*new)
		service_appeared(mon, name, new);
	else
		service_gone(mon, name);
}

static void on_properties_changed(struct mservice *ms, DBusMessage *msg)
{
	DBusMessageIter iter;
	struct vedbus_value v;

	if (!dbus_message_has_signature(msg, "a{sv}"))
		return;
	dbus_message_iter_init(msg, &iter);
	if (marshal_dict_get(&iter, "Value", &v) == 0)
		store(ms, dbus_message_get_path(msg), &v);
}

static DBusHandlerResult monitor_filter(DBusConnection *c, DBusMessage *msg, void *data)
{
	struct vedbus_monitor *mon = data;
	struct mservice *ms;
	const char *sender;

	if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_SIGNAL)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	if (dbus_message_is_signal(msg, "org.freedesktop.DBus", "NameOwnerChanged")) {
		on_owner_changed(mon, msg);
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	}
	sender = dbus_message_get_sender(msg);
	ms = sender ? g_hash_table_lookup(mon->by_owner, sender) : NULL;
	if (!ms)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	if (dbus_message_is_signal(msg, VEDBUS_IFACE_BUSITEM, "ItemsChanged"))
		read_items(ms, msg);
	else if (dbus_message_is_signal(msg, VEDBUS_IFACE_BUSITEM, "PropertiesChanged"))
		on_properties_changed(ms, msg);
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

/* ListNames, then GetNameOwner for each followed name: services already on the bus. */
struct owner_query {
	struct vedbus_monitor *mon;
	char *name;
};

static void owner_query_free(void *data)
{
	struct owner_query *q = data;

	free(q->name);
	free(q);
}

static int bus_call(struct vedbus_monitor *mon, const char *member, const char *arg,
		    DBusPendingCallNotifyFunction fn, void *data, DBusFreeFunction free_fn)
{
	DBusPendingCall *pc = NULL;
	DBusMessage *msg;

	msg = dbus_message_new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", member);
	if (!msg)
		return -ENOMEM;
	if (arg)
		dbus_message_append_args(msg, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID);
	if (!dbus_connection_send_with_reply(mon->conn, msg, &pc, 5000) || !pc) {
		dbus_message_unref(msg);
		return -ENOMEM;
	}
	dbus_message_unref(msg);
	dbus_pending_call_set_notify(pc, fn, data, free_fn);
	dbus_pending_call_unref(pc);
	return 0;
}

static void on_owner_reply(DBusPendingCall *pc, void *data)
{
	struct owner_query *q = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	const char *owner;

	if (reply && !g_hash_table_contains(q->mon->services, q->name) &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID))
		service_appeared(q->mon, q->name, owner);
	if (reply)
		dbus_message_unref(reply);
}

static void on_list_names(DBusPendingCall *pc, void *data)
{
	struct vedbus_monitor *mon = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	struct owner_query *q;
	char **names = NULL;
	int i, n = 0;

	if (reply && dbus_message_get_args(reply, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING,
					   &names, &n, DBUS_TYPE_INVALID)) {
		for (i = 0; i < n; i++) {
			if (names[i][0] == ':' || !name_followed(mon, names[i]) ||
			    g_hash_table_contains(mon->services, names[i]))
				continue;
			q = calloc(1, sizeof(*q));
			if (!q)
				break;
			q->mon = mon;
			q->name = strdup(names[i]);
			if (bus_call(mon, "GetNameOwner", names[i], on_owner_reply, q,
				     owner_query_free) < 0)
				owner_query_free(q);
		}
		dbus_free_string_array(names);
	}
	if (reply)
		dbus_message_unref(reply);
}

int vedbus_monitor_watch(struct vedbus_monitor *mon, const char *target, const char *path,
			 vedbus_monitor_fn fn, void *userdata)
{
	struct mservice *ms;
	struct watch *w;
	GHashTableIter it;
	char *rule;

	if (!mon || !vedbus_name_valid(target) || !tree_path_valid(path))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->target = strdup(target);
	w->path = strdup(path);
	w->fn = fn;
	w->userdata = userdata;
	g_ptr_array_add(mon->watches, w);

	/* services already followed for another path: match and read this path too */
	g_hash_table_iter_init(&it, mon->services);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&ms)) {
		if (!target_matches(target, ms->name))
			continue;
		add_rule(ms, "PropertiesChanged", path);
		service_scan(ms);
	}
	if (g_hash_table_contains(mon->targets, target))
		return 0;
	g_hash_table_add(mon->targets, g_strdup(target));
	rule = g_strdup_printf("type='signal',sender='org.freedesktop.DBus',"
			       "member='NameOwnerChanged',arg0namespace='%s'", target);
	dbus_bus_add_match(mon->conn, rule, NULL);
	g_free(rule);
	return bus_call(mon, "ListNames", NULL, on_list_names, mon, NULL);
}

const struct vedbus_value *vedbus_monitor_get(struct vedbus_monitor *mon, const char *service,
					      const char *path)
{
	struct mservice *ms;

	if (!mon || !service || !path)
		return NULL;
	ms = g_hash_table_lookup(mon->services, service);
	return ms ? g_hash_table_lookup(ms->values, path) : NULL;
}

const char **vedbus_monitor_services(struct vedbus_monitor *mon, const char *target)
{
	GPtrArray *names = g_ptr_array_new();
	GHashTableIter it;
	gpointer name;

	if (mon) {
		g_hash_table_iter_init(&it, mon->services);
		while (g_hash_table_iter_next(&it, &name, NULL))
			if (!target || target_matches(target, name))
				g_ptr_array_add(names, name);
	}
	g_ptr_array_sort(names, name_cmp);
	g_ptr_array_add(names, NULL);
	return (const char **)g_ptr_array_free(names, FALSE);
}
