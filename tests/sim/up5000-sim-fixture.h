/* SPDX-License-Identifier: MIT */
/*
 * up5000-sim-fixture.h - what every dbus-up5000-hybrid integration test starts: a private bus,
 * ve-settingsd, optionally a ve-virtual BMS battery, the UP5000 simulator on a pty (in this
 * process, so the test reads its write log directly) and the real driver binary
 *
 * Failures are Check assertions. Timeouts are the harness's (scaled under valgrind).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "up5000-sim.h"

#define UPFX_SOLAR "com.victronenergy.solarcharger.ttyUP0"
#define UPFX_VEBUS "com.victronenergy.vebus.ttyUP0"
#define UPFX_BMS   "com.victronenergy.battery.upfx"
#define UPFX_WAIT  5000 /* ms: "the driver publishes within a few cycles" */

enum upfx_flags {
	UPFX_WITH_BMS = 1 << 0, /* a ve-virtual BMS battery (55.2 V, 100 A, 200 A, SOC 80 %) */
};

struct upfx {
	struct hx_bus *bus;
	struct hx_client *cl;
	struct hx_proc *settingsd;
	struct hx_proc *bms;
	struct hx_proc *drv;
	struct mbsim *sim;
	char tty[512];	/* a symlink named ttyUP0 to the simulator's pty */
	char conf[512]; /* the driver's configuration file */
};

/* upfx_setup() - bus, client, ve-settingsd, simulator (and the BMS); no driver yet. */
void upfx_setup(struct upfx *f, unsigned int flags);

/* upfx_teardown() - stop everything (driver first). */
void upfx_teardown(struct upfx *f);

/*
 * upfx_spawn() - write the configuration (fast test timings, then @config, whose groups may
 * repeat [link] to override them) and start the driver on the simulator.
 */
void upfx_spawn(struct upfx *f, const char *config);

/* upfx_start() - upfx_spawn(), then wait for both names and /Connected 1. */
void upfx_start(struct upfx *f, const char *config);

/* upfx_bms() - a command line for the BMS's stdin, e.g. "/Info/MaxChargeVoltage 55.6". */
void upfx_bms(struct upfx *f, const char *line);

/* upfx_set() - set @n words of the simulator's unit 10 (holding unless @input). */
void upfx_set(struct upfx *f, bool input, uint16_t addr, const uint16_t *words, size_t n);
uint16_t upfx_get_holding(struct upfx *f, uint16_t addr);

/* upfx_n_writes() - writes logged by the simulator to @addr (any: 0). */
size_t upfx_n_writes(struct upfx *f, uint16_t addr);

/* upfx_write_addrs() - the addresses of the logged writes from @from on, in order. */
size_t upfx_write_addrs(struct upfx *f, size_t from, uint16_t *ret, size_t max);

/* upfx_wait_cycles() - wait until the driver completed @n more poll cycles. */
void upfx_wait_cycles(struct upfx *f, int n);

/* upfx_set_double() - SetValue of a double on @svc; returns the reply code. */
int upfx_set_double(struct upfx *f, const char *svc, const char *path, double v);

/* upfx_count_log() - occurrences of @text in the driver's output so far. */
int upfx_count_log(struct upfx *f, const char *text);
