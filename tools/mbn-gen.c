/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-gen - writes valid, runnable .tflite models with random weights: whole TF1
 * MobileNet v1 classifiers of any width multiplier and input size, or single-operator
 * models for unit tests; uint8 per-tensor (the real models' scheme) or int8 with
 * per-channel weights. It owns the model structure, weight generation and calibration
 * of quantization parameters; the flatbuffer encoding is tools/common/tflite_writer.c.
 *
 *   mbn-gen --alpha A --size S [--int8] [--seed N] [--classes N] [--head reshape|squeeze] -o FILE
 *   mbn-gen --op OPNAME [shape/param options] [--int8] [--seed N] -o FILE
 *
 * Structure (matches ../shared/models/mobilenet_v1_*_quant.tflite, TF-slim
 * mobilenet_v1.py): CONV_2D 3x3/2 SAME 3->depth(32); 13 x (DEPTHWISE_CONV_2D 3x3 SAME,
 * CONV_2D 1x1), all RELU6; AVERAGE_POOL_2D with the whole final map as filter (VALID,
 * stride 2 as the real models); CONV_2D 1x1 logits (no activation); RESHAPE to
 * [1, classes] (shape tensor, as the real models); SOFTMAX beta 1. depth(d) =
 * max(int(d * alpha), 8), TF-slim's rule with min_depth 8.
 *
 * Calibration: each layer is evaluated in integer arithmetic on a random input (the
 * accumulator sum((in - in_zp) * (w - w_zp)) is independent of the scales), then the
 * weight scale is chosen so that the pre-activation has a target spread, the bias is
 * drawn relative to that spread, and the output scale/zero point cover the observed
 * output range (ReLU6: [0, min(6, max)]). So every layer has varied, non-saturated
 * outputs whatever the depth of the network.
 *
 * MBN_GEN_DEBUG=1 in the environment prints each layer's calibration to stderr.
 *
 * Determinism: splitmix64 and only correctly rounded float operations (+ - * / sqrt,
 * rounding) feed the output, so the same arguments and --seed give the same bytes on any
 * IEEE machine (the Makefile builds with -ffp-contract=off).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_writer.h"

/* ------------------------------------------------------------------------- RNG */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	/* splitmix64 (Steele, Lea, Flood 2014) */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rnd_u(void) { return (double)(rnd64() >> 11) * 0x1p-53; }
static double rnd_sym(void) { return 2.0 * rnd_u() - 1.0; }
static int rnd_int(int lo, int hi) { return lo + (int)(rnd64() % (uint64_t)(hi - lo + 1)); }

/* Approximately normal, unit variance (Irwin-Hall of 4; no libm transcendental). */
static double rnd_gauss(void)
{
	double s = rnd_u() + rnd_u() + rnd_u() + rnd_u();
	return (s - 2.0) * 1.7320508075688772;
}

/* ------------------------------------------------------------------- globals */

static int g_int8;		/* int8 activations + per-channel weights */
static int g_qmin = 0, g_qmax = 255;
static struct tflw_model *g_m;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mbn-gen: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		die("%s", "out of memory");
	return p;
}

static int ck(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "mbn-gen: %s: %s\n", what, strerror(-rc));
		exit(1);
	}
	return rc;
}

static int act_type(void) { return g_int8 ? TFLW_INT8 : TFLW_UINT8; }

static int clampi(long v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : (int)v; }

/* -------------------------------------------------------------- activations */

/* A quantized activation tensor 1xHxWxC (rank 4) or 1xC (rank 2, h = w = 1). */
struct act {
	int h, w, c, rank;
	int32_t *q;
	float scale;
	int zp;
	int tensor;
};

static size_t act_size(const struct act *a) { return (size_t)a->h * a->w * a->c; }

static int add_act_tensor(const char *name, struct act *a)
{
	int32_t shape[4];
	if (a->rank == 4) {
		shape[0] = 1; shape[1] = a->h; shape[2] = a->w; shape[3] = a->c;
	} else {
		shape[0] = 1; shape[1] = a->c;
	}
	int64_t zp = a->zp;
	struct tflw_quant q = { 1, &a->scale, &zp, 0 };
	a->tensor = ck(tflw_tensor_add(g_m, name, act_type(), shape, a->rank, 0, &q), name);
	return a->tensor;
}

static void act_random(struct act *a)
{
	size_t n = act_size(a);
	a->q = xcalloc(n, sizeof(int32_t));
	for (size_t i = 0; i < n; i++)
		a->q[i] = rnd_int(g_qmin, g_qmax);
}

/* Output scale/zero point covering [lo, hi] (extended to contain 0), as the TFLite
 * converter nudges ranges so that real 0 is exactly representable. */
