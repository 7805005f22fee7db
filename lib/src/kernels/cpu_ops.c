// SPDX-License-Identifier: Apache-2.0
/*
 * cpu_ops.c - the bit-exact CPU reference of every layer kind (cpu_ops.h).
 *
 * Owns the convolution kernels the CPU backend runs (CONV_2D, DEPTHWISE_CONV_2D, and
 * FULLY_CONNECTED, which every device runs on the CPU: all three on one GEMM), their
 * requantization roundings, and the per-layer dispatch (mbn_cpu_run_layer). Average
 * pooling and softmax are cpu_pool.c's, QUANTIZE/PAD cpu_convert.c's, MEAN cpu_mean.c's.
 * Every result must equal TensorFlow Lite 2.9's bit for bit (DESIGN.md section 8): its
 * x86-64 build, or with l->match == MBN_MATCH_ARM64 its arm64 build, whose NEON kernels
 * round differently; each function cites the TFLite source it follows.
 *
 * All activations are in the biased-uint8 domain (graph.h). CONV_2D is computed as
 * TFLite's optimized kernel does it (im2col + GEMM), depthwise as a multiply-add over
 * the channel vector per tap; both on int16 operands
 * (x - in_zp) and int16 weights (w - w_zp) with int32 accumulators: TFLite's im2col
 * fills padding with the input zero point, which contributes (zp - zp) * w = 0, the
 * same as the reference kernels that skip out-of-bounds taps; we pad with int16 zeros
 * after subtracting the zero point, which is the same thing. Integer sums are exact,
 * so the summation order is free and the loops are shaped for the auto-vectorizer.
 *
 * Scratch memory (im2col rows, padded maps, accumulators) is the caller's, allocated
 * once with its plan (mbn_cpu_scratch_bytes), so running a layer cannot fail.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels/cpu_ops.h"
#include "kernels/quant.h"

/*
 * gcc -O2 uses the "very cheap" vectorizer cost model, which refuses loops whose trip
 * count is not a known multiple of the vector width: exactly our dot products. The
 * dynamic model vectorizes them (int16 x int16 -> int32 dot products become pmaddwd),
 * about ten times faster. Integer code only: no float rounding is affected.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define MBN_VECTORIZE __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define MBN_VECTORIZE
#endif

/* Bytes of im2col rows kept hot in L1 while all output channels stream past them. */
#define MBN_GEMM_CHUNK_BYTES (24 * 1024)

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

/*
 * Requantize one accumulator. TFLite 2.9 on x86 does not use one formula for all
 * layers; what it runs (and what the oracle outputs) is:
 *
 *  - DEPTHWISE_CONV_2D: TFLite's own kernels (optimized/depthwiseconv_uint8.h
 *    DepthwiseConvGeneral with kAwayFromZero on non-NEON builds, optimized/
 *    integer_ops/depthwise_conv.h), i.e. common.h MultiplyByQuantizedMultiplier:
 *      RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, M), right)
 *    the final shift rounding half away from zero: mbn_mbqm().
 *
 *  - CONV_2D and FULLY_CONNECTED: optimized_ops::Conv / FullyConnected and their
 *    integer_ops versions hand the whole product to cpu_backend_gemm, which on x86
 *    runs ruy unless the CPU lacks AVX (cpu_backend_gemm_x86.h GemmImplX86,
 *    cpu_backend_context.cc PreferGemmlowpOnX86: use_gemmlowp || !HasAvxOrAbove()).
 *    ruy's AVX2 / AVX-512 8-bit kernels (ruy/kernel_avx2_fma.cc, kernel_avx512.cc,
 *    the rounding_right_shift lambda) apply the same SaturatingRoundingDoublingHighMul
 *    ((x * M + 2^30) >> 31 in 64 bits) but then shift right with a nudge,
 *    (x + (1 << (right - 1))) >> right, rounding ties upward (toward +infinity), an
 *    overflowing x + nudge giving 1 << (31 - right), the exact result. This differs
 *    from MultiplyByQuantizedMultiplier only on negative ties (-k.5 -> -k instead of
 *    -k - 1): layers with a ReLU clamp those away, but logits and activation-free
 *    layers show them. Checked against the TFLite 2.9 oracle on generated CONV_2D,
 *    DEPTHWISE_CONV_2D and FULLY_CONNECTED models without activation, uint8 and int8:
 *    swapping the two roundings makes a quarter of them differ.
 *
 * TFLite 2.9's arm64 build runs other kernels and rounds differently per operator and
 * shape: gemm_rounding() and dw_rounding() below (a layer with l->match ==
 * MBN_MATCH_ARM64; docs/library.md "x86-64 and arm64").
 *
 * Then, as everywhere (e.g. reference/integer_ops/conv.h):
 *   acc += output_offset; acc = max(acc, act_min); acc = min(acc, act_max)
 * The offset addition is a plain int32 add in TFLite (a wrapping add in the SIMD
 * output stages); done in unsigned arithmetic to stay free of undefined behaviour.
 */
