/* SPDX-License-Identifier: MIT */
/*
 * bench-up5000.c - what dbus-up5000-hybrid's register table costs on the wire: requests and
 * bytes per cycle as planned, against the original driver and against the minimum, and the
 * wire-time bound at a baud rate (Modbus RTU, 8N1: 10 bits per byte, 3.5 characters of
 * silence before each frame, 1.75 ms above 19200 baud; the device's own turnaround comes on
 * top and is not known)
 *
 *   bench-up5000 [BAUD]
 */

#include <stdio.h>
#include <stdlib.h>

#include "drivers/up5000/up5000-regs.h"
#include "mb-plan.h"

static double wire_ms(size_t n_txn, size_t bytes, unsigned int baud)
{
	double gap_ms = baud > 19200 ? 1.75 : 3.5 * 11 * 1000.0 / baud;

	return (double)bytes * 10 * 1000.0 / baud + (double)n_txn * 2 * gap_ms;
}

static void row(const char *what, const struct mb_reg *regs, size_t n, uint32_t mask,
		unsigned int max_regs, unsigned int baud)
{
	struct mb_block blocks[128];
	struct mb_plan_params p = { .max_regs = max_regs,
				    .bridge_gap = max_regs,
				    .group_mask = mask };
	size_t nb = 0, bytes, regs_read = 0;

	if (mb_plan(regs, n, &p, NULL, blocks, 128, &nb) < 0) {
		printf("  %-44s plan failed\n", what);
		return;
	}
	bytes = mb_plan_wire_bytes(blocks, nb, MB_FRAMING_RTU);
	for (size_t i = 0; i < nb; i++)
		regs_read += blocks[i].count;
	printf("  %-44s %3zu requests %5zu bytes %4zu registers  wire >= %6.1f ms\n", what, nb,
	       bytes, regs_read, wire_ms(nb, bytes, baud));
}

static const uint16_t original[] = {
	0x3500, 0x3501, 0x3502, 0x3511, 0x3521, 0x3522, 0x3523, 0x3549, 0x354B,
	0x3557, 0x3559, 0x3580, 0x3581, 0x3586, 0x3589, 0x9618, 0x961F,
};

int main(int argc, char **argv)
{
	unsigned int baud = argc > 1 ? (unsigned int)atoi(argv[1]) : 115200;
	struct mb_reg orig[32];
	size_t n = 0;
	uint32_t fast = 1u << UP_G_FAST, slow = fast | 1u << UP_G_SLOW;

	for (size_t i = 0; i < sizeof(original) / sizeof(original[0]); i++) {
		int k = mb_table_find(up_regs, up_n_regs,
				      original[i] >= 0x9600 ? MB_HOLDING : MB_INPUT, original[i]);

		orig[n] = up_regs[k];
		orig[n++].group = 0;
	}
	printf("== up5000: Modbus RTU per cycle at %u baud (planned; 8N1, t3.5 gaps)\n", baud);
	printf("  %-44s %3d requests %5u bytes %4d registers  wire >= %6.1f ms\n",
	       "original driver (20 single reads)", 20, 20 * mb_read_wire_bytes(MB_FRAMING_RTU, 1),
	       20, wire_ms(20, 20 * mb_read_wire_bytes(MB_FRAMING_RTU, 1), baud));
	row("original data, blocks of <= 10", orig, n, 1, UP_MAX_REGS_DEFAULT, baud);
	row("fast cycle (every 1 s), blocks of <= 10", up_regs, up_n_regs, fast,
	    UP_MAX_REGS_DEFAULT, baud);
	row("fast + slow cycle (every 10 s)", up_regs, up_n_regs, slow, UP_MAX_REGS_DEFAULT, baud);
	row("first cycle (ratings too)", up_regs, up_n_regs, 0xff, UP_MAX_REGS_DEFAULT, baud);
	row("minimum: fast cycle, blocks of <= 125", up_regs, up_n_regs, fast, 125, baud);
	row("minimum: fast + slow, blocks of <= 125", up_regs, up_n_regs, slow, 125, baud);
	return 0;
}
