/* SPDX-License-Identifier: MIT */
/* up5000-services.c - the solarcharger and vebus services: trees, identity, device binding */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "up5000-regs.h"
#include "up5000.h"

#define SOLAR_PRODUCT_ID 0xFFFF /* not a Victron product: no product quirk applies */
#define VEBUS_PRODUCT_ID 0xFFFF
/* Compatibility values, not the device's firmware: DVCC wants >= 0x129 and >= 0x422. */
#define SOLAR_FIRMWARE 0x0146
#define VEBUS_FIRMWARE 0x0422

static const struct vedbus_format f_v2 = { .unit = "V", .decimals = 2 };
static const struct vedbus_format f_v1 = { .unit = "V", .decimals = 1 };
static const struct vedbus_format f_a1 = { .unit = "A", .decimals = 1 };
static const struct vedbus_format f_w0 = { .unit = "W", .decimals = 0 };
static const struct vedbus_format f_hz = { .unit = "Hz", .decimals = 1 };
static const struct vedbus_format f_kwh = { .unit = "kWh", .decimals = 2 };
static const struct vedbus_format f_pct = { .unit = "%", .decimals = 0 };
static const struct vedbus_format f_deg = { .unit = "°C", .decimals = 1 };
static const struct vedbus_format f_min = { .unit = "min", .decimals = 0 };
static const struct vedbus_enum alarm_names[] = {
	{ 0, "Ok" },
	{ 1, "Warning" },
	{ 2, "Alarm" },
	{ .text = NULL },
};
static const struct vedbus_format f_alarm = { .enums = alarm_names };

#define D VEDBUS_TYPE_DOUBLE
#define I VEDBUS_TYPE_INT
#define S VEDBUS_TYPE_STRING

static const struct vedbus_item_def solar_items[] = {
	{ "/Dc/0/Voltage", D, 0, &f_v2 },
	{ "/Dc/0/Current", D, 0, &f_a1 },
	{ "/Pv/V", D, 0, &f_v1 },
	{ "/Yield/Power", D, 0, &f_w0 },
	{ "/Yield/User", D, 0, &f_kwh },
	{ "/Yield/System", D, 0, &f_kwh },
	{ "/NrOfTrackers", I, 0 },
	{ "/State", I, 0, &ups_solar_state_format },
	{ "/ErrorCode", I, 0, &ups_error_format },
	{ "/MppOperationMode", I, 0 },
	{ "/Mode", I, 0 },
	{ "/Settings/ChargeCurrentLimit", D, 0, &f_a1 },
	{ "/Alarms/ShortCircuit", I, 0, &f_alarm },
	{ "/History/Daily/0/Yield", D, 0, &f_kwh },
	{ "/History/Daily/0/MaxPower", D, 0, &f_w0 },
	{ "/History/Daily/0/MaxPvVoltage", D, 0, &f_v1 },
	{ "/History/Daily/0/MinBatteryVoltage", D, 0, &f_v2 },
	{ "/History/Daily/0/MaxBatteryVoltage", D, 0, &f_v2 },
	{ "/History/Daily/0/MaxBatteryCurrent", D, 0, &f_a1 },
	{ "/History/Daily/0/TimeInBulk", D, 0, &f_min },
	{ "/History/Daily/0/TimeInAbsorption", D, 0, &f_min },
	{ "/History/Daily/0/TimeInFloat", D, 0, &f_min },
	{ "/History/Overall/DaysAvailable", I, 0 },
	{ "/History/Overall/MaxPvVoltage", D, 0, &f_v1 },
	{ "/History/Overall/MinBatteryVoltage", D, 0, &f_v2 },
	{ "/History/Overall/MaxBatteryVoltage", D, 0, &f_v2 },
	{ "/Diagnostics/Cycles", I, 0 },
	{ "/Diagnostics/BytesPerCycle", I, 0 },
	{ "/Diagnostics/Device/MaxChargeCurrent", D, 0, &f_a1 },
	{ "/Diagnostics/Device/OverVoltageDisconnect", D, 0, &f_v2 },
	{ "/Diagnostics/Device/ChargeLimitVoltage", D, 0, &f_v2 },
	{ "/Diagnostics/Device/EqualizeVoltage", D, 0, &f_v2 },
	{ "/Diagnostics/Device/BoostVoltage", D, 0, &f_v2 },
	{ "/Diagnostics/Device/FloatVoltage", D, 0, &f_v2 },
	{ "/Diagnostics/Device/BoostReconnectVoltage", D, 0, &f_v2 },
	{ "/Diagnostics/Device/LowVoltageReconnect", D, 0, &f_v2 },
	{ "/Diagnostics/Device/LowVoltageDisconnect", D, 0, &f_v2 },
	{ "/Diagnostics/Device/DischargeLimitVoltage", D, 0, &f_v2 },
	{ .path = NULL },
};

