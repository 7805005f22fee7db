// SPDX-License-Identifier: Apache-2.0
/*
 * test-cpu-ops.c - the CPU kernels (lib/src/kernels/cpu_ops.c) against deliberately naive
 * direct implementations written here: random layers of every geometry (kernel 1..5,
 * stride 1..3, SAME / VALID / explicit pads, odd sizes, depth multiplier 1..3, uint8
 * and int8, clamps). The int8 references work on the true signed values (stored - 128)
 * with the model's own zero points and bounds, so they also check the biased-uint8
 * domain of graph.h. Bit-exactness against TFLite itself is the end-to-end oracle test's
 * job. The hand-computed cases are test-cpu-ops-hand.c; the layer helpers both use are
 * test-cpu-ops.h.
 *
 *   test-cpu-ops           run the checks
 *   test-cpu-ops --seed N  the same with another random seed
 *   test-cpu-ops --bench   time the kernels on MobileNet v1 1.0-224 layer shapes
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/cpu_ops.h"
#include "graph.h"
#include "kernels/quant.h"

#include "check.h"
#include "test-cpu-ops.h"

/* xorshift64* */
static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}
static int rnd(int lo, int hi) /* inclusive */
{
	return lo + (int)(rnd64() % (uint64_t)(hi - lo + 1));
}

static int imin_(int a, int b) { return a < b ? a : b; }

/* ---------------------------------------------------------------------------------
 * Layer construction.
 */
/* Random quantization: zero points, clamps, per-channel multipliers from a real
 * scale as TFLite would produce them (mostly < 1; sometimes > 1 for a left shift). */
static void random_quant(struct mbn_layer *l, int max_weight, int bias_range)
{
	l->is_signed = rnd(0, 1);
	l->in_zp = rnd(0, 255);
	l->out_zp = rnd(0, 255);
	switch (rnd(0, 3)) {
	case 0:
		l->act_min = 0;
		l->act_max = 255;
		break;
	case 1: /* ReLU6-like: [zp, zp + k] */
		l->act_min = l->out_zp;
		l->act_max = imin_(255, l->out_zp + rnd(0, 200));
		break;
	default:
		l->act_min = rnd(0, 128);
		l->act_max = rnd(l->act_min, 255);
		break;
	}
	(void)max_weight;
	for (int oc = 0; oc < l->out_c; oc++) {
		double real = ldexp(0.5 + 0.5 * (double)(rnd64() >> 11) / 9007199254740992.0,
				    rnd(0, 9) == 0 ? rnd(0, 3) : -rnd(3, 14));
		mbn_quantize_multiplier(real, &l->mult[oc], &l->shift[oc]);
		l->bias[oc] = rnd(-bias_range, bias_range);
	}
}

/* ---------------------------------------------------------------------------------
 * Naive references. uint8: the formula on stored values. int8: on true values.
 */
/* The multiplier stage TFLite 2.9 runs on x86 (see cpu_ops.c requant_dw/_gemm):
 * depthwise uses common.h MultiplyByQuantizedMultiplier (mbn_mbqm, test-quant checks
 * it); conv and FC go through ruy, whose final shift rounds ties toward +infinity.
 * Written here as floor division plus a remainder test. */
static int32_t ref_ruy_mbqm(int32_t acc, int32_t mult, int shift)
{
	int64_t x = acc;
	if (shift > 0)
		x = (int32_t)(uint32_t)((uint64_t)(uint32_t)acc << shift);
	int64_t hi = mbn_srdhm((int32_t)x, mult);
	if (shift >= 0)
		return (int32_t)hi;
	int64_t d = INT64_C(1) << -shift;
	int64_t q = hi / d, rem = hi % d;
	if (rem < 0) {
		q--;
		rem += d;
	}
	return (int32_t)(2 * rem >= d ? q + 1 : q);
}

static uint8_t ref_requant(const struct mbn_layer *l, int oc, int32_t acc)
{
	int off = l->is_signed ? 128 : 0;
	int32_t m = l->op == MBN_OP_DWCONV ? mbn_mbqm(acc, l->mult[oc], l->shift[oc])
					   : ref_ruy_mbqm(acc, l->mult[oc], l->shift[oc]);
	int32_t v = m + (l->out_zp - off);
	if (v < l->act_min - off)
		v = l->act_min - off;
	if (v > l->act_max - off)
		v = l->act_max - off;
	return (uint8_t)(v + off);
}

