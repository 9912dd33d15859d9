/* SPDX-License-Identifier: MIT */
/*
 * mb-link.h - a Modbus device link: one worker thread runs transactions, one request at a time
 *
 * libmodbus blocks, the GLib main loop must not: the main thread builds a transaction (an
 * ordered list of reads and writes), submits it, and gets it back, completed, in a callback
 * dispatched from the GMainContext given to mb_link_new(). The worker knows only registers.
 *
 * Error codes (op status, return values) are 0 or negative:
 *   -errno                    transport: -ETIMEDOUT, -ECONNRESET, -ENOTCONN (link down),
 *                             -EBADMSG (bad CRC), -EPROTO (malformed or mismatched reply),
 *                             -ECANCELED (not run: an earlier stop-on-error op failed)
 *   MB_ERR_EXC(code)          the device answered with Modbus exception @code (1..0x0B),
 *                             = -(MB_EXC_BASE + code), far below any errno
 *   MB_ERR_EXC(MB_EXC_OTHER)  an exception code libmodbus 3.1 cannot pass on (e.g. Huawei's
 *                             0x80 "no permission"), or a malformed exception reply
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "mb-plan.h"
#include "mb-reg.h"

#define MB_EXC_BASE	     0x10000
#define MB_ERR_EXC(code)     (-(MB_EXC_BASE + (int)(code)))
#define MB_EXC_ILLEGAL_FUNC  0x01
#define MB_EXC_ILLEGAL_ADDR  0x02 /* register not supported by this model */
#define MB_EXC_ILLEGAL_VALUE 0x03
#define MB_EXC_DEVICE_FAIL   0x04
#define MB_EXC_BUSY	     0x06
#define MB_EXC_GW_TARGET     0x0B
#define MB_EXC_OTHER	     0xFF

/* mb_err_exception() - the exception code carried by @err, or 0 when it is no exception. */
static inline int mb_err_exception(int err)
{
	return err <= MB_ERR_EXC(1) && err >= MB_ERR_EXC(0xff) ? -err - MB_EXC_BASE : 0;
}

/* mb_strerror() - text for an op status or return value; static storage, never NULL. */
const char *mb_strerror(int err);

/* ------------------------------------------------------------------------------------------ */
/* Transactions                                                                               */

enum mb_op_kind {
	MB_OP_READ = 0,	      /* FC03 (holding) or FC04 (input) */
	MB_OP_WRITE_SINGLE,   /* FC06, one register */
	MB_OP_WRITE_MULTIPLE, /* FC10 */
};

enum mb_op_flags {
	MB_OP_STOP_ON_ERROR = 1 << 0,  /* a failure cancels the rest of the transaction */
	MB_OP_SKIP_DEAD_UNIT = 1 << 1, /* -ECANCELED if its unit timed out earlier in the txn */
};

/* One request and, after completion, its outcome. Owned by its transaction. */
struct mb_op {
	enum mb_op_kind kind;
	int unit;	     /* Modbus unit id; -1: the link's */
	enum mb_space space; /* reads */
	uint16_t addr;
	uint16_t count;
	unsigned int flags;   /* enum mb_op_flags */
	uint16_t *words;      /* read: the registers read (count); write: the values */
	int status;	      /* 0 or an error code (see top); -ECANCELED until run */
	uint32_t duration_us; /* request sent to reply received (or the error) */
	uint32_t bytes;	      /* estimated ADU bytes on the wire, both ways */
};

struct mb_txn;

/*
 * Completion callback, called on the link's GMainContext. @txn is borrowed: the link frees it
 * when the callback returns. Never called after mb_link_free() started. Callbacks may submit
 * new transactions but must not free the link.
 */
typedef void (*mb_txn_done_fn)(struct mb_txn *txn, void *userdata);

/* mb_txn_new() - an empty transaction; @userdata is borrowed. Return: 0 or -ENOMEM. */
int mb_txn_new(mb_txn_done_fn done, void *userdata, struct mb_txn **ret);

/* mb_txn_free() - free a transaction that was never submitted. NULL-safe; returns NULL. */
struct mb_txn *mb_txn_free(struct mb_txn *txn);

/*
 * mb_txn_add_read() / mb_txn_add_write() - append an op; @words are copied. A write of one
 * register with @single uses FC06, anything else FC10.
 * Return: the op's index, or -EINVAL (count 0 or above the Modbus limit), -ENOMEM.
 */
int mb_txn_add_read(struct mb_txn *txn, int unit, enum mb_space space, uint16_t addr,
		    uint16_t count, unsigned int flags);
int mb_txn_add_write(struct mb_txn *txn, int unit, uint16_t addr, const uint16_t *words, uint16_t n,
		     bool single, unsigned int flags);

