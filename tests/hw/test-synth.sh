#!/usr/bin/env bash
# Synthesis of the default configuration with Yosys (synth_xilinx -family xcup):
# completes without errors, infers no latches, maps the buffers to block RAM and the
# MACs to DSPs. The resource and longest-path numbers are printed for the record (they
# are benchmark figures, not pass/fail criteria).
source "$(dirname "$0")/../lib.sh"
command -v yosys >/dev/null || { fail "yosys" "not installed (make deps installs it)"; finish; }
cd "$ROOT"
if sh hw/synth/synth.sh >"$TMP/synth.out" 2>&1; then
	pass "yosys synth_xilinx -family xcup completes (no latches: select -assert-none t:LDCE t:LDPE)"
else
	fail "synthesis" "$(tail -5 "$TMP/synth.out")"; finish
fi
cat "$TMP/synth.out"
dsp=$(awk '/DSP48E2/ {print $2; exit}' build/synth/stat.txt)
bram=$(awk '/RAMB36E2/ {print $2; exit}' build/synth/stat.txt)
[ "${dsp:-0}" -ge 256 ] && pass "MACs map to DSP48E2 ($dsp)" || fail "DSP inference" "only ${dsp:-0} DSP48E2"
[ "${bram:-0}" -ge 32 ] && pass "buffers map to block RAM ($bram RAMB36E2)" || fail "BRAM inference" "only ${bram:-0} RAMB36E2"
finish
