/*
 * sim-rtl.c: the RTL (through libmbnsim.so) against the C model (hw/model/cmodel.c).
 *   sim-rtl LIB.so [ITERATIONS] [SEED]
 * - random descriptor chains (PW and DW, random geometry within capacity, zero points,
 *   multipliers, shifts, clamps, the three roundings, reuse flags, chained layers, 4 regions
 *   at non-4KiB-aligned bases) under random DRAM latency / bandwidth / outstanding reads:
 *   whole memory identical afterwards, STATUS/IRQ/DESC_DONE right, counters plausible
 *   (CYCLES > 0, DMA_RD/WR_BYTES equal the model's sums and the DRAM model's, MAC_ACTIVE);
 * - faults: bounds (each extent and the descriptor fetch), bad region index, bad op,
 *   reserved bits: right FAULT_CODE/FAULT_DESC, nothing written (whole memory compared);
 * - injected AXI SLVERR ends the job with FAULT_AXI, no hang;
 * - CTRL.RESET mid-job goes idle without DONE, and the next job is correct;
 * - DESC_COUNT = 0 completes at once; CAPS agrees with the build parameters;
 * - no AXI protocol violation; the simulated cycles per second.
 */
#include <stddef.h>

#include "simtest.h"

static struct mbn_sim_lib L;
static struct mbn_cmodel_params P;
#define MEM_BYTES (8u << 20)
static uint8_t ref[MEM_BYTES];

struct result {
	int timeout;
	uint32_t status, irq_status, irq, code, fdesc, foff, done;
	uint64_t cycles, rd, wr, mac, pw_busy, dw_busy;
	uint64_t sim_cycles;
	double wait_s; /* wall time of the wait for irq */
};

static void run_job(mbn_sim *s, const struct chain *c, int nreg, uint32_t count, uint64_t max_cycles,
		    struct result *r)
{
	memset(r, 0, sizeof(*r));
	job_start(&L, s, c->reg, nreg, 0, 0, count);
	uint64_t c0 = L.cycles(s);
	double t0 = now_s();
	r->timeout = L.wait_irq(s, max_cycles) != 0;
	r->wait_s = now_s() - t0;
	r->sim_cycles = L.cycles(s) - c0;
	r->irq = L.irq(s);
	r->status = L.reg_read(s, MBN_REG_STATUS);
	r->irq_status = L.reg_read(s, MBN_REG_IRQ_STATUS);
	r->code = L.reg_read(s, MBN_REG_FAULT_CODE);
	r->fdesc = L.reg_read(s, MBN_REG_FAULT_DESC);
	r->foff = L.reg_read(s, MBN_REG_FAULT_OFFSET);
	r->done = L.reg_read(s, MBN_REG_DESC_DONE);
	r->cycles = reg64(&L, s, MBN_REG_CYCLES_LO);
	r->rd = reg64(&L, s, MBN_REG_DMA_RD_BYTES_LO);
	r->wr = reg64(&L, s, MBN_REG_DMA_WR_BYTES_LO);
	r->mac = reg64(&L, s, MBN_REG_MAC_ACTIVE_LO);
	r->pw_busy = reg64(&L, s, MBN_REG_PW_BUSY_LO);
	r->dw_busy = reg64(&L, s, MBN_REG_DW_BUSY_LO);
	L.reg_write(s, MBN_REG_IRQ_STATUS, 3);
	if (!r->timeout && L.irq(s))
		r->irq = 2; /* irq did not fall after the W1C */
}

/* Write c's first n descriptors into the simulator's memory, run them on the C model
 * (into ref, a copy of that memory) and on the RTL. Returns the model's fault code. */
static int run_both(mbn_sim *s, struct chain *c, uint32_t n, uint64_t max_cycles, struct mbn_cmodel_fault *f,
		    struct result *r)
{
	uint8_t *m = L.mem(s, NULL);
	chain_write_descs(c, m);
	memcpy(ref, m, MEM_BYTES);
	int rc = mbn_cmodel_run_params(&P, ref, MEM_BYTES, c->reg, 4, 0, 0, n, f);
	run_job(s, c, 4, n, max_cycles, r);
	return rc;
}

static mbn_sim *new_sim(int randomize, char *desc, size_t dlen)
{
	struct mbn_sim_config cfg;
	char err[256];
	L.default_config(&cfg);
	cfg.mem_bytes = MEM_BYTES;
	if (randomize) {
		static const unsigned lat[] = {1, 2, 5, 20, 64, 150};
		static const unsigned bpc[] = {16, 16, 8, 4, 32, 2};
		static const unsigned out[] = {1, 2, 4, 8, 16};
		cfg.read_latency = lat[rnd(6)];
		cfg.bytes_per_cycle = bpc[rnd(6)];
		cfg.max_outstanding = out[rnd(5)];
		cfg.write_latency = rndr(1, 40);
	}
	snprintf(desc, dlen, "rl %u bpc %u out %u wl %u", cfg.read_latency, cfg.bytes_per_cycle,
		 cfg.max_outstanding, cfg.write_latency);
	mbn_sim *s = L.create(&cfg, err, sizeof(err));
	if (!s)
		fprintf(stderr, "create: %s\n", err);
	return s;
}

