// SPDX-License-Identifier: Apache-2.0
// mbn_dma_rd: AXI4 read master. Owns the AR/R channels: splits a transfer of
// `nwords` 16-byte words at `addr` into INCR bursts (<= 16 beats, arsize 4, never
// crossing 4 KiB), keeps up to MAX_RD_OUTSTANDING bursts in flight, and streams the
// returned beats out in order with their word index (always ready: the
// destinations are on-chip RAMs). RRESP != OKAY raises `err` with that beat's index.
// `abort` stops issuing; `busy` stays high until every issued burst has returned.
`default_nettype none
module mbn_dma_rd #(
    parameter ADDR_W = 40,
    parameter MAX_RD_OUTSTANDING = 8
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    input  wire [ADDR_W-1:0] addr,
    input  wire [23:0]       nwords,
    input  wire              abort,
    output wire              busy,
    output wire              beat_valid,
    output wire [127:0]      beat_data,
    output wire [23:0]       beat_idx,
    output wire              err,
    output wire              inflight,    // an AXI read is in flight
    output wire [3:0]        m_axi_arid,
    output wire [ADDR_W-1:0] m_axi_araddr,
    output wire [7:0]        m_axi_arlen,
    output wire [2:0]        m_axi_arsize,
    output wire [1:0]        m_axi_arburst,
    output wire              m_axi_arvalid,
    input  wire              m_axi_arready,
    input  wire [3:0]        m_axi_rid,
    input  wire [127:0]      m_axi_rdata,
    input  wire [1:0]        m_axi_rresp,
    input  wire              m_axi_rlast,
    input  wire              m_axi_rvalid,
    output wire              m_axi_rready
);
    reg [ADDR_W-1:0] addr_reg;
    reg [23:0]       rem_reg;
    reg              abort_reg;
    reg              arvalid_reg;
    reg [ADDR_W-1:0] araddr_reg;
    reg [7:0]        arlen_reg;
    reg [7:0]        outst_reg;
    reg [23:0]       idx_reg;

    wire [8:0]  bwords = 9'd256 - {1'b0, addr_reg[11:4]};            // words to the 4 KiB line
    wire [23:0] len_a  = (rem_reg < 24'd16) ? rem_reg : 24'd16;
    wire [23:0] len    = (len_a > {15'd0, bwords}) ? {15'd0, bwords} : len_a;
    wire        issue  = !arvalid_reg && rem_reg != 24'd0 && !abort_reg && !abort &&
                         outst_reg < MAX_RD_OUTSTANDING;
    wire        ar_hs  = arvalid_reg && m_axi_arready;
    wire        r_hs   = m_axi_rvalid;                               // rready is always 1
    wire        r_end  = r_hs && m_axi_rlast;

    always @(posedge clk) begin
        if (rst) begin
            rem_reg <= 24'd0; abort_reg <= 1'b0; arvalid_reg <= 1'b0;
            outst_reg <= 8'd0; idx_reg <= 24'd0;
        end else begin
            if (start) begin
                addr_reg  <= addr;
                rem_reg   <= nwords;
                abort_reg <= 1'b0;
                idx_reg   <= 24'd0;
            end else begin
                if (abort) abort_reg <= 1'b1;
                if (issue) begin
                    arvalid_reg <= 1'b1;
                    araddr_reg  <= addr_reg;
                    arlen_reg   <= len[7:0] - 8'd1;
                    addr_reg    <= addr_reg + {{(ADDR_W-28){1'b0}}, len, 4'd0};
                    rem_reg     <= rem_reg - len;
                end
                if (r_hs) idx_reg <= idx_reg + 24'd1;
            end
            if (ar_hs) arvalid_reg <= 1'b0;
            outst_reg <= outst_reg + {7'd0, ar_hs} - {7'd0, r_end};
        end
    end

    assign busy       = (rem_reg != 24'd0 && !abort_reg) || arvalid_reg || outst_reg != 8'd0;
    assign inflight   = arvalid_reg || outst_reg != 8'd0;
    assign beat_valid = r_hs;
    assign beat_data  = m_axi_rdata;
    assign beat_idx   = idx_reg;
    assign err        = r_hs && m_axi_rresp != 2'b00;

    assign m_axi_arid    = 4'd0;
    assign m_axi_araddr  = araddr_reg;
    assign m_axi_arlen   = arlen_reg;
    assign m_axi_arsize  = 3'd4;
    assign m_axi_arburst = 2'b01;
    assign m_axi_arvalid = arvalid_reg;
    assign m_axi_rready  = 1'b1;
    // single ID, in-order responses
    wire unused_ok = &{1'b0, m_axi_rid};
endmodule
`default_nettype wire
