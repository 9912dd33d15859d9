/* SPDX-License-Identifier: MIT */
/*
 * test-mb-engine.c - the engine over a real link to an in-process mbsim: one poll cycle of
 * planned blocks, decoding, publishing to a recording sink, refresh groups on a fake clock,
 * unsupported registers (exception 0x02) split and planned around, other exceptions, silence,
 * energy counters, writes. The simulator image holds words written by hand from the UP5000
 * register description (devices doc C.3/C.5), never produced by our encoder.
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mb-engine.h"
#include "tests/sim/mbsim.h"
#include "check-run.h"

#define DEADLINE_MS 5000
#define UNIT	    10
#define IN	    .space = MB_INPUT

enum { FAST, SLOW, ONCE };

static const struct mb_reg up5000[] = {
	MB_REG(0x3500, MB_U16, "/Ac/ActiveIn/L1/V", 100, IN),
	MB_REG(0x3501, MB_U16, "/Ac/ActiveIn/L1/I", 100, IN),
	MB_REG(0x3502, MB_U32, "/Ac/ActiveIn/L1/P", 100, IN),
	MB_REG(0x3511, MB_BITS16, NULL, 0, IN),
	MB_REG(0x3521, MB_U16, "/Ac/Out/L1/V", 100, IN),
	MB_REG(0x3522, MB_U16, "/Ac/Out/L1/I", 100, IN),
	MB_REG(0x3523, MB_BITS16, NULL, 0, IN),
	MB_REG(0x3549, MB_U16, "/Pv/0/V", 100, IN),
	MB_REG(0x354A, MB_U16, NULL, 100, IN),
	MB_REG(0x354B, MB_U32, "/Pv/0/P", 100, IN),
	MB_REG(0x3557, MB_U32, "/Yield/User", 100, IN, .group = SLOW, .flags = MB_F_ENERGY),
	MB_REG(0x3559, MB_BITS16, "/PvState", 0, IN),
	MB_REG(0x3580, MB_U16, "/Dc/0/Voltage", 100, IN),
	MB_REG(0x3581, MB_S32, "/Dc/0/Current", 100, IN),
	MB_REG(0x3586, MB_U16, "/Soc", 1, IN),
	MB_REG(0x3589, MB_BITS16, NULL, 0, IN),
	MB_REG(0x9618, MB_U16, "/Settings/Ecv", 100, .group = ONCE, .flags = MB_F_WRITABLE),
};

/* A recording publish target. */
struct rec {
	enum mb_val_kind kind;
	double value;
	char str[80];
	unsigned int n_sets;
};

static GHashTable *published;
static unsigned int n_flushes;

static struct rec *rec_of(const struct mb_reg *r)
{
	struct rec *x = g_hash_table_lookup(published, r->path);

	if (!x) {
		x = g_new0(struct rec, 1);
		g_hash_table_insert(published, g_strdup(r->path), x);
	}
	x->n_sets++;
	return x;
}

static int rec_number(void *target, const struct mb_reg *r, double v)
{
	struct rec *x = rec_of(r);

	x->kind = MB_VAL_NUMBER;
	x->value = v;
	return 0;
}

static int rec_string(void *target, const struct mb_reg *r, const char *s)
{
	struct rec *x = rec_of(r);

	x->kind = MB_VAL_STRING;
	g_strlcpy(x->str, s, sizeof(x->str));
	return 0;
}

static int rec_invalid(void *target, const struct mb_reg *r)
{
	rec_of(r)->kind = MB_VAL_INVALID;
	return 0;
}

static int rec_flush(void *target)
{
	n_flushes++;
	return 0;
}

static const struct mb_publish_ops rec_ops = {
	.set_number = rec_number,
	.set_string = rec_string,
	.invalidate = rec_invalid,
	.flush = rec_flush,
};

static GMainLoop *loop;
static struct mbsim *sim;
static struct mb_engine *eng;
static int64_t fake_now;
static bool cycled, written, timed_out;
static struct mb_cycle_result last;
static struct mb_block_status last_blocks[32];
static int write_status;

static int64_t fake_clock(void)
{
	return fake_now;
}

