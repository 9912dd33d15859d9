// SPDX-License-Identifier: MIT
/* ve-settingsd-bus.c - com.victronenergy.Settings methods and the setting items on the bus */

#include <errno.h>
#include <string.h>

#include "log.h"
#include "ve-settingsd.h"

/* localsettings answers GetMin/GetMax with an int32 0 when a setting has no such limit */
static const struct vedbus_value no_limit = { .type = VEDBUS_TYPE_INT, .u.i = 0 };

static int on_write(struct vedbus_item *item, const struct vedbus_value *v, void *data);

/* GetText as localsettings' str(value): "2.0" for a float 2 */
static int text_of(const struct vedbus_value *v, char *buf, size_t len, void *data)
{
	g_autofree char *text = store_value_text(v);

	g_strlcpy(buf, text, len);
	return 0;
}

static const struct vedbus_format text_fmt = { .text = text_of };

/* A value for the log: strings quoted, so an empty one shows. */
static char *log_text(const struct vedbus_value *v)
{
	if (v->type == VEDBUS_TYPE_STRING)
		return g_strdup_printf("\"%s\"", v->u.s);
	return store_value_text(v);
}

/* Create or refresh the item of @s: value, Min, Max, Default. */
static int publish(struct settingsd *sd, struct store_setting *s)
{
	struct vedbus_item *item = s->userdata;
	int r;

	if (!item) {
		r = vedbus_service_add(sd->svc, s->path, s->type, VEDBUS_ITEM_WRITABLE, &item);
		if (r < 0)
			return r;
		vedbus_item_set_write_fn(item, on_write, sd);
		vedbus_item_set_format(item, &text_fmt);
		s->userdata = item;
	}
	r = vedbus_item_set_limits(item, vedbus_value_is_valid(&s->min) ? &s->min : &no_limit,
				   vedbus_value_is_valid(&s->max) ? &s->max : &no_limit, &s->def);
	if (r == 0)
		r = vedbus_item_set(item, &s->value);
	return r < 0 ? r : 0;
}

/* SetValue and SetDefault: check and store @v, publish, log. Return: as store_set(). */
static int apply(struct settingsd *sd, struct store_setting *s, const struct vedbus_value *v)
{
	g_autofree char *old = log_text(&s->value);
	g_autofree char *text = NULL;
	int r = store_set(sd->store, s, v);

	if (r < 0) {
		text = log_text(v);
		log_info("%s: refused %s (%s)", s->path, text,
			 r == -ERANGE ? "outside min/max" : "wrong type or format");
		return r;
	}
	if (r == 0)
		return 0;
	text = log_text(&s->value);
	log_msg(s->silent ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, "%s changed: %s -> %s", s->path, old,
		text);
	vedbus_item_set(s->userdata, &s->value);
	vedbus_service_flush(sd->svc);
	settingsd_changed(sd);
	return 1;
}

static int on_write(struct vedbus_item *item, const struct vedbus_value *v, void *data)
{
	struct settingsd *sd = data;
	struct store_setting *s = store_lookup(sd->store, vedbus_item_path(item));
	int r;

	if (!s)
		return -ENOENT;
	r = apply(sd, s, v);
	/* a ClassAndVrmInstance may have been bumped: the item holds what the store holds */
	return r < 0 ? r : VEDBUS_WRITE_STORED;
}

static void log_setting(const char *verb, const struct store_setting *s)
{
	g_autofree char *value = log_text(&s->value);
	g_autofree char *def = log_text(&s->def);
	g_autofree char *min = store_value_text(&s->min);
	g_autofree char *max = store_value_text(&s->max);

	log_info("%s %s: type %c, value %s, default %s, min %s, max %s%s", verb, s->path,
		 store_type_char(s->type), value, def, vedbus_value_is_valid(&s->min) ? min : "-",
		 vedbus_value_is_valid(&s->max) ? max : "-", s->silent ? ", silent" : "");
}

