/* SPDX-License-Identifier: MIT */
/*
 * smartlogger.h - dbus-smartlogger-hybrid: what the driver's files share
 *
 * A Huawei SmartLogger (unit 0) with SUN2000 inverters (one unit id each), LUNA2000 batteries
 * behind some of them, and the SmartLogger's meter (its own unit id), all over one Modbus TCP
 * link, published as three Venus services: grid (the meter), battery (the LUNA2000 units
 * together) and pvinverter (the SUN2000 units together). See doc/drivers/smartlogger.rst.
 *
 * Files: smartlogger-regs.c (register tables and texts, data only), smartlogger-config.c (keys),
 * smartlogger-agg.c (pure aggregation), smartlogger-control.c (pure dispatch and curtailment),
 * smartlogger-services.c (the item trees), smartlogger-publish.c (one poll cycle to D-Bus),
 * smartlogger-io.c (control glue: hc_step, write transactions, shutdown), smartlogger.c (main).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "diag.h"
#include "eeprom-guard.h"
#include "hybrid-control.h"
#include "log.h"
#include "mb-engine.h"
#include "smartlogger-agg.h"
#include "smartlogger-control.h"
#include "vedbus.h"

/* ------------------------------------------------------------------------------------------ */
/* Register tables (smartlogger-regs.c)                                                       */

enum sl_group {
	SL_FAST = 0, /* power, state, control read-backs: every [link] poll_interval */
	SL_SLOW = 1, /* energy, limits, temperature: every [link] slow_interval */
	SL_ONCE = 2, /* identity: until read once */
};

/* Addresses the mapping code reads by number (protocol addresses, devices doc part A). */
enum sl_addr {
	SL_LOGGER_LIMIT = 40420,   /* I32 0.1 kW, active power adjustment (curtailment) */
	SL_LOGGER_CEILING = 40697, /* I32 0.1 kW, maximum active power adjustment value */
	SL_LOGGER_ESN = 40713,	   /* STR 10, SmartLogger serial */
	SL_METER_STATUS = 65534,   /* U16 0xB001 connected, 0xB000 disconnected */
	SL_INV_MODEL = 30000,
	SL_INV_SERIAL = 30015,
	SL_INV_RATED = 30073,
	SL_INV_ALARM1 = 32008,
	SL_INV_ALARM2 = 32009,
	SL_INV_ALARM3 = 32010,
	SL_INV_VOLT_A = 32069,
	SL_INV_VOLT_B = 32070,
	SL_INV_VOLT_C = 32071,
	SL_INV_CUR_A = 32072,
	SL_INV_CUR_B = 32074,
	SL_INV_CUR_C = 32076,
	SL_INV_POWER = 32080,
	SL_INV_STATUS = 32089,
	SL_INV_FAULT = 32090,
	SL_BAT_TEMP1 = 37022,
	SL_BAT_MAX_CHARGE = 37046,
	SL_BAT_MAX_DISCHARGE = 37048,
	SL_BAT_CAPACITY = 37758, /* U32 Wh */
	SL_BAT_SOC = 37760,
	SL_BAT_STATUS = 37762,
	SL_BAT_POWER = 37765,
	SL_BAT_PRODUCT = 47000,	       /* 0 none, 1 LG, 2 LUNA2000 */
	SL_BAT_CFG_MAX_CHARGE = 47075, /* U32 W */
	SL_BAT_CFG_MAX_DISCHARGE = 47077,
	SL_BAT_PERIOD = 47083,		/* U16 min, forcible period */
	SL_BAT_WORKING_MODE = 47086,	/* U16, 2 maximise self-consumption */
	SL_BAT_GRID_CHARGE = 47087,	/* U16, charging from the grid allowed */
	SL_BAT_COMMAND = 47100,		/* U16, 0 stop, 1 charge, 2 discharge */
	SL_BAT_SETTING_MODE = 47246,	/* U16, 0 time (period in 47083) */
	SL_BAT_CHARGE_POWER = 47247,	/* U32 W */
	SL_BAT_DISCHARGE_POWER = 47249, /* U32 W */
};

