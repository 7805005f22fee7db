// dram.h: the DRAM model of the simulator, an AXI4 slave on mbnaccel_top's m_axi_*
// port, with an on-the-fly AXI protocol checker. Included by harness.cpp only.
//
// Reads: up to max_outstanding accepted ARs; a burst's first beat is available
// read_latency cycles after its AR was accepted; bursts return in order. The read data
// bus is as wide as the top's m_axi_rdata (16 or 32 bytes, mbnaccel_top RD_BYTES); a
// 16-byte (narrow) beat on the 32-byte bus comes on the byte lanes of its address
// (AMBA AXI4 IHI0022 A3.4.3), the other half filled with a pattern. Bandwidth: a credit
// bucket gains bytes_per_cycle each cycle, a beat (R or W) spends its bytes (16 or 32);
// when R and W both want the last credits they take turns (the turn and the credits
// restart at every CTRL.START: restart_arbiter). Writes: AW then W (only the bytes
// WSTRB selects are written), B write_latency cycles after the last beat, in order. The
// write data bus is as wide as m_axi_wdata (16 or 32 bytes, mbnaccel_top WR_BYTES); a
// narrow beat's strobes must lie on its address's byte lanes.
// Memory covers physical addresses [mem_base, mem_base + mem_bytes) (mem_base: where the
// guest's RAM starts, 0 on a PC, 1 GiB on an arm64 `virt` machine).
// Responses: any beat outside it -> DECERR; touching [err_lo, err_hi) -> SLVERR
// (erroneous read beats return zeros, erroneous write beats are dropped).
// Checks (AMBA AXI4, IHI0022 A3.2.1 handshake stability, A3.4.1 4 KiB rule, A3.4.3
// narrow transfers): INCR only, size 16 B (or 32 B on a 32-byte bus), at most 16 beats,
// aligned to the size, no 4 KiB crossing, WLAST on the last beat only, WSTRB of a narrow
// beat only on its byte lanes, valid and payload held until ready.
#ifndef MBN_DRAM_H
#define MBN_DRAM_H

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>

struct Dram {
	static const unsigned MAX_RD = 64, MAX_WR = 64;
	struct RdReq {
		uint64_t addr, ready_at;
		uint32_t beats, done, id, size; // size: bytes per beat
	};
	struct WrReq {
		uint64_t addr;
		uint32_t beats, done, id, resp, size; // size: bytes per beat
	};
	struct BRsp {
		uint64_t ready_at;
		uint32_t id, resp;
	};

	uint8_t *mem = nullptr;
	uint64_t mem_bytes = 0;
	uint64_t mem_base = 0;
	unsigned read_latency = 64, bpc = 16, max_out = 8, write_latency = 16;
	uint64_t err_lo = 0, err_hi = 0;
	uint64_t proto_errors = 0;
	uint64_t st_rd_bytes = 0, st_wr_bytes = 0, st_rd_bursts = 0, st_wr_bursts = 0;
	uint64_t st_rd_err_beats = 0, st_wr_err_bursts = 0;

	RdReq rd[MAX_RD];
	unsigned rd_head = 0, rd_count = 0;
	WrReq wr[MAX_WR];
	unsigned wr_head = 0, wr_count = 0;
	BRsp b[MAX_WR];
	unsigned b_head = 0, b_count = 0;

