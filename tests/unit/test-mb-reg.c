/* SPDX-License-Identifier: MIT */
/*
 * test-mb-reg.c - register decoding against words computed by hand from the device documents
 * (reference/devices-huawei-saj-up5000.md), never produced by mb_encode(); encoding against
 * hand-computed words; the table lint.
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mb-reg.h"
#include "check-run.h"

#define W(...) ((const uint16_t[]){ __VA_ARGS__ })

static struct mb_val dec(const struct mb_reg *r, const uint16_t *words, enum mb_word_order o)
{
	struct mb_val v;

	ck_assert_int_eq(mb_decode(r, words, o, &v), 0);
	return v;
}

static void assert_num(struct mb_val v, double raw, double value)
{
	ck_assert_int_eq(v.kind, MB_VAL_NUMBER);
	ck_assert_double_eq(v.raw, raw);
	ck_assert_double_eq_tol(v.value, value, 1e-9);
}

/* UP5000 C.3: 0x3580 battery voltage, U16, 0.01 V. 51.20 V = 5120 = 0x1400. */
START_TEST(test_up5000_u16)
{
	struct mb_reg r = MB_REG(0x3580, MB_U16, "/Dc/0/Voltage", 100, .space = MB_INPUT);

	assert_num(dec(&r, W(0x1400), MB_WORDS_LOW_FIRST), 5120, 51.2);
}
END_TEST

/*
 * UP5000 C.1: 32-bit values are L at the lower address, H at the next; value = H*65536 + L.
 * 0x3502/0x3503 grid power: L = 0x86A0, H = 0x0001 -> 100000 -> 1000.00 W.
 * H = 1, L = 0 -> 65536 -> 655.36 (the original driver's L + H*0xFFFF gave 655.35).
 */
START_TEST(test_up5000_u32_low_first)
{
	struct mb_reg r = MB_REG(0x3502, MB_U32, "/Ac/ActiveIn/L1/P", 100, .space = MB_INPUT);

	assert_num(dec(&r, W(0x86A0, 0x0001), MB_WORDS_LOW_FIRST), 100000, 1000.0);
	assert_num(dec(&r, W(0x0000, 0x0001), MB_WORDS_LOW_FIRST), 65536, 655.36);
	/* the same words high-first are a different number: order matters */
	assert_num(dec(&r, W(0x0000, 0x0001), MB_WORDS_HIGH_FIRST), 1, 0.01);
}
END_TEST

/* UP5000 0x3581/0x3582 battery current, I32 LH, + = charging. -12.34 A = -1234 = 0xFFFFFB2E. */
START_TEST(test_up5000_s32_low_first)
{
	struct mb_reg r = MB_REG(0x3581, MB_S32, "/Dc/0/Current", 100, .space = MB_INPUT);

	assert_num(dec(&r, W(0xFB2E, 0xFFFF), MB_WORDS_LOW_FIRST), -1234, -12.34);
	assert_num(dec(&r, W(0x04D2, 0x0000), MB_WORDS_LOW_FIRST), 1234, 12.34);
	/* a current above 327.67 A needs the high word: 400.00 A = 40000 = 0x9C40 */
	assert_num(dec(&r, W(0x9C40, 0x0000), MB_WORDS_LOW_FIRST), 40000, 400.0);
}
END_TEST

/* Huawei A.2: high word first. 32080 active power I32 W; 32106 total yield U32 0.01 kWh. */
START_TEST(test_huawei_s32_u32_high_first)
{
	struct mb_reg p =
		MB_REG(32080, MB_S32, "/Ac/Power", 1, .flags = MB_F_INVALID, .invalid = 0x7FFFFFFF);
	struct mb_reg e = MB_REG(32106, MB_U32, "/Ac/Energy/Forward", 100, .flags = MB_F_INVALID,
				 .invalid = 0xFFFFFFFF);

	assert_num(dec(&p, W(0x0000, 0x1388), MB_WORDS_HIGH_FIRST), 5000, 5000);
	assert_num(dec(&p, W(0xFFFF, 0xFF38), MB_WORDS_HIGH_FIRST), -200, -200);
	assert_num(dec(&e, W(0x0001, 0x86A0), MB_WORDS_HIGH_FIRST), 100000, 1000.0);
}
END_TEST

