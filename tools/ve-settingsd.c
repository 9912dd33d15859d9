// SPDX-License-Identifier: MIT
/* ve-settingsd.c - com.victronenergy.settings for demo and tests, with localsettings' rules */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "log.h"
#include "ve-settingsd.h"

#ifndef VHD_VERSION
#define VHD_VERSION "0.0.0"
#endif

struct options {
	const char *bus; /* NULL: session bus if DBUS_SESSION_BUS_ADDRESS is set, else system */
	const char *file;
	int n_verbose;
};

static const char usage_text[] =
	"Usage: ve-settingsd [OPTION]...\n"
	"A com.victronenergy.settings service (localsettings' D-Bus API) for demo and tests.\n"
	"\n"
	"  -f, --file FILE          settings file (default ./settings.ini)\n"
	"      --dbus system|session|ADDRESS\n"
	"                           bus to use (default: session if DBUS_SESSION_BUS_ADDRESS\n"
	"                           is set, else system)\n"
	"  -v, --verbose            more logging (repeatable)\n"
	"  -h, --help               this text\n"
	"      --version            print the version\n";

enum { OPT_DBUS = 0x100, OPT_VERSION };

static const struct option long_options[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "dbus", required_argument, NULL, OPT_DBUS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{},
};

/* Return: 0 run, 1 exit successfully (help, version), -EINVAL usage error (printed). */
static int parse_args(int argc, char **argv, struct options *opt)
{
	int c;

	while ((c = getopt_long(argc, argv, "f:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			opt->file = optarg;
			break;
		case OPT_DBUS:
			opt->bus = optarg;
			break;
		case 'v':
			opt->n_verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case OPT_VERSION:
			puts("ve-settingsd " VHD_VERSION);
			return 1;
		default:
			fputs(usage_text, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ve-settingsd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static gboolean on_signal(gpointer data)
{
	struct settingsd *sd = data;

	sd->quit = true;
	return G_SOURCE_CONTINUE;
}

/* Run until SIGTERM/SIGINT: the signal source flips the flag and so ends the iteration. */
static void run(struct settingsd *sd)
{
	while (!sd->quit)
		g_main_context_iteration(NULL, TRUE);
}

int main(int argc, char **argv)
{
	struct options opt = { .file = "settings.ini" };
	struct settingsd sd = { 0 };
	int r;

	r = parse_args(argc, argv, &opt);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : 2;
	log_set_verbosity(opt.n_verbose);
	sd.file = opt.file;
	g_unix_signal_add(SIGTERM, on_signal, &sd);
	g_unix_signal_add(SIGINT, on_signal, &sd);
	store_new(&sd.store);

	r = settingsd_load(&sd);
	if (r < 0)
		goto out;
	r = settingsd_bus_open(&sd, opt.bus);
	if (r < 0)
		goto out;
	log_info("ready: %s, %u settings, file %s", VEDBUS_SETTINGS_NAME, store_count(sd.store),
		 sd.file);

	run(&sd);
	log_info("stopping");
	r = settingsd_save(&sd);
out:
	sd.svc = vedbus_service_free(sd.svc);
	sd.store = store_free(sd.store);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