static const struct vedbus_item_def vebus_items[] = {
	{ "/Ac/ActiveIn/L1/V", D, 0, &f_v1 },
	{ "/Ac/ActiveIn/L1/I", D, 0, &f_a1 },
	{ "/Ac/ActiveIn/L1/P", D, 0, &f_w0 },
	{ "/Ac/ActiveIn/L1/F", D, 0, &f_hz },
	{ "/Ac/ActiveIn/P", D, 0, &f_w0 },
	{ "/Ac/ActiveIn/ActiveInput", I, 0 },
	{ "/Ac/ActiveIn/Connected", I, 0 },
	{ "/Ac/Out/L1/V", D, 0, &f_v1 },
	{ "/Ac/Out/L1/I", D, 0, &f_a1 },
	{ "/Ac/Out/L1/P", D, 0, &f_w0 },
	{ "/Ac/Out/L1/F", D, 0, &f_hz },
	{ "/Ac/Out/P", D, 0, &f_w0 },
	{ "/Ac/NumberOfPhases", I, 0 },
	{ "/Ac/NumberOfAcInputs", I, 0 },
	{ "/State", I, 0, &ups_vebus_state_format },
	{ "/Mode", I, 0 },
	{ "/ModeIsAdjustable", I, 0 },
	{ "/Dc/0/Voltage", D, 0, &f_v2 },
	{ "/Dc/0/Current", D, 0, &f_a1 },
	{ "/Dc/0/Power", D, 0, &f_w0 },
	{ "/Dc/0/Temperature", D, 0, &f_deg },
	{ "/Soc", D, 0, &f_pct },
	{ "/Alarms/LowBattery", I, 0, &f_alarm },
	{ "/Alarms/HighDcVoltage", I, 0, &f_alarm },
	{ "/Alarms/HighTemperature", I, 0, &f_alarm },
	{ "/Alarms/Overload", I, 0, &f_alarm },
	{ "/Alarms/HighDcCurrent", I, 0, &f_alarm },
	{ .path = NULL },
};

struct svc_desc {
	const char *dev_class;
	const char *product_name;
	int product_id;
	int firmware;
	const struct vedbus_item_def *const tables[4];
};

static const struct svc_desc descs[UP_N_SVC] = {
	[UP_SOLAR] = { "solarcharger",
		       "UP5000 MPPT Solar Charger",
		       SOLAR_PRODUCT_ID,
		       SOLAR_FIRMWARE,
		       { solar_items, up_dvcc_solar_items, up_excess_items } },
	[UP_VEBUS] = { "vebus",
		       "UP5000 Inverter/Charger",
		       VEBUS_PRODUCT_ID,
		       VEBUS_FIRMWARE,
		       { vebus_items, up_dvcc_vebus_items } },
};

static int build_one(struct up *up, enum up_svc s, const char *connection)
{
	const struct svc_desc *d = &descs[s];
	int instance = s == UP_SOLAR ? up->cfg.solarcharger_instance : up->cfg.vebus_instance;
	struct vedbus_identity id = {
		.process_name = "dbus-up5000-hybrid",
		.process_version = VHD_VERSION,
		.connection = connection,
		.device_instance = instance,
		.product_id = d->product_id,
		.product_name = d->product_name,
		.firmware_version = d->firmware,
	};
	char name[160];
	int r;

	snprintf(name, sizeof(name), "com.victronenergy.%s.%s", d->dev_class, up->suffix);
	r = vedbus_service_new(up->bus, name, &up->svc[s]);
	if (r == 0)
		r = vedbus_add_mandatory_paths(up->svc[s], &id);
	for (unsigned int t = 0; r == 0 && t < 4 && d->tables[t]; t++)
		r = vedbus_service_add_table(up->svc[s], d->tables[t], up);
	if (r < 0)
		log_err("%s: cannot build the service: %s", name, strerror(-r));
	return r;
}

