#!/usr/bin/env bash
# The tools on exported models, as a user runs them: mbn-classify on images with the
# real Keras export (1-channel int8 input scaled to [0, 1], 2 classes) and with a float
# in/out Keras-style model, identical to TFLite 2.9 on the tensors mbn-classify prepares
# (cpu and sim); labels of a 2-class model; mbn-info and mbn-bench on the Keras export
# (folded PADs, why the tail stays on the CPU, the accelerator's share of the MACs).
source "$(dirname "$0")/../lib.sh"
CLS=$BUILD/bin/mbn-classify
VWW=$MODELS/vww_96_int8_keras.tflite
require "$CLS" "$BUILD/bin/mbn-info" "$BUILD/bin/mbn-bench" "$BUILD/bin/mbn-gen" "$ORACLE" "$VWW"
imgs=("$IMAGES/grace_hopper.bmp" "$IMAGES/cat.bmp" "$IMAGES/owl.jpg")

for dev in cpu sim; do
	rm -f "$TMP/in.raw"
	if ! "$CLS" -d "$dev" -m "$VWW" --save-input "$TMP/vwwin.raw" "${imgs[@]}" >"$TMP/out" 2>"$TMP/err"; then
		fail "vww classify on $dev" "$(head -c 300 "$TMP/err")"; continue
	fi
	if [ "$(grep -c 'class [01]$' "$TMP/out")" -eq 6 ]; then
		pass "vww classify on $dev: 2 classes per image printed as 'class N' (no labels file)"
	else
		fail "vww classify on $dev" "unexpected output: $(head -c 300 "$TMP/out")"
	fi
	bitexact "vww on $dev, the prepared image tensors" "$dev" "$TMP/vwwin.raw" "$VWW"
	rm -f "$TMP/vwwin.raw"
done
# the prepared tensor of a flat RGB (200, 100, 50) image is its BT.601 luma (Pillow's
# integer formula) - 128 everywhere (scale 1/255, zero point -128: pixel / 255)
python3 -c "open('$TMP/flat.ppm', 'wb').write(b'P6 40 30 255\n' + bytes([200, 100, 50]) * 1200)"
rm -f "$TMP/g.raw"
"$CLS" -d cpu -m "$VWW" --save-input "$TMP/g.raw" "$TMP/flat.ppm" >/dev/null 2>&1
want=$(( ((200 * 19595 + 100 * 38470 + 50 * 7471 + 32768) >> 16) - 128 ))
if python3 -c "
d = open('$TMP/g.raw', 'rb').read()
import sys; sys.exit(0 if len(d) == 96 * 96 and set(d) == {($want) & 0xff} else 1)"; then
	pass "vww input tensor of a flat (200, 100, 50) image: 9216 bytes of luma - 128 = $want"
else
	fail "vww input tensor" "$(stat -c %s "$TMP/g.raw" 2>/dev/null) bytes, values $(od -An -tu1 -N8 "$TMP/g.raw")"
fi
printf 'no person\nperson\n' >"$TMP/vww_labels.txt"
if "$CLS" -d cpu -m "$VWW" --labels "$TMP/vww_labels.txt" "$IMAGES/cat.bmp" 2>&1 | grep -q 'no person'; then
	pass "vww with a 2-line labels file prints its labels"
else
	fail "vww labels" "$("$CLS" -d cpu -m "$VWW" --labels "$TMP/vww_labels.txt" "$IMAGES/cat.bmp" 2>&1 | head -3)"
fi

# float input and output
"$BUILD/bin/mbn-gen" --style keras --alpha 0.25 --size 64 --in-type float32 --out-type float32 --classes 5 --seed 8 -o "$TMP/f.tflite"
for dev in cpu sim; do
	if "$CLS" -d "$dev" -m "$TMP/f.tflite" --json --save-input "$TMP/fin.raw" "${imgs[@]}" >"$TMP/out" 2>"$TMP/err"; then
		pass "float model classify on $dev ($(head -c 120 "$TMP/out"))"
	else
		fail "float model classify on $dev" "$(head -c 300 "$TMP/err")"; continue
	fi
	bitexact "float in/out model on $dev, the prepared image tensors (floats)" "$dev" "$TMP/fin.raw" "$TMP/f.tflite"
	rm -f "$TMP/fin.raw"
done

"$BUILD/bin/mbn-info" -d sim -m "$VWW" >"$TMP/info" 2>&1
n=$(grep -c '\[PAD folded\]' "$TMP/info")
if [ "$n" -eq 5 ] && grep -q 'cpu: pooling, classifier and softmax run on the CPU' "$TMP/info" &&
	grep -q 'cpu: the classifier' "$TMP/info"; then
	pass "mbn-info on the Keras export: 5 PADs folded, the CPU layers say why"
else
	fail "mbn-info on the Keras export" "$n PAD folded; $(grep cpu: "$TMP/info" | head -2)"
fi
share=$("$BUILD/bin/mbn-bench" -d sim -m "$VWW" --runs 1 --json | python3 -c "import json, sys; print(json.load(sys.stdin)['accel_mac_share'])")
if python3 -c "import sys; sys.exit(0 if float('$share') >= 0.95 else 1)" 2>/dev/null; then
	pass "mbn-bench on the Keras export: accelerator share $share of the MACs (>= 0.95)"
else
	fail "mbn-bench share" "accel_mac_share '$share'"
fi
finish
