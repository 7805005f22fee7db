#!/usr/bin/env bash
# mbn-classify's input mapping follows the model: the real input range comes from the
# input tensor's quantization (or --input-range A:B), 1-channel models get the BT.601
# luma (converted before resizing), 4-channel models RGB + 255. Checked on the bytes
# --save-input writes, against values computed here in Python, on the reference model
# (uint8 scale 1/128 zero point 128, whose default input is the resized pixels
# themselves) and on mbn-gen single-convolution models with 1, 3 and 4 input channels
# and calibrated (neither 1/255 nor 1/128) input quantization.
source "$(dirname "$0")/../lib.sh"
CLS=$BUILD/bin/mbn-classify
GEN=$BUILD/bin/mbn-gen
Q=$MODELS/mobilenet_v1_0.25_128_quant.tflite
require "$CLS" "$GEN" "$Q" "$IMAGES/cat.bmp"
cd "$TMP"

# ---- the reference model: default = the old (p - 128) / 128, bit for bit ---------
rm -f def.raw
"$CLS" -d cpu -m "$Q" --save-input def.raw "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" >def.txt 2>err || fail "default run" "$(cat err)"
rm -f mob.raw
"$CLS" -d cpu -m "$Q" --input-range -1:0.9921875 --save-input mob.raw "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" >mob.txt 2>err
cmp -s def.raw mob.raw && cmp -s def.txt mob.txt && pass "reference model: default = --input-range -1:0.9921875 ((p - 128) / 128), same input and output" ||
	fail "reference default" "$(cmp def.raw mob.raw) $(cat err)"
# the default input of the uint8 1/128 zp 128 model is the resized pixels: P
# quantized with scale 1/128, zero point 128, lround (half away from zero), clamped
expect_range() { # name A B file: compare file with P mapped through [A, B] onto uint8 1/128 zp 128
	python3 - "$2" "$3" def.raw "$4" <<'EOF'
import math, struct, sys
a, b = float(sys.argv[1]), float(sys.argv[2])
p = open(sys.argv[3], 'rb').read(); got = open(sys.argv[4], 'rb').read()
f32 = lambda x: struct.unpack('f', struct.pack('f', x))[0]
def q(px):
    if (a, b) == (0.0, 1.0): real = f32(px / 255.0)
    elif (a, b) == (-1.0, 1.0): real = f32(f32(px / 127.5) - 1.0)
    else: real = f32(a + px * (b - a) / 255.0)
    v = f32(real / f32(0.0078125))
    r = int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1) + 128
    return min(max(r, 0), 255)
lut = [q(i) for i in range(256)]
want = bytes(lut[x] for x in p)
bad = sum(1 for x, y in zip(want, got) if x != y)
assert len(want) == len(got) and bad == 0, (len(want), len(got), bad)
EOF
}
for r in 0:1 -1:1 0.25:0.75 -2:2 1:-1; do
	rm -f r.raw
	if "$CLS" -d cpu -m "$Q" --input-range "$r" --save-input r.raw "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" >/dev/null 2>err &&
		expect_range "$r" "${r%%:*}" "${r#*:}" r.raw 2>err2; then
		pass "--input-range $r: pixel 0 -> ${r%%:*}, 255 -> ${r#*:}, quantized with the model's scale 1/128 zero point 128"
	else fail "--input-range $r" "$(cat err) $(tail -1 err2)"; fi
done
# --input-range=A:B spelling, and a negative A as the next argument
rm -f a.raw b.raw
"$CLS" -d cpu -m "$Q" --input-range=-1:1 --save-input a.raw "$IMAGES/cat.bmp" >/dev/null 2>&1
"$CLS" -d cpu -m "$Q" --input-range -1:1 --save-input b.raw "$IMAGES/cat.bmp" >/dev/null 2>&1
[ -s a.raw ] && cmp -s a.raw b.raw && pass "--input-range=-1:1 and --input-range -1:1 agree" || fail "--input-range= spelling" "$(cmp a.raw b.raw 2>&1)"

# ---- bad --input-range values: exit 2, a message naming the option ----------------
for bad in abc 1:1 0: :1 0:1:2 nan:1 0,1 ""; do
	"$CLS" -d cpu -m "$Q" --input-range "$bad" "$IMAGES/cat.bmp" >out 2>err; rc=$?
	if [ $rc -eq 2 ] && grep -q -- "--input-range '$bad': expected A:B" err && [ ! -s out ]; then
		pass "--input-range '$bad' rejected (exit 2, names the option)"
	else fail "--input-range '$bad'" "rc=$rc err=$(cat err) out=$(head -c 100 out)"; fi
done

# ---- 1, 3 and 4 channels; the type's whole range for other quantizations ---------
python3 - <<'EOF'
import random
r = random.Random(7)
def ppm(name, w, h):
    pix = bytes(r.getrandbits(8) for _ in range(w * h * 3))
    open(name + '.ppm', 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + pix)
    open(name + '.rgb', 'wb').write(pix)
