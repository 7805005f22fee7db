/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_emit.c - descriptor emission: pack each layer's weights and quantization
 * entries into the CONST image (docs/hw.md layouts), write the descriptors of the
 * tilings accel_tiling.c chose (struct mbn_desc, the contract generated from
 * hw/regs/mbnaccel.regs), and build the CONST region: the descriptors packed and
 * checked against the hardware's rules (desc_check.h), then the weights.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/accel_int.h"
#include "kernels/cpu_ops.h"
#include "mbn_regs.h"
#include "util.h"

static int64_t image_alloc(struct image *im, uint64_t bytes, uint64_t align)
{
	uint64_t off = round_up(im->size, align);

	if (off + bytes > im->cap) {
		uint64_t cap = im->cap ? im->cap : 1 << 16;
		while (cap < off + bytes)
			cap *= 2;
		uint8_t *np = realloc(im->p, cap);
		if (!np)
			return -1;
		memset(np + im->cap, 0, cap - im->cap);
		im->p = np;
		im->cap = cap;
	}
	im->size = off + bytes;
	return (int64_t)off;
}

static struct mbn_desc *desc_new(struct desc_list *dl)
{
	if (dl->n == dl->cap) {
		uint32_t cap = dl->cap ? dl->cap * 2 : 256;
		void *nd = realloc(dl->d, cap * sizeof(*dl->d));
		if (!nd)
			return NULL;
		dl->d = nd;
		dl->cap = cap;
	}
	memset(&dl->d[dl->n], 0, sizeof(dl->d[0]));
	return &dl->d[dl->n++];
}

/* Weight (w - w_zp) of output channel oc and im2col tap t = (kh * k_w + kw) * in_c + ic
 * of the first layer: a conv's [oc][kh][kw][ic] directly; a depthwise conv's
 * [kh][kw][oc] where ic is the input channel oc reads (oc / depth_mult), else 0. */
static int16_t conv0_weight(const struct mbn_layer *l, int oc, int t)
{
	if (l->op == MBN_OP_CONV)
		return l->weights[(size_t)oc * l->k_h * l->k_w * l->in_c + t];
	int tap = t / l->in_c, ic = t % l->in_c;
	return ic == oc / l->depth_mult ? l->weights[(size_t)tap * l->out_c + oc] : 0;
}

/* Requantizer rounding (docs/hw.md d0[5:4]) that the layer's TFLite build uses
 * (cpu_ops.c mbn_layer_rounding): x86 rounds CONV_2D ties up (ruy, 1), DEPTHWISE_CONV_2D
 * away from zero (0); arm64 differs per kernel, its ruy convolutions round once (2,
 * hardware with CAPS3 RSINGLE); unsupported() keeps a layer whose rounding the
 * requantizer has no mode for (two roundings in one layer, or 2 without RSINGLE) on
 * the CPU. */
static uint32_t round_mode(const struct mbn_layer *l)
{
	return (uint32_t)mbn_layer_rounding(l);
}

static void put_qparams(uint8_t *q, const struct mbn_layer *l, int n_pad)
{
	for (int c = 0; c < n_pad; c++) {
		int32_t v[4] = { 0, 0, 0, 0 };
		if (c < l->out_c) {
			v[0] = l->bias[c];
			v[1] = l->mult[c];
			v[2] = l->shift[c];
		}
		memcpy(q + (size_t)c * 16, v, 16);
	}
}

/* The fields every descriptor of layer l has (zero points and clamp are 0..255 in the
 * biased domain: graph.h). */
static void fill_common(struct mbn_desc *d, const struct mbn_layer *l)
{
	d->round = round_mode(l);
	d->w_zp = (uint32_t)(l->w_zp & 0xff);
	d->in_zp = (uint32_t)(l->in_zp & 0xff);
	d->out_zp = (uint32_t)(l->out_zp & 0xff);
	d->act_min = (uint32_t)(l->act_min & 0xff);
	d->act_max = (uint32_t)(l->act_max & 0xff);
	d->in_region = ACCEL_REGION_ACT;
	d->w_region = ACCEL_REGION_CONST;
	d->q_region = ACCEL_REGION_CONST;
	d->out_region = ACCEL_REGION_ACT;
}

