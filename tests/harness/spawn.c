/* SPDX-License-Identifier: MIT */
/* spawn.c - child processes for tests: output read into memory, waits on pidfd and pipes */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness-internal.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define OUTPUT_PIPE_SIZE (1 << 20) /* a chatty child must not block while we wait on D-Bus */
#define TAIL_CHARS	 4000	   /* how much output a diagnostic shows */

struct hx_proc {
	struct hx_proc *next; /* in live_procs */
	pid_t pid;
	int pidfd;  /* -1 without pidfd_open(): wait_exit then looks every 10 ms */
	int out_fd; /* read end of stdout + stderr; -1 after EOF */
	int in_fd;  /* our end of the child's stdin; -1 without HX_SPAWN_STDIN */
	bool reaped;
	bool signalled; /* the test sent a signal, so dying of one is expected */
	int status;	/* waitpid() status once reaped */
	char *out;	/* everything read, NUL-terminated */
	size_t out_len, out_cap;
	size_t match_end; /* hx_proc_wait_log() searches from here */
	size_t echo_pos;  /* HX_VERBOSE: echoed up to here */
	char name[64];
};

/* Everything the child needs, prepared before fork() so the child only makes system calls. */
struct spawn_plan {
	char **argv;
	char **envp;
	int in_fd;
	int out_fd;
	int status_fd; /* close-on-exec: EOF means exec succeeded, else the child writes errno */
	pid_t parent;
};

static struct hx_proc *live_procs;

static const char *const valgrind_argv[] = {
	"valgrind",
	"-q",
	"--leak-check=full",
	"--errors-for-leak-kinds=definite",
	"--error-exitcode=99",
	"--trace-children=no",
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		fputs("hx: out of memory\n", stderr);
		abort();
	}
	return p;
}

static bool use_valgrind(const char *path, unsigned int flags)
{
	const char *env = getenv("VALGRIND");
	const char *build = hx_build_dir();
	size_t len = strlen(build);
	char *real;
	bool yes;

	if (!env || strcmp(env, "1") != 0 || (flags & HX_SPAWN_NO_VALGRIND) || !strchr(path, '/'))
		return false;
	real = realpath(path, NULL);
	yes = real && strncmp(real, build, len) == 0 && strncmp(real + len, "/bin/", 5) == 0;
	free(real);
	return yes;
}

static char **plan_argv(const char *const argv[], unsigned int flags)
{
	size_t n_pre = use_valgrind(argv[0], flags) ? HX_ARRAY_SIZE(valgrind_argv) : 0;
	size_t n = 0, i;
	char **out;

	while (argv[n])
		n++;
	out = xrealloc(NULL, (n_pre + n + 1) * sizeof(*out));
	for (i = 0; i < n_pre; i++)
		out[i] = (char *)valgrind_argv[i];
	for (i = 0; i <= n; i++)
		out[n_pre + i] = (char *)argv[i];
	return out;
}

static bool env_overridden(const char *entry, const char *const extra[])
{
	size_t key_len = strcspn(entry, "=") + 1;

	for (; extra && *extra; extra++)
		if (strncmp(entry, *extra, key_len) == 0)
			return true;
	return false;
}

static char **plan_envp(const char *const extra[])
{
	extern char **environ;
	size_t n_env = 0, n_extra = 0, n = 0, i;
	char **out;

	while (environ[n_env])
		n_env++;
	while (extra && extra[n_extra])
		n_extra++;
	out = xrealloc(NULL, (n_env + n_extra + 1) * sizeof(*out));
	for (i = 0; i < n_env; i++)
		if (!env_overridden(environ[i], extra))
			out[n++] = environ[i];
	for (i = 0; i < n_extra; i++)
		out[n++] = (char *)extra[i];
	out[n] = NULL;
	return out;
}

