/* SPDX-License-Identifier: MIT */
/* mbsim.c - simulator state: register images, hooks, faults, the write log, request handling */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbsim-private.h"

#define LOCK(sim)   pthread_mutex_lock(&(sim)->lock)
#define UNLOCK(sim) pthread_mutex_unlock(&(sim)->lock)

/* A borrowed view of one space of a mapping. */
static struct sim_image view(modbus_mapping_t *m, enum mbsim_space s)
{
	if (!m)
		return (struct sim_image){ 0 };
	if (s == MBSIM_INPUT)
		return (struct sim_image){ (uint16_t)m->start_input_registers,
					   (uint32_t)m->nb_input_registers,
					   m->tab_input_registers };
	return (struct sim_image){ (uint16_t)m->start_registers, (uint32_t)m->nb_registers,
				   m->tab_registers };
}

static void copy_into(struct sim_image dst, struct sim_image src)
{
	for (uint32_t i = 0; i < src.count; i++) {
		uint32_t a = src.start + i;

		if (a >= dst.start && a < dst.start + dst.count)
			dst.values[a - dst.start] = src.values[i];
	}
}

/* The union of an image and [lo, hi); an empty image takes [lo, hi). */
static void widen(struct sim_image *im, uint32_t lo, uint32_t hi)
{
	uint32_t end = im->start + im->count;

	if (im->count == 0) {
		im->start = (uint16_t)lo;
		im->count = hi - lo;
		return;
	}
	lo = MIN(lo, im->start);
	im->count = MAX(hi, end) - lo;
	im->start = (uint16_t)lo;
}

/* Make the unit's mapping hold [lo, hi) of @s (hi == lo: just the given shape). */
static int reshape(struct sim_unit *u, enum mbsim_space s, uint32_t lo, uint32_t hi)
{
	struct sim_image h = view(u->map, MBSIM_HOLDING), in = view(u->map, MBSIM_INPUT);
	modbus_mapping_t *m;

	if (hi > lo)
		widen(s == MBSIM_INPUT ? &in : &h, lo, hi);
	m = modbus_mapping_new_start_address(0, 0, 0, 0, h.start, h.count, in.start, in.count);
	if (!m)
		return -ENOMEM;
	copy_into(view(m, MBSIM_HOLDING), view(u->map, MBSIM_HOLDING));
	copy_into(view(m, MBSIM_INPUT), view(u->map, MBSIM_INPUT));
	if (u->map)
		modbus_mapping_free(u->map);
	u->map = m;
	return 0;
}

static struct sim_unit *unit_get(struct mbsim *sim, int unit, bool create)
{
	if (unit < 0 || unit >= MBSIM_N_UNITS)
		return NULL;
	if (!sim->units[unit] && create)
		sim->units[unit] = calloc(1, sizeof(struct sim_unit));
	return sim->units[unit];
}

static int set_locked(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
		      const uint16_t *values, size_t n)
{
	struct sim_unit *u = unit_get(sim, unit, true);
	struct sim_image im;
	int r;

	if (!u)
		return unit < 0 || unit >= MBSIM_N_UNITS ? -EINVAL : -ENOMEM;
	im = view(u->map, space);
	if (!u->map || addr < im.start || addr + n > im.start + im.count) {
		r = reshape(u, space, addr, addr + (uint32_t)n);
		if (r < 0)
			return r;
		im = view(u->map, space);
	}
	memcpy(&im.values[addr - im.start], values, n * sizeof(*values));
	return 0;
}

int mbsim_set(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
	      const uint16_t *values, size_t n)
{
	int r;

	if (!sim || (!values && n) || addr + n > 0x10000 || space > MBSIM_INPUT)
		return -EINVAL;
	LOCK(sim);
	r = set_locked(sim, unit, space, addr, values, n);
	UNLOCK(sim);
	return r;
}

int mbsim_get(struct mbsim *sim, int unit, enum mbsim_space space, uint16_t addr,
	      uint16_t *ret_values, size_t n)
{
	struct sim_unit *u;
	struct sim_image im;
	int r = -ENOENT;

	LOCK(sim);
	u = unit_get(sim, unit, false);
	if (u) {
		im = view(u->map, space);
		for (size_t i = 0; i < n; i++) {
			uint32_t a = addr + (uint32_t)i;

			ret_values[i] = a >= im.start && a < im.start + im.count
						? im.values[a - im.start]
						: 0;
		}
		r = 0;
	}
	UNLOCK(sim);
	return r;
}

