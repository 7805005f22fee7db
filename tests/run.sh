#!/usr/bin/env bash
# The test runner of `make check`. Every test is a program or script that prints one
# "PASS name" or "FAIL name: why" line per check and exits non-zero if anything failed.
# The runner gives each a timeout, counts the lines, treats a crash, a timeout or a
# non-zero exit without a FAIL line as a failure, and ends with "N passed, N failed".
# Nothing is skipped: a test whose prerequisites are missing fails.
#
#   tests/run.sh [FILTER]    run the tests whose name contains FILTER
set -u
cd "$(dirname "$0")/.."
export MBN_SHARED=${MBN_SHARED:-$(cd .. && pwd)/shared}
export MBN_BUILD=${MBN_BUILD:-build}
export MBN_SAN_BUILD=${MBN_SAN_BUILD:-build-san}
filter=${1:-}
logdir=build/test-logs
mkdir -p "$logdir"

passed=0
failed=0
failed_names=()

run_one() { # name timeout command...
	local name=$1 tmo=$2
	shift 2
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && return
	local log="$logdir/${name//\//_}.log" start=$SECONDS
	timeout --kill-after=10 "$tmo" "$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -c '^PASS' "$log")
	f=$(grep -c '^FAIL' "$log")
	grep -E '^(PASS|FAIL)' "$log" | sed "s|^|  [$name] |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "  [$name] FAIL timed out after ${tmo}"
		else
			echo "  [$name] FAIL exited with status $rc; last lines of $log:"
			tail -5 "$log" | sed 's/^/      /'
		fi
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "  [$name] FAIL printed no PASS line"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_names+=("$name")
	echo "$name: $p passed, $f failed ($((SECONDS - start)) s)"
}

# Unit tests, plain and under ASan/UBSan.
for t in "$MBN_BUILD"/tests/test-*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" 600 "$t"
done
for t in "$MBN_SAN_BUILD"/tests/test-*; do
	[ -x "$t" ] || continue
	run_one "unit-san/$(basename "$t")" 900 "$t"
done
# Every model mbn-gen writes runs in the oracle, deterministically.
run_one "gen/check-gen" 1800 bash tests/gen/check-gen.sh "$MBN_BUILD/bin/tflite-run" "$MBN_BUILD/bin/mbn-gen"
# Script tests (bit-exact against the oracle, tools, bad inputs, fuzzing, install).
for t in tests/hw/test-*.sh tests/formal/test-*.sh tests/sim/test-*.sh tests/oracle/test-*.sh tests/e2e/test-*.sh tests/bad/test-*.sh tests/fuzz/test-*.sh tests/delegate/test-*.sh tests/driver/test-*.sh tests/arm64/test-*.sh tests/style/test-*.sh; do
	[ -f "$t" ] || continue
	tmo=1800
	# the arm64 oracle runs under qemu-user: about 30 s here, 5 minutes at most
	[ "$t" = tests/oracle/test-arm64.sh ] && tmo=300
	# the proofs and their mutants: about a minute here
	[ "$t" = tests/formal/test-formal.sh ] && tmo=900
	run_one "${t#tests/}" "$tmo" bash "$t"
done

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]} (logs in $logdir)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
