/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_int.h - what the files of the accelerator compiler share, and nothing outside
 * compiler/ includes: the small helpers, the CONST image and descriptor list being
 * built, the tilings, and one prototype per step:
 *   accel_place.c   which layers the accelerator runs, in which segments
 *   accel_tiling.c  tiling and the cost models (pw_choose, fuse_choose, fuse_wins)
 *   accel_emit.c    weight packing and descriptor emission, the CONST region image
 *   accel_layout.c  the ACT region: its layout and the host's input/output copies
 *   accel_compile.c mbn_accel_compile, which runs them in that order
 */
#ifndef MBN_ACCEL_INT_H
#define MBN_ACCEL_INT_H

#include "compiler/accel.h"

#define DESC_WORDS 16

static inline uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/* Cycles per input column of a depthwise tile of cp channels: one per channel step,
 * lanes/16 channel groups per step with CAPS3 DWG (docs/hw.md "Depthwise on all
 * lanes"), else one group (16 channels). */
static inline uint64_t accel_dw_steps(const struct accel_caps *c, int cp)
{
	uint64_t cols = (uint64_t)cp / 16, nb = c->dwg && c->lanes > 16 ? (uint64_t)c->lanes / 16 : 1;
	return (cols + nb - 1) / nb;
}

static inline int imin(int a, int b)
{
	return a < b ? a : b;
}

/* A growing byte image (the CONST region). */
struct image {
	uint8_t *p;
	uint64_t size, cap;
};

/* The descriptors, field by field (struct mbn_desc: the contract generated from
 * hw/regs/mbnaccel.regs); packed into words when the image is written. */
struct desc_list {
	struct mbn_desc *d;
	uint32_t n, cap;
};

/* A pointwise tiling: output-channel tiles of oc_tile channels (a multiple of the
 * lanes), pixel tiles of pix_tile pixels, and the loop order. */
struct pw_tiling {
	int oc_tile;
	uint64_t pix_tile, n_oc, n_px;
	bool oc_outer;
	uint64_t rd_bytes; /* DRAM bytes read (input, weights, qparams) */
	uint64_t cycles;   /* estimate, pw_estimate() */
};

/* Descriptor k of a tiling: its output channels, pixels and reuse flags; chain: the
 * output goes to IBUF as channels oc0.. of the next DW's input map (docs/hw.md
 * "Chaining"), not to DRAM. */
struct pw_tile {
	int oc0, noc;
	uint64_t p0, np;
	bool reuse_w, reuse_in, chain;
};

/*
 * Depthwise -> pointwise fusion (docs/hw.md d0[10], CAPS3 FUSE). Per tile of depthwise
 * output rows (`head` rows, then `rows` each): one fused DW descriptor (all channels),
 * whose output, the pointwise input of pixels [p0, p0 + P), P = tile rows * out_w, stays
 * in IBUF; then the pointwise descriptors of exactly those pixels, n_oc output-channel
 * tiles (accel_fuse_oc_tile), all with reuse_input. Both DW tiles must fit an IBUF half
 * (accel_ibuf_fits: with IBANK about 3x the bytes); the pointwise tiles the WBUF and
 * OBUF halves. The DW and PW weights are reloaded for every tile (the other's load sits
 * in between), so fewer, larger tiles read less.
 */
struct fuse_plan {
	/* DW tiles: the first of head rows, the others of rows (the last maybe fewer); a
	 * smaller head keeps the first tile's input clear of the rows the layer before
	 * stores last (accel_fuse_wins' tail_row) */
	int head, rows;
	/* PW tiles of a row tile: the first of oc_first channels, the other n_oc - 1 of
	 * oc_tile, the last maybe fewer (accel_fuse_oc_tile); both multiples of the lanes
	 * (packed weights start a tile at a lane group). oc_first < oc_tile (big_last): the
	 * lane groups left over go first, so the last tile, whose compute the next DW tile's
	 * input load hides behind, is a full one */
	int oc_first, oc_tile, n_oc;
	bool big_last;
	uint64_t rd_bytes;        /* DRAM reads of the pair, fused */
	uint64_t cycles;          /* fuse_estimate(), accel_tiling.c */
};

/* Output rows of the fused DW tile starting at row oy0. */
static inline int accel_fuse_tile_rows(const struct fuse_plan *f, int oy0)
{
	return oy0 ? f->rows : f->head;
}

