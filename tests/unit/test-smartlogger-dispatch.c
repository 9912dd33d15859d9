/* SPDX-License-Identifier: MIT */
/*
 * test-smartlogger-dispatch.c - the pure LUNA2000 dispatch and SmartLogger curtailment logic
 * (drivers/smartlogger/smartlogger-control.c) with a fake clock: split, limits, what is written
 * when, keep-alive, read-backs, refused writes, curtailment clamp, expiry and rounding
 */

#include <check.h>
#include <math.h>

#include "drivers/smartlogger/smartlogger-control.h"
#include "check-run.h"

#define S(x) ((int64_t)((x)*1000000.0))

static const struct slc_config cfg = {
	.keepalive = S(60),
	.period_min = 5,
	.deadband = 50,
	.retry = S(60),
};

static struct slc_unit_in unit_in(double maxc, double maxd)
{
	return (struct slc_unit_in){ .online = true,
				     .max_charge = maxc,
				     .max_discharge = maxd,
				     .command = 0,
				     .working_mode = 2,
				     .read_at = S(1) };
}

START_TEST(test_split_proportional)
{
	struct slc_unit_in in[3] = { unit_in(5000, 5000), unit_in(2500, 1000),
				     unit_in(5000, 5000) };
	double share[3];

	slc_split(3750, in, 3, share);
	ck_assert_double_eq_tol(share[0], 1500, 1e-9);
	ck_assert_double_eq_tol(share[1], 750, 1e-9);
	ck_assert_double_eq_tol(share[2], 1500, 1e-9);
	slc_split(-5500, in, 3, share); /* discharge uses the discharge limits */
	ck_assert_double_eq_tol(share[0], -2500, 1e-9);
	ck_assert_double_eq_tol(share[1], -500, 1e-9);
	in[2].online = false; /* an offline unit gets nothing; the others carry it */
	slc_split(-3000, in, 3, share);
	ck_assert_double_eq_tol(share[0], -2500, 1e-9);
	ck_assert_double_eq_tol(share[1], -500, 1e-9);
	ck_assert_double_eq(share[2], 0);
}
END_TEST

START_TEST(test_split_unknown_limits)
{
	struct slc_unit_in in[2] = { unit_in(NAN, NAN), unit_in(1000, 1000) };
	double share[2], c, d;

	slc_split(3000, in, 2, share); /* equal shares, each clamped to a known limit */
	ck_assert_double_eq_tol(share[0], 1500, 1e-9);
	ck_assert_double_eq_tol(share[1], 1000, 1e-9);
	slc_limits(in, 2, &c, &d);
	ck_assert(isnan(c) && isnan(d));
	in[0] = unit_in(4000, 3000);
	slc_limits(in, 2, &c, &d);
	ck_assert_double_eq(c, 5000);
	ck_assert_double_eq(d, 4000);
}
END_TEST

/* A command is written on change, on the deadband, on the keep-alive, and on a read-back. */
START_TEST(test_force_when)
{
	struct slc_unit st;
	struct slc_unit_in in = unit_in(5000, 5000);
	struct slc_action a;

	slc_unit_init(&st);
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1000, S(10));
	ck_assert_int_eq(a.kind, SLC_ACT_FORCE);
	ck_assert_int_eq(a.cmd, SLC_CMD_DISCHARGE);
	ck_assert_double_eq(a.power, 1000);
	st.busy = true; /* in flight: nothing more */
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1000, S(10)).kind,
			 SLC_ACT_NONE);
	slc_unit_written(&cfg, &st, &a, 0, S(11));
	in.command = 2;
	in.read_at = S(12);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1030, S(12)).kind,
			 SLC_ACT_NONE); /* within the deadband */
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1060, S(12)).kind,
			 SLC_ACT_FORCE);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1000, S(70.9)).kind,
			 SLC_ACT_NONE);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1000, S(71)).kind,
			 SLC_ACT_FORCE); /* keep-alive */
	in.command = 0;			 /* the period ran out on the device */
	in.read_at = S(13);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1000, S(13)).kind,
			 SLC_ACT_FORCE);
	in.read_at = S(10.5); /* ...but a read-back older than the write proves nothing */
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, -1000, S(13)).kind,
			 SLC_ACT_NONE);
}
END_TEST

START_TEST(test_hold_and_direction)
{
	struct slc_unit st;
	struct slc_unit_in in = unit_in(5000, 5000);
	struct slc_action a;

	slc_unit_init(&st);
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_HOLD, 1234, S(1));
	ck_assert(a.kind == SLC_ACT_FORCE && a.cmd == SLC_CMD_DISCHARGE && a.power == 0);
	slc_unit_written(&cfg, &st, &a, 0, S(1));
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, 20, S(2)); /* charge: a new command */
	ck_assert(a.kind == SLC_ACT_FORCE && a.cmd == SLC_CMD_CHARGE && a.power == 20);
	slc_unit_written(&cfg, &st, &a, 0, S(2));
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, 0, S(3)); /* 0 W: exactly 0 */
	ck_assert(a.kind == SLC_ACT_FORCE && a.cmd == SLC_CMD_DISCHARGE && a.power == 0);
}
END_TEST

