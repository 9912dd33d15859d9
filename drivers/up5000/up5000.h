/* SPDX-License-Identifier: MIT */
/*
 * up5000.h - dbus-up5000-hybrid: the driver object shared by its files
 *
 *   up5000-main.c      main(): configuration, start-up probe, signals, exit
 *   up5000-services.c  the two services (solarcharger, vebus), their trees, settings binding
 *   up5000-pub.c       the engine's publish target: one register path, every service that has it
 *   up5000-link.c      the Modbus link and engine; start-up probe and outage exit
 *   up5000.c           per-cycle mapping: derived values, states, alarms, history, diagnostics
 *   up5000-dvcc.c      /Link/... and BMS limits into the controller, its writes to the device
 *   up5000-bms.c       the followed BMS battery: limits, SOC, cell spread
 *   up5000-multi.c     keeps the emulated Multi from becoming the system's main Multi
 *   up5000-excess.c    the excess-power relay: inputs, decision, MQTT commands, D-Bus state
 *   up5000-mqtt.c      a libmosquitto client driven by the GLib main loop
 * and the pure parts: up5000-control.c, up5000-relay.c, up5000-history.c, up5000-status.c.
 * Everything runs on the GLib main loop; only the Modbus link has a worker thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "diag.h"
#include "log.h"
#include "mb-engine.h"
#include "up5000-config.h"
#include "up5000-control.h"
#include "up5000-history.h"
#include "up5000-relay.h"
#include "up5000-status.h"
#include "vedbus.h"

struct up_mqtt;

enum up_svc {
	UP_SOLAR = 0,
	UP_VEBUS,
	UP_N_SVC,
};

/* The engine's publish target (up5000-pub.c). */
struct up_pub {
	struct vedbus_service *svc[UP_N_SVC];
	bool live; /* names claimed: flush */
};
extern const struct mb_publish_ops up_pub_ops;

/* What the followed BMS says (up5000-dvcc.c); NAN when unknown. */
struct up_bms {
	double max_charge_voltage;
	double max_discharge_current;
	double soc;
	double cell_spread; /* V, max - min cell voltage */
};

struct up_dvcc {
	struct upc_config cfg;
	struct upc_state st;
	struct upc_output out; /* of the last step */
	enum upc_source logged_voltage_source;
	bool logged_clamp;
	struct upc_write queue[UPC_N_REGS];
	size_t n_queue, next;
	bool busy; /* a write is in flight */
	uint64_t register_writes;
	uint64_t rejected;
	struct log_ratelimit reject_rl;
};

struct up_excess {
	struct upr_config cfg;
	struct upr_state st;
	struct up_mqtt *mq;
	bool connected;
	bool last_on;
	char reason[96];
};

struct up {
	struct up_config cfg;
	char *tty;    /* as given */
	char *suffix; /* the service name suffix, "ttyUSB0" */
	char *bus;    /* --dbus */

	struct vedbus_service *svc[UP_N_SVC];
	struct vedbus_settings *settings;
	struct vedbus_monitor *mon;
	struct up_pub pub;
	struct diag diag;

	struct mb_engine *eng;
	size_t table;

	GMainLoop *loop;
	bool probing; /* start-up: no good cycle yet */
	bool connected;
	bool ever_connected;
	int64_t last_good; /* µs, the last good cycle (or the start) */
	int64_t start;
	int exit_code;
	uint64_t cycles;
	int last_raw[UPS_N_FIELDS];
	char last_error[128];
	struct log_state link_log;
	struct log_ratelimit block_rl;

	struct uph history;
	struct up_dvcc dvcc;
	struct up_excess excess;
	struct up_bms bms;
	char *active_bms; /* com.victronenergy.system /ActiveBmsService, or NULL */
	char followed_bms[128];
};

/* up5000-services.c */
int up_services_new(struct up *up);
int up_services_register(struct up *up);
void up_services_free(struct up *up);
int up_set(struct up *up, enum up_svc s, const char *path, double v);  /* NAN: invalid */
int up_set_int(struct up *up, enum up_svc s, const char *path, int v); /* < 0: invalid */
void up_flush(struct up *up);

/* up5000-link.c */
int up_engine_new(struct up *up);
void up_check_link(struct up *up, bool good, int64_t now);

/* up5000.c */
void up_on_cycle(struct mb_engine *eng, const struct mb_cycle_result *res, void *userdata);
double up_value(const struct up *up, uint16_t addr); /* NAN when unknown */

/* up5000-dvcc.c */
int up_dvcc_init(struct up *up);
void up_dvcc_step(struct up *up);
void up_dvcc_publish(struct up *up);
extern const struct vedbus_item_def up_dvcc_solar_items[];
extern const struct vedbus_item_def up_dvcc_vebus_items[];

/* up5000-bms.c */
int up_bms_init(struct up *up);

/* up5000-multi.c */
int up_multi_init(struct up *up);

/* up5000-excess.c */
int up_excess_init(struct up *up);
void up_excess_step(struct up *up);
void up_excess_stop(struct up *up); /* off, and wait (bounded) for it to go out */
void up_excess_free(struct up *up);
extern const struct vedbus_item_def up_excess_items[];

static inline int64_t up_now(void)
{
	return g_get_monotonic_time();
}

static inline int64_t up_us(double seconds)
{
	return (int64_t)(seconds * 1e6);
}
