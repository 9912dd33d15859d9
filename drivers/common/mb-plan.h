/* SPDX-License-Identifier: MIT */
/*
 * mb-plan.h - block planner: the fewest read requests that cover a register table
 *
 * Pure functions: no I/O, no clock. The engine calls mb_plan() every poll cycle with the
 * groups that are due and the addresses it learned to avoid.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mb-reg.h"

/* Largest read the Modbus spec allows (Modbus Application Protocol v1.1b, 6.3 p15). */
#define MB_MAX_READ_REGS 125

/*
 * A set of (space, address) pairs, e.g. registers that answered "illegal data address".
 * Embedded by value: start with MB_ADDR_SET_INIT, release with mb_addr_set_done().
 */
struct mb_addr_set {
	uint32_t *keys; /* sorted (space << 16 | addr) */
	size_t n_keys;
	size_t cap;
};
#define MB_ADDR_SET_INIT ((struct mb_addr_set){ 0 })

/* mb_addr_set_add() - add @count addresses from @addr. Return: 0 or -ENOMEM. */
int mb_addr_set_add(struct mb_addr_set *set, enum mb_space space, uint16_t addr,
		    unsigned int count);
/* mb_addr_set_has() - whether any of @count addresses from @addr is in @set (NULL: none). */
bool mb_addr_set_has(const struct mb_addr_set *set, enum mb_space space, uint16_t addr,
		     unsigned int count);
/* mb_addr_set_done() - free the storage; the set is empty and usable again. */
void mb_addr_set_done(struct mb_addr_set *set);

struct mb_plan_params {
	unsigned int max_regs;	 /* per request, 1..MB_MAX_READ_REGS; 0 means MB_MAX_READ_REGS */
	unsigned int bridge_gap; /* read through a gap of at most this many registers */
	uint32_t group_mask;	 /* bit g: plan registers of group g */
};

/* One read request. Table indices first..last hold every wanted register it covers. */
struct mb_block {
	enum mb_space space;
	uint16_t addr;
	uint16_t count;
	size_t first;
	size_t last;
};

/*
 * mb_plan() - plan the reads of the registers of @regs whose group is in the mask and that do
 * not touch @bad (may be NULL). Within a space, a block covers consecutive wanted registers;
 * the gap between two of them is read through when it is at most bridge_gap registers and
 * holds no address of @bad; a block never exceeds max_regs. Among the plans with the fewest
 * blocks the one reading the fewest registers is chosen. Blocks come in table order.
 * @regs must pass mb_table_check().
 * Return: 0 with *ret_n_blocks set; -ENOSPC when @max_blocks is too small (*ret_n_blocks
 * then says how many are needed); -EINVAL for bad params or a register wider than max_regs;
 * -ENOMEM.
 */
int mb_plan(const struct mb_reg *regs, size_t n_regs, const struct mb_plan_params *params,
	    const struct mb_addr_set *bad, struct mb_block *ret_blocks, size_t max_blocks,
	    size_t *ret_n_blocks);

/* Framing, for wire-size estimates. */
enum mb_framing {
	MB_FRAMING_RTU = 0, /* address + PDU + CRC16 */
	MB_FRAMING_TCP,	    /* 7-byte MBAP header + PDU */
};

/* mb_read_wire_bytes() - request plus normal response ADU bytes of one read of @count. */
unsigned int mb_read_wire_bytes(enum mb_framing f, unsigned int count);

/* mb_plan_wire_bytes() - mb_read_wire_bytes() summed over @blocks. */
size_t mb_plan_wire_bytes(const struct mb_block *blocks, size_t n_blocks, enum mb_framing f);
