// tb_top: mbnaccel_top end to end: register slave, descriptor fetch/checks, DMA
// with a randomized AXI memory model (random AR/AW/W ready, random read latency,
// random R/B gaps, burst-rule checks), the PW and DW engines against C++
// references of docs/hw.md "Arithmetic" on random data and geometries, descriptor
// chains with reuse_input/reuse_weights, dependent chains through DRAM (each
// descriptor reads the previous one's output: the descriptor pipeline must wait for
// the store) with and without a failing last descriptor, faults, counters.
#include "Vmbnaccel_top.h"
#include "requant.h"
#include "verilated.h"
#include "mbn_regs.h"
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

static Vmbnaccel_top *T;
static std::mt19937_64 rng(7);
static uint64_t cyc = 0;
static const uint64_t MEM_BASE = 0x1200000000ull; // > 32 bits: exercises the 40-bit address
static const size_t MEM_SIZE = 4 << 20;
static std::vector<uint8_t> mem(MEM_SIZE);
static int fails = 0, passes = 0;
static std::string axi_violation;
static uint64_t err_lo = 0, err_hi = 0; // byte range answering SLVERR

static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}

// ---- AXI slave model ------------------------------------------------------------------
struct RBurst {
	uint64_t addr;
	unsigned len, beat;
	uint64_t ready_at;
};
static std::deque<RBurst> rq;
struct WBurst {
	uint64_t addr;
	unsigned len, beat;
	bool err;
};
static std::deque<WBurst> wq;
static std::deque<std::pair<uint64_t, bool>> bq; // ready cycle, error
static int ready_pct = 70; // randomness of ready/valid
static unsigned max_lat = 40;
static unsigned rd_out = 0, max_rd_out_seen = 0;

static void check_burst(uint64_t a, unsigned len, unsigned size, unsigned burst, const char *ch)
{
	char b[160];
	if (size != 4 || burst != 1 || len > 15 || (a & 15) ||
	    ((a & 4095) + (len + 1) * 16 > 4096) || a < MEM_BASE || a + (len + 1) * 16 > MEM_BASE + MEM_SIZE) {
		snprintf(b, sizeof b, "%s burst addr=%llx len=%u size=%u burst=%u", ch, (unsigned long long)a, len, size, burst);
		if (axi_violation.empty())
			axi_violation = b;
	}
}

static void tick()
{
	// sample master outputs before the edge, drive slave inputs for the next cycle
	bool ar_hs = T->m_axi_arvalid && T->m_axi_arready;
	bool r_hs = T->m_axi_rvalid && T->m_axi_rready;
	bool aw_hs = T->m_axi_awvalid && T->m_axi_awready;
	bool w_hs = T->m_axi_wvalid && T->m_axi_wready;
	bool b_hs = T->m_axi_bvalid && T->m_axi_bready;
	if (ar_hs) {
		check_burst(T->m_axi_araddr, T->m_axi_arlen, T->m_axi_arsize, T->m_axi_arburst, "AR");
		rq.push_back({ T->m_axi_araddr, T->m_axi_arlen, 0, cyc + 2 + rnd(max_lat) });
		rd_out++;
		if (rd_out > max_rd_out_seen)
			max_rd_out_seen = rd_out;
	}
	if (r_hs) {
		RBurst &b = rq.front();
		if (++b.beat > b.len) {
			rq.pop_front();
			rd_out--;
		}
	}
	if (aw_hs) {
		check_burst(T->m_axi_awaddr, T->m_axi_awlen, T->m_axi_awsize, T->m_axi_awburst, "AW");
		uint64_t a = T->m_axi_awaddr;
		bool e = a + (T->m_axi_awlen + 1) * 16 > MEM_BASE + err_lo && a < MEM_BASE + err_hi;
		wq.push_back({ a, T->m_axi_awlen, 0, e });
	}
	if (w_hs) {
		if (wq.empty()) {
			if (axi_violation.empty())
				axi_violation = "W before AW";
		} else {
			WBurst &b = wq.front();
			uint64_t a = b.addr + b.beat * 16 - MEM_BASE;
			if (a + 16 <= MEM_SIZE) {
				const uint32_t *d = T->m_axi_wdata.data();
				for (int i = 0; i < 16; i++)
					mem[a + i] = (uint8_t)(d[i / 4] >> (8 * (i % 4)));
			}
			bool last = b.beat == b.len;
			if (last != (bool)T->m_axi_wlast && axi_violation.empty())
				axi_violation = "WLAST mismatch";
			b.beat++;
			if (last) {
				bq.push_back({ cyc + 1 + rnd(max_lat), b.err });
				wq.pop_front();
			}
		}
	}
	if (b_hs)
		bq.pop_front();

	T->clk = 1;
	T->eval();
	cyc++;

	T->m_axi_arready = rnd(100) < (unsigned)ready_pct;
	T->m_axi_awready = rnd(100) < (unsigned)ready_pct;
	T->m_axi_wready = rnd(100) < (unsigned)ready_pct;
	T->m_axi_rvalid = 0;
	if (!rq.empty() && rq.front().ready_at <= cyc && rnd(100) < (unsigned)ready_pct) {
		RBurst &b = rq.front();
		uint64_t a = b.addr + b.beat * 16 - MEM_BASE;
		uint32_t *d = T->m_axi_rdata.data();
		for (int w = 0; w < 4; w++) {
			uint32_t v = 0;
			for (int i = 0; i < 4; i++)
				v |= (uint32_t)(a + w * 4 + i < MEM_SIZE ? mem[a + w * 4 + i] : 0) << (8 * i);
			d[w] = v;
		}
		bool e = a >= err_lo && a < err_hi;
		T->m_axi_rresp = e ? 2 : 0;
		T->m_axi_rlast = b.beat == b.len;
		T->m_axi_rvalid = 1;
		T->m_axi_rid = 0;
	}
	T->m_axi_bvalid = 0;
	if (!bq.empty() && bq.front().first <= cyc) {
		T->m_axi_bvalid = 1;
		T->m_axi_bresp = bq.front().second ? 2 : 0;
		T->m_axi_bid = 0;
	}
	T->clk = 0;
	T->eval();
}

