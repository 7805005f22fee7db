// harness.cpp: the C ABI of hw/sim/mbn_sim.h around the Verilated mbnaccel_top.
// It owns the clock, the AXI4-Lite master that performs register accesses, and the
// DRAM model (an AXI4 slave, hw/sim/dram.h) with its on-the-fly protocol checker.
//
// One cycle = drive the slave's registered outputs, eval with clk low (the DUT's
// combinational outputs settle), sample every valid&&ready pair, eval with clk high,
// then let the models act on the sampled handshakes. Slave outputs never depend
// combinationally on DUT outputs in the same cycle, so two evals per cycle suffice.
#include "Vmbnaccel_top.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#else
struct VerilatedFstC { // tracing compiled out (SIM_TRACE=0)
	void dump(uint64_t) {}
	void close() {}
};
#endif

#include "mbn_regs.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/mman.h>

#include "dram.h"
#include "mbn_sim.h"

#ifndef MBN_SIM_PARAM_OVERRIDES
#define MBN_SIM_PARAM_OVERRIDES ""
#endif

#define EXPORT extern "C" __attribute__((visibility("default")))

struct mbn_sim {
	VerilatedContext *ctx = nullptr;
	Vmbnaccel_top *top = nullptr;
	VerilatedFstC *fst = nullptr;
	Dram dram;
	uint64_t cycles = 0;
	bool own_mem = false;
	// AXI4-Lite master state (driven from these fields each cycle)
	bool aw_valid = false, w_valid = false, ar_valid = false;
	uint32_t aw_addr = 0, w_data = 0, ar_addr = 0;
	bool b_ready = false, r_ready = false;
	bool b_seen = false, r_seen = false;
	uint32_t r_data = 0;
	unsigned r_resp = 0, b_resp = 0;
};

static void tick(mbn_sim *s)
{
	Vmbnaccel_top *t = s->top;
	Dram &d = s->dram;

	// 1. inputs from registered model state
	d.drive(t, s->cycles);
	t->s_axil_awvalid = s->aw_valid;
	t->s_axil_awaddr = s->aw_addr;
	t->s_axil_wvalid = s->w_valid;
	t->s_axil_wdata = s->w_data;
	t->s_axil_wstrb = 0xf;
	t->s_axil_bready = s->b_ready;
	t->s_axil_arvalid = s->ar_valid;
	t->s_axil_araddr = s->ar_addr;
	t->s_axil_rready = s->r_ready;
	t->clk = 0;
	t->eval();
	if (s->fst)
		s->fst->dump(s->cycles * 2);

	// 2. sample handshakes at the coming rising edge
	d.sample(t, s->cycles);
	bool awf = s->aw_valid && t->s_axil_awready;
	bool wf = s->w_valid && t->s_axil_wready;
	bool bf = s->b_ready && t->s_axil_bvalid;
	bool arf = s->ar_valid && t->s_axil_arready;
	bool rf = s->r_ready && t->s_axil_rvalid;
	if (bf) {
		s->b_seen = true;
		s->b_resp = t->s_axil_bresp;
	}
	if (rf) {
		s->r_seen = true;
		s->r_data = t->s_axil_rdata;
		s->r_resp = t->s_axil_rresp;
	}

	// 3. rising edge
	t->clk = 1;
	t->eval();
	if (s->fst)
		s->fst->dump(s->cycles * 2 + 1);

	// 4. models act
	d.commit(s->cycles);
	if (awf)
		s->aw_valid = false;
	if (wf)
		s->w_valid = false;
	if (bf)
		s->b_ready = false;
	if (arf)
		s->ar_valid = false;
	if (rf)
		s->r_ready = false;
	s->cycles++;
}

static const char *g_params;