/* Borrowed views, valid while the transaction lives. */
size_t mb_txn_n_ops(const struct mb_txn *txn);
const struct mb_op *mb_txn_op(const struct mb_txn *txn, size_t i);
void *mb_txn_userdata(const struct mb_txn *txn);

/* mb_op_wire_bytes() - estimated request + reply ADU bytes of @op with outcome @status. */
unsigned int mb_op_wire_bytes(const struct mb_op *op, enum mb_framing f, int status);

/* ------------------------------------------------------------------------------------------ */
/* Links                                                                                      */

enum mb_link_kind {
	MB_LINK_RTU = 0,
	MB_LINK_TCP,
};

enum mb_link_state {
	MB_LINK_DOWN = 0,   /* not connected; the next attempt waits for the backoff */
	MB_LINK_CONNECTING, /* opening, or waiting the delay after connect */
	MB_LINK_UP,
};

struct mb_link_config {
	enum mb_link_kind kind;
	/* RTU */
	const char *device;		   /* "ttyUSB0" or "/dev/ttyUSB0" (copied) */
	unsigned int baud;		   /* 0: 115200 */
	char parity;			   /* 'N', 'E', 'O'; 0: 'N' */
	unsigned int data_bits, stop_bits; /* 0: 8 and 1 */
	bool rs485; /* ask for RS485 mode; failure (e.g. on a pty) is ignored */
	/* TCP */
	const char *host;  /* name or address (copied) */
	unsigned int port; /* 0: 502 */
	/* both */
	int unit;			  /* default unit id of ops with unit -1 */
	unsigned int response_timeout_ms; /* 0: 1000 */
	unsigned int spacing_ms;	  /* minimum gap between a reply and the next request */
	unsigned int connect_delay_ms;	  /* wait after connecting before the first request */
	unsigned int backoff_min_ms;	  /* 0: 500 */
	unsigned int backoff_max_ms;	  /* 0: 30000 */
	unsigned int tcp_fail_limit; /* consecutive TCP timeouts/garbage before reconnect; 0: 3 */
};

struct mb_link_stats {
	enum mb_link_state state;
	uint64_t requests; /* requests sent */
	uint64_t errors;   /* ops that failed, exceptions and timeouts included */
	uint64_t exceptions;
	uint64_t timeouts;
	uint64_t connects; /* successful connects */
	uint64_t connect_failures;
	uint64_t reconnects;	 /* closes after a broken connection */
	uint64_t bytes;		 /* estimated, both ways */
	unsigned int backoff_ms; /* delay before the next connect attempt */
	int last_error;
};

struct mb_link;

/*
 * mb_link_new() - create a link and start its worker, which connects at once (and again with
 * capped exponential backoff after failures). Completions are dispatched from @ctx (NULL: the
 * default context). @cfg is copied.
 * Return: 0, -EINVAL (bad config), -ENOMEM, or -errno from thread creation.
 */
int mb_link_new(const struct mb_link_config *cfg, GMainContext *ctx, struct mb_link **ret);

/*
 * mb_link_free() - stop the worker and free the link. A TCP request in progress is cut short
 * (socket shutdown); an RTU request finishes within its response timeout. Transactions not yet
 * delivered are freed without their callbacks. NULL-safe; returns NULL.
 */
struct mb_link *mb_link_free(struct mb_link *link);

/*
 * mb_link_submit() - queue @txn (FIFO); the link owns it from now on, also on failure.
 * While the link is DOWN the worker completes it at once with -ENOTCONN on every op; while
 * CONNECTING it waits for the connection.
 * Return: 0, -EINVAL (empty transaction), -ESHUTDOWN (link being freed).
 */
int mb_link_submit(struct mb_link *link, struct mb_txn *txn);

/*
 * Link event callback, on the link's GMainContext: called after the state, the number of
 * connects or the number of connect failures changed. Coalesced: it sees the latest counters,
 * not every transition (DOWN -> CONNECTING -> UP may arrive as one call). @stats is borrowed.
 */
typedef void (*mb_link_event_fn)(struct mb_link *link, const struct mb_link_stats *stats,
				 void *userdata);

/* mb_link_set_event_fn() - set (or clear, NULL) the event callback; @userdata is borrowed. */
void mb_link_set_event_fn(struct mb_link *link, mb_link_event_fn fn, void *userdata);

/* mb_link_get_stats() - a consistent snapshot of the counters. */
void mb_link_get_stats(struct mb_link *link, struct mb_link_stats *ret);

/* mb_link_framing() - the framing the link uses, for wire-size estimates. */
enum mb_framing mb_link_framing(const struct mb_link *link);