// ---- AXI-Lite master ---------------------------------------------------------------------
static void wr(uint32_t a, uint32_t v)
{
	T->s_axil_awaddr = a;
	T->s_axil_awvalid = 1;
	T->s_axil_wdata = v;
	T->s_axil_wstrb = 0xf;
	T->s_axil_wvalid = 1;
	T->s_axil_bready = 1;
	T->eval();
	int n = 0;
	while (!(T->s_axil_awready && T->s_axil_wready)) {
		tick();
		if (++n > 100) {
			printf("axil write hang\n");
			exit(2);
		}
	}
	tick();
	T->s_axil_awvalid = 0;
	T->s_axil_wvalid = 0;
	T->eval();
	while (!T->s_axil_bvalid)
		tick();
	tick();
	T->s_axil_bready = 0;
	T->eval();
}
static uint32_t rd(uint32_t a)
{
	T->s_axil_araddr = a;
	T->s_axil_arvalid = 1;
	T->s_axil_rready = 1;
	T->eval();
	while (!T->s_axil_arready)
		tick();
	tick();
	T->s_axil_arvalid = 0;
	T->eval();
	while (!T->s_axil_rvalid)
		tick();
	uint32_t v = T->s_axil_rdata;
	tick();
	T->s_axil_rready = 0;
	T->eval();
	return v;
}
static uint64_t rd64(uint32_t lo)
{
	return rd(lo) | (uint64_t)rd(lo + 4) << 32;
}

