// SPDX-License-Identifier: Apache-2.0
// tb_top_faults.cpp (part of tb_top, see tb_top.h): descriptors that fault (bounds,
// region, bad op, alignment, capacity, AXI read and write errors) between two good
// ones: FAULT_CODE/FAULT_DESC/FAULT_OFFSET right and nothing written; and CTRL.RESET
// aborting a running job, after which the engine still works; and which fault is
// reported when a store's write error and a later descriptor's read error meet.
#include "tb_top.h"
#include <cstdio>
#include <cstring>
#include <string>

// ---- faults: nothing written, FAULT_* right ----
void test_faults()
{
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
		// a write error is reported at the start of its burst (the B response is per
		// burst): pixel 1's own burst, or for a dense output (out_stride = out_c, one run
		// of 16-beat bursts from the 4 KiB-aligned out_off) the 256-byte burst holding it
		uint32_t burst_off = d.out_stride == (uint32_t)d.out_c ? d.out_off + (d.out_stride & ~255u) : d.out_off + d.out_stride;
		if (fc == 6 && ok && fo != burst_off) {
			ok = false;
			why = "write fault offset " + std::to_string(fo) + ", want " + std::to_string(burst_off) +
				(d.out_stride == (uint32_t)d.out_c ? " (dense)" : " (per-pixel bursts)");
		}
		err_lo = err_hi = 0;
		wr(MBN_REG_IRQ_STATUS, 3);
		report(ok, nm, why);
	}
}

// ---- CTRL.RESET aborts a running job ----
void test_ctrl_reset()
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

// ---- a store's write error and a later descriptor's read error, at every distance ----
// Descriptor 0's store answers SLVERR; descriptor 2's weight load answers SLVERR too.
// Run one after another (docs/hw.md), descriptor 0 faults first, so FAULT_* must name
// its store whenever the two errors arrive, also in the same cycle: the B response is
// delayed by 0..N cycles so that it passes descriptor 2's read error.
void test_fault_order()
{
	const uint32_t b = 0x300000;
	int wrong = 0, runs = 0;
	std::string why;
	for (uint64_t delay = 0; delay < 400; delay++) {
		Desc d0 = random_desc(1);
		d0.in_off = b;
		d0.w_off = b + 0x10000;
		d0.q_off = b + 0x20000;
		d0.out_off = b + 0x30000;
		Desc d1 = d0, d2 = d0;
		d1.out_off = b + 0x34000;
		d2.w_off = b + 0x18000; // its own weights: no reuse, a load that can fail
		d2.out_off = b + 0x38000;
		fill(d0.in_off, (size_t)d0.in_rows * d0.in_w * d0.in_c);
		fill(d0.w_off, (size_t)d0.out_c * d0.in_c);
		fill(d2.w_off, (size_t)d2.out_c * d2.in_c);
		fill_q(d0.q_off, d0.out_c, false);
		set_region(1, MEM_BASE + 0x300000, 0x40000);
		write_desc(b + 0x80000, d0);
		write_desc(b + 0x80040, d1);
		write_desc(b + 0x80080, d2);
		err_lo = d0.out_off;
		err_hi = err_lo + 16;
		rd_err_lo = d2.w_off;
		rd_err_hi = rd_err_lo + 16;
		b_err_delay = delay;
		bool ok = run_job(b + 0x80000, 3);
		uint32_t st = rd(MBN_REG_STATUS), code = rd(MBN_REG_FAULT_CODE), fd = rd(MBN_REG_FAULT_DESC),
			 fo = rd(MBN_REG_FAULT_OFFSET);
		runs++;
		if (!ok || st != 4 || code != MBN_FAULT_AXI || fd != 0 || fo != d0.out_off) {
			if (!wrong++) {
				char s[200];
				snprintf(s, sizeof s, "B delay %u: %s status=%u code=%u desc=%u off=%x (want desc 0 off %x)",
					 (unsigned)delay, ok ? "" : "timeout", st, code, fd, fo, d0.out_off);
				why = s;
			}
		}
		err_lo = err_hi = rd_err_lo = rd_err_hi = b_err_delay = 0;
		wr(MBN_REG_IRQ_STATUS, 3);
	}
	if (wrong)
		why += " (" + std::to_string(wrong) + " of " + std::to_string(runs) + " runs wrong)";
	report(!wrong, "fault_order", why);
}
