#!/usr/bin/env bash
# Each operator alone (mbn-gen --op) over random shapes and quantization parameters,
# uint8 and int8: output bytes identical to TensorFlow Lite 2.9. Shapes and seeds come
# from a fixed-seed generator, so a failure reproduces.
source "$(dirname "$0")/../lib.sh"
DEV=${MBN_DEVICE:-cpu}
GEN=$BUILD/bin/mbn-gen
require "$ORACLE" "$GEN" "$BUILD/bin/mbn-classify"
RANDOM=4242 # bash's generator, seeded: the case list is the same on every run
N=${MBN_OP_CASES:-12}
check() { # name gen-args...
	local name=$1
	shift
	local model=$TMP/op.tflite
	if ! "$GEN" "$@" -o "$model" 2>"$TMP/err"; then fail "$name" "mbn-gen $* failed: $(head -c 300 "$TMP/err")"; return; fi
	local size
	size=$("$ORACLE" -m "$model" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i}}')
	random_inputs "$TMP/in.raw" "$size" 3 "$RANDOM"
	bitexact "$name [mbn-gen $*]" "$DEV" "$TMP/in.raw" "$model"
}
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }
for ((i = 0; i < N; i++)); do
	for q in "" "--int8"; do
		h=$((RANDOM % 20 + 1)); w=$((RANDOM % 20 + 1)); c=$((RANDOM % 24 + 1)); oc=$((RANDOM % 24 + 1))
		k=$(pick 1 2 3 3 5); s=$(pick 1 1 2 3); p=$(pick same valid); a=$(pick none relu relu6)
		[ "$p" = valid ] && { [ $h -lt $k ] && h=$k; [ $w -lt $k ] && w=$k; }
		seed=$RANDOM
		check "CONV_2D $h x $w x $c -> $oc k$k s$s $p $a $q" --op CONV_2D --h $h --w $w --c $c --oc $oc --k $k --stride $s --padding $p --act $a --seed $seed $q
		dm=$(pick 1 1 2 3)
		check "DEPTHWISE_CONV_2D $h x $w x $c dm$dm k$k s$s $p $a $q" --op DEPTHWISE_CONV_2D --h $h --w $w --c $c --dm $dm --k $k --stride $s --padding $p --act $a --seed $seed $q
		kh=$(pick 1 2 3 7); kw=$(pick 1 2 3 7); [ $h -lt $kh ] && h=$kh; [ $w -lt $kw ] && w=$kw
		check "AVERAGE_POOL_2D $h x $w x $c k${kh}x$kw s$s $p $q" --op AVERAGE_POOL_2D --h $h --w $w --c $c --kh $kh --kw $kw --stride $s --padding $p --seed $seed $q
		u=$((RANDOM % 40 + 2))
		check "FULLY_CONNECTED $c -> $u $a $q" --op FULLY_CONNECTED --c $((c * 8)) --units $u --act $a --seed $seed $q
		beta=$(pick 0.5 1.0 1.0 2.0)
		check "SOFTMAX $((c * 10)) beta $beta $q" --op SOFTMAX --c $((c * 10)) --beta $beta --seed $seed $q
	done
done
check "RESHAPE" --op RESHAPE --h 4 --w 5 --c 6 --seed 9
check "SQUEEZE" --op SQUEEZE --seed 9
check "FULLY_CONNECTED on 1x3x4x5" --op FULLY_CONNECTED --h 3 --w 4 --c 5 --units 7 --seed 3
check "CONV_2D 1x1 classifier 1x1x1024 -> 1001" --op CONV_2D --h 1 --w 1 --c 1024 --oc 1001 --k 1 --act none --seed 5
check "AVERAGE_POOL_2D global 7x7x1024" --op AVERAGE_POOL_2D --h 7 --w 7 --c 1024 --k 7 --stride 2 --padding valid --seed 5
check "AVERAGE_POOL_2D global 7x7x1024 int8" --op AVERAGE_POOL_2D --h 7 --w 7 --c 1024 --k 7 --stride 2 --padding valid --seed 5 --int8
finish
