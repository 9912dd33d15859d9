/* SPDX-License-Identifier: MIT */
/* mb-vedbus.c - publishing engine registers on a libvedbus service */

#include <errno.h>

#include "mb-vedbus.h"

static int set_number(void *target, const struct mb_reg *reg, double value)
{
	struct vedbus_value v = vedbus_double(value);

	return vedbus_service_set(target, reg->path, &v);
}

static int set_string(void *target, const struct mb_reg *reg, const char *s)
{
	struct vedbus_value v = vedbus_string(s);

	return vedbus_service_set(target, reg->path, &v);
}

static int invalidate(void *target, const struct mb_reg *reg)
{
	struct vedbus_value v = vedbus_invalid();

	return vedbus_service_set(target, reg->path, &v);
}

static int flush(void *target)
{
	int r = vedbus_service_flush(target);

	return r < 0 ? r : 0;
}

const struct mb_publish_ops mb_vedbus_publish = {
	.set_number = set_number,
	.set_string = set_string,
	.invalidate = invalidate,
	.flush = flush,
};

static enum vedbus_type type_of(const struct mb_reg *r)
{
	switch (r->type) {
	case MB_STR:
		return VEDBUS_TYPE_STRING;
	case MB_BITS16:
		return VEDBUS_TYPE_INT;
	case MB_U16:
	case MB_S16:
	case MB_U32:
	case MB_S32:
	case MB_U64:
	case MB_S64:
		break;
	}
	return mb_reg_scale(r) == 1 ? VEDBUS_TYPE_INT : VEDBUS_TYPE_DOUBLE;
}

int mb_vedbus_add_items(struct vedbus_service *svc, const struct mb_reg *regs, size_t n_regs,
			struct vedbus_format *fmts)
{
	for (size_t k = 0; k < n_regs; k++) {
		const struct mb_reg *r = &regs[k];
		struct vedbus_item *item;
		int ret;

		if (!r->path || vedbus_service_item(svc, r->path))
			continue;
		/* read-only: the driver wires writes (mb_engine_write_value()) itself */
		ret = vedbus_service_add(svc, r->path, type_of(r), 0, &item);
		if (ret < 0)
			return ret;
		if (fmts && (r->unit || r->decimals)) {
			fmts[k] =
				(struct vedbus_format){ .unit = r->unit, .decimals = r->decimals };
			vedbus_item_set_format(item, &fmts[k]);
		}
	}
	return 0;
}
