#!/usr/bin/env bash
# The two TFLite builds: libmbnaccel loaded with match arm64 gives the bytes of TensorFlow
# Lite 2.9's linux arm64 library (run under qemu-user by tests/oracle/tflite-run-arm64),
# and with match x86 those of the x86-64 library, on the real models, generated models
# and single operators, on the cpu device and (arm64 and x86) on the simulated
# accelerator. Where the two oracles differ for a case the check says how many bytes:
# those are the ones the arm64 arithmetic (lib/src/kernels/cpu_ops.c) must get right.
# Prerequisites are failures, never skips: qemu-aarch64 (tests/deps.sh), the arm64
# oracle (tests/oracle/fetch.sh, make tests), the simulator library.
source "$(dirname "$0")/../lib.sh"
ORACLE_ARM64=$ROOT/tests/oracle/tflite-run-arm64
RUN=$BUILD/bin/mbn-run-match
GEN=$BUILD/bin/mbn-gen
if ! command -v qemu-aarch64 >/dev/null; then
	echo "FAIL prerequisite: qemu-aarch64 not found (tests/deps.sh installs qemu-user)"
	exit 1
fi
require "$ORACLE" "$RUN" "$GEN" "$MODELS" "$BUILD/bin-arm64/tflite-run" "$ROOT/build/oracle/lib-arm64/libtensorflowlite_c.so"
SIM_LIB=${MBN_SIM_LIB:-$BUILD/lib/libmbnsim.so}
require "$SIM_LIB"
export MBN_SIM_LIB=$SIM_LIB
if ! "$ORACLE_ARM64" -m "$MODELS/mobilenet_v1_0.25_128_quant.tflite" --info >/dev/null 2>"$TMP/err"; then
	echo "FAIL prerequisite: the arm64 oracle does not run: $(head -c 300 "$TMP/err")"
	exit 1
fi

# input_bytes MODEL...: the first model's input tensor size.
input_bytes() {
	local margs=() m
	for m in "$@"; do margs+=(-m "$m"); done
	"$ORACLE" "${margs[@]}" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}'
}

# match NAME DEVICES INPUTS MODEL...: both oracles on INPUTS; mbn-run-match with each
# match in $MATCHES (default x86 and arm64) on each device in DEVICES ("cpu" or
# "cpu sim"); every output byte equal.
match() {
	local name=$1 devs=$2 inputs=$3
	shift 3
	local margs=() m
	for m in "$@"; do margs+=(-m "$m"); done
	rm -f "$TMP/x86.raw" "$TMP/arm.raw"
	if ! "$ORACLE" "${margs[@]}" -i "$inputs" -o "$TMP/x86.raw" 2>"$TMP/err"; then
		fail "$name" "x86 TFLite failed: $(head -c 300 "$TMP/err")"; return
	fi
	if ! "$ORACLE_ARM64" "${margs[@]}" -i "$inputs" -o "$TMP/arm.raw" 2>"$TMP/err"; then
		fail "$name" "arm64 TFLite failed: $(head -c 300 "$TMP/err")"; return
	fi
	local differ bytes
	differ=$(cmp -l "$TMP/x86.raw" "$TMP/arm.raw" | wc -l)
	bytes=$(stat -c %s "$TMP/arm.raw")
	local dev mt ref
	for dev in $devs; do
		for mt in ${MATCHES:-x86 arm64}; do
			ref=$TMP/x86.raw
			[ $mt = arm64 ] && ref=$TMP/arm.raw
			rm -f "$TMP/ours.raw"
			if ! "$RUN" -d "$dev" --match $mt "${margs[@]}" -i "$inputs" -o "$TMP/ours.raw" 2>"$TMP/err"; then
				fail "$name [$dev, match $mt]" "mbn-run-match failed: $(head -c 300 "$TMP/err")"
				continue
			fi
			if cmp -s "$TMP/ours.raw" "$ref"; then
				pass "$name [$dev, match $mt]: $bytes bytes identical to the $mt oracle (the oracles differ in $differ)"
			else
				fail "$name [$dev, match $mt]" "$(cmp -l "$TMP/ours.raw" "$ref" | wc -l) of $bytes bytes differ from the $mt oracle (first: $(cmp "$TMP/ours.raw" "$ref" | head -1)); the oracles differ in $differ"
			fi
		done
	done
}

