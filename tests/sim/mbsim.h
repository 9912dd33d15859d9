/* SPDX-License-Identifier: MIT */
/*
 * mbsim.h - a Modbus device simulator library: register images per unit id, plant-model hooks,
 * a write log and fault injection, served by its own thread over TCP or a pseudo-terminal
 *
 * Built on libmodbus' public server API (modbus_mapping_new_start_address, modbus_receive,
 * modbus_reply, modbus_reply_exception). It shares no code with the driver engine on purpose:
 * a decoding bug must not cancel itself out. Every function is thread-safe; hooks run on the
 * simulator thread with the simulator's (recursive) lock held, so they may call any mbsim_
 * function except mbsim_free().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum mbsim_transport {
	MBSIM_TCP = 0, /* listen on host:port; port 0 picks a free one (mbsim_port()) */
	MBSIM_PTY,     /* a pseudo-terminal; the driver opens mbsim_pty_path() as its tty */
};

enum mbsim_space {
	MBSIM_HOLDING = 0, /* FC03/FC06/FC10 */
	MBSIM_INPUT,	   /* FC04 */
};

struct mbsim;

/* Plant-model hooks of one unit; every member may be NULL. */
struct mbsim_hooks {
	/* Before a read is answered: update the image (mbsim_set()) as the plant would. */
	void (*read)(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
		     uint16_t count, void *userdata);
	/*
	 * Before a write is applied. Return 0 to apply it, or a Modbus exception code (e.g. 3,
	 * illegal value, for out-of-order settings) to refuse it. Either way it is logged.
	 */
	int (*write)(struct mbsim *sim, int unit, uint16_t addr, const uint16_t *values, uint16_t n,
		     void *userdata);
	/* After the image was reset by a reboot. */
	void (*reset)(struct mbsim *sim, int unit, void *userdata);
};

/* One logged write. */
struct mbsim_write {
	int unit;
	uint8_t function;  /* 0x06 or 0x10 */
	uint8_t exception; /* 0 when applied */
	uint16_t addr;
	uint16_t n;
	uint16_t values[123];
};

/*
 * mbsim_new() - a stopped simulator with no units. @host: NULL for 127.0.0.1 (TCP only).
 * Return: 0, -EINVAL, -ENOMEM.
 */
int mbsim_new(enum mbsim_transport transport, const char *host, unsigned int port,
	      struct mbsim **ret);

/* mbsim_free() - stop the thread, close everything, free. NULL-safe; returns NULL. */
struct mbsim *mbsim_free(struct mbsim *sim);

/*
 * mbsim_start() - open the listening socket or the pty and start serving.
 * Return: 0 or -errno.
 */
int mbsim_start(struct mbsim *sim);

/* mbsim_port() - the bound TCP port (after start), or 0. */
unsigned int mbsim_port(struct mbsim *sim);

/* mbsim_pty_path() - "/dev/pts/N" (after start), or NULL. Borrowed from @sim. */
const char *mbsim_pty_path(struct mbsim *sim);

/*
 * mbsim_set() - write @n values from @addr into the image of @unit, creating the unit and
 * growing its image as needed. The first mbsim_set() of a unit also becomes the state that
 * a reboot returns to, until mbsim_snapshot(). Return: 0, -EINVAL, -ENOMEM.
 */
int mbsim_set(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
	      const uint16_t *values, size_t n);

/* mbsim_get() - read @n values; addresses outside the image read 0. Return: 0 or -ENOENT. */
int mbsim_get(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
	      uint16_t *ret_values, size_t n);

/* mbsim_snapshot() - the present images become what a reboot returns to. */
void mbsim_snapshot(struct mbsim *sim);

/*
 * mbsim_load_profile() - load register images from a profile file: lines
 *   UNIT SPACE ADDR VALUE [VALUE...]
 * SPACE is holding|input (h|i); numbers are decimal or 0x hex; a VALUE may be a "quoted
 * string" packed two characters per register, high byte first; '#' starts a comment.
 * Afterwards a snapshot is taken. Return: 0, -errno opening the file, -EINVAL with the line
 * number in *ret_line (may be NULL).
 */
int mbsim_load_profile(struct mbsim *sim, const char *path, unsigned int *ret_line);

/* mbsim_set_hooks() - hooks of @unit (-1: every unit without its own). @hooks is borrowed. */
int mbsim_set_hooks(struct mbsim *sim, int unit, const struct mbsim_hooks *hooks, void *userdata);

/* Fault injection; every fault holds until changed. */
void mbsim_fault_silence(struct mbsim *sim, bool on);	    /* read requests, never reply */
void mbsim_fault_garbage(struct mbsim *sim, bool on);	    /* reply random bytes */
void mbsim_fault_delay(struct mbsim *sim, unsigned int ms); /* before every reply */
void mbsim_fault_unit_silent(struct mbsim *sim, int unit, bool on);
/*
 * mbsim_fault_exception() - answer requests of @unit (-1: any) touching [addr, addr+count)
 * with exception @code (any 1..255; codes libmodbus cannot send, e.g. 0x80, are built by
 * hand). @count 0 clears every exception range. Return: 0, -ENOMEM.
 */
int mbsim_fault_exception(struct mbsim *sim, int unit, uint16_t addr, unsigned int count,
			  uint8_t code);
/* mbsim_fault_drop_after() - close the TCP connection after @n more replies (0: off). On a
 * pty, where nothing can be closed, that request goes unanswered instead. */
void mbsim_fault_drop_after(struct mbsim *sim, unsigned int n);
/* mbsim_reboot() - silent (and TCP closed) for @ms, then every image back to its snapshot. */
void mbsim_reboot(struct mbsim *sim, unsigned int ms);
/* mbsim_fault_clear() - no faults. */
void mbsim_fault_clear(struct mbsim *sim);

/* Counters. */
unsigned long mbsim_n_requests(struct mbsim *sim);    /* complete requests received */
unsigned long mbsim_n_connections(struct mbsim *sim); /* TCP connections accepted */

/* The write log, in order. */
size_t mbsim_n_writes(struct mbsim *sim);
int mbsim_write_get(struct mbsim *sim, size_t i, struct mbsim_write *ret);
void mbsim_writes_print(struct mbsim *sim, FILE *f); /* "UNIT ADDR V1 V2 ... [exc N]" lines */
void mbsim_writes_clear(struct mbsim *sim);

/*
 * mbsim_wait_requests() - block until at least @n requests were received or @timeout_ms
 * passed (for out-of-process use and tests that have no other event to wait for).
 * Return: 0 or -ETIMEDOUT.
 */
int mbsim_wait_requests(struct mbsim *sim, unsigned long n, unsigned int timeout_ms);

/*
 * mbsim_parse_num() - a number from a profile or a command: decimal, or hex with "0x" (a
 * leading zero is not octal), optionally negative, within [@lo, @hi].
 * Return: 0, or -EINVAL (*ret untouched).
 */
int mbsim_parse_num(const char *t, long lo, long hi, long *ret);
