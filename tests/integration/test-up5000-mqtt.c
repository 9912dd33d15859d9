/* SPDX-License-Identifier: MIT */
/*
 * test-up5000-mqtt.c - the excess-power relay of dbus-up5000-hybrid through a real mosquitto
 * broker on a loopback port: on/off with hysteresis, minimum on time, repeated commands, no
 * broker (the driver keeps working, the relay state is invalid, it reconnects), off when the
 * device is lost and when the driver stops. Skipped (77) when mosquitto is not installed.
 */

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mosquitto.h>

#include "tests/sim/up5000-sim-fixture.h"
#include "check-run.h"

#define TOPIC "cmnd/up5000test/POWER"

static struct upfx f;
static struct hx_proc *broker;
static struct mosquitto *sub;
static int port;
static char msgs[64][16]; /* payloads received, in order */
static int n_msgs, n_seen;
static bool subscribed;

static const char *mosquitto_bin(void)
{
	return hx_have_program("mosquitto") ? "mosquitto" : "/usr/sbin/mosquitto";
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void start_broker(void)
{
	char conf[600];
	const char *argv[] = { mosquitto_bin(), "-c", conf, NULL };
	FILE *fp;

	snprintf(conf, sizeof(conf), "%s/mosquitto.conf", hx_bus_dir(f.bus));
	fp = fopen(conf, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp,
		"listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
		"log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n"
		"log_type information\n",
		port);
	fclose(fp);
	ck_assert_int_eq(hx_spawn(argv, NULL, HX_SPAWN_NO_VALGRIND, &broker), 0);
	ck_assert_int_eq(hx_proc_wait_log(broker, " running", UPFX_WAIT), 0);
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
	if (n_msgs < 64 && !strcmp(msg->topic, TOPIC))
		snprintf(msgs[n_msgs++], sizeof(msgs[0]), "%.*s", msg->payloadlen,
			 (const char *)msg->payload);
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *qos)
{
	subscribed = true;
}

/* Run the subscriber until @done or the deadline. */
static bool pump(bool (*done)(const void *), const void *arg, int timeout_ms)
{
	int64_t deadline = hx_deadline(timeout_ms);

	while (!done(arg) && hx_remaining_ms(deadline) > 0)
		ck_assert_int_eq(mosquitto_loop(sub, 20, 1), MOSQ_ERR_SUCCESS);
	return done(arg);
}

static bool is_subscribed(const void *arg)
{
	return subscribed;
}

static void start_subscriber(void)
{
	sub = mosquitto_new(NULL, true, NULL);
	ck_assert_ptr_nonnull(sub);
	mosquitto_message_callback_set(sub, on_message);
	mosquitto_subscribe_callback_set(sub, on_subscribe);
	ck_assert_int_eq(mosquitto_connect(sub, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
	ck_assert_int_eq(mosquitto_subscribe(sub, NULL, TOPIC, 0), MOSQ_ERR_SUCCESS);
	ck_assert(pump(is_subscribed, NULL, UPFX_WAIT));
}

static bool got_next(const void *arg)
{
	return n_msgs > n_seen;
}

/* The next command the relay got is @payload. */
static void expect_command(const char *payload)
{
	ck_assert_msg(pump(got_next, NULL, UPFX_WAIT), "no command, expected %s", payload);
	ck_assert_str_eq(msgs[n_seen], payload);
	n_seen++;
}

/* Commands repeating the last state (refresh) are skipped; the next change must be @payload. */
static void expect_change(const char *payload)
{
	const char *last = n_seen ? msgs[n_seen - 1] : "";

	for (;;) {
		ck_assert_msg(pump(got_next, NULL, UPFX_WAIT), "no command, expected %s", payload);
		if (strcmp(msgs[n_seen], last))
			break;
		n_seen++;
	}
	ck_assert_str_eq(msgs[n_seen++], payload);
}

static void set_soc(uint16_t soc)
{
	upfx_set(&f, true, 0x3586, &soc, 1);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_VEBUS, "/Soc", soc, 0, UPFX_WAIT), 0);
}

static char *relay_config(const char *extra)
{
	static char buf[800];

	snprintf(buf, sizeof(buf),
		 "[relay]\nenabled = yes\nport = %d\ntopic = " TOPIC "\non_soc = 78\noff_soc = 70\n"
		 "min_on_time = 0\nmin_off_time = 0\nrefresh = 60\n%s",
		 port, extra ? extra : "");
	return buf;
}

static void setup(void)
{
	upfx_setup(&f, 0);
	port = free_port();
	n_msgs = n_seen = 0;
	subscribed = false;
	mosquitto_lib_init();
}

static void teardown(void)
{
	if (sub) {
		mosquitto_disconnect(sub);
		mosquitto_destroy(sub);
		sub = NULL;
	}
	mosquitto_lib_cleanup();
	f.drv = hx_proc_free(f.drv);
	broker = hx_proc_free(broker);
	upfx_teardown(&f);
}

START_TEST(test_hysteresis)
{
	start_broker();
	start_subscriber();
	upfx_start(&f, relay_config(NULL));
	expect_command("ON"); /* SOC 79 >= 78 */
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/Relay", 1, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/BrokerConnected", 1, 0), 0);
	set_soc(75); /* inside the hysteresis */
	upfx_wait_cycles(&f, 5);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/Relay", 1, 0), 0);
	set_soc(69);
	expect_change("OFF");
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/Relay", 0, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_string(f.cl, UPFX_SOLAR, "/ExcessPower/Reason",
					"soc past off threshold", 0),
			 0);
	set_soc(76);
	upfx_wait_cycles(&f, 5);
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/Relay", 0, 0), 0);
	set_soc(80);
	expect_change("ON");
	ck_assert_int_eq(upfx_count_log(&f, "relay: on"), 2);
	ck_assert_int_eq(upfx_count_log(&f, "relay: off"), 1);
}
END_TEST

