// SPDX-License-Identifier: MIT
/* ve-virtual-spec.c - tokens, values and spec files of ve-virtual: one service per file */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "ve-virtual.h"

static void token_free(gpointer data)
{
	struct virt_token *t = data;

	g_free(t->text);
	g_free(t);
}

static void token_add(GPtrArray *tokens, char *text, bool quoted)
{
	struct virt_token *t = g_new0(struct virt_token, 1);

	t->text = text;
	t->quoted = quoted;
	g_ptr_array_add(tokens, t);
}

/* A "quoted" word at *p; *p ends after the closing quote. Return: the text or NULL. */
static char *read_quoted(const char **p)
{
	GString *s = g_string_new(NULL);
	const char *q = *p + 1;

	while (*q && *q != '"') {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		g_string_append_c(s, *q++);
	}
	if (*q != '"') {
		g_string_free(s, TRUE);
		return NULL;
	}
	*p = q + 1;
	return g_string_free(s, FALSE);
}

int virt_tokenize(const char *line, GPtrArray **ret)
{
	GPtrArray *tokens = g_ptr_array_new_with_free_func(token_free);
	const char *p = line, *start;
	char *text;

	while (*p && *p != '#') {
		if (g_ascii_isspace(*p)) {
			p++;
		} else if (*p == ';') {
			token_add(tokens, NULL, false);
			p++;
		} else if (*p == '"') {
			text = read_quoted(&p);
			if (!text) {
				g_ptr_array_unref(tokens);
				return -EINVAL;
			}
			token_add(tokens, text, true);
		} else {
			for (start = p; *p && !g_ascii_isspace(*p) && *p != ';'; p++)
				;
			token_add(tokens, g_strndup(start, (gsize)(p - start)), false);
		}
	}
	*ret = tokens;
	return 0;
}

