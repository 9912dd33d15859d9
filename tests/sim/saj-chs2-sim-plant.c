/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-sim-plant.c - the SAJ CHS2 plant model behind saj-chs2-sim.h
 *
 * Addresses and encodings are written here from the devices doc part B on purpose, not taken
 * from the driver's table: a wrong address in the driver must show up as a failing test.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "saj-chs2-sim.h"

/* settings block (B.6) */
#define R_METER_SET 0x3630
#define R_PASSIVE   0x3636
#define R_GRID_CH   0x3637
#define R_GRID_DIS  0x3638
#define R_BAT_CH    0x3639
#define R_BAT_DIS   0x363A
#define R_APP_MODE  0x3647
/* realtime block (B.4) */
#define R_APP_RB     0x4022
#define R_METER_RB   0x4030
#define R_INV_PHASE  0x4046 /* + 5p: V, A, Hz, W, VA */
#define R_BAT_VOLT   0x4069
#define R_BAT_CURR   0x406A
#define R_BAT_POWER  0x406D
#define R_BAT_SOC    0x406F
#define R_PV1	     0x4071 /* + 3(n-1): V, A, W */
#define R_BAT_DIR    0x4096
#define R_GRID_DIR   0x4097
#define R_PV_TOTAL   0x40A5
#define R_BAT_TOTAL  0x40A6
#define R_SYS_GRID   0x40AD
#define R_E_PV_TODAY 0x40BF
#define R_E_PV	     0x40C5
#define R_E_BAT_CH   0x40CD
#define R_E_BAT_DIS  0x40D5
#define R_E_INV	     0x40DD
#define R_E_SELL     0x40F5 /* exported */
#define R_E_FEEDIN   0x40FD /* imported */
#define R_FAULT0     0x4005
/* battery block (B.5) */
#define R_BMS_DCL     0xA036
#define R_BMS_CCL     0xA037
#define R_METER_PHASE 0xA03D /* + 6p: V, A, W, VA, PF, Hz */

#define PV_STRING_V 600.0
#define AC_V	    230.0
#define SOC_MIN	    5.0

struct sajsim {
	struct sajsim_config cfg;
	struct mbsim *sim;
	GMutex lock; /* the fields below; taken inside mbsim's lock, never around mbsim calls */
	double pv, load, soc;
	double battery, grid, pv_used;
	double e_pv, e_pv_today, e_ch, e_dis, e_inv, e_sell, e_feedin; /* Wh */
	bool ct, curtailed;
	double ccl, dcl; /* A; NAN: leave the image alone */
	uint32_t faults[3];
	bool dirty; /* settings above to copy into the image */
	int app_mode, passive;
	int64_t last, last_keepalive;
	unsigned long expiries;
};

static int get(struct sajsim *s, uint16_t addr)
{
	uint16_t v = 0;

	mbsim_get(s->sim, s->cfg.unit, MBSIM_HOLDING, addr, &v, 1);
	return v;
}

static void put(struct sajsim *s, uint16_t addr, const uint16_t *v, size_t n)
{
	mbsim_set(s->sim, s->cfg.unit, MBSIM_HOLDING, addr, v, n);
}

static void put1(struct sajsim *s, uint16_t addr, double v)
{
	uint16_t w = (uint16_t)(int16_t)fmax(-32768, fmin(32767, round(v)));

	put(s, addr, &w, 1);
}

static void put_u32(struct sajsim *s, uint16_t addr, double v)
{
	uint32_t u = (uint32_t)fmax(0, round(v));
	uint16_t w[2] = { (uint16_t)(u >> 16), (uint16_t)u };

	put(s, addr, w, 2);
}

/* Settings the test changed, into the image (simulator thread, both locks held). */
static void apply_settings(struct sajsim *s)
{
	uint16_t meter = s->ct ? 2 : 0;

	if (!s->dirty)
		return;
	put(s, R_METER_SET, &meter, 1);
	if (!isnan(s->ccl))
		put1(s, R_BMS_CCL, s->ccl * 10);
	if (!isnan(s->dcl))
		put1(s, R_BMS_DCL, s->dcl * 10);
	for (int k = 0; k < 3; k++)
		put_u32(s, R_FAULT0 + 2 * k, s->faults[k]);
	s->dirty = false;
}