static void choose_quant(double lo, double hi, float *scale, int *zp)
{
	if (lo > 0)
		lo = 0;
	if (hi < 0)
		hi = 0;
	if (hi - lo < 1e-3)
		hi = lo + 1e-3;
	double s = (hi - lo) / (double)(g_qmax - g_qmin);
	*scale = (float)s;
	*zp = clampi(lround((double)g_qmin - lo / s), g_qmin, g_qmax);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Calibration range: the 0.1% and 99.9% quantiles of up to 65536 evenly spaced
 * samples (plain min/max lets one outlier in a million set the scale). */
static void range_of(const double *v, size_t n, double *lo, double *hi)
{
	size_t step = n > 65536 ? n / 65536 : 1, m = 0;
	double *s = xcalloc(n / step + 1, sizeof(double));
	for (size_t i = 0; i < n; i += step)
		s[m++] = v[i];
	qsort(s, m, sizeof(double), cmp_double);
	*lo = s[(size_t)((double)(m - 1) * 0.001)];
	*hi = s[(size_t)((double)(m - 1) * 0.999 + 0.5)];
	free(s);
}

/* Quantizes real outputs (already activated) into a->q with a->scale/zp. */
static void quantize_out(struct act *a, const double *real)
{
	size_t n = act_size(a);
	a->q = xcalloc(n, sizeof(int32_t));
	for (size_t i = 0; i < n; i++)
		a->q[i] = clampi(a->zp + lround(real[i] / a->scale), g_qmin, g_qmax);
}

/* ------------------------------------------------------------------ layers */

enum kind { K_CONV, K_DW, K_FC };

struct layer {
	enum kind kind;
	int kh, kw, sh, sw, dh, dw, pad, act, oc, dm;
	double target;		/* std of the pre-activation real values */
	double bias_mean, bias_spread;	/* bias = target * (mean + spread * U(-1,1)) */
	double out_jitter;	/* 0: exact calibrated range; else random perturbation */
	int version;
};

static int out_dim(int in, int k, int s, int d, int pad)
{
	int ek = (k - 1) * d + 1;
	if (pad == TFLW_PAD_SAME)
		return (in + s - 1) / s;
	return in >= ek ? (in - ek) / s + 1 : 0;
}

/* TFLite ComputePaddingHeightWidth (kernels/padding.h): offset before is total / 2. */
static int pad_before(int in, int out, int k, int s, int d, int pad)
{
	if (pad != TFLW_PAD_SAME)
		return 0;
	int total = (out - 1) * s + (k - 1) * d + 1 - in;
	return total > 0 ? total / 2 : 0;
}

static void apply_act(int act, double *v)
{
	if (act == TFLW_ACT_RELU || act == TFLW_ACT_RELU6)
		if (*v < 0)
			*v = 0;
	if (act == TFLW_ACT_RELU6 && *v > 6)
		*v = 6;
}

/*
 * Conv / depthwise / fully connected layer: weights, bias, output tensor and operator.
 * Returns the output activation (input of the next layer).
 */
static struct act *layer_run(struct act *in, const struct layer *L, const char *prefix,
			     const char *out_name)
{
	int ic = in->c, oc, kh = L->kh, kw = L->kw;
	int oh, ow, fan_in, nw;
	char name[512];

	if (L->kind == K_FC) {
		fan_in = (int)act_size(in);
		oc = L->oc;
		kh = kw = 1;
		oh = ow = 1;
		nw = oc * fan_in;
	} else {
		oh = out_dim(in->h, kh, L->sh, L->dh, L->pad);
		ow = out_dim(in->w, kw, L->sw, L->dw, L->pad);
		if (oh <= 0 || ow <= 0)
			die("%s: the filter is larger than the input with VALID padding", prefix);
		oc = L->kind == K_DW ? ic * L->dm : L->oc;
		fan_in = L->kind == K_DW ? kh * kw : kh * kw * ic;
		nw = L->kind == K_DW ? kh * kw * oc : oc * kh * kw * ic;
	}

	/* float weights with per-output-channel gains, then quantization */
	double *wf = xcalloc((size_t)nw, sizeof(double));
	double *gain = xcalloc((size_t)oc, sizeof(double));
	for (int o = 0; o < oc; o++)
		gain[o] = 0.5 + rnd_u();
	for (int i = 0; i < nw; i++) {
		int o = L->kind == K_DW ? i % oc : i / fan_in;
		wf[i] = gain[o] * rnd_gauss() / sqrt((double)fan_in);
	}
	int per_channel = g_int8 && L->kind != K_FC;
	int nsc = per_channel ? oc : 1;
	float *wscale = xcalloc((size_t)nsc, sizeof(float));
	int64_t *wzp = xcalloc((size_t)nsc, sizeof(int64_t));
	int32_t *wq = xcalloc((size_t)nw, sizeof(int32_t));
	double *prov = xcalloc((size_t)nsc, sizeof(double));	/* provisional scales */
	if (g_int8) {
		/* int8 symmetric, [-127, 127] (TFLite quantization spec) */
		double *mx = xcalloc((size_t)nsc, sizeof(double));
		for (int i = 0; i < nw; i++) {
			int o = per_channel ? (L->kind == K_DW ? i % oc : i / fan_in) : 0;
			if (fabs(wf[i]) > mx[o])
				mx[o] = fabs(wf[i]);
		}
		for (int o = 0; o < nsc; o++)
			prov[o] = (mx[o] > 0 ? mx[o] : 1) / 127.0;
		for (int i = 0; i < nw; i++) {
			int o = per_channel ? (L->kind == K_DW ? i % oc : i / fan_in) : 0;
			wq[i] = clampi(lround(wf[i] / prov[o]), -127, 127);
		}
		free(mx);
	} else {
		/* uint8 asymmetric per tensor, 0 exactly representable */
		double lo = 0, hi = 0;
		for (int i = 0; i < nw; i++) {
			if (wf[i] < lo) lo = wf[i];
			if (wf[i] > hi) hi = wf[i];
		}
		if (hi - lo < 1e-9)
			hi = lo + 1;
		prov[0] = (hi - lo) / 255.0;
		wzp[0] = clampi(lround(-lo / prov[0]), 0, 255);
		for (int i = 0; i < nw; i++)
			wq[i] = clampi(wzp[0] + lround(wf[i] / prov[0]), 0, 255);
	}

	/* integer accumulators on the calibration input */
	struct act *out = xcalloc(1, sizeof(*out));
	out->h = oh; out->w = ow; out->c = oc;
	out->rank = L->kind == K_FC ? 2 : 4;
	size_t npix = (size_t)oh * ow, nout = npix * oc;
	int64_t *acc = xcalloc(nout, sizeof(int64_t));
	int32_t *x = xcalloc(act_size(in), sizeof(int32_t));
	for (size_t i = 0; i < act_size(in); i++)
		x[i] = in->q[i] - in->zp;
	int32_t *wx = xcalloc((size_t)nw, sizeof(int32_t));
	for (int i = 0; i < nw; i++)
		wx[i] = wq[i] - (int32_t)wzp[0];	/* wzp is 0 for int8 */

	if (L->kind == K_FC) {
		for (int o = 0; o < oc; o++) {
			int64_t s = 0;
			const int32_t *wr = wx + (size_t)o * fan_in;
			for (int n = 0; n < fan_in; n++)
				s += (int64_t)x[n] * wr[n];
			acc[o] = s;
		}
	} else {
		int pt = pad_before(in->h, oh, kh, L->sh, L->dh, L->pad);
		int pl = pad_before(in->w, ow, kw, L->sw, L->dw, L->pad);
		int32_t *a32 = xcalloc((size_t)oc, sizeof(int32_t));
		for (int oy = 0; oy < oh; oy++)
		for (int ox = 0; ox < ow; ox++) {
			memset(a32, 0, sizeof(int32_t) * (size_t)oc);
			for (int ky = 0; ky < kh; ky++) {
				int iy = oy * L->sh - pt + ky * L->dh;
				if (iy < 0 || iy >= in->h)
					continue;
				for (int kx = 0; kx < kw; kx++) {
					int ix = ox * L->sw - pl + kx * L->dw;
					if (ix < 0 || ix >= in->w)
						continue;
					const int32_t *xp = x + ((size_t)iy * in->w + ix) * ic;
					if (L->kind == K_DW) {
						const int32_t *wr = wx + ((size_t)ky * kw + kx) * oc;
						for (int o = 0; o < oc; o++)
							a32[o] += xp[o / L->dm] * wr[o];
					} else {
						for (int o = 0; o < oc; o++) {
							const int32_t *wr = wx + (((size_t)o * kh + ky) * kw + kx) * ic;
							int32_t s = 0;
							for (int i = 0; i < ic; i++)
								s += xp[i] * wr[i];
							a32[o] += s;
						}
					}
				}
			}
			for (int o = 0; o < oc; o++)
				acc[((size_t)oy * ow + ox) * oc + o] = a32[o];
		}
		free(a32);
	}

	/* weight scale: pre-activation (without bias) gets std L->target */
	double ss = 0;
	for (size_t i = 0; i < nout; i++) {
		int o = (int)(i % oc);
		double r = (double)acc[i] * in->scale * prov[per_channel ? o : 0];
		ss += r * r;
	}
	double rms = sqrt(ss / (double)nout);
	double k = rms > 0 ? L->target / rms : 1.0;
	for (int o = 0; o < nsc; o++)
		wscale[o] = (float)(prov[o] * k);

	/* bias: int32, scale = input_scale * weight_scale as a float product, zp 0 */
	float *bscale = xcalloc((size_t)nsc, sizeof(float));
	int64_t *bzp = xcalloc((size_t)nsc, sizeof(int64_t));
	for (int o = 0; o < nsc; o++)
		bscale[o] = in->scale * wscale[o];
	int32_t *bq = xcalloc((size_t)oc, sizeof(int32_t));
	for (int o = 0; o < oc; o++) {
		double b = L->target * (L->bias_mean + L->bias_spread * rnd_sym());
		double q = b / bscale[per_channel ? o : 0];
		bq[o] = (int32_t)(q > 2e9 ? 2e9 : q < -2e9 ? -2e9 : lround(q));
	}

	/* real outputs, activation, output quantization */
	double *real = xcalloc(nout, sizeof(double));
	for (size_t i = 0; i < nout; i++) {
		int o = (int)(i % oc);
		real[i] = (double)(acc[i] + bq[o]) * bscale[per_channel ? o : 0];
		apply_act(L->act, &real[i]);
	}
	double lo, hi;
	range_of(real, nout, &lo, &hi);
	choose_quant(lo, hi, &out->scale, &out->zp);
	if (getenv("MBN_GEN_DEBUG"))
		fprintf(stderr, "%s: %dx%dx%d pre-act rms %.3g k %.3g out [%.3g, %.3g]\n", prefix,
			oh, ow, oc, rms, k, lo, hi);
	if (L->out_jitter > 0) {
		out->scale = (float)(out->scale * (1.0 + L->out_jitter * rnd_sym()));
		if (L->act == TFLW_ACT_NONE)
			out->zp = clampi(out->zp + rnd_int(-8, 8), g_qmin, g_qmax);
		else
			out->zp = clampi(out->zp + rnd_int(0, 4), g_qmin, g_qmax);
	}
	quantize_out(out, real);

	/* tensors */
	int32_t wshape[4], wrank = 4;
	if (L->kind == K_FC) {
		wshape[0] = oc; wshape[1] = fan_in; wrank = 2;
	} else if (L->kind == K_DW) {
		wshape[0] = 1; wshape[1] = kh; wshape[2] = kw; wshape[3] = oc;
	} else {
		wshape[0] = oc; wshape[1] = kh; wshape[2] = kw; wshape[3] = ic;
	}
	uint8_t *wbytes = xcalloc((size_t)nw, 1);
	for (int i = 0; i < nw; i++)
		wbytes[i] = (uint8_t)wq[i];
	int wbuf = ck(tflw_buffer_add(g_m, wbytes, (size_t)nw), "buffer");
	struct tflw_quant wqp = { nsc, wscale, wzp, per_channel && L->kind == K_DW ? 3 : 0 };
	snprintf(name, sizeof(name), "%s/weights", prefix);
	int wt = ck(tflw_tensor_add(g_m, name, act_type(), wshape, wrank, wbuf, &wqp), name);

	int bbuf = ck(tflw_buffer_add(g_m, bq, sizeof(int32_t) * (size_t)oc), "buffer");
	int32_t bshape[1] = { oc };
	struct tflw_quant bqp = { nsc, bscale, bzp, 0 };
	snprintf(name, sizeof(name), "%s/bias", prefix);
	int bt = ck(tflw_tensor_add(g_m, name, TFLW_INT32, bshape, 1, bbuf, &bqp), name);

	add_act_tensor(out_name, out);

	struct tflw_options opt = { 0 };
	int builtin;
	opt.activation = L->act;
	if (L->kind == K_FC) {
		builtin = TFLW_OP_FULLY_CONNECTED;
		opt.type = TFLW_OPT_FULLY_CONNECTED;
	} else {
		builtin = L->kind == K_DW ? TFLW_OP_DEPTHWISE_CONV_2D : TFLW_OP_CONV_2D;
		opt.type = L->kind == K_DW ? TFLW_OPT_DEPTHWISE : TFLW_OPT_CONV2D;
		opt.padding = L->pad;
		opt.stride_h = L->sh;
		opt.stride_w = L->sw;
		opt.dilation_h = L->dh;
		opt.dilation_w = L->dw;
		opt.depth_multiplier = L->dm;
	}
	int ins[3] = { in->tensor, wt, bt }, outs[1] = { out->tensor };
	ck(tflw_op_add(g_m, builtin, L->version, ins, 3, outs, 1, &opt), "operator");

	free(wf); free(gain); free(wscale); free(wzp); free(wq); free(prov);
	free(acc); free(x); free(wx); free(bscale); free(bzp); free(bq); free(real);
	free(wbytes);
	return out;
}

/* TFLite op versions as the 2.9 converter assigns them (tools/versioning/op_version.cc)
 * and the builtin resolver registers (kernels/register.cc). */
static int ver_conv(void) { return g_int8 ? 3 : 1; }
static int ver_dw(int dil) { return g_int8 ? 3 : dil > 1 ? 2 : 1; }
static int ver_fc(void) { return g_int8 ? 4 : 1; }
static int ver_pool(void) { return g_int8 ? 2 : 1; }
static int ver_softmax(void) { return g_int8 ? 2 : 1; }

/* AVERAGE_POOL_2D / MAX_POOL_2D: output quantization equals the input's, as the
 * converter emits it (the kernels average/max raw quantized values). */
static struct act *pool_run(struct act *in, int builtin, int fh, int fw, int sh, int sw,
			    int pad, int act, const char *out_name)
{
	struct act *out = xcalloc(1, sizeof(*out));
	int oh = out_dim(in->h, fh, sh, 1, pad), ow = out_dim(in->w, fw, sw, 1, pad);
	if (oh <= 0 || ow <= 0)
		die("%s: the filter is larger than the input with VALID padding", out_name);
	int pt = pad_before(in->h, oh, fh, sh, 1, pad), pl = pad_before(in->w, ow, fw, sw, 1, pad);
	out->h = oh; out->w = ow; out->c = in->c; out->rank = 4;
	out->scale = in->scale;
	out->zp = in->zp;
	out->q = xcalloc(act_size(out), sizeof(int32_t));
	for (int oy = 0; oy < oh; oy++)
	for (int ox = 0; ox < ow; ox++)
	for (int c = 0; c < in->c; c++) {
		long sum = 0, cnt = 0, mx = g_qmin;
		for (int ky = 0; ky < fh; ky++)
		for (int kx = 0; kx < fw; kx++) {
			int iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
			if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w)
				continue;
			long v = in->q[((size_t)iy * in->w + ix) * in->c + c];
			sum += v;
			cnt++;
			if (v > mx)
				mx = v;
		}
		long r = builtin == TFLW_OP_MAX_POOL_2D ? mx :
			 sum >= 0 ? (sum + cnt / 2) / cnt : (sum - cnt / 2) / cnt;
		out->q[((size_t)oy * ow + ox) * in->c + c] = clampi(r, g_qmin, g_qmax);
	}
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	opt.type = TFLW_OPT_POOL2D;
	opt.padding = pad;
	opt.stride_h = sh; opt.stride_w = sw;
	opt.filter_h = fh; opt.filter_w = fw;
	opt.activation = act;
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	ck(tflw_op_add(g_m, builtin, ver_pool(), ins, 1, outs, 1, &opt), "operator");
	return out;
}

