/* SPDX-License-Identifier: MIT */
/*
 * mbsim-main.c - the simulator as a program, driven over stdin
 *
 *   mbsim (--tcp HOST:PORT | --pty) [--profile FILE]... [--ready-fd N]
 *
 * Prints "PORT n" or "PTY /dev/pts/N", then "READY" (on stdout, and on fd N when given), then
 * answers one command per line (see doc/modbus-engine.rst): "OK", "VALUES ...", or "ERR ...".
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbsim.h"

#define MAX_ARGS 160

static volatile sig_atomic_t quit_flag;

static void on_signal(int sig)
{
	quit_flag = 1;
}

static int on_off(const char *t, bool *ret)
{
	*ret = !strcmp(t, "on");
	return !strcmp(t, "on") || !strcmp(t, "off") ? 0 : -EINVAL;
}

/* "UNIT [holding|input] ADDR" at argv[0]; returns the index after ADDR, or -EINVAL. */
static int unit_space_addr(char **argv, int argc, long *unit, enum mbsim_space *space, long *addr)
{
	int i = 1;

	*space = MBSIM_HOLDING;
	if (argc < 2 || mbsim_parse_num(argv[0], 0, 255, unit) < 0)
		return -EINVAL;
	if (!strcmp(argv[1], "input") || !strcmp(argv[1], "holding")) {
		*space = !strcmp(argv[1], "input") ? MBSIM_INPUT : MBSIM_HOLDING;
		i++;
	}
	if (i >= argc || mbsim_parse_num(argv[i], 0, 65535, addr) < 0)
		return -EINVAL;
	return i + 1;
}

static int cmd_fault(struct mbsim *sim, char **argv, int argc)
{
	long a, b, c, d;
	bool on;

	if (argc == 2 && !strcmp(argv[0], "silence") && on_off(argv[1], &on) == 0)
		mbsim_fault_silence(sim, on);
	else if (argc == 2 && !strcmp(argv[0], "garbage") && on_off(argv[1], &on) == 0)
		mbsim_fault_garbage(sim, on);
	else if (argc == 2 && !strcmp(argv[0], "delay") && mbsim_parse_num(argv[1], 0, 600000, &a) == 0)
		mbsim_fault_delay(sim, (unsigned int)a);
	else if (argc == 2 && !strcmp(argv[0], "drop") && mbsim_parse_num(argv[1], 0, 1000000, &a) == 0)
		mbsim_fault_drop_after(sim, (unsigned int)a);
	else if (argc == 3 && !strcmp(argv[0], "unit") && mbsim_parse_num(argv[1], 0, 255, &a) == 0 &&
		 on_off(argv[2], &on) == 0)
		mbsim_fault_unit_silent(sim, (int)a, on);
	else if (argc == 1 && !strcmp(argv[0], "clear"))
		mbsim_fault_clear(sim);
	else if (argc == 5 && !strcmp(argv[0], "exception") && mbsim_parse_num(argv[1], -1, 255, &a) == 0 &&
		 mbsim_parse_num(argv[2], 0, 65535, &b) == 0 && mbsim_parse_num(argv[3], 0, 65536, &c) == 0 &&
		 mbsim_parse_num(argv[4], 1, 255, &d) == 0)
		return mbsim_fault_exception(sim, (int)a, (uint16_t)b, (unsigned int)c, (uint8_t)d);
	else
		return -EINVAL;
	return 0;
}

static int cmd_set(struct mbsim *sim, char **argv, int argc)
{
	uint16_t vals[MAX_ARGS];
	enum mbsim_space space;
	long unit, addr, v;
	int i = unit_space_addr(argv, argc, &unit, &space, &addr), n = 0;

	if (i < 0 || i >= argc)
		return -EINVAL;
	for (; i < argc; i++) {
		if (mbsim_parse_num(argv[i], -32768, 65535, &v) < 0)
			return -EINVAL;
		vals[n++] = (uint16_t)v;
	}
	return mbsim_set(sim, (int)unit, space, (uint16_t)addr, vals, (size_t)n);
}

static int cmd_get(struct mbsim *sim, char **argv, int argc)
{
	uint16_t vals[125];
	enum mbsim_space space;
	long unit, addr, n;
	int i = unit_space_addr(argv, argc, &unit, &space, &addr), r;

	if (i < 0 || i + 1 != argc || mbsim_parse_num(argv[i], 1, 125, &n) < 0)
		return -EINVAL;
	r = mbsim_get(sim, (int)unit, space, (uint16_t)addr, vals, (size_t)n);
	if (r < 0)
		return r;
	printf("VALUES");
	for (long k = 0; k < n; k++)
		printf(" %u", vals[k]);
	printf("\n");
	return 1; /* answered */
}

