/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-main.c - dbus-saj-chs2: main(), the poll cycle and what follows it (set-up
 * detection, sign check, control, publishing), signals and the hand-back on exit
 */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib.h>

#include "saj-chs2.h"

#define BRIDGE_GAP	 24 /* registers read through rather than a new request */
#define SHUTDOWN_WAIT_MS 3000

static void log_blocks(struct saj *s, const struct mb_cycle_result *res)
{
	for (size_t i = 0; i < res->n_blocks; i++) {
		const struct mb_block_status *b = &res->blocks[i];

		if (b->n_unsupported)
			log_info("read 0x%04x+%u: %u registers not supported, read around them",
				 b->addr, b->count, b->n_unsupported);
		if (!b->changed || (b->status && !mb_err_exception(b->status)))
			continue; /* transport errors: one line from the link state */
		if (b->status) {
			snprintf(s->last_error, sizeof(s->last_error), "read 0x%04x+%u: %s",
				 b->addr, b->count, mb_strerror(b->status));
			log_warn("%s", s->last_error);
		} else {
			log_info("read 0x%04x+%u: answers again", b->addr, b->count);
		}
	}
}

static void update_setup(struct saj *s)
{
	enum saj_setup setup = saj_detect_step(&s->detect, s->m.meter_mode, s->cfg.meter_mode);

	if (setup == s->setup)
		return;
	log_info("set-up: %s (meter mode read-back %d)", saj_setup_text(setup), s->m.meter_mode);
	s->setup = setup;
	(void)saj_grid_present(s, setup == SAJ_SETUP_CT);
	saj_control_setup(s);
}

static void sign_verdict(struct saj *s, const char *what, const char *dir_reg,
			 const struct saj_sign *sign, int *factor)
{
	const struct mb_reg *r = saj_reg_by_name(saj_regs, saj_n_regs, dir_reg);

	if (sign->verdict == SAJ_SIGN_CONSISTENT) {
		log_info("sign check: %s power agrees with the direction register 0x%04x", what,
			 r->addr);
		return;
	}
	*factor = -*factor;
	log_warn("sign check: %s power contradicts the direction register 0x%04x (%u of %u "
		 "samples); following the direction register",
		 what, r->addr, sign->n_contra, sign->n_agree + sign->n_contra);
}

/* The raw CT grid power: the meter phases, else the system grid power. */
static double raw_grid(const struct saj *s)
{
	double sum = saj_number(s, "MeterPowerR") + saj_number(s, "MeterPowerS") +
		     saj_number(s, "MeterPowerT");

	return isnan(sum) ? saj_number(s, "SysGridPower") : sum;
}

static int dir(const struct saj *s, const char *name)
{
	double d = saj_number(s, name);

	return isnan(d) ? 0 : (int)d;
}

static void check_signs(struct saj *s)
{
	/* assumed: battery raw + = discharge (dir +1), grid raw + = import (dir -1) */
	if (saj_sign_step(&s->bat_sign, saj_number(s, "BatPower"), dir(s, "BatDir"), 1))
		sign_verdict(s, "battery", "BatDir", &s->bat_sign, &s->bat_factor);
	if (s->setup == SAJ_SETUP_CT &&
	    saj_sign_step(&s->grid_sign, raw_grid(s), dir(s, "GridDir"), -1))
		sign_verdict(s, "grid", "GridDir", &s->grid_sign, &s->grid_factor);
}

static void publish_diag(struct saj *s, const struct mb_cycle_result *res)
{
	struct mb_engine_stats es;
	struct vedbus_value cycles, bytes;
	struct mb_link_stats ls;
	struct diag_values v;

	mb_engine_get_stats(s->eng, &es);
	mb_link_get_stats(mb_engine_link(s->eng), &ls);
	v = (struct diag_values){
		.cycle_time_ms = res->duration_ms,
		.requests_per_cycle = res->n_requests,
		.errors = es.errors,
		.reconnects = ls.reconnects,
		.settings_writes_today =
			eeg_budget_writes_today(&s->ctl.budget, g_get_monotonic_time()),
		.last_error = s->last_error,
	};
	(void)diag_publish(&s->diag, &v);
	cycles = vedbus_int((int64_t)es.cycles);
	bytes = vedbus_int((int64_t)res->bytes);
	(void)diag_set_extra(&s->diag, "/Diagnostics/Cycles", &cycles);
	(void)diag_set_extra(&s->diag, "/Diagnostics/BytesPerCycle", &bytes);
}

static void on_cycle(struct mb_engine *eng, const struct mb_cycle_result *res, void *userdata)
{
	struct saj *s = userdata;

	log_blocks(s, res);
	s->connected = !res->all_failed;
	if (log_change(&s->link_log, s->connected, "%s",
		       s->connected ? "inverter answers"
				    : "no answer from the inverter: values invalid") &&
	    !s->connected)
		snprintf(s->last_error, sizeof(s->last_error), "no answer from the inverter");
	saj_map_publish(s);
	update_setup(s);
	check_signs(s);
	saj_control_cycle(s);
	publish_diag(s, res);
	saj_services_cycle(s);
}