/* AddSetting and each AddSettings entry. */
static enum store_code add(struct settingsd *sd, const struct store_request *req,
			   struct store_setting **ret)
{
	static const char *const verbs[] = {
		[STORE_CHANGE_NEW] = "added",
		[STORE_CHANGE_ATTRIBUTES] = "updated",
	};
	struct store_setting *s;
	enum store_change change;
	enum store_code code = store_add(sd->store, req, &s, &change);

	if (code != STORE_CODE_OK) {
		log_info("add %s on %s refused: %s (%d)", req->path, req->base,
			 store_code_name(code), code);
		return code;
	}
	if (change != STORE_CHANGE_NONE && publish(sd, s) < 0) {
		log_err("%s: cannot publish it", s->path);
		vedbus_item_remove(s->userdata);
		store_remove(sd->store, s);
		return STORE_CODE_FAILED;
	}
	if (change != STORE_CHANGE_NONE) {
		log_setting(verbs[change], s);
		settingsd_changed(sd);
	}
	*ret = s;
	return STORE_CODE_OK;
}

static void remove_setting(struct settingsd *sd, struct store_setting *s)
{
	struct vedbus_item *item = s->userdata;

	log_info("removed %s", s->path);
	/* as localsettings: a last PropertiesChanged with an invalid value */
	vedbus_item_invalidate(item);
	vedbus_service_flush(sd->svc);
	vedbus_item_remove(item);
	store_remove(sd->store, s);
	settingsd_changed(sd);
}

static enum store_code set_default(struct settingsd *sd, struct store_setting *s)
{
	if (s->is_instance)
		return STORE_CODE_FAILED;
	return apply(sd, s, &s->def) < 0 ? STORE_CODE_FAILED : STORE_CODE_OK;
}

/* Replies --------------------------------------------------------------------------------- */

static DBusMessage *reply_int(DBusMessage *msg, dbus_int32_t i)
{
	DBusMessage *reply = dbus_message_new_method_return(msg);

	if (reply && !dbus_message_append_args(reply, DBUS_TYPE_INT32, &i, DBUS_TYPE_INVALID))
		reply = (dbus_message_unref(reply), NULL);
	return reply;
}

static DBusMessage *reply_values(DBusMessage *msg, const struct vedbus_value *const *v, int n)
{
	DBusMessage *reply = dbus_message_new_method_return(msg);
	DBusMessageIter it;

	if (!reply)
		return NULL;
	dbus_message_iter_init_append(reply, &it);
	for (int i = 0; i < n; i++) {
		if (vedbus_value_append(&it, v[i]) < 0) {
			dbus_message_unref(reply);
			return NULL;
		}
	}
	return reply;
}

static bool append_entry(DBusMessageIter *dict, const char *key, const struct vedbus_value *v)
{
	DBusMessageIter e;

	if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &e))
		return false;
	if (!dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key) ||
	    vedbus_value_append(&e, v) < 0) {
		dbus_message_iter_abandon_container(dict, &e);
		return false;
	}
	return dbus_message_iter_close_container(dict, &e);
}

/* One AddSettings result: {"path": s (when given), "error": i, "value": v (on success)}. */
static bool append_result(DBusMessageIter *arr, const char *path, enum store_code code,
			  const struct store_setting *s)
{
	struct vedbus_value p = vedbus_string(path), err = vedbus_int(code);
	DBusMessageIter dict;
	bool ok;

	if (!dbus_message_iter_open_container(arr, DBUS_TYPE_ARRAY, "{sv}", &dict))
		return false;
	ok = (!path || append_entry(&dict, "path", &p)) && append_entry(&dict, "error", &err) &&
	     (!s || append_entry(&dict, "value", &s->value));
	if (!ok) {
		dbus_message_iter_abandon_container(arr, &dict);
		return false;
	}
	return dbus_message_iter_close_container(arr, &dict);
}

/* Methods ---------------------------------------------------------------------------------- */

/* A variant argument; anything vedbus cannot read (containers) counts as invalid. */
static void read_variant(DBusMessageIter *it, struct vedbus_value *ret)
{
	if (vedbus_value_read(it, ret) < 0)
		*ret = vedbus_invalid();
	dbus_message_iter_next(it);
}

