/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_ops - single-operator models for mbn-gen --op (unit tests of one kernel against
 * the TFLite oracle): random input quantization, random weights, calibrated outputs.
 *
 * Operators: CONV_2D, DEPTHWISE_CONV_2D (any depth multiplier), FULLY_CONNECTED
 * (per-tensor, or int8 per-channel weights: one scale per output unit, quantized
 * dimension 0), FC_AS_CONV (the same weights, bias and quantization as FULLY_CONNECTED
 * with the same arguments and seed, written as a 1x1 CONV_2D on a 1x1x1xC input, so that
 * both must give the same bytes), AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX, RESHAPE,
 * SQUEEZE, RESHAPE_KERAS (shape from SHAPE/STRIDED_SLICE/PACK as the Keras export),
 * QUANTIZE (float32 -> int8/uint8, or requantization between int8/uint8 with another
 * scale and zero point), DEQUANTIZE, PAD, PADV2, MEAN.
 */
#include "gen_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Random input quantization: scale in [2^-8, 2^-4), any zero point of type dt. */
static struct act *op_input_dt(const struct opargs *A, int rank4, int dt)
{
	struct act *a = xcalloc(1, sizeof(*a));
	a->rank = rank4 ? 4 : 2;
	a->h = rank4 ? A->h : 1;
	a->w = rank4 ? A->w : 1;
	a->c = A->c;
	a->dt = dt;
	if (dt == DT_F32) {
		/* no quantization; the QUANTIZE after it gets a range for inputs in [-1, 1] */
		a->scale = 1;
		a->zp = 0;
		a->q = xcalloc(act_size(a), sizeof(int32_t));
	} else {
		a->scale = (float)ldexp(1.0 + rnd_u(), -rnd_int(5, 8));
		a->zp = rnd_int(act_qmin(a), act_qmax(a));
		size_t n = act_size(a);
		a->q = xcalloc(n, sizeof(int32_t));
		for (size_t i = 0; i < n; i++)
			a->q[i] = rnd_int(act_qmin(a), act_qmax(a));
	}
	add_act_tensor("input", a);
	return a;
}

static struct act *op_input(const struct opargs *A, int rank4)
{
	if (A->in_dt != DT_NET)
		return op_input_dt(A, rank4, A->in_dt);
	/* the original draws (act_random), so that models of before stay byte-identical */
	struct act *a = xcalloc(1, sizeof(*a));
	a->rank = rank4 ? 4 : 2;
	a->h = rank4 ? A->h : 1;
	a->w = rank4 ? A->w : 1;
	a->c = A->c;
	a->scale = (float)ldexp(1.0 + rnd_u(), -rnd_int(5, 8));
	a->zp = rnd_int(g_qmin, g_qmax);
	act_random(a);
	add_act_tensor("input", a);
	return a;
}

static void op_layer_defaults(struct layer *L, const struct opargs *A)
{
	memset(L, 0, sizeof(*L));
	L->kh = A->kh; L->kw = A->kw;
	L->sh = A->sh; L->sw = A->sw;
	L->dh = L->dw = A->dil;
	L->pad = A->pad;
	L->act = A->act;
	L->dm = A->dm;
	L->oc = A->oc;
	L->target = 0.5 + 3.5 * rnd_u();
	L->bias_mean = 0.2 * rnd_sym();
	L->bias_spread = 0.5 * rnd_u();
	L->out_jitter = 0.2;
}

static int dt_min(int dt) { return dt == DT_U8 ? 0 : dt == DT_I8 ? -128 : g_qmin; }
static int dt_max(int dt) { return dt == DT_U8 ? 255 : dt == DT_I8 ? 127 : g_qmax; }

