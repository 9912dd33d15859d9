# SPDX-License-Identifier: MIT
# drivers/smartlogger/rules.mk - dbus-smartlogger-hybrid, its simulator, and their tests' links

# everything but main() in one archive, so unit tests link the pure parts
SMARTLOGGER_SRCS := $(filter-out drivers/smartlogger/smartlogger.c,\
	$(wildcard drivers/smartlogger/*.c))
$(eval $(call archive,smartlogger,$(SMARTLOGGER_SRCS)))

dbus-smartlogger-hybrid_SRCS := drivers/smartlogger/smartlogger.c
dbus-smartlogger-hybrid_LIBS := smartlogger drvcommon vedbus
dbus-smartlogger-hybrid_PKGS := $(PKGS_ALL)
$(eval $(call program,dbus-smartlogger-hybrid))

# the plant simulator: a library (integration tests run it in-process) and a program (demo,
# bench, by hand)
$(eval $(call archive,slsim,tests/sim/smartlogger-sim-plant.c tests/sim/smartlogger-sim-setup.c))
smartlogger-sim_SRCS := tests/sim/smartlogger-sim.c
smartlogger-sim_LIBS := slsim mbsimlib
smartlogger-sim_PKGS := glib-2.0 libmodbus
$(eval $(call program,smartlogger-sim,tests/sim))

# integration tests: the fixture (bus, settings, in-process simulator, the driver binary)
$(eval $(call archive,slfixture,tests/sim/smartlogger-sim-fixture.c))
SL_ITESTS := $(notdir $(basename $(wildcard tests/integration/test-smartlogger*.c)))
$(foreach t,$(SL_ITESTS),$(eval $(t)_LIBS := slfixture slsim mbsimlib harness drvcommon vedbus))
$(foreach t,$(SL_ITESTS),$(eval $(BUILD)/tests/integration/$(t): | \
	$(BUILD)/bin/dbus-smartlogger-hybrid $(BUILD)/bin/ve-settingsd))

# unit tests of the pure parts, and of the register images through mbsim's profile loader
SL_UTESTS := $(notdir $(basename $(wildcard tests/unit/test-smartlogger*.c)))
$(foreach t,$(SL_UTESTS),$(eval $(t)_LIBS := smartlogger slsim mbsimlib drvcommon vedbus))
