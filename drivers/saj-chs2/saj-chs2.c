/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2.c - the mapping: which register goes to which path of which service, with signs
 *
 * One table; the registers are found by name (saj-chs2-regs.c), so an address correction never
 * touches this file. A failed read publishes invalid (the engine keeps no stale value).
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "saj-chs2.h"

enum xf {
	XF_PLAIN = 0,
	XF_BAT,	 /* times the battery sign: Victron + = charge */
	XF_GRID, /* times the grid sign: Victron + = import */
	XF_BMS,	 /* only with [battery] dvcc_bms */
};

struct saj_map {
	enum saj_svc_id svc;
	const char *path;
	const char *reg;
	enum xf xf;
	const struct vedbus_format *fmt;
};

static const struct vedbus_format f_v = { .unit = "V", .decimals = 1 };
static const struct vedbus_format f_a = { .unit = "A", .decimals = 1 };
static const struct vedbus_format f_w = { .unit = "W", .decimals = 0 };
static const struct vedbus_format f_kwh = { .unit = "kWh", .decimals = 2 };
static const struct vedbus_format f_pct = { .unit = "%", .decimals = 1 };
static const struct vedbus_format f_c = { .unit = "C", .decimals = 1 };
static const struct vedbus_format f_hz = { .unit = "Hz", .decimals = 2 };
static const struct vedbus_format f_pf = { .decimals = 3 };

#define B SAJ_SVC_BATTERY
#define P SAJ_SVC_PV
#define G SAJ_SVC_GRID
static const struct saj_map map[] = {
	{ B, "/Dc/0/Voltage", "BatVolt", XF_PLAIN, &f_v },
	{ B, "/Dc/0/Current", "BatCurr", XF_BAT, &f_a },
	{ B, "/Dc/0/Power", "BatPower", XF_BAT, &f_w },
	{ B, "/Dc/0/Temperature", "BatTemp", XF_PLAIN, &f_c },
	{ B, "/Soc", "BatSoc", XF_PLAIN, &f_pct },
	{ B, "/History/ChargedEnergy", "BatChargeTotal", XF_PLAIN, &f_kwh },
	{ B, "/History/DischargedEnergy", "BatDischargeTotal", XF_PLAIN, &f_kwh },
	{ B, "/Info/MaxChargeCurrent", "BmsChargeLimit", XF_PLAIN, &f_a },
	{ B, "/Info/MaxDischargeCurrent", "BmsDischargeLimit", XF_PLAIN, &f_a },
	{ B, "/Info/MaxChargeVoltage", "BmsChargeVolt", XF_BMS, &f_v },
	{ P, "/Ac/L1/Voltage", "InvVoltR", XF_PLAIN, &f_v },
	{ P, "/Ac/L1/Current", "InvCurrR", XF_PLAIN, &f_a },
	{ P, "/Ac/L1/Power", "InvPowerR", XF_PLAIN, &f_w },
	{ P, "/Ac/L2/Voltage", "InvVoltS", XF_PLAIN, &f_v },
	{ P, "/Ac/L2/Current", "InvCurrS", XF_PLAIN, &f_a },
	{ P, "/Ac/L2/Power", "InvPowerS", XF_PLAIN, &f_w },
	{ P, "/Ac/L3/Voltage", "InvVoltT", XF_PLAIN, &f_v },
	{ P, "/Ac/L3/Current", "InvCurrT", XF_PLAIN, &f_a },
	{ P, "/Ac/L3/Power", "InvPowerT", XF_PLAIN, &f_w },
	{ P, "/Ac/Frequency", "InvFreqR", XF_PLAIN, &f_hz },
	{ P, "/Ac/Energy/Forward", "InvOutTotal", XF_PLAIN, &f_kwh },
	{ P, "/Pv/0/V", "Pv1Volt", XF_PLAIN, &f_v },
	{ P, "/Pv/0/I", "Pv1Curr", XF_PLAIN, &f_a },
	{ P, "/Pv/0/P", "Pv1Power", XF_PLAIN, &f_w },
	{ P, "/Pv/1/V", "Pv2Volt", XF_PLAIN, &f_v },
	{ P, "/Pv/1/I", "Pv2Curr", XF_PLAIN, &f_a },
	{ P, "/Pv/1/P", "Pv2Power", XF_PLAIN, &f_w },
	{ P, "/Pv/2/V", "Pv3Volt", XF_PLAIN, &f_v },
	{ P, "/Pv/2/I", "Pv3Curr", XF_PLAIN, &f_a },
	{ P, "/Pv/2/P", "Pv3Power", XF_PLAIN, &f_w },
	{ P, "/Pv/3/V", "Pv4Volt", XF_PLAIN, &f_v },
	{ P, "/Pv/3/I", "Pv4Curr", XF_PLAIN, &f_a },
	{ P, "/Pv/3/P", "Pv4Power", XF_PLAIN, &f_w },
	{ P, "/Yield/Power", "PvPower", XF_PLAIN, &f_w },
	{ P, "/Yield/Today", "PvToday", XF_PLAIN, &f_kwh },
	{ P, "/Yield/Total", "PvTotal", XF_PLAIN, &f_kwh },
	{ G, "/Ac/L1/Voltage", "MeterVoltR", XF_PLAIN, &f_v },
	{ G, "/Ac/L1/Current", "MeterCurrR", XF_GRID, &f_a },
	{ G, "/Ac/L1/Power", "MeterPowerR", XF_GRID, &f_w },
	{ G, "/Ac/L1/PowerFactor", "MeterPfR", XF_PLAIN, &f_pf },
	{ G, "/Ac/L2/Voltage", "MeterVoltS", XF_PLAIN, &f_v },
	{ G, "/Ac/L2/Current", "MeterCurrS", XF_GRID, &f_a },
	{ G, "/Ac/L2/Power", "MeterPowerS", XF_GRID, &f_w },
	{ G, "/Ac/L2/PowerFactor", "MeterPfS", XF_PLAIN, &f_pf },
	{ G, "/Ac/L3/Voltage", "MeterVoltT", XF_PLAIN, &f_v },
	{ G, "/Ac/L3/Current", "MeterCurrT", XF_GRID, &f_a },
	{ G, "/Ac/L3/Power", "MeterPowerT", XF_GRID, &f_w },
	{ G, "/Ac/L3/PowerFactor", "MeterPfT", XF_PLAIN, &f_pf },
	{ G, "/Ac/Frequency", "MeterFreqR", XF_PLAIN, &f_hz },
	{ G, "/Ac/Energy/Forward", "FeedInTotal", XF_PLAIN, &f_kwh }, /* "FeedIn" = IMPORT */
	{ G, "/Ac/Energy/Reverse", "SellTotal", XF_PLAIN, &f_kwh },   /* "Sell" = EXPORT */
};
#undef B
#undef P
#undef G

