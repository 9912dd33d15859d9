/* SPDX-License-Identifier: MIT */
/* marshal.c - values and item sets to and from D-Bus messages, exactly as velib_python */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vedbus-private.h"

static int append_basic_variant(DBusMessageIter *iter, int type, const char *sig,
				const void *val)
{
	DBusMessageIter var;

	if (!dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, sig, &var))
		return -ENOMEM;
	if (!dbus_message_iter_append_basic(&var, type, val)) {
		dbus_message_iter_abandon_container(iter, &var);
		return -ENOMEM;
	}
	return dbus_message_iter_close_container(iter, &var) ? 0 : -ENOMEM;
}

/* Invalid is a variant holding an empty array of int32, as VEDBUS_INVALID in vedbus.py. */
static int append_invalid(DBusMessageIter *iter)
{
	DBusMessageIter var, arr;

	if (!dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "ai", &var))
		return -ENOMEM;
	if (!dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, "i", &arr)) {
		dbus_message_iter_abandon_container(iter, &var);
		return -ENOMEM;
	}
	if (!dbus_message_iter_close_container(&var, &arr))
		return -ENOMEM;
	return dbus_message_iter_close_container(iter, &var) ? 0 : -ENOMEM;
}

int vedbus_value_append(DBusMessageIter *iter, const struct vedbus_value *v)
{
	dbus_int32_t i32;

	if (!iter)
		return -EINVAL;
	if (!v)
		return append_invalid(iter);

	switch (v->type) {
	case VEDBUS_TYPE_INVALID:
		return append_invalid(iter);
	case VEDBUS_TYPE_INT:
		if (v->u.i >= INT32_MIN && v->u.i <= INT32_MAX) {
			i32 = (dbus_int32_t)v->u.i;
			return append_basic_variant(iter, DBUS_TYPE_INT32, "i", &i32);
		}
		return append_basic_variant(iter, DBUS_TYPE_INT64, "x", &v->u.i);
	case VEDBUS_TYPE_DOUBLE:
		return append_basic_variant(iter, DBUS_TYPE_DOUBLE, "d", &v->u.d);
	case VEDBUS_TYPE_STRING:
		return append_basic_variant(iter, DBUS_TYPE_STRING, "s", &v->u.s);
	}
	return -EINVAL;
}

static int read_basic(DBusMessageIter *it, int type, struct vedbus_value *ret)
{
	DBusBasicValue b;

	dbus_message_iter_get_basic(it, &b);
	switch (type) {
	case DBUS_TYPE_BYTE: *ret = vedbus_int(b.byt); return 0;
	case DBUS_TYPE_BOOLEAN: *ret = vedbus_int(b.bool_val ? 1 : 0); return 0;
	case DBUS_TYPE_INT16: *ret = vedbus_int(b.i16); return 0;
	case DBUS_TYPE_UINT16: *ret = vedbus_int(b.u16); return 0;
	case DBUS_TYPE_INT32: *ret = vedbus_int(b.i32); return 0;
	case DBUS_TYPE_UINT32: *ret = vedbus_int(b.u32); return 0;
	case DBUS_TYPE_INT64: *ret = vedbus_int(b.i64); return 0;
	case DBUS_TYPE_UINT64:
		*ret = b.u64 > INT64_MAX ? vedbus_double((double)b.u64) : vedbus_int((int64_t)b.u64);
		return 0;
	case DBUS_TYPE_DOUBLE: *ret = vedbus_double(b.dbl); return 0;
	case DBUS_TYPE_STRING:
	case DBUS_TYPE_OBJECT_PATH:
	case DBUS_TYPE_SIGNATURE: *ret = vedbus_string(b.str); return 0;
	default: break;
	}
	return -EINVAL;
}

int vedbus_value_read(DBusMessageIter *iter, struct vedbus_value *ret)
{
	DBusMessageIter sub;
	int type;

	if (!iter || !ret)
		return -EINVAL;
	type = dbus_message_iter_get_arg_type(iter);
	if (type == DBUS_TYPE_VARIANT) {
		dbus_message_iter_recurse(iter, &sub);
		return vedbus_value_read(&sub, ret);
	}
	if (type == DBUS_TYPE_ARRAY) {
		/* any empty array is the invalid marker; velib sends "ai", others "au" or "av" */
		if (dbus_message_iter_get_element_count(iter) != 0)
			return -EINVAL;
		*ret = vedbus_invalid();
		return 0;
	}
	return read_basic(iter, type, ret);
}

