/* SPDX-License-Identifier: MIT */
/* smartlogger-control.c - pure LUNA2000 dispatch and SmartLogger curtailment decisions */

#include <math.h>

#include "smartlogger-control.h"

#define SLC_WORKING_MODE_SELF 2

void slc_unit_init(struct slc_unit *u)
{
	*u = (struct slc_unit){ .cmd = SLC_CMD_NONE };
}

void slc_limits(const struct slc_unit_in *in, size_t n, double *ret_charge, double *ret_discharge)
{
	double c = 0, d = 0;

	for (size_t k = 0; k < n; k++) {
		if (!in[k].online)
			continue;
		c += in[k].max_charge; /* NAN stays NAN: one unknown makes the sum unknown */
		d += in[k].max_discharge;
	}
	*ret_charge = c;
	*ret_discharge = d;
}

static double limit_of(const struct slc_unit_in *in, bool charge)
{
	return charge ? in->max_charge : in->max_discharge;
}

void slc_split(double total, const struct slc_unit_in *in, size_t n, double *ret)
{
	bool charge = total > 0, known = true;
	double sum = 0;
	size_t n_online = 0;

	for (size_t k = 0; k < n; k++) {
		if (!in[k].online)
			continue;
		n_online++;
		known &= limit_of(&in[k], charge) >= 0;
		sum += limit_of(&in[k], charge);
	}
	for (size_t k = 0; k < n; k++) {
		double lim = limit_of(&in[k], charge), share;

		if (!in[k].online || !isfinite(total)) {
			ret[k] = 0;
			continue;
		}
		share = known && sum > 0 ? total * lim / sum : total / (double)n_online;
		if (lim >= 0 && fabs(share) > lim)
			share = copysign(lim, share);
		ret[k] = share;
	}
}

/* The forcible command and power (>= 0) for @mode and @power. */
static struct slc_action desired(enum hc_mode mode, double power)
{
	switch (mode) {
	case HC_MODE_BATTERY:
		if (power > 0)
			return (struct slc_action){ SLC_ACT_FORCE, SLC_CMD_CHARGE, power };
		return (struct slc_action){ SLC_ACT_FORCE, SLC_CMD_DISCHARGE, -power };
	case HC_MODE_HOLD:
	case HC_MODE_GRID: /* not offered by this driver: hold if it ever gets here */
		return (struct slc_action){ SLC_ACT_FORCE, SLC_CMD_DISCHARGE, 0 };
	case HC_MODE_AUTONOMOUS:
		break;
	}
	return (struct slc_action){ SLC_ACT_STOP, SLC_CMD_STOP, 0 };
}

/* Values read after our last write (not from a cycle that was in flight meanwhile). */
static bool fresh(const struct slc_unit *st, const struct slc_unit_in *in)
{
	return in->read_at > st->written_at;
}

static bool force_due(const struct slc_config *cfg, const struct slc_unit *st,
		      const struct slc_unit_in *in, const struct slc_action *want, int64_t now)
{
	double moved = fabs(st->power - want->power);

	if (st->cmd != want->cmd || now - st->written_at >= cfg->keepalive)
		return true;
	if (moved >= cfg->deadband || (want->power == 0 && moved > 0))
		return true;
	/* the device dropped the command: its period ran out, or somebody stopped it */
	return fresh(st, in) && in->command >= 0 && in->command != want->cmd;
}

static bool stop_due(const struct slc_config *cfg, const struct slc_unit *st,
		     const struct slc_unit_in *in, int64_t now)
{
	if (st->cmd == SLC_CMD_CHARGE || st->cmd == SLC_CMD_DISCHARGE)
		return true;
	/* left over from before our start (or another master): stop it, not too often */
	return fresh(st, in) && in->command > 0 &&
	       (st->cmd == SLC_CMD_NONE || now - st->written_at >= cfg->retry);
}

