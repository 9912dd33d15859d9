/* SPDX-License-Identifier: MIT */
/*
 * smartlogger.c - dbus-smartlogger-hybrid: main(), the Modbus link and engine, signals
 *
 *   dbus-smartlogger-hybrid --host H [--port 502] [--unit 0] --inverters 1,2,3
 *                           [--meter-unit N] [-c FILE] [--dbus ...]
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "smartlogger.h"

static void on_link_event(struct mb_link *link, const struct mb_link_stats *st, void *userdata)
{
	struct sl_driver *drv = userdata;
	bool up = st->state == MB_LINK_UP;

	if (st->state == MB_LINK_CONNECTING)
		return;
	if (up)
		log_change(&drv->link_log, up, "link up: %s:%d", drv->cfg.host, drv->cfg.port);
	else
		log_change_at(&drv->link_log, LOG_LEVEL_WARNING, up,
			      "link down: %s:%d: %s (next try in %u ms)", drv->cfg.host,
			      drv->cfg.port, mb_strerror(st->last_error), st->backoff_ms);
	if (!up)
		sl_note_error(drv, "link down: %s", mb_strerror(st->last_error));
}

static int add_table(struct sl_driver *drv, int unit, const struct mb_reg *regs, size_t n,
		     size_t *ret)
{
	struct mb_engine_table t = { .unit = unit, .regs = regs, .n_regs = n };

	return mb_engine_add_table(drv->eng, &t, ret);
}

static bool has_battery(const struct sl_config *c, int id)
{
	if (c->battery_inverters.n_values == 0)
		return true;
	for (size_t k = 0; k < c->battery_inverters.n_values; k++)
		if (c->battery_inverters.values[k] == id)
			return true;
	return false;
}

/* Tables: the SmartLogger, the meter, then per inverter its SUN2000 and LUNA2000 tables. */
static int add_tables(struct sl_driver *drv)
{
	const struct sl_config *c = &drv->cfg;
	int r = add_table(drv, c->unit, sl_logger_regs, sl_n_logger_regs, &drv->logger_table);

	drv->meter_table = (size_t)-1;
	if (r == 0 && c->meter_unit >= 0)
		r = add_table(drv, c->meter_unit, sl_meter_regs, sl_n_meter_regs,
			      &drv->meter_table);
	for (size_t k = 0; r == 0 && k < drv->n_units; k++) {
		struct sl_unit *u = &drv->units[k];

		r = add_table(drv, u->id, sl_sun2000_regs, sl_n_sun2000_regs, &u->pv_table);
		if (r == 0 && u->has_battery)
			r = add_table(drv, u->id, sl_luna_regs, sl_n_luna_regs, &u->bat_table);
	}
	return r;
}

static int engine_new(struct sl_driver *drv)
{
	const struct sl_config *c = &drv->cfg;
	struct mb_link_config lc = {
		.kind = MB_LINK_TCP,
		.host = c->host,
		.port = (unsigned int)c->port,
		.unit = c->unit,
		.response_timeout_ms = (unsigned int)c->response_timeout_ms,
		.spacing_ms = (unsigned int)c->spacing_ms,
		.connect_delay_ms = (unsigned int)c->connect_delay_ms,
		/* a timeout of a unit behind the SmartLogger says nothing about the connection:
		 * reconnect only after more timeouts in a row than there are units behind it */
		.tcp_fail_limit = (unsigned int)c->inverters.n_values + 2,
	};
	struct mb_engine_config ec = {
		.word_order = MB_WORDS_HIGH_FIRST,
		.max_regs = 64,
		.bridge_gap = 16,
		.interval_ms = { [SL_FAST] = (unsigned int)c->poll_ms,
				 [SL_SLOW] = (unsigned int)c->slow_ms },
		.on_cycle = sl_on_cycle,
		.userdata = drv,
	};
	struct mb_link *link;
	int r = mb_link_new(&lc, NULL, &link);

	if (r == 0) {
		mb_link_set_event_fn(link, on_link_event, drv);
		r = mb_engine_new(link, &ec, NULL, &drv->eng);
		if (r < 0)
			mb_link_free(link);
	}
	if (r == 0)
		r = add_tables(drv);
	if (r < 0)
		log_err("cannot set up the Modbus engine: %s", g_strerror(-r));
	return r;
}

static int units_new(struct sl_driver *drv)
{
	size_t n = drv->cfg.inverters.n_values;

	drv->units = calloc(n + 1, sizeof(*drv->units));
	if (!drv->units)
		return -ENOMEM;
	drv->n_units = n;
	for (size_t k = 0; k < n; k++) {
		drv->units[k].id = drv->cfg.inverters.values[k];
		drv->units[k].has_battery = has_battery(&drv->cfg, drv->units[k].id);
	}
	if (sl_agg_init(&drv->pv_agg, sl_pv_aggs, sl_n_pv_aggs, n) < 0 ||
	    sl_agg_init(&drv->bat_agg, sl_battery_aggs, sl_n_battery_aggs, n) < 0)
		return -ENOMEM;
	return 0;
}

static gboolean on_term(gpointer data)
{
	sl_shutdown(data);
	return G_SOURCE_CONTINUE;
}

static void driver_free(struct sl_driver *drv)
{
	drv->eng = mb_engine_free(drv->eng); /* stops the worker: no callback after this */
	sl_services_free(drv);
	sl_agg_done(&drv->pv_agg);
	sl_agg_done(&drv->bat_agg);
	free(drv->units);
	if (drv->loop)
		g_main_loop_unref(drv->loop);
	sl_config_free(&drv->cfg);
	cfg_common_done(&drv->common);
}

static int run(struct sl_driver *drv)
{
	int r = units_new(drv);

	if (r == 0)
		r = sl_services_new(drv);
	if (r == 0)
		r = engine_new(drv);
	if (r == 0)
		r = sl_control_init(drv);
	if (r == 0)
		r = sl_services_register(drv);
	if (r == 0)
		r = mb_engine_start(drv->eng);
	if (r < 0)
		return r;
	drv->loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_term, drv);
	g_unix_signal_add(SIGINT, on_term, drv);
	log_info("ready: %s:%d, %zu inverter(s), services *.%s", drv->cfg.host, drv->cfg.port,
		 drv->n_units, drv->suffix);
	g_main_loop_run(drv->loop);
	return 0;
}

int main(int argc, char **argv)
{
	struct sl_driver drv = { 0 };
	int r = sl_config_parse(argc, argv, &drv.common, &drv.cfg);

	if (r == 0 && !drv.common.check_only)
		r = run(&drv);
	driver_free(&drv);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
