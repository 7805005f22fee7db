/*
 * sim-cmodel.c: tests of the C model (hw/model/cmodel.c) on its own: the requantizer
 * against an independent transcription of gemmlowp/TFLite and ruy, hand-computed PW/DW
 * results, every fault code with "a faulting descriptor writes nothing", reuse flags and
 * the DMA byte sums.
 */
#include "simtest.h"

/* gemmlowp fixedpoint.h SaturatingRoundingDoublingHighMul / RoundingDivideByPOT */
static int32_t srdhm(int32_t a, int32_t b)
{
	if (a == b && a == INT32_MIN)
		return INT32_MAX;
	int64_t ab = (int64_t)a * b;
	int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	int64_t v = ab + nudge;
	/* gemmlowp divides (truncation toward zero) by 2^31 */
	return (int32_t)(v / ((int64_t)1 << 31));
}
static int32_t rdbpot(int32_t x, int e)
{
	int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
	int32_t rem = x & mask;
	int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> e) + (rem > thr ? 1 : 0);
}
static uint8_t ref_requant(int32_t acc, int32_t m, int32_t shift, int round, int zp, int lo, int hi)
{
	int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : (-shift > 31 ? 31 : -shift);
	int32_t x = left >= 32 ? 0 : (int32_t)((uint32_t)acc << left);
	int32_t h = srdhm(x, m);
	int64_t q;
	if (round == 0)
		q = rdbpot(h, right);
	else /* ruy: (h + 2^(right-1)) >> right, floor */
		q = right ? (((int64_t)h + ((int64_t)1 << (right - 1))) >> right) : h;
	q += zp;
	if (q < lo)
		q = lo;
	if (q > hi)
		q = hi;
	return (uint8_t)q;
}

static void test_requant(void)
{
	static const int32_t accs[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 65535, -65536, INT32_MAX,
				       INT32_MIN, INT32_MIN + 1, 0x40000000, -0x40000000};
	static const int32_t mults[] = {INT32_MIN, INT32_MAX, 0x40000000, 0x40000001, 1, -1, 0,
					0x7f000000, -0x40000000};
	int bad = 0;
	for (int round = 0; round < 2; round++)
		for (unsigned i = 0; i < sizeof(accs) / 4; i++)
			for (unsigned j = 0; j < sizeof(mults) / 4; j++)
				for (int sh = -40; sh <= 33; sh++) {
					uint8_t a = mbn_cmodel_requant(accs[i], mults[j], sh, round, 0, 0, 255);
					uint8_t b = ref_requant(accs[i], mults[j], sh, round, 0, 0, 255);
					uint8_t c = mbn_cmodel_requant(accs[i], mults[j], sh, round, 128, 3, 250);
					uint8_t d = ref_requant(accs[i], mults[j], sh, round, 128, 3, 250);
					if (a != b || c != d)
						bad++;
				}
	for (int n = 0; n < 2000000; n++) {
		int32_t acc = (int32_t)rnd64() >> rnd(31);
		int32_t m = rnd(2) ? (int32_t)rnd64() : (int32_t)(0x40000000u + rnd(0x40000000u));
		int32_t sh = rndr(-40, 8);
		int round = rnd(2), zp = rnd(256), lo = rnd(256), hi = rnd(256);
		if (mbn_cmodel_requant(acc, m, sh, round, zp, lo, hi) != ref_requant(acc, m, sh, round, zp, lo, hi))
			bad++;
	}
	/* the two roundings differ exactly on negative ties: -2.5 -> -3 (away) vs -2 (up) */
	int32_t m = 0x40000000; /* 0.5: h = x/2 rounded */
	uint8_t r0 = mbn_cmodel_requant(-10, m, -1, 0, 100, 0, 255); /* -10*0.5/2 = -2.5 */
	uint8_t r1 = mbn_cmodel_requant(-10, m, -1, 1, 100, 0, 255);
	if (r0 != 97 || r1 != 98)
		bad++;
	if (bad)
		fail("cmodel-requant", "%d mismatches (tie test %u/%u, want 97/98)", bad, r0, r1);
	else
		pass("cmodel-requant");
}

