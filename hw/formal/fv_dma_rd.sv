// SPDX-License-Identifier: Apache-2.0
// Formal harness: mbn_dma_rd. Free inputs (start/addr/nwords/abort, every AXI response
// signal at any time); assumptions: a start only while idle (!busy), the transfer
// [addr, addr + 16*nwords) 16-byte aligned and below 2^ADDR_W. Proved: every AR lies in
// the window of the start that issued it, is 16-aligned and does not cross 4 KiB; busy
// does not rise without a start (what fv_ctrl assumes of rd_busy).
`default_nettype none
module fv_dma_rd (input wire clk);
    localparam ADDR_W = 40;
    localparam [ADDR_W:0] TOP = {1'b1, {ADDR_W{1'b0}}};   // 2^ADDR_W
    (* anyseq *) reg rst, start, abort, arready, rvalid, rlast;
    (* anyseq *) reg [ADDR_W-1:0] addr;
    (* anyseq *) reg [23:0] nwords;
    (* anyseq *) reg [1:0] rresp;
    (* anyseq *) reg [127:0] rdata;
    wire busy, bv, err, infl, arvalid, rready;
    wire [127:0] bd; wire [23:0] bidx; wire [3:0] arid;
    wire [ADDR_W-1:0] araddr; wire [7:0] arlen; wire [2:0] arsize; wire [1:0] arburst;
    wire [ADDR_W-1:0] addr_reg; wire [23:0] rem_reg; wire arvalid_reg; wire abort_reg;
    wire [7:0] outst_reg;
    mbn_dma_rd dut (
        .clk(clk), .rst(rst), .start(start), .addr(addr), .nwords(nwords), .abort(abort),
        .busy(busy), .beat_valid(bv), .beat_data(bd), .beat_idx(bidx), .err(err), .inflight(infl),
        .m_axi_arid(arid), .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
        .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
        .m_axi_rid(4'd0), .m_axi_rdata(rdata), .m_axi_rresp(rresp), .m_axi_rlast(rlast),
        .m_axi_rvalid(rvalid), .m_axi_rready(rready),
        .addr_reg(addr_reg), .rem_reg(rem_reg), .outst_reg(outst_reg));   // exposed state
`ifdef FORMAL
    reg init = 1'b1;
    reg [ADDR_W:0] g_lo = 0, g_hi = 0;     // window of the current transfer
    wire [ADDR_W:0] s_hi = {1'b0, addr} + {13'd0, nwords, 4'd0};
    always @(posedge clk) begin
        init <= 1'b0;
        if (start && !rst) begin g_lo <= {1'b0, addr}; g_hi <= s_hi; end
    end
    always @(*) begin
        assume(init == rst || !init);
        if (init) assume(rst);
        if (start) assume(!busy && addr[3:0] == 4'd0 && s_hi <= TOP);
        // AXI: a read response only for a burst in flight (else outst_reg would wrap)
        if (rvalid && rlast) assume(outst_reg != 8'd0);
        if (!init) begin
            // the property: every AR (while valid, so also at the handshake)
            if (arvalid) begin
                assert({1'b0, araddr} >= g_lo);
                assert({1'b0, araddr} + {25'd0, arlen, 4'd0} + 41'd16 <= g_hi);
                assert(araddr[3:0] == 4'd0);
                assert({1'b0, araddr[11:4]} + {1'b0, arlen} <= 9'd255);   // no 4 KiB crossing
                assert(arsize == 3'd4 && arburst == 2'b01);
                // strengthening: the issued burst ends where the next starts
                assert(araddr + {28'd0, arlen, 4'd0} + 40'd16 == addr_reg);   // mod 2^40
            end
            // strengthening invariants
            assert(addr_reg[3:0] == 4'd0 || rem_reg == 24'd0);
            if (rem_reg != 24'd0) begin
                assert({1'b0, addr_reg} >= g_lo);
                assert({1'b0, addr_reg} + {13'd0, rem_reg, 4'd0} == g_hi);
            end
            assert(g_hi <= TOP && g_lo[3:0] == 4'd0 && g_lo <= g_hi);
            assert({1'b0, outst_reg} + {8'd0, arvalid} <= 9'd8);
        end
    end
    // busy does not rise without a start
    reg busy_q = 1'b0, start_q = 1'b0;
    always @(posedge clk) begin busy_q <= busy; start_q <= start; end
    always @(*) if (!init && !busy_q && !start_q && !rst) assert(!busy);
`endif
endmodule
`default_nettype wire