/* Registers read by name below, outside the table. */
static const char *const other_regs[] = {
	"WorkMode", "Fault0",  "Fault1",       "Fault2", "AppModeRb",	  "MeterModeRb",
	"BatDir",   "GridDir", "SysGridPower", "Serial", "MasterVersion",
};

int saj_map_check(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (!saj_reg_by_name(saj_regs, saj_n_regs, map[i].reg)) {
			log_err("mapping: no register %s for %s", map[i].reg, map[i].path);
			return -ENOENT;
		}
	for (size_t i = 0; i < G_N_ELEMENTS(other_regs); i++)
		if (!saj_reg_by_name(saj_regs, saj_n_regs, other_regs[i])) {
			log_err("mapping: no register %s", other_regs[i]);
			return -ENOENT;
		}
	return 0;
}

double saj_number(const struct saj *s, const char *name)
{
	const struct mb_reg *r = saj_reg_by_name(saj_regs, saj_n_regs, name);
	double v;

	if (!r || !s->eng || mb_engine_number(s->eng, 0, r->addr, &v) < 0)
		return NAN;
	return v;
}

static bool wanted(const struct saj *s, const struct saj_map *e)
{
	return e->xf != XF_BMS || s->cfg.dvcc_bms;
}

int saj_map_add_items(struct saj *s, enum saj_svc_id id)
{
	struct vedbus_service *svc = saj_svc(s, id);
	struct vedbus_item *item;
	int r;

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		if (map[i].svc != id || !wanted(s, &map[i]))
			continue;
		r = vedbus_service_add(svc, map[i].path, VEDBUS_TYPE_DOUBLE, 0, &item);
		if (r < 0)
			return r;
		vedbus_item_set_format(item, map[i].fmt);
	}
	return 0;
}

