/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_writer - TFLite schema v3 flatbuffer serializer (see tflite_writer.h).
 *
 * The flatbuffer itself is built by fb_builder.h (back to front, as the reference
 * builder does).
 *
 * Schema: tensorflow/lite/schema/schema.fbs (TFLite 2.9). Field numbers used below are
 * the declaration order of the fields in that file.
 */
#include "tflite_writer.h"
#include "fb_builder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- model description */

struct wbuf { uint8_t *data; size_t len; };
struct wtensor {
	char *name;
	int type, rank, buffer;
	int32_t shape[8];
	int32_t sig[8];
	int sigrank;		/* -1: no shape_signature */
	int has_q, qn, qdim;
	float *scale;
	int64_t *zp;
};
struct wop {
	int opcode;
	int nin, nout;
	int in[8], out[4];
	int has_opt;
	struct tflw_options opt;
	int32_t dims[8];
};
struct wopcode { int builtin, version; };

struct tflw_model {
	char *desc;
	struct wbuf *bufs; int nbufs, capbufs;
	struct wtensor *tens; int ntens, captens;
	struct wop *ops; int nops, capops;
	struct wopcode codes[32]; int ncodes;
	int in[8], nin, out[8], nout;
	int omit_defaults;
};

#define GROW(arr, n, cap) do {							\
	if ((n) == (cap)) {							\
		int nc_ = (cap) ? 2 * (cap) : 16;				\
		void *p_ = realloc((arr), (size_t)nc_ * sizeof(*(arr)));	\
		if (!p_) return -ENOMEM;					\
		(arr) = p_; (cap) = nc_;					\
	}								\
} while (0)

struct tflw_model *tflw_model_new(const char *description)
{
	struct tflw_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->desc = strdup(description ? description : "");
	if (!m->desc || tflw_buffer_add(m, NULL, 0) != 0) {
		tflw_model_free(m);
		return NULL;
	}
	return m;
}

void tflw_model_free(struct tflw_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nbufs; i++)
		free(m->bufs[i].data);
	for (int i = 0; i < m->ntens; i++) {
		free(m->tens[i].name);
		free(m->tens[i].scale);
		free(m->tens[i].zp);
	}
	free(m->bufs);
	free(m->tens);
	free(m->ops);
	free(m->desc);
	free(m);
}

int tflw_buffer_add(struct tflw_model *m, const void *data, size_t len)
{
	GROW(m->bufs, m->nbufs, m->capbufs);
	struct wbuf *b = &m->bufs[m->nbufs];
	b->len = len;
	b->data = NULL;
	if (len) {
		b->data = malloc(len);
		if (!b->data)
			return -ENOMEM;
		memcpy(b->data, data, len);
	}
	return m->nbufs++;
}

int tflw_tensor_add(struct tflw_model *m, const char *name, int type, const int32_t *shape,
		    int rank, int buffer, const struct tflw_quant *q)
{
	if (rank < 0 || rank > 8 || buffer < 0 || buffer >= m->nbufs)
		return -EINVAL;
	GROW(m->tens, m->ntens, m->captens);
	struct wtensor *t = &m->tens[m->ntens];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return -ENOMEM;
	t->type = type;
	t->rank = rank;
	t->sigrank = -1;
	t->buffer = buffer;
	if (rank)
		memcpy(t->shape, shape, sizeof(int32_t) * (size_t)rank);
	if (q && q->n > 0) {
		t->has_q = 1;
		t->qn = q->n;
		t->qdim = q->quantized_dimension;
		t->scale = malloc(sizeof(float) * (size_t)q->n);
		t->zp = malloc(sizeof(int64_t) * (size_t)q->n);
		if (!t->scale || !t->zp)
			return -ENOMEM;
		memcpy(t->scale, q->scale, sizeof(float) * (size_t)q->n);
		memcpy(t->zp, q->zero_point, sizeof(int64_t) * (size_t)q->n);
	}
	return m->ntens++;
}

int tflw_tensor_set_signature(struct tflw_model *m, int tensor, const int32_t *sig, int rank)
{
	if (tensor < 0 || tensor >= m->ntens || rank < 0 || rank > 8)
		return -EINVAL;
	m->tens[tensor].sigrank = rank;
	memcpy(m->tens[tensor].sig, sig, sizeof(int32_t) * (size_t)rank);
	return 0;
}

