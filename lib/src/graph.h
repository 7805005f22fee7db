/* SPDX-License-Identifier: Apache-2.0 */
/*
 * graph.h - the internal model: a linear chain of quantized layers.
 *
 * The loader (tflite.c) turns one or several chained .tflite files into a struct
 * mbn_graph; the backends (cpu, later sim and drm) run it. Everything a backend needs
 * is precomputed here, once, so that a run does no parsing and no float math except
 * in softmax (where TFLite itself uses floats).
 *
 * The "biased uint8" domain. Activations are stored as uint8 whatever the model's
 * type: an int8 value v is stored as v + 128 (bit pattern v ^ 0x80) and every zero
 * point and clamp bound of an int8 tensor is shifted by +128 too. Convolutions only
 * ever use (x - zero_point), which the shift does not change, so one integer kernel
 * (and one hardware datapath) serves uint8 and int8 models. The two operators whose
 * rounding depends on the sign of the real value (average pool, softmax) carry
 * `is_signed` and work on v = stored - 128. Conversion happens only at the graph's
 * input and output.
 *
 * Weights are stored as int16 (w - w_zero_point): DESIGN.md section 3, "operands
 * reduce to signed 9-bit operands after subtracting the zero point".
 */
#ifndef MBN_GRAPH_H
#define MBN_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "mbnaccel.h"

enum mbn_op {
	MBN_OP_CONV = MBN_LAYER_CONV,         /* CONV_2D, any KxK, stride, SAME/VALID */
	MBN_OP_DWCONV = MBN_LAYER_DEPTHWISE,  /* DEPTHWISE_CONV_2D, any KxK, depth multiplier */
	MBN_OP_AVGPOOL = MBN_LAYER_AVGPOOL,   /* AVERAGE_POOL_2D */
	MBN_OP_FC = MBN_LAYER_FC,             /* FULLY_CONNECTED */
	MBN_OP_RESHAPE = MBN_LAYER_RESHAPE,   /* RESHAPE / SQUEEZE: data unchanged */
	MBN_OP_SOFTMAX = MBN_LAYER_SOFTMAX,   /* SOFTMAX */
	MBN_OP_QUANTIZE = MBN_LAYER_QUANTIZE, /* QUANTIZE uint8/int8 -> uint8/int8 */
	MBN_OP_PAD = MBN_LAYER_PAD,           /* PAD / PADV2 that could not be folded */
	MBN_OP_MEAN = MBN_LAYER_MEAN,         /* MEAN over H and W */
};

/* A float edge of the graph: QUANTIZE float32 -> int8/uint8 at the input, DEQUANTIZE at
 * the output. The layer chain stays quantized; api.c converts at the edge, with
 * TFLite's arithmetic (cpu_convert.c). */
struct mbn_edge {
	bool is_float;         /* the model's tensor is float32 */
	bool is_signed;        /* the quantized tensor next to it is int8 */
	float scale;           /* its quantization */
	int32_t zero_point;    /* real domain (not biased) */
};

/* The code paths of TFLite 2.9's MEAN over H and W (cpu_mean.c). */
enum {
	MBN_MEAN_OPT_4D = 1,   /* uint8 keep_dims, 4-D: optimized_ops::Mean */
	MBN_MEAN_REF_4D,       /* int8 keep_dims, 4-D: reference_integer_ops::Mean */
	MBN_MEAN_REF_SAME,     /* equal input and output quantization: integer mean */
	MBN_MEAN_REF_QUANT,    /* different quantization: QuantizedMeanOrSum, in float */
};

struct mbn_layer {
	enum mbn_op op;
	const char *op_name;   /* "CONV_2D", ... */
	char name[MBN_NAME_MAX]; /* output tensor name */
	int file;              /* which chained file */
	int op_index;          /* operator index inside that file's subgraph 0 */

	/* Shapes, batch 1, NHWC. FC: in_h = in_w = out_h = out_w = 1, in_c = input depth
	 * (all input elements), out_c = units. RESHAPE/SOFTMAX: h = w = 1, c = elements
	 * (softmax works over the last dimension; our models have one row). */
	int in_h, in_w, in_c;
	int out_h, out_w, out_c;

