/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chain_model.c - a chain of TFLite nodes as a .tflite model in memory.
 *
 * The interpreter hands the delegate tensors (type, shape, quantization, constant data)
 * and nodes (builtin code, version, builtin parameter struct). Rather than a second
 * front end beside lib/src/loader/, the chain is written back as schema v3 with
 * tools/common/tflite_writer.c and loaded with mbn_model_load_buffers_opts(): the same
 * validation, PAD folding and compilation as for a file, and every refusal comes with
 * the loader's own message. Builtin parameters are read through tflite_builtin.h and
 * written as the schema's option tables (ConvOptions, DepthwiseConv2DOptions).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delegate_int.h"
#include "tflite_builtin.h"
#include "tflite_writer.h"

static int why_set(char *why, size_t n, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return err;
}

static const char *tensor_name(const TfLiteTensor *t)
{
	return t->name && t->name[0] ? t->name : "(unnamed)";
}

static bool is_const(const TfLiteTensor *t)
{
	return (t->allocation_type == kTfLiteMmapRo || t->allocation_type == kTfLitePersistentRo) &&
	       t->data.raw != NULL;
}

/* TfLiteType -> schema TensorType; -1 if the chain cannot carry it. */
static int schema_type(TfLiteType t)
{
	switch (t) {
	case kTfLiteFloat32: return TFL_TYPE_FLOAT32;
	case kTfLiteInt32: return TFL_TYPE_INT32;
	case kTfLiteUInt8: return TFL_TYPE_UINT8;
	case kTfLiteInt64: return TFL_TYPE_INT64;
	case kTfLiteInt8: return TFL_TYPE_INT8;
	default: return -1;
	}
}

static const char *op_name(int builtin)
{
	const char *n = tfl_builtin_name(builtin);
	return n ? n : "operator";
}

const char *mbn_tfl_screen(const TfLiteContext *ctx, const struct dnode *n)
{
	int nin_min, nin_max;
	switch (n->builtin) {
	case TFL_OP_CONV_2D:
	case TFL_OP_DEPTHWISE_CONV_2D:
		nin_min = 2, nin_max = 3;
		break;
	case TFL_OP_PAD:
		nin_min = nin_max = 2;
		break;
	case TFL_OP_PADV2:
		nin_min = 2, nin_max = 3;
		break;
	default:
		return "not a convolution (the accelerator runs CONV_2D and DEPTHWISE_CONV_2D, and the PADs folded into them)";
	}
	const TfLiteNode *node = n->node;
	if (!node->inputs || node->inputs->size < nin_min || node->inputs->size > nin_max || !node->outputs ||
	    node->outputs->size != 1)
		return "unexpected number of inputs or outputs";
	int in = node->inputs->data[0];
	if (in < 0 || (size_t)in >= ctx->tensors_size)
		return "no activation input";
	const TfLiteTensor *t = &ctx->tensors[in];
	if (t->type != kTfLiteUInt8 && t->type != kTfLiteInt8)
		return "activation input is not uint8 or int8";
	if (is_const(t))
		return "activation input is a constant";
	if (t->allocation_type == kTfLiteDynamic)
		return "activation input has a shape computed at run time";
	if (!t->dims || t->dims->size != 4)
		return "activation input is not 4-D";
	for (int i = 1; i < node->inputs->size; i++) {
		int ti = node->inputs->data[i];
		if (ti < 0) {
			if (i == 2 && n->builtin != TFL_OP_PADV2)
				continue; /* no bias */
			return "a required parameter tensor is missing";
		}
		if ((size_t)ti >= ctx->tensors_size || !is_const(&ctx->tensors[ti]))
			return "a weight, bias or padding tensor is not constant (computed at run time)";
	}
	int out = node->outputs->data[0];
	if (out < 0 || (size_t)out >= ctx->tensors_size)
		return "no output tensor";
	if (ctx->tensors[out].allocation_type == kTfLiteDynamic)
		return "output tensor has a dynamic shape";
	if (n->builtin == TFL_OP_CONV_2D || n->builtin == TFL_OP_DEPTHWISE_CONV_2D) {
		if (!node->builtin_data)
			return "no builtin parameters";
		/* activation and padding are the first fields' neighbours in both structs */
		int act = n->builtin == TFL_OP_CONV_2D
				  ? ((const struct mbn_tfl_conv_params *)node->builtin_data)->activation
				  : ((const struct mbn_tfl_depthwise_params *)node->builtin_data)->activation;
		int pad = ((const struct mbn_tfl_conv_params *)node->builtin_data)->padding;
		if (act < MBN_TFL_ACT_NONE || act > MBN_TFL_ACT_RELU6)
			return "fused activation other than NONE, RELU, RELU_N1_TO_1, RELU6";
		if (pad != MBN_TFL_PADDING_SAME && pad != MBN_TFL_PADDING_VALID)
			return "padding is neither SAME nor VALID";
		/* libmbnaccel's own placement (graph.c): the classifier is not worth a job */
		if (t->dims->data[1] == 1 && t->dims->data[2] == 1)
			return "a convolution on a 1x1 map (a classifier): too little work for an accelerator job";
	}
	return NULL;
}

