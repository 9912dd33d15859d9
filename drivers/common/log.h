/* SPDX-License-Identifier: MIT */
/*
 * log.h - one line per event to stderr, with rate-limited repeats and state-change logging
 *
 * Daemons log; libraries don't. A line carries no timestamp (multilog adds one) and no
 * program name (each service has its own log directory). Levels follow syslog's numbering;
 * the threshold is LOG_LEVEL_INFO plus the number of -v given.
 *
 * Every line goes through a sink (default: stderr, "error: "/"warning: "/"debug: " prefixes,
 * nothing for info). Tests replace the sink to capture lines, and the clock to drive rate
 * limits without sleeping. Threads: the log_* calls may be used from any thread as long as
 * the sink is thread-safe (the default one writes each line with one fwrite to unbuffered
 * stderr); set the level, sink and clock before starting threads. A struct log_ratelimit or
 * struct log_state belongs to one thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
	LOG_LEVEL_TRACE = 8, /* -vv: per-transaction detail */
};

/* Longest line kept; longer messages are truncated (and end in "..."). */
#define LOG_LINE_MAX 512

/*
 * Where lines go. @line is one formatted message without prefix or newline, borrowed for
 * the call.
 */
typedef void (*log_sink_fn)(enum log_level level, const char *line, void *userdata);

/* A monotonic clock in microseconds (g_get_monotonic_time() by default). */
typedef int64_t (*log_clock_fn)(void);

/*
 * log_set_verbosity() - show levels up to LOG_LEVEL_INFO + @n_verbose (the number of -v).
 * log_set_level() sets the threshold directly.
 */
void log_set_verbosity(int n_verbose);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* log_enabled() - true when a message of @level would be shown. */
bool log_enabled(enum log_level level);

/*
 * log_set_sink() - send lines to @fn with @userdata (NULL: back to stderr).
 * log_set_clock() - use @fn as the rate-limit clock (NULL: back to g_get_monotonic_time()).
 */
void log_set_sink(log_sink_fn fn, void *userdata);
void log_set_clock(log_clock_fn fn);

/* log_msg() - log one line at @level. The shortcuts below are what drivers call. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_LEVEL_TRACE, __VA_ARGS__)

/*
 * Rate-limited repeats: "the same error every cycle" prints once, then at most once per
 * @interval a line "<message> (repeated N times)" while it keeps happening. A different
 * message through the same limiter prints at once (after flushing the count of the old one).
 * Call log_ratelimit_clear() when the condition is over: it prints a pending count, and the
 * next occurrence prints at once again. Embed the struct and zero it, or use
 * LOG_RATELIMIT_INIT; interval 0 means LOG_RATELIMIT_DEFAULT_US.
 */
#define LOG_RATELIMIT_DEFAULT_US (60 * INT64_C(1000000))
#define LOG_RATELIMIT_TEXT 160 /* kept for the final count; longer messages are cut */

struct log_ratelimit {
	int64_t interval;    /* µs */
	int64_t last_print;  /* µs, clock of the last printed line */
	uint32_t hash;       /* of the whole current message text */
	char text[LOG_RATELIMIT_TEXT];
	unsigned long n_suppressed;
	enum log_level level;
	bool active;         /* a message is being repeated */
};

#define LOG_RATELIMIT_INIT { .interval = LOG_RATELIMIT_DEFAULT_US }

/*
 * log_ratelimited() - log through @rl.
 * Return: true when a line was printed, false when it was counted.
 */
bool log_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * log_ratelimit_clear() - the condition is over: print "<last message> (repeated N times)"
 * if repeats are pending, and re-arm. NULL-safe.
 */
void log_ratelimit_clear(struct log_ratelimit *rl);

/*
 * State-change logging: log only when @new_state differs from the last one seen through @st
 * (the first call always logs). Zero the struct or use LOG_STATE_INIT.
 */
struct log_state {
	int state;
	bool known;
};

#define LOG_STATE_INIT { .known = false }

/*
 * log_change() - at LOG_LEVEL_INFO; log_change_at() - at @level.
 * Return: true when the state changed (and the line was logged if the level is shown).
 */
bool log_change(struct log_state *st, int new_state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool log_change_at(struct log_state *st, enum log_level level, int new_state, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* log_state_forget() - the next log_change() logs whatever the state is. */
void log_state_forget(struct log_state *st);