ppm('s16', 16, 16)   # the models' size: resizing is the identity
ppm('s37', 37, 23)   # resized to 16x16
# s37 converted to gray with Pillow's formula, as an RGB image with R = G = B
pix = open('s37.rgb', 'rb').read()
y = bytes((pix[i] * 19595 + pix[i + 1] * 38470 + pix[i + 2] * 7471 + 0x8000) >> 16 for i in range(0, len(pix), 3))
open('g37.ppm', 'wb').write(b'P6\n37 23\n255\n' + bytes(v for v in y for _ in range(3)))
EOF
"$GEN" --op CONV_2D --h 16 --w 16 --c 1 --int8 --seed 2 -o c1.tflite &&
	"$GEN" --op CONV_2D --h 16 --w 16 --c 3 --seed 3 -o c3.tflite &&
	"$GEN" --op CONV_2D --h 16 --w 16 --c 4 --seed 4 -o c4.tflite &&
	"$GEN" --op CONV_2D --h 16 --w 16 --c 4 --int8 --seed 5 -o c4i.tflite || fail "mbn-gen" "could not write the test models"
qparams() { "$BUILD/bin/mbn-info" -d cpu -m "$1" --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["input"]; print(d["type"], repr(d["scale"]), d["zero_point"])'; }
for m in c1 c3 c4 c4i; do
	read -r ty sc zp <<<"$(qparams $m.tflite)"
	rm -f $m.raw
	"$CLS" -d cpu -m $m.tflite --save-input $m.raw s16.ppm >/dev/null 2>err || { fail "$m" "$(cat err)"; continue; }
	# neither 1/255 nor 1/128: the pixel is the quantized value qmin + p
	if python3 - "$m" "$ty" <<'EOF' 2>err2; then
import sys
m, ty = sys.argv[1], sys.argv[2]
pix = open('s16.rgb', 'rb').read(); got = open(m + '.raw', 'rb').read()
c = {'c1': 1, 'c3': 3, 'c4': 4, 'c4i': 4}[m]
off = 128 if ty == 'int8' else 0
want = []
for i in range(0, len(pix), 3):
    r, g, b = pix[i:i + 3]
    px = [(r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16] if c == 1 else [r, g, b, 255][:c]
    want += [(v - off) & 255 for v in px]
assert bytes(want) == got, (len(want), len(got), sum(1 for a, b in zip(want, got) if a != b))
EOF
		pass "$m ($ty scale $sc zero point $zp, $( [ $m = c1 ] && echo 'luma' || ([ $m = c3 ] && echo RGB || echo 'RGB + 255'))): the type's range, input byte = pixel$([ "$ty" = int8 ] && echo ' - 128')"
	else fail "$m input mapping" "$(tail -1 err2)"; fi
done
# --input-range on the 1-channel int8 model: round((Y / 255) / scale) + zero point
read -r ty sc zp <<<"$(qparams c1.tflite)"
rm -f c1r.raw
"$CLS" -d cpu -m c1.tflite --input-range 0:1 --save-input c1r.raw s16.ppm >/dev/null 2>err
if python3 - "$sc" "$zp" <<'EOF' 2>err2; then
import math, struct, sys
f32 = lambda x: struct.unpack('f', struct.pack('f', x))[0]
sc, zp = f32(float(sys.argv[1])), int(sys.argv[2])
pix = open('s16.rgb', 'rb').read(); got = open('c1r.raw', 'rb').read()
def q(p):
    v = f32(f32(p / 255.0) / sc)
    return min(max(int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1) + zp, -128), 127) & 255
want = bytes(q((pix[i] * 19595 + pix[i + 1] * 38470 + pix[i + 2] * 7471 + 0x8000) >> 16) for i in range(0, len(pix), 3))
assert want == got, sum(1 for a, b in zip(want, got) if a != b)
EOF
	pass "1-channel int8 model, --input-range 0:1: round(luma / 255 / scale) + zero point"
else fail "1-channel --input-range" "$(cat err) $(tail -1 err2)"; fi

# Grayscale before resizing: the 1-channel model's input from the colour image equals
# the (gray) channels of the 3-channel model's input from the image converted first.
rm -f g1.raw g3.raw
"$CLS" -d cpu -m c1.tflite --save-input g1.raw s37.ppm >/dev/null 2>err &&
	"$CLS" -d cpu -m c3.tflite --save-input g3.raw g37.ppm >/dev/null 2>>err
if python3 -c '
a = open("g1.raw", "rb").read(); b = open("g3.raw", "rb").read()
assert len(a) == 256 and len(b) == 768
assert all(b[3 * i] == b[3 * i + 1] == b[3 * i + 2] for i in range(256))
assert bytes((x - 128) & 255 for x in b[0::3]) == a
' 2>err2; then pass "1 channel: converted to luma before the bilinear resize (37x23 -> 16x16)"
else fail "gray before resize" "$(cat err) $(tail -1 err2)"; fi

# A model input that is not an image (2 channels): a clear message, --raw works.
"$GEN" --op CONV_2D --h 16 --w 16 --c 2 -o c2.tflite
"$CLS" -d cpu -m c2.tflite s16.ppm >out 2>err; rc=$?
[ $rc -eq 1 ] && grep -q "C = 1, 3 or 4; use --raw" err && pass "2-channel input: 'use --raw' (exit 1)" || fail "2-channel input" "rc=$rc $(cat err)"
head -c 512 /dev/zero >z.raw
"$CLS" -d cpu -m c2.tflite --raw z.raw >out 2>err && pass "2-channel input with --raw runs" || fail "2-channel --raw" "$(cat err)"
finish
