/* SPDX-License-Identifier: MIT */
/*
 * mb-reg.h - Modbus register tables as data, and pure decoding/encoding of register words
 *
 * A device is a const array of struct mb_reg, sorted by address within each register space,
 * one register per line (see doc/modbus-engine.rst). Nothing here allocates, blocks or logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register space, i.e. the read function code. Holding is the default (0) because two of our
 * three devices (Huawei, SAJ) and Victron's own meters read everything with FC03. */
enum mb_space {
	MB_HOLDING = 0, /* FC03 read, FC06/FC10 write */
	MB_INPUT = 1,	/* FC04 read-only */
};

enum mb_type {
	MB_U16 = 0,
	MB_S16,
	MB_U32,
	MB_S32,
	MB_U64, /* Huawei meter totals (32341...) */
	MB_S64,
	MB_STR,	   /* .len registers, two ASCII chars each, high byte first, NUL padded */
	MB_BITS16, /* raw 16-bit field, never scaled */
};

/* Order of the 16-bit words of a 32/64-bit value; bytes inside a word are always big-endian. */
enum mb_word_order {
	MB_WORDS_HIGH_FIRST = 0, /* Huawei, SAJ, the Modbus convention */
	MB_WORDS_LOW_FIRST,	 /* EPEVER UP5000: L at the lower address, H at the next */
};

enum mb_reg_flags {
	MB_F_INVALID = 1 << 0,	/* .invalid is a "no value" marker */
	MB_F_ENERGY = 1 << 1,	/* a counter that must never go backwards when published */
	MB_F_WRITABLE = 1 << 2, /* mb_encode() may be used for it */
};

#define MB_MAX_GROUPS	8  /* refresh groups 0..7, e.g. 0 fast, 1 slow, 2 once */
#define MB_STR_MAX_REGS 32 /* longest MB_STR: 64 characters */

struct mb_reg {
	uint16_t addr; /* protocol (0-based PDU) address */
	enum mb_space space;
	enum mb_type type;
	uint8_t len;	    /* registers of an MB_STR; ignored for the other types */
	double scale;	    /* published = raw / scale; 0 means 1 */
	const char *path;   /* D-Bus path, or NULL when only the mapping code uses it */
	const char *name;   /* vendor name, e.g. "RegBAVol" */
	uint8_t group;	    /* refresh group, < MB_MAX_GROUPS */
	unsigned int flags; /* enum mb_reg_flags */
	uint64_t invalid;   /* marker compared with the unsigned raw bits (MB_F_INVALID) */
	const char *unit;   /* for text, e.g. "V" */
	int8_t decimals;    /* for text */
	double min, max;    /* mb_encode() range of the published value when min < max */
	const char *source; /* where the address comes from, e.g. "UP5000 Modbus v1.4 p12" */
};

/*
 * MB_REG() - one table line; optional fields trail as designated initialisers:
 *   MB_REG(0x3580, MB_U16, "/Dc/0/Voltage", 100, .space = MB_INPUT, .unit = "V", .decimals = 2)
 */
#define MB_REG(a, t, p, s, ...)                                                                    \
	{                                                                                          \
		.addr = (a), .type = (t), .path = (p), .scale = (s), __VA_ARGS__                   \
	}

enum mb_val_kind {
	MB_VAL_NONE = 0, /* no value: never read, or the read failed */
	MB_VAL_INVALID,	 /* the device said "no value" (invalid marker) */
	MB_VAL_NUMBER,
	MB_VAL_STRING,
};

struct mb_val {
	enum mb_val_kind kind;
	double raw;   /* the integer as read, sign applied */
	double value; /* raw / scale (energy: never below the highest seen, see mb-engine.h) */
	char str[2 * MB_STR_MAX_REGS + 1];
};

/* mb_reg_width() - registers occupied by @r (1, 2, 4 or .len). */
unsigned int mb_reg_width(const struct mb_reg *r);

/* mb_reg_scale() - @r's divisor: .scale, or 1 when it is 0 or the type is MB_BITS16. */
double mb_reg_scale(const struct mb_reg *r);

/*
 * mb_decode() - decode mb_reg_width(@r) words read from the device.
 * @words: the words in address order, as the device sent them (host byte order).
 * *ret is filled: NUMBER (raw and scaled), STRING (trailing NULs and spaces stripped,
 * non-printable bytes replaced by '?'), or INVALID when the marker matched (for a string:
 * when every word equals the low 16 bits of the marker).
 * Return: 0, or -EINVAL for a bad type or string length (*ret untouched).
 */
int mb_decode(const struct mb_reg *r, const uint16_t *words, enum mb_word_order order,
	      struct mb_val *ret);

/*
 * mb_encode() - the words to write so that @r reads back as @value.
 * raw = round(@value * scale); @ret_words must hold mb_reg_width(@r) words.
 * Return: 0; -ERANGE when raw does not fit the type or @value is outside [min, max];
 * -EINVAL for NaN, strings and MB_BITS16 with a fraction.
 */
int mb_encode(const struct mb_reg *r, double value, enum mb_word_order order, uint16_t *ret_words);

/*
 * mb_table_check() - lint a table: known types, string lengths 1..MB_STR_MAX_REGS, groups
 * below MB_MAX_GROUPS, ascending addresses without overlap per space, paths starting with
 * '/', unique paths, non-negative scale. The first problem is described in @err.
 * Return: 0, or -EINVAL.
 */
int mb_table_check(const struct mb_reg *regs, size_t n_regs, char *err, size_t len);

/* mb_table_find() - the index of the register at @addr in @space, or -ENOENT. */
int mb_table_find(const struct mb_reg *regs, size_t n_regs, enum mb_space space, uint16_t addr);
