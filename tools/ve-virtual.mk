# SPDX-License-Identifier: MIT
# ve-virtual.mk - VE services from spec files (tools/specs/*.spec), for the demo and tests

# log.c alone, not all of libdrvcommon: the tool needs nothing else from the driver runtime
ve-virtual_SRCS := tools/ve-virtual.c tools/ve-virtual-spec.c tools/ve-virtual-input.c \
	drivers/common/log.c
ve-virtual_LIBS := vedbus
ve-virtual_PKGS := dbus-1 glib-2.0
$(eval $(call program,ve-virtual))
