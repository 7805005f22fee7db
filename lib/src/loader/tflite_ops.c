/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_ops.c - the loader's part for the operators of exported models: PAD / PADV2,
 * MEAN over height and width, and QUANTIZE between quantized types. Validation follows
 * the TensorFlow Lite 2.9 kernels' Prepare() (kernels/pad.cc, reduce.cc, quantize.cc);
 * the arithmetic is cpu_convert.c and cpu_mean.c.
 */
#include <errno.h>
#include <string.h>

#include "kernels/cpu_ops.h"
#include "kernels/quant.h"
#include "loader/tflite_int.h"
#include "util.h"

/* Largest padding accepted on one side (TFLite has no limit; this keeps sizes far from
 * overflow: the padded map must still fit MAX_DIM). */
#define MAX_PAD 4096

int parse_pad(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l, bool v2)
{
	struct tensor in, pads, out;
	int32_t p[8];
	int n, r;

	(void)op;
	if (io->n_in != (v2 ? 3 : 2) && !(v2 && io->n_in == 2))
		return ERR(c, -EINVAL, "has %d inputs, expected %s", io->n_in, v2 ? "2 or 3 (input, paddings, constant)" : "2 (input, paddings)");
	if ((r = read_tensor(c, io->in[0], &in)) || (r = read_tensor(c, io->in[1], &pads)) ||
	    (r = read_tensor(c, io->out, &out)))
		return r;
	if ((r = check_nhwc(c, &in, "input")) || (r = check_nhwc(c, &out, "output")))
		return r;
	if (pads.ndims != 2 || pads.dims[0] != 4 || pads.dims[1] != 2)
		return ERR(c, -EINVAL, "paddings '%s' must be a 4x2 tensor (found %d dimensions)", pads.name, pads.ndims);
	if ((r = const_ints(c, &pads, "paddings", p, 8, &n)))
		return r;
	for (int i = 0; i < 8; i++)
		if (p[i] < 0 || p[i] > MAX_PAD)
			return ERR(c, -EINVAL, "padding %d of dimension %d in '%s' is outside 0..%d", p[i], i / 2, pads.name, MAX_PAD);
	if (p[0] || p[1] || p[6] || p[7])
		return ERR(c, -ENOTSUP, "pads the %s dimension (paddings %d,%d); only height and width can be padded",
			   p[0] || p[1] ? "batch" : "channel", p[0] || p[1] ? p[0] : p[6], p[0] || p[1] ? p[1] : p[7]);
	l->in_h = in.dims[1], l->in_w = in.dims[2], l->in_c = in.dims[3];
	l->pad_top = p[2], l->pad_bottom = p[3], l->pad_left = p[4], l->pad_right = p[5];
	l->out_h = out.dims[1], l->out_w = out.dims[2], l->out_c = out.dims[3];
	if (l->out_h != l->in_h + p[2] + p[3] || l->out_w != l->in_w + p[4] + p[5] || l->out_c != l->in_c)
		return ERR(c, -EINVAL, "output '%s' is %dx%dx%d, but padding %dx%dx%d by (%d,%d),(%d,%d) gives %dx%dx%d", out.name,
			   l->out_h, l->out_w, l->out_c, l->in_h, l->in_w, l->in_c, p[2], p[3], p[4], p[5],
			   l->in_h + p[2] + p[3], l->in_w + p[4] + p[5], l->in_c);
	l->k_h = l->k_w = l->stride_h = l->stride_w = l->depth_mult = 1;
	/* PAD copies bytes (kernels/pad.cc: the input's values, the border filled with the
	 * output zero point); a model's declared output quantization is what follows. */
	if ((r = io_quant(c, &in, &out, l)))
		return r;
	l->pad_value = l->out_zp;
	if (v2 && io->n_in == 3 && io->in[2] >= 0) {
		struct tensor cv;
		const uint8_t *d;
		if ((r = read_tensor(c, io->in[2], &cv)))
			return r;
		if (cv.type != in.type || cv.elems != 1)
			return ERR(c, -EINVAL, "constant '%s' must be one %s value (found %llu of %s)", cv.name,
				   type_name(in.type), (unsigned long long)cv.elems, type_name(cv.type));
		if ((r = const_data(c, &cv, 1, &d)))
			return r;
		l->pad_value = l->is_signed ? (int32_t)(d[0] ^ 0x80) : d[0];
	}
	return 0;
}

