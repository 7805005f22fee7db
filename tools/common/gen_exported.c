/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_exported - the operators mbn-gen adds for models of today's toolchains (TF2 MLIR
 * converter, PyTorch via ONNX), declared in gen_core.h: PAD/PADV2, MEAN, QUANTIZE,
 * DEQUANTIZE, and the Keras Reshape layer's SHAPE/STRIDED_SLICE/PACK/RESHAPE chain.
 * Each adds its constants, output tensor and operator and computes its output on the
 * calibration input.
 */
#include "gen_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------- operators of exported models */

int const_i32(const char *name, const int32_t *v, const int32_t *shape, int rank)
{
	size_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= (size_t)shape[i];
	int b = ck(tflw_buffer_add(g_m, v, sizeof(int32_t) * n), "buffer");
	return ck(tflw_tensor_add(g_m, name, TFL_TYPE_INT32, shape, rank, b, NULL), name);
}

/* A computed (non-constant) int32 tensor, e.g. SHAPE's output. */
static int var_i32(const char *name, const int32_t *shape, int rank)
{
	int b = g_own_buffers ? ck(tflw_buffer_add(g_m, NULL, 0), "buffer") : 0;
	return ck(tflw_tensor_add(g_m, name, TFL_TYPE_INT32, shape, rank, b, NULL), name);
}

static int is_int8(const struct act *a) { return act_type_of(a) == TFL_TYPE_INT8; }

int paddings_tensor(const char *name, int t, int b, int l, int r)
{
	/* paddings: int32 [rank, 2], (before, after) per dimension of NHWC */
	int32_t v[8] = { 0, 0, t, b, l, r, 0, 0 }, shape[2] = { 4, 2 };
	return const_i32(name, v, shape, 2);
}

/* TFLite's quantized PAD/PADV2 (kernels/pad.cc) copies raw values and fills with the
 * output zero point (PAD) or the raw constant value (PADV2), whose quantization must
 * equal the output's; so the output quantization is the input's. */
struct act *pad_run(struct act *in, int t, int b, int l, int r, int value, int paddings,
		    const char *out_name)
{
	char name[512];
	struct act *out = act_clone(in);
	out->h = in->h + t + b;
	out->w = in->w + l + r;
	free(out->q);
	out->q = xcalloc(act_size(out), sizeof(int32_t));
	int fill = value < -999 ? in->zp : value;
	for (int y = 0; y < out->h; y++)
	for (int x = 0; x < out->w; x++)
	for (int c = 0; c < out->c; c++) {
		int iy = y - t, ix = x - l;
		int inside = iy >= 0 && iy < in->h && ix >= 0 && ix < in->w;
		out->q[((size_t)y * out->w + x) * out->c + c] =
			inside ? in->q[((size_t)iy * in->w + ix) * in->c + c] : fill;
	}
	add_act_tensor(out_name, out);
	if (paddings < 0) {
		snprintf(name, sizeof(name), "%s/paddings", out_name);
		paddings = paddings_tensor(name, t, b, l, r);
	}
	struct tflw_options opt = { 0 };
	int outs[1] = { out->tensor };
	/* op_version.cc: PAD/PADV2 version 2 for int8, 1 for uint8 */
	int ver = is_int8(in) ? 2 : 1;
	if (value < -999) {
		opt.type = TFL_OPT_PAD;
		int ins[2] = { in->tensor, paddings };
		ck(tflw_op_add(g_m, TFL_OP_PAD, ver, ins, 2, outs, 1, &opt), "operator");
	} else {
		uint8_t raw = (uint8_t)value;
		int64_t zp = in->zp;
		struct tflw_quant q = { 1, &in->scale, &zp, 0 };
		int vb = ck(tflw_buffer_add(g_m, &raw, 1), "buffer");
		snprintf(name, sizeof(name), "%s/constant_values", out_name);
		int vt = ck(tflw_tensor_add(g_m, name, act_type_of(in), NULL, 0, vb, &q), name);
		opt.type = TFL_OPT_PADV2;
		int ins[3] = { in->tensor, paddings, vt };
		ck(tflw_op_add(g_m, TFL_OP_PADV2, ver, ins, 3, outs, 1, &opt), "operator");
	}
	return out;
}

struct act *mean_run(struct act *in, int keep_dims, int same_quant, int axes,
		     const char *out_name)
{
	char name[512];
	int n = in->h * in->w, qmin = act_qmin(in), qmax = act_qmax(in);
	struct act *out = act_clone(in);
	out->h = out->w = 1;
	out->rank = keep_dims ? 4 : 2;
	double *real = xcalloc((size_t)in->c, sizeof(double));
	for (int c = 0; c < in->c; c++) {
		long s = 0;
		for (int i = 0; i < n; i++)
			s += in->q[(size_t)i * in->c + c] - in->zp;
		real[c] = (double)s * in->scale / n;
	}
	if (!same_quant) {
		double lo = real[0], hi = real[0];
		for (int c = 1; c < in->c; c++) {
			if (real[c] < lo) lo = real[c];
			if (real[c] > hi) hi = real[c];
		}
		choose_quant_range(lo, hi, qmin, qmax, &out->scale, &out->zp);
	}
	for (int c = 0; c < in->c; c++)
		out->q[c] = clampi(out->zp + lround(real[c] / out->scale), qmin, qmax);
	free(real);
	add_act_tensor(out_name, out);
	if (axes < 0) {
		int32_t v[2] = { 1, 2 }, shape[1] = { 2 };
		snprintf(name, sizeof(name), "%s/reduction_indices", out_name);
		axes = const_i32(name, v, shape, 1);
	}
	struct tflw_options opt = { 0 };
	opt.type = TFL_OPT_REDUCER;
	opt.keep_dims = keep_dims;
	int ins[2] = { in->tensor, axes }, outs[1] = { out->tensor };
	/* op_version.cc: MEAN version 2 for int8, 1 for uint8 */
	ck(tflw_op_add(g_m, TFL_OP_MEAN, is_int8(in) ? 2 : 1, ins, 2, outs, 1, &opt), "operator");
	return out;
}

