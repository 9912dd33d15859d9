/* SPDX-License-Identifier: MIT */
/*
 * vedbus.h - publish and follow Victron Venus OS D-Bus services (com.victronenergy.BusItem)
 *
 * The one public header of libvedbus. Ownership rules, stated once and repeated where they
 * matter:
 *  - strings passed in are copied; nothing passed in needs to outlive the call, except
 *    struct vedbus_format tables, which are borrowed for the item's lifetime (use static data);
 *  - strings and values handed out are borrowed until the next change of that item (or, in a
 *    callback, until the callback returns);
 *  - items belong to their service and are never freed by callers;
 *  - destructors accept NULL and return NULL: p = vedbus_service_free(p);
 *  - functions return 0 or a positive documented condition on success, a negative errno on
 *    failure. The library never prints.
 * The library is single-threaded: every call belongs to the thread running the GLib main
 * context the connections are attached to.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbus/dbus.h>
#include <glib.h>

#define VEDBUS_IFACE_BUSITEM  "com.victronenergy.BusItem"
#define VEDBUS_IFACE_SETTINGS "com.victronenergy.Settings"
#define VEDBUS_SETTINGS_NAME  "com.victronenergy.settings"

/* SetValue replies, as velib_python's vedbus. */
enum vedbus_reply {
	VEDBUS_REPLY_OK = 0,
	VEDBUS_REPLY_READONLY = 1, /* not writable, or a value of the wrong type */
	VEDBUS_REPLY_REJECTED = 2, /* refused by the owner's write callback */
};

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                     */

enum vedbus_type {
	VEDBUS_TYPE_INVALID = 0, /* no value: a variant holding an empty "ai" on the wire */
	VEDBUS_TYPE_INT,         /* "i", or "x" when it does not fit: enums, counters, ids */
	VEDBUS_TYPE_DOUBLE,      /* "d": measurements */
	VEDBUS_TYPE_STRING,      /* "s": names */
};

/*
 * A value. A string member is borrowed: whoever hands a value over keeps the string alive for
 * the duration of the call (in) or until the next change of the item (out).
 */
struct vedbus_value {
	enum vedbus_type type;
	union {
		int64_t i;
		double d;
		const char *s;
	} u;
};

static inline struct vedbus_value vedbus_invalid(void)
{
	return (struct vedbus_value){ .type = VEDBUS_TYPE_INVALID };
}

static inline struct vedbus_value vedbus_int(int64_t i)
{
	return (struct vedbus_value){ .type = VEDBUS_TYPE_INT, .u.i = i };
}

static inline struct vedbus_value vedbus_double(double d)
{
	return (struct vedbus_value){ .type = VEDBUS_TYPE_DOUBLE, .u.d = d };
}

static inline struct vedbus_value vedbus_string(const char *s)
{
	return (struct vedbus_value){ .type = VEDBUS_TYPE_STRING, .u.s = s ? s : "" };
}

static inline bool vedbus_value_is_valid(const struct vedbus_value *v)
{
	return v && v->type != VEDBUS_TYPE_INVALID;
}

/* vedbus_value_equal() - same type and same value (strings compared by content). */
bool vedbus_value_equal(const struct vedbus_value *a, const struct vedbus_value *b);

/*
 * vedbus_value_to_double() - a numeric value as a double.
 * Return: 0, or -EINVAL for an invalid or string value (*ret untouched).
 */
int vedbus_value_to_double(const struct vedbus_value *v, double *ret);

/*
 * vedbus_value_coerce() - convert @in to @type the way SetValue does: any integer and any
 * integral double into INT, any number into DOUBLE, strings only into STRING; invalid stays
 * invalid. Return: 0, or -EINVAL when the conversion is not allowed.
 */
int vedbus_value_coerce(const struct vedbus_value *in, enum vedbus_type type,
			struct vedbus_value *ret);

/*
 * vedbus_value_read() - read a value from @iter, which points at a variant (or directly at a
 * basic value). Any integer width, booleans and doubles become INT/DOUBLE; strings and object
 * paths STRING; an empty array (any element type) is INVALID. Other containers give -EINVAL.
 * A string in *ret is borrowed from the message behind @iter.
 */
int vedbus_value_read(DBusMessageIter *iter, struct vedbus_value *ret);

