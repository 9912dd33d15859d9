/* SPDX-License-Identifier: MIT */
/* hybrid-control.c - the /Control/... contract: pure controller plus its D-Bus glue */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hybrid-control.h"
#include "log.h"
#include "vedbus.h"

const char *const hc_allow_names[] = { "no", "yes", "automatic", NULL };

/* ------------------------------------------------------------------------------------------ */
/* Requests                                                                                   */

static int64_t timeout_us(int timeout_s)
{
	return (int64_t)timeout_s * DEADMAN_USEC_PER_SEC;
}

void hc_request_init(struct hc_request *req, const struct hc_config *cfg)
{
	int timeout = cfg && cfg->timeout > 0 ? cfg->timeout : HC_TIMEOUT_DEFAULT;

	*req = (struct hc_request){
		.mode = HC_MODE_AUTONOMOUS,
		.timeout = timeout,
		.allow_self_consumption = cfg ? cfg->allow_self_consumption : HC_ALLOW_AUTO,
	};
	deadman_init(&req->mode_alive, timeout_us(timeout));
	deadman_init(&req->battery_alive, timeout_us(timeout));
	deadman_init(&req->grid_alive, timeout_us(timeout));
}

static int value_number(const struct vedbus_value *v, double *ret)
{
	if (!v)
		return -EINVAL;
	switch (v->type) {
	case VEDBUS_TYPE_INT:
		*ret = (double)v->u.i;
		return 0;
	case VEDBUS_TYPE_DOUBLE:
		if (!isfinite(v->u.d))
			return -EINVAL;
		*ret = v->u.d;
		return 0;
	case VEDBUS_TYPE_INVALID:
	case VEDBUS_TYPE_STRING:
		return -EINVAL;
	}
	return -EINVAL;
}

/* An integer in [min, max]. */
static int value_int(const struct vedbus_value *v, int min, int max, int *ret)
{
	double d;
	int r = value_number(v, &d);

	if (r < 0)
		return r;
	if (d != floor(d) || d < min || d > max)
		return -EINVAL;
	*ret = (int)d;
	return 0;
}

static int write_mode(struct hc_request *req, unsigned int caps, const struct vedbus_value *v,
		      int64_t now)
{
	int mode;
	int r = value_int(v, 0, HC_N_MODES - 1, &mode);

	if (r < 0)
		return r;
	if (mode != HC_MODE_AUTONOMOUS && !(caps & (1u << mode)))
		return -EOPNOTSUPP;
	req->mode = mode;
	deadman_touch(&req->mode_alive, now);
	return 0;
}

static int write_setpoint(double *setpoint, struct deadman *alive, const struct vedbus_value *v,
			  int64_t now)
{
	double d;
	int r = value_number(v, &d);

	if (r < 0)
		return r;
	if (fabs(d) > HC_SETPOINT_MAX)
		return -EINVAL;
	*setpoint = d;
	deadman_touch(alive, now);
	return 0;
}

static int write_timeout(struct hc_request *req, const struct vedbus_value *v)
{
	int timeout;
	int r = value_int(v, 1, HC_TIMEOUT_MAX, &timeout);

	if (r < 0)
		return r;
	req->timeout = timeout;
	deadman_set_timeout(&req->mode_alive, timeout_us(timeout));
	deadman_set_timeout(&req->battery_alive, timeout_us(timeout));
	deadman_set_timeout(&req->grid_alive, timeout_us(timeout));
	return 0;
}

