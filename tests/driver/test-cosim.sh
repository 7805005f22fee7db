#!/usr/bin/env bash
# The co-simulation bridge without the kernel driver (docs/cosim.md): build/bin/mbn-cosim on
# the host (error messages, clean shutdown), then QEMU guests (Debian 6.1 and 6.12 kernels,
# tests/driver/qemu-run.sh) where build/bin/mbn-cosim-probe finds the ivshmem device, reads
# the mailbox, does register reads and writes through it with the doorbell, checks that the
# simulator's DRAM is guest RAM, runs a small DMA job in guest RAM with its interrupt line,
# and exercises the bridge's --axi-error and --hang-job hooks.
#   bash tests/driver/test-cosim.sh      (or: make check-driver; bash tests/run.sh driver/)
source "$(dirname "$0")/../lib.sh"
COSIM=$BUILD/bin/mbn-cosim
PROBE=$BUILD/bin/mbn-cosim-probe
SIMLIB=$ROOT/build/lib/libmbnsim.so
RUN=$ROOT/tests/driver/qemu-run.sh
require "$COSIM" "$PROBE" "$SIMLIB" /bin/busybox "$(command -v qemu-system-x86_64 || echo /usr/bin/qemu-system-x86_64)"
export MBN_COSIM=$COSIM

# --- the bridge on the host ------------------------------------------------------------------
out=$("$COSIM" --socket "$TMP/s0" --mem "$TMP/ram0" --mem-size 64M --lib /nonexistent/libmbnsim.so 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "cannot load the simulator library" <<<"$out" &&
	pass "bridge: a missing simulator library is a clear error" ||
	fail "bridge: missing library" "rc $rc: $out"
truncate -s 1M "$TMP/small"
out=$("$COSIM" --socket "$TMP/s0" --mem "$TMP/small" --lib "$SIMLIB" 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "too small" <<<"$out" && pass "bridge: a too small guest RAM file is a clear error" ||
	fail "bridge: small RAM file" "rc $rc: $out"
"$COSIM" --socket "$TMP/s1" --mem "$TMP/ram1" --mem-size 64M --lib "$SIMLIB" --ready "$TMP/ready1" \
	--log "$TMP/b1.log" 2>"$TMP/b1.err" &
b1=$!
for _ in $(seq 100); do [ -e "$TMP/ready1" ] && break; sleep 0.05; done
out=$("$COSIM" --socket "$TMP/s1" --mem "$TMP/ram2" --mem-size 64M --lib "$SIMLIB" 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "in use" <<<"$out" && pass "bridge: a socket in use by a live server is a clear error" ||
	fail "bridge: socket in use" "rc $rc: $out"
kill -TERM $b1
wait $b1
rc=$?
[ $rc -eq 0 ] && [ ! -e "$TMP/s1" ] && [ "$(stat -c %s "$TMP/ram1")" = $((64 << 20)) ] &&
	pass "bridge: SIGTERM exits 0 and removes the socket; --mem-size sized the RAM file" ||
	fail "bridge: SIGTERM" "rc $rc, socket $(ls "$TMP/s1" 2>&1), $(cat "$TMP/b1.err")"

# --- QEMU guests -----------------------------------------------------------------------------
# guest NAME TAG: re-emit the guest's PASS/FAIL lines from console log NAME, tagged
guest_lines() {
	sed -n 's/^\(PASS\|FAIL\) /\1 ['"$2"'] /p' "$1"
}

cat >"$TMP/selftest.sh" <<'EOF'
echo "modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
mbn-cosim-probe selftest
EOF
for k in 6.1 6.12; do
	t0=$SECONDS
	"$RUN" -q -k "$k" -t 90 -b "$PROBE" -l "$TMP/con-$k.log" -L "$TMP/cosim-$k.log" "$TMP/selftest.sh" 2>"$TMP/run-$k.err"
	rc=$?
	dt=$((SECONDS - t0))
	guest_lines "$TMP/con-$k.log" "$k"
	kver=$(sed -n 's/^GUEST-BOOT \([^ ]*\).*/\1/p' "$TMP/con-$k.log")
	if [ $rc -eq 0 ] && [ "$(grep -c '^PASS' "$TMP/con-$k.log")" -ge 10 ]; then
		pass "[$k] guest $kver: bridge selftest, whole QEMU run ${dt} s"
	else
		fail "[$k] guest selftest" "rc $rc after ${dt} s: $(tail -5 "$TMP/run-$k.err" | tr '\n' ' ') console: $(tail -5 "$TMP/con-$k.log" | tr '\n' ' ')"
	fi
	grep -q "drm" <<<"$(grep '^modules:' "$TMP/con-$k.log")" && pass "[$k] init loaded drm and its dependencies" ||
		fail "[$k] modules" "$(grep '^modules:' "$TMP/con-$k.log")"
	grep -q "irq 0->1" "$TMP/cosim-$k.log" && grep -q "guest disconnected" "$TMP/cosim-$k.log" &&
		pass "[$k] bridge log: the job raised the irq (MSI-X vector 0 signalled), clean exit on disconnect" ||
		fail "[$k] bridge log" "$(tail -3 "$TMP/cosim-$k.log" | tr '\n' ' ')"
	[ "$dt" -le 60 ] || fail "[$k] boot time" "QEMU run took ${dt} s (budget 60 s)"
done

# The bridge's test hooks; the guest script's exit status comes back through qemu-run.sh.
cat >"$TMP/faults.sh" <<'EOF'
mbn-cosim-probe faults || exit 1
exit 3
EOF
t0=$SECONDS
"$RUN" -q -k 6.1 -t 90 -b "$PROBE" -B --axi-error -B 0x0:0x80000000 -B --hang-job -B 2 \
	-l "$TMP/con-f.log" -L "$TMP/cosim-f.log" "$TMP/faults.sh" 2>"$TMP/run-f.err"
rc=$?
guest_lines "$TMP/con-f.log" "6.1 hooks"
[ $rc -eq 3 ] && pass "[6.1 hooks] --axi-error, --hang-job 2, and the script's exit status 3 returned ($((SECONDS - t0)) s)" ||
	fail "[6.1 hooks]" "rc $rc (expected 3): $(tail -3 "$TMP/run-f.err" | tr '\n' ' ')"

# The wall-clock limit: a guest that does not finish in time is stopped, status 124.
echo 'sleep 600' >"$TMP/sleep.sh"
t0=$SECONDS
"$RUN" -q -k 6.1 -t 6 -L "$TMP/cosim-t.log" "$TMP/sleep.sh" >/dev/null 2>"$TMP/run-t.err"
rc=$?
dt=$((SECONDS - t0))
[ $rc -eq 124 ] && [ $dt -lt 30 ] && grep -q " done: " "$TMP/cosim-t.log" &&
	pass "qemu-run.sh -t 6: timed out with status 124 after ${dt} s, bridge stopped" ||
	fail "timeout" "rc $rc after ${dt} s: $(tail -3 "$TMP/run-t.err" | tr '\n' ' ')"
finish
