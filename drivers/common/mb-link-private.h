/* SPDX-License-Identifier: MIT */
/* mb-link-private.h - the transaction object shared by mb-txn.c and mb-link.c */
#pragma once

#include "mb-link.h"

struct mb_txn {
	mb_txn_done_fn done;
	void *userdata;
	struct mb_op *ops;
	size_t n_ops;
	size_t cap;
};

/* mb_txn_cancel_from() - mark ops @from.. as not run with @status. */
void mb_txn_cancel_from(struct mb_txn *txn, size_t from, int status);

/* mb_err_from_modbus() - libmodbus' errno (or a system errno) as one of our error codes. */
int mb_err_from_modbus(int e);
