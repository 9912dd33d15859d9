/* SPDX-License-Identifier: MIT */
/* args.c - the command line shared by every driver: common options, key overrides, --help */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "args.h"
#include "config.h"
#include "log.h"

#ifndef VHD_VERSION
#define VHD_VERSION "unknown"
#endif

/* getopt values of long-only options; key options are OPT_KEY + index */
enum {
	OPT_DBUS = 0x100,
	OPT_REFERENCE,
	OPT_KEY = 0x200,
};

static const struct option common_options[] = {
	{ "dbus", required_argument, NULL, OPT_DBUS },
	{ "config", required_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "check", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "config-reference", no_argument, NULL, OPT_REFERENCE },
};

static const char common_short[] = "c:vnhV";

/* A key set on the command line, applied after the file. */
struct override {
	const struct cfg_key *key;
	const char *text; /* borrowed from argv */
};

struct parser {
	const struct cfg_program *prog;
	struct cfg_common *common;
	struct override *overrides;
	size_t n_overrides;
	int exit_request; /* 'h', 'V' or OPT_REFERENCE */
};

bool cfg_option_taken(const char *name, int short_opt)
{
	if (short_opt > 0 && short_opt < 0x100 && strchr(common_short, short_opt))
		return true;
	for (size_t i = 0; name && i < G_N_ELEMENTS(common_options); i++)
		if (strcmp(common_options[i].name, name) == 0)
			return true;
	return false;
}

/* The options table (common ones, then one per key with an option) and the short string. */
static struct option *build_options(const struct cfg_key *keys, GString *shorts)
{
	size_t n_keys = cfg_n_keys(keys);
	size_t n = G_N_ELEMENTS(common_options);
	struct option *opts = g_new0(struct option, n + n_keys + 1);

	memcpy(opts, common_options, sizeof(common_options));
	g_string_assign(shorts, ":");
	g_string_append(shorts, common_short);
	for (size_t i = 0; i < n_keys; i++) {
		const struct cfg_key *k = &keys[i];
		bool is_bool = k->type == CFG_BOOL;

		if (!k->option)
			continue;
		opts[n++] = (struct option){ k->option, is_bool ? optional_argument
								: required_argument,
					     NULL, OPT_KEY + (int)i };
		if (k->short_option)
			g_string_append_printf(shorts, "%c%s", k->short_option, is_bool ? "" : ":");
	}
	return opts;
}

static const struct cfg_key *key_by_short(const struct cfg_key *keys, int c)
{
	for (size_t i = 0; keys && keys[i].key; i++)
		if (keys[i].option && keys[i].short_option == c)
			return &keys[i];
	return NULL;
}

static void add_override(struct parser *p, const struct cfg_key *k, const char *text)
{
	p->overrides = g_renew(struct override, p->overrides, p->n_overrides + 1);
	p->overrides[p->n_overrides++] = (struct override){ k, text ? text : "true" };
}

/* A key's option, long (OPT_KEY + index) or short. */
static int handle_key_option(struct parser *p, int c, const char *arg)
{
	const struct cfg_key *keys = p->prog->keys;
	const struct cfg_key *k = NULL;

	if (c >= OPT_KEY && (size_t)(c - OPT_KEY) < cfg_n_keys(keys))
		k = &keys[c - OPT_KEY];
	else
		k = key_by_short(keys, c);
	if (!k) {
		log_err("unknown option -%c; see --help", c);
		return -EINVAL;
	}
	add_override(p, k, arg);
	return 0;
}

/* One option from getopt_long(); @arg is optarg. Return: 0 or -EINVAL. */
static int handle_option(struct parser *p, int c, const char *arg, char *const *argv)
{
	switch (c) {
	case OPT_DBUS:
		g_free(p->common->dbus);
		p->common->dbus = g_strdup(arg);
		return 0;
	case 'c':
		g_free(p->common->config_file);
		p->common->config_file = g_strdup(arg);
		return 0;
	case 'v':
		p->common->verbosity++;
		return 0;
	case 'n':
		p->common->check_only = true;
		return 0;
	case 'h':
	case 'V':
	case OPT_REFERENCE:
		if (!p->exit_request)
			p->exit_request = c;
		return 0;
	case ':':
		log_err("option %s needs a value; see --help", argv[optind - 1]);
		return -EINVAL;
	case '?':
		if (optopt > 0 && optopt < 0x100)
			log_err("unknown option -%c; see --help", optopt);
		else
			log_err("unknown option %s; see --help", argv[optind - 1]);
		return -EINVAL;
	}
	return handle_key_option(p, c, arg);
}