/* Pack a pointwise layer's weights and qparams (docs/hw.md layout) into the image. */
static int pack_pw(struct image *im, const struct accel_caps *c, const struct mbn_layer *l, int cin, int cout,
		   int64_t *w_off_out, int64_t *q_off_out)
{
	/* groups of LANES output channels; with cout not a multiple of LANES (CAPS3 PW16) the
	 * last group's missing rows are padding (docs/hw.md: the weight extent is groups *
	 * LANES rows) */
	const int lanes = c->lanes, cols = cin / 16, groups = (cout + lanes - 1) / lanes;
	const int k_real = l->k_h * l->k_w * l->in_c; /* weights per output channel */

	int64_t w_off = image_alloc(im, (uint64_t)groups * lanes * cin, 16);
	int64_t q_off = image_alloc(im, (uint64_t)cout * 16, 16);
	if (w_off < 0 || q_off < 0)
		return mbn_set_error(-ENOMEM, "out of memory packing weights");
	*w_off_out = w_off;
	*q_off_out = q_off;
	uint8_t *w = im->p + w_off;
	for (int g = 0; g < groups; g++)
		for (int j = 0; j < cols; j++)
			for (int ln = 0; ln < lanes; ln++) {
				int oc = g * lanes + ln;
				uint8_t *word = w + (((size_t)g * cols + j) * lanes + ln) * 16;
				for (int b = 0; b < 16; b++) {
					int ic = j * 16 + b;
					word[b] = oc < l->out_c && ic < k_real ? (uint8_t)(conv0_weight(l, oc, ic) + l->w_zp)
									       : (uint8_t)l->w_zp;
				}
			}
	put_qparams(im->p + q_off, l, cout);
	return 0;
}

/* The pointwise descriptor of tile tl of layer l (input tile at in_off, ignored with
 * reuse_input; output pixels at out_base, cout bytes apart). Its MACs count for macs_al,
 * its cycles for budget_al (a fused pair runs as the depthwise layer's job). */
static int pw_desc(struct desc_list *dl, const struct mbn_layer *l, int cin, int cout, const struct pw_tile *tl,
		   int64_t w_off, int64_t q_off, uint64_t in_off, uint64_t out_base, struct accel_layer *macs_al,
		   struct accel_layer *budget_al)
{
	const uint64_t np = tl->np, noc = (uint64_t)tl->noc;
	struct mbn_desc *d = desc_new(dl);
	if (!d)
		return mbn_set_error(-ENOMEM, "out of memory for descriptors");
	fill_common(d, l);
	d->op = MBN_OP_PW;
	d->reuse_weights = tl->reuse_w;
	d->reuse_input = tl->reuse_in;
	d->in_rows = 1;              /* a pixel tile: one row of np pixels */
	d->in_w = (uint32_t)np;
	d->in_c = (uint32_t)cin;
	d->out_c = (uint32_t)noc;
	d->out_rows = 1;
	d->out_w = (uint32_t)np;
	d->in_offset = (uint32_t)in_off;
	d->w_offset = (uint32_t)(w_off + (int64_t)tl->oc0 * cin);
	d->q_offset = (uint32_t)(q_off + (int64_t)tl->oc0 * 16);
	d->out_offset = (uint32_t)(out_base + tl->p0 * (uint64_t)cout + (uint64_t)tl->oc0);
	d->out_stride = (uint32_t)cout;
	if (tl->chain) {
		/* docs/hw.md "Chaining": channels oc0.. of every pixel of the out_h x out_w
		 * map (cout bytes per pixel) the next DW reads from IBUF; the tile is all of
		 * the map's pixels, as rows of the image (the PW input is the same pixels) */
		d->fuse = 1;
		d->in_rows = d->out_rows = (uint32_t)l->out_h;
		d->in_w = d->out_w = (uint32_t)l->out_w;
		d->out_region = 0;
		d->out_offset = (uint32_t)tl->oc0;
	}
	macs_al->hw_macs += np * noc * (uint64_t)cin;
	/* a generous bound (compute, and all its bytes at 4 per cycle), for timeouts */
	budget_al->cycle_budget += np * noc * (uint64_t)cin / 16 + (np * (uint64_t)cin + noc * (uint64_t)cin + np * noc) / 4 + 4096;
	return 0;
}

