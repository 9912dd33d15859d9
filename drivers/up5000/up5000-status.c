/* SPDX-License-Identifier: MIT */
/* up5000-status.c - UP5000 status bit fields as Venus states, error codes, alarms, log texts */

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "up5000-status.h"

/* (raw & mask) == value */
struct bits {
	uint16_t mask;
	uint16_t value;
	const char *text;
};

#define FLAG(bit, t)                                                                               \
	{                                                                                          \
		1u << (bit), 1u << (bit), t                                                        \
	}
#define RUN_FAULT { 0x0001, 0x0001, "running" }, { 0x0001, 0, "standby" }, FLAG(1, "fault")
#define STAGES                                                                                     \
	{ 0x000C, 0x0004, "float" }, { 0x000C, 0x0008, "boost" },                                  \
	{                                                                                          \
		0x000C, 0x000C, "equalize"                                                         \
	}
#define LOAD_LEVEL                                                                                 \
	{ 0x3000, 0x1000, "load medium" }, { 0x3000, 0x2000, "load nominal" },                     \
	{                                                                                          \
		0x3000, 0x3000, "overload"                                                         \
	}

static const struct bits acc_bits[] = {
	RUN_FAULT,
	STAGES,
	FLAG(4, "low temperature"),
	FLAG(5, "bus over-voltage"),
	FLAG(6, "bus under-voltage"),
	FLAG(7, "input over-current"),
	FLAG(8, "abnormal output voltage"),
	FLAG(9, "heat sink over-temperature"),
	FLAG(10, "hardware over-voltage"),
	FLAG(11, "short circuit"),
	LOAD_LEVEL,
	{ 0xC000, 0x4000, "input voltage low" },
	{ 0xC000, 0x8000, "input voltage high" },
	{ 0xC000, 0xC000, "input not connected" },
	{ 0 },
};

static const struct bits load_bits[] = {
	RUN_FAULT,
	FLAG(2, "low temperature"),
	FLAG(3, "high temperature"),
	FLAG(4, "abnormal frequency"),
	FLAG(5, "output fail"),
	FLAG(6, "high-voltage side short"),
	FLAG(7, "input over-current"),
	FLAG(8, "abnormal output voltage"),
	FLAG(9, "unable to stop discharging"),
	FLAG(10, "unable to discharge"),
	FLAG(11, "short circuit"),
	LOAD_LEVEL,
	{ 0xC000, 0x4000, "input voltage low" },
	{ 0xC000, 0x8000, "input voltage high" },
	{ 0xC000, 0xC000, "input voltage error" },
	{ 0 },
};

static const struct bits pv_bits[] = {
	RUN_FAULT,
	STAGES,
	FLAG(4, "PV input short"),
	FLAG(5, "LED load open"),
	FLAG(6, "three-way imbalance"),
	FLAG(7, "load MOSFET short"),
	FLAG(8, "load short"),
	FLAG(9, "load over-current"),
	FLAG(10, "input over-current"),
	FLAG(11, "anti-reverse MOSFET short"),
	FLAG(12, "charging or anti-reverse MOSFET open"),
	FLAG(13, "charging MOSFET short"),
	{ 0xC000, 0x4000, "no input power" },
	{ 0xC000, 0x8000, "input voltage high" },
	{ 0xC000, 0xC000, "input voltage error" },
	{ 0 },
};

static const struct bits batt_bits[] = {
	{ 0x000F, 0, "normal" },
	{ 0x000F, 1, "over-voltage" },
	{ 0x000F, 2, "under-voltage" },
	{ 0x000F, 3, "over-discharge" },
	{ 0x000F, 4, "fault or BMS protection" },
	{ 0x00F0, 0x10, "over-temperature" },
	{ 0x00F0, 0x20, "low temperature" },
	FLAG(8, "internal resistance abnormal"),
	FLAG(9, "lithium charge protection"),
	FLAG(10, "lithium discharge protection"),
	FLAG(15, "nominal voltage not identified"),
	{ 0 },
};

static const struct bits *const field_bits[UPS_N_FIELDS] = {
	[UPS_ACC] = acc_bits,
	[UPS_LOAD] = load_bits,
	[UPS_PV] = pv_bits,
	[UPS_BATT] = batt_bits,
};

/* Solar charger /ErrorCode, first match wins: Victron codes where they mean the same. */
struct error_rule {
	enum ups_field field;
	uint16_t mask, value;
	int code;
	const char *text;
};