# model NAME DEVICES COUNT SEED MODEL...: COUNT random inputs.
model() {
	local name=$1 devs=$2 count=$3 seed=$4
	shift 4
	local size
	size=$(input_bytes "$@")
	if [ -z "$size" ]; then fail "$name" "TFLite cannot load the model"; return; fi
	random_inputs "$TMP/in.raw" "$size" "$count" "$seed"
	match "$name, $count random inputs" "$devs" "$TMP/in.raw" "$@"
}

# op NAME DEVICES COUNT mbn-gen-args...: a generated model.
op() {
	local name=$1 devs=$2 count=$3
	shift 3
	if ! "$GEN" "$@" -o "$TMP/op.tflite" 2>"$TMP/err"; then
		fail "$name" "mbn-gen $* failed: $(head -c 300 "$TMP/err")"; return
	fi
	model "$name [mbn-gen $*]" "$devs" "$count" "$RANDOM" "$TMP/op.tflite"
}

# The real models. Random inputs exercise every rounding case more than images do.
model "mobilenet_v1_0.25_128" "cpu sim" 8 1 "$MODELS/mobilenet_v1_0.25_128_quant.tflite"
model "mobilenet_v1_0.5_160" cpu 4 2 "$MODELS/mobilenet_v1_0.5_160_quant.tflite"
model "mobilenet_v1_0.75_192" cpu 4 3 "$MODELS/mobilenet_v1_0.75_192_quant.tflite"
model "mobilenet_v1_1.0_224 (two chained files)" cpu 2 4 \
	"$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite" "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite"
model "vww_96_int8_keras (TF2 export: PAD, MEAN, int8)" "cpu sim" 8 5 "$MODELS/vww_96_int8_keras.tflite"
if [ -f "$IMAGES/grace_hopper.bmp" ]; then
	rm -f "$TMP/img.raw"
	if "$BUILD/bin/mbn-classify" -d cpu -m "$MODELS/mobilenet_v1_0.25_128_quant.tflite" --save-input "$TMP/img.raw" \
		"$IMAGES/grace_hopper.bmp" >/dev/null 2>"$TMP/err"; then
		match "mobilenet_v1_0.25_128 on grace_hopper.bmp" "cpu sim" "$TMP/img.raw" "$MODELS/mobilenet_v1_0.25_128_quant.tflite"
	else
		fail "mobilenet_v1_0.25_128 on grace_hopper.bmp" "preparing the input failed: $(head -c 300 "$TMP/err")"
	fi
fi

# Whole generated MobileNets, uint8 and int8.
op "generated MobileNet alpha 0.25 64x64 uint8" "cpu sim" 4 --alpha 0.25 --size 64 --classes 100 --seed 3
op "generated MobileNet alpha 0.5 48x48 int8" "cpu sim" 4 --alpha 0.5 --size 48 --classes 100 --seed 4 --int8

