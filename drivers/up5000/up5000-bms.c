/* SPDX-License-Identifier: MIT */
/*
 * up5000-bms.c - follow the active BMS battery: its charge and discharge limits (for
 * [dvcc] follow_bms), SOC and cell-voltage spread (for the relay)
 *
 * The active BMS is the one com.victronenergy.system names in /ActiveBmsService; without
 * systemcalc, the battery with the lowest /DeviceInstance that publishes a charge voltage
 * limit (systemcalc's own automatic choice).
 */

#include <math.h>
#include <string.h>

#include "up5000.h"

#define BATTERY "com.victronenergy.battery"

static const char *const battery_paths[] = {
	"/DeviceInstance",
	"/Info/MaxChargeVoltage",
	"/Info/MaxDischargeCurrent",
	"/Soc",
	"/System/MinCellVoltage",
	"/System/MaxCellVoltage",
	NULL,
};

static double number(struct vedbus_monitor *mon, const char *svc, const char *path)
{
	const struct vedbus_value *v = vedbus_monitor_get(mon, svc, path);
	double d;

	return v && vedbus_value_to_double(v, &d) == 0 ? d : NAN;
}

/* The battery to follow, or NULL. Borrowed until the next main-loop iteration. */
static const char *choose(struct up *up)
{
	const char **names = vedbus_monitor_services(up->mon, BATTERY);
	const char *best = NULL;
	double best_instance = INFINITY;

	for (size_t i = 0; names && names[i]; i++) {
		double inst = number(up->mon, names[i], "/DeviceInstance");

		if (up->active_bms && !strcmp(names[i], up->active_bms)) {
			best = names[i];
			break;
		}
		if (!isnan(number(up->mon, names[i], "/Info/MaxChargeVoltage")) &&
		    !(inst >= best_instance)) {
			best = names[i];
			best_instance = isnan(inst) ? INFINITY : inst;
		}
	}
	g_free(names);
	return best;
}

static void refresh(struct up *up)
{
	const char *svc = choose(up);
	struct up_bms *b = &up->bms;

	if (g_strcmp0(svc ? svc : "", up->followed_bms) != 0) {
		log_info("bms: following %s", svc ? svc : "none");
		g_strlcpy(up->followed_bms, svc ? svc : "", sizeof(up->followed_bms));
	}
	if (!svc) {
		*b = (struct up_bms){ NAN, NAN, NAN, NAN };
		return;
	}
	b->max_charge_voltage = number(up->mon, svc, "/Info/MaxChargeVoltage");
	b->max_discharge_current = number(up->mon, svc, "/Info/MaxDischargeCurrent");
	b->soc = number(up->mon, svc, "/Soc");
	b->cell_spread = number(up->mon, svc, "/System/MaxCellVoltage") -
			 number(up->mon, svc, "/System/MinCellVoltage");
}

static void on_battery(struct vedbus_monitor *mon, const char *service, const char *path,
		       const struct vedbus_value *value, void *userdata)
{
	refresh(userdata);
}

static void on_system(struct vedbus_monitor *mon, const char *service, const char *path,
		      const struct vedbus_value *value, void *userdata)
{
	struct up *up = userdata;

	g_free(up->active_bms);
	up->active_bms = NULL;
	if (value->type == VEDBUS_TYPE_STRING && value->u.s[0])
		up->active_bms = g_strdup(value->u.s);
	refresh(up);
}

int up_bms_init(struct up *up)
{
	int r = 0;

	up->bms = (struct up_bms){ NAN, NAN, NAN, NAN };
	for (unsigned int i = 0; r == 0 && battery_paths[i]; i++)
		r = vedbus_monitor_watch(up->mon, BATTERY, battery_paths[i], on_battery, up);
	if (r == 0)
		r = vedbus_monitor_watch(up->mon, "com.victronenergy.system", "/ActiveBmsService",
					 on_system, up);
	return r;
}
