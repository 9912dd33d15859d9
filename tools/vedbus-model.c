// SPDX-License-Identifier: MIT
/* vedbus-model.c - a mirror of the com.victronenergy.* services, fed by signals only */

#include <errno.h>
#include <string.h>

#include "vedbus-cli.h"

struct vedbus_cli_model {
	DBusConnection *conn;
	struct vedbus_cli_model_config config;
	const struct vedbus_cli_model_ops *ops;
	void *userdata;
	GHashTable *services; /* name -> struct vedbus_cli_svc, owned */
	DBusPendingCall *list_names;
	bool scanning; /* until ops->ready() */
	char *match_owner;
	char *match_items;
};

static int str_compare(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int svc_compare(gconstpointer a, gconstpointer b)
{
	const struct vedbus_cli_svc *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static bool wanted(const struct vedbus_cli_model *m, const char *name)
{
	if (!vedbus_cli_is_victron(name))
		return false;
	if (m->config.only && strcmp(name, m->config.only))
		return false;
	return !m->config.filter || strstr(name, m->config.filter);
}

/* ------------------------------------------------------------------------------------------ */
/* Entries                                                                                    */

static void entry_free(gpointer p)
{
	struct vedbus_cli_entry *entry = p;

	g_free(entry->value);
	g_free(entry->text);
	g_free(entry);
}

/*
 * The text to show, kept on one line: @text, or when a change comes without one, the plain
 * value as consumers substitute it.
 */
static char *entry_text(DBusMessageIter *value, const char *text)
{
	GString *out = g_string_new(NULL);
	struct vedbus_value v;
	char buf[256];

	if (text)
		vedbus_cli_print_text(out, text);
	else if (vedbus_value_read(value, &v) == 0)
		vedbus_cli_print_text(out, vedbus_value_format(&v, NULL, buf, sizeof(buf)));
	else
		vedbus_cli_print_iter(out, value, VEDBUS_CLI_PRINT_QUOTE);
	return g_string_free(out, FALSE);
}

/* Store @value and @text at @path. Return: true when the entry changed. */
static bool entry_set(struct vedbus_cli_svc *svc, const char *path, DBusMessageIter *value,
		      const char *text)
{
	struct vedbus_cli_entry *entry = g_hash_table_lookup(svc->items, path);
	GString *buf = g_string_new(NULL);
	char *new_text = entry_text(value, text);
	bool changed;

	if (!entry) {
		entry = g_new0(struct vedbus_cli_entry, 1);
		g_hash_table_insert(svc->items, g_strdup(path), entry);
	}
	vedbus_cli_print_iter(buf, value, VEDBUS_CLI_PRINT_QUOTE);
	changed = g_strcmp0(entry->value, buf->str) || g_strcmp0(entry->text, new_text);
	g_free(entry->value);
	entry->value = g_string_free(buf, FALSE);
	g_free(entry->text);
	entry->text = new_text;
	return changed;
}

/* ------------------------------------------------------------------------------------------ */
/* Services                                                                                   */

/* Send @msg (consumed) with @fn to be called on the reply. Return: the call, or NULL. */
static DBusPendingCall *send_call(struct vedbus_cli_model *m, DBusMessage *msg,
				  DBusPendingCallNotifyFunction fn, void *data)
{
	DBusPendingCall *pc = NULL;

	if (!msg)
		return NULL;
	if (!dbus_connection_send_with_reply(m->conn, msg, &pc, m->config.timeout_ms) || !pc) {
		dbus_message_unref(msg);
		return NULL;
	}
	dbus_message_unref(msg);
	if (!dbus_pending_call_set_notify(pc, fn, data, NULL)) {
		dbus_pending_call_cancel(pc);
		dbus_pending_call_unref(pc);
		return NULL;
	}
	return pc;
}

static DBusPendingCall *call_drop(DBusPendingCall *pc)
{
	if (pc) {
		dbus_pending_call_cancel(pc);
		dbus_pending_call_unref(pc);
	}
	return NULL;
}

static void svc_free(gpointer p)
{
	struct vedbus_cli_svc *svc = p;

	svc->get_items = call_drop(svc->get_items);
	svc->get_owner = call_drop(svc->get_owner);
	g_hash_table_destroy(svc->items);
	g_free(svc->error);
	g_free(svc->owner);
	g_free(svc->name);
	g_free(svc);
}

static void check_ready(struct vedbus_cli_model *m)
{
	GHashTableIter it;
	gpointer value;

	if (!m->scanning || m->list_names)
		return;
	g_hash_table_iter_init(&it, m->services);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct vedbus_cli_svc *svc = value;

		if (svc->get_items || svc->get_owner)
			return;
	}
	m->scanning = false;
	if (m->ops->ready)
		m->ops->ready(m, m->userdata);
}

static void load_item(const char *path, DBusMessageIter *value, const char *text, void *userdata)
{
	entry_set(userdata, path, value, text);
}

static void on_items_reply(DBusPendingCall *pc, void *data)
{
	struct vedbus_cli_svc *svc = data;
	struct vedbus_cli_model *m = svc->model;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	DBusMessageIter it;

	svc->get_items = call_drop(svc->get_items);
	svc->state = VEDBUS_CLI_SVC_FAILED;
	if (!reply) {
		svc->error = g_strdup("no reply");
	} else if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		svc->error = g_strdup(dbus_message_get_error_name(reply));
	} else if (!dbus_message_iter_init(reply, &it) ||
		   vedbus_cli_walk_items(&it, load_item, svc) < 0) {
		svc->error = g_strdup("unexpected GetItems reply");
	} else {
		svc->state = VEDBUS_CLI_SVC_LOADED;
		if (!svc->owner)
			svc->owner = g_strdup(dbus_message_get_sender(reply));
	}
	if (reply)
		dbus_message_unref(reply);
	if (m->ops->service)
		m->ops->service(m, svc, VEDBUS_CLI_EVENT_LOADED, m->userdata);
	check_ready(m);
}

