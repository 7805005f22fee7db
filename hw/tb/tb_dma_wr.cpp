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
// Verilator names the port `abort` __SYM__abort (a C library name).
// -DWR_BYTES=32 tests the 256-bit write port (the model built with -GWR_BYTES=32, run.sh's
// dma_wr256; mbn_dma_wr.v's header). OBUF then has a second registered read port,
// ob_rdata2 = word ob_raddr + 1 (the same one-cycle latency). Every AW: INCR, awsize 5
// (32-byte beats) only 32-byte aligned and with all its beats inside the segment, awsize
// 4 only with awlen 0 and only for a segment's word at an odd 16-byte start or its lone
// last word at an even address, <= 16 beats, no 4 KiB crossing, inside the segment's
// extent. Every W beat: wstrb exactly all ones on a 32-byte beat and, on a narrow one,
// the 16 byte lanes of its address (0xffff0000 if address bit 4 is set, else
// 0x0000ffff), never a strobe outside the beat's lanes; beat2 exactly on 32-byte beats
// (never at 16); wdata, wstrb and wlast stable until wready. The memory model takes only
// the strobed bytes (at 16 as well), each byte at most once, and afterwards the whole
// memory is compared: every byte written is a store byte with its OBUF byte (so nothing
// outside the store is touched), every written word complete, every word written unless
// the store aborted; the fewest bursts count includes the narrow beats. More stores of
// 1..3 words per pixel at 32. At 16 the random sequence of a seed is the same as before
// WR_BYTES existed (beat2 must stay 0).
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

