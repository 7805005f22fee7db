/* image_int.h - what the image decoders share (tools/common/image*.c): the error context
 * every decoder reports through (messages start with the file name) and the size checks
 * that run before any allocation. Not part of image.h's API. */
#ifndef MBN_IMAGE_INT_H
#define MBN_IMAGE_INT_H

#include "image.h"

#include <stddef.h>
#include <stdint.h>

struct ictx {
	const char *name;
	char *err;
	size_t errlen;
};

/* Formats "NAME: message" into c->err; returns code (a negative errno). */
__attribute__((format(printf, 3, 4))) int mbn_img_fail(const struct ictx *c, int code, const char *fmt, ...);
/* w and h as the file states them (64-bit so nothing has wrapped yet): 0, or -EINVAL /
 * -EFBIG with the limits of image.h in the message. */
int mbn_img_check_dims(const struct ictx *c, const char *fmt, int64_t w, int64_t h);
/* img->rgb for w x h pixels (after mbn_img_check_dims); 0 or -ENOMEM. */
int mbn_img_alloc_rgb(const struct ictx *c, struct mbn_image *img, int w, int h);

/* The decoders: d[0..n) is a whole file of that format (mbn_image_detect said so). On
 * success img holds the RGB pixels; on failure a negative errno, the message in c. */
int mbn_img_decode_bmp(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img);
int mbn_img_decode_pnm(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img);
int mbn_img_decode_jpeg(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img);
int mbn_img_decode_png(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img);

static inline uint16_t rd16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
