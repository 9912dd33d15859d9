/* SPDX-License-Identifier: MIT */
/* up5000-regs.c - the UP5000-HM8042 register table (data only; see up5000-regs.h) */

#include "up5000-regs.h"

#define SRC  "UP5000 Modbus register description (devices doc C.3)"
#define SRCN "UP5000 Modbus register description (devices doc C.2)"
#define SRCS "UP5000 Modbus register description (devices doc C.5)"
#define SRCB "UP5000 Modbus register description (devices doc C.4)"

#define IN(a, t, p, s, n, g, ...)                                                                  \
	MB_REG(a, t, p, s, .space = MB_INPUT, .name = n, .group = g, .source = SRC, __VA_ARGS__)
#define BITS(a, n) MB_REG(a, MB_BITS16, NULL, 1, .space = MB_INPUT, .name = n, .source = SRCB)
#define SET(a, p, n, lo, hi, ...)                                                                  \
	MB_REG(a, MB_U16, p, 100, .name = n, .group = UP_G_SLOW, .flags = MB_F_WRITABLE,           \
	       .unit = "V", .decimals = 2, .min = lo, .max = hi, .source = SRCS, __VA_ARGS__)

/* Sorted by address per space: input registers first, then holding. */
const struct mb_reg up_regs[] = {
	MB_REG(UP_RATED_OUT_V, MB_U16, NULL, 100, .space = MB_INPUT, .name = "RatedOutputVoltage",
	       .group = UP_G_ONCE, .unit = "V", .source = SRCN),
	MB_REG(UP_RATED_OUT_P, MB_U32, NULL, 100, .space = MB_INPUT, .name = "RatedOutputPower",
	       .group = UP_G_ONCE, .unit = "W", .source = SRCN),

	IN(UP_GRID_V, MB_U16, "/Ac/ActiveIn/L1/V", 100, "RegGridVol", UP_G_FAST, .unit = "V",
	   .decimals = 1),
	IN(UP_GRID_I, MB_U16, "/Ac/ActiveIn/L1/I", 100, "RegGridCur", UP_G_FAST, .unit = "A",
	   .decimals = 1),
	IN(UP_GRID_P, MB_U32, "/Ac/ActiveIn/L1/P", 100, "RegGridPow", UP_G_FAST, .unit = "W",
	   .decimals = 0),
	IN(UP_GRID_F, MB_U16, "/Ac/ActiveIn/L1/F", 100, "GridFrequency", UP_G_FAST, .unit = "Hz",
	   .decimals = 1),
	BITS(UP_ACC_STATUS, "RegGridChargerState"),
	IN(UP_ACC_BATT_TEMP, MB_S16, "/Dc/0/Temperature", 100, "BatteryTemperature", UP_G_SLOW,
	   .unit = "°C", .decimals = 1),
	IN(UP_OUT_V, MB_U16, "/Ac/Out/L1/V", 100, "RegACVol", UP_G_FAST, .unit = "V",
	   .decimals = 1),
	IN(UP_OUT_I, MB_U16, "/Ac/Out/L1/I", 100, "RegACCur", UP_G_FAST, .unit = "A",
	   .decimals = 1),
	BITS(UP_LOAD_STATUS, "RegLoadState"),
	IN(UP_OUT_F, MB_U16, "/Ac/Out/L1/F", 100, "OutputFrequency", UP_G_FAST, .unit = "Hz",
	   .decimals = 1),
	IN(UP_PV_V, MB_U16, "/Pv/V", 100, "RegPVVol", UP_G_FAST, .unit = "V", .decimals = 1),
	IN(UP_PV_I, MB_U16, NULL, 100, "RegPVCur", UP_G_FAST, .unit = "A"),
	IN(UP_PV_P, MB_U32, "/Yield/Power", 100, "RegPVPow", UP_G_FAST, .unit = "W", .decimals = 0),
	IN(UP_PV_YIELD, MB_U32, "/Yield/System", 100, "RegPVYield", UP_G_SLOW, .flags = MB_F_ENERGY,
	   .unit = "kWh", .decimals = 2),
	BITS(UP_PV_STATUS, "RegPVChargerState"),
	IN(UP_BATT_V, MB_U16, "/Dc/0/Voltage", 100, "RegBAVol", UP_G_FAST, .unit = "V",
	   .decimals = 2),
	IN(UP_BATT_I, MB_S32, NULL, 100, "RegBACur", UP_G_FAST, .unit = "A"),
	IN(UP_BATT_SOC, MB_U16, "/Soc", 1, "RegBASoc", UP_G_FAST, .unit = "%", .decimals = 0),
	BITS(UP_BATT_STATUS, "RegBattState"),

	MB_REG(UP_CHARGE_PRIORITY, MB_U16, NULL, 1, .name = "C8 ChargingPriority",
	       .group = UP_G_SLOW, .source = SRCS),
	MB_REG(UP_OUTPUT_PRIORITY, MB_U16, NULL, 1, .name = "C9 OutputPriority", .group = UP_G_SLOW,
	       .source = SRCS),
	MB_REG(UP_MAX_CHARGE_CURRENT, MB_U16, "/Diagnostics/Device/MaxChargeCurrent", 100,
	       .name = "C10 MaxChargingCurrent", .group = UP_G_SLOW, .flags = MB_F_WRITABLE,
	       .unit = "A", .decimals = 1, .min = 0, .max = 150, .source = SRCS),
	SET(UP_OVD, "/Diagnostics/Device/OverVoltageDisconnect", "D7 OVD", 40, 70),
	SET(UP_CLV, "/Diagnostics/Device/ChargeLimitVoltage", "D8 CLV", 40, 70),
	SET(UP_OVR, NULL, "D9 OVR", 40, 70),
	SET(UP_ECV, "/Diagnostics/Device/EqualizeVoltage", "D10 ECV", 40, 70),
	SET(UP_BCV, "/Diagnostics/Device/BoostVoltage", "D11 BCV", 40, 70),
	SET(UP_FCV, "/Diagnostics/Device/FloatVoltage", "D12 FCV", 40, 70),
	SET(UP_BVR, "/Diagnostics/Device/BoostReconnectVoltage", "D13 BVR", 40, 70),
	SET(UP_LVR, "/Diagnostics/Device/LowVoltageReconnect", "D14 LVR", 36, 64),
	SET(UP_UVWR, NULL, "D15 UVWR", 36, 64),
	SET(UP_UVW, NULL, "D16 UVW", 36, 64),
	SET(UP_LVD, "/Diagnostics/Device/LowVoltageDisconnect", "D17 LVD", 36, 64),
	SET(UP_DLV, "/Diagnostics/Device/DischargeLimitVoltage", "D18 DLV", 36, 64),
};

const size_t up_n_regs = sizeof(up_regs) / sizeof(up_regs[0]);
