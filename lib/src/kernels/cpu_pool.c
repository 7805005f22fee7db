// SPDX-License-Identifier: Apache-2.0
/*
 * cpu_pool.c - AVERAGE_POOL_2D and SOFTMAX, bit-exact with TensorFlow Lite 2.9
 * (cpu_ops.h): the classifier head's kernels that are not a GEMM (FULLY_CONNECTED is
 * cpu_ops.c's, on its GEMM). Every device runs them on the CPU.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernels/cpu_ops.h"

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

/* ---------------------------------------------------------------------------------
 * AVERAGE_POOL_2D, no requantization (TFLite requires equal input and output
 * quantization). The window is clipped to the input, count = its valid positions.
 *  - uint8: tensorflow/lite/kernels/internal/optimized/optimized_ops.h AveragePool
 *    (AveragePool16, and reference_ops::AveragePool for windows over 16x16):
 *      a = (sum + count / 2) / count; clamp to [act_min, act_max]
 *  - int8: optimized/integer_ops/pooling.h AveragePool16 (and
 *    reference/integer_ops/pooling.h past 16x16; same rounding), on signed values:
 *      a = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count
 *    (C division truncates: half away from zero), clamp to the int8 bounds.
 * int8 works on v = stored - 128 with bounds act_min - 128, act_max - 128.
 */
static inline uint8_t pool_average(int32_t s, int32_t count, bool is_signed, int32_t lo,
				   int32_t hi)
{
	const int32_t bias = is_signed ? 128 : 0;
	int32_t a;

	if (count == 0)
		a = 0; /* impossible with TFLite's padding (pad < k); avoids a / 0 */
	else if (!is_signed || s > 0)
		a = (s + count / 2) / count;
	else
		a = (s - count / 2) / count;
	a = a < lo ? lo : a > hi ? hi : a;
	return (uint8_t)(a + bias);
}

void mbn_cpu_avgpool(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch)
{
	const int c = l->in_c;
	const int32_t bias = l->is_signed ? 128 : 0;
	const int32_t lo = l->act_min - bias, hi = l->act_max - bias;
	int32_t *sum = scratch;

	for (int oy = 0; oy < l->out_h; oy++) {
		for (int ox = 0; ox < l->out_w; ox++) {
			const int y0 = oy * l->stride_h - l->pad_top;
			const int x0 = ox * l->stride_w - l->pad_left;
			const int fy0 = imax(0, -y0), fy1 = imin(l->k_h, l->in_h - y0);
			const int fx0 = imax(0, -x0), fx1 = imin(l->k_w, l->in_w - x0);
			const int32_t count = imax(0, fy1 - fy0) * imax(0, fx1 - fx0);
			uint8_t *o = out + ((size_t)oy * l->out_w + ox) * c;

			memset(sum, 0, (size_t)c * sizeof(*sum));
			for (int fy = fy0; fy < fy1; fy++)
				for (int fx = fx0; fx < fx1; fx++) {
					const uint8_t *p = in + ((size_t)(y0 + fy) * l->in_w + (x0 + fx)) * c;

					for (int i = 0; i < c; i++)
						sum[i] += p[i] - bias;
				}
			for (int i = 0; i < c; i++)
				o[i] = pool_average(sum[i], count, l->is_signed, lo, hi);
		}
	}
}

/* ---------------------------------------------------------------------------------
 * SOFTMAX. TFLite 2.9's kernels/activations.cc SoftmaxQuantized runs, on x86 (no
 * TFLITE_SOFTMAX_USE_UINT16_LUT, which is aarch64 only), optimized_ops::Softmax from
 * tensorflow/lite/kernels/internal/optimized/optimized_ops.h for both uint8 and int8,
 * with the table from PopulateSoftmaxLookupTable (l->table, built by the loader):
 *   max_val = max(x); table_offset = &table[255 - max_val]
 *   sum_exp = 0.0f; for x: sum_exp += table_offset[x]      (sequential float adds)
 *   inv_sum_exp = 1.0f / (sum_exp * params.scale)          (scale = output scale)
 *   prob = table_offset[x] * inv_sum_exp
 *   QuantizeSoftmaxOutput<uint8_t> (!__aarch64__): (int32)(prob + 0.5f), zero point
 *   unused; QuantizeSoftmaxOutput<int8_t>: (int32)std::round(prob) + zero_point;
 *   clamp to the output type's range.
 * table_offset[x] = table[255 - (max - x)] depends only on max - x, which is the same
 * in the biased domain, so the stored values index the table directly. In the biased
 * domain the int8 result is round(prob) + (zp + 128), clamped to 0..255.
 */
void mbn_cpu_softmax(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	const int depth = l->in_c;
	const int rows = l->in_h * l->in_w;

	for (int r = 0; r < rows; r++, in += depth, out += depth) {
		int max_val = 0;
		float sum_exp = 0.0f, inv_sum_exp;
		const float *t;

		for (int j = 0; j < depth; j++)
			max_val = in[j] > max_val ? in[j] : max_val;
		t = &l->table[255 - max_val];
		for (int j = 0; j < depth; j++)
			sum_exp += t[in[j]];
		inv_sum_exp = 1.0f / (sum_exp * l->out_scale);
		for (int j = 0; j < depth; j++) {
			const float prob = t[in[j]] * inv_sum_exp;
			int32_t q;

			/* prob <= 1 / out_scale (256 for TFLite's required 1/256); the guard
			 * only keeps an absurd scale from an undefined float->int conversion. */
			if (!(prob < 1e9f)) {
				q = 255;
			} else if (l->is_signed) {
				q = (int32_t)roundf(prob) + l->out_zp;
			} else {
				q = (int32_t)(prob + 0.5f);
			}
			out[j] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
		}
	}
}
