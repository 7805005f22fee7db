#!/usr/bin/env bash
# The TensorFlow Lite delegate (libmbnaccel-tflite.so, docs/delegate.md) on the sim
# device: TFLite with the delegate gives the bytes of TFLite without it and of
# mbn-classify -d sim, linked (TfLiteInterpreterOptionsAddDelegate) and through TFLite's
# own external-delegate loader (libexternal_delegate_obj.so, Python's load_delegate
# path), on the real models, the Keras export and generated models of every style;
# every convolution but the classifier is claimed, in one partition; the accelerator
# cycles equal libmbnaccel's own; a model with an operator libmbnaccel does not run
# gives two partitions, both on the device; 100 interpreters leak nothing (ASan/LSan)
# and leave no partition behind; a device that does not open, bad options and a resize
# after delegation are refused clearly; our builtin parameter structs read what the
# flatbuffer says; the example application classifies like mbn-classify.
source "$(dirname "$0")/../lib.sh"
RUN=$BUILD/bin/mbn-tflite-run
SANRUN=$SANBUILD/bin/mbn-tflite-run
GEN=$BUILD/bin/mbn-gen
require "$ORACLE" "$RUN" "$SANRUN" "$GEN" "$BUILD/bin/mbn-classify" "$BUILD/bin/tflite-classify" \
	"$BUILD/lib/libmbnaccel-tflite.so" "$ROOT/build/oracle/lib/libexternal_delegate_obj.so" \
	"$MODELS/vww_96_int8_keras.tflite"

insize() { "$ORACLE" -m "$1" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}'; }
intype() { "$ORACLE" -m "$1" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^type=/) {sub("type=","",$i); print $i; exit}}'; }
inputs() { # MODEL FILE COUNT SEED
	local sz
	sz=$(insize "$1")
	if [ "$(intype "$1")" = float32 ]; then
		python3 -c "
import random, struct
r = random.Random($4); n = $sz // 4 * $3
open('$2', 'wb').write(struct.pack('<%df' % n, *[r.uniform(-1.2, 1.2) for _ in range(n)]))"
	else
		random_inputs "$2" "$sz" "$3" "$4"
	fi
}

# claims NAME LOG PARTITIONS: every CONV_2D / DEPTHWISE_CONV_2D / PAD / PADV2 node of
# the log is claimed but the classifier (a convolution on a 1x1 map), in PARTITIONS
# partitions
claims() {
	local name=$1 log=$2 want=$3 bad summary
	bad=$(grep -E "^mbnaccel-tflite: node [0-9]+ (CONV_2D|DEPTHWISE_CONV_2D|PAD|PADV2) " "$log" | grep 'left to TFLite' |
		grep -v '1x1 map' | head -1)
	summary=$(grep -E '^mbnaccel-tflite: .*nodes claimed in' "$log" | tail -1)
	if [ -n "$bad" ]; then
		fail "$name: claims" "a convolution is left to TFLite: ${bad:0:300}"
	elif ! grep -q "claimed in $want partition" <<<"$summary"; then
		fail "$name: claims" "expected $want partition(s): ${summary:-no summary line}"
	else
		pass "$name: every convolution but the classifier claimed (${summary#mbnaccel-tflite: })"
	fi
}

# same NAME MODEL INPUTS [PARTITIONS [CLASSIFY]]: TFLite alone = linked = external
# (= mbn-classify -d sim unless CLASSIFY is "no")
same() {
	local name=$1 m=$2 in=$3 parts=${4:-1} classify=${5:-yes}
	if ! "$ORACLE" -m "$m" -i "$in" -o "$TMP/ref.raw" 2>"$TMP/err"; then
		fail "$name" "TFLite failed: $(head -c 300 "$TMP/err")"; return
	fi
	local mode
	for mode in linked external; do
		rm -f "$TMP/d.raw"
		if ! "$RUN" -m "$m" -i "$in" -o "$TMP/d.raw" --delegate "$mode" -O device=sim -O log=1 >"$TMP/out" 2>"$TMP/log"; then
			fail "$name ($mode)" "$(grep -v 'claimed (on' "$TMP/log" | head -c 400)"; continue
		fi
		if cmp -s "$TMP/d.raw" "$TMP/ref.raw"; then
			pass "$name: TFLite + delegate ($mode) = TFLite ($(stat -c %s "$TMP/ref.raw") bytes)"
		else
			fail "$name ($mode)" "output differs from TFLite's: $(cmp -l "$TMP/d.raw" "$TMP/ref.raw" | wc -l) bytes"
		fi
		[ "$mode" = linked ] && claims "$name" "$TMP/log" "$parts"
	done
	[ "$classify" = yes ] || return
	local sz n i files=()
	sz=$(insize "$m")
	n=$(($(stat -c %s "$in") / sz))
	split -a 4 -d -b "$sz" "$in" "$TMP/in."
	for ((i = 0; i < n; i++)); do files+=("$(printf '%s/in.%04d' "$TMP" "$i")"); done
	rm -f "$TMP/ours.raw"
	if ! "$BUILD/bin/mbn-classify" -d sim -m "$m" --raw --out-raw "$TMP/ours.raw" "${files[@]}" >/dev/null 2>"$TMP/err"; then
		fail "$name: mbn-classify" "$(head -c 300 "$TMP/err")"
	elif cmp -s "$TMP/ours.raw" "$TMP/d.raw"; then
		pass "$name: TFLite + delegate = mbn-classify -d sim"
	else
		fail "$name" "TFLite + delegate differs from mbn-classify -d sim"
	fi
	rm -f "$TMP"/in.*
}

