/* SPDX-License-Identifier: MIT */
/*
 * up5000-multi.c - keep the emulated Multi from becoming the system's main Multi
 *
 * systemcalc uses the vebus service with the lowest /DeviceInstance as "the Multi" (and none
 * at all when that one is not connected). Unless [device] main_multi is set, when another
 * vebus service (a real Multi) shows up with a higher instance than ours, ours is moved just
 * above it: a SetValue of our ClassAndVrmInstance on com.victronenergy.settings, which
 * localsettings keeps unique; /DeviceInstance follows the setting (vedbus_service_bind_device).
 */

#include <math.h>
#include <string.h>

#include "up5000.h"

#define VEBUS "com.victronenergy.vebus"

static double instance_of(struct up *up, const char *svc)
{
	const struct vedbus_value *v = vedbus_monitor_get(up->mon, svc, "/DeviceInstance");
	double d;

	return v && vedbus_value_to_double(v, &d) == 0 ? d : NAN;
}

/* The highest instance of the other vebus services, or NAN. *ret_name: one of them. */
static double highest_other(struct up *up, const char **ret_name)
{
	const char *ours = vedbus_service_name(up->svc[UP_VEBUS]);
	const char **names = vedbus_monitor_services(up->mon, VEBUS);
	double best = NAN;

	for (size_t i = 0; names && names[i]; i++) {
		double inst = instance_of(up, names[i]);

		if (strcmp(names[i], ours) && !(inst <= best)) {
			best = inst;
			*ret_name = names[i];
		}
	}
	g_free(names);
	return best;
}

static void move_instance(struct up *up, int instance)
{
	DBusConnection *conn = vedbus_service_connection(up->svc[UP_SOLAR]);
	char path[160], value[32];
	struct vedbus_value v = vedbus_string(value);
	DBusMessageIter it;
	DBusMessage *msg;

	snprintf(path, sizeof(path), "/Settings/Devices/up5000_%s_vebus/ClassAndVrmInstance",
		 up->suffix);
	g_strcanon(path, "/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", '_');
	snprintf(value, sizeof(value), "vebus:%d", instance);
	msg = dbus_message_new_method_call(VEDBUS_SETTINGS_NAME, path, VEDBUS_IFACE_BUSITEM,
					   "SetValue");
	if (!msg)
		return;
	dbus_message_iter_init_append(msg, &it);
	if (vedbus_value_append(&it, &v) == 0)
		dbus_connection_send(conn, msg, NULL);
	dbus_message_unref(msg);
}

static void on_vebus(struct vedbus_monitor *mon, const char *service, const char *path,
		     const struct vedbus_value *value, void *userdata)
{
	struct up *up = userdata;
	const struct vedbus_value *mine =
		vedbus_item_get(vedbus_service_item(up->svc[UP_VEBUS], "/DeviceInstance"));
	const char *other = NULL;
	double theirs = highest_other(up, &other);

	if (up->cfg.main_multi || isnan(theirs) || mine->type != VEDBUS_TYPE_INT ||
	    mine->u.i > theirs)
		return;
	log_info("vebus: %s (instance %.0f) is on the bus: the emulated Multi moves to instance "
		 "%.0f so that it is not the main Multi ([device] main_multi)",
		 other, theirs, theirs + 1);
	move_instance(up, (int)theirs + 1);
}

int up_multi_init(struct up *up)
{
	return vedbus_monitor_watch(up->mon, VEBUS, "/DeviceInstance", on_vebus, up);
}
