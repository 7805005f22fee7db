/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite.c - the .tflite loader: reads TFLite schema v3 flatbuffers (one file or
 * several chained), validates every tensor and operator the way TensorFlow Lite 2.9's
 * Prepare() functions do, and builds the layer chain of graph.h with all quantization
 * constants precomputed.
 *
 * Field numbers follow tensorflow/lite/schema/schema.fbs (schema v3). Quantization
 * constants follow tensorflow/lite/kernels/kernel_util.cc
 * (PopulateConvolutionQuantizationParams, GetQuantizedConvolutionMultipler,
 * CalculateActivationRangeQuantized) and padding follows kernels/padding.h.
 *
 * A model is accepted only if it is a single chain: each layer reads the output of the
 * one before, the first reads the subgraph input, the last writes the subgraph output.
 * The shape arithmetic converters leave beside the chain (SHAPE -> STRIDED_SLICE ->
 * PACK -> RESHAPE's shape) is evaluated at load (tflite_shape.c), float QUANTIZE /
 * DEQUANTIZE at the ends become the graph's float edges, and a PAD before a
 * convolution is folded into its padding (fold_pads). The operators themselves are
 * parsed in tflite_layers.c and tflite_ops.c, tensors and options read by
 * tflite_tensor.c; tflite_int.h is what they share.
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

int file_err(struct file_ctx *c, int err, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->op_name)
		return mbn_set_error(err, "%s: operator %d (%s): %s", c->name, c->op_index, c->op_name, msg);
	return mbn_set_error(err, "%s: %s", c->name, msg);
}

int corrupt(struct file_ctx *c, const char *what)
{
	return ERR(c, -EBADMSG, "corrupt file while reading %s: %s", what, c->fb.why);
}


static int read_op_io(struct file_ctx *c, const struct fb_tab *op, struct op_io *io)
{
	struct fb_vec ins, outs;

	if (!fb_vector(op, OP_INPUTS, 4, &ins) || !fb_vector(op, OP_OUTPUTS, 4, &outs)) {
		if (c->fb.bad)
			return corrupt(c, "operator inputs/outputs");
		return ERR(c, -EINVAL, "operator has no inputs or outputs");
	}
	if (ins.len < 1 || ins.len > MAX_OP_IN)
		return ERR(c, -ENOTSUP, "has %u inputs (at most %d are supported)", ins.len, MAX_OP_IN);
	if (outs.len != 1)
		return ERR(c, -ENOTSUP, "has %u outputs, expected 1", outs.len);
	io->n_in = (int)ins.len;
	for (uint32_t i = 0; i < ins.len; i++)
		io->in[i] = fb_vec_i32(&ins, i);
	io->out = fb_vec_i32(&outs, 0);
	io->n_out = 1;
	return c->fb.bad ? corrupt(c, "operator inputs/outputs") : 0;
}