static double factor(const struct saj *s, enum xf xf)
{
	switch (xf) {
	case XF_BAT:
		return s->bat_factor;
	case XF_GRID:
		return s->grid_factor;
	case XF_PLAIN:
	case XF_BMS:
		break;
	}
	return 1;
}

static void set_number(struct vedbus_service *svc, const char *path, double v)
{
	struct vedbus_value val = isnan(v) ? vedbus_invalid() : vedbus_double(v);

	(void)vedbus_service_set(svc, path, &val);
}

/* The sum of the three phase powers of @svc, NAN unless all three are valid. */
static double phase_sum(struct vedbus_service *svc)
{
	static const char *const paths[] = { "/Ac/L1/Power", "/Ac/L2/Power", "/Ac/L3/Power" };
	double sum = 0, d;

	for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
		struct vedbus_item *it = vedbus_service_item(svc, paths[i]);

		if (!it || vedbus_value_to_double(vedbus_item_get(it), &d) < 0)
			return NAN;
		sum += d;
	}
	return sum;
}

/* MPVMode 0x4004 to /StatusCode (dbus-fronius numbering). */
static int status_code(double mode)
{
	static const int codes[] = { 0, 8, 7, 7, 7, 10, 9, 8, 1, 0 };

	if (isnan(mode) || mode < 0 || mode >= G_N_ELEMENTS(codes))
		return -1;
	return codes[(int)mode];
}

/* The first known fault bit as 32 * word + bit + 1, 0 for none, -1 unknown. */
static int error_code(const struct saj *s)
{
	double w[3] = { saj_number(s, "Fault0"), saj_number(s, "Fault1"), saj_number(s, "Fault2") };

	for (int k = 0; k < 3; k++)
		if (isnan(w[k]))
			return -1;
	for (const struct saj_fault *f = saj_faults; f->text; f++)
		if (((uint32_t)w[f->word] >> f->bit) & 1)
			return (int)(32 * f->word + f->bit + 1);
	return 0;
}

static void set_int_or_invalid(struct vedbus_service *svc, const char *path, int v)
{
	struct vedbus_value val = v < 0 ? vedbus_invalid() : vedbus_int(v);

	(void)vedbus_service_set(svc, path, &val);
}

static void publish_computed(struct saj *s)
{
	struct vedbus_service *pv = saj_svc(s, SAJ_SVC_PV), *grid = saj_svc(s, SAJ_SVC_GRID);

	s->m.pv_ac = phase_sum(pv);
	set_number(pv, "/Ac/Power", s->m.pv_ac);
	set_int_or_invalid(pv, "/StatusCode", status_code(saj_number(s, "WorkMode")));
	set_int_or_invalid(pv, "/ErrorCode", error_code(s));
	s->m.grid = NAN;
	if (grid) {
		s->m.grid = phase_sum(grid);
		set_number(grid, "/Ac/Power", s->m.grid);
	}
}

static void read_measurements(struct saj *s)
{
	double am = saj_number(s, "AppModeRb"), mm = saj_number(s, "MeterModeRb");

	s->m.battery = saj_number(s, "BatPower") * s->bat_factor + 0.0;
	s->m.bat_volt = saj_number(s, "BatVolt");
	s->m.soc = saj_number(s, "BatSoc");
	s->m.pv = saj_number(s, "PvPower");
	s->m.ccl = saj_number(s, "BmsChargeLimit");
	s->m.dcl = saj_number(s, "BmsDischargeLimit");
	s->m.app_mode = isnan(am) ? -1 : (int)am;
	s->m.meter_mode = isnan(mm) ? -1 : (int)mm;
}

void saj_map_publish(struct saj *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		const struct saj_map *e = &map[i];
		struct vedbus_service *svc = saj_svc(s, e->svc);

		if (!svc || !wanted(s, e))
			continue;
		/* + 0.0: a sign flip of 0 must not publish -0 */
		set_number(svc, e->path, saj_number(s, e->reg) * factor(s, e->xf) + 0.0);
	}
	read_measurements(s);
	publish_computed(s);
}
