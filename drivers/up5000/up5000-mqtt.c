/* SPDX-License-Identifier: MIT */
/* up5000-mqtt.c - an MQTT client (libmosquitto) run by the GLib main loop, no mosquitto thread */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <mosquitto.h>

#include "log.h"
#include "up5000-mqtt.h"

#define BACKOFF_MIN_S 1
#define BACKOFF_MAX_S 60

struct sock_source {
	GSource source;
	struct up_mqtt *mq;
	gpointer tag;
};

struct up_mqtt {
	struct mosquitto *mosq;
	char *host;
	int port;
	int keepalive;
	up_mqtt_state_fn fn;
	void *userdata;
	GSource *sock;	      /* while a socket exists */
	guint timer;	      /* 1 s: loop_misc, reconnect */
	bool connected;	      /* CONNACK accepted */
	int64_t next_attempt; /* µs; while no socket */
	unsigned int backoff; /* s */
	struct log_state log;
};

static void lost(struct up_mqtt *mq, const char *why);

static gboolean sock_prepare(GSource *src, gint *timeout)
{
	struct sock_source *s = (struct sock_source *)src;
	GIOCondition want = G_IO_IN | G_IO_ERR | G_IO_HUP;

	if (mosquitto_want_write(s->mq->mosq))
		want |= G_IO_OUT;
	g_source_modify_unix_fd(src, s->tag, want);
	*timeout = -1;
	return FALSE;
}

static gboolean sock_check(GSource *src)
{
	struct sock_source *s = (struct sock_source *)src;

	return g_source_query_unix_fd(src, s->tag) != 0;
}

static gboolean sock_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct sock_source *s = (struct sock_source *)src;
	GIOCondition rev = g_source_query_unix_fd(src, s->tag);
	struct up_mqtt *mq = s->mq;
	int rc = MOSQ_ERR_SUCCESS;

	if (rev & (G_IO_IN | G_IO_ERR | G_IO_HUP))
		rc = mosquitto_loop_read(mq->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && (rev & G_IO_OUT))
		rc = mosquitto_loop_write(mq->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS && mq->sock)
		lost(mq, mosquitto_strerror(rc)); /* destroys this source */
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs sock_funcs = {
	.prepare = sock_prepare,
	.check = sock_check,
	.dispatch = sock_dispatch,
};

static void drop_socket(struct up_mqtt *mq)
{
	if (!mq->sock)
		return;
	g_source_destroy(mq->sock);
	g_source_unref(mq->sock);
	mq->sock = NULL;
}

static void watch_socket(struct up_mqtt *mq)
{
	int fd = mosquitto_socket(mq->mosq);
	struct sock_source *s;

	if (fd < 0)
		return;
	mq->sock = g_source_new(&sock_funcs, sizeof(struct sock_source));
	s = (struct sock_source *)mq->sock;
	s->mq = mq;
	s->tag = g_source_add_unix_fd(mq->sock, fd, G_IO_IN);
	g_source_attach(mq->sock, NULL);
}

static void set_connected(struct up_mqtt *mq, bool on)
{
	if (mq->connected == on)
		return;
	mq->connected = on;
	if (mq->fn)
		mq->fn(mq, on, mq->userdata);
}

/* The connection is gone (or never came): close, tell, retry after the backoff. */
static void lost(struct up_mqtt *mq, const char *why)
{
	drop_socket(mq);
	(void)mosquitto_disconnect(mq->mosq);
	log_change_at(&mq->log, LOG_LEVEL_WARNING, 0, "mqtt: %s:%d: %s; retrying", mq->host,
		      mq->port, why);
	mq->next_attempt = g_get_monotonic_time() + (int64_t)mq->backoff * G_USEC_PER_SEC;
	mq->backoff = MIN(2 * mq->backoff, BACKOFF_MAX_S);
	set_connected(mq, false);
}

