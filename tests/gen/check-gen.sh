#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# check-gen.sh - every model mbn-gen writes must load, allocate and run in the TFLite
# 2.9 oracle without error, with non-degenerate outputs (not one single value over four
# random inputs), and the same arguments + seed must give the same bytes. Covers the TF1,
# Keras and PyTorch styles with their I/O types and input options, and every --op.
# float32 inputs are uniform in [-1.2, 1.2] (perl, part of every Debian install).
#
#   tests/gen/check-gen.sh TFLITE_RUN [MBN_GEN]     (MBN_GEN defaults to build/bin/mbn-gen)
#   QUICK=1 ...   skips the largest whole models
#
# TFLITE_RUN is tests/oracle/tflite-run (-m MODEL --info | -m MODEL -i IN -o OUT).
# One PASS/FAIL line per model; exit status 1 if anything failed.
set -u

RUN=${1:?usage: check-gen.sh TFLITE_RUN [MBN_GEN]}
GEN=${2:-build/bin/mbn-gen}
TMO=${TMO:-300}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-gen.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export LC_ALL=C

pass=0
fail=0
n=0

# random_bytes COUNT SEED: deterministic pseudo-random bytes
random_bytes() {
	awk -v n="$1" -v s="$2" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }'
}

# random_input INFO SEED: one random input for the model described by tflite-run --info
# (bytes, or float32 values in [-1.2, 1.2])
random_input() {
	local bytes type
	bytes=$(sed -n 's/^input .* bytes=\([0-9]*\) .*/\1/p' "$1" | head -n1)
	type=$(sed -n 's/^input .* type=\([a-z0-9]*\) .*/\1/p' "$1" | head -n1)
	if [ "$type" = float32 ]; then
		perl -e 'srand($ARGV[1]); print pack("f<*", map { 2.4 * rand() - 1.2 } 1 .. $ARGV[0] / 4)' \
			"$bytes" "$2"
	else
		random_bytes "$bytes" "$2"
	fi
}

# check NAME mbn-gen-args...
check() {
	local name=$1
	shift
	n=$((n + 1))
	local m="$WORK/m$n.tflite" why=""
	if ! timeout "$TMO" "$GEN" "$@" -o "$m" 2>"$WORK/gen.err"; then
		why="mbn-gen failed: $(head -c 300 "$WORK/gen.err")"
	elif ! timeout "$TMO" "$RUN" -m "$m" --info >"$WORK/info" 2>"$WORK/run.err"; then
		why="tflite-run --info failed: $(head -c 300 "$WORK/run.err")"
	else
		local bytes
		bytes=$(sed -n 's/^input .* bytes=\([0-9]*\) .*/\1/p' "$WORK/info" | head -n1)
		if [ -z "$bytes" ]; then
			why="no input size in tflite-run --info"
		else
			: >"$WORK/in.raw"
			for k in 1 2 3 4; do
				random_input "$WORK/info" "$((n * 10 + k))" >>"$WORK/in.raw"
			done
			rm -f "$WORK/out.raw"
			if ! timeout "$TMO" "$RUN" -m "$m" -i "$WORK/in.raw" -o "$WORK/out.raw" \
			     >/dev/null 2>"$WORK/run.err"; then
				why="tflite-run failed: $(head -c 300 "$WORK/run.err")"
			elif grep -qi 'error' "$WORK/run.err"; then
				why="TFLite reported: $(head -c 300 "$WORK/run.err")"
			elif [ ! -s "$WORK/out.raw" ]; then
				why="no output"
			else
				local distinct
				distinct=$(od -An -v -tu1 "$WORK/out.raw" | tr -s ' ' '\n' | grep . | sort -u | wc -l)
				[ "$distinct" -ge 2 ] || why="degenerate output (one value)"
			fi
		fi
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $why"
	fi
}

# determinism: same arguments and seed, same bytes; another seed, other bytes
det() {
	"$GEN" "$@" --seed 7 -o "$WORK/d1.tflite" && "$GEN" "$@" --seed 7 -o "$WORK/d2.tflite" &&
		"$GEN" "$@" --seed 8 -o "$WORK/d3.tflite" || { fail=$((fail + 1)); echo "FAIL det $*: mbn-gen"; return; }
	if cmp -s "$WORK/d1.tflite" "$WORK/d2.tflite" && ! cmp -s "$WORK/d1.tflite" "$WORK/d3.tflite"; then
		pass=$((pass + 1))
		echo "PASS det $*"
	else
		fail=$((fail + 1))
		echo "FAIL det $*: output not a function of the seed"
	fi
}

