/* SPDX-License-Identifier: MIT */
/*
 * up5000-main.c - dbus-up5000-hybrid: an EPEVER UP5000-HM8042 hybrid inverter on RS485 as a
 * Venus solarcharger and vebus, with DVCC charge control and an excess-power relay
 *
 * Exit status: 0 after SIGTERM/SIGINT, -n, --help; 1 for a bad configuration, no device at
 * start (serial-starter then tries the next driver) or a device lost for the outage timeout.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "up5000.h"

/* The service name suffix: the tty's base name, a valid D-Bus name element. */
static int set_tty(struct up *up, const char *arg)
{
	const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	bool ok = base[0] && !g_ascii_isdigit(base[0]);

	for (const char *p = base; ok && *p; p++)
		ok = g_ascii_isalnum(*p) || *p == '_' || *p == '-';
	if (!ok) {
		log_err("TTY %s: \"%s\" cannot be a D-Bus service name suffix", arg, base);
		return -EINVAL;
	}
	up->tty = g_strdup(arg);
	up->suffix = g_strdup(base);
	return 0;
}

static gboolean on_signal(gpointer data)
{
	struct up *up = data;

	log_info("stopping");
	up->exit_code = 0;
	g_main_loop_quit(up->loop);
	return G_SOURCE_CONTINUE;
}

static int start(struct up *up)
{
	int r;

	up->loop = g_main_loop_new(NULL, FALSE);
	up->start = up->last_good = up_now();
	up->probing = true;
	memset(up->last_raw, 0xff, sizeof(up->last_raw));
	up->block_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
	uph_init(&up->history);
	r = up_services_new(up);
	if (r == 0)
		r = up_bms_init(up);
	if (r == 0)
		r = up_multi_init(up);
	if (r == 0)
		r = up_dvcc_init(up);
	if (r == 0)
		r = up_excess_init(up);
	if (r == 0)
		r = up_engine_new(up);
	if (r < 0)
		log_err("cannot start: %s", strerror(-r));
	return r;
}

static void stop(struct up *up)
{
	up_excess_stop(up);
	up->eng = mb_engine_free(up->eng); /* no callback after this */
	up_excess_free(up);
	up_services_free(up);
	if (up->loop)
		g_main_loop_unref(up->loop);
	g_free(up->active_bms);
}

int main(int argc, char **argv)
{
	struct up up = { 0 };
	struct cfg_common common = { 0 };
	int r = cfg_parse(&up_program, argc, argv, &common, &up.cfg), status;

	if (r == 0)
		r = up_config_check(&up.cfg);
	if (r == 0)
		r = set_tty(&up, common.args[0]);
	status = r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (r == 0 && !common.check_only) {
		up.bus = common.dbus;
		g_unix_signal_add(SIGTERM, on_signal, &up);
		g_unix_signal_add(SIGINT, on_signal, &up);
		log_info("dbus-up5000-hybrid %s on %s, unit %d, %d baud", VHD_VERSION, up.tty,
			 up.cfg.unit, up.cfg.baud);
		if (start(&up) == 0)
			g_main_loop_run(up.loop);
		else
			up.exit_code = 1;
		status = up.exit_code ? EXIT_FAILURE : EXIT_SUCCESS;
		stop(&up);
	}
	g_free(up.tty);
	g_free(up.suffix);
	cfg_free(up_config_keys, &up.cfg);
	cfg_common_done(&common);
	return status;
}
