/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-regs.c - Huawei SmartLogger, meter, SUN2000 and LUNA2000 registers: data only
 *
 * Addresses, types and gains from ../shared/reference/devices-huawei-saj-up5000.md part A
 * (sections in .source). Huawei publishes raw / gain; our tables give the divisor that turns
 * the raw value into the SI unit published on D-Bus (W, V, A, Hz, kWh, %, degC), e.g. the
 * SmartLogger's 0.1 kW steps: divisor 0.01 gives W. Invalid markers: U16 0xFFFF, I16 0x7FFF,
 * U32 0xFFFFFFFF, I32 0x7FFFFFFF, I64 0x7FFFFFFFFFFFFFFF (A.2); alarm words 32008/32009 have
 * none (every bit means something).
 */

#include "smartlogger.h"

#define INV16  .flags = MB_F_INVALID, .invalid = 0xFFFF
#define INVS16 .flags = MB_F_INVALID, .invalid = 0x7FFF
#define INV32  .flags = MB_F_INVALID, .invalid = 0xFFFFFFFF
#define INVS32 .flags = MB_F_INVALID, .invalid = 0x7FFFFFFF
#define INVS64 .invalid = 0x7FFFFFFFFFFFFFFF
#define ENERGY (MB_F_INVALID | MB_F_ENERGY)
#define SLOW   .group = SL_SLOW
#define ONCE   .group = SL_ONCE

/* SmartLogger itself (unit 0 by default), A.5. */
const struct mb_reg sl_logger_regs[] = {
	MB_REG(40420, MB_S32, NULL, 0.01, INVS32, .name = "Active power adjustment", .unit = "W",
	       .source = "A.5 (0.1 kW)"),
	MB_REG(40697, MB_S32, NULL, 0.01, INVS32, SLOW,
	       .name = "Maximum active power adjustment value", .unit = "W",
	       .source = "A.5 (0.1 kW)"),
	MB_REG(40713, MB_STR, NULL, 0, .len = 10, ONCE, .name = "ESN", .source = "A.5"),
};
const size_t sl_n_logger_regs = sizeof(sl_logger_regs) / sizeof(sl_logger_regs[0]);

/* The meter behind the SmartLogger (its own unit id), A.6; + = import (see sl_meter_rules). */
const struct mb_reg sl_meter_regs[] = {
	MB_REG(32260, MB_U32, "/Ac/L1/Voltage", 100, INV32, .unit = "V", .decimals = 1),
	MB_REG(32262, MB_U32, "/Ac/L2/Voltage", 100, INV32, .unit = "V", .decimals = 1),
	MB_REG(32264, MB_U32, "/Ac/L3/Voltage", 100, INV32, .unit = "V", .decimals = 1),
	MB_REG(32272, MB_S32, "/Ac/L1/Current", 10, INVS32, .unit = "A", .decimals = 1),
	MB_REG(32274, MB_S32, "/Ac/L2/Current", 10, INVS32, .unit = "A", .decimals = 1),
	MB_REG(32276, MB_S32, "/Ac/L3/Current", 10, INVS32, .unit = "A", .decimals = 1),
	MB_REG(32278, MB_S32, "/Ac/Power", 1, INVS32, .unit = "W", .decimals = 0),
	MB_REG(32280, MB_S32, "/Ac/ReactivePower", 1, INVS32, .unit = "var", .decimals = 0),
	MB_REG(32284, MB_S16, "/Ac/PowerFactor", 1000, INVS16, .decimals = 3),
	MB_REG(32335, MB_S32, "/Ac/L1/Power", 1, INVS32, .unit = "W", .decimals = 0),
	MB_REG(32337, MB_S32, "/Ac/L2/Power", 1, INVS32, .unit = "W", .decimals = 0),
	MB_REG(32339, MB_S32, "/Ac/L3/Power", 1, INVS32, .unit = "W", .decimals = 0),
	MB_REG(32349, MB_S64, "/Ac/Energy/Reverse", 100, .flags = ENERGY, INVS64, .unit = "kWh",
	       .decimals = 2, .name = "Negative active electricity"),
	MB_REG(32357, MB_S64, "/Ac/Energy/Forward", 100, .flags = ENERGY, INVS64, .unit = "kWh",
	       .decimals = 2, .name = "Positive active electricity"),
	MB_REG(65534, MB_U16, NULL, 1, .name = "Device connection status", .source = "A.5"),
};
const size_t sl_n_meter_regs = sizeof(sl_meter_regs) / sizeof(sl_meter_regs[0]);