// ---- descriptors and references -------------------------------------------------------------
struct Desc {
	int op, round = 0, reuse_w = 0, reuse_i = 0;
	int in_rows, in_w, in_c, out_c, out_rows, out_w, stride = 1, row_off = 0, pad_left = 0;
	int w_zp, in_zp, out_zp, act_min, act_max;
	int in_rg = 0, w_rg = 0, q_rg = 0, out_rg = 0;
	uint32_t in_off, w_off, q_off, out_off, out_stride;
	uint32_t extra_d0 = 0;
};
static void put32(uint32_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		mem[off + i] = v >> (8 * i);
}
static int32_t get32(uint32_t off)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)mem[off + i] << (8 * i);
	return (int32_t)v;
}
static void write_desc(uint32_t off, const Desc &d)
{
	// the contract's packing (generated mbn_regs.h); extra_d0 injects reserved-bit faults
	mbn_desc m = {};
	m.op = (uint32_t)d.op;
	m.round = (uint32_t)d.round;
	m.reuse_weights = (uint32_t)d.reuse_w;
	m.reuse_input = (uint32_t)d.reuse_i;
	m.in_rows = (uint32_t)d.in_rows;
	m.in_w = (uint32_t)d.in_w;
	m.in_c = (uint32_t)d.in_c;
	m.out_c = (uint32_t)d.out_c;
	m.out_rows = (uint32_t)d.out_rows;
	m.out_w = (uint32_t)d.out_w;
	m.stride = (uint32_t)d.stride;
	m.row_off = d.row_off;
	m.pad_left = (uint32_t)d.pad_left;
	m.w_zp = (uint32_t)d.w_zp;
	m.in_zp = (uint32_t)d.in_zp;
	m.out_zp = (uint32_t)d.out_zp;
	m.act_min = (uint32_t)d.act_min;
	m.act_max = (uint32_t)d.act_max;
	m.in_region = (uint32_t)d.in_rg;
	m.w_region = (uint32_t)d.w_rg;
	m.q_region = (uint32_t)d.q_rg;
	m.out_region = (uint32_t)d.out_rg;
	m.in_offset = (uint32_t)d.in_off;
	m.w_offset = (uint32_t)d.w_off;
	m.q_offset = (uint32_t)d.q_off;
	m.out_offset = (uint32_t)d.out_off;
	m.out_stride = (uint32_t)d.out_stride;
	uint32_t w[16];
	mbn_desc_pack(&m, w);
	w[0] |= d.extra_d0;
	for (int i = 0; i < 16; i++)
		put32(off + 4 * i, w[i]);
}
// the requantizer of the C model and the library (hw/model/requant.h)
static uint8_t requant(int32_t acc, int32_t mult, int32_t shift, int round, int zp, int mn, int mx)
{
	return mbn_requant_out(acc, mult, shift, round, zp, mn, mx);
}
// expected output bytes (index: pixel*out_c + c), from the tensors in memory.
// in_off/w_off/q_off name where the data was loaded from (reuse: an earlier descriptor's)
static std::vector<uint8_t> reference(const Desc &d, uint32_t in_off, uint32_t w_off, uint32_t q_off)
{
	int P = d.out_rows * d.out_w;
	std::vector<uint8_t> out((size_t)P * d.out_c);
	for (int p = 0; p < P; p++)
		for (int c = 0; c < d.out_c; c++) {
			int32_t bias = get32(q_off + 16 * c), mult = get32(q_off + 16 * c + 4), sh = get32(q_off + 16 * c + 8);
			uint32_t acc = (uint32_t)bias;
			if (d.op == 1) {
				int G = c / 16, l = c % 16, J = d.in_c / 16;
				for (int ic = 0; ic < d.in_c; ic++) {
					int j = ic / 16;
					uint32_t k = (uint32_t)(G * J + j) * 16 + l; // stream word
					int w = mem[w_off + k * 16 + ic % 16];
					int x = mem[in_off + (size_t)p * d.in_c + ic];
					acc += (uint32_t)((x - d.in_zp) * (w - d.w_zp));
				}
			} else {
				int oy = p / d.out_w, ox = p % d.out_w;
				for (int kh = 0; kh < 3; kh++)
					for (int kw = 0; kw < 3; kw++) {
						int r = oy * d.stride + kh + d.row_off, col = ox * d.stride + kw - d.pad_left;
						if (r < 0 || r >= d.in_rows || col < 0 || col >= d.in_w)
							continue;
						uint32_t k = (c / 16) * 9 + kh * 3 + kw;
						int w = mem[w_off + k * 16 + c % 16];
						int x = mem[in_off + ((size_t)r * d.in_w + col) * d.in_c + c];
						acc += (uint32_t)((x - d.in_zp) * (w - d.w_zp));
					}
			}
			out[(size_t)p * d.out_c + c] = requant((int32_t)acc, mult, sh, d.round, d.out_zp, d.act_min, d.act_max);
		}
	return out;
}

