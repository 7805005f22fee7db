#!/bin/sh
# hw/tb/run.sh: build and run the block-level testbenches (Verilator) into build/tb/.
# Prints "PASS name" / "FAIL name: why" per check; exits non-zero on any failure.
# TB_ITERS (default 100) sets the number of random PW and DW descriptors of tb_top;
# TB_SEED the seed of the block testbenches (agen, mac_array, dma_rd, dma_wr, dsp2; each
# prints it), TB_AGEN_N / TB_MAC_N / TB_DMA_N their numbers of geometries, operations,
# transfers.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
OUT=build/tb
mkdir -p "$OUT" build/gen
python3 hw/regs/gen-regs.py hw/regs/mbnaccel.regs build/gen/mbn_regs.h build/gen/mbn_regs.vh || exit 2
: "${TB_ITERS:=100}"
export TB_ITERS
rc=0

lint() {
    if verilator --lint-only -Wall -Ibuild/gen -Ihw/rtl hw/rtl/mbnaccel.vlt hw/rtl/*.v \
        --top-module mbnaccel_top >"$OUT/lint.log" 2>&1; then
        echo "PASS lint"
    else
        echo "FAIL lint: see $OUT/lint.log"; rc=1
    fi
}

build() { # name top cpp rtl...
    name=$1 top=$2 cpp=$3; shift 3
    if ! verilator --cc --exe --build -j 2 -O2 -Ibuild/gen -Ihw/rtl \
        -CFLAGS "-I$ROOT/build/gen -I$ROOT/hw/model -O1" --top-module "$top" "$@" "$ROOT/$cpp" \
        -Mdir "$OUT/$name" -o "tb_$name" >"$OUT/$name.build.log" 2>&1; then
        echo "FAIL $name: build failed, see $OUT/$name.build.log"; rc=1; return 1
    fi
}

runtb() { # name timeout
    if ! timeout "$2" "$OUT/$1/tb_$1"; then
        echo "FAIL $1: exit status non-zero or timeout ($2 s)"; rc=1
    fi
}

lint
build requant mbn_requant hw/tb/tb_requant.cpp hw/rtl/mbn_requant.v && runtb requant 300
# the two-products-per-DSP48E2 wrapper (its behavioural model): all 2^26 operand triples
build dsp2 mbn_dsp2 hw/tb/tb_dsp2.cpp hw/rtl/mbn_dsp2.v && runtb dsp2 300
# ... and its synthesis branch, the DSP48E2 instance, on a functional model of the primitive
build dsp2_prim mbn_dsp2 hw/tb/tb_dsp2.cpp hw/rtl/mbn_dsp2.v hw/tb/dsp48e2_model.v +define+SYNTHESIS \
    -CFLAGS -DPRIM && runtb dsp2_prim 300
# the block testbenches: each block alone against its own reference model; the
# parameterized ones at the default and at LANES = 32 (as sim:mac=512: -GLANES=32)
build agen mbn_agen hw/tb/tb_agen.cpp hw/rtl/mbn_agen.v -CFLAGS -DLB=4 && runtb agen 120
build agen32 mbn_agen hw/tb/tb_agen.cpp hw/rtl/mbn_agen.v -GLB=5 -CFLAGS -DLB=5 && runtb agen32 120
build mac_array mbn_mac_array hw/tb/tb_mac_array.cpp hw/rtl/mbn_mac_array.v hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16 && runtb mac_array 120
build mac_array32 mbn_mac_array hw/tb/tb_mac_array.cpp hw/rtl/mbn_mac_array.v hw/rtl/mbn_dsp2.v -GLANES=32 -GLB=5 \
    -CFLAGS -DLANES=32 && runtb mac_array32 120
# the port `abort` is a C library name (Verilator calls it __SYM__abort)
build dma_rd mbn_dma_rd hw/tb/tb_dma_rd.cpp hw/rtl/mbn_dma_rd.v -Wno-SYMRSVDWORD && runtb dma_rd 120
# (-G makes the parameter a 32-bit integer: Verilator then warns WIDTH on outst_reg < it)
build dma_rd2 mbn_dma_rd hw/tb/tb_dma_rd.cpp hw/rtl/mbn_dma_rd.v -Wno-SYMRSVDWORD -Wno-WIDTH \
    -GMAX_RD_OUTSTANDING=2 -CFLAGS -DMAX_OUT=2 && runtb dma_rd2 120
# the 256-bit read port (RD_BYTES = 32: 32-byte beats, a narrow beat at an odd start or
# for a single last word)
build dma_rd256 mbn_dma_rd hw/tb/tb_dma_rd.cpp hw/rtl/mbn_dma_rd.v -Wno-SYMRSVDWORD \
    -GRD_BYTES=32 -CFLAGS -DRD_BYTES=32 && runtb dma_rd256 120
build dma_wr mbn_dma_wr hw/tb/tb_dma_wr.cpp hw/rtl/mbn_dma_wr.v -Wno-SYMRSVDWORD && runtb dma_wr 120
# the 256-bit write port (WR_BYTES = 32: 32-byte beats, a narrow beat at a segment's odd
# start or for its lone last word; OBUF's second read port ob_rdata2)
build dma_wr256 mbn_dma_wr hw/tb/tb_dma_wr.cpp hw/rtl/mbn_dma_wr.v -Wno-SYMRSVDWORD \
    -GWR_BYTES=32 -CFLAGS -DWR_BYTES=32 && runtb dma_wr256 120
# tb_top is one testbench of several files (hw/tb/tb_top.h): the others are linked in
build top mbnaccel_top hw/tb/tb_top.cpp hw/rtl/*.v "$ROOT/hw/tb/tb_top_axi.cpp" "$ROOT/hw/tb/tb_top_chains.cpp" \
    "$ROOT/hw/tb/tb_top_faults.cpp" && runtb top 1200
exit $rc