static void on_owner_reply(DBusPendingCall *pc, void *data)
{
	struct vedbus_cli_svc *svc = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	const char *owner;

	svc->get_owner = call_drop(svc->get_owner);
	if (reply &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID) &&
	    !svc->owner)
		svc->owner = g_strdup(owner);
	if (reply)
		dbus_message_unref(reply);
	check_ready(svc->model);
}

static void svc_request(struct vedbus_cli_model *m, struct vedbus_cli_svc *svc)
{
	DBusMessage *msg;

	if (!svc->owner) {
		msg = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
						   DBUS_INTERFACE_DBUS, "GetNameOwner");
		if (msg &&
		    dbus_message_append_args(msg, DBUS_TYPE_STRING, &svc->name, DBUS_TYPE_INVALID))
			svc->get_owner = send_call(m, msg, on_owner_reply, svc);
		else if (msg)
			dbus_message_unref(msg);
	}
	if (!m->config.get_items) {
		svc->state = VEDBUS_CLI_SVC_LOADED;
		return;
	}
	msg = dbus_message_new_method_call(svc->name, "/", VEDBUS_IFACE_BUSITEM, "GetItems");
	svc->get_items = send_call(m, msg, on_items_reply, svc);
	if (!svc->get_items) {
		svc->state = VEDBUS_CLI_SVC_FAILED;
		svc->error = g_strdup("cannot send GetItems");
	}
}

static void svc_add(struct vedbus_cli_model *m, const char *name, const char *owner)
{
	struct vedbus_cli_svc *svc = g_new0(struct vedbus_cli_svc, 1);

	svc->name = g_strdup(name);
	svc->owner = g_strdup(owner);
	svc->items = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	svc->model = m;
	g_hash_table_replace(m->services, svc->name, svc);
	svc_request(m, svc);
	if (m->ops->service)
		m->ops->service(m, svc, VEDBUS_CLI_EVENT_APPEARED, m->userdata);
}

