// SPDX-License-Identifier: Apache-2.0
// tb_top.h: what the files of the one testbench tb_top share. tb_top_axi.cpp: the DUT,
// its memory behind the randomized AXI4 slave model, the AXI-Lite master and starting a
// job; tb_top.cpp: main, the random stream, PASS/FAIL reporting, descriptors, their
// references and the single-descriptor tests; tb_top_chains.cpp: jobs of several
// descriptors; tb_top_faults.cpp: faults and CTRL.RESET.
#ifndef TB_TOP_H
#define TB_TOP_H

#include "Vmbnaccel_top.h"
#include "verilated.h"
#include "mbn_regs.h"
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

// ---- tb_top_axi.cpp ----
extern Vmbnaccel_top *T;
static const uint64_t MEM_BASE = 0x1200000000ull; // > 32 bits: exercises the 40-bit address
static const size_t MEM_SIZE = 4 << 20;
extern std::vector<uint8_t> mem;
extern std::string axi_violation;
extern uint64_t err_lo, err_hi; // byte range answering SLVERR
extern uint64_t rd_err_lo, rd_err_hi; // a second range, reads only
extern uint64_t b_err_delay; // extra cycles before an error B response
struct RBurst {
	uint64_t addr;
	unsigned len, beat;
	uint64_t ready_at;
};
extern std::deque<RBurst> rq;
struct WBurst {
	uint64_t addr;
	unsigned len, beat;
	bool err;
};
extern std::deque<WBurst> wq;
extern std::deque<std::pair<uint64_t, bool>> bq; // ready cycle, error
extern int ready_pct; // randomness of ready/valid
extern unsigned max_lat;
extern unsigned max_rd_out_seen;
void tick();
void wr(uint32_t a, uint32_t v);
uint32_t rd(uint32_t a);
uint64_t rd64(uint32_t lo);
void set_region(int r, uint64_t base, uint64_t size);
bool run_job(uint32_t desc_off, uint32_t count, uint64_t limit = 20000000);

// ---- tb_top.cpp ----
unsigned rnd(unsigned n);
struct Desc {
	int op, round = 0, reuse_w = 0, reuse_i = 0;
	int in_rows, in_w, in_c, out_c, out_rows, out_w, stride = 1, row_off = 0, pad_left = 0;
	int w_zp, in_zp, out_zp, act_min, act_max;
	int in_rg = 0, w_rg = 0, q_rg = 0, out_rg = 0;
	uint32_t in_off, w_off, q_off, out_off, out_stride;
	uint32_t extra_d0 = 0;
};
void write_desc(uint32_t off, const Desc &d);
std::vector<uint8_t> reference(const Desc &d, uint32_t in_off, uint32_t w_off, uint32_t q_off);
void report(bool ok, const std::string &name, const std::string &why);
void fill(uint32_t off, size_t n);
void fill_q(uint32_t off, int n, bool edge);
Desc random_desc(int op);
bool one(int op, uint32_t base, std::string &why, bool edge);

// ---- tb_top_chains.cpp ----
void test_chain_reuse();
void test_chain_dep();

// ---- tb_top_faults.cpp ----
void test_faults();
void test_ctrl_reset();
void test_fault_order();

#endif
