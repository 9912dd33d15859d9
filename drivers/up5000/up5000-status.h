/* SPDX-License-Identifier: MIT */
/*
 * up5000-status.h - the UP5000 status bit fields (0x3511, 0x3523, 0x3559, 0x3589) as Venus
 * states, error codes, alarms and log texts
 *
 * Pure and table-driven; bit meanings from the vendor table (devices doc C.4).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vedbus.h"

enum ups_field {
	UPS_ACC = 0, /* 0x3511 AC (grid) charger */
	UPS_LOAD,    /* 0x3523 load (inverter output) */
	UPS_PV,	     /* 0x3559 PV charger */
	UPS_BATT,    /* 0x3589 battery */
	UPS_N_FIELDS,
};

/* What the mapping needs; raw fields are -1 when unknown, numbers NAN. */
struct ups_inputs {
	int raw[UPS_N_FIELDS];
	double battery_voltage;
	double boost_voltage; /* BCV read back: boost above it (minus 0.2 V) is absorption */
	double grid_voltage;
};

/* Alarm paths published on the vebus service, in this order (/Alarms/...). */
enum ups_alarm {
	UPS_ALARM_LOW_BATTERY = 0,
	UPS_ALARM_HIGH_DC_VOLTAGE,
	UPS_ALARM_HIGH_TEMPERATURE,
	UPS_ALARM_OVERLOAD,
	UPS_ALARM_HIGH_DC_CURRENT,
	UPS_ALARM_SHORT_CIRCUIT, /* the solar charger's */
	UPS_N_ALARMS,
};

/* Every member is -1 when it cannot be known (publish invalid). */
struct ups_status {
	int solar_state;  /* /State of the solar charger */
	int solar_error;  /* /ErrorCode of the solar charger */
	int mpp_mode;	  /* /MppOperationMode */
	int vebus_state;  /* /State of the vebus */
	int active_input; /* 0 AC-in 1, 240 none */
	int ac_connected;
	int alarm[UPS_N_ALARMS]; /* 0 ok, 1 warning, 2 alarm */
};

/* ups_decode() - states, error code and alarms from the fields. */
void ups_decode(const struct ups_inputs *in, struct ups_status *ret);

/* ups_alarm_path() - "/Alarms/LowBattery", ... */
const char *ups_alarm_path(enum ups_alarm a);

/*
 * ups_describe() - "0x0009: running, boost" for a log line when a field changes.
 * Return: @buf.
 */
const char *ups_describe(enum ups_field f, uint16_t raw, char *buf, size_t len);

/* ups_field_name() - "AC charger", "load", "PV charger", "battery". */
const char *ups_field_name(enum ups_field f);

/* GetText of the solar charger's /ErrorCode: the code's text ("PV input voltage too high"). */
extern const struct vedbus_format ups_error_format;
extern const struct vedbus_format ups_solar_state_format;
extern const struct vedbus_format ups_vebus_state_format;