	/* Window geometry (CONV, DWCONV, AVGPOOL). pad_top/pad_left follow TFLite's
	 * ComputePaddingHeightWidth (tensorflow/lite/kernels/padding.h): SAME pads
	 * total = max(0, (out-1)*stride + k - in), top = total / 2, the extra row at the
	 * bottom/right. VALID pads nothing. */
	int k_h, k_w;
	int stride_h, stride_w;
	int pad_top, pad_left;
	int depth_mult;        /* DWCONV: out_c = in_c * depth_mult */
	/* PAD: the output is in_h + pad_top + pad_bottom rows etc.; pad_value (biased
	 * domain) fills the border. Convolutions read beyond their input as padding
	 * whatever the amount; their out_h/out_w say how far (a folded PAD adds to
	 * pad_top/pad_left and to out_h/out_w). */
	int pad_bottom, pad_right;
	int32_t pad_value;
	/* How much of pad_* came from a folded PAD (the operator's own input was that much
	 * larger and its own padding that much smaller: arm64 kernel choice, cpu_ops.c). */
	int fold_top, fold_left, fold_bottom, fold_right;
	char folded[32];       /* operators folded into this one at load, e.g. "PAD" */
	/* Which TFLite build's arithmetic the CPU kernels reproduce (mbn_graph.match). */
	enum mbn_match match;

	/* Quantization, biased-uint8 domain (see above). */
	bool is_signed;        /* the activation tensors are int8 */
	int32_t in_zp, out_zp; /* 0..255 */
	float in_scale, out_scale;
	int32_t act_min, act_max; /* clamp bounds, 0..255 */

	/* CONV: weights[oc][kh][kw][ic]; DWCONV: weights[kh][kw][oc];
	 * FC: weights[oc][ic]. Values are (w - w_zp), -255..255. */
	int16_t *weights;
	int32_t w_zp;          /* weight zero point in the biased domain: the raw byte is
				* weights[i] + w_zp (uint8: the tensor's zero point; int8: 128) */
	int32_t *bias;         /* [out_c]; zeros if the model has no bias */
	/* Per output channel requantization, TFLite's convention
	 * (tensorflow/lite/kernels/internal/common.h MultiplyByQuantizedMultiplier):
	 * out = out_zp + MBQM(acc, mult[oc], shift[oc]), shift > 0 is a left shift. */
	int32_t *mult;
	int32_t *shift;

	/* QUANTIZE (requantization) and MEAN: one multiplier for every channel, TFLite's
	 * convention as mult/shift above; MEAN's further constants (cpu_mean.c). */
	int32_t q_mult, q_shift;
	int32_t q_bias;
	bool keep_dims;        /* MEAN */
	int mean_path;         /* MEAN: which TFLite 2.9 code path, MBN_MEAN_* */

	/* SOFTMAX: TFLite 2.9 optimized_ops::PopulateSoftmaxLookupTable, table[255 - d] =
	 * expf(-in_scale * beta * d). */
	float beta;
	float *table;          /* 256 entries */
};

struct mbn_graph {
	int n_layers;
	struct mbn_layer *layers;
	int n_files;

	/* Graph input and output as the model declares them (real, not biased domain). */
	struct mbn_tensor_info input, output;
	/* Float edges; the layer chain's own input and output are in_elems / out_elems
	 * biased-domain bytes. */
	struct mbn_edge in_edge, out_edge;
	size_t in_elems, out_elems;
	enum mbn_match match;  /* never NATIVE after loading */

	/* Recognized structure. */
	bool is_mobilenet;     /* conv0 3x3/2 + (dw 3x3 + pw 1x1)* [+ pool + fc + softmax] */
	float alpha;           /* conv0 output channels / 32 */
	int n_blocks;          /* depthwise-separable blocks */
	char describe[256];

	/* Owned memory: all weights, biases, multipliers, tables live in one arena. */
	void *arena;
};

/* The TFLite build this library's own architecture corresponds to. */
static inline enum mbn_match mbn_match_native(void)
{
#if defined(__aarch64__)
	return MBN_MATCH_ARM64;
#else
	return MBN_MATCH_X86;
#endif
}

/* Load and validate n chained .tflite buffers into a graph. 0 or -errno with the
 * message set (mbn_set_error). */
int mbn_graph_load(const void *const *bufs, const size_t *sizes, const char *const *names,
		   int n, enum mbn_match match, struct mbn_graph *g);
void mbn_graph_free(struct mbn_graph *g);

/* MACs and parameters of one layer (for mbn-info and the benchmark). */
uint64_t mbn_layer_macs(const struct mbn_layer *l);
uint64_t mbn_layer_params(const struct mbn_layer *l);
/* True for the layers an accelerator device would take: the convolutions but the
 * classifier (a conv on a 1x1 map). */
bool mbn_layer_is_accel_candidate(const struct mbn_graph *g, int index);

#endif /* MBN_GRAPH_H */
