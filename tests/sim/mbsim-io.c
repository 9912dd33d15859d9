/* SPDX-License-Identifier: MIT */
/*
 * mbsim-io.c - the simulator thread: TCP listener or pseudo-terminal, request framing
 *
 * TCP requests are read with modbus_receive(). On the pty the simulator frames RTU requests
 * itself: libmodbus 3.1's RTU server filters on one slave id and then swallows the next frame
 * as a "confirmation to ignore", which cannot serve several unit ids on one line. Replies go
 * through modbus_reply() either way, on a context whose fd is set with modbus_set_socket().
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "mbsim-private.h"

#define RTU_GAP_MS 50 /* a partial RTU request older than this is dropped */

uint16_t mbsim_crc16(const uint8_t *buf, size_t len)
{
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int b = 0; b < 8; b++)
			crc = crc & 1 ? (uint16_t)(crc >> 1 ^ 0xa001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

static int open_tcp(struct mbsim *sim)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(sim->port) };
	socklen_t len = sizeof(sa);
	int one = 1, fd;

	if (inet_pton(AF_INET, sim->host, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	sim->listen_fd = fd;
	sim->port = ntohs(sa.sin_port);
	sim->mb = modbus_new_tcp(sim->host, (int)sim->port);
	if (!sim->mb)
		return -ENOMEM;
	modbus_set_indication_timeout(sim->mb, 1, 0); /* never hang on a half request */
	return 0;
}

/* A raw pty pair; the slave end stays open here so the master never reads a hang-up. */
static int open_pty(struct mbsim *sim)
{
	struct termios tio;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sim->pty_master = fd;
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || !ptsname(fd))
		return -errno;
	sim->pty_path = g_strdup(ptsname(fd));
	sim->pty_slave = open(sim->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sim->pty_slave < 0)
		return -errno;
	if (tcgetattr(sim->pty_slave, &tio) == 0) {
		cfmakeraw(&tio);
		(void)tcsetattr(sim->pty_slave, TCSANOW, &tio);
	}
	sim->mb = modbus_new_rtu(sim->pty_path, 115200, 'N', 8, 1);
	if (!sim->mb)
		return -ENOMEM;
	modbus_set_socket(sim->mb, sim->pty_master);
	return 0;
}