static int start_engine(struct saj *s)
{
	struct mb_link_config lc = {
		.kind = MB_LINK_TCP,
		.host = s->cfg.host,
		.port = (unsigned int)s->cfg.port,
		.unit = s->cfg.unit,
		.response_timeout_ms = (unsigned int)s->cfg.response_timeout_ms,
		.backoff_max_ms = (unsigned int)s->cfg.backoff_max_ms,
	};
	struct mb_engine_config ec = {
		.word_order = MB_WORDS_HIGH_FIRST,
		.max_regs = MB_MAX_READ_REGS,
		.bridge_gap = BRIDGE_GAP,
		.write_fc06 = true,
		.on_cycle = on_cycle,
		.userdata = s,
	};
	struct mb_engine_table t = { .unit = -1, .regs = saj_regs, .n_regs = saj_n_regs };
	struct mb_link *link;
	int r;

	ec.interval_ms[SAJ_G_FAST] = (unsigned int)s->cfg.interval_ms;
	ec.interval_ms[SAJ_G_SLOW] = (unsigned int)s->cfg.energy_interval_ms;
	r = mb_link_new(&lc, NULL, &link);
	if (r == 0)
		r = mb_engine_new(link, &ec, NULL, &s->eng);
	else
		link = NULL;
	if (r < 0)
		mb_link_free(link);
	if (r == 0)
		r = mb_engine_add_table(s->eng, &t, NULL);
	if (r < 0)
		log_err("cannot start the Modbus engine: %s", strerror(-r));
	return r;
}

static gboolean on_signal(gpointer data)
{
	struct saj *s = data;

	log_info("signal: handing the inverter back, then exiting");
	g_main_loop_quit(s->loop);
	return G_SOURCE_CONTINUE;
}

static void shutdown_done(struct saj *s)
{
	g_main_loop_quit(s->loop);
}

static gboolean shutdown_timeout(gpointer data)
{
	struct saj *s = data;

	log_warn("hand-back did not finish within %d ms", SHUTDOWN_WAIT_MS);
	g_main_loop_quit(s->loop);
	return G_SOURCE_REMOVE;
}

static int run(struct saj *s)
{
	int r;

	s->loop = g_main_loop_new(NULL, FALSE);
	r = start_engine(s);
	if (r == 0)
		r = saj_services_new(s);
	if (r == 0)
		r = mb_engine_start(s->eng);
	if (r < 0)
		return 1;
	g_unix_signal_add(SIGTERM, on_signal, s);
	g_unix_signal_add(SIGINT, on_signal, s);
	log_info("ready: %s, %s, rated %.0f W", s->connection, saj_models[s->cfg.model].name,
		 s->rated);
	g_main_loop_run(s->loop);
	if (saj_control_shutdown(s, shutdown_done) == 0) {
		g_timeout_add(SHUTDOWN_WAIT_MS, shutdown_timeout, s);
		g_main_loop_run(s->loop);
	}
	return 0;
}

static void cleanup(struct saj *s)
{
	s->eng = mb_engine_free(s->eng); /* no callback after this */
	saj_services_free(s);
	if (s->loop)
		g_main_loop_unref(s->loop);
	cfg_free(saj_keys, &s->cfg);
	cfg_common_done(&s->common);
}

static int init(struct saj *s, int argc, char **argv)
{
	int r = cfg_parse(&saj_program, argc, argv, &s->common, &s->cfg);

	if (r != 0)
		return r;
	r = saj_config_check(&s->cfg);
	if (r == 0)
		r = saj_map_check();
	if (r < 0)
		return r;
	s->rated = saj_rated_power(&s->cfg);
	s->bat_factor = -1; /* assumed raw + = discharge (devices doc B.4) */
	s->grid_factor = 1; /* assumed raw + = import */
	saj_suffix(&s->cfg, s->suffix, sizeof(s->suffix));
	snprintf(s->connection, sizeof(s->connection), "Modbus TCP %s:%d unit %d", s->cfg.host,
		 s->cfg.port, s->cfg.unit);
	return 0;
}

int main(int argc, char **argv)
{
	struct saj s = { .exit_code = 0 };
	int r = init(&s, argc, argv);

	if (r == CFG_EXIT)
		s.exit_code = 0;
	else if (r < 0)
		s.exit_code = 1;
	else if (s.common.check_only)
		log_info("configuration ok");
	else if (s.cfg.restore)
		s.exit_code = saj_restore_run(&s);
	else
		s.exit_code = run(&s);
	cleanup(&s);
	return s.exit_code;
}
