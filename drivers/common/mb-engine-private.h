/* SPDX-License-Identifier: MIT */
/* mb-engine-private.h - engine state shared by mb-engine.c (set-up, polls) and mb-cycle.c */
#pragma once

#include "mb-engine.h"

/* Per table. */
struct mb_slice {
	struct mb_engine_table t;
	struct mb_val *vals;	 /* per register */
	int *status;		 /* per register: outcome of the read that last covered it */
	double *energy;		 /* per register: highest value published (NAN: none) */
	bool *touched;		 /* per register: to publish at the end of this cycle */
	struct mb_addr_set bad;	 /* addresses never to read again */
	uint32_t groups_present; /* bit g: the table has registers of group g */
	uint32_t cycle_groups;	 /* groups read in the cycle in flight */
	uint32_t done_once;	 /* "once" groups read without error */
	bool transport_failed;	 /* the cycle in flight had a transport error */
	int transport_err;	 /* the first one */
	int64_t next_due[MB_MAX_GROUPS];
};

/* A block of the cycle in flight. */
struct mb_eblock {
	size_t slice;
	struct mb_block b;
	int status;
	unsigned int n_probes; /* probe ops submitted for it */
	unsigned int n_probe_ok;
	unsigned int n_unsupported;
};

/* A probe op: one register of a block that answered 0x02. */
struct mb_probe {
	size_t block;
	size_t reg;
};

struct mb_engine {
	struct mb_link *link;
	struct mb_engine_config cfg;
	GMainContext *ctx;
	GSource *timer;
	struct mb_slice *slices;
	size_t n_slices;
	GQueue writes; /* struct write_ctx of writes in flight */

	bool busy;	     /* a cycle (and its probes) is in flight */
	int64_t cycle_start; /* cfg clock, ms */
	int64_t cycle_t0;    /* monotonic us, for the duration */
	struct mb_eblock *blocks;
	struct mb_block_status *bstat;
	size_t n_blocks;
	size_t cap_blocks;
	struct mb_probe *probes;
	size_t n_probes;
	struct mb_cycle_result res;
	struct mb_engine_stats stats;
};

int64_t mb_engine_now(const struct mb_engine *eng);

/* mb-cycle.c: the completion side of a cycle. */
void mb_cycle_done(struct mb_txn *txn, void *userdata);
