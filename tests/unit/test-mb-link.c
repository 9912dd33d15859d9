/* SPDX-License-Identifier: MIT */
/*
 * test-mb-link.c - the link's worker against an in-process mbsim, over TCP loopback and over a
 * pseudo-terminal: reads, writes, unit ids, exceptions, timeouts, drops and reconnects with
 * backoff. Tests wait for completion and link events in a GMainLoop with a deadline; no sleep.
 */

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "mb-link.h"
#include "tests/sim/mbsim.h"
#include "check-run.h"

#define DEADLINE_MS 5000
#define MAX_OPS	    8

struct result {
	bool done;
	size_t n_ops;
	struct mb_op ops[MAX_OPS];
	uint16_t words[MAX_OPS][125];
	int64_t at; /* monotonic us of completion */
};

static GMainLoop *loop;
static struct mbsim *sim;
static struct mb_link *lnk;
static bool timed_out;

/* Holding 100..103 and input 0x3580..0x3582 of unit 1, as a UP5000 would answer. */
static void sim_image(void)
{
	static const uint16_t hold[] = { 1, 2, 3, 4 };
	static const uint16_t in[] = { 0x1400, 0xFB2E, 0xFFFF };
	static const uint16_t logger[] = { 0xB001 };

	ck_assert_int_eq(mbsim_set(sim, 1, MBSIM_HOLDING, 100, hold, 4), 0);
	ck_assert_int_eq(mbsim_set(sim, 1, MBSIM_INPUT, 0x3580, in, 3), 0);
	ck_assert_int_eq(mbsim_set(sim, 0, MBSIM_HOLDING, 65534, logger, 1), 0);
}

static void start_sim(enum mbsim_transport t)
{
	ck_assert_int_eq(mbsim_new(t, NULL, 0, &sim), 0);
	sim_image();
	ck_assert_int_eq(mbsim_start(sim), 0);
}

static void setup(void)
{
	loop = g_main_loop_new(NULL, FALSE);
	timed_out = false;
}

static void teardown(void)
{
	lnk = mb_link_free(lnk);
	sim = mbsim_free(sim);
	g_main_loop_unref(loop);
}

