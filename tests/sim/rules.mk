# SPDX-License-Identifier: MIT
# tests/sim/rules.mk - the Modbus simulator library (libmbsimlib.a), its command-line program,
# and the unit tests that serve registers from it.

MBSIM_LIB_SRCS := tests/sim/mbsim.c tests/sim/mbsim-handle.c tests/sim/mbsim-io.c \
	tests/sim/mbsim-profile.c
$(eval $(call archive,mbsimlib,$(MBSIM_LIB_SRCS)))

mbsim_SRCS := tests/sim/mbsim-main.c
mbsim_LIBS := mbsimlib
mbsim_PKGS := glib-2.0 libmodbus
$(eval $(call program,mbsim,tests/sim))

# Device simulators built on the library: NAME_LIBS := mbsimlib (plus drvcommon if needed).
test-mb-link_LIBS := mbsimlib drvcommon vedbus
test-mb-engine_LIBS := mbsimlib drvcommon vedbus
test-mb-sim_LIBS := mbsimlib drvcommon vedbus
# test-mb-sim also runs the program, as the integration harness will
$(BUILD)/tests/unit/test-mb-sim: | $(BUILD)/tests/sim/mbsim
