/* SPDX-License-Identifier: MIT */
/*
 * up5000-relay.h - the excess-power relay decision: on and off conditions with hysteresis and
 * minimum on/off times
 *
 * Pure: a function of (configuration, state, inputs, now); µs monotonic times, no I/O.
 * Each condition has an "on" threshold and an "off" threshold (NAN: not used):
 *   SOC, battery voltage, PV power, PV voltage:  on when value >= on,  off when value <  off
 *   cell-voltage spread (V):                     on when value <= on,  off when value >  off
 * The relay switches on when every "on" threshold that is set holds (at least one must be
 * set) and it has been off for the minimum off time; it switches off when any "off"
 * threshold that is set holds, or a value it needs is unknown, and it has been on for the
 * minimum on time. The gap between the two thresholds is the hysteresis. A command is due on
 * every change, and again every refresh interval (Tasmota relays forget nothing, but a
 * rebooted one does).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum upr_input {
	UPR_SOC = 0,
	UPR_BATTERY_VOLTAGE,
	UPR_PV_POWER,
	UPR_PV_VOLTAGE,
	UPR_CELL_SPREAD,
	UPR_N_INPUTS,
};

struct upr_config {
	double on[UPR_N_INPUTS];  /* NAN: condition not used */
	double off[UPR_N_INPUTS]; /* NAN: condition not used */
	int64_t min_on, min_off;  /* µs */
	int64_t refresh;	  /* µs between repeated commands */
};

struct upr_state {
	bool on;
	bool started;	   /* a first decision was taken */
	int64_t since;	   /* µs, time of the last switch */
	bool sent;	   /* a command went out */
	int64_t last_sent; /* µs */
};

/* Why the relay is in its state. */
enum upr_reason {
	UPR_REASON_START = 0,	   /* off at start, nothing decided yet */
	UPR_REASON_ON_MET,	   /* every on condition holds */
	UPR_REASON_OFF_MET,	   /* an off condition holds (see .input) */
	UPR_REASON_NO_DATA,	   /* an input it needs is unknown (see .input) */
	UPR_REASON_HOLD,	   /* no condition for a change holds */
	UPR_REASON_MIN_TIME,	   /* a change waits for the minimum on/off time */
	UPR_REASON_NOT_CONFIGURED, /* no on condition set: never on */
};

struct upr_output {
	bool on;
	bool changed;
	bool send; /* a command is due now; call upr_sent() once it went out */
	enum upr_reason reason;
	enum upr_input input; /* for OFF_MET and NO_DATA */
};

void upr_init(struct upr_state *s, int64_t now);

/* upr_step() - decide. @values[UPR_N_INPUTS]: NAN when unknown. */
void upr_step(const struct upr_config *c, struct upr_state *s, const double *values, int64_t now,
	      struct upr_output *out);

/* upr_sent() - the command for the present state went out at @now. */
void upr_sent(struct upr_state *s, int64_t now);

/* upr_resend() - send again at the next step (the broker connection came back). */
void upr_resend(struct upr_state *s);

/* upr_reason_text() - "soc below off threshold", ... into @buf. Return: @buf. */
const char *upr_reason_text(const struct upr_output *out, char *buf, unsigned int len);
const char *upr_input_name(enum upr_input in);
