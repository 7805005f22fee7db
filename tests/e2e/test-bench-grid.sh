#!/usr/bin/env bash
# mbn-bench --grid: the width x resolution grid on the sim device. A 2x2 grid's cells must
# have the cycles a separate mbn-bench of the same mbn-gen model (same seed) measures, a
# utilization in (0, 1], and the --svg heat map must be well-formed XML with one rect per
# cell. Bad lists, --grid with -m, a missing or failing mbn-gen and a model the device
# cannot load are refused with an error naming the value, the cell or the command, a
# non-zero exit, and no temporary files left behind.
source "$(dirname "$0")/../lib.sh"
BENCH=$BUILD/bin/mbn-bench
GEN=$BUILD/bin/mbn-gen
SIMLIB=${MBN_SIM_LIB:-$ROOT/build/lib/libmbnsim.so}
require "$BENCH" "$GEN" "$SIMLIB"
export MBN_SIM_LIB=$SIMLIB
cd "$TMP"
mkdir tmpdir
export TMPDIR=$TMP/tmpdir # where --grid's mkdtemp directory goes: checked empty after each run

leftover() { # nothing left in TMPDIR
	[ -z "$(ls -A "$TMPDIR")" ] || {
		echo "left in TMPDIR: $(ls -A "$TMPDIR")"
		return 1
	}
}

# ---- the grid and its cells against separate runs ---------------------------------------
if "$BENCH" --grid --grid-alpha 0.25,0.5 --grid-size 128,160 -d sim --json --svg grid.svg >grid.json 2>err; then
	for a in 0.25 0.5; do
		for s in 128 160; do
			"$GEN" --alpha $a --size $s --seed 1 -o m-$a-$s.tflite &&
				"$BENCH" -d sim -m m-$a-$s.tflite --json >one-$a-$s.json 2>>err
		done
	done
	if python3 - <<'EOF' 2>err2; then
import json
d = json.load(open("grid.json"))
assert d["device"] == "sim" and d["mac_count"] == 256, (d["device"], d["mac_count"])
assert d["alphas"] == [0.25, 0.5] and d["sizes"] == [128, 160], (d["alphas"], d["sizes"])
C = d["cells"]
assert len(C) == 4, len(C)
assert [(c["alpha"], c["size"]) for c in C] == [(0.25, 128), (0.25, 160), (0.5, 128), (0.5, 160)]
for c in C:
    one = json.load(open("one-%g-%d.json" % (c["alpha"], c["size"])))
    assert c["cycles"] == one["cycles"] > 0, (c, one["cycles"])
    assert c["dram_read_bytes"] == one["dram_read_bytes"] and c["dram_write_bytes"] == one["dram_write_bytes"], c
    assert abs(c["mac_utilization"] - one["mac_utilization"]) < 1e-4, (c["mac_utilization"], one["mac_utilization"])
    assert 0 < c["mac_utilization"] <= 1, c
    u = c["accelerator_macs"] / (c["cycles"] * 256)
    assert abs(c["mac_utilization"] - u) < 1e-4, (c["mac_utilization"], u)
    assert abs(c["frames_per_second"] - 200e6 / c["cycles"]) < 0.01, c
# wider and larger cost more cycles
by = {(c["alpha"], c["size"]): c["cycles"] for c in C}
assert by[(0.25, 128)] < by[(0.25, 160)] < by[(0.5, 160)] and by[(0.25, 128)] < by[(0.5, 128)] < by[(0.5, 160)], by
EOF
		pass "mbn-bench --grid 2x2 --json: 4 cells, cycles/DRAM/util equal to mbn-bench -m of the same mbn-gen model, 0 < util <= 1"
	else fail "mbn-bench --grid --json cells" "$(head -c 300 err) $(tail -1 err2)"; fi
	if python3 - <<'EOF' 2>err2; then
import json, xml.etree.ElementTree as ET
d = json.load(open("grid.json"))
root = ET.parse("grid.svg").getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg", root.tag
cells = [r for r in root.iter(ns + "rect") if r.get("class") == "cell"]
assert len(cells) == 4, len(cells)
assert len({r.get("fill") for r in cells}) == 4, [r.get("fill") for r in cells]  # 4 different utilizations
text = " ".join("".join(t.itertext()) for t in root.iter(ns + "text"))
assert "sim, 256 MACs" in text, text[:200]
for c in d["cells"]:
    assert "%.1f %%" % (100 * c["mac_utilization"]) in text, (c["mac_utilization"], text)
for label in ("0.25", "0.5", "128", "160"):
    assert label in text, label
