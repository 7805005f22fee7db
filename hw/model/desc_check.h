/* SPDX-License-Identifier: Apache-2.0 */
/*
 * desc_check.h - the descriptor checks the hardware performs (docs/hw.md "Descriptor",
 * "IBUF row banks", "Fusion"), once. Header-only, fixed-width types only and no libc, so
 * that the C model (hw/model/cmodel.c), the compiler's own assertion
 * (lib/src/compiler/accel_emit.c) and the tests call the same code; the kernel's
 * validator can include it too (the generated mbn_regs.h picks linux/types.h there).
 * The RTL (hw/rtl/mbn_ctrl.v) is held to it by the random-chain tests (tests/sim: RTL
 * against the C model, same fault code and descriptor).
 *
 * What is checked here is the descriptor alone (op, reserved bits, rounding, geometry,
 * capacity with and without IBANK, fusion limits). The extents against the region table
 * (bounds, alignment) depend on the job's regions: the caller checks the four extents
 * this computes, in the order input, weights, qparams, output (cmodel.c check_extent).
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
	uint32_t fuse, ibank, rsingle; /* CAPS3 FUSE, IBANK, RSINGLE */
};

/* Bytes each of a descriptor's four extents covers (out_extent 0: a fused DW stores
 * nothing). */
struct mbn_desc_extents {
	uint64_t in_bytes, w_bytes, q_bytes, out_extent;
};

/* Does a tile of `rows` rows of `row_bytes` fit `space` bytes of IBUF? With IBANK the
 * rows are spread over three banks (docs/hw.md: in_bytes + 2 * row_bytes <= 3 * S). */
static inline int mbn_ibuf_fits(const struct mbn_hw_limits *p, uint64_t rows, uint64_t row_bytes, uint64_t space)
{
	if (p->ibank)
		return (rows + 2) * row_bytes <= 3 * space;
	return rows * row_bytes <= space;
}

/* Decodes the 16 words w into d and checks them as the hardware does: 0, or
 * MBN_FAULT_DESC. x receives the extents (valid when 0 is returned). */
static inline uint32_t mbn_desc_check(const uint32_t w[16], const struct mbn_hw_limits *p, struct mbn_desc *d,
				      struct mbn_desc_extents *x)
{
	uint64_t wrows, npix, in_rows, in_row_bytes;
	uint32_t d0_ok;
	int i;

	mbn_desc_unpack(w, d);
	if (d->op != MBN_OP_PW && d->op != MBN_OP_DW)
		return MBN_FAULT_DESC;
	/* reserved bits of d0 and d12..d15 must be 0; fuse only on a DW of a FUSE build */
	d0_ok = MBN_DESC_USED0;
	if (!(d->fuse && p->fuse && d->op == MBN_OP_DW))
		d0_ok &= ~((uint32_t)MBN_D_FUSE_MASK << MBN_D_FUSE_SHIFT);
	if (w[0] & ~d0_ok)
		return MBN_FAULT_DESC;
	if (d->round == 3 || (d->round == 2 && !p->rsingle))
		return MBN_FAULT_DESC;
	for (i = 12; i < 16; i++)
		if (w[i])
			return MBN_FAULT_DESC;
	if (!d->in_rows || !d->in_w || !d->in_c || !d->out_c || !d->out_rows || !d->out_w)
		return MBN_FAULT_DESC;
	if (d->in_c % 16)
		return MBN_FAULT_DESC;
	if (d->out_stride < d->out_c || d->out_stride % 16)
		return MBN_FAULT_DESC;
	if (d->op == MBN_OP_PW) {
		if (d->out_c % p->lanes)
			return MBN_FAULT_DESC;
		if (d->out_rows != d->in_rows || d->out_w != d->in_w)
			return MBN_FAULT_DESC;
		wrows = (uint64_t)(d->out_c / p->lanes) * (d->in_c / 16);
		x->w_bytes = (uint64_t)d->out_c * d->in_c;
	} else {
		if (d->out_c != d->in_c)
			return MBN_FAULT_DESC;
		if (d->stride != 1 && d->stride != 2)
			return MBN_FAULT_DESC;
		if (d->pad_left > 2)
			return MBN_FAULT_DESC;
		wrows = ((uint64_t)9 * d->in_c / 16 + p->lanes - 1) / p->lanes;
		x->w_bytes = (uint64_t)9 * d->in_c;
	}
	x->in_bytes = (uint64_t)d->in_rows * d->in_w * d->in_c;
	x->q_bytes = (uint64_t)d->out_c * MBN_QPARAM_BYTES;
	npix = (uint64_t)d->out_rows * d->out_w;
	x->out_extent = (npix - 1) * d->out_stride + d->out_c;
	/* IBUF rows: an image row for a DW input, a pixel for a PW input and a fused output */
	in_rows = d->op == MBN_OP_DW ? d->in_rows : (uint64_t)d->in_rows * d->in_w;
	in_row_bytes = d->op == MBN_OP_DW ? (uint64_t)d->in_w * d->in_c : d->in_c;
	if (d->fuse) {
		/* docs/hw.md: the output goes to the other IBUF half, dense (the PW layout) */
		uint64_t half = (uint64_t)p->ibuf_words / 2 * 16;
		if (d->out_region || d->out_offset || d->out_stride != d->out_c)
			return MBN_FAULT_DESC;
		if (!mbn_ibuf_fits(p, in_rows, in_row_bytes, half) || !mbn_ibuf_fits(p, npix, d->out_c, half))
			return MBN_FAULT_DESC;
		x->out_extent = 0;
	}
	if (!mbn_ibuf_fits(p, in_rows, in_row_bytes, (uint64_t)p->ibuf_words * 16))
		return MBN_FAULT_DESC;
	if (wrows > p->wbuf_rows)
		return MBN_FAULT_DESC;
	if (d->out_c > p->qbuf_entries)
		return MBN_FAULT_DESC;
	if (!d->fuse && npix * d->out_c > (uint64_t)p->obuf_words * 16)
		return MBN_FAULT_DESC;
	return 0;
}

#endif /* MBN_DESC_CHECK_H */
