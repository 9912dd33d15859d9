/* SPDX-License-Identifier: MIT */
/*
 * ve-settingsd-store.h - the settings table of ve-settingsd: no D-Bus, only localsettings' rules
 *
 * A setting is a leaf under /Settings with a type (INT "i", DOUBLE "f", STRING "s"), a value,
 * a default, optional min and max, and a silent flag. Groups are not stored: a path is a group
 * when a setting lies below it (plus "/", "/Settings" and "/Settings/Devices", which always are).
 * Strings inside the values of a struct store_setting are owned by the store.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "vedbus.h"

/* AddSetting results as localsettings' AddSettingError: the numbers go on the wire. */
enum store_code {
	STORE_CODE_OK = 0,
	STORE_CODE_FAILED = -1,		 /* SetValue, SetDefault and RemoveSettings failures */
	STORE_CODE_UNDERSCORE = -2,	 /* a path component starts with '_' */
	STORE_CODE_UNKNOWN_TYPE = -3,	 /* type not one of i, f, s */
	STORE_CODE_INVALID_PATH = -4,	 /* not a D-Bus object path, or through a setting */
	STORE_CODE_TYPE_DIFFERS = -5,	 /* exists with another type */
	STORE_CODE_INVALID_DEFAULT = -6, /* default not convertible (or not "class:n") */
	STORE_CODE_OUT_OF_RANGE = -7,	 /* default outside min/max */
	STORE_CODE_IS_GROUP = -8,	 /* the path is a group */
	STORE_CODE_NOT_IN_SETTINGS = -9, /* not below /Settings/ */
};

/* What store_add() did. */
enum store_change {
	STORE_CHANGE_NONE = 0,	 /* existed with the same attributes */
	STORE_CHANGE_NEW,	 /* created with its default as value */
	STORE_CHANGE_ATTRIBUTES, /* existed: default, min, max or silent changed, value kept */
};

struct store_setting {
	char *path;		   /* full, e.g. "/Settings/Devices/x/ClassAndVrmInstance" */
	enum vedbus_type type;	   /* INT, DOUBLE or STRING */
	struct vedbus_value value; /* never invalid */
	struct vedbus_value def;
	struct vedbus_value min; /* INVALID: no lower limit */
	struct vedbus_value max; /* INVALID: no upper limit */
	bool silent;
	bool is_instance; /* path ends in /ClassAndVrmInstance: "class:n", unique per class */
	void *userdata;	  /* for the daemon (its bus item); the store never touches it */
};

/* An AddSetting/AddSettings request as it came off the bus. Strings are borrowed. */
struct store_request {
	const char *base; /* the group object called: "/", "/Settings", "/Settings/Devices"... */
	const char *path; /* relative to @base; a leading '/' is optional */
	char type;	  /* 'i', 'f' or 's' */
	struct vedbus_value def;
	struct vedbus_value min; /* INVALID: none; min = max = 0 also means none */
	struct vedbus_value max;
	bool silent;
};

struct store;

/* store_new() - an empty store. Return: 0. */
int store_new(struct store **ret_store);
/* store_free() - free the store and every setting. NULL-safe. */
struct store *store_free(struct store *st);

/* Pure helpers, exported for the tests. */
const char *store_code_name(enum store_code code);
bool store_path_valid(const char *path);
/* "battery:512" -> class length 7 and 512. Return: 0 or -EINVAL. */
int store_parse_instance(const char *s, size_t *ret_class_len, int *ret_n);
/* store_type_from_char() - 'i', 'f', 's' to a value type. Return: 0 or -EINVAL. */
int store_type_from_char(char c, enum vedbus_type *ret_type);
char store_type_char(enum vedbus_type type);
/*
 * store_convert() - convert @in to @type. @loose converts as localsettings does for defaults
 * and limits (Python int()/float()/str(): "5" -> 5, 3.7 -> 3, 5 -> "5"); strict converts as
 * SetValue (integral doubles to INT, numbers to DOUBLE, strings to STRING only).
 * A string in *ret is newly allocated: release it with store_value_clear().
 * Return: 0 or -EINVAL.
 */
int store_convert(const struct vedbus_value *in, enum vedbus_type type, bool loose,
		  struct vedbus_value *ret);
