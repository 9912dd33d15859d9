# SPDX-License-Identifier: MIT
# config.mk - build toggles; every variable can be overridden on the make command line.

prefix      ?= /usr/local
bindir      ?= $(prefix)/bin
DESTDIR     ?=
CC          ?= cc
PKG_CONFIG  ?= pkg-config
BUILD       ?= build

# WERROR=1 turns warnings into errors (CI); SDK compilers differ, so it is off by default.
WERROR      ?= 0
# SANITIZE=address,undefined builds everything with those sanitizers.
SANITIZE    ?=
# VALGRIND=1 runs every test binary under valgrind (memcheck, definite leaks are errors).
VALGRIND    ?= 0

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wpointer-arith -Wformat=2 -Wswitch-enum \
	-Wno-unused-parameter -Wno-missing-field-initializers

CFLAGS      ?= -O2 -g
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -MMD -MP
ifeq ($(WERROR),1)
BASE_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
BASE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS     += -fsanitize=$(SANITIZE)
endif

PKGS_CORE := dbus-1 glib-2.0
PKGS_ALL  := dbus-1 glib-2.0 libmodbus libmosquitto
PKGS_TEST := check
