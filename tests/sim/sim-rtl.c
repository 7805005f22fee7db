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
 *
 * One program of three files (tests/sim/sim-rtl.h says what they share): this one has
 * main, the job runner and the random chains; rtl-faults.c the fault cases and the
 * mutated descriptors; rtl-control.c descriptor fetch, CAPS, AXI errors, CTRL.RESET and
 * the IBUF bank limits.
 */
#include "sim-rtl.h"

struct mbn_sim_lib L;
struct mbn_cmodel_params P;
uint8_t ref[MEM_BYTES];

void run_job(mbn_sim *s, const struct chain *c, int nreg, uint32_t count, uint64_t max_cycles,
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
int run_both(mbn_sim *s, struct chain *c, uint32_t n, uint64_t max_cycles, struct mbn_cmodel_fault *f,
	     struct result *r)
{
	uint8_t *m = L.mem(s, NULL);
	chain_write_descs(c, m);
	memcpy(ref, m, MEM_BYTES);
	int rc = mbn_cmodel_run_params(&P, ref, MEM_BYTES, c->reg, 4, 0, 0, n, f);
	run_job(s, c, 4, n, max_cycles, r);
	return rc;
}

mbn_sim *new_sim(int randomize, char *desc, size_t dlen)
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

int compare_mem(mbn_sim *s, char *why, size_t wlen)
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

void describe(const struct chain *c)
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
	int n_fused = 0, n_onchip = 0;
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
			if (rnd(5) == 0) /* docs/hw.md "Chaining": PW slices into IBUF, a DW reads them */
				chain_add_onchip(&c, m, &P, it % 7 == 3 ? 256 : 48);
			else
				chain_add(&c, m, &P, it % 7 == 3 ? 256 : 48, 1);
		n = c.n;
		struct mbn_cmodel_fault f;
		struct result r;
		int rc = run_both(s, &c, (uint32_t)n, 20000000, &f, &r);
		cyc_total += r.sim_cycles;
		for (int i = 0; i < n; i++) {
			n_fused += c.d[i].fuse && c.d[i].op == MBN_OP_DW;
			n_onchip += c.d[i].chained;
		}
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
	printf("rtl-random: %d chains (%d fused DW, %d chained DW descriptors), %" PRIu64 " job cycles, %.2f s, %.2f Mcycles/s\n",
	       iters, n_fused, n_onchip, cyc_total, dt, cyc_total / dt / 1e6);
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
		d->w_offset = chain_alloc(&c, 2, desc_w_bytes(d, P.lanes));
		rnd_fill(m + c.reg[2].base + d->w_offset, desc_w_bytes(d, P.lanes));
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
