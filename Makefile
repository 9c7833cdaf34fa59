# SPDX-License-Identifier: GPL-2.0
#
# gpufe: build, test and demo.
#
#   make            modules for the default kernel, library, tools, tests
#   make deps       install what the build and the VM tests need (idempotent)
#   make check      lint, host unit tests, igt-tests in a VM on every kernel
#                   (Debian's 6.1 and 6.12, and the debug kernel "debug"),
#                   then the edu tests on 6.12 behind an IOMMU ("iommu")
#   make demo       boot a VM, load gpufe and two swgpu GPUs, put them to work
#   make bench      boot a VM and print the benchmark figures
#   make install    install modules, library, headers and tools on this machine
#
# make check KERNELS="6.12" TESTS="gpufe_core" narrows a run; KERNELS=debug
# runs the debug kernel (KASAN, lockdep, kmemleak, ...) alone, KERNELS=iommu
# the IOMMU lane alone.

ifneq ($(KERNELRELEASE),)
# Kbuild reads the Kbuild file beside this one, never this file; say so
# rather than build something else if that ever changes.
$(error kbuild must read ./Kbuild, not ./Makefile)
else

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(ROOT)/build
CACHE := $(ROOT)/.cache

# The lanes of make check: a kernel each (a version prefix of a stock
# kernel, or "debug"), and "iommu", Debian's 6.12 with QEMU's Intel IOMMU
# in front of the VM's edu devices, running only IOMMU_TESTS.
KERNELS ?= 6.1 6.12 debug iommu
TESTS ?= $(shell $(MAKE) -s -C $(ROOT)/igt-tests list)
# What the iommu lane runs, then the binaries every lane ends with: the
# edu back-end's tests, gpufe_edu and its -32 build if igt-tests has one
# (gpufe_edu even if it has not: a missing binary fails the lane), and the
# generic binaries' edu variants; with
# TESTS given, only those of them that it names (none: the lane skips).
EDU_TESTS := gpufe_edu gpufe_edu-32 gpufe_submit@edu gpufe_completion@edu \
	gpufe_sched@edu
IOMMU_TESTS ?= $(if $(filter file,$(origin TESTS)),$(sort gpufe_edu \
	$(filter $(EDU_TESTS),$(TESTS))),$(filter $(EDU_TESTS),$(TESTS)))
WRAPUP_TESTS := gpufe-teardown gpufe-debugcheck
DEMO_KERNEL ?= 6.12

PREFIX ?= /usr/local
DESTDIR ?=

