// SPDX-License-Identifier: MIT
/* ve-settingsd-store.c - the settings table of ve-settingsd: paths, types, limits, instances */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "ve-settingsd-store.h"

#define INSTANCE_SUFFIX "/ClassAndVrmInstance"

struct store {
	GHashTable *settings; /* full path (borrowed from the setting) -> struct store_setting */
};

/* Groups that exist even when empty, as in localsettings. */
static const char *const fixed_groups[] = { "/", "/Settings", "/Settings/Devices", NULL };

static const char *const code_names[] = {
	[0] = "ok",
	[1] = "failed",
	[2] = "path component starts with '_'",
	[3] = "unknown type",
	[4] = "invalid path",
	[5] = "exists with a different type",
	[6] = "invalid default",
	[7] = "default outside min/max",
	[8] = "path is a group",
	[9] = "not under /Settings",
};

const char *store_code_name(enum store_code code)
{
	unsigned int i = (unsigned int)-(int)code;

	return i < G_N_ELEMENTS(code_names) ? code_names[i] : "unknown error";
}

/* An absolute D-Bus object path other than "/": components of [A-Za-z0-9_], none empty. */
bool store_path_valid(const char *path)
{
	bool empty = true;

	if (!path || path[0] != '/')
		return false;
	for (const char *p = path + 1; *p; p++) {
		if (*p == '/') {
			if (empty)
				return false;
			empty = true;
		} else if (g_ascii_isalnum(*p) || *p == '_') {
			empty = false;
		} else {
			return false;
		}
	}
	return !empty;
}

static bool in_range(const struct store_setting *s, const struct vedbus_value *v)
{
	if (vedbus_value_is_valid(&s->min) && store_value_cmp(v, &s->min) < 0)
		return false;
	return !vedbus_value_is_valid(&s->max) || store_value_cmp(v, &s->max) <= 0;
}

char *store_resolve(const char *base, const char *rel)
{
	const char *prefix = strcmp(base, "/") == 0 ? "" : base;

	return g_strconcat(prefix, rel[0] == '/' ? "" : "/", rel, NULL);
}

char *store_join(const char *group, const char *name)
{
	const char *gsep = group[0] == '/' || group[0] == '\0' ? "" : "/";

	return g_strconcat(gsep, group, name[0] == '/' ? "" : "/", name, NULL);
}

struct store_setting *store_setting_free(struct store_setting *s)
{
	if (!s)
		return NULL;

	store_value_clear(&s->value);
	store_value_clear(&s->def);
	store_value_clear(&s->min);
	store_value_clear(&s->max);
	g_free(s->path);
	g_free(s);
	return NULL;
}

static void setting_destroy(gpointer data)
{
	store_setting_free(data);
}

int store_new(struct store **ret_store)
{
	struct store *st = g_new0(struct store, 1);

	st->settings = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, setting_destroy);
	*ret_store = st;
	return 0;
}

struct store *store_free(struct store *st)
{
	if (!st)
		return NULL;
	g_hash_table_destroy(st->settings);
	g_free(st);
	return NULL;
}

struct store_setting *store_lookup(struct store *st, const char *path)
{
	return g_hash_table_lookup(st->settings, path);
}

unsigned int store_count(struct store *st)
{
	return g_hash_table_size(st->settings);
}

static bool is_below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool store_is_group(struct store *st, const char *path)
{
	GHashTableIter it;
	gpointer key;

	if (g_strv_contains(fixed_groups, path))
		return true;
	g_hash_table_iter_init(&it, st->settings);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		if (is_below(key, path) && strcmp(key, path) != 0)
			return true;
	}
	return false;
}

static int cmp_path(gconstpointer a, gconstpointer b)
{
	const struct store_setting *sa = *(struct store_setting *const *)a;
	const struct store_setting *sb = *(struct store_setting *const *)b;

	return strcmp(sa->path, sb->path);
}

GPtrArray *store_list(struct store *st, const char *prefix)
{
	GPtrArray *list = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, st->settings);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		if (is_below(((struct store_setting *)value)->path, prefix))
			g_ptr_array_add(list, value);
	}
	g_ptr_array_sort(list, cmp_path);
	return list;
}

