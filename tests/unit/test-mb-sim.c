/* SPDX-License-Identifier: MIT */
/*
 * test-mb-sim.c - the simulator library (profiles, hooks, faults, write log) and the mbsim
 * program driven over its stdin, as integration tests will use it, over TCP and over a pty.
 */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "mb-link.h"
#include "tests/sim/mbsim.h"
#include "check-run.h"

#define DEADLINE_MS 5000

static GMainLoop *loop;
static struct mbsim *sim;
static struct mb_link *lnk;
static char *profile;
static bool timed_out;

/* SUN2000 model name 30000 (STR 15) and meter status 65534 = 0xB001 (devices doc A.5/A.7). */
static const char profile_text[] =
	"# unit space addr values...\n"
	"1 holding 30000 \"SUN2000-10KTL-M1\"   # model, NUL padded below\n"
	"1 h 30008 0 0 0 0 0 0 0\n"
	"1 holding 32080 0x0000 0x1388        # 5000 W\n"
	"0 holding 65534 0xB001\n"
	"\n"
	"10 input 0x3580 5120 -1234            # negative numbers are two's complement\n";

struct result {
	bool done;
	int status;
	uint16_t words[125];
};

static void setup(void)
{
	GError *err = NULL;
	int fd = g_file_open_tmp("mbsim-XXXXXX.regs", &profile, &err);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, profile_text, strlen(profile_text)), (int)strlen(profile_text));
	close(fd);
	loop = g_main_loop_new(NULL, FALSE);
}

static void teardown(void)
{
	lnk = mb_link_free(lnk);
	sim = mbsim_free(sim);
	unlink(profile);
	g_free(profile);
	g_main_loop_unref(loop);
}

static gboolean on_deadline(gpointer data)
{
	timed_out = true;
	return G_SOURCE_REMOVE;
}

static void on_done(struct mb_txn *txn, void *userdata)
{
	struct result *res = userdata;
	const struct mb_op *op = mb_txn_op(txn, 0);

	res->status = op->status;
	memcpy(res->words, op->words, op->count * sizeof(uint16_t));
	res->done = true;
}

/* One op on the link, waited for in the main loop. */
static int op(int unit, bool write, enum mb_space space, uint16_t addr, uint16_t n, uint16_t *words)
{
	struct result res = { 0 };
	struct mb_txn *txn;
	guint id;

	ck_assert_int_eq(mb_txn_new(on_done, &res, &txn), 0);
	if (write)
		ck_assert_int_ge(mb_txn_add_write(txn, unit, addr, words, n, false, 0), 0);
	else
		ck_assert_int_ge(mb_txn_add_read(txn, unit, space, addr, n, 0), 0);
	ck_assert_int_eq(mb_link_submit(lnk, txn), 0);
	timed_out = false;
	id = g_timeout_add(DEADLINE_MS, on_deadline, NULL);
	while (!res.done && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	ck_assert(!timed_out);
	g_source_remove(id);
	if (!write && res.status == 0)
		memcpy(words, res.words, n * sizeof(uint16_t));
	return res.status;
}

static void link_to(const char *device, unsigned int port)
{
	struct mb_link_config c = { .kind = device ? MB_LINK_RTU : MB_LINK_TCP,
				    .device = device,
				    .host = "127.0.0.1",
				    .port = port,
				    .unit = 1,
				    .response_timeout_ms = 300 };

	ck_assert_int_eq(mb_link_new(&c, NULL, &lnk), 0);
}

START_TEST(test_profile)
{
	uint16_t v[16];
	unsigned int line = 0;
	FILE *f;

	ck_assert_int_eq(mbsim_new(MBSIM_TCP, NULL, 0, &sim), 0);
	ck_assert_int_eq(mbsim_load_profile(sim, profile, &line), 0);
	ck_assert_int_eq(mbsim_get(sim, 1, MBSIM_HOLDING, 30000, v, 9), 0);
	ck_assert_uint_eq(v[0], 0x5355); /* "SU" */
	ck_assert_uint_eq(v[7], 0x4D31); /* "M1" */
	ck_assert_uint_eq(v[8], 0);
	ck_assert_int_eq(mbsim_get(sim, 10, MBSIM_INPUT, 0x3580, v, 2), 0);
	ck_assert_uint_eq(v[0], 5120);
	ck_assert_uint_eq(v[1], 0xFB2E);
	ck_assert_int_eq(mbsim_get(sim, 5, MBSIM_INPUT, 0, v, 1), -ENOENT);

	f = fopen(profile, "a");
	fputs("1 holding 100 1 2\n1 coils 5 1\n", f);
	fclose(f);
	ck_assert_int_eq(mbsim_load_profile(sim, profile, &line), -EINVAL);
	ck_assert_uint_eq(line, 9);
	ck_assert_int_eq(mbsim_load_profile(sim, "/nonexistent.regs", NULL), -ENOENT);
}
END_TEST

static unsigned int n_reads;

/* A plant model: every read of 32080 sees 100 W more. */
static void plant_read(struct mbsim *s, int unit, enum mbsim_space space, uint16_t addr,
		       uint16_t count, void *userdata)
{
	uint16_t p[2];

	n_reads++;
	ck_assert_int_eq(mbsim_get(s, unit, MBSIM_HOLDING, 32080, p, 2), 0);
	p[1] += 100;
	ck_assert_int_eq(mbsim_set(s, unit, MBSIM_HOLDING, 32080, p, 2), 0);
}

START_TEST(test_hooks_and_faults)
{
	static const struct mbsim_hooks hooks = { .read = plant_read };
	uint16_t v[2];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(mbsim_new(MBSIM_TCP, NULL, 0, &sim), 0);
	ck_assert_int_eq(mbsim_load_profile(sim, profile, NULL), 0);
	ck_assert_int_eq(mbsim_set_hooks(sim, 1, &hooks, NULL), 0);
	ck_assert_int_eq(mbsim_start(sim), 0);
	link_to(NULL, mbsim_port(sim));
	ck_assert_int_eq(op(1, false, MB_HOLDING, 32080, 2, v), 0);
	ck_assert_uint_eq(v[1], 0x1388 + 100);
	ck_assert_int_eq(op(1, false, MB_HOLDING, 32080, 2, v), 0);
	ck_assert_uint_eq(v[1], 0x1388 + 200);
	ck_assert_uint_eq(n_reads, 2);

	mbsim_fault_unit_silent(sim, 0, true);
	ck_assert_int_eq(op(0, false, MB_HOLDING, 65534, 1, v), -ETIMEDOUT);
	ck_assert_int_eq(op(1, false, MB_HOLDING, 65534, 1, v), MB_ERR_EXC(2)); /* not unit 1's */
	mbsim_fault_clear(sim);
	ck_assert_int_eq(op(0, false, MB_HOLDING, 65534, 1, v), 0);
	ck_assert_uint_eq(v[0], 0xB001);

	v[0] = 0x1234;
	ck_assert_int_eq(op(1, true, MB_HOLDING, 32080, 1, v), 0);
	ck_assert_int_eq(op(1, true, MB_HOLDING, 40000, 1, v), MB_ERR_EXC(2));
	f = open_memstream(&text, &len);
	mbsim_writes_print(sim, f);
	fclose(f);
	ck_assert_str_eq(text, "1 0x7d50 4660\n1 0x9c40 4660 exc 2\n");
	free(text);
	mbsim_writes_clear(sim);
	ck_assert_uint_eq(mbsim_n_writes(sim), 0);
	ck_assert_uint_eq(mbsim_n_requests(sim), 7);
}
END_TEST

/* The mbsim program, as the integration harness runs it. */
struct child {
	GPid pid;
	FILE *in;
	FILE *out;
};

static void spawn(struct child *c, const char *mode)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char *path = g_strdup_printf("%s/tests/sim/mbsim", build);
	char *tcp[] = { path, "--tcp", "127.0.0.1:0", "--profile", profile, NULL };
	char *pty[] = { path, "--pty", "--profile", profile, NULL };
	char **argv = strcmp(mode, "--tcp") ? pty : tcp;
	int in_fd, out_fd;
	GError *err = NULL;
	ck_assert_msg(g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
					       NULL, &c->pid, &in_fd, &out_fd, NULL, &err),
		      "%s: %s", path, err ? err->message : "?");
	g_free(path);
	c->in = fdopen(in_fd, "w");
	c->out = fdopen(out_fd, "r");
}

