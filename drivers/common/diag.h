/* SPDX-License-Identifier: MIT */
/*
 * diag.h - self-diagnostics of a driver under /Diagnostics/ on one of its services
 *
 *   /Diagnostics/CycleTime            d  ms, the last poll cycle (request to publish)
 *   /Diagnostics/RequestsPerCycle     i  device transactions in the last cycle
 *   /Diagnostics/Errors               i  failed transactions since start
 *   /Diagnostics/Reconnects           i  link re-opens since start
 *   /Diagnostics/SettingsWritesToday  i  EEPROM-backed writes in the current 24 h window
 *   /Diagnostics/LastError            s  text of the last error ("" none)
 *
 * plus extras a driver declares (any path, normally under /Diagnostics/). The driver fills a
 * struct diag_values and calls diag_publish() once per cycle, before its flush; unchanged
 * values emit nothing.
 */
#pragma once

#include <stdint.h>

#include "vedbus.h"

struct diag_values {
	double cycle_time_ms;       /* NAN: no cycle yet (invalid) */
	unsigned int requests_per_cycle;
	uint64_t errors;
	uint64_t reconnects;
	unsigned int settings_writes_today;
	const char *last_error;     /* borrowed for the call; NULL: "" */
};

/* Embed in the driver; items are borrowed from the service (which must outlive it). */
struct diag {
	struct vedbus_service *svc;
	struct vedbus_item *cycle_time;
	struct vedbus_item *requests;
	struct vedbus_item *errors;
	struct vedbus_item *reconnects;
	struct vedbus_item *settings_writes;
	struct vedbus_item *last_error;
};

/*
 * diag_add() - add the /Diagnostics/ items (and @extras, a table ending in { .path = NULL },
 * may be NULL; its write callbacks get @userdata) to @svc, before vedbus_service_register().
 * Return: 0 or the first error of vedbus_service_add().
 */
int diag_add(struct diag *d, struct vedbus_service *svc, const struct vedbus_item_def *extras,
	     void *userdata);

/* diag_publish() - set the items from @v; Return: 0 or a negative errno (-ENOMEM). */
int diag_publish(struct diag *d, const struct diag_values *v);

/* diag_set_extra() - set a driver extra by path; Return: as vedbus_service_set(). */
int diag_set_extra(struct diag *d, const char *path, const struct vedbus_value *v);