/* the input value as the model sees it, minus its zero point */
static int32_t ref_in(const struct mbn_layer *l, uint8_t stored)
{
	if (l->is_signed)
		return (int32_t)(int8_t)(stored ^ 0x80) - (l->in_zp - 128);
	return (int32_t)stored - l->in_zp;
}

static void ref_conv(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	for (int oy = 0; oy < l->out_h; oy++)
		for (int ox = 0; ox < l->out_w; ox++)
			for (int oc = 0; oc < l->out_c; oc++) {
				int32_t acc = l->bias[oc];
				for (int kh = 0; kh < l->k_h; kh++)
					for (int kw = 0; kw < l->k_w; kw++)
						for (int ic = 0; ic < l->in_c; ic++) {
							int y = oy * l->stride_h - l->pad_top + kh;
							int x = ox * l->stride_w - l->pad_left + kw;
							if (y < 0 || y >= l->in_h || x < 0 || x >= l->in_w)
								continue;
							acc += ref_in(l, in[(y * l->in_w + x) * l->in_c + ic]) *
							       l->weights[((oc * l->k_h + kh) * l->k_w + kw) *
									  l->in_c + ic];
						}
				out[(oy * l->out_w + ox) * l->out_c + oc] = ref_requant(l, oc, acc);
			}
}

static void ref_dwconv(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	for (int oy = 0; oy < l->out_h; oy++)
		for (int ox = 0; ox < l->out_w; ox++)
			for (int ic = 0; ic < l->in_c; ic++)
				for (int m = 0; m < l->depth_mult; m++) {
					int oc = ic * l->depth_mult + m;
					int32_t acc = l->bias[oc];
					for (int kh = 0; kh < l->k_h; kh++)
						for (int kw = 0; kw < l->k_w; kw++) {
							int y = oy * l->stride_h - l->pad_top + kh;
							int x = ox * l->stride_w - l->pad_left + kw;
							if (y < 0 || y >= l->in_h || x < 0 || x >= l->in_w)
								continue;
							acc += ref_in(l, in[(y * l->in_w + x) * l->in_c + ic]) *
							       l->weights[(kh * l->k_w + kw) * l->out_c + oc];
						}
					out[(oy * l->out_w + ox) * l->out_c + oc] = ref_requant(l, oc, acc);
				}
}

static void ref_fc(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	for (int oc = 0; oc < l->out_c; oc++) {
		int32_t acc = l->bias[oc];
		for (int i = 0; i < l->in_c; i++)
			acc += ref_in(l, in[i]) * l->weights[oc * l->in_c + i];
		out[oc] = ref_requant(l, oc, acc);
	}
}

/* reference/pooling.h (uint8) and reference/integer_ops/pooling.h (int8) */
static void ref_avgpool(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	for (int oy = 0; oy < l->out_h; oy++)
		for (int ox = 0; ox < l->out_w; ox++)
			for (int c = 0; c < l->in_c; c++) {
				int32_t sum = 0, count = 0, a;
				for (int kh = 0; kh < l->k_h; kh++)
					for (int kw = 0; kw < l->k_w; kw++) {
						int y = oy * l->stride_h - l->pad_top + kh;
						int x = ox * l->stride_w - l->pad_left + kw;
						if (y < 0 || y >= l->in_h || x < 0 || x >= l->in_w)
							continue;
						uint8_t s = in[(y * l->in_w + x) * l->in_c + c];
						sum += l->is_signed ? (int8_t)(s ^ 0x80) : s;
						count++;
					}
				if (l->is_signed) {
					a = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
					if (a < l->act_min - 128)
						a = l->act_min - 128;
					if (a > l->act_max - 128)
						a = l->act_max - 128;
					out[(oy * l->out_w + ox) * l->in_c + c] = (uint8_t)(int8_t)a ^ 0x80;
				} else {
					a = (sum + count / 2) / count;
					if (a < l->act_min)
						a = l->act_min;
					if (a > l->act_max)
						a = l->act_max;
					out[(oy * l->out_w + ox) * l->in_c + c] = (uint8_t)a;
				}
			}
}

/* optimized_ops::Softmax of TFLite 2.9, on the model's own types: uint8 or int8
 * input indexed as TFLite does (&table[255 - max] then [x], x signed for int8). */
