/* SPDX-License-Identifier: MIT */
/* values.c - BusItem values on the wire: GetValue, GetText, SetValue, GetItems, decoding */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness-internal.h"

static void read_integer(DBusMessageIter *iter, int type, struct hx_value *ret)
{
	DBusBasicValue v;

	dbus_message_iter_get_basic(iter, &v);
	switch (type) {
	case DBUS_TYPE_BYTE:
		ret->i = v.byt;
		break;
	case DBUS_TYPE_BOOLEAN:
		ret->i = v.bool_val ? 1 : 0;
		break;
	case DBUS_TYPE_INT16:
		ret->i = v.i16;
		break;
	case DBUS_TYPE_UINT16:
		ret->i = v.u16;
		break;
	case DBUS_TYPE_INT32:
		ret->i = v.i32;
		break;
	case DBUS_TYPE_UINT32:
		ret->i = v.u32;
		break;
	case DBUS_TYPE_INT64:
		ret->i = v.i64;
		break;
	default: /* DBUS_TYPE_UINT64 */
		ret->i = (int64_t)v.u64;
		break;
	}
	ret->type = VEDBUS_TYPE_INT;
	ret->d = (double)ret->i;
}

int hx_value_read(DBusMessageIter *iter, struct hx_value *ret)
{
	DBusMessageIter variant, elems;
	const char *s;
	char *sig;
	int type;

	memset(ret, 0, sizeof(*ret));
	if (dbus_message_iter_get_arg_type(iter) == DBUS_TYPE_VARIANT) {
		dbus_message_iter_recurse(iter, &variant);
		iter = &variant;
	}
	type = dbus_message_iter_get_arg_type(iter);
	if (type == DBUS_TYPE_INVALID)
		return -EPROTO;
	sig = dbus_message_iter_get_signature(iter);
	if (!sig)
		return -ENOMEM;
	snprintf(ret->sig, sizeof(ret->sig), "%s", sig);
	dbus_free(sig);

	switch (type) {
	case DBUS_TYPE_BYTE:
	case DBUS_TYPE_BOOLEAN:
	case DBUS_TYPE_INT16:
	case DBUS_TYPE_UINT16:
	case DBUS_TYPE_INT32:
	case DBUS_TYPE_UINT32:
	case DBUS_TYPE_INT64:
	case DBUS_TYPE_UINT64:
		read_integer(iter, type, ret);
		return 0;
	case DBUS_TYPE_DOUBLE:
		dbus_message_iter_get_basic(iter, &ret->d);
		ret->type = VEDBUS_TYPE_DOUBLE;
		return 0;
	case DBUS_TYPE_STRING:
	case DBUS_TYPE_OBJECT_PATH:
	case DBUS_TYPE_SIGNATURE:
		dbus_message_iter_get_basic(iter, &s);
		snprintf(ret->s, sizeof(ret->s), "%s", s);
		ret->type = VEDBUS_TYPE_STRING;
		return 0;
	case DBUS_TYPE_ARRAY:
		dbus_message_iter_recurse(iter, &elems);
		return dbus_message_iter_get_arg_type(&elems) == DBUS_TYPE_INVALID ? 0 : -EPROTO;
	default:
		return -EPROTO;
	}
}

const char *hx_value_describe(const struct hx_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case VEDBUS_TYPE_INVALID:
		snprintf(buf, len, "invalid (%s)", v->sig);
		break;
	case VEDBUS_TYPE_INT:
		snprintf(buf, len, "%" PRId64 " (%s)", v->i, v->sig);
		break;
	case VEDBUS_TYPE_DOUBLE:
		snprintf(buf, len, "%.17g (%s)", v->d, v->sig);
		break;
	case VEDBUS_TYPE_STRING:
		snprintf(buf, len, "\"%s\" (%s)", v->s, v->sig);
		break;
	default:
		snprintf(buf, len, "type %d (%s)", (int)v->type, v->sig);
		break;
	}
	return buf;
}