const struct sl_meter_map sl_meter_rules[] = {
	{ 32272, SL_METER_CURRENT, 32335 }, { 32274, SL_METER_CURRENT, 32337 },
	{ 32276, SL_METER_CURRENT, 32339 }, { 32278, SL_METER_SIGNED, 0 },
	{ 32280, SL_METER_SIGNED, 0 },	    { 32335, SL_METER_SIGNED, 0 },
	{ 32337, SL_METER_SIGNED, 0 },	    { 32339, SL_METER_SIGNED, 0 },
	{ 32349, SL_METER_REVERSE, 32357 }, { 32357, SL_METER_FORWARD, 32349 },
};
const size_t sl_n_meter_rules = sizeof(sl_meter_rules) / sizeof(sl_meter_rules[0]);

/* SUN2000 inverter (each its own unit id), A.7. */
const struct mb_reg sl_sun2000_regs[] = {
	MB_REG(30000, MB_STR, NULL, 0, .len = 15, ONCE, .name = "Model"),
	MB_REG(30015, MB_STR, NULL, 0, .len = 10, ONCE, .name = "SN"),
	MB_REG(30073, MB_U32, NULL, 1, INV32, ONCE, .name = "Rated power (Pn)", .unit = "W"),
	MB_REG(32008, MB_BITS16, NULL, 0, .name = "Alarm 1"),
	MB_REG(32009, MB_BITS16, NULL, 0, .name = "Alarm 2"),
	MB_REG(32010, MB_BITS16, NULL, 0, INV16, .name = "Alarm 3"),
	MB_REG(32069, MB_U16, NULL, 10, INV16, .name = "Phase A voltage", .unit = "V"),
	MB_REG(32070, MB_U16, NULL, 10, INV16, .name = "Phase B voltage", .unit = "V"),
	MB_REG(32071, MB_U16, NULL, 10, INV16, .name = "Phase C voltage", .unit = "V"),
	MB_REG(32072, MB_S32, NULL, 1000, INVS32, .name = "Phase A current", .unit = "A"),
	MB_REG(32074, MB_S32, NULL, 1000, INVS32, .name = "Phase B current", .unit = "A"),
	MB_REG(32076, MB_S32, NULL, 1000, INVS32, .name = "Phase C current", .unit = "A"),
	MB_REG(32080, MB_S32, NULL, 1, INVS32, .name = "Active power", .unit = "W"),
	MB_REG(32082, MB_S32, NULL, 1, INVS32, .name = "Reactive power", .unit = "var"),
	MB_REG(32085, MB_U16, NULL, 100, INV16, .name = "Grid frequency", .unit = "Hz"),
	MB_REG(32089, MB_U16, NULL, 1, INV16, .name = "Device status"),
	MB_REG(32090, MB_U16, NULL, 1, INV16, .name = "Fault code"),
	MB_REG(32106, MB_U32, NULL, 100, .flags = ENERGY, .invalid = 0xFFFFFFFF, SLOW,
	       .name = "Accumulated energy yield", .unit = "kWh"),
	MB_REG(32114, MB_U32, NULL, 100, INV32, SLOW, .name = "Daily energy yield", .unit = "kWh"),
};
const size_t sl_n_sun2000_regs = sizeof(sl_sun2000_regs) / sizeof(sl_sun2000_regs[0]);

/* LUNA2000 behind a SUN2000 (same unit id), A.8. */
const struct mb_reg sl_luna_regs[] = {
	MB_REG(37022, MB_S16, NULL, 10, INVS16, SLOW, .name = "Unit 1 temperature", .unit = "C"),
	MB_REG(37046, MB_U32, NULL, 1, INV32, SLOW, .name = "Maximum charge power", .unit = "W"),
	MB_REG(37048, MB_U32, NULL, 1, INV32, SLOW, .name = "Maximum discharge power", .unit = "W"),
	MB_REG(37752, MB_S16, NULL, 10, INVS16, .name = "Unit 2 temperature", .unit = "C"),
	MB_REG(37758, MB_U32, NULL, 1, INV32, .name = "Rated capacity", .unit = "Wh"),
	MB_REG(37760, MB_U16, NULL, 10, INV16, .name = "SOC", .unit = "%"),
	MB_REG(37762, MB_U16, NULL, 1, INV16, .name = "Running status"),
	MB_REG(37763, MB_U16, NULL, 10, INV16, .name = "Bus voltage", .unit = "V"),
	MB_REG(37764, MB_S16, NULL, 10, INVS16, .name = "Bus current", .unit = "A"),
	MB_REG(37765, MB_S32, NULL, 1, INVS32, .name = "Charge/discharge power", .unit = "W"),
	MB_REG(37780, MB_U32, NULL, 100, .flags = ENERGY, .invalid = 0xFFFFFFFF, SLOW,
	       .name = "Total charge", .unit = "kWh"),
	MB_REG(37782, MB_U32, NULL, 100, .flags = ENERGY, .invalid = 0xFFFFFFFF, SLOW,
	       .name = "Total discharge", .unit = "kWh"),
	MB_REG(47000, MB_U16, NULL, 1, INV16, ONCE, .name = "Product model"),
	MB_REG(47075, MB_U32, NULL, 1, INV32, .name = "Maximum charging power", .unit = "W"),
	MB_REG(47077, MB_U32, NULL, 1, INV32, .name = "Maximum discharging power", .unit = "W"),
	MB_REG(47083, MB_U16, NULL, 1, INV16, .name = "Forced charge/discharge period",
	       .unit = "min"),
	MB_REG(47086, MB_U16, NULL, 1, INV16, .name = "Working mode settings"),
	MB_REG(47087, MB_U16, NULL, 1, INV16, .name = "Charge from grid"),
	MB_REG(47100, MB_U16, NULL, 1, INV16, .name = "Forcible charge/discharge"),
};
const size_t sl_n_luna_regs = sizeof(sl_luna_regs) / sizeof(sl_luna_regs[0]);

