# SPDX-License-Identifier: MIT
# bench programs (make bench runs bench/run-bench)
bench-vedbus_SRCS := bench/bench-vedbus.c
bench-vedbus_LIBS := vedbus
bench-vedbus_PKGS := dbus-1 glib-2.0
$(eval $(call program,bench-vedbus,bench))
