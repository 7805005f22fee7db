#!/usr/bin/env bash
# Bad inputs through the ASan/UBSan tools (build-san): every case must end with exit
# status 1 or 2 (no crash, no signal, no sanitizer report) and a message on stderr that
# names the problem (one or more words checked per case). Random corruptions only need
# a clean exit (0, 1 or 2), since some land in weights and leave a valid model.
#
# Models: truncated, corrupted (header, vtables, fields patched with a small flatbuffer
# patcher below), empty, text, directory, missing, unsupported operator, chains that do
# not match. Inputs: raw of the wrong size, missing, text/empty/0x0/huge/truncated
# images, bad PNG CRC, directories. Options: -k, unknown options, devices, missing -m,
# unwritable --out-raw.
source "$(dirname "$0")/../lib.sh"
CLS=$SANBUILD/bin/mbn-classify
INFO=$SANBUILD/bin/mbn-info
require "$CLS" "$INFO" "$MODELS" "$IMAGES"
command -v python3 >/dev/null || { echo "FAIL prerequisite: python3 is missing"; exit 1; }
Q=$MODELS/mobilenet_v1_0.25_128_quant.tflite
EMB=$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite
HEAD=$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite
require "$Q" "$EMB" "$HEAD" "$IMAGES/cat.bmp" "$IMAGES/owl.jpg"
GEN=$BUILD/bin/mbn-gen
[ -x "$GEN" ] || GEN=$SANBUILD/bin/mbn-gen

# A sanitizer report must not hide behind an ordinary exit status 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=98:print_stacktrace=1:halt_on_error=1}
SANRE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|Sanitizer'
cd "$TMP"

