/* SPDX-License-Identifier: MIT */
/* test-hybrid-control.c - the /Control/... contract: controller on a fake clock, glue offline */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "config.h"
#include "hybrid-control.h"
#include "log.h"
#include "vedbus-private.h"
#include "check-run.h"

#define S(x) ((int64_t)(x) * DEADMAN_USEC_PER_SEC)
#define ALL_CAPS (HC_CAP_MODES | HC_CAP_CHARGE_FROM_GRID)

static const struct hc_config cfg = {
	.rated_power = 5000,
	.grid_import_limit = -1,
	.grid_export_limit = -1,
	.timeout = 60,
	.allow_self_consumption = HC_ALLOW_AUTO,
};

static struct hc_inputs in;
static struct hc_state st;
static struct hc_output out;

static void setup(void)
{
	log_set_level(LOG_LEVEL_ERR); /* the glue warns on rejected writes */
	in = (struct hc_inputs){
		.capabilities = ALL_CAPS,
		.device_max_charge = NAN,
		.device_max_discharge = NAN,
		.bms_max_charge = NAN,
		.bms_max_discharge = NAN,
	};
	hc_request_init(&in.req, &cfg);
	hc_state_init(&st);
}

static int write_int(enum hc_path path, int64_t v, int64_t now)
{
	struct vedbus_value val = vedbus_int(v);

	return hc_request_write(&in.req, in.capabilities, path, &val, now);
}

static int write_double(enum hc_path path, double v, int64_t now)
{
	struct vedbus_value val = vedbus_double(v);

	return hc_request_write(&in.req, in.capabilities, path, &val, now);
}

static void step_at(int64_t now)
{
	in.now = now;
	hc_step(&cfg, &st, &in, &out);
}

START_TEST(starts_autonomous)
{
	ck_assert_int_eq(in.req.mode, HC_MODE_AUTONOMOUS);
	ck_assert_int_eq(in.req.timeout, 60);
	ck_assert_int_eq(in.req.allow_self_consumption, HC_ALLOW_AUTO);
	step_at(S(1));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	ck_assert_int_eq(out.reason, HC_REASON_REQUESTED);
	ck_assert(isnan(out.applied_power));
	ck_assert_double_eq(out.max_charge_power, 5000);
	ck_assert(out.changed);
	step_at(S(2));
	ck_assert(!out.changed);
}
END_TEST

START_TEST(timeout_falls_back)
{
	ck_assert_int_eq(write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(0)), 0);
	ck_assert_int_eq(write_double(HC_PATH_BATTERY_SETPOINT, -2000, S(0)), 0);
	step_at(S(59));
	ck_assert_int_eq(out.active_mode, HC_MODE_BATTERY);
	ck_assert_double_eq(out.applied_power, -2000);
	step_at(S(60));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
	ck_assert(out.changed);
	ck_assert_str_eq(hc_reason_text(out.reason), "timeout");
	step_at(S(61));
	ck_assert(!out.changed);
	/* the request stays as written: a new setpoint write revives it */
	ck_assert_int_eq(write_double(HC_PATH_BATTERY_SETPOINT, 1000, S(100)), 0);
	step_at(S(101));
	ck_assert_int_eq(out.active_mode, HC_MODE_BATTERY);
	ck_assert_double_eq(out.applied_power, 1000);
}
END_TEST

/* DVCC-style clients rewrite an unchanged value: every write is a keep-alive. */
START_TEST(a_repeated_value_keeps_it_alive)
{
	ck_assert_int_eq(write_int(HC_PATH_MODE, HC_MODE_GRID, S(0)), 0);
	for (int t = 0; t <= 600; t += 30) {
		ck_assert_int_eq(write_double(HC_PATH_GRID_SETPOINT, 0, S(t)), 0);
		step_at(S(t) + S(59));
		ck_assert_int_eq(out.active_mode, HC_MODE_GRID);
	}
	step_at(S(600) + S(60));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
}
END_TEST

