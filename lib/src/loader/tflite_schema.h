/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_schema.h - the TensorFlow Lite schema's enum values (tensorflow/lite/schema/
 * schema.fbs, TFLite 2.9) that this project reads and writes, once: the loader
 * (loader/tflite*.c) and the .tflite writer (tools/common/tflite_writer.h: mbn-gen,
 * the delegate) both use these. Only the members either side needs are listed; the
 * values are the schema's and never change.
 */
#ifndef MBN_TFLITE_SCHEMA_H
#define MBN_TFLITE_SCHEMA_H

/* TensorType */
enum tfl_type {
	TFL_TYPE_FLOAT32 = 0,
	TFL_TYPE_INT32 = 2,
	TFL_TYPE_UINT8 = 3,
	TFL_TYPE_INT64 = 4,
	TFL_TYPE_INT16 = 7,
	TFL_TYPE_INT8 = 9,
};

/* BuiltinOperator */
enum tfl_builtin {
	TFL_OP_ADD = 0,
	TFL_OP_AVERAGE_POOL_2D = 1,
	TFL_OP_CONCATENATION = 2,
	TFL_OP_CONV_2D = 3,
	TFL_OP_DEPTHWISE_CONV_2D = 4,
	TFL_OP_DEQUANTIZE = 6,
	TFL_OP_FULLY_CONNECTED = 9,
	TFL_OP_MAX_POOL_2D = 17,
	TFL_OP_RESHAPE = 22,
	TFL_OP_SOFTMAX = 25,
	TFL_OP_PAD = 34,
	TFL_OP_GATHER = 36,
	TFL_OP_MEAN = 40,
	TFL_OP_SQUEEZE = 43,
	TFL_OP_STRIDED_SLICE = 45,
	TFL_OP_PADV2 = 60,
	TFL_OP_SHAPE = 77,
	TFL_OP_PACK = 83,
	TFL_OP_QUANTIZE = 114,
};

/* The names of the operators a user is likely to meet (for messages: the loader's refusals,
 * the delegate's log); NULL for the rest, which messages give by number. */
static inline const char *tfl_builtin_name(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ 0, "ADD" }, { 1, "AVERAGE_POOL_2D" }, { 2, "CONCATENATION" }, { 3, "CONV_2D" },
		{ 4, "DEPTHWISE_CONV_2D" }, { 6, "DEQUANTIZE" }, { 9, "FULLY_CONNECTED" },
		{ 14, "LOGISTIC" }, { 17, "MAX_POOL_2D" }, { 18, "MUL" }, { 19, "RELU" },
		{ 21, "RELU6" }, { 22, "RESHAPE" }, { 23, "RESIZE_BILINEAR" }, { 25, "SOFTMAX" },
		{ 28, "TANH" }, { 34, "PAD" }, { 36, "GATHER" }, { 40, "MEAN" }, { 41, "SUB" },
		{ 43, "SQUEEZE" }, { 45, "STRIDED_SLICE" }, { 49, "SPLIT" }, { 51, "DELEGATE" },
		{ 53, "CAST" }, { 56, "ARG_MAX" }, { 60, "PADV2" }, { 77, "SHAPE" }, { 83, "PACK" },
		{ 97, "HARD_SWISH" }, { 114, "QUANTIZE" },
	};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return 0;
}

/* BuiltinOptions union tags: the 1-based order of the union's members */
enum tfl_opt_type {
	TFL_OPT_NONE = 0,
	TFL_OPT_CONV2D = 1,
	TFL_OPT_DEPTHWISE = 2,
	TFL_OPT_POOL2D = 5,
	TFL_OPT_FULLY_CONNECTED = 8,
	TFL_OPT_SOFTMAX = 9,
	TFL_OPT_CONCATENATION = 10,
	TFL_OPT_ADD = 11,
	TFL_OPT_RESHAPE = 17,
	TFL_OPT_PAD = 22,
	TFL_OPT_GATHER = 23,
	TFL_OPT_REDUCER = 27, /* ReducerOptions: MEAN */
	TFL_OPT_SQUEEZE = 30,
	TFL_OPT_STRIDED_SLICE = 32,
	TFL_OPT_DEQUANTIZE = 38,
	TFL_OPT_PADV2 = 43,
	TFL_OPT_SHAPE = 55,
	TFL_OPT_PACK = 59,
	TFL_OPT_QUANTIZE = 89,
};

/* Padding */
enum tfl_padding { TFL_PAD_SAME = 0, TFL_PAD_VALID = 1 };

/* ActivationFunctionType */
enum tfl_act { TFL_ACT_NONE = 0, TFL_ACT_RELU = 1, TFL_ACT_RELU_N1_TO_1 = 2, TFL_ACT_RELU6 = 3 };

#endif
