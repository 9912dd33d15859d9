// SPDX-License-Identifier: MIT
/* ve-settingsd-keyfile.c - the settings table to and from a GKeyFile, one group per setting */

#include <errno.h>
#include <string.h>

#include "ve-settingsd-store.h"

static void set_value_key(GKeyFile *kf, const char *group, const char *key,
			  const struct vedbus_value *v)
{
	g_autofree char *text = NULL;

	if (!vedbus_value_is_valid(v))
		return;
	text = store_value_text(v);
	g_key_file_set_string(kf, group, key, text);
}

void store_to_keyfile(struct store *st, GKeyFile *kf)
{
	g_autoptr(GPtrArray) list = store_list(st, "/");

	for (unsigned int i = 0; i < list->len; i++) {
		const struct store_setting *s = list->pdata[i];
		char type[2] = { store_type_char(s->type), '\0' };

		g_key_file_set_string(kf, s->path, "type", type);
		set_value_key(kf, s->path, "value", &s->value);
		set_value_key(kf, s->path, "default", &s->def);
		set_value_key(kf, s->path, "min", &s->min);
		set_value_key(kf, s->path, "max", &s->max);
		g_key_file_set_boolean(kf, s->path, "silent", s->silent);
	}
}

/* A key of @type; a missing optional key leaves *ret invalid. Return: 0 or -EINVAL. */
static int get_value_key(GKeyFile *kf, const char *group, const char *key, enum vedbus_type type,
			 bool required, struct vedbus_value *ret)
{
	g_autofree char *text = g_key_file_get_string(kf, group, key, NULL);
	struct vedbus_value in = vedbus_string(text);

	*ret = vedbus_invalid();
	if (!text)
		return required ? -EINVAL : 0;
	return store_convert(&in, type, true, ret);
}

static int get_type(GKeyFile *kf, const char *group, enum vedbus_type *ret)
{
	g_autofree char *text = g_key_file_get_string(kf, group, "type", NULL);

	if (!text || strlen(text) != 1)
		return -EINVAL;
	return store_type_from_char(text[0], ret);
}

/* Read the keys of @group into the new setting @s. Return: NULL or what is wrong. */
static const char *read_setting(GKeyFile *kf, const char *group, struct store_setting *s)
{
	g_autoptr(GError) err = NULL;
	size_t len;
	int n;

	if (get_type(kf, group, &s->type) < 0)
		return "bad or missing type";
	if (get_value_key(kf, group, "value", s->type, true, &s->value) < 0)
		return "bad or missing value";
	if (get_value_key(kf, group, "default", s->type, true, &s->def) < 0)
		return "bad or missing default";
	if (s->type != VEDBUS_TYPE_STRING &&
	    get_value_key(kf, group, "min", s->type, false, &s->min))
		return "bad min";
	if (s->type != VEDBUS_TYPE_STRING &&
	    get_value_key(kf, group, "max", s->type, false, &s->max))
		return "bad max";
	s->silent = g_key_file_get_boolean(kf, group, "silent", &err);
	if (err && !g_error_matches(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
		return "bad silent";
	if (s->is_instance &&
	    (s->type != VEDBUS_TYPE_STRING || store_parse_instance(s->value.u.s, &len, &n) < 0))
		return "ClassAndVrmInstance is not \"class:n\"";
	return NULL;
}

/* Add the setting of @group. Return: NULL or what is wrong. */
static const char *load_setting(struct store *st, GKeyFile *kf, const char *group)
{
	struct store_setting *s = g_new0(struct store_setting, 1);
	const char *why;

	s->path = g_strdup(group);
	s->is_instance = g_str_has_suffix(group, "/ClassAndVrmInstance");
	why = read_setting(kf, group, s);
	if (!why && store_insert(st, s) != STORE_CODE_OK)
		why = store_lookup(st, group) ? "duplicate" : "bad path";
	if (why)
		store_setting_free(s);
	return why;
}

int store_from_keyfile(struct store *st, GKeyFile *kf, char **ret_reason)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	for (unsigned int i = 0; groups[i]; i++) {
		const char *why = load_setting(st, kf, groups[i]);

		if (why) {
			*ret_reason = g_strdup_printf("[%s]: %s", groups[i], why);
			return -EINVAL;
		}
	}
	return 0;
}
