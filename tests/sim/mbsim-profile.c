/* SPDX-License-Identifier: MIT */
/* mbsim-profile.c - register images from text profiles (tests/sim/profiles/NAME.regs) */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "mbsim.h"

/* Cut the line at the first '#' outside a quoted string. */
static void strip_comment(char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '#' && !quoted)
			*s = '\0';
		if (!*s)
			break;
	}
}

/* Next token of *p: a word, or a "quoted string" (quotes kept); NULL at the end. */
static char *next_token(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	if (*s == '"') {
		s = strchr(s + 1, '"');
		if (!s)
			return NULL;
		s++;
	} else {
		while (*s && !strchr(" \t\r\n", *s))
			s++;
	}
	*p = *s ? s + 1 : s;
	*s = '\0';
	return start;
}

int mbsim_parse_num(const char *t, long lo, long hi, long *ret)
{
	char *end;
	long v;

	errno = 0;
	if (t[0] == '-')
		v = -strtol(t + 1, &end, strncasecmp(t + 1, "0x", 2) ? 10 : 16);
	else
		v = strtol(t, &end, strncasecmp(t, "0x", 2) ? 10 : 16);
	if (errno || end == t || *end || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_space(const char *t, enum mbsim_space *ret)
{
	if (!strcasecmp(t, "holding") || !strcasecmp(t, "h") || !strcasecmp(t, "hr"))
		*ret = MBSIM_HOLDING;
	else if (!strcasecmp(t, "input") || !strcasecmp(t, "i") || !strcasecmp(t, "ir"))
		*ret = MBSIM_INPUT;
	else
		return -EINVAL;
	return 0;
}

/* A value token: a number (negative ones as two's complement) or a packed string. */
static int add_value(GArray *vals, const char *t)
{
	size_t len;
	long v;

	if (t[0] != '"') {
		if (mbsim_parse_num(t, -32768, 65535, &v) < 0)
			return -EINVAL;
		g_array_append_val(vals, (uint16_t){ (uint16_t)v });
		return 0;
	}
	len = strlen(t) - 2; /* without the quotes */
	for (size_t i = 0; i < len; i += 2) {
		uint16_t w = (uint16_t)((uint8_t)t[1 + i] << 8);

		if (i + 1 < len)
			w |= (uint8_t)t[2 + i];
		g_array_append_val(vals, w);
	}
	return 0;
}

static int parse_line(struct mbsim *sim, char *line)
{
	char *p = line, *t_unit, *t_space, *t_addr, *t;
	enum mbsim_space space;
	long unit, addr;
	GArray *vals;
	int r = 0;

	strip_comment(line);
	t_unit = next_token(&p);
	if (!t_unit)
		return 0; /* blank or comment */
	t_space = next_token(&p);
	t_addr = next_token(&p);
	if (!t_space || !t_addr || mbsim_parse_num(t_unit, 0, 255, &unit) < 0 ||
	    parse_space(t_space, &space) < 0 || mbsim_parse_num(t_addr, 0, 65535, &addr) < 0)
		return -EINVAL;
	vals = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	while (r == 0 && (t = next_token(&p)))
		r = add_value(vals, t);
	if (r == 0 && (vals->len == 0 || addr + vals->len > 0x10000))
		r = -EINVAL;
	if (r == 0)
		r = mbsim_set(sim, (int)unit, space, (uint16_t)addr, (uint16_t *)vals->data,
			      vals->len);
	g_array_free(vals, TRUE);
	return r;
}

int mbsim_load_profile(struct mbsim *sim, const char *path, unsigned int *ret_line)
{
	FILE *f = fopen(path, "re");
	unsigned int no = 0;
	size_t cap = 0;
	char *line = NULL;
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && getline(&line, &cap, f) > 0) {
		no++;
		r = parse_line(sim, line);
	}
	free(line);
	fclose(f);
	if (r < 0 && ret_line)
		*ret_line = no;
	if (r == 0)
		mbsim_snapshot(sim);
	return r;
}
