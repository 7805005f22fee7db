#!/usr/bin/env bash
# Bad exported models (tests/bad/gen-bad-exported.py: paddings negative, huge, on the
# channels or computed at run time, MEAN over the channels or a run-time axis, QUANTIZE
# to int16, DEQUANTIZE inside the network, a float32 filter, depth multipliers that do
# not match, shape arithmetic on activations or out of range, a custom operator, a
# residual ADD, ...) through the ASan/UBSan build of mbn-info and mbn-classify: each
# must exit 1 or 2 with no sanitizer report and a message naming the problem.
source "$(dirname "$0")/../lib.sh"
INFO=$SANBUILD/bin/mbn-info
CLS=$SANBUILD/bin/mbn-classify
require "$INFO" "$CLS"
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=98:print_stacktrace=1:halt_on_error=1}
SANRE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|Sanitizer'
python3 "$ROOT/tests/bad/gen-bad-exported.py" "$TMP/m" >"$TMP/list" || { fail "gen-bad-exported.py" "failed"; finish; }
n=0
while IFS='|' read -r f words; do
	n=$((n + 1))
	name=$(basename "$f" .tflite)
	for tool in info classify; do
		if [ $tool = info ]; then "$INFO" -d cpu -m "$f" >"$TMP/out" 2>"$TMP/err"; else
			"$CLS" -d cpu -m "$f" --raw "$f" >"$TMP/out" 2>"$TMP/err"; fi
		rc=$?
		if grep -qE "$SANRE" "$TMP/err"; then fail "$name ($tool)" "sanitizer report: $(grep -m1 -E "$SANRE" "$TMP/err")"; continue; fi
		if [ $rc -ne 1 ] && [ $rc -ne 2 ]; then fail "$name ($tool)" "exit status $rc; stderr: $(head -c 300 "$TMP/err")"; continue; fi
		ok=1
		IFS='|' read -ra ws <<<"$words"
		for w in "${ws[@]}"; do
			grep -qF -- "$w" "$TMP/err" || { fail "$name ($tool)" "message does not mention '$w': $(head -c 300 "$TMP/err")"; ok=0; break; }
		done
		[ $ok = 1 ] && pass "$name ($tool, exit $rc: $(head -1 "$TMP/err" | cut -c1-160))"
	done
done <"$TMP/list"
[ "$n" -ge 20 ] || fail "case count" "only $n cases"
finish
