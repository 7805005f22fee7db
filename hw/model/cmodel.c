/*
 * cmodel.c: the C functional model of an mbnaccel job, bit-exact with docs/hw.md.
 * It owns the region checks with their fault codes (the descriptor decode and checks are
 * desc_check.h, shared with the compiler and the tests), and
 * the PW/DW arithmetic with the requantizer's three roundings (requant.h, shared with
 * the library's CPU kernels and the testbenches). It does not model timing.
 *
 * Where docs/hw.md leaves an order open, this model fixes it (the RTL should agree):
 *  - per descriptor i: (1) the descriptor fetch at DESC_OFFSET + 64*i: DESC_REGION < 8
 *    else FAULT_REGION, 16-byte aligned else FAULT_DESC, the 64 bytes inside the region
 *    else FAULT_BOUNDS (FAULT_OFFSET = that offset);
 *    (2) the fields: op, reserved bits of d0, d12..d15, geometry and capacity, else
 *    FAULT_DESC with FAULT_OFFSET = the descriptor's offset;
 *    (3) the extents in the order input, weights, qparams, output; each: region index
 *    (FAULT_REGION), alignment (FAULT_DESC), bounds (FAULT_BOUNDS), FAULT_OFFSET = the
 *    extent's offset (desc_check.h mbn_extent_check, the RTL's order). Extents skipped by reuse_input / reuse_weights are not checked.
 *  - a physical address at or beyond mem_size is an AXI DECERR: FAULT_AXI (the model
 *    then writes nothing for that descriptor; the RTL may have written part of it).
 *  - zero-sized dimensions are FAULT_DESC.
 *  - left shift >= 32 gives x = 0 (a true 32-bit wrap); clamp is min(max(v, act_min),
 *    act_max), so act_min > act_max yields act_max, as TFLite's kernels do.
 *  - on-chip buffers start zeroed at each job; reuse on descriptor 0 reads them.
 *  - a fused DW (d0 bit 10) leaves its output, dense NHWC, in IBUF for the next
 *    descriptor's reuse_input instead of storing it; its output extent is not checked.
 *    A later descriptor that reuses more input than the DW wrote reads whatever else IBUF
 *    holds here; the RTL (two halves) may differ there, as with a grown reuse_input tile.
 *  - IBUF is one flat array here. The RTL's three row banks (docs/hw.md, IBANK) hold a
 *    tile's bytes at other addresses, which gives the same bytes to every reuse_input of
 *    the same tile geometry (rows and row length), the only kind the compiler emits;
 *    a reuse with another geometry may read differently there (the kernel refuses one
 *    that reads more words of a bank than the job loaded). The capacity rule is the
 *    RTL's (desc_check.h mbn_ibuf_fits).
 *  - a chained PW (PW with d0 bit 10, CAPS3 CHAIN) writes its output into a second
 *    array, the chained map (NHWC, out_stride bytes per pixel, at out_offset), instead
 *    of storing it; a chained DW (d0 bit 11) copies its input from there. The RTL keeps
 *    the map in the IBUF half the PW does not read, so a descriptor between the PWs and
 *    the DW that loads IBUF or fuses overwrites it there and not here (the kernel
 *    refuses a chained DW after one: desc_check.h mbn_reuse_step).
 */
#include "cmodel.h"
#include "desc_check.h"
#include "requant.h"

#include <stdlib.h>
#include <string.h>

/* short names for the contract's constants (generated mbn_regs.h) */
#define NUM_REGIONS MBN_NUM_REGIONS
#define DESC_BYTES MBN_DESC_BYTES
#define QPARAM_BYTES MBN_QPARAM_BYTES
#define OP_PW MBN_OP_PW
#define OP_DW MBN_OP_DW
#define F_BOUNDS MBN_FAULT_BOUNDS
#define F_AXI MBN_FAULT_AXI
#define F_DESC MBN_FAULT_DESC
#define F_REGION MBN_FAULT_REGION