#define SL_METER_CONNECTED    0xB001
#define SL_METER_DISCONNECTED 0xB000
#define SL_WORKING_MODE_SELF  2 /* 47086: maximise self-consumption */

extern const struct mb_reg sl_logger_regs[];
extern const size_t sl_n_logger_regs;
extern const struct mb_reg sl_meter_regs[]; /* with the grid service's paths */
extern const size_t sl_n_meter_regs;
extern const struct mb_reg sl_sun2000_regs[];
extern const size_t sl_n_sun2000_regs;
extern const struct mb_reg sl_luna_regs[];
extern const size_t sl_n_luna_regs;
extern const struct mb_reg sl_write_regs[]; /* encoded for writes, never polled */
extern const size_t sl_n_write_regs;

/* How a meter value follows the configured direction ([plant] meter_inverted). */
enum sl_meter_rule {
	SL_METER_PLAIN = 0, /* voltages, power factor */
	SL_METER_SIGNED,    /* powers: negated when inverted */
	SL_METER_CURRENT,   /* sign of the phase power (the one 3 registers on, 32335+) */
	SL_METER_FORWARD,   /* import energy; the reverse register's value when inverted */
	SL_METER_REVERSE,
};
struct sl_meter_map {
	uint16_t addr;
	enum sl_meter_rule rule;
	uint16_t other; /* SIGNED: unused; CURRENT: phase power; FORWARD/REVERSE: the other */
};
extern const struct sl_meter_map sl_meter_rules[];
extern const size_t sl_n_meter_rules;

/* Aggregations over the inverters (pvinverter) and over the batteries (battery). */
extern const struct sl_agg sl_pv_aggs[];
extern const size_t sl_n_pv_aggs;
extern const struct sl_agg sl_battery_aggs[];
extern const size_t sl_n_battery_aggs;

/* SUN2000 alarm bits of 32008-32010 (huawei-solar-lib register_values, devices doc A.7). */
extern const struct sl_alarm_bit sl_alarm_bits[];
extern const size_t sl_n_alarm_bits;

/* 32089 device status: Victron /StatusCode and text. */
extern const struct sl_status_map sl_status_map[];
extern const size_t sl_n_status_map;

extern const struct vedbus_enum sl_luna_state_texts[];	/* 37762 */
extern const struct vedbus_enum sl_meter_error_texts[]; /* grid /ErrorCode */
extern const struct vedbus_enum sl_position_texts[];	/* /Position */
extern const struct vedbus_enum sl_pv_status_texts[];	/* /StatusCode */
extern const struct vedbus_enum sl_command_texts[];	/* 47100 */

/* ------------------------------------------------------------------------------------------ */
/* Configuration (smartlogger-config.c)                                                       */

struct sl_config {
	/* [link] */
	char *host;
	int port;
	int unit;
	int spacing_ms;
	int connect_delay_ms;
	int response_timeout_ms;
	int poll_ms;
	int slow_ms;
	/* [plant] */
	struct cfg_int_list inverters;
	struct cfg_int_list battery_inverters; /* empty: every inverter */
	int meter_unit;			       /* -1: none (no grid service) */
	bool meter_inverted;
	char *suffix; /* service name suffix; NULL: from the host */
	int position;
	double pv_capacity;	    /* W, -1 unknown */
	double battery_capacity;    /* kWh, -1: the devices' 37758 */
	double battery_rated_power; /* W, -1: the devices' limits */
	double bms_charge_voltage;  /* V, > 0 makes the battery service a DVCC BMS */
	/* [control] */
	struct hc_config hc;
	double keepalive_s;
	int forcible_period_min;
	double deadband_w;
	double retry_s;
	/* [curtailment] */
	bool curtailment;
	double curtail_timeout_s;
};

/*
 * sl_config_parse() - defaults, -c file, options into @cfg and @common; then the checks the key
 * table cannot make (unit ids unique, keep-alive shorter than the forcible period), each
 * naming its key. Return: 0 run, CFG_EXIT (printed help etc.), -EINVAL (logged).
 */
