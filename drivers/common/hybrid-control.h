/* SPDX-License-Identifier: MIT */
/*
 * hybrid-control.h - the /Control/... contract shared by every hybrid driver
 *
 * On its battery service every hybrid driver publishes:
 *
 *   /Control/Mode                  W  0 autonomous, 1 battery power setpoint,
 *                                     2 grid power target, 3 hold (no charge, no discharge)
 *   /Control/BatteryPowerSetpoint  W  W, + charge, - discharge
 *   /Control/GridPowerSetpoint     W  W, + import, - export
 *   /Control/Timeout               W  s (1..3600); a mode or setpoint not rewritten within it
 *                                     falls back to the resting mode
 *   /Control/AllowSelfConsumption  W  0 no, 1 yes, 2 automatic
 *   /Control/ActiveMode               what reached the device after fallbacks
 *   /Control/AppliedPower             W after clamping: battery (mode 1), grid (2), 0 (3),
 *                                     invalid (0)
 *   /Control/MaxChargePower           W in force: min(rated, device, BMS); invalid = none
 *   /Control/MaxDischargePower        W, as above
 *   /Control/Capabilities             HC_CAP_* bits of the present set-up
 *
 * Two halves. The pure half (hc_request_*, hc_step) knows no D-Bus and no clock: tests drive
 * it with a fake clock (monotonic µs, as g_get_monotonic_time()). The glue (hc_publish_*) adds
 * the items to a vedbus service and feeds writes into a struct hc_request; the driver copies
 * that request into struct hc_inputs each cycle, runs hc_step() and writes the device from
 * struct hc_output. doc/driver-runtime.rst holds the whole contract.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "deadman.h"

struct vedbus_service;
struct vedbus_value;

enum hc_mode {
	HC_MODE_AUTONOMOUS = 0, /* the device's own self-consumption */
	HC_MODE_BATTERY = 1,    /* battery power setpoint */
	HC_MODE_GRID = 2,       /* grid power target */
	HC_MODE_HOLD = 3,       /* no charge, no discharge */
};
#define HC_N_MODES 4

enum hc_allow {
	HC_ALLOW_NO = 0,   /* never hand balancing to the device */
	HC_ALLOW_YES = 1,  /* whenever the device can */
	HC_ALLOW_AUTO = 2, /* when the device can and no PV curtailment is active */
};

/*
 * /Control/Capabilities: what the device can do in its present set-up (a SAJ CHS2 without a
 * CT meter: HC_CAP_BATTERY | HC_CAP_HOLD). Bits 0-3 are the modes, 1 << enum hc_mode.
 */
enum hc_cap {
	HC_CAP_AUTONOMOUS = 1u << HC_MODE_AUTONOMOUS, /* self-consumption hand-over */
	HC_CAP_BATTERY = 1u << HC_MODE_BATTERY,
	HC_CAP_GRID = 1u << HC_MODE_GRID,             /* needs a grid meter */
	HC_CAP_HOLD = 1u << HC_MODE_HOLD,
	HC_CAP_CHARGE_FROM_GRID = 1u << 4, /* without it a charge setpoint is met from PV only */
};
#define HC_CAP_MODES (HC_CAP_AUTONOMOUS | HC_CAP_BATTERY | HC_CAP_GRID | HC_CAP_HOLD)

#define HC_TIMEOUT_DEFAULT 60
#define HC_TIMEOUT_MAX 3600
#define HC_SETPOINT_MAX 1e7 /* W; larger magnitudes are rejected as nonsense */

/* Why the active mode differs from the requested one. */
enum hc_reason {
	HC_REASON_REQUESTED = 0,    /* active = requested */
	HC_REASON_TIMEOUT,          /* not rewritten within /Control/Timeout */
	HC_REASON_NOT_CAPABLE,      /* not in the capabilities (any more) */
	HC_REASON_SELF_CONSUMPTION, /* autonomous not allowed by /Control/AllowSelfConsumption */
	HC_REASON_NO_HOLD,          /* hold needed but not capable: autonomous instead */
};

