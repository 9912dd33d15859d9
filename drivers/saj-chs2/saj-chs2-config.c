/* SPDX-License-Identifier: MIT */
/* saj-chs2-config.c - the configuration keys of dbus-saj-chs2 and the checks across them */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "saj-chs2.h"

static const char *const meter_names[] = { "auto", "ct", "none", NULL };

#define F(m, t) CFG_FIELD(struct saj_config, m, t)

const struct cfg_key saj_keys[] = {
	{ "link", "host", CFG_STRING, NULL, .offset = F(host, char *), .flags = CFG_KEY_REQUIRED,
	  .option = "host", .help = "address of the inverter (or its Modbus TCP gateway)" },
	{ "link", "port", CFG_INT, "502", 1, 65535, .offset = F(port, int), .option = "port",
	  .help = "Modbus TCP port" },
	{ "link", "unit", CFG_INT, "1", 0, 247, .offset = F(unit, int), .option = "unit",
	  .help = "Modbus unit id" },
	{ "link", "interval_ms", CFG_INT, "1000", 50, 60000, .offset = F(interval_ms, int),
	  .help = "poll and control cycle in ms" },
	{ "link", "energy_interval_ms", CFG_INT, "10000", 50, 3600000,
	  .offset = F(energy_interval_ms, int), .help = "refresh of the energy counters in ms" },
	{ "link", "response_timeout_ms", CFG_INT, "1000", 50, 10000,
	  .offset = F(response_timeout_ms, int), .help = "Modbus response timeout in ms" },
	{ "link", "backoff_max_ms", CFG_INT, "30000", 100, 600000, .offset = F(backoff_max_ms, int),
	  .help = "longest wait between reconnect attempts" },
	{ "device", "model", CFG_ENUM, "CHS2-50K-T6-X", .choices = saj_model_names,
	  .offset = F(model, int), .option = "model", .metavar = "MODEL",
	  .help = "inverter model; sets the rated power" },
	{ "device", "service_suffix", CFG_STRING, NULL, .offset = F(service_suffix, char *),
	  .help = "suffix of the service names (default saj_<host>, plus _<unit> unless 1)" },
	{ "device", "meter_mode", CFG_ENUM, "auto", .choices = meter_names,
	  .offset = F(meter_mode, int), .option = "meter-mode",
	  .help = "set-up: auto (read 0x4030), ct (Setup A) or none (Setup B)" },
	{ "battery", "capacity", CFG_DOUBLE, "-1", -1, 100000, .offset = F(capacity, double),
	  .help = "installed capacity in Ah for /InstalledCapacity (-1: unknown)" },
	{ "battery", "min_soc", CFG_DOUBLE, "10", 0, 100, .offset = F(min_soc, double),
	  .help = "no discharge at or below this state of charge, %" },
	{ "battery", "max_soc", CFG_DOUBLE, "100", 0, 100, .offset = F(max_soc, double),
	  .help = "no charge at or above this state of charge, %" },
	{ "battery", "dvcc_bms", CFG_BOOL, "false", .offset = F(dvcc_bms, bool),
	  .help = "publish /Info/MaxChargeVoltage, which makes the battery a DVCC BMS" },
	HC_CONFIG_KEYS(struct saj_config, hc, "-1"),
	{ "control", "enabled", CFG_BOOL, "true", .offset = F(control, bool),
	  .help = "false: monitoring only, nothing is ever written to the inverter" },
	{ "control", "keepalive_register", CFG_INT, "-1", -1, 65535,
	  .offset = F(keepalive_register, int),
	  .help = "EMS keep-alive register written while in control (-1: none)" },
	{ "control", "keepalive_value", CFG_INT, "1", 0, 65535, .offset = F(keepalive_value, int),
	  .help = "value written to the keep-alive register" },
	{ "control", "keepalive_period_ms", CFG_INT, "1000", 50, 600000,
	  .offset = F(keepalive_period_ms, int), .help = "keep-alive period in ms" },
	{ "control", "grid_time_constant", CFG_DOUBLE, "2", 0.05, 600,
	  .offset = F(grid_time_constant, double),
	  .help = "integral time constant of the grid-target regulator in s" },
	{ "control", "grid_kp", CFG_DOUBLE, "0.5", 0, 5, .offset = F(grid_kp, double),
	  .help = "proportional gain of the grid-target regulator (damping)" },
	{ "control", "ramp", CFG_DOUBLE, "-1", -1, 1e7, .offset = F(ramp, double),
	  .help = "largest change of the regulated battery power in W/s (-1: 20 % of rated)" },
	{ "control", "restore_app_mode", CFG_INT, "0", 0, 14, .offset = F(restore_app_mode, int),
	  .help = "AppMode to restore when the one found at take-over is not known" },
	{ "control", "state_dir", CFG_STRING, "/data/var/lib/dbus-saj-chs2",
	  .offset = F(state_dir, char *),
	  .help = "where the AppMode found at take-over is kept for --restore" },
	{ "pvinverter", "position", CFG_INT, "0", 0, 2, .offset = F(position, int),
	  .help = "/Position: 0 AC input 1, 1 AC output, 2 AC input 2" },
	{ "run", "restore", CFG_BOOL, "false", .offset = F(restore, bool), .option = "restore",
	  .help = "hand the inverter back to its own AppMode, then exit (finish script)" },
	{ .key = NULL },
};

#undef F

const struct cfg_program saj_program = {
	.name = SAJ_PROGRAM,
	.summary = "SAJ CHS2 hybrid inverter over Modbus TCP as Venus grid, battery and pvinverter",
	.keys = saj_keys,
};

int saj_config_check(const struct saj_config *c)
{
	if (c->min_soc >= c->max_soc) {
		log_err("[battery] min_soc = %g: must be below [battery] max_soc = %g", c->min_soc,
			c->max_soc);
		return -EINVAL;
	}
	if (c->restore_app_mode > 3 && c->restore_app_mode != 14) {
		log_err("[control] restore_app_mode = %d: must be 0, 1, 2, 3 or 14",
			c->restore_app_mode);
		return -EINVAL;
	}
	if (c->service_suffix && *c->service_suffix &&
	    (!g_ascii_isalpha(c->service_suffix[0]) ||
	     strspn(c->service_suffix, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "_") !=
		     strlen(c->service_suffix))) {
		log_err("[device] service_suffix = %s: letters, digits and _ only, starting with a "
			"letter",
			c->service_suffix);
		return -EINVAL;
	}
	if (!c->state_dir || !*c->state_dir) {
		log_err("[control] state_dir: must not be empty");
		return -EINVAL;
	}
	return 0;
}

double saj_rated_power(const struct saj_config *c)
{
	if (c->hc.rated_power > 0)
		return c->hc.rated_power;
	return saj_models[c->model].rated;
}

const char *saj_suffix(const struct saj_config *c, char *buf, size_t len)
{
	g_autofree char *host = g_strdup(c->host ? c->host : "none");

	if (c->service_suffix && *c->service_suffix) {
		snprintf(buf, len, "%s", c->service_suffix);
		return buf;
	}
	g_strcanon(host, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS, '_');
	if (c->unit != 1)
		snprintf(buf, len, "saj_%s_%d", host, c->unit);
	else
		snprintf(buf, len, "saj_%s", host);
	return buf;
}

const struct mb_reg *saj_reg_by_name(const struct mb_reg *regs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (regs[i].name && strcmp(regs[i].name, name) == 0)
			return &regs[i];
	return NULL;
}