struct act *quantize_run(struct act *in, int dt, float scale, int zp, const char *out_name)
{
	struct act *out = act_clone(in);
	out->dt = dt;
	out->scale = scale;
	out->zp = zp;
	for (size_t i = 0; i < act_size(in); i++) {
		if (in->dt == DT_F32 || !in->q)
			out->q[i] = zp;
		else
			out->q[i] = clampi(zp + lround((double)(in->q[i] - in->zp) * in->scale / scale),
					   act_qmin(out), act_qmax(out));
	}
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	opt.type = TFL_OPT_QUANTIZE;
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	/* op_version.cc: QUANTIZE version 1 for per-tensor int8/uint8 outputs */
	ck(tflw_op_add(g_m, TFL_OP_QUANTIZE, 1, ins, 1, outs, 1, &opt), "operator");
	return out;
}

struct act *dequantize_run(struct act *in, const char *out_name)
{
	struct act *out = act_clone(in);
	out->dt = DT_F32;
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	opt.type = TFL_OPT_DEQUANTIZE;
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	/* op_version.cc: DEQUANTIZE version 2 for int8 input, 1 for uint8 */
	ck(tflw_op_add(g_m, TFL_OP_DEQUANTIZE, is_int8(in) ? 2 : 1, ins, 1, outs, 1, &opt),
	   "operator");
	return out;
}

/* The structure follows vww_96_int8_keras.tflite (TF2 MLIR converter, Keras Reshape
 * layer): SHAPE v1 (out_type int32) -> STRIDED_SLICE v2 (begin [0], end [1], strides
 * [1], the same tensor for end and strides, shrink_axis_mask 1: a scalar) -> PACK v2
 * (axis 0) of the batch and the constant target dimensions (scalars, shared when equal)
 * -> RESHAPE v1 without ReshapeOptions. */
struct act *reshape_keras_run(struct act *in, const int32_t *dims, int ndims,
			      struct keras_shape_consts *k, const char *prefix,
			      const char *out_name)
{
	char name[512];
	int32_t one[1] = { 1 }, zero[1] = { 0 }, s1[1] = { 1 };
	if (ndims != 1 && ndims != 3)
		die("%s: Keras reshape to rank 2 or 4 only", prefix);
	if (k->begin < 0) {
		snprintf(name, sizeof(name), "%s/strided_slice", prefix);
		k->begin = const_i32(name, zero, s1, 1);
		snprintf(name, sizeof(name), "%s/strided_slice1", prefix);
		k->end_stride = const_i32(name, one, s1, 1);
		k->one = -1;
	}
	int32_t rshape[1] = { in->rank };
	snprintf(name, sizeof(name), "%s/Shape", prefix);
	int shape_t = var_i32(name, rshape, 1);
	struct tflw_options opt = { 0 };
	opt.type = TFL_OPT_SHAPE;
	opt.out_type = TFL_TYPE_INT32;
	int ins[5], outs[1];
	ins[0] = in->tensor;
	outs[0] = shape_t;
	ck(tflw_op_add(g_m, TFL_OP_SHAPE, 1, ins, 1, outs, 1, &opt), "operator");

	snprintf(name, sizeof(name), "%s/strided_slice", prefix);
	int batch_t = var_i32(name, NULL, 0);
	memset(&opt, 0, sizeof(opt));
	opt.type = TFL_OPT_STRIDED_SLICE;
	opt.shrink_axis_mask = 1;
	ins[0] = shape_t; ins[1] = k->begin; ins[2] = k->end_stride; ins[3] = k->end_stride;
	outs[0] = batch_t;
	ck(tflw_op_add(g_m, TFL_OP_STRIDED_SLICE, 2, ins, 4, outs, 1, &opt), "operator");

	ins[0] = batch_t;
	for (int i = 0; i < ndims; i++) {
		int32_t v[1] = { dims[i] };
		snprintf(name, sizeof(name), "%s/Reshape/shape/%d", prefix, i + 1);
		if (dims[i] == 1) {
			if (k->one < 0)
				k->one = const_i32(name, v, NULL, 0);
			ins[1 + i] = k->one;
		} else {
			ins[1 + i] = const_i32(name, v, NULL, 0);
		}
	}
	int32_t pshape[1] = { 1 + ndims };
	snprintf(name, sizeof(name), "%s/Reshape/shape", prefix);
	int packed = var_i32(name, pshape, 1);
	memset(&opt, 0, sizeof(opt));
	opt.type = TFL_OPT_PACK;
	opt.values_count = 1 + ndims;
	outs[0] = packed;
	ck(tflw_op_add(g_m, TFL_OP_PACK, 2, ins, 1 + ndims, outs, 1, &opt), "operator");

	struct act *out = act_clone(in);
	if (ndims == 3) {
		out->rank = 4;
		out->h = dims[0]; out->w = dims[1]; out->c = dims[2];
	} else {
		out->rank = 2;
		out->h = out->w = 1;
		out->c = dims[0];
	}
	if (act_size(out) != act_size(in))
		die("%s: reshape changes the number of elements", prefix);
	add_act_tensor(out_name, out);
	ins[0] = in->tensor;
	ins[1] = packed;
	outs[0] = out->tensor;
	ck(tflw_op_add(g_m, TFL_OP_RESHAPE, 1, ins, 2, outs, 1, NULL), "operator");
	return out;
}
