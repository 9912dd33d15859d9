/* SPDX-License-Identifier: MIT */
/* mb-link.c - the worker thread of a Modbus link: connect, backoff, one request at a time */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <glib.h>
#include <modbus.h>

#include "mb-link-private.h"

struct mb_link {
	struct mb_link_config cfg;
	char *device;
	char *host;
	modbus_t *mb;
	GSource *done_src;
	mb_link_event_fn event_fn; /* main thread only */
	void *event_userdata;
	struct mb_link_stats seen; /* what the event callback saw last */

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Everything below is guarded by lock. */
	bool stop;
	int sock;	/* the connected fd, for shutdown() from mb_link_free() */
	GQueue pending; /* submitted, not run yet */
	GQueue done;	/* completed, not delivered yet */
	struct mb_link_stats stats;
	int64_t next_attempt; /* monotonic us */
	int64_t last_reply;
	unsigned int tcp_fails;
};

struct done_source {
	GSource source;
	struct mb_link *link;
};

static int64_t now_us(void)
{
	return g_get_monotonic_time();
}

/* One wait on the condition, lock held, at most until @deadline (monotonic us). */
static void wait_once(struct mb_link *l, int64_t deadline)
{
	int64_t left = deadline - now_us();
	struct timespec ts;

	if (left <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += left / G_USEC_PER_SEC;
	ts.tv_nsec += (left % G_USEC_PER_SEC) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&l->cond, &l->lock, &ts);
}

/* Wait with the lock held until @deadline, whatever else happens. Return: false if stopping. */
static bool wait_until(struct mb_link *l, int64_t deadline)
{
	while (!l->stop && now_us() < deadline)
		wait_once(l, deadline);
	return !l->stop;
}

/* Hand a finished transaction to the main context. Lock held. */
static void complete_locked(struct mb_link *l, struct mb_txn *txn)
{
	g_queue_push_tail(&l->done, txn);
	g_source_set_ready_time(l->done_src, 0);
}

/* Let the main context look at the counters (event callback). Lock held. */
static void notify_locked(struct mb_link *l)
{
	g_source_set_ready_time(l->done_src, 0);
}

static void close_locked(struct mb_link *l, int err)
{
	notify_locked(l);
	modbus_close(l->mb);
	l->sock = -1;
	l->stats.state = MB_LINK_DOWN;
	l->stats.last_error = err;
	l->tcp_fails = 0;
	l->next_attempt = now_us() + (int64_t)l->stats.backoff_ms * 1000;
}

static void connect_failed_locked(struct mb_link *l, int err)
{
	notify_locked(l);
	l->stats.state = MB_LINK_DOWN;
	l->stats.connect_failures++;
	l->stats.last_error = err;
	l->next_attempt = now_us() + (int64_t)l->stats.backoff_ms * 1000;
	l->stats.backoff_ms = MIN(2 * l->stats.backoff_ms, l->cfg.backoff_max_ms);
}

/* Connect, lock held (dropped around the blocking calls). */
static void try_connect(struct mb_link *l)
{
	int err = 0;

	l->stats.state = MB_LINK_CONNECTING;
	pthread_mutex_unlock(&l->lock);
	if (modbus_connect(l->mb) < 0)
		err = mb_err_from_modbus(errno);
	if (!err && l->cfg.kind == MB_LINK_RTU && l->cfg.rs485)
		(void)modbus_rtu_set_serial_mode(l->mb, MODBUS_RTU_RS485); /* ENOTTY on a pty */
	if (!err)
		(void)modbus_flush(l->mb); /* stale bytes from before a reconnect */
	pthread_mutex_lock(&l->lock);

	if (err) {
		connect_failed_locked(l, err);
		return;
	}
	l->sock = modbus_get_socket(l->mb);
	l->stats.connects++;
	l->tcp_fails = 0;
	if (!wait_until(l, now_us() + (int64_t)l->cfg.connect_delay_ms * 1000))
		return;
	l->stats.state = MB_LINK_UP;
	l->last_reply = 0;
	notify_locked(l);
}

