// SPDX-License-Identifier: Apache-2.0
// mbn_regs: the AXI4-Lite register slave. Owns every register of
// hw/regs/mbnaccel.regs (offsets come from the generated mbn_regs.vh): ID/VERSION/
// CAPS, CTRL (START/RESET pulses), STATUS/FAULT_*/DESC_DONE (views of mbn_ctrl),
// IRQ_ENABLE, IRQ_STATUS (write-1-to-clear) and the level irq, the job registers,
// the region table, and the 64-bit performance counters (cleared by an accepted
// START, counting while BUSY). 64-bit counters are read as two independent words.
`include "mbn_regs.vh"
`default_nettype none
module mbn_regs #(
    parameter LANES        = 16,
    parameter IBUF_WORDS   = 8192,
    parameter WBUF_ROWS    = 512,
    parameter OBUF_WORDS   = 4096,
    parameter QBUF_ENTRIES = 1024,
    parameter MAX_RD_OUTSTANDING = 8,
    parameter RD_BYTES     = 16,    // AXI read data bytes (CAPS3[22] RD256 at 32)
    parameter WR_BYTES     = 16     // AXI write data bytes (CAPS3[23] WR256 at 32)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [11:0] s_axil_awaddr, input wire s_axil_awvalid, output wire s_axil_awready,
    input  wire [31:0] s_axil_wdata,  input wire [3:0] s_axil_wstrb, input wire s_axil_wvalid, output wire s_axil_wready,
    output wire [1:0]  s_axil_bresp,  output wire s_axil_bvalid, input wire s_axil_bready,
    input  wire [11:0] s_axil_araddr, input wire s_axil_arvalid, output wire s_axil_arready,
    output wire [31:0] s_axil_rdata,  output wire [1:0] s_axil_rresp, output wire s_axil_rvalid, input wire s_axil_rready,
    // job control
    output wire        start,          // accepted START (not busy)
    output wire        abort,          // CTRL.RESET
    output wire [31:0] desc_region,
    output wire [31:0] desc_offset,
    output wire [31:0] desc_count,
    output wire [8*64-1:0] region_base,
    output wire [8*64-1:0] region_size,
    // status from mbn_ctrl
    input  wire        busy,
    input  wire        st_done,
    input  wire        st_fault,
    input  wire        done_evt,
    input  wire        fault_evt,
    input  wire [31:0] fault_code,
    input  wire [31:0] fault_desc,
    input  wire [31:0] fault_off,
    input  wire [31:0] desc_done,
    // counter increments
    input  wire        c_pw,
    input  wire        c_dw,
    input  wire [15:0] c_mac,
    input  wire        c_rd_beat,
    input  wire        c_rd_beat2,     // a second read word in the beat (256-bit reads)
    input  wire        c_wr_beat,
    input  wire        c_wr_beat2,     // the W beat carried two words (256-bit writes)
    input  wire        c_stall,
    input  wire        c_dma_busy,
    output wire        irq
);
    localparam [31:0] VERSION = 32'h0001_0007;   // 1.7: CAPS3 WR256 (1.6: RD256; 1.5: DWG, FUSE and CHAIN at every LANES)
    // CAPS3[16] FUSE: a fused DW writes its output (through the OBUF address path, NB
    // words per result into IBUF's NB sub-banks) into an IBUF half (mbn_ctrl FUSE_OK);
    // CAPS3[20] CHAIN: a chained PW the same way; both at every LANES
    localparam        FUSE_OK = (IBUF_WORDS / 2 <= OBUF_WORDS);
    localparam [0:0]  FUSE1   = FUSE_OK ? 1'b1 : 1'b0;

    // ---- write channel: take AW and W together -------------------------------
    reg bvalid_reg;
    wire wr_en = s_axil_awvalid && s_axil_wvalid && !bvalid_reg;
    wire [11:0] wa = {s_axil_awaddr[11:2], 2'b00};
    reg [1:0]  irq_en_reg, irq_st_reg;
    reg [31:0] dreg_reg, doff_reg, dcnt_reg;
    reg [63:0] base_reg [0:7];
    reg [63:0] size_reg [0:7];
    reg [63:0] cyc_reg, pw_reg, dw_reg, mac_reg, rdb_reg, wrb_reg, stall_reg, dbusy_reg;
    reg        ev_pw, ev_dw, ev_rd, ev_rd2, ev_wr, ev_wr2, ev_stall, ev_dbusy;   // counter events, registered
    reg [15:0] ev_mac;

    function [31:0] wmask;
        input [31:0] old; input [31:0] nw; input [3:0] strb;
        integer b;
        begin
            for (b = 0; b < 4; b = b + 1)
                wmask[b*8 +: 8] = strb[b] ? nw[b*8 +: 8] : old[b*8 +: 8];
        end
    endfunction

    wire ctrl_wr = wr_en && wa == `MBN_REG_CTRL && s_axil_wstrb[0];
    assign start = ctrl_wr && s_axil_wdata[0] && !s_axil_wdata[1] && !busy;
    assign abort = ctrl_wr && s_axil_wdata[1];

    integer r;
    always @(posedge clk) begin
        if (rst) begin
            bvalid_reg <= 1'b0;
            irq_en_reg <= 2'd0; irq_st_reg <= 2'd0;
            dreg_reg <= 32'd0; doff_reg <= 32'd0; dcnt_reg <= 32'd0;
            for (r = 0; r < 8; r = r + 1) begin
                base_reg[r] <= 64'd0; size_reg[r] <= 64'd0;
            end
        end else begin
            if (wr_en) bvalid_reg <= 1'b1;
            else if (s_axil_bready) bvalid_reg <= 1'b0;
            if (wr_en) begin
                case (wa)
                `MBN_REG_IRQ_ENABLE:  if (s_axil_wstrb[0]) irq_en_reg <= s_axil_wdata[1:0];
                `MBN_REG_IRQ_STATUS:  if (s_axil_wstrb[0]) irq_st_reg <= irq_st_reg & ~s_axil_wdata[1:0];
                `MBN_REG_DESC_REGION: dreg_reg <= wmask(dreg_reg, s_axil_wdata, s_axil_wstrb);
                `MBN_REG_DESC_OFFSET: doff_reg <= wmask(doff_reg, s_axil_wdata, s_axil_wstrb);
                `MBN_REG_DESC_COUNT:  dcnt_reg <= wmask(dcnt_reg, s_axil_wdata, s_axil_wstrb);
                default: ;
                endcase
                if (wa >= `MBN_REG_REGION && wa < `MBN_REG_REGION + 12'd8 * `MBN_REG_REGION_STRIDE) begin
                    case (wa[3:2])
                    2'd0: base_reg[wa[6:4]][31:0]  <= wmask(base_reg[wa[6:4]][31:0],  s_axil_wdata, s_axil_wstrb);
                    2'd1: base_reg[wa[6:4]][63:32] <= wmask(base_reg[wa[6:4]][63:32], s_axil_wdata, s_axil_wstrb);
                    2'd2: size_reg[wa[6:4]][31:0]  <= wmask(size_reg[wa[6:4]][31:0],  s_axil_wdata, s_axil_wstrb);
                    default: size_reg[wa[6:4]][63:32] <= wmask(size_reg[wa[6:4]][63:32], s_axil_wdata, s_axil_wstrb);
                    endcase
                end
            end
            // a new event wins over a simultaneous write-1-to-clear
            if (done_evt)  irq_st_reg[0] <= 1'b1;
            if (fault_evt) irq_st_reg[1] <= 1'b1;
        end
        // counters: cleared by START, count while busy (docs/hw.md "Counters").
        // The events are registered first (ev_*, gated by busy) so no logic sits in
        // front of the 64-bit carry chains; the last busy cycle's events land one
        // cycle after BUSY falls, before software can see DONE.
        if (rst) begin
            ev_pw <= 1'b0; ev_dw <= 1'b0; ev_rd <= 1'b0; ev_rd2 <= 1'b0; ev_wr <= 1'b0; ev_wr2 <= 1'b0; ev_stall <= 1'b0;
            ev_dbusy <= 1'b0; ev_mac <= 16'd0;
        end else begin
            ev_pw <= busy & c_pw; ev_dw <= busy & c_dw; ev_rd <= busy & c_rd_beat; ev_rd2 <= busy & c_rd_beat2;
            ev_wr <= busy & c_wr_beat; ev_wr2 <= busy & c_wr_beat2; ev_stall <= busy & c_stall; ev_dbusy <= busy & c_dma_busy;
            ev_mac <= busy ? c_mac : 16'd0;
        end
        if (rst || start) begin
            cyc_reg <= 64'd0; pw_reg <= 64'd0; dw_reg <= 64'd0; mac_reg <= 64'd0;
            rdb_reg <= 64'd0; wrb_reg <= 64'd0; stall_reg <= 64'd0; dbusy_reg <= 64'd0;
        end else begin
            cyc_reg   <= cyc_reg + {63'd0, busy};
            pw_reg    <= pw_reg + {63'd0, ev_pw};
            dw_reg    <= dw_reg + {63'd0, ev_dw};
            mac_reg   <= mac_reg + {48'd0, ev_mac};
            rdb_reg   <= rdb_reg + {58'd0, ev_rd & ev_rd2, ev_rd ^ ev_rd2, 4'd0};
            wrb_reg   <= wrb_reg + {58'd0, ev_wr & ev_wr2, ev_wr ^ ev_wr2, 4'd0};
            stall_reg <= stall_reg + {63'd0, ev_stall};
            dbusy_reg <= dbusy_reg + {63'd0, ev_dbusy};
        end
    end

    // ---- read channel ------------------------------------------------------
    reg        rvalid_reg;
    reg [31:0] rdata_reg;
    wire       rd_en = s_axil_arvalid && !rvalid_reg;
    wire [11:0] ra = {s_axil_araddr[11:2], 2'b00};
    wire unused_ok = &{1'b0, s_axil_awaddr[1:0], s_axil_araddr[1:0]};   // word registers only
    // IBUF, WBUF, OBUF: the half each descriptor gets when double-buffered (mbn_ctrl);
    // the library tiles to these. Descriptors up to the full size still run, without
    // overlap. QBUF is two full sets.
    localparam [15:0] IBUF_KIB = IBUF_WORDS / 128;
    localparam [15:0] WBUF_KIB = 16'((LANES * WBUF_ROWS) / 128);
    localparam [15:0] OBUF_KIB = OBUF_WORDS / 128;
    localparam [15:0] MACS     = 16'(LANES * 16);
    localparam [15:0] QENT     = QBUF_ENTRIES;
    localparam [7:0]  LANES8   = 8'(LANES);
    localparam [7:0]  MAXRD8   = MAX_RD_OUTSTANDING;
    reg [31:0] rmux;
    always @(*) begin
        rmux = 32'd0;
        case (ra)
        `MBN_REG_ID:           rmux = `MBN_ID_VALUE;
        `MBN_REG_VERSION:      rmux = VERSION;
        `MBN_REG_CAPS0:        rmux = {LANES8, 8'd16, MACS};
        `MBN_REG_CAPS1:        rmux = {WBUF_KIB, IBUF_KIB};
        `MBN_REG_CAPS2:        rmux = {QENT, OBUF_KIB};
        `MBN_REG_CAPS3:        rmux = {8'd0, WR_BYTES == 32 ? 1'b1 : 1'b0, RD_BYTES == 32 ? 1'b1 : 1'b0, 1'b1, FUSE1, 1'b1, 1'b1, 1'b1, FUSE1, MAXRD8, 8'd`MBN_NUM_REGIONS};   // [23] WR256, [22] RD256, [21] DWG, [20] CHAIN, [19] PW16, [18] RSINGLE, [17] IBANK
        `MBN_REG_STATUS:       rmux = {29'd0, st_fault, st_done, busy};
        `MBN_REG_IRQ_ENABLE:   rmux = {30'd0, irq_en_reg};
        `MBN_REG_IRQ_STATUS:   rmux = {30'd0, irq_st_reg};
        `MBN_REG_DESC_REGION:  rmux = dreg_reg;
        `MBN_REG_DESC_OFFSET:  rmux = doff_reg;
        `MBN_REG_DESC_COUNT:   rmux = dcnt_reg;
        `MBN_REG_FAULT_CODE:   rmux = fault_code;
        `MBN_REG_FAULT_DESC:   rmux = fault_desc;
        `MBN_REG_FAULT_OFFSET: rmux = fault_off;
        `MBN_REG_DESC_DONE:    rmux = desc_done;
        `MBN_REG_CYCLES_LO:       rmux = cyc_reg[31:0];
        `MBN_REG_CYCLES_HI:       rmux = cyc_reg[63:32];
        `MBN_REG_PW_BUSY_LO:      rmux = pw_reg[31:0];
        `MBN_REG_PW_BUSY_HI:      rmux = pw_reg[63:32];
        `MBN_REG_DW_BUSY_LO:      rmux = dw_reg[31:0];
        `MBN_REG_DW_BUSY_HI:      rmux = dw_reg[63:32];
        `MBN_REG_MAC_ACTIVE_LO:   rmux = mac_reg[31:0];
        `MBN_REG_MAC_ACTIVE_HI:   rmux = mac_reg[63:32];
        `MBN_REG_DMA_RD_BYTES_LO: rmux = rdb_reg[31:0];
        `MBN_REG_DMA_RD_BYTES_HI: rmux = rdb_reg[63:32];
        `MBN_REG_DMA_WR_BYTES_LO: rmux = wrb_reg[31:0];
        `MBN_REG_DMA_WR_BYTES_HI: rmux = wrb_reg[63:32];
        `MBN_REG_STALL_LO:        rmux = stall_reg[31:0];
        `MBN_REG_STALL_HI:        rmux = stall_reg[63:32];
        `MBN_REG_DMA_BUSY_LO:     rmux = dbusy_reg[31:0];
        `MBN_REG_DMA_BUSY_HI:     rmux = dbusy_reg[63:32];
        default: begin
            if (ra >= `MBN_REG_REGION && ra < `MBN_REG_REGION + 12'd8 * `MBN_REG_REGION_STRIDE) begin
                case (ra[3:2])
                2'd0:    rmux = base_reg[ra[6:4]][31:0];
                2'd1:    rmux = base_reg[ra[6:4]][63:32];
                2'd2:    rmux = size_reg[ra[6:4]][31:0];
                default: rmux = size_reg[ra[6:4]][63:32];
                endcase
            end
        end
        endcase
    end

    always @(posedge clk) begin
        if (rst) begin
            rvalid_reg <= 1'b0;
        end else begin
            if (rd_en) begin
                rvalid_reg <= 1'b1;
                rdata_reg  <= rmux;
            end else if (s_axil_rready) begin
                rvalid_reg <= 1'b0;
            end
        end
    end

    assign s_axil_awready = wr_en;
    assign s_axil_wready  = wr_en;
    assign s_axil_bresp   = 2'b00;
    assign s_axil_bvalid  = bvalid_reg;
    assign s_axil_arready = rd_en;
    assign s_axil_rdata   = rdata_reg;
    assign s_axil_rresp   = 2'b00;
    assign s_axil_rvalid  = rvalid_reg;
    assign irq            = (irq_st_reg & irq_en_reg) != 2'd0;
    assign desc_region    = dreg_reg;
    assign desc_offset    = doff_reg;
    assign desc_count     = dcnt_reg;

    genvar g;
    generate
        for (g = 0; g < 8; g = g + 1) begin : g_reg
            assign region_base[g*64 +: 64] = base_reg[g];
            assign region_size[g*64 +: 64] = size_reg[g];
        end
    endgenerate
endmodule
`default_nettype wire