static void ref_softmax(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	int n = l->in_c;
	int32_t max_val = l->is_signed ? -128 : 0;
	int32_t x[4096];
	for (int j = 0; j < n; j++) {
		x[j] = l->is_signed ? (int8_t)(in[j] ^ 0x80) : in[j];
		if (x[j] > max_val)
			max_val = x[j];
	}
	const float *table_offset = &l->table[255 - max_val];
	float sum_exp = 0.0f;
	for (int j = 0; j < n; j++)
		sum_exp += table_offset[x[j]];
	const float inv_sum_exp = 1.0f / (sum_exp * l->out_scale);
	for (int j = 0; j < n; j++) {
		const float prob = table_offset[x[j]] * inv_sum_exp;
		if (l->is_signed) {
			int32_t q = (int32_t)roundf(prob) + (l->out_zp - 128);
			q = q < -128 ? -128 : q > 127 ? 127 : q;
			out[j] = (uint8_t)(int8_t)q ^ 0x80;
		} else {
			int32_t q = (int32_t)(prob + 0.5f);
			q = q < 0 ? 0 : q > 255 ? 255 : q;
			out[j] = (uint8_t)q;
		}
	}
}


/* ---------------------------------------------------------------------------------
 * Random geometry: TFLite's SAME / VALID (kernels/padding.h) or an explicit pad.
 */
static bool random_window(struct mbn_layer *l, int max_k)
{
	l->k_h = rnd(1, max_k);
	l->k_w = rnd(0, 2) ? l->k_h : rnd(1, max_k);
	l->stride_h = rnd(1, 3);
	l->stride_w = rnd(0, 2) ? l->stride_h : rnd(1, 3);
	l->in_h = rnd(1, 13);
	l->in_w = rnd(1, 13);
	switch (rnd(0, 2)) {
	case 0: { /* SAME */
		l->out_h = (l->in_h + l->stride_h - 1) / l->stride_h;
		l->out_w = (l->in_w + l->stride_w - 1) / l->stride_w;
		int th = (l->out_h - 1) * l->stride_h + l->k_h - l->in_h;
		int tw = (l->out_w - 1) * l->stride_w + l->k_w - l->in_w;
		l->pad_top = th > 0 ? th / 2 : 0;
		l->pad_left = tw > 0 ? tw / 2 : 0;
		break;
	}
	case 1: /* VALID */
		if (l->in_h < l->k_h || l->in_w < l->k_w)
			return false;
		l->out_h = (l->in_h - l->k_h) / l->stride_h + 1;
		l->out_w = (l->in_w - l->k_w) / l->stride_w + 1;
		l->pad_top = l->pad_left = 0;
		break;
	default: /* explicit, asymmetric: pad < k on each side */
		l->pad_top = rnd(0, l->k_h - 1);
		l->pad_left = rnd(0, l->k_w - 1);
		int hb = rnd(0, l->k_h - 1), wb = rnd(0, l->k_w - 1);
		if (l->in_h + l->pad_top + hb < l->k_h || l->in_w + l->pad_left + wb < l->k_w)
			return false;
		l->out_h = (l->in_h + l->pad_top + hb - l->k_h) / l->stride_h + 1;
		l->out_w = (l->in_w + l->pad_left + wb - l->k_w) / l->stride_w + 1;
		break;
	}
	return true;
}

static void random_bytes(uint8_t *p, size_t n)
{
	int mode = rnd(0, 3);
	int lo = rnd(0, 255), hi = rnd(lo, 255);
	for (size_t i = 0; i < n; i++)
		p[i] = mode == 0 ? (uint8_t)rnd(lo, hi) : (uint8_t)rnd(0, 255);
}

static void random_weights(int16_t *w, size_t n)
{
	int range = rnd(0, 3) == 0 ? 255 : 127;
	for (size_t i = 0; i < n; i++)
		w[i] = (int16_t)rnd(-range, range);
}

static const char *describe(const struct mbn_layer *l)
{
	static char buf[256];
	snprintf(buf, sizeof(buf),
		 "%s in %dx%dx%d out %dx%dx%d k %dx%d s %dx%d pad %d,%d dm %d %s zp %d/%d clamp %d..%d",
		 l->op_name, l->in_h, l->in_w, l->in_c, l->out_h, l->out_w, l->out_c, l->k_h,
		 l->k_w, l->stride_h, l->stride_w, l->pad_top, l->pad_left, l->depth_mult,
		 l->is_signed ? "int8" : "uint8", l->in_zp, l->out_zp, l->act_min, l->act_max);
	return buf;
}

typedef void (*kernel_fn)(const struct mbn_layer *, const uint8_t *, uint8_t *);

