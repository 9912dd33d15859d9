/* SPDX-License-Identifier: MIT */
/* smartlogger-config.c - configuration keys of dbus-smartlogger-hybrid and their cross-checks */

#include <errno.h>
#include <string.h>

#include "smartlogger.h"

static const char *const position_names[] = { "ac-input-1", "ac-output", "ac-input-2", NULL };

#define F(m, t) CFG_FIELD(struct sl_config, m, t)
const struct cfg_key sl_config_keys[] = {
	{ "link", "host", CFG_STRING, NULL, .offset = F(host, char *), .flags = CFG_KEY_REQUIRED,
	  .option = "host", .help = "SmartLogger address (name or IP)" },
	{ "link", "port", CFG_INT, "502", 1, 65535, .offset = F(port, int), .option = "port",
	  .help = "Modbus TCP port" },
	{ "link", "unit", CFG_INT, "0", 0, 255, .offset = F(unit, int), .option = "unit",
	  .help = "unit id of the SmartLogger itself" },
	{ "link", "request_spacing", CFG_INT, "50", 0, 10000, .offset = F(spacing_ms, int),
	  .help = "ms between a reply and the next request (Huawei drops back-to-back ones)" },
	{ "link", "connect_delay", CFG_INT, "1000", 0, 60000, .offset = F(connect_delay_ms, int),
	  .help = "ms to wait after connecting before the first request" },
	{ "link", "response_timeout", CFG_INT, "3000", 50, 60000,
	  .offset = F(response_timeout_ms, int), .help = "ms to wait for a reply" },
	{ "link", "poll_interval", CFG_INT, "1000", 50, 600000, .offset = F(poll_ms, int),
	  .help = "ms between reads of power, state and control read-backs" },
	{ "link", "slow_interval", CFG_INT, "30000", 50, 3600000, .offset = F(slow_ms, int),
	  .help = "ms between reads of energy counters, limits and temperatures" },
	{ "plant", "inverters", CFG_INT_LIST, NULL, 1, 247,
	  .offset = F(inverters, struct cfg_int_list), .flags = CFG_KEY_REQUIRED,
	  .option = "inverters", .metavar = "ID,ID,...",
	  .help = "unit ids (logical addresses) of the SUN2000 inverters" },
	{ "plant", "battery_inverters", CFG_INT_LIST, NULL, 1, 247,
	  .offset = F(battery_inverters, struct cfg_int_list),
	  .help = "the inverters with a LUNA2000 (empty: every inverter)" },
	{ "plant", "meter_unit", CFG_INT, "-1", -1, 247, .offset = F(meter_unit, int),
	  .option = "meter-unit", .metavar = "N",
	  .help = "unit id of the SmartLogger's meter (-1: none, no grid service)" },
	{ "plant", "meter_inverted", CFG_BOOL, "false", .offset = F(meter_inverted, bool),
	  .help = "the meter counts export as positive (swap import and export)" },
	{ "plant", "service_suffix", CFG_STRING, NULL, .offset = F(suffix, char *),
	  .help = "suffix of the service names (default: from the host)" },
	{ "plant", "position", CFG_ENUM, "ac-input-1", .choices = position_names,
	  .offset = F(position, int),
	  .help = "where the inverters feed in (pvinverter /Position)" },
	{ "plant", "pv_capacity", CFG_DOUBLE, "-1", -1, 1e8, .offset = F(pv_capacity, double),
	  .help = "installed PV power in W (-1: unknown); /Ac/MaxPower until 40697 is read" },
	{ "plant", "battery_capacity", CFG_DOUBLE, "-1", -1, 1e6,
	  .offset = F(battery_capacity, double),
	  .help = "usable battery capacity in kWh (-1: the LUNA2000s' rated capacity)" },
	{ "plant", "battery_rated_power", CFG_DOUBLE, "-1", -1, 1e7,
	  .offset = F(battery_rated_power, double),
	  .help = "largest charge or discharge power of all batteries in W (-1: the devices')" },
	{ "plant", "bms_charge_voltage", CFG_DOUBLE, "-1", -1, 1000,
	  .offset = F(bms_charge_voltage, double),
	  .help = "V; above 0 the battery service is a DVCC BMS with this charge voltage" },
	HC_CONFIG_KEYS(struct sl_config, hc, "-1"),
	{ "control", "keepalive_interval", CFG_DOUBLE, "60", 0.05, 3600,
	  .offset = F(keepalive_s, double),
	  .help = "s between rewrites of an unchanged forcible command" },
	{ "control", "forcible_period", CFG_INT, "5", 1, 1440,
	  .offset = F(forcible_period_min, int),
	  .help = "min; the LUNA2000 stops forcing on its own this long after the last write" },
	{ "control", "power_deadband", CFG_DOUBLE, "50", 0, 1e5, .offset = F(deadband_w, double),
	  .help = "W; smaller setpoint changes wait for the keep-alive" },
	{ "control", "retry_interval", CFG_DOUBLE, "60", 0.05, 86400, .offset = F(retry_s, double),
	  .help = "s before a write refused by the device (0x80, 0x02) is tried again" },
	{ "curtailment", "enable", CFG_BOOL, "true", .offset = F(curtailment, bool),
	  .help = "offer /Ac/PowerLimit and write the SmartLogger's 40420" },
	{ "curtailment", "timeout", CFG_DOUBLE, "60", 0.05, 3600,
	  .offset = F(curtail_timeout_s, double),
	  .help = "s after the last /Ac/PowerLimit write before the limit returns to 40697" },
	{ .key = NULL },
};
#undef F

