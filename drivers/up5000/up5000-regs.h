/* SPDX-License-Identifier: MIT */
/*
 * up5000-regs.h - the EPEVER UP5000-HM8042 register map: addresses the mapping code uses, the
 * refresh groups, and the table (up5000-regs.c, data only)
 *
 * Source: the vendor table "UP5000 / Offgridtec IC-24/48 Modbus register description"
 * (reference devices doc part C). Protocol addresses; 32-bit values low word first; scale
 * "times 100" unless noted; settings written with FC 0x10.
 */
#pragma once

#include <stddef.h>

#include "mb-reg.h"

/* Refresh groups (struct mb_reg .group). */
enum up_group {
	UP_G_FAST = 0, /* powers, currents, states: about every second */
	UP_G_SLOW,     /* energy, temperatures, settings read-back */
	UP_G_ONCE,     /* ratings: until read once without error */
};

/* Input registers (FC04). */
enum up_input_reg {
	UP_GRID_V = 0x3500,
	UP_GRID_I = 0x3501,
	UP_GRID_P = 0x3502, /* U32 */
	UP_GRID_F = 0x3504,
	UP_ACC_ENERGY = 0x350F, /* U32, kWh */
	UP_ACC_STATUS = 0x3511,
	UP_ACC_BATT_TEMP = 0x3512,
	UP_ACC_DEV_TEMP = 0x3513,
	UP_ACC_PWR_TEMP = 0x3514,
	UP_OUT_V = 0x3521,
	UP_OUT_I = 0x3522,
	UP_LOAD_STATUS = 0x3523,
	UP_OUT_F = 0x3529,
	UP_LOAD_ENERGY = 0x3530, /* U32, kWh */
	UP_HEATSINK1_TEMP = 0x3532,
	UP_HEATSINK2_TEMP = 0x3533,
	UP_PV_V = 0x3549,
	UP_PV_I = 0x354A,
	UP_PV_P = 0x354B,     /* U32 */
	UP_PV_YIELD = 0x3557, /* U32, kWh */
	UP_PV_STATUS = 0x3559,
	UP_BATT_V = 0x3580,
	UP_BATT_I = 0x3581, /* S32, + charging */
	UP_BATT_SOC = 0x3586,
	UP_BATT_STATUS = 0x3589,
	UP_RATED_OUT_V = 0x340E,
	UP_RATED_OUT_P = 0x3412, /* U32, W */
};

/* Holding registers (FC03 read, FC10 write). */
enum up_holding_reg {
	UP_CHARGE_PRIORITY = 0x9607,
	UP_OUTPUT_PRIORITY = 0x9608,
	UP_MAX_CHARGE_CURRENT = 0x9609, /* aggregate utility + solar */
	UP_BATTERY_TYPE = 0x960F,
	UP_OVD = 0x9615, /* over-voltage disconnect */
	UP_CLV = 0x9616, /* charging limit voltage: ceiling of ECV/BCV/FCV */
	UP_OVR = 0x9617, /* over-voltage reconnect */
	UP_ECV = 0x9618, /* equalize */
	UP_BCV = 0x9619, /* boost */
	UP_FCV = 0x961A, /* float */
	UP_BVR = 0x961B, /* boost reconnect */
	UP_LVR = 0x961C, /* low-voltage reconnect */
	UP_UVWR = 0x961D,
	UP_UVW = 0x961E,
	UP_LVD = 0x961F, /* low-voltage disconnect */
	UP_DLV = 0x9620, /* discharge limit voltage: floor of LVD */
};

/* Largest read the device is known to accept (devices doc D: "small blocks (<= 10) are safe"). */
#define UP_MAX_REGS_DEFAULT 10

extern const struct mb_reg up_regs[];
extern const size_t up_n_regs;
