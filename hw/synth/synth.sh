#!/bin/sh
# hw/synth/synth.sh: synthesize the default mbnaccel_top with Yosys (synth_xilinx
# -family xcup), then print LUT/FF/DSP/BRAM counts and the longest register-to-
# register path (ltp -noff). Log in build/synth/yosys.log.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
mkdir -p build/synth build/gen
python3 hw/regs/gen-regs.py hw/regs/mbnaccel.regs build/gen/mbn_regs.h build/gen/mbn_regs.vh
yosys -q -l build/synth/yosys.log -s hw/synth/synth.ys
awk '/Number of cells/ && !done {print; done=1}' build/synth/stat.txt
grep -E '^ +(LUT[1-6]|FD[A-Z]*|DSP48E2|RAMB(18|36)E2|RAM[0-9A-Z]*|CARRY8|SRL[0-9A-Z]*|LD[A-Z]*) ' build/synth/stat.txt || true
awk '/LUT[1-6] /{l+=$2} /FD[CPRS]E /{f+=$2} /RAM(32|64)M/{dr+=$2} /DSP48E2/{d+=$2} /RAMB36E2/{b36+=$2} /RAMB18E2/{b18+=$2}
     END {printf "LUT %d  FF %d  DSP %d  BRAM36 %d  BRAM18 %d  LUTRAM cells %d\n", l, f, d, b36, b18, dr}' build/synth/stat.txt
grep -i 'longest' build/synth/ltp.txt || grep -v 'Detected loop' build/synth/ltp.txt | tail -3
