/* SPDX-License-Identifier: MIT */
/*
 * args.h - what config.c (keys and values) and args.c (the command line) share; drivers
 * include config.h, not this file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Longest problem text of a value ("must be between 1 and 3600"). */
#define CFG_PROBLEM_MAX 160

/*
 * cfg_key_parse() - parse @text for @k into its field of @conf (the old string or list is
 * released). On error nothing is stored and @problem says why, without the key's name.
 * Return: 0 or -EINVAL.
 */
int cfg_key_parse(const struct cfg_key *k, const char *text, void *conf, char *problem,
		  size_t len);

/* cfg_n_keys() - the number of keys in a table (NULL: 0). */
size_t cfg_n_keys(const struct cfg_key *keys);

/* cfg_option_taken() - @name or @short_opt is one of the common options (--dbus, -c, ...). */
bool cfg_option_taken(const char *name, int short_opt);