int tflw_op_add(struct tflw_model *m, int builtin, int version, const int *inputs, int nin,
		const int *outputs, int nout, const struct tflw_options *opt)
{
	if (nin > 8 || nout > 4 || (opt && opt->ndims > 8))
		return -EINVAL;
	int code = -1;
	for (int i = 0; i < m->ncodes; i++)
		if (m->codes[i].builtin == builtin && m->codes[i].version == version)
			code = i;
	if (code < 0) {
		if (m->ncodes == 32)
			return -EINVAL;
		code = m->ncodes++;
		m->codes[code].builtin = builtin;
		m->codes[code].version = version;
	}
	GROW(m->ops, m->nops, m->capops);
	struct wop *o = &m->ops[m->nops];
	memset(o, 0, sizeof(*o));
	o->opcode = code;
	o->nin = nin;
	o->nout = nout;
	memcpy(o->in, inputs, sizeof(int) * (size_t)nin);
	memcpy(o->out, outputs, sizeof(int) * (size_t)nout);
	if (opt) {
		o->has_opt = 1;
		o->opt = *opt;
		if (opt->ndims)
			memcpy(o->dims, opt->dims, sizeof(int32_t) * (size_t)opt->ndims);
		o->opt.dims = NULL;
	}
	return m->nops++;
}

void tflw_model_omit_defaults(struct tflw_model *m, int on)
{
	m->omit_defaults = on;
}

void tflw_set_io(struct tflw_model *m, const int *inputs, int nin, const int *outputs,
		 int nout)
{
	m->nin = nin > 8 ? 8 : nin;
	m->nout = nout > 8 ? 8 : nout;
	memcpy(m->in, inputs, sizeof(int) * (size_t)m->nin);
	memcpy(m->out, outputs, sizeof(int) * (size_t)m->nout);
}

/* ------------------------------------------------------------------ serialization */

/* BuiltinOptions tables (schema.fbs field order in the comments). */
static size_t write_options(struct fbb *b, const struct wop *o)
{
	const struct tflw_options *p = &o->opt;
	size_t vec = 0;
	int dw = p->dilation_w ? p->dilation_w : 1, dh = p->dilation_h ? p->dilation_h : 1;

	if ((p->type == TFL_OPT_RESHAPE || p->type == TFL_OPT_SQUEEZE) && p->ndims > 0)
		vec = fb_vec(b, o->dims, 4, (size_t)p->ndims, 4);
	fb_table_start(b);
	switch (p->type) {
	case TFL_OPT_CONV2D:
		/* Conv2DOptions{padding, stride_w, stride_h, fused_activation_function,
		 *               dilation_w_factor, dilation_h_factor} */
		fb_add_i32_d(b, 1, p->stride_w, 0);
		fb_add_i32_d(b, 2, p->stride_h, 0);
		fb_add_i32_d(b, 4, dw, 1);
		fb_add_i32_d(b, 5, dh, 1);
		fb_add_u8_d(b, 0, (uint8_t)p->padding, 0);
		fb_add_u8_d(b, 3, (uint8_t)p->activation, 0);
		break;
	case TFL_OPT_DEPTHWISE:
		/* DepthwiseConv2DOptions{padding, stride_w, stride_h, depth_multiplier,
		 *   fused_activation_function, dilation_w_factor, dilation_h_factor} */
		fb_add_i32_d(b, 1, p->stride_w, 0);
		fb_add_i32_d(b, 2, p->stride_h, 0);
		fb_add_i32_d(b, 3, p->depth_multiplier, 0);
		fb_add_i32_d(b, 5, dw, 1);
		fb_add_i32_d(b, 6, dh, 1);
		fb_add_u8_d(b, 0, (uint8_t)p->padding, 0);
		fb_add_u8_d(b, 4, (uint8_t)p->activation, 0);
		break;
	case TFL_OPT_POOL2D:
		/* Pool2DOptions{padding, stride_w, stride_h, filter_width, filter_height,
		 *               fused_activation_function} */
		fb_add_i32_d(b, 1, p->stride_w, 0);
		fb_add_i32_d(b, 2, p->stride_h, 0);
		fb_add_i32_d(b, 3, p->filter_w, 0);
		fb_add_i32_d(b, 4, p->filter_h, 0);
		fb_add_u8_d(b, 0, (uint8_t)p->padding, 0);
		fb_add_u8_d(b, 5, (uint8_t)p->activation, 0);
		break;
	case TFL_OPT_FULLY_CONNECTED:
		/* FullyConnectedOptions{fused_activation_function, weights_format,
		 *                       keep_num_dims, asymmetric_quantize_inputs} */
		fb_add_u8_d(b, 0, (uint8_t)p->activation, 0);
		if (p->keep_num_dims)
			fb_add_u8(b, 2, 1);
		break;
	case TFL_OPT_SOFTMAX:
		/* SoftmaxOptions{beta:float} */
		fb_add_f32(b, 0, p->beta);
		break;
	case TFL_OPT_ADD:
		/* AddOptions{fused_activation_function, pot_scale_int16} */
		fb_add_u8_d(b, 0, (uint8_t)p->activation, 0);
		break;
	case TFL_OPT_RESHAPE:	/* ReshapeOptions{new_shape:[int]} */
	case TFL_OPT_SQUEEZE:	/* SqueezeOptions{squeeze_dims:[int]} */
		if (vec)
			fb_add_off(b, 0, vec);
		break;
	case TFL_OPT_REDUCER:
		/* ReducerOptions{keep_dims:bool}; absent means false, as the MLIR converter
		 * writes it */
		if (p->keep_dims)
			fb_add_u8(b, 0, 1);
		break;
	case TFL_OPT_SHAPE:
		/* ShapeOptions{out_type:TensorType} */
		fb_add_u8(b, 0, (uint8_t)p->out_type);
		break;
	case TFL_OPT_STRIDED_SLICE:
		/* StridedSliceOptions{begin_mask, end_mask, ellipsis_mask, new_axis_mask,
		 *                     shrink_axis_mask} (ints, default 0: only non-zero ones
		 * are written) */
		if (p->begin_mask) fb_add_i32(b, 0, p->begin_mask);
		if (p->end_mask) fb_add_i32(b, 1, p->end_mask);
		if (p->ellipsis_mask) fb_add_i32(b, 2, p->ellipsis_mask);
		if (p->new_axis_mask) fb_add_i32(b, 3, p->new_axis_mask);
		if (p->shrink_axis_mask) fb_add_i32(b, 4, p->shrink_axis_mask);
		break;
	case TFL_OPT_PACK:
		/* PackOptions{values_count:int, axis:int} */
		fb_add_i32(b, 0, p->values_count);
		if (p->axis)
			fb_add_i32(b, 1, p->axis);
		break;
	case TFL_OPT_CONCATENATION:
		/* ConcatenationOptions{axis:int, fused_activation_function} */
		fb_add_i32_d(b, 0, p->axis, 0);
		fb_add_u8_d(b, 1, (uint8_t)p->activation, 0);
		break;
	case TFL_OPT_GATHER:
		/* GatherOptions{axis:int, batch_dims:int} */
		fb_add_i32_d(b, 0, p->axis, 0);
		break;
	default:
		/* PadOptions, PadV2Options, QuantizeOptions, DequantizeOptions: no fields */
		break;
	}
	return fb_table_end(b);
}

