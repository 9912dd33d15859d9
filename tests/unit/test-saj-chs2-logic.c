/* SPDX-License-Identifier: MIT */
/*
 * test-saj-chs2-logic.c - the pure controllers of dbus-saj-chs2 with a fake clock and a
 * plant model: set-up detection, sign check, passive command, PV cap, and the grid-target
 * regulator's settling time, overshoot, rate limit and anti-windup
 *
 * The plant: grid = load - PV + battery; the battery follows the command as a first-order lag
 * (tau, 1 s unless a test says otherwise) within what it can physically take; the controller
 * sees the plant once per cycle (1 s), as the driver does, optionally one cycle late.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>

#include "drivers/saj-chs2/saj-chs2-control.h"
#include "check-run.h"

#define SEC   INT64_C(1000000)
#define RATED 50000.0
#define CYCLE 1.0 /* s */

static const struct saj_reg_params params = {
	.time_constant = 2.0,
	.kp = 0.5,
	.ramp = 0.2 * RATED, /* 10 kW/s */
	.deadband = RATED / 2000,
	.track_window = 0.1 * RATED,
};

struct plant {
	double pv, load;
	double battery;	   /* W actual, + charge */
	double can_charge; /* W the battery physically takes */
	double can_discharge;
	double tau;  /* s, 0: 1 s */
	bool late;   /* the controller sees the previous cycle's battery and grid */
	double seen; /* the battery power as the controller sees it */
};

static double grid_of(const struct plant *p)
{
	return p->load - p->pv + p->battery;
}

static double seen_battery(const struct plant *p)
{
	return p->late ? p->seen : p->battery;
}

static double seen_grid(const struct plant *p)
{
	return p->load - p->pv + seen_battery(p);
}

static void plant_step(struct plant *p, double cmd, double dt)
{
	double want = fmax(-p->can_discharge, fmin(p->can_charge, cmd));

	p->seen = p->battery;
	p->battery += (want - p->battery) * (1 - exp(-dt / (p->tau > 0 ? p->tau : 1.0)));
}

struct run {
	double settling;  /* s until the grid stays within the band */
	double overshoot; /* fraction of the step */
	double max_step;  /* largest command change per cycle, W */
};

/* Regulate the plant to @target for @seconds; figures against the initial step. */
static void regulate(struct plant *p, double target, double seconds, struct saj_reg *reg,
		     struct run *ret)
{
	double g0 = grid_of(p), step = target - g0, band = fmax(fabs(step) * 0.02, 50);
	double prev = NAN;
	int64_t now = 0;

	*ret = (struct run){ .settling = 0 };
	for (double t = 0; t <= seconds; t += CYCLE, now += (int64_t)(CYCLE * SEC)) {
		struct saj_reg_in in = {
			.target = target,
			.grid = seen_grid(p),
			.battery = seen_battery(p),
			.floor = NAN,
			.max_charge = RATED,
			.max_discharge = RATED,
			.now = now,
		};
		double cmd = saj_reg_step(&params, reg, &in), err = grid_of(p) - target;

		if (fabs(err) > band)
			ret->settling = t + CYCLE;
		if (step != 0 && err * (step > 0 ? 1 : -1) > 0)
			ret->overshoot = fmax(ret->overshoot, fabs(err) / fabs(step));
		if (!isnan(prev))
			ret->max_step = fmax(ret->max_step, fabs(cmd - prev));
		prev = cmd;
		plant_step(p, cmd, CYCLE);
	}
}

/* ------------------------------------------------------------------------------------------ */

START_TEST(test_detect)
{
	struct saj_detect d = { 0 };

	ck_assert_int_eq(saj_detect_step(&d, -1, SAJ_METER_AUTO), SAJ_SETUP_UNKNOWN);
	ck_assert_int_eq(saj_detect_step(&d, 2, SAJ_METER_AUTO), SAJ_SETUP_CT); /* first: at once */
	ck_assert_int_eq(saj_detect_step(&d, 0, SAJ_METER_AUTO), SAJ_SETUP_CT);
	ck_assert_int_eq(saj_detect_step(&d, 0, SAJ_METER_AUTO), SAJ_SETUP_CT);
	ck_assert_int_eq(saj_detect_step(&d, -1, SAJ_METER_AUTO), SAJ_SETUP_CT);   /* not read */
	ck_assert_int_eq(saj_detect_step(&d, 0, SAJ_METER_AUTO), SAJ_SETUP_NO_CT); /* third */
	ck_assert_int_eq(saj_detect_step(&d, 3, SAJ_METER_AUTO), SAJ_SETUP_NO_CT);
	ck_assert_int_eq(saj_detect_step(&d, 0, SAJ_METER_AUTO), SAJ_SETUP_NO_CT); /* blip */
	ck_assert_int_eq(saj_detect_step(&d, 1, SAJ_METER_AUTO), SAJ_SETUP_NO_CT);
	ck_assert_int_eq(saj_detect_step(&d, 2, SAJ_METER_NONE), SAJ_SETUP_NO_CT);
	ck_assert_int_eq(saj_detect_step(&d, 0, SAJ_METER_CT), SAJ_SETUP_CT);
	ck_assert_uint_eq(saj_setup_capabilities(SAJ_SETUP_CT), 0x1f);
	ck_assert_uint_eq(saj_setup_capabilities(SAJ_SETUP_NO_CT), 0x0a);
	ck_assert_uint_eq(saj_setup_capabilities(SAJ_SETUP_UNKNOWN), 0);
}
END_TEST

