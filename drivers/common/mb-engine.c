/* SPDX-License-Identifier: MIT */
/* mb-engine.c - engine set-up, scheduling of refresh groups, cycle submission, writes */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mb-engine-private.h"

struct write_ctx {
	struct mb_engine *eng;
	mb_write_done_fn done;
	void *userdata;
};

int64_t mb_engine_now(const struct mb_engine *eng)
{
	return eng->cfg.clock_ms ? eng->cfg.clock_ms() : g_get_monotonic_time() / 1000;
}

int mb_engine_new(struct mb_link *link, const struct mb_engine_config *cfg, GMainContext *ctx,
		  struct mb_engine **ret)
{
	struct mb_engine *eng;

	if (!link || !cfg || !ret || cfg->max_regs > MB_MAX_READ_REGS ||
	    (cfg->word_order != MB_WORDS_HIGH_FIRST && cfg->word_order != MB_WORDS_LOW_FIRST))
		return -EINVAL;
	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return -ENOMEM;
	eng->link = link;
	eng->cfg = *cfg;
	eng->ctx = ctx ? g_main_context_ref(ctx) : NULL;
	g_queue_init(&eng->writes);
	*ret = eng;
	return 0;
}

static void slice_done(struct mb_slice *s)
{
	free(s->vals);
	free(s->status);
	free(s->energy);
	free(s->touched);
	mb_addr_set_done(&s->bad);
}

struct mb_engine *mb_engine_free(struct mb_engine *eng)
{
	struct write_ctx *w;

	if (!eng)
		return NULL;
	eng->link = mb_link_free(eng->link); /* no callback after this */
	while ((w = g_queue_pop_head(&eng->writes)))
		free(w);
	if (eng->timer) {
		g_source_destroy(eng->timer);
		g_source_unref(eng->timer);
	}
	for (size_t i = 0; i < eng->n_slices; i++)
		slice_done(&eng->slices[i]);
	free(eng->slices);
	free(eng->blocks);
	free(eng->bstat);
	free(eng->probes);
	if (eng->ctx)
		g_main_context_unref(eng->ctx);
	free(eng);
	return NULL;
}

static int slice_init(struct mb_slice *s, const struct mb_engine_table *t)
{
	memset(s, 0, sizeof(*s));
	s->t = *t;
	s->vals = calloc(t->n_regs + 1, sizeof(*s->vals));
	s->status = calloc(t->n_regs + 1, sizeof(*s->status));
	s->energy = calloc(t->n_regs + 1, sizeof(*s->energy));
	s->touched = calloc(t->n_regs + 1, sizeof(*s->touched));
	if (!s->vals || !s->status || !s->energy || !s->touched) {
		slice_done(s);
		return -ENOMEM;
	}
	for (size_t k = 0; k < t->n_regs; k++) {
		s->energy[k] = NAN;
		s->groups_present |= 1u << t->regs[k].group;
	}
	return 0;
}

int mb_engine_add_table(struct mb_engine *eng, const struct mb_engine_table *t, size_t *ret_table)
{
	struct mb_slice *slices;
	int r;

	if (!eng || !t || (!t->regs && t->n_regs) || t->unit < -1 || t->unit > 255 || eng->busy)
		return -EINVAL;
	r = mb_table_check(t->regs, t->n_regs, NULL, 0);
	if (r < 0)
		return r;
	slices = realloc(eng->slices, (eng->n_slices + 1) * sizeof(*slices));
	if (!slices)
		return -ENOMEM;
	eng->slices = slices;
	r = slice_init(&eng->slices[eng->n_slices], t);
	if (r < 0)
		return r;
	if (ret_table)
		*ret_table = eng->n_slices;
	eng->n_slices++;
	return 0;
}

/* The groups of @s due now. "Once" groups stay due until read without error. */
static uint32_t due_mask(const struct mb_engine *eng, const struct mb_slice *s, int64_t now)
{
	uint32_t mask = 0;

	for (unsigned int g = 0; g < MB_MAX_GROUPS; g++) {
		uint32_t bit = 1u << g;
		unsigned int iv = eng->cfg.interval_ms[g];

		if (!(s->groups_present & bit))
			continue;
		if (iv == 0 ? !(s->done_once & bit) : now >= s->next_due[g])
			mask |= bit;
	}
	return mask;
}

static int reserve_blocks(struct mb_engine *eng, size_t n)
{
	struct mb_eblock *b;
	struct mb_block_status *st;

	if (n <= eng->cap_blocks)
		return 0;
	b = realloc(eng->blocks, n * sizeof(*b));
	if (b)
		eng->blocks = b;
	st = realloc(eng->bstat, n * sizeof(*st));
	if (st)
		eng->bstat = st;
	if (!b || !st)
		return -ENOMEM;
	eng->cap_blocks = n;
	return 0;
}

/* Plan the due groups of slice @i and append their reads to @txn. */
static int plan_slice(struct mb_engine *eng, size_t i, struct mb_txn *txn)
{
	struct mb_slice *s = &eng->slices[i];
	struct mb_plan_params p = { .max_regs = eng->cfg.max_regs,
				    .bridge_gap = eng->cfg.bridge_gap,
				    .group_mask = due_mask(eng, s, eng->cycle_start) };
	struct mb_block *tmp;
	size_t n = 0;
	int r;

	s->cycle_groups = p.group_mask;
	s->transport_failed = false;
	if (!p.group_mask)
		return 0;
	tmp = calloc(s->t.n_regs + 1, sizeof(*tmp));
	r = tmp ? reserve_blocks(eng, eng->n_blocks + s->t.n_regs) : -ENOMEM;
	if (r == 0)
		r = mb_plan(s->t.regs, s->t.n_regs, &p, &s->bad, tmp, s->t.n_regs, &n);
	for (size_t k = 0; r == 0 && k < n; k++) {
		eng->blocks[eng->n_blocks++] = (struct mb_eblock){ .slice = i, .b = tmp[k] };
		r = mb_txn_add_read(txn, s->t.unit, tmp[k].space, tmp[k].addr, tmp[k].count,
				    MB_OP_SKIP_DEAD_UNIT);
		r = r < 0 ? r : 0;
	}
	free(tmp);
	return r;
}