static char *reply(struct child *c, const char *cmd)
{
	static char line[256];

	if (cmd) {
		fputs(cmd, c->in);
		fflush(c->in);
	}
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), c->out));
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void finish(struct child *c)
{
	int status;

	fputs("quit\n", c->in);
	fclose(c->in);
	ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	fclose(c->out);
	g_spawn_close_pid(c->pid);
}

static void drive(struct child *c)
{
	uint16_t v[2] = { 5440 };

	ck_assert_int_eq(op(1, false, MB_HOLDING, 32080, 2, v), 0);
	ck_assert_uint_eq(v[1], 0x1388);
	ck_assert_str_eq(reply(c, "fault exception 1 32080 2 2\n"), "OK");
	ck_assert_int_eq(op(1, false, MB_HOLDING, 32080, 2, v), MB_ERR_EXC(2));
	ck_assert_str_eq(reply(c, "fault clear\n"), "OK");
	ck_assert_str_eq(reply(c, "set 1 32080 0 42\n"), "OK");
	ck_assert_int_eq(op(1, false, MB_HOLDING, 32080, 2, v), 0);
	ck_assert_uint_eq(v[1], 42);
	v[0] = 5440;
	ck_assert_int_eq(op(1, true, MB_HOLDING, 30010, 1, v), 0);
	ck_assert_str_eq(reply(c, "get 1 holding 30010 1\n"), "VALUES 5440");
	ck_assert_str_eq(reply(c, "writes\n"), "1 0x753a 5440");
	ck_assert_str_eq(reply(c, NULL), "OK");
	ck_assert_str_eq(reply(c, "fault bogus\n"), "ERR Invalid argument");
	ck_assert_str_eq(reply(c, "fault silence on\n"), "OK");
	ck_assert_int_eq(op(1, false, MB_HOLDING, 32080, 2, v), -ETIMEDOUT);
}

START_TEST(test_cli_tcp)
{
	struct child c;
	unsigned int port;

	spawn(&c, "--tcp");
	ck_assert_int_eq(sscanf(reply(&c, NULL), "PORT %u", &port), 1);
	ck_assert_str_eq(reply(&c, NULL), "READY");
	link_to(NULL, port);
	drive(&c);
	finish(&c);
}
END_TEST

/* The driver side opens a tty path and talks RTU to a simulator in another process. */
START_TEST(test_cli_pty)
{
	struct child c;
	char tty[64];

	spawn(&c, "--pty");
	ck_assert_int_eq(sscanf(reply(&c, NULL), "PTY %63s", tty), 1);
	ck_assert_str_eq(reply(&c, NULL), "READY");
	link_to(tty, 0);
	drive(&c);
	finish(&c);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("mb-sim");
	TCase *tc = tcase_create("sim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_profile);
	tcase_add_test(tc, test_hooks_and_faults);
	tcase_add_test(tc, test_cli_tcp);
	tcase_add_test(tc, test_cli_pty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(sim_suite());
}
