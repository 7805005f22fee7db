/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_core - mbn-gen's building blocks (see gen_core.h): RNG, activations with their
 * calibration values, conv/depthwise/FC layers with weight generation and calibration,
 * pools, RESHAPE/SQUEEZE, SOFTMAX.
 *
 * Calibration: each layer is evaluated in integer arithmetic on a random input (the
 * accumulator sum((in - in_zp) * (w - w_zp)) is independent of the scales), then the
 * weight scale is chosen so that the pre-activation has a target spread, the bias is
 * drawn relative to that spread, and the output scale/zero point cover the observed
 * output range (ReLU6: [0, min(6, max)]). So every layer has varied, non-saturated
 * outputs whatever the depth of the network.
 *
 * MBN_GEN_DEBUG=1 in the environment prints each layer's calibration to stderr.
 */
#include "gen_core.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- RNG */

static uint64_t rng_state;

void gen_seed(uint64_t seed) { rng_state = seed; }

uint64_t rnd64(void)
{
	/* splitmix64 (Steele, Lea, Flood 2014) */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double rnd_u(void) { return (double)(rnd64() >> 11) * 0x1p-53; }
double rnd_sym(void) { return 2.0 * rnd_u() - 1.0; }
int rnd_int(int lo, int hi) { return lo + (int)(rnd64() % (uint64_t)(hi - lo + 1)); }

/* Approximately normal, unit variance (Irwin-Hall of 4; no libm transcendental). */
double rnd_gauss(void)
{
	double s = rnd_u() + rnd_u() + rnd_u() + rnd_u();
	return (s - 2.0) * 1.7320508075688772;
}

/* ------------------------------------------------------------------- globals */

int g_int8;
int g_qmin = 0, g_qmax = 255;
struct tflw_model *g_m;
int g_own_buffers;
int g_signature;

void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mbn-gen: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		die("%s", "out of memory");
	return p;
}

int ck(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "mbn-gen: %s: %s\n", what, strerror(-rc));
		exit(1);
	}
	return rc;
}

static int act_type(void) { return g_int8 ? TFL_TYPE_INT8 : TFL_TYPE_UINT8; }

int clampi(long v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : (int)v; }

/* -------------------------------------------------------------- activations */


size_t act_size(const struct act *a) { return (size_t)a->h * a->w * a->c; }

int act_type_of(const struct act *a)
{
	switch (a->dt) {
	case DT_U8: return TFL_TYPE_UINT8;
	case DT_I8: return TFL_TYPE_INT8;
	case DT_F32: return TFL_TYPE_FLOAT32;
	default: return act_type();
	}
}

int act_qmin(const struct act *a)
{
	return a->dt == DT_U8 ? 0 : a->dt == DT_I8 ? -128 : g_qmin;
}

int act_qmax(const struct act *a)
{
	return a->dt == DT_U8 ? 255 : a->dt == DT_I8 ? 127 : g_qmax;
}

int add_act_tensor(const char *name, struct act *a)
{
	int32_t shape[4];
	if (a->rank == 4) {
		shape[0] = 1; shape[1] = a->h; shape[2] = a->w; shape[3] = a->c;
	} else {
		shape[0] = 1; shape[1] = a->c;
	}
	int64_t zp = a->zp;
	struct tflw_quant q = { 1, &a->scale, &zp, 0 };
	/* The MLIR converter gives every tensor a buffer of its own, empty for activations
	 * (vww_96_int8_keras.tflite); TOCO shares the empty buffer 0. */
	int buf = g_own_buffers ? ck(tflw_buffer_add(g_m, NULL, 0), "buffer") : 0;
	a->tensor = ck(tflw_tensor_add(g_m, name, act_type_of(a), shape, a->rank, buf,
				       a->dt == DT_F32 ? NULL : &q), name);
	if (g_signature) {
		shape[0] = -1;
		ck(tflw_tensor_set_signature(g_m, a->tensor, shape, a->rank), name);
	}
	return a->tensor;
}

void act_random(struct act *a)
{
	size_t n = act_size(a);
	a->q = xcalloc(n, sizeof(int32_t));
	for (size_t i = 0; i < n; i++)
		a->q[i] = rnd_int(g_qmin, g_qmax);
}

/* Output scale/zero point covering [lo, hi] (extended to contain 0), as the TFLite
 * converter nudges ranges so that real 0 is exactly representable. */
void choose_quant_range(double lo, double hi, int qmin, int qmax, float *scale, int *zp)
{
	if (lo > 0)
		lo = 0;
	if (hi < 0)
		hi = 0;
	if (hi - lo < 1e-3)
		hi = lo + 1e-3;
	double s = (hi - lo) / (double)(qmax - qmin);
	*scale = (float)s;
	*zp = clampi(lround((double)qmin - lo / s), qmin, qmax);
}

