/* SPDX-License-Identifier: MIT */
/* up5000.c - dbus-up5000-hybrid: what each poll cycle publishes beyond the register table */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "up5000-regs.h"
#include "up5000.h"

static const uint16_t status_regs[UPS_N_FIELDS] = {
	[UPS_ACC] = UP_ACC_STATUS,
	[UPS_LOAD] = UP_LOAD_STATUS,
	[UPS_PV] = UP_PV_STATUS,
	[UPS_BATT] = UP_BATT_STATUS,
};

double up_value(const struct up *up, uint16_t addr)
{
	double v;

	return mb_engine_number(up->eng, up->table, addr, &v) == 0 ? v : NAN;
}

/* Values no single register holds. NAN in, invalid out. */
static void publish_derived(struct up *up)
{
	double vbat = up_value(up, UP_BATT_V), ppv = up_value(up, UP_PV_P);
	double isolar = vbat > 1 ? ppv / vbat : NAN;
	double ivebus = up_value(up, UP_BATT_I) - isolar;
	double pout = up_value(up, UP_OUT_V) * up_value(up, UP_OUT_I);

	/* systemcalc: PV power = V x (I + Load/I); the charger's share of the battery current */
	up_set(up, UP_SOLAR, "/Dc/0/Current", isolar);
	up_set(up, UP_SOLAR, "/Yield/User", up_value(up, UP_PV_YIELD));
	up_set(up, UP_VEBUS, "/Dc/0/Current", ivebus);
	up_set(up, UP_VEBUS, "/Dc/0/Power", vbat * ivebus);
	up_set(up, UP_VEBUS, "/Ac/Out/L1/P", pout); /* no power register: V x I */
	up_set(up, UP_VEBUS, "/Ac/Out/P", pout);
	up_set(up, UP_VEBUS, "/Ac/ActiveIn/P", up_value(up, UP_GRID_P));
}

static void log_status_changes(struct up *up, const int *raw)
{
	char buf[256];

	for (unsigned int f = 0; f < UPS_N_FIELDS; f++) {
		if (raw[f] < 0 || raw[f] == up->last_raw[f])
			continue;
		up->last_raw[f] = raw[f];
		log_info("%s status %s", ups_field_name(f),
			 ups_describe(f, (uint16_t)raw[f], buf, sizeof(buf)));
	}
}

static void publish_status(struct up *up)
{
	struct ups_inputs in = { .battery_voltage = up_value(up, UP_BATT_V),
				 .boost_voltage = up_value(up, UP_BCV),
				 .grid_voltage = up_value(up, UP_GRID_V) };
	struct ups_status st;

	for (unsigned int f = 0; f < UPS_N_FIELDS; f++) {
		double v = up_value(up, status_regs[f]);

		in.raw[f] = isnan(v) ? -1 : (int)v;
	}
	log_status_changes(up, in.raw);
	ups_decode(&in, &st);
	up_set_int(up, UP_SOLAR, "/State", st.solar_state);
	up_set_int(up, UP_SOLAR, "/ErrorCode", st.solar_error);
	up_set_int(up, UP_SOLAR, "/MppOperationMode", st.mpp_mode);
	up_set_int(up, UP_SOLAR, "/Alarms/ShortCircuit", st.alarm[UPS_ALARM_SHORT_CIRCUIT]);
	up_set_int(up, UP_VEBUS, "/State", st.vebus_state);
	up_set_int(up, UP_VEBUS, "/Ac/ActiveIn/ActiveInput", st.active_input);
	up_set_int(up, UP_VEBUS, "/Ac/ActiveIn/Connected", st.ac_connected);
	for (unsigned int a = 0; a < UPS_ALARM_SHORT_CIRCUIT; a++)
		up_set_int(up, UP_VEBUS, ups_alarm_path(a), st.alarm[a]);
}