#define MEM (4u << 20)
static uint8_t mem[MEM], mem2[MEM];
static const struct mbn_cmodel_region regs1[2] = {{0x1000, 0x1000}, {0x10000, 0x40000}};

/* A 1x2 PW with in_c 16, out_c 16, identity-ish weights; and a 3x3 DW; by hand. */
static void test_known(void)
{
	struct tdesc d;
	memset(mem, 0, MEM);
	memset(&d, 0, sizeof(d));
	d.op = MBN_OP_PW;
	d.round = 1;
	d.in_rows = 1, d.in_w = 2, d.in_c = 16, d.out_c = 16, d.out_rows = 1, d.out_w = 2;
	d.w_zp = 128, d.in_zp = 10, d.out_zp = 5, d.act_min = 0, d.act_max = 255;
	d.in_region = d.w_region = d.q_region = d.out_region = 1;
	d.in_offset = 0, d.w_offset = 0x100, d.q_offset = 0x400, d.out_offset = 0x800;
	d.out_stride = 32;
	desc_pack(&d, mem + 0x1000);
	uint8_t *b = mem + 0x10000;
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(10 + i); /* in - in_zp = i */
	/* w[oc][ic] = 128 + (ic == oc) * (oc + 1): word l of column 0 = lane l */
	for (int oc = 0; oc < 16; oc++)
		for (int ic = 0; ic < 16; ic++)
			b[0x100 + oc * 16 + ic] = (uint8_t)(128 + (ic == oc ? oc + 1 : 0));
	for (int oc = 0; oc < 16; oc++) {
		wr32(b + 0x400 + 16 * oc, (uint32_t)(oc - 8)); /* bias */
		wr32(b + 0x404 + 16 * oc, 0x40000000);        /* 0.5 */
		wr32(b + 0x408 + 16 * oc, 1);                 /* << 1: total x1 */
	}
	struct mbn_cmodel_fault f;
	int rc = mbn_cmodel_run(mem, MEM, regs1, 2, 0, 0, 1, &f);
	int bad = rc != 0 || f.desc_done != 1;
	for (int px = 0; px < 2; px++)
		for (int oc = 0; oc < 16; oc++) {
			int acc = (px * 16 + oc) * (oc + 1) + oc - 8;
			int want = acc + 5 > 255 ? 255 : acc + 5 < 0 ? 0 : acc + 5;
			if (b[0x800 + px * 32 + oc] != want)
				bad++;
		}
	for (int i = 16; i < 32; i++)
		if (b[0x800 + i]) /* the gap of out_stride stays untouched */
			bad++;
	if (f.rd_bytes != 64 + 32 + 256 + 256 || f.wr_bytes != 32 || f.macs != 2 * 256)
		bad++;
	if (bad)
		fail("cmodel-known-pw", "rc %d, %d mismatches, rd %" PRIu64 " wr %" PRIu64, rc, bad,
		     f.rd_bytes, f.wr_bytes);
	else
		pass("cmodel-known-pw");

	/* DW 3x3, in 3x3x16 all (in_zp+1), weights all w_zp+1 except tap 4 = w_zp+2:
	 * stride 1, pad_left 1, row_off -1: out 3x3, out[oy][ox] = valid taps + 1 (center) */
	memset(mem, 0, MEM);
	memset(&d, 0, sizeof(d));
	d.op = MBN_OP_DW;
	d.round = 0;
	d.in_rows = 3, d.in_w = 3, d.in_c = 16, d.out_c = 16, d.out_rows = 3, d.out_w = 3;
	d.stride = 1, d.pad_left = 1, d.row_off = -1;
	d.w_zp = 7, d.in_zp = 3, d.out_zp = 0, d.act_min = 0, d.act_max = 255;
	d.in_region = d.w_region = d.q_region = d.out_region = 1;
	d.in_offset = 0, d.w_offset = 0x200, d.q_offset = 0x400, d.out_offset = 0x800;
	d.out_stride = 16;
	desc_pack(&d, mem + 0x1000);
	memset(b, 4, 144);
	for (int t = 0; t < 9; t++)
		memset(b + 0x200 + 16 * t, t == 4 ? 9 : 8, 16);
	for (int c = 0; c < 16; c++) {
		wr32(b + 0x400 + 16 * c, (uint32_t)c);
		wr32(b + 0x404 + 16 * c, 0x7fffffff);
		wr32(b + 0x408 + 16 * c, 0);
	}
	rc = mbn_cmodel_run(mem, MEM, regs1, 2, 0, 0, 1, &f);
	bad = rc != 0;
	for (int oy = 0; oy < 3; oy++)
		for (int ox = 0; ox < 3; ox++) {
			int nv = (oy == 1 ? 3 : 2) * (ox == 1 ? 3 : 2);
			for (int c = 0; c < 16; c++)
				if (b[0x800 + (oy * 3 + ox) * 16 + c] != nv + 1 + c)
					bad++;
		}
	if (f.macs != 9 * 9 * 16 || f.macs_valid != (4 * 4 + 4 * 6 + 9) * 16)
		bad++;
	if (bad)
		fail("cmodel-known-dw", "rc %d, %d mismatches", rc, bad);
	else
		pass("cmodel-known-dw");
}

