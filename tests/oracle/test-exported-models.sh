#!/usr/bin/env bash
# MobileNet v1 as today's toolchains export it, bit-exact with TensorFlow Lite 2.9 on
# the cpu device and the simulated accelerator:
#  - the real Keras export ../shared/models/vww_96_int8_keras.tflite (TF2 MLIR converter,
#    MLPerf Tiny), on random inputs;
#  - mbn-gen models in every export style (tf1, keras, pytorch) over a grid of width,
#    resolution, input channels (1, 3, 4), class counts, input/output types (int8, uint8,
#    float32) and a depthwise first layer (TFLite Micro's person detector);
# and where they run: every convolution but the classifier on the accelerator, and the
# Keras export of a network costs the cycles and DRAM bytes of its TF1-style model
# (the folded PADs give the same descriptors) within 1 %.
source "$(dirname "$0")/../lib.sh"
GEN=$BUILD/bin/mbn-gen
require "$ORACLE" "$BUILD/bin/mbn-classify" "$BUILD/bin/mbn-info" "$BUILD/bin/mbn-bench" "$GEN" "$MODELS/vww_96_int8_keras.tflite"
DEVS=${MBN_DEVICES:-cpu sim}

insize() { "$ORACLE" -m "$1" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}'; }
intype() { "$ORACLE" -m "$1" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^type=/) {sub("type=","",$i); print $i; exit}}'; }
float_inputs() { # FILE BYTES COUNT SEED: floats in [-1.2, 1.2]
	python3 -c "
import random, struct, sys
r = random.Random($4); n = $2 // 4 * $3
open('$1', 'wb').write(struct.pack('<%df' % n, *[r.uniform(-1.2, 1.2) for _ in range(n)]))"
}
inputs() { # MODEL FILE COUNT SEED
	local sz
	sz=$(insize "$1")
	if [ "$(intype "$1")" = float32 ]; then float_inputs "$2" "$sz" "$3" "$4"; else random_inputs "$2" "$sz" "$3" "$4"; fi
}
# where NAME MODEL: every convolution except the classifier (a convolution or FC on a
# 1x1 map) runs on the accelerator
where() {
	local name=$1 m=$2
	if ! "$BUILD/bin/mbn-info" -d sim -m "$m" >"$TMP/info" 2>&1; then
		fail "$name: placement" "mbn-info failed: $(head -c 300 "$TMP/info")"; return
	fi
	local bad
	# columns: index, operator, k/s, input, output, params, MACs, runs
	bad=$(awk '$2 ~ /^(CONV_2D|DEPTHWISE_CONV_2D)$/ && $4 !~ /^1x1x/ && $8 != "accel"' "$TMP/info" | head -1)
	if [ -n "$bad" ]; then
		fail "$name: placement" "a convolution stays on the CPU: $bad"
	else
		pass "$name: every convolution but the classifier on the accelerator ($(grep '^total' "$TMP/info" | sed 's/.*MACs (//; s/).*//'))"
	fi
}

inputs "$MODELS/vww_96_int8_keras.tflite" "$TMP/vww.raw" 16 3
for dev in $DEVS; do
	bitexact "vww_96_int8_keras (real Keras export) on $dev, 16 random inputs" "$dev" "$TMP/vww.raw" "$MODELS/vww_96_int8_keras.tflite"
done
where vww_96_int8_keras "$MODELS/vww_96_int8_keras.tflite"
if "$BUILD/bin/mbn-info" -d cpu -m "$MODELS/vww_96_int8_keras.tflite" | head -1 | grep -q "MobileNet v1 (alpha 0.25, 96x96x1 input, int8, 13 separable blocks, 2 outputs; 5 PAD folded"; then
	pass "vww_96_int8_keras described as MobileNet v1 alpha 0.25, 96x96x1, 2 classes"
else
	fail "vww_96_int8_keras description" "$("$BUILD/bin/mbn-info" -d cpu -m "$MODELS/vww_96_int8_keras.tflite" | head -1)"
fi

specs=(
	"--style keras --alpha 0.25 --size 96 --channels 1 --classes 2"
	"--style keras --alpha 0.5 --size 128"
	"--style keras --alpha 0.75 --size 97 --classes 10"
	"--style keras --alpha 0.25 --size 64 --in-type float32 --out-type float32"
	"--style keras --alpha 0.25 --size 64 --in-type uint8 --out-type uint8 --channels 4 --classes 7"
	"--style keras --alpha 0.35 --size 48 --depth-mult 8 --channels 1 --classes 2"
	"--style pytorch --alpha 0.25 --size 64"
	"--style pytorch --alpha 0.5 --size 65 --classes 5 --in-type float32"
	"--style pytorch --alpha 0.25 --size 96 --channels 1 --out-type float32"
	"--style tf1 --alpha 0.25 --size 64 --depth-mult 8 --channels 1 --int8"
	"--style tf1 --alpha 0.5 --size 96 --channels 4 --in-type float32 --int8"
)
k=0
for spec in "${specs[@]}"; do
	k=$((k + 1))
	m="$TMP/gen$k.tflite"
	if ! $GEN $spec --seed $((40 + k)) -o "$m" 2>"$TMP/err"; then
		fail "mbn-gen $spec" "$(head -c 300 "$TMP/err")"; continue
	fi
	inputs "$m" "$TMP/in$k.raw" 3 $k
	for dev in $DEVS; do
		bitexact "mbn-gen $spec on $dev" "$dev" "$TMP/in$k.raw" "$m"
	done
	where "mbn-gen $spec" "$m"
