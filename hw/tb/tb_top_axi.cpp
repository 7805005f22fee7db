// SPDX-License-Identifier: Apache-2.0
// tb_top_axi.cpp (part of tb_top, see tb_top.h): the DUT and the bus around it. Its
// memory (MEM_SIZE bytes at MEM_BASE, above 32 bits) behind a randomized AXI4 slave
// (random AR/AW/W ready, read latency, R/B gaps; burst rules checked on every AR and AW;
// SLVERR on a chosen byte range), the AXI-Lite master that reads and writes registers,
// and programming a region and starting a job.
#include "tb_top.h"
#include <cstdio>
#include <cstdlib>

Vmbnaccel_top *T;
static uint64_t cyc = 0;
std::vector<uint8_t> mem(MEM_SIZE);
std::string axi_violation;
uint64_t err_lo = 0, err_hi = 0; // byte range answering SLVERR
uint64_t rd_err_lo = 0, rd_err_hi = 0; // a second range, reads only
uint64_t b_err_delay = 0; // extra cycles before an error B response

// ---- AXI slave model ------------------------------------------------------------------
std::deque<RBurst> rq;
std::deque<WBurst> wq;
std::deque<std::pair<uint64_t, bool>> bq; // ready cycle, error
int ready_pct = 70; // randomness of ready/valid
unsigned max_lat = 40;
static unsigned rd_out = 0;
unsigned max_rd_out_seen = 0;

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

void tick()
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
				bq.push_back({ cyc + 1 + rnd(max_lat) + (b.err ? b_err_delay : 0), b.err });
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
		bool e = (a >= err_lo && a < err_hi) || (a >= rd_err_lo && a < rd_err_hi);
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
void wr(uint32_t a, uint32_t v)
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
uint32_t rd(uint32_t a)
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
uint64_t rd64(uint32_t lo)
{
	return rd(lo) | (uint64_t)rd(lo + 4) << 32;
}

void set_region(int r, uint64_t base, uint64_t size)
{
	wr(MBN_REG_REGION(r) + 0, (uint32_t)base);
	wr(MBN_REG_REGION(r) + 4, base >> 32);
	wr(MBN_REG_REGION(r) + 8, (uint32_t)size);
	wr(MBN_REG_REGION(r) + 12, size >> 32);
}
bool run_job(uint32_t desc_off, uint32_t count, uint64_t limit)
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
