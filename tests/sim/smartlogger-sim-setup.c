/* SPDX-License-Identifier: MIT */
/* smartlogger-sim-setup.c - the SmartLogger plant: images from the profile, start, controls */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smartlogger-sim-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Set-up                                                                                       */

#define TEMPLATE_INVERTER 1
#define TEMPLATE_METER	  11
#define IMAGE_START	  30000
#define IMAGE_WORDS	  (0x10000 - IMAGE_START)

const char *slsim_default_profile(void)
{
	static char path[4200];
	const char *env = getenv("SLSIM_PROFILE");
	char exe[4096], *dir;
	ssize_t n;

	if (env && *env)
		return env;
	if (access("tests/sim/profiles/smartlogger.regs", R_OK) == 0)
		return "tests/sim/profiles/smartlogger.regs";
	/* build/tests/sim/smartlogger-sim, build/tests/integration/test-...: up three levels */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "tests/sim/profiles/smartlogger.regs";
	exe[n] = '\0';
	dir = g_path_get_dirname(exe);
	snprintf(path, sizeof(path), "%s/../../../tests/sim/profiles/smartlogger.regs", dir);
	g_free(dir);
	return path;
}

static int check_config(const struct slsim_config *c)
{
	int last = c->first_unit + (int)c->n_inverters - 1;

	if (c->n_inverters < 1 || c->first_unit < 1 || last > MAX_UNITS ||
	    c->n_batteries > c->n_inverters || c->minute_ms == 0 || !(c->soc_speed > 0))
		return -EINVAL;
	if ((c->logger_unit >= c->first_unit && c->logger_unit <= last) ||
	    (c->meter_unit >= c->first_unit && c->meter_unit <= last) ||
	    c->meter_unit == c->logger_unit)
		return -EINVAL;
	return 0;
}

/* Copy the templates of the profile to every inverter and to the meter. */
static int clone_templates(struct slsim *s)
{
	uint16_t *inv = calloc(IMAGE_WORDS, sizeof(*inv)), *met = calloc(IMAGE_WORDS, sizeof(*met));
	char sn[32];
	int r = inv && met ? 0 : -ENOMEM;

	if (r == 0)
		r = mbsim_get(s->sim, TEMPLATE_INVERTER, MBSIM_HOLDING, IMAGE_START, inv,
			      IMAGE_WORDS);
	if (r == 0)
		r = mbsim_get(s->sim, TEMPLATE_METER, MBSIM_HOLDING, IMAGE_START, met, IMAGE_WORDS);
	for (unsigned int k = 0; r == 0 && k < s->n; k++) {
		r = mbsim_set(s->sim, s->units[k].id, MBSIM_HOLDING, IMAGE_START, inv, IMAGE_WORDS);
		snprintf(sn, sizeof(sn), "TA21900123%02d", s->units[k].id % 100);
		slsim_put_string(s, s->units[k].id, 30015, sn, 10);
		if (!s->units[k].battery)
			slsim_put16(s, s->units[k].id, 47000, 0);
	}
	if (r == 0 && s->cfg.meter_unit >= 0)
		r = mbsim_set(s->sim, s->cfg.meter_unit, MBSIM_HOLDING, IMAGE_START, met,
			      IMAGE_WORDS);
	free(inv);
	free(met);
	return r;
}

/* The model starts where the images are: SOC, energy counters, 10 kW per inverter. */
static void init_state(struct slsim *s)
{
	for (unsigned int k = 0; k < s->n; k++) {
		struct sunit *u = &s->units[k];

		u->soc = slsim_get16(s, u->id, 37760) / 10.0;
		u->e_yield = slsim_getu32(s, u->id, 32106) / 100;
		u->e_day = slsim_getu32(s, u->id, 32114) / 100;
		u->e_chg = slsim_getu32(s, u->id, 37780) / 100;
		u->e_dis = slsim_getu32(s, u->id, 37782) / 100;
	}
	if (s->cfg.meter_unit >= 0) {
		s->e_import = slsim_gets64(s, s->cfg.meter_unit, 32357) / 100;
		s->e_export = slsim_gets64(s, s->cfg.meter_unit, 32349) / 100;
	}
	s->ceiling_w = slsim_getu32(s, s->units[0].id, 30073) * s->n;
	s->limit_w = s->ceiling_w;
	s->meter_connected = true;
}

static int setup(struct slsim *s, unsigned int port)
{
	unsigned int line = 0;
	int r = mbsim_new(MBSIM_TCP, NULL, port, &s->sim);

	if (r == 0) {
		r = mbsim_load_profile(s->sim, s->cfg.profile, &line);
		if (r < 0)
			fprintf(stderr, "slsim: %s:%u: %s\n", s->cfg.profile, line, strerror(-r));
	}
	if (r == 0)
		r = clone_templates(s);
	if (r < 0)
		return r;
	init_state(s);
	g_mutex_lock(&s->lock);
	slsim_advance(s);
	slsim_refresh_logger(s);
	g_mutex_unlock(&s->lock);
	mbsim_snapshot(s->sim);
	r = mbsim_set_hooks(s->sim, -1, &slsim_plant_hooks, s);
	return r == 0 ? mbsim_start(s->sim) : r;
}

