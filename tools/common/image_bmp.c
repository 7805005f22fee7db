/* image_bmp.c - the BMP decoder (Windows bitmap: BITMAPINFOHEADER and later, 8, 24 and 32
 * bits per pixel, BI_RGB and (32-bit) BI_BITFIELDS), into image.h's RGB. */
#include "image_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why a hand decoder and not a packaged one: Debian has stb_image (libstb-dev), which
 * decodes BMP and binary PNM. We keep these ~250 lines because every refusal here names
 * the field that is wrong and the limit it breaks ("compressed BMP (BI_RLE8) not
 * supported", "4-bit BMP not supported (only 8, 24 and 32 bits per pixel)", dimensions against MBN_IMAGE_MAX_*
 * before anything is allocated), which tests/unit/test-image-*.c and tests/bad/ check;
 * stb_image reports a fixed short string ("bad BMP", "unknown image type") per failure,
 * so the messages users get for a wrong file would become vaguer. The formats are
 * simple, fully specified and bounds-checked byte by byte.
 */

/* ------------------------------------------------------------------------ */
/* BMP                                                                      */

/* A 32-bit BI_BITFIELDS channel mask must be 8 contiguous bits. */
static int mask_shift(uint32_t m)
{
	if (m == 0)
		return -1;
	int s = __builtin_ctz(m);
	return (m >> s) == 0xffu ? s : -1;
}

