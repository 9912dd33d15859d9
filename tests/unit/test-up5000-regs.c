/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-regs.c - the UP5000 register table: it passes the engine's lint, decodes the
 * README's values from words written by hand after the vendor table (low word first), and
 * plans the original driver's 20 single reads as 7 block reads
 */

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "drivers/up5000/up5000-regs.h"
#include "mb-plan.h"
#include "check-run.h"

static const struct mb_reg *reg(uint16_t addr)
{
	int k = mb_table_find(up_regs, up_n_regs, MB_INPUT, addr);

	if (k < 0)
		k = mb_table_find(up_regs, up_n_regs, MB_HOLDING, addr);
	ck_assert_int_ge(k, 0);
	return &up_regs[k];
}

static double decode(uint16_t addr, const uint16_t *words)
{
	struct mb_val v;

	ck_assert_int_eq(mb_decode(reg(addr), words, MB_WORDS_LOW_FIRST, &v), 0);
	ck_assert_int_eq(v.kind, MB_VAL_NUMBER);
	return v.value;
}

START_TEST(test_table_lint)
{
	char err[200] = "";

	ck_assert_msg(mb_table_check(up_regs, up_n_regs, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/* The README's log, as the vendor table encodes it. */
START_TEST(test_decode_readme)
{
	ck_assert_double_eq_tol(decode(UP_BATT_V, (uint16_t[]){ 5415 }), 54.15, 1e-9);
	ck_assert_double_eq_tol(decode(UP_GRID_V, (uint16_t[]){ 23967 }), 239.67, 1e-9);
	ck_assert_double_eq_tol(decode(UP_PV_V, (uint16_t[]){ 15219 }), 152.19, 1e-9);
	/* 164066 = 0x000280E2: the low word at the lower address */
	ck_assert_double_eq_tol(decode(UP_PV_P, (uint16_t[]){ 0x80E2, 0x0002 }), 1640.66, 1e-9);
	ck_assert_double_eq_tol(decode(UP_PV_YIELD, (uint16_t[]){ 0xD139, 0x0000 }), 535.61, 1e-9);
	ck_assert_double_eq_tol(decode(UP_BATT_I, (uint16_t[]){ 654, 0 }), 6.54, 1e-9);
	ck_assert_double_eq_tol(decode(UP_BATT_SOC, (uint16_t[]){ 79 }), 79, 1e-9);
	ck_assert_double_eq_tol(decode(UP_ECV, (uint16_t[]){ 5520 }), 55.2, 1e-9);
}
END_TEST

/* Battery current is signed 32-bit, + charging (devices doc C.3). */
START_TEST(test_decode_signed)
{
	ck_assert_double_eq_tol(decode(UP_BATT_I, (uint16_t[]){ 0xFB2E, 0xFFFF }), -12.34, 1e-9);
	/* the original combined L + H * 0xFFFF and read only the low word: both wrong here */
	ck_assert_double_eq_tol(decode(UP_BATT_I, (uint16_t[]){ 0x0000, 0x0001 }), 655.36, 1e-9);
}
END_TEST

START_TEST(test_energy_flags)
{
	ck_assert(reg(UP_PV_YIELD)->flags & MB_F_ENERGY);
	ck_assert(reg(UP_ECV)->flags & MB_F_WRITABLE);
	ck_assert(reg(UP_LVD)->flags & MB_F_WRITABLE);
	ck_assert(reg(UP_MAX_CHARGE_CURRENT)->flags & MB_F_WRITABLE);
	ck_assert(!(reg(UP_CLV)->flags & MB_F_ENERGY));
}
END_TEST

/* What the original driver read in 20 single-register requests (devices doc C.7). */
static const uint16_t original_addrs[] = {
	0x3500, 0x3501, 0x3502, 0x3511, 0x3521, 0x3522, 0x3523, 0x3549, 0x354B,
	0x3557, 0x3559, 0x3580, 0x3581, 0x3586, 0x3589, 0x9618, 0x961F,
};

static size_t original_table(struct mb_reg *out)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(original_addrs) / sizeof(original_addrs[0]); i++)
		out[n++] = *reg(original_addrs[i]);
	for (size_t i = 0; i < n; i++)
		out[i].group = 0;
	return n;
}

START_TEST(test_plan_original)
{
	struct mb_reg t[32];
	struct mb_block blocks[32];
	struct mb_plan_params p = { .max_regs = UP_MAX_REGS_DEFAULT,
				    .bridge_gap = UP_MAX_REGS_DEFAULT,
				    .group_mask = 1 };
	size_t n = original_table(t), nb = 0;

	ck_assert_int_eq(mb_plan(t, n, &p, NULL, blocks, 32, &nb), 0);
	ck_assert_int_eq(nb, 7);
	ck_assert_int_eq(mb_plan_wire_bytes(blocks, nb, MB_FRAMING_RTU), 157);
	/* the original: 20 requests of one register each */
	ck_assert_int_eq(20 * mb_read_wire_bytes(MB_FRAMING_RTU, 1), 300);
}
END_TEST

static size_t plan(uint32_t mask, size_t *ret_bytes)
{
	struct mb_block blocks[64];
	struct mb_plan_params p = { .max_regs = UP_MAX_REGS_DEFAULT,
				    .bridge_gap = UP_MAX_REGS_DEFAULT,
				    .group_mask = mask };
	size_t nb = 0;

	ck_assert_int_eq(mb_plan(up_regs, up_n_regs, &p, NULL, blocks, 64, &nb), 0);
	*ret_bytes = mb_plan_wire_bytes(blocks, nb, MB_FRAMING_RTU);
	return nb;
}

/* The driver's own data: 6 reads per fast cycle, 10 in the first cycle. */
START_TEST(test_plan_driver)
{
	size_t bytes;

	ck_assert_int_eq(plan(1u << UP_G_FAST, &bytes), 6);
	ck_assert_int_eq(bytes, 138);
	ck_assert_int_eq(plan(1u << UP_G_FAST | 1u << UP_G_SLOW, &bytes), 9);
	ck_assert_int_eq(plan(0xff, &bytes), 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-regs");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_table_lint);
	tcase_add_test(tc, test_decode_readme);
	tcase_add_test(tc, test_decode_signed);
	tcase_add_test(tc, test_energy_flags);
	tcase_add_test(tc, test_plan_original);
	tcase_add_test(tc, test_plan_driver);
	suite_add_tcase(s, tc);
	return check_run(s);
}
