#!/usr/bin/env bash
# The sim device as a user drives it: identical bytes to the cpu device under every DRAM
# configuration (bandwidth, latency, outstanding reads), cycle counts that respond to the
# configuration, a waveform on request, and mbn-bench's JSON and SVG reports.
source "$(dirname "$0")/../lib.sh"
require "$BUILD/bin/mbn-classify" "$BUILD/bin/mbn-bench" "$ROOT/build/lib/libmbnsim.so"
M=$MODELS/mobilenet_v1_0.25_128_quant.tflite
imgs=("$IMAGES/cat.bmp" "$IMAGES/owl.jpg")
cls() { "$BUILD/bin/mbn-classify" -m "$M" "$@"; }
cycles() { sed -n 's/.*accelerator cycles: \([0-9]*\).*/\1/p' | head -1; }

rm -f "$TMP/cpu.raw"
cls -d cpu --out-raw "$TMP/cpu.raw" "${imgs[@]}" >/dev/null
declare -A cyc
for cfg in default bw=8 bw=4,lat=200 outstanding=1 lat=1 bw=32; do
	dev=sim:$cfg
	[ $cfg = default ] && dev=sim
	rm -f "$TMP/sim.raw"
	out=$(cls -d "$dev" --out-raw "$TMP/sim.raw" "${imgs[@]}" 2>&1)
	if cmp -s "$TMP/cpu.raw" "$TMP/sim.raw"; then
		cyc[$cfg]=$(cycles <<<"$out")
		pass "$dev: output bytes identical to cpu (${cyc[$cfg]} cycles)"
	else
		fail "$dev" "output differs from cpu: $(head -c 300 <<<"$out")"
	fi
done
d=${cyc[default]:-0}
[ "${cyc[bw=8]:-0}" -gt "$d" ] && pass "half the DRAM bandwidth costs cycles ($d -> ${cyc[bw=8]})" ||
	fail "bandwidth" "bw=8 took ${cyc[bw=8]:-?} cycles, default $d"
# bw=32: reads and writes each at the 128-bit port's 16 B/cycle at once (hw/sim/dram.h)
[ -n "${cyc[bw=32]:-}" ] && [ "${cyc[bw=32]}" -le "$d" ] && pass "bw=32 (reads and writes at once) is not slower ($d -> ${cyc[bw=32]})" ||
	fail "bw=32" "took ${cyc[bw=32]:-?} cycles, default $d"
out=$(cls -d sim:bw=33 "$IMAGES/cat.bmp" 2>&1)
grep -q "bw=33.*1\.\.32" <<<"$out" && pass "sim:bw=33 refused, naming the range" || fail "bw=33" "got: $(head -c 300 <<<"$out")"
[ "${cyc[outstanding=1]:-0}" -gt "$d" ] && pass "one outstanding read costs cycles ($d -> ${cyc[outstanding=1]})" ||
	fail "outstanding" "outstanding=1 took ${cyc[outstanding=1]:-?} cycles, default $d"

# Jobs back to back on one device take the same cycles: nothing of one job's timing
# carries into the next (the DRAM model's R/W arbiter carried its turn over, and the
# second and third of these jobs took 157,518 instead of 157,519 cycles)
require "$BUILD/bin/mbn-gen"
"$BUILD/bin/mbn-gen" --alpha 0.25 --size 160 --seed 1 -o "$TMP/g.tflite" >/dev/null
c3=$("$BUILD/bin/mbn-classify" -d sim -m "$TMP/g.tflite" "$IMAGES/cat.bmp" "$IMAGES/owl.jpg" "$IMAGES/cat.bmp" 2>&1 |
	sed -n 's/.*accelerator cycles: \([0-9]*\).*/\1/p' | sort -u | tr '\n' ' ')
[ "$(wc -w <<<"$c3")" -eq 1 ] && pass "three jobs back to back on one device: the same cycles ($c3)" ||
	fail "back-to-back jobs" "cycles differ: $c3"

