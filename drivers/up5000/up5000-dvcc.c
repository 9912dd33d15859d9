/* SPDX-License-Identifier: MIT */
/*
 * up5000-dvcc.c - charge control glue: /Link/... and /BatteryOperationalLimits/... writes from
 * Venus and the followed BMS into the pure controller (up5000-control.h), and its writes to
 * the device, one register at a time, stopping at the first failure
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "up5000-regs.h"
#include "up5000.h"

static const uint16_t reg_addr[UPC_N_REGS] = {
	[UPC_ECV] = UP_ECV,
	[UPC_BCV] = UP_BCV,
	[UPC_FCV] = UP_FCV,
	[UPC_BVR] = UP_BVR,
	[UPC_LVR] = UP_LVR,
	[UPC_LVD] = UP_LVD,
	[UPC_CURRENT] = UP_MAX_CHARGE_CURRENT,
};

static struct log_ratelimit setvalue_rl = LOG_RATELIMIT_INIT;

static int write_charge_voltage(struct vedbus_item *item, const struct vedbus_value *v, void *ud)
{
	struct up *up = ud;

	if (upc_check_voltage(&up->dvcc.cfg, v->u.d) < 0) {
		log_ratelimited(&setvalue_rl, LOG_LEVEL_WARNING,
				"/Link/ChargeVoltage = %.2f refused: outside %.2f..%.2f V", v->u.d,
				up->dvcc.cfg.min_voltage, up->dvcc.cfg.max_voltage);
		return -ERANGE;
	}
	upc_set_link_voltage(&up->dvcc.st, v->u.d, up_now());
	return 0;
}

static int write_charge_current(struct vedbus_item *item, const struct vedbus_value *v, void *ud)
{
	struct up *up = ud;

	if (upc_check_current(&up->dvcc.cfg, v->u.d) < 0) {
		log_ratelimited(&setvalue_rl, LOG_LEVEL_WARNING,
				"/Link/ChargeCurrent = %.1f refused: not a current", v->u.d);
		return -ERANGE;
	}
	upc_set_link_current(&up->dvcc.st, v->u.d, up_now());
	return 0;
}

/* Written by DVCC on the Multi; a missing BMS value arrives as invalid. */
static int write_max_discharge(struct vedbus_item *item, const struct vedbus_value *v, void *ud)
{
	struct up *up = ud;

	if (v->type == VEDBUS_TYPE_DOUBLE) {
		if (!isfinite(v->u.d))
			return -ERANGE;
		upc_set_link_discharge(&up->dvcc.st, v->u.d, up_now());
	}
	return 0;
}

static const struct vedbus_format f_v2 = { .unit = "V", .decimals = 2 };
static const struct vedbus_format f_a1 = { .unit = "A", .decimals = 1 };

#define W  VEDBUS_ITEM_WRITABLE
#define WN (VEDBUS_ITEM_WRITABLE | VEDBUS_ITEM_NULLABLE)
const struct vedbus_item_def up_dvcc_solar_items[] = {
	{ "/Link/NetworkMode", VEDBUS_TYPE_INT, W },
	{ "/Link/ChargeVoltage", VEDBUS_TYPE_DOUBLE, W, &f_v2, write_charge_voltage },
	{ "/Link/ChargeCurrent", VEDBUS_TYPE_DOUBLE, W, &f_a1, write_charge_current },
	{ "/Link/NetworkStatus", VEDBUS_TYPE_INT, 0 },
	{ "/Diagnostics/ChargeVoltageSource", VEDBUS_TYPE_STRING, 0 },
	{ "/Diagnostics/ChargeVoltage", VEDBUS_TYPE_DOUBLE, 0, &f_v2 },
	{ "/Diagnostics/ChargeCurrent", VEDBUS_TYPE_DOUBLE, 0, &f_a1 },
	{ "/Diagnostics/DischargeAllowed", VEDBUS_TYPE_INT, 0 },
	{ "/Diagnostics/SettingsWrites", VEDBUS_TYPE_INT, 0 },
	{ "/Diagnostics/SettingsRejected", VEDBUS_TYPE_INT, 0 },
	{ .path = NULL },
};

const struct vedbus_item_def up_dvcc_vebus_items[] = {
	{ "/BatteryOperationalLimits/MaxChargeVoltage", VEDBUS_TYPE_DOUBLE, WN, &f_v2 },
	{ "/BatteryOperationalLimits/MaxChargeCurrent", VEDBUS_TYPE_DOUBLE, WN, &f_a1 },
	{ "/BatteryOperationalLimits/MaxDischargeCurrent", VEDBUS_TYPE_DOUBLE, WN, &f_a1,
	  write_max_discharge },
	{ "/BatteryOperationalLimits/BatteryLowVoltage", VEDBUS_TYPE_DOUBLE, WN, &f_v2 },
	{ .path = NULL },
};

