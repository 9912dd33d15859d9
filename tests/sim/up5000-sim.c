/* SPDX-License-Identifier: MIT */
/* up5000-sim.c - the UP5000 simulator: profile image plus settings ordering constraints */

#include <errno.h>
#include <stdio.h>

#include "up5000-sim.h"

#ifndef UP5000_SIM_PROFILE
#define UP5000_SIM_PROFILE "tests/sim/profiles/up5000.regs"
#endif

/* Offsets from 0x9615 (vendor table, devices doc C.5). */
enum {
	OVD = 0,
	CLV,
	OVR,
	ECV,
	BCV,
	FCV,
	BVR,
	LVR,
	UVWR,
	UVW,
	LVD,
	DLV,
};

const char *up5000_sim_profile(void)
{
	return UP5000_SIM_PROFILE;
}

bool up5000_sim_settings_ok(const uint16_t *s)
{
	return s[OVD] > s[CLV] && s[CLV] >= s[ECV] && s[ECV] >= s[BCV] && s[BCV] >= s[FCV] &&
	       s[FCV] > s[BVR] && s[LVR] > s[LVD] && s[LVD] >= s[DLV];
}

/* Apply the write to a copy of the settings; refuse it (exception 3) if that breaks them. */
int up5000_sim_write(struct mbsim *sim, int unit, uint16_t addr, const uint16_t *values, uint16_t n,
		     void *userdata)
{
	uint16_t set[UP5000_SIM_N_SET];

	if (addr + n <= UP5000_SIM_SET_FIRST || addr > UP5000_SIM_SET_LAST)
		return 0;
	if (mbsim_get(sim, unit, MBSIM_HOLDING, UP5000_SIM_SET_FIRST, set, UP5000_SIM_N_SET) < 0)
		return 4; /* device failure */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int a = addr + i;

		if (a >= UP5000_SIM_SET_FIRST && a <= UP5000_SIM_SET_LAST)
			set[a - UP5000_SIM_SET_FIRST] = values[i];
	}
	return up5000_sim_settings_ok(set) ? 0 : 3;
}

static const struct mbsim_hooks hooks = {
	.write = up5000_sim_write,
};

int up5000_sim_new(const char *profile, struct mbsim **ret)
{
	struct mbsim *sim;
	unsigned int line = 0;
	int r = mbsim_new(MBSIM_PTY, NULL, 0, &sim);

	if (r < 0)
		return r;
	profile = profile ? profile : up5000_sim_profile();
	r = mbsim_load_profile(sim, profile, &line);
	if (r < 0) {
		fprintf(stderr, "up5000-sim: %s:%u: cannot load: %s\n", profile, line,
			r == -EINVAL ? "bad line" : "cannot open");
		mbsim_free(sim);
		return r;
	}
	r = mbsim_set_hooks(sim, -1, &hooks, NULL);
	if (r < 0) {
		mbsim_free(sim);
		return r;
	}
	*ret = sim;
	return 0;
}