/* true when a proper prefix of @path is a setting: a setting cannot be a group too */
static bool through_setting(struct store *st, const char *path)
{
	g_autofree char *p = g_strdup(path);

	for (char *slash = strrchr(p, '/'); slash && slash != p; slash = strrchr(p, '/')) {
		*slash = '\0';
		if (store_lookup(st, p))
			return true;
	}
	return false;
}

int store_free_instance(struct store *st, const struct store_setting *self, const char *want,
			char **ret)
{
	g_autoptr(GHashTable) taken = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it;
	gpointer value;
	size_t len, olen;
	int n, on;

	if (store_parse_instance(want, &len, &n) < 0)
		return -EINVAL;
	g_hash_table_iter_init(&it, st->settings);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const struct store_setting *o = value;

		if (o == self || !o->is_instance || o->value.type != VEDBUS_TYPE_STRING)
			continue;
		if (store_parse_instance(o->value.u.s, &olen, &on) == 0 && olen == len &&
		    strncmp(o->value.u.s, want, len) == 0)
			g_hash_table_add(taken, GINT_TO_POINTER(on));
	}
	while (g_hash_table_contains(taken, GINT_TO_POINTER(n)) && n < INT_MAX)
		n++;
	*ret = g_strdup_printf("%.*s:%d", (int)len, want, n);
	return 0;
}

static bool is_zero(const struct vedbus_value *v)
{
	if (v->type == VEDBUS_TYPE_INT)
		return v->u.i == 0;
	return v->type == VEDBUS_TYPE_DOUBLE && v->u.d == 0;
}

/* The converted default and limits of @req (owned by the caller), or an error code. */
static enum store_code convert_request(const struct store_request *req, enum vedbus_type *type,
				       struct vedbus_value *def, struct vedbus_value *min,
				       struct vedbus_value *max)
{
	if (store_type_from_char(req->type, type) < 0)
		return STORE_CODE_UNKNOWN_TYPE;
	if (store_convert(&req->def, *type, true, def) < 0)
		return STORE_CODE_INVALID_DEFAULT;
	if (*type == VEDBUS_TYPE_STRING)
		return STORE_CODE_OK;
	if (store_convert(&req->min, *type, true, min) < 0)
		*min = vedbus_invalid();
	if (store_convert(&req->max, *type, true, max) < 0)
		*max = vedbus_invalid();
	if (is_zero(min) && is_zero(max)) {
		*min = vedbus_invalid();
		*max = vedbus_invalid();
	}
	if (vedbus_value_is_valid(min) && store_value_cmp(def, min) < 0)
		return STORE_CODE_OUT_OF_RANGE;
	if (vedbus_value_is_valid(max) && store_value_cmp(def, max) > 0)
		return STORE_CODE_OUT_OF_RANGE;
	return STORE_CODE_OK;
}

static bool attributes_equal(const struct store_setting *s, const struct vedbus_value *def,
			     const struct vedbus_value *min, const struct vedbus_value *max,
			     bool silent)
{
	return store_value_equal(&s->def, def) && store_value_equal(&s->min, min) &&
	       store_value_equal(&s->max, max) && s->silent == silent;
}

static void set_attributes(struct store_setting *s, struct vedbus_value *def,
			   struct vedbus_value *min, struct vedbus_value *max, bool silent)
{
	store_value_move(&s->def, def);
	store_value_move(&s->min, min);
	store_value_move(&s->max, max);
	s->silent = silent;
}

/* The first value of a new setting: its default, or a free instance. */
static enum store_code initial_value(struct store *st, struct store_setting *s)
{
	char *free_instance;

	if (!s->is_instance) {
		s->value = store_value_dup(&s->def);
		return STORE_CODE_OK;
	}
	if (s->type != VEDBUS_TYPE_STRING || store_free_instance(st, s, s->def.u.s, &free_instance))
		return STORE_CODE_INVALID_DEFAULT;
	s->value = vedbus_string(free_instance);
	return STORE_CODE_OK;
}

/* Where a new setting may go: a valid path below /Settings/ that is neither taken nor a group. */
static enum store_code check_new_path(struct store *st, const char *path)
{
	if (strstr(path, "/_"))
		return STORE_CODE_UNDERSCORE;
	if (!store_path_valid(path))
		return STORE_CODE_INVALID_PATH;
	if (!g_str_has_prefix(path, "/Settings/"))
		return STORE_CODE_NOT_IN_SETTINGS;
	if (store_lookup(st, path) || through_setting(st, path))
		return STORE_CODE_INVALID_PATH;
	if (store_is_group(st, path))
		return STORE_CODE_IS_GROUP;
	return STORE_CODE_OK;
}