int up_dvcc_init(struct up *up)
{
	struct up_dvcc *d = &up->dvcc;

	up_config_control(&up->cfg, &d->cfg);
	upc_init(&d->st, &d->cfg, up_now());
	d->logged_voltage_source = (enum upc_source) - 1;
	d->reject_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
	return 0;
}

static void submit_next(struct up *up);

static void write_done(struct mb_engine *eng, int status, void *userdata)
{
	struct up *up = userdata;
	struct up_dvcc *d = &up->dvcc;
	const struct upc_write *w = &d->queue[d->next];

	if (status == 0) {
		d->register_writes++;
		log_info("settings: wrote %s = %.2f (0x%04x)", upc_reg_name(w->reg), w->value,
			 reg_addr[w->reg]);
		d->next++;
		submit_next(up);
		return;
	}
	d->rejected++;
	snprintf(up->last_error, sizeof(up->last_error), "write %s = %.2f: %s",
		 upc_reg_name(w->reg), w->value, mb_strerror(status));
	log_ratelimited(&d->reject_rl, LOG_LEVEL_WARNING, "settings: %s; not retried before %.0f s",
			up->last_error, up->cfg.write_interval);
	d->busy = false;
}

static void submit_next(struct up *up)
{
	struct up_dvcc *d = &up->dvcc;
	const struct upc_write *w = &d->queue[d->next];
	int r;

	if (d->next >= d->n_queue) {
		d->busy = false;
		return;
	}
	r = mb_engine_write_value(up->eng, up->table, reg_addr[w->reg], w->value, write_done, up);
	if (r < 0) {
		log_warn("settings: cannot write %s = %.2f: %s", upc_reg_name(w->reg), w->value,
			 strerror(-r));
		d->busy = false;
	}
}

static void read_device(const struct up *up, struct upc_device *dev)
{
	for (unsigned int k = 0; k < UPC_N_REGS; k++)
		dev->reg[k] = up_value(up, reg_addr[k]);
	dev->clv = up_value(up, UP_CLV);
	dev->ovd = up_value(up, UP_OVD);
	dev->dlv = up_value(up, UP_DLV);
}

static void log_step(struct up *up, const struct upc_output *o)
{
	struct up_dvcc *d = &up->dvcc;
	unsigned int today = upc_writes_today(&d->st, up_now());

	if (o->voltage_source != d->logged_voltage_source) {
		d->logged_voltage_source = o->voltage_source;
		log_info("charge voltage: from %s", upc_source_text(o->voltage_source));
	}
	if (o->voltage_clamped != d->logged_clamp) {
		d->logged_clamp = o->voltage_clamped;
		if (o->voltage_clamped)
			log_warn("charge voltage: limited to the device's charging limit %.2f V",
				 o->charge_voltage);
	}
	for (unsigned int ch = 0; ch < UPC_N_CHANGES; ch++)
		if (o->planned[ch] && o->decision[ch] == EEG_WRITE)
			log_info("settings: %s change%s, %u of %u today", upc_change_name(ch),
				 o->safer[ch] ? " (safer)" : "", today, d->cfg.daily_budget);
}

static void publish(struct up *up)
{
	const struct up_dvcc *d = &up->dvcc;
	struct vedbus_value src = vedbus_string(upc_source_text(d->out.voltage_source));

	vedbus_service_set(up->svc[UP_SOLAR], "/Diagnostics/ChargeVoltageSource", &src);
	up_set(up, UP_SOLAR, "/Diagnostics/ChargeVoltage", d->out.charge_voltage);
	up_set(up, UP_SOLAR, "/Diagnostics/ChargeCurrent", d->out.charge_current);
	up_set_int(up, UP_SOLAR, "/Diagnostics/DischargeAllowed", d->out.discharge_allowed);
	up_set_int(up, UP_SOLAR, "/Diagnostics/SettingsWrites", (int)d->register_writes);
	up_set_int(up, UP_SOLAR, "/Diagnostics/SettingsRejected", (int)d->rejected);
	up_set_int(up, UP_SOLAR, "/Link/NetworkStatus",
		   d->out.voltage_source == UPC_SOURCE_DVCC ? 1 : 4);
}

void up_dvcc_step(struct up *up)
{
	struct up_dvcc *d = &up->dvcc;
	struct upc_inputs in = { .bms_max_charge_voltage = up->bms.max_charge_voltage,
				 .bms_max_discharge_current = up->bms.max_discharge_current,
				 .now = up_now() };

	if (up->probing || !up->connected || d->busy) {
		publish(up);
		return;
	}
	read_device(up, &in.dev);
	upc_step(&d->cfg, &d->st, &in, &d->out);
	log_step(up, &d->out);
	if (d->out.n_writes) {
		memcpy(d->queue, d->out.writes, d->out.n_writes * sizeof(d->queue[0]));
		d->n_queue = d->out.n_writes;
		d->next = 0;
		d->busy = true;
		submit_next(up);
	}
	publish(up);
}