static inline uint8_t clamp_out(int32_t v, int32_t zp, int32_t lo, int32_t hi)
{
	v = (int32_t)((uint32_t)v + (uint32_t)zp);
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return (uint8_t)v;
}

static inline uint8_t requant(enum mbn_rounding rnd, int32_t acc, int32_t mult, int32_t shift,
			      int32_t zp, int32_t lo, int32_t hi)
{
	return clamp_out(mbn_requant(acc, mult, shift, rnd), zp, lo, hi);
}

/*
 * CONV_2D / FULLY_CONNECTED: which rounding (quant.h) the layer's TFLite build uses.
 *  x86: ruy's AVX kernels, MBN_ROUND_UP (above).
 *  arm64: cpu_backend_gemm.h Gemm() first tries CustomGemv when the destination has one
 *    column (FULLY_CONNECTED with batch 1; a CONV_2D with one output pixel, such as the
 *    MobileNet classifier): cpu_backend_gemm_custom_gemv.h takes it when the LHS has
 *    >= 4 rows (kKernelRows; here output channels) and >= 8 columns (depth), and
 *    requantizes with vshlq (left) + vqrdmulhq + vrshlq (right): MBN_ROUND_UP, as x86.
 *    Every other GEMM goes to ruy, whose arm64 kernels (ruy/kernel_arm64.cc, all of
 *    them: "sshl; sqdmulh; srshl" with right = min(exponent, -1)) round once:
 *    MBN_ROUND_SINGLE, 1 lower than x86 where SRDHM's rounding makes a tie (about 1 in
 *    300 outputs, positive or negative, so ReLU does not hide it).
 */
static enum mbn_rounding gemm_rounding(const struct mbn_layer *l)
{
	const int depth = l->op == MBN_OP_FC ? l->in_h * l->in_w * l->in_c : l->k_h * l->k_w * l->in_c;
	const int cols = l->op == MBN_OP_FC ? 1 : l->out_h * l->out_w;

	if (l->match != MBN_MATCH_ARM64)
		return MBN_ROUND_UP;
	if (cols == 1 && l->out_c >= 4 && depth >= 8)
		return MBN_ROUND_UP;
	return MBN_ROUND_SINGLE;
}

/*
 * DEPTHWISE_CONV_2D: which rounding; output channels below `split` use lo, the others hi.
 *  x86: MBN_ROUND_AWAY everywhere (above).
 *  arm64, uint8: optimized/depthwiseconv_uint8.h DepthwiseConvWithRounding runs, under
 *    __aarch64__, the 3x3 NEON kernels when Fast3x3FilterKernelSupported (below);
 *    they round DepthwiseConvOutputRounding::kUpward (sqrdmulh + srshl, i.e.
 *    DepthwiseConvRound<kUpward> of reference/depthwiseconv_uint8.h): MBN_ROUND_UP.
 *    Otherwise DepthwiseConvGeneral, whose NEON output stage is vqrdmulhq + gemmlowp's
 *    vector RoundingDivideByPOT and whose scalar tail is MultiplyByQuantizedMultiplier:
 *    MBN_ROUND_AWAY, as x86.
 *  arm64, int8: optimized/integer_ops/depthwise_conv.h DepthwiseConvGeneral ends in
 *    optimized_ops::Quantize(per-channel multipliers), whose NEON loop handles the
 *    output channels 8 at a time (c <= depth - 8: vshlq + vqrdmulhq + vrshlq,
 *    MBN_ROUND_UP) and whose scalar loop the remaining depth % 8 channels
 *    (MultiplyByQuantizedMultiplier, MBN_ROUND_AWAY). The per-channel 3x3 kernel
 *    (DepthwiseConv3x3FilterPerChannel<kUpward>) needs depth % 8 == 0 and rounds up as
 *    well, so it needs no case of its own.
 * Measured against TFLite 2.9's arm64 library (tests/oracle/test-arm64.sh): int8
 * layers with 17 or 23 channels differ in their last channels if those round up.
 */
