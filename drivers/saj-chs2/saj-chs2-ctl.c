/* SPDX-License-Identifier: MIT */
/*
 * saj-chs2-ctl.c - the /Control/... contract on the battery service, /Ac/PowerLimit on the
 * pvinverter, the refusals of the capability matrix, and one control step per cycle
 *
 * The items come from hc_publish_new(); their write callbacks are ours, because a set-up
 * without CT refuses more than the capability bits say (a grid setpoint, self-consumption
 * "yes", curtailment). Every refusal: SetValue 2, one log line, nothing stored or written.
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "saj-chs2.h"

#define LIMIT_TIMEOUT (60 * DEADMAN_USEC_PER_SEC) /* /Ac/PowerLimit, as dbus-fronius */
#define APP_BUDGET    96			  /* AppMode writes per 24 h (EEPROM guard) */

static const struct vedbus_format f_w = { .unit = "W", .decimals = 0 };
static const struct vedbus_enum setup_enums[] = {
	{ SAJ_SETUP_UNKNOWN, "Unknown" },
	{ SAJ_SETUP_CT, "With CT (A)" },
	{ SAJ_SETUP_NO_CT, "Without CT (B)" },
	{ .text = NULL },
};
static const struct vedbus_enum sign_enums[] = {
	{ SAJ_SIGN_PENDING, "Not checked yet" },
	{ SAJ_SIGN_CONSISTENT, "Consistent" },
	{ SAJ_SIGN_CONTRADICTS, "Contradiction: direction register followed" },
	{ .text = NULL },
};
static const struct vedbus_format f_setup = { .enums = setup_enums };
static const struct vedbus_format f_sign = { .enums = sign_enums };

const struct vedbus_item_def saj_diag_extras[] = {
	{ "/Diagnostics/Setup", VEDBUS_TYPE_INT, 0, &f_setup, NULL },
	{ "/Diagnostics/MeterMode", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/AppMode", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/BatterySign", VEDBUS_TYPE_INT, 0, &f_sign, NULL },
	{ "/Diagnostics/GridSign", VEDBUS_TYPE_INT, 0, &f_sign, NULL },
	{ "/Diagnostics/ControlWrites", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/KeepAliveWrites", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/Cycles", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ "/Diagnostics/BytesPerCycle", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ .path = NULL },
};

static const struct {
	const char *path;
	enum hc_path id;
} writable[] = {
	{ "/Control/Mode", HC_PATH_MODE },
	{ "/Control/BatteryPowerSetpoint", HC_PATH_BATTERY_SETPOINT },
	{ "/Control/GridPowerSetpoint", HC_PATH_GRID_SETPOINT },
	{ "/Control/Timeout", HC_PATH_TIMEOUT },
	{ "/Control/AllowSelfConsumption", HC_PATH_ALLOW_SELF_CONSUMPTION },
};

static unsigned int caps(const struct saj *s)
{
	return s->cfg.control ? saj_setup_capabilities(s->setup) : 0;
}

static double number(const struct vedbus_value *v)
{
	double d;

	return vedbus_value_to_double(v, &d) < 0 ? NAN : d;
}

/* Why the matrix refuses this write in the present set-up, or NULL. */
static const char *refusal(const struct saj *s, enum hc_path id, const struct vedbus_value *v)
{
	double d = number(v);
	bool setting = id == HC_PATH_TIMEOUT || id == HC_PATH_ALLOW_SELF_CONSUMPTION;

	if (!s->cfg.control && !setting && !(id == HC_PATH_MODE && d == 0))
		return "control is disabled ([control] enabled = false)";
	if (s->setup == SAJ_SETUP_UNKNOWN && id == HC_PATH_MODE && d != 0)
		return "set-up not known yet (no answer from the inverter)";
	if (s->setup != SAJ_SETUP_NO_CT)
		return NULL;
	if ((id == HC_PATH_MODE && d == HC_MODE_GRID) || id == HC_PATH_GRID_SETPOINT)
		return "a grid target needs a CT meter (set-up without CT)";
	if (id == HC_PATH_ALLOW_SELF_CONSUMPTION && d == HC_ALLOW_YES)
		return "self-consumption needs a CT meter (set-up without CT)";
	return NULL;
}

static int refuse(struct saj *s, const char *path, const struct vedbus_value *v, const char *why)
{
	char text[64];

	if (v->type == VEDBUS_TYPE_DOUBLE)
		snprintf(text, sizeof(text), "%.10g", v->u.d);
	else
		vedbus_value_format(v, NULL, text, sizeof(text));
	log_ratelimited(&s->ctl.refuse_rl, LOG_LEVEL_WARNING, "%s = %s rejected: %s", path, text,
			why);
	return -EPERM;
}

