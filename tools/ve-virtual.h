/* SPDX-License-Identifier: MIT */
/* ve-virtual.h - ve-virtual's spec files and the line syntax they share with stdin commands */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "vedbus.h"

/* One word of a line: bare, or "quoted" (with \" and \\), or the ';' separator. */
struct virt_token {
	char *text; /* owned; NULL for a separator */
	bool quoted;
};

/*
 * virt_tokenize() - split @line into tokens; '#' at the start of a word begins a comment.
 * Return: 0 with *ret (g_ptr_array_unref() it), or -EINVAL for an unterminated quote.
 */
int virt_tokenize(const char *line, GPtrArray **ret);

/* virt_parse_int() - decimal or 0x-hexadecimal, optional sign. Return: 0 or -EINVAL. */
int virt_parse_int(const char *s, int64_t *ret);

/*
 * virt_parse_value() - @tok as a value of @type; the bare word invalid is the invalid value.
 * A string in *ret is borrowed from @tok. Return: 0 or -EINVAL.
 */
int virt_parse_value(enum vedbus_type type, const struct virt_token *tok, struct vedbus_value *ret);

/* virt_value_text() - @v as W lines print it ("invalid" for no value). g_free() it. */
char *virt_value_text(const struct vedbus_value *v);

/* A path line: PATH TYPE INITIAL [w] [UNIT] [DECIMALS]. */
struct virt_path {
	char *path;
	enum vedbus_type type;
	struct vedbus_value initial; /* a string here is owned */
	bool writable;
	bool has_format; /* a unit or decimals were given */
	char *unit;
	struct vedbus_format fmt; /* fmt.unit borrows @unit; lives as long as the path */
};

/* One spec file: one service. Numbers are -1 when not given. */
struct virt_spec {
	char *file;
	char *service;
	char *product_name;
	char *custom_name;
	char *serial;
	char *connection;
	char *hardware_version;
	int product_id;
	int device_instance;
	int firmware_version;
	GPtrArray *paths; /* struct virt_path *, owned, in file order */
};

/*
 * virt_spec_load() - parse @file.
 * Return: 0 with *ret_spec, or -EINVAL/-ENOENT... with *ret_error ("FILE:LINE: what", g_free()).
 */
int virt_spec_load(const char *file, struct virt_spec **ret_spec, char **ret_error);

/* virt_spec_free() - NULL-safe. */
struct virt_spec *virt_spec_free(struct virt_spec *spec);

/*
 * virt_spec_class() - the class and suffix of com.victronenergy.CLASS.SUFFIX, newly
 * allocated. Return: 0 or -EINVAL for another form of name.
 */
int virt_spec_class(const struct virt_spec *spec, char **ret_class, char **ret_suffix);

/* A running service (ve-virtual.c). */
struct virt_service {
	struct virt_spec *spec;		  /* owned */
	struct vedbus_service *svc;	  /* owned */
	struct vedbus_settings *settings; /* owned; with --settings only */
	bool touched;			  /* changed by the stdin line being applied */
};

struct virt {
	GPtrArray *services; /* struct virt_service *, owned, in argument order */
	guint stdin_watch;   /* 0 after EOF */
	bool quit;	     /* SIGTERM/SIGINT seen */
};

/*
 * virt_input_line() - apply one stdin command line: "PATH VALUE" or "SERVICE PATH VALUE",
 * several separated by ';'. All are checked first; then all are set and every service
 * touched is flushed once. Return: 0, or -EINVAL (logged; nothing changed).
 */
int virt_input_line(struct virt *vt, const char *line);

/* virt_input_watch() - read command lines from stdin until EOF, which ends only the reading. */
void virt_input_watch(struct virt *vt);
