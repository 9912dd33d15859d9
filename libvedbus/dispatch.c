/* SPDX-License-Identifier: MIT */
/* dispatch.c - answer BusItem and Introspectable calls on every object of a service */

#include <errno.h>
#include <string.h>

#include "vedbus-private.h"

#define IFACE_INTROSPECT "org.freedesktop.DBus.Introspectable"

static DBusMessage *reply_variant(DBusMessage *call, const struct vedbus_value *v)
{
	DBusMessage *reply = dbus_message_new_method_return(call);
	DBusMessageIter iter;

	if (!reply)
		return NULL;
	dbus_message_iter_init_append(reply, &iter);
	if (vedbus_value_append(&iter, v) < 0) {
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *reply_int(DBusMessage *call, dbus_int32_t code)
{
	DBusMessage *reply = dbus_message_new_method_return(call);

	if (reply && !dbus_message_append_args(reply, DBUS_TYPE_INT32, &code, DBUS_TYPE_INVALID)) {
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *reply_string(DBusMessage *call, const char *s)
{
	DBusMessage *reply = dbus_message_new_method_return(call);

	if (reply && !dbus_message_append_args(reply, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID)) {
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *do_get_value(struct vedbus_service *svc, struct vedbus_node *node,
				 DBusMessage *call)
{
	DBusMessage *reply;
	DBusMessageIter iter;

	if (node->item)
		return reply_variant(call, &node->item->value);
	reply = dbus_message_new_method_return(call);
	if (!reply)
		return NULL;
	dbus_message_iter_init_append(reply, &iter);
	if (marshal_node_dict(&iter, node, false) < 0) {
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *do_get_text(struct vedbus_service *svc, struct vedbus_node *node,
				DBusMessage *call)
{
	DBusMessage *reply;
	DBusMessageIter iter;
	char buf[VEDBUS_TEXT_MAX];

	if (node->item)
		return reply_string(call, item_text(node->item, buf, sizeof(buf)));
	reply = dbus_message_new_method_return(call);
	if (!reply)
		return NULL;
	dbus_message_iter_init_append(reply, &iter);
	if (marshal_node_dict(&iter, node, true) < 0) {
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *do_get_items(struct vedbus_service *svc, struct vedbus_node *node,
				 DBusMessage *call)
{
	GPtrArray *items = g_ptr_array_new();
	DBusMessage *reply;
	DBusMessageIter iter;

	tree_collect_leaves(node, items);
	reply = dbus_message_new_method_return(call);
	if (reply) {
		dbus_message_iter_init_append(reply, &iter);
		if (marshal_items_dict(&iter, items, true) < 0) {
			dbus_message_unref(reply);
			reply = NULL;
		}
	}
	g_ptr_array_unref(items);
	return reply;
}

/* The SetValue reply code for @in written to @item, after the owner's callback. */
static int set_value(struct vedbus_item *item, const struct vedbus_value *in)
{
	int readonly = item->svc->readonly_code;
	struct vedbus_value v;
	int r;

	if (!(item->flags & VEDBUS_ITEM_WRITABLE))
		return readonly;
	if (in->type == VEDBUS_TYPE_INVALID && !(item->flags & VEDBUS_ITEM_NULLABLE))
		return readonly;
	if (vedbus_value_coerce(in, item->type, &v) < 0)
		return readonly;

	/* unlike velib_python, a repeated value reaches the owner: it is a keep-alive */
	if (item->write) {
		r = item->write(item, &v, item->userdata);
		if (r < 0)
			return item->svc->reject_code;
		if (r == VEDBUS_WRITE_STORED)
			return VEDBUS_REPLY_OK;
	}
	return vedbus_item_set(item, &v) < 0 ? readonly : VEDBUS_REPLY_OK;
}

static DBusMessage *do_set_value(struct vedbus_service *svc, struct vedbus_node *node,
				 DBusMessage *call)
{
	struct vedbus_value v;
	DBusMessageIter iter;
	int code;

	if (!node->item)
		return NULL;
	if (!dbus_message_has_signature(call, "v"))
		return dbus_message_new_error(call, DBUS_ERROR_INVALID_ARGS,
					      "SetValue takes one variant");
	dbus_message_iter_init(call, &iter);
	if (vedbus_value_read(&iter, &v) < 0)
		code = svc->readonly_code;
	else
		code = set_value(node->item, &v);
	/* signals go out before the reply, as velib_python does */
	vedbus_service_flush(svc);
	return reply_int(call, code);
}

static DBusMessage *do_limit(DBusMessage *call, const struct vedbus_value *v)
{
	return v ? reply_variant(call, v) : NULL;
}

static DBusMessage *do_get_min(struct vedbus_service *svc, struct vedbus_node *node,
			       DBusMessage *call)
{
	return node->item ? do_limit(call, node->item->min) : NULL;
}

static DBusMessage *do_get_max(struct vedbus_service *svc, struct vedbus_node *node,
			       DBusMessage *call)
{
	return node->item ? do_limit(call, node->item->max) : NULL;
}

static DBusMessage *do_get_default(struct vedbus_service *svc, struct vedbus_node *node,
				   DBusMessage *call)
{
	return node->item ? do_limit(call, node->item->def) : NULL;
}

static DBusMessage *do_introspect(struct vedbus_service *svc, struct vedbus_node *node,
				  DBusMessage *call)
{
	char *xml = marshal_introspect(node);
	DBusMessage *reply = reply_string(call, xml);

	g_free(xml);
	return reply;
}

typedef DBusMessage *(*method_fn)(struct vedbus_service *svc, struct vedbus_node *node,
				  DBusMessage *call);

static const struct method {
	const char *iface;
	const char *member;
	bool root_only;
	method_fn fn;
} methods[] = {
	{ VEDBUS_IFACE_BUSITEM, "GetValue", false, do_get_value },
	{ VEDBUS_IFACE_BUSITEM, "GetText", false, do_get_text },
	{ VEDBUS_IFACE_BUSITEM, "SetValue", false, do_set_value },
	{ VEDBUS_IFACE_BUSITEM, "GetItems", true, do_get_items },
	{ VEDBUS_IFACE_BUSITEM, "GetMin", false, do_get_min },
	{ VEDBUS_IFACE_BUSITEM, "GetMax", false, do_get_max },
	{ VEDBUS_IFACE_BUSITEM, "GetDefault", false, do_get_default },
	{ IFACE_INTROSPECT, "Introspect", false, do_introspect },
	{}
};

/* Built-in methods; an interface-less call matches on the member name alone. */
static DBusMessage *builtin(struct vedbus_service *svc, struct vedbus_node *node,
			    DBusMessage *call)
{
	const char *iface = dbus_message_get_interface(call);
	const char *member = dbus_message_get_member(call);
	const struct method *m;

	for (m = methods; m->fn; m++) {
		if (strcmp(m->member, member) != 0 || (iface && strcmp(iface, m->iface) != 0))
			continue;
		if (m->root_only && node->parent)
			continue;
		return m->fn(svc, node, call);
	}
	return NULL;
}

DBusMessage *vedbus_service_handle(struct vedbus_service *svc, DBusMessage *call)
{
	const char *path = dbus_message_get_path(call);
	struct vedbus_node *node = tree_lookup(svc, path);
	DBusMessage *reply = NULL;

	if (!dbus_message_get_member(call))
		return NULL;
	if (node)
		reply = builtin(svc, node, call);
	if (!reply && svc->method_fn)
		reply = svc->method_fn(svc, path, node ? node->item : NULL, call,
				       svc->method_data);
	if (reply)
		return reply;
	if (!node)
		return dbus_message_new_error_printf(call, DBUS_ERROR_UNKNOWN_OBJECT,
						     "No such object path '%s'", path);
	return dbus_message_new_error_printf(call, DBUS_ERROR_UNKNOWN_METHOD,
					     "No method '%s' on '%s'",
					     dbus_message_get_member(call), path);
}

DBusHandlerResult dispatch_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	struct vedbus_service *svc = data;
	DBusMessage *reply;

	if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_METHOD_CALL)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	reply = vedbus_service_handle(svc, msg);
	if (!reply)
		return DBUS_HANDLER_RESULT_NEED_MEMORY;
	if (!dbus_message_get_no_reply(msg))
		dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
	return DBUS_HANDLER_RESULT_HANDLED;
}
