/* SPDX-License-Identifier: MIT */
/*
 * config.h - command line and INI configuration shared by every driver
 *
 * A driver describes its configuration once, as a const table of keys; the table gives the
 * INI file syntax (GLib key file: "[group]" then "key = value"), the command-line options that
 * override keys, the defaults, the checks and the reference documentation. Values land in the
 * driver's own config struct at the offsets the table names:
 *
 *   CFG_INT      int       decimal, within [min, max] when a range is given
 *   CFG_DOUBLE   double    decimal with '.', within [min, max] when a range is given
 *   CFG_BOOL     bool      true/false, yes/no, on/off, 1/0
 *   CFG_STRING   char *    owned by the config struct: release with cfg_free()
 *   CFG_ENUM     int       index into .choices (the file holds the name)
 *   CFG_INT_LIST struct cfg_int_list  "1,2,3", each within [min, max]; owned, cfg_free()
 *
 * Sources, later ones winning: the table's defaults, the file given with -c, command-line
 * options. Every error names the key and where it came from, e.g.
 *   config.ini: [control] timeout = -5: must be between 1 and 3600
 *   --timeout=-5 ([control] timeout): must be between 1 and 3600
 * and is logged with log_err(); the caller exits non-zero.
 *
 * Common options of every driver: --dbus=system|session|ADDRESS, -c/--config FILE,
 * -v/--verbose (repeatable), -n/--check (check, then exit 0), -h/--help, -V/--version and
 * --config-reference (print the key table as reStructuredText, for doc pages).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cfg_type {
	CFG_INT,
	CFG_DOUBLE,
	CFG_BOOL,
	CFG_STRING,
	CFG_ENUM,
	CFG_INT_LIST,
};

/* The value of a CFG_INT_LIST key; @values is owned by the config struct (g_free). */
struct cfg_int_list {
	size_t n_values;
	int *values;
};

enum cfg_key_flags {
	CFG_KEY_REQUIRED = 1 << 0, /* CFG_STRING or CFG_INT_LIST that must not stay empty */
};

/*
 * One configuration key. Tables end with { .key = NULL }. The default is text in the file's
 * syntax, parsed like a value from the file (NULL: unset string, empty list, 0, false).
 * A range applies when min < max. @option is the long option overriding the key ("host" gives
 * --host=HOST); a CFG_BOOL option takes an optional value (--flag means true).
 */
struct cfg_key {
	const char *group;
	const char *key;
	enum cfg_type type;
	const char *def;
	double min, max;
	const char *const *choices; /* CFG_ENUM: NULL-terminated names */
	size_t offset;              /* use CFG_FIELD() */
	unsigned int flags;         /* enum cfg_key_flags */
	const char *option;
	int short_option;           /* 0: none */
	const char *metavar;        /* for --help, e.g. "HOST"; NULL: the key in upper case */
	const char *help;           /* one sentence */
};

/* CFG_FIELD() - the offset of @member in @st; does not compile unless @member is a @ctype. */
#define CFG_FIELD(st, member, ctype) _Generic(&((st *)0)->member, ctype *: offsetof(st, member))

/* A driver's command line. */
struct cfg_program {
	const char *name;     /* "dbus-saj-chs2" */
	const char *summary;  /* one line for --help */
	const char *args;     /* positional arguments for the usage line, "TTY"; NULL: none */
	unsigned int min_args, max_args;
	const struct cfg_key *keys; /* may be NULL */
};

/* The common options. Strings and @args are owned: release with cfg_common_done(). */
struct cfg_common {
	char *dbus;        /* --dbus; NULL: the default bus */
	char *config_file; /* -c */
	int verbosity;     /* number of -v */
	bool check_only;   /* -n */
	char **args;       /* positional arguments, NULL-terminated (never NULL after parse) */
};

/* cfg_parse() returns this when it printed what was asked (--help, --version, ...). */
#define CFG_EXIT 1

/*
 * cfg_parse() - defaults, then the -c file, then options, into @conf; the common options
 * into @ret_common. Applies -v to the log level. With -n the caller finishes its own checks
 * and exits 0.
 * Return: 0 run; CFG_EXIT: help, version or reference printed to stdout, exit 0;
 * -EINVAL: an error was logged, exit non-zero. On error @ret_common and @conf hold whatever
 * was parsed: release both anyway.
 */
int cfg_parse(const struct cfg_program *prog, int argc, char **argv,
	      struct cfg_common *ret_common, void *conf);

/* cfg_common_done() - release the strings of @c and zero it. NULL-safe. */
void cfg_common_done(struct cfg_common *c);

/*
 * cfg_check_table() - the table itself is sound: names given, no duplicate key, option or
 * short option (nor one clashing with the common options), enum choices given, every default
 * valid. Errors are logged naming the key. Return: 0 or -EINVAL.
 */
int cfg_check_table(const struct cfg_key *keys);

/* cfg_defaults() - release, then set every key of @conf to its default. Return: 0 or -EINVAL. */
int cfg_defaults(const struct cfg_key *keys, void *conf);

/*
 * cfg_load_file() - read @path (GLib key file) into @conf, checking every key.
 * cfg_load_data() - the same from @data; @name stands for the file in messages.
 * An unknown group or key, or a bad value, is an error; keys before it keep their new values.
 * Return: 0, -ENOENT (file missing), -EINVAL.
 */
int cfg_load_file(const struct cfg_key *keys, const char *path, void *conf);
int cfg_load_data(const struct cfg_key *keys, const char *name, const char *data, void *conf);

/*
 * cfg_set() - set [@group] @key from @text. @source names the origin in the error message
 * (NULL: "[group] key = text: problem"). Nothing is stored on error.
 * Return: 0, -ENOENT (no such key), -EINVAL (bad value).
 */
int cfg_set(const struct cfg_key *keys, const char *group, const char *key, const char *text,
	    const char *source, void *conf);

/* cfg_find() - the key [@group] @key, or NULL. */
const struct cfg_key *cfg_find(const struct cfg_key *keys, const char *group, const char *key);

/* cfg_free() - release the strings and lists of @conf and set them to NULL. NULL-safe. */
void cfg_free(const struct cfg_key *keys, void *conf);

/* cfg_print_help() - the --help text of @prog. */
void cfg_print_help(const struct cfg_program *prog, FILE *f);

/*
 * cfg_print_rst() - the key table as a reStructuredText list-table (key, type, default,
 * allowed values, option, description), so doc pages can be compared with the code.
 */
void cfg_print_rst(const struct cfg_key *keys, FILE *f);

/* cfg_type_name() - "integer", "number", "boolean", "string", "choice", "list of integers". */
const char *cfg_type_name(enum cfg_type type);
