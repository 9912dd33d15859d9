// SPDX-License-Identifier: MIT
/* ve-settingsd-value.c - setting values: types, conversions as localsettings does them, text */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "ve-settingsd-store.h"

static const struct {
	char c;
	enum vedbus_type type;
} type_chars[] = {
	{ 'i', VEDBUS_TYPE_INT },
	{ 'f', VEDBUS_TYPE_DOUBLE },
	{ 's', VEDBUS_TYPE_STRING },
};

int store_type_from_char(char c, enum vedbus_type *ret_type)
{
	for (size_t i = 0; i < G_N_ELEMENTS(type_chars); i++) {
		if (type_chars[i].c == c) {
			*ret_type = type_chars[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

char store_type_char(enum vedbus_type type)
{
	for (size_t i = 0; i < G_N_ELEMENTS(type_chars); i++) {
		if (type_chars[i].type == type)
			return type_chars[i].c;
	}
	return '?';
}

int store_parse_instance(const char *s, size_t *ret_class_len, int *ret_n)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	gint64 n;

	if (!colon || colon == s || strchr(colon + 1, ':'))
		return -EINVAL;
	if (!g_ascii_string_to_signed(colon + 1, 10, INT_MIN, INT_MAX, &n, NULL))
		return -EINVAL;
	*ret_class_len = (size_t)(colon - s);
	*ret_n = (int)n;
	return 0;
}

void store_value_clear(struct vedbus_value *v)
{
	/* store values own their strings (g_strdup) although the member is const */
	if (v->type == VEDBUS_TYPE_STRING)
		g_free((char *)v->u.s);
	*v = vedbus_invalid();
}

void store_value_move(struct vedbus_value *dst, struct vedbus_value *src)
{
	store_value_clear(dst);
	*dst = *src;
	*src = vedbus_invalid();
}

/* Python's str(float): shortest round trip, with ".0" on integral values. */
static char *double_text(double d)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE + 2];

	g_ascii_dtostr(buf, G_ASCII_DTOSTR_BUF_SIZE, d);
	if (strspn(buf, "-0123456789") == strlen(buf))
		strcat(buf, ".0");
	return g_strdup(buf);
}

char *store_value_text(const struct vedbus_value *v)
{
	switch (v->type) {
	case VEDBUS_TYPE_INT:
		return g_strdup_printf("%" PRId64, v->u.i);
	case VEDBUS_TYPE_DOUBLE:
		return double_text(v->u.d);
	case VEDBUS_TYPE_STRING:
		return g_strdup(v->u.s);
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return g_strdup("invalid");
}

static int parse_int(const char *text, int64_t *ret)
{
	g_autofree char *s = g_strstrip(g_strdup(text));
	gint64 i;

	if (!g_ascii_string_to_signed(s[0] == '+' ? s + 1 : s, 10, INT64_MIN, INT64_MAX, &i, NULL))
		return -EINVAL;
	*ret = i;
	return 0;
}

static int parse_double(const char *text, double *ret)
{
	g_autofree char *s = g_strstrip(g_strdup(text));
	char *end;

	*ret = g_ascii_strtod(s, &end);
	return s[0] && !*end ? 0 : -EINVAL;
}

static int convert_int(const struct vedbus_value *in, bool loose, struct vedbus_value *ret)
{
	double d = in->u.d;

	switch (in->type) {
	case VEDBUS_TYPE_INT:
		*ret = *in;
		return 0;
	case VEDBUS_TYPE_DOUBLE:
		if (!isfinite(d) || d < -9.2e18 || d > 9.2e18 || (!loose && d != trunc(d)))
			return -EINVAL;
		*ret = vedbus_int((int64_t)d);
		return 0;
	case VEDBUS_TYPE_STRING:
		ret->type = VEDBUS_TYPE_INT;
		return loose ? parse_int(in->u.s, &ret->u.i) : -EINVAL;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return -EINVAL;
}

static int convert_double(const struct vedbus_value *in, bool loose, struct vedbus_value *ret)
{
	switch (in->type) {
	case VEDBUS_TYPE_INT:
		*ret = vedbus_double((double)in->u.i);
		return 0;
	case VEDBUS_TYPE_DOUBLE:
		*ret = *in;
		return 0;
	case VEDBUS_TYPE_STRING:
		ret->type = VEDBUS_TYPE_DOUBLE;
		return loose ? parse_double(in->u.s, &ret->u.d) : -EINVAL;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return -EINVAL;
}

int store_convert(const struct vedbus_value *in, enum vedbus_type type, bool loose,
		  struct vedbus_value *ret)
{
	struct vedbus_value v = vedbus_invalid();
	int r = -EINVAL;

	switch (type) {
	case VEDBUS_TYPE_INT:
		r = convert_int(in, loose, &v);
		break;
	case VEDBUS_TYPE_DOUBLE:
		r = convert_double(in, loose, &v);
		break;
	case VEDBUS_TYPE_STRING:
		if (in->type == VEDBUS_TYPE_STRING || (loose && vedbus_value_is_valid(in))) {
			v = vedbus_string(store_value_text(in));
			r = 0;
		}
		break;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

struct vedbus_value store_value_dup(const struct vedbus_value *v)
{
	if (v->type == VEDBUS_TYPE_STRING)
		return vedbus_string(g_strdup(v->u.s));
	return *v;
}

bool store_value_equal(const struct vedbus_value *a, const struct vedbus_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VEDBUS_TYPE_INT:
		return a->u.i == b->u.i;
	case VEDBUS_TYPE_DOUBLE:
		return a->u.d == b->u.d;
	case VEDBUS_TYPE_STRING:
		return strcmp(a->u.s, b->u.s) == 0;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return true;
}

/* <0, 0, >0 as @a is below, at or above @b; both INT or both DOUBLE. */
int store_value_cmp(const struct vedbus_value *a, const struct vedbus_value *b)
{
	if (a->type == VEDBUS_TYPE_INT)
		return (a->u.i > b->u.i) - (a->u.i < b->u.i);
	return (a->u.d > b->u.d) - (a->u.d < b->u.d);
}