/* Run kernel and reference on random input; 0 if identical. Guard bytes around the
 * output catch out-of-bounds writes in the plain build too. */
static int compare(const struct mbn_layer *l, kernel_fn fn, kernel_fn ref, char *why,
		   size_t why_len)
{
	size_t n_in = (size_t)l->in_h * l->in_w * l->in_c;
	size_t n_out = (size_t)l->out_h * l->out_w * l->out_c;
	uint8_t *in = malloc(n_in), *got = malloc(n_out + 32), *want = malloc(n_out);
	int bad = 0;

	random_bytes(in, n_in);
	memset(got, 0xa5, n_out + 32);
	memset(want, 0, n_out);
	fn(l, in, got + 16);
	ref(l, in, want);
	for (size_t i = 0; i < 16; i++)
		if (got[i] != 0xa5 || got[16 + n_out + i] != 0xa5) {
			snprintf(why, why_len, "wrote outside the output: %s", describe(l));
			bad = 1;
			break;
		}
	for (size_t i = 0; !bad && i < n_out; i++)
		if (got[16 + i] != want[i]) {
			snprintf(why, why_len, "element %zu got %u want %u: %s", i, got[16 + i],
				 want[i], describe(l));
			bad = 1;
		}
	free(in);
	free(got);
	free(want);
	return bad;
}

static void test_random_conv(int iters)
{
	char why[512] = "";
	int bad = 0, done = 0, pointwise = 0;

	while (done < iters && !bad) {
		struct mbn_layer l = { .op = MBN_OP_CONV, .op_name = "CONV_2D", .depth_mult = 1 };
		if (rnd(0, 3) == 0) { /* pointwise fast path, sometimes large */
			l.k_h = l.k_w = l.stride_h = l.stride_w = 1;
			l.in_h = l.out_h = rnd(1, 24);
			l.in_w = l.out_w = rnd(1, 24);
			pointwise++;
		} else if (!random_window(&l, 5)) {
			continue;
		}
		l.in_c = rnd(0, 4) ? rnd(1, 40) : rnd(100, 300);
		l.out_c = rnd(1, 37);
		alloc_params(&l, (size_t)l.out_c * l.k_h * l.k_w * l.in_c);
		random_weights(l.weights, (size_t)l.out_c * l.k_h * l.k_w * l.in_c);
		random_quant(&l, 255, 1 << 16);
		bad = compare(&l, run_layer, ref_conv, why, sizeof(why));
		free_layer(&l);
		done++;
	}
	check("random conv vs naive", !bad, "%s", why);
	if (!bad)
		check("random conv covered pointwise layers", pointwise > iters / 8, "%d", pointwise);
}

static void test_random_dwconv(int iters)
{
	char why[512] = "";
	int bad = 0, done = 0;

	while (done < iters && !bad) {
		struct mbn_layer l = { .op = MBN_OP_DWCONV, .op_name = "DEPTHWISE_CONV_2D" };
		if (!random_window(&l, 5))
			continue;
		l.in_c = rnd(0, 4) ? rnd(1, 40) : rnd(100, 260);
		l.depth_mult = rnd(0, 2) ? 1 : rnd(2, 3);
		l.out_c = l.in_c * l.depth_mult;
		alloc_params(&l, (size_t)l.k_h * l.k_w * l.out_c);
		random_weights(l.weights, (size_t)l.k_h * l.k_w * l.out_c);
		random_quant(&l, 255, 1 << 14);
		bad = compare(&l, run_layer, ref_dwconv, why, sizeof(why));
		free_layer(&l);
		done++;
	}
	check("random depthwise vs naive", !bad, "%s", why);
}

static void test_random_avgpool(int iters)
{
	char why[512] = "";
	int bad = 0, done = 0;

	while (done < iters && !bad) {
		struct mbn_layer l = { .op = MBN_OP_AVGPOOL, .op_name = "AVERAGE_POOL_2D" };
		if (rnd(0, 4) == 0) { /* global pool, MobileNet's 7x7 */
			l.in_h = l.k_h = rnd(1, 9);
			l.in_w = l.k_w = rnd(1, 9);
			l.stride_h = l.stride_w = 2;
			l.out_h = l.out_w = 1;
		} else if (!random_window(&l, 5)) {
			continue;
		}
		l.in_c = l.out_c = rnd(1, 70);
		l.is_signed = rnd(0, 1);
		l.in_zp = l.out_zp = rnd(0, 255);
		l.act_min = rnd(0, 1) ? 0 : rnd(0, 128);
		l.act_max = rnd(0, 1) ? 255 : rnd(l.act_min, 255);
		bad = compare(&l, run_layer, ref_avgpool, why, sizeof(why));
		done++;
	}
	check("random avgpool vs naive", !bad, "%s", why);
}

