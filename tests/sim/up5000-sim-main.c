/* SPDX-License-Identifier: MIT */
/*
 * up5000-sim-main.c - the UP5000 simulator as a program, for the demo and the bench
 *
 *   up5000-sim [--profile FILE] [--link PATH]
 *
 * Serves on a new pseudo-terminal; with --link, PATH becomes a symlink to it (a name such as
 * ttyUP0 the driver can use as its service suffix). Prints "PTY /dev/pts/N", then "READY".
 * Runs until "quit" or SIGTERM/SIGINT; the end of stdin stops only the commands.
 * Commands on stdin, one per line, answered "OK", "ERR ...", or data lines:
 *   set UNIT [input|holding] ADDR VALUE...     get UNIT [input|holding] ADDR COUNT
 *   fault silence|garbage on|off               fault delay MS
 *   fault drop N                               fault exception UNIT ADDR COUNT CODE
 *   fault clear                                reboot MS
 *   writes     (the write log, "UNIT ADDR V... [exc N]")     requests
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "up5000-sim.h"

#define MAX_WORDS 64

static volatile sig_atomic_t quit_flag;

static void on_signal(int sig)
{
	quit_flag = 1;
}

static bool num(const char *t, long lo, long hi, long *ret)
{
	return mbsim_parse_num(t, lo, hi, ret) == 0;
}

static bool on_off(const char *t, bool *ret)
{
	*ret = !strcmp(t, "on");
	return !strcmp(t, "on") || !strcmp(t, "off");
}

/* "UNIT [input|holding] ADDR": the index after ADDR, or -1. */
static int where(char **argv, int argc, long *unit, enum mbsim_space *space, long *addr)
{
	int i = 1;

	*space = MBSIM_HOLDING;
	if (argc < 2 || !num(argv[0], 0, 255, unit))
		return -1;
	if (!strcmp(argv[1], "input") || !strcmp(argv[1], "holding")) {
		*space = argv[1][0] == 'i' ? MBSIM_INPUT : MBSIM_HOLDING;
		i++;
	}
	return i < argc && num(argv[i], 0, 65535, addr) ? i + 1 : -1;
}

static int cmd_fault(struct mbsim *sim, char **a, int n)
{
	long x, y, z, c;
	bool on;

	if (n == 2 && !strcmp(a[0], "silence") && on_off(a[1], &on))
		mbsim_fault_silence(sim, on);
	else if (n == 2 && !strcmp(a[0], "garbage") && on_off(a[1], &on))
		mbsim_fault_garbage(sim, on);
	else if (n == 2 && !strcmp(a[0], "delay") && num(a[1], 0, 600000, &x))
		mbsim_fault_delay(sim, (unsigned int)x);
	else if (n == 2 && !strcmp(a[0], "drop") && num(a[1], 0, 1000000, &x))
		mbsim_fault_drop_after(sim, (unsigned int)x);
	else if (n == 1 && !strcmp(a[0], "clear"))
		mbsim_fault_clear(sim);
	else if (n == 5 && !strcmp(a[0], "exception") && num(a[1], -1, 255, &x) &&
		 num(a[2], 0, 65535, &y) && num(a[3], 0, 65536, &z) && num(a[4], 1, 255, &c))
		return mbsim_fault_exception(sim, (int)x, (uint16_t)y, (unsigned int)z, (uint8_t)c);
	else
		return -EINVAL;
	return 0;
}

static int cmd_set(struct mbsim *sim, char **a, int n)
{
	uint16_t w[MAX_WORDS];
	enum mbsim_space sp;
	long unit, addr, v;
	int i = where(a, n, &unit, &sp, &addr), k = 0;

	if (i < 0 || i >= n || n - i > MAX_WORDS)
		return -EINVAL;
	for (; i < n; i++) {
		if (!num(a[i], 0, 65535, &v))
			return -EINVAL;
		w[k++] = (uint16_t)v;
	}
	return mbsim_set(sim, (int)unit, sp, (uint16_t)addr, w, (size_t)k);
}

static int cmd_get(struct mbsim *sim, char **a, int n)
{
	uint16_t w[MAX_WORDS];
	enum mbsim_space sp;
	long unit, addr, count;
	int i = where(a, n, &unit, &sp, &addr), r;

	if (i < 0 || i + 1 != n || !num(a[i], 1, MAX_WORDS, &count))
		return -EINVAL;
	r = mbsim_get(sim, (int)unit, sp, (uint16_t)addr, w, (size_t)count);
	if (r < 0)
		return r;
	printf("VALUES");
	for (long k = 0; k < count; k++)
		printf(" %u", w[k]);
	printf("\n");
	return 1;
}

/* Return: 0 "OK", 1 answered already, -errno "ERR". */
static int command(struct mbsim *sim, char **a, int n)
{
	long v;

	if (!strcmp(a[0], "fault"))
		return cmd_fault(sim, a + 1, n - 1);
	if (!strcmp(a[0], "set"))
		return cmd_set(sim, a + 1, n - 1);
	if (!strcmp(a[0], "get"))
		return cmd_get(sim, a + 1, n - 1);
	if (!strcmp(a[0], "reboot") && n == 2 && num(a[1], 0, 600000, &v)) {
		mbsim_reboot(sim, (unsigned int)v);
		return 0;
	}
	if (!strcmp(a[0], "writes") && n == 1) {
		mbsim_writes_print(sim, stdout);
		return 0;
	}
	if (!strcmp(a[0], "requests") && n == 1) {
		printf("REQUESTS %lu\n", mbsim_n_requests(sim));
		return 1;
	}
	return -EINVAL;
}

/* Return: true for "quit", false at the end of stdin. */
static bool serve(struct mbsim *sim)
{
	char *line = NULL, *a[MAX_WORDS + 8], *save;
	size_t cap = 0;

	while (!quit_flag && getline(&line, &cap, stdin) > 0) {
		int n = 0, r;

		for (char *t = strtok_r(line, " \t\r\n", &save);
		     t && n < (int)(sizeof(a) / sizeof(a[0])); t = strtok_r(NULL, " \t\r\n", &save))
			a[n++] = t;
		if (n == 0)
			continue;
		if (!strcmp(a[0], "quit")) {
			free(line);
			return true;
		}
		r = command(sim, a, n);
		if (r < 0)
			printf("ERR %s\n", strerror(-r));
		else if (r == 0)
			printf("OK\n");
	}
	free(line);
	return false;
}

static void wait_signal(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!quit_flag)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "link", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *profile = NULL, *link_path = NULL;
	struct mbsim *sim;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'p' && c != 'l') {
			fprintf(stderr, "usage: up5000-sim [--profile FILE] [--link PATH]\n");
			return EXIT_FAILURE;
		}
		*(c == 'p' ? &profile : &link_path) = optarg;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: getline() returns */
	sigaction(SIGINT, &sa, NULL);
	r = up5000_sim_new(profile, &sim);
	if (r == 0)
		r = mbsim_start(sim);
	if (r < 0) {
		fprintf(stderr, "up5000-sim: cannot start: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	if (link_path && (unlink(link_path), symlink(mbsim_pty_path(sim), link_path) < 0))
		fprintf(stderr, "up5000-sim: %s: %s\n", link_path, strerror(errno));
	printf("PTY %s\nREADY\n", mbsim_pty_path(sim));
	/* without commands (stdin at its end, as in the demo) serve until a signal */
	if (!serve(sim))
		wait_signal();
	if (link_path)
		unlink(link_path);
	mbsim_free(sim);
	return EXIT_SUCCESS;
}
