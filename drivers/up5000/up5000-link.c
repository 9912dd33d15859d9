/* SPDX-License-Identifier: MIT */
/*
 * up5000-link.c - the Modbus link and engine of dbus-up5000-hybrid from [link], and what the
 * link's state decides: register the services once the device answered, exit when it does not
 */

#include "up5000-regs.h"
#include "up5000.h"

int up_engine_new(struct up *up)
{
	const struct up_config *c = &up->cfg;
	struct mb_link_config lc = {
		.kind = MB_LINK_RTU,
		.device = up->tty,
		.baud = (unsigned int)c->baud,
		.rs485 = true,
		.unit = c->unit,
		.response_timeout_ms = (unsigned int)(c->response_timeout * 1000),
		.backoff_min_ms = 500,
		.backoff_max_ms = 5000,
	};
	struct mb_engine_config ec = {
		.word_order = MB_WORDS_LOW_FIRST,
		.max_regs = (unsigned int)c->max_regs,
		.bridge_gap = (unsigned int)c->max_regs,
		.interval_ms = { [UP_G_FAST] = (unsigned int)(c->fast_interval * 1000),
				 [UP_G_SLOW] = (unsigned int)(c->slow_interval * 1000) },
		.on_cycle = up_on_cycle,
		.userdata = up,
	};
	struct mb_engine_table t = { .unit = -1,
				     .regs = up_regs,
				     .n_regs = up_n_regs,
				     .pub = &up_pub_ops,
				     .target = &up->pub };
	struct mb_link *link;
	int r = mb_link_new(&lc, NULL, &link);

	if (r < 0)
		return r;
	r = mb_engine_new(link, &ec, NULL, &up->eng);
	if (r < 0) {
		mb_link_free(link);
		return r;
	}
	r = mb_engine_add_table(up->eng, &t, &up->table);
	return r < 0 ? r : mb_engine_start(up->eng);
}

static void stop(struct up *up, int code)
{
	up->exit_code = code;
	g_main_loop_quit(up->loop);
}

/* Start-up probe and outage: exit so serial-starter tries the next driver or re-probes. */
void up_check_link(struct up *up, bool good, int64_t now)
{
	if (up->probing && good) {
		up->probing = false;
		log_info("UP5000 found on %s (unit %d), rated %.0f W", up->tty, up->cfg.unit,
			 up_value(up, UP_RATED_OUT_P));
		if (up_services_register(up) < 0)
			stop(up, 1);
	} else if (up->probing && now - up->start >= up_us(up->cfg.probe_timeout)) {
		log_err("no UP5000 answered on %s (unit %d) within %.0f s", up->tty, up->cfg.unit,
			up->cfg.probe_timeout);
		stop(up, 1);
	} else if (!good && now - up->last_good >= up_us(up->cfg.outage_timeout)) {
		log_err("device lost for %.0f s, exiting", up->cfg.outage_timeout);
		stop(up, 1);
	}
}
