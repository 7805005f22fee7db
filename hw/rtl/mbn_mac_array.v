// SPDX-License-Identifier: Apache-2.0
// mbn_mac_array: the shared MAC array (LANES x 16 int8 MACs) and the int32
// accumulators. Owns the arithmetic of both engines from buffer data to
// accumulator: zero-point subtraction into 9-bit signed operands, LANES*16
// products in LANES*8 DSP48E2 (two per DSP, mbn_dsp2; docs/hw.md "Two MACs per
// DSP48E2") plus LANES for the depthwise ninth tap, a pipelined 16-term adder tree per
// lane, accumulation over the items of one output word (first/last), bias from QBUF.
//
// Pointwise (dw=0): every lane l sees the same IBUF word (one pixel, 16 input
//   channels) against its own WBUF word: dot_l = sum_i (x[i]-in_zp)*(w_l[i]-w_zp).
//   Lanes 2p and 2p+1 share x[i]-in_zp, so one DSP multiplies it by both raw weight
//   bytes; the w_zp term, w_zp * sum_i (x[i]-in_zp), is computed once for all lanes.
// Depthwise (dw=1): one item = one input column of NB = LANES/16 channel groups
//   (rows r0..r0+2 on read ports 0..2, NB words each: word g = channel group cg + g;
//   docs/hw.md "Depthwise on all lanes"). A column outside the tile, or a row outside
//   it, is replaced by in_zp bytes, so its taps contribute 0 (docs/hw.md: TFLite skips
//   padding). The two previous columns are kept in registers (the 3x3 window); on an
//   `emit` item, lane L = 16g + l = channel l of group cg + g forms all 9 taps at once:
//   term t = kh*3+kw: (win[kh][kw][g][l]-in_zp)*(w_{9g+t}[l]-w_zp), one product per DSP
//   (lanes share no operand): taps 0..7 on the pair's packed DSPs, tap 8 on one more.
//   Weight word 9g+t sits in WBUF lane (sel+9g+t)%LANES (see mbn_agen). Non-emit items
//   only shift the window and do not enter the arithmetic pipeline. The groups past J
//   of a last channel step compute garbage that is not written (mbnaccel_top).
//
// Timing: issue (addresses to the RAMs) -> S1 (RAM data) -> A1 operands (the DSPs'
// input registers) -> A2 products (P) -> A3 partial sums -> A4 dot -> A5
// accumulator/result. No stalls: one item per cycle; a result (LANES int32) every
// `last` item. QBUF is read with q_raddr (the A3 item's row) so its data lines up with A4
// (DW: row cg/NB holds the qparams of groups cg.. cg+NB-1, lane L's own entry).
`default_nettype none
module mbn_mac_array #(
    parameter LANES = 16,
    parameter OAW   = 12,            // OBUF address width
    parameter QAW   = 6,             // QBUF row address width
    parameter LB    = 4              // log2(LANES)
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
    input  wire [OAW-1:0]       iss_oaddr,
    input  wire                 dw,        // static during a descriptor
    input  wire [7:0]           in_zp,
    input  wire [7:0]           w_zp,
    // RAM data, one cycle after issue
    input  wire [3*NB*128-1:0]  ib_rdata,  // read port k word g at (k*NB + g)*128 (PW: port 0 word 0)
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
    localparam NB = LANES / 16;      // DW channel groups per item
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

    wire [LANES*128-1:0] qd = q_rdata;

    // depthwise weight word u = 9g + t: WBUF lane (s1_sel + u) % LANES
    wire [2*LANES*128-1:0] wdup = {wb_rdata, wb_rdata};
    wire [9*NB*128-1:0] wsel = wdup[s1_sel*128 +: 9*NB*128];

    // depthwise window: new column (padding -> in_zp bytes), two previous columns;
    // row k, group g at (k*NB + g)*128
    wire [NB*128-1:0] zpw = {(NB*16){in_zp}};
    wire [3*NB*128-1:0] col_new;
    reg  [3*NB*128-1:0] win0_reg, win1_reg;       // columns n-2, n-1
    genvar k;
    generate
        for (k = 0; k < 3; k = k + 1) begin : g_col
            assign col_new[k*NB*128 +: NB*128] = (s1_cv && s1_rv[k]) ? ib_rdata[k*NB*128 +: NB*128] : zpw;
        end
    endgenerate
    always @(posedge clk)
        if (s1_v && dw) begin
            win0_reg <= win1_reg;
            win1_reg <= col_new;
        end

    // ---- operands ----------------------------------------------------------------
    // PW: x'_i = IBUF byte i - in_zp, the same for every lane (the shared B operand of
    // every DSP of term i). Its sum over the word, times w_zp, is the shared correction
    // c_reg (A2): the DSPs multiply x' by the raw weight bytes, and
    //     sum_i x'_i * (w_i - w_zp) = sum_i x'_i * w_i - w_zp * sum_i x'_i.
    // DW: lane L = 16g + l, tap t: (window byte - in_zp) and (weight byte - w_zp).
    genvar l, i, t, p;
    // (arrays of narrow words, not wide vectors: Verilator simulates them much faster)
    wire [8:0] xp [0:15];
    wire [8:0] xd [0:LANES*9-1];               // [L*9 + t]
    wire [8:0] wd [0:LANES*9-1];
    generate
        for (i = 0; i < 16; i = i + 1) begin : g_xp
            assign xp[i] = {1'b0, ib_rdata[i*8 +: 8]} - {1'b0, in_zp};
        end
        for (l = 0; l < LANES; l = l + 1) begin : g_dwop
            for (t = 0; t < 9; t = t + 1) begin : g_tap
                // tap t: kh = t/3, kw = t%3; kw 0/1 from the window, 2 the new column
                localparam KH = t / 3, KW = t % 3, G = l / 16, C = l % 16;
                localparam WO = (KH * NB + G) * 128 + C * 8;
                wire [7:0] dcol = KW == 0 ? win0_reg[WO +: 8] :
                                  KW == 1 ? win1_reg[WO +: 8] :
                                            col_new[WO +: 8];
                assign xd[l*9+t] = {1'b0, dcol} - {1'b0, in_zp};
                assign wd[l*9+t] = {1'b0, wsel[(9*G+t)*128 + C*8 +: 8]} - {1'b0, w_zp};
            end
        end
    endgenerate

    // the shared PW correction: sum of the word's bytes (A1), then w_zp * sum x' (A2);
    // 0 in DW, whose DSPs get zero-point-adjusted weights
    reg  [11:0]        sx_reg;
    reg  signed [21:0] c_reg;
    wire [11:0] sx8 [0:7];                     // byte pairs
    generate
        for (i = 0; i < 8; i = i + 1) begin : g_sx8
            assign sx8[i] = 12'(ib_rdata[(2*i)*8 +: 8]) + 12'(ib_rdata[(2*i+1)*8 +: 8]);
        end
    endgenerate
    wire [11:0] sx_s1 = ((sx8[0] + sx8[1]) + (sx8[2] + sx8[3])) + ((sx8[4] + sx8[5]) + (sx8[6] + sx8[7]));
    wire signed [12:0] sxp = $signed({1'b0, sx_reg}) - $signed({1'b0, in_zp, 4'd0});   // sum x', 13 bits
    always @(posedge clk) begin
        sx_reg <= sx_s1;
        c_reg  <= dw ? 22'sd0 : 22'($signed({1'b0, w_zp}) * sxp);
    end

    // 4 products (18-bit signed fields) summed to 20 bits
    function automatic signed [19:0] sum4(input [17:0] a, input [17:0] b, input [17:0] c, input [17:0] d);
        sum4 = (20'($signed(a)) + 20'($signed(b))) + (20'($signed(c)) + 20'($signed(d)));
    endfunction

    // ---- lane pairs: two MACs per DSP48E2 (mbn_dsp2, docs/hw.md) -----------------------
    // PW: DSP i of pair p computes x'_i * w_{2p}[i] (low field) and x'_i * w_{2p+1}[i]
    //   (high field; + the low field's borrow, P[17], summed per lane as bc).
    // DW: DSPs 0..7 compute taps 0..7 of lane 2p, DSPs 8..15 taps 0..7 of lane 2p+1, in
    //   the low field (exact whatever the high operand); tap 8 of each lane has a DSP of
    //   its own (single product).
    // Timing: DSP input registers at A1, products (P) at A2, partial sums q at A3,
    // dot at A4, accumulator at A5.
    generate
        for (p = 0; p < LANES / 2; p = p + 1) begin : g_pair
            localparam LE = 2 * p, LO = 2 * p + 1;
            wire [17:0]      pa_v [0:15];            // low fields
            wire [17:0]      pb_v [0:15];            // high fields (P[35:18])
            wire [16*9-1:0]  unused_pb;              // P[44:36]: beyond the 18-bit products
            wire [15:0]      borrow;
            for (i = 0; i < 16; i = i + 1) begin : g_term
                localparam DL = i < 8 ? LE : LO, DT = i % 8;
                wire [8:0] bx = dw ? xd[DL*9+DT] : xp[i];
                wire [8:0] da = dw ? wd[DL*9+DT] : {1'b0, wb_rdata[LE*128 + i*8 +: 8]};
                wire [26:0] pb;
                mbn_dsp2 u_dsp (.clk(clk), .ce(1'b1), .x(bx), .wa(da), .wb(wb_rdata[LO*128 + i*8 +: 8]),
                                .pa(pa_v[i]), .pb(pb));
                assign pb_v[i] = pb[17:0];
                assign unused_pb[i*9 +: 9] = pb[26:18];
                assign borrow[i] = pa_v[i][17];
            end
            wire unused_hi = &{1'b0, unused_pb};

            // tap 8 of lanes 2p and 2p+1 (DW)
            wire [17:0] e_e, e_o;
            wire [26:0] unused_e, unused_o;
            mbn_dsp2 u_e (.clk(clk), .ce(1'b1), .x(xd[LE*9+8]), .wa(wd[LE*9+8]),
                          .wb(8'd0), .pa(e_e), .pb(unused_e));
            mbn_dsp2 u_o (.clk(clk), .ce(1'b1), .x(xd[LO*9+8]), .wa(wd[LO*9+8]),
                          .wb(8'd0), .pa(e_o), .pb(unused_o));
            wire unused_t8 = &{1'b0, unused_e, unused_o};

            // A3: four partial sums per lane (DW: taps 0..3, 4..7, 8, 0)
            wire [4:0] bc = 5'(borrow[0]) + 5'(borrow[1]) + 5'(borrow[2]) + 5'(borrow[3]) +
                            5'(borrow[4]) + 5'(borrow[5]) + 5'(borrow[6]) + 5'(borrow[7]) +
                            5'(borrow[8]) + 5'(borrow[9]) + 5'(borrow[10]) + 5'(borrow[11]) +
                            5'(borrow[12]) + 5'(borrow[13]) + 5'(borrow[14]) + 5'(borrow[15]);
            wire signed [19:0] la0 = sum4(pa_v[0], pa_v[1], pa_v[2], pa_v[3]);
            wire signed [19:0] la1 = sum4(pa_v[4], pa_v[5], pa_v[6], pa_v[7]);
            wire signed [19:0] la2 = sum4(pa_v[8], pa_v[9], pa_v[10], pa_v[11]);
            wire signed [19:0] la3 = sum4(pa_v[12], pa_v[13], pa_v[14], pa_v[15]);
            wire signed [19:0] hb0 = sum4(pb_v[0], pb_v[1], pb_v[2], pb_v[3]);
            wire signed [19:0] hb1 = sum4(pb_v[4], pb_v[5], pb_v[6], pb_v[7]);
            wire signed [19:0] hb2 = sum4(pb_v[8], pb_v[9], pb_v[10], pb_v[11]);
            wire signed [19:0] hb3 = sum4(pb_v[12], pb_v[13], pb_v[14], pb_v[15]);
            reg  signed [21:0] qe_reg [0:3];
            reg  signed [21:0] qo_reg [0:3];
            always @(posedge clk) begin
                qe_reg[0] <= 22'(la0);
                qe_reg[1] <= 22'(la1);
                qe_reg[2] <= dw ? 22'($signed(e_e)) : 22'(la2);
                qe_reg[3] <= dw ? 22'sd0 : 22'(la3) - c_reg;
                qo_reg[0] <= dw ? 22'(la2) : 22'(hb0);
                qo_reg[1] <= dw ? 22'(la3) : 22'(hb1);
                qo_reg[2] <= dw ? 22'($signed(e_o)) : 22'(hb2);
                qo_reg[3] <= dw ? 22'sd0 : (22'(hb3) + 22'(bc)) - c_reg;
            end

            // A4: dot; A5: accumulator and result, per lane
            for (l = 0; l < 2; l = l + 1) begin : g_lane
                localparam L = 2 * p + l;
                reg  signed [21:0] dot_reg;
                reg  signed [31:0] acc_reg;
                wire signed [31:0] bias = qd[L*128 +: 32];
                wire unused_q = &{1'b0, qd[L*128 + 96 +: 32]};   // entry word 3: reserved 0
                wire signed [31:0] acc_next = (a4_f ? bias : acc_reg) + {{10{dot_reg[21]}}, dot_reg};
                always @(posedge clk) begin
                    if (l == 0) dot_reg <= (qe_reg[0] + qe_reg[1]) + (qe_reg[2] + qe_reg[3]);
                    else        dot_reg <= (qo_reg[0] + qo_reg[1]) + (qo_reg[2] + qo_reg[3]);
                    if (a4_v) acc_reg <= acc_next;
                    if (a4_v && a4_l) begin
                        res_acc[L*32 +: 32]   <= acc_next;
                        res_mult[L*32 +: 32]  <= qd[L*128 + 32 +: 32];
                        res_shift[L*32 +: 32] <= qd[L*128 + 64 +: 32];
                    end
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
