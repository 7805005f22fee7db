#!/bin/sh
# hw/synth/synth.sh [LANES]: synthesize mbnaccel_top with Yosys (synth_xilinx -family
# xcup), then print LUT/FF/DSP/BRAM counts, the longest register-to-register path
# (ltp -noff) and whether the result fits three Zynq UltraScale+ parts. LANES (default
# 16, the default 256-MAC configuration) sets the array size, MACs = 16 x LANES; the
# default writes to build/synth, other sizes to build/synth/lanesN (log yosys.log).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
LANES=${1:-16}
case $LANES in
16) OUT=build/synth ;;
32 | 64 | 128) OUT=build/synth/lanes$LANES ;;
*) echo "synth.sh: LANES must be 16, 32, 64 or 128 (got '$LANES')" >&2; exit 2 ;;
esac
mkdir -p "$OUT" build/gen
python3 hw/regs/gen-regs.py hw/regs/mbnaccel.regs build/gen/mbn_regs.h build/gen/mbn_regs.vh
# The same script with its outputs in $OUT and the LANES parameter set on the top
# before synthesis (chparam; the default keeps the RTL's own value).
chp=
[ "$LANES" = 16 ] || chp="chparam -set LANES $LANES mbnaccel_top; "
sed -e "s|build/synth/|$OUT/|g" -e "s|^synth_xilinx|${chp}synth_xilinx|" hw/synth/synth.ys >"$OUT/synth.ys"
yosys -q -l "$OUT/yosys.log" -s "$OUT/synth.ys"
awk '/Number of cells/ && !done {print; done=1}' "$OUT/stat.txt"
grep -E '^ +(LUT[1-6]|FD[A-Z]*|DSP48E2|RAMB(18|36)E2|RAM[0-9A-Z]*|CARRY8|SRL[0-9A-Z]*|LD[A-Z]*) ' "$OUT/stat.txt" || true
# Part capacities (LUT, DSP48E2, RAMB36; a RAMB18 counts half): ZU3EG and ZU7EV from
# AMD DS891 (Zynq UltraScale+ MPSoC overview), the KV260's XCK26 from DS987.
awk -v lanes="$LANES" '/LUT[1-6] /{l+=$2} /FD[CPRS]E /{f+=$2} /RAM(32|64)M/{dr+=$2} /DSP48E2/{d+=$2} /RAMB36E2/{b36+=$2} /RAMB18E2/{b18+=$2}
     END {
	printf "LUT %d  FF %d  DSP %d  BRAM36 %d  BRAM18 %d  LUTRAM cells %d\n", l, f, d, b36, b18, dr
	printf "LANES %d (%d MACs): LUT %d, DSP %d, BRAM36 %.1f\n", lanes, 16 * lanes, l, d, b36 + b18 / 2
	split("ZU3EG XCK26 ZU7EV", name, " "); split("70560 117120 230400", lut, " ")
	split("360 1248 1728", dsp, " "); split("216 144 312", bram, " ")
	for (i = 1; i <= 3; i++) {
		b = b36 + b18 / 2
		fits = l <= lut[i] && d <= dsp[i] && b <= bram[i]
		printf "  %s %.0f %% LUT, %.0f %% DSP, %.0f %% BRAM36: %s\n", name[i], 100 * l / lut[i], 100 * d / dsp[i], 100 * b / bram[i], fits ? "fits" : "does not fit"
	}
     }' "$OUT/stat.txt"
grep -i 'longest' "$OUT/ltp.txt" || grep -v 'Detected loop' "$OUT/ltp.txt" | tail -3
