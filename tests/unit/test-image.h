/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-image.h - what the test-image-* programs share (tests for tools/common/image*.c):
 * the PASS/FAIL reporting, byte buffers, test patterns, decoding from memory against an
 * expected image, and the writers of test files (BMP by hand, PNG with libpng, JPEG with
 * libjpeg). Test images are generated, nothing binary is committed.
 *
 * Each program is one file that includes this header; a helper it does not use is not
 * an error (the pragmas below).
 */
#ifndef MBN_TEST_IMAGE_H
#define MBN_TEST_IMAGE_H

#include "image.h"

#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

static int failures, checks;

__attribute__((format(printf, 3, 4))) static int check(int ok, const char *name, const char *fmt, ...)
{
	checks++;
	if (ok) {
		printf("PASS %s\n", name);
		return 1;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Byte buffers and test patterns                                           */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			perror("realloc");
			exit(2);
		}
		b->cap = cap;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}
static void put8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	put(b, &x, 1);
}
static void put16(struct buf *b, unsigned v)
{
	put8(b, v & 255);
	put8(b, v >> 8);
}
static void put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}
static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}
static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Busy pattern (every pixel different-ish): for lossless formats. */
static uint8_t *pattern(int w, int h)
{
	uint8_t *p = malloc((size_t)w * h * 3);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++)
				p[(y * w + x) * 3 + c] = (uint8_t)(x * 37 + y * 91 + c * 53 + x * y * 7 + 11);
	return p;
}

/* Smooth gradient: for JPEG, whose error on it is small. */
static uint8_t *gradient(int w, int h)
{
	uint8_t *p = malloc((size_t)w * h * 3);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			p[(y * w + x) * 3 + 0] = (uint8_t)(x * 255 / (w - 1));
			p[(y * w + x) * 3 + 1] = (uint8_t)(y * 255 / (h - 1));
			p[(y * w + x) * 3 + 2] = (uint8_t)((x + y) * 255 / (w + h - 2));
		}
	return p;
}

static int max_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	int m = 0;
	for (size_t i = 0; i < n; i++) {
		int d = abs((int)a[i] - (int)b[i]);
		if (d > m)
			m = d;
	}
	return m;
}

/* Decode from memory; check size and compare with expect within tol. */
static void expect_image(const char *name, const struct buf *b, int w, int h,
			 const uint8_t *expect, int tol)
{
	struct mbn_image img;
	char err[256];
	int r = mbn_image_load_mem(b->p, b->n, name, &img, err, sizeof err);
	if (r != 0)
		check(0, name, "load failed (%d): %s", r, err);
	else if (img.w != w || img.h != h)
		check(0, name, "got %dx%d, want %dx%d", img.w, img.h, w, h);
	else {
		int d = max_diff(img.rgb, expect, (size_t)w * h * 3);
		check(d <= tol, name, "pixels differ by up to %d (tolerance %d)", d, tol);
	}
	mbn_image_free(&img);
}

/* ------------------------------------------------------------------------ */
/* BMP writer                                                               */

enum { BMP_RGB = 0,
       BMP_BITFIELDS = 3 };

struct bmpopt {
	int bpp; /* 8, 24, 32 */
	int topdown;
	int hsz; /* 40, 108, 124 */
	int comp;
	uint32_t masks[3]; /* R G B for BI_BITFIELDS */
	int drop_last_pad; /* leave the last row's padding out */
};

