/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c - the public API: devices by URI, model loading (files or memory, chained),
 * running (synchronous, and asynchronous requests polled with io_uring), model
 * description. Converts between the model's types and the biased domain of graph.h at
 * the graph's edges.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
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

#define MAX_QUEUE_DEPTH 64
#define DEFAULT_QUEUE_DEPTH 4

/* One asynchronous request; a slot is reused once its request is collected. */
struct mbn_req {
	uint64_t ticket;                   /* 0: free slot */
	bool done;                         /* completed (output delivered), not collected */
	bool discard;                      /* model being freed: deliver nothing */
	int result;
	char err[512];
	uint8_t *in_buf, *out_buf;         /* biased domain */
	void *output;
	float *probs;
	struct mbn_run_stats stats;
	struct mbn_layer_stats *layer_stats; /* [n_layers] */
	bool profiled;
	struct mbn_job job;
	double t0;
};

struct mbn_model {
	mbn_device *dev;
	struct mbn_graph g;
	void *plan;
	uint8_t *in_buf, *out_buf;
	struct mbn_run_stats stats;
	bool profile;
	bool profiled;                     /* layer_stats hold a profiled run */
	struct mbn_layer_stats *layer_stats; /* [n_layers] */

	/* asynchronous requests */
	struct mbn_req *reqs[MAX_QUEUE_DEPTH];
	int depth, pending, n_done;        /* pending: submitted, not collected */
	uint64_t next_ticket;
	struct io_uring ring;
	bool ring_ok, ring_tried;          /* without io_uring: poll(2) */
	int epoll_fd, done_efd;            /* mbn_model_completion_fd(); -1 until asked for */
	struct mbn_worker *worker;         /* backends without submit */
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

static void complete_req(mbn_model *m, struct mbn_req *q);

MBN_EXPORT void mbn_model_free(mbn_model *m)
{
	if (!m)
		return;
	/* requests in flight: wait for them (the device may still write their buffers) */
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		struct mbn_req *q = m->reqs[i];
		if (q && q->ticket && !q->done) {
			q->discard = true;
			complete_req(m, q);
		}
	}
	mbn_worker_destroy(m->worker);
	if (m->ring_ok)
		io_uring_queue_exit(&m->ring);
	if (m->epoll_fd >= 0)
		close(m->epoll_fd);
	if (m->done_efd >= 0)
		close(m->done_efd);
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		if (!m->reqs[i])
			continue;
		free(m->reqs[i]->in_buf);
		free(m->reqs[i]->out_buf);
		free(m->reqs[i]->layer_stats);
		free(m->reqs[i]);
	}
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

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int check_sizes(const mbn_model *m, const char *fn, const void *input, size_t input_size,
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
static void input_to_biased(const mbn_model *m, const void *input, uint8_t *dst)
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

static void init_layer_stats(const mbn_model *m, struct mbn_layer_stats *st)
{
	memset(st, 0, (size_t)m->g.n_layers * sizeof(*st));
	for (int i = 0; i < m->g.n_layers; i++)
		st[i].macs = mbn_layer_macs(&m->g.layers[i]);
}

/* The raw output and the dequantized probabilities from the biased-domain result. */
static void deliver_output(const mbn_model *m, const uint8_t *res, void *output, float *probs)
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

	if ((r = check_sizes(m, "mbn_model_run", input, input_size, output, output_size)))
		return r;
	if (m->pending) {
		/* requests in flight use the plan: queue behind them */
		uint64_t t;
		if ((r = mbn_model_submit(m, input, input_size, output, output_size, probs, &t)))
			return r;
		return mbn_model_wait(m, t, -1);
	}
	double t0 = now_us();
	input_to_biased(m, input, m->in_buf);
	memset(&m->stats, 0, sizeof(m->stats));
	if (m->profile)
		init_layer_stats(m, m->layer_stats);
	m->profiled = false;
	if (m->dev->be->exclusive)
		pthread_mutex_lock(&m->dev->lock);
	r = m->dev->be->run(m->dev, m->plan, m->in_buf, m->out_buf, &m->stats, m->profile ? m->layer_stats : NULL);
	if (m->dev->be->exclusive)
		pthread_mutex_unlock(&m->dev->lock);
	if (r)
		return r;
	m->profiled = m->profile;
	deliver_output(m, m->out_buf, output, probs);
	m->stats.wall_us = now_us() - t0;
	if (m->stats.host_cpu_us == 0)
		m->stats.host_cpu_us = m->stats.wall_us;
	return 0;
}

