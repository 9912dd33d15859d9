/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-regs.c - SAJ CHS2 register map, models and fault texts: data only, with sources
 *
 * Only the model list, Modbus TCP port 502 and unit 1 are confirmed for the CHS2 itself (VM-SAJ).
 * Every address below is the SAJ H2/HS2 family's, assumed to carry over to the CHS2. The code
 * finds registers by .name, never by address, so a correction is a change of one line here.
 *
 * Source keys (shared/reference/devices-huawei-saj-up5000.md §0 and part B):
 *   SAJ-DOC  SAJ "H2-3~6K-S2 single phase communication protocol" 2022-12-02 (vendor PDF)
 *   SAJ-HA   stanus74/home-assistant-saj-h2-modbus (modbus_readers.py, const.py)
 *   SAJ-R6   SAJ "R6 3-15K" 2022 realtime map
 *   EVCC-SAJ evcc templates/definition/meter/saj-h2.yaml
 *   VM-SAJ   docs.voltmasters.io SAJ CHS2 integration page
 * Confidence: [C] vendor document or two implementations agree, [L] one implementation,
 * [U] uncertain or inferred. "H2" means: confirmed for the H2 family, not for the CHS2.
 */

#include <glib.h>

#include "saj-chs2.h"

/* R(): a polled register; W(): a written one. Scale: published = raw / scale. */
#define R(a, t, s, g, n, src, ...)                                                                 \
	MB_REG(a, t, NULL, s, .group = SAJ_G_##g, .name = n, .source = src, __VA_ARGS__)
#define W(a, t, s, n, src, ...) MB_REG(a, t, NULL, s, .name = n, .source = src, __VA_ARGS__)
#define TOTAL			.flags = MB_F_ENERGY

/* Polled registers, ascending addresses (mb_table_check()); path NULL: saj-chs2.c maps them. */
const struct mb_reg saj_regs[] = {
	R(0x4004, MB_U16, 1, FAST, "WorkMode", "SAJ-DOC: MPVMode [C H2]"),
	R(0x4005, MB_U32, 1, FAST, "Fault0", "SAJ-DOC: fault word display [C H2]"),
	R(0x4007, MB_U32, 1, FAST, "Fault1", "SAJ-DOC: fault word master [C H2]"),
	R(0x4009, MB_U32, 1, FAST, "Fault2", "SAJ-DOC: fault word master 2 [C H2]"),
	R(0x400B, MB_U32, 1, FAST, "FaultBms", "SAJ-DOC: fault word BMS [C H2]"),
	R(0x4022, MB_S16, 1, FAST, "AppModeRb", "SAJ-DOC: SetAppMode read-back [C H2]"),
	R(0x4030, MB_S16, 1, FAST, "MeterModeRb",
	  "SAJ-DOC: MeterModeSet read-back of 0x3630 [C H2]"),
	/* inverter side, phase R/S/T at 0x4046 + 5p: V, A, Hz, W, VA */
	R(0x4046, MB_U16, 10, FAST, "InvVoltR", "SAJ-DOC: RInvVolt [C H2]"),
	R(0x4047, MB_S16, 100, FAST, "InvCurrR", "SAJ-DOC: RInvCurr [C H2]"),
	R(0x4048, MB_U16, 100, FAST, "InvFreqR", "SAJ-DOC: RInvFreq [C H2]"),
	R(0x4049, MB_S16, 1, FAST, "InvPowerR", "SAJ-DOC: RInvPowerWatt [C H2]; + = output [U]"),
	R(0x404B, MB_U16, 10, FAST, "InvVoltS", "SAJ-DOC: SInvVolt [C H2]"),
	R(0x404C, MB_S16, 100, FAST, "InvCurrS", "SAJ-DOC: SInvCurr [C H2]"),
	R(0x404E, MB_S16, 1, FAST, "InvPowerS", "SAJ-DOC: SInvPowerWatt [C H2]"),
	R(0x4050, MB_U16, 10, FAST, "InvVoltT", "SAJ-DOC: TInvVolt [C H2]"),
	R(0x4051, MB_S16, 100, FAST, "InvCurrT", "SAJ-DOC: TInvCurr [C H2]"),
	R(0x4053, MB_S16, 1, FAST, "InvPowerT", "SAJ-DOC: TInvPowerWatt [C H2]"),
	/* battery */
	R(0x4069, MB_U16, 10, FAST, "BatVolt", "SAJ-DOC: battery voltage [C H2]"),
	R(0x406A, MB_S16, 100, FAST, "BatCurr",
	  "SAJ-DOC: battery current [C H2]; + = discharge [U]"),
	R(0x406D, MB_S16, 1, FAST, "BatPower",
	  "SAJ-DOC: battery power [C H2]; + = discharge [U], checked against 0x4096"),
	R(0x406E, MB_S16, 10, FAST, "BatTemp", "SAJ-DOC: battery temperature [C H2]"),
	R(0x406F, MB_U16, 100, FAST, "BatSoc", "SAJ-DOC: batEnergyPercent [C H2]"),
	/* PV inputs n = 1..4 at 0x4071 + 3(n-1): V, A, W */
	R(0x4071, MB_U16, 10, FAST, "Pv1Volt", "SAJ-DOC: PV1 voltage [C H2]"),
	R(0x4072, MB_U16, 100, FAST, "Pv1Curr", "SAJ-DOC: PV1 current [C H2]"),
	R(0x4073, MB_U16, 1, FAST, "Pv1Power", "SAJ-DOC: PV1 power [C H2]"),
	R(0x4074, MB_U16, 10, FAST, "Pv2Volt", "SAJ-DOC: PV2 voltage [C H2]"),
	R(0x4075, MB_U16, 100, FAST, "Pv2Curr", "SAJ-DOC: PV2 current [C H2]"),
	R(0x4076, MB_U16, 1, FAST, "Pv2Power", "SAJ-DOC: PV2 power [C H2]"),
	R(0x4077, MB_U16, 10, FAST, "Pv3Volt", "SAJ-DOC: PV3 voltage [C H2]"),
	R(0x4078, MB_U16, 100, FAST, "Pv3Curr", "SAJ-DOC: PV3 current [C H2]"),
	R(0x4079, MB_U16, 1, FAST, "Pv3Power", "SAJ-DOC: PV3 power [C H2]"),
	R(0x407A, MB_U16, 10, FAST, "Pv4Volt", "SAJ-DOC: PV4 voltage [C H2]"),
	R(0x407B, MB_U16, 100, FAST, "Pv4Curr", "SAJ-DOC: PV4 current [C H2]"),
	R(0x407C, MB_U16, 1, FAST, "Pv4Power", "SAJ-DOC: PV4 power [C H2]"),
	/* directions and totals */
	R(0x4096, MB_S16, 1, FAST, "BatDir",
	  "SAJ-DOC: battery direction 1 discharge, -1 charge [C H2]"),
	R(0x4097, MB_S16, 1, FAST, "GridDir", "SAJ-DOC: grid direction 1 export, -1 import [C H2]"),
	R(0x40A5, MB_S16, 1, FAST, "PvPower", "SAJ-DOC: total PV power [C H2], EVCC-SAJ pv"),
	R(0x40AD, MB_S16, 1, FAST, "SysGridPower",
	  "SAJ-DOC: SysGridPowerWatt [C H2]; + = import [U] (EVCC-SAJ)"),
	/* energy counters, 0.01 kWh, high word first */
	R(0x40BF, MB_U32, 100, SLOW, "PvToday", "SAJ-DOC: PV energy today [C H2]"),
	R(0x40C5, MB_U32, 100, SLOW, "PvTotal", "SAJ-DOC: PV energy total [C H2]", TOTAL),
	R(0x40CD, MB_U32, 100, SLOW, "BatChargeTotal",
	  "SAJ-DOC: battery charge energy total [C H2]", TOTAL),
	R(0x40D5, MB_U32, 100, SLOW, "BatDischargeTotal",
	  "SAJ-DOC: battery discharge energy total [C H2]", TOTAL),
	R(0x40DD, MB_U32, 100, SLOW, "InvOutTotal", "SAJ-DOC: inverter output energy total [C H2]",
	  TOTAL),
	R(0x40F5, MB_U32, 100, SLOW, "SellTotal", "SAJ-DOC: SellEnergy = EXPORTED total [C H2]",
	  TOTAL),
	R(0x40FD, MB_U32, 100, SLOW, "FeedInTotal",
	  "SAJ-DOC: FeedInEnergy = IMPORTED total (Chinese text), EVCC-SAJ import [C H2]", TOTAL),
	/* identity */
	R(0x8F00, MB_U16, 1, ONCE, "DevType", "SAJ-DOC: device type [C H2]"),
	R(0x8F01, MB_U16, 1, ONCE, "SubType", "SAJ-DOC: sub-type [C H2]"),
	R(0x8F03, MB_STR, 1, ONCE, "Serial", "SAJ-DOC: serial number [C H2]", .len = 10),
	R(0x8F0D, MB_STR, 1, ONCE, "ProductCode", "SAJ-DOC: product code [C H2]", .len = 10),
	R(0x8F18, MB_U16, 1, ONCE, "MasterVersion",
	  "SAJ-DOC: master software version x0.001, 0xFFFF none [C H2]", .flags = MB_F_INVALID,
	  .invalid = 0xFFFF),
	/* battery block */
	R(0xA034, MB_U16, 10, FAST, "BmsChargeVolt",
	  "SAJ-HA BATTERY_DATA_MAP: BMS charge voltage [C H2]"),
	R(0xA036, MB_U16, 10, FAST, "BmsDischargeLimit",
	  "SAJ-HA BATTERY_DATA_MAP: discharge current limit A [C H2]"),
	R(0xA037, MB_U16, 10, FAST, "BmsChargeLimit",
	  "SAJ-HA BATTERY_DATA_MAP: charge current limit A [C H2]"),
	/* external meter A (the CT) phase R/S/T at 0xA03D + 6p: V, A, W, VA, PF, Hz */
	R(0xA03D, MB_U16, 10, FAST, "MeterVoltR", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA03E, MB_S16, 100, FAST, "MeterCurrR", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA03F, MB_S16, 1, FAST, "MeterPowerR", "SAJ-HA METER_A_DATA_MAP: + = import [U]"),
	R(0xA041, MB_S16, 1000, FAST, "MeterPfR", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA042, MB_U16, 100, FAST, "MeterFreqR", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA043, MB_U16, 10, FAST, "MeterVoltS", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA044, MB_S16, 100, FAST, "MeterCurrS", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA045, MB_S16, 1, FAST, "MeterPowerS", "SAJ-HA METER_A_DATA_MAP: + = import [U]"),
	R(0xA047, MB_S16, 1000, FAST, "MeterPfS", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA049, MB_U16, 10, FAST, "MeterVoltT", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA04A, MB_S16, 100, FAST, "MeterCurrT", "SAJ-HA METER_A_DATA_MAP [C H2]"),
	R(0xA04B, MB_S16, 1, FAST, "MeterPowerT", "SAJ-HA METER_A_DATA_MAP: + = import [U]"),
	R(0xA04D, MB_S16, 1000, FAST, "MeterPfT", "SAJ-HA METER_A_DATA_MAP [C H2]"),
};
const size_t saj_n_regs = G_N_ELEMENTS(saj_regs);

/*
 * Written registers (settings block, FC06/FC10). Not polled; the passive power registers are
 * per mille of the rated power (SAJ-DOC: 1000 = 100 %), which is unconfirmed for the CHS2 [U].
 */
const struct mb_reg saj_ctrl_regs[] = {
	W(0x3630, MB_U16, 1, "MeterModeSet",
	  "SAJ-DOC: meter enable/wiring, read back in 0x4030 [C H2]"),
	W(0x3636, MB_U16, 1, "PassiveEnable",
	  "SAJ-DOC: passive 0 standby, 1 discharge, 2 charge [C H2]"),
	W(0x3637, MB_U16, 1, "PassiveGridCharge",
	  "SAJ-DOC: passive grid charge power per mille [C H2]"),
	W(0x3638, MB_U16, 1, "PassiveGridDischarge",
	  "SAJ-DOC: passive grid discharge power per mille [C H2]"),
	W(0x3639, MB_U16, 1, "PassiveBatCharge",
	  "SAJ-DOC: passive battery charge power per mille [C H2]"),
	W(0x363A, MB_U16, 1, "PassiveBatDischarge",
	  "SAJ-DOC: passive battery discharge power per mille [C H2]"),
	W(0x3647, MB_U16, 1, "AppMode",
	  "SAJ-DOC: AppMode 0 self-use 1 TOU 2 backup 3 passive [C H2]; CHS2 may need 14 [U]"),
};
const size_t saj_n_ctrl_regs = G_N_ELEMENTS(saj_ctrl_regs);

/* Models and rated AC power (VM-SAJ, CHS2-confirmed). */
const struct saj_model saj_models[] = {
	{ "CHS2-29.9K-T4-X", 29900 },
	{ "CHS2-30K-T4-X", 30000 },
	{ "CHS2-40K-T5-X", 40000 },
	{ "CHS2-49.9K-T6-X", 49900 },
	{ "CHS2-50K-T6-X", 50000 },
	{ "CHS2-63K-T6-X", 63000 },
	{ NULL, 0 },
};

/* The names above as CFG_ENUM choices, same order. */
const char *const saj_model_names[] = {
	"CHS2-29.9K-T4-X",
	"CHS2-30K-T4-X",
	"CHS2-40K-T5-X",
	"CHS2-49.9K-T6-X",
	"CHS2-50K-T6-X",
	"CHS2-63K-T6-X",
	NULL,
};

/*
 * Fault bits of the fault words 0x4005, 0x4007, 0x4009 (SAJ-HA const.py FAULT_MESSAGES, [L]):
 * word index, bit, text. Reserved bits are left out. /ErrorCode = 32 * word + bit + 1.
 */
const struct saj_fault saj_faults[] = {
	{ 0, 0, "Lost communication H-M" },
	{ 0, 1, "Meter lost" },
	{ 0, 2, "HMI EEPROM error" },
	{ 0, 3, "HMI RTC error" },
	{ 0, 4, "BMS device error" },
	{ 0, 5, "BMS lost communication" },
	{ 0, 11, "R phase voltage high" },
	{ 0, 12, "R phase voltage low" },
	{ 0, 13, "S phase voltage high" },
	{ 0, 14, "S phase voltage low" },
	{ 0, 15, "T phase voltage high" },
	{ 0, 16, "T phase voltage low" },
	{ 0, 17, "Frequency high" },
	{ 0, 18, "Frequency low" },
	{ 0, 23, "No grid" },
	{ 0, 24, "PV input mode fault" },
	{ 0, 25, "PV current high (hardware)" },
	{ 0, 26, "PV voltage" },
	{ 0, 27, "Bus voltage high (hardware)" },
	{ 1, 0, "Master bus voltage high" },
	{ 1, 1, "Master bus voltage low" },
	{ 1, 2, "Master grid phase error" },
	{ 1, 3, "Master PV voltage high" },
	{ 1, 4, "Master islanding error" },
	{ 1, 6, "Master PV input error" },
	{ 1, 7, "Communication DSP-PC lost" },
	{ 1, 8, "Master bus voltage high (hardware)" },
	{ 1, 9, "Master PV current high (hardware)" },
	{ 1, 11, "Master inverter current high (hardware)" },
	{ 1, 14, "Master grid N-E voltage error" },
	{ 1, 15, "Master DRM0 error" },
	{ 1, 16, "Master fan 1 error" },
	{ 1, 17, "Master fan 2 error" },
	{ 1, 18, "Master fan 3 error" },
	{ 1, 19, "Master fan 4 error" },
	{ 1, 20, "Master arc error" },
	{ 1, 21, "Master PV current high (software)" },
	{ 1, 22, "Master battery voltage high" },
	{ 1, 23, "Master battery current high" },
	{ 1, 24, "Master battery charge voltage high" },
	{ 1, 25, "Master battery overload" },
	{ 1, 26, "Master battery soft connect timeout" },
	{ 1, 27, "Master output overload" },
	{ 1, 28, "Master battery open circuit" },
	{ 1, 29, "Master battery discharge voltage low" },
	{ 1, 30, "Authority expired" },
	{ 1, 31, "Lost communication D-C" },
	{ 2, 0, "Relay error" },
	{ 2, 1, "EEPROM error" },
	{ 2, 2, "Temperature high" },
	{ 2, 3, "Temperature low" },
	{ 2, 4, "Communication error M-S" },
	{ 2, 5, "GFCI device error" },
	{ 2, 6, "DCI device error" },
	{ 2, 7, "Current sensor error" },
	{ 2, 8, "Phase 1 voltage high" },
	{ 2, 9, "Phase 1 voltage low" },
	{ 2, 10, "Phase 2 voltage high" },
	{ 2, 11, "Phase 2 voltage low" },
	{ 2, 12, "Phase 3 voltage high" },
	{ 2, 13, "Phase 3 voltage low" },
	{ 2, 14, "Grid voltage 10 min average high" },
	{ 2, 15, "Off-grid voltage low" },
	{ 2, 17, "Grid frequency high" },
	{ 2, 18, "Grid frequency low" },
	{ 2, 20, "Phase 1 DCV current error" },
	{ 2, 21, "Phase 2 DCV current error" },
	{ 2, 22, "Phase 3 DCV current error" },
	{ 2, 23, "No grid" },
	{ 2, 26, "GFCI error" },
	{ 2, 27, "Phase 1 DCI error" },
	{ 2, 28, "Phase 2 DCI error" },
	{ 2, 29, "Phase 3 DCI error" },
	{ 2, 30, "ISO error" },
	{ 2, 31, "Bus voltage balance error" },
	{ .text = NULL },
};
