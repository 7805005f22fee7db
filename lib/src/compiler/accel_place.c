/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_place.c - which layers go where: the shapes the accelerator's engines run
 * (plain pointwise, 3x3 depthwise, anything else through host im2col at a segment's
 * start), the reason a layer stays on the CPU (what mbn-info and mbn-bench print), and
 * the split of the graph into segments of accelerator layers.
 */
#include <errno.h>
#include <stdlib.h>

#include "compiler/accel_int.h"
#include "kernels/cpu_ops.h"
#include "util.h"

bool accel_is_pw(const struct mbn_layer *l)
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
	return (l->op == MBN_OP_CONV || l->op == MBN_OP_DWCONV) && !accel_is_pw(l) &&
	       (uint64_t)l->k_h * l->k_w * l->in_c <= 1024;
}

bool accel_is_dw(const struct mbn_layer *l)
{
	/* the padding the windows read past the bottom/right edge: at most 2, as SAME's */
	int pad_bottom = (l->out_h - 1) * l->stride_h + 3 - l->pad_top - l->in_h;
	int pad_right = (l->out_w - 1) * l->stride_w + 3 - l->pad_left - l->in_w;
	return l->op == MBN_OP_DWCONV && l->k_h == 3 && l->k_w == 3 && l->depth_mult == 1 &&
	       (l->stride_h == 1 || l->stride_h == 2) && l->stride_h == l->stride_w && l->pad_left <= 2 &&
	       l->pad_top <= 2 && pad_bottom <= 2 && pad_right <= 2;
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
	if (accel_is_pw(l)) {
		if ((uint32_t)(cin / 16) > c->wbuf_rows || !accel_ibuf_fits(c, 1, (uint64_t)cin, c->ibuf_bytes))
			return "too many input channels for the weight and input buffers";
		return NULL;
	}
	if (accel_is_dw(l)) {
		if ((uint32_t)cin > c->qbuf_entries)
			return "more channels than QBUF's quantization entries";
		if ((9 * (uint64_t)cin / 16 + (uint64_t)c->lanes - 1) / (uint64_t)c->lanes > c->wbuf_rows)
			return "too many channels for the weight buffer";
		/* (im2col would make a 3x3 depthwise layer that does not fit the buffers a
		 * 9x larger pointwise one: the CPU does it better) */
		return accel_dw_tile_rows(l, cin, c) > 0 ? NULL : "one output row does not fit the buffers";
	}
	if (is_im2col(l)) /* the caller retries a layer refused inside a segment as a start */
		return seg_start ? NULL : "runs through host im2col, so it starts a segment";
	if (l->op == MBN_OP_DWCONV && l->depth_mult > 1)
		return "a depthwise multiplier > 1 with a patch over 1024 values (im2col) is not supported";
	return "kernel, stride or padding the engine does not support, and a patch over 1024 values (im2col)";
}

/* (accel_int.h) The segments start with a layer whose input the host writes:
 * channel-padded, or im2col rows. */
int accel_plan_segments(struct accel_plan *p, const struct mbn_graph *g)
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
		sg->im2col = !accel_is_pw(l0) && !accel_is_dw(l0);
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
