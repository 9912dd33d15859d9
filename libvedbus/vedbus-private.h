/* SPDX-License-Identifier: MIT */
/* vedbus-private.h - libvedbus internals shared by its modules and its unit tests */
#pragma once

#include "vedbus.h"

/* Room for an item's text (GetText, the "Text" of GetItems and the change signals). */
#define VEDBUS_TEXT_MAX 256

struct vedbus_device;

struct vedbus_node {
	char *name; /* last path component; "" for the root */
	char *path; /* full path; "/" for the root */
	struct vedbus_node *parent;
	GPtrArray *children; /* struct vedbus_node *, owned, in insertion order */
	struct vedbus_item *item; /* the leaf payload, or NULL for an intermediate node */
};

struct vedbus_item {
	struct vedbus_service *svc;
	struct vedbus_node *node;
	enum vedbus_type type;
	unsigned int flags;
	struct vedbus_value value; /* a string here is owned */
	const struct vedbus_format *fmt;
	vedbus_write_fn write;
	void *userdata;
	struct vedbus_value *min, *max, *def; /* owned, NULL when absent */
	bool queued;
};

/* Where emitted messages go instead of the bus (unit tests, benchmarks). */
typedef void (*vedbus_sink_fn)(DBusMessage *msg, void *userdata);

struct vedbus_service {
	char *name;
	DBusConnection *conn; /* NULL for an offline service */
	struct vedbus_node *root;
	GHashTable *nodes; /* full path -> struct vedbus_node *, borrowed from the tree */
	GPtrArray *queue;  /* struct vedbus_item *, changed since the last flush */
	int readonly_code, reject_code; /* SetValue replies, see vedbus_service_set_reply_codes() */
	bool sig_items, sig_props;
	bool registered;
	vedbus_method_fn method_fn;
	void *method_data;
	vedbus_sink_fn sink;
	void *sink_data;
	struct vedbus_device *device; /* owned, see vedbus_service_bind_device() */
};

/* value.c */
int value_copy(struct vedbus_value *dst, const struct vedbus_value *src);
void value_clear(struct vedbus_value *v);
struct vedbus_value *value_dup(const struct vedbus_value *v);
struct vedbus_value *value_free(struct vedbus_value *v);

/* tree.c */
int tree_init(struct vedbus_service *svc);
void tree_done(struct vedbus_service *svc);
struct vedbus_node *tree_lookup(struct vedbus_service *svc, const char *path);
bool tree_path_valid(const char *path);
void tree_collect_leaves(struct vedbus_node *node, GPtrArray *ret_items);
const char *tree_relative_path(const struct vedbus_node *base, const struct vedbus_item *item);

/* marshal.c */
/* The value of @key in the a{sv} at @iter. Return: 0, -ENOENT, -EINVAL (not an a{sv}). */
int marshal_dict_get(DBusMessageIter *iter, const char *key, struct vedbus_value *ret);
const char *item_text(const struct vedbus_item *item, char *buf, size_t len);
int marshal_items_dict(DBusMessageIter *iter, GPtrArray *items, bool limits);
int marshal_node_dict(DBusMessageIter *iter, struct vedbus_node *node, bool text);
DBusMessage *marshal_items_changed(GPtrArray *items);
DBusMessage *marshal_properties_changed(const struct vedbus_item *item);
char *marshal_introspect(const struct vedbus_node *node);

/* service.c: offline services and message handling without a bus */
int vedbus_service_new_offline(const char *name, struct vedbus_service **ret);
void vedbus_service_set_sink(struct vedbus_service *svc, vedbus_sink_fn fn, void *userdata);
DBusMessage *vedbus_service_handle(struct vedbus_service *svc, DBusMessage *call);
bool vedbus_name_valid(const char *name);

/* dispatch.c: the object-path handler of a service's connection */
DBusHandlerResult dispatch_message(DBusConnection *conn, DBusMessage *msg, void *data);

/* settings.c */
struct vedbus_device *device_free(struct vedbus_device *dev);