/* ---- asynchronous requests -------------------------------------------------------- */

static struct mbn_req *find_req(const mbn_model *m, uint64_t ticket)
{
	for (int i = 0; ticket && i < MAX_QUEUE_DEPTH; i++)
		if (m->reqs[i] && m->reqs[i]->ticket == ticket)
			return m->reqs[i];
	return NULL;
}

/* The job's fd is readable (or the caller must wait anyway): finish the job and
 * deliver the output. The request stays until collected. */
static void complete_req(mbn_model *m, struct mbn_req *q)
{
	const struct mbn_backend *be = m->dev->be;

	if (m->epoll_fd >= 0)
		epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, q->job.fd, NULL);
	int r = be->submit ? be->finish(m->dev, m->plan, &q->job) : mbn_worker_finish(m->worker, &q->job);
	/* -EAGAIN and -ENOENT mean "not collected" to the caller of a wait */
	if (r)
		snprintf(q->err, sizeof(q->err), "%s", mbn_last_error());
	if (r == -EAGAIN || r == -ENOENT)
		r = -EIO;
	q->result = r;
	if (!r && !q->discard)
		deliver_output(m, q->out_buf, q->output, q->probs);
	q->stats.wall_us = now_us() - q->t0;
	if (q->stats.host_cpu_us == 0)
		q->stats.host_cpu_us = q->stats.wall_us;
	q->done = true;
	if (m->n_done++ == 0 && m->done_efd >= 0) {
		uint64_t one = 1;
		if (write(m->done_efd, &one, sizeof(one)) < 0)
			MBN_DEBUG("eventfd write failed: %s\n", strerror(errno));
	}
}

