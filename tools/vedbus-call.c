// SPDX-License-Identifier: MIT
/* vedbus-call.c - the one-shot commands of the vedbus client: get, set and dump */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vedbus-cli.h"

/* D-Bus error names as errno, converted once here. */
static const struct {
	const char *name;
	int err;
} error_map[] = {
	{ DBUS_ERROR_NO_MEMORY, ENOMEM },	   { DBUS_ERROR_SERVICE_UNKNOWN, ENOENT },
	{ DBUS_ERROR_NAME_HAS_NO_OWNER, ENOENT },  { DBUS_ERROR_UNKNOWN_OBJECT, ENOENT },
	{ DBUS_ERROR_UNKNOWN_METHOD, EOPNOTSUPP }, { DBUS_ERROR_NO_REPLY, ETIMEDOUT },
	{ DBUS_ERROR_TIMEOUT, ETIMEDOUT },	   { DBUS_ERROR_DISCONNECTED, ECONNRESET },
	{ DBUS_ERROR_INVALID_ARGS, EINVAL },
};

static int error_errno(const DBusError *err)
{
	for (size_t i = 0; i < G_N_ELEMENTS(error_map); i++) {
		if (dbus_error_has_name(err, error_map[i].name))
			return -error_map[i].err;
	}
	return -EIO;
}

/* Print @err for @service @path and free it. Return: it as a negative errno. */
static int report(const char *service, const char *path, DBusError *err)
{
	int r = error_errno(err);

	fprintf(stderr, "vedbus: %s%s%s: %s\n", service, path ? " " : "", path ? path : "",
		err->message ? err->message : err->name);
	dbus_error_free(err);
	return r;
}

/*
 * A blocking call to @service @path @method on the BusItem interface, @arg (may be NULL)
 * appended as a variant. *ret_reply is the caller's. Return: 0, a negative errno with @err set.
 */
static int call_busitem(struct vedbus_cli *cli, const char *service, const char *path,
			const char *method, const struct vedbus_value *arg, DBusMessage **ret_reply,
			DBusError *err)
{
	DBusMessageIter it;
	DBusMessage *msg;
	int r = -ENOMEM;

	if (!dbus_validate_path(path, NULL)) {
		dbus_set_error(err, DBUS_ERROR_INVALID_ARGS, "'%s' is not a valid object path",
			       path);
		return -EINVAL;
	}
	msg = dbus_message_new_method_call(service, path, VEDBUS_IFACE_BUSITEM, method);
	if (!msg)
		goto fail_msg;
	dbus_message_iter_init_append(msg, &it);
	if (arg && vedbus_value_append(&it, arg) < 0)
		goto fail_append;
	*ret_reply =
		dbus_connection_send_with_reply_and_block(cli->conn, msg, cli->timeout_ms, err);
	r = *ret_reply ? 0 : error_errno(err);
	dbus_message_unref(msg);
	return r;

fail_append:
	dbus_message_unref(msg);
fail_msg:
	dbus_set_error_const(err, DBUS_ERROR_NO_MEMORY, "out of memory");
	return r;
}

int vedbus_cli_list_names(struct vedbus_cli *cli, char ***ret_names)
{
	DBusError err = DBUS_ERROR_INIT;
	DBusMessage *msg, *reply;
	char **names;
	int n_names;

	msg = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
					   "ListNames");
	if (!msg)
		return -ENOMEM;
	reply = dbus_connection_send_with_reply_and_block(cli->conn, msg, cli->timeout_ms, &err);
	dbus_message_unref(msg);
	if (!reply)
		return report(DBUS_SERVICE_DBUS, NULL, &err);
	if (!dbus_message_get_args(reply, &err, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &names, &n_names,
				   DBUS_TYPE_INVALID)) {
		dbus_message_unref(reply);
		return report(DBUS_SERVICE_DBUS, NULL, &err);
	}
	*ret_names = g_strdupv(names);
	dbus_free_string_array(names);
	dbus_message_unref(reply);
	return 0;
}

static void report_ambiguous(char **names, const char *arg)
{
	fprintf(stderr, "vedbus: '%s' is ambiguous:", arg);
	for (; *names; names++) {
		if (vedbus_cli_is_victron(*names) && strstr(*names, arg))
			fprintf(stderr, " %s", *names);
	}
	fputc('\n', stderr);
}

