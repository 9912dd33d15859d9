/* SPDX-License-Identifier: MIT */
/* client.c - a blocking test client: method calls, and every signal kept in arrival order */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness-internal.h"

#define MAX_POLL_PROCS 32

struct hx_client {
	DBusConnection *conn;
	struct hx_signal *head, *tail; /* the signal queue, oldest first */
	dbus_uint32_t awaited;	       /* serial of the call in flight, 0 for none */
	DBusMessage *reply;	       /* its reply once it arrived */
	bool disconnected;
};

static const char *const client_matches[] = {
	"type='signal',interface='" VEDBUS_IFACE_BUSITEM "'",
	"type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" DBUS_INTERFACE_DBUS
	"',member='NameOwnerChanged'",
};

int hx_client_new(const char *address, struct hx_client **ret)
{
	struct hx_client *c;
	DBusError err;
	size_t i;
	int r = -ECONNREFUSED;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	dbus_error_init(&err);
	c->conn = dbus_connection_open_private(address, &err);
	if (!c->conn)
		goto err_free;
	dbus_connection_set_exit_on_disconnect(c->conn, FALSE);
	if (!dbus_bus_register(c->conn, &err))
		goto err_free;
	r = -EIO;
	for (i = 0; i < HX_ARRAY_SIZE(client_matches); i++) {
		dbus_bus_add_match(c->conn, client_matches[i], &err);
		if (dbus_error_is_set(&err))
			goto err_free;
	}
	*ret = c;
	return 0;

err_free:
	fprintf(stderr, "hx_client_new: %s: %s\n", address, err.message ? err.message : "failed");
	dbus_error_free(&err);
	hx_client_free(c);
	return r;
}

struct hx_client *hx_client_free(struct hx_client *c)
{
	if (!c)
		return NULL;
	hx_clear_signals(c);
	if (c->reply)
		dbus_message_unref(c->reply);
	if (c->conn) {
		dbus_connection_close(c->conn);
		dbus_connection_unref(c->conn);
	}
	free(c);
	return NULL;
}

DBusConnection *hx_client_conn(struct hx_client *c)
{
	return c->conn;
}

const char *hx_client_name(struct hx_client *c)
{
	return dbus_bus_get_unique_name(c->conn);
}

static void client_queue(struct hx_client *c, DBusMessage *msg)
{
	struct hx_signal *s = malloc(sizeof(*s));

	if (!s) {
		fputs("hx: out of memory\n", stderr);
		abort();
	}
	s->next = NULL;
	s->msg = msg;
	if (c->tail)
		c->tail->next = s;
	else
		c->head = s;
	c->tail = s;
}

/* Someone called the test client: answer Ping, refuse the rest, so the caller never hangs. */
static void client_answer(struct hx_client *c, DBusMessage *call)
{
	DBusMessage *reply;

	if (dbus_message_get_no_reply(call))
		return;
	if (dbus_message_is_method_call(call, DBUS_INTERFACE_PEER, "Ping"))
		reply = dbus_message_new_method_return(call);
	else
		reply = dbus_message_new_error(call, DBUS_ERROR_UNKNOWN_METHOD,
					       "the test client has no methods");
	if (reply) {
		dbus_connection_send(c->conn, reply, NULL);
		dbus_message_unref(reply);
	}
}

static void client_handle(struct hx_client *c, DBusMessage *msg)
{
	switch (dbus_message_get_type(msg)) {
	case DBUS_MESSAGE_TYPE_SIGNAL:
		if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected")) {
			c->disconnected = true;
			break;
		}
		client_queue(c, msg);
		return;
	case DBUS_MESSAGE_TYPE_METHOD_RETURN:
	case DBUS_MESSAGE_TYPE_ERROR:
		if (c->awaited && !c->reply && dbus_message_get_reply_serial(msg) == c->awaited) {
			c->reply = msg;
			return;
		}
		break; /* the reply to a call that timed out */
	case DBUS_MESSAGE_TYPE_METHOD_CALL:
		client_answer(c, msg);
		break;
	default:
		break;
	}
	dbus_message_unref(msg);
}

int hx__client_pump(struct hx_client *c, int64_t deadline)
{
	struct pollfd fds[1 + MAX_POLL_PROCS];
	DBusMessage *msg;
	int fd, n, left;

	for (;;) {
		msg = dbus_connection_pop_message(c->conn);
		if (msg) {
			client_handle(c, msg);
			return 1;
		}
		if (c->disconnected || !dbus_connection_get_is_connected(c->conn) ||
		    !dbus_connection_get_unix_fd(c->conn, &fd))
			return -ECONNRESET;
		left = hx_remaining_ms(deadline);
		if (left == 0)
			return -ETIMEDOUT;
		/* Also wake for child output, so a chatty child never blocks on a full pipe. */
		fds[0] = (struct pollfd){.fd = fd, .events = POLLIN};
		n = 1 + hx__proc_pollfds(fds + 1, MAX_POLL_PROCS);
		if (poll(fds, (nfds_t)n, left) < 0 && errno != EINTR)
			return -errno;
		hx__proc_drain_all();
		dbus_connection_read_write(c->conn, 0);
	}
}