/*
 * vedbus_value_append() - append @v wrapped in a variant, encoded as velib_python does
 * (invalid = empty "ai", int = "i" or "x" if out of range, double = "d", string = "s").
 * Return: 0 or -ENOMEM.
 */
int vedbus_value_append(DBusMessageIter *iter, const struct vedbus_value *v);

/* ------------------------------------------------------------------------------------------ */
/* Text formatting (GetText)                                                                  */

struct vedbus_enum {
	int64_t value;
	const char *text;
}; /* tables end with { .text = NULL } */

typedef int (*vedbus_text_fn)(const struct vedbus_value *v, char *buf, size_t len,
			      void *userdata);

/*
 * How an item's value reads as text. Invalid always reads "---". With @enums an integer found
 * in the table reads as its text; otherwise a number is printed with @decimals (doubles;
 * negative = shortest exact form) followed by @unit without a space ("54.15V"), as Victron's
 * C drivers do. @text overrides everything except invalid.
 */
struct vedbus_format {
	const char *unit;
	int decimals;
	const struct vedbus_enum *enums;
	vedbus_text_fn text;
	void *text_userdata;
};

/*
 * vedbus_value_format() - the text of @v under @fmt (NULL: plain number or string) in @buf.
 * Return: @buf.
 */
const char *vedbus_value_format(const struct vedbus_value *v, const struct vedbus_format *fmt,
				char *buf, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Bus connections and the GLib main loop                                                     */

/*
 * vedbus_bus_open() - open a private connection and attach it to the default GMainContext.
 * @spec: "system", "session", a D-Bus address, or NULL for the default (the session bus when
 *        DBUS_SESSION_BUS_ADDRESS is set, else the system bus, as velib_python).
 * The connection does not exit the process on disconnect; a service built on it does (see
 * vedbus_service_new()). The caller owns the connection: close it with vedbus_bus_close().
 * Return: 0, -EINVAL for a bad @spec, -ECONNREFUSED when the bus cannot be reached.
 */
int vedbus_bus_open(const char *spec, DBusConnection **ret_conn);

/* vedbus_bus_close() - close and unref a connection from vedbus_bus_open(). NULL-safe. */
DBusConnection *vedbus_bus_close(DBusConnection *conn);

/*
 * vedbus_glib_attach() - drive @conn from @ctx (NULL: the default context): one GSource per
 * DBusWatch and DBusTimeout, dispatch from an idle source. No threads.
 * Return: 0 or -ENOMEM.
 */
int vedbus_glib_attach(DBusConnection *conn, GMainContext *ctx);

/* ------------------------------------------------------------------------------------------ */
/* Services and items                                                                         */

struct vedbus_service;
struct vedbus_item;

enum vedbus_item_flags {
	VEDBUS_ITEM_WRITABLE = 1 << 0, /* SetValue allowed */
	VEDBUS_ITEM_NULLABLE = 1 << 1, /* writing the invalid marker is allowed */
};

/*
 * Write callback. Called for every accepted-looking SetValue, also when the value equals the
 * current one (a keep-alive: DVCC rewrites the /Link paths every 3 s). @value is already coerced to
 * the item's type; its string is borrowed for the call.
 * Return: 0 to accept (the library stores @value and emits the change),
 *         VEDBUS_WRITE_STORED when the callback stored a value itself (e.g. clamped),
 *         a negative errno to reject (SetValue replies VEDBUS_REPLY_REJECTED).
 */
typedef int (*vedbus_write_fn)(struct vedbus_item *item, const struct vedbus_value *value,
			       void *userdata);
#define VEDBUS_WRITE_STORED 1

/* A table entry for vedbus_service_add_table(); tables end with { .path = NULL }. */
struct vedbus_item_def {
	const char *path;
	enum vedbus_type type;
	unsigned int flags;
	const struct vedbus_format *fmt;
	vedbus_write_fn write;
};

/*
 * vedbus_service_new() - a service with an empty item tree on a new private connection.
 * @bus:  as vedbus_bus_open(); NULL for the default bus.
 * @name: the well-known name to claim later, e.g. "com.victronenergy.solarcharger.ttyUSB0";
 *        copied. Checked against the D-Bus name rules.
 * The process exits if the bus goes away (the daemon supervisor restarts it).
 * Return: 0, -EINVAL (bad name or spec), -ECONNREFUSED, -ENOMEM.
 */
int vedbus_service_new(const char *bus, const char *name, struct vedbus_service **ret);

/* vedbus_service_free() - release the name, drop the tree, close the connection. NULL-safe. */
struct vedbus_service *vedbus_service_free(struct vedbus_service *svc);

/*
 * vedbus_service_register() - claim the name (do-not-queue). Build the whole tree first:
 * consumers snapshot a service with one GetItems when its name appears.
 * Return: 0, -EEXIST when another connection owns the name, -EIO on another bus error.
 */
int vedbus_service_register(struct vedbus_service *svc);

/* Borrowed accessors; valid for the service's lifetime. */
const char *vedbus_service_name(const struct vedbus_service *svc);
DBusConnection *vedbus_service_connection(const struct vedbus_service *svc);

/*
 * vedbus_service_add() - add an item at @path (absolute, e.g. "/Dc/0/Voltage") of @type with
 * @flags; its value starts invalid. Intermediate nodes are created as needed.
 * *ret_item (may be NULL) is borrowed from the service.
 * Return: 0, -EINVAL (bad path or type), -EEXIST (path taken or is a node), -ENOMEM.
 */
int vedbus_service_add(struct vedbus_service *svc, const char *path, enum vedbus_type type,
		       unsigned int flags, struct vedbus_item **ret_item);

/*
 * vedbus_service_add_table() - vedbus_service_add() for every entry, with @userdata given to
 * every write callback. Return: 0 or the first error (earlier entries stay).
 */
int vedbus_service_add_table(struct vedbus_service *svc, const struct vedbus_item_def *defs,
			     void *userdata);

/* vedbus_service_item() - the item at @path, or NULL. Borrowed. */
struct vedbus_item *vedbus_service_item(struct vedbus_service *svc, const char *path);

/*
 * vedbus_service_flush() - emit the queued changes: one ItemsChanged on "/" holding them all,
 * and one PropertiesChanged on each changed leaf. Nothing for an empty queue.
 * Return: the number of items emitted, or -ENOMEM.
 */
int vedbus_service_flush(struct vedbus_service *svc);

/*
 * vedbus_service_set_reply_codes() - the SetValue replies for a write refused by the library
 * (not writable, wrong type: default VEDBUS_REPLY_READONLY) and for one refused by the owner's
 * callback (default VEDBUS_REPLY_REJECTED). A settings service uses -1 for both, as
 * localsettings does.
 */
void vedbus_service_set_reply_codes(struct vedbus_service *svc, int readonly_code,
				    int rejected_code);

/*
 * vedbus_service_set_signals() - which change signals flush emits: @items_changed for the
 * batched ItemsChanged on "/", @properties_changed for per-leaf PropertiesChanged. Both are on
 * by default; localsettings emits only PropertiesChanged.
 */
void vedbus_service_set_signals(struct vedbus_service *svc, bool items_changed,
				bool properties_changed);

/*
 * Method hook for services that extend the BusItem interface (the settings daemon's
 * AddSettings, GetMin, ...). Called for a method the library does not handle, on any object
 * path of the service. @item is the leaf at that path or NULL.
 * Return: a reply the library sends and unrefs, or NULL for "unknown method".
 */
typedef DBusMessage *(*vedbus_method_fn)(struct vedbus_service *svc, const char *path,
					 struct vedbus_item *item, DBusMessage *msg,
					 void *userdata);
void vedbus_service_set_method_fn(struct vedbus_service *svc, vedbus_method_fn fn,
				  void *userdata);

/* Item accessors. The returned value and path are borrowed until the item next changes. */
const struct vedbus_value *vedbus_item_get(const struct vedbus_item *item);
const char *vedbus_item_path(const struct vedbus_item *item);
enum vedbus_type vedbus_item_type(const struct vedbus_item *item);
struct vedbus_service *vedbus_item_service(const struct vedbus_item *item);

/* Behaviour; @fmt is borrowed for the item's lifetime. */
void vedbus_item_set_format(struct vedbus_item *item, const struct vedbus_format *fmt);
void vedbus_item_set_write_fn(struct vedbus_item *item, vedbus_write_fn fn, void *userdata);
void vedbus_item_set_flags(struct vedbus_item *item, unsigned int flags);

/*
 * vedbus_item_set_limits() - attach Min, Max and Default (copied; NULL leaves one out). They
 * are returned by GetMin/GetMax/GetDefault and added to GetItems entries, as veutil and
 * localsettings do. Return: 0 or -ENOMEM.
 */
int vedbus_item_set_limits(struct vedbus_item *item, const struct vedbus_value *min,
			   const struct vedbus_value *max, const struct vedbus_value *def);
const struct vedbus_value *vedbus_item_min(const struct vedbus_item *item);
const struct vedbus_value *vedbus_item_max(const struct vedbus_item *item);
const struct vedbus_value *vedbus_item_default(const struct vedbus_item *item);

/*
 * vedbus_item_set() - change the value (coerced to the item's type) and queue the change for
 * the next flush. Return: 1 when the value changed, 0 when it is the same, -EINVAL when it
 * cannot be coerced, -ENOMEM.
 */
int vedbus_item_set(struct vedbus_item *item, const struct vedbus_value *v);
int vedbus_item_set_int(struct vedbus_item *item, int64_t i);
int vedbus_item_set_double(struct vedbus_item *item, double d);
int vedbus_item_set_string(struct vedbus_item *item, const char *s);
int vedbus_item_invalidate(struct vedbus_item *item);

/*
 * vedbus_service_set() - vedbus_item_set() on the item at @path.
 * Return: as vedbus_item_set(), or -ENOENT when there is no such item.
 */
int vedbus_service_set(struct vedbus_service *svc, const char *path,
		       const struct vedbus_value *v);

/*
 * vedbus_item_remove() - delete a leaf (and the nodes it leaves empty). Nothing is emitted;
 * consumers learn it from the next GetItems. The item pointer is dangling afterwards.
 */
void vedbus_item_remove(struct vedbus_item *item);

/* ------------------------------------------------------------------------------------------ */
/* Mandatory paths                                                                            */

/* What every Venus device service publishes; NULL strings and negative numbers are invalid. */
struct vedbus_identity {
	const char *process_name;    /* /Mgmt/ProcessName */
	const char *process_version; /* /Mgmt/ProcessVersion */
	const char *connection;      /* /Mgmt/Connection, e.g. "Modbus RTU ttyUSB0" */
	int device_instance;         /* /DeviceInstance, until settings grant one */
	int product_id;              /* /ProductId */
	const char *product_name;    /* /ProductName */
	int firmware_version;        /* /FirmwareVersion, Victron style integer (0x129 = v1.29) */
	const char *hardware_version; /* /HardwareVersion */
	const char *serial;          /* /Serial */
	const char *custom_name;     /* /CustomName (writable) */
};

/*
 * vedbus_add_mandatory_paths() - add /Mgmt/ProcessName, /Mgmt/ProcessVersion,
 * /Mgmt/Connection, /DeviceInstance, /ProductId, /ProductName, /FirmwareVersion,
 * /HardwareVersion, /Connected (0), /CustomName (writable) and /Serial from @id.
 * Return: 0 or the first error of vedbus_service_add().
 */
int vedbus_add_mandatory_paths(struct vedbus_service *svc, const struct vedbus_identity *id);

/* ------------------------------------------------------------------------------------------ */
/* Settings client (com.victronenergy.settings)                                               */

struct vedbus_settings;
struct vedbus_setting;

/*
 * Called when a setting takes a new value: from the AddSettings reply (when it differs from
 * what the client held) and from every PropertiesChanged. Values are kept while the settings
 * service is away. @value is borrowed for the call.
 */
typedef void (*vedbus_setting_fn)(struct vedbus_setting *setting,
				  const struct vedbus_value *value, void *userdata);

/*
 * vedbus_settings_new() - a settings client on @conn (borrowed; it must outlive the client).
 * It follows com.victronenergy.settings: when that service appears (now or later) every
 * setting added so far is created or read with one AddSettings call, and PropertiesChanged of
 * those settings is followed. Until then settings hold their defaults.
 * Return: 0 or -ENOMEM.
 */
int vedbus_settings_new(DBusConnection *conn, struct vedbus_settings **ret);
struct vedbus_settings *vedbus_settings_free(struct vedbus_settings *st);

/*
 * vedbus_settings_add() - declare a setting.
 * @path: full path, "/Settings/..."; copied.
 * @def:  default; its type decides the setting type (INT "i", DOUBLE "f", STRING "s").
 * @min, @max: limits for numbers (both 0 = none); ignored for strings.
 * @fn:   change callback or NULL.
 * *ret_setting (may be NULL) is owned by the client.
 * Return: 0, -EINVAL, -EEXIST (declared already), -ENOMEM.
 */
int vedbus_settings_add(struct vedbus_settings *st, const char *path,
			const struct vedbus_value *def, double min, double max,
			vedbus_setting_fn fn, void *userdata, struct vedbus_setting **ret_setting);

/* The current value (the default until the settings service answered). Borrowed. */
const struct vedbus_value *vedbus_setting_get(const struct vedbus_setting *setting);
const char *vedbus_setting_path(const struct vedbus_setting *setting);

/*
 * vedbus_setting_set() - write a setting (asynchronous SetValue). The local value changes at
 * once; the settings service's PropertiesChanged confirms it. Return: 0 or -ENOMEM.
 */
int vedbus_setting_set(struct vedbus_setting *setting, const struct vedbus_value *v);

/* vedbus_settings_synced() - true once every declared setting has been through AddSettings. */
bool vedbus_settings_synced(const struct vedbus_settings *st);

/*
 * vedbus_settings_wait() - run the default main context until the settings are synced, the
 * settings service is known to be absent, or @timeout_ms passes. For start-up only: a driver
 * waits briefly so /DeviceInstance is right in its first GetItems, then goes on with defaults.
 * Return: 0 synced, 1 not synced (absent or timeout).
 */
int vedbus_settings_wait(struct vedbus_settings *st, unsigned int timeout_ms);

/*
 * vedbus_service_bind_device() - make @svc a device with a VRM instance: declares
 * /Settings/Devices/<@unique_id>/ClassAndVrmInstance (default "<@dev_class>:<@preferred>") and
 * .../CustomName; /DeviceInstance follows the granted instance, /CustomName follows the
 * setting, and a /CustomName written on the service is stored in the setting.
 * Needs the mandatory paths. @unique_id: [A-Za-z0-9_]; copied.
 * Return: 0, -EINVAL, -ENOENT (no mandatory paths), -ENOMEM.
 */
int vedbus_service_bind_device(struct vedbus_service *svc, struct vedbus_settings *st,
			       const char *unique_id, const char *dev_class, int preferred);

/* ------------------------------------------------------------------------------------------ */
/* Monitor: follow paths of other services                                                    */

struct vedbus_monitor;

/*
 * Called when a followed value changes, when a service appears (its GetItems), and with an
 * invalid value when it disappears. @service and @value are borrowed for the call.
 */
typedef void (*vedbus_monitor_fn)(struct vedbus_monitor *mon, const char *service,
				  const char *path, const struct vedbus_value *value,
				  void *userdata);

/*
 * vedbus_monitor_new() - a monitor on @conn (borrowed). Signals are matched by sender and
 * path, so signals of services and paths nobody follows never reach this process.
 * Return: 0 or -ENOMEM.
 */
int vedbus_monitor_new(DBusConnection *conn, struct vedbus_monitor **ret);
struct vedbus_monitor *vedbus_monitor_free(struct vedbus_monitor *mon);

/*
 * vedbus_monitor_watch() - follow @path on every service whose name is @target or starts
 * with "@target." (so "com.victronenergy.battery" follows every battery). @fn may be NULL
 * (read with vedbus_monitor_get()). Return: 0, -EINVAL, -ENOMEM.
 */
int vedbus_monitor_watch(struct vedbus_monitor *mon, const char *target, const char *path,
			 vedbus_monitor_fn fn, void *userdata);

/* The last value of @path on @service, or NULL if unknown. Borrowed until the next change. */
const struct vedbus_value *vedbus_monitor_get(struct vedbus_monitor *mon, const char *service,
					      const char *path);

/*
 * vedbus_monitor_services() - the names of the known services matching @target (as in
 * vedbus_monitor_watch()), sorted. Return: a NULL-terminated array the caller frees with
 * g_free(); the strings are borrowed until the next main-loop iteration.
 */
const char **vedbus_monitor_services(struct vedbus_monitor *mon, const char *target);