START_TEST(keep_alive_paths_per_mode)
{
	/* rewriting the mode alone keeps any mode alive */
	write_int(HC_PATH_MODE, HC_MODE_HOLD, S(0));
	write_int(HC_PATH_MODE, HC_MODE_HOLD, S(50));
	step_at(S(100));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_double_eq(out.applied_power, 0);
	step_at(S(110));
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
	/* a grid target is not kept alive by battery setpoint writes */
	write_int(HC_PATH_MODE, HC_MODE_GRID, S(200));
	write_double(HC_PATH_BATTERY_SETPOINT, 100, S(250));
	step_at(S(260));
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
	/* Timeout and AllowSelfConsumption are settings, not keep-alives */
	write_int(HC_PATH_TIMEOUT, 60, S(270));
	write_int(HC_PATH_ALLOW_SELF_CONSUMPTION, HC_ALLOW_YES, S(270));
	step_at(S(271));
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
}
END_TEST

START_TEST(timeout_is_writable)
{
	ck_assert_int_eq(write_int(HC_PATH_TIMEOUT, 10, S(0)), 0);
	ck_assert_int_eq(in.req.timeout, 10);
	write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(0));
	step_at(S(9));
	ck_assert_int_eq(out.active_mode, HC_MODE_BATTERY);
	step_at(S(10));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	ck_assert_int_eq(write_int(HC_PATH_TIMEOUT, 3600, S(20)), 0);
	step_at(S(3599));
	ck_assert_int_eq(out.active_mode, HC_MODE_BATTERY);
}
END_TEST

START_TEST(clamping_takes_the_smallest_limit)
{
	write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(0));
	write_double(HC_PATH_BATTERY_SETPOINT, 4000, S(0));
	step_at(S(1));
	ck_assert_double_eq(out.applied_power, 4000);
	ck_assert_int_eq(out.limited_by, HC_LIMIT_NONE);
	in.device_max_charge = 3000;
	in.bms_max_charge = 2500;
	step_at(S(2));
	ck_assert_double_eq(out.applied_power, 2500);
	ck_assert_double_eq(out.max_charge_power, 2500);
	ck_assert_int_eq(out.limited_by, HC_LIMIT_BMS);
	ck_assert(out.changed);
	in.bms_max_charge = 0; /* the BMS forbids charging */
	step_at(S(3));
	ck_assert_double_eq(out.applied_power, 0);
	write_double(HC_PATH_BATTERY_SETPOINT, -8000, S(4));
	in.device_max_discharge = 6000;
	step_at(S(5));
	ck_assert_double_eq(out.applied_power, -5000);
	ck_assert_int_eq(out.limited_by, HC_LIMIT_RATED);
	ck_assert_double_eq(out.max_discharge_power, 5000);
	in.device_max_discharge = 1200;
	step_at(S(6));
	ck_assert_double_eq(out.applied_power, -1200);
	ck_assert_int_eq(out.limited_by, HC_LIMIT_DEVICE);
	ck_assert_str_eq(hc_limit_text(out.limited_by), "device");
}
END_TEST

START_TEST(no_limits_known)
{
	const struct hc_config open = { .rated_power = -1, .grid_import_limit = -1,
					.grid_export_limit = -1 };

	write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(0));
	write_double(HC_PATH_BATTERY_SETPOINT, 123456, S(0));
	in.now = S(1);
	hc_step(&open, &st, &in, &out);
	ck_assert_double_eq(out.applied_power, 123456);
	ck_assert(isnan(out.max_charge_power));
	ck_assert(isnan(out.max_discharge_power));
}
END_TEST

START_TEST(grid_target_is_clamped_by_grid_limits)
{
	const struct hc_config zero_export = { .rated_power = 5000, .grid_import_limit = 4000,
					       .grid_export_limit = 0 };

	write_int(HC_PATH_MODE, HC_MODE_GRID, S(0));
	write_double(HC_PATH_GRID_SETPOINT, -3000, S(0));
	in.now = S(1);
	hc_step(&zero_export, &st, &in, &out);
	ck_assert_double_eq(out.applied_power, 0);
	ck_assert_int_eq(out.limited_by, HC_LIMIT_GRID);
	write_double(HC_PATH_GRID_SETPOINT, 9000, S(2));
	hc_step(&zero_export, &st, &in, &out);
	ck_assert_double_eq(out.applied_power, 4000);
	/* without grid limits the target passes as written */
	step_at(S(3));
	ck_assert_double_eq(out.applied_power, 9000);
}
END_TEST

