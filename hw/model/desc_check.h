/* SPDX-License-Identifier: Apache-2.0 */
/*
 * desc_check.h - the descriptor checks the hardware performs (docs/hw.md "Descriptor",
 * "IBUF row banks", "Fusion"), once. Header-only, fixed-width types only and no libc, so
 * that the C model (hw/model/cmodel.c), the compiler's own assertion
 * (lib/src/compiler/accel_emit.c) and the tests call the same code; the kernel's
 * validator can include it too (the generated mbn_regs.h picks linux/types.h there).
 * The RTL (hw/rtl/mbn_desc_check.v; mbn_ctrl.v for the descriptor fetch) is held to it
 * by tests/sim's sim-rtl program: random chains, and mutated descriptors (rtl-mutated,
 * tests/sim/rtl-faults.c) that must fault, or not, as this checker says, with the same
 * code, descriptor index and offset.
 *
 * It holds: the descriptor's own checks (op, reserved bits, rounding, geometry, capacity
 * with and without IBANK, fusion limits: mbn_desc_check), the extents against the job's
 * region table (region index, alignment, bounds: mbn_extent_check, mbn_desc_extent), and
 * two rules the kernel adds to the hardware's (reserved bits the RTL ignores:
 * mbn_desc_check_strict; the on-chip reuse rule: mbn_reuse_step). The hardware checks
 * a descriptor in this order: fetch extent, fields, then the extents input, weights,
 * qparams, output; the first failure is the fault.
 */
#ifndef MBN_DESC_CHECK_H
#define MBN_DESC_CHECK_H

#include "mbn_regs.h"

/* The RTL parameters the checks depend on (CAPS registers, mbnaccel_top parameters). */
struct mbn_hw_limits {
	uint32_t lanes;        /* LANES (CAPS0) */
	uint32_t ibuf_words;   /* IBUF_WORDS: 16-byte words of one bank */
	uint32_t wbuf_rows;    /* WBUF_ROWS per lane */
	uint32_t obuf_words;   /* OBUF_WORDS */
	uint32_t qbuf_entries; /* QBUF_ENTRIES */
	uint32_t fuse, ibank, rsingle, pw16; /* CAPS3 FUSE, IBANK, RSINGLE, PW16 */
	uint32_t chain;                      /* CAPS3 CHAIN */
};

/* The limits from the CAPS0..CAPS3 registers (docs/hw.md "Capabilities"). CAPS1/CAPS2
 * report half of each buffer (double buffering; with IBANK half of one of the three
 * IBUF banks); the hardware's checks use the whole. 0, or -1 when implausible (a zero
 * size, or a region count other than NUM_REGIONS). */
static inline int mbn_hw_limits_from_caps(const uint32_t c[4], struct mbn_hw_limits *p)
{
	p->lanes = MBN_CAPS0_LANES_GET(c[0]);
	p->ibuf_words = 2 * MBN_CAPS1_IBUF_KIB_GET(c[1]) * 1024 / 16;
	p->wbuf_rows = p->lanes ? 2 * MBN_CAPS1_WBUF_KIB_GET(c[1]) * 1024 / 16 / p->lanes : 0;
	p->obuf_words = 2 * MBN_CAPS2_OBUF_KIB_GET(c[2]) * 1024 / 16;
	p->qbuf_entries = MBN_CAPS2_QBUF_GET(c[2]);
	p->fuse = (c[3] & MBN_CAPS3_FUSE) != 0;
	p->ibank = (c[3] & MBN_CAPS3_IBANK) != 0;
	p->rsingle = (c[3] & MBN_CAPS3_RSINGLE) != 0;
	p->pw16 = (c[3] & MBN_CAPS3_PW16) != 0;
	p->chain = (c[3] & MBN_CAPS3_CHAIN) != 0;
	if (!p->lanes || !p->ibuf_words || !p->wbuf_rows || !p->obuf_words || !p->qbuf_entries ||
	    MBN_CAPS3_REGIONS_GET(c[3]) != MBN_NUM_REGIONS)
		return -1;
	return 0;
}

