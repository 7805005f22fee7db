/* SPDX-License-Identifier: Apache-2.0 */
/* test-image-prep.c - tests for tools/common/image*.c: what happens to a decoded image
 * before it reaches a model: the bilinear resize (both roundings, known values, bad
 * arguments), BT.601 grayscale, the input range chosen for each input quantization,
 * --input-range parsing, and filling a model's input tensor.
 *
 * Prints one "PASS name" or "FAIL name: why" line per check; exits 1 if any failed.
 */
#include "test-image.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Resize                                                                   */

static void test_resize(void)
{
	/* same size -> identical bytes */
	{
		struct mbn_image src = { 13, 7, pattern(13, 7) };
		uint8_t out[13 * 7 * 3];
		int r = mbn_image_resize_bilinear(&src, 13, 7, out);
		check(r == 0 && memcmp(out, src.rgb, sizeof out) == 0, "resize-identity-round", "r=%d", r);
		r = mbn_image_resize_bilinear_ex(&src, 13, 7, out, MBN_RESIZE_TRUNCATE);
		check(r == 0 && memcmp(out, src.rgb, sizeof out) == 0, "resize-identity-truncate", "r=%d", r);
		free(src.rgb);
	}
	/* constant image stays constant (up and down, odd ratios) */
	{
		static const int sizes[][4] = { { 7, 5, 224, 224 }, { 512, 600, 224, 224 }, { 300, 17, 31, 223 }, { 1, 1, 5, 3 } };
		static const uint8_t colour[3] = { 100, 37, 251 };
		int ok = 1;
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			int iw = sizes[s][0], ih = sizes[s][1], ow = sizes[s][2], oh = sizes[s][3];
			struct mbn_image src = { iw, ih, malloc((size_t)iw * ih * 3) };
			for (int i = 0; i < iw * ih; i++)
				memcpy(src.rgb + 3 * i, colour, 3);
			uint8_t *out = malloc((size_t)ow * oh * 3);
			int r = mbn_image_resize_bilinear(&src, ow, oh, out);
			for (int i = 0; r == 0 && i < ow * oh; i++)
				if (memcmp(out + 3 * i, colour, 3) != 0) {
					r = -1;
					check(0, "resize-constant", "%dx%d->%dx%d: pixel %d is %u,%u,%u", iw, ih, ow, oh,
					      i, out[3 * i], out[3 * i + 1], out[3 * i + 2]);
				}
			ok &= r == 0;
			free(out);
			free(src.rgb);
		}
		if (ok)
			check(1, "resize-constant", "%s", "");
	}
	/* 2x2 -> 4x4 known values: in = out * 0.5; the last column/row clamps. */
	{
		uint8_t in[2 * 2 * 3];
		static const uint8_t v[4] = { 0, 100, 200, 50 }; /* (0,0) (1,0) (0,1) (1,1) */
		for (int i = 0; i < 4; i++)
			in[3 * i] = in[3 * i + 1] = in[3 * i + 2] = v[i];
		struct mbn_image src = { 2, 2, in };
		static const uint8_t want_round[16] = {
			0,
			50,
			100,
			100,
			100,
			88,
			75,
			75, /* (0+200)/2, (0+100+200+50)/4 = 87.5 -> 88, (100+50)/2 */
			200,
			125,
			50,
			50,
			200,
			125,
			50,
			50,
		};
		uint8_t out[4 * 4 * 3];
		int r = mbn_image_resize_bilinear(&src, 4, 4, out);
		int ok = r == 0;
		for (int i = 0; ok && i < 16; i++)
			ok = out[3 * i] == want_round[i] && out[3 * i + 1] == want_round[i] &&
				out[3 * i + 2] == want_round[i];
		check(ok, "resize-2x2-to-4x4-round", "r=%d, first mismatch near %u", r, out[3 * 5]);
		r = mbn_image_resize_bilinear_ex(&src, 4, 4, out, MBN_RESIZE_TRUNCATE);
		check(r == 0 && out[3 * 5] == 87 && out[3 * 1] == 50 && out[3 * 15] == 50,
		      "resize-2x2-to-4x4-truncate", "r=%d, (1,1)=%u (want 87)", r, out[3 * 5]);
	}
	/* 4x4 -> 2x2 samples exact source pixels (in = 0, 2). */
	{
		struct mbn_image src = { 4, 4, pattern(4, 4) };
		uint8_t out[2 * 2 * 3];
		int r = mbn_image_resize_bilinear(&src, 2, 2, out);
		int ok = r == 0;
		for (int y = 0; y < 2; y++)
			for (int x = 0; x < 2; x++)
				ok &= memcmp(out + (y * 2 + x) * 3, src.rgb + (2 * y * 4 + 2 * x) * 3, 3) == 0;
		check(ok, "resize-4x4-to-2x2", "r=%d", r);
		free(src.rgb);
	}
	/* bad arguments */
	{
		uint8_t px[3] = { 1, 2, 3 }, out[3];
		struct mbn_image src = { 1, 1, px }, empty = { 0, 0, NULL };
		int ok = mbn_image_resize_bilinear(&src, 0, 1, out) == -EINVAL &&
			mbn_image_resize_bilinear(&src, 1, -3, out) == -EINVAL &&
			mbn_image_resize_bilinear(&src, 40000, 1, out) == -EINVAL &&
			mbn_image_resize_bilinear(&empty, 1, 1, out) == -EINVAL &&
			mbn_image_resize_bilinear(NULL, 1, 1, out) == -EINVAL &&
			mbn_image_resize_bilinear(&src, 1, 1, NULL) == -EINVAL &&
			mbn_image_resize_bilinear_ex(&src, 1, 1, out, (enum mbn_resize_round)9) == -EINVAL;
		check(ok, "resize-bad-arguments", "a bad argument was accepted");
	}
}

