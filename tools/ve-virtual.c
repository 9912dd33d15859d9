// SPDX-License-Identifier: MIT
/* ve-virtual.c - publish VE services described by spec files, driven from stdin and D-Bus */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "log.h"
#include "ve-virtual.h"

#ifndef VHD_VERSION
#define VHD_VERSION "0.0.0"
#endif

/* How long --settings waits for com.victronenergy.settings before using the spec's instance. */
#define SETTINGS_WAIT_MS 2000

struct options {
	const char *bus;
	bool settings;
	bool check;
	int n_verbose;
	char **specs;
	int n_specs;
};

static const char usage_text[] =
	"Usage: ve-virtual [OPTION]... SPEC...\n"
	"Publish one VE service per spec file. Change values with stdin lines\n"
	"'[SERVICE] PATH VALUE[; ...]' or over D-Bus; each D-Bus write to a writable path\n"
	"prints 'W SERVICE PATH VALUE' on stdout.\n"
	"\n"
	"      --dbus system|session|ADDRESS\n"
	"                           bus to use (default: session if DBUS_SESSION_BUS_ADDRESS\n"
	"                           is set, else system)\n"
	"      --settings           take /DeviceInstance and /CustomName from\n"
	"                           com.victronenergy.settings (unique id virtual_SUFFIX)\n"
	"  -n                       check the spec files and exit\n"
	"  -v, --verbose            more logging (repeatable)\n"
	"  -h, --help               this text\n"
	"      --version            print the version\n";

enum { OPT_DBUS = 0x100, OPT_SETTINGS, OPT_VERSION };

