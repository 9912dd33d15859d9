/* SPDX-License-Identifier: MIT */
/*
 * up5000-control.h - the UP5000 charge controller: DVCC / BMS limits to settings registers
 *
 * Pure: a function of (configuration, state, inputs, now) with no clock, no I/O and no log.
 * Times are monotonic microseconds. The driver feeds it the values read back from the device
 * and the limits Venus wrote, and executes the writes it returns, in order.
 *
 * Mapping:
 *  - charge voltage V (DVCC /Link/ChargeVoltage; the BMS /Info/MaxChargeVoltage when following
 *    it; the lower of the two when both are known; the fallback when none has been fresh for
 *    the timeout) -> equalize = boost = float = V, boost reconnect = V - offset, clamped to
 *    the device's charging limit voltage (CLV);
 *  - discharge allowed (no fresh "max discharge current 0" from DVCC or the followed BMS) ->
 *    low-voltage disconnect at the normal level, else raised to the "stop" level; low-voltage
 *    reconnect = LVD + offset; LVD never below the device's discharge limit voltage (DLV);
 *  - charge current (DVCC /Link/ChargeCurrent, capped by the charger's limit; the fallback
 *    when stale) -> the aggregate maximum charging current register.
 * Each of the three is one EEPROM-guarded change (eeprom-guard.h): written only when the value
 * read back differs by at least the step, at most once per interval and within the daily
 * budget, except changes that make things safer (lower voltage, stop discharge, lower
 * current). The registers of a change are ordered so the device's constraints
 * (OVD > CLV >= ECV >= BCV >= FCV > BVR, LVR > LVD >= DLV) hold after every single write:
 * registers going down are written lowest first, then those going up highest first.
 * At start the device keeps its own settings until Venus writes a limit, or until the
 * timeout passed without one (then the fallback applies).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadman.h"
#include "eeprom-guard.h"

/* The settings registers the controller writes, in the order of the constraint chains. */
enum upc_reg {
	UPC_ECV = 0,
	UPC_BCV,
	UPC_FCV,
	UPC_BVR,
	UPC_LVR,
	UPC_LVD,
	UPC_CURRENT,
	UPC_N_REGS,
};

/* One EEPROM-guarded change. */
enum upc_change {
	UPC_CHANGE_VOLTAGE = 0, /* ECV, BCV, FCV, BVR */
	UPC_CHANGE_LOW_VOLTAGE, /* LVR, LVD */
	UPC_CHANGE_CURRENT,	/* aggregate charging current */
	UPC_N_CHANGES,
};

/* Where the charge voltage (or current) in force comes from. */
enum upc_source {
	UPC_SOURCE_DEVICE = 0, /* nothing yet: the device keeps its own settings */
	UPC_SOURCE_DVCC,
	UPC_SOURCE_BMS,
	UPC_SOURCE_FALLBACK,
	UPC_SOURCE_DISABLED, /* control switched off in the configuration */
};

struct upc_config {
	bool enabled;	      /* false: never write */
	bool follow_bms;      /* also follow the BMS limits directly */
	bool control_current; /* write the charging current register */
	int64_t timeout;      /* µs a limit stays fresh after its last write */
	double fallback_voltage;
	double fallback_current;	 /* A; the charge current limit when negative */
	double min_voltage, max_voltage; /* what /Link/ChargeVoltage accepts */
	double current_limit;		 /* A, /Settings/ChargeCurrentLimit */
	double bvr_offset;		 /* boost reconnect below the charge voltage */
	double lvd, lvd_stop, lvr_offset;
	double voltage_step, current_step; /* EEPROM guard steps */
	int64_t write_interval;		   /* µs between writes of one change */
	unsigned int daily_budget;
};

/* Values read back from the device; NAN when unknown. */
struct upc_device {
	double reg[UPC_N_REGS];
	double clv; /* charging limit voltage: ceiling of ECV/BCV/FCV */
	double ovd; /* over-voltage disconnect */
	double dlv; /* discharge limit voltage: floor of LVD */
};

struct upc_inputs {
	struct upc_device dev;
	double bms_max_charge_voltage;	  /* followed BMS; NAN: none */
	double bms_max_discharge_current; /* followed BMS; NAN: none */
	int64_t now;
};

/* State, owned by the caller; initialise with upc_init(). Plain data. */
struct upc_state {
	int64_t start;
	struct deadman link_voltage, link_current, link_discharge;
	double link_voltage_value, link_current_value, link_discharge_value;
	struct eeg_budget budget;
	struct eeg guard[UPC_N_CHANGES];
};

struct upc_write {
	enum upc_reg reg;
	double value;
};

struct upc_output {
	enum upc_source voltage_source, current_source;
	double charge_voltage; /* after clamping; NAN when the device keeps its own */
	double charge_current; /* NAN when not controlled */
	bool discharge_allowed;
	double lvd;	      /* the low-voltage disconnect in force; NAN: device's own */
	bool voltage_clamped; /* the request was above the device's charging limit */
	enum eeg_decision decision[UPC_N_CHANGES];
	bool planned[UPC_N_CHANGES]; /* a decision was taken (target and read-back known) */
	bool safer[UPC_N_CHANGES];
	struct upc_write writes[UPC_N_REGS]; /* in the order to write them */
	size_t n_writes;
};

/* upc_init() - the state at @now, with an empty budget and no limit written yet. */
void upc_init(struct upc_state *s, const struct upc_config *c, int64_t now);

/*
 * Writes from Venus. Each accepted write is a keep-alive, also when it repeats the value.
 * upc_check_*() say whether a value is acceptable: 0, or -ERANGE (the SetValue is rejected
 * and nothing is stored).
 */
int upc_check_voltage(const struct upc_config *c, double v);
int upc_check_current(const struct upc_config *c, double a);
void upc_set_link_voltage(struct upc_state *s, double v, int64_t now);
void upc_set_link_current(struct upc_state *s, double a, int64_t now);
void upc_set_link_discharge(struct upc_state *s, double a, int64_t now);

/*
 * upc_step() - decide what to write now. Records the writes it returns in the guards and the
 * budget (the caller writes them, in order, and stops at the first failure).
 */
void upc_step(const struct upc_config *c, struct upc_state *s, const struct upc_inputs *in,
	      struct upc_output *out);

/* upc_writes_today() - changes written in the current 24 h window (/Diagnostics/...). */
unsigned int upc_writes_today(const struct upc_state *s, int64_t now);

/* Texts for logs and D-Bus: "device", "dvcc", "bms", "fallback", "disabled"; register names. */
const char *upc_source_text(enum upc_source src);
const char *upc_reg_name(enum upc_reg reg);
const char *upc_change_name(enum upc_change ch);