/* A pointwise layer (or conv0 over im2col rows of length cin). */
int accel_emit_pw(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *l,
		  int cin, int cout, uint64_t npix, uint64_t in_base, uint64_t out_base, struct accel_layer *al)
{
	const struct accel_caps *c = &p->caps;
	int64_t w_off, q_off;
	int r = pack_pw(im, c, l, cin, cout, &w_off, &q_off);
	if (r)
		return r;

	struct pw_tiling t;
	if (!accel_pw_choose(&t, c, cin, cout, npix))
		return mbn_set_error(-ENOTSUP, "no pointwise tile fits the buffers (%d input channels)", cin);

	al->first_desc = dl->n;
	for (uint64_t k = 0; k < t.n_oc * t.n_px && !r; k++) {
		struct pw_tile tl;
		accel_pw_tile_at(&t, cout, npix, k, &tl);
		r = pw_desc(dl, l, cin, cout, &tl, w_off, q_off, in_base + tl.p0 * (uint64_t)cin, out_base, al, al);
	}
	al->n_desc = dl->n - al->first_desc;
	return r;
}

/* Pack a depthwise layer's weights and qparams into the image. */
static int pack_dw(struct image *im, const struct mbn_layer *l, int cp, int64_t *w_off_out, int64_t *q_off_out)
{
	const int cgs = cp / 16;
	int64_t w_off = image_alloc(im, (uint64_t)cgs * 9 * 16, 16);
	int64_t q_off = image_alloc(im, (uint64_t)cp * 16, 16);
	if (w_off < 0 || q_off < 0)
		return mbn_set_error(-ENOMEM, "out of memory packing weights");
	*w_off_out = w_off;
	*q_off_out = q_off;
	uint8_t *w = im->p + w_off;
	for (int cg = 0; cg < cgs; cg++)
		for (int t = 0; t < 9; t++)
			for (int b = 0; b < 16; b++) {
				int ch = cg * 16 + b;
				w[((size_t)cg * 9 + t) * 16 + b] = ch < l->out_c
					? (uint8_t)(l->weights[(size_t)t * l->out_c + ch] + l->w_zp)
					: (uint8_t)l->w_zp;
			}
	put_qparams(im->p + q_off, l, cp);
	return 0;
}

/* The depthwise descriptor of output rows [oy0, oy1); fused: its output stays in IBUF
 * (docs/hw.md d0[10]) for the pointwise descriptors after it; chained: its input is the
 * map the pointwise descriptors before it chained to IBUF (d0[11]), not in DRAM. */