/* The first argument of @msg as a value (GetValue) or as a string (GetText). */
static int read_first_value(DBusMessage *msg, struct hx_value *ret)
{
	DBusMessageIter iter;

	memset(ret, 0, sizeof(*ret));
	if (!dbus_message_iter_init(msg, &iter))
		return -EPROTO;
	return hx_value_read(&iter, ret);
}

int hx_get_value(struct hx_client *c, const char *service, const char *path, struct hx_value *ret)
{
	DBusMessage *reply;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = hx_call(c, service, path, VEDBUS_IFACE_BUSITEM, "GetValue", &reply, DBUS_TYPE_INVALID);
	if (r == 0)
		r = read_first_value(reply, ret);
	if (reply)
		dbus_message_unref(reply);
	return r;
}

int hx_get_text(struct hx_client *c, const char *service, const char *path, char *buf, size_t len)
{
	struct hx_value v;
	DBusMessage *reply;
	int r;

	if (len)
		buf[0] = '\0';
	r = hx_call(c, service, path, VEDBUS_IFACE_BUSITEM, "GetText", &reply, DBUS_TYPE_INVALID);
	if (r == 0)
		r = read_first_value(reply, &v);
	if (r == 0 && v.type != VEDBUS_TYPE_STRING)
		r = -EPROTO;
	if (r == 0)
		snprintf(buf, len, "%s", v.s);
	if (reply)
		dbus_message_unref(reply);
	return r;
}

/* Append @v in a variant as velib_python does. */
static bool append_value(DBusMessageIter *iter, const struct vedbus_value *v)
{
	DBusMessageIter variant, array;
	dbus_int32_t i32;
	bool ok;

	switch (v->type) {
	case VEDBUS_TYPE_INVALID:
		ok = dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "ai", &variant);
		ok = ok && dbus_message_iter_open_container(&variant, DBUS_TYPE_ARRAY, "i", &array);
		ok = ok && dbus_message_iter_close_container(&variant, &array);
		break;
	case VEDBUS_TYPE_INT:
		i32 = (dbus_int32_t)v->u.i;
		if (i32 == v->u.i) {
			ok = dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "i",
							      &variant);
			ok = ok && dbus_message_iter_append_basic(&variant, DBUS_TYPE_INT32, &i32);
		} else {
			ok = dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "x",
							      &variant);
			ok = ok &&
			     dbus_message_iter_append_basic(&variant, DBUS_TYPE_INT64, &v->u.i);
		}
		break;
	case VEDBUS_TYPE_DOUBLE:
		ok = dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "d", &variant);
		ok = ok && dbus_message_iter_append_basic(&variant, DBUS_TYPE_DOUBLE, &v->u.d);
		break;
	case VEDBUS_TYPE_STRING:
		ok = dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, "s", &variant);
		ok = ok && dbus_message_iter_append_basic(&variant, DBUS_TYPE_STRING, &v->u.s);
		break;
	default:
		return false;
	}
	return ok && dbus_message_iter_close_container(iter, &variant);
}

/* Send the SetValue call @msg and read its integer reply. */
static int set_value(struct hx_client *c, DBusMessage *msg, int *ret_code)
{
	struct hx_value code;
	DBusMessage *reply;
	int r;

	r = hx_call_message(c, msg, HX_CALL_TIMEOUT_MS, &reply);
	if (r == 0)
		r = read_first_value(reply, &code);
	if (r == 0 && code.type != VEDBUS_TYPE_INT)
		r = -EPROTO;
	if (r == 0 && ret_code)
		*ret_code = (int)code.i;
	if (reply)
		dbus_message_unref(reply);
	return r;
}

int hx_set_value(struct hx_client *c, const char *service, const char *path,
		 const struct vedbus_value *v, int *ret_code)
{
	DBusMessageIter iter;
	DBusMessage *msg;
	int r;

	msg = dbus_message_new_method_call(service, path, VEDBUS_IFACE_BUSITEM, "SetValue");
	if (!msg)
		return -ENOMEM;
	dbus_message_iter_init_append(msg, &iter);
	r = append_value(&iter, v) ? set_value(c, msg, ret_code) : -ENOMEM;
	dbus_message_unref(msg);
	return r;
}