static void update_history(struct up *up, int64_t now)
{
	GDateTime *t = g_date_time_new_now_local();
	const struct vedbus_value *state =
		vedbus_item_get(vedbus_service_item(up->svc[UP_SOLAR], "/State"));
	struct uph_sample s = {
		.day = (int)((g_date_time_to_unix(t) +
			      g_date_time_get_utc_offset(t) / G_USEC_PER_SEC) /
			     86400),
		.now = now,
		.yield_total = up_value(up, UP_PV_YIELD),
		.pv_power = up_value(up, UP_PV_P),
		.pv_voltage = up_value(up, UP_PV_V),
		.battery_voltage = up_value(up, UP_BATT_V),
		.charge_current = up_value(up, UP_PV_P) / up_value(up, UP_BATT_V),
		.state = state->type == VEDBUS_TYPE_INT ? (int)state->u.i : -1,
	};
	const struct uph_day *d = &up->history.today;

	g_date_time_unref(t);
	uph_update(&up->history, &s);
	up_set(up, UP_SOLAR, "/History/Daily/0/Yield", d->yield);
	up_set(up, UP_SOLAR, "/History/Daily/0/MaxPower", d->max_power);
	up_set(up, UP_SOLAR, "/History/Daily/0/MaxPvVoltage", d->max_pv_voltage);
	up_set(up, UP_SOLAR, "/History/Daily/0/MinBatteryVoltage", d->min_battery_voltage);
	up_set(up, UP_SOLAR, "/History/Daily/0/MaxBatteryVoltage", d->max_battery_voltage);
	up_set(up, UP_SOLAR, "/History/Daily/0/MaxBatteryCurrent", d->max_battery_current);
	up_set(up, UP_SOLAR, "/History/Daily/0/TimeInBulk", floor(d->minutes_bulk));
	up_set(up, UP_SOLAR, "/History/Daily/0/TimeInAbsorption", floor(d->minutes_absorption));
	up_set(up, UP_SOLAR, "/History/Daily/0/TimeInFloat", floor(d->minutes_float));
	up_set(up, UP_SOLAR, "/History/Overall/MaxPvVoltage", up->history.overall_max_pv_voltage);
	up_set(up, UP_SOLAR, "/History/Overall/MinBatteryVoltage",
	       up->history.overall_min_battery_voltage);
	up_set(up, UP_SOLAR, "/History/Overall/MaxBatteryVoltage",
	       up->history.overall_max_battery_voltage);
}

/*
 * Remember the first failure of the cycle for /Diagnostics/LastError. A cycle that fails as a
 * whole is logged once, as the link going down; while connected, a block that starts failing
 * is logged (rate-limited), so a device failing every cycle fills no log.
 */
static void note_blocks(struct up *up, const struct mb_cycle_result *res, bool good)
{
	for (size_t i = 0; i < res->n_blocks; i++) {
		const struct mb_block_status *b = &res->blocks[i];

		if (!b->status)
			continue;
		snprintf(up->last_error, sizeof(up->last_error), "read 0x%04x+%u: %s", b->addr,
			 b->count, mb_strerror(b->status));
		if (good && b->changed)
			log_ratelimited(&up->block_rl, LOG_LEVEL_WARNING, "%s", up->last_error);
		return;
	}
}

static void publish_diag(struct up *up, const struct mb_cycle_result *res)
{
	struct mb_engine_stats es;
	struct mb_link_stats ls;

	mb_engine_get_stats(up->eng, &es);
	mb_link_get_stats(mb_engine_link(up->eng), &ls);
	diag_publish(&up->diag, &(struct diag_values){ .cycle_time_ms = res->duration_ms,
						       .requests_per_cycle = res->n_requests,
						       .errors = es.errors,
						       .reconnects = ls.reconnects,
						       .settings_writes_today = upc_writes_today(
							       &up->dvcc.st, up_now()),
						       .last_error = up->last_error });
	up_set_int(up, UP_SOLAR, "/Diagnostics/Cycles", (int)(up->cycles & 0x7fffffff));
	up_set_int(up, UP_SOLAR, "/Diagnostics/BytesPerCycle", (int)res->bytes);
}

void up_on_cycle(struct mb_engine *eng, const struct mb_cycle_result *res, void *userdata)
{
	struct up *up = userdata;
	int64_t now = up_now();
	bool good = !res->all_failed && !isnan(up_value(up, UP_BATT_V));

	up->cycles++;
	note_blocks(up, res, good);
	if (good) {
		up->last_good = now;
		log_change(&up->link_log, 1, "device: connected");
	} else {
		log_change_at(&up->link_log, LOG_LEVEL_WARNING, 0, "device: lost (%s)",
			      up->last_error);
	}
	up->connected = good;
	up_set_int(up, UP_SOLAR, "/Connected", good);
	up_set_int(up, UP_VEBUS, "/Connected", good);
	publish_derived(up);
	publish_status(up);
	if (good)
		update_history(up, now);
	up_dvcc_step(up);
	up_excess_step(up);
	publish_diag(up, res);
	up_check_link(up, good, now);
}
