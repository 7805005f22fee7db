/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_core - the building blocks of mbn-gen's models (tools/mbn-gen.c): the seeded RNG,
 * quantized activations with their calibration data, and one function per operator
 * that adds its constant tensors, output tensor and operator to the model being written
 * and computes the output on the calibration input (gen_core.c: conv, depthwise, FC,
 * pools, reshape, softmax; gen_exported.c: PAD, MEAN, QUANTIZE, DEQUANTIZE, the Keras
 * reshape chain). gen_mobilenet.c assembles whole networks from them, gen_ops.c
 * single-operator models. Only mbn-gen links these.
 *
 * Determinism: splitmix64 and only correctly rounded float operations (+ - * / sqrt,
 * rounding) feed the output, so the same arguments and seed give the same bytes on any
 * IEEE machine (the Makefile builds with -ffp-contract=off).
 */
#ifndef MBN_GEN_CORE_H
#define MBN_GEN_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "tflite_writer.h"

/* ------------------------------------------------------------------ globals */

extern int g_int8;		/* int8 activations + per-channel weights */
extern int g_qmin, g_qmax;	/* range of the network's activation type */
extern struct tflw_model *g_m;	/* the model being built */
extern int g_own_buffers;	/* every activation its own empty buffer (MLIR style) */
extern int g_signature;		/* activations carry shape_signature with batch -1 */

void gen_seed(uint64_t seed);
uint64_t rnd64(void);
double rnd_u(void);		/* [0, 1) */
double rnd_sym(void);		/* [-1, 1) */
int rnd_int(int lo, int hi);	/* lo..hi inclusive */
double rnd_gauss(void);

void die(const char *fmt, const char *arg);
void *xcalloc(size_t n, size_t sz);
int ck(int rc, const char *what);
int clampi(long v, int lo, int hi);

/* ------------------------------------------------------------- activations */

/* Element type of an activation: the network's (uint8, or int8 with --int8) or explicit. */
enum gen_dt { DT_NET = 0, DT_U8, DT_I8, DT_F32 };

/* An activation tensor 1xHxWxC (rank 4) or 1xC (rank 2, h = w = 1), with its values on
 * the calibration input (q, quantized; for float32 tensors q holds nothing). */
struct act {
	int h, w, c, rank;
	int32_t *q;
	float scale;
	int zp;
	int tensor;
	int dt;			/* enum gen_dt */
};

size_t act_size(const struct act *a);
int act_type_of(const struct act *a);	/* enum tfl_type */
int act_qmin(const struct act *a);
int act_qmax(const struct act *a);
int add_act_tensor(const char *name, struct act *a);
void act_random(struct act *a);
void act_free(struct act *a);
/* A copy of a's shape, type and values (not its tensor). */
struct act *act_clone(const struct act *a);

/* Output scale/zero point covering [lo, hi] (extended to contain 0), for the range
 * qmin..qmax. */
void choose_quant_range(double lo, double hi, int qmin, int qmax, float *scale, int *zp);
void choose_quant(double lo, double hi, float *scale, int *zp);
void range_of(const double *v, size_t n, double *lo, double *hi);

/* A constant int32 tensor (rank 0: a scalar). */
int const_i32(const char *name, const int32_t *v, const int32_t *shape, int rank);

/* ------------------------------------------------------------------ layers */

enum kind { K_CONV, K_DW, K_FC };
enum { PC_DEFAULT = 0, PC_PER_CHANNEL, PC_PER_TENSOR };

struct layer {
	enum kind kind;
	int kh, kw, sh, sw, dh, dw, pad, act, oc, dm;
	double target;		/* std of the pre-activation real values */
	double bias_mean, bias_spread;	/* bias = target * (mean + spread * U(-1,1)) */
	double out_jitter;	/* 0: exact calibrated range; else random perturbation */
	int version;
	int pc;			/* PC_*: default int8 conv/dw per-channel, FC per-tensor */
};

int out_dim(int in, int k, int s, int d, int pad);

