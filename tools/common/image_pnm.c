/* image_pnm.c - the Netpbm decoder: binary PPM (P6) and PGM (P5), maxval 1..65535. The
 * reasons for a hand decoder are in image_bmp.c. */
#include "image_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* PPM (P6) / PGM (P5)                                                      */

static int pnm_space(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Skip whitespace and '#' comments, then read a decimal number. */
static int pnm_number(const struct ictx *c, const char *fmt, const uint8_t *d, size_t n,
		      size_t *pos, const char *what, uint32_t *out)
{
	size_t p = *pos;
	for (;;) {
		while (p < n && pnm_space(d[p]))
			p++;
		if (p < n && d[p] == '#') {
			while (p < n && d[p] != '\n' && d[p] != '\r')
				p++;
			continue;
		}
		break;
	}
	if (p >= n)
		return mbn_img_fail(c, -EINVAL, "%s header truncated: file ends before the %s", fmt, what);
	if (d[p] < '0' || d[p] > '9')
		return mbn_img_fail(c, -EINVAL, "%s header: expected the %s, found byte 0x%02x at offset %zu",
				    fmt, what, d[p], p);
	uint64_t v = 0;
	while (p < n && d[p] >= '0' && d[p] <= '9') {
		v = v * 10 + (uint64_t)(d[p] - '0');
		if (v > 0xffffffffu)
			return mbn_img_fail(c, -EFBIG, "%s header: %s is absurdly large", fmt, what);
		p++;
	}
	if (p < n && !pnm_space(d[p]) && d[p] != '#')
		return mbn_img_fail(c, -EINVAL, "%s header: junk byte 0x%02x after the %s at offset %zu", fmt, d[p], what, p);
	*out = (uint32_t)v;
	*pos = p;
	return 0;
}

int mbn_img_decode_pnm(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
	char kind = (char)d[1];
	if (kind != '5' && kind != '6') {
		static const char *const names[] = { "P1 (ASCII PBM)", "P2 (ASCII PGM)", "P3 (ASCII PPM)",
						     "P4 (binary PBM)", "", "", "P7 (PAM)" };
		return mbn_img_fail(c, -ENOTSUP, "Netpbm %s not supported (only binary P5 PGM and P6 PPM)",
				    names[kind - '1']);
	}
	const char *fmt = kind == '6' ? "PPM" : "PGM";
	size_t pos = 2;
	uint32_t w, h, maxval;
	int r;
	if ((r = pnm_number(c, fmt, d, n, &pos, "width", &w)) ||
	    (r = pnm_number(c, fmt, d, n, &pos, "height", &h)) ||
	    (r = pnm_number(c, fmt, d, n, &pos, "maxval", &maxval)))
		return r;
	/* Exactly one whitespace byte separates maxval from the raster. */
	if (pos >= n)
		return mbn_img_fail(c, -EINVAL, "%s truncated: file ends after the header", fmt);
	if (!pnm_space(d[pos]))
		return mbn_img_fail(c, -EINVAL, "%s header: no whitespace after maxval", fmt);
	pos++;
	if ((r = mbn_img_check_dims(c, fmt, w, h)))
		return r;
	if (maxval == 0 || maxval > 65535)
		return mbn_img_fail(c, -EINVAL, "%s maxval %u out of range (1..65535)", fmt, maxval);

	unsigned ch = kind == '6' ? 3 : 1;
	unsigned bps = maxval > 255 ? 2 : 1;
	uint64_t need = (uint64_t)w * h * ch * bps;
	if (need > n - pos)
		return mbn_img_fail(c, -EINVAL, "%s truncated: need %" PRIu64 " bytes of pixel data, "
						"file has %zu after the header",
				    fmt, need, n - pos);

	if ((r = mbn_img_alloc_rgb(c, img, (int)w, (int)h)))
		return r;
	const uint8_t *s = d + pos;
	size_t npix = (size_t)w * h;
	for (size_t i = 0; i < npix; i++) {
		uint8_t v[3] = { 0, 0, 0 };
		for (unsigned k = 0; k < ch; k++) {
			uint32_t x;
			if (bps == 2) {
				x = (uint32_t)s[0] << 8 | s[1];
				s += 2;
			} else {
				x = *s++;
			}
			if (x > maxval) /* out-of-range sample: clamp rather than wrap */
				x = maxval;
			v[k] = maxval == 255 ? (uint8_t)x : (uint8_t)((x * 255 + maxval / 2) / maxval);
		}
		uint8_t *o = img->rgb + 3 * i;
		if (ch == 3) {
			o[0] = v[0];
			o[1] = v[1];
			o[2] = v[2];
		} else {
			o[0] = o[1] = o[2] = v[0];
		}
	}
	return 0;
}
