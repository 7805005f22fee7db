/* image.c - image loading: format detection, the entry points (file and memory) that
 * dispatch to the decoders (image_bmp.c, image_pnm.c, image_codecs.c), and the shared
 * error/size helpers of image_int.h. Resize: image_resize.c; pixels to a model's input
 * tensor: image_input.c. See image.h for the API and the error conventions. */
#include "image_int.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mbn_img_fail(const struct ictx *c, int code, const char *fmt, ...)
{
	if (c->err && c->errlen > 0) {
		int n = snprintf(c->err, c->errlen, "%s: ", c->name);
		if (n >= 0 && (size_t)n < c->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

/* w and h as the file states them (64-bit so nothing has wrapped yet). */
int mbn_img_check_dims(const struct ictx *c, const char *fmt, int64_t w, int64_t h)
{
	if (w <= 0 || h <= 0)
		return mbn_img_fail(c, -EINVAL, "%s has invalid dimensions %" PRId64 "x%" PRId64, fmt, w, h);
	if (w > MBN_IMAGE_MAX_SIDE || h > MBN_IMAGE_MAX_SIDE)
		return mbn_img_fail(c, -EFBIG, "%s dimensions %" PRId64 "x%" PRId64 " too large (limit %d per side)",
				    fmt, w, h, MBN_IMAGE_MAX_SIDE);
	if ((uint64_t)w * (uint64_t)h > MBN_IMAGE_MAX_PIXELS)
		return mbn_img_fail(c, -EFBIG, "%s dimensions %" PRId64 "x%" PRId64 " too large (limit %u pixels)",
				    fmt, w, h, MBN_IMAGE_MAX_PIXELS);
	return 0;
}

/* Only called after mbn_img_check_dims(), so w * h * 3 < 2^30 fits a size_t. */
int mbn_img_alloc_rgb(const struct ictx *c, struct mbn_image *img, int w, int h)
{
	img->rgb = malloc((size_t)w * (size_t)h * 3);
	if (!img->rgb)
		return mbn_img_fail(c, -ENOMEM, "out of memory for a %dx%d image", w, h);
	img->w = w;
	img->h = h;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Format detection                                                         */

enum mbn_image_format mbn_image_detect(const void *data, size_t size)
{
	static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	const uint8_t *d = data;

	if (!d)
		return MBN_IMAGE_UNKNOWN;
	/* JPEG: SOI marker. Only two bytes, so "SOI then garbage" still reaches
     * libjpeg and is reported as a corrupt JPEG rather than an unknown format. */
	if (size >= 2 && d[0] == 0xff && d[1] == 0xd8)
		return MBN_IMAGE_JPEG;
	if (size >= 8 && memcmp(d, png_sig, 8) == 0)
		return MBN_IMAGE_PNG;
	if (size >= 2 && d[0] == 'B' && d[1] == 'M')
		return MBN_IMAGE_BMP;
	if (size >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7' &&
	    (d[2] == ' ' || d[2] == '\t' || d[2] == '\n' || d[2] == '\r' || d[2] == '#'))
		return MBN_IMAGE_PNM;
	return MBN_IMAGE_UNKNOWN;
}

const char *mbn_image_format_name(enum mbn_image_format fmt)
{
	switch (fmt) {
	case MBN_IMAGE_JPEG:
		return "JPEG";
	case MBN_IMAGE_PNG:
		return "PNG";
	case MBN_IMAGE_BMP:
		return "BMP";
	case MBN_IMAGE_PNM:
		return "PNM";
	default:
		return "unknown";
	}
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */

void mbn_image_free(struct mbn_image *img)
{
	if (!img)
		return;
	free(img->rgb);
	img->rgb = NULL;
	img->w = img->h = 0;
}

static int looks_like_text(const uint8_t *d, size_t n)
{
	size_t k = n < 64 ? n : 64;
	for (size_t i = 0; i < k; i++) {
		uint8_t ch = d[i];
		if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t')
			return 0;
		if (ch == 0x7f)
			return 0;
	}
	return 1;
}

int mbn_image_load_mem(const void *data, size_t size, const char *name,
		       struct mbn_image *img, char *err, size_t errlen)
{
	struct ictx c = { .name = name ? name : "<memory>", .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = 0;
	if (!img)
		return mbn_img_fail(&c, -EINVAL, "no image to load into");
	img->w = img->h = 0;
	img->rgb = NULL;
	if (!data && size)
		return mbn_img_fail(&c, -EINVAL, "no data");
	if (size == 0)
		return mbn_img_fail(&c, -EINVAL, "file is empty");

	const uint8_t *d = data;
	int r;
	switch (mbn_image_detect(d, size)) {
	case MBN_IMAGE_JPEG:
		r = mbn_img_decode_jpeg(&c, d, size, img);
		break;
	case MBN_IMAGE_PNG:
		r = mbn_img_decode_png(&c, d, size, img);
		break;
	case MBN_IMAGE_BMP:
		r = mbn_img_decode_bmp(&c, d, size, img);
		break;
	case MBN_IMAGE_PNM:
		r = mbn_img_decode_pnm(&c, d, size, img);
		break;
	default: {
		char hex[3 * 8 + 1] = "";
		size_t k = size < 8 ? size : 8, o = 0;
		for (size_t i = 0; i < k; i++)
			o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02x", i ? " " : "", d[i]);
		if (looks_like_text(d, size))
			return mbn_img_fail(&c, -EINVAL, "not an image: looks like a text file "
							 "(expected JPEG, PNG, BMP or PPM/PGM)");
		return mbn_img_fail(&c, -EINVAL, "not a recognised image format (expected JPEG, PNG, BMP or "
						 "PPM/PGM); first bytes %s",
				    hex);
	}
	}
	if (r) {
		mbn_image_free(img);
		return r;
	}
	return 0;
}

/* Whole file into memory; *buf is malloc'd. */
static int read_file(const struct ictx *c, const char *path, uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return mbn_img_fail(c, -e, "cannot open: %s", strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return mbn_img_fail(c, -e, "cannot stat: %s", strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return mbn_img_fail(c, -EISDIR, "is a directory, not an image file");
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > MBN_IMAGE_MAX_FILE) {
		close(fd);
		return mbn_img_fail(c, -EFBIG, "file is %lld bytes, larger than the %u-byte limit",
				    (long long)st.st_size, MBN_IMAGE_MAX_FILE);
	}
	/* Regular files: one buffer of the stat size (+1 to see EOF). Pipes etc: grow. */
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	size_t n = 0;
	uint8_t *b = malloc(cap);
	if (!b) {
		close(fd);
		return mbn_img_fail(c, -ENOMEM, "out of memory reading the file");
	}
	for (;;) {
		if (n == cap) {
			if (cap > MBN_IMAGE_MAX_FILE) {
				free(b);
				close(fd);
				return mbn_img_fail(c, -EFBIG, "file larger than the %u-byte limit", MBN_IMAGE_MAX_FILE);
			}
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				close(fd);
				return mbn_img_fail(c, -ENOMEM, "out of memory reading the file");
			}
			b = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, b + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(b);
			close(fd);
			return mbn_img_fail(c, -e, "read error: %s", strerror(e));
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

int mbn_image_load(const char *path, struct mbn_image *img, char *err, size_t errlen)
{
	struct ictx c = { .name = path ? path : "(null)", .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = 0;
	if (img) {
		img->w = img->h = 0;
		img->rgb = NULL;
	}
	if (!path || !img)
		return mbn_img_fail(&c, -EINVAL, "no file name or no image to load into");
	uint8_t *buf;
	size_t len;
	int r = read_file(&c, path, &buf, &len);
	if (r)
		return r;
	r = mbn_image_load_mem(buf, len, path, img, err, errlen);
	free(buf);
	return r;
}
