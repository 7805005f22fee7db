/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_tensor.c - the loader's per-tensor and per-operator helpers (tflite_int.h): a
 * tensor's type, shape and quantization read and checked (read_tensor, act_quant,
 * check_nhwc), constant data located inside the file's buffers with its size checked
 * (const_data), the fused activation's quantized range (act_range, as TFLite 2.9's
 * CalculateActivationRangeQuantized in kernels/kernel_util.cc), a layer's input/output
 * quantization (io_quant) and an operator's options table (get_options). Field numbers
 * follow tensorflow/lite/schema/schema.fbs (v3).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/flatbuf.h"
#include "graph.h"
#include "kernels/quant.h"
#include "loader/tflite_int.h"
#include "util.h"

const char *type_name(int t)
{
	switch (t) {
	case TFL_TYPE_FLOAT32: return "float32";
	case TFL_TYPE_INT32: return "int32";
	case TFL_TYPE_UINT8: return "uint8";
	case TFL_TYPE_INT8: return "int8";
	case TFL_TYPE_INT16: return "int16";
	case TFL_TYPE_INT64: return "int64";
	default: return "an unsupported type";
	}
}

int read_tensor(struct file_ctx *c, int idx, struct tensor *t)
{
	struct fb_tab tt, q;
	struct fb_vec shape;

	memset(t, 0, sizeof(*t));
	if (idx < 0 || (uint32_t)idx >= c->tensors.len)
		return ERR(c, -EBADMSG, "tensor index %d out of range (the subgraph has %u tensors)",
			   idx, c->tensors.len);
	if (!fb_vec_table(&c->tensors, (uint32_t)idx, &tt))
		return corrupt(c, "a tensor");
	t->idx = idx;
	t->type = fb_u8(&tt, T_TYPE, 0);
	t->buffer = fb_u32(&tt, T_BUFFER, 0);
	fb_string(&tt, T_NAME, t->name, sizeof(t->name));
	if (!fb_vector(&tt, T_SHAPE, 4, &shape) && c->fb.bad)
		return corrupt(c, "a tensor shape");
	if (shape.len > 4)
		return ERR(c, -ENOTSUP, "tensor '%s' has %u dimensions, at most 4 are supported",
			   t->name, shape.len);
	t->ndims = (int)shape.len;
	t->elems = 1;
	for (int d = 0; d < t->ndims; d++) {
		t->dims[d] = fb_vec_i32(&shape, (uint32_t)d);
		if (t->dims[d] < 1 || t->dims[d] > MAX_DIM)
			return ERR(c, -EINVAL, "tensor '%s' dimension %d is %d (expected 1..%d)",
				   t->name, d, t->dims[d], MAX_DIM);
		t->elems *= (uint64_t)t->dims[d];
		if (t->elems > MAX_ELEMS)
			return ERR(c, -EINVAL, "tensor '%s' has too many elements", t->name);
	}
	if (fb_table(&tt, T_QUANT, &q)) {
		fb_vector(&q, Q_SCALE, 4, &t->scale);
		fb_vector(&q, Q_ZERO_POINT, 8, &t->zp);
		t->qdim = fb_i32(&q, Q_DIM, 0);
	}
	if (c->fb.bad)
		return corrupt(c, "a tensor's quantization");
	/* TFLite Micro's own person_detect.tflite sets quantized_dimension 3 on rank-1 bias
	 * tensors: TFLite 2.9 refuses the file (its quantization parameters are checked
	 * against the rank), TFLite Micro runs it reading the only dimension there is. */
	if (t->scale.len > 1 && (t->qdim < 0 || t->qdim >= (t->ndims ? t->ndims : 1))) {
		if (!c->warned_qdim)
			mbn_warn("%s: tensor '%s' has %d dimension(s) but declares quantized_dimension %d; TensorFlow Lite 2.9 refuses such a file, TensorFlow Lite Micro runs it: treated as dimension 0",
				 c->name, t->name, t->ndims, t->qdim);
		c->warned_qdim = true;
		t->qdim = 0;
	}
	return 0;
}

/* Per-tensor scale and zero point of an activation tensor, validated. */
int act_quant(struct file_ctx *c, const struct tensor *t, float *scale, int32_t *zp)
{
	if (t->type != TFL_TYPE_UINT8 && t->type != TFL_TYPE_INT8)
		return ERR(c, -ENOTSUP, "tensor '%s' is %s; only quantized uint8 and int8 are supported",
			   t->name, type_name(t->type));
	if (t->scale.len != 1 || t->zp.len != 1)
		return ERR(c, -EINVAL, "tensor '%s' must have one scale and one zero point (found %u and %u)",
			   t->name, t->scale.len, t->zp.len);
	*scale = fb_vec_f32(&t->scale, 0);
	int64_t z = fb_vec_i64(&t->zp, 0);
	int64_t lo = t->type == TFL_TYPE_UINT8 ? 0 : -128, hi = t->type == TFL_TYPE_UINT8 ? 255 : 127;
	if (!(*scale > 0.0f) || !isfinite(*scale))
		return ERR(c, -EINVAL, "tensor '%s' has scale %g (expected a positive finite number)",
			   t->name, *scale);
	if (z < lo || z > hi)
		return ERR(c, -EINVAL, "tensor '%s' zero point %lld is outside the %s range",
			   t->name, (long long)z, type_name(t->type));
	*zp = (int32_t)z;
	return 0;
}

