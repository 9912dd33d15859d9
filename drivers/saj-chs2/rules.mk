# SPDX-License-Identifier: MIT
# drivers/saj-chs2/rules.mk - dbus-saj-chs2 (SAJ CHS2 hybrid over Modbus TCP), its simulator and
# the libraries its unit tests link

# everything but main(), so unit tests can link the tables and the pure controllers
SAJ_CHS2_LIB_SRCS := drivers/saj-chs2/saj-chs2-regs.c drivers/saj-chs2/saj-chs2-config.c \
	drivers/saj-chs2/saj-chs2-control.c drivers/saj-chs2/saj-chs2.c \
	drivers/saj-chs2/saj-chs2-services.c drivers/saj-chs2/saj-chs2-ctl.c \
	drivers/saj-chs2/saj-chs2-device.c drivers/saj-chs2/saj-chs2-restore.c
$(eval $(call archive,sajchs2,$(SAJ_CHS2_LIB_SRCS)))

dbus-saj-chs2_SRCS := drivers/saj-chs2/saj-chs2-main.c
dbus-saj-chs2_LIBS := sajchs2 drvcommon vedbus
dbus-saj-chs2_PKGS := dbus-1 glib-2.0 libmodbus
$(eval $(call program,dbus-saj-chs2))

# the simulator: a plant library (also linked into the integration tests) and a program
$(eval $(call archive,sajsim,tests/sim/saj-chs2-sim-plant.c))
saj-chs2-sim_SRCS := tests/sim/saj-chs2-sim.c
saj-chs2-sim_LIBS := sajsim mbsimlib
saj-chs2-sim_PKGS := glib-2.0 libmodbus
$(eval $(call program,saj-chs2-sim,tests/sim))

# unit tests link the driver's archive (tables, controllers)
test-saj-chs2-logic_LIBS := sajchs2 drvcommon vedbus
test-saj-chs2-regs_LIBS := sajchs2 drvcommon vedbus

# integration tests: the fixture (bus + settings + in-process simulator + driver) and the plant
$(eval $(call archive,sajfix,tests/sim/saj-chs2-sim-fixture.c))
SAJ_CHS2_ITEST_LIBS := sajfix harness sajsim mbsimlib drvcommon vedbus
test-saj-chs2-read_LIBS := $(SAJ_CHS2_ITEST_LIBS)
test-saj-chs2-control_LIBS := $(SAJ_CHS2_ITEST_LIBS)
# they run the driver and ve-settingsd
$(BUILD)/tests/integration/test-saj-chs2-read $(BUILD)/tests/integration/test-saj-chs2-control: \
	| $(BUILD)/bin/dbus-saj-chs2 $(BUILD)/bin/ve-settingsd
