/* SPDX-License-Identifier: MIT */
/* test-deadman.c - setpoint expiry with a fake clock */

#include <check.h>
#include <stdlib.h>

#include "deadman.h"
#include "check-run.h"

#define S(x) ((int64_t)(x) * DEADMAN_USEC_PER_SEC)

START_TEST(never_written_is_expired)
{
	struct deadman d;

	deadman_init(&d, DEADMAN_DEFAULT_TIMEOUT);
	ck_assert(deadman_expired(&d, 0));
	ck_assert(deadman_expired(&d, S(1000)));
	ck_assert_int_eq(deadman_remaining(&d, S(5)), 0);
	ck_assert_int_eq(deadman_age(&d, S(5)), -1);
}
END_TEST

START_TEST(expires_after_the_timeout)
{
	struct deadman d;

	deadman_init(&d, S(60));
	deadman_touch(&d, S(100));
	ck_assert(!deadman_expired(&d, S(100)));
	ck_assert(!deadman_expired(&d, S(159) + 999999));
	ck_assert(deadman_expired(&d, S(160)));
	ck_assert_int_eq(deadman_remaining(&d, S(130)), S(30));
	ck_assert_int_eq(deadman_age(&d, S(130)), S(30));
}
END_TEST

/* DVCC rewrites the same value every 3 s: each write keeps the setpoint alive. */
START_TEST(repeated_writes_keep_it_alive)
{
	struct deadman d;

	deadman_init(&d, S(60));
	for (int t = 0; t <= 600; t += 3) {
		deadman_touch(&d, S(t));
		ck_assert(!deadman_expired(&d, S(t) + S(59)));
	}
	ck_assert(deadman_expired(&d, S(600 + 60)));
}
END_TEST

START_TEST(a_new_timeout_applies_to_the_last_write)
{
	struct deadman d;

	deadman_init(&d, S(60));
	deadman_touch(&d, S(0));
	deadman_set_timeout(&d, S(10));
	ck_assert(deadman_expired(&d, S(10)));
	deadman_set_timeout(&d, S(3600));
	ck_assert(!deadman_expired(&d, S(3599)));
}
END_TEST

START_TEST(clear_and_no_timeout)
{
	struct deadman d;

	deadman_init(&d, 0);
	deadman_touch(&d, S(1));
	ck_assert(!deadman_expired(&d, S(1000000)));
	ck_assert_int_eq(deadman_remaining(&d, S(2)), INT64_MAX);
	deadman_clear(&d);
	ck_assert(deadman_expired(&d, S(2)));
}
END_TEST

START_TEST(a_clock_going_back_counts_as_fresh)
{
	struct deadman d;

	deadman_init(&d, S(60));
	deadman_touch(&d, S(100));
	ck_assert(!deadman_expired(&d, S(50)));
	ck_assert_int_eq(deadman_age(&d, S(50)), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("deadman");
	TCase *tc = tcase_create("expiry");

	tcase_add_test(tc, never_written_is_expired);
	tcase_add_test(tc, expires_after_the_timeout);
	tcase_add_test(tc, repeated_writes_keep_it_alive);
	tcase_add_test(tc, a_new_timeout_applies_to_the_last_write);
	tcase_add_test(tc, clear_and_no_timeout);
	tcase_add_test(tc, a_clock_going_back_counts_as_fresh);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