START_TEST(refusals_store_nothing)
{
	in.capabilities = HC_CAP_AUTONOMOUS | HC_CAP_BATTERY | HC_CAP_HOLD;
	ck_assert_int_eq(write_int(HC_PATH_MODE, HC_MODE_GRID, S(5)), -EOPNOTSUPP);
	ck_assert_int_eq(write_int(HC_PATH_MODE, 4, S(5)), -EINVAL);
	ck_assert_int_eq(write_int(HC_PATH_MODE, -1, S(5)), -EINVAL);
	ck_assert_int_eq(write_double(HC_PATH_MODE, 1.5, S(5)), -EINVAL);
	struct vedbus_value text = vedbus_string("1");

	ck_assert_int_eq(hc_request_write(&in.req, in.capabilities, HC_PATH_MODE, &text, S(5)),
			 -EINVAL);
	ck_assert_int_eq(hc_request_write(&in.req, in.capabilities, HC_PATH_MODE, NULL, S(5)),
			 -EINVAL);
	ck_assert_int_eq(in.req.mode, HC_MODE_AUTONOMOUS);
	ck_assert(deadman_expired(&in.req.mode_alive, S(5)));
	ck_assert_int_eq(write_int(HC_PATH_TIMEOUT, 0, 0), -EINVAL);
	ck_assert_int_eq(write_int(HC_PATH_TIMEOUT, 3601, 0), -EINVAL);
	ck_assert_int_eq(in.req.timeout, 60);
	ck_assert_int_eq(write_int(HC_PATH_ALLOW_SELF_CONSUMPTION, 3, 0), -EINVAL);
	ck_assert_int_eq(in.req.allow_self_consumption, HC_ALLOW_AUTO);
	ck_assert_int_eq(write_double(HC_PATH_BATTERY_SETPOINT, NAN, S(5)), -EINVAL);
	ck_assert_int_eq(write_double(HC_PATH_BATTERY_SETPOINT, INFINITY, S(5)), -EINVAL);
	ck_assert_int_eq(write_double(HC_PATH_GRID_SETPOINT, -2e7, S(5)), -EINVAL);
	ck_assert(deadman_expired(&in.req.battery_alive, S(5)));
	ck_assert(deadman_expired(&in.req.grid_alive, S(5)));
	/* an integral double is a fine mode */
	ck_assert_int_eq(write_double(HC_PATH_MODE, 1.0, S(5)), 0);
	ck_assert_int_eq(in.req.mode, HC_MODE_BATTERY);
}
END_TEST

/* SAJ CHS2 without a CT meter: battery setpoints and hold only. */
START_TEST(a_set_up_without_grid_meter)
{
	in.capabilities = HC_CAP_BATTERY | HC_CAP_HOLD;
	ck_assert_int_eq(write_int(HC_PATH_MODE, HC_MODE_GRID, 0), -EOPNOTSUPP);
	/* mode 0 hands control back; with no self-consumption to hand over, that is hold */
	ck_assert_int_eq(write_int(HC_PATH_MODE, HC_MODE_AUTONOMOUS, 0), 0);
	step_at(S(1));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_int_eq(out.reason, HC_REASON_NOT_CAPABLE);
	ck_assert_int_eq(write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(2)), 0);
	ck_assert_int_eq(write_double(HC_PATH_BATTERY_SETPOINT, -5000, S(2)), 0);
	step_at(S(3));
	ck_assert_int_eq(out.active_mode, HC_MODE_BATTERY);
	ck_assert_double_eq(out.applied_power, -5000);
	step_at(S(62));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
}
END_TEST