static bool self_due(const struct slc_config *cfg, const struct slc_unit *st,
		     const struct slc_unit_in *in, int64_t now)
{
	if (in->working_mode < 0 || in->working_mode == SLC_WORKING_MODE_SELF)
		return false;
	if (st->mode_written && in->read_at <= st->mode_written_at)
		return false; /* not read back yet */
	return !st->mode_written || now - st->mode_written_at >= cfg->retry;
}

struct slc_action slc_unit_step(const struct slc_config *cfg, const struct slc_unit *st,
				const struct slc_unit_in *in, enum hc_mode mode, double power,
				int64_t now)
{
	struct slc_action none = { SLC_ACT_NONE, SLC_CMD_NONE, 0 };
	struct slc_action want = desired(mode, power);

	if (!in->online || st->busy || now < st->blocked_until)
		return none;
	if (want.kind == SLC_ACT_FORCE)
		return force_due(cfg, st, in, &want, now) ? want : none;
	if (stop_due(cfg, st, in, now))
		return want;
	if (self_due(cfg, st, in, now))
		return (struct slc_action){ SLC_ACT_SELF, SLC_CMD_NONE, 0 };
	return none;
}

void slc_unit_written(const struct slc_config *cfg, struct slc_unit *st,
		      const struct slc_action *act, int status, int64_t now)
{
	st->busy = false;
	if (status > 0)
		st->blocked_until = now + cfg->retry;
	if (status != 0)
		return;
	if (act->kind == SLC_ACT_SELF) {
		st->mode_written = true;
		st->mode_written_at = now;
		return;
	}
	st->cmd = act->cmd;
	st->power = act->power;
	st->written_at = now;
}

/* ------------------------------------------------------------------------------------------ */

void slc_curtail_init(struct slc_curtail *c, int64_t timeout)
{
	*c = (struct slc_curtail){ .request = NAN, .written = NAN };
	deadman_init(&c->alive, timeout);
}

void slc_curtail_request(struct slc_curtail *c, double watts, int64_t now)
{
	c->request = watts;
	deadman_touch(&c->alive, now);
}

static bool curtail_write_due(const struct slc_config *cfg, const struct slc_curtail *c,
			      const struct slc_curtail_in *in, double raw, bool alive, int64_t now)
{
	double back = in->readback / 100;
	bool fresh_back = !isnan(back) && in->read_at > c->written_at;

	if (c->busy || now < c->blocked_until)
		return false;
	if (isnan(c->written)) /* nothing written yet: trust the read-back when there is one */
		return fresh_back ? fabs(back - raw) >= 0.5 : alive;
	if (c->written != raw)
		return true;
	return fresh_back && fabs(back - raw) >= 0.5 && now - c->written_at >= cfg->retry;
}

void slc_curtail_step(const struct slc_config *cfg, const struct slc_curtail *c,
		      const struct slc_curtail_in *in, int64_t now, struct slc_curtail_out *ret)
{
	bool alive = !isnan(c->request) && !deadman_expired(&c->alive, now);
	double limit;

	*ret = (struct slc_curtail_out){ .limit = NAN, .raw = NAN };
	ret->expired = !isnan(c->request) && !alive;
	if (!(in->ceiling >= 0))
		return;
	limit = alive ? fmin(fmax(c->request, 0), in->ceiling) : in->ceiling;
	ret->limit = limit;
	ret->active = limit < in->ceiling;
	/* round down: a zero feed-in limit must not let 99 W more through */
	ret->raw = floor(limit / 100 + 1e-9);
	ret->write = curtail_write_due(cfg, c, in, ret->raw, alive, now);
}

void slc_curtail_written(const struct slc_config *cfg, struct slc_curtail *c, double raw,
			 int status, int64_t now)
{
	c->busy = false;
	if (status > 0)
		c->blocked_until = now + cfg->retry;
	if (status != 0)
		return;
	c->written = raw;
	c->written_at = now;
}