START_TEST(test_sign)
{
	struct saj_sign ok = { 0 }, bad = { 0 };

	/* battery: raw + = discharge = direction +1 */
	ck_assert(!saj_sign_step(&ok, 2000, 1, 1));
	ck_assert(!saj_sign_step(&ok, 50, -1, 1));   /* too small: skipped */
	ck_assert(!saj_sign_step(&ok, -3000, 0, 1)); /* no direction: skipped */
	ck_assert(!saj_sign_step(&ok, -3000, -1, 1));
	ck_assert(saj_sign_step(&ok, 4000, 1, 1));
	ck_assert_int_eq(ok.verdict, SAJ_SIGN_CONSISTENT);
	ck_assert(!saj_sign_step(&ok, 4000, -1, 1)); /* decided: ignored */
	ck_assert_int_eq(ok.verdict, SAJ_SIGN_CONSISTENT);
	/* grid: raw + = import = direction -1; a device reporting export as + contradicts */
	ck_assert(!saj_sign_step(&bad, 2000, 1, -1));
	ck_assert(!saj_sign_step(&bad, 2500, 1, -1));
	ck_assert(saj_sign_step(&bad, -1000, -1, -1));
	ck_assert_int_eq(bad.verdict, SAJ_SIGN_CONTRADICTS);
}
END_TEST

START_TEST(test_command)
{
	struct saj_cmd c;

	ck_assert_uint_eq(saj_permille(5000, RATED), 100);
	ck_assert_uint_eq(saj_permille(-5024, RATED), 100);
	ck_assert_uint_eq(saj_permille(80000, RATED), SAJ_PERMILLE_MAX);
	ck_assert_uint_eq(saj_permille(NAN, RATED), 0);
	saj_cmd_for_power(5000, SAJ_SETUP_CT, NAN, RATED, &c);
	ck_assert(c.passive);
	ck_assert_int_eq(c.enable, SAJ_PASSIVE_CHARGE);
	ck_assert_uint_eq(c.bat_charge, 100);
	ck_assert_uint_eq(c.grid_charge, 100); /* with a CT the grid may charge */
	ck_assert_uint_eq(c.bat_discharge, 0);
	ck_assert_uint_eq(c.grid_discharge, 1000);
	saj_cmd_for_power(5000, SAJ_SETUP_NO_CT, NAN, RATED, &c);
	ck_assert_uint_eq(c.grid_charge, 0); /* without one it may not */
	ck_assert_uint_eq(c.grid_discharge, 0);
	saj_cmd_for_power(-2500, SAJ_SETUP_NO_CT, NAN, RATED, &c);
	ck_assert_int_eq(c.enable, SAJ_PASSIVE_DISCHARGE);
	ck_assert_uint_eq(c.bat_discharge, 50);
	ck_assert_uint_eq(c.grid_discharge, 50);
	saj_cmd_for_power(-2500, SAJ_SETUP_CT, 1000, RATED, &c);
	ck_assert_uint_eq(c.grid_discharge, 20);	     /* export bound 1 kW */
	saj_cmd_for_power(10, SAJ_SETUP_CT, NAN, RATED, &c); /* below one per mille */
	ck_assert_int_eq(c.enable, SAJ_PASSIVE_STANDBY);
	ck_assert_uint_eq(c.bat_charge, 0);
}
END_TEST

static struct saj_plan_in plan_in(enum saj_setup setup, enum hc_mode mode, double applied)
{
	return (struct saj_plan_in){
		.setup = setup,
		.mode = mode,
		.applied = applied,
		.max_charge = RATED,
		.max_discharge = RATED,
		.grid = 0,
		.battery = 0,
		.pv = 3000,
		.export_bound = NAN,
		.rated = RATED,
		.now = 10 * SEC,
	};
}

