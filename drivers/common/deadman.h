/* SPDX-License-Identifier: MIT */
/*
 * deadman.h - expiry of setpoints written from outside (a write is a keep-alive)
 *
 * Pure: no clock of its own. Times are monotonic microseconds (g_get_monotonic_time()), passed
 * in as @now, so tests drive it with a fake clock. A setpoint never written, or not rewritten
 * within the timeout, is expired; the owner then puts the device back in its autonomous mode.
 * Used for /Link/ChargeVoltage (60 s), /Ac/PowerLimit (60 s) and /Control/... (/Control/Timeout).
 * The struct is plain data: embed it, no destructor.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define DEADMAN_USEC_PER_SEC INT64_C(1000000)
#define DEADMAN_DEFAULT_TIMEOUT (60 * DEADMAN_USEC_PER_SEC)

struct deadman {
	int64_t timeout; /* µs; <= 0: never expires once touched */
	int64_t last;    /* µs, time of the last touch */
	bool touched;    /* written since init or the last deadman_clear() */
};

/* deadman_init() - not yet written (expired), with @timeout µs (<= 0: no expiry). */
void deadman_init(struct deadman *d, int64_t timeout);

/* deadman_set_timeout() - a new timeout, taking effect for the current write too. */
void deadman_set_timeout(struct deadman *d, int64_t timeout);

/* deadman_touch() - a write (also one repeating the current value) at @now. */
void deadman_touch(struct deadman *d, int64_t now);

/* deadman_clear() - forget the last write: expired until the next touch. */
void deadman_clear(struct deadman *d);

/*
 * deadman_expired() - true when never touched, or when @now is @timeout or more after the
 * last touch. A clock that went backwards counts as "just written".
 */
bool deadman_expired(const struct deadman *d, int64_t now);

/* deadman_remaining() - µs until expiry at @now: 0 when expired, INT64_MAX for no expiry. */
int64_t deadman_remaining(const struct deadman *d, int64_t now);

/* deadman_age() - µs since the last touch, or -1 when never touched. */
int64_t deadman_age(const struct deadman *d, int64_t now);