static int dw_desc(struct desc_list *dl, const struct mbn_layer *l, int cp, int oy0, int oy1, bool reuse_w,
		   bool fuse, bool chained, int64_t w_off, int64_t q_off, uint64_t in_base, uint64_t out_base,
		   struct accel_layer *al)
{
	int ld0, ld1, s = l->stride_h;
	accel_dw_in_rows(l, oy0, oy1, &ld0, &ld1);
	struct mbn_desc *d = desc_new(dl);
	if (!d)
		return mbn_set_error(-ENOMEM, "out of memory for descriptors");
	fill_common(d, l);
	d->op = MBN_OP_DW;
	d->reuse_weights = reuse_w;
	d->fuse = fuse;
	d->in_rows = (uint32_t)(ld1 - ld0);
	d->in_w = (uint32_t)l->in_w;
	d->in_c = (uint32_t)cp;
	d->out_c = (uint32_t)cp;
	d->out_rows = (uint32_t)(oy1 - oy0);
	d->out_w = (uint32_t)l->out_w;
	d->stride = (uint32_t)s;
	d->row_off = oy0 * s - l->pad_top - ld0;
	d->pad_left = (uint32_t)l->pad_left;
	d->in_offset = (uint32_t)(in_base + (uint64_t)ld0 * l->in_w * cp);
	if (chained) {
		d->chained = d->reuse_input = 1;
		d->in_offset = 0;
	}
	d->w_offset = (uint32_t)w_off;
	d->q_offset = (uint32_t)q_off;
	if (fuse) /* no output in DRAM: region 0, offset 0, dense */
		d->out_region = 0;
	else
		d->out_offset = (uint32_t)(out_base + (uint64_t)oy0 * l->out_w * cp);
	d->out_stride = (uint32_t)cp;
	uint64_t o = (uint64_t)(oy1 - oy0) * l->out_w * cp;
	al->hw_macs += o * 9;
	al->cycle_budget += o * 9 / 16 + ((uint64_t)(ld1 - ld0) * l->in_w * cp + o + 9 * (uint64_t)cp) / 4 + 4096;
	return 0;
}

int accel_emit_dw(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *l, int cp,
		  uint64_t in_base, uint64_t out_base, struct accel_layer *al)
{
	int64_t w_off, q_off;
	int r = pack_dw(im, l, cp, &w_off, &q_off);
	if (r)
		return r;
	int rows = accel_dw_tile_rows(l, cp, &p->caps);
	al->first_desc = dl->n;
	for (int oy0 = 0; oy0 < l->out_h && !r; oy0 += rows)
		r = dw_desc(dl, l, cp, oy0, imin(oy0 + rows, l->out_h), oy0 > 0, false, false, w_off, q_off, in_base,
			    out_base, al);
	al->n_desc = dl->n - al->first_desc;
	return r;
}

int accel_emit_fused(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *ld,
		     const struct mbn_layer *lp, int cp, int cout, const struct fuse_plan *f, uint64_t in_base,
		     uint64_t out_base, struct accel_layer *ad, struct accel_layer *ap, bool chain_in, bool chain_out,
		     struct accel_layer *head)
{
	int64_t dw_w, dw_q, pw_w, pw_q;
	int r = pack_dw(im, ld, cp, &dw_w, &dw_q);
	if (!r)
		r = pack_pw(im, &p->caps, lp, cp, cout, &pw_w, &pw_q);
	if (r)
		return r;
	if (f->head < 1 || f->rows < 1 || f->n_oc < 1)
		return mbn_set_error(-EINVAL, "internal error: fused tiling of %s has no tiles", ld->name);
	ad->first_desc = ap->first_desc = dl->n;
	for (int oy0 = 0; oy0 < ld->out_h && !r; oy0 += accel_fuse_tile_rows(f, oy0)) {
		int oy1 = imin(oy0 + accel_fuse_tile_rows(f, oy0), ld->out_h);
		/* chained: one tile (accel_chain_wins), the whole map */
		r = dw_desc(dl, ld, cp, oy0, oy1, false, true, chain_in, dw_w, dw_q, in_base, 0, ad);
		uint64_t p0 = (uint64_t)oy0 * ld->out_w, np = (uint64_t)(oy1 - oy0) * ld->out_w;
		int done = 0; /* channels so far: the tiles cover [0, cout), each from a lane group */
		for (int k = 0; k < f->n_oc && !r; k++) {
			/* reuse_input: the fused DW's output; the pair runs as one job, so its
			 * budget is the depthwise layer's */
			struct pw_tile tl = { .p0 = p0, .np = np, .reuse_in = true, .chain = chain_out };
			accel_fuse_oc_tile(f, cout, k, &tl.oc0, &tl.noc);
			if (tl.oc0 != done || tl.oc0 % p->caps.lanes || tl.noc < 1)
				return mbn_set_error(-EINVAL, "internal error: PW tile %d of %s at channel %d", k,
						     lp->name, tl.oc0);
			done += tl.noc;
			r = pw_desc(dl, lp, cp, cout, &tl, pw_w, pw_q, 0, out_base, ap, ad);
		}
		if (!r && done != cout)
			return mbn_set_error(-EINVAL, "internal error: PW tiles of %s cover %d of %d channels",
					     lp->name, done, cout);
	}
	/* per-layer profiling runs the pair as the depthwise layer's job; a chained pair
	 * (its input on chip) runs in the job of the pair that began the chain */
	ad->n_desc = dl->n - ad->first_desc;
	ap->n_desc = 0;
	if (chain_in) {
		head->n_desc = dl->n - head->first_desc;
		head->cycle_budget += ad->cycle_budget;
		ad->cycle_budget = 0;
		ad->n_desc = 0;
	}
	return r;
}

