/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_shape.c - the shape arithmetic that converters leave in front of Keras
 * Reshape layers (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE's shape input; also
 * CONCATENATION and GATHER on such vectors), evaluated once at load time. Tensor shapes
 * are static in a .tflite file, so SHAPE of any tensor is a constant, and so is anything
 * computed from constants. An operand that is run-time data (an activation's values) is
 * refused with a message naming it.
 *
 * Semantics follow tensorflow/lite/kernels/shape.cc, strided_slice.cc (with
 * kernels/internal/strided_slice_logic.h: begin/end clamping, masks, shrink_axis),
 * pack.cc, concatenation.cc and gather.cc, for the 0-D and 1-D int32 vectors that shape
 * arithmetic uses; higher ranks are refused.
 */
#include <errno.h>
#include <string.h>

#include "loader/tflite_int.h"
#include "util.h"

bool is_shape_op(int bc)
{
	return bc == TFL_OP_SHAPE || bc == TFL_OP_STRIDED_SLICE || bc == TFL_OP_PACK || bc == TFL_OP_CONCATENATION ||
	       bc == TFL_OP_GATHER;
}

int const_ints(struct file_ctx *c, const struct tensor *t, const char *what, int32_t *v, int max, int *n)
{
	const struct fold_val *f = c->folded ? &c->folded[t->idx] : NULL;

	if (f && f->known) {
		if (f->n > max)
			return ERR(c, -ENOTSUP, "%s '%s' has %d values, at most %d are supported", what, t->name, f->n, max);
		memcpy(v, f->v, (size_t)f->n * sizeof(*v));
		*n = f->n;
		return 0;
	}
	if (t->buffer == 0)
		return ERR(c, -EINVAL, "%s '%s' is computed from run-time data (it must be a constant or computed from tensor shapes at load time)",
			   what, t->name);
	if (t->type != TFL_TYPE_INT32 && t->type != TFL_TYPE_INT64)
		return ERR(c, -EINVAL, "%s '%s' is %s, expected int32 or int64", what, t->name, type_name(t->type));
	if (t->elems > (uint64_t)max)
		return ERR(c, -ENOTSUP, "%s '%s' has %llu values, at most %d are supported", what, t->name,
			   (unsigned long long)t->elems, max);
	const unsigned sz = t->type == TFL_TYPE_INT64 ? 8 : 4;
	const uint8_t *d;
	int r;
	if ((r = const_data(c, t, t->elems * sz, &d)))
		return r;
	for (uint64_t i = 0; i < t->elems; i++) {
		int64_t x;
		if (sz == 8) {
			memcpy(&x, d + i * 8, 8);
		} else {
			int32_t y;
			memcpy(&y, d + i * 4, 4);
			x = y;
		}
		if (x < INT32_MIN || x > INT32_MAX)
			return ERR(c, -EINVAL, "%s '%s' value %lld does not fit 32 bits", what, t->name, (long long)x);
		v[i] = (int32_t)x;
	}
	*n = (int)t->elems;
	return 0;
}

/* Operand k of a shape operator: its values, which must be known at load time. */
static int operand(struct file_ctx *c, const struct op_io *io, int k, struct tensor *t, int32_t *v, int *n)
{
	int r;

	if ((r = read_tensor(c, io->in[k], t)))
		return r;
	if (t->buffer == 0 && !c->folded[t->idx].known) /* (const_ints says so) */
		return const_ints(c, t, "input", v, FOLD_MAX, n);
	if (t->ndims > 1)
		return ERR(c, -ENOTSUP, "input '%s' has %d dimensions; shape arithmetic is supported on scalars and vectors",
			   t->name, t->ndims);
	return const_ints(c, t, "input", v, FOLD_MAX, n);
}

static int set_result(struct file_ctx *c, const struct op_io *io, int ndims, const int32_t *v, int n)
{
	struct tensor out;
	int r;

	if ((r = read_tensor(c, io->out, &out)))
		return r;
	if (out.type != TFL_TYPE_INT32)
		return ERR(c, -ENOTSUP, "output '%s' is %s; shape arithmetic is supported in int32", out.name,
			   type_name(out.type));
	if (n > FOLD_MAX)
		return ERR(c, -ENOTSUP, "output '%s' would have %d values, at most %d are supported", out.name, n, FOLD_MAX);
	/* the declared shape must be what we computed */
	if (out.ndims != ndims || (ndims == 1 && out.dims[0] != n))
		return ERR(c, -EINVAL, "output '%s' is declared with %d dimensions (%d values), but the operator gives %d dimensions (%d values)",
			   out.name, out.ndims, out.ndims == 1 ? out.dims[0] : 1, ndims, n);
	struct fold_val *f = &c->folded[out.idx];
	f->known = true;
	f->ndims = ndims;
	f->n = n;
	memcpy(f->v, v, (size_t)n * sizeof(*v));
	return 0;
}

/* strided_slice_logic.h StartForAxis / StopForAxis for one axis of size dim. */
static int32_t clamp_index(int32_t i, int32_t dim, int32_t stride, bool is_end)
{
	if (i < 0)
		i += dim;
	if (stride > 0)
		return i < 0 ? 0 : i > dim ? dim : i;
	/* stride < 0: begin in [0, dim-1], end in [-1, dim-1] */
	int32_t lo = is_end ? -1 : 0;
	return i < lo ? lo : i > dim - 1 ? dim - 1 : i;
}

static int fold_strided_slice(struct file_ctx *c, const struct fb_tab *op, const struct op_io *io)
{
	struct tensor t[4];
	int32_t in[FOLD_MAX], b[FOLD_MAX], e[FOLD_MAX], s[FOLD_MAX], out[FOLD_MAX];
	int n, nb, ne, ns, r;
	struct fb_tab opt;

	if (io->n_in != 4)
		return ERR(c, -EINVAL, "has %d inputs, expected 4 (input, begin, end, strides)", io->n_in);
	if ((r = operand(c, io, 0, &t[0], in, &n)) || (r = operand(c, io, 1, &t[1], b, &nb)) ||
	    (r = operand(c, io, 2, &t[2], e, &ne)) || (r = operand(c, io, 3, &t[3], s, &ns)))
		return r;
	if (t[0].ndims != 1 || nb != 1 || ne != 1 || ns != 1)
		return ERR(c, -ENOTSUP, "only 1-D slices of a vector are supported (input has %d dimensions, begin/end/strides %d/%d/%d values)",
			   t[0].ndims, nb, ne, ns);
	if ((r = get_options(c, op, TFL_OPT_STRIDED_SLICE, &opt)))
		return r;
	int begin_mask = fb_i32(&opt, 0, 0), end_mask = fb_i32(&opt, 1, 0), ellipsis = fb_i32(&opt, 2, 0),
	    new_axis = fb_i32(&opt, 3, 0), shrink = fb_i32(&opt, 4, 0);
	if (c->fb.bad)
		return corrupt(c, "operator options");
	if (ellipsis & 1 || new_axis & 1)
		return ERR(c, -ENOTSUP, "ellipsis_mask and new_axis_mask are not supported");
	if (s[0] == 0)
		return ERR(c, -EINVAL, "stride 0");
	if (shrink & 1) {
		/* one element: begin must be a valid index (TFLite reads it unchecked; we refuse) */
		int32_t i = b[0] < 0 ? b[0] + n : b[0];
		if (i < 0 || i >= n)
			return ERR(c, -EINVAL, "index %d is out of range for '%s' (%d values)", b[0], t[0].name, n);
		out[0] = in[i];
		return set_result(c, io, 0, out, 1);
	}
	int32_t lo = begin_mask & 1 ? (s[0] > 0 ? 0 : n - 1) : clamp_index(b[0], n, s[0], false);
	int32_t hi = end_mask & 1 ? (s[0] > 0 ? n : -1) : clamp_index(e[0], n, s[0], true);
	int m = 0;
	for (int32_t i = lo; s[0] > 0 ? i < hi : i > hi; i += s[0])
		out[m++] = in[i];
	return set_result(c, io, 1, out, m);
}

int fold_shape_op(struct file_ctx *c, int bc, const struct fb_tab *op, const struct op_io *io)
{
	struct tensor t;
	int32_t v[FOLD_MAX], out[FOLD_MAX];
	int n, m = 0, r;

	switch (bc) {
	case TFL_OP_SHAPE:
		if (io->n_in != 1)
			return ERR(c, -EINVAL, "has %d inputs, expected 1", io->n_in);
		if ((r = read_tensor(c, io->in[0], &t)))
			return r;
		for (int d = 0; d < t.ndims; d++)
			out[d] = t.dims[d];
		return set_result(c, io, 1, out, t.ndims);
	case TFL_OP_STRIDED_SLICE:
		return fold_strided_slice(c, op, io);
	case TFL_OP_PACK:
	case TFL_OP_CONCATENATION: {
		/* PACK of scalars along axis 0, or CONCATENATION of vectors along axis 0: both
		 * lay the values end to end */
		struct fb_tab opt;
		int axis = 0;
		if (fb_u8(op, OP_OPTIONS_TYPE, 0)) {
			if ((r = get_options(c, op, bc == TFL_OP_PACK ? TFL_OPT_PACK : TFL_OPT_CONCATENATION, &opt)))
				return r;
			axis = fb_i32(&opt, bc == TFL_OP_PACK ? 1 : 0, 0);
			if (c->fb.bad)
				return corrupt(c, "operator options");
		}
		for (int k = 0; k < io->n_in; k++) {
			if ((r = operand(c, io, k, &t, v, &n)))
				return r;
			if (t.ndims != (bc == TFL_OP_PACK ? 0 : 1))
				return ERR(c, -ENOTSUP, "input '%s' has %d dimensions; %s of %s is supported", t.name, t.ndims,
					   bc == TFL_OP_PACK ? "PACK" : "CONCATENATION", bc == TFL_OP_PACK ? "scalars" : "vectors");
			if (m + n > FOLD_MAX)
				return ERR(c, -ENOTSUP, "the result would have more than %d values", FOLD_MAX);
			memcpy(out + m, v, (size_t)n * sizeof(*v));
			m += n;
		}
		if (axis != 0 && axis != -1)
			return ERR(c, -ENOTSUP, "axis %d (only 0 is supported for shape vectors)", axis);
		return set_result(c, io, 1, out, m);
	}
	case TFL_OP_GATHER: {
		struct tensor ti;
		int32_t idx[FOLD_MAX];
		int ni;
		if (io->n_in != 2)
			return ERR(c, -EINVAL, "has %d inputs, expected 2", io->n_in);
		if ((r = operand(c, io, 0, &t, v, &n)) || (r = operand(c, io, 1, &ti, idx, &ni)))
			return r;
		if (t.ndims != 1)
			return ERR(c, -ENOTSUP, "GATHER from '%s' of %d dimensions (only vectors)", t.name, t.ndims);
		for (int k = 0; k < ni; k++) {
			if (idx[k] < 0 || idx[k] >= n)
				return ERR(c, -EINVAL, "index %d is out of range for '%s' (%d values)", idx[k], t.name, n);
			out[k] = v[idx[k]];
		}
		return set_result(c, io, ti.ndims, out, ni);
	}
	default:
		return ERR(c, -ENOTSUP, "not a shape operator");
	}
}