static const struct error_rule error_rules[] = {
	{ UPS_PV, 0xC000, 0x8000, 33, "PV input voltage too high" },
	{ UPS_PV, 0x0400, 0x0400, 34, "PV input current too high" },
	{ UPS_BATT, 0x000F, 0x0001, 2, "Battery voltage too high" },
	{ UPS_PV, 0x0010, 0x0010, 201, "PV input short circuit" },
	{ UPS_PV, 0x2000, 0x2000, 202, "Charging MOSFET short" },
	{ UPS_PV, 0x1000, 0x1000, 203, "Charging or anti-reverse MOSFET open" },
	{ UPS_PV, 0x0800, 0x0800, 204, "Anti-reverse MOSFET short" },
	{ UPS_PV, 0xC000, 0xC000, 205, "PV input voltage error" },
	{ UPS_PV, 0x0002, 0x0002, 200, "PV charger fault" },
	{ .text = NULL },
};

struct alarm_rule {
	enum ups_alarm alarm;
	enum ups_field field;
	uint16_t mask, value;
	int level;
};

static const struct alarm_rule alarm_rules[] = {
	{ UPS_ALARM_LOW_BATTERY, UPS_BATT, 0x000F, 2, 1 },
	{ UPS_ALARM_LOW_BATTERY, UPS_BATT, 0x000F, 3, 2 },
	{ UPS_ALARM_HIGH_DC_VOLTAGE, UPS_BATT, 0x000F, 1, 2 },
	{ UPS_ALARM_HIGH_TEMPERATURE, UPS_BATT, 0x00F0, 0x10, 2 },
	{ UPS_ALARM_HIGH_TEMPERATURE, UPS_LOAD, 0x0008, 0x0008, 2 },
	{ UPS_ALARM_HIGH_TEMPERATURE, UPS_ACC, 0x0200, 0x0200, 2 },
	{ UPS_ALARM_OVERLOAD, UPS_LOAD, 0x3000, 0x3000, 2 },
	{ UPS_ALARM_OVERLOAD, UPS_LOAD, 0x0800, 0x0800, 2 },
	{ UPS_ALARM_OVERLOAD, UPS_ACC, 0x3000, 0x3000, 1 },
	{ UPS_ALARM_HIGH_DC_CURRENT, UPS_LOAD, 0x0080, 0x0080, 2 },
	{ UPS_ALARM_HIGH_DC_CURRENT, UPS_ACC, 0x0080, 0x0080, 2 },
	{ UPS_ALARM_SHORT_CIRCUIT, UPS_PV, 0x0010, 0x0010, 2 },
	{ UPS_ALARM_SHORT_CIRCUIT, UPS_PV, 0x0100, 0x0100, 2 },
	{ .level = 0 },
};

static const char *const alarm_paths[UPS_N_ALARMS] = {
	[UPS_ALARM_LOW_BATTERY] = "/Alarms/LowBattery",
	[UPS_ALARM_HIGH_DC_VOLTAGE] = "/Alarms/HighDcVoltage",
	[UPS_ALARM_HIGH_TEMPERATURE] = "/Alarms/HighTemperature",
	[UPS_ALARM_OVERLOAD] = "/Alarms/Overload",
	[UPS_ALARM_HIGH_DC_CURRENT] = "/Alarms/HighDcCurrent",
	[UPS_ALARM_SHORT_CIRCUIT] = "/Alarms/ShortCircuit",
};

static bool match(const struct ups_inputs *in, enum ups_field f, uint16_t mask, uint16_t value)
{
	return in->raw[f] >= 0 && ((uint16_t)in->raw[f] & mask) == value;
}

/* A charging stage (D3-D2: 1 float, 2 boost, 3 equalize) as a Venus state; 0 for none. */
static int stage_state(int raw, const struct ups_inputs *in)
{
	switch ((raw >> 2) & 3) {
	case 1:
		return 5;
	case 2:
		return in->battery_voltage >= in->boost_voltage - 0.2 ? 4 : 3;
	case 3:
		return 7;
	default:
		return 0;
	}
}

static int solar_state(const struct ups_inputs *in)
{
	int raw = in->raw[UPS_PV];

	if (raw < 0)
		return -1;
	if (raw & 0x0002)
		return 2;
	return raw & 0x0001 ? stage_state(raw, in) : 0;
}