static void svc_remove(struct vedbus_cli_model *m, struct vedbus_cli_svc *svc)
{
	if (m->ops->service)
		m->ops->service(m, svc, VEDBUS_CLI_EVENT_GONE, m->userdata);
	g_hash_table_remove(m->services, svc->name);
	check_ready(m);
}

static void on_list_names(DBusPendingCall *pc, void *data)
{
	struct vedbus_cli_model *m = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pc);
	char **names = NULL;
	int n_names = 0;

	m->list_names = call_drop(m->list_names);
	if (reply && dbus_message_get_args(reply, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &names,
					   &n_names, DBUS_TYPE_INVALID)) {
		for (int i = 0; i < n_names; i++) {
			if (wanted(m, names[i]) && !g_hash_table_contains(m->services, names[i]))
				svc_add(m, names[i], NULL);
		}
		dbus_free_string_array(names);
	}
	if (reply)
		dbus_message_unref(reply);
	check_ready(m);
}

/* ------------------------------------------------------------------------------------------ */
/* Signals                                                                                    */

struct change {
	struct vedbus_cli_model *m;
	const char *sender;
};

static bool owned_by(const struct vedbus_cli_svc *svc, const char *sender)
{
	return svc->owner && sender && !strcmp(svc->owner, sender);
}

static bool has_path(const struct vedbus_cli_svc *svc, const char *path)
{
	return g_hash_table_contains(svc->items, path);
}

/*
 * A change from @sender. A connection owning several names sends one signal for all: the
 * change goes to the services that have the path, or to all of them when none has it yet.
 */
static void apply_change(const char *path, DBusMessageIter *value, const char *text, void *userdata)
{
	struct change *c = userdata;
	bool known = false;
	GHashTableIter it;
	gpointer p;

	g_hash_table_iter_init(&it, c->m->services);
	while (!known && g_hash_table_iter_next(&it, NULL, &p))
		known = owned_by(p, c->sender) && has_path(p, path);
	g_hash_table_iter_init(&it, c->m->services);
	while (g_hash_table_iter_next(&it, NULL, &p)) {
		struct vedbus_cli_svc *svc = p;

		if (!owned_by(svc, c->sender) || (known && !has_path(svc, path)))
			continue;
		/* ItemsChanged and PropertiesChanged both carry one change: report it once */
		if (entry_set(svc, path, value, text) && c->m->ops->change)
			c->m->ops->change(c->m, svc, path, g_hash_table_lookup(svc->items, path),
					  c->m->userdata);
	}
}

static void on_items_changed(struct vedbus_cli_model *m, DBusMessage *msg)
{
	struct change c = { .m = m, .sender = dbus_message_get_sender(msg) };
	DBusMessageIter it;

	if (dbus_message_iter_init(msg, &it))
		vedbus_cli_walk_items(&it, apply_change, &c);
}

static void on_properties_changed(struct vedbus_cli_model *m, DBusMessage *msg)
{
	struct change c = { .m = m, .sender = dbus_message_get_sender(msg) };
	DBusMessageIter it;

	if (dbus_message_iter_init(msg, &it))
		vedbus_cli_walk_props(&it, dbus_message_get_path(msg), apply_change, &c);
}

static void on_name_owner_changed(struct vedbus_cli_model *m, DBusMessage *msg)
{
	const char *name, *old_owner, *new_owner;
	struct vedbus_cli_svc *svc;

	if (!dbus_message_has_sender(msg, DBUS_SERVICE_DBUS) ||
	    !dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner,
				   DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID))
		return;
	if (!wanted(m, name))
		return;
	svc = g_hash_table_lookup(m->services, name);
	if (svc)
		svc_remove(m, svc);
	if (*new_owner)
		svc_add(m, name, new_owner);
}

static void on_disconnected(struct vedbus_cli_model *m, DBusMessage *msg)
{
	if (m->ops->lost)
		m->ops->lost(m, m->userdata);
}

