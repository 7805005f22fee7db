// SPDX-License-Identifier: Apache-2.0
/*
 * test-quant.c - TFLite's fixed-point primitives (lib/src/kernels/quant.c): known vectors,
 * then a randomized comparison against independent formulations written here in
 * plain int64 / double arithmetic (floor division by shifts, magnitude rounding,
 * normalization by exact doubling instead of frexp).
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmodel.h"
#include "kernels/quant.h"

#include "check.h"

#define CHECK_EQ(name, got, want) \
	check(name, (long long)(got) == (long long)(want), "got %lld, want %lld", \
	      (long long)(got), (long long)(want))

/* ---- independent references ---- */

/* gemmlowp's SaturatingRoundingDoublingHighMul, literally: a nudge of 2^30 for a
 * non-negative product and 1 - 2^30 for a negative one, then truncating division
 * (quant.c uses the equivalent floor shift). */
static int32_t ref_srdhm(int32_t a, int32_t b)
{
	int overflow = a == b && a == INT32_MIN;
	int64_t ab = (int64_t)a * (int64_t)b;
	int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	int32_t high = (int32_t)((ab + nudge) / (1ll << 31));
	return overflow ? INT32_MAX : high;
}

/* x / 2^e rounded half away from zero, on the magnitude. */
static int32_t ref_rdbypot(int32_t x, int e)
{
	int64_t m = x < 0 ? -(int64_t)x : x;
	if (e > 0)
		m = (m + (INT64_C(1) << (e - 1))) >> e;
	return (int32_t)(x < 0 ? -m : m);
}

static int32_t ref_mbqm(int32_t x, int32_t m, int shift)
{
	int64_t xs = x;
	if (shift > 0) {
		xs = (int64_t)x * ((int64_t)1 << shift);
		/* TFLite's int32 x * (1 << left_shift) wraps */
		xs = (int32_t)(uint32_t)(uint64_t)xs;
	}
	return ref_rdbypot(ref_srdhm((int32_t)xs, m), shift > 0 ? 0 : -shift);
}

/* QuantizeMultiplier by exact doubling/halving instead of frexp. */
static void ref_qm(double real, int32_t *mult, int32_t *shift)
{
	if (real == 0.0) {
		*mult = 0;
		*shift = 0;
		return;
	}
	int neg = real < 0;
	double q = neg ? -real : real;
	int e = 0;
	while (q >= 1.0) {
		q /= 2;
		e++;
	}
	while (q < 0.5) {
		q *= 2;
		e--;
	}
	double scaled = q * 2147483648.0; /* exact: q has 53 bits */
	int64_t r = (int64_t)floor(scaled);
	if (scaled - (double)r >= 0.5)
		r++;
	if (r == (INT64_C(1) << 31)) {
		r /= 2;
		e++;
	}
	if (e < -31) {
		e = 0;
		r = 0;
	}
	*mult = (int32_t)(neg ? -r : r);
	*shift = e;
}

/* xorshift64* */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int32_t rnd_i32(void)
{
	static const int32_t edge[] = { 0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1,
					INT32_MAX - 1, 1 << 30, -(1 << 30), (1 << 30) + 1,
					-(1 << 30) - 1, 1 << 16, -(1 << 16) };
	uint64_t r = rnd64();

	switch (r % 4) {
	case 0:
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	case 1: /* small */
		return (int32_t)((r >> 16) % 200001) - 100000;
	default: { /* any magnitude */
		int bits = (int)((r >> 8) % 32);
		int64_t v = (int64_t)((r >> 16) & ((UINT64_C(1) << bits) - 1));
		return (int32_t)(((r >> 63) & 1) ? -v : v);
	}
	}
}

