/* SPDX-License-Identifier: MIT */
/* follow.c - test helper: print what a libvedbus monitor sees, one line per callback */

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

#include "vedbus.h"

static void on_value(struct vedbus_monitor *mon, const char *service, const char *path,
		     const struct vedbus_value *v, void *data)
{
	char text[256];

	printf("F %s %s %s\n", service, path, vedbus_value_format(v, NULL, text, sizeof(text)));
	fflush(stdout);
}

static gboolean on_quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

/* follow TARGET PATH [PATH...]: until SIGTERM */
int main(int argc, char **argv)
{
	GMainLoop *loop = g_main_loop_new(NULL, FALSE);
	struct vedbus_monitor *mon;
	DBusConnection *conn;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: vedbus-follow TARGET PATH...\n");
		return 2;
	}
	if (vedbus_bus_open(NULL, &conn) < 0 || vedbus_monitor_new(conn, &mon) < 0)
		return 1;
	for (i = 2; i < argc; i++)
		if (vedbus_monitor_watch(mon, argv[1], argv[i], on_value, NULL) < 0)
			return 1;
	printf("READY\n");
	fflush(stdout);
	g_unix_signal_add(SIGTERM, on_quit, loop);
	g_main_loop_run(loop);
	vedbus_monitor_free(mon);
	vedbus_bus_close(conn);
	g_main_loop_unref(loop);
	return 0;
}