int virt_parse_int(const char *s, int64_t *ret)
{
	bool neg = s[0] == '-';
	const char *digits = s + (s[0] == '-' || s[0] == '+');
	guint64 u;

	if (g_ascii_strncasecmp(digits, "0x", 2) == 0) {
		if (!g_ascii_string_to_unsigned(digits + 2, 16, 0, INT64_MAX, &u, NULL))
			return -EINVAL;
	} else if (!g_ascii_string_to_unsigned(digits, 10, 0, INT64_MAX, &u, NULL)) {
		return -EINVAL;
	}
	*ret = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

int virt_parse_value(enum vedbus_type type, const struct virt_token *tok, struct vedbus_value *ret)
{
	int64_t i;
	char *end;

	if (!tok->text)
		return -EINVAL;
	if (!tok->quoted && strcmp(tok->text, "invalid") == 0) {
		*ret = vedbus_invalid();
		return 0;
	}
	switch (type) {
	case VEDBUS_TYPE_INT:
		if (virt_parse_int(tok->text, &i) < 0)
			return -EINVAL;
		*ret = vedbus_int(i);
		return 0;
	case VEDBUS_TYPE_DOUBLE:
		*ret = vedbus_double(g_ascii_strtod(tok->text, &end));
		return tok->text[0] && !*end ? 0 : -EINVAL;
	case VEDBUS_TYPE_STRING:
		*ret = vedbus_string(tok->text);
		return 0;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return -EINVAL;
}

char *virt_value_text(const struct vedbus_value *v)
{
	char buf[64];

	switch (v->type) {
	case VEDBUS_TYPE_INT:
		return g_strdup_printf("%" PRId64, v->u.i);
	case VEDBUS_TYPE_DOUBLE:
		/* the shortest form that reads back exactly: 54.8, not 54.799999999999997 */
		return g_strdup(vedbus_value_format(v, NULL, buf, sizeof(buf)));
	case VEDBUS_TYPE_STRING:
		return g_strdup(v->u.s);
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return g_strdup("invalid");
}

static void path_free(gpointer data)
{
	struct virt_path *p = data;

	if (p->initial.type == VEDBUS_TYPE_STRING)
		g_free((char *)p->initial.u.s); /* owned, see struct virt_path */
	g_free(p->unit);
	g_free(p->path);
	g_free(p);
}

struct virt_spec *virt_spec_free(struct virt_spec *spec)
{
	if (!spec)
		return NULL;
	g_ptr_array_unref(spec->paths);
	g_free(spec->file);
	g_free(spec->service);
	g_free(spec->product_name);
	g_free(spec->custom_name);
	g_free(spec->serial);
	g_free(spec->connection);
	g_free(spec->hardware_version);
	g_free(spec);
	return NULL;
}

int virt_spec_class(const struct virt_spec *spec, char **ret_class, char **ret_suffix)
{
	static const char prefix[] = "com.victronenergy.";
	const char *cls, *dot;

	if (!g_str_has_prefix(spec->service, prefix))
		return -EINVAL;
	cls = spec->service + strlen(prefix);
	dot = strchr(cls, '.');
	if (!dot || dot == cls || !dot[1])
		return -EINVAL;
	*ret_class = g_strndup(cls, (gsize)(dot - cls));
	*ret_suffix = g_strdup(dot + 1);
	return 0;
}

/* Header lines: a keyword and its value. */
enum directive_kind {
	DIRECTIVE_STRING, /* the rest of the line, words joined by one space */
	DIRECTIVE_INT,	  /* one non-negative number */
};

static const struct directive {
	const char *name;
	enum directive_kind kind;
	size_t offset;
} directives[] = {
	{ "service", DIRECTIVE_STRING, offsetof(struct virt_spec, service) },
	{ "productname", DIRECTIVE_STRING, offsetof(struct virt_spec, product_name) },
	{ "customname", DIRECTIVE_STRING, offsetof(struct virt_spec, custom_name) },
	{ "serial", DIRECTIVE_STRING, offsetof(struct virt_spec, serial) },
	{ "connection", DIRECTIVE_STRING, offsetof(struct virt_spec, connection) },
	{ "hardwareversion", DIRECTIVE_STRING, offsetof(struct virt_spec, hardware_version) },
	{ "productid", DIRECTIVE_INT, offsetof(struct virt_spec, product_id) },
	{ "deviceinstance", DIRECTIVE_INT, offsetof(struct virt_spec, device_instance) },
	{ "firmwareversion", DIRECTIVE_INT, offsetof(struct virt_spec, firmware_version) },
};

static const char *parse_directive(const struct directive *d, GPtrArray *tokens,
				   struct virt_spec *spec)
{
	char *field = (char *)spec + d->offset;
	GString *s;
	int64_t i;

	if (tokens->len < 2)
		return "missing value";
	if (d->kind == DIRECTIVE_INT) {
		if (tokens->len != 2 ||
		    virt_parse_int(((struct virt_token *)tokens->pdata[1])->text, &i) < 0 ||
		    i < 0 || i > INT32_MAX)
			return "expected one non-negative number";
		*(int *)(void *)field = (int)i;
		return NULL;
	}
	s = g_string_new(NULL);
	for (unsigned int k = 1; k < tokens->len; k++)
		g_string_append_printf(s, "%s%s", k > 1 ? " " : "",
				       ((struct virt_token *)tokens->pdata[k])->text);
	g_free(*(char **)(void *)field);
	*(char **)(void *)field = g_string_free(s, FALSE);
	return NULL;
}

static bool path_valid(const char *path)
{
	bool empty = true;

	if (path[0] != '/')
		return false;
	for (const char *p = path + 1; *p; p++) {
		if (*p == '/' && empty)
			return false;
		if (*p != '/' && !g_ascii_isalnum(*p) && *p != '_')
			return false;
		empty = *p == '/';
	}
	return !empty;
}

static int parse_type(const char *s, enum vedbus_type *ret)
{
	static const struct {
		const char *name;
		enum vedbus_type type;
	} types[] = { { "i", VEDBUS_TYPE_INT },
		      { "d", VEDBUS_TYPE_DOUBLE },
		      { "s", VEDBUS_TYPE_STRING } };

	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		if (strcmp(s, types[i].name) == 0) {
			*ret = types[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

/* The optional tail of a path line: [w] [UNIT] [DECIMALS]. */
static const char *parse_path_tail(GPtrArray *tokens, struct virt_path *p)
{
	unsigned int k = 3;
	int64_t n;

	if (k < tokens->len && strcmp(((struct virt_token *)tokens->pdata[k])->text, "w") == 0) {
		p->writable = true;
		k++;
	}
	if (k < tokens->len &&
	    virt_parse_int(((struct virt_token *)tokens->pdata[k])->text, &n) < 0) {
		p->unit = g_strdup(((struct virt_token *)tokens->pdata[k])->text);
		k++;
	}
	if (k < tokens->len) {
		if (virt_parse_int(((struct virt_token *)tokens->pdata[k])->text, &n) < 0 ||
		    n < 0 || n > 9)
			return "decimals must be 0..9";
		p->fmt.decimals = (int)n;
		k++;
	}
	if (k < tokens->len)
		return "too many words (PATH TYPE INITIAL [w] [UNIT] [DECIMALS])";
	p->has_format = p->unit || p->fmt.decimals >= 0;
	p->fmt.unit = p->unit;
	return NULL;
}

static const char *parse_path_line(GPtrArray *tokens, struct virt_spec *spec)
{
	struct virt_token **t = (struct virt_token **)tokens->pdata;
	struct virt_path *p;
	struct vedbus_value v;
	const char *why = NULL;

	if (tokens->len < 3)
		return "expected PATH TYPE INITIAL [w] [UNIT] [DECIMALS]";
	if (!path_valid(t[0]->text))
		return "bad path";
	for (unsigned int i = 0; i < spec->paths->len; i++) {
		if (strcmp(((struct virt_path *)spec->paths->pdata[i])->path, t[0]->text) == 0)
			return "duplicate path";
	}
	p = g_new0(struct virt_path, 1);
	p->path = g_strdup(t[0]->text);
	p->fmt.decimals = -1;
	if (parse_type(t[1]->text, &p->type) < 0)
		why = "type must be i, d or s";
	else if (virt_parse_value(p->type, t[2], &v) < 0)
		why = "initial value does not fit the type";
	else
		why = parse_path_tail(tokens, p);
	if (why) {
		path_free(p);
		return why;
	}
	p->initial = v.type == VEDBUS_TYPE_STRING ? vedbus_string(g_strdup(v.u.s)) : v;
	g_ptr_array_add(spec->paths, p);
	return NULL;
}

static const char *parse_line(GPtrArray *tokens, struct virt_spec *spec)
{
	const char *word = ((struct virt_token *)tokens->pdata[0])->text;

	for (unsigned int i = 0; i < tokens->len; i++) {
		if (!((struct virt_token *)tokens->pdata[i])->text)
			return "';' is for stdin commands only";
	}
	if (word[0] == '/')
		return parse_path_line(tokens, spec);
	for (size_t i = 0; i < G_N_ELEMENTS(directives); i++) {
		if (strcmp(word, directives[i].name) == 0)
			return parse_directive(&directives[i], tokens, spec);
	}
	return "unknown keyword";
}

static struct virt_spec *spec_new(const char *file)
{
	struct virt_spec *spec = g_new0(struct virt_spec, 1);

	spec->file = g_strdup(file);
	spec->product_id = -1;
	spec->device_instance = -1;
	spec->firmware_version = -1;
	spec->paths = g_ptr_array_new_with_free_func(path_free);
	return spec;
}

/* Parse every line of @text into @spec. Return: NULL or what is wrong, at *ret_line (0: file). */
static const char *parse_text(const char *text, struct virt_spec *spec, unsigned int *ret_line)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GPtrArray *tokens;
	const char *why;

	for (unsigned int n = 0; lines[n]; n++) {
		*ret_line = n + 1;
		g_strchomp(lines[n]);
		if (virt_tokenize(lines[n], &tokens) < 0)
			return "unterminated quote";
		why = tokens->len ? parse_line(tokens, spec) : NULL;
		g_ptr_array_unref(tokens);
		if (why)
			return why;
	}
	*ret_line = 0;
	return spec->service ? NULL : "no 'service' line";
}

int virt_spec_load(const char *file, struct virt_spec **ret_spec, char **ret_error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	struct virt_spec *spec;
	unsigned int line;
	const char *why;

	if (!g_file_get_contents(file, &text, NULL, &err)) {
		*ret_error = g_strdup(err->message);
		return -ENOENT;
	}
	spec = spec_new(file);
	why = parse_text(text, spec, &line);
	if (why) {
		*ret_error = line ? g_strdup_printf("%s:%u: %s", file, line, why)
				  : g_strdup_printf("%s: %s", file, why);
		virt_spec_free(spec);
		return -EINVAL;
	}
	*ret_spec = spec;
	return 0;
}