/* What a descriptor's four extents cover, and its IBUF tile (valid once mbn_desc_check
 * returned 0). out_extent 0: a fused DW or a chained PW stores nothing. */
struct mbn_desc_extents {
	uint64_t in_bytes, w_bytes, q_bytes, out_extent;
	uint64_t in_rows, in_row_bytes; /* IBUF rows: an image row for a DW, a pixel for a PW */
	uint64_t npix;                  /* output pixels of the tile */
};

/* Does a tile of `rows` rows of `row_bytes` fit `space` bytes of IBUF? With IBANK the
 * rows are spread over three banks (docs/hw.md: in_bytes + 2 * row_bytes <= 3 * S). */
static inline int mbn_ibuf_fits(const struct mbn_hw_limits *p, uint64_t rows, uint64_t row_bytes, uint64_t space)
{
	if (p->ibank)
		return (rows + 2) * row_bytes <= 3 * space;
	return rows * row_bytes <= space;
}

/* The same rule inverted: the most rows of row_bytes (> 0) that fit space, maybe 0
 * ((R + 2) * row_bytes <= 3 * S  <=>  R + 2 <= floor(3 * S / row_bytes)). */
static inline uint64_t mbn_ibuf_max_rows(const struct mbn_hw_limits *p, uint64_t row_bytes, uint64_t space)
{
	uint64_t r;

	if (!p->ibank)
		return space / row_bytes;
	r = 3 * space / row_bytes;
	return r > 2 ? r - 2 : 0;
}

/* Every failed check sets *why (when why is not NULL) to a short fixed string and
 * returns the fault code the hardware raises. */
#define MBN_CHECK_FAIL(code, msg)                                                                                      \
	do {                                                                                                           \
		if (why)                                                                                               \
			*why = (msg);                                                                                  \
		return (code);                                                                                         \
	} while (0)

/* Decodes the 16 words w into d and checks them as the hardware does: 0, or
 * MBN_FAULT_DESC and *why. x receives the extents (valid when 0 is returned). */
static inline uint32_t mbn_desc_check_why(const uint32_t w[16], const struct mbn_hw_limits *p, struct mbn_desc *d,
					  struct mbn_desc_extents *x, const char **why)
{
	uint64_t wrows;
	uint32_t d0_ok;
	int i;