static const char *pad_name(int p)
{
	return p == MBN_TFL_PADDING_SAME ? "SAME" : p == MBN_TFL_PADDING_VALID ? "VALID" : "UNKNOWN";
}

void mbn_tfl_params_str(const struct dnode *n, char *s, size_t len)
{
	const void *bd = n->node->builtin_data;
	s[0] = 0;
	if (!bd)
		return;
	switch (n->builtin) {
	case TFL_OP_CONV_2D: {
		const struct mbn_tfl_conv_params *p = bd;
		snprintf(s, len, "padding=%s stride_w=%d stride_h=%d activation=%d dilation_w=%d dilation_h=%d",
			 pad_name(p->padding), p->stride_width, p->stride_height, p->activation, p->dilation_width_factor,
			 p->dilation_height_factor);
		break;
	}
	case TFL_OP_DEPTHWISE_CONV_2D: {
		const struct mbn_tfl_depthwise_params *p = bd;
		snprintf(s, len,
			 "padding=%s stride_w=%d stride_h=%d depth_multiplier=%d activation=%d dilation_w=%d dilation_h=%d",
			 pad_name(p->padding), p->stride_width, p->stride_height, p->depth_multiplier, p->activation,
			 p->dilation_width_factor, p->dilation_height_factor);
		break;
	}
	case TFL_OP_AVERAGE_POOL_2D:
	case TFL_OP_MAX_POOL_2D: {
		const struct mbn_tfl_pool_params *p = bd;
		snprintf(s, len, "padding=%s stride_w=%d stride_h=%d filter_w=%d filter_h=%d activation=%d",
			 pad_name(p->padding), p->stride_width, p->stride_height, p->filter_width, p->filter_height,
			 p->activation);
		break;
	}
	case TFL_OP_MEAN: {
		const struct mbn_tfl_reducer_params *p = bd;
		snprintf(s, len, "keep_dims=%d", p->keep_dims ? 1 : 0);
		break;
	}
	}
}

/* The writer's index of TFLite tensor ti, adding it on first use. */
struct tmap {
	int n, cap;
	int *from, *to;
};

static int add_tensor(struct tflw_model *m, struct tmap *map, const TfLiteContext *ctx, int ti, char *why,
		      size_t why_len)
{
	if (ti < 0)
		return -1; /* optional input left out: the schema's -1 */
	for (int i = 0; i < map->n; i++)
		if (map->from[i] == ti)
			return map->to[i];
	if (map->n == map->cap)
		return why_set(why, why_len, -E2BIG, "too many tensors");
	const TfLiteTensor *t = &ctx->tensors[ti];
	int type = schema_type(t->type);
	if (type < 0)
		return why_set(why, why_len, -ENOTSUP, "tensor '%s' has a type the loader does not read",
			       tensor_name(t));
	int32_t shape[8];
	int rank = t->dims ? t->dims->size : 0;
	if (rank > 8)
		return why_set(why, why_len, -ENOTSUP, "tensor '%s' has rank %d", tensor_name(t), rank);
	for (int d = 0; d < rank; d++)
		shape[d] = t->dims->data[d];
	int buffer = 0;
	if (is_const(t)) {
		buffer = tflw_buffer_add(m, t->data.raw, t->bytes);
		if (buffer < 0)
			return why_set(why, why_len, buffer, "out of memory");
	}
	struct tflw_quant q = {0};
	float scale1;
	int64_t zp1;
	int64_t *zps = NULL;
	if (t->quantization.type == kTfLiteAffineQuantization && t->quantization.params) {
		const TfLiteAffineQuantization *aq = t->quantization.params;
		if (aq->scale && aq->scale->size > 0) {
			int nq = aq->scale->size;
			if (!aq->zero_point || aq->zero_point->size != nq)
				return why_set(why, why_len, -EINVAL, "tensor '%s' has %d scales but %d zero points",
					       tensor_name(t), nq, aq->zero_point ? aq->zero_point->size : 0);
			zps = malloc(sizeof(int64_t) * (size_t)nq);
			if (!zps)
				return why_set(why, why_len, -ENOMEM, "out of memory");
			for (int i = 0; i < nq; i++)
				zps[i] = aq->zero_point->data[i];
			q.n = nq;
			q.scale = aq->scale->data;
			q.zero_point = zps;
			q.quantized_dimension = aq->quantized_dimension;
		}
	} else if (t->params.scale != 0.0f) {
		scale1 = t->params.scale;
		zp1 = t->params.zero_point;
		q.n = 1;
		q.scale = &scale1;
		q.zero_point = &zp1;
	}
	int wi = tflw_tensor_add(m, tensor_name(t), type, shape, rank, buffer, q.n ? &q : NULL);
	free(zps);
	if (wi < 0)
		return why_set(why, why_len, wi, "cannot describe tensor '%s'", tensor_name(t));
	map->from[map->n] = ti;
	map->to[map->n] = wi;
	map->n++;
	return wi;
}

