/* SPDX-License-Identifier: MIT */
/* device.c - mandatory paths, and a service's VRM instance and name kept in settings */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

struct vedbus_device {
	struct vedbus_service *svc;
	char *dev_class;
	struct vedbus_setting *instance; /* owned by the settings client */
	struct vedbus_setting *name;
};

struct vedbus_device *device_free(struct vedbus_device *dev)
{
	if (dev) {
		free(dev->dev_class);
		free(dev);
	}
	return NULL;
}

static int add_string(struct vedbus_service *svc, const char *path, const char *s,
		      unsigned int flags)
{
	struct vedbus_item *item;
	int r;

	r = vedbus_service_add(svc, path, VEDBUS_TYPE_STRING, flags, &item);
	if (r == 0 && s)
		r = vedbus_item_set_string(item, s);
	return r < 0 ? r : 0;
}

static int add_int(struct vedbus_service *svc, const char *path, int i)
{
	struct vedbus_item *item;
	int r;

	r = vedbus_service_add(svc, path, VEDBUS_TYPE_INT, 0, &item);
	if (r == 0 && i >= 0)
		r = vedbus_item_set_int(item, i);
	return r < 0 ? r : 0;
}

static int firmware_text(const struct vedbus_value *v, char *buf, size_t len, void *data)
{
	if (v->type != VEDBUS_TYPE_INT)
		return -EINVAL;
	/* Victron style: 0x129 reads v1.29 */
	snprintf(buf, len, "v%x.%02x", (unsigned int)(v->u.i >> 8), (unsigned int)(v->u.i & 0xff));
	return 0;
}

static int product_text(const struct vedbus_value *v, char *buf, size_t len, void *data)
{
	if (v->type != VEDBUS_TYPE_INT)
		return -EINVAL;
	snprintf(buf, len, "0x%X", (unsigned int)v->u.i);
	return 0;
}

static const struct vedbus_format firmware_fmt = { .text = firmware_text };
static const struct vedbus_format product_fmt = { .text = product_text };

int vedbus_add_mandatory_paths(struct vedbus_service *svc, const struct vedbus_identity *id)
{
	int r;

	if (!svc || !id)
		return -EINVAL;
	r = add_string(svc, "/Mgmt/ProcessName", id->process_name, 0);
	if (r == 0)
		r = add_string(svc, "/Mgmt/ProcessVersion", id->process_version, 0);
	if (r == 0)
		r = add_string(svc, "/Mgmt/Connection", id->connection, 0);
	if (r == 0)
		r = add_int(svc, "/DeviceInstance", id->device_instance);
	if (r == 0)
		r = add_int(svc, "/ProductId", id->product_id);
	if (r == 0)
		r = add_string(svc, "/ProductName", id->product_name, 0);
	if (r == 0)
		r = add_int(svc, "/FirmwareVersion", id->firmware_version);
	if (r == 0)
		r = add_string(svc, "/HardwareVersion", id->hardware_version, 0);
	if (r == 0)
		r = add_int(svc, "/Connected", 0);
	if (r == 0)
		r = add_string(svc, "/CustomName", id->custom_name ? id->custom_name : "",
			       VEDBUS_ITEM_WRITABLE);
	if (r == 0)
		r = add_string(svc, "/Serial", id->serial, 0);
	if (r < 0)
		return r;
	vedbus_item_set_format(vedbus_service_item(svc, "/FirmwareVersion"), &firmware_fmt);
	vedbus_item_set_format(vedbus_service_item(svc, "/ProductId"), &product_fmt);
	return 0;
}

/* "battery:512" -> 512 when the class is ours */
static int parse_instance(const char *s, const char *dev_class)
{
	size_t n = strlen(dev_class);
	char *end;
	long v;

	if (strncmp(s, dev_class, n) != 0 || s[n] != ':')
		return -EINVAL;
	v = strtol(s + n + 1, &end, 10);
	if (*end || end == s + n + 1 || v < 0 || v > 0xffff)
		return -EINVAL;
	return (int)v;
}

static void on_instance(struct vedbus_setting *setting, const struct vedbus_value *v,
			void *data)
{
	struct vedbus_device *dev = data;
	int instance;

	if (v->type != VEDBUS_TYPE_STRING)
		return;
	instance = parse_instance(v->u.s, dev->dev_class);
	if (instance < 0)
		return;
	if (vedbus_item_set_int(vedbus_service_item(dev->svc, "/DeviceInstance"), instance) > 0)
		vedbus_service_flush(dev->svc);
}

static void on_name(struct vedbus_setting *setting, const struct vedbus_value *v, void *data)
{
	struct vedbus_device *dev = data;

	if (vedbus_service_set(dev->svc, "/CustomName", v) > 0)
		vedbus_service_flush(dev->svc);
}

static int write_custom_name(struct vedbus_item *item, const struct vedbus_value *v,
			     void *data)
{
	struct vedbus_device *dev = data;

	return vedbus_setting_set(dev->name, v);
}

static bool unique_id_valid(const char *id)
{
	if (!id || !*id)
		return false;
	for (; *id; id++)
		if (!g_ascii_isalnum(*id) && *id != '_')
			return false;
	return true;
}

static int device_settings(struct vedbus_device *dev, struct vedbus_settings *st,
			   const char *unique_id, int preferred)
{
	struct vedbus_value def_instance, def_name = vedbus_string("");
	char path[256], def[128];
	int r;

	snprintf(path, sizeof(path), "/Settings/Devices/%s/ClassAndVrmInstance", unique_id);
	snprintf(def, sizeof(def), "%s:%d", dev->dev_class, preferred);
	def_instance = vedbus_string(def);
	r = vedbus_settings_add(st, path, &def_instance, 0, 0, on_instance, dev, &dev->instance);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/Settings/Devices/%s/CustomName", unique_id);
	return vedbus_settings_add(st, path, &def_name, 0, 0, on_name, dev, &dev->name);
}

int vedbus_service_bind_device(struct vedbus_service *svc, struct vedbus_settings *st,
			       const char *unique_id, const char *dev_class, int preferred)
{
	struct vedbus_item *name_item;
	struct vedbus_device *dev;
	int r;

	if (!svc || !st || !unique_id_valid(unique_id) || !dev_class || preferred < 0 ||
	    svc->device)
		return -EINVAL;
	name_item = vedbus_service_item(svc, "/CustomName");
	if (!name_item || !vedbus_service_item(svc, "/DeviceInstance"))
		return -ENOENT;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->svc = svc;
	dev->dev_class = strdup(dev_class);
	if (!dev->dev_class) {
		device_free(dev);
		return -ENOMEM;
	}
	r = device_settings(dev, st, unique_id, preferred);
	if (r < 0) {
		device_free(dev);
		return r;
	}
	svc->device = dev;
	vedbus_item_set_int(vedbus_service_item(svc, "/DeviceInstance"), preferred);
	vedbus_item_set_write_fn(name_item, write_custom_name, dev);
	return 0;
}
