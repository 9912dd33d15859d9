/* SPDX-License-Identifier: MIT */
/* config.c - configuration keys: values, defaults, INI files (GLib key files), reference */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "args.h"
#include "config.h"
#include "log.h"

static void *field(const struct cfg_key *k, void *conf)
{
	return (char *)conf + k->offset;
}

static bool has_range(const struct cfg_key *k)
{
	return k->min < k->max;
}

static int problem(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int problem(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int out_of_range(const struct cfg_key *k, double v, char *buf, size_t len)
{
	if (!has_range(k) || (v >= k->min && v <= k->max))
		return 0;
	return problem(buf, len, "must be between %.15g and %.15g", k->min, k->max);
}

static int parse_long(const struct cfg_key *k, const char *text, long *ret, char *buf,
		      size_t len)
{
	char *end;
	long long v;

	errno = 0;
	v = g_ascii_strtoll(text, &end, 10);
	if (end == text || *end || errno)
		return problem(buf, len, "not an integer");
	if (v < INT_MIN || v > INT_MAX)
		return problem(buf, len, "out of the integer range");
	*ret = (long)v;
	return out_of_range(k, (double)v, buf, len);
}

static int parse_int(const struct cfg_key *k, const char *text, void *f, char *buf, size_t len)
{
	long v;
	int r = parse_long(k, g_strstrip(strdupa(text)), &v, buf, len);

	if (r == 0)
		*(int *)f = (int)v;
	return r;
}

static int parse_double(const struct cfg_key *k, const char *text, void *f, char *buf,
			size_t len)
{
	char *s = g_strstrip(strdupa(text));
	char *end;
	double v;

	errno = 0;
	v = g_ascii_strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		return problem(buf, len, "not a number");
	if (out_of_range(k, v, buf, len) < 0)
		return -EINVAL;
	*(double *)f = v;
	return 0;
}

static int parse_bool(const struct cfg_key *k, const char *text, void *f, char *buf, size_t len)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char *s = g_strstrip(strdupa(text));

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0) {
			*(bool *)f = true;
			return 0;
		}
		if (g_ascii_strcasecmp(s, no[i]) == 0) {
			*(bool *)f = false;
			return 0;
		}
	}
	return problem(buf, len, "must be true or false (yes/no, on/off, 1/0)");
}

static int parse_string(const struct cfg_key *k, const char *text, void *f, char *buf,
			size_t len)
{
	char **s = f;

	g_free(*s);
	*s = g_strdup(text);
	return 0;
}

static void join_choices(const struct cfg_key *k, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; k->choices && k->choices[i]; i++) {
		if (i)
			g_strlcat(buf, ", ", len);
		g_strlcat(buf, k->choices[i], len);
	}
}

static int parse_enum(const struct cfg_key *k, const char *text, void *f, char *buf, size_t len)
{
	char *s = g_strstrip(strdupa(text));
	char choices[CFG_PROBLEM_MAX];

	for (int i = 0; k->choices && k->choices[i]; i++) {
		if (strcmp(s, k->choices[i]) == 0) {
			*(int *)f = i;
			return 0;
		}
	}
	join_choices(k, choices, sizeof(choices));
	return problem(buf, len, "must be one of: %s", choices);
}

static int parse_item(const struct cfg_key *k, const char *item, size_t i, int *ret, char *buf,
		      size_t len)
{
	char why[CFG_PROBLEM_MAX];
	long v;

	if (parse_long(k, item, &v, why, sizeof(why)) < 0)
		return problem(buf, len, "item %zu (\"%s\"): %s", i + 1, item, why);
	*ret = (int)v;
	return 0;
}

static int parse_list(const struct cfg_key *k, const char *text, void *f, char *buf, size_t len)
{
	struct cfg_int_list *list = f;
	g_auto(GStrv) items = NULL;
	int *values;
	size_t n = 0;

	if (*g_strstrip(strdupa(text)))
		items = g_strsplit(text, ",", -1);
	values = g_new0(int, items ? g_strv_length(items) : 0);
	for (; items && items[n]; n++) {
		if (parse_item(k, g_strstrip(items[n]), n, &values[n], buf, len) < 0) {
			g_free(values);
			return -EINVAL;
		}
	}
	g_free(list->values);
	*list = (struct cfg_int_list){ .n_values = n, .values = n ? values : NULL };
	if (!n)
		g_free(values);
	return 0;
}

static void release_string(void *f)
{
	char **s = f;

	g_free(*s);
	*s = NULL;
}

static void release_list(void *f)
{
	struct cfg_int_list *list = f;

	g_free(list->values);
	*list = (struct cfg_int_list){ 0 };
}

struct type_ops {
	const char *name;
	int (*parse)(const struct cfg_key *k, const char *text, void *f, char *buf, size_t len);
	void (*release)(void *f);
	size_t size;
};

