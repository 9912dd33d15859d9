/* SPDX-License-Identifier: MIT */
/*
 * smartlogger-sim.c - the SmartLogger plant simulator as a program, driven over stdin
 *
 *   smartlogger-sim [--port N] [--inverters N] [--batteries N] [--first-unit N]
 *                   [--meter-unit N] [--minute-ms MS] [--soc-speed X] [--latency MS]
 *                   [--pv W] [--load W] [--profile FILE]
 *
 * Prints "PORT n", then "READY", then answers one command per line with "OK" or "ERR ...":
 *   pv W | load W | meter on|off | alarm UNIT A1 A2 A3 | soc UNIT PCT | mode UNIT MODE
 *   silent UNIT on|off | exception UNIT ADDR COUNT CODE | drop N | delay MS | clear
 *   state UNIT ("STATE cmd mode battery_w soc ac_w") | writes (the write log, then "END")
 *   quit
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smartlogger-sim.h"

static volatile sig_atomic_t quit_flag;

static void on_signal(int sig)
{
	quit_flag = 1;
}

static int cmd_state(struct slsim *s, int unit)
{
	struct slsim_unit_state st;
	int r = slsim_unit_state(s, unit, &st);

	if (r == 0)
		printf("STATE %d %d %.0f %.1f %.0f\n", st.command, st.working_mode, st.battery_w,
		       st.soc, st.ac_w);
	return r;
}

static int cmd_writes(struct slsim *s)
{
	mbsim_writes_print(slsim_mbsim(s), stdout);
	printf("END\n");
	return 0;
}

/* Faults, mbsim's own. Return: 0, -EINVAL (not a fault command). */
static int fault_command(struct mbsim *sim, char w[][32], int n, const double *x)
{
	if (n == 3 && !strcmp(w[0], "silent"))
		mbsim_fault_unit_silent(sim, (int)x[1], !strcmp(w[2], "on"));
	else if (n == 5 && !strcmp(w[0], "exception"))
		return mbsim_fault_exception(sim, (int)x[1], (uint16_t)x[2], (unsigned int)x[3],
					     (uint8_t)x[4]);
	else if (n == 2 && !strcmp(w[0], "drop"))
		mbsim_fault_drop_after(sim, (unsigned int)x[1]);
	else if (n == 2 && !strcmp(w[0], "delay"))
		mbsim_fault_delay(sim, (unsigned int)x[1]);
	else if (n == 1 && !strcmp(w[0], "clear"))
		mbsim_fault_clear(sim);
	else
		return -EINVAL;
	return 0;
}

/* One command line. Return: 0, 1 for quit, -errno. */
static int command(struct slsim *s, char *line)
{
	char w[5][32] = { { 0 } };
	double x[5] = { 0 };
	int n = sscanf(line, "%31s %31s %31s %31s %31s", w[0], w[1], w[2], w[3], w[4]);

	for (int k = 1; k < n; k++)
		x[k] = strtod(w[k], NULL);
	if (n == 1 && !strcmp(w[0], "quit"))
		return 1;
	if (n == 2 && !strcmp(w[0], "pv"))
		slsim_set_pv(s, x[1]);
	else if (n == 2 && !strcmp(w[0], "load"))
		slsim_set_load(s, x[1]);
	else if (n == 2 && !strcmp(w[0], "meter"))
		slsim_set_meter_connected(s, !strcmp(w[1], "on"));
	else if (n == 5 && !strcmp(w[0], "alarm"))
		return slsim_set_alarms(s, (int)x[1], (uint16_t)x[2], (uint16_t)x[3],
					(uint16_t)x[4]);
	else if (n == 3 && !strcmp(w[0], "soc"))
		return slsim_set_soc(s, (int)x[1], x[2]);
	else if (n == 3 && !strcmp(w[0], "mode"))
		return slsim_set_working_mode(s, (int)x[1], (int)x[2]);
	else if (n == 2 && !strcmp(w[0], "state"))
		return cmd_state(s, (int)x[1]);
	else if (n == 1 && !strcmp(w[0], "writes"))
		return cmd_writes(s);
	else
		return fault_command(slsim_mbsim(s), w, n, x);
	return 0;
}

struct args {
	struct slsim_config cfg;
	unsigned int port, latency;
	double pv, load;
};

/* Options as data: name, kind ('u' unsigned, 'i' int, 'd' double, 's' string), field. */
static const struct opt {
	const char *name;
	char kind;
	size_t off;
} opts[] = {
	{ "port", 'u', offsetof(struct args, port) },
	{ "inverters", 'u', offsetof(struct args, cfg.n_inverters) },
	{ "batteries", 'u', offsetof(struct args, cfg.n_batteries) },
	{ "first-unit", 'i', offsetof(struct args, cfg.first_unit) },
	{ "meter-unit", 'i', offsetof(struct args, cfg.meter_unit) },
	{ "minute-ms", 'u', offsetof(struct args, cfg.minute_ms) },
	{ "soc-speed", 'd', offsetof(struct args, cfg.soc_speed) },
	{ "latency", 'u', offsetof(struct args, latency) },
	{ "pv", 'd', offsetof(struct args, pv) },
	{ "load", 'd', offsetof(struct args, load) },
	{ "profile", 's', offsetof(struct args, cfg.profile) },
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static void store(struct args *a, const struct opt *o, const char *text)
{
	char *p = (char *)a + o->off;

	if (o->kind == 'u')
		*(unsigned int *)(void *)p = (unsigned int)strtoul(text, NULL, 10);
	else if (o->kind == 'i')
		*(int *)(void *)p = (int)strtol(text, NULL, 10);
	else if (o->kind == 'd')
		*(double *)(void *)p = strtod(text, NULL);
	else
		*(const char **)(void *)p = text;
}

static int parse(int argc, char **argv, struct args *a)
{
	struct option lo[N_OPTS + 1] = { { NULL, 0, NULL, 0 } };
	bool batteries = false;
	int o;

	for (size_t k = 0; k < N_OPTS; k++)
		lo[k] = (struct option){ opts[k].name, required_argument, NULL, (int)k };
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (o < 0 || (size_t)o >= N_OPTS)
			return -EINVAL;
		store(a, &opts[o], optarg);
		batteries |= !strcmp(opts[o].name, "batteries");
	}
	if (!batteries) /* by default every inverter has a LUNA2000 */
		a->cfg.n_batteries = a->cfg.n_inverters;
	return optind == argc ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct args a = { .cfg = SLSIM_CONFIG_DEFAULT };
	struct slsim *s;
	char line[256];
	int r;

	if (parse(argc, argv, &a) < 0) {
		fprintf(stderr,
			"usage: see the comment at the top of tests/sim/smartlogger-sim.c\n");
		return 2;
	}
	r = slsim_new(&a.cfg, a.port, &s);
	if (r < 0) {
		fprintf(stderr, "smartlogger-sim: %s\n", strerror(-r));
		return 1;
	}
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	sigaction(SIGINT, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	slsim_set_pv(s, a.pv);
	slsim_set_load(s, a.load);
	mbsim_fault_delay(slsim_mbsim(s), a.latency);
	printf("PORT %u\nREADY\n", slsim_port(s));
	while (!quit_flag && fgets(line, sizeof(line), stdin)) {
		r = command(s, line);
		if (r == 1)
			break;
		if (r < 0)
			printf("ERR %s\n", strerror(-r));
		else
			printf("OK\n");
	}
	/* stdin closed (demo, bench): serve until a signal */
	while (!quit_flag && feof(stdin))
		pause();
	slsim_free(s);
	return 0;
}
