// SPDX-License-Identifier: Apache-2.0
// mbn_bank_rot: a buffer of 16-byte words interleaved over NB = 2^NBB banks (word w in
// bank w % NB, row w / NB), accessed as NB consecutive words a .. a+NB-1 at once (a
// PW result of NB words, NB depthwise channel groups; docs/hw.md "Depthwise on all
// lanes"): bank b holds word k = (b - a) mod NB of them, at row a / NB, or at the next
// row for the banks below a % NB. Combinational; used by mbnaccel_top for the OBUF
// write port and IBUF's sub-banks (write and read).
`default_nettype none
module mbn_bank_rot #(
    parameter NBB = 1,               // log2(NB), >= 1
    parameter AW  = 12               // word address width
) (
    input  wire [AW-1:0]                a,
    output wire [(1<<NBB)*(AW-NBB)-1:0] row,   // bank b: [b*(AW-NBB) +: AW-NBB]
    output wire [(1<<NBB)*NBB-1:0]      k      // bank b: [b*NBB +: NBB]
);
    localparam NB = 1 << NBB;
    localparam RW = AW - NBB;
    wire [NBB-1:0] r = a[NBB-1:0];
    genvar b;
    generate
        for (b = 0; b < NB; b = b + 1) begin : g_bank
            wire below;                        // bank b < a % NB: the next row
            if (b == NB - 1) begin : g_last
                assign below = 1'b0;
            end else begin : g_below
                assign below = NBB'(b) < r;
            end
            assign row[b*RW +: RW] = a[AW-1:NBB] + {{(RW-1){1'b0}}, below};
            assign k[b*NBB +: NBB] = NBB'(b) - r;
        end
    endgenerate
endmodule
`default_nettype wire