static void build_params()
{
	// Defaults of mbnaccel_top (docs/hw.md), then the -G overrides of this build.
	static std::string p;
	const char *names[] = {"LANES", "IBUF_WORDS", "WBUF_ROWS", "OBUF_WORDS", "QBUF_ENTRIES",
			       "ADDR_W", "MAX_RD_OUTSTANDING"};
	std::string vals[] = {"16", "8192", "512", "4096", "1024", "40", "4"};
	std::string ov = MBN_SIM_PARAM_OVERRIDES;
	size_t pos = 0;
	while ((pos = ov.find("-G", pos)) != std::string::npos) {
		pos += 2;
		size_t eq = ov.find('=', pos), end = ov.find(' ', pos);
		if (eq == std::string::npos)
			break;
		std::string n = ov.substr(pos, eq - pos);
		std::string v = ov.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
		for (int i = 0; i < 7; i++)
			if (n == names[i])
				vals[i] = v;
	}
	for (int i = 0; i < 7; i++) {
		if (i)
			p += ' ';
		p += std::string(names[i]) + "=" + vals[i];
	}
	// RD_BYTES and WR_BYTES follow LANES by default (mbnaccel_top): read them off the
	// ports' widths
	p += " RD_BYTES=" + std::to_string(sizeof(((Vmbnaccel_top *)nullptr)->m_axi_rdata));
	p += " WR_BYTES=" + std::to_string(sizeof(((Vmbnaccel_top *)nullptr)->m_axi_wdata));
	g_params = p.c_str();
}

EXPORT const char *mbn_sim_params(void)
{
	if (!g_params)
		build_params();
	return g_params;
}