/* TFLite op versions as the 2.9 converter assigns them (tools/versioning/op_version.cc). */
int ver_conv(void);
int ver_dw(int dil);
int ver_fc(void);
int ver_pool(void);
int ver_softmax(void);

/* Conv / depthwise / fully connected: weights, bias, output tensor and operator. */
struct act *layer_run(struct act *in, const struct layer *L, const char *prefix,
		      const char *out_name);
/* AVERAGE_POOL_2D / MAX_POOL_2D, output quantization equal to the input's. */
struct act *pool_run(struct act *in, int builtin, int fh, int fw, int sh, int sw, int pad,
		     int act, const char *out_name);
/* RESHAPE to [1, C] with a constant shape tensor, or SQUEEZE of dims 1, 2. */
struct act *flatten_run(struct act *in, int squeeze, const char *out_name);
/* SOFTMAX, output 1/256 with zero point 0 (uint8) or -128 (int8). */
struct act *softmax_run(struct act *in, float beta, const char *out_name);

/* ------------------------- operators of exported models (gen_exported.c) */

/* PAD (value < -999: PAD, padding with the zero point) or PADV2 (constant value tensor
 * holding the raw quantized `value`) of H by top/bottom, W by left/right. `paddings`:
 * an existing int32 [4,2] tensor to share (as the MLIR converter does), or -1. */
struct act *pad_run(struct act *in, int t, int b, int l, int r, int value, int paddings,
		    const char *out_name);
int paddings_tensor(const char *name, int t, int b, int l, int r);
/* MEAN over axes [1, 2]; same_quant: output quantization = the input's, else calibrated
 * on the means. `axes`: an existing int32 [2] tensor or -1. */
struct act *mean_run(struct act *in, int keep_dims, int same_quant, int axes,
		     const char *out_name);
/* QUANTIZE to type dt (scale/zp given) from any quantized or float32 input. */
struct act *quantize_run(struct act *in, int dt, float scale, int zp, const char *out_name);
/* DEQUANTIZE to float32. */
struct act *dequantize_run(struct act *in, const char *out_name);

/* The shape constants shared by the Keras-style RESHAPEs (STRIDED_SLICE begin, end and
 * strides, the PACK value 1). */
struct keras_shape_consts { int begin, end_stride, one; };
/* RESHAPE of in to [batch, dims...] where batch is computed as the Keras Reshape layer's
 * export does: SHAPE(in) -> STRIDED_SLICE [0:1:1] shrink_axis -> PACK(batch, dims...)
 * -> RESHAPE. k: shared constants (created on first use when k->begin < 0). */
struct act *reshape_keras_run(struct act *in, const int32_t *dims, int ndims,
			      struct keras_shape_consts *k, const char *prefix,
			      const char *out_name);

/* ------------------------------------------------------ model builders */

struct gen_net {
	const char *style;	/* "tf1", "keras", "pytorch" */
	double alpha;
	int size, classes, squeeze, channels, depth_mult;
	int in_dt, out_dt;	/* enum gen_dt; DT_NET: the network's own type */
	int fc_per_channel;	/* pytorch: per-channel FULLY_CONNECTED weights */
	int maxpool_after;	/* 1..13: a MAX_POOL_2D 3x3/1 SAME after that block (an
				 * operator libmbnaccel does not run; 0: none) */
};
void build_mobilenet(const struct gen_net *N);

struct opargs {
	const char *op;
	int h, w, c, oc, kh, kw, sh, sw, pad, act, dm, units, dil, hw_given;
	float beta;
	int in_dt, out_dt;	/* QUANTIZE / DEQUANTIZE (DT_NET: not given) */
	int pads[4];		/* PAD / PADV2: top, bottom, left, right */
	int pad_value;		/* PADV2 raw quantized value (< -999: random) */
	int keep_dims, same_quant;	/* MEAN */
	int per_channel;	/* FULLY_CONNECTED, FC_AS_CONV */
};
void build_op(const struct opargs *A);

#endif
