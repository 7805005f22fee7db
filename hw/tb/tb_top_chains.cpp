// SPDX-License-Identifier: Apache-2.0
// tb_top_chains.cpp (part of tb_top, see tb_top.h): jobs of several descriptors against
// the references: a chain with reuse_input/reuse_weights, and dependent chains through
// DRAM (each descriptor reads the previous one's output, in place or not), with and
// without a failing last descriptor.
#include "tb_top.h"
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

// ---- chain with reuse: DW, then PW on the same input bytes (loaded again: IBUF row banks
// hold a DW tile by image rows, a PW tile by pixels, docs/hw.md), then a PW reusing that
// input and those weights with a new output ----
void test_chain_reuse()
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
void test_chain_dep()
{
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
}