int mbn_img_decode_bmp(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
	if (n < 18)
		return mbn_img_fail(c, -EINVAL, "BMP truncated: header needs at least 18 bytes, file has %zu", n);
	uint32_t off = rd32le(d + 10);
	uint32_t hsz = rd32le(d + 14);

	if (hsz == 12 || hsz == 16 || hsz == 64)
		return mbn_img_fail(c, -ENOTSUP, "OS/2 BMP (%u-byte header) not supported", hsz);
	if (hsz != 40 && hsz != 52 && hsz != 56 && hsz != 108 && hsz != 124)
		return mbn_img_fail(c, -EINVAL, "BMP info header size %u unknown (expected 40, 52, 56, 108 or 124)", hsz);
	if (n < 14 + (size_t)hsz)
		return mbn_img_fail(c, -EINVAL, "BMP truncated: %u-byte info header needs %u bytes, file has %zu",
				    hsz, 14 + hsz, n);

	int32_t w = (int32_t)rd32le(d + 18);
	int32_t h = (int32_t)rd32le(d + 22);
	uint16_t planes = rd16le(d + 26);
	uint16_t bpp = rd16le(d + 28);
	uint32_t comp = rd32le(d + 30);
	uint32_t clrused = rd32le(d + 46);

	int topdown = h < 0;
	int64_t ah = h < 0 ? -(int64_t)h : (int64_t)h;
	int r = mbn_img_check_dims(c, "BMP", w, ah);
	if (r)
		return r;
	if (planes != 1)
		return mbn_img_fail(c, -EINVAL, "BMP has %u colour planes (must be 1)", planes);

	switch (comp) {
	case 0: /* BI_RGB */
	case 3: /* BI_BITFIELDS */
		break;
	case 1:
		return mbn_img_fail(c, -ENOTSUP, "compressed BMP (BI_RLE8) not supported");
	case 2:
		return mbn_img_fail(c, -ENOTSUP, "compressed BMP (BI_RLE4) not supported");
	case 4:
		return mbn_img_fail(c, -ENOTSUP, "compressed BMP (BI_JPEG) not supported");
	case 5:
		return mbn_img_fail(c, -ENOTSUP, "compressed BMP (BI_PNG) not supported");
	case 6:
		return mbn_img_fail(c, -ENOTSUP, "BMP compression BI_ALPHABITFIELDS not supported");
	default:
		return mbn_img_fail(c, -EINVAL, "BMP compression type %u unknown", comp);
	}
	if (bpp == 1 || bpp == 4 || bpp == 16)
		return mbn_img_fail(c, -ENOTSUP, "%u-bit BMP not supported (only 8, 24 and 32 bits per pixel)", bpp);
	if (bpp != 8 && bpp != 24 && bpp != 32)
		return mbn_img_fail(c, -EINVAL, "BMP has invalid bit depth %u", bpp);
	if (comp == 3 && bpp != 32)
		return mbn_img_fail(c, -ENOTSUP, "BI_BITFIELDS BMP with %u bits per pixel not supported (only 32)", bpp);

	/* Channel positions inside a 32-bit little-endian pixel word. */
	int rs = 16, gs = 8, bs = 0;
	if (comp == 3) {
		size_t moff = 14 + 40; /* inside the V2..V5 headers, after a 40-byte one */
		if (n < moff + 12)
			return mbn_img_fail(c, -EINVAL, "BMP truncated: bitfield masks need %zu bytes, file has %zu",
					    moff + 12, n);
		uint32_t rm = rd32le(d + moff), gm = rd32le(d + moff + 4), bm = rd32le(d + moff + 8);
		rs = mask_shift(rm);
		gs = mask_shift(gm);
		bs = mask_shift(bm);
		if (rs < 0 || gs < 0 || bs < 0 || (rm & gm) || (rm & bm) || (gm & bm))
			return mbn_img_fail(c, -ENOTSUP, "BMP bitfield masks R=%08x G=%08x B=%08x not supported "
							 "(need 8 separate bits per channel)",
					    rm, gm, bm);
	}

	uint8_t pal[256][3];
	uint32_t ncol = 0;
	if (bpp == 8) {
		ncol = clrused ? clrused : 256;
		if (ncol > 256)
			return mbn_img_fail(c, -EINVAL, "BMP palette has %u colours (at most 256 for 8 bits)", ncol);
		size_t poff = 14 + (size_t)hsz;
		if (n < poff + 4 * (size_t)ncol)
			return mbn_img_fail(c, -EINVAL, "BMP truncated: palette of %u colours needs %zu bytes, file has %zu",
					    ncol, poff + 4 * (size_t)ncol, n);
		for (uint32_t i = 0; i < ncol; i++) {
			pal[i][0] = d[poff + 4 * i + 2];
			pal[i][1] = d[poff + 4 * i + 1];
			pal[i][2] = d[poff + 4 * i + 0];
		}
	}

	if (off < 14 + hsz)
		return mbn_img_fail(c, -EINVAL, "BMP pixel data offset %u lies inside the %u-byte header", off, 14 + hsz);
	if (off > n)
		return mbn_img_fail(c, -EINVAL, "BMP truncated: pixel data offset %u is past the end of the file (%zu bytes)",
				    off, n);
	uint64_t rowbytes = (uint64_t)w * (bpp / 8);
	uint64_t stride = ((uint64_t)w * bpp + 31) / 32 * 4;
	/* The last row's padding is not required: some writers leave it out. */
	uint64_t need = stride * (uint64_t)(ah - 1) + rowbytes;
	if (need > n - off)
		return mbn_img_fail(c, -EINVAL, "BMP truncated: need %" PRIu64 " bytes of pixel data, file has %zu "
						"after the pixel data offset %u",
				    need, n - off, off);

	r = mbn_img_alloc_rgb(c, img, w, (int)ah);
	if (r)
		return r;
	for (int y = 0; y < (int)ah; y++) {
		const uint8_t *src = d + off + stride * (uint64_t)(topdown ? y : (int)ah - 1 - y);
		uint8_t *dst = img->rgb + (size_t)y * (size_t)w * 3;
		for (int x = 0; x < w; x++, dst += 3) {
			if (bpp == 24) {
				dst[0] = src[3 * x + 2];
				dst[1] = src[3 * x + 1];
				dst[2] = src[3 * x + 0];
			} else if (bpp == 32) {
				uint32_t v = rd32le(src + 4 * x);
				dst[0] = (uint8_t)(v >> rs);
				dst[1] = (uint8_t)(v >> gs);
				dst[2] = (uint8_t)(v >> bs);
			} else {
				uint8_t i = src[x];
				if (i >= ncol) {
					mbn_image_free(img);
					return mbn_img_fail(c, -EINVAL, "BMP pixel (%d,%d) uses palette index %u, palette has %u colours",
							    x, y, i, ncol);
				}
				memcpy(dst, pal[i], 3);
			}
		}
	}
	return 0;
}