int sl_config_parse(int argc, char **argv, struct cfg_common *common, struct sl_config *cfg);
void sl_config_free(struct sl_config *cfg);
extern const struct cfg_key sl_config_keys[];

/* ------------------------------------------------------------------------------------------ */
/* The driver                                                                                 */

/* One SUN2000 inverter, and the LUNA2000 behind it when it has one. */
struct sl_unit {
	int id;		  /* Modbus unit id */
	size_t pv_table;  /* engine table index */
	size_t bat_table; /* valid when has_battery */
	bool has_battery; /* configured with a battery */
	bool no_luna;	  /* 47000 says there is none: left out of totals and control */
	bool online;	  /* the SUN2000 block answered in the last cycle */
	bool bat_online;  /* the LUNA2000 block answered */
	struct log_state online_log;
	struct log_state bat_log;
	uint16_t alarms[3];
	bool alarms_known;
	struct slc_unit ctl; /* dispatch state (smartlogger-control.h) */
	struct log_ratelimit write_rl;
};

struct sl_driver {
	struct sl_config cfg;
	struct cfg_common common;
	GMainLoop *loop;
	char suffix[64];

	struct vedbus_service *grid; /* NULL without a meter */
	struct vedbus_service *battery;
	struct vedbus_service *pv;
	struct vedbus_settings *settings;

	struct mb_engine *eng;
	size_t logger_table;
	size_t meter_table;
	struct sl_unit *units;
	size_t n_units;

	struct hc_config hc_cfg;
	struct hc_publish *hc;
	struct hc_state hc_state;
	struct slc_config slc;
	struct slc_curtail curtail;
	bool curtail_active;
	struct sl_agg_state pv_agg;
	struct sl_agg_state bat_agg;
	struct diag diag;

	struct log_state meter_log;
	struct log_state link_log;
	struct log_state curtail_log;
	struct eeg_budget mode_budget; /* 47086 writes, for /Diagnostics/SettingsWritesToday */
	struct eeg mode_guard;
	struct log_ratelimit limit_rl; /* refused 40420 writes */
	char last_error[160];
	unsigned int n_refused; /* writes refused with 0x80 */
	unsigned int n_writes;	/* write transactions sent */
	char unsupported[160];	/* "unit:addr" refused with 0x02 */
	int64_t last_cycle_us;

	bool stopping;
	unsigned int n_stop_pending;
};

/* smartlogger-services.c: the three services with every path, before the names are claimed. */
int sl_services_new(struct sl_driver *drv);
int sl_services_register(struct sl_driver *drv);
void sl_services_free(struct sl_driver *drv);

/* smartlogger-cycle.c: the engine's on_cycle: units, publishing, diagnostics, control, flush. */
void sl_on_cycle(struct mb_engine *eng, const struct mb_cycle_result *res, void *userdata);

/* smartlogger-publish.c: the services from the values of the cycle; @online per unit. */
void sl_publish_grid(struct sl_driver *drv);
void sl_publish_pv(struct sl_driver *drv, const bool *online);
void sl_publish_battery(struct sl_driver *drv, const bool *online, double max_charge,
			double max_discharge);
/* sl_inverter_path() - "/Inverter/<id>/<leaf>" etc. into @buf. */
const char *sl_unit_path(char *buf, size_t len, const char *node, int id, const char *leaf);

/* smartlogger-io.c: control glue. */
int sl_control_init(struct sl_driver *drv);
/*
 * sl_control_cycle() - after a poll cycle: curtailment, hc_step(), LUNA2000 writes. @bat_online
 * per unit; *ret_max_charge and *ret_max_discharge are the limits in force (W, NAN unknown).
 */
void sl_control_cycle(struct sl_driver *drv, const bool *bat_online, int64_t now,
		      double *ret_max_charge, double *ret_max_discharge);
int sl_power_limit_write(struct vedbus_item *item, const struct vedbus_value *value,
			 void *userdata);
/* sl_shutdown() - STOP and working mode 2 on every battery, then quit the loop. */
void sl_shutdown(struct sl_driver *drv);
void sl_note_error(struct sl_driver *drv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
