/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-cycle.c - the engine's on_cycle: which units answered, one log line per change,
 * publishing, the control step, diagnostics, and one flush per service
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "smartlogger.h"

void sl_note_error(struct sl_driver *drv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(drv->last_error, sizeof(drv->last_error), fmt, ap);
	va_end(ap);
}

static const char *table_name(const struct sl_driver *drv, size_t table)
{
	if (table == drv->logger_table)
		return "SmartLogger";
	if (drv->grid && table == drv->meter_table)
		return "meter";
	for (size_t k = 0; k < drv->n_units; k++) {
		if (drv->units[k].pv_table == table)
			return "SUN2000";
		if (drv->units[k].has_battery && drv->units[k].bat_table == table)
			return "LUNA2000";
	}
	return "device";
}

/* Exceptions on reads: one line when a block starts or stops failing (0x80, 0x02, ...). */
static void log_blocks(struct sl_driver *drv, const struct mb_cycle_result *res)
{
	for (size_t i = 0; i < res->n_blocks; i++) {
		const struct mb_block_status *b = &res->blocks[i];
		int exc = mb_err_exception(b->status);

		if (!b->changed || (b->status && !exc))
			continue; /* transport errors: the link and the units say it */
		if (b->status == 0) {
			log_info("%s unit %d: registers %u-%u readable again",
				 table_name(drv, b->table), b->unit, b->addr,
				 b->addr + b->count - 1);
			continue;
		}
		log_warn("%s unit %d: registers %u-%u: %s%s", table_name(drv, b->table), b->unit,
			 b->addr, b->addr + b->count - 1, mb_strerror(b->status),
			 b->n_unsupported ? " (left out from now on)" : "");
		sl_note_error(drv, "unit %d registers %u-%u: %s", b->unit, b->addr,
			      b->addr + b->count - 1, mb_strerror(b->status));
	}
}

/* 47000 says 0 (no battery): the unit is left out of the battery totals and of control. */
static void check_luna(struct sl_driver *drv, struct sl_unit *u)
{
	double model;

	if (u->no_luna || mb_engine_number(drv->eng, u->bat_table, SL_BAT_PRODUCT, &model) < 0 ||
	    model != 0)
		return;
	u->no_luna = true;
	log_warn("inverter %d: no battery connected (47000 = 0): left out of the battery", u->id);
}

static void update_units(struct sl_driver *drv, bool link_up, bool *pv_on, bool *bat_on)
{
	enum log_level lvl = link_up ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;

	for (size_t k = 0; k < drv->n_units; k++) {
		struct sl_unit *u = &drv->units[k];

		u->online = mb_engine_value(drv->eng, u->pv_table, SL_INV_POWER) != NULL;
		log_change_at(&u->online_log, u->online ? LOG_LEVEL_INFO : lvl, u->online,
			      u->online ? "inverter %d: answering"
					: "inverter %d: not answering: left out of the totals",
			      u->id);
		pv_on[k] = u->online;
		bat_on[k] = false;
		if (!u->has_battery)
			continue;
		check_luna(drv, u);
		u->bat_online =
			!u->no_luna && mb_engine_value(drv->eng, u->bat_table, SL_BAT_SOC) != NULL;
		log_change_at(&u->bat_log, u->bat_online ? LOG_LEVEL_INFO : lvl, u->bat_online,
			      u->bat_online ? "battery %d: answering"
					    : "battery %d: not answering: left out of the totals",
			      u->id);
		bat_on[k] = u->bat_online;
	}
}

static void set_extra_int(struct sl_driver *drv, const char *path, int64_t i)
{
	struct vedbus_value v = vedbus_int(i);

	(void)diag_set_extra(&drv->diag, path, &v);
}

static void publish_diag(struct sl_driver *drv, const struct mb_cycle_result *res)
{
	struct mb_link_stats ls;
	struct mb_engine_stats es;
	struct vedbus_value unsupported = vedbus_string(drv->unsupported);

	mb_link_get_stats(mb_engine_link(drv->eng), &ls);
	mb_engine_get_stats(drv->eng, &es);
	(void)diag_publish(&drv->diag, &(struct diag_values){
					       .cycle_time_ms = res->duration_ms,
					       .requests_per_cycle = res->n_requests,
					       .errors = ls.errors,
					       .reconnects = ls.reconnects,
					       .settings_writes_today = eeg_budget_writes_today(
						       &drv->mode_budget, g_get_monotonic_time()),
					       .last_error = drv->last_error,
				       });
	set_extra_int(drv, "/Diagnostics/PermissionDenied", drv->n_refused);
	set_extra_int(drv, "/Diagnostics/Writes", drv->n_writes);
	set_extra_int(drv, "/Diagnostics/Exceptions", (int64_t)ls.exceptions);
	set_extra_int(drv, "/Diagnostics/Cycles", (int64_t)es.cycles);
	set_extra_int(drv, "/Diagnostics/BytesPerCycle", (int64_t)res->bytes);
	(void)diag_set_extra(&drv->diag, "/Diagnostics/Unsupported", &unsupported);
}

/* The SmartLogger's ESN is every service's /Serial. */
static void publish_serial(struct sl_driver *drv)
{
	const struct mb_val *esn = mb_engine_value(drv->eng, drv->logger_table, SL_LOGGER_ESN);
	struct vedbus_value v;

	if (!esn || esn->kind != MB_VAL_STRING)
		return;
	v = vedbus_string(esn->str);
	(void)vedbus_service_set(drv->battery, "/Serial", &v);
	(void)vedbus_service_set(drv->pv, "/Serial", &v);
	if (drv->grid)
		(void)vedbus_service_set(drv->grid, "/Serial", &v);
}

static void flush_all(struct sl_driver *drv)
{
	if (drv->grid)
		(void)vedbus_service_flush(drv->grid);
	(void)vedbus_service_flush(drv->pv);
	(void)vedbus_service_flush(drv->battery);
}

void sl_on_cycle(struct mb_engine *eng, const struct mb_cycle_result *res, void *userdata)
{
	struct sl_driver *drv = userdata;
	int64_t now = g_get_monotonic_time();
	bool *pv_on = calloc(drv->n_units + 1, sizeof(bool));
	bool *bat_on = calloc(drv->n_units + 1, sizeof(bool));
	struct mb_link_stats ls;
	double max_c = NAN, max_d = NAN;

	if (!pv_on || !bat_on)
		goto out_free;
	mb_link_get_stats(mb_engine_link(eng), &ls);
	log_blocks(drv, res);
	update_units(drv, ls.state == MB_LINK_UP, pv_on, bat_on);
	sl_publish_grid(drv);
	sl_publish_pv(drv, pv_on);
	sl_control_cycle(drv, bat_on, now, &max_c, &max_d);
	sl_publish_battery(drv, bat_on, max_c, max_d);
	publish_serial(drv);
	publish_diag(drv, res);
	flush_all(drv);
out_free:
	free(pv_on);
	free(bat_on);
}