static const struct {
	const char *iface;
	const char *member;
	void (*handle)(struct vedbus_cli_model *m, DBusMessage *msg);
} signal_handlers[] = {
	{ DBUS_INTERFACE_DBUS, "NameOwnerChanged", on_name_owner_changed },
	{ VEDBUS_IFACE_BUSITEM, "ItemsChanged", on_items_changed },
	{ VEDBUS_IFACE_BUSITEM, "PropertiesChanged", on_properties_changed },
	{ DBUS_INTERFACE_LOCAL, "Disconnected", on_disconnected },
};

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	for (size_t i = 0; i < G_N_ELEMENTS(signal_handlers); i++) {
		if (dbus_message_is_signal(msg, signal_handlers[i].iface,
					   signal_handlers[i].member)) {
			signal_handlers[i].handle(data, msg);
			break;
		}
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

/* ------------------------------------------------------------------------------------------ */
/* Life cycle                                                                                 */

/* Match rules go out before ListNames, so no appearance can fall between the two. */
static int model_subscribe(struct vedbus_cli_model *m)
{
	const char *only = m->config.only;

	m->match_owner =
		only ? g_strdup_printf("type='signal',sender='" DBUS_SERVICE_DBUS "',"
				       "member='NameOwnerChanged',arg0='%s'",
				       only)
		     : g_strdup("type='signal',sender='" DBUS_SERVICE_DBUS "',"
				"member='NameOwnerChanged',arg0namespace='com.victronenergy'");
	m->match_items = only ? g_strdup_printf("type='signal',interface='" VEDBUS_IFACE_BUSITEM
						"',sender='%s'",
						only)
			      : g_strdup("type='signal',interface='" VEDBUS_IFACE_BUSITEM "'");
	if (!dbus_connection_add_filter(m->conn, on_message, m, NULL))
		return -ENOMEM;
	dbus_bus_add_match(m->conn, m->match_owner, NULL);
	dbus_bus_add_match(m->conn, m->match_items, NULL);
	m->list_names = send_call(m,
				  dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
							       DBUS_INTERFACE_DBUS, "ListNames"),
				  on_list_names, m);
	return m->list_names ? 0 : -ENOMEM;
}

int vedbus_cli_model_new(DBusConnection *conn, const struct vedbus_cli_model_config *config,
			 const struct vedbus_cli_model_ops *ops, void *userdata,
			 struct vedbus_cli_model **ret)
{
	struct vedbus_cli_model *m = g_new0(struct vedbus_cli_model, 1);
	int r;

	m->conn = dbus_connection_ref(conn);
	m->config = *config;
	m->ops = ops;
	m->userdata = userdata;
	m->scanning = true;
	m->services = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, svc_free);
	r = model_subscribe(m);
	if (r < 0) {
		vedbus_cli_model_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

struct vedbus_cli_model *vedbus_cli_model_free(struct vedbus_cli_model *m)
{
	if (!m)
		return NULL;
	m->list_names = call_drop(m->list_names);
	g_hash_table_destroy(m->services);
	dbus_connection_remove_filter(m->conn, on_message, m);
	if (m->match_owner && dbus_connection_get_is_connected(m->conn)) {
		dbus_bus_remove_match(m->conn, m->match_owner, NULL);
		dbus_bus_remove_match(m->conn, m->match_items, NULL);
	}
	g_free(m->match_owner);
	g_free(m->match_items);
	dbus_connection_unref(m->conn);
	g_free(m);
	return NULL;
}

GPtrArray *vedbus_cli_model_services(struct vedbus_cli_model *m)
{
	GPtrArray *out = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, m->services);
	while (g_hash_table_iter_next(&it, NULL, &value))
		g_ptr_array_add(out, value);
	g_ptr_array_sort(out, svc_compare);
	return out;
}

GPtrArray *vedbus_cli_svc_paths(struct vedbus_cli_svc *svc)
{
	GPtrArray *out = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, svc->items);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(out, key);
	g_ptr_array_sort(out, str_compare);
	return out;
}

const char *vedbus_cli_svc_text(struct vedbus_cli_svc *svc, const char *path)
{
	const struct vedbus_cli_entry *entry = g_hash_table_lookup(svc->items, path);

	return entry ? entry->text : NULL;
}