/* The CT disappears while a grid target is active. */
START_TEST(a_capability_lost_after_the_write)
{
	write_int(HC_PATH_MODE, HC_MODE_GRID, S(0));
	step_at(S(1));
	ck_assert_int_eq(out.active_mode, HC_MODE_GRID);
	in.capabilities = HC_CAP_BATTERY | HC_CAP_HOLD;
	step_at(S(2));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_int_eq(out.reason, HC_REASON_NOT_CAPABLE);
}
END_TEST

START_TEST(allow_self_consumption)
{
	/* automatic: allowed unless PV is being curtailed */
	step_at(S(1));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	in.curtailment_active = true;
	step_at(S(2));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_int_eq(out.reason, HC_REASON_SELF_CONSUMPTION);
	/* yes: allowed also while curtailing */
	ck_assert_int_eq(write_int(HC_PATH_ALLOW_SELF_CONSUMPTION, HC_ALLOW_YES, S(3)), 0);
	step_at(S(3));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	/* no: never; a timeout then lands in hold too */
	ck_assert_int_eq(write_int(HC_PATH_ALLOW_SELF_CONSUMPTION, HC_ALLOW_NO, S(4)), 0);
	in.curtailment_active = false;
	step_at(S(4));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_int_eq(out.reason, HC_REASON_SELF_CONSUMPTION);
	write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(5));
	step_at(S(65));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
	ck_assert_int_eq(out.reason, HC_REASON_TIMEOUT);
	/* yes, but the device cannot: hold */
	in.capabilities = HC_CAP_BATTERY | HC_CAP_HOLD;
	write_int(HC_PATH_ALLOW_SELF_CONSUMPTION, HC_ALLOW_YES, S(70));
	write_int(HC_PATH_MODE, HC_MODE_AUTONOMOUS, S(70));
	step_at(S(71));
	ck_assert_int_eq(out.active_mode, HC_MODE_HOLD);
}
END_TEST

START_TEST(hold_without_capability)
{
	in.capabilities = HC_CAP_BATTERY;
	write_int(HC_PATH_MODE, HC_MODE_BATTERY, S(0));
	step_at(S(60));
	ck_assert_int_eq(out.active_mode, HC_MODE_AUTONOMOUS);
	ck_assert_int_eq(out.reason, HC_REASON_NO_HOLD);
	ck_assert_str_eq(hc_mode_text(out.active_mode), "autonomous");
	ck_assert_str_eq(hc_mode_text(9), "unknown");
}
END_TEST

struct drv_config {
	int unit;
	struct hc_config hc;
};

static const struct cfg_key drv_keys[] = {
	{ "link", "unit", CFG_INT, "1", 1, 247, .offset = CFG_FIELD(struct drv_config, unit, int) },
	HC_CONFIG_KEYS(struct drv_config, hc, "5000"),
	{ .key = NULL },
};

