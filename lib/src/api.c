/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c - the public API: devices by URI, model loading (files or memory, chained),
 * synchronous runs, statistics, model description (the asynchronous requests are
 * queue.c's). Converts between the model's types and the biased domain of graph.h at
 * the graph's edges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devices/backend.h"
#include "kernels/cpu_ops.h"
#include "graph.h"
#include "mbnaccel.h"
#include "util.h"

#define MAX_MODEL_BYTES (1u << 30)
#define MAX_FILES 16

static const struct mbn_backend *const backends[] = { &mbn_backend_cpu, &mbn_backend_sim, &mbn_backend_drm };

#include "api_int.h"

MBN_EXPORT int mbn_device_open(const char *uri, mbn_device **out)
{
	char scheme[32];
	const char *args;

	if (!out)
		return mbn_set_error(-EINVAL, "mbn_device_open: out is NULL");
	*out = NULL;
	if (!uri || !uri[0])
		uri = getenv("MBN_DEVICE");
	if (!uri || !uri[0]) {
		/* The default device (DESIGN.md section 1): the simulated accelerator, or the
		 * CPU reference where the simulator library is not available. */
		if (mbn_device_open("sim", out) == 0)
			return 0;
		uri = "cpu";
	}
	size_t n = strcspn(uri, ":");
	if (n >= sizeof(scheme) || strlen(uri) >= sizeof(((mbn_device *)0)->uri))
		return mbn_set_error(-EINVAL, "device URI '%.64s' is too long", uri);
	memcpy(scheme, uri, n);
	scheme[n] = 0;
	args = uri[n] == ':' ? uri + n + 1 : "";
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(backends[i]->scheme, scheme))
			continue;
		mbn_device *dev = calloc(1, sizeof(*dev));
		if (!dev)
			return mbn_set_error(-ENOMEM, "out of memory");
		pthread_mutex_init(&dev->lock, NULL);
		dev->be = backends[i];
		snprintf(dev->uri, sizeof(dev->uri), "%s", uri);
		int r = dev->be->open(dev, args);
		if (r) {
			mbn_error_prefix("device '%s'", uri);
			pthread_mutex_destroy(&dev->lock);
			free(dev);
			return r;
		}
		if (dev->be->describe)
			dev->be->describe(dev, dev->describe, sizeof(dev->describe));
		else
			snprintf(dev->describe, sizeof(dev->describe), "%s", scheme);
		*out = dev;
		return 0;
	}
	return mbn_set_error(-EINVAL, "unknown device '%s' (expected cpu, sim[:options] or drm[:path])", uri);
}

MBN_EXPORT void mbn_device_close(mbn_device *dev)
{
	if (!dev)
		return;
	dev->be->close(dev);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

MBN_EXPORT const char *mbn_device_uri(const mbn_device *dev)
{
	return dev ? dev->uri : "";
}

MBN_EXPORT const char *mbn_device_describe(const mbn_device *dev)
{
	return dev ? dev->describe : "";
}

static int read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f)
		return mbn_set_error(-errno, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return mbn_set_error(-EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > MAX_MODEL_BYTES) {
		fclose(f);
		return mbn_set_error(-EFBIG, "%s: %lld bytes is larger than the 1 GiB limit", path, (long long)st.st_size);
	}
	*size = (size_t)st.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data) {
		fclose(f);
		return mbn_set_error(-ENOMEM, "%s: out of memory", path);
	}
	if (fread(*data, 1, *size, f) != *size) {
		int e = ferror(f) ? errno : EIO;
		free(*data);
		fclose(f);
		return mbn_set_error(-e, "%s: read failed", path);
	}
	fclose(f);
	return 0;
}

MBN_EXPORT const char *mbn_type_name(enum mbn_type t)
{
	return t == MBN_TYPE_INT8 ? "int8" : t == MBN_TYPE_UINT8 ? "uint8" : t == MBN_TYPE_FLOAT32 ? "float32" : "?";
}

MBN_EXPORT const char *mbn_match_name(enum mbn_match match)
{
	switch (match) {
	case MBN_MATCH_X86: return "x86";
	case MBN_MATCH_ARM64: return "arm64";
	case MBN_MATCH_NATIVE: return mbn_match_name(mbn_match_native());
	}
	return "unknown";
}

