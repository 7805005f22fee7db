// SPDX-License-Identifier: Apache-2.0
// tb_dsp2: mbn_dsp2 (two byte products sharing one operand in one DSP48E2, docs/hw.md
// "Two MACs per DSP48E2") alone against plain multiplication: every one of the 2^24
// byte triples (x, wa, wb) is streamed, one per clock-enabled cycle, and pa == wa * x,
// pb == wb * x (all 18 / 27 output bits) are checked LATENCY clock-enabled cycles
// later. ce drops at random points for 1..8 cycles, with random bytes on the inputs
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
static const long NTRIPLES = 1L << 24;

// triple k of the stream: every (x, wa, wb) once, wb fastest
static void triple(long k, unsigned &x, unsigned &wa, unsigned &wb)
{
	x = (unsigned)(k >> 16) & 255;
	wa = (unsigned)(k >> 8) & 255;
	wb = (unsigned)k & 255;
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
			m->x = r & 255;
			m->wa = (r >> 8) & 255;
			m->wb = (r >> 16) & 255;
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
		uint32_t want_a = wa * x, want_b = wb * x;
		if (m->pa != want_a || m->pb != want_b) {
			if (bad < 10)
				printf("mismatch triple %ld x=%u wa=%u wb=%u (%s): pa=%u pb=%u, want %u %u\n", k, x, wa, wb,
				       ce ? "running" : "stalled", (unsigned)m->pa, (unsigned)m->pb, want_a, want_b);
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
	printf("PASS " NAME ": all %ld (x, wa, wb) byte triples: pa == wa*x, pb == wb*x after %ld cycles; "
	       "%ld checks, %ld ce stalls (%ld cycles) hold the pipeline (%.1f s)\n",
	       NTRIPLES, LAT, checked, stalls, stall_cycles, s);
	return 0;
}
