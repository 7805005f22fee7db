// SPDX-License-Identifier: Apache-2.0
// Formal harness: mbn_dma_wr. Free inputs (start/addr/npix/wpp/stride/abort, OBUF data,
// every AXI response signal at any time); assumptions: a start only while idle
// (!busy), addr and stride 16-byte aligned, wpp >= 1, stride >= 16*wpp (the checks of
// mbn_ctrl guarantee both: out_c a non-zero multiple of 16, out_stride >= out_c); a B
// response only while an AW awaits one. Proved: every AW lies in its segment's extent
// [P, P + 16*W), segment index k < nseg, P = addr + k*stride (P starts at addr and
// steps by exactly stride), is 16-aligned and does not cross 4 KiB; busy does not rise
// without a start. Segments (mbn_dma_wr.v): a pixel each (nseg = npix, W = wpp), or for a
// dense store (stride = 16*wpp) one (nseg = 1 if npix > 0) of W = the store's word count,
// the cut multiplier's npix*wpp (held in segw_reg from the start on): then the extent is
// [addr, addr + 16*npix*wpp) = the pixels' union. See README.md.
// WR_BYTES (16, or 32: the 256-bit write port) must be the DUT's: fv_dma_wr256.ys sets
// both with chparam (the DUT is instantiated without parameters, as in fv_dma_rd.sv). At 32
// the properties carry the beat size: awsize 4 or 5, awsize 4 only with awlen 0, awaddr
// aligned to the beat size (32 bytes for awsize 5), at most 16 beats, the AW's bytes
// (16 or 32 * (awlen+1)) inside the segment's extent and (awaddr mod 4096) + bytes <=
// 4096; and a narrow beat only for a segment's word at an odd 16-byte start or its lone
// last word at an even address (strengthening: past a segment's first burst the burst
// address is 32-byte aligned).
`default_nettype none
module fv_dma_wr #(parameter WR_BYTES = 16) (input wire clk);
    localparam ADDR_W = 40;
    localparam [63:0] TOP = 64'd1 << ADDR_W;
    (* anyseq *) reg rst, start, abort, awready, wready, bvalid;
    (* anyseq *) reg [ADDR_W-1:0] addr;
    (* anyseq *) reg [31:0] npix;
    (* anyseq *) reg [11:0] wpp;
    (* anyseq *) reg [15:0] stride;
    (* anyseq *) reg [1:0] bresp;
    (* anyseq *) reg [127:0] ob_rdata, ob_rdata2;
    wire busy, err, infl, beat, beat2, awvalid, wlast, wvalid, bready;
    wire [31:0] err_off; wire [11:0] ob_raddr; wire [3:0] awid;
    wire [ADDR_W-1:0] awaddr; wire [7:0] awlen; wire [2:0] awsize; wire [1:0] awburst;
    wire [WR_BYTES*8-1:0] wdata; wire [WR_BYTES-1:0] wstrb;
    wire [ADDR_W-1:0] paddr_reg, baddr_reg; wire [31:0] pix_reg; wire [12:0] prem_reg, segw_reg;
    wire [15:0] stride_reg; wire [3:0] lq_cnt_reg, oq_cnt_reg;
    mbn_dma_wr dut (
        .clk(clk), .rst(rst), .start(start), .addr(addr), .npix(npix), .wpp(wpp), .stride(stride),
        .abort(abort), .busy(busy), .err(err), .err_off(err_off), .inflight(infl), .beat(beat),
        .beat2(beat2), .ob_raddr(ob_raddr), .ob_rdata(ob_rdata), .ob_rdata2(ob_rdata2),
        .m_axi_awid(awid), .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
        .m_axi_awburst(awburst), .m_axi_awvalid(awvalid), .m_axi_awready(awready),
        .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
        .m_axi_wready(wready), .m_axi_bid(4'd0), .m_axi_bresp(bresp), .m_axi_bvalid(bvalid),
        .m_axi_bready(bready),
        // exposed state (yosys `expose`, see fv_dma_wr.ys)
        .paddr_reg(paddr_reg), .baddr_reg(baddr_reg), .pix_reg(pix_reg), .prem_reg(prem_reg),
        .segw_reg(segw_reg), .stride_reg(stride_reg), .lq_cnt_reg(lq_cnt_reg), .oq_cnt_reg(oq_cnt_reg));
`ifdef FORMAL
    reg init = 1'b1;
    // ghosts: the store's start address, segment count (the rule restated: dense -> one
    // segment), words per pixel and whether it is dense; apa/ak = the segment address and
    // index k = nseg - segments left of the burst being issued (captured while no AW is
    // pending: an issue needs !awvalid); pq/pixq/st_q: last cycle's segment state; segq:
    // segw_reg one cycle ago
    reg [ADDR_W-1:0] g_lo = 0, g_apa = 0, g_pq = 0;
    reg [31:0]       g_npix = 0, g_ak = 0, g_pixq = 0;
    reg [12:0]       g_segq = 0;
    reg [11:0]       g_wpp = 0;
    reg              g_dense = 1'b0, g_any = 1'b0;   // g_any: a store started since reset
    reg              g_stq = 1'b1;
    wire             dense_in = stride == {wpp, 4'd0};
    always @(posedge clk) begin
        init <= 1'b0;
        if (start && !rst) begin
            g_lo <= addr; g_wpp <= wpp; g_dense <= dense_in; g_any <= 1'b1;
            g_npix <= dense_in ? {31'd0, npix != 32'd0} : npix;
        end
        if (rst) g_any <= 1'b0;
        g_segq <= segw_reg;
        if (!awvalid) begin g_apa <= paddr_reg; g_ak <= g_npix - pix_reg; end
        g_pq <= paddr_reg; g_pixq <= pix_reg; g_stq <= start || rst;
    end
    wire [ADDR_W-1:0] boff = baddr_reg - paddr_reg;       // offset within the pixel
    wire [ADDR_W-1:0] aoff = awaddr - g_apa;
    // WR_BYTES 32: the AW's bytes, 32*(awlen+1) for awsize 5, else 16*(awlen+1)
    wire [13:0] nbytes = awsize == 3'd5 ? {{1'b0, awlen} + 9'd1, 5'd0} : {1'b0, {1'b0, awlen} + 9'd1, 4'd0};
    always @(*) begin
        if (init) assume(rst);
        if (start) assume(!busy && addr[3:0] == 4'd0 && stride[3:0] == 4'd0 && wpp != 12'd0 &&
                          {16'd0, stride} >= {16'd0, wpp, 4'd0});
        if (bvalid) assume(oq_cnt_reg != 4'd0);
        if (!init) begin
            // the properties: every AW (while valid, so also at the handshake) lies in
            // the extent [P, P + 16*W) of segment k < nseg, P its address; segment
            // addresses start at addr and step by exactly stride (so P = addr + k*stride);
            // W = wpp per pixel, or the store's word count in one dense segment
            if (awvalid && WR_BYTES == 16) begin
                assert({4'd0, aoff} + {36'd0, awlen, 4'd0} + 44'd16 <= {27'd0, segw_reg, 4'd0});
                assert(g_ak < g_npix);
                assert(awaddr[3:0] == 4'd0);
                assert({1'b0, awaddr[11:4]} + {1'b0, awlen} <= 9'd255);   // no 4 KiB crossing
                assert(awsize == 3'd4 && awburst == 2'b01);
            end
            if (awvalid && WR_BYTES == 32) begin
                assert((awsize == 3'd4 || awsize == 3'd5) && awburst == 2'b01);
                assert(awsize == 3'd5 || awlen == 8'd0);          // a narrow beat is a single beat
                assert(awlen <= 8'd15);                           // at most 16 beats
                assert(awaddr[3:0] == 4'd0);
                assert(awsize == 3'd4 || awaddr[4] == 1'b0);       // 32-aligned full beats
                assert({4'd0, aoff} + {30'd0, nbytes} <= {27'd0, segw_reg, 4'd0});
                assert(g_ak < g_npix);
                assert({2'b0, awaddr[11:0]} + nbytes <= 14'd4096); // no 4 KiB crossing
                // narrow only at a segment's odd start or for its lone last word (even)
                assert(awsize == 3'd5 || (aoff == 40'd0 && awaddr[4]) ||
                       ({4'd0, aoff} + 44'd16 == {27'd0, segw_reg, 4'd0} && !awaddr[4]));
            end
            if (!g_stq && pix_reg != g_pixq) assert(pix_reg == g_pixq - 32'd1 && paddr_reg == g_pq + {24'd0, stride_reg});
            if (!g_stq && pix_reg == g_pixq) assert(paddr_reg == g_pq);
            // W: wpp per pixel, or (dense) fixed from the start on; a dense store is one
            // segment at addr and stride = 16*wpp (its pixels' union is the segment)
            if (g_any && !g_stq && !g_dense) assert(segw_reg == {1'b0, g_wpp});
            if (g_any && !g_stq && g_dense) assert(segw_reg == g_segq);
            if (g_any && !g_stq && g_dense) assert(stride_reg == {g_wpp, 4'd0} && g_npix <= 32'd1);
            // strengthening invariants
            assert(pix_reg <= g_npix);
            if (pix_reg != 32'd0) begin
                assert(pix_reg != g_npix || paddr_reg == g_lo);
                assert(paddr_reg[3:0] == 4'd0 && baddr_reg[3:0] == 4'd0 && stride_reg[3:0] == 4'd0);
                assert(segw_reg != 13'd0);
                assert(prem_reg != 13'd0 && prem_reg <= segw_reg);
                assert({4'd0, boff} + {27'd0, prem_reg, 4'd0} == {27'd0, segw_reg, 4'd0});
                // WR_BYTES 32: past its first burst, a segment's bursts are 32-aligned
                if (WR_BYTES == 32 && prem_reg != segw_reg) assert(!baddr_reg[4]);
            end
            assert({1'b0, lq_cnt_reg} + {4'd0, awvalid} <= 5'd8);
            assert({1'b0, oq_cnt_reg} + {4'd0, awvalid} <= 5'd8);
        end
    end
`endif
endmodule
`default_nettype wire
