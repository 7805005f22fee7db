# driver/driver.mk - kernel module targets, included by the top-level Makefile.
#
#   make module        Debian 6.1 amd64 headers (newest /usr/src/linux-headers-6.1.*-amd64)
#   make module-6.12   Debian 6.12 amd64 headers (newest /usr/src/linux-headers-6.12.*-amd64)
#   make module-arm64  cross build against Debian's arm64 6.1 headers, fetched with
#                      `apt-get download` into build/arm64-headers (DESIGN.md section 5)
#   make module-arm64-6.12  the same against the arm64 6.12 headers
#   make module-all    all four
#   make dkms-prepare  build/dkms/mbnaccel-1.0: a dkms source tree (see driver/README.md)
#
# Each build happens in build/module-<name>/: the sources, the contract's checker
# (hw/model/desc_check.h), the uapi header and the register header generated from
# hw/regs (build/gen/mbn_regs.h) are copied there and
# Kbuild runs with M= on that directory. -Werror is in driver/Kbuild.

MBN_DRV_SRCS  := $(wildcard driver/*.c driver/*.h) driver/Kbuild hw/model/desc_check.h
MBN_DRV_UAPI  := driver/uapi/drm/mbnaccel_drm.h
MBN_DKMS_VER  := 1.0
MBN_KDIR_6_1  ?= $(shell ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n1)
MBN_KDIR_6_12 ?= $(shell ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n1)
MBN_ARM64_DIR := $(BUILD)/arm64-headers

.PHONY: module module-6.12 module-arm64 module-arm64-6.12 module-all module-clean dkms-prepare

# mbn-module-tree DIR: assemble a Kbuild-ready source tree in DIR (cp -p keeps
# timestamps, so rebuilds are incremental).
define mbn-module-tree
	@mkdir -p $(1)/uapi/drm
	cp -p $(MBN_DRV_SRCS) $(1)/
	cp -p $(MBN_DRV_UAPI) $(1)/uapi/drm/
	cp -p $(REGS_H) $(1)/
endef

# mbn-module-build NAME KDIR EXTRA-MAKE-ARGS
define mbn-module-build
	@test -n "$(2)" -a -d "$(2)" || { echo "kernel headers for $(1) not found ($(2))"; exit 1; }
	$(call mbn-module-tree,$(BUILD)/module-$(1))
	+$(MAKE) -C $(2) M=$(abspath $(BUILD)/module-$(1)) $(3) modules
	@echo "built $(BUILD)/module-$(1)/mbnaccel.ko against $(2)"
endef

module: $(REGS_H)
	$(call mbn-module-build,6.1,$(MBN_KDIR_6_1),)

module-6.12: $(REGS_H)
	$(call mbn-module-build,6.12,$(MBN_KDIR_6_12),)

module-arm64: $(REGS_H)
	$(call mbn-module-tree,$(BUILD)/module-arm64)
	kdir=$$(sh driver/fetch-arm64-headers.sh $(MBN_ARM64_DIR)) && \
	$(MAKE) -C $$kdir M=$(abspath $(BUILD)/module-arm64) ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules
	@echo "built $(BUILD)/module-arm64/mbnaccel.ko (arm64)"

module-arm64-6.12: $(REGS_H)
	$(call mbn-module-tree,$(BUILD)/module-arm64-6.12)
	kdir=$$(sh driver/fetch-arm64-headers.sh $(MBN_ARM64_DIR) 6.12) && \
	$(MAKE) -C $$kdir M=$(abspath $(BUILD)/module-arm64-6.12) ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules
	@echo "built $(BUILD)/module-arm64-6.12/mbnaccel.ko (arm64, 6.12)"

module-all: module module-6.12 module-arm64 module-arm64-6.12

module-clean:
	rm -rf $(BUILD)/module-6.1 $(BUILD)/module-6.12 $(BUILD)/module-arm64 $(BUILD)/module-arm64-6.12 $(BUILD)/dkms

# A dkms source tree: dkms builds from /usr/src/mbnaccel-$(MBN_DKMS_VER) with no access
# to hw/regs, so the generated register header is shipped inside it.
dkms-prepare: $(REGS_H)
	$(call mbn-module-tree,$(BUILD)/dkms/mbnaccel-$(MBN_DKMS_VER))
	cp -p driver/dkms.conf $(BUILD)/dkms/mbnaccel-$(MBN_DKMS_VER)/
	@echo "dkms tree: $(BUILD)/dkms/mbnaccel-$(MBN_DKMS_VER) (copy to /usr/src, then dkms add/build/install)"

# The guest-side test program (tests/driver/mbn-drmtest.c and the drmtest_*.c it runs,
# drmtest.h lists them): static, raw ioctls on the uapi header, the contract's generated
# mbn_regs.h and requant.h; drm.h comes from libdrm-dev's copy of the kernel uapi.
MBN_DRMTEST := $(BUILD)/bin/mbn-drmtest
MBN_DRMTEST_SRC := tests/driver/mbn-drmtest.c $(addprefix tests/driver/drmtest_,lib.c job.c \
	ioctl.c desc.c sched.c stress.c recovery.c)
.PHONY: drmtest
drmtest: $(MBN_DRMTEST)
$(MBN_DRMTEST): $(MBN_DRMTEST_SRC) tests/driver/drmtest.h $(MBN_DRV_UAPI) $(REGS_H) hw/model/requant.h
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -Idriver/uapi/drm \
		-I$(GEN) -Ihw/model -I/usr/include/libdrm -o $@ $(MBN_DRMTEST_SRC)
