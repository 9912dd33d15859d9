/* SPDX-License-Identifier: MIT */
/* bus.c - a private dbus-daemon per test, its address read from a pipe */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness-internal.h"

struct hx_bus {
	pid_t pid;
	char dir[PATH_MAX];	    /* temporary directory: the socket and the test's files */
	char config[PATH_MAX + 16]; /* the configuration file */
	char log[PATH_MAX + 16];    /* the daemon's stderr */
	char address[1024];
	char *saved_env[2]; /* the bus variables before hx_bus_start(), or NULL */
	bool env_set;
};

static const char *const bus_env[] = {"DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS"};

/* A session bus that lets anyone own, send and receive anything; limits as session.conf. */
static const char bus_config[] =
	"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
	" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	"<busconfig>\n"
	"  <type>session</type>\n"
	"  <keep_umask/>\n"
	"  <listen>unix:tmpdir=%s</listen>\n"
	"  <auth>EXTERNAL</auth>\n"
	"  <policy context=\"default\">\n"
	"    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	"    <allow eavesdrop=\"true\"/>\n"
	"    <allow own=\"*\"/>\n"
	"  </policy>\n"
	"  <limit name=\"max_incoming_bytes\">1000000000</limit>\n"
	"  <limit name=\"max_outgoing_bytes\">1000000000</limit>\n"
	"  <limit name=\"max_message_size\">1000000000</limit>\n"
	"  <limit name=\"auth_timeout\">240000</limit>\n"
	"  <limit name=\"max_completed_connections\">100000</limit>\n"
	"  <limit name=\"max_connections_per_user\">100000</limit>\n"
	"  <limit name=\"max_names_per_connection\">50000</limit>\n"
	"  <limit name=\"max_match_rules_per_connection\">50000</limit>\n"
	"  <limit name=\"max_replies_per_connection\">50000</limit>\n"
	"</busconfig>\n";

static int bus_write_config(struct hx_bus *bus)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int ok;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(bus->dir, sizeof(bus->dir), "%s/hx-bus-XXXXXX", tmp) >=
	    sizeof(bus->dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(bus->dir)) {
		bus->dir[0] = '\0';
		return -errno;
	}
	/* The path goes into XML unescaped. */
	if (strpbrk(bus->dir, "<>&\"'"))
		return -EINVAL;
	snprintf(bus->config, sizeof(bus->config), "%s/bus.conf", bus->dir);
	snprintf(bus->log, sizeof(bus->log), "%s/dbus-daemon.log", bus->dir);
	f = fopen(bus->config, "we");
	if (!f)
		return -errno;
	ok = fprintf(f, bus_config, bus->dir) > 0;
	ok = (fclose(f) == 0) && ok;
	return ok ? 0 : -EIO;
}

/*
 * Child side: only async-signal-safe calls between fork() and exec. The daemon's stderr goes
 * to @log_fd (the start-up warnings of a root daemon in a container are noise), unless
 * HX_VERBOSE is set (@log_fd < 0).
 */
static void bus_exec(const char *daemon, char *const argv[], int addr_fd, int log_fd, pid_t parent)
{
	int null_fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
	}
	if (log_fd >= 0)
		dup2(log_fd, STDERR_FILENO);
	fcntl(addr_fd, F_SETFD, 0);
	execvp(daemon, argv);
	_exit(127);
}

/* Print what the daemon logged, when it failed to start. */
static void bus_print_log(struct hx_bus *bus)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(bus->log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	close(fd);
}

