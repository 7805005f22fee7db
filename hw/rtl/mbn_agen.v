// SPDX-License-Identifier: Apache-2.0
// mbn_agen: compute-phase address generator for both engines. Owns the loop
// nests; issues one item per cycle (no stalls) to the buffers and mbn_mac_array.
//
// IBUF (docs/hw.md "IBUF row banks"): three banks; row r of a tile, word x is bank
// r mod 3, address floor(r/3)*W + x (relative to the half). A DW input row is an
// image row (W = in_w*J), a PW input row, and a fused DW's output row, one pixel
// (W = J). `iss_rot` = bank of read port 0; port k reads bank (iss_rot + k) mod 3.
// PW  (docs/hw.md "Arithmetic, PW"): for g < ceil(out_c/LANES), p < pixels, j < in_c/16:
//   IBUF row p word j (port 0), WBUF row g*J + j (all lanes), QBUF row g,
//   result -> OBUF words p*(out_c/16) + g*NB .. +NB-1 (NB = LANES/16 words; iss_oaddr
//   is the first, its bit OAW flags the last group, which holds only the words below
//   out_c/16 when out_c is not a multiple of LANES: mbnaccel_top writes those);
//   chained (`fuse` on a PW, docs/hw.md "Chaining"): IBUF instead, pixel p = y*in_w +
//   x, words g*NB.. of the map (ostep words per pixel, from word obase): bank y mod 3,
//   address floor(y/3)*in_w*ostep + x*ostep + obase + g*NB, kept as counters
// DW  (docs/hw.md "Depthwise on all lanes"): for cg = 0, NB, 2NB.. < J (NB channel
//   groups at once, lanes 16g.. = group cg + g; the last step holds J - cg < NB of them
//   when J is not a multiple of NB), oy < out_rows, column n < NC:
//   one input column per cycle: c = n - pad_left, rows r0..r0+2 (r0 = oy*stride +
//   row_off), IBUF row r words c*J + cg .. + NB-1 on read port kh (one bank per window
//   row; mbnaccel_top reads the NB words from its sub-banks at once);
//   a row or column outside the tile is flagged (contributes 0).
//   NC = (out_w-1)*stride + 3. Column n completes the 3x3 window of output
//   ox = (n-2)/stride when n >= 2 (and n even for stride 2): `emit`.
//   Weights k = cg*9 + t, t < 9*NB: WBUF lane m row k0/LANES + (m < k0%LANES), k0 = 9cg
//   (all 9*NB in one read: `wb_raddr` = k0/LANES, `iss_sel` = k0%LANES), QBUF row
//   cg/NB (all LANES entries), result -> OBUF words (oy*out_w + ox)*J + cg ..; fused
//   (`fuse`): IBUF row oy*out_w + ox words cg.. instead.
// iss_oaddr = {last, bank, address}: `last` flags the last PW group / DW channel step
//   (its words beyond out_c/16 resp. J are not written when that is not a multiple of
//   NB: mbnaccel_top), bank = the IBUF bank of a fused DW or chained PW (else 0).
// All addresses are kept incrementally: no multiplier in the issue loop.
`default_nettype none
module mbn_agen #(
    parameter IAW = 13,              // IBUF address width
    parameter WAW = 9,               // WBUF row address width
    parameter QAW = 6,
    parameter OAW = 12,
    parameter LB  = 4                // log2(LANES), LANES >= 16
) (
    input  wire            clk,
    input  wire            rst,
    input  wire            start,
    input  wire            dw,
    input  wire            fuse,        // DW or PW output to IBUF (iss_oaddr = {bank, IBUF address})
    input  wire [11:0]     obase,       // chained PW: first word in each pixel of the map
    input  wire [11:0]     ostep,       // chained PW: words per pixel of the map
    input  wire [15:0]     in_rows,
    input  wire [15:0]     in_w,
    input  wire [11:0]     jn,          // in_c / 16
    input  wire [11:0]     oc16,        // out_c / 16 (PW)
    input  wire [11:0]     groups,      // out_c / LANES (PW)
    input  wire [31:0]     pixels,      // PW: in_rows*in_w
    input  wire [15:0]     out_rows,
    input  wire [15:0]     out_w,
    input  wire            stride2,
    input  wire [7:0]      row_off,     // signed
    input  wire [1:0]      pad_left,
    output wire            iss_valid,
    output wire            iss_emit,     // PW: 1; DW: this column completes an output
    output wire            iss_first,
    output wire            iss_last,
    output wire [2:0]      iss_rv,       // DW: window row kh inside the tile
    output wire            iss_cv,       // DW: column inside the tile
    output wire [LB-1:0]   iss_sel,
    output wire [IAW-1:0]  ib_raddr,     // IBUF read port 0 (PW; DW row r0), in its bank
    output wire [IAW-1:0]  ib_raddr1,    // DW row r0+1
    output wire [IAW-1:0]  ib_raddr2,    // DW row r0+2
    output wire [1:0]      iss_rot,      // bank of port 0
    output wire [WAW-1:0]  wb_raddr,
    output wire [QAW-1:0]  iss_qrow,
    output wire [OAW+2:0]  iss_oaddr,
    output wire            done          // level: idle and all items issued
);
    localparam NB  = 1 << (LB - 4);  // words per result: PW groups' / DW channel groups per step
    localparam [31:0] NB32 = NB;
    localparam [11:0] NB12 = NB;
    localparam S_IDLE = 3'd0, S_SET1 = 3'd1, S_SET2 = 3'd2, S_SET3 = 3'd3, S_RUN = 3'd4;
    reg [2:0] state_reg;

    // shared counters
    reg [11:0] j_reg;               // PW j / DW cg
    reg [11:0] g_reg;               // PW group
    reg [31:0] p_reg;               // PW pixel
    reg [31:0] ia_reg;              // PW IBUF address / DW row r0 column address (signed)
    reg [31:0] wrow_reg;            // PW g*J / DW k0 = cg*9
    reg [31:0] oa_reg;              // OBUF address of the current output word
    reg [31:0] oa_base_reg;         // PW: g + p*oc16 at p=0
    reg        lg_reg;              // PW: g is the last group; DW: cg is the last step
    // row-bank state: PW pixel p mod 3 and row base floor(p/3)*J; DW r0 mod 3 (and
    // its value at oy = 0); fused output pixel mod 3 and floor(pix/3)*J + cg
    reg [1:0]  pm_reg, m0_reg, minit_reg, fm_reg;
    reg [31:0] pb_reg, fa_reg;
    reg signed [8:0] fl_reg;        // floor(row_off / 3)
    // chained PW: column x of pixel p, IBUF address of (y, x = 0) + group word, and
    // obase + g (fm_reg = y mod 3, fa_reg = the address of pixel p)
    reg [15:0] fx_reg;
    reg [31:0] frow_reg, fg_reg;
    // DW state
    reg [15:0] oy_reg, n_reg, nc_m1_reg;
    reg signed [17:0] r0_reg, c_reg;
    reg [31:0] rw_reg;              // in_w * J: words per input row
    reg [31:0] init_reg;            // row_off*RW - pad_left*J
    reg [31:0] ia1_reg, ia2_reg;    // rows r0+1, r0+2 of the current column
    reg [31:0] rb0_reg, rb1_reg, rb2_reg;   // column -pad_left of rows r0, r0+1, r0+2
    reg [31:0] cb0_reg, cb1_reg, cb2_reg;   // the same at oy = 0 of channel group cg

    wire [31:0] j32  = {20'd0, jn};
    // PW: the last pixel's index, registered at S_SET1 (pixels is static from then on):
    // the subtraction's carry chain off the per-item compare (32 lanes' longest path)
    reg  [31:0] pix_m1_reg;
    wire signed [17:0] sstep = stride2 ? 18'sd2 : 18'sd1;
    wire signed [17:0] c_init = -$signed({16'd0, pad_left});
    wire signed [17:0] r_init = {{10{row_off[7]}}, row_off};
    wire signed [17:0] rows_s = $signed({2'd0, in_rows});

    wire signed [17:0] r1 = r0_reg + 18'sd1, r2 = r0_reg + 18'sd2;
    wire cv   = c_reg >= 0 && c_reg < $signed({2'd0, in_w});
    wire emit = n_reg >= 16'd2 && (!stride2 || !n_reg[0]);
    // floor(row_off/3) without a divider: x = row_off + 129 in [1, 256], x/3 = x*171 >> 9
    // (exact for x < 512), and 129 = 3*43
    wire [8:0]  ro_x  = 9'({row_off[7], row_off} + 9'sd129);
    wire [16:0] ro_p  = ro_x * 9'd171;
    wire [7:0]  ro_q  = ro_p[16:9];
    wire        unused_ok = &{1'b0, ro_p[8:0]};   // the fraction of x*171/512
    wire [1:0]  m1    = m0_reg == 2'd2 ? 2'd0 : m0_reg + 2'd1;    // banks of ports 1, 2
    wire [1:0]  m2    = m0_reg == 2'd0 ? 2'd2 : m0_reg - 2'd1;
    // a row step moves port k to the next bank row when its bank wraps
    wire wrap0 = stride2 ? m0_reg != 2'd0 : m0_reg == 2'd2;
    wire wrap1 = stride2 ? m1 != 2'd0 : m1 == 2'd2;
    wire wrap2 = stride2 ? m2 != 2'd0 : m2 == 2'd2;
    wire [1:0] m0_next = stride2 ? m2 : m1;

    wire run = (state_reg == S_RUN);

    assign iss_valid = run;
    assign iss_emit  = !dw || emit;
    assign iss_first = dw || (j_reg == 12'd0);
    assign iss_last  = dw || (j_reg == jn - 12'd1);
    assign iss_rv    = {r2 >= 0 && r2 < rows_s, r1 >= 0 && r1 < rows_s, r0_reg >= 0 && r0_reg < rows_s};
    assign iss_cv    = cv;
    assign iss_sel   = wrow_reg[LB-1:0];
    assign ib_raddr  = ia_reg[IAW-1:0];
    assign ib_raddr1 = ia1_reg[IAW-1:0];
    assign ib_raddr2 = ia2_reg[IAW-1:0];
    assign wb_raddr  = dw ? wrow_reg[WAW+LB-1:LB] : (wrow_reg[WAW-1:0] + j_reg[WAW-1:0]);
    assign iss_qrow  = dw ? j_reg[LB-4 +: QAW] : g_reg[QAW-1:0];
    assign iss_rot   = dw ? m0_reg : pm_reg;
    assign iss_oaddr = {lg_reg, fuse ? fm_reg : 2'd0, fuse ? fa_reg[OAW-1:0] : oa_reg[OAW-1:0]};
    assign done      = (state_reg == S_IDLE) && !start;

    always @(posedge clk) begin
        if (rst) begin
            state_reg <= S_IDLE;
        end else begin
            case (state_reg)
            S_IDLE: if (start) state_reg <= S_SET1;
            S_SET1: state_reg <= S_SET2;
            S_SET2: state_reg <= S_SET3;
            S_SET3: state_reg <= S_RUN;
            default: ;
            endcase
        end

        case (state_reg)
        S_IDLE: begin
            j_reg <= 12'd0; g_reg <= 12'd0; p_reg <= 32'd0;
            oy_reg <= 16'd0; n_reg <= 16'd0;
            wrow_reg <= 32'd0; oa_reg <= 32'd0; oa_base_reg <= 32'd0;
            lg_reg <= dw ? jn <= NB12 : groups == 12'd1;
            ia_reg <= 32'd0;
            r0_reg <= r_init; c_reg <= c_init;
            pm_reg <= 2'd0; pb_reg <= 32'd0; fm_reg <= 2'd0;
            fa_reg <= dw ? 32'd0 : {20'd0, obase};
            fx_reg <= 16'd0; frow_reg <= {20'd0, obase}; fg_reg <= {20'd0, obase};
        end
        S_SET1: begin
            rw_reg <= {16'd0, in_w} * j32;
            pix_m1_reg <= pixels - 32'd1;
            fl_reg <= $signed({1'b0, ro_q}) - 9'sd43;
            minit_reg <= 2'(ro_x - {1'b0, ro_q} * 9'd3);
            nc_m1_reg <= (stride2 ? {out_w[14:0], 1'b0} : out_w) + (stride2 ? 16'd0 : 16'd1);
        end
        S_SET2: begin
            // bank row of r0 = floor(row_off/3); rows r0+1, r0+2 one bank row further
            // when they wrap past bank 2
            init_reg <= $signed({{23{fl_reg[8]}}, fl_reg}) * $signed(rw_reg)
                        - (pad_left == 2'd2 ? {j32[30:0], 1'b0} : pad_left == 2'd1 ? j32 : 32'd0);
            m0_reg <= minit_reg;
        end
        S_SET3: begin
            if (dw) begin
                ia_reg  <= init_reg; rb0_reg <= init_reg; cb0_reg <= init_reg;
                ia1_reg <= init_reg + (minit_reg == 2'd2 ? rw_reg : 32'd0);
                rb1_reg <= init_reg + (minit_reg == 2'd2 ? rw_reg : 32'd0);
                cb1_reg <= init_reg + (minit_reg == 2'd2 ? rw_reg : 32'd0);
                ia2_reg <= init_reg + (minit_reg != 2'd0 ? rw_reg : 32'd0);
                rb2_reg <= init_reg + (minit_reg != 2'd0 ? rw_reg : 32'd0);
                cb2_reg <= init_reg + (minit_reg != 2'd0 ? rw_reg : 32'd0);
            end
        end
        default: ;
        endcase

        if (!rst && run) begin
            if (!dw) begin
                // ---------------- pointwise ----------------
                ia_reg <= ia_reg + 32'd1;
                if (j_reg != jn - 12'd1) begin
                    j_reg <= j_reg + 12'd1;
                end else begin
                    j_reg <= 12'd0;
                    if (p_reg != pix_m1_reg) begin
                        p_reg  <= p_reg + 32'd1;
                        oa_reg <= oa_reg + {20'd0, oc16};
                        // next pixel: next bank, the same bank row unless bank 2 wraps
                        pm_reg <= pm_reg == 2'd2 ? 2'd0 : pm_reg + 2'd1;
                        pb_reg <= pm_reg == 2'd2 ? pb_reg + j32 : pb_reg;
                        ia_reg <= pm_reg == 2'd2 ? pb_reg + j32 : pb_reg;
                        // chained: the next column; after the last one the next row,
                        // in the next bank, one bank row further when bank 2 wraps
                        // (that row starts right after this row's last pixel)
                        if (fx_reg != in_w - 16'd1) begin
                            fx_reg <= fx_reg + 16'd1;
                            fa_reg <= fa_reg + {20'd0, ostep};
                        end else begin
                            fx_reg <= 16'd0;
                            fm_reg <= fm_reg == 2'd2 ? 2'd0 : fm_reg + 2'd1;
                            frow_reg <= fm_reg == 2'd2 ? fa_reg + {20'd0, ostep} : frow_reg;
                            fa_reg   <= fm_reg == 2'd2 ? fa_reg + {20'd0, ostep} : frow_reg;
                        end
                    end else begin
                        p_reg  <= 32'd0;
                        ia_reg <= 32'd0;
                        pm_reg <= 2'd0;
                        pb_reg <= 32'd0;
                        // chained: the next group is the next NB words of every pixel
                        fx_reg <= 16'd0; fm_reg <= 2'd0;
                        fg_reg <= fg_reg + NB32; frow_reg <= fg_reg + NB32; fa_reg <= fg_reg + NB32;
                        if (g_reg != groups - 12'd1) begin
                            g_reg    <= g_reg + 12'd1;
                            lg_reg   <= g_reg + 12'd2 == groups;
                            wrow_reg <= wrow_reg + j32;
                            oa_reg   <= oa_base_reg + NB32;
                            oa_base_reg <= oa_base_reg + NB32;
                        end else begin
                            state_reg <= S_IDLE;
                        end
                    end
                end
            end else begin
                // ---------------- depthwise: one input column per cycle ----------------
                if (emit) begin
                    oa_reg <= oa_reg + j32;
                    fm_reg <= fm_reg == 2'd2 ? 2'd0 : fm_reg + 2'd1;
                    if (fm_reg == 2'd2) fa_reg <= fa_reg + j32;
                end
                if (n_reg != nc_m1_reg) begin
                    n_reg  <= n_reg + 16'd1;
                    c_reg  <= c_reg + 18'sd1;
                    ia_reg <= ia_reg + j32; ia1_reg <= ia1_reg + j32; ia2_reg <= ia2_reg + j32;
                end else begin
                    n_reg <= 16'd0;
                    c_reg <= c_init;
                    if (oy_reg != out_rows - 16'd1) begin
                        oy_reg <= oy_reg + 16'd1;
                        r0_reg <= r0_reg + sstep;
                        m0_reg <= m0_next;
                        rb0_reg <= rb0_reg + (wrap0 ? rw_reg : 32'd0); ia_reg  <= rb0_reg + (wrap0 ? rw_reg : 32'd0);
                        rb1_reg <= rb1_reg + (wrap1 ? rw_reg : 32'd0); ia1_reg <= rb1_reg + (wrap1 ? rw_reg : 32'd0);
                        rb2_reg <= rb2_reg + (wrap2 ? rw_reg : 32'd0); ia2_reg <= rb2_reg + (wrap2 ? rw_reg : 32'd0);
                    end else if (!lg_reg) begin
                        // the next NB channel groups
                        oy_reg <= 16'd0;
                        r0_reg <= r_init;
                        m0_reg <= minit_reg;
                        j_reg  <= j_reg + NB12;
                        lg_reg <= {1'b0, j_reg} + {NB12, 1'b0} >= {1'b0, jn};
                        cb0_reg <= cb0_reg + NB32; rb0_reg <= cb0_reg + NB32; ia_reg  <= cb0_reg + NB32;
                        cb1_reg <= cb1_reg + NB32; rb1_reg <= cb1_reg + NB32; ia1_reg <= cb1_reg + NB32;
                        cb2_reg <= cb2_reg + NB32; rb2_reg <= cb2_reg + NB32; ia2_reg <= cb2_reg + NB32;
                        wrow_reg <= wrow_reg + 32'(9 * NB);
                        oa_reg  <= {20'd0, j_reg} + NB32;
                        fm_reg  <= 2'd0;
                        fa_reg  <= {20'd0, j_reg} + NB32;
                    end else begin
                        state_reg <= S_IDLE;
                    end
                end
            end
        end
    end
endmodule
`default_nettype wire
