/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-publish.c - one completed poll cycle to D-Bus: the meter (only while the
 * SmartLogger says it is connected), the SUN2000 and LUNA2000 totals over the units that
 * answered, per-unit paths and alarms
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "smartlogger.h"

/* Sums and means carry float noise (3 x 12.34 = 37.019999...): publish to 0.001. */
static void set_num(struct vedbus_service *svc, const char *path, double v)
{
	struct vedbus_value val =
		isfinite(v) ? vedbus_double(round(v * 1000) / 1000) : vedbus_invalid();

	(void)vedbus_service_set(svc, path, &val);
}

static void set_int(struct vedbus_service *svc, const char *path, int64_t i)
{
	struct vedbus_value val = vedbus_int(i);

	(void)vedbus_service_set(svc, path, &val);
}

static void set_str(struct vedbus_service *svc, const char *path, const char *s)
{
	struct vedbus_value val = s ? vedbus_string(s) : vedbus_invalid();

	(void)vedbus_service_set(svc, path, &val);
}

static double num(const struct sl_driver *drv, size_t table, uint16_t addr)
{
	double v;

	return mb_engine_number(drv->eng, table, addr, &v) == 0 ? v : NAN;
}

/* ------------------------------------------------------------------------------------------ */
/* grid                                                                                        */

static const struct sl_meter_map *meter_rule(uint16_t addr)
{
	for (size_t k = 0; k < sl_n_meter_rules; k++)
		if (sl_meter_rules[k].addr == addr)
			return &sl_meter_rules[k];
	return NULL;
}

/* A meter value in Venus' direction (+ import); NAN when unknown. */
static double meter_value(const struct sl_driver *drv, uint16_t addr)
{
	const struct sl_meter_map *m = meter_rule(addr);
	bool inv = drv->cfg.meter_inverted;
	double v = num(drv, drv->meter_table, addr), p;

	if (!m)
		return v;
	switch (m->rule) {
	case SL_METER_SIGNED:
		return inv ? -v : v;
	case SL_METER_CURRENT:
		p = meter_value(drv, m->other);
		return isnan(p) ? v : (p < 0 ? -fabs(v) : fabs(v));
	case SL_METER_FORWARD:
	case SL_METER_REVERSE:
		return inv ? num(drv, drv->meter_table, m->other) : v;
	case SL_METER_PLAIN:
		break;
	}
	return v;
}

/* 0 ok, 1 the SmartLogger says disconnected, 2 no answer (sl_meter_error_texts). */
static int meter_error(const struct sl_driver *drv)
{
	double st = num(drv, drv->meter_table, SL_METER_STATUS);

	if (isnan(num(drv, drv->meter_table, 32278)))
		return 2;
	if (isnan(st))
		return mb_engine_unsupported(drv->eng, drv->meter_table, SL_METER_STATUS) ? 0 : 2;
	return st == SL_METER_CONNECTED ? 0 : 1;
}

void sl_publish_grid(struct sl_driver *drv)
{
	int err;

	if (!drv->grid)
		return;
	err = meter_error(drv);
	for (size_t k = 0; k < sl_n_meter_regs; k++) {
		const struct mb_reg *reg = &sl_meter_regs[k];

		if (reg->path)
			set_num(drv->grid, reg->path, err ? NAN : meter_value(drv, reg->addr));
	}
	set_int(drv->grid, "/Connected", err == 0);
	set_int(drv->grid, "/ErrorCode", err);
	set_int(drv->grid, "/Alarms/GridMeterDisconnected", err ? 2 : 0);
	set_int(drv->grid, "/NrOfPhases", 3);
	if (err)
		log_change_at(&drv->meter_log, LOG_LEVEL_ERR, err, "grid meter (unit %d): %s",
			      drv->cfg.meter_unit,
			      err == 1 ? "disconnected (status 0xB000)" : "not answering");
	else
		log_change(&drv->meter_log, err, "grid meter (unit %d): connected",
			   drv->cfg.meter_unit);
}

/* ------------------------------------------------------------------------------------------ */
/* pvinverter                                                                                  */

static bool get_pv(void *ctx, size_t u, uint16_t addr, double *ret)
{
	const struct sl_driver *drv = ctx;

	*ret = num(drv, drv->units[u].pv_table, addr);
	return !isnan(*ret);
}

static bool get_bat(void *ctx, size_t u, uint16_t addr, double *ret)
{
	const struct sl_driver *drv = ctx;

	*ret = drv->units[u].has_battery ? num(drv, drv->units[u].bat_table, addr) : NAN;
	return !isnan(*ret);
}

static void publish_aggs(struct sl_driver *drv, struct vedbus_service *svc, struct sl_agg_state *st,
			 const bool *online, sl_get_fn get)
{
	size_t next;

	for (size_t i = 0; i < st->n_aggs; i = next)
		set_num(svc, st->aggs[i].path, sl_agg_eval(st, i, &next, online, get, drv));
}

