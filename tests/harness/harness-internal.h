/* SPDX-License-Identifier: MIT */
/*
 * harness-internal.h - what the harness files share among themselves; tests use harness.h
 */
#pragma once

#include <poll.h>

#include "harness.h"

#define HX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One queued signal; the queue is a singly linked list in arrival order. */
struct hx_signal {
	struct hx_signal *next;
	DBusMessage *msg; /* owned */
};

/*
 * hx__client_pump() - handle one more incoming message (queue a signal, take the awaited
 * reply), reading the connection and draining child output until one arrives.
 * Return: 1, -ETIMEDOUT, -ECONNRESET, or a negative errno from poll().
 */
int hx__client_pump(struct hx_client *c, int64_t deadline);

/* The newest queued signal (NULL when the queue is empty): a cursor for hx__client_next(). */
struct hx_signal *hx__client_tail(struct hx_client *c);

/*
 * hx__client_next() - the queued signal after *@cursor (after none: the oldest), advancing
 * *@cursor; NULL when there is none yet. Borrowed; valid while nothing is popped.
 */
DBusMessage *hx__client_next(struct hx_client *c, struct hx_signal **cursor);

/* The output pipes of the live children, for a poll() that also waits for something else. */
int hx__proc_pollfds(struct pollfd *fds, int max);

/* Read whatever the live children printed, without blocking. */
void hx__proc_drain_all(void);
