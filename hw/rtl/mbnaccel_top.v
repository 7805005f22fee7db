// SPDX-License-Identifier: Apache-2.0
// mbnaccel_top: the accelerator, ports and parameters exactly as docs/hw.md "Top
// level". Owns the on-chip buffers (IBUF, WBUF as LANES banks, QBUF as LANES banks,
// OBUF) and the wiring between the register slave (mbn_regs), the job sequencer
// (mbn_ctrl), the DMA engines (mbn_dma_rd/mbn_dma_wr), the compute address
// generator (mbn_agen), the shared MAC array (mbn_mac_array) and the LANES
// requantizers (mbn_requant).
// LANES = 16 * 2^n: a result is NB = LANES/16 words (PW: NB groups of 16 output
// channels; DW: NB channel groups, docs/hw.md "Depthwise on all lanes"; the last PW group
// or DW channel step of an out_c resp. in_c that is not a multiple of LANES fewer). OBUF
// is NB banks, each IBUF row bank NB sub-banks, so that the NB words go in (and a DW's
// NB input words come out) in one cycle.
`include "mbn_regs.vh"
`default_nettype none
module mbnaccel_top #(
    parameter LANES        = 16,    // pointwise output-channel lanes; MACs = LANES * 16
    parameter IBUF_WORDS   = 8192,  // input buffer, 16-byte words (128 KiB)
    parameter WBUF_ROWS    = 512,   // weight buffer rows per lane, 16-byte words
    parameter OBUF_WORDS   = 4096,  // output buffer, 16-byte words (64 KiB)
    parameter QBUF_ENTRIES = 1024,  // per-channel quantization entries
    parameter ADDR_W       = 40,    // AXI address width
    parameter MAX_RD_OUTSTANDING = 8,
    // AXI read data bytes: 16 (128 bits) or 32 (256 bits, two words per beat,
    // docs/hw.md "The 256-bit read port"; needs LANES >= 32). Default 32 from 32 lanes
    // on, where the array needs more than 16 B/cycle.
    parameter RD_BYTES     = LANES >= 32 ? 32 : 16,
    // AXI write data bytes: 16 or 32 (docs/hw.md "The 256-bit write port"; needs
    // LANES >= 32: OBUF's banks give two words per read)
    parameter WR_BYTES     = LANES >= 32 ? 32 : 16
) (
    input  wire clk, input wire rst,
    input  wire [11:0] s_axil_awaddr, input wire s_axil_awvalid, output wire s_axil_awready,
    input  wire [31:0] s_axil_wdata,  input wire [3:0] s_axil_wstrb, input wire s_axil_wvalid, output wire s_axil_wready,
    output wire [1:0]  s_axil_bresp,  output wire s_axil_bvalid, input wire s_axil_bready,
    input  wire [11:0] s_axil_araddr, input wire s_axil_arvalid, output wire s_axil_arready,
    output wire [31:0] s_axil_rdata,  output wire [1:0] s_axil_rresp, output wire s_axil_rvalid, input wire s_axil_rready,
    output wire [3:0] m_axi_arid, output wire [ADDR_W-1:0] m_axi_araddr, output wire [7:0] m_axi_arlen,
    output wire [2:0] m_axi_arsize, output wire [1:0] m_axi_arburst, output wire m_axi_arvalid, input wire m_axi_arready,
    input  wire [3:0] m_axi_rid, input wire [RD_BYTES*8-1:0] m_axi_rdata, input wire [1:0] m_axi_rresp,
    input  wire m_axi_rlast, input wire m_axi_rvalid, output wire m_axi_rready,
    output wire [3:0] m_axi_awid, output wire [ADDR_W-1:0] m_axi_awaddr, output wire [7:0] m_axi_awlen,
    output wire [2:0] m_axi_awsize, output wire [1:0] m_axi_awburst, output wire m_axi_awvalid, input wire m_axi_awready,
    output wire [WR_BYTES*8-1:0] m_axi_wdata, output wire [WR_BYTES-1:0] m_axi_wstrb, output wire m_axi_wlast,
    output wire m_axi_wvalid, input wire m_axi_wready,
    input  wire [3:0] m_axi_bid, input wire [1:0] m_axi_bresp, input wire m_axi_bvalid, output wire m_axi_bready,
    output wire irq
);
    function integer clog2;
        input integer v;
        integer t;
        begin
            clog2 = 0; t = v - 1;
            while (t > 0) begin clog2 = clog2 + 1; t = t >> 1; end
            if (clog2 == 0) clog2 = 1;
        end
    endfunction
    localparam IAW    = clog2(IBUF_WORDS);
    localparam WAW    = clog2(WBUF_ROWS);
    localparam OAW    = clog2(OBUF_WORDS);
    localparam QROWS  = QBUF_ENTRIES / LANES;
    localparam QAW    = clog2(QROWS);
    localparam QAW2   = clog2(2 * QROWS);       // QBUF holds two sets (double-buffered)
    // upper halves of the double-buffered IBUF, WBUF, OBUF (mbn_ctrl)
    localparam [31:0] IB_HI32 = IBUF_WORDS / 2;
    localparam [31:0] WB_HI32 = WBUF_ROWS / 2;
    localparam [31:0] OB_HI32 = OBUF_WORDS / 2;
    localparam [31:0] QB_HI32 = QROWS;
    localparam [IAW-1:0]  IB_HI = IB_HI32[IAW-1:0];
    localparam [WAW-1:0]  WB_HI = WB_HI32[WAW-1:0];
    localparam [OAW-1:0]  OB_HI = OB_HI32[OAW-1:0];
    localparam [QAW2-1:0] QB_HI = QB_HI32[QAW2-1:0];
    localparam LB     = clog2(LANES);           // lane bits of a WBUF/QBUF stream index
    localparam RQ_LAT = 8;
    localparam NB     = LANES / 16;             // 16-byte words per result: OBUF banks, IBUF sub-banks
    localparam NBB    = LB - 4;                 // log2(NB)
    // two DMA words per cycle go into different IBUF sub-banks (or row banks) only when
    // NB >= 2 (the write path below)
    generate
        if (RD_BYTES != 16 && (RD_BYTES != 32 || NB < 2)) begin : g_bad_rd_bytes
            initial $error("RD_BYTES must be 16, or 32 with LANES >= 32");
        end
        if (WR_BYTES != 16 && (WR_BYTES != 32 || NB < 2)) begin : g_bad_wr_bytes
            initial $error("WR_BYTES must be 16, or 32 with LANES >= 32");
        end
    endgenerate

    // ---- registers -------------------------------------------------------------
    wire        start, abort;
    wire [31:0] desc_region, desc_offset, desc_count;
    wire [8*64-1:0] region_base, region_size;
    wire        busy, st_done, st_fault, done_evt, fault_evt;
    wire [31:0] fault_code, fault_desc, fault_off, desc_done;
    wire        c_pw, c_dw, c_stall;
    wire [15:0] c_mac;
    wire        rd_beat, rd_beat2, wr_beat, wr_beat2, rd_inflight, wr_inflight;

    mbn_regs #(.LANES(LANES), .IBUF_WORDS(IBUF_WORDS), .WBUF_ROWS(WBUF_ROWS),
               .OBUF_WORDS(OBUF_WORDS), .QBUF_ENTRIES(QBUF_ENTRIES),
               .MAX_RD_OUTSTANDING(MAX_RD_OUTSTANDING), .RD_BYTES(RD_BYTES), .WR_BYTES(WR_BYTES)) u_regs (
        .clk(clk), .rst(rst),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
        .start(start), .abort(abort), .desc_region(desc_region), .desc_offset(desc_offset),
        .desc_count(desc_count), .region_base(region_base), .region_size(region_size),
        .busy(busy), .st_done(st_done), .st_fault(st_fault), .done_evt(done_evt), .fault_evt(fault_evt),
        .fault_code(fault_code), .fault_desc(fault_desc), .fault_off(fault_off), .desc_done(desc_done),
        .c_pw(c_pw), .c_dw(c_dw), .c_mac(c_mac), .c_rd_beat(rd_beat), .c_rd_beat2(rd_beat2), .c_wr_beat(wr_beat), .c_wr_beat2(wr_beat2),
        .c_stall(c_stall), .c_dma_busy(rd_inflight | wr_inflight), .irq(irq));

    // ---- sequencer ------------------------------------------------------------------
    wire        rd_start, rd_abort, rd_busy, rd_err;
    wire [ADDR_W-1:0] rd_addr, wr_addr;
    wire [23:0] rd_nwords, rd_idx;
    wire [1:0]  rd_dst;
    wire [127:0] rd_data, rd_data2;             // word rd_idx, and rd_idx + 1 when rd_beat2
    wire        wr_start, wr_abort, wr_busy, wr_err;
    wire [31:0] wr_npix, wr_err_off;
    wire [11:0] wr_wpp;
    wire [15:0] wr_stride;
    wire        cmp_start, cmp_done, cmp_pipe_busy;
    wire        dw, stride2;
    wire [1:0]  round_mode;
    wire [15:0] in_rows, in_w, out_rows, out_w;
    wire [11:0] jn, oc16, groups;
    wire [31:0] pixels;
    wire [7:0]  row_off, in_zp, w_zp, out_zp, act_min, act_max;
    wire [1:0]  pad_left;
    wire        ib_ld_hi, wq_ld_hi, ib_c_hi, wq_c_hi, ob_c_hi, ob_s_hi, c_fuse;
    wire [11:0] c_obase, c_ostep;
    wire [31:0] ib_ld_rw;

    mbn_ctrl #(.LANES(LANES), .IBUF_WORDS(IBUF_WORDS), .WBUF_ROWS(WBUF_ROWS),
               .OBUF_WORDS(OBUF_WORDS), .QBUF_ENTRIES(QBUF_ENTRIES), .ADDR_W(ADDR_W)) u_ctrl (
        .clk(clk), .rst(rst), .start(start), .abort(abort),
        .desc_region(desc_region), .desc_offset(desc_offset), .desc_count(desc_count),
        .region_base(region_base), .region_size(region_size),
        .busy(busy), .st_done(st_done), .st_fault(st_fault), .done_evt(done_evt), .fault_evt(fault_evt),
        .fault_code(fault_code), .fault_desc(fault_desc), .fault_off(fault_off), .desc_done(desc_done),
        .rd_start(rd_start), .rd_addr(rd_addr), .rd_nwords(rd_nwords), .rd_abort(rd_abort),
        .rd_dst(rd_dst), .rd_busy(rd_busy), .rd_beat(rd_beat), .rd_data(rd_data), .rd_idx(rd_idx),
        .rd_beat2(rd_beat2), .rd_data2(rd_data2), .rd_err(rd_err),
        .wr_start(wr_start), .wr_addr(wr_addr), .wr_npix(wr_npix), .wr_wpp(wr_wpp),
        .wr_stride(wr_stride), .wr_abort(wr_abort), .wr_busy(wr_busy), .wr_err(wr_err),
        .wr_err_off(wr_err_off),
        .cmp_start(cmp_start), .cmp_done(cmp_done), .cmp_pipe_busy(cmp_pipe_busy),
        .dw(dw), .round_mode(round_mode), .in_rows(in_rows), .in_w(in_w), .ib_ld_rw(ib_ld_rw), .jn(jn), .oc16(oc16),
        .groups(groups), .pixels(pixels), .out_rows(out_rows), .out_w(out_w), .stride2(stride2),
        .row_off(row_off), .pad_left(pad_left), .in_zp(in_zp), .w_zp(w_zp), .out_zp(out_zp),
        .act_min(act_min), .act_max(act_max),
        .ib_ld_hi(ib_ld_hi), .wq_ld_hi(wq_ld_hi), .ib_c_hi(ib_c_hi), .wq_c_hi(wq_c_hi),
        .ob_c_hi(ob_c_hi), .ob_s_hi(ob_s_hi), .c_fuse(c_fuse), .c_obase(c_obase), .c_ostep(c_ostep),
        .c_pw(c_pw), .c_dw(c_dw), .c_stall(c_stall));

    // ---- DMA ----------------------------------------------------------------------------
    wire [OAW-1:0] ob_raddr_s;
    wire [127:0]   ob_rdata, ob_rdata2;         // words ob_raddr and (WR_BYTES 32) ob_raddr + 1
    wire [OAW-1:0] ob_raddr = ob_raddr_s + (ob_s_hi ? OB_HI : {OAW{1'b0}});

    mbn_dma_rd #(.ADDR_W(ADDR_W), .MAX_RD_OUTSTANDING(MAX_RD_OUTSTANDING), .RD_BYTES(RD_BYTES)) u_dma_rd (
        .clk(clk), .rst(rst), .start(rd_start), .addr(rd_addr), .nwords(rd_nwords), .abort(rd_abort),
        .busy(rd_busy), .beat_valid(rd_beat), .beat_data(rd_data), .beat_idx(rd_idx),
        .beat2_valid(rd_beat2), .beat2_data(rd_data2), .err(rd_err),
        .inflight(rd_inflight),
        .m_axi_arid(m_axi_arid), .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen),
        .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid), .m_axi_rdata(m_axi_rdata),
        .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid),
        .m_axi_rready(m_axi_rready));

    mbn_dma_wr #(.ADDR_W(ADDR_W), .OAW(OAW), .WR_BYTES(WR_BYTES)) u_dma_wr (
        .clk(clk), .rst(rst), .start(wr_start), .addr(wr_addr), .npix(wr_npix), .wpp(wr_wpp),
        .stride(wr_stride), .abort(wr_abort), .busy(wr_busy), .err(wr_err), .err_off(wr_err_off),
        .inflight(wr_inflight), .beat(wr_beat), .beat2(wr_beat2), .ob_raddr(ob_raddr_s), .ob_rdata(ob_rdata),
        .ob_rdata2(ob_rdata2),
        .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen),
        .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst), .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready));

    // ---- compute address generator ---------------------------------------------------
    wire           iss_valid, iss_emit, iss_first, iss_last, iss_cv;
    wire [2:0]     iss_rv;
    wire [LB-1:0]  iss_sel;
    wire [IAW-1:0] ib_raddr, ib_raddr1, ib_raddr2;
    wire [1:0]     iss_rot;
    wire [WAW-1:0] wb_raddr;
    wire [QAW-1:0] iss_qrow, q_raddr;
    wire [OAW+2:0] iss_oaddr;                  // {last group/step, IBUF bank (fused DW, chained PW), address}

    mbn_agen #(.IAW(IAW), .WAW(WAW), .QAW(QAW), .OAW(OAW), .LB(LB)) u_agen (
        .clk(clk), .rst(rst | (abort & busy)), .start(cmp_start), .dw(dw), .fuse(c_fuse), .obase(c_obase), .ostep(c_ostep),
        .in_rows(in_rows), .in_w(in_w), .jn(jn), .oc16(oc16), .groups(groups), .pixels(pixels),
        .out_rows(out_rows), .out_w(out_w), .stride2(stride2), .row_off(row_off), .pad_left(pad_left),
        .iss_valid(iss_valid), .iss_emit(iss_emit), .iss_first(iss_first), .iss_last(iss_last),
        .iss_rv(iss_rv), .iss_cv(iss_cv), .iss_sel(iss_sel), .ib_raddr(ib_raddr),
        .ib_raddr1(ib_raddr1), .ib_raddr2(ib_raddr2), .iss_rot(iss_rot), .wb_raddr(wb_raddr), .iss_qrow(iss_qrow),
        .iss_oaddr(iss_oaddr), .done(cmp_done));

    // Result words written: NB, but for the last PW group / DW channel step
    // (iss_oaddr[OAW+2]) only the words below out_c/16 resp. J = in_c/16 when that is
    // not a multiple of NB (w_rem of them).
    wire [11:0] w_rem = (dw ? jn : oc16) & 12'(NB - 1);
    wire [11:0] iss_words = iss_oaddr[OAW+2] && w_rem != 12'd0 ? w_rem : 12'(NB);
    // MAC_ACTIVE: 16*16 per PW cycle and 9*16 per DW output word (emit), per word written
    // (144 w as (w << 7) + (w << 4): no multiplier)
    wire [15:0] dw_macs = {iss_words[8:0], 7'd0} + {iss_words[11:0], 4'd0};
    assign c_mac = !iss_valid ? 16'd0 : dw ? (iss_emit ? dw_macs : 16'd0)
                 : {iss_words[7:0], 8'd0};

    // ---- buffers ---------------------------------------------------------------------------
    // DMA stream index -> buffer: IBUF word k; WBUF/QBUF lane k % LANES, row k / LANES.
    // IBUF is three row banks (docs/hw.md "IBUF row banks"): row r of a tile in bank
    // r mod 3, so the depthwise engine reads one input column (rows r0, r0+1, r0+2) per
    // cycle, one row per bank; read port k (agen) uses bank (iss_rot + k) mod 3; PW
    // reads port 0. Each bank is NB sub-banks (word w in sub-bank w % NB, mbn_bank_rot):
    // a port reads the NB words from its address on at once (DW: NB channel groups; PW
    // uses the first), and a fused DW's or chained PW's NB result words go in at once.
    localparam BW = NB * 128;                   // bits of one port's read
    wire [3*BW-1:0]      ib_rdata, ib_bdata;   // per read port, per bank
    wire [LANES*128-1:0] wb_rdata, q_rdata;
    wire [IAW-1:0]       ib_rb = ib_c_hi ? IB_HI : {IAW{1'b0}};
    wire [IAW-1:0]       ib_p0 = ib_raddr + ib_rb, ib_p1 = ib_raddr1 + ib_rb, ib_p2 = ib_raddr2 + ib_rb;
    // bank b reads port (b - rot) mod 3; port k's data comes from bank (rot + k) mod 3
    // one cycle later (registered RAM read)
    wire [3*IAW-1:0]     ib_ra = iss_rot == 2'd0 ? {ib_p2, ib_p1, ib_p0} :
                                 iss_rot == 2'd1 ? {ib_p1, ib_p0, ib_p2} : {ib_p0, ib_p2, ib_p1};
    reg  [1:0]           ib_rot_d;
    always @(posedge clk) ib_rot_d <= iss_rot;
    assign ib_rdata = ib_rot_d == 2'd0 ? ib_bdata :
                      ib_rot_d == 2'd1 ? {ib_bdata[0 +: BW], ib_bdata[2*BW +: BW], ib_bdata[BW +: BW]} :
                                         {ib_bdata[BW +: BW], ib_bdata[0 +: BW], ib_bdata[2*BW +: BW]};
    // DMA load: stream word k is row k / W, word k % W (W = ib_ld_rw, the loading
    // descriptor's row) kept as counters: x, bank, bank row base; a stream starts at
    // rd_idx 0. A 256-bit read delivers words k and k+1 (rd_beat2): k+1 is the next
    // word of the same row bank (the other sub-bank: NB >= 2) or the first of the
    // next row (the next row bank), so the two never meet in one RAM.
    reg  [IAW:0]         ibw_x_reg, ibw_base_reg;
    reg  [1:0]           ibw_bank_reg;
    wire                 ibw_first = rd_idx == 24'd0;
    wire [IAW:0]         ibw_x    = ibw_first ? {(IAW+1){1'b0}} : ibw_x_reg;
    wire [IAW:0]         ibw_base = ibw_first ? {(IAW+1){1'b0}} : ibw_base_reg;
    wire [1:0]           ibw_bank = ibw_first ? 2'd0 : ibw_bank_reg;
    wire                 ibw_eol  = {{(31-IAW){1'b0}}, ibw_x} + 32'd1 >= ib_ld_rw;
    // word k+1's position, and k+2's (the counters after a two-word beat). Whether k+1
    // ends a row too comes from x directly, not from x1 (an add and a compare less in
    // series: the 64-lane build's longest path): after a row end x1 = 0, which ends a
    // row only if rows are one word; else x1 = x + 1.
    wire [IAW:0]         ibw_x1    = ibw_eol ? {(IAW+1){1'b0}} : ibw_x + 1'b1;
    wire [1:0]           ibw_bank1 = !ibw_eol ? ibw_bank : ibw_bank == 2'd2 ? 2'd0 : ibw_bank + 2'd1;
    wire [IAW:0]         ibw_base1 = ibw_eol && ibw_bank == 2'd2 ? ibw_base + ib_ld_rw[IAW:0] : ibw_base;
    wire                 ibw_eol1  = ibw_eol ? ib_ld_rw <= 32'd1 : {{(31-IAW){1'b0}}, ibw_x} + 32'd2 >= ib_ld_rw;
    wire [IAW:0]         ibw_x2    = ibw_eol1 ? {(IAW+1){1'b0}} :
                                     ibw_eol ? {{IAW{1'b0}}, 1'b1} : ibw_x + {{(IAW-1){1'b0}}, 2'd2};
    wire [1:0]           ibw_bank2 = !ibw_eol1 ? ibw_bank1 : ibw_bank1 == 2'd2 ? 2'd0 : ibw_bank1 + 2'd1;
    wire [IAW:0]         ibw_base2 = ibw_eol1 && ibw_bank1 == 2'd2 ? ibw_base1 + ib_ld_rw[IAW:0] : ibw_base1;
    wire [IAW-1:0]       ib_ldo  = ib_ld_hi ? IB_HI : {IAW{1'b0}};
    wire [IAW-1:0]       ib_wa   = ibw_base[IAW-1:0] + ibw_x[IAW-1:0] + ib_ldo;
    wire [IAW-1:0]       ib_wa1  = ibw_base1[IAW-1:0] + ibw_x1[IAW-1:0] + ib_ldo;
    // WBUF/QBUF: word k in lane k % LANES, row k / LANES; k+1 in the next lane
    wire [23:0]          rd_idx1 = rd_idx + 24'd1;
    wire [WAW-1:0]       wb_ldo = wq_ld_hi ? WB_HI : {WAW{1'b0}};
    wire [QAW2-1:0]      q_ldo  = wq_ld_hi ? QB_HI : {QAW2{1'b0}};
    wire [WAW-1:0]       wb_wa  = rd_idx[LB +: WAW] + wb_ldo;
    wire [WAW-1:0]       wb_wa1 = rd_idx1[LB +: WAW] + wb_ldo;
    wire [WAW-1:0]       wb_rb = wq_c_hi ? WB_HI : {WAW{1'b0}};
    wire [QAW2-1:0]      q_wa  = {{(QAW2-QAW){1'b0}}, rd_idx[LB +: QAW]} + q_ldo;
    wire [QAW2-1:0]      q_wa1 = {{(QAW2-QAW){1'b0}}, rd_idx1[LB +: QAW]} + q_ldo;
    wire [QAW2-1:0]      q_ra = {{(QAW2-QAW){1'b0}}, q_raddr} + (wq_c_hi ? QB_HI : {QAW2{1'b0}});

    wire [LANES-1:0] wb_lt = ~({LANES{1'b1}} << iss_sel);   // bit m: lane m < iss_sel

    wire [LANES-1:0]   rq_valid;
    wire [LANES*8-1:0] rq_q;
    reg  [OAW+2:0]     oa_pipe [0:RQ_LAT-1];   // {last, IBUF bank (fused), address} beside the requantizers
    wire [OAW+2:0]     ob_wo = oa_pipe[RQ_LAT-1];
    // the result words the requantizers deliver now that are written (w_rem above)
    wire               wr_part = ob_wo[OAW+2] && w_rem != 12'd0;
    // IBUF write port: the DMA, or a fused DW's or a chained PW's requantized output
    // ({bank, address} from mbn_agen, in the IBUF half C does not read). mbn_ctrl keeps
    // them exclusive (a fused DW or chained PW holds all of IBUF while it computes); the
    // DMA takes precedence regardless.
    wire           ib_dma_we = rd_beat && rd_dst == 2'd1;
    wire           ib_fuse_we = rq_valid[0] && c_fuse;
    wire [31:0]    ib_fa32 = {{(32-OAW){1'b0}}, ob_wo[OAW-1:0]} + (ib_c_hi ? 32'd0 : IB_HI32);
    wire [1:0]     ib_wbank = ib_dma_we ? ibw_bank : ob_wo[OAW+1:OAW];
    always @(posedge clk) begin
        if (ib_dma_we) begin
            ibw_x_reg    <= rd_beat2 ? ibw_x2 : ibw_x1;
            ibw_bank_reg <= rd_beat2 ? ibw_bank2 : ibw_bank1;
            ibw_base_reg <= rd_beat2 ? ibw_base2 : ibw_base1;
        end
    end

    genvar l, s;
    generate
        if (NB == 1) begin : g_ib1
            wire [IAW-1:0] ib_waddr = ib_dma_we ? ib_wa : ib_fa32[IAW-1:0];
            wire [127:0]   ib_wdata = ib_dma_we ? rd_data : rq_q[127:0];
            wire           unused_part = &{1'b0, wr_part};
            for (l = 0; l < 3; l = l + 1) begin : g_ibuf
                mbn_sdp_ram #(.W(128), .D(IBUF_WORDS), .AW(IAW)) u_ibuf (
                    .clk(clk), .we((ib_dma_we || ib_fuse_we) && ib_wbank == l), .waddr(ib_waddr),
                    .wdata(ib_wdata), .raddr(ib_ra[l*IAW +: IAW]), .rdata(ib_bdata[l*128 +: 128]));
            end
        end else begin : g_ibn
            localparam SAW = IAW - NBB;         // sub-bank address width
            // the fused/chained result's words: sub-bank s takes word fk[s] at row frow[s]
            wire [NB*SAW-1:0] frow;
            wire [NB*NBB-1:0] fk;
            mbn_bank_rot #(.NBB(NBB), .AW(IAW)) u_frot (.a(ib_fa32[IAW-1:0]), .row(frow), .k(fk));
            for (l = 0; l < 3; l = l + 1) begin : g_ibuf
                wire [NB*SAW-1:0] rrow;
                wire [NB*NBB-1:0] unused_rk;
                wire [IAW-1:0]    ra = ib_ra[l*IAW +: IAW];
                mbn_bank_rot #(.NBB(NBB), .AW(IAW)) u_rrot (.a(ra), .row(rrow), .k(unused_rk));
                reg  [NBB-1:0]    rsub_d;       // sub-bank of the port's first word
                always @(posedge clk) rsub_d <= ra[NBB-1:0];
                wire [NB*128-1:0] sub_rd;
                for (s = 0; s < NB; s = s + 1) begin : g_sub
                    wire [NBB-1:0] wk = fk[s*NBB +: NBB];   // the result word sub-bank s takes
                    // DMA word k (a) or k+1 (b), else the fused/chained result word wk
                    wire dma_a = ibw_bank == l && ib_wa[NBB-1:0] == NBB'(s);
                    wire dma_b = rd_beat2 && ibw_bank1 == l && ib_wa1[NBB-1:0] == NBB'(s);
                    wire we = ib_dma_we ? dma_a || dma_b
                            : ib_fuse_we && ib_wbank == l && (!wr_part || {{(12-NBB){1'b0}}, wk} < w_rem);
                    mbn_sdp_ram #(.W(128), .D(IBUF_WORDS / NB), .AW(SAW)) u_ibuf (
                        .clk(clk), .we(we),
                        .waddr(!ib_dma_we ? frow[s*SAW +: SAW] : dma_b ? ib_wa1[IAW-1:NBB] : ib_wa[IAW-1:NBB]),
                        .wdata(!ib_dma_we ? rq_q[wk*128 +: 128] : dma_b ? rd_data2 : rd_data),
                        .raddr(rrow[s*SAW +: SAW]), .rdata(sub_rd[s*128 +: 128]));
                    // word s of the port: sub-bank (first + s) mod NB
                    wire [NBB-1:0] sg = rsub_d + NBB'(s);
                    assign ib_bdata[l*BW + s*128 +: 128] = sub_rd[sg*128 +: 128];
                end
                wire unused_rot = &{1'b0, unused_rk};
            end
        end
        for (l = 0; l < LANES; l = l + 1) begin : g_bank
            // DW: the 9*NB weight words of a channel step start at lane iss_sel of row
            // wb_raddr and wrap into the next row (mbn_agen)
            wire [WAW-1:0] wb_ra = wb_raddr + wb_rb + {{(WAW-1){1'b0}}, dw && wb_lt[l]};
            // the DMA's word k or (256-bit reads) k+1 when it belongs to this lane
            wire ld_a = rd_beat && rd_idx[LB-1:0] == l;
            wire ld_b = rd_beat2 && rd_idx1[LB-1:0] == l;
            mbn_sdp_ram #(.W(128), .D(WBUF_ROWS), .AW(WAW)) u_wbuf (
                .clk(clk), .we((ld_a || ld_b) && rd_dst == 2'd2),
                .waddr(ld_b ? wb_wa1 : wb_wa), .wdata(ld_b ? rd_data2 : rd_data),
                .raddr(wb_ra), .rdata(wb_rdata[l*128 +: 128]));
            mbn_sdp_ram #(.W(128), .D(2 * QROWS), .AW(QAW2), .DISTRIBUTED(1)) u_qbuf (
                .clk(clk), .we((ld_a || ld_b) && rd_dst == 2'd3),
                .waddr(ld_b ? q_wa1 : q_wa), .wdata(ld_b ? rd_data2 : rd_data),
                .raddr(q_ra), .rdata(q_rdata[l*128 +: 128]));
        end
    endgenerate

    // ---- MAC array, requantizers, OBUF -------------------------------------------------------
    wire                 res_valid;
    wire [LANES*32-1:0]  res_acc, res_mult, res_shift;
    wire [OAW+2:0]       res_oaddr;
    wire                 mac_busy;

    mbn_mac_array #(.LANES(LANES), .OAW(OAW + 3), .QAW(QAW), .LB(LB)) u_mac (
        .clk(clk), .rst(rst), .iss_valid(iss_valid), .iss_first(iss_first), .iss_last(iss_last),
        .iss_emit(iss_emit), .iss_rv(iss_rv), .iss_cv(iss_cv), .iss_sel(iss_sel), .iss_qrow(iss_qrow),
        .iss_oaddr(iss_oaddr),
        .dw(dw), .in_zp(in_zp), .w_zp(w_zp), .ib_rdata(ib_rdata), .wb_rdata(wb_rdata),
        .q_raddr(q_raddr), .q_rdata(q_rdata), .res_valid(res_valid), .res_acc(res_acc),
        .res_mult(res_mult), .res_shift(res_shift), .res_oaddr(res_oaddr), .busy(mac_busy));
    assign cmp_pipe_busy = mac_busy;

    generate
        for (l = 0; l < LANES; l = l + 1) begin : g_rq
            mbn_requant u_rq (
                .clk(clk), .rst(rst), .in_valid(res_valid), .acc(res_acc[l*32 +: 32]),
                .mult(res_mult[l*32 +: 32]), .shift(res_shift[l*32 +: 32]), .round_mode(round_mode),
                .out_zp(out_zp), .act_min(act_min), .act_max(act_max),
                .out_valid(rq_valid[l]), .out_q(rq_q[l*8 +: 8]));
        end
    endgenerate

    // OBUF address travels beside the requantizers
    integer k;
    always @(posedge clk) begin
        oa_pipe[0] <= res_oaddr;
        for (k = 1; k < RQ_LAT; k = k + 1) oa_pipe[k] <= oa_pipe[k-1];
    end

    wire [OAW-1:0] ob_wa = ob_wo[OAW-1:0] + (ob_c_hi ? OB_HI : {OAW{1'b0}});
    generate
        if (NB == 1) begin : g_ob
            mbn_sdp_ram #(.W(128), .D(OBUF_WORDS), .AW(OAW)) u_obuf (
                .clk(clk), .we(rq_valid[0] && !c_fuse), .waddr(ob_wa), .wdata(rq_q),
                .raddr(ob_raddr), .rdata(ob_rdata));
            assign ob_rdata2 = ob_rdata;    // unused: WR_BYTES is 16 here
        end else begin : g_obn
            // NB banks, OBUF word w in bank w % NB at w / NB: the NB words of a result
            // (lanes 16k..16k+15 = word k; PW: output channels, DW: channel groups) go to
            // words w0..w0+NB-1 at once, w0 = ob_wa, rotated onto the banks by
            // mbn_bank_rot (pixel p of a PW group starts at p*oc16 % NB, a DW step's
            // words at (p*J + cg) % NB); the last group/step writes only its w_rem
            // words when that is not 0. The write DMA reads one word per cycle, or
            // (WR_BYTES 32) words a and a+1: bank (a+1) % NB, which is bank 0 at the
            // next row when a is in the last bank.
            reg  [NBB-1:0]          ob_rbank;
            wire [NB*128-1:0]       ob_rd;
            wire [NB*(OAW-NBB)-1:0] ob_row;
            wire [NB*NBB-1:0]       ob_k;
            mbn_bank_rot #(.NBB(NBB), .AW(OAW)) u_orot (.a(ob_wa), .row(ob_row), .k(ob_k));
            always @(posedge clk) ob_rbank <= ob_raddr[NBB-1:0];
            wire [OAW-NBB-1:0] ob_rrow  = ob_raddr[OAW-1:NBB];
            wire [OAW-NBB-1:0] ob_rrow0 = WR_BYTES == 32 && ob_raddr[NBB-1:0] == {NBB{1'b1}} ?
                                          ob_rrow + 1'b1 : ob_rrow;   // bank 0's row
            for (l = 0; l < NB; l = l + 1) begin : g_obank
                wire [NBB-1:0] wk  = ob_k[l*NBB +: NBB];   // the result word bank l takes
                wire           pwe = !wr_part || {{(12-NBB){1'b0}}, wk} < w_rem;
                mbn_sdp_ram #(.W(128), .D(OBUF_WORDS / NB), .AW(OAW - NBB)) u_obuf (
                    .clk(clk), .we(rq_valid[0] && !c_fuse && pwe),
                    .waddr(ob_row[l*(OAW-NBB) +: OAW-NBB]), .wdata(rq_q[wk*128 +: 128]),
                    .raddr(l == 0 ? ob_rrow0 : ob_rrow), .rdata(ob_rd[l*128 +: 128]));
            end
            wire [NBB-1:0] ob_rbank1 = ob_rbank + 1'b1;
            assign ob_rdata  = ob_rd[ob_rbank*128 +: 128];
            assign ob_rdata2 = ob_rd[ob_rbank1*128 +: 128];
        end
    endgenerate

    wire unused_ok = &{1'b0, rq_valid[LANES-1:1], rd_idx[23:LB+WAW], rd_idx1[23:LB+WAW], ib_wa1, st_done, st_fault, ib_fa32[31:IAW],
                         ib_ld_rw[31:IAW+1]};
endmodule
`default_nettype wire
