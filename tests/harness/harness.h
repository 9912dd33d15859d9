/* SPDX-License-Identifier: MIT */
/*
 * harness.h - integration test harness: a private bus, child processes, a blocking bus client
 *
 * Everything here synchronises on an event (a pipe, a reply, a signal, a name appearing) with a
 * monotonic deadline; nothing sleeps. Every timeout is multiplied by CK_TIMEOUT_MULTIPLIER
 * (tests/run-tests sets 10 under VALGRIND=1), so tests give the figure they mean on a normal
 * build. A negative timeout waits forever.
 *
 * Ownership, as in libvedbus:
 *  - strings passed in are copied or only used during the call;
 *  - strings handed out are borrowed from the object they came from, until the next call on it;
 *  - DBusMessage pointers handed out through a ret_ parameter belong to the caller (unref);
 *  - destructors accept NULL and return NULL: bus = hx_bus_stop(bus);
 *  - functions return 0 or a negative errno: -ETIMEDOUT when the deadline passed, -EREMOTEIO for
 *    a D-Bus error reply, -ECONNRESET when the bus went away.
 * The harness decodes and encodes the wire format itself and never calls libvedbus, so a bug in
 * the library cannot cancel itself out in a test. Only the value types of vedbus.h are shared.
 *
 * Timeouts, unexpected exits and HX_VERBOSE=1 (stream child output live) print to stderr.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <check.h>
#include <dbus/dbus.h>

#include "vedbus.h"

#define HX_CALL_TIMEOUT_MS 5000	 /* method replies */
#define HX_BUS_TIMEOUT_MS  10000 /* dbus-daemon start-up */

/* ------------------------------------------------------------------------------------------ */
/* Time and paths                                                                             */

/* hx_now_ms() - CLOCK_MONOTONIC in milliseconds. */
int64_t hx_now_ms(void);

/* hx_scale_ms() - @timeout_ms times CK_TIMEOUT_MULTIPLIER (at least 1); negative stays -1. */
int hx_scale_ms(int timeout_ms);

/* hx_deadline() - now + hx_scale_ms(@timeout_ms); INT64_MAX for a negative timeout. */
int64_t hx_deadline(int timeout_ms);

/* hx_remaining_ms() - milliseconds left until @deadline: 0 once passed, -1 for INT64_MAX. */
int hx_remaining_ms(int64_t deadline);

/*
 * hx_build_dir() - the absolute build directory: $BUILD (default "build", relative to the
 * working directory). Borrowed for the process lifetime.
 */
const char *hx_build_dir(void);

/* hx_bin() - "<build dir>/bin/@name", absolute. Borrowed for the process lifetime. */
const char *hx_bin(const char *name);

/* hx_have_program() - whether @name (a path, or a name looked up in $PATH) is executable. */
bool hx_have_program(const char *name);

/* ------------------------------------------------------------------------------------------ */
/* Private bus                                                                                */

struct hx_bus;

/*
 * hx_bus_start() - start a private dbus-daemon (or $HX_DBUS_DAEMON) with a permissive session
 * configuration in a new temporary directory. The daemon prints its address to a pipe; reading
 * it is the synchronisation point (deadline HX_BUS_TIMEOUT_MS). The daemon gets
 * PR_SET_PDEATHSIG, so it dies with the test.
 * DBUS_SESSION_BUS_ADDRESS and DBUS_SYSTEM_BUS_ADDRESS are set to the new bus in this process
 * (and so in every child spawned later) so that nothing in a test reaches a real bus; they are
 * restored by hx_bus_stop().
 * Return: 0, -ENOENT when dbus-daemon is not installed, -ETIMEDOUT, -EIO, -ENOMEM.
 */
int hx_bus_start(struct hx_bus **ret);

/* hx_bus_address() - the address clients connect to. Borrowed for the bus lifetime. */
const char *hx_bus_address(const struct hx_bus *bus);

/*
 * hx_bus_dir() - the bus's temporary directory, free for the test's own files (configuration,
 * settings, specs); hx_bus_stop() removes it with everything in it. Borrowed.
 */