void choose_quant(double lo, double hi, float *scale, int *zp)
{
	choose_quant_range(lo, hi, g_qmin, g_qmax, scale, zp);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Calibration range: the 0.1% and 99.9% quantiles of up to 65536 evenly spaced
 * samples (plain min/max lets one outlier in a million set the scale). */
void range_of(const double *v, size_t n, double *lo, double *hi)
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


int out_dim(int in, int k, int s, int d, int pad)
{
	int ek = (k - 1) * d + 1;
	if (pad == TFL_PAD_SAME)
		return (in + s - 1) / s;
	return in >= ek ? (in - ek) / s + 1 : 0;
}

/* TFLite ComputePaddingHeightWidth (kernels/padding.h): offset before is total / 2. */
static int pad_before(int in, int out, int k, int s, int d, int pad)
{
	if (pad != TFL_PAD_SAME)
		return 0;
	int total = (out - 1) * s + (k - 1) * d + 1 - in;
	return total > 0 ? total / 2 : 0;
}

static void apply_act(int act, double *v)
{
	if (act == TFL_ACT_RELU || act == TFL_ACT_RELU6)
		if (*v < 0)
			*v = 0;
	if (act == TFL_ACT_RELU6 && *v > 6)
		*v = 6;
}

/*
 * Conv / depthwise / fully connected layer: weights, bias, output tensor and operator.
 * Returns the output activation (input of the next layer).
 */
struct act *layer_run(struct act *in, const struct layer *L, const char *prefix,
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
	int per_channel = L->pc == PC_PER_CHANNEL ? 1 : L->pc == PC_PER_TENSOR ? 0 :
			  g_int8 && L->kind != K_FC;
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
		if (L->act == TFL_ACT_NONE)
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
	int bt = ck(tflw_tensor_add(g_m, name, TFL_TYPE_INT32, bshape, 1, bbuf, &bqp), name);

	add_act_tensor(out_name, out);

	struct tflw_options opt = { 0 };
	int builtin;
	opt.activation = L->act;
	if (L->kind == K_FC) {
		builtin = TFL_OP_FULLY_CONNECTED;
		opt.type = TFL_OPT_FULLY_CONNECTED;
	} else {
		builtin = L->kind == K_DW ? TFL_OP_DEPTHWISE_CONV_2D : TFL_OP_CONV_2D;
		opt.type = L->kind == K_DW ? TFL_OPT_DEPTHWISE : TFL_OPT_CONV2D;
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
int ver_conv(void) { return g_int8 ? 3 : 1; }
int ver_dw(int dil) { return g_int8 ? 3 : dil > 1 ? 2 : 1; }
int ver_fc(void) { return g_int8 ? 4 : 1; }
int ver_pool(void) { return g_int8 ? 2 : 1; }
int ver_softmax(void) { return g_int8 ? 2 : 1; }

/* AVERAGE_POOL_2D / MAX_POOL_2D: output quantization equals the input's, as the
 * converter emits it (the kernels average/max raw quantized values). */
struct act *pool_run(struct act *in, int builtin, int fh, int fw, int sh, int sw,
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
		long r = builtin == TFL_OP_MAX_POOL_2D ? mx :
			 sum >= 0 ? (sum + cnt / 2) / cnt : (sum - cnt / 2) / cnt;
		out->q[((size_t)oy * ow + ox) * in->c + c] = clampi(r, g_qmin, g_qmax);
	}
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	opt.type = TFL_OPT_POOL2D;
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
struct act *flatten_run(struct act *in, int squeeze, const char *out_name)
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
		opt.type = TFL_OPT_SQUEEZE;
		opt.dims = dims;
		opt.ndims = 2;
		int ins[1] = { in->tensor };
		ck(tflw_op_add(g_m, TFL_OP_SQUEEZE, 1, ins, 1, outs, 1, &opt), "operator");
	} else {
		int32_t shape[2] = { 1, out->c }, sshape[1] = { 2 };
		char name[512];
		snprintf(name, sizeof(name), "%s/shape", out_name);
		int sb = ck(tflw_buffer_add(g_m, shape, sizeof(shape)), "buffer");
		int st = ck(tflw_tensor_add(g_m, name, TFL_TYPE_INT32, sshape, 1, sb, NULL), name);
		opt.type = TFL_OPT_RESHAPE;
		opt.dims = shape;
		opt.ndims = 2;
		int ins[2] = { in->tensor, st };
		ck(tflw_op_add(g_m, TFL_OP_RESHAPE, 1, ins, 2, outs, 1, &opt), "operator");
	}
	return out;
}

/* SOFTMAX: output scale 1/256, zero point 0 (uint8) or -128 (int8), which TFLite's
 * softmax Prepare requires (kernels/activations.cc). */
struct act *softmax_run(struct act *in, float beta, const char *out_name)
{
	struct act *out = xcalloc(1, sizeof(*out));
	*out = *in;
	out->q = NULL;
	out->scale = 1.0f / 256;
	out->zp = g_int8 ? -128 : 0;
	add_act_tensor(out_name, out);
	struct tflw_options opt = { 0 };
	opt.type = TFL_OPT_SOFTMAX;
	opt.beta = beta;
	int ins[1] = { in->tensor }, outs[1] = { out->tensor };
	ck(tflw_op_add(g_m, TFL_OP_SOFTMAX, ver_softmax(), ins, 1, outs, 1, &opt), "operator");
	return out;
}

void act_free(struct act *a)
{
	if (a) {
		free(a->q);
		free(a);
	}
}

struct act *act_clone(const struct act *a)
{
	struct act *o = xcalloc(1, sizeof(*o));
	*o = *a;
	o->tensor = -1;
	o->q = xcalloc(act_size(a), sizeof(int32_t));
	if (a->q)
		memcpy(o->q, a->q, sizeof(int32_t) * act_size(a));
	return o;
}
