// SPDX-License-Identifier: Apache-2.0
// mbn_sdp_ram: simple dual-port RAM, one write port, one synchronous read port.
// Owns nothing but storage; written so Yosys/Vivado infer block RAM (registered
// read, no reset on the array, no read-during-write requirement). DISTRIBUTED = 1
// asks for LUT RAM instead (small, wide memories such as QBUF, where block RAM
// would be mostly empty).
`default_nettype none
module mbn_sdp_ram #(
    parameter W  = 128,          // word width in bits
    parameter D  = 1024,         // words
    parameter AW = 10,           // address width, 2^AW >= D
    parameter DISTRIBUTED = 0
) (
    input  wire          clk,
    input  wire          we,
    input  wire [AW-1:0] waddr,
    input  wire [W-1:0]  wdata,
    input  wire [AW-1:0] raddr,
    output reg  [W-1:0]  rdata
);
    generate
        if (DISTRIBUTED != 0) begin : g_lut
            (* ram_style = "distributed" *) reg [W-1:0] mem [0:D-1];
            always @(posedge clk) begin
                if (we) mem[waddr] <= wdata;
                rdata <= mem[raddr];
            end
        end else begin : g_bram
            reg [W-1:0] mem [0:D-1];
            always @(posedge clk) begin
                if (we) mem[waddr] <= wdata;
                rdata <= mem[raddr];
            end
        end
    endgenerate
endmodule
`default_nettype wire