const char *hx_bus_dir(const struct hx_bus *bus);

/*
 * hx_bus_stop() - kill the daemon, reap it, remove its temporary directory and restore the
 * environment. Free the clients and processes that use it first. NULL-safe; returns NULL.
 */
struct hx_bus *hx_bus_stop(struct hx_bus *bus);

/* ------------------------------------------------------------------------------------------ */
/* Child processes                                                                            */

enum hx_spawn_flags {
	HX_SPAWN_STDIN = 1 << 0,       /* give the child a stdin stream for hx_proc_write() */
	HX_SPAWN_NO_VALGRIND = 1 << 1, /* never run it under valgrind, even with VALGRIND=1 */
};

struct hx_proc;

/*
 * hx_spawn() - start @argv (argv[0] a path, or a name looked up in $PATH) in its own process
 * group with PR_SET_PDEATHSIG(SIGKILL). Its stdout and stderr go to one pipe the harness reads
 * into memory while it waits; stdin is /dev/null unless HX_SPAWN_STDIN.
 * @env_extra: "KEY=VALUE" strings added to (or replacing in) the inherited environment,
 *             NULL-terminated; may be NULL.
 * With VALGRIND=1 in the environment, programs from hx_build_dir()/bin run under
 * "valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99
 * --trace-children=no" unless HX_SPAWN_NO_VALGRIND. Returns once the exec succeeded.
 * Return: 0, -ENOENT (or the exec errno) when the program cannot be run, -ENOMEM, -EMFILE.
 */
int hx_spawn(const char *const argv[], const char *const env_extra[], unsigned int flags,
	     struct hx_proc **ret);

/* hx_proc_pid() - the child's pid (also its process group id). */
pid_t hx_proc_pid(const struct hx_proc *proc);

/*
 * hx_proc_output() - everything the child printed so far (stdout and stderr interleaved as
 * written), read without blocking. Borrowed until the next call on @proc; never NULL.
 */
const char *hx_proc_output(struct hx_proc *proc);

/*
 * hx_proc_wait_log() - wait until @substring appears in the output after the end of the
 * previous match of this function (so waiting twice for "ready" waits for a second "ready").
 * Return: 0, -ETIMEDOUT, -EPIPE when the output closed (the child exited) without it.
 */
int hx_proc_wait_log(struct hx_proc *proc, const char *substring, int timeout_ms);

/*
 * hx_proc_write() - write @line to the child's stdin, adding a newline if @line lacks one.
 * Return: 0, -EBADF without HX_SPAWN_STDIN (or after hx_proc_close_stdin()), -EPIPE.
 */
int hx_proc_write(struct hx_proc *proc, const char *line);

/* hx_proc_close_stdin() - close the child's stdin (it reads EOF). Return: 0 or -EBADF. */
int hx_proc_close_stdin(struct hx_proc *proc);

/* hx_proc_kill() - send @sig to the child. Return: 0, -ESRCH once it has been reaped. */
int hx_proc_kill(struct hx_proc *proc, int sig);

/*
 * hx_proc_wait_exit() - wait for the child to exit (pidfd + poll, reading its output
 * meanwhile) and reap it. *ret_status (may be NULL) is the waitpid() status: use WIFEXITED(),
 * WEXITSTATUS(), WTERMSIG(). Calling it again returns the same status.
 * Return: 0 or -ETIMEDOUT.
 */
int hx_proc_wait_exit(struct hx_proc *proc, int timeout_ms, int *ret_status);

/*
 * hx_proc_stop() - SIGTERM, then wait up to @timeout_ms for the exit (SIGKILL after that).
 * Return: the exit code (0 for a clean shutdown, 99 for a valgrind error), 128 + signal number
 * when a signal ended it, or -ETIMEDOUT when it had to be killed.
 */
int hx_proc_stop(struct hx_proc *proc, int timeout_ms);

/*
 * hx_proc_free() - SIGKILL the child's process group if it still runs, reap it, free @proc.
 * A child that exited on its own with a failure status gets its output tail printed to stderr.
 * NULL-safe; returns NULL.
 */
