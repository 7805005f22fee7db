// SPDX-License-Identifier: Apache-2.0
// mbn_desc_check: descriptor decode and checks, mbn_ctrl's F stage's half that knows
// what a descriptor means. Owns every check of docs/hw.md a descriptor passes before it
// moves data (field validity, buffer capacity with the IBUF row-bank rule, and for each
// of input, weights, qparams and output: region index, 16-byte alignment, offset +
// extent within the region), their priority and the fault code and offset they give,
// the DMA windows (region base + offset, and end), and the buffer-half decisions (does
// the descriptor need a whole buffer). The C reference of the same rules is
// hw/model/desc_check.h; tests/sim holds the two to each other.
// mbn_ctrl sequences it: with F's descriptor in `desc`, it raises step[0]..step[4] in
// five consecutive cycles (its states F_DEC1, F_DEC2, F_DEC2B, F_DEC3, F_DEC3B); each
// step registers one stage of the pipeline below (one product or one compare per
// stage: timing), and after step[4] code_reg/coff_reg hold the verdict (0 = passed).
// The outputs hold until the next descriptor's step[0]; none needs a reset.
`include "mbn_regs.vh"
`default_nettype none
module mbn_desc_check #(
    parameter LANES        = 16,      // MAC lanes: output channels per group
    parameter IBUF_WORDS   = 8192,    // 16-byte words of IBUF
    parameter WBUF_ROWS    = 512,     // rows of WBUF
    parameter OBUF_WORDS   = 4096,    // 16-byte words of OBUF
    parameter QBUF_ENTRIES = 1024     // per-channel qparams QBUF holds
) (
    input  wire         clk,
    input  wire [511:0] desc,             // the descriptor (mbn_ctrl's desc_reg)
    input  wire [8*64-1:0] region_base,   // the region table (REGION[r].BASE/SIZE)
    input  wire [8*64-1:0] region_size,
    input  wire [31:0]  desc_off,         // its offset: FAULT_OFF of a field or capacity fault
    input  wire [4:0]   step,             // one-hot: which decode stage registers now
    // fields F uses itself (combinational from desc)
    output wire         reuse_i,
    output wire         reuse_w,
    output wire         fuse,
    output wire         chained,          // DW: input from the chained map (d0[11])
    output wire [`MBN_D_OUT_C_W-1:0]      out_c,
    output wire [11:0]  oc16,             // out_c / 16: words per output pixel
    output wire [`MBN_D_OUT_STRIDE_W-1:0] ostride,
    output wire [`MBN_D_IN_OFFSET_W-1:0]  in_off,
    output wire [`MBN_D_W_OFFSET_W-1:0]   w_off,
    output wire [`MBN_D_Q_OFFSET_W-1:0]   q_off,
    output wire [`MBN_D_OUT_OFFSET_W-1:0] out_off,
    // registered results
    output reg  [31:0]  pin_reg,          // input pixels of the tile (step 0)
    output reg  [31:0]  pout_reg,         // output pixels
    output reg  [31:0]  ib_ld_rw,         // words per IBUF row (DW: in_w*in_c/16, PW: in_c/16)
    output reg  [63:0]  in_bytes_reg,     // input load (step 1)
    output reg  [63:0]  wwords_reg,       // weight load, 16-byte words
    output reg  [63:0]  a_in_reg,         // DMA windows [a, e) (a: step 0, e: step 3)
    output reg  [63:0]  a_w_reg,
    output reg  [63:0]  a_q_reg,
    output reg  [63:0]  a_out_reg,
    output reg  [63:0]  e_in_reg,
    output reg  [63:0]  e_w_reg,
    output reg  [63:0]  e_q_reg,
    output reg  [63:0]  e_out_reg,
    output reg          ifull_reg,        // needs the whole IBUF / WBUF+QBUF / OBUF (step 3)
    output reg          wfull_reg,
    output reg          ofull_reg,
    output reg  [31:0]  code_reg,         // FAULT_CODE, 0 = passed (step 4)
    output reg  [31:0]  coff_reg          // FAULT_OFF
);
    localparam [31:0] F_BOUNDS = `MBN_FAULT_BOUNDS, F_DESC = `MBN_FAULT_DESC,
                      F_REGION = `MBN_FAULT_REGION;
    // half sizes: a descriptor up to these runs double-buffered
    localparam [63:0] WB_HALF_ROWS  = WBUF_ROWS / 2;
    localparam [63:0] OB_HALF_WORDS = OBUF_WORDS / 2;
    // fusion (d0[10], CAPS3[16]): the fused output address is the OBUF address (OAW
    // bits; the NB words of a result go into IBUF's NB sub-banks at once); chaining (a
    // PW's d0[10], a DW's d0[11], CAPS3[20]) uses the same write path
    localparam        FUSE_OK = (IBUF_WORDS / 2 <= OBUF_WORDS);
    // IBUF row banks (docs/hw.md, CAPS3[17]): a tile of R rows of W words takes
    // ceil(R/3)*W words of each of the 3 banks; checked as (R + 2)*W <= 3 * space
    localparam [63:0] IB_BANK3_BYTES = 3 * IBUF_WORDS * 16;
    localparam [63:0] IB_HALF3_BYTES = 3 * (IBUF_WORDS / 2) * 16;
    localparam [63:0] IB_HALF3_WORDS = 3 * (IBUF_WORDS / 2);

    function [31:0] dword; input integer n; begin dword = desc[n*32 +: 32]; end endfunction
    // {r, 6'd0} rather than r*64: the only multipliers here are the extent products,
    // which the formal proof cuts (hw/formal/fv_ctrl.ys)
    function [63:0] rbase; input [2:0] r; begin rbase = region_base[{r, 6'd0} +: 64]; end endfunction
    function [63:0] rsize; input [2:0] r; begin rsize = region_size[{r, 6'd0} +: 64]; end endfunction
    // docs/hw.md "Memory: regions": region index, alignment, offset + extent <= size,
    // on a registered end (offset + extent) and region size; codes fit 3 bits
    function [2:0] chk2;
        input [3:0] r; input [3:0] off; input [64:0] endp; input [63:0] size;
        begin
            if (r >= 4'd8)                       chk2 = F_REGION[2:0];
            else if (off != 4'd0)                chk2 = F_DESC[2:0];
            else if (endp > {1'b0, size})        chk2 = F_BOUNDS[2:0];
            else                                 chk2 = 3'd0;
        end
    endfunction

    // ---- fields (positions from the contract: `MBN_D_<F>_OF, mbn_regs.vh) ------------
    wire [31:0] d0 = dword(0);
    wire [`MBN_D_OP_W-1:0]       op         = `MBN_D_OP_OF(desc);
    wire [`MBN_D_ROUND_W-1:0]    f_round    = `MBN_D_ROUND_OF(desc);
    wire [`MBN_D_IN_ROWS_W-1:0]  f_in_rows  = `MBN_D_IN_ROWS_OF(desc);
    wire [`MBN_D_IN_W_W-1:0]     f_in_w     = `MBN_D_IN_W_OF(desc);
    wire [`MBN_D_IN_C_W-1:0]     in_c       = `MBN_D_IN_C_OF(desc);
    wire [`MBN_D_OUT_ROWS_W-1:0] f_out_rows = `MBN_D_OUT_ROWS_OF(desc);
    wire [`MBN_D_OUT_W_W-1:0]    f_out_w    = `MBN_D_OUT_W_OF(desc);
    wire [`MBN_D_STRIDE_W-1:0]   stride     = `MBN_D_STRIDE_OF(desc);
    wire [`MBN_D_PAD_LEFT_W-1:0] pad8       = `MBN_D_PAD_LEFT_OF(desc);
    wire [`MBN_D_IN_REGION_W-1:0]  in_rg    = `MBN_D_IN_REGION_OF(desc);
    wire [`MBN_D_W_REGION_W-1:0]   w_rg     = `MBN_D_W_REGION_OF(desc);
    wire [`MBN_D_Q_REGION_W-1:0]   q_rg     = `MBN_D_Q_REGION_OF(desc);
    wire [`MBN_D_OUT_REGION_W-1:0] out_rg   = `MBN_D_OUT_REGION_OF(desc);
    assign reuse_w = `MBN_D_REUSE_WEIGHTS_OF(desc);
    assign reuse_i = `MBN_D_REUSE_INPUT_OF(desc);
    assign fuse    = `MBN_D_FUSE_OF(desc);
    assign chained = `MBN_D_CHAINED_OF(desc);
    assign out_c   = `MBN_D_OUT_C_OF(desc);
    assign ostride = `MBN_D_OUT_STRIDE_OF(desc);
    assign in_off  = `MBN_D_IN_OFFSET_OF(desc);
    assign w_off   = `MBN_D_W_OFFSET_OF(desc);
    assign q_off   = `MBN_D_Q_OFFSET_OF(desc);
    assign out_off = `MBN_D_OUT_OFFSET_OF(desc);
    wire [11:0] f_jn     = in_c[15:4];
    assign      oc16     = out_c[15:4];
    wire [15:0] lanes16  = 16'(LANES);
    // PW lane groups; out_c a multiple of 16 (CAPS3 PW16): the last group may be partial,
    // its weights padded to LANES rows in DRAM
    wire [11:0] f_groups = 12'((out_c + lanes16 - 16'd1) / lanes16);
    wire        f_dw     = op == 4'd`MBN_OP_DW;
    wire        is_pw    = op == 4'd`MBN_OP_PW;

    // ---- field validity ----------------------------------------------------------------
    // d0's used bits: fuse on a DW or a PW, chained on a DW, of a FUSE_OK build
    localparam [31:0] D0_PLAIN = `MBN_DESC_USED0 & ~(32'd1 << `MBN_D_FUSE_LSB) & ~(32'd1 << `MBN_D_CHAINED_LSB);
    localparam [31:0] D0_PW    = D0_PLAIN | (32'd1 << `MBN_D_FUSE_LSB);
    // a chained PW's pixel slot: out_offset + out_c <= out_stride, out_offset < 2^16
    wire [16:0] ch_end = {1'b0, out_off[15:0]} + {1'b0, out_c};
    wire fmt_bad_n =
        !(is_pw || f_dw) ||
        (d0 & ~(!FUSE_OK ? D0_PLAIN : f_dw ? `MBN_DESC_USED0 : D0_PW)) != 32'd0 ||
        f_round == 2'd3 ||   // round: 0, 1, 2 (CAPS3[18] RSINGLE)
        (fuse && f_dw && (out_rg != 4'd0 || out_off != 32'd0 || ostride != out_c)) ||
        (fuse && is_pw && (out_rg != 4'd0 || out_off[3:0] != 4'd0 || out_off[31:16] != 16'd0 ||
                           ch_end > {1'b0, ostride})) ||
        (chained && !reuse_i) ||
        desc[511:384] != 128'd0 ||
        f_in_rows == 16'd0 || f_in_w == 16'd0 || in_c == 16'd0 || out_c == 16'd0 ||
        f_out_rows == 16'd0 || f_out_w == 16'd0 ||
        in_c[3:0] != 4'd0 ||
        (is_pw && (out_c[3:0] != 4'd0 || f_out_rows != f_in_rows || f_out_w != f_in_w)) ||
        (f_dw && (out_c != in_c || (stride != 4'd1 && stride != 4'd2) || pad8 > 8'd2)) ||
        ostride < out_c || ostride[3:0] != 4'd0;

    // ---- the pipeline's registers and products ------------------------------------------
    reg        fmt_bad_reg, cap_bad_reg, cap_ib_bad_reg;
    reg [63:0] out_words_reg, wrows_reg, out_ext_reg;
    reg [31:0] pinx_reg, poutx_reg;      // rows + 2 (in pixels of in_w for DW: pin + 2*in_w)
    reg [63:0] ib_need_reg, fo_need_reg; // (R + 2)*W in bytes (input) and words (fused output)
    reg [31:0] chx_reg;                  // chained PW: (out_rows + 2) * out_w pixels of the map
    reg [63:0] ch_need_reg;              // ... times out_stride: its bytes by the row-bank rule
    reg [64:0] end_i_reg, end_w_reg, end_q_reg, end_o_reg;
    reg [63:0] sz_i_reg, sz_w_reg, sz_q_reg, sz_o_reg;
    reg [2:0]  ck_i_reg, ck_w_reg, ck_q_reg, ck_o_reg;

    wire [31:0] dw_wwords = {20'd0, f_jn} * 32'd9;
    // narrow products (DSP-sized), widened afterwards
    wire [31:0] pin_n       = f_in_rows * f_in_w;
    wire [31:0] pout_n      = f_out_rows * f_out_w;
    wire [47:0] in_bytes_n  = pin_reg * in_c;
    wire [43:0] out_words_n = pout_reg * oc16;
    wire [16:0] pw_ocpad    = 17'({5'd0, f_groups} << $clog2(LANES));   // out_c padded to LANES
    wire [28:0] pw_wwords_n = pw_ocpad * f_jn;
    wire [23:0] pw_wrows_n  = f_groups * f_jn;
    wire [31:0] pout_m1     = pout_reg - 32'd1;
    wire [27:0] rw_n        = f_in_w * f_jn;
    wire [47:0] ib_need_n   = pinx_reg * in_c;
    wire [43:0] fo_need_n   = poutx_reg * oc16;
    wire [47:0] ch_need_n   = chx_reg * ostride;
    wire [47:0] out_ext_n   = pout_m1 * ostride;
    // DMA addresses: region base + offset
    wire [63:0] a_in  = rbase(in_rg[2:0])  + {32'd0, in_off};
    wire [63:0] a_w   = rbase(w_rg[2:0])   + {32'd0, w_off};
    wire [63:0] a_q   = rbase(q_rg[2:0])   + {32'd0, q_off};
    wire [63:0] a_out = rbase(out_rg[2:0]) + {32'd0, out_off};
    // bits of wwords the weight-end computation does not take (< 2^60 by construction)
    wire unused_ok = &{1'b0, wwords_reg[63:60]};

    always @(posedge clk) begin
        if (step[0]) begin
            a_in_reg <= a_in; a_w_reg <= a_w; a_q_reg <= a_q; a_out_reg <= a_out;
            pin_reg     <= pin_n;
            pout_reg    <= pout_n;
            ib_ld_rw    <= f_dw ? {4'd0, rw_n} : {20'd0, f_jn};
            fmt_bad_reg <= fmt_bad_n;
        end
        if (step[1]) begin
            in_bytes_reg  <= {16'd0, in_bytes_n};
            out_words_reg <= {20'd0, out_words_n};
            wwords_reg    <= is_pw ? {35'd0, pw_wwords_n} : {32'd0, dw_wwords};
            wrows_reg     <= is_pw ? {40'd0, pw_wrows_n}
                                   : {32'd0, (dw_wwords + {16'd0, lanes16} - 32'd1) / LANES};
            out_ext_reg   <= {16'd0, out_ext_n} + {48'd0, out_c};
            pinx_reg      <= pin_reg + (f_dw ? {15'd0, f_in_w, 1'b0} : 32'd2);
            poutx_reg     <= pout_reg + 32'd2;
            chx_reg       <= pout_reg + {15'd0, f_out_w, 1'b0};
        end
        if (step[2]) begin
            // extent ends and region sizes, registered for step 3 (timing)
            end_i_reg <= {33'd0, in_off}  + {1'b0, in_bytes_reg};
            end_w_reg <= {33'd0, w_off}   + {1'b0, wwords_reg[59:0], 4'd0};
            end_q_reg <= {33'd0, q_off}   + {45'd0, out_c, 4'd0};
            end_o_reg <= {33'd0, out_off} + {1'b0, out_ext_reg};
            sz_i_reg  <= rsize(in_rg[2:0]);  sz_w_reg <= rsize(w_rg[2:0]);
            sz_q_reg  <= rsize(q_rg[2:0]);   sz_o_reg <= rsize(out_rg[2:0]);
            cap_bad_reg <= fmt_bad_reg || wrows_reg > WBUF_ROWS ||
                {48'd0, out_c} > QBUF_ENTRIES || (!fuse && out_words_reg > OBUF_WORDS);
            ib_need_reg <= {16'd0, ib_need_n};
            fo_need_reg <= {20'd0, fo_need_n};
            ch_need_reg <= {16'd0, ch_need_n};
        end
        if (step[3]) begin
            // per extent: region index, alignment, bounds (docs/hw.md order)
            ck_i_reg <= chk2(in_rg,  in_off[3:0],  end_i_reg, sz_i_reg);
            ck_w_reg <= chk2(w_rg,   w_off[3:0],   end_w_reg, sz_w_reg);
            ck_q_reg <= chk2(q_rg,   q_off[3:0],   end_q_reg, sz_q_reg);
            ck_o_reg <= chk2(out_rg, out_off[3:0], end_o_reg, sz_o_reg);
            e_in_reg  <= a_in_reg + in_bytes_reg;
            e_w_reg   <= a_w_reg + {wwords_reg[59:0], 4'd0};
            e_q_reg   <= a_q_reg + {44'd0, out_c, 4'd0};
            e_out_reg <= a_out_reg + out_ext_reg;
            // IBUF capacity by the row-bank rule: a fused DW's input and output, a
            // chained PW's input and map, a chained DW's input each within a half, any
            // other input within a whole bank
            cap_ib_bad_reg <= ib_need_reg > IB_BANK3_BYTES ||
                ((fuse || chained) && ib_need_reg > IB_HALF3_BYTES) ||
                (fuse && (f_dw ? fo_need_reg > IB_HALF3_WORDS : ch_need_reg > IB_HALF3_BYTES));
            ifull_reg <= ib_need_reg > IB_HALF3_BYTES;
            wfull_reg <= wrows_reg > WB_HALF_ROWS;
            ofull_reg <= out_words_reg > OB_HALF_WORDS;
        end
        if (step[4]) begin
            // priority: descriptor fields and capacity, then input, weights,
            // qparams, output extents
            coff_reg <= desc_off;
            if (cap_bad_reg || cap_ib_bad_reg)
                code_reg <= F_DESC;
            else if (!reuse_i && ck_i_reg != 3'd0) begin
                code_reg <= {29'd0, ck_i_reg}; coff_reg <= in_off;
            end else if (!reuse_w && ck_w_reg != 3'd0) begin
                code_reg <= {29'd0, ck_w_reg}; coff_reg <= w_off;
            end else if (!reuse_w && ck_q_reg != 3'd0) begin
                code_reg <= {29'd0, ck_q_reg}; coff_reg <= q_off;
            end else if (!fuse && ck_o_reg != 3'd0) begin
                code_reg <= {29'd0, ck_o_reg}; coff_reg <= out_off;
            end else
                code_reg <= 32'd0;
        end
    end
endmodule
`default_nettype wire
