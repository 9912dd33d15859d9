/* SPDX-License-Identifier: MIT */
/* service.c - a VE service on the bus: connection, name claim, change signals */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

/* com.victronenergy.<class>.<suffix>: D-Bus well-known name rules. */
bool vedbus_name_valid(const char *name)
{
	const char *p;
	bool elem_start = true;
	int n_dots = 0;

	if (!name || !*name || strlen(name) > 255 || name[0] == ':')
		return false;
	for (p = name; *p; p++) {
		if (*p == '.') {
			if (elem_start)
				return false;
			elem_start = true;
			n_dots++;
			continue;
		}
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return false;
		if (elem_start && g_ascii_isdigit(*p))
			return false;
		elem_start = false;
	}
	return n_dots > 0 && !elem_start;
}

static const DBusObjectPathVTable service_vtable = {
	.message_function = dispatch_message,
};

static int service_alloc(const char *name, struct vedbus_service **ret)
{
	struct vedbus_service *svc;

	if (!vedbus_name_valid(name))
		return -EINVAL;
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return -ENOMEM;
	svc->name = strdup(name);
	svc->readonly_code = VEDBUS_REPLY_READONLY;
	svc->reject_code = VEDBUS_REPLY_REJECTED;
	svc->sig_items = true;
	svc->sig_props = true;
	if (!svc->name || tree_init(svc) < 0) {
		vedbus_service_free(svc);
		return -ENOMEM;
	}
	*ret = svc;
	return 0;
}

int vedbus_service_new_offline(const char *name, struct vedbus_service **ret)
{
	return service_alloc(name, ret);
}

int vedbus_service_new(const char *bus, const char *name, struct vedbus_service **ret)
{
	struct vedbus_service *svc;
	int r;

	if (!ret)
		return -EINVAL;
	r = service_alloc(name, &svc);
	if (r < 0)
		return r;
	r = vedbus_bus_open(bus, &svc->conn);
	if (r < 0)
		goto err_free;
	if (!dbus_connection_register_fallback(svc->conn, "/", &service_vtable, svc)) {
		r = -ENOMEM;
		goto err_free;
	}
	/* a driver without its bus is useless: let the supervisor restart it */
	dbus_connection_set_exit_on_disconnect(svc->conn, TRUE);
	*ret = svc;
	return 0;

err_free:
	vedbus_service_free(svc);
	return r;
}

struct vedbus_service *vedbus_service_free(struct vedbus_service *svc)
{
	if (!svc)
		return NULL;
	svc->device = device_free(svc->device);
	if (svc->conn) {
		dbus_connection_unregister_object_path(svc->conn, "/");
		svc->conn = vedbus_bus_close(svc->conn);
	}
	tree_done(svc);
	free(svc->name);
	free(svc);
	return NULL;
}

int vedbus_service_register(struct vedbus_service *svc)
{
	DBusError err;
	int r;

	if (!svc || !svc->conn)
		return -EINVAL;
	dbus_error_init(&err);
	r = dbus_bus_request_name(svc->conn, svc->name, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
	if (dbus_error_is_set(&err)) {
		dbus_error_free(&err);
		return -EIO;
	}
	if (r != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER &&
	    r != DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER)
		return -EEXIST;
	/* consumers read the initial values with GetItems: nothing queued is news to them */
	vedbus_service_flush(svc);
	svc->registered = true;
	return 0;
}

const char *vedbus_service_name(const struct vedbus_service *svc)
{
	return svc ? svc->name : NULL;
}

DBusConnection *vedbus_service_connection(const struct vedbus_service *svc)
{
	return svc ? svc->conn : NULL;
}

void vedbus_service_set_reply_codes(struct vedbus_service *svc, int readonly_code,
				    int rejected_code)
{
	if (!svc)
		return;
	svc->readonly_code = readonly_code;
	svc->reject_code = rejected_code;
}

void vedbus_service_set_signals(struct vedbus_service *svc, bool items_changed,
				bool properties_changed)
{
	if (!svc)
		return;
	svc->sig_items = items_changed;
	svc->sig_props = properties_changed;
}

void vedbus_service_set_method_fn(struct vedbus_service *svc, vedbus_method_fn fn,
				  void *userdata)
{
	if (!svc)
		return;
	svc->method_fn = fn;
	svc->method_data = userdata;
}

void vedbus_service_set_sink(struct vedbus_service *svc, vedbus_sink_fn fn, void *userdata)
{
	svc->sink = fn;
	svc->sink_data = userdata;
}

static void service_emit(struct vedbus_service *svc, DBusMessage *msg)
{
	if (!msg)
		return;
	if (svc->sink)
		svc->sink(msg, svc->sink_data);
	else if (svc->conn)
		dbus_connection_send(svc->conn, msg, NULL);
	dbus_message_unref(msg);
}

int vedbus_service_flush(struct vedbus_service *svc)
{
	GPtrArray *queue;
	guint i;
	int n;

	if (!svc)
		return -EINVAL;
	queue = svc->queue;
	n = (int)queue->len;
	if (n == 0)
		return 0;
	/* before the name is claimed nobody listens; the first GetItems carries the values */
	if (svc->registered || svc->sink) {
		if (svc->sig_items)
			service_emit(svc, marshal_items_changed(queue));
		for (i = 0; svc->sig_props && i < queue->len; i++)
			service_emit(svc, marshal_properties_changed(g_ptr_array_index(queue, i)));
	}
	for (i = 0; i < queue->len; i++)
		((struct vedbus_item *)g_ptr_array_index(queue, i))->queued = false;
	g_ptr_array_set_size(queue, 0);
	return n;
}