# The kernel choices that decide the arm64 rounding (cpu_ops.c gemm_rounding,
# dw_rounding), each without an activation so that ties of both signs show.
RANDOM=6464
for q in "" --int8; do
	# ruy (single rounding) vs CustomGemv (as x86): output pixels, rows and depth
	op "CONV_2D 3x3 many pixels $q" "cpu sim" 3 --op CONV_2D --h 12 --w 10 --c 24 --oc 40 --k 3 --act none --seed 11 $q
	op "CONV_2D 1x1 pointwise $q" "cpu sim" 3 --op CONV_2D --h 9 --w 17 --c 32 --oc 28 --k 1 --act none --seed 12 $q
	op "CONV_2D one pixel, 1000 channels (CustomGemv) $q" cpu 20 --op CONV_2D --h 1 --w 1 --c 64 --oc 1000 --k 1 --act none --seed 13 $q
	op "CONV_2D one pixel, 3 channels (ruy) $q" cpu 1500 --op CONV_2D --h 1 --w 1 --c 64 --oc 3 --k 1 --act none --seed 14 $q
	op "FULLY_CONNECTED 64 -> 1000 (CustomGemv) $q" cpu 20 --op FULLY_CONNECTED --c 64 --units 1000 --seed 15 $q
	op "FULLY_CONNECTED 64 -> 3 (ruy: rows < 4) $q" cpu 1500 --op FULLY_CONNECTED --c 64 --units 3 --seed 16 $q
	op "FULLY_CONNECTED 6 -> 200 (ruy: depth < 8) $q" cpu 60 --op FULLY_CONNECTED --c 6 --units 200 --seed 17 $q
	# depthwise: the uint8 3x3 fast kernel or the general one; int8 channel groups of 8
	op "DEPTHWISE_CONV_2D 3x3/1 SAME $q" "cpu sim" 4 --op DEPTHWISE_CONV_2D --h 16 --w 16 --c 16 --k 3 --act none --seed 18 $q
	op "DEPTHWISE_CONV_2D 3x3/2 SAME odd input $q" "cpu sim" 6 --op DEPTHWISE_CONV_2D --h 9 --w 9 --c 16 --k 3 --stride 2 --act none --seed 19 $q
	op "DEPTHWISE_CONV_2D 3x3/2 SAME even input $q" "cpu sim" 6 --op DEPTHWISE_CONV_2D --h 10 --w 10 --c 16 --k 3 --stride 2 --act none --seed 20 $q
	op "DEPTHWISE_CONV_2D 3x3/2 VALID $q" "cpu sim" 6 --op DEPTHWISE_CONV_2D --h 9 --w 9 --c 16 --k 3 --stride 2 --padding valid --act none --seed 21 $q
	op "DEPTHWISE_CONV_2D 3x3 on 1x7 $q" cpu 10 --op DEPTHWISE_CONV_2D --h 1 --w 7 --c 16 --k 3 --act none --seed 22 $q
	op "DEPTHWISE_CONV_2D 3x3 on 1x1 $q" cpu 30 --op DEPTHWISE_CONV_2D --h 1 --w 1 --c 16 --k 3 --act none --seed 23 $q
	op "DEPTHWISE_CONV_2D 17 channels $q" "cpu sim" 6 --op DEPTHWISE_CONV_2D --h 14 --w 9 --c 17 --k 3 --act none --seed 24 $q
	op "DEPTHWISE_CONV_2D 23 channels 5x5 $q" cpu 6 --op DEPTHWISE_CONV_2D --h 18 --w 14 --c 23 --k 5 --act none --seed 25 $q
	op "DEPTHWISE_CONV_2D multiplier 3 $q" cpu 6 --op DEPTHWISE_CONV_2D --h 10 --w 18 --c 24 --dm 3 --k 3 --stride 2 --act none --seed 26 $q
	op "DEPTHWISE_CONV_2D 6 channels $q" cpu 20 --op DEPTHWISE_CONV_2D --h 10 --w 10 --c 6 --k 3 --act none --seed 27 $q
	# the same in both builds, checked all the same
	op "AVERAGE_POOL_2D global 7x7x1024 $q" cpu 10 --op AVERAGE_POOL_2D --h 7 --w 7 --c 1024 --k 7 --padding valid --seed 28 $q
	op "AVERAGE_POOL_2D 3x3/2 $q" cpu 10 --op AVERAGE_POOL_2D --h 12 --w 11 --c 20 --k 3 --stride 2 --seed 29 $q
	op "SOFTMAX 1001 $q" cpu 50 --op SOFTMAX --c 1001 --seed 30 $q
	op "SOFTMAX 10 beta 0.3 $q" cpu 200 --op SOFTMAX --c 10 --beta 0.3 --seed 31 $q
done

