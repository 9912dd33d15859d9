/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-services.c - the grid, battery and pvinverter services with every path, invalid
 * until read, built before the names are claimed
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "smartlogger.h"

#ifndef VHD_VERSION
#define VHD_VERSION "unknown"
#endif

#define PROCESS_NAME "dbus-smartlogger-hybrid"
#define PRODUCT_ID   0xFFFF /* third party; no battery quirk id (systemcalc-observed.md) */

static const struct vedbus_format fmt_w = { .unit = "W", .decimals = 0 };
static const struct vedbus_format fmt_var = { .unit = "var", .decimals = 0 };
static const struct vedbus_format fmt_v = { .unit = "V", .decimals = 1 };
static const struct vedbus_format fmt_a = { .unit = "A", .decimals = 1 };
static const struct vedbus_format fmt_hz = { .unit = "Hz", .decimals = 2 };
static const struct vedbus_format fmt_kwh = { .unit = "kWh", .decimals = 2 };
static const struct vedbus_format fmt_pct = { .unit = "%", .decimals = 1 };
static const struct vedbus_format fmt_c = { .unit = "C", .decimals = 1 };
static const struct vedbus_format fmt_ah = { .unit = "Ah", .decimals = 0 };
static const struct vedbus_format fmt_meter_err = { .enums = sl_meter_error_texts };
static const struct vedbus_format fmt_position = { .enums = sl_position_texts };
static const struct vedbus_format fmt_status = { .enums = sl_pv_status_texts };
static const struct vedbus_format fmt_luna = { .enums = sl_luna_state_texts };
static const struct vedbus_format fmt_cmd = { .enums = sl_command_texts };

#define D VEDBUS_TYPE_DOUBLE
#define I VEDBUS_TYPE_INT
#define S VEDBUS_TYPE_STRING