START_TEST(test_min_on_time)
{
	int64_t t0;

	start_broker();
	start_subscriber();
	upfx_start(&f, relay_config("min_on_time = 1.5\n"));
	expect_command("ON");
	t0 = hx_now_ms();
	set_soc(60);
	ck_assert_int_eq(hx_wait_string(f.cl, UPFX_SOLAR, "/ExcessPower/Reason",
					"waiting for minimum on time", UPFX_WAIT),
			 0);
	expect_change("OFF");
	ck_assert_int_ge(hx_now_ms() - t0, 1000);
}
END_TEST

/* An unchanged state is sent again every refresh interval. */
START_TEST(test_refresh)
{
	start_broker();
	start_subscriber();
	upfx_start(&f, relay_config("refresh = 0.3\n"));
	expect_command("ON");
	expect_command("ON");
	expect_command("ON");
}
END_TEST

/* No broker: the driver works, the relay state is invalid; the broker comes: it connects. */
START_TEST(test_no_broker)
{
	upfx_start(&f, relay_config(NULL));
	ck_assert_int_eq(
		hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/BrokerConnected", 0, UPFX_WAIT), 0);
	ck_assert_int_eq(hx_wait_invalid(f.cl, UPFX_SOLAR, "/ExcessPower/Relay", 0), 0);
	ck_assert_int_eq(hx_wait_double(f.cl, UPFX_SOLAR, "/Dc/0/Voltage", 54.15, 0.001, 0), 0);
	start_broker();
	start_subscriber();
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/BrokerConnected", 1, 10000),
			 0);
	expect_command("ON");
	ck_assert_int_eq(hx_wait_int(f.cl, UPFX_SOLAR, "/ExcessPower/Relay", 1, UPFX_WAIT), 0);
}
END_TEST

/* Without data from the device the relay goes off. */
START_TEST(test_device_lost)
{
	start_broker();
	start_subscriber();
	upfx_start(&f, relay_config(NULL));
	expect_command("ON");
	mbsim_fault_silence(f.sim, true);
	expect_change("OFF");
	ck_assert_int_eq(
		hx_wait_string(f.cl, UPFX_SOLAR, "/ExcessPower/Reason", "soc unknown", UPFX_WAIT),
		0);
}
END_TEST

START_TEST(test_off_when_stopping)
{
	start_broker();
	start_subscriber();
	upfx_start(&f, relay_config(NULL));
	expect_command("ON");
	ck_assert_int_eq(hx_proc_stop(f.drv, UPFX_WAIT), 0);
	expect_change("OFF");
	ck_assert_ptr_nonnull(strstr(hx_proc_output(f.drv), "relay: off (driver stopping)"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("up5000-mqtt");
	TCase *tc = tcase_create("relay");

	if (!hx_have_program("dbus-daemon") ||
	    (!hx_have_program("mosquitto") && !hx_have_program("/usr/sbin/mosquitto")))
		return 77;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hysteresis);
	tcase_add_test(tc, test_min_on_time);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_no_broker);
	tcase_add_test(tc, test_device_lost);
	tcase_add_test(tc, test_off_when_stopping);
	suite_add_tcase(s, tc);
	return check_run(s);
}