int mb_engine_poll_now(struct mb_engine *eng)
{
	struct mb_txn *txn;
	int r;

	if (eng->busy) {
		eng->stats.overruns++;
		return -EBUSY;
	}
	r = mb_txn_new(mb_cycle_done, eng, &txn);
	if (r < 0)
		return r;
	eng->n_blocks = 0;
	eng->cycle_start = mb_engine_now(eng);
	for (size_t i = 0; i < eng->n_slices && r == 0; i++)
		r = plan_slice(eng, i, txn);
	if (r < 0 || eng->n_blocks == 0) {
		mb_txn_free(txn);
		return r < 0 ? r : 1;
	}
	eng->cycle_t0 = g_get_monotonic_time();
	r = mb_link_submit(eng->link, txn);
	eng->busy = r == 0;
	return r;
}

static gboolean on_tick(gpointer data)
{
	(void)mb_engine_poll_now(data);
	return G_SOURCE_CONTINUE;
}

int mb_engine_start(struct mb_engine *eng)
{
	unsigned int tick = 0;

	for (unsigned int g = 0; g < MB_MAX_GROUPS; g++)
		if (eng->cfg.interval_ms[g] && (!tick || eng->cfg.interval_ms[g] < tick))
			tick = eng->cfg.interval_ms[g];
	if (eng->timer)
		return 0;
	eng->timer = g_timeout_source_new(tick ? tick : 1000);
	if (!eng->timer)
		return -ENOMEM;
	g_source_set_callback(eng->timer, on_tick, eng, NULL);
	g_source_attach(eng->timer, eng->ctx);
	(void)mb_engine_poll_now(eng);
	return 0;
}

static int find(const struct mb_engine *eng, size_t table, uint16_t addr)
{
	const struct mb_slice *s;
	int k;

	if (!eng || table >= eng->n_slices)
		return -ENOENT;
	s = &eng->slices[table];
	k = mb_table_find(s->t.regs, s->t.n_regs, MB_HOLDING, addr);
	return k >= 0 ? k : mb_table_find(s->t.regs, s->t.n_regs, MB_INPUT, addr);
}

const struct mb_val *mb_engine_value(const struct mb_engine *eng, size_t table, uint16_t addr)
{
	int k = find(eng, table, addr);

	if (k < 0 || eng->slices[table].vals[k].kind == MB_VAL_NONE)
		return NULL;
	return &eng->slices[table].vals[k];
}

int mb_engine_number(const struct mb_engine *eng, size_t table, uint16_t addr, double *ret)
{
	const struct mb_val *v = mb_engine_value(eng, table, addr);

	if (!v || v->kind != MB_VAL_NUMBER)
		return -ENODATA;
	*ret = v->value;
	return 0;
}

bool mb_engine_unsupported(const struct mb_engine *eng, size_t table, uint16_t addr)
{
	int k = find(eng, table, addr);
	const struct mb_reg *r;

	if (k < 0)
		return false;
	r = &eng->slices[table].t.regs[k];
	return mb_addr_set_has(&eng->slices[table].bad, r->space, r->addr, mb_reg_width(r));
}

static void write_done(struct mb_txn *txn, void *userdata)
{
	struct write_ctx *w = userdata;

	g_queue_remove(&w->eng->writes, w);
	if (w->done)
		w->done(w->eng, mb_txn_op(txn, 0)->status, w->userdata);
	free(w);
}

int mb_engine_write(struct mb_engine *eng, int unit, uint16_t addr, const uint16_t *words, size_t n,
		    mb_write_done_fn done, void *userdata)
{
	struct write_ctx *w;
	struct mb_txn *txn;
	int r;

	if (!eng || !words || n == 0 || n > MB_MAX_READ_REGS)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct write_ctx){ .eng = eng, .done = done, .userdata = userdata };
	r = mb_txn_new(write_done, w, &txn);
	if (r == 0)
		r = mb_txn_add_write(txn, unit, addr, words, (uint16_t)n, eng->cfg.write_fc06, 0);
	if (r < 0) {
		mb_txn_free(txn);
		free(w);
		return r;
	}
	g_queue_push_tail(&eng->writes, w);
	r = mb_link_submit(eng->link, txn);
	if (r < 0) {
		g_queue_remove(&eng->writes, w);
		free(w);
	}
	return r;
}

int mb_engine_write_value(struct mb_engine *eng, size_t table, uint16_t addr, double value,
			  mb_write_done_fn done, void *userdata)
{
	uint16_t words[4];
	const struct mb_slice *s;
	int k = find(eng, table, addr), r;

	if (k < 0)
		return -ENOENT;
	s = &eng->slices[table];
	if (s->t.regs[k].space != MB_HOLDING)
		return -EINVAL;
	r = mb_encode(&s->t.regs[k], value, eng->cfg.word_order, words);
	if (r < 0)
		return r;
	return mb_engine_write(eng, s->t.unit, addr, words, mb_reg_width(&s->t.regs[k]), done,
			       userdata);
}

void mb_engine_get_stats(const struct mb_engine *eng, struct mb_engine_stats *ret)
{
	*ret = eng->stats;
}

struct mb_link *mb_engine_link(struct mb_engine *eng)
{
	return eng->link;
}