void store_value_clear(struct vedbus_value *v);
/* Value helpers: dup copies the string; move clears @dst and leaves @src invalid. */
struct vedbus_value store_value_dup(const struct vedbus_value *v);
void store_value_move(struct vedbus_value *dst, struct vedbus_value *src);
bool store_value_equal(const struct vedbus_value *a, const struct vedbus_value *b);
/* store_value_cmp() - <0, 0, >0; both INT or both DOUBLE. */
int store_value_cmp(const struct vedbus_value *a, const struct vedbus_value *b);
/* store_value_text() - @v as text for logs and files ("invalid" for INVALID). g_free() it. */
char *store_value_text(const struct vedbus_value *v);
/*
 * store_resolve() - the full path of @rel called on group @base, as localsettings joins them.
 * Return: a new string (g_free()).
 */
char *store_resolve(const char *base, const char *rel);
/* store_join() - AddSetting(group, name): the path relative to the called group. g_free() it. */
char *store_join(const char *group, const char *name);

/* store_lookup() - the setting at the full @path, or NULL. Borrowed. */
struct store_setting *store_lookup(struct store *st, const char *path);
/* store_is_group() - true when @path is a group (see the top of this file). */
bool store_is_group(struct store *st, const char *path);
/* store_count() - number of settings. */
unsigned int store_count(struct store *st);
/*
 * store_list() - the settings at or below @prefix ("/" for all), sorted by path.
 * Return: a new array of borrowed settings; g_ptr_array_unref() it.
 */
GPtrArray *store_list(struct store *st, const char *prefix);

/*
 * store_add() - AddSetting with localsettings' checks, in its order. A new setting takes its
 * default as value (a ClassAndVrmInstance bumped to a free instance); an existing one keeps its
 * value and takes the new default, limits and silent flag.
 * *ret_setting (may be NULL) is set on success; *ret_change (may be NULL) says what changed.
 * Return: STORE_CODE_OK or a negative STORE_CODE_*.
 */
enum store_code store_add(struct store *st, const struct store_request *req,
			  struct store_setting **ret_setting, enum store_change *ret_change);

/*
 * store_set() - SetValue: convert @v strictly, check min/max, bump a ClassAndVrmInstance to a
 * free instance. The stored value (possibly bumped) is in @s->value.
 * Return: 1 changed, 0 same value, -EINVAL bad type or not "class:n", -ERANGE out of range.
 */
int store_set(struct store *st, struct store_setting *s, const struct vedbus_value *v);

/*
 * store_insert() - add @s as built by the caller (a loader): path, type, value, default, limits
 * and silent set, is_instance is computed. The path must be new, valid, below /Settings/ and not
 * a group. The store owns @s on success.
 * Return: STORE_CODE_OK or STORE_CODE_UNDERSCORE, _INVALID_PATH, _NOT_IN_SETTINGS, _IS_GROUP.
 */
enum store_code store_insert(struct store *st, struct store_setting *s);
/* store_setting_free() - free a setting that is not in a store. NULL-safe. */
struct store_setting *store_setting_free(struct store_setting *s);

/* store_remove() - delete a setting; @s is dangling afterwards. */
void store_remove(struct store *st, struct store_setting *s);

/*
 * store_free_instance() - @want ("class:n") bumped to the first n not held by another
 * ClassAndVrmInstance of that class (@self excluded; may be NULL). *ret is newly allocated.
 * Return: 0 or -EINVAL when @want is not "class:n".
 */
int store_free_instance(struct store *st, const struct store_setting *self, const char *want,
			char **ret);

/*
 * store_to_keyfile() - every setting as a group named by its path with the keys type, value,
 * default, min and max (only when set) and silent.
 */
void store_to_keyfile(struct store *st, GKeyFile *kf);
/*
 * store_from_keyfile() - add the settings of @kf (as store_to_keyfile() writes them) to an
 * empty store; values are taken as stored (no range check, no bumping).
 * Return: 0, or -EINVAL with *ret_reason (g_free()) naming the bad group.
 */
int store_from_keyfile(struct store *st, GKeyFile *kf, char **ret_reason);