static void snap_one(struct sim_unit *u)
{
	for (int s = MBSIM_HOLDING; s <= MBSIM_INPUT; s++) {
		struct sim_image im = view(u->map, s);

		free(u->snap[s].values);
		u->snap[s] = im;
		u->snap[s].values = g_memdup2(im.values, im.count * sizeof(uint16_t));
	}
}

void mbsim_snapshot(struct mbsim *sim)
{
	LOCK(sim);
	for (int i = 0; i < MBSIM_N_UNITS; i++)
		if (sim->units[i])
			snap_one(sim->units[i]);
	UNLOCK(sim);
}

/* Back to the snapshot: same shape, same values. Lock held. */
static void restore_locked(struct mbsim *sim)
{
	for (int i = 0; i < MBSIM_N_UNITS; i++) {
		struct sim_unit *u = sim->units[i];
		const struct mbsim_hooks *h;

		if (!u)
			continue;
		if (u->map)
			modbus_mapping_free(u->map);
		u->map = NULL;
		for (int s = MBSIM_HOLDING; s <= MBSIM_INPUT; s++)
			if (u->snap[s].count)
				set_locked(sim, i, s, u->snap[s].start, u->snap[s].values,
					   u->snap[s].count);
		h = u->hooks ? u->hooks : sim->default_hooks;
		if (h && h->reset)
			h->reset(sim, i, u->hooks ? u->userdata : sim->default_userdata);
	}
}

int mbsim_reboot_tick(struct mbsim *sim)
{
	int64_t left;
	int r = -1;

	LOCK(sim);
	if (sim->reboot_until) {
		left = sim->reboot_until - g_get_monotonic_time();
		if (left <= 0) {
			sim->reboot_until = 0;
			restore_locked(sim);
		} else {
			r = (int)((left + 999) / 1000);
		}
	}
	UNLOCK(sim);
	return r;
}

int mbsim_set_hooks(struct mbsim *sim, int unit, const struct mbsim_hooks *hooks, void *userdata)
{
	struct sim_unit *u;
	int r = 0;

	LOCK(sim);
	if (unit < 0) {
		sim->default_hooks = hooks;
		sim->default_userdata = userdata;
	} else if ((u = unit_get(sim, unit, true))) {
		u->hooks = hooks;
		u->userdata = userdata;
	} else {
		r = -EINVAL;
	}
	UNLOCK(sim);
	return r;
}

static void wake(struct mbsim *sim)
{
	if (sim->wake[1] >= 0)
		(void)!write(sim->wake[1], "x", 1);
}

void mbsim_fault_silence(struct mbsim *sim, bool on)
{
	LOCK(sim);
	sim->silence = on;
	UNLOCK(sim);
}

void mbsim_fault_garbage(struct mbsim *sim, bool on)
{
	LOCK(sim);
	sim->garbage = on;
	UNLOCK(sim);
}

void mbsim_fault_delay(struct mbsim *sim, unsigned int ms)
{
	LOCK(sim);
	sim->delay_ms = ms;
	UNLOCK(sim);
}

void mbsim_fault_unit_silent(struct mbsim *sim, int unit, bool on)
{
	struct sim_unit *u;

	LOCK(sim);
	u = unit_get(sim, unit, true);
	if (u)
		u->silent = on;
	UNLOCK(sim);
}

int mbsim_fault_exception(struct mbsim *sim, int unit, uint16_t addr, unsigned int count,
			  uint8_t code)
{
	struct sim_exc_range e = { .unit = unit, .addr = addr, .count = count, .code = code };

	LOCK(sim);
	if (count == 0)
		g_array_set_size(sim->exc_ranges, 0);
	else
		g_array_append_val(sim->exc_ranges, e);
	UNLOCK(sim);
	return 0;
}

void mbsim_fault_drop_after(struct mbsim *sim, unsigned int n)
{
	LOCK(sim);
	sim->drop_after = n;
	UNLOCK(sim);
}

void mbsim_reboot(struct mbsim *sim, unsigned int ms)
{
	LOCK(sim);
	sim->reboot_until = g_get_monotonic_time() + (int64_t)ms * 1000 + 1;
	sim->kick_client = true;
	UNLOCK(sim);
	wake(sim);
}

void mbsim_fault_clear(struct mbsim *sim)
{
	LOCK(sim);
	sim->silence = sim->garbage = false;
	sim->delay_ms = sim->drop_after = 0;
	g_array_set_size(sim->exc_ranges, 0);
	for (int i = 0; i < MBSIM_N_UNITS; i++)
		if (sim->units[i])
			sim->units[i]->silent = false;
	UNLOCK(sim);
}

unsigned long mbsim_n_requests(struct mbsim *sim)
{
	unsigned long n;

	LOCK(sim);
	n = sim->n_requests;
	UNLOCK(sim);
	return n;
}

