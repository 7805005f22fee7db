// tb_dma_wr: mbn_dma_wr alone against an AXI4 write slave model, an OBUF model and a
// reference of its contract (docs/hw.md d10/d11 "out_offset + p*out_stride",
// "Bursts", "What is proved"; mbn_dma_wr.v's port comments; hw/formal/fv_dma_wr.sv's
// assumptions: start only while idle, addr and stride 16-byte aligned, wpp >= 1,
// stride >= 16*wpp). Random stores (40-bit addresses, many next to a 4 KiB line,
// 1..64 pixels of 1..40 words, a few of up to 1000 words, strides from dense to
// 64 KiB - 16) with random AW/W ready and B latency; OBUF is a registered-read RAM of random words. Checked:
//  - every AW: INCR, awsize 4, <= 16 beats, aligned, no 4 KiB crossing, inside its
//    segment's extent: a pixel's [addr + p*stride, + 16*wpp), or for a dense store
//    (stride = 16*wpp) the whole [addr, + 16*npix*wpp); awvalid held until awready with
//    a stable payload; at most 8 bursts awaiting B; bready high; a store that neither
//    faults nor aborts uses the fewest bursts its segments allow (cut only at 16 beats
//    and at 4 KiB lines: a dense store's pixels share bursts);
//  - every W beat: wvalid held until wready with stable wdata/wlast, wstrb all ones,
//    wlast exactly on the last beat of its burst, no beat without its AW; the memory
//    afterwards: every word of every pixel written once with its OBUF word (OBUF word
//    p*wpp + w), nothing else written (the gaps between pixels included);
//  - faults: random bursts answered SLVERR: `err` exactly with that B response,
//    `err_off` = that burst's byte offset from addr; the testbench then aborts (as
//    mbn_ctrl does), also at random times (CTRL.RESET): no AW rises after the abort,
//    every issued burst still gets all its W beats, every word written is the
//    reference's word at its own address (a faulting store writes no byte outside
//    its extent), busy falls once all B responses are in; the next store (prefetch
//    FIFO left over from the aborted one) is correct;
//  - busy/inflight/beat: beat = a W handshake; inflight while an AW is pending or a
//    burst lacks W beats or its B.
// TB_SEED sets the seed (printed), TB_DMA_N the number of stores.
#include "Vmbn_dma_wr.h"
#include "verilated.h"
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

static const uint64_t TOP = 1ull << 40;
static const int OAW = 12, OBW = 1 << OAW;

static Vmbn_dma_wr *D;
static std::mt19937_64 rng;
static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}
static long cyc = 0;
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

