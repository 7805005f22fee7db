/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c - the public API: devices by URI, model loading (files or memory, chained),
 * running, model description. Converts between the model's types and the biased
 * domain of graph.h at the graph's edges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend.h"
#include "graph.h"
#include "mbnaccel.h"
#include "util.h"

#define MAX_MODEL_BYTES (1u << 30)
#define MAX_FILES 16

static const struct mbn_backend *const backends[] = { &mbn_backend_cpu, &mbn_backend_sim };

struct mbn_model {
	mbn_device *dev;
	struct mbn_graph g;
	void *plan;
	uint8_t *in_buf, *out_buf;
	struct mbn_run_stats stats;
	bool profile;
	bool profiled;                     /* layer_stats hold a profiled run */
	struct mbn_layer_stats *layer_stats; /* [n_layers] */
};

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
		dev->be = backends[i];
		snprintf(dev->uri, sizeof(dev->uri), "%s", uri);
		int r = dev->be->open(dev, args);
		if (r) {
			mbn_error_prefix("device '%s'", uri);
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
	if (!strcmp(scheme, "drm"))
		return mbn_set_error(-ENODEV, "device '%s': the drm backend is not built yet (available: cpu, sim)", uri);
	return mbn_set_error(-EINVAL, "unknown device '%s' (expected cpu, sim[:options] or drm[:path])", uri);
}

MBN_EXPORT void mbn_device_close(mbn_device *dev)
{
	if (!dev)
		return;
	dev->be->close(dev);
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

MBN_EXPORT int mbn_model_load(mbn_device *dev, const char *const *paths, int n_paths, mbn_model **out)
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
		r = mbn_model_load_buffers(dev, (const void *const *)bufs, sizes, paths, n_paths, out);
	for (int i = 0; i < n_paths; i++)
		free(bufs[i]);
	return r;
}

MBN_EXPORT int mbn_model_load_buffers(mbn_device *dev, const void *const *bufs, const size_t *sizes,
				      const char *const *names, int n_bufs, mbn_model **out)
{
	int r;

	if (!out)
		return mbn_set_error(-EINVAL, "mbn_model_load_buffers: out is NULL");
	*out = NULL;
	if (!dev || !bufs || !sizes)
		return mbn_set_error(-EINVAL, "mbn_model_load_buffers: NULL argument");
	mbn_model *m = calloc(1, sizeof(*m));
	if (!m)
		return mbn_set_error(-ENOMEM, "out of memory");
	m->dev = dev;
	if ((r = mbn_graph_load(bufs, sizes, names, n_bufs, &m->g)))
		goto fail;
	m->in_buf = malloc(m->g.input.bytes);
	m->out_buf = malloc(m->g.output.bytes);
	m->layer_stats = calloc((size_t)m->g.n_layers, sizeof(*m->layer_stats));
	if (!m->in_buf || !m->out_buf || !m->layer_stats) {
		r = mbn_set_error(-ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = dev->be->compile(dev, &m->g, &m->plan))) {
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
	if (m->plan)
		m->dev->be->release(m->dev, m->plan);
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

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

MBN_EXPORT int mbn_model_run(mbn_model *m, const void *input, size_t input_size, void *output,
			     size_t output_size, float *probs)
{
	if (!m || !input || !output)
		return mbn_set_error(-EINVAL, "mbn_model_run: NULL argument");
	if (input_size != m->g.input.bytes)
		return mbn_set_error(-EINVAL, "input is %zu bytes, the model's input '%s' needs %zu", input_size,
				     m->g.input.name, m->g.input.bytes);
	if (output_size != m->g.output.bytes)
		return mbn_set_error(-EINVAL, "output buffer is %zu bytes, the model's output '%s' has %zu",
				     output_size, m->g.output.name, m->g.output.bytes);
	double t0 = now_us();
	const uint8_t *in = input;
	/* int8 models: into the biased domain (graph.h) by flipping the sign bit. */
	uint8_t flip_in = m->g.input.type == MBN_TYPE_INT8 ? 0x80 : 0;
	for (size_t i = 0; i < input_size; i++)
		m->in_buf[i] = in[i] ^ flip_in;
	memset(&m->stats, 0, sizeof(m->stats));
	if (m->profile) {
		memset(m->layer_stats, 0, (size_t)m->g.n_layers * sizeof(*m->layer_stats));
		for (int i = 0; i < m->g.n_layers; i++)
			m->layer_stats[i].macs = mbn_layer_macs(&m->g.layers[i]);
	}
	m->profiled = false;
	int r = m->dev->be->run(m->dev, m->plan, m->in_buf, m->out_buf, &m->stats, m->profile ? m->layer_stats : NULL);
	if (r)
		return r;
	m->profiled = m->profile;
	uint8_t flip_out = m->g.output.type == MBN_TYPE_INT8 ? 0x80 : 0;
	uint8_t *o = output;
	for (size_t i = 0; i < output_size; i++)
		o[i] = m->out_buf[i] ^ flip_out;
	if (probs) {
		const struct mbn_tensor_info *oi = &m->g.output;
		for (size_t i = 0; i < output_size; i++) {
			int32_t q = oi->type == MBN_TYPE_INT8 ? (int8_t)o[i] : o[i];
			probs[i] = oi->scale * (float)(q - oi->zero_point);
		}
	}
	m->stats.wall_us = now_us() - t0;
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
	info->in_h = l->in_h, info->in_w = l->in_w, info->in_c = l->in_c;
	info->out_h = l->out_h, info->out_w = l->out_w, info->out_c = l->out_c;
	info->k_h = l->k_h, info->k_w = l->k_w, info->stride_h = l->stride_h, info->stride_w = l->stride_w;
	info->params = mbn_layer_params(l);
	info->macs = mbn_layer_macs(l);
	info->on_accel = m->dev->be->layer_on_accel(m->dev, m->plan, i);
	info->accel_layer = mbn_layer_is_accel_candidate(&m->g, i);
	return 0;
}

MBN_EXPORT const char *mbn_model_describe(const mbn_model *m)
{
	return m ? m->g.describe : "";
}
