/* SPDX-License-Identifier: MIT */
/* mb-txn.c - transactions, wire-size estimates and the error convention of the link */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <modbus.h>

#include "mb-link-private.h"

int mb_txn_new(mb_txn_done_fn done, void *userdata, struct mb_txn **ret)
{
	struct mb_txn *txn = calloc(1, sizeof(*txn));

	if (!txn)
		return -ENOMEM;
	txn->done = done;
	txn->userdata = userdata;
	*ret = txn;
	return 0;
}

struct mb_txn *mb_txn_free(struct mb_txn *txn)
{
	if (!txn)
		return NULL;
	for (size_t i = 0; i < txn->n_ops; i++)
		free(txn->ops[i].words);
	free(txn->ops);
	free(txn);
	return NULL;
}

static int add_op(struct mb_txn *txn, const struct mb_op *op, const uint16_t *words)
{
	struct mb_op *o;

	if (txn->n_ops == txn->cap) {
		size_t cap = txn->cap ? 2 * txn->cap : 8;
		struct mb_op *ops = realloc(txn->ops, cap * sizeof(*ops));

		if (!ops)
			return -ENOMEM;
		txn->ops = ops;
		txn->cap = cap;
	}
	o = &txn->ops[txn->n_ops];
	*o = *op;
	o->status = -ECANCELED;
	o->words = calloc(op->count, sizeof(uint16_t));
	if (!o->words)
		return -ENOMEM;
	if (words)
		memcpy(o->words, words, op->count * sizeof(uint16_t));
	return (int)txn->n_ops++;
}

int mb_txn_add_read(struct mb_txn *txn, int unit, enum mb_space space, uint16_t addr,
		    uint16_t count, unsigned int flags)
{
	struct mb_op op = { .kind = MB_OP_READ,
			    .unit = unit,
			    .space = space,
			    .addr = addr,
			    .count = count,
			    .flags = flags };

	if (!txn || count == 0 || count > MODBUS_MAX_READ_REGISTERS)
		return -EINVAL;
	return add_op(txn, &op, NULL);
}

int mb_txn_add_write(struct mb_txn *txn, int unit, uint16_t addr, const uint16_t *words, uint16_t n,
		     bool single, unsigned int flags)
{
	struct mb_op op = { .kind = single && n == 1 ? MB_OP_WRITE_SINGLE : MB_OP_WRITE_MULTIPLE,
			    .unit = unit,
			    .space = MB_HOLDING,
			    .addr = addr,
			    .count = n,
			    .flags = flags };

	if (!txn || !words || n == 0 || n > MODBUS_MAX_WRITE_REGISTERS)
		return -EINVAL;
	return add_op(txn, &op, words);
}

size_t mb_txn_n_ops(const struct mb_txn *txn)
{
	return txn->n_ops;
}

const struct mb_op *mb_txn_op(const struct mb_txn *txn, size_t i)
{
	return i < txn->n_ops ? &txn->ops[i] : NULL;
}

void *mb_txn_userdata(const struct mb_txn *txn)
{
	return txn->userdata;
}

void mb_txn_cancel_from(struct mb_txn *txn, size_t from, int status)
{
	for (size_t i = from; i < txn->n_ops; i++) {
		txn->ops[i].status = status;
		txn->ops[i].duration_us = 0;
		txn->ops[i].bytes = 0;
	}
}

unsigned int mb_op_wire_bytes(const struct mb_op *op, enum mb_framing f, int status)
{
	/* RTU adds unit + CRC (3 bytes) to the PDU, TCP the 7-byte MBAP header. */
	unsigned int adu = f == MB_FRAMING_RTU ? 3 : 7, req, rsp;

	if (status == -ENOTCONN || status == -ECANCELED || status == -ESHUTDOWN)
		return 0;
	switch (op->kind) {
	case MB_OP_READ:
		req = adu + 5;
		rsp = adu + 2 + 2 * op->count;
		break;
	case MB_OP_WRITE_SINGLE:
		req = rsp = adu + 5;
		break;
	case MB_OP_WRITE_MULTIPLE:
	default:
		req = adu + 6 + 2 * op->count;
		rsp = adu + 5;
		break;
	}
	if (mb_err_exception(status))
		rsp = adu + 2;
	else if (status < 0)
		rsp = 0;
	return req + rsp;
}

int mb_err_from_modbus(int e)
{
	if (e >= EMBXILFUN && e <= EMBXGTAR)
		return MB_ERR_EXC(e - MODBUS_ENOBASE);
	switch (e) {
	case EMBBADEXC:
	case EMBUNKEXC:
		return MB_ERR_EXC(MB_EXC_OTHER);
	case EMBBADCRC:
		return -EBADMSG;
	case EMBBADDATA:
	case EMBBADSLAVE:
		return -EPROTO;
	case EMBMDATA:
		return -EMSGSIZE;
	case 0:
		return -EIO;
	default:
		return e > 0 && e < MODBUS_ENOBASE ? -e : -EIO;
	}
}

static const char *const exc_text[] = {
	[0x01] = "exception 0x01 (illegal function)",
	[0x02] = "exception 0x02 (illegal data address)",
	[0x03] = "exception 0x03 (illegal data value)",
	[0x04] = "exception 0x04 (device failure)",
	[0x05] = "exception 0x05 (acknowledge)",
	[0x06] = "exception 0x06 (device busy)",
	[0x07] = "exception 0x07 (negative acknowledge)",
	[0x08] = "exception 0x08 (memory parity error)",
	[0x0a] = "exception 0x0a (gateway path unavailable)",
	[0x0b] = "exception 0x0b (gateway target failed to respond)",
};

const char *mb_strerror(int err)
{
	int exc = mb_err_exception(err);

	if (err == 0)
		return "ok";
	if (exc == MB_EXC_OTHER)
		return "exception with an unknown code (e.g. 0x80 no permission) or malformed";
	if (exc > 0)
		return exc < (int)G_N_ELEMENTS(exc_text) && exc_text[exc] ? exc_text[exc]
									  : "exception";
	return strerror(-err);
}
