#!/usr/bin/env bash
# Fuzz the .tflite loader (and the CPU operators of whatever loads) with libFuzzer under
# ASan/UBSan: build-fuzz/fuzz-loader (make fuzz) from tests/fuzz/fuzz-loader.c.
#
# Seed corpus (tests/fuzz/corpus-gen.sh, built in $TMP): the real 0.25_128 model, the
# 1.0_224 head, chained pairs, and small models from mbn-gen. Runs for FUZZ_SECONDS
# (default 60). A crash, leak, timeout or out-of-memory makes libFuzzer exit non-zero
# and write its reproducer; the reproducers are kept under build/test-logs/fuzz/ and the
# check FAILs naming them (replay one with: build-fuzz/fuzz-loader FILE).
source "$(dirname "$0")/../lib.sh"
FUZZER=$ROOT/build-fuzz/fuzz-loader
require "$FUZZER" "$MODELS/mobilenet_v1_0.25_128_quant.tflite" "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite"
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
KEEP=$ROOT/build/test-logs/fuzz
mkdir -p "$KEEP"

n=$(bash "$ROOT/tests/fuzz/corpus-gen.sh" "$TMP/corpus" 2>"$TMP/gen-err")
if [ -z "$n" ] || [ "$n" -lt 2 ]; then
	fail "fuzz seed corpus" "corpus-gen.sh made ${n:-no} seeds: $(head -c 300 "$TMP/gen-err")"
	finish
fi
if [ -s "$TMP/gen-err" ]; then
	fail "fuzz seed corpus" "$(head -c 300 "$TMP/gen-err")"
else
	pass "fuzz seed corpus ($n seeds)"
fi

# Every seed once, alone: a seed that crashes is a plain regression, named as such.
mkdir -p "$TMP/art"
"$FUZZER" -runs=0 -rss_limit_mb=4096 -max_len=2000000 -artifact_prefix="$TMP/art/" "$TMP/corpus" >"$TMP/seeds.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	cp "$TMP/seeds.log" "$KEEP/seeds.log"
	cp "$TMP"/art/* "$KEEP/" 2>/dev/null
	fail "fuzz seeds replay" "fuzz-loader exit $rc on the seed corpus; log in $KEEP/seeds.log: $(grep -m1 -E 'ERROR|runtime error' "$TMP/seeds.log")"
	finish
fi
pass "fuzz seeds replay (every seed loads/fails cleanly)"

"$FUZZER" -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=4096 -max_len=2000000 -timeout=120 \
	-print_final_stats=1 -artifact_prefix="$TMP/art/" "$TMP/corpus" >"$TMP/fuzz.log" 2>&1
rc=$?
runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$TMP/fuzz.log" | grep -o '[0-9]*$')
cov=$(grep -o 'cov: [0-9]*' "$TMP/fuzz.log" | tail -1)
arts=("$TMP"/art/*)
if [ $rc -ne 0 ] || [ -e "${arts[0]}" ]; then
	cp "$TMP/fuzz.log" "$KEEP/fuzz.log"
	kept=()
	for a in "${arts[@]}"; do
		[ -e "$a" ] || continue
		cp "$a" "$KEEP/"
		kept+=("$KEEP/$(basename "$a")")
	done
	fail "fuzz-loader ${SECONDS_TO_RUN}s" "exit $rc; reproducer(s): ${kept[*]:-none written}; log $KEEP/fuzz.log: $(grep -m1 -E 'ERROR|runtime error|Sanitizer' "$TMP/fuzz.log")"
else
	pass "fuzz-loader ${SECONDS_TO_RUN}s without a crash (${runs:-?} runs, ${cov:-cov ?})"
fi
finish
