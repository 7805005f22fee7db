/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate_kernel.c - one delegate kernel per TFLite partition: init takes the chains
 * Prepare compiled for it, prepare checks the shapes against them, invoke runs one
 * mbnaccel job sequence per chain on TFLite's own tensor memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "delegate_int.h"
#include "mbnaccel.h"
#include "mbnaccel_tflite.h"

/* ---- the partition kernel ----------------------------------------------------- */

void *mbn_tfl_part_init(TfLiteContext *ctx, const char *buffer, size_t length)
{
	const TfLiteDelegateParams *params = (const TfLiteDelegateParams *)buffer;
	struct mbn_tfl_delegate *d = params->delegate->data_;
	struct part *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->d = d;
	const TfLiteIntArray *nodes = params->nodes_to_replace;
	int covered = 0;
	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < d->n_pending;) {
		struct chain *c = &d->pending[i];
		int in = 0;
		for (int z = 0; z < nodes->size; z++)
			in |= nodes->data[z] == c->nodes[0];
		if (!in) {
			i++;
			continue;
		}
		struct chain *nc = realloc(k->chains, sizeof(*nc) * (size_t)(k->n + 1));
		if (!nc) {
			snprintf(k->error, sizeof(k->error), "out of memory");
			break;
		}
		k->chains = nc;
		/* keep execution order */
		int at = k->n;
		while (at > 0 && k->chains[at - 1].first_pos > c->first_pos)
			at--;
		memmove(&k->chains[at + 1], &k->chains[at], sizeof(*c) * (size_t)(k->n - at));
		k->chains[at] = *c;
		k->n++;
		covered += c->n;
		memmove(c, c + 1, sizeof(*c) * (size_t)(d->n_pending - i - 1));
		d->n_pending--;
	}
	if (!k->error[0] && covered != nodes->size)
		snprintf(k->error, sizeof(k->error), "partition of %d nodes, of which %d are in compiled chains",
			 nodes->size, covered);
	for (int i = 0; i < k->n && !k->error[0]; i++) {
		struct chain *c = &k->chains[i];
		c->src = -1;
		for (int j = 0; j < i; j++)
			if (k->chains[j].out_t == c->in_t && k->chains[j].own_out)
				c->src = j;
		int is_output = 0;
		for (int z = 0; z < params->output_tensors->size; z++)
			is_output |= params->output_tensors->data[z] == c->out_t;
		if (!is_output && !(c->own_out = malloc(c->out_bytes)))
			snprintf(k->error, sizeof(k->error), "out of memory");
	}
	d->stats.partitions++;
	d->stats.partitions_live++;
	d->stats.nodes_claimed += (uint64_t)covered;
	pthread_mutex_unlock(&d->lock);
	return k;
}

void mbn_tfl_part_free(TfLiteContext *ctx, void *buffer)
{
	struct part *k = buffer;
	if (!k)
		return;
	pthread_mutex_lock(&k->d->lock);
	k->d->stats.partitions_live--;
	pthread_mutex_unlock(&k->d->lock);
	for (int i = 0; i < k->n; i++)
		mbn_tfl_chain_free(&k->chains[i]);
	free(k->chains);
	free(k);
}

static void dims_str(const TfLiteIntArray *a, const int *b, char *s, size_t n)
{
	size_t o = 0;
	s[0] = 0;
	for (int i = 0; i < 4 && o < n; i++)
		o += (size_t)snprintf(s + o, n - o, "%s%d", i ? "x" : "", a ? (i < a->size ? a->data[i] : 0) : b[i]);
}

TfLiteStatus mbn_tfl_part_prepare(TfLiteContext *ctx, TfLiteNode *node)
{
	struct part *k = node->user_data;
	if (!k) {
		ctx->ReportError(ctx, "mbnaccel-tflite: out of memory");
		return kTfLiteError;
	}
	if (k->error[0]) {
		ctx->ReportError(ctx, "mbnaccel-tflite: %s", k->error);
		return kTfLiteError;
	}
	for (int i = 0; i < k->n; i++) {
		const struct chain *c = &k->chains[i];
		const TfLiteTensor *in = &ctx->tensors[c->in_t], *out = &ctx->tensors[c->out_t];
		int same = in->dims && in->dims->size == 4;
		for (int dd = 0; same && dd < 4; dd++)
			same = in->dims->data[dd] == c->in_dims[dd];
		if (!same || in->bytes != c->in_bytes) {
			char now[64], was[64];
			dims_str(in->dims, NULL, now, sizeof(now));
			dims_str(NULL, c->in_dims, was, sizeof(was));
			ctx->ReportError(ctx,
					 "mbnaccel-tflite: tensor '%s' is now %s but the delegate compiled this partition "
					 "for %s: resizing after the delegate was applied is not supported; create the "
					 "interpreter for the new size",
					 in->name ? in->name : "", now, was);
			return kTfLiteError;
		}
		if (out->bytes != c->out_bytes) {
			ctx->ReportError(ctx, "mbnaccel-tflite: tensor '%s' holds %zu bytes, the partition writes %zu",
					 out->name ? out->name : "", out->bytes, c->out_bytes);
			return kTfLiteError;
		}
	}
	return kTfLiteOk;
}

TfLiteStatus mbn_tfl_part_invoke(TfLiteContext *ctx, TfLiteNode *node)
{
	struct part *k = node->user_data;
	struct mbn_tfl_delegate *d = k->d;
	for (int i = 0; i < k->n; i++) {
		const struct chain *c = &k->chains[i];
		const TfLiteTensor *in = &ctx->tensors[c->in_t];
		TfLiteTensor *out = &ctx->tensors[c->out_t];
		const void *src = c->src >= 0 ? (const void *)k->chains[c->src].own_out : in->data.raw;
		void *dst = c->own_out ? (void *)c->own_out : out->data.raw;
		if (!src || !dst) {
			ctx->ReportError(ctx, "mbnaccel-tflite: tensor '%s' has no memory", src ? out->name : in->name);
			return kTfLiteError;
		}
		double t0 = mbn_tfl_now_us();
		if (mbn_model_run(c->model, src, c->in_bytes, dst, c->out_bytes, NULL)) {
			ctx->ReportError(ctx, "mbnaccel-tflite: %s: %s", mbn_device_uri(d->dev), mbn_last_error());
			return kTfLiteError;
		}
		double t1 = mbn_tfl_now_us();
		struct mbn_run_stats st;
		mbn_model_last_stats(c->model, &st);
		pthread_mutex_lock(&d->lock);
		d->stats.jobs++;
		d->stats.accel_cycles += st.accel_cycles;
		d->stats.dram_read_bytes += st.dram_read_bytes;
		d->stats.dram_write_bytes += st.dram_write_bytes;
		d->stats.run_us += t1 - t0;
		d->stats.host_cpu_us += st.host_cpu_us;
		pthread_mutex_unlock(&d->lock);
	}
	return kTfLiteOk;
}