static int compare_mem(mbn_sim *s, char *why, size_t wlen)
{
	uint8_t *m = L.mem(s, NULL);
	int64_t d = memdiff(m, ref, MEM_BYTES);
	if (d >= 0) {
		int n = 0;
		for (uint64_t i = (uint64_t)d; i < MEM_BYTES; i++)
			n += m[i] != ref[i];
		snprintf(why, wlen, "memory differs at 0x%" PRIx64 " (rtl %02x model %02x), %d bytes", d,
			 m[d], ref[d], n);
		return 1;
	}
	return 0;
}

static const char *where(const struct chain *c, uint64_t a)
{
	static char buf[96];
	for (int r = 3; r >= 0; r--)
		if (a >= c->reg[r].base) {
			uint64_t off = a - c->reg[r].base;
			for (int i = 0; i < c->n; i++) {
				const struct tdesc *d = &c->d[i];
				if (r == 3 && off >= d->out_offset && off < d->out_offset + desc_out_extent(d)) {
					uint64_t o = off - d->out_offset;
					snprintf(buf, sizeof(buf), "desc %d (%s) out pixel %" PRIu64 " ch %" PRIu64, i,
						 d->op == MBN_OP_PW ? "PW" : "DW", o / d->out_stride,
						 o % d->out_stride);
					return buf;
				}
			}
			snprintf(buf, sizeof(buf), "region %d off 0x%" PRIx64, r, off);
			return buf;
		}
	return "?";
}

static void describe(const struct chain *c)
{
	for (int i = 0; i < c->n; i++) {
		const struct tdesc *d = &c->d[i];
		fprintf(stderr,
			"  desc %d: %s%s round %u reuse w%u i%u in %ux%ux%u out %ux%ux%u stride %u pad %u "
			"row_off %d zp in %u w %u out %u clamp %u..%u out_stride %u\n",
			i, d->op == MBN_OP_PW ? "PW" : "DW", d->fuse ? " fused" : "", d->round, d->reuse_weights, d->reuse_input,
			d->in_rows, d->in_w, d->in_c, d->out_rows, d->out_w, d->out_c, d->stride,
			d->pad_left, d->row_off, d->in_zp, d->w_zp, d->out_zp, d->act_min, d->act_max,
			d->out_stride);
	}
}

/* Random chains. */
static void test_random(int iters)
{
	char name[64], why[256], cfgd[96];
	int bad_total = 0;
	double t0 = now_s();
	uint64_t cyc_total = 0;
	int n_fused = 0;
	for (int it = 0; it < iters; it++) {
		snprintf(name, sizeof(name), "rtl-random-%d", it);
		mbn_sim *s = new_sim(it > 0, cfgd, sizeof(cfgd));
		if (!s) {
			fail(name, "cannot create simulator");
			bad_total++;
			continue;
		}
		uint8_t *m = L.mem(s, NULL);
		struct chain c;
		chain_layout(&c, MEM_BYTES);
		int n = rndr(1, it % 5 == 0 ? 16 : 6);
		for (int i = 0; i < n; i++)
			chain_add(&c, m, &P, it % 7 == 3 ? 256 : 48, 1);
		struct mbn_cmodel_fault f;
		struct result r;
		int rc = run_both(s, &c, (uint32_t)n, 20000000, &f, &r);
		cyc_total += r.sim_cycles;
		for (int i = 0; i < n; i++)
			n_fused += c.d[i].fuse;
		if (getenv("SIMTEST_VERBOSE"))
			printf("chain %d: %d descs, CYCLES %" PRIu64 " sim %" PRIu64 " rd %" PRIu64 " wr %" PRIu64 " mac %" PRIu64 " [%s]\n", it, n, r.cycles, r.sim_cycles, r.rd, r.wr, r.mac, cfgd);
		struct mbn_sim_stats st;
		L.stats(s, &st);
		why[0] = 0;
		if (rc)
			snprintf(why, sizeof(why), "model faulted (%d): generator bug", rc);
		else if (r.timeout)
			snprintf(why, sizeof(why), "no irq after %" PRIu64 " cycles (STATUS 0x%x, DESC_DONE %u)",
				 r.sim_cycles, r.status, r.done);
		else if (r.status != 2 || r.irq_status != 1 || r.irq != 1)
			snprintf(why, sizeof(why), "STATUS 0x%x IRQ_STATUS 0x%x irq %u (want 2, 1, 1) code %u desc %u",
				 r.status, r.irq_status, r.irq, r.code, r.fdesc);
		else if (r.done != (uint32_t)n)
			snprintf(why, sizeof(why), "DESC_DONE %u want %d", r.done, n);
		else if (compare_mem(s, why, sizeof(why)))
			;
		else if (!r.cycles || r.cycles > r.sim_cycles + 10)
			snprintf(why, sizeof(why), "CYCLES %" PRIu64 " (simulated %" PRIu64 ")", r.cycles, r.sim_cycles);
		else if (r.rd != f.rd_bytes || r.wr != f.wr_bytes)
			snprintf(why, sizeof(why), "DMA_RD/WR_BYTES %" PRIu64 "/%" PRIu64 " want %" PRIu64 "/%" PRIu64,
				 r.rd, r.wr, f.rd_bytes, f.wr_bytes);
		else if (st.rd_bytes != r.rd || st.wr_bytes != r.wr)
			snprintf(why, sizeof(why), "DRAM saw %" PRIu64 "/%" PRIu64 " bytes, counters %" PRIu64 "/%" PRIu64,
				 st.rd_bytes, st.wr_bytes, r.rd, r.wr);
		else if (r.mac < f.macs_valid || r.mac > f.macs)
			snprintf(why, sizeof(why), "MAC_ACTIVE %" PRIu64 " not in [%" PRIu64 ", %" PRIu64 "]", r.mac,
				 f.macs_valid, f.macs);
		else if (L.protocol_errors(s))
			snprintf(why, sizeof(why), "%" PRIu64 " AXI protocol errors", L.protocol_errors(s));
		if (why[0]) {
			int64_t d = memdiff(m, ref, MEM_BYTES);
			fail(name, "%s [%s%s%s; %d descs, seed-iter %d]", why, cfgd, d >= 0 ? "; " : "",
			     d >= 0 ? where(&c, (uint64_t)d) : "", n, it);
			describe(&c);
			bad_total++;
		} else {
			pass(name);
		}
		L.destroy(s);
	}
	double dt = now_s() - t0;
	printf("rtl-random: %d chains (%d fused DW descriptors), %" PRIu64 " job cycles, %.2f s, %.2f Mcycles/s\n", iters, n_fused, cyc_total,
	       dt, cyc_total / dt / 1e6);
}