	mbn_desc_unpack(w, d);
	if (d->op != MBN_OP_PW && d->op != MBN_OP_DW)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "op is neither PW (1) nor DW (2)");
	/* reserved bits of d0 and d12..d15 must be 0; fuse only on a DW of a FUSE build or
	 * a PW of a CHAIN build, chained only on a DW of a CHAIN build */
	d0_ok = MBN_DESC_USED0;
	if (!((p->fuse && d->op == MBN_OP_DW) || (p->chain && d->op == MBN_OP_PW)))
		d0_ok &= ~((uint32_t)MBN_D_FUSE_MASK << MBN_D_FUSE_SHIFT);
	if (!(p->chain && d->op == MBN_OP_DW))
		d0_ok &= ~((uint32_t)MBN_D_CHAINED_MASK << MBN_D_CHAINED_SHIFT);
	if (w[0] & ~d0_ok)
		MBN_CHECK_FAIL(MBN_FAULT_DESC,
			       "reserved bits of word 0 set (fuse: a DW with CAPS3 FUSE or a PW with CHAIN; chained: a DW with CHAIN)");
	if (d->round == 3 || (d->round == 2 && !p->rsingle))
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "requantizer rounding not supported (3, or 2 without CAPS3 RSINGLE)");
	for (i = 12; i < 16; i++)
		if (w[i])
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "reserved words 12-15 not zero");
	if (!d->in_rows || !d->in_w || !d->in_c || !d->out_c || !d->out_rows || !d->out_w)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "zero dimension");
	if (d->in_c % 16)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "in_c not a multiple of 16");
	if (d->out_stride < d->out_c || d->out_stride % 16)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "out_stride below out_c or not a multiple of 16");
	if (d->op == MBN_OP_PW) {
		/* PW16: out_c a multiple of 16; the last lane group may be partial, its weights
		 * padded to LANES rows (the weight extent is groups * LANES rows of in_c bytes) */
		uint64_t groups = ((uint64_t)d->out_c + p->lanes - 1) / p->lanes;
		if (d->out_c % (p->pw16 ? 16 : p->lanes))
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "PW out_c not a multiple of LANES (of 16 with CAPS3 PW16)");
		if (d->out_rows != d->in_rows || d->out_w != d->in_w)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "PW output shape differs from the input's");
		wrows = groups * (d->in_c / 16);
		x->w_bytes = groups * p->lanes * d->in_c;
	} else {
		if (d->out_c != d->in_c)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "DW out_c differs from in_c");
		if (d->stride != 1 && d->stride != 2)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "DW stride neither 1 nor 2");
		if (d->pad_left > 2)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "DW pad_left above 2");
		wrows = ((uint64_t)9 * d->in_c / 16 + p->lanes - 1) / p->lanes;
		x->w_bytes = (uint64_t)9 * d->in_c;
	}
	x->in_bytes = (uint64_t)d->in_rows * d->in_w * d->in_c;
	x->q_bytes = (uint64_t)d->out_c * MBN_QPARAM_BYTES;
	x->npix = (uint64_t)d->out_rows * d->out_w;
	x->out_extent = (x->npix - 1) * d->out_stride + d->out_c;
	x->in_rows = d->op == MBN_OP_DW ? d->in_rows : (uint64_t)d->in_rows * d->in_w;
	x->in_row_bytes = d->op == MBN_OP_DW ? (uint64_t)d->in_w * d->in_c : d->in_c;
	if (d->chained) {
		/* docs/hw.md "Chaining": reads the map the PW descriptors before it wrote to
		 * the other IBUF half; it loads nothing */
		if (!d->reuse_input)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "chained DW without reuse_input");
		if (!mbn_ibuf_fits(p, x->in_rows, x->in_row_bytes, (uint64_t)p->ibuf_words / 2 * 16))
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "chained DW: input tile does not fit half of IBUF");
	}
	if (d->fuse && d->op == MBN_OP_PW) {
		/* docs/hw.md "Chaining": byte out_offset + c of pixel (y, x) of a map of
		 * out_rows x out_w pixels of out_stride bytes, in the DW input layout of the
		 * IBUF half the PW does not read */
		uint64_t half = (uint64_t)p->ibuf_words / 2 * 16;
		if (d->out_region || d->out_offset % 16 || (uint64_t)d->out_offset + d->out_c > d->out_stride)
			MBN_CHECK_FAIL(MBN_FAULT_DESC,
				       "chained PW: output region not 0, or offset not a multiple of 16 within out_stride");
		if (!mbn_ibuf_fits(p, x->in_rows, x->in_row_bytes, half))
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "chained PW: input tile does not fit half of IBUF");
		if (!mbn_ibuf_fits(p, d->out_rows, (uint64_t)d->out_w * d->out_stride, half))
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "chained PW: output map does not fit half of IBUF");
		x->out_extent = 0;
	} else if (d->fuse) {
		/* docs/hw.md: the output goes to the other IBUF half, dense (the PW layout) */
		uint64_t half = (uint64_t)p->ibuf_words / 2 * 16;
		if (d->out_region || d->out_offset || d->out_stride != d->out_c)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "fused DW: output region, offset and stride must be 0, 0, out_c");
		if (!mbn_ibuf_fits(p, x->in_rows, x->in_row_bytes, half))
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "fused DW: input tile does not fit half of IBUF");
		if (!mbn_ibuf_fits(p, x->npix, d->out_c, half))
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "fused DW: output tile does not fit half of IBUF");
		x->out_extent = 0;
	}
	if (!mbn_ibuf_fits(p, x->in_rows, x->in_row_bytes, (uint64_t)p->ibuf_words * 16))
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "input tile does not fit IBUF");
	if (wrows > p->wbuf_rows)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "weights do not fit WBUF");
	if (d->out_c > p->qbuf_entries)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "out_c above QBUF entries");
	if (!d->fuse && x->npix * d->out_c > (uint64_t)p->obuf_words * 16)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "output tile does not fit OBUF");
	return 0;
}