/* The constant data of a tensor, exactly `bytes` long. */
int const_data(struct file_ctx *c, const struct tensor *t, uint64_t bytes, const uint8_t **data)
{
	struct fb_tab bt;
	struct fb_vec d;

	if (t->buffer == 0 || t->buffer >= c->buffers.len)
		return ERR(c, -EINVAL, "tensor '%s' must be a constant, but has no data buffer (buffer %u)",
			   t->name, t->buffer);
	if (!fb_vec_table(&c->buffers, t->buffer, &bt))
		return corrupt(c, "a data buffer");
	if (!fb_vector(&bt, BUF_DATA, 1, &d)) {
		if (c->fb.bad)
			return corrupt(c, "a data buffer");
		if (fb_u32(&bt, BUF_OFFSET, 0))
			return ERR(c, -ENOTSUP, "tensor '%s' keeps its data outside the flatbuffer (buffer offset), which is not supported",
				   t->name);
		return ERR(c, -EINVAL, "tensor '%s' has an empty data buffer", t->name);
	}
	if (d.len != bytes)
		return ERR(c, -EINVAL, "tensor '%s' data is %u bytes, expected %llu", t->name, d.len,
			   (unsigned long long)bytes);
	*data = fb_vec_data(&d);
	return 0;
}

static int32_t q_round(float x)
{
	float r = roundf(x);

	if (!(r < 1e9f))
		return 1000000000;
	if (!(r > -1e9f))
		return -1000000000;
	return (int32_t)r;
}

/* TFLite kernel_util.cc CalculateActivationRangeQuantized; quantize(f) = zp + round(f / scale),
 * f / scale computed in float as TFLite does. Result in the biased domain. */
int act_range(struct file_ctx *c, int act, bool is_signed, float scale, int32_t zp,
		     int32_t *lo, int32_t *hi)
{
	int32_t qmin = is_signed ? -128 : 0, qmax = is_signed ? 127 : 255;
	/* (the clamp only keeps a tiny scale from an undefined float->int conversion; the
	 * result is clamped to qmin..qmax below in any case) */
#define QUANTIZE(f) (zp + q_round((float)(f) / scale))
	switch (act) {
	case TFL_ACT_NONE:
		*lo = qmin, *hi = qmax;
		break;
	case TFL_ACT_RELU:
		*lo = QUANTIZE(0.0f) > qmin ? QUANTIZE(0.0f) : qmin;
		*hi = qmax;
		break;
	case TFL_ACT_RELU6:
		*lo = QUANTIZE(0.0f) > qmin ? QUANTIZE(0.0f) : qmin;
		*hi = QUANTIZE(6.0f) < qmax ? QUANTIZE(6.0f) : qmax;
		break;
	case TFL_ACT_RELU_N1_TO_1:
		*lo = QUANTIZE(-1.0f) > qmin ? QUANTIZE(-1.0f) : qmin;
		*hi = QUANTIZE(1.0f) < qmax ? QUANTIZE(1.0f) : qmax;
		break;
	default:
		return ERR(c, -ENOTSUP, "fused activation %d is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)", act);
	}
#undef QUANTIZE
	if (is_signed)
		*lo += 128, *hi += 128;
	return 0;
}

int check_nhwc(struct file_ctx *c, const struct tensor *t, const char *role)
{
	if (t->ndims != 4)
		return ERR(c, -EINVAL, "%s tensor '%s' has %d dimensions, expected 4 (NHWC)", role, t->name, t->ndims);
	if (t->dims[0] != 1)
		return ERR(c, -ENOTSUP, "%s tensor '%s' has batch %d; only batch 1 is supported", role, t->name, t->dims[0]);
	return 0;
}

/* Activation quantization of input and output into the layer (biased domain). */
int io_quant(struct file_ctx *c, const struct tensor *in, const struct tensor *out, struct mbn_layer *l)
{
	int r;

	if (in->type != out->type)
		return ERR(c, -EINVAL, "input '%s' is %s but output '%s' is %s", in->name, type_name(in->type),
			   out->name, type_name(out->type));
	if ((r = act_quant(c, in, &l->in_scale, &l->in_zp)) || (r = act_quant(c, out, &l->out_scale, &l->out_zp)))
		return r;
	l->is_signed = in->type == TFL_TYPE_INT8;
	if (l->is_signed)
		l->in_zp += 128, l->out_zp += 128;
	l->act_min = 0;
	l->act_max = 255;
	return 0;
}

int get_options(struct file_ctx *c, const struct fb_tab *op, int want, struct fb_tab *opt)
{
	int type = fb_u8(op, OP_OPTIONS_TYPE, 0);

	if (type != want || !fb_table(op, OP_OPTIONS, opt)) {
		if (c->fb.bad)
			return corrupt(c, "operator options");
		return ERR(c, -EINVAL, "operator options missing or of the wrong kind (type %d, expected %d)", type, want);
	}
	return 0;
}
