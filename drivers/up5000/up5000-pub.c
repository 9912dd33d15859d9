/* SPDX-License-Identifier: MIT */
/*
 * up5000-pub.c - the engine's publish target for two services: a register's path is set on
 * every service that has an item there (battery voltage is /Dc/0/Voltage on both)
 *
 * mb-vedbus.h publishes one table to one service; the UP5000 is one device on two services, and
 * reading its registers twice to fill two tables would double the bus load. Flushing waits
 * until the names are claimed (the start-up probe runs before that).
 */

#include <errno.h>

#include "up5000.h"

static int set_all(struct up_pub *p, const char *path, const struct vedbus_value *v)
{
	int r = -ENOENT;

	for (unsigned int s = 0; s < UP_N_SVC; s++) {
		if (!p->svc[s] || !vedbus_service_item(p->svc[s], path))
			continue;
		r = vedbus_service_set(p->svc[s], path, v);
		if (r < 0)
			return r;
	}
	return r < 0 ? r : 0;
}

static int set_number(void *target, const struct mb_reg *reg, double value)
{
	struct vedbus_value v = vedbus_double(value);

	return set_all(target, reg->path, &v);
}

static int set_string(void *target, const struct mb_reg *reg, const char *s)
{
	struct vedbus_value v = vedbus_string(s);

	return set_all(target, reg->path, &v);
}

static int invalidate(void *target, const struct mb_reg *reg)
{
	struct vedbus_value v = vedbus_invalid();

	return set_all(target, reg->path, &v);
}

static int flush(void *target)
{
	struct up_pub *p = target;
	int r = 0;

	for (unsigned int s = 0; p->live && s < UP_N_SVC; s++) {
		int f = p->svc[s] ? vedbus_service_flush(p->svc[s]) : 0;

		r = r < 0 ? r : (f < 0 ? f : 0);
	}
	return r;
}

const struct mb_publish_ops up_pub_ops = {
	.set_number = set_number,
	.set_string = set_string,
	.invalidate = invalidate,
	.flush = flush,
};