static int collect_req(mbn_model *m, struct mbn_req *q)
{
	int r = q->result;

	m->stats = q->stats;
	m->profiled = q->profiled;
	if (q->profiled)
		memcpy(m->layer_stats, q->layer_stats, (size_t)m->g.n_layers * sizeof(*m->layer_stats));
	if (r)
		mbn_set_error(r, "%s", q->err);
	q->ticket = 0;
	q->done = false;
	m->pending--;
	if (--m->n_done == 0 && m->done_efd >= 0) {
		uint64_t v;
		if (read(m->done_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			MBN_DEBUG("eventfd read failed: %s\n", strerror(errno));
	}
	return r;
}

/* Wait until some request in flight completes or the deadline passes (deadline < 0:
 * forever) and complete every request whose fd is ready. 0, or -EAGAIN at the deadline. */
static int reap(mbn_model *m, double deadline)
{
	int timeout_ms = -1;

	if (deadline >= 0) {
		double left = deadline - now_us();
		timeout_ms = left > 0 ? (int)(left / 1000 + 0.999) : 0;
	}
	if (m->ring_ok) {
		struct io_uring_cqe *cqe;
		struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = timeout_ms % 1000 * 1000000ll };
		int r;
		do
			r = timeout_ms < 0 ? io_uring_wait_cqe(&m->ring, &cqe) : io_uring_wait_cqe_timeout(&m->ring, &cqe, &ts);
		while (r == -EINTR);
		if (r == -ETIME || r == -EAGAIN || r == -ETIMEDOUT)
			return -EAGAIN;
		if (r == 0) {
			unsigned head, n = 0;
			io_uring_for_each_cqe(&m->ring, head, cqe) {
				struct mbn_req *q = find_req(m, cqe->user_data);
				n++;
				if (q && !q->done)
					complete_req(m, q);
			}
			io_uring_cq_advance(&m->ring, n);
			return 0;
		}
		/* io_uring failed: from now on poll(2) */
		MBN_DEBUG("io_uring wait failed (%s); falling back to poll(2)\n", strerror(-r));
		m->ring_ok = false;
		io_uring_queue_exit(&m->ring);
	}
	struct pollfd pfd[MAX_QUEUE_DEPTH];
	struct mbn_req *which[MAX_QUEUE_DEPTH];
	int n = 0;
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		struct mbn_req *q = m->reqs[i];
		if (q && q->ticket && !q->done) {
			pfd[n] = (struct pollfd){ .fd = q->job.fd, .events = POLLIN };
			which[n++] = q;
		}
	}
	if (!n)
		return 0;
	int r;
	while ((r = poll(pfd, (nfds_t)n, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return -EAGAIN;
	for (int i = 0; i < n; i++)
		if (r < 0 || pfd[i].revents)
			complete_req(m, which[i]);
	return 0;
}

static int setup_ring(mbn_model *m)
{
	if (m->ring_tried)
		return 0;
	m->ring_tried = true;
	int r = io_uring_queue_init(MAX_QUEUE_DEPTH * 2, &m->ring, 0);
	if (r < 0)
		MBN_DEBUG("io_uring unavailable (%s); asynchronous requests use poll(2)\n", strerror(-r));
	m->ring_ok = r == 0;
	return 0;
}

MBN_EXPORT int mbn_model_submit(mbn_model *m, const void *input, size_t input_size, void *output,
				size_t output_size, float *probs, uint64_t *ticket)
{
	const struct mbn_backend *be;
	struct mbn_req *q = NULL;
	int r;

	if (ticket)
		*ticket = 0;
	if ((r = check_sizes(m, "mbn_model_submit", input, input_size, output, output_size)))
		return r;
	if (!ticket)
		return mbn_set_error(-EINVAL, "mbn_model_submit: ticket is NULL");
	if (m->pending >= m->depth)
		return mbn_set_error(-EBUSY, "%d requests are submitted and not collected (the queue depth); "
				     "collect one with mbn_model_wait first", m->pending);
	be = m->dev->be;
	setup_ring(m);
	if (!be->submit && !m->worker && (r = mbn_worker_create(m->dev, m->plan, &m->worker)))
		return r;
	for (int i = 0; i < MAX_QUEUE_DEPTH && !q; i++) {
		if (!m->reqs[i]) {
			struct mbn_req *n = calloc(1, sizeof(*n));
			if (n && (!(n->in_buf = malloc(m->g.in_elems)) || !(n->out_buf = malloc(m->g.out_elems)) ||
				  !(n->layer_stats = calloc((size_t)m->g.n_layers, sizeof(*n->layer_stats))))) {
				free(n->in_buf);
				free(n->out_buf);
				free(n);
				n = NULL;
			}
			if (!n)
				return mbn_set_error(-ENOMEM, "out of memory");
			m->reqs[i] = n;
		}
		if (!m->reqs[i]->ticket)
			q = m->reqs[i];
	}
	input_to_biased(m, input, q->in_buf);
	memset(&q->stats, 0, sizeof(q->stats));
	q->profiled = m->profile;
	if (q->profiled)
		init_layer_stats(m, q->layer_stats);
	memset(&q->job, 0, sizeof(q->job));
	q->job.in = q->in_buf;
	q->job.out = q->out_buf;
	q->job.stats = &q->stats;
	q->job.per_layer = q->profiled ? q->layer_stats : NULL;
	q->job.fd = -1;
	q->output = output;
	q->probs = probs;
	q->done = q->discard = false;
	q->result = 0;
	q->err[0] = 0;
	q->t0 = now_us();
	r = be->submit ? be->submit(m->dev, m->plan, &q->job) : mbn_worker_submit(m->worker, &q->job);
	if (r)
		return r;
	q->ticket = ++m->next_ticket;
	m->pending++;
	if (m->ring_ok) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&m->ring);
		if (sqe) {
			io_uring_prep_poll_add(sqe, q->job.fd, POLLIN);
			io_uring_sqe_set_data64(sqe, q->ticket);
		}
		if (!sqe || io_uring_submit(&m->ring) != 1) {
			/* cannot arm the poll: everything through poll(2) from now on */
			MBN_DEBUG("io_uring submit failed; falling back to poll(2)\n");
			m->ring_ok = false;
			io_uring_queue_exit(&m->ring);
		}
	}
	if (m->epoll_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = q->ticket };
		epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, q->job.fd, &ev);
	}
	MBN_DEBUG("submitted request %llu (fd %d, %d pending)\n", (unsigned long long)q->ticket, q->job.fd, m->pending);
	*ticket = q->ticket;
	return 0;
}