/* Passive charge: the request, bounded by PV plus (with a CT) allowed import. */
static double passive_power(struct sajsim *s, double ch_max, double dis_max)
{
	double r = s->cfg.rated / 1000.0;

	if (s->passive == 2)
		return fmin(fmin(get(s, R_BAT_CH) * r, ch_max),
			    s->pv + (s->ct ? get(s, R_GRID_CH) * r : 0));
	if (s->passive == 1)
		return -fmin(get(s, R_BAT_DIS) * r, dis_max);
	return 0;
}

static void balance(struct sajsim *s)
{
	double v = get(s, R_BAT_VOLT) / 10.0;
	double ch_max = s->soc >= 100 ? 0 : get(s, R_BMS_CCL) / 10.0 * v;
	double dis_max = s->soc <= SOC_MIN ? 0 : get(s, R_BMS_DCL) / 10.0 * v;
	double cap, over;

	if (s->app_mode == 3)
		s->battery = passive_power(s, ch_max, dis_max);
	else if (s->ct)
		s->battery = fmax(-dis_max, fmin(ch_max, s->pv - s->load));
	else
		s->battery = fmin(ch_max, s->pv);
	s->pv_used = s->pv;
	s->grid = s->load - (s->pv_used - s->battery);
	s->curtailed = false;
	cap = get(s, R_GRID_DIS) * s->cfg.rated / 1000.0;
	over = -cap - s->grid;
	if (s->ct && s->app_mode == 3 && over > 0) {
		s->pv_used = fmax(0, s->pv_used - over);
		s->grid = s->load - (s->pv_used - s->battery);
		s->curtailed = true;
	}
}

static void keepalive_check(struct sajsim *s, int64_t now)
{
	uint16_t zero = 0;

	if (s->cfg.keepalive_addr < 0 || s->app_mode != 3 ||
	    now - s->last_keepalive < (int64_t)s->cfg.keepalive_timeout_ms * 1000)
		return;
	put(s, R_APP_MODE, &zero, 1);
	put(s, R_PASSIVE, &zero, 1);
	s->app_mode = 0;
	s->passive = 0;
	s->expiries++;
}

static void integrate(struct sajsim *s, double dt)
{
	double h = dt / 3600.0;

	s->soc += s->battery * dt / 3600.0 / s->cfg.capacity_wh * 100 * s->cfg.soc_speed;
	s->soc = fmax(0, fmin(100, s->soc));
	s->e_pv += s->pv_used * h;
	s->e_pv_today += s->pv_used * h;
	s->e_ch += fmax(s->battery, 0) * h;
	s->e_dis += fmax(-s->battery, 0) * h;
	s->e_inv += fmax(s->pv_used - s->battery, 0) * h;
	s->e_sell += fmax(-s->grid, 0) * h;
	s->e_feedin += fmax(s->grid, 0) * h;
}

static int sign(double w)
{
	return w >= 1 ? 1 : (w <= -1 ? -1 : 0);
}

static void publish_phases(struct sajsim *s)
{
	double ac = s->pv_used - s->battery, g = s->ct ? s->grid : 0;

	for (int p = 0; p < 3; p++) {
		uint16_t inv[5] = { (uint16_t)(AC_V * 10), 0, 5000, 0, 0 };
		uint16_t met[6] = { (uint16_t)(AC_V * 10), 0, 0, 0, 1000, 5000 };

		inv[1] = (uint16_t)(int16_t)round(ac / 3 / AC_V * 100);
		inv[3] = (uint16_t)(int16_t)round(ac / 3);
		inv[4] = (uint16_t)round(fabs(ac) / 3);
		put(s, R_INV_PHASE + 5 * p, inv, 5);
		met[1] = (uint16_t)(int16_t)round(g / 3 / AC_V * 100);
		met[2] = (uint16_t)(int16_t)round(g / 3);
		met[3] = (uint16_t)round(fabs(g) / 3);
		if (!s->ct)
			memset(met, 0, sizeof(met));
		put(s, R_METER_PHASE + 6 * p, met, 6);
	}
}

static void publish_battery(struct sajsim *s)
{
	double raw = s->cfg.inverted_battery_sign ? s->battery : -s->battery; /* + discharge */
	double v = get(s, R_BAT_VOLT) / 10.0;
	uint16_t soc;

	put1(s, R_BAT_CURR, v > 0 ? raw / v * 100 : 0);
	put1(s, R_BAT_POWER, raw);
	put1(s, R_BAT_TOTAL, raw);
	soc = (uint16_t)round(s->soc * 100); /* U16 0.01 % */
	put(s, R_BAT_SOC, &soc, 1);
	put1(s, R_BAT_DIR, -sign(s->battery)); /* 1 discharging, -1 charging */
}

