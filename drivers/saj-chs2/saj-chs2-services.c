/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-services.c - the battery, pvinverter and (only with a CT) grid services: trees,
 * identity, VRM instances, registration, /Connected and the flush once per cycle
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "saj-chs2.h"

#ifndef VHD_VERSION
#define VHD_VERSION "unknown"
#endif

#define PRODUCT_ID	 0xFFFF /* third party; avoids systemcalc's battery quirks */
#define SETTINGS_WAIT_MS 2000
#define LATE_REGISTER_US (2 * G_USEC_PER_SEC)

static const struct {
	const char *cls;
	int preferred; /* venus-dbus.md §3.4 */
} svc_info[SAJ_N_SVC] = {
	[SAJ_SVC_BATTERY] = { "battery", 512 },
	[SAJ_SVC_PV] = { "pvinverter", 20 },
	[SAJ_SVC_GRID] = { "grid", 30 },
};

static int error_text(const struct vedbus_value *v, char *buf, size_t len, void *data)
{
	if (v->type != VEDBUS_TYPE_INT)
		return -EINVAL;
	if (v->u.i == 0) {
		snprintf(buf, len, "No error");
		return 0;
	}
	for (const struct saj_fault *f = saj_faults; f->text; f++)
		if ((int64_t)(32 * f->word + f->bit + 1) == v->u.i) {
			snprintf(buf, len, "%s", f->text);
			return 0;
		}
	snprintf(buf, len, "Fault %lld", (long long)v->u.i);
	return 0;
}

static const struct vedbus_enum status_enums[] = {
	{ 0, "Startup" },      { 1, "Startup" }, { 7, "Running" }, { 8, "Standby" },
	{ 9, "Boot loading" }, { 10, "Error" },	 { .text = NULL },
};
static const struct vedbus_format f_status = { .enums = status_enums };
static const struct vedbus_format f_error = { .text = error_text };
static const struct vedbus_format f_w = { .unit = "W", .decimals = 0 };
static const struct vedbus_format f_ah = { .unit = "Ah", .decimals = 0 };