int parse_mean(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io, struct mbn_layer *l)
{
	struct tensor in, axis, out;
	struct fb_tab opt;
	int32_t ax[4];
	int n, r;

	if (io->n_in != 2)
		return ERR(c, -EINVAL, "has %d inputs, expected 2 (input, axis)", io->n_in);
	if ((r = read_tensor(c, io->in[0], &in)) || (r = read_tensor(c, io->in[1], &axis)) ||
	    (r = read_tensor(c, io->out, &out)))
		return r;
	if ((r = check_nhwc(c, &in, "input")))
		return r;
	if ((r = const_ints(c, &axis, "axis", ax, 4, &n)))
		return r;
	if ((r = get_options(c, op, TFL_OPT_REDUCER, &opt)))
		return r;
	l->keep_dims = fb_u8(&opt, 0, 0) != 0;
	if (c->fb.bad)
		return corrupt(c, "operator options");
	bool h = false, w = false;
	for (int i = 0; i < n; i++) {
		int a = ax[i] < 0 ? ax[i] + 4 : ax[i];
		if (a == 1 && !h)
			h = true;
		else if (a == 2 && !w)
			w = true;
		else
			return ERR(c, -ENOTSUP, "MEAN over axis %d: only the mean over height and width (axes 1 and 2) is supported",
				   ax[i]);
	}
	if (!h || !w)
		return ERR(c, -ENOTSUP, "MEAN over %s only: only the mean over both height and width (axes 1 and 2) is supported",
			   h ? "height" : "width");
	l->in_h = in.dims[1], l->in_w = in.dims[2], l->in_c = in.dims[3];
	l->out_h = l->out_w = 1, l->out_c = l->in_c;
	l->k_h = l->in_h, l->k_w = l->in_w;
	l->stride_h = l->stride_w = l->depth_mult = 1;
	bool shape_ok = l->keep_dims ? out.ndims == 4 && out.dims[0] == 1 && out.dims[1] == 1 && out.dims[2] == 1 &&
					       out.dims[3] == l->in_c
				     : out.ndims == 2 && out.dims[0] == 1 && out.dims[1] == l->in_c;
	if (!shape_ok)
		return ERR(c, -EINVAL, "output '%s' has %d dimensions and %llu elements, expected %s", out.name, out.ndims,
			   (unsigned long long)out.elems, l->keep_dims ? "1x1x1xC (keep_dims)" : "1xC");
	if ((r = io_quant(c, &in, &out, l)))
		return r;
	/* reduce.cc EvalMean on the x86 build (found with the oracle over every case,
	 * tests/oracle/test-ops-exported.sh): keep_dims with a 4-D input takes
	 * optimized_ops::Mean for uint8 and reference_integer_ops::Mean for int8;
	 * otherwise the reference kernels: reference_ops::Mean when input and output
	 * quantization are equal, QuantizedMeanOrSum when they differ. */
	l->match = c->match;
	if (l->keep_dims) /* the arm64 build takes optimized_integer_ops::Mean for int8 */
		l->mean_path = l->is_signed && c->match != MBN_MATCH_ARM64 ? MBN_MEAN_REF_4D : MBN_MEAN_OPT_4D;
	else if (l->in_scale == l->out_scale && l->in_zp == l->out_zp)
		l->mean_path = MBN_MEAN_REF_SAME;
	else
		l->mean_path = MBN_MEAN_REF_QUANT;
	mbn_mean_prepare(l);
	return 0;
}

int parse_requantize(struct file_ctx *c, const struct op_io *io, struct mbn_layer *l)
{
	struct tensor in, out;
	int r;

	if (io->n_in != 1)
		return ERR(c, -EINVAL, "has %d inputs, expected 1", io->n_in);
	if ((r = read_tensor(c, io->in[0], &in)) || (r = read_tensor(c, io->out, &out)))
		return r;
	if (out.type != TFL_TYPE_UINT8 && out.type != TFL_TYPE_INT8)
		return ERR(c, -ENOTSUP, "QUANTIZE to %s ('%s') is not supported (only int8 and uint8)", type_name(out.type),
			   out.name);
	if (in.type == TFL_TYPE_FLOAT32)
		return ERR(c, -ENOTSUP, "QUANTIZE from float32 ('%s') is supported only as the model's first operator", in.name);
	if (in.type != TFL_TYPE_UINT8 && in.type != TFL_TYPE_INT8)
		return ERR(c, -ENOTSUP, "QUANTIZE from %s ('%s') is not supported", type_name(in.type), in.name);
	if (in.elems != out.elems)
		return ERR(c, -EINVAL, "input '%s' and output '%s' differ in size", in.name, out.name);
	if ((r = act_quant(c, &in, &l->in_scale, &l->in_zp)) || (r = act_quant(c, &out, &l->out_scale, &l->out_zp)))
		return r;
	if (in.ndims == 4 && in.dims[0] == 1) {
		l->in_h = l->out_h = in.dims[1], l->in_w = l->out_w = in.dims[2], l->in_c = l->out_c = in.dims[3];
	} else {
		l->in_h = l->out_h = l->in_w = l->out_w = 1;
		l->in_c = l->out_c = (int)in.elems;
	}
	l->k_h = l->k_w = l->stride_h = l->stride_w = l->depth_mult = 1;
	/* the two tensors may differ in type; each zero point into the biased domain */
	l->is_signed = out.type == TFL_TYPE_INT8;
	if (in.type == TFL_TYPE_INT8)
		l->in_zp += 128;
	if (out.type == TFL_TYPE_INT8)
		l->out_zp += 128;
	l->act_min = 0;
	l->act_max = 255;
	/* quantize.cc Prepare: QuantizeMultiplier(double(in_scale) / double(out_scale)) */
	mbn_quantize_multiplier((double)l->in_scale / (double)l->out_scale, &l->q_mult, &l->q_shift);
	return 0;
}