static const struct cfg_program sl_program = {
	.name = "dbus-smartlogger-hybrid",
	.summary = "Huawei SmartLogger + SUN2000 + LUNA2000 as Venus grid, battery and pvinverter",
	.keys = sl_config_keys,
};

static bool list_has(const struct cfg_int_list *l, int v, size_t before)
{
	for (size_t k = 0; k < before && k < l->n_values; k++)
		if (l->values[k] == v)
			return true;
	return false;
}

static int check_units(const struct sl_config *c)
{
	for (size_t k = 0; k < c->inverters.n_values; k++) {
		int v = c->inverters.values[k];

		if (list_has(&c->inverters, v, k)) {
			log_err("[plant] inverters: unit %d is listed twice", v);
			return -EINVAL;
		}
		if (v == c->unit || v == c->meter_unit) {
			log_err("[plant] inverters: unit %d is also the %s", v,
				v == c->unit ? "SmartLogger ([link] unit)"
					     : "meter ([plant] meter_unit)");
			return -EINVAL;
		}
	}
	if (c->meter_unit == c->unit) {
		log_err("[plant] meter_unit = %d: that is the SmartLogger itself ([link] unit)",
			c->meter_unit);
		return -EINVAL;
	}
	for (size_t k = 0; k < c->battery_inverters.n_values; k++) {
		int v = c->battery_inverters.values[k];

		if (!list_has(&c->inverters, v, c->inverters.n_values)) {
			log_err("[plant] battery_inverters: unit %d is not in [plant] inverters",
				v);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_suffix(const char *s)
{
	if (!s)
		return 0;
	if (!*s || (*s >= '0' && *s <= '9') ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(s)) {
		log_err("[plant] service_suffix = %s: letters, digits and _ only, not starting "
			"with a digit",
			s);
		return -EINVAL;
	}
	return 0;
}

static int check_timing(const struct sl_config *c)
{
	if (c->keepalive_s >= c->forcible_period_min * 60.0) {
		log_err("[control] keepalive_interval = %g: must be shorter than [control] "
			"forcible_period (%d min), or the battery stops between rewrites",
			c->keepalive_s, c->forcible_period_min);
		return -EINVAL;
	}
	return 0;
}

int sl_config_parse(int argc, char **argv, struct cfg_common *common, struct sl_config *cfg)
{
	int r = cfg_parse(&sl_program, argc, argv, common, cfg);

	if (r != 0)
		return r;
	r = check_units(cfg);
	if (r == 0)
		r = check_suffix(cfg->suffix);
	if (r == 0)
		r = check_timing(cfg);
	return r;
}

void sl_config_free(struct sl_config *cfg)
{
	cfg_free(sl_config_keys, cfg);
}
