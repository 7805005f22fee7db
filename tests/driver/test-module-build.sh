#!/usr/bin/env bash
# test-module-build.sh: build the mbnaccel kernel module against Debian's 6.1 amd64
# headers, the 6.12 amd64 headers and (cross) the arm64 6.1 and 6.12 headers
# (driver/driver.mk: make module, module-6.12, module-arm64, module-arm64-6.12). A build passes only if make succeeds, the
# .ko is there for the right machine with the right vermagic, and the build printed no
# warning at all (the compiler's are errors through -Werror; this also catches modpost's
# and make's). Also checks that the dkms tree (make dkms-prepare) builds.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
JOBS=${MBN_JOBS:-2}

# check_build NAME TARGET MACHINE(file(1) word) KDIR-GLOB
check_build() {
	local name=$1 target=$2 machine=$3 log="$TMP/$1.log" ko="$BUILD/module-$1/mbnaccel.ko"
	rm -f "$ko"
	if ! make -j"$JOBS" "$target" >"$log" 2>&1; then
		fail "module-build-$name" "make $target failed: $(grep -m3 -iE 'error|not found|No such' "$log" | tr '\n' ' ')"
		return
	fi
	# "warning" anywhere (compiler, modpost, make, apt); BTF skipping is informational
	if grep -iE 'warning' "$log" | grep -v 'Skipping BTF' | grep -q .; then
		fail "module-build-$name" "warnings: $(grep -iE 'warning' "$log" | head -3 | tr '\n' ' ')"
		return
	fi
	if [ ! -f "$ko" ]; then
		fail "module-build-$name" "$ko missing"; return
	fi
	if ! file "$ko" | grep -q "$machine"; then
		fail "module-build-$name" "$ko is not $machine: $(file -b "$ko")"; return
	fi
	local vm
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
	pass "module-build-$name ($(modinfo -F depends "$ko") deps; vermagic ${vm%% *})"
}

check_build 6.1 module x86-64
check_build 6.12 module-6.12 x86-64
check_build arm64 module-arm64 aarch64
check_build arm64-6.12 module-arm64-6.12 aarch64

# dkms: the prepared tree builds by itself (as dkms would, M= on a copy)
if make dkms-prepare >"$TMP/dkms.log" 2>&1; then
	kdir=$(ls -d /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n1)
	cp -r "$BUILD/dkms/mbnaccel-1.0" "$TMP/dkms-tree"
	if make -C "$kdir" M="$TMP/dkms-tree" modules >"$TMP/dkms-build.log" 2>&1 &&
		[ -f "$TMP/dkms-tree/mbnaccel.ko" ] &&
		! grep -iE 'warning' "$TMP/dkms-build.log" | grep -v 'Skipping BTF' | grep -q .; then
		pass "dkms-tree builds stand-alone"
	else
		fail "dkms-tree" "$(grep -m3 -iE 'error|warning' "$TMP/dkms-build.log" | tr '\n' ' ')"
	fi
else
	fail "dkms-tree" "make dkms-prepare failed"
fi
finish