static const char *read_string(DBusMessageIter *it)
{
	const char *s;

	dbus_message_iter_get_basic(it, &s);
	dbus_message_iter_next(it);
	return s;
}

/* AddSetting(group, name, default, type, min, max) on a group, signature checked. */
static DBusMessage *add_setting(struct settingsd *sd, const char *path, DBusMessage *msg,
				bool silent)
{
	struct store_request req = { .base = path, .silent = silent };
	g_autofree char *rel = NULL;
	const char *group, *name, *type;
	struct store_setting *s;
	enum store_code code;
	DBusMessageIter it;

	dbus_message_iter_init(msg, &it);
	group = read_string(&it);
	name = read_string(&it);
	read_variant(&it, &req.def);
	type = read_string(&it);
	read_variant(&it, &req.min);
	read_variant(&it, &req.max);
	rel = store_join(group, name);
	req.path = rel;
	req.type = strlen(type) == 1 ? type[0] : '?';
	code = add(sd, &req, &s);
	vedbus_service_flush(sd->svc);
	return reply_int(msg, code);
}

static DBusMessage *do_add_setting(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	return add_setting(sd, path, msg, false);
}

static DBusMessage *do_add_silent_setting(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	return add_setting(sd, path, msg, true);
}

/* The setting type an AddSettings default picks by its D-Bus type; '?' for none. */
static char type_of_variant(DBusMessageIter *var)
{
	static const struct {
		int dbus_type;
		char type;
	} types[] = {
		{ DBUS_TYPE_INT32, 'i' },
		{ DBUS_TYPE_INT64, 'i' },
		{ DBUS_TYPE_DOUBLE, 'f' },
		{ DBUS_TYPE_STRING, 's' },
	};
	DBusMessageIter inner;

	dbus_message_iter_recurse(var, &inner);
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		if (dbus_message_iter_get_arg_type(&inner) == types[i].dbus_type)
			return types[i].type;
	}
	return '?';
}

/* One key of an AddSettings entry into @req; unknown keys are ignored, as localsettings. */
static void read_entry_key(const char *key, DBusMessageIter *var, struct store_request *req)
{
	struct vedbus_value v;

	if (vedbus_value_read(var, &v) < 0)
		v = vedbus_invalid();
	if (strcmp(key, "path") == 0) {
		req->path = type_of_variant(var) == 's' ? v.u.s : NULL;
	} else if (strcmp(key, "default") == 0) {
		req->def = v;
		req->type = type_of_variant(var);
	} else if (strcmp(key, "min") == 0) {
		req->min = v;
	} else if (strcmp(key, "max") == 0) {
		req->max = v;
	} else if (strcmp(key, "silent") == 0) {
		req->silent = (v.type == VEDBUS_TYPE_INT && v.u.i != 0) ||
			      (v.type == VEDBUS_TYPE_DOUBLE && v.u.d != 0) ||
			      (v.type == VEDBUS_TYPE_STRING && v.u.s[0]);
	}
}

/* Add the entry at @list (an a{sv}) and append its result to @arr. */
static bool add_entry(struct settingsd *sd, const char *base, DBusMessageIter *list,
		      DBusMessageIter *arr)
{
	struct store_request req = { .base = base, .type = '?' };
	enum store_code code = STORE_CODE_INVALID_PATH;
	struct store_setting *s = NULL;
	DBusMessageIter dict, e;
	const char *key;

	req.def = req.min = req.max = vedbus_invalid();
	dbus_message_iter_recurse(list, &dict);
	for (; dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&dict)) {
		dbus_message_iter_recurse(&dict, &e);
		key = read_string(&e);
		read_entry_key(key, &e, &req);
	}
	if (req.path)
		code = add(sd, &req, &s);
	else
		log_info("add on %s refused: entry without a string path", base);
	return append_result(arr, req.path, code, code == STORE_CODE_OK ? s : NULL);
}

