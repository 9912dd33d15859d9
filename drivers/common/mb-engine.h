/* SPDX-License-Identifier: MIT */
/*
 * mb-engine.h - the Modbus register engine: tables + planner + link + publishing
 *
 * Per refresh group an interval; every poll cycle reads the due groups of every table in ONE
 * transaction of planned blocks, decodes every register of every successful block, publishes
 * the registers that have a path to the table's publish target, calls the driver's on_cycle
 * (which reads values with mb_engine_value() and publishes what the table cannot say), then
 * flushes each target once. Everything runs on the GMainContext given to mb_engine_new().
 *
 * Failures never publish 0 or stale data:
 *  - a transport error (timeout, link down, garbage) makes every register of that table
 *    invalid, and "once" groups are read again when the device is back;
 *  - a Modbus exception makes only its block invalid;
 *  - exception 0x02 (illegal data address) on a block of several registers is followed, in the
 *    same cycle, by one read per register; registers that fail again are remembered as
 *    unsupported and planned around until restart (the rest of the block is published
 *    normally); if every register reads fine, the gaps of that block are never read through
 *    again.
 * Energy counters (MB_F_ENERGY) never go backwards: the highest value seen since start is
 * published; only a restart of the driver forgets it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "mb-link.h"
#include "mb-plan.h"
#include "mb-reg.h"

struct mb_engine;

/* Where registers with a path go. Every hook returns 0 or a negative errno (ignored). */
struct mb_publish_ops {
	int (*set_number)(void *target, const struct mb_reg *reg, double value);
	int (*set_string)(void *target, const struct mb_reg *reg, const char *s);
	int (*invalidate)(void *target, const struct mb_reg *reg);
	int (*flush)(void *target);
};

/* One register table of one unit. Everything is borrowed and must outlive the engine. */
struct mb_engine_table {
	int unit; /* -1: the link's unit */
	const struct mb_reg *regs;
	size_t n_regs;
	const struct mb_publish_ops *pub; /* NULL: the mapping code publishes everything */
	void *target;			  /* e.g. a struct vedbus_service * (mb-vedbus.h) */
};

/* The outcome of one planned block in a cycle, for one log line per change. */
struct mb_block_status {
	size_t table;
	int unit;
	enum mb_space space;
	uint16_t addr;
	uint16_t count;
	int status;		    /* 0 or an error code of mb-link.h */
	int prev_status;	    /* of the same registers when last read (0 at start) */
	bool changed;		    /* status != prev_status: worth a log line */
	unsigned int n_unsupported; /* registers found unsupported by this block's probe */
};

struct mb_cycle_result {
	uint32_t groups;		      /* bit g: group g was read (in some table) */
	const struct mb_block_status *blocks; /* borrowed for the callback */
	size_t n_blocks;
	unsigned int n_requests; /* probes included */
	unsigned int n_errors;
	unsigned int n_timeouts;
	size_t bytes;		  /* estimated ADU bytes, both ways */
	unsigned int duration_ms; /* submit to completion */
	bool all_failed;	  /* no block succeeded */
};

typedef void (*mb_cycle_fn)(struct mb_engine *eng, const struct mb_cycle_result *res,
			    void *userdata);
typedef void (*mb_write_done_fn)(struct mb_engine *eng, int status, void *userdata);

struct mb_engine_config {
	enum mb_word_order word_order;
	unsigned int max_regs;	 /* per read; 0: 125. Huawei 64, UP5000 10 */
	unsigned int bridge_gap; /* read through gaps of at most this many registers */
	unsigned int interval_ms[MB_MAX_GROUPS]; /* 0: once (until read without error) */
	bool write_fc06; /* one-register writes with FC06 (else always FC10) */
	mb_cycle_fn on_cycle;
	void *userdata;		   /* for on_cycle; borrowed */
	int64_t (*clock_ms)(void); /* NULL: the monotonic clock; tests pass a fake one */
};

struct mb_engine_stats {
	uint64_t cycles;
	uint64_t requests;
	uint64_t errors;
	uint64_t timeouts;
	uint64_t overruns; /* ticks skipped because a cycle was still running */
	uint64_t bytes;
	unsigned int last_duration_ms;
	unsigned int last_requests;
	size_t last_bytes;
};

/*
 * mb_engine_new() - an engine polling over @link, which it owns from now on (also freed by
 * mb_engine_free()). Timers run on @ctx (NULL: the default context), which must be the
 * context the link delivers to. @cfg is copied. Return: 0, -EINVAL, -ENOMEM.
 */
int mb_engine_new(struct mb_link *link, const struct mb_engine_config *cfg, GMainContext *ctx,
		  struct mb_engine **ret);

/* mb_engine_free() - stop, free the link, the state and pending writes. NULL-safe. */
struct mb_engine *mb_engine_free(struct mb_engine *eng);

/*
 * mb_engine_add_table() - add a table (checked with mb_table_check()); *ret_table (may be
 * NULL) is its index for the accessors. Add all tables before the first cycle.
 * Return: 0, -EINVAL (bad table; the reason via mb_table_check()), -ENOMEM.
 */
int mb_engine_add_table(struct mb_engine *eng, const struct mb_engine_table *t, size_t *ret_table);

/* mb_engine_start() - poll now, then every smallest non-zero interval. Return: 0, -ENOMEM. */
int mb_engine_start(struct mb_engine *eng);

/*
 * mb_engine_poll_now() - start a cycle of what is due now.
 * Return: 0 (submitted), 1 (nothing due), -EBUSY (a cycle is running), -ENOMEM.
 */
int mb_engine_poll_now(struct mb_engine *eng);

/*
 * mb_engine_value() - the latest decoded value of the register at @addr of table @table
 * (holding space searched first), or NULL when it has none (never read, read failed,
 * unsupported). Borrowed until the next cycle completes.
 */
const struct mb_val *mb_engine_value(const struct mb_engine *eng, size_t table, uint16_t addr);

/* mb_engine_number() - the value as a number. Return: 0, -ENODATA (none or not a number). */
int mb_engine_number(const struct mb_engine *eng, size_t table, uint16_t addr, double *ret);

/* mb_engine_unsupported() - whether @addr of @table was found unsupported (0x02). */
bool mb_engine_unsupported(const struct mb_engine *eng, size_t table, uint16_t addr);

/*
 * mb_engine_write() - write @n words at @addr of @unit (-1: the link's) in a transaction of
 * its own, queued on the link now: after a cycle in flight, before the next one. @done (may
 * be NULL) gets 0 or an error code of mb-link.h. Return: 0, -EINVAL, -ENOMEM.
 */
int mb_engine_write(struct mb_engine *eng, int unit, uint16_t addr, const uint16_t *words, size_t n,
		    mb_write_done_fn done, void *userdata);

/*
 * mb_engine_write_value() - encode @value for the register at @addr of table @table
 * (mb_encode(): scale, word order, range) and write it to that table's unit.
 * Return: as mb_engine_write(), -ENOENT (no such register), -ERANGE.
 */
int mb_engine_write_value(struct mb_engine *eng, size_t table, uint16_t addr, double value,
			  mb_write_done_fn done, void *userdata);

/* mb_engine_get_stats() - cycle figures for /Diagnostics/\*. */
void mb_engine_get_stats(const struct mb_engine *eng, struct mb_engine_stats *ret);

/* mb_engine_link() - the link, borrowed: for its stats or for hand-built transactions. */
struct mb_link *mb_engine_link(struct mb_engine *eng);
