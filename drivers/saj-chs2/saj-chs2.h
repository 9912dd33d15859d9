/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2.h - what the files of dbus-saj-chs2 share: tables, configuration, driver state
 *
 * Private to drivers/saj-chs2/ (and its unit tests). The driver is one struct saj, owned by
 * main(); every pointer in it is owned by it unless a comment says "borrowed".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "deadman.h"
#include "diag.h"
#include "eeprom-guard.h"
#include "hybrid-control.h"
#include "log.h"
#include "mb-engine.h"
#include "saj-chs2-control.h"
#include "vedbus.h"

#define SAJ_PROGRAM "dbus-saj-chs2"

/* Refresh groups of saj_regs. */
enum saj_group {
	SAJ_G_FAST = 0, /* every cycle: powers, modes, directions, limits */
	SAJ_G_SLOW = 1, /* energy counters */
	SAJ_G_ONCE = 2, /* identity */
};

/* ------------------------------------------------------------------------------------------ */
/* Tables (saj-chs2-regs.c)                                                                    */

struct saj_model {
	const char *name;
	double rated; /* W */
};

struct saj_fault {
	unsigned int word; /* 0: 0x4005, 1: 0x4007, 2: 0x4009 */
	unsigned int bit;
	const char *text;
};

extern const struct mb_reg saj_regs[];
extern const size_t saj_n_regs;
extern const struct mb_reg saj_ctrl_regs[];
extern const size_t saj_n_ctrl_regs;
extern const struct saj_model saj_models[];
extern const char *const saj_model_names[];
extern const struct saj_fault saj_faults[];

/* saj_reg_by_name() - the register called @name in @regs, or NULL. */
const struct mb_reg *saj_reg_by_name(const struct mb_reg *regs, size_t n, const char *name);

/* ------------------------------------------------------------------------------------------ */
/* Configuration (saj-chs2-config.c)                                                           */

struct saj_config {
	char *host;
	int port;
	int unit;
	int interval_ms;
	int energy_interval_ms;
	int response_timeout_ms;
	int backoff_max_ms;
	int model; /* index into saj_models */
	char *service_suffix;
	int meter_mode;	 /* enum saj_meter_override */
	double capacity; /* Ah, < 0: unknown */
	double min_soc;
	double max_soc;
	bool dvcc_bms;
	bool control;
	struct hc_config hc;
	int keepalive_register; /* < 0: none */
	int keepalive_value;
	int keepalive_period_ms;
	double grid_time_constant; /* s */
	double grid_kp;
	double ramp; /* W/s, < 0: 20 % of rated per second */
	int restore_app_mode;
	char *state_dir;
	int position;
	bool restore;
};

extern const struct cfg_key saj_keys[];
extern const struct cfg_program saj_program;

/*
 * saj_config_check() - checks across keys (min_soc < max_soc, ...), logged naming the key.
 * Return: 0 or -EINVAL.
 */
int saj_config_check(const struct saj_config *c);

/* saj_rated_power() - [control] rated_power, or the model's when it is -1. */
double saj_rated_power(const struct saj_config *c);