static DBusMessage *do_add_settings(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	DBusMessage *reply = dbus_message_new_method_return(msg);
	DBusMessageIter in, list, out, arr;
	bool ok;

	if (!reply)
		return NULL;
	dbus_message_iter_init(msg, &in);
	dbus_message_iter_recurse(&in, &list);
	dbus_message_iter_init_append(reply, &out);
	ok = dbus_message_iter_open_container(&out, DBUS_TYPE_ARRAY, "a{sv}", &arr);
	for (; ok && dbus_message_iter_get_arg_type(&list) == DBUS_TYPE_ARRAY;
	     dbus_message_iter_next(&list))
		ok = add_entry(sd, path, &list, &arr);
	ok = ok && dbus_message_iter_close_container(&out, &arr);
	/* all PropertiesChanged of the batch go out before the reply */
	vedbus_service_flush(sd->svc);
	if (!ok) {
		dbus_message_iter_abandon_container_if_open(&out, &arr);
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *do_remove_settings(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	g_autoptr(GArray) codes = g_array_new(FALSE, FALSE, sizeof(dbus_int32_t));
	DBusMessage *reply;
	DBusMessageIter in, list;
	const dbus_int32_t *data;

	dbus_message_iter_init(msg, &in);
	dbus_message_iter_recurse(&in, &list);
	while (dbus_message_iter_get_arg_type(&list) == DBUS_TYPE_STRING) {
		g_autofree char *full = store_resolve(path, read_string(&list));
		struct store_setting *s = store_lookup(sd->store, full);
		dbus_int32_t code = s ? STORE_CODE_OK : STORE_CODE_FAILED;

		if (s)
			remove_setting(sd, s);
		else
			log_info("remove %s refused: no such setting", full);
		g_array_append_val(codes, code);
	}
	reply = dbus_message_new_method_return(msg);
	data = (const dbus_int32_t *)(void *)codes->data;
	if (reply && !dbus_message_append_args(reply, DBUS_TYPE_ARRAY, DBUS_TYPE_INT32, &data,
					       (int)codes->len, DBUS_TYPE_INVALID))
		reply = (dbus_message_unref(reply), NULL);
	return reply;
}

/* SetDefault on a setting, or on a group: every setting below it (instances excepted). */
static DBusMessage *do_set_default(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	struct store_setting *s = store_lookup(sd->store, path);
	g_autoptr(GPtrArray) list = NULL;

	if (s)
		return reply_int(msg, set_default(sd, s));
	list = store_list(sd->store, path);
	for (unsigned int i = 0; i < list->len; i++)
		set_default(sd, list->pdata[i]);
	return reply_int(msg, STORE_CODE_OK);
}

static DBusMessage *do_get_attributes(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	const struct store_setting *s = store_lookup(sd->store, path);
	struct vedbus_value silent = vedbus_int(s->silent);
	const struct vedbus_value *v[] = {
		&s->def,
		vedbus_value_is_valid(&s->min) ? &s->min : &no_limit,
		vedbus_value_is_valid(&s->max) ? &s->max : &no_limit,
	};
	DBusMessage *reply = reply_values(msg, v, G_N_ELEMENTS(v));
	dbus_int32_t i = (dbus_int32_t)silent.u.i;

	if (reply && !dbus_message_append_args(reply, DBUS_TYPE_INT32, &i, DBUS_TYPE_INVALID))
		reply = (dbus_message_unref(reply), NULL);
	return reply;
}

static DBusMessage *do_get_silent(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	return reply_int(msg, store_lookup(sd->store, path)->silent);
}

/* GetValue/GetText on a group that has no settings yet, so no node in the library's tree. */
static DBusMessage *empty_group(DBusMessage *msg, const char *sig)
{
	DBusMessage *reply = dbus_message_new_method_return(msg);
	DBusMessageIter it, var, arr;

	if (!reply)
		return NULL;
	dbus_message_iter_init_append(reply, &it);
	if (!dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, sig, &var) ||
	    !dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, sig + 1, &arr) ||
	    !dbus_message_iter_close_container(&var, &arr) ||
	    !dbus_message_iter_close_container(&it, &var)) {
		dbus_message_unref(reply);
		return NULL;
	}
	return reply;
}

static DBusMessage *do_empty_value(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	return empty_group(msg, "a{sv}");
}

