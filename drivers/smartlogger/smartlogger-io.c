/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-io.c - control glue: /Control/... through hc_step(), the LUNA2000 forcible
 * sequence and the SmartLogger curtailment as write transactions, their outcome, and the
 * orderly stop (STOP and maximise self-consumption) on SIGTERM
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smartlogger.h"

#define USEC 1000000.0

/* One write transaction in flight: what it was for. */
struct write_ctx {
	struct sl_driver *drv;
	struct sl_unit *unit; /* NULL: curtailment */
	struct slc_action act;
	double raw; /* curtailment: 0.1 kW units */
	bool stop;  /* part of the shutdown */
};

static double min_known(double a, double b)
{
	if (!(a >= 0))
		return b;
	return b >= 0 && b < a ? b : a;
}

static unsigned int n_batteries(const struct sl_driver *drv)
{
	unsigned int n = 0;

	for (size_t k = 0; k < drv->n_units; k++)
		n += drv->units[k].has_battery;
	return n;
}

/* Modes 0, 1, 3; charging from the grid when every LUNA2000 read so far allows it (47087). */
static unsigned int capabilities(const struct sl_driver *drv)
{
	unsigned int caps = HC_CAP_AUTONOMOUS | HC_CAP_BATTERY | HC_CAP_HOLD;
	bool grid_charge = false;

	if (n_batteries(drv) == 0)
		return 0;
	for (size_t k = 0; k < drv->n_units; k++) {
		const struct sl_unit *u = &drv->units[k];
		double v;

		if (!u->has_battery || u->no_luna ||
		    mb_engine_number(drv->eng, u->bat_table, SL_BAT_GRID_CHARGE, &v) < 0)
			continue;
		if (v != 1)
			return caps;
		grid_charge = true;
	}
	return grid_charge ? caps | HC_CAP_CHARGE_FROM_GRID : caps;
}

