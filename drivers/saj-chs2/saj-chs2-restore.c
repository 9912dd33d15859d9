/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-restore.c - the --restore one-shot: hand the inverter back to its own AppMode
 *
 * Run by the daemontools finish script after any exit of the driver (kill -9 included): the
 * H2 family keeps passive values until they are changed, so a driver that dies in passive
 * discharge would leave the inverter discharging. Reads the AppMode read-back; when it says
 * passive, writes standby, zero powers and the AppMode saved at take-over (state file, else
 * [control] restore_app_mode). Retries for RESTORE_DEADLINE_MS; needs no D-Bus.
 */

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "saj-chs2.h"

#define RESTORE_DEADLINE_MS 10000
#define RETRY_MS	    300
#define APP_MODE_PASSIVE    3

struct restore {
	struct saj *s;
	struct mb_link *link;
	GMainLoop *loop;
	int64_t deadline;
	int status; /* exit status once done, -1 while running */
	int app_mode;
};

static void attempt(struct restore *rs);

static void finish(struct restore *rs, int status)
{
	rs->status = status;
	g_main_loop_quit(rs->loop);
}

static gboolean retry_cb(gpointer data)
{
	attempt(data);
	return G_SOURCE_REMOVE;
}

static void failed(struct restore *rs, int err)
{
	if (g_get_monotonic_time() < rs->deadline) {
		g_timeout_add(RETRY_MS, retry_cb, rs);
		return;
	}
	log_err("restore: no success within %d s: %s", RESTORE_DEADLINE_MS / 1000,
		mb_strerror(err));
	finish(rs, 1);
}

static int first_error(struct mb_txn *txn)
{
	for (size_t i = 0; i < mb_txn_n_ops(txn); i++)
		if (mb_txn_op(txn, i)->status)
			return mb_txn_op(txn, i)->status;
	return 0;
}

static void write_done(struct mb_txn *txn, void *userdata)
{
	struct restore *rs = userdata;
	int err = first_error(txn);

	if (err) {
		failed(rs, err);
		return;
	}
	saj_state_clear(rs->s);
	log_info("restore: passive mode left, AppMode %d restored", rs->app_mode);
	finish(rs, 0);
}

static int submit_release(struct restore *rs)
{
	struct saj_write w[6];
	struct mb_txn *txn;
	int mode = saj_state_load(rs->s);
	int r;

	rs->app_mode = mode >= 0 ? mode : rs->s->cfg.restore_app_mode;
	r = mb_txn_new(write_done, rs, &txn);
	if (r == 0)
		r = saj_txn_add_writes(txn, -1, w, saj_release_writes(rs->app_mode, w),
				       MB_OP_STOP_ON_ERROR);
	if (r < 0) {
		mb_txn_free(txn);
		return r;
	}
	return mb_link_submit(rs->link, txn);
}

static void read_done(struct mb_txn *txn, void *userdata)
{
	struct restore *rs = userdata;
	const struct mb_op *op = mb_txn_op(txn, 0);
	int mode;

	if (op->status) {
		failed(rs, op->status);
		return;
	}
	mode = (int16_t)op->words[0];
	if (mode != APP_MODE_PASSIVE) {
		log_info("restore: AppMode %d, not passive: nothing to do", mode);
		saj_state_clear(rs->s);
		finish(rs, 0);
		return;
	}
	if (submit_release(rs) < 0)
		finish(rs, 1);
}

/* A request that never completes (a connect hanging) must not hang the finish script. */
static gboolean deadline_cb(gpointer data)
{
	struct restore *rs = data;

	log_err("restore: no answer within %d s", RESTORE_DEADLINE_MS / 1000);
	finish(rs, 1);
	return G_SOURCE_REMOVE;
}

static void attempt(struct restore *rs)
{
	const struct mb_reg *rb = saj_reg_by_name(saj_regs, saj_n_regs, "AppModeRb");
	struct mb_txn *txn;
	int r = mb_txn_new(read_done, rs, &txn);

	if (r == 0)
		r = mb_txn_add_read(txn, -1, MB_HOLDING, rb->addr, 1, 0);
	if (r >= 0)
		r = mb_link_submit(rs->link, txn);
	else
		mb_txn_free(txn);
	if (r < 0)
		finish(rs, 1);
}

int saj_restore_run(struct saj *s)
{
	struct mb_link_config lc = {
		.kind = MB_LINK_TCP,
		.host = s->cfg.host,
		.port = (unsigned int)s->cfg.port,
		.unit = s->cfg.unit,
		.response_timeout_ms = (unsigned int)s->cfg.response_timeout_ms,
		.backoff_min_ms = RETRY_MS,
		.backoff_max_ms = 2 * RETRY_MS,
	};
	struct restore rs = { .s = s, .status = -1 };
	int r;

	if (!s->cfg.control) {
		log_info("restore: control disabled, nothing to do");
		return 0;
	}
	r = mb_link_new(&lc, NULL, &rs.link);
	if (r < 0) {
		log_err("restore: cannot open the link: %s", strerror(-r));
		return 1;
	}
	rs.loop = g_main_loop_new(NULL, FALSE);
	rs.deadline = g_get_monotonic_time() + RESTORE_DEADLINE_MS * (int64_t)1000;
	attempt(&rs);
	if (rs.status < 0) {
		guint id = g_timeout_add(RESTORE_DEADLINE_MS + 2000, deadline_cb, &rs);
		GSource *src;

		g_main_loop_run(rs.loop);
		src = g_main_context_find_source_by_id(NULL, id);
		if (src)
			g_source_destroy(src);
	}
	rs.link = mb_link_free(rs.link);
	g_main_loop_unref(rs.loop);
	return rs.status;
}
