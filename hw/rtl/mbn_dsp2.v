// SPDX-License-Identifier: Apache-2.0
// mbn_dsp2: two products that share one operand in one DSP48E2 (Xilinx WP486, "Deep
// Learning with INT8 Optimization on Xilinx Devices"; docs/hw.md "Two MACs per DSP48E2"):
//
//     P = ((wb << 18) + wa) * x      pa = P[17:0] = wa * x,  wb * x = P[44:18] + P[17]
//
// x and wa are 9-bit signed (-256..255), wb an unsigned byte. |wa * x| <= 2^16 < 2^17,
// so the low field P[17:0], read as signed, is wa * x exactly; the high field then holds
// wb * x minus the low product's borrow: wb * x = P[44:18] + P[17] (WP486's correction,
// left to the instantiating module so that a lane adds the 16 borrows of its products
// at once instead of correcting each). The pointwise array feeds x = (activation -
// zero point), wa and wb two lanes' raw weight bytes; the depthwise engine uses the low
// field alone with wa = (weight - zero point) (the high field is then meaningless).
//
// Pipeline, LATENCY = 2 clock-enabled cycles (UG579, DSP48E2 attributes):
//   1: AREG = BREG = DREG = 1      A = wb << 18, D = wa, B = x registered
//   -  ADREG = 0, MREG = 0         pre-adder AD = D + A[26:0] (27 bits) and M = AD * B
//                                  (27 x 18 signed -> 45 bits) combinational
//   2: PREG = 1                    P = M (OPMODE W = 0, Z = 0, Y:X = M; ALUMODE 0)
// MREG = 0 keeps the array's pipeline as it was with plain multipliers (operands, then
// products); the multiplier then sits between the slice's own input and P registers,
// whose timing at the 200 MHz target is assumed, not checked (no vendor timing tools
// here). The triple sampled at a rising edge with ce = 1 appears on pa/pb after the
// second edge with ce = 1; with ce = 0 every stage holds (one clock enable for all).
// No reset: a pure data pipeline (its first LATENCY outputs are meaningless).
//
// `ifdef SYNTHESIS (Yosys defines it in read_verilog; Verilator does not) the DSP48E2
// primitive is instantiated: Yosys 0.23 maps only a plain A*B onto DSP48E2, without
// the pre-adder or the internal registers. Otherwise a behavioural model of the same
// datapath, which is what Verilator simulates (hw/tb/tb_dsp2.cpp checks it against
// plain multiplication for all 2^26 operand triples, and the instance the same way on
// a functional model of the primitive, hw/tb/dsp48e2_model.v; hw/synth/dsp2.ys checks
// the mapping).
`default_nettype none
module mbn_dsp2 (
    input  wire        clk,
    input  wire        ce,     // clock enable of every pipeline stage
    input  wire [8:0]  x,      // shared operand, signed -> B port
    input  wire [8:0]  wa,     // low product's operand, signed -> D port (pre-adder)
    input  wire [7:0]  wb,     // high product's operand, unsigned -> A port, shifted by 18
    output wire [17:0] pa,     // wa * x (signed), LATENCY cycles later
    output wire [26:0] pb      // wb * x - pa[17] (signed), LATENCY cycles later
);
    // clock-enabled cycles from x/wa/wb to pa/pb (see above); public for tb_dsp2
    localparam LATENCY /* verilator public */ = 2;

    // the DSP's ports: A is 30 bits (the pre-adder takes A[26:0]), D 27, B 18
    wire [29:0] a_in = {4'd0, wb, 18'd0};
    wire [26:0] d_in = {{18{wa[8]}}, wa};
    wire [17:0] b_in = {{9{x[8]}}, x};
    wire [44:0] p;             // P[44:0]; P[47:45] are M's sign extension

`ifdef SYNTHESIS
    wire [47:0] p48;
    assign p = p48[44:0];
    wire unused_ok = &{1'b0, p48[47:45]};   // M's sign extension
    DSP48E2 #(
        .A_INPUT("DIRECT"), .B_INPUT("DIRECT"),
        .AMULTSEL("AD"),           // multiplier's 27-bit input: the pre-adder output
        .BMULTSEL("B"),            // multiplier's 18-bit input: B
        .PREADDINSEL("A"),         // pre-adder's second input: A (not B)
        .USE_MULT("MULTIPLY"),
        .USE_SIMD("ONE48"),
        .USE_PATTERN_DETECT("NO_PATDET"),
        .USE_WIDEXOR("FALSE"),
        .AREG(1), .ACASCREG(1),    // ACASCREG must equal AREG when AREG is 0 or 1
        .BREG(1), .BCASCREG(1),
        .DREG(1),
        .ADREG(0),
        .MREG(0),
        .PREG(1),
        .CREG(0),                  // C unused (tied 0)
        .INMODEREG(0), .OPMODEREG(0), .ALUMODEREG(0),   // control inputs are constants:
        .CARRYINREG(0), .CARRYINSELREG(0)               // unregistered, no reset state
    ) u_dsp (
        .CLK(clk),
        .A(a_in), .B(b_in), .D(d_in), .C(48'd0),
        // INMODE[4] = 0: B2 (the one B register of BREG = 1) to the multiplier
        // INMODE[3] = 0: AD = D + A (1 would subtract)
        // INMODE[2] = 1: D into the pre-adder (0 forces it to 0)
        // INMODE[1] = 0: A not gated to 0
        // INMODE[0] = 0: A2 (the one A register of AREG = 1), not A1
        .INMODE(5'b00100),
        // OPMODE[8:7] W = 0, [6:4] Z = 0, [3:2] Y = M, [1:0] X = M: P = M
        .OPMODE(9'b00_000_01_01),
        .ALUMODE(4'b0000),         // Z + W + X + Y + CIN
        .CARRYINSEL(3'b000), .CARRYIN(1'b0),
        // with AREG = BREG = 1 the A2/B2 registers are used (CEA2/CEB2); A1/B1 are not
        .CEA1(1'b0), .CEA2(ce), .CEB1(1'b0), .CEB2(ce), .CED(ce),
        .CEAD(1'b0), .CEM(1'b0), .CEP(ce), .CEC(1'b0),
        .CECTRL(1'b0), .CEINMODE(1'b0), .CEALUMODE(1'b0), .CECARRYIN(1'b0),
        .RSTA(1'b0), .RSTB(1'b0), .RSTC(1'b0), .RSTD(1'b0), .RSTM(1'b0), .RSTP(1'b0),
        .RSTCTRL(1'b0), .RSTINMODE(1'b0), .RSTALUMODE(1'b0), .RSTALLCARRYIN(1'b0),
        // no cascade
        .ACIN(30'd0), .BCIN(18'd0), .PCIN(48'd0), .CARRYCASCIN(1'b0), .MULTSIGNIN(1'b0),
        .P(p48),
        .ACOUT(), .BCOUT(), .PCOUT(), .CARRYCASCOUT(), .MULTSIGNOUT(), .CARRYOUT(),
        .OVERFLOW(), .UNDERFLOW(), .PATTERNDETECT(), .PATTERNBDETECT(), .XOROUT()
    );
`else
    // behavioural model of the DSP48E2 datapath above, bit for bit
    reg  [26:0] a_reg;         // A2 register (A[26:0]; A[29:27] reach only ACOUT/the ALU)
    reg  [26:0] d_reg;         // D register
    reg  [17:0] b_reg;         // B2 register
    reg  [44:0] p_reg;         // P register
    wire [26:0] ad     = d_reg + a_reg;   // pre-adder, 27 bits, wraps as the DSP's does
    wire [44:0] m_next = 45'($signed(ad) * $signed(b_reg));   // signed 27 x 18 -> 45
    wire        unused_ok = &{1'b0, a_in[29:27]};   // A[29:27] do not reach the multiplier
    always @(posedge clk) begin
        if (ce) begin
            a_reg <= a_in[26:0];
            d_reg <= d_in;
            b_reg <= b_in;
            p_reg <= m_next;
        end
    end
    assign p = p_reg;
`endif

    assign pa = p[17:0];
    assign pb = p[44:18];
endmodule
`default_nettype wire