static void test_random_fc(int iters)
{
	char why[512] = "";
	int bad = 0;

	for (int it = 0; it < iters && !bad; it++) {
		struct mbn_layer l = { .op = MBN_OP_FC, .op_name = "FULLY_CONNECTED" };
		l.in_h = l.in_w = l.out_h = l.out_w = 1;
		l.in_c = rnd(1, 1100);
		l.out_c = rnd(1, 60);
		alloc_params(&l, (size_t)l.out_c * l.in_c);
		random_weights(l.weights, (size_t)l.out_c * l.in_c);
		random_quant(&l, 255, 1 << 16);
		bad = compare(&l, run_layer, ref_fc, why, sizeof(why));
		free_layer(&l);
	}
	check("random fully connected vs naive", !bad, "%s", why);
}

static void test_random_softmax(int iters)
{
	char why[512] = "";
	int bad = 0;

	for (int it = 0; it < iters && !bad; it++) {
		struct mbn_layer l = { .op = MBN_OP_SOFTMAX, .op_name = "SOFTMAX" };
		l.in_h = l.in_w = l.out_h = l.out_w = 1;
		l.in_c = l.out_c = rnd(0, 3) ? rnd(1, 1001) : 1001;
		l.is_signed = rnd(0, 1);
		l.in_zp = rnd(0, 255);
		l.in_scale = (float)ldexp(1.0 + (double)rnd(0, 1 << 20) / (1 << 20), -rnd(1, 8));
		l.beta = rnd(0, 3) ? 1.0f : (float)rnd(1, 40) / 10.0f;
		l.out_scale = 1.0f / 256.0f;
		l.out_zp = 0; /* TFLite requires uint8 zp 0, int8 zp -128: both 0 biased */
		l.act_min = 0;
		l.act_max = 255;
		fill_table(&l);
		bad = compare(&l, mbn_cpu_softmax, ref_softmax, why, sizeof(why));
		free_layer(&l);
	}
	check("random softmax vs TFLite's float path", !bad, "%s", why);
}