/* Huawei 32085 grid frequency U16 0.01 Hz; 32087 internal temperature I16 0.1 degC. */
START_TEST(test_huawei_16bit)
{
	struct mb_reg f = MB_REG(32085, MB_U16, "/Ac/Frequency", 100);
	struct mb_reg t = MB_REG(32087, MB_S16, "/Temperature", 10);

	assert_num(dec(&f, W(0x1388), MB_WORDS_HIGH_FIRST), 5000, 50.0);
	assert_num(dec(&t, W(0xFF9C), MB_WORDS_HIGH_FIRST), -100, -10.0);
	assert_num(dec(&t, W(0x01C2), MB_WORDS_HIGH_FIRST), 450, 45.0);
}
END_TEST

/* Huawei A.2 invalid markers: U16 0xFFFF, I16 0x7FFF, U32 0xFFFFFFFF, I32 0x7FFFFFFF, I64. */
START_TEST(test_huawei_invalid_markers)
{
	struct mb_reg u16 =
		MB_REG(32086, MB_U16, "/A", 100, .flags = MB_F_INVALID, .invalid = 0xFFFF);
	struct mb_reg s16 =
		MB_REG(32087, MB_S16, "/B", 10, .flags = MB_F_INVALID, .invalid = 0x7FFF);
	struct mb_reg u32 =
		MB_REG(32106, MB_U32, "/C", 100, .flags = MB_F_INVALID, .invalid = 0xFFFFFFFF);
	struct mb_reg s32 =
		MB_REG(32080, MB_S32, "/D", 1, .flags = MB_F_INVALID, .invalid = 0x7FFFFFFF);
	struct mb_reg s64 = MB_REG(32341, MB_S64, "/E", 100, .flags = MB_F_INVALID,
				   .invalid = 0x7FFFFFFFFFFFFFFF);

	ck_assert_int_eq(dec(&u16, W(0xFFFF), MB_WORDS_HIGH_FIRST).kind, MB_VAL_INVALID);
	ck_assert_int_eq(dec(&s16, W(0x7FFF), MB_WORDS_HIGH_FIRST).kind, MB_VAL_INVALID);
	ck_assert_int_eq(dec(&u32, W(0xFFFF, 0xFFFF), MB_WORDS_HIGH_FIRST).kind, MB_VAL_INVALID);
	ck_assert_int_eq(dec(&s32, W(0x7FFF, 0xFFFF), MB_WORDS_HIGH_FIRST).kind, MB_VAL_INVALID);
	ck_assert_int_eq(dec(&s64, W(0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF), MB_WORDS_HIGH_FIRST).kind,
			 MB_VAL_INVALID);
	/* 0xFFFF is a valid -1 for an I16 whose marker is 0x7FFF */
	assert_num(dec(&s16, W(0xFFFF), MB_WORDS_HIGH_FIRST), -1, -0.1);
	/* no MB_F_INVALID: the marker is an ordinary number */
	u16.flags = 0;
	assert_num(dec(&u16, W(0xFFFF), MB_WORDS_HIGH_FIRST), 65535, 655.35);
}
END_TEST

/* Huawei meter 32341 total active energy I64 0.01 kWh: 1000.00 kWh = 100000 = 0x186A0. */
START_TEST(test_huawei_s64)
{
	struct mb_reg r = MB_REG(32341, MB_S64, "/Ac/Energy/Forward", 100);

	assert_num(dec(&r, W(0x0000, 0x0000, 0x0001, 0x86A0), MB_WORDS_HIGH_FIRST), 100000, 1000.0);
	assert_num(dec(&r, W(0xFFFF, 0xFFFF, 0xFFFF, 0xFF9C), MB_WORDS_HIGH_FIRST), -100, -1.0);
	assert_num(dec(&r, W(0x86A0, 0x0001, 0x0000, 0x0000), MB_WORDS_LOW_FIRST), 100000, 1000.0);
}
END_TEST

/* Huawei 30000 model name, STR 15 regs, NUL padded: "SUN2000-10KTL-M1". */
START_TEST(test_huawei_string)
{
	struct mb_reg r = MB_REG(30000, MB_STR, "/ProductName", 0, .len = 15);
	struct mb_val v = dec(&r,
			      W(0x5355, 0x4E32, 0x3030, 0x302D, 0x3130, 0x4B54, 0x4C2D, 0x4D31, 0,
				0, 0, 0, 0, 0, 0),
			      MB_WORDS_HIGH_FIRST);

	ck_assert_int_eq(v.kind, MB_VAL_STRING);
	ck_assert_str_eq(v.str, "SUN2000-10KTL-M1");
	/* trailing blanks go, a control byte shows as '?' */
	r.len = 3;
	v = dec(&r, W(0x4142, 0x0743, 0x2020), MB_WORDS_HIGH_FIRST);
	ck_assert_str_eq(v.str, "AB?C");
}
END_TEST

