#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mbn_dsp2 (two byte products per DSP48E2, docs/hw.md "Two MACs per DSP48E2") alone
# through Yosys synth_xilinx -family xcup (hw/synth/dsp2.ys): the DSP48E2 it
# instantiates for synthesis is kept as exactly one primitive, pre-adder and pipeline
# registers inside it, with no LUT, carry chain or flip-flop around it.
source "$(dirname "$0")/../lib.sh"
command -v yosys >/dev/null || { fail "yosys" "not installed (make deps installs it)"; finish; }
cd "$ROOT"
mkdir -p build/synth
if yosys -q -l "$TMP/dsp2.log" -s hw/synth/dsp2.ys >"$TMP/dsp2.out" 2>&1; then
	pass "dsp2.ys: synth_xilinx of mbn_dsp2 (select -assert-count 1 t:DSP48E2, -assert-none LUT/CARRY/FD/SRL/MUXF)"
else
	fail "dsp2.ys" "$(tail -5 "$TMP/dsp2.out")"; finish
fi
dsp=$(awk '$1 == "DSP48E2" {print $2; exit}' build/synth/dsp2_stat.txt)
other=$(awk '/Number of cells/ {go=1; next} go && NF == 2 && $1 !~ /^(DSP48E2|BUFG|IBUF|OBUF)$/ {n += $2} END {print n + 0}' build/synth/dsp2_stat.txt)
[ "${dsp:-0}" -eq 1 ] && pass "mbn_dsp2 is one DSP48E2" || fail "DSP48E2 count" "${dsp:-0}, expected 1"
[ "$other" -eq 0 ] && pass "mbn_dsp2 needs no other cell than the DSP48E2 and I/O buffers" ||
	fail "extra cells" "$other cells besides DSP48E2 and I/O buffers: $(grep -E '^ +[A-Z]' build/synth/dsp2_stat.txt | tr -s ' ' | tr '\n' ';')"
finish
