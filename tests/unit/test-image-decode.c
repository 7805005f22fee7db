/* SPDX-License-Identifier: Apache-2.0 */
/* test-image-decode.c - tests for tools/common/image*.c: format detection, the decoders
 * (BMP, PPM/PGM, PNG, JPEG) on generated images of every supported kind, loading from a
 * file, and the shared sample images.
 *
 * Prints one "PASS name" or "FAIL name: why" line per check; exits 1 if any failed.
 * Run from the repository root. The shared sample images are read from
 * $MBN_SHARED/images (default ../shared/images).
 *
 * Test images are generated (tests/unit/test-image.h); nothing binary is committed.
 * Hashes of the shared BMPs come from the independent pure-Python decoder
 * tests/images/bmp-ref.py.
 */
#include "test-image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Format detection, error buffers                                          */

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
/* BMP                                                                      */

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

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_detect();
	test_bmp();
	test_pnm();
	test_png();
	test_jpeg();
	test_shared();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