# Kernel sources of the external modules, copied per kernel so that builds
# for several kernels never share objects.
KSRC := Kbuild frontend backends include uapi common
KFILES := $(shell cd $(ROOT) && find frontend backends include -name '*.[ch]') \
	  $(wildcard uapi/*.h) $(wildcard common/gpufe_*.[ch])
KLINT := $(KFILES) $(shell cd $(ROOT) && find Kbuild frontend backends -name Kbuild)

CHECKPATCH := $(CACHE)/checkpatch/checkpatch.pl
KERNELS_SH := $(ROOT)/tools/setup/kernels.sh

# The release a header tree builds for (Debian's 6.1 headers put the
# upstream version, not the ABI name, in include/config/kernel.release).
krelease = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(1)/include/generated/utsrelease.h)

all: modules userspace

deps:
	$(ROOT)/tools/setup/deps.sh

# Run deps.sh only when something is missing.
ensure-deps:
	@$(ROOT)/tools/setup/deps.sh --check || $(ROOT)/tools/setup/deps.sh

# --- kernel modules ---------------------------------------------------------
#
# With KDIR set, build once against it (a real machine: KDIR=/lib/modules/
# $(uname -r)/build). Otherwise build against the cached Debian headers of
# every kernel in KERNELS (once for a kernel that two lanes boot), into
# build/modules/<release>/: gpufe.ko and every back-end's gpufe_*.ko.
# KFLAGS="W=1 C=2" is what make check uses: warnings of either fail the
# build. The objects of a release are thrown away when its header tree is
# another one (the debug kernel rebuilt with another configuration keeps
# its release).
KFLAGS ?= W=1

define build_modules
	set -e; \
	obj=$(BUILD)/kbuild/$(1); kdir=$$(realpath $(2)); \
	if [ "$$(cat $$obj/.kdir 2>/dev/null)" != "$$kdir" ]; then \
		rm -rf $$obj; \
	fi; \
	mkdir -p $$obj $(BUILD)/modules/$(1); echo "$$kdir" >$$obj/.kdir; \
	rsync -a --delete $(addprefix $(ROOT)/,$(KSRC)) $$obj/; \
	$(MAKE) -C $(2) M=$$obj $(KFLAGS) modules 2>&1 | tee $$obj/build.log; \
	if grep -iE '(warning|error):' $$obj/build.log >/dev/null; then \
		echo "$(1): the kernel build is not warning-free" >&2; exit 1; \
	fi; \
	rm -f $(BUILD)/modules/$(1)/*.ko; \
	cp $$obj/frontend/gpufe.ko $$(find $$obj/backends -name 'gpufe_*.ko') \
		$(BUILD)/modules/$(1)/
endef

ifneq ($(KDIR),)
modules:
	$(call build_modules,$(call krelease,$(KDIR)),$(KDIR))
else
modules: ensure-deps
	@for krel in $$($(KERNELS_SH) $(KERNELS) | awk '!seen[$$0]++'); do \
		$(MAKE) --no-print-directory modules-one KREL=$$krel || exit 1; \
	done
endif

modules-one:
	$(call build_modules,$(KREL),$(CACHE)/kernels/$(KREL)/usr/src/linux-headers-$(KREL))

# --- user space -------------------------------------------------------------

userspace: lib tools tests

lib:
	$(MAKE) -C $(ROOT)/libgpuclient BUILD=$(BUILD)/lib UAPI=$(ROOT)/uapi
	$(MAKE) -C $(ROOT)/libgpuclient examples BUILD=$(BUILD)/lib \
		UAPI=$(ROOT)/uapi

tools: lib
	$(MAKE) -C $(ROOT)/tools/gpufe-smi BUILD=$(BUILD)/tools \
		LIBDIR=$(BUILD)/lib
	$(MAKE) -C $(ROOT)/tools/bench BUILD=$(BUILD)/tools UAPI=$(ROOT)/uapi

tests: ensure-deps
	$(MAKE) -C $(ROOT)/igt-tests BUILD=$(BUILD)/igt-tests \
		KSELFTEST=$(CACHE)/kselftest UAPI=$(ROOT)/uapi \
		UAPI_EXTRA=$(CACHE)/uapi

# What the VM gets in /opt/gpufe: bin/ and lib/.
payload: userspace
	rm -rf $(BUILD)/payload
	mkdir -p $(BUILD)/payload/bin $(BUILD)/payload/lib
	cp $(BUILD)/igt-tests/gpufe_* $(BUILD)/tools/gpufe-smi \
		$(BUILD)/tools/gpufe-bench $(BUILD)/lib/examples/* \
		$(ROOT)/tools/vmtest/gpufe-teardown \
		$(ROOT)/tools/vmtest/gpufe-debugcheck \
		$(ROOT)/tools/vmtest/gpufe-iommucheck $(BUILD)/payload/bin/
	cp -P $(BUILD)/lib/libgpuclient.so* $(BUILD)/payload/lib/

# --- checks -----------------------------------------------------------------

checkpatch: ensure-deps
	cd $(ROOT) && $(CHECKPATCH) --strict --no-tree --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $(KLINT)

doccheck: ensure-deps
	python3 $(ROOT)/tools/doccheck.py $(ROOT)

lint: checkpatch doccheck
	$(MAKE) --no-print-directory modules KFLAGS="W=1 C=2"

unit: lib tools
	$(MAKE) -C $(ROOT)/libgpuclient check BUILD=$(BUILD)/lib \
		UAPI=$(ROOT)/uapi
	$(MAKE) -C $(ROOT)/tools/gpufe-smi check BUILD=$(BUILD)/tools \
		LIBDIR=$(BUILD)/lib
	$(MAKE) -C $(ROOT)/common check BUILD=$(BUILD)/common

check: ensure-deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory payload
	$(ROOT)/tools/vmtest/check.sh --kernels "$(KERNELS)" \
		--tests "$(TESTS) $(WRAPUP_TESTS)" \
		--iommu-tests "$(if $(strip $(IOMMU_TESTS)),$(IOMMU_TESTS) $(WRAPUP_TESTS))" \
		--modules-root $(BUILD)/modules --payload $(BUILD)/payload \
		--logdir $(BUILD)/logs --stock-mods vgem

demo bench: ensure-deps
	$(MAKE) --no-print-directory modules KERNELS="$(DEMO_KERNEL)"
	$(MAKE) --no-print-directory payload
	$(ROOT)/tools/vmtest/show.sh --name $@ \
		--run $(ROOT)/tools/$(if $(filter demo,$@),vmtest/demo,bench/bench)-run.sh \
		--kernel $(DEMO_KERNEL) --modules-root $(BUILD)/modules \
		--payload $(BUILD)/payload --logdir $(BUILD)/logs
	$(if $(filter bench,$@),@$(MAKE) -s --no-print-directory -C $(ROOT)/common \
		bench BUILD=$(BUILD)/common)

# --- installation on a real machine ----------------------------------------

INSTALL_KDIR ?= /lib/modules/$(shell uname -r)/build

install: lib tools
	$(MAKE) --no-print-directory modules KDIR=$(INSTALL_KDIR)
	krel=$(call krelease,$(INSTALL_KDIR)) && \
	$(MAKE) -C $(INSTALL_KDIR) M=$(BUILD)/kbuild/$$krel \
		INSTALL_MOD_DIR=extra modules_install && \
	depmod -a $$krel
	$(MAKE) -C $(ROOT)/libgpuclient install BUILD=$(BUILD)/lib \
		UAPI=$(ROOT)/uapi PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/include \
		$(ROOT)/uapi/gpufe.h $(ROOT)/uapi/gpufe_swgpu.h $(ROOT)/uapi/gpufe_edu.h
	install -D -m 0755 $(BUILD)/tools/gpufe-smi \
		$(DESTDIR)$(PREFIX)/bin/gpufe-smi

clean:
	rm -rf $(BUILD)

.PHONY: all deps ensure-deps modules modules-one userspace lib tools tests \
	payload checkpatch doccheck lint unit check demo bench install clean

endif
