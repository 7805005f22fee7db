// SPDX-License-Identifier: Apache-2.0
// dsp48e2_model: a functional simulation model of the Xilinx DSP48E2 for the testbench
// (hw/tb/run.sh's `dsp2_prim`: mbn_dsp2 compiled with SYNTHESIS, i.e. its DSP48E2
// instance, against tb_dsp2). Yosys 0.23 ships no DSP48E2 simulation model (its
// techlibs/xilinx/cells_sim.v has a "TODO: DSP48E2"; cells_xtra.v only the port list),
// so this one is written from UG579 (UltraScale Architecture DSP Slice, chapter 2:
// A/B/D/AD/M/P registers, INMODE, OPMODE, ALUMODE) and the behaviour of the unisim
// library's DSP48E2. It covers what a multiplier with the pre-adder needs: the A1/A2,
// B1/B2, D, AD, M, P, C, INMODE/OPMODE/ALUMODE/CARRYIN(SEL) registers with their clock
// enables and resets per attribute; INMODE's A1/A2 and B1/B2 selects, A/B gate, D
// enable and add/subtract; PREADDINSEL, AMULTSEL, BMULTSEL; the signed 27 x 18
// multiply; X/Y/Z/W muxes; ALUMODE add and subtract; CARRYINSEL = CARRYIN. Everything
// else (SIMD, cascade inputs, pattern detect, logic ALUMODEs, inverted pins, the M
// partial products used alone) is refused with $fatal instead of being modelled.
// The multiplier's two partial products are modelled as their sum (X = Y = M only).
`default_nettype none
module DSP48E2 #(
    parameter integer ACASCREG = 1,
    parameter integer ADREG = 1,
    parameter integer ALUMODEREG = 1,
    parameter string AMULTSEL = "A",
    parameter integer AREG = 1,
    parameter string AUTORESET_PATDET = "NO_RESET",
    parameter string AUTORESET_PRIORITY = "RESET",
    parameter string A_INPUT = "DIRECT",
    parameter integer BCASCREG = 1,
    parameter string BMULTSEL = "B",
    parameter integer BREG = 1,
    parameter string B_INPUT = "DIRECT",
    parameter integer CARRYINREG = 1,
    parameter integer CARRYINSELREG = 1,
    parameter integer CREG = 1,
    parameter integer DREG = 1,
    parameter integer INMODEREG = 1,
    parameter [3:0] IS_ALUMODE_INVERTED = 4'b0000,
    parameter [0:0] IS_CARRYIN_INVERTED = 1'b0,
    parameter [0:0] IS_CLK_INVERTED = 1'b0,
    parameter [4:0] IS_INMODE_INVERTED = 5'b00000,
    parameter [8:0] IS_OPMODE_INVERTED = 9'b000000000,
    parameter [0:0] IS_RSTALLCARRYIN_INVERTED = 1'b0,
    parameter [0:0] IS_RSTALUMODE_INVERTED = 1'b0,
    parameter [0:0] IS_RSTA_INVERTED = 1'b0,
    parameter [0:0] IS_RSTB_INVERTED = 1'b0,
    parameter [0:0] IS_RSTCTRL_INVERTED = 1'b0,
    parameter [0:0] IS_RSTC_INVERTED = 1'b0,
    parameter [0:0] IS_RSTD_INVERTED = 1'b0,
    parameter [0:0] IS_RSTINMODE_INVERTED = 1'b0,
    parameter [0:0] IS_RSTM_INVERTED = 1'b0,
    parameter [0:0] IS_RSTP_INVERTED = 1'b0,
    parameter [47:0] MASK = 48'h3FFFFFFFFFFF,
    parameter integer MREG = 1,
    parameter integer OPMODEREG = 1,
    parameter [47:0] PATTERN = 48'h000000000000,
    parameter string PREADDINSEL = "A",
    parameter integer PREG = 1,
    parameter [47:0] RND = 48'h000000000000,
    parameter string SEL_MASK = "MASK",
    parameter string SEL_PATTERN = "PATTERN",
    parameter string USE_MULT = "MULTIPLY",
    parameter string USE_PATTERN_DETECT = "NO_PATDET",
    parameter string USE_SIMD = "ONE48",
    parameter string USE_WIDEXOR = "FALSE",
    parameter string XORSIMD = "XOR24_48_96"
) (
    output wire [29:0] ACOUT,
    output wire [17:0] BCOUT,
    output wire        CARRYCASCOUT,
    output wire [3:0]  CARRYOUT,
    output wire        MULTSIGNOUT,
    output wire        OVERFLOW,
    output wire [47:0] P,
    output wire        PATTERNBDETECT,
    output wire        PATTERNDETECT,
    output wire [47:0] PCOUT,
    output wire        UNDERFLOW,
    output wire [7:0]  XOROUT,
    input  wire [29:0] A,
    input  wire [29:0] ACIN,
    input  wire [3:0]  ALUMODE,
    input  wire [17:0] B,
    input  wire [17:0] BCIN,
    input  wire [47:0] C,
    input  wire        CARRYCASCIN,
    input  wire        CARRYIN,
    input  wire [2:0]  CARRYINSEL,
    input  wire        CEA1,
    input  wire        CEA2,
    input  wire        CEAD,
    input  wire        CEALUMODE,
    input  wire        CEB1,
    input  wire        CEB2,
    input  wire        CEC,
    input  wire        CECARRYIN,
    input  wire        CECTRL,
    input  wire        CED,
    input  wire        CEINMODE,
    input  wire        CEM,
    input  wire        CEP,
    input  wire        CLK,
    input  wire [26:0] D,
    input  wire [4:0]  INMODE,
    input  wire        MULTSIGNIN,
    input  wire [8:0]  OPMODE,
    input  wire [47:0] PCIN,
    input  wire        RSTA,
    input  wire        RSTALLCARRYIN,
    input  wire        RSTALUMODE,
    input  wire        RSTB,
    input  wire        RSTC,
    input  wire        RSTCTRL,
    input  wire        RSTD,
    input  wire        RSTINMODE,
    input  wire        RSTM,
    input  wire        RSTP
);
    // string attributes (SystemVerilog `string` parameters: compared as strings)
    localparam AMUL_AD   = AMULTSEL == "AD";
    localparam BMUL_AD   = BMULTSEL == "AD";
    localparam PRE_B     = PREADDINSEL == "B";
    // UG579: with AMULTSEL = A and BMULTSEL = B the pre-adder is unused and the D and
    // AD registers are bypassed whatever DREG/ADREG say
    localparam USE_PRE   = AMUL_AD || BMUL_AD;

    initial begin
        if (!(AMULTSEL == "A" || AMUL_AD) || !(BMULTSEL == "B" || BMUL_AD) ||
            !(PREADDINSEL == "A" || PRE_B))
            $fatal(1, "DSP48E2 model: bad AMULTSEL/BMULTSEL/PREADDINSEL");
        if (USE_MULT != "MULTIPLY" || USE_SIMD != "ONE48" || A_INPUT != "DIRECT" ||
            B_INPUT != "DIRECT" || USE_PATTERN_DETECT != "NO_PATDET" || USE_WIDEXOR != "FALSE" ||
            AUTORESET_PATDET != "NO_RESET")
            $fatal(1, "DSP48E2 model: only USE_MULT MULTIPLY, ONE48, DIRECT inputs, no pattern detect/wide XOR");
        if (AREG < 0 || AREG > 2 || BREG < 0 || BREG > 2 ||
            (AREG < 2 && ACASCREG != AREG) || (AREG == 2 && ACASCREG == 0) ||
            (BREG < 2 && BCASCREG != BREG) || (BREG == 2 && BCASCREG == 0))
            $fatal(1, "DSP48E2 model: AREG/ACASCREG or BREG/BCASCREG not a legal pair (UG579)");
        if (ADREG > 1 || DREG > 1 || MREG > 1 || PREG > 1 || CREG > 1 || INMODEREG > 1 ||
            OPMODEREG > 1 || ALUMODEREG > 1 || CARRYINREG > 1 || CARRYINSELREG > 1)
            $fatal(1, "DSP48E2 model: a 0/1 register attribute out of range");
        if (IS_ALUMODE_INVERTED != 0 || IS_CARRYIN_INVERTED != 0 || IS_CLK_INVERTED != 0 ||
            IS_INMODE_INVERTED != 0 || IS_OPMODE_INVERTED != 0 || IS_RSTALLCARRYIN_INVERTED != 0 ||
            IS_RSTALUMODE_INVERTED != 0 || IS_RSTA_INVERTED != 0 || IS_RSTB_INVERTED != 0 ||
            IS_RSTCTRL_INVERTED != 0 || IS_RSTC_INVERTED != 0 || IS_RSTD_INVERTED != 0 ||
            IS_RSTINMODE_INVERTED != 0 || IS_RSTM_INVERTED != 0 || IS_RSTP_INVERTED != 0)
            $fatal(1, "DSP48E2 model: inverted pins not modelled");
    end

    // ---- A, B: two registers each (AREG/BREG = 0, 1: A2/B2 only, 2: A1 -> A2) ------
    reg  [29:0] a1_reg, a2_reg;
    reg  [17:0] b1_reg, b2_reg;
    always @(posedge CLK) begin
        if (RSTA) begin
            a1_reg <= 30'd0;
            a2_reg <= 30'd0;
        end else begin
            if (CEA1 && AREG != 0) a1_reg <= A;
            if (CEA2 && AREG != 0) a2_reg <= (AREG == 2) ? a1_reg : A;
        end
        if (RSTB) begin
            b1_reg <= 18'd0;
            b2_reg <= 18'd0;
        end else begin
            if (CEB1 && BREG != 0) b1_reg <= B;
            if (CEB2 && BREG != 0) b2_reg <= (BREG == 2) ? b1_reg : B;
        end
    end
    wire [29:0] a_alu = (AREG == 0) ? A : a2_reg;    // A2 data (ALU, multiplier)
    wire [17:0] b_alu = (BREG == 0) ? B : b2_reg;
    assign ACOUT = (ACASCREG == AREG) ? a_alu : a1_reg;
    assign BCOUT = (BCASCREG == BREG) ? b_alu : b1_reg;

    // ---- control registers ----------------------------------------------------------
    reg  [4:0]  inmode_reg;
    reg  [8:0]  opmode_reg;
    reg  [3:0]  alumode_reg;
    reg  [2:0]  cisel_reg;
    reg         cin_reg;
    always @(posedge CLK) begin
        if (RSTINMODE) inmode_reg <= 5'd0; else if (CEINMODE) inmode_reg <= INMODE;
        if (RSTCTRL) begin
            opmode_reg <= 9'd0;
            cisel_reg  <= 3'd0;
        end else if (CECTRL) begin
            opmode_reg <= OPMODE;
            cisel_reg  <= CARRYINSEL;
        end
        if (RSTALUMODE) alumode_reg <= 4'd0; else if (CEALUMODE) alumode_reg <= ALUMODE;
        if (RSTALLCARRYIN) cin_reg <= 1'b0; else if (CECARRYIN) cin_reg <= CARRYIN;
    end
    wire [4:0] inmode  = (INMODEREG != 0)     ? inmode_reg  : INMODE;
    wire [8:0] opmode  = (OPMODEREG != 0)     ? opmode_reg  : OPMODE;
    wire [3:0] alumode = (ALUMODEREG != 0)    ? alumode_reg : ALUMODE;
    wire [2:0] cisel   = (CARRYINSELREG != 0) ? cisel_reg   : CARRYINSEL;
    wire       cin_in  = (CARRYINREG != 0)    ? cin_reg     : CARRYIN;

    // ---- pre-adder: AD = (INMODE[2] ? D : 0) +/- (A or B port), 27 bits ------------
    // INMODE[0]: A1 instead of A2; INMODE[4]: B1 instead of B2; INMODE[1]: the
    // PREADDINSEL port forced to 0; INMODE[3]: subtract
    wire [26:0] a2a1 = (!PRE_B && inmode[1]) ? 27'd0 : inmode[0] ? a1_reg[26:0] : a_alu[26:0];
    wire [17:0] b2b1 = (PRE_B && inmode[1]) ? 18'd0 : inmode[4] ? b1_reg : b_alu;
    wire [26:0] pre_ab = PRE_B ? {{9{b2b1[17]}}, b2b1} : a2a1;
    reg  [26:0] d_reg, ad_reg;
    wire [26:0] d_data = (USE_PRE && DREG != 0) ? d_reg : D;
    wire [26:0] d_mux  = inmode[2] ? d_data : 27'd0;
    wire [26:0] ad_in  = inmode[3] ? d_mux - pre_ab : d_mux + pre_ab;
    wire [26:0] ad     = (USE_PRE && ADREG != 0) ? ad_reg : ad_in;
    always @(posedge CLK) begin
        if (RSTD) begin
            d_reg  <= 27'd0;
            ad_reg <= 27'd0;
        end else begin
            if (CED) d_reg <= D;
            if (CEAD) ad_reg <= ad_in;
        end
    end

    // ---- multiplier: signed 27 x 18 -> 45 bits, M register ---------------------------
    wire [26:0] amult = AMUL_AD ? ad : a2a1;
    wire [17:0] bmult = BMUL_AD ? ad[17:0] : b2b1;
    wire [44:0] mult  = 45'($signed(amult) * $signed(bmult));
    reg  [44:0] m_reg;
    always @(posedge CLK) begin
        if (RSTM) m_reg <= 45'd0; else if (CEM && MREG != 0) m_reg <= mult;
    end
    wire [44:0] m = (MREG != 0) ? m_reg : mult;

    // ---- C register, X/Y/Z/W muxes, ALU, P register ---------------------------------
    reg  [47:0] c_reg, p_reg;
    always @(posedge CLK) begin
        if (RSTC) c_reg <= 48'd0; else if (CEC && CREG != 0) c_reg <= C;
    end
    wire [47:0] c_data = (CREG != 0) ? c_reg : C;
    wire [47:0] m48 = {{3{m[44]}}, m};
    // X and Y: OPMODE[3:0] = 0101 is the product (the sum of the partial products)
    wire        xy_m = opmode[3:0] == 4'b0101;
    wire [47:0] xmux = xy_m ? m48 : (opmode[1:0] == 2'b00) ? 48'd0 :
                       (opmode[1:0] == 2'b10) ? p_reg : {a_alu, b_alu};
    wire [47:0] ymux = xy_m ? 48'd0 : (opmode[3:2] == 2'b00) ? 48'd0 :
                       (opmode[3:2] == 2'b10) ? {48{1'b1}} : c_data;
    wire [47:0] zmux = (opmode[6:4] == 3'b000) ? 48'd0 : (opmode[6:4] == 3'b001) ? PCIN :
                       (opmode[6:4] == 3'b010) ? p_reg : c_data;
    wire [47:0] wmux = (opmode[8:7] == 2'b00) ? 48'd0 : (opmode[8:7] == 2'b01) ? p_reg :
                       (opmode[8:7] == 2'b10) ? RND : c_data;
    wire [47:0] sum_in = wmux + xmux + ymux + {47'd0, cin_in};
    // ALUMODE 0000: Z + W + X + Y + CIN; 0011: Z - (W + X + Y + CIN)
    wire [47:0] alu = (alumode == 4'b0011) ? zmux - sum_in : zmux + sum_in;
    always @(posedge CLK) begin
        if (RSTP) p_reg <= 48'd0; else if (CEP && PREG != 0) p_reg <= alu;
        // what the model does not cover must not pass silently
        if ((opmode[1:0] == 2'b01) != (opmode[3:2] == 2'b01) || opmode[6:4] > 3'b011 ||
            (alumode != 4'b0000 && alumode != 4'b0011) || cisel != 3'b000)
            $fatal(1, "DSP48E2 model: OPMODE %b ALUMODE %b CARRYINSEL %b not modelled", opmode, alumode, cisel);
    end
    assign P = (PREG != 0) ? p_reg : alu;
    assign PCOUT = P;

    // not modelled: carries out, pattern detect, wide XOR (tied off)
    assign CARRYCASCOUT   = 1'b0;
    assign CARRYOUT       = 4'd0;
    assign MULTSIGNOUT    = 1'b0;
    assign OVERFLOW       = 1'b0;
    assign UNDERFLOW      = 1'b0;
    assign PATTERNDETECT  = 1'b0;
    assign PATTERNBDETECT = 1'b0;
    assign XOROUT         = 8'd0;
    wire unused_ok = &{1'b0, ACIN, BCIN, CARRYCASCIN, MULTSIGNIN, MASK, PATTERN};
endmodule
`default_nettype wire