static size_t write_tensor(struct fbb *b, const struct wtensor *t)
{
	size_t sig = 0;
	if (t->sigrank >= 0)
		sig = fb_vec(b, t->sig, 4, (size_t)t->sigrank, 4);
	/* a scalar's shape is an empty vector, or (omit_defaults, as the MLIR converter)
	 * no shape field at all: TFLite reads both as rank 0 */
	size_t shape = 0;
	if (t->rank || !b->omit_defaults)
		shape = fb_vec(b, t->shape, 4, (size_t)t->rank, 4);
	size_t name = fb_string(b, t->name);
	size_t quant = 0;
	if (t->has_q) {
		size_t sc = fb_vec(b, t->scale, 4, (size_t)t->qn, 4);
		size_t zp = fb_vec(b, t->zp, 8, (size_t)t->qn, 8);
		fb_table_start(b);
		fb_add_off(b, 2, sc);			/* scale */
		fb_add_off(b, 3, zp);			/* zero_point */
		fb_add_i32_d(b, 6, t->qdim, 0);		/* quantized_dimension */
		quant = fb_table_end(b);
	}
	fb_table_start(b);
	if (shape)
		fb_add_off(b, 0, shape);		/* shape */
	fb_add_i32_d(b, 2, t->buffer, 0);		/* buffer */
	fb_add_off(b, 3, name);				/* name */
	if (quant)
		fb_add_off(b, 4, quant);		/* quantization */
	if (sig)
		fb_add_off(b, 7, sig);			/* shape_signature */
	fb_add_u8_d(b, 1, (uint8_t)t->type, 0);	/* type */
	return fb_table_end(b);
}

static size_t write_op(struct fbb *b, const struct wop *o)
{
	size_t in = fb_vec(b, o->in, 4, (size_t)o->nin, 4);
	size_t out = fb_vec(b, o->out, 4, (size_t)o->nout, 4);
	size_t opt = 0;
	if (o->has_opt && o->opt.type != TFL_OPT_NONE)
		opt = write_options(b, o);
	fb_table_start(b);
	fb_add_i32_d(b, 0, o->opcode, 0);		/* opcode_index */
	fb_add_off(b, 1, in);				/* inputs */
	fb_add_off(b, 2, out);				/* outputs */
	if (opt) {
		fb_add_off(b, 4, opt);			/* builtin_options */
		fb_add_u8(b, 3, (uint8_t)o->opt.type);	/* builtin_options_type */
	}
	return fb_table_end(b);
}