/* Per-phase power: each inverter's total split by V x I (sl_phase_split()). */
static void publish_phases(struct sl_driver *drv, const bool *online)
{
	static const char *const paths[3] = { "/Ac/L1/Power", "/Ac/L2/Power", "/Ac/L3/Power" };
	double sum[3] = { 0, 0, 0 };
	bool any = false, three = false;

	for (size_t u = 0; u < drv->n_units; u++) {
		size_t t = drv->units[u].pv_table;
		struct sl_phase_in in = { .power = num(drv, t, SL_INV_POWER) };
		double p[3];

		if (!online[u])
			continue;
		for (int k = 0; k < 3; k++) {
			in.v[k] = num(drv, t, (uint16_t)(SL_INV_VOLT_A + k));
			in.i[k] = num(drv, t, (uint16_t)(SL_INV_CUR_A + 2 * k));
		}
		three |= in.v[1] > 0 || in.v[2] > 0;
		sl_phase_split(&in, p);
		for (int k = 0; k < 3 && !isnan(p[0]); k++)
			sum[k] += p[k];
		any |= !isnan(p[0]);
	}
	for (int k = 0; k < 3; k++)
		set_num(drv->pv, paths[k], any ? sum[k] : NAN);
	set_int(drv->pv, "/Ac/NumberOfPhases", three ? 3 : 1);
}