/* A fault in descriptor 1 of 3: descriptor 0 written, nothing else changed. */
static void fault_case(const char *name, void (*mutate)(struct tdesc *), uint32_t want_code,
		       uint32_t count, int nreg)
{
	struct mbn_cmodel_params p;
	struct chain c;
	mbn_cmodel_default_params(&p);
	memset(mem, 0, MEM);
	chain_layout(&c, MEM);
	for (int i = 0; i < 3; i++)
		chain_add(&c, mem, &p, 32, 0);
	mutate(&c.d[1]);
	chain_write_descs(&c, mem);
	/* expected: run descriptor 0 alone on a copy */
	memcpy(mem2, mem, MEM);
	struct mbn_cmodel_fault f0, f;
	mbn_cmodel_run(mem2, MEM, c.reg, 4, 0, 0, 1, &f0);
	int rc = mbn_cmodel_run(mem, MEM, c.reg, nreg, 0, 0, count, &f);
	int64_t diff = memdiff(mem, mem2, MEM);
	if (rc != (int)want_code || f.code != want_code || f.desc != 1 || f.desc_done != 1 || diff >= 0)
		fail(name, "rc %d code %u desc %u done %u, first diff at %" PRId64, rc, f.code, f.desc,
		     f.desc_done, diff);
	else
		pass(name);
}

static void m_out_bounds(struct tdesc *d) { d->out_offset = 0x100000000ull - 0x1000; }
static void m_in_bounds(struct tdesc *d) { d->in_region = 1; d->in_offset = (uint32_t)(MEM / 4 - 4096 - desc_in_bytes(d) + 16); d->reuse_input = 0; }
static void m_region(struct tdesc *d) { d->w_region = 9; d->reuse_weights = 0; }
static void m_region_unset(struct tdesc *d) { d->q_region = 5; d->reuse_weights = 0; }
static void m_op(struct tdesc *d) { d->op = 3; }
static void m_op0(struct tdesc *d) { d->op = 0; }
static void m_reserved(struct tdesc *d) { d->d0_extra = 1u << 12; } /* no field's bit */
_Static_assert(!(MBN_DESC_USED0 & 1u << 12), "d0 bit 12 is reserved");
static void m_round3(struct tdesc *d) { d->d0_extra = 3u << MBN_D_ROUND_SHIFT; }
static void m_d12(struct tdesc *d) { d->d12 = 1; }
static void m_align(struct tdesc *d) { d->out_offset += 8; }
static void m_stride(struct tdesc *d) { d->out_stride = d->out_c - 16 ? d->out_c - 16 : 8; }
/* IBUF row banks (docs/hw.md): (192 + 2) pixels x 2048 > 3 x 128 KiB */
static void m_cap(struct tdesc *d) { d->op = MBN_OP_PW; d->in_c = 2048; d->out_c = 16; d->in_rows = d->out_rows = 24; d->in_w = d->out_w = 8; d->out_stride = 16; }

