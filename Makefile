# SPDX-License-Identifier: MIT
# Makefile - one non-recursive build for libvedbus, the driver runtime, drivers, tools and tests.
#
# Fragments: tools/*.mk, drivers/*/rules.mk, tests/*/rules.mk and bench/rules.mk add programs
# with $(eval $(call program,NAME)) after setting NAME_SRCS, NAME_LIBS and NAME_PKGS.

include config.mk

SHELL := /bin/bash
.DEFAULT_GOAL := all
.SUFFIXES:

# pkg-config is asked once, lazily, so `make deps` works before the packages exist.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS_ALL) $(PKGS_TEST)))$(PKG_CFLAGS)
pkglibs = $(shell $(PKG_CONFIG) --libs $(1))

ALL_CFLAGS = $(BASE_CFLAGS) -I. -Ilibvedbus -Idrivers/common -Itests -Itests/harness $(PKG_CFLAGS) \
	-DVHD_VERSION=\"$(VERSION)\" $(CFLAGS)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PROGRAMS :=
ALL_OBJS :=
UNIT_TESTS :=
INTEGRATION_TESTS :=

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# $(call archive,NAME,SOURCES): build/libNAME.a
define archive
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/%.o,$(2))
ALL_OBJS += $$($(1)_OBJS)
$(BUILD)/lib$(1).a: $$($(1)_OBJS)
	@mkdir -p $$(@D)
	@echo "  AR      $$@"
	@rm -f $$@ && ar rcs $$@ $$^
endef

# $(call program,NAME[,DIR]): build/DIR/NAME (DIR defaults to bin) from NAME_SRCS,
# linked with the archives NAME_LIBS (build/libX.a) and the pkg-config modules NAME_PKGS.
define program
$(1)_DIR ?= $(if $(2),$(2),bin)
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/%.o,$$($(1)_SRCS))
$(1)_ARCHIVES := $$(patsubst %,$(BUILD)/lib%.a,$$($(1)_LIBS))
ALL_OBJS += $$($(1)_OBJS)
PROGRAMS += $(BUILD)/$$($(1)_DIR)/$(1)
$(BUILD)/$$($(1)_DIR)/$(1): $$($(1)_OBJS) $$($(1)_ARCHIVES)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	@$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_OBJS) $$($(1)_ARCHIVES) \
		$$(call pkglibs,$$($(1)_PKGS)) -lpthread -lm
endef

# libvedbus: the one library every driver and tool stands on
$(eval $(call archive,vedbus,$(wildcard libvedbus/*.c)))
# driver runtime shared by every driver
$(eval $(call archive,drvcommon,$(wildcard drivers/common/*.c)))
# test harness: private bus, spawn, bus client helpers
$(eval $(call archive,harness,$(wildcard tests/harness/*.c)))

include $(sort $(wildcard tools/*.mk drivers/*/rules.mk tests/*/rules.mk bench/rules.mk))

# Every tests/unit/test-*.c is one Check binary; so is every tests/integration/test-*.c.
define unit_test
$(1)_SRCS := tests/unit/$(1).c
$(1)_LIBS ?= drvcommon vedbus
$(1)_PKGS := $(PKGS_ALL) $(PKGS_TEST)
$(call program,$(1),tests/unit)
UNIT_TESTS += $(BUILD)/tests/unit/$(1)
endef
define integration_test
$(1)_SRCS := tests/integration/$(1).c
$(1)_LIBS ?= harness drvcommon vedbus
$(1)_PKGS := $(PKGS_ALL) $(PKGS_TEST)
$(call program,$(1),tests/integration)
INTEGRATION_TESTS += $(BUILD)/tests/integration/$(1)
endef
$(foreach t,$(notdir $(basename $(wildcard tests/unit/test-*.c))),$(eval $(call unit_test,$(t))))
$(foreach t,$(notdir $(basename $(wildcard tests/integration/test-*.c))),$(eval $(call integration_test,$(t))))

-include $(ALL_OBJS:.o=.d)

.PHONY: all deps build check check-unit check-integration demo bench format format-check lint \
	install clean help

help:
	@echo "make            build everything (libvedbus, drivers, tools, simulators, tests)"
	@echo "make check      install missing packages (as root), build, run unit + integration tests"
	@echo "make demo       private bus, simulators, all drivers, live view (Ctrl-C stops)"
	@echo "make bench      figures: flush cost, GetValue latency, monitor CPU, driver cycles"
	@echo "toggles: WERROR=1 SANITIZE=address,undefined VALGRIND=1 (see config.mk)"

deps:
	@tools/install-deps

all: deps
	@$(MAKE) --no-print-directory build

build: $(PROGRAMS) $(UNIT_TESTS) $(INTEGRATION_TESTS)

check: deps
	@$(MAKE) --no-print-directory build
	@VALGRIND=$(VALGRIND) BUILD=$(BUILD) tests/run-tests $(UNIT_TESTS) $(INTEGRATION_TESTS)

check-unit: build
	@VALGRIND=$(VALGRIND) BUILD=$(BUILD) tests/run-tests $(UNIT_TESTS)

check-integration: build
	@VALGRIND=$(VALGRIND) BUILD=$(BUILD) tests/run-tests $(INTEGRATION_TESTS)

demo: deps
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) tools/demo

bench: deps
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) bench/run-bench

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 -Ilibvedbus -Idrivers/common --suppress=missingIncludeSystem \
		libvedbus drivers tools tests/sim

install: build
	install -d $(DESTDIR)$(bindir)
	install -m 755 $(filter $(BUILD)/bin/%,$(PROGRAMS)) $(DESTDIR)$(bindir)/

clean:
	rm -rf $(BUILD)
