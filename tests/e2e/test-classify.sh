#!/usr/bin/env bash
# mbn-classify as a user runs it: grace_hopper.bmp with the chained 1.0-224 pair must
# print "military uniform" first; options -k, --json, --labels, --out-raw behave.
source "$(dirname "$0")/../lib.sh"
require "$BUILD/bin/mbn-classify" "$MODELS" "$IMAGES"
cd "$ROOT"
SH=$(realpath --relative-to="$ROOT" "$SHARED")
EMB=$SH/models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite
HEAD=$SH/models/mobilenet_v1_1.0_224_quant_head_layers.tflite

# Exactly as the README tells a user to type it (labels found beside the model).
out=$(build/bin/mbn-classify -m "$EMB" -m "$HEAD" "$SH/images/grace_hopper.bmp" 2>&1)
first=$(echo "$out" | sed -n 2p)
if [[ "$first" == *"653  military uniform" ]]; then pass "grace_hopper: first is 653 military uniform"
else fail "grace_hopper" "first line is '$first'"; fi
n=$(echo "$out" | grep -cE '^ +[0-9.]+ +[0-9]+ ')
[ "$n" -eq 5 ] && pass "default top-5" || fail "default top-5" "printed $n classes"

out=$(build/bin/mbn-classify -m "$EMB" -m "$HEAD" -k 3 --json "$SH/images/grace_hopper.bmp" "$SH/images/cat.bmp")
if python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
assert len(lines) == 2, lines
a = json.loads(lines[0]); b = json.loads(lines[1])
assert len(a["top"]) == 3 and a["top"][0]["index"] == 653 and a["top"][0]["label"] == "military uniform"
p = [t["probability"] for t in a["top"]]; assert p == sorted(p, reverse=True) and 0 < p[0] <= 1
assert abs(a["top"][0]["probability"] - a["top"][0]["score"] / 256) < 1e-6
assert "cat" in b["top"][0]["label"], b["top"][0]
' <<<"$out"; then pass "--json -k 3 on two images"; else fail "--json" "unexpected output: $(head -c 400 <<<"$out")"; fi

# --labels given explicitly, and a model directory without labels prints "class N".
cp "$SH/models/mobilenet_v1_0.25_128_quant.tflite" "$TMP/m.tflite"
out=$(build/bin/mbn-classify -m "$TMP/m.tflite" -k 1 "$SH/images/cat.bmp")
[[ $(echo "$out" | sed -n 2p) =~ ^\ +[0-9.]+\ +([0-9]+)\ +class\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" == "${BASH_REMATCH[2]}" ] && pass "no labels file: \"class N\"" || fail "no labels" "$out"
out=$(build/bin/mbn-classify -m "$TMP/m.tflite" --labels "$SH/models/imagenet_labels.txt" -k 1 "$SH/images/cat.bmp")
[[ $(echo "$out" | sed -n 2p) == *cat* ]] && pass "--labels" || fail "--labels" "$out"

# --out-raw appends one output per input; --raw round-trips the saved input.
rm -f "$TMP/o.raw" "$TMP/i.raw"
build/bin/mbn-classify -m "$TMP/m.tflite" --save-input "$TMP/i.raw" --out-raw "$TMP/o.raw" "$SH/images/owl.jpg" "$SH/images/bird.bmp" >/dev/null
[ "$(stat -c %s "$TMP/o.raw")" -eq 2002 ] && pass "--out-raw appends 1001 bytes per input" || fail "--out-raw" "size $(stat -c %s "$TMP/o.raw")"
head -c $((128 * 128 * 3)) "$TMP/i.raw" > "$TMP/owl.raw"
a=$(build/bin/mbn-classify -m "$TMP/m.tflite" --raw "$TMP/owl.raw" | sed -n 2,6p)
b=$(build/bin/mbn-classify -m "$TMP/m.tflite" "$SH/images/owl.jpg" | sed -n 2,6p)
[ "$a" == "$b" ] && pass "--raw of the saved tensor gives the same result as the image" || fail "--raw" "$a vs $b"

# One bad input among good ones: the good ones are still classified, exit status 1.
echo "not an image" > "$TMP/bad.jpg"
out=$(build/bin/mbn-classify -m "$TMP/m.tflite" "$SH/images/cat.bmp" "$TMP/bad.jpg" "$SH/images/owl.jpg" 2>"$TMP/err"); rc=$?
if [ $rc -ne 0 ] && [ "$(echo "$out" | grep -c ':$')" -eq 2 ] && grep -q bad.jpg "$TMP/err"; then
	pass "bad input among good ones: others classified, exit $rc"
else fail "bad input among good ones" "rc=$rc out=$out err=$(cat "$TMP/err")"; fi
finish