static const struct option long_options[] = {
	{ "dbus", required_argument, NULL, OPT_DBUS },
	{ "settings", no_argument, NULL, OPT_SETTINGS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{},
};

/* Return: 0 run, 1 exit successfully (help, version), -EINVAL usage error (printed). */
static int parse_args(int argc, char **argv, struct options *opt)
{
	int c;

	while ((c = getopt_long(argc, argv, "nvh", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_DBUS:
			opt->bus = optarg;
			break;
		case OPT_SETTINGS:
			opt->settings = true;
			break;
		case 'n':
			opt->check = true;
			break;
		case 'v':
			opt->n_verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case OPT_VERSION:
			puts("ve-virtual " VHD_VERSION);
			return 1;
		default:
			fputs(usage_text, stderr);
			return -EINVAL;
		}
	}
	opt->specs = argv + optind;
	opt->n_specs = argc - optind;
	if (opt->n_specs == 0) {
		fputs(usage_text, stderr);
		return -EINVAL;
	}
	return 0;
}

static void service_free(gpointer data)
{
	struct virt_service *vs = data;

	/* the settings client borrows the service's connection: it goes first */
	vedbus_settings_free(vs->settings);
	vedbus_service_free(vs->svc);
	virt_spec_free(vs->spec);
	g_free(vs);
}

static int load_specs(struct virt *vt, const struct options *opt)
{
	g_autofree char *error = NULL;
	struct virt_service *vs;
	int r;

	for (int i = 0; i < opt->n_specs; i++) {
		vs = g_new0(struct virt_service, 1);
		g_ptr_array_add(vt->services, vs);
		r = virt_spec_load(opt->specs[i], &vs->spec, &error);
		if (r < 0) {
			log_err("%s", error);
			return r;
		}
		log_debug("%s: %s with %u paths", opt->specs[i], vs->spec->service,
			  vs->spec->paths->len);
	}
	return 0;
}

/* Every accepted SetValue, keep-alives included: one line for the test that drives us. */
static int on_write(struct vedbus_item *item, const struct vedbus_value *v, void *data)
{
	struct virt_service *vs = data;
	g_autofree char *text = virt_value_text(v);

	printf("W %s %s %s\n", vedbus_service_name(vs->svc), vedbus_item_path(item), text);
	fflush(stdout);
	return 0;
}

/* A spec path: a new item, or a mandatory one taken over (same type only). */
static int add_path(struct virt_service *vs, struct virt_path *p)
{
	struct vedbus_item *item = vedbus_service_item(vs->svc, p->path);
	unsigned int flags = p->writable ? VEDBUS_ITEM_WRITABLE : 0;
	int r;

	if (item && vedbus_item_type(item) != p->type)
		return -EEXIST;
	if (!item) {
		r = vedbus_service_add(vs->svc, p->path, p->type, flags, &item);
		if (r < 0)
			return r;
	}
	vedbus_item_set_flags(item, flags);
	if (p->has_format)
		vedbus_item_set_format(item, &p->fmt);
	if (p->writable)
		vedbus_item_set_write_fn(item, on_write, vs);
	r = vedbus_item_set(item, &p->initial);
	return r < 0 ? r : 0;
}

static int build_service(struct virt_service *vs, const char *bus)
{
	const struct virt_spec *spec = vs->spec;
	struct vedbus_identity id = {
		.process_name = "ve-virtual",
		.process_version = VHD_VERSION,
		.connection = spec->connection ? spec->connection : "Virtual",
		.device_instance = spec->device_instance,
		.product_id = spec->product_id,
		.product_name = spec->product_name,
		.firmware_version = spec->firmware_version,
		.hardware_version = spec->hardware_version,
		.serial = spec->serial,
		.custom_name = spec->custom_name,
	};
	int r;

	r = vedbus_service_new(bus, spec->service, &vs->svc);
	if (r < 0) {
		log_err("%s: cannot create %s: %s", spec->file, spec->service, strerror(-r));
		return r;
	}
	r = vedbus_add_mandatory_paths(vs->svc, &id);
	/* a virtual device is always connected */
	if (r == 0 && vedbus_item_set_int(vedbus_service_item(vs->svc, "/Connected"), 1) < 0)
		r = -EIO;
	for (unsigned int i = 0; r == 0 && i < spec->paths->len; i++) {
		r = add_path(vs, spec->paths->pdata[i]);
		if (r < 0)
			log_err("%s: %s: %s", spec->file,
				((struct virt_path *)spec->paths->pdata[i])->path,
				r == -EEXIST ? "a mandatory path of another type" : strerror(-r));
	}
	return r;
}

/* --settings: /DeviceInstance and /CustomName through Settings/Devices/virtual_SUFFIX. */
static int bind_settings(struct virt_service *vs)
{
	g_autofree char *cls = NULL, *suffix = NULL, *uid = NULL;
	int preferred = MAX(vs->spec->device_instance, 0);
	int r;

	if (virt_spec_class(vs->spec, &cls, &suffix) < 0) {
		log_err("%s: --settings needs a name com.victronenergy.CLASS.SUFFIX",
			vs->spec->file);
		return -EINVAL;
	}
	uid = g_strconcat("virtual_",
			  g_strcanon(suffix, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "_", '_'),
			  NULL);
	r = vedbus_settings_new(vedbus_service_connection(vs->svc), &vs->settings);
	if (r == 0)
		r = vedbus_service_bind_device(vs->svc, vs->settings, uid, cls, preferred);
	if (r < 0)
		log_err("%s: cannot bind to settings as %s: %s", vs->spec->file, uid, strerror(-r));
	return r;
}

static int setup_services(struct virt *vt, const struct options *opt)
{
	struct virt_service *vs;
	int r = 0;

	for (unsigned int i = 0; r == 0 && i < vt->services->len; i++) {
		vs = vt->services->pdata[i];
		r = build_service(vs, opt->bus);
		if (r == 0 && opt->settings)
			r = bind_settings(vs);
	}
	/* the clients sync in parallel: only the first wait can take long */
	for (unsigned int i = 0; r == 0 && opt->settings && i < vt->services->len; i++) {
		vs = vt->services->pdata[i];
		if (vedbus_settings_wait(vs->settings, SETTINGS_WAIT_MS) != 0)
			log_warn("%s: settings not available; using deviceinstance %d",
				 vs->spec->service, vs->spec->device_instance);
	}
	for (unsigned int i = 0; r == 0 && i < vt->services->len; i++) {
		vs = vt->services->pdata[i];
		r = vedbus_service_register(vs->svc);
		if (r < 0)
			log_err("cannot claim %s: %s", vs->spec->service,
				r == -EEXIST ? "the name is taken" : strerror(-r));
	}
	return r;
}

static gboolean on_signal(gpointer data)
{
	struct virt *vt = data;

	vt->quit = true;
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct virt vt = { 0 };
	int r;

	r = parse_args(argc, argv, &opt);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : 2;
	log_set_verbosity(opt.n_verbose);
	signal(SIGPIPE, SIG_IGN);
	g_unix_signal_add(SIGTERM, on_signal, &vt);
	g_unix_signal_add(SIGINT, on_signal, &vt);
	vt.services = g_ptr_array_new_with_free_func(service_free);

	r = load_specs(&vt, &opt);
	if (r < 0 || opt.check)
		goto out;
	r = setup_services(&vt, &opt);
	if (r < 0)
		goto out;
	puts("READY");
	fflush(stdout);
	virt_input_watch(&vt);

	while (!vt.quit)
		g_main_context_iteration(NULL, TRUE);
out:
	if (vt.stdin_watch)
		g_source_remove(vt.stdin_watch);
	/* freeing a service releases its name */
	g_ptr_array_unref(vt.services);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
