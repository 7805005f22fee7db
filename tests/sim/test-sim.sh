#!/usr/bin/env bash
# tests/sim/test-sim.sh: the simulator tests (hw/sim). Builds the C model tests, the
# harness against the stub RTL, the real simulator library (default parameters and a
# LANES=32 variant) and runs the RTL-vs-C-model tests. One PASS/FAIL line per check;
# nothing skips: a missing verilator or RTL is a FAIL.
#   tests/sim/test-sim.sh [ITERATIONS]      (default 40 random chains)
set -u
cd "$(dirname "$0")/../.."
B=${MBN_BUILD:-build}
ITER=${1:-40}
fails=0
log=$B/test-logs/sim-build.log
mkdir -p "$B/test-logs"
failed() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
run() { # name command...: forward PASS/FAIL lines; non-zero exit without FAIL is a FAIL
	local name=$1; shift
	"$@"; local rc=$?
	[ $rc -ne 0 ] && failed "$name" "exit status $rc" 
	return 0
}

if ! command -v verilator >/dev/null; then
	failed sim-verilator "verilator not installed (apt-get install verilator)"
else
	echo "PASS sim-verilator $(verilator --version | head -1)"
fi

if make --no-print-directory BUILD="$B" regs sim-test >"$log" 2>&1; then
	echo "PASS sim-build-tests"
	run sim-cmodel "$B/tests-sim/sim-cmodel"
else
	failed sim-build-tests "see $log"; tail -5 "$log"
fi

if make --no-print-directory BUILD="$B" sim-stub >>"$log" 2>&1; then
	echo "PASS sim-build-stub"
	run sim-harness "$B/tests-sim/sim-harness" "build/lib/libmbnsim-stub.so"
else
	failed sim-build-stub "see $log"; tail -5 "$log"
fi

if [ ! -f hw/rtl/mbnaccel_top.v ]; then
	failed sim-rtl "hw/rtl/mbnaccel_top.v missing"
else
	if make --no-print-directory BUILD="$B" lint >"$B/test-logs/sim-lint.log" 2>&1; then
		echo "PASS sim-lint"
	else
		failed sim-lint "verilator --lint-only -Wall: $(grep -c '%Warning\|%Error' "$B/test-logs/sim-lint.log") messages, see $B/test-logs/sim-lint.log"
	fi
	if make --no-print-directory BUILD="$B" sim >>"$log" 2>&1; then
		echo "PASS sim-build"
		run sim-rtl "$B/tests-sim/sim-rtl" "build/lib/libmbnsim.so" "$ITER" 1
	else
		failed sim-build "see $log"; grep -m5 -E '%Error|error' "$log"
	fi
	# Other MAC array sizes (LANES != 16) are not supported by this RTL version
	# (hw/rtl/README.md); the sim backend refuses mac= values other than 256.
fi
[ $fails -eq 0 ]