/* saj_suffix() - [device] service_suffix, else "saj_<host>[_<unit>]" ([A-Za-z0-9_]). */
const char *saj_suffix(const struct saj_config *c, char *buf, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Driver state                                                                               */

enum saj_svc_id {
	SAJ_SVC_BATTERY = 0,
	SAJ_SVC_PV,
	SAJ_SVC_GRID,
	SAJ_N_SVC,
};

struct saj_svc {
	struct vedbus_service *svc;
	struct vedbus_settings *settings;
	bool registered;
	int64_t created; /* µs; a late service registers once its settings synced or after 2 s */
};

struct saj;

/* Control state (saj-chs2-ctl.c, saj-chs2-device.c). */
struct saj_ctl {
	struct hc_publish *hc; /* items and outputs; the request below is ours */
	struct hc_request req;
	struct hc_state st;
	struct hc_config hcc;
	struct saj_reg reg;
	struct saj_reg_params regp;
	struct deadman limit_alive; /* /Ac/PowerLimit, 60 s */
	double power_limit;	    /* W, NAN: none */
	int prev_app_mode;	    /* AppMode to restore; -1: not known */
	bool owned;		    /* we put the device in passive mode */
	bool busy;		    /* a control transaction is in flight */
	int64_t last_keepalive;	    /* µs */
	struct eeg_budget budget;
	struct eeg app_guard;
	uint64_t n_writes;
	uint64_t n_keepalive;
	bool pv_capped; /* the last step capped a charge at the PV power (logged once) */
	struct log_ratelimit write_rl;
	struct log_ratelimit refuse_rl;
	bool release_pending; /* the transaction in flight hands the device back */
	int release_mode;     /* ... to this AppMode */
	void (*shutdown_fn)(struct saj *s);
	struct vedbus_item *pv_limit_item;    /* /Control/PvChargeLimit */
	struct vedbus_item *export_item;      /* /Control/ExportLimit */
	struct vedbus_item *power_limit_item; /* pvinverter /Ac/PowerLimit */
};

/* Measurements of the last cycle, Victron signs; NAN when not read. */
struct saj_meas {
	double grid;	/* W, + import (CT) */
	double battery; /* W, + charge */
	double bat_volt;
	double soc;
	double pv;	 /* W */
	double pv_ac;	 /* W, inverter AC output */
	double ccl, dcl; /* A */
	int app_mode;	 /* 0x4022, -1 unknown */
	int meter_mode;	 /* 0x4030, -1 unknown */
};

struct saj {
	struct saj_config cfg;
	struct cfg_common common;
	double rated;
	char suffix[96];
	char connection[160];
	struct mb_engine *eng;
	struct saj_svc svcs[SAJ_N_SVC];
	struct diag diag;
	struct saj_ctl ctl;
	struct saj_meas m;
	struct saj_detect detect;
	enum saj_setup setup;
	struct saj_sign bat_sign, grid_sign;
	int bat_factor;	 /* +1: raw + = charge; -1: raw + = discharge (assumed) */
	int grid_factor; /* +1: raw + = import (assumed) */
	bool connected;
	bool quitting;
	struct log_state link_log;
	struct log_state setup_log;
	char last_error[128];
	GMainLoop *loop;
	int exit_code;
};

/* ------------------------------------------------------------------------------------------ */
/* Mapping (saj-chs2.c)                                                                        */

/* saj_map_check() - every name the mapping uses is in the tables. Return: 0 or -ENOENT. */
int saj_map_check(void);

/* saj_map_add_items() - the measurement items of service @id (invalid until read). */
int saj_map_add_items(struct saj *s, enum saj_svc_id id);

/* saj_map_publish() - publish the engine's values of this cycle; fills s->m. */
void saj_map_publish(struct saj *s);

/* saj_number() - the engine's value of the register @name, or NAN. */
double saj_number(const struct saj *s, const char *name);

/* ------------------------------------------------------------------------------------------ */
/* Services (saj-chs2-services.c)                                                              */

int saj_services_new(struct saj *s);
void saj_services_free(struct saj *s);
/* saj_grid_present() - create (and later register) or drop the grid service. */
int saj_grid_present(struct saj *s, bool present);
/* saj_services_cycle() - register a pending grid service, set /Connected, flush all. */
void saj_services_cycle(struct saj *s);
struct vedbus_service *saj_svc(struct saj *s, enum saj_svc_id id);

/* ------------------------------------------------------------------------------------------ */
/* Control on D-Bus (saj-chs2-ctl.c)                                                           */

/* The driver's /Diagnostics/ extras (diag_add()), published by saj_control_cycle(). */
extern const struct vedbus_item_def saj_diag_extras[];

/* saj_control_add() - the /Control/... items on the battery service. */
int saj_control_add(struct saj *s);
/* saj_power_limit_add() - the writable /Ac/PowerLimit on the pvinverter service. */
int saj_power_limit_add(struct saj *s, struct vedbus_service *pv);
void saj_control_free(struct saj *s);
/* saj_control_setup() - the set-up changed: capabilities, /Ac/PowerLimit. */
void saj_control_setup(struct saj *s);
/* saj_control_cycle() - one control step after the measurements were published. */
void saj_control_cycle(struct saj *s);

/* ------------------------------------------------------------------------------------------ */
/* Device writes (saj-chs2-device.c), shared with the restore mode                            */

/* saj_device_apply() - write @cmd (or hand back) unless a write is still in flight. */
void saj_device_apply(struct saj *s, const struct saj_cmd *cmd, int64_t now);
/*
 * saj_control_shutdown() - hand the device back (SIGTERM). Return: 0 when a write was
 * submitted (@done follows), 1 when there is nothing to hand back, <0 on error.
 */
int saj_control_shutdown(struct saj *s, void (*done)(struct saj *s));

/* One register write of a command, in the order given. */
struct saj_write {
	uint16_t addr;
	uint16_t value;
};

/* saj_txn_add_writes() - add @n writes, consecutive addresses merged into one FC10. */
int saj_txn_add_writes(struct mb_txn *txn, int unit, const struct saj_write *w, size_t n,
		       unsigned int flags);

/* saj_release_writes() - standby, zero powers, AppMode @app_mode; into @ret (6 entries). */
size_t saj_release_writes(int app_mode, struct saj_write *ret);

/* saj_ctrl_addr() - the address of the written register @name (must exist). */
uint16_t saj_ctrl_addr(const char *name);

/* State file: the AppMode found before we took the device into passive mode. */
int saj_state_save(const struct saj *s, int app_mode);
int saj_state_load(const struct saj *s); /* the AppMode, or -ENOENT / -EINVAL */
void saj_state_clear(const struct saj *s);

/* ------------------------------------------------------------------------------------------ */
/* Restore mode (saj-chs2-restore.c)                                                           */

/* saj_restore_run() - the --restore one-shot. Return: the exit status. */
int saj_restore_run(struct saj *s);
