/* SPDX-License-Identifier: MIT */
/* up5000-config.c - the configuration keys of dbus-up5000-hybrid and checks across them */

#include <errno.h>
#include <math.h>

#include "log.h"
#include "up5000-config.h"

#define F(m, t) CFG_FIELD(struct up_config, m, t)
#define DBL(g, k, d, lo, hi, m, h)                                                                 \
	{                                                                                          \
		g, k, CFG_DOUBLE, d, lo, hi, .offset = F(m, double), .help = h                     \
	}
#define THR(k, m, h) DBL("relay", k, "-1", -1, 100000, m, h)

const struct cfg_key up_config_keys[] = {
	{ "link", "baud", CFG_INT, "115200", 1200, 921600, .offset = F(baud, int), .option = "baud",
	  .help = "serial speed (8N1)" },
	{ "link", "unit", CFG_INT, "10", 1, 247, .offset = F(unit, int), .option = "unit",
	  .help = "Modbus unit id of the inverter" },
	{ "link", "max_registers", CFG_INT, "10", 1, 125, .offset = F(max_regs, int),
	  .help = "largest block read the device accepts" },
	DBL("link", "response_timeout", "0.5", 0.05, 10, response_timeout, "s to wait for a reply"),
	DBL("link", "fast_interval", "1", 0.1, 60, fast_interval,
	    "s between reads of powers, currents and states"),
	DBL("link", "slow_interval", "10", 0.1, 3600, slow_interval,
	    "s between reads of energy, temperatures and settings"),
	DBL("link", "probe_timeout", "5", 0.5, 60, probe_timeout,
	    "s for the device to answer at start, else exit (serial-starter tries the next "
	    "driver)"),
	DBL("link", "outage_timeout", "60", 0.5, 3600, outage_timeout,
	    "s without an answer before the driver exits (serial-starter probes again)"),
	DBL("device", "charge_current_limit", "80", 1, 1000, charge_current_limit,
	    "A, the solar charger's /Settings/ChargeCurrentLimit"),
	{ "device", "solarcharger_instance", CFG_INT, "288", 0, 999,
	  .offset = F(solarcharger_instance, int), .help = "preferred VRM instance" },
	{ "device", "vebus_instance", CFG_INT, "300", 0, 999, .offset = F(vebus_instance, int),
	  .help = "preferred VRM instance; systemcalc's main Multi is the vebus with the lowest" },
	{ "device", "main_multi", CFG_BOOL, "no", .offset = F(main_multi, bool),
	  .help = "let the emulated Multi be the system's main Multi when a real one is present; "
		  "without it, its instance is moved above a real Multi's" },
	{ "dvcc", "enabled", CFG_BOOL, "yes", .offset = F(dvcc_enabled, bool),
	  .help = "write charge settings from DVCC (and the BMS) to the inverter" },
	{ "dvcc", "follow_bms", CFG_BOOL, "no", .offset = F(follow_bms, bool),
	  .help = "also follow the BMS's /Info/MaxChargeVoltage and /Info/MaxDischargeCurrent" },
	{ "dvcc", "charge_current", CFG_BOOL, "yes", .offset = F(control_current, bool),
	  .help = "write /Link/ChargeCurrent to the maximum charging current register" },
	DBL("dvcc", "timeout", "60", 0.1, 3600, dvcc_timeout,
	    "s a DVCC limit stays in force without a rewrite"),
	DBL("dvcc", "fallback_charge_voltage", "54.4", 40, 64, fallback_voltage,
	    "V when no limit is fresh"),
	DBL("dvcc", "fallback_charge_current", "-1", -1, 1000, fallback_current,
	    "A when no limit is fresh; -1: the charge current limit"),
	DBL("dvcc", "min_charge_voltage", "48", 40, 64, min_voltage,
	    "V, lowest /Link/ChargeVoltage accepted"),
	DBL("dvcc", "max_charge_voltage", "58.4", 40, 64, max_voltage,
	    "V, highest /Link/ChargeVoltage accepted"),
	DBL("dvcc", "boost_reconnect_offset", "0.1", 0.01, 10, bvr_offset,
	    "V, boost reconnect below the charge voltage"),
	DBL("dvcc", "low_voltage_disconnect", "50.5", 36, 64, lvd,
	    "V, low-voltage disconnect while discharge is allowed"),
	DBL("dvcc", "low_voltage_disconnect_stop", "52.6", 36, 64, lvd_stop,
	    "V, low-voltage disconnect while the BMS allows no discharge"),
	DBL("dvcc", "low_voltage_reconnect_offset", "1", 0.1, 10, lvr_offset,
	    "V, low-voltage reconnect above the disconnect"),
	DBL("dvcc", "voltage_step", "0.1", 0.01, 5, voltage_step,
	    "V, smaller differences to the device's value are not written"),
	DBL("dvcc", "current_step", "1", 0.01, 100, current_step,
	    "A, smaller differences to the device's value are not written"),
	DBL("dvcc", "write_interval", "600", 0, 86400, write_interval,
	    "s between writes of one setting, except safer ones"),
	{ "dvcc", "daily_budget", CFG_INT, "48", 1, 10000, .offset = F(daily_budget, int),
	  .help = "settings changes per 24 h, after which only safer ones pass" },
	{ "relay", "enabled", CFG_BOOL, "no", .offset = F(relay_enabled, bool),
	  .help = "switch an excess-power relay over MQTT" },
	{ "relay", "host", CFG_STRING, "127.0.0.1", .offset = F(host, char *),
	  .help = "MQTT broker" },
	{ "relay", "port", CFG_INT, "1883", 1, 65535, .offset = F(port, int),
	  .help = "broker port" },
	{ "relay", "user", CFG_STRING, NULL, .offset = F(user, char *), .help = "broker user" },
	{ "relay", "password", CFG_STRING, NULL, .offset = F(password, char *),
	  .help = "broker password" },
	{ "relay", "topic", CFG_STRING, "cmnd/tasmota_excess_power/POWER",
	  .offset = F(topic, char *), .help = "command topic of the relay" },
	{ "relay", "client_id", CFG_STRING, NULL, .offset = F(client_id, char *),
	  .help = "MQTT client id; empty: chosen by the library" },
	{ "relay", "payload_on", CFG_STRING, "ON", .offset = F(payload_on, char *),
	  .help = "command that switches the relay on" },
	{ "relay", "payload_off", CFG_STRING, "OFF", .offset = F(payload_off, char *),
	  .help = "command that switches the relay off" },
	THR("on_soc", on_soc, "%: on when SOC >= this (-1: not used)"),
	THR("off_soc", off_soc, "%: off when SOC < this"),
	THR("on_battery_voltage", on_battery_voltage, "V: on when battery voltage >= this"),
	THR("off_battery_voltage", off_battery_voltage, "V: off when battery voltage < this"),
	THR("on_pv_power", on_pv_power, "W: on when PV power >= this"),
	THR("off_pv_power", off_pv_power, "W: off when PV power < this"),
	THR("on_pv_voltage", on_pv_voltage, "V: on when PV voltage >= this"),
	THR("off_pv_voltage", off_pv_voltage, "V: off when PV voltage < this"),
	THR("on_cell_spread", on_cell_spread, "V: on when the BMS cell spread <= this"),
	THR("off_cell_spread", off_cell_spread, "V: off when the BMS cell spread > this"),
	DBL("relay", "min_on_time", "60", 0, 86400, min_on_time, "s on before it may switch off"),
	DBL("relay", "min_off_time", "60", 0, 86400, min_off_time, "s off before it may switch on"),
	DBL("relay", "refresh", "60", 0.1, 3600, refresh, "s between repeated commands"),
	{ .key = NULL },
};
#undef F