int hx_set_raw(struct hx_client *c, const char *service, const char *path, int dbus_type,
	       const void *valp, int *ret_code)
{
	char sig[2] = {(char)dbus_type, '\0'};
	DBusMessageIter iter, variant;
	DBusMessage *msg;
	bool ok;
	int r;

	if (!dbus_type_is_basic(dbus_type) || dbus_type == DBUS_TYPE_UNIX_FD)
		return -EINVAL;
	msg = dbus_message_new_method_call(service, path, VEDBUS_IFACE_BUSITEM, "SetValue");
	if (!msg)
		return -ENOMEM;
	dbus_message_iter_init_append(msg, &iter);
	ok = dbus_message_iter_open_container(&iter, DBUS_TYPE_VARIANT, sig, &variant);
	ok = ok && dbus_message_iter_append_basic(&variant, dbus_type, valp);
	ok = ok && dbus_message_iter_close_container(&iter, &variant);
	r = ok ? set_value(c, msg, ret_code) : -ENOMEM;
	dbus_message_unref(msg);
	return r;
}

int hx_get_items(struct hx_client *c, const char *service, DBusMessage **ret_reply)
{
	DBusMessage *reply;
	int r;

	*ret_reply = NULL;
	r = hx_call(c, service, "/", VEDBUS_IFACE_BUSITEM, "GetItems", &reply, DBUS_TYPE_INVALID);
	if (r == 0 && strcmp(dbus_message_get_signature(reply), "a{sa{sv}}") != 0) {
		dbus_message_unref(reply);
		return -EPROTO;
	}
	*ret_reply = reply;
	return r;
}

/* Read "Value" and "Text" from the a{sv} at @props. */
static int read_props(DBusMessageIter *props, struct hx_value *ret_value, char *ret_text,
		      size_t text_len)
{
	DBusMessageIter entry;
	struct hx_value v, text;
	const char *key;
	bool have_value = false;
	int r;

	for (; dbus_message_iter_get_arg_type(props) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(props)) {
		dbus_message_iter_recurse(props, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		if (strcmp(key, "Value") == 0) {
			r = hx_value_read(&entry, &v);
			if (r < 0)
				return r;
			if (ret_value)
				*ret_value = v;
			have_value = true;
		} else if (strcmp(key, "Text") == 0 && ret_text && text_len) {
			r = hx_value_read(&entry, &text);
			snprintf(ret_text, text_len, "%s", r == 0 ? text.s : "");
		}
	}
	return have_value ? 0 : -ENODATA;
}

int hx_items_find(DBusMessage *msg, const char *path, struct hx_value *ret_value, char *ret_text,
		  size_t text_len)
{
	const char *sig = dbus_message_get_signature(msg);
	const char *msg_path = dbus_message_get_path(msg);
	DBusMessageIter iter, items, entry, props;
	const char *key;

	if (ret_value)
		memset(ret_value, 0, sizeof(*ret_value));
	if (ret_text && text_len)
		ret_text[0] = '\0';
	if (!dbus_message_iter_init(msg, &iter))
		return -EPROTO;
	if (strcmp(sig, "a{sv}") == 0) {
		if (!msg_path || strcmp(msg_path, path) != 0)
			return -ENOENT;
		dbus_message_iter_recurse(&iter, &props);
		return read_props(&props, ret_value, ret_text, text_len);
	}
	if (strcmp(sig, "a{sa{sv}}") != 0)
		return -EPROTO;
	for (dbus_message_iter_recurse(&iter, &items);
	     dbus_message_iter_get_arg_type(&items) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&items)) {
		dbus_message_iter_recurse(&items, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		if (strcmp(key, path) != 0)
			continue;
		dbus_message_iter_next(&entry);
		dbus_message_iter_recurse(&entry, &props);
		return read_props(&props, ret_value, ret_text, text_len);
	}
	return -ENOENT;
}
