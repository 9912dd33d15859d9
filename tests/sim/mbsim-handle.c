/* SPDX-License-Identifier: MIT */
/* mbsim-handle.c - one request: faults, plant hooks, the write log, and the reply */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "mbsim-private.h"

struct sim_req {
	int hl; /* header length: 7 (MBAP) or 1 (RTU address) */
	int unit;
	uint8_t fc;
	uint16_t addr;
	uint16_t count;
	bool is_read;
	bool is_write;
	uint16_t values[123];
};

enum action {
	ACT_IGNORE = 0,
	ACT_REPLY,
	ACT_EXCEPTION,
	ACT_GARBAGE,
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void parse_write_multiple(const uint8_t *req, int len, struct sim_req *r)
{
	const uint8_t *pdu = req + r->hl;

	if (len < r->hl + 6 || r->count < 1 || r->count > 123 || pdu[5] != 2 * r->count ||
	    len < r->hl + 6 + 2 * r->count)
		return;
	for (unsigned int i = 0; i < r->count; i++)
		r->values[i] = be16(pdu + 6 + 2 * i);
	r->is_write = true;
}

static bool parse(const struct mbsim *sim, const uint8_t *req, int len, struct sim_req *r)
{
	const uint8_t *pdu;

	memset(r, 0, sizeof(*r));
	r->hl = sim->transport == MBSIM_TCP ? 7 : 1;
	if (len < r->hl + 5)
		return false;
	pdu = req + r->hl;
	r->unit = req[r->hl - 1];
	r->fc = pdu[0];
	r->addr = be16(pdu + 1);
	r->count = be16(pdu + 3);
	if (r->fc == MODBUS_FC_READ_HOLDING_REGISTERS || r->fc == MODBUS_FC_READ_INPUT_REGISTERS) {
		r->is_read = true;
	} else if (r->fc == MODBUS_FC_WRITE_SINGLE_REGISTER) {
		r->values[0] = r->count;
		r->count = 1;
		r->is_write = true;
	} else if (r->fc == MODBUS_FC_WRITE_MULTIPLE_REGISTERS) {
		parse_write_multiple(req, len, r);
	}
	return true;
}

static uint8_t exception_for(const struct mbsim *sim, const struct sim_req *r)
{
	uint32_t lo = r->addr, hi = (uint32_t)r->addr + MAX(r->count, 1);

	for (guint i = 0; i < sim->exc_ranges->len; i++) {
		const struct sim_exc_range *e =
			&g_array_index(sim->exc_ranges, struct sim_exc_range, i);

		if ((e->unit < 0 || e->unit == r->unit) && lo < e->addr + e->count && e->addr < hi)
			return e->code;
	}
	return 0;
}

/* Does the holding image of @u hold every register the write touches? */
static bool write_fits(struct sim_unit *u, const struct sim_req *r)
{
	modbus_mapping_t *m = u->map;

	return m && r->addr >= m->start_registers &&
	       r->addr + r->count <= m->start_registers + m->nb_registers;
}

static const struct mbsim_hooks *hooks_of(struct mbsim *sim, struct sim_unit *u, void **ud)
{
	*ud = u->hooks ? u->userdata : sim->default_userdata;
	return u->hooks ? u->hooks : sim->default_hooks;
}

static void log_write(struct mbsim *sim, const struct sim_req *r, uint8_t exc)
{
	struct mbsim_write w = {
		.unit = r->unit, .function = r->fc, .exception = exc, .addr = r->addr, .n = r->count
	};

	memcpy(w.values, r->values, r->count * sizeof(uint16_t));
	g_array_append_val(sim->writes, w);
}

/* Decide, lock held; may run the unit's hooks. */
static enum action decide(struct mbsim *sim, const struct sim_req *r, uint8_t *ret_code)
{
	struct sim_unit *u = r->unit < MBSIM_N_UNITS ? sim->units[r->unit] : NULL;
	const struct mbsim_hooks *h;
	void *ud;

