/* SPDX-License-Identifier: Apache-2.0 */
/*
 * requant.h - the requantizer, once: TensorFlow Lite 2.9's three ways of applying a
 * quantized multiplier to an int32 accumulator, which the hardware implements
 * (docs/hw.md "Arithmetic", d0[5:4] round) and the CPU kernels use. Header-only and
 * plain C99 (no libc), so that the C model (hw/model/cmodel.c), the library's kernels
 * (lib/src/kernels/quant.c), the RTL testbenches (hw/tb, C++) and the tests share it.
 *
 * mbn_requant_scale(x, M, shift, rounding), with left = max(shift, 0), right =
 * min(max(-shift, 0), 31), x << left a 32-bit wrapping shift (0 if left >= 32):
 *   MBN_ROUND_AWAY (0): SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT
 *     (ties away from zero): tensorflow/lite/kernels/internal/common.h
 *     MultiplyByQuantizedMultiplier; gemmlowp/fixedpoint/fixedpoint.h.
 *   MBN_ROUND_UP (1): the same high multiply, then (h + 2^(right-1)) >> right (ties up):
 *     ruy's x86 kernels, DepthwiseConvRound<kUpward>, NEON vqrdmulh + vrshl.
 *   MBN_ROUND_SINGLE (2): ruy's arm64 kernels (ruy/kernel_arm64.cc): right =
 *     max(-shift, 1) (clamped to 31), left = shift - (-right) when shift >= 0, a high
 *     multiply without the rounding constant (sqdmulh), then ties up (srshl): one
 *     rounding of x * M * 2^shift / 2^31.
 * The high multiply saturates only INT32_MIN * INT32_MIN (to INT32_MAX).
 * lib/src/kernels/quant.c says which TFLite kernel uses which; tests/unit/test-quant.c
 * keeps a deliberately independent implementation (gemmlowp's formulas transcribed
 * literally) as the oracle of this one.
 */
#ifndef MBN_REQUANT_H
#define MBN_REQUANT_H

#include <stdint.h>

enum mbn_rounding {
	MBN_ROUND_AWAY = 0,
	MBN_ROUND_UP = 1,
	MBN_ROUND_SINGLE = 2,
};

static inline int32_t mbn_requant_scale(int32_t x, int32_t mult, int32_t shift, int rounding)
{
	int32_t left = shift > 0 ? shift : 0;
	int32_t right = shift < 0 ? (shift < -31 ? 31 : -shift) : 0;
	if (rounding == MBN_ROUND_SINGLE && shift >= 0) {
		left = shift + 1;
		right = 1;
	}
	int32_t xs = left >= 32 ? 0 : (int32_t)((uint32_t)x << (left & 31));
	int32_t h;
	if (xs == INT32_MIN && mult == INT32_MIN)
		h = INT32_MAX;
	else
		h = (int32_t)(((int64_t)xs * mult + (rounding == MBN_ROUND_SINGLE ? 0 : ((int64_t)1 << 30))) >> 31);
	if (rounding == MBN_ROUND_AWAY) {
		int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
		int32_t threshold = (mask >> 1) + (h < 0 ? 1 : 0);
		return (h >> right) + ((h & mask) > threshold ? 1 : 0);
	}
	return (int32_t)(((int64_t)h + (((int64_t)1 << right) >> 1)) >> right);
}

/* The hardware's output stage: the scaled accumulator plus the output zero point,
 * clamped to [act_min, act_max] (act_min > act_max gives act_max, as TFLite). */
static inline uint8_t mbn_requant_out(int32_t acc, int32_t mult, int32_t shift, int rounding, int32_t out_zp,
				      int32_t act_min, int32_t act_max)
{
	int64_t v = (int64_t)mbn_requant_scale(acc, mult, shift, rounding) + out_zp;
	if (v < act_min)
		v = act_min;
	if (v > act_max)
		v = act_max;
	return (uint8_t)v;
}

#endif /* MBN_REQUANT_H */