START_TEST(test_plan_modes)
{
	struct saj_reg reg = { 0 };
	struct saj_plan_in in = plan_in(SAJ_SETUP_NO_CT, HC_MODE_BATTERY, 8000);
	struct saj_plan_out out;

	saj_plan(&params, &reg, &in, &out); /* no CT: capped at the PV power */
	ck_assert(out.pv_capped);
	ck_assert_double_eq_tol(out.pv_cap, 3000, 1e-9);
	ck_assert_double_eq_tol(out.battery, 3000, 1e-9);
	ck_assert_uint_eq(out.cmd.bat_charge, 60);
	ck_assert_uint_eq(out.cmd.grid_charge, 0);
	in.applied = -8000; /* discharging needs no PV */
	saj_plan(&params, &reg, &in, &out);
	ck_assert(!out.pv_capped);
	ck_assert_double_eq_tol(out.battery, -8000, 1e-9);
	in = plan_in(SAJ_SETUP_CT, HC_MODE_BATTERY, 8000); /* CT: from the grid too */
	saj_plan(&params, &reg, &in, &out);
	ck_assert(!out.pv_capped && isnan(out.pv_cap));
	ck_assert_double_eq_tol(out.battery, 8000, 1e-9);
	in.max_charge = 6000; /* the contract's limits bound it */
	saj_plan(&params, &reg, &in, &out);
	ck_assert_double_eq_tol(out.battery, 6000, 1e-9);
	in = plan_in(SAJ_SETUP_CT, HC_MODE_HOLD, NAN);
	saj_plan(&params, &reg, &in, &out);
	ck_assert(out.cmd.passive);
	ck_assert_int_eq(out.cmd.enable, SAJ_PASSIVE_STANDBY);
	in = plan_in(SAJ_SETUP_CT, HC_MODE_AUTONOMOUS, NAN);
	saj_plan(&params, &reg, &in, &out);
	ck_assert(!out.cmd.passive);
	ck_assert(isnan(out.battery));
	in = plan_in(SAJ_SETUP_CT, HC_MODE_GRID, 0);
	in.grid = NAN; /* no measurement: stand by, do not guess */
	saj_plan(&params, &reg, &in, &out);
	ck_assert_int_eq(out.cmd.enable, SAJ_PASSIVE_STANDBY);
}
END_TEST

/* Curtailment: in hold, export above the bound is pushed into the battery; 0x3638 = bound. */
START_TEST(test_plan_curtail)
{
	struct plant p = { .pv = 12000, .load = 2000, .can_charge = RATED, .can_discharge = RATED };
	struct saj_reg reg = { 0 };
	struct saj_plan_out out;
	int64_t now = 0;

	for (int i = 0; i < 30; i++, now += SEC) {
		struct saj_plan_in in = plan_in(SAJ_SETUP_CT, HC_MODE_HOLD, NAN);

		in.grid = grid_of(&p);
		in.battery = p.battery;
		in.export_bound = 4000;
		in.now = now;
		saj_plan(&params, &reg, &in, &out);
		plant_step(&p, out.battery, CYCLE);
	}
	ck_assert_uint_eq(out.cmd.grid_discharge, 80);
	ck_assert_double_eq_tol(grid_of(&p), -4000, 60); /* export held at the bound */
	ck_assert_double_eq_tol(p.battery, 6000, 60);	 /* the surplus in the battery */
	/* battery full: it takes nothing; the export bound register makes the inverter curtail */
	p.can_charge = 0;
	for (int i = 0; i < 10; i++, now += SEC) {
		struct saj_plan_in in = plan_in(SAJ_SETUP_CT, HC_MODE_HOLD, NAN);

		in.grid = grid_of(&p);
		in.battery = p.battery;
		in.export_bound = 4000;
		in.now = now;
		saj_plan(&params, &reg, &in, &out);
		plant_step(&p, out.battery, CYCLE);
	}
	ck_assert_uint_eq(out.cmd.grid_discharge, 80);
	/* no windup: the command stays within the tracking window of what the battery does */
	ck_assert_double_le(out.battery, params.track_window + 1);
}
END_TEST

/*
 * Settling: PV 10 kW, load 2 kW, battery idle, target 0 W (an 8 kW step), with the default
 * parameters (time constant 2 s, kp 0.5, 1 s cycle). Stated figures, settling to within 2 %
 * of the step / overshoot:
 *   battery lag 1 s                        at most 12 s / at most 2 %
 *   battery lag 0.3 s and 2 s              at most 12 s / at most 3 %
 *   lag 1 s, measurements one cycle late   at most 14 s / at most 8 %
 * then a 5 kW step of the target the other way, same figures. (Measured: 11 s / 0 %,
 * 12 s / 0 %, 8 s / 1.4 %, 12 s / 6.8 %.)
 */