int marshal_dict_get(DBusMessageIter *iter, const char *key, struct vedbus_value *ret)
{
	DBusMessageIter dict, e;
	const char *k;

	if (dbus_message_iter_get_arg_type(iter) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(iter) != DBUS_TYPE_DICT_ENTRY)
		return -EINVAL;
	dbus_message_iter_recurse(iter, &dict);
	for (; dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&dict)) {
		dbus_message_iter_recurse(&dict, &e);
		if (dbus_message_iter_get_arg_type(&e) != DBUS_TYPE_STRING)
			return -EINVAL;
		dbus_message_iter_get_basic(&e, &k);
		dbus_message_iter_next(&e);
		if (strcmp(k, key) == 0)
			return vedbus_value_read(&e, ret);
	}
	return -ENOENT;
}

const char *item_text(const struct vedbus_item *item, char *buf, size_t len)
{
	return vedbus_value_format(&item->value, item->fmt, buf, len);
}

static int append_text_variant(DBusMessageIter *iter, const char *text)
{
	return append_basic_variant(iter, DBUS_TYPE_STRING, "s", &text);
}

static int append_dict_entry(DBusMessageIter *dict, const char *key,
			     const struct vedbus_value *v, const char *text)
{
	DBusMessageIter e;
	int r;

	if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &e))
		return -ENOMEM;
	if (!dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key)) {
		dbus_message_iter_abandon_container(dict, &e);
		return -ENOMEM;
	}
	r = text ? append_text_variant(&e, text) : vedbus_value_append(&e, v);
	if (r < 0) {
		dbus_message_iter_abandon_container(dict, &e);
		return r;
	}
	return dbus_message_iter_close_container(dict, &e) ? 0 : -ENOMEM;
}

/* {"Value": v, "Text": s [, "Min", "Max", "Default"]} */
static int append_item_props(DBusMessageIter *iter, const struct vedbus_item *item, bool limits)
{
	DBusMessageIter props;
	char text[VEDBUS_TEXT_MAX];
	int r;

	if (!dbus_message_iter_open_container(iter, DBUS_TYPE_ARRAY, "{sv}", &props))
		return -ENOMEM;
	r = append_dict_entry(&props, "Value", &item->value, NULL);
	if (r == 0)
		r = append_dict_entry(&props, "Text", NULL, item_text(item, text, sizeof(text)));
	if (r == 0 && limits && item->min)
		r = append_dict_entry(&props, "Min", item->min, NULL);
	if (r == 0 && limits && item->max)
		r = append_dict_entry(&props, "Max", item->max, NULL);
	if (r == 0 && limits && item->def)
		r = append_dict_entry(&props, "Default", item->def, NULL);
	if (r < 0) {
		dbus_message_iter_abandon_container(iter, &props);
		return r;
	}
	return dbus_message_iter_close_container(iter, &props) ? 0 : -ENOMEM;
}

/* a{sa{sv}} keyed by full path: the body of GetItems and ItemsChanged */
int marshal_items_dict(DBusMessageIter *iter, GPtrArray *items, bool limits)
{
	DBusMessageIter dict, e;
	guint i;
	int r = 0;

	if (!dbus_message_iter_open_container(iter, DBUS_TYPE_ARRAY, "{sa{sv}}", &dict))
		return -ENOMEM;
	for (i = 0; i < items->len && r == 0; i++) {
		const struct vedbus_item *item = g_ptr_array_index(items, i);
		const char *path = item->node->path;

		if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &e)) {
			r = -ENOMEM;
			break;
		}
		if (!dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &path))
			r = -ENOMEM;
		if (r == 0)
			r = append_item_props(&e, item, limits);
		if (r < 0)
			dbus_message_iter_abandon_container(&dict, &e);
		else if (!dbus_message_iter_close_container(&dict, &e))
			r = -ENOMEM;
	}
	if (r < 0) {
		dbus_message_iter_abandon_container(iter, &dict);
		return r;
	}
	return dbus_message_iter_close_container(iter, &dict) ? 0 : -ENOMEM;
}

