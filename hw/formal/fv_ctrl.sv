// SPDX-License-Identifier: Apache-2.0
// Formal harness: mbn_ctrl's DMA requests (the descriptor checks and the pipeline that
// hands their results to the DMA engines). Free inputs: reset, start, abort, the job
// registers, every descriptor word the read DMA returns (rd_data: any descriptor), the
// DMA and compute handshakes (busy, beats, errors) at any time; the region table is a
// free constant. Assumed: reset in the first cycle; every REGION[r].BASE 16-byte aligned
// and BASE + SIZE <= 2^40 (hardware does not check either: README.md); a DMA's busy
// rises only in the cycle after its start (proved of mbn_dma_rd/mbn_dma_wr by their own
// harnesses) and is low after reset. Cut (free values, which only adds behaviours): every
// multiplier and divider of mbn_ctrl, so the extents are whatever the multipliers give.
// Proved, at every rd_start (descriptor fetch, input, weights, qparams) and wr_start:
// the window the DMA gets lies in the region its descriptor names, which passed the
// region-index, alignment and bounds checks for exactly that extent; data loads and
// stores only for a descriptor every check passed; a start only while that DMA is idle;
// and the DMA harnesses' assumptions (16-byte aligned, below 2^40; for writes stride >=
// 16*wpp, wpp >= 1). See README.md for the statement and how it composes.
`include "mbn_regs.vh"
`default_nettype none
module fv_ctrl (input wire clk);
    localparam ADDR_W = 40;
    localparam [64:0] TOP = 65'd1 << ADDR_W;
    localparam [4:0] F_IDLE = 5'd0,  F_FCHK = 5'd1,  F_FETCH = 5'd2, F_FWAIT = 5'd3,
                     F_DEC1 = 5'd4,  F_DEC2 = 5'd5,  F_DEC3 = 5'd6,  F_DEC4 = 5'd7,
                     F_LDI  = 5'd8,  F_LDIW = 5'd9,  F_LDW  = 5'd10, F_LDWW = 5'd11,
                     F_LDQ  = 5'd12, F_LDQW = 5'd13, F_HAND = 5'd14, F_END  = 5'd15,
                     F_FLT  = 5'd16, F_DRAIN = 5'd17, F_FCHK2 = 5'd18, F_DEC2B = 5'd19,
                     F_DEC3B = 5'd20;
    localparam [2:0] C_IDLE = 3'd0, C_HAND = 3'd5;
    localparam [1:0] T_IDLE = 2'd0, T_ST = 2'd1, T_STW = 2'd2;

    (* anyseq *) reg rst, start, abort, rd_busy, rd_beat, rd_err, wr_busy, wr_err;
    (* anyseq *) reg cmp_done, cmp_pipe_busy;
    (* anyseq *) reg [31:0] desc_region, desc_offset, desc_count, wr_err_off;
    (* anyseq *) reg [127:0] rd_data;
    (* anyseq *) reg [23:0] rd_idx;
    (* anyconst *) reg [8*64-1:0] region_base, region_size;

    wire busy, rd_start, wr_start;
    wire [ADDR_W-1:0] rd_addr, wr_addr;
    wire [23:0] rd_nwords;
    wire [1:0]  rd_dst;
    wire [31:0] wr_npix;
    wire [11:0] wr_wpp;
    wire [15:0] wr_stride;
    // exposed state (yosys `expose`, fv_ctrl.ys)
    wire [4:0]   state_reg;
    wire [2:0]   cst_reg;
    wire [1:0]   sst_reg;
    wire [511:0] desc_reg, cd_reg;
    wire [31:0]  dreg_reg, pout_reg, code_reg, s_pend_npix, s_npix_reg;
    wire [39:0]  doff_reg;
    wire [40:0]  dend_reg;
    wire [63:0]  dsz_reg, a_desc_reg, a_in_reg, a_w_reg, a_q_reg, a_out_reg;
    wire [63:0]  in_bytes_reg, wwords_reg, out_ext_reg;
    wire [64:0]  end_i_reg, end_w_reg, end_q_reg, end_o_reg;
    wire [63:0]  sz_i_reg, sz_w_reg, sz_q_reg, sz_o_reg;
    wire [2:0]   ck_i_reg, ck_w_reg, ck_q_reg, ck_o_reg;
    wire         fmt_bad_reg, cap_bad_reg, cap_ib_bad_reg, s_fuse;
    wire [11:0]  s_pend_wpp, s_wpp_reg;
    wire [15:0]  s_pend_stride, s_stride_reg;
    wire [ADDR_W-1:0] s_pend_addr;
    wire [47:0]  out_ext_n;             // the (cut) extent multiplier's output

    mbn_ctrl dut (
        .clk(clk), .rst(rst), .start(start), .abort(abort),
        .desc_region(desc_region), .desc_offset(desc_offset), .desc_count(desc_count),
        .region_base(region_base), .region_size(region_size), .busy(busy),
        .rd_start(rd_start), .rd_addr(rd_addr), .rd_nwords(rd_nwords), .rd_dst(rd_dst),
        .rd_busy(rd_busy), .rd_beat(rd_beat), .rd_data(rd_data), .rd_idx(rd_idx), .rd_err(rd_err),
        .wr_start(wr_start), .wr_addr(wr_addr), .wr_npix(wr_npix), .wr_wpp(wr_wpp),
        .wr_stride(wr_stride), .wr_busy(wr_busy), .wr_err(wr_err), .wr_err_off(wr_err_off),
        .cmp_done(cmp_done), .cmp_pipe_busy(cmp_pipe_busy),
        .state_reg(state_reg), .cst_reg(cst_reg), .sst_reg(sst_reg), .desc_reg(desc_reg),
        .cd_reg(cd_reg), .dreg_reg(dreg_reg), .pout_reg(pout_reg), .code_reg(code_reg),
        .s_pend_npix(s_pend_npix), .s_npix_reg(s_npix_reg), .doff_reg(doff_reg),
        .dend_reg(dend_reg), .dsz_reg(dsz_reg), .a_desc_reg(a_desc_reg), .a_in_reg(a_in_reg),
        .a_w_reg(a_w_reg), .a_q_reg(a_q_reg), .a_out_reg(a_out_reg),
        .in_bytes_reg(in_bytes_reg), .wwords_reg(wwords_reg), .out_ext_reg(out_ext_reg),
        .end_i_reg(end_i_reg), .end_w_reg(end_w_reg), .end_q_reg(end_q_reg),
        .end_o_reg(end_o_reg), .sz_i_reg(sz_i_reg), .sz_w_reg(sz_w_reg), .sz_q_reg(sz_q_reg),
        .sz_o_reg(sz_o_reg), .ck_i_reg(ck_i_reg), .ck_w_reg(ck_w_reg), .ck_q_reg(ck_q_reg),
        .ck_o_reg(ck_o_reg), .fmt_bad_reg(fmt_bad_reg), .cap_bad_reg(cap_bad_reg),
        .cap_ib_bad_reg(cap_ib_bad_reg), .s_fuse(s_fuse), .s_pend_wpp(s_pend_wpp),
        .s_wpp_reg(s_wpp_reg), .s_pend_stride(s_pend_stride), .s_stride_reg(s_stride_reg),
        .s_pend_addr(s_pend_addr), .out_ext_n(out_ext_n));

