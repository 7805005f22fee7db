#!/usr/bin/env bash
# mbn-info and mbn-bench report what the loader decided: input/output tensors with
# their types and the pixel range mbn-classify uses (mbn-info), per layer the operators
# folded into it and why it stays on the CPU ("folded", "cpu_reason": null when
# nothing), and (mbn-bench) the share of the network's MACs that ran on the
# accelerator, in text and JSON, on the cpu and sim devices.
source "$(dirname "$0")/../lib.sh"
INFO=$BUILD/bin/mbn-info
BENCH=$BUILD/bin/mbn-bench
Q=$MODELS/mobilenet_v1_0.25_128_quant.tflite
SIMLIB=${MBN_SIM_LIB:-$ROOT/build/lib/libmbnsim.so}
require "$INFO" "$BENCH" "$BUILD/bin/mbn-gen" "$Q" "$SIMLIB"
export MBN_SIM_LIB=$SIMLIB
cd "$TMP"

# ---- mbn-info ---------------------------------------------------------------------------
out=$("$INFO" -d cpu -m "$Q" 2>&1)
grep -q "^MobileNet v1 (alpha 0.25, 128x128x3 input, uint8" <<<"$out" &&
	grep -q "^input  input: 1x128x128x3 uint8 scale 0.0078125 zero point 128 (49152 elements)" <<<"$out" &&
	grep -qF "images (mbn-classify): pixel 0..255 -> [-1, 0.992188], (pixel - 128) / 128" <<<"$out" &&
	grep -q "^output MobilenetV1/Predictions/Reshape_1: 1x1001 uint8 scale 0.00390625 zero point 0 (1001 elements)" <<<"$out" &&
	grep -q "^total: 31 layers" <<<"$out" &&
	pass "mbn-info text: description, input/output with types, pixel range" || fail "mbn-info text" "$(head -8 <<<"$out")"

"$BUILD/bin/mbn-gen" --op CONV_2D --h 16 --w 16 --c 1 --int8 --seed 2 -o c1.tflite
"$INFO" -d cpu -m c1.tflite | grep -qE "^       images \(mbn-classify\): pixel 0..255 -> \[-?[0-9.]+, [0-9.]+\], scale \* \(pixel - 128 - zero point\): the int8 range; BT.601 luma$" &&
	pass "mbn-info: 1-channel calibrated int8 input: the int8 range, BT.601 luma" || fail "mbn-info c1" "$("$INFO" -d cpu -m c1.tflite 2>&1 | head -6)"

for dev in cpu sim; do
	if "$INFO" -d $dev -m "$Q" --json >info.json 2>err && python3 - "$dev" <<'EOF' 2>err2; then
import json, sys
dev = sys.argv[1]
d = json.load(open("info.json"))
assert d["device"] == dev and d["device_description"], d["device"]
assert d["match"] in ("x86", "arm64")
assert d["input"] == {"name": "input", "dims": [1, 128, 128, 3], "type": "uint8", "scale": 0.0078125, "zero_point": 128,
                      "elems": 49152, "bytes": 49152}, d["input"]
assert d["output"]["dims"] == [1, 1001] and d["output"]["elems"] == 1001 and d["output"]["type"] == "uint8"
assert d["input_range"] == [-1, 0.9921875], d["input_range"]
L = d["layers"]
assert len(L) == 31
for l in L:
    assert "folded" in l and "cpu_reason" in l, l
    assert l["folded"] is None or isinstance(l["folded"], str)
    # a reason only for a layer an accelerator device leaves on the CPU
    assert l["cpu_reason"] is None or (dev != "cpu" and l["runs_on"] == "cpu"), l
acc = sum(l["macs"] for l in L if l["runs_on"] == "accelerator")
assert acc == d["accelerator_macs"] and d["total_macs"] == sum(l["macs"] for l in L)
assert (acc > 0) == (dev == "sim"), acc
EOF
		pass "mbn-info -d $dev --json: match, device, typed input/output, input_range, folded/cpu_reason on every layer"
	else fail "mbn-info -d $dev --json" "$(head -c 300 err) $(tail -1 err2)"; fi
done

# ---- mbn-bench --------------------------------------------------------------------------
for dev in cpu sim; do
	if "$BENCH" -d $dev -m "$Q" --runs 2 --json >b.json 2>err && python3 - "$dev" <<'EOF' 2>err2; then
import json, sys
dev = sys.argv[1]
d = json.load(open("b.json"))
L = d["layers"]
assert d["match"] in ("x86", "arm64")
for l in L:
    assert "folded" in l and "cpu_reason" in l, l
    assert l["cpu_reason"] is None or l["runs_on"] == "cpu", l
acc = sum(l["macs"] for l in L if l["runs_on"] == "accelerator")
assert acc == d["accelerator_macs"], (acc, d["accelerator_macs"])
share = acc / d["macs"]
assert abs(d["accel_mac_share"] - share) < 1e-6, (d["accel_mac_share"], share)
if dev == "cpu":
    assert d["accel_mac_share"] == 0
else:
    # 0.25-128: everything but the classifier (256256 MACs) on the accelerator
    assert acc == d["macs"] - 256256 and 0.98 < d["accel_mac_share"] < 0.99, d["accel_mac_share"]
EOF
		pass "mbn-bench -d $dev --json: accel_mac_share = accelerator MACs / MACs, folded/cpu_reason on every layer"
	else fail "mbn-bench -d $dev --json" "$(head -c 300 err) $(tail -1 err2)"; fi
	out=$("$BENCH" -d $dev -m "$Q" --runs 2 2>&1)
	want=$(python3 -c 'import json; d = json.load(open("b.json")); print("%.1f" % (100 * d["accelerator_macs"] / d["macs"]))' 2>/dev/null)
	grep -q "^accelerator share: $want % of MACs" <<<"$out" && pass "mbn-bench -d $dev text: accelerator share: $want % of MACs" ||
		fail "mbn-bench -d $dev text share" "want $want: $(tail -3 <<<"$out")"
done
finish