int sl_control_init(struct sl_driver *drv)
{
	const struct sl_config *c = &drv->cfg;
	int r;

	drv->hc_cfg = c->hc;
	drv->hc_cfg.rated_power = min_known(c->hc.rated_power, c->battery_rated_power);
	drv->slc = (struct slc_config){
		.keepalive = (int64_t)(c->keepalive_s * USEC),
		.period_min = c->forcible_period_min,
		.deadband = c->deadband_w,
		.retry = (int64_t)(c->retry_s * USEC),
	};
	slc_curtail_init(&drv->curtail, (int64_t)(c->curtail_timeout_s * USEC));
	hc_state_init(&drv->hc_state);
	eeg_budget_init(&drv->mode_budget, 0);
	eeg_init(&drv->mode_guard, 0.5, -1, &drv->mode_budget);
	for (size_t k = 0; k < drv->n_units; k++) {
		slc_unit_init(&drv->units[k].ctl);
		drv->units[k].write_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
	}
	drv->limit_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
	r = hc_publish_new(drv->battery, &drv->hc_cfg, capabilities(drv), &drv->hc);
	if (r < 0)
		log_err("cannot add /Control/...: %s", g_strerror(-r));
	return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Write transactions                                                                          */

static int add_write(struct mb_txn *txn, int unit, uint16_t addr, double value)
{
	int k = mb_table_find(sl_write_regs, sl_n_write_regs, MB_HOLDING, addr);
	uint16_t words[4];
	int r;

	if (k < 0)
		return -ENOENT;
	r = mb_encode(&sl_write_regs[k], value, MB_WORDS_HIGH_FIRST, words);
	if (r < 0)
		return r;
	r = mb_txn_add_write(txn, unit, addr, words, (uint16_t)mb_reg_width(&sl_write_regs[k]),
			     false, MB_OP_STOP_ON_ERROR);
	return r < 0 ? r : 0;
}

/* The documented order: power, period, time mode, then the command. */
static int add_action(struct mb_txn *txn, int unit, const struct slc_action *a, int period)
{
	uint16_t reg = a->cmd == SLC_CMD_CHARGE ? SL_BAT_CHARGE_POWER : SL_BAT_DISCHARGE_POWER;
	int r;

	switch (a->kind) {
	case SLC_ACT_FORCE:
		r = add_write(txn, unit, reg, round(a->power));
		if (r == 0)
			r = add_write(txn, unit, SL_BAT_PERIOD, period);
		if (r == 0)
			r = add_write(txn, unit, SL_BAT_SETTING_MODE, 0);
		return r == 0 ? add_write(txn, unit, SL_BAT_COMMAND, a->cmd) : r;
	case SLC_ACT_STOP:
		return add_write(txn, unit, SL_BAT_COMMAND, SLC_CMD_STOP);
	case SLC_ACT_SELF:
		return add_write(txn, unit, SL_BAT_WORKING_MODE, SL_WORKING_MODE_SELF);
	case SLC_ACT_NONE:
		break;
	}
	return -EINVAL;
}

/* The first failed op of @txn (0: all fine), and its address. */
static int txn_status(struct mb_txn *txn, uint16_t *ret_addr)
{
	for (size_t i = 0; i < mb_txn_n_ops(txn); i++) {
		const struct mb_op *op = mb_txn_op(txn, i);

		*ret_addr = op->addr;
		if (op->status)
			return op->status;
	}
	return 0;
}

static void note_unsupported(struct sl_driver *drv, int unit, uint16_t addr)
{
	size_t len = strlen(drv->unsupported);

	if (len + 16 < sizeof(drv->unsupported))
		snprintf(drv->unsupported + len, sizeof(drv->unsupported) - len, "%s%d:%u",
			 len ? " " : "", unit, addr);
}

/* 0 ok, 1 refused by the device (one log line, a diagnostic, blocked), -1 transport. */
static int classify(struct sl_driver *drv, struct write_ctx *w, int unit, int st, uint16_t addr)
{
	int exc = mb_err_exception(st);
	struct log_ratelimit *rl = w->unit ? &w->unit->write_rl : &drv->limit_rl;

	if (st == 0) {
		log_ratelimit_clear(rl);
		return 0;
	}
	if (!exc)
		return -1;
	if (exc == MB_EXC_OTHER)
		drv->n_refused++;
	if (exc == MB_EXC_ILLEGAL_ADDR)
		note_unsupported(drv, unit, addr);
	log_ratelimited(rl, LOG_LEVEL_WARNING, "unit %d: write of %u refused: %s%s", unit, addr,
			mb_strerror(st),
			exc == MB_EXC_OTHER ? "; set the SmartLogger's Modbus TCP to "
					      "\"Enable (Unlimited)\""
					    : "");
	sl_note_error(drv, "unit %d: write of %u refused: %s", unit, addr, mb_strerror(st));
	return 1;
}

static void stop_done(struct sl_driver *drv)
{
	if (drv->n_stop_pending > 0 && --drv->n_stop_pending == 0) {
		log_info("stopped: batteries left in self-consumption");
		g_main_loop_quit(drv->loop);
	}
}

static void write_done(struct mb_txn *txn, void *userdata)
{
	struct write_ctx *w = userdata;
	struct sl_driver *drv = w->drv;
	int64_t now = g_get_monotonic_time();
	int unit = w->unit ? w->unit->id : drv->cfg.unit, st, cls;
	uint16_t addr = 0;

	st = txn_status(txn, &addr);
	cls = classify(drv, w, unit, st, addr);
	if (w->unit && w->act.kind == SLC_ACT_SELF && cls == 0)
		eeg_record(&drv->mode_guard, SL_WORKING_MODE_SELF, now);
	if (w->unit)
		slc_unit_written(&drv->slc, &w->unit->ctl, &w->act, cls, now);
	else
		slc_curtail_written(&drv->slc, &drv->curtail, w->raw, cls, now);
	if (w->stop)
		stop_done(drv);
	free(w);
}

static int submit(struct sl_driver *drv, struct mb_txn *txn)
{
	int r = mb_link_submit(mb_engine_link(drv->eng), txn);

	if (r == 0)
		drv->n_writes++;
	return r;
}

/* A transaction whose completion goes to write_done() with a copy of @proto. */
static int txn_for(const struct write_ctx *proto, struct write_ctx **ret_w, struct mb_txn **ret)
{
	struct write_ctx *w = malloc(sizeof(*w));
	int r = w ? mb_txn_new(write_done, w, ret) : -ENOMEM;

	if (r < 0) {
		free(w);
		return r;
	}
	*w = *proto;
	*ret_w = w;
	return 0;
}

/* Queue @act for @unit as one transaction. */
static int write_action(struct sl_driver *drv, struct sl_unit *unit, const struct slc_action *act,
			bool stop)
{
	struct write_ctx proto = { .drv = drv, .unit = unit, .act = *act, .stop = stop };
	struct write_ctx *w = NULL;
	struct mb_txn *txn = NULL;
	int r = txn_for(&proto, &w, &txn);

	if (r == 0)
		r = add_action(txn, unit->id, act, drv->slc.period_min);
	if (r < 0) {
		free(w);
		mb_txn_free(txn);
		return r;
	}
	unit->ctl.busy = true;
	return submit(drv, txn); /* the link owns it now; write_done() frees @w */
}

/* Queue 40420 = @raw (0.1 kW) on the SmartLogger. */
static int write_limit(struct sl_driver *drv, double raw, bool stop)
{
	struct write_ctx proto = { .drv = drv, .raw = raw, .stop = stop };
	struct write_ctx *w = NULL;
	struct mb_txn *txn = NULL;
	int r = txn_for(&proto, &w, &txn);

	if (r == 0)
		r = add_write(txn, drv->cfg.unit, SL_LOGGER_LIMIT, raw * 100);
	if (r < 0) {
		free(w);
		mb_txn_free(txn);
		return r;
	}
	drv->curtail.busy = true;
	return submit(drv, txn);
}

/* ------------------------------------------------------------------------------------------ */
/* Curtailment                                                                                 */

static double logger_number(const struct sl_driver *drv, uint16_t addr)
{
	double v;

	return mb_engine_number(drv->eng, drv->logger_table, addr, &v) == 0 ? v : NAN;
}

/* Step the curtailment, publish /Ac/PowerLimit, queue a 40420 write when due. */
static void curtail_apply(struct sl_driver *drv, int64_t now)
{
	struct slc_curtail_in in = {
		.ceiling = logger_number(drv, SL_LOGGER_CEILING),
		.readback = logger_number(drv, SL_LOGGER_LIMIT),
		.read_at = drv->last_cycle_us,
	};
	struct slc_curtail_out out;
	struct vedbus_value v;

	if (!drv->cfg.curtailment)
		return;
	slc_curtail_step(&drv->slc, &drv->curtail, &in, now, &out);
	drv->curtail_active = out.active;
	if (out.expired)
		log_change(&drv->curtail_log, 1,
			   "power limit not refreshed within %g s: back to the ceiling",
			   drv->cfg.curtail_timeout_s);
	else if (!isnan(drv->curtail.request))
		log_change(&drv->curtail_log, 0, "power limit: following /Ac/PowerLimit");
	v = isnan(out.limit) ? vedbus_invalid() : vedbus_double(out.limit);
	(void)vedbus_service_set(drv->pv, "/Ac/PowerLimit", &v);
	if (out.write && write_limit(drv, out.raw, false) == 0)
		log_debug("40420 = %.0f (%.1f kW)", out.raw, out.raw / 10);
}

int sl_power_limit_write(struct vedbus_item *item, const struct vedbus_value *value, void *userdata)
{
	struct sl_driver *drv = userdata;
	int64_t now = g_get_monotonic_time();
	double w;

	if (vedbus_value_to_double(value, &w) < 0 || !isfinite(w) || drv->stopping)
		return -EINVAL;
	slc_curtail_request(&drv->curtail, w, now);
	curtail_apply(drv, now);
	if (!vedbus_value_is_valid(vedbus_item_get(item)))
		(void)vedbus_item_set_double(item, w); /* no ceiling yet: show the request */
	return VEDBUS_WRITE_STORED;
}

/* ------------------------------------------------------------------------------------------ */
/* Dispatch                                                                                    */

static double unit_number(const struct sl_driver *drv, const struct sl_unit *u, uint16_t addr)
{
	double v;

	return mb_engine_number(drv->eng, u->bat_table, addr, &v) == 0 ? v : NAN;
}

static struct slc_unit_in unit_input(const struct sl_driver *drv, const struct sl_unit *u,
				     bool online)
{
	double cmd = unit_number(drv, u, SL_BAT_COMMAND);
	double mode = unit_number(drv, u, SL_BAT_WORKING_MODE);

	return (struct slc_unit_in){
		.online = online,
		.max_charge = min_known(unit_number(drv, u, SL_BAT_MAX_CHARGE),
					unit_number(drv, u, SL_BAT_CFG_MAX_CHARGE)),
		.max_discharge = min_known(unit_number(drv, u, SL_BAT_MAX_DISCHARGE),
					   unit_number(drv, u, SL_BAT_CFG_MAX_DISCHARGE)),
		.command = isnan(cmd) ? -1 : (int)cmd,
		.working_mode = isnan(mode) ? -1 : (int)mode,
		.read_at = drv->last_cycle_us,
	};
}

static void run_hc(struct sl_driver *drv, double max_c, double max_d, int64_t now,
		   struct hc_output *out)
{
	unsigned int caps = capabilities(drv);
	struct hc_inputs hin = {
		.req = *hc_publish_request(drv->hc),
		.capabilities = caps,
		.device_max_charge = max_c,
		.device_max_discharge = max_d,
		.bms_max_charge = NAN,
		.bms_max_discharge = NAN,
		.curtailment_active = drv->curtail_active,
		.now = now,
	};

	if (caps != hc_publish_capabilities(drv->hc))
		(void)hc_publish_set_capabilities(drv->hc, caps);
	hc_step(&drv->hc_cfg, &drv->hc_state, &hin, out);
	if (out->changed)
		log_info("control: %s (%s), limit %s", hc_mode_text(out->active_mode),
			 hc_reason_text(out->reason), hc_limit_text(out->limited_by));
	(void)hc_publish_update(drv->hc, out);
}

void sl_control_cycle(struct sl_driver *drv, const bool *bat_online, int64_t now,
		      double *ret_max_charge, double *ret_max_discharge)
{
	struct slc_unit_in *in = calloc(drv->n_units + 1, sizeof(*in));
	double *share = calloc(drv->n_units + 1, sizeof(*share));
	struct hc_output out;

	drv->last_cycle_us = now;
	if (!in || !share || drv->stopping)
		goto out_free;
	curtail_apply(drv, now);
	for (size_t k = 0; k < drv->n_units; k++)
		in[k] = unit_input(drv, &drv->units[k], bat_online[k]);
	slc_limits(in, drv->n_units, ret_max_charge, ret_max_discharge);
	run_hc(drv, *ret_max_charge, *ret_max_discharge, now, &out);
	slc_split(out.active_mode == HC_MODE_BATTERY ? out.applied_power : 0, in, drv->n_units,
		  share);
	for (size_t k = 0; k < drv->n_units; k++) {
		struct sl_unit *u = &drv->units[k];
		struct slc_action act;

		if (!u->has_battery || u->no_luna)
			continue;
		act = slc_unit_step(&drv->slc, &u->ctl, &in[k], out.active_mode, share[k], now);
		if (act.kind != SLC_ACT_NONE && write_action(drv, u, &act, false) < 0)
			log_warn("unit %d: cannot queue the write", u->id);
	}
out_free:
	free(in);
	free(share);
}

/* ------------------------------------------------------------------------------------------ */
/* Shutdown                                                                                    */

static gboolean on_stop_timeout(gpointer data)
{
	struct sl_driver *drv = data;

	log_warn("stop: %u write(s) unanswered; exiting anyway", drv->n_stop_pending);
	g_main_loop_quit(drv->loop);
	return G_SOURCE_REMOVE;
}

/* STOP, then working mode 2 unless it already reads 2. */
static int stop_unit(struct sl_driver *drv, struct sl_unit *u)
{
	struct slc_action stop = { SLC_ACT_STOP, SLC_CMD_STOP, 0 };
	struct slc_action self = { SLC_ACT_SELF, SLC_CMD_NONE, 0 };
	int r = write_action(drv, u, &stop, true);

	if (r == 0)
		drv->n_stop_pending++;
	if (unit_number(drv, u, SL_BAT_WORKING_MODE) != SL_WORKING_MODE_SELF &&
	    write_action(drv, u, &self, true) == 0)
		drv->n_stop_pending++;
	return r;
}

void sl_shutdown(struct sl_driver *drv)
{
	double ceiling = logger_number(drv, SL_LOGGER_CEILING);
	guint ms = (guint)MAX(5000, 3 * drv->cfg.response_timeout_ms);

	if (drv->stopping)
		return;
	drv->stopping = true;
	log_info("stopping: STOP and self-consumption on every battery");
	for (size_t k = 0; k < drv->n_units; k++)
		if (drv->units[k].has_battery && !drv->units[k].no_luna)
			(void)stop_unit(drv, &drv->units[k]);
	if (drv->cfg.curtailment && ceiling >= 0 && !isnan(drv->curtail.written) &&
	    drv->curtail.written * 100 < ceiling &&
	    write_limit(drv, floor(ceiling / 100 + 1e-9), true) == 0)
		drv->n_stop_pending++;
	if (drv->n_stop_pending == 0) {
		g_main_loop_quit(drv->loop);
		return;
	}
	g_timeout_add(ms, on_stop_timeout, drv);
}