void build_op(const struct opargs *A)
{
	struct act *in = NULL, *out = NULL;
	struct layer L;
	const char *op = A->op;
	int fc = !strcmp(op, "FULLY_CONNECTED"), fc_conv = !strcmp(op, "FC_AS_CONV");

	if (A->per_channel && !g_int8)
		die("%s", "--per-channel needs --int8 (uint8 weights are per-tensor)");
	if (A->in_dt != DT_NET && strcmp(op, "QUANTIZE") && strcmp(op, "DEQUANTIZE"))
		die("--in-type applies to QUANTIZE and DEQUANTIZE only (not %s); --int8 "
		    "selects the other operators' type", op);
	if (A->out_dt != DT_NET && strcmp(op, "QUANTIZE"))
		die("--out-type applies to QUANTIZE only (not %s)", op);
	if (!strcmp(op, "CONV_2D")) {
		in = op_input(A, 1);
		op_layer_defaults(&L, A);
		L.kind = K_CONV;
		L.version = ver_conv();
		out = layer_run(in, &L, "conv", "output");
	} else if (!strcmp(op, "DEPTHWISE_CONV_2D")) {
		in = op_input(A, 1);
		op_layer_defaults(&L, A);
		L.kind = K_DW;
		L.version = ver_dw(A->dil);
		out = layer_run(in, &L, "depthwise", "output");
	} else if (fc || fc_conv) {
		/* the same random draws in the same order for both (input, layer defaults,
		 * layer_run), so the weights, bias and quantization are identical */
		struct opargs B = *A;
		if (fc_conv)
			B.h = B.w = 1;
		in = op_input(&B, fc_conv || A->hw_given);
		op_layer_defaults(&L, A);
		L.oc = A->units;
		if (fc) {
			L.kind = K_FC;
			L.pc = A->per_channel ? PC_PER_CHANNEL : PC_DEFAULT;
			L.version = ver_fc();
			out = layer_run(in, &L, "fc", "output");
		} else {
			L.kind = K_CONV;
			L.kh = L.kw = L.sh = L.sw = L.dh = L.dw = 1;
			L.pad = TFL_PAD_SAME;
			L.pc = A->per_channel ? PC_PER_CHANNEL : PC_PER_TENSOR;
			L.version = ver_conv();
			out = layer_run(in, &L, "fc_conv", "output");
		}
	} else if (!strcmp(op, "AVERAGE_POOL_2D") || !strcmp(op, "MAX_POOL_2D") ||
		   !strcmp(op, "UNSUPPORTED")) {
		in = op_input(A, 1);
		int b = !strcmp(op, "AVERAGE_POOL_2D") ? TFL_OP_AVERAGE_POOL_2D : TFL_OP_MAX_POOL_2D;
		out = pool_run(in, b, A->kh, A->kw, A->sh, A->sw, A->pad, A->act, "output");
	} else if (!strcmp(op, "SOFTMAX")) {
		in = op_input(A, A->hw_given);
		/* logits spanning a few units so that the probabilities are not flat */
		in->scale = (float)((4.0 + 12.0 * rnd_u() + A->c / 100.0) / 255.0);
		out = softmax_run(in, A->beta, "output");
	} else if (!strcmp(op, "RESHAPE") || !strcmp(op, "SQUEEZE")) {
		struct opargs B = *A;
		int sq = !strcmp(op, "SQUEEZE");
		if (sq)
			B.h = B.w = 1;
		in = op_input(&B, 1);
		out = flatten_run(in, sq, "output");
	} else if (!strcmp(op, "RESHAPE_KERAS")) {
		/* 1xHxWxC -> [1, H*W*C] with --h/--w, else 1xC -> [1, 1, 1, C] */
		struct keras_shape_consts k = { -1, -1, -1 };
		g_own_buffers = g_signature = 1;
		tflw_model_omit_defaults(g_m, 1);
		in = op_input(A, A->hw_given);
		int32_t d4[3] = { 1, 1, A->c }, d2[1] = { (int32_t)act_size(in) };
		out = A->hw_given ? reshape_keras_run(in, d2, 1, &k, "reshape", "output")
				  : reshape_keras_run(in, d4, 3, &k, "reshape", "output");
	} else if (!strcmp(op, "QUANTIZE")) {
		struct opargs B = *A;
		int odt = A->out_dt != DT_NET ? A->out_dt : g_int8 ? DT_I8 : DT_U8;
		if (B.in_dt == DT_NET)
			B.in_dt = DT_F32;
		if (odt == DT_F32)
			die("%s", "QUANTIZE: --out-type must be int8 or uint8");
		in = op_input_dt(&B, 1, B.in_dt);
		float scale;
		int zp;
		if (in->dt == DT_F32) {
			/* real range about [-1, 1] (what the tests feed), 0.5x .. 2x */
			scale = (float)(2.0 / 255 * (0.5 + 1.5 * rnd_u()));
			zp = rnd_int(dt_min(odt) + 64, dt_max(odt) - 64);
		} else {
			/* another scale (0.5x .. 2x) and zero point */
			scale = (float)(in->scale * (0.5 + 1.5 * rnd_u()));
			zp = rnd_int(dt_min(odt) + 32, dt_max(odt) - 32);
		}
		out = quantize_run(in, odt, scale, zp, "output");
	} else if (!strcmp(op, "DEQUANTIZE")) {
		if (A->in_dt == DT_F32)
			die("%s", "DEQUANTIZE: --in-type must be int8 or uint8");
		in = op_input(A, 1);
		out = dequantize_run(in, "output");
	} else if (!strcmp(op, "PAD") || !strcmp(op, "PADV2")) {
		in = op_input(A, 1);
		int value = -1000;
		if (!strcmp(op, "PADV2")) {
			value = A->pad_value;
			if (value < -999)
				value = rnd_int(act_qmin(in), act_qmax(in));
			if (value < act_qmin(in) || value > act_qmax(in))
				die("%s", "--pad-value is outside the activation type's range");
		}
		out = pad_run(in, A->pads[0], A->pads[1], A->pads[2], A->pads[3], value, -1,
			      "output");
	} else if (!strcmp(op, "MEAN")) {
		in = op_input(A, 1);
		out = mean_run(in, A->keep_dims, A->same_quant, -1, "output");
	} else {
		die("unknown --op %s (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, "
		    "FULLY_CONNECTED, FC_AS_CONV, SOFTMAX, RESHAPE, RESHAPE_KERAS, SQUEEZE, "
		    "QUANTIZE, DEQUANTIZE, PAD, PADV2, MEAN, MAX_POOL_2D, UNSUPPORTED)", op);
	}
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	tflw_set_io(g_m, ins, 1, outs, 1);
	act_free(in);
	act_free(out);
}