static int do_op(modbus_t *mb, struct mb_op *op)
{
	int rc = -1;

	switch (op->kind) {
	case MB_OP_READ:
		if (op->space == MB_INPUT)
			rc = modbus_read_input_registers(mb, op->addr, op->count, op->words);
		else
			rc = modbus_read_registers(mb, op->addr, op->count, op->words);
		if (rc >= 0 && rc != op->count)
			return -EPROTO;
		break;
	case MB_OP_WRITE_SINGLE:
		rc = modbus_write_register(mb, op->addr, op->words[0]);
		break;
	case MB_OP_WRITE_MULTIPLE:
		rc = modbus_write_registers(mb, op->addr, op->count, op->words);
		break;
	}
	return rc < 0 ? mb_err_from_modbus(errno) : 0;
}

static bool is_broken(int err)
{
	switch (-err) {
	case ECONNRESET:
	case ECONNABORTED:
	case ECONNREFUSED:
	case EPIPE:
	case EBADF:
	case ENOTCONN:
	case ESHUTDOWN:
	case EIO:
	case ENXIO:
	case ENODEV:
		return true;
	default:
		return false;
	}
}

/* Account for one finished op and decide whether the connection must go. Lock held. */
static void account_locked(struct mb_link *l, const struct mb_op *op)
{
	int err = op->status;
	bool garbled = err == -ETIMEDOUT || err == -EPROTO || err == -EBADMSG || err == -EMSGSIZE;

	l->stats.requests++;
	l->stats.bytes += op->bytes;
	if (err == 0) {
		l->stats.backoff_ms = l->cfg.backoff_min_ms;
		l->tcp_fails = 0;
		return;
	}
	l->stats.errors++;
	l->stats.last_error = err;
	l->stats.exceptions += mb_err_exception(err) != 0;
	l->stats.timeouts += err == -ETIMEDOUT;
	if (mb_err_exception(err))
		l->tcp_fails = 0;
	if (garbled)
		(void)modbus_flush(l->mb); /* drop a late or partial reply */
	if (garbled && l->cfg.kind == MB_LINK_TCP)
		l->tcp_fails++;
	if (is_broken(err) || l->tcp_fails >= l->cfg.tcp_fail_limit) {
		l->stats.reconnects++;
		close_locked(l, err);
	}
}

static int unit_of(const struct mb_link *l, const struct mb_op *op)
{
	return (op->unit >= 0 ? op->unit : l->cfg.unit) & 0xff;
}

/* Run one op: spacing, unit, request. Return: false when the transaction must end here. */
static bool run_op(struct mb_link *l, struct mb_txn *txn, size_t i)
{
	struct mb_op *op = &txn->ops[i];
	int64_t t0;

	pthread_mutex_lock(&l->lock);
	if (l->last_reply && !wait_until(l, l->last_reply + (int64_t)l->cfg.spacing_ms * 1000)) {
		pthread_mutex_unlock(&l->lock);
		mb_txn_cancel_from(txn, i, -ESHUTDOWN);
		return false;
	}
	if (l->stats.state != MB_LINK_UP) {
		pthread_mutex_unlock(&l->lock);
		mb_txn_cancel_from(txn, i, -ENOTCONN);
		return false;
	}
	pthread_mutex_unlock(&l->lock);

	modbus_set_slave(l->mb, unit_of(l, op));
	t0 = now_us();
	op->status = do_op(l->mb, op);
	op->duration_us = (uint32_t)MIN(now_us() - t0, (int64_t)UINT32_MAX);
	op->bytes = mb_op_wire_bytes(op, mb_link_framing(l), op->status);

	pthread_mutex_lock(&l->lock);
	l->last_reply = now_us();
	account_locked(l, op);
	pthread_mutex_unlock(&l->lock);

	if (op->status < 0 && (op->flags & MB_OP_STOP_ON_ERROR)) {
		mb_txn_cancel_from(txn, i + 1, -ECANCELED);
		return false;
	}
	return true;
}