static void m_fuse_big(struct tdesc *d)
{
	d->op = MBN_OP_DW; d->reuse_input = d->reuse_weights = 0; d->in_c = d->out_c = 256;
	d->in_rows = 4; d->in_w = 16; d->out_w = 16; d->out_rows = 48; /* (768 + 2) x 256 > 3 x 64 KiB */
	d->stride = 1; d->pad_left = 1; d->row_off = -1;
	desc_make_fused(d);
}
static void m_fuse_in_big(struct tdesc *d)
{
	d->op = MBN_OP_DW; d->reuse_input = d->reuse_weights = 0; d->in_c = d->out_c = 256;
	d->in_rows = 47; d->in_w = 16; d->out_w = 16; d->out_rows = 1; /* (47 + 2) x 4096 > 3 x 64 KiB */
	d->stride = 1; d->pad_left = 1; d->row_off = 0;
	desc_make_fused(d);
}
static void m_fuse_pw(struct tdesc *d)
{
	d->op = MBN_OP_PW; d->out_rows = d->in_rows; d->out_w = d->in_w; d->out_c = 16;
	d->reuse_weights = 0;
	desc_make_fused(d);
	d->out_offset = 16; /* a chained PW's slot beyond its pixel: out_offset + out_c > out_stride */
}
static void m_chain_align(struct tdesc *d)
{
	m_fuse_pw(d);
	d->out_stride = 48;
	d->out_offset = 8;
}
static void m_chain_noreuse(struct tdesc *d)
{
	d->op = MBN_OP_DW; d->out_c = d->in_c; d->reuse_input = 0; d->chained = 1;
	d->stride = 1; d->out_rows = d->in_rows; d->out_w = d->in_w;
}
static void m_fuse_stride(struct tdesc *d)
{
	d->op = MBN_OP_DW; d->out_c = d->in_c; d->reuse_input = d->reuse_weights = 0;
	d->stride = 1; d->out_rows = d->in_rows; d->out_w = d->in_w;
	desc_make_fused(d);
	d->out_stride = d->out_c + 16;
}

/* A fused DW + reuse_input PWs give the unfused chain's PW outputs and write nothing else;
 * with CAPS3 FUSE off the fused DW is FAULT_DESC. */