static const struct vedbus_item_def pv_items[] = {
	{ "/Ac/Power", VEDBUS_TYPE_DOUBLE, 0, &f_w, NULL },
	{ "/Ac/MaxPower", VEDBUS_TYPE_DOUBLE, 0, &f_w, NULL },
	{ "/Ac/NumberOfPhases", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Position", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/StatusCode", VEDBUS_TYPE_INT, 0, &f_status, NULL },
	{ "/ErrorCode", VEDBUS_TYPE_INT, 0, &f_error, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def grid_items[] = {
	{ "/Ac/Power", VEDBUS_TYPE_DOUBLE, 0, &f_w, NULL },
	{ "/NrOfPhases", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ .path = NULL },
};

static const struct vedbus_item_def battery_items[] = {
	{ "/InstalledCapacity", VEDBUS_TYPE_DOUBLE, 0, &f_ah, NULL },
	{ .path = NULL },
};

struct vedbus_service *saj_svc(struct saj *s, enum saj_svc_id id)
{
	return s->svcs[id].svc;
}

static void set_int(struct vedbus_service *svc, const char *path, int64_t i)
{
	struct vedbus_value v = vedbus_int(i);

	(void)vedbus_service_set(svc, path, &v);
}

static void set_double(struct vedbus_service *svc, const char *path, double d)
{
	struct vedbus_value v = d < 0 ? vedbus_invalid() : vedbus_double(d);

	(void)vedbus_service_set(svc, path, &v);
}

/* The class items of @id and their constant values. */
static int add_class_items(struct saj *s, enum saj_svc_id id, struct vedbus_service *svc)
{
	static const struct vedbus_item_def *const defs[SAJ_N_SVC] = {
		[SAJ_SVC_BATTERY] = battery_items,
		[SAJ_SVC_PV] = pv_items,
		[SAJ_SVC_GRID] = grid_items,
	};
	int r = vedbus_service_add_table(svc, defs[id], s);

	if (r == 0)
		r = saj_map_add_items(s, id);
	if (r < 0)
		return r;
	if (id == SAJ_SVC_PV) {
		set_double(svc, "/Ac/MaxPower", s->rated);
		set_int(svc, "/Ac/NumberOfPhases", 3);
		set_int(svc, "/Position", s->cfg.position);
	} else if (id == SAJ_SVC_GRID) {
		set_int(svc, "/NrOfPhases", 3);
	} else {
		set_double(svc, "/InstalledCapacity", s->cfg.capacity);
	}
	return 0;
}

/* A service with its whole tree and its VRM instance binding; not registered yet. */
static int build(struct saj *s, enum saj_svc_id id)
{
	char name[192], uid[160], product[64];
	struct saj_svc *ss = &s->svcs[id];
	struct vedbus_identity ident = {
		.process_name = SAJ_PROGRAM,
		.process_version = VHD_VERSION,
		.connection = s->connection,
		.device_instance = svc_info[id].preferred,
		.product_id = PRODUCT_ID,
		.product_name = product,
		.firmware_version = -1,
	};
	int r;

	snprintf(name, sizeof(name), "com.victronenergy.%s.%s", svc_info[id].cls, s->suffix);
	snprintf(uid, sizeof(uid), "%s_%s", s->suffix, svc_info[id].cls);
	snprintf(product, sizeof(product), "SAJ %s", saj_models[s->cfg.model].name);
	r = vedbus_service_new(s->common.dbus, name, &ss->svc);
	if (r == 0)
		r = vedbus_add_mandatory_paths(ss->svc, &ident);
	if (r == 0)
		r = add_class_items(s, id, ss->svc);
	if (r == 0 && id == SAJ_SVC_BATTERY)
		r = saj_control_add(s);
	if (r == 0 && id == SAJ_SVC_PV)
		r = saj_power_limit_add(s, ss->svc);
	if (r == 0 && id == SAJ_SVC_BATTERY)
		r = diag_add(&s->diag, ss->svc, saj_diag_extras, s);
	if (r == 0)
		r = vedbus_settings_new(vedbus_service_connection(ss->svc), &ss->settings);
	if (r == 0)
		r = vedbus_service_bind_device(ss->svc, ss->settings, uid, svc_info[id].cls,
					       svc_info[id].preferred);
	if (r < 0)
		log_err("cannot build %s: %s", name, strerror(-r));
	ss->created = g_get_monotonic_time();
	return r;
}

static int do_register(struct saj_svc *ss)
{
	int r = vedbus_service_register(ss->svc);

	if (r < 0) {
		log_err("cannot claim %s: %s", vedbus_service_name(ss->svc),
			r == -EEXIST ? "the name is taken" : strerror(-r));
		return r;
	}
	ss->registered = true;
	log_info("%s registered", vedbus_service_name(ss->svc));
	return 0;
}

int saj_services_new(struct saj *s)
{
	int r = build(s, SAJ_SVC_BATTERY);

	if (r == 0)
		r = build(s, SAJ_SVC_PV);
	for (int i = 0; r == 0 && i < SAJ_SVC_GRID; i++)
		if (vedbus_settings_wait(s->svcs[i].settings, SETTINGS_WAIT_MS) != 0)
			log_warn("settings not available; %s uses instance %d", svc_info[i].cls,
				 svc_info[i].preferred);
	for (int i = 0; r == 0 && i < SAJ_SVC_GRID; i++)
		r = do_register(&s->svcs[i]);
	return r;
}

static void drop(struct saj_svc *ss)
{
	ss->settings = vedbus_settings_free(ss->settings);
	ss->svc = vedbus_service_free(ss->svc);
	ss->registered = false;
}

void saj_services_free(struct saj *s)
{
	saj_control_free(s);
	for (int i = SAJ_N_SVC - 1; i >= 0; i--)
		drop(&s->svcs[i]);
}

int saj_grid_present(struct saj *s, bool present)
{
	struct saj_svc *ss = &s->svcs[SAJ_SVC_GRID];

	if (present == !!ss->svc)
		return 0;
	if (!present) {
		log_info("no CT: dropping %s", vedbus_service_name(ss->svc));
		drop(ss);
		return 0;
	}
	if (build(s, SAJ_SVC_GRID) < 0) {
		drop(ss);
		return -EIO;
	}
	return 0;
}

/* Serial number and firmware from the identity registers, once they are read. */
static void publish_identity(struct saj *s, struct vedbus_service *svc)
{
	const struct mb_reg *r = saj_reg_by_name(saj_regs, saj_n_regs, "Serial");
	const struct mb_val *v = mb_engine_value(s->eng, 0, r->addr);
	double ver = saj_number(s, "MasterVersion");
	struct vedbus_value serial =
		v && v->kind == MB_VAL_STRING ? vedbus_string(v->str) : vedbus_invalid();
	int minor;

	(void)vedbus_service_set(svc, "/Serial", &serial);
	if (isnan(ver))
		return;
	/* x0.001: 1234 is v1.234, published Victron style as 0x123 ("v1.23") */
	minor = ((int)ver % 1000) / 10;
	set_int(svc, "/FirmwareVersion", ((int)ver / 1000) << 8 | (minor / 10) << 4 | minor % 10);
}

void saj_services_cycle(struct saj *s)
{
	struct saj_svc *grid = &s->svcs[SAJ_SVC_GRID];
	int64_t now = g_get_monotonic_time();

	if (grid->svc && !grid->registered &&
	    (vedbus_settings_synced(grid->settings) || now - grid->created > LATE_REGISTER_US) &&
	    do_register(grid) < 0)
		drop(grid);
	for (int i = 0; i < SAJ_N_SVC; i++) {
		struct vedbus_service *svc = s->svcs[i].svc;

		if (!svc)
			continue;
		set_int(svc, "/Connected", s->connected);
		publish_identity(s, svc);
		(void)vedbus_service_flush(svc);
	}
}
