/* SPDX-License-Identifier: MIT */
/* mb-cycle.c - completion of a poll cycle: decode, probe unsupported blocks, publish, report */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mb-engine-private.h"

static bool inside(const struct mb_reg *r, const struct mb_block *b)
{
	return r->space == b->space && r->addr >= b->addr &&
	       r->addr + mb_reg_width(r) <= (unsigned int)b->addr + b->count;
}

static void account(struct mb_engine *eng, const struct mb_op *op)
{
	int st = op->status;

	if (st != -ENOTCONN && st != -ECANCELED && st != -ESHUTDOWN)
		eng->res.n_requests++;
	eng->res.n_errors += st != 0;
	eng->res.n_timeouts += st == -ETIMEDOUT;
	eng->res.bytes += op->bytes;
}

static void decode_reg(struct mb_engine *eng, struct mb_slice *s, size_t k, const uint16_t *words)
{
	const struct mb_reg *r = &s->t.regs[k];
	struct mb_val *v = &s->vals[k];

	if (mb_decode(r, words, eng->cfg.word_order, v) < 0)
		v->kind = MB_VAL_NONE;
	if ((r->flags & MB_F_ENERGY) && v->kind == MB_VAL_NUMBER) {
		if (!isnan(s->energy[k]) && v->value < s->energy[k])
			v->value = s->energy[k]; /* never backwards: see mb-engine.h */
		else
			s->energy[k] = v->value;
	}
	s->status[k] = 0;
	s->touched[k] = true;
}

static void drop_reg(struct mb_slice *s, size_t k, int status)
{
	memset(&s->vals[k], 0, sizeof(s->vals[k]));
	s->status[k] = status;
	s->touched[k] = true;
}

static void mark_unsupported(struct mb_slice *s, size_t k, struct mb_eblock *eb, int status)
{
	const struct mb_reg *r = &s->t.regs[k];

	(void)mb_addr_set_add(&s->bad, r->space, r->addr, mb_reg_width(r));
	drop_reg(s, k, status);
	eb->n_unsupported++;
}

/* Queue one probe per register of block @i; a block of one register needs none. */
static void queue_probes(struct mb_engine *eng, size_t i, int status)
{
	struct mb_eblock *eb = &eng->blocks[i];
	struct mb_slice *s = &eng->slices[eb->slice];
	size_t first = eng->n_probes;

	for (size_t k = eb->b.first; k <= eb->b.last; k++)
		if (inside(&s->t.regs[k], &eb->b))
			eng->probes[eng->n_probes++] = (struct mb_probe){ .block = i, .reg = k };
	if (eng->n_probes - first == 1 &&
	    mb_reg_width(&s->t.regs[eng->probes[first].reg]) == eb->b.count) {
		eng->n_probes = first;
		mark_unsupported(s, eb->b.first, eb, status);
		return;
	}
	eb->n_probes = (unsigned int)(eng->n_probes - first);
}

static void handle_block(struct mb_engine *eng, size_t i, const struct mb_op *op)
{
	struct mb_eblock *eb = &eng->blocks[i];
	struct mb_slice *s = &eng->slices[eb->slice];
	struct mb_block_status *bs = &eng->bstat[i];

	account(eng, op);
	eb->status = op->status;
	*bs = (struct mb_block_status){ .table = eb->slice,
					.unit = s->t.unit,
					.space = eb->b.space,
					.addr = eb->b.addr,
					.count = eb->b.count,
					.status = op->status,
					.prev_status = s->status[eb->b.first] };
	for (size_t k = eb->b.first; k <= eb->b.last; k++) {
		if (!inside(&s->t.regs[k], &eb->b))
			continue;
		if (op->status == 0)
			decode_reg(eng, s, k, op->words + (s->t.regs[k].addr - eb->b.addr));
		else
			drop_reg(s, k, op->status);
	}
	if (op->status && !mb_err_exception(op->status) && !s->transport_failed) {
		s->transport_failed = true;
		s->transport_err = op->status;
	}
	if (mb_err_exception(op->status) == MB_EXC_ILLEGAL_ADDR && eng->probes)
		queue_probes(eng, i, op->status);
}

/* Every register of block @eb read fine alone: never read through its gaps again. */
static void ban_gaps(struct mb_slice *s, const struct mb_eblock *eb)
{
	for (unsigned int a = eb->b.addr; a < (unsigned int)eb->b.addr + eb->b.count; a++) {
		bool used = false;

		for (size_t k = eb->b.first; k <= eb->b.last && !used; k++) {
			const struct mb_reg *r = &s->t.regs[k];

			used = r->space == eb->b.space && a >= r->addr &&
			       a < r->addr + mb_reg_width(r);
		}
		if (!used)
			(void)mb_addr_set_add(&s->bad, eb->b.space, (uint16_t)a, 1);
	}
}

static void finish_cycle(struct mb_engine *eng);

static void probe_done(struct mb_txn *txn, void *userdata)
{
	struct mb_engine *eng = userdata;

	for (size_t j = 0; j < mb_txn_n_ops(txn) && j < eng->n_probes; j++) {
		const struct mb_op *op = mb_txn_op(txn, j);
		struct mb_eblock *eb = &eng->blocks[eng->probes[j].block];
		struct mb_slice *s = &eng->slices[eb->slice];
		size_t k = eng->probes[j].reg;

		account(eng, op);
		if (op->status == 0) {
			decode_reg(eng, s, k, op->words);
			if (++eb->n_probe_ok == eb->n_probes)
				ban_gaps(s, eb);
		} else if (mb_err_exception(op->status) == MB_EXC_ILLEGAL_ADDR) {
			mark_unsupported(s, k, eb, op->status);
		} else {
			drop_reg(s, k, op->status);
			if (!mb_err_exception(op->status) && !s->transport_failed) {
				s->transport_failed = true;
				s->transport_err = op->status;
			}
		}
	}
	finish_cycle(eng);
}