# run CMD...: runs it with stdout to out, stderr to err; sets rc.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
# bad NAME "WORD1|WORD2..." CMD...: exit 1 or 2, no sanitizer output, stderr names
# every WORD (fixed strings, separated by |).
bad() {
	local name=$1 words=$2 w
	shift 2
	run "$@"
	if grep -qE "$SANRE" "$TMP/err"; then
		fail "$name" "sanitizer report (rc=$rc): $(grep -m1 -E "$SANRE" "$TMP/err")"; return
	fi
	if [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
		fail "$name" "exit status $rc, expected 1 or 2; stderr: $(head -c 300 "$TMP/err")"; return
	fi
	IFS='|' read -ra ws <<<"$words"
	for w in "${ws[@]}"; do
		if ! grep -qF -- "$w" "$TMP/err"; then
			fail "$name" "message does not mention '$w': $(head -c 300 "$TMP/err")"; return
		fi
	done
	pass "$name (exit $rc: $(head -1 "$TMP/err" | cut -c1-150))"
}
# clean NAME CMD...: exit 0, 1 or 2 and no sanitizer output.
clean() {
	local name=$1
	shift
	run "$@"
	if grep -qE "$SANRE" "$TMP/err"; then
		fail "$name" "sanitizer report (rc=$rc): $(grep -m1 -E "$SANRE" "$TMP/err")"; return
	fi
	if [ "$rc" -gt 2 ]; then
		fail "$name" "exit status $rc (crash or signal?); stderr: $(head -c 300 "$TMP/err")"; return
	fi
	pass "$name (exit $rc)"
}

# ---- a small flatbuffer patcher for .tflite files (schema v3 field numbers) --------
cat >"$TMP/fbpatch.py" <<'EOF'
import random, struct, sys

class FB:
    def __init__(s, b): s.b = bytearray(b)
    def u32(s, p): return struct.unpack_from('<I', s.b, p)[0]
    def i32(s, p): return struct.unpack_from('<i', s.b, p)[0]
    def u16(s, p): return struct.unpack_from('<H', s.b, p)[0]
    def vt(s, t): return t - s.i32(t)
    def field(s, t, f):
        vt = s.vt(t)
        if 4 + 2 * f + 2 > s.u16(vt): return None
        o = s.u16(vt + 4 + 2 * f)
        return t + o if o else None
    def table(s, t, f):
        p = s.field(t, f)
        return None if p is None else p + s.u32(p)
    def vec(s, t, f):          # (first element, length, position of the length)
        p = s.field(t, f)
        if p is None: return None
        v = p + s.u32(p)
        return (v + 4, s.u32(v), v)
    def elem(s, v, i):         # table element i of a vector of offsets
        p = v[0] + 4 * i
        return p + s.u32(p)

cmd, src, dst = sys.argv[1:4]
args = sys.argv[4:]
fb = FB(open(src, 'rb').read())
model = fb.u32(0)
sg = fb.elem(fb.vec(model, 2), 0)
ops = fb.vec(sg, 3)
op0 = fb.elem(ops, 0)
tensors = fb.vec(sg, 0)
def tensor(i): return fb.elem(tensors, i)
def op_inputs(op):
    v = fb.vec(op, 1)
    return [fb.i32(v[0] + 4 * i) for i in range(v[1])], v

if cmd == 'opcode':            # every operator code becomes builtin CODE
    code = int(args[0])
    codes = fb.vec(model, 1)
    n = 0
    for i in range(codes[1]):
        c = fb.elem(codes, i)
        p = fb.field(c, 0)     # deprecated_builtin_code: int8
        if p is not None: fb.b[p] = code if code < 127 else 127; n += 1
        p = fb.field(c, 3)     # builtin_code: int32
        if p is not None: struct.pack_into('<i', fb.b, p, code); n += 1
    assert n, 'no builtin code field found'
elif cmd == 'vtsize':          # the model table's vtable size becomes odd
    struct.pack_into('<H', fb.b, fb.vt(model), 3)
elif cmd == 'vtzero':          # the model table's vtable claims 0 bytes
    struct.pack_into('<H', fb.b, fb.vt(model), 0)
elif cmd == 'soffset':         # the model table's vtable offset points far outside
    struct.pack_into('<i', fb.b, model, -0x7ffffff0)
elif cmd == 'rootoff':         # the root offset points outside the file
    struct.pack_into('<I', fb.b, 0, 0xfffffff0)
elif cmd == 'version':
    struct.pack_into('<I', fb.b, fb.field(model, 0), int(args[0]))
elif cmd == 'tensors-len':     # the tensor vector claims 2^30 entries
    struct.pack_into('<I', fb.b, tensors[2], 1 << 30)
elif cmd == 'opcode-index':    # the first operator with an explicit opcode index uses 999
    for i in range(ops[1]):
        p = fb.field(fb.elem(ops, i), 0)
        if p is not None: break
    struct.pack_into('<I', fb.b, p, 999)
elif cmd == 'tensor-index':    # operator 0 reads tensor 99999
    ins, v = op_inputs(op0)
    struct.pack_into('<i', fb.b, v[0] + 4, 99999)
elif cmd == 'dim-zero':        # the filter of operator 0 gets a 0 dimension
    ins, v = op_inputs(op0)
    shape = fb.vec(tensor(ins[1]), 0)
    struct.pack_into('<i', fb.b, shape[0] + 4, 0)
elif cmd == 'dims5':           # the filter of operator 0 claims 5 dimensions
    ins, v = op_inputs(op0)
    shape = fb.vec(tensor(ins[1]), 0)
    struct.pack_into('<I', fb.b, shape[2], 5)
elif cmd == 'scale':           # the input tensor's scale becomes VALUE (nan, -1, 0)
    ins, v = op_inputs(op0)
    q = fb.table(tensor(ins[0]), 4)
    sc = fb.vec(q, 2)
    struct.pack_into('<f', fb.b, sc[0], float(args[0]))
elif cmd == 'outscale':        # operator 0's output scale becomes VALUE
    q = fb.table(tensor(fb.i32(fb.vec(op0, 2)[0])), 4)
    struct.pack_into('<f', fb.b, fb.vec(q, 2)[0], float(args[0]))
elif cmd == 'bias':            # every bias of operator 0 becomes 2^31 - 1
    ins, v = op_inputs(op0)
    buf = fb.elem(fb.vec(model, 4), fb.u32(fb.field(tensor(ins[2]), 2)))
    d = fb.vec(buf, 0)
    for i in range(d[1] // 4): struct.pack_into('<i', fb.b, d[0] + 4 * i, 2**31 - 1)
elif cmd == 'weights-len':     # the filter data of operator 0 is one byte short
    ins, v = op_inputs(op0)
    buf = fb.elem(fb.vec(model, 4), fb.u32(fb.field(tensor(ins[1]), 2)))
    d = fb.vec(buf, 0)
    struct.pack_into('<I', fb.b, d[2], d[1] - 1)
elif cmd == 'stride':          # operator 0's stride becomes 0
    opt = fb.table(op0, 4)
    struct.pack_into('<i', fb.b, fb.field(opt, 1), 0)
elif cmd == 'random':          # N random bytes (seeded) in the flatbuffer part
    seed, n = int(args[0]), int(args[1])
    r = random.Random(seed)
    # Bias towards the tables: half the hits in the first and last 16 KiB.
    end = len(fb.b)
    k = fb.b.find(b'PK\x03\x04')   # the labels zip some models carry at the end
    if k > 0: end = k
    for _ in range(n):
        zone = r.random()
        if zone < 0.25: p = r.randrange(0, min(end, 16384))
        elif zone < 0.5: p = r.randrange(max(0, end - 16384), end)
        else: p = r.randrange(0, end)
        fb.b[p] = r.randrange(256)
else:
    sys.exit('unknown command ' + cmd)
open(dst, 'wb').write(fb.b)
EOF
patch() { # CMD SRC DST [ARGS]: dies loudly if the patcher fails (a test bug)
	local cmd=$1 src=$2 dst=$3
	shift 3
	if ! python3 "$TMP/fbpatch.py" "$cmd" "$src" "$dst" "$@" 2>"$TMP/perr"; then
		echo "FAIL fbpatch $cmd: $(tail -1 "$TMP/perr")"
		exit 1
	fi
}
sz() { stat -c %s "$1"; }

# ---- models -------------------------------------------------------------------------
head -c 8 "$Q" >t8.tflite
bad "model truncated to 8 bytes" "t8.tflite|corrupt|outside" "$INFO" -m t8.tflite
head -c 4 "$Q" >t4.tflite
bad "model truncated to 4 bytes" "t4.tflite|TFL3" "$INFO" -m t4.tflite
head -c $(($(sz "$Q") / 2)) "$Q" >half.tflite
bad "model truncated to half" "half.tflite|corrupt|outside" "$INFO" -m half.tflite
head -c $(($(sz "$HEAD") - 1)) "$HEAD" >head-1.tflite
bad "model minus its last byte (head)" "head-1.tflite|corrupt" "$CLS" -m head-1.tflite "$IMAGES/cat.bmp"
# The embedding extractor ends with an (empty) buffer table that no operator reads.
head -c $(($(sz "$EMB") - 1)) "$EMB" >emb-1.tflite
bad "model minus its last byte (unused trailing table)" "emb-1.tflite|corrupt|data buffer" "$INFO" -m emb-1.tflite
head -c 4096 "$Q" >t4k.tflite
bad "model truncated to 4 KiB" "t4k.tflite|corrupt" "$INFO" -m t4k.tflite

cp "$Q" ident.tflite
printf 'TFL2' | dd of=ident.tflite bs=1 seek=4 conv=notrunc status=none
bad "identifier TFL3 corrupted" "ident.tflite|TFL3" "$INFO" -m ident.tflite
patch rootoff "$Q" rootoff.tflite
bad "root offset outside the file" "rootoff.tflite|corrupt|outside" "$INFO" -m rootoff.tflite
patch soffset "$Q" soffset.tflite
bad "vtable offset outside the file" "soffset.tflite|corrupt|vtable" "$INFO" -m soffset.tflite
patch vtsize "$Q" vtsize.tflite
bad "vtable with an odd size" "vtsize.tflite|vtable|invalid size" "$INFO" -m vtsize.tflite
patch vtzero "$Q" vtzero.tflite
bad "vtable of size 0" "vtzero.tflite|vtable|invalid size 0" "$INFO" -m vtzero.tflite
patch version "$Q" version.tflite 2
bad "schema version 2" "version.tflite|schema version 2" "$INFO" -m version.tflite
patch tensors-len "$Q" tlen.tflite
bad "tensor vector longer than the file" "tlen.tflite|corrupt" "$INFO" -m tlen.tflite
patch opcode-index "$Q" opidx.tflite
bad "opcode index out of range" "opidx.tflite|opcode index 999" "$INFO" -m opidx.tflite
patch tensor-index "$Q" tidx.tflite
bad "tensor index out of range" "tidx.tflite|99999|out of range" "$INFO" -m tidx.tflite
patch dim-zero "$Q" dim0.tflite
bad "filter with a 0 dimension" "dim0.tflite|dimension" "$INFO" -m dim0.tflite
patch dims5 "$Q" dims5.tflite
bad "filter with 5 dimensions" "dims5.tflite|5 dimensions" "$INFO" -m dims5.tflite
patch scale "$Q" nan.tflite nan
bad "input scale NaN" "nan.tflite|scale" "$INFO" -m nan.tflite
patch scale "$Q" negscale.tflite -1
bad "input scale negative" "negscale.tflite|scale" "$INFO" -m negscale.tflite
patch weights-len "$Q" wlen.tflite
bad "filter data one byte short" "wlen.tflite|data is" "$INFO" -m wlen.tflite
patch stride "$Q" stride.tflite
bad "stride 0" "stride.tflite|stride" "$INFO" -m stride.tflite
# Found by inspection while fuzzing: a bias near 2^31 overflowed the int32
# accumulator in the CPU kernels (UBSan: signed integer overflow).
# A tiny output scale made the RELU6 bound 6 / scale overflow the float->int32
# conversion of the activation range (undefined behaviour; clang's UBSan flags it).
patch outscale "$Q" tinyscale.tflite 1e-30
clean "output scale 1e-30 (activation range conversion)" "$CLS" -m tinyscale.tflite "$IMAGES/cat.bmp"
patch bias "$Q" bias.tflite
bad "bias that overflows the accumulator" "bias.tflite|overflow" "$CLS" -m bias.tflite "$IMAGES/cat.bmp"

: >empty.tflite
bad "empty model file" "empty.tflite|TFL3|0-byte" "$INFO" -m empty.tflite
printf 'this is not a model\n' >text.tflite
bad "text file as model" "text.tflite|TFL3" "$CLS" -m text.tflite "$IMAGES/cat.bmp"
mkdir -p dir.tflite
bad "directory as model" "dir.tflite|not a regular file" "$INFO" -m dir.tflite
bad "missing model file" "nosuch.tflite|No such file" "$CLS" -m nosuch.tflite "$IMAGES/cat.bmp"

# An operator the project does not run: from mbn-gen, and patched into a real model.
if [ -x "$GEN" ]; then
	if "$GEN" --op UNSUPPORTED -o unsup.tflite >/dev/null 2>"$TMP/perr"; then
		bad "unsupported operator (mbn-gen --op UNSUPPORTED)" "unsup.tflite|MAX_POOL_2D|not supported" "$CLS" -m unsup.tflite "$IMAGES/cat.bmp"
	else
		fail "unsupported operator (mbn-gen)" "mbn-gen --op UNSUPPORTED failed: $(head -c 200 "$TMP/perr")"
	fi
fi
# A depthwise window deeper than the int32 accumulator is proven safe for (found by
# inspection while fuzzing: only CONV_2D and FULLY_CONNECTED were limited).
if [ -x "$GEN" ]; then
	if "$GEN" --op DEPTHWISE_CONV_2D --h 182 --w 182 --c 1 --k 182 --padding valid -o dwbig.tflite >/dev/null 2>"$TMP/perr"; then
		bad "depthwise 182x182 window (accumulation depth)" "dwbig.tflite|accumulation depth" "$INFO" -m dwbig.tflite
	else
		fail "depthwise 182x182 window" "mbn-gen failed: $(head -c 200 "$TMP/perr")"
	fi
fi
patch opcode "$Q" maxpool.tflite 17
bad "unsupported operator MAX_POOL_2D patched into a real model" "maxpool.tflite|MAX_POOL_2D|not supported" "$INFO" -m maxpool.tflite
patch opcode "$Q" op200.tflite 200
bad "unknown builtin operator 200" "op200.tflite|builtin operator 200" "$INFO" -m op200.tflite

# Chains that do not match.
bad "chain: 0.25_128 then the 1.0_224 head" "does not chain|head_layers" "$CLS" -m "$Q" -m "$HEAD" "$IMAGES/cat.bmp"
bad "chain: the head then the embedding extractor" "does not chain|embedding_extractor" "$INFO" -m "$HEAD" -m "$EMB"
bad "chain: the head twice" "does not chain|head_layers" "$INFO" -m "$HEAD" -m "$HEAD"
bad "chain: 0.25_128 twice" "does not chain" "$CLS" -m "$Q" -m "$Q" "$IMAGES/cat.bmp"
bad "chain: a truncated second file" "head-1.tflite|corrupt" "$INFO" -m "$EMB" -m head-1.tflite
args=()
for i in $(seq 17); do args+=(-m "$Q"); done
bad "17 chained files" "at most 16" "$INFO" "${args[@]}"

# Random corruption: a clean exit is all that is required (weights may absorb it).
for seed in 1 2 3 4 5 6 7 8; do
	n=$((seed <= 4 ? 4 : 24))
	patch random "$Q" rnd$seed.tflite $seed $n
	clean "random corruption seed $seed, $n bytes (0.25_128, classify)" "$CLS" -m rnd$seed.tflite "$IMAGES/cat.bmp"
done
# A small generated network: most of its bytes are tables, not weights.
if [ -x "$GEN" ] && "$GEN" --alpha 0.25 --size 24 --classes 7 -o small.tflite >/dev/null 2>&1; then
	for seed in 21 22 23 24 25 26; do
		patch random small.tflite rnds$seed.tflite $seed 3
		clean "random corruption seed $seed (mbn-gen network, classify)" "$CLS" -m rnds$seed.tflite "$IMAGES/cat.bmp"
	done
fi
for seed in 11 12 13 14; do
	patch random "$HEAD" rndh$seed.tflite $seed 16
	clean "random corruption seed $seed (head, chained)" "$INFO" -m "$EMB" -m rndh$seed.tflite
done

# ---- inputs -------------------------------------------------------------------------
head -c 100 /dev/zero >short.raw
bad "raw input too short" "short.raw|needs exactly 49152" "$CLS" -m "$Q" --raw short.raw
head -c 49153 /dev/zero >long.raw
bad "raw input too long" "long.raw|needs exactly 49152" "$CLS" -m "$Q" --raw long.raw
: >empty.raw
bad "raw input empty" "empty.raw|needs exactly" "$CLS" -m "$Q" --raw empty.raw
mkdir -p rawdir
bad "raw input is a directory" "rawdir|not a regular file" "$CLS" -m "$Q" --raw rawdir
bad "missing input file" "nosuch.bmp|No such file" "$CLS" -m "$Q" nosuch.bmp
bad "missing raw input file" "nosuch.raw|No such file" "$CLS" -m "$Q" --raw nosuch.raw
printf 'hello, I am text\n' >text.jpg
bad "text file as image" "text.jpg|not an image" "$CLS" -m "$Q" text.jpg
: >empty.png
bad "empty image file" "empty.png|empty" "$CLS" -m "$Q" empty.png
mkdir -p imgdir
bad "image is a directory" "imgdir|directory" "$CLS" -m "$Q" imgdir

python3 - <<'EOF'
import struct, zlib
def bmp(w, h, data=b''):
    hdr = struct.pack('<2sIHHI', b'BM', 54 + len(data), 0, 0, 54)
    dib = struct.pack('<IiiHHIIiiII', 40, w, h, 1, 24, 0, len(data), 2835, 2835, 0, 0)
    return hdr + dib + data
open('zero.bmp', 'wb').write(bmp(0, 0))
open('huge.bmp', 'wb').write(bmp(100000, 100000, b'\0' * 64))
open('manypix.bmp', 'wb').write(bmp(30000, 30000, b'\0' * 64))
open('negw.bmp', 'wb').write(bmp(-5, 10, b'\0' * 64))
open('hdr.bmp', 'wb').write(bmp(4, 4)[:20])
def chunk(t, d, crc=None):
    c = zlib.crc32(t + d) if crc is None else crc
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', c & 0xffffffff)
raw = b''.join(b'\0' + bytes((i * 7) % 256 for i in range(3 * 8)) for _ in range(8))
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 8, 8, 8, 2, 0, 0, 0)) +
       chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