/* Parse one file, appending its layers to g->layers (already sized by the caller). */
static int parse_file(struct file_ctx *c, struct mbn_graph *g, struct tensor *gin, struct tensor *gout)
{
	struct fb_tab model, sg;
	struct fb_vec subgraphs, sg_in, sg_out, ops;
	int r;

	if (c->fb.n < 8 || memcmp(c->fb.p + 4, "TFL3", 4) != 0)
		return ERR(c, -EBADMSG, "not a TensorFlow Lite model (no \"TFL3\" identifier at byte 4; %zu-byte file)", c->fb.n);
	if (!fb_root(&c->fb, &model))
		return corrupt(c, "the model table");
	uint32_t version = fb_u32(&model, MODEL_VERSION, 0);
	if (c->fb.bad)
		return corrupt(c, "the model version");
	if (version != 3)
		return ERR(c, -ENOTSUP, "schema version %u, expected 3", version);
	if (!fb_vector(&model, MODEL_OPCODES, 4, &c->opcodes) ||
	    !fb_vector(&model, MODEL_SUBGRAPHS, 4, &subgraphs) ||
	    !fb_vector(&model, MODEL_BUFFERS, 4, &c->buffers)) {
		if (c->fb.bad)
			return corrupt(c, "the model table");
		return ERR(c, -EINVAL, "the model has no operator codes, subgraphs or buffers");
	}
	if (subgraphs.len != 1)
		return ERR(c, -ENOTSUP, "%u subgraphs; exactly 1 is supported", subgraphs.len);
	if (!fb_vec_table(&subgraphs, 0, &sg) || !fb_vector(&sg, SG_TENSORS, 4, &c->tensors) ||
	    !fb_vector(&sg, SG_INPUTS, 4, &sg_in) || !fb_vector(&sg, SG_OUTPUTS, 4, &sg_out) ||
	    !fb_vector(&sg, SG_OPERATORS, 4, &ops)) {
		if (c->fb.bad)
			return corrupt(c, "the subgraph");
		return ERR(c, -EINVAL, "the subgraph lacks tensors, inputs, outputs or operators");
	}
	/* Every tensor and data buffer must lie inside the file, even those the chain does
	 * not read: a file cut short after its last table is truncated, not valid. */
	for (uint32_t i = 0; i < c->tensors.len; i++) {
		struct fb_tab t;
		if (!fb_vec_table(&c->tensors, i, &t))
			return corrupt(c, "a tensor");
	}
	for (uint32_t i = 0; i < c->buffers.len; i++) {
		struct fb_tab bt;
		struct fb_vec d;
		if (!fb_vec_table(&c->buffers, i, &bt) || (!fb_vector(&bt, BUF_DATA, 1, &d) && c->fb.bad))
			return corrupt(c, "a data buffer");
	}
	if (sg_in.len != 1 || sg_out.len != 1)
		return ERR(c, -ENOTSUP, "the subgraph has %u inputs and %u outputs; exactly 1 of each is supported",
			   sg_in.len, sg_out.len);
	if (ops.len == 0)
		return ERR(c, -EINVAL, "the subgraph has no operators");
	if (ops.len > 1024)
		return ERR(c, -ENOTSUP, "%u operators; at most 1024 are supported", ops.len);
	if ((r = read_tensor(c, fb_vec_i32(&sg_in, 0), gin)) || (r = read_tensor(c, fb_vec_i32(&sg_out, 0), gout)))
		return r;

	struct mbn_layer *grown = realloc(g->layers, (size_t)(g->n_layers + (int)ops.len) * sizeof(*grown));
	if (!grown)
		return ERR(c, -ENOMEM, "out of memory");
	g->layers = grown;
	c->folded = calloc(c->tensors.len ? c->tensors.len : 1, sizeof(*c->folded));
	if (!c->folded)
		return ERR(c, -ENOMEM, "out of memory");

	int prev = gin->idx;
	bool first_layer = true;
	for (uint32_t i = 0; i < ops.len; i++) {
		struct fb_tab op, code;
		struct op_io io;
		struct mbn_layer *l = &g->layers[g->n_layers];

		memset(l, 0, sizeof(*l));
		c->op_index = (int)i;
		c->op_name = "?";
		if (!fb_vec_table(&ops, i, &op))
			return corrupt(c, "an operator");
		uint32_t opc = fb_u32(&op, OP_OPCODE, 0);
		if (c->fb.bad)
			return corrupt(c, "an operator");
		if (opc >= c->opcodes.len)
			return ERR(c, -EBADMSG, "opcode index %u out of range (%u operator codes)", opc, c->opcodes.len);
		if (!fb_vec_table(&c->opcodes, opc, &code))
			return corrupt(c, "an operator code");
		/* schema_utils.cc GetBuiltinCode: max(builtin_code, deprecated_builtin_code). */
		int32_t bc = fb_i32(&code, OPCODE_BUILTIN, 0), dep = (int8_t)fb_u8(&code, OPCODE_DEPRECATED, 0);
		if (dep > bc)
			bc = dep;
		char custom[64];
		fb_string(&code, OPCODE_CUSTOM, custom, sizeof(custom));
		if (c->fb.bad)
			return corrupt(c, "an operator code");
		const char *nm = tfl_builtin_name(bc);
		static __thread char unknown[40];
		if (!nm) {
			snprintf(unknown, sizeof(unknown), "builtin operator %d", bc);
			nm = unknown;
		}
		c->op_name = nm;
		if (custom[0] || bc == 32 /* CUSTOM */) {
			c->op_name = NULL;
			return ERR(c, -ENOTSUP, "operator %u: custom operator '%s' is not supported", i, custom[0] ? custom : "(unnamed)");
		}
		if ((r = read_op_io(c, &op, &io)))
			return r;
		/* Shape arithmetic is evaluated here and leaves no layer. */
		if (is_shape_op(bc)) {
			if ((r = fold_shape_op(c, bc, &op, &io)))
				return r;
			continue;
		}
		if (io.in[0] != prev)
			return ERR(c, -ENOTSUP, "reads tensor %d, not the previous operator's output %d: only a single chain of operators is supported",
				   io.in[0], prev);
		/* The float edges: QUANTIZE float32 -> int8/uint8 as the first operator,
		 * DEQUANTIZE as the one writing the subgraph output. No layer either. */
		if (bc == TFL_OP_QUANTIZE || bc == TFL_OP_DEQUANTIZE) {
			struct tensor qi, qo;
			if (io.n_in != 1)
				return ERR(c, -EINVAL, "has %d inputs, expected 1", io.n_in);
			if ((r = read_tensor(c, io.in[0], &qi)) || (r = read_tensor(c, io.out, &qo)))
				return r;
			const struct tensor *qt = bc == TFL_OP_QUANTIZE ? &qo : &qi, *ft = bc == TFL_OP_QUANTIZE ? &qi : &qo;
			if (ft->type == TFL_TYPE_FLOAT32) {
				struct mbn_edge *e = bc == TFL_OP_QUANTIZE ? &c->in_edge : &c->out_edge;
				if (bc == TFL_OP_QUANTIZE && (!first_layer || c->file != 0 || io.in[0] != gin->idx))
					return ERR(c, -ENOTSUP, "QUANTIZE from float32 is supported only as the first operator of the first model file (a float model input)");
				if (bc == TFL_OP_DEQUANTIZE && io.out != gout->idx)
					return ERR(c, -ENOTSUP, "DEQUANTIZE to float32 is supported only as the operator that writes the model output");
				if (qi.elems != qo.elems)
					return ERR(c, -EINVAL, "input '%s' and output '%s' differ in size", qi.name, qo.name);
				float sc;
				int32_t zp;
				if ((r = act_quant(c, qt, &sc, &zp)))
					return r;
				e->is_float = true;
				e->is_signed = qt->type == TFL_TYPE_INT8;
				e->scale = sc;
				e->zero_point = zp;
				prev = io.out;
				continue;
			}
			if (bc == TFL_OP_DEQUANTIZE)
				return ERR(c, -ENOTSUP, "DEQUANTIZE to %s ('%s') is not supported (only to float32 at the model output)",
					   type_name(qo.type), qo.name);
		}
		switch (bc) {
		case TFL_OP_CONV_2D:
			l->op = MBN_OP_CONV;
			r = parse_conv(c, &op, &io, l, false);
			break;
		case TFL_OP_DEPTHWISE_CONV_2D:
			l->op = MBN_OP_DWCONV;
			r = parse_conv(c, &op, &io, l, true);
			break;
		case TFL_OP_AVERAGE_POOL_2D:
			l->op = MBN_OP_AVGPOOL;
			r = parse_pool(c, &op, &io, l);
			break;
		case TFL_OP_FULLY_CONNECTED:
			l->op = MBN_OP_FC;
			r = parse_fc(c, &op, &io, l);
			break;
		case TFL_OP_RESHAPE:
		case TFL_OP_SQUEEZE:
			l->op = MBN_OP_RESHAPE;
			r = parse_reshape(c, &io, l);
			break;
		case TFL_OP_SOFTMAX:
			l->op = MBN_OP_SOFTMAX;
			r = parse_softmax(c, &op, &io, l);
			break;
		case TFL_OP_QUANTIZE:
			l->op = MBN_OP_QUANTIZE;
			r = parse_requantize(c, &io, l);
			break;
		case TFL_OP_PAD:
		case TFL_OP_PADV2:
			l->op = MBN_OP_PAD;
			r = parse_pad(c, &op, &io, l, bc == TFL_OP_PADV2);
			break;
		case TFL_OP_MEAN:
			l->op = MBN_OP_MEAN;
			r = parse_mean(c, &op, &io, l);
			break;
		default:
			return ERR(c, -ENOTSUP, "operator not supported (supported: CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MEAN, FULLY_CONNECTED, RESHAPE, SQUEEZE, SOFTMAX, PAD, PADV2, QUANTIZE, DEQUANTIZE, and SHAPE, STRIDED_SLICE, PACK, CONCATENATION, GATHER on shapes)");
		}
		if (r)
			return r;
		struct tensor out;
		if ((r = read_tensor(c, io.out, &out)))
			return r;
		snprintf(l->name, sizeof(l->name), "%s", out.name);
		l->op_name = nm;
		l->file = c->file;
		l->op_index = (int)i;
		prev = io.out;
		first_layer = false;
		g->n_layers++;
	}
	c->op_name = NULL;
	if (prev != gout->idx)
		return ERR(c, -ENOTSUP, "the last operator writes tensor %d, not the subgraph output %d ('%s')",
			   prev, gout->idx, gout->name);
	return 0;
}