/* RESHAPE to [1, C] with a constant shape tensor (and ReshapeOptions.new_shape), or
 * SQUEEZE of dims 1, 2. Quantization passes through unchanged. */
static struct act *flatten_run(struct act *in, int squeeze, const char *out_name)
{
	struct act *out = xcalloc(1, sizeof(*out));
	*out = *in;
	out->q = xcalloc(act_size(in), sizeof(int32_t));
	memcpy(out->q, in->q, sizeof(int32_t) * act_size(in));
	out->c = (int)act_size(in);
	out->h = out->w = 1;
	out->rank = 2;
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	int outs[1] = { out->tensor };
	if (squeeze) {
		int32_t dims[2] = { 1, 2 };
		opt.type = TFLW_OPT_SQUEEZE;
		opt.dims = dims;
		opt.ndims = 2;
		int ins[1] = { in->tensor };
		ck(tflw_op_add(g_m, TFLW_OP_SQUEEZE, 1, ins, 1, outs, 1, &opt), "operator");
	} else {
		int32_t shape[2] = { 1, out->c }, sshape[1] = { 2 };
		char name[512];
		snprintf(name, sizeof(name), "%s/shape", out_name);
		int sb = ck(tflw_buffer_add(g_m, shape, sizeof(shape)), "buffer");
		int st = ck(tflw_tensor_add(g_m, name, TFLW_INT32, sshape, 1, sb, NULL), name);
		opt.type = TFLW_OPT_RESHAPE;
		opt.dims = shape;
		opt.ndims = 2;
		int ins[2] = { in->tensor, st };
		ck(tflw_op_add(g_m, TFLW_OP_RESHAPE, 1, ins, 2, outs, 1, &opt), "operator");
	}
	return out;
}