int tflw_model_serialize(const struct tflw_model *m, uint8_t **outp, size_t *lenp)
{
	struct fbb b = { 0 };
	size_t total = 4096;
	size_t *offs = NULL;
	int n = m->nbufs > m->ntens ? m->nbufs : m->ntens;
	if (m->nops > n)
		n = m->nops;
	offs = malloc(sizeof(size_t) * (size_t)(n + 1));
	if (!offs)
		return -ENOMEM;
	for (int i = 0; i < m->nbufs; i++)
		total += m->bufs[i].len + 32;
	total += (size_t)m->ntens * 256 + (size_t)m->nops * 128;
	b.minalign = 1;
	b.omit_defaults = m->omit_defaults;
	fb_reserve(&b, total);

	/* buffers (their data ends up at the end of the file) */
	size_t *bufoffs = malloc(sizeof(size_t) * (size_t)m->nbufs);
	if (!bufoffs) {
		free(offs);
		return -ENOMEM;
	}
	for (int i = m->nbufs - 1; i >= 0; i--) {
		size_t data = 0;
		if (m->bufs[i].len)
			data = fb_vec(&b, m->bufs[i].data, 1, m->bufs[i].len, 16);
		fb_table_start(&b);
		if (data)
			fb_add_off(&b, 0, data);	/* Buffer.data */
		bufoffs[i] = fb_table_end(&b);
	}
	size_t buffers = fb_vec_off(&b, bufoffs, (size_t)m->nbufs);
	free(bufoffs);

	/* subgraph 0 */
	for (int i = m->ntens - 1; i >= 0; i--)
		offs[i] = write_tensor(&b, &m->tens[i]);
	size_t tensors = fb_vec_off(&b, offs, (size_t)m->ntens);
	for (int i = m->nops - 1; i >= 0; i--)
		offs[i] = write_op(&b, &m->ops[i]);
	size_t operators = fb_vec_off(&b, offs, (size_t)m->nops);
	size_t sin = fb_vec(&b, m->in, 4, (size_t)m->nin, 4);
	size_t sout = fb_vec(&b, m->out, 4, (size_t)m->nout, 4);
	size_t sname = fb_string(&b, "main");
	fb_table_start(&b);
	fb_add_off(&b, 0, tensors);
	fb_add_off(&b, 1, sin);
	fb_add_off(&b, 2, sout);
	fb_add_off(&b, 3, operators);
	fb_add_off(&b, 4, sname);
	size_t sg = fb_table_end(&b);
	size_t subgraphs = fb_vec_off(&b, &sg, 1);

	/* operator codes: deprecated_builtin_code is the byte-sized legacy field; readers
	 * take max(deprecated_builtin_code, builtin_code) (schema_utils.cc GetBuiltinCode),
	 * so both carry the code, the byte one saturated at 127
	 * (PLACEHOLDER_FOR_GREATER_OP_CODES). */
	for (int i = m->ncodes - 1; i >= 0; i--) {
		int c = m->codes[i].builtin;
		fb_table_start(&b);
		fb_add_i32(&b, 2, m->codes[i].version);	/* version */
		fb_add_i32(&b, 3, c);			/* builtin_code */
		fb_add_u8(&b, 0, (uint8_t)(c < 127 ? c : 127)); /* deprecated_builtin_code */
		offs[i] = fb_table_end(&b);
	}
	size_t codes = fb_vec_off(&b, offs, (size_t)m->ncodes);
	size_t desc = fb_string(&b, m->desc);

	fb_table_start(&b);
	fb_add_i32(&b, 0, 3);				/* version: schema v3 */
	fb_add_off(&b, 1, codes);			/* operator_codes */
	fb_add_off(&b, 2, subgraphs);			/* subgraphs */
	fb_add_off(&b, 3, desc);			/* description */
	fb_add_off(&b, 4, buffers);			/* buffers */
	size_t root = fb_table_end(&b);

	/* root uoffset at byte 0, file identifier at bytes 4..7 */
	fb_prep(&b, b.minalign < 4 ? 4 : b.minalign, 8);
	fb_push(&b, "TFL3", 4);
	fb_uoff(&b, root);
	free(offs);
	if (b.err) {
		free(b.buf);
		return b.err;
	}
	uint8_t *out = malloc(b.head);
	if (!out) {
		free(b.buf);
		return -ENOMEM;
	}
	memcpy(out, b.buf + b.cap - b.head, b.head);
	free(b.buf);
	*outp = out;
	*lenp = b.head;
	return 0;
}

int tflw_model_write_file(const struct tflw_model *m, const char *path)
{
	uint8_t *data;
	size_t len;
	int rc = tflw_model_serialize(m, &data, &len);
	if (rc)
		return rc;
	FILE *f = fopen(path, "wb");
	if (!f) {
		rc = -errno;
		free(data);
		return rc;
	}
	if (fwrite(data, 1, len, f) != len)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	free(data);
	return rc;
}