MBN_EXPORT int mbn_match_parse(const char *s, enum mbn_match *match)
{
	static const struct { const char *name; enum mbn_match m; } names[] = {
		{ "native", MBN_MATCH_NATIVE }, { "x86", MBN_MATCH_X86 }, { "x86-64", MBN_MATCH_X86 },
		{ "x86_64", MBN_MATCH_X86 }, { "amd64", MBN_MATCH_X86 }, { "arm64", MBN_MATCH_ARM64 },
		{ "aarch64", MBN_MATCH_ARM64 },
	};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*match = names[i].m;
			return 0;
		}
	return mbn_set_error(-EINVAL, "unknown match '%s' (expected x86, arm64 or native)", s ? s : "(null)");
}

MBN_EXPORT enum mbn_match mbn_model_match(const mbn_model *m)
{
	return m ? m->g.match : mbn_match_native();
}

MBN_EXPORT int mbn_model_load(mbn_device *dev, const char *const *paths, int n_paths, mbn_model **out)
{
	return mbn_model_load_opts(dev, paths, n_paths, NULL, out);
}

MBN_EXPORT int mbn_model_load_buffers(mbn_device *dev, const void *const *bufs, const size_t *sizes,
				      const char *const *names, int n_bufs, mbn_model **out)
{
	return mbn_model_load_buffers_opts(dev, bufs, sizes, names, n_bufs, NULL, out);
}

MBN_EXPORT int mbn_model_load_opts(mbn_device *dev, const char *const *paths, int n_paths,
				   const struct mbn_load_options *opts, mbn_model **out)
{
	void *bufs[MAX_FILES] = { 0 };
	size_t sizes[MAX_FILES];
	int r = 0;

	if (!out)
		return mbn_set_error(-EINVAL, "mbn_model_load: out is NULL");
	*out = NULL;
	if (!paths || n_paths < 1 || n_paths > MAX_FILES)
		return mbn_set_error(-EINVAL, "expected 1 to %d model files, got %d", MAX_FILES, n_paths);
	for (int i = 0; i < n_paths && !r; i++)
		r = read_file(paths[i], &bufs[i], &sizes[i]);
	if (!r)
		r = mbn_model_load_buffers_opts(dev, (const void *const *)bufs, sizes, paths, n_paths, opts, out);
	for (int i = 0; i < n_paths; i++)
		free(bufs[i]);
	return r;
}