static void tensor_info(const struct tensor *t, struct mbn_tensor_info *info)
{
	memset(info, 0, sizeof(*info));
	info->ndims = t->ndims;
	for (int d = 0; d < t->ndims; d++)
		info->dims[d] = t->dims[d];
	info->type = t->type == TFL_TYPE_INT8 ? MBN_TYPE_INT8 : t->type == TFL_TYPE_FLOAT32 ? MBN_TYPE_FLOAT32 : MBN_TYPE_UINT8;
	info->scale = t->scale.len ? fb_vec_f32(&t->scale, 0) : 0.0f;
	info->zero_point = t->zp.len ? (int32_t)fb_vec_i64(&t->zp, 0) : 0;
	info->elems = t->elems;
	info->bytes = t->elems * (t->type == TFL_TYPE_FLOAT32 ? 4 : 1);
	snprintf(info->name, sizeof(info->name), "%s", t->name);
}

/*
 * PAD (or PADV2 with the zero point as its constant) followed by a convolution is the
 * convolution with that much more padding: TFLite's convolutions treat padding as the
 * input zero point (a zero real value), which is exactly what PAD writes. The pair
 * becomes one layer that reads the unpadded input with pad_top/pad_left increased
 * (out_h/out_w already cover the bottom/right padding: the kernels and the hardware
 * read beyond the input as padding). Bit-exact: the accumulators are the same sums.
 * An identity QUANTIZE (int8 <-> uint8 with equal scales and zero points 128 apart,
 * the uint8 edge of an int8 model) is no-op in the biased domain and is dropped too.
 */