static __attribute__((noreturn)) void proc_exec(const struct spawn_plan *plan)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != plan->parent)
		_exit(127);
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	if (dup2(plan->in_fd, STDIN_FILENO) >= 0 && dup2(plan->out_fd, STDOUT_FILENO) >= 0 &&
	    dup2(plan->out_fd, STDERR_FILENO) >= 0)
		execvpe(plan->argv[0], plan->argv, plan->envp);
	err = errno;
	while (write(plan->status_fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* The parent's ends of the pipes; the child's ends go into @plan. */
static int proc_open_fds(struct hx_proc *p, struct spawn_plan *plan, unsigned int flags)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	p->out_fd = fds[0];
	plan->out_fd = fds[1];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->out_fd, F_SETPIPE_SZ, OUTPUT_PIPE_SIZE);
	if (flags & HX_SPAWN_STDIN) {
		/* A socket, so hx_proc_write() can use MSG_NOSIGNAL instead of touching SIGPIPE. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
			return -errno;
		p->in_fd = fds[0];
		plan->in_fd = fds[1];
	} else {
		plan->in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (plan->in_fd < 0)
			return -errno;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Fork and exec; returns once the exec succeeded or failed. */
static int proc_fork(struct hx_proc *p, struct spawn_plan *plan)
{
	int status_fds[2], err = 0;
	ssize_t n;

	if (pipe2(status_fds, O_CLOEXEC) < 0)
		return -errno;
	plan->status_fd = status_fds[1];
	plan->parent = getpid();
	p->pid = fork();
	if (p->pid == 0)
		proc_exec(plan);
	err = p->pid < 0 ? errno : 0;
	close_fd(&status_fds[1]);
	while (!err && (n = read(status_fds[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close_fd(&status_fds[0]);
	if (err && p->pid > 0) {
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		p->reaped = true;
	}
	return -err;
}

static void proc_echo(struct hx_proc *p)
{
	static int verbose = -1;
	char *nl;

	if (verbose < 0)
		verbose = getenv("HX_VERBOSE") && strcmp(getenv("HX_VERBOSE"), "0") != 0;
	if (!verbose)
		return;
	while ((nl = memchr(p->out + p->echo_pos, '\n', p->out_len - p->echo_pos))) {
		fprintf(stderr, "[%s:%d] %.*s\n", p->name, (int)p->pid,
			(int)(nl - (p->out + p->echo_pos)), p->out + p->echo_pos);
		p->echo_pos = (size_t)(nl - p->out) + 1;
	}
	if (p->out_fd < 0 && p->echo_pos < p->out_len) {
		fprintf(stderr, "[%s:%d] %s\n", p->name, (int)p->pid, p->out + p->echo_pos);
		p->echo_pos = p->out_len;
	}
}

/* Read what is available without blocking; closes out_fd at EOF. */
static void proc_read(struct hx_proc *p)
{
	ssize_t n;

	while (p->out_fd >= 0) {
		if (p->out_cap - p->out_len < 4096 + 1) {
			p->out_cap *= 2;
			p->out = xrealloc(p->out, p->out_cap);
		}
		n = read(p->out_fd, p->out + p->out_len, p->out_cap - p->out_len - 1);
		if (n > 0) {
			p->out_len += (size_t)n;
			p->out[p->out_len] = '\0';
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			break;
		} else {
			close_fd(&p->out_fd);
		}
	}
	proc_echo(p);
}

static void proc_report(struct hx_proc *p, const char *what)
{
	size_t from = p->out_len > TAIL_CHARS ? p->out_len - TAIL_CHARS : 0;

	if (!p->out_len) {
		fprintf(stderr, "hx: %s[%d]: %s; no output\n", p->name, (int)p->pid, what);
		return;
	}
	fprintf(stderr, "hx: %s[%d]: %s; output%s:\n%s%s", p->name, (int)p->pid, what,
		from ? " (tail)" : "", p->out + from, p->out[p->out_len - 1] != '\n' ? "\n" : "");
}

/* A pidfd for @pid, or -1: not with valgrind 3.19 (it warns about every call), not before 5.3. */
static int proc_pidfd(pid_t pid)
{
	static bool unsupported;
	int fd = -1;

	if (unsupported || RUNNING_ON_VALGRIND)
		return -1;
#ifdef SYS_pidfd_open
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	unsupported = fd < 0 && errno == ENOSYS;
	return fd;
}

int hx_spawn(const char *const argv[], const char *const env_extra[], unsigned int flags,
	     struct hx_proc **ret)
{
	struct spawn_plan plan = {.in_fd = -1, .out_fd = -1, .status_fd = -1};
	const char *base;
	struct hx_proc *p;
	int r;

	if (!argv || !argv[0])
		return -EINVAL;
	p = xrealloc(NULL, sizeof(*p));
	*p = (struct hx_proc){.pidfd = -1, .out_fd = -1, .in_fd = -1, .out_cap = 8192};
	p->out = xrealloc(NULL, p->out_cap);
	p->out[0] = '\0';
	base = strrchr(argv[0], '/');
	snprintf(p->name, sizeof(p->name), "%s", base ? base + 1 : argv[0]);
	plan.argv = plan_argv(argv, flags);
	plan.envp = plan_envp(env_extra);

	r = proc_open_fds(p, &plan, flags);
	if (r == 0)
		r = proc_fork(p, &plan);
	close_fd(&plan.in_fd);
	close_fd(&plan.out_fd);
	free(plan.argv);
	free(plan.envp);
	if (r < 0) {
		fprintf(stderr, "hx_spawn: %s: %s\n", argv[0], strerror(-r));
		p->reaped = true;
		hx_proc_free(p);
		return r;
	}
	p->pidfd = proc_pidfd(p->pid);
	p->next = live_procs;
	live_procs = p;
	*ret = p;
	return 0;
}

pid_t hx_proc_pid(const struct hx_proc *proc)
{
	return proc->pid;
}

const char *hx_proc_output(struct hx_proc *proc)
{
	proc_read(proc);
	return proc->out;
}

int hx_proc_wait_log(struct hx_proc *proc, const char *substring, int timeout_ms)
{
	int64_t deadline = hx_deadline(timeout_ms);
	size_t len = strlen(substring);
	char msg[256];
	char *hit;

	for (;;) {
		struct pollfd pfd = {.fd = proc->out_fd, .events = POLLIN};
		int left;

		proc_read(proc);
		hit = memmem(proc->out + proc->match_end, proc->out_len - proc->match_end,
			     substring, len);
		if (hit) {
			proc->match_end = (size_t)(hit - proc->out) + len;
			return 0;
		}
		left = hx_remaining_ms(deadline);
		if (proc->out_fd < 0 || left == 0) {
			snprintf(msg, sizeof(msg), "\"%s\" not printed (%s)", substring,
				 proc->out_fd < 0 ? "output closed" : "timed out");
			proc_report(proc, msg);
			return proc->out_fd < 0 ? -EPIPE : -ETIMEDOUT;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int hx_proc_write(struct hx_proc *proc, const char *line)
{
	size_t len = strlen(line);
	int r;

	if (proc->in_fd < 0)
		return -EBADF;
	r = send_all(proc->in_fd, line, len);
	if (r == 0 && (len == 0 || line[len - 1] != '\n'))
		r = send_all(proc->in_fd, "\n", 1);
	return r;
}

int hx_proc_close_stdin(struct hx_proc *proc)
{
	if (proc->in_fd < 0)
		return -EBADF;
	close_fd(&proc->in_fd);
	return 0;
}

int hx_proc_kill(struct hx_proc *proc, int sig)
{
	if (proc->reaped)
		return -ESRCH;
	proc->signalled = true;
	return kill(proc->pid, sig) < 0 ? -errno : 0;
}

static bool proc_try_reap(struct hx_proc *p)
{
	pid_t r;

	if (p->reaped)
		return true;
	while ((r = waitpid(p->pid, &p->status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return false;
	if (r < 0)
		p->status = 255 << 8; /* reaped by someone else: no status to give */
	p->reaped = true;
	proc_read(p);
	return true;
}

int hx_proc_wait_exit(struct hx_proc *proc, int timeout_ms, int *ret_status)
{
	int64_t deadline = hx_deadline(timeout_ms);
	struct pollfd fds[2];
	int n, left;

	while (!proc_try_reap(proc)) {
		left = hx_remaining_ms(deadline);
		if (left == 0) {
			proc_report(proc, "still running at the deadline");
			return -ETIMEDOUT;
		}
		n = 0;
		if (proc->pidfd >= 0)
			fds[n++] = (struct pollfd){.fd = proc->pidfd, .events = POLLIN};
		else if (left < 0 || left > 10)
			left = 10;
		if (proc->out_fd >= 0)
			fds[n++] = (struct pollfd){.fd = proc->out_fd, .events = POLLIN};
		if (poll(fds, (nfds_t)n, left) < 0 && errno != EINTR)
			return -errno;
		proc_read(proc);
	}
	if (ret_status)
		*ret_status = proc->status;
	return 0;
}

static void proc_kill_group(struct hx_proc *p)
{
	if (p->reaped)
		return;
	p->signalled = true;
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	hx_proc_wait_exit(p, -1, NULL);
}

int hx_proc_stop(struct hx_proc *proc, int timeout_ms)
{
	char msg[64];
	int status, r;

	if (!proc->reaped) {
		proc->signalled = true;
		kill(proc->pid, SIGTERM);
	}
	r = hx_proc_wait_exit(proc, timeout_ms, &status);
	if (r == -ETIMEDOUT)
		proc_kill_group(proc);
	if (r < 0)
		return r;
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (r != 0) {
		snprintf(msg, sizeof(msg), "stopped with status %d", r);
		proc_report(proc, msg);
	}
	return r;
}

struct hx_proc *hx_proc_free(struct hx_proc *proc)
{
	struct hx_proc **pp;

	if (!proc)
		return NULL;
	if (!proc->reaped && proc_try_reap(proc) && !proc->signalled && proc->status != 0)
		proc_report(proc, "exited on its own with a failure status");
	proc_kill_group(proc);
	for (pp = &live_procs; *pp; pp = &(*pp)->next) {
		if (*pp == proc) {
			*pp = proc->next;
			break;
		}
	}
	close_fd(&proc->pidfd);
	close_fd(&proc->out_fd);
	close_fd(&proc->in_fd);
	free(proc->out);
	free(proc);
	return NULL;
}

int hx__proc_pollfds(struct pollfd *fds, int max)
{
	struct hx_proc *p;
	int n = 0;

	for (p = live_procs; p && n < max; p = p->next)
		if (p->out_fd >= 0)
			fds[n++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
	return n;
}

void hx__proc_drain_all(void)
{
	struct hx_proc *p;

	for (p = live_procs; p; p = p->next)
		proc_read(p);
}