/* SAJ B.2: "0x00 strings" are invalid; 0xFFFF marks missing version registers. */
START_TEST(test_saj_invalid)
{
	struct mb_reg sn = MB_REG(0x8F03, MB_STR, "/Serial", 0, .len = 10, .flags = MB_F_INVALID,
				  .invalid = 0);
	struct mb_reg ver = MB_REG(0x8F17, MB_U16, "/FirmwareVersion", 1000, .flags = MB_F_INVALID,
				   .invalid = 0xFFFF);

	ck_assert_int_eq(dec(&sn, W(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), MB_WORDS_HIGH_FIRST).kind,
			 MB_VAL_INVALID);
	ck_assert_int_eq(dec(&ver, W(0xFFFF), MB_WORDS_HIGH_FIRST).kind, MB_VAL_INVALID);
	assert_num(dec(&ver, W(0x0C1D), MB_WORDS_HIGH_FIRST), 3101, 3.101);
}
END_TEST

/* A bit field is never scaled; Huawei meter status 65534 = 0xB001 online. */
START_TEST(test_bits16)
{
	struct mb_reg r = MB_REG(65534, MB_BITS16, NULL, 100);

	assert_num(dec(&r, W(0xB001), MB_WORDS_HIGH_FIRST), 0xB001, 0xB001);
}
END_TEST

START_TEST(test_decode_bad)
{
	struct mb_reg s = MB_REG(0, MB_STR, NULL, 0, .len = 0);
	struct mb_reg t = MB_REG(0, (enum mb_type)99, NULL, 0);
	struct mb_val v;

	ck_assert_int_eq(mb_decode(&s, W(0), MB_WORDS_HIGH_FIRST, &v), -EINVAL);
	ck_assert_int_eq(mb_decode(&t, W(0), MB_WORDS_HIGH_FIRST, &v), -EINVAL);
}
END_TEST

/* UP5000 C.7: ECV 54.40 V -> 5440 = 0x1540; writes round to the register's resolution. */
START_TEST(test_encode)
{
	struct mb_reg ecv = MB_REG(0x9618, MB_U16, NULL, 100, .flags = MB_F_WRITABLE);
	struct mb_reg p = MB_REG(0x3502, MB_U32, NULL, 100);
	struct mb_reg s = MB_REG(40420, MB_S32, NULL, 10);
	uint16_t w[4];

	ck_assert_int_eq(mb_encode(&ecv, 54.4, MB_WORDS_LOW_FIRST, w), 0);
	ck_assert_uint_eq(w[0], 0x1540);
	ck_assert_int_eq(mb_encode(&ecv, 54.404, MB_WORDS_LOW_FIRST, w), 0);
	ck_assert_uint_eq(w[0], 0x1540);
	ck_assert_int_eq(mb_encode(&p, 1000.0, MB_WORDS_LOW_FIRST, w), 0);
	ck_assert_uint_eq(w[0], 0x86A0);
	ck_assert_uint_eq(w[1], 0x0001);
	ck_assert_int_eq(mb_encode(&s, -123.4, MB_WORDS_HIGH_FIRST, w), 0);
	ck_assert_uint_eq(w[0], 0xFFFF);
	ck_assert_uint_eq(w[1], 0xFB2E);
}
END_TEST

START_TEST(test_encode_range)
{
	struct mb_reg u = MB_REG(0x9618, MB_U16, NULL, 100);
	struct mb_reg s = MB_REG(0, MB_S16, NULL, 1);
	struct mb_reg lim = MB_REG(0x961F, MB_U16, NULL, 100, .min = 40.0, .max = 60.0);
	struct mb_reg str = MB_REG(0, MB_STR, NULL, 0, .len = 2);
	uint16_t w[2];

	ck_assert_int_eq(mb_encode(&u, 655.36, MB_WORDS_HIGH_FIRST, w), -ERANGE);
	ck_assert_int_eq(mb_encode(&u, -0.01, MB_WORDS_HIGH_FIRST, w), -ERANGE);
	ck_assert_int_eq(mb_encode(&u, 655.35, MB_WORDS_HIGH_FIRST, w), 0);
	ck_assert_int_eq(mb_encode(&s, -32769, MB_WORDS_HIGH_FIRST, w), -ERANGE);
	ck_assert_int_eq(mb_encode(&s, -32768, MB_WORDS_HIGH_FIRST, w), 0);
	ck_assert_uint_eq(w[0], 0x8000);
	ck_assert_int_eq(mb_encode(&lim, 39.99, MB_WORDS_HIGH_FIRST, w), -ERANGE);
	ck_assert_int_eq(mb_encode(&lim, 60.01, MB_WORDS_HIGH_FIRST, w), -ERANGE);
	ck_assert_int_eq(mb_encode(&lim, 50.5, MB_WORDS_HIGH_FIRST, w), 0);
	ck_assert_int_eq(mb_encode(&u, NAN, MB_WORDS_HIGH_FIRST, w), -EINVAL);
	ck_assert_int_eq(mb_encode(&str, 1, MB_WORDS_HIGH_FIRST, w), -EINVAL);
}
END_TEST