/* What bounded /Control/AppliedPower. */
enum hc_limit {
	HC_LIMIT_NONE = 0,
	HC_LIMIT_RATED,  /* hc_config.rated_power */
	HC_LIMIT_DEVICE, /* limits the device reports */
	HC_LIMIT_BMS,    /* limits of the BMS */
	HC_LIMIT_GRID,   /* hc_config grid import/export limits */
};

/* Settings of the driver, from its configuration (see HC_CONFIG_KEYS). Negative = none. */
struct hc_config {
	double rated_power;       /* W, charge and discharge; the device's nominal AC power */
	double grid_import_limit; /* W, bound of a grid target; -1 none */
	double grid_export_limit; /* W (positive), bound of a grid target; 0 = zero feed-in */
	int timeout;              /* s, initial /Control/Timeout (0: 60) */
	int allow_self_consumption; /* enum hc_allow: initial /Control/AllowSelfConsumption */
};

extern const char *const hc_allow_names[]; /* "no", "yes", "automatic", NULL */

/*
 * HC_CONFIG_KEYS() - the [control] keys of struct hc_config @member inside the driver's config
 * struct @st, for its cfg_key table (config.h), so every hybrid driver spells them the same:
 * rated_power, grid_import_limit, grid_export_limit (W, -1 none), timeout (s),
 * allow_self_consumption (no, yes, automatic).
 */
#define HC_CONFIG_KEYS(st, member, rated_default)                                               \
	{ "control", "rated_power", CFG_DOUBLE, rated_default, -1, 1e6,                         \
	  .offset = CFG_FIELD(st, member.rated_power, double),                                  \
	  .help = "nominal AC power in W, the bound of charge and discharge (-1: the device's)" }, \
	{ "control", "grid_import_limit", CFG_DOUBLE, "-1", -1, 1e6,                            \
	  .offset = CFG_FIELD(st, member.grid_import_limit, double),                            \
	  .help = "largest grid import target in W (-1: none)" },                               \
	{ "control", "grid_export_limit", CFG_DOUBLE, "-1", -1, 1e6,                            \
	  .offset = CFG_FIELD(st, member.grid_export_limit, double),                            \
	  .help = "largest grid export target in W (0: zero feed-in, -1: none)" },              \
	{ "control", "timeout", CFG_INT, "60", 1, HC_TIMEOUT_MAX,                               \
	  .offset = CFG_FIELD(st, member.timeout, int),                                         \
	  .help = "initial /Control/Timeout in s" },                                            \
	{ "control", "allow_self_consumption", CFG_ENUM, "automatic",                          \
	  .choices = hc_allow_names, .offset = CFG_FIELD(st, member.allow_self_consumption, int), \
	  .help = "initial /Control/AllowSelfConsumption" }


/* What has been written from outside. Plain data, owned by its embedder. */
struct hc_request {
	int mode;                   /* /Control/Mode as written */
	double battery_setpoint;    /* W */
	double grid_setpoint;       /* W */
	int timeout;                /* s */
	int allow_self_consumption; /* enum hc_allow */
	struct deadman mode_alive;  /* keep-alive of /Control/Mode */
	struct deadman battery_alive;
	struct deadman grid_alive;
};

/* The writable paths, for hc_request_write(). */
enum hc_path {
	HC_PATH_MODE = 0,
	HC_PATH_BATTERY_SETPOINT,
	HC_PATH_GRID_SETPOINT,
	HC_PATH_TIMEOUT,
	HC_PATH_ALLOW_SELF_CONSUMPTION,
};

struct hc_inputs {
	struct hc_request req;
	unsigned int capabilities; /* HC_CAP_* */
	double device_max_charge;  /* W the device can charge now; NAN or negative: unknown */
	double device_max_discharge;
	double bms_max_charge;     /* W the BMS allows (CCL x voltage); NAN or negative: unknown */
	double bms_max_discharge;
	bool curtailment_active;   /* PV is being curtailed (pvinverter /Ac/PowerLimit in force) */
	int64_t now;               /* µs, monotonic */
};

struct hc_output {
	enum hc_mode active_mode;
	double applied_power;       /* W; NAN in autonomous mode */
	double max_charge_power;    /* W; NAN = no limit known */
	double max_discharge_power; /* W; NAN = no limit known */
	enum hc_reason reason;
	enum hc_limit limited_by;
	bool changed;               /* mode, reason or limited_by differ from the previous step */
};