# MEAN, DEQUANTIZE, QUANTIZE from float and requantizing QUANTIZE (tests/oracle/mkops.py).
# The arm64 build differs from x86 in int8 MEAN with keep_dims (optimized_integer_ops::Mean,
# NEON ties up), requantizing QUANTIZE (NEON: ties up), DEQUANTIZE (NEON: a fused
# multiply-add) and QUANTIZE float -> int (NEON: ties to even on x * (1/scale)), each for
# the elements its NEON loop covers (docs/library.md "x86-64 and arm64"); cpu_mean.c and
# cpu_convert.c reproduce both builds.
MKOPS="python3 $ROOT/tests/oracle/mkops.py"
conv_case() { # NAME COUNT INPUT_KIND(bytes|floats:N:SCALE) mkops-args...
	local name=$1 count=$2 kind=$3
	shift 3
	if ! $MKOPS "$@" -o "$TMP/cv.tflite" 2>"$TMP/err"; then fail "$name" "mkops.py $* failed: $(head -c 300 "$TMP/err")"; return; fi
	if [ "$kind" = bytes ]; then
		random_inputs "$TMP/cv.raw" "$(input_bytes "$TMP/cv.tflite")" "$count" "$RANDOM"
	else
		IFS=: read -r _ n sc <<<"$kind"
		$MKOPS floats "$n" "$count" "$sc" "$RANDOM" -o "$TMP/cv.raw"
	fi
	match "$name [mkops.py $*], $count inputs" cpu "$TMP/cv.raw" "$TMP/cv.tflite"
}
for q in uint8 int8; do
	zp=5; [ $q = uint8 ] && zp=133
	conv_case "MEAN keep_dims, same quantization, $q" 10 bytes mean 7 7 40 $q keep 0.05 $zp 0.05 $zp
	conv_case "MEAN keep_dims, requantizing, $q" 10 bytes mean 5 6 33 $q keep 0.05 $zp 0.03 $((zp - 9))
	conv_case "MEAN no keep_dims, requantizing, $q" 10 bytes mean 7 7 40 $q nokeep 0.05 $zp 0.03 $((zp - 9))
	conv_case "DEQUANTIZE $q -> float32" 20 bytes dequantize 100 $q 0.0271 $zp
	conv_case "QUANTIZE $q -> int8" 20 bytes requantize 100 $q 0.05 $zp int8 0.17 -7
	conv_case "QUANTIZE $q -> uint8" 20 bytes requantize 100 $q 0.05 $zp uint8 0.17 121
	conv_case "QUANTIZE float32 -> $q, near-tie floats" 20 floats:100:0.03 quantize 100 $q 0.03 $((zp - 9))
done

# Random shapes (fixed seed: the same cases on every run).
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }
N=${MBN_ARM64_CASES:-8}
for ((i = 0; i < N; i++)); do
	for q in "" "--int8"; do
		h=$((RANDOM % 20 + 1)); w=$((RANDOM % 20 + 1)); c=$(pick 8 16 24 32 $((RANDOM % 24 + 1))); oc=$((RANDOM % 40 + 1))
		k=$(pick 1 3 3 5); s=$(pick 1 1 2); p=$(pick same valid); a=$(pick none none relu6)
		[ "$p" = valid ] && { [ $h -lt $k ] && h=$k; [ $w -lt $k ] && w=$k; }
		op "CONV_2D $h x $w x $c -> $oc k$k s$s $p $a $q" cpu 3 --op CONV_2D --h $h --w $w --c $c --oc $oc --k $k \
			--stride $s --padding $p --act $a --seed $RANDOM $q
		dm=$(pick 1 1 2 3)
		op "DEPTHWISE_CONV_2D $h x $w x $c dm$dm k$k s$s $p $a $q" cpu 3 --op DEPTHWISE_CONV_2D --h $h --w $w --c $c \
			--dm $dm --k $k --stride $s --padding $p --act $a --seed $RANDOM $q
	done
done
# The operators of exported models (tests/oracle/gen-exported.py; per-channel FC aside:
# TFLite 2.9 gets it wrong on both), random bytes as inputs (NaN and infinities for the
# float ones): match x86 and match arm64 each give their oracle's bytes.
python3 "$ROOT/tests/oracle/gen-exported.py" "$TMP/gx" >"$TMP/gx.list" || fail "gen-exported.py" "failed"
while read -r f; do
	case "$f" in *fcpc*) continue ;; esac
	random_inputs "$TMP/gx.raw" "$(input_bytes "$f")" 2 9
	match "exported op $(basename "$f" .tflite)" cpu "$TMP/gx.raw" "$f"
done <"$TMP/gx.list"
finish