#define W .flags = MB_F_WRITABLE
/* Written, never polled: the forcible sequence (A.9) and curtailment (A.5). */
const struct mb_reg sl_write_regs[] = {
	MB_REG(40420, MB_S32, NULL, 0.01, W, .min = 0, .max = 1e9, .unit = "W"),
	MB_REG(47083, MB_U16, NULL, 1, W, .min = 1, .max = 1440, .unit = "min"),
	MB_REG(47086, MB_U16, NULL, 1, W, .min = 0, .max = 5),
	MB_REG(47100, MB_U16, NULL, 1, W, .min = 0, .max = 2),
	MB_REG(47246, MB_U16, NULL, 1, W, .min = 0, .max = 1),
	MB_REG(47247, MB_U32, NULL, 1, W, .min = 0, .max = 1e6, .unit = "W"),
	MB_REG(47249, MB_U32, NULL, 1, W, .min = 0, .max = 1e6, .unit = "W"),
};
#undef W
const size_t sl_n_write_regs = sizeof(sl_write_regs) / sizeof(sl_write_regs[0]);

/* pvinverter: the SUN2000 units together (per-phase power: smartlogger-publish.c). */
const struct sl_agg sl_pv_aggs[] = {
	{ 32080, "/Ac/Power", SL_AGG_SUM },	    { 32082, "/Ac/ReactivePower", SL_AGG_SUM },
	{ 32085, "/Ac/Frequency", SL_AGG_MEAN },    { 32069, "/Ac/L1/Voltage", SL_AGG_MEAN },
	{ 32070, "/Ac/L2/Voltage", SL_AGG_MEAN },   { 32071, "/Ac/L3/Voltage", SL_AGG_MEAN },
	{ 32072, "/Ac/L1/Current", SL_AGG_SUM },    { 32074, "/Ac/L2/Current", SL_AGG_SUM },
	{ 32076, "/Ac/L3/Current", SL_AGG_SUM },    { 32106, "/Ac/Energy/Forward", SL_AGG_ENERGY },
	{ 32114, "/Ac/Energy/Today", SL_AGG_KEEP },
};
const size_t sl_n_pv_aggs = sizeof(sl_pv_aggs) / sizeof(sl_pv_aggs[0]);

/* battery: the LUNA2000 units together (SOC weighted by each unit's rated capacity). */
const struct sl_agg sl_battery_aggs[] = {
	{ 37765, "/Dc/0/Power", SL_AGG_SUM },
	{ 37764, "/Dc/0/Current", SL_AGG_SUM },
	{ 37763, "/Dc/0/Voltage", SL_AGG_MEAN },
	{ 37022, "/Dc/0/Temperature", SL_AGG_MAX },
	{ 37752, "/Dc/0/Temperature", SL_AGG_MAX },
	{ 37760, "/Soc", SL_AGG_WMEAN, 37758 },
	{ 37780, "/History/ChargedEnergy", SL_AGG_ENERGY },
	{ 37782, "/History/DischargedEnergy", SL_AGG_ENERGY },
};
const size_t sl_n_battery_aggs = sizeof(sl_battery_aggs) / sizeof(sl_battery_aggs[0]);

/* 32008-32010: huawei-solar-lib register_values ALARM_CODES_1..3 (devices doc A.7); level 2
 * for Huawei's "major", 1 for "minor" and "warning". Bits of 32010 above 8 have no public
 * meaning yet and read "32010 bit N". */