/* A silent unit costs one timeout per transaction, not one per op (MB_OP_SKIP_DEAD_UNIT). */
static void run_txn(struct mb_link *l, struct mb_txn *txn)
{
	uint32_t dead[8] = { 0 };

	for (size_t i = 0; i < txn->n_ops; i++) {
		struct mb_op *op = &txn->ops[i];
		int u = unit_of(l, op);

		if ((op->flags & MB_OP_SKIP_DEAD_UNIT) && (dead[u / 32] & 1u << (u % 32)))
			continue; /* stays -ECANCELED, as added */
		if (!run_op(l, txn, i))
			break;
		if (op->status == -ETIMEDOUT)
			dead[u / 32] |= 1u << (u % 32);
	}
}

/* One step of the worker, lock held. */
static void step_locked(struct mb_link *l)
{
	struct mb_txn *txn;

	if (l->stats.state != MB_LINK_UP) {
		if (now_us() >= l->next_attempt) {
			try_connect(l);
		} else if ((txn = g_queue_pop_head(&l->pending))) {
			mb_txn_cancel_from(txn, 0, -ENOTCONN);
			complete_locked(l, txn);
		} else {
			wait_once(l, l->next_attempt); /* new work fails fast, see above */
		}
		return;
	}
	txn = g_queue_pop_head(&l->pending);
	if (!txn) {
		pthread_cond_wait(&l->cond, &l->lock);
		return;
	}
	pthread_mutex_unlock(&l->lock);
	run_txn(l, txn);
	pthread_mutex_lock(&l->lock);
	complete_locked(l, txn);
}

static void *worker(void *arg)
{
	struct mb_link *l = arg;

	pthread_mutex_lock(&l->lock);
	while (!l->stop)
		step_locked(l);
	if (l->sock >= 0 || l->stats.state != MB_LINK_DOWN)
		close_locked(l, -ESHUTDOWN);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Call the event callback when the state or the connect counters moved. */
static void deliver_event(struct mb_link *l)
{
	struct mb_link_stats now;

	mb_link_get_stats(l, &now);
	if (now.state == l->seen.state && now.connects == l->seen.connects &&
	    now.connect_failures == l->seen.connect_failures)
		return;
	l->seen = now;
	if (l->event_fn)
		l->event_fn(l, &now, l->event_userdata);
}

static gboolean done_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	struct mb_link *l = ((struct done_source *)source)->link;
	struct mb_txn *txn;

	g_source_set_ready_time(source, -1);
	deliver_event(l);
	for (;;) {
		pthread_mutex_lock(&l->lock);
		txn = g_queue_pop_head(&l->done);
		pthread_mutex_unlock(&l->lock);
		if (!txn)
			break;
		if (txn->done)
			txn->done(txn, txn->userdata);
		mb_txn_free(txn);
	}
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs done_funcs = {
	.dispatch = done_dispatch,
};

static int check_config(const struct mb_link_config *c)
{
	if (c->kind == MB_LINK_RTU) {
		if (!c->device || !c->device[0] || !strchr("NEO", c->parity) || c->parity == 0)
			return -EINVAL;
		if (c->data_bits < 5 || c->data_bits > 8 || c->stop_bits < 1 || c->stop_bits > 2)
			return -EINVAL;
	} else if (c->kind == MB_LINK_TCP) {
		if (!c->host || !c->host[0] || c->port > 65535)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (c->unit < -1 || c->unit > 255 || c->backoff_min_ms > c->backoff_max_ms)
		return -EINVAL;
	return 0;
}

/* Fill in the defaults documented in mb-link.h. */
static void apply_defaults(struct mb_link_config *c)
{
	c->baud = c->baud ? c->baud : 115200;
	c->parity = c->parity ? c->parity : 'N';
	c->data_bits = c->data_bits ? c->data_bits : 8;
	c->stop_bits = c->stop_bits ? c->stop_bits : 1;
	c->port = c->port ? c->port : 502;
	c->response_timeout_ms = c->response_timeout_ms ? c->response_timeout_ms : 1000;
	c->backoff_min_ms = c->backoff_min_ms ? c->backoff_min_ms : 500;
	c->backoff_max_ms = c->backoff_max_ms ? c->backoff_max_ms : 30000;
	c->tcp_fail_limit = c->tcp_fail_limit ? c->tcp_fail_limit : 3;
	if (c->unit < 0)
		c->unit = 1;
}

static int make_modbus(struct mb_link *l)
{
	const struct mb_link_config *c = &l->cfg;
	char port[8];

	if (c->kind == MB_LINK_RTU) {
		l->device = c->device[0] == '/' ? g_strdup(c->device)
						: g_strdup_printf("/dev/%s", c->device);
		l->mb = modbus_new_rtu(l->device, (int)c->baud, c->parity, (int)c->data_bits,
				       (int)c->stop_bits);
	} else {
		l->host = g_strdup(c->host);
		snprintf(port, sizeof(port), "%u", c->port);
		l->mb = modbus_new_tcp_pi(l->host, port);
	}
	if (!l->mb)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	modbus_set_response_timeout(l->mb, c->response_timeout_ms / 1000,
				    (c->response_timeout_ms % 1000) * 1000);
	return 0;
}

/* Start the worker with every signal blocked: signals belong to the main loop. */
static int start_thread(struct mb_link *l)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&l->thread, NULL, worker, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	l->thread_started = true;
	return 0;
}

static void init_sync(struct mb_link *l)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &attr);
	pthread_condattr_destroy(&attr);
	g_queue_init(&l->pending);
	g_queue_init(&l->done);
}

