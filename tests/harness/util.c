/* SPDX-License-Identifier: MIT */
/* util.c - harness deadlines, timeout scaling and build paths */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check-run.h"
#include "harness-internal.h"

/* Interned strings handed out for the process lifetime (still reachable, never leaked). */
struct interned {
	struct interned *next;
	char str[];
};

static struct interned *interned;

static const char *intern(const char *s)
{
	struct interned *it;
	size_t len = strlen(s);

	for (it = interned; it; it = it->next)
		if (strcmp(it->str, s) == 0)
			return it->str;
	it = malloc(sizeof(*it) + len + 1);
	if (!it)
		return NULL;
	memcpy(it->str, s, len + 1);
	it->next = interned;
	interned = it;
	return it->str;
}

int64_t hx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hx_scale_ms(int timeout_ms)
{
	const char *env = getenv("CK_TIMEOUT_MULTIPLIER");
	double mult = env ? strtod(env, NULL) : 1.0;
	double scaled;

	if (timeout_ms < 0)
		return -1;
	if (!(mult >= 1.0))
		mult = 1.0;
	scaled = timeout_ms * mult;
	return scaled >= INT_MAX ? INT_MAX : (int)scaled;
}

int64_t hx_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return INT64_MAX;
	return hx_now_ms() + hx_scale_ms(timeout_ms);
}

int hx_remaining_ms(int64_t deadline)
{
	int64_t left;

	if (deadline == INT64_MAX)
		return -1;
	left = deadline - hx_now_ms();
	if (left <= 0)
		return 0;
	return left >= INT_MAX ? INT_MAX : (int)left;
}

const char *hx_build_dir(void)
{
	static const char *dir;
	const char *build = getenv("BUILD");
	char cwd[PATH_MAX], path[PATH_MAX * 2];
	char *real;

	if (dir)
		return dir;
	if (!build || !*build)
		build = "build";
	real = realpath(build, NULL);
	if (real) {
		dir = intern(real);
		free(real);
	} else if (build[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
		dir = intern(build);
	} else {
		snprintf(path, sizeof(path), "%s/%s", cwd, build);
		dir = intern(path);
	}
	return dir ? dir : build;
}

const char *hx_bin(const char *name)
{
	char path[PATH_MAX * 2];
	const char *s;

	snprintf(path, sizeof(path), "%s/bin/%s", hx_build_dir(), name);
	s = intern(path);
	if (!s)
		abort(); /* out of memory in a test: nothing sensible to go on with */
	return s;
}

bool hx_have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	size_t len;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		len = strcspn(path, ":");
		if (len > 0 &&
		    (size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, name) <
			    sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

int hx_run_suite(Suite *s)
{
	if (!hx_have_program("dbus-daemon")) {
		fprintf(stderr, "dbus-daemon is not installed: suite skipped\n");
		srunner_free(srunner_create(s)); /* frees the suite */
		return 77;
	}
	return check_run(s);
}