/* Read the address line; EOF or the deadline without one means the daemon did not start. */
static int bus_read_address(struct hx_bus *bus, int fd)
{
	int64_t deadline = hx_deadline(HX_BUS_TIMEOUT_MS);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t len = 0;
	ssize_t n;
	char *nl;

	for (;;) {
		int left = hx_remaining_ms(deadline);

		if (left == 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = read(fd, bus->address + len, sizeof(bus->address) - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		len += (size_t)n;
		bus->address[len] = '\0';
		nl = strchr(bus->address, '\n');
		if (nl) {
			*nl = '\0';
			return 0;
		}
		if (len == sizeof(bus->address) - 1)
			return -EIO;
	}
}

static int bus_fork(struct hx_bus *bus)
{
	const char *daemon = getenv("HX_DBUS_DAEMON");
	char config_arg[PATH_MAX + 32], addr_arg[64];
	char *argv[5];
	const char *verbose = getenv("HX_VERBOSE");
	pid_t parent = getpid();
	int pipe_fd[2], log_fd = -1, r, status;

	if (!daemon || !*daemon)
		daemon = "dbus-daemon";
	if (!verbose || strcmp(verbose, "0") == 0) {
		log_fd = open(bus->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (log_fd < 0)
			return -errno;
	}
	if (pipe2(pipe_fd, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_log;
	}
	snprintf(config_arg, sizeof(config_arg), "--config-file=%s", bus->config);
	snprintf(addr_arg, sizeof(addr_arg), "--print-address=%d", pipe_fd[1]);
	argv[0] = (char *)daemon;
	argv[1] = (char *)"--nofork";
	argv[2] = config_arg;
	argv[3] = addr_arg;
	argv[4] = NULL;

	bus->pid = fork();
	if (bus->pid == 0)
		bus_exec(daemon, argv, pipe_fd[1], log_fd, parent);
	r = bus->pid < 0 ? -errno : 0;
	close(pipe_fd[1]);
	if (r == 0)
		r = bus_read_address(bus, pipe_fd[0]);
	close(pipe_fd[0]);
	if (r == -EIO && waitpid(bus->pid, &status, 0) == bus->pid) {
		bus->pid = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			r = -ENOENT;
	}
	if (r < 0)
		bus_print_log(bus);
	/*
	 * Both are read by now. A failed Check assertion ends the test without its teardown, so
	 * keep the directory as empty as possible (tests/run-tests removes its TMPDIR anyway).
	 */
	unlink(bus->config);
	unlink(bus->log);
out_log:
	if (log_fd >= 0)
		close(log_fd);
	return r;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void bus_remove_dir(struct hx_bus *bus)
{
	if (bus->dir[0])
		nftw(bus->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int bus_set_env(struct hx_bus *bus)
{
	size_t i;

	for (i = 0; i < HX_ARRAY_SIZE(bus_env); i++) {
		const char *old = getenv(bus_env[i]);

		if (old && !(bus->saved_env[i] = strdup(old)))
			return -ENOMEM;
	}
	bus->env_set = true;
	for (i = 0; i < HX_ARRAY_SIZE(bus_env); i++)
		if (setenv(bus_env[i], bus->address, 1) < 0)
			return -errno;
	return 0;
}

static void bus_restore_env(struct hx_bus *bus)
{
	size_t i;

	for (i = 0; i < HX_ARRAY_SIZE(bus_env); i++) {
		if (bus->env_set && bus->saved_env[i])
			setenv(bus_env[i], bus->saved_env[i], 1);
		else if (bus->env_set)
			unsetenv(bus_env[i]);
		free(bus->saved_env[i]);
		bus->saved_env[i] = NULL;
	}
}

static void bus_kill(struct hx_bus *bus)
{
	if (bus->pid > 0) {
		kill(bus->pid, SIGKILL);
		while (waitpid(bus->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	bus->pid = 0;
	bus_remove_dir(bus);
}

int hx_bus_start(struct hx_bus **ret)
{
	struct hx_bus *bus;
	int r;

	bus = calloc(1, sizeof(*bus));
	if (!bus)
		return -ENOMEM;
	r = bus_write_config(bus);
	if (r < 0)
		goto err_free;
	r = bus_fork(bus);
	if (r < 0)
		goto err_free;
	r = bus_set_env(bus);
	if (r < 0)
		goto err_free;
	*ret = bus;
	return 0;

err_free:
	fprintf(stderr, "hx_bus_start: %s\n", strerror(-r));
	hx_bus_stop(bus);
	return r;
}

const char *hx_bus_address(const struct hx_bus *bus)
{
	return bus->address;
}

const char *hx_bus_dir(const struct hx_bus *bus)
{
	return bus->dir;
}

struct hx_bus *hx_bus_stop(struct hx_bus *bus)
{
	if (!bus)
		return NULL;
	bus_kill(bus);
	bus_restore_env(bus);
	free(bus);
	return NULL;
}