struct hx_proc *hx_proc_free(struct hx_proc *proc);

/* ------------------------------------------------------------------------------------------ */
/* Bus client                                                                                 */

struct hx_client;

/* A value as it travelled on the wire. */
struct hx_value {
	enum vedbus_type type; /* INVALID: an empty array of any element type */
	int64_t i;	       /* INT: any integer type or boolean */
	double d;	       /* INT and DOUBLE: the number as a double */
	char s[512];	       /* STRING: "s", "o" or "g", truncated */
	char sig[32];	       /* D-Bus signature of the variant content: "d", "i", "ai", ... */
};

/*
 * hx_client_new() - a private blocking connection to the bus at @address. Every signal it
 * receives goes into an internal queue, in arrival order; it subscribes to all
 * com.victronenergy.BusItem signals and to org.freedesktop.DBus NameOwnerChanged.
 * Return: 0, -ECONNREFUSED, -EIO, -ENOMEM.
 */
int hx_client_new(const char *address, struct hx_client **ret);

/* hx_client_free() - close the connection, drop the queue. NULL-safe; returns NULL. */
struct hx_client *hx_client_free(struct hx_client *c);

/* Borrowed: the raw connection (for AddMatch, sending signals, ...) and its unique name. */
DBusConnection *hx_client_conn(struct hx_client *c);
const char *hx_client_name(struct hx_client *c);

/*
 * hx_call() - call @member on @service at @path and wait for the reply (HX_CALL_TIMEOUT_MS).
 * @iface: NULL sends a call without an interface field, as some Victron consumers do.
 * The arguments follow as in dbus_message_append_args(), ending with DBUS_TYPE_INVALID.
 * Signals that arrive meanwhile are queued in order, not lost.
 * *ret_reply (may be NULL) is the reply, owned by the caller, also for an error reply.
 * Return: 0, -EREMOTEIO for an error reply (see dbus_message_get_error_name()), -ETIMEDOUT,
 * -ECONNRESET, -ENOMEM.
 */
int hx_call(struct hx_client *c, const char *service, const char *path, const char *iface,
	    const char *member, DBusMessage **ret_reply, int first_arg_type, ...);

/* hx_call_message() - hx_call() for a message built by the caller (not consumed). */
int hx_call_message(struct hx_client *c, DBusMessage *msg, int timeout_ms, DBusMessage **ret_reply);

/*
 * hx_sync() - a round trip to @service (org.freedesktop.DBus.Peer.Ping on "/"; NULL: the bus
 * itself). D-Bus delivers one sender's messages in order, so afterwards every signal @service
 * emitted before it answered is in the queue: "exactly N signals" assertions need no sleep.
 * Return: as hx_call().
 */
int hx_sync(struct hx_client *c, const char *service);

/*
 * Signal queue. @member and @path filter (NULL: any). These only look at what is already
 * queued; they never read the connection, so after hx_sync() the answer is exact.
 */
int hx_count_signals(struct hx_client *c, const char *member, const char *path);
/* hx_pop_signal() - remove and return the oldest match (caller unrefs), or NULL. */
DBusMessage *hx_pop_signal(struct hx_client *c, const char *member, const char *path);
void hx_clear_signals(struct hx_client *c);

/*
 * hx_wait_signal() - hx_pop_signal(), reading the connection until a match arrives.
 * *ret_msg (may be NULL: dropped) is owned by the caller. Return: 0, -ETIMEDOUT, -ECONNRESET.
 */
int hx_wait_signal(struct hx_client *c, const char *member, const char *path, int timeout_ms,
		   DBusMessage **ret_msg);

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                     */

/*
 * hx_value_read() - decode the value at @iter (a variant, or directly a basic value).
 * Return: 0, or -EPROTO for a non-empty container (type INVALID, sig filled in).
 */
int hx_value_read(DBusMessageIter *iter, struct hx_value *ret);

/* hx_value_describe() - "54.15 (d)", "3 (i)", "\"abc\" (s)", "invalid (ai)" for messages. */
const char *hx_value_describe(const struct hx_value *v, char *buf, size_t len);

