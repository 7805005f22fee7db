#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# check-gen.sh - every model mbn-gen writes must load, allocate and run in the TFLite
# 2.9 oracle without error, with non-degenerate outputs (not one single value over four
# random inputs), and the same arguments + seed must give the same bytes.
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
				random_bytes "$bytes" "$((n * 10 + k))" >>"$WORK/in.raw"
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
done

echo "check-gen: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
