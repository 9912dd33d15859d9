/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-device.c - what reaches the inverter: the passive-mode sequence every cycle, the
 * keep-alive, taking the device over and handing it back, and the state file that lets the
 * --restore one-shot hand it back after a crash
 *
 * Sequence (SAJ-DOC, devices doc B.7): power registers 0x3637-0x363A (per mille of rated),
 * then AppMode 0x3647 = 3 when the read-back 0x4022 says otherwise, then 0x3636 charge,
 * discharge or standby; each op stops the rest of the transaction when it fails. Handing back:
 * 0x3636 standby, powers 0, AppMode as found at take-over.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "saj-chs2.h"

#define APP_MODE_PASSIVE 3

uint16_t saj_ctrl_addr(const char *name)
{
	const struct mb_reg *r = saj_reg_by_name(saj_ctrl_regs, saj_n_ctrl_regs, name);

	g_assert(r); /* the names below are in saj-chs2-regs.c; test-saj-chs2-regs checks it */
	return r->addr;
}

int saj_txn_add_writes(struct mb_txn *txn, int unit, const struct saj_write *w, size_t n,
		       unsigned int flags)
{
	uint16_t words[MB_MAX_READ_REGS];

	for (size_t i = 0; i < n;) {
		size_t k = 1;
		int r;

		words[0] = w[i].value;
		while (i + k < n && k < G_N_ELEMENTS(words) && w[i + k].addr == w[i].addr + k) {
			words[k] = w[i + k].value;
			k++;
		}
		r = mb_txn_add_write(txn, unit, w[i].addr, words, (uint16_t)k, k == 1, flags);
		if (r < 0)
			return r;
		i += k;
	}
	return 0;
}

/* The four passive power registers, in address order. */
static size_t power_writes(const struct saj_cmd *c, struct saj_write *ret)
{
	ret[0] = (struct saj_write){ saj_ctrl_addr("PassiveGridCharge"), c->grid_charge };
	ret[1] = (struct saj_write){ saj_ctrl_addr("PassiveGridDischarge"), c->grid_discharge };
	ret[2] = (struct saj_write){ saj_ctrl_addr("PassiveBatCharge"), c->bat_charge };
	ret[3] = (struct saj_write){ saj_ctrl_addr("PassiveBatDischarge"), c->bat_discharge };
	return 4;
}

size_t saj_release_writes(int app_mode, struct saj_write *ret)
{
	struct saj_cmd zero = { .passive = false };

	ret[0] = (struct saj_write){ saj_ctrl_addr("PassiveEnable"), SAJ_PASSIVE_STANDBY };
	power_writes(&zero, ret + 1);
	ret[5] = (struct saj_write){ saj_ctrl_addr("AppMode"), (uint16_t)app_mode };
	return 6;
}

/* ------------------------------------------------------------------------------------------ */
/* State file                                                                                 */

static char *state_path(const struct saj *s)
{
	return g_strdup_printf("%s/%s.state", s->cfg.state_dir, s->suffix);
}

int saj_state_save(const struct saj *s, int app_mode)
{
	g_autofree char *path = state_path(s);
	g_autofree char *text = g_strdup_printf("app_mode=%d\n", app_mode);
	g_autoptr(GError) err = NULL;

	if (g_mkdir_with_parents(s->cfg.state_dir, 0755) < 0 ||
	    !g_file_set_contents(path, text, -1, &err)) {
		log_warn("cannot write %s: %s; --restore will use AppMode %d", path,
			 err ? err->message : g_strerror(errno), s->cfg.restore_app_mode);
		return -EIO;
	}
	return 0;
}

int saj_state_load(const struct saj *s)
{
	g_autofree char *path = state_path(s);
	g_autofree char *text = NULL;
	int mode;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -ENOENT;
	if (sscanf(text, "app_mode=%d", &mode) != 1 || mode < 0 || mode > 14 ||
	    mode == APP_MODE_PASSIVE)
		return -EINVAL;
	return mode;
}

void saj_state_clear(const struct saj *s)
{
	g_autofree char *path = state_path(s);

	(void)g_unlink(path);
}

/* The AppMode to hand back to: found at take-over, else saved by an earlier run, else config. */
static int restore_mode(const struct saj *s)
{
	int m = s->ctl.prev_app_mode;

	if (m < 0)
		m = saj_state_load(s);
	return m >= 0 ? m : s->cfg.restore_app_mode;
}

/* ------------------------------------------------------------------------------------------ */
/* Transactions                                                                               */

static void report(struct saj *s, struct mb_txn *txn, bool *ret_ok)
{
	*ret_ok = true;
	for (size_t i = 0; i < mb_txn_n_ops(txn); i++) {
		const struct mb_op *op = mb_txn_op(txn, i);

		if (op->status == 0)
			continue;
		*ret_ok = false;
		snprintf(s->last_error, sizeof(s->last_error), "write 0x%04x: %s", op->addr,
			 mb_strerror(op->status));
		log_ratelimited(&s->ctl.write_rl, LOG_LEVEL_WARNING, "control: %s", s->last_error);
		return;
	}
	log_ratelimit_clear(&s->ctl.write_rl);
}