/* v(a{sv}) or v(a{ss}) of the leaves under @node, keyed relative to it (GetValue on a node) */
int marshal_node_dict(DBusMessageIter *iter, struct vedbus_node *node, bool text)
{
	GPtrArray *items = g_ptr_array_new();
	DBusMessageIter var, dict;
	char buf[VEDBUS_TEXT_MAX];
	guint i;
	int r = 0;

	tree_collect_leaves(node, items);
	if (!dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, text ? "a{ss}" : "a{sv}",
					      &var)) {
		g_ptr_array_unref(items);
		return -ENOMEM;
	}
	if (!dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, text ? "{ss}" : "{sv}",
					      &dict))
		r = -ENOMEM;
	for (i = 0; r == 0 && i < items->len; i++) {
		const struct vedbus_item *item = g_ptr_array_index(items, i);
		const char *key = tree_relative_path(node, item);
		DBusMessageIter e;
		const char *t;

		if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &e)) {
			r = -ENOMEM;
			break;
		}
		dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
		if (text) {
			t = item_text(item, buf, sizeof(buf));
			if (!dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &t))
				r = -ENOMEM;
		} else {
			r = vedbus_value_append(&e, &item->value);
		}
		if (!dbus_message_iter_close_container(&dict, &e))
			r = -ENOMEM;
	}
	g_ptr_array_unref(items);
	if (r == 0 && !dbus_message_iter_close_container(&var, &dict))
		r = -ENOMEM;
	if (r == 0 && !dbus_message_iter_close_container(iter, &var))
		r = -ENOMEM;
	return r;
}

DBusMessage *marshal_items_changed(GPtrArray *items)
{
	DBusMessageIter iter;
	DBusMessage *msg;

	msg = dbus_message_new_signal("/", VEDBUS_IFACE_BUSITEM, "ItemsChanged");
	if (!msg)
		return NULL;
	dbus_message_iter_init_append(msg, &iter);
	if (marshal_items_dict(&iter, items, false) < 0) {
		dbus_message_unref(msg);
		return NULL;
	}
	return msg;
}

DBusMessage *marshal_properties_changed(const struct vedbus_item *item)
{
	DBusMessageIter iter;
	DBusMessage *msg;

	msg = dbus_message_new_signal(item->node->path, VEDBUS_IFACE_BUSITEM,
				      "PropertiesChanged");
	if (!msg)
		return NULL;
	dbus_message_iter_init_append(msg, &iter);
	if (append_item_props(&iter, item, false) < 0) {
		dbus_message_unref(msg);
		return NULL;
	}
	return msg;
}

static const char introspect_head[] =
	DBUS_INTROSPECT_1_0_XML_DOCTYPE_DECL_NODE
	"<node>\n"
	"  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
	"    <method name=\"Introspect\"><arg direction=\"out\" type=\"s\"/></method>\n"
	"  </interface>\n"
	"  <interface name=\"" VEDBUS_IFACE_BUSITEM "\">\n"
	"    <method name=\"GetValue\"><arg direction=\"out\" type=\"v\"/></method>\n"
	"    <method name=\"GetText\"><arg direction=\"out\" type=\"%s\"/></method>\n";

static const char introspect_leaf[] =
	"    <method name=\"SetValue\"><arg direction=\"in\" type=\"v\"/>"
	"<arg direction=\"out\" type=\"i\"/></method>\n"
	"    <signal name=\"PropertiesChanged\"><arg type=\"a{sv}\"/></signal>\n";

static const char introspect_root[] =
	"    <method name=\"GetItems\"><arg direction=\"out\" type=\"a{sa{sv}}\"/></method>\n"
	"    <signal name=\"ItemsChanged\"><arg type=\"a{sa{sv}}\"/></signal>\n";

/* Introspection XML of @node: the two interfaces and one <node> per direct child. */
char *marshal_introspect(const struct vedbus_node *node)
{
	GString *xml = g_string_new(NULL);
	guint i;

	g_string_append_printf(xml, introspect_head, node->item ? "s" : "v");
	if (node->item)
		g_string_append(xml, introspect_leaf);
	if (!node->parent)
		g_string_append(xml, introspect_root);
	g_string_append(xml, "  </interface>\n");
	for (i = 0; i < node->children->len; i++) {
		const struct vedbus_node *c = g_ptr_array_index(node->children, i);

		g_string_append_printf(xml, "  <node name=\"%s\"/>\n", c->name);
	}
	g_string_append(xml, "</node>\n");
	return g_string_free(xml, FALSE);
}
