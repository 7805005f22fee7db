#!/usr/bin/env bash
# --match x86|arm64|native in mbn-classify, mbn-info and mbn-bench: parsed with
# mbn_match_parse (aliases x86-64, x86_64, amd64, aarch64), a clear message and exit 2
# for anything else, and the build matched is reported (mbn-info text and JSON,
# mbn-bench and mbn-classify JSON); native is the architecture this runs on.
source "$(dirname "$0")/../lib.sh"
CLS=$BUILD/bin/mbn-classify
INFO=$BUILD/bin/mbn-info
BENCH=$BUILD/bin/mbn-bench
Q=$MODELS/mobilenet_v1_0.25_128_quant.tflite
require "$CLS" "$INFO" "$BENCH" "$BUILD/bin/mbn-gen" "$Q" "$IMAGES/cat.bmp"
cd "$TMP"
"$BUILD/bin/mbn-gen" --alpha 0.25 --size 32 --int8 --classes 10 -o small.tflite || fail "mbn-gen" "no model"
case "$(uname -m)" in
x86_64 | amd64) native=x86 ;;
aarch64 | arm64) native=arm64 ;;
*) native=unknown ;;
esac

# ---- parse errors -------------------------------------------------------------------
for bad in bogus ARM64 x86-32 "" arm; do
	for tool in mbn-classify mbn-info mbn-bench; do
		case $tool in
		mbn-classify) cmd=("$CLS" -d cpu -m "$Q" --match "$bad" "$IMAGES/cat.bmp") ;;
		mbn-info) cmd=("$INFO" -d cpu -m "$Q" --match "$bad") ;;
		mbn-bench) cmd=("$BENCH" -d cpu -m small.tflite --runs 1 --match "$bad") ;;
		esac
		"${cmd[@]}" >out 2>err; rc=$?
		if [ $rc -eq 2 ] && grep -qF "$tool: --match '$bad': expected x86, arm64 or native" err && [ ! -s out ]; then
			pass "$tool --match '$bad': exit 2, says what is expected"
		else fail "$tool --match '$bad'" "rc=$rc err=$(head -c 200 err) out=$(head -c 100 out)"; fi
	done
done
"$INFO" -d cpu -m "$Q" --match >out 2>err; rc=$?
[ $rc -eq 2 ] && grep -q "match" err && pass "mbn-info --match without a value: exit 2" || fail "--match without a value" "rc=$rc $(cat err)"

# ---- accepted names and what is reported ----------------------------------------------
for spec in x86:x86 x86-64:x86 x86_64:x86 amd64:x86 arm64:arm64 aarch64:arm64 native:$native; do
	name=${spec%%:*} want=${spec#*:}
	out=$("$INFO" -d cpu -m "$Q" --match "$name" 2>err)
	j=$("$INFO" -d cpu -m "$Q" --match "$name" --json 2>>err | python3 -c 'import json,sys; print(json.load(sys.stdin)["match"])' 2>>err)
	if grep -q "^match  $want: the arithmetic of TensorFlow Lite 2.9" <<<"$out" && [ "$j" == "$want" ]; then
		pass "mbn-info --match $name: reports $want (text and JSON)"
	else fail "mbn-info --match $name" "want $want; text: $(grep '^match' <<<"$out") json: $j $(head -c 200 err)"; fi
done
out=$("$INFO" -d cpu -m "$Q" 2>&1)
grep -q "^match  $native:" <<<"$out" && grep -q "^device cpu" <<<"$out" && pass "mbn-info default: native ($native), device cpu" ||
	fail "mbn-info default match" "$(head -4 <<<"$out")"

j=$("$CLS" -d cpu -m "$Q" --match arm64 --json -k 1 "$IMAGES/cat.bmp" 2>err | python3 -c 'import json,sys; print(json.load(sys.stdin)["match"])' 2>>err)
[ "$j" == arm64 ] && pass "mbn-classify --match arm64 --json: \"match\": \"arm64\"" || fail "mbn-classify --json match" "$j $(head -c 200 err)"
j=$("$BENCH" -d cpu -m small.tflite --runs 1 --match aarch64 --json 2>err | python3 -c 'import json,sys; print(json.load(sys.stdin)["match"])' 2>>err)
[ "$j" == arm64 ] && pass "mbn-bench --match aarch64 --json: \"match\": \"arm64\"" || fail "mbn-bench --json match" "$j $(head -c 200 err)"
out=$("$BENCH" -d cpu -m small.tflite --runs 1 --match x86 2>&1)
grep -q "arithmetic of TFLite 2.9 for x86" <<<"$out" && pass "mbn-bench text names the build matched" || fail "mbn-bench text match" "$(head -3 <<<"$out")"

# ---- native is the running architecture: same bytes as naming it ----------------------
rm -f n.raw a.raw
"$CLS" -d cpu -m "$Q" --out-raw n.raw "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" >/dev/null 2>err
"$CLS" -d cpu -m "$Q" --match "$native" --out-raw a.raw "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" >/dev/null 2>>err
[ -s n.raw ] && cmp -s n.raw a.raw && pass "mbn-classify: default output = --match $native output" || fail "native = $native" "$(cmp n.raw a.raw 2>&1) $(head -c 200 err)"
for m in x86 arm64; do
	rm -f o.raw
	"$CLS" -d cpu -m "$Q" --match $m --out-raw o.raw "$IMAGES/cat.bmp" >/dev/null 2>err && [ "$(stat -c %s o.raw)" -eq 1001 ] &&
		pass "mbn-classify --match $m classifies (1001 output bytes)" || fail "mbn-classify --match $m" "$(head -c 200 err)"
done
finish
