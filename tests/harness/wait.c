/* SPDX-License-Identifier: MIT */
/* wait.c - wait for names and values on the bus: read the state once, then follow signals */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness-internal.h"

/* One hx_wait_value() in progress. */
struct value_wait {
	const char *service;
	const char *path;
	hx_value_pred pred;
	void *data;
	char owner[256]; /* unique name owning @service, "" while nobody does */
	struct hx_value last;
	bool seen;
};

/* A NameOwnerChanged from the bus for @name; *ret_new_owner is "" when it went away. */
static bool is_owner_change(DBusMessage *msg, const char *name, const char **ret_new_owner)
{
	const char *changed, *old_owner;

	if (!dbus_message_is_signal(msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged") ||
	    !dbus_message_has_sender(msg, DBUS_SERVICE_DBUS))
		return false;
	if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &changed, DBUS_TYPE_STRING,
				   &old_owner, DBUS_TYPE_STRING, ret_new_owner, DBUS_TYPE_INVALID))
		return false;
	return strcmp(changed, name) == 0;
}

int hx_wait_name(struct hx_client *c, const char *name, bool present, int timeout_ms)
{
	int64_t deadline = hx_deadline(timeout_ms);
	struct hx_signal *cursor;
	dbus_bool_t has = FALSE;
	DBusMessage *reply, *msg;
	const char *new_owner;
	int r;

	r = hx_call(c, DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "NameHasOwner",
		    &reply, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID);
	if (r == 0 &&
	    !dbus_message_get_args(reply, NULL, DBUS_TYPE_BOOLEAN, &has, DBUS_TYPE_INVALID))
		r = -EPROTO;
	if (reply)
		dbus_message_unref(reply);
	if (r < 0 || (bool)has == present)
		return r;
	/* The bus sends its reply and its signals in order: nothing before the cursor matters. */
	cursor = hx__client_tail(c);
	for (;;) {
		while ((msg = hx__client_next(c, &cursor)))
			if (is_owner_change(msg, name, &new_owner) &&
			    (*new_owner != '\0') == present)
				return 0;
		r = hx__client_pump(c, deadline);
		if (r < 0) {
			fprintf(stderr, "hx_wait_name: %s still %s after %d ms\n", name,
				present ? "absent" : "present", hx_scale_ms(timeout_ms));
			return r;
		}
	}
}

static bool wait_check(struct value_wait *w, const struct hx_value *v)
{
	w->last = *v;
	w->seen = true;
	return w->pred(v, w->data);
}

/* The unique name owning the service into w->owner ("" when none). Return: 0 or -errno. */
static int wait_lookup_owner(struct hx_client *c, struct value_wait *w)
{
	const char *owner;
	DBusMessage *reply;
	int r;

	w->owner[0] = '\0';
	if (w->service[0] == ':') {
		snprintf(w->owner, sizeof(w->owner), "%s", w->service);
		return 0;
	}
	r = hx_call(c, DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetNameOwner",
		    &reply, DBUS_TYPE_STRING, &w->service, DBUS_TYPE_INVALID);
	if (r == 0 &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID))
		snprintf(w->owner, sizeof(w->owner), "%s", owner);
	if (reply)
		dbus_message_unref(reply);
	return r == -EREMOTEIO ? 0 : r; /* NameHasNoOwner: not yet */
}

/* GetValue from the owner. Return: 1 when the predicate holds, 0 when not (yet), -errno. */
static int wait_read(struct hx_client *c, struct value_wait *w)
{
	struct hx_value v;
	int r;

	if (!w->owner[0])
		return 0;
	r = hx_get_value(c, w->owner, w->path, &v);
	if (r == -EREMOTEIO || r == -EPROTO)
		return 0; /* no such object yet, or a node */
	if (r < 0)
		return r;
	return wait_check(w, &v);
}

/*
 * Follow the signals after @cursor. Return: 1 when the predicate holds, 0 when the service
 * changed owner (read it again), -ETIMEDOUT, -ECONNRESET.
 */