static DBusMessage *do_empty_text(struct settingsd *sd, const char *path, DBusMessage *msg)
{
	return empty_group(msg, "a{ss}");
}

enum target {
	TARGET_GROUP, /* "/", "/Settings", "/Settings/Devices" and any group of settings */
	TARGET_LEAF,  /* a setting */
	TARGET_ANY,
};

typedef DBusMessage *(*method_fn)(struct settingsd *sd, const char *path, DBusMessage *msg);

/* What the library leaves to us; GetValue, GetText, SetValue, GetMin... it answers itself. */
static const struct method {
	const char *member;
	const char *signature;
	enum target target;
	method_fn fn;
} methods[] = {
	{ "AddSetting", "ssvsvv", TARGET_GROUP, do_add_setting },
	{ "AddSilentSetting", "ssvsvv", TARGET_GROUP, do_add_silent_setting },
	{ "AddSettings", "aa{sv}", TARGET_GROUP, do_add_settings },
	{ "RemoveSettings", "as", TARGET_GROUP, do_remove_settings },
	{ "SetDefault", "", TARGET_ANY, do_set_default },
	{ "GetAttributes", "", TARGET_LEAF, do_get_attributes },
	{ "GetSilent", "", TARGET_LEAF, do_get_silent },
	{ "GetValue", "", TARGET_GROUP, do_empty_value },
	{ "GetText", "", TARGET_GROUP, do_empty_text },
	{},
};

static bool target_ok(struct settingsd *sd, enum target target, const char *path,
		      const struct vedbus_item *item)
{
	bool leaf = item && store_lookup(sd->store, path);
	bool group = !item && store_is_group(sd->store, path);

	switch (target) {
	case TARGET_GROUP:
		return group;
	case TARGET_LEAF:
		return leaf;
	case TARGET_ANY:
		return leaf || group;
	}
	return false;
}

static DBusMessage *on_method(struct vedbus_service *svc, const char *path,
			      struct vedbus_item *item, DBusMessage *msg, void *userdata)
{
	const char *iface = dbus_message_get_interface(msg);
	const char *member = dbus_message_get_member(msg);
	struct settingsd *sd = userdata;
	const struct method *m;

	/* localsettings splits its methods over both interfaces; accept either, or none */
	if (iface && strcmp(iface, VEDBUS_IFACE_SETTINGS) != 0 &&
	    strcmp(iface, VEDBUS_IFACE_BUSITEM) != 0)
		return NULL;
	for (m = methods; m->member; m++) {
		if (strcmp(m->member, member) != 0 || !target_ok(sd, m->target, path, item))
			continue;
		if (!dbus_message_has_signature(msg, m->signature))
			return dbus_message_new_error_printf(msg, DBUS_ERROR_INVALID_ARGS,
							     "%s takes (%s)", member, m->signature);
		log_debug("%s %s", member, path);
		return m->fn(sd, path, msg);
	}
	return NULL;
}

int settingsd_bus_open(struct settingsd *sd, const char *bus)
{
	g_autoptr(GPtrArray) all = store_list(sd->store, "/");
	int r;

	r = vedbus_service_new(bus, VEDBUS_SETTINGS_NAME, &sd->svc);
	if (r < 0) {
		log_err("cannot connect to the %s bus: %s", bus ? bus : "default", strerror(-r));
		return r;
	}
	vedbus_service_set_reply_codes(sd->svc, STORE_CODE_FAILED, STORE_CODE_FAILED);
	vedbus_service_set_signals(sd->svc, false, true);
	vedbus_service_set_method_fn(sd->svc, on_method, sd);
	for (unsigned int i = 0; i < all->len; i++) {
		r = publish(sd, all->pdata[i]);
		if (r < 0) {
			log_err("%s: cannot publish: %s",
				((struct store_setting *)all->pdata[i])->path, strerror(-r));
			return r;
		}
	}
	/* the whole tree exists before the name: clients read it with one GetItems */
	r = vedbus_service_register(sd->svc);
	if (r < 0)
		log_err("cannot claim %s: %s", VEDBUS_SETTINGS_NAME,
			r == -EEXIST ? "the name is taken" : strerror(-r));
	return r;
}