/* ------------------------------------------------------------------------ */
/* Grayscale, input ranges and filling a model's input tensor               */

static void test_gray(void)
{
	/* Pillow's convert("L") of the primaries: 76, 150, 29 (and white stays 255). */
	check(mbn_luma_bt601(255, 0, 0) == 76 && mbn_luma_bt601(0, 255, 0) == 150 &&
		      mbn_luma_bt601(0, 0, 255) == 29 && mbn_luma_bt601(255, 255, 255) == 255 &&
		      mbn_luma_bt601(0, 0, 0) == 0,
	      "luma: Pillow's values for red, green, blue, white, black",
	      "got %d %d %d %d %d", mbn_luma_bt601(255, 0, 0), mbn_luma_bt601(0, 255, 0),
	      mbn_luma_bt601(0, 0, 255), mbn_luma_bt601(255, 255, 255), mbn_luma_bt601(0, 0, 0));

	int bad = -1;
	for (int g = 0; g < 256 && bad < 0; g++)
		if (mbn_luma_bt601(g, g, g) != g)
			bad = g;
	check(bad < 0, "luma of a gray pixel is that gray (all 256)", "gray %d -> %d", bad,
	      bad < 0 ? 0 : mbn_luma_bt601(bad, bad, bad));

	/* The integer formula against 0.299 R + 0.587 G + 0.114 B, rounded: the
     * weights are 16-bit approximations, so it may differ by 1 only where the real
     * value is within 0.01 of a half. */
	int wrong = 0, at = 0;
	for (int r = 0; r < 256; r += 3)
		for (int g = 0; g < 256; g += 5)
			for (int b = 0; b < 256; b += 7) {
				double y = 0.299 * r + 0.587 * g + 0.114 * b;
				int d = abs(mbn_luma_bt601(r, g, b) - (int)floor(y + 0.5));
				if (d > 1 || (d == 1 && fabs(y - floor(y) - 0.5) > 0.01)) {
					wrong++;
					at = r << 16 | g << 8 | b;
				}
			}
	check(wrong == 0, "luma within rounding of 0.299 R + 0.587 G + 0.114 B", "%d colors off, e.g. #%06x", wrong, at);

	/* In place on an image; then resized, the three channels stay equal, and the
     * 1-channel fill of the result is that gray (the identity on gray pixels). */
	int w = 13, h = 7;
	struct mbn_image img = { w, h, pattern(w, h) };
	uint8_t *orig = malloc((size_t)w * h * 3);
	memcpy(orig, img.rgb, (size_t)w * h * 3);
	mbn_image_to_gray(&img);
	int ok = 1;
	for (int i = 0; i < w * h; i++) {
		uint8_t y = mbn_luma_bt601(orig[3 * i], orig[3 * i + 1], orig[3 * i + 2]);
		ok &= img.rgb[3 * i] == y && img.rgb[3 * i + 1] == y && img.rgb[3 * i + 2] == y;
	}
	check(ok, "mbn_image_to_gray: every pixel becomes (Y, Y, Y)", "a pixel differs");

	uint8_t rs[9 * 5 * 3], gray1[9 * 5];
	struct mbn_input_range ur;
	struct mbn_input_map *m = malloc(sizeof(*m));
	mbn_input_range_for(MBN_TYPE_UINT8, 1.0f / 255, 0, &ur);
	mbn_input_map_init(m, &ur, MBN_TYPE_UINT8, 1.0f / 255, 0); /* uint8 [0, 1]: the byte is the pixel */
	ok = mbn_image_resize_bilinear(&img, 9, 5, rs) == 0 && mbn_input_fill(m, rs, 9 * 5, 1, gray1) == 0;
	for (int i = 0; ok && i < 9 * 5; i++)
		ok &= rs[3 * i] == rs[3 * i + 1] && rs[3 * i] == rs[3 * i + 2] && gray1[i] == rs[3 * i];
	check(ok, "gray, then resize: channels equal, 1-channel fill is the resized gray", "mismatch");

	/* Order matters: converting after the resize does not give the same bytes in
     * general, and mbn-classify converts first (as Pillow pipelines do). */
	struct mbn_image col = { w, h, orig };
	uint8_t rs2[9 * 5 * 3], gray2[9 * 5];
	mbn_image_resize_bilinear(&col, 9, 5, rs2);
	mbn_input_fill(m, rs2, 9 * 5, 1, gray2);
	int diff = 0;
	for (int i = 0; i < 9 * 5; i++)
		diff += abs(gray1[i] - gray2[i]) > 1;
	check(diff == 0, "resize-then-convert is within 1 of convert-then-resize", "%d pixels differ by more", diff);
	free(orig);
	free(img.rgb);
	free(m);
}

