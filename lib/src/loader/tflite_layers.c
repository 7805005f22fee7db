/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_layers.c - the loader's part for the layers of TF1-era MobileNet v1 files:
 * CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, FULLY_CONNECTED, RESHAPE/SQUEEZE and
 * SOFTMAX, validated the way TensorFlow Lite 2.9's Prepare() functions do, with their
 * quantization constants (kernels/kernel_util.cc PopulateConvolutionQuantizationParams,
 * GetQuantizedConvolutionMultipler) and padding (kernels/padding.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/flatbuf.h"
#include "graph.h"
#include "kernels/quant.h"
#include "loader/tflite_int.h"
#include "util.h"

/* TFLite kernels/padding.h: ComputePaddingHeightWidth with dilation 1. */
static int out_size(int padding, int in, int k, int stride)
{
	return padding == 0 ? (in + stride - 1) / stride : (in - k + stride) / stride;
}

static int pad_before(int padding, int in, int k, int stride, int out)
{
	if (padding != 0)
		return 0;
	int total = (out - 1) * stride + k - in;
	return total > 0 ? total / 2 : 0;
}


/*
 * Weights, bias and per-channel multipliers of CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED. `qdim` is the quantized dimension TFLite expects for per-channel
 * filters (0 for conv [O,H,W,I], 3 for depthwise [1,H,W,O]).
 */
static int weights_and_bias(struct file_ctx *c, struct mbn_layer *l, const struct tensor *in,
			    const struct tensor *w, const struct tensor *bias, int oc, int qdim, bool allow_per_channel)
{
	const uint8_t *wd, *bd = NULL;
	int r;

	if (w->type != (in->type == TFL_TYPE_UINT8 ? TFL_TYPE_UINT8 : TFL_TYPE_INT8))
		return ERR(c, -ENOTSUP, "filter '%s' is %s with %s activations (expected %s)", w->name,
			   type_name(w->type), type_name(in->type), in->type == TFL_TYPE_UINT8 ? "uint8" : "int8");
	if ((r = const_data(c, w, w->elems, &wd)))
		return r;
	if (w->scale.len == 0 || w->zp.len != w->scale.len)
		return ERR(c, -EINVAL, "filter '%s' needs quantization (found %u scales and %u zero points)",
			   w->name, w->scale.len, w->zp.len);
	bool per_channel = w->scale.len > 1;
	if (per_channel) {
		if (!allow_per_channel || in->type != TFL_TYPE_INT8)
			return ERR(c, -ENOTSUP, "filter '%s' has per-channel quantization, supported only with int8 activations",
				   w->name);
		if (w->scale.len != (uint32_t)oc || w->qdim != qdim)
			return ERR(c, -EINVAL, "filter '%s' has %u scales on dimension %d, expected %d on dimension %d",
				   w->name, w->scale.len, w->qdim, oc, qdim);
	}
	int32_t wzp0 = (int32_t)fb_vec_i64(&w->zp, 0);
	if (in->type == TFL_TYPE_UINT8 && (wzp0 < 0 || wzp0 > 255))
		return ERR(c, -EINVAL, "filter '%s' zero point %d is outside the uint8 range", w->name, wzp0);
	if (in->type == TFL_TYPE_INT8)
		for (uint32_t i = 0; i < w->zp.len; i++)
			if (fb_vec_i64(&w->zp, i) != 0)
				return ERR(c, -EINVAL, "int8 filter '%s' must be symmetric (zero point 0), channel %u has %lld",
					   w->name, i, (long long)fb_vec_i64(&w->zp, i));

	l->weights = mbn_arena_alloc(c->arena, w->elems * sizeof(int16_t));
	l->bias = mbn_arena_alloc(c->arena, (size_t)oc * sizeof(int32_t));
	l->mult = mbn_arena_alloc(c->arena, (size_t)oc * sizeof(int32_t));
	l->shift = mbn_arena_alloc(c->arena, (size_t)oc * sizeof(int32_t));
	if (!l->weights || !l->bias || !l->mult || !l->shift)
		return ERR(c, -ENOMEM, "out of memory for the weights of '%s'", w->name);
	for (uint64_t i = 0; i < w->elems; i++)
		l->weights[i] = in->type == TFL_TYPE_UINT8 ? (int16_t)(wd[i] - wzp0) : (int16_t)(int8_t)wd[i];
	l->w_zp = in->type == TFL_TYPE_UINT8 ? wzp0 : 128;

	if (bias) {
		if (bias->type != TFL_TYPE_INT32)
			return ERR(c, -ENOTSUP, "bias '%s' is %s, expected int32", bias->name, type_name(bias->type));
		if (bias->elems != (uint64_t)oc)
			return ERR(c, -EINVAL, "bias '%s' has %llu elements, expected %d", bias->name,
				   (unsigned long long)bias->elems, oc);
		if ((r = const_data(c, bias, bias->elems * 4, &bd)))
			return r;
		memcpy(l->bias, bd, (size_t)oc * 4);
		/* The kernels accumulate bias + depth products of at most 255 x 255 in int32
		 * (as TFLite does); refuse a bias that could make that sum overflow (undefined
		 * behaviour in C; no trained model comes near it). */
		uint64_t depth = l->op == MBN_OP_DWCONV ? (uint64_t)l->k_h * l->k_w
							 : (uint64_t)l->k_h * l->k_w * l->in_c;
		int64_t limit = (int64_t)INT32_MAX - (int64_t)(depth * 255 * 255);
		for (int ch = 0; ch < oc; ch++)
			if (llabs((long long)l->bias[ch]) > limit)
				return ERR(c, -ENOTSUP, "bias '%s' value %d (channel %d) could overflow the int32 accumulator (limit %lld for accumulation depth %llu)",
					   bias->name, l->bias[ch], ch, (long long)limit, (unsigned long long)depth);
	}

	float wscale0 = fb_vec_f32(&w->scale, 0);
	for (int ch = 0; ch < oc; ch++) {
		float ws = fb_vec_f32(&w->scale, per_channel ? (uint32_t)ch : 0);
		if (!(ws > 0.0f) || !isfinite(ws))
			return ERR(c, -EINVAL, "filter '%s' scale %g (channel %d) is not a positive finite number", w->name, ws, ch);
		double real;
		if (in->type == TFL_TYPE_UINT8) {
			/* kernel_util.cc GetQuantizedConvolutionMultipler: the input*filter
			 * product is a float product, widened afterwards. */
			real = (double)(l->in_scale * wscale0) / (double)l->out_scale;
		} else {
			/* kernel_util.cc PopulateConvolutionQuantizationParams, per channel:
			 * double(input_scale) * double(filter_scale) / double(output_scale). */
			real = (double)l->in_scale * (double)ws / (double)l->out_scale;
		}
		mbn_quantize_multiplier(real, &l->mult[ch], &l->shift[ch]);
	}
	/* The uint8 path checks the bias scale as TFLite does (GetQuantizedConvolutionMultipler). */
	if (bias && in->type == TFL_TYPE_UINT8) {
		double ips = (double)(l->in_scale * wscale0);
		double bs = bias->scale.len ? (double)fb_vec_f32(&bias->scale, 0) : 0.0;
		double mn = ips < bs ? ips : bs;
		if (!(fabs(ips - bs) <= 1e-6 * mn))
			return ERR(c, -EINVAL, "bias '%s' scale %g must equal input scale x filter scale = %g",
				   bias->name, bs, ips);
	}
	return 0;
}

/* Input, weights, optional bias (absent or index -1) and output of CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED. */
static int read_weighted_io(struct file_ctx *c, const struct op_io *io, const char *wname, struct tensor *in,
			    struct tensor *w, struct tensor *bias, bool *has_bias, struct tensor *out)
{
	int r;

	if (io->n_in < 2 || io->n_in > 3)
		return ERR(c, -EINVAL, "has %d inputs, expected 2 or 3 (input, %s, bias)", io->n_in, wname);
	if ((r = read_tensor(c, io->in[0], in)) || (r = read_tensor(c, io->in[1], w)) ||
	    (r = read_tensor(c, io->out, out)))
		return r;
	*has_bias = io->n_in == 3 && io->in[2] >= 0;
	return *has_bias ? read_tensor(c, io->in[2], bias) : 0;
}

int parse_conv(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l, bool depthwise)
{
	struct tensor in, w, bias, out;
	struct fb_tab opt;
	bool has_bias;
	int r;

	if ((r = read_weighted_io(c, io, "filter", &in, &w, &bias, &has_bias, &out)))
		return r;
	if ((r = check_nhwc(c, &in, "input")) || (r = check_nhwc(c, &out, "output")))
		return r;
	if ((r = get_options(c, op, depthwise ? TFL_OPT_DEPTHWISE : TFL_OPT_CONV2D, &opt)))
		return r;
	int padding = fb_u8(&opt, 0, 0);
	l->stride_w = fb_i32(&opt, 1, 0);
	l->stride_h = fb_i32(&opt, 2, 0);
	int act = fb_u8(&opt, depthwise ? 4 : 3, 0);
	int dil_w = fb_i32(&opt, depthwise ? 5 : 4, 1), dil_h = fb_i32(&opt, depthwise ? 6 : 5, 1);
	if (c->fb.bad)
		return corrupt(c, "operator options");
	if (padding > 1)
		return ERR(c, -EINVAL, "padding %d is neither SAME (0) nor VALID (1)", padding);
	if (l->stride_w < 1 || l->stride_h < 1 || l->stride_w > 64 || l->stride_h > 64)
		return ERR(c, -EINVAL, "stride %dx%d is invalid", l->stride_h, l->stride_w);
	if (dil_w != 1 || dil_h != 1)
		return ERR(c, -ENOTSUP, "dilation %dx%d is not supported (only 1)", dil_h, dil_w);
	if (w.ndims != 4)
		return ERR(c, -EINVAL, "filter '%s' has %d dimensions, expected 4", w.name, w.ndims);

	l->in_h = in.dims[1], l->in_w = in.dims[2], l->in_c = in.dims[3];
	l->out_h = out.dims[1], l->out_w = out.dims[2], l->out_c = out.dims[3];
	l->k_h = w.dims[1], l->k_w = w.dims[2];
	if (depthwise) {
		if (w.dims[0] != 1 || w.dims[3] != l->out_c)
			return ERR(c, -EINVAL, "filter '%s' is %dx%dx%dx%d, expected 1xKHxKWx%d", w.name,
				   w.dims[0], w.dims[1], w.dims[2], w.dims[3], l->out_c);
		if (l->out_c % l->in_c)
			return ERR(c, -EINVAL, "output depth %d is not a multiple of input depth %d", l->out_c, l->in_c);
		l->depth_mult = l->out_c / l->in_c;
		/* DepthwiseConv2DOptions.depth_multiplier (field 3): converters write it;
		 * 0 (absent) leaves it to the shapes, as TFLite's kernel does */
		int dm = fb_i32(&opt, 3, 0);
		if (dm && dm != l->depth_mult)
			return ERR(c, -EINVAL, "depth_multiplier %d does not match the channels: %d input channels and %d output channels give %d",
				   dm, l->in_c, l->out_c, l->depth_mult);
		if ((uint64_t)l->k_h * l->k_w > MAX_ACC_DEPTH)
			return ERR(c, -ENOTSUP, "accumulation depth %d x %d exceeds %d", l->k_h, l->k_w, MAX_ACC_DEPTH);
	} else {
		if (w.dims[0] != l->out_c || w.dims[3] != l->in_c)
			return ERR(c, -EINVAL, "filter '%s' is %dx%dx%dx%d, expected %dxKHxKWx%d", w.name,
				   w.dims[0], w.dims[1], w.dims[2], w.dims[3], l->out_c, l->in_c);
		if ((uint64_t)l->k_h * l->k_w * l->in_c > MAX_ACC_DEPTH)
			return ERR(c, -ENOTSUP, "accumulation depth %d x %d x %d exceeds %d", l->k_h, l->k_w, l->in_c, MAX_ACC_DEPTH);
		l->depth_mult = 1;
	}
	int oh = out_size(padding, l->in_h, l->k_h, l->stride_h), ow = out_size(padding, l->in_w, l->k_w, l->stride_w);
	if (oh < 1 || ow < 1 || oh != l->out_h || ow != l->out_w)
		return ERR(c, -EINVAL, "output '%s' is %dx%d, but a %dx%d window with stride %dx%d and %s padding on %dx%d gives %dx%d",
			   out.name, l->out_h, l->out_w, l->k_h, l->k_w, l->stride_h, l->stride_w,
			   padding ? "VALID" : "SAME", l->in_h, l->in_w, oh, ow);
	l->pad_top = pad_before(padding, l->in_h, l->k_h, l->stride_h, oh);
	l->pad_left = pad_before(padding, l->in_w, l->k_w, l->stride_w, ow);
	if ((r = io_quant(c, &in, &out, l)))
		return r;
	if ((r = weights_and_bias(c, l, &in, &w, has_bias ? &bias : NULL, l->out_c, depthwise ? 3 : 0, true)))
		return r;
	float os = l->out_scale;
	int32_t ozp = l->out_zp - (l->is_signed ? 128 : 0);
	return act_range(c, act, l->is_signed, os, ozp, &l->act_min, &l->act_max);
}

int parse_pool(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l)
{
	struct tensor in, out;
	struct fb_tab opt;
	int r;

	if (io->n_in != 1)
		return ERR(c, -EINVAL, "has %d inputs, expected 1", io->n_in);
	if ((r = read_tensor(c, io->in[0], &in)) || (r = read_tensor(c, io->out, &out)))
		return r;
	if ((r = check_nhwc(c, &in, "input")) || (r = check_nhwc(c, &out, "output")))
		return r;
	if ((r = get_options(c, op, TFL_OPT_POOL2D, &opt)))
		return r;
	int padding = fb_u8(&opt, 0, 0);
	l->stride_w = fb_i32(&opt, 1, 0);
	l->stride_h = fb_i32(&opt, 2, 0);
	l->k_w = fb_i32(&opt, 3, 0);
	l->k_h = fb_i32(&opt, 4, 0);
	int act = fb_u8(&opt, 5, 0);
	if (c->fb.bad)
		return corrupt(c, "operator options");
	if (padding > 1)
		return ERR(c, -EINVAL, "padding %d is neither SAME (0) nor VALID (1)", padding);
	if (l->stride_w < 1 || l->stride_h < 1 || l->stride_w > 64 || l->stride_h > 64 ||
	    l->k_w < 1 || l->k_h < 1 || l->k_w > MAX_DIM || l->k_h > MAX_DIM)
		return ERR(c, -EINVAL, "filter %dx%d / stride %dx%d is invalid", l->k_h, l->k_w, l->stride_h, l->stride_w);
	if ((uint64_t)l->k_w * l->k_h > 65536)
		return ERR(c, -ENOTSUP, "pooling window %dx%d is larger than 65536 elements", l->k_h, l->k_w);
	l->in_h = in.dims[1], l->in_w = in.dims[2], l->in_c = in.dims[3];
	l->out_h = out.dims[1], l->out_w = out.dims[2], l->out_c = out.dims[3];
	int oh = out_size(padding, l->in_h, l->k_h, l->stride_h), ow = out_size(padding, l->in_w, l->k_w, l->stride_w);
	if (oh < 1 || ow < 1 || oh != l->out_h || ow != l->out_w || l->out_c != l->in_c)
		return ERR(c, -EINVAL, "output '%s' is %dx%dx%d, expected %dx%dx%d", out.name, l->out_h, l->out_w,
			   l->out_c, oh, ow, l->in_c);
	l->pad_top = pad_before(padding, l->in_h, l->k_h, l->stride_h, oh);
	l->pad_left = pad_before(padding, l->in_w, l->k_w, l->stride_w, ow);
	l->depth_mult = 1;
	if ((r = io_quant(c, &in, &out, l)))
		return r;
	/* pooling.cc (TFLite 2.9) requires equal input and output quantization. */
	if (l->in_scale != l->out_scale || l->in_zp != l->out_zp)
		return ERR(c, -EINVAL, "input and output quantization differ (scale %g/%g, zero point %d/%d)",
			   l->in_scale, l->out_scale, l->in_zp, l->out_zp);
	int32_t ozp = l->out_zp - (l->is_signed ? 128 : 0);
	return act_range(c, act, l->is_signed, l->out_scale, ozp, &l->act_min, &l->act_max);
}

int parse_fc(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l)
{
	struct tensor in, w, bias, out;
	struct fb_tab opt;
	bool has_bias;
	int r;

	if ((r = read_weighted_io(c, io, "weights", &in, &w, &bias, &has_bias, &out)))
		return r;
	if ((r = get_options(c, op, TFL_OPT_FULLY_CONNECTED, &opt)))
		return r;
	int act = fb_u8(&opt, 0, 0), format = fb_u8(&opt, 1, 0);
	if (c->fb.bad)
		return corrupt(c, "operator options");
	if (format != 0)
		return ERR(c, -ENOTSUP, "weights format %d is not supported (only DEFAULT)", format);
	if (w.ndims != 2)
		return ERR(c, -EINVAL, "weights '%s' have %d dimensions, expected 2", w.name, w.ndims);
	int units = w.dims[0], depth = w.dims[1];
	if (in.elems != (uint64_t)depth)
		return ERR(c, -ENOTSUP, "input '%s' has %llu elements, expected %d (batch 1 only)", in.name,
			   (unsigned long long)in.elems, depth);
	if (out.elems != (uint64_t)units)
		return ERR(c, -EINVAL, "output '%s' has %llu elements, expected %d", out.name,
			   (unsigned long long)out.elems, units);
	if (depth > MAX_ACC_DEPTH)
		return ERR(c, -ENOTSUP, "accumulation depth %d exceeds %d", depth, MAX_ACC_DEPTH);
	l->in_h = l->in_w = l->out_h = l->out_w = 1;
	l->in_c = depth;
	l->out_c = units;
	l->k_h = l->k_w = l->stride_h = l->stride_w = l->depth_mult = 1;
	if ((r = io_quant(c, &in, &out, l)))
		return r;
	if ((r = weights_and_bias(c, l, &in, &w, has_bias ? &bias : NULL, units, 0, true)))
		return r;
	/* Per-channel FULLY_CONNECTED weights (newer converters write them): TFLite 2.9's
	 * fully_connected.cc reads only the first scale, so its outputs are wrong (the
	 * zero point, typically); TFLite >= 2.10 computes each unit with its own scale, as
	 * a per-channel 1x1 convolution. We compute the latter (tested against the same
	 * weights written as a 1x1 CONV_2D, which TFLite 2.9 gets right). */
	if (w.scale.len > 1 && !c->warned_fc) {
		mbn_warn("%s: operator %d (FULLY_CONNECTED): weights '%s' are per-channel; computed per channel like a 1x1 convolution (as TensorFlow Lite >= 2.10 does): TensorFlow Lite 2.9 ignores the per-channel scales and gives different outputs",
			 c->name, c->op_index, w.name);
		c->warned_fc = true;
	}
	int32_t ozp = l->out_zp - (l->is_signed ? 128 : 0);
	return act_range(c, act, l->is_signed, l->out_scale, ozp, &l->act_min, &l->act_max);
}

int parse_reshape(struct file_ctx *c, const struct op_io *io, struct mbn_layer *l)
{
	struct tensor in, out;
	int r;

	if (io->n_in < 1 || io->n_in > 2)
		return ERR(c, -EINVAL, "has %d inputs, expected 1 or 2", io->n_in);
	if ((r = read_tensor(c, io->in[0], &in)) || (r = read_tensor(c, io->out, &out)))
		return r;
	if (in.elems != out.elems)
		return ERR(c, -EINVAL, "input '%s' has %llu elements but output '%s' has %llu", in.name,
			   (unsigned long long)in.elems, out.name, (unsigned long long)out.elems);
	if (io->n_in == 2 && io->in[1] >= 0) {
		/* The shape input: a constant, or computed from tensor shapes at load
		 * (tflite_shape.c); it must give the declared output shape (-1: the rest). */
		struct tensor st;
		int32_t v[FOLD_MAX];
		int n;
		if ((r = read_tensor(c, io->in[1], &st)) || (r = const_ints(c, &st, "shape", v, FOLD_MAX, &n)))
			return r;
		uint64_t known = 1;
		int unknown = -1;
		for (int d = 0; d < n; d++) {
			if (v[d] == -1 && unknown < 0)
				unknown = d;
			else if (v[d] < 1)
				return ERR(c, -EINVAL, "shape '%s' has %d in dimension %d", st.name, v[d], d);
			else
				known *= (uint64_t)v[d];
			if (known > MAX_ELEMS)
				return ERR(c, -EINVAL, "shape '%s' is too large", st.name);
		}
		if (unknown >= 0 && known && in.elems % known == 0)
			v[unknown] = (int32_t)(in.elems / known);
		bool same = n == out.ndims && (unknown < 0 || in.elems % known == 0);
		for (int d = 0; same && d < n; d++)
			same = v[d] == out.dims[d];
		if (!same)
			return ERR(c, -EINVAL, "shape '%s' (%d values) does not give the declared output shape of '%s'", st.name, n,
				   out.name);
	}
	l->in_h = l->in_w = l->out_h = l->out_w = 1;
	l->in_c = l->out_c = (int)in.elems;
	l->k_h = l->k_w = l->stride_h = l->stride_w = l->depth_mult = 1;
	/* Reshape copies bytes; TFLite 2.9 does not requantize, so the output keeps the
	 * bytes and whatever quantization the model declares for it. */
	return io_quant(c, &in, &out, l);
}

int parse_softmax(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l)
{
	struct tensor in, out;
	struct fb_tab opt;
	int r;

	if (io->n_in != 1)
		return ERR(c, -EINVAL, "has %d inputs, expected 1", io->n_in);
	if ((r = read_tensor(c, io->in[0], &in)) || (r = read_tensor(c, io->out, &out)))
		return r;
	if ((r = get_options(c, op, TFL_OPT_SOFTMAX, &opt)))
		return r;
	l->beta = fb_f32(&opt, 0, 0.0f);
	if (c->fb.bad)
		return corrupt(c, "operator options");
	if (!isfinite(l->beta))
		return ERR(c, -EINVAL, "beta %g is not finite", l->beta);
	if (in.ndims < 1 || in.elems != out.elems)
		return ERR(c, -EINVAL, "input '%s' and output '%s' differ in size", in.name, out.name);
	int last = in.dims[in.ndims - 1];
	/* Softmax runs over the last dimension, once per row. */
	l->in_h = l->out_h = 1;
	l->in_w = l->out_w = (int)(in.elems / (uint64_t)last);
	l->in_c = l->out_c = last;
	l->k_h = l->k_w = l->stride_h = l->stride_w = l->depth_mult = 1;
	if ((r = io_quant(c, &in, &out, l)))
		return r;
	/* softmax.cc SoftmaxPrepare (TFLite 2.9): uint8 output must be scale 1/256 zp 0,
	 * int8 output scale 1/256 zp -128. */
	if (l->out_scale != 1.0f / 256 || l->out_zp != 0)
		return ERR(c, -EINVAL, "output '%s' must have scale 1/256 and zero point %d (found %g and %d)",
			   out.name, l->is_signed ? -128 : 0, l->out_scale, l->out_zp - (l->is_signed ? 128 : 0));
	l->table = mbn_arena_alloc(c->arena, 256 * sizeof(float));
	if (!l->table)
		return ERR(c, -ENOMEM, "out of memory");
	/* optimized_ops.h PopulateSoftmaxLookupTable: scale = -input_scale * beta (float),
	 * table[255 - val] = expf(scale * val). */
	const float scale = -l->in_scale * l->beta;
	for (int val = 0; val <= 255; val++)
		l->table[255 - val] = expf(scale * (float)val);
	return 0;
}