/* Autonomous: STOP after forcing, then working mode 2 where it reads otherwise. */
START_TEST(test_autonomous)
{
	struct slc_unit st;
	struct slc_unit_in in = unit_in(5000, 5000);
	struct slc_action a;

	slc_unit_init(&st);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(1)).kind,
			 SLC_ACT_NONE); /* stopped, mode 2: nothing to do */
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_BATTERY, 500, S(1));
	slc_unit_written(&cfg, &st, &a, 0, S(2));
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(3));
	ck_assert_int_eq(a.kind, SLC_ACT_STOP);
	slc_unit_written(&cfg, &st, &a, 0, S(4));
	in.working_mode = 5;
	in.read_at = S(5);
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(5));
	ck_assert_int_eq(a.kind, SLC_ACT_SELF);
	slc_unit_written(&cfg, &st, &a, 0, S(6));
	in.read_at = S(5.5); /* not read back since: wait */
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(7)).kind,
			 SLC_ACT_NONE);
	in.read_at = S(8); /* still 5 after our write: again only after the retry interval */
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(8)).kind,
			 SLC_ACT_NONE);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(66)).kind,
			 SLC_ACT_SELF);
}
END_TEST

/* A forcible command found at start (a crash, another master) is stopped. */
START_TEST(test_leftover_command)
{
	struct slc_unit st;
	struct slc_unit_in in = unit_in(5000, 5000);

	slc_unit_init(&st);
	in.command = 2;
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(2)).kind,
			 SLC_ACT_STOP);
	in.online = false;
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_AUTONOMOUS, 0, S(2)).kind,
			 SLC_ACT_NONE);
}
END_TEST

/* Refused (0x80, 0x02): blocked for the retry interval; transport errors retry next cycle. */
START_TEST(test_refused)
{
	struct slc_unit st;
	struct slc_unit_in in = unit_in(5000, 5000);
	struct slc_action a;

	slc_unit_init(&st);
	a = slc_unit_step(&cfg, &st, &in, HC_MODE_HOLD, 0, S(1));
	slc_unit_written(&cfg, &st, &a, 1, S(1));
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_HOLD, 0, S(60.9)).kind,
			 SLC_ACT_NONE);
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_HOLD, 0, S(61)).kind, SLC_ACT_FORCE);
	slc_unit_written(&cfg, &st, &a, -1, S(61));
	ck_assert_int_eq(slc_unit_step(&cfg, &st, &in, HC_MODE_HOLD, 0, S(61.1)).kind,
			 SLC_ACT_FORCE);
}
END_TEST

START_TEST(test_curtail_clamp_round)
{
	struct slc_curtail c;
	struct slc_curtail_in in = { .ceiling = 30000, .readback = 30000, .read_at = S(1) };
	struct slc_curtail_out out;

	slc_curtail_init(&c, S(60));
	slc_curtail_step(&cfg, &c, &in, S(1), &out);
	ck_assert(!out.write && !out.active && out.limit == 30000); /* nothing asked */
	slc_curtail_request(&c, 4321, S(2));
	slc_curtail_step(&cfg, &c, &in, S(2), &out);
	ck_assert(out.write && out.active);
	ck_assert_double_eq(out.raw, 43); /* 4.3 kW: never above the request */
	ck_assert_double_eq(out.limit, 4321);
	slc_curtail_request(&c, 99999, S(3));
	slc_curtail_step(&cfg, &c, &in, S(3), &out);
	ck_assert(out.limit == 30000 && !out.active && out.raw == 300);
	slc_curtail_request(&c, -5, S(4));
	slc_curtail_step(&cfg, &c, &in, S(4), &out);
	ck_assert(out.limit == 0 && out.raw == 0 && out.active);
	in.ceiling = NAN; /* 40697 not read: nothing written */
	slc_curtail_step(&cfg, &c, &in, S(4), &out);
	ck_assert(!out.write && isnan(out.limit));
}
END_TEST

START_TEST(test_curtail_expiry)
{
	struct slc_curtail c;
	struct slc_curtail_in in = { .ceiling = 30000, .readback = 30000, .read_at = S(1) };
	struct slc_curtail_out out;

	slc_curtail_init(&c, S(60));
	slc_curtail_request(&c, 5000, S(1));
	slc_curtail_step(&cfg, &c, &in, S(1), &out);
	slc_curtail_written(&cfg, &c, out.raw, 0, S(1.1));
	in = (struct slc_curtail_in){ .ceiling = 30000, .readback = 5000, .read_at = S(2) };
	slc_curtail_step(&cfg, &c, &in, S(60.9), &out);
	ck_assert(!out.write && out.active && !out.expired);
	slc_curtail_step(&cfg, &c, &in, S(61), &out);
	ck_assert(out.write && !out.active && out.expired && out.raw == 300);
}
END_TEST

/* A read-back that disagrees (someone else wrote 40420) is corrected once per retry. */
START_TEST(test_curtail_readback)
{
	struct slc_curtail c;
	struct slc_curtail_in in = { .ceiling = 30000, .readback = 12000, .read_at = S(1) };
	struct slc_curtail_out out;

	slc_curtail_init(&c, S(60));
	slc_curtail_step(&cfg, &c, &in, S(1), &out); /* left over at start: lifted */
	ck_assert(out.write && out.raw == 300);
	slc_curtail_written(&cfg, &c, out.raw, 0, S(1.5));
	in.read_at = S(2);
	slc_curtail_step(&cfg, &c, &in, S(2), &out);
	ck_assert(!out.write);
	slc_curtail_step(&cfg, &c, &in, S(61.5), &out);
	ck_assert(out.write);
	slc_curtail_written(&cfg, &c, out.raw, 1, S(62)); /* refused: blocked */
	slc_curtail_step(&cfg, &c, &in, S(100), &out);
	ck_assert(!out.write);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smartlogger-dispatch");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_split_proportional);
	tcase_add_test(tc, test_split_unknown_limits);
	tcase_add_test(tc, test_force_when);
	tcase_add_test(tc, test_hold_and_direction);
	tcase_add_test(tc, test_autonomous);
	tcase_add_test(tc, test_leftover_command);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_curtail_clamp_round);
	tcase_add_test(tc, test_curtail_expiry);
	tcase_add_test(tc, test_curtail_readback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
