/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_compile.c - compile the accelerator part of a graph into descriptors (see
 * accel.h and docs/hw.md): choose the layers the hardware runs (in segments), pack their
 * weights and quantization entries, tile every layer to the on-chip buffers, and lay
 * out the activation memory.
 *
 * Tiling. A pointwise layer is a (pixels x input channels) by (input channels x output
 * channels) product. A tile is (pixel range, output-channel range); weights of an
 * output-channel range are contiguous, pixels of a range are contiguous. Loop orders:
 * output channels outer (weights read once, the input once per channel tile, or once
 * if it is one pixel tile) or pixels outer (input read once, weights once per pixel
 * tile, or once if they are one channel tile); reuse flags skip reloading what is
 * already on chip. Tile sizes and order come from a small cost model (pw_choose): tiles
 * up to the reported half buffers keep the hardware's load/compute/store overlap, whole
 * buffers can read less. A depthwise layer is tiled by output rows, all channels at
 * once, within the halves (it is DRAM-bound: losing the overlap costs more than its
 * halo rows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/accel.h"
#include "kernels/cpu_ops.h"
#include "mbn_regs.h"
#include "util.h"

#define DESC_WORDS 16

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

/* A growing byte image (the CONST region). */
struct image {
	uint8_t *p;
	uint64_t size, cap;
};

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

/* The descriptors, field by field (struct mbn_desc: the contract generated from
 * hw/regs/mbnaccel.regs); packed into words when the image is written. */
struct desc_list {
	struct mbn_desc *d;
	uint32_t n, cap;
};

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

static bool is_pw(const struct mbn_layer *l)
{
	/* (a PAD folded into a 1x1 conv gives it padding: not a plain pointwise layer) */
	return l->op == MBN_OP_CONV && l->k_h == 1 && l->k_w == 1 && l->stride_h == 1 && l->stride_w == 1 &&
	       l->pad_top == 0 && l->pad_left == 0 && l->out_h == l->in_h && l->out_w == l->in_w;
}

/* Can layer l run as a segment's first layer through host im2col (docs/hw.md: conv0)?
 * Any conv but a plain pointwise one, and a depthwise conv of any depth multiplier
 * (TFLite Micro's person detector starts with one on a 1-channel input): the host
 * builds im2col rows from the CPU's feature map, the PW engine does the rest, a
 * depthwise layer's weights expanded to a dense filter (conv0_weight). Its patch must
 * fit a reasonable row, and its output a reasonable map. */
static bool is_im2col(const struct mbn_layer *l)
{
	return (l->op == MBN_OP_CONV || l->op == MBN_OP_DWCONV) && !is_pw(l) &&
	       (uint64_t)l->k_h * l->k_w * l->in_c <= 1024;
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

static bool is_dw(const struct mbn_layer *l)
{
	/* the padding the windows read past the bottom/right edge: at most 2, as SAME's */
	int pad_bottom = (l->out_h - 1) * l->stride_h + 3 - l->pad_top - l->in_h;
	int pad_right = (l->out_w - 1) * l->stride_w + 3 - l->pad_left - l->in_w;
	return l->op == MBN_OP_DWCONV && l->k_h == 3 && l->k_w == 3 && l->depth_mult == 1 &&
	       (l->stride_h == 1 || l->stride_h == 2) && l->stride_h == l->stride_w && l->pad_left <= 2 &&
	       l->pad_top <= 2 && pad_bottom <= 2 && pad_right <= 2;
}

/* Output rows per depthwise tile, or 0 if one row does not fit: the input rows (of
 * in_w * cp bytes) within IBUF space in_max, the output within out_max: OBUF bytes, or
 * for a fused DW (out_ibuf) IBUF space, whose rows are pixels of cp bytes (docs/hw.md
 * "IBUF row banks": the fused output is laid out as the PW input it becomes). */
static int dw_rows_within(const struct accel_caps *c, const struct mbn_layer *l, int cp, uint64_t in_max,
			  uint64_t out_max, bool out_ibuf)
{
	uint64_t in_row = (uint64_t)l->in_w * cp, out_row = (uint64_t)l->out_w * cp;

	for (int rows = l->out_h; rows >= 1; rows--) {
		uint64_t in_rows = (uint64_t)(rows - 1) * l->stride_h + 3;
		if (in_rows > (uint64_t)l->in_h)
			in_rows = (uint64_t)l->in_h;
		bool out_ok = out_ibuf ? accel_ibuf_fits(c, (uint64_t)rows * l->out_w, (uint64_t)cp, out_max)
				       : rows * out_row <= out_max;
		if (accel_ibuf_fits(c, in_rows, in_row, in_max) && out_ok)
			return rows;
		if (rows > 64) /* coarse steps down for big maps */
			rows = rows / 2 + 1;
	}
	return 0;
}

static int dw_tile_rows(const struct mbn_layer *l, int cp, const struct accel_caps *c)
{
	return dw_rows_within(c, l, cp, c->ibuf_bytes, c->obuf_bytes, false);
}

/* Input rows [ld0, ld1) of the depthwise output rows [oy0, oy1). */
static void dw_in_rows(const struct mbn_layer *l, int oy0, int oy1, int *ld0, int *ld1)
{
	int s = l->stride_h, r_lo = oy0 * s - l->pad_top, r_hi = (oy1 - 1) * s - l->pad_top + 3;
	*ld0 = r_lo > 0 ? r_lo : 0;
	*ld1 = imin(r_hi, l->in_h);
}

/* DRAM bytes a depthwise layer reads with tiles of `rows` output rows: input tiles (halo
 * rows included) and weights + qparams, once or (reload) per tile. */
static uint64_t dw_read_bytes(const struct mbn_layer *l, int cp, int rows, bool reload)
{
	uint64_t b = 0, wq = 25ull * (uint64_t)cp;
	for (int oy0 = 0; oy0 < l->out_h; oy0 += rows) {
		int ld0, ld1;
		dw_in_rows(l, oy0, imin(oy0 + rows, l->out_h), &ld0, &ld1);
		b += (uint64_t)(ld1 - ld0) * l->in_w * cp + (reload || oy0 == 0 ? wq : 0);
	}
	return b;
}

/*
 * Why layer i cannot run on the accelerator, or NULL if it can: at the start of a
 * segment (seg_start: its input comes from the host, so im2col is possible), or inside
 * one (its input is the previous layer's output in the ACT region). The messages are
 * what mbn-info and mbn-bench print for a layer left on the CPU.
 */
static const char *unsupported(const struct mbn_graph *g, int i, int cp, const struct accel_caps *c, bool seg_start)
{
	const struct mbn_layer *l = &g->layers[i];
	int cin = (int)round_up((uint64_t)l->in_c, (uint64_t)cp);

	switch (l->op) {
	case MBN_OP_CONV:
	case MBN_OP_DWCONV:
		break;
	case MBN_OP_AVGPOOL:
	case MBN_OP_MEAN:
	case MBN_OP_FC:
	case MBN_OP_SOFTMAX:
		return "pooling, classifier and softmax run on the CPU";
	case MBN_OP_RESHAPE:
		return "no arithmetic (a copy on the CPU)";
	case MBN_OP_QUANTIZE:
		return "requantization runs on the CPU";
	case MBN_OP_PAD:
		return "a PAD that fills with another value than the next convolution's zero point runs on the CPU";
	default:
		return "not a convolution";
	}
	/* A 1x1 conv on a 1x1 map after the pool is the classifier: CPU. */
	if (l->in_h == 1 && l->in_w == 1 && i > 0)
		return "the classifier (a convolution on a 1x1 map) runs on the CPU";
	if (mbn_layer_rounding(l) < 0)
		return "TFLite's arm64 build rounds this layer's channel groups differently, which one descriptor cannot";
	if (mbn_layer_rounding(l) == MBN_ROUND_SINGLE && !c->rsingle)
		return "TFLite's arm64 build rounds this layer once (ruy), a mode this requantizer lacks (CAPS3 RSINGLE)";
	if (is_pw(l)) {
		if ((uint32_t)(cin / 16) > c->wbuf_rows || !accel_ibuf_fits(c, 1, (uint64_t)cin, c->ibuf_bytes))
			return "too many input channels for the weight and input buffers";
		return NULL;
	}
	if (is_dw(l)) {
		if ((uint32_t)cin > c->qbuf_entries)
			return "more channels than QBUF's quantization entries";
		if ((9 * (uint64_t)cin / 16 + (uint64_t)c->lanes - 1) / (uint64_t)c->lanes > c->wbuf_rows)
			return "too many channels for the weight buffer";
		/* (im2col would make a 3x3 depthwise layer that does not fit the buffers a
		 * 9x larger pointwise one: the CPU does it better) */
		return dw_tile_rows(l, cin, c) > 0 ? NULL : "one output row does not fit the buffers";
	}
	if (is_im2col(l)) /* the caller retries a layer refused inside a segment as a start */
		return seg_start ? NULL : "runs through host im2col, so it starts a segment";
	if (l->op == MBN_OP_DWCONV && l->depth_mult > 1)
		return "a depthwise multiplier > 1 with a patch over 1024 values (im2col) is not supported";
	return "kernel, stride or padding the engine does not support, and a patch over 1024 values (im2col)";
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

/* A pointwise tiling: output-channel tiles of oc_tile channels (a multiple of the
 * lanes), pixel tiles of pix_tile pixels, and the loop order. */
struct pw_tiling {
	int oc_tile;
	uint64_t pix_tile, n_oc, n_px;
	bool oc_outer;
	uint64_t rd_bytes; /* DRAM bytes read (input, weights, qparams) */
	uint64_t cycles;   /* estimate, pw_estimate() */
};

/* Descriptor k of a tiling: its output channels, pixels and reuse flags. */
struct pw_tile {
	int oc0, noc;
	uint64_t p0, np;
	bool reuse_w, reuse_in;
};

static void pw_tile_at(const struct pw_tiling *t, int cout, uint64_t npix, uint64_t k, struct pw_tile *d)
{
	uint64_t inner = t->oc_outer ? t->n_px : t->n_oc, a = k / inner, b = k % inner;
	uint64_t ti = t->oc_outer ? a : b, pi = t->oc_outer ? b : a;
	d->oc0 = (int)(ti * (uint64_t)t->oc_tile);
	d->noc = imin(t->oc_tile, cout - d->oc0);
	d->p0 = pi * t->pix_tile;
	d->np = npix - d->p0 < t->pix_tile ? npix - d->p0 : t->pix_tile;
	/* on chip from the previous descriptor: the same weights, or the same input */
	d->reuse_w = t->oc_outer ? b > 0 : t->n_oc == 1 && pi > 0;
	d->reuse_in = t->oc_outer ? t->n_px == 1 && ti > 0 : b > 0;
}

/* DRAM bytes per cycle of the simulator (hw/rtl/README.md), for the estimate. */
#define PW_EST_DRAM_BPC 16

/*
 * Estimated cycles of a tiling run as a job of its own: the 3-stage descriptor pipeline
 * of hw/rtl/README.md (F loads descriptor k+1 while C computes k and S stores k-1) with
 * DMA at PW_EST_DRAM_BPC bytes per cycle (reads and writes not sharing it, latencies and
 * per-descriptor overheads but the 25-cycle compute prologue/drain ignored). A tile up to
 * the reported half of a buffer overlaps as described; one larger than a half takes the
 * whole buffer, so its load waits until the computing descriptor has released that
 * buffer (and a load after it waits for its compute), and with a whole OBUF the compute
 * waits for the previous store. So with halves cycles ~= first load + max(compute, DMA)
 * + last store, and every whole-buffer load or store adds to the compute instead.
 */
static void pw_estimate(struct pw_tiling *t, const struct accel_caps *c, int cin, int cout, uint64_t npix)
{
	const uint64_t cols = (uint64_t)cin / 16, lanes = (uint64_t)c->lanes;
	uint64_t f = 0, c_free = 0, s_end = 0, rd = 0;
	bool prev_if = false, prev_wf = false, prev_of = false;

	for (uint64_t k = 0; k < t->n_oc * t->n_px; k++) {
		struct pw_tile d;
		pw_tile_at(t, cout, npix, k, &d);
		uint64_t noc = (uint64_t)d.noc, in_b = d.np * (uint64_t)cin, out_b = d.np * noc;
		bool i_full = d.reuse_in ? prev_if : !accel_ibuf_fits(c, d.np, (uint64_t)cin, c->ibuf_bytes);
		bool w_full = d.reuse_w ? prev_wf : (noc / lanes) * cols > c->wbuf_rows;
		bool o_full = out_b > c->obuf_bytes;
		uint64_t ld = (d.reuse_in ? 0 : in_b) + (d.reuse_w ? 0 : noc * (uint64_t)cin + noc * 16);
		uint64_t ld_start = f;
		if ((!d.reuse_in && (i_full || prev_if)) || (!d.reuse_w && (w_full || prev_wf)))
			ld_start = c_free > ld_start ? c_free : ld_start;
		uint64_t hand = ld_start + ld / PW_EST_DRAM_BPC;
		hand = hand > c_free ? hand : c_free;
		uint64_t c_start = hand;
		if ((o_full || prev_of) && s_end > c_start)
			c_start = s_end;
		uint64_t c_end = c_start + (noc / lanes) * d.np * cols + 25;
		c_free = c_end > s_end ? c_end : s_end;
		s_end = c_free + out_b / PW_EST_DRAM_BPC;
		f = hand;
		rd += ld;
		prev_if = i_full, prev_wf = w_full, prev_of = o_full;
	}
	t->rd_bytes = rd;
	t->cycles = s_end;
}

/*
 * Choose a pointwise tiling. Candidates: every output-channel tile (a multiple of the
 * lanes) that fits WBUF and QBUF, with the largest pixel tile that fits IBUF and OBUF,
 * either within the reported halves (double-buffered) or within the whole buffers
 * (caps *_full), in both loop orders; reuse flags as pw_tile_at(). The rule: the least
 * DRAM traffic (input, weights, qparams) among the candidates whose
 * estimated cycles (pw_estimate) are within 1/32 of the fastest one's; equal traffic,
 * fewer cycles. So a whole-buffer tile is taken only when it reads less and what it
 * loses of the overlap costs at most ~3%: for the 14x14x512->512 layers of MobileNet v1
 * 1.0-224 without IBANK the whole input (100 KB > the 64 KB half) with 16-channel weight
 * tiles reads input and weights once (371 KB instead of 641 KB with half-buffer tiles,
 * which read the weights twice) for ~1% more estimated cycles; with IBANK it fits the
 * half (docs/hw.md "IBUF row banks"). Small output-channel tiles win the
 * estimate where the input stays on chip: the layer's first load and last store, which
 * nothing overlaps, are short.
 */
static bool pw_choose(struct pw_tiling *best, const struct accel_caps *c, int cin, int cout, uint64_t npix)
{
	const int lanes = c->lanes, cols = cin / 16, groups = cout / lanes;
	const uint32_t full_i = c->ibuf_full_bytes > c->ibuf_bytes ? c->ibuf_full_bytes : c->ibuf_bytes;
	const uint32_t full_w = c->wbuf_full_rows > c->wbuf_rows ? c->wbuf_full_rows : c->wbuf_rows;
	const uint32_t full_o = c->obuf_full_bytes > c->obuf_bytes ? c->obuf_full_bytes : c->obuf_bytes;
	uint64_t fastest = UINT64_MAX;
	bool have = false;

	/* pass 0 finds the fastest estimate, pass 1 chooses */
	for (int pass = 0; pass < 2; pass++)
		for (int whole = 0; whole < 2; whole++) {
			uint32_t ib = whole ? full_i : c->ibuf_bytes, wr = whole ? full_w : c->wbuf_rows;
			uint32_t ob = whole ? full_o : c->obuf_bytes;
			int g_fit = imin(imin(groups, (int)(wr / (uint32_t)cols)), (int)(c->qbuf_entries / (uint32_t)lanes));
			for (int g = 1; g <= g_fit; g++) {
				struct pw_tiling t = { .oc_tile = g * lanes };
				t.pix_tile = accel_ibuf_rows(c, (uint64_t)cin, ib); /* one IBUF row per pixel */
				if (t.pix_tile > ob / (uint64_t)t.oc_tile)
					t.pix_tile = ob / (uint64_t)t.oc_tile;
				if (t.pix_tile > npix)
					t.pix_tile = npix;
				if (t.pix_tile > 65535)
					t.pix_tile = 65535;
				if (!t.pix_tile)
					continue;
				t.n_oc = (uint64_t)(cout + t.oc_tile - 1) / (uint64_t)t.oc_tile;
				t.n_px = (npix + t.pix_tile - 1) / t.pix_tile;
				for (int o = 0; o < 2; o++) {
					t.oc_outer = o == 0;
					pw_estimate(&t, c, cin, cout, npix);
					if (pass == 0) {
						fastest = t.cycles < fastest ? t.cycles : fastest;
						continue;
					}
					if (t.cycles > fastest + fastest / 32)
						continue;
					if (!have || t.rd_bytes < best->rd_bytes ||
					    (t.rd_bytes == best->rd_bytes && t.cycles < best->cycles))
						*best = t, have = true;
				}
			}
		}
	return have;
}

/* Pack a pointwise layer's weights and qparams (docs/hw.md layout) into the image. */
static int pack_pw(struct image *im, const struct accel_caps *c, const struct mbn_layer *l, int cin, int cout,
		   int64_t *w_off_out, int64_t *q_off_out)
{
	const int lanes = c->lanes, cols = cin / 16, groups = cout / lanes;
	const int k_real = l->k_h * l->k_w * l->in_c; /* weights per output channel */

	int64_t w_off = image_alloc(im, (uint64_t)cout * cin, 16);
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
	macs_al->hw_macs += np * noc * (uint64_t)cin;
	/* a generous bound (compute, and all its bytes at 4 per cycle), for timeouts */
	budget_al->cycle_budget += np * noc * (uint64_t)cin / 16 + (np * (uint64_t)cin + noc * (uint64_t)cin + np * noc) / 4 + 4096;
	return 0;
}

/* A pointwise layer (or conv0 over im2col rows of length cin). */
static int emit_pw(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *l,
		   int cin, int cout, uint64_t npix, uint64_t in_base, uint64_t out_base, struct accel_layer *al)
{
	const struct accel_caps *c = &p->caps;
	int64_t w_off, q_off;
	int r = pack_pw(im, c, l, cin, cout, &w_off, &q_off);
	if (r)
		return r;

	struct pw_tiling t;
	if (!pw_choose(&t, c, cin, cout, npix))
		return mbn_set_error(-ENOTSUP, "no pointwise tile fits the buffers (%d input channels)", cin);

	al->first_desc = dl->n;
	for (uint64_t k = 0; k < t.n_oc * t.n_px && !r; k++) {
		struct pw_tile tl;
		pw_tile_at(&t, cout, npix, k, &tl);
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
 * (docs/hw.md d0[10]) for the pointwise descriptors after it. */
static int dw_desc(struct desc_list *dl, const struct mbn_layer *l, int cp, int oy0, int oy1, bool reuse_w,
		   bool fuse, int64_t w_off, int64_t q_off, uint64_t in_base, uint64_t out_base, struct accel_layer *al)
{
	int ld0, ld1, s = l->stride_h;
	dw_in_rows(l, oy0, oy1, &ld0, &ld1);
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

static int emit_dw(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *l, int cp,
		   uint64_t in_base, uint64_t out_base, struct accel_layer *al)
{
	int64_t w_off, q_off;
	int r = pack_dw(im, l, cp, &w_off, &q_off);
	if (r)
		return r;
	int rows = dw_tile_rows(l, cp, &p->caps);
	al->first_desc = dl->n;
	for (int oy0 = 0; oy0 < l->out_h && !r; oy0 += rows)
		r = dw_desc(dl, l, cp, oy0, imin(oy0 + rows, l->out_h), oy0 > 0, false, w_off, q_off, in_base, out_base, al);
	al->n_desc = dl->n - al->first_desc;
	return r;
}

/*
 * Depthwise -> pointwise fusion (docs/hw.md d0[10], CAPS3 FUSE). Per tile of `rows`
 * depthwise output rows: one fused DW descriptor (all channels), whose output, the
 * pointwise input of pixels [p0, p0 + P), P = rows * out_w, stays in IBUF; then the
 * pointwise descriptors of exactly those pixels, output-channel tiles of at most
 * oc_tile channels, all with reuse_input. Both DW tiles must fit an IBUF half
 * (accel_ibuf_fits: with IBANK about 3x the bytes); the pointwise tiles the WBUF and
 * OBUF halves. The DW and PW weights are reloaded for every tile (the other's load sits
 * in between), so fewer, larger tiles read less.
 */
struct fuse_plan {
	int rows, oc_tile, n_oc;
	uint64_t rd_bytes;        /* DRAM reads of the pair, fused */
	uint64_t cycles;          /* fuse_estimate() */
};

/* DRAM as one FIFO server of PW_EST_DRAM_BPC bytes per cycle (reads and writes share
 * the simulator's port): a transfer requested at `req` ends at the returned cycle. */
static uint64_t dram_xfer(uint64_t *dram_free, uint64_t req, uint64_t bytes)
{
	uint64_t start = req > *dram_free ? req : *dram_free;
	*dram_free = start + (bytes + PW_EST_DRAM_BPC - 1) / PW_EST_DRAM_BPC;
	return *dram_free;
}

/* Queue a pending store (*bytes > 0) requested at req; the last two stores' ends move. */
static void est_store(uint64_t *dram_free, uint64_t *s_prev, uint64_t *s_end, uint64_t req, uint64_t *bytes)
{
	if (!*bytes)
		return;
	*s_prev = *s_end;
	*s_end = dram_xfer(dram_free, req, *bytes);
	*bytes = 0;
}

/*
 * Estimated cycles of a fused pair run as a job of its own, descriptor by descriptor
 * through the 3-stage pipeline of hw/rtl/README.md: F loads descriptor k+1 (once k has
 * moved to C) while C computes k and S stores k-1; DRAM is shared by loads and stores
 * (dram_xfer; a store is queued before a later-requested load). A fused DW needs no
 * OBUF and holds IBUF while it computes; a PW tile within the OBUF half waits for the
 * store of the tile two before it, one that takes the whole OBUF (`o_full`) for every
 * store. Per-descriptor overheads: ~80 cycles of descriptor fetch, 25 of compute
 * prologue/drain. What it captures: the next DW tile's input load hides behind the last
 * PW tile's compute only if that is long enough (stride-2 pairs with few PW channels),
 * and a whole-OBUF PW tile's store behind the next DW compute.
 */
static uint64_t fuse_estimate(const struct accel_caps *c, const struct mbn_layer *l, int cp, int cout, int rows,
			      int oc_tile, bool o_full)
{
	const uint64_t cols = (uint64_t)cp / 16, lanes = (uint64_t)c->lanes;
	const uint64_t nc = (uint64_t)(l->out_w - 1) * (uint64_t)l->stride_w + 3;
	uint64_t dram = 0, f = 0, c_free = 0, s_end = 0, s_prev = 0; /* ends of the last two stores */
	uint64_t st_req = 0, st_bytes = 0; /* the previous PW tile's store, not yet queued if bytes */

	for (int oy0 = 0; oy0 < l->out_h; oy0 += rows) {
		int oy1 = imin(oy0 + rows, l->out_h), ld0, ld1;
		dw_in_rows(l, oy0, oy1, &ld0, &ld1);
		uint64_t P = (uint64_t)(oy1 - oy0) * (uint64_t)l->out_w;
		for (int k = -1; k * oc_tile < cout; k++) {
			bool dw = k < 0;
			uint64_t noc = dw ? 0 : (uint64_t)imin(oc_tile, cout - k * oc_tile);
			uint64_t ld = dw ? (uint64_t)(ld1 - ld0) * (uint64_t)l->in_w * (uint64_t)cp + 25ull * (uint64_t)cp
					 : noc * (uint64_t)cp + 16 * noc;
			/* this load and the pending store, in the order they are requested */
			uint64_t req = f + 80;
			if (st_req <= req)
				est_store(&dram, &s_prev, &s_end, st_req, &st_bytes);
			uint64_t ld_end = dram_xfer(&dram, req, ld);
			est_store(&dram, &s_prev, &s_end, st_req, &st_bytes);
			uint64_t hand = ld_end > c_free ? ld_end : c_free;
			uint64_t c_start = hand;
			if (!dw) {
				uint64_t o_wait = o_full ? s_end : s_prev; /* the store from this half */
				c_start = o_wait > c_start ? o_wait : c_start;
			}
			uint64_t comp = dw ? (uint64_t)(oy1 - oy0) * nc * cols : P * (noc / lanes) * cols;
			c_free = c_start + comp + 25;
			if (!dw) {
				st_req = c_free > s_end ? c_free : s_end;
				st_bytes = P * noc;
			}
			f = hand;
		}
	}
	est_store(&dram, &s_prev, &s_end, st_req, &st_bytes);
	return s_end > c_free ? s_end : c_free;
}

/*
 * Choose a fused tiling: rows of DW output per tile (both of its IBUF tiles within the
 * halves, accel_ibuf_fits) and PW output-channel tiles: the largest within the OBUF
 * half, or all channels in one tile taking the whole OBUF (its store then overlaps the
 * next tile's DW compute, which uses no OBUF). The rule, like pw_choose's: the fewest
 * DRAM reads among the candidates whose estimated cycles (fuse_estimate) are within
 * 1/32 of the fastest one's. Larger tiles read less (fewer halo rows, PW weights
 * reloaded per pixel tile: with IBANK the 14x14x512 pairs of MobileNet v1 1.0-224 are
 * one pixel tile and read the 512x512 weights once), but a tile whose DW input load
 * outlasts the PW compute it hides behind costs cycles.
 */
static bool fuse_choose(struct fuse_plan *f, const struct accel_caps *c, const struct mbn_layer *dl_, int cp, int cout)
{
	const int lanes = c->lanes, cols = cp / 16;
	if (!c->fuse || lanes != 16)
		return false;
	int g_max = imin((int)(c->wbuf_rows / (uint32_t)cols), (int)(c->qbuf_entries / (uint32_t)lanes));
	g_max = imin(g_max, cout / lanes);
	if (g_max < 1)
		return false;
	const uint32_t o_all = c->obuf_full_bytes > c->obuf_bytes ? c->obuf_full_bytes : c->obuf_bytes;
	int rows_max = dw_rows_within(c, dl_, cp, c->ibuf_bytes, c->ibuf_bytes, true);
	uint64_t fastest = UINT64_MAX;
	bool have = false;

	/* pass 0 finds the fastest estimate, pass 1 chooses */
	for (int pass = 0; pass < 2; pass++)
		for (int rows = rows_max; rows >= 1; rows--) {
			uint64_t P = (uint64_t)rows * dl_->out_w;
			if (P > 65535)
				continue;
			for (int whole = 0; whole < 2; whole++) {
				int g = imin(g_max, (int)(c->obuf_bytes / (P * (uint64_t)lanes)));
				if (whole) {
					if (g_max != cout / lanes || P * (uint64_t)cout > o_all || g == g_max)
						continue;
					g = g_max;
				}
				if (g < 1)
					continue;
				int n_oc = (cout / lanes + g - 1) / g;
				int oc_tile = (cout / lanes + n_oc - 1) / n_oc * lanes; /* even split */
				uint64_t cyc = fuse_estimate(c, dl_, cp, cout, rows, oc_tile, whole);
				if (pass == 0) {
					fastest = cyc < fastest ? cyc : fastest;
					continue;
				}
				if (cyc > fastest + fastest / 32)
					continue;
				uint64_t n_px = (uint64_t)(dl_->out_h + rows - 1) / (uint64_t)rows;
				uint64_t rd = dw_read_bytes(dl_, cp, rows, true) +
					      n_px * ((uint64_t)cout * cp + (uint64_t)cout * 16);
				if (have && (rd > f->rd_bytes || (rd == f->rd_bytes && cyc >= f->cycles)))
					continue;
				f->rows = rows, f->n_oc = n_oc, f->oc_tile = oc_tile;
				f->rd_bytes = rd, f->cycles = cyc;
				have = true;
			}
		}
	return have;
}

static int emit_fused(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *ld,
		      const struct mbn_layer *lp, int cp, int cout, const struct fuse_plan *f, uint64_t in_base,
		      uint64_t out_base, struct accel_layer *ad, struct accel_layer *ap)
{
	int64_t dw_w, dw_q, pw_w, pw_q;
	int r = pack_dw(im, ld, cp, &dw_w, &dw_q);
	if (!r)
		r = pack_pw(im, &p->caps, lp, cp, cout, &pw_w, &pw_q);
	if (r)
		return r;
	ad->first_desc = ap->first_desc = dl->n;
	for (int oy0 = 0; oy0 < ld->out_h && !r; oy0 += f->rows) {
		int oy1 = imin(oy0 + f->rows, ld->out_h);
		r = dw_desc(dl, ld, cp, oy0, oy1, false, true, dw_w, dw_q, in_base, 0, ad);
		uint64_t p0 = (uint64_t)oy0 * ld->out_w, np = (uint64_t)(oy1 - oy0) * ld->out_w;
		for (int oc0 = 0; oc0 < cout && !r; oc0 += f->oc_tile) {
			/* reuse_input: the fused DW's output; the pair runs as one job, so its
			 * budget is the depthwise layer's */
			struct pw_tile tl = { .oc0 = oc0, .noc = imin(f->oc_tile, cout - oc0), .p0 = p0, .np = np,
					      .reuse_in = true };
			r = pw_desc(dl, lp, cp, cout, &tl, pw_w, pw_q, 0, out_base, ap, ad);
		}
	}
	/* per-layer profiling runs the pair as the depthwise layer's job */
	ad->n_desc = dl->n - ad->first_desc;
	ap->n_desc = 0;
	return r;
}

/*
 * Fuse depthwise layer i with the pointwise layer after it? When both run on the
 * accelerator, a fused tiling fits (fuse_choose), and the pair's DRAM traffic grows by
 * at most the depthwise output's round trip that fusion removes (its write and the
 * pointwise layer's read of it, 2 x the map): that round trip is DRAM time the DRAM-bound
 * depthwise layer waits for, while the weight reloads fusion adds mostly overlap the
 * pointwise compute. (MobileNet v1 1.0-224 with the default buffers: without IBANK all
 * pairs but the 28x28x256 -> 512 and 14x14x512 -> 1024 ones, whose 2-4 pixel tiles
 * re-read 0.5-1 MB of weights. With IBANK all pairs: the 14x14 ones are one pixel tile
 * and read less than unfused; the 28x28x256 -> 512 one is two, +29 KB of traffic.)
 */
static bool fuse_wins(const struct accel_plan *p, const struct mbn_graph *g, int i, int cp, struct fuse_plan *fp)
{
	const struct accel_caps *c = &p->caps;
	if (i + 1 >= p->seg_end || !p->layers[i + 1].on_accel)
		return false;
	const struct mbn_layer *ld = &g->layers[i], *lp = &g->layers[i + 1];
	if (!is_pw(lp) || lp->in_h != ld->out_h || lp->in_w != ld->out_w)
		return false;
	int cout = (int)round_up((uint64_t)lp->out_c, (uint64_t)p->chan_pad);
	if (!fuse_choose(fp, c, ld, cp, cout))
		return false;
	uint64_t map = (uint64_t)ld->out_h * ld->out_w * (uint64_t)cp;
	struct pw_tiling t;
	if (!pw_choose(&t, c, cp, cout, (uint64_t)ld->out_h * ld->out_w))
		return false;
	uint64_t unfused_rd = dw_read_bytes(ld, cp, dw_tile_rows(ld, cp, c), false) + t.rd_bytes;
	/* traffic fused (reads) vs unfused (reads + the map's write): grows by <= 2 * map */
	return fp->rd_bytes <= unfused_rd + map + 2 * map;
}

/* Split the graph into segments: maximal runs of layers the accelerator runs, each
 * started by a layer whose input the host writes (channel-padded, or im2col rows). */
static int plan_segments(struct accel_plan *p, const struct mbn_graph *g)
{
	const int cp = p->chan_pad;

	p->layers = calloc((size_t)(g->n_layers ? g->n_layers : 1), sizeof(*p->layers));
	p->seg = calloc((size_t)(g->n_layers ? g->n_layers : 1), sizeof(*p->seg));
	if (!p->layers || !p->seg)
		return mbn_set_error(-ENOMEM, "out of memory");
	for (int i = 0; i < g->n_layers;) {
		p->layers[i].layer = i;
		p->layers[i].macs = mbn_layer_macs(&g->layers[i]);
		if ((p->layers[i].cpu_reason = unsupported(g, i, cp, &p->caps, true))) {
			i++;
			continue;
		}
		struct accel_segment *sg = &p->seg[p->n_seg++];
		const struct mbn_layer *l0 = &g->layers[i];
		sg->first = i;
		sg->im2col = !is_pw(l0) && !is_dw(l0);
		p->layers[i].on_accel = true;
		int j = i + 1;
		for (; j < g->n_layers; j++) {
			p->layers[j].layer = j;
			p->layers[j].macs = mbn_layer_macs(&g->layers[j]);
			if (unsupported(g, j, cp, &p->caps, false))
				break;
			p->layers[j].on_accel = true;
		}
		sg->end = j;
		i = j;
	}
	return 0;
}

int mbn_accel_compile(const struct mbn_graph *g, const struct accel_caps *caps, struct accel_plan *p)
{
	struct image im = { 0 };
	struct desc_list dl = { 0 };
	int r = 0;

	memset(p, 0, sizeof(*p));
	p->g = g;
	p->caps = *caps;
	p->chan_pad = caps->lanes > 16 ? caps->lanes : 16;
	const int cp = p->chan_pad;
	if ((r = plan_segments(p, g)))
		goto fail;
	if (!p->n_seg)
		return 0;

	/* ACT layout: the host-written input of a segment (the largest of them), then two
	 * ping-pong maps of the largest padded output. Segments run one after the other. */
	uint64_t fmap = 0;
	for (int k = 0; k < p->n_seg; k++) {
		struct accel_segment *sg = &p->seg[k];
		const struct mbn_layer *l0 = &g->layers[sg->first];
		if (sg->im2col) {
			sg->im2col_k = (int)round_up((uint64_t)l0->k_h * l0->k_w * l0->in_c, (uint64_t)cp);
			sg->in_bytes = (uint64_t)l0->out_h * l0->out_w * (uint64_t)sg->im2col_k;
		} else {
			sg->in_bytes = (uint64_t)l0->in_h * l0->in_w * round_up((uint64_t)l0->in_c, (uint64_t)cp);
		}
		if (sg->in_bytes > p->in_bytes)
			p->in_bytes = sg->in_bytes;
		for (int i = sg->first; i < sg->end; i++) {
			const struct mbn_layer *l = &g->layers[i];
			uint64_t b = (uint64_t)l->out_h * l->out_w * round_up((uint64_t)l->out_c, (uint64_t)cp);
			if (b > fmap)
				fmap = b;
		}
	}
	p->in_off = 0;
	uint64_t buf[2] = { round_up(p->in_bytes, 4096), round_up(p->in_bytes, 4096) + round_up(fmap, 4096) };
	p->act_size = buf[1] + round_up(fmap, 4096);
	if (p->act_size > 0xffffffffull) {
		r = mbn_set_error(-ENOTSUP, "activations need %llu bytes, more than a 32-bit region offset reaches",
				  (unsigned long long)p->act_size);
		goto fail;
	}

	/* CONST: descriptors first (their count is known only at the end, so they are
	 * built apart and prepended; weight offsets are shifted then). */
	for (int k = 0; k < p->n_seg && !r; k++) {
		struct accel_segment *sg = &p->seg[k];
		uint64_t src = p->in_off;
		/* ping-pong per emitted output: a fused pair writes one map (its pointwise
		 * output), never into the buffer its depthwise layer still reads */
		int pp = 0;
		p->seg_end = sg->end;
		sg->first_desc = dl.n;
		for (int i = sg->first; i < sg->end && !r; i++) {
			const struct mbn_layer *l = &g->layers[i];
			struct accel_layer *al = &p->layers[i];
			uint64_t dst = buf[pp];
			pp ^= 1;
			int cin = (int)round_up((uint64_t)l->in_c, (uint64_t)cp), cout = (int)round_up((uint64_t)l->out_c, (uint64_t)cp);
			struct fuse_plan fp = { 0 }; /* only for -Wmaybe-uninitialized: fuse_wins sets it */
			if (i == sg->first && sg->im2col)
				r = emit_pw(p, &im, &dl, l, sg->im2col_k, cout, (uint64_t)l->out_h * l->out_w, src, dst, al);
			else if (l->op == MBN_OP_DWCONV && fuse_wins(p, g, i, cin, &fp)) {
				const struct mbn_layer *lp = &g->layers[i + 1];
				int pout = (int)round_up((uint64_t)lp->out_c, (uint64_t)cp);
				r = emit_fused(p, &im, &dl, l, lp, cin, pout, &fp, src, dst, al, &p->layers[i + 1]);
				i++;
			} else if (l->op == MBN_OP_DWCONV)
				r = emit_dw(p, &im, &dl, l, cin, src, dst, al);
			else
				r = emit_pw(p, &im, &dl, l, cin, cout, (uint64_t)l->in_h * l->in_w, src, dst, al);
			src = dst;
		}
		const struct mbn_layer *last = &g->layers[sg->end - 1];
		sg->n_desc = dl.n - sg->first_desc;
		sg->out_off = src;
		sg->out_h = last->out_h;
		sg->out_w = last->out_w;
		sg->out_c = last->out_c;
		sg->out_cpad = (int)round_up((uint64_t)last->out_c, (uint64_t)cp);
		for (int i = sg->first; i < sg->end; i++)
			sg->cycle_budget += p->layers[i].cycle_budget;
	}
	if (r)
		goto fail;

	const struct mbn_hw_limits lim = accel_hw_limits(&p->caps);
	uint64_t desc_bytes = round_up((uint64_t)dl.n * 64, 4096);
	p->const_size = desc_bytes + im.size;
	if (p->const_size > 0xffffffffull) {
		r = mbn_set_error(-ENOTSUP, "weights and descriptors need %llu bytes, more than a 32-bit region offset reaches",
				  (unsigned long long)p->const_size);
		goto fail;
	}
	p->const_img = calloc(1, p->const_size ? p->const_size : 1);
	if (!p->const_img) {
		r = mbn_set_error(-ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(p->const_img + desc_bytes, im.p, im.size);
	for (uint32_t i = 0; i < dl.n; i++) {
		/* weights and qparams sit after the descriptors in the constant region */
		dl.d[i].w_offset += (uint32_t)desc_bytes;
		dl.d[i].q_offset += (uint32_t)desc_bytes;
		uint32_t words[DESC_WORDS];
		int bad = mbn_desc_pack(&dl.d[i], words);
		if (bad) {
			r = mbn_set_error(-EINVAL, "internal error: descriptor %u: field %d does not fit its bits", i, bad);
			goto fail;
		}
		/* the compiler's own assertion: the hardware's checks (desc_check.h) accept it */
		struct mbn_desc chk;
		struct mbn_desc_extents ext;
		if (mbn_desc_check(words, &lim, &chk, &ext)) {
			r = mbn_set_error(-EINVAL, "internal error: descriptor %u would fault on this hardware (bad descriptor)",
					  i);
			goto fail;
		}
		for (int w = 0; w < DESC_WORDS; w++) { /* little-endian words */
			uint32_t v = words[w];
			uint8_t *o = p->const_img + (size_t)i * 64 + (size_t)w * 4;
			o[0] = (uint8_t)v, o[1] = (uint8_t)(v >> 8), o[2] = (uint8_t)(v >> 16), o[3] = (uint8_t)(v >> 24);
		}
	}
	p->n_desc = dl.n;
	free(im.p);
	free(dl.d);
	return 0;
fail:
	free(im.p);
	free(dl.d);
	mbn_accel_plan_free(p);
	return r;
}

void mbn_accel_plan_free(struct accel_plan *p)
{
	free(p->const_img);
	free(p->layers);
	free(p->seg);
	memset(p, 0, sizeof(*p));
}

void mbn_accel_write_input(const struct accel_plan *p, int si, const uint8_t *in, uint8_t *act)
{
	const struct accel_segment *sg = &p->seg[si];
	const struct mbn_layer *l = &p->g->layers[sg->first];
	uint8_t *dst = act + p->in_off;

	if (sg->im2col) {
		/* Row (oy, ox): taps (kh, kw, ic) in TFLite's weight order; taps in the padding
		 * hold the zero point, so (x - in_zp) = 0 as TFLite's skipped taps. */
		const int k = sg->im2col_k, kr = l->k_h * l->k_w * l->in_c;
		const uint8_t zp = (uint8_t)l->in_zp;
		for (int oy = 0; oy < l->out_h; oy++)
			for (int ox = 0; ox < l->out_w; ox++) {
				uint8_t *row = dst + ((size_t)oy * l->out_w + ox) * k;
				int t = 0, x0 = ox * l->stride_w - l->pad_left;
				bool cols_inside = x0 >= 0 && x0 + l->k_w <= l->in_w;
				for (int kh = 0; kh < l->k_h; kh++) {
					int y = oy * l->stride_h - l->pad_top + kh;
					if (cols_inside && y >= 0 && y < l->in_h) {
						/* the common case: one contiguous run of k_w pixels */
						size_t n = (size_t)l->k_w * l->in_c;
						memcpy(row + t, in + ((size_t)y * l->in_w + x0) * l->in_c, n);
						t += (int)n;
						continue;
					}
					for (int kw = 0; kw < l->k_w; kw++) {
						int x = x0 + kw;
						bool inside = y >= 0 && y < l->in_h && x >= 0 && x < l->in_w;
						for (int ic = 0; ic < l->in_c; ic++)
							row[t++] = inside ? in[((size_t)y * l->in_w + x) * l->in_c + ic] : zp;
					}
				}
				memset(row + kr, zp, (size_t)(k - kr));
			}
		return;
	}
	const int cp = (int)round_up((uint64_t)l->in_c, (uint64_t)p->chan_pad);
	for (size_t px = 0; px < (size_t)l->in_h * l->in_w; px++) {
		memcpy(dst + px * cp, in + px * l->in_c, (size_t)l->in_c);
		memset(dst + px * cp + l->in_c, (uint8_t)l->in_zp, (size_t)(cp - l->in_c));
	}
}

void mbn_accel_read_output(const struct accel_plan *p, int si, const uint8_t *act, uint8_t *out)
{
	const struct accel_segment *sg = &p->seg[si];
	const uint8_t *src = act + sg->out_off;

	for (size_t px = 0; px < (size_t)sg->out_h * sg->out_w; px++)
		memcpy(out + px * sg->out_c, src + px * sg->out_cpad, (size_t)sg->out_c);
}
