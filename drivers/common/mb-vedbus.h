/* SPDX-License-Identifier: MIT */
/*
 * mb-vedbus.h - the engine's publish target for a libvedbus service
 *
 * struct mb_engine_table { .pub = &mb_vedbus_publish, .target = svc } publishes every register
 * with a path through vedbus_service_set() and flushes the service once per cycle.
 */
#pragma once

#include <stddef.h>

#include "mb-engine.h"
#include "vedbus.h"

/* Publish ops; the target is a struct vedbus_service *. */
extern const struct mb_publish_ops mb_vedbus_publish;

/*
 * mb_vedbus_add_items() - add an item for every register of @regs with a path, invalid until
 * read: STRING for MB_STR, INT for bit fields and unscaled integers, DOUBLE otherwise; with
 * the register's unit and decimals as text format, kept in @fmts (n_regs entries, caller's
 * storage that must live as long as the service, e.g. a static array). Paths that already
 * exist are left alone.
 * Return: 0 or the first error of vedbus_service_add().
 */
int mb_vedbus_add_items(struct vedbus_service *svc, const struct mb_reg *regs, size_t n_regs,
			struct vedbus_format *fmts);