/* Every hybrid driver takes the same [control] keys. */
START_TEST(config_keys)
{
	struct drv_config c;

	ck_assert_int_eq(cfg_check_table(drv_keys), 0);
	ck_assert_int_eq(cfg_defaults(drv_keys, &c), 0);
	ck_assert_double_eq(c.hc.rated_power, 5000);
	ck_assert_double_eq(c.hc.grid_export_limit, -1);
	ck_assert_int_eq(c.hc.timeout, 60);
	ck_assert_int_eq(c.hc.allow_self_consumption, HC_ALLOW_AUTO);
	ck_assert_int_eq(cfg_load_data(drv_keys, "c.ini",
				       "[control]\ngrid_export_limit = 0\nallow_self_consumption = no\n"
				       "timeout = 120\n",
				       &c),
			 0);
	ck_assert_double_eq(c.hc.grid_export_limit, 0);
	ck_assert_int_eq(c.hc.allow_self_consumption, HC_ALLOW_NO);
	hc_request_init(&in.req, &c.hc);
	ck_assert_int_eq(in.req.timeout, 120);
	ck_assert_int_eq(in.req.allow_self_consumption, HC_ALLOW_NO);
	cfg_free(drv_keys, &c);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Glue, on an offline service: SetValue replies as a client sees them                        */

static struct vedbus_service *svc;
static struct hc_publish *pub;
static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

static void glue_setup(void)
{
	log_set_level(LOG_LEVEL_ERR);
	ck_assert_int_eq(vedbus_service_new_offline("com.victronenergy.battery.test", &svc), 0);
	ck_assert_int_eq(hc_publish_new(svc, &cfg, HC_CAP_AUTONOMOUS | HC_CAP_BATTERY |
						 HC_CAP_HOLD, &pub), 0);
	hc_publish_set_clock(pub, fake_clock);
	fake_now = S(1000);
}

static void glue_teardown(void)
{
	pub = hc_publish_free(pub);
	svc = vedbus_service_free(svc);
}

static int set_value(const char *path, struct vedbus_value v)
{
	DBusMessage *m = dbus_message_new_method_call(NULL, path, VEDBUS_IFACE_BUSITEM, "SetValue");
	DBusMessageIter it;
	DBusMessage *reply;
	dbus_int32_t code = -100;

	dbus_message_set_serial(m, 3);
	dbus_message_iter_init_append(m, &it);
	ck_assert_int_eq(vedbus_value_append(&it, &v), 0);
	reply = vedbus_service_handle(svc, m);
	dbus_message_unref(m);
	ck_assert_ptr_nonnull(reply);
	ck_assert(dbus_message_get_args(reply, NULL, DBUS_TYPE_INT32, &code, DBUS_TYPE_INVALID));
	dbus_message_unref(reply);
	return code;
}

static const struct vedbus_value *item_value(const char *path)
{
	struct vedbus_item *item = vedbus_service_item(svc, path);

	ck_assert_ptr_nonnull(item);
	return vedbus_item_get(item);
}

START_TEST(glue_publishes_the_contract)
{
	ck_assert_int_eq(item_value("/Control/Mode")->u.i, 0);
	ck_assert_int_eq(item_value("/Control/Timeout")->u.i, 60);
	ck_assert_int_eq(item_value("/Control/AllowSelfConsumption")->u.i, HC_ALLOW_AUTO);
	ck_assert_int_eq(item_value("/Control/Capabilities")->u.i, 0x0b);
	ck_assert(!vedbus_value_is_valid(item_value("/Control/ActiveMode")));
	ck_assert_int_eq(item_value("/Control/BatteryPowerSetpoint")->type, VEDBUS_TYPE_DOUBLE);
	ck_assert_int_eq(hc_publish_set_capabilities(pub, ALL_CAPS), 0);
	ck_assert_uint_eq(hc_publish_capabilities(pub), ALL_CAPS);
	ck_assert_int_eq(item_value("/Control/Capabilities")->u.i, ALL_CAPS);
	ck_assert_ptr_null(hc_publish_free(NULL));
}
END_TEST

START_TEST(glue_validates_writes)
{
	ck_assert_int_eq(set_value("/Control/Mode", vedbus_int(1)), VEDBUS_REPLY_OK);
	ck_assert_int_eq(hc_publish_request(pub)->mode, 1);
	/* not in the capabilities: rejected, nothing stored */
	ck_assert_int_eq(set_value("/Control/Mode", vedbus_int(2)), VEDBUS_REPLY_REJECTED);
	ck_assert_int_eq(set_value("/Control/Mode", vedbus_int(7)), VEDBUS_REPLY_REJECTED);
	ck_assert_int_eq(hc_publish_request(pub)->mode, 1);
	ck_assert_int_eq(item_value("/Control/Mode")->u.i, 1);
	/* wrong type: the library refuses before the callback */
	ck_assert_int_eq(set_value("/Control/Mode", vedbus_string("2")), VEDBUS_REPLY_READONLY);
	ck_assert_int_eq(set_value("/Control/Mode", vedbus_double(1.5)), VEDBUS_REPLY_READONLY);
	ck_assert_int_eq(set_value("/Control/Timeout", vedbus_int(0)), VEDBUS_REPLY_REJECTED);
	ck_assert_int_eq(set_value("/Control/Timeout", vedbus_int(30)), VEDBUS_REPLY_OK);
	ck_assert_int_eq(item_value("/Control/Timeout")->u.i, 30);
	ck_assert_int_eq(set_value("/Control/ActiveMode", vedbus_int(1)), VEDBUS_REPLY_READONLY);
	ck_assert_int_eq(set_value("/Control/BatteryPowerSetpoint", vedbus_int(-1500)),
			 VEDBUS_REPLY_OK);
	ck_assert_double_eq(hc_publish_request(pub)->battery_setpoint, -1500);
	ck_assert_double_eq(item_value("/Control/BatteryPowerSetpoint")->u.d, -1500);
}
END_TEST

START_TEST(glue_repeated_write_refreshes_keep_alive)
{
	const struct hc_request *req = hc_publish_request(pub);

	ck_assert_int_eq(set_value("/Control/BatteryPowerSetpoint", vedbus_double(800)), 0);
	ck_assert_int_eq(deadman_age(&req->battery_alive, fake_now), 0);
	fake_now += S(45);
	ck_assert_int_eq(deadman_age(&req->battery_alive, fake_now), S(45));
	ck_assert_int_eq(set_value("/Control/BatteryPowerSetpoint", vedbus_double(800)), 0);
	ck_assert_int_eq(deadman_age(&req->battery_alive, fake_now), 0);
	/* a rejected write is no keep-alive */
	fake_now += S(10);
	ck_assert_int_eq(set_value("/Control/Mode", vedbus_int(2)), VEDBUS_REPLY_REJECTED);
	ck_assert(deadman_expired(&req->mode_alive, fake_now));
}
END_TEST

START_TEST(glue_publishes_outputs)
{
	struct hc_output o = { .active_mode = HC_MODE_BATTERY, .applied_power = -1200,
			       .max_charge_power = 5000, .max_discharge_power = NAN };

	ck_assert_int_eq(hc_publish_update(pub, &o), 0);
	ck_assert_int_eq(item_value("/Control/ActiveMode")->u.i, 1);
	ck_assert_double_eq(item_value("/Control/AppliedPower")->u.d, -1200);
	ck_assert_double_eq(item_value("/Control/MaxChargePower")->u.d, 5000);
	ck_assert(!vedbus_value_is_valid(item_value("/Control/MaxDischargePower")));
	o.active_mode = HC_MODE_AUTONOMOUS;
	o.applied_power = NAN;
	ck_assert_int_eq(hc_publish_update(pub, &o), 0);
	ck_assert(!vedbus_value_is_valid(item_value("/Control/AppliedPower")));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hybrid-control");
	TCase *tc = tcase_create("controller");
	TCase *glue = tcase_create("glue");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, starts_autonomous);
	tcase_add_test(tc, timeout_falls_back);
	tcase_add_test(tc, a_repeated_value_keeps_it_alive);
	tcase_add_test(tc, keep_alive_paths_per_mode);
	tcase_add_test(tc, timeout_is_writable);
	tcase_add_test(tc, clamping_takes_the_smallest_limit);
	tcase_add_test(tc, no_limits_known);
	tcase_add_test(tc, grid_target_is_clamped_by_grid_limits);
	tcase_add_test(tc, refusals_store_nothing);
	tcase_add_test(tc, a_set_up_without_grid_meter);
	tcase_add_test(tc, a_capability_lost_after_the_write);
	tcase_add_test(tc, allow_self_consumption);
	tcase_add_test(tc, hold_without_capability);
	tcase_add_test(tc, config_keys);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(glue, glue_setup, glue_teardown);
	tcase_add_test(glue, glue_publishes_the_contract);
	tcase_add_test(glue, glue_validates_writes);
	tcase_add_test(glue, glue_repeated_write_refreshes_keep_alive);
	tcase_add_test(glue, glue_publishes_outputs);
	suite_add_tcase(s, glue);
	return s;
}

int main(void)
{
	return check_run(suite());
}
