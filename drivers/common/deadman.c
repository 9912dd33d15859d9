/* SPDX-License-Identifier: MIT */
/* deadman.c - expiry of setpoints written from outside (a write is a keep-alive) */

#include "deadman.h"

void deadman_init(struct deadman *d, int64_t timeout)
{
	*d = (struct deadman){ .timeout = timeout };
}

void deadman_set_timeout(struct deadman *d, int64_t timeout)
{
	d->timeout = timeout;
}

void deadman_touch(struct deadman *d, int64_t now)
{
	d->last = now;
	d->touched = true;
}

void deadman_clear(struct deadman *d)
{
	d->touched = false;
}

int64_t deadman_age(const struct deadman *d, int64_t now)
{
	if (!d->touched)
		return -1;
	return now > d->last ? now - d->last : 0;
}

int64_t deadman_remaining(const struct deadman *d, int64_t now)
{
	int64_t age = deadman_age(d, now);

	if (age < 0)
		return 0;
	if (d->timeout <= 0)
		return INT64_MAX;
	return age < d->timeout ? d->timeout - age : 0;
}

bool deadman_expired(const struct deadman *d, int64_t now)
{
	return deadman_remaining(d, now) == 0;
}