# --- the real models and the Keras export
for spec in "mobilenet_v1_0.25_128_quant 2" "mobilenet_v1_0.5_160_quant 2" "mobilenet_v1_0.75_192_quant 1" \
	"mobilenet_v1_1.0_224_quant_embedding_extractor 1" "vww_96_int8_keras 4"; do
	set -- $spec
	inputs "$MODELS/$1.tflite" "$TMP/$1.raw" "$2" 7
	same "$1" "$MODELS/$1.tflite" "$TMP/$1.raw"
done
# the 1.0 head (pool, FC-as-conv, softmax): nothing for the accelerator, TFLite runs it all
head=$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite
inputs "$head" "$TMP/head.raw" 2 8
"$ORACLE" -m "$head" -i "$TMP/head.raw" -o "$TMP/ref.raw"
if "$RUN" -m "$head" -i "$TMP/head.raw" -o "$TMP/d.raw" -O log=1 2>"$TMP/log" && cmp -s "$TMP/d.raw" "$TMP/ref.raw" &&
	grep -q ': 0 of .* nodes claimed' "$TMP/log"; then
	pass "mobilenet_v1_1.0_224_quant_head_layers: nothing claimed, bytes = TFLite's"
else
	fail "head layers" "$(tail -3 "$TMP/log")"
fi

# --- generated models of every style the loader supports
specs=(
	"--alpha 0.25 --size 64"
	"--alpha 0.25 --size 96 --int8"
	"--alpha 0.5 --size 65 --head squeeze"
	"--style keras --alpha 0.25 --size 96 --channels 1 --classes 2"
	"--style keras --alpha 0.35 --size 64 --in-type float32 --out-type float32"
	"--style keras --alpha 0.25 --size 48 --depth-mult 8 --channels 1 --classes 2"
	"--style pytorch --alpha 0.25 --size 64"
	"--style pytorch --alpha 0.5 --size 65 --classes 5 --in-type float32"
	"--style tf1 --alpha 0.25 --size 64 --channels 4 --in-type uint8 --int8"
)
k=0
for spec in "${specs[@]}"; do
	k=$((k + 1))
	m="$TMP/gen$k.tflite"
	if ! $GEN $spec --seed $((60 + k)) -o "$m" 2>"$TMP/err"; then
		fail "mbn-gen $spec" "$(head -c 300 "$TMP/err")"; continue
	fi
	inputs "$m" "$TMP/gin$k.raw" 2 $k
	same "mbn-gen $spec" "$m" "$TMP/gin$k.raw"
done

# --- an operator libmbnaccel does not run in the middle: two partitions on the device
m=$TMP/maxpool.tflite
$GEN --alpha 0.25 --size 96 --maxpool-after 6 --seed 5 -o "$m"
inputs "$m" "$TMP/mp.raw" 2 9
same "MAX_POOL_2D after block 6" "$m" "$TMP/mp.raw" 2 no
if "$RUN" -m "$m" -i "$TMP/mp.raw" -o "$TMP/d.raw" --stats >"$TMP/out" 2>&1 &&
	grep -q 'partitions=2 nodes_claimed=27 jobs_per_invoke=2.00' "$TMP/out" &&
	! grep -q 'accel_cycles=0 ' "$TMP/out"; then
	pass "MAX_POOL_2D after block 6: both partitions ran on the accelerator ($(head -1 "$TMP/out" | grep -o 'accel_cycles=[0-9]*'))"