static void test_fuse(void)
{
	struct mbn_cmodel_params p;
	mbn_cmodel_default_params(&p);
	int bad = 0, fused_seen = 0;
	for (int it = 0; it < 200 && !bad; it++) {
		struct chain c, cf;
		memset(mem, 0, MEM);
		chain_layout(&c, MEM);
		chain_add(&c, mem, &p, 64, 0);
		struct tdesc *dw = &c.d[0];
		if (dw->op != MBN_OP_DW || !tile_fused_out_fits(&p, dw, p.ibuf_words * 8ull) ||
		    !tile_in_fits(&p, dw, p.ibuf_words * 8ull))
			continue;
		dw->out_stride = dw->out_c;
		int npw = rndr(1, 3);
		for (int k = 0; k < npw; k++) {
			struct tdesc *d = &c.d[c.n];
			memset(d, 0, sizeof(*d));
			d->op = MBN_OP_PW;
			d->round = rnd(2);
			d->in_c = dw->out_c;
			d->in_rows = d->out_rows = dw->out_rows;
			d->in_w = d->out_w = dw->out_w;
			d->out_c = 16u * (uint32_t)rndr(1, 3);
			d->out_stride = d->out_c;
			d->w_zp = rnd(256); d->in_zp = rnd(256); d->out_zp = rnd(256);
			d->act_min = 0; d->act_max = 255;
			d->in_region = 3; d->in_offset = dw->out_offset;
			d->w_region = d->q_region = 2; d->out_region = 3;
			chain_weights(&c, mem, d, p.lanes, 0);
			d->out_offset = chain_alloc(&c, 3, desc_out_extent(d));
			c.n++;
		}
		cf = c;
		desc_make_fused(&cf.d[0]);
		for (int k = 1; k < cf.n; k++) {
			cf.d[k].reuse_input = 1;
			cf.d[k].in_offset = 0x7ffff0; /* not read */
		}
		chain_write_descs(&c, mem);
		memcpy(mem2, mem, MEM);
		chain_write_descs(&cf, mem2);
		struct mbn_cmodel_fault f, ff;
		int rc = mbn_cmodel_run(mem, MEM, c.reg, 4, 0, 0, (uint32_t)c.n, &f);
		int rcf = mbn_cmodel_run(mem2, MEM, cf.reg, 4, 0, 0, (uint32_t)cf.n, &ff);
		/* the images differ in the descriptors and the DW's output only */
		uint64_t dwo = c.reg[3].base + dw->out_offset, dwn = desc_out_extent(dw);
		memcpy(mem2 + c.reg[0].base, mem + c.reg[0].base, 64ull * c.n);
		memcpy(mem2 + dwo, mem + dwo, dwn);
		fused_seen++;
		if (rc || rcf || ff.desc_done != (uint32_t)cf.n || memdiff(mem, mem2, MEM) >= 0 ||
		    ff.wr_bytes + dwn != f.wr_bytes || ff.rd_bytes + (uint64_t)npw * desc_in_bytes(&c.d[1]) != f.rd_bytes) {
			fail("cmodel-fuse", "iter %d: rc %d/%d done %u diff %" PRId64 " wr %" PRIu64 "/%" PRIu64, it, rc,
			     rcf, ff.desc_done, memdiff(mem, mem2, MEM), ff.wr_bytes, f.wr_bytes);
			bad++;
		}
		if (it < 20) { /* CAPS3 FUSE off: FAULT_DESC on the fused DW */
			struct mbn_cmodel_params p0 = p;
			p0.fuse = 0;
			chain_write_descs(&cf, mem2);
			rcf = mbn_cmodel_run_params(&p0, mem2, MEM, cf.reg, 4, 0, 0, (uint32_t)cf.n, &ff);
			if (rcf != MBN_FAULT_DESC || ff.desc != 0) {
				fail("cmodel-fuse-caps-off", "rc %d desc %u", rcf, ff.desc);
				bad++;
			}
		}
	}
	if (!bad && fused_seen >= 10)
		pass("cmodel-fuse");
	else if (!bad)
		fail("cmodel-fuse", "only %d fused chains", fused_seen);
}

/* docs/hw.md "Chaining": PW slices chained into IBUF and the chained DW that reads them
 * give the DW output of the same descriptors through DRAM (the PWs storing the map, the
 * DW loading it), and the chained run writes nothing else; without CAPS3 CHAIN the first
 * chained PW is FAULT_DESC. */
