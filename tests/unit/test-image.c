/* test-image.c - tests for tools/common/image.c (decoders and bilinear resize).
 *
 * Prints one "PASS name" or "FAIL name: why" line per check; exits 1 if any failed.
 * With -v it also prints "# <message>" for every rejected bad input.
 * Run from the repository root. The shared sample images are read from
 * $MBN_SHARED/images (default ../shared/images).
 *
 * Test images are generated here (BMP/PPM by hand, PNG with libpng, JPEG with
 * libjpeg); nothing binary is committed. Hashes of the shared BMPs come from the
 * independent pure-Python decoder tests/images/bmp-ref.py.
 */
#include "image.h"

#include <errno.h>
#include <math.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static int failures, checks, verbose;

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

static void test_bmp(void)
{
	static const struct {
		const char *name;
		int w, h;
		struct bmpopt o;
	} cases[] = {
		{ "bmp24-bottom-up-w5", 5, 3, { .bpp = 24, .hsz = 40 } },
		{ "bmp24-top-down-w7", 7, 4, { .bpp = 24, .topdown = 1, .hsz = 40 } },
		{ "bmp24-w1", 1, 6, { .bpp = 24, .hsz = 40 } },
		{ "bmp24-v4-header", 6, 2, { .bpp = 24, .hsz = 108 } },
		{ "bmp24-no-last-row-padding", 5, 3, { .bpp = 24, .hsz = 40, .drop_last_pad = 1 } },
		{ "bmp32-bottom-up-w3", 3, 5, { .bpp = 32, .hsz = 40 } },
		{ "bmp32-top-down-w9", 9, 2, { .bpp = 32, .topdown = 1, .hsz = 40 } },
		{ "bmp32-bitfields-info-header", 3, 3, { .bpp = 32, .hsz = 40, .comp = BMP_BITFIELDS, .masks = { 0x00ff0000, 0x0000ff00, 0x000000ff } } },
		{ "bmp32-bitfields-v5-top-down", 5, 4, { .bpp = 32, .hsz = 124, .topdown = 1, .comp = BMP_BITFIELDS, .masks = { 0x00ff0000, 0x0000ff00, 0x000000ff } } },
		{ "bmp32-bitfields-v4-rgba-order", 4, 3, { .bpp = 32, .hsz = 108, .comp = BMP_BITFIELDS, .masks = { 0xff000000, 0x00ff0000, 0x0000ff00 } } },
		{ "bmp8-palette-w5", 5, 3, { .bpp = 8, .hsz = 40 } },
		{ "bmp8-palette-top-down-w3", 3, 4, { .bpp = 8, .hsz = 40, .topdown = 1 } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int w = cases[i].w, h = cases[i].h;
		uint8_t *rgb = pattern(w, h);
		if (cases[i].o.bpp == 8) /* palette is the ramp (255-i, 255-i, (255-i)/2) */
			for (int k = 0; k < w * h; k++) {
				rgb[3 * k + 1] = rgb[3 * k];
				rgb[3 * k + 2] = rgb[3 * k] / 2;
			}
		struct buf b = make_bmp(rgb, w, h, cases[i].o);
		expect_image(cases[i].name, &b, w, h, rgb, 0);
		free(b.p);
		free(rgb);
	}
}

/* ------------------------------------------------------------------------ */
/* PPM / PGM                                                                */

static void test_pnm(void)
{
	int w = 5, h = 3;
	uint8_t *rgb = pattern(w, h);
	char hdr[128];

	/* P6, maxval 255, comments in the header */
	struct buf b = { 0 };
	puts_(&b, "P6\n# a comment\n5 # width\n# another\n3\n255\n");
	put(&b, rgb, (size_t)w * h * 3);
	expect_image("ppm-p6-255-comments", &b, w, h, rgb, 0);
	free(b.p);

	/* P6, maxval 65535: 16-bit big-endian samples v*257 -> v */
	b = (struct buf){ 0 };
	snprintf(hdr, sizeof hdr, "P6 %d %d 65535\n", w, h);
	puts_(&b, hdr);
	for (int i = 0; i < w * h * 3; i++) {
		put8(&b, rgb[i]);
		put8(&b, rgb[i]);
	}
	expect_image("ppm-p6-65535", &b, w, h, rgb, 0);
	free(b.p);

	/* P5 grey -> R=G=B */
	uint8_t *grey = malloc((size_t)w * h * 3);
	b = (struct buf){ 0 };
	snprintf(hdr, sizeof hdr, "P5\n%d %d\n255\r", w, h);
	puts_(&b, hdr);
	for (int i = 0; i < w * h; i++) {
		put8(&b, rgb[3 * i]);
		grey[3 * i] = grey[3 * i + 1] = grey[3 * i + 2] = rgb[3 * i];
	}
	expect_image("pgm-p5-255", &b, w, h, grey, 0);
	free(b.p);

	/* P5 maxval 15: scaled by 255/15 = 17 */
	b = (struct buf){ 0 };
	snprintf(hdr, sizeof hdr, "P5 %d %d 15\n", w, h);
	puts_(&b, hdr);
	for (int i = 0; i < w * h; i++) {
		put8(&b, i % 16);
		grey[3 * i] = grey[3 * i + 1] = grey[3 * i + 2] = (uint8_t)(i % 16 * 17);
	}
	expect_image("pgm-p5-maxval15", &b, w, h, grey, 0);
	free(b.p);

	/* P5 maxval 65535 */
	b = (struct buf){ 0 };
	snprintf(hdr, sizeof hdr, "P5 %d %d 65535\n", w, h);
	puts_(&b, hdr);
	for (int i = 0; i < w * h; i++) {
		put8(&b, rgb[3 * i]);
		put8(&b, rgb[3 * i]);
		grey[3 * i] = grey[3 * i + 1] = grey[3 * i + 2] = rgb[3 * i];
	}
	expect_image("pgm-p5-65535", &b, w, h, grey, 0);
	free(b.p);
	free(grey);
	free(rgb);
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

static void test_png(void)
{
	enum { W = 7,
	       H = 5 };
	uint8_t *rgb = pattern(W, H);
	uint8_t data[H][W * 8];
	uint8_t *rows[H];
	uint8_t expect[W * H * 3];
	struct buf b;
	for (int y = 0; y < H; y++)
		rows[y] = data[y];

	/* RGB 8 */
	for (int y = 0; y < H; y++)
		memcpy(data[y], rgb + y * W * 3, W * 3);
	b = make_png(W, H, PNG_COLOR_TYPE_RGB, 8, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-rgb8", &b, W, H, rgb, 0);
	free(b.p);

	/* RGB 8, Adam7 interlaced */
	b = make_png(W, H, PNG_COLOR_TYPE_RGB, 8, 1, rows, NULL, 0, NULL, 0);
	expect_image("png-rgb8-interlaced", &b, W, H, rgb, 0);
	free(b.p);

	/* RGBA 8: alpha dropped, colour kept */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			memcpy(&data[y][x * 4], rgb + (y * W + x) * 3, 3);
			data[y][x * 4 + 3] = (uint8_t)(x * 40);
		}
	b = make_png(W, H, PNG_COLOR_TYPE_RGBA, 8, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-rgba8", &b, W, H, rgb, 0);
	free(b.p);

	/* RGB 16: v*257 -> v */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W * 3; x++)
			data[y][2 * x] = data[y][2 * x + 1] = rgb[y * W * 3 + x];
	b = make_png(W, H, PNG_COLOR_TYPE_RGB, 16, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-rgb16", &b, W, H, rgb, 0);
	free(b.p);

	/* grey 8 and grey+alpha 8 */
	for (int i = 0; i < W * H; i++)
		expect[3 * i] = expect[3 * i + 1] = expect[3 * i + 2] = rgb[3 * i];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			data[y][x] = rgb[(y * W + x) * 3];
	b = make_png(W, H, PNG_COLOR_TYPE_GRAY, 8, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-gray8", &b, W, H, expect, 0);
	free(b.p);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			data[y][2 * x] = rgb[(y * W + x) * 3];
			data[y][2 * x + 1] = 77;
		}
	b = make_png(W, H, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-gray-alpha8", &b, W, H, expect, 0);
	free(b.p);

	/* grey 16 */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			data[y][2 * x] = data[y][2 * x + 1] = rgb[(y * W + x) * 3];
	b = make_png(W, H, PNG_COLOR_TYPE_GRAY, 16, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-gray16", &b, W, H, expect, 0);
	free(b.p);

	/* grey 1-bit: 0 -> 0, 1 -> 255 */
	for (int y = 0; y < H; y++) {
		memset(data[y], 0, sizeof data[y]);
		for (int x = 0; x < W; x++) {
			int bit = (x + y) & 1;
			data[y][x / 8] |= (uint8_t)(bit << (7 - x % 8));
			memset(expect + (y * W + x) * 3, bit ? 255 : 0, 3);
		}
	}
	b = make_png(W, H, PNG_COLOR_TYPE_GRAY, 1, 0, rows, NULL, 0, NULL, 0);
	expect_image("png-gray1", &b, W, H, expect, 0);
	free(b.p);

	/* palette 8-bit with tRNS: colours from the palette, transparency ignored */
	png_color pal[16];
	uint8_t trns[16];
	for (int i = 0; i < 16; i++) {
		pal[i].red = (uint8_t)(i * 16);
		pal[i].green = (uint8_t)(255 - i * 9);
		pal[i].blue = (uint8_t)(i * 5 + 3);
		trns[i] = (uint8_t)(i * 10);
	}
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int i = (x * 3 + y * 5) % 16;
			data[y][x] = (uint8_t)i;
			expect[(y * W + x) * 3 + 0] = pal[i].red;
			expect[(y * W + x) * 3 + 1] = pal[i].green;
			expect[(y * W + x) * 3 + 2] = pal[i].blue;
		}
	b = make_png(W, H, PNG_COLOR_TYPE_PALETTE, 8, 0, rows, pal, 16, trns, 16);
	expect_image("png-palette8-trns", &b, W, H, expect, 0);
	free(b.p);

	/* palette 4-bit */
	for (int y = 0; y < H; y++) {
		uint8_t tmp[W];
		memcpy(tmp, data[y], W);
		memset(data[y], 0, sizeof data[y]);
		for (int x = 0; x < W; x++)
			data[y][x / 2] |= (uint8_t)(tmp[x] << (x % 2 ? 0 : 4));
	}
	b = make_png(W, H, PNG_COLOR_TYPE_PALETTE, 4, 0, rows, pal, 16, NULL, 0);
	expect_image("png-palette4", &b, W, H, expect, 0);
	free(b.p);
	free(rgb);
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

static void test_jpeg(void)
{
	enum { W = 33,
	       H = 21 };
	uint8_t *rgb = gradient(W, H);
	struct mbn_image a = { 0 }, p = { 0 };
	char err[256];

	struct buf base = make_jpeg(rgb, W, H, JCS_RGB, 3, 95, 0);
	expect_image("jpeg-baseline-rgb", &base, W, H, rgb, 12);

	struct buf prog = make_jpeg(rgb, W, H, JCS_RGB, 3, 95, 1);
	expect_image("jpeg-progressive-rgb", &prog, W, H, rgb, 12);
	/* Same quantised coefficients, so both must decode to the same pixels. */
	int ra = mbn_image_load_mem(base.p, base.n, "base", &a, err, sizeof err);
	int rp = mbn_image_load_mem(prog.p, prog.n, "prog", &p, err, sizeof err);
	check(ra == 0 && rp == 0 && a.w == p.w && a.h == p.h &&
		      memcmp(a.rgb, p.rgb, (size_t)W * H * 3) == 0,
	      "jpeg-progressive-equals-baseline", "decodes differ");
	mbn_image_free(&a);
	mbn_image_free(&p);

	/* greyscale JPEG -> R=G=B */
	uint8_t grey[W * H], expect[W * H * 3];
	for (int i = 0; i < W * H; i++) {
		grey[i] = rgb[3 * i];
		expect[3 * i] = expect[3 * i + 1] = expect[3 * i + 2] = grey[i];
	}
	struct buf g = make_jpeg(grey, W, H, JCS_GRAYSCALE, 1, 95, 0);
	expect_image("jpeg-grayscale", &g, W, H, expect, 6);
	if (mbn_image_load_mem(g.p, g.n, "grey", &a, err, sizeof err) == 0) {
		int same = 1;
		for (int i = 0; i < W * H; i++)
			same &= a.rgb[3 * i] == a.rgb[3 * i + 1] && a.rgb[3 * i] == a.rgb[3 * i + 2];
		check(same, "jpeg-grayscale-r=g=b", "channels differ");
	}
	mbn_image_free(&a);

	/* CMYK JPEG (libjpeg writes an Adobe marker, so the values are read as
     * Adobe-inverted: stored 255 = no ink, R = C*K/255). */
	uint8_t cmyk[W * H * 4];
	for (int i = 0; i < W * H; i++) {
		cmyk[4 * i + 0] = rgb[3 * i + 0];
		cmyk[4 * i + 1] = rgb[3 * i + 1];
		cmyk[4 * i + 2] = rgb[3 * i + 2];
		cmyk[4 * i + 3] = 200;
		for (int c = 0; c < 3; c++)
			expect[3 * i + c] = (uint8_t)((rgb[3 * i + c] * 200 + 127) / 255);
	}
	struct buf k = make_jpeg(cmyk, W, H, JCS_CMYK, 4, 95, 0);
	expect_image("jpeg-cmyk-adobe", &k, W, H, expect, 12);

	/* Format is detected by content: a JPEG named .png and one named .bmp. */
	char dir[] = "/tmp/test-image-XXXXXX";
	if (mkdtemp(dir)) {
		char path[256];
		snprintf(path, sizeof path, "%s/really-a-jpeg.png", dir);
		FILE *f = fopen(path, "wb");
		if (f) {
			fwrite(base.p, 1, base.n, f);
			fclose(f);
		}
		int r = mbn_image_load(path, &a, err, sizeof err);
		check(r == 0 && a.w == W && a.h == H, "load-file-detects-by-content",
		      "r=%d %s", r, err);
		mbn_image_free(&a);
		unlink(path);

		snprintf(path, sizeof path, "%s/missing.jpg", dir);
		r = mbn_image_load(path, &a, err, sizeof err);
		check(r == -ENOENT && strstr(err, "missing.jpg") && strstr(err, "No such file") && !a.rgb,
		      "load-file-missing", "r=%d err='%s'", r, err);

		r = mbn_image_load(dir, &a, err, sizeof err);
		check(r == -EISDIR && strstr(err, dir), "load-file-directory", "r=%d err='%s'", r, err);

		snprintf(path, sizeof path, "%s/empty.bmp", dir);
		f = fopen(path, "wb");
		if (f)
			fclose(f);
		r = mbn_image_load(path, &a, err, sizeof err);
		check(r == -EINVAL && strstr(err, "empty.bmp: ") && strstr(err, "empty"),
		      "load-file-empty", "r=%d err='%s'", r, err);
		unlink(path);
		rmdir(dir);
	} else {
		check(0, "load-file", "mkdtemp failed");
	}

	free(base.p);
	free(prog.p);
	free(g.p);
	free(k.p);
	free(rgb);
}

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

/* ------------------------------------------------------------------------ */
/* Shared sample images                                                     */

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void test_shared(void)
{
	const char *base = getenv("MBN_SHARED");
	char dir[1024], path[1200], name[160], err[512];
	snprintf(dir, sizeof dir, "%s/images", base && *base ? base : "../shared");
	struct stat st;
	if (!check(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "shared-images-dir",
		   "%s not found (set MBN_SHARED to the shared directory)", dir))
		return;

	/* Sizes from the README; hashes of the BMPs from tests/images/bmp-ref.py
     * (an independent pure-Python decoder), 0 = no hash (JPEG). */
	static const struct {
		const char *file;
		int w, h;
		uint64_t fnv;
	} imgs[] = {
		{ "grace_hopper.bmp", 512, 600, 0x6fcb0e2554cfbdcbull },
		{ "cat.bmp", 512, 341, 0xd2c88116f02299d1ull },
		{ "bird.bmp", 512, 343, 0x73b2f6619750f944ull },
		{ "sunflower.bmp", 512, 340, 0x8d41b430ba97e95aull },
		{ "dragonfly.bmp", 512, 418, 0xa4cda25a0e49f7b7ull },
		{ "checker224X224.bmp", 224, 224, 0x424301098cad2064ull },
		{ "rgb6X4.bmp", 4, 6, 0xd41a7d689d194a89ull },
		{ "owl.jpg", 512, 384, 0 },
		{ "parrot.jpg", 512, 929, 0 },
		{ "hot_dog.jpg", 512, 384, 0 },
		{ "cat_720p.jpg", 1280, 720, 0 },
	};
	for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
		struct mbn_image img;
		snprintf(path, sizeof path, "%s/%s", dir, imgs[i].file);
		snprintf(name, sizeof name, "shared-%s", imgs[i].file);
		int r = mbn_image_load(path, &img, err, sizeof err);
		if (!check(r == 0, name, "%s", err))
			continue;
		if (check(img.w == imgs[i].w && img.h == imgs[i].h, name, "got %dx%d, README says %dx%d",
			  img.w, img.h, imgs[i].w, imgs[i].h)) {
			size_t n = (size_t)img.w * img.h * 3;
			if (imgs[i].fnv) {
				uint64_t h = fnv1a64(img.rgb, n);
				char nm[200];
				snprintf(nm, sizeof nm, "%s-pixels-match-python-decoder", name);
				check(h == imgs[i].fnv, nm, "fnv %016llx, want %016llx",
				      (unsigned long long)h, (unsigned long long)imgs[i].fnv);
			} else {
				/* JPEG: no independent decoder here; at least not flat / not grey fill. */
				unsigned mn = 255, mx = 0;
				for (size_t k = 0; k < n; k++) {
					mn = img.rgb[k] < mn ? img.rgb[k] : mn;
					mx = img.rgb[k] > mx ? img.rgb[k] : mx;
				}
				char nm[200];
				snprintf(nm, sizeof nm, "%s-has-contrast", name);
				check(mx - mn > 100, nm, "pixel range only %u..%u", mn, mx);
			}
		}
		mbn_image_free(&img);
	}

	/* rgb6X4.bmp by hand (from its hex dump): 4 wide, 6 high, bottom-up.
     * Top three rows: magenta magenta green green; bottom three: black black white white. */
	struct mbn_image img;
	snprintf(path, sizeof path, "%s/rgb6X4.bmp", dir);
	if (mbn_image_load(path, &img, err, sizeof err) == 0) {
		static const uint8_t top[4][3] = { { 255, 0, 255 }, { 255, 0, 255 }, { 0, 255, 0 }, { 0, 255, 0 } };
		static const uint8_t bot[4][3] = { { 0, 0, 0 }, { 0, 0, 0 }, { 255, 255, 255 }, { 255, 255, 255 } };
		int ok = img.w == 4 && img.h == 6;
		for (int y = 0; ok && y < 6; y++)
			for (int x = 0; x < 4; x++)
				ok &= memcmp(img.rgb + (y * 4 + x) * 3, y < 3 ? top[x] : bot[x], 3) == 0;
		check(ok, "shared-rgb6X4-pixels", "pixels differ from the hand-decoded pattern");
		mbn_image_free(&img);
	} else {
		check(0, "shared-rgb6X4-pixels", "%s", err);
	}

	/* checker224X224.bmp spot checks (values read off the file by hand). */
	snprintf(path, sizeof path, "%s/checker224X224.bmp", dir);
	if (mbn_image_load(path, &img, err, sizeof err) == 0) {
		static const struct {
			int x, y;
			uint32_t rgb;
		} spots[] = {
			{ 0, 0, 0x9e43ff },
			{ 16, 0, 0x97fe00 },
			{ 32, 0, 0xfb42bd },
			{ 0, 16, 0x0195ff },
			{ 0, 32, 0xfbd405 },
			{ 0, 48, 0xffc300 },
		};
		int ok = 1;
		for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
			const uint8_t *p = img.rgb + ((size_t)spots[i].y * img.w + spots[i].x) * 3;
			uint32_t v = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
			if (v != spots[i].rgb) {
				check(0, "shared-checker-spots", "(%d,%d) = %06x, want %06x",
				      spots[i].x, spots[i].y, v, spots[i].rgb);
				ok = 0;
			}
		}
		if (ok)
			check(1, "shared-checker-spots", "%s", "");
		mbn_image_free(&img);
	}

	/* grace_hopper.bmp -> 224x224: hashes of bmp-ref.py's float32 emulation of the
     * TFLite formula, in both rounding modes. */
	snprintf(path, sizeof path, "%s/grace_hopper.bmp", dir);
	if (mbn_image_load(path, &img, err, sizeof err) == 0) {
		uint8_t *out = malloc(224 * 224 * 3);
		int r = mbn_image_resize_bilinear(&img, 224, 224, out);
		uint64_t h = fnv1a64(out, 224 * 224 * 3);
		check(r == 0 && h == 0xec19d7cf41403fdfull, "resize-grace-hopper-224-round",
		      "r=%d fnv %016llx", r, (unsigned long long)h);
		r = mbn_image_resize_bilinear_ex(&img, 224, 224, out, MBN_RESIZE_TRUNCATE);
		h = fnv1a64(out, 224 * 224 * 3);
		check(r == 0 && h == 0x12314c105be4872dull, "resize-grace-hopper-224-truncate",
		      "r=%d fnv %016llx", r, (unsigned long long)h);
		free(out);
		mbn_image_free(&img);
	}
}

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

static void test_detect(void)
{
	int ok = mbn_image_detect("\xff\xd8\xff\xe0", 4) == MBN_IMAGE_JPEG &&
		mbn_image_detect("\x89PNG\r\n\x1a\n", 8) == MBN_IMAGE_PNG &&
		mbn_image_detect("BM", 2) == MBN_IMAGE_BMP &&
		mbn_image_detect("P6\n", 3) == MBN_IMAGE_PNM &&
		mbn_image_detect("P6x", 3) == MBN_IMAGE_UNKNOWN &&
		mbn_image_detect("\x89PNG", 4) == MBN_IMAGE_UNKNOWN &&
		mbn_image_detect("", 0) == MBN_IMAGE_UNKNOWN &&
		mbn_image_detect(NULL, 10) == MBN_IMAGE_UNKNOWN &&
		strcmp(mbn_image_format_name(MBN_IMAGE_PNG), "PNG") == 0;
	check(ok, "detect-magic", "a magic number was misdetected");

	/* NULL / short error buffers are allowed. */
	struct mbn_image img;
	char tiny[8];
	int r1 = mbn_image_load_mem("x", 1, "n", &img, NULL, 0);
	int r2 = mbn_image_load_mem("xyz", 3, "a-rather-long-name.png", &img, tiny, sizeof tiny);
	check(r1 == -EINVAL && r2 == -EINVAL && strlen(tiny) == sizeof tiny - 1, "error-buffer-sizes",
	      "r1=%d r2=%d tiny='%s'", r1, r2, tiny);
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

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0; /* -v: also print each error message */
	test_detect();
	test_bmp();
	test_pnm();
	test_png();
	test_jpeg();
	test_bad();
	test_resize();
	test_shared();
	test_gray();
	test_range();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
