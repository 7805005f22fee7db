// SPDX-License-Identifier: Apache-2.0
/*
 * quant.c - TFLite 2.9's fixed-point requantization primitives, bit-exact.
 *
 * Owns the integer arithmetic every backend shares: the C model, the CPU reference
 * (cpu_ops.c) and, by name, the RTL requantizer. Each function computes exactly what
 * the cited TFLite/gemmlowp source computes (quoted above it; where the code differs,
 * the comment shows why the result is the same), without signed overflow or left
 * shifts of negative values (C undefined behaviour that the C++ originals rely on
 * being harmless), so it is clean under -fsanitize=undefined.
 */
#include <math.h>
#include <stdint.h>

#include "kernels/quant.h"

/*
 * gemmlowp/fixedpoint/fixedpoint.h SaturatingRoundingDoublingHighMul(int32, int32):
 *   overflow = a == b && a == INT32_MIN
 *   ab_64 = a * b; nudge = ab_64 >= 0 ? 1 << 30 : 1 - (1 << 30)
 *   high32 = (int32)((ab_64 + nudge) / (1ll << 31))     (C division: toward zero)
 *   return overflow ? INT32_MAX : high32
 * For ab >= 0 that is floor((ab + 2^30) / 2^31). For ab < 0, truncating
 * (ab + 1 - 2^30) / 2^31 equals ceil((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) /
 * 2^31) as well (ceil(n / d) = floor((n + d - 1) / d)). So the whole function is one
 * arithmetic shift, without the data-dependent branch on the sign of the product that
 * costs a misprediction per output in the kernels. |ab| <= 2^62: no overflow.
 * test-quant checks this against the literal gemmlowp formula.
 */
int32_t mbn_srdhm(int32_t a, int32_t b)
{
	if (a == b && a == INT32_MIN)
		return INT32_MAX;
	return (int32_t)(((int64_t)a * (int64_t)b + (INT64_C(1) << 30)) >> 31);
}

/*
 * gemmlowp/fixedpoint/fixedpoint.h RoundingDivideByPOT(int32, exponent):
 *   mask = (1ll << exponent) - 1; remainder = x & mask
 *   threshold = (mask >> 1) + (x < 0 ? 1 : 0)
 *   return (x >> exponent) + (remainder > threshold ? 1 : 0)
 * i.e. round half away from zero. x >> exponent is an arithmetic shift (gcc and
 * clang define >> of a negative int that way; it is not undefined behaviour).
 */
int32_t mbn_rdbypot(int32_t x, int exponent)
{
	const int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
	const int32_t remainder = x & mask;
	const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/*
 * tensorflow/lite/kernels/internal/common.h MultiplyByQuantizedMultiplier (the
 * default build, without TFLITE_SINGLE_ROUNDING):
 *   left_shift = shift > 0 ? shift : 0; right_shift = shift > 0 ? 0 : -shift
 *   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * (1 << left_shift),
 *                                                         multiplier), right_shift)
 * x * (1 << left_shift) is a 32-bit product in TFLite; compilers emit a plain
 * (wrapping) shift for it, which we reproduce in unsigned arithmetic. A right shift
 * beyond 31 cannot come from QuantizeMultiplier (it flushes those to 0).
 */
int32_t mbn_mbqm(int32_t x, int32_t multiplier, int shift)
{
	return mbn_requant_scale(x, multiplier, shift, MBN_ROUND_AWAY);
}

/*
 * The multiplier stage with a choice of rounding (quant.h). TFLite 2.9 has three:
 *
 *  MBN_ROUND_AWAY: mbn_mbqm() above, common.h MultiplyByQuantizedMultiplier, and the
 *    NEON code written with gemmlowp's vector RoundingDivideByPOT (vqrdmulh, then a
 *    fixup of -1 for negative values before vrshl, which makes vrshl's ties-up rounding
 *    round ties away from zero).
 *
 *  MBN_ROUND_UP: SaturatingRoundingDoublingHighMul, then a right shift that rounds half
 *    up, (h + (1 << (right - 1))) >> right: ruy's x86 AVX kernels (rounding_right_shift),
 *    DepthwiseConvRound<kUpward> (reference/depthwiseconv_uint8.h), and every NEON
 *    sequence vqrdmulh + vrshl without the fixup (cpu_backend_gemm_custom_gemv.h, the
 *    aarch64 3x3 depthwise kernels). vrshl/srshl computes the sum without overflow: so
 *    does the int64 here.
 *
 *  MBN_ROUND_SINGLE: ruy's arm64 8-bit kernels (ruy/kernel_arm64.cc, "Apply the
 *    fixed-point part of the multiplier") and the per-channel NEON Quantize of
 *    optimized_ops (used by the int8 depthwise general path):
 *      right = min(shift, -1); left = shift - right        ("mvni v8, #0; smin; sub")
 *      x = x << left (sshl, 32-bit wrap); h = sqdmulh(x, M) = floor(x * M / 2^31)
 *        (saturating only INT32_MIN * INT32_MIN); q = srshl(h, right)
 *        = (h + 2^(-right-1)) >> -right
 *    floor(floor(y) + k) = floor(y + k) for an integer k, so q is x * M * 2^shift / 2^31
 *    rounded once, ties up: it differs from the double rounding of MBN_ROUND_UP when
 *    SRDHM's rounding creates a tie (the result is then 1 lower).
 */
int32_t mbn_requant(int32_t x, int32_t multiplier, int shift, enum mbn_rounding rounding)
{
	return mbn_requant_scale(x, multiplier, shift, rounding);
}

/*
 * tensorflow/lite/kernels/internal/quantization_util.cc QuantizeMultiplier:
 *   if (m == 0.) { q = 0; shift = 0; return; }
 *   q = frexp(m, &shift); q_fixed = (int64)TfLiteRound(q * (1ll << 31))
 *   if (q_fixed == 1ll << 31) { q_fixed /= 2; ++shift; }
 *   if (shift < -31) { shift = 0; q_fixed = 0; }
 * TfLiteRound is std::round: half away from zero, as C round().
 */
void mbn_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift)
{
	int exp = 0;
	double q;
	int64_t q_fixed;

	/* A NaN or infinite scale cannot come from a valid model; flush it to 0
	 * rather than convert an out-of-range double (undefined behaviour). */
	if (real == 0. || !isfinite(real)) {
		*multiplier = 0;
		*shift = 0;
		return;
	}
	q = frexp(real, &exp);
	q_fixed = (int64_t)round(q * (double)(INT64_C(1) << 31));
	if (q_fixed == (INT64_C(1) << 31)) {
		q_fixed /= 2;
		++exp;
	}
	if (exp < -31) {
		exp = 0;
		q_fixed = 0;
	}
	*multiplier = (int32_t)q_fixed;
	*shift = exp;
}