static inline uint32_t mbn_desc_check(const uint32_t w[16], const struct mbn_hw_limits *p, struct mbn_desc *d,
				      struct mbn_desc_extents *x)
{
	return mbn_desc_check_why(w, p, d, x, (const char **)0);
}

/*
 * The bits the RTL ignores today (d4[7:4], d6[31:16], d11[31:16], and a PW's row_off and
 * pad_left): not a hardware check, the kernel's and the compiler's rule that they are
 * zero, so that a later hardware revision can give them a meaning without old kernels
 * passing it on unvalidated. Call after mbn_desc_check returned 0. 0 or MBN_FAULT_DESC.
 */
static inline uint32_t mbn_desc_check_strict(const uint32_t w[16], const struct mbn_desc *d, const char **why)
{
	const uint32_t used[16] = { MBN_DESC_USED_LIST };
	int i;

	for (i = 1; i < 12; i++)
		if (w[i] & ~used[i])
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "bits no field defines are set (words 1-11)");
	if (d->op == MBN_OP_PW && (d->row_off || d->pad_left))
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "PW: row_off and pad_left must be 0");
	return 0;
}

/*
 * One extent (region r, offset, length) against the job's region sizes, in the order the
 * RTL checks it (mbn_desc_check.v chk2, and mbn_ctrl.v's descriptor fetch): the region index
 * (MBN_FAULT_REGION), 16-byte alignment (MBN_FAULT_DESC), offset + len <= SIZE without
 * overflow (MBN_FAULT_BOUNDS). The hardware reports the extent's offset as FAULT_OFFSET.
 */
static inline uint32_t mbn_extent_check(uint32_t r, uint64_t off, uint64_t len,
					const uint64_t size[MBN_NUM_REGIONS], const char **why)
{
	if (r >= MBN_NUM_REGIONS)
		MBN_CHECK_FAIL(MBN_FAULT_REGION, "region index above the region table");
	if (off % 16)
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "offset not 16-byte aligned");
	/* off < 2^33 and len < 2^49 here: the sum does not wrap */
	if (off + len > size[r])
		MBN_CHECK_FAIL(MBN_FAULT_BOUNDS, "extent beyond the region's size");
	return 0;
}

/* The extents a descriptor accesses, in the hardware's order (input, weights, qparams,
 * output); those skipped by reuse_input, reuse_weights or fusion are not accessed and
 * not checked. Fills r/off/len of extent k (0..3) and returns 1 if it is accessed. */
static inline int mbn_desc_extent(const struct mbn_desc *d, const struct mbn_desc_extents *x, int k, uint32_t *r,
				  uint64_t *off, uint64_t *len)
{
	switch (k) {
	case 0:
		*r = d->in_region, *off = d->in_offset, *len = x->in_bytes;
		return !d->reuse_input;
	case 1:
		*r = d->w_region, *off = d->w_offset, *len = x->w_bytes;
		return !d->reuse_weights;
	case 2:
		*r = d->q_region, *off = d->q_offset, *len = x->q_bytes;
		return !d->reuse_weights;
	default:
		*r = d->out_region, *off = d->out_offset, *len = x->out_extent;
		return !d->fuse;
	}
}

/*
 * The on-chip reuse rule (docs/hw.md "IBUF row banks", "Fusion"): what the previous
 * descriptors of this job left on chip. The hardware does not clear its buffers between
 * jobs and does not check reuse, so a reuse flag that read more than this job loaded
 * would read the previous job's data, possibly another process's: reuse on descriptor 0,
 * or a reuse that reads more than is there, is refused by the kernel, and the compiler
 * never emits one. The engine reads the first w_bytes/16 words of the weight stream and
 * out_c qparams. Of IBUF it reads, in each bank, a prefix of the current half: with
 * IBANK row r of a tile (R rows of W words) is in bank r % 3 at floor(r / 3) * W, so the
 * prefix depends on R and W, not only on the tile's size; without IBANK every bank
 * holds the whole tile, words 0..R*W-1. Comparing per-bank word counts is exact either
 * way. A chained DW reads instead the map that the chained PW descriptors right before
 * it wrote into the other half (docs/hw.md "Chaining"): it is whole only when those
 * PWs, of one map geometry, wrote every pixel's bytes 0..out_stride-1 in order (each
 * starts where the one before it ended; one at offset 0 starts a new map), and any other
 * descriptor between them and the DW ends it (it may load into or write that half).
 * Start a job with a zeroed struct.
 */
