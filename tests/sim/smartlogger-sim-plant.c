/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-sim-plant.c - the SmartLogger plant model on mbsim: PV, load, LUNA2000 in
 * self-consumption or forcible mode with its period running out, 40420 curtailment, meter
 *
 * Words are put into the images with the small helpers below, written for the simulator alone:
 * they share nothing with the driver's encoder.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "smartlogger-sim-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Words, high word first                                                                       */

void slsim_put16(struct slsim *s, int unit, uint16_t addr, int v)
{
	uint16_t w = (uint16_t)v;

	(void)mbsim_set(s->sim, unit, MBSIM_HOLDING, addr, &w, 1);
}

static void put32(struct slsim *s, int unit, uint16_t addr, double v)
{
	int64_t raw = (int64_t)llround(v);
	uint32_t u = (uint32_t)raw;
	uint16_t w[2] = { (uint16_t)(u >> 16), (uint16_t)u };

	(void)mbsim_set(s->sim, unit, MBSIM_HOLDING, addr, w, 2);
}

static void put64(struct slsim *s, int unit, uint16_t addr, double v)
{
	uint64_t u = (uint64_t)(int64_t)llround(v);
	uint16_t w[4] = { (uint16_t)(u >> 48), (uint16_t)(u >> 32), (uint16_t)(u >> 16),
			  (uint16_t)u };

	(void)mbsim_set(s->sim, unit, MBSIM_HOLDING, addr, w, 4);
}

int slsim_get16(struct slsim *s, int unit, uint16_t addr)
{
	uint16_t w = 0;

	(void)mbsim_get(s->sim, unit, MBSIM_HOLDING, addr, &w, 1);
	return w;
}

double slsim_getu32(struct slsim *s, int unit, uint16_t addr)
{
	uint16_t w[2] = { 0, 0 };

	(void)mbsim_get(s->sim, unit, MBSIM_HOLDING, addr, w, 2);
	return (double)((uint32_t)w[0] << 16 | w[1]);
}

double slsim_gets64(struct slsim *s, int unit, uint16_t addr)
{
	uint16_t w[4] = { 0 };
	uint64_t u = 0;

	(void)mbsim_get(s->sim, unit, MBSIM_HOLDING, addr, w, 4);
	for (int k = 0; k < 4; k++)
		u = u << 16 | w[k];
	return (double)(int64_t)u;
}

void slsim_put_string(struct slsim *s, int unit, uint16_t addr, const char *text, int regs)
{
	uint16_t w[32] = { 0 };
	size_t len = strlen(text);

	for (int k = 0; k < regs && k < 32; k++) {
		unsigned int hi = 2 * (size_t)k < len ? (unsigned char)text[2 * k] : 0;
		unsigned int lo = 2 * (size_t)k + 1 < len ? (unsigned char)text[2 * k + 1] : 0;

		w[k] = (uint16_t)(hi << 8 | lo);
	}
	(void)mbsim_set(s->sim, unit, MBSIM_HOLDING, addr, w, (size_t)regs);
}

/* ------------------------------------------------------------------------------------------ */
/* The model                                                                                    */

struct sunit *slsim_find(struct slsim *s, int unit)
{
	for (unsigned int k = 0; k < s->n; k++)
		if (s->units[k].id == unit)
			return &s->units[k];
	return NULL;
}

/* W the unit may charge (> 0) or discharge (< 0) at most, from its image and SOC. */
static double clamp_battery(struct slsim *s, struct sunit *u, double w)
{
	double maxc = fmin(slsim_getu32(s, u->id, 37046), slsim_getu32(s, u->id, 47075));
	double maxd = fmin(slsim_getu32(s, u->id, 37048), slsim_getu32(s, u->id, 47077));
	double cutoff = slsim_get16(s, u->id, 47082) / 10.0;

	if (w > 0)
		return u->soc >= 100 ? 0 : fmin(w, maxc);
	return u->soc <= cutoff ? 0 : fmax(w, -maxd);
}

static double forced_power(struct slsim *s, struct sunit *u)
{
	if (u->command == 1)
		return clamp_battery(s, u, slsim_getu32(s, u->id, 47247));
	return clamp_battery(s, u, -slsim_getu32(s, u->id, 47249));
}