static struct buf make_bmp(const uint8_t *rgb, int w, int h, struct bmpopt o)
{
	struct buf b = { 0 };
	int stride = (w * o.bpp + 31) / 32 * 4;
	int extra = (o.comp == BMP_BITFIELDS && o.hsz == 40) ? 12 : 0;
	int pal = o.bpp == 8 ? 256 * 4 : 0;
	uint32_t off = 14 + o.hsz + extra + pal;
	uint32_t size = off + stride * h;
	puts_(&b, "BM");
	put32(&b, size);
	put32(&b, 0);
	put32(&b, off);
	put32(&b, o.hsz);
	put32(&b, w);
	put32(&b, o.topdown ? -h : h);
	put16(&b, 1);
	put16(&b, o.bpp);
	put32(&b, o.comp);
	put32(&b, stride * h);
	put32(&b, 2835);
	put32(&b, 2835);
	put32(&b, o.bpp == 8 ? 256 : 0);
	put32(&b, 0);
	for (int i = 40; i < o.hsz; i += 4) { /* V4/V5 fields: masks first, rest zero */
		uint32_t v = 0;
		if (i < 52)
			v = o.comp == BMP_BITFIELDS ? o.masks[(i - 40) / 4] : 0;
		else if (i == 52)
			v = 0xff000000u; /* alpha mask */
		else if (i == 56)
			v = 0x73524742u; /* 'sRGB' colour space */
		put32(&b, v);
	}
	if (extra)
		for (int i = 0; i < 3; i++)
			put32(&b, o.masks[i]);
	if (o.bpp == 8) /* grey ramp, reversed so index != value */
		for (int i = 0; i < 256; i++) {
			put8(&b, (255 - i) / 2);
			put8(&b, 255 - i);
			put8(&b, 255 - i);
			put8(&b, 0); /* B G R X */
		}
	for (int r = 0; r < h; r++) {
		int y = o.topdown ? r : h - 1 - r;
		for (int x = 0; x < w; x++) {
			const uint8_t *p = rgb + (y * w + x) * 3;
			if (o.bpp == 24) {
				put8(&b, p[2]);
				put8(&b, p[1]);
				put8(&b, p[0]);
			} else if (o.bpp == 32) {
				uint32_t v = 0x80u; /* something in the unused bits */
				if (o.comp == BMP_BITFIELDS) {
					v = 0;
					for (int c = 0; c < 3; c++)
						v |= (uint32_t)p[c] << __builtin_ctz(o.masks[c]);
					uint32_t unused = ~(o.masks[0] | o.masks[1] | o.masks[2]);
					if (unused) /* junk where the alpha byte is */
						v |= (0x5au << __builtin_ctz(unused)) & unused;
				} else {
					v = 0x80000000u | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
				}
				put32(&b, v);
			} else {
				put8(&b, 255 - p[0]); /* index: palette maps i -> 255-i */
			}
		}
		int pad = stride - w * o.bpp / 8;
		if (!(o.drop_last_pad && r == h - 1))
			for (int i = 0; i < pad; i++)
				put8(&b, 0xee);
	}
	return b;
}

/* ------------------------------------------------------------------------ */
/* PNG via libpng                                                           */

static void png_wr(png_structp png, png_bytep d, png_size_t n)
{
	put(png_get_io_ptr(png), d, n);
}
static void png_fl(png_structp png)
{
	(void)png;
}

/* rows: bytes per row as libpng expects them for (ctype, depth). */
static struct buf make_png(int w, int h, int ctype, int depth, int interlace,
			   uint8_t *const *rows, const png_color *pal, int npal,
			   const uint8_t *trns, int ntrns)
{
	struct buf b = { 0 };
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	if (setjmp(png_jmpbuf(png))) {
		fprintf(stderr, "libpng write failed\n");
		exit(2);
	}
	png_set_write_fn(png, &b, png_wr, png_fl);
	png_set_IHDR(png, info, w, h, depth, ctype,
		     interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pal)
		png_set_PLTE(png, info, pal, npal);
	if (trns)
		png_set_tRNS(png, info, trns, ntrns, NULL);
	png_write_info(png, info);
	png_write_image(png, (png_bytepp)rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return b;
}

/* ------------------------------------------------------------------------ */
/* JPEG via libjpeg                                                         */

static struct buf make_jpeg(const uint8_t *pix, int w, int h, J_COLOR_SPACE cs, int comps,
			    int quality, int progressive)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned char *out = NULL;
	unsigned long outsize = 0;
	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &out, &outsize);
	ci.image_width = w;
	ci.image_height = h;
	ci.input_components = comps;
	ci.in_color_space = cs;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, quality, TRUE);
	if (progressive)
		jpeg_simple_progression(&ci);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW r = (JSAMPROW)(pix + (size_t)ci.next_scanline * w * comps);
		jpeg_write_scanlines(&ci, &r, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	struct buf b = { .p = out, .n = outsize, .cap = outsize };
	return b;
}

#pragma GCC diagnostic pop

#endif