static int schema_padding(int p)
{
	return p == MBN_TFL_PADDING_SAME ? TFL_PAD_SAME : TFL_PAD_VALID;
}

static int options_of(const struct dnode *n, struct tflw_options *o)
{
	memset(o, 0, sizeof(*o));
	switch (n->builtin) {
	case TFL_OP_CONV_2D: {
		const struct mbn_tfl_conv_params *p = n->node->builtin_data;
		o->type = TFL_OPT_CONV2D;
		o->padding = schema_padding(p->padding);
		o->stride_w = p->stride_width, o->stride_h = p->stride_height;
		o->dilation_w = p->dilation_width_factor, o->dilation_h = p->dilation_height_factor;
		o->activation = p->activation;
		return 1;
	}
	case TFL_OP_DEPTHWISE_CONV_2D: {
		const struct mbn_tfl_depthwise_params *p = n->node->builtin_data;
		o->type = TFL_OPT_DEPTHWISE;
		o->padding = schema_padding(p->padding);
		o->stride_w = p->stride_width, o->stride_h = p->stride_height;
		o->dilation_w = p->dilation_width_factor, o->dilation_h = p->dilation_height_factor;
		o->depth_multiplier = p->depth_multiplier;
		o->activation = p->activation;
		return 1;
	}
	case TFL_OP_PAD:
		o->type = TFL_OPT_PAD;
		return 1;
	case TFL_OP_PADV2:
		o->type = TFL_OPT_PADV2;
		return 1;
	}
	return 0;
}

int mbn_tfl_chain_serialize(const TfLiteContext *ctx, const struct dnode *nodes, int n, uint8_t **buf,
			    size_t *len, char *why, size_t why_len)
{
	struct tflw_model *m = tflw_model_new("mbnaccel-tflite partition");
	struct tmap *map = calloc(1, sizeof(*map));
	int r = 0;
	*buf = NULL;
	if (map) {
		map->cap = 9 * n + 2; /* at most 8 inputs and 1 output per node */
		map->from = malloc(sizeof(int) * (size_t)map->cap);
		map->to = malloc(sizeof(int) * (size_t)map->cap);
	}
	if (!m || !map || !map->from || !map->to) {
		r = why_set(why, why_len, -ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const TfLiteNode *node = nodes[i].node;
		int in[8], out;
		int nin = node->inputs->size;
		if (nin > 8) {
			r = why_set(why, why_len, -EINVAL, "node %d has %d inputs", nodes[i].index, nin);
			goto out;
		}
		for (int k = 0; k < nin; k++) {
			in[k] = add_tensor(m, map, ctx, node->inputs->data[k], why, why_len);
			if (in[k] < -1) {
				r = in[k];
				goto out;
			}
		}
		out = add_tensor(m, map, ctx, node->outputs->data[0], why, why_len);
		if (out < 0) {
			r = out < -1 ? out : -EINVAL;
			goto out;
		}
		struct tflw_options o;
		if (!options_of(&nodes[i], &o)) {
			r = why_set(why, why_len, -ENOTSUP, "node %d: %s cannot be delegated", nodes[i].index,
				    op_name(nodes[i].builtin));
			goto out;
		}
		int oi = tflw_op_add(m, nodes[i].builtin, nodes[i].version > 0 ? nodes[i].version : 1, in, nin,
				     &out, 1, &o);
		if (oi < 0) {
			r = why_set(why, why_len, oi, "node %d: cannot describe it", nodes[i].index);
			goto out;
		}
	}
	int gin = add_tensor(m, map, ctx, mbn_tfl_act_in(&nodes[0]), why, why_len);
	int gout = add_tensor(m, map, ctx, mbn_tfl_act_out(&nodes[n - 1]), why, why_len);
	tflw_set_io(m, &gin, 1, &gout, 1);
	r = tflw_model_serialize(m, buf, len);
	if (r)
		why_set(why, why_len, r, "cannot serialize the chain");
out:
	if (map) {
		free(map->from);
		free(map->to);
	}
	free(map);
	tflw_model_free(m);
	return r;
}