static const struct vedbus_item_def grid_items[] = {
	{ "/NrOfPhases", I, 0, NULL, NULL },
	{ "/ErrorCode", I, 0, &fmt_meter_err, NULL },
	{ "/Alarms/GridMeterDisconnected", I, 0, NULL, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def pv_items[] = {
	{ "/Ac/Power", D, 0, &fmt_w, NULL },
	{ "/Ac/L1/Power", D, 0, &fmt_w, NULL },
	{ "/Ac/L2/Power", D, 0, &fmt_w, NULL },
	{ "/Ac/L3/Power", D, 0, &fmt_w, NULL },
	{ "/Ac/L1/Current", D, 0, &fmt_a, NULL },
	{ "/Ac/L2/Current", D, 0, &fmt_a, NULL },
	{ "/Ac/L3/Current", D, 0, &fmt_a, NULL },
	{ "/Ac/L1/Voltage", D, 0, &fmt_v, NULL },
	{ "/Ac/L2/Voltage", D, 0, &fmt_v, NULL },
	{ "/Ac/L3/Voltage", D, 0, &fmt_v, NULL },
	{ "/Ac/ReactivePower", D, 0, &fmt_var, NULL },
	{ "/Ac/Frequency", D, 0, &fmt_hz, NULL },
	{ "/Ac/Energy/Forward", D, 0, &fmt_kwh, NULL },
	{ "/Ac/Energy/Today", D, 0, &fmt_kwh, NULL },
	{ "/Ac/MaxPower", D, 0, &fmt_w, NULL },
	{ "/Ac/NumberOfPhases", I, 0, NULL, NULL },
	{ "/Position", I, 0, &fmt_position, NULL },
	{ "/StatusCode", I, 0, &fmt_status, NULL },
	{ "/ErrorCode", I, 0, NULL, NULL },
	{ "/Alarms/InverterOffline", I, 0, NULL, NULL },
	{ "/Alarms/InverterAlarm", I, 0, NULL, NULL },
	{ "/Inverters/Count", I, 0, NULL, NULL },
	{ "/Inverters/Online", I, 0, NULL, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def pv_limit_items[] = {
	{ "/Ac/PowerLimit", D, VEDBUS_ITEM_WRITABLE, &fmt_w, sl_power_limit_write },
	{ .path = NULL },
};

static const struct vedbus_item_def battery_items[] = {
	{ "/Dc/0/Voltage", D, 0, &fmt_v, NULL },
	{ "/Dc/0/Current", D, 0, &fmt_a, NULL },
	{ "/Dc/0/Power", D, 0, &fmt_w, NULL },
	{ "/Dc/0/Temperature", D, 0, &fmt_c, NULL },
	{ "/Soc", D, 0, &fmt_pct, NULL },
	{ "/InstalledCapacity", D, 0, &fmt_ah, NULL },
	{ "/Capacity", D, 0, &fmt_ah, NULL },
	{ "/Energy/Chargeable", D, 0, &fmt_kwh, NULL },
	{ "/Energy/Dischargeable", D, 0, &fmt_kwh, NULL },
	{ "/History/ChargedEnergy", D, 0, &fmt_kwh, NULL },
	{ "/History/DischargedEnergy", D, 0, &fmt_kwh, NULL },
	{ "/RunningState", I, 0, &fmt_luna, NULL },
	{ "/Alarms/InternalFailure", I, 0, NULL, NULL },
	{ "/Batteries/Count", I, 0, NULL, NULL },
	{ "/Batteries/Online", I, 0, NULL, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def bms_items[] = {
	{ "/Info/MaxChargeVoltage", D, 0, &fmt_v, NULL },
	{ "/Info/MaxChargeCurrent", D, 0, &fmt_a, NULL },
	{ "/Info/MaxDischargeCurrent", D, 0, &fmt_a, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def diag_extras[] = {
	{ "/Diagnostics/PermissionDenied", I, 0, NULL, NULL },
	{ "/Diagnostics/Unsupported", S, 0, NULL, NULL },
	{ "/Diagnostics/Writes", I, 0, NULL, NULL },
	{ "/Diagnostics/Exceptions", I, 0, NULL, NULL },
	{ "/Diagnostics/Cycles", I, 0, NULL, NULL },
	{ "/Diagnostics/BytesPerCycle", I, 0, NULL, NULL },
	{ .path = NULL },
};

/* Per unit: "/Inverter/<id>/..." on pvinverter, "/Battery/<id>/..." on battery. */
static const struct vedbus_item_def inverter_leaves[] = {
	{ "/Connected", I, 0, NULL, NULL },
	{ "/Ac/Power", D, 0, &fmt_w, NULL },
	{ "/StatusCode", I, 0, &fmt_status, NULL },
	{ "/ErrorCode", I, 0, NULL, NULL },
	{ "/Alarms", S, 0, NULL, NULL },
	{ "/AlarmLevel", I, 0, NULL, NULL },
	{ "/Model", S, 0, NULL, NULL },
	{ "/Serial", S, 0, NULL, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def battery_leaves[] = {
	{ "/Connected", I, 0, NULL, NULL },
	{ "/Soc", D, 0, &fmt_pct, NULL },
	{ "/Power", D, 0, &fmt_w, NULL },
	{ "/State", I, 0, &fmt_luna, NULL },
	{ "/Command", I, 0, &fmt_cmd, NULL },
	{ "/WorkingMode", I, 0, NULL, NULL },
	{ .path = NULL },
};

#undef D
#undef I
#undef S

const char *sl_unit_path(char *buf, size_t len, const char *node, int id, const char *leaf)
{
	snprintf(buf, len, "%s/%d%s", node, id, leaf);
	return buf;
}

static int add_unit_items(struct vedbus_service *svc, const char *node, int id,
			  const struct vedbus_item_def *leaves)
{
	char path[96];
	int r;

	for (const struct vedbus_item_def *d = leaves; d->path; d++) {
		struct vedbus_item *item;

		r = vedbus_service_add(svc, sl_unit_path(path, sizeof(path), node, id, d->path),
				       d->type, 0, &item);
		if (r < 0)
			return r;
		if (d->fmt)
			vedbus_item_set_format(item, d->fmt);
	}
	return 0;
}

/* The meter's registers with a path, as doubles (mb_vedbus_add_items() makes W an int). */
static int add_meter_items(struct vedbus_service *svc)
{
	static struct vedbus_format fmts[32];

	for (size_t k = 0; k < sl_n_meter_regs && k < G_N_ELEMENTS(fmts); k++) {
		const struct mb_reg *reg = &sl_meter_regs[k];
		struct vedbus_item *item;
		int r;

		if (!reg->path)
			continue;
		r = vedbus_service_add(svc, reg->path, VEDBUS_TYPE_DOUBLE, 0, &item);
		if (r < 0)
			return r;
		fmts[k] = (struct vedbus_format){ .unit = reg->unit, .decimals = reg->decimals };
		vedbus_item_set_format(item, &fmts[k]);
	}
	return 0;
}

/* "sl_192_168_1_20", plus "_p<port>" and "_u<unit>" when they are not the defaults. */
static void make_suffix(struct sl_driver *drv)
{
	const struct sl_config *c = &drv->cfg;
	char *p;

	if (c->suffix) {
		g_strlcpy(drv->suffix, c->suffix, sizeof(drv->suffix));
		return;
	}
	snprintf(drv->suffix, sizeof(drv->suffix), "sl_%s", c->host);
	for (p = drv->suffix; *p; p++)
		if (!g_ascii_isalnum(*p))
			*p = '_';
	if (c->port != 502)
		snprintf(p, sizeof(drv->suffix) - (size_t)(p - drv->suffix), "_p%d", c->port);
	p += strlen(p);
	if (c->unit != 0)
		snprintf(p, sizeof(drv->suffix) - (size_t)(p - drv->suffix), "_u%d", c->unit);
}

/* A service with the mandatory paths, bound to its settings (VRM instance, custom name). */
static int new_service(struct sl_driver *drv, const char *cls, const char *product, int pref,
		       struct vedbus_service **ret)
{
	char name[160], connection[160], uid[96];
	struct vedbus_identity id = {
		.process_name = PROCESS_NAME,
		.process_version = VHD_VERSION,
		.connection = connection,
		.device_instance = pref,
		.product_id = PRODUCT_ID,
		.product_name = product,
		.firmware_version = -1,
	};
	int r;

	snprintf(name, sizeof(name), "com.victronenergy.%s.%s", cls, drv->suffix);
	snprintf(connection, sizeof(connection), "Modbus TCP %s:%d", drv->cfg.host, drv->cfg.port);
	snprintf(uid, sizeof(uid), "%s_%s", drv->suffix, cls);
	r = vedbus_service_new(drv->common.dbus, name, ret);
	if (r < 0) {
		log_err("%s: cannot connect to D-Bus: %s", name, g_strerror(-r));
		return r;
	}
	r = vedbus_add_mandatory_paths(*ret, &id);
	if (r == 0 && !drv->settings)
		r = vedbus_settings_new(vedbus_service_connection(*ret), &drv->settings);
	if (r == 0)
		r = vedbus_service_bind_device(*ret, drv->settings, uid, cls, pref);
	return r;
}

static int add_units(struct sl_driver *drv)
{
	int r = 0;

	for (size_t k = 0; k < drv->n_units && r == 0; k++) {
		r = add_unit_items(drv->pv, "/Inverter", drv->units[k].id, inverter_leaves);
		if (r == 0 && drv->units[k].has_battery)
			r = add_unit_items(drv->battery, "/Battery", drv->units[k].id,
					   battery_leaves);
	}
	return r;
}

static int fill_grid(struct sl_driver *drv)
{
	int r = new_service(drv, "grid", "Huawei SmartLogger meter", 40, &drv->grid);

	if (r == 0)
		r = add_meter_items(drv->grid);
	if (r == 0)
		r = vedbus_service_add_table(drv->grid, grid_items, drv);
	return r;
}

static int fill_pv(struct sl_driver *drv)
{
	int r = new_service(drv, "pvinverter", "Huawei SUN2000 (SmartLogger)", 20, &drv->pv);

	if (r == 0)
		r = vedbus_service_add_table(drv->pv, pv_items, drv);
	if (r == 0 && drv->cfg.curtailment)
		r = vedbus_service_add_table(drv->pv, pv_limit_items, drv);
	if (r == 0)
		r = vedbus_service_set(drv->pv, "/Position",
				       &(struct vedbus_value){ .type = VEDBUS_TYPE_INT,
							       .u.i = drv->cfg.position });
	return r < 0 ? r : 0;
}

static int fill_battery(struct sl_driver *drv)
{
	int r = new_service(drv, "battery", "Huawei LUNA2000 (SmartLogger)", 512, &drv->battery);

	if (r == 0)
		r = vedbus_service_add_table(drv->battery, battery_items, drv);
	if (r == 0 && drv->cfg.bms_charge_voltage > 0)
		r = vedbus_service_add_table(drv->battery, bms_items, drv);
	if (r == 0)
		r = diag_add(&drv->diag, drv->battery, diag_extras, drv);
	return r;
}

int sl_services_new(struct sl_driver *drv)
{
	int r;

	make_suffix(drv);
	r = fill_battery(drv);
	if (r == 0)
		r = fill_pv(drv);
	if (r == 0 && drv->cfg.meter_unit >= 0)
		r = fill_grid(drv);
	if (r == 0)
		r = add_units(drv);
	if (r < 0)
		log_err("cannot build the services: %s", g_strerror(-r));
	return r;
}

static int claim(struct vedbus_service *svc)
{
	int r;

	if (!svc)
		return 0;
	r = vedbus_service_register(svc);
	if (r == -EEXIST)
		log_err("%s: name taken: is another instance running?", vedbus_service_name(svc));
	else if (r < 0)
		log_err("%s: cannot claim the name: %s", vedbus_service_name(svc), g_strerror(-r));
	return r;
}

int sl_services_register(struct sl_driver *drv)
{
	int r;

	/* /DeviceInstance must be right in the first GetItems; go on with defaults after 2 s */
	if (vedbus_settings_wait(drv->settings, 2000) != 0)
		log_info("settings service not found: using default device instances");
	r = claim(drv->battery);
	if (r == 0)
		r = claim(drv->pv);
	if (r == 0)
		r = claim(drv->grid);
	return r;
}

void sl_services_free(struct sl_driver *drv)
{
	drv->hc = hc_publish_free(drv->hc);
	drv->settings = vedbus_settings_free(drv->settings);
	drv->grid = vedbus_service_free(drv->grid);
	drv->pv = vedbus_service_free(drv->pv);
	drv->battery = vedbus_service_free(drv->battery);
}
