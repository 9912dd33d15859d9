/* SPDX-License-Identifier: MIT */
/*
 * vedbus-cli.h - internal interfaces of the vedbus command-line client (tools/vedbus*.c)
 *
 * vedbus-util.c holds the pure helpers (value parsing, name matching, message printing) and
 * is also compiled into tests/unit/test-vedbus-cli.c; it needs only libdbus and GLib.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <dbus/dbus.h>
#include <glib.h>

#include "vedbus.h"

#define VEDBUS_CLI_PREFIX     "com.victronenergy."
#define VEDBUS_CLI_TIMEOUT_MS 5000

/* ------------------------------------------------------------------------------------------ */
/* Pure helpers (vedbus-util.c)                                                               */

/* How `set` types its VALUE argument (-t). */
enum vedbus_cli_type {
	VEDBUS_CLI_TYPE_GUESS = 0, /* int, else float, else string; "invalid" is the marker */
	VEDBUS_CLI_TYPE_INT,
	VEDBUS_CLI_TYPE_FLOAT,
	VEDBUS_CLI_TYPE_STRING,
	VEDBUS_CLI_TYPE_INVALID,
};

/* vedbus_cli_parse_type() - "int", "float", "string" or "invalid". Return: 0 or -EINVAL. */
int vedbus_cli_parse_type(const char *name, enum vedbus_cli_type *ret);

/*
 * vedbus_cli_parse_value() - the value @text stands for under @type. A string in *ret is
 * borrowed from @text. Return: 0, -EINVAL (not a number of that type), -ERANGE (too large).
 */
int vedbus_cli_parse_value(const char *text, enum vedbus_cli_type type, struct vedbus_value *ret);

/*
 * vedbus_cli_match_service() - resolve a service argument against the names on the bus.
 * An exact name (any name, also unique ones) wins; then, among com.victronenergy.* names only,
 * "com.victronenergy.@arg", then a unique suffix match, then a unique substring match.
 * *ret is borrowed from @names.
 * Return: 0, -ENOENT (no match), -ENOTUNIQ (ambiguous at the first stage that matched).
 */
int vedbus_cli_match_service(const char *const *names, size_t n_names, const char *arg,
			     const char **ret);

/* vedbus_cli_is_victron() - @name is com.victronenergy.<something>. */
bool vedbus_cli_is_victron(const char *name);

/*
 * vedbus_cli_path_selected() - @path is selected by @patterns (NULL-terminated; NULL selects
 * everything): a pattern selects its exact path, its subtree ("/Dc" selects "/Dc/0/Voltage")
 * and, when it holds '*' or '?', the paths it matches as a glob.
 */
bool vedbus_cli_path_selected(const char *path, char *const *patterns);

enum vedbus_cli_print_flags {
	VEDBUS_CLI_PRINT_QUOTE = 1 << 0, /* quote a top-level string (nested ones always are) */
	VEDBUS_CLI_PRINT_JSON = 1 << 1,	 /* JSON: invalid -> null, keys always strings */
};

/*
 * vedbus_cli_print_iter() - append the value at @iter (any D-Bus type; variants unwrapped)
 * to @out. A top-level empty array is the invalid marker: "invalid" (JSON: null). Arrays
 * print as [a, b], dicts as {k: v}, structs as (a, b) (JSON: arrays). @iter is not advanced.
 */
void vedbus_cli_print_iter(GString *out, DBusMessageIter *iter, unsigned int flags);

/* vedbus_cli_print_string() - append @s quoted and escaped for JSON (also used for display). */
void vedbus_cli_print_string(GString *out, const char *s);

/* vedbus_cli_print_escaped() - @s escaped as inside a JSON string, without the quotes. */
void vedbus_cli_print_escaped(GString *out, const char *s);

/* vedbus_cli_print_text() - @s as is, but control characters escaped so it stays one line. */
void vedbus_cli_print_text(GString *out, const char *s);

/* vedbus_cli_print_double() - shortest form that reads back exactly, always with a '.' or
 * exponent so it does not look like an int; non-finite values are null in JSON. */
void vedbus_cli_print_double(GString *out, double d, bool json);

/* vedbus_cli_iter_is_node() - after unwrapping variants, @iter holds a string-keyed dict. */
bool vedbus_cli_iter_is_node(DBusMessageIter *iter);

/*
 * Called for each item of a GetItems/ItemsChanged reply or a node's GetValue/GetText dict.
 * @value points at the value (NULL when the entry has none); @text is the Text entry (NULL
 * when absent). Both are borrowed for the call.
 */
typedef void (*vedbus_cli_item_fn)(const char *path, DBusMessageIter *value, const char *text,
				   void *userdata);

/* vedbus_cli_walk_items() - walk an a{sa{sv}} at @iter. Return: 0 or -EBADMSG. */
int vedbus_cli_walk_items(DBusMessageIter *iter, vedbus_cli_item_fn fn, void *userdata);

/*
 * vedbus_cli_walk_props() - a PropertiesChanged a{sv} at @iter for the leaf @path: @fn is
 * called once if it carries a "Value". Return: 1 called, 0 no "Value", -EBADMSG.
 */
int vedbus_cli_walk_props(DBusMessageIter *iter, const char *path, vedbus_cli_item_fn fn,
			  void *userdata);

/*
 * vedbus_cli_walk_node() - a node's GetValue (a{sv}) or GetText (a{ss}) dict at @iter, keys
 * relative to @base; @fn gets full paths. Return: 0 or -EBADMSG.
 */
int vedbus_cli_walk_node(DBusMessageIter *iter, const char *base, vedbus_cli_item_fn fn,
			 void *userdata);

/* vedbus_cli_normalize_path() - @path with a leading and without a trailing '/'; g_free() it. */
char *vedbus_cli_normalize_path(const char *path);