EXPORT void mbn_sim_default_config(struct mbn_sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mem_bytes = 256ull << 20;
	c->read_latency = 64;
	c->bytes_per_cycle = 16;
	c->max_outstanding = 8;
	c->write_latency = 16;
}

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	if (!err || !len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

EXPORT mbn_sim *mbn_sim_create(const struct mbn_sim_config *cfg, char *err, size_t errlen)
{
	struct mbn_sim_config c, def;
	mbn_sim_default_config(&def);
	c = cfg ? *cfg : def;
	if (!c.mem_bytes)
		c.mem_bytes = def.mem_bytes;
	if (!c.read_latency)
		c.read_latency = def.read_latency;
	if (!c.bytes_per_cycle)
		c.bytes_per_cycle = def.bytes_per_cycle;
	if (!c.max_outstanding)
		c.max_outstanding = def.max_outstanding;
	if (!c.write_latency)
		c.write_latency = def.write_latency;
	if ((c.mem_base & 0xfff) || c.mem_base + c.mem_bytes < c.mem_base) {
		seterr(err, errlen, "mem_base 0x%llx: not 4 KiB aligned or DRAM wraps past 2^64",
		       (unsigned long long)c.mem_base);
		return nullptr;
	}
	if (c.max_outstanding > Dram::MAX_RD) {
		seterr(err, errlen, "max_outstanding %u > %u", c.max_outstanding, Dram::MAX_RD);
		return nullptr;
	}
	mbn_sim *s = new (std::nothrow) mbn_sim;
	if (!s) {
		seterr(err, errlen, "out of memory");
		return nullptr;
	}
	uint8_t *mem = c.mem_external;
	if (!mem) {
		void *m = mmap(nullptr, c.mem_bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED) {
			seterr(err, errlen, "cannot map %llu bytes of DRAM: %s",
			       (unsigned long long)c.mem_bytes, strerror(errno));
			delete s;
			return nullptr;
		}
		mem = (uint8_t *)m;
		s->own_mem = true;
	}
	s->dram.init(mem, c.mem_base, c.mem_bytes, c.read_latency, c.bytes_per_cycle, c.max_outstanding,
		     c.write_latency);
	s->ctx = new VerilatedContext;
#if VM_TRACE
	s->ctx->traceEverOn(true);
#endif
	s->top = new Vmbnaccel_top(s->ctx, "mbnaccel_top");
	Vmbnaccel_top *t = s->top;
	s->dram.attach(t);
	t->rst = 1;
	for (int i = 0; i < 16; i++)
		tick(s);
	t->rst = 0;
	s->dram.reset_checker();
	tick(s);
	return s;
}

EXPORT void mbn_sim_destroy(mbn_sim *s)
{
	if (!s)
		return;
	mbn_sim_trace(s, nullptr);
	s->top->final();
	delete s->top;
	delete s->ctx;
	if (s->own_mem)
		munmap(s->dram.mem, s->dram.mem_bytes);
	delete s;
}

static const uint64_t AXIL_TIMEOUT = 10000;

EXPORT void mbn_sim_reg_write(mbn_sim *s, uint32_t off, uint32_t val)
{
	// CTRL.START: the DRAM model's arbiter starts every job in the same state (its R/W
	// turn-taking pointer carried over from the previous job made a job's cycle count
	// depend on the one before it by a cycle)
	if ((off & 0xfff) == MBN_REG_CTRL && (val & MBN_CTRL_START))
		s->dram.restart_arbiter();
	s->aw_valid = s->w_valid = true;
	s->aw_addr = off & 0xfff;
	s->w_data = val;
	s->b_ready = true;
	s->b_seen = false;
	uint64_t n = 0;
	while (!s->b_seen && n++ < AXIL_TIMEOUT)
		tick(s);
	if (!s->b_seen) {
		s->dram.error(s->cycles, "AXI4-Lite write to 0x%03x got no response", off);
		s->aw_valid = s->w_valid = s->b_ready = false;
	} else if (s->b_resp) {
		s->dram.error(s->cycles, "AXI4-Lite write to 0x%03x: bresp %u", off, s->b_resp);
	}
}

EXPORT uint32_t mbn_sim_reg_read(mbn_sim *s, uint32_t off)
{
	s->ar_valid = true;
	s->ar_addr = off & 0xfff;
	s->r_ready = true;
	s->r_seen = false;
	uint64_t n = 0;
	while (!s->r_seen && n++ < AXIL_TIMEOUT)
		tick(s);
	if (!s->r_seen) {
		s->dram.error(s->cycles, "AXI4-Lite read of 0x%03x got no response", off);
		s->ar_valid = s->r_ready = false;
		return ~0u;
	}
	if (s->r_resp)
		s->dram.error(s->cycles, "AXI4-Lite read of 0x%03x: rresp %u", off, s->r_resp);
	return s->r_data;
}

EXPORT uint8_t *mbn_sim_mem(mbn_sim *s, uint64_t *size)
{
	if (size)
		*size = s->dram.mem_bytes;
	return s->dram.mem;
}

EXPORT int mbn_sim_wait_irq(mbn_sim *s, uint64_t max_cycles)
{
	uint64_t n = 0;
	while (!s->top->irq) {
		if (max_cycles && n >= max_cycles)
			return -ETIMEDOUT;
		tick(s);
		n++;
	}
	return 0;
}

EXPORT void mbn_sim_step(mbn_sim *s, uint64_t n)
{
	while (n--)
		tick(s);
}

EXPORT int mbn_sim_irq(mbn_sim *s)
{
	return s->top->irq ? 1 : 0;
}

EXPORT uint64_t mbn_sim_cycles(mbn_sim *s)
{
	return s->cycles;
}

EXPORT int mbn_sim_trace(mbn_sim *s, const char *path)
{
	if (s->fst) {
		s->fst->close();
		delete s->fst;
		s->fst = nullptr;
	}
	if (!path)
		return 0;
#if !VM_TRACE
	return -ENOTSUP;
#endif
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fclose(f);
#if VM_TRACE
	s->fst = new VerilatedFstC;
	s->top->trace(s->fst, 99);
	s->fst->open(path);
	if (!s->fst->isOpen()) {
		delete s->fst;
		s->fst = nullptr;
		return -EIO;
	}
#endif
	return 0;
}

EXPORT void mbn_sim_inject_axi_error(mbn_sim *s, uint64_t lo, uint64_t hi)
{
	s->dram.err_lo = lo;
	s->dram.err_hi = hi;
}

EXPORT uint64_t mbn_sim_protocol_errors(mbn_sim *s)
{
	return s->dram.proto_errors;
}

EXPORT void mbn_sim_stats(mbn_sim *s, struct mbn_sim_stats *st)
{
	st->rd_bytes = s->dram.st_rd_bytes;
	st->wr_bytes = s->dram.st_wr_bytes;
	st->rd_bursts = s->dram.st_rd_bursts;
	st->wr_bursts = s->dram.st_wr_bursts;
	st->rd_err_beats = s->dram.st_rd_err_beats;
	st->wr_err_bursts = s->dram.st_wr_err_bursts;
}