struct dw_rounding {
	int split;
	enum mbn_rounding lo, hi;
};

/* depthwiseconv_3x3_filter_common.h Fast3x3FilterKernelSupported<kNonPerChannelUint8>,
 * on the operator as TFLite sees it: before a PAD was folded into it (fold_*), its
 * input was that much larger and its own padding that much smaller. */
static bool dw_fast3x3(const struct mbn_layer *l)
{
	const int pad_w = l->pad_left - l->fold_left, pad_h = l->pad_top - l->fold_top;
	const int in_w = l->in_w + l->fold_left + l->fold_right, in_h = l->in_h + l->fold_top + l->fold_bottom;
	const int in_x_end = (l->out_w - 1) * l->stride_w - pad_w + 3;
	const int in_y_end = (l->out_h - 1) * l->stride_h - pad_h + 3;

	if (!(l->k_w == 3 && l->k_h == 3 && l->depth_mult <= 1 && (l->stride_w == 1 || l->stride_w == 2) &&
	      l->stride_w == l->stride_h && (pad_w == 0 || pad_w == 1) && pad_w == pad_h && l->in_c % 8 == 0 &&
	      l->shift[0] <= 0)) /* output_shift <= 0 (uint8: one multiplier) */
		return false;
	/* padding 0: the last window lies inside the input; padding 1: at most 1 past it,
	 * and no 1 x N or N x 1 input */
	if (pad_w == 0)
		return in_x_end <= in_w && in_y_end <= in_h;
	if (!(in_x_end <= in_w + 1 && in_y_end <= in_h + 1))
		return false;
	if (in_w == 1 || in_h == 1)
		return in_w == in_h;
	return true;
}

static struct dw_rounding dw_rounding(const struct mbn_layer *l)
{
	struct dw_rounding r = { l->out_c, MBN_ROUND_AWAY, MBN_ROUND_AWAY };

	if (l->match != MBN_MATCH_ARM64)
		return r;
	if (l->is_signed) {
		r.split = l->out_c - l->out_c % 8;
		r.lo = MBN_ROUND_UP;
	} else if (dw_fast3x3(l)) {
		r.lo = r.hi = MBN_ROUND_UP;
	}
	return r;
}

int mbn_layer_rounding(const struct mbn_layer *l)
{
	struct dw_rounding dr;

	if (l->op != MBN_OP_DWCONV)
		return gemm_rounding(l);
	dr = dw_rounding(l);
	return dr.split == 0 || dr.split == l->out_c || dr.lo == dr.hi ? (int)(dr.split ? dr.lo : dr.hi) : -1;
}

/* ---------------------------------------------------------------------------------
 * Operand preparation.
 */

/* dst[i] = src[i] - zp for n elements. */
MBN_VECTORIZE
static void sub_zp(int16_t *restrict dst, const uint8_t *restrict src, size_t n, int32_t zp)
{
	const int16_t z = (int16_t)zp;

	for (size_t i = 0; i < n; i++)
		dst[i] = (int16_t)(src[i] - z);
}

