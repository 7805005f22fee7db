// hw/sim/stub/mbnaccel_top.v: a stand-in for mbnaccel_top with the ports of docs/hw.md,
// used only to build and test the simulator harness without the real RTL. It answers
// the AXI4-Lite registers (ID, CTRL, STATUS, IRQ_*, DESC_*), completes a job at once
// with STATUS.DONE, and as a DMA smoke test copies DESC_COUNT 16-byte words from
// REGION[0].BASE+DESC_OFFSET to REGION[1].BASE (one 1-beat burst at a time).
`include "mbn_regs.vh"
module mbnaccel_top #(
    parameter LANES = 16, parameter IBUF_WORDS = 8192, parameter WBUF_ROWS = 512,
    parameter OBUF_WORDS = 4096, parameter QBUF_ENTRIES = 1024, parameter ADDR_W = 40,
    parameter MAX_RD_OUTSTANDING = 4
) (
    input  wire clk, input wire rst,
    input  wire [11:0] s_axil_awaddr, input wire s_axil_awvalid, output wire s_axil_awready,
    input  wire [31:0] s_axil_wdata,  input wire [3:0] s_axil_wstrb, input wire s_axil_wvalid, output wire s_axil_wready,
    output wire [1:0]  s_axil_bresp,  output wire s_axil_bvalid, input wire s_axil_bready,
    input  wire [11:0] s_axil_araddr, input wire s_axil_arvalid, output wire s_axil_arready,
    output wire [31:0] s_axil_rdata,  output wire [1:0] s_axil_rresp, output wire s_axil_rvalid, input wire s_axil_rready,
    output wire [3:0] m_axi_arid, output wire [ADDR_W-1:0] m_axi_araddr, output wire [7:0] m_axi_arlen,
    output wire [2:0] m_axi_arsize, output wire [1:0] m_axi_arburst, output wire m_axi_arvalid, input wire m_axi_arready,
    input  wire [3:0] m_axi_rid, input wire [127:0] m_axi_rdata, input wire [1:0] m_axi_rresp,
    input  wire m_axi_rlast, input wire m_axi_rvalid, output wire m_axi_rready,
    output wire [3:0] m_axi_awid, output wire [ADDR_W-1:0] m_axi_awaddr, output wire [7:0] m_axi_awlen,
    output wire [2:0] m_axi_awsize, output wire [1:0] m_axi_awburst, output wire m_axi_awvalid, input wire m_axi_awready,
    output wire [127:0] m_axi_wdata, output wire [15:0] m_axi_wstrb, output wire m_axi_wlast,
    output wire m_axi_wvalid, input wire m_axi_wready,
    input  wire [3:0] m_axi_bid, input wire [1:0] m_axi_bresp, input wire m_axi_bvalid, output wire m_axi_bready,
    output wire irq
);
    reg [31:0] ie_reg, is_reg, dcount_reg, doff_reg, status_reg, done_reg, fcode_reg;
    reg [63:0] base0_reg, base1_reg;
    reg aw_ok, w_ok, bvalid_reg, rvalid_reg;
    reg [11:0] awaddr_reg; reg [31:0] wdata_reg, rdata_reg;
    // DMA copy state: 0 idle, 1 AR, 2 R, 3 AW+W, 4 B
    reg [2:0] st; reg [31:0] idx; reg [127:0] buf_reg; reg aw_done, w_done; reg err;
    assign s_axil_awready = !aw_ok && !bvalid_reg;
    assign s_axil_wready  = !w_ok && !bvalid_reg;
    assign s_axil_bvalid  = bvalid_reg; assign s_axil_bresp = 2'b00;
    assign s_axil_arready = !rvalid_reg; assign s_axil_rvalid = rvalid_reg;
    assign s_axil_rdata = rdata_reg; assign s_axil_rresp = 2'b00;
    assign irq = |(is_reg & ie_reg);
    assign m_axi_arid = 4'd0; assign m_axi_araddr = base0_reg[ADDR_W-1:0] + {{(ADDR_W-32){1'b0}}, doff_reg} + {{(ADDR_W-36){1'b0}}, idx, 4'h0};
    assign m_axi_arlen = 8'd0; assign m_axi_arsize = 3'd4; assign m_axi_arburst = 2'd1;
    assign m_axi_arvalid = st == 3'd1; assign m_axi_rready = st == 3'd2;
    assign m_axi_awid = 4'd0; assign m_axi_awaddr = base1_reg[ADDR_W-1:0] + {{(ADDR_W-36){1'b0}}, idx, 4'h0};
    assign m_axi_awlen = 8'd0; assign m_axi_awsize = 3'd4; assign m_axi_awburst = 2'd1;
    assign m_axi_awvalid = st == 3'd3 && !aw_done;
    assign m_axi_wdata = buf_reg; assign m_axi_wstrb = 16'hffff; assign m_axi_wlast = 1'b1;
    assign m_axi_wvalid = st == 3'd3 && !w_done; assign m_axi_bready = st == 3'd4;
    wire wr = aw_ok && w_ok && !bvalid_reg;
    always @(posedge clk) begin
        if (rst) begin
            ie_reg <= 0; is_reg <= 0; dcount_reg <= 0; doff_reg <= 0; status_reg <= 0;
            aw_ok <= 0; w_ok <= 0; bvalid_reg <= 0; rvalid_reg <= 0; st <= 0; idx <= 0;
            base0_reg <= 0; base1_reg <= 0; aw_done <= 0; w_done <= 0; err <= 0; done_reg <= 0;
            fcode_reg <= 0;
        end else begin
            if (s_axil_awvalid && s_axil_awready) begin aw_ok <= 1; awaddr_reg <= s_axil_awaddr; end
            if (s_axil_wvalid && s_axil_wready) begin w_ok <= 1; wdata_reg <= s_axil_wdata; end
            if (wr) begin
                aw_ok <= 0; w_ok <= 0; bvalid_reg <= 1;
                case (awaddr_reg)
                    12'h020: if (wdata_reg[0] && st == 0) begin
                                 status_reg <= 32'd1; idx <= 0; done_reg <= 0; fcode_reg <= 0;
                                 st <= (dcount_reg == 0) ? 3'd5 : 3'd1; err <= 0;
                             end
                    12'h028: ie_reg <= wdata_reg;
                    12'h02c: is_reg <= is_reg & ~wdata_reg;
                    12'h034: doff_reg <= wdata_reg;
                    12'h038: dcount_reg <= wdata_reg;
                    12'h100: base0_reg[31:0] <= wdata_reg;
                    12'h104: base0_reg[63:32] <= wdata_reg;
                    12'h110: base1_reg[31:0] <= wdata_reg;
                    12'h114: base1_reg[63:32] <= wdata_reg;
                    default: ;
                endcase
            end
            if (bvalid_reg && s_axil_bready) bvalid_reg <= 0;
            if (s_axil_arvalid && s_axil_arready) begin
                rvalid_reg <= 1;
                case (s_axil_araddr)
                    12'h000: rdata_reg <= 32'h4D424E31;
                    12'h024: rdata_reg <= status_reg;
                    12'h028: rdata_reg <= ie_reg;
                    12'h02c: rdata_reg <= is_reg;
                    12'h034: rdata_reg <= doff_reg;
                    12'h038: rdata_reg <= dcount_reg;
                    12'h040: rdata_reg <= fcode_reg;
                    12'h04c: rdata_reg <= done_reg;
                    default: rdata_reg <= 32'd0;
                endcase
            end
            if (rvalid_reg && s_axil_rready) rvalid_reg <= 0;
            case (st)
                3'd1: if (m_axi_arready) st <= 3'd2;
                3'd2: if (m_axi_rvalid) begin
                          buf_reg <= m_axi_rdata; st <= 3'd3; aw_done <= 0; w_done <= 0;
                          if (m_axi_rresp != 0) err <= 1;
                      end
                3'd3: begin
                          if (m_axi_awready) aw_done <= 1;
                          if (m_axi_wready) w_done <= 1;
                          if ((aw_done || m_axi_awready) && (w_done || m_axi_wready)) st <= 3'd4;
                      end
                3'd4: if (m_axi_bvalid) begin
                          if (m_axi_bresp != 0) err <= 1;
                          idx <= idx + 1; done_reg <= idx + 1;
                          st <= (idx + 1 == dcount_reg || err || m_axi_bresp != 0) ? 3'd5 : 3'd1;
                      end
                3'd5: begin
                          st <= 0;
                          if (err) begin status_reg <= 32'd4; is_reg <= is_reg | 32'd2; fcode_reg <= 32'd2; end
                          else begin status_reg <= 32'd2; is_reg <= is_reg | 32'd1; end
                      end
                default: ;
            endcase
        end
    end
endmodule
