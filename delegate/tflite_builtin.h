/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_builtin.h - the TensorFlow Lite 2.9 builtin parameter structs the delegate
 * reads from TfLiteNode.builtin_data. The C headers of the oracle package (c/common.h,
 * c/c_api.h) do not ship tensorflow/lite/c/builtin_op_data.h, so the few structs we
 * need are declared here with the layout of that public header in release 2.9
 * (tensorflow/lite/c/builtin_op_data.h: TfLitePadding, TfLiteFusedActivation,
 * TfLiteConvParams, TfLiteDepthwiseConvParams, TfLitePoolParams, TfLiteReducerParams;
 * the header states that members are only ever appended). Names carry an mbn_ prefix
 * so that a program which also includes the real header does not clash.
 *
 * tests/delegate/test-delegate-params.c checks these layouts against the flatbuffer
 * options of every operator of real and generated models, through a probing delegate
 * inside TFLite itself.
 */
#ifndef MBN_TFLITE_BUILTIN_H
#define MBN_TFLITE_BUILTIN_H

#include <stdbool.h>

/* TfLitePadding: note the extra "unknown" first value; the schema's Padding has
 * SAME = 0, VALID = 1. */
enum mbn_tfl_padding {
	MBN_TFL_PADDING_UNKNOWN = 0,
	MBN_TFL_PADDING_SAME = 1,
	MBN_TFL_PADDING_VALID = 2,
};

/* TfLiteFusedActivation: same numbers as the schema's ActivationFunctionType for the
 * first six (NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT); SIGMOID has no schema
 * value. */
enum mbn_tfl_activation {
	MBN_TFL_ACT_NONE = 0,
	MBN_TFL_ACT_RELU = 1,
	MBN_TFL_ACT_RELU_N1_TO_1 = 2,
	MBN_TFL_ACT_RELU6 = 3,
	MBN_TFL_ACT_TANH = 4,
	MBN_TFL_ACT_SIGN_BIT = 5,
	MBN_TFL_ACT_SIGMOID = 6,
};

/* TfLiteConvParams (CONV_2D) */
struct mbn_tfl_conv_params {
	int padding;               /* enum mbn_tfl_padding (a C enum: int-sized) */
	int stride_width;
	int stride_height;
	int activation;            /* enum mbn_tfl_activation */
	int dilation_width_factor;
	int dilation_height_factor;
};

/* TfLiteDepthwiseConvParams (DEPTHWISE_CONV_2D) */
struct mbn_tfl_depthwise_params {
	int padding;
	int stride_width;
	int stride_height;
	int depth_multiplier;
	int activation;
	int dilation_width_factor;
	int dilation_height_factor;
};

/* TfLitePoolParams (AVERAGE_POOL_2D, MAX_POOL_2D) */
struct mbn_tfl_pool_params {
	int padding;
	int stride_width;
	int stride_height;
	int filter_width;
	int filter_height;
	int activation;
	struct {
		struct {
			int width, height, width_offset, height_offset;
		} padding;         /* TfLitePaddingValues */
	} computed;
};

/* TfLiteReducerParams (MEAN, SUM, ...) */
struct mbn_tfl_reducer_params {
	bool keep_dims;
};

/* PAD and PADV2 carry TfLitePadParams / TfLitePadV2Params, an EmptyStructPlaceholder
 * (one char): nothing to read, the paddings are an input tensor. */

#endif /* MBN_TFLITE_BUILTIN_H */
