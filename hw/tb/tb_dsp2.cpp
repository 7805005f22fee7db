// SPDX-License-Identifier: Apache-2.0
// tb_dsp2: mbn_dsp2 (two products sharing one operand in one DSP48E2, docs/hw.md
// "Two MACs per DSP48E2") alone against plain multiplication: every one of the 2^26
// operand triples (x, wa 9-bit signed, wb an unsigned byte; the MAC array's operands
// lie within these ranges) is streamed, one per clock-enabled cycle, and
// pa == wa * x (all 18 bits, signed) and pb + pa[17] == wb * x (all 27 bits) are
// checked LATENCY clock-enabled cycles later. ce drops at random points for 1..8 cycles, with random bytes on the inputs
// meanwhile: the stalled cycles must capture nothing and hold every stage (the outputs
// keep the same triple's products). The simulated model is the behavioural branch of
// mbn_dsp2.v (no SYNTHESIS); built with -DPRIM (run.sh's `dsp2_prim`: Verilator
// +define+SYNTHESIS and hw/tb/dsp48e2_model.v) the same checks run on the DSP48E2
// instance of the synthesis branch, its attributes and port wiring, on a functional
// model of the primitive; hw/synth/dsp2.ys checks that it maps to one DSP48E2.
// TB_SEED sets the seed of the stalls and the stall-time inputs (printed).
#include "Vmbn_dsp2.h"
#include "Vmbn_dsp2_mbn_dsp2.h"
#include "verilated.h"
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#ifdef PRIM
#define NAME "dsp2_prim"
#else
#define NAME "dsp2"
#endif

// the module's documented latency (localparam LATENCY, verilator public)
static const long LAT = Vmbn_dsp2_mbn_dsp2::LATENCY;
static const long NTRIPLES = 1L << 26;

// triple k of the stream: every (x, wa, wb) once, wb fastest; x and wa as the 9-bit
// port values (two's complement)
static void triple(long k, unsigned &x, unsigned &wa, unsigned &wb)
{
	x = (unsigned)(k >> 17) & 511;
	wa = (unsigned)(k >> 8) & 511;
	wb = (unsigned)k & 255;
}

// a 9-bit two's complement port value as a number
static int s9(unsigned v)
{
	return (int)(v & 511) - ((v & 256) ? 512 : 0);
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	uint64_t seed = getenv("TB_SEED") ? strtoull(getenv("TB_SEED"), 0, 0) : 1;
	std::mt19937_64 rng(seed);
	auto t0 = std::chrono::steady_clock::now();
	Vmbn_dsp2 *m = new Vmbn_dsp2;
	m->clk = 0;
	m->ce = 0;
	m->eval();
	long sent = 0, checked = 0, bad = 0, stalls = 0, stall_cycles = 0, stall_left = 0;
	// feed all triples, then LAT more clock-enabled cycles to drain the pipeline
	while (sent < NTRIPLES + LAT) {
		if (stall_left == 0 && rng() % 64 == 0) {
			stall_left = 1 + (long)(rng() % 8);
			stalls++;
		}
		bool ce = stall_left == 0;
		if (ce && sent < NTRIPLES) {
			unsigned x, wa, wb;
			triple(sent, x, wa, wb);
			m->x = x;
			m->wa = wa;
			m->wb = wb;
		} else {
			// stalled (or draining): bytes that must not enter the pipeline
			uint64_t r = rng();
			m->x = r & 511;
			m->wa = (r >> 9) & 511;
			m->wb = (r >> 18) & 255;
		}
		m->ce = ce;
		m->clk = 1;
		m->eval();
		m->clk = 0;
		m->eval();
		if (ce)
			sent++;
		else {
			stall_left--;
			stall_cycles++;
		}
		// after `sent` clock-enabled edges the outputs hold triple sent - LAT
		if (sent < LAT)
			continue;
		long k = sent - LAT;
		if (k >= NTRIPLES)
			break;
		unsigned x, wa, wb;
		triple(k, x, wa, wb);
		// the fields compared whole: pa's 18 bits, and the corrected high field's 27
		uint32_t want_a = (uint32_t)(s9(wa) * s9(x)) & 0x3ffff;
		uint32_t want_b = (uint32_t)((int)wb * s9(x)) & 0x7ffffff;
		uint32_t got_b = ((uint32_t)m->pb + ((uint32_t)m->pa >> 17)) & 0x7ffffff;
		if (m->pa != want_a || got_b != want_b) {
			if (bad < 10)
				printf("mismatch triple %ld x=%d wa=%d wb=%u (%s): pa=0x%05x pb+pa[17]=0x%07x, want 0x%05x 0x%07x\n",
				       k, s9(x), s9(wa), wb, ce ? "running" : "stalled", (unsigned)m->pa, got_b, want_a,
				       want_b);
			bad++;
		}
		checked++;
	}
	delete m;
	double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	printf("tb_" NAME ": seed %llu\n", (unsigned long long)seed);
	if (bad || checked < NTRIPLES) {
		printf("FAIL " NAME ": %ld of %ld checks wrong (%ld triples)\n", bad, checked, NTRIPLES);
		return 1;
	}
	printf("PASS " NAME ": all %ld (x, wa, wb) triples (9-bit signed x, wa; byte wb): pa == wa*x, "
	       "pb + pa[17] == wb*x after %ld cycles; "
	       "%ld checks, %ld ce stalls (%ld cycles) hold the pipeline (%.1f s)\n",
	       NTRIPLES, LAT, checked, stalls, stall_cycles, s);
	return 0;
}