/* hx_get_value() - GetValue on a leaf. Return: as hx_call(), or -EPROTO for a node's dict. */
int hx_get_value(struct hx_client *c, const char *service, const char *path, struct hx_value *ret);

/* hx_get_text() - GetText on a leaf into @buf. Return: as hx_call(), or -EPROTO. */
int hx_get_text(struct hx_client *c, const char *service, const char *path, char *buf, size_t len);

/*
 * hx_set_value() - SetValue with @v encoded as velib_python does (invalid = empty "ai", int =
 * "i" or "x", double = "d", string = "s"). *ret_code (may be NULL) is the integer reply:
 * 0 accepted, see enum vedbus_reply. Return: as hx_call(), or -EPROTO for a non-integer reply.
 */
int hx_set_value(struct hx_client *c, const char *service, const char *path,
		 const struct vedbus_value *v, int *ret_code);

/*
 * hx_set_raw() - SetValue with a variant of the basic @dbus_type (DBUS_TYPE_BYTE,
 * DBUS_TYPE_UINT16, ...); @valp points at the value as for dbus_message_iter_append_basic()
 * (for strings a const char **). Return: as hx_set_value(), -EINVAL for a non-basic type.
 */
int hx_set_raw(struct hx_client *c, const char *service, const char *path, int dbus_type,
	       const void *valp, int *ret_code);

/*
 * hx_get_items() - GetItems on "/". *ret_reply is owned by the caller; read it with
 * hx_items_find(). Return: as hx_call(), or -EPROTO when the signature is not "a{sa{sv}}".
 */
int hx_get_items(struct hx_client *c, const char *service, DBusMessage **ret_reply);

/*
 * hx_items_find() - the "Value" and "Text" of @path in a GetItems reply or an ItemsChanged
 * signal ("a{sa{sv}}"), or in a PropertiesChanged signal ("a{sv}") sent on @path.
 * @ret_value and @ret_text may be NULL; a missing "Text" reads "".
 * Return: 0, -ENOENT when @path is absent, -ENODATA when its entry has no "Value", -EPROTO.
 */
int hx_items_find(DBusMessage *msg, const char *path, struct hx_value *ret_value, char *ret_text,
		  size_t text_len);

/* ------------------------------------------------------------------------------------------ */
/* Waiting for the bus                                                                        */

/*
 * hx_wait_name() - wait until @name has an owner (@present) or has none (!@present): asks
 * NameHasOwner first, then follows NameOwnerChanged. Return: 0, -ETIMEDOUT, -ECONNRESET.
 */
int hx_wait_name(struct hx_client *c, const char *name, bool present, int timeout_ms);

typedef bool (*hx_value_pred)(const struct hx_value *v, void *data);

/*
 * hx_wait_value() - wait until the value of @path on @service satisfies @pred: reads it with
 * GetValue, then follows PropertiesChanged on @path and ItemsChanged on "/" from the owner of
 * @service. A missing service or path counts as "not yet"; when the owner changes the value is
 * read again. Return: 0, -ETIMEDOUT (the last value seen is printed), -ECONNRESET.
 */
int hx_wait_value(struct hx_client *c, const char *service, const char *path, hx_value_pred pred,
		  void *data, int timeout_ms);

/* Conveniences: a number within @tol of @expect (INT or DOUBLE), an INT, a STRING, invalid. */
int hx_wait_double(struct hx_client *c, const char *service, const char *path, double expect,
		   double tol, int timeout_ms);
int hx_wait_int(struct hx_client *c, const char *service, const char *path, int64_t expect,
		int timeout_ms);
int hx_wait_string(struct hx_client *c, const char *service, const char *path, const char *expect,
		   int timeout_ms);
int hx_wait_invalid(struct hx_client *c, const char *service, const char *path, int timeout_ms);

/* ------------------------------------------------------------------------------------------ */
/* Running a suite                                                                            */

/*
 * hx_run_suite() - the main() of an integration suite: exit status 77 (skipped) when
 * dbus-daemon is not installed, else run @s (freed here) and return 0 or 1.
 */
int hx_run_suite(Suite *s);