int accel_write_const(struct accel_plan *p, const struct image *im, struct desc_list *dl)
{
	const struct mbn_hw_limits lim = accel_hw_limits(&p->caps);
	uint64_t desc_bytes = round_up((uint64_t)dl->n * 64, 4096);
	p->const_size = desc_bytes + im->size;
	if (p->const_size > 0xffffffffull)
		return mbn_set_error(-ENOTSUP, "weights and descriptors need %llu bytes, more than a 32-bit region offset reaches",
				     (unsigned long long)p->const_size);
	p->const_img = calloc(1, p->const_size ? p->const_size : 1);
	if (!p->const_img)
		return mbn_set_error(-ENOMEM, "out of memory");
	memcpy(p->const_img + desc_bytes, im->p, im->size);
	/* Where a job can start: every layer's first descriptor (per-layer profiling runs
	 * each layer as a job) and every segment's. Nothing on chip survives into a job. */
	uint8_t *job_start = calloc(dl->n ? dl->n : 1, 1);
	if (!job_start)
		return mbn_set_error(-ENOMEM, "out of memory");
	for (int l = 0; l < p->g->n_layers; l++)
		if (p->layers[l].on_accel && p->layers[l].n_desc && p->layers[l].first_desc < dl->n)
			job_start[p->layers[l].first_desc] = 1;
	for (int si = 0; si < p->n_seg; si++)
		if (p->seg[si].first_desc < dl->n)
			job_start[p->seg[si].first_desc] = 1;
	struct mbn_onchip oc = { 0 };
	for (uint32_t i = 0; i < dl->n; i++) {
		/* weights and qparams sit after the descriptors in the constant region */
		dl->d[i].w_offset += (uint32_t)desc_bytes;
		dl->d[i].q_offset += (uint32_t)desc_bytes;
		uint32_t words[DESC_WORDS];
		int bad = mbn_desc_pack(&dl->d[i], words);
		if (bad) {
			free(job_start);
			return mbn_set_error(-EINVAL, "internal error: descriptor %u: field %d does not fit its bits", i, bad);
		}
		/* the compiler's own assertion: the hardware's checks and the kernel's rules
		 * (desc_check.h: strict reserved bits, on-chip reuse within a job) accept it */
		struct mbn_desc chk;
		struct mbn_desc_extents ext;
		const char *why = "";
		if (job_start[i])
			memset(&oc, 0, sizeof(oc));
		if (mbn_desc_check_why(words, &lim, &chk, &ext, &why) || mbn_desc_check_strict(words, &chk, &why) ||
		    mbn_reuse_step(&lim, &chk, &ext, &oc, &why)) {
			free(job_start);
			return mbn_set_error(-EINVAL, "internal error: descriptor %u would be refused (%s)", i, why);
		}
		for (int w = 0; w < DESC_WORDS; w++) { /* little-endian words */
			uint32_t v = words[w];
			uint8_t *o = p->const_img + (size_t)i * 64 + (size_t)w * 4;
			o[0] = (uint8_t)v, o[1] = (uint8_t)(v >> 8), o[2] = (uint8_t)(v >> 16), o[3] = (uint8_t)(v >> 24);
		}
	}
	free(job_start);
	p->n_desc = dl->n;
	return 0;
}
