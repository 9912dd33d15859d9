/* SPDX-License-Identifier: MIT */
/* mb-reg.c - decoding and encoding of register words, and the table lint */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mb-reg.h"

unsigned int mb_reg_width(const struct mb_reg *r)
{
	switch (r->type) {
	case MB_U16:
	case MB_S16:
	case MB_BITS16:
		return 1;
	case MB_U32:
	case MB_S32:
		return 2;
	case MB_U64:
	case MB_S64:
		return 4;
	case MB_STR:
		return r->len;
	}
	return 0;
}

double mb_reg_scale(const struct mb_reg *r)
{
	if (r->type == MB_BITS16 || r->scale == 0)
		return 1;
	return r->scale;
}

/* The words of an n-register integer as one unsigned value, honouring the word order. */
static uint64_t combine(const uint16_t *words, unsigned int n, enum mb_word_order order)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = order == MB_WORDS_LOW_FIRST ? n - 1 - i : i;

		v = v << 16 | words[k];
	}
	return v;
}

static double to_signed(uint64_t u, unsigned int bits)
{
	if (bits == 64)
		return (double)(int64_t)u;
	if (u & (UINT64_C(1) << (bits - 1)))
		return (double)((int64_t)u - ((int64_t)1 << bits));
	return (double)u;
}

static bool is_signed(enum mb_type t)
{
	return t == MB_S16 || t == MB_S32 || t == MB_S64;
}

static int decode_string(const struct mb_reg *r, const uint16_t *words, struct mb_val *ret)
{
	unsigned int n = r->len, all_marker = 1, len = 0;

	if (n < 1 || n > MB_STR_MAX_REGS)
		return -EINVAL;

	memset(ret, 0, sizeof(*ret));
	for (unsigned int i = 0; i < n; i++) {
		all_marker &= words[i] == (uint16_t)r->invalid;
		ret->str[2 * i] = (char)(words[i] >> 8);
		ret->str[2 * i + 1] = (char)(words[i] & 0xff);
	}
	if ((r->flags & MB_F_INVALID) && all_marker) {
		ret->kind = MB_VAL_INVALID;
		ret->str[0] = '\0';
		return 0;
	}
	while (len < 2 * n && ret->str[len] != '\0')
		len++;
	ret->str[len] = '\0';
	while (len > 0 && ret->str[len - 1] == ' ')
		ret->str[--len] = '\0';
	for (unsigned int i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ret->str[i];

		if (c < 0x20 || c > 0x7e)
			ret->str[i] = '?';
	}
	ret->kind = MB_VAL_STRING;
	return 0;
}

int mb_decode(const struct mb_reg *r, const uint16_t *words, enum mb_word_order order,
	      struct mb_val *ret)
{
	unsigned int width = mb_reg_width(r);
	uint64_t u;

	if (r->type == MB_STR)
		return decode_string(r, words, ret);
	if (width == 0)
		return -EINVAL;

	u = combine(words, width, order);
	memset(ret, 0, sizeof(*ret));
	if ((r->flags & MB_F_INVALID) && u == r->invalid) {
		ret->kind = MB_VAL_INVALID;
		return 0;
	}
	ret->raw = is_signed(r->type) ? to_signed(u, 16 * width) : (double)u;
	ret->value = ret->raw / mb_reg_scale(r);
	ret->kind = MB_VAL_NUMBER;
	return 0;
}

/* The raw range of a numeric type, as doubles (exact for every width but 64 bits). */
static void type_range(const struct mb_reg *r, double *lo, double *hi)
{
	unsigned int bits = 16 * mb_reg_width(r);

	if (is_signed(r->type)) {
		*lo = -ldexp(1, (int)bits - 1);
		*hi = ldexp(1, (int)bits - 1) - 1;
	} else {
		*lo = 0;
		*hi = ldexp(1, (int)bits) - 1;
	}
}