static void settle(double tau, bool late, double max_settling, double max_overshoot)
{
	struct plant p = { .pv = 10000,
			   .load = 2000,
			   .can_charge = RATED,
			   .can_discharge = RATED,
			   .tau = tau,
			   .late = late };
	struct saj_reg reg = { 0 };
	struct run r;

	regulate(&p, 0, 40, &reg, &r);
	printf("8 kW step, battery lag %.1f s%s: settling %.0f s, overshoot %.1f %%, largest "
	       "step %.0f W\n",
	       tau, late ? ", late measurements" : "", r.settling, r.overshoot * 100, r.max_step);
	ck_assert_double_le(r.settling, max_settling);
	ck_assert_double_le(r.overshoot, max_overshoot);
	ck_assert_double_eq_tol(grid_of(&p), 0, 50);
	/* and back the other way: export 5 kW from a charging battery */
	regulate(&p, -5000, 40, &reg, &r);
	printf("  then a 5 kW step down: settling %.0f s, overshoot %.1f %%\n", r.settling,
	       r.overshoot * 100);
	ck_assert_double_le(r.settling, max_settling);
	ck_assert_double_le(r.overshoot, max_overshoot);
	ck_assert_double_eq_tol(grid_of(&p), -5000, 50);
}

START_TEST(test_settling)
{
	settle(1.0, false, 12, 0.02);
	settle(0.3, false, 12, 0.03);
	settle(2.0, false, 12, 0.03);
	settle(1.0, true, 14, 0.08);
}
END_TEST

/* Rate limit: a 40 kW step is ramped at no more than ramp * dt per cycle. */
START_TEST(test_ramp)
{
	struct plant p = { .pv = 42000, .load = 2000, .can_charge = RATED, .can_discharge = RATED };
	struct saj_reg reg = { 0 };
	struct run r;

	regulate(&p, 0, 60, &reg, &r);
	ck_assert_double_le(r.max_step, params.ramp * CYCLE + 1e-6);
	ck_assert_double_eq_tol(grid_of(&p), 0, 50);
}
END_TEST

/*
 * Anti-windup: the battery takes only 2 kW though 8 kW are wanted (no BMS limit tells the
 * controller). When the target then asks for a discharge, the command starts falling at
 * once instead of unwinding a wound-up integrator first.
 */
START_TEST(test_windup)
{
	struct plant p = { .pv = 10000, .load = 2000, .can_charge = 2000, .can_discharge = RATED };
	struct saj_reg reg = { 0 };
	struct run r;

	regulate(&p, 0, 60, &reg, &r);
	ck_assert_double_le(reg.cmd, p.battery + params.track_window + 1);
	p.can_charge = RATED;
	p.pv = 0; /* evening: the target 0 now needs a 2 kW discharge */
	regulate(&p, 0, 30, &reg, &r);
	printf("after saturation: settling %.0f s\n", r.settling);
	ck_assert_double_le(r.settling, 12);
	ck_assert_double_eq_tol(grid_of(&p), 0, 50);
}
END_TEST

/* Bumpless start from the measured battery power; clamps; first step moves nothing. */
START_TEST(test_bumpless)
{
	struct saj_reg reg = { 0 };
	struct saj_reg_in in = { .target = 0,
				 .grid = 3000,
				 .battery = -1500,
				 .floor = NAN,
				 .max_charge = 1000,
				 .max_discharge = 4000,
				 .now = 5 * SEC };

	ck_assert_double_eq_tol(saj_reg_step(&params, &reg, &in), -1500, 1e-9);
	in.now += SEC;
	in.grid = 30000;
	ck_assert_double_eq_tol(saj_reg_step(&params, &reg, &in), -4000, 1e-9); /* clamp */
	in.now += 10 * SEC; /* a gap: restart from the measurement */
	in.battery = 500;
	in.grid = 0;
	ck_assert_double_eq_tol(saj_reg_step(&params, &reg, &in), 500, 1e-9);
	in.now += SEC;
	in.grid = 10; /* within the deadband: no integral action, only the damping */
	ck_assert_double_eq_tol(saj_reg_step(&params, &reg, &in), 500 - params.kp * 10, 1e-9);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("saj-chs2-logic");
	TCase *tc = tcase_create("control");

	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_sign);
	tcase_add_test(tc, test_command);
	tcase_add_test(tc, test_plan_modes);
	tcase_add_test(tc, test_plan_curtail);
	tcase_add_test(tc, test_settling);
	tcase_add_test(tc, test_ramp);
	tcase_add_test(tc, test_windup);
	tcase_add_test(tc, test_bumpless);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(suite());
}