static void released(struct saj *s, int app_mode)
{
	if (s->ctl.owned || s->m.app_mode == APP_MODE_PASSIVE)
		log_info("control: handed back, AppMode %d", app_mode);
	s->ctl.owned = false;
	s->ctl.prev_app_mode = -1;
	saj_state_clear(s);
}

static void control_done(struct mb_txn *txn, void *userdata)
{
	struct saj *s = userdata;
	bool ok;

	s->ctl.busy = false;
	report(s, txn, &ok);
	if (!ok)
		return;
	s->ctl.n_writes++;
	if (s->ctl.release_pending)
		released(s, s->ctl.release_mode);
	s->ctl.release_pending = false;
}

static int submit(struct saj *s, const struct saj_write *w, size_t n, mb_txn_done_fn done)
{
	struct mb_txn *txn;
	int r = mb_txn_new(done, s, &txn);

	if (r == 0)
		r = saj_txn_add_writes(txn, s->cfg.unit, w, n, MB_OP_STOP_ON_ERROR);
	if (r < 0) {
		mb_txn_free(txn);
		return r;
	}
	return mb_link_submit(mb_engine_link(s->eng), txn);
}

/* Remember the AppMode to come back to, before the first passive write. */
static bool take_over(struct saj *s)
{
	int found = s->m.app_mode;

	if (s->ctl.owned)
		return true;
	if (found < 0)
		return false;
	if (found == APP_MODE_PASSIVE)
		found = restore_mode(s); /* left in passive by an earlier run */
	s->ctl.prev_app_mode = found;
	(void)saj_state_save(s, found);
	s->ctl.owned = true;
	log_info("control: taking the inverter over; AppMode %d restored on hand-back", found);
	return true;
}

static size_t add_keepalive(struct saj *s, struct saj_write *w, size_t n, int64_t now)
{
	int64_t period = (int64_t)s->cfg.keepalive_period_ms * 1000;

	if (s->cfg.keepalive_register < 0 || now - s->ctl.last_keepalive < period)
		return n;
	w[n++] = (struct saj_write){ (uint16_t)s->cfg.keepalive_register,
				     (uint16_t)s->cfg.keepalive_value };
	s->ctl.last_keepalive = now;
	s->ctl.n_keepalive++;
	return n;
}

static void apply_passive(struct saj *s, const struct saj_cmd *cmd, int64_t now)
{
	struct saj_write w[8];
	size_t n;

	if (!take_over(s))
		return;
	n = power_writes(cmd, w);
	if (s->m.app_mode != APP_MODE_PASSIVE &&
	    eeg_check(&s->ctl.app_guard, s->m.app_mode, APP_MODE_PASSIVE, false, now) == EEG_WRITE)
		w[n++] = (struct saj_write){ saj_ctrl_addr("AppMode"), APP_MODE_PASSIVE };
	w[n++] = (struct saj_write){ saj_ctrl_addr("PassiveEnable"), (uint16_t)cmd->enable };
	n = add_keepalive(s, w, n, now);
	s->ctl.busy = submit(s, w, n, control_done) == 0;
}

static void apply_release(struct saj *s, int64_t now)
{
	struct saj_write w[6];
	int mode = restore_mode(s);

	if (s->m.app_mode < 0)
		return; /* not read this cycle */
	if (s->m.app_mode != APP_MODE_PASSIVE) {
		if (s->ctl.owned)
			released(s, s->m.app_mode); /* left passive by other means */
		return;
	}
	if (eeg_check(&s->ctl.app_guard, s->m.app_mode, mode, true, now) != EEG_WRITE)
		return;
	s->ctl.release_pending = true;
	s->ctl.release_mode = mode;
	s->ctl.busy = submit(s, w, saj_release_writes(mode, w), control_done) == 0;
}

void saj_device_apply(struct saj *s, const struct saj_cmd *cmd, int64_t now)
{
	if (s->ctl.busy || !s->connected || s->quitting || !s->cfg.control)
		return;
	if (cmd->passive)
		apply_passive(s, cmd, now);
	else
		apply_release(s, now);
}

/* ------------------------------------------------------------------------------------------ */
/* Shutdown                                                                                   */

static void shutdown_done(struct mb_txn *txn, void *userdata)
{
	struct saj *s = userdata;
	bool ok;

	report(s, txn, &ok);
	if (ok)
		released(s, s->ctl.release_mode);
	else
		log_warn("control: hand-back failed; the finish script's --restore will retry");
	s->ctl.shutdown_fn(s);
}

int saj_control_shutdown(struct saj *s, void (*done)(struct saj *s))
{
	struct saj_write w[6];
	int mode = restore_mode(s);
	int r;

	s->quitting = true;
	if (!s->eng || (!s->ctl.owned && s->m.app_mode != APP_MODE_PASSIVE) || !s->cfg.control)
		return 1; /* nothing to hand back */
	s->ctl.shutdown_fn = done;
	s->ctl.release_mode = mode;
	r = submit(s, w, saj_release_writes(mode, w), shutdown_done);
	if (r < 0)
		log_warn("control: cannot hand back: %s", strerror(-r));
	return r;
}
