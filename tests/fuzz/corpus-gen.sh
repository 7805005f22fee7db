#!/usr/bin/env bash
# corpus-gen.sh DIR: the seed corpus of fuzz-loader (tests/fuzz/fuzz-loader.c) in DIR.
#   - the real 0.25_128 model and the 1.0_224 head layers (each loads alone);
#   - chained seeds "A ++ B ++ u32le(len(A))": fuzz-loader splits every input at the
#     position in its last 4 bytes and loads the two parts as chained files;
#   - small single-operator and whole-network models from build/bin/mbn-gen, if built.
# Prints the number of seeds. Needs python3 for the chained seeds.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${MBN_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
MODELS=$SHARED/models
GEN=$ROOT/${MBN_BUILD:-build}/bin/mbn-gen
out=${1:?usage: corpus-gen.sh DIR}
mkdir -p "$out"

cp "$MODELS/mobilenet_v1_0.25_128_quant.tflite" "$out/real-0.25_128.tflite"
cp "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite" "$out/real-1.0_224-head.tflite"
cp "$MODELS/vww_96_int8_keras.tflite" "$out/real-vww_96_int8_keras.tflite"

# chain A B NAME: A ++ B ++ u32le(len(A))
chain() {
	python3 - "$1" "$2" "$out/$3" <<'EOF'
import struct, sys
a = open(sys.argv[1], 'rb').read(); b = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(a + b + struct.pack('<I', len(a)))
EOF
}

if [ -x "$GEN" ]; then
	g() { # NAME ARGS...
		local name=$1
		shift
		"$GEN" "$@" -o "$out/gen-$name.tflite" >/dev/null 2>&1 || echo "corpus-gen: mbn-gen $* failed" >&2
	}
	g conv --op CONV_2D --h 6 --w 5 --c 3 --oc 4
	g conv-valid-s2 --op CONV_2D --h 7 --w 7 --c 2 --oc 3 --stride 2 --padding valid --act none
	g conv-int8 --op CONV_2D --h 5 --w 5 --c 3 --oc 4 --int8
	g conv-1x1 --op CONV_2D --h 4 --w 4 --c 8 --oc 8 --k 1 --act relu
	g dw --op DEPTHWISE_CONV_2D --h 6 --w 6 --c 4
	g dw-dm2 --op DEPTHWISE_CONV_2D --h 5 --w 5 --c 3 --dm 2 --stride 2
	g dw-int8 --op DEPTHWISE_CONV_2D --h 6 --w 6 --c 4 --int8
	g pool --op AVERAGE_POOL_2D --h 4 --w 4 --c 4 --k 2 --stride 2
	g pool-int8 --op AVERAGE_POOL_2D --h 5 --w 5 --c 3 --k 3 --int8 --padding valid
	g fc --op FULLY_CONNECTED --c 16 --units 5
	g fc-int8 --op FULLY_CONNECTED --c 16 --units 5 --int8
	g softmax --op SOFTMAX --c 10
	g softmax-int8 --op SOFTMAX --c 10 --int8
	g reshape --op RESHAPE --h 2 --w 2 --c 3
	g squeeze --op SQUEEZE --c 6
	g maxpool --op MAX_POOL_2D --h 4 --w 4 --c 2 --k 2 --stride 2
	g net --alpha 0.25 --size 32 --classes 10
	g net-int8 --alpha 0.25 --size 32 --classes 10 --int8
	g net-squeeze --alpha 0.1 --size 24 --classes 7 --head squeeze
	# exported-model operators and styles
	g quantize-f32 --op QUANTIZE --in-type float32 --out-type int8
	g requantize --op QUANTIZE --in-type int8 --out-type uint8
	g dequantize --op DEQUANTIZE --int8
	g pad --op PAD --int8 --pads 0,1,2,1
	g padv2 --op PADV2 --pads 1,1,1,1 --pad-value 7
	g mean --op MEAN --int8 --keep-dims 0
	g mean-keep --op MEAN --keep-dims 1 --same-quant
	g reshape-keras --op RESHAPE_KERAS --int8
	g fc-pc --op FULLY_CONNECTED --int8 --per-channel --c 16 --units 5
	g keras --style keras --alpha 0.25 --size 32 --channels 1 --classes 2 --in-type float32 --out-type float32
	g pytorch --style pytorch --alpha 0.1 --size 25 --classes 3
	g tflm --style keras --alpha 0.25 --size 32 --channels 1 --depth-mult 8 --classes 2
	if [ -f "$out/gen-conv.tflite" ] && [ -f "$out/gen-dw.tflite" ]; then
		chain "$out/gen-net.tflite" "$out/gen-softmax.tflite" chain-net-softmax.bin 2>/dev/null
		chain "$out/gen-conv.tflite" "$out/gen-dw.tflite" chain-conv-dw.bin
		chain "$out/gen-net-squeeze.tflite" "$out/gen-net-squeeze.tflite" chain-same-twice.bin
	fi
fi
chain "$MODELS/mobilenet_v1_0.25_128_quant.tflite" "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite" chain-mismatch.bin
ls "$out" | wc -l
