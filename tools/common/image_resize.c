/* image_resize.c - TensorFlow's bilinear resize (two roundings, see below). */
#include "image.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Bilinear resize                                                          */

/*
 * TensorFlow's bilinear resize with align_corners=false, half_pixel_centers=false,
 * i.e. TF1 tf.image.resize_bilinear / TFLite RESIZE_BILINEAR with default options.
 * Source of the formula: tensorflow/lite/kernels/internal/reference/resize_bilinear.h
 * (ComputeInterpolationValues and the float ResizeBilinear<T>):
 *
 *   scale   = (float)in_size / out_size
 *   in      = out * scale                         (float)
 *   i0      = max((int)floor(in), 0)
 *   i1      = min(ceil(in), in_size - 1)
 *   value   = p[y0][x0] * (1 - (iy - y0)) * (1 - (ix - x0))
 *           + p[y1][x0] * (iy - y0) * (1 - (ix - x0))
 *           + p[y0][x1] * (1 - (iy - y0)) * (ix - x0)
 *           + p[y1][x1] * (iy - y0) * (ix - x0)
 *
 * We take i1 = min(i0 + 1, in_size - 1) (TF1's resize_bilinear_op.cc form). It differs
 * from ceil() only when `in` is an integer, and then the i1 terms have weight exactly 0,
 * so the float result is the same bit for bit. The sum is evaluated in the order above,
 * in single precision; the Makefile's -ffp-contract=off keeps the compiler from fusing
 * it into FMAs, which would change the last bit.
 *
 * Rounding (the float -> uint8 step), chosen explicitly:
 *   MBN_RESIZE_ROUND (default): round to nearest, halves up: (uint8)(v + 0.5), clamped
 *     to 0..255. v is never negative (all weights are >= 0), so this is round-half-up.
 *     Rounding makes a constant image stay constant even when the float sum lands a
 *     hair below the integer (e.g. 99.99999), which truncation would turn into 99.
 *   MBN_RESIZE_TRUNCATE: truncation, what TFLite's label_image example does with the
 *     float output of the RESIZE_BILINEAR op (static_cast<uint8_t>). label_image runs the
 *     optimized kernel (optimized_ops ResizeBilinearGeneric), which accumulates
 *     out = 0; out += p00 * (wy0 * wx0); out += p01 * (wy0 * wx1);
 *     out += p10 * (wy1 * wx0); out += p11 * (wy1 * wx1);
 *     so this mode uses that evaluation order, to match it bit for bit.
 *     (For an exact 2x upscale that kernel takes a special ResizeBilinear2x2 path
 *     which is not reproduced here.)
 */
int mbn_image_resize_bilinear_ex(const struct mbn_image *src, int out_w, int out_h,
				 uint8_t *dst, enum mbn_resize_round mode)
{
	if (!src || !src->rgb || src->w < 1 || src->h < 1 || !dst)
		return -EINVAL;
	if (out_w < 1 || out_h < 1 || out_w > MBN_IMAGE_MAX_SIDE || out_h > MBN_IMAGE_MAX_SIDE ||
	    (uint64_t)out_w * (uint64_t)out_h > MBN_IMAGE_MAX_PIXELS)
		return -EINVAL;
	if (mode != MBN_RESIZE_ROUND && mode != MBN_RESIZE_TRUNCATE)
		return -EINVAL;

	const int in_w = src->w, in_h = src->h;
	const float hscale = (float)in_h / (float)out_h;
	const float wscale = (float)in_w / (float)out_w;
	const uint8_t *p = src->rgb;
	const size_t istride = (size_t)in_w * 3;

	for (int y = 0; y < out_h; y++) {
		const float iy = (float)y * hscale;
		int y0 = (int)floorf(iy);
		if (y0 < 0)
			y0 = 0;
		if (y0 > in_h - 1) /* cannot happen for in_h/out_h; float paranoia */
			y0 = in_h - 1;
		const int y1 = y0 + 1 < in_h ? y0 + 1 : in_h - 1;
		const float dy = iy - (float)y0;
		const uint8_t *r0 = p + (size_t)y0 * istride;
		const uint8_t *r1 = p + (size_t)y1 * istride;
		uint8_t *o = dst + (size_t)y * out_w * 3;

		for (int x = 0; x < out_w; x++) {
			const float ix = (float)x * wscale;
			int x0 = (int)floorf(ix);
			if (x0 < 0)
				x0 = 0;
			if (x0 > in_w - 1)
				x0 = in_w - 1;
			const int x1 = x0 + 1 < in_w ? x0 + 1 : in_w - 1;
			const float dx = ix - (float)x0;

			for (int ch = 0; ch < 3; ch++) {
				const float p00 = r0[3 * x0 + ch], p01 = r0[3 * x1 + ch];
				const float p10 = r1[3 * x0 + ch], p11 = r1[3 * x1 + ch];
				float v;
				if (mode == MBN_RESIZE_ROUND) {
					v = p00 * (1 - dy) * (1 - dx) +
						p10 * dy * (1 - dx) +
						p01 * (1 - dy) * dx +
						p11 * dy * dx;
					v += 0.5f;
				} else {
					v = 0.0f;
					v += p00 * ((1 - dy) * (1 - dx));
					v += p01 * ((1 - dy) * dx);
					v += p10 * (dy * (1 - dx));
					v += p11 * (dy * dx);
				}
				o[3 * x + ch] = v <= 0.0f ? 0 : v >= 255.0f ? 255
									    : (uint8_t)v;
			}
		}
	}
	return 0;
}

int mbn_image_resize_bilinear(const struct mbn_image *src, int out_w, int out_h, uint8_t *dst)
{
	return mbn_image_resize_bilinear_ex(src, out_w, out_h, dst, MBN_RESIZE_ROUND);
}