int hx_call_message(struct hx_client *c, DBusMessage *msg, int timeout_ms, DBusMessage **ret_reply)
{
	int64_t deadline = hx_deadline(timeout_ms);
	dbus_uint32_t serial;
	DBusMessage *reply;
	int r;

	if (ret_reply)
		*ret_reply = NULL;
	if (c->disconnected)
		return -ECONNRESET;
	if (!dbus_connection_send(c->conn, msg, &serial))
		return -ENOMEM;
	dbus_connection_flush(c->conn);
	c->awaited = serial;
	while (!c->reply) {
		r = hx__client_pump(c, deadline);
		if (r < 0) {
			c->awaited = 0;
			if (r == -ETIMEDOUT)
				fprintf(stderr, "hx_call: %s %s %s: no reply within %d ms\n",
					dbus_message_get_destination(msg),
					dbus_message_get_path(msg), dbus_message_get_member(msg),
					hx_scale_ms(timeout_ms));
			return r;
		}
	}
	reply = c->reply;
	c->reply = NULL;
	c->awaited = 0;
	r = dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR ? -EREMOTEIO : 0;
	if (ret_reply)
		*ret_reply = reply;
	else
		dbus_message_unref(reply);
	return r;
}

int hx_call(struct hx_client *c, const char *service, const char *path, const char *iface,
	    const char *member, DBusMessage **ret_reply, int first_arg_type, ...)
{
	DBusMessage *msg;
	va_list ap;
	bool ok;
	int r;

	if (ret_reply)
		*ret_reply = NULL;
	msg = dbus_message_new_method_call(service, path, iface, member);
	if (!msg)
		return -ENOMEM;
	va_start(ap, first_arg_type);
	ok = dbus_message_append_args_valist(msg, first_arg_type, ap);
	va_end(ap);
	r = ok ? hx_call_message(c, msg, HX_CALL_TIMEOUT_MS, ret_reply) : -ENOMEM;
	dbus_message_unref(msg);
	return r;
}

int hx_sync(struct hx_client *c, const char *service)
{
	return hx_call(c, service ? service : DBUS_SERVICE_DBUS, "/", DBUS_INTERFACE_PEER, "Ping",
		       NULL, DBUS_TYPE_INVALID);
}

static bool signal_matches(DBusMessage *msg, const char *member, const char *path)
{
	const char *m = dbus_message_get_member(msg);
	const char *p = dbus_message_get_path(msg);

	return (!member || (m && strcmp(m, member) == 0)) && (!path || (p && strcmp(p, path) == 0));
}

int hx_count_signals(struct hx_client *c, const char *member, const char *path)
{
	struct hx_signal *s;
	int n = 0;

	for (s = c->head; s; s = s->next)
		n += signal_matches(s->msg, member, path);
	return n;
}

DBusMessage *hx_pop_signal(struct hx_client *c, const char *member, const char *path)
{
	struct hx_signal **pp, *s, *prev = NULL;
	DBusMessage *msg;

	for (pp = &c->head; (s = *pp); prev = s, pp = &s->next) {
		if (!signal_matches(s->msg, member, path))
			continue;
		*pp = s->next;
		if (c->tail == s)
			c->tail = prev;
		msg = s->msg;
		free(s);
		return msg;
	}
	return NULL;
}

void hx_clear_signals(struct hx_client *c)
{
	struct hx_signal *s;

	while ((s = c->head)) {
		c->head = s->next;
		dbus_message_unref(s->msg);
		free(s);
	}
	c->tail = NULL;
}

int hx_wait_signal(struct hx_client *c, const char *member, const char *path, int timeout_ms,
		   DBusMessage **ret_msg)
{
	int64_t deadline = hx_deadline(timeout_ms);
	DBusMessage *msg;
	int r;

	if (ret_msg)
		*ret_msg = NULL;
	while (!(msg = hx_pop_signal(c, member, path))) {
		r = hx__client_pump(c, deadline);
		if (r < 0) {
			if (r == -ETIMEDOUT)
				fprintf(stderr, "hx_wait_signal: no %s on %s within %d ms\n",
					member ? member : "signal", path ? path : "any path",
					hx_scale_ms(timeout_ms));
			return r;
		}
	}
	if (ret_msg)
		*ret_msg = msg;
	else
		dbus_message_unref(msg);
	return 0;
}

struct hx_signal *hx__client_tail(struct hx_client *c)
{
	return c->tail;
}

DBusMessage *hx__client_next(struct hx_client *c, struct hx_signal **cursor)
{
	struct hx_signal *next = *cursor ? (*cursor)->next : c->head;

	if (!next)
		return NULL;
	*cursor = next;
	return next->msg;
}
