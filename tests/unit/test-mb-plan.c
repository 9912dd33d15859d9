/* SPDX-License-Identifier: MIT */
/* test-mb-plan.c - block planner: fewest requests, bridging, limits, unsupported addresses */

#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include <glib.h>

#include "mb-plan.h"
#include "check-run.h"

#define IN .space = MB_INPUT

/*
 * What the original UP5000 driver reads (devices doc C.3/C.7) in 20 single-register requests:
 * 0x3500 0x3501 0x3502 0x3503 0x3511 0x3521 0x3522 0x3523 0x3549 0x354A 0x354B 0x354C 0x3557
 * 0x3558 0x3559 0x3580 0x3581 0x3586 0x3589 (FC04) and the ECV read-back 0x9618 (FC03).
 * As a table, with the 32-bit values whole (and battery current with its high word).
 */
static const struct mb_reg up5000[] = {
	MB_REG(0x3500, MB_U16, "/Ac/ActiveIn/L1/V", 100, IN, .name = "RegGridVol"),
	MB_REG(0x3501, MB_U16, "/Ac/ActiveIn/L1/I", 100, IN, .name = "RegGridCur"),
	MB_REG(0x3502, MB_U32, "/Ac/ActiveIn/L1/P", 100, IN, .name = "RegGridPow"),
	MB_REG(0x3511, MB_BITS16, NULL, 0, IN, .name = "RegGridChargerState"),
	MB_REG(0x3521, MB_U16, "/Ac/Out/L1/V", 100, IN, .name = "RegACVol"),
	MB_REG(0x3522, MB_U16, "/Ac/Out/L1/I", 100, IN, .name = "RegACCur"),
	MB_REG(0x3523, MB_BITS16, NULL, 0, IN, .name = "RegLoadState"),
	MB_REG(0x3549, MB_U16, "/Pv/0/V", 100, IN, .name = "RegPVVol"),
	MB_REG(0x354A, MB_U16, NULL, 100, IN, .name = "RegPVCur"),
	MB_REG(0x354B, MB_U32, "/Pv/0/P", 100, IN, .name = "RegPVPow"),
	MB_REG(0x3557, MB_U32, "/Yield/User", 100, IN, .name = "RegPVYield", .flags = MB_F_ENERGY),
	MB_REG(0x3559, MB_BITS16, NULL, 0, IN, .name = "RegPVChargerState"),
	MB_REG(0x3580, MB_U16, "/Dc/0/Voltage", 100, IN, .name = "RegBAVol"),
	MB_REG(0x3581, MB_S32, "/Dc/0/Current", 100, IN, .name = "RegBACur"),
	MB_REG(0x3586, MB_U16, "/Soc", 1, IN, .name = "RegBASoc"),
	MB_REG(0x3589, MB_BITS16, NULL, 0, IN, .name = "RegBattState"),
	MB_REG(0x9618, MB_U16, NULL, 100, .name = "ECV", .flags = MB_F_WRITABLE),
};

static struct mb_block blocks[256];
static size_t n_blocks;

static int plan(const struct mb_reg *regs, size_t n, unsigned int max, unsigned int gap,
		uint32_t mask, const struct mb_addr_set *bad)
{
	struct mb_plan_params p = { .max_regs = max, .bridge_gap = gap, .group_mask = mask };

	return mb_plan(regs, n, &p, bad, blocks, G_N_ELEMENTS(blocks), &n_blocks);
}

static void expect(size_t i, enum mb_space space, uint16_t addr, uint16_t count)
{
	ck_assert_uint_lt(i, n_blocks);
	ck_assert_int_eq(blocks[i].space, space);
	ck_assert_uint_eq(blocks[i].addr, addr);
	ck_assert_uint_eq(blocks[i].count, count);
}

/* Every wanted register lies inside the block that names it. */
static void assert_covering(const struct mb_reg *regs)
{
	for (size_t i = 0; i < n_blocks; i++) {
		const struct mb_block *b = &blocks[i];

		for (size_t k = b->first; k <= b->last; k++) {
			if (regs[k].space != b->space)
				continue;
			ck_assert_uint_ge(regs[k].addr, b->addr);
			ck_assert_uint_le(regs[k].addr + mb_reg_width(&regs[k]),
					  b->addr + b->count);
		}
	}
}