static void test_srdhm(void)
{
	CHECK_EQ("srdhm INT32_MIN*INT32_MIN saturates", mbn_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
	CHECK_EQ("srdhm INT32_MIN*INT32_MAX", mbn_srdhm(INT32_MIN, INT32_MAX), -2147483647);
	CHECK_EQ("srdhm INT32_MAX*INT32_MAX", mbn_srdhm(INT32_MAX, INT32_MAX), 2147483646);
	CHECK_EQ("srdhm 2^30*2^30", mbn_srdhm(1 << 30, 1 << 30), 1 << 29);
	CHECK_EQ("srdhm 100*2^30 (x0.5)", mbn_srdhm(100, 1 << 30), 50);
	CHECK_EQ("srdhm 1*2^30 (+0.5 tie rounds up)", mbn_srdhm(1, 1 << 30), 1);
	CHECK_EQ("srdhm -1*2^30 (-0.5 tie rounds up)", mbn_srdhm(-1, 1 << 30), 0);
	CHECK_EQ("srdhm -3*2^30 (-1.5 tie rounds up)", mbn_srdhm(-3, 1 << 30), -1);
	CHECK_EQ("srdhm 0*x", mbn_srdhm(0, INT32_MIN), 0);
	CHECK_EQ("srdhm 3*1518500250", mbn_srdhm(3, 1518500250), 2); /* 3*0.7071 = 2.12 */
}

static void test_rdbypot(void)
{
	CHECK_EQ("rdbypot exponent 0", mbn_rdbypot(-12345, 0), -12345);
	CHECK_EQ("rdbypot exponent 0 INT32_MIN", mbn_rdbypot(INT32_MIN, 0), INT32_MIN);
	CHECK_EQ("rdbypot 3/2 tie away", mbn_rdbypot(3, 1), 2);
	CHECK_EQ("rdbypot -3/2 tie away", mbn_rdbypot(-3, 1), -2);
	CHECK_EQ("rdbypot -5/2 tie away", mbn_rdbypot(-5, 1), -3);
	CHECK_EQ("rdbypot -6/4 tie away", mbn_rdbypot(-6, 2), -2);
	CHECK_EQ("rdbypot -5/4 below tie", mbn_rdbypot(-5, 2), -1);
	CHECK_EQ("rdbypot -7/4 above tie", mbn_rdbypot(-7, 2), -2);
	CHECK_EQ("rdbypot -2/4 tie away", mbn_rdbypot(-2, 2), -1);
	CHECK_EQ("rdbypot -1/4", mbn_rdbypot(-1, 2), 0);
	CHECK_EQ("rdbypot INT32_MIN/2^31", mbn_rdbypot(INT32_MIN, 31), -1);
	CHECK_EQ("rdbypot INT32_MAX/2^31", mbn_rdbypot(INT32_MAX, 31), 1);
	CHECK_EQ("rdbypot 2^30/2^31 tie", mbn_rdbypot(1 << 30, 31), 1);
	CHECK_EQ("rdbypot -2^30/2^31 tie", mbn_rdbypot(-(1 << 30), 31), -1);
	CHECK_EQ("rdbypot (2^30-1)/2^31", mbn_rdbypot((1 << 30) - 1, 31), 0);
	CHECK_EQ("rdbypot (-2^30+1)/2^31", mbn_rdbypot(-(1 << 30) + 1, 31), 0);
	CHECK_EQ("rdbypot INT32_MAX/2", mbn_rdbypot(INT32_MAX, 1), 1073741824);
}

static void test_mbqm(void)
{
	CHECK_EQ("mbqm x0.5", mbn_mbqm(100, 1 << 30, 0), 50);
	CHECK_EQ("mbqm x0.25", mbn_mbqm(100, 1 << 30, -1), 25);
	CHECK_EQ("mbqm x0.25 negative tie", mbn_mbqm(-10, 1 << 30, -1), -3); /* -5/2 */
	CHECK_EQ("mbqm x1 via left shift", mbn_mbqm(3, 1 << 30, 1), 3);
	CHECK_EQ("mbqm x4", mbn_mbqm(-7, 1 << 30, 3), -28);
	CHECK_EQ("mbqm multiplier 0", mbn_mbqm(123456, 0, 0), 0);
	CHECK_EQ("mbqm shift -31", mbn_mbqm(INT32_MAX, INT32_MAX, -31), 1);
	/* double rounding: 1 * 0.75 rounds to 1 in srdhm, then 1 / 2 rounds to 1; the
	 * TFLITE_SINGLE_ROUNDING variant would round 0.375 to 0. */
	CHECK_EQ("mbqm double rounding", mbn_mbqm(1, 1610612736, -1), 1);
	/* left shift wraps like TFLite's int32 x * (1 << left_shift) */
	CHECK_EQ("mbqm left shift wraps", mbn_mbqm(1 << 30, 1 << 30, 2), 0);
}

/* The roundings of mbn_requant (quant.h) against plain int64/__int128 arithmetic:
 * ROUND_UP = SRDHM then floor((h + 2^(r-1)) / 2^r); ROUND_SINGLE = floor(x * M * 2^shift
 * / 2^31 + 1/2) computed exactly, whenever x << max(shift + 1, 0) fits in int32 (ruy's
 * sshl wraps otherwise, which test_requant_vectors covers). */
static int32_t ref_up(int32_t x, int32_t m, int shift)
{
	int64_t xs = shift > 0 ? (int64_t)(int32_t)(uint32_t)((uint64_t)(int64_t)x << shift) : x;
	int64_t h = ref_srdhm((int32_t)xs, m);
	int r = shift > 0 ? 0 : -shift;
	return r ? (int32_t)((h + (INT64_C(1) << (r - 1))) >> r) : (int32_t)h;
}

static int ref_single(int32_t x, int32_t m, int shift, int32_t *out)
{
	int left = shift >= 0 ? shift + 1 : 0;
	__int128 p, num;
	if (left && ((int64_t)x * ((int64_t)1 << left) > INT32_MAX || (int64_t)x * ((int64_t)1 << left) < INT32_MIN))
		return 0;
	p = (__int128)x * m;
	if (shift >= 0) {
		num = p * ((__int128)1 << shift) + ((__int128)1 << 30);
		*out = (int32_t)(num >> 31);
	} else {
		num = p + ((__int128)1 << (30 - shift));
		*out = (int32_t)(num >> (31 - shift));
	}
	return 1;
}

static void test_requant_vectors(void)
{
	CHECK_EQ("requant away = mbqm", mbn_requant(-10, 1 << 30, -1, MBN_ROUND_AWAY), -3);
	CHECK_EQ("requant up: -5/2 -> -2", mbn_requant(-10, 1 << 30, -1, MBN_ROUND_UP), -2);
	CHECK_EQ("requant up: 5/2 -> 3", mbn_requant(10, 1 << 30, -1, MBN_ROUND_UP), 3);
	/* 1 * 0.75 = 0.75 -> SRDHM 1, then 1/2 ties up to 1; one rounding of 0.375 is 0 */
	CHECK_EQ("requant up double rounding", mbn_requant(1, 1610612736, -1, MBN_ROUND_UP), 1);
	CHECK_EQ("requant single rounding", mbn_requant(1, 1610612736, -1, MBN_ROUND_SINGLE), 0);
	CHECK_EQ("requant single: -5/2 -> -2", mbn_requant(-10, 1 << 30, -1, MBN_ROUND_SINGLE), -2);
	CHECK_EQ("requant single shift 0: 3 * 0.5 -> 2", mbn_requant(3, 1 << 30, 0, MBN_ROUND_SINGLE), 2);
	CHECK_EQ("requant single shift 0: -3 * 0.5 -> -1", mbn_requant(-3, 1 << 30, 0, MBN_ROUND_SINGLE), -1);
	CHECK_EQ("requant single x4", mbn_requant(-7, 1 << 30, 3, MBN_ROUND_SINGLE), -28);
	/* ruy shifts left by shift + 1 in 32 bits: 2^30 << 1 wraps to INT32_MIN */
	CHECK_EQ("requant single left shift wraps", mbn_requant(1 << 30, 1 << 30, 0, MBN_ROUND_SINGLE),
		 -(1 << 29));
	CHECK_EQ("requant single INT32_MIN^2 saturates",
		 mbn_requant(INT32_MIN, INT32_MIN, -1, MBN_ROUND_SINGLE), 1 << 30);
}

static void test_requant_random(void)
{
	int bad_up = 0, bad_single = 0, checked = 0;

	for (int i = 0; i < 1000000; i++) {
		int32_t a = rnd_i32(), ref;
		int32_t m = (int32_t)((1u << 30) + (uint32_t)(rnd64() % (1u << 30)));
		int shift = (int)(rnd64() % 42) - 31;
		if (mbn_requant(a, m, shift, MBN_ROUND_UP) != ref_up(a, m, shift))
			bad_up++;
		if (ref_single(a, m, shift, &ref)) {
			checked++;
			if (mbn_requant(a, m, shift, MBN_ROUND_SINGLE) != ref)
				bad_single++;
		}
	}
	check("random requant ROUND_UP vs SRDHM + floor shift", bad_up == 0, "%d mismatches", bad_up);
	check("random requant ROUND_SINGLE vs exact single rounding", bad_single == 0 && checked > 100000,
	      "%d mismatches of %d", bad_single, checked);
}

/* The hardware's requantizer (the C model's, which the RTL is tested against in
 * hw/tb/tb_requant.cpp) agrees with the library's mbn_requant in all three roundings,
 * so the compiler may hand any layer's rounding to the accelerator. */
static void test_cmodel_roundings(void)
{
	uint64_t st = 77;
	int bad[3] = { 0, 0, 0 };
	for (int i = 0; i < 300000; i++) {
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		int32_t acc = (int32_t)(st >> 32) >> (int)((st >> 20) % 24);
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		int32_t mult = (int32_t)((1u << 30) + (uint32_t)((st >> 33) % (1u << 30)));
		int32_t shift = (int32_t)((st >> 8) % 40) - 31;
		int rd = i % 3;
		int32_t q = mbn_requant(acc, mult, shift, (enum mbn_rounding)rd) + 3;
		uint8_t want = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
		if (mbn_cmodel_requant(acc, mult, shift, rd, 3, 0, 255) != want)
			bad[rd]++;
	}
	check("C model requant = mbn_requant, rounding AWAY", bad[0] == 0, "%d mismatches", bad[0]);
	check("C model requant = mbn_requant, rounding UP", bad[1] == 0, "%d mismatches", bad[1]);
	check("C model requant = mbn_requant, rounding SINGLE (arm64)", bad[2] == 0, "%d mismatches", bad[2]);
}

static void test_quantize_multiplier(void)
{
	int32_t m, s;

	mbn_quantize_multiplier(0.0, &m, &s);
	CHECK_EQ("qm 0 multiplier", m, 0);
	CHECK_EQ("qm 0 shift", s, 0);
	mbn_quantize_multiplier(1.0, &m, &s);
	CHECK_EQ("qm 1.0 multiplier", m, 1 << 30);
	CHECK_EQ("qm 1.0 shift", s, 1);
	mbn_quantize_multiplier(0.5, &m, &s);
	CHECK_EQ("qm 0.5 multiplier", m, 1 << 30);
	CHECK_EQ("qm 0.5 shift", s, 0);
	mbn_quantize_multiplier(0.75, &m, &s);
	CHECK_EQ("qm 0.75 multiplier", m, 1610612736);
	CHECK_EQ("qm 0.75 shift", s, 0);
	mbn_quantize_multiplier(1.0 - ldexp(1, -40), &m, &s);
	CHECK_EQ("qm 1-2^-40 carries: multiplier", m, 1 << 30);
	CHECK_EQ("qm 1-2^-40 carries: shift", s, 1);
	mbn_quantize_multiplier(ldexp(1.0 - ldexp(1, -33), -5), &m, &s);
	CHECK_EQ("qm (1-2^-33)*2^-5 carries: multiplier", m, 1 << 30);
	CHECK_EQ("qm (1-2^-33)*2^-5 carries: shift", s, -4);
	mbn_quantize_multiplier(ldexp(1.0 - ldexp(1, -31), -1), &m, &s);
	CHECK_EQ("qm 0.5-2^-32 rounds to 2^31-1", m, INT32_MAX);
	CHECK_EQ("qm 0.5-2^-32 shift", s, -1);
	mbn_quantize_multiplier(ldexp(1, -32), &m, &s);
	CHECK_EQ("qm 2^-32 kept: multiplier", m, 1 << 30);
	CHECK_EQ("qm 2^-32 kept: shift", s, -31);
	mbn_quantize_multiplier(ldexp(1, -33), &m, &s);
	CHECK_EQ("qm 2^-33 flushes: multiplier", m, 0);
	CHECK_EQ("qm 2^-33 flushes: shift", s, 0);
	mbn_quantize_multiplier(1e-20, &m, &s);
	CHECK_EQ("qm 1e-20 flushes", (long long)m * 100 + s, 0);
	mbn_quantize_multiplier(0.0078125 * 0.02 / 0.023, &m, &s);
	{
		int32_t rm, rs;
		ref_qm(0.0078125 * 0.02 / 0.023, &rm, &rs);
		check("qm typical scale matches reference", m == rm && s == rs,
		      "got (%d, %d), want (%d, %d)", (int)m, (int)s, (int)rm, (int)rs);
	}
	mbn_quantize_multiplier(-0.5, &m, &s);
	CHECK_EQ("qm -0.5 multiplier", m, -(1 << 30));
	CHECK_EQ("qm -0.5 shift", s, 0);
	mbn_quantize_multiplier(3.0, &m, &s);
	CHECK_EQ("qm 3.0 multiplier", m, 1610612736);
	CHECK_EQ("qm 3.0 shift", s, 2);
}

static void test_random(void)
{
	const int n = 2000000;
	int bad_srdhm = 0, bad_rd = 0, bad_mbqm = 0, bad_qm = 0, bad_qm_range = 0;
	long long first = 0;

	for (int i = 0; i < n; i++) {
		int32_t a = rnd_i32(), b = rnd_i32();
		int e = (int)(rnd64() % 32);
		if (mbn_srdhm(a, b) != ref_srdhm(a, b)) {
			if (!bad_srdhm++)
				first = a;
		}
		if (mbn_rdbypot(a, e) != ref_rdbypot(a, e))
			bad_rd++;

		/* multipliers as QuantizeMultiplier produces them: [2^30, 2^31) */
		int32_t m = (int32_t)((1u << 30) + (uint32_t)(rnd64() % (1u << 30)));
		int shift = (int)(rnd64() % 42) - 31; /* -31..10 */
		if (mbn_mbqm(a, m, shift) != ref_mbqm(a, m, shift))
			bad_mbqm++;

		/* random positive reals over a wide exponent range */
		double real = ldexp((double)(rnd64() >> 11) / 9007199254740992.0, (int)(rnd64() % 60) - 45);
		int32_t qm, qs, rm, rs;
		mbn_quantize_multiplier(real, &qm, &qs);
		ref_qm(real, &rm, &rs);
		if (qm != rm || qs != rs)
			bad_qm++;
		if (qm != 0 && (qm < (1 << 30) || fabs((double)qm - ldexp(real, 31 - qs)) > 0.5))
			bad_qm_range++;
	}
	check("random srdhm vs literal gemmlowp formula", bad_srdhm == 0,
	      "%d mismatches (first a=%lld)", bad_srdhm, first);
	check("random rdbypot vs magnitude rounding", bad_rd == 0, "%d mismatches", bad_rd);
	check("random mbqm vs reference composition", bad_mbqm == 0, "%d mismatches", bad_mbqm);
	check("random quantize_multiplier vs doubling reference", bad_qm == 0, "%d mismatches",
	      bad_qm);
	check("random quantize_multiplier within half an ulp", bad_qm_range == 0,
	      "%d out of range", bad_qm_range);
}

int main(void)
{
	test_cmodel_roundings();
	test_srdhm();
	test_rdbypot();
	test_mbqm();
	test_quantize_multiplier();
	test_random();
	test_requant_vectors();
	test_requant_random();
	if (failures)
		printf("%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