MBN_EXPORT int mbn_model_load_buffers_opts(mbn_device *dev, const void *const *bufs, const size_t *sizes,
					   const char *const *names, int n_bufs, const struct mbn_load_options *opts,
					   mbn_model **out)
{
	enum mbn_match match = opts ? opts->match : MBN_MATCH_NATIVE;
	int r;

	if (!out)
		return mbn_set_error(-EINVAL, "mbn_model_load_buffers: out is NULL");
	*out = NULL;
	if (!dev || !bufs || !sizes)
		return mbn_set_error(-EINVAL, "mbn_model_load_buffers: NULL argument");
	if (opts && opts->flags)
		return mbn_set_error(-EINVAL, "mbn_load_options.flags is 0x%x; no flags are defined (must be 0)", opts->flags);
	if (match != MBN_MATCH_NATIVE && match != MBN_MATCH_X86 && match != MBN_MATCH_ARM64)
		return mbn_set_error(-EINVAL, "mbn_load_options.match is %d (expected MBN_MATCH_NATIVE, _X86 or _ARM64)", (int)match);
	if (match == MBN_MATCH_NATIVE)
		match = mbn_match_native();
	mbn_model *m = calloc(1, sizeof(*m));
	if (!m)
		return mbn_set_error(-ENOMEM, "out of memory");
	m->dev = dev;
	m->depth = DEFAULT_QUEUE_DEPTH;
	m->epoll_fd = m->done_efd = -1;
	if ((r = mbn_graph_load(bufs, sizes, names, n_bufs, match, &m->g)))
		goto fail;
	m->in_buf = malloc(m->g.in_elems);
	m->out_buf = malloc(m->g.out_elems);
	m->layer_stats = calloc((size_t)m->g.n_layers, sizeof(*m->layer_stats));
	if (!m->in_buf || !m->out_buf || !m->layer_stats) {
		r = mbn_set_error(-ENOMEM, "out of memory");
		goto fail;
	}
	if (dev->be->exclusive)
		pthread_mutex_lock(&dev->lock);
	r = dev->be->compile(dev, &m->g, &m->plan);
	if (dev->be->exclusive)
		pthread_mutex_unlock(&dev->lock);
	if (r) {
		mbn_error_prefix("compiling for device '%s'", dev->uri);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	free(m->in_buf);
	free(m->out_buf);
	free(m->layer_stats);
	mbn_graph_free(&m->g);
	free(m);
	return r;
}

MBN_EXPORT void mbn_model_free(mbn_model *m)
{
	if (!m)
		return;
	mbn_queue_free(m);
	if (m->plan) {
		if (m->dev->be->exclusive)
			pthread_mutex_lock(&m->dev->lock);
		m->dev->be->release(m->dev, m->plan);
		if (m->dev->be->exclusive)
			pthread_mutex_unlock(&m->dev->lock);
	}
	free(m->in_buf);
	free(m->out_buf);
	free(m->layer_stats);
	mbn_graph_free(&m->g);
	free(m);
}

MBN_EXPORT int mbn_model_input_info(const mbn_model *m, struct mbn_tensor_info *info)
{
	if (!m || !info)
		return mbn_set_error(-EINVAL, "mbn_model_input_info: NULL argument");
	*info = m->g.input;
	return 0;
}

MBN_EXPORT int mbn_model_output_info(const mbn_model *m, struct mbn_tensor_info *info)
{
	if (!m || !info)
		return mbn_set_error(-EINVAL, "mbn_model_output_info: NULL argument");
	*info = m->g.output;
	return 0;
}

double mbn_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int mbn_check_sizes(const mbn_model *m, const char *fn, const void *input, size_t input_size,
		       const void *output, size_t output_size)
{
	if (!m || !input || !output)
		return mbn_set_error(-EINVAL, "%s: NULL argument", fn);
	if (input_size != m->g.input.bytes)
		return mbn_set_error(-EINVAL, "input is %zu bytes, the model's input '%s' needs %zu", input_size,
				     m->g.input.name, m->g.input.bytes);
	if (output_size != m->g.output.bytes)
		return mbn_set_error(-EINVAL, "output buffer is %zu bytes, the model's output '%s' has %zu",
				     output_size, m->g.output.name, m->g.output.bytes);
	return 0;
}

/* Into the biased domain (graph.h): int8 by flipping the sign bit, float32 by
 * TFLite's QUANTIZE (cpu_convert.c). */
void mbn_input_to_biased(const mbn_model *m, const void *input, uint8_t *dst)
{
	const uint8_t *in = input;
	uint8_t flip = m->g.input.type == MBN_TYPE_INT8 ? 0x80 : 0;

	if (m->g.in_edge.is_float) {
		mbn_edge_quantize(&m->g.in_edge, m->g.match, input, dst, m->g.in_elems);
		return;
	}
	for (size_t i = 0; i < m->g.in_elems; i++)
		dst[i] = in[i] ^ flip;
}

void mbn_init_layer_stats(const mbn_model *m, struct mbn_layer_stats *st)
{
	memset(st, 0, (size_t)m->g.n_layers * sizeof(*st));
	for (int i = 0; i < m->g.n_layers; i++)
		st[i].macs = mbn_layer_macs(&m->g.layers[i]);
}

/* The raw output and the dequantized probabilities from the biased-domain result. */
void mbn_deliver_output(const mbn_model *m, const uint8_t *res, void *output, float *probs)
{
	const struct mbn_tensor_info *oi = &m->g.output;
	uint8_t flip = oi->type == MBN_TYPE_INT8 ? 0x80 : 0;
	uint8_t *o = output;

	if (m->g.out_edge.is_float) {
		/* DEQUANTIZE: the floats are the output and the probabilities */
		mbn_edge_dequantize(&m->g.out_edge, m->g.match, res, (float *)output, m->g.out_elems);
		if (probs)
			memcpy(probs, output, m->g.out_elems * sizeof(float));
		return;
	}
	for (size_t i = 0; i < oi->bytes; i++)
		o[i] = res[i] ^ flip;
	if (probs) {
		for (size_t i = 0; i < oi->bytes; i++) {
			int32_t q = oi->type == MBN_TYPE_INT8 ? (int8_t)o[i] : o[i];
			probs[i] = oi->scale * (float)(q - oi->zero_point);
		}
	}
}

MBN_EXPORT int mbn_model_run(mbn_model *m, const void *input, size_t input_size, void *output,
			     size_t output_size, float *probs)
{
	int r;

	if ((r = mbn_check_sizes(m, "mbn_model_run", input, input_size, output, output_size)))
		return r;
	if (m->pending) {
		/* requests in flight use the plan: queue behind them */
		uint64_t t;
		if ((r = mbn_model_submit(m, input, input_size, output, output_size, probs, &t)))
			return r;
		return mbn_model_wait(m, t, -1);
	}
	double t0 = mbn_now_us();
	mbn_input_to_biased(m, input, m->in_buf);
	memset(&m->stats, 0, sizeof(m->stats));
	if (m->profile)
		mbn_init_layer_stats(m, m->layer_stats);
	m->profiled = false;
	if (m->dev->be->exclusive)
		pthread_mutex_lock(&m->dev->lock);
	r = m->dev->be->run(m->dev, m->plan, m->in_buf, m->out_buf, &m->stats, m->profile ? m->layer_stats : NULL);
	if (m->dev->be->exclusive)
		pthread_mutex_unlock(&m->dev->lock);
	if (r)
		return r;
	m->profiled = m->profile;
	mbn_deliver_output(m, m->out_buf, output, probs);
	m->stats.wall_us = mbn_now_us() - t0;
	if (m->stats.host_cpu_us == 0)
		m->stats.host_cpu_us = m->stats.wall_us;
	return 0;
}

MBN_EXPORT int mbn_model_last_stats(const mbn_model *m, struct mbn_run_stats *stats)
{
	if (!m || !stats)
		return mbn_set_error(-EINVAL, "mbn_model_last_stats: NULL argument");
	*stats = m->stats;
	return 0;
}

MBN_EXPORT int mbn_model_set_profiling(mbn_model *m, int on)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_set_profiling: NULL model");
	m->profile = on != 0;
	return 0;
}