static gboolean on_deadline(gpointer data)
{
	timed_out = true;
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

/* Run the loop until *flag is set (by a callback) or the deadline passes. */
static void run_until(const bool *flag)
{
	guint id = g_timeout_add(DEADLINE_MS, on_deadline, NULL);

	while (!*flag && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (!timed_out)
		g_source_remove(id);
	ck_assert_msg(!timed_out, "deadline passed");
}

static void on_done(struct mb_txn *txn, void *userdata)
{
	struct result *res = userdata;

	res->n_ops = mb_txn_n_ops(txn);
	for (size_t i = 0; i < res->n_ops && i < MAX_OPS; i++) {
		const struct mb_op *op = mb_txn_op(txn, i);

		res->ops[i] = *op;
		res->ops[i].words = NULL;
		memcpy(res->words[i], op->words, op->count * sizeof(uint16_t));
	}
	res->at = g_get_monotonic_time();
	res->done = true;
}

static struct mb_txn *txn_new(struct result *res)
{
	struct mb_txn *txn;

	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(mb_txn_new(on_done, res, &txn), 0);
	return txn;
}

static void submit_wait(struct mb_txn *txn, struct result *res)
{
	ck_assert_int_eq(mb_link_submit(lnk, txn), 0);
	run_until(&res->done);
}

/* One read, waited for; returns its status. */
static int read1(int unit, enum mb_space space, uint16_t addr, uint16_t n, struct result *res)
{
	struct mb_txn *txn = txn_new(res);

	ck_assert_int_ge(mb_txn_add_read(txn, unit, space, addr, n, 0), 0);
	submit_wait(txn, res);
	return res->ops[0].status;
}

static void link_tcp(unsigned int timeout_ms, unsigned int backoff_min, unsigned int port)
{
	struct mb_link_config c = {
		.kind = MB_LINK_TCP,
		.host = "127.0.0.1",
		.port = port ? port : mbsim_port(sim),
		.unit = 1,
		.response_timeout_ms = timeout_ms,
		.backoff_min_ms = backoff_min,
		.backoff_max_ms = 4 * backoff_min,
	};

	ck_assert_int_eq(mb_link_new(&c, NULL, &lnk), 0);
}

static void link_rtu(const char *device, unsigned int timeout_ms)
{
	struct mb_link_config c = {
		.kind = MB_LINK_RTU,
		.device = device,
		.baud = 115200,
		.unit = 1,
		.response_timeout_ms = timeout_ms,
		.rs485 = true,
	};

	ck_assert_int_eq(mb_link_new(&c, NULL, &lnk), 0);
}

/* Reads of both spaces in one transaction; per-op unit ids. */
static void check_reads(enum mb_framing f)
{
	struct result res;
	struct mb_txn *txn = txn_new(&res);

	ck_assert_int_eq(mb_txn_add_read(txn, -1, MB_HOLDING, 100, 4, 0), 0);
	ck_assert_int_eq(mb_txn_add_read(txn, 1, MB_INPUT, 0x3580, 3, 0), 1);
	submit_wait(txn, &res);
	ck_assert_uint_eq(res.n_ops, 2);
	ck_assert_int_eq(res.ops[0].status, 0);
	ck_assert_uint_eq(res.words[0][0], 1);
	ck_assert_uint_eq(res.words[0][3], 4);
	ck_assert_int_eq(res.ops[1].status, 0);
	ck_assert_uint_eq(res.words[1][0], 0x1400);
	ck_assert_uint_eq(res.words[1][1], 0xFB2E);
	ck_assert_uint_eq(res.ops[0].bytes, mb_read_wire_bytes(f, 4));
	ck_assert_uint_gt(res.ops[0].duration_us, 0);
}

START_TEST(test_tcp_read)
{
	struct mb_link_stats st;
	struct result res;

	start_sim(MBSIM_TCP);
	link_tcp(1000, 50, 0);
	check_reads(MB_FRAMING_TCP);
	/* SmartLogger: unit 0 is the logger itself, not a broadcast, over TCP */
	ck_assert_int_eq(read1(0, MB_HOLDING, 65534, 1, &res), 0);
	ck_assert_uint_eq(res.words[0][0], 0xB001);
	mb_link_get_stats(lnk, &st);
	ck_assert_int_eq(st.state, MB_LINK_UP);
	ck_assert_uint_eq(st.requests, 3);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.connects, 1);
	ck_assert_uint_eq(st.bytes, 3 * (12 + 9) + 2 * (4 + 3 + 1));
}
END_TEST

static void check_writes(void)
{
	static const uint16_t ecv[] = { 0x1540 };
	static const uint16_t pair[] = { 0x1536, 0x1540 };
	struct mbsim_write w;
	uint16_t img[2];
	struct result res;
	struct mb_txn *txn = txn_new(&res);

	ck_assert_int_eq(mb_txn_add_write(txn, -1, 101, ecv, 1, true, 0), 0);
	ck_assert_int_eq(mb_txn_add_write(txn, -1, 102, pair, 2, false, 0), 1);
	ck_assert_int_eq(mb_txn_add_write(txn, -1, 100, ecv, 1, false, 0), 2);
	submit_wait(txn, &res);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(res.ops[i].status, 0);
	ck_assert_int_eq(res.ops[0].kind, MB_OP_WRITE_SINGLE);
	ck_assert_int_eq(res.ops[2].kind, MB_OP_WRITE_MULTIPLE);

	ck_assert_uint_eq(mbsim_n_writes(sim), 3);
	ck_assert_int_eq(mbsim_write_get(sim, 0, &w), 0);
	ck_assert_uint_eq(w.function, 0x06);
	ck_assert_uint_eq(w.addr, 101);
	ck_assert_int_eq(mbsim_write_get(sim, 1, &w), 0);
	ck_assert_uint_eq(w.function, 0x10);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(w.values[1], 0x1540);
	ck_assert_int_eq(mbsim_write_get(sim, 2, &w), 0);
	ck_assert_uint_eq(w.function, 0x10); /* UP5000 wants FC10 even for one register */
	ck_assert_int_eq(mbsim_get(sim, 1, MBSIM_HOLDING, 102, img, 2), 0);
	ck_assert_uint_eq(img[0], 0x1536);
	ck_assert_uint_eq(img[1], 0x1540);
}

START_TEST(test_tcp_write)
{
	start_sim(MBSIM_TCP);
	link_tcp(1000, 50, 0);
	check_writes();
}
END_TEST

/* Exceptions keep their code; 0x80 (Huawei "no permission") arrives as MB_EXC_OTHER. */
static void check_exceptions(void)
{
	struct result res;

	ck_assert_int_eq(mbsim_fault_exception(sim, 1, 102, 1, 0x02), 0);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 4, &res), MB_ERR_EXC(2));
	ck_assert_int_eq(mb_err_exception(res.ops[0].status), MB_EXC_ILLEGAL_ADDR);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 2, &res), 0); /* its neighbours read fine */
	ck_assert_int_eq(read1(1, MB_HOLDING, 103, 1, &res), 0);
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 0, 0, 1), 0);
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 100, 4, 0x06), 0);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 4, &res), MB_ERR_EXC(MB_EXC_BUSY));
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 0, 0, 1), 0);
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 100, 4, 0x80), 0);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 4, &res), MB_ERR_EXC(MB_EXC_OTHER));
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 0, 0, 1), 0);
	/* outside the image libmodbus' own server code answers 0x02 */
	ck_assert_int_eq(read1(1, MB_HOLDING, 200, 1, &res), MB_ERR_EXC(2));
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 4, &res), 0);
	ck_assert_str_eq(mb_strerror(MB_ERR_EXC(2)), "exception 0x02 (illegal data address)");
	ck_assert_str_eq(mb_strerror(-ETIMEDOUT), strerror(ETIMEDOUT));
}