int mbsim_io_open(struct mbsim *sim)
{
	int r;

	if (pipe2(sim->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	r = sim->transport == MBSIM_TCP ? open_tcp(sim) : open_pty(sim);
	if (r < 0)
		mbsim_io_close(sim);
	return r;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void mbsim_io_close(struct mbsim *sim)
{
	if (sim->mb)
		modbus_free(sim->mb); /* never connected: closes nothing */
	sim->mb = NULL;
	close_fd(&sim->client_fd);
	close_fd(&sim->listen_fd);
	close_fd(&sim->pty_master);
	close_fd(&sim->pty_slave);
	close_fd(&sim->wake[0]);
	close_fd(&sim->wake[1]);
}

int mbsim_io_send(struct mbsim *sim, const uint8_t *buf, size_t len)
{
	int fd = sim->transport == MBSIM_TCP ? sim->client_fd : sim->pty_master;

	while (len > 0) {
		ssize_t n = sim->transport == MBSIM_TCP ? send(fd, buf, len, MSG_NOSIGNAL)
							: write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

void mbsim_io_drop_client(struct mbsim *sim)
{
	close_fd(&sim->client_fd);
	modbus_set_socket(sim->mb, -1);
}

static void accept_client(struct mbsim *sim)
{
	int fd = accept4(sim->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	bool rebooting;

	if (fd < 0)
		return;
	pthread_mutex_lock(&sim->lock);
	rebooting = sim->reboot_until != 0;
	if (!rebooting) {
		sim->n_connections++;
		close_fd(&sim->client_fd); /* one master at a time, as Huawei devices */
		sim->client_fd = fd;
		modbus_set_socket(sim->mb, fd);
	}
	pthread_mutex_unlock(&sim->lock);
	if (rebooting)
		close(fd);
}

static void serve_tcp(struct mbsim *sim)
{
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	int rc = modbus_receive(sim->mb, req);

	if (rc > 0) {
		mbsim_handle(sim, req, rc);
	} else if (rc < 0 &&
		   (errno == ECONNRESET || errno == EPIPE || errno == EBADF || errno == ENOTCONN)) {
		pthread_mutex_lock(&sim->lock);
		mbsim_io_drop_client(sim);
		pthread_mutex_unlock(&sim->lock);
	} else if (rc < 0) {
		(void)modbus_flush(sim->mb);
	}
}

/* Length of the RTU request starting at rx: 0 when more bytes are needed, -1 if unknown. */
static int rtu_frame_len(const uint8_t *rx, size_t n)
{
	if (n < 2)
		return 0;
	switch (rx[1]) {
	case 0x01 ... 0x06:
		return 8;
	case 0x0f:
	case 0x10:
		return n < 7 ? 0 : 9 + rx[6];
	case 0x17:
		return n < 11 ? 0 : 13 + rx[10];
	default:
		return -1;
	}
}

static void consume(struct mbsim *sim, size_t len)
{
	memmove(sim->rx, sim->rx + len, sim->n_rx - len);
	sim->n_rx -= len;
}

static void serve_pty(struct mbsim *sim)
{
	ssize_t n = read(sim->pty_master, sim->rx + sim->n_rx, sizeof(sim->rx) - sim->n_rx);
	int len;

	if (n <= 0)
		return;
	sim->n_rx += (size_t)n;
	while ((len = rtu_frame_len(sim->rx, sim->n_rx)) != 0) {
		if (len < 0 || len > (int)sizeof(sim->rx)) {
			sim->n_rx = 0; /* not a request we know: resynchronise on silence */
			return;
		}
		if (sim->n_rx < (size_t)len)
			return;
		if (mbsim_crc16(sim->rx, (size_t)len - 2) ==
		    (sim->rx[len - 2] | sim->rx[len - 1] << 8))
			mbsim_handle(sim, sim->rx, len);
		consume(sim, (size_t)len);
	}
}

/* Stop requested? Also performs a pending client kick. */
static bool turn(struct mbsim *sim)
{
	bool stop;

	pthread_mutex_lock(&sim->lock);
	stop = sim->stop;
	if (sim->kick_client) {
		sim->kick_client = false;
		if (sim->transport == MBSIM_TCP)
			mbsim_io_drop_client(sim);
	}
	pthread_mutex_unlock(&sim->lock);
	return !stop;
}

static int poll_timeout(struct mbsim *sim)
{
	int t = mbsim_reboot_tick(sim);

	if (sim->transport == MBSIM_PTY && sim->n_rx > 0)
		t = t < 0 ? RTU_GAP_MS : MIN(t, RTU_GAP_MS);
	return t;
}

void *mbsim_io_thread(void *arg)
{
	struct mbsim *sim = arg;
	char drain[64];

	while (turn(sim)) {
		struct pollfd p[3] = {
			{ .fd = sim->wake[0], .events = POLLIN },
			{ .fd = sim->transport == MBSIM_TCP ? sim->listen_fd : sim->pty_master,
			  .events = POLLIN },
			{ .fd = sim->client_fd, .events = POLLIN },
		};
		int rc = poll(p, 3, poll_timeout(sim));

		if (rc == 0 && sim->transport == MBSIM_PTY)
			sim->n_rx = 0;
		if (rc <= 0)
			continue;
		if (p[0].revents)
			while (read(sim->wake[0], drain, sizeof(drain)) > 0)
				;
		if (p[1].revents && sim->transport == MBSIM_TCP)
			accept_client(sim);
		else if (p[1].revents)
			serve_pty(sim);
		if (p[2].revents && p[2].fd == sim->client_fd && sim->client_fd >= 0)
			serve_tcp(sim);
	}
	return NULL;
}
