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
#include <stdint.h>
#include <string.h>

#include "cpu_ops.h"
#include "quant.h"

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

	for (size_t i = 0; i < n; i++) {
		int32_t v = mbn_mbqm((int32_t)in[i] - l->in_zp, l->q_mult, l->q_shift) + l->out_zp;
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
 * each element, with the float scale of the output tensor,
 *   out = clamp(zp + (int32)TfLiteRound(x / scale), qmin, qmax),
 * TfLiteRound being std::round (half away from zero), the division in float.
 * Out of range (|x / scale| >= 2^31, NaN) the float -> int32 conversion is undefined in
 * C++; what the x86 build does there is cvttss2si's "integer indefinite" INT32_MIN,
 * then a wrapping add of the zero point, then the clamp (so +inf comes out as qmin
 * for a zero point >= 0). The arm64 build's fcvtzs saturates instead and maps NaN to
 * 0. Both are reproduced, for inputs no sane model sees but a fuzzer does.
 */
static int32_t f2i_x86(float r)
{
	return (r != r || r >= 2147483648.0f || r < -2147483648.0f) ? INT32_MIN : (int32_t)r;
}

static int32_t f2i_arm64(float r)
{
	return r != r ? 0 : r >= 2147483648.0f ? INT32_MAX : r < -2147483648.0f ? INT32_MIN : (int32_t)r;
}

void mbn_edge_quantize(const struct mbn_edge *e, enum mbn_match match, const float *in, uint8_t *out, size_t n)
{
	const int32_t qmin = e->is_signed ? -128 : 0, qmax = e->is_signed ? 127 : 255;
	const int32_t bias = e->is_signed ? 128 : 0;

	for (size_t i = 0; i < n; i++) {
		float r = roundf(in[i] / e->scale);
		int32_t q = match == MBN_MATCH_ARM64 ? f2i_arm64(r) : f2i_x86(r);
		/* the add wraps in the x86 build (two's complement int32) */
		int32_t v = (int32_t)((uint32_t)q + (uint32_t)e->zero_point);
		v = v < qmin ? qmin : v > qmax ? qmax : v;
		out[i] = (uint8_t)(v + bias);
	}
}

/*
 * DEQUANTIZE at the graph output: tensorflow/lite/kernels/dequantize.cc runs
 * optimized_ops::Dequantize: out = (float)(scale * (q - zp)) with the scale held as a
 * double (DequantizationParams). q - zp and the float scale are exact in double and
 * their product has at most 24 + 9 significant bits, so the one rounding to float is
 * the same as a float multiply: the NEON path of the arm64 build gives the same bytes.
 */
void mbn_edge_dequantize(const struct mbn_edge *e, enum mbn_match match, const uint8_t *in, float *out, size_t n)
{
	const int32_t bias = e->is_signed ? 128 : 0;

	(void)match;
	for (size_t i = 0; i < n; i++)
		out[i] = (float)((double)e->scale * (double)((int32_t)in[i] - bias - e->zero_point));
}