/* SOFTMAX: output scale 1/256, zero point 0 (uint8) or -128 (int8), which TFLite's
 * softmax Prepare requires (kernels/activations.cc). */
static struct act *softmax_run(struct act *in, float beta, const char *out_name)
{
	struct act *out = xcalloc(1, sizeof(*out));
	*out = *in;
	out->q = NULL;
	out->scale = 1.0f / 256;
	out->zp = g_int8 ? -128 : 0;
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	opt.type = TFLW_OPT_SOFTMAX;
	opt.beta = beta;
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	ck(tflw_op_add(g_m, TFLW_OP_SOFTMAX, ver_softmax(), ins, 1, outs, 1, &opt), "operator");
	return out;
}

static void act_free(struct act *a)
{
	if (a) {
		free(a->q);
		free(a);
	}
}

/* ------------------------------------------------------------- whole model */

static int depth(int d, double alpha)
{
	int v = (int)(d * alpha);	/* TF-slim: max(int(d * depth_multiplier), min_depth) */
	return v > 8 ? v : 8;
}

static void build_mobilenet(double alpha, int size, int classes, int squeeze)
{
	static const int strides[13] = { 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1 };
	static const int pw[13] = { 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512,
				    1024, 1024 };
	char prefix[128], oname[256];

	struct act *a = xcalloc(1, sizeof(*a));
	a->h = a->w = size;
	a->c = 3;
	a->rank = 4;
	a->scale = 1.0f / 128;
	a->zp = g_int8 ? 0 : 128;
	act_random(a);
	int input = add_act_tensor("input", a);

	struct layer L = { 0 };
	L.kind = K_CONV;
	L.kh = L.kw = 3;
	L.sh = L.sw = 2;
	L.dh = L.dw = 1;
	L.dm = 1;
	L.pad = TFLW_PAD_SAME;
	L.act = TFLW_ACT_RELU6;
	L.oc = depth(32, alpha);
	L.target = 2.0;
	L.bias_mean = 0.25;
	L.bias_spread = 0.5;
	L.version = ver_conv();
	struct act *n = layer_run(a, &L, "MobilenetV1/MobilenetV1/Conv2d_0",
				  "MobilenetV1/MobilenetV1/Conv2d_0/Relu6");
	act_free(a);
	a = n;
	for (int b = 0; b < 13; b++) {
		struct layer D = L;
		D.kind = K_DW;
		D.sh = D.sw = strides[b];
		D.version = ver_dw(1);
		D.target = 0.6 + 1.8 * rnd_u();
		snprintf(prefix, sizeof(prefix), "MobilenetV1/MobilenetV1/Conv2d_%d_depthwise", b + 1);
		snprintf(oname, sizeof(oname), "%s/Relu6", prefix);
		n = layer_run(a, &D, prefix, oname);
		act_free(a);
		a = n;
		struct layer P = L;
		P.kh = P.kw = 1;
		P.sh = P.sw = 1;
		P.oc = depth(pw[b], alpha);
		P.target = 0.6 + 1.8 * rnd_u();
		snprintf(prefix, sizeof(prefix), "MobilenetV1/MobilenetV1/Conv2d_%d_pointwise", b + 1);
		snprintf(oname, sizeof(oname), "%s/Relu6", prefix);
		n = layer_run(a, &P, prefix, oname);
		act_free(a);
		a = n;
	}
	n = pool_run(a, TFLW_OP_AVERAGE_POOL_2D, a->h, a->w, 2, 2, TFLW_PAD_VALID,
		     TFLW_ACT_NONE, "MobilenetV1/Logits/AvgPool_1a/AvgPool");
	act_free(a);
	a = n;
	struct layer F = L;
	F.kh = F.kw = 1;
	F.sh = F.sw = 1;
	F.oc = classes;
	F.act = TFLW_ACT_NONE;
	/* logits spread: softmax neither one-hot nor flat over ~1000 classes */
	F.target = 2.0 + 1.0 * rnd_u();
	F.bias_mean = 0;
	F.bias_spread = 0.5;
	n = layer_run(a, &F, "MobilenetV1/Logits/Conv2d_1c_1x1",
		      "MobilenetV1/Logits/Conv2d_1c_1x1/BiasAdd");
	act_free(a);
	a = n;
	n = flatten_run(a, squeeze, "MobilenetV1/Logits/SpatialSqueeze");
	act_free(a);
	a = n;
	n = softmax_run(a, 1.0f, "MobilenetV1/Predictions/Reshape_1");
	int outs[1] = { n->tensor };
	tflw_set_io(g_m, &input, 1, outs, 1);
	act_free(a);
	act_free(n);
}

