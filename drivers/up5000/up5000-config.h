/* SPDX-License-Identifier: MIT */
/* up5000-config.h - the configuration of dbus-up5000-hybrid: one struct, one key table */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "up5000-control.h"
#include "up5000-relay.h"

/* Everything a configuration file or the command line can set. Strings are owned: cfg_free(). */
struct up_config {
	/* [link] */
	int baud;
	int unit;
	int max_regs;
	double response_timeout; /* s */
	double fast_interval;	 /* s */
	double slow_interval;	 /* s */
	double probe_timeout;	 /* s */
	double outage_timeout;	 /* s */
	/* [device] */
	double charge_current_limit; /* A, /Settings/ChargeCurrentLimit */
	int solarcharger_instance;
	int vebus_instance;
	bool main_multi;
	/* [dvcc] */
	bool dvcc_enabled;
	bool follow_bms;
	bool control_current;
	double dvcc_timeout;
	double fallback_voltage;
	double fallback_current;
	double min_voltage, max_voltage;
	double bvr_offset;
	double lvd, lvd_stop, lvr_offset;
	double voltage_step, current_step;
	double write_interval;
	int daily_budget;
	/* [relay] */
	bool relay_enabled;
	char *host;
	int port;
	char *user;
	char *password;
	char *topic;
	char *client_id;
	char *payload_on;
	char *payload_off;
	double on_soc, off_soc;
	double on_battery_voltage, off_battery_voltage;
	double on_pv_power, off_pv_power;
	double on_pv_voltage, off_pv_voltage;
	double on_cell_spread, off_cell_spread;
	double min_on_time, min_off_time, refresh;
};

extern const struct cfg_key up_config_keys[];
extern const struct cfg_program up_program;

/* up_config_check() - checks across keys (hysteresis, ordering); logs each problem. 0 or -EINVAL.
 */
int up_config_check(const struct up_config *c);

/* The pure controllers' configurations, derived from @c. */
void up_config_control(const struct up_config *c, struct upc_config *ret);
void up_config_relay(const struct up_config *c, struct upr_config *ret);