static void publish(struct sajsim *s)
{
	double used = s->pv_used;

	publish_phases(s);
	publish_battery(s);
	for (int n = 0; n < 2; n++) {
		uint16_t pv[3] = { (uint16_t)(PV_STRING_V * 10),
				   (uint16_t)round(used / 2 / PV_STRING_V * 100),
				   (uint16_t)round(used / 2) };
		put(s, R_PV1 + 3 * n, pv, 3);
	}
	put1(s, R_PV_TOTAL, used);
	put1(s, R_SYS_GRID, s->ct ? s->grid : 0);
	put1(s, R_GRID_DIR, s->ct ? -sign(s->grid) : 0); /* 1 export, -1 import */
	put1(s, R_APP_RB, s->app_mode);
	put1(s, R_METER_RB, get(s, R_METER_SET));
	put_u32(s, R_E_PV_TODAY, s->e_pv_today / 10);
	put_u32(s, R_E_PV, s->e_pv / 10);
	put_u32(s, R_E_BAT_CH, s->e_ch / 10);
	put_u32(s, R_E_BAT_DIS, s->e_dis / 10);
	put_u32(s, R_E_INV, s->e_inv / 10);
	put_u32(s, R_E_SELL, s->e_sell / 10);
	put_u32(s, R_E_FEEDIN, s->e_feedin / 10);
}

/* One step of the model at every read (simulator thread, mbsim's lock held). */
static void on_read(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
		    uint16_t count, void *userdata)
{
	struct sajsim *s = userdata;
	int64_t now = g_get_monotonic_time();

	g_mutex_lock(&s->lock);
	apply_settings(s);
	s->ct = get(s, R_METER_SET) != 0;
	s->app_mode = get(s, R_APP_MODE);
	s->passive = get(s, R_PASSIVE);
	keepalive_check(s, now);
	balance(s);
	integrate(s, (double)(now - s->last) / 1e6);
	s->last = now;
	publish(s);
	g_mutex_unlock(&s->lock);
}

static bool in_range(uint16_t addr, uint16_t n, uint16_t a)
{
	return a >= addr && a < addr + n;
}

/* Settings a real H2 refuses with exception 3 (illegal value). */
static int on_write(struct mbsim *sim, int unit, uint16_t addr, const uint16_t *v, uint16_t n,
		    void *userdata)
{
	struct sajsim *s = userdata;

	for (uint16_t i = 0; i < n; i++) {
		uint16_t a = addr + i;

		if (a == R_APP_MODE && v[i] > 3 && v[i] != 14)
			return 3;
		if (a == R_PASSIVE && v[i] > 2)
			return 3;
		if (a >= R_GRID_CH && a <= R_BAT_DIS && v[i] > 1100)
			return 3;
	}
	g_mutex_lock(&s->lock);
	if (s->cfg.keepalive_addr >= 0 && in_range(addr, n, (uint16_t)s->cfg.keepalive_addr))
		s->last_keepalive = g_get_monotonic_time();
	g_mutex_unlock(&s->lock);
	return 0;
}

static const struct mbsim_hooks hooks = { .read = on_read, .write = on_write };

/* ------------------------------------------------------------------------------------------ */
/* Life cycle and the test's knobs                                                            */

#define SETTER(body)                                                                               \
	do {                                                                                       \
		g_mutex_lock(&s->lock);                                                            \
		body;                                                                              \
		g_mutex_unlock(&s->lock);                                                          \
	} while (0)

static char *dirname_of(const char *path)
{
	return g_path_get_dirname(path);
}

const char *sajsim_default_profile(void)
{
	static const char rel[] = "tests/sim/profiles/saj-chs2.regs";
	static char path[4096];
	const char *env = getenv("SAJSIM_PROFILE");
	g_autofree char *dir = NULL;
	char exe[4096];
	ssize_t n;

	if (env && *env)
		return env;
	if (access(rel, R_OK) == 0)
		return rel;
	/* build/tests/sim/saj-chs2-sim, build/tests/integration/test-...: up three levels */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return rel;
	exe[n] = '\0';
	dir = dirname_of(exe);
	snprintf(path, sizeof(path), "%s/../../../%s", dir, rel);
	return path;
}

