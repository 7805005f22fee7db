/* image_input.c - from pixels to a model's input tensor: grayscale, the input range
 * (which real value a pixel stands for, from the tensor's quantization or --input-range)
 * and quantizing pixels into the tensor's type. */
#include "image.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* From pixels to a model's input tensor                                    */

void mbn_image_to_gray(struct mbn_image *img)
{
	if (!img || !img->rgb)
		return;
	uint8_t *p = img->rgb;
	for (size_t i = 0, n = (size_t)img->w * (size_t)img->h; i < n; i++, p += 3)
		p[0] = p[1] = p[2] = mbn_luma_bt601(p[0], p[1], p[2]);
}

/* Is scale within 0.1 % of 1/den? (Converters store 1/255 as 0.00392156886 or
 * 0.0039215689, 1/128 exactly; 2/255, the scale of a calibrated [-1, 1], is 0.4 % away
 * from 1/128 and does not match.) */
static int scale_is(float scale, double den)
{
	return isfinite(scale) && fabs((double)scale * den - 1.0) < 1e-3;
}

static void set_kind(struct mbn_input_range *r, enum mbn_range_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->lo = mbn_input_range_real(r, 0);
	r->hi = mbn_input_range_real(r, 255);
}

int mbn_input_range_for(enum mbn_type type, float scale, int32_t zero_point, struct mbn_input_range *r)
{
	int unit_zp, mob_zp, qmin;

	switch (type) {
	case MBN_TYPE_INT8:
		unit_zp = -128, mob_zp = 0, qmin = -128;
		break;
	case MBN_TYPE_UINT8:
		unit_zp = 0, mob_zp = 128, qmin = 0;
		break;
	case MBN_TYPE_FLOAT32:
		if (scale_is(scale, 255) && (zero_point == -128 || zero_point == 0))
			set_kind(r, MBN_RANGE_UNIT);
		else if (scale_is(scale, 128) && (zero_point == 0 || zero_point == 128))
			set_kind(r, MBN_RANGE_MOBILENET);
		else
			set_kind(r, MBN_RANGE_KERAS);
		return 0;
	default:
		set_kind(r, MBN_RANGE_MOBILENET);
		return -EINVAL;
	}
	if (scale_is(scale, 255) && zero_point == unit_zp) {
		set_kind(r, MBN_RANGE_UNIT);
	} else if (scale_is(scale, 128) && zero_point == mob_zp) {
		set_kind(r, MBN_RANGE_MOBILENET);
	} else if (!(isfinite(scale) && scale > 0)) {
		set_kind(r, MBN_RANGE_MOBILENET);
		return -EINVAL;
	} else {
		memset(r, 0, sizeof(*r));
		r->kind = MBN_RANGE_QUANT;
		r->scale = scale;
		r->zero_point = zero_point;
		r->qmin = qmin;
		r->lo = mbn_input_range_real(r, 0);
		r->hi = mbn_input_range_real(r, 255);
	}
	return 0;
}

int mbn_input_range_parse(const char *s, struct mbn_input_range *r)
{
	char *end;

	if (!s || !r)
		return -EINVAL;
	errno = 0;
	double a = strtod(s, &end);
	if (end == s || *end != ':' || errno)
		return -EINVAL;
	const char *s2 = end + 1;
	double b = strtod(s2, &end);
	if (end == s2 || *end || errno)
		return -EINVAL;
	if (!isfinite(a) || !isfinite(b) || a == b || fabs(a) > 1e30 || fabs(b) > 1e30)
		return -EINVAL;
	if (a == 0 && b == 1)
		set_kind(r, MBN_RANGE_UNIT);
	else if (a == -1 && b == 1)
		set_kind(r, MBN_RANGE_KERAS);
	else if (a == -1 && b == 127.0 / 128.0)
		set_kind(r, MBN_RANGE_MOBILENET);
	else {
		memset(r, 0, sizeof(*r));
		r->kind = MBN_RANGE_USER;
		r->lo = (float)a;
		r->hi = (float)b;
	}
	return 0;
}

float mbn_input_range_real(const struct mbn_input_range *r, int p)
{
	switch (r->kind) {
	case MBN_RANGE_UNIT:
		return (float)p / 255.0f;
	case MBN_RANGE_MOBILENET:
		return (float)(p - 128) / 128.0f;
	case MBN_RANGE_KERAS:
		return (float)p / 127.5f - 1.0f;
	case MBN_RANGE_QUANT:
		return r->scale * (float)(r->qmin + p - r->zero_point);
	case MBN_RANGE_USER:
		return (float)((double)r->lo + (double)p * ((double)r->hi - (double)r->lo) / 255.0);
	}
	return 0;
}

const char *mbn_input_range_rule(const struct mbn_input_range *r)
{
	switch (r->kind) {
	case MBN_RANGE_UNIT:
		return "pixel / 255";
	case MBN_RANGE_MOBILENET:
		return "(pixel - 128) / 128";
	case MBN_RANGE_KERAS:
		return "pixel / 127.5 - 1";
	case MBN_RANGE_QUANT:
		return r->qmin ? "scale * (pixel - 128 - zero point): the int8 range"
			       : "scale * (pixel - zero point): the uint8 range";
	case MBN_RANGE_USER:
		return "lo + pixel * (hi - lo) / 255, from --input-range";
	}
	return "?";
}

uint8_t mbn_quantize_pixel(float real, enum mbn_type type, float scale, int32_t zero_point)
{
	long q = lroundf(real / scale) + zero_point;
	long lo = type == MBN_TYPE_INT8 ? -128 : 0, hi = type == MBN_TYPE_INT8 ? 127 : 255;
	q = q < lo ? lo : q > hi ? hi
				 : q;
	return (uint8_t)q;
}

int mbn_input_map_init(struct mbn_input_map *m, const struct mbn_input_range *r, enum mbn_type type, float scale,
		       int32_t zero_point)
{
	if (!m || !r)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->range = *r;
	m->type = type;
	if (type != MBN_TYPE_INT8 && type != MBN_TYPE_UINT8 && type != MBN_TYPE_FLOAT32)
		return -EINVAL;
	if (type != MBN_TYPE_FLOAT32 && !(isfinite(scale) && scale > 0))
		return -EINVAL;
	for (int p = 0; p < 256; p++) {
		m->f[p] = mbn_input_range_real(r, p);
		if (type != MBN_TYPE_FLOAT32)
			m->q[p] = mbn_quantize_pixel(m->f[p], type, scale, zero_point);
	}
	return 0;
}

int mbn_input_fill(const struct mbn_input_map *m, const uint8_t *rgb, size_t pixels, int channels, void *dst)
{
	if (!m || !rgb || !dst || (channels != 1 && channels != 3 && channels != 4))
		return -EINVAL;
	const int fl = m->type == MBN_TYPE_FLOAT32;
	uint8_t *qd = dst;
	float *fd = dst;
	size_t o = 0;
	for (size_t i = 0; i < pixels; i++, rgb += 3) {
		uint8_t px[4] = { rgb[0], rgb[1], rgb[2], 255 };
		if (channels == 1)
			px[0] = mbn_luma_bt601(rgb[0], rgb[1], rgb[2]);
		for (int c = 0; c < channels; c++, o++) {
			if (fl)
				fd[o] = m->f[px[c]];
			else
				qd[o] = m->q[px[c]];
		}
	}
	return 0;
}