static void try_connect(struct up_mqtt *mq, bool first)
{
	int rc = first ? mosquitto_connect_async(mq->mosq, mq->host, mq->port, mq->keepalive)
		       : mosquitto_reconnect_async(mq->mosq);

	if (rc != MOSQ_ERR_SUCCESS) {
		lost(mq, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return;
	}
	watch_socket(mq);
}

static gboolean on_timer(gpointer data)
{
	struct up_mqtt *mq = data;

	if (mq->sock && mosquitto_loop_misc(mq->mosq) != MOSQ_ERR_SUCCESS)
		lost(mq, "keep-alive failed");
	else if (!mq->sock && g_get_monotonic_time() >= mq->next_attempt)
		try_connect(mq, false);
	return G_SOURCE_CONTINUE;
}

static void on_connect(struct mosquitto *mosq, void *ud, int rc)
{
	struct up_mqtt *mq = ud;

	if (rc != 0) {
		lost(mq, mosquitto_connack_string(rc));
		return;
	}
	mq->backoff = BACKOFF_MIN_S;
	log_change(&mq->log, 1, "mqtt: connected to %s:%d", mq->host, mq->port);
	set_connected(mq, true);
}

static void on_disconnect(struct mosquitto *mosq, void *ud, int rc)
{
	struct up_mqtt *mq = ud;

	if (rc != 0 && mq->sock)
		lost(mq, "connection lost");
}

static int configure(struct up_mqtt *mq, const struct up_mqtt_config *c)
{
	mq->mosq = mosquitto_new(c->client_id, true, mq);
	if (!mq->mosq)
		return -ENOMEM;
	mosquitto_connect_callback_set(mq->mosq, on_connect);
	mosquitto_disconnect_callback_set(mq->mosq, on_disconnect);
	if (c->user && c->user[0] &&
	    mosquitto_username_pw_set(mq->mosq, c->user, c->password) != MOSQ_ERR_SUCCESS)
		return -EINVAL;
	return 0;
}

int up_mqtt_new(const struct up_mqtt_config *c, up_mqtt_state_fn fn, void *userdata,
		struct up_mqtt **ret)
{
	struct up_mqtt *mq;
	int r;

	if (!c->host || !c->host[0] || c->port <= 0 || c->port > 65535)
		return -EINVAL;
	mq = calloc(1, sizeof(*mq));
	if (!mq)
		return -ENOMEM;
	mosquitto_lib_init();
	*mq = (struct up_mqtt){ .host = g_strdup(c->host),
				.port = c->port,
				.keepalive = c->keepalive ? c->keepalive : 30,
				.fn = fn,
				.userdata = userdata,
				.backoff = BACKOFF_MIN_S };
	r = configure(mq, c);
	if (r < 0) {
		up_mqtt_free(mq);
		return r;
	}
	mq->timer = g_timeout_add_seconds(1, on_timer, mq);
	try_connect(mq, true);
	*ret = mq;
	return 0;
}

struct up_mqtt *up_mqtt_free(struct up_mqtt *mq)
{
	if (!mq)
		return NULL;
	if (mq->timer)
		g_source_remove(mq->timer);
	drop_socket(mq);
	if (mq->mosq) {
		(void)mosquitto_disconnect(mq->mosq);
		mosquitto_destroy(mq->mosq);
	}
	mosquitto_lib_cleanup();
	g_free(mq->host);
	free(mq);
	return NULL;
}

bool up_mqtt_connected(const struct up_mqtt *mq)
{
	return mq && mq->connected;
}

int up_mqtt_publish(struct up_mqtt *mq, const char *topic, const char *payload, bool retain)
{
	int rc;

	if (!up_mqtt_connected(mq))
		return -ENOTCONN;
	rc = mosquitto_publish(mq->mosq, NULL, topic, (int)strlen(payload), payload, 0, retain);
	return rc == MOSQ_ERR_SUCCESS ? 0 : (rc == MOSQ_ERR_NO_CONN ? -ENOTCONN : -EIO);
}

int up_mqtt_drain(struct up_mqtt *mq, int timeout_ms)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
	struct pollfd p = { .fd = mosquitto_socket(mq->mosq), .events = POLLOUT };

	if (!up_mqtt_connected(mq) || p.fd < 0)
		return -ENOTCONN;
	while (mosquitto_want_write(mq->mosq)) {
		int left = (int)((deadline - g_get_monotonic_time()) / 1000);

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -ETIMEDOUT;
		if (mosquitto_loop_write(mq->mosq, 1) != MOSQ_ERR_SUCCESS)
			return -ENOTCONN;
	}
	return 0;
}
