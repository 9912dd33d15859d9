# SPDX-License-Identifier: MIT
# helper programs of the integration tests (the tests themselves are found by the Makefile)
vedbus-follow_SRCS := tests/integration/follow.c
vedbus-follow_LIBS := vedbus
vedbus-follow_PKGS := dbus-1 glib-2.0
$(eval $(call program,vedbus-follow))