unsigned long mbsim_n_connections(struct mbsim *sim)
{
	unsigned long n;

	LOCK(sim);
	n = sim->n_connections;
	UNLOCK(sim);
	return n;
}

int mbsim_wait_requests(struct mbsim *sim, unsigned long n, unsigned int timeout_ms)
{
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	LOCK(sim);
	while (sim->n_requests < n && r == 0)
		r = pthread_cond_timedwait(&sim->cond, &sim->lock, &ts);
	UNLOCK(sim);
	return r == 0 ? 0 : -ETIMEDOUT;
}

size_t mbsim_n_writes(struct mbsim *sim)
{
	size_t n;

	LOCK(sim);
	n = sim->writes->len;
	UNLOCK(sim);
	return n;
}

int mbsim_write_get(struct mbsim *sim, size_t i, struct mbsim_write *ret)
{
	int r = -ENOENT;

	LOCK(sim);
	if (i < sim->writes->len) {
		*ret = g_array_index(sim->writes, struct mbsim_write, i);
		r = 0;
	}
	UNLOCK(sim);
	return r;
}

void mbsim_writes_print(struct mbsim *sim, FILE *f)
{
	LOCK(sim);
	for (size_t i = 0; i < sim->writes->len; i++) {
		const struct mbsim_write *w = &g_array_index(sim->writes, struct mbsim_write, i);

		fprintf(f, "%d 0x%04x", w->unit, w->addr);
		for (unsigned int k = 0; k < w->n; k++)
			fprintf(f, " %u", w->values[k]);
		if (w->exception)
			fprintf(f, " exc %u", w->exception);
		fputc('\n', f);
	}
	UNLOCK(sim);
}

void mbsim_writes_clear(struct mbsim *sim)
{
	LOCK(sim);
	g_array_set_size(sim->writes, 0);
	UNLOCK(sim);
}

static void init_sync(struct mbsim *sim)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&sim->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sim->cond, &ca);
	pthread_condattr_destroy(&ca);
}

int mbsim_new(enum mbsim_transport transport, const char *host, unsigned int port,
	      struct mbsim **ret)
{
	struct mbsim *sim;

	if ((transport != MBSIM_TCP && transport != MBSIM_PTY) || port > 65535 || !ret)
		return -EINVAL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->transport = transport;
	sim->host = g_strdup(host ? host : "127.0.0.1");
	sim->port = port;
	sim->wake[0] = sim->wake[1] = -1;
	sim->listen_fd = sim->client_fd = sim->pty_master = sim->pty_slave = -1;
	sim->exc_ranges = g_array_new(FALSE, TRUE, sizeof(struct sim_exc_range));
	sim->writes = g_array_new(FALSE, TRUE, sizeof(struct mbsim_write));
	sim->seed = 0x5eed;
	init_sync(sim);
	*ret = sim;
	return 0;
}

int mbsim_start(struct mbsim *sim)
{
	int r;

	if (!sim || sim->running)
		return -EINVAL;
	mbsim_snapshot(sim);
	r = mbsim_io_open(sim);
	if (r < 0)
		return r;
	r = -pthread_create(&sim->thread, NULL, mbsim_io_thread, sim);
	if (r < 0) {
		mbsim_io_close(sim);
		return r;
	}
	sim->running = true;
	return 0;
}

unsigned int mbsim_port(struct mbsim *sim)
{
	return sim->transport == MBSIM_TCP && sim->running ? sim->port : 0;
}

const char *mbsim_pty_path(struct mbsim *sim)
{
	return sim->pty_path;
}

struct mbsim *mbsim_free(struct mbsim *sim)
{
	if (!sim)
		return NULL;
	if (sim->running) {
		LOCK(sim);
		sim->stop = true;
		UNLOCK(sim);
		wake(sim);
		pthread_join(sim->thread, NULL);
	}
	mbsim_io_close(sim);
	for (int i = 0; i < MBSIM_N_UNITS; i++) {
		struct sim_unit *u = sim->units[i];

		if (!u)
			continue;
		if (u->map)
			modbus_mapping_free(u->map);
		free(u->snap[MBSIM_HOLDING].values);
		free(u->snap[MBSIM_INPUT].values);
		free(u);
	}
	g_array_free(sim->exc_ranges, TRUE);
	g_array_free(sim->writes, TRUE);
	pthread_cond_destroy(&sim->cond);
	pthread_mutex_destroy(&sim->lock);
	g_free(sim->host);
	g_free(sim->pty_path);
	free(sim);
	return NULL;
}