/* UP5000 image, words by hand: 230.00 V = 23000, 1000.00 W = 0x000186A0 (L first), ... */
static void sim_image(void)
{
	static const struct {
		uint16_t addr;
		uint16_t v[4];
		size_t n;
	} in[] = {
		{ 0x3500, { 23000, 250, 0x86A0, 0x0001 }, 4 }, /* 230.00 V, 2.50 A, 1000.00 W */
		{ 0x3511, { 0x0001 }, 1 },
		{ 0x3521, { 23000, 130, 0x0001 }, 3 },
		{ 0x3549, { 25000, 400, 0x86A0, 0x0001 }, 4 }, /* 250.00 V, 4.00 A, 1000.00 W */
		{ 0x3557, { 0x0000, 0x0001, 0x0009 }, 3 },     /* 655.36 kWh; running, boost */
		{ 0x3580, { 0x1400, 0xFB2E, 0xFFFF }, 3 },     /* 51.20 V, -12.34 A */
		{ 0x3586, { 87 }, 1 },
		{ 0x3589, { 0 }, 1 },
	};
	static const uint16_t ecv[] = { 5440 }; /* 54.40 V */

	for (size_t i = 0; i < G_N_ELEMENTS(in); i++)
		ck_assert_int_eq(mbsim_set(sim, UNIT, MBSIM_INPUT, in[i].addr, in[i].v, in[i].n),
				 0);
	ck_assert_int_eq(mbsim_set(sim, UNIT, MBSIM_HOLDING, 0x9600, ecv, 1), 0);
	ck_assert_int_eq(mbsim_set(sim, UNIT, MBSIM_HOLDING, 0x9618, ecv, 1), 0);
}

static void on_cycle(struct mb_engine *e, const struct mb_cycle_result *res, void *userdata)
{
	last = *res;
	ck_assert_uint_le(res->n_blocks, G_N_ELEMENTS(last_blocks));
	memcpy(last_blocks, res->blocks, res->n_blocks * sizeof(*res->blocks));
	last.blocks = last_blocks;
	cycled = true;
}

static void setup_with(enum mbsim_transport t)
{
	struct mb_link_config lc = { .unit = UNIT,
				     .response_timeout_ms = 150,
				     .backoff_min_ms = 20 };
	struct mb_engine_config ec = {
		.word_order = MB_WORDS_LOW_FIRST,
		.max_regs = 10,
		.bridge_gap = 4,
		.interval_ms = { [FAST] = 1000, [SLOW] = 10000, [ONCE] = 0 },
		.on_cycle = on_cycle,
		.clock_ms = fake_clock,
	};
	struct mb_engine_table tab = {
		.unit = UNIT, .regs = up5000, .n_regs = G_N_ELEMENTS(up5000), .pub = &rec_ops
	};
	struct mb_link *link;

	loop = g_main_loop_new(NULL, FALSE);
	published = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	n_flushes = 0;
	fake_now = 1000000;
	ck_assert_int_eq(mbsim_new(t, NULL, 0, &sim), 0);
	sim_image();
	ck_assert_int_eq(mbsim_start(sim), 0);
	if (t == MBSIM_PTY) {
		lc.kind = MB_LINK_RTU;
		lc.device = mbsim_pty_path(sim);
	} else {
		lc.kind = MB_LINK_TCP;
		lc.host = "127.0.0.1";
		lc.port = mbsim_port(sim);
	}
	ck_assert_int_eq(mb_link_new(&lc, NULL, &link), 0);
	ck_assert_int_eq(mb_engine_new(link, &ec, NULL, &eng), 0);
	ck_assert_int_eq(mb_engine_add_table(eng, &tab, NULL), 0);
}

static void setup(void)
{
	setup_with(MBSIM_TCP);
}

static void teardown(void)
{
	eng = mb_engine_free(eng);
	sim = mbsim_free(sim);
	g_hash_table_unref(published);
	g_main_loop_unref(loop);
}

static gboolean on_deadline(gpointer data)
{
	timed_out = true;
	return G_SOURCE_REMOVE;
}

