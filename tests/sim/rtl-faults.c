/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtl-faults.c (part of sim-rtl, see sim-rtl.h): descriptors that must fault, on the RTL
 * against the C model: the fixed cases (bounds of each extent, bad region index, bad op,
 * reserved bits, alignment, capacity, fusion rules), each with the right FAULT_CODE,
 * FAULT_DESC and nothing written; and the differential test of the contract's checker,
 * randomly mutated descriptors that fault, or not, identically in both.
 */
#define SIMTEST_PART /* simtest.h's counters and RNG are sim-rtl.c's */
#include "sim-rtl.h"

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
	d->w_offset = (uint32_t)(c->reg[2].size - desc_w_bytes(d, P.lanes) + 16);
}
static void m_q_bounds(struct chain *c, struct tdesc *d)
{
	d->reuse_weights = 0;
	d->q_offset = 0xfffffff0u; /* offset + extent overflows 32 bits */
}
static void m_region(struct chain *c, struct tdesc *d) { d->out_region = 8; }
static void m_region_in(struct chain *c, struct tdesc *d) { d->reuse_input = 0; d->in_region = 15; }
static void m_op(struct chain *c, struct tdesc *d) { d->op = 3; }
static void m_reserved(struct chain *c, struct tdesc *d) { d->d0_extra = 1u << 31; } /* no field's bit */
_Static_assert(!(MBN_DESC_USED0 & 1u << 31), "d0 bit 31 is reserved");
static void m_round3(struct chain *c, struct tdesc *d) { d->d0_extra = 3u << MBN_D_ROUND_SHIFT; }
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
 * a PW whose slot does not fit its pixel (on a build without CHAIN: fuse on a PW), a
 * fused DW with an output offset; chaining ("Chaining", CAPS3 CHAIN): a chained PW with
 * an output region, or whose map does not fit an IBUF half, a chained DW without
 * reuse_input */
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
	d->out_offset = 16; /* out_offset + out_c > out_stride */
}
static void m_chain_region(struct chain *c, struct tdesc *d)
{
	m_fuse_pw(c, d);
	d->out_offset = 0;
	d->out_region = 3;
}
static void m_chain_map(struct chain *c, struct tdesc *d)
{
	m_fuse_pw(c, d);
	d->out_offset = 0;
	d->in_rows = d->out_rows = 1;
	d->in_w = d->out_w = 4;
	d->out_stride = 0xfff0; /* 3 x 4 pixels of 65520 bytes: over 3 x 64 KiB */
}
static void m_chain_noreuse(struct chain *c, struct tdesc *d)
{
	d->op = MBN_OP_DW;
	d->out_c = d->in_c;
	d->reuse_input = 0;
	d->chained = 1;
	d->stride = 1;
	d->out_rows = d->in_rows;
	d->out_w = d->in_w;
	d->out_stride = d->out_c;
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
	struct mbn_onchip oc = { 0 };
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

void test_mutated(int iters)
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

void test_faults(void)
{
	fault_case("rtl-fault-fuse-capacity", m_fuse_big, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-fuse-pw", m_fuse_pw, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-fuse-offset", m_fuse_off, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-chain-region", m_chain_region, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-chain-map", m_chain_map, MBN_FAULT_DESC, 0);
	fault_case("rtl-fault-chain-noreuse", m_chain_noreuse, MBN_FAULT_DESC, 0);
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
