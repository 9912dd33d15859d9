# SPDX-License-Identifier: MIT
# drivers/up5000/rules.mk - dbus-up5000-hybrid, its simulator (tests/sim/up5000-sim*) and the
# libraries the tests link: libup5000.a (everything but main) and libup5000sim.a

UP5000_SRCS := $(filter-out drivers/up5000/up5000-main.c,$(wildcard drivers/up5000/*.c))
$(eval $(call archive,up5000,$(UP5000_SRCS)))

dbus-up5000-hybrid_SRCS := drivers/up5000/up5000-main.c
dbus-up5000-hybrid_LIBS := up5000 drvcommon vedbus
dbus-up5000-hybrid_PKGS := dbus-1 glib-2.0 libmodbus libmosquitto
$(eval $(call program,dbus-up5000-hybrid))

# the simulator: a library for in-process use by the tests (with their fixture), and a
# program for demo and bench
$(eval $(call archive,up5000sim,tests/sim/up5000-sim.c tests/sim/up5000-sim-fixture.c))
$(BUILD)/tests/sim/up5000-sim.o: ALL_CFLAGS += \
	-DUP5000_SIM_PROFILE=\"$(CURDIR)/tests/sim/profiles/up5000.regs\"
up5000-sim_SRCS := tests/sim/up5000-sim-main.c
up5000-sim_LIBS := up5000sim mbsimlib
up5000-sim_PKGS := glib-2.0 libmodbus
$(eval $(call program,up5000-sim,tests/sim))

# unit tests of the pure parts and the register table
UP5000_UNIT := $(notdir $(basename $(wildcard tests/unit/test-up5000*.c)))
$(foreach t,$(UP5000_UNIT),$(eval $(t)_LIBS := up5000 drvcommon vedbus))

# integration tests: the simulator in process, the real driver binary
UP5000_INTEGRATION := $(notdir $(basename $(wildcard tests/integration/test-up5000*.c)))
$(foreach t,$(UP5000_INTEGRATION),$(eval $(t)_LIBS := up5000sim harness mbsimlib drvcommon vedbus))
$(foreach t,$(UP5000_INTEGRATION),$(eval $(BUILD)/tests/integration/$(t): | \
	$(BUILD)/bin/dbus-up5000-hybrid $(BUILD)/bin/ve-settingsd $(BUILD)/bin/ve-virtual))

# make bench: planned wire figures (bench/up5000.d/run runs it)
bench-up5000_SRCS := bench/up5000.d/bench-up5000.c
bench-up5000_LIBS := up5000 drvcommon vedbus
bench-up5000_PKGS := dbus-1 glib-2.0 libmodbus libmosquitto
$(eval $(call program,bench-up5000,bench))