/*
 * The zero-padded int16 input map of a window op, built in pm (padded_map_elems
 * elements of the caller's scratch): hp x wp x c where padded row
 * r holds input row r - pad_top; positions outside the input are 0 (= zp - zp).
 * hp, wp cover exactly the rows/columns the windows read: (out-1)*stride + k.
 * With rep > 1 every input channel is repeated rep times (depthwise multiplier:
 * output channel ic*rep + m reads input channel ic).
 */
static size_t padded_map_elems(const struct mbn_layer *l, int rep)
{
	const size_t hp = (size_t)(l->out_h - 1) * l->stride_h + l->k_h;
	const size_t wp = (size_t)(l->out_w - 1) * l->stride_w + l->k_w;

	return hp * wp * (size_t)l->in_c * (size_t)rep;
}

MBN_VECTORIZE
static int16_t *padded_map(const struct mbn_layer *l, const uint8_t *in, int rep, int16_t *pm,
			   int *hp_out, int *wp_out)
{
	const int hp = (l->out_h - 1) * l->stride_h + l->k_h;
	const int wp = (l->out_w - 1) * l->stride_w + l->k_w;
	const int ic = l->in_c;
	const size_t c = (size_t)ic * (size_t)rep;
	const int16_t z = (int16_t)l->in_zp;

	memset(pm, 0, padded_map_elems(l, rep) * sizeof(*pm));
	for (int y = 0; y < l->in_h; y++) {
		int r = y + l->pad_top;

		if (r < 0 || r >= hp)
			continue;
		for (int x = 0; x < l->in_w; x++) {
			int col = x + l->pad_left;
			const uint8_t *s = in + ((size_t)y * l->in_w + x) * ic;
			int16_t *d = pm + ((size_t)r * wp + col) * c;

			if (col < 0 || col >= wp)
				continue;
			if (rep == 1) {
				for (int i = 0; i < ic; i++)
					d[i] = (int16_t)(s[i] - z);
			} else {
				for (int i = 0; i < ic; i++)
					for (int m = 0; m < rep; m++)
						d[i * rep + m] = (int16_t)(s[i] - z);
			}
		}
	}
	*hp_out = hp;
	*wp_out = wp;
	return pm;
}

/* ---------------------------------------------------------------------------------
 * GEMM micro-kernels: dot products of 4 operand rows with 2 (or 1) weight rows of
 * length n. Loading each weight once for 4 rows and each row once for 2 weights keeps
 * the loads per multiply low; the vectorizer turns each sum into a pmaddwd chain.
 */
MBN_VECTORIZE
static void dot_4x2(const int16_t *restrict a0, const int16_t *restrict a1,
		    const int16_t *restrict a2, const int16_t *restrict a3,
		    const int16_t *restrict w0, const int16_t *restrict w1, int n,
		    int32_t r[8])
{
	int32_t s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;

	for (int i = 0; i < n; i++) {
		int32_t x0 = w0[i], x1 = w1[i];

		s00 += x0 * a0[i];
		s01 += x0 * a1[i];
		s02 += x0 * a2[i];
		s03 += x0 * a3[i];
		s10 += x1 * a0[i];
		s11 += x1 * a1[i];
		s12 += x1 * a2[i];
		s13 += x1 * a3[i];
	}
	r[0] = s00; r[1] = s01; r[2] = s02; r[3] = s03;
	r[4] = s10; r[5] = s11; r[6] = s12; r[7] = s13;
}

MBN_VECTORIZE
static void dot_4x1(const int16_t *restrict a0, const int16_t *restrict a1,
		    const int16_t *restrict a2, const int16_t *restrict a3,
		    const int16_t *restrict w0, int n, int32_t r[4])
{
	int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (int i = 0; i < n; i++) {
		int32_t x0 = w0[i];

		s0 += x0 * a0[i];
		s1 += x0 * a1[i];
		s2 += x0 * a2[i];
		s3 += x0 * a3[i];
	}
	r[0] = s0; r[1] = s1; r[2] = s2; r[3] = s3;
}

MBN_VECTORIZE
static int32_t dot_1x1(const int16_t *restrict a, const int16_t *restrict w, int n)
{
	int32_t s = 0;

	for (int i = 0; i < n; i++)
		s += (int32_t)a[i] * w[i];
	return s;
}