else
	fail "MAX_POOL_2D: partitions" "$(head -c 300 "$TMP/out")"
fi

# --- a layer the accelerator cannot take splits the chain: alpha 1.3's 1331-channel
# depthwise layers stay with TFLite, the convolutions around them are claimed
m=$TMP/a13.tflite
$GEN --alpha 1.3 --size 64 --seed 6 -o "$m"
inputs "$m" "$TMP/a13.raw" 1 10
"$ORACLE" -m "$m" -i "$TMP/a13.raw" -o "$TMP/ref.raw"
if "$RUN" -m "$m" -i "$TMP/a13.raw" -o "$TMP/d.raw" -O log=1 2>"$TMP/log" && cmp -s "$TMP/d.raw" "$TMP/ref.raw"; then
	left=$(grep -E 'node [0-9]+ DEPTHWISE_CONV_2D .*left to TFLite' "$TMP/log" | head -1)
	if [ -n "$left" ] && grep -q 'claimed in 2 partitions' "$TMP/log"; then
		pass "alpha 1.3: bytes = TFLite's; the layer the accelerator cannot take is left to TFLite (${left##*left to TFLite: }), 2 partitions"
	else
		fail "alpha 1.3 split" "$(grep 'nodes claimed' "$TMP/log")"
	fi
else
	fail "alpha 1.3" "$(tail -2 "$TMP/log")"
fi

# --- the accelerator cycles are libmbnaccel's own
for name in mobilenet_v1_0.25_128_quant mobilenet_v1_1.0_224_quant_embedding_extractor; do
	m=$MODELS/$name.tflite
	head -c "$(insize "$m")" "$TMP/$name.raw" >"$TMP/one.raw"
	ours=$("$BUILD/bin/mbn-classify" -d sim -m "$m" --raw "$TMP/one.raw" 2>&1 | sed -n 's/.*accelerator cycles: \([0-9]*\).*/\1/p')
	theirs=$("$RUN" -m "$m" -i "$TMP/one.raw" -o "$TMP/d.raw" --stats | sed -n 's/.*accel_cycles=\([0-9]*\).*/\1/p')
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
		pass "$name: TFLite + delegate costs libmbnaccel's $ours accelerator cycles"
	else
		fail "$name: cycles" "mbn-classify '$ours', delegate '$theirs'"
	fi
done

# --- the cpu device: the same nodes, libmbnaccel's CPU kernels, the same bytes
m=$MODELS/vww_96_int8_keras.tflite
"$ORACLE" -m "$m" -i "$TMP/vww_96_int8_keras.raw" -o "$TMP/ref.raw"
if "$RUN" -m "$m" -i "$TMP/vww_96_int8_keras.raw" -o "$TMP/d.raw" -O device=cpu -O log=1 2>"$TMP/log" &&
	cmp -s "$TMP/d.raw" "$TMP/ref.raw" && grep -q 'cpu: 32 of 43 nodes claimed in 1 partition' "$TMP/log"; then
	pass "device cpu: 32 of 43 nodes of the Keras export claimed, bytes = TFLite's"
else
	fail "device cpu" "$(grep 'claimed in' "$TMP/log")"
fi

# --- 100 interpreters, one delegate: ASan/LSan clean, no partition left, same bytes
m=$MODELS/mobilenet_v1_0.25_128_quant.tflite
head -c "$(insize "$m")" "$TMP/mobilenet_v1_0.25_128_quant.raw" >"$TMP/one.raw"
"$ORACLE" -m "$m" -i "$TMP/one.raw" -o "$TMP/ref.raw"
for mode in linked external; do
	if ASAN_OPTIONS=detect_leaks=1 "$SANRUN" -m "$m" -i "$TMP/one.raw" -o "$TMP/d.raw" --interpreters 100 --delegate "$mode" \
		>"$TMP/out" 2>&1 && cmp -s "$TMP/d.raw" "$TMP/ref.raw"; then
		pass "100 interpreters ($mode, ASan/LSan build): no leak, no error, no partition left, same bytes each time"
	else
		fail "100 interpreters ($mode)" "$(grep -m3 -E 'ERROR|SUMMARY|mbn-tflite-run' "$TMP/out")"
	fi
done