const struct cfg_program up_program = {
	.name = "dbus-up5000-hybrid",
	.summary = "EPEVER UP5000-HM8042 hybrid inverter as a Venus solarcharger and vebus",
	.args = "TTY",
	.min_args = 1,
	.max_args = 1,
	.keys = up_config_keys,
};

static double thr(double v)
{
	return v < 0 ? NAN : v;
}

/* Hysteresis: "off" must not be on the "on" side of the "on" threshold. */
static int check_pair(const char *on_key, double on, const char *off_key, double off, bool lower)
{
	if (on < 0 || off < 0 || (lower ? off <= on : off >= on))
		return 0;
	log_err("[relay] %s = %g: must be %s [relay] %s = %g", off_key, off,
		lower ? "at most" : "at least", on_key, on);
	return -EINVAL;
}

/* A relay threshold pair whose hysteresis is checked: off below on, except the spread. */
struct threshold_pair {
	const char *on_key, *off_key;
	double on, off;
	bool off_below;
};

int up_config_check(const struct up_config *c)
{
	const struct threshold_pair pairs[] = {
		{ "on_soc", "off_soc", c->on_soc, c->off_soc, true },
		{ "on_battery_voltage", "off_battery_voltage", c->on_battery_voltage,
		  c->off_battery_voltage, true },
		{ "on_pv_power", "off_pv_power", c->on_pv_power, c->off_pv_power, true },
		{ "on_pv_voltage", "off_pv_voltage", c->on_pv_voltage, c->off_pv_voltage, true },
		{ "on_cell_spread", "off_cell_spread", c->on_cell_spread, c->off_cell_spread,
		  false },
	};
	int r = 0;

	if (c->lvd_stop < c->lvd) {
		log_err("[dvcc] low_voltage_disconnect_stop = %g: must be at least "
			"[dvcc] low_voltage_disconnect = %g",
			c->lvd_stop, c->lvd);
		r = -EINVAL;
	}
	if (c->min_voltage >= c->max_voltage) {
		log_err("[dvcc] min_charge_voltage = %g: must be below [dvcc] max_charge_voltage "
			"= %g",
			c->min_voltage, c->max_voltage);
		r = -EINVAL;
	}
	if (c->relay_enabled && (!c->topic || !c->topic[0] || !c->host || !c->host[0])) {
		log_err("[relay] topic and host: required when [relay] enabled = yes");
		r = -EINVAL;
	}
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (check_pair(pairs[i].on_key, pairs[i].on, pairs[i].off_key, pairs[i].off,
			       pairs[i].off_below) < 0)
			r = -EINVAL;
	return r;
}

