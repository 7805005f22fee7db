#!/usr/bin/env bash
# sim:mac=512, 1024 and 2048 (the RTL with LANES = 32, 64, 128, hw/sim
# libmbnsim-macN.so, built on demand and cached by the sim backend if tests/sim has not
# built it): real models bit-exact with TensorFlow Lite and byte-identical to the default
# sim, the MAC count reported, fewer cycles than mac=256 on the full-width model,
# and clear errors for unsupported sizes. mac=512 gets the most inputs; the larger sizes
# a smaller set (simulation time grows with the array), but every size runs every time.
source "$(dirname "$0")/../lib.sh"
require "$ORACLE" "$BUILD/bin/mbn-classify" "$BUILD/bin/mbn-bench" "$ROOT/build/lib/libmbnsim.so"
cls() { "$BUILD/bin/mbn-classify" "$@"; }
cycles() { sed -n 's/.*accelerator cycles: \([0-9]*\).*/\1/p' | head -1; }
M=$MODELS/mobilenet_v1_0.25_128_quant.tflite
E=$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite
H=$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite

# 0.25-128: three images and random inputs against TFLite on sim:mac=512
cls -d cpu -m "$M" --save-input "$TMP/in.raw" "$IMAGES/grace_hopper.bmp" "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" >/dev/null 2>&1
bitexact "mobilenet_v1_0.25_128 on sim:mac=512, 3 images" sim:mac=512 "$TMP/in.raw" "$M"
random_inputs "$TMP/rand.raw" $((128 * 128 * 3)) 4 13
bitexact "mobilenet_v1_0.25_128 on sim:mac=512, 4 random inputs" sim:mac=512 "$TMP/rand.raw" "$M"

# 1024 and 2048: 0.25-128 on an image and random inputs, the Keras export on a random
# input, against TFLite
cls -d cpu -m "$M" --save-input "$TMP/cat128.raw" "$IMAGES/cat.bmp" >/dev/null 2>&1
random_inputs "$TMP/rand2.raw" $((128 * 128 * 3)) 2 17
cat "$TMP/cat128.raw" "$TMP/rand2.raw" >"$TMP/in3.raw"
K=$MODELS/vww_96_int8_keras.tflite
kin=$("$ORACLE" -m "$K" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}')
random_inputs "$TMP/krand.raw" "${kin:-0}" 1 19
for mac in 1024 2048; do
	bitexact "mobilenet_v1_0.25_128 on sim:mac=$mac, 1 image + 2 random inputs" sim:mac=$mac "$TMP/in3.raw" "$M"
	bitexact "vww_96_int8_keras on sim:mac=$mac, 1 random input" sim:mac=$mac "$TMP/krand.raw" "$K"
done

# 1.0-224 (two chained files), one image: TFLite at 512, and at every size the same bytes
# as the default sim in fewer cycles than the size below (the larger array is in use;
# before PW16 mac=2048 took more cycles than mac=1024, its narrow layers padded to 128
# channels, and this check compared with mac=256 only)
cls -d cpu -m "$E" -m "$H" --save-input "$TMP/in224.raw" "$IMAGES/cat.bmp" >/dev/null 2>&1
bitexact "mobilenet_v1_1.0_224 (two files) on sim:mac=512, 1 image" sim:mac=512 "$TMP/in224.raw" "$E" "$H"
o=$(cls -d sim -m "$E" -m "$H" --out-raw "$TMP/s256.raw" "$IMAGES/cat.bmp" 2>&1)
c256=$(cycles <<<"$o")
below=256 cbelow=$c256
for mac in 512 1024 2048; do
	o=$(cls -d sim:mac=$mac -m "$E" -m "$H" --out-raw "$TMP/s$mac.raw" "$IMAGES/cat.bmp" 2>&1)
	c=$(cycles <<<"$o")
	cmp -s "$TMP/s256.raw" "$TMP/s$mac.raw" && pass "1.0-224: sim:mac=$mac output bytes identical to sim (mac=256)" ||
		fail "1.0-224 mac=$mac vs 256" "outputs differ: $(tail -2 <<<"$o")"
	[ "${c:-0}" -gt 0 ] && [ "${c:-0}" -lt "${cbelow:-0}" ] &&
		pass "1.0-224: mac=$mac takes fewer cycles than mac=$below ($cbelow -> $c)" ||
		fail "mac=$mac cycles" "mac=$below ${cbelow:-none}, mac=$mac ${c:-none}"
	below=$mac cbelow=$c
done

# mbn-bench reports the array it ran on
if "$BUILD/bin/mbn-bench" -d sim:mac=512 -m "$M" --json >"$TMP/b.json" 2>"$TMP/err" && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cycles"] > 0 and 0 < d["mac_utilization"] <= 1, d
assert d["device_description"].startswith("simulated mbnaccel RTL: 512 MACs (32 lanes)"), d["device_description"]
assert ", pointwise outputs in steps of 16 channels" in d["device_description"], d["device_description"]
' "$TMP/b.json"; then pass "mbn-bench -d sim:mac=512 --json (its description names 512 MACs and PW16)"; else fail "mbn-bench mac=512" "$(head -c 300 "$TMP/b.json") $(head -c 300 "$TMP/err")"; fi

# errors: not 16 x a power of two, unsupported size, library of another size
err() { cls -d "$1" -m "$M" "$IMAGES/cat.bmp" 2>&1 >/dev/null; }
e=$(err sim:mac=384); [[ $e == *"16 x a power of two"* ]] && pass "mac=384 refused: $e" || fail "mac=384" "got: $e"
e=$(err sim:mac=4096); [[ $e == *"supports mac=256, 512, 1024 and 2048"* ]] && pass "mac=4096 refused: $e" || fail "mac=4096" "got: $e"
e=$(err "sim:mac=512,lib=$ROOT/build/lib/libmbnsim.so")
[[ $e == *"has 256 MACs"* ]] && pass "mac=512 with a 256-MAC lib= refused: $e" || fail "mac/lib mismatch" "got: $e"
# lib= and MBN_SIM_LIB still select the library; MBN_SIM_LIB replaces only the default one
cls -d "sim:lib=$ROOT/build/lib/libmbnsim-mac512.so" -m "$M" --out-raw "$TMP/l.raw" "$IMAGES/cat.bmp" >/dev/null 2>&1 &&
	MBN_SIM_LIB=/nonexistent/libmbnsim.so cls -d sim:mac=512 -m "$M" --out-raw "$TMP/l2.raw" "$IMAGES/cat.bmp" >/dev/null 2>&1 &&
	cmp -s "$TMP/l.raw" "$TMP/l2.raw" && pass "lib=libmbnsim-mac512.so works; MBN_SIM_LIB does not affect mac=512" ||
	fail "lib= / MBN_SIM_LIB" "lib= or mac=512 with MBN_SIM_LIB set failed"
finish
