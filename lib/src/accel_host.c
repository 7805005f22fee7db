/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_host.c - the host side that every accelerator device (sim, drm) shares: the
 * compiled plan, and after the accelerator's part of a run, reading its output and
 * running the remaining layers (pool, classifier, softmax) on the CPU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel.h"
#include "backend.h"
#include "util.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int mbn_accel_host_init(struct accel_host *h, const struct mbn_graph *g, const struct accel_caps *caps)
{
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = mbn_accel_compile(g, caps, &h->ap)))
		return r;
	size_t fm = mbn_graph_max_fmap(g);
	h->buf[0] = malloc(fm);
	h->buf[1] = malloc(fm);
	h->fmap = h->ap.n_accel ? malloc((size_t)h->ap.out_h * h->ap.out_w * h->ap.out_c) : NULL;
	if (!h->buf[0] || !h->buf[1] || (h->ap.n_accel && !h->fmap)) {
		mbn_accel_host_free(h);
		return mbn_set_error(-ENOMEM, "out of memory");
	}
	return 0;
}

void mbn_accel_host_free(struct accel_host *h)
{
	mbn_accel_plan_free(&h->ap);
	free(h->fmap);
	free(h->buf[0]);
	free(h->buf[1]);
	memset(h, 0, sizeof(*h));
}

void mbn_accel_host_mark(const struct accel_host *h, struct mbn_layer_stats *per_layer)
{
	for (int i = 0; i < h->ap.n_accel; i++) {
		per_layer[i].on_accel = 1;
		per_layer[i].fused = !h->ap.layers[i].n_desc;
	}
}

double mbn_accel_host_tail(struct accel_host *h, const struct mbn_graph *g, const uint8_t *act, const uint8_t *in,
			   uint8_t *out, struct mbn_layer_stats *per_layer)
{
	double t0 = now_us();
	const uint8_t *x = in;

	if (h->ap.n_accel) {
		mbn_accel_read_output(&h->ap, act, h->fmap);
		x = h->fmap;
	}
	for (int i = h->ap.n_accel; i < g->n_layers; i++) {
		double l0 = now_us();
		x = mbn_cpu_run_range(g, i, i + 1, x, h->buf[i & 1], h->buf[(i + 1) & 1]);
		if (per_layer)
			per_layer[i].host_us = now_us() - l0;
	}
	memcpy(out, x, g->output.bytes);
	return now_us() - t0;
}
