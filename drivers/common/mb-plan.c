/* SPDX-License-Identifier: MIT */
/* mb-plan.c - block planner and the address sets it plans around */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mb-plan.h"

static uint32_t key_of(enum mb_space space, uint16_t addr)
{
	return (uint32_t)space << 16 | addr;
}

/* Index of the first key >= k. */
static size_t lower_bound(const struct mb_addr_set *set, uint32_t k)
{
	size_t lo = 0, hi = set->n_keys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->keys[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int add_one(struct mb_addr_set *set, uint32_t k)
{
	size_t at = lower_bound(set, k);

	if (at < set->n_keys && set->keys[at] == k)
		return 0;
	if (set->n_keys == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 16;
		uint32_t *keys = realloc(set->keys, cap * sizeof(*keys));

		if (!keys)
			return -ENOMEM;
		set->keys = keys;
		set->cap = cap;
	}
	memmove(&set->keys[at + 1], &set->keys[at], (set->n_keys - at) * sizeof(*set->keys));
	set->keys[at] = k;
	set->n_keys++;
	return 0;
}

int mb_addr_set_add(struct mb_addr_set *set, enum mb_space space, uint16_t addr, unsigned int count)
{
	for (unsigned int i = 0; i < count && addr + i <= 0xffff; i++) {
		int r = add_one(set, key_of(space, (uint16_t)(addr + i)));

		if (r < 0)
			return r;
	}
	return 0;
}

bool mb_addr_set_has(const struct mb_addr_set *set, enum mb_space space, uint16_t addr,
		     unsigned int count)
{
	uint32_t end = (uint32_t)addr + count > 0x10000 ? 0x10000 : (uint32_t)addr + count;
	size_t at;

	if (!set || set->n_keys == 0 || count == 0)
		return false;
	at = lower_bound(set, key_of(space, addr));
	return at < set->n_keys && set->keys[at] < ((uint32_t)space << 16) + end;
}

void mb_addr_set_done(struct mb_addr_set *set)
{
	free(set->keys);
	*set = MB_ADDR_SET_INIT;
}

static unsigned int reg_end(const struct mb_reg *r)
{
	return r->addr + mb_reg_width(r);
}

/* Dynamic programme over the wanted registers of one space, in address order. */
struct dp {
	size_t *blocks; /* fewest blocks covering the first j wanted registers */
	size_t *words;	/* registers read by that plan */
	size_t *from;	/* where its last block starts */
};

/* Can one block hold wanted registers i..j-1 (given that i+1..j-1 can)? */
static bool extend_ok(const struct mb_reg *regs, const size_t *idx, size_t i, size_t j,
		      const struct mb_plan_params *p, unsigned int max,
		      const struct mb_addr_set *bad)
{
	const struct mb_reg *a = &regs[idx[i]], *b = &regs[idx[i + 1 < j ? i + 1 : i]];
	unsigned int gap;

	if (reg_end(&regs[idx[j - 1]]) - a->addr > max)
		return false;
	if (i + 1 == j)
		return true;
	gap = b->addr - reg_end(a);
	return gap <= p->bridge_gap && !mb_addr_set_has(bad, a->space, (uint16_t)reg_end(a), gap);
}

static void solve(const struct mb_reg *regs, const size_t *idx, size_t m,
		  const struct mb_plan_params *p, unsigned int max, const struct mb_addr_set *bad,
		  struct dp *dp)
{
	dp->blocks[0] = 0;
	dp->words[0] = 0;
	for (size_t j = 1; j <= m; j++) {
		dp->blocks[j] = SIZE_MAX;
		for (size_t i = j; i-- > 0;) {
			size_t nb, nw;

			if (!extend_ok(regs, idx, i, j, p, max, bad))
				break;
			nb = dp->blocks[i] + 1;
			nw = dp->words[i] + reg_end(&regs[idx[j - 1]]) - regs[idx[i]].addr;
			if (nb < dp->blocks[j] || (nb == dp->blocks[j] && nw < dp->words[j])) {
				dp->blocks[j] = nb;
				dp->words[j] = nw;
				dp->from[j] = i;
			}
		}
	}
}

/* Append the blocks of the solved space to out[] (backwards; sorted later). */
static size_t emit(const struct mb_reg *regs, const size_t *idx, size_t m, const struct dp *dp,
		   struct mb_block *out)
{
	size_t n = 0;

	for (size_t j = m; j > 0; j = dp->from[j]) {
		const struct mb_reg *a = &regs[idx[dp->from[j]]], *b = &regs[idx[j - 1]];

		out[n++] = (struct mb_block){ .space = a->space,
					      .addr = a->addr,
					      .count = (uint16_t)(reg_end(b) - a->addr),
					      .first = idx[dp->from[j]],
					      .last = idx[j - 1] };
	}
	return n;
}

/* The wanted registers of @space, in table order. */
static int collect(const struct mb_reg *regs, size_t n_regs, enum mb_space space,
		   const struct mb_plan_params *p, unsigned int max, const struct mb_addr_set *bad,
		   size_t *idx, size_t *ret_m)
{
	size_t m = 0;

	for (size_t i = 0; i < n_regs; i++) {
		const struct mb_reg *r = &regs[i];

		if (r->space != space || r->group >= 32 || !(p->group_mask & (1u << r->group)))
			continue;
		if (mb_reg_width(r) == 0 || mb_reg_width(r) > max)
			return -EINVAL;
		if (mb_addr_set_has(bad, space, r->addr, mb_reg_width(r)))
			continue;
		if (m > 0 && r->addr < reg_end(&regs[idx[m - 1]]))
			return -EINVAL;
		idx[m++] = i;
	}
	*ret_m = m;
	return 0;
}

static int by_first(const void *a, const void *b)
{
	const struct mb_block *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

static int plan_all(const struct mb_reg *regs, size_t n_regs, const struct mb_plan_params *p,
		    const struct mb_addr_set *bad, size_t *mem, struct mb_block *tmp, size_t *ret_n)
{
	static const enum mb_space spaces[] = { MB_HOLDING, MB_INPUT };
	unsigned int max = p->max_regs ? p->max_regs : MB_MAX_READ_REGS;
	struct dp dp = { mem + n_regs, mem + 2 * n_regs + 1, mem + 3 * n_regs + 2 };
	size_t n = 0, m;
	int r;

	if (max > MB_MAX_READ_REGS)
		return -EINVAL;
	for (size_t s = 0; s < sizeof(spaces) / sizeof(spaces[0]); s++) {
		r = collect(regs, n_regs, spaces[s], p, max, bad, mem, &m);
		if (r < 0)
			return r;
		solve(regs, mem, m, p, max, bad, &dp);
		n += emit(regs, mem, m, &dp, tmp + n);
	}
	qsort(tmp, n, sizeof(*tmp), by_first);
	*ret_n = n;
	return 0;
}

int mb_plan(const struct mb_reg *regs, size_t n_regs, const struct mb_plan_params *params,
	    const struct mb_addr_set *bad, struct mb_block *ret_blocks, size_t max_blocks,
	    size_t *ret_n_blocks)
{
	struct mb_block *tmp;
	size_t *mem, n = 0;
	int r;

	if (!params || (!regs && n_regs > 0) || !ret_n_blocks)
		return -EINVAL;
	mem = calloc(4 * n_regs + 3, sizeof(*mem));
	tmp = calloc(n_regs + 1, sizeof(*tmp));
	if (!mem || !tmp) {
		r = -ENOMEM;
		goto out_free;
	}
	r = plan_all(regs, n_regs, params, bad, mem, tmp, &n);
	if (r < 0)
		goto out_free;
	*ret_n_blocks = n;
	if (n > max_blocks) {
		r = -ENOSPC;
		goto out_free;
	}
	if (n > 0)
		memcpy(ret_blocks, tmp, n * sizeof(*tmp));
out_free:
	free(tmp);
	free(mem);
	return r;
}

unsigned int mb_read_wire_bytes(enum mb_framing f, unsigned int count)
{
	/* RTU: unit fc addr(2) qty(2) crc(2) = 8; reply unit fc bytecount data crc(2). */
	if (f == MB_FRAMING_RTU)
		return 8 + 5 + 2 * count;
	/* TCP: MBAP(7) + fc addr qty = 12; reply MBAP(7) fc bytecount data. */
	return 12 + 9 + 2 * count;
}

size_t mb_plan_wire_bytes(const struct mb_block *blocks, size_t n_blocks, enum mb_framing f)
{
	size_t bytes = 0;

	for (size_t i = 0; i < n_blocks; i++)
		bytes += mb_read_wire_bytes(f, blocks[i].count);
	return bytes;
}
