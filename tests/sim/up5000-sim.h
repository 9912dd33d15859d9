/* SPDX-License-Identifier: MIT */
/*
 * up5000-sim.h - an EPEVER UP5000-HM8042 on a pseudo-terminal: the register image of
 * tests/sim/profiles/up5000.regs, settings that enforce the device's ordering constraints
 * (a write breaking OVD > CLV >= ECV >= BCV >= FCV > BVR or LVR > LVD >= DLV is refused with
 * exception 3 and changes nothing), and everything mbsim.h offers: write log, faults, reboot.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mbsim.h"

#define UP5000_SIM_UNIT 10

/* The first and last constrained settings register, 0x9615 (OVD) .. 0x9620 (DLV). */
#define UP5000_SIM_SET_FIRST 0x9615
#define UP5000_SIM_SET_LAST  0x9620
#define UP5000_SIM_N_SET     (UP5000_SIM_SET_LAST - UP5000_SIM_SET_FIRST + 1)

/* up5000_sim_profile() - the profile in the source tree. Static storage. */
const char *up5000_sim_profile(void);

/*
 * up5000_sim_new() - a stopped pty simulator loaded with @profile (NULL: up5000_sim_profile())
 * and the settings hooks. Start it with mbsim_start(), then open mbsim_pty_path().
 * Return: 0, -errno, -EINVAL (a bad profile; the line is logged to stderr).
 */
int up5000_sim_new(const char *profile, struct mbsim **ret);

/*
 * up5000_sim_write() - the settings hook (struct mbsim_hooks .write): 0, or exception 3 when
 * the write would break the constraints. Public so a test can chain a hook of its own.
 */
int up5000_sim_write(struct mbsim *sim, int unit, uint16_t addr, const uint16_t *values, uint16_t n,
		     void *userdata);

/* up5000_sim_settings_ok() - @set (UP5000_SIM_N_SET words from 0x9615) obeys the constraints. */
bool up5000_sim_settings_ok(const uint16_t *set);