static int submit_probes(struct mb_engine *eng)
{
	struct mb_txn *txn;
	int r = mb_txn_new(probe_done, eng, &txn);

	for (size_t j = 0; r >= 0 && j < eng->n_probes; j++) {
		const struct mb_eblock *eb = &eng->blocks[eng->probes[j].block];
		const struct mb_slice *s = &eng->slices[eb->slice];
		const struct mb_reg *reg = &s->t.regs[eng->probes[j].reg];

		r = mb_txn_add_read(txn, s->t.unit, reg->space, reg->addr,
				    (uint16_t)mb_reg_width(reg), 0);
	}
	if (r < 0) {
		mb_txn_free(txn);
		return r;
	}
	return mb_link_submit(eng->link, txn);
}

void mb_cycle_done(struct mb_txn *txn, void *userdata)
{
	struct mb_engine *eng = userdata;
	size_t n_regs = 0;

	memset(&eng->res, 0, sizeof(eng->res));
	for (size_t i = 0; i < eng->n_slices; i++)
		n_regs += eng->slices[i].t.n_regs;
	free(eng->probes);
	eng->probes = calloc(n_regs + 1, sizeof(*eng->probes));
	eng->n_probes = 0;
	for (size_t i = 0; i < mb_txn_n_ops(txn) && i < eng->n_blocks; i++)
		handle_block(eng, i, mb_txn_op(txn, i)); /* no probes without memory */
	if (eng->n_probes > 0 && submit_probes(eng) == 0)
		return;
	finish_cycle(eng);
}

/* Groups and "once" bookkeeping of one table after the cycle. */
static void finish_slice(struct mb_engine *eng, struct mb_slice *s)
{
	uint32_t failed = 0;

	if (s->transport_failed) {
		/* unreachable: nothing of this unit is known any more, not even slow groups */
		for (size_t k = 0; k < s->t.n_regs; k++)
			drop_reg(s, k, s->status[k] ? s->status[k] : s->transport_err);
		s->done_once = 0; /* the device may have been replaced: read identity again */
	}
	for (size_t k = 0; k < s->t.n_regs; k++) {
		const struct mb_reg *r = &s->t.regs[k];

		if ((s->cycle_groups & (1u << r->group)) && s->vals[k].kind == MB_VAL_NONE &&
		    !mb_addr_set_has(&s->bad, r->space, r->addr, mb_reg_width(r)))
			failed |= 1u << r->group;
	}
	for (unsigned int g = 0; g < MB_MAX_GROUPS; g++) {
		uint32_t bit = 1u << g;

		if (!(s->cycle_groups & bit))
			continue;
		if (eng->cfg.interval_ms[g])
			s->next_due[g] = eng->cycle_start + eng->cfg.interval_ms[g];
		else if (!(failed & bit) && !s->transport_failed)
			s->done_once |= bit;
	}
	eng->res.groups |= s->cycle_groups;
}

static void publish(struct mb_slice *s)
{
	const struct mb_publish_ops *pub = s->t.pub;

	for (size_t k = 0; k < s->t.n_regs; k++) {
		const struct mb_reg *r = &s->t.regs[k];
		const struct mb_val *v = &s->vals[k];

		if (!s->touched[k])
			continue;
		s->touched[k] = false;
		if (!pub || !r->path)
			continue;
		if (v->kind == MB_VAL_NUMBER && pub->set_number)
			pub->set_number(s->t.target, r, v->value);
		else if (v->kind == MB_VAL_STRING && pub->set_string)
			pub->set_string(s->t.target, r, v->str);
		else if (pub->invalidate)
			pub->invalidate(s->t.target, r);
	}
}

static void finish_blocks(struct mb_engine *eng)
{
	bool any_ok = false;

	for (size_t i = 0; i < eng->n_blocks; i++) {
		struct mb_block_status *bs = &eng->bstat[i];

		bs->n_unsupported = eng->blocks[i].n_unsupported;
		bs->changed = bs->status != bs->prev_status;
		any_ok |= bs->status == 0 || eng->blocks[i].n_probe_ok > 0;
	}
	eng->res.blocks = eng->bstat;
	eng->res.n_blocks = eng->n_blocks;
	eng->res.all_failed = !any_ok;
}

static void finish_stats(struct mb_engine *eng)
{
	struct mb_engine_stats *st = &eng->stats;

	eng->res.duration_ms = (unsigned int)((g_get_monotonic_time() - eng->cycle_t0) / 1000);
	st->cycles++;
	st->requests += eng->res.n_requests;
	st->errors += eng->res.n_errors;
	st->timeouts += eng->res.n_timeouts;
	st->bytes += eng->res.bytes;
	st->last_duration_ms = eng->res.duration_ms;
	st->last_requests = eng->res.n_requests;
	st->last_bytes = eng->res.bytes;
}

static void finish_cycle(struct mb_engine *eng)
{
	for (size_t i = 0; i < eng->n_slices; i++)
		finish_slice(eng, &eng->slices[i]);
	finish_blocks(eng);
	finish_stats(eng);
	for (size_t i = 0; i < eng->n_slices; i++)
		publish(&eng->slices[i]);
	eng->busy = false; /* on_cycle may poll or write */
	if (eng->cfg.on_cycle)
		eng->cfg.on_cycle(eng, &eng->res, eng->cfg.userdata);
	for (size_t i = 0; i < eng->n_slices; i++) {
		const struct mb_slice *s = &eng->slices[i];

		if (s->t.pub && s->t.pub->flush)
			s->t.pub->flush(s->t.target);
	}
}
