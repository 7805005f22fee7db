/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_int.h - what the loader's files share: schema v3 field numbers, the parsed
 * tensor, the per-file parse context with its load-time constants, and the validation
 * helpers. tflite.c walks the file and builds the chain; tflite_layers.c parses the
 * TF1-era layers (conv, depthwise, pool, FC, reshape, softmax), tflite_ops.c the
 * operators of exported models (QUANTIZE, PAD, MEAN); tflite_shape.c evaluates the
 * shape arithmetic (SHAPE, STRIDED_SLICE, PACK, ...) once at load.
 */
#ifndef MBN_TFLITE_INT_H
#define MBN_TFLITE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/flatbuf.h"
#include "loader/tflite_schema.h"
#include "graph.h"

/* schema.fbs field ids */
enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { OPCODE_DEPRECATED = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum { T_SHAPE = 0, T_TYPE = 1, T_BUFFER = 2, T_NAME = 3, T_QUANT = 4 };
enum { Q_SCALE = 2, Q_ZERO_POINT = 3, Q_DIM = 6 };
enum { OP_OPCODE = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_OPTIONS_TYPE = 3, OP_OPTIONS = 4 };
enum { BUF_DATA = 0, BUF_OFFSET = 1 };


/* Limits that keep every size computation far from overflow. */
#define MAX_DIM 16384
#define MAX_ELEMS (1u << 28)
/* Accumulation depth for which int32 sums of 9-bit x 9-bit products cannot overflow:
 * 255 * 255 * 32768 + |bias| stays below 2^31 for realistic biases; TFLite itself
 * accumulates in int32 without a check. */
#define MAX_ACC_DEPTH 32768

struct tensor {
	int idx;
	int type;
	int ndims;
	int dims[4];
	uint64_t elems;
	char name[MBN_NAME_MAX];
	uint32_t buffer;
	struct fb_vec scale, zp;
	int qdim;
};

/* An int32 vector (or scalar) known at load time: a SHAPE result or what was computed
 * from one (tflite_shape.c). */
#define FOLD_MAX 8
struct fold_val {
	bool known;
	int ndims;              /* 0: scalar, 1: vector */
	int n;
	int32_t v[FOLD_MAX];
};

/* Everything one file's parse needs. */
struct file_ctx {
	struct fb_buf fb;
	const char *name;
	int file;
	struct fb_vec opcodes, tensors, buffers;
	struct mbn_arena **arena;
	enum mbn_match match;   /* which TFLite build's arithmetic (some code paths depend on it) */
	/* load-time constants: the int32 values of shape-arithmetic results, by tensor */
	struct fold_val *folded;
	bool warned_qdim, warned_fc;  /* one warning of each kind per file */
	/* float edges found in this file (QUANTIZE float32 first, DEQUANTIZE last) */
	struct mbn_edge in_edge, out_edge;
	/* current operator, for messages */
	int op_index;
	const char *op_name;
};


#define MAX_OP_IN 8
struct op_io {
	int n_in, n_out;
	int in[MAX_OP_IN];
	int out;
};

#define ERR(c, err, ...) file_err((c), (err), __VA_ARGS__)
int file_err(struct file_ctx *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int corrupt(struct file_ctx *c, const char *what);
const char *type_name(int t);
int read_tensor(struct file_ctx *c, int idx, struct tensor *t);
int act_quant(struct file_ctx *c, const struct tensor *t, float *scale, int32_t *zp);
int const_data(struct file_ctx *c, const struct tensor *t, uint64_t bytes, const uint8_t **data);
int act_range(struct file_ctx *c, int act, bool is_signed, float scale, int32_t zp, int32_t *lo, int32_t *hi);
int check_nhwc(struct file_ctx *c, const struct tensor *t, const char *role);
int io_quant(struct file_ctx *c, const struct tensor *in, const struct tensor *out, struct mbn_layer *l);
int get_options(struct file_ctx *c, const struct fb_tab *op, int want, struct fb_tab *opt);

/* The int32 values of a constant integer tensor (int32 or int64 data in the file, or
 * folded at load): up to max values into v, *n the count. -EINVAL with a message
 * naming the tensor if it is not known at load time ("what" says what it is for). */
int const_ints(struct file_ctx *c, const struct tensor *t, const char *what, int32_t *v, int max, int *n);

/* tflite_shape.c: is bc a shape-arithmetic operator evaluated at load? Evaluate it. */
bool is_shape_op(int bc);
int fold_shape_op(struct file_ctx *c, int bc, const struct fb_tab *op, const struct op_io *io);

/* tflite_layers.c: the layers of TF1-era files. */
int parse_conv(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l, bool depthwise);
int parse_pool(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l);
int parse_fc(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l);
int parse_reshape(struct file_ctx *c, const struct op_io *io, struct mbn_layer *l);
int parse_softmax(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l);

/* tflite_ops.c: the operators of exported models. */
int parse_pad(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l, bool v2);
int parse_mean(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l);
int parse_requantize(struct file_ctx *c, const struct op_io *io, struct mbn_layer *l);

#endif