START_TEST(test_tcp_exceptions)
{
	struct mb_link_stats st;

	start_sim(MBSIM_TCP);
	link_tcp(1000, 50, 0);
	check_exceptions();
	mb_link_get_stats(lnk, &st);
	ck_assert_uint_eq(st.exceptions, 4);
	ck_assert_uint_eq(st.reconnects, 0); /* the device answered: the link is fine */
}
END_TEST

START_TEST(test_stop_on_error)
{
	struct result res;
	struct mb_txn *txn;

	start_sim(MBSIM_TCP);
	link_tcp(1000, 50, 0);
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 100, 1, 0x03), 0);
	txn = txn_new(&res);
	mb_txn_add_read(txn, -1, MB_HOLDING, 101, 1, 0);
	mb_txn_add_read(txn, -1, MB_HOLDING, 100, 1, MB_OP_STOP_ON_ERROR);
	mb_txn_add_read(txn, -1, MB_HOLDING, 102, 1, 0);
	submit_wait(txn, &res);
	ck_assert_int_eq(res.ops[0].status, 0);
	ck_assert_int_eq(res.ops[1].status, MB_ERR_EXC(3));
	ck_assert_int_eq(res.ops[2].status, -ECANCELED);
	ck_assert_uint_eq(res.ops[2].bytes, 0);

	txn = txn_new(&res);
	mb_txn_add_read(txn, -1, MB_HOLDING, 100, 1, 0);
	mb_txn_add_read(txn, -1, MB_HOLDING, 102, 1, 0);
	submit_wait(txn, &res);
	ck_assert_int_eq(res.ops[0].status, MB_ERR_EXC(3));
	ck_assert_int_eq(res.ops[1].status, 0);
}
END_TEST

struct events {
	bool flag;
	enum mb_link_state want;
	uint64_t want_failures;
	struct mb_link_stats last;
	unsigned int n;
};

static void on_event(struct mb_link *l, const struct mb_link_stats *st, void *userdata)
{
	struct events *ev = userdata;

	ev->last = *st;
	ev->n++;
	if (st->state == ev->want && st->connect_failures >= ev->want_failures)
		ev->flag = true;
}

static void wait_state(struct events *ev, enum mb_link_state state)
{
	struct mb_link_stats st;

	mb_link_get_stats(lnk, &st);
	ev->flag = false;
	ev->want = state;
	on_event(lnk, &st, ev); /* it may be there already */
	if (ev->flag)
		return;
	mb_link_set_event_fn(lnk, on_event, ev);
	run_until(&ev->flag);
}

