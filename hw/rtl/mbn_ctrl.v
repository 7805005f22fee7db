// SPDX-License-Identifier: Apache-2.0
// mbn_ctrl: the job sequencer. Owns the job state (BUSY/DONE/FAULT, FAULT_*,
// DESC_DONE), descriptor fetch and the check of the fetch window, and the descriptor
// pipeline; a descriptor's decode and every check of docs/hw.md before it moves data
// (fields, capacity, regions) are mbn_desc_check's, which F steps through F_DEC1..
// F_DEC3B. Three stages, each holding at most one descriptor:
//   F (front):   fetch -> check -> load input (unless reuse_input) -> load weights,
//                qparams (unless reuse_weights) into the free half of IBUF/WBUF/QBUF
//   C (compute): wait for a free OBUF half -> compute -> pipeline drain
//   S (store):   write the OBUF half to DRAM
// so descriptor k+1 loads while k computes and k-1 stores. Each of IBUF, WBUF/QBUF,
// OBUF is used as two halves (ping-pong); a descriptor that does not fit a half
// uses the whole buffer and waits until the other stage has released it, so every
// descriptor docs/hw.md accepts still runs (CAPS reports the half sizes, which the
// library tiles to). reuse_* descriptors take the previous descriptor's half.
// DRAM order: a load (descriptor fetch included) waits while it overlaps the
// output extent of a descriptor not yet stored (C or S), so the result is that of
// running the descriptors one after another.
// Faults: a descriptor failing its checks or a read (F) first lets the earlier
// descriptors in C and S finish (they precede it), then reports; a write fault (S)
// reports at once. Then, and on CTRL.RESET: no new transfer, wait for the
// outstanding ones (drain), then idle.
`include "mbn_regs.vh"
`default_nettype none
module mbn_ctrl #(
    parameter LANES        = 16,
    parameter IBUF_WORDS   = 8192,
    parameter WBUF_ROWS    = 512,
    parameter OBUF_WORDS   = 4096,
    parameter QBUF_ENTRIES = 1024,
    parameter ADDR_W       = 40
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire        abort,
    input  wire [31:0] desc_region,
    input  wire [31:0] desc_offset,
    input  wire [31:0] desc_count,
    input  wire [8*64-1:0] region_base,
    input  wire [8*64-1:0] region_size,
    // job status
    output reg         busy,
    output reg         st_done,
    output reg         st_fault,
    output reg         done_evt,
    output reg         fault_evt,
    output reg  [31:0] fault_code,
    output reg  [31:0] fault_desc,
    output reg  [31:0] fault_off,
    output reg  [31:0] desc_done,
    // read DMA
    output reg         rd_start,
    output reg  [ADDR_W-1:0] rd_addr,
    output reg  [23:0] rd_nwords,
    output wire        rd_abort,
    output reg  [1:0]  rd_dst,          // 0 descriptor, 1 IBUF, 2 WBUF, 3 QBUF
    input  wire        rd_busy,
    input  wire        rd_beat,
    input  wire [127:0] rd_data,
    input  wire [23:0] rd_idx,
    input  wire        rd_beat2,        // 256-bit reads: word rd_idx + 1 as well
    input  wire [127:0] rd_data2,
    input  wire        rd_err,
    // write DMA
    output reg         wr_start,
    output reg  [ADDR_W-1:0] wr_addr,
    output wire [31:0] wr_npix,
    output wire [11:0] wr_wpp,
    output wire [15:0] wr_stride,
    output wire        wr_abort,
    input  wire        wr_busy,
    input  wire        wr_err,
    input  wire [31:0] wr_err_off,
    // compute
    output reg         cmp_start,
    input  wire        cmp_done,        // address generator idle
    input  wire        cmp_pipe_busy,   // MAC array holds items
    output wire        dw,
    output wire [1:0]  round_mode,
    output wire [15:0] in_rows,
    output wire [15:0] in_w,
    output wire [31:0] ib_ld_rw,      // words per IBUF row of the tile F loads (DW: in_w*in_c/16, PW: in_c/16)
    output wire [11:0] jn,
    output wire [11:0] oc16,
    output wire [11:0] groups,
    output wire [31:0] pixels,
    output wire [15:0] out_rows,
    output wire [15:0] out_w,
    output wire        stride2,
    output wire [7:0]  row_off,
    output wire [1:0]  pad_left,
    output wire [7:0]  in_zp,
    output wire [7:0]  w_zp,
    output wire [7:0]  out_zp,
    output wire [7:0]  act_min,
    output wire [7:0]  act_max,
    // buffer halves: F's load target, C's compute buffers, S's OBUF half
    output reg         ib_ld_hi,
    output reg         wq_ld_hi,
    output reg         ib_c_hi,
    output reg         wq_c_hi,
    output reg         ob_c_hi,
    output reg         ob_s_hi,
    output wire        c_fuse,          // C computes a fused DW or a chained PW: its output goes to IBUF half !ib_c_hi
    output wire [11:0] c_obase,         // a chained PW: out_offset / 16 (its word in each pixel of the map)
    output wire [11:0] c_ostep,         // ... and out_stride / 16 (words per pixel of the map)
    // counters
    output wire        c_pw,
    output wire        c_dw,
    output wire        c_stall
);
    localparam [4:0] F_IDLE = 5'd0,  F_FCHK = 5'd1,  F_FETCH = 5'd2, F_FWAIT = 5'd3,
                     F_DEC1 = 5'd4,  F_DEC2 = 5'd5,  F_DEC3 = 5'd6,  F_DEC4 = 5'd7,
                     F_LDI  = 5'd8,  F_LDIW = 5'd9,  F_LDW  = 5'd10, F_LDWW = 5'd11,
                     F_LDQ  = 5'd12, F_LDQW = 5'd13, F_HAND = 5'd14, F_END  = 5'd15,
                     F_FLT  = 5'd16, F_DRAIN = 5'd17, F_FCHK2 = 5'd18, F_DEC2B = 5'd19,
                     F_DEC3B = 5'd20;
    localparam [2:0] C_IDLE = 3'd0, C_OBW = 3'd1, C_COMP = 3'd2, C_CWAIT = 3'd3,
                     C_CDRN = 3'd4, C_HAND = 3'd5;
    localparam [1:0] T_IDLE = 2'd0, T_ST = 2'd1, T_STW = 2'd2;
    localparam [31:0] F_BOUNDS = `MBN_FAULT_BOUNDS, F_AXI = `MBN_FAULT_AXI,
                      F_DESC = `MBN_FAULT_DESC, F_REGION = `MBN_FAULT_REGION;

    reg [4:0]   state_reg;              // F
    reg [2:0]   cst_reg;                // C
    reg [1:0]   sst_reg;                // S
    reg [511:0] desc_reg;               // F's descriptor
    reg [511:0] cd_reg;                 // C's descriptor
    reg [31:0]  dreg_reg, dcnt_reg, idx_reg;
    reg [39:0]  doff_reg;               // offset of descriptor idx (wide: no wrap)
    reg         faulted_reg;
    reg [4:0]   drain_cnt_reg;
    reg [31:0]  err_add_reg;            // AXI fault: byte offset within the transfer
    reg         err_fix_reg;

    function [63:0] rbase; input [2:0] r; begin rbase = region_base[{r, 6'd0} +: 64]; end endfunction
    function [63:0] rsize; input [2:0] r; begin rsize = region_size[{r, 6'd0} +: 64]; end endfunction
    reg [63:0] dsz_reg;
    reg [40:0] dend_reg;

    // ---- F's descriptor: decode and checks (mbn_desc_check), stepped by F_DEC1..F_DEC3B
    wire        reuse_i, reuse_w, f_fuse, f_chained;
    wire [`MBN_D_OUT_C_W-1:0]      out_c;
    wire [11:0] f_oc16;
    wire [`MBN_D_OUT_STRIDE_W-1:0] ostride;
    wire [`MBN_D_IN_OFFSET_W-1:0]  in_off;
    wire [`MBN_D_W_OFFSET_W-1:0]   w_off;
    wire [`MBN_D_Q_OFFSET_W-1:0]   q_off;
    wire [`MBN_D_OUT_OFFSET_W-1:0] out_off;
    // (the names the formal harness exposes: hw/formal/fv_ctrl.ys)
    wire [31:0] pin_reg, pout_reg, code_reg, coff_reg;
    wire [63:0] in_bytes_reg, wwords_reg, a_in_reg, a_w_reg, a_q_reg, a_out_reg,
                e_in_reg, e_w_reg, e_q_reg, e_out_reg;
    wire        f_ifull_reg, f_wfull_reg, f_ofull_reg;     // F's descriptor needs the whole buffer
    mbn_desc_check #(.LANES(LANES), .IBUF_WORDS(IBUF_WORDS), .WBUF_ROWS(WBUF_ROWS),
                     .OBUF_WORDS(OBUF_WORDS), .QBUF_ENTRIES(QBUF_ENTRIES)) u_chk (
        .clk(clk), .desc(desc_reg), .region_base(region_base), .region_size(region_size),
        .desc_off(doff_reg[31:0]),
        .step({state_reg == F_DEC3B, state_reg == F_DEC3, state_reg == F_DEC2B,
               state_reg == F_DEC2, state_reg == F_DEC1}),
        .reuse_i(reuse_i), .reuse_w(reuse_w), .fuse(f_fuse), .chained(f_chained), .out_c(out_c), .oc16(f_oc16),
        .ostride(ostride), .in_off(in_off), .w_off(w_off), .q_off(q_off), .out_off(out_off),
        .pin_reg(pin_reg), .pout_reg(pout_reg), .ib_ld_rw(ib_ld_rw),
        .in_bytes_reg(in_bytes_reg), .wwords_reg(wwords_reg),
        .a_in_reg(a_in_reg), .a_w_reg(a_w_reg), .a_q_reg(a_q_reg), .a_out_reg(a_out_reg),
        .e_in_reg(e_in_reg), .e_w_reg(e_w_reg), .e_q_reg(e_q_reg), .e_out_reg(e_out_reg),
        .ifull_reg(f_ifull_reg), .wfull_reg(f_wfull_reg), .ofull_reg(f_ofull_reg),
        .code_reg(code_reg), .coff_reg(coff_reg));

    // ---- C's descriptor: drives the engines (the same contract positions) ----------
    wire [`MBN_D_IN_C_W-1:0]     c_in_c     = `MBN_D_IN_C_OF(cd_reg);
    wire [`MBN_D_OUT_C_W-1:0]    c_out_c    = `MBN_D_OUT_C_OF(cd_reg);
    wire [`MBN_D_STRIDE_W-1:0]   c_stride   = `MBN_D_STRIDE_OF(cd_reg);
    wire [`MBN_D_PAD_LEFT_W-1:0] c_pad_left = `MBN_D_PAD_LEFT_OF(cd_reg);
    reg  [31:0] c_pin_reg;
    assign dw         = `MBN_D_OP_OF(cd_reg) == 4'd`MBN_OP_DW;
    assign c_fuse     = `MBN_D_FUSE_OF(cd_reg);
    wire [`MBN_D_OUT_OFFSET_W-1:0] c_out_off  = `MBN_D_OUT_OFFSET_OF(cd_reg);
    wire [`MBN_D_OUT_STRIDE_W-1:0] c_ostride  = `MBN_D_OUT_STRIDE_OF(cd_reg);
    assign c_obase    = c_out_off[15:4];    // a chained PW's offset is below 2^16 (checked)
    assign c_ostep    = c_ostride[15:4];
    assign round_mode = `MBN_D_ROUND_OF(cd_reg);
    assign in_rows    = `MBN_D_IN_ROWS_OF(cd_reg);
    assign in_w       = `MBN_D_IN_W_OF(cd_reg);
    assign jn         = c_in_c[15:4];       // 16-channel columns (in_c is a multiple of 16)
    assign oc16       = c_out_c[15:4];
    assign groups     = 12'((c_out_c + 16'(LANES - 1)) / 16'(LANES));   // the last may be partial
    assign pixels     = c_pin_reg;
    assign out_rows   = `MBN_D_OUT_ROWS_OF(cd_reg);
    assign out_w      = `MBN_D_OUT_W_OF(cd_reg);
    assign stride2    = c_stride == 4'd2;
    assign row_off    = `MBN_D_ROW_OFF_OF(cd_reg);
    assign pad_left   = c_pad_left[1:0];    // 0..2 (checked in decode)
    assign w_zp       = `MBN_D_W_ZP_OF(cd_reg);
    assign in_zp      = `MBN_D_IN_ZP_OF(cd_reg);
    assign out_zp     = `MBN_D_OUT_ZP_OF(cd_reg);
    assign act_min    = `MBN_D_ACT_MIN_OF(cd_reg);
    assign act_max    = `MBN_D_ACT_MAX_OF(cd_reg);

    // C's store fields, waiting beside cd_reg
    reg [31:0]  s_pend_npix, s_pend_idx, s_pend_off;
    reg [11:0]  s_pend_wpp;
    reg [15:0]  s_pend_stride;
    reg [ADDR_W-1:0] s_pend_addr;

    // ---- S's store -------------------------------------------------------------------
    reg [31:0]  s_npix_reg, s_idx_reg, s_off_reg;
    reg [11:0]  s_wpp_reg;
    reg [15:0]  s_stride_reg;
    assign wr_npix   = s_npix_reg;
    assign wr_wpp    = s_wpp_reg;
    assign wr_stride = s_stride_reg;

    // the descriptor fetch: region base + DESC_OFFSET + i*64
    wire [63:0] a_desc = rbase(dreg4) + {24'd0, doff_reg};

    // bits no field defines (d4[7:4], d6[31:16], d11[31:16]) are ignored (the kernel
    // refuses them: desc_check.h mbn_desc_check_strict); address bits above ADDR_W
    // dropped; the load sizes' bits beyond the DMA's 24-bit word count (the capacity
    // checks bound them) and below a word (in_c is a multiple of 16)
    wire unused_ok = &{1'b0, in_bytes_reg[63:28], in_bytes_reg[3:0], wwords_reg[63:24],
                       c_in_c[3:0], c_out_c[3:0], c_stride[3:2], c_pad_left[7:2], cd_reg[511:192],
                       cd_reg[31:11], cd_reg[9:6], cd_reg[135:132], c_out_off[31:16], c_out_off[3:0],
                       c_ostride[3:0]};

    // ---- buffer halves -----------------------------------------------------------------
    reg  f_i_full, f_w_full;                         // ... after reuse
    reg  c_i_full, c_w_full, c_o_full, s_o_full, s_fuse;
    reg  last_i_hi, last_i_full, last_w_hi, last_w_full, last_o_hi;
    wire c_v = cst_reg != C_IDLE;
    wire s_v = sst_reg != T_IDLE;
    wire i_slot = !(c_v && (c_i_full || f_i_full || ib_c_hi == ib_ld_hi));
    wire w_slot = !(c_v && (c_w_full || f_w_full || wq_c_hi == wq_ld_hi));
    wire o_slot = !(s_v && (s_o_full || c_o_full || ob_s_hi == ob_c_hi));

    // ---- DRAM order: a load must not overlap an output extent not yet stored ---------
    reg  [63:0] c_olo_reg, c_ohi_reg, s_olo_reg, s_ohi_reg;
    // extents registered in decode (F_FETCH: a_desc_reg, then e_desc_reg); the
    // comparison is registered too and a load issues in the 3rd cycle of its state
    // (the pending set only shrinks or moves from C to S meanwhile, so a stale "no
    // overlap" stays true)
    reg  [63:0] a_desc_reg, e_desc_reg;
    reg  [63:0] x_lo, x_hi;
    reg         haz_reg;
    reg  [1:0]  ldc_reg;                // cycles in the current F state (saturating)
    reg  [4:0]  fprev_reg;
    always @(*) begin
        case (state_reg)
        F_LDI:   begin x_lo = a_in_reg; x_hi = e_in_reg; end
        F_LDW:   begin x_lo = a_w_reg;  x_hi = e_w_reg;  end
        F_LDQ:   begin x_lo = a_q_reg;  x_hi = e_q_reg;  end
        default: begin x_lo = a_desc_reg; x_hi = e_desc_reg; end
        endcase
    end
    wire haz_n = (c_v && x_lo < c_ohi_reg && c_olo_reg < x_hi) ||
                 (s_v && x_lo < s_ohi_reg && s_olo_reg < x_hi);
    wire ld_go = fprev_reg == state_reg && ldc_reg == 2'd2 && !haz_reg;
    always @(posedge clk) begin
        haz_reg   <= haz_n;
        fprev_reg <= state_reg;
        ldc_reg   <= (fprev_reg != state_reg) ? 2'd0 : (ldc_reg == 2'd2) ? 2'd2 : ldc_reg + 2'd1;
    end

    wire c_busy = cst_reg == C_COMP || cst_reg == C_CWAIT || cst_reg == C_CDRN;
    assign rd_abort = state_reg == F_FLT || state_reg == F_DRAIN;
    assign wr_abort = state_reg == F_DRAIN;
    assign c_pw    = !dw && c_busy;
    assign c_dw    =  dw && c_busy;
    assign c_stall = busy && !c_busy &&
                     (state_reg == F_FETCH || state_reg == F_FWAIT || state_reg == F_LDI ||
                      state_reg == F_LDIW || state_reg == F_LDW || state_reg == F_LDWW ||
                      state_reg == F_LDQ || state_reg == F_LDQW || s_v);

    wire [2:0] dreg4 = dreg_reg[2:0];    // used only after the dreg_reg < 8 check
    wire       f_dw_f = `MBN_D_OP_OF(desc_reg) == 4'd`MBN_OP_DW;   // F's descriptor is a DW

    always @(posedge clk) begin
        rd_start  <= 1'b0;
        wr_start  <= 1'b0;
        cmp_start <= 1'b0;
        done_evt  <= 1'b0;
        fault_evt <= 1'b0;
        if (rst) begin
            state_reg <= F_IDLE; cst_reg <= C_IDLE; sst_reg <= T_IDLE;
            busy <= 1'b0; st_done <= 1'b0; st_fault <= 1'b0;
            fault_code <= 32'd0; fault_desc <= 32'd0; fault_off <= 32'd0; desc_done <= 32'd0;
            rd_dst <= 2'd0; faulted_reg <= 1'b0; err_fix_reg <= 1'b0;
            ib_ld_hi <= 1'b0; wq_ld_hi <= 1'b0; ib_c_hi <= 1'b0; wq_c_hi <= 1'b0;
            ob_c_hi <= 1'b0; ob_s_hi <= 1'b0; s_fuse <= 1'b0;
        end else begin
            // descriptor beats
            // (explicit demux: a variable part-select becomes a 512-bit shifter); a
            // 256-bit read brings word rd_idx + 1 too
            if (rd_beat && rd_dst == 2'd0 && state_reg == F_FWAIT) begin
                if (rd_idx[1:0] == 2'd0) desc_reg[127:0] <= rd_data;
                if (rd_idx[1:0] == 2'd1) desc_reg[255:128] <= rd_data;
                if (rd_idx[1:0] == 2'd2) desc_reg[383:256] <= rd_data;
                if (rd_idx[1:0] == 2'd3) desc_reg[511:384] <= rd_data;
                if (rd_beat2 && rd_idx[1:0] == 2'd3) desc_reg[127:0] <= rd_data2;
                if (rd_beat2 && rd_idx[1:0] == 2'd0) desc_reg[255:128] <= rd_data2;
                if (rd_beat2 && rd_idx[1:0] == 2'd1) desc_reg[383:256] <= rd_data2;
                if (rd_beat2 && rd_idx[1:0] == 2'd2) desc_reg[511:384] <= rd_data2;
            end

            // ================= C: compute =================
            case (cst_reg)
            C_OBW: if (o_slot || c_fuse) cst_reg <= C_COMP;
            C_COMP: begin
                cmp_start <= 1'b1;
                cst_reg <= C_CWAIT;
            end
            C_CWAIT: if (!cmp_start && cmp_done && !cmp_pipe_busy) begin
                drain_cnt_reg <= 5'd0;
                cst_reg <= C_CDRN;
            end
            C_CDRN: begin
                // requantizer latency (8) + OBUF write: wait it out
                drain_cnt_reg <= drain_cnt_reg + 5'd1;
                if (drain_cnt_reg == 5'd12) cst_reg <= C_HAND;
            end
            C_HAND: if (!s_v) begin
                // hand the result to S (the store's fields were kept beside cd_reg)
                sst_reg <= T_ST;
                s_olo_reg <= c_olo_reg; s_ohi_reg <= c_ohi_reg;
                s_o_full <= c_o_full; ob_s_hi <= ob_c_hi; s_fuse <= c_fuse;
                cst_reg <= C_IDLE;
            end
            default: ;
            endcase

            // ================= S: store =================
            case (sst_reg)
            T_ST: if (s_fuse) begin
                // fused: nothing to store (the output is in IBUF)
                desc_done <= desc_done + 32'd1;
                sst_reg   <= T_IDLE;
            end else begin
                wr_start <= 1'b1;
                sst_reg  <= T_STW;
            end
            T_STW: if (!wr_start) begin
                // (a write error: the override below)
                if (!wr_err && !wr_busy) begin
                    desc_done <= desc_done + 32'd1;
                    sst_reg <= T_IDLE;
                end
            end
            default: ;
            endcase

            // ================= F: fetch, check, load =================
            case (state_reg)
            F_IDLE: if (start) begin
                busy <= 1'b1; st_done <= 1'b0; st_fault <= 1'b0;
                fault_code <= 32'd0; fault_desc <= 32'd0; fault_off <= 32'd0; desc_done <= 32'd0;
                dreg_reg <= desc_region; doff_reg <= {8'd0, desc_offset};
                dcnt_reg <= desc_count; idx_reg <= 32'd0; faulted_reg <= 1'b0; err_fix_reg <= 1'b0;
                last_i_hi <= 1'b0; last_i_full <= 1'b0; last_w_hi <= 1'b0; last_w_full <= 1'b0;
                last_o_hi <= 1'b0;
                state_reg <= (desc_count == 32'd0) ? F_END : F_FCHK;
            end
            F_FCHK: begin
                // descriptor fetch extent: 64 bytes at DESC_OFFSET + i*64; the sum and
                // the region size are registered, compared in F_FCHK2 (timing)
                dend_reg   <= {1'b0, doff_reg} + 41'd64;
                dsz_reg    <= rsize(dreg4);
                a_desc_reg <= a_desc;
                state_reg  <= F_FCHK2;
            end
            F_FCHK2: begin
                if (dreg_reg >= 32'd8) begin
                    fault_code <= F_REGION; fault_desc <= idx_reg; fault_off <= doff_reg[31:0];
                    state_reg <= F_FLT;
                end else if (doff_reg[3:0] != 4'd0) begin
                    fault_code <= F_DESC; fault_desc <= idx_reg; fault_off <= doff_reg[31:0];
                    state_reg <= F_FLT;
                end else if ({24'd0, dend_reg} > {1'b0, dsz_reg}) begin
                    fault_code <= F_BOUNDS; fault_desc <= idx_reg; fault_off <= doff_reg[31:0];
                    state_reg <= F_FLT;
                end else begin
                    state_reg <= F_FETCH;
                end
            end
            F_FETCH: if (!ld_go) e_desc_reg <= a_desc_reg + 64'd64; else begin
                rd_start  <= 1'b1;
                rd_addr   <= a_desc_reg[ADDR_W-1:0];
                rd_nwords <= 24'd4;
                rd_dst    <= 2'd0;
                state_reg <= F_FWAIT;
            end
            // decode and checks: mbn_desc_check registers one stage in each
            F_DEC1:  state_reg <= F_DEC2;
            F_DEC2:  state_reg <= F_DEC2B;
            F_DEC2B: state_reg <= F_DEC3;
            F_DEC3:  state_reg <= F_DEC3B;
            F_DEC3B: state_reg <= F_DEC4;
            F_DEC4: begin
                if (code_reg != 32'd0) begin
                    fault_code <= code_reg; fault_desc <= idx_reg; fault_off <= coff_reg;
                    state_reg <= F_FLT;
                end else begin
                    // buffer halves: reuse keeps the previous descriptor's; a new load
                    // goes to the other half, or fills the whole buffer from 0
                    // a chained DW: the map in the half the chained PWs wrote (the
                    // other one; the checks keep its tile within a half)
                    f_i_full <= reuse_i ? last_i_full && !f_chained : f_ifull_reg;
                    ib_ld_hi <= reuse_i ? last_i_hi ^ f_chained : !f_ifull_reg && !last_i_hi;
                    f_w_full <= reuse_w ? last_w_full : f_wfull_reg;
                    wq_ld_hi <= reuse_w ? last_w_hi : !f_wfull_reg && !last_w_hi;
                    state_reg <= reuse_i ? (reuse_w ? F_HAND : F_LDW) : F_LDI;
                end
            end
            F_LDI: if (i_slot && ld_go) begin
                rd_start  <= 1'b1;
                rd_addr   <= a_in_reg[ADDR_W-1:0];
                rd_nwords <= in_bytes_reg[27:4];
                rd_dst    <= 2'd1;
                state_reg <= F_LDIW;
            end
            F_LDW: if (w_slot && ld_go) begin
                rd_start  <= 1'b1;
                rd_addr   <= a_w_reg[ADDR_W-1:0];
                rd_nwords <= wwords_reg[23:0];
                rd_dst    <= 2'd2;
                state_reg <= F_LDWW;
            end
            F_LDQ: if (w_slot && ld_go) begin
                rd_start  <= 1'b1;
                rd_addr   <= a_q_reg[ADDR_W-1:0];
                rd_nwords <= {8'd0, out_c};
                rd_dst    <= 2'd3;
                state_reg <= F_LDQW;
            end
            F_FWAIT, F_LDIW, F_LDWW, F_LDQW: if (!rd_start) begin
                if (rd_err) begin
                    fault_code <= F_AXI; fault_desc <= idx_reg;
                    fault_off <= (state_reg == F_FWAIT) ? doff_reg[31:0] :
                                 (state_reg == F_LDIW)  ? in_off :
                                 (state_reg == F_LDWW)  ? w_off : q_off;
                    err_add_reg <= {4'd0, rd_idx, 4'd0}; err_fix_reg <= 1'b1;
                    state_reg <= F_FLT;
                end else if (!rd_busy) begin
                    case (state_reg)
                    F_FWAIT: state_reg <= F_DEC1;
                    F_LDIW:  state_reg <= reuse_w ? F_HAND : F_LDW;
                    F_LDWW:  state_reg <= F_LDQ;
                    default: state_reg <= F_HAND;    // F_LDQW
                    endcase
                end
            end
            F_HAND: if (!c_v) begin
                // the descriptor moves to C, its store fields beside it
                cd_reg <= desc_reg; c_pin_reg <= pin_reg;
                // a fused DW or a chained PW: no output extent (no DRAM-order hazard),
                // no OBUF half; it holds all of IBUF while it computes (its input half,
                // and its output goes to the other one); the next reuse_input takes a
                // fused DW's output half, a chained PW's input half (the next chained
                // PW reads it too; the chained DW takes the other, F_DEC4)
                c_olo_reg <= f_fuse ? 64'd0 : a_out_reg; c_ohi_reg <= f_fuse ? 64'd0 : e_out_reg;
                c_i_full <= f_i_full || f_fuse; ib_c_hi <= ib_ld_hi;
                c_w_full <= f_w_full; wq_c_hi <= wq_ld_hi;
                c_o_full <= f_ofull_reg && !f_fuse;
                if (f_fuse) begin
                    ob_c_hi <= last_o_hi;
                end else begin
                    ob_c_hi   <= !f_ofull_reg && !last_o_hi;
                    last_o_hi <= !f_ofull_reg && !last_o_hi;
                end
                last_i_hi <= f_fuse && f_dw_f ? !ib_ld_hi : ib_ld_hi;
                last_i_full <= f_i_full && !(f_fuse && f_dw_f);
                last_w_hi <= wq_ld_hi; last_w_full <= f_w_full;
                cst_reg <= C_OBW;
                if (idx_reg + 32'd1 == dcnt_reg) begin
                    state_reg <= F_END;
                end else begin
                    idx_reg  <= idx_reg + 32'd1;
                    doff_reg <= doff_reg + 40'd64;
                    state_reg <= F_FCHK;
                end
            end
            F_END: if (!c_v && !s_v) begin
                busy <= 1'b0; st_done <= 1'b1; done_evt <= 1'b1;
                state_reg <= F_IDLE;
            end
            F_FLT: begin
                // this descriptor failed: the earlier ones in C and S complete first
                faulted_reg <= 1'b1;
                if (!c_v && !s_v) state_reg <= F_DRAIN;
            end
            F_DRAIN: if (err_fix_reg) begin
                fault_off   <= fault_off + err_add_reg;
                err_fix_reg <= 1'b0;
            end else if (!rd_busy && !wr_busy && !rd_start && !wr_start &&
                         !cmp_start && cmp_done && !cmp_pipe_busy) begin
                busy <= 1'b0;
                if (faulted_reg) begin
                    st_fault <= 1'b1; fault_evt <= 1'b1;
                end
                state_reg <= F_IDLE;
            end
            default: ;
            endcase

            // the store fields of the descriptor handed to C (F_HAND)
            if (state_reg == F_HAND && !c_v) begin
                s_pend_npix <= pout_reg; s_pend_wpp <= f_oc16; s_pend_stride <= ostride;
                s_pend_idx <= idx_reg; s_pend_off <= out_off; s_pend_addr <= a_out_reg[ADDR_W-1:0];
            end
            if (cst_reg == C_HAND && !s_v) begin
                s_npix_reg <= s_pend_npix; s_wpp_reg <= s_pend_wpp; s_stride_reg <= s_pend_stride;
                s_idx_reg <= s_pend_idx; s_off_reg <= s_pend_off; wr_addr <= s_pend_addr;
            end

            // a write fault: report at once (S's descriptor precedes every other). After
            // the F case, so that a fault F finds in the same cycle (a later descriptor's
            // check or read error) does not take its place in FAULT_*. The offset = base
            // + burst offset, added in the next cycle (F_DRAIN) to keep the adder off the
            // error path.
            if (sst_reg == T_STW && !wr_start && wr_err) begin
                fault_code <= F_AXI; fault_desc <= s_idx_reg;
                fault_off <= s_off_reg; err_add_reg <= wr_err_off; err_fix_reg <= 1'b1;
                faulted_reg <= 1'b1;
                cst_reg <= C_IDLE; sst_reg <= T_IDLE;
                state_reg <= F_DRAIN;
            end
            // CTRL.RESET: abort the job (drain, then idle, no DONE)
            if (abort && busy && state_reg != F_IDLE && state_reg != F_DRAIN) begin
                cst_reg <= C_IDLE; sst_reg <= T_IDLE;
                state_reg <= F_DRAIN;
            end
        end
    end
endmodule
`default_nettype wire
