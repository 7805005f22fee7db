// mbn_ctrl: the job sequencer. Owns the job state (BUSY/DONE/FAULT, FAULT_*,
// DESC_DONE), descriptor fetch and decode, every check of docs/hw.md ("Memory:
// regions", capacity, field validity) before a descriptor moves data, and the
// per-descriptor schedule: fetch -> check -> load input (unless reuse_input) ->
// load weights, qparams (unless reuse_weights) -> compute -> store. Faults and
// CTRL.RESET: no new transfer, wait for the outstanding ones (drain), then idle.
`include "mbn_regs.vh"
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
    output wire        round_mode,
    output wire [15:0] in_rows,
    output wire [15:0] in_w,
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
    // counters
    output wire        c_pw,
    output wire        c_dw,
    output wire        c_stall
);
    localparam [4:0] S_IDLE = 5'd0,  S_FCHK = 5'd1,  S_FETCH = 5'd2, S_FWAIT = 5'd3,
                     S_DEC1 = 5'd4,  S_DEC2 = 5'd5,  S_DEC3 = 5'd6,  S_DEC4 = 5'd7,
                     S_LDI  = 5'd8,  S_LDIW = 5'd9,  S_LDW  = 5'd10, S_LDWW = 5'd11,
                     S_LDQ  = 5'd12, S_LDQW = 5'd13, S_COMP = 5'd14, S_CWAIT = 5'd15,
                     S_CDRN = 5'd16, S_ST   = 5'd17, S_STW  = 5'd18, S_NEXT = 5'd19,
                     S_DRAIN = 5'd20;
    localparam [31:0] F_BOUNDS = `MBN_FAULT_BOUNDS, F_AXI = `MBN_FAULT_AXI,
                      F_DESC = `MBN_FAULT_DESC, F_REGION = `MBN_FAULT_REGION;

    reg [4:0]   state_reg;
    reg [511:0] desc_reg;
    reg [31:0]  dreg_reg, dcnt_reg, idx_reg;
    reg [39:0]  doff_reg;               // offset of descriptor idx (wide: no wrap)
    reg         faulted_reg;
    reg [4:0]   drain_cnt_reg;
    reg [31:0]  err_add_reg;            // AXI fault: byte offset within the transfer
    reg         err_fix_reg;

    function [31:0] dword; input integer n; begin dword = desc_reg[n*32 +: 32]; end endfunction
    function [63:0] rbase; input [2:0] r; begin rbase = region_base[r*64 +: 64]; end endfunction
    function [63:0] rsize; input [2:0] r; begin rsize = region_size[r*64 +: 64]; end endfunction
    // docs/hw.md "Memory: regions": region index, alignment, offset + extent <= size
    function [31:0] chk;
        input [3:0] r; input [31:0] off; input [63:0] ext;
        reg [64:0] endp;
        begin
            endp = {33'd0, off} + {1'b0, ext};
            if (r >= 4'd8)                       chk = F_REGION;
            else if (off[3:0] != 4'd0)           chk = F_DESC;
            else if (endp > {1'b0, rsize(r[2:0])})    chk = F_BOUNDS;
            else                                 chk = 32'd0;
        end
    endfunction

    // ---- descriptor fields -----------------------------------------------------
    wire [31:0] d0 = dword(0), d1 = dword(1), d2 = dword(2), d3 = dword(3), d4 = dword(4),
                d5 = dword(5), d6 = dword(6), d7 = dword(7), d8 = dword(8), d9 = dword(9),
                d10 = dword(10), d11 = dword(11);
    wire [3:0]  op        = d0[3:0];
    wire        reuse_w   = d0[8];
    wire        reuse_i   = d0[9];
    wire [15:0] in_c      = d2[15:0];
    wire [15:0] out_c     = d2[31:16];
    wire [3:0]  stride    = d4[3:0];
    wire [7:0]  pad8      = d4[23:16];
    wire [3:0]  in_rg = d6[3:0], w_rg = d6[7:4], q_rg = d6[11:8], out_rg = d6[15:12];
    wire [31:0] in_off = d7, w_off = d8, q_off = d9, out_off = d10;
    wire [15:0] ostride   = d11[15:0];

    wire [15:0] lanes16 = LANES;
    assign dw         = op == 4'd`MBN_OP_DW;
    assign round_mode = d0[4];
    assign in_rows    = d1[15:0];
    assign in_w       = d1[31:16];
    assign jn         = in_c[15:4];
    assign oc16       = out_c[15:4];
    assign groups     = 12'(out_c / lanes16);
    assign out_rows   = d3[15:0];
    assign out_w      = d3[31:16];
    assign stride2    = stride == 4'd2;
    assign row_off    = d4[15:8];
    assign pad_left   = pad8[1:0];
    assign w_zp       = d4[31:24];
    assign in_zp      = d5[7:0];
    assign out_zp     = d5[15:8];
    assign act_min    = d5[23:16];
    assign act_max    = d5[31:24];
    assign wr_wpp     = oc16;
    assign wr_stride  = ostride;

    // decode pipeline registers
    reg [31:0] pin_reg, pout_reg;
    reg        fmt_bad_reg;
    reg [63:0] in_bytes_reg, out_words_reg, wrows_reg, wwords_reg, out_ext_reg;
    reg [31:0] code_reg, coff_reg;
    assign pixels  = pin_reg;
    assign wr_npix = pout_reg;

    wire is_pw = op == 4'd`MBN_OP_PW;
    wire fmt_bad_n =
        !(is_pw || dw) ||
        (d0 & ~32'h0000_031f) != 32'd0 ||
        desc_reg[511:384] != 128'd0 ||
        in_rows == 16'd0 || in_w == 16'd0 || in_c == 16'd0 || out_c == 16'd0 ||
        out_rows == 16'd0 || out_w == 16'd0 ||
        in_c[3:0] != 4'd0 ||
        (is_pw && ((out_c % LANES) != 0 || out_rows != in_rows || out_w != in_w)) ||
        (dw && (out_c != in_c || (stride != 4'd1 && stride != 4'd2) || pad8 > 8'd2)) ||
        ostride < out_c || ostride[3:0] != 4'd0;

    wire [31:0] dw_wwords = {20'd0, jn} * 32'd9;
    // narrow products (DSP-sized), widened afterwards
    wire [31:0] pin_n     = in_rows * in_w;
    wire [31:0] pout_n    = out_rows * out_w;
    wire [47:0] in_bytes_n  = pin_reg * in_c;
    wire [43:0] out_words_n = pout_reg * oc16;
    wire [27:0] pw_wwords_n = out_c * jn;
    wire [23:0] pw_wrows_n  = groups * jn;
    wire [31:0] pout_m1     = pout_reg - 32'd1;
    wire [47:0] out_ext_n   = pout_m1 * ostride;
    // DMA addresses: region base + offset
    wire [63:0] a_desc = rbase(dreg4)  + {24'd0, doff_reg};
    wire [63:0] a_in   = rbase(in_rg[2:0])  + {32'd0, in_off};
    wire [63:0] a_w    = rbase(w_rg[2:0])   + {32'd0, w_off};
    wire [63:0] a_q    = rbase(q_rg[2:0])   + {32'd0, q_off};
    wire [63:0] a_out  = rbase(out_rg[2:0]) + {32'd0, out_off};

    // d4[7:4], d6[31:16], d11[31:16]: not defined by docs/hw.md, ignored; address bits
    // above ADDR_W dropped
    wire unused_ok = &{1'b0, d4[7:4], d6[31:16], d11[31:16], wwords_reg[63:60],
                       a_desc[63:ADDR_W], a_in[63:ADDR_W], a_w[63:ADDR_W], a_q[63:ADDR_W], a_out[63:ADDR_W]};

    assign rd_abort = state_reg == S_DRAIN;
    assign wr_abort = state_reg == S_DRAIN;
    assign c_pw    = !dw && (state_reg == S_COMP || state_reg == S_CWAIT || state_reg == S_CDRN);
    assign c_dw    =  dw && (state_reg == S_COMP || state_reg == S_CWAIT || state_reg == S_CDRN);
    assign c_stall = state_reg == S_FETCH || state_reg == S_FWAIT || state_reg == S_LDI ||
                     state_reg == S_LDIW || state_reg == S_LDW || state_reg == S_LDWW ||
                     state_reg == S_LDQ || state_reg == S_LDQW || state_reg == S_ST ||
                     state_reg == S_STW;

    wire [2:0] dreg4 = dreg_reg[2:0];    // used only after the dreg_reg < 8 check

    always @(posedge clk) begin
        rd_start  <= 1'b0;
        wr_start  <= 1'b0;
        cmp_start <= 1'b0;
        done_evt  <= 1'b0;
        fault_evt <= 1'b0;
        if (rst) begin
            state_reg <= S_IDLE;
            busy <= 1'b0; st_done <= 1'b0; st_fault <= 1'b0;
            fault_code <= 32'd0; fault_desc <= 32'd0; fault_off <= 32'd0; desc_done <= 32'd0;
            rd_dst <= 2'd0; faulted_reg <= 1'b0; err_fix_reg <= 1'b0;
        end else begin
            // descriptor beats
            if (rd_beat && rd_dst == 2'd0 && state_reg == S_FWAIT)
                case (rd_idx[1:0])   // explicit demux: a variable part-select becomes a 512-bit shifter
                2'd0:    desc_reg[127:0]   <= rd_data;
                2'd1:    desc_reg[255:128] <= rd_data;
                2'd2:    desc_reg[383:256] <= rd_data;
                default: desc_reg[511:384] <= rd_data;
                endcase

            case (state_reg)
            S_IDLE: if (start) begin
                busy <= 1'b1; st_done <= 1'b0; st_fault <= 1'b0;
                fault_code <= 32'd0; fault_desc <= 32'd0; fault_off <= 32'd0; desc_done <= 32'd0;
                dreg_reg <= desc_region; doff_reg <= {8'd0, desc_offset};
                dcnt_reg <= desc_count; idx_reg <= 32'd0; faulted_reg <= 1'b0; err_fix_reg <= 1'b0;
                state_reg <= (desc_count == 32'd0) ? S_NEXT : S_FCHK;
            end
            S_FCHK: begin
                // descriptor fetch extent: 64 bytes at DESC_OFFSET + i*64
                if (dreg_reg >= 32'd8) begin
                    fault_code <= F_REGION; fault_desc <= idx_reg; fault_off <= doff_reg[31:0];
                    faulted_reg <= 1'b1; state_reg <= S_DRAIN;
                end else if (doff_reg[3:0] != 4'd0) begin
                    fault_code <= F_DESC; fault_desc <= idx_reg; fault_off <= doff_reg[31:0];
                    faulted_reg <= 1'b1; state_reg <= S_DRAIN;
                end else if ({25'd0, doff_reg} + 65'd64 > {1'b0, rsize(dreg4)}) begin
                    fault_code <= F_BOUNDS; fault_desc <= idx_reg; fault_off <= doff_reg[31:0];
                    faulted_reg <= 1'b1; state_reg <= S_DRAIN;
                end else begin
                    state_reg <= S_FETCH;
                end
            end
            S_FETCH: begin
                rd_start  <= 1'b1;
                rd_addr   <= a_desc[ADDR_W-1:0];
                rd_nwords <= 24'd4;
                rd_dst    <= 2'd0;
                state_reg <= S_FWAIT;
            end
            S_DEC1: begin
                pin_reg     <= pin_n;
                pout_reg    <= pout_n;
                fmt_bad_reg <= fmt_bad_n;
                state_reg   <= S_DEC2;
            end
            S_DEC2: begin
                in_bytes_reg  <= {16'd0, in_bytes_n};
                out_words_reg <= {20'd0, out_words_n};
                wwords_reg    <= is_pw ? {36'd0, pw_wwords_n} : {32'd0, dw_wwords};
                wrows_reg     <= is_pw ? {40'd0, pw_wrows_n}
                                       : {32'd0, (dw_wwords + {16'd0, lanes16} - 32'd1) / LANES};
                out_ext_reg   <= {16'd0, out_ext_n} + {48'd0, out_c};
                state_reg     <= S_DEC3;
            end
            S_DEC3: begin
                // priority: descriptor fields and capacity, then input, weights,
                // qparams, output extents (each: region index, alignment, bounds)
                coff_reg <= doff_reg[31:0];
                if (fmt_bad_reg ||
                    in_bytes_reg > IBUF_WORDS * 16 || wrows_reg > WBUF_ROWS ||
                    {48'd0, out_c} > QBUF_ENTRIES || out_words_reg > OBUF_WORDS)
                    code_reg <= F_DESC;
                else if (!reuse_i && chk(in_rg, in_off, in_bytes_reg) != 32'd0) begin
                    code_reg <= chk(in_rg, in_off, in_bytes_reg); coff_reg <= in_off;
                end else if (!reuse_w && chk(w_rg, w_off, {wwords_reg[59:0], 4'd0}) != 32'd0) begin
                    code_reg <= chk(w_rg, w_off, {wwords_reg[59:0], 4'd0}); coff_reg <= w_off;
                end else if (!reuse_w && chk(q_rg, q_off, {44'd0, out_c, 4'd0}) != 32'd0) begin
                    code_reg <= chk(q_rg, q_off, {44'd0, out_c, 4'd0}); coff_reg <= q_off;
                end else if (chk(out_rg, out_off, out_ext_reg) != 32'd0) begin
                    code_reg <= chk(out_rg, out_off, out_ext_reg); coff_reg <= out_off;
                end else
                    code_reg <= 32'd0;
                state_reg <= S_DEC4;
            end
            S_DEC4: begin
                if (code_reg != 32'd0) begin
                    fault_code <= code_reg; fault_desc <= idx_reg; fault_off <= coff_reg;
                    faulted_reg <= 1'b1; state_reg <= S_DRAIN;
                end else
                    state_reg <= reuse_i ? (reuse_w ? S_COMP : S_LDW) : S_LDI;
            end
            S_LDI: begin
                rd_start  <= 1'b1;
                rd_addr   <= a_in[ADDR_W-1:0];
                rd_nwords <= in_bytes_reg[27:4];
                rd_dst    <= 2'd1;
                state_reg <= S_LDIW;
            end
            S_LDW: begin
                rd_start  <= 1'b1;
                rd_addr   <= a_w[ADDR_W-1:0];
                rd_nwords <= wwords_reg[23:0];
                rd_dst    <= 2'd2;
                state_reg <= S_LDWW;
            end
            S_LDQ: begin
                rd_start  <= 1'b1;
                rd_addr   <= a_q[ADDR_W-1:0];
                rd_nwords <= {8'd0, out_c};
                rd_dst    <= 2'd3;
                state_reg <= S_LDQW;
            end
            S_COMP: begin
                cmp_start <= 1'b1;
                state_reg <= S_CWAIT;
            end
            S_CWAIT: if (!cmp_start && cmp_done && !cmp_pipe_busy) begin
                drain_cnt_reg <= 5'd0;
                state_reg <= S_CDRN;
            end
            S_CDRN: begin
                // requantizer latency (8) + OBUF write: wait it out
                drain_cnt_reg <= drain_cnt_reg + 5'd1;
                if (drain_cnt_reg == 5'd12) state_reg <= S_ST;
            end
            S_ST: begin
                wr_start  <= 1'b1;
                wr_addr   <= a_out[ADDR_W-1:0];
                state_reg <= S_STW;
            end
            S_NEXT: begin
                if (dcnt_reg != 32'd0) desc_done <= desc_done + 32'd1;
                if (dcnt_reg == 32'd0 || idx_reg + 32'd1 == dcnt_reg) begin
                    busy <= 1'b0; st_done <= 1'b1; done_evt <= 1'b1;
                    state_reg <= S_IDLE;
                end else begin
                    idx_reg  <= idx_reg + 32'd1;
                    doff_reg <= doff_reg + 40'd64;
                    state_reg <= S_FCHK;
                end
            end
            S_DRAIN: if (err_fix_reg) begin
                fault_off   <= fault_off + err_add_reg;
                err_fix_reg <= 1'b0;
            end else if (!rd_busy && !wr_busy && !rd_start && !wr_start) begin
                busy <= 1'b0;
                if (faulted_reg) begin
                    st_fault <= 1'b1; fault_evt <= 1'b1;
                end
                state_reg <= S_IDLE;
            end
            default: begin
                // wait states: DMA running
                if (!rd_start && !wr_start) begin
                    if (state_reg == S_STW) begin
                        if (wr_err) begin
                            // offset = base + burst offset, added in the next cycle
                            // (S_DRAIN) to keep the adder off the error path
                            fault_code <= F_AXI; fault_desc <= idx_reg;
                            fault_off <= out_off; err_add_reg <= wr_err_off; err_fix_reg <= 1'b1;
                            faulted_reg <= 1'b1; state_reg <= S_DRAIN;
                        end else if (!wr_busy)
                            state_reg <= S_NEXT;
                    end else if (rd_err) begin
                        fault_code <= F_AXI; fault_desc <= idx_reg;
                        fault_off <= (state_reg == S_FWAIT) ? doff_reg[31:0] :
                                     (state_reg == S_LDIW)  ? in_off :
                                     (state_reg == S_LDWW)  ? w_off : q_off;
                        err_add_reg <= {4'd0, rd_idx, 4'd0}; err_fix_reg <= 1'b1;
                        faulted_reg <= 1'b1; state_reg <= S_DRAIN;
                    end else if (!rd_busy) begin
                        case (state_reg)
                        S_FWAIT: state_reg <= S_DEC1;
                        S_LDIW:  state_reg <= reuse_w ? S_COMP : S_LDW;
                        S_LDWW:  state_reg <= S_LDQ;
                        default: state_reg <= S_COMP;    // S_LDQW
                        endcase
                    end
                end
            end
            endcase

            // CTRL.RESET: abort the job (drain, then idle, no DONE)
            if (abort && busy && state_reg != S_IDLE && state_reg != S_DRAIN)
                state_reg <= S_DRAIN;
        end
    end
endmodule