open('good.png', 'wb').write(png)
open('trunc.png', 'wb').write(png[:len(png) - 25])
bad = bytearray(png)
i = png.index(b'IDAT'); n = struct.unpack('>I', png[i - 4:i])[0]
bad[i + 4 + n] ^= 0xff
open('badcrc.png', 'wb').write(bytes(bad))
big = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1000000, 1000000, 8, 2, 0, 0, 0)) +
       chunk(b'IDAT', zlib.compress(b'\0' * 100)) + chunk(b'IEND', b''))
open('huge.png', 'wb').write(big)
EOF
run "$CLS" -m "$Q" good.png
if [ "$rc" -eq 0 ] && ! grep -qE "$SANRE" "$TMP/err"; then pass "a valid 8x8 PNG classifies (control for the PNG cases)"
else fail "valid PNG control" "exit $rc: $(head -c 200 "$TMP/err")"; fi
bad "0x0 BMP" "zero.bmp|0x0" "$CLS" -m "$Q" zero.bmp
bad "BMP 100000x100000" "huge.bmp|too large" "$CLS" -m "$Q" huge.bmp
bad "BMP 30000x30000 (pixel limit)" "manypix.bmp|too large" "$CLS" -m "$Q" manypix.bmp
bad "BMP with negative width" "negw.bmp|-5" "$CLS" -m "$Q" negw.bmp
bad "BMP header cut short" "hdr.bmp" "$CLS" -m "$Q" hdr.bmp
head -c $(($(sz "$IMAGES/cat.bmp") / 2)) "$IMAGES/cat.bmp" >half.bmp
bad "truncated BMP pixel data" "half.bmp|truncated" "$CLS" -m "$Q" half.bmp
head -c $(($(sz "$IMAGES/owl.jpg") / 2)) "$IMAGES/owl.jpg" >half.jpg
bad "truncated JPEG" "half.jpg|JPEG" "$CLS" -m "$Q" half.jpg
head -c 20 "$IMAGES/owl.jpg" >t20.jpg
bad "JPEG cut after 20 bytes" "t20.jpg|JPEG" "$CLS" -m "$Q" t20.jpg
bad "truncated PNG" "trunc.png|truncated" "$CLS" -m "$Q" trunc.png
bad "PNG with a bad CRC" "badcrc.png|CRC" "$CLS" -m "$Q" badcrc.png
bad "PNG 1000000x1000000" "huge.png|too large" "$CLS" -m "$Q" huge.png
printf 'P6\n100000 100000\n255\n' >huge.ppm
bad "PPM 100000x100000" "huge.ppm|too large" "$CLS" -m "$Q" huge.ppm
printf 'P6\n4 4\n255\nabc' >trunc.ppm
bad "truncated PPM" "trunc.ppm|truncated" "$CLS" -m "$Q" trunc.ppm
# One bad input among good ones: the others are still classified, exit 1.
bad "bad input among good ones" "text.jpg" "$CLS" -m "$Q" "$IMAGES/cat.bmp" text.jpg good.png
[ "$(grep -c ':$' "$TMP/out")" -eq 2 ] || fail "bad input among good ones" "the good inputs were not both classified: $(head -c 200 "$TMP/out")"