int mb_link_new(const struct mb_link_config *cfg, GMainContext *ctx, struct mb_link **ret)
{
	struct mb_link *l;
	int r;

	if (!cfg || !ret)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	apply_defaults(&l->cfg);
	l->sock = -1;
	l->stats.backoff_ms = l->cfg.backoff_min_ms;
	init_sync(l);
	r = check_config(&l->cfg);
	if (r == 0)
		r = make_modbus(l);
	l->cfg.device = l->device; /* from here on, only our copies */
	l->cfg.host = l->host;
	if (r < 0)
		goto err_free;

	l->done_src = g_source_new(&done_funcs, sizeof(struct done_source));
	((struct done_source *)l->done_src)->link = l;
	g_source_attach(l->done_src, ctx);
	r = start_thread(l);
	if (r < 0)
		goto err_free;
	*ret = l;
	return 0;

err_free:
	mb_link_free(l);
	return r;
}

static void free_queue(GQueue *q)
{
	struct mb_txn *txn;

	while ((txn = g_queue_pop_head(q)))
		mb_txn_free(txn);
}

struct mb_link *mb_link_free(struct mb_link *l)
{
	if (!l)
		return NULL;
	if (l->thread_started) {
		pthread_mutex_lock(&l->lock);
		l->stop = true;
		if (l->sock >= 0 && l->cfg.kind == MB_LINK_TCP)
			shutdown(l->sock, SHUT_RDWR); /* the worker closes it */
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->thread, NULL);
	}
	if (l->done_src) {
		g_source_destroy(l->done_src);
		g_source_unref(l->done_src);
	}
	free_queue(&l->pending);
	free_queue(&l->done);
	if (l->mb)
		modbus_free(l->mb);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	g_free(l->device);
	g_free(l->host);
	free(l);
	return NULL;
}

int mb_link_submit(struct mb_link *l, struct mb_txn *txn)
{
	int r = 0;

	if (!l || !txn || txn->n_ops == 0) {
		mb_txn_free(txn);
		return -EINVAL;
	}
	pthread_mutex_lock(&l->lock);
	if (l->stop)
		r = -ESHUTDOWN;
	else
		g_queue_push_tail(&l->pending, txn);
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	if (r < 0)
		mb_txn_free(txn);
	return r;
}

void mb_link_set_event_fn(struct mb_link *l, mb_link_event_fn fn, void *userdata)
{
	l->event_fn = fn;
	l->event_userdata = userdata;
}

void mb_link_get_stats(struct mb_link *l, struct mb_link_stats *ret)
{
	pthread_mutex_lock(&l->lock);
	*ret = l->stats;
	pthread_mutex_unlock(&l->lock);
}

enum mb_framing mb_link_framing(const struct mb_link *l)
{
	return l->cfg.kind == MB_LINK_RTU ? MB_FRAMING_RTU : MB_FRAMING_TCP;
}