	int credits = 0;
	bool prio_w = false;
	// registered slave outputs
	bool arready = false, awready = false, wready = false, rvalid = false, bvalid = false;
	uint32_t rdata[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	unsigned rbus = 16; // read data bus bytes (the top's m_axi_rdata, set by attach)
	unsigned wbus = 16; // write data bus bytes (m_axi_wdata)
	uint32_t rresp = 0, rid = 0;
	bool rlast = false;
	// sampled handshakes of this cycle
	bool f_ar = false, f_aw = false, f_w = false, f_r = false, f_b = false;
	uint64_t s_araddr = 0, s_awaddr = 0;
	uint32_t s_arlen = 0, s_arid = 0, s_arsize = 4, s_awlen = 0, s_awid = 0, s_awsize = 4;
	uint32_t s_wdata[8], s_wstrb = 0;
	// checker: payload of a valid not yet accepted in the previous cycle
	bool ck_ar = false, ck_aw = false, ck_w = false;
	uint64_t ck_araddr = 0, ck_awaddr = 0;
	uint32_t ck_ar_misc = 0, ck_aw_misc = 0, ck_wdata[8], ck_wstrb = 0, ck_wlast = 0;

	void init(uint8_t *m, uint64_t base, uint64_t n, unsigned rl, unsigned b_pc, unsigned mo,
		  unsigned wl)
	{
		mem = m;
		mem_base = base;
		mem_bytes = n;
		read_latency = rl;
		bpc = b_pc;
		max_out = mo;
		write_latency = wl;
	}

	// the data bus widths are the top's port widths (RD_BYTES, WR_BYTES): set once,
	// when the model is created, before the first cycle
	template <class T> void attach(const T *t)
	{
		rbus = (unsigned)sizeof(t->m_axi_rdata);
		wbus = (unsigned)sizeof(t->m_axi_wdata);
	}

	// the credit bucket holds a beat of the wider data bus beyond bytes_per_cycle
	int credit_cap() const
	{
		const unsigned bus = rbus > wbus ? rbus : wbus;
		return (int)(bpc > bus ? bpc : bus) + 16;
	}

	void reset_checker()
	{
		ck_ar = ck_aw = ck_w = false;
	}

	// a job's start: R/W turn-taking and the credit bucket as after a long idle time
	// (the credits are full then anyway), so no job's timing depends on the one before
	void restart_arbiter()
	{
		prio_w = false;
		credits = credit_cap();
	}

	void error(uint64_t cyc, const char *fmt, ...) __attribute__((format(printf, 3, 4)))
	{
		proto_errors++;
		if (proto_errors > 50)
			return;
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "mbnsim: cycle %llu: PROTOCOL ERROR: ", (unsigned long long)cyc);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		if (proto_errors == 50)
			fprintf(stderr, "mbnsim: further protocol errors counted, not printed\n");
		va_end(ap);
	}

	// response of one n-byte beat at physical address a (a - mem_base indexes mem)
	uint32_t beat_resp(uint64_t a, unsigned n = 16) const
	{
		if (a < mem_base || a - mem_base >= mem_bytes || mem_bytes - (a - mem_base) < n)
			return 3; // DECERR
		if (err_lo < err_hi && a < err_hi && a + n > err_lo)
			return 2; // SLVERR
		return 0;
	}

	template <class T> void drive(T *t, uint64_t cyc)
	{
		credits += (int)bpc;
		if (credits > credit_cap())
			credits = credit_cap();
		bool want_r = !rvalid && rd_count && rd[rd_head].ready_at <= cyc;
		bool want_w = wr_count && t->m_axi_wvalid;
		int cost_r = want_r ? (int)rd[rd_head].size : 16;
		int cost_w = want_w ? (int)wr[wr_head].size : 16;
		bool grant_r = false, grant_w = false;
		if (want_r && want_w) {
			if (credits >= cost_r + cost_w) {
				grant_r = grant_w = true;
			} else if (prio_w ? credits >= cost_w : credits >= cost_r) {
				if (prio_w)
					grant_w = true;
				else
					grant_r = true;
				prio_w = !prio_w;
			}
		} else if (want_r && credits >= cost_r) {
			grant_r = true;
		} else if (want_w && credits >= cost_w) {
			grant_w = true;
		}
		if (grant_r) {
			credits -= cost_r;
			RdReq &q = rd[rd_head];
			uint64_t a = q.addr + (uint64_t)q.done * q.size;
			// a narrow beat on the wide bus: its byte lanes, the rest a pattern
			unsigned lane = q.size < rbus ? (unsigned)(a % rbus) / 4 : 0;
			for (unsigned i = 0; i < 8; i++)
				rdata[i] = 0xa5a50000u | i;
			rresp = beat_resp(a, q.size);
			if (rresp) {
				memset(rdata + lane, 0, q.size);
				st_rd_err_beats++;
			} else {
				memcpy(rdata + lane, mem + (a - mem_base), q.size);
			}
			rid = q.id;
			rlast = q.done + 1 == q.beats;
			rvalid = true;
		}
		wready = grant_w;
		if (grant_w)
			credits -= cost_w;
		arready = rd_count < max_out;
		awready = wr_count < MAX_WR && wr_count + b_count < MAX_WR;
		bvalid = b_count && b[b_head].ready_at <= cyc;

		t->m_axi_arready = arready;
		t->m_axi_awready = awready;
		t->m_axi_wready = wready;
		t->m_axi_rvalid = rvalid;
		t->m_axi_rlast = rlast;
		t->m_axi_rid = rid;
		t->m_axi_rresp = rresp;
		for (unsigned i = 0; i < rbus / 4; i++)
			t->m_axi_rdata[i] = rdata[i];
		t->m_axi_bvalid = bvalid;
		t->m_axi_bid = bvalid ? b[b_head].id : 0;
		t->m_axi_bresp = bvalid ? b[b_head].resp : 0;
	}