const struct sl_alarm_bit sl_alarm_bits[] = {
	{ 0, 0, 2001, 2, "high string input voltage" },
	{ 0, 1, 2002, 2, "DC arc fault" },
	{ 0, 2, 2011, 2, "string reverse connection" },
	{ 0, 3, 2012, 1, "string current backfeed" },
	{ 0, 4, 2013, 1, "abnormal string power" },
	{ 0, 5, 2021, 2, "AFCI self-check failure" },
	{ 0, 6, 2031, 2, "phase wire short-circuited to PE" },
	{ 0, 7, 2032, 2, "grid loss" },
	{ 0, 8, 2033, 2, "grid undervoltage" },
	{ 0, 9, 2034, 2, "grid overvoltage" },
	{ 0, 10, 2035, 2, "grid voltage imbalance" },
	{ 0, 11, 2036, 2, "grid overfrequency" },
	{ 0, 12, 2037, 2, "grid underfrequency" },
	{ 0, 13, 2038, 2, "unstable grid frequency" },
	{ 0, 14, 2039, 2, "output overcurrent" },
	{ 0, 15, 2040, 2, "output DC component overhigh" },
	{ 1, 0, 2051, 2, "abnormal residual current" },
	{ 1, 1, 2061, 2, "abnormal grounding" },
	{ 1, 2, 2062, 2, "low insulation resistance" },
	{ 1, 3, 2063, 1, "overtemperature" },
	{ 1, 4, 2064, 2, "device fault" },
	{ 1, 5, 2065, 1, "upgrade failed or version mismatch" },
	{ 1, 6, 2066, 1, "license expired" },
	{ 1, 7, 61440, 1, "faulty monitoring unit" },
	{ 1, 8, 2067, 2, "faulty power collector" },
	{ 1, 9, 2068, 1, "battery abnormal" },
	{ 1, 10, 2070, 2, "active islanding" },
	{ 1, 11, 2071, 2, "passive islanding" },
	{ 1, 12, 2072, 2, "transient AC overvoltage" },
	{ 1, 13, 2075, 1, "peripheral port short circuit" },
	{ 1, 14, 2077, 2, "churn output overload" },
	{ 1, 15, 2080, 2, "abnormal PV module configuration" },
	{ 2, 0, 2081, 1, "optimizer fault" },
	{ 2, 1, 2085, 1, "built-in PID operation abnormal" },
	{ 2, 2, 2014, 2, "high input string voltage to ground" },
	{ 2, 3, 2086, 2, "external fan abnormal" },
	{ 2, 4, 2069, 2, "battery reverse connection" },
	{ 2, 5, 2082, 2, "on-grid/off-grid controller abnormal" },
	{ 2, 6, 2015, 1, "PV string loss" },
	{ 2, 7, 2087, 2, "internal fan abnormal" },
	{ 2, 8, 2088, 2, "DC protection unit abnormal" },
};
const size_t sl_n_alarm_bits = sizeof(sl_alarm_bits) / sizeof(sl_alarm_bits[0]);

/* 32089 (HSL-RV) -> pvinverter /StatusCode (VEN-HW mapping, A.7). */
const struct sl_status_map sl_status_map[] = {
	{ 0x0000, 0x0003, 1, "standby: initialising" },
	{ 0x0100, 0x0100, 0, "starting" },
	{ 0x0200, 0x0200, 7, "on-grid" },
	{ 0x0201, 0x0202, 12, "on-grid, power limited" },
	{ 0x0203, 0x0203, 7, "off-grid" },
	{ 0x0300, 0x030C, 10, "shut down" },
	{ 0x0401, 0x0405, 7, "grid scheduling" },
	{ 0x0500, 0x0900, 8, "spot check or inspection" },
	{ 0x0A00, 0x0A00, 7, "off-grid charging" },
	{ 0xA000, 0xA000, 8, "standby: no irradiation" },
};
const size_t sl_n_status_map = sizeof(sl_status_map) / sizeof(sl_status_map[0]);

const struct vedbus_enum sl_pv_status_texts[] = {
	{ 0, "Startup" }, { 1, "Startup" }, { 7, "Running" },
	{ 8, "Standby" }, { 10, "Error" },  { 12, "Running (throttled)" },
	{ .text = NULL },
};

const struct vedbus_enum sl_luna_state_texts[] = {
	{ 0, "Offline" }, { 1, "Standby" }, { 2, "Running" },
	{ 3, "Fault" },	  { 4, "Sleep" },   { .text = NULL },
};

const struct vedbus_enum sl_meter_error_texts[] = {
	{ 0, "No error" },
	{ 1, "Meter disconnected (SmartLogger reports 0xB000)" },
	{ 2, "Meter not answering" },
	{ .text = NULL },
};

const struct vedbus_enum sl_position_texts[] = {
	{ 0, "AC input 1" },
	{ 1, "AC output" },
	{ 2, "AC input 2" },
	{ .text = NULL },
};

const struct vedbus_enum sl_command_texts[] = {
	{ 0, "Stop" },
	{ 1, "Forcible charge" },
	{ 2, "Forcible discharge" },
	{ .text = NULL },
};
