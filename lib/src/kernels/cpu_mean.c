// SPDX-License-Identifier: Apache-2.0
/*
 * cpu_mean.c - MEAN over height and width (the global average pool of Keras exports),
 * bit-exact with TensorFlow Lite 2.9, whose tensorflow/lite/kernels/reduce.cc
 * (EvalMean) picks one of four code paths by type, keep_dims and quantization. The
 * loader (tflite.c, mbn_mean_prepare) chooses the same path and precomputes its
 * constants; this file runs it.
 *
 * Every path sums the stored values of a channel over the H x W window; in the biased
 * domain an int8 value is stored - 128, so the raw sum is the stored sum - 128 * count.
 */
#include <math.h>

#include "kernels/cpu_ops.h"
#include "kernels/quant.h"

static int32_t clamp_q(const struct mbn_layer *l, int32_t raw)
{
	int32_t lo = l->is_signed ? -128 : 0, hi = l->is_signed ? 127 : 255;
	return (raw < lo ? lo : raw > hi ? hi : raw) + (l->is_signed ? 128 : 0);
}

/* The constants of l->mean_path (graph.h MBN_MEAN_*); in_scale, out_scale, in_zp,
 * out_zp (biased), is_signed, in_h/in_w must be set. */
void mbn_mean_prepare(struct mbn_layer *l)
{
	const int32_t in_zp = l->in_zp - (l->is_signed ? 128 : 0), out_zp = l->out_zp - (l->is_signed ? 128 : 0);

	switch (l->mean_path) {
	case MBN_MEAN_OPT_4D: {
		/* kernels/internal/optimized/optimized_ops.h Mean (uint8) and, on the arm64
		 * build, optimized/integer_ops/mean.h Mean (int8), in float: the zero-point
		 * term rounded half away from zero (unlike reference_ops::Mean, which
		 * truncates it), bias = out_zp - (int32)(in_zp * in_scale / out_scale +- 0.5),
		 * real = (double)(in_scale / (count * out_scale)). */
		const float count = (float)(l->in_h * l->in_w);
		float t = (float)in_zp * l->in_scale / l->out_scale;
		t = t > 0 ? t + 0.5f : t - 0.5f;
		l->q_bias = out_zp - (int32_t)t;
		mbn_quantize_multiplier((double)(l->in_scale / (count * l->out_scale)), &l->q_mult, &l->q_shift);
		break;
	}
	case MBN_MEAN_REF_4D:
		/* reduce.cc PrepareMeanOrSum: QuantizeMultiplier(double(in) / double(out)) */
		mbn_quantize_multiplier((double)l->in_scale / (double)l->out_scale, &l->q_mult, &l->q_shift);
		break;
	default:
		break;
	}
}

void mbn_cpu_mean(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	const int c = l->in_c, count = l->in_h * l->in_w;
	const int32_t in_zp = l->in_zp - (l->is_signed ? 128 : 0), out_zp = l->out_zp - (l->is_signed ? 128 : 0);

	for (int ch = 0; ch < c; ch++) {
		int32_t sum = 0;
		for (int p = 0; p < count; p++)
			sum += in[(size_t)p * c + ch];
		if (l->is_signed)
			sum -= 128 * count;
		int32_t v;
		switch (l->mean_path) {
		case MBN_MEAN_OPT_4D: {
			/* int8 on the arm64 build (optimized_integer_ops::Mean): its NEON loop
			 * covers 16 channels at a time and rounds ties up; the channels after
			 * the last full group take the scalar MultiplyByQuantizedMultiplier */
			enum mbn_rounding rd = l->is_signed && l->match == MBN_MATCH_ARM64 && ch < c - c % 16
						       ? MBN_ROUND_UP : MBN_ROUND_AWAY;
			v = mbn_requant(sum, l->q_mult, l->q_shift, rd) + l->q_bias;
			break;
		}
		case MBN_MEAN_REF_4D: {
			/* reference_integer_ops::Mean (kernels/internal/reference/integer_ops/
			 * mean.h): requantize the zero-point-free sum, then divide by the count
			 * rounding half away from zero. */
			int32_t a = mbn_mbqm(sum - in_zp * count, l->q_mult, l->q_shift);
			a = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
			v = a + out_zp;
			break;
		}
		case MBN_MEAN_REF_SAME:
			/* reference_ops::Mean (kernels/internal/reference/reduce.h): the sum
			 * over the count in integers, C division (toward zero). */
			v = sum / count;
			break;
		default: {
			/* reference_ops::QuantizedMeanOrSum (reduce.h), in float:
			 * round(sum / count * (in_scale / out_scale) - in_zp * scale) + out_zp. */
			const float scale = l->in_scale / l->out_scale;
			const float bias = (float)-in_zp * scale;
			const float mean = (float)sum / (float)count;
			v = (int32_t)roundf(mean * scale + bias) + out_zp;
			break;
		}
		}
		out[ch] = (uint8_t)clamp_q(l, v);
	}
}