/* Channels [*oc0, *oc0 + *noc) of PW tile k (0 <= k < f->n_oc) of a row tile. */
static inline void accel_fuse_oc_tile(const struct fuse_plan *f, int cout, int k, int *oc0, int *noc)
{
	*oc0 = k ? f->oc_first + (k - 1) * f->oc_tile : 0;
	*noc = imin(k ? f->oc_tile : f->oc_first, cout - *oc0);
}

/* accel_place.c */
bool accel_is_pw(const struct mbn_layer *l);
bool accel_is_dw(const struct mbn_layer *l);
/* Split the graph into segments (p->seg, p->layers): maximal runs of layers the
 * accelerator runs, each started by a layer whose input the host writes. 0 or -errno. */
int accel_plan_segments(struct accel_plan *p, const struct mbn_graph *g);

/* accel_tiling.c */
/* Output rows per depthwise tile within the IBUF and OBUF halves, 0 if one does not fit. */
int accel_dw_tile_rows(const struct mbn_layer *l, int cp, const struct accel_caps *c);
/* Input rows [ld0, ld1) of the depthwise output rows [oy0, oy1). */
void accel_dw_in_rows(const struct mbn_layer *l, int oy0, int oy1, int *ld0, int *ld1);
/* Descriptor k of a pointwise tiling: its output channels, pixels and reuse flags. */
void accel_pw_tile_at(const struct pw_tiling *t, int cout, uint64_t npix, uint64_t k, struct pw_tile *d);
bool accel_pw_choose(struct pw_tiling *best, const struct accel_caps *c, int cin, int cout, uint64_t npix);
/* Fuse depthwise layer i with the pointwise layer after it (*fp: the fused tiling)?
 * tail_row: the first row of the last tile the layer before stores to the map that layer
 * i reads (the DRAM-order rule makes a DW load that reads it wait for that store), or -1
 * if not known. */
bool accel_fuse_wins(const struct accel_plan *p, const struct mbn_graph *g, int i, int cp, int tail_row,
		     struct fuse_plan *fp);
/* Chain the output of the fused pair (i, i+1), tiled as *f, into the next fused pair's
 * depthwise input? docs/hw.md "Chaining". When it does, *f and *next are both pairs'
 * tilings (one pixel tile each, possibly replacing *f's own). */
bool accel_chain_wins(const struct accel_plan *p, const struct mbn_graph *g, int i, struct fuse_plan *f,
		      struct fuse_plan *next);

/* accel_emit.c: pack a layer's weights into im and append its descriptors to dl (al:
 * the layer's first_desc, n_desc, hw_macs, cycle_budget). 0 or -errno (message set). */
int accel_emit_pw(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *l,
		  int cin, int cout, uint64_t npix, uint64_t in_base, uint64_t out_base, struct accel_layer *al);
int accel_emit_dw(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *l, int cp,
		  uint64_t in_base, uint64_t out_base, struct accel_layer *al);
/* A fused pair; chain_in: its DW reads the map the pair before it chained to IBUF (the
 * pair then runs in that pair's job, `head`: no descriptors of its own); chain_out: its
 * PW output is chained to IBUF for the next pair (docs/hw.md "Chaining"). */
int accel_emit_fused(struct accel_plan *p, struct image *im, struct desc_list *dl, const struct mbn_layer *ld,
		     const struct mbn_layer *lp, int cp, int cout, const struct fuse_plan *f, uint64_t in_base,
		     uint64_t out_base, struct accel_layer *ad, struct accel_layer *ap, bool chain_in, bool chain_out,
		     struct accel_layer *head);
/* The CONST region (p->const_img, const_size, n_desc): the descriptors of dl, packed and
 * checked against the hardware's rules, then the image im. 0 or -errno. */
int accel_write_const(struct accel_plan *p, const struct image *im, struct desc_list *dl);

/* accel_layout.c: lay out the ACT region (p->in_off, in_bytes, act_size, each segment's
 * in_bytes and im2col_k); buf[0..1]: the offsets of the two ping-pong maps. 0 or -errno. */
int accel_layout_act(struct accel_plan *p, const struct mbn_graph *g, uint64_t buf[2]);

#endif