/* Alarm bits of one inverter: per-unit texts, one log line per change. */
static int unit_alarms(struct sl_driver *drv, struct sl_unit *u)
{
	char path[96], text[LOG_LINE_MAX / 2];
	uint16_t w[3];
	int level;

	for (int k = 0; k < 3; k++) {
		double v = num(drv, u->pv_table, (uint16_t)(SL_INV_ALARM1 + k));

		w[k] = isnan(v) ? 0 : (uint16_t)v;
	}
	level = sl_alarm_describe(sl_alarm_bits, sl_n_alarm_bits, w, text, sizeof(text));
	if (!u->alarms_known || memcmp(w, u->alarms, sizeof(w)) != 0) {
		if (level || u->alarms_known)
			log_info("inverter %d: alarms: %s", u->id, level ? text : "none");
		memcpy(u->alarms, w, sizeof(w));
		u->alarms_known = true;
	}
	set_str(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/Alarms"), text);
	set_int(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/AlarmLevel"),
		level);
	return level;
}

static void unit_strings(struct sl_driver *drv, struct sl_unit *u)
{
	const struct mb_val *model = mb_engine_value(drv->eng, u->pv_table, SL_INV_MODEL);
	const struct mb_val *sn = mb_engine_value(drv->eng, u->pv_table, SL_INV_SERIAL);
	char path[96];

	if (model && model->kind == MB_VAL_STRING)
		set_str(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/Model"),
			model->str);
	if (sn && sn->kind == MB_VAL_STRING)
		set_str(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/Serial"),
			sn->str);
}

/* One inverter's own paths; returns its /StatusCode (-1 unknown), fault in *ret_fault. */
static int publish_unit(struct sl_driver *drv, struct sl_unit *u, int *ret_level, int *ret_fault)
{
	const struct sl_status_map *m = sl_status_lookup(sl_status_map, sl_n_status_map,
							 (int)num(drv, u->pv_table, SL_INV_STATUS));
	double fault = num(drv, u->pv_table, SL_INV_FAULT);
	char path[96];

	set_int(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/Connected"),
		u->online);
	set_num(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/Ac/Power"),
		num(drv, u->pv_table, SL_INV_POWER));
	set_num(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/StatusCode"),
		u->online && m ? m->status_code : NAN);
	set_num(drv->pv, sl_unit_path(path, sizeof(path), "/Inverter", u->id, "/ErrorCode"), fault);
	unit_strings(drv, u);
	*ret_level = u->online ? unit_alarms(drv, u) : 0;
	*ret_fault = u->online && fault > 0 ? (int)fault : 0;
	return u->online && m ? m->status_code : -1;
}

void sl_publish_pv(struct sl_driver *drv, const bool *online)
{
	double ceiling = num(drv, drv->logger_table, SL_LOGGER_CEILING);
	int status = -1, fault = 0, level = 0, n_online = 0;

	publish_aggs(drv, drv->pv, &drv->pv_agg, online, get_pv);
	publish_phases(drv, online);
	for (size_t k = 0; k < drv->n_units; k++) {
		int lv, f, s = publish_unit(drv, &drv->units[k], &lv, &f);

		status = sl_status_combine(status, s);
		fault = fault ? fault : f;
		level = lv > level ? lv : level;
		n_online += online[k];
	}
	if (isnan(ceiling) && drv->cfg.pv_capacity > 0)
		ceiling = drv->cfg.pv_capacity;
	set_num(drv->pv, "/Ac/MaxPower", ceiling);
	set_num(drv->pv, "/StatusCode", status >= 0 ? status : NAN);
	set_num(drv->pv, "/ErrorCode", n_online ? fault : NAN);
	set_int(drv->pv, "/Alarms/InverterAlarm", level);
	set_int(drv->pv, "/Alarms/InverterOffline", n_online < (int)drv->n_units);
	set_int(drv->pv, "/Inverters/Count", (int64_t)drv->n_units);
	set_int(drv->pv, "/Inverters/Online", n_online);
	set_int(drv->pv, "/Connected", n_online > 0);
}

/* ------------------------------------------------------------------------------------------ */
/* battery                                                                                     */

/* Usable capacity in Wh: configured, else the sum of the rated capacities (37758) known. */
static double capacity_wh(struct sl_driver *drv, const bool *online)
{
	double sum = 0, v;

	if (drv->cfg.battery_capacity > 0)
		return drv->cfg.battery_capacity * 1000;
	for (size_t u = 0; u < drv->n_units; u++)
		if (online[u] && get_bat(drv, u, SL_BAT_CAPACITY, &v))
			sum += v;
	return sum > 0 ? sum : NAN;
}

/* LUNA2000 running status of the plant: fault, running, standby, sleep, offline. */
static int combine_state(int a, int b)
{
	static const int rank[] = { 1, 3, 4, 5, 2 }; /* by state 0..4 */
	int ra = a >= 0 && a <= 4 ? rank[a] : 0, rb = b >= 0 && b <= 4 ? rank[b] : 0;

	return rb > ra ? b : a;
}

static void publish_battery_unit(struct sl_driver *drv, struct sl_unit *u, bool online)
{
	char path[96];

	set_int(drv->battery, sl_unit_path(path, sizeof(path), "/Battery", u->id, "/Connected"),
		online);
	set_num(drv->battery, sl_unit_path(path, sizeof(path), "/Battery", u->id, "/Soc"),
		num(drv, u->bat_table, SL_BAT_SOC));
	set_num(drv->battery, sl_unit_path(path, sizeof(path), "/Battery", u->id, "/Power"),
		num(drv, u->bat_table, SL_BAT_POWER));
	set_num(drv->battery, sl_unit_path(path, sizeof(path), "/Battery", u->id, "/State"),
		num(drv, u->bat_table, SL_BAT_STATUS));
	set_num(drv->battery, sl_unit_path(path, sizeof(path), "/Battery", u->id, "/Command"),
		num(drv, u->bat_table, SL_BAT_COMMAND));
	set_num(drv->battery, sl_unit_path(path, sizeof(path), "/Battery", u->id, "/WorkingMode"),
		num(drv, u->bat_table, SL_BAT_WORKING_MODE));
}

/* Capacity in Ah and energy to full / to empty from the SOC. */
static void publish_capacity(struct sl_driver *drv, const bool *online)
{
	double wh = capacity_wh(drv, online), soc = NAN, volt = NAN, ah;
	const struct vedbus_value *v;

	v = vedbus_item_get(vedbus_service_item(drv->battery, "/Soc"));
	(void)vedbus_value_to_double(v, &soc);
	v = vedbus_item_get(vedbus_service_item(drv->battery, "/Dc/0/Voltage"));
	(void)vedbus_value_to_double(v, &volt);
	ah = volt > 0 ? round(wh / volt) : NAN;
	set_num(drv->battery, "/InstalledCapacity", ah);
	set_num(drv->battery, "/Capacity", ah * soc / 100);
	set_num(drv->battery, "/Energy/Chargeable", wh / 1000 * (100 - soc) / 100);
	set_num(drv->battery, "/Energy/Dischargeable", wh / 1000 * soc / 100);
}

/* DVCC limits, only when configured as a BMS ([plant] bms_charge_voltage). */
static void publish_bms(struct sl_driver *drv, double volt, double max_c, double max_d)
{
	if (drv->cfg.bms_charge_voltage <= 0)
		return;
	set_num(drv->battery, "/Info/MaxChargeVoltage", drv->cfg.bms_charge_voltage);
	set_num(drv->battery, "/Info/MaxChargeCurrent", volt > 0 ? max_c / volt : NAN);
	set_num(drv->battery, "/Info/MaxDischargeCurrent", volt > 0 ? max_d / volt : NAN);
}

void sl_publish_battery(struct sl_driver *drv, const bool *online, double max_charge,
			double max_discharge)
{
	int state = -1, n_bat = 0, n_online = 0;
	double volt = NAN;

	publish_aggs(drv, drv->battery, &drv->bat_agg, online, get_bat);
	publish_capacity(drv, online);
	for (size_t k = 0; k < drv->n_units; k++) {
		struct sl_unit *u = &drv->units[k];
		double s;

		if (!u->has_battery)
			continue;
		n_bat++;
		n_online += online[k];
		publish_battery_unit(drv, u, online[k]);
		if (online[k] && get_bat(drv, k, SL_BAT_STATUS, &s))
			state = combine_state(state, (int)s);
	}
	(void)vedbus_value_to_double(
		vedbus_item_get(vedbus_service_item(drv->battery, "/Dc/0/Voltage")), &volt);
	publish_bms(drv, volt, max_charge, max_discharge);
	set_num(drv->battery, "/RunningState", state >= 0 ? state : NAN);
	set_int(drv->battery, "/Alarms/InternalFailure", state == 3 ? 2 : 0);
	set_int(drv->battery, "/Batteries/Count", n_bat);
	set_int(drv->battery, "/Batteries/Online", n_online);
	set_int(drv->battery, "/Connected", n_online > 0);
}
