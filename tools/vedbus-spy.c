// SPDX-License-Identifier: MIT
/* vedbus-spy.c - a live view of every com.victronenergy service, like Victron's dbus-spy */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib-unix.h>

#include "vedbus-cli.h"

#define SPY_INTERVAL_US (G_USEC_PER_SEC / 4) /* at most 4 redraws per second */
#define SPY_PATH_WIDTH	40
#define SPY_VALUE_WIDTH 24

#define ANSI_ENTER	 "\033[?1049h\033[?25l\033[2J" /* alternate screen, no cursor, clear */
#define ANSI_LEAVE	 "\033[?25h\033[?1049l"
#define ANSI_HOME	 "\033[H"
#define ANSI_CLEAR_LINE	 "\033[K"
#define ANSI_CLEAR_BELOW "\033[J"
#define ANSI_BOLD	 "\033[1m"
#define ANSI_NORMAL	 "\033[0m"

struct spy {
	struct vedbus_cli *cli;
	struct vedbus_cli_model *model;
	bool live;		 /* a terminal view, not one snapshot */
	bool entered;		 /* the terminal is in the alternate screen */
	guint redraw;		 /* pending redraw source */
	gint64 last_draw;	 /* monotonic, µs */
	unsigned int n_services; /* as last rendered */
	unsigned int n_paths;
};

/* ------------------------------------------------------------------------------------------ */
/* Rendering into lines                                                                       */

/* Append @s (one line: the model escapes control characters) padded to @width columns. */
static void append_cell(GString *line, const char *s, int width)
{
	g_string_append(line, s);
	for (long n = g_utf8_strlen(s, -1); n < width; n++)
		g_string_append_c(line, ' ');
}

static void render_header(GString *line, struct vedbus_cli_svc *svc)
{
	const char *instance = vedbus_cli_svc_text(svc, "/DeviceInstance");
	const char *product = vedbus_cli_svc_text(svc, "/ProductName");
	const char *custom = vedbus_cli_svc_text(svc, "/CustomName");

	append_cell(line, svc->name, 0);
	if (instance)
		g_string_append_printf(line, "  [%s]", instance);
	if (product && *product) {
		g_string_append(line, "  ");
		append_cell(line, product, 0);
	}
	if (custom && *custom && (!product || strcmp(custom, product))) {
		g_string_append(line, "  (");
		append_cell(line, custom, 0);
		g_string_append_c(line, ')');
	}
	if (svc->state == VEDBUS_CLI_SVC_LOADING)
		g_string_append(line, "  (loading)");
	else if (svc->state == VEDBUS_CLI_SVC_FAILED)
		g_string_append_printf(line, "  (GetItems failed: %s)", svc->error);
}

/* The selected paths of @svc; their widths in @ret_widths. */
static GPtrArray *selected_paths(struct spy *spy, struct vedbus_cli_svc *svc, int ret_widths[2])
{
	GPtrArray *paths = vedbus_cli_svc_paths(svc);
	guint kept = 0;

	ret_widths[0] = ret_widths[1] = 0;
	for (guint i = 0; i < paths->len; i++) {
		const char *path = paths->pdata[i];
		const struct vedbus_cli_entry *entry = g_hash_table_lookup(svc->items, path);

		if (!vedbus_cli_path_selected(path, spy->cli->paths))
			continue;
		paths->pdata[kept++] = paths->pdata[i];
		ret_widths[0] =
			MIN(SPY_PATH_WIDTH, MAX(ret_widths[0], (int)g_utf8_strlen(path, -1)));
		ret_widths[1] = MIN(SPY_VALUE_WIDTH,
				    MAX(ret_widths[1], (int)g_utf8_strlen(entry->value, -1)));
	}
	g_ptr_array_set_size(paths, kept);
	return paths;
}

static void render_service(struct spy *spy, struct vedbus_cli_svc *svc, GPtrArray *lines)
{
	GString *line = g_string_new(NULL);
	int widths[2];
	GPtrArray *paths;

	render_header(line, svc);
	g_ptr_array_add(lines, g_string_free(line, FALSE));
	paths = selected_paths(spy, svc, widths);
	for (guint i = 0; i < paths->len; i++) {
		const char *path = paths->pdata[i];
		const struct vedbus_cli_entry *entry = g_hash_table_lookup(svc->items, path);

		line = g_string_new("  ");
		append_cell(line, path, widths[0]);
		g_string_append(line, "  ");
		append_cell(line, entry->value, widths[1]);
		g_string_append(line, "  ");
		append_cell(line, entry->text, 0);
		g_ptr_array_add(lines, g_string_free(line, FALSE));
	}
	spy->n_paths += paths->len;
	g_ptr_array_unref(paths);
	g_ptr_array_add(lines, g_strdup(""));
}

/* Every followed service as lines of text; g_ptr_array_unref() frees them. */
static GPtrArray *render(struct spy *spy)
{
	GPtrArray *services = vedbus_cli_model_services(spy->model);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

	spy->n_services = services->len;
	spy->n_paths = 0;
	for (guint i = 0; i < services->len; i++)
		render_service(spy, services->pdata[i], lines);
	g_ptr_array_unref(services);
	return lines;
}

/* ------------------------------------------------------------------------------------------ */
/* Output                                                                                     */

static void print_snapshot(struct spy *spy)
{
	GPtrArray *lines = render(spy);

	for (guint i = 0; i < lines->len; i++)
		puts(lines->pdata[i]);
	g_ptr_array_unref(lines);
	fflush(stdout);
}

static void terminal_size(int *ret_rows, int *ret_cols)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1 && ws.ws_col > 10) {
		*ret_rows = ws.ws_row;
		*ret_cols = ws.ws_col;
	} else {
		*ret_rows = 24;
		*ret_cols = 80;
	}
}

