/* SPDX-License-Identifier: MIT */
/*
 * test-saj-chs2-regs.c - the SAJ CHS2 register table, mapping and configuration: the table
 * lints, every register carries its source, the names the code uses exist, decoding of words
 * written by hand from the devices doc part B (never our encoder), the read plan, and
 * configuration errors that name the key
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "drivers/saj-chs2/saj-chs2.h"
#include "mb-plan.h"
#include "check-run.h"

static const struct mb_reg *reg(const char *name)
{
	const struct mb_reg *r = saj_reg_by_name(saj_regs, saj_n_regs, name);

	ck_assert_msg(r, "no register %s", name);
	return r;
}

static double decode(const char *name, const uint16_t *words)
{
	struct mb_val v;

	ck_assert_int_eq(mb_decode(reg(name), words, MB_WORDS_HIGH_FIRST, &v), 0);
	ck_assert_int_eq(v.kind, MB_VAL_NUMBER);
	return v.value;
}

START_TEST(test_tables)
{
	char err[160] = "";

	ck_assert_msg(mb_table_check(saj_regs, saj_n_regs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(mb_table_check(saj_ctrl_regs, saj_n_ctrl_regs, err, sizeof(err)) == 0, "%s",
		      err);
	for (size_t i = 0; i < saj_n_regs; i++) {
		ck_assert_msg(saj_regs[i].name && saj_regs[i].source, "0x%04x", saj_regs[i].addr);
		ck_assert_ptr_eq(reg(saj_regs[i].name), &saj_regs[i]); /* names unique */
	}
	for (size_t i = 0; i < saj_n_ctrl_regs; i++)
		ck_assert(saj_ctrl_regs[i].name && saj_ctrl_regs[i].source);
	ck_assert_int_eq(saj_map_check(), 0);
	/* the names the control code writes */
	ck_assert_uint_eq(saj_ctrl_addr("AppMode"), 0x3647);
	ck_assert_uint_eq(saj_ctrl_addr("PassiveEnable"), 0x3636);
	ck_assert_uint_eq(saj_ctrl_addr("PassiveBatDischarge"), 0x363A);
}
END_TEST

START_TEST(test_models)
{
	size_t n = 0;

	for (; saj_models[n].name; n++)
		ck_assert_str_eq(saj_models[n].name, saj_model_names[n]);
	ck_assert_uint_eq(n, 6);
	ck_assert_ptr_null(saj_model_names[n]);
	ck_assert_double_eq(saj_models[0].rated, 29900);
	ck_assert_double_eq(saj_models[5].rated, 63000);
}
END_TEST

/* Words as the H2 protocol shows them (devices doc B.4/B.5), decoded by the engine. */
START_TEST(test_decode)
{
	ck_assert_double_eq_tol(decode("BatVolt", (uint16_t[]){ 4012 }), 401.2, 1e-9);
	ck_assert_double_eq_tol(decode("BatCurr", (uint16_t[]){ 0xFC18 }), -10.0, 1e-9);
	ck_assert_double_eq_tol(decode("BatPower", (uint16_t[]){ 0xEC78 }), -5000, 1e-9);
	ck_assert_double_eq_tol(decode("BatSoc", (uint16_t[]){ 8734 }), 87.34, 1e-9);
	ck_assert_double_eq_tol(decode("BatTemp", (uint16_t[]){ 0xFFEC }), -2.0, 1e-9);
	/* 0.01 kWh, high word first: 0x0001E240 = 123456 -> 1234.56 kWh */
	ck_assert_double_eq_tol(decode("SellTotal", (uint16_t[]){ 0x0001, 0xE240 }), 1234.56, 1e-9);
	ck_assert_double_eq_tol(decode("MeterPfR", (uint16_t[]){ 0xFC7C }), -0.9, 1e-9);
	ck_assert_double_eq_tol(decode("MeterFreqR", (uint16_t[]){ 4998 }), 49.98, 1e-9);
	ck_assert_double_eq_tol(decode("BmsChargeLimit", (uint16_t[]){ 1250 }), 125.0, 1e-9);
	ck_assert_double_eq_tol(decode("Fault2", (uint16_t[]){ 0x4000, 0x0001 }), 0x40000001, 1e-9);
	ck_assert_int_eq(reg("FeedInTotal")->addr, 0x40FD); /* "FeedIn" is the import */
	ck_assert(reg("FeedInTotal")->flags & MB_F_ENERGY);
}
END_TEST

START_TEST(test_identity)
{
	uint16_t serial[10] = { 0x4348, 0x5332, 0x5335, 0x304B, 0x3234,
				0x3036, 0x3030, 0x3132, 0x3334, 0x0000 }; /* "CHS2S50K2406001234" */
	uint16_t none = 0xFFFF;
	struct mb_val v;

	ck_assert_int_eq(mb_decode(reg("Serial"), serial, MB_WORDS_HIGH_FIRST, &v), 0);
	ck_assert_str_eq(v.str, "CHS2S50K2406001234");
	ck_assert_int_eq(mb_decode(reg("MasterVersion"), &none, MB_WORDS_HIGH_FIRST, &v), 0);
	ck_assert_int_eq(v.kind, MB_VAL_INVALID);
}
END_TEST

