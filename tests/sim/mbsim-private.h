/* SPDX-License-Identifier: MIT */
/* mbsim-private.h - the simulator object, shared by mbsim.c (state) and mbsim-io.c (serving) */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <modbus.h>

#include "mbsim.h"

#define MBSIM_N_UNITS 256

struct sim_image {
	uint16_t start;
	uint32_t count;
	uint16_t *values;
};

struct sim_unit {
	modbus_mapping_t *map;	  /* both spaces; the live image */
	struct sim_image snap[2]; /* what a reboot returns to, per enum mbsim_space */
	bool silent;
	const struct mbsim_hooks *hooks;
	void *userdata;
};

struct sim_exc_range {
	int unit;
	uint32_t addr;
	uint32_t count;
	uint8_t code;
};

struct mbsim {
	enum mbsim_transport transport;
	char *host;
	unsigned int port;
	char *pty_path;

	pthread_mutex_t lock; /* recursive: hooks call the API */
	pthread_cond_t cond;  /* n_requests changed */
	pthread_t thread;
	bool running;
	bool stop;
	int wake[2]; /* pipe: wakes the thread for stop, reboot, drop */

	/* transport */
	modbus_t *mb; /* reply context: TCP or RTU backend, fd set by modbus_set_socket */
	int listen_fd;
	int client_fd;
	int pty_master;
	int pty_slave; /* kept open so the master never sees a hang-up */
	uint8_t rx[MODBUS_RTU_MAX_ADU_LENGTH];
	size_t n_rx;

	/* state, under lock */
	struct sim_unit *units[MBSIM_N_UNITS];
	const struct mbsim_hooks *default_hooks;
	void *default_userdata;
	GArray *exc_ranges; /* struct sim_exc_range */
	GArray *writes;	    /* struct mbsim_write */
	bool silence;
	bool garbage;
	unsigned int delay_ms;
	unsigned int drop_after;
	int64_t reboot_until; /* monotonic us; 0 when not rebooting */
	bool kick_client;     /* close the TCP client at the next turn */
	unsigned long n_requests;
	unsigned long n_connections;
	unsigned int seed;
};

/*
 * What to do with one request, decided by mbsim_handle() under the lock.
 */
enum sim_action {
	SIM_IGNORE = 0, /* no reply */
	SIM_REPLY,	/* modbus_reply() from the unit's image (already done) */
	SIM_EXCEPTION,	/* reply exception .code */
	SIM_GARBAGE,
	SIM_DROP, /* reply, then close the connection */
};

/* mbsim_handle() - account, apply faults and hooks, and answer @req (a full ADU). */
void mbsim_handle(struct mbsim *sim, const uint8_t *req, int len);

/* mbsim_reboot_tick() - finish a reboot whose time is up. Return: ms until it is, or -1. */
int mbsim_reboot_tick(struct mbsim *sim);

/* mbsim-io.c: the serving thread and the transports. */
int mbsim_io_open(struct mbsim *sim);
void *mbsim_io_thread(void *arg);
void mbsim_io_close(struct mbsim *sim);
int mbsim_io_send(struct mbsim *sim, const uint8_t *buf, size_t len);
void mbsim_io_drop_client(struct mbsim *sim);
uint16_t mbsim_crc16(const uint8_t *buf, size_t len);
