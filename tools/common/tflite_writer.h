/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_writer - builds TensorFlow Lite model files (schema v3 flatbuffers, file
 * identifier "TFL3") from an in-memory description: buffers, tensors, operators.
 * It owns the flatbuffer encoding (vtables, uoffsets, alignment) and the table layout of
 * the TFLite schema; it knows nothing about MobileNet (that is tools/mbn-gen.c).
 *
 * Field ids follow tensorflow/lite/schema/schema.fbs (TFLite 2.9):
 *   Model{version, operator_codes, subgraphs, description, buffers, ...}
 *   OperatorCode{deprecated_builtin_code:byte, custom_code, version:int=1, builtin_code:int}
 *   SubGraph{tensors, inputs, outputs, operators, name}
 *   Tensor{shape:[int], type:byte, buffer:uint, name, quantization, is_variable,
 *          sparsity, shape_signature:[int], ...}
 *   QuantizationParameters{min, max, scale:[float], zero_point:[long], details_type,
 *                          details, quantized_dimension:int}
 *   Operator{opcode_index:uint, inputs, outputs, builtin_options_type:ubyte,
 *            builtin_options, ...}
 *   Buffer{data:[ubyte] (force_align: 16)}
 * A union field occupies two vtable slots: the _type byte, then the table offset.
 * BuiltinOptions member numbers are the 1-based order of the union's members; the option
 * tables (PadOptions, ReducerOptions{keep_dims}, ShapeOptions{out_type},
 * StridedSliceOptions{begin_mask, end_mask, ellipsis_mask, new_axis_mask,
 * shrink_axis_mask}, PackOptions{values_count, axis}, ...) as in schema.fbs.
 */
#ifndef MBN_TFLITE_WRITER_H
#define MBN_TFLITE_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* the schema's enum values (TensorType, BuiltinOperator, BuiltinOptions, Padding,
 * ActivationFunctionType): TFL_TYPE_*, TFL_OP_*, TFL_OPT_*, TFL_PAD_*, TFL_ACT_* */
#include "loader/tflite_schema.h"

/* Builtin options: the fields that apply to `type` are serialized, the rest ignored. */
struct tflw_options {
	int type;		/* enum tfl_opt_type */
	int padding;		/* conv, depthwise, pool */
	int stride_w, stride_h;	/* conv, depthwise, pool */
	int dilation_w, dilation_h; /* conv, depthwise (0 means 1) */
	int depth_multiplier;	/* depthwise */
	int filter_w, filter_h;	/* pool */
	int activation;		/* conv, depthwise, pool, fc, add */
	float beta;		/* softmax */
	const int32_t *dims;	/* reshape new_shape / squeeze squeeze_dims */
	int ndims;
	int keep_dims;		/* reducer (MEAN) */
	int out_type;		/* shape: enum tfl_type of the output (int32 or int64) */
	int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask; /* strided slice */
	int values_count;	/* pack */
	int axis;		/* pack, concatenation, gather */
	int keep_num_dims;	/* fully connected */
};

/* Per-tensor (n == 1) or per-channel (n == channels) affine quantization. */
struct tflw_quant {
	int n;
	const float *scale;
	const int64_t *zero_point;
	int quantized_dimension;
};

struct tflw_model;

struct tflw_model *tflw_model_new(const char *description);
void tflw_model_free(struct tflw_model *m);

/* Adds a buffer holding a copy of data (len 0: an empty buffer). Returns its index;
 * buffer 0, the empty sentinel the schema requires, exists from the start. */
int tflw_buffer_add(struct tflw_model *m, const void *data, size_t len);

/* Adds a tensor; buffer 0 for activations. q may be NULL. Returns its index. */
int tflw_tensor_add(struct tflw_model *m, const char *name, int type, const int32_t *shape,
		    int rank, int buffer, const struct tflw_quant *q);

/* Sets Tensor.shape_signature (the shape with -1 for dynamic dimensions, as the MLIR
 * converter writes it for the batch). Returns 0 or -EINVAL. */
int tflw_tensor_set_signature(struct tflw_model *m, int tensor, const int32_t *sig, int rank);

/* Adds an operator (operator codes are deduplicated by (builtin, version)).
 * opt may be NULL (no builtin options). Returns its index. */
int tflw_op_add(struct tflw_model *m, int builtin, int version, const int *inputs, int nin,
		const int *outputs, int nout, const struct tflw_options *opt);

/* on: leave out scalar fields equal to their schema default and the shape of scalars,
 * as the flatbuffers builder without force_defaults (the TF2 MLIR converter) writes
 * them; off (default): write every field this writer knows. */
void tflw_model_omit_defaults(struct tflw_model *m, int on);

void tflw_set_io(struct tflw_model *m, const int *inputs, int nin, const int *outputs,
		 int nout);

/* Serializes into a malloc'ed buffer. Returns 0 or -ENOMEM/-EINVAL. */
int tflw_model_serialize(const struct tflw_model *m, uint8_t **out, size_t *len);
/* Serializes and writes to path. Returns 0 or a negative errno. */
int tflw_model_write_file(const struct tflw_model *m, const char *path);

#endif
