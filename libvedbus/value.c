/* SPDX-License-Identifier: MIT */
/* value.c - values: comparison, coercion, copies and text */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

bool vedbus_value_equal(const struct vedbus_value *a, const struct vedbus_value *b)
{
	if (a->type != b->type)
		return false;

	switch (a->type) {
	case VEDBUS_TYPE_INVALID:
		return true;
	case VEDBUS_TYPE_INT:
		return a->u.i == b->u.i;
	case VEDBUS_TYPE_DOUBLE:
		/* bitwise-equal NaNs count as equal so a NaN is not re-sent every cycle */
		return a->u.d == b->u.d || (isnan(a->u.d) && isnan(b->u.d));
	case VEDBUS_TYPE_STRING:
		return strcmp(a->u.s, b->u.s) == 0;
	}
	return false;
}

int vedbus_value_to_double(const struct vedbus_value *v, double *ret)
{
	if (!v)
		return -EINVAL;

	switch (v->type) {
	case VEDBUS_TYPE_INT:
		*ret = (double)v->u.i;
		return 0;
	case VEDBUS_TYPE_DOUBLE:
		*ret = v->u.d;
		return 0;
	case VEDBUS_TYPE_INVALID:
	case VEDBUS_TYPE_STRING:
		break;
	}
	return -EINVAL;
}

static int coerce_to_int(const struct vedbus_value *in, struct vedbus_value *ret)
{
	double d;

	if (in->type == VEDBUS_TYPE_INT) {
		*ret = *in;
		return 0;
	}
	if (in->type != VEDBUS_TYPE_DOUBLE)
		return -EINVAL;

	d = in->u.d;
	/* only integral doubles: 3.0 is 3, but 3.5 is not an enum value */
	if (!isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
		return -EINVAL;
	*ret = vedbus_int((int64_t)d);
	return 0;
}

int vedbus_value_coerce(const struct vedbus_value *in, enum vedbus_type type,
			struct vedbus_value *ret)
{
	double d;

	if (!in || !ret)
		return -EINVAL;
	if (in->type == VEDBUS_TYPE_INVALID) {
		*ret = *in;
		return 0;
	}

	switch (type) {
	case VEDBUS_TYPE_INT:
		return coerce_to_int(in, ret);
	case VEDBUS_TYPE_DOUBLE:
		if (vedbus_value_to_double(in, &d) < 0)
			return -EINVAL;
		*ret = vedbus_double(d);
		return 0;
	case VEDBUS_TYPE_STRING:
		if (in->type != VEDBUS_TYPE_STRING)
			return -EINVAL;
		*ret = *in;
		return 0;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return -EINVAL;
}

int value_copy(struct vedbus_value *dst, const struct vedbus_value *src)
{
	char *s;

	if (src->type != VEDBUS_TYPE_STRING) {
		*dst = *src;
		return 0;
	}
	s = strdup(src->u.s);
	if (!s)
		return -ENOMEM;
	*dst = vedbus_string(s);
	return 0;
}

void value_clear(struct vedbus_value *v)
{
	if (v->type == VEDBUS_TYPE_STRING)
		free((char *)v->u.s);
	*v = vedbus_invalid();
}

struct vedbus_value *value_dup(const struct vedbus_value *v)
{
	struct vedbus_value *d;

	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (value_copy(d, v) < 0) {
		free(d);
		return NULL;
	}
	return d;
}

struct vedbus_value *value_free(struct vedbus_value *v)
{
	if (v) {
		value_clear(v);
		free(v);
	}
	return NULL;
}

/* The shortest %g form that reads back as the same double. */
static void format_shortest(double d, char *buf, size_t len)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static const char *enum_text(const struct vedbus_enum *e, int64_t v)
{
	for (; e && e->text; e++)
		if (e->value == v)
			return e->text;
	return NULL;
}

static void format_number(const struct vedbus_value *v, const struct vedbus_format *fmt,
			  char *buf, size_t len)
{
	const char *unit = fmt && fmt->unit ? fmt->unit : "";
	char num[64];

	if (v->type == VEDBUS_TYPE_INT)
		snprintf(num, sizeof(num), "%" PRId64, v->u.i);
	else if (fmt && fmt->decimals >= 0)
		snprintf(num, sizeof(num), "%.*f", fmt->decimals, v->u.d);
	else
		format_shortest(v->u.d, num, sizeof(num));
	snprintf(buf, len, "%s%s", num, unit);
}

const char *vedbus_value_format(const struct vedbus_value *v, const struct vedbus_format *fmt,
				char *buf, size_t len)
{
	const char *text;

	if (!buf || len == 0)
		return buf;
	if (!v || v->type == VEDBUS_TYPE_INVALID) {
		snprintf(buf, len, "---");
		return buf;
	}
	if (fmt && fmt->text && fmt->text(v, buf, len, fmt->text_userdata) >= 0)
		return buf;

	switch (v->type) {
	case VEDBUS_TYPE_STRING:
		snprintf(buf, len, "%s", v->u.s);
		break;
	case VEDBUS_TYPE_INT:
		text = fmt ? enum_text(fmt->enums, v->u.i) : NULL;
		if (text) {
			snprintf(buf, len, "%s", text);
			break;
		}
		format_number(v, fmt, buf, len);
		break;
	case VEDBUS_TYPE_DOUBLE:
		format_number(v, fmt, buf, len);
		break;
	case VEDBUS_TYPE_INVALID:
		break;
	}
	return buf;
}
