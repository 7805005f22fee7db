#!/bin/sh
# hw/tb/mutants.sh: shows that the block testbenches can fail. Each mutant copies one
# RTL file to build/tb-mut/<n>/, injects one small bug with sed, builds the block's
# testbench against the copy and requires it to FAIL. Prints "PASS mutant-<n>: caught
# (<what>)" or "FAIL mutant-<n>: ..."; exits non-zero if any mutant survives or does
# not apply. Not part of `make check` (one Verilator build per mutant, ~15-60 s each):
# run it after changing a testbench. `sh hw/tb/mutants.sh 3 7` runs only those.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
OUT=build/tb-mut
mkdir -p "$OUT"; rm -f "$OUT/failed"
rc=0
only=" $* "

# n | testbench | top | rtl file | -G/-D flags | sed expression (no '|' in it) | what
MUTANTS=$(cat <<'EOF'
1|tb_agen|mbn_agen|mbn_agen.v|-CFLAGS -DLB=4|s/if (fm_reg == 2'd2) fa_reg <= fa_reg + j32;/if (fm_reg == 2'd1) fa_reg <= fa_reg + j32;/|agen: fused output bank row steps one pixel early
2|tb_agen|mbn_agen|mbn_agen.v|-CFLAGS -DLB=4|s/wire wrap0 = stride2 ? m0_reg != 2'd0 : m0_reg == 2'd2;/wire wrap0 = stride2 ? m0_reg == 2'd0 : m0_reg == 2'd2;/|agen: stride-2 bank-row wrap of read port 0
3|tb_agen|mbn_agen|mbn_agen.v|-CFLAGS -DLB=4|s/wire cv   = c_reg >= 0 \&\& c_reg < $signed({2'd0, in_w});/wire cv   = c_reg >= 0 \&\& c_reg <= $signed({2'd0, in_w});/|agen: column in_w flagged inside the tile
4|tb_agen|mbn_agen|mbn_agen.v|-GLB=5 -CFLAGS -DLB=5|s/oa_reg   <= oa_base_reg + NB32;/oa_reg   <= oa_base_reg + 32'd1;/|agen (LANES=32): PW group step of the OBUF address 1 word instead of NB
5|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16|s/assign xp\[i\] = {1'b0, ib_rdata\[i\*8 +: 8\]} - {1'b0, in_zp};/assign xp[i] = 9'($signed(8'(ib_rdata[i*8 +: 8] - in_zp)));/|mac: 8-bit instead of 9-bit PW activation operand (wrong only for offsets beyond +-127)
6|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16|s/(a4_f ? bias : acc_reg)/(a4_l ? bias : acc_reg)/|mac: accumulator restarts on the last item instead of the first
7|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16|s/wire \[9\*NB\*128-1:0\] wsel = wdup\[s1_sel\*128 +: 9\*NB\*128\];/wire [9*NB*128-1:0] wsel = wdup[0 +: 9*NB*128];/|mac: DW weight words not rotated by iss_sel
8|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -GLANES=32 -GLB=5 -CFLAGS -DLANES=32|s/wsel\[(9\*G+t)\*128 + C\*8 +: 8\]/wsel[t*128 + C*8 +: 8]/|mac (LANES=32): DW channel group 1 takes group 0's weights
32|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -GLANES=32 -GLB=5 -CFLAGS -DLANES=32|s/localparam WO = (KH \* NB + G) \* 128 + C \* 8;/localparam WO = KH * NB * 128 + C * 8;/|mac (LANES=32): DW channel group 1 reads group 0's window
33|tb_agen|mbn_agen|mbn_agen.v|-GLB=5 -CFLAGS -DLB=5|s/lg_reg <= {1'b0, j_reg} + {NB12, 1'b0} >= {1'b0, jn};/lg_reg <= {1'b0, j_reg} + {NB12, 1'b0} > {1'b0, jn};/|agen (LANES=32): DW runs one channel step past J when J is a multiple of NB
27|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16|s/(22'(hb3) + 22'(bc)) - c_reg/22'(hb3) - c_reg/|mac: the low products' borrows not added to the odd lanes (WP486 correction)
28|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16|s/22'(la3) - c_reg;/22'(la3);/|mac: w_zp correction missing on the even lanes
29|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -CFLAGS -DLANES=16|s/.x(xd\[LO\*9+8\])/.x(xd[LE*9+8])/|mac: DW tap 8 of the odd lane reads the even lane's pixel
30|tb_mac_array|mbn_mac_array|mbn_mac_array.v|hw/rtl/mbn_dsp2.v -GLANES=32 -GLB=5 -CFLAGS -DLANES=32|s/c_reg  <= dw ? 22'sd0 : 22'($signed({1'b0, w_zp}) \* sxp);/c_reg  <= dw ? 22'sd0 : 22'($signed(w_zp) * sxp);/|mac (LANES=32): w_zp taken as signed in the correction
9|tb_dma_rd|mbn_dma_rd|mbn_dma_rd.v|-Wno-SYMRSVDWORD|s/: 9'd256 - {1'b0, nx_addr\[11:4\]};/: 9'd257 - {1'b0, nx_addr[11:4]};/|dma_rd: burst may cross 4 KiB by one beat
34|tb_dma_rd|mbn_dma_rd|mbn_dma_rd.v|-Wno-SYMRSVDWORD -GRD_BYTES=32 -CFLAGS -DRD_BYTES=32|s/(nx_addr\[4\] /(1'b0 /|dma_rd 256-bit: an odd start goes as a full 32-byte beat
35|tb_dma_rd|mbn_dma_rd|mbn_dma_rd.v|-Wno-SYMRSVDWORD -GRD_BYTES=32 -CFLAGS -DRD_BYTES=32|s/W2 \&\& rx_odd_reg ? m_axi_rdata/1'b0 ? m_axi_rdata/|dma_rd 256-bit: an odd start's word taken from the lower half
10|tb_dma_rd|mbn_dma_rd|mbn_dma_rd.v|-Wno-SYMRSVDWORD|s/outst_reg < MAX_RD_OUTSTANDING/outst_reg <= MAX_RD_OUTSTANDING/|dma_rd: one burst more than MAX_RD_OUTSTANDING
11|tb_dma_rd|mbn_dma_rd|mbn_dma_rd.v|-Wno-SYMRSVDWORD|s/!abort_reg \&\& !abort \&\&/!abort_reg \&\&/|dma_rd: issues an AR in the cycle abort is raised
12|tb_dma_rd|mbn_dma_rd|mbn_dma_rd.v|-Wno-SYMRSVDWORD|s/wire        issue  = !arvalid_reg \&\& /wire        issue  = /|dma_rd: a pending AR is replaced before arready
13|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/wire \[4:0\]  len    = narrow ? 5'd1 : ({4'd0, len_a} > bbeats) ? bbeats\[4:0\] : len_a;/wire [4:0]  len    = narrow ? 5'd1 : len_a;/|dma_wr: no clamp at the 4 KiB line
14|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/baddr_reg <= paddr_reg + {{(ADDR_W-16){1'b0}}, stride_reg};/baddr_reg <= baddr_reg + {{(ADDR_W-16){1'b0}}, stride_reg};/|dma_wr: next pixel from the burst address, not the pixel address
15|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/assign err_off  = offq\[oq_rp_reg\];/assign err_off  = offq[oq_wp_reg];/|dma_wr: err_off of the wrong burst
16|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/dq_wp_reg <= {DQB{1'b0}}; dq_rp_reg <= {DQB{1'b0}}; dq_cnt_reg <= {(DQB+1){1'b0}}; wbeat_reg <= 8'd0;/wbeat_reg <= 8'd0;/|dma_wr: prefetched words of an aborted store not dropped at start
17|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/wire        issue  = have \&\& !awvalid_reg \&\& !abort_reg \&\& !abort \&\&/wire        issue  = have \&\& !awvalid_reg \&\& !abort_reg \&\&/|dma_wr: issues an AW in the cycle abort is raised
18|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/assign m_axi_wlast   = wbeat_reg == lq_h\[7:0\];/assign m_axi_wlast   = wbeat_reg == lenq[lq_wp_reg][7:0];/|dma_wr: wlast from the newest burst length
25|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/wire        dense  = stride == {wpp, 4'd0};/wire        dense  = 1'b0;/|dma_wr: dense stores cut into a burst per pixel (slow, not wrong)
26|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD|s/wire        dense  = stride == {wpp, 4'd0};/wire        dense  = stride >= {wpp, 4'd0};/|dma_wr: strided stores taken for dense (bursts run over the gaps)
36|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD -GWR_BYTES=32 -CFLAGS -DWR_BYTES=32|s/w_half ? {16'hffff, 16'h0000} : {16'h0000, 16'hffff}/w_half ? {16'h0000, 16'hffff} : {16'hffff, 16'h0000}/|dma_wr 256-bit: a narrow beat's wstrb on the other half
37|tb_dma_wr|mbn_dma_wr|mbn_dma_wr.v|-Wno-SYMRSVDWORD -GWR_BYTES=32 -CFLAGS -DWR_BYTES=32|s/{w_wide ? dq\[dq_rp1\] : dq\[dq_rp_reg\], dq\[dq_rp_reg\]}/{w_wide ? dq[dq_rp_reg] : dq[dq_rp_reg], dq[dq_rp_reg]}/|dma_wr 256-bit: a full beat's upper word taken from dq[dq_rp_reg] (the lower word again)
19|tb_dsp2|mbn_dsp2|mbn_dsp2.v||s/assign pb = p\[44:18\];/assign pb = p[43:17];/|dsp2: high product's field taken one bit low (P[43:17])
20|tb_dsp2|mbn_dsp2|mbn_dsp2.v||s/wire \[26:0\] ad     = d_reg + a_reg;/wire [26:0] ad     = a_reg;/|dsp2: D (wa) not added in the pre-adder
21|tb_dsp2|mbn_dsp2|mbn_dsp2.v||s/assign p = p_reg;/assign p = m_next;/|dsp2: pipeline one stage short (P register bypassed)
22|tb_dsp2|mbn_dsp2|mbn_dsp2.v||s/if (ce) begin/if (1'b1) begin/|dsp2: ce ignored (the pipeline runs through stalls)
23|tb_dsp2|mbn_dsp2|mbn_dsp2.v|+define+SYNTHESIS hw/tb/dsp48e2_model.v -CFLAGS -DPRIM|s/.INMODE(5'b00100)/.INMODE(5'b01100)/|dsp2 (DSP48E2 instance): INMODE[3] set, the pre-adder subtracts A
24|tb_dsp2|mbn_dsp2|mbn_dsp2.v|+define+SYNTHESIS hw/tb/dsp48e2_model.v -CFLAGS -DPRIM|s/.CEP(ce)/.CEP(1'b1)/|dsp2 (DSP48E2 instance): P register not clock-enabled
31|tb_dsp2|mbn_dsp2|mbn_dsp2.v||s/wire \[17:0\] b_in = {{9{x\[8\]}}, x};/wire [17:0] b_in = {9'd0, x};/|dsp2: x not sign-extended to the B port
EOF
)

echo "$MUTANTS" | while IFS='|' read -r n tb top file flags expr what; do
    case "$only" in "  ") ;; *" $n "*) ;; *) continue ;; esac
    d="$OUT/$n"
    rm -rf "$d"; mkdir -p "$d/rtl"
    cp "hw/rtl/$file" "$d/rtl/$file"
    sed -i "$expr" "$d/rtl/$file"
    if cmp -s "hw/rtl/$file" "$d/rtl/$file"; then
        echo "FAIL mutant-$n: sed did not apply ($what)"; echo x >> "$OUT/failed"; continue
    fi
    # shellcheck disable=SC2086
    if ! verilator --cc --exe --build -j 2 -O2 -I"$d/rtl" -CFLAGS "-O1" --top-module "$top" $flags \
        "$d/rtl/$file" "$ROOT/hw/tb/$tb.cpp" -Mdir "$d/obj" -o tb >"$d/build.log" 2>&1; then
        echo "FAIL mutant-$n: build failed, see $d/build.log"; echo x >> "$OUT/failed"; continue
    fi
    if timeout 120 "$d/obj/tb" >"$d/run.log" 2>&1; then
        echo "FAIL mutant-$n: survived ($what)"; echo x >> "$OUT/failed"
    elif grep -q '^FAIL' "$d/run.log"; then
        echo "PASS mutant-$n: caught ($what): $(grep -m1 '^FAIL' "$d/run.log" | cut -c1-150)"
    else
        echo "FAIL mutant-$n: testbench exited non-zero without a FAIL line, see $d/run.log"; echo x >> "$OUT/failed"
    fi
done
[ -f "$OUT/failed" ] && { rm -f "$OUT/failed"; exit 1; }
exit $rc
