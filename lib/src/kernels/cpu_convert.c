// SPDX-License-Identifier: Apache-2.0
/*
 * cpu_convert.c - the type conversions and padding of exported models, bit-exact with
 * TensorFlow Lite 2.9: QUANTIZE between quantized types (requantization), PAD / PADV2
 * when it could not be folded into the convolution after it (tflite.c), and the float
 * edges of a graph (QUANTIZE float32 -> int8/uint8 at the input, DEQUANTIZE at the
 * output), which api.c applies around the quantized layer chain.
 *
 * All quantized values are in the biased-uint8 domain (graph.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernels/cpu_ops.h"
#include "kernels/quant.h"

/*
 * QUANTIZE int8/uint8 -> int8/uint8: tensorflow/lite/kernels/quantize.cc (Prepare:
 * QuantizeMultiplier(double(in_scale) / double(out_scale)); Eval: Requantize in
 * kernels/internal/reference/requantize.h):
 *   out = clamp(MultiplyByQuantizedMultiplier(in - in_zp, M, shift) + out_zp).
 * Requantize's shortcut for an int8 <-> uint8 pair with equal scales and zero points
 * 128 apart (flip the sign bit) gives the same bytes: M = 2^30, shift 1 is exact.
 * In the biased domain the input and output zero points are shifted alike, so the
 * difference and the clamp bounds (act_min/act_max, the output type's range) carry over.
 */
void mbn_cpu_requantize(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	size_t n = (size_t)l->in_h * l->in_w * l->in_c;
	/* the arm64 build's Requantize runs a NEON loop over 16 elements at a time
	 * (vqrdmulh + rounding shift: ties up); the last n % 16 take the scalar path */
	size_t n_up = l->match == MBN_MATCH_ARM64 ? n - n % 16 : 0;

	for (size_t i = 0; i < n; i++) {
		int32_t v = mbn_requant((int32_t)in[i] - l->in_zp, l->q_mult, l->q_shift,
					i < n_up ? MBN_ROUND_UP : MBN_ROUND_AWAY) + l->out_zp;
		out[i] = (uint8_t)(v < l->act_min ? l->act_min : v > l->act_max ? l->act_max : v);
	}
}

/* PAD / PADV2 (tensorflow/lite/kernels/pad.cc, reference_ops::Pad): the input placed
 * at (pad_top, pad_left) in an out_h x out_w map filled with pad_value (PAD: the output
 * zero point; PADV2: its constant). Channels are never padded (tflite.c refuses it). */
void mbn_cpu_pad(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	const size_t c = (size_t)l->in_c, orow = (size_t)l->out_w * c;

	memset(out, (int)l->pad_value, (size_t)l->out_h * orow);
	for (int y = 0; y < l->in_h; y++)
		memcpy(out + (size_t)(y + l->pad_top) * orow + (size_t)l->pad_left * c,
		       in + (size_t)y * l->in_w * c, (size_t)l->in_w * c);
}

/*
 * QUANTIZE float32 -> int8/uint8 at the graph input: quantize.cc runs
 * optimized_ops::AffineQuantize (kernels/internal/optimized/optimized_ops.h): for
 * each element, with the output tensor's scale held as a double (QuantizationParams),
 *   out = clamp(zp + (int32)TfLiteRound(x / scale), qmin, qmax),
 * TfLiteRound being std::round (half away from zero), the division in double.
 * Out of range (|x / scale| >= 2^31, NaN) the double -> int32 conversion is undefined
 * in C++; the x86 build gives cvttsd2si's "integer indefinite" INT32_MIN, then a
 * wrapping add of the zero point, then the clamp (so +inf comes out as qmin for a zero
 * point >= 0). On the arm64 build the conversion saturates (NaN -> 0), and the first
 * n - n % 8 elements take the NEON loop: x * (float)(1 / scale) in float, rounded to
 * nearest even (vcvtnq_s32_f32, saturating).
 */
static int32_t d2i_x86(double r)
{
	return (r != r || r >= 2147483648.0 || r < -2147483648.0) ? INT32_MIN : (int32_t)r;
}

static int32_t d2i_arm64(double r)
{
	return r != r ? 0 : r >= 2147483648.0 ? INT32_MAX : r < -2147483648.0 ? INT32_MIN : (int32_t)r;
}

void mbn_edge_quantize(const struct mbn_edge *e, enum mbn_match match, const float *in, uint8_t *out, size_t n)
{
	const int32_t qmin = e->is_signed ? -128 : 0, qmax = e->is_signed ? 127 : 255;
	const int32_t bias = e->is_signed ? 128 : 0;
	const bool arm = match == MBN_MATCH_ARM64;
	const size_t n_neon = arm ? n - n % 8 : 0;
	const float rscale = (float)(1.0 / (double)e->scale);

	for (size_t i = 0; i < n; i++) {
		int32_t q;
		if (i < n_neon)
			q = d2i_arm64((double)nearbyintf(in[i] * rscale)); /* (default rounding: to even) */
		else if (arm)
			q = d2i_arm64(round((double)in[i] / (double)e->scale));
		else
			q = d2i_x86(round((double)in[i] / (double)e->scale));
		/* the add of the zero point wraps (two's complement int32) in both builds */
		int32_t v = (int32_t)((uint32_t)q + (uint32_t)e->zero_point);
		v = v < qmin ? qmin : v > qmax ? qmax : v;
		out[i] = (uint8_t)(v + bias);
	}
}

/*
 * DEQUANTIZE at the graph output: tensorflow/lite/kernels/dequantize.cc runs
 * optimized_ops::Dequantize: out = (float)(scale * (q - zp)) with the scale held as a
 * double (DequantizationParams); q - zp and the float scale are exact in double, so
 * that is one rounding of the exact product. The arm64 build's NEON loop (the first
 * n - n % 8 elements) computes fma(q, scale, -(zp * scale)) in float instead: the
 * rounding of zp * scale makes some results differ.
 */
void mbn_edge_dequantize(const struct mbn_edge *e, enum mbn_match match, const uint8_t *in, float *out, size_t n)
{
	const int32_t bias = e->is_signed ? 128 : 0;
	const size_t n_neon = match == MBN_MATCH_ARM64 ? n - n % 8 : 0;
	const float zs = (float)e->zero_point * e->scale;

	for (size_t i = 0; i < n; i++) {
		int32_t q = (int32_t)in[i] - bias;
		out[i] = i < n_neon ? fmaf((float)q, e->scale, -zs)
				    : (float)((double)e->scale * (double)(q - e->zero_point));
	}
}
