/* SPDX-License-Identifier: MIT */
/*
 * up5000-excess.c - the excess-power relay: inputs from the device and the BMS, the decision
 * (up5000-relay.h), commands to a Tasmota-style relay over MQTT, state and reason on D-Bus
 *
 *   /ExcessPower/Relay            0 off, 1 on; invalid while disabled or without broker
 *   /ExcessPower/Reason           why, e.g. "soc past off threshold"
 *   /ExcessPower/BrokerConnected  0/1; invalid while disabled
 */

#include <math.h>

#include "up5000-mqtt.h"
#include "up5000-regs.h"
#include "up5000.h"

static const struct vedbus_enum relay_names[] = { { 0, "Off" }, { 1, "On" }, { .text = NULL } };
static const struct vedbus_format relay_format = { .enums = relay_names };

const struct vedbus_item_def up_excess_items[] = {
	{ "/ExcessPower/Relay", VEDBUS_TYPE_INT, 0, &relay_format },
	{ "/ExcessPower/Reason", VEDBUS_TYPE_STRING, 0 },
	{ "/ExcessPower/BrokerConnected", VEDBUS_TYPE_INT, 0 },
	{ .path = NULL },
};

static void publish(struct up *up)
{
	struct up_excess *x = &up->excess;
	struct vedbus_value reason = vedbus_string(x->reason);

	up_set_int(up, UP_SOLAR, "/ExcessPower/Relay", x->connected ? x->st.on : -1);
	up_set_int(up, UP_SOLAR, "/ExcessPower/BrokerConnected", x->connected);
	vedbus_service_set(up->svc[UP_SOLAR], "/ExcessPower/Reason", &reason);
}

static void send_state(struct up *up, bool on)
{
	struct up_excess *x = &up->excess;
	const char *payload = on ? up->cfg.payload_on : up->cfg.payload_off;

	if (up_mqtt_publish(x->mq, up->cfg.topic, payload, false) == 0) {
		upr_sent(&x->st, up_now());
		log_debug("relay: sent %s to %s", payload, up->cfg.topic);
	}
}

static void on_broker(struct up_mqtt *mq, bool connected, void *userdata)
{
	struct up *up = userdata;

	up->excess.connected = connected;
	if (connected && up->excess.st.started) {
		upr_resend(&up->excess.st); /* the relay may have missed a change */
		send_state(up, up->excess.st.on);
	}
	publish(up);
	up_flush(up);
}

int up_excess_init(struct up *up)
{
	struct up_excess *x = &up->excess;
	struct up_mqtt_config mc = {
		.host = up->cfg.host,
		.port = up->cfg.port,
		.user = up->cfg.user,
		.password = up->cfg.password,
		.client_id = up->cfg.client_id,
	};

	g_strlcpy(x->reason, "disabled", sizeof(x->reason));
	if (!up->cfg.relay_enabled)
		return 0;
	up_config_relay(&up->cfg, &x->cfg);
	upr_init(&x->st, up_now());
	g_strlcpy(x->reason, "start", sizeof(x->reason));
	publish(up);
	return up_mqtt_new(&mc, on_broker, up, &x->mq);
}

void up_excess_step(struct up *up)
{
	struct up_excess *x = &up->excess;
	double soc = isnan(up->bms.soc) ? up_value(up, UP_BATT_SOC) : up->bms.soc;
	double values[UPR_N_INPUTS] = {
		[UPR_SOC] = up->connected ? soc : NAN,
		[UPR_BATTERY_VOLTAGE] = up_value(up, UP_BATT_V),
		[UPR_PV_POWER] = up_value(up, UP_PV_P),
		[UPR_PV_VOLTAGE] = up_value(up, UP_PV_V),
		[UPR_CELL_SPREAD] = up->bms.cell_spread,
	};
	struct upr_output out;

	if (!x->mq || up->probing)
		return;
	upr_step(&x->cfg, &x->st, values, up_now(), &out);
	upr_reason_text(&out, x->reason, sizeof(x->reason));
	if (out.changed)
		log_info("relay: %s (%s)", out.on ? "on" : "off", x->reason);
	if (out.send && x->connected)
		send_state(up, out.on);
	publish(up);
}

void up_excess_stop(struct up *up)
{
	struct up_excess *x = &up->excess;

	if (!x->mq || !x->connected)
		return;
	x->st.on = false;
	if (up_mqtt_publish(x->mq, up->cfg.topic, up->cfg.payload_off, false) == 0 &&
	    up_mqtt_drain(x->mq, 1000) == 0)
		log_info("relay: off (driver stopping)");
	else
		log_warn("relay: could not switch off on the way out");
}

void up_excess_free(struct up *up)
{
	up->excess.mq = up_mqtt_free(up->excess.mq);
}