/*
 * out[p][oc] = requant(rnd, bias[oc] + dot(a[p], w[oc])) for np rows a[p] (stride
 * lda) of length len against l->weights ([out_c][len]); out rows are out_c apart.
 */
MBN_VECTORIZE
static void gemm_rows(const struct mbn_layer *l, const int16_t *a, size_t lda, int np,
		      int len, uint8_t *out)
{
	const int n_oc = l->out_c;
	const int32_t zp = l->out_zp, lo = l->act_min, hi = l->act_max;
	const enum mbn_rounding rnd = gemm_rounding(l);
	int oc = 0;
	int32_t r[8];

	/* A single row (the classifier after the pool): the 4-row kernels below would
	 * compute it four times over. */
	if (np == 1) {
		for (; oc < n_oc; oc++)
			out[oc] = requant(rnd, l->bias[oc] + dot_1x1(a, l->weights + (size_t)oc * len, len),
					       l->mult[oc], l->shift[oc], zp, lo, hi);
		return;
	}
	for (; oc + 2 <= n_oc; oc += 2) {
		const int16_t *w0 = l->weights + (size_t)oc * len, *w1 = w0 + len;

		for (int p = 0; p < np; p += 4) {
			/* Rows past the end repeat the last one; their results are dropped. */
			const int16_t *a0 = a + (size_t)p * lda;
			const int16_t *a1 = a + (size_t)imin(p + 1, np - 1) * lda;
			const int16_t *a2 = a + (size_t)imin(p + 2, np - 1) * lda;
			const int16_t *a3 = a + (size_t)imin(p + 3, np - 1) * lda;

			dot_4x2(a0, a1, a2, a3, w0, w1, len, r);
			for (int i = 0; i < 4 && p + i < np; i++) {
				uint8_t *o = out + (size_t)(p + i) * n_oc + oc;

				o[0] = requant(rnd, l->bias[oc] + r[i], l->mult[oc], l->shift[oc],
						    zp, lo, hi);
				o[1] = requant(rnd, l->bias[oc + 1] + r[4 + i], l->mult[oc + 1],
					       l->shift[oc + 1], zp, lo, hi);
			}
		}
	}
	if (oc < n_oc) {
		const int16_t *w0 = l->weights + (size_t)oc * len;

		for (int p = 0; p < np; p += 4) {
			const int16_t *a0 = a + (size_t)p * lda;
			const int16_t *a1 = a + (size_t)imin(p + 1, np - 1) * lda;
			const int16_t *a2 = a + (size_t)imin(p + 2, np - 1) * lda;
			const int16_t *a3 = a + (size_t)imin(p + 3, np - 1) * lda;

			dot_4x1(a0, a1, a2, a3, w0, len, r);
			for (int i = 0; i < 4 && p + i < np; i++)
				out[(size_t)(p + i) * n_oc + oc] =
					requant(rnd, l->bias[oc] + r[i], l->mult[oc], l->shift[oc],
						     zp, lo, hi);
		}
	}
}

/* ---------------------------------------------------------------------------------
 * CONV_2D. tensorflow/lite/kernels/internal/reference/conv.h (uint8) and
 * reference/integer_ops/conv.h (int8 per channel):
 *   acc = bias[oc] + sum_{kh,kw,ic, in bounds} (in - in_zp) * (w - w_zp)
 *   out = clamp(out_zp + MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]))
 * with the rounding of the x86 GEMM TFLite actually runs (requant_gemm, above),
 * computed as optimized_ops::Conv does it: im2col rows of k_h*k_w*in_c values in the
 * weights' [kh][kw][ic] order, times the [out_c][k_h*k_w*in_c] weight matrix.
 */
/* The GEMM's rows per chunk: a chunk of im2col rows stays in the L1/L2 cache. */
static int conv_chunk(const struct mbn_layer *l)
{
	const int len = l->k_h * l->k_w * l->in_c;

	return imax(4, (MBN_GEMM_CHUNK_BYTES / (int)sizeof(int16_t) / imax(len, 1)) & ~3);
}