/* The mapping mbn-classify had before input ranges existed, for the reference models. */
static uint8_t old_lut(int p, enum mbn_type type, float scale, int32_t zp)
{
	float real = (float)(p - 128) / 128.0f;
	long q = lroundf(real / scale) + zp;
	long lo = type == MBN_TYPE_INT8 ? -128 : 0, hi = type == MBN_TYPE_INT8 ? 127 : 255;
	q = q < lo ? lo : q > hi ? hi
				 : q;
	return (uint8_t)q;
}

static void test_range(void)
{
	struct mbn_input_range r;
	struct mbn_input_map *m = malloc(sizeof(*m));
	const float s255 = 0.003921568859368563f; /* as the VWW model stores 1/255 */
	char name[160];

	/* Which range each input quantization selects. */
	static const struct {
		enum mbn_type type;
		float scale;
		int zp;
		enum mbn_range_kind kind;
	} cases[] = {
		{ MBN_TYPE_INT8, 0.003921568859368563f, -128, MBN_RANGE_UNIT },
		{ MBN_TYPE_INT8, 0.0039216f, -128, MBN_RANGE_UNIT }, /* 1/255 rounded to 5 digits */
		{ MBN_TYPE_UINT8, 0.003921568859368563f, 0, MBN_RANGE_UNIT },
		{ MBN_TYPE_INT8, 0.003921568859368563f, 0, MBN_RANGE_QUANT },
		{ MBN_TYPE_UINT8, 0.003921568859368563f, 128, MBN_RANGE_QUANT },
		{ MBN_TYPE_INT8, 0.0078125f, 0, MBN_RANGE_MOBILENET },
		{ MBN_TYPE_UINT8, 0.0078125f, 128, MBN_RANGE_MOBILENET },
		{ MBN_TYPE_UINT8, 0.0078125f, 0, MBN_RANGE_QUANT },
		{ MBN_TYPE_INT8, 2.0f / 255, -1, MBN_RANGE_QUANT }, /* calibrated [-1, 1]: not 1/128 */
		{ MBN_TYPE_INT8, 0.0272778f, -34, MBN_RANGE_QUANT },
		{ MBN_TYPE_FLOAT32, 0, 0, MBN_RANGE_KERAS },
		{ MBN_TYPE_FLOAT32, 0.0272778f, -34, MBN_RANGE_KERAS },
		{ MBN_TYPE_FLOAT32, 0.003921568859368563f, -128, MBN_RANGE_UNIT },
		{ MBN_TYPE_FLOAT32, 0.0078125f, 128, MBN_RANGE_MOBILENET },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = mbn_input_range_for(cases[i].type, cases[i].scale, cases[i].zp, &r);
		snprintf(name, sizeof(name), "range for %s scale %.9g zero point %d",
			 cases[i].type == MBN_TYPE_INT8 ? "int8" : cases[i].type == MBN_TYPE_UINT8 ? "uint8"
												   : "float32",
			 cases[i].scale, cases[i].zp);
		check(rc == 0 && r.kind == cases[i].kind, name, "rc %d, kind %d, expected %d", rc, r.kind, cases[i].kind);
	}
	check(mbn_input_range_for(MBN_TYPE_INT8, 0, 0, &r) == -EINVAL &&
		      mbn_input_range_for(MBN_TYPE_UINT8, -1, 0, &r) == -EINVAL &&
		      mbn_input_range_for((enum mbn_type)99, 0.5f, 0, &r) == -EINVAL,
	      "range for a quantized input without a usable scale: -EINVAL", "accepted");

	/* The reference models keep their bytes: (p - 128) / 128 as before, bit for bit. */
	static const struct {
		enum mbn_type type;
		float scale;
		int zp;
	} mob[] = {
		{ MBN_TYPE_UINT8, 0.0078125f, 128 },
		{ MBN_TYPE_INT8, 0.0078125f, 0 },
		{ MBN_TYPE_UINT8, 0.00781f, 128 },
		{ MBN_TYPE_INT8, 0.007817f, 0 },
	};
	for (size_t i = 0; i < sizeof(mob) / sizeof(mob[0]); i++) {
		int bad = -1;
		mbn_input_range_for(mob[i].type, mob[i].scale, mob[i].zp, &r);
		mbn_input_map_init(m, &r, mob[i].type, mob[i].scale, mob[i].zp);
		for (int p = 0; p < 256 && bad < 0; p++)
			if (m->q[p] != old_lut(p, mob[i].type, mob[i].scale, mob[i].zp))
				bad = p;
		snprintf(name, sizeof(name), "(p - 128) / 128, %s scale %g: the bytes of the previous mapping",
			 mob[i].type == MBN_TYPE_INT8 ? "int8" : "uint8", mob[i].scale);
		check(r.kind == MBN_RANGE_MOBILENET && bad < 0, name, "kind %d, pixel %d", r.kind, bad);
	}
	mbn_input_range_for(MBN_TYPE_UINT8, 0.0078125f, 128, &r);
	mbn_input_map_init(m, &r, MBN_TYPE_UINT8, 0.0078125f, 128);
	int bad = -1;
	for (int p = 0; p < 256 && bad < 0; p++)
		if (m->q[p] != p)
			bad = p;
	check(bad < 0 && r.lo == -1.0f && r.hi == 127.0f / 128, "reference uint8 input: the byte is the pixel, range [-1, 127/128]",
	      "pixel %d -> %d, range [%g, %g]", bad, bad < 0 ? 0 : m->q[bad], r.lo, r.hi);

	/* [0, 1] (the VWW model): int8 q = p - 128, uint8 q = p, real = p / 255. */
	mbn_input_range_for(MBN_TYPE_INT8, s255, -128, &r);
	mbn_input_map_init(m, &r, MBN_TYPE_INT8, s255, -128);
	bad = -1;
	for (int p = 0; p < 256 && bad < 0; p++)
		if ((int8_t)m->q[p] != p - 128 || m->f[p] != (float)p / 255.0f)
			bad = p;
	check(bad < 0 && r.lo == 0 && r.hi == 1, "[0, 1], int8 scale 1/255 zero point -128: q = pixel - 128",
	      "pixel %d -> %d", bad, bad < 0 ? 0 : (int8_t)m->q[bad]);
	mbn_input_map_init(m, &r, MBN_TYPE_UINT8, s255, 0);
	bad = -1;
	for (int p = 0; p < 256 && bad < 0; p++)
		if (m->q[p] != p)
			bad = p;
	check(bad < 0, "[0, 1], uint8 scale 1/255 zero point 0: q = pixel", "pixel %d", bad);

	/* Any other quantization: the whole range of the type, the byte is qmin + pixel. */
	static const struct {
		enum mbn_type type;
		float scale;
		int zp;
	} qs[] = {
		{ MBN_TYPE_INT8, 0.0272778f, -34 },
		{ MBN_TYPE_INT8, 2.0f / 255, -1 },
		{ MBN_TYPE_INT8, 0.5f, 100 },
		{ MBN_TYPE_UINT8, 0.0272778f, 94 },
		{ MBN_TYPE_UINT8, 0.0078125f, 0 },
		{ MBN_TYPE_UINT8, 1e-4f, 255 },
		{ MBN_TYPE_INT8, 123.0f, 127 },
	};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		int qmin = qs[i].type == MBN_TYPE_INT8 ? -128 : 0;
		mbn_input_range_for(qs[i].type, qs[i].scale, qs[i].zp, &r);
		mbn_input_map_init(m, &r, qs[i].type, qs[i].scale, qs[i].zp);
		bad = -1;
		for (int p = 0; p < 256 && bad < 0; p++) {
			int q = qs[i].type == MBN_TYPE_INT8 ? (int8_t)m->q[p] : m->q[p];
			if (q != qmin + p)
				bad = p;
		}
		float lo = qs[i].scale * (float)(qmin - qs[i].zp), hi = qs[i].scale * (float)(qmin + 255 - qs[i].zp);
		snprintf(name, sizeof(name), "the %s range, scale %g zero point %d: q = %spixel, [real(qmin), real(qmax)]",
			 qs[i].type == MBN_TYPE_INT8 ? "int8" : "uint8", qs[i].scale, qs[i].zp, qmin ? "-128 + " : "");
		check(r.kind == MBN_RANGE_QUANT && bad < 0 && r.lo == lo && r.hi == hi, name, "kind %d, pixel %d, range [%g, %g] vs [%g, %g]",
		      r.kind, bad, r.lo, r.hi, lo, hi);
	}

	/* Float inputs get the real values: Keras' p / 127.5 - 1, exactly [-1, 1]. */
	mbn_input_range_for(MBN_TYPE_FLOAT32, 0, 0, &r);
	check(mbn_input_map_init(m, &r, MBN_TYPE_FLOAT32, 0, 0) == 0, "float32 map needs no scale", "rejected");
	bad = -1;
	for (int p = 0; p < 256 && bad < 0; p++)
		if (m->f[p] != (float)p / 127.5f - 1.0f)
			bad = p;
	check(bad < 0 && m->f[0] == -1.0f && m->f[255] == 1.0f, "float32 default: pixel / 127.5 - 1, 0 -> -1, 255 -> 1",
	      "pixel %d -> %.9g", bad, bad < 0 ? 0 : m->f[bad]);
	check(mbn_input_map_init(m, &r, MBN_TYPE_INT8, 0, 0) == -EINVAL && mbn_input_map_init(m, &r, (enum mbn_type)7, 1, 0) == -EINVAL,
	      "map for int8 with scale 0, or an unknown type: -EINVAL", "accepted");

	/* --input-range A:B */
	static const struct {
		const char *s;
		int ok;
		enum mbn_range_kind kind;
		float lo, hi;
	} ps[] = {
		{ "0:1", 1, MBN_RANGE_UNIT, 0, 1 },
		{ "-1:1", 1, MBN_RANGE_KERAS, -1, 1 },
		{ "-1:0.9921875", 1, MBN_RANGE_MOBILENET, -1, 0.9921875f },
		{ "0:255", 1, MBN_RANGE_USER, 0, 255 },
		{ "-2.5:2.5", 1, MBN_RANGE_USER, -2.5f, 2.5f },
		{ "1:0", 1, MBN_RANGE_USER, 1, 0 },
		{ "-123.68:151.06", 1, MBN_RANGE_USER, -123.68f, 151.06f },
		{ "1e-3:2e-3", 1, MBN_RANGE_USER, 1e-3f, 2e-3f },
		{ "1:1", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "1", 0, 0, 0, 0 },
		{ "0:", 0, 0, 0, 0 },
		{ ":1", 0, 0, 0, 0 },
		{ "0:1:2", 0, 0, 0, 0 },
		{ "0,1", 0, 0, 0, 0 },
		{ "nan:1", 0, 0, 0, 0 },
		{ "0:inf", 0, 0, 0, 0 },
		{ "a:b", 0, 0, 0, 0 },
		{ "0:1x", 0, 0, 0, 0 },
		{ "1e400:0", 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		int rc = mbn_input_range_parse(ps[i].s, &r);
		snprintf(name, sizeof(name), "--input-range '%s' %s", ps[i].s, ps[i].ok ? "parses" : "is rejected");
		if (ps[i].ok)
			check(rc == 0 && r.kind == ps[i].kind && r.lo == ps[i].lo && r.hi == ps[i].hi &&
				      mbn_input_range_real(&r, 0) == ps[i].lo && mbn_input_range_real(&r, 255) == ps[i].hi,
			      name,
			      "rc %d kind %d [%g, %g]", rc, r.kind, r.lo, r.hi);
		else
			check(rc == -EINVAL, name, "rc %d", rc);
	}
	check(mbn_input_range_parse(NULL, &r) == -EINVAL, "--input-range NULL is rejected", "accepted");

	/* A user range is linear and monotonic; quantized with the model's parameters. */
	mbn_input_range_parse("0:255", &r);
	mbn_input_map_init(m, &r, MBN_TYPE_UINT8, 1.0f, 0);
	bad = -1;
	for (int p = 0; p < 256 && bad < 0; p++)
		if (m->f[p] != (float)p || m->q[p] != p)
			bad = p;
	check(bad < 0, "--input-range 0:255 on uint8 scale 1: real = q = pixel", "pixel %d", bad);
	mbn_input_range_parse("-1:1", &r);
	mbn_input_map_init(m, &r, MBN_TYPE_UINT8, 0.0078125f, 128);
	bad = -1;
	for (int p = 0; p < 256 && bad < 0; p++)
		if (m->q[p] != (uint8_t)(lroundf(((float)p / 127.5f - 1.0f) / 0.0078125f) + 128 > 255 ? 255 : lroundf(((float)p / 127.5f - 1.0f) / 0.0078125f) + 128))
			bad = p;
	check(bad < 0 && m->q[0] == 0 && m->q[255] == 255 && m->q[128] == 129,
	      "--input-range -1:1 on the reference uint8 input: round(real * 128) + 128, clamped", "pixel %d -> %d", bad,
	      bad < 0 ? 0 : m->q[bad]);
	mbn_input_range_parse("0.5:-0.5", &r);
	int mono = 1;
	for (int p = 1; p < 256; p++)
		mono &= mbn_input_range_real(&r, p) < mbn_input_range_real(&r, p - 1);
	check(mono, "--input-range 0.5:-0.5 decreases with the pixel", "not monotonic");
	mbn_input_range_parse("-2:2", &r);
	mbn_input_map_init(m, &r, MBN_TYPE_INT8, 0.0078125f, 0);
	check((int8_t)m->q[0] == -128 && (int8_t)m->q[255] == 127 && (int8_t)m->q[32] == -128 && (int8_t)m->q[64] == -127 &&
		      (int8_t)m->q[128] == 1,
	      "--input-range -2:2 on int8 1/128: out-of-range values clamp",
	      "q[0] %d q[32] %d q[128] %d q[255] %d", (int8_t)m->q[0], (int8_t)m->q[32], (int8_t)m->q[128], (int8_t)m->q[255]);

	/* Filling the tensor: 1, 3, 4 channels; bytes or floats. */
	const uint8_t px[6] = { 255, 0, 0, 10, 20, 30 };
	uint8_t out[8];
	float fo[8];
	mbn_input_range_for(MBN_TYPE_UINT8, 1.0f, 0, &r); /* QUANT, uint8: the byte is the pixel */
	mbn_input_map_init(m, &r, MBN_TYPE_UINT8, 1.0f, 0);
	memset(out, 0xee, sizeof(out));
	check(mbn_input_fill(m, px, 2, 3, out) == 0 && !memcmp(out, px, 6) && out[6] == 0xee, "fill 3 channels: R G B",
	      "%d %d %d %d %d %d", out[0], out[1], out[2], out[3], out[4], out[5]);
	memset(out, 0xee, sizeof(out));
	check(mbn_input_fill(m, px, 2, 4, out) == 0 && out[0] == 255 && out[1] == 0 && out[2] == 0 && out[3] == 255 &&
		      out[4] == 10 && out[5] == 20 && out[6] == 30 && out[7] == 255,
	      "fill 4 channels: R G B 255", "%d %d %d %d / %d %d %d %d",
	      out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7]);
	memset(out, 0xee, sizeof(out));
	check(mbn_input_fill(m, px, 2, 1, out) == 0 && out[0] == 76 && out[1] == mbn_luma_bt601(10, 20, 30) && out[2] == 0xee,
	      "fill 1 channel: the luma", "%d %d", out[0], out[1]);
	check(mbn_input_fill(m, px, 2, 2, out) == -EINVAL && mbn_input_fill(m, px, 2, 5, out) == -EINVAL,
	      "fill 2 or 5 channels: -EINVAL", "accepted");
	mbn_input_range_for(MBN_TYPE_INT8, s255, -128, &r);
	mbn_input_map_init(m, &r, MBN_TYPE_INT8, s255, -128);
	check(mbn_input_fill(m, px, 2, 4, out) == 0 && (int8_t)out[0] == 127 && (int8_t)out[1] == -128 &&
		      (int8_t)out[3] == 127 && (int8_t)out[4] == 10 - 128,
	      "fill 4 channels int8 [0, 1]: alpha is pixel 255 -> 127",
	      "%d %d %d %d", (int8_t)out[0], (int8_t)out[1], (int8_t)out[3], (int8_t)out[4]);
	mbn_input_range_for(MBN_TYPE_FLOAT32, 0, 0, &r);
	mbn_input_map_init(m, &r, MBN_TYPE_FLOAT32, 0, 0);
	check(mbn_input_fill(m, px, 2, 4, fo) == 0 && fo[0] == 1.0f && fo[1] == -1.0f && fo[3] == 1.0f &&
		      fo[4] == 10 / 127.5f - 1.0f && fo[6] == 30 / 127.5f - 1.0f,
	      "fill float32, 4 channels: pixel / 127.5 - 1",
	      "%g %g %g %g", fo[0], fo[1], fo[3], fo[4]);
	check(mbn_input_fill(m, px, 2, 1, fo) == 0 && fo[0] == 76 / 127.5f - 1.0f, "fill float32, 1 channel: the luma's real value",
	      "%g", fo[0]);
	free(m);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_resize();
	test_gray();
	test_range();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
