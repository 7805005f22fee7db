/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_compile.c - compile the accelerator part of a graph into descriptors (see
 * accel.h and docs/hw.md): mbn_accel_compile runs the compiler's steps in order:
 * choose the layers the hardware runs, in segments (accel_place.c), lay out the
 * activation memory (accel_layout.c), tile every layer to the on-chip buffers
 * (accel_tiling.c) and emit its packed weights and descriptors (accel_emit.c), then
 * write the CONST region. accel_int.h is what these files share.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/accel_int.h"

/* The first output row of the last descriptor so far, if it is a pointwise tile that
 * stores layer l's output (pixels of l->out_w, cout bytes apart) at dst; else -1. */
static int tail_row_of(const struct desc_list *dl, const struct mbn_layer *l, uint64_t dst)
{
	if (!dl->n)
		return -1;
	const struct mbn_desc *d = &dl->d[dl->n - 1];
	if (d->op != MBN_OP_PW || d->fuse || !d->out_stride || d->out_offset < dst || l->out_w < 1)
		return -1;
	return (int)((d->out_offset - dst) / d->out_stride / (uint64_t)l->out_w);
}

int mbn_accel_compile(const struct mbn_graph *g, const struct accel_caps *caps, struct accel_plan *p)
{
	struct image im = { 0 };
	struct desc_list dl = { 0 };
	uint64_t buf[2];
	int r = 0;

	memset(p, 0, sizeof(*p));
	p->g = g;
	p->caps = *caps;
	/* activations are stored with their channels padded to what a PW descriptor's out_c
	 * must be a multiple of: 16 with CAPS3 PW16 (the last lane group partial), else the
	 * lanes (at 128 lanes a 32-channel map would move 4x its bytes) */
	p->chan_pad = caps->pw16 || caps->lanes <= 16 ? 16 : caps->lanes;
	const int cp = p->chan_pad;
	if ((r = accel_plan_segments(p, g)))
		goto fail;
	if (!p->n_seg)
		return 0;

	if ((r = accel_layout_act(p, g, buf)))
		goto fail;

	/* CONST: descriptors first (their count is known only at the end, so they are
	 * built apart and prepended; weight offsets are shifted then). */
	for (int k = 0; k < p->n_seg && !r; k++) {
		struct accel_segment *sg = &p->seg[k];
		uint64_t src = p->in_off;
		/* ping-pong per emitted output: a fused pair writes one map (its pointwise
		 * output), never into the buffer its depthwise layer still reads */
		int pp = 0;
		/* chain_in: the pair at i reads the map the pair before it chained to IBUF
		 * (docs/hw.md "Chaining"; its tiling next_fp, its job head's) */
		bool chain_in = false;
		struct fuse_plan next_fp = { 0 };
		int tail_row = -1; /* accel_fuse_wins: the last tile before layer i (none yet) */
		struct accel_layer *head = NULL;
		p->seg_end = sg->end;
		sg->first_desc = dl.n;
		for (int i = sg->first; i < sg->end && !r; i++) {
			const struct mbn_layer *l = &g->layers[i];
			struct accel_layer *al = &p->layers[i];
			uint64_t dst = buf[pp];
			pp ^= 1;
			int cin = (int)round_up((uint64_t)l->in_c, (uint64_t)cp), cout = (int)round_up((uint64_t)l->out_c, (uint64_t)cp);
			struct fuse_plan fp = { 0 }; /* only for -Wmaybe-uninitialized: accel_fuse_wins sets it */
			if (i == sg->first && sg->im2col)
				r = accel_emit_pw(p, &im, &dl, l, sg->im2col_k, cout, (uint64_t)l->out_h * l->out_w, src, dst, al);
			else if (l->op == MBN_OP_DWCONV && (chain_in || accel_fuse_wins(p, g, i, cin, tail_row, &fp))) {
				const struct mbn_layer *lp = &g->layers[i + 1];
				int pout = (int)round_up((uint64_t)lp->out_c, (uint64_t)cp);
				if (chain_in)
					fp = next_fp;
				else
					head = al;
				bool chain_out = accel_chain_wins(p, g, i, &fp, &next_fp);
				r = accel_emit_fused(p, &im, &dl, l, lp, cin, pout, &fp, src, dst, al, &p->layers[i + 1],
						     chain_in, chain_out, head);
				chain_in = chain_out;
				i++;
			} else if (l->op == MBN_OP_DWCONV)
				r = accel_emit_dw(p, &im, &dl, l, cin, src, dst, al);
			else
				r = accel_emit_pw(p, &im, &dl, l, cin, cout, (uint64_t)l->in_h * l->in_w, src, dst, al);
			src = dst;
			tail_row = tail_row_of(&dl, &g->layers[i], dst);
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

	if ((r = accel_write_const(p, &im, &dl)))
		goto fail;
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