/* Paths that never change while the driver runs. */
static void set_constants(struct up *up)
{
	up_set_int(up, UP_SOLAR, "/NrOfTrackers", 1);
	up_set_int(up, UP_SOLAR, "/Mode", 1);
	up_set(up, UP_SOLAR, "/Settings/ChargeCurrentLimit", up->cfg.charge_current_limit);
	up_set_int(up, UP_SOLAR, "/History/Overall/DaysAvailable", 1);
	up_set_int(up, UP_VEBUS, "/Ac/NumberOfPhases", 1);
	up_set_int(up, UP_VEBUS, "/Ac/NumberOfAcInputs", 1);
	up_set_int(up, UP_VEBUS, "/Mode", 3);
	up_set_int(up, UP_VEBUS, "/ModeIsAdjustable", 0);
}

static int bind(struct up *up)
{
	static const char *const kind[UP_N_SVC] = { "solarcharger", "vebus" };
	char id[96];
	int r = vedbus_settings_new(vedbus_service_connection(up->svc[UP_SOLAR]), &up->settings);

	for (unsigned int s = 0; r == 0 && s < UP_N_SVC; s++) {
		int preferred =
			s == UP_SOLAR ? up->cfg.solarcharger_instance : up->cfg.vebus_instance;

		snprintf(id, sizeof(id), "up5000_%s_%s", up->suffix, kind[s]);
		g_strcanon(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_",
			   '_');
		r = vedbus_service_bind_device(up->svc[s], up->settings, id, descs[s].dev_class,
					       preferred);
	}
	if (r == 0)
		r = vedbus_monitor_new(vedbus_service_connection(up->svc[UP_SOLAR]), &up->mon);
	return r;
}

int up_services_new(struct up *up)
{
	char *connection = g_strdup_printf("Modbus RTU %s", up->suffix);
	int r = 0;

	for (unsigned int s = 0; r == 0 && s < UP_N_SVC; s++)
		r = build_one(up, s, connection);
	g_free(connection);
	if (r == 0)
		r = diag_add(&up->diag, up->svc[UP_SOLAR], NULL, up);
	if (r == 0)
		r = bind(up);
	if (r < 0)
		return r;
	up->pub = (struct up_pub){ .svc = { up->svc[UP_SOLAR], up->svc[UP_VEBUS] } };
	set_constants(up);
	/* the granted /DeviceInstance belongs in the first GetItems */
	if (vedbus_settings_wait(up->settings, 2000) != 0)
		log_warn("settings: not synced, going on with the default device instances");
	return 0;
}

int up_services_register(struct up *up)
{
	for (unsigned int s = 0; s < UP_N_SVC; s++) {
		int r = vedbus_service_register(up->svc[s]);

		if (r < 0) {
			log_err("%s: %s", vedbus_service_name(up->svc[s]),
				r == -EEXIST ? "name taken by another process" : strerror(-r));
			return r;
		}
		log_info("registered %s", vedbus_service_name(up->svc[s]));
	}
	up->pub.live = true;
	up_flush(up);
	return 0;
}

void up_services_free(struct up *up)
{
	up->mon = vedbus_monitor_free(up->mon);
	up->settings = vedbus_settings_free(up->settings);
	for (unsigned int s = 0; s < UP_N_SVC; s++)
		up->svc[s] = vedbus_service_free(up->svc[s]);
}

int up_set(struct up *up, enum up_svc s, const char *path, double v)
{
	struct vedbus_value val = isnan(v) ? vedbus_invalid() : vedbus_double(v);

	return vedbus_service_set(up->svc[s], path, &val);
}

int up_set_int(struct up *up, enum up_svc s, const char *path, int v)
{
	struct vedbus_value val = v < 0 ? vedbus_invalid() : vedbus_int(v);

	return vedbus_service_set(up->svc[s], path, &val);
}

void up_flush(struct up *up)
{
	for (unsigned int s = 0; up->pub.live && s < UP_N_SVC; s++)
		(void)vedbus_service_flush(up->svc[s]);
}
