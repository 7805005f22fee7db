#!/usr/bin/env bash
# tests/sim/test-sim.sh: the simulator tests (hw/sim). Builds the C model tests, the
# harness against the stub RTL, the real simulator library (default parameters and the
# LANES = 32, 64, 128 variants) and runs the RTL-vs-C-model tests. One PASS/FAIL line per
# check; nothing skips: a missing verilator or RTL is a FAIL.
#   tests/sim/test-sim.sh [ITER] [ITER_MAC512] [ITER_MAC1024] [ITER_MAC2048]
#   (random chains per size; default 40, 16, 8 and 4)
set -u
cd "$(dirname "$0")/../.."
B=${MBN_BUILD:-build}
ITER=${1:-40}
ITER512=${2:-16}
ITER1024=${3:-8}
ITER2048=${4:-4}
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
	# LANES = 32, 64, 128 (sim:mac=512, 1024, 2048; the libraries the sim backend loads
	# for them): lint and the same RTL-vs-C-model checks, with fewer random chains as the
	# array grows (CI time); names macN-*.
	for cfg in "512 32 $ITER512" "1024 64 $ITER1024" "2048 128 $ITER2048"; do
		set -- $cfg; mac=$1 lanes=$2 iter=$3
		if make --no-print-directory BUILD="$B" lint SIM_PARAMS="-GLANES=$lanes" >"$B/test-logs/sim-lint-mac$mac.log" 2>&1; then
			echo "PASS sim-lint-mac$mac"
		else
			failed sim-lint-mac$mac "verilator --lint-only -Wall -GLANES=$lanes, see $B/test-logs/sim-lint-mac$mac.log"
		fi
		if make --no-print-directory BUILD="$B" sim SIM_CONFIG=mac$mac SIM_PARAMS="-GLANES=$lanes" >>"$log" 2>&1; then
			echo "PASS sim-build-mac$mac"
			"$B/tests-sim/sim-rtl" "build/lib/libmbnsim-mac$mac.so" "$iter" 5 | sed -u "s/^\(PASS\|FAIL\) /\1 mac$mac-/"
			rc=${PIPESTATUS[0]}
			[ "$rc" -ne 0 ] && failed sim-rtl-mac$mac "exit status $rc"
		else
			failed sim-build-mac$mac "see $log"; grep -m5 -E '%Error|error' "$log"
		fi
	done
fi
[ $fails -eq 0 ]