static int solar_error(const struct ups_inputs *in)
{
	if (in->raw[UPS_PV] < 0 || in->raw[UPS_BATT] < 0)
		return -1;
	for (const struct error_rule *r = error_rules; r->text; r++)
		if (match(in, r->field, r->mask, r->value))
			return r->code;
	return 0;
}

static int mpp_mode(int state)
{
	switch (state) {
	case -1:
		return -1;
	case 3:
		return 2; /* bulk: tracking the maximum power point */
	case 4:
	case 5:
	case 7:
		return 1; /* voltage or current limited */
	default:
		return 0;
	}
}

static int vebus_state(const struct ups_inputs *in, int grid_ok)
{
	int acc = in->raw[UPS_ACC], load = in->raw[UPS_LOAD];

	if (acc < 0 || load < 0)
		return -1;
	if ((acc | load) & 0x0002)
		return 2;
	if ((acc & 0x0001) && stage_state(acc, in))
		return stage_state(acc, in);
	if (load & 0x0001)
		return 9;
	return grid_ok ? 8 : 0;
}

void ups_decode(const struct ups_inputs *in, struct ups_status *ret)
{
	int grid_ok = in->raw[UPS_ACC] < 0 || isnan(in->grid_voltage)
			      ? -1
			      : ((in->raw[UPS_ACC] & 0xC000) == 0 && in->grid_voltage >= 90.0);

	ret->solar_state = solar_state(in);
	ret->solar_error = solar_error(in);
	ret->mpp_mode = mpp_mode(ret->solar_state);
	ret->vebus_state = vebus_state(in, grid_ok == 1);
	ret->ac_connected = grid_ok;
	ret->active_input = grid_ok < 0 ? -1 : (grid_ok ? 0 : 240);
	for (unsigned int a = 0; a < UPS_N_ALARMS; a++)
		ret->alarm[a] = 0;
	for (const struct alarm_rule *r = alarm_rules; r->level; r++)
		if (match(in, r->field, r->mask, r->value) && r->level > ret->alarm[r->alarm])
			ret->alarm[r->alarm] = r->level;
	for (const struct alarm_rule *r = alarm_rules; r->level; r++)
		if (in->raw[r->field] < 0)
			ret->alarm[r->alarm] = -1;
}

const char *ups_alarm_path(enum ups_alarm a)
{
	return (unsigned int)a < UPS_N_ALARMS ? alarm_paths[a] : NULL;
}

const char *ups_field_name(enum ups_field f)
{
	static const char *const names[UPS_N_FIELDS] = {
		[UPS_ACC] = "AC charger",
		[UPS_LOAD] = "load",
		[UPS_PV] = "PV charger",
		[UPS_BATT] = "battery",
	};

	return (unsigned int)f < UPS_N_FIELDS ? names[f] : "?";
}

const char *ups_describe(enum ups_field f, uint16_t raw, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "0x%04x:", raw);
	const char *sep = " ";

	for (const struct bits *b = field_bits[f]; b->text && n < len; b++) {
		if ((raw & b->mask) != b->value)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, b->text);
		sep = ", ";
	}
	return buf;
}

static int error_text(const struct vedbus_value *v, char *buf, size_t len, void *userdata)
{
	if (v->type == VEDBUS_TYPE_INT && v->u.i == 0) {
		snprintf(buf, len, "No error");
		return 0;
	}
	for (const struct error_rule *r = error_rules; r->text; r++) {
		if (v->type == VEDBUS_TYPE_INT && v->u.i == r->code) {
			snprintf(buf, len, "#%d %s", r->code, r->text);
			return 0;
		}
	}
	snprintf(buf, len, "#%lld", v->type == VEDBUS_TYPE_INT ? (long long)v->u.i : -1LL);
	return 0;
}

const struct vedbus_format ups_error_format = { .text = error_text };

static const struct vedbus_enum solar_states[] = {
	{ 0, "Off" },	{ 2, "Fault" },	   { 3, "Bulk" },    { 4, "Absorption" },
	{ 5, "Float" }, { 7, "Equalize" }, { .text = NULL },
};

static const struct vedbus_enum vebus_states[] = {
	{ 0, "Off" },	     { 2, "Fault" },	 { 3, "Bulk" },
	{ 4, "Absorption" }, { 5, "Float" },	 { 7, "Equalize" },
	{ 8, "Passthru" },   { 9, "Inverting" }, { .text = NULL },
};

const struct vedbus_format ups_solar_state_format = { .enums = solar_states };
const struct vedbus_format ups_vebus_state_format = { .enums = vebus_states };
