/* SPDX-License-Identifier: MIT */
/* log.c - one line per event to stderr, rate-limited repeats, state-change logging */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "log.h"

static enum log_level log_threshold = LOG_LEVEL_INFO;
static log_sink_fn log_sink;
static void *log_sink_userdata;
static log_clock_fn log_clock;

void log_set_verbosity(int n_verbose)
{
	if (n_verbose < 0)
		n_verbose = 0;
	if (n_verbose > LOG_LEVEL_TRACE - LOG_LEVEL_INFO)
		n_verbose = LOG_LEVEL_TRACE - LOG_LEVEL_INFO;
	log_threshold = (enum log_level)(LOG_LEVEL_INFO + n_verbose);
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

enum log_level log_get_level(void)
{
	return log_threshold;
}

bool log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

void log_set_sink(log_sink_fn fn, void *userdata)
{
	log_sink = fn;
	log_sink_userdata = userdata;
}

void log_set_clock(log_clock_fn fn)
{
	log_clock = fn;
}

static int64_t log_now(void)
{
	return log_clock ? log_clock() : g_get_monotonic_time();
}

static const char *level_prefix(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERR:
		return "error: ";
	case LOG_LEVEL_WARNING:
		return "warning: ";
	case LOG_LEVEL_INFO:
		return "";
	case LOG_LEVEL_DEBUG:
	case LOG_LEVEL_TRACE:
		return "debug: ";
	}
	return "";
}

/* One fwrite per line, so lines of different threads do not interleave on stderr. */
static void stderr_sink(enum log_level level, const char *line)
{
	char buf[LOG_LINE_MAX + 96];
	int n = snprintf(buf, sizeof(buf), "%s%s\n", level_prefix(level), line);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	(void)fwrite(buf, 1, (size_t)n, stderr);
}

static void emit(enum log_level level, const char *line)
{
	if (log_sink)
		log_sink(level, line, log_sink_userdata);
	else
		stderr_sink(level, line);
}

/* Format into @buf (LOG_LINE_MAX bytes); a truncated line ends in "...". */
static void format_line(char *buf, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void format_line(char *buf, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, LOG_LINE_MAX, fmt, ap);

	if (n < 0)
		snprintf(buf, LOG_LINE_MAX, "(bad log format \"%s\")", fmt);
	else if (n >= LOG_LINE_MAX)
		memcpy(buf + LOG_LINE_MAX - 4, "...", 4);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	format_line(line, fmt, ap);
	va_end(ap);
	emit(level, line);
}

/* FNV-1a: cheap, and a collision only merges two messages' repeat counts. */
static uint32_t text_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void emit_repeated(enum log_level level, const char *line, unsigned long n)
{
	char buf[LOG_LINE_MAX + 48];

	snprintf(buf, sizeof(buf), "%s (repeated %lu time%s)", line, n, n == 1 ? "" : "s");
	emit(level, buf);
}

static void flush_pending(struct log_ratelimit *rl)
{
	if (!rl->active || rl->n_suppressed == 0)
		return;
	if (log_enabled(rl->level))
		emit_repeated(rl->level, rl->text, rl->n_suppressed);
	rl->n_suppressed = 0;
}

static bool ratelimit_step(struct log_ratelimit *rl, enum log_level level, const char *line)
{
	int64_t now = log_now();
	int64_t interval = rl->interval > 0 ? rl->interval : LOG_RATELIMIT_DEFAULT_US;
	uint32_t h = text_hash(line);

	if (rl->active && rl->hash == h) {
		rl->n_suppressed++;
		if (now - rl->last_print < interval)
			return false;
		if (log_enabled(level))
			emit_repeated(level, line, rl->n_suppressed);
		rl->n_suppressed = 0;
		rl->last_print = now;
		return true;
	}
	flush_pending(rl);
	rl->active = true;
	rl->hash = h;
	g_strlcpy(rl->text, line, sizeof(rl->text));
	rl->level = level;
	rl->n_suppressed = 0;
	rl->last_print = now;
	if (log_enabled(level))
		emit(level, line);
	return true;
}

bool log_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_line(line, fmt, ap);
	va_end(ap);
	return ratelimit_step(rl, level, line);
}

void log_ratelimit_clear(struct log_ratelimit *rl)
{
	if (!rl)
		return;
	flush_pending(rl);
	rl->active = false;
}

static bool change_step(struct log_state *st, enum log_level level, int new_state,
			const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static bool change_step(struct log_state *st, enum log_level level, int new_state,
			const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	if (st->known && st->state == new_state)
		return false;
	st->known = true;
	st->state = new_state;
	if (!log_enabled(level))
		return true;
	format_line(line, fmt, ap);
	emit(level, line);
	return true;
}

bool log_change(struct log_state *st, int new_state, const char *fmt, ...)
{
	va_list ap;
	bool changed;

	va_start(ap, fmt);
	changed = change_step(st, LOG_LEVEL_INFO, new_state, fmt, ap);
	va_end(ap);
	return changed;
}

bool log_change_at(struct log_state *st, enum log_level level, int new_state, const char *fmt,
		   ...)
{
	va_list ap;
	bool changed;

	va_start(ap, fmt);
	changed = change_step(st, level, new_state, fmt, ap);
	va_end(ap);
	return changed;
}

void log_state_forget(struct log_state *st)
{
	if (st)
		st->known = false;
}
