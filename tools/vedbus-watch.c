// SPDX-License-Identifier: MIT
/* vedbus-watch.c - the vedbus commands that follow the bus: list and watch */

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "vedbus-cli.h"

static gboolean on_quit_signal(gpointer data)
{
	struct vedbus_cli *cli = data;

	cli->status = VEDBUS_CLI_EXIT_OK;
	g_main_loop_quit(cli->loop);
	return G_SOURCE_CONTINUE;
}

void vedbus_cli_install_signals(struct vedbus_cli *cli, unsigned int ids[2])
{
	ids[0] = g_unix_signal_add(SIGINT, on_quit_signal, cli);
	ids[1] = g_unix_signal_add(SIGTERM, on_quit_signal, cli);
}

void vedbus_cli_remove_signals(unsigned int ids[2])
{
	for (int i = 0; i < 2; i++) {
		if (ids[i])
			g_source_remove(ids[i]);
		ids[i] = 0;
	}
}

static void on_lost(struct vedbus_cli_model *model, void *userdata)
{
	struct vedbus_cli *cli = userdata;

	fprintf(stderr, "vedbus: the bus connection is gone\n");
	cli->status = VEDBUS_CLI_EXIT_ERROR;
	g_main_loop_quit(cli->loop);
}

/* Follow the bus with @ops until the loop quits. Return: the exit status. */
static int run_model(struct vedbus_cli *cli, const struct vedbus_cli_model_config *config,
		     const struct vedbus_cli_model_ops *ops)
{
	struct vedbus_cli_model *model;
	unsigned int signal_ids[2];

	if (vedbus_cli_model_new(cli->conn, config, ops, cli, &model) < 0) {
		fprintf(stderr, "vedbus: out of memory\n");
		return VEDBUS_CLI_EXIT_ERROR;
	}
	vedbus_cli_install_signals(cli, signal_ids);
	g_main_loop_run(cli->loop);
	vedbus_cli_remove_signals(signal_ids);
	vedbus_cli_model_free(model);
	return cli->status;
}

/* ------------------------------------------------------------------------------------------ */
/* list                                                                                       */

static const char *entry_value(struct vedbus_cli_svc *svc, const char *path)
{
	const struct vedbus_cli_entry *entry = g_hash_table_lookup(svc->items, path);

	return entry ? entry->value : NULL;
}

static void list_print(struct vedbus_cli_model *model)
{
	GPtrArray *services = vedbus_cli_model_services(model);
	int width = 0;

	for (guint i = 0; i < services->len; i++) {
		struct vedbus_cli_svc *svc = services->pdata[i];

		width = MAX(width, (int)strlen(svc->name));
	}
	for (guint i = 0; i < services->len; i++) {
		struct vedbus_cli_svc *svc = services->pdata[i];
		const char *instance = entry_value(svc, "/DeviceInstance");
		const char *product = vedbus_cli_svc_text(svc, "/ProductName");

		if (svc->state == VEDBUS_CLI_SVC_FAILED)
			printf("%-*s  %5s  (GetItems: %s)\n", width, svc->name, "-", svc->error);
		else
			printf("%-*s  %5s  %s\n", width, svc->name, instance ? instance : "-",
			       product ? product : "");
	}
	g_ptr_array_unref(services);
}

static void list_ready(struct vedbus_cli_model *model, void *userdata)
{
	struct vedbus_cli *cli = userdata;

	list_print(model);
	g_main_loop_quit(cli->loop);
}

static const struct vedbus_cli_model_ops list_ops = {
	.ready = list_ready,
	.lost = on_lost,
};

int vedbus_cli_list(struct vedbus_cli *cli)
{
	struct vedbus_cli_model_config config = {
		.filter = cli->filter,
		.get_items = true,
		.timeout_ms = cli->timeout_ms,
	};

	return run_model(cli, &config, &list_ops);
}

/* ------------------------------------------------------------------------------------------ */
/* watch                                                                                      */

/* One output line; after --count lines the loop stops and nothing more is printed. */
static void watch_emit(struct vedbus_cli *cli, GString *line)
{
	if (cli->count < 0)
		return;
	g_string_append_c(line, '\n');
	fputs(line->str, stdout);
	fflush(stdout);
	if (cli->count > 0 && --cli->count == 0) {
		cli->count = -1;
		g_main_loop_quit(cli->loop);
	}
}

static void watch_change(struct vedbus_cli_model *model, struct vedbus_cli_svc *svc,
			 const char *path, const struct vedbus_cli_entry *entry, void *userdata)
{
	struct vedbus_cli *cli = userdata;
	GString *line;

	if (!vedbus_cli_path_selected(path, cli->paths))
		return;
	line = g_string_new(NULL);
	g_string_printf(line, "%s %s = %s [%s]", svc->name, path, entry->value, entry->text);
	watch_emit(cli, line);
	g_string_free(line, TRUE);
}

static void watch_service(struct vedbus_cli_model *model, struct vedbus_cli_svc *svc,
			  enum vedbus_cli_event event, void *userdata)
{
	struct vedbus_cli *cli = userdata;
	GString *line;

	/* the services found by the start-up scan did not "appear" */
	if (!cli->ready || event == VEDBUS_CLI_EVENT_LOADED)
		return;
	line = g_string_new(NULL);
	if (event == VEDBUS_CLI_EVENT_APPEARED)
		g_string_printf(line, "%s appeared (%s)", svc->name, svc->owner);
	else
		g_string_printf(line, "%s disappeared", svc->name);
	watch_emit(cli, line);
	g_string_free(line, TRUE);
}

/* The scan is done and the match rules are in place: say so on stderr (tests wait for it). */
static void watch_ready(struct vedbus_cli_model *model, void *userdata)
{
	struct vedbus_cli *cli = userdata;
	GPtrArray *services = vedbus_cli_model_services(model);

	cli->ready = true;
	fprintf(stderr, "vedbus: watching %s (%u present)\n", cli->target, services->len);
	g_ptr_array_unref(services);
}

static const struct vedbus_cli_model_ops watch_ops = {
	.ready = watch_ready,
	.service = watch_service,
	.change = watch_change,
	.lost = on_lost,
};

int vedbus_cli_watch(struct vedbus_cli *cli)
{
	struct vedbus_cli_model_config config = {
		.filter = cli->filter,
		.timeout_ms = cli->timeout_ms,
	};
	const char *target = cli->args[0];
	char *name = NULL;
	int status;

	/* a full com.victronenergy name needs not be there yet; abbreviations must resolve */
	if (strcmp(target, "all") &&
	    !(vedbus_cli_is_victron(target) && dbus_validate_bus_name(target, NULL))) {
		if (vedbus_cli_resolve(cli, target, &name) < 0)
			return VEDBUS_CLI_EXIT_ERROR;
		target = name;
	}
	config.only = strcmp(target, "all") ? target : NULL;
	cli->target = target;
	status = run_model(cli, &config, &watch_ops);
	g_free(name);
	return status;
}