# The default device: sim when the simulator loads, else the CPU; MBN_DEVICE overrides.
dev_of() { sed -n 's/.*"device":"\([^"]*\)".*/\1/p'; }
d1=$(cls --json -k 1 "$IMAGES/cat.bmp" | dev_of)
d2=$(MBN_SIM_LIB=/nonexistent/libmbnsim.so cls --json -k 1 "$IMAGES/cat.bmp" | dev_of)
d3=$(MBN_DEVICE=cpu cls --json -k 1 "$IMAGES/cat.bmp" | dev_of)
[ "$d1/$d2/$d3" = "sim/cpu/cpu" ] && pass "default device: sim, cpu without the simulator, MBN_DEVICE overrides" ||
	fail "default device" "got $d1/$d2/$d3, expected sim/cpu/cpu"

M2=$M
cls -d "sim:trace=$TMP/wave.fst" -k 1 "$IMAGES/cat.bmp" >/dev/null 2>&1
[ -s "$TMP/wave.fst" ] && pass "trace=FILE writes an FST waveform ($(stat -c %s "$TMP/wave.fst") bytes)" || fail "trace" "no waveform written"

if "$BUILD/bin/mbn-bench" -d sim -m "$M2" --json --svg "$TMP/u.svg" >"$TMP/b.json" 2>"$TMP/err" && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("cycles", "dram_read_bytes", "dram_write_bytes", "mac_utilization", "sim_wall_seconds", "layers"):
    assert k in d, k
assert d["cycles"] > 0 and 0 < d["mac_utilization"] <= 1 and d["dram_read_bytes"] > 0
acc = [l for l in d["layers"] if l["runs_on"] == "accelerator"]
assert len(acc) == 27, len(acc)
# a pointwise layer fused into the depthwise job before it, and a chained pair after it
# (docs/hw.md "Chaining"), have no job of their own: the job is the nearest depthwise
# layer above that has one
own = [l for l in acc if not l["fused_into_previous"]]
assert all(l["cycles"] > 0 and 0 < l["mac_utilization"] <= 1 for l in own)
def head(i):
    while acc[i]["fused_into_previous"]:
        i -= 1
    return acc[i]
assert all(l["cycles"] == 0 and i > 0 and head(i)["op"] == "DEPTHWISE_CONV_2D"
           for i, l in enumerate(acc) if l["fused_into_previous"])
open(sys.argv[2], "w").write(str(len(own)))
# the layer-by-layer jobs add up to a little more than the whole-network job: each job
# pays its own pipeline fill and drain (descriptor fetch, weight load, last store), which
# the whole job overlaps with the neighbouring layers (0.25-128 with IBUF row banks:
# 114 k cycles whole, 122 k layer by layer)
s = sum(l["cycles"] for l in acc); assert d["cycles"] <= s < 1.10 * d["cycles"], (s, d["cycles"])
' "$TMP/b.json" "$TMP/own"; then pass "mbn-bench --json: totals and 27 accelerator layers ($(cat "$TMP/own") jobs, the rest fused) consistent"; else fail "mbn-bench --json" "$(head -c 300 "$TMP/b.json") $(head -c 200 "$TMP/err")"; fi
grep -q "<svg" "$TMP/u.svg" 2>/dev/null && [ "$(grep -c "<rect" "$TMP/u.svg")" -ge "$(cat "$TMP/own" 2>/dev/null || echo 27)" ] && pass "mbn-bench --svg draws per-layer utilization" || fail "--svg" "no SVG with bars"
# an --svg file that cannot be written is an error, not a silent success
if "$BUILD/bin/mbn-bench" -d sim -m "$M2" --svg "$TMP/no/such/dir/u.svg" >/dev/null 2>"$TMP/err"; then
	fail "--svg unwritable" "exit status 0"
elif grep -q "no/such/dir/u.svg: cannot create: No such file or directory" "$TMP/err"; then
	pass "mbn-bench --svg to an unwritable path fails: $(tail -1 "$TMP/err")"
else fail "--svg unwritable" "message: $(tail -1 "$TMP/err")"; fi
finish
