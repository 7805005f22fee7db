/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_mobilenet - whole MobileNet v1 classifiers for mbn-gen, in the structure each
 * toolchain exports (weights random, quantization calibrated: gen_core.c).
 *
 * tf1 (TOCO, ../shared/models/mobilenet_v1_*_quant.tflite, TF-slim mobilenet_v1.py):
 *   CONV_2D 3x3/2 SAME 3->depth(32); 13 x (DEPTHWISE_CONV_2D 3x3 SAME, CONV_2D 1x1), all
 *   RELU6; AVERAGE_POOL_2D over the whole final map (VALID, stride 2 as the real
 *   models); CONV_2D 1x1 logits; RESHAPE to [1, classes] (or SQUEEZE); SOFTMAX.
 *   depth(d) = max(int(d * alpha), 8) (TF-slim, min_depth 8).
 * keras (tf.keras.applications.MobileNet, keras/applications/mobilenet.py, converted by
 *   the TF2 MLIR converter with full-integer quantization; the layout of
 *   ../shared/models/vww_96_int8_keras.tflite): ZeroPadding2D((0,1),(0,1)) = PAD + VALID
 *   before conv1 and before every stride-2 depthwise conv (stride-1 ones SAME); int8,
 *   per-channel weights; filters int(d * alpha) (no minimum); GlobalAveragePooling2D =
 *   MEAN [1,2] keep_dims false with its own output quantization; Reshape((1,1,C)) and
 *   the final Reshape((classes,)) each as SHAPE/STRIDED_SLICE/PACK/RESHAPE; conv_preds
 *   1x1 CONV_2D; SOFTMAX. Every activation has an empty buffer of its own and a
 *   shape_signature with batch -1, and fields equal to their schema default (SAME
 *   padding, dilation 1, no activation, scalar shapes) are left out, as the MLIR
 *   converter writes them.
 * pytorch (torch -> ONNX -> TFLite): Conv2d(padding=1) is symmetric, so the stride-2
 *   3x3 convolutions get an explicit PAD((1,1),(1,1)) + VALID (TFLite SAME would pad
 *   (0,1) on even inputs), stride-1 ones are SAME (identical to pad 1); int8 per-channel
 *   weights; AdaptiveAvgPool2d(1) = MEAN [1,2] keep_dims true; nn.Linear =
 *   FULLY_CONNECTED on the 1x1x1xC map; SOFTMAX. depth(d) as tf1. The FC weights are
 *   int8 per-tensor unless --per-channel: TFLite 2.9's FULLY_CONNECTED ignores
 *   per-channel scales (a tensor with several scales gets no per-tensor params, so the
 *   multiplier is 0 and every output is the zero point; measured with the oracle),
 *   per-channel FC weights, as newer converters write them, only run in later TFLite.
 *
 * All styles: --channels (input channels), --depth-mult M (the first layer a 3x3/2
 * DEPTHWISE_CONV_2D with multiplier M, as TensorFlow Lite Micro's person detector,
 * instead of CONV_2D), --in-type/--out-type: float32 edges through QUANTIZE/DEQUANTIZE;
 * uint8 edges on an int8 network (or int8 on a uint8 one) through QUANTIZE with the same
 * scale and the zero point moved by 128, as the TF2 converter's inference_input_type /
 * inference_output_type = uint8 (lite/tools/optimize/modify_model_interface.cc) writes.
 */
#include "gen_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int net_dt(void) { return g_int8 ? DT_I8 : DT_U8; }

/* The model's input tensor for the network input a (values and quantization set, no
 * tensor yet); a may be replaced by the QUANTIZE output. Returns the input tensor. */
static int net_input(struct act **ap, int in_dt, const char *name)
{
	struct act *a = *ap;
	if (in_dt == DT_NET || in_dt == net_dt())
		return add_act_tensor(name, a);
	struct act *x = act_clone(a);
	x->dt = in_dt;
	if (in_dt != DT_F32) {
		int d = in_dt == DT_U8 ? 128 : -128;
		x->zp += d;
		for (size_t i = 0; i < act_size(x); i++)
			x->q[i] += d;
	}
	int t = add_act_tensor(name, x);
	char qname[256];
	snprintf(qname, sizeof(qname), "%s_quantized", name);
	struct act *o = quantize_run(x, DT_NET, a->scale, a->zp, qname);
	memcpy(o->q, a->q, sizeof(int32_t) * act_size(a));
	act_free(x);
	act_free(a);
	*ap = o;
	return t;
}

