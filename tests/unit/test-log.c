/* SPDX-License-Identifier: MIT */
/* test-log.c - levels, rate-limited repeats and state changes, through a capturing sink */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "log.h"
#include "check-run.h"

#define S(x) ((int64_t)(x) * 1000000)

static GPtrArray *lines; /* "LEVEL:text" */
static int64_t fake_now;

static void capture(enum log_level level, const char *line, void *userdata)
{
	g_ptr_array_add(lines, g_strdup_printf("%d:%s", (int)level, line));
}

static int64_t fake_clock(void)
{
	return fake_now;
}

static void setup(void)
{
	lines = g_ptr_array_new_with_free_func(g_free);
	fake_now = S(1000);
	log_set_sink(capture, NULL);
	log_set_clock(fake_clock);
	log_set_verbosity(0);
}

static void teardown(void)
{
	log_set_sink(NULL, NULL);
	log_set_clock(NULL);
	g_ptr_array_unref(lines);
}

static const char *line(guint i)
{
	ck_assert_uint_lt(i, lines->len);
	return g_ptr_array_index(lines, i);
}

START_TEST(levels_and_verbosity)
{
	log_err("e %d", 1);
	log_warn("w");
	log_info("i");
	log_debug("d");
	ck_assert_uint_eq(lines->len, 3);
	ck_assert_str_eq(line(0), "3:e 1");
	ck_assert_str_eq(line(1), "4:w");
	ck_assert_str_eq(line(2), "6:i");
	log_set_verbosity(1);
	log_debug("d");
	log_trace("t");
	ck_assert_uint_eq(lines->len, 4);
	ck_assert_str_eq(line(3), "7:d");
	log_set_verbosity(5);
	ck_assert_int_eq(log_get_level(), LOG_LEVEL_TRACE);
	log_set_level(LOG_LEVEL_WARNING);
	log_info("hidden");
	ck_assert_uint_eq(lines->len, 4);
	ck_assert(!log_enabled(LOG_LEVEL_INFO));
}
END_TEST

START_TEST(long_lines_are_cut)
{
	char big[2 * LOG_LINE_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	ck_assert_uint_eq(strlen(line(0)), 2 + LOG_LINE_MAX - 1);
	ck_assert(g_str_has_suffix(line(0), "..."));
}
END_TEST

/* The same error every 1 s cycle for 5 minutes: once, then a count once a minute. */
START_TEST(repeats_print_once_then_once_per_minute)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT;
	int n_printed = 0;

	for (int i = 0; i < 300; i++) {
		if (log_ratelimited(&rl, LOG_LEVEL_ERR, "read 30000: %s", "timeout"))
			n_printed++;
		fake_now += S(1);
	}
	ck_assert_int_eq(n_printed, 5);
	ck_assert_uint_eq(lines->len, 5);
	ck_assert_str_eq(line(0), "3:read 30000: timeout");
	ck_assert_str_eq(line(1), "3:read 30000: timeout (repeated 60 times)");
	ck_assert_str_eq(line(4), "3:read 30000: timeout (repeated 60 times)");
	/* 59 more since the last line: printed when the condition clears */
	log_ratelimit_clear(&rl);
	ck_assert_uint_eq(lines->len, 6);
	ck_assert_str_eq(line(5), "3:read 30000: timeout (repeated 59 times)");
	/* and the next occurrence prints at once */
	ck_assert(log_ratelimited(&rl, LOG_LEVEL_ERR, "read 30000: timeout"));
	ck_assert_uint_eq(lines->len, 7);
	log_ratelimit_clear(NULL);
}
END_TEST

START_TEST(a_different_message_prints_at_once)
{
	struct log_ratelimit rl = { 0 }; /* zero: default interval */

	log_ratelimited(&rl, LOG_LEVEL_WARNING, "a");
	log_ratelimited(&rl, LOG_LEVEL_WARNING, "a");
	log_ratelimited(&rl, LOG_LEVEL_WARNING, "b");
	ck_assert_uint_eq(lines->len, 3);
	ck_assert_str_eq(line(0), "4:a");
	ck_assert_str_eq(line(1), "4:a (repeated 1 time)");
	ck_assert_str_eq(line(2), "4:b");
	/* clearing without pending repeats prints nothing */
	log_ratelimit_clear(&rl);
	ck_assert_uint_eq(lines->len, 3);
}
END_TEST

START_TEST(state_changes_only)
{
	struct log_state st = LOG_STATE_INIT;

	ck_assert(log_change(&st, 0, "link down"));
	ck_assert(!log_change(&st, 0, "link down"));
	ck_assert(!log_change(&st, 0, "link down"));
	ck_assert(log_change_at(&st, LOG_LEVEL_WARNING, 1, "link up"));
	ck_assert(!log_change(&st, 1, "link up"));
	ck_assert_uint_eq(lines->len, 2);
	ck_assert_str_eq(line(0), "6:link down");
	ck_assert_str_eq(line(1), "4:link up");
	log_state_forget(&st);
	ck_assert(log_change(&st, 1, "link up"));
	ck_assert_uint_eq(lines->len, 3);
	/* a hidden level still tracks the state */
	log_set_level(LOG_LEVEL_ERR);
	ck_assert(log_change(&st, 2, "x"));
	ck_assert(!log_change(&st, 2, "x"));
	ck_assert_uint_eq(lines->len, 3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("sink");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, levels_and_verbosity);
	tcase_add_test(tc, long_lines_are_cut);
	tcase_add_test(tc, repeats_print_once_then_once_per_minute);
	tcase_add_test(tc, a_different_message_prints_at_once);
	tcase_add_test(tc, state_changes_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