static void test_chain(void)
{
	struct mbn_cmodel_params p, gen;
	mbn_cmodel_default_params(&p);
	gen = p;
	gen.fuse = 0; /* the DW's output stored, to compare */
	int bad = 0, slices = 0;
	for (int it = 0; it < 200 && !bad; it++) {
		struct chain c, cu;
		memset(mem, 0, MEM);
		chain_layout(&c, MEM);
		chain_add_onchip(&c, mem, &gen, 64);
		int n = c.n;
		struct tdesc *dw = &c.d[n - 1];
		slices += n - 1;
		/* the same work through DRAM: the map at a fresh offset of region 3 */
		cu = c;
		uint64_t map = (uint64_t)dw->in_rows * dw->in_w * dw->in_c;
		uint32_t x = chain_alloc(&cu, 3, map);
		for (int i = 0; i < n - 1; i++) {
			cu.d[i].fuse = 0;
			cu.d[i].out_region = 3;
			cu.d[i].out_offset += x;
		}
		cu.d[n - 1].chained = cu.d[n - 1].reuse_input = 0;
		cu.d[n - 1].in_region = 3;
		cu.d[n - 1].in_offset = x;
		memcpy(mem2, mem, MEM);
		chain_write_descs(&c, mem);
		chain_write_descs(&cu, mem2);
		struct mbn_cmodel_fault f, fu;
		int rc = mbn_cmodel_run(mem, MEM, c.reg, 4, 0, 0, (uint32_t)n, &f);
		int rcu = mbn_cmodel_run(mem2, MEM, cu.reg, 4, 0, 0, (uint32_t)n, &fu);
		/* equal but for the descriptors and the map the unchained run stored */
		memcpy(mem2 + c.reg[0].base, mem + c.reg[0].base, 64ull * n);
		memset(mem2 + cu.reg[3].base + x, 0, map);
		memset(mem + c.reg[3].base + x, 0, map);
		if (rc || rcu || f.desc_done != (uint32_t)n || memdiff(mem, mem2, MEM) >= 0 ||
		    f.wr_bytes + map != fu.wr_bytes || f.rd_bytes + map != fu.rd_bytes ||
		    f.wr_bytes != (uint64_t)dw->out_rows * dw->out_w * dw->out_c) {
			fail("cmodel-chain", "iter %d: rc %d/%d done %u diff %" PRId64 " wr %" PRIu64 "/%" PRIu64
			     " rd %" PRIu64 "/%" PRIu64, it, rc, rcu, f.desc_done, memdiff(mem, mem2, MEM),
			     f.wr_bytes, fu.wr_bytes, f.rd_bytes, fu.rd_bytes);
			bad++;
		}
		if (it < 20) { /* CAPS3 CHAIN off: FAULT_DESC on the first chained PW */
			struct mbn_cmodel_params p0 = p;
			p0.chain = 0;
			rc = mbn_cmodel_run_params(&p0, mem, MEM, c.reg, 4, 0, 0, (uint32_t)n, &f);
			if (rc != MBN_FAULT_DESC || f.desc != 0) {
				fail("cmodel-chain-caps-off", "rc %d desc %u", rc, f.desc);
				bad++;
			}
		}
	}
	if (!bad) {
		char name[96];
		snprintf(name, sizeof(name), "cmodel-chain (200 chains, %d chained PW slices)", slices);
		pass(name);
	}
}

static void test_faults(void)
{
	fault_case("cmodel-fault-fuse-capacity", m_fuse_big, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-fuse-input", m_fuse_in_big, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-fuse-pw", m_fuse_pw, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-chain-align", m_chain_align, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-chain-noreuse", m_chain_noreuse, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-fuse-stride", m_fuse_stride, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-out-bounds", m_out_bounds, MBN_FAULT_BOUNDS, 3, 4);
	fault_case("cmodel-fault-in-bounds", m_in_bounds, MBN_FAULT_BOUNDS, 3, 4);
	fault_case("cmodel-fault-region-index", m_region, MBN_FAULT_REGION, 3, 4);
	fault_case("cmodel-fault-region-unset", m_region_unset, MBN_FAULT_BOUNDS, 3, 4);
	fault_case("cmodel-fault-op", m_op, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-op0", m_op0, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-reserved-d0", m_reserved, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-round-3", m_round3, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-reserved-d12", m_d12, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-align", m_align, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-out-stride", m_stride, MBN_FAULT_DESC, 3, 4);
	fault_case("cmodel-fault-capacity", m_cap, MBN_FAULT_DESC, 3, 4);

	/* descriptor fetch past the region: DESC_COUNT larger than the region holds */
	struct mbn_cmodel_region r[4];
	struct mbn_cmodel_fault f;
	struct chain c;
	struct mbn_cmodel_params p;
	mbn_cmodel_default_params(&p);
	memset(mem, 0, MEM);
	chain_layout(&c, MEM);
	chain_add(&c, mem, &p, 32, 0);
	chain_write_descs(&c, mem);
	memcpy(r, c.reg, sizeof(r));
	r[0].size = 64;
	memcpy(mem2, mem, MEM);
	int rc = mbn_cmodel_run(mem, MEM, r, 4, 0, 0, 2, &f);
	if (rc != MBN_FAULT_BOUNDS || f.desc != 1 || f.offset != 64 || f.desc_done != 1)
		fail("cmodel-fault-desc-fetch", "rc %d desc %u off %u", rc, f.desc, f.offset);
	else
		pass("cmodel-fault-desc-fetch");
	rc = mbn_cmodel_run(mem2, MEM, r, 4, 9, 0, 1, &f);
	if (rc != MBN_FAULT_REGION || f.desc != 0 || f.desc_done != 0)
		fail("cmodel-fault-desc-region", "rc %d", rc);
	else
		pass("cmodel-fault-desc-region");
	rc = mbn_cmodel_run(mem2, MEM, r, 4, 9, 0, 0, &f);
	if (rc != 0 || f.rd_bytes != 0)
		fail("cmodel-count0", "rc %d", rc);
	else
		pass("cmodel-count0");

}