static const struct mb_reg good_table[] = {
	MB_REG(0x3500, MB_U16, "/Ac/ActiveIn/L1/V", 100, .space = MB_INPUT),
	MB_REG(0x3502, MB_U32, "/Ac/ActiveIn/L1/P", 100, .space = MB_INPUT),
	MB_REG(0x3504, MB_U16, NULL, 100, .space = MB_INPUT),
	MB_REG(0x9600, MB_U16, NULL, 1),
	MB_REG(0x3580, MB_U16, "/Dc/0/Voltage", 100, .space = MB_INPUT, .group = 7),
	MB_REG(0x9618, MB_U16, "/Settings/Ecv", 100, .flags = MB_F_WRITABLE),
};

START_TEST(test_table_good)
{
	char err[128];

	ck_assert_int_eq(mb_table_check(good_table, G_N_ELEMENTS(good_table), err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(mb_table_find(good_table, G_N_ELEMENTS(good_table), MB_HOLDING, 0x9618),
			 5);
	ck_assert_int_eq(mb_table_find(good_table, G_N_ELEMENTS(good_table), MB_HOLDING, 0x3500),
			 -ENOENT);
}
END_TEST

static void expect_bad(const struct mb_reg *regs, size_t n, const char *needle)
{
	char err[128];

	ck_assert_int_eq(mb_table_check(regs, n, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, needle), "\"%s\" lacks \"%s\"", err, needle);
}

START_TEST(test_table_bad)
{
	const struct mb_reg overlap[] = { MB_REG(10, MB_U32, "/a", 1),
					  MB_REG(11, MB_U16, "/b", 1) };
	const struct mb_reg desc[] = { MB_REG(10, MB_U16, "/a", 1), MB_REG(9, MB_U16, "/b", 1) };
	const struct mb_reg path[] = { MB_REG(10, MB_U16, "Ac/Power", 1) };
	const struct mb_reg dup[] = { MB_REG(10, MB_U16, "/a", 1), MB_REG(12, MB_U16, "/a", 1) };
	const struct mb_reg scale[] = { MB_REG(10, MB_U16, "/a", -10) };
	const struct mb_reg str[] = { MB_REG(10, MB_STR, "/a", 0, .len = 0) };
	const struct mb_reg group[] = { MB_REG(10, MB_U16, "/a", 1, .group = 8) };
	const struct mb_reg end[] = { MB_REG(0xFFFF, MB_U32, "/a", 1) };
	const struct mb_reg spaces[] = { MB_REG(10, MB_U16, "/a", 1),
					 MB_REG(10, MB_U16, "/b", 1, .space = MB_INPUT) };

	expect_bad(overlap, 2, "overlaps");
	expect_bad(desc, 2, "not above");
	expect_bad(path, 1, "does not start");
	expect_bad(dup, 2, "already used");
	expect_bad(scale, 1, "negative scale");
	expect_bad(str, 1, "string length");
	expect_bad(group, 1, "group");
	expect_bad(end, 1, "past");
	/* the same address in the other space is fine */
	ck_assert_int_eq(mb_table_check(spaces, 2, NULL, 0), 0);
}
END_TEST

static Suite *reg_suite(void)
{
	Suite *s = suite_create("mb-reg");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_up5000_u16);
	tcase_add_test(tc, test_up5000_u32_low_first);
	tcase_add_test(tc, test_up5000_s32_low_first);
	tcase_add_test(tc, test_huawei_s32_u32_high_first);
	tcase_add_test(tc, test_huawei_16bit);
	tcase_add_test(tc, test_huawei_invalid_markers);
	tcase_add_test(tc, test_huawei_s64);
	tcase_add_test(tc, test_huawei_string);
	tcase_add_test(tc, test_saj_invalid);
	tcase_add_test(tc, test_bits16);
	tcase_add_test(tc, test_decode_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_encode_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_good);
	tcase_add_test(tc, test_table_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(reg_suite());
}
