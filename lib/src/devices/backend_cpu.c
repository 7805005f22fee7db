/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend_cpu.c - the "cpu" device: every layer on the bit-exact CPU reference
 * (cpu_ops.c). It is the test baseline and the fallback; the accelerator backends use
 * mbn_cpu_run_range() for the CPU tail (pool, classifier, softmax).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/backend.h"
#include "kernels/cpu_ops.h"
#include "util.h"

struct cpu_plan {
	const struct mbn_graph *g;
	uint8_t *buf[2];
	void *work; /* the kernels' scratch (mbn_cpu_scratch_bytes), allocated once */
};

size_t mbn_cpu_range_work(const struct mbn_graph *g, int first, int last)
{
	size_t n = 0;

	for (int i = first; i < last; i++) {
		size_t b = mbn_cpu_scratch_bytes(&g->layers[i]);

		n = b > n ? b : n;
	}
	return n;
}

uint8_t *mbn_cpu_run_range(const struct mbn_graph *g, int first, int last, const uint8_t *in,
			   uint8_t *scratch0, uint8_t *scratch1, void *work)
{
	const uint8_t *src = in;
	uint8_t *dst = scratch0;

	for (int i = first; i < last; i++) {
		mbn_cpu_run_layer(&g->layers[i], src, dst, work);
		src = dst;
		dst = dst == scratch0 ? scratch1 : scratch0;
	}
	return (uint8_t *)src;
}

static int cpu_open(struct mbn_device *dev, const char *args)
{
	if (args[0])
		return mbn_set_error(-EINVAL, "device 'cpu' takes no options (got '%s')", args);
	return 0;
}

static void cpu_close(struct mbn_device *dev)
{
}

static int cpu_compile(struct mbn_device *dev, const struct mbn_graph *g, void **plan)
{
	struct cpu_plan *p = calloc(1, sizeof(*p));
	size_t n = mbn_graph_max_fmap(g);

	if (!p)
		return mbn_set_error(-ENOMEM, "out of memory");
	size_t w = mbn_cpu_range_work(g, 0, g->n_layers);

	p->g = g;
	p->buf[0] = malloc(n);
	p->buf[1] = malloc(n);
	p->work = malloc(w ? w : 1);
	if (!p->buf[0] || !p->buf[1] || !p->work) {
		free(p->buf[0]);
		free(p->buf[1]);
		free(p->work);
		free(p);
		return mbn_set_error(-ENOMEM, "out of memory for %zu-byte feature maps and %zu bytes of kernel scratch",
				     n, w);
	}
	*plan = p;
	return 0;
}

static void cpu_release(struct mbn_device *dev, void *plan)
{
	struct cpu_plan *p = plan;

	free(p->buf[0]);
	free(p->buf[1]);
	free(p->work);
	free(p);
}

static int cpu_run(struct mbn_device *dev, void *plan, const uint8_t *in, uint8_t *out,
		   struct mbn_run_stats *stats, struct mbn_layer_stats *per_layer)
{
	struct cpu_plan *p = plan;
	const uint8_t *res = in;

	if (!per_layer) {
		res = mbn_cpu_run_range(p->g, 0, p->g->n_layers, in, p->buf[0], p->buf[1], p->work);
	} else {
		for (int i = 0; i < p->g->n_layers; i++) {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			res = mbn_cpu_run_range(p->g, i, i + 1, res, p->buf[i & 1], p->buf[(i + 1) & 1],
						p->work);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			per_layer[i].host_us = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
		}
	}
	memcpy(out, res, p->g->out_elems);
	return 0;
}

static bool cpu_layer_on_accel(struct mbn_device *dev, void *plan, int i)
{
	return false;
}

const struct mbn_backend mbn_backend_cpu = {
	.scheme = "cpu",
	.open = cpu_open,
	.close = cpu_close,
	.compile = cpu_compile,
	.release = cpu_release,
	.run = cpu_run,
	.layer_on_accel = cpu_layer_on_accel,
};