struct Word {
	uint32_t w[4];
};
static Word obuf[OBW];
struct AwB {
	uint64_t addr;
	unsigned len, wbeats;
	bool err;
	long b_at;
};
static std::deque<AwB> awq; // accepted AWs in order (W beats attach to the oldest lacking them)
static std::map<uint64_t, Word> written; // address -> data, this store

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	uint64_t seed = getenv("TB_SEED") ? strtoull(getenv("TB_SEED"), 0, 0) : 1;
	long N = getenv("TB_DMA_N") ? atol(getenv("TB_DMA_N")) : 3000;
	rng.seed(seed ^ 0x57a1);
	printf("tb_dma_wr: seed=%llu stores=%ld\n", (unsigned long long)seed, N);
	D = new Vmbn_dma_wr;
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
	long nerr = 0, naborted = 0, beats = 0, bursts = 0, maxb = 0, n4k = 0, words_checked = 0;
	int shown = 0;
	for (long t = 0; t < N && shown < 5; t++) {
		// ---- the store ----
		unsigned wpp = rnd(4) == 0 ? 1 + rnd(40) : 1 + rnd(8);
		unsigned npix = rnd(8) == 0 ? 1 : 1 + rnd(rnd(4) == 0 ? 64 : 16);
		if (rnd(40) == 0) {
			wpp = 1 + rnd(1000);
			npix = 1 + rnd(4);
		} // out_c up to 16000
		while ((uint64_t)npix * wpp > OBW)
			npix /= 2;
		unsigned smin = 16 * wpp, stride;
		switch (rnd(4)) {
		case 0:
			stride = smin;
			break; // dense
		case 1:
			stride = 65536 - 16 * (1 + rnd(4));
			if (stride < smin)
				stride = smin;
			break;
		default:
			stride = smin + 16 * rnd(rnd(2) ? 8 : 300);
			break;
		}
		if (stride > 65520)
			stride = 65520;
		uint64_t extent = (uint64_t)(npix - 1) * stride + 16ull * wpp, a;
		switch (rnd(3)) {
		case 0:
			a = (((uint64_t)rng() % (TOP >> 12)) << 12) + 4096 - 16 * (1 + rnd(24));
			break;
		default:
			a = ((uint64_t)rng() % TOP) & ~15ull;
			break;
		}
		if (rnd(20) == 0)
			a = TOP - extent;
		if (a + extent > TOP)
			a = (TOP - extent) & ~15ull;
		for (unsigned k = 0; k < npix * wpp; k++)
			for (int i = 0; i < 4; i++)
				obuf[k].w[i] = (uint32_t)rng();
		// segments: dense stores are one segment; the fewest bursts they allow
		const bool dense = stride == 16 * wpp;
		const uint64_t seg_step = dense ? (uint64_t)npix * stride : stride;
		const uint64_t seg_bytes = dense ? 16ull * npix * wpp : 16ull * wpp;
		const unsigned nseg = dense ? 1 : npix;
		long want_bursts = 0, store_bursts = 0;
		for (unsigned sg = 0; sg < nseg; sg++)
			for (uint64_t s0 = a + sg * seg_step, n = seg_bytes / 16; n;) {
				uint64_t len = std::min<uint64_t>({ n, 16, (4096 - (s0 & 4095)) / 16 });
				s0 += 16 * len, n -= len, want_bursts++;
			}
		// reference: address -> OBUF word
		std::map<uint64_t, unsigned> ref;
		for (unsigned p = 0; p < npix; p++)
			for (unsigned w = 0; w < wpp; w++)
				ref[a + (uint64_t)p * stride + 16ull * w] = p * wpp + w;
		unsigned aw_pct = rnd(4) == 0 ? 100 : 10 + rnd(90), w_pct = rnd(4) == 0 ? 100 : 10 + rnd(90);
		unsigned max_lat = rnd(4) == 0 ? 0 : rnd(60);
		unsigned err_pct = rnd(6) == 0 ? 1 + rnd(30) : 0;
		long abort_at = rnd(10) == 0 ? (long)rnd(40 + npix * wpp) : -1;
		int abort_delay = rnd(4);
		// ---- run it ----
		written.clear();
		awq.clear();
		if (D->busy)
			fail("busy before start");
		D->start = 1;
		D->addr = a;
		D->npix = npix;
		D->wpp = wpp;
		D->stride = stride;
		D->__SYM__abort = 0;
		long t0 = cyc, err_at = -1, abort_cycle = -1;
		bool first_err = true;
		bool p_awv = false, p_awr = false, p_wv = false, p_wr = false, p_wl = false;
		uint64_t p_awa = 0;
		unsigned p_awl = 0;
		Word p_wd{};
		bool started = false;
		unsigned ob_prev = 0;
		for (;;) {
			// OBUF: registered read of last cycle's address
			for (int i = 0; i < 4; i++)
				D->ob_rdata[i] = obuf[ob_prev & (OBW - 1)].w[i];
			D->eval();
			bool awv = D->m_axi_awvalid, awr = D->m_axi_awready, wv = D->m_axi_wvalid, wr = D->m_axi_wready;
			uint64_t awa = D->m_axi_awaddr;
			unsigned awl = D->m_axi_awlen;
			Word wd;
			for (int i = 0; i < 4; i++)
				wd.w[i] = D->m_axi_wdata[i];
			bool wl = D->m_axi_wlast;
			if (!D->m_axi_bready)
				fail("bready low");
			if (p_awv && !p_awr && (!awv || awa != p_awa || awl != p_awl))
				fail("AW changed before awready");
			if (p_wv && !p_wr && (!wv || wl != p_wl || memcmp(&wd, &p_wd, sizeof wd)))
				fail("W changed before wready");
			if (awv && !(p_awv && !p_awr) && abort_cycle >= 0 && cyc > abort_cycle)
				fail("new AW %llx after abort", (unsigned long long)awa);
			if (awv) {
				if (D->m_axi_awsize != 4 || D->m_axi_awburst != 1 || awl > 15 || (awa & 15))
					fail("AW size %u burst %u len %u addr %llx", D->m_axi_awsize, D->m_axi_awburst, awl, (unsigned long long)awa);
				if ((awa & 4095) + 16ull * (awl + 1) > 4096)
					fail("AW %llx len %u crosses 4 KiB", (unsigned long long)awa, awl);
				// inside one segment's extent
				uint64_t off = awa - a, p = off / seg_step, in = off % seg_step;
				if (awa < a || p >= nseg || in + 16ull * (awl + 1) > seg_bytes)
					fail("AW %llx len %u outside the segment extents (addr %llx stride %u wpp %u npix %u)",
					     (unsigned long long)awa, awl, (unsigned long long)a, stride, wpp, npix);
			}
			if (awv && awr) {
				bursts++;
				store_bursts++;
				if ((awa & 4095) + 16ull * (awl + 1) == 4096)
					n4k++;
				awq.push_back({ awa, awl, 0, rnd(100) < err_pct, -1 });
				long waiting = awq.size();
				if (waiting > 8)
					fail("%ld bursts awaiting B > 8", waiting);
				if (waiting > maxb)
					maxb = waiting;
			}
			if ((bool)D->beat != (wv && wr))
				fail("beat %d with W handshake %d", D->beat, wv && wr);
			if (wv) {
				if (D->m_axi_wstrb != 0xffff)
					fail("wstrb %04x", D->m_axi_wstrb);
			}
			if (wv && wr) {
				// the oldest AW still lacking beats
				AwB *b = nullptr;
				for (auto &x : awq)
					if (x.wbeats <= x.len) {
						b = &x;
						break;
					}
				if (!b)
					fail("W beat without an AW");
				else {
					uint64_t wa = b->addr + 16ull * b->wbeats;
					if (wl != (b->wbeats == b->len))
						fail("wlast %d on beat %u of a %u-beat burst", wl, b->wbeats, b->len + 1);
					if (written.count(wa))
						fail("word %llx written twice", (unsigned long long)wa);
					written[wa] = wd;
					auto it = ref.find(wa);
					if (it == ref.end())
						fail("W beat at %llx outside the extent", (unsigned long long)wa);
					else if (memcmp(&wd, &obuf[it->second], sizeof wd))
						fail("word %llx (OBUF %u): %08x.. want %08x..", (unsigned long long)wa, it->second, wd.w[0], obuf[it->second].w[0]);
					words_checked++;
					if (++b->wbeats > b->len)
						b->b_at = cyc + 1 + rnd(max_lat + 1);
					beats++;
				}
			}
			bool bv = D->m_axi_bvalid;
			if (bv) {
				AwB &b = awq.front();
				if ((bool)D->err != b.err)
					fail("err %d with bresp %s", D->err, b.err ? "SLVERR" : "OKAY");
				if (b.err && D->err_off != (uint32_t)(b.addr - a))
					fail("err_off %u, want %llu", D->err_off, (unsigned long long)(b.addr - a));
				if (b.err && first_err) {
					err_at = cyc;
					first_err = false;
					nerr++;
				}
				awq.pop_front();
			} else if (D->err)
				fail("err without a B response");
			if (started) {
				bool infl = awv || !awq.empty() || bv;
				if ((bool)D->inflight != infl)
					fail("inflight %d, want %d", D->inflight, infl);
				if (infl && !D->busy)
					fail("busy low with a burst in flight");
				if (!D->busy && !infl) {
					if (abort_cycle < 0 && written.size() != ref.size())
						fail("busy low after %zu of %zu words", written.size(), ref.size());
					if (abort_cycle < 0 && err_at < 0 && store_bursts != want_bursts)
						fail("%ld bursts, want %ld (%s)", store_bursts, want_bursts,
						     dense ? "dense: pixels share bursts" : "one pixel each");
					break;
				}
			}
			if (cyc - t0 > 1000000)
				fail("timeout (busy stuck)");
			if (!why.empty())
				break;
			p_awv = awv;
			p_awr = awr;
			p_wv = wv;
			p_wr = wr;
			p_wl = wl;
			p_awa = awa;
			p_awl = awl;
			p_wd = wd;
			ob_prev = D->ob_raddr;
			// ---- clock edge ----
			D->clk = 1;
			D->eval();
			D->clk = 0;
			cyc++;
			if (D->start) {
				D->start = 0;
				D->addr = rng();
				D->npix = rng();
				D->wpp = rng();
				D->stride = rng();
				started = true;
			}
			bool ab = (err_at >= 0 && cyc >= err_at + 1 + abort_delay) || (abort_at >= 0 && cyc - t0 >= abort_at);
			D->__SYM__abort = ab && (rnd(2) || abort_cycle < 0);
			if (D->__SYM__abort && abort_cycle < 0) {
				abort_cycle = cyc;
				naborted++;
			}
			D->m_axi_awready = rnd(100) < aw_pct;
			D->m_axi_wready = rnd(100) < w_pct;
			D->m_axi_bvalid = 0;
			if (!awq.empty() && awq.front().b_at >= 0 && awq.front().b_at <= cyc && rnd(3)) {
				D->m_axi_bvalid = 1;
				D->m_axi_bresp = awq.front().err ? 2 + rnd(2) : 0;
				D->m_axi_bid = 0; // SLVERR or DECERR
			} else
				D->m_axi_bresp = rnd(4);
		}
		D->__SYM__abort = 0;
		if (!why.empty()) {
			printf("FAIL dma_wr: store %ld (addr %llx, %u pixels x %u words, stride %u, abort at %ld): %s\n", t,
			       (unsigned long long)a, npix, wpp, stride, abort_cycle >= 0 ? abort_cycle - t0 : -1, why.c_str());
			why.clear();
			shown++;
			D->rst = 1;
			D->m_axi_bvalid = 0;
			D->clk = 1;
			D->eval();
			D->clk = 0;
			D->rst = 0;
			D->eval();
			continue;
		}
		int gap = rnd(3);
		for (int k = 0; k < gap; k++) {
			D->m_axi_bvalid = 0;
			D->clk = 1;
			D->eval();
			D->clk = 0;
			D->eval();
			cyc++;
			if (D->busy) {
				printf("FAIL dma_wr: busy rose without a start\n");
				shown++;
			}
		}
		D->m_axi_bvalid = 0;
	}
	delete D;
	if (shown) {
		printf("FAIL dma_wr: seed=%llu\n", (unsigned long long)seed);
		return 1;
	}
	printf("PASS dma_wr: %ld stores (%ld with SLVERR, %ld aborted), %ld bursts (%ld ending on a 4 KiB line), %ld W beats, %ld words checked, up to %ld awaiting B, %ld cycles\n",
	       N, nerr, naborted, bursts, n4k, beats, words_checked, maxb, cyc);
	return 0;
}
