// SPDX-License-Identifier: Apache-2.0
// mbn_dma_rd: AXI4 read master. Owns the AR/R channels: splits a transfer of
// `nwords` 16-byte words at `addr` into INCR bursts (<= 16 beats, never crossing
// 4 KiB), keeps up to MAX_RD_OUTSTANDING bursts in flight, and streams the returned
// words out in order with their word index (always ready: the destinations are
// on-chip RAMs). RRESP != OKAY raises `err` with that beat's first word index.
// `abort` stops issuing; `busy` stays high until every issued burst has returned.
//
// RD_BYTES is the read data width: 16 (128 bits, arsize 4, one word per beat) or 32
// (256 bits, docs/hw.md "The 256-bit read port"). At 32 a burst is of full 32-byte
// beats (arsize 5, 32-byte aligned, two words each: beat_* is the lower, beat2_* the
// upper); a word at an odd 16-byte address (a transfer's start) or a single word left
// (its end) goes as a narrow beat of its own (arsize 4, arlen 0: AMBA AXI4 IHI0022
// A3.4.3, the data on the byte lanes of its address), so no AR touches a byte outside
// [addr, addr + 16*nwords). The receive side follows the same split: a beat while the
// next word's address is odd carries one word (upper half), an even one two unless a
// single word is left (lower half). beat2_valid is 0 at RD_BYTES 16.
`default_nettype none
module mbn_dma_rd #(
    parameter ADDR_W = 40,
    parameter MAX_RD_OUTSTANDING = 8,
    parameter RD_BYTES = 16
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
    output wire              beat2_valid, // a second word (index beat_idx + 1) in this beat
    output wire [127:0]      beat2_data,
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
    input  wire [RD_BYTES*8-1:0] m_axi_rdata,
    input  wire [1:0]        m_axi_rresp,
    input  wire              m_axi_rlast,
    input  wire              m_axi_rvalid,
    output wire              m_axi_rready
);
    localparam W2 = RD_BYTES == 32;          // 256-bit data
    reg [ADDR_W-1:0] addr_reg;
    reg [23:0]       rem_reg;
    reg              abort_reg;
    reg              arvalid_reg;
    reg [ADDR_W-1:0] araddr_reg;
    reg [7:0]        arlen_reg;
    reg              arwide_reg;             // arsize 5 (else 4)
    reg [7:0]        outst_reg;
    reg [23:0]       idx_reg;
    reg              rx_odd_reg;             // the next word to arrive is at an odd 16-byte address
    reg [23:0]       rx_rem_reg;             // words still to arrive

    // The next burst is computed a cycle ahead into registers (nb_*), from the state it
    // depends on: addr_reg/rem_reg, or at a start the transfer's addr/nwords. That state
    // changes only at a start or an issue, and an issue is followed by a cycle with
    // arvalid high (no issue), so the registers are current whenever an issue can
    // happen, and no cycle is lost. It keeps the length compares off the path into the
    // address and count adders (the longest register path at 32 lanes otherwise).
    wire [11:4]       nx_addr = start ? addr[11:4] : addr_reg[11:4];   // the 4 KiB line and bit 4
    wire [23:0]       nx_rem  = start ? nwords : rem_reg;
    // one narrow beat (256 bits only): an odd start address or a single word left
    wire        narrow = W2 && (nx_addr[4] || nx_rem == 24'd1);
    wire [23:0] beats  = W2 ? {1'b0, nx_rem[23:1]} : nx_rem;     // full beats left
    wire [8:0]  bbeats = W2 ? 9'd128 - {2'b0, nx_addr[11:5]}      // beats to the 4 KiB line
                            : 9'd256 - {1'b0, nx_addr[11:4]};
    wire [4:0]  len_a  = (beats < 24'd16) ? beats[4:0] : 5'd16;
    wire [4:0]  len    = narrow ? 5'd1 : ({4'd0, len_a} > bbeats) ? bbeats[4:0] : len_a;
    reg  [4:0]  nb_len_reg;               // beats of the next burst (1..16)
    reg  [5:0]  nb_words_reg;             // its words
    reg         nb_wide_reg;              // its beats are 32 bytes
    always @(posedge clk) begin
        nb_len_reg   <= len;
        nb_words_reg <= W2 && !narrow ? {len, 1'b0} : {1'b0, len};
        nb_wide_reg  <= W2 && !narrow;
    end
    wire [23:0] lwords = {18'd0, nb_words_reg};                   // words of this burst
    wire        issue  = !arvalid_reg && rem_reg != 24'd0 && !abort_reg && !abort &&
                         outst_reg < MAX_RD_OUTSTANDING;
    wire        ar_hs  = arvalid_reg && m_axi_arready;
    wire        r_hs   = m_axi_rvalid;                               // rready is always 1
    wire        r_end  = r_hs && m_axi_rlast;
    wire        two    = W2 && !rx_odd_reg && rx_rem_reg > 24'd1;    // this beat has two words

    always @(posedge clk) begin
        if (rst) begin
            rem_reg <= 24'd0; abort_reg <= 1'b0; arvalid_reg <= 1'b0;
            outst_reg <= 8'd0; idx_reg <= 24'd0; rx_odd_reg <= 1'b0; rx_rem_reg <= 24'd0;
        end else begin
            if (start) begin
                addr_reg   <= addr;
                rem_reg    <= nwords;
                abort_reg  <= 1'b0;
                idx_reg    <= 24'd0;
                rx_odd_reg <= W2 && addr[4];
                rx_rem_reg <= nwords;
            end else begin
                if (abort) abort_reg <= 1'b1;
                if (issue) begin
                    arvalid_reg <= 1'b1;
                    araddr_reg  <= addr_reg;
                    arlen_reg   <= {3'd0, nb_len_reg} - 8'd1;
                    arwide_reg  <= nb_wide_reg;
                    addr_reg    <= addr_reg + {{(ADDR_W-28){1'b0}}, lwords, 4'd0};
                    rem_reg     <= rem_reg - lwords;
                end
                if (r_hs) begin
                    idx_reg    <= idx_reg + (two ? 24'd2 : 24'd1);
                    rx_rem_reg <= rx_rem_reg - (two ? 24'd2 : 24'd1);
                    rx_odd_reg <= 1'b0;   // only a transfer's first word can be odd
                end
            end
            if (ar_hs) arvalid_reg <= 1'b0;
            outst_reg <= outst_reg + {7'd0, ar_hs} - {7'd0, r_end};
        end
    end

    assign busy        = (rem_reg != 24'd0 && !abort_reg) || arvalid_reg || outst_reg != 8'd0;
    assign inflight    = arvalid_reg || outst_reg != 8'd0;
    assign beat_valid  = r_hs;
    assign beat_data   = W2 && rx_odd_reg ? m_axi_rdata[RD_BYTES*8-1 -: 128] : m_axi_rdata[127:0];
    assign beat_idx    = idx_reg;
    assign beat2_valid = r_hs && two;
    assign beat2_data  = m_axi_rdata[RD_BYTES*8-1 -: 128];
    assign err         = r_hs && m_axi_rresp != 2'b00;

    assign m_axi_arid    = 4'd0;
    assign m_axi_araddr  = araddr_reg;
    assign m_axi_arlen   = arlen_reg;
    assign m_axi_arsize  = arwide_reg ? 3'd5 : 3'd4;
    assign m_axi_arburst = 2'b01;
    assign m_axi_arvalid = arvalid_reg;
    assign m_axi_rready  = 1'b1;
    // single ID, in-order responses
    wire unused_ok = &{1'b0, m_axi_rid};
endmodule
`default_nettype wire
