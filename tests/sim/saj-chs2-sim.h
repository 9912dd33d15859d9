/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-sim.h - a SAJ CHS2 hybrid on top of mbsim: Modbus TCP on loopback, one unit, with
 * or without a CT, and a plant model
 *
 * The static image comes from tests/sim/profiles/saj-chs2.regs (hand-written from the devices
 * doc part B, never produced by the driver's encoder); the model moves the rest on every read:
 *  - PV and load are set by the test; the grid is the balance: load - (PV used - battery);
 *  - AppMode 0x3647 (read back in 0x4022) 3 = passive: 0x3636 0 standby, 1 discharge at
 *    0x363A per mille of rated, 2 charge at 0x3639 per mille, from PV plus (with a CT only)
 *    grid import up to 0x3637 per mille; with a CT the export is bounded by 0x3638 per mille
 *    and PV is curtailed to keep it; any other AppMode: self-use (with a CT the battery takes
 *    PV - load, without one it only charges from PV);
 *  - passive values persist until changed, as on the H2;
 *  - BMS limits 0xA036/0xA037 and SOC 5..100 % bound the battery; SOC moves with its power;
 *  - meter mode 0x3630 (read back in 0x4030): 2 with a CT, 0 without; without a CT the meter
 *    block 0xA03D and 0x40AD read 0;
 *  - an optional keep-alive: when the keep-alive register is not written for the timeout
 *    while AppMode is 3, the device falls back to AppMode 0 and 0x3636 = 0;
 *  - direction registers 0x4096/0x4097 agree with the powers; the battery power registers can
 *    be given the opposite sign to exercise the driver's sign check;
 *  - energy counters (0.01 kWh, high word first) integrate the powers.
 * Faults (exceptions, silence, drops, delays) are mbsim's own: use sajsim_mbsim().
 *
 * Thread-safe; the model runs in mbsim's hooks on the simulator thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mbsim.h"

struct sajsim_config {
	int unit;			   /* 1 */
	bool ct;			   /* Setup A */
	double rated;			   /* W, for the per mille registers */
	double capacity_wh;		   /* battery */
	double soc_speed;		   /* SOC moves this many times faster than real */
	int keepalive_addr;		   /* -1: no keep-alive */
	unsigned int keepalive_timeout_ms; /* with keepalive_addr */
	bool inverted_battery_sign; /* 0x406D/0x406A/0x40A6: + = charge (contradicts 0x4096) */
	const char *profile;	    /* NULL: sajsim_default_profile() */
};

#define SAJSIM_CONFIG_DEFAULT                                                                      \
	{                                                                                          \
		.unit = 1, .ct = true, .rated = 50000, .capacity_wh = 100000, .soc_speed = 1,      \
		.keepalive_addr = -1, .keepalive_timeout_ms = 5000                                 \
	}

/* What the model computed at the last read. Powers in W: battery + charge, grid + import. */
struct sajsim_state {
	int app_mode;
	int passive; /* 0x3636 */
	double battery;
	double grid;
	double pv;	/* available */
	double pv_used; /* after curtailment */
	double load;
	double soc;
	bool curtailed;
	unsigned long keepalive_expiries;
};

struct sajsim;

/* sajsim_default_profile() - $SAJSIM_PROFILE, else the source tree's, found from the working
 * directory or the executable. Borrowed, static storage. */
const char *sajsim_default_profile(void);

/* sajsim_new() - a started simulator on 127.0.0.1:@port (0: a free one). Return: 0 or <0. */
int sajsim_new(const struct sajsim_config *cfg, unsigned int port, struct sajsim **ret);
struct sajsim *sajsim_free(struct sajsim *s);

struct mbsim *sajsim_mbsim(struct sajsim *s); /* borrowed: faults, write log */
unsigned int sajsim_port(struct sajsim *s);

void sajsim_set_pv(struct sajsim *s, double watts);
void sajsim_set_load(struct sajsim *s, double watts);
void sajsim_set_soc(struct sajsim *s, double soc);
void sajsim_set_ct(struct sajsim *s, bool ct);
void sajsim_set_bms_limits(struct sajsim *s, double charge_a, double discharge_a);
void sajsim_set_fault(struct sajsim *s, unsigned int word, uint32_t bits);
/* sajsim_reset_energy() - every energy counter back to 0 (a replaced or reset device). */
void sajsim_reset_energy(struct sajsim *s);
void sajsim_state(struct sajsim *s, struct sajsim_state *ret);
/* sajsim_reg() - one holding register of the image, or -1. */
int sajsim_reg(struct sajsim *s, uint16_t addr);
