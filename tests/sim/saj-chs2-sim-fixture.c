/* SPDX-License-Identifier: MIT */
/* saj-chs2-sim-fixture.c - private bus + settings + CHS2 simulator + dbus-saj-chs2, for tests */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "saj-chs2-sim-fixture.h"

static void write_ini(struct sajfix *f, const char *extra)
{
	g_autofree char *text = NULL;

	snprintf(f->state_dir, sizeof(f->state_dir), "%s/state", hx_bus_dir(f->bus));
	snprintf(f->ini, sizeof(f->ini), "%s/saj.ini", hx_bus_dir(f->bus));
	text = g_strdup_printf("[link]\nhost = 127.0.0.1\nport = %u\ninterval_ms = 100\n"
			       "energy_interval_ms = 300\nresponse_timeout_ms = 300\n"
			       "backoff_max_ms = 500\n"
			       "[control]\nstate_dir = %s\ngrid_time_constant = 0.2\n%s\n",
			       sajsim_port(f->sim), f->state_dir, extra ? extra : "");
	ck_assert(g_file_set_contents(f->ini, text, -1, NULL));
}

void sajfix_driver(struct sajfix *f)
{
	const char *argv[] = { hx_bin("dbus-saj-chs2"), "-c", f->ini, NULL };

	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &f->drv), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, SAJFIX_BAT, true, SAJFIX_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f->cl, SAJFIX_BAT, "/Connected", 1, SAJFIX_WAIT), 0);
}

void sajfix_start(struct sajfix *f, const struct sajsim_config *scfg, const char *extra)
{
	struct sajsim_config def = SAJSIM_CONFIG_DEFAULT;
	const char *sd[] = { hx_bin("ve-settingsd"), "-f", NULL, NULL };
	g_autofree char *file = NULL;

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(hx_bus_start(&f->bus), 0);
	ck_assert_int_eq(hx_client_new(hx_bus_address(f->bus), &f->cl), 0);
	file = g_strdup_printf("%s/settings.ini", hx_bus_dir(f->bus));
	sd[2] = file;
	ck_assert_int_eq(hx_spawn(sd, NULL, 0, &f->settingsd), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, "com.victronenergy.settings", true, SAJFIX_WAIT), 0);
	ck_assert_int_eq(sajsim_new(scfg ? scfg : &def, 0, &f->sim), 0);
	write_ini(f, extra);
	sajfix_driver(f);
}

int sajfix_run(struct sajfix *f, const char *arg)
{
	const char *argv[] = { hx_bin("dbus-saj-chs2"), "-c", f->ini, arg, NULL };
	struct hx_proc *p = NULL;
	int status = -1;

	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &p), 0);
	ck_assert_int_eq(hx_proc_wait_exit(p, 15000, &status), 0);
	hx_proc_free(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void sajfix_stop(struct sajfix *f)
{
	/* a clean exit on SIGTERM: no crash in the hand-back, no valgrind error (99) */
	if (f->drv)
		ck_assert_int_eq(hx_proc_stop(f->drv, SAJFIX_WAIT), 0);
	f->drv = hx_proc_free(f->drv);
	f->sim = sajsim_free(f->sim);
	f->settingsd = hx_proc_free(f->settingsd);
	f->cl = hx_client_free(f->cl);
	f->bus = hx_bus_stop(f->bus);
}

int sajfix_set(struct sajfix *f, const char *svc, const char *path, struct vedbus_value v)
{
	int code = -1;

	ck_assert_int_eq(hx_set_value(f->cl, svc, path, &v, &code), 0);
	return code;
}

double sajfix_get(struct sajfix *f, const char *svc, const char *path)
{
	struct hx_value v;

	ck_assert_int_eq(hx_get_value(f->cl, svc, path, &v), 0);
	return v.type == VEDBUS_TYPE_INVALID ? NAN : v.d;
}

/* The value written to @addr by log entry @w, or -1 when it does not touch @addr. */
static int value_at(const struct mbsim_write *w, uint16_t addr)
{
	if (w->exception || addr < w->addr || addr >= w->addr + w->n)
		return -1;
	return w->values[addr - w->addr];
}

size_t sajfix_written(struct sajfix *f, size_t from, uint16_t addr, int value)
{
	struct mbsim *m = sajsim_mbsim(f->sim);
	struct mbsim_write w;
	size_t n = 0;

	for (size_t i = from; i < mbsim_n_writes(m); i++) {
		int v;

		ck_assert_int_eq(mbsim_write_get(m, i, &w), 0);
		v = value_at(&w, addr);
		if (v >= 0 && (value < 0 || v == value))
			n++;
	}
	return n;
}

size_t sajfix_write_index(struct sajfix *f, size_t from, uint16_t addr)
{
	struct mbsim *m = sajsim_mbsim(f->sim);
	struct mbsim_write w;

	for (size_t i = from; i < mbsim_n_writes(m); i++) {
		ck_assert_int_eq(mbsim_write_get(m, i, &w), 0);
		if (value_at(&w, addr) >= 0)
			return i;
	}
	return SIZE_MAX;
}

bool sajfix_state_file(struct sajfix *f)
{
	g_autofree char *path = g_strdup_printf("%s/saj_127_0_0_1.state", f->state_dir);

	return access(path, F_OK) == 0;
}
