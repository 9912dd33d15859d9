/* SPDX-License-Identifier: MIT */
/* smartlogger-sim-fixture.c - bus, settings, simulator and driver for the integration tests */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <modbus.h>

#include "smartlogger-sim-fixture.h"

#define SETTINGS "com.victronenergy.settings"

void slf_start(struct slf *f, const struct slsim_config *sc)
{
	char file[600];
	const char *argv[] = { hx_bin("ve-settingsd"), "-f", file, NULL };

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(hx_bus_start(&f->bus), 0);
	ck_assert_int_eq(hx_client_new(hx_bus_address(f->bus), &f->cl), 0);
	snprintf(file, sizeof(file), "%s/settings.ini", hx_bus_dir(f->bus));
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &f->settings), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, SETTINGS, true, SLF_WAIT), 0);
	ck_assert_int_eq(slsim_new(sc, 0, &f->sim), 0);
}

/* The fixture's keys: fast polling, short timeouts, forcible period 1 "minute". */
static const char base_ini[] = "[link]\n"
			       "host = 127.0.0.1\n"
			       "port = %u\n"
			       "connect_delay = 0\n"
			       "request_spacing = 2\n"
			       "response_timeout = 200\n"
			       "poll_interval = 100\n"
			       "slow_interval = 300\n"
			       "[plant]\n"
			       "service_suffix = sl\n"
			       "%s\n"
			       "[control]\n"
			       "timeout = 2\n"
			       "keepalive_interval = 0.4\n"
			       "forcible_period = 1\n"
			       "retry_interval = 1\n"
			       "%s\n"
			       "[curtailment]\n"
			       "timeout = 1\n"
			       "%s\n";

/* @extra holds "plant: ...", "control: ..." and "curtailment: ..." lines: each goes into its
 * group, so no group appears twice in the file. */
static void group_lines(const char *extra, const char *group, GString *out)
{
	g_auto(GStrv) lines = g_strsplit(extra ? extra : "", "\n", -1);
	size_t glen = strlen(group);

	for (char **l = lines; *l; l++)
		if (strncmp(*l, group, glen) == 0 && (*l)[glen] == ':')
			g_string_append_printf(out, "%s\n", g_strstrip(*l + glen + 1));
}

static void write_ini(struct slf *f, const char *extra)
{
	g_autoptr(GString) plant = g_string_new(""), control = g_string_new(""),
			   curtail = g_string_new("");
	g_autofree char *text = NULL;

	group_lines(extra, "plant", plant);
	group_lines(extra, "control", control);
	group_lines(extra, "curtailment", curtail);
	if (!strstr(plant->str, "inverters ="))
		g_string_append(plant, "inverters = 1,2\nmeter_unit = 11\n");
	text = g_strdup_printf(base_ini, slsim_port(f->sim), plant->str, control->str,
			       curtail->str);
	snprintf(f->ini, sizeof(f->ini), "%s/sl.ini", hx_bus_dir(f->bus));
	ck_assert(g_file_set_contents(f->ini, text, -1, NULL));
}

void slf_driver(struct slf *f, const char *extra, const char *const *args)
{
	const char *argv[16] = { hx_bin("dbus-smartlogger-hybrid"), "-c", f->ini };
	size_t n = 3;

	write_ini(f, extra);
	for (; args && *args && n < G_N_ELEMENTS(argv) - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &f->drv), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, SLF_BATTERY, true, SLF_WAIT), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, SLF_PV, true, SLF_WAIT), 0);
	if (!extra || !strstr(extra, "meter_unit = -1"))
		ck_assert_int_eq(hx_wait_name(f->cl, SLF_GRID, true, SLF_WAIT), 0);
}

void slf_stop(struct slf *f)
{
	f->drv = hx_proc_free(f->drv);
	f->settings = hx_proc_free(f->settings);
	f->cl = hx_client_free(f->cl);
	f->sim = slsim_free(f->sim);
	f->bus = hx_bus_stop(f->bus);
}

size_t slf_n_writes(struct slf *f)
{
	return mbsim_n_writes(slsim_mbsim(f->sim));
}

long slf_value(struct slf *f, size_t i)
{
	struct mbsim_write w;

	if (mbsim_write_get(slsim_mbsim(f->sim), i, &w) < 0)
		return -1;
	return w.n == 2 ? (long)((uint32_t)w.values[0] << 16 | w.values[1]) : w.values[0];
}

static long find_write(struct slf *f, int unit, uint16_t addr, long value, size_t from)
{
	struct mbsim *sim = slsim_mbsim(f->sim);
	struct mbsim_write w;

	for (size_t i = from; mbsim_write_get(sim, i, &w) == 0; i++)
		if (w.unit == unit && w.addr == addr && (value < 0 || slf_value(f, i) == value))
			return (long)i;
	return -1;
}

long slf_wait_write(struct slf *f, int unit, uint16_t addr, long value, size_t from, int timeout_ms)
{
	int64_t deadline = hx_deadline(timeout_ms);
	struct mbsim *sim = slsim_mbsim(f->sim);
	long i;

	while ((i = find_write(f, unit, addr, value, from)) < 0) {
		int left = hx_remaining_ms(deadline);

		/* every request (the driver polls all the time) is a chance to look again */
		if (left == 0 ||
		    mbsim_wait_requests(sim, mbsim_n_requests(sim) + 1, (unsigned int)left) < 0) {
			fprintf(stderr, "slf_wait_write: unit %d %u = %ld not written\n", unit,
				addr, value);
			return -ETIMEDOUT;
		}
	}
	return i;
}

size_t slf_count_writes(struct slf *f, int unit, uint16_t addr, size_t from)
{
	struct mbsim *sim = slsim_mbsim(f->sim);
	struct mbsim_write w;
	size_t n = 0;

	for (size_t i = from; mbsim_write_get(sim, i, &w) == 0; i++)
		n += (unit < 0 || w.unit == unit) && (addr == 0 || w.addr == addr);
	return n;
}

int slf_set_int(struct slf *f, const char *svc, const char *path, int64_t v)
{
	struct vedbus_value val = vedbus_int(v);
	int code = -1;

	ck_assert_int_eq(hx_set_value(f->cl, svc, path, &val, &code), 0);
	return code;
}

int slf_set_double(struct slf *f, const char *svc, const char *path, double v)
{
	struct vedbus_value val = vedbus_double(v);
	int code = -1;

	ck_assert_int_eq(hx_set_value(f->cl, svc, path, &val, &code), 0);
	return code;
}

void slf_wait_requests(struct slf *f, unsigned long n)
{
	struct mbsim *sim = slsim_mbsim(f->sim);

	ck_assert_int_eq(mbsim_wait_requests(sim, mbsim_n_requests(sim) + n,
					     (unsigned int)hx_scale_ms(SLF_WAIT)),
			 0);
}

int slf_read(struct slf *f, int unit, uint16_t addr, int n, int32_t *ret)
{
	modbus_t *mb = modbus_new_tcp("127.0.0.1", (int)slsim_port(f->sim));
	uint16_t w[2] = { 0, 0 };
	int r = -EIO;

	if (!mb)
		return -EIO;
	if (modbus_connect(mb) == 0 && modbus_set_slave(mb, unit) == 0 &&
	    modbus_read_registers(mb, addr, n, w) == n) {
		*ret = n == 2 ? (int32_t)((uint32_t)w[0] << 16 | w[1]) : (int16_t)w[0];
		r = 0;
	}
	modbus_close(mb);
	modbus_free(mb);
	return r;
}