done

# Keras vs TF1 style of the same alpha and resolution: cycles and DRAM bytes within 1 %.
bench() { # MODEL -> "cycles read written"
	"$BUILD/bin/mbn-bench" -d sim -m "$1" --runs 1 --json | python3 -c "
import json, sys
j = json.load(sys.stdin)
print(j['cycles'], j['dram_read_bytes'], j['dram_write_bytes'])" 2>/dev/null
}
for as in "1.0 224" "0.5 160"; do
	set -- $as
	$GEN --style tf1 --int8 --alpha "$1" --size "$2" --seed 9 -o "$TMP/tf1.tflite" && $GEN --style keras --alpha "$1" --size "$2" --seed 9 -o "$TMP/keras.tflite" || { fail "keras vs tf1 $1-$2" "mbn-gen failed"; continue; }
	a=$(bench "$TMP/tf1.tflite"); b=$(bench "$TMP/keras.tflite")
	if [ -z "$a" ] || [ -z "$b" ]; then fail "keras vs tf1 $1-$2" "mbn-bench --json failed"; continue; fi
	if python3 -c "
a = [float(x) for x in '$a'.split()]; b = [float(x) for x in '$b'.split()]
import sys; sys.exit(0 if all(abs(x - y) <= 0.01 * x for x, y in zip(a, b)) else 1)"; then
		pass "keras vs tf1 $1-$2: cycles/read/written $b vs $a (within 1 %)"
	else
		fail "keras vs tf1 $1-$2" "cycles/read/written $b (keras) vs $a (tf1): more than 1 % apart"
	fi
done
# TensorFlow Lite Micro's person_detect.tflite sets quantized_dimension 3 on rank-1
# per-channel bias tensors: TFLite 2.9 refuses the file, we read dimension 0 and warn.
# The same model without the flaw is the reference.
python3 - "$TMP" "$ROOT/tests/bad" <<'PY'
import os, struct, sys
sys.path.insert(0, sys.argv[2])
from mktflite import *
for name, qd in (('tflm-qdim3', 3), ('tflm-qdim0', 0)):
    m = Model()
    x = m.tensor('in', [1, 8, 8, 4], INT8, scale=[0.05], zp=[-3])
    w = m.tensor('filter', [1, 3, 3, 4], INT8, bytes((i * 37) % 251 - 125 & 0xff for i in range(36)),
                 scale=[0.01, 0.02, 0.015, 0.012], zp=[0] * 4, qdim=3)
    b = m.tensor('bias', [4], INT32, struct.pack('<4i', 100, -50, 7, 0), scale=[0.0005, 0.001, 0.00075, 0.0006],
                 zp=[0] * 4, qdim=qd)
    y = m.tensor('out', [1, 8, 8, 4], INT8, scale=[0.04], zp=[2])
    m.op(DEPTHWISE_CONV_2D, [x, w, b], [y], OPT_DW, {0: ('u8', 0), 1: ('i32', 1), 2: ('i32', 1), 3: ('i32', 1)})
    open(os.path.join(sys.argv[1], name + '.tflite'), 'wb').write(m.build([x], [y]))
PY
random_inputs "$TMP/tflm.raw" 256 1 11
if "$ORACLE" -m "$TMP/tflm-qdim3.tflite" --info >/dev/null 2>&1; then
	fail "TFLM quantized_dimension 3" "TFLite 2.9 accepts it (expected it to refuse the file)"
fi
for dev in $DEVS; do
	rm -f "$TMP/t3.raw" "$TMP/t0.raw"
	"$BUILD/bin/mbn-classify" -d "$dev" -m "$TMP/tflm-qdim3.tflite" --raw --out-raw "$TMP/t3.raw" "$TMP/tflm.raw" >/dev/null 2>"$TMP/err"
	"$ORACLE" -m "$TMP/tflm-qdim0.tflite" -i "$TMP/tflm.raw" -o "$TMP/t0.raw" 2>/dev/null
	if cmp -s "$TMP/t3.raw" "$TMP/t0.raw" && grep -q "quantized_dimension 3" "$TMP/err"; then
		pass "TFLM-style quantized_dimension 3 on a rank-1 bias on $dev: read as 0 with a warning, = TFLite on the fixed file"
	else
		fail "TFLM quantized_dimension 3 on $dev" "$(head -c 300 "$TMP/err")"
	fi
done
finish
