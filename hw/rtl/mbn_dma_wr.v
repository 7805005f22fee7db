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
`default_nettype none
module mbn_dma_wr #(
    parameter ADDR_W = 40,
    parameter OAW    = 12
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
    output wire [OAW-1:0]    ob_raddr,
    input  wire [127:0]      ob_rdata,
    output wire [3:0]        m_axi_awid,
    output wire [ADDR_W-1:0] m_axi_awaddr,
    output wire [7:0]        m_axi_awlen,
    output wire [2:0]        m_axi_awsize,
    output wire [1:0]        m_axi_awburst,
    output wire              m_axi_awvalid,
    input  wire              m_axi_awready,
    output wire [127:0]      m_axi_wdata,
    output wire [15:0]       m_axi_wstrb,
    output wire              m_axi_wlast,
    output wire              m_axi_wvalid,
    input  wire              m_axi_wready,
    input  wire [3:0]        m_axi_bid,
    input  wire [1:0]        m_axi_bresp,
    input  wire              m_axi_bvalid,
    output wire              m_axi_bready
);
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
    reg [31:0]       awoff_reg;

    // burst bookkeeping FIFOs (8 entries): W lengths, B offsets
    reg [7:0]  lenq [0:7];
    reg [31:0] offq [0:7];
    reg [2:0]  lq_wp_reg, lq_rp_reg, oq_wp_reg, oq_rp_reg;
    reg [3:0]  lq_cnt_reg, oq_cnt_reg;

    wire [8:0]  bwords = 9'd256 - {1'b0, baddr_reg[11:4]};
    wire [11:0] len_a  = (prem_reg[SW-1:4] == {(SW-4){1'b0}}) ? {8'd0, prem_reg[3:0]} : 12'd16;
    wire [11:0] len    = (len_a > {3'd0, bwords}) ? {3'd0, bwords} : len_a;
    wire [SW-1:0] len_w = {{(SW-12){1'b0}}, len};
    wire        have   = pix_reg != 32'd0;
    wire        issue  = have && !awvalid_reg && !abort_reg && !abort &&
                         lq_cnt_reg != 4'd8 && oq_cnt_reg != 4'd8;
    wire        aw_hs  = awvalid_reg && m_axi_awready;
    wire        w_hs;
    wire        w_end  = w_hs && m_axi_wlast;
    wire        b_hs   = m_axi_bvalid;                   // bready is always 1
    // the store's words (also the OBUF read count); dense: one segment of all of them
    wire [31:0] nwords = npix * {20'd0, wpp};
    wire        dense  = stride == {wpp, 4'd0};
    wire [SW-1:0] segw_n = dense ? nwords[SW-1:0] : {{(SW-12){1'b0}}, wpp};

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
                    awlen_reg   <= len[7:0] - 8'd1;
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
                        baddr_reg <= baddr_reg + {{(ADDR_W-16){1'b0}}, len, 4'd0};
                        boff_reg  <= boff_reg + {16'd0, len, 4'd0};
                    end
                end
            end
            if (aw_hs) begin
                awvalid_reg <= 1'b0;
                lenq[lq_wp_reg] <= awlen_reg;
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

    // ---- W data: OBUF prefetch into a 4-entry FIFO -----------------------------
    reg [OAW-1:0] rd_addr_reg;
    reg [31:0]    rd_left_reg;       // words still to read from OBUF
    reg           rd_pend_reg;       // a read issued last cycle, data now on ob_rdata
    reg [127:0]   dq [0:3];
    reg [1:0]     dq_wp_reg, dq_rp_reg;
    reg [2:0]     dq_cnt_reg;
    reg [7:0]     wbeat_reg;         // beat within the current burst

    wire rd_issue = rd_left_reg != 32'd0 && ({1'b0, dq_cnt_reg} + {3'd0, rd_pend_reg}) < 4'd4;
    wire wvalid = lq_cnt_reg != 4'd0 && dq_cnt_reg != 3'd0;
    assign w_hs = wvalid && m_axi_wready;

    always @(posedge clk) begin
        if (rst) begin
            rd_left_reg <= 32'd0; rd_pend_reg <= 1'b0;
            dq_wp_reg <= 2'd0; dq_rp_reg <= 2'd0; dq_cnt_reg <= 3'd0; wbeat_reg <= 8'd0;
        end else begin
            if (start) begin
                rd_addr_reg <= {OAW{1'b0}};
                rd_left_reg <= nwords;
            end else if (rd_issue) begin
                rd_addr_reg <= rd_addr_reg + {{(OAW-1){1'b0}}, 1'b1};
                rd_left_reg <= rd_left_reg - 32'd1;
            end
            rd_pend_reg <= rd_issue && !start;
            if (start) begin
                // nothing is in flight when a store starts (busy was low): drop any
                // prefetched words an aborted store left behind
                dq_wp_reg <= 2'd0; dq_rp_reg <= 2'd0; dq_cnt_reg <= 3'd0; wbeat_reg <= 8'd0;
            end else begin
                if (rd_pend_reg) begin
                    dq[dq_wp_reg] <= ob_rdata;
                    dq_wp_reg <= dq_wp_reg + 2'd1;
                end
                if (w_hs) begin
                    dq_rp_reg <= dq_rp_reg + 2'd1;
                    wbeat_reg <= m_axi_wlast ? 8'd0 : wbeat_reg + 8'd1;
                end
                dq_cnt_reg <= dq_cnt_reg + {2'd0, rd_pend_reg} - {2'd0, w_hs};
            end
        end
    end

    assign ob_raddr = rd_addr_reg;
    assign busy     = (pix_reg != 32'd0 && !abort_reg) || awvalid_reg ||
                      lq_cnt_reg != 4'd0 || oq_cnt_reg != 4'd0;
    assign inflight = awvalid_reg || lq_cnt_reg != 4'd0 || oq_cnt_reg != 4'd0;
    assign beat     = w_hs;
    assign err      = b_hs && m_axi_bresp != 2'b00;
    assign err_off  = offq[oq_rp_reg];

    assign m_axi_awid    = 4'd0;
    assign m_axi_awaddr  = awaddr_reg;
    assign m_axi_awlen   = awlen_reg;
    assign m_axi_awsize  = 3'd4;
    assign m_axi_awburst = 2'b01;
    assign m_axi_awvalid = awvalid_reg;
    assign m_axi_wdata   = dq[dq_rp_reg];
    assign m_axi_wstrb   = 16'hffff;
    assign m_axi_wlast   = wbeat_reg == lenq[lq_rp_reg];
    assign m_axi_wvalid  = wvalid;
    assign m_axi_bready  = 1'b1;
    wire unused_ok = &{1'b0, m_axi_bid};
endmodule
`default_nettype wire