/* ------------------------------------------------------------ single ops */

struct opargs {
	const char *op;
	int h, w, c, oc, kh, kw, sh, sw, pad, act, dm, units, dil, hw_given;
	float beta;
};

/* Random input quantization: scale in [2^-8, 2^-4), any zero point. */
static struct act *op_input(const struct opargs *A, int rank4)
{
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

static void build_op(const struct opargs *A)
{
	struct act *in = NULL, *out = NULL;
	struct layer L;
	const char *op = A->op;

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
	} else if (!strcmp(op, "FULLY_CONNECTED")) {
		in = op_input(A, A->hw_given);
		op_layer_defaults(&L, A);
		L.kind = K_FC;
		L.oc = A->units;
		L.version = ver_fc();
		out = layer_run(in, &L, "fc", "output");
	} else if (!strcmp(op, "AVERAGE_POOL_2D") || !strcmp(op, "MAX_POOL_2D") ||
		   !strcmp(op, "UNSUPPORTED")) {
		in = op_input(A, 1);
		int b = !strcmp(op, "AVERAGE_POOL_2D") ? TFLW_OP_AVERAGE_POOL_2D : TFLW_OP_MAX_POOL_2D;
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
	} else {
		die("unknown --op %s (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, "
		    "FULLY_CONNECTED, SOFTMAX, RESHAPE, SQUEEZE, MAX_POOL_2D, UNSUPPORTED)", op);
	}
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	tflw_set_io(g_m, ins, 1, outs, 1);
	act_free(in);
	act_free(out);
}