/* UP5000 "small blocks (<= 10) are safe": 20 single reads become 7 block reads. */
START_TEST(test_up5000_seven_blocks)
{
	size_t single = 0;

	ck_assert_int_eq(mb_table_check(up5000, G_N_ELEMENTS(up5000), NULL, 0), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(up5000); i++)
		single += mb_reg_width(&up5000[i]);
	ck_assert_uint_eq(single, 21); /* the 20 the driver read, plus 0x3582 (current high) */

	ck_assert_int_eq(plan(up5000, G_N_ELEMENTS(up5000), 10, 4, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 7);
	expect(0, MB_INPUT, 0x3500, 4);
	expect(1, MB_INPUT, 0x3511, 1);
	expect(2, MB_INPUT, 0x3521, 3);
	expect(3, MB_INPUT, 0x3549, 4);
	expect(4, MB_INPUT, 0x3557, 3);
	expect(5, MB_INPUT, 0x3580, 10); /* 0x3583-85 and 0x3587-88 read through */
	expect(6, MB_HOLDING, 0x9618, 1);
	assert_covering(up5000);

	/* wire bytes at RTU framing: 20 x (8 + 7) = 300 before, 143 now */
	ck_assert_uint_eq(20 * mb_read_wire_bytes(MB_FRAMING_RTU, 1), 300);
	ck_assert_uint_eq(mb_plan_wire_bytes(blocks, n_blocks, MB_FRAMING_RTU), 143);
}
END_TEST

/* With the protocol limit and a 16-register bridge the same data takes 4 requests. */
START_TEST(test_up5000_wide)
{
	ck_assert_int_eq(plan(up5000, G_N_ELEMENTS(up5000), 0, 16, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 4);
	expect(0, MB_INPUT, 0x3500, 0x24);
	expect(1, MB_INPUT, 0x3549, 0x11);
	expect(2, MB_INPUT, 0x3580, 10);
	expect(3, MB_HOLDING, 0x9618, 1);
	assert_covering(up5000);
}
END_TEST

/* No bridging: one block per run of adjacent registers. */
START_TEST(test_no_bridge)
{
	ck_assert_int_eq(plan(up5000, G_N_ELEMENTS(up5000), 125, 0, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 9);
	expect(5, MB_INPUT, 0x3580, 3);
	expect(6, MB_INPUT, 0x3586, 1);
	expect(7, MB_INPUT, 0x3589, 1);
}
END_TEST

/*
 * Huawei SUN2000 (devices doc A.7) live values, max 64 per read (A.3), bridge 16:
 * 32064..32115 is one request of 52 registers.
 */
START_TEST(test_huawei_one_block)
{
	static const struct mb_reg sun2000[] = {
		MB_REG(32064, MB_S32, "/Pv/P", 1),
		MB_REG(32066, MB_U16, "/Ac/L1/Vll", 10),
		MB_REG(32069, MB_U16, "/Ac/L1/V", 10),
		MB_REG(32072, MB_S32, "/Ac/L1/I", 1000),
		MB_REG(32080, MB_S32, "/Ac/Power", 1),
		MB_REG(32085, MB_U16, "/Ac/F", 100),
		MB_REG(32087, MB_S16, "/Temp", 10),
		MB_REG(32089, MB_U16, "/Status", 1),
		MB_REG(32106, MB_U32, "/Ac/Energy/Forward", 100, .flags = MB_F_ENERGY),
		MB_REG(32114, MB_U32, "/Ac/Energy/Today", 100),
	};

	ck_assert_int_eq(plan(sun2000, G_N_ELEMENTS(sun2000), 64, 16, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 1);
	expect(0, MB_HOLDING, 32064, 52);
	ck_assert_uint_eq(blocks[0].first, 0);
	ck_assert_uint_eq(blocks[0].last, 9);
}
END_TEST

/* 130 adjacent registers do not fit one request. */
START_TEST(test_max_regs_split)
{
	struct mb_reg regs[130];

	for (unsigned int i = 0; i < 130; i++)
		regs[i] = (struct mb_reg)MB_REG((uint16_t)(100 + i), MB_U16, NULL, 1);
	ck_assert_int_eq(plan(regs, 130, 0, 0, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 2);
	ck_assert_uint_eq(blocks[0].count + blocks[1].count, 130);
	ck_assert_uint_le(blocks[0].count, 125);
	ck_assert_uint_le(blocks[1].count, 125);
	assert_covering(regs);
	ck_assert_int_eq(plan(regs, 130, 10, 0, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 13);
}
END_TEST

/* Of two plans with equally few blocks, the one reading fewer registers wins. */
START_TEST(test_fewest_registers)
{
	static const struct mb_reg regs[] = {
		MB_REG(0, MB_U16, NULL, 1),
		MB_REG(2, MB_U16, NULL, 1),
		MB_REG(9, MB_U16, NULL, 1),
		MB_REG(11, MB_U16, NULL, 1),
	};

	/* greedy would take [0..9] + [11] (11 registers); [0..2] + [9..11] reads 6 */
	ck_assert_int_eq(plan(regs, 4, 10, 10, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 2);
	expect(0, MB_HOLDING, 0, 3);
	expect(1, MB_HOLDING, 9, 3);
}
END_TEST

/* A single unsupported register is left out; its neighbours are still read. */
START_TEST(test_bad_register_excluded)
{
	struct mb_reg regs[10];
	struct mb_addr_set bad = MB_ADDR_SET_INIT;

	for (unsigned int i = 0; i < 10; i++)
		regs[i] = (struct mb_reg)MB_REG((uint16_t)(0x100 + i), MB_U16, NULL, 1);
	ck_assert_int_eq(mb_addr_set_add(&bad, MB_HOLDING, 0x105, 1), 0);
	ck_assert_int_eq(plan(regs, 10, 125, 16, 1, &bad), 0);
	ck_assert_uint_eq(n_blocks, 2);
	expect(0, MB_HOLDING, 0x100, 5);
	expect(1, MB_HOLDING, 0x106, 4);
	/* the same address in the other space changes nothing */
	mb_addr_set_done(&bad);
	ck_assert_int_eq(mb_addr_set_add(&bad, MB_INPUT, 0x105, 1), 0);
	ck_assert_int_eq(plan(regs, 10, 125, 16, 1, &bad), 0);
	ck_assert_uint_eq(n_blocks, 1);
	mb_addr_set_done(&bad);
}
END_TEST

/* A bad word of a 32-bit register drops the whole register. */
START_TEST(test_bad_word_of_u32)
{
	static const struct mb_reg regs[] = {
		MB_REG(10, MB_U16, NULL, 1),
		MB_REG(11, MB_U32, NULL, 1),
		MB_REG(13, MB_U16, NULL, 1),
	};
	struct mb_addr_set bad = MB_ADDR_SET_INIT;

	ck_assert_int_eq(mb_addr_set_add(&bad, MB_HOLDING, 12, 1), 0);
	ck_assert_int_eq(plan(regs, 3, 125, 0, 1, &bad), 0);
	ck_assert_uint_eq(n_blocks, 2);
	expect(0, MB_HOLDING, 10, 1);
	expect(1, MB_HOLDING, 13, 1);
	mb_addr_set_done(&bad);
}
END_TEST

/* An unsupported address inside a gap stops the bridge over that gap. */
START_TEST(test_bad_gap_not_bridged)
{
	static const struct mb_reg regs[] = { MB_REG(0x100, MB_U16, NULL, 1),
					      MB_REG(0x104, MB_U16, NULL, 1) };
	struct mb_addr_set bad = MB_ADDR_SET_INIT;

	ck_assert_int_eq(plan(regs, 2, 125, 4, 1, NULL), 0);
	ck_assert_uint_eq(n_blocks, 1);
	expect(0, MB_HOLDING, 0x100, 5);
	ck_assert_int_eq(mb_addr_set_add(&bad, MB_HOLDING, 0x102, 1), 0);
	ck_assert_int_eq(plan(regs, 2, 125, 4, 1, &bad), 0);
	ck_assert_uint_eq(n_blocks, 2);
	mb_addr_set_done(&bad);
}
END_TEST

/* Only the groups in the mask are planned; others in between are just gap. */
START_TEST(test_group_mask)
{
	static const struct mb_reg regs[] = {
		MB_REG(0, MB_U16, NULL, 1, .group = 0),	 MB_REG(1, MB_U16, NULL, 1, .group = 1),
		MB_REG(2, MB_U16, NULL, 1, .group = 1),	 MB_REG(3, MB_U16, NULL, 1, .group = 0),
		MB_REG(50, MB_U16, NULL, 1, .group = 2),
	};

	ck_assert_int_eq(plan(regs, 5, 125, 2, 1 << 0, NULL), 0);
	ck_assert_uint_eq(n_blocks, 1);
	expect(0, MB_HOLDING, 0, 4);
	ck_assert_int_eq(plan(regs, 5, 125, 1, 1 << 0, NULL), 0);
	ck_assert_uint_eq(n_blocks, 2);
	ck_assert_int_eq(plan(regs, 5, 125, 0, 1 << 2, NULL), 0);
	ck_assert_uint_eq(n_blocks, 1);
	expect(0, MB_HOLDING, 50, 1);
	ck_assert_int_eq(plan(regs, 5, 125, 0, 0, NULL), 0);
	ck_assert_uint_eq(n_blocks, 0);
}
END_TEST

START_TEST(test_errors)
{
	static const struct mb_reg str[] = { MB_REG(30000, MB_STR, NULL, 0, .len = 15) };
	struct mb_plan_params p = { .max_regs = 10, .group_mask = 1 };
	struct mb_block one[1];
	size_t n = 0;

	ck_assert_int_eq(plan(str, 1, 10, 0, 1, NULL), -EINVAL);
	ck_assert_int_eq(plan(str, 1, 126, 0, 1, NULL), -EINVAL);
	ck_assert_int_eq(plan(str, 1, 15, 0, 1, NULL), 0);
	p.bridge_gap = 0;
	ck_assert_int_eq(mb_plan(up5000, G_N_ELEMENTS(up5000), &p, NULL, one, 1, &n), -ENOSPC);
	ck_assert_uint_eq(n, 7 + 2);
}
END_TEST

START_TEST(test_addr_set)
{
	struct mb_addr_set s = MB_ADDR_SET_INIT;

	ck_assert(!mb_addr_set_has(&s, MB_HOLDING, 0, 100));
	ck_assert(!mb_addr_set_has(NULL, MB_HOLDING, 0, 100));
	ck_assert_int_eq(mb_addr_set_add(&s, MB_HOLDING, 20, 3), 0);
	ck_assert_int_eq(mb_addr_set_add(&s, MB_HOLDING, 21, 1), 0);
	ck_assert_int_eq(mb_addr_set_add(&s, MB_INPUT, 0xFFFF, 5), 0);
	ck_assert_uint_eq(s.n_keys, 4);
	ck_assert(mb_addr_set_has(&s, MB_HOLDING, 22, 1));
	ck_assert(mb_addr_set_has(&s, MB_HOLDING, 10, 11));
	ck_assert(!mb_addr_set_has(&s, MB_HOLDING, 10, 10));
	ck_assert(!mb_addr_set_has(&s, MB_HOLDING, 23, 100));
	ck_assert(!mb_addr_set_has(&s, MB_INPUT, 20, 3));
	ck_assert(mb_addr_set_has(&s, MB_INPUT, 0xFFFE, 2));
	/* the end of holding space does not run into input space */
	ck_assert(!mb_addr_set_has(&s, MB_HOLDING, 0xFFFF, 10));
	mb_addr_set_done(&s);
	ck_assert_uint_eq(s.n_keys, 0);
}
END_TEST

START_TEST(test_wire_bytes)
{
	/* RTU: 8-byte request, 5 + 2n reply; TCP: 12-byte request, 9 + 2n reply */
	ck_assert_uint_eq(mb_read_wire_bytes(MB_FRAMING_RTU, 10), 8 + 25);
	ck_assert_uint_eq(mb_read_wire_bytes(MB_FRAMING_TCP, 64), 12 + 137);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("mb-plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, test_up5000_seven_blocks);
	tcase_add_test(tc, test_up5000_wide);
	tcase_add_test(tc, test_no_bridge);
	tcase_add_test(tc, test_huawei_one_block);
	tcase_add_test(tc, test_max_regs_split);
	tcase_add_test(tc, test_fewest_registers);
	tcase_add_test(tc, test_bad_register_excluded);
	tcase_add_test(tc, test_bad_word_of_u32);
	tcase_add_test(tc, test_bad_gap_not_bridged);
	tcase_add_test(tc, test_group_mask);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("support");
	tcase_add_test(tc, test_addr_set);
	tcase_add_test(tc, test_wire_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(plan_suite());
}
