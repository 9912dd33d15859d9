/* SPDX-License-Identifier: MIT */
/* test-eeprom-guard.c - settings-register write decisions with a fake clock */

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "eeprom-guard.h"
#include "check-run.h"

#define S(x) ((int64_t)(x) * EEG_USEC_PER_SEC)
#define MIN(x) S((x) * 60)
#define HOUR(x) S((x) * 3600)

static struct eeg_budget budget;
static struct eeg guard;

static void setup(void)
{
	eeg_budget_init(&budget, 0);
	eeg_init(&guard, 0.1, 0, &budget);
}

START_TEST(defaults)
{
	ck_assert_uint_eq(budget.limit, EEG_DEFAULT_BUDGET);
	ck_assert_int_eq(guard.min_interval, EEG_DEFAULT_INTERVAL);
	ck_assert_int_eq(guard.min_interval, MIN(10));
	ck_assert_str_eq(eeg_decision_text(EEG_SKIP_BUDGET), "budget");
}
END_TEST

START_TEST(within_the_step_is_the_same)
{
	ck_assert_int_eq(eeg_decide(&guard, 56.40, 56.40, false, 0), EEG_SKIP_SAME);
	ck_assert_int_eq(eeg_decide(&guard, 56.40, 56.45, false, 0), EEG_SKIP_SAME);
	ck_assert_int_eq(eeg_decide(&guard, 56.40, 56.35, true, 0), EEG_SKIP_SAME);
	ck_assert_int_eq(eeg_decide(&guard, 56.40, 56.60, false, 0), EEG_WRITE);
	/* an unknown read-back never counts as the same */
	ck_assert_int_eq(eeg_decide(&guard, NAN, 56.40, false, 0), EEG_WRITE);
}
END_TEST

/* The device reflects the write at the next read: one write, then "same". */
START_TEST(same_value_100_times_device_follows)
{
	double device = 55.2;
	int n_writes = 0;

	for (int i = 0; i < 100; i++) {
		if (eeg_check(&guard, device, 56.4, false, S(3 * i)) == EEG_WRITE) {
			n_writes++;
			device = 56.4;
		}
	}
	ck_assert_int_eq(n_writes, 1);
	ck_assert_uint_eq(eeg_budget_writes_today(&budget, S(300)), 1);
}
END_TEST

/* The device ignores the write (or reads back late): still one write per interval. */
START_TEST(same_value_100_times_device_ignores)
{
	int n_writes = 0;

	for (int i = 0; i < 100; i++)
		if (eeg_check(&guard, 55.2, 56.4, false, S(3 * i)) == EEG_WRITE)
			n_writes++;
	ck_assert_int_eq(n_writes, 1);
}
END_TEST

/* Even a "safer" value is not repeated every cycle when the device does not take it. */
START_TEST(safer_value_100_times_device_ignores)
{
	int n_writes = 0;

	for (int i = 0; i < 100; i++)
		if (eeg_check(&guard, 56.4, 55.2, true, S(3 * i)) == EEG_WRITE)
			n_writes++;
	ck_assert_int_eq(n_writes, 1);
}
END_TEST

START_TEST(rate_limit_and_safer_changes)
{
	ck_assert_int_eq(eeg_check(&guard, 55.0, 56.0, false, S(0)), EEG_WRITE);
	/* a higher voltage 1 min later waits for the interval */
	ck_assert_int_eq(eeg_check(&guard, 56.0, 57.0, false, MIN(1)), EEG_SKIP_RATE);
	/* a lower one passes at once */
	ck_assert_int_eq(eeg_check(&guard, 56.0, 54.0, true, MIN(2)), EEG_WRITE);
	ck_assert_int_eq(eeg_check(&guard, 54.0, 57.0, false, MIN(11)), EEG_SKIP_RATE);
	ck_assert_int_eq(eeg_check(&guard, 54.0, 57.0, false, MIN(12)), EEG_WRITE);
	ck_assert_uint_eq(eeg_budget_writes_today(&budget, MIN(12)), 3);
}
END_TEST

START_TEST(budget_per_24h_window)
{
	struct eeg other;
	int64_t t = 0;
	double value = 50;

	eeg_budget_init(&budget, 4);
	eeg_init(&guard, 0.1, -1, &budget); /* no interval: only the budget */
	eeg_init(&other, 1, -1, &budget);   /* a second setting sharing it */
	for (int i = 0; i < 3; i++, value += 1, t += MIN(1))
		ck_assert_int_eq(eeg_check(&guard, value, value + 1, false, t), EEG_WRITE);
	ck_assert_int_eq(eeg_check(&other, 10, 20, false, t), EEG_WRITE);
	ck_assert_uint_eq(eeg_budget_writes_today(&budget, t), 4);
	ck_assert_int_eq(eeg_check(&guard, value, value + 1, false, HOUR(23)), EEG_SKIP_BUDGET);
	ck_assert_int_eq(eeg_check(&other, 20, 30, false, HOUR(23)), EEG_SKIP_BUDGET);
	/* safer changes still pass, and count */
	ck_assert_int_eq(eeg_check(&guard, value, value - 5, true, HOUR(23)), EEG_WRITE);
	ck_assert_uint_eq(eeg_budget_writes_today(&budget, HOUR(23)), 5);
	/* the window opened with the first write at t = 0 and rolls over 24 h later */
	ck_assert_uint_eq(eeg_budget_writes_today(&budget, HOUR(24)), 0);
	ck_assert_int_eq(eeg_check(&other, 20, 30, false, HOUR(24)), EEG_WRITE);
	ck_assert_uint_eq(eeg_budget_writes_today(&budget, HOUR(24)), 1);
}
END_TEST

START_TEST(no_budget_object)
{
	eeg_init(&guard, 0.1, -1, NULL);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(eeg_check(&guard, i, i + 1, false, S(i)), EEG_WRITE);
	ck_assert_uint_eq(eeg_budget_writes_today(NULL, 0), 0);
}
END_TEST

/* A settings register written every DVCC cycle with drifting values stays within budget. */
START_TEST(a_day_of_drifting_dvcc_writes)
{
	int n_writes = 0;
	double device = 55.0;

	for (int64_t t = 0; t < HOUR(24); t += S(3)) {
		double want = 55.0 + (double)((t / S(60)) % 20) * 0.1;

		if (eeg_check(&guard, device, want, false, t) == EEG_WRITE) {
			n_writes++;
			device = want;
		}
	}
	ck_assert_int_le(n_writes, EEG_DEFAULT_BUDGET);
	ck_assert_int_ge(n_writes, 24 * 6 / 4); /* it does still follow */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("eeprom-guard");
	TCase *tc = tcase_create("decide");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, within_the_step_is_the_same);
	tcase_add_test(tc, same_value_100_times_device_follows);
	tcase_add_test(tc, same_value_100_times_device_ignores);
	tcase_add_test(tc, safer_value_100_times_device_ignores);
	tcase_add_test(tc, rate_limit_and_safer_changes);
	tcase_add_test(tc, budget_per_24h_window);
	tcase_add_test(tc, no_budget_object);
	tcase_add_test(tc, a_day_of_drifting_dvcc_writes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