/* Battery powers: forcible units as commanded, self-consumption units balance the meter. */
static void battery_powers(struct slsim *s, int64_t now)
{
	double others = 0;
	unsigned int n_self = 0;

	for (unsigned int k = 0; k < s->n; k++) {
		struct sunit *u = &s->units[k];

		u->bat_w = 0;
		if (u->command && now >= u->period_end)
			u->command = 0; /* the forcible period ran out: back to the working mode */
		if (!u->battery)
			continue;
		if (u->command)
			others += (u->bat_w = forced_power(s, u));
		else if (slsim_get16(s, u->id, 47086) == 2)
			n_self++;
	}
	for (unsigned int k = 0; k < s->n && n_self; k++) {
		struct sunit *u = &s->units[k];

		if (u->battery && !u->command && slsim_get16(s, u->id, 47086) == 2)
			u->bat_w = clamp_battery(s, u, (s->pv - s->load - others) / n_self);
	}
}

/* AC output of each inverter (PV minus battery charge), capped by 40420, and the meter. */
static void ac_powers(struct slsim *s)
{
	double cap = s->limit_w < s->ceiling_w ? s->limit_w / s->n : INFINITY, sum = 0;

	for (unsigned int k = 0; k < s->n; k++) {
		struct sunit *u = &s->units[k];

		u->pv_w = s->pv / s->n;
		u->ac_w = u->pv_w - u->bat_w;
		if (u->ac_w > cap) {
			u->pv_w -= u->ac_w - cap;
			u->ac_w = cap;
		}
		sum += u->ac_w;
	}
	s->grid_w = s->load - sum;
}

static void integrate(struct slsim *s, double dt)
{
	double h = dt / 3600;

	for (unsigned int k = 0; k < s->n; k++) {
		struct sunit *u = &s->units[k];
		double cap = slsim_getu32(s, u->id, 37758);

		u->e_yield += fmax(u->ac_w, 0) * h / 1000;
		u->e_day += fmax(u->ac_w, 0) * h / 1000;
		u->e_chg += fmax(u->bat_w, 0) * h / 1000;
		u->e_dis += fmax(-u->bat_w, 0) * h / 1000;
		if (u->battery && cap > 0)
			u->soc = fmin(
				100, fmax(0, u->soc + u->bat_w * h / cap * 100 * s->cfg.soc_speed));
	}
	s->e_import += fmax(s->grid_w, 0) * h / 1000;
	s->e_export += fmax(-s->grid_w, 0) * h / 1000;
}

void slsim_advance(struct slsim *s)
{
	int64_t now = g_get_monotonic_time();
	double dt = s->last ? (double)(now - s->last) / 1e6 : 0;

	s->last = now;
	integrate(s, dt); /* with the powers in force since the last step */
	battery_powers(s, now);
	ac_powers(s);
}

/* ------------------------------------------------------------------------------------------ */
/* Images                                                                                       */

void slsim_refresh_logger(struct slsim *s)
{
	double sum = 0;

	for (unsigned int k = 0; k < s->n; k++)
		sum += s->units[k].ac_w;
	put32(s, s->cfg.logger_unit, 40420, round(s->limit_w / 100));
	put32(s, s->cfg.logger_unit, 40525, sum);
	put32(s, s->cfg.logger_unit, 40697, round(s->ceiling_w / 100));
}

static void refresh_meter(struct slsim *s)
{
	int m = s->cfg.meter_unit;

	put32(s, m, 32278, s->grid_w);
	for (int p = 0; p < 3; p++) {
		double w = s->grid_w / 3, v = slsim_getu32(s, m, (uint16_t)(32260 + 2 * p)) / 100;

		put32(s, m, (uint16_t)(32335 + 2 * p), w);
		put32(s, m, (uint16_t)(32272 + 2 * p), v > 0 ? w / v * 10 : 0);
	}
	put64(s, m, 32349, s->e_export * 100);
	put64(s, m, 32357, s->e_import * 100);
	put64(s, m, 32341, (s->e_import + s->e_export) * 100);
	slsim_put16(s, m, 65534, s->meter_connected ? 0xB001 : 0xB000);
}