#ifndef WR_BYTES
#define WR_BYTES 16
#endif
#if WR_BYTES != 16 && WR_BYTES != 32
#error "WR_BYTES must be 16 or 32"
#endif
#if WR_BYTES == 32
#define NAME "dma_wr256"
#else
#define NAME "dma_wr"
#endif
static const bool W2 = WR_BYTES == 32; // 256-bit write data
static const unsigned BUS = WR_BYTES; // bytes per data beat of the bus
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
	unsigned size; // bytes per beat: 16 (awsize 4) or 32 (awsize 5)
};
static std::deque<AwB> awq; // accepted AWs in order (W beats attach to the oldest lacking them)
// the memory model: 16-byte word address -> its bytes and which of them were written
// (only strobed bytes), this store; addresses never written keep their old contents
struct MemW {
	uint8_t b[16];
	uint16_t m;
};
static std::map<uint64_t, MemW> written;
struct Beat {
	uint32_t w[8];
};
static uint8_t byte_of(const Word &w, unsigned i)
{
	return (uint8_t)(w.w[i / 4] >> (8 * (i % 4)));
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	uint64_t seed = getenv("TB_SEED") ? strtoull(getenv("TB_SEED"), 0, 0) : 1;
	long N = getenv("TB_DMA_N") ? atol(getenv("TB_DMA_N")) : 3000;
	rng.seed(seed ^ 0x57a1);
	printf("tb_dma_wr: WR_BYTES=%d seed=%llu stores=%ld\n", WR_BYTES, (unsigned long long)seed, N);
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
	long nnarrow = 0, nbeat2 = 0, nodd = 0, nshort = 0, ndense = 0; // WR_BYTES 32 statistics
	int shown = 0;
	for (long t = 0; t < N && shown < 5; t++) {
		// ---- the store ----
		unsigned wpp = rnd(4) == 0 ? 1 + rnd(40) : 1 + rnd(8);
		unsigned npix = rnd(8) == 0 ? 1 : 1 + rnd(rnd(4) == 0 ? 64 : 16);
		if (rnd(40) == 0) {
			wpp = 1 + rnd(1000);
			npix = 1 + rnd(4);
		} // out_c up to 16000
		if (W2 && rnd(8) == 0)
			wpp = 1 + rnd(3); // (no rng call at 16: a seed's sequence is unchanged)
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
		if (W2 && (a & 16))
			nodd++;
		if (W2 && wpp <= 3)
			nshort++;
		for (unsigned k = 0; k < npix * wpp; k++)
			for (int i = 0; i < 4; i++)
				obuf[k].w[i] = (uint32_t)rng();
		// segments: dense stores are one segment; the fewest bursts they allow
		const bool dense = stride == 16 * wpp;
		const uint64_t seg_step = dense ? (uint64_t)npix * stride : stride;
		const uint64_t seg_bytes = dense ? 16ull * npix * wpp : 16ull * wpp;
		const unsigned nseg = dense ? 1 : npix;
		long want_bursts = 0, store_bursts = 0;
		if (W2 && dense)
			ndense++;
		for (unsigned sg = 0; sg < nseg; sg++)
			for (uint64_t s0 = a + sg * seg_step, n = seg_bytes / 16; n;) {
				if (W2 && ((s0 & 16) || n == 1)) {
					s0 += 16, n--, want_bursts++; // a narrow beat: odd start or lone last word
					continue;
				}
				// full beats (two words each at 32) up to 16 and the 4 KiB line
				uint64_t wpb = W2 ? 2 : 1;
				uint64_t len = std::min<uint64_t>({ n / wpb, 16, (4096 - (s0 & 4095)) / (16 * wpb) });
				s0 += 16 * wpb * len, n -= wpb * len, want_bursts++;
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
		unsigned p_awl = 0, p_aws = 0, p_wst = 0;
		Beat p_wd{};
		bool started = false;
		unsigned ob_prev = 0;
		for (;;) {
			// OBUF: registered read of last cycle's address: word ob_raddr on ob_rdata,
			// word ob_raddr + 1 on ob_rdata2
			for (int i = 0; i < 4; i++) {
				D->ob_rdata[i] = obuf[ob_prev & (OBW - 1)].w[i];
				D->ob_rdata2[i] = obuf[(ob_prev + 1) & (OBW - 1)].w[i];
			}
			D->eval();
			bool awv = D->m_axi_awvalid, awr = D->m_axi_awready, wv = D->m_axi_wvalid, wr = D->m_axi_wready;
			uint64_t awa = D->m_axi_awaddr;
			unsigned awl = D->m_axi_awlen, aws = D->m_axi_awsize;
			Beat wd{};
			for (unsigned i = 0; i < BUS / 4; i++)
				wd.w[i] = D->m_axi_wdata[i];
			unsigned wst = D->m_axi_wstrb;
			bool wl = D->m_axi_wlast;
			if (!D->m_axi_bready)
				fail("bready low");
			if (p_awv && !p_awr && (!awv || awa != p_awa || awl != p_awl || aws != p_aws))
				fail("AW changed before awready");
			if (p_wv && !p_wr && (!wv || wl != p_wl || memcmp(&wd, &p_wd, sizeof wd) || wst != p_wst))
				fail("W changed before wready");
			if (awv && !(p_awv && !p_awr) && abort_cycle >= 0 && cyc > abort_cycle)
				fail("new AW %llx after abort", (unsigned long long)awa);
			// bytes per beat of this AW (16 unless a 256-bit awsize 5)
			unsigned bsz = W2 && aws == 5 ? 32 : 16;
			if (awv && !W2) {
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
			if (awv && W2) {
				if ((aws != 4 && aws != 5) || D->m_axi_awburst != 1 || awl > 15 || (awa & (bsz - 1)) || (aws == 4 && awl != 0))
					fail("AW size %u burst %u len %u addr %llx", aws, D->m_axi_awburst, awl, (unsigned long long)awa);
				if ((awa & 4095) + (uint64_t)bsz * (awl + 1) > 4096)
					fail("AW %llx size %u len %u crosses 4 KiB", (unsigned long long)awa, aws, awl);
				// inside one segment's extent (all of a 32-byte beat's bytes)
				uint64_t off = awa - a, p = off / seg_step, in = off % seg_step;
				if (awa < a || p >= nseg || in + (uint64_t)bsz * (awl + 1) > seg_bytes)
					fail("AW %llx size %u len %u outside the segment extents (addr %llx stride %u wpp %u npix %u)",
					     (unsigned long long)awa, aws, awl, (unsigned long long)a, stride, wpp, npix);
				// a narrow beat only for a segment's word at an odd start or its lone last word
				else if (aws == 4 && !((in == 0 && (awa & 16)) || (in + 16 == seg_bytes && !(awa & 16))))
					fail("narrow AW %llx: neither a segment's odd start nor its last word at an even address (segment %llu, +%llu of %llu bytes)",
					     (unsigned long long)awa, (unsigned long long)p, (unsigned long long)in, (unsigned long long)seg_bytes);
			}
			if (awv && awr) {
				bursts++;
				store_bursts++;
				if ((awa & 4095) + (uint64_t)bsz * (awl + 1) == 4096)
					n4k++;
				if (W2 && aws == 4)
					nnarrow++;
				awq.push_back({ awa, awl, 0, rnd(100) < err_pct, -1, bsz });
				long waiting = awq.size();
				if (waiting > 8)
					fail("%ld bursts awaiting B > 8", waiting);
				if (waiting > maxb)
					maxb = waiting;
			}
			if ((bool)D->beat != (wv && wr))
				fail("beat %d with W handshake %d", D->beat, wv && wr);
			// the oldest AW still lacking beats (the one a W beat now belongs to)
			AwB *b = nullptr;
			for (auto &x : awq)
				if (x.wbeats <= x.len) {
					b = &x;
					break;
				}
			if (!W2 && D->beat2)
				fail("beat2 at WR_BYTES 16");
			if (W2 && (bool)D->beat2 != (wv && wr && b && b->size == 32))
				fail("beat2 %d with W handshake %d on a %u-byte beat", D->beat2, wv && wr, b ? b->size : 0);
			if (wv && !W2) {
				if (D->m_axi_wstrb != 0xffff)
					fail("wstrb %04x", D->m_axi_wstrb);
			}
			if (wv && W2) {
				// all ones on a 32-byte beat, the address's half on a narrow one
				unsigned want = 0xffffffffu;
				if (b && b->size == 16)
					want = (b->addr & 16) ? 0xffff0000u : 0x0000ffffu;
				if (b ? wst != want : (wst != 0xffffffffu && wst != 0xffff0000u && wst != 0x0000ffffu))
					fail("wstrb %08x on a %u-byte beat at %llx, want %08x", wst, b ? b->size : 0,
					     b ? (unsigned long long)(b->addr + (uint64_t)b->size * b->wbeats) : 0ull, want);
			}
			if (wv && wr) {
				if (!b)
					fail("W beat without an AW");
				else {
					// the beat's address and its byte lanes on the bus (AXI4 A3.4.3: a
					// narrow beat uses the lanes of its address)
					uint64_t ba = b->addr + (uint64_t)b->size * b->wbeats;
					unsigned lo = (unsigned)(ba & (BUS - 1)), hi = lo + b->size;
					if (wl != (b->wbeats == b->len))
						fail("wlast %d on beat %u of a %u-beat burst", wl, b->wbeats, b->len + 1);
					for (unsigned i = 0; i < BUS; i++)
						if (((wst >> i) & 1) && (i < lo || i >= hi))
							fail("wstrb %08x: byte lane %u outside the beat's lanes %u..%u (beat at %llx)", wst, i, lo, hi - 1, (unsigned long long)ba);
					// write only the strobed bytes, word by word (a word: 16 lanes)
					for (unsigned h = lo / 16; h < hi / 16; h++) {
						uint64_t wa = (ba & ~(uint64_t)(BUS - 1)) + 16ull * h;
						Word x;
						memcpy(x.w, &wd.w[4 * h], sizeof x.w);
						unsigned m = (wst >> (16 * h)) & 0xffff;
						if (!m)
							continue;
						MemW &mw = written[wa];
						if (mw.m & m)
							fail("word %llx written twice", (unsigned long long)wa);
						for (unsigned i = 0; i < 16; i++)
							if ((m >> i) & 1)
								mw.b[i] = byte_of(x, i);
						mw.m |= m;
						auto it = ref.find(wa);
						if (it == ref.end())
							fail("W beat at %llx outside the extent", (unsigned long long)wa);
						else if (memcmp(&x, &obuf[it->second], sizeof x))
							fail("word %llx (OBUF %u): %08x.. want %08x..", (unsigned long long)wa, it->second, x.w[0], obuf[it->second].w[0]);
						words_checked++;
					}
					if (W2 && b->size == 32)
						nbeat2++;
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
					// the whole memory against the reference: every byte written is a
					// store byte with its OBUF byte (nothing outside the store touched),
					// every written word complete; all of them unless aborted
					for (auto &x : written) {
						auto it = ref.find(x.first);
						if (it == ref.end()) {
							fail("memory: bytes %04x of word %llx (outside the store) written", x.second.m, (unsigned long long)x.first);
							break;
						}
						if (x.second.m != 0xffff) {
							fail("memory: word %llx only partly written (bytes %04x)", (unsigned long long)x.first, x.second.m);
							break;
						}
						for (unsigned i = 0; i < 16; i++)
							if (x.second.b[i] != byte_of(obuf[it->second], i)) {
								fail("memory: byte %llx is %02x, want %02x (OBUF %u)", (unsigned long long)x.first + i, x.second.b[i], byte_of(obuf[it->second], i), it->second);
								break;
							}
					}
					if (abort_cycle < 0)
						for (auto &x : ref)
							if (!written.count(x.first)) {
								fail("memory: word %llx (OBUF %u) not written", (unsigned long long)x.first, x.second);
								break;
							}
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
			p_aws = aws;
			p_wst = wst;
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
			printf("FAIL " NAME ": store %ld (addr %llx, %u pixels x %u words, stride %u, abort at %ld): %s\n", t,
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
				printf("FAIL " NAME ": busy rose without a start\n");
				shown++;
			}
		}
		D->m_axi_bvalid = 0;
	}
	delete D;
	if (shown) {
		printf("FAIL " NAME ": seed=%llu\n", (unsigned long long)seed);
		return 1;
	}
	if (W2)
		printf("PASS " NAME ": %ld stores (%ld with SLVERR, %ld aborted, %ld at an odd 16-byte address, %ld dense, %ld of 1..3 words per pixel), %ld bursts (%ld narrow, %ld ending on a 4 KiB line), %ld W beats (%ld of two words), %ld words checked, up to %ld awaiting B, %ld cycles\n",
		       N, nerr, naborted, nodd, ndense, nshort, bursts, nnarrow, n4k, beats, nbeat2, words_checked, maxb, cyc);
	else
		printf("PASS " NAME ": %ld stores (%ld with SLVERR, %ld aborted), %ld bursts (%ld ending on a 4 KiB line), %ld W beats, %ld words checked, up to %ld awaiting B, %ld cycles\n",
		       N, nerr, naborted, bursts, n4k, beats, words_checked, maxb, cyc);
	return 0;
}
