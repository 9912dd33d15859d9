// SPDX-License-Identifier: MIT
/* ve-virtual-input.c - stdin commands of ve-virtual: "[SERVICE] PATH VALUE; ..." */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ve-virtual.h"

struct assignment {
	struct virt_service *vs;
	struct vedbus_item *item;
	struct vedbus_value value; /* a string is borrowed from the tokens or from @joined */
	char *joined;		   /* owned: a string value of several words */
};

static void assignment_free(gpointer data)
{
	struct assignment *a = data;

	g_free(a->joined);
	g_free(a);
}

static struct virt_service *find_service(struct virt *vt, const char *name)
{
	for (unsigned int i = 0; i < vt->services->len; i++) {
		struct virt_service *vs = vt->services->pdata[i];

		if (strcmp(vedbus_service_name(vs->svc), name) == 0)
			return vs;
	}
	return NULL;
}

/* The service named by the first word, or the only one. Return: NULL with *ret_why. */
static struct virt_service *pick_service(struct virt *vt, struct virt_token **t, unsigned int n,
					 unsigned int *ret_used, char **ret_why)
{
	struct virt_service *vs;

	*ret_used = 0;
	if (n > 0 && (t[0]->quoted || t[0]->text[0] != '/')) {
		vs = find_service(vt, t[0]->text);
		if (!vs)
			*ret_why = g_strdup_printf("unknown service '%s'", t[0]->text);
		*ret_used = 1;
		return vs;
	}
	if (vt->services->len == 1)
		return vt->services->pdata[0];
	*ret_why = g_strdup("several services: start with the service name");
	return NULL;
}

/* The value words @t[0..n) for @item; strings may be several words. */
static char *parse_assigned_value(struct assignment *a, struct virt_token **t, unsigned int n)
{
	enum vedbus_type type = vedbus_item_type(a->item);
	GString *s;

	if (n == 1)
		return virt_parse_value(type, t[0], &a->value) < 0
			       ? g_strdup_printf("bad value '%s'", t[0]->text)
			       : NULL;
	if (type != VEDBUS_TYPE_STRING)
		return g_strdup("one value expected");
	s = g_string_new(NULL);
	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", t[i]->text);
	a->joined = g_string_free(s, FALSE);
	a->value = vedbus_string(a->joined);
	return NULL;
}

/* One "[SERVICE] PATH VALUE" of @n tokens. Return: NULL, or what is wrong (g_free()). */
static char *parse_assignment(struct virt *vt, struct virt_token **t, unsigned int n,
			      struct assignment *a)
{
	char *why = NULL;
	unsigned int k;

	a->vs = pick_service(vt, t, n, &k, &why);
	if (!a->vs)
		return why;
	if (n < k + 2)
		return g_strdup("expected [SERVICE] PATH VALUE");
	a->item = vedbus_service_item(a->vs->svc, t[k]->text);
	if (!a->item)
		return g_strdup_printf("unknown path '%s'", t[k]->text);
	return parse_assigned_value(a, t + k + 1, n - k - 1);
}

/* Split @tokens at ';' into assignments. Return: NULL, or what is wrong (g_free()). */
static char *parse_line(struct virt *vt, GPtrArray *tokens, GPtrArray *assignments)
{
	struct virt_token **t = (struct virt_token **)tokens->pdata;
	unsigned int start = 0;
	struct assignment *a;
	char *why;

	for (unsigned int i = 0; i <= tokens->len; i++) {
		if (i < tokens->len && t[i]->text)
			continue;
		if (i > start) {
			a = g_new0(struct assignment, 1);
			g_ptr_array_add(assignments, a);
			why = parse_assignment(vt, t + start, i - start, a);
			if (why)
				return why;
		}
		start = i + 1;
	}
	return NULL;
}

static void apply(struct virt *vt, GPtrArray *assignments)
{
	for (unsigned int i = 0; i < assignments->len; i++) {
		struct assignment *a = assignments->pdata[i];

		vedbus_item_set(a->item, &a->value);
		a->vs->touched = true;
	}
	/* one flush per service: one ItemsChanged for the whole line */
	for (unsigned int i = 0; i < vt->services->len; i++) {
		struct virt_service *vs = vt->services->pdata[i];

		if (vs->touched)
			vedbus_service_flush(vs->svc);
		vs->touched = false;
	}
}

int virt_input_line(struct virt *vt, const char *line)
{
	g_autoptr(GPtrArray) assignments = g_ptr_array_new_with_free_func(assignment_free);
	g_autoptr(GPtrArray) tokens = NULL;
	g_autofree char *why = NULL;

	if (virt_tokenize(line, &tokens) < 0)
		why = g_strdup("unterminated quote");
	else
		why = parse_line(vt, tokens, assignments);
	if (why) {
		log_err("stdin: %s: %s", why, line);
		return -EINVAL;
	}
	apply(vt, assignments);
	return 0;
}

static gboolean on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	struct virt *vt = data;
	GIOStatus status;
	char *line;

	for (;;) {
		status = g_io_channel_read_line(ch, &line, NULL, NULL, NULL);
		if (status != G_IO_STATUS_NORMAL)
			break;
		g_strchomp(line);
		virt_input_line(vt, line);
		g_free(line);
	}
	if (status == G_IO_STATUS_AGAIN)
		return G_SOURCE_CONTINUE;
	/* EOF (or a read error): stop reading, keep serving until SIGTERM */
	log_debug("stdin closed");
	vt->stdin_watch = 0;
	return G_SOURCE_REMOVE;
}

void virt_input_watch(struct virt *vt)
{
	GIOChannel *ch = g_io_channel_unix_new(STDIN_FILENO);

	g_io_channel_set_encoding(ch, NULL, NULL);
	g_io_channel_set_flags(ch, G_IO_FLAG_NONBLOCK, NULL);
	vt->stdin_watch = g_io_add_watch(ch, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, vt);
	g_io_channel_unref(ch);
}