void up_config_control(const struct up_config *c, struct upc_config *ret)
{
	*ret = (struct upc_config){
		.enabled = c->dvcc_enabled,
		.follow_bms = c->follow_bms,
		.control_current = c->control_current,
		.timeout = (int64_t)(c->dvcc_timeout * 1e6),
		.fallback_voltage = c->fallback_voltage,
		.fallback_current = c->fallback_current,
		.min_voltage = c->min_voltage,
		.max_voltage = c->max_voltage,
		.current_limit = c->charge_current_limit,
		.bvr_offset = c->bvr_offset,
		.lvd = c->lvd,
		.lvd_stop = c->lvd_stop,
		.lvr_offset = c->lvr_offset,
		.voltage_step = c->voltage_step,
		.current_step = c->current_step,
		/* for the guard 0 is its default and a negative value none */
		.write_interval = c->write_interval > 0 ? (int64_t)(c->write_interval * 1e6) : -1,
		.daily_budget = (unsigned int)c->daily_budget,
	};
}

void up_config_relay(const struct up_config *c, struct upr_config *ret)
{
	*ret = (struct upr_config){
		.on = { thr(c->on_soc), thr(c->on_battery_voltage), thr(c->on_pv_power),
			thr(c->on_pv_voltage), thr(c->on_cell_spread) },
		.off = { thr(c->off_soc), thr(c->off_battery_voltage), thr(c->off_pv_power),
			 thr(c->off_pv_voltage), thr(c->off_cell_spread) },
		.min_on = (int64_t)(c->min_on_time * 1e6),
		.min_off = (int64_t)(c->min_off_time * 1e6),
		.refresh = (int64_t)(c->refresh * 1e6),
	};
}