int hc_request_write(struct hc_request *req, unsigned int caps, enum hc_path path,
		     const struct vedbus_value *v, int64_t now)
{
	switch (path) {
	case HC_PATH_MODE:
		return write_mode(req, caps, v, now);
	case HC_PATH_BATTERY_SETPOINT:
		return write_setpoint(&req->battery_setpoint, &req->battery_alive, v, now);
	case HC_PATH_GRID_SETPOINT:
		return write_setpoint(&req->grid_setpoint, &req->grid_alive, v, now);
	case HC_PATH_TIMEOUT:
		return write_timeout(req, v);
	case HC_PATH_ALLOW_SELF_CONSUMPTION:
		return value_int(v, HC_ALLOW_NO, HC_ALLOW_AUTO, &req->allow_self_consumption);
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------------------------------ */
/* Controller                                                                                 */

void hc_state_init(struct hc_state *st)
{
	*st = (struct hc_state){ .active_mode = HC_MODE_AUTONOMOUS };
}

static bool request_alive(const struct hc_request *req, int mode, int64_t now)
{
	bool mode_alive = !deadman_expired(&req->mode_alive, now);

	switch ((enum hc_mode)mode) {
	case HC_MODE_AUTONOMOUS:
		return true;
	case HC_MODE_BATTERY:
		return mode_alive || !deadman_expired(&req->battery_alive, now);
	case HC_MODE_GRID:
		return mode_alive || !deadman_expired(&req->grid_alive, now);
	case HC_MODE_HOLD:
		return mode_alive;
	}
	return false;
}

static bool self_consumption_allowed(const struct hc_inputs *in)
{
	if (!(in->capabilities & HC_CAP_AUTONOMOUS))
		return false;
	switch ((enum hc_allow)in->req.allow_self_consumption) {
	case HC_ALLOW_NO:
		return false;
	case HC_ALLOW_YES:
		return true;
	case HC_ALLOW_AUTO:
		return !in->curtailment_active;
	}
	return false;
}

/* Where a mode falls back to; *reason keeps the first cause. */
static enum hc_mode resting_mode(const struct hc_inputs *in, enum hc_reason *reason)
{
	if (self_consumption_allowed(in))
		return HC_MODE_AUTONOMOUS;
	if (*reason == HC_REASON_REQUESTED)
		*reason = in->capabilities & HC_CAP_AUTONOMOUS ? HC_REASON_SELF_CONSUMPTION
							       : HC_REASON_NOT_CAPABLE;
	if (in->capabilities & HC_CAP_HOLD)
		return HC_MODE_HOLD;
	*reason = HC_REASON_NO_HOLD;
	return HC_MODE_AUTONOMOUS;
}

static enum hc_mode decide_mode(const struct hc_inputs *in, enum hc_reason *ret_reason)
{
	int mode = in->req.mode;

	*ret_reason = HC_REASON_REQUESTED;
	if (mode < 0 || mode >= HC_N_MODES || mode == HC_MODE_AUTONOMOUS)
		return resting_mode(in, ret_reason);
	if (!request_alive(&in->req, mode, in->now)) {
		*ret_reason = HC_REASON_TIMEOUT;
		return resting_mode(in, ret_reason);
	}
	if (!(in->capabilities & (1u << mode))) {
		*ret_reason = HC_REASON_NOT_CAPABLE;
		return resting_mode(in, ret_reason);
	}
	return (enum hc_mode)mode;
}

static bool limit_known(double w)
{
	return !isnan(w) && w >= 0;
}

/* The smallest known of rated, device and BMS limits (NAN if none), and its source. */
static double pick_limit(double rated, double device, double bms, enum hc_limit *ret_source)
{
	double lim = NAN;

	*ret_source = HC_LIMIT_NONE;
	if (limit_known(rated)) {
		lim = rated;
		*ret_source = HC_LIMIT_RATED;
	}
	if (limit_known(device) && !(device >= lim)) {
		lim = device;
		*ret_source = HC_LIMIT_DEVICE;
	}
	if (limit_known(bms) && !(bms >= lim)) {
		lim = bms;
		*ret_source = HC_LIMIT_BMS;
	}
	return lim;
}

/* Clamp @w to [-@lo, @hi] (NAN bounds are open); *limited_by names the bound that hit. */
static double clamp(double w, double lo, enum hc_limit lo_src, double hi, enum hc_limit hi_src,
		    enum hc_limit *limited_by)
{
	if (!isnan(hi) && w > hi) {
		*limited_by = hi_src;
		return hi;
	}
	if (!isnan(lo) && w < -lo) {
		*limited_by = lo_src;
		return -lo;
	}
	return w;
}

static double grid_bound(double limit)
{
	return limit_known(limit) ? limit : NAN;
}

static double applied_power(const struct hc_config *cfg, const struct hc_inputs *in,
			    enum hc_mode mode, struct hc_output *out)
{
	enum hc_limit ch_src, dis_src;
	double sp;

	out->max_charge_power = pick_limit(cfg->rated_power, in->device_max_charge,
					   in->bms_max_charge, &ch_src);
	out->max_discharge_power = pick_limit(cfg->rated_power, in->device_max_discharge,
					      in->bms_max_discharge, &dis_src);
	switch (mode) {
	case HC_MODE_AUTONOMOUS:
		return NAN;
	case HC_MODE_HOLD:
		return 0;
	case HC_MODE_BATTERY:
		sp = isnan(in->req.battery_setpoint) ? 0 : in->req.battery_setpoint;
		return clamp(sp, out->max_discharge_power, dis_src, out->max_charge_power, ch_src,
			     &out->limited_by);
	case HC_MODE_GRID:
		sp = isnan(in->req.grid_setpoint) ? 0 : in->req.grid_setpoint;
		return clamp(sp, grid_bound(cfg->grid_export_limit), HC_LIMIT_GRID,
			     grid_bound(cfg->grid_import_limit), HC_LIMIT_GRID, &out->limited_by);
	}
	return NAN;
}

void hc_step(const struct hc_config *cfg, struct hc_state *st, const struct hc_inputs *in,
	     struct hc_output *ret)
{
	struct hc_output out = { .limited_by = HC_LIMIT_NONE };

	out.active_mode = decide_mode(in, &out.reason);
	out.applied_power = applied_power(cfg, in, out.active_mode, &out);
	out.changed = !st->stepped || st->active_mode != out.active_mode ||
		      st->reason != out.reason || st->limited_by != out.limited_by;
	st->active_mode = out.active_mode;
	st->reason = out.reason;
	st->limited_by = out.limited_by;
	st->stepped = true;
	*ret = out;
}

const char *hc_mode_text(int mode)
{
	static const char *const texts[HC_N_MODES] = {
		[HC_MODE_AUTONOMOUS] = "autonomous",
		[HC_MODE_BATTERY] = "battery power setpoint",
		[HC_MODE_GRID] = "grid power target",
		[HC_MODE_HOLD] = "hold",
	};

	return mode >= 0 && mode < HC_N_MODES ? texts[mode] : "unknown";
}

const char *hc_reason_text(enum hc_reason reason)
{
	switch (reason) {
	case HC_REASON_REQUESTED:
		return "requested";
	case HC_REASON_TIMEOUT:
		return "timeout";
	case HC_REASON_NOT_CAPABLE:
		return "not supported in this set-up";
	case HC_REASON_SELF_CONSUMPTION:
		return "self-consumption not allowed";
	case HC_REASON_NO_HOLD:
		return "hold not supported";
	}
	return "unknown";
}

const char *hc_limit_text(enum hc_limit limit)
{
	switch (limit) {
	case HC_LIMIT_NONE:
		return "none";
	case HC_LIMIT_RATED:
		return "rated power";
	case HC_LIMIT_DEVICE:
		return "device";
	case HC_LIMIT_BMS:
		return "BMS";
	case HC_LIMIT_GRID:
		return "grid limit";
	}
	return "unknown";
}

/* ------------------------------------------------------------------------------------------ */
/* D-Bus glue                                                                                 */

struct hc_publish {
	struct vedbus_service *svc; /* borrowed */
	struct hc_request req;
	unsigned int capabilities;
	int64_t (*clock)(void);
	struct log_ratelimit reject_rl;
	struct vedbus_item *active_mode;
	struct vedbus_item *applied_power;
	struct vedbus_item *max_charge;
	struct vedbus_item *max_discharge;
	struct vedbus_item *caps_item;
};

static const struct vedbus_enum mode_enums[] = {
	{ HC_MODE_AUTONOMOUS, "Autonomous" },
	{ HC_MODE_BATTERY, "Battery power setpoint" },
	{ HC_MODE_GRID, "Grid power target" },
	{ HC_MODE_HOLD, "Hold" },
	{ .text = NULL },
};

static const struct vedbus_enum allow_enums[] = {
	{ HC_ALLOW_NO, "No" },
	{ HC_ALLOW_YES, "Yes" },
	{ HC_ALLOW_AUTO, "Automatic" },
	{ .text = NULL },
};

static const struct vedbus_format fmt_mode = { .enums = mode_enums };
static const struct vedbus_format fmt_allow = { .enums = allow_enums };
static const struct vedbus_format fmt_watt = { .unit = "W", .decimals = 0 };
static const struct vedbus_format fmt_sec = { .unit = "s", .decimals = 0 };

static const struct {
	const char *path;
	enum hc_path id;
} writable_paths[] = {
	{ "/Control/Mode", HC_PATH_MODE },
	{ "/Control/BatteryPowerSetpoint", HC_PATH_BATTERY_SETPOINT },
	{ "/Control/GridPowerSetpoint", HC_PATH_GRID_SETPOINT },
	{ "/Control/Timeout", HC_PATH_TIMEOUT },
	{ "/Control/AllowSelfConsumption", HC_PATH_ALLOW_SELF_CONSUMPTION },
};

static int control_write(struct vedbus_item *item, const struct vedbus_value *value,
			 void *userdata);

#define W VEDBUS_ITEM_WRITABLE
static const struct vedbus_item_def control_items[] = {
	{ "/Control/Mode", VEDBUS_TYPE_INT, W, &fmt_mode, control_write },
	{ "/Control/BatteryPowerSetpoint", VEDBUS_TYPE_DOUBLE, W, &fmt_watt, control_write },
	{ "/Control/GridPowerSetpoint", VEDBUS_TYPE_DOUBLE, W, &fmt_watt, control_write },
	{ "/Control/Timeout", VEDBUS_TYPE_INT, W, &fmt_sec, control_write },
	{ "/Control/AllowSelfConsumption", VEDBUS_TYPE_INT, W, &fmt_allow, control_write },
	{ "/Control/ActiveMode", VEDBUS_TYPE_INT, 0, &fmt_mode, NULL },
	{ "/Control/AppliedPower", VEDBUS_TYPE_DOUBLE, 0, &fmt_watt, NULL },
	{ "/Control/MaxChargePower", VEDBUS_TYPE_DOUBLE, 0, &fmt_watt, NULL },
	{ "/Control/MaxDischargePower", VEDBUS_TYPE_DOUBLE, 0, &fmt_watt, NULL },
	{ "/Control/Capabilities", VEDBUS_TYPE_INT, 0, NULL, NULL },
	{ .path = NULL },
};
#undef W

static const char *reject_text(int err)
{
	return err == -EOPNOTSUPP ? "mode not supported in this set-up" : "out of range";
}

static int control_write(struct vedbus_item *item, const struct vedbus_value *value,
			 void *userdata)
{
	struct hc_publish *p = userdata;
	const char *path = vedbus_item_path(item);
	char text[64];
	int r;

	for (size_t i = 0; i < G_N_ELEMENTS(writable_paths); i++) {
		if (strcmp(path, writable_paths[i].path) != 0)
			continue;
		r = hc_request_write(&p->req, p->capabilities, writable_paths[i].id, value,
				     p->clock ? p->clock() : g_get_monotonic_time());
		if (r < 0)
			log_ratelimited(&p->reject_rl, LOG_LEVEL_WARNING,
					"%s = %s rejected: %s (capabilities 0x%x)", path,
					vedbus_value_format(value, NULL, text, sizeof(text)),
					reject_text(r), p->capabilities);
		else
			log_ratelimit_clear(&p->reject_rl);
		return r;
	}
	return -EROFS;
}

/* The first negative of @r and @n. */
static int first_error(int r, int n)
{
	return r < 0 ? r : (n < 0 ? n : 0);
}

static int set_int(struct vedbus_service *svc, const char *path, int64_t i)
{
	struct vedbus_value v = vedbus_int(i);

	return vedbus_service_set(svc, path, &v);
}

static int set_double(struct vedbus_service *svc, const char *path, double d)
{
	struct vedbus_value v = vedbus_double(d);

	return vedbus_service_set(svc, path, &v);
}

/* The values of the writable items, from the request. */
static int publish_request(struct hc_publish *p)
{
	const struct hc_request *req = &p->req;
	int r = 0;

	r = first_error(r, set_int(p->svc, "/Control/Mode", req->mode));
	r = first_error(r, set_double(p->svc, "/Control/BatteryPowerSetpoint",
				      req->battery_setpoint));
	r = first_error(r, set_double(p->svc, "/Control/GridPowerSetpoint", req->grid_setpoint));
	r = first_error(r, set_int(p->svc, "/Control/Timeout", req->timeout));
	r = first_error(r, set_int(p->svc, "/Control/AllowSelfConsumption",
				   req->allow_self_consumption));
	return r;
}

int hc_publish_new(struct vedbus_service *svc, const struct hc_config *cfg,
		   unsigned int capabilities, struct hc_publish **ret)
{
	struct hc_publish *p;
	int r;

	if (!svc || !ret)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->svc = svc;
	p->capabilities = capabilities;
	p->reject_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT;
	hc_request_init(&p->req, cfg);
	r = vedbus_service_add_table(svc, control_items, p);
	if (r < 0)
		goto err_free;
	p->active_mode = vedbus_service_item(svc, "/Control/ActiveMode");
	p->applied_power = vedbus_service_item(svc, "/Control/AppliedPower");
	p->max_charge = vedbus_service_item(svc, "/Control/MaxChargePower");
	p->max_discharge = vedbus_service_item(svc, "/Control/MaxDischargePower");
	p->caps_item = vedbus_service_item(svc, "/Control/Capabilities");
	r = publish_request(p);
	if (r < 0)
		goto err_free;
	r = vedbus_item_set_int(p->caps_item, capabilities);
	if (r < 0)
		goto err_free;
	*ret = p;
	return 0;

err_free:
	free(p);
	return r;
}

struct hc_publish *hc_publish_free(struct hc_publish *p)
{
	if (p)
		log_ratelimit_clear(&p->reject_rl);
	free(p);
	return NULL;
}

void hc_publish_set_clock(struct hc_publish *p, int64_t (*clock)(void))
{
	p->clock = clock;
}

const struct hc_request *hc_publish_request(const struct hc_publish *p)
{
	return &p->req;
}

unsigned int hc_publish_capabilities(const struct hc_publish *p)
{
	return p->capabilities;
}

int hc_publish_set_capabilities(struct hc_publish *p, unsigned int capabilities)
{
	int r;

	p->capabilities = capabilities;
	r = vedbus_item_set_int(p->caps_item, capabilities);
	return r < 0 ? r : 0;
}

static int set_power(struct vedbus_item *item, double w)
{
	return isnan(w) ? vedbus_item_invalidate(item) : vedbus_item_set_double(item, w);
}

int hc_publish_update(struct hc_publish *p, const struct hc_output *out)
{
	int r = 0;

	r = first_error(r, vedbus_item_set_int(p->active_mode, out->active_mode));
	r = first_error(r, set_power(p->applied_power, out->applied_power));
	r = first_error(r, set_power(p->max_charge, out->max_charge_power));
	r = first_error(r, set_power(p->max_discharge, out->max_discharge_power));
	return r;
}
