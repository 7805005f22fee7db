// SPDX-License-Identifier: Apache-2.0
// mbn_mac_array: the shared MAC array (LANES x 16 int8 MACs) and the int32
// accumulators. Owns the arithmetic of both engines from buffer data to
// accumulator: zero-point subtraction into 9-bit signed operands, LANES*16
// products, a pipelined 16-term adder tree per lane, accumulation over the items
// of one output word (first/last), bias from QBUF.
//
// Pointwise (dw=0): every lane l sees the same IBUF word (one pixel, 16 input
//   channels) against its own WBUF word: dot_l = sum_i (x[i]-in_zp)*(w_l[i]-w_zp).
// Depthwise (dw=1): one item = one input column (3 IBUF words, rows r0..r0+2, one
//   per IBUF copy). A column outside the tile, or a row outside it, is replaced by
//   in_zp bytes, so its taps contribute 0 (docs/hw.md: TFLite skips padding). The
//   two previous columns are kept in registers (the 3x3 window); on an `emit`
//   item, lane l = channel l of the channel group forms all 9 taps at once:
//   term t = kh*3+kw: (win[kh][kw][l]-in_zp)*(w_t[l]-w_zp), terms 9..15 are 0.
//   Weight word t sits in WBUF lane (sel+t)%LANES (see mbn_agen). Non-emit items only
//   shift the window and do not enter the arithmetic pipeline. With LANES > 16 only
//   lanes 0..15 compute (their qparams are QBUF lanes 16*qsel..16*qsel+15); the
//   results of lanes 16..LANES-1 are not written (mbnaccel_top).
//
// Timing: issue (addresses to the RAMs) -> S1 (RAM data) -> A1 operands ->
// A2 products -> A3 16->4 partial sums -> A4 dot -> A5 accumulator/result.
// No stalls: one item per cycle; a result (LANES int32) every `last` item.
// QBUF is read with q_raddr (the A3 item's row) so its data lines up with A4.
`default_nettype none
module mbn_mac_array #(
    parameter LANES = 16,
    parameter OAW   = 12,            // OBUF address width
    parameter QAW   = 6,             // QBUF row address width
    parameter LB    = 4,             // log2(LANES)
    parameter QSW   = 1              // width of iss_qsel (LB - 4, at least 1)
) (
    input  wire                 clk,
    input  wire                 rst,
    // item, at issue time (RAM addresses presented in this cycle)
    input  wire                 iss_valid,
    input  wire                 iss_first,
    input  wire                 iss_last,
    input  wire                 iss_emit,
    input  wire [2:0]           iss_rv,
    input  wire                 iss_cv,
    input  wire [LB-1:0]        iss_sel,
    input  wire [QAW-1:0]       iss_qrow,
    input  wire [QSW-1:0]       iss_qsel,  // DW, LANES > 16: QBUF lane group of lanes 0..15
    input  wire [OAW-1:0]       iss_oaddr,
    input  wire                 dw,        // static during a descriptor
    input  wire [7:0]           in_zp,
    input  wire [7:0]           w_zp,
    // RAM data, one cycle after issue
    input  wire [3*128-1:0]     ib_rdata,  // IBUF copies 0..2 (PW uses copy 0)
    input  wire [LANES*128-1:0] wb_rdata,
    // QBUF
    output wire [QAW-1:0]       q_raddr,
    input  wire [LANES*128-1:0] q_rdata,   // per lane {0, shift, mult, bias}
    // result
    output reg                  res_valid,
    output reg  [LANES*32-1:0]  res_acc,
    output reg  [LANES*32-1:0]  res_mult,
    output reg  [LANES*32-1:0]  res_shift,
    output reg  [OAW-1:0]       res_oaddr,
    output wire                 busy
);
    // ---- sideband pipeline -------------------------------------------------
    reg s1_v, a1_v, a2_v, a3_v, a4_v;
    reg s1_f, a1_f, a2_f, a3_f, a4_f;
    reg s1_l, a1_l, a2_l, a3_l, a4_l;
    reg s1_e, s1_cv;
    reg [2:0] s1_rv;
    reg [LB-1:0] s1_sel;
    reg [QAW-1:0] s1_q, a1_q, a2_q, a3_q;
    reg [OAW-1:0] s1_o, a1_o, a2_o, a3_o, a4_o;

    always @(posedge clk) begin
        if (rst) begin
            s1_v <= 1'b0; a1_v <= 1'b0; a2_v <= 1'b0; a3_v <= 1'b0; a4_v <= 1'b0;
        end else begin
            s1_v <= iss_valid; a1_v <= s1_v & s1_e; a2_v <= a1_v; a3_v <= a2_v; a4_v <= a3_v;
        end
        s1_f <= iss_first; a1_f <= s1_f; a2_f <= a1_f; a3_f <= a2_f; a4_f <= a3_f;
        s1_l <= iss_last;  a1_l <= s1_l; a2_l <= a1_l; a3_l <= a2_l; a4_l <= a3_l;
        s1_e <= iss_emit; s1_cv <= iss_cv; s1_rv <= iss_rv; s1_sel <= iss_sel;
        s1_q <= iss_qrow;  a1_q <= s1_q; a2_q <= a1_q; a3_q <= a2_q;
        s1_o <= iss_oaddr; a1_o <= s1_o; a2_o <= a1_o; a3_o <= a2_o; a4_o <= a3_o;
    end
    assign q_raddr = a3_q;
    assign busy = s1_v | a1_v | a2_v | a3_v | a4_v | res_valid;

    // DW qparams with LANES > 16: lanes 0..15 take QBUF lanes 16*qsel.. (row cg/NB)
    wire [LANES*128-1:0] qd;
    generate
        if (LANES > 16) begin : g_qsel
            reg [QSW-1:0] s1_qs, a1_qs, a2_qs, a3_qs, a4_qs;
            always @(posedge clk) begin
                s1_qs <= iss_qsel; a1_qs <= s1_qs; a2_qs <= a1_qs; a3_qs <= a2_qs; a4_qs <= a3_qs;
            end
            wire [16*128-1:0] q_grp = q_rdata[a4_qs*(16*128) +: 16*128];
            assign qd = {q_rdata[LANES*128-1:16*128], dw ? q_grp : q_rdata[16*128-1:0]};
        end else begin : g_qsel0
            wire unused_qsel = &{1'b0, iss_qsel};
            assign qd = q_rdata;
        end
    endgenerate

    // depthwise weight word t: WBUF lane (s1_sel + t) % LANES
    wire [2*LANES*128-1:0] wdup = {wb_rdata, wb_rdata};
    wire [9*128-1:0] wsel = wdup[s1_sel*128 +: 9*128];

    // depthwise window: new column (padding -> in_zp bytes), two previous columns
    wire [127:0] zp16 = {16{in_zp}};
    wire [3*128-1:0] col_new;
    reg  [3*128-1:0] win0_reg, win1_reg;          // columns n-2, n-1
    genvar k;
    generate
        for (k = 0; k < 3; k = k + 1) begin : g_col
            assign col_new[k*128 +: 128] = (s1_cv && s1_rv[k]) ? ib_rdata[k*128 +: 128] : zp16;
        end
    endgenerate
    always @(posedge clk)
        if (s1_v && dw) begin
            win0_reg <= win1_reg;
            win1_reg <= col_new;
        end

    genvar l, i;
    generate
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            reg  signed [8:0]  a_reg [0:15];
            reg  signed [8:0]  b_reg [0:15];
            reg  signed [17:0] p_reg [0:15];
            reg  signed [19:0] ps_reg [0:3];
            reg  signed [21:0] dot_reg;
            reg  signed [31:0] acc_reg;

            for (i = 0; i < 16; i = i + 1) begin : g_term
                // 9-bit signed operands: (x - zp) with x, zp uint8
                // DW term i < 9: kh = i/3, kw = i%3; kw 0/1 from the window, 2 the new column
                localparam KH = (i % 9) / 3, KW = (i % 9) % 3;
                wire [7:0] dcol = KW == 0 ? win0_reg[KH*128 + (l % 16)*8 +: 8] :
                                  KW == 1 ? win1_reg[KH*128 + (l % 16)*8 +: 8] :
                                            col_new[KH*128 + (l % 16)*8 +: 8];
                wire [8:0] xa  = {1'b0, ib_rdata[i*8 +: 8]} - {1'b0, in_zp};
                wire [8:0] xd  = {1'b0, dcol} - {1'b0, in_zp};
                wire [8:0] wp  = {1'b0, wb_rdata[l*128 + i*8 +: 8]} - {1'b0, w_zp};
                wire [8:0] wd  = {1'b0, wsel[(i % 9)*128 + (l % 16)*8 +: 8]} - {1'b0, w_zp};
                always @(posedge clk) begin
                    if (!dw) begin
                        a_reg[i] <= xa;
                        b_reg[i] <= wp;
                    end else if (i < 9) begin
                        a_reg[i] <= xd;
                        b_reg[i] <= wd;
                    end else begin
                        a_reg[i] <= 9'd0;
                        b_reg[i] <= 9'd0;
                    end
                    p_reg[i] <= a_reg[i] * b_reg[i];
                end
            end
            for (i = 0; i < 4; i = i + 1) begin : g_ps
                always @(posedge clk)
                    ps_reg[i] <= (20'(p_reg[4*i]) + 20'(p_reg[4*i+1])) + (20'(p_reg[4*i+2]) + 20'(p_reg[4*i+3]));
            end

            wire signed [31:0] bias = qd[l*128 +: 32];
            wire unused_q = &{1'b0, qd[l*128 + 96 +: 32]};   // entry word 3: reserved 0
            wire signed [31:0] acc_next = (a4_f ? bias : acc_reg) + {{10{dot_reg[21]}}, dot_reg};
            always @(posedge clk) begin
                dot_reg <= (22'(ps_reg[0]) + 22'(ps_reg[1])) + (22'(ps_reg[2]) + 22'(ps_reg[3]));
                if (a4_v) acc_reg <= acc_next;
                if (a4_v && a4_l) begin
                    res_acc[l*32 +: 32]   <= acc_next;
                    res_mult[l*32 +: 32]  <= qd[l*128 + 32 +: 32];
                    res_shift[l*32 +: 32] <= qd[l*128 + 64 +: 32];
                end
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) res_valid <= 1'b0;
        else     res_valid <= a4_v & a4_l;
        if (a4_v && a4_l) res_oaddr <= a4_o;
    end
endmodule
`default_nettype wire