/* The model's output tensor after the network's last activation n. */
static int net_output(struct act *n, int out_dt, const char *name)
{
	if (out_dt == DT_NET || out_dt == net_dt())
		return n->tensor;
	struct act *o;
	if (out_dt == DT_F32)
		o = dequantize_run(n, name);
	else
		o = quantize_run(n, out_dt, n->scale, n->zp + (out_dt == DT_U8 ? 128 : -128), name);
	int t = o->tensor;
	act_free(o);
	return t;
}

static int depth_tf1(int d, double alpha)
{
	int v = (int)(d * alpha);	/* TF-slim: max(int(d * depth_multiplier), min_depth) */
	return v > 8 ? v : 8;
}

static int depth_keras(int d, double alpha)
{
	int v = (int)(d * alpha);	/* keras mobilenet.py: int(filters * alpha) */
	return v > 1 ? v : 1;
}

static struct act *step(struct act *a, struct act *n)
{
	act_free(a);
	return n;
}

void build_mobilenet(const struct gen_net *N)
{
	static const int strides[13] = { 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1 };
	static const int pw[13] = { 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512,
				    1024, 1024 };
	int keras = !strcmp(N->style, "keras"), torch = !strcmp(N->style, "pytorch");
	int (*depth)(int, double) = keras ? depth_keras : depth_tf1;
	char prefix[256], oname[512];
	int paddings = -1;	/* the shared PAD paddings tensor (keras, pytorch) */
	int pt = torch ? 1 : 0;	/* explicit padding before: keras (0,1), pytorch (1,1) */

	g_own_buffers = g_signature = keras;
	tflw_model_omit_defaults(g_m, keras);
	struct act *a = xcalloc(1, sizeof(*a));
	a->h = a->w = N->size;
	a->c = N->channels;
	a->rank = 4;
	if (keras) {
		/* vww_96_int8_keras.tflite: pixels in [0, 1], scale 1/255, zero point -128 */
		a->scale = 1.0f / 255;
		a->zp = -128;
	} else if (torch) {
		/* torchvision normalization: (x - 0.485) / 0.229 .. (x - 0.406) / 0.225 */
		choose_quant(-0.485 / 0.229, (1 - 0.406) / 0.225, &a->scale, &a->zp);
	} else {
		a->scale = 1.0f / 128;
		a->zp = g_int8 ? 0 : 128;
	}
	act_random(a);
	int input = net_input(&a, N->in_dt, keras ? "input_1" : "input");

	struct layer L = { 0 };
	L.kind = K_CONV;
	L.kh = L.kw = 3;
	L.sh = L.sw = 2;
	L.dh = L.dw = 1;
	L.dm = 1;
	L.pad = TFL_PAD_SAME;
	L.act = TFL_ACT_RELU6;
	L.oc = depth(32, N->alpha);
	L.target = 2.0;
	L.bias_mean = 0.25;
	L.bias_spread = 0.5;
	L.version = ver_conv();

	struct layer L0 = L;
	if (N->depth_mult) {
		L0.kind = K_DW;
		L0.dm = N->depth_mult;
		L0.version = ver_dw(1);
	}
	if (keras || torch) {
		paddings = paddings_tensor(keras ? "conv_pad/paddings" : "pad/paddings",
					   pt, 1, pt, 1);
		a = step(a, pad_run(a, pt, 1, pt, 1, -1000, paddings,
				    keras ? "conv1_pad/Pad" : "features.0.pad"));
		L0.pad = TFL_PAD_VALID;
	}
	if (keras)
		a = step(a, layer_run(a, &L0, "conv1", "conv1_relu/Relu6"));
	else if (torch)
		a = step(a, layer_run(a, &L0, "features.0", "features.0/Relu6"));
	else
		a = step(a, layer_run(a, &L0, "MobilenetV1/MobilenetV1/Conv2d_0",
				      "MobilenetV1/MobilenetV1/Conv2d_0/Relu6"));
	for (int b = 0; b < 13; b++) {
		struct layer D = L;
		D.kind = K_DW;
		D.sh = D.sw = strides[b];
		D.version = ver_dw(1);
		D.target = 0.6 + 1.8 * rnd_u();
		if ((keras || torch) && strides[b] == 2) {
			snprintf(oname, sizeof(oname), keras ? "conv_pad_%d/Pad" : "features.%d.pad",
				 b + 1);
			a = step(a, pad_run(a, pt, 1, pt, 1, -1000, paddings, oname));
			D.pad = TFL_PAD_VALID;
		}
		if (keras) {
			snprintf(prefix, sizeof(prefix), "conv_dw_%d", b + 1);
			snprintf(oname, sizeof(oname), "conv_dw_%d_relu/Relu6", b + 1);
		} else if (torch) {
			snprintf(prefix, sizeof(prefix), "features.%d.dw", b + 1);
			snprintf(oname, sizeof(oname), "%s/Relu6", prefix);
		} else {
			snprintf(prefix, sizeof(prefix),
				 "MobilenetV1/MobilenetV1/Conv2d_%d_depthwise", b + 1);
			snprintf(oname, sizeof(oname), "%s/Relu6", prefix);
		}
		a = step(a, layer_run(a, &D, prefix, oname));
		struct layer P = L;
		P.kh = P.kw = 1;
		P.sh = P.sw = 1;
		P.oc = depth(pw[b], N->alpha);
		P.target = 0.6 + 1.8 * rnd_u();
		if (keras) {
			snprintf(prefix, sizeof(prefix), "conv_pw_%d", b + 1);
			snprintf(oname, sizeof(oname), "conv_pw_%d_relu/Relu6", b + 1);
		} else if (torch) {
			snprintf(prefix, sizeof(prefix), "features.%d.pw", b + 1);
			snprintf(oname, sizeof(oname), "%s/Relu6", prefix);
		} else {
			snprintf(prefix, sizeof(prefix),
				 "MobilenetV1/MobilenetV1/Conv2d_%d_pointwise", b + 1);
			snprintf(oname, sizeof(oname), "%s/Relu6", prefix);
		}
		a = step(a, layer_run(a, &P, prefix, oname));
		if (N->maxpool_after == b + 1) {
			snprintf(oname, sizeof(oname), "maxpool_%d/MaxPool", b + 1);
			a = step(a, pool_run(a, TFL_OP_MAX_POOL_2D, 3, 3, 1, 1, TFL_PAD_SAME, TFL_ACT_NONE, oname));
		}
	}

	struct layer F = L;
	F.kh = F.kw = 1;
	F.sh = F.sw = 1;
	F.oc = N->classes;
	F.act = TFL_ACT_NONE;
	const char *out_name;
	if (keras) {
		struct keras_shape_consts k = { -1, -1, -1 };
		int32_t d4[3] = { 1, 1, a->c }, d2[1] = { N->classes };
		a = step(a, mean_run(a, 0, 0, -1, "global_average_pooling2d/Mean"));
		a = step(a, reshape_keras_run(a, d4, 3, &k, "reshape_1", "reshape_1/Reshape"));
		F.target = 2.0 + 1.0 * rnd_u();
		F.bias_mean = 0;
		F.bias_spread = 0.5;
		a = step(a, layer_run(a, &F, "conv_preds", "conv_preds/BiasAdd"));
		a = step(a, reshape_keras_run(a, d2, 1, &k, "reshape_2", "reshape_2/Reshape"));
		out_name = "Identity";
	} else if (torch) {
		a = step(a, mean_run(a, 1, 0, -1, "avgpool/Mean"));
		F.kind = K_FC;
		F.pc = N->fc_per_channel ? PC_PER_CHANNEL : PC_DEFAULT;
		F.version = ver_fc();
		F.target = 2.0 + 1.0 * rnd_u();
		F.bias_mean = 0;
		F.bias_spread = 0.5;
		a = step(a, layer_run(a, &F, "classifier", "classifier/MatMul"));
		out_name = "output";
	} else {
		a = step(a, pool_run(a, TFL_OP_AVERAGE_POOL_2D, a->h, a->w, 2, 2, TFL_PAD_VALID,
				     TFL_ACT_NONE, "MobilenetV1/Logits/AvgPool_1a/AvgPool"));
		/* logits spread: softmax neither one-hot nor flat over ~1000 classes */
		F.target = 2.0 + 1.0 * rnd_u();
		F.bias_mean = 0;
		F.bias_spread = 0.5;
		a = step(a, layer_run(a, &F, "MobilenetV1/Logits/Conv2d_1c_1x1",
				      "MobilenetV1/Logits/Conv2d_1c_1x1/BiasAdd"));
		a = step(a, flatten_run(a, N->squeeze, "MobilenetV1/Logits/SpatialSqueeze"));
		out_name = "MobilenetV1/Predictions/Reshape_1";
	}
	a = step(a, softmax_run(a, 1.0f, out_name));
	snprintf(oname, sizeof(oname), "%s/%s", out_name,
		 N->out_dt == DT_F32 ? "dequantize" : "quantize");
	int outs[1] = { net_output(a, N->out_dt, oname) };
	tflw_set_io(g_m, &input, 1, outs, 1);
	act_free(a);
}
