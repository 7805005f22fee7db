#!/usr/bin/env bash
# The operators of exported MobileNet v1 files, each alone or in the small chains the
# converters write (tests/oracle/gen-exported.py: MEAN in all four TFLite 2.9 code paths,
# PAD/PADV2 before convolutions (folded) and alone, QUANTIZE from float and between
# int8/uint8, DEQUANTIZE to float, the Keras SHAPE/STRIDED_SLICE/PACK/RESHAPE head,
# depthwise multipliers), on random inputs: output bytes identical to TensorFlow Lite
# 2.9 on the cpu device and on the simulated accelerator. Per-channel FULLY_CONNECTED,
# which TFLite 2.9 computes wrongly, must equal TFLite on the same weights as a 1x1
# CONV_2D, and say so in a warning.
source "$(dirname "$0")/../lib.sh"
require "$ORACLE" "$BUILD/bin/mbn-classify" "$ROOT/tests/oracle/gen-exported.py"
DEVS=${MBN_DEVICES:-cpu sim}
python3 "$ROOT/tests/oracle/gen-exported.py" "$TMP/m" >"$TMP/list" || { fail "gen-exported.py" "failed"; finish; }

insize() { "$ORACLE" -m "$1" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}'; }
# float_inputs FILE COUNT ELEMS SEED: floats over [-8, 8), a quarter of them exactly on
# a multiple of 1/64 (ties for the quantization rounding), and the first few NaN, +-inf
# and out of the int32 range (TFLite's undefined conversion, as the x86 build does it)
float_inputs() {
	python3 - "$@" <<'PY'
import random, struct, sys
path, n, k, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = random.Random(seed)
vals = [r.randint(-512, 511) / 64.0 if r.random() < 0.25 else r.uniform(-8, 8) for _ in range(n * k)]
vals[:7] = [float('nan'), float('inf'), -float('inf'), 3e38, -3e38, 1e10, -1e10]
open(path, 'wb').write(struct.pack('<%df' % len(vals), *vals))
PY
}

while read -r f; do
	name=$(basename "$f" .tflite)
	case "$name" in fcpc-conv-*) continue ;; esac
	sz=$(insize "$f")
	if [ -z "$sz" ]; then fail "$name" "TFLite cannot load it"; continue; fi
	case "$name" in
	quantize-f32-*) float_inputs "$TMP/x.raw" 4 $((sz / 4)) 5 ;;
	*) random_inputs "$TMP/x.raw" "$sz" 4 5 ;;
	esac
	if [[ "$name" == fcpc-fc-* ]]; then
		# ours on the FULLY_CONNECTED form = TFLite on the CONV_2D form
		conv="${f/fcpc-fc-/fcpc-conv-}"
		"$ORACLE" -m "$conv" -i "$TMP/x.raw" -o "$TMP/theirs.raw" || { fail "$name" "TFLite failed on $conv"; continue; }
		split -a 2 -d -b "$sz" "$TMP/x.raw" "$TMP/fc."
		for dev in $DEVS; do
			rm -f "$TMP/ours.raw"
			if ! "$BUILD/bin/mbn-classify" -d "$dev" -m "$f" --raw --out-raw "$TMP/ours.raw" "$TMP"/fc.?? >/dev/null 2>"$TMP/err"; then
				fail "$name on $dev" "mbn-classify failed: $(head -c 300 "$TMP/err")"; continue
			fi
			if ! grep -q "per-channel" "$TMP/err"; then
				fail "$name on $dev" "no warning that TFLite 2.9 differs: $(head -c 300 "$TMP/err")"
			elif cmp -s "$TMP/ours.raw" "$TMP/theirs.raw"; then
				pass "$name on $dev (= TFLite 2.9 on the same weights as a 1x1 CONV_2D, warning printed)"
			else
				fail "$name on $dev" "differs from the 1x1 CONV_2D form: $(cmp -l "$TMP/ours.raw" "$TMP/theirs.raw" | wc -l) bytes"
			fi
		done
		rm -f "$TMP"/fc.??
		continue
	fi
	for dev in $DEVS; do
		bitexact "$name on $dev" "$dev" "$TMP/x.raw" "$f"
	done
done <"$TMP/list"
# The folded PADs and the depthwise multipliers run on the accelerator (not the CPU).
for f in "$TMP"/m/pad-dw-*.tflite "$TMP"/m/pad-conv-*.tflite "$TMP"/m/dwmult-*c1-*.tflite; do
	name=$(basename "$f" .tflite)
	if "$BUILD/bin/mbn-info" -d sim -m "$f" >"$TMP/info" 2>&1 && grep -qE '^ +0 (CONV_2D|DEPTHWISE_CONV_2D) .* accel' "$TMP/info"; then
		pass "$name: the convolution runs on the accelerator"
	else
		fail "$name" "the convolution does not run on the accelerator: $(grep -E '^ +0 ' "$TMP/info" | head -1)"
	fi
done
finish