void mbn_cmodel_default_params(struct mbn_cmodel_params *p)
{
	p->lanes = 16;
	p->ibuf_words = 8192;
	p->wbuf_rows = 512;
	p->obuf_words = 4096;
	p->qbuf_entries = 1024;
	p->fuse = 1;
	p->ibank = 1;
	p->rsingle = 1;
	p->pw16 = 1;
	p->chain = 1;
}

/* A 32-bit word of memory: descriptors and quantization entries are little-endian
 * (docs/hw.md). */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* docs/hw.md "Arithmetic": SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT
 * (round 0, TFLite MultiplyByQuantizedMultiplier) or ruy's ties-up shift (round 1), or
 * ruy's arm64 single rounding (round 2, CAPS3 RSINGLE). */
uint8_t mbn_cmodel_requant(int32_t acc, int32_t mult, int32_t shift, int round, uint8_t out_zp,
			   uint8_t act_min, uint8_t act_max)
{
	return mbn_requant_out(acc, mult, shift, round, out_zp, act_min, act_max);
}

/* The descriptor's words, decoded and checked by desc_check.h (the checks the hardware
 * performs, shared with the compiler and the tests). */
static int decode(const uint8_t *raw, const struct mbn_cmodel_params *p, struct mbn_desc *d, struct mbn_desc_extents *x)
{
	uint32_t w[16];
	for (int i = 0; i < 16; i++)
		w[i] = rd32(raw + 4 * i);
	const struct mbn_hw_limits lim = { p->lanes, p->ibuf_words, p->wbuf_rows, p->obuf_words, p->qbuf_entries,
					   p->fuse, p->ibank, p->rsingle, p->pw16, p->chain };
	return (int)mbn_desc_check(w, &lim, d, x);
}

struct job {
	uint8_t *mem;
	uint64_t mem_size;
	struct mbn_cmodel_region reg[NUM_REGIONS];
	uint64_t size[NUM_REGIONS]; /* reg[].size, for mbn_extent_check */
	struct mbn_cmodel_fault *f;
};

/* Check one extent (desc_check.h: region index, alignment, bounds); on failure fill
 * FAULT_CODE/FAULT_OFFSET and return the code. */
static int check_extent(struct job *j, uint32_t r, uint64_t off, uint64_t len)
{
	uint32_t code = mbn_extent_check(r, off, len, j->size, NULL);
	if (code) {
		j->f->code = (int)code;
		j->f->offset = (uint32_t)off;
	}
	return (int)code;
}

/* Physical range inside the memory model? (else the DRAM answers DECERR) */
static int phys_ok(struct job *j, uint32_t r, uint64_t off, uint64_t len)
{
	uint64_t a = j->reg[r].base + off;
	return a >= j->reg[r].base && a <= j->mem_size && len <= j->mem_size - a;
}

int mbn_cmodel_run_params(const struct mbn_cmodel_params *params, uint8_t *mem,
			  uint64_t mem_size, const struct mbn_cmodel_region *regions, int nreg,
			  uint32_t desc_region, uint32_t desc_offset, uint32_t count,
			  struct mbn_cmodel_fault *fault)
{
	struct mbn_cmodel_params p;
	struct mbn_cmodel_fault dummy;
	struct job j;
	if (params)
		p = *params;
	else
		mbn_cmodel_default_params(&p);
	if (!fault)
		fault = &dummy;
	memset(fault, 0, sizeof(*fault));
	memset(&j, 0, sizeof(j));
	j.mem = mem;
	j.mem_size = mem_size;
	j.f = fault;
	for (int r = 0; r < nreg && r < (int)NUM_REGIONS; r++)
		j.reg[r] = regions[r];
	for (int r = 0; r < (int)NUM_REGIONS; r++)
		j.size[r] = j.reg[r].size;