static void set_region(int r, uint64_t base, uint64_t size)
{
	wr(MBN_REG_REGION(r) + 0, (uint32_t)base);
	wr(MBN_REG_REGION(r) + 4, base >> 32);
	wr(MBN_REG_REGION(r) + 8, (uint32_t)size);
	wr(MBN_REG_REGION(r) + 12, size >> 32);
}
static bool run_job(uint32_t desc_off, uint32_t count, uint64_t limit = 20000000)
{
	wr(MBN_REG_DESC_REGION, 0);
	wr(MBN_REG_DESC_OFFSET, desc_off);
	wr(MBN_REG_DESC_COUNT, count);
	wr(MBN_REG_IRQ_ENABLE, 3);
	wr(MBN_REG_CTRL, 1);
	uint64_t t0 = cyc;
	while (!T->irq) {
		tick();
		if (cyc - t0 > limit)
			return false;
	}
	return true;
}
static void report(bool ok, const std::string &name, const std::string &why)
{
	if (!axi_violation.empty()) {
		ok = false;
	}
	if (ok) {
		printf("PASS %s\n", name.c_str());
		passes++;
	} else {
		printf("FAIL %s: %s%s%s\n", name.c_str(), why.c_str(), axi_violation.empty() ? "" : " AXI: ", axi_violation.c_str());
		fails++;
	}
	axi_violation.clear();
}
static void fill(uint32_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mem[off + i] = rng();
}
static void fill_q(uint32_t off, int n, bool edge)
{
	for (int c = 0; c < n; c++) {
		put32(off + 16 * c, (int32_t)(rnd(40001)) - 20000);
		put32(off + 16 * c + 4, (int32_t)((1u << 30) + rnd(1u << 30)));
		put32(off + 16 * c + 8, -(int32_t)rnd(12));
		put32(off + 16 * c + 12, 0);
		if (edge && rnd(4) == 0) {
			put32(off + 16 * c + 4, rnd(2) ? INT32_MIN : INT32_MAX);
			put32(off + 16 * c + 8, (int32_t)rnd(63) - 31);
		}
	}
}
static bool big = false; // large tiles: IBUF/OBUF nearly full, long address runs
static Desc random_desc(int op)
{
	Desc d;
	d.op = op;
	d.round = rnd(2);
	d.in_c = 16 * (1 + rnd(op == 1 ? 5 : 4));
	if (op == 1) {
		d.in_rows = 1 + rnd(6);
		d.in_w = 1 + rnd(9);
		d.out_c = 16 * (1 + rnd(4));
		d.out_rows = d.in_rows;
		d.out_w = d.in_w;
	} else {
		d.in_rows = 1 + rnd(8);
		d.in_w = 1 + rnd(10);
		d.out_c = d.in_c;
		d.stride = 1 + rnd(2);
		d.pad_left = rnd(3);
		d.row_off = (int)rnd(5) - 2;
		d.out_rows = 1 + rnd(6);
		d.out_w = 1 + rnd(7);
	}
	if (big && op == 1) {
		d.in_c = 32;
		d.out_c = 32;
		d.in_rows = 8 + rnd(8);
		d.in_w = 112;
		d.out_rows = d.in_rows;
		d.out_w = 112;
	}
	if (big && op == 2) {
		d.in_c = 64;
		d.out_c = 64;
		d.in_rows = 3 + rnd(4);
		d.in_w = 112;
		d.stride = 2;
		d.pad_left = rnd(2);
		d.row_off = 0;
		d.out_rows = 1 + (d.in_rows - 3) / 2;
		d.out_w = 56;
	}
	d.w_zp = rnd(4) ? rnd(256) : 128;
	d.in_zp = rnd(256);
	d.out_zp = rnd(256);
	d.act_min = rnd(3) ? 0 : rnd(100);
	d.act_max = rnd(3) ? 255 : 150 + rnd(106);
	d.out_stride = d.out_c + (big ? 0 : 16 * rnd(3));
	return d;
}

