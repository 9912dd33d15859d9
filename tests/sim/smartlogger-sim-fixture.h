/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-sim-fixture.h - what the dbus-smartlogger-hybrid integration tests share: a
 * private bus, ve-settingsd, the plant simulator in-process, the real driver binary, and waits
 * on the simulator's write log
 *
 * Services are com.victronenergy.{grid,battery,pvinverter}.sl (service_suffix = sl). Timing
 * keys are shortened for tests (poll 100 ms, no connect delay, 2 s control timeout, ...); a
 * test adds keys with lines "plant: key = value", "control: ..." or "curtailment: ...".
 * Without "plant: inverters" the driver gets inverters 1,2 and meter unit 11.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "mbsim.h"
#include "smartlogger-sim.h"

#define SLF_GRID    "com.victronenergy.grid.sl"
#define SLF_BATTERY "com.victronenergy.battery.sl"
#define SLF_PV	    "com.victronenergy.pvinverter.sl"
#define SLF_WAIT    5000 /* ms: "the driver publishes within a few poll cycles" */

struct slf {
	struct hx_bus *bus;
	struct hx_client *cl;
	struct hx_proc *settings;
	struct hx_proc *drv;
	struct slsim *sim;
	char ini[512];
};

/* slf_start() - bus, client, ve-settingsd, and the simulator with @sc. ck_asserts inside. */
void slf_start(struct slf *f, const struct slsim_config *sc);

/*
 * slf_driver() - write the configuration (the fixture's keys with the simulator's port, then
 * @extra, may be NULL) and start the driver with it; wait until its three (two without a
 * meter) names appear. @args: extra command-line arguments, NULL-terminated, may be NULL.
 */
void slf_driver(struct slf *f, const char *extra, const char *const *args);

/* slf_stop() - driver, settings, client, simulator, bus; NULL-safe members. */
void slf_stop(struct slf *f);

/*
 * slf_wait_write() - wait until the write log holds, at index @from or later, a write of
 * @unit at @addr whose value (slf_value()) is @value (-1: any). Waits on the simulator's
 * request counter, never on the clock.
 * Return: the index of that write, or -ETIMEDOUT.
 */
long slf_wait_write(struct slf *f, int unit, uint16_t addr, long value, size_t from,
		    int timeout_ms);

/* slf_value() - the value of write @i of the log (two registers: as U32); -1: no such write. */
long slf_value(struct slf *f, size_t i);

/* slf_count_writes() - writes of @unit (-1: any) at @addr (0: any) from index @from. */
size_t slf_count_writes(struct slf *f, int unit, uint16_t addr, size_t from);

/* slf_n_writes() - the length of the write log now. */
size_t slf_n_writes(struct slf *f);

/* slf_set() - SetValue of an int or a double; returns the reply code (ck_asserts the call). */
int slf_set_int(struct slf *f, const char *svc, const char *path, int64_t v);
int slf_set_double(struct slf *f, const char *svc, const char *path, double v);

/*
 * slf_read() - read @n (1 or 2) registers at @addr of @unit from the simulator as a Modbus
 * client of our own (libmodbus, no driver code): the value as I16 or I32, high word first.
 * Return: 0 or -EIO.
 */
int slf_read(struct slf *f, int unit, uint16_t addr, int n, int32_t *ret);

/*
 * slf_wait_requests() - wait until the simulator received @n more requests: "a few poll
 * cycles went by", for checks that something did NOT happen.
 */
void slf_wait_requests(struct slf *f, unsigned long n);
