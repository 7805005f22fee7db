/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_host.c - the host side that every accelerator device (sim, drm) shares: the
 * compiled plan, and between the accelerator's segments of a run, reading a segment's
 * output, running the CPU layers (pool, classifier, softmax, and whatever the
 * accelerator does not run between its segments) and writing the next segment's input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/accel.h"
#include "devices/backend.h"
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
	size_t fm = mbn_graph_max_fmap(g), seg_out = 0;
	for (int k = 0; k < h->ap.n_seg; k++) {
		const struct accel_segment *sg = &h->ap.seg[k];
		size_t b = (size_t)sg->out_h * sg->out_w * sg->out_c;
		if (b > seg_out)
			seg_out = b;
	}
	/* the kernels' scratch for the layers the host runs: those before, between and
	 * after the segments (mbn_accel_host_step) */
	size_t work = 0;
	for (int k = 0; k <= h->ap.n_seg; k++) {
		int from = k > 0 ? h->ap.seg[k - 1].end : 0;
		int to = k < h->ap.n_seg ? h->ap.seg[k].first : g->n_layers;
		size_t w = mbn_cpu_range_work(g, from, to);
		if (w > work)
			work = w;
	}
	h->buf[0] = malloc(fm);
	h->buf[1] = malloc(fm);
	h->work = malloc(work ? work : 1);
	h->fmap = seg_out ? malloc(seg_out) : NULL;
	if (!h->buf[0] || !h->buf[1] || !h->work || (seg_out && !h->fmap)) {
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
	free(h->work);
	memset(h, 0, sizeof(*h));
}

void mbn_accel_host_mark(const struct accel_host *h, struct mbn_layer_stats *per_layer)
{
	for (int i = 0; i < h->ap.g->n_layers; i++) {
		per_layer[i].on_accel = h->ap.layers[i].on_accel;
		per_layer[i].fused = h->ap.layers[i].on_accel && !h->ap.layers[i].n_desc;
	}
}

const uint8_t *mbn_accel_host_step(struct accel_host *h, const struct mbn_graph *g, int si, const uint8_t *in,
				   uint8_t *act, struct mbn_layer_stats *per_layer, double *host_us)
{
	double t0 = now_us();
	const struct accel_plan *ap = &h->ap;
	const uint8_t *x = in;
	int from = 0, to = si < ap->n_seg ? ap->seg[si].first : g->n_layers;

	if (si > 0) {
		mbn_accel_read_output(ap, si - 1, act, h->fmap);
		x = h->fmap;
		from = ap->seg[si - 1].end;
	}
	for (int i = from; i < to; i++) {
		double l0 = now_us();
		x = mbn_cpu_run_range(g, i, i + 1, x, h->buf[i & 1], h->buf[(i + 1) & 1], h->work);
		if (per_layer)
			per_layer[i].host_us = now_us() - l0;
	}
	if (si < ap->n_seg) {
		mbn_accel_write_input(ap, si, x, act);
		x = NULL;
	}
	*host_us += now_us() - t0;
	return x;
}
