// SPDX-License-Identifier: Apache-2.0
// mbn_dma_wr: AXI4 write master for the output tile. Owns the AW/W/B channels and
// the OBUF read port during the store phase. Pixel p's `wpp` words (out_c bytes)
// go to addr + p*stride (docs/hw.md d10/d11). The store is cut into segments, each
// split into INCR bursts (<= 16 beats, never crossing 4 KiB): a pixel per segment, or,
// when the pixels are dense (stride = 16*wpp), the whole store as one segment of
// npix*wpp words, so that narrow outputs (out_c = 16 or 32: 1-2 words per pixel) still
// go out in 16-beat bursts (with per-pixel bursts the 8 bursts awaiting B limit such
// a store to ~0.4 beats per cycle at a 16-cycle B latency). OBUF is read linearly (pixel-major, as the
// engines wrote it) through a 4-entry prefetch FIFO. Up to 8 bursts may await
// their B response; BRESP != OKAY raises `err` with that burst's byte offset
// relative to `addr`. `abort` stops new bursts; bursts already issued complete.
//
// WR_BYTES is the write data width: 16 (128 bits, awsize 4, one word per beat) or 32
// (256 bits, docs/hw.md "The 256-bit write port"), the read port's scheme (mbn_dma_rd)
// on AW/W: a burst is of full 32-byte beats (awsize 5, 32-byte aligned, two words each,
// the lower word at the lower address); a segment's word at an odd 16-byte address
// (its start) or a single word left (its end) goes as a narrow beat of its own (awsize
// 4, awlen 0; AMBA AXI4 IHI0022 A3.4.3: the word on the byte lanes of its address,
// WSTRB only those 16). So no AW covers a byte outside the store's extents. OBUF then
// delivers two consecutive words per read (ob_rdata2: word ob_raddr + 1, mbnaccel_top)
// and the prefetch FIFO holds eight words.
`default_nettype none
module mbn_dma_wr #(
    parameter ADDR_W = 40,
    parameter OAW    = 12,
    parameter WR_BYTES = 16
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    input  wire [ADDR_W-1:0] addr,
    input  wire [31:0]       npix,
    input  wire [11:0]       wpp,        // words per pixel = out_c/16
    input  wire [15:0]       stride,     // bytes
    input  wire              abort,
    output wire              busy,
    output wire              err,
    output wire [31:0]       err_off,
    output wire              inflight,
    output wire              beat,       // a W beat was accepted
    output wire              beat2,      // ... and it carried two words (WR_BYTES 32)
    output wire [OAW-1:0]    ob_raddr,
    input  wire [127:0]      ob_rdata,
    input  wire [127:0]      ob_rdata2,  // word ob_raddr + 1 (WR_BYTES 32; else unused)
    output wire [3:0]        m_axi_awid,
    output wire [ADDR_W-1:0] m_axi_awaddr,
    output wire [7:0]        m_axi_awlen,
    output wire [2:0]        m_axi_awsize,
    output wire [1:0]        m_axi_awburst,
    output wire              m_axi_awvalid,
    input  wire              m_axi_awready,
    output wire [WR_BYTES*8-1:0] m_axi_wdata,
    output wire [WR_BYTES-1:0]   m_axi_wstrb,
    output wire              m_axi_wlast,
    output wire              m_axi_wvalid,
    input  wire              m_axi_wready,
    input  wire [3:0]        m_axi_bid,
    input  wire [1:0]        m_axi_bresp,
    input  wire              m_axi_bvalid,
    output wire              m_axi_bready
);
    localparam W2 = WR_BYTES == 32;          // 256-bit data
    // ---- AW generation -------------------------------------------------------
    reg [ADDR_W-1:0] paddr_reg, baddr_reg;              // pixel, burst address
    reg [31:0]       poff_reg, boff_reg;                // same, relative to addr0
    reg [31:0]       pix_reg;                           // segments left
    // a segment is at most the store's words, which fit OBUF (<= 2^OAW: mbn_ctrl's
    // capacity check), so OAW+1 bits (wider counters lengthen the burst-length path;
    // OAW >= 12, so a pixel's wpp fits)
    localparam SW = OAW + 1;
    reg [SW-1:0]     prem_reg;                          // words left in this segment
    reg [SW-1:0]     segw_reg;                          // words per segment
    reg [15:0]       stride_reg;
    reg              abort_reg;
    reg              awvalid_reg;
    reg [ADDR_W-1:0] awaddr_reg;
    reg [7:0]        awlen_reg;
    reg              awwide_reg;                        // awsize 5 (else 4)
    reg              awhalf_reg;                        // a narrow beat's 16-byte half: address bit 4
    reg [31:0]       awoff_reg;

    // burst bookkeeping FIFOs (8 entries): W lengths {half, wide, awlen}, B offsets
    reg [9:0]  lenq [0:7];
    reg [31:0] offq [0:7];
    reg [2:0]  lq_wp_reg, lq_rp_reg, oq_wp_reg, oq_rp_reg;
    reg [3:0]  lq_cnt_reg, oq_cnt_reg;

    // the store's words (also the OBUF read count); dense: one segment of all of them
    wire [31:0] nwords = npix * {20'd0, wpp};
    wire        dense  = stride == {wpp, 4'd0};
    wire [SW-1:0] segw_n = dense ? nwords[SW-1:0] : {{(SW-12){1'b0}}, wpp};
    // The next burst is computed a cycle ahead into registers (nb_*), from the state it
    // depends on: baddr_reg/prem_reg, or at a start the store's addr and first segment.
    // That state changes only at a start or an issue, and an issue is followed by a
    // cycle with awvalid high (no issue), so the registers are current whenever an issue
    // can happen, and no cycle is lost. It keeps the length compares off the path into
    // the address and count adders (the longest register path at 32 lanes otherwise).
    wire [11:4]   nx_lo  = start ? addr[11:4] : baddr_reg[11:4];   // the 4 KiB line and bit 4
    wire [SW-1:0] nx_rem = start ? segw_n : prem_reg;
    // one narrow beat (256 bits only): an odd address or a single word left
    wire        narrow = W2 && (nx_lo[4] || nx_rem == {{(SW-1){1'b0}}, 1'b1});
    wire [SW-1:0] pbeats = W2 ? {1'b0, nx_rem[SW-1:1]} : nx_rem;        // full beats left
    wire [8:0]  bbeats = W2 ? 9'd128 - {2'b0, nx_lo[11:5]}              // beats to the 4 KiB line
                            : 9'd256 - {1'b0, nx_lo[11:4]};
    wire [4:0]  len_a  = (pbeats[SW-1:4] == {(SW-4){1'b0}}) ? {1'b0, pbeats[3:0]} : 5'd16;
    wire [4:0]  len    = narrow ? 5'd1 : ({4'd0, len_a} > bbeats) ? bbeats[4:0] : len_a;
    wire [5:0]  lw_n   = W2 && !narrow ? {len, 1'b0} : {1'b0, len};    // its words
    reg  [4:0]  nb_len_reg;               // beats of the next burst (1..16)
    reg  [5:0]  nb_words_reg;             // its words
    reg         nb_wide_reg;              // its beats are 32 bytes
    always @(posedge clk) begin
        nb_len_reg   <= len;
        nb_words_reg <= lw_n;
        nb_wide_reg  <= W2 && !narrow;
    end
    wire [11:0] lwords = {6'd0, nb_words_reg};                          // words of this burst
    wire [SW-1:0] len_w = {{(SW-6){1'b0}}, nb_words_reg};
    wire        have   = pix_reg != 32'd0;
    wire        issue  = have && !awvalid_reg && !abort_reg && !abort &&
                         lq_cnt_reg != 4'd8 && oq_cnt_reg != 4'd8;
    wire        aw_hs  = awvalid_reg && m_axi_awready;
    wire        w_hs;
    wire        w_end  = w_hs && m_axi_wlast;
    wire        b_hs   = m_axi_bvalid;                   // bready is always 1

    always @(posedge clk) begin
        if (rst) begin
            pix_reg <= 32'd0; abort_reg <= 1'b0; awvalid_reg <= 1'b0;
            lq_wp_reg <= 3'd0; lq_rp_reg <= 3'd0; oq_wp_reg <= 3'd0; oq_rp_reg <= 3'd0;
            lq_cnt_reg <= 4'd0; oq_cnt_reg <= 4'd0;
        end else begin
            if (start) begin
                paddr_reg <= addr; baddr_reg <= addr;
                poff_reg <= 32'd0; boff_reg <= 32'd0;
                pix_reg    <= dense ? {31'd0, npix != 32'd0 && segw_n != {SW{1'b0}}} : npix;
                prem_reg   <= segw_n;
                segw_reg   <= segw_n;
                stride_reg <= stride;
                abort_reg <= 1'b0;
            end else begin
                if (abort) abort_reg <= 1'b1;
                if (issue) begin
                    awvalid_reg <= 1'b1;
                    awaddr_reg  <= baddr_reg;
                    awlen_reg   <= {3'd0, nb_len_reg} - 8'd1;
                    awwide_reg  <= nb_wide_reg;
                    awhalf_reg  <= W2 && baddr_reg[4];
                    awoff_reg   <= boff_reg;
                    if (prem_reg == len_w) begin
                        // next segment (pixel)
                        pix_reg   <= pix_reg - 32'd1;
                        prem_reg  <= segw_reg;
                        paddr_reg <= paddr_reg + {{(ADDR_W-16){1'b0}}, stride_reg};
                        baddr_reg <= paddr_reg + {{(ADDR_W-16){1'b0}}, stride_reg};
                        poff_reg  <= poff_reg + {16'd0, stride_reg};
                        boff_reg  <= poff_reg + {16'd0, stride_reg};
                    end else begin
                        prem_reg  <= prem_reg - len_w;
                        baddr_reg <= baddr_reg + {{(ADDR_W-16){1'b0}}, lwords, 4'd0};
                        boff_reg  <= boff_reg + {16'd0, lwords, 4'd0};
                    end
                end
            end
            if (aw_hs) begin
                awvalid_reg <= 1'b0;
                lenq[lq_wp_reg] <= {awhalf_reg, awwide_reg, awlen_reg};
                offq[oq_wp_reg] <= awoff_reg;
                lq_wp_reg <= lq_wp_reg + 3'd1;
                oq_wp_reg <= oq_wp_reg + 3'd1;
            end
            if (w_end) lq_rp_reg <= lq_rp_reg + 3'd1;
            if (b_hs)  oq_rp_reg <= oq_rp_reg + 3'd1;
            lq_cnt_reg <= lq_cnt_reg + {3'd0, aw_hs} - {3'd0, w_end};
            oq_cnt_reg <= oq_cnt_reg + {3'd0, aw_hs} - {3'd0, b_hs};
        end
    end

    // ---- W data: OBUF prefetch into a FIFO of DQ words --------------------------
    // 4 words at 128 bits; 8 at 256 (reads of two words, beats of up to two)
    localparam DQ  = W2 ? 8 : 4;
    localparam DQB = W2 ? 3 : 2;
    reg [OAW-1:0] rd_addr_reg;
    reg [31:0]    rd_left_reg;       // words still to read from OBUF
    reg [1:0]     rd_pend_reg;       // words read last cycle, data now on ob_rdata(2)
    reg [127:0]   dq [0:DQ-1];
    reg [DQB-1:0] dq_wp_reg, dq_rp_reg;
    reg [DQB:0]   dq_cnt_reg;
    reg [7:0]     wbeat_reg;         // beat within the current burst

    // words per OBUF read: two at 256 bits while two are left
    wire [1:0]    rd_n = W2 && rd_left_reg != 32'd1 ? 2'd2 : 2'd1;
    wire rd_issue = rd_left_reg != 32'd0 &&
                    {1'b0, dq_cnt_reg} + (DQB+2)'(rd_pend_reg) + (DQB+2)'(rd_n) <= (DQB+2)'(DQ);
    wire [9:0]    lq_h   = lenq[lq_rp_reg];
    wire          w_wide = W2 && lq_h[8];      // the head burst's beats carry two words
    wire          w_half = W2 && lq_h[9];      // its narrow beat's half
    wire [DQB:0]  w_n    = w_wide ? (DQB+1)'(2) : (DQB+1)'(1);
    wire wvalid = lq_cnt_reg != 4'd0 && dq_cnt_reg >= w_n;
    assign w_hs = wvalid && m_axi_wready;
    wire [DQB-1:0] dq_rp1 = dq_rp_reg + DQB'(1), dq_wp1 = dq_wp_reg + DQB'(1);

    always @(posedge clk) begin
        if (rst) begin
            rd_left_reg <= 32'd0; rd_pend_reg <= 2'd0;
            dq_wp_reg <= {DQB{1'b0}}; dq_rp_reg <= {DQB{1'b0}}; dq_cnt_reg <= {(DQB+1){1'b0}}; wbeat_reg <= 8'd0;
        end else begin
            if (start) begin
                rd_addr_reg <= {OAW{1'b0}};
                rd_left_reg <= nwords;
            end else if (rd_issue) begin
                rd_addr_reg <= rd_addr_reg + {{(OAW-2){1'b0}}, rd_n};
                rd_left_reg <= rd_left_reg - {30'd0, rd_n};
            end
            rd_pend_reg <= rd_issue && !start ? rd_n : 2'd0;
            if (start) begin
                // nothing is in flight when a store starts (busy was low): drop any
                // prefetched words an aborted store left behind
                dq_wp_reg <= {DQB{1'b0}}; dq_rp_reg <= {DQB{1'b0}}; dq_cnt_reg <= {(DQB+1){1'b0}}; wbeat_reg <= 8'd0;
            end else begin
                if (rd_pend_reg != 2'd0) begin
                    dq[dq_wp_reg] <= ob_rdata;
                    if (rd_pend_reg == 2'd2) dq[dq_wp1] <= ob_rdata2;
                    dq_wp_reg <= dq_wp_reg + DQB'(rd_pend_reg);
                end
                if (w_hs) begin
                    dq_rp_reg <= dq_rp_reg + w_n[DQB-1:0];
                    wbeat_reg <= m_axi_wlast ? 8'd0 : wbeat_reg + 8'd1;
                end
                dq_cnt_reg <= dq_cnt_reg + (DQB+1)'(rd_pend_reg) - (w_hs ? w_n : {(DQB+1){1'b0}});
            end
        end
    end

    assign ob_raddr = rd_addr_reg;
    assign busy     = (pix_reg != 32'd0 && !abort_reg) || awvalid_reg ||
                      lq_cnt_reg != 4'd0 || oq_cnt_reg != 4'd0;
    assign inflight = awvalid_reg || lq_cnt_reg != 4'd0 || oq_cnt_reg != 4'd0;
    assign beat     = w_hs;
    assign beat2    = w_hs && w_wide;
    assign err      = b_hs && m_axi_bresp != 2'b00;
    assign err_off  = offq[oq_rp_reg];

    assign m_axi_awid    = 4'd0;
    assign m_axi_awaddr  = awaddr_reg;
    assign m_axi_awlen   = awlen_reg;
    assign m_axi_awsize  = awwide_reg ? 3'd5 : 3'd4;
    assign m_axi_awburst = 2'b01;
    assign m_axi_awvalid = awvalid_reg;
    generate
        if (W2) begin : g_w256
            // a full beat: words rp (lower) and rp+1; a narrow one: the word on both
            // halves, WSTRB on the half of its address
            assign m_axi_wdata = {w_wide ? dq[dq_rp1] : dq[dq_rp_reg], dq[dq_rp_reg]};
            assign m_axi_wstrb = w_wide ? {32{1'b1}} : w_half ? {16'hffff, 16'h0000} : {16'h0000, 16'hffff};
        end else begin : g_w128
            assign m_axi_wdata = dq[dq_rp_reg];
            assign m_axi_wstrb = 16'hffff;
            wire unused_w2 = &{1'b0, ob_rdata2, dq_rp1, dq_wp1, w_half};
        end
    endgenerate
    assign m_axi_wlast   = wbeat_reg == lq_h[7:0];
    assign m_axi_wvalid  = wvalid;
    assign m_axi_bready  = 1'b1;
    wire unused_ok = &{1'b0, m_axi_bid};
endmodule
`default_nettype wire