MBN_EXPORT int mbn_model_layer_stats(const mbn_model *m, int i, struct mbn_layer_stats *st)
{
	if (!m || !st)
		return mbn_set_error(-EINVAL, "mbn_model_layer_stats: NULL argument");
	if (i < 0 || i >= m->g.n_layers)
		return mbn_set_error(-ERANGE, "layer %d out of range (0..%d)", i, m->g.n_layers - 1);
	if (!m->profiled)
		return mbn_set_error(-EINVAL, "no per-layer statistics: the last run was not profiled (mbn_model_set_profiling)");
	*st = m->layer_stats[i];
	return 0;
}

MBN_EXPORT int mbn_model_layer_count(const mbn_model *m)
{
	return m ? m->g.n_layers : mbn_set_error(-EINVAL, "NULL model");
}

MBN_EXPORT int mbn_model_layer_info(const mbn_model *m, int i, struct mbn_layer_info *info)
{
	if (!m || !info)
		return mbn_set_error(-EINVAL, "mbn_model_layer_info: NULL argument");
	if (i < 0 || i >= m->g.n_layers)
		return mbn_set_error(-ERANGE, "layer %d out of range (0..%d)", i, m->g.n_layers - 1);
	const struct mbn_layer *l = &m->g.layers[i];
	memset(info, 0, sizeof(*info));
	info->kind = (enum mbn_layer_kind)l->op;
	info->op_name = l->op_name;
	info->name = l->name;
	info->file = l->file;
	info->op_index = l->op_index;
	info->in_h = l->in_h, info->in_w = l->in_w, info->in_c = l->in_c;
	info->out_h = l->out_h, info->out_w = l->out_w, info->out_c = l->out_c;
	info->k_h = l->k_h, info->k_w = l->k_w, info->stride_h = l->stride_h, info->stride_w = l->stride_w;
	info->params = mbn_layer_params(l);
	info->macs = mbn_layer_macs(l);
	info->on_accel = m->dev->be->layer_on_accel(m->dev, m->plan, i);
	info->accel_layer = mbn_layer_is_accel_candidate(&m->g, i);
	info->folded = l->folded[0] ? l->folded : NULL;
	info->cpu_reason = NULL;
	if (!info->on_accel && m->dev->be->layer_cpu_reason)
		info->cpu_reason = m->dev->be->layer_cpu_reason(m->dev, m->plan, i);
	return 0;
}

MBN_EXPORT const char *mbn_model_describe(const mbn_model *m)
{
	return m ? m->g.describe : "";
}