	// bus: the data bus bytes (R: rbus, W: wbus); sizes 16 B up to it are accepted
	void check_burst(uint64_t cyc, const char *ch, uint64_t addr, uint32_t len, uint32_t size,
			 uint32_t burst, unsigned bus)
	{
		if (burst != 1)
			error(cyc, "%s burst type %u (INCR=1 expected), addr 0x%llx", ch, burst,
			      (unsigned long long)addr);
		if (size != 4 && !(size == 5 && bus == 32))
			error(cyc, "%s size %u (4 = 16 bytes%s expected), addr 0x%llx", ch, size,
			      bus == 32 ? " or 5 = 32 bytes" : "", (unsigned long long)addr);
		const uint64_t n = 1ull << (size > 5 ? 5 : size);
		if (len > 15)
			error(cyc, "%s len %u: more than 16 beats, addr 0x%llx", ch, len,
			      (unsigned long long)addr);
		if (addr & (n - 1))
			error(cyc, "%s addr 0x%llx not %llu-byte aligned", ch, (unsigned long long)addr,
			      (unsigned long long)n);
		if ((addr & 0xfff) + (uint64_t)(len + 1) * n > 0x1000)
			error(cyc, "%s addr 0x%llx len %u crosses a 4 KiB boundary", ch,
			      (unsigned long long)addr, len);
	}

	template <class T> void sample(T *t, uint64_t cyc)
	{
		// AR
		bool arv = t->m_axi_arvalid;
		uint32_t ar_misc = (uint32_t)t->m_axi_arlen | (uint32_t)t->m_axi_arsize << 8 |
				   (uint32_t)t->m_axi_arburst << 12 | (uint32_t)t->m_axi_arid << 16;
		uint64_t araddr = t->m_axi_araddr;
		if (ck_ar && (!arv || araddr != ck_araddr || ar_misc != ck_ar_misc))
			error(cyc, "AR changed or dropped before ARREADY (addr 0x%llx -> 0x%llx, valid %d)",
			      (unsigned long long)ck_araddr, (unsigned long long)araddr, arv);
		f_ar = arv && arready;
		ck_ar = arv && !arready;
		ck_araddr = araddr;
		ck_ar_misc = ar_misc;
		if (f_ar) {
			s_araddr = araddr;
			s_arlen = t->m_axi_arlen;
			s_arid = t->m_axi_arid;
			s_arsize = t->m_axi_arsize;
			check_burst(cyc, "AR", araddr, s_arlen, s_arsize, t->m_axi_arburst, rbus);
		}
		// AW
		bool awv = t->m_axi_awvalid;
		uint32_t aw_misc = (uint32_t)t->m_axi_awlen | (uint32_t)t->m_axi_awsize << 8 |
				   (uint32_t)t->m_axi_awburst << 12 | (uint32_t)t->m_axi_awid << 16;
		uint64_t awaddr = t->m_axi_awaddr;
		if (ck_aw && (!awv || awaddr != ck_awaddr || aw_misc != ck_aw_misc))
			error(cyc, "AW changed or dropped before AWREADY (addr 0x%llx -> 0x%llx, valid %d)",
			      (unsigned long long)ck_awaddr, (unsigned long long)awaddr, awv);
		f_aw = awv && awready;
		ck_aw = awv && !awready;
		ck_awaddr = awaddr;
		ck_aw_misc = aw_misc;
		if (f_aw) {
			s_awaddr = awaddr;
			s_awlen = t->m_axi_awlen;
			s_awid = t->m_axi_awid;
			s_awsize = t->m_axi_awsize;
			check_burst(cyc, "AW", awaddr, s_awlen, s_awsize, t->m_axi_awburst, wbus);
		}
		// W
		bool wv = t->m_axi_wvalid;
		uint32_t wd[8] = {0, 0, 0, 0, 0, 0, 0, 0};
		for (unsigned i = 0; i < wbus / 4; i++)
			wd[i] = t->m_axi_wdata[i];
		uint32_t ws = t->m_axi_wstrb, wl = t->m_axi_wlast;
		if (ck_w && (!wv || memcmp(wd, ck_wdata, wbus) || ws != ck_wstrb || wl != ck_wlast))
			error(cyc, "W changed or dropped before WREADY");
		f_w = wv && wready;
		ck_w = wv && !wready;
		memcpy(ck_wdata, wd, sizeof wd);
		ck_wstrb = ws;
		ck_wlast = wl;
		if (f_w) {
			memcpy(s_wdata, wd, sizeof wd);
			s_wstrb = ws;
			const WrReq &q = wr[wr_head];
			bool last = q.done + 1 == q.beats;
			if ((bool)wl != last)
				error(cyc, "WLAST=%u on beat %u of a %u-beat burst at 0x%llx", wl, q.done,
				      q.beats, (unsigned long long)q.addr);
			// a narrow beat: strobes only on its address's byte lanes
			uint64_t a = q.addr + (uint64_t)q.done * q.size;
			unsigned lane = q.size < wbus ? (unsigned)(a % wbus) : 0;
			uint64_t lanes = (q.size >= 32 ? 0xffffffffull : (1ull << q.size) - 1) << lane;
			if ((uint64_t)ws & ~lanes)
				error(cyc, "WSTRB 0x%x outside the byte lanes of a %u-byte beat at 0x%llx", ws,
				      q.size, (unsigned long long)a);
		}
		f_r = rvalid && t->m_axi_rready;
		f_b = bvalid && t->m_axi_bready;
	}