static int control_write(struct vedbus_item *item, const struct vedbus_value *v, void *userdata)
{
	struct saj *s = userdata;
	const char *path = vedbus_item_path(item), *why;
	int r;

	for (size_t i = 0; i < G_N_ELEMENTS(writable); i++) {
		if (strcmp(path, writable[i].path) != 0)
			continue;
		why = refusal(s, writable[i].id, v);
		if (why)
			return refuse(s, path, v, why);
		r = hc_request_write(&s->ctl.req, caps(s), writable[i].id, v,
				     g_get_monotonic_time());
		if (r < 0)
			return refuse(s, path, v,
				      r == -EOPNOTSUPP ? "mode not possible now" : "out of range");
		log_ratelimit_clear(&s->ctl.refuse_rl);
		return 0;
	}
	return -EROFS;
}

static int power_limit_write(struct vedbus_item *item, const struct vedbus_value *v, void *userdata)
{
	struct saj *s = userdata;
	double d = number(v);

	if (s->setup != SAJ_SETUP_CT || !s->cfg.control)
		return refuse(s, "/Ac/PowerLimit", v, "PV curtailment needs a CT meter");
	if (isnan(d) || d < 0)
		return refuse(s, "/Ac/PowerLimit", v, "out of range");
	if (isnan(s->ctl.power_limit))
		log_info("curtailment: /Ac/PowerLimit %.0f W in force", d);
	s->ctl.power_limit = fmin(d, s->rated);
	deadman_touch(&s->ctl.limit_alive, g_get_monotonic_time());
	log_ratelimit_clear(&s->ctl.refuse_rl);
	return 0;
}

int saj_power_limit_add(struct saj *s, struct vedbus_service *pv)
{
	int r = vedbus_service_add(pv, "/Ac/PowerLimit", VEDBUS_TYPE_DOUBLE, VEDBUS_ITEM_WRITABLE,
				   &s->ctl.power_limit_item);

	if (r < 0)
		return r;
	vedbus_item_set_format(s->ctl.power_limit_item, &f_w);
	vedbus_item_set_write_fn(s->ctl.power_limit_item, power_limit_write, s);
	s->ctl.power_limit = NAN;
	deadman_init(&s->ctl.limit_alive, LIMIT_TIMEOUT);
	return 0;
}

static void init_state(struct saj *s)
{
	struct saj_ctl *c = &s->ctl;

	c->hcc = s->cfg.hc;
	c->hcc.rated_power = s->rated;
	hc_request_init(&c->req, &c->hcc);
	hc_state_init(&c->st);
	c->regp = (struct saj_reg_params){
		.time_constant = s->cfg.grid_time_constant,
		.kp = s->cfg.grid_kp,
		.ramp = s->cfg.ramp > 0 ? s->cfg.ramp : 0.2 * s->rated,
		.deadband = fmax(10, s->rated / 2000),
		.track_window = 0.1 * s->rated,
	};
	eeg_budget_init(&c->budget, APP_BUDGET);
	eeg_init(&c->app_guard, 0.5, 3 * (int64_t)s->cfg.interval_ms * 1000, &c->budget);
	c->prev_app_mode = -1;
	c->write_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
	c->refuse_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
}

int saj_control_add(struct saj *s)
{
	struct vedbus_service *svc = saj_svc(s, SAJ_SVC_BATTERY);
	int r;

	init_state(s);
	r = hc_publish_new(svc, &s->ctl.hcc, caps(s), &s->ctl.hc);
	for (size_t i = 0; r == 0 && i < G_N_ELEMENTS(writable); i++)
		vedbus_item_set_write_fn(vedbus_service_item(svc, writable[i].path), control_write,
					 s);
	if (r == 0)
		r = vedbus_service_add(svc, "/Control/PvChargeLimit", VEDBUS_TYPE_DOUBLE, 0,
				       &s->ctl.pv_limit_item);
	if (r == 0)
		r = vedbus_service_add(svc, "/Control/ExportLimit", VEDBUS_TYPE_DOUBLE, 0,
				       &s->ctl.export_item);
	if (r < 0)
		return r;
	vedbus_item_set_format(s->ctl.pv_limit_item, &f_w);
	vedbus_item_set_format(s->ctl.export_item, &f_w);
	return 0;
}

void saj_control_free(struct saj *s)
{
	s->ctl.hc = hc_publish_free(s->ctl.hc);
	log_ratelimit_clear(&s->ctl.refuse_rl);
	log_ratelimit_clear(&s->ctl.write_rl);
}

void saj_control_setup(struct saj *s)
{
	struct vedbus_item *limit = s->ctl.power_limit_item;

	if (s->ctl.hc)
		(void)hc_publish_set_capabilities(s->ctl.hc, caps(s));
	if (!limit)
		return;
	if (s->setup == SAJ_SETUP_CT && s->cfg.control) {
		(void)vedbus_item_set_double(limit, s->rated);
	} else {
		s->ctl.power_limit = NAN;
		(void)vedbus_item_invalidate(limit);
	}
}