/* ---------------------------------------------------------------------------------
 * Benchmark: MobileNet v1 1.0-224 shapes (conv0, 13 dw/pw blocks, pool, FC 1x1 conv,
 * softmax) with random data.
 */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void bench(int reps)
{
	static const struct { int c_out, s; } blocks[13] = {
		{ 64, 1 }, { 128, 2 }, { 128, 1 }, { 256, 2 }, { 256, 1 }, { 512, 2 }, { 512, 1 },
		{ 512, 1 }, { 512, 1 }, { 512, 1 }, { 512, 1 }, { 1024, 2 }, { 1024, 1 },
	};
	struct mbn_layer layers[32];
	int n = 0, h = 224, c = 3;
	double t_dw = 0, t_pw = 0, t_conv0 = 0, t_tail = 0;
	uint64_t macs = 0;

	memset(layers, 0, sizeof(layers));
	/* conv0: 3x3/2 SAME 224 -> 112: pad total 1, top 0 */
	layers[n] = (struct mbn_layer){ .op = MBN_OP_CONV, .in_h = h, .in_w = h, .in_c = c,
					.out_h = 112, .out_w = 112, .out_c = 32, .k_h = 3, .k_w = 3,
					.stride_h = 2, .stride_w = 2, .depth_mult = 1 };
	n++;
	h = 112;
	c = 32;
	for (int b = 0; b < 13; b++) {
		int s = blocks[b].s, oh = (h + s - 1) / s;
		int pad = ((oh - 1) * s + 3 - h) / 2;
		layers[n++] = (struct mbn_layer){ .op = MBN_OP_DWCONV, .in_h = h, .in_w = h, .in_c = c,
						  .out_h = oh, .out_w = oh, .out_c = c, .k_h = 3,
						  .k_w = 3, .stride_h = s, .stride_w = s,
						  .pad_top = pad, .pad_left = pad, .depth_mult = 1 };
		layers[n++] = (struct mbn_layer){ .op = MBN_OP_CONV, .in_h = oh, .in_w = oh, .in_c = c,
						  .out_h = oh, .out_w = oh, .out_c = blocks[b].c_out,
						  .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1,
						  .depth_mult = 1 };
		h = oh;
		c = blocks[b].c_out;
	}
	layers[n++] = (struct mbn_layer){ .op = MBN_OP_AVGPOOL, .in_h = 7, .in_w = 7, .in_c = 1024,
					  .out_h = 1, .out_w = 1, .out_c = 1024, .k_h = 7, .k_w = 7,
					  .stride_h = 2, .stride_w = 2 };
	layers[n++] = (struct mbn_layer){ .op = MBN_OP_CONV, .in_h = 1, .in_w = 1, .in_c = 1024,
					  .out_h = 1, .out_w = 1, .out_c = 1001, .k_h = 1, .k_w = 1,
					  .stride_h = 1, .stride_w = 1, .depth_mult = 1 };
	layers[n++] = (struct mbn_layer){ .op = MBN_OP_SOFTMAX, .in_h = 1, .in_w = 1, .in_c = 1001,
					  .out_h = 1, .out_w = 1, .out_c = 1001, .in_scale = 0.1f,
					  .beta = 1.0f, .out_scale = 1.0f / 256 };

	uint8_t *buf[2];
	buf[0] = malloc(224 * 224 * 64);
	buf[1] = malloc(224 * 224 * 64);
	random_bytes(buf[0], 224 * 224 * 3);
	for (int i = 0; i < n; i++) {
		struct mbn_layer *l = &layers[i];
		size_t nw = l->op == MBN_OP_CONV ? (size_t)l->out_c * l->k_h * l->k_w * l->in_c
			    : l->op == MBN_OP_DWCONV ? (size_t)l->k_h * l->k_w * l->out_c : 1;
		if (l->op == MBN_OP_CONV || l->op == MBN_OP_DWCONV) {
			alloc_params(l, nw);
			random_weights(l->weights, nw);
			random_quant(l, 127, 1 << 12);
			l->act_min = 0;
			l->act_max = 255;
			/* a trained model's multipliers: in_scale * w_scale / out_scale < 1 */
			for (int oc = 0; oc < l->out_c; oc++)
				mbn_quantize_multiplier(ldexp(1.0 + (double)rnd(0, 1000) / 1000, -rnd(8, 11)),
							&l->mult[oc], &l->shift[oc]);
			macs += (uint64_t)nw * l->out_h * l->out_w;
		} else if (l->op == MBN_OP_SOFTMAX) {
			fill_table(l);
			l->act_max = 255;
		} else {
			l->act_max = 255;
		}
	}
	/* the kernels' scratch once, as a plan allocates it (not timed) */
	size_t nwork = 1;
	for (int i = 0; i < n; i++)
		if (mbn_cpu_scratch_bytes(&layers[i]) > nwork)
			nwork = mbn_cpu_scratch_bytes(&layers[i]);
	void *work = malloc(nwork);
	double best = 1e9;
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		for (int i = 0; i < n; i++) {
			double a = now();
			mbn_cpu_run_layer(&layers[i], buf[i & 1], buf[(i + 1) & 1], work);
			double d = now() - a;
			if (r == reps - 1) {
				if (i == 0)
					t_conv0 += d;
				else if (layers[i].op == MBN_OP_DWCONV)
					t_dw += d;
				else if (layers[i].op == MBN_OP_CONV && i < n - 2)
					t_pw += d;
				else
					t_tail += d;
			}
		}
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	printf("bench: MobileNet v1 1.0-224 shapes, %d layers, %.1f M MACs\n", n,
	       (double)macs / 1e6);
	printf("bench: best of %d: %.1f ms (%.2f GMAC/s); last run: conv0 %.1f ms, "
	       "depthwise %.1f ms, pointwise %.1f ms, pool+fc+softmax %.2f ms\n",
	       reps, best * 1e3, (double)macs / best / 1e9, t_conv0 * 1e3, t_dw * 1e3,
	       t_pw * 1e3, t_tail * 1e3);
	for (int i = 0; i < n; i++)
		free_layer(&layers[i]);
	free(buf[0]);
	free(buf[1]);
	free(work);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		bench(argc > 2 ? atoi(argv[2]) : 5);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--seed"))
		rng_state ^= strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
	test_random_conv(1500);
	test_random_dwconv(1500);
	test_random_avgpool(1500);
	test_random_fc(200);
	test_random_softmax(1000);
	if (failures)
		printf("%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
