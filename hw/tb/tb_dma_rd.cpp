// tb_dma_rd: mbn_dma_rd alone against an AXI4 read slave model and a reference of its
// contract (docs/hw.md "Bursts", "What is proved"; mbn_dma_rd.v's port comments;
// hw/formal/fv_dma_rd.sv's assumptions: start only while idle, 16-byte aligned
// transfers below 2^40). Random transfers (40-bit addresses, many next to a 4 KiB
// line or at the top of the address space, 0..1000 words, a few up to 20000) with
// random AR ready, per-burst read latency and R valid gaps (rready is constant 1 by
// design: the destinations are on-chip RAMs). Checked every cycle:
//  - every AR: INCR, arsize 4, <= 16 beats, 16-byte aligned, no 4 KiB crossing,
//    inside [addr, addr + 16*nwords); arvalid held until arready with the payload
//    stable; at most MAX_RD_OUTSTANDING bursts in flight; rready high;
//  - every beat: beat_valid with each R beat, beat_idx 0, 1, 2, ... and beat_data =
//    the memory word at addr + 16*beat_idx (every byte; the memory contents change
//    per transfer so stale data shows), err exactly on the beats answered SLVERR;
//  - faults: an SLVERR beat makes the testbench abort (as mbn_ctrl does) 0..3
//    cycles later; random aborts without error (CTRL.RESET); after an abort no new
//    AR rises, the bursts already issued complete, and no AR ever leaves the window;
//  - busy/inflight: busy until every word (or, aborted, every issued burst) has
//    returned, then low with nothing in flight; inflight = arvalid or a burst out.
// Verilator names the port `abort` __SYM__abort (a C library name).
// -DMAX_OUT=n must match the MAX_RD_OUTSTANDING the model was built with (run.sh: 8, the
// default, and 2).
// -DRD_BYTES=32 tests the 256-bit read port (the model built with -GRD_BYTES=32, run.sh's
// dma_rd256; mbn_dma_rd.v's header): every AR INCR, arsize 5 (32-byte beats, 32-byte
// aligned) or arsize 4 only with arlen 0 and only for the word at an odd 16-byte start
// or the single last word at an even address, <= 16 beats, no 4 KiB crossing, inside the
// window. The slave returns 32-byte beats for arsize 5 and, for arsize 4, the word on the
// byte lanes of its address (upper half if address bit 4 is set) with garbage in the
// other half. Every beat: beat_idx = the next word, beat_data its word, beat2_valid
// exactly on 32-byte beats with beat2_data = word beat_idx + 1 (so words 0, 1, 2, ... in
// order), beat2_valid never without beat_valid; err on a beat answered SLVERR/DECERR.
// More transfers of 1..3 words. At 16 beat2_valid must stay 0 (the random sequence of a
// seed is the same as before RD_BYTES existed).
// TB_SEED sets the seed (printed), TB_DMA_N the number of transfers.
#include "Vmbn_dma_rd.h"
#include "verilated.h"
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>

#ifndef MAX_OUT
#define MAX_OUT 8
#endif
#ifndef RD_BYTES
#define RD_BYTES 16
#endif
#if RD_BYTES != 16 && RD_BYTES != 32
#error "RD_BYTES must be 16 or 32"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#if RD_BYTES == 32
#if MAX_OUT == 8
#define NAME "dma_rd256"
#else
#define NAME "dma_rd256_" STR(MAX_OUT)
#endif
#elif MAX_OUT == 8
#define NAME "dma_rd"
#else
#define NAME "dma_rd" STR(MAX_OUT) // e.g. dma_rd2 for MAX_RD_OUTSTANDING = 2
#endif
static const bool W2 = RD_BYTES == 32; // 256-bit read data
static const uint64_t TOP = 1ull << 40;

static Vmbn_dma_rd *D;
static std::mt19937_64 rng;
static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}
static uint64_t epoch = 0;
static long cyc = 0;

// memory: word at byte address a (16-aligned), 32-bit lane i, for this transfer's epoch
static uint32_t memw(uint64_t a, int i)
{
	uint64_t x = (a * 0x9e3779b97f4a7c15ull) ^ (epoch * 0xc2b2ae3d27d4eb4full) ^ (uint64_t)i * 0x165667b19e3779f9ull;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (uint32_t)x;
}