	size_t ibuf_n = (size_t)p.ibuf_words * 16 * (p.ibank ? 3 : 1);
	size_t wbuf_n = (size_t)p.wbuf_rows * p.lanes * 16;
	size_t qbuf_n = (size_t)p.qbuf_entries * QPARAM_BYTES;
	size_t obuf_n = (size_t)p.obuf_words * 16;
	if (obuf_n < ibuf_n) /* a fused DW's output is computed here, then moved to IBUF */
		obuf_n = ibuf_n;
	uint8_t *ibuf = calloc(1, ibuf_n), *wbuf = calloc(1, wbuf_n), *qbuf = calloc(1, qbuf_n);
	uint8_t *obuf = calloc(1, obuf_n), *cmap = calloc(1, ibuf_n);
	int32_t *qv = calloc(p.qbuf_entries ? p.qbuf_entries : 1, 3 * sizeof(int32_t));
	int rc = 0;
	if (!ibuf || !wbuf || !qbuf || !obuf || !cmap || !qv) {
		rc = -1;
		goto out;
	}

	for (uint32_t i = 0; i < count; i++) {
		struct mbn_desc d;
		struct mbn_desc_extents x;
		uint64_t doff = (uint64_t)desc_offset + (uint64_t)i * DESC_BYTES;
		fault->desc = i;
		if ((rc = check_extent(&j, desc_region, doff, DESC_BYTES)))
			goto out;
		if (!phys_ok(&j, desc_region, doff, DESC_BYTES)) {
			fault->code = rc = F_AXI;
			fault->offset = (uint32_t)doff;
			goto out;
		}
		fault->rd_bytes += DESC_BYTES;
		if ((rc = decode(mem + j.reg[desc_region].base + doff, &p, &d, &x))) {
			fault->code = rc;
			fault->offset = (uint32_t)doff;
			goto out;
		}
		/* the extents it accesses (desc_check.h), then their physical ranges */
		for (int k = 0; k < 4; k++) {
			uint32_t r;
			uint64_t off, len;
			if (mbn_desc_extent(&d, &x, k, &r, &off, &len) && (rc = check_extent(&j, r, off, len)))
				goto out;
		}
		for (int k = 0; k < 4; k++) {
			uint32_t r;
			uint64_t off, len;
			if (mbn_desc_extent(&d, &x, k, &r, &off, &len) && !phys_ok(&j, r, off, len)) {
				fault->code = rc = F_AXI;
				fault->offset = (uint32_t)off;
				goto out;
			}
		}

		/* load */
		if (d.chained) /* the chained map; in_bytes fits it (the half check) */
			memcpy(ibuf, cmap, x.in_bytes);
		else if (!d.reuse_input) {
			memcpy(ibuf, mem + j.reg[d.in_region].base + d.in_offset, x.in_bytes);
			fault->rd_bytes += x.in_bytes;
		}
		if (!d.reuse_weights) {
			memcpy(wbuf, mem + j.reg[d.w_region].base + d.w_offset, x.w_bytes);
			memcpy(qbuf, mem + j.reg[d.q_region].base + d.q_offset, x.q_bytes);
			fault->rd_bytes += x.w_bytes + x.q_bytes;
		}
		for (uint32_t c = 0; c < d.out_c; c++) {
			qv[3 * c + 0] = (int32_t)rd32(qbuf + 16 * c + 0); /* bias */
			qv[3 * c + 1] = (int32_t)rd32(qbuf + 16 * c + 4); /* mult */
			qv[3 * c + 2] = (int32_t)rd32(qbuf + 16 * c + 8); /* shift */
		}

		/* compute into obuf (pixel-major, out_c bytes per pixel) */
		uint64_t npix = (uint64_t)d.out_rows * d.out_w;
		int32_t in_zp = (int32_t)d.in_zp, w_zp = (int32_t)d.w_zp;
		if (d.op == OP_PW) {
			uint32_t cols = d.in_c / 16, L = p.lanes;
			for (uint64_t px = 0; px < npix; px++) {
				const uint8_t *in = ibuf + px * d.in_c;
				for (uint32_t oc = 0; oc < d.out_c; oc++) {
					uint32_t g = oc / L, l = oc % L;
					uint32_t acc = (uint32_t)qv[3 * oc];
					for (uint32_t jc = 0; jc < cols; jc++) {
						const uint8_t *wr = wbuf + (((uint64_t)g * cols + jc) * L + l) * 16;
						const uint8_t *ir = in + jc * 16;
						int32_t s = 0;
						for (int b = 0; b < 16; b++)
							s += ((int32_t)ir[b] - in_zp) * ((int32_t)wr[b] - w_zp);
						acc += (uint32_t)s;
					}
					obuf[px * d.out_c + oc] = mbn_cmodel_requant(
						(int32_t)acc, qv[3 * oc + 1], qv[3 * oc + 2], d.round,
						d.out_zp, d.act_min, d.act_max);
				}
			}
			fault->macs += npix * d.in_c * d.out_c;
			fault->macs_valid += npix * d.in_c * d.out_c;
		} else {
			for (uint32_t oy = 0; oy < d.out_rows; oy++)
				for (uint32_t ox = 0; ox < d.out_w; ox++) {
					uint64_t px = (uint64_t)oy * d.out_w + ox;
					int valid = 0;
					for (uint32_t c = 0; c < d.in_c; c++) {
						uint32_t acc = (uint32_t)qv[3 * c];
						uint32_t cg = c / 16, cb = c % 16;
						for (int kh = 0; kh < 3; kh++) {
							int64_t r = (int64_t)oy * d.stride + kh + d.row_off;
							if (r < 0 || r >= d.in_rows)
								continue;
							for (int kw = 0; kw < 3; kw++) {
								int64_t col = (int64_t)ox * d.stride + kw -
									      (int64_t)d.pad_left;
								if (col < 0 || col >= d.in_w)
									continue;
								int32_t a = ibuf[((uint64_t)r * d.in_w + col) *
										  d.in_c + c];
								int32_t wt = wbuf[((uint64_t)cg * 9 + kh * 3 + kw) * 16 + cb];
								acc += (uint32_t)((a - in_zp) * (wt - w_zp));
								if (c == 0)
									valid++;
							}
						}
						obuf[px * d.out_c + c] = mbn_cmodel_requant(
							(int32_t)acc, qv[3 * c + 1], qv[3 * c + 2],
							d.round, d.out_zp, d.act_min, d.act_max);
					}
					fault->macs_valid += (uint64_t)valid * d.in_c;
				}
			fault->macs += 9ull * npix * d.in_c;
		}

		/* chained PW: the output goes into the map, byte out_offset of each pixel */
		if (d.fuse && d.op == OP_PW) {
			for (uint64_t px = 0; px < npix; px++)
				memcpy(cmap + px * d.out_stride + d.out_offset, obuf + px * d.out_c, d.out_c);
			fault->desc_done = i + 1;
			continue;
		}
		/* fused: the output stays on chip as the next descriptor's input */
		if (d.fuse) {
			memcpy(ibuf, obuf, npix * d.out_c);
			fault->desc_done = i + 1;
			continue;
		}
		/* store */
		uint8_t *ob = mem + j.reg[d.out_region].base + d.out_offset;
		for (uint64_t px = 0; px < npix; px++)
			memcpy(ob + px * d.out_stride, obuf + px * d.out_c, d.out_c);
		fault->wr_bytes += npix * d.out_c;
		fault->desc_done = i + 1;
	}
	fault->desc = 0;
	rc = 0;
out:
	free(ibuf);
	free(wbuf);
	free(qbuf);
	free(obuf);
	free(cmap);
	free(qv);
	return rc;
}

int mbn_cmodel_run(uint8_t *mem, uint64_t mem_size, const struct mbn_cmodel_region *regions,
		   int nreg, uint32_t desc_region, uint32_t desc_offset, uint32_t count,
		   struct mbn_cmodel_fault *fault)
{
	return mbn_cmodel_run_params(NULL, mem, mem_size, regions, nreg, desc_region, desc_offset,
				     count, fault);
}