enum store_code store_insert(struct store *st, struct store_setting *s)
{
	enum store_code code = check_new_path(st, s->path);

	if (code != STORE_CODE_OK)
		return code;
	s->is_instance = g_str_has_suffix(s->path, INSTANCE_SUFFIX);
	g_hash_table_insert(st->settings, s->path, s);
	return STORE_CODE_OK;
}

static enum store_code create_setting(struct store *st, const char *path, enum vedbus_type type,
				      struct vedbus_value *def, struct vedbus_value *min,
				      struct vedbus_value *max, bool silent,
				      struct store_setting **ret)
{
	struct store_setting *s;
	enum store_code code = check_new_path(st, path);

	if (code != STORE_CODE_OK)
		return code;
	s = g_new0(struct store_setting, 1);
	s->path = g_strdup(path);
	s->type = type;
	s->is_instance = g_str_has_suffix(path, INSTANCE_SUFFIX);
	set_attributes(s, def, min, max, silent);
	code = initial_value(st, s);
	if (code != STORE_CODE_OK) {
		store_setting_free(s);
		return code;
	}
	g_hash_table_insert(st->settings, s->path, s);
	*ret = s;
	return STORE_CODE_OK;
}

/* The checks localsettings makes before it looks at existing settings. */
static enum store_code check_path(const char *path)
{
	if (strstr(path, "/_"))
		return STORE_CODE_UNDERSCORE;
	if (!store_path_valid(path))
		return STORE_CODE_INVALID_PATH;
	return STORE_CODE_OK;
}

enum store_code store_add(struct store *st, const struct store_request *req,
			  struct store_setting **ret_setting, enum store_change *ret_change)
{
	struct vedbus_value def = vedbus_invalid(), min = def, max = def;
	g_autofree char *path = store_resolve(req->base, req->path);
	enum store_change change = STORE_CHANGE_NONE;
	struct store_setting *s = NULL;
	enum vedbus_type type = VEDBUS_TYPE_INVALID;
	enum store_code code;

	code = check_path(path);
	if (code == STORE_CODE_OK)
		code = convert_request(req, &type, &def, &min, &max);
	if (code == STORE_CODE_OK && !g_str_has_prefix(path, "/Settings/"))
		code = STORE_CODE_NOT_IN_SETTINGS;
	s = code == STORE_CODE_OK ? store_lookup(st, path) : NULL;
	if (s && s->type != type) {
		code = STORE_CODE_TYPE_DIFFERS;
	} else if (s && !attributes_equal(s, &def, &min, &max, req->silent)) {
		set_attributes(s, &def, &min, &max, req->silent);
		change = STORE_CHANGE_ATTRIBUTES;
	} else if (!s && code == STORE_CODE_OK) {
		code = create_setting(st, path, type, &def, &min, &max, req->silent, &s);
		change = STORE_CHANGE_NEW;
	}
	store_value_clear(&def);
	store_value_clear(&min);
	store_value_clear(&max);
	if (code != STORE_CODE_OK)
		return code;
	if (ret_setting)
		*ret_setting = s;
	if (ret_change)
		*ret_change = change;
	return STORE_CODE_OK;
}

int store_set(struct store *st, struct store_setting *s, const struct vedbus_value *v)
{
	struct vedbus_value nv;
	char *free_instance;

	if (store_convert(v, s->type, false, &nv) < 0)
		return -EINVAL;
	if (s->type != VEDBUS_TYPE_STRING && !in_range(s, &nv))
		return -ERANGE;
	if (store_value_equal(&nv, &s->value)) {
		store_value_clear(&nv);
		return 0;
	}
	if (s->is_instance) {
		if (store_free_instance(st, s, nv.u.s, &free_instance) < 0) {
			store_value_clear(&nv);
			return -EINVAL;
		}
		store_value_clear(&nv);
		nv = vedbus_string(free_instance);
	}
	if (store_value_equal(&nv, &s->value)) {
		store_value_clear(&nv);
		return 0;
	}
	store_value_move(&s->value, &nv);
	return 1;
}

void store_remove(struct store *st, struct store_setting *s)
{
	g_hash_table_remove(st->settings, s->path);
}
