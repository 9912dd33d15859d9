// SPDX-License-Identifier: MIT
/* vedbus.c - command-line client for Venus OS D-Bus services: list, get, set, dump, watch, spy */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-cli.h"

#ifndef VHD_VERSION
#define VHD_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"Usage: vedbus [--dbus system|session|ADDRESS] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  list                        com.victronenergy.* services with instance and product\n"
	"  get SERVICE [PATH]          GetValue of PATH (default /: every path)\n"
	"  set SERVICE PATH VALUE      SetValue; prints the reply code (exit 2 if not 0)\n"
	"  dump SERVICE                GetItems: every path, value and text\n"
	"  watch SERVICE|all           print every change until interrupted\n"
	"  spy                         live view of every service (one snapshot without a tty)\n"
	"\n"
	"SERVICE is a bus name or a unique part of a com.victronenergy name: solarcharger,\n"
	"ttyUSB0, battery.sim. VALUE is an int, else a float, else a string; 'invalid' clears.\n"
	"\n"
	"Options:\n"
	"  --dbus BUS          system, session or a D-Bus address (default: the session bus if\n"
	"                      DBUS_SESSION_BUS_ADDRESS is set, else the system bus)\n"
	"  --timeout MS        reply timeout (default 5000)\n"
	"  --text              get: GetText instead of GetValue\n"
	"  -t, --type TYPE     set: int, float, string or invalid instead of guessing\n"
	"  --json              dump: a JSON object {path: value}, invalid as null\n"
	"  --count N           watch: exit after N lines\n"
	"  --filter SUBSTR     list, watch, spy: only services whose name contains SUBSTR\n"
	"  --paths P1,P2       dump, watch, spy: only these paths, their subtrees or globs\n"
	"  --once              spy: print one snapshot and exit\n"
	"  -h, --help          this text\n"
	"  --version           the version\n"
	"\n"
	"Exit status: 0 ok, 1 error, 2 SetValue refused.\n";

enum {
	OPT_TEXT = 1 << 0,
	OPT_TYPE = 1 << 1,
	OPT_JSON = 1 << 2,
	OPT_COUNT = 1 << 3,
	OPT_FILTER = 1 << 4,
	OPT_PATHS = 1 << 5,
	OPT_ONCE = 1 << 6,
};

static const struct command {
	const char *name;
	int min_args;
	int max_args;
	unsigned int options;
	int (*run)(struct vedbus_cli *cli);
} commands[] = {
	{ "list", 0, 0, OPT_FILTER, vedbus_cli_list },
	{ "get", 1, 2, OPT_TEXT, vedbus_cli_get },
	{ "set", 3, 3, OPT_TYPE, vedbus_cli_set },
	{ "dump", 1, 1, OPT_JSON | OPT_PATHS, vedbus_cli_dump },
	{ "watch", 1, 1, OPT_COUNT | OPT_FILTER | OPT_PATHS, vedbus_cli_watch },
	{ "spy", 0, 0, OPT_FILTER | OPT_PATHS | OPT_ONCE, vedbus_cli_spy },
};

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                    */

/* Return: 0, 1 when the program is done (help, version), -EINVAL. */
static int opt_help(struct vedbus_cli *cli, const char *arg)
{
	fputs(usage_text, stdout);
	return 1;
}

static int opt_version(struct vedbus_cli *cli, const char *arg)
{
	printf("vedbus %s\n", VHD_VERSION);
	return 1;
}

static int opt_dbus(struct vedbus_cli *cli, const char *arg)
{
	cli->bus = arg;
	return 0;
}

static int parse_number(const char *arg, long min, long *ret)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v < min)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int opt_timeout(struct vedbus_cli *cli, const char *arg)
{
	long v;
	int r = parse_number(arg, 1, &v);

	cli->timeout_ms = r == 0 ? (int)MIN(v, G_MAXINT) : cli->timeout_ms;
	return r;
}

static int opt_text(struct vedbus_cli *cli, const char *arg)
{
	cli->text = true;
	return 0;
}

static int opt_type(struct vedbus_cli *cli, const char *arg)
{
	return vedbus_cli_parse_type(arg, &cli->type);
}

static int opt_json(struct vedbus_cli *cli, const char *arg)
{
	cli->json = true;
	return 0;
}

static int opt_count(struct vedbus_cli *cli, const char *arg)
{
	return parse_number(arg, 1, &cli->count);
}

static int opt_filter(struct vedbus_cli *cli, const char *arg)
{
	cli->filter = arg;
	return 0;
}

static int opt_paths(struct vedbus_cli *cli, const char *arg)
{
	char **paths = g_strsplit(arg, ",", -1);

	/* "/Dc/0/Voltage" or "Dc/0/Voltage"; globs keep their own form */
	for (char **p = paths; *p; p++) {
		char *norm = vedbus_cli_normalize_path(*p);

		g_free(*p);
		*p = norm;
	}
	g_strfreev(cli->paths);
	cli->paths = paths;
	return 0;
}

static int opt_once(struct vedbus_cli *cli, const char *arg)
{
	cli->once = true;
	return 0;
}

static const struct option {
	const char *name;
	char short_name;
	bool has_arg;
	unsigned int flag; /* OPT_*; 0 for options every command takes */
	int (*apply)(struct vedbus_cli *cli, const char *arg);
} options[] = {
	{ "help", 'h', false, 0, opt_help },
	{ "version", 0, false, 0, opt_version },
	{ "dbus", 0, true, 0, opt_dbus },
	{ "timeout", 0, true, 0, opt_timeout },
	{ "text", 0, false, OPT_TEXT, opt_text },
	{ "type", 't', true, OPT_TYPE, opt_type },
	{ "json", 0, false, OPT_JSON, opt_json },
	{ "count", 0, true, OPT_COUNT, opt_count },
	{ "filter", 0, true, OPT_FILTER, opt_filter },
	{ "paths", 0, true, OPT_PATHS, opt_paths },
	{ "once", 0, false, OPT_ONCE, opt_once },
};

