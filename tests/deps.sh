#!/usr/bin/env bash
# Install what building and testing mbnaccel needs on Debian bookworm (run as root, or
# with sudo available). Installs only what is missing, so it is quick on a set-up machine.
# `make deps` runs this; `make check` and `make demo` call `make deps` first.
set -euo pipefail

need=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need+=("$1"); }
want build-essential
want pkg-config
want libjpeg-dev
want libpng-dev
want zlib1g-dev
want clang            # libFuzzer target
want clang-format-14  # make format-check (.clang-format)
# the driver as reviewers check it (tests/driver/test-driver-lint.sh): checkpatch.pl
# from the kernel source, sparse, coccinelle
want linux-source-6.1
want sparse
want coccinelle
want libclang-rt-14-dev
want python3          # register-map generator, test helpers
want verilator        # the cycle-accurate simulator (hw/sim)
want yosys            # synthesis check (make synth), yosys-smtbmc (make formal)
want z3               # the SMT solver of the formal proofs (hw/formal)
want zlib1g-dev       # FST waveforms
want libdrm-dev       # the drm backend (libdrm)
want liburing-dev     # asynchronous completion (io_uring)
# The kernel driver: headers to build it (Debian's 6.1 and a 6.12 set), kernels to boot
# under QEMU, the arm64 cross compiler, and the guest's userland.
want linux-headers-amd64
want linux-image-amd64
want linux-headers-6.12-amd64
want linux-image-6.12-amd64
want gcc-aarch64-linux-gnu
# The arm64 TFLite oracle (tests/oracle/test-arm64.sh) runs under qemu-user with the
# cross libc (never install :arm64 packages: they replace the amd64 compilers).
want qemu-user
want libc6-arm64-cross
want libc6-dev-arm64-cross
want qemu-system-x86
# The board's stack in arm64 guests (tests/arm64): qemu-system-aarch64, and readelf to
# collect the arm64 binaries' libraries (the arm64 kernels, busybox and libraries are
# unpacked from their packages by tools/arm64/fetch-*.sh, never installed).
want qemu-system-arm
want binutils
# the device-tree binding and overlay checks (tests/arm64/test-arm64-dt.sh)
want dt-schema
want device-tree-compiler
want busybox-static
want cpio
want kmod
command -v npm >/dev/null 2>&1 || want npm   # fetches the TFLite oracle (npm pack)

if [ ${#need[@]} -gt 0 ]; then
	echo "deps: installing ${need[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "deps: ok"