EOF
		pass "mbn-bench --grid --svg: well-formed SVG, 4 cell rects coloured apart, each utilization printed, title 'sim, 256 MACs'"
	else fail "mbn-bench --grid --svg" "$(tail -1 err2)"; fi
else
	fail "mbn-bench --grid 2x2" "exit $?: $(head -c 300 err)"
fi
leftover >err && pass "mbn-bench --grid: its temporary directory is removed" || fail "grid temporary files" "$(cat err)"

out=$("$BENCH" --grid --grid-alpha 0.25 --grid-size 96,128 -d sim 2>&1)
grep -q "^MAC utilization (accelerator MACs / (cycles x 256)):" <<<"$out" &&
	grep -qE "^alpha \\\\ size +96 +128$" <<<"$out" &&
	grep -qE "^0\.25 +[0-9]+\.[0-9] % +[0-9]+\.[0-9] %$" <<<"$out" &&
	grep -q "^accelerator cycles per inference:" <<<"$out" && grep -q "^frames/s at 200 MHz:" <<<"$out" &&
	pass "mbn-bench --grid text: utilization, cycles and frames/s tables, rows alpha, columns size" ||
	fail "mbn-bench --grid text" "$(head -12 <<<"$out")"

# ---- errors ---------------------------------------------------------------------------
# expect_error NAME PATTERN ARGS...: mbn-bench ARGS fails (non-zero), says PATTERN, leaves no files
expect_error() {
	local name=$1 pat=$2
	shift 2
	local rc=0
	"$@" >out 2>err || rc=$?
	if [ "$rc" -ne 0 ] && grep -qE -- "$pat" err && leftover >/dev/null; then
		pass "$name (exit $rc): $(grep -m1 -E -- "$pat" err)"
	else
		fail "$name" "exit $rc, stderr: $(head -c 300 err) $(leftover)"
	fi
}
expect_error "--grid-alpha 0.25,3 refused, naming 3" "^mbn-bench: --grid-alpha: '3' is not a width multiplier in \(0, 2\]$" \
	"$BENCH" --grid --grid-alpha 0.25,3 -d sim
expect_error "--grid-alpha 0.5,x refused, naming x" "--grid-alpha: 'x' is not a width multiplier" \
	"$BENCH" --grid --grid-alpha 0.5,x -d sim
expect_error "--grid-size 16 refused, naming 16" "^mbn-bench: --grid-size: '16' is not an input size in 32..512$" \
	"$BENCH" --grid --grid-size 128,16 -d sim
expect_error "--grid with -m refused" "^mbn-bench: --grid generates its own models \(mbn-gen\); it takes no -m$" \
	"$BENCH" --grid -m m-0.25-128.tflite -d sim
expect_error "--grid on the cpu device refused" "needs an accelerator device" \
	"$BENCH" --grid -d cpu --grid-alpha 0.25 --grid-size 128

# mbn-gen is found beside mbn-bench: a copy alone in a directory has none, and a stand-in
# that fails or writes a file that is no model is reported with the cell.
mkdir alone fake
cp "$BENCH" alone/mbn-bench
cp "$BENCH" fake/mbn-bench
expect_error "--grid without mbn-gen beside mbn-bench: names the path" "^mbn-bench: --grid: $TMP/alone/mbn-gen: No such file" \
	alone/mbn-bench --grid -d sim --grid-alpha 0.25 --grid-size 128
printf '#!/bin/sh\necho "fake mbn-gen: no" >&2\nexit 3\n' >fake/mbn-gen
chmod +x fake/mbn-gen
expect_error "--grid with a failing mbn-gen: names the cell and the command" \
	"^mbn-bench: --grid cell alpha 0.25 size 128: \`$TMP/fake/mbn-gen --alpha 0.25 --size 128 --seed 7 -o .*/model.tflite\` exited with status 3$" \
	fake/mbn-bench --grid -d sim --grid-alpha 0.25,0.5 --grid-size 128 --grid-seed 7
# succeeds for the first cell (a real model), then writes garbage: the device refuses it
cat >fake/mbn-gen <<EOF
#!/bin/sh
case "\$*" in *"--alpha 0.5 "*) for a; do out=\$a; done; echo "not a model" >"\$out"; exit 0;; esac
exec "$GEN" "\$@"
EOF
expect_error "--grid with a model the device cannot load: names the cell, the device and its error" \
	"^mbn-bench: --grid cell alpha 0.5 size 128 on sim: .+" \
	fake/mbn-bench --grid -d sim --grid-alpha 0.25,0.5 --grid-size 128
finish