# same_out NAME "ARGS A" "ARGS B": both models give identical output bytes on the same
# four random inputs (e.g. FULLY_CONNECTED and the same weights as a 1x1 CONV_2D)
same_out() {
	local name=$1 why=""
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! "$GEN" $2 -o "$WORK/a.tflite" 2>"$WORK/gen.err" || ! "$GEN" $3 -o "$WORK/b.tflite" 2>>"$WORK/gen.err"; then
		why="mbn-gen failed: $(head -c 300 "$WORK/gen.err")"
	elif ! "$RUN" -m "$WORK/a.tflite" --info >"$WORK/info" 2>"$WORK/run.err"; then
		why="tflite-run --info failed: $(head -c 300 "$WORK/run.err")"
	else
		: >"$WORK/in.raw"
		for k in 1 2 3 4; do
			random_input "$WORK/info" "$((n * 10 + k))" >>"$WORK/in.raw"
		done
		if ! "$RUN" -m "$WORK/a.tflite" -i "$WORK/in.raw" -o "$WORK/a.out" >/dev/null 2>"$WORK/run.err" ||
		   ! "$RUN" -m "$WORK/b.tflite" -i "$WORK/in.raw" -o "$WORK/b.out" >/dev/null 2>>"$WORK/run.err"; then
			why="tflite-run failed: $(head -c 300 "$WORK/run.err")"
		elif ! cmp -s "$WORK/a.out" "$WORK/b.out"; then
			why="outputs differ"
		elif [ "$(od -An -v -tu1 "$WORK/a.out" | tr -s ' ' '\n' | grep . | sort -u | wc -l)" -lt 2 ]; then
			why="degenerate output (one value)"
		fi
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $why"
	fi
}

# const_out NAME zp|any ARGS...: the model runs and every output byte is the same (zp:
# the output zero point). TFLite 2.9's FULLY_CONNECTED ignores per-channel weight scales
# (a tensor with several scales gets no per-tensor params: multiplier 0), so that is
# what the oracle computes for them.
const_out() {
	local name=$1 want=$2 why=""
	shift 2
	n=$((n + 1))
	if ! "$GEN" "$@" -o "$WORK/z.tflite" 2>"$WORK/gen.err"; then
		why="mbn-gen failed: $(head -c 300 "$WORK/gen.err")"
	elif ! "$RUN" -m "$WORK/z.tflite" --info >"$WORK/info" 2>"$WORK/run.err"; then
		why="tflite-run --info failed: $(head -c 300 "$WORK/run.err")"
	else
		local zp
		zp=$(sed -n 's/^output .* zero_point=\(-*[0-9]*\).*/\1/p' "$WORK/info" | head -n1)
		random_input "$WORK/info" "$n" >"$WORK/in.raw"
		if ! "$RUN" -m "$WORK/z.tflite" -i "$WORK/in.raw" -o "$WORK/z.out" >/dev/null 2>"$WORK/run.err"; then
			why="tflite-run failed: $(head -c 300 "$WORK/run.err")"
		elif [ "$(od -An -v -tu1 "$WORK/z.out" | tr -s ' ' '\n' | grep . | sort -u | wc -l)" -ne 1 ]; then
			why="outputs are not all equal (did TFLite change?)"
		elif [ "$want" = zp ] &&
		     [ "$(od -An -v -td1 "$WORK/z.out" | tr -s ' ' '\n' | grep . | sort -u)" != "$zp" ] &&
		     [ "$(od -An -v -tu1 "$WORK/z.out" | tr -s ' ' '\n' | grep . | sort -u)" != "$zp" ]; then
			why="outputs are not all the zero point $zp (did TFLite change?)"
		fi
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $why"
	fi
}