/* Counters start from the profile's values (0.01 kWh -> Wh). */
static double counter(struct sajsim *s, uint16_t addr)
{
	return ((double)get(s, addr) * 65536 + get(s, addr + 1)) * 10;
}

static void load_counters(struct sajsim *s)
{
	s->e_pv = counter(s, R_E_PV);
	s->e_pv_today = counter(s, R_E_PV_TODAY);
	s->e_ch = counter(s, R_E_BAT_CH);
	s->e_dis = counter(s, R_E_BAT_DIS);
	s->e_inv = counter(s, R_E_INV);
	s->e_sell = counter(s, R_E_SELL);
	s->e_feedin = counter(s, R_E_FEEDIN);
}

int sajsim_new(const struct sajsim_config *cfg, unsigned int port, struct sajsim **ret)
{
	struct sajsim *s = g_new0(struct sajsim, 1);
	const char *profile = cfg->profile ? cfg->profile : sajsim_default_profile();
	unsigned int line = 0;
	int r;

	s->cfg = *cfg;
	g_mutex_init(&s->lock);
	s->soc = 50;
	s->ct = cfg->ct;
	s->ccl = s->dcl = NAN;
	s->dirty = true;
	s->last = s->last_keepalive = g_get_monotonic_time();
	r = mbsim_new(MBSIM_TCP, NULL, port, &s->sim);
	if (r == 0) {
		r = mbsim_load_profile(s->sim, profile, &line);
		if (r < 0)
			fprintf(stderr, "sajsim: %s:%u: cannot load\n", profile, line);
	}
	if (r == 0) {
		load_counters(s);
		r = mbsim_set_hooks(s->sim, cfg->unit, &hooks, s);
	}
	if (r == 0)
		r = mbsim_start(s->sim);
	if (r < 0) {
		sajsim_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void sajsim_reset_energy(struct sajsim *s)
{
	SETTER(s->e_pv = s->e_pv_today = s->e_ch = s->e_dis = s->e_inv = s->e_sell = s->e_feedin =
		       0);
}

struct sajsim *sajsim_free(struct sajsim *s)
{
	if (!s)
		return NULL;
	s->sim = mbsim_free(s->sim); /* stops the thread: no hook after this */
	g_mutex_clear(&s->lock);
	g_free(s);
	return NULL;
}

struct mbsim *sajsim_mbsim(struct sajsim *s)
{
	return s->sim;
}

unsigned int sajsim_port(struct sajsim *s)
{
	return mbsim_port(s->sim);
}

void sajsim_set_pv(struct sajsim *s, double watts)
{
	SETTER(s->pv = fmax(0, watts));
}

void sajsim_set_load(struct sajsim *s, double watts)
{
	SETTER(s->load = fmax(0, watts));
}

void sajsim_set_soc(struct sajsim *s, double soc)
{
	SETTER(s->soc = fmax(0, fmin(100, soc)));
}

void sajsim_set_ct(struct sajsim *s, bool ct)
{
	SETTER(s->ct = ct; s->dirty = true);
}

void sajsim_set_bms_limits(struct sajsim *s, double charge_a, double discharge_a)
{
	SETTER(s->ccl = charge_a; s->dcl = discharge_a; s->dirty = true);
}

void sajsim_set_fault(struct sajsim *s, unsigned int word, uint32_t bits)
{
	if (word < 3)
		SETTER(s->faults[word] = bits; s->dirty = true);
}

void sajsim_state(struct sajsim *s, struct sajsim_state *ret)
{
	g_mutex_lock(&s->lock);
	*ret = (struct sajsim_state){
		.app_mode = s->app_mode,
		.passive = s->passive,
		.battery = s->battery,
		.grid = s->grid,
		.pv = s->pv,
		.pv_used = s->pv_used,
		.load = s->load,
		.soc = s->soc,
		.curtailed = s->curtailed,
		.keepalive_expiries = s->expiries,
	};
	g_mutex_unlock(&s->lock);
}

int sajsim_reg(struct sajsim *s, uint16_t addr)
{
	uint16_t v;

	if (mbsim_get(s->sim, s->cfg.unit, MBSIM_HOLDING, addr, &v, 1) < 0)
		return -1;
	return v;
}