static void fold_pads(struct mbn_graph *g)
{
	int o = 0;

	for (int i = 0; i < g->n_layers; i++) {
		struct mbn_layer *l = &g->layers[i];
		if (l->op == MBN_OP_QUANTIZE && l->in_zp == l->out_zp && l->q_mult == (1 << 30) && l->q_shift == 1 &&
		    i + 1 < g->n_layers && g->layers[i + 1].in_zp == l->out_zp) {
			struct mbn_layer *n = &g->layers[i + 1];
			snprintf(n->folded + strlen(n->folded), sizeof(n->folded) - strlen(n->folded), "%sQUANTIZE",
				 n->folded[0] ? "+" : "");
			continue;
		}
		if (l->op == MBN_OP_PAD && i + 1 < g->n_layers) {
			struct mbn_layer *n = &g->layers[i + 1];
			if ((n->op == MBN_OP_CONV || n->op == MBN_OP_DWCONV) && n->in_zp == l->pad_value) {
				n->in_h = l->in_h;
				n->in_w = l->in_w;
				n->pad_top += l->pad_top;
				n->pad_left += l->pad_left;
				n->fold_top += l->pad_top;
				n->fold_left += l->pad_left;
				n->fold_bottom += l->pad_bottom;
				n->fold_right += l->pad_right;
				snprintf(n->folded + strlen(n->folded), sizeof(n->folded) - strlen(n->folded), "%s%s",
					 n->folded[0] ? "+" : "", l->op_name);
				continue;
			}
		}
		if (o != i)
			g->layers[o] = *l;
		o++;
	}
	g->n_layers = o;
}