# --- a device that does not open: TFLite runs everything, said once
if "$RUN" -m "$m" -i "$TMP/one.raw" -o "$TMP/d.raw" -O device=drm:/dev/mbn-no-such-device --interpreters 3 \
	>"$TMP/out" 2>&1 && cmp -s "$TMP/d.raw" "$TMP/ref.raw" &&
	[ "$(grep -c "device 'drm:/dev/mbn-no-such-device' cannot be opened" "$TMP/out")" = 1 ]; then
	pass "device that does not open: the application runs on TFLite's kernels, said once ($(grep -m1 'cannot be opened' "$TMP/out" | cut -c1-140))"
else
	fail "device that does not open" "$(head -c 400 "$TMP/out")"
fi

# --- bad options through the external loader: said at once, and the interpreter
# creation fails with the message (not a crash)
badopt() { # NAME OPTION EXPECTED
	if "$RUN" -m "$m" -i "$TMP/one.raw" -o "$TMP/d.raw" --delegate external -O "$2" >"$TMP/out" 2>&1; then
		fail "bad option $2" "accepted"
	elif [ "$(grep -c "$3" "$TMP/out")" -ge 2 ] && grep -q 'cannot create the interpreter' "$TMP/out"; then
		pass "bad option $2: refused ($(grep -m1 "$3" "$TMP/out" | cut -c1-120))"
	else
		fail "bad option $2" "unclear message: $(head -c 300 "$TMP/out")"
	fi
}
badopt unknown bogus=1 "unknown option 'bogus'"
badopt match match=sparc "option match=sparc: expected x86, arm64 or native"
badopt log log=maybe "option log=maybe: expected"

# --- resizing after delegation is refused with a reason
out=$("$RUN" -m "$m" --resize 96,96 2>&1)
if grep -q '^resize refused' <<<"$out" && grep -q 'resizing after the delegate was applied is not supported' <<<"$out"; then
	pass "input resized after delegation: refused ($(grep -m1 'is now' <<<"$out" | cut -c1-150)...)"
else
	fail "resize" "$out"
fi

# --- our builtin parameter structs read what the flatbuffer says
for m in "$MODELS/vww_96_int8_keras.tflite" "$MODELS/mobilenet_v1_0.25_128_quant.tflite" "$TMP/maxpool.tflite" \
	"$TMP/gen6.tflite" "$TMP/gen7.tflite"; do
	python3 "$ROOT/tests/delegate/tflite-options.py" "$m" >"$TMP/fb.txt"
	head -c "$(insize "$m")" /dev/zero >"$TMP/zero.raw"
	"$RUN" -m "$m" -i "$TMP/zero.raw" -o "$TMP/d.raw" -O log=2 2>&1 | sed -n 's/^mbnaccel-tflite: \(params .*\)/\1/p' >"$TMP/dl.txt"
	if [ -s "$TMP/fb.txt" ] && diff -q "$TMP/fb.txt" "$TMP/dl.txt" >/dev/null; then
		pass "builtin parameter structs = flatbuffer options: $(basename "$m") ($(wc -l <"$TMP/fb.txt") operators)"
	else
		fail "builtin parameters of $(basename "$m")" "$(diff "$TMP/fb.txt" "$TMP/dl.txt" | head -3)"
	fi
done

# --- the example application
m=$MODELS/mobilenet_v1_0.25_128_quant.tflite
for img in grace_hopper.bmp cat_720p.jpg; do
	ex=$("$BUILD/bin/tflite-classify" "$m" "$IMAGES/$img" "$MODELS/imagenet_labels.txt" sim 2>&1 | awk '{print $1}' | tr '\n' ' ')
	plain=$("$BUILD/bin/tflite-classify" "$m" "$IMAGES/$img" "$MODELS/imagenet_labels.txt" none 2>&1 | awk '{print $1}' | tr '\n' ' ')
	lib=$("$BUILD/bin/mbn-classify" -d sim -m "$m" -k 5 "$IMAGES/$img" 2>&1 | awk '$2 ~ /^[0-9]+$/ {print $2}' | tr '\n' ' ')
	if [ -n "$ex" ] && [ "$ex" = "$plain" ] && [ "$ex" = "$lib" ]; then
		pass "examples/tflite-classify $img: top 5 ($ex) = plain TFLite's = mbn-classify's"
	else
		fail "tflite-classify $img" "delegate '$ex', plain '$plain', mbn-classify '$lib'"
	fi
done
finish