/* Fault in descriptor 1 of 3: FAULT_CODE/FAULT_DESC, descriptor 0 written, nothing else. */
typedef void (*mutator)(struct chain *c, struct tdesc *d);
static void fault_case(const char *name, mutator mut, uint32_t want_code, int check_offset)
{
	char cfgd[96], why[256];
	mbn_sim *s = new_sim(1, cfgd, sizeof(cfgd));
	if (!s) {
		fail(name, "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	for (int i = 0; i < 3; i++)
		chain_add(&c, m, &P, 32, 0);
	mut(&c, &c.d[1]);
	struct mbn_cmodel_fault f;
	struct result r;
	int rc = run_both(s, &c, 3, 2000000, &f, &r);
	why[0] = 0;
	if (rc != (int)want_code)
		snprintf(why, sizeof(why), "model gives %d, want %u: test bug", rc, want_code);
	else if (r.timeout)
		snprintf(why, sizeof(why), "no irq (STATUS 0x%x)", r.status);
	else if (r.status != 4 || r.irq_status != 2 || r.irq != 1)
		snprintf(why, sizeof(why), "STATUS 0x%x IRQ_STATUS 0x%x irq %u (want 4, 2, 1)", r.status,
			 r.irq_status, r.irq);
	else if (r.code != want_code || r.fdesc != 1 || r.done != 1)
		snprintf(why, sizeof(why), "FAULT_CODE %u FAULT_DESC %u DESC_DONE %u, want %u 1 1", r.code,
			 r.fdesc, r.done, want_code);
	else if (check_offset && r.foff != f.offset)
		snprintf(why, sizeof(why), "FAULT_OFFSET 0x%x want 0x%x", r.foff, f.offset);
	else if (compare_mem(s, why, sizeof(why)))
		;
	else if (L.protocol_errors(s))
		snprintf(why, sizeof(why), "%" PRIu64 " AXI protocol errors", L.protocol_errors(s));
	if (why[0]) {
		fail(name, "%s [%s]", why, cfgd);
		describe(&c);
	} else {
		pass(name);
	}
	L.destroy(s);
}

static void m_out_bounds(struct chain *c, struct tdesc *d)
{
	d->out_offset = (uint32_t)(c->reg[3].size - desc_out_extent(d) + 16);
}
static void m_in_bounds(struct chain *c, struct tdesc *d)
{
	d->reuse_input = 0;
	d->in_region = 1;
	d->in_offset = (uint32_t)(c->reg[1].size - desc_in_bytes(d) + 16);
}
static void m_w_bounds(struct chain *c, struct tdesc *d)
{
	d->reuse_weights = 0;
	d->w_offset = (uint32_t)(c->reg[2].size - desc_w_bytes(d) + 16);
}
static void m_q_bounds(struct chain *c, struct tdesc *d)
{
	d->reuse_weights = 0;
	d->q_offset = 0xfffffff0u; /* offset + extent overflows 32 bits */
}
static void m_region(struct chain *c, struct tdesc *d) { d->out_region = 8; }
static void m_region_in(struct chain *c, struct tdesc *d) { d->reuse_input = 0; d->in_region = 15; }
static void m_op(struct chain *c, struct tdesc *d) { d->op = 3; }
static void m_reserved(struct chain *c, struct tdesc *d) { d->d0_extra = 1u << 31; }
static void m_round3(struct chain *c, struct tdesc *d) { d->d0_extra = 3u << 4; }
static void m_d12(struct chain *c, struct tdesc *d) { d->d12 = 0x100; }
static void m_align(struct chain *c, struct tdesc *d) { d->w_offset += 4; d->reuse_weights = 0; }
static void m_capacity(struct chain *c, struct tdesc *d)
{
	d->op = MBN_OP_PW;
	d->reuse_input = d->reuse_weights = 0;
	d->in_c = 16;
	d->out_c = P.qbuf_entries + P.lanes; /* more qparams than QBUF holds */
	d->in_rows = d->out_rows = 1;
	d->in_w = d->out_w = 1;
	d->out_stride = d->out_c;
}

/* fusion (docs/hw.md d0[10]): a fused DW whose output does not fit an IBUF half, fuse on
 * a PW, a fused DW with an output offset */
static void m_fuse_big(struct chain *c, struct tdesc *d)
{
	d->op = MBN_OP_DW;
	d->reuse_input = d->reuse_weights = 0;
	d->in_c = d->out_c = 256;
	d->in_rows = 4;
	d->in_w = 16;
	d->out_w = 16; /* the fewest rows over an IBUF half (default IBANK: 48 rows) */
	for (d->out_rows = 1; tile_fused_out_fits(&P, d, P.ibuf_words * 8ull); d->out_rows++)
		;
	d->stride = 1;
	d->pad_left = 1;
	d->row_off = -1;
	desc_make_fused(d);
}
static void m_fuse_pw(struct chain *c, struct tdesc *d)
{
	d->op = MBN_OP_PW;
	d->out_rows = d->in_rows;
	d->out_w = d->in_w;
	d->out_c = P.lanes;
	d->reuse_weights = 0;
	desc_make_fused(d);
}
static void m_fuse_off(struct chain *c, struct tdesc *d)
{
	d->op = MBN_OP_DW;
	d->out_c = d->in_c;
	d->reuse_input = d->reuse_weights = 0;
	d->stride = 1;
	d->out_rows = d->in_rows;
	d->out_w = d->in_w;
	desc_make_fused(d);
	d->out_offset = 16;
}

/*
 * The differential test of the contract's checker (hw/model/desc_check.h, through the C
 * model) against the RTL: descriptor 1 of a valid 3-descriptor chain gets a random
 * mutation (a field set to a random or edge value, a reserved bit of d0 set, or d12
 * non-zero); both must fault, or not, identically: same FAULT_CODE, FAULT_DESC and
 * DESC_DONE, the same FAULT_OFFSET for descriptor, region and bounds faults, and the same
 * memory when nothing faulted (or the fault left it so).
 */
struct dfield_info {
	const char *name;
	size_t off;
	int width, is_signed;
};
#define DFIELD(n, w, lo, hi, sg) { #n, offsetof(struct tdesc, n), (hi) - (lo) + 1, sg },
static const struct dfield_info dfields[] = { MBN_DESC_FIELDS(DFIELD) };
#undef DFIELD

static void mutate(struct tdesc *d, char *what, size_t wlen)
{
	uint32_t k = rnd(20);
	if (k == 0) {
		int b = (int)(rnd(26) + 6); /* d0 bits 6..31: reserved, or fuse/reuse flags */
		d->d0_extra = 1u << b;
		snprintf(what, wlen, "d0 bit %d", b);
		return;
	}
	if (k == 1) {
		d->d12 = 1u << rnd(32);
		snprintf(what, wlen, "d12 = 0x%x", d->d12);
		return;
	}
	const struct dfield_info *f = &dfields[rnd(sizeof(dfields) / sizeof(dfields[0]))];
	uint32_t old, v, max = f->width == 32 ? 0xffffffffu : (1u << f->width) - 1;
	memcpy(&old, (char *)d + f->off, 4);
	switch (rnd(6)) {
	case 0: v = 0; break;
	case 1: v = max; break;
	case 2: v = old + 1; break;
	case 3: v = old - 1; break;
	case 4: v = old ^ (1u << rnd((uint32_t)f->width)); break;
	default: v = (uint32_t)rnd64(); break;
	}
	v &= max;
	if (f->is_signed && (v >> (f->width - 1)) & 1)
		v |= ~max; /* sign-extend into the int32_t member */
	memcpy((char *)d + f->off, &v, 4);
	snprintf(what, wlen, "%s %u -> %d", f->name, old, (int32_t)v);
}

/* Is what the first n descriptors of c compute defined by the C model? The hardware
 * does not check reuse. The kernel refuses a reuse that reads more than the job left on
 * chip (desc_check.h mbn_reuse_step: isolation); a reuse that reads less, or the same
 * words with another tile geometry, reads this job's bytes at places the RTL's row
 * banks and buffer halves determine, which the C model (one flat IBUF, WBUF) does not
 * model. The compiler only emits reuses of the same tile geometry (same IBUF rows and
 * row length; same weights), and only those are compared byte for byte. */
static int reuse_defined(const struct chain *c, int count, uint32_t n)
{
	const struct mbn_hw_limits lim = hw_limits_of(&P);
	struct mbn_onchip oc = { { 0 }, 0, 0 };
	uint64_t t_rows = 0, t_row_bytes = 0, w_bytes = 0;
	uint32_t q_entries = 0, w_op = 0;
	for (uint32_t i = 0; i < n && i < (uint32_t)count; i++) {
		uint8_t raw[64];
		uint32_t w[16];
		struct mbn_desc d;
		struct mbn_desc_extents x;
		desc_pack(&c->d[i], raw);
		for (int k = 0; k < 16; k++)
			w[k] = (uint32_t)raw[4 * k] | (uint32_t)raw[4 * k + 1] << 8 | (uint32_t)raw[4 * k + 2] << 16 |
			       (uint32_t)raw[4 * k + 3] << 24;
		if (mbn_desc_check(w, &lim, &d, &x) || mbn_reuse_step(&lim, &d, &x, &oc, NULL))
			return 0;
		if (d.reuse_input && (x.in_rows != t_rows || x.in_row_bytes != t_row_bytes))
			return 0;
		if (d.reuse_weights && (x.w_bytes != w_bytes || d.out_c != q_entries || d.op != w_op))
			return 0;
		if (d.fuse)
			t_rows = x.npix, t_row_bytes = d.out_c;
		else if (!d.reuse_input)
			t_rows = x.in_rows, t_row_bytes = x.in_row_bytes;
		if (!d.reuse_weights)
			w_bytes = x.w_bytes, q_entries = d.out_c, w_op = d.op;
	}
	return 1;
}

static void test_mutated(int iters)
{
	int bad = 0, faulted = 0, undefined = 0, by_code[8] = {0};
	for (int it = 0; it < iters; it++) {
		char cfgd[96], what[96], why[256] = "";
		mbn_sim *s = new_sim(0, cfgd, sizeof(cfgd));
		if (!s) {
			fail("rtl-mutated", "cannot create simulator");
			return;
		}
		uint8_t *m = L.mem(s, NULL);
		struct chain c;
		chain_layout(&c, MEM_BYTES);
		for (int i = 0; i < 3; i++)
			chain_add(&c, m, &P, 32, 1);
		mutate(&c.d[1], what, sizeof(what));
		struct mbn_cmodel_fault f;
		struct result r;
		int rc = run_both(s, &c, 3, 20000000, &f, &r);
		if (r.timeout)
			snprintf(why, sizeof(why), "RTL: no irq (checker: code %d)", rc);
		else if (r.code != (uint32_t)rc)
			snprintf(why, sizeof(why), "FAULT_CODE %u, checker %d", r.code, rc);
		else if (rc && (r.fdesc != f.desc || r.done != f.desc_done))
			snprintf(why, sizeof(why), "FAULT_DESC %u DESC_DONE %u, checker %u %u", r.fdesc, r.done, f.desc,
				 f.desc_done);
		else if (rc && rc != MBN_FAULT_AXI && r.foff != f.offset)
			snprintf(why, sizeof(why), "FAULT_OFFSET 0x%x, checker 0x%x (code %d)", r.foff, f.offset, rc);
		else if (!rc && r.done != 3)
			snprintf(why, sizeof(why), "DESC_DONE %u, want 3", r.done);
		else if (rc != MBN_FAULT_AXI && reuse_defined(&c, 3, rc ? f.desc : 3))
			compare_mem(s, why, sizeof(why));
		else if (rc != MBN_FAULT_AXI)
			undefined++;
		if (why[0]) {
			if (bad++ < 8) {
				fail("rtl-mutated", "iteration %d, %s: %s [%s]", it, what, why, cfgd);
				describe(&c);
			}
		}
		faulted += rc != 0;
		by_code[rc & 7]++;
		L.destroy(s);
	}
	if (!bad) {
		char name[256];
		snprintf(name, sizeof(name),
			 "rtl-mutated: %d mutated descriptors, RTL = checker on each (%d faulted: %d descriptor, %d bounds, "
			 "%d region, %d AXI; %d ran; memory not compared after %d reuses the C model does not define)",
			 iters, faulted, by_code[MBN_FAULT_DESC], by_code[MBN_FAULT_BOUNDS], by_code[MBN_FAULT_REGION],
			 by_code[MBN_FAULT_AXI], iters - faulted, undefined);
		pass(name);
	} else
		fail("rtl-mutated", "%d of %d mutated descriptors differ between the RTL and the checker", bad, iters);
}

static void test_faults(void)
{
	fault_case("rtl-fault-fuse-capacity", m_fuse_big, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-fuse-pw", m_fuse_pw, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-fuse-offset", m_fuse_off, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-out-bounds", m_out_bounds, MBN_FAULT_BOUNDS, 1);
	fault_case("rtl-fault-in-bounds", m_in_bounds, MBN_FAULT_BOUNDS, 1);
	fault_case("rtl-fault-w-bounds", m_w_bounds, MBN_FAULT_BOUNDS, 1);
	fault_case("rtl-fault-q-overflow", m_q_bounds, MBN_FAULT_BOUNDS, 1);
	fault_case("rtl-fault-region-out", m_region, MBN_FAULT_REGION, 0);
	fault_case("rtl-fault-region-in", m_region_in, MBN_FAULT_REGION, 0);
	fault_case("rtl-fault-op", m_op, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-reserved-d0", m_reserved, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-round-3", m_round3, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-reserved-d12", m_d12, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-align", m_align, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-capacity", m_capacity, MBN_FAULT_DESC, 0);
}

/* Descriptor fetch beyond the descriptor region; DESC_COUNT = 0. */
static void test_desc_fetch(void)
{
	char cfgd[96], why[256];
	mbn_sim *s = new_sim(0, cfgd, sizeof(cfgd));
	if (!s) {
		fail("rtl-fault-desc-fetch", "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	chain_add(&c, m, &P, 16, 0);
	chain_add(&c, m, &P, 16, 0);
	c.reg[0].size = 64 + 48; /* descriptor 1 does not fit */
	struct mbn_cmodel_fault f;
	struct result r;
	run_both(s, &c, 2, 2000000, &f, &r);
	why[0] = 0;
	if (r.timeout || r.status != 4 || r.code != MBN_FAULT_BOUNDS || r.fdesc != 1 || r.done != 1)
		snprintf(why, sizeof(why), "timeout %d STATUS 0x%x FAULT_CODE %u FAULT_DESC %u DESC_DONE %u",
			 r.timeout, r.status, r.code, r.fdesc, r.done);
	else
		compare_mem(s, why, sizeof(why));
	if (why[0])
		fail("rtl-fault-desc-fetch", "%s", why);
	else
		pass("rtl-fault-desc-fetch");

	run_job(s, &c, 4, 0, 1000, &r);
	if (r.timeout || r.status != 2 || r.irq_status != 1 || r.done != 0 || r.rd != 0)
		fail("rtl-count0", "timeout %d STATUS 0x%x IRQ_STATUS 0x%x DESC_DONE %u RD %" PRIu64, r.timeout,
		     r.status, r.irq_status, r.done, r.rd);
	else
		pass("rtl-count0");

	/* CAPS agrees with the parameters */
	uint32_t caps0 = L.reg_read(s, MBN_REG_CAPS0), caps2 = L.reg_read(s, MBN_REG_CAPS2);
	uint32_t caps3 = L.reg_read(s, MBN_REG_CAPS3);
	if ((caps0 >> 24) != P.lanes || (caps0 & 0xffff) != P.lanes * 16 || ((caps0 >> 16) & 0xff) != 16 ||
	    (caps2 >> 16) != P.qbuf_entries || (caps3 & 0xff) != MBN_NUM_REGIONS ||
	    !!(caps3 & MBN_CAPS3_FUSE) != !!P.fuse)
		fail("rtl-caps", "CAPS0 0x%08x CAPS2 0x%08x CAPS3 0x%08x for %s", caps0, caps2, caps3,
		     L.params());
	else
		pass("rtl-caps");
	L.destroy(s);
}

/* Injected SLVERR on the weights of descriptor 1 (reads) or its output (writes). */
static void test_axi_error(int on_write)
{
	const char *name = on_write ? "rtl-axi-error-write" : "rtl-axi-error-read";
	char cfgd[96];
	mbn_sim *s = new_sim(1, cfgd, sizeof(cfgd));
	if (!s) {
		fail(name, "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	for (int i = 0; i < 3; i++)
		chain_add(&c, m, &P, 32, 0);
	chain_write_descs(&c, m);
	struct tdesc *d = &c.d[1];
	uint64_t a = on_write ? c.reg[3].base + d->out_offset : c.reg[2].base + d->w_offset;
	L.inject_axi_error(s, a, a + 16);
	struct result r;
	run_job(s, &c, 4, 3, 2000000, &r);
	if (r.timeout || r.status != 4 || r.irq_status != 2 || r.code != MBN_FAULT_AXI || r.fdesc != 1 ||
	    r.done != 1 || L.protocol_errors(s))
		fail(name, "timeout %d STATUS 0x%x IRQ_STATUS 0x%x FAULT_CODE %u FAULT_DESC %u DESC_DONE %u [%s]",
		     r.timeout, r.status, r.irq_status, r.code, r.fdesc, r.done, cfgd);
	else
		pass(name);
	/* the engine is usable afterwards */
	L.inject_axi_error(s, 0, 0);
	memcpy(ref, m, MEM_BYTES);
	mbn_cmodel_run_params(&P, ref, MEM_BYTES, c.reg, 4, 0, 0, 3, NULL);
	run_job(s, &c, 4, 3, 2000000, &r);
	char why[256] = "";
	if (r.timeout || r.status != 2 || r.done != 3)
		snprintf(why, sizeof(why), "rerun: timeout %d STATUS 0x%x DESC_DONE %u", r.timeout, r.status, r.done);
	else
		compare_mem(s, why, sizeof(why));
	if (why[0])
		fail(on_write ? "rtl-axi-error-write-recover" : "rtl-axi-error-read-recover", "%s", why);
	else
		pass(on_write ? "rtl-axi-error-write-recover" : "rtl-axi-error-read-recover");
	L.destroy(s);
}

/* CTRL.RESET in the middle of a long job, then a correct job. */
static void test_reset(void)
{
	char cfgd[96], why[256] = "";
	mbn_sim *s = new_sim(0, cfgd, sizeof(cfgd));
	if (!s) {
		fail("rtl-reset-midjob", "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	for (int i = 0; i < 12; i++)
		chain_add(&c, m, &P, 128, 0);
	chain_write_descs(&c, m);
	job_start(&L, s, c.reg, 4, 0, 0, (uint32_t)c.n);
	L.step(s, 3000);
	uint32_t st0 = L.reg_read(s, MBN_REG_STATUS);
	L.reg_write(s, MBN_REG_CTRL, 2);
	uint32_t st = 0;
	int n;
	for (n = 0; n < 1000; n++) {
		st = L.reg_read(s, MBN_REG_STATUS);
		if (!(st & 1))
			break;
		L.step(s, 100);
	}
	if (!(st0 & 1))
		snprintf(why, sizeof(why), "job not busy 3000 cycles after START (STATUS 0x%x)", st0);
	else if (st & 1)
		snprintf(why, sizeof(why), "still BUSY 100000 cycles after RESET");
	else if (st & 2)
		snprintf(why, sizeof(why), "STATUS.DONE after RESET (0x%x)", st);
	if (why[0])
		fail("rtl-reset-midjob", "%s", why);
	else
		pass("rtl-reset-midjob");
	/* next job from the memory as the aborted job left it */
	L.step(s, 200);
	L.reg_write(s, MBN_REG_IRQ_STATUS, 3);
	struct chain c2 = c;
	c2.n = 4;
	memcpy(ref, m, MEM_BYTES);
	mbn_cmodel_run_params(&P, ref, MEM_BYTES, c2.reg, 4, 0, 0, 4, NULL);
	struct result r;
	run_job(s, &c2, 4, 4, 5000000, &r);
	why[0] = 0;
	if (r.timeout || r.status != 2 || r.done != 4)
		snprintf(why, sizeof(why), "timeout %d STATUS 0x%x DESC_DONE %u", r.timeout, r.status, r.done);
	else
		compare_mem(s, why, sizeof(why));
	if (!why[0] && L.protocol_errors(s))
		snprintf(why, sizeof(why), "%" PRIu64 " AXI protocol errors", L.protocol_errors(s));
	if (why[0])
		fail("rtl-reset-next-job", "%s", why);
	else
		pass("rtl-reset-next-job");
	L.destroy(s);
}

/* Give d (geometry set) random data, zero points and fresh offsets in c. */
static void limit_desc_data(struct chain *c, uint8_t *m, struct tdesc *d)
{
	d->round = rnd(3);
	d->w_zp = rnd(256), d->in_zp = rnd(256), d->out_zp = rnd(256);
	d->act_min = 0, d->act_max = 255;
	d->in_region = 1, d->w_region = 2, d->q_region = 2, d->out_region = 3;
	if (!d->reuse_input) {
		d->in_offset = chain_alloc(c, 1, desc_in_bytes(d));
		rnd_fill(m + c->reg[1].base + d->in_offset, desc_in_bytes(d));
	}
	chain_weights(c, m, d, 0);
	if (d->fuse) {
		desc_make_fused(d);
	} else {
		d->out_stride = d->out_c;
		d->out_offset = chain_alloc(c, 3, desc_out_extent(d));
	}
}

/*
 * IBUF row banks at their limits (docs/hw.md): tiles exactly at (R + 2) * W = 3 x space
 * run bit-exact with the C model (the top bank rows, the whole bank, row_off past the
 * middle of the tile, a fused output of the most pixels), and one row or pixel more is
 * FAULT_DESC. `over` adds that row.
 */
static void limit_case(const char *name, int kind, int over)
{
	char cfgd[96], why[256] = "";
	mbn_sim *s = new_sim(1, cfgd, sizeof(cfgd));
	if (!s) {
		fail(name, "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	const uint64_t bank = P.ibuf_words * 16ull, half = bank / 2;
	struct tdesc *d = &c.d[0];
	memset(d, 0, 2 * sizeof(*d));
	if (kind == 0 || kind == 1) { /* DW over a whole bank, stride 1 or 2: the last rows */
		d->op = MBN_OP_DW, d->in_c = d->out_c = 256, d->in_w = 16, d->out_w = kind ? 8 : 16;
		d->in_rows = (uint32_t)(3 * bank / (16 * 256) - 2) + over;
		d->out_rows = (uint32_t)(P.obuf_words * 16 / (d->out_w * 256ull));
		if (d->out_rows > 16)
			d->out_rows = 16;
		d->stride = kind ? 2 : 1, d->pad_left = 1;
		int span = (int)(d->out_rows - 1) * (int)d->stride + 3;
		d->row_off = (int)d->in_rows - over - span; /* the last row read: in_rows - 1 - over */
		if (d->row_off > 127)
			d->row_off = 127;
	} else if (kind == 2) { /* PW of the most pixels of 512 channels */
		d->op = MBN_OP_PW, d->in_c = 512, d->out_c = P.lanes;
		d->in_rows = d->out_rows = 1;
		d->in_w = d->out_w = (uint32_t)(3 * bank / 512 - 2) + over;
	} else if (kind == 3) { /* fused DW: input at the half's limit, then a PW reusing it */
		d->op = MBN_OP_DW, d->fuse = 1, d->in_c = d->out_c = 256, d->in_w = d->out_w = 16;
		d->in_rows = (uint32_t)(3 * half / (16 * 256) - 2) + over;
		d->out_rows = 16, d->stride = 1, d->pad_left = 1;
		d->row_off = (int)d->in_rows - over - 18; /* up to the last row */
	} else { /* fused DW: output of the most pixels (rows past the input are padding) */
		d->op = MBN_OP_DW, d->fuse = 1, d->in_c = d->out_c = 256, d->in_w = d->out_w = 2;
		d->in_rows = 40;
		d->out_rows = (uint32_t)((3 * half / 256 - 2) / 2) + over;
		d->stride = 1, d->pad_left = 1, d->row_off = -1;
	}
	limit_desc_data(&c, m, d);
	c.n = 1;
	if (d->fuse) {
		struct tdesc *q = &c.d[1];
		q->op = MBN_OP_PW, q->reuse_input = 1, q->in_c = d->out_c, q->out_c = P.lanes;
		q->in_rows = q->out_rows = 1;
		q->in_w = q->out_w = d->out_rows * d->out_w;
		q->in_offset = 0x10; /* not read */
		limit_desc_data(&c, m, q);
		c.n = 2;
	}
	struct mbn_cmodel_fault f;
	struct result r;
	int rc = run_both(s, &c, (uint32_t)c.n, 20000000, &f, &r);
	if (rc != (over ? (int)MBN_FAULT_DESC : 0))
		snprintf(why, sizeof(why), "model gives %d: test bug", rc);
	else if (r.timeout)
		snprintf(why, sizeof(why), "no irq (STATUS 0x%x)", r.status);
	else if (over && (r.status != 4 || r.code != MBN_FAULT_DESC || r.fdesc != 0))
		snprintf(why, sizeof(why), "STATUS 0x%x FAULT_CODE %u FAULT_DESC %u, want FAULT_DESC on 0", r.status,
			 r.code, r.fdesc);
	else if (!over && (r.status != 2 || r.done != (uint32_t)c.n))
		snprintf(why, sizeof(why), "STATUS 0x%x FAULT_CODE %u DESC_DONE %u", r.status, r.code, r.done);
	else if (compare_mem(s, why, sizeof(why)))
		;
	else if (r.rd != f.rd_bytes || r.wr != f.wr_bytes)
		snprintf(why, sizeof(why), "DMA_RD/WR_BYTES %" PRIu64 "/%" PRIu64 " want %" PRIu64 "/%" PRIu64, r.rd,
			 r.wr, f.rd_bytes, f.wr_bytes);
	if (why[0]) {
		fail(name, "%s [%s]", why, cfgd);
		describe(&c);
	} else {
		pass(name);
	}
	L.destroy(s);
}

static void test_ibank_limits(void)
{
	static const char *const kinds[] = { "dw-bank", "dw-bank-s2", "pw-bank", "fused-in-half", "fused-out-half" };
	char name[64];
	for (int k = 0; k < 5; k++)
		for (int over = 0; over < 2; over++) {
			if (k >= 3 && !P.fuse)
				continue;
			snprintf(name, sizeof(name), "rtl-ibuf-%s-%s", kinds[k], over ? "over" : "fit");
			limit_case(name, k, over);
		}
}

/* One big PW descriptor at default DRAM settings: cycles, MAC utilization, speed. */
static void test_speed(void)
{
	char cfgd[96], why[256] = "";
	mbn_sim *s = new_sim(0, cfgd, sizeof(cfgd));
	if (!s) {
		fail("rtl-speed", "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	/* 14x14x512 -> 512 split in out_c tiles of 128: a MobileNet layer-13-like PW */
	struct tdesc *d;
	for (int i = 0; i < 4; i++) {
		d = &c.d[c.n];
		memset(d, 0, sizeof(*d));
		d->op = MBN_OP_PW;
		d->round = 1;
		d->in_rows = 2, d->in_w = 14, d->in_c = 512, d->out_c = 128;
		d->out_rows = 2, d->out_w = 14;
		d->w_zp = 128, d->in_zp = 3, d->out_zp = 5, d->act_max = 255;
		d->in_region = 1, d->w_region = 2, d->q_region = 2, d->out_region = 3;
		d->in_offset = 0;
		rnd_fill(m + c.reg[1].base, desc_in_bytes(d));
		d->reuse_input = i > 0;
		d->w_offset = chain_alloc(&c, 2, desc_w_bytes(d));
		rnd_fill(m + c.reg[2].base + d->w_offset, desc_w_bytes(d));
		d->q_offset = chain_alloc(&c, 2, 16 * 128);
		rnd_qparams(m + c.reg[2].base + d->q_offset, 128, 0);
		d->out_offset = 128 * i;
		d->out_stride = 512;
		c.n++;
	}
	struct mbn_cmodel_fault f;
	struct result r;
	run_both(s, &c, (uint32_t)c.n, 20000000, &f, &r);
	double dt = r.wait_s;
	if (r.timeout || r.status != 2)
		snprintf(why, sizeof(why), "timeout %d STATUS 0x%x", r.timeout, r.status);
	else
		compare_mem(s, why, sizeof(why));
	double util = r.cycles ? (double)f.macs / ((double)r.cycles * P.lanes * 16) : 0;
	printf("rtl-speed: %" PRIu64 " MACs in %" PRIu64 " cycles (utilization %.1f%%, PW_BUSY %" PRIu64
	       "), %.2f Mcycles/s wall\n",
	       f.macs, r.cycles, 100 * util, r.pw_busy, r.sim_cycles / dt / 1e6);
	if (why[0])
		fail("rtl-speed", "%s", why);
	else
		pass("rtl-speed");
	L.destroy(s);
}

int main(int argc, char **argv)
{
	char err[256];
	if (argc < 2 || mbn_sim_lib_open(&L, argv[1], err, sizeof(err))) {
		fail("rtl-load", "%s", argc < 2 ? "usage: sim-rtl LIB.so [ITER] [SEED]" : err);
		return 1;
	}
	int iters = argc > 2 ? atoi(argv[2]) : 40;
	rng_seed(argc > 3 ? strtoull(argv[3], NULL, 0) : 0);
	cmodel_params_from(L.params(), &P);
	printf("rtl: %s\n", L.params());
	test_desc_fetch();
	test_random(iters);
	test_mutated(iters * 4);
	test_faults();
	test_ibank_limits();
	test_axi_error(0);
	test_axi_error(1);
	test_reset();
	test_speed();
	printf("%d passed, %d failed\n", st_passed, st_failed);
	return st_failed ? 1 : 0;
}