/* What the controller remembers between steps. Zero it or call hc_state_init(). */
struct hc_state {
	enum hc_mode active_mode;
	enum hc_reason reason;
	enum hc_limit limited_by;
	bool stepped;
};

/* hc_request_init() - mode 0, setpoints 0, never written, timeout and allow from @cfg. */
void hc_request_init(struct hc_request *req, const struct hc_config *cfg);

/*
 * hc_request_write() - validate and store a write of @path at @now. Writes of the mode and
 * setpoints are keep-alives, also when they repeat the stored value; writes of Timeout and
 * AllowSelfConsumption are settings, not keep-alives. Mode 0 is always accepted (it hands
 * control back; hc_step() falls back when the device cannot do it).
 * @v: an INT or DOUBLE value (as SetValue coerced it).
 * Return: 0 stored, -EINVAL wrong type or out of range, -EOPNOTSUPP a mode not in @caps.
 * Nothing is stored on error.
 */
int hc_request_write(struct hc_request *req, unsigned int caps, enum hc_path path,
		     const struct vedbus_value *v, int64_t now);

void hc_state_init(struct hc_state *st);

/*
 * hc_step() - the active mode and applied power for @in.
 * Mode: a requested mode 1-3 whose /Control/Mode and own setpoint (mode 1: battery, mode 2:
 * grid) were both last written @timeout or more ago falls back to the resting mode
 * (HC_REASON_TIMEOUT); one no longer in the capabilities too (HC_REASON_NOT_CAPABLE). The
 * resting mode is autonomous when self-consumption is allowed (AllowSelfConsumption 1, or 2
 * without curtailment, and HC_CAP_AUTONOMOUS), else hold; hold without HC_CAP_HOLD becomes
 * autonomous (HC_REASON_NO_HOLD).
 * Power: limits are min(rated power, device limits, BMS limits) of those known; a battery
 * setpoint is clamped to [-max discharge, +max charge]; a grid target to
 * [-grid export limit, +grid import limit].
 * Updates @st; fills @ret. Reasons are returned, never printed.
 */
void hc_step(const struct hc_config *cfg, struct hc_state *st, const struct hc_inputs *in,
	     struct hc_output *ret);

/* Texts for logs: "autonomous", "timeout", "BMS", ... */
const char *hc_mode_text(int mode);
const char *hc_reason_text(enum hc_reason reason);
const char *hc_limit_text(enum hc_limit limit);

/* ------------------------------------------------------------------------------------------ */
/* D-Bus glue                                                                                 */

struct hc_publish;

/*
 * hc_publish_new() - add the /Control/... items to @svc (borrowed; must outlive the object)
 * with write callbacks that validate through hc_request_write(): a wrong type is refused by
 * the library (SetValue 1), an out-of-range value or a mode not in the capabilities is
 * rejected (SetValue 2, reason logged, rate-limited) and nothing is stored. Write times come
 * from g_get_monotonic_time() (see hc_publish_set_clock()). Call before
 * vedbus_service_register().
 * Return: 0, -ENOMEM, or an error of vedbus_service_add().
 */
int hc_publish_new(struct vedbus_service *svc, const struct hc_config *cfg,
		   unsigned int capabilities, struct hc_publish **ret);

/* hc_publish_free() - free the object; the items stay in the service. NULL-safe. */
struct hc_publish *hc_publish_free(struct hc_publish *p);

/* hc_publish_set_clock() - the clock of write times (NULL: g_get_monotonic_time()); tests. */
void hc_publish_set_clock(struct hc_publish *p, int64_t (*clock)(void));

/* hc_publish_request() - the requests written so far; borrowed, changes with each write. */
const struct hc_request *hc_publish_request(const struct hc_publish *p);

/* hc_publish_set_capabilities() - the set-up changed (e.g. a CT appeared). Return: 0 or <0. */
int hc_publish_set_capabilities(struct hc_publish *p, unsigned int capabilities);
unsigned int hc_publish_capabilities(const struct hc_publish *p);

/* hc_publish_update() - publish ActiveMode, AppliedPower, Max*Power from @out. Return: 0 or <0. */
int hc_publish_update(struct hc_publish *p, const struct hc_output *out);