static bool conv_is_pointwise(const struct mbn_layer *l)
{
	return l->k_h == 1 && l->k_w == 1 && l->stride_h == 1 && l->stride_w == 1 &&
	       l->pad_top == 0 && l->pad_left == 0 && l->out_h == l->in_h && l->out_w == l->in_w;
}

static size_t conv_scratch(const struct mbn_layer *l)
{
	const size_t len = (size_t)l->k_h * l->k_w * l->in_c;

	if (conv_is_pointwise(l))
		return (size_t)l->out_h * l->out_w * l->in_c * sizeof(int16_t);
	return (padded_map_elems(l, 1) + (size_t)conv_chunk(l) * len) * sizeof(int16_t);
}

void mbn_cpu_conv(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch)
{
	const int len = l->k_h * l->k_w * l->in_c;
	const int npix = l->out_h * l->out_w;
	const int chunk = conv_chunk(l);

	if (conv_is_pointwise(l)) {
		/* 1x1 stride 1: the im2col matrix is the input itself. */
		int16_t *a = scratch;

		sub_zp(a, in, (size_t)npix * l->in_c, l->in_zp);
		for (int p0 = 0; p0 < npix; p0 += chunk)
			gemm_rows(l, a + (size_t)p0 * l->in_c, l->in_c, imin(chunk, npix - p0),
				  len, out + (size_t)p0 * l->out_c);
		return;
	}

	int hp, wp;
	int16_t *pm = padded_map(l, in, 1, scratch, &hp, &wp);
	int16_t *buf = pm + padded_map_elems(l, 1);
	const size_t row = (size_t)l->k_w * l->in_c;

	for (int p0 = 0; p0 < npix; p0 += chunk) {
		const int np = imin(chunk, npix - p0);

		for (int i = 0; i < np; i++) {
			const int oy = (p0 + i) / l->out_w, ox = (p0 + i) % l->out_w;

			for (int kh = 0; kh < l->k_h; kh++)
				memcpy(buf + (size_t)i * len + kh * row,
				       pm + (((size_t)oy * l->stride_h + kh) * wp +
					     (size_t)ox * l->stride_w) * l->in_c,
				       row * sizeof(*buf));
		}
		gemm_rows(l, buf, len, np, len, out + (size_t)p0 * l->out_c);
	}
}

/* ---------------------------------------------------------------------------------
 * DEPTHWISE_CONV_2D. tensorflow/lite/kernels/internal/reference/
 * depthwiseconv_uint8.h and reference/integer_ops/depthwise_conv.h:
 *   oc = ic * depth_multiplier + m reads input channel ic
 *   acc = bias[oc] + sum_{kh,kw in bounds} (in[ic] - in_zp) * w[kh][kw][oc]
 *   out = clamp(out_zp + MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]))
 * The padded map repeats each input channel depth_mult times so that every tap is
 * one contiguous multiply-accumulate over all output channels.
 */
MBN_VECTORIZE
static void mac_row(int32_t *restrict acc, const int16_t *restrict x,
		    const int16_t *restrict w, int n)
{
	for (int c = 0; c < n; c++)
		acc[c] += (int32_t)x[c] * w[c];
}

MBN_VECTORIZE
static void dwconv_rows(const struct mbn_layer *l, const int16_t *pm, int wp,
			int32_t *restrict acc, uint8_t *out)
{
	const int c = l->out_c;
	const struct dw_rounding dr = dw_rounding(l);

	for (int oy = 0; oy < l->out_h; oy++) {
		for (int ox = 0; ox < l->out_w; ox++) {
			uint8_t *o = out + ((size_t)oy * l->out_w + ox) * c;

			memcpy(acc, l->bias, (size_t)c * sizeof(*acc));
			for (int kh = 0; kh < l->k_h; kh++)
				for (int kw = 0; kw < l->k_w; kw++)
					mac_row(acc,
						pm + (((size_t)oy * l->stride_h + kh) * wp +
						      (size_t)ox * l->stride_w + kw) * c,
						l->weights + ((size_t)kh * l->k_w + kw) * c, c);
			for (int i = 0; i < c; i++)
				o[i] = requant(i < dr.split ? dr.lo : dr.hi, acc[i], l->mult[i], l->shift[i], l->out_zp,
					       l->act_min, l->act_max);
		}
	}
}

