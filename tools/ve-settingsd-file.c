// SPDX-License-Identifier: MIT
/* ve-settingsd-file.c - the settings file: load at start, debounced atomic saves */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ve-settingsd.h"

#define FILE_COMMENT " ve-settingsd: one group per setting; written by the daemon, edit it stopped"

/* Rename a bad file out of the way so the next save does not destroy the evidence. */
static int set_aside(struct settingsd *sd, const char *reason)
{
	g_autofree char *bad = g_strconcat(sd->file, ".bad", NULL);

	/* a half-read file may have added settings: start from nothing */
	sd->store = store_free(sd->store);
	store_new(&sd->store);
	if (rename(sd->file, bad) < 0) {
		log_err("%s: unreadable (%s) and cannot be renamed to %s: %s", sd->file, reason,
			bad, strerror(errno));
		return -errno;
	}
	log_err("%s: unreadable (%s); renamed to %s, starting with no settings", sd->file, reason,
		bad);
	return 0;
}

int settingsd_load(struct settingsd *sd)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree char *reason = NULL;

	if (!g_key_file_load_from_file(kf, sd->file, G_KEY_FILE_NONE, &err)) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			log_info("%s: not found, starting with no settings", sd->file);
			return 0;
		}
		return set_aside(sd, err->message);
	}
	if (store_from_keyfile(sd->store, kf, &reason) < 0)
		return set_aside(sd, reason);
	log_info("%s: loaded %u settings", sd->file, store_count(sd->store));
	return 0;
}

int settingsd_save(struct settingsd *sd)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree char *data = NULL;
	gsize len;

	if (sd->save_source) {
		g_source_remove(sd->save_source);
		sd->save_source = 0;
	}
	if (!sd->dirty)
		return 0;
	store_to_keyfile(sd->store, kf);
	g_key_file_set_comment(kf, NULL, NULL, FILE_COMMENT, NULL);
	data = g_key_file_to_data(kf, &len, NULL);
	/* write to a temporary file, fsync, rename over the old one */
	if (!g_file_set_contents_full(sd->file, data, (gssize)len,
				      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				      0644, &err)) {
		log_err("%s: cannot save: %s", sd->file, err->message);
		return -EIO;
	}
	sd->dirty = false;
	log_debug("%s: saved %u settings", sd->file, store_count(sd->store));
	return 0;
}

static gboolean on_save_timeout(gpointer data)
{
	struct settingsd *sd = data;

	sd->save_source = 0;
	settingsd_save(sd);
	return G_SOURCE_REMOVE;
}

void settingsd_changed(struct settingsd *sd)
{
	sd->dirty = true;
	/* not restarted by later changes: a busy client cannot postpone the write forever */
	if (!sd->save_source)
		sd->save_source = g_timeout_add(SETTINGSD_SAVE_DELAY_MS, on_save_timeout, sd);
}