static int scan_options(struct parser *p, int argc, char **argv)
{
	g_autoptr(GString) shorts = g_string_new(NULL);
	g_autofree struct option *opts = build_options(p->prog->keys, shorts);
	int c;

	optind = 0; /* glibc: full re-initialisation, so tests can parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts->str, opts, NULL)) != -1)
		if (handle_option(p, c, optarg, argv) < 0)
			return -EINVAL;
	p->common->args = g_new0(char *, (size_t)(argc - optind) + 1);
	for (int i = optind; i < argc; i++)
		p->common->args[i - optind] = g_strdup(argv[i]);
	return 0;
}

static int apply_overrides(const struct parser *p, void *conf)
{
	char why[CFG_PROBLEM_MAX];

	for (size_t i = 0; i < p->n_overrides; i++) {
		const struct cfg_key *k = p->overrides[i].key;

		if (cfg_key_parse(k, p->overrides[i].text, conf, why, sizeof(why)) < 0) {
			log_err("--%s=%s ([%s] %s): %s", k->option, p->overrides[i].text,
				k->group, k->key, why);
			return -EINVAL;
		}
	}
	return 0;
}

static bool key_empty(const struct cfg_key *k, void *conf)
{
	const void *f = (const char *)conf + k->offset;

	if (k->type == CFG_INT_LIST)
		return ((const struct cfg_int_list *)f)->n_values == 0;
	return !*(char *const *)f || !**(char *const *)f;
}

/* A required key must not be left empty by the defaults, the file and the options. */
static int check_required(const struct cfg_key *keys, void *conf)
{
	int r = 0;

	for (size_t i = 0; keys && keys[i].key; i++) {
		const struct cfg_key *k = &keys[i];

		if (!(k->flags & CFG_KEY_REQUIRED) || !key_empty(k, conf))
			continue;
		log_err("[%s] %s: required; set it in the configuration file%s%s", k->group, k->key,
			k->option ? " or with --" : "", k->option ? k->option : "");
		r = -EINVAL;
	}
	return r;
}

static int check_args(const struct cfg_program *prog, char **args)
{
	unsigned int n = g_strv_length(args);

	if (n < prog->min_args) {
		log_err("missing argument %s; see --help", prog->args ? prog->args : "");
		return -EINVAL;
	}
	if (n > prog->max_args) {
		log_err("unexpected argument \"%s\"; see --help", args[prog->max_args]);
		return -EINVAL;
	}
	return 0;
}

static void print_exit_request(const struct cfg_program *prog, int what)
{
	if (what == 'h')
		cfg_print_help(prog, stdout);
	else if (what == 'V')
		printf("%s %s\n", prog->name, VHD_VERSION);
	else
		cfg_print_rst(prog->keys, stdout);
}

static int parse(struct parser *p, int argc, char **argv, void *conf)
{
	int r = cfg_check_table(p->prog->keys);

	if (r < 0)
		return r;
	r = cfg_defaults(p->prog->keys, conf);
	if (r < 0)
		return r;
	r = scan_options(p, argc, argv);
	if (r < 0)
		return r;
	log_set_verbosity(p->common->verbosity);
	if (p->exit_request) {
		print_exit_request(p->prog, p->exit_request);
		return CFG_EXIT;
	}
	if (p->common->config_file) {
		r = cfg_load_file(p->prog->keys, p->common->config_file, conf);
		if (r < 0)
			return -EINVAL;
	}
	r = apply_overrides(p, conf);
	if (r < 0)
		return r;
	r = check_required(p->prog->keys, conf);
	if (r < 0)
		return r;
	return check_args(p->prog, p->common->args);
}

int cfg_parse(const struct cfg_program *prog, int argc, char **argv,
	      struct cfg_common *ret_common, void *conf)
{
	struct parser p = { .prog = prog, .common = ret_common };
	int r;

	*ret_common = (struct cfg_common){ 0 };
	r = parse(&p, argc, argv, conf);
	g_free(p.overrides);
	if (!ret_common->args)
		ret_common->args = g_new0(char *, 1);
	return r;
}

void cfg_common_done(struct cfg_common *c)
{
	if (!c)
		return;
	g_free(c->dbus);
	g_free(c->config_file);
	g_strfreev(c->args);
	*c = (struct cfg_common){ 0 };
}

static void print_option(FILE *f, int short_opt, const char *name, const char *metavar,
			 bool optional, const char *help)
{
	char left[64];
	int n;

	if (short_opt)
		n = snprintf(left, sizeof(left), "  -%c, --%s", short_opt, name);
	else
		n = snprintf(left, sizeof(left), "      --%s", name);
	if (metavar && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, optional ? "[=%s]" : "=%s", metavar);
	if (strlen(left) > 26)
		fprintf(f, "%s\n%28s%s\n", left, "", help);
	else
		fprintf(f, "%-28s%s\n", left, help);
}

static void print_key_option(FILE *f, const struct cfg_key *k)
{
	g_autofree char *metavar = k->metavar ? g_strdup(k->metavar) : g_ascii_strup(k->key, -1);
	g_autofree char *help = g_strdup_printf("%s ([%s] %s%s%s)", k->help ? k->help : "",
						k->group, k->key, k->def ? ", default " : "",
						k->def ? k->def : "");

	print_option(f, k->short_option, k->option, k->type == CFG_BOOL ? "BOOL" : metavar,
		     k->type == CFG_BOOL, help);
}

void cfg_print_help(const struct cfg_program *prog, FILE *f)
{
	const struct cfg_key *keys = prog->keys;

	fprintf(f, "Usage: %s [OPTION...]%s%s\n%s\n\nOptions:\n", prog->name,
		prog->args ? " " : "", prog->args ? prog->args : "",
		prog->summary ? prog->summary : "");
	print_option(f, 0, "dbus", "BUS", false,
		     "system, session or an address (default: session when\n"
		     "                            DBUS_SESSION_BUS_ADDRESS is set, else system)");
	print_option(f, 'c', "config", "FILE", false, "read configuration keys from FILE (INI)");
	print_option(f, 'v', "verbose", NULL, false, "log more detail (repeatable)");
	print_option(f, 'n', "check", NULL, false,
		     "check the arguments and the configuration, then exit");
	print_option(f, 'h', "help", NULL, false, "show this text and exit");
	print_option(f, 'V', "version", NULL, false, "show the version and exit");
	print_option(f, 0, "config-reference", NULL, false,
		     "print the configuration keys as reStructuredText and exit");
	for (size_t i = 0; keys && keys[i].key; i++)
		if (keys[i].option)
			print_key_option(f, &keys[i]);
}