/* acc (out_c int32) first, so it is aligned, then the padded map */
static size_t dwconv_scratch(const struct mbn_layer *l)
{
	const int dm = l->depth_mult > 0 ? l->depth_mult : 1;

	return (size_t)l->out_c * sizeof(int32_t) + padded_map_elems(l, dm) * sizeof(int16_t);
}

/* out_c == in_c * depth_mult: the loader refuses any other depthwise layer */
void mbn_cpu_dwconv(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch)
{
	const int dm = l->depth_mult > 0 ? l->depth_mult : 1;
	int32_t *acc = scratch;
	int hp, wp;
	int16_t *pm = padded_map(l, in, dm, (int16_t *)(acc + l->out_c), &hp, &wp);

	dwconv_rows(l, pm, wp, acc, out);
}

/* ---------------------------------------------------------------------------------
 * FULLY_CONNECTED. tensorflow/lite/kernels/internal/reference/fully_connected.h
 * (uint8) and reference/integer_ops/fully_connected.h (int8):
 *   acc = bias[oc] + sum_i (in[i] - in_zp) * (w[oc][i] - w_zp)
 *   out = clamp(out_zp + MultiplyByQuantizedMultiplier(acc, mult, shift))
 * with the rounding of the x86 GEMM TFLite runs (optimized_ops::FullyConnected ->
 * cpu_backend_gemm -> ruy; requant_gemm, above). One row: the in_h * in_w * in_c
 * input elements (graph.h sets in_h = in_w = 1).
 */
void mbn_cpu_fc(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch)
{
	const int n = l->in_h * l->in_w * l->in_c;
	const enum mbn_rounding rnd = gemm_rounding(l);
	int16_t *a = scratch;

	sub_zp(a, in, (size_t)n, l->in_zp);
	for (int oc = 0; oc < l->out_c; oc++)
		out[oc] = requant(rnd, l->bias[oc] + dot_1x1(a, l->weights + (size_t)oc * n, n),
				  l->mult[oc], l->shift[oc], l->out_zp, l->act_min, l->act_max);
}

/* Scratch of each layer kind (cpu_ops.h); the others need none. */
size_t mbn_cpu_scratch_bytes(const struct mbn_layer *l)
{
	switch (l->op) {
	case MBN_OP_CONV:
		return conv_scratch(l);
	case MBN_OP_DWCONV:
		return dwconv_scratch(l);
	case MBN_OP_AVGPOOL:
		return (size_t)l->in_c * sizeof(int32_t);
	case MBN_OP_FC:
		return (size_t)l->in_h * l->in_w * l->in_c * sizeof(int16_t);
	default:
		return 0;
	}
}

void mbn_cpu_run_layer(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch)
{
	switch (l->op) {
	case MBN_OP_CONV:
		mbn_cpu_conv(l, in, out, scratch);
		break;
	case MBN_OP_DWCONV:
		mbn_cpu_dwconv(l, in, out, scratch);
		break;
	case MBN_OP_AVGPOOL:
		mbn_cpu_avgpool(l, in, out, scratch);
		break;
	case MBN_OP_FC:
		mbn_cpu_fc(l, in, out, scratch);
		break;
	case MBN_OP_SOFTMAX:
		mbn_cpu_softmax(l, in, out);
		break;
	case MBN_OP_RESHAPE: /* and SQUEEZE: the bytes are unchanged */
		if (in != out)
			memmove(out, in, (size_t)l->in_h * l->in_w * l->in_c);
		break;
	case MBN_OP_QUANTIZE:
		mbn_cpu_requantize(l, in, out);
		break;
	case MBN_OP_PAD:
		mbn_cpu_pad(l, in, out);
		break;
	case MBN_OP_MEAN:
		mbn_cpu_mean(l, in, out);
		break;
	}
}