/* The export bound from /Ac/PowerLimit (NAN: none): the limit less the local consumption. */
static double export_bound(struct saj *s, int64_t now)
{
	double load;

	if (s->setup != SAJ_SETUP_CT || isnan(s->ctl.power_limit))
		return NAN;
	if (deadman_expired(&s->ctl.limit_alive, now)) {
		log_info("curtailment: /Ac/PowerLimit not refreshed for 60 s, released");
		s->ctl.power_limit = NAN;
		(void)vedbus_item_set_double(s->ctl.power_limit_item, s->rated);
		return NAN;
	}
	load = (isnan(s->m.grid) ? 0 : s->m.grid) + (isnan(s->m.pv_ac) ? 0 : s->m.pv_ac);
	return fmax(0, s->ctl.power_limit - fmax(load, 0));
}

static double watts(double amps, double volts)
{
	return isnan(amps) || isnan(volts) ? NAN : amps * volts;
}

static void step_contract(struct saj *s, double bound, int64_t now, struct hc_output *out)
{
	const struct saj_meas *m = &s->m;
	struct hc_inputs in = {
		.req = s->ctl.req,
		.capabilities = caps(s),
		.device_max_charge = !isnan(m->soc) && m->soc >= s->cfg.max_soc ? 0 : NAN,
		.device_max_discharge = !isnan(m->soc) && m->soc <= s->cfg.min_soc ? 0 : NAN,
		.bms_max_charge = watts(m->ccl, m->bat_volt),
		.bms_max_discharge = watts(m->dcl, m->bat_volt),
		.curtailment_active = !isnan(bound),
		.now = now,
	};

	hc_step(&s->ctl.hcc, &s->ctl.st, &in, out);
	if (out->changed)
		log_info("control: %s (%s), limit %s", hc_mode_text(out->active_mode),
			 hc_reason_text(out->reason), hc_limit_text(out->limited_by));
}

static void set_power(struct vedbus_item *item, double w)
{
	if (isnan(w))
		(void)vedbus_item_invalidate(item);
	else
		(void)vedbus_item_set_double(item, w);
}

static void publish(struct saj *s, struct hc_output *out, const struct saj_plan_out *p,
		    double bound)
{
	if (out->active_mode == HC_MODE_GRID && !isnan(bound))
		out->applied_power = fmax(out->applied_power, -bound);
	else if (out->active_mode != HC_MODE_GRID)
		out->applied_power = p->battery;
	(void)hc_publish_update(s->ctl.hc, out);
	set_power(s->ctl.pv_limit_item, p->pv_cap);
	set_power(s->ctl.export_item, bound);
	if (p->pv_capped && !s->ctl.pv_capped)
		log_info("control: charge capped at the PV power, %.0f W (no CT: no charging "
			 "from the grid)",
			 p->pv_cap);
	s->ctl.pv_capped = p->pv_capped;
}

static void publish_diag(struct saj *s)
{
	struct {
		const char *path;
		int64_t v;
	} extras[] = {
		{ "/Diagnostics/Setup", s->setup },
		{ "/Diagnostics/MeterMode", s->m.meter_mode },
		{ "/Diagnostics/AppMode", s->m.app_mode },
		{ "/Diagnostics/BatterySign", s->bat_sign.verdict },
		{ "/Diagnostics/GridSign", s->grid_sign.verdict },
		{ "/Diagnostics/ControlWrites", (int64_t)s->ctl.n_writes },
		{ "/Diagnostics/KeepAliveWrites", (int64_t)s->ctl.n_keepalive },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(extras); i++) {
		struct vedbus_value v =
			extras[i].v < 0 ? vedbus_invalid() : vedbus_int(extras[i].v);

		(void)diag_set_extra(&s->diag, extras[i].path, &v);
	}
}

void saj_control_cycle(struct saj *s)
{
	int64_t now = g_get_monotonic_time();
	double bound = export_bound(s, now);
	struct hc_output out;
	struct saj_plan_out p;
	struct saj_plan_in in;

	publish_diag(s);
	if (s->setup == SAJ_SETUP_UNKNOWN)
		return; /* nothing read yet: no decision to publish or write */
	step_contract(s, bound, now, &out);
	in = (struct saj_plan_in){
		.setup = s->setup,
		.mode = out.active_mode,
		.applied = out.applied_power,
		.max_charge = out.max_charge_power,
		.max_discharge = out.max_discharge_power,
		.grid = s->m.grid,
		.battery = s->m.battery,
		.pv = s->m.pv,
		.export_bound = bound,
		.rated = s->rated,
		.now = now,
	};
	saj_plan(&s->ctl.regp, &s->ctl.reg, &in, &p);
	publish(s, &out, &p, bound);
	saj_device_apply(s, &p.cmd, now);
}
