/* SPDX-License-Identifier: MIT */
/* glue.c - drive libdbus connections from a GLib main context (after BlueZ gdbus/mainloop.c) */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

struct glue {
	DBusConnection *conn; /* borrowed: the glue lives as long as the connection */
	GMainContext *ctx;
	GSource *dispatch; /* pending idle dispatch, or NULL */
};

struct watch {
	DBusWatch *watch;
	DBusConnection *conn;
	GSource *source;
};

struct timeout {
	DBusTimeout *timeout;
	GSource *source;
	GMainContext *ctx;
};

static dbus_int32_t glue_slot = -1;

static gboolean dispatch_idle(gpointer data)
{
	struct glue *g = data;

	dbus_connection_ref(g->conn);
	while (dbus_connection_dispatch(g->conn) == DBUS_DISPATCH_DATA_REMAINS)
		;
	g_source_unref(g->dispatch);
	g->dispatch = NULL;
	dbus_connection_unref(g->conn);
	return G_SOURCE_REMOVE;
}

static void queue_dispatch(struct glue *g)
{
	if (g->dispatch)
		return;
	g->dispatch = g_idle_source_new();
	g_source_set_callback(g->dispatch, dispatch_idle, g, NULL);
	g_source_attach(g->dispatch, g->ctx);
}

static void dispatch_status(DBusConnection *conn, DBusDispatchStatus status, void *data)
{
	if (status == DBUS_DISPATCH_DATA_REMAINS)
		queue_dispatch(data);
}

static gboolean watch_ready(GIOChannel *chan, GIOCondition cond, gpointer data)
{
	struct watch *w = data;
	unsigned int flags = 0;
	DBusConnection *conn;
	struct glue *g;

	if (cond & G_IO_IN)
		flags |= DBUS_WATCH_READABLE;
	if (cond & G_IO_OUT)
		flags |= DBUS_WATCH_WRITABLE;
	if (cond & G_IO_HUP)
		flags |= DBUS_WATCH_HANGUP;
	if (cond & G_IO_ERR)
		flags |= DBUS_WATCH_ERROR;
	conn = dbus_connection_ref(w->conn);
	/* on a hang-up libdbus removes the watch and frees @w inside this call */
	dbus_watch_handle(w->watch, flags);
	g = dbus_connection_get_data(conn, glue_slot);
	if (g && dbus_connection_get_dispatch_status(conn) == DBUS_DISPATCH_DATA_REMAINS)
		queue_dispatch(g);
	dbus_connection_unref(conn);
	return G_SOURCE_CONTINUE;
}

static void watch_stop(struct watch *w)
{
	if (!w->source)
		return;
	g_source_destroy(w->source);
	g_source_unref(w->source);
	w->source = NULL;
}

static void watch_start(struct watch *w, GMainContext *ctx)
{
	unsigned int flags = dbus_watch_get_flags(w->watch);
	GIOCondition cond = G_IO_HUP | G_IO_ERR;
	GIOChannel *chan;

	watch_stop(w);
	if (!dbus_watch_get_enabled(w->watch))
		return;
	if (flags & DBUS_WATCH_READABLE)
		cond |= G_IO_IN;
	if (flags & DBUS_WATCH_WRITABLE)
		cond |= G_IO_OUT;
	chan = g_io_channel_unix_new(dbus_watch_get_unix_fd(w->watch));
	w->source = g_io_create_watch(chan, cond);
	g_source_set_callback(w->source, (GSourceFunc)(void (*)(void))watch_ready, w, NULL);
	g_source_attach(w->source, ctx);
	g_io_channel_unref(chan);
}

static void watch_free(void *data)
{
	struct watch *w = data;

	watch_stop(w);
	free(w);
}

static dbus_bool_t add_watch(DBusWatch *watch, void *data)
{
	struct glue *g = data;
	struct watch *w;

	w = calloc(1, sizeof(*w));
	if (!w)
		return FALSE;
	w->watch = watch;
	w->conn = g->conn;
	dbus_watch_set_data(watch, w, watch_free);
	watch_start(w, g->ctx);
	return TRUE;
}

static void remove_watch(DBusWatch *watch, void *data)
{
	struct watch *w = dbus_watch_get_data(watch);

	if (w)
		watch_stop(w);
}

static void toggle_watch(DBusWatch *watch, void *data)
{
	struct glue *g = data;
	struct watch *w = dbus_watch_get_data(watch);

	if (w)
		watch_start(w, g->ctx);
}

static gboolean timeout_fired(gpointer data)
{
	struct timeout *t = data;

	dbus_timeout_handle(t->timeout);
	return G_SOURCE_CONTINUE;
}

static void timeout_stop(struct timeout *t)
{
	if (!t->source)
		return;
	g_source_destroy(t->source);
	g_source_unref(t->source);
	t->source = NULL;
}

static void timeout_start(struct timeout *t)
{
	timeout_stop(t);
	if (!dbus_timeout_get_enabled(t->timeout))
		return;
	t->source = g_timeout_source_new((guint)dbus_timeout_get_interval(t->timeout));
	g_source_set_callback(t->source, timeout_fired, t, NULL);
	g_source_attach(t->source, t->ctx);
}

static void timeout_free(void *data)
{
	struct timeout *t = data;

	timeout_stop(t);
	free(t);
}

static dbus_bool_t add_timeout(DBusTimeout *timeout, void *data)
{
	struct glue *g = data;
	struct timeout *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return FALSE;
	t->timeout = timeout;
	t->ctx = g->ctx;
	dbus_timeout_set_data(timeout, t, timeout_free);
	timeout_start(t);
	return TRUE;
}

static void remove_timeout(DBusTimeout *timeout, void *data)
{
	struct timeout *t = dbus_timeout_get_data(timeout);

	if (t)
		timeout_stop(t);
}

static void toggle_timeout(DBusTimeout *timeout, void *data)
{
	struct timeout *t = dbus_timeout_get_data(timeout);

	if (t)
		timeout_start(t);
}

static void wakeup_main(void *data)
{
	struct glue *g = data;

	g_main_context_wakeup(g->ctx);
}

static void glue_free(void *data)
{
	struct glue *g = data;

	if (g->dispatch) {
		g_source_destroy(g->dispatch);
		g_source_unref(g->dispatch);
	}
	g_main_context_unref(g->ctx);
	free(g);
}

int vedbus_glib_attach(DBusConnection *conn, GMainContext *ctx)
{
	struct glue *g;

	if (!conn)
		return -EINVAL;
	if (!dbus_connection_allocate_data_slot(&glue_slot))
		return -ENOMEM;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->conn = conn;
	g->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
	if (!dbus_connection_set_data(conn, glue_slot, g, glue_free)) {
		glue_free(g);
		return -ENOMEM;
	}
	if (!dbus_connection_set_watch_functions(conn, add_watch, remove_watch, toggle_watch, g,
						 NULL) ||
	    !dbus_connection_set_timeout_functions(conn, add_timeout, remove_timeout,
						   toggle_timeout, g, NULL))
		return -ENOMEM;
	dbus_connection_set_wakeup_main_function(conn, wakeup_main, g, NULL);
	dbus_connection_set_dispatch_status_function(conn, dispatch_status, g, NULL);
	if (dbus_connection_get_dispatch_status(conn) == DBUS_DISPATCH_DATA_REMAINS)
		queue_dispatch(g);
	return 0;
}
