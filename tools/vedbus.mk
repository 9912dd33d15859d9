# SPDX-License-Identifier: MIT
# vedbus.mk - the vedbus command-line client (list, get, set, dump, watch, spy)

vedbus_SRCS := tools/vedbus.c tools/vedbus-util.c tools/vedbus-call.c tools/vedbus-model.c \
	tools/vedbus-watch.c tools/vedbus-spy.c
vedbus_LIBS := vedbus
vedbus_PKGS := dbus-1 glib-2.0
$(eval $(call program,vedbus))

# the client's unit test compiles vedbus-util.c in (#include) and needs no archive
test-vedbus-cli_LIBS :=