struct mbn_onchip {
	uint64_t in_words[3]; /* words per IBUF bank of the tile the next reuse_input reads */
	uint64_t w_bytes;     /* weight stream bytes loaded */
	uint32_t q_entries;   /* qparam entries loaded */
	/* the map the chained PW descriptors just before write: rows, width, bytes per
	 * pixel, and bytes of each pixel written so far (0: no map) */
	uint32_t ch_rows, ch_w, ch_stride, ch_done;
};

/* Words of each IBUF bank (from the half's base) a tile of rows x row_words occupies. */
static inline void mbn_ibuf_words(const struct mbn_hw_limits *p, uint64_t rows, uint64_t row_words,
				  uint64_t words[3])
{
	int b;

	for (b = 0; b < 3; b++)
		words[b] = (p->ibank ? (rows + 2 - b) / 3 : rows) * row_words;
}

/* Checks descriptor d's reuse flags against oc, then records what d leaves on chip.
 * 0, or MBN_FAULT_DESC (a rule of the kernel's, not a hardware fault: see above). */
static inline uint32_t mbn_reuse_step(const struct mbn_hw_limits *p, const struct mbn_desc *d,
				      const struct mbn_desc_extents *x, struct mbn_onchip *oc, const char **why)
{
	uint64_t in_words[3];
	int b;

	mbn_ibuf_words(p, x->in_rows, x->in_row_bytes / 16, in_words);
	if (d->chained) {
		uint64_t ch_words[3];
		mbn_ibuf_words(p, oc->ch_rows, (uint64_t)oc->ch_w * oc->ch_stride / 16, ch_words);
		if (!oc->ch_done || oc->ch_done != oc->ch_stride)
			MBN_CHECK_FAIL(MBN_FAULT_DESC, "chained DW: the PW descriptors just before it did not chain a whole map");
		for (b = 0; b < 3; b++)
			if (in_words[b] > ch_words[b])
				MBN_CHECK_FAIL(MBN_FAULT_DESC, "chained DW reads more of IBUF than the chained map");
	} else if (d->reuse_input)
		for (b = 0; b < 3; b++)
			if (in_words[b] > oc->in_words[b])
				MBN_CHECK_FAIL(MBN_FAULT_DESC,
					       "reuse_input reads more of IBUF than this job left there");
	if (d->reuse_weights && (x->w_bytes > oc->w_bytes || d->out_c > oc->q_entries))
		MBN_CHECK_FAIL(MBN_FAULT_DESC, "reuse_weights reads more weights or qparams than this job loaded");
	if (d->fuse && d->op == MBN_OP_PW) {
		/* a chained PW: its input stays the current tile; it continues the map or
		 * starts one (offset 0), else no whole map is there */
		if (!d->out_offset) {
			oc->ch_rows = d->out_rows, oc->ch_w = d->out_w, oc->ch_stride = d->out_stride;
			oc->ch_done = d->out_c;
		} else if (oc->ch_done && d->out_offset == oc->ch_done && d->out_rows == oc->ch_rows &&
			   d->out_w == oc->ch_w && d->out_stride == oc->ch_stride)
			oc->ch_done += d->out_c;
		else
			oc->ch_done = 0;
	} else
		oc->ch_done = 0;
	if (d->fuse && d->op == MBN_OP_DW) /* the next reuse_input reads the DW's output: npix rows of out_c */
		mbn_ibuf_words(p, x->npix, d->out_c / 16, oc->in_words);
	else if (!d->reuse_input || d->chained) /* a chained DW's input (the map) is the tile now */
		for (b = 0; b < 3; b++)
			oc->in_words[b] = in_words[b];
	if (!d->reuse_weights) {
		oc->w_bytes = x->w_bytes;
		oc->q_entries = d->out_c;
	}
	return 0;
}

#endif /* MBN_DESC_CHECK_H */
