/* SPDX-License-Identifier: Apache-2.0 */
/* test-image-bad.c - tests for tools/common/image*.c: bad inputs. Empty, text and junk
 * files, and generated BMP, PPM/PGM, PNG and JPEG files cut short, with fields patched
 * to invalid, huge or unsupported values, or corrupted: each is refused with the right
 * error code and a message that names the file and the problem, and the image is left
 * empty.
 *
 * Prints one "PASS name" or "FAIL name: why" line per check; exits 1 if any failed.
 * With -v it also prints "# <message>" for every rejected bad input.
 */
#include "test-image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int verbose;

/* ------------------------------------------------------------------------ */
/* Bad inputs                                                               */

static void expect_bad(const char *name, const void *d, size_t n, int want_err, const char *substr)
{
	struct mbn_image img = { 7, 7, (uint8_t *)&img }; /* must be reset on failure */
	char err[256];
	memset(err, 'x', sizeof err);
	int r = mbn_image_load_mem(d, n, name, &img, err, sizeof err);
	size_t nl = strlen(name);
	check(r < 0 && (!want_err || r == want_err) && img.rgb == NULL && img.w == 0 &&
		      strncmp(err, name, nl) == 0 && err[nl] == ':' && strlen(err) > nl + 2 &&
		      (!substr || strstr(err, substr)),
	      name, "r=%d (want %d), err='%s' (want '%s')", r, want_err, err, substr ? substr : "");
	if (r == 0)
		mbn_image_free(&img);
	else if (verbose)
		printf("# %s\n", err);
}

static uint32_t png_crc(const uint8_t *type_and_data, size_t n)
{
	return (uint32_t)crc32(crc32(0, Z_NULL, 0), type_and_data, (uInt)n);
}