static void refresh_inverter(struct slsim *s, struct sunit *u)
{
	put32(s, u->id, 32064, u->pv_w);
	for (int p = 0; p < 3; p++) {
		double v = slsim_get16(s, u->id, (uint16_t)(32069 + p)) / 10.0;

		put32(s, u->id, (uint16_t)(32072 + 2 * p), v > 0 ? u->ac_w / 3 / v * 1000 : 0);
	}
	put32(s, u->id, 32080, u->ac_w);
	slsim_put16(s, u->id, 32089, u->pv_w > 0 || u->bat_w < 0 ? 0x0200 : 0xA000);
	put32(s, u->id, 32106, u->e_yield * 100);
	put32(s, u->id, 32114, u->e_day * 100);
}

static void refresh_battery(struct slsim *s, struct sunit *u)
{
	double volt = slsim_get16(s, u->id, 37763) / 10.0;

	put32(s, u->id, 37001, u->bat_w);
	put32(s, u->id, 37765, u->bat_w);
	slsim_put16(s, u->id, 37004, (int)lround(u->soc * 10));
	slsim_put16(s, u->id, 37760, (int)lround(u->soc * 10));
	slsim_put16(s, u->id, 37764, volt > 0 ? (int)lround(u->bat_w / volt * 10) : 0);
	put32(s, u->id, 37780, u->e_chg * 100);
	put32(s, u->id, 37782, u->e_dis * 100);
	slsim_put16(s, u->id, 37006, u->command ? 1 : (slsim_get16(s, u->id, 47086) == 2 ? 4 : 0));
	slsim_put16(s, u->id, 47100, u->command);
}

static void on_read(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
		    uint16_t count, void *userdata)
{
	struct slsim *s = userdata;
	struct sunit *u;

	g_mutex_lock(&s->lock);
	slsim_advance(s);
	u = slsim_find(s, unit);
	if (unit == s->cfg.logger_unit)
		slsim_refresh_logger(s);
	else if (unit == s->cfg.meter_unit)
		refresh_meter(s);
	else if (u)
		refresh_inverter(s, u);
	if (u && u->battery)
		refresh_battery(s, u);
	g_mutex_unlock(&s->lock);
}

static bool covers(uint16_t addr, uint16_t n, uint16_t reg)
{
	return reg >= addr && reg < addr + n;
}

/* 40420: applied only within [0, 40697] - the SmartLogger ignores larger values. */
static void write_limit(struct slsim *s, uint16_t addr, const uint16_t *v, uint16_t n)
{
	double w;

	if (addr != 40420 || n < 2)
		return;
	w = (double)(int32_t)((uint32_t)v[0] << 16 | v[1]) * 100;
	if (w >= 0 && w <= s->ceiling_w)
		s->limit_w = w;
}

/* 47100: a forcible command starts its period (47083 minutes) now; 0 stops it. */
static void write_command(struct slsim *s, struct sunit *u, uint16_t addr, const uint16_t *v,
			  uint16_t n)
{
	int period;

	if (!covers(addr, n, 47100))
		return;
	u->command = v[47100 - addr] <= 2 ? v[47100 - addr] : 0;
	period = covers(addr, n, 47083) ? v[47083 - addr] : slsim_get16(s, u->id, 47083);
	u->period_end = g_get_monotonic_time() + (int64_t)period * s->cfg.minute_ms * 1000;
}

static int on_write(struct mbsim *sim, int unit, uint16_t addr, const uint16_t *values, uint16_t n,
		    void *userdata)
{
	struct slsim *s = userdata;
	struct sunit *u;

	g_mutex_lock(&s->lock);
	slsim_advance(s);
	u = slsim_find(s, unit);
	if (unit == s->cfg.logger_unit)
		write_limit(s, addr, values, n);
	if (u && !u->battery && addr >= 47000 && addr < 48000) {
		g_mutex_unlock(&s->lock);
		return 0x02; /* no LUNA2000: no storage registers */
	}
	if (u && u->battery)
		write_command(s, u, addr, values, n);
	g_cond_broadcast(&s->changed);
	g_mutex_unlock(&s->lock);
	return 0;
}

const struct mbsim_hooks slsim_plant_hooks = { .read = on_read, .write = on_write };
