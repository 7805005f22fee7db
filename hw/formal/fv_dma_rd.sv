// SPDX-License-Identifier: Apache-2.0
// Formal harness: mbn_dma_rd. Free inputs (start/addr/nwords/abort, every AXI response
// signal at any time); assumptions: a start only while idle (!busy), the transfer
// [addr, addr + 16*nwords) 16-byte aligned and below 2^ADDR_W. Proved: every AR lies in
// the window of the start that issued it, is 16-aligned and does not cross 4 KiB; busy
// does not rise without a start (what fv_ctrl assumes of rd_busy).
// RD_BYTES (16, or 32: the 256-bit read port) must be the DUT's: fv_dma_rd256.ys sets both
// with chparam (the DUT is instantiated without parameters, since yosys re-derived from its
// AST would drop the exposed ports). At 32 also proved: arsize 4 or 5, arsize 4 only with
// arlen 0, araddr aligned to the beat size (32 bytes for arsize 5), at most 16 beats,
// (araddr mod 4096) + 16 or 32 * (arlen+1) <= 4096; the window and strengthening
// properties with the beat size.
`default_nettype none
module fv_dma_rd #(parameter RD_BYTES = 16) (input wire clk);
    localparam ADDR_W = 40;
    localparam [ADDR_W:0] TOP = {1'b1, {ADDR_W{1'b0}}};   // 2^ADDR_W
    (* anyseq *) reg rst, start, abort, arready, rvalid, rlast;
    (* anyseq *) reg [ADDR_W-1:0] addr;
    (* anyseq *) reg [23:0] nwords;
    (* anyseq *) reg [1:0] rresp;
    (* anyseq *) reg [RD_BYTES*8-1:0] rdata;
    wire busy, bv, err, infl, arvalid, rready, bv2;
    wire [127:0] bd, bd2; wire [23:0] bidx; wire [3:0] arid;
    wire [ADDR_W-1:0] araddr; wire [7:0] arlen; wire [2:0] arsize; wire [1:0] arburst;
    wire [ADDR_W-1:0] addr_reg; wire [23:0] rem_reg; wire arvalid_reg; wire abort_reg;
    wire [7:0] outst_reg;
    mbn_dma_rd dut (
        .clk(clk), .rst(rst), .start(start), .addr(addr), .nwords(nwords), .abort(abort),
        .busy(busy), .beat_valid(bv), .beat_data(bd), .beat_idx(bidx),
        .beat2_valid(bv2), .beat2_data(bd2), .err(err), .inflight(infl),
        .m_axi_arid(arid), .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
        .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
        .m_axi_rid(4'd0), .m_axi_rdata(rdata), .m_axi_rresp(rresp), .m_axi_rlast(rlast),
        .m_axi_rvalid(rvalid), .m_axi_rready(rready),
        .addr_reg(addr_reg), .rem_reg(rem_reg), .outst_reg(outst_reg));   // exposed state
`ifdef FORMAL
    reg init = 1'b1;
    reg [ADDR_W:0] g_lo = 0, g_hi = 0;     // window of the current transfer
    wire [ADDR_W:0] s_hi = {1'b0, addr} + {13'd0, nwords, 4'd0};
    // RD_BYTES 32: the AR's bytes, 32*(arlen+1) for arsize 5, else 16*(arlen+1)
    wire [13:0] nbytes = arsize == 3'd5 ? {{1'b0, arlen} + 9'd1, 5'd0} : {1'b0, {1'b0, arlen} + 9'd1, 4'd0};
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
            if (arvalid && RD_BYTES == 16) begin
                assert({1'b0, araddr} >= g_lo);
                assert({1'b0, araddr} + {25'd0, arlen, 4'd0} + 41'd16 <= g_hi);
                assert(araddr[3:0] == 4'd0);
                assert({1'b0, araddr[11:4]} + {1'b0, arlen} <= 9'd255);   // no 4 KiB crossing
                assert(arsize == 3'd4 && arburst == 2'b01);
                // strengthening: the issued burst ends where the next starts
                assert(araddr + {28'd0, arlen, 4'd0} + 40'd16 == addr_reg);   // mod 2^40
            end
            if (arvalid && RD_BYTES == 32) begin
                assert((arsize == 3'd4 || arsize == 3'd5) && arburst == 2'b01);
                assert(arsize == 3'd5 || arlen == 8'd0);          // a narrow beat is a single beat
                assert(arlen <= 8'd15);                           // at most 16 beats
                assert(araddr[3:0] == 4'd0);
                assert(arsize == 3'd4 || araddr[4] == 1'b0);       // 32-aligned full beats
                assert({1'b0, araddr} >= g_lo);
                assert({1'b0, araddr} + {27'd0, nbytes} <= g_hi);
                assert({2'b0, araddr[11:0]} + nbytes <= 14'd4096); // no 4 KiB crossing
                // strengthening: the issued burst ends where the next starts
                assert(araddr + {26'd0, nbytes} == addr_reg);     // mod 2^40
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
