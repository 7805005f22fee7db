// tb_top: mbnaccel_top end to end: register slave, descriptor fetch/checks, DMA
// with a randomized AXI memory model (random AR/AW/W ready, random read latency,
// random R/B gaps, burst-rule checks), the PW and DW engines against C++
// references of docs/hw.md "Arithmetic" on random data and geometries, descriptor
// chains with reuse_input/reuse_weights, dependent chains through DRAM (each
// descriptor reads the previous one's output: the descriptor pipeline must wait for
// the store) with and without a failing last descriptor, faults, counters.
//
// One testbench of four files (tb_top.h says what they share): this one has main, the
// descriptors and their references and the single-descriptor tests; tb_top_axi.cpp the
// AXI side, tb_top_chains.cpp the multi-descriptor jobs, tb_top_faults.cpp the faults
// and CTRL.RESET.
#include "tb_top.h"
#include "requant.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

static std::mt19937_64 rng(7);
static int fails = 0, passes = 0;

unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}

// ---- descriptors and references -------------------------------------------------------------
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
void write_desc(uint32_t off, const Desc &d)
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
std::vector<uint8_t> reference(const Desc &d, uint32_t in_off, uint32_t w_off, uint32_t q_off)
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

void report(bool ok, const std::string &name, const std::string &why)
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
void fill(uint32_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mem[off + i] = rng();
}
void fill_q(uint32_t off, int n, bool edge)
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
Desc random_desc(int op)
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
bool one(int op, uint32_t base, std::string &why, bool edge)
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
		bool ok = rd(MBN_REG_ID) == MBN_ID_VALUE && MBN_CAPS0_MACS_GET(rd(MBN_REG_CAPS0)) == 256 &&
			rd(MBN_REG_CAPS1) == (MBN_CAPS1_WBUF_KIB_PUT(64) | MBN_CAPS1_IBUF_KIB_PUT(64)) &&
			rd(MBN_REG_CAPS3) == (MBN_CAPS3_DWG | MBN_CAPS3_CHAIN | MBN_CAPS3_PW16 | MBN_CAPS3_RSINGLE | MBN_CAPS3_IBANK | MBN_CAPS3_FUSE | MBN_CAPS3_OUTSTANDING_PUT(8) | MBN_CAPS3_REGIONS_PUT(8));
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

	test_chain_reuse();
	test_chain_dep();
	test_faults();
	test_ctrl_reset();
	test_fault_order();
	delete T;
	printf("tb_top: %d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}
