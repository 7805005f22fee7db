#!/usr/bin/env bash
# Synthesis with Yosys (synth_xilinx -family xcup) of the default configuration (16
# lanes, 256 MACs) and of one large size (32 lanes, 512 MACs): completes without errors,
# infers no latches, maps the buffers to block RAM and the MACs to DSPs; the default
# fits a ZU3EG. The resource and longest-path numbers are printed for the record (they
# are benchmark figures, not pass/fail criteria).
source "$(dirname "$0")/../lib.sh"
command -v yosys >/dev/null || { fail "yosys" "not installed (make deps installs it)"; finish; }
cd "$ROOT"
for lanes in 16 32; do
	out=build/synth; [ $lanes = 16 ] || out=build/synth/lanes$lanes
	if sh hw/synth/synth.sh $lanes >"$TMP/synth$lanes.out" 2>&1; then
		pass "LANES=$lanes: yosys synth_xilinx -family xcup completes (no latches: select -assert-none t:LDCE t:LDPE)"
	else
		fail "synthesis LANES=$lanes" "$(tail -5 "$TMP/synth$lanes.out")"; continue
	fi
	cat "$TMP/synth$lanes.out"
	dsp=$(awk '/DSP48E2/ {print $2; exit}' $out/stat.txt)
	bram=$(awk '/RAMB36E2/ {print $2; exit}' $out/stat.txt)
	# two MACs per DSP48E2 (mbn_dsp2): the array is 8 x LANES packed DSPs plus LANES for
	# the depthwise ninth tap; the rest are the requantizers' and the correction's
	[ "${dsp:-0}" -ge $((9 * lanes)) ] && pass "LANES=$lanes: MACs map to DSP48E2 ($dsp)" ||
		fail "DSP inference LANES=$lanes" "only ${dsp:-0} DSP48E2, the array alone needs $((9 * lanes))"
	[ "${bram:-0}" -ge 32 ] && pass "LANES=$lanes: buffers map to block RAM ($bram RAMB36E2)" ||
		fail "BRAM inference LANES=$lanes" "only ${bram:-0} RAMB36E2"
done
grep -q '^  ZU3EG .*: fits$' "$TMP/synth16.out" && pass "the default 256 MACs fit a ZU3EG ($(grep '^  ZU3EG' "$TMP/synth16.out"))" ||
	fail "ZU3EG fit" "$(grep '^  ZU3EG' "$TMP/synth16.out")"
finish
