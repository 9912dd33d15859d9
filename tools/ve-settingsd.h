/* SPDX-License-Identifier: MIT */
/* ve-settingsd.h - ve-settingsd's modules: bus glue (-bus.c), persistence (-file.c), main */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "vedbus.h"
#include "ve-settingsd-store.h"

/* Debounce of the settings file: written at most this long after the first unsaved change. */
#define SETTINGSD_SAVE_DELAY_MS 200

struct settingsd {
	struct store *store;	    /* owned */
	struct vedbus_service *svc; /* owned; NULL until the bus is open */
	const char *file;	    /* borrowed from argv */
	guint save_source;	    /* pending debounced save, or 0 */
	bool dirty;		    /* changes not yet in the file */
	bool quit;		    /* SIGTERM/SIGINT seen */
};

/*
 * settingsd_bus_open() - the service com.victronenergy.settings on @bus with every setting of
 * the store published, its name claimed last.
 * Return: 0, or a negative errno of vedbus_service_new()/_register() (-EEXIST: name taken).
 */
int settingsd_bus_open(struct settingsd *sd, const char *bus);

/*
 * settingsd_load() - fill the empty store from sd->file. A missing file gives no settings; a
 * corrupted or unreadable one is logged, renamed to FILE.bad and gives no settings.
 * Return: 0, or a negative errno when a bad file cannot be set aside.
 */
int settingsd_load(struct settingsd *sd);

/* settingsd_changed() - the store changed: write the file within SETTINGSD_SAVE_DELAY_MS. */
void settingsd_changed(struct settingsd *sd);

/* settingsd_save() - write the file now (atomic replace) if it is behind. Return: 0 or -EIO. */
int settingsd_save(struct settingsd *sd);