/* Is this MobileNet v1, as TF1 (TOCO), TF2/Keras, TFLite Micro or PyTorch-via-ONNX
 * export it (after fold_pads)? conv0 3x3/2 (or a 3x3/2 depthwise conv with a depth
 * multiplier, TFLite Micro's person detector) on 1..4 channels, depthwise 3x3 +
 * pointwise blocks, then optionally the global pool (AVERAGE_POOL_2D or MEAN), the
 * classifier (FULLY_CONNECTED or a 1x1 conv), reshapes, softmax and requantizations. */
static void recognize(struct mbn_graph *g)
{
	const struct mbn_layer *L = g->layers;
	int i = 0, n = g->n_layers, folded = 0;
	const char *type = g->input.type == MBN_TYPE_INT8 ? "int8" : g->input.type == MBN_TYPE_FLOAT32 ? "float32" : "uint8";

	g->is_mobilenet = false;
	g->n_blocks = 0;
	for (int k = 0; k < n; k++)
		if (strstr(L[k].folded, "PAD"))
			folded++;
	while (i < n && L[i].op == MBN_OP_QUANTIZE)
		i++;
	if (i >= n || L[i].k_h != 3 || L[i].k_w != 3 || L[i].stride_h != 2 || L[i].stride_w != 2 || L[i].in_c > 4 ||
	    !(L[i].op == MBN_OP_CONV || (L[i].op == MBN_OP_DWCONV && L[i].depth_mult > 1)))
		goto generic;
	const int c0 = i++;
	for (; i + 1 < n && L[i].op == MBN_OP_DWCONV && L[i].k_h == 3 && L[i].k_w == 3 &&
	       L[i].depth_mult == 1 && L[i + 1].op == MBN_OP_CONV && L[i + 1].k_h == 1 &&
	       L[i + 1].k_w == 1 && L[i + 1].stride_h == 1 && L[i + 1].stride_w == 1; i += 2)
		g->n_blocks++;
	if (!g->n_blocks)
		goto generic;
	/* The tail, if present: pool, classifier (FC or 1x1 conv), reshapes, softmax. */
	if (i < n && (L[i].op == MBN_OP_AVGPOOL || L[i].op == MBN_OP_MEAN))
		i++;
	while (i < n && L[i].op == MBN_OP_RESHAPE)
		i++;
	if (i < n && (L[i].op == MBN_OP_FC || (L[i].op == MBN_OP_CONV && L[i].k_h == 1 && L[i].k_w == 1 &&
					       L[i].in_h == 1 && L[i].in_w == 1)))
		i++;
	while (i < n && (L[i].op == MBN_OP_RESHAPE || L[i].op == MBN_OP_QUANTIZE))
		i++;
	if (i < n && L[i].op == MBN_OP_SOFTMAX)
		i++;
	while (i < n && (L[i].op == MBN_OP_RESHAPE || L[i].op == MBN_OP_QUANTIZE))
		i++;
	if (i != n)
		goto generic;
	g->is_mobilenet = true;
	g->alpha = (float)L[c0].out_c / 32.0f;
	int len = snprintf(g->describe, sizeof(g->describe), "MobileNet v1 (alpha %.3g, %dx%dx%d input, %s, %d separable blocks, %zu outputs",
			   g->alpha, L[c0].in_h, L[c0].in_w, L[c0].in_c, type, g->n_blocks, g->output.elems);
	if (folded && len > 0 && (size_t)len < sizeof(g->describe))
		len += snprintf(g->describe + len, sizeof(g->describe) - (size_t)len, "; %d PAD folded into convolutions", folded);
	if (L[c0].op == MBN_OP_DWCONV && len > 0 && (size_t)len < sizeof(g->describe))
		len += snprintf(g->describe + len, sizeof(g->describe) - (size_t)len, "; first layer depthwise x%d", L[c0].depth_mult);
	if (len > 0 && (size_t)len < sizeof(g->describe))
		snprintf(g->describe + len, sizeof(g->describe) - (size_t)len, ")");
	return;
generic:
	g->n_blocks = 0;
	snprintf(g->describe, sizeof(g->describe), "generic chain of %d layers (%s), not MobileNet v1", n, type);
}

