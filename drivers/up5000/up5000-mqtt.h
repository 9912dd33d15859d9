/* SPDX-License-Identifier: MIT */
/*
 * up5000-mqtt.h - an MQTT client (libmosquitto) run by the GLib main loop: no mosquitto thread
 *
 * The socket is a GSource (read when readable, write while mosquitto_want_write()), a 1 s timer
 * calls mosquitto_loop_misc() (keep-alive) and reconnects with a capped backoff (1 s .. 60 s)
 * after a failed connect or a lost connection. The broker may be absent: the client keeps
 * trying and the caller is told about every change of the connection state.
 * Connecting resolves the host name with getaddrinfo(): use an address (the default
 * 127.0.0.1) to keep the main loop from waiting on DNS.
 */
#pragma once

#include <stdbool.h>

struct up_mqtt;

struct up_mqtt_config {
	const char *host;
	int port;
	const char *user; /* NULL or "": no authentication */
	const char *password;
	const char *client_id;
	int keepalive; /* s; 0: 30 */
};

/* Called on the main loop when the connection comes up (@connected) or goes down. */
typedef void (*up_mqtt_state_fn)(struct up_mqtt *mq, bool connected, void *userdata);

/*
 * up_mqtt_new() - a client that starts connecting now. Strings in @c are copied.
 * Return: 0, -EINVAL, -ENOMEM.
 */
int up_mqtt_new(const struct up_mqtt_config *c, up_mqtt_state_fn fn, void *userdata,
		struct up_mqtt **ret);

/* up_mqtt_free() - disconnect and free. NULL-safe; returns NULL. */
struct up_mqtt *up_mqtt_free(struct up_mqtt *mq);

bool up_mqtt_connected(const struct up_mqtt *mq);

/* up_mqtt_publish() - queue a QoS 0 message. Return: 0, -ENOTCONN, -EIO. */
int up_mqtt_publish(struct up_mqtt *mq, const char *topic, const char *payload, bool retain);

/*
 * up_mqtt_drain() - write what is queued, blocking at most @timeout_ms (for shutdown, when
 * the main loop no longer runs). Return: 0 when everything went out, -ETIMEDOUT, -ENOTCONN.
 */
int up_mqtt_drain(struct up_mqtt *mq, int timeout_ms);
