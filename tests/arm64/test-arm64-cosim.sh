#!/usr/bin/env bash
# The co-simulation bridge with an arm64 guest (issue 14, docs/arm64.md): on the virt
# machine guest RAM starts at 1 GiB, so the bridge runs with --mem-base 0x40000000
# (tests/driver/qemu-run.sh -a arm64). build/arm64/bin/mbn-cosim-probe (static, arm64)
# finds the ivshmem device on virt's PCIe, talks to the mailbox, checks that the
# simulator's DRAM is guest RAM at the guest's physical addresses (PEEK), and runs a DMA
# job in guest RAM with its interrupt; on both arm64 kernels.
#   bash tests/arm64/test-arm64-cosim.sh
source "$(dirname "$0")/../lib.sh"
RUN=("$ROOT/tests/driver/qemu-run.sh" -a arm64)
PROBE=$BUILD/arm64/bin/mbn-cosim-probe
require "$BUILD/bin/mbn-cosim" "$ROOT/build/lib/libmbnsim.so" "$PROBE" "$ROOT/build/arm64-guest/bin/busybox"
export MBN_COSIM=$BUILD/bin/mbn-cosim
file "$PROBE" | grep -q aarch64 && pass "mbn-cosim-probe is an arm64 binary" || fail "probe" "$(file -b "$PROBE")"
cat >"$TMP/selftest.sh" <<'EOF2'
echo "ARCH $(uname -m)"
mbn-cosim-probe selftest
EOF2
for k in 6.1 6.12; do
	t0=$SECONDS
	"${RUN[@]}" -q -k "$k" -t 120 -b "$PROBE" -l "$TMP/con-$k.log" -L "$TMP/cosim-$k.log" "$TMP/selftest.sh" 2>"$TMP/run-$k.err"
	rc=$?
	sed -n 's/^\(PASS\|FAIL\) /\1 [arm64 '"$k"'] /p' "$TMP/con-$k.log"
	kver=$(sed -n 's/^GUEST-BOOT \([^ ]*\).*/\1/p' "$TMP/con-$k.log")
	[ $rc -eq 0 ] && grep -q '^ARCH aarch64' "$TMP/con-$k.log" && [ "$(grep -c '^PASS' "$TMP/con-$k.log")" -ge 10 ] &&
		pass "[arm64 $k] guest $kver (aarch64): bridge selftest, whole QEMU run $((SECONDS - t0)) s" ||
		fail "[arm64 $k] guest selftest" "rc $rc: $(tail -3 "$TMP/run-$k.err" | tr '\n' ' ') console: $(tail -5 "$TMP/con-$k.log" | tr '\n' ' ')"
	# the pattern the probe wrote was found at a guest physical address above 1 GiB
	grep -E 'peek 0x(4|5)[0-9a-f]{7} ' "$TMP/cosim-$k.log" | grep -qv -- '-> 0xffffffff' &&
		pass "[arm64 $k] bridge log: PEEK at a guest physical address in [1 GiB, 2 GiB) read guest RAM" ||
		fail "[arm64 $k] bridge PEEK" "$(grep -m2 peek "$TMP/cosim-$k.log" | tr '\n' ' ')"
done
finish
