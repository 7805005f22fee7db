/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_run.c - measures one model on a device (bench_run.h): the runs mbn-bench makes
 * and the totals it reports, shared by its per-model report and its --grid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_run.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void bench_say(int progress, const char *what)
{
	if (progress)
		fprintf(stderr, "\r\033[K%s%s", *what ? "mbn-bench: " : "", what);
}

int bench_array_macs(const mbn_device *dev)
{
	const char *desc = mbn_device_describe(dev);
	const char *mp = strstr(desc, " MACs");
	if (!mp) /* "...: 256 MACs ..." */
		return 0;
	const char *q = mp;
	while (q > desc && q[-1] >= '0' && q[-1] <= '9')
		q--;
	return atoi(q);
}

uint64_t bench_job_macs(const struct mbn_layer_stats *st, int n, int i)
{
	uint64_t m = st[i].macs;
	for (int j = i + 1; j < n && st[j].fused; j++)
		m += st[j].macs;
	return m;
}

void bench_result_free(struct bench_result *r)
{
	free(r->li);
	free(r->st);
	r->li = NULL;
	r->st = NULL;
	if (r->m)
		mbn_model_free(r->m);
	r->m = NULL;
}

/* The input is a fixed pseudo-random tensor, so runs repeat exactly: random bytes for a
 * quantized input, floats in [-1, 1) for a float32 one (random bytes would be NaNs and
 * infinities). */
static void fill_input(const struct mbn_tensor_info *in, uint8_t *input)
{
	uint32_t x = 12345;
	if (in->type == MBN_TYPE_FLOAT32) {
		float *f = (float *)input;
		for (size_t i = 0; i < in->elems; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			f[i] = (float)((x >> 8) / 8388608.0 - 1.0);
		}
	} else {
		for (size_t i = 0; i < in->bytes; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
			input[i] = (uint8_t)x;
		}
	}
}

int bench_measure(mbn_device *dev, const char *const *models, int n_models, const struct bench_opts *o,
		  struct bench_result *r)
{
	uint8_t *input = NULL, *output = NULL;
	double *lat = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	bench_say(o->progress, "loading and compiling");
	double t = now_s();
	rc = mbn_model_load_opts(dev, models, n_models, o->lopts, &r->m);
	if (rc) {
		snprintf(r->err, sizeof(r->err), "%s (%s)", mbn_last_error(), mbn_strerror(rc));
		r->m = NULL;
		return 1;
	}
	r->load_s = now_s() - t;
	struct mbn_tensor_info in, out;
	mbn_model_input_info(r->m, &in);
	mbn_model_output_info(r->m, &out);
	input = malloc(in.bytes ? in.bytes : 1);
	output = malloc(out.bytes ? out.bytes : 1);
	r->n = mbn_model_layer_count(r->m);
	r->li = calloc(r->n > 0 ? (size_t)r->n : 1, sizeof(*r->li));
	r->st = calloc(r->n > 0 ? (size_t)r->n : 1, sizeof(*r->st));
	if (!input || !output || !r->li || !r->st) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		goto fail;
	}
	fill_input(&in, input);
	for (int i = 0; i < r->n; i++) {
		mbn_model_layer_info(r->m, i, &r->li[i]);
		r->accel |= r->li[i].on_accel;
	}
	/* Two runs on an accelerator by default: the first pays for page faults in the
	 * simulated DRAM and cold caches, so host CPU time is the minimum over the runs. */
	r->runs = o->runs > 0 ? o->runs : r->accel ? 2
						   : 20;
	lat = malloc((size_t)r->runs * sizeof(double));
	if (!lat) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		goto fail;
	}

	/* Timed runs of the whole network. */
	for (long i = 0; i < r->runs; i++) {
		char msg[64];
		snprintf(msg, sizeof(msg), "run %ld/%ld", i + 1, r->runs);
		bench_say(o->progress, msg);
		t = now_s();
		if (mbn_model_run(r->m, input, in.bytes, output, out.bytes, NULL)) {
			snprintf(r->err, sizeof(r->err), "run failed: %s", mbn_last_error());
			goto fail;
		}
		lat[i] = now_s() - t;
		mbn_model_last_stats(r->m, &r->rs);
		if (i == 0 || r->rs.host_cpu_us < r->host_min_us)
			r->host_min_us = r->rs.host_cpu_us;
	}
	qsort(lat, (size_t)r->runs, sizeof(double), cmp_double);
	r->median_s = lat[r->runs / 2];
	r->min_s = lat[0];

	/* One profiled run for the per-layer numbers. */
	if (o->profile) {
		bench_say(o->progress, "profiling layer by layer");
		if (mbn_model_set_profiling(r->m, 1) || mbn_model_run(r->m, input, in.bytes, output, out.bytes, NULL)) {
			snprintf(r->err, sizeof(r->err), "profiled run failed: %s", mbn_last_error());
			goto fail;
		}
		for (int i = 0; i < r->n; i++)
			mbn_model_layer_stats(r->m, i, &r->st[i]);
	}
	bench_say(o->progress, "");

	/* Which layers ran on the accelerator is the plan's (mbn_layer_info.on_accel and
	 * mbn_layer_stats.on_accel are the same flag), so the totals need no profiled run. */
	r->array = bench_array_macs(dev);
	for (int i = 0; i < r->n; i++) {
		r->macs += r->li[i].macs;
		if (r->li[i].on_accel) {
			r->accel_macs += r->li[i].macs;
			r->cyc_sum += r->st[i].cycles;
		}
	}
	r->util = r->rs.accel_cycles && r->array ? (double)r->accel_macs / ((double)r->rs.accel_cycles * r->array) : 0;
	r->share = r->macs ? (double)r->accel_macs / (double)r->macs : 0;
	r->fps = r->rs.accel_cycles ? o->clock_mhz * 1e6 / (double)r->rs.accel_cycles : 1.0 / r->median_s;
	free(lat);
	free(input);
	free(output);
	return 0;

fail:
	bench_say(o->progress, "");
	free(lat);
	free(input);
	free(output);
	bench_result_free(r);
	return 1;
}