/* "-t", "--type" or "--type=int" -> the option, with an attached value in *ret_value. */
static const struct option *find_option(const char *arg, const char **ret_value)
{
	size_t n;

	*ret_value = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
		const struct option *o = &options[i];

		if (arg[1] != '-') {
			if (o->short_name && arg[1] == o->short_name && !arg[2])
				return o;
			continue;
		}
		n = strlen(o->name);
		if (strncmp(arg + 2, o->name, n) || (arg[2 + n] && arg[2 + n] != '='))
			continue;
		*ret_value = arg[2 + n] ? arg + 3 + n : NULL;
		return o;
	}
	return NULL;
}

/* Negative numbers are values (`set svc /Power -500`), not options. */
static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && !g_ascii_isdigit(arg[1]) && arg[1] != '.';
}

/* The option at argv[*i]; *i moves past its value. Return: as opt_help(). */
static int parse_option(struct vedbus_cli *cli, int argc, char **argv, int *i, unsigned int *seen)
{
	const char *arg = argv[*i], *value;
	const struct option *o = find_option(arg, &value);

	if (!o) {
		fprintf(stderr, "vedbus: unknown option '%s' (see --help)\n", arg);
		return -EINVAL;
	}
	if (o->has_arg && !value) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "vedbus: %s needs a value\n", arg);
			return -EINVAL;
		}
		value = argv[++*i];
	} else if (!o->has_arg && value) {
		fprintf(stderr, "vedbus: --%s takes no value\n", o->name);
		return -EINVAL;
	}
	*seen |= o->flag;
	if (o->apply(cli, value) < 0) {
		fprintf(stderr, "vedbus: bad value '%s' for --%s\n", value, o->name);
		return -EINVAL;
	}
	return o->apply == opt_help || o->apply == opt_version;
}

/* ------------------------------------------------------------------------------------------ */
/* The command line                                                                           */

static int check_command(const struct command *cmd, int n_args, unsigned int seen)
{
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
		if (options[i].flag & seen & ~cmd->options) {
			fprintf(stderr, "vedbus: --%s does not apply to %s\n", options[i].name,
				cmd->name);
			return -EINVAL;
		}
	}
	if (n_args < cmd->min_args || n_args > cmd->max_args) {
		fprintf(stderr, "vedbus: wrong number of arguments for %s (see --help)\n",
			cmd->name);
		return -EINVAL;
	}
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(commands); i++) {
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	}
	if (name)
		fprintf(stderr, "vedbus: unknown command '%s' (see --help)\n", name);
	else
		fprintf(stderr, "vedbus: no command (see --help)\n");
	return NULL;
}

/* Fill @cli from argv. Return: 0 to run *ret_cmd, 1 done (help), -EINVAL. */
static int parse_args(struct vedbus_cli *cli, int argc, char **argv, const struct command **ret_cmd)
{
	GPtrArray *words = g_ptr_array_new();
	unsigned int seen = 0;
	int r = 0;

	for (int i = 1; i < argc && r == 0; i++) {
		if (!strcmp(argv[i], "--")) {
			while (++i < argc)
				g_ptr_array_add(words, argv[i]);
		} else if (is_option(argv[i])) {
			r = parse_option(cli, argc, argv, &i, &seen);
		} else {
			g_ptr_array_add(words, argv[i]);
		}
	}
	if (r == 0) {
		*ret_cmd = find_command(words->len ? words->pdata[0] : NULL);
		r = *ret_cmd ? check_command(*ret_cmd, (int)words->len - 1, seen) : -EINVAL;
	}
	cli->n_args = words->len ? (int)words->len - 1 : 0;
	g_ptr_array_add(words, NULL);
	cli->words = (char **)g_ptr_array_free(words, FALSE);
	cli->args = cli->words[0] ? cli->words + 1 : cli->words;
	return r;
}

static int cli_connect(struct vedbus_cli *cli)
{
	int r = vedbus_bus_open(cli->bus, &cli->conn);

	if (r < 0) {
		fprintf(stderr, "vedbus: cannot connect to the %s bus: %s\n",
			cli->bus ? cli->bus : "default", g_strerror(-r));
		return r;
	}
	cli->loop = g_main_loop_new(NULL, FALSE);
	return 0;
}

static int cli_done(struct vedbus_cli *cli, int status)
{
	if (cli->loop)
		g_main_loop_unref(cli->loop);
	cli->conn = vedbus_bus_close(cli->conn);
	g_free(cli->words);
	g_strfreev(cli->paths);
	return status;
}

int main(int argc, char **argv)
{
	struct vedbus_cli cli = { .timeout_ms = VEDBUS_CLI_TIMEOUT_MS };
	const struct command *cmd = NULL;
	int r;

	r = parse_args(&cli, argc, argv, &cmd);
	if (r != 0)
		return cli_done(&cli, r < 0 ? VEDBUS_CLI_EXIT_ERROR : VEDBUS_CLI_EXIT_OK);
	r = cli_connect(&cli);
	if (r < 0)
		return cli_done(&cli, VEDBUS_CLI_EXIT_ERROR);
	return cli_done(&cli, cmd->run(&cli));
}
