/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_layout.c - the run-time input/output layout: where a segment's input and its
 * output sit in the ACT region (accel_layout_act, at compile time), and the host's
 * copies into and out of it at run time (mbn_accel_write_input: channel padding or
 * im2col rows; mbn_accel_read_output: padding dropped), so the run path needs nothing
 * of the compiler's tiling or emission.
 */
#include <errno.h>
#include <string.h>

#include "compiler/accel_int.h"
#include "util.h"

int accel_layout_act(struct accel_plan *p, const struct mbn_graph *g, uint64_t buf[2])
{
	const int cp = p->chan_pad;

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
	buf[0] = round_up(p->in_bytes, 4096);
	buf[1] = round_up(p->in_bytes, 4096) + round_up(fmap, 4096);
	p->act_size = buf[1] + round_up(fmap, 4096);
	if (p->act_size > 0xffffffffull)
		return mbn_set_error(-ENOTSUP, "activations need %llu bytes, more than a 32-bit region offset reaches",
				     (unsigned long long)p->act_size);
	return 0;
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
