/* SPDX-License-Identifier: MIT */
/* diag.c - self-diagnostics of a driver under /Diagnostics/ on one of its services */

#include <errno.h>
#include <math.h>

#include "diag.h"

static const struct vedbus_format fmt_ms = { .unit = "ms", .decimals = 1 };

static const struct vedbus_item_def diag_items[] = {
	{ "/Diagnostics/CycleTime", VEDBUS_TYPE_DOUBLE, 0, &fmt_ms, NULL },
	{ "/Diagnostics/RequestsPerCycle", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/Errors", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/Reconnects", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/SettingsWritesToday", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/LastError", VEDBUS_TYPE_STRING, 0, NULL, NULL },
	{ .path = NULL },
};

int diag_add(struct diag *d, struct vedbus_service *svc, const struct vedbus_item_def *extras,
	     void *userdata)
{
	int r = vedbus_service_add_table(svc, diag_items, NULL);

	if (r < 0)
		return r;
	if (extras) {
		r = vedbus_service_add_table(svc, extras, userdata);
		if (r < 0)
			return r;
	}
	*d = (struct diag){
		.svc = svc,
		.cycle_time = vedbus_service_item(svc, "/Diagnostics/CycleTime"),
		.requests = vedbus_service_item(svc, "/Diagnostics/RequestsPerCycle"),
		.errors = vedbus_service_item(svc, "/Diagnostics/Errors"),
		.reconnects = vedbus_service_item(svc, "/Diagnostics/Reconnects"),
		.settings_writes = vedbus_service_item(svc, "/Diagnostics/SettingsWritesToday"),
		.last_error = vedbus_service_item(svc, "/Diagnostics/LastError"),
	};
	return diag_publish(d, &(struct diag_values){ .cycle_time_ms = NAN });
}

/* The first negative of @r and @n. */
static int first_error(int r, int n)
{
	return r < 0 ? r : (n < 0 ? n : 0);
}

int diag_publish(struct diag *d, const struct diag_values *v)
{
	int r = 0;

	if (isnan(v->cycle_time_ms))
		r = first_error(r, vedbus_item_invalidate(d->cycle_time));
	else
		r = first_error(r, vedbus_item_set_double(d->cycle_time, v->cycle_time_ms));
	r = first_error(r, vedbus_item_set_int(d->requests, v->requests_per_cycle));
	r = first_error(r, vedbus_item_set_int(d->errors, (int64_t)v->errors));
	r = first_error(r, vedbus_item_set_int(d->reconnects, (int64_t)v->reconnects));
	r = first_error(r, vedbus_item_set_int(d->settings_writes, v->settings_writes_today));
	r = first_error(r, vedbus_item_set_string(d->last_error,
						  v->last_error ? v->last_error : ""));
	return r;
}

int diag_set_extra(struct diag *d, const char *path, const struct vedbus_value *v)
{
	return vedbus_service_set(d->svc, path, v);
}