	void commit(uint64_t cyc)
	{
		if (f_ar) {
			RdReq &q = rd[(rd_head + rd_count) % MAX_RD];
			q.addr = s_araddr;
			q.beats = s_arlen + 1;
			q.done = 0;
			q.id = s_arid;
			q.size = s_arsize == 5 ? 32 : 16;
			q.ready_at = cyc + read_latency;
			rd_count++;
			st_rd_bursts++;
		}
		if (f_r) {
			RdReq &q = rd[rd_head];
			st_rd_bytes += q.size;
			if (++q.done == q.beats) {
				rd_head = (rd_head + 1) % MAX_RD;
				rd_count--;
			}
			rvalid = false;
		}
		if (f_aw) {
			WrReq &q = wr[(wr_head + wr_count) % MAX_WR];
			q.addr = s_awaddr;
			q.beats = s_awlen + 1;
			q.done = 0;
			q.id = s_awid;
			q.resp = 0;
			q.size = s_awsize == 5 ? 32 : 16;
			wr_count++;
			st_wr_bursts++;
		}
		if (f_w) {
			WrReq &q = wr[wr_head];
			uint64_t a = q.addr + (uint64_t)q.done * q.size;
			uint32_t r = beat_resp(a, q.size);
			if (r > q.resp)
				q.resp = r;
			if (!r) {
				// the beat's bytes on the bus start at lane (a narrow beat: its address's)
				unsigned lane = q.size < wbus ? (unsigned)(a % wbus) : 0;
				const uint8_t *src = (const uint8_t *)s_wdata + lane;
				uint32_t strb = s_wstrb >> lane;
				if (q.size == 32 ? strb == 0xffffffffu : (strb & 0xffff) == 0xffff) {
					memcpy(mem + (a - mem_base), src, q.size);
					st_wr_bytes += q.size;
				} else {
					for (unsigned i = 0; i < q.size; i++)
						if (strb >> i & 1) {
							mem[a - mem_base + i] = src[i];
							st_wr_bytes++;
						}
				}
			}
			if (++q.done == q.beats) {
				BRsp &br = b[(b_head + b_count) % MAX_WR];
				br.id = q.id;
				br.resp = q.resp;
				br.ready_at = cyc + write_latency;
				if (q.resp)
					st_wr_err_bursts++;
				b_count++;
				wr_head = (wr_head + 1) % MAX_WR;
				wr_count--;
			}
		}
		if (f_b) {
			b_head = (b_head + 1) % MAX_WR;
			b_count--;
			bvalid = false;
		}
		wready = false;
	}
};

#endif