int vedbus_cli_resolve(struct vedbus_cli *cli, const char *arg, char **ret_name)
{
	const char *found = NULL;
	char **names;
	int r;

	r = vedbus_cli_list_names(cli, &names);
	if (r < 0)
		return r;
	r = vedbus_cli_match_service((const char *const *)names, g_strv_length(names), arg, &found);
	if (r == -ENOTUNIQ)
		report_ambiguous(names, arg);
	else if (r < 0)
		fprintf(stderr, "vedbus: no service matches '%s'\n", arg);
	else
		*ret_name = g_strdup(found);
	g_strfreev(names);
	return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Sorted output: path -> struct row                                                          */

struct row {
	char *value;
	char *text;
};

static void row_free(gpointer p)
{
	struct row *row = p;

	g_free(row->value);
	g_free(row->text);
	g_free(row);
}

struct collect {
	GTree *rows;
	unsigned int flags;
	char *const *paths;
	size_t width; /* longest path */
};

static void collect_item(const char *path, DBusMessageIter *value, const char *text, void *userdata)
{
	struct collect *c = userdata;
	struct row *row;
	GString *buf;

	if (!vedbus_cli_path_selected(path, c->paths))
		return;
	buf = g_string_new(NULL);
	vedbus_cli_print_iter(buf, value, c->flags);
	row = g_new0(struct row, 1);
	row->value = g_string_free(buf, FALSE);
	if (text) {
		buf = g_string_new(NULL);
		vedbus_cli_print_text(buf, text);
		row->text = g_string_free(buf, FALSE);
	}
	g_tree_replace(c->rows, g_strdup(path), row);
	c->width = MAX(c->width, strlen(path));
}

static int path_compare(gconstpointer a, gconstpointer b, gpointer userdata)
{
	return strcmp(a, b);
}

static void collect_init(struct collect *c, unsigned int flags, char *const *paths)
{
	*c = (struct collect){ .flags = flags, .paths = paths };
	c->rows = g_tree_new_full(path_compare, NULL, g_free, row_free);
}

static gboolean print_row_plain(gpointer key, gpointer value, gpointer userdata)
{
	struct collect *c = userdata;
	struct row *row = value;

	if (row->text)
		printf("%-*s  %s  [%s]\n", (int)c->width, (char *)key, row->value, row->text);
	else
		printf("%-*s  %s\n", (int)c->width, (char *)key, row->value);
	return FALSE;
}

static gboolean print_row_assign(gpointer key, gpointer value, gpointer userdata)
{
	printf("%s = %s\n", (char *)key, ((struct row *)value)->value);
	return FALSE;
}

static gboolean print_row_json(gpointer key, gpointer value, gpointer userdata)
{
	GString *out = userdata;

	g_string_append(out, out->len > 1 ? ",\n  " : "\n  ");
	vedbus_cli_print_string(out, key);
	g_string_append(out, ": ");
	g_string_append(out, ((struct row *)value)->value);
	return FALSE;
}

static void print_json(struct collect *c)
{
	GString *out = g_string_new("{");

	g_tree_foreach(c->rows, print_row_json, out);
	g_string_append(out, out->len > 1 ? "\n}\n" : "}\n");
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
}

/* ------------------------------------------------------------------------------------------ */
/* get                                                                                        */

static int print_reply(DBusMessage *reply, const char *path, bool text)
{
	unsigned int flags = text ? 0 : VEDBUS_CLI_PRINT_QUOTE;
	struct collect c;
	DBusMessageIter it;
	GString *buf;

	if (!dbus_message_iter_init(reply, &it)) {
		fprintf(stderr, "vedbus: %s: empty reply\n", path);
		return -EBADMSG;
	}
	if (vedbus_cli_iter_is_node(&it)) {
		collect_init(&c, flags, NULL);
		vedbus_cli_walk_node(&it, path, collect_item, &c);
		g_tree_foreach(c.rows, print_row_assign, &c);
		g_tree_destroy(c.rows);
		return 0;
	}
	buf = g_string_new(NULL);
	vedbus_cli_print_iter(buf, &it, 0);
	puts(buf->str);
	g_string_free(buf, TRUE);
	return 0;
}

int vedbus_cli_get(struct vedbus_cli *cli)
{
	DBusError err = DBUS_ERROR_INIT;
	char *service = NULL, *path;
	DBusMessage *reply;
	int r;

	r = vedbus_cli_resolve(cli, cli->args[0], &service);
	if (r < 0)
		return VEDBUS_CLI_EXIT_ERROR;
	path = vedbus_cli_normalize_path(cli->n_args > 1 ? cli->args[1] : "/");
	r = call_busitem(cli, service, path, cli->text ? "GetText" : "GetValue", NULL, &reply,
			 &err);
	if (r < 0) {
		report(service, path, &err);
	} else {
		r = print_reply(reply, path, cli->text);
		dbus_message_unref(reply);
	}
	g_free(path);
	g_free(service);
	return r < 0 ? VEDBUS_CLI_EXIT_ERROR : VEDBUS_CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* set                                                                                        */

/* The SetValue reply code: print it. Return: the exit status. */
static int set_status(DBusMessage *reply, const char *service, const char *path)
{
	DBusMessageIter it;
	dbus_int32_t code;
	GString *buf;

	if (dbus_message_iter_init(reply, &it) &&
	    dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_INT32) {
		dbus_message_iter_get_basic(&it, &code);
		printf("%ld\n", (long)code);
		return code ? VEDBUS_CLI_EXIT_REFUSED : VEDBUS_CLI_EXIT_OK;
	}
	buf = g_string_new(NULL);
	if (dbus_message_iter_init(reply, &it))
		vedbus_cli_print_iter(buf, &it, VEDBUS_CLI_PRINT_QUOTE);
	fprintf(stderr, "vedbus: %s %s: unexpected SetValue reply '%s' %s\n", service, path,
		dbus_message_get_signature(reply), buf->str);
	g_string_free(buf, TRUE);
	return VEDBUS_CLI_EXIT_ERROR;
}

int vedbus_cli_set(struct vedbus_cli *cli)
{
	DBusError err = DBUS_ERROR_INIT;
	char *service = NULL, *path;
	struct vedbus_value value;
	DBusMessage *reply;
	int r, status = VEDBUS_CLI_EXIT_ERROR;

	r = vedbus_cli_parse_value(cli->args[2], cli->type, &value);
	if (r < 0) {
		fprintf(stderr, "vedbus: '%s': %s\n", cli->args[2],
			r == -ERANGE ? "out of range" : "not a number of that type");
		return VEDBUS_CLI_EXIT_ERROR;
	}
	r = vedbus_cli_resolve(cli, cli->args[0], &service);
	if (r < 0)
		return VEDBUS_CLI_EXIT_ERROR;
	path = vedbus_cli_normalize_path(cli->args[1]);
	r = call_busitem(cli, service, path, "SetValue", &value, &reply, &err);
	if (r < 0) {
		report(service, path, &err);
	} else {
		status = set_status(reply, service, path);
		dbus_message_unref(reply);
	}
	g_free(path);
	g_free(service);
	return status;
}

/* ------------------------------------------------------------------------------------------ */
/* dump                                                                                       */

/* GetItems, or GetValue on "/" for services that predate GetItems (as dbus-flashmq does). */
static int dump_collect(struct vedbus_cli *cli, const char *service, struct collect *c)
{
	DBusError err = DBUS_ERROR_INIT;
	DBusMessageIter it;
	DBusMessage *reply;
	int r;

	r = call_busitem(cli, service, "/", "GetItems", NULL, &reply, &err);
	if (r == -EOPNOTSUPP) {
		dbus_error_free(&err);
		r = call_busitem(cli, service, "/", "GetValue", NULL, &reply, &err);
		if (r == 0 && dbus_message_iter_init(reply, &it))
			r = vedbus_cli_walk_node(&it, "/", collect_item, c);
	} else if (r == 0 && dbus_message_iter_init(reply, &it)) {
		r = vedbus_cli_walk_items(&it, collect_item, c);
	}
	if (dbus_error_is_set(&err))
		return report(service, "/", &err);
	dbus_message_unref(reply);
	if (r < 0)
		fprintf(stderr, "vedbus: %s: unexpected reply to GetItems\n", service);
	return r;
}

int vedbus_cli_dump(struct vedbus_cli *cli)
{
	unsigned int flags = cli->json ? VEDBUS_CLI_PRINT_JSON : VEDBUS_CLI_PRINT_QUOTE;
	char *service = NULL;
	struct collect c;
	int r;

	r = vedbus_cli_resolve(cli, cli->args[0], &service);
	if (r < 0)
		return VEDBUS_CLI_EXIT_ERROR;
	collect_init(&c, flags, cli->paths);
	r = dump_collect(cli, service, &c);
	if (r == 0 && cli->json)
		print_json(&c);
	else if (r == 0)
		g_tree_foreach(c.rows, print_row_plain, &c);
	g_tree_destroy(c.rows);
	g_free(service);
	return r < 0 ? VEDBUS_CLI_EXIT_ERROR : VEDBUS_CLI_EXIT_OK;
}