static const struct type_ops type_ops[] = {
	[CFG_INT] = { "integer", parse_int, NULL, sizeof(int) },
	[CFG_DOUBLE] = { "number", parse_double, NULL, sizeof(double) },
	[CFG_BOOL] = { "boolean", parse_bool, NULL, sizeof(bool) },
	[CFG_STRING] = { "string", parse_string, release_string, sizeof(char *) },
	[CFG_ENUM] = { "choice", parse_enum, NULL, sizeof(int) },
	[CFG_INT_LIST] = { "list of integers", parse_list, release_list,
			   sizeof(struct cfg_int_list) },
};

static const struct type_ops *ops(enum cfg_type type)
{
	return (size_t)type < G_N_ELEMENTS(type_ops) ? &type_ops[type] : NULL;
}

const char *cfg_type_name(enum cfg_type type)
{
	return ops(type) ? ops(type)->name : "?";
}

int cfg_key_parse(const struct cfg_key *k, const char *text, void *conf, char *buf, size_t len)
{
	if (!ops(k->type))
		return problem(buf, len, "bad type %d in the key table", (int)k->type);
	return ops(k->type)->parse(k, text ? text : "", field(k, conf), buf, len);
}

size_t cfg_n_keys(const struct cfg_key *keys)
{
	size_t n = 0;

	while (keys && keys[n].key)
		n++;
	return n;
}

const struct cfg_key *cfg_find(const struct cfg_key *keys, const char *group, const char *key)
{
	for (size_t i = 0; keys && keys[i].key; i++)
		if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static bool group_known(const struct cfg_key *keys, const char *group)
{
	for (size_t i = 0; keys && keys[i].key; i++)
		if (strcmp(keys[i].group, group) == 0)
			return true;
	return false;
}

int cfg_set(const struct cfg_key *keys, const char *group, const char *key, const char *text,
	    const char *source, void *conf)
{
	const struct cfg_key *k = cfg_find(keys, group, key);
	char why[CFG_PROBLEM_MAX];

	if (!k) {
		log_err("%s%s[%s] %s: unknown key", source ? source : "", source ? ": " : "",
			group, key);
		return -ENOENT;
	}
	if (cfg_key_parse(k, text, conf, why, sizeof(why)) == 0)
		return 0;
	log_err("%s%s[%s] %s = %s: %s", source ? source : "", source ? ": " : "", group, key,
		text, why);
	return -EINVAL;
}

void cfg_free(const struct cfg_key *keys, void *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; keys && keys[i].key; i++)
		if (ops(keys[i].type) && ops(keys[i].type)->release)
			ops(keys[i].type)->release(field(&keys[i], conf));
}

int cfg_defaults(const struct cfg_key *keys, void *conf)
{
	char why[CFG_PROBLEM_MAX];

	cfg_free(keys, conf);
	for (size_t i = 0; keys && keys[i].key; i++) {
		const struct cfg_key *k = &keys[i];

		if (!ops(k->type))
			return -EINVAL;
		if (!k->def) {
			memset(field(k, conf), 0, ops(k->type)->size);
			continue;
		}
		if (cfg_key_parse(k, k->def, conf, why, sizeof(why)) < 0) {
			log_err("key table: [%s] %s: default \"%s\": %s", k->group, k->key, k->def,
				why);
			return -EINVAL;
		}
	}
	return 0;
}

/* Every key of @group in @kf, checked against the table. */
static int load_group(const struct cfg_key *keys, GKeyFile *kf, const char *name,
		      const char *group, void *conf)
{
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);
	int r;

	if (!group_known(keys, group)) {
		log_err("%s: [%s]: unknown group", name, group);
		return -EINVAL;
	}
	for (size_t i = 0; names && names[i]; i++) {
		g_autofree char *value = g_key_file_get_string(kf, group, names[i], NULL);

		if (!value) {
			/* not UTF-8 or a bad escape: report the raw text */
			value = g_key_file_get_value(kf, group, names[i], NULL);
			log_err("%s: [%s] %s = %s: not valid text", name, group, names[i],
				value ? value : "");
			return -EINVAL;
		}
		r = cfg_set(keys, group, names[i], value, name, conf);
		if (r < 0)
			return -EINVAL;
	}
	return 0;
}

static int load_keyfile(const struct cfg_key *keys, GKeyFile *kf, const char *name, void *conf)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	for (size_t i = 0; groups && groups[i]; i++)
		if (load_group(keys, kf, name, groups[i], conf) < 0)
			return -EINVAL;
	return 0;
}

int cfg_load_data(const struct cfg_key *keys, const char *name, const char *data, void *conf)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;

	if (!g_key_file_load_from_data(kf, data, (gsize)-1, G_KEY_FILE_NONE, &error)) {
		log_err("%s: %s", name, error->message);
		return -EINVAL;
	}
	return load_keyfile(keys, kf, name, conf);
}