static int command(struct mbsim *sim, char **argv, int argc)
{
	long v;

	if (!strcmp(argv[0], "fault"))
		return cmd_fault(sim, argv + 1, argc - 1);
	if (!strcmp(argv[0], "set"))
		return cmd_set(sim, argv + 1, argc - 1);
	if (!strcmp(argv[0], "get"))
		return cmd_get(sim, argv + 1, argc - 1);
	if (!strcmp(argv[0], "reboot") && argc == 2 && mbsim_parse_num(argv[1], 0, 600000, &v) == 0) {
		mbsim_reboot(sim, (unsigned int)v);
		return 0;
	}
	if (!strcmp(argv[0], "writes") && argc == 1) {
		mbsim_writes_print(sim, stdout);
		return 0;
	}
	if (!strcmp(argv[0], "requests") && argc == 1) {
		printf("REQUESTS %lu\n", mbsim_n_requests(sim));
		return 1;
	}
	return -EINVAL;
}

static void serve_stdin(struct mbsim *sim)
{
	char *line = NULL, *argv[MAX_ARGS], *save;
	size_t cap = 0;

	while (!quit_flag && getline(&line, &cap, stdin) > 0) {
		int argc = 0, r;

		for (char *t = strtok_r(line, " \t\r\n", &save); t && argc < MAX_ARGS;
		     t = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = t;
		if (argc == 0)
			continue;
		if (!strcmp(argv[0], "quit"))
			break;
		r = command(sim, argv, argc);
		if (r < 0)
			printf("ERR %s\n", strerror(-r));
		else if (r == 0)
			printf("OK\n");
	}
	free(line);
}

static void announce(struct mbsim *sim, int ready_fd)
{
	char buf[128];
	int n;

	if (mbsim_port(sim))
		n = snprintf(buf, sizeof(buf), "PORT %u\nREADY\n", mbsim_port(sim));
	else
		n = snprintf(buf, sizeof(buf), "PTY %s\nREADY\n", mbsim_pty_path(sim));
	fputs(buf, stdout);
	if (ready_fd >= 0) {
		(void)!write(ready_fd, buf, (size_t)n);
		close(ready_fd);
	}
}

/* A stopped simulator for "--tcp HOST:PORT" (@tcp) or a pty (@tcp NULL). */
static int make_sim(const char *tcp, struct mbsim **ret)
{
	char host[64] = "127.0.0.1";
	const char *colon;
	long port = 0;

	if (tcp) {
		colon = strrchr(tcp, ':');
		if (!colon || colon - tcp >= (long)sizeof(host) || mbsim_parse_num(colon + 1, 0, 65535, &port))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - tcp), tcp);
	}
	return mbsim_new(tcp ? MBSIM_TCP : MBSIM_PTY, host, (unsigned int)port, ret);
}

static int load_profiles(struct mbsim *sim, const char *const *profiles, int n)
{
	for (int i = 0; i < n; i++) {
		unsigned int line = 0;

		if (mbsim_load_profile(sim, profiles[i], &line) < 0) {
			fprintf(stderr, "mbsim: %s:%u: cannot load\n", profiles[i], line);
			return -EINVAL;
		}
	}
	return 0;
}

/* Options into a stopped simulator. Return: the ready fd (or -1), or -EINVAL. */
static int parse_args(int argc, char **argv, struct mbsim **ret)
{
	static const struct option opts[] = {
		{ "tcp", required_argument, NULL, 't' },
		{ "pty", no_argument, NULL, 'p' },
		{ "profile", required_argument, NULL, 'f' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ 0 },
	};
	const char *tcp = NULL, *profiles[32];
	int c, n_profiles = 0, ready_fd = -1, pty = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			tcp = optarg;
		else if (c == 'p')
			pty = 1;
		else if (c == 'f' && n_profiles < 32)
			profiles[n_profiles++] = optarg;
		else if (c == 'r')
			ready_fd = atoi(optarg);
		else
			return -EINVAL;
	}
	if (!!tcp == pty || make_sim(tcp, ret) < 0)
		return -EINVAL;
	if (load_profiles(*ret, profiles, n_profiles) < 0) {
		*ret = mbsim_free(*ret);
		return -EINVAL;
	}
	return ready_fd;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct mbsim *sim = NULL;
	int ready_fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: getline() returns */
	sigaction(SIGINT, &sa, NULL);

	ready_fd = parse_args(argc, argv, &sim);
	if (ready_fd < -1 || !sim) {
		fprintf(stderr, "usage: mbsim (--tcp HOST:PORT | --pty) [--profile FILE]... "
				"[--ready-fd N]\n");
		return EXIT_FAILURE;
	}
	r = mbsim_start(sim);
	if (r < 0) {
		fprintf(stderr, "mbsim: cannot start: %s\n", strerror(-r));
		mbsim_free(sim);
		return EXIT_FAILURE;
	}
	announce(sim, ready_fd);
	serve_stdin(sim);
	mbsim_free(sim);
	return EXIT_SUCCESS;
}