/* ------------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
"usage: mbn-gen --alpha A --size S [--int8] [--seed N] [--classes N] [--head reshape|squeeze] -o FILE\n"
"       mbn-gen --op OP [options] [--int8] [--seed N] -o FILE\n"
"\n"
"Writes a .tflite model with random weights and calibrated quantization.\n"
"  --alpha A        width multiplier (0.1 .. 2.0 and beyond); channels max(int(d*A), 8)\n"
"  --size S         input resolution SxS (>= 1)\n"
"  --classes N      classifier outputs (default 1001)\n"
"  --head H         reshape (default, as the real models) or squeeze before softmax\n"
"  --int8           int8 activations, int8 symmetric per-channel weights\n"
"                   (default: uint8 asymmetric per-tensor, like the real models)\n"
"  --seed N         random seed (default 1); same arguments + seed = same bytes\n"
"  -o FILE          output file\n"
"\n"
"Single-operator models (--op):\n"
"  CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, FULLY_CONNECTED, SOFTMAX, RESHAPE,\n"
"  SQUEEZE, MAX_POOL_2D, UNSUPPORTED (= MAX_POOL_2D, an op the project does not run)\n"
"  --h H --w W --c C   input 1xHxWxC (default 8x8x8; FULLY_CONNECTED and SOFTMAX take\n"
"                      1xC unless --h or --w is given)\n"
"  --oc N              conv output channels (default 16)\n"
"  --k K | --kh --kw   kernel / pool filter size (default 3)\n"
"  --stride S | --sh --sw   strides (default 1)\n"
"  --dilation D        conv/depthwise dilation (default 1)\n"
"  --padding same|valid   (default same)\n"
"  --act none|relu|relu6  fused activation (default relu6 for conv/depthwise, none\n"
"                         for the others)\n"
"  --dm N              depthwise depth multiplier (default 1)\n"
"  --units N           fully connected outputs (default 10)\n"
"  --beta B            softmax beta (default 1.0)\n");
}

static int parse_int(const char *s, const char *what, int lo, int hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "mbn-gen: %s: '%s' is not an integer in %d..%d\n", what, s, lo, hi);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	enum { O_ALPHA = 256, O_SIZE, O_INT8, O_SEED, O_CLASSES, O_OP, O_H, O_W, O_C, O_OC,
	       O_K, O_KH, O_KW, O_STRIDE, O_SH, O_SW, O_PAD, O_ACT, O_DM, O_UNITS, O_BETA,
	       O_DIL, O_HEAD, O_HELP };
	static const struct option lo[] = {
		{ "alpha", 1, 0, O_ALPHA }, { "size", 1, 0, O_SIZE }, { "int8", 0, 0, O_INT8 },
		{ "seed", 1, 0, O_SEED }, { "classes", 1, 0, O_CLASSES }, { "op", 1, 0, O_OP },
		{ "h", 1, 0, O_H }, { "w", 1, 0, O_W }, { "c", 1, 0, O_C }, { "oc", 1, 0, O_OC },
		{ "k", 1, 0, O_K }, { "kh", 1, 0, O_KH }, { "kw", 1, 0, O_KW },
		{ "stride", 1, 0, O_STRIDE }, { "sh", 1, 0, O_SH }, { "sw", 1, 0, O_SW },
		{ "padding", 1, 0, O_PAD }, { "act", 1, 0, O_ACT }, { "dm", 1, 0, O_DM },
		{ "units", 1, 0, O_UNITS }, { "beta", 1, 0, O_BETA }, { "dilation", 1, 0, O_DIL },
		{ "head", 1, 0, O_HEAD }, { "output", 1, 0, 'o' }, { "help", 0, 0, O_HELP },
		{ 0, 0, 0, 0 } };
	double alpha = 0;
	int size = 0, classes = 1001, squeeze = 0, act_given = 0;
	uint64_t seed = 1;
	const char *outp = NULL;
	struct opargs A = { NULL, 8, 8, 8, 16, 3, 3, 1, 1, TFLW_PAD_SAME, TFLW_ACT_NONE, 1, 10,
			    1, 0, 1.0f };
	int ch;
	char *end;

	while ((ch = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (ch) {
		case O_ALPHA:
			alpha = strtod(optarg, &end);
			if (*end || !(alpha > 0 && alpha <= 8))
				die("--alpha: '%s' is not a number in (0, 8]", optarg);
			break;
		case O_SIZE: size = parse_int(optarg, "--size", 1, 4096); break;
		case O_INT8: g_int8 = 1; break;
		case O_SEED:
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end)
				die("--seed: '%s' is not an integer", optarg);
			break;
		case O_CLASSES: classes = parse_int(optarg, "--classes", 1, 1 << 20); break;
		case O_OP: A.op = optarg; break;
		case O_H: A.h = parse_int(optarg, "--h", 1, 4096); A.hw_given = 1; break;
		case O_W: A.w = parse_int(optarg, "--w", 1, 4096); A.hw_given = 1; break;
		case O_C: A.c = parse_int(optarg, "--c", 1, 1 << 20); break;
		case O_OC: A.oc = parse_int(optarg, "--oc", 1, 1 << 20); break;
		case O_K: A.kh = A.kw = parse_int(optarg, "--k", 1, 256); break;
		case O_KH: A.kh = parse_int(optarg, "--kh", 1, 256); break;
		case O_KW: A.kw = parse_int(optarg, "--kw", 1, 256); break;
		case O_STRIDE: A.sh = A.sw = parse_int(optarg, "--stride", 1, 256); break;
		case O_SH: A.sh = parse_int(optarg, "--sh", 1, 256); break;
		case O_SW: A.sw = parse_int(optarg, "--sw", 1, 256); break;
		case O_DIL: A.dil = parse_int(optarg, "--dilation", 1, 64); break;
		case O_DM: A.dm = parse_int(optarg, "--dm", 1, 4096); break;
		case O_UNITS: A.units = parse_int(optarg, "--units", 1, 1 << 20); break;
		case O_BETA:
			A.beta = strtof(optarg, &end);
			if (*end || !(A.beta > 0))
				die("--beta: '%s' is not a positive number", optarg);
			break;
		case O_PAD:
			if (!strcmp(optarg, "same")) A.pad = TFLW_PAD_SAME;
			else if (!strcmp(optarg, "valid")) A.pad = TFLW_PAD_VALID;
			else die("--padding: '%s' is not same or valid", optarg);
			break;
		case O_ACT:
			act_given = 1;
			if (!strcmp(optarg, "none")) A.act = TFLW_ACT_NONE;
			else if (!strcmp(optarg, "relu")) A.act = TFLW_ACT_RELU;
			else if (!strcmp(optarg, "relu6")) A.act = TFLW_ACT_RELU6;
			else die("--act: '%s' is not none, relu or relu6", optarg);
			break;
		case O_HEAD:
			if (!strcmp(optarg, "reshape")) squeeze = 0;
			else if (!strcmp(optarg, "squeeze")) squeeze = 1;
			else die("--head: '%s' is not reshape or squeeze", optarg);
			break;
		case 'o': outp = optarg; break;
		case 'h':
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !outp) {
		usage(stderr);
		return 2;
	}
	if (g_int8) {
		g_qmin = -128;
		g_qmax = 127;
	}
	rng_state = seed;

	char desc[256];
	if (A.op) {
		if (!act_given && (!strcmp(A.op, "CONV_2D") || !strcmp(A.op, "DEPTHWISE_CONV_2D")))
			A.act = TFLW_ACT_RELU6;
		snprintf(desc, sizeof(desc), "mbn-gen --op %s %s seed %llu", A.op,
			 g_int8 ? "int8" : "uint8", (unsigned long long)seed);
	} else {
		if (alpha <= 0 || size <= 0)
			die("%s", "a whole model needs --alpha and --size (or use --op)");
		snprintf(desc, sizeof(desc), "mbn-gen MobileNet v1 alpha %g size %d %s seed %llu",
			 alpha, size, g_int8 ? "int8" : "uint8", (unsigned long long)seed);
	}
	g_m = tflw_model_new(desc);
	if (!g_m)
		die("%s", "out of memory");
	if (A.op)
		build_op(&A);
	else
		build_mobilenet(alpha, size, classes, squeeze);
	int rc = tflw_model_write_file(g_m, outp);
	if (rc) {
		fprintf(stderr, "mbn-gen: %s: %s\n", outp, strerror(-rc));
		return 1;
	}
	tflw_model_free(g_m);
	return 0;
}
