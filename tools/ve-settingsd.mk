# SPDX-License-Identifier: MIT
# ve-settingsd.mk - com.victronenergy.settings with localsettings' rules, for demo and tests

# log.c alone, not all of libdrvcommon: the daemon needs nothing else from the driver runtime
ve-settingsd_SRCS := tools/ve-settingsd.c tools/ve-settingsd-bus.c tools/ve-settingsd-file.c \
	tools/ve-settingsd-store.c tools/ve-settingsd-value.c tools/ve-settingsd-keyfile.c \
	drivers/common/log.c
ve-settingsd_LIBS := vedbus
ve-settingsd_PKGS := dbus-1 glib-2.0
$(eval $(call program,ve-settingsd))

# the store's unit test compiles the store in (#include) and needs no archive
test-settingsd-store_LIBS :=