// one random descriptor end to end
static bool one(int op, uint32_t base, std::string &why, bool edge)
{
	Desc d = random_desc(op);
	d.in_off = base;
	d.w_off = base + 0x10000;
	d.q_off = base + 0x20000;
	d.out_off = base + 0x30000 + 16 * rnd(300);
	fill(d.in_off, (size_t)d.in_rows * d.in_w * d.in_c);
	fill(d.w_off, op == 1 ? (size_t)d.out_c * d.in_c : 9 * d.in_c);
	fill_q(d.q_off, d.out_c, edge);
	fill(base + 0x30000, 0x20000);
	std::vector<uint8_t> before(mem.begin() + base + 0x30000, mem.begin() + base + 0x50000);
	uint32_t doff = base + 0x58000;
	write_desc(doff, d);
	std::vector<uint8_t> ref = reference(d, d.in_off, d.w_off, d.q_off);
	if (!run_job(doff, 1)) {
		why = "timeout";
		return false;
	}
	uint32_t st = rd(MBN_REG_STATUS);
	if (st != 2) {
		why = "STATUS=" + std::to_string(st) + " FAULT_CODE=" + std::to_string(rd(MBN_REG_FAULT_CODE));
		return false;
	}
	wr(MBN_REG_IRQ_STATUS, 3);
	int P = d.out_rows * d.out_w;
	for (uint32_t o = 0; o < 0x20000; o++) {
		uint32_t a = base + 0x30000 + o;
		int64_t rel = (int64_t)a - d.out_off;
		bool in_out = rel >= 0 && rel / d.out_stride < (uint32_t)P && rel % d.out_stride < (uint32_t)d.out_c;
		uint8_t want = in_out ? ref[(rel / d.out_stride) * d.out_c + rel % d.out_stride] : before[o];
		if (mem[a] != want) {
			char b[200];
			snprintf(b, sizeof b, "op=%d %dx%dx%d->%dx%dx%d s=%d pad=%d roff=%d: byte +%lld got %u want %u (%s)",
				 d.op, d.in_rows, d.in_w, d.in_c, d.out_rows, d.out_w, d.out_c, d.stride, d.pad_left, d.row_off,
				 (long long)rel, mem[a], want, in_out ? "output" : "outside output");
			why = b;
			return false;
		}
	}
	// counters
	uint64_t macs = rd64(MBN_REG_MAC_ACTIVE_LO), rdb = rd64(MBN_REG_DMA_RD_BYTES_LO), wrb = rd64(MBN_REG_DMA_WR_BYTES_LO);
	uint64_t want_macs = op == 1 ? (uint64_t)P * d.in_c * d.out_c : (uint64_t)P * d.in_c * 9;
	uint64_t want_rd = 64 + (uint64_t)d.in_rows * d.in_w * d.in_c + (op == 1 ? (uint64_t)d.out_c * d.in_c : 9 * d.in_c) + 16 * d.out_c;
	if (macs != want_macs || rdb != want_rd || wrb != (uint64_t)P * d.out_c) {
		why = "counters mac " + std::to_string(macs) + "/" + std::to_string(want_macs) + " rd " + std::to_string(rdb) +
			"/" + std::to_string(want_rd) + " wr " + std::to_string(wrb);
		return false;
	}
	if (rd64(MBN_REG_CYCLES_LO) == 0 || rd64(op == 1 ? MBN_REG_PW_BUSY_LO : MBN_REG_DW_BUSY_LO) == 0) {
		why = "cycle counters zero";
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	T = new Vmbnaccel_top;
	int iters = 60;
	if (const char *e = getenv("TB_ITERS"))
		iters = atoi(e);
	T->rst = 1;
	T->clk = 0;
	T->eval();
	for (int i = 0; i < 5; i++)
		tick();
	T->rst = 0;
	T->eval();

	// ---- registers ----
	{
		bool ok = rd(MBN_REG_ID) == MBN_ID_VALUE && (rd(MBN_REG_CAPS0) & 0xffff) == 256 &&
			rd(MBN_REG_CAPS1) == (64u << 16 | 64u) && rd(MBN_REG_CAPS3) == (MBN_CAPS3_RSINGLE | MBN_CAPS3_IBANK | MBN_CAPS3_FUSE | 8u << 8 | 8u);
		wr(MBN_REG_REGION(3) + 8, 0x12345678);
		ok = ok && rd(MBN_REG_REGION(3) + 8) == 0x12345678;
		report(ok, "regs", "ID/CAPS/region readback");
	}
	set_region(0, MEM_BASE, MEM_SIZE);
	// ---- empty job ----
	{
		bool ok = run_job(0, 0, 1000) && rd(MBN_REG_STATUS) == 2 && rd(MBN_REG_IRQ_STATUS) == 1;
		wr(MBN_REG_IRQ_STATUS, 1);
		ok = ok && rd(MBN_REG_IRQ_STATUS) == 0 && !T->irq;
		report(ok, "empty_job", "DESC_COUNT=0 must complete at once, IRQ_STATUS w1c");
	}
	// ---- random PW / DW ----
	for (int op = 1; op <= 2; op++) {
		std::string why;
		bool ok = true;
		int n;
		for (n = 0; n < iters && ok; n++) {
			ready_pct = n % 3 == 0 ? 100 : 30 + rnd(70);
			max_lat = n % 3 == 0 ? 0 : rnd(80);
			ok = one(op, 0x100000, why, n % 2);
		}
		report(ok, op == 1 ? "pw_random" : "dw_random", why);
		if (ok)
			printf("     %d random %s descriptors\n", n, op == 1 ? "PW" : "DW");
	}
	big = true;
	for (int op = 1; op <= 2; op++) {
		std::string why;
		bool ok = true;
		for (int n = 0; n < 3 && ok; n++)
			ok = one(op, 0x100000, why, false);
		report(ok, op == 1 ? "pw_large" : "dw_large", why);
	}
	big = false;
	if (max_rd_out_seen < 2)
		report(false, "rd_outstanding", "never more than one read burst in flight");
	else
		report(true, "rd_outstanding", "");
	ready_pct = 60;
	max_lat = 30;

	// ---- chain with reuse: DW, then PW on the same input bytes (loaded again: IBUF row banks
	// hold a DW tile by image rows, a PW tile by pixels, docs/hw.md), then a PW reusing that
	// input and those weights with a new output ----
	{
		std::string why;
		bool ok = true;
		uint32_t b = 0x200000;
		Desc a = random_desc(2);
		a.in_off = b;
		a.w_off = b + 0x10000;
		a.q_off = b + 0x20000;
		a.out_off = b + 0x30000;
		Desc p = random_desc(1);
		p.in_rows = a.in_rows;
		p.in_w = a.in_w;
		p.in_c = a.in_c;
		p.out_rows = a.in_rows;
		p.out_w = a.in_w;
		p.in_off = b;
		p.w_off = b + 0x40000;
		p.q_off = b + 0x50000;
		p.out_off = b + 0x60000;
		p.reuse_i = 0;
		Desc p2 = p;
		p2.reuse_i = 1;
		p2.reuse_w = 1;
		p2.out_off = b + 0x70000;
		p2.in_off = 0xdead0;
		p2.w_off = 0xbeef0;
		p2.out_zp = rnd(256);
		p2.round = !p.round;
		fill(a.in_off, (size_t)a.in_rows * a.in_w * a.in_c);
		fill(a.w_off, 9 * a.in_c);
		fill_q(a.q_off, a.out_c, false);
		fill(p.w_off, (size_t)p.out_c * p.in_c);
		fill_q(p.q_off, p.out_c, false);
		write_desc(b + 0x80000, a);
		write_desc(b + 0x80040, p);
		write_desc(b + 0x80080, p2);
		auto ra = reference(a, a.in_off, a.w_off, a.q_off);
		auto rp = reference(p, a.in_off, p.w_off, p.q_off);
		auto rp2 = reference(p2, a.in_off, p.w_off, p.q_off);
		if (!run_job(b + 0x80000, 3)) {
			ok = false;
			why = "timeout";
		} else if (rd(MBN_REG_STATUS) != 2 || rd(MBN_REG_DESC_DONE) != 3) {
			ok = false;
			why = "status " + std::to_string(rd(MBN_REG_STATUS));
		}
		auto cmp = [&](const Desc &d, const std::vector<uint8_t> &r, const char *nm) {
			for (int px = 0; px < d.out_rows * d.out_w && ok; px++)
				for (int c = 0; c < d.out_c; c++)
					if (mem[d.out_off + px * d.out_stride + c] != r[px * d.out_c + c]) {
						ok = false;
						why = std::string(nm) + " mismatch";
						break;
					}
		};
		if (ok) {
			cmp(a, ra, "dw");
			cmp(p, rp, "pw");
			cmp(p2, rp2, "pw reuse_input+weights");
		}
		wr(MBN_REG_IRQ_STATUS, 3);
		report(ok, "chain_reuse", why);
	}

	// ---- dependent chain through DRAM: DW -> PW -> DW -> PW, each reading the previous
	// output (the descriptor pipeline must wait for the store), then the same chain
	// with a failing 5th descriptor: the 4 before it complete, DESC_DONE = 4 ----
	for (int pass = 0; pass < 2 * 4; pass++) {
		std::string why;
		bool ok = true, with_fault = pass >= 4;
		uint32_t b = 0x200000;
		std::vector<Desc> ch;
		Desc a = random_desc(2);
		a.out_stride = a.out_c;
		a.in_off = b;
		a.w_off = b + 0x10000;
		a.q_off = b + 0x11000;
		a.out_off = b + 0x20000;
		ch.push_back(a);
		for (int k = 1; k < 4; k++) {
			const Desc &pr = ch.back();
			Desc d = random_desc(k % 2 ? 1 : 2);
			d.in_c = pr.out_c;
			d.in_rows = pr.out_rows;
			d.in_w = pr.out_w;
			if (d.op == 1) {
				d.out_rows = d.in_rows;
				d.out_w = d.in_w;
			} else
				d.out_c = d.in_c;
			d.out_stride = d.out_c;
			d.in_off = pr.out_off;
			d.w_off = b + 0x12000 + 0x2000 * k;
			d.q_off = b + 0x19000 + 0x1000 * k;
			d.out_off = pass % 2 ? pr.in_off : b + 0x20000 + 0x8000 * k; // odd passes: ping-pong in place
			ch.push_back(d);
		}
		Desc bad = ch.back();
		bad.in_rg = 9;
		if (with_fault)
			ch.push_back(bad);
		fill(a.in_off, (size_t)a.in_rows * a.in_w * a.in_c);
		std::vector<std::vector<uint8_t>> refs;
		for (size_t k = 0; k < 4; k++) {
			Desc &d = ch[k];
			fill(d.w_off, d.op == 1 ? (size_t)d.out_c * d.in_c : 9 * d.in_c);
			fill_q(d.q_off, d.out_c, false);
		}
		std::vector<uint8_t> in0(mem.begin() + a.in_off, mem.begin() + a.in_off + (size_t)a.in_rows * a.in_w * a.in_c);
		for (size_t k = 0; k < 4; k++) { // references in order, through mem
			Desc &d = ch[k];
			refs.push_back(reference(d, d.in_off, d.w_off, d.q_off));
			memcpy(&mem[d.out_off], refs.back().data(), refs.back().size());
		}
		std::copy(in0.begin(), in0.end(), mem.begin() + a.in_off);
		for (size_t k = 0; k < 4; k++)
			if (ch[k].out_off != a.in_off)
				fill(ch[k].out_off, refs[k].size());
		for (size_t k = 0; k < ch.size(); k++)
			write_desc(b + 0x80000 + 64 * (uint32_t)k, ch[k]);
		if (!run_job(b + 0x80000, (uint32_t)ch.size())) {
			ok = false;
			why = "timeout";
		} else if (rd(MBN_REG_STATUS) != (with_fault ? 4u : 2u) || rd(MBN_REG_DESC_DONE) != 4 ||
			   (with_fault && (rd(MBN_REG_FAULT_DESC) != 4 || rd(MBN_REG_FAULT_CODE) != MBN_FAULT_REGION))) {
			ok = false;
			why = "STATUS " + std::to_string(rd(MBN_REG_STATUS)) + " DESC_DONE " + std::to_string(rd(MBN_REG_DESC_DONE));
		}
		for (size_t k = 0; k < 4 && ok; k++) {
			// in-place chains overwrite earlier outputs: check the last writer of each area
			bool later = false;
			for (size_t m = k + 1; m < 4; m++)
				later |= ch[m].out_off == ch[k].out_off;
			if (later)
				continue;
			if (memcmp(&mem[ch[k].out_off], refs[k].data(), refs[k].size()) != 0) {
				ok = false;
				why = "desc " + std::to_string(k) + " (op " + std::to_string(ch[k].op) + ") output mismatch";
			}
		}
		wr(MBN_REG_IRQ_STATUS, 3);
		if (!ok || pass == 3 || pass == 7)
			report(ok, with_fault ? "chain_dep_fault" : "chain_dep", why);
		if (!ok)
			break;
	}

	// ---- faults: nothing written, FAULT_* right ----
	struct FaultCase {
		const char *name;
		int code;
	};
	for (int fc = 0; fc < 7; fc++) {
		uint32_t b = 0x300000;
		Desc d = random_desc(1);
		d.in_off = b;
		d.w_off = b + 0x10000;
		d.q_off = b + 0x20000;
		d.out_off = b + 0x30000;
		fill(d.in_off, (size_t)d.in_rows * d.in_w * d.in_c);
		fill(d.w_off, (size_t)d.out_c * d.in_c);
		fill_q(d.q_off, d.out_c, false);
		Desc good = d;
		good.out_off = b + 0x38000;
		memset(&mem[b + 0x30000], 0x5a, 0x10000);
		uint32_t want_off = 0;
		int want_code = 0;
		const char *nm = "";
		set_region(1, MEM_BASE + 0x300000, 0x40000);
		err_lo = err_hi = 0;
		switch (fc) {
		case 0:
			nm = "fault_bounds";
			d.out_rg = 1;
			d.out_off = 0x40000 - 16;
			want_code = MBN_FAULT_BOUNDS;
			want_off = d.out_off;
			break;
		case 1:
			nm = "fault_region";
			d.w_rg = 9;
			want_code = MBN_FAULT_REGION;
			want_off = d.w_off;
			break;
		case 2:
			nm = "fault_bad_op";
			d.op = 5;
			want_code = MBN_FAULT_DESC;
			want_off = b + 0x80040;
			break;
		case 3:
			nm = "fault_align";
			d.q_off += 4;
			want_code = MBN_FAULT_DESC;
			want_off = d.q_off;
			break;
		case 4:
			nm = "fault_capacity";
			d.in_rows = 200;
			d.in_w = 200;
			d.out_rows = 200;
			d.out_w = 200;
			want_code = MBN_FAULT_DESC;
			want_off = b + 0x80040;
			break;
		case 5:
			nm = "fault_axi_read";
			d.w_off = b + 0x18000;
			err_lo = d.w_off + 32;
			err_hi = err_lo + 16;
			want_code = MBN_FAULT_AXI;
			want_off = err_lo;
			break;
		case 6:
			nm = "fault_axi_write";
			err_lo = d.out_off + d.out_stride;
			err_hi = err_lo + 16;
			want_code = MBN_FAULT_AXI;
			want_off = (uint32_t)-1;
			break;
		}
		write_desc(b + 0x80000, good);
		write_desc(b + 0x80040, d);
		write_desc(b + 0x80080, good);
		std::string why;
		bool ok = run_job(b + 0x80000, 3);
		uint32_t st = rd(MBN_REG_STATUS), code = rd(MBN_REG_FAULT_CODE), fd = rd(MBN_REG_FAULT_DESC), fo = rd(MBN_REG_FAULT_OFFSET);
		if (!ok)
			why = "timeout";
		else if (st != 4 || (int)code != want_code || fd != 1 || (want_off != (uint32_t)-1 && fo != want_off) ||
			 rd(MBN_REG_DESC_DONE) != 1 || rd(MBN_REG_IRQ_STATUS) != 2) {
			ok = false;
			char s[200];
			snprintf(s, sizeof s, "status=%u code=%u desc=%u off=%x (want code %d off %x)", st, code, fd, fo, want_code, want_off);
			why = s;
		} else if (fc < 6) {
			for (uint32_t o = 0x30000; o < 0x38000; o++)
				if (mem[b + o] != 0x5a) {
					ok = false;
					why = "faulting descriptor wrote data";
					break;
				}
		}
		if (fc == 6 && ok && fo != d.out_off + d.out_stride) {
			ok = false;
			why = "write fault offset " + std::to_string(fo);
		}
		err_lo = err_hi = 0;
		wr(MBN_REG_IRQ_STATUS, 3);
		report(ok, nm, why);
	}
	// ---- CTRL.RESET aborts a running job ----
	{
		uint32_t b = 0x100000;
		Desc d = random_desc(1);
		d.in_rows = 8;
		d.in_w = 60;
		d.in_c = 64;
		d.out_rows = 8;
		d.out_w = 60;
		d.out_c = 64;
		d.out_stride = 64;
		d.in_off = b;
		d.w_off = b + 0x10000;
		d.q_off = b + 0x20000;
		d.out_off = b + 0x30000;
		write_desc(b + 0x50000, d);
		wr(MBN_REG_DESC_REGION, 0);
		wr(MBN_REG_DESC_OFFSET, b + 0x50000);
		wr(MBN_REG_DESC_COUNT, 1);
		wr(MBN_REG_CTRL, 1);
		for (int i = 0; i < 300; i++)
			tick();
		wr(MBN_REG_CTRL, 2);
		int n = 0;
		while ((rd(MBN_REG_STATUS) & 1) && n < 100000) {
			tick();
			n++;
		}
		uint32_t st = rd(MBN_REG_STATUS);
		bool ok = st == 0 && rq.empty() && wq.empty() && bq.empty();
		report(ok, "ctrl_reset", "STATUS=" + std::to_string(st) + " after abort");
		// and the engine still works afterwards
		std::string why;
		ok = one(1, 0x100000, why, false) && one(2, 0x100000, why, false);
		report(ok, "after_reset", why);
	}
	delete T;
	printf("tb_top: %d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}