int mb_encode(const struct mb_reg *r, double value, enum mb_word_order order, uint16_t *ret_words)
{
	unsigned int width = mb_reg_width(r);
	double raw, lo, hi;
	uint64_t u;

	if (r->type == MB_STR || width == 0 || isnan(value))
		return -EINVAL;
	if (r->min < r->max && (value < r->min || value > r->max))
		return -ERANGE;

	raw = round(value * mb_reg_scale(r));
	if (r->type == MB_BITS16 && raw != value)
		return -EINVAL;
	type_range(r, &lo, &hi);
	if (raw < lo || raw > hi)
		return -ERANGE;

	u = raw < 0 ? (uint64_t)(int64_t)raw : (uint64_t)raw;
	for (unsigned int i = 0; i < width; i++) {
		unsigned int k = order == MB_WORDS_LOW_FIRST ? i : width - 1 - i;

		ret_words[k] = (uint16_t)(u >> (16 * i));
	}
	return 0;
}

int mb_table_find(const struct mb_reg *regs, size_t n_regs, enum mb_space space, uint16_t addr)
{
	for (size_t i = 0; i < n_regs; i++)
		if (regs[i].space == space && regs[i].addr == addr)
			return (int)i;
	return -ENOENT;
}

static int check_one(const struct mb_reg *r, char *err, size_t len)
{
	unsigned int width = mb_reg_width(r);

	if (width == 0 || width > MB_STR_MAX_REGS)
		snprintf(err, len, "0x%04x: bad type or string length", r->addr);
	else if ((unsigned long)r->addr + width > 0x10000)
		snprintf(err, len, "0x%04x: runs past address 0xffff", r->addr);
	else if (r->space != MB_HOLDING && r->space != MB_INPUT)
		snprintf(err, len, "0x%04x: bad register space", r->addr);
	else if (r->group >= MB_MAX_GROUPS)
		snprintf(err, len, "0x%04x: group %u >= %d", r->addr, r->group, MB_MAX_GROUPS);
	else if (r->scale < 0 || isnan(r->scale))
		snprintf(err, len, "0x%04x: negative scale", r->addr);
	else if (r->path && r->path[0] != '/')
		snprintf(err, len, "0x%04x: path \"%s\" does not start with '/'", r->addr, r->path);
	else
		return 0;
	return -EINVAL;
}

/* Ascending, non-overlapping addresses within r's space, looking back at earlier entries. */
static int check_order(const struct mb_reg *regs, size_t i, char *err, size_t len)
{
	const struct mb_reg *r = &regs[i];

	for (size_t j = i; j-- > 0;) {
		const struct mb_reg *p = &regs[j];

		if (p->space != r->space)
			continue;
		if ((unsigned long)p->addr + mb_reg_width(p) <= r->addr)
			return 0;
		snprintf(err, len, "0x%04x: %s 0x%04x", r->addr,
			 p->addr < r->addr ? "overlaps" : "not above", p->addr);
		return -EINVAL;
	}
	return 0;
}

static int check_path_unique(const struct mb_reg *regs, size_t i, char *err, size_t len)
{
	if (!regs[i].path)
		return 0;
	for (size_t j = 0; j < i; j++) {
		if (regs[j].path && strcmp(regs[j].path, regs[i].path) == 0) {
			snprintf(err, len, "0x%04x: path %s already used by 0x%04x", regs[i].addr,
				 regs[i].path, regs[j].addr);
			return -EINVAL;
		}
	}
	return 0;
}

int mb_table_check(const struct mb_reg *regs, size_t n_regs, char *err, size_t len)
{
	char dummy[1];
	int r;

	if (!err || len == 0) {
		err = dummy;
		len = sizeof(dummy);
	}
	err[0] = '\0';
	for (size_t i = 0; i < n_regs; i++) {
		r = check_one(&regs[i], err, len);
		if (r == 0)
			r = check_order(regs, i, err, len);
		if (r == 0)
			r = check_path_unique(regs, i, err, len);
		if (r < 0)
			return r;
	}
	return 0;
}
