/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quant.h - TFLite's fixed-point requantization primitives, bit-exact.
 *
 * Sources (TensorFlow Lite 2.9):
 *   tensorflow/lite/kernels/internal/quantization_util.cc  QuantizeMultiplier
 *   tensorflow/lite/kernels/internal/common.h              MultiplyByQuantizedMultiplier
 *   gemmlowp/fixedpoint/fixedpoint.h  SaturatingRoundingDoublingHighMul, RoundingDivideByPOT
 * The arithmetic itself is hw/model/requant.h, shared with the C model and the RTL
 * testbenches.
 */
#ifndef MBN_QUANT_H
#define MBN_QUANT_H

#include <stdint.h>

#include "requant.h" /* hw/model: enum mbn_rounding, the shared requantizer */

/* (a * b * 2 + 2^31 rounding, half away from zero) >> 32, saturating INT32_MIN^2. */
int32_t mbn_srdhm(int32_t a, int32_t b);
/* x / 2^exponent rounded half away from zero, 0 <= exponent <= 31. */
int32_t mbn_rdbypot(int32_t x, int exponent);
/* TFLite MultiplyByQuantizedMultiplier: shift > 0 shifts left before the multiply. */
int32_t mbn_mbqm(int32_t x, int32_t multiplier, int shift);
/*
 * The three ways TFLite 2.9's kernels apply a quantized multiplier (quant.c says which
 * kernel does which; cpu_ops.c picks one per layer and TFLite build).
 */
/* MBN_ROUND_AWAY: mbn_mbqm (SRDHM, then RoundingDivideByPOT, ties away from 0);
 * MBN_ROUND_UP: SRDHM, then (h + 2^(r-1)) >> r (ties toward +infinity);
 * MBN_ROUND_SINGLE: one rounding of x * M * 2^shift / 2^31, ties toward +infinity.
 * mbn_requant is hw/model/requant.h's mbn_requant_scale: the C model and the hardware
 * testbenches use the same code. */int32_t mbn_requant(int32_t x, int32_t multiplier, int shift, enum mbn_rounding rounding);
/* TFLite QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier in
 * [2^30, 2^31) or 0. */
void mbn_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift);

#endif
