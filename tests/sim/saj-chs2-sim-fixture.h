/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-sim-fixture.h - what the dbus-saj-chs2 integration tests share: a private bus,
 * ve-settingsd, an in-process CHS2 simulator and the real driver binary, plus helpers to
 * read the simulator's write log
 *
 * Every helper asserts (Check) on failure, so tests read as a list of steps. The driver polls
 * every 100 ms with a short regulator time constant so the suites stay fast.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "saj-chs2-sim.h"

#define SAJFIX_BAT  "com.victronenergy.battery.saj_127_0_0_1"
#define SAJFIX_PV   "com.victronenergy.pvinverter.saj_127_0_0_1"
#define SAJFIX_GRID "com.victronenergy.grid.saj_127_0_0_1"
#define SAJFIX_WAIT 5000 /* ms: anything the driver does within a few cycles */

struct sajfix {
	struct hx_bus *bus;
	struct hx_client *cl;
	struct hx_proc *settingsd;
	struct hx_proc *drv;
	struct sajsim *sim;
	char ini[512];
	char state_dir[512];
};

/*
 * sajfix_start() - bus, settings, a simulator from @scfg (NULL: SAJSIM_CONFIG_DEFAULT) and
 * the driver with a configuration file of the fixture's keys plus @extra (INI text, may be
 * NULL; groups may repeat). Returns once the battery service is connected.
 */
void sajfix_start(struct sajfix *f, const struct sajsim_config *scfg, const char *extra);

/* sajfix_driver() - (re)start the driver alone; waits until it is connected. */
void sajfix_driver(struct sajfix *f);

/* sajfix_run() - run the driver binary with the fixture's file and @arg (e.g. "--restore")
 * to its end. Return: its exit status. */
int sajfix_run(struct sajfix *f, const char *arg);

/*
 * sajfix_stop() - everything down, in reverse; asserts that a driver still running exits 0 on
 * SIGTERM (free f->drv first in a test that killed it). NULL-safe members.
 */
void sajfix_stop(struct sajfix *f);

/* sajfix_set() - SetValue; returns the reply code. */
int sajfix_set(struct sajfix *f, const char *svc, const char *path, struct vedbus_value v);

/* sajfix_get() - GetValue of a number (NAN for invalid). */
double sajfix_get(struct sajfix *f, const char *svc, const char *path);

/* sajfix_written() - how many logged writes (from entry @from on) set @addr to @value
 * (-1: any value). */
size_t sajfix_written(struct sajfix *f, size_t from, uint16_t addr, int value);

/* sajfix_write_index() - the index of the first logged write (from @from) touching @addr,
 * or SIZE_MAX. */
size_t sajfix_write_index(struct sajfix *f, size_t from, uint16_t addr);

/* sajfix_state_file() - whether the driver's state file exists. */
bool sajfix_state_file(struct sajfix *f);