/* Random chains with reuse: DMA sums and reuse semantics (an ignored flag would read the
 * fresh random data at in_offset / w_offset and change the outputs). */
static void test_random(void)
{
	struct mbn_cmodel_params p;
	struct chain c;
	mbn_cmodel_default_params(&p);
	int bad = 0, reuses = 0;
	for (int it = 0; it < 200; it++) {
		memset(mem, 0, MEM);
		chain_layout(&c, MEM);
		int n = rndr(1, 12);
		for (int i = 0; i < n; i++)
			if (rnd(5) == 0)
				chain_add_onchip(&c, mem, &p, 64);
			else
				chain_add(&c, mem, &p, 64, 1);
		n = c.n;
		chain_write_descs(&c, mem);
		uint64_t rd = 0, wr = 0;
		for (int i = 0; i < n; i++) {
			struct tdesc *d = &c.d[i];
			rd += 64 + (d->reuse_input ? 0 : desc_in_bytes(d)) +
			      (d->reuse_weights ? 0 : desc_w_bytes(d, p.lanes) + 16ull * d->out_c);
			wr += d->fuse ? 0 : (uint64_t)d->out_rows * d->out_w * d->out_c;
			reuses += d->reuse_input + d->reuse_weights;
		}
		struct mbn_cmodel_fault f;
		int rc = mbn_cmodel_run(mem, MEM, c.reg, 4, 0, 0, (uint32_t)n, &f);
		if (rc || f.rd_bytes != rd || f.wr_bytes != wr || f.desc_done != (uint32_t)n) {
			/* the first three failures, with the faulting descriptor and the one before */
			if (bad++ < 3) {
				printf("cmodel-random-chains: iteration %d: rc %d code %d offset 0x%x desc %u rd %" PRIu64
				       "/%" PRIu64 " wr %" PRIu64 "/%" PRIu64 " done %u of %d\n",
				       it, rc, f.code, f.offset, f.desc, f.rd_bytes, rd, f.wr_bytes, wr, f.desc_done, n);
				if (f.desc < (uint32_t)n) {
					struct tdesc *e = &c.d[f.desc], *q = f.desc ? &c.d[f.desc - 1] : e;
					printf("  desc op %u reuse_in %u fuse %u chained %u in %ux%ux%u out %ux%ux%u region in %u "
					       "out %u off in %u out %u stride %u | prev op %u fuse %u chained %u\n",
					       e->op, e->reuse_input, e->fuse, e->chained, e->in_rows, e->in_w, e->in_c, e->out_rows,
					       e->out_w, e->out_c, e->in_region, e->out_region, e->in_offset, e->out_offset,
					       e->out_stride, q->op, q->fuse, q->chained);
				}
			}
		}
	}
	if (bad || !reuses)
		fail("cmodel-random-chains", "%d bad of 200, %d reuses", bad, reuses);
	else
		pass("cmodel-random-chains");
}

int main(void)
{
	test_requant();
	test_known();
	test_faults();
	test_fuse();
	test_chain();
	test_random();
	printf("%d passed, %d failed\n", st_passed, st_failed);
	return st_failed ? 1 : 0;
}