/* vedbus_cli_join_path() - @base + "/" + @rel without doubled slashes; g_free() it. */
char *vedbus_cli_join_path(const char *base, const char *rel);

/* ------------------------------------------------------------------------------------------ */
/* The command line and the commands (vedbus.c, vedbus-call.c, vedbus-watch.c, vedbus-spy.c)  */

struct vedbus_cli {
	/* options */
	const char *bus;
	enum vedbus_cli_type type;
	bool text;
	bool json;
	bool once;
	long count; /* watch: lines left, 0 unlimited, -1 done */
	const char *filter;
	char **paths;
	int timeout_ms;
	/* positional arguments: words[0] is the command, args the rest (both NULL-terminated) */
	char **words;
	char **args;
	int n_args;
	/* run time */
	DBusConnection *conn;
	GMainLoop *loop;
	int status;
	bool ready;	    /* the start-up scan is over */
	const char *target; /* watch: the resolved name or "all" */
};

/* Exit statuses. */
enum {
	VEDBUS_CLI_EXIT_OK = 0,
	VEDBUS_CLI_EXIT_ERROR = 1,
	VEDBUS_CLI_EXIT_REFUSED = 2, /* set: SetValue answered non-zero */
};

int vedbus_cli_list(struct vedbus_cli *cli);
int vedbus_cli_get(struct vedbus_cli *cli);
int vedbus_cli_set(struct vedbus_cli *cli);
int vedbus_cli_dump(struct vedbus_cli *cli);
int vedbus_cli_watch(struct vedbus_cli *cli);
int vedbus_cli_spy(struct vedbus_cli *cli);

/* Synchronous helpers (vedbus-call.c); errors are printed, return is a negative errno. */

/* vedbus_cli_list_names() - ListNames; the array and strings are the caller's (g_strfreev). */
int vedbus_cli_list_names(struct vedbus_cli *cli, char ***ret_names);

/* vedbus_cli_resolve() - the bus name @arg stands for (see match_service); g_free() it. */
int vedbus_cli_resolve(struct vedbus_cli *cli, const char *arg, char **ret_name);

/* vedbus_cli_install_signals() - SIGINT/SIGTERM quit cli->loop with status 0. */
void vedbus_cli_install_signals(struct vedbus_cli *cli, unsigned int ids[2]);
void vedbus_cli_remove_signals(unsigned int ids[2]);

/* ------------------------------------------------------------------------------------------ */
/* A mirror of the com.victronenergy.* services on the bus (vedbus-model.c)                   */

/* One path of a service: both strings owned by the model. */
struct vedbus_cli_entry {
	char *value; /* printed, strings quoted */
	char *text;
};

enum vedbus_cli_svc_state {
	VEDBUS_CLI_SVC_LOADING = 0,
	VEDBUS_CLI_SVC_LOADED,
	VEDBUS_CLI_SVC_FAILED, /* GetItems failed; error holds the D-Bus error name */
};

struct vedbus_cli_svc {
	char *name;
	char *owner;	   /* unique name, NULL until known */
	GHashTable *items; /* path -> struct vedbus_cli_entry */
	enum vedbus_cli_svc_state state;
	char *error;
	DBusPendingCall *get_items;
	DBusPendingCall *get_owner;
	struct vedbus_cli_model *model;
};

enum vedbus_cli_event {
	VEDBUS_CLI_EVENT_APPEARED,
	VEDBUS_CLI_EVENT_LOADED, /* GetItems answered (or failed: see state) */
	VEDBUS_CLI_EVENT_GONE,	 /* called just before the service is freed */
};

struct vedbus_cli_model_ops {
	/* The start-up scan is complete: every name listed, every GetItems answered. */
	void (*ready)(struct vedbus_cli_model *model, void *userdata);
	void (*service)(struct vedbus_cli_model *model, struct vedbus_cli_svc *svc,
			enum vedbus_cli_event event, void *userdata);
	/*
	 * A path changed by a signal (a signal repeating the stored value and text is not a
	 * change); @entry is the new state, borrowed for the call.
	 */
	void (*change)(struct vedbus_cli_model *model, struct vedbus_cli_svc *svc, const char *path,
		       const struct vedbus_cli_entry *entry, void *userdata);
	/* The bus connection is gone. */
	void (*lost)(struct vedbus_cli_model *model, void *userdata);
};

struct vedbus_cli_model_config {
	const char *only;   /* follow only this bus name (NULL: every com.victronenergy.*) */
	const char *filter; /* follow only names containing this (NULL: all) */
	bool get_items;	    /* snapshot each service with GetItems */
	int timeout_ms;
};

/*
 * vedbus_cli_model_new() - start following the bus: match rules, ListNames, GetNameOwner and
 * GetItems per service, then the change signals. @conn and @config strings are borrowed;
 * @ops is borrowed (static). Return: 0 or -ENOMEM.
 */
int vedbus_cli_model_new(DBusConnection *conn, const struct vedbus_cli_model_config *config,
			 const struct vedbus_cli_model_ops *ops, void *userdata,
			 struct vedbus_cli_model **ret);
struct vedbus_cli_model *vedbus_cli_model_free(struct vedbus_cli_model *model);

/* vedbus_cli_model_services() - the followed services sorted by name; g_ptr_array_unref(). */
GPtrArray *vedbus_cli_model_services(struct vedbus_cli_model *model);

/* vedbus_cli_svc_paths() - the service's paths, sorted; g_ptr_array_unref() (borrowed strings). */
GPtrArray *vedbus_cli_svc_paths(struct vedbus_cli_svc *svc);

/* vedbus_cli_svc_text() - the text of @path, or NULL. Borrowed. */
const char *vedbus_cli_svc_text(struct vedbus_cli_svc *svc, const char *path);
