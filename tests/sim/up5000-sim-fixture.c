/* SPDX-License-Identifier: MIT */
/* up5000-sim-fixture.c - bus, settings, BMS, simulator and driver for the UP5000 tests */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "up5000-sim-fixture.h"

/* Fast timings: a cycle every 0.2 s, settings read back every 0.4 s. */
static const char base_config[] = "[link]\n"
				  "fast_interval = 0.2\n"
				  "slow_interval = 0.4\n"
				  "response_timeout = 0.1\n"
				  "probe_timeout = 3\n";

static const char bms_spec[] =
	"service " UPFX_BMS "\n"
	"productname Test BMS\nproductid 0xB0FF\ndeviceinstance 512\nconnection Virtual\n"
	"/Dc/0/Voltage d 54.1 V 2\n/Dc/0/Current d 5 A 1\n/Soc d 80 % 0\n"
	"/Info/MaxChargeVoltage d 55.2 w V 2\n/Info/MaxChargeCurrent d 100 w A 1\n"
	"/Info/MaxDischargeCurrent d 200 w A 1\n/Info/BatteryLowVoltage d 46.4 V 2\n"
	"/System/MinCellVoltage d 3.380 V 3\n/System/MaxCellVoltage d 3.385 V 3\n";

static void write_file(const char *path, const char *a, const char *b)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(a, fp);
	fputs(b ? b : "", fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static void start_bms(struct upfx *f)
{
	char spec[600];
	const char *argv[] = { hx_bin("ve-virtual"), spec, NULL };

	snprintf(spec, sizeof(spec), "%s/bms.spec", hx_bus_dir(f->bus));
	write_file(spec, bms_spec, NULL);
	ck_assert_int_eq(hx_spawn(argv, NULL, HX_SPAWN_STDIN, &f->bms), 0);
	ck_assert_int_eq(hx_proc_wait_log(f->bms, "READY", UPFX_WAIT), 0);
}

void upfx_setup(struct upfx *f, unsigned int flags)
{
	char ini[600];
	const char *argv[] = { hx_bin("ve-settingsd"), "-f", ini, NULL };

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(hx_bus_start(&f->bus), 0);
	ck_assert_int_eq(hx_client_new(hx_bus_address(f->bus), &f->cl), 0);
	snprintf(ini, sizeof(ini), "%s/settings.ini", hx_bus_dir(f->bus));
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &f->settingsd), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, "com.victronenergy.settings", true, UPFX_WAIT), 0);
	if (flags & UPFX_WITH_BMS)
		start_bms(f);
	ck_assert_int_eq(up5000_sim_new(NULL, &f->sim), 0);
	ck_assert_int_eq(mbsim_start(f->sim), 0);
	snprintf(f->tty, sizeof(f->tty), "%s/ttyUP0", hx_bus_dir(f->bus));
	ck_assert_int_eq(symlink(mbsim_pty_path(f->sim), f->tty), 0);
	snprintf(f->conf, sizeof(f->conf), "%s/up5000.ini", hx_bus_dir(f->bus));
}

void upfx_teardown(struct upfx *f)
{
	f->drv = hx_proc_free(f->drv);
	f->bms = hx_proc_free(f->bms);
	f->settingsd = hx_proc_free(f->settingsd);
	f->cl = hx_client_free(f->cl);
	f->sim = mbsim_free(f->sim);
	f->bus = hx_bus_stop(f->bus);
}

void upfx_spawn(struct upfx *f, const char *config)
{
	const char *argv[] = { hx_bin("dbus-up5000-hybrid"), "-c", f->conf, f->tty, NULL };

	write_file(f->conf, base_config, config);
	ck_assert_int_eq(hx_spawn(argv, NULL, 0, &f->drv), 0);
}

void upfx_start(struct upfx *f, const char *config)
{
	upfx_spawn(f, config);
	ck_assert_int_eq(hx_wait_name(f->cl, UPFX_SOLAR, true, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_name(f->cl, UPFX_VEBUS, true, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f->cl, UPFX_SOLAR, "/Connected", 1, UPFX_WAIT), 0);
}

void upfx_bms(struct upfx *f, const char *line)
{
	ck_assert_ptr_nonnull(f->bms);
	ck_assert_int_eq(hx_proc_write(f->bms, line), 0);
}

void upfx_set(struct upfx *f, bool input, uint16_t addr, const uint16_t *words, size_t n)
{
	ck_assert_int_eq(mbsim_set(f->sim, UP5000_SIM_UNIT, input ? MBSIM_INPUT : MBSIM_HOLDING,
				   addr, words, n),
			 0);
}

uint16_t upfx_get_holding(struct upfx *f, uint16_t addr)
{
	uint16_t v = 0;

	ck_assert_int_eq(mbsim_get(f->sim, UP5000_SIM_UNIT, MBSIM_HOLDING, addr, &v, 1), 0);
	return v;
}

size_t upfx_n_writes(struct upfx *f, uint16_t addr)
{
	size_t n = 0, total = mbsim_n_writes(f->sim);
	struct mbsim_write w;

	for (size_t i = 0; i < total; i++)
		if (mbsim_write_get(f->sim, i, &w) == 0 && (!addr || w.addr == addr))
			n++;
	return n;
}

size_t upfx_write_addrs(struct upfx *f, size_t from, uint16_t *ret, size_t max)
{
	size_t n = 0, total = mbsim_n_writes(f->sim);
	struct mbsim_write w;

	for (size_t i = from; i < total && n < max; i++) {
		ck_assert_int_eq(mbsim_write_get(f->sim, i, &w), 0);
		ck_assert_int_eq(w.function, 0x10); /* settings go with FC 0x10 */
		ret[n++] = w.addr;
	}
	return n;
}

static bool cycles_reached(const struct hx_value *v, void *data)
{
	return v->type == VEDBUS_TYPE_INT && v->i >= *(int64_t *)data;
}

void upfx_wait_cycles(struct upfx *f, int n)
{
	struct hx_value v;
	int64_t target;

	ck_assert_int_eq(hx_get_value(f->cl, UPFX_SOLAR, "/Diagnostics/Cycles", &v), 0);
	target = v.i + n;
	ck_assert_int_eq(hx_wait_value(f->cl, UPFX_SOLAR, "/Diagnostics/Cycles", cycles_reached,
				       &target, UPFX_WAIT + n * 500),
			 0);
}

int upfx_set_double(struct upfx *f, const char *svc, const char *path, double v)
{
	struct vedbus_value val = vedbus_double(v);
	int code = -1;

	ck_assert_int_eq(hx_set_value(f->cl, svc, path, &val, &code), 0);
	return code;
}

int upfx_count_log(struct upfx *f, const char *text)
{
	const char *p = hx_proc_output(f->drv);
	int n = 0;

	while ((p = strstr(p, text))) {
		n++;
		p += strlen(text);
	}
	return n;
}