int slsim_new(const struct slsim_config *cfg, unsigned int port, struct slsim **ret)
{
	struct slsim *s;
	int r = check_config(cfg);

	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	g_mutex_init(&s->lock);
	g_cond_init(&s->changed);
	s->cfg = *cfg;
	s->cfg.profile = cfg->profile ? cfg->profile : slsim_default_profile();
	s->n = cfg->n_inverters;
	s->units = calloc(s->n, sizeof(*s->units));
	for (unsigned int k = 0; s->units && k < s->n; k++)
		s->units[k] = (struct sunit){ .id = cfg->first_unit + (int)k,
					      .battery = k < cfg->n_batteries };
	r = s->units ? setup(s, port) : -ENOMEM;
	if (r < 0) {
		slsim_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct slsim *slsim_free(struct slsim *s)
{
	if (!s)
		return NULL;
	s->sim = mbsim_free(s->sim); /* the thread stops: no hook runs after this */
	free(s->units);
	g_cond_clear(&s->changed);
	g_mutex_clear(&s->lock);
	free(s);
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Controls                                                                                     */

struct mbsim *slsim_mbsim(struct slsim *s)
{
	return s->sim;
}

unsigned int slsim_port(struct slsim *s)
{
	return mbsim_port(s->sim);
}

void slsim_set_pv(struct slsim *s, double watts)
{
	g_mutex_lock(&s->lock);
	s->pv = watts;
	g_mutex_unlock(&s->lock);
}

void slsim_set_load(struct slsim *s, double watts)
{
	g_mutex_lock(&s->lock);
	s->load = watts;
	g_mutex_unlock(&s->lock);
}

void slsim_set_meter_connected(struct slsim *s, bool connected)
{
	g_mutex_lock(&s->lock);
	s->meter_connected = connected;
	g_mutex_unlock(&s->lock);
}

int slsim_set_alarms(struct slsim *s, int unit, uint16_t a1, uint16_t a2, uint16_t a3)
{
	uint16_t w[3] = { a1, a2, a3 };

	return mbsim_set(s->sim, unit, MBSIM_HOLDING, 32008, w, 3);
}

int slsim_set_soc(struct slsim *s, int unit, double soc)
{
	struct sunit *u;

	g_mutex_lock(&s->lock);
	u = slsim_find(s, unit);
	if (u)
		u->soc = soc;
	g_mutex_unlock(&s->lock);
	return u ? 0 : -ENOENT;
}

int slsim_set_working_mode(struct slsim *s, int unit, int mode)
{
	uint16_t w = (uint16_t)mode;

	return mbsim_set(s->sim, unit, MBSIM_HOLDING, 47086, &w, 1);
}

int slsim_set_ceiling(struct slsim *s, double watts)
{
	g_mutex_lock(&s->lock);
	s->ceiling_w = watts;
	s->limit_w = fmin(s->limit_w, watts);
	g_mutex_unlock(&s->lock);
	return 0;
}

void slsim_set_limit(struct slsim *s, double watts)
{
	g_mutex_lock(&s->lock);
	s->limit_w = watts;
	g_mutex_unlock(&s->lock);
}

int slsim_unit_state(struct slsim *s, int unit, struct slsim_unit_state *ret)
{
	struct sunit *u;

	g_mutex_lock(&s->lock);
	u = slsim_find(s, unit);
	if (u)
		*ret = (struct slsim_unit_state){
			.command = u->command,
			.battery_w = u->bat_w,
			.soc = u->soc,
			.ac_w = u->ac_w,
			.working_mode = -1,
			.forcing = u->command && g_get_monotonic_time() < u->period_end,
		};
	g_mutex_unlock(&s->lock);
	if (u)
		ret->working_mode = slsim_get16(s, unit, 47086);
	return u ? 0 : -ENOENT;
}

double slsim_limit(struct slsim *s)
{
	double w;

	g_mutex_lock(&s->lock);
	w = s->limit_w;
	g_mutex_unlock(&s->lock);
	return w;
}

double slsim_grid(struct slsim *s)
{
	double w;

	g_mutex_lock(&s->lock);
	w = s->grid_w;
	g_mutex_unlock(&s->lock);
	return w;
}

int slsim_wait_period_end(struct slsim *s, int unit, unsigned int timeout_ms)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
	struct sunit *u;
	int r = 0;

	g_mutex_lock(&s->lock);
	u = slsim_find(s, unit);
	while (u && u->command && g_get_monotonic_time() < u->period_end) {
		int64_t until = MIN(u->period_end, deadline);

		if (g_get_monotonic_time() >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		/* the period's end is the event; a write (a new command) wakes us early */
		(void)g_cond_wait_until(&s->changed, &s->lock, until);
	}
	g_mutex_unlock(&s->lock);
	return u ? r : -ENOENT;
}
