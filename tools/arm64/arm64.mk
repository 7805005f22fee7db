# tools/arm64/arm64.mk: the userspace for an arm64 board (a Zynq UltraScale+ runs Debian
# arm64), cross-built with gcc-aarch64-linux-gnu; included by the top-level Makefile.
#
#   make arm64-guest  build/arm64-guest: arm64 kernels (6.1, 6.12), modules, busybox
#   make check-arm64  the arm64 tests (tests/arm64/: the board's stack in arm64 guests)
#   make arm64   -> build/arm64/lib/libmbnaccel.so*, libmbnaccel-tflite.so,
#                   build/arm64/bin/mbn-* (classify, bench, info, gen, ...), mbn-drmtest,
#                   mbn-cosim-probe (static), mbn-tflite-run (TFLite 2.9's arm64 build)
#
# The same rules as the host build, run again by a sub-make with BUILD=build/arm64 and the
# cross compiler. libdrm, liburing, libjpeg, libpng and zlib are bookworm's arm64 packages
# unpacked into build/arm64-sysroot (tools/arm64/fetch-sysroot.sh); the C library is the
# cross toolchain's. Copy build/arm64/ to a board with those libraries installed
# (apt-get install libdrm2 liburing2 libjpeg62-turbo libpng16-16) and run it there; the
# tests run it in an arm64 QEMU guest (tests/arm64/, `make check-arm64`).
ARM64_SYSROOT := $(abspath build/arm64-sysroot)
ARM64_BUILD   := build/arm64
ARM64_LIBDIRS := $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu:$(ARM64_SYSROOT)/lib/aarch64-linux-gnu
ARM64_CFLAGS  := -O2 -g -I$(ARM64_SYSROOT)/usr/include -I$(ARM64_SYSROOT)/usr/include/aarch64-linux-gnu \
	-L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,$(ARM64_LIBDIRS)

.PHONY: arm64 arm64-sysroot arm64-guest check-arm64
ARM64_GUEST := build/arm64-guest
arm64-guest: $(ARM64_GUEST)/.unpacked
$(ARM64_GUEST)/.unpacked: tools/arm64/fetch-guest.sh tools/arm64/fetch-debs.sh
	sh tools/arm64/fetch-guest.sh $(ARM64_GUEST) && touch $@

check-arm64: arm64 arm64-guest module-arm64 module-arm64-6.12 cosim $(SIM_LIB) tests
	bash tests/run.sh arm64/

arm64-sysroot: $(ARM64_SYSROOT)/.unpacked
$(ARM64_SYSROOT)/.unpacked: tools/arm64/fetch-sysroot.sh tools/arm64/fetch-debs.sh
	sh tools/arm64/fetch-sysroot.sh $(ARM64_SYSROOT) && touch $@

arm64: $(ARM64_SYSROOT)/.unpacked $(REGS_H) $(ORACLE_DIR)/lib/libtensorflowlite_c.so $(ORACLE_DIR)/lib-arm64/libtensorflowlite_c.so
	$(MAKE) BUILD=$(ARM64_BUILD) CC=$(ARM64_CC) SIM_ALL= CFLAGS='$(ARM64_CFLAGS)' \
	    DRM_CFLAGS=-I$(ARM64_SYSROOT)/usr/include/libdrm ORACLE_LIBDIR=$(ORACLE_DIR)/lib-arm64 \
	    lib tools drmtest $(ARM64_BUILD)/bin/mbn-cosim-probe $(ARM64_BUILD)/lib/libmbnaccel-tflite.so \
	    $(ARM64_BUILD)/bin/mbn-tflite-run
	@echo "arm64 userspace in $(ARM64_BUILD)/ (bin/, lib/)"