static int wait_follow(struct hx_client *c, struct value_wait *w, struct hx_signal *cursor,
		       int64_t deadline)
{
	const char *new_owner;
	struct hx_value v;
	DBusMessage *msg;
	int r;

	for (;;) {
		while ((msg = hx__client_next(c, &cursor))) {
			if (is_owner_change(msg, w->service, &new_owner))
				return 0;
			if (!w->owner[0] || !dbus_message_has_sender(msg, w->owner))
				continue;
			if (!dbus_message_is_signal(msg, VEDBUS_IFACE_BUSITEM,
						    "PropertiesChanged") &&
			    !dbus_message_is_signal(msg, VEDBUS_IFACE_BUSITEM, "ItemsChanged"))
				continue;
			if (hx_items_find(msg, w->path, &v, NULL, 0) == 0 && wait_check(w, &v))
				return 1;
		}
		r = hx__client_pump(c, deadline);
		if (r < 0)
			return r;
	}
}

static int wait_value(struct hx_client *c, const char *service, const char *path,
		      hx_value_pred pred, void *data, int timeout_ms, const char *expect)
{
	struct value_wait w = {.service = service, .path = path, .pred = pred, .data = data};
	int64_t deadline = hx_deadline(timeout_ms);
	struct hx_signal *cursor;
	char last[600];
	int r;

	do {
		/* Signals from here on are newer than what the lookup and GetValue will see. */
		cursor = hx__client_tail(c);
		r = wait_lookup_owner(c, &w);
		if (r == 0)
			r = wait_read(c, &w);
		if (r == 0)
			r = wait_follow(c, &w, cursor, deadline);
	} while (r == 0);
	if (r > 0)
		return 0;
	fprintf(stderr, "hx_wait_value: %s %s: %s%s not reached after %d ms; last value: %s\n",
		service, path, expect ? "expected " : "", expect ? expect : "predicate",
		hx_scale_ms(timeout_ms),
		w.seen ? hx_value_describe(&w.last, last, sizeof(last)) : "none");
	return r;
}

int hx_wait_value(struct hx_client *c, const char *service, const char *path, hx_value_pred pred,
		  void *data, int timeout_ms)
{
	return wait_value(c, service, path, pred, data, timeout_ms, NULL);
}

struct expect_double {
	double value;
	double tol;
};

static bool is_double(const struct hx_value *v, void *data)
{
	const struct expect_double *e = data;

	return (v->type == VEDBUS_TYPE_DOUBLE || v->type == VEDBUS_TYPE_INT) &&
	       fabs(v->d - e->value) <= e->tol;
}

int hx_wait_double(struct hx_client *c, const char *service, const char *path, double expect,
		   double tol, int timeout_ms)
{
	struct expect_double e = {.value = expect, .tol = tol};
	char desc[80];

	snprintf(desc, sizeof(desc), "%.17g +/- %g", expect, tol);
	return wait_value(c, service, path, is_double, &e, timeout_ms, desc);
}

static bool is_int(const struct hx_value *v, void *data)
{
	return v->type == VEDBUS_TYPE_INT && v->i == *(const int64_t *)data;
}

int hx_wait_int(struct hx_client *c, const char *service, const char *path, int64_t expect,
		int timeout_ms)
{
	char desc[40];

	snprintf(desc, sizeof(desc), "integer %" PRId64, expect);
	return wait_value(c, service, path, is_int, &expect, timeout_ms, desc);
}

static bool is_string(const struct hx_value *v, void *data)
{
	return v->type == VEDBUS_TYPE_STRING && strcmp(v->s, data) == 0;
}

int hx_wait_string(struct hx_client *c, const char *service, const char *path, const char *expect,
		   int timeout_ms)
{
	char desc[600];

	snprintf(desc, sizeof(desc), "\"%s\"", expect);
	return wait_value(c, service, path, is_string, (void *)expect, timeout_ms, desc);
}

static bool is_invalid(const struct hx_value *v, void *data)
{
	return v->type == VEDBUS_TYPE_INVALID;
}

int hx_wait_invalid(struct hx_client *c, const char *service, const char *path, int timeout_ms)
{
	return wait_value(c, service, path, is_invalid, NULL, timeout_ms, "invalid");
}