MBN_EXPORT int mbn_model_wait(mbn_model *m, uint64_t ticket, int timeout_ms)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_wait: NULL model");
	struct mbn_req *q = find_req(m, ticket);
	if (!q)
		return mbn_set_error(-ENOENT, "ticket %llu is unknown or already collected", (unsigned long long)ticket);
	double deadline = timeout_ms < 0 ? -1 : now_us() + timeout_ms * 1e3;
	while (!q->done) {
		if (reap(m, deadline) == -EAGAIN && !q->done)
			return mbn_set_error(-EAGAIN, "request %llu is not complete after %d ms", (unsigned long long)ticket,
					     timeout_ms);
	}
	return collect_req(m, q);
}

MBN_EXPORT int mbn_model_wait_any(mbn_model *m, int timeout_ms, uint64_t *ticket)
{
	if (ticket)
		*ticket = 0;
	if (!m || !ticket)
		return mbn_set_error(-EINVAL, "mbn_model_wait_any: NULL argument");
	if (!m->pending)
		return mbn_set_error(-ENOENT, "no request is submitted and uncollected");
	double deadline = timeout_ms < 0 ? -1 : now_us() + timeout_ms * 1e3;
	for (;;) {
		struct mbn_req *best = NULL;
		for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
			struct mbn_req *q = m->reqs[i];
			if (q && q->ticket && q->done && (!best || q->ticket < best->ticket))
				best = q;
		}
		if (best) {
			*ticket = best->ticket;
			return collect_req(m, best);
		}
		if (reap(m, deadline) == -EAGAIN && !m->n_done)
			return mbn_set_error(-EAGAIN, "no request completed within %d ms", timeout_ms);
	}
}

MBN_EXPORT int mbn_model_completion_fd(mbn_model *m)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_completion_fd: NULL model");
	if (m->epoll_fd >= 0)
		return m->epoll_fd;
	/* an epoll set of every in-flight job's fd, plus an eventfd that is non-zero while
	 * completed requests wait to be collected */
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = eventfd(m->n_done ? 1 : 0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 };
	if (ep < 0 || efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev)) {
		int e = errno;
		if (ep >= 0)
			close(ep);
		if (efd >= 0)
			close(efd);
		return mbn_set_error(-e, "cannot create the completion fd: %s", strerror(e));
	}
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		struct mbn_req *q = m->reqs[i];
		if (q && q->ticket && !q->done) {
			ev.data.u64 = q->ticket;
			epoll_ctl(ep, EPOLL_CTL_ADD, q->job.fd, &ev);
		}
	}
	m->epoll_fd = ep;
	m->done_efd = efd;
	return ep;
}

MBN_EXPORT int mbn_model_set_queue_depth(mbn_model *m, int depth)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_set_queue_depth: NULL model");
	if (depth < 1 || depth > MAX_QUEUE_DEPTH)
		return mbn_set_error(-EINVAL, "queue depth %d: expected 1..%d", depth, MAX_QUEUE_DEPTH);
	if (depth < m->pending)
		return mbn_set_error(-EBUSY, "queue depth %d: %d requests are outstanding", depth, m->pending);
	m->depth = depth;
	return 0;
}

MBN_EXPORT int mbn_model_pending(const mbn_model *m)
{
	return m ? m->pending : mbn_set_error(-EINVAL, "mbn_model_pending: NULL model");
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