static void wr32be(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void test_bad(void)
{
	uint8_t *rgb = pattern(5, 3);
	struct bmpopt o24 = { .bpp = 24, .hsz = 40 };
	struct buf bmp = make_bmp(rgb, 5, 3, o24);
	uint8_t tmp[4096];

	expect_bad("empty.jpg", "", 0, -EINVAL, "empty");
	static const char text[] = "hello, this is plain text\nnot an image\n";
	expect_bad("notes.txt", text, sizeof text - 1, -EINVAL, "text file");
	static const uint8_t junk[] = { 0x00, 0x01, 0x02, 0x03, 0xfe, 0xfd, 0x7f, 0x80, 0x81 };
	expect_bad("junk.bin", junk, sizeof junk, -EINVAL, "not a recognised image format");

	/* BMP */
	expect_bad("cut-header.bmp", bmp.p, 10, -EINVAL, "truncated");
	expect_bad("cut-infoheader.bmp", bmp.p, 30, -EINVAL, "truncated");
	expect_bad("cut-pixels.bmp", bmp.p, bmp.n - 7, -EINVAL, "BMP truncated: need");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 18, 0);
	expect_bad("zero-width.bmp", tmp, bmp.n, -EINVAL, "invalid dimensions");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 22, 0);
	expect_bad("zero-height.bmp", tmp, bmp.n, -EINVAL, "invalid dimensions");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 18, (uint32_t)-5);
	expect_bad("negative-width.bmp", tmp, bmp.n, -EINVAL, "invalid dimensions");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 18, 100000);
	wr32(tmp + 22, 100000);
	expect_bad("huge.bmp", tmp, bmp.n, -EFBIG, "too large");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 18, 30000);
	wr32(tmp + 22, 30000);
	expect_bad("too-many-pixels.bmp", tmp, bmp.n, -EFBIG, "pixels");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 22, 0x80000000u);
	expect_bad("int-min-height.bmp", tmp, bmp.n, -EFBIG, "too large");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 18, 20000); /* plausible size, pixel data missing */
	wr32(tmp + 22, 10000);
	expect_bad("big-claim-small-file.bmp", tmp, bmp.n, -EINVAL, "truncated");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 30, 1);
	expect_bad("rle8.bmp", tmp, bmp.n, -ENOTSUP, "compressed BMP (BI_RLE8)");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 30, 4);
	expect_bad("jpeg-in.bmp", tmp, bmp.n, -ENOTSUP, "compressed BMP (BI_JPEG)");
	memcpy(tmp, bmp.p, bmp.n);
	tmp[28] = 16;
	expect_bad("16bit.bmp", tmp, bmp.n, -ENOTSUP, "16-bit");
	memcpy(tmp, bmp.p, bmp.n);
	tmp[28] = 7;
	expect_bad("7bit.bmp", tmp, bmp.n, -EINVAL, "bit depth");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 14, 12);
	expect_bad("os2.bmp", tmp, bmp.n, -ENOTSUP, "OS/2");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 14, 0x7fffffff);
	expect_bad("bad-header-size.bmp", tmp, bmp.n, -EINVAL, "header size");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 10, 0xfffffff0u);
	expect_bad("offset-past-end.bmp", tmp, bmp.n, -EINVAL, "past the end");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 10, 20);
	expect_bad("offset-in-header.bmp", tmp, bmp.n, -EINVAL, "inside");
	free(bmp.p);

	struct bmpopt o565 = { .bpp = 32, .hsz = 40, .comp = BMP_BITFIELDS, .masks = { 0xf800, 0x07e0, 0x001f } };
	bmp = make_bmp(rgb, 5, 3, o565);
	expect_bad("bitfields-565-in-32.bmp", bmp.p, bmp.n, -ENOTSUP, "masks");
	free(bmp.p);
	struct bmpopt o8 = { .bpp = 8, .hsz = 40 };
	bmp = make_bmp(rgb, 5, 3, o8);
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 46, 4); /* only 4 colours, pixels use more */
	expect_bad("palette-index.bmp", tmp, bmp.n, -EINVAL, "palette index");
	memcpy(tmp, bmp.p, bmp.n);
	wr32(tmp + 46, 100000);
	expect_bad("palette-too-big.bmp", tmp, bmp.n, -EINVAL, "palette");
	expect_bad("cut-palette.bmp", bmp.p, 100, -EINVAL, "truncated: palette");
	free(bmp.p);

	/* PPM / PGM */
	static const char p6cut[] = "P6\n5 3\n255\nabcdefgh";
	expect_bad("cut-pixels.ppm", p6cut, sizeof p6cut - 1, -EINVAL, "PPM truncated: need 45 bytes");
	expect_bad("cut-header.ppm", "P6\n5 ", 5, -EINVAL, "truncated");
	expect_bad("no-raster.ppm", "P6\n5 3\n255", 10, -EINVAL, "truncated");
	expect_bad("zero.ppm", "P6\n0 0\n255\n", 11, -EINVAL, "invalid dimensions");
	expect_bad("huge.pgm", "P5\n99999 99999\n255\n", 19, -EFBIG, "too large");
	expect_bad("overflow.ppm", "P6\n99999999999999999999 1\n255\n", 30, -EFBIG, "width");
	expect_bad("maxval0.ppm", "P6\n1 1\n0\nabc", 12, -EINVAL, "maxval");
	expect_bad("maxval70000.ppm", "P6\n1 1\n70000\nabcdef", 19, -EINVAL, "maxval");
	expect_bad("letters.ppm", "P6\nfive 3\n255\n", 14, -EINVAL, "expected the width");
	expect_bad("ascii.ppm", "P3\n1 1\n255\n1 2 3\n", 17, -ENOTSUP, "P3");
	expect_bad("pam.pam", "P7\nWIDTH 1\n", 10, -ENOTSUP, "P7");

	/* PNG */
	uint8_t row[5 * 3], *rows[3];
	memcpy(row, rgb, sizeof row);
	for (int i = 0; i < 3; i++)
		rows[i] = row;
	struct buf png = make_png(5, 3, PNG_COLOR_TYPE_RGB, 8, 0, rows, NULL, 0, NULL, 0);
	expect_bad("signature-only.png", png.p, 8, -EINVAL, "truncated");
	expect_bad("cut.png", png.p, png.n / 2 + 10, -EINVAL, "PNG");
	{ /* Missing IEND after complete image data: accepted (the pixels are all there). */
		struct mbn_image img;
		char err[256];
		int r = mbn_image_load_mem(png.p, png.n - 12, "no-iend.png", &img, err, sizeof err);
		check(r == 0 && img.w == 5 && img.h == 3, "png-without-iend-accepted", "r=%d %s", r, err);
		mbn_image_free(&img);
	}
	memcpy(tmp, png.p, png.n);
	tmp[8 + 8 + 3] ^= 0x01; /* IHDR width, CRC left alone */
	expect_bad("bad-crc.png", tmp, png.n, -EINVAL, "CRC");
	memcpy(tmp, png.p, png.n);
	wr32be(tmp + 16, 40000); /* IHDR width, CRC fixed up */
	wr32be(tmp + 29, png_crc(tmp + 12, 17));
	expect_bad("huge.png", tmp, png.n, -EFBIG, "too large");
	memcpy(tmp, png.p, png.n);
	wr32be(tmp + 16, 0);
	wr32be(tmp + 29, png_crc(tmp + 12, 17));
	expect_bad("zero-width.png", tmp, png.n, -EINVAL, "width");
	free(png.p);

	/* JPEG */
	uint8_t *grad = gradient(32, 32);
	struct buf jpg = make_jpeg(grad, 32, 32, JCS_RGB, 3, 90, 0);
	if (jpg.n > sizeof tmp) {
		fprintf(stderr, "test JPEG too large\n");
		exit(2);
	}
	expect_bad("soi-only.jpg", jpg.p, 2, -EINVAL, "corrupt JPEG");
	expect_bad("cut.jpg", jpg.p, jpg.n / 2, -EINVAL, "Premature end");
	expect_bad("cut-header.jpg", jpg.p, 40, -EINVAL, "corrupt JPEG");
	memcpy(tmp, jpg.p, 2);
	for (int i = 2; i < 600; i++)
		tmp[i] = (uint8_t)(i * 7 + 3);
	expect_bad("garbage-after-soi.jpg", tmp, 600, -EINVAL, "corrupt JPEG");
	struct buf pj = make_jpeg(grad, 32, 32, JCS_RGB, 3, 90, 1);
	expect_bad("cut-progressive.jpg", pj.p, pj.n * 2 / 3, -EINVAL, "corrupt JPEG");
	free(pj.p);
	/* An EOI marker in the middle of the entropy-coded data: libjpeg only warns
     * ("premature end of data segment") and fills with grey; we must refuse. */
	memcpy(tmp, jpg.p, jpg.n);
	size_t sos = 0;
	for (size_t i = 2; i + 4 < jpg.n; i++)
		if (tmp[i] == 0xff && tmp[i + 1] == 0xda) {
			sos = i;
			break;
		}
	if (check(sos != 0, "jpeg-find-sos", "no SOS marker in the test JPEG")) {
		size_t data = sos + 2 + (tmp[sos + 2] << 8 | tmp[sos + 3]);
		size_t mid = data + (jpg.n - 2 - data) / 2;
		tmp[mid] = 0xff;
		tmp[mid + 1] = 0xd9;
		expect_bad("eoi-in-scan.jpg", tmp, jpg.n, -EINVAL, "premature end of data segment");
	}
	/* SOF0 dimensions patched to 60000x60000. */
	memcpy(tmp, jpg.p, jpg.n);
	size_t sof = 0;
	for (size_t i = 2; i + 9 < jpg.n; i++)
		if (tmp[i] == 0xff && tmp[i + 1] == 0xc0) {
			sof = i;
			break;
		}
	if (check(sof != 0, "jpeg-find-sof0", "no SOF0 marker in the test JPEG")) {
		tmp[sof + 5] = 60000 >> 8;
		tmp[sof + 6] = 60000 & 255;
		tmp[sof + 7] = 60000 >> 8;
		tmp[sof + 8] = 60000 & 255;
		expect_bad("huge.jpg", tmp, jpg.n, -EFBIG, "too large");
		tmp[sof + 5] = 0;
		tmp[sof + 6] = 0;
		expect_bad("zero-height.jpg", tmp, jpg.n, -EINVAL, NULL);
	}
	free(jpg.p);
	free(grad);
	free(rgb);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0; /* -v: also print each error message */
	test_bad();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
