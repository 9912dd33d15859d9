// SPDX-License-Identifier: MIT
/* vedbus-util.c - pure helpers of the vedbus client: value parsing, name matching, printing */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vedbus-cli.h"

/* ------------------------------------------------------------------------------------------ */
/* Values typed on the command line                                                           */

static const char *const type_names[] = {
	[VEDBUS_CLI_TYPE_GUESS] = "guess",     [VEDBUS_CLI_TYPE_INT] = "int",
	[VEDBUS_CLI_TYPE_FLOAT] = "float",     [VEDBUS_CLI_TYPE_STRING] = "string",
	[VEDBUS_CLI_TYPE_INVALID] = "invalid",
};

int vedbus_cli_parse_type(const char *name, enum vedbus_cli_type *ret)
{
	for (size_t i = 0; i < G_N_ELEMENTS(type_names); i++) {
		if (name && !strcmp(name, type_names[i])) {
			*ret = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A decimal or 0x-prefixed integer, nothing else around it. */
static int parse_int(const char *text, int64_t *ret)
{
	const char *digits = text + (*text == '-' || *text == '+');
	int base = (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) ? 16 : 10;
	long long v;
	char *end;

	if (!g_ascii_isxdigit(*digits))
		return -EINVAL;
	errno = 0;
	v = strtoll(text, &end, base);
	if (*end || end == text)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* A number as strtod reads it; @strict also refuses "nan", "inf" and leading dots' cousins. */
static int parse_float(const char *text, bool strict, double *ret)
{
	char *end;
	double d;

	if (!*text || g_ascii_isspace(*text))
		return -EINVAL;
	if (strict && !strchr("+-.0123456789", *text))
		return -EINVAL;
	errno = 0;
	d = g_ascii_strtod(text, &end);
	if (*end || end == text || (strict && !isfinite(d)))
		return -EINVAL;
	if (errno == ERANGE && isinf(d))
		return -ERANGE;
	*ret = d;
	return 0;
}

static int parse_guess(const char *text, struct vedbus_value *ret)
{
	int64_t i;
	double d;

	if (!strcmp(text, "invalid")) {
		*ret = vedbus_invalid();
	} else if (parse_int(text, &i) == 0) {
		*ret = vedbus_int(i);
	} else if (parse_float(text, true, &d) == 0) {
		*ret = vedbus_double(d);
	} else {
		*ret = vedbus_string(text);
	}
	return 0;
}

int vedbus_cli_parse_value(const char *text, enum vedbus_cli_type type, struct vedbus_value *ret)
{
	int64_t i;
	double d;
	int r;

	switch (type) {
	case VEDBUS_CLI_TYPE_GUESS:
		return parse_guess(text, ret);
	case VEDBUS_CLI_TYPE_INT:
		r = parse_int(text, &i);
		if (r == 0)
			*ret = vedbus_int(i);
		return r;
	case VEDBUS_CLI_TYPE_FLOAT:
		r = parse_float(text, false, &d);
		if (r == 0)
			*ret = vedbus_double(d);
		return r;
	case VEDBUS_CLI_TYPE_STRING:
		*ret = vedbus_string(text);
		return 0;
	case VEDBUS_CLI_TYPE_INVALID:
		*ret = vedbus_invalid();
		return 0;
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------------------------------ */
/* Service names                                                                              */

bool vedbus_cli_is_victron(const char *name)
{
	size_t n = strlen(VEDBUS_CLI_PREFIX);

	return !strncmp(name, VEDBUS_CLI_PREFIX, n) && name[n];
}

static bool match_exact(const char *name, const char *arg)
{
	return !strcmp(name, arg);
}

static bool match_prefixed(const char *name, const char *arg)
{
	size_t n = strlen(VEDBUS_CLI_PREFIX);

	return !strncmp(name, VEDBUS_CLI_PREFIX, n) && !strcmp(name + n, arg);
}

/* @arg ends @name and starts at a '.' (so "ttyUSB0" and "battery.sim" match). */
static bool match_suffix(const char *name, const char *arg)
{
	size_t n = strlen(name), a = strlen(arg);

	return a < n && !strcmp(name + n - a, arg) && (arg[0] == '.' || name[n - a - 1] == '.');
}

static bool match_substring(const char *name, const char *arg)
{
	return strstr(name, arg) != NULL;
}

static const struct {
	bool (*match)(const char *name, const char *arg);
	bool victron_only;
} match_stages[] = {
	{ match_exact, false },
	{ match_prefixed, true },
	{ match_suffix, true },
	{ match_substring, true },
};

int vedbus_cli_match_service(const char *const *names, size_t n_names, const char *arg,
			     const char **ret)
{
	for (size_t s = 0; arg && *arg && s < G_N_ELEMENTS(match_stages); s++) {
		const char *found = NULL;
		size_t n_found = 0;

		for (size_t i = 0; i < n_names; i++) {
			if (match_stages[s].victron_only && !vedbus_cli_is_victron(names[i]))
				continue;
			if (match_stages[s].match(names[i], arg) && n_found++ == 0)
				found = names[i];
		}
		if (n_found > 1)
			return -ENOTUNIQ;
		if (n_found == 1) {
			*ret = found;
			return 0;
		}
	}
	return -ENOENT;
}

/* ------------------------------------------------------------------------------------------ */
/* Paths                                                                                      */

static bool pattern_selects(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (strpbrk(pattern, "*?"))
		return g_pattern_match_simple(pattern, path);
	if (n && pattern[n - 1] == '/')
		n--;
	return !strncmp(path, pattern, n) && (path[n] == '\0' || path[n] == '/');
}

bool vedbus_cli_path_selected(const char *path, char *const *patterns)
{
	if (!patterns)
		return true;
	for (; *patterns; patterns++) {
		if (pattern_selects(*patterns, path))
			return true;
	}
	return false;
}

char *vedbus_cli_normalize_path(const char *path)
{
	GString *out = g_string_new(path[0] == '/' ? NULL : "/");

	g_string_append(out, path);
	while (out->len > 1 && out->str[out->len - 1] == '/')
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

char *vedbus_cli_join_path(const char *base, const char *rel)
{
	size_t n = strlen(base);

	while (*rel == '/')
		rel++;
	if (!*rel)
		return g_strdup(base);
	if (n && base[n - 1] == '/')
		return g_strconcat(base, rel, NULL);
	return g_strconcat(base, "/", rel, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Printing any D-Bus value                                                                   */

static void print_value(GString *out, DBusMessageIter *iter, unsigned int flags, bool top);

void vedbus_cli_print_escaped(GString *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			g_string_append_printf(out, "\\%c", c);
		else if (c == '\n')
			g_string_append(out, "\\n");
		else if (c == '\t')
			g_string_append(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_c(out, c);
	}
}

void vedbus_cli_print_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	vedbus_cli_print_escaped(out, s);
	g_string_append_c(out, '"');
}

void vedbus_cli_print_text(GString *out, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			char c[2] = { *s, 0 };

			vedbus_cli_print_escaped(out, c);
		} else {
			g_string_append_c(out, *s);
		}
	}
}

void vedbus_cli_print_double(GString *out, double d, bool json)
{
	static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (!isfinite(d)) {
		g_string_append(out, json ? "null" : isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_ascii_formatd(buf, sizeof(buf), formats[i], d);
		if (g_ascii_strtod(buf, NULL) == d)
			break;
	}
	g_string_append(out, buf);
	if (!strpbrk(buf, ".e"))
		g_string_append(out, ".0");
}

static void print_text(GString *out, const char *s, unsigned int flags, bool top)
{
	if (top && !(flags & (VEDBUS_CLI_PRINT_QUOTE | VEDBUS_CLI_PRINT_JSON)))
		g_string_append(out, s);
	else
		vedbus_cli_print_string(out, s);
}

static void print_basic(GString *out, DBusMessageIter *iter, int type, unsigned int flags, bool top)
{
	DBusBasicValue v;

	dbus_message_iter_get_basic(iter, &v);
	switch (type) {
	case DBUS_TYPE_BYTE:
		g_string_append_printf(out, "%u", v.byt);
		break;
	case DBUS_TYPE_BOOLEAN:
		g_string_append(out, v.bool_val ? "true" : "false");
		break;
	case DBUS_TYPE_INT16:
		g_string_append_printf(out, "%d", v.i16);
		break;
	case DBUS_TYPE_UINT16:
		g_string_append_printf(out, "%u", v.u16);
		break;
	case DBUS_TYPE_INT32:
		g_string_append_printf(out, "%ld", (long)v.i32);
		break;
	case DBUS_TYPE_UINT32:
		g_string_append_printf(out, "%lu", (unsigned long)v.u32);
		break;
	case DBUS_TYPE_INT64:
		g_string_append_printf(out, "%lld", (long long)v.i64);
		break;
	case DBUS_TYPE_UINT64:
		g_string_append_printf(out, "%llu", (unsigned long long)v.u64);
		break;
	case DBUS_TYPE_DOUBLE:
		vedbus_cli_print_double(out, v.dbl, flags & VEDBUS_CLI_PRINT_JSON);
		break;
	case DBUS_TYPE_STRING:
	case DBUS_TYPE_OBJECT_PATH:
	case DBUS_TYPE_SIGNATURE:
		print_text(out, v.str, flags, top);
		break;
	case DBUS_TYPE_UNIX_FD:
		/* get_basic handed us a duplicate: close it, show a placeholder */
		close(v.fd);
		g_string_append(out, flags & VEDBUS_CLI_PRINT_JSON ? "null" : "<fd>");
		break;
	default:
		if (flags & VEDBUS_CLI_PRINT_JSON)
			g_string_append(out, "null");
		else
			g_string_append_printf(out, "<%c>", type);
		break;
	}
}

/* A dict key in JSON must be a string: print non-string keys and quote the result. */
static void print_key(GString *out, DBusMessageIter *key, unsigned int flags)
{
	GString *tmp;

	if (!(flags & VEDBUS_CLI_PRINT_JSON) ||
	    dbus_message_iter_get_arg_type(key) == DBUS_TYPE_STRING) {
		print_value(out, key, flags, false);
		return;
	}
	tmp = g_string_new(NULL);
	print_value(tmp, key, flags, false);
	vedbus_cli_print_string(out, tmp->str);
	g_string_free(tmp, TRUE);
}

static void print_entry(GString *out, DBusMessageIter *iter, unsigned int flags)
{
	DBusMessageIter kv;

	dbus_message_iter_recurse(iter, &kv);
	print_key(out, &kv, flags);
	g_string_append(out, ": ");
	dbus_message_iter_next(&kv);
	print_value(out, &kv, flags, false);
}

/* Arrays, dicts and structs: @open is '[', '{' or '('. */
static void print_container(GString *out, DBusMessageIter *iter, unsigned int flags, char open)
{
	DBusMessageIter sub;
	bool first = true;

	dbus_message_iter_recurse(iter, &sub);
	g_string_append_c(out, open);
	for (; dbus_message_iter_get_arg_type(&sub) != DBUS_TYPE_INVALID;
	     dbus_message_iter_next(&sub)) {
		if (!first)
			g_string_append(out, ", ");
		first = false;
		if (open == '{')
			print_entry(out, &sub, flags);
		else
			print_value(out, &sub, flags, false);
	}
	g_string_append_c(out, open == '{' ? '}' : open == '[' ? ']' : ')');
}

static void print_array(GString *out, DBusMessageIter *iter, unsigned int flags, bool top)
{
	bool json = flags & VEDBUS_CLI_PRINT_JSON;

	if (top && dbus_message_iter_get_element_count(iter) == 0) {
		g_string_append(out, json ? "null" : "invalid");
		return;
	}
	if (dbus_message_iter_get_element_type(iter) == DBUS_TYPE_DICT_ENTRY)
		print_container(out, iter, flags, '{');
	else
		print_container(out, iter, flags, '[');
}

static void print_value(GString *out, DBusMessageIter *iter, unsigned int flags, bool top)
{
	int type = dbus_message_iter_get_arg_type(iter);
	DBusMessageIter sub;

	switch (type) {
	case DBUS_TYPE_VARIANT:
		dbus_message_iter_recurse(iter, &sub);
		print_value(out, &sub, flags, top);
		break;
	case DBUS_TYPE_ARRAY:
		print_array(out, iter, flags, top);
		break;
	case DBUS_TYPE_STRUCT:
		print_container(out, iter, flags, flags & VEDBUS_CLI_PRINT_JSON ? '[' : '(');
		break;
	case DBUS_TYPE_INVALID:
		g_string_append(out, flags & VEDBUS_CLI_PRINT_JSON ? "null" : "(nothing)");
		break;
	default:
		print_basic(out, iter, type, flags, top);
		break;
	}
}

void vedbus_cli_print_iter(GString *out, DBusMessageIter *iter, unsigned int flags)
{
	print_value(out, iter, flags, true);
}

/* ------------------------------------------------------------------------------------------ */
/* Walking BusItem replies and signals                                                        */

/* Step into variants so @iter points at what they hold. */
static void unwrap(DBusMessageIter *iter)
{
	while (dbus_message_iter_get_arg_type(iter) == DBUS_TYPE_VARIANT) {
		DBusMessageIter sub;

		dbus_message_iter_recurse(iter, &sub);
		*iter = sub;
	}
}

/* @iter (unwrapped) is an array of dict entries with string keys; *ret is the first entry. */
static bool open_string_dict(DBusMessageIter *iter, DBusMessageIter *ret)
{
	DBusMessageIter it = *iter;
	char *sig;
	bool ok;

	unwrap(&it);
	sig = dbus_message_iter_get_signature(&it);
	ok = sig && g_str_has_prefix(sig, "a{s");
	dbus_free(sig);
	if (ok)
		dbus_message_iter_recurse(&it, ret);
	return ok;
}

bool vedbus_cli_iter_is_node(DBusMessageIter *iter)
{
	DBusMessageIter sub;

	return open_string_dict(iter, &sub);
}

/* The key of the dict entry at @entry; @ret_value is left at its value. */
static const char *entry_key(DBusMessageIter *entry, DBusMessageIter *ret_value)
{
	const char *key;

	dbus_message_iter_recurse(entry, ret_value);
	dbus_message_iter_get_basic(ret_value, &key);
	dbus_message_iter_next(ret_value);
	return key;
}

/* The Text entry: a string, or whatever it holds printed into @buf. */
static const char *read_text(DBusMessageIter *value, GString *buf)
{
	DBusMessageIter it = *value;
	const char *s;

	unwrap(&it);
	if (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_STRING) {
		dbus_message_iter_get_basic(&it, &s);
		return s;
	}
	g_string_truncate(buf, 0);
	vedbus_cli_print_iter(buf, &it, 0);
	return buf->str;
}

int vedbus_cli_walk_props(DBusMessageIter *iter, const char *path, vedbus_cli_item_fn fn,
			  void *userdata)
{
	DBusMessageIter entries, kv, value;
	const char *text = NULL;
	bool has_value = false;
	GString *buf;

	if (!open_string_dict(iter, &entries))
		return -EBADMSG;
	buf = g_string_new(NULL);
	for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&entries)) {
		const char *key = entry_key(&entries, &kv);

		if (!strcmp(key, "Value")) {
			value = kv;
			has_value = true;
		} else if (!strcmp(key, "Text")) {
			text = read_text(&kv, buf);
		}
	}
	if (has_value)
		fn(path, &value, text, userdata);
	g_string_free(buf, TRUE);
	return has_value;
}

int vedbus_cli_walk_items(DBusMessageIter *iter, vedbus_cli_item_fn fn, void *userdata)
{
	DBusMessageIter entries, props;

	if (!open_string_dict(iter, &entries))
		return -EBADMSG;
	for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&entries)) {
		const char *path = entry_key(&entries, &props);

		/* entries that are not a{sv} are skipped: a foreign service is not our problem */
		vedbus_cli_walk_props(&props, path, fn, userdata);
	}
	return 0;
}

int vedbus_cli_walk_node(DBusMessageIter *iter, const char *base, vedbus_cli_item_fn fn,
			 void *userdata)
{
	DBusMessageIter entries, value;

	if (!open_string_dict(iter, &entries))
		return -EBADMSG;
	for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&entries)) {
		char *path = vedbus_cli_join_path(base, entry_key(&entries, &value));

		fn(path, &value, NULL, userdata);
		g_free(path);
	}
	return 0;
}
