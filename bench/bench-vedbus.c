/* SPDX-License-Identifier: MIT */
/* bench-vedbus.c - figures for libvedbus: flush cost, GetValue round-trip, monitor CPU */

#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vedbus-private.h"

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static unsigned long n_msgs, n_bytes;

static void count_sink(DBusMessage *msg, void *data)
{
	char *buf;
	int len;

	n_msgs++;
	if (dbus_message_marshal(msg, &buf, &len)) {
		n_bytes += (unsigned long)len;
		dbus_free(buf);
	}
}

/* Publishing 1000 changed items in one flush: messages, bytes and CPU per flush. */
static int bench_flush(int n_items, int rounds)
{
	struct vedbus_service *svc;
	struct vedbus_item **items = calloc((size_t)n_items, sizeof(*items));
	char path[64];
	double t0;
	int i, r;

	if (vedbus_service_new_offline("com.victronenergy.bench.flush", &svc) < 0)
		return 1;
	vedbus_service_set_sink(svc, count_sink, NULL);
	for (i = 0; i < n_items; i++) {
		snprintf(path, sizeof(path), "/Group%d/Item%d", i / 50, i);
		vedbus_service_add(svc, path, VEDBUS_TYPE_DOUBLE, 0, &items[i]);
	}
	t0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n_items; i++)
			vedbus_item_set_double(items[i], r * 1000.0 + i + 0.5);
		vedbus_service_flush(svc);
	}
	printf("flush: %d changed items per flush: %.1f messages, %.0f bytes, %.3f ms CPU "
	       "(mean of %d flushes)\n",
	       n_items, (double)n_msgs / rounds, (double)n_bytes / rounds,
	       (now_s(CLOCK_PROCESS_CPUTIME_ID) - t0) * 1e3 / rounds, rounds);
	vedbus_service_free(svc);
	free(items);
	return 0;
}

/* A service with 50 items whose values change every 100 ms (roundtrip target, noise). */
static gboolean serve_tick(gpointer data)
{
	struct vedbus_service *svc = data;
	static int n;
	char path[64];
	int i;

	n++;
	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/Ac/L%d/Power%d", i % 3 + 1, i);
		vedbus_item_set_double(vedbus_service_item(svc, path), n + i * 0.1);
	}
	vedbus_service_flush(svc);
	return G_SOURCE_CONTINUE;
}

static gboolean quit_loop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

static int bench_serve(const char *name, int period_ms, int seconds)
{
	GMainLoop *loop = g_main_loop_new(NULL, FALSE);
	struct vedbus_service *svc;
	char path[64];
	int i;

	if (vedbus_service_new(NULL, name, &svc) < 0)
		return 1;
	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/Ac/L%d/Power%d", i % 3 + 1, i);
		vedbus_service_add(svc, path, VEDBUS_TYPE_DOUBLE, 0, NULL);
	}
	if (vedbus_service_register(svc) < 0)
		return 1;
	printf("READY\n");
	fflush(stdout);
	g_timeout_add((guint)period_ms, serve_tick, svc);
	g_unix_signal_add(SIGTERM, quit_loop, loop);
	if (seconds > 0)
		g_timeout_add_seconds((guint)seconds, quit_loop, loop);
	g_main_loop_run(loop);
	vedbus_service_free(svc);
	g_main_loop_unref(loop);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* GetValue round-trips, one at a time, from a plain libdbus client. */
static int bench_roundtrip(const char *name, const char *path, int n)
{
	double *lat = calloc((size_t)n, sizeof(*lat));
	DBusConnection *conn;
	DBusMessage *msg, *reply;
	double t0;
	int i;

	if (vedbus_bus_open(NULL, &conn) < 0)
		return 1;
	for (i = 0; i < n; i++) {
		msg = dbus_message_new_method_call(name, path, VEDBUS_IFACE_BUSITEM, "GetValue");
		t0 = now_s(CLOCK_MONOTONIC);
		reply = dbus_connection_send_with_reply_and_block(conn, msg, 5000, NULL);
		lat[i] = (now_s(CLOCK_MONOTONIC) - t0) * 1e3;
		dbus_message_unref(msg);
		if (!reply)
			return 1;
		dbus_message_unref(reply);
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("roundtrip: GetValue %s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d calls)\n",
	       path, lat[n / 2], lat[n * 99 / 100], lat[n - 1], n);
	vedbus_bus_close(conn);
	free(lat);
	return 0;
}

static unsigned long n_updates;

static void on_value(struct vedbus_monitor *mon, const char *service, const char *path,
		     const struct vedbus_value *v, void *data)
{
	n_updates++;
}

/*
 * Follow one path of one class for @seconds and report this process's CPU. With @broad it
 * also subscribes to every BusItem signal on the bus, as a driver without narrowed match rules
 * does, to show what the narrowing saves.
 */
static int bench_monitor(int seconds, bool broad)
{
	GMainLoop *loop = g_main_loop_new(NULL, FALSE);
	struct vedbus_monitor *mon;
	DBusConnection *conn;
	double c0;

	if (vedbus_bus_open(NULL, &conn) < 0 || vedbus_monitor_new(conn, &mon) < 0)
		return 1;
	vedbus_monitor_watch(mon, "com.victronenergy.battery", "/Soc", on_value, NULL);
	if (broad)
		dbus_bus_add_match(conn, "type='signal',interface='" VEDBUS_IFACE_BUSITEM "'", NULL);
	c0 = cpu_s();
	g_timeout_add_seconds((guint)seconds, quit_loop, loop);
	g_main_loop_run(loop);
	printf("monitor%s: %.2f ms CPU per second (%d s, %lu updates of the followed path)\n",
	       broad ? " (broad match rules)" : "", (cpu_s() - c0) * 1e3 / seconds, seconds,
	       n_updates);
	vedbus_monitor_free(mon);
	vedbus_bus_close(conn);
	g_main_loop_unref(loop);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-vedbus flush [ITEMS ROUNDS]\n"
			"       bench-vedbus serve NAME PERIOD_MS [SECONDS]\n"
			"       bench-vedbus roundtrip NAME PATH COUNT\n"
			"       bench-vedbus monitor SECONDS [--broad]\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "flush") == 0)
		return bench_flush(argc > 2 ? atoi(argv[2]) : 1000, argc > 3 ? atoi(argv[3]) : 200);
	if (argc >= 4 && strcmp(argv[1], "serve") == 0)
		return bench_serve(argv[2], atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 0);
	if (argc == 5 && strcmp(argv[1], "roundtrip") == 0)
		return bench_roundtrip(argv[2], argv[3], atoi(argv[4]));
	if (argc >= 3 && strcmp(argv[1], "monitor") == 0)
		return bench_monitor(atoi(argv[2]), argc > 3 && !strcmp(argv[3], "--broad"));
	usage();
	return 2;
}
