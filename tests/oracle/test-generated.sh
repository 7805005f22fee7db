#!/usr/bin/env bash
# Generated MobileNet v1 models (mbn-gen, seeded random weights, calibrated quantization):
# output bytes identical to TensorFlow Lite 2.9 for the alpha x size grid of the
# foundation issue, odd widths and sizes, and int8 per-channel.
source "$(dirname "$0")/../lib.sh"
DEV=${MBN_DEVICE:-cpu}
GEN=$BUILD/bin/mbn-gen
require "$ORACLE" "$GEN" "$BUILD/bin/mbn-classify"
check() { # name inputs-count gen-args...
	local name=$1 count=$2
	shift 2
	local model=$TMP/model.tflite
	if ! "$GEN" "$@" -o "$model" 2>"$TMP/err"; then fail "$name" "mbn-gen failed: $(head -c 300 "$TMP/err")"; return; fi
	local size
	size=$("$ORACLE" -m "$model" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i}}')
	random_inputs "$TMP/in.raw" "$size" "$count" "$seed"
	bitexact "$name" "$DEV" "$TMP/in.raw" "$model"
}
seed=1
for alpha in 0.25 0.5 0.75 1.0; do
	for size in 128 160 192 224; do
		check "alpha $alpha size $size uint8" 2 --alpha $alpha --size $size --seed $seed
		seed=$((seed + 1))
	done
done
for spec in "0.6 97" "1.3 225" "0.6 225" "1.3 97" "0.1 16" "0.35 33"; do
	set -- $spec
	check "alpha $1 size $2 uint8" 2 --alpha "$1" --size "$2" --seed $seed
	check "alpha $1 size $2 int8 per-channel" 2 --alpha "$1" --size "$2" --int8 --seed $seed
	seed=$((seed + 1))
done
for alpha in 0.25 0.5 0.75 1.0; do
	check "alpha $alpha size 160 int8 per-channel" 2 --alpha $alpha --size 160 --int8 --seed $seed
	seed=$((seed + 1))
done
check "alpha 0.5 size 128 squeeze head, 10 classes" 2 --alpha 0.5 --size 128 --head squeeze --classes 10 --seed $seed
finish