for q in "" --int8; do
	t=${q:-uint8}
	t=${t#--}
	# whole models: the standard grid, then odd widths and sizes
	for a in 0.25 0.5 0.75 1.0; do
		for s in 128 160 192 224; do
			check "mobilenet $a-$s $t" --alpha $a --size $s $q --seed $s
		done
	done
	for a in 0.1 0.6 1.3 2.0; do
		for s in 16 97 225 512; do
			if [ -n "${QUICK:-}" ] && [ "$s" = 512 ] && [ "$a" != 0.1 ]; then
				continue
			fi
			check "mobilenet $a-$s $t" --alpha $a --size $s $q --seed $s
		done
	done
	check "mobilenet 0.25-128 squeeze head $t" --alpha 0.25 --size 128 --head squeeze $q
	check "mobilenet 0.5-64 10 classes $t" --alpha 0.5 --size 64 --classes 10 $q

	# single operators
	for seed in 1 2; do
		check "CONV_2D default $t $seed" --op CONV_2D $q --seed $seed
		check "CONV_2D 17x9x3->19 k3 s2 same relu6 $t $seed" --op CONV_2D --h 17 --w 9 --c 3 --oc 19 --k 3 --stride 2 --padding same --act relu6 $q --seed $seed
		check "CONV_2D 16x16x5->7 k5 s2 valid none $t $seed" --op CONV_2D --h 16 --w 16 --c 5 --oc 7 --k 5 --stride 2 --padding valid --act none $q --seed $seed
		check "CONV_2D 7x7x64->33 1x1 relu $t $seed" --op CONV_2D --h 7 --w 7 --c 64 --oc 33 --k 1 --act relu $q --seed $seed
		check "CONV_2D 3x2 kernel, strides 1x2 $t $seed" --op CONV_2D --h 10 --w 12 --c 4 --oc 4 --kh 3 --kw 2 --sh 1 --sw 2 --act none $q --seed $seed
		check "CONV_2D dilation 2 $t $seed" --op CONV_2D --h 12 --w 12 --c 4 --oc 8 --k 3 --dilation 2 $q --seed $seed
		check "CONV_2D 1x1x256->1001 (FC as conv) $t $seed" --op CONV_2D --h 1 --w 1 --c 256 --oc 1001 --k 1 --act none $q --seed $seed
		check "DEPTHWISE default $t $seed" --op DEPTHWISE_CONV_2D $q --seed $seed
		check "DEPTHWISE 15x15x19 s2 same relu6 $t $seed" --op DEPTHWISE_CONV_2D --h 15 --w 15 --c 19 --k 3 --stride 2 --act relu6 $q --seed $seed
		check "DEPTHWISE dm 2 valid none $t $seed" --op DEPTHWISE_CONV_2D --h 9 --w 11 --c 6 --k 3 --padding valid --act none --dm 2 $q --seed $seed
		check "DEPTHWISE k5 s2 dm 3 relu $t $seed" --op DEPTHWISE_CONV_2D --h 8 --w 8 --c 3 --k 5 --stride 2 --act relu --dm 3 $q --seed $seed
		check "DEPTHWISE dilation 2 $t $seed" --op DEPTHWISE_CONV_2D --h 12 --w 12 --c 8 --k 3 --dilation 2 --padding valid $q --seed $seed
		check "AVERAGE_POOL_2D default $t $seed" --op AVERAGE_POOL_2D $q --seed $seed
		check "AVERAGE_POOL_2D global 7x7 $t $seed" --op AVERAGE_POOL_2D --h 7 --w 7 --c 32 --k 7 --stride 2 --padding valid $q --seed $seed
		check "AVERAGE_POOL_2D 3x3 s2 same relu6 $t $seed" --op AVERAGE_POOL_2D --h 9 --w 13 --c 5 --k 3 --stride 2 --act relu6 $q --seed $seed
		check "AVERAGE_POOL_2D 2x3 s2x1 valid $t $seed" --op AVERAGE_POOL_2D --h 10 --w 10 --c 3 --kh 2 --kw 3 --sh 2 --sw 1 --padding valid $q --seed $seed
		check "FULLY_CONNECTED default $t $seed" --op FULLY_CONNECTED $q --seed $seed
		check "FULLY_CONNECTED 1024->1001 $t $seed" --op FULLY_CONNECTED --c 1024 --units 1001 $q --seed $seed
		check "FULLY_CONNECTED 1x2x3x5->7 relu $t $seed" --op FULLY_CONNECTED --h 2 --w 3 --c 5 --units 7 --act relu $q --seed $seed
		check "FULLY_CONNECTED 3->2 relu6 $t $seed" --op FULLY_CONNECTED --c 3 --units 2 --act relu6 $q --seed $seed
		check "SOFTMAX default $t $seed" --op SOFTMAX $q --seed $seed
		check "SOFTMAX 1001 $t $seed" --op SOFTMAX --c 1001 $q --seed $seed
		check "SOFTMAX beta 0.5 $t $seed" --op SOFTMAX --c 10 --beta 0.5 $q --seed $seed
		check "SOFTMAX 1x2x3x7 beta 2 $t $seed" --op SOFTMAX --h 2 --w 3 --c 7 --beta 2 $q --seed $seed
		check "RESHAPE default $t $seed" --op RESHAPE $q --seed $seed
		check "RESHAPE 1x1x1x1001 $t $seed" --op RESHAPE --h 1 --w 1 --c 1001 $q --seed $seed
		check "SQUEEZE 1001 $t $seed" --op SQUEEZE --c 1001 $q --seed $seed
		check "MAX_POOL_2D $t $seed" --op MAX_POOL_2D --h 8 --w 8 --c 4 --k 2 --stride 2 $q --seed $seed
		check "UNSUPPORTED $t $seed" --op UNSUPPORTED $q --seed $seed
	done
	det --alpha 0.25 --size 97 $q
	det --op CONV_2D --h 9 --w 9 --c 5 --oc 7 $q

	# single operators of exported models
	for seed in 1 2; do
		check "QUANTIZE float32->$t $seed" --op QUANTIZE $q --seed $seed
		check "QUANTIZE float32->$t 1x13x7x3 $seed" --op QUANTIZE --in-type float32 --h 13 --w 7 --c 3 $q --seed $seed
		for it in int8 uint8; do
			for ot in int8 uint8; do
				check "QUANTIZE $it->$ot $seed" --op QUANTIZE --in-type $it --out-type $ot --seed $seed
			done
		done
		check "DEQUANTIZE $t->float32 $seed" --op DEQUANTIZE $q --seed $seed
		check "DEQUANTIZE $t 1x1001 $seed" --op DEQUANTIZE --h 1 --w 1 --c 1001 $q --seed $seed
		check "PAD default $t $seed" --op PAD $q --seed $seed
		check "PAD (0,1),(0,1) $t $seed" --op PAD --pads 0,1,0,1 --h 9 --w 9 --c 16 $q --seed $seed
		check "PAD 3,0,2,5 $t $seed" --op PAD --pads 3,0,2,5 --h 5 --w 7 --c 3 $q --seed $seed
		check "PADV2 default $t $seed" --op PADV2 $q --seed $seed
		check "PADV2 (1,1),(1,1) value 7 $t $seed" --op PADV2 --pads 1,1,1,1 --pad-value 7 $q --seed $seed
		check "PADV2 0,2,1,0 $t $seed" --op PADV2 --pads 0,2,1,0 --h 6 --w 4 --c 5 $q --seed $seed
		check "MEAN $t $seed" --op MEAN $q --seed $seed
		check "MEAN keep_dims $t $seed" --op MEAN --keep-dims 1 $q --seed $seed
		check "MEAN same quant $t $seed" --op MEAN --same-quant $q --seed $seed
		check "MEAN same quant keep_dims 7x7x64 $t $seed" --op MEAN --same-quant --keep-dims 1 --h 7 --w 7 --c 64 $q --seed $seed
		check "MEAN 3x3x256 $t $seed" --op MEAN --h 3 --w 3 --c 256 $q --seed $seed
		check "MEAN 6x5x19 keep_dims $t $seed" --op MEAN --h 6 --w 5 --c 19 --keep-dims 1 $q --seed $seed
		check "DEPTHWISE c1 depth-mult 8 s2 $t $seed" --op DEPTHWISE_CONV_2D --h 16 --w 16 --c 1 --depth-mult 8 --stride 2 $q --seed $seed
		check "DEPTHWISE c4 depth-mult 2 $t $seed" --op DEPTHWISE_CONV_2D --c 4 --depth-mult 2 $q --seed $seed
		check "DEPTHWISE c3 depth-mult 4 valid s2 $t $seed" --op DEPTHWISE_CONV_2D --h 17 --w 17 --c 3 --depth-mult 4 --stride 2 --padding valid $q --seed $seed
		check "FC_AS_CONV 64->10 $t $seed" --op FC_AS_CONV --c 64 --units 10 $q --seed $seed
		same_out "FULLY_CONNECTED = FC_AS_CONV 64->10 $t $seed" "--op FULLY_CONNECTED --c 64 --units 10 $q --seed $seed" "--op FC_AS_CONV --c 64 --units 10 $q --seed $seed"
		same_out "FULLY_CONNECTED = FC_AS_CONV 1024->1001 $t $seed" "--op FULLY_CONNECTED --c 1024 --units 1001 $q --seed $seed" "--op FC_AS_CONV --c 1024 --units 1001 $q --seed $seed"
		check "RESHAPE_KERAS 1xC->1x1x1xC $t $seed" --op RESHAPE_KERAS --c 256 $q --seed $seed
		check "RESHAPE_KERAS 1x1x1xC->1xC $t $seed" --op RESHAPE_KERAS --h 1 --w 1 --c 1001 $q --seed $seed
		check "RESHAPE_KERAS 1x2x3x4->1x24 $t $seed" --op RESHAPE_KERAS --h 2 --w 3 --c 4 $q --seed $seed
	done
	det --op QUANTIZE $q
	det --op QUANTIZE --in-type int8 --out-type uint8
	det --op DEQUANTIZE $q
	det --op PAD --pads 0,1,0,1 $q
	det --op PADV2 $q
	det --op MEAN $q
	det --op RESHAPE_KERAS $q
	det --op FC_AS_CONV $q

	# whole models: TF1 with the exported models' input/output options
	for io in "--in-type float32" "--out-type float32" "--in-type float32 --out-type float32" \
		  "--in-type uint8 --out-type uint8" "--in-type int8 --out-type int8" \
		  "--in-type int8 --out-type uint8"; do
		check "mobilenet tf1 0.25-64 $t $io" --alpha 0.25 --size 64 --classes 10 $q $io
	done
	for c in 1 4; do
		check "mobilenet tf1 0.25-64 $t channels $c" --alpha 0.25 --size 64 --channels $c --classes 10 $q
	done
	check "mobilenet tf1 0.25-96 $t channels 1 depth-mult 8" --alpha 0.25 --size 96 --channels 1 --depth-mult 8 --classes 2 $q
	check "mobilenet tf1 0.5-65 $t channels 3 depth-mult 2" --alpha 0.5 --size 65 --depth-mult 2 --classes 10 $q
	det --alpha 0.25 --size 64 --classes 10 --in-type float32 --out-type float32 --depth-mult 2 $q
done

# Keras and PyTorch styles (int8 networks)
for st in keras pytorch; do
	check "mobilenet $st 0.25-96 1 channel 2 classes" --style $st --alpha 0.25 --size 96 --channels 1 --classes 2
	for a in 0.25 0.5; do
		for s in 32 64 96; do
			check "mobilenet $st $a-$s" --style $st --alpha $a --size $s --classes 10 --seed $s
		done
	done
	check "mobilenet $st 0.25-97 odd size" --style $st --alpha 0.25 --size 97 --classes 10
	check "mobilenet $st 0.1-40 alpha 0.1" --style $st --alpha 0.1 --size 40 --classes 10
	check "mobilenet $st 0.25-128 1001 classes" --style $st --alpha 0.25 --size 128
	if [ -z "${QUICK:-}" ]; then
		check "mobilenet $st 1.0-224" --style $st --alpha 1.0 --size 224
	fi
	for io in "--in-type float32" "--out-type float32" "--in-type float32 --out-type float32" \
		  "--in-type uint8" "--out-type uint8" "--in-type uint8 --out-type uint8" \
		  "--in-type uint8 --out-type float32"; do
		check "mobilenet $st 0.25-64 $io" --style $st --alpha 0.25 --size 64 --classes 10 $io
	done
	for c in 1 3 4; do
		check "mobilenet $st 0.25-64 channels $c" --style $st --alpha 0.25 --size 64 --channels $c --classes 10
	done
	check "mobilenet $st 0.25-96 channels 1 depth-mult 8" --style $st --alpha 0.25 --size 96 --channels 1 --depth-mult 8 --classes 2
	check "mobilenet $st 0.25-64 channels 3 depth-mult 3 float32" --style $st --alpha 0.25 --size 64 --depth-mult 3 --classes 10 --in-type float32 --out-type float32
	det --style $st --alpha 0.25 --size 64 --classes 10
	det --style $st --alpha 0.25 --size 64 --classes 10 --channels 1 --depth-mult 8 --in-type uint8 --out-type float32
done

# TFLite 2.9 runs per-channel FULLY_CONNECTED weights as multiplier 0 (all outputs the
# zero point): the generator writes them (as newer converters do), the oracle's answer is
# recorded here
const_out "FULLY_CONNECTED per-channel (TFLite 2.9: all the zero point)" zp --op FULLY_CONNECTED --int8 --per-channel --c 64 --units 10
const_out "mobilenet pytorch --per-channel FC head (TFLite 2.9: flat softmax)" any --style pytorch --alpha 0.25 --size 32 --classes 10 --per-channel
check "FC_AS_CONV per-channel int8" --op FC_AS_CONV --int8 --per-channel --c 64 --units 10

echo "check-gen: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