struct Burst {
	uint64_t addr;
	unsigned len, beat;
	long ready_at;
	unsigned size; // bytes per beat: 16 (arsize 4) or 32 (arsize 5)
};
static std::deque<Burst> outq; // accepted ARs awaiting their R beats
static std::string why;
static void fail(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *f, ...)
{
	if (!why.empty())
		return;
	char b[300];
	va_list ap;
	va_start(ap, f);
	vsnprintf(b, sizeof b, f, ap);
	va_end(ap);
	char c[340];
	snprintf(c, sizeof c, "cycle %ld: %s", cyc, b);
	why = c;
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	uint64_t seed = getenv("TB_SEED") ? strtoull(getenv("TB_SEED"), 0, 0) : 1;
	long N = getenv("TB_DMA_N") ? atol(getenv("TB_DMA_N")) : 3000;
	rng.seed(seed ^ 0xd3a1);
	printf("tb_dma_rd: MAX_RD_OUTSTANDING=%d RD_BYTES=%d seed=%llu transfers=%ld\n", MAX_OUT, RD_BYTES, (unsigned long long)seed, N);
	D = new Vmbn_dma_rd;
	D->rst = 1;
	D->clk = 0;
	D->eval();
	for (int k = 0; k < 2; k++) {
		D->clk = 1;
		D->eval();
		D->clk = 0;
		D->eval();
	}
	D->rst = 0;
	D->eval();
	long nerr = 0, naborted = 0, beats = 0, bursts = 0, max_out_seen = 0, n4k = 0;
	long words = 0, nnarrow = 0, nshort = 0, nodd = 0; // RD_BYTES 32: words, arsize-4 ARs, transfers of 1..3 words, odd starts
	int shown = 0;
	for (long t = 0; t < N && shown < 5; t++) {
		epoch++;
		// ---- the transfer ----
		unsigned nw = rnd(10) == 0 ? 1 + rnd(16) : rnd(6) == 0 ? 1 + rnd(1000)
								       : 1 + rnd(200);
		if (rnd(100) == 0)
			nw = 1 + rnd(20000);
		if (rnd(50) == 0)
			nw = 0;
		if (W2 && rnd(8) == 0)
			nw = 1 + rnd(3); // (no rng call at 16: a seed's sequence is unchanged)
		uint64_t a;
		switch (rnd(4)) {
		case 0:
			a = ((uint64_t)rng() % (TOP >> 12)) << 12;
			a += 4096 - 16 * (1 + rnd(20));
			break; // next to a 4 KiB line
		case 1:
			a = TOP - 16ull * nw - 16ull * rnd(40);
			break; // top of the space
		default:
			a = ((uint64_t)rng() % TOP) & ~15ull;
			break;
		}
		if (a + 16ull * nw > TOP)
			a = TOP - 16ull * nw;
		if (W2 && nw >= 1 && nw <= 3)
			nshort++;
		if (W2 && (a & 16))
			nodd++;
		// slave behaviour of this transfer
		unsigned ar_pct = rnd(4) == 0 ? 100 : 10 + rnd(90), r_pct = rnd(4) == 0 ? 100 : 20 + rnd(80);
		unsigned max_lat = rnd(4) == 0 ? 1 : rnd(80);
		// faults: one word answers SLVERR (sometimes the rest of its burst too), or an abort
		long err_word = (rnd(6) == 0 && nw) ? (long)rnd(nw) : -1;
		bool err_rest = rnd(2);
		long abort_at = rnd(10) == 0 ? (long)rnd(40 + nw) : -1;
		int abort_delay = rnd(4);
		// ---- run it ----
		if (D->busy) {
			fail("busy before start");
		}
		D->start = 1;
		D->addr = a;
		D->nwords = nw;
		D->__SYM__abort = 0;
		long t0 = cyc, seen_err_at = -1, abort_cycle = -1;
		uint64_t next_idx = 0, issued_words = 0;
		bool prev_arv = false, prev_arr = false;
		uint64_t prev_ara = 0;
		unsigned prev_arl = 0, prev_ars = 0;
		bool started = false;
		for (;;) {
			D->eval();
			// ---- sample and check this cycle ----
			bool arv = D->m_axi_arvalid, arr = D->m_axi_arready;
			uint64_t ara = D->m_axi_araddr;
			unsigned arl = D->m_axi_arlen, ars = D->m_axi_arsize;
			if (!D->m_axi_rready)
				fail("rready low");
			if (prev_arv && !prev_arr && (!arv || ara != prev_ara || arl != prev_arl || ars != prev_ars))
				fail("AR changed before arready (valid %d addr %llx len %u size %u)", arv, (unsigned long long)ara, arl, ars);
			if (arv && !(prev_arv && !prev_arr) && abort_cycle >= 0 && cyc > abort_cycle)
				fail("new AR %llx after abort", (unsigned long long)ara);
			// bytes per beat of this AR (16 unless a valid 256-bit arsize 5)
			unsigned bsz = W2 && ars == 5 ? 32 : 16;
			if (arv && !W2) {
				if (D->m_axi_arsize != 4 || D->m_axi_arburst != 1 || arl > 15 || (ara & 15))
					fail("AR size %u burst %u len %u addr %llx", D->m_axi_arsize, D->m_axi_arburst, arl, (unsigned long long)ara);
				if ((ara & 4095) + 16ull * (arl + 1) > 4096)
					fail("AR %llx len %u crosses 4 KiB", (unsigned long long)ara, arl);
				if (ara < a || ara + 16ull * (arl + 1) > a + 16ull * nw)
					fail("AR %llx len %u outside [%llx, +%u words)", (unsigned long long)ara, arl, (unsigned long long)a, nw);
			}
			if (arv && W2) {
				if ((ars != 4 && ars != 5) || D->m_axi_arburst != 1 || arl > 15 || (ara & (bsz - 1)) || (ars == 4 && arl != 0))
					fail("AR size %u burst %u len %u addr %llx", ars, D->m_axi_arburst, arl, (unsigned long long)ara);
				if ((ara & 4095) + (uint64_t)bsz * (arl + 1) > 4096)
					fail("AR %llx size %u len %u crosses 4 KiB", (unsigned long long)ara, ars, arl);
				if (ara < a || ara + (uint64_t)bsz * (arl + 1) > a + 16ull * nw)
					fail("AR %llx size %u len %u outside [%llx, +%u words)", (unsigned long long)ara, ars, arl, (unsigned long long)a, nw);
				// a narrow beat only for the word at an odd start or the single last word
				if (ars == 4 && nw && !((ara == a && (ara & 16)) || (ara == a + 16ull * (nw - 1) && !(ara & 16))))
					fail("narrow AR %llx: neither an odd start nor the last word at an even address", (unsigned long long)ara);
			}
			if (arv && arr) {
				bursts++;
				if ((ara & 4095) + (uint64_t)bsz * (arl + 1) == 4096)
					n4k++;
				issued_words += (uint64_t)(bsz / 16) * (arl + 1);
				if (W2 && ars == 4)
					nnarrow++;
				long lat = 1 + rnd(max_lat + 1);
				long ra = cyc + lat;
				if (!outq.empty() && outq.back().ready_at > ra)
					ra = outq.back().ready_at;
				outq.push_back({ ara, arl, 0, ra, bsz });
				if ((long)outq.size() > MAX_OUT)
					fail("%zu bursts outstanding > %d", outq.size(), MAX_OUT);
				if ((long)outq.size() > max_out_seen)
					max_out_seen = outq.size();
			}
			bool rv = D->m_axi_rvalid;
			if ((bool)D->beat_valid != rv)
				fail("beat_valid %d with rvalid %d", D->beat_valid, rv);
			if (rv) {
				Burst &b = outq.front();
				uint64_t wa = b.addr + (uint64_t)b.size * b.beat; // its (first) word
				unsigned nwb = b.size / 16; // words in this beat
				bool e = D->m_axi_rresp != 0;
				if (D->beat_idx != next_idx)
					fail("beat_idx %u, want %llu", D->beat_idx, (unsigned long long)next_idx);
				if (wa != a + 16 * next_idx)
					fail("beat %llu from %llx, want %llx (bursts out of order)", (unsigned long long)next_idx, (unsigned long long)wa, (unsigned long long)(a + 16 * next_idx));
				for (int i = 0; i < 4; i++)
					if (D->beat_data[i] != memw(wa, i))
						fail("beat %llu byte lane %d: %08x want %08x", (unsigned long long)next_idx, i, D->beat_data[i], memw(wa, i));
				if ((bool)D->beat2_valid != (nwb == 2))
					fail("beat2_valid %d on a %u-byte beat (word %llu)", D->beat2_valid, b.size, (unsigned long long)next_idx);
				if (nwb == 2)
					for (int i = 0; i < 4; i++)
						if (D->beat2_data[i] != memw(wa + 16, i))
							fail("beat2 (word %llu) byte lane %d: %08x want %08x", (unsigned long long)next_idx + 1, i, D->beat2_data[i], memw(wa + 16, i));
				if ((bool)D->err != e)
					fail("err %d on a beat with rresp %u", D->err, D->m_axi_rresp);
				if (e && seen_err_at < 0) {
					seen_err_at = cyc;
					nerr++;
				}
				next_idx += nwb;
				words += nwb;
				beats++;
				if (++b.beat > b.len)
					outq.pop_front();
			} else {
				if (D->err)
					fail("err without a beat");
				if (D->beat2_valid)
					fail("beat2_valid without beat_valid");
			}
			if (started) {
				// inflight: arvalid, or a burst whose last beat was not accepted before
				// this cycle (the model popped the burst ending now)
				bool outstanding = arv || !outq.empty() || (rv && D->m_axi_rlast);
				if ((bool)D->inflight != outstanding)
					fail("inflight %d, want %d", D->inflight, outstanding);
				if (outstanding && !D->busy)
					fail("busy low with a burst in flight");
				bool complete = abort_cycle >= 0 ? true : next_idx == nw;
				if (!D->busy && !outstanding) {
					if (!complete)
						fail("busy low after %llu of %u words", (unsigned long long)next_idx, nw);
					if (abort_cycle < 0 && issued_words != nw)
						fail("%llu words requested, want %u", (unsigned long long)issued_words, nw);
					break;
				}
			}
			if (cyc - t0 > 1000000) {
				fail("timeout (busy stuck)");
				break;
			}
			if (!why.empty())
				break;
			prev_arv = arv;
			prev_arr = arr;
			prev_ara = ara;
			prev_arl = arl;
			prev_ars = ars;
			// ---- clock edge ----
			D->clk = 1;
			D->eval();
			D->clk = 0;
			cyc++;
			if (D->start) {
				D->start = 0;
				D->addr = rng();
				D->nwords = rng();
				started = true;
			} // inputs are latched
			// the controller's abort: after an error beat, or at random (CTRL.RESET)
			bool ab = (seen_err_at >= 0 && cyc >= seen_err_at + 1 + abort_delay) || (abort_at >= 0 && cyc - t0 >= abort_at);
			D->__SYM__abort = ab && (rnd(2) || abort_cycle < 0); // a pulse or held
			if (D->__SYM__abort && abort_cycle < 0) {
				abort_cycle = cyc;
				naborted++;
			}
			// ---- slave outputs for the next cycle ----
			D->m_axi_arready = rnd(100) < ar_pct;
			D->m_axi_rvalid = 0;
			if (!outq.empty() && outq.front().ready_at <= cyc && rnd(100) < r_pct) {
				Burst &b = outq.front();
				uint64_t wa = b.addr + (uint64_t)b.size * b.beat;
				long nwb = b.size / 16;
				if (W2 && b.size == 16) {
					// a narrow beat: the word on its address's byte lanes, garbage beside it
					int h = (wa & 16) ? 4 : 0;
					for (int i = 0; i < 8; i++)
						D->m_axi_rdata[i] = i >= h && i < h + 4 ? memw(wa, i - h) : (uint32_t)rng();
				} else
					for (int i = 0; i < (int)b.size / 4; i++)
						D->m_axi_rdata[i] = memw(wa + 16 * (i / 4), i % 4);
				long widx = (long)((wa - a) / 16);
				bool e = err_word >= 0 && ((err_word >= widx && err_word < widx + nwb) || (err_rest && widx > err_word && b.addr <= a + 16ull * err_word));
				D->m_axi_rresp = e ? 2 + rnd(2) : 0; // SLVERR or DECERR
				D->m_axi_rlast = b.beat == b.len;
				D->m_axi_rvalid = 1;
				D->m_axi_rid = 0;
			} else {
				D->m_axi_rlast = rnd(2);
				D->m_axi_rresp = rnd(4); // junk while not valid
			}
		}
		D->__SYM__abort = 0;
		if (!why.empty()) {
			printf("FAIL " NAME ": transfer %ld (addr %llx, %u words, abort at %ld, err word %ld): %s\n", t,
			       (unsigned long long)a, nw, abort_cycle >= 0 ? abort_cycle - t0 : -1, err_word, why.c_str());
			why.clear();
			shown++;
			outq.clear();
			D->rst = 1;
			D->clk = 1;
			D->eval();
			D->clk = 0;
			D->rst = 0;
			D->m_axi_rvalid = 0;
			D->eval();
			continue;
		}
		// idle gap, sometimes none (start in the cycle after busy fell)
		int gap = rnd(3);
		for (int k = 0; k < gap; k++) {
			D->m_axi_rvalid = 0;
			D->clk = 1;
			D->eval();
			D->clk = 0;
			D->eval();
			cyc++;
			if (D->busy) {
				printf("FAIL " NAME ": busy rose without a start\n");
				shown++;
			}
		}
		D->m_axi_rvalid = 0;
	}
	delete D;
	if (shown) {
		printf("FAIL " NAME ": seed=%llu\n", (unsigned long long)seed);
		return 1;
	}
	if (W2)
		printf("PASS " NAME ": %ld transfers (%ld with SLVERR, %ld aborted, %ld at an odd 16-byte start, %ld of 1..3 words), %ld bursts (%ld narrow, %ld ending on a 4 KiB line), %ld beats, %ld words, up to %ld outstanding, %ld cycles\n",
		       N, nerr, naborted, nodd, nshort, bursts, nnarrow, n4k, beats, words, max_out_seen, cyc);
	else
		printf("PASS " NAME ": %ld transfers (%ld with SLVERR, %ld aborted), %ld bursts (%ld ending on a 4 KiB line), %ld beats, up to %ld outstanding, %ld cycles\n",
		       N, nerr, naborted, bursts, n4k, beats, max_out_seen, cyc);
	return 0;
}