/* Silence: TCP times out, and after tcp_fail_limit (3) timeouts in a row reconnects. */
START_TEST(test_tcp_silence_reconnect)
{
	struct mb_link_stats st;
	struct events ev = { 0 };
	struct result res;

	start_sim(MBSIM_TCP);
	link_tcp(150, 20, 0);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), 0);
	mbsim_fault_silence(sim, true);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), -ETIMEDOUT);
	ck_assert_uint_eq(res.ops[0].bytes, 12);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), -ETIMEDOUT);
	mb_link_get_stats(lnk, &st);
	ck_assert_int_eq(st.state, MB_LINK_UP); /* a first timeout never tears the link down */
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), -ETIMEDOUT);
	mb_link_get_stats(lnk, &st);
	ck_assert_uint_eq(st.timeouts, 3);
	ck_assert_uint_eq(st.reconnects, 1);
	mbsim_fault_silence(sim, false);
	wait_state(&ev, MB_LINK_UP);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), 0);
	ck_assert_uint_eq(mbsim_n_connections(sim), 2);
}
END_TEST

/* The simulator closes the connection: reset, link down, reconnect after the backoff. */
START_TEST(test_tcp_drop_reconnect)
{
	struct mb_link_stats st;
	struct events ev = { 0 };
	struct result res;
	int r;

	start_sim(MBSIM_TCP);
	link_tcp(1000, 300, 0);
	mbsim_fault_drop_after(sim, 1);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), 0);
	r = read1(1, MB_HOLDING, 100, 1, &res);
	ck_assert_msg(r == -ECONNRESET || r == -EPIPE, "status %d", r);
	mb_link_get_stats(lnk, &st);
	ck_assert_int_eq(st.state, MB_LINK_DOWN);
	ck_assert_uint_eq(st.reconnects, 1);
	/* while down, work fails at once instead of queueing up */
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), -ENOTCONN);
	ck_assert_uint_eq(res.ops[0].bytes, 0);
	wait_state(&ev, MB_LINK_UP);
	ck_assert_uint_eq(ev.last.connects, 2);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), 0);
	ck_assert_uint_eq(mbsim_n_connections(sim), 2);
}
END_TEST

/* Nobody listens: connect attempts back off exponentially up to the cap. */
START_TEST(test_tcp_backoff)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(sa);
	struct events ev = { .want_failures = 4 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int64_t t0;

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd); /* a port nobody listens on */
	t0 = g_get_monotonic_time();
	link_tcp(200, 20, ntohs(sa.sin_port));
	wait_state(&ev, MB_LINK_DOWN);
	/* waits between the 4 attempts: 20 + 40 + 80 ms */
	ck_assert_int_ge(g_get_monotonic_time() - t0, 140 * 1000);
	ck_assert_uint_ge(ev.last.connect_failures, 4);
	ck_assert_uint_eq(ev.last.backoff_ms, 80); /* capped at 4 x min */
	ck_assert_uint_eq(ev.last.connects, 0);
	ck_assert_int_eq(ev.last.last_error, -ECONNREFUSED);
}
END_TEST

/* SmartLogger: 1 s after connect before the first request, 50 ms between requests. */
START_TEST(test_tcp_timing)
{
	struct mb_link_config c = {
		.kind = MB_LINK_TCP,
		.host = "127.0.0.1",
		.unit = 1,
		.connect_delay_ms = 300,
		.spacing_ms = 50,
	};
	struct result res;
	struct mb_txn *txn;
	int64_t t0 = g_get_monotonic_time();

	start_sim(MBSIM_TCP);
	c.port = mbsim_port(sim);
	ck_assert_int_eq(mb_link_new(&c, NULL, &lnk), 0);
	txn = txn_new(&res);
	for (int i = 0; i < 4; i++)
		mb_txn_add_read(txn, -1, MB_HOLDING, 100, 1, 0);
	submit_wait(txn, &res);
	ck_assert_int_ge(res.at - t0, (300 + 3 * 50) * 1000);
	ck_assert_int_eq(res.ops[3].status, 0);
}
END_TEST

/* Freeing the link does not wait for a 10 s response timeout. */
START_TEST(test_free_while_blocked)
{
	struct result res;
	struct mb_txn *txn;
	int64_t t0;

	start_sim(MBSIM_TCP);
	link_tcp(10000, 50, 0);
	mbsim_fault_silence(sim, true);
	txn = txn_new(&res);
	mb_txn_add_read(txn, -1, MB_HOLDING, 100, 1, 0);
	ck_assert_int_eq(mb_link_submit(lnk, txn), 0);
	ck_assert_int_eq(mbsim_wait_requests(sim, 1, DEADLINE_MS), 0);
	t0 = g_get_monotonic_time();
	lnk = mb_link_free(lnk);
	ck_assert_int_lt(g_get_monotonic_time() - t0, 1000 * 1000);
	ck_assert(!res.done); /* never called back after free */
}
END_TEST