`ifdef FORMAL
    function [63:0] rbase; input [2:0] r; begin rbase = region_base[{r, 6'd0} +: 64]; end endfunction
    function [63:0] rsize; input [2:0] r; begin rsize = region_size[{r, 6'd0} +: 64]; end endfunction
    // the region rule of docs/hw.md, written independently of mbn_ctrl's chk2: index < 8,
    // 16-byte aligned offset, offset + extent <= REGION[r].SIZE
    function inside; input [31:0] r; input [39:0] off; input [64:0] bytes;
        begin
            inside = r < 32'd8 && off[3:0] == 4'd0 &&
                     {25'd0, off} + bytes <= {1'b0, rsize(r[2:0])};
        end
    endfunction

    // F's descriptor
    wire [3:0]  in_rg   = `MBN_D_IN_REGION_OF(desc_reg);
    wire [3:0]  w_rg    = `MBN_D_W_REGION_OF(desc_reg);
    wire [3:0]  q_rg    = `MBN_D_Q_REGION_OF(desc_reg);
    wire [3:0]  out_rg  = `MBN_D_OUT_REGION_OF(desc_reg);
    wire [31:0] in_off  = `MBN_D_IN_OFFSET_OF(desc_reg);
    wire [31:0] w_off   = `MBN_D_W_OFFSET_OF(desc_reg);
    wire [31:0] q_off   = `MBN_D_Q_OFFSET_OF(desc_reg);
    wire [31:0] out_off = `MBN_D_OUT_OFFSET_OF(desc_reg);
    wire [15:0] out_c   = `MBN_D_OUT_C_OF(desc_reg);
    wire [15:0] ostride = `MBN_D_OUT_STRIDE_OF(desc_reg);
    wire        reuse_i = `MBN_D_REUSE_INPUT_OF(desc_reg);
    wire        reuse_w = `MBN_D_REUSE_WEIGHTS_OF(desc_reg);
    wire        f_fuse  = `MBN_D_FUSE_OF(desc_reg);
    // extents in bytes as the checks see them
    wire [64:0] b_in  = {1'b0, in_bytes_reg};
    wire [64:0] b_w   = {1'b0, wwords_reg[59:0], 4'd0};
    wire [64:0] b_q   = {45'd0, out_c, 4'd0};
    wire [64:0] b_out = {1'b0, out_ext_reg};

    // the verdicts of every check of F's descriptor (capacity and field checks
    // included): a descriptor moves data only if this holds
    wire all_pass = !cap_bad_reg && !cap_ib_bad_reg &&
                    (reuse_i || ck_i_reg == 3'd0) &&
                    (reuse_w || (ck_w_reg == 3'd0 && ck_q_reg == 3'd0)) &&
                    (f_fuse || ck_o_reg == 3'd0);

    // every assertion is `CK(i, p): assert(p), and ok[i] = p, so a counterexample names
    // the failing one (ok is a public signal in the solver's model)
    (* keep *) reg [49:0] ok;
`define CK(i, p) begin ok[i] = (p); assert(ok[i]); end
    reg init = 1'b1;
    reg pq_rst = 1'b1, pq_rd_busy = 1'b0, pq_rd_start = 1'b0, pq_wr_busy = 1'b0, pq_wr_start = 1'b0;
    // ghosts: the write extent of a descriptor, through the pipeline. g_* are F's (taken
    // in F_DEC2 when out_ext_reg is: m = the multiplier's output, a and b its operands
    // pout - 1 and out_stride); gc_* C's (taken at F_HAND), gs_* S's (at C_HAND), gw_*
    // the store being started (at T_ST)
    reg [47:0] g_m, gc_m, gs_m, gw_m;
    reg [31:0] g_a, gc_a, gs_a, gw_a;
    reg [15:0] g_b, gc_b, gs_b, gw_b;
    reg [3:0]  gc_rg, gs_rg, gw_rg;
    reg [31:0] gc_off, gs_off, gw_off;
    reg [63:0] gc_ext, gs_ext, gw_ext;
    reg [15:0] gc_outc, gs_outc, gw_outc;
    reg        gc_fuse, gs_fuse, gw_fuse;
    always @(posedge clk) begin
        init <= 1'b0;
        pq_rst <= rst;
        pq_rd_busy <= rd_busy; pq_rd_start <= rd_start;
        pq_wr_busy <= wr_busy; pq_wr_start <= wr_start;
        if (!rst && state_reg == F_DEC2) begin
            g_m <= out_ext_n; g_a <= pout_reg - 32'd1; g_b <= ostride;
        end
        if (!rst && state_reg == F_HAND && cst_reg == C_IDLE) begin
            gc_m <= g_m; gc_a <= g_a; gc_b <= g_b; gc_rg <= out_rg; gc_off <= out_off;
            gc_ext <= out_ext_reg; gc_outc <= out_c; gc_fuse <= f_fuse;
        end
        if (!rst && cst_reg == C_HAND && sst_reg == T_IDLE) begin
            gs_m <= gc_m; gs_a <= gc_a; gs_b <= gc_b; gs_rg <= gc_rg; gs_off <= gc_off;
            gs_ext <= gc_ext; gs_outc <= gc_outc; gs_fuse <= gc_fuse;
        end
        if (!rst && sst_reg == T_ST) begin
            gw_m <= gs_m; gw_a <= gs_a; gw_b <= gs_b; gw_rg <= gs_rg; gw_off <= gs_off;
            gw_ext <= gs_ext; gw_outc <= gs_outc; gw_fuse <= gs_fuse;
        end
    end

    // the read request's extent, by destination: the descriptor fetch (64 bytes at
    // DESC_OFFSET + 64*i in DESC_REGION), input, weights, qparams
    reg [31:0] x_rg; reg [39:0] x_off; reg [64:0] x_bytes;
    always @(*) begin
        case (rd_dst)
        2'd0:    begin x_rg = dreg_reg;       x_off = doff_reg;       x_bytes = 65'd64; end
        2'd1:    begin x_rg = {28'd0, in_rg}; x_off = {8'd0, in_off}; x_bytes = b_in;   end
        2'd2:    begin x_rg = {28'd0, w_rg};  x_off = {8'd0, w_off};  x_bytes = b_w;    end
        default: begin x_rg = {28'd0, q_rg};  x_off = {8'd0, q_off};  x_bytes = b_q;    end
        endcase
    end
    wire [63:0] x_base = rbase(x_rg[2:0]);
    wire [64:0] rd_lo  = {25'd0, rd_addr};
    wire [64:0] rd_hi  = rd_lo + {37'd0, rd_nwords, 4'd0};
    wire [63:0] w_base = rbase(gw_rg[2:0]);
    wire [63:0] c_addr = rbase(gc_rg[2:0]) + {32'd0, gc_off};
    wire [63:0] s_addr = rbase(gs_rg[2:0]) + {32'd0, gs_off};

    // F states in which the registered decode results are valid
    wire s_dec2   = state_reg == F_DEC2 || s_dec2b;
    wire s_dec2b  = state_reg == F_DEC2B || s_dec3;
    wire s_dec3   = state_reg == F_DEC3 || s_dec3b;
    wire s_dec3b  = state_reg == F_DEC3B || s_dec4;
    wire s_dec4   = state_reg == F_DEC4 || s_load;
    wire s_load   = state_reg == F_LDI || state_reg == F_LDIW || s_loadw || state_reg == F_HAND;
    wire s_loadw  = state_reg == F_LDW || state_reg == F_LDWW || state_reg == F_LDQ ||
                    state_reg == F_LDQW;
    wire rd_wait  = state_reg == F_FWAIT || state_reg == F_LDIW || state_reg == F_LDWW ||
                    state_reg == F_LDQW;
    wire c_v = cst_reg != C_IDLE;
    wire s_v = sst_reg != T_IDLE;

    genvar r;
    generate for (r = 0; r < 8; r = r + 1) begin : region_ok
        always @(*) begin
            assume(region_base[r*64 +: 4] == 4'd0);
            assume({1'b0, region_base[r*64 +: 64]} + {1'b0, region_size[r*64 +: 64]} <= TOP);
        end
    end endgenerate

    always @(*) begin
        ok = {50{1'b1}};
        if (init) assume(rst);
        // the DMA engines: busy only after a start, low after reset
        if (pq_rst || (!pq_rd_busy && !pq_rd_start)) assume(!rd_busy);
        if (pq_rst || (!pq_wr_busy && !pq_wr_start)) assume(!wr_busy);
        if (!init) begin
            // ---- the properties -------------------------------------------------------
            if (rd_start) begin
                // the window [rd_addr, rd_addr + 16*rd_nwords) lies in the region the
                // descriptor names, which passed its checks for this extent
                `CK(0, inside(x_rg, x_off, x_bytes));
                `CK(1, rd_addr == x_base[ADDR_W-1:0] + x_off);
                `CK(2, {37'd0, rd_nwords, 4'd0} <= x_bytes);
                `CK(3, rd_nwords == 24'd0 ||       // (an empty window: no AR at all)
                     (rd_lo >= {1'b0, x_base} && rd_hi <= {1'b0, x_base} + {1'b0, rsize(x_rg[2:0])}));
                // mbn_dma_rd's assumptions: idle, aligned, below 2^40
                `CK(4, !rd_busy && rd_addr[3:0] == 4'd0 && rd_hi <= TOP);
                // a data load only for a descriptor every check passed
                if (rd_dst != 2'd0) `CK(5, all_pass && code_reg == 32'd0);
            end
            if (wr_start) begin
                // the store's window [wr_addr, wr_addr + (npix-1)*stride + 16*wpp) (what
                // mbn_dma_wr is proved to stay in): wr_addr = BASE + out_offset, npix - 1
                // and stride are the operands of the multiplier whose output m was
                // checked as out_offset + m + out_c <= SIZE, 16*wpp = out_c
                `CK(6, !gw_fuse && inside({28'd0, gw_rg}, {8'd0, gw_off}, {1'b0, gw_ext}));
                `CK(7, gw_ext == {16'd0, gw_m} + {48'd0, gw_outc});
                `CK(8, wr_addr == w_base[ADDR_W-1:0] + {8'd0, gw_off});
                `CK(9, wr_npix - 32'd1 == gw_a && wr_stride == gw_b && {wr_wpp, 4'd0} == gw_outc);
                // mbn_dma_wr's assumptions: idle, aligned, wpp >= 1, stride >= 16*wpp
                `CK(10, !wr_busy && wr_addr[3:0] == 4'd0 && wr_stride[3:0] == 4'd0 &&
                       wr_wpp != 12'd0 && wr_stride >= {wr_wpp, 4'd0});
            end

`ifndef FV_BMC
            // ---- strengthening invariants (not needed by a bounded check from reset:
            // run.sh's bmc:N mode leaves them out, so a counterexample there is one of
            // the properties above, an actual out-of-region or unchecked request) ----
            // the DMA handshakes: a start only from a wait state (or an abort's drain),
            // the engines idle everywhere else
            if (rd_start) `CK(11, rd_wait || state_reg == F_DRAIN);
            if (!(rd_wait || state_reg == F_FLT || state_reg == F_DRAIN)) `CK(12, !rd_busy && !rd_start);
            if (wr_start) `CK(13, sst_reg == T_STW || state_reg == F_DRAIN);
            if (sst_reg != T_STW && state_reg != F_DRAIN) `CK(14, !wr_busy && !wr_start);
            if (state_reg == F_DRAIN) `CK(15, !c_v && !s_v);
            // descriptor fetch
            if (state_reg == F_FCHK2) begin
                `CK(16, dend_reg == {1'b0, doff_reg} + 41'd64 && dsz_reg == rsize(dreg_reg[2:0]));
                `CK(17, a_desc_reg == rbase(dreg_reg[2:0]) + {24'd0, doff_reg});
            end
            if (state_reg == F_FETCH) begin
                `CK(18, inside(dreg_reg, doff_reg, 65'd64) && !rd_start);
                `CK(19, a_desc_reg == rbase(dreg_reg[2:0]) + {24'd0, doff_reg});
            end
            // decode: addresses (F_DEC1), extents (F_DEC2), ends and sizes (F_DEC2B),
            // verdicts (F_DEC3, F_DEC3B), then only loads of a passing descriptor
            if (s_dec2) begin
                `CK(20, a_in_reg  == rbase(in_rg[2:0])  + {32'd0, in_off});
                `CK(21, a_w_reg   == rbase(w_rg[2:0])   + {32'd0, w_off});
                `CK(22, a_q_reg   == rbase(q_rg[2:0])   + {32'd0, q_off});
                `CK(23, a_out_reg == rbase(out_rg[2:0]) + {32'd0, out_off});
                `CK(24, fmt_bad_reg || (out_c != 16'd0 && out_c[3:0] == 4'd0 &&
                                       ostride >= out_c && ostride[3:0] == 4'd0));
            end
            if (s_dec2b) begin
                `CK(25, g_a == pout_reg - 32'd1 && g_b == ostride);
                `CK(26, out_ext_reg == {16'd0, g_m} + {48'd0, out_c});
            end
            if (s_dec3) begin
                `CK(27, end_i_reg == {33'd0, in_off}  + b_in  && sz_i_reg == rsize(in_rg[2:0]));
                `CK(28, end_w_reg == {33'd0, w_off}   + b_w   && sz_w_reg == rsize(w_rg[2:0]));
                `CK(29, end_q_reg == {33'd0, q_off}   + b_q   && sz_q_reg == rsize(q_rg[2:0]));
                `CK(30, end_o_reg == {33'd0, out_off} + b_out && sz_o_reg == rsize(out_rg[2:0]));
                if (!cap_bad_reg) `CK(31, !fmt_bad_reg);
            end
            if (s_dec3b) begin
                if (ck_i_reg == 3'd0) `CK(32, inside({28'd0, in_rg},  {8'd0, in_off},  b_in));
                if (ck_w_reg == 3'd0) `CK(33, inside({28'd0, w_rg},   {8'd0, w_off},   b_w));
                if (ck_q_reg == 3'd0) `CK(34, inside({28'd0, q_rg},   {8'd0, q_off},   b_q));
                if (ck_o_reg == 3'd0) `CK(35, inside({28'd0, out_rg}, {8'd0, out_off}, b_out));
            end
            if (s_dec4 && code_reg == 32'd0) `CK(36, all_pass);
            if (s_load) `CK(37, code_reg == 32'd0);
            if (state_reg == F_LDI || state_reg == F_LDIW) `CK(38, !reuse_i);
            if (s_loadw) `CK(39, !reuse_w);
            // C's and S's descriptors: the store fields beside them and what was checked
            if (c_v) begin
                `CK(40, `MBN_D_FUSE_OF(cd_reg) == gc_fuse);
                `CK(41, s_pend_addr == c_addr[ADDR_W-1:0]);
                `CK(42, s_pend_npix - 32'd1 == gc_a && s_pend_stride == gc_b &&
                       s_pend_wpp == gc_outc[15:4]);
                `CK(43, gc_ext == {16'd0, gc_m} + {48'd0, gc_outc});
                if (!gc_fuse) `CK(44, inside({28'd0, gc_rg}, {8'd0, gc_off}, {1'b0, gc_ext}) &&
                                     gc_outc != 16'd0 && gc_outc[3:0] == 4'd0 &&
                                     gc_b >= gc_outc && gc_b[3:0] == 4'd0);
            end
            if (s_v) begin
                `CK(45, s_fuse == gs_fuse);
                `CK(46, wr_addr == s_addr[ADDR_W-1:0]);
                `CK(47, s_npix_reg - 32'd1 == gs_a && s_stride_reg == gs_b &&
                       s_wpp_reg == gs_outc[15:4]);
                `CK(48, gs_ext == {16'd0, gs_m} + {48'd0, gs_outc});
                if (!gs_fuse) `CK(49, inside({28'd0, gs_rg}, {8'd0, gs_off}, {1'b0, gs_ext}) &&
                                     gs_outc != 16'd0 && gs_outc[3:0] == 4'd0 &&
                                     gs_b >= gs_outc && gs_b[3:0] == 4'd0);
            end
`endif
        end
    end
`endif
endmodule
`default_nettype wire