# ---- options ------------------------------------------------------------------------
bad "-k 0" "-k '0'" "$CLS" -m "$Q" -k 0 "$IMAGES/cat.bmp"
bad "-k abc" "-k 'abc'" "$CLS" -m "$Q" -k abc "$IMAGES/cat.bmp"
bad "-k -3" "-k '-3'" "$CLS" -m "$Q" -k -3 "$IMAGES/cat.bmp"
bad "unknown option" "--bogus" "$CLS" -m "$Q" --bogus "$IMAGES/cat.bmp"
bad "mbn-info unknown option" "--bogus" "$INFO" -m "$Q" --bogus
bad "-d nosuchdevice" "nosuchdevice|unknown device" "$CLS" -d nosuchdevice -m "$Q" "$IMAGES/cat.bmp"
# The simulator library not built (yet): pointed at a library that does not exist, the
# sim device must say what is missing and how to build it.
bad "-d sim, simulator library not built" "sim|not-built/libmbnsim.so|make sim" env MBN_SIM_LIB="$TMP/not-built/libmbnsim.so" "$CLS" -d sim -m "$Q" "$IMAGES/cat.bmp"
bad "mbn-info -d sim, simulator library not built" "sim|make sim" env MBN_SIM_LIB="$TMP/not-built/libmbnsim.so" "$INFO" -d sim -m "$Q"
bad "-d sim:lib=missing" "nosuch-sim.so" "$CLS" -d "sim:lib=$TMP/nosuch-sim.so" -m "$Q" "$IMAGES/cat.bmp"
bad "-d sim:bogus=1" "unknown device option|bogus" "$CLS" -d sim:bogus=1 -m "$Q" "$IMAGES/cat.bmp"
bad "-d sim:mac=17" "mac=17" "$CLS" -d sim:mac=17 -m "$Q" "$IMAGES/cat.bmp"
bad "-d sim:mac=4096 (unsupported size)" "supports mac=256, 512, 1024 and 2048" "$CLS" -d sim:mac=4096 -m "$Q" "$IMAGES/cat.bmp"
bad "-d sim:novalue" "novalue|key=value" "$INFO" -d sim:novalue -m "$Q"
bad "-d drm" "drm" "$CLS" -d drm -m "$Q" "$IMAGES/cat.bmp"
bad "-d cpu:opts" "cpu|takes no options" "$CLS" -d cpu:fast -m "$Q" "$IMAGES/cat.bmp"
bad "no -m" "no model given" "$CLS" "$IMAGES/cat.bmp"
bad "mbn-info without -m" "no model given" "$INFO"
bad "mbn-info stray argument" "stray.tflite" "$INFO" -m "$Q" stray.tflite
bad "no input" "no input given" "$CLS" -m "$Q"
bad "--out-raw in a missing directory" "nodir/o.raw|cannot open" "$CLS" -m "$Q" --out-raw "$TMP/nodir/o.raw" "$IMAGES/cat.bmp"
mkdir -p outdir
bad "--out-raw is a directory" "outdir|cannot open" "$CLS" -m "$Q" --out-raw outdir "$IMAGES/cat.bmp"
bad "--save-input in a missing directory" "nodir/i.raw|cannot open" "$CLS" -m "$Q" --save-input "$TMP/nodir/i.raw" "$IMAGES/cat.bmp"
if [ -w /dev/full ]; then
	bad "--out-raw on a full device" "/dev/full|write failed" "$CLS" -m "$Q" --out-raw /dev/full "$IMAGES/cat.bmp"
fi
bad "--labels missing" "nosuch-labels.txt" "$CLS" -m "$Q" --labels nosuch-labels.txt "$IMAGES/cat.bmp"
finish