START_TEST(test_bad_config)
{
	struct mb_link_config rtu = { .kind = MB_LINK_RTU, .device = "ttyUSB0", .parity = 'X' };
	struct mb_link_config tcp = { .kind = MB_LINK_TCP };

	ck_assert_int_eq(mb_link_new(&rtu, NULL, &lnk), -EINVAL);
	rtu.parity = 'N';
	rtu.unit = 300;
	ck_assert_int_eq(mb_link_new(&rtu, NULL, &lnk), -EINVAL);
	ck_assert_int_eq(mb_link_new(&tcp, NULL, &lnk), -EINVAL);
	ck_assert_ptr_null(lnk);
}
END_TEST

/* RTU on a pty, opened as "pts/N" (a name without /dev/ as serial-starter passes "ttyUSB0"). */
static void start_rtu(unsigned int timeout_ms)
{
	struct events ev = { 0 };

	start_sim(MBSIM_PTY);
	ck_assert_ptr_nonnull(mbsim_pty_path(sim));
	ck_assert(g_str_has_prefix(mbsim_pty_path(sim), "/dev/"));
	link_rtu(mbsim_pty_path(sim) + 5, timeout_ms);
	wait_state(&ev, MB_LINK_UP); /* RS485 ioctl refused by the pty, ignored */
}

START_TEST(test_rtu_read_write)
{
	start_rtu(500);
	check_reads(MB_FRAMING_RTU);
	check_writes();
}
END_TEST

START_TEST(test_rtu_exceptions)
{
	start_rtu(500);
	check_exceptions();
}
END_TEST

/* On a serial line a timeout (device silent, unknown unit) never closes the port. */
START_TEST(test_rtu_timeouts_keep_port)
{
	struct mb_link_stats st;
	struct result res;

	start_rtu(150);
	mbsim_fault_silence(sim, true);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), -ETIMEDOUT);
	mbsim_fault_silence(sim, false);
	ck_assert_int_eq(read1(7, MB_HOLDING, 100, 1, &res), -ETIMEDOUT);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), 0);
	mb_link_get_stats(lnk, &st);
	ck_assert_int_eq(st.state, MB_LINK_UP);
	ck_assert_uint_eq(st.reconnects, 0);
	ck_assert_uint_eq(st.timeouts, 5);
}
END_TEST

/* Garbage and a reboot: errors, then the image is back to what it was at start. */
START_TEST(test_rtu_garbage_reboot)
{
	static const uint16_t changed[] = { 999 };
	struct result res;
	int r;

	start_rtu(150);
	mbsim_fault_garbage(sim, true);
	r = read1(1, MB_HOLDING, 100, 1, &res);
	ck_assert_msg(r == -EBADMSG || r == -EPROTO || r == -ETIMEDOUT || r == -EMSGSIZE ||
			      mb_err_exception(r),
		      "status %d", r);
	mbsim_fault_garbage(sim, false);
	ck_assert_int_eq(mbsim_set(sim, 1, MBSIM_HOLDING, 100, changed, 1), 0);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), 0);
	ck_assert_uint_eq(res.words[0][0], 999);
	mbsim_reboot(sim, 200);
	ck_assert_int_eq(read1(1, MB_HOLDING, 100, 1, &res), -ETIMEDOUT);
	while (read1(1, MB_HOLDING, 100, 1, &res) != 0)
		;
	ck_assert_uint_eq(res.words[0][0], 1);
}
END_TEST

static Suite *link_suite(void)
{
	Suite *s = suite_create("mb-link");
	TCase *tc = tcase_create("tcp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tcp_read);
	tcase_add_test(tc, test_tcp_write);
	tcase_add_test(tc, test_tcp_exceptions);
	tcase_add_test(tc, test_stop_on_error);
	tcase_add_test(tc, test_tcp_silence_reconnect);
	tcase_add_test(tc, test_tcp_drop_reconnect);
	tcase_add_test(tc, test_tcp_backoff);
	tcase_add_test(tc, test_tcp_timing);
	tcase_add_test(tc, test_free_while_blocked);
	tcase_add_test(tc, test_bad_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtu");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rtu_read_write);
	tcase_add_test(tc, test_rtu_exceptions);
	tcase_add_test(tc, test_rtu_timeouts_keep_port);
	tcase_add_test(tc, test_rtu_garbage_reboot);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(link_suite());
}
