/* SPDX-License-Identifier: MIT */
/* bus.c - open private connections to the system, session or a given bus */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

/* As velib_python: the session bus when DBUS_SESSION_BUS_ADDRESS is set, else the system bus. */
static const char *default_spec(void)
{
	const char *s = getenv("DBUS_SESSION_BUS_ADDRESS");

	return s && *s ? "session" : "system";
}

static DBusConnection *open_spec(const char *spec, DBusError *err)
{
	DBusConnection *conn;

	if (strcmp(spec, "system") == 0)
		return dbus_bus_get_private(DBUS_BUS_SYSTEM, err);
	if (strcmp(spec, "session") == 0)
		return dbus_bus_get_private(DBUS_BUS_SESSION, err);

	conn = dbus_connection_open_private(spec, err);
	if (!conn)
		return NULL;
	if (!dbus_bus_register(conn, err)) {
		dbus_connection_close(conn);
		dbus_connection_unref(conn);
		return NULL;
	}
	return conn;
}

int vedbus_bus_open(const char *spec, DBusConnection **ret_conn)
{
	DBusConnection *conn;
	DBusError err;
	int r;

	if (!ret_conn)
		return -EINVAL;
	if (!spec || !*spec)
		spec = default_spec();
	if (strcmp(spec, "system") != 0 && strcmp(spec, "session") != 0 && !strchr(spec, ':'))
		return -EINVAL;
	/* drivers run a Modbus worker thread; make libdbus safe for that once */
	dbus_threads_init_default();

	dbus_error_init(&err);
	conn = open_spec(spec, &err);
	if (!conn) {
		r = dbus_error_has_name(&err, DBUS_ERROR_NO_MEMORY) ? -ENOMEM : -ECONNREFUSED;
		dbus_error_free(&err);
		return r;
	}
	dbus_connection_set_exit_on_disconnect(conn, FALSE);
	r = vedbus_glib_attach(conn, NULL);
	if (r < 0) {
		vedbus_bus_close(conn);
		return r;
	}
	*ret_conn = conn;
	return 0;
}

DBusConnection *vedbus_bus_close(DBusConnection *conn)
{
	if (!conn)
		return NULL;
	dbus_connection_flush(conn);
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	return NULL;
}
