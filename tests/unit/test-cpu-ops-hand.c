// SPDX-License-Identifier: Apache-2.0
/*
 * test-cpu-ops-hand.c - the CPU kernels (lib/src/kernels/cpu_ops.c) on hand-computed
 * cases: a 1x1 conv and its clamp, SAME padding of a depthwise layer, average pool
 * rounding (uint8 half up, int8 half away from zero) and biased int8 clamps, a fully
 * connected layer, the negative ties where ruy (conv, FC) and
 * MultiplyByQuantizedMultiplier (depthwise) differ, softmax of equal inputs, its
 * saturation and its one rounding corner, and reshape. The random layers against
 * naive references are test-cpu-ops.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test-cpu-ops.h"

/* ---------------------------------------------------------------------------------
 * Hand-computed cases.
 */
static void test_hand(void)
{
	/* 1x1 conv, one channel: acc = 10 + (130 - 128) * 3 = 16; x0.5 -> 8; + 100. */
	{
		struct mbn_layer l = { .op = MBN_OP_CONV, .in_h = 1, .in_w = 1, .in_c = 1,
				       .out_h = 1, .out_w = 1, .out_c = 1, .k_h = 1, .k_w = 1,
				       .stride_h = 1, .stride_w = 1, .depth_mult = 1,
				       .in_zp = 128, .out_zp = 100, .act_min = 0, .act_max = 255 };
		uint8_t in = 130, out = 0;
		alloc_params(&l, 1);
		l.weights[0] = 3;
		l.bias[0] = 10;
		l.mult[0] = 1 << 30;
		l.shift[0] = 0;
		run_layer(&l, &in, &out);
		check("hand conv 1x1", out == 108, "got %u want 108", out);
		l.act_max = 105;
		run_layer(&l, &in, &out);
		check("hand conv clamp max", out == 105, "got %u want 105", out);
		free_layer(&l);
	}
	/* 3x3 SAME depthwise over a 2x2 input: every output sees the 4 inputs (zp + 1)
	 * with weight 1; padding adds nothing: acc = 4, x1 (2^30, shift 1) -> 4. */
	{
		struct mbn_layer l = { .op = MBN_OP_DWCONV, .in_h = 2, .in_w = 2, .in_c = 1,
				       .out_h = 2, .out_w = 2, .out_c = 1, .k_h = 3, .k_w = 3,
				       .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1,
				       .depth_mult = 1, .in_zp = 7, .out_zp = 50, .act_min = 0,
				       .act_max = 255 };
		uint8_t in[4] = { 8, 8, 8, 8 }, out[4];
		alloc_params(&l, 9);
		for (int i = 0; i < 9; i++)
			l.weights[i] = 1;
		l.mult[0] = 1 << 30;
		l.shift[0] = 1;
		run_layer(&l, in, out);
		check("hand depthwise SAME padding", !memcmp(out, (uint8_t[]){ 54, 54, 54, 54 }, 4),
		      "got %u %u %u %u want 54", out[0], out[1], out[2], out[3]);
		free_layer(&l);
	}
	/* Average pool of two values: uint8 rounds half up, int8 half away from zero. */
	{
		struct mbn_layer l = { .op = MBN_OP_AVGPOOL, .in_h = 1, .in_w = 2, .in_c = 1,
				       .out_h = 1, .out_w = 1, .out_c = 1, .k_h = 1, .k_w = 2,
				       .stride_h = 1, .stride_w = 1, .act_min = 0, .act_max = 255 };
		static const struct { bool s; int8_t a, b, want; } cases[] = {
			{ false, 1, 2, 2 }, { false, 0, 1, 1 }, { true, 1, 2, 2 },
			{ true, -1, -2, -2 }, { true, -1, 0, -1 }, { true, -3, 0, -2 },
			{ true, -128, -127, -128 }, { true, 127, 126, 127 },
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			uint8_t in[2], out = 0, want;
			char name[80];
			l.is_signed = cases[i].s;
			if (l.is_signed) {
				in[0] = (uint8_t)(cases[i].a + 128);
				in[1] = (uint8_t)(cases[i].b + 128);
				want = (uint8_t)(cases[i].want + 128);
			} else {
				in[0] = (uint8_t)cases[i].a;
				in[1] = (uint8_t)cases[i].b;
				want = (uint8_t)cases[i].want;
			}
			run_layer(&l, in, &out);
			snprintf(name, sizeof(name), "hand avgpool %s (%d + %d) / 2",
				 cases[i].s ? "int8" : "uint8", cases[i].a, cases[i].b);
			check(name, out == want, "got %u want %u", out, want);
		}
		/* int8 clamp bounds are biased: [-10, 10] true is [118, 138] stored */
		uint8_t in[2] = { 128 + 50, 128 + 50 }, out = 0;
		l.is_signed = true;
		l.act_min = 118;
		l.act_max = 138;
		run_layer(&l, in, &out);
		check("hand avgpool int8 clamp", out == 138, "got %u want 138", out);
	}
	/* FC: acc = 5 + (1*2 + (-1)*3 + 2*(-4)) = -4, x0.5 -> -2 (tie -> toward +inf in
	 * srdhm: -4 * 0.5 = -2 exactly) + 10 = 8. */
	{
		struct mbn_layer l = { .op = MBN_OP_FC, .in_h = 1, .in_w = 1, .in_c = 3,
				       .out_h = 1, .out_w = 1, .out_c = 1, .in_zp = 100,
				       .out_zp = 10, .act_min = 0, .act_max = 255 };
		uint8_t in[3] = { 101, 99, 102 }, out = 0;
		alloc_params(&l, 3);
		l.weights[0] = 2;
		l.weights[1] = 3;
		l.weights[2] = -4;
		l.bias[0] = 5;
		l.mult[0] = 1 << 30;
		run_layer(&l, in, &out);
		check("hand fully connected", out == 8, "got %u want 8", out);
		free_layer(&l);
	}
	/* A negative tie: acc -3 x 0.25 = -0.75: SaturatingRoundingDoublingHighMul(-3, 0.5)
	 * gives -1, then / 2 = -0.5 is a tie. Depthwise (MultiplyByQuantizedMultiplier)
	 * rounds it away from zero to -1; FC and conv (ruy on x86) round up to 0. */
	{
		struct mbn_layer l = { .op = MBN_OP_FC, .in_h = 1, .in_w = 1, .in_c = 1,
				       .out_h = 1, .out_w = 1, .out_c = 1, .k_h = 1, .k_w = 1,
				       .stride_h = 1, .stride_w = 1, .depth_mult = 1, .in_zp = 0,
				       .out_zp = 10, .act_min = 0, .act_max = 255 };
		uint8_t in = 0, out = 0;
		alloc_params(&l, 1);
		l.bias[0] = -3;
		l.mult[0] = 1 << 30;
		l.shift[0] = -1;
		run_layer(&l, &in, &out);
		check("hand fully connected negative tie rounds up (ruy)", out == 10, "got %u want 10", out);
		l.op = MBN_OP_CONV;
		run_layer(&l, &in, &out);
		check("hand conv negative tie rounds up (ruy)", out == 10, "got %u want 10", out);
		l.op = MBN_OP_DWCONV;
		run_layer(&l, &in, &out);
		check("hand depthwise negative tie rounds away from zero", out == 9, "got %u want 9", out);
		free_layer(&l);
	}
	/* Softmax: equal inputs share 1/n: 4 -> 0.25 * 256 = 64; int8 64 - 128 stored 64.
	 * A single element is 256: uint8 saturates at 255, int8 at 127 (stored 255). */
	for (int s = 0; s < 2; s++) {
		struct mbn_layer l = { .op = MBN_OP_SOFTMAX, .in_h = 1, .in_w = 1, .in_c = 4,
				       .out_h = 1, .out_w = 1, .out_c = 4, .is_signed = s,
				       .in_scale = 0.1f, .beta = 1.0f, .out_scale = 1.0f / 256,
				       .out_zp = 0 };
		uint8_t in[4] = { 77, 77, 77, 77 }, out[4];
		char name[64];
		fill_table(&l);
		run_layer(&l, in, out);
		snprintf(name, sizeof(name), "hand softmax %s equal inputs", s ? "int8" : "uint8");
		check(name, out[0] == 64 && out[1] == 64 && out[2] == 64 && out[3] == 64,
		      "got %u %u %u %u want 64", out[0], out[1], out[2], out[3]);
		l.in_c = l.out_c = 1;
		run_layer(&l, in, out);
		snprintf(name, sizeof(name), "hand softmax %s one element saturates", s ? "int8" : "uint8");
		check(name, out[0] == 255, "got %u want 255", out[0]);
		free_layer(&l);
	}
	/* QuantizeSoftmaxOutput: uint8 (x86) is (int)(prob + 0.5f), int8 std::round. They
	 * differ only at prob = 0.5 - 2^-25, where prob + 0.5f rounds to 1.0f. Table values
	 * 0.5 + 2^-24 (the max) and 0.5 - 2^-25 sum to 1 + 2^-25, which rounds to 1.0f, so
	 * with output scale 1 the smaller element's probability is exactly 0.5 - 2^-25. */
	for (int s = 0; s < 2; s++) {
		struct mbn_layer l = { .op = MBN_OP_SOFTMAX, .in_h = 1, .in_w = 1, .in_c = 2,
				       .out_h = 1, .out_w = 1, .out_c = 2, .is_signed = s,
				       .out_scale = 1.0f };
		uint8_t in[2] = { 200, 190 }, out[2];
		char name[80];
		l.table = calloc(256, sizeof(float));
		l.table[255] = 0x1.000002p-1f;
		l.table[255 - 10] = 0x1.fffffep-2f;
		run_layer(&l, in, out);
		snprintf(name, sizeof(name), "hand softmax %s prob 0.5-2^-25 rounding", s ? "int8" : "uint8");
		check(name, out[1] == (s ? 0 : 1) && out[0] == 1, "got %u %u want 1 %u", out[0], out[1],
		      s ? 0 : 1);
		free_layer(&l);
	}
	/* Reshape copies. */
	{
		struct mbn_layer l = { .op = MBN_OP_RESHAPE, .in_h = 1, .in_w = 1, .in_c = 5 };
		uint8_t in[5] = { 1, 2, 3, 4, 5 }, out[5] = { 0 };
		run_layer(&l, in, out);
		check("hand reshape copies", !memcmp(in, out, 5), "bytes differ");
	}
}

int main(void)
{
	test_hand();
	if (failures)
		printf("%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