/* Append @s cut to @cols columns, then clear the rest of the terminal line. */
static void append_clipped(GString *out, const char *s, int cols)
{
	const char *end = s;

	for (int n = 0; *end && n < cols; n++)
		end = g_utf8_next_char(end);
	g_string_append_len(out, s, end - s);
	g_string_append(out, ANSI_CLEAR_LINE);
}

static void append_status(GString *out, struct spy *spy, guint hidden, int cols)
{
	GDateTime *now = g_date_time_new_now_local();
	char *stamp = g_date_time_format(now, "%H:%M:%S");
	GString *status = g_string_new(NULL);

	g_string_printf(status, "%s  %u services, %u paths", stamp, spy->n_services, spy->n_paths);
	if (hidden)
		g_string_append_printf(status, ", %u more lines (use --filter, --paths)", hidden);
	g_string_append(status, "  Ctrl-C quits");
	g_string_append(out, ANSI_BOLD);
	append_clipped(out, status->str, cols);
	g_string_append(out, ANSI_NORMAL);
	g_string_free(status, TRUE);
	g_free(stamp);
	g_date_time_unref(now);
}

/* Redraw in place: home, each line cleared to its end, the rest of the screen cleared. */
static void draw(struct spy *spy)
{
	GPtrArray *lines = render(spy);
	GString *out = g_string_new(ANSI_HOME);
	int rows, cols;
	guint shown;

	terminal_size(&rows, &cols);
	shown = MIN(lines->len, (guint)rows - 1);
	for (guint i = 0; i < shown; i++) {
		append_clipped(out, lines->pdata[i], cols);
		g_string_append_c(out, '\n');
	}
	/* the status line ends without a newline, so the screen never scrolls */
	append_status(out, spy, lines->len - shown, cols);
	g_string_append(out, ANSI_CLEAR_BELOW);
	fwrite(out->str, 1, out->len, stdout);
	fflush(stdout);
	g_string_free(out, TRUE);
	g_ptr_array_unref(lines);
	spy->last_draw = g_get_monotonic_time();
}

static gboolean on_redraw(gpointer data)
{
	struct spy *spy = data;

	spy->redraw = 0;
	draw(spy);
	return G_SOURCE_REMOVE;
}

/* Redraw soon, but not sooner than SPY_INTERVAL_US after the last one. */
static void schedule_redraw(struct spy *spy)
{
	gint64 wait;

	if (!spy->entered || spy->redraw)
		return;
	wait = spy->last_draw + SPY_INTERVAL_US - g_get_monotonic_time();
	spy->redraw = g_timeout_add(wait > 0 ? (guint)(wait / 1000) : 0, on_redraw, spy);
}

static gboolean on_winch(gpointer data)
{
	schedule_redraw(data);
	return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Model events                                                                               */

static void spy_ready(struct vedbus_cli_model *model, void *userdata)
{
	struct spy *spy = userdata;

	spy->cli->ready = true;
	if (spy->live) {
		schedule_redraw(spy);
		return;
	}
	print_snapshot(spy);
	spy->cli->status = VEDBUS_CLI_EXIT_OK;
	g_main_loop_quit(spy->cli->loop);
}

/* The live view starts at once: services still loading say so in their header. */
static void terminal_enter(struct spy *spy)
{
	fputs(ANSI_ENTER, stdout);
	fflush(stdout);
	spy->entered = true;
}

/* Leave the terminal as it was, before anything else is printed. */
static void terminal_leave(struct spy *spy)
{
	if (!spy->entered)
		return;
	fputs(ANSI_LEAVE, stdout);
	fflush(stdout);
	spy->entered = false;
}

static void spy_service(struct vedbus_cli_model *model, struct vedbus_cli_svc *svc,
			enum vedbus_cli_event event, void *userdata)
{
	schedule_redraw(userdata);
}

static void spy_change(struct vedbus_cli_model *model, struct vedbus_cli_svc *svc, const char *path,
		       const struct vedbus_cli_entry *entry, void *userdata)
{
	schedule_redraw(userdata);
}

static void spy_lost(struct vedbus_cli_model *model, void *userdata)
{
	struct spy *spy = userdata;

	spy->cli->status = VEDBUS_CLI_EXIT_ERROR;
	g_main_loop_quit(spy->cli->loop);
}

static const struct vedbus_cli_model_ops spy_ops = {
	.ready = spy_ready,
	.service = spy_service,
	.change = spy_change,
	.lost = spy_lost,
};

int vedbus_cli_spy(struct vedbus_cli *cli)
{
	struct vedbus_cli_model_config config = {
		.filter = cli->filter,
		.get_items = true,
		.timeout_ms = cli->timeout_ms,
	};
	struct spy spy = { .cli = cli, .live = !cli->once && isatty(STDOUT_FILENO) };
	unsigned int signal_ids[2];
	guint winch;

	if (vedbus_cli_model_new(cli->conn, &config, &spy_ops, &spy, &spy.model) < 0) {
		fprintf(stderr, "vedbus: out of memory\n");
		return VEDBUS_CLI_EXIT_ERROR;
	}
	vedbus_cli_install_signals(cli, signal_ids);
	winch = g_unix_signal_add(SIGWINCH, on_winch, &spy);
	if (spy.live)
		terminal_enter(&spy);
	g_main_loop_run(cli->loop);
	terminal_leave(&spy);
	g_source_remove(winch);
	vedbus_cli_remove_signals(signal_ids);
	if (spy.redraw)
		g_source_remove(spy.redraw);
	if (cli->status == VEDBUS_CLI_EXIT_ERROR)
		fprintf(stderr, "vedbus: the bus connection is gone\n");
	spy.model = vedbus_cli_model_free(spy.model);
	return cli->status;
}
