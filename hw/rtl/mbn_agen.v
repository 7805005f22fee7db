// mbn_agen: compute-phase address generator for both engines. Owns the loop
// nests; issues one item per cycle (no stalls) to the buffers and mbn_mac_array.
//
// PW  (docs/hw.md "Arithmetic, PW"): for g < out_c/LANES, p < pixels, j < in_c/16:
//   IBUF word p*J + j, WBUF row g*J + j (all lanes), QBUF row g,
//   result -> OBUF word p*(out_c/16) + g               (LANES = 16)
// DW  (docs/hw.md "Arithmetic, DW"): for cg < J, oy, ox, tap t = kh*3+kw:
//   r = oy*stride + kh + row_off, col = ox*stride + kw - pad_left,
//   IBUF word (r*in_w + col)*J + cg (pad if r/col outside the tile),
//   weight word k = cg*9 + t: WBUF row k/16, lane k%16, QBUF row cg,
//   result -> OBUF word (oy*out_w + ox)*J + cg
// All addresses are kept incrementally: no multiplier in the issue loop.
module mbn_agen #(
    parameter IAW = 13,              // IBUF address width
    parameter WAW = 9,               // WBUF row address width
    parameter QAW = 6,
    parameter OAW = 12
) (
    input  wire            clk,
    input  wire            rst,
    input  wire            start,
    input  wire            dw,
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
    output wire            iss_first,
    output wire            iss_last,
    output wire            iss_pad,
    output wire [3:0]      iss_sel,
    output wire [IAW-1:0]  ib_raddr,
    output wire [WAW-1:0]  wb_raddr,
    output wire [QAW-1:0]  iss_qrow,
    output wire [OAW-1:0]  iss_oaddr,
    output wire            done          // level: idle and all items issued
);
    localparam S_IDLE = 3'd0, S_SET1 = 3'd1, S_SET2 = 3'd2, S_SET3 = 3'd3, S_RUN = 3'd4;
    reg [2:0] state_reg;

    // shared counters
    reg [11:0] j_reg;               // PW j / DW cg
    reg [11:0] g_reg;               // PW group
    reg [31:0] p_reg;               // PW pixel
    reg [31:0] ia_reg;              // PW IBUF address / DW tap address (signed)
    reg [31:0] wrow_reg;            // PW g*J / DW k = cg*9 + t
    reg [31:0] oa_reg;              // OBUF address of the current output word
    reg [31:0] oa_base_reg;         // PW: g + p*oc16 at p=0 / DW: cg
    // DW state
    reg [15:0] oy_reg, ox_reg;
    reg [1:0]  kh_reg, kw_reg;
    reg signed [17:0] r0_reg, c0_reg;
    reg [31:0] rw_reg;              // in_w * J: words per input row
    reg [31:0] init_reg;            // row_off*RW - pad_left*J
    reg [31:0] pix_reg;             // tap-0 address of the current output pixel
    reg [31:0] row_reg;             // tap-0 address of ox=0 in the current output row
    reg [31:0] kbase_reg;           // cg*9

    wire [31:0] j32  = {20'd0, jn};
    wire [31:0] sj   = stride2 ? {j32[30:0], 1'b0} : j32;           // stride*J
    wire [31:0] srw  = stride2 ? {rw_reg[30:0], 1'b0} : rw_reg;     // stride*RW
    wire signed [17:0] sstep = stride2 ? 18'sd2 : 18'sd1;
    wire signed [17:0] c_init = -$signed({16'd0, pad_left});
    wire signed [17:0] r_init = {{10{row_off[7]}}, row_off};

    wire signed [17:0] rt = r0_reg + $signed({16'd0, kh_reg});
    wire signed [17:0] ct = c0_reg + $signed({16'd0, kw_reg});
    wire pad_t = rt < 0 || rt >= $signed({2'd0, in_rows}) || ct < 0 || ct >= $signed({2'd0, in_w});

    wire run = (state_reg == S_RUN);
    wire tap_last = (kh_reg == 2'd2) && (kw_reg == 2'd2);

    assign iss_valid = run;
    assign iss_first = dw ? (kh_reg == 2'd0 && kw_reg == 2'd0) : (j_reg == 12'd0);
    assign iss_last  = dw ? tap_last : (j_reg == jn - 12'd1);
    assign iss_pad   = dw & pad_t;
    assign iss_sel   = wrow_reg[3:0];
    assign ib_raddr  = ia_reg[IAW-1:0];
    assign wb_raddr  = dw ? wrow_reg[WAW+3:4] : (wrow_reg[WAW-1:0] + j_reg[WAW-1:0]);
    assign iss_qrow  = dw ? j_reg[QAW-1:0] : g_reg[QAW-1:0];
    assign iss_oaddr = oa_reg[OAW-1:0];
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
            oy_reg <= 16'd0; ox_reg <= 16'd0; kh_reg <= 2'd0; kw_reg <= 2'd0;
            wrow_reg <= 32'd0; oa_reg <= 32'd0; oa_base_reg <= 32'd0; kbase_reg <= 32'd0;
            ia_reg <= 32'd0;
            r0_reg <= r_init; c0_reg <= c_init;
        end
        S_SET1: rw_reg <= {16'd0, in_w} * j32;
        S_SET2: begin
            init_reg <= $signed({{24{row_off[7]}}, row_off}) * $signed(rw_reg)
                        - (pad_left == 2'd2 ? {j32[30:0], 1'b0} : pad_left == 2'd1 ? j32 : 32'd0);
        end
        S_SET3: begin
            if (dw) begin
                ia_reg <= init_reg; row_reg <= init_reg; pix_reg <= init_reg;
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
                    if (p_reg != pixels - 32'd1) begin
                        p_reg  <= p_reg + 32'd1;
                        oa_reg <= oa_reg + {20'd0, oc16};
                    end else begin
                        p_reg  <= 32'd0;
                        ia_reg <= 32'd0;
                        if (g_reg != groups - 12'd1) begin
                            g_reg    <= g_reg + 12'd1;
                            wrow_reg <= wrow_reg + j32;
                            oa_reg   <= oa_base_reg + 32'd1;
                            oa_base_reg <= oa_base_reg + 32'd1;
                        end else begin
                            state_reg <= S_IDLE;
                        end
                    end
                end
            end else begin
                // ---------------- depthwise ----------------
                wrow_reg <= wrow_reg + 32'd1;
                if (kw_reg != 2'd2) begin
                    kw_reg <= kw_reg + 2'd1;
                    ia_reg <= ia_reg + j32;
                end else if (kh_reg != 2'd2) begin
                    kw_reg <= 2'd0;
                    kh_reg <= kh_reg + 2'd1;
                    ia_reg <= ia_reg + rw_reg - {j32[30:0], 1'b0};
                end else begin
                    kw_reg <= 2'd0; kh_reg <= 2'd0;
                    wrow_reg <= kbase_reg;
                    if (ox_reg != out_w - 16'd1) begin
                        ox_reg <= ox_reg + 16'd1;
                        c0_reg <= c0_reg + sstep;
                        pix_reg <= pix_reg + sj;
                        ia_reg  <= pix_reg + sj;
                        oa_reg  <= oa_reg + j32;
                    end else if (oy_reg != out_rows - 16'd1) begin
                        ox_reg <= 16'd0;
                        oy_reg <= oy_reg + 16'd1;
                        c0_reg <= c_init;
                        r0_reg <= r0_reg + sstep;
                        row_reg <= row_reg + srw;
                        pix_reg <= row_reg + srw;
                        ia_reg  <= row_reg + srw;
                        oa_reg  <= oa_reg + j32;
                    end else if (j_reg != jn - 12'd1) begin
                        ox_reg <= 16'd0; oy_reg <= 16'd0;
                        c0_reg <= c_init; r0_reg <= r_init;
                        j_reg  <= j_reg + 12'd1;
                        row_reg <= init_reg + {20'd0, j_reg} + 32'd1;
                        pix_reg <= init_reg + {20'd0, j_reg} + 32'd1;
                        ia_reg  <= init_reg + {20'd0, j_reg} + 32'd1;
                        kbase_reg <= kbase_reg + 32'd9;
                        wrow_reg  <= kbase_reg + 32'd9;
                        oa_reg  <= {20'd0, j_reg} + 32'd1;
                    end else begin
                        state_reg <= S_IDLE;
                    end
                end
            end
        end
    end
endmodule