int cfg_load_file(const struct cfg_key *keys, const char *path, void *conf)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error)) {
		log_err("%s: %s", path, error->message);
		return g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? -ENOENT
										: -EINVAL;
	}
	return load_keyfile(keys, kf, path, conf);
}

/* The default of @k parses (into scratch space, released again). */
static int check_default(const struct cfg_key *k)
{
	union {
		int i;
		double d;
		bool b;
		char *s;
		struct cfg_int_list l;
	} scratch = { 0 };
	struct cfg_key tmp = *k;
	char why[CFG_PROBLEM_MAX];
	int r;

	tmp.offset = 0;
	r = k->def ? cfg_key_parse(&tmp, k->def, &scratch, why, sizeof(why)) : 0;
	if (ops(k->type)->release)
		ops(k->type)->release(&scratch);
	if (r < 0)
		log_err("key table: [%s] %s: default \"%s\": %s", k->group, k->key, k->def, why);
	return r;
}

static int check_key(const struct cfg_key *k)
{
	const char *why = NULL;

	if (!k->group || !*k->group || !*k->key)
		why = "no group or key name";
	else if (!ops(k->type))
		why = "bad type";
	else if (k->type == CFG_ENUM && (!k->choices || !k->choices[0]))
		why = "a choice without choices";
	else if ((k->flags & CFG_KEY_REQUIRED) && k->type != CFG_STRING &&
		 k->type != CFG_INT_LIST)
		why = "only strings and lists can be required";
	else if (k->short_option && !k->option)
		why = "a short option without a long one";
	if (why) {
		log_err("key table: [%s] %s: %s", k->group ? k->group : "", k->key, why);
		return -EINVAL;
	}
	return check_default(k);
}

static bool clashes(const struct cfg_key *a, const struct cfg_key *b)
{
	if (strcmp(a->group, b->group) == 0 && strcmp(a->key, b->key) == 0)
		return true;
	if (a->option && b->option && strcmp(a->option, b->option) == 0)
		return true;
	return a->short_option && a->short_option == b->short_option;
}

int cfg_check_table(const struct cfg_key *keys)
{
	for (size_t i = 0; keys && keys[i].key; i++) {
		const struct cfg_key *k = &keys[i];

		if (check_key(k) < 0)
			return -EINVAL;
		if (cfg_option_taken(k->option, k->short_option)) {
			log_err("key table: [%s] %s: option taken by a common option", k->group,
				k->key);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (clashes(&keys[j], k)) {
				log_err("key table: [%s] %s: duplicate key or option", k->group,
					k->key);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The "Allowed" cell of a key. */
static char *allowed_text(const struct cfg_key *k)
{
	GString *s = g_string_new(NULL);

	if (k->type == CFG_ENUM) {
		for (size_t i = 0; k->choices[i]; i++)
			g_string_append_printf(s, "%s``%s``", i ? ", " : "", k->choices[i]);
	} else if (k->type == CFG_BOOL) {
		g_string_append(s, "``true``, ``false``");
	} else if (has_range(k)) {
		g_string_append_printf(s, "%.15g to %.15g%s", k->min, k->max,
				       k->type == CFG_INT_LIST ? " each" : "");
	} else {
		g_string_append(s, "any");
	}
	return g_string_free(s, FALSE);
}

static char *default_text(const struct cfg_key *k)
{
	if (k->def && *k->def)
		return g_strdup_printf("``%s``", k->def);
	return g_strdup(k->flags & CFG_KEY_REQUIRED ? "none (required)" : "none");
}

static char *option_text(const struct cfg_key *k)
{
	if (!k->option)
		return g_strdup("none");
	if (k->short_option)
		return g_strdup_printf("``-%c``, ``--%s``", k->short_option, k->option);
	return g_strdup_printf("``--%s``", k->option);
}

static void print_rst_key(const struct cfg_key *k, FILE *f)
{
	g_autofree char *allowed = allowed_text(k);
	g_autofree char *def = default_text(k);
	g_autofree char *opt = option_text(k);

	fprintf(f, "   * - ``[%s] %s``\n     - %s\n     - %s\n     - %s\n     - %s\n     - %s\n",
		k->group, k->key, cfg_type_name(k->type), def, allowed, opt,
		k->help ? k->help : "");
}

void cfg_print_rst(const struct cfg_key *keys, FILE *f)
{
	fprintf(f, ".. list-table::\n   :header-rows: 1\n\n");
	fprintf(f, "   * - Key\n     - Type\n     - Default\n     - Allowed\n     - Option\n"
		   "     - Description\n");
	for (size_t i = 0; keys && keys[i].key; i++)
		print_rst_key(&keys[i], f);
}
