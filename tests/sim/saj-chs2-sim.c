/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-sim.c - the SAJ CHS2 simulator as a program, for the demo and by hand
 *
 *   saj-chs2-sim [--port N] [--no-ct] [--pv W] [--load W] [--soc PCT] [--soc-speed X]
 *                [--rated W] [--keepalive ADDR:MS] [--invert-battery-sign] [--profile FILE]
 *
 * Prints "PORT n" and "READY", then reads commands, one per line: "pv W", "load W", "soc PCT",
 * "ct on|off", "bms CHARGE_A DISCHARGE_A", "fault WORD BITS", "state", "writes",
 * "silence on|off", "exception ADDR COUNT CODE", "delay MS", "drop N", "clear", "quit".
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saj-chs2-sim.h"

static volatile sig_atomic_t quit_flag;

static void on_signal(int sig)
{
	quit_flag = 1;
}

static int parse(int argc, char **argv, struct sajsim_config *cfg, unsigned int *port, double *pv,
		 double *load, double *soc)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "no-ct", no_argument, NULL, 'n' },
		{ "pv", required_argument, NULL, 'v' },
		{ "load", required_argument, NULL, 'l' },
		{ "soc", required_argument, NULL, 's' },
		{ "rated", required_argument, NULL, 'r' },
		{ "soc-speed", required_argument, NULL, 'x' },
		{ "keepalive", required_argument, NULL, 'k' },
		{ "invert-battery-sign", no_argument, NULL, 'i' },
		{ "profile", required_argument, NULL, 'f' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'p')
			*port = (unsigned int)atoi(optarg);
		else if (c == 'n')
			cfg->ct = false;
		else if (c == 'v')
			*pv = atof(optarg);
		else if (c == 'l')
			*load = atof(optarg);
		else if (c == 's')
			*soc = atof(optarg);
		else if (c == 'r')
			cfg->rated = atof(optarg);
		else if (c == 'x')
			cfg->soc_speed = atof(optarg);
		else if (c == 'k' && sscanf(optarg, "%i:%u", &cfg->keepalive_addr,
					    &cfg->keepalive_timeout_ms) == 2)
			continue;
		else if (c == 'i')
			cfg->inverted_battery_sign = true;
		else if (c == 'f')
			cfg->profile = optarg;
		else
			return -1;
	}
	return 0;
}

static void print_state(struct sajsim *s)
{
	struct sajsim_state st;

	sajsim_state(s, &st);
	printf("STATE app_mode=%d passive=%d battery=%.0f grid=%.0f pv=%.0f pv_used=%.0f "
	       "load=%.0f soc=%.2f curtailed=%d\n",
	       st.app_mode, st.passive, st.battery, st.grid, st.pv, st.pv_used, st.load, st.soc,
	       st.curtailed);
}

/* One command line; returns false for "quit". */
static bool command(struct sajsim *s, const char *line)
{
	struct mbsim *m = sajsim_mbsim(s);
	char word[32] = "", arg[32];
	double a, b;
	unsigned int u1, u2, u3;
	int i1;
	long l1;

	if (sscanf(line, "pv %lf", &a) == 1)
		sajsim_set_pv(s, a);
	else if (sscanf(line, "load %lf", &a) == 1)
		sajsim_set_load(s, a);
	else if (sscanf(line, "soc %lf", &a) == 1)
		sajsim_set_soc(s, a);
	else if (sscanf(line, "ct %31s", arg) == 1)
		sajsim_set_ct(s, strcmp(arg, "on") == 0);
	else if (sscanf(line, "bms %lf %lf", &a, &b) == 2)
		sajsim_set_bms_limits(s, a, b);
	else if (sscanf(line, "fault %u %li", &u1, &l1) == 2)
		sajsim_set_fault(s, u1, (uint32_t)l1);
	else if (sscanf(line, "silence %31s", arg) == 1)
		mbsim_fault_silence(m, strcmp(arg, "on") == 0);
	else if (sscanf(line, "exception %i %u %u", &i1, &u2, &u3) == 3)
		mbsim_fault_exception(m, -1, (uint16_t)i1, u2, (uint8_t)u3);
	else if (sscanf(line, "delay %u", &u1) == 1)
		mbsim_fault_delay(m, u1);
	else if (sscanf(line, "drop %u", &u1) == 1)
		mbsim_fault_drop_after(m, u1);
	else if (sscanf(line, "%31s", word) == 1 && strcmp(word, "clear") == 0)
		mbsim_fault_clear(m);
	else if (strcmp(word, "state") == 0)
		print_state(s);
	else if (strcmp(word, "writes") == 0)
		mbsim_writes_print(m, stdout);
	else if (strcmp(word, "quit") == 0)
		return false;
	else
		printf("ERR unknown command\n");
	return true;
}

int main(int argc, char **argv)
{
	struct sajsim_config cfg = SAJSIM_CONFIG_DEFAULT;
	struct sigaction sa = { .sa_handler = on_signal };
	double pv = 0, load = 0, soc = 50;
	unsigned int port = 0;
	struct sajsim *s;
	char line[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (parse(argc, argv, &cfg, &port, &pv, &load, &soc) < 0) {
		fprintf(stderr, "usage: see the comment at the top of saj-chs2-sim.c\n");
		return EXIT_FAILURE;
	}
	if (sajsim_new(&cfg, port, &s) < 0) {
		fprintf(stderr, "saj-chs2-sim: cannot start\n");
		return EXIT_FAILURE;
	}
	sajsim_set_pv(s, pv);
	sajsim_set_load(s, load);
	sajsim_set_soc(s, soc);
	printf("PORT %u\nREADY\n", sajsim_port(s));
	while (!quit_flag && fgets(line, sizeof(line), stdin) && command(s, line))
		;
	/* stdin closed (the demo runs us with </dev/null): serve until a signal */
	while (!quit_flag && feof(stdin))
		pause();
	sajsim_free(s);
	return EXIT_SUCCESS;
}
