#!/usr/bin/env bash
# The four real MobileNet v1 models (the 1.0-224 one as its two chained files) on every
# image in ../shared/images: output bytes identical to TensorFlow Lite 2.9.
source "$(dirname "$0")/../lib.sh"
DEV=${MBN_DEVICE:-cpu}
require "$ORACLE" "$BUILD/bin/mbn-classify" "$MODELS" "$IMAGES"
images=("$IMAGES"/*.bmp "$IMAGES"/*.jpg)
# MBN_IMAGES="a.bmp b.jpg": a subset (the simulated RTL is slower than the CPU).
if [ -n "${MBN_IMAGES:-}" ]; then images=(); for i in $MBN_IMAGES; do images+=("$IMAGES/$i"); done; fi
run_model() { # name model files...
	local name=$1
	shift
	local margs=() m
	for m in "$@"; do margs+=(-m "$m"); done
	rm -f "$TMP/inputs.raw"
	if ! "$BUILD/bin/mbn-classify" -d cpu "${margs[@]}" --save-input "$TMP/inputs.raw" "${images[@]}" >/dev/null 2>"$TMP/err"; then
		fail "$name" "preparing inputs failed: $(head -c 300 "$TMP/err")"; return
	fi
	bitexact "$name on $DEV, ${#images[@]} images" "$DEV" "$TMP/inputs.raw" "$@"
}
run_model "mobilenet_v1_0.25_128" "$MODELS/mobilenet_v1_0.25_128_quant.tflite"
run_model "mobilenet_v1_0.5_160" "$MODELS/mobilenet_v1_0.5_160_quant.tflite"
run_model "mobilenet_v1_0.75_192" "$MODELS/mobilenet_v1_0.75_192_quant.tflite"
run_model "mobilenet_v1_1.0_224 (two chained files)" "$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite" \
	"$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite"
# Each half alone too: the embedding extractor ends in the average pool, the head starts
# with the 1x1 classifier conv.
[ -n "${MBN_QUICK:-}" ] || run_model "mobilenet_v1_1.0_224 embedding extractor alone" "$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"
random_inputs "$TMP/pool.raw" 1024 16 7
bitexact "mobilenet_v1_1.0_224 head alone, 16 random embeddings" "$DEV" "$TMP/pool.raw" "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite"
# Random (not image-like) inputs exercise saturation and clamps.
random_inputs "$TMP/rand.raw" $((128 * 128 * 3)) 8 11
bitexact "mobilenet_v1_0.25_128, 8 random inputs" "$DEV" "$TMP/rand.raw" "$MODELS/mobilenet_v1_0.25_128_quant.tflite"
finish
