#!/usr/bin/env bash
# The board's software stack against the RTL (issue 14): every check of
# tests/driver/test-driver.sh, in arm64 QEMU guests (machine virt, Cortex-A53, Debian's
# arm64 6.1 and 6.12 kernels) with the arm64 module builds (make module-arm64
# module-arm64-6.12) and the arm64 userspace (make arm64): mbn-classify -d drm on the real
# models and the Keras export = the host's -d sim with --match arm64 (the arm64 build's
# default), mbn-bench -d drm --json counters = -d sim, mbn-drmtest (bad ioctls, invalid
# descriptors, 10,000 random ioctls, a killed process, four processes, limits, the
# hardware's own checks, hang/reset, shutdown, wedge), dmesg clean, rmmod.
#   bash tests/arm64/test-arm64-driver.sh   (make check-arm64 runs tests/arm64/)
MBN_GUEST_ARCH=arm64 exec bash "$(dirname "$0")/../driver/test-driver.sh"
