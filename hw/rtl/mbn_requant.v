// SPDX-License-Identifier: Apache-2.0
// mbn_requant: one channel's requantizer, fully pipelined (one result per cycle,
// latency RQ_LAT = 8). Implements exactly docs/hw.md "Arithmetic" requant():
//   left = max(shift,0); right = min(max(-shift,0),31); x = acc << left (32-bit wrap)
//   h = SaturatingRoundingDoublingHighMul(x, mult)     (TFLite fixedpoint.h / gemmlowp)
//   round 0: RoundingDivideByPOT(h, right)              (half away from zero)
//   round 1: ((int64)h + ((1<<right)>>1)) >> right      (ruy x86: ties up)
//   round 2: ruy's arm64 kernels (sshl, sqdmulh, srshl): right = max(-shift, 1),
//            left = shift + right when shift >= 0; h = floor(x * mult / 2^31) (sqdmulh:
//            no rounding constant, INT32_MIN^2 saturates), then the ties-up shift
//   out = min(max(q + out_zp, act_min), act_max)   (TFLite: act_max if act_min > act_max)
// The 32x32 product is split in three partial products that each fit one DSP48E2's
// 27 x 18 signed multiplier, x = xh*2^26 + xl (xl 26 bits unsigned, xh 6 bits signed),
// m = mh*2^17 + ml (ml 17 bits unsigned, mh 15 bits signed):
//   x*m = xl*ml + xl*mh*2^17 + (m >> 5)*xh*2^31 + m[4:0]*xh*2^26
// the last (5 x 6 bits) as shift-and-add in LUTs (Yosys would give it a DSP of its
// own); no adder chain longer than 64 bits sits between two registers. (Four 17 x 17
// partial products before: one DSP48E2 more per lane.)
`default_nettype none
module mbn_requant (
    input  wire        clk,
    input  wire        rst,
    input  wire        in_valid,
    input  wire [31:0] acc,
    input  wire [31:0] mult,
    input  wire [31:0] shift,
    input  wire [1:0]  round_mode,   // descriptor d0[5:4] (3 faults in mbn_ctrl)
    input  wire [7:0]  out_zp,
    input  wire [7:0]  act_min,
    input  wire [7:0]  act_max,
    output wire        out_valid,
    output wire [7:0]  out_q
);
    reg [7:0] v_reg;                 // valid shift register, stage 1..8

    // ---- stage 1: left shift, right amount --------------------------------
    wire        sh_neg  = shift[31];
    wire [31:0] sh_negv = 32'd0 - shift;
    wire        single  = round_mode == 2'd2;
    // round 2 shifts right at least once: a shift >= 0 becomes left shift + 1, right 1
    wire [31:0] lsh     = single ? shift + 32'd1 : shift;
    wire [4:0]  right_n = (!sh_neg) ? {4'd0, single} : ((sh_negv > 32'd31) ? 5'd31 : sh_negv[4:0]);
    wire [31:0] x_n     = (sh_neg || lsh > 32'd31) ? ((sh_neg) ? acc : 32'd0) : (acc << lsh[4:0]);
    reg  [31:0] s1_x_reg, s1_m_reg;
    reg  [4:0]  s1_r_reg;

    // ---- stage 2: partial products ----------------------------------------
    wire signed [26:0] xl  = {1'b0, s1_x_reg[25:0]};
    wire signed [5:0]  xh  = s1_x_reg[31:26];
    wire signed [17:0] ml  = {1'b0, s1_m_reg[16:0]};
    wire signed [17:0] mh  = {{3{s1_m_reg[31]}}, s1_m_reg[31:17]};
    wire signed [26:0] m27 = s1_m_reg[31:5];
    wire signed [17:0] xh18 = {{12{xh[5]}}, xh};
    // m[4:0] * xh, 11 bits signed, by shift and add
    wire signed [10:0] xh11 = {{5{xh[5]}}, xh};
    wire signed [10:0] p4_n = (s1_m_reg[0] ? xh11 : 11'sd0) + (s1_m_reg[1] ? xh11 <<< 1 : 11'sd0) +
                              (s1_m_reg[2] ? xh11 <<< 2 : 11'sd0) + (s1_m_reg[3] ? xh11 <<< 3 : 11'sd0) +
                              (s1_m_reg[4] ? xh11 <<< 4 : 11'sd0);
    reg  signed [43:0] pp1_reg;          // xl * ml      (0 .. 2^43)
    reg  signed [41:0] pp2_reg;          // xl * mh      (|.| < 2^40)
    reg  signed [33:0] pp3_reg;          // (m >> 5) * xh (|.| <= 2^31)
    reg  signed [10:0] pp4_reg;          // m[4:0] * xh
    reg                s2_sat_reg;
    reg  [4:0]         s2_r_reg;

    // ---- stage 3: combine pp1 + pp4*2^26 + 2^30, pp2 + pp3*2^14 ----------------
    reg  signed [45:0] s3_a_reg;
    reg  signed [47:0] s3_b_reg;
    reg                s3_sat_reg;
    reg  [4:0]         s3_r_reg;
    wire signed [45:0] s3_a_n = 46'(pp1_reg) + (46'(pp4_reg) <<< 26) +
                                (rm2_reg == 2'd2 ? 46'sd0 : 46'sd1073741824);
    wire signed [47:0] s3_b_n = 48'(pp2_reg) + (48'(pp3_reg) <<< 14);

    // ---- stage 4: h = the product's bits 62..31 ---------------------------------
    wire signed [63:0] prod = 64'(s3_a_reg) + (64'(s3_b_reg) <<< 17);
    reg  signed [31:0] h_reg;
    reg  [4:0]         s4_r_reg;

    // ---- stage 5: both rounding modes' pieces ------------------------------
    wire [31:0] mask   = (32'd1 << s4_r_reg) - 32'd1;
    wire [31:0] rem    = h_reg & mask;
    wire [31:0] thr    = (mask >> 1) + {31'd0, h_reg[31]};
    wire signed [31:0] hs0 = h_reg >>> s4_r_reg;
    wire [31:0] half   = (32'd1 << s4_r_reg) >> 1;
    wire signed [32:0] hsum = {h_reg[31], h_reg} + {1'b0, half};
    reg  signed [31:0] s5_hs0_reg;
    reg                s5_up_reg;
    reg  signed [32:0] s5_hsum_reg;
    reg  [4:0]         s5_r_reg;

    // ---- stage 6: q ----------------------------------------------------------
    wire signed [32:0] hs1 = s5_hsum_reg >>> s5_r_reg;
    reg  signed [31:0] q_reg;

    // ---- stage 7: q + out_zp (wide) ------------------------------------------
    reg  signed [32:0] s7_v_reg;

    // ---- stage 8: clamp -------------------------------------------------------
    wire signed [32:0] amin = {25'd0, act_min};
    wire signed [32:0] amax = {25'd0, act_max};
    // TFLite's clamp is min(max(v, act_min), act_max): act_max whenever act_min > act_max
    // (static per descriptor, so off the data path's critical compare)
    wire act_inv = act_min > act_max;
    reg  [7:0] out_reg;
    reg  [1:0] rm1_reg, rm2_reg, rm3_reg, rm4_reg, rm5_reg;  // round_mode is static per descriptor,
                                                              // but travel it with the data anyway

    always @(posedge clk) begin
        // data path: no reset needed
        s1_x_reg  <= x_n;
        s1_m_reg  <= mult;
        s1_r_reg  <= right_n;
        rm1_reg   <= round_mode;

        pp1_reg <= 44'(xl * ml);
        pp2_reg <= 42'(xl * mh);
        pp3_reg <= 34'(m27 * xh18);
        pp4_reg <= p4_n;
        s2_sat_reg <= (s1_x_reg == 32'h8000_0000) && (s1_m_reg == 32'h8000_0000);
        s2_r_reg  <= s1_r_reg;
        rm2_reg   <= rm1_reg;

        s3_a_reg   <= s3_a_n;
        s3_b_reg   <= s3_b_n;
        s3_sat_reg <= s2_sat_reg;
        s3_r_reg   <= s2_r_reg;
        rm3_reg    <= rm2_reg;

        h_reg    <= s3_sat_reg ? 32'sh7fff_ffff : prod[62:31];
        s4_r_reg <= s3_r_reg;
        rm4_reg  <= rm3_reg;

        s5_hs0_reg  <= hs0;
        s5_up_reg   <= rem > thr;
        s5_hsum_reg <= hsum;
        s5_r_reg    <= s4_r_reg;
        rm5_reg     <= rm4_reg;

        q_reg <= rm5_reg != 2'd0 ? hs1[31:0] : (s5_hs0_reg + {31'd0, s5_up_reg});

        s7_v_reg <= {q_reg[31], q_reg} + {25'd0, out_zp};

        out_reg <= (act_inv || s7_v_reg > amax) ? act_max : (s7_v_reg < amin) ? act_min : s7_v_reg[7:0];

        if (rst) v_reg <= 8'd0;
        else     v_reg <= {v_reg[6:0], in_valid};
    end

    wire unused_ok = &{1'b0, prod[63], prod[30:0], hs1[32]};
    assign out_valid = v_reg[7];
    assign out_q     = out_reg;
endmodule
`default_nettype wire