static void run_until(const bool *flag)
{
	guint id;

	timed_out = false;
	id = g_timeout_add(DEADLINE_MS, on_deadline, NULL);
	while (!*flag && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (!timed_out)
		g_source_remove(id);
	ck_assert_msg(!timed_out, "deadline passed");
}

/* One cycle at fake time @now; returns its result. */
static const struct mb_cycle_result *cycle_at(int64_t now)
{
	fake_now = now;
	cycled = false;
	ck_assert_int_eq(mb_engine_poll_now(eng), 0);
	run_until(&cycled);
	return &last;
}

static struct rec *pub(const char *path)
{
	struct rec *x = g_hash_table_lookup(published, path);

	ck_assert_msg(x, "%s never published", path);
	return x;
}

static void assert_pub(const char *path, double value)
{
	struct rec *x = pub(path);

	ck_assert_msg(x->kind == MB_VAL_NUMBER, "%s kind %d", path, x->kind);
	ck_assert_double_eq_tol(x->value, value, 1e-9);
}

static void assert_invalid(const char *path)
{
	ck_assert_int_eq(pub(path)->kind, MB_VAL_INVALID);
}

static void check_first_cycle(const struct mb_cycle_result *r)
{
	double v;

	ck_assert_uint_eq(r->groups, 1 << FAST | 1 << SLOW | 1 << ONCE);
	ck_assert_uint_eq(r->n_blocks, 7); /* the 20 requests of the original driver */
	ck_assert_uint_eq(r->n_requests, 7);
	ck_assert_uint_eq(r->n_errors, 0);
	ck_assert(!r->all_failed);
	assert_pub("/Ac/ActiveIn/L1/V", 230.0);
	assert_pub("/Ac/ActiveIn/L1/P", 1000.0);
	assert_pub("/Pv/0/P", 1000.0);
	assert_pub("/Yield/User", 655.36);
	assert_pub("/PvState", 9);
	assert_pub("/Dc/0/Voltage", 51.2);
	assert_pub("/Dc/0/Current", -12.34);
	assert_pub("/Soc", 87);
	assert_pub("/Settings/Ecv", 54.4);
	ck_assert_uint_eq(n_flushes, 1);
	ck_assert_int_eq(mb_engine_number(eng, 0, 0x354A, &v), 0); /* no path, still decoded */
	ck_assert_double_eq_tol(v, 4.0, 1e-9);
	ck_assert_int_eq(mb_engine_value(eng, 0, 0x3523)->raw, 1);
	ck_assert_ptr_null(mb_engine_value(eng, 0, 0x1234));
}

START_TEST(test_cycle_tcp)
{
	struct mb_engine_stats st;

	check_first_cycle(cycle_at(fake_now));
	mb_engine_get_stats(eng, &st);
	ck_assert_uint_eq(st.cycles, 1);
	ck_assert_uint_eq(st.last_requests, 7);
	ck_assert_uint_eq(st.last_bytes, 7 * 21 + 2 * 26);
}
END_TEST

START_TEST(test_cycle_rtu)
{
	struct mb_engine_stats st;

	check_first_cycle(cycle_at(fake_now));
	mb_engine_get_stats(eng, &st);
	ck_assert_uint_eq(st.last_bytes, 143); /* against 300 for 20 single reads */
}
END_TEST

/* Fast every second, slow every 10 s, "once" once. */
START_TEST(test_groups)
{
	int64_t t0 = fake_now;
	const struct mb_cycle_result *r;

	cycle_at(t0);
	ck_assert_int_eq(mb_engine_poll_now(eng), 1); /* nothing due yet */
	r = cycle_at(t0 + 1000);
	ck_assert_uint_eq(r->groups, 1 << FAST);
	ck_assert_uint_eq(r->n_requests, 6); /* 0x3559 alone now that 0x3557 is not due */
	r = cycle_at(t0 + 2000);
	ck_assert_uint_eq(r->groups, 1 << FAST);
	r = cycle_at(t0 + 10000);
	ck_assert_uint_eq(r->groups, 1 << FAST | 1 << SLOW);
	ck_assert_uint_eq(r->n_requests, 6);
}
END_TEST

/* A gap address unsupported: the block is probed, all registers are fine, gaps banned. */
START_TEST(test_unsupported_gap)
{
	const struct mb_cycle_result *r;

	ck_assert_int_eq(mbsim_fault_exception(sim, UNIT, 0x3583, 1, 0x02), 0);
	r = cycle_at(fake_now);
	ck_assert_uint_eq(r->n_blocks, 7);
	ck_assert_int_eq(r->blocks[5].status, MB_ERR_EXC(2));
	ck_assert(r->blocks[5].changed);
	ck_assert_uint_eq(r->blocks[5].n_unsupported, 0);
	ck_assert_uint_eq(r->n_requests, 7 + 4); /* 0x3580, 0x3581, 0x3586, 0x3589 alone */
	assert_pub("/Dc/0/Voltage", 51.2);
	assert_pub("/Soc", 87);
	ck_assert(!mb_engine_unsupported(eng, 0, 0x3580));
	r = cycle_at(fake_now + 1000);
	ck_assert_uint_eq(r->n_errors, 0);
	for (size_t i = 0; i < r->n_blocks; i++)
		ck_assert(!r->blocks[i].changed);
	ck_assert_uint_eq(r->n_requests, 6 + 2); /* 0x3580 (3), 0x3586, 0x3589 */
}
END_TEST

/* A table register unsupported: excluded from then on, its neighbours still read. */
START_TEST(test_unsupported_register)
{
	const struct mb_cycle_result *r;
	unsigned int sets;

	ck_assert_int_eq(mbsim_fault_exception(sim, UNIT, 0x3586, 1, 0x02), 0);
	r = cycle_at(fake_now);
	ck_assert_int_eq(r->blocks[5].status, MB_ERR_EXC(2));
	ck_assert_uint_eq(r->blocks[5].n_unsupported, 1);
	assert_invalid("/Soc");
	assert_pub("/Dc/0/Current", -12.34);
	ck_assert(mb_engine_unsupported(eng, 0, 0x3586));
	ck_assert_ptr_null(mb_engine_value(eng, 0, 0x3586));
	sets = pub("/Soc")->n_sets;
	r = cycle_at(fake_now + 1000);
	ck_assert_uint_eq(r->n_errors, 0);
	ck_assert_uint_eq(r->n_requests, 7); /* 0x3580 (3) and 0x3589: the gap holds 0x3586 */
	ck_assert_uint_eq(pub("/Soc")->n_sets, sets);
	assert_pub("/Dc/0/Voltage", 51.2);
}
END_TEST

/* Busy (0x06): that block invalid, reported once per change, then recovered. */
START_TEST(test_exception_block)
{
	const struct mb_cycle_result *r;

	cycle_at(fake_now);
	ck_assert_int_eq(mbsim_fault_exception(sim, UNIT, 0x3580, 10, 0x06), 0);
	r = cycle_at(fake_now + 1000);
	ck_assert_int_eq(r->blocks[5].addr, 0x3580);
	ck_assert_int_eq(r->blocks[5].status, MB_ERR_EXC(MB_EXC_BUSY));
	ck_assert(r->blocks[5].changed);
	ck_assert_int_eq(r->blocks[5].prev_status, 0);
	assert_invalid("/Dc/0/Voltage");
	assert_invalid("/Soc");
	assert_pub("/Pv/0/V", 250.0);
	assert_pub("/Yield/User", 655.36); /* not read this cycle, still valid */
	r = cycle_at(fake_now + 1000);
	ck_assert(!r->blocks[5].changed);
	ck_assert_int_eq(mbsim_fault_exception(sim, -1, 0, 0, 1), 0);
	r = cycle_at(fake_now + 1000);
	ck_assert_int_eq(r->blocks[5].status, 0);
	ck_assert(r->blocks[5].changed);
	ck_assert_int_eq(r->blocks[5].prev_status, MB_ERR_EXC(MB_EXC_BUSY));
	assert_pub("/Dc/0/Voltage", 51.2);
}
END_TEST

/* A silent device: one timeout, the rest skipped, everything invalid; "once" read again. */
START_TEST(test_silence)
{
	const struct mb_cycle_result *r;

	cycle_at(fake_now);
	mbsim_fault_silence(sim, true);
	r = cycle_at(fake_now + 1000);
	ck_assert(r->all_failed);
	ck_assert_uint_eq(r->n_timeouts, 1);
	ck_assert_uint_eq(r->n_requests, 1);
	ck_assert_int_eq(r->blocks[1].status, -ECANCELED);
	assert_invalid("/Dc/0/Voltage");
	assert_invalid("/Yield/User");
	assert_invalid("/Settings/Ecv");
	mbsim_fault_silence(sim, false);
	r = cycle_at(fake_now + 1000);
	ck_assert(r->groups & 1 << ONCE);
	ck_assert(r->blocks[0].changed);
	assert_pub("/Settings/Ecv", 54.4);
	assert_pub("/Dc/0/Voltage", 51.2);
}
END_TEST

/* Energy never goes backwards (devices doc: 0x3557 PV total energy, 0.01 kWh). */
START_TEST(test_energy)
{
	static const uint16_t lower[] = { 0xFFFF, 0x0000 };  /* 655.35 kWh */
	static const uint16_t higher[] = { 0x0064, 0x0001 }; /* 65636 = 656.36 kWh */

	cycle_at(fake_now);
	assert_pub("/Yield/User", 655.36);
	ck_assert_int_eq(mbsim_set(sim, UNIT, MBSIM_INPUT, 0x3557, lower, 2), 0);
	cycle_at(fake_now + 10000);
	assert_pub("/Yield/User", 655.36);
	ck_assert_double_eq(mb_engine_value(eng, 0, 0x3557)->raw, 65535);
	ck_assert_int_eq(mbsim_set(sim, UNIT, MBSIM_INPUT, 0x3557, higher, 2), 0);
	cycle_at(fake_now + 10000);
	assert_pub("/Yield/User", 656.36);
}
END_TEST

static void on_written(struct mb_engine *e, int status, void *userdata)
{
	write_status = status;
	written = true;
}

static int refuse_high(struct mbsim *s, int unit, uint16_t addr, const uint16_t *values, uint16_t n,
		       void *userdata)
{
	return values[0] > 6000 ? 0x03 : 0; /* ECV above 60.00 V: illegal value */
}

START_TEST(test_write)
{
	static const struct mbsim_hooks hooks = { .write = refuse_high };
	struct mbsim_write w;
	uint16_t ecv;

	ck_assert_int_eq(mbsim_set_hooks(sim, UNIT, &hooks, NULL), 0);
	written = false;
	ck_assert_int_eq(mb_engine_write_value(eng, 0, 0x9618, 55.2, on_written, NULL), 0);
	run_until(&written);
	ck_assert_int_eq(write_status, 0);
	ck_assert_int_eq(mbsim_write_get(sim, 0, &w), 0);
	ck_assert_uint_eq(w.function, 0x10);
	ck_assert_uint_eq(w.values[0], 5520);
	ck_assert_int_eq(mbsim_get(sim, UNIT, MBSIM_HOLDING, 0x9618, &ecv, 1), 0);
	ck_assert_uint_eq(ecv, 5520);

	written = false;
	ck_assert_int_eq(mb_engine_write_value(eng, 0, 0x9618, 61.0, on_written, NULL), 0);
	run_until(&written);
	ck_assert_int_eq(write_status, MB_ERR_EXC(3));
	ck_assert_int_eq(mbsim_write_get(sim, 1, &w), 0);
	ck_assert_uint_eq(w.exception, 3);
	ck_assert_int_eq(mb_engine_write_value(eng, 0, 0x9618, 700.0, NULL, NULL), -ERANGE);
	ck_assert_int_eq(mb_engine_write_value(eng, 0, 0x3580, 50.0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(mb_engine_write_value(eng, 0, 0x1111, 50.0, NULL, NULL), -ENOENT);
}
END_TEST

START_TEST(test_bad_table)
{
	static const struct mb_reg bad[] = { MB_REG(2, MB_U16, "/a", 1),
					     MB_REG(1, MB_U16, "/b", 1) };
	struct mb_engine_table t = { .unit = 1, .regs = bad, .n_regs = 2 };

	ck_assert_int_eq(mb_engine_add_table(eng, &t, NULL), -EINVAL);
}
END_TEST

static void setup_rtu(void)
{
	setup_with(MBSIM_PTY);
}

static Suite *engine_suite(void)
{
	Suite *s = suite_create("mb-engine");
	TCase *tc = tcase_create("tcp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cycle_tcp);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_unsupported_gap);
	tcase_add_test(tc, test_unsupported_register);
	tcase_add_test(tc, test_exception_block);
	tcase_add_test(tc, test_silence);
	tcase_add_test(tc, test_energy);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_bad_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtu");
	tcase_add_checked_fixture(tc, setup_rtu, teardown);
	tcase_add_test(tc, test_cycle_rtu);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(engine_suite());
}