int mbn_graph_load(const void *const *bufs, const size_t *sizes, const char *const *names, int n,
		   enum mbn_match match, struct mbn_graph *g)
{
	struct mbn_arena *arena = NULL;
	struct mbn_tensor_info prev_out;
	int r = 0;

	memset(g, 0, sizeof(*g));
	if (n < 1 || n > 16)
		return mbn_set_error(-EINVAL, "expected 1 to 16 model files, got %d", n);
	for (int f = 0; f < n; f++) {
		struct file_ctx c = { 0 };
		struct tensor gin, gout;
		char fallback[32];

		snprintf(fallback, sizeof(fallback), "model %d", f);
		c.fb.p = bufs[f];
		c.fb.n = sizes[f];
		c.name = names && names[f] ? names[f] : fallback;
		c.file = f;
		c.arena = &arena;
		c.match = match;
		if (!bufs[f] && sizes[f]) {
			r = mbn_set_error(-EINVAL, "%s: no data", c.name);
			goto fail;
		}
		r = parse_file(&c, g, &gin, &gout);
		free(c.folded);
		if (r)
			goto fail;
		if (c.out_edge.is_float && f != n - 1) {
			r = mbn_set_error(-ENOTSUP, "%s: its float output (DEQUANTIZE) feeds another file; float tensors are supported only at the model's input and output",
					  c.name);
			goto fail;
		}
		if (f == 0) {
			tensor_info(&gin, &g->input);
			g->in_edge = c.in_edge;
			if (c.in_edge.is_float) {
				g->input.scale = c.in_edge.scale;
				g->input.zero_point = c.in_edge.zero_point;
			}
		} else {
			/* Chaining: the previous file's output must be this file's input. */
			struct mbn_tensor_info a = prev_out, b;
			tensor_info(&gin, &b);
			const char *what = NULL;
			if (strcmp(a.name, b.name))
				what = "name";
			else if (a.bytes != b.bytes)
				what = "element count";
			else if (a.type != b.type)
				what = "type";
			else if (a.scale != b.scale || a.zero_point != b.zero_point)
				what = "quantization";
			if (what) {
				r = mbn_set_error(-EINVAL,
						  "%s does not chain onto %s: its input '%s' (%zu elements, %s, scale %g, zero point %d) differs in %s from the previous output '%s' (%zu elements, %s, scale %g, zero point %d)",
						  c.name, names && names[f - 1] ? names[f - 1] : "the previous file", b.name, b.bytes,
						  mbn_type_name(b.type), b.scale, b.zero_point, what, a.name,
						  a.bytes, mbn_type_name(a.type), a.scale, a.zero_point);
				goto fail;
			}
		}
		tensor_info(&gout, &prev_out);
		g->output = prev_out;
		g->out_edge = c.out_edge;
		if (c.out_edge.is_float) {
			g->output.scale = c.out_edge.scale;
			g->output.zero_point = c.out_edge.zero_point;
		}
	}
	fold_pads(g);
	g->n_files = n;
	g->arena = arena;
	g->match = match;
	for (int i = 0; i < g->n_layers; i++)
		g->layers[i].match = match;
	g->in_elems = g->input.elems;
	g->out_elems = g->output.elems;
	recognize(g);
	return 0;
fail:
	free(g->layers);
	g->layers = NULL;
	g->n_layers = 0;
	mbn_arena_free(arena);
	return r;
}

void mbn_graph_free(struct mbn_graph *g)
{
	free(g->layers);
	mbn_arena_free(g->arena);
	memset(g, 0, sizeof(*g));
}