	if (sim->stop || sim->reboot_until || sim->silence || !u || u->silent)
		return ACT_IGNORE;
	h = hooks_of(sim, u, &ud);
	*ret_code = exception_for(sim, r);
	if (!*ret_code && r->is_write && !write_fits(u, r))
		*ret_code = MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS;
	if (!*ret_code && r->is_read && h && h->read)
		h->read(sim, r->unit,
			r->fc == MODBUS_FC_READ_INPUT_REGISTERS ? MBSIM_INPUT : MBSIM_HOLDING,
			r->addr, r->count, ud);
	if (!*ret_code && r->is_write && h && h->write) {
		int code = h->write(sim, r->unit, r->addr, r->values, r->count, ud);

		*ret_code = code > 0 && code < 256 ? (uint8_t)code : 0;
	}
	if (r->is_write)
		log_write(sim, r, *ret_code);
	if (sim->garbage)
		return ACT_GARBAGE;
	return *ret_code ? ACT_EXCEPTION : ACT_REPLY;
}

static void send_exception(struct mbsim *sim, const uint8_t *req, const struct sim_req *r,
			   uint8_t code)
{
	uint8_t rsp[9];
	size_t n = 0;
	uint16_t crc;

	if (code < MODBUS_EXCEPTION_MAX) {
		(void)modbus_reply_exception(sim->mb, req, code);
		return;
	}
	/* libmodbus refuses codes it does not know (Huawei's 0x80): build the ADU by hand. */
	if (sim->transport == MBSIM_TCP) {
		uint8_t mbap[6] = { req[0], req[1], 0, 0, 0, 3 };

		memcpy(rsp, mbap, sizeof(mbap));
		n = sizeof(mbap);
	}
	rsp[n++] = (uint8_t)r->unit;
	rsp[n++] = r->fc | 0x80;
	rsp[n++] = code;
	if (sim->transport == MBSIM_PTY) {
		crc = mbsim_crc16(rsp, n);
		rsp[n++] = crc & 0xff;
		rsp[n++] = crc >> 8;
	}
	(void)mbsim_io_send(sim, rsp, n);
}

static void send_garbage(struct mbsim *sim)
{
	uint8_t junk[16];
	size_t n = 3 + (size_t)rand_r(&sim->seed) % 12;

	for (size_t i = 0; i < n; i++)
		junk[i] = (uint8_t)rand_r(&sim->seed);
	(void)mbsim_io_send(sim, junk, n);
}

/* After a reply: count down to a drop. Return: true when the connection must go. */
static bool drop_due(struct mbsim *sim)
{
	return sim->drop_after > 0 && --sim->drop_after == 0;
}

static void respond(struct mbsim *sim, const uint8_t *req, int len, const struct sim_req *r,
		    enum action act, uint8_t code)
{
	bool drop = act != ACT_IGNORE && drop_due(sim);

	if (drop && sim->transport == MBSIM_PTY)
		return; /* nothing to close on a pty: lose the reply instead */
	switch (act) {
	case ACT_IGNORE:
		break;
	case ACT_REPLY:
		(void)modbus_reply(sim->mb, req, len, sim->units[r->unit]->map);
		break;
	case ACT_EXCEPTION:
		send_exception(sim, req, r, code);
		break;
	case ACT_GARBAGE:
		send_garbage(sim);
		break;
	}
	if (drop)
		mbsim_io_drop_client(sim);
}

/* Wait @ms, cut short by a stop (the wake pipe is only peeked at). */
static void delay(struct mbsim *sim, unsigned int ms)
{
	struct pollfd p = { .fd = sim->wake[0], .events = POLLIN };

	(void)poll(&p, 1, (int)ms);
}

void mbsim_handle(struct mbsim *sim, const uint8_t *req, int len)
{
	struct sim_req r;
	enum action act;
	unsigned int ms;
	uint8_t code = 0;

	pthread_mutex_lock(&sim->lock);
	sim->n_requests++;
	pthread_cond_broadcast(&sim->cond);
	ms = sim->delay_ms;
	pthread_mutex_unlock(&sim->lock);
	if (!parse(sim, req, len, &r))
		return;
	if (ms)
		delay(sim, ms);

	pthread_mutex_lock(&sim->lock);
	act = decide(sim, &r, &code);
	respond(sim, req, len, &r, act, code);
	pthread_mutex_unlock(&sim->lock);
}
