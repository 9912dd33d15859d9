/* SPDX-License-Identifier: MIT */
/* check-run.h - the one main() body of every Check suite: run it, exit 0 or 1 */
#pragma once

#include <check.h>
#include <stdlib.h>

/* check_run() - run @s (owned: freed here) with Check's normal output. Return: exit status. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