/* Every cycle reads the fast group in 3 requests (0x4004-0x407C, 0x4096-0x40AD, 0xA034-...). */
START_TEST(test_plan)
{
	struct mb_plan_params p = { .max_regs = MB_MAX_READ_REGS,
				    .bridge_gap = 24,
				    .group_mask = 1u << SAJ_G_FAST };
	struct mb_block blocks[16];
	size_t n = 0;

	ck_assert_int_eq(mb_plan(saj_regs, saj_n_regs, &p, NULL, blocks, 16, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(blocks[0].addr, 0x4004);
	ck_assert_uint_eq(blocks[2].addr, 0xA034);
	p.group_mask = 1u << SAJ_G_SLOW;
	ck_assert_int_eq(mb_plan(saj_regs, saj_n_regs, &p, NULL, blocks, 16, &n), 0);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* Configuration: errors name the key. */
static GString *logged;

static void sink(enum log_level level, const char *line, void *userdata)
{
	g_string_append_printf(logged, "%s\n", line);
}

static int load(const char *text, struct saj_config *c)
{
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(cfg_defaults(saj_keys, c), 0);
	return cfg_load_data(saj_keys, "test.ini", text, c);
}

START_TEST(test_config)
{
	struct saj_config c;
	char buf[96];

	logged = g_string_new(NULL);
	log_set_sink(sink, NULL);
	ck_assert_int_eq(cfg_check_table(saj_keys), 0);
	ck_assert_int_eq(load("[link]\nhost = 10.0.0.5\n[device]\nmodel = CHS2-30K-T4-X\n", &c), 0);
	ck_assert_double_eq(saj_rated_power(&c), 30000);
	ck_assert_str_eq(saj_suffix(&c, buf, sizeof(buf)), "saj_10_0_0_5");
	ck_assert_int_eq(saj_config_check(&c), 0);
	cfg_free(saj_keys, &c);
	ck_assert_int_eq(load("[control]\nrated_power = 25000\n[link]\nhost=h\nunit=3\n", &c), 0);
	ck_assert_double_eq(saj_rated_power(&c), 25000);
	ck_assert_str_eq(saj_suffix(&c, buf, sizeof(buf)), "saj_h_3");
	cfg_free(saj_keys, &c);
	ck_assert_int_eq(load("[device]\nmodel = CHS2-99K\n", &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(logged->str, "[device] model"));
	cfg_free(saj_keys, &c);
	ck_assert_int_eq(load("[battery]\nmin_soc = 80\nmax_soc = 60\n", &c), 0);
	ck_assert_int_eq(saj_config_check(&c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(logged->str, "[battery] min_soc"));
	cfg_free(saj_keys, &c);
	ck_assert_int_eq(load("[device]\nservice_suffix = 2nd-one\n", &c), 0);
	ck_assert_int_eq(saj_config_check(&c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(logged->str, "[device] service_suffix"));
	cfg_free(saj_keys, &c);
	ck_assert_int_eq(load("[device]\nservice_suffix = garage\n", &c), 0);
	ck_assert_int_eq(saj_config_check(&c), 0);
	ck_assert_str_eq(saj_suffix(&c, buf, sizeof(buf)), "garage");
	cfg_free(saj_keys, &c);
	ck_assert_int_eq(load("[control]\nkeepalive_registr = 5\n", &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(logged->str, "keepalive_registr"));
	cfg_free(saj_keys, &c);
	log_set_sink(NULL, NULL);
	g_string_free(logged, TRUE);
}
END_TEST

/* doc/drivers/saj-chs2.rst from the working directory or above the test binary. */
static __attribute__((noinline)) char *read_doc(void)
{
	static const char rel[] = "doc/drivers/saj-chs2.rst";
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : g_strdup(".");
	g_autofree char *up = g_strdup_printf("%s/../../../%s", dir, rel);
	char *doc = NULL;

	if (!g_file_get_contents(rel, &doc, NULL, NULL))
		g_file_get_contents(up, &doc, NULL, NULL);
	return doc;
}

/* The doc's key table is what --config-reference prints (between the two markers). */
START_TEST(test_doc_config_table)
{
	char *doc = read_doc();
	char *printed = NULL, *begin, *end;
	size_t len = 0;
	FILE *f = open_memstream(&printed, &len);

	cfg_print_rst(saj_keys, f);
	fclose(f);
	ck_assert_ptr_nonnull(doc);
	begin = strstr(doc, ".. config-reference-begin\n\n");
	end = strstr(doc, "\n.. config-reference-end");
	ck_assert(begin && end && end > begin);
	begin += strlen(".. config-reference-begin\n\n");
	*end = '\0';
	ck_assert_str_eq(g_strchomp(begin), g_strchomp(printed));
	free(printed);
	g_free(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("saj-chs2-regs");
	TCase *tc = tcase_create("regs");

	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_models);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_doc_config_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
