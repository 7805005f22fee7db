/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate_prepare.c - the delegate's Prepare: what to claim (steps 1-5 of delegate.c's
 * comment) and the kernels that replace the claimed partitions.
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

/* ---- Prepare ------------------------------------------------------------------ */

struct walk {
	TfLiteContext *ctx;
	struct mbn_tfl_delegate *d;
	int n;                     /* nodes in the plan */
	struct dnode *dn;          /* [n], execution order */
	int *uses;                 /* [tensors_size]: how many nodes read each tensor */
	int *producer;             /* [tensors_size]: plan position writing it, -1 */
	char (*why)[WHY_LEN];      /* [n]: why a node is not claimed ("" = claimed) */
	int *claimed;              /* [n] */
};

static int load_chain(struct walk *w, mbn_device *dev, const int *pos, int n, mbn_model **model, char *why)
{
	struct dnode nodes[MAX_CHAIN];
	uint8_t *buf;
	size_t len;
	*model = NULL;
	if (n > MAX_CHAIN) {
		snprintf(why, WHY_LEN, "chain longer than %d nodes", MAX_CHAIN);
		return -E2BIG;
	}
	for (int i = 0; i < n; i++)
		nodes[i] = w->dn[pos[i]];
	int r = mbn_tfl_chain_serialize(w->ctx, nodes, n, &buf, &len, why, WHY_LEN);
	if (r)
		return r;
	struct mbn_load_options o = { .match = w->d->match };
	const void *bufs[1] = { buf };
	const char *names[1] = { "partition" };
	r = mbn_model_load_buffers_opts(dev, bufs, &len, names, 1, &o, model);
	free(buf);
	if (r) {
		/* "partition: operator 0 (CONV_2D): ..." -> the part after the operator */
		const char *e = mbn_last_error(), *p = strstr(e, "): ");
		snprintf(why, WHY_LEN, "%s", p ? p + 3 : e);
	}
	return r;
}

static int add_pending(struct mbn_tfl_delegate *d, struct chain *c)
{
	if (d->n_pending == d->cap_pending) {
		int nc = d->cap_pending ? 2 * d->cap_pending : 8;
		struct chain *p = realloc(d->pending, sizeof(*p) * (size_t)nc);
		if (!p)
			return -ENOMEM;
		d->pending = p;
		d->cap_pending = nc;
	}
	d->pending[d->n_pending++] = *c;
	return 0;
}

/* Step 3 on the plan positions pos[0..n): claim the chain or split it and recurse. */
static int eval_chain(struct walk *w, const int *pos, int n)
{
	mbn_model *model;
	char why[WHY_LEN];
	int r = load_chain(w, w->d->dev, pos, n, &model, why);
	if (r == -ENOMEM)
		return r;
	if (r) {
		if (n == 1) {
			snprintf(w->why[pos[0]], WHY_LEN, "%.40s: %.200s", mbn_device_uri(w->d->dev), why);
			return 0;
		}
		/* valid alone (step 2) but not together on this device: try halves */
		if ((r = eval_chain(w, pos, n / 2)))
			return r;
		return eval_chain(w, pos + n / 2, n - n / 2);
	}
	int *ok = calloc((size_t)n, sizeof(int));
	char (*reason)[WHY_LEN] = malloc(sizeof(*reason) * (size_t)n);
	if (!ok || !reason) {
		free(ok);
		free(reason);
		mbn_model_free(model);
		return -ENOMEM;
	}
	for (int k = 0; k < n; k++)
		snprintf(reason[k], WHY_LEN, "the loader dropped it");
	int nl = mbn_model_layer_count(model);
	for (int i = 0; i < nl; i++) {
		struct mbn_layer_info li;
		if (mbn_model_layer_info(model, i, &li) || li.op_index < 0 || li.op_index >= n)
			continue;
		int k = li.op_index;
		int good = li.on_accel || (w->d->is_cpu && li.accel_layer);
		if (good) {
			ok[k] = 1;
			if (li.folded && strstr(li.folded, "PAD") && k > 0 &&
			    (w->dn[pos[k - 1]].builtin == TFL_OP_PAD || w->dn[pos[k - 1]].builtin == TFL_OP_PADV2))
				ok[k - 1] = 1;
		} else if (li.kind == MBN_LAYER_PAD) {
			snprintf(reason[k], WHY_LEN, "not folded into a convolution after it (the accelerator has no pad operator)");
		} else if (!li.accel_layer) {
			snprintf(reason[k], WHY_LEN, "a convolution on a 1x1 map (a classifier): the accelerator leaves it to the CPU");
		} else {
			snprintf(reason[k], WHY_LEN, "%s runs it on the CPU: %s", mbn_device_uri(w->d->dev),
				 li.cpu_reason ? li.cpu_reason : "not supported by the accelerator");
		}
	}
	int all = 1;
	for (int k = 0; k < n; k++)
		all &= ok[k];
	if (all) {
		struct chain c = {0};
		c.first_pos = pos[0];
		c.n = n;
		c.nodes = malloc(sizeof(int) * (size_t)n);
		free(ok);
		free(reason);
		if (!c.nodes) {
			mbn_model_free(model);
			return -ENOMEM;
		}
		for (int k = 0; k < n; k++)
			c.nodes[k] = w->dn[pos[k]].index;
		c.in_t = mbn_tfl_act_in(&w->dn[pos[0]]);
		c.out_t = mbn_tfl_act_out(&w->dn[pos[n - 1]]);
		const TfLiteTensor *in = &w->ctx->tensors[c.in_t];
		for (int dd = 0; dd < 4; dd++)
			c.in_dims[dd] = in->dims->data[dd];
		struct mbn_tensor_info ii, oi;
		mbn_model_input_info(model, &ii);
		mbn_model_output_info(model, &oi);
		c.in_bytes = ii.bytes;
		c.out_bytes = oi.bytes;
		c.model = model;
		if (add_pending(w->d, &c)) {
			mbn_tfl_chain_free(&c);
			return -ENOMEM;
		}
		for (int k = 0; k < n; k++)
			w->claimed[pos[k]] = 1;
		return 0;
	}
	mbn_model_free(model);
	r = 0;
	for (int k = 0; k < n; k++)
		if (!ok[k])
			snprintf(w->why[pos[k]], WHY_LEN, "%s", reason[k]);
	/* the maximal runs of accepted nodes, each shorter than this chain */
	for (int a = 0; a < n;) {
		if (!ok[a]) {
			a++;
			continue;
		}
		int b = a;
		while (b < n && ok[b])
			b++;
		if ((r = eval_chain(w, pos + a, b - a)))
			break;
		a = b;
	}
	free(ok);
	free(reason);
	return r;
}

/* Drops every pending chain from the claim (and marks its nodes). */
static void drop_pending(struct walk *w, int i, const char *why)
{
	struct chain *c = &w->d->pending[i];
	for (int p = 0; p < w->n; p++)
		for (int k = 0; k < c->n; k++)
			if (w->dn[p].index == c->nodes[k]) {
				w->claimed[p] = 0;
				snprintf(w->why[p], WHY_LEN, "%s", why);
			}
	mbn_tfl_chain_free(c);
	memmove(c, c + 1, sizeof(*c) * (size_t)(w->d->n_pending - i - 1));
	w->d->n_pending--;
}

static int pending_with_out(struct mbn_tfl_delegate *d, int t)
{
	for (int i = 0; i < d->n_pending; i++)
		if (d->pending[i].out_t == t)
			return i;
	return -1;
}

static int pending_with_in(struct mbn_tfl_delegate *d, int t)
{
	for (int i = 0; i < d->n_pending; i++)
		if (d->pending[i].in_t == t)
			return i;
	return -1;
}

static TfLiteIntArray *claimed_nodes(struct walk *w)
{
	int n = 0;
	for (int p = 0; p < w->n; p++)
		n += w->claimed[p];
	/* TfLiteIntArray is {int size; int data[];}; TFLite copies what it is given, so
	 * our own allocation serves (the delegate need not link libtensorflowlite_c). */
	TfLiteIntArray *a = malloc(sizeof(int) * (size_t)(n + 1));
	if (!a)
		return NULL;
	a->size = 0;
	for (int p = 0; p < w->n; p++)
		if (w->claimed[p])
			a->data[a->size++] = w->dn[p].index;
	return a;
}

/* Step 4. Returns 1 if a chain was split or dropped (check again), 0 if all fits. */
static int check_partitions(struct walk *w)
{
	TfLiteIntArray *nodes = claimed_nodes(w);
	TfLiteDelegateParams *parts = NULL;
	int n_parts = 0, changed = 0;
	if (!nodes)
		return 0;
	if (!nodes->size || !w->ctx->PreviewDelegatePartitioning ||
	    w->ctx->PreviewDelegatePartitioning(w->ctx, nodes, &parts, &n_parts) != kTfLiteOk) {
		free(nodes);
		return 0;
	}
	for (int i = 0; i < n_parts && !changed; i++) {
		const TfLiteIntArray *outs = parts[i].output_tensors;
		for (int k = 0; k < outs->size && !changed; k++) {
			int t = outs->data[k];
			if (pending_with_out(w->d, t) >= 0)
				continue;
			/* an inner tensor of a chain is read outside it: end the chain there */
			int pp = w->producer[t];
			for (int c = 0; c < w->d->n_pending && !changed; c++) {
				struct chain *ch = &w->d->pending[c];
				for (int j = 0; j + 1 < ch->n; j++)
					if (pp >= 0 && ch->nodes[j] == w->dn[pp].index) {
						int pos[MAX_CHAIN], m = 0;
						for (int q = 0; q < w->n && m < ch->n; q++)
							for (int z = 0; z < ch->n; z++)
								if (w->dn[q].index == ch->nodes[z])
									pos[m++] = q;
						drop_pending(w, c, "");
						if (eval_chain(w, pos, j + 1) == 0)
							eval_chain(w, pos + j + 1, m - j - 1);
						changed = 1;
						break;
					}
			}
			if (!changed) {
				/* not ours to produce and not inside a chain: give up on this partition */
				for (int c = w->d->n_pending - 1; c >= 0; c--) {
					for (int z = 0; z < parts[i].nodes_to_replace->size; z++)
						if (w->d->pending[c].nodes[0] == parts[i].nodes_to_replace->data[z]) {
							drop_pending(w, c, "its partition would need a tensor the accelerator does not write");
							changed = 1;
							break;
						}
				}
			}
		}
		const TfLiteIntArray *ins = parts[i].input_tensors;
		for (int k = 0; k < ins->size && !changed; k++) {
			int t = ins->data[k];
			if (t < 0 || w->ctx->tensors[t].allocation_type == kTfLiteMmapRo ||
			    w->ctx->tensors[t].allocation_type == kTfLitePersistentRo)
				continue;
			if (pending_with_in(w->d, t) < 0) {
				for (int c = w->d->n_pending - 1; c >= 0; c--)
					for (int z = 0; z < parts[i].nodes_to_replace->size; z++)
						if (w->d->pending[c].nodes[0] == parts[i].nodes_to_replace->data[z]) {
							drop_pending(w, c, "its partition reads a tensor that is not a chain input");
							changed = 1;
							break;
						}
			}
		}
	}
	free(nodes);
	/* the preview's params array is owned by the context (valid until the next call) */
	return changed;
}

static void log_plan(struct walk *w, int n_parts)
{
	if (!w->d->log)
		return;
	int claimed = 0;
	for (int p = 0; p < w->n; p++) {
		const struct dnode *dn = &w->dn[p];
		const TfLiteTensor *out = dn->node->outputs && dn->node->outputs->size
						  ? &w->ctx->tensors[dn->node->outputs->data[0]] : NULL;
		const char *nm = out && out->name ? out->name : "";
		if (w->d->log >= 2) {
			char params[256];
			mbn_tfl_params_str(dn, params, sizeof(params));
			if (params[0])
				mbn_tfl_say(w->d, "mbnaccel-tflite: params node %d %s %s", dn->index, mbn_tfl_builtin_name(dn->builtin), params);
		}
		if (w->claimed[p]) {
			claimed++;
			mbn_tfl_say(w->d, "mbnaccel-tflite: node %d %s '%s': claimed (%s)", dn->index, mbn_tfl_builtin_name(dn->builtin), nm,
			    w->d->is_cpu ? "libmbnaccel's CPU kernels" : "on the accelerator");
		} else {
			mbn_tfl_say(w->d, "mbnaccel-tflite: node %d %s '%s': left to TFLite: %s", dn->index, mbn_tfl_builtin_name(dn->builtin),
			    nm, w->why[p]);
		}
	}
	mbn_tfl_say(w->d, "mbnaccel-tflite: %s: %d of %d nodes claimed in %d partition%s", mbn_device_uri(w->d->dev), claimed,
	    w->n, n_parts, n_parts == 1 ? "" : "s");
}


static TfLiteStatus walk_free(struct walk *w, TfLiteStatus st)
{
	free(w->dn);
	free(w->uses);
	free(w->producer);
	free(w->why);
	free(w->claimed);
	return st;
}

TfLiteStatus mbn_tfl_delegate_prepare(TfLiteContext *ctx, TfLiteDelegate *base)
{
	struct mbn_tfl_delegate *d = base->data_;
	struct walk w = { .ctx = ctx, .d = d };
	TfLiteIntArray *plan;

	if (d->option_error[0]) {
		ctx->ReportError(ctx, "%s", d->option_error);
		return kTfLiteError;
	}
	if (!d->dev) {
		if (!d->said_dev_error) {
			mbn_tfl_say(d, "mbnaccel-tflite: %s; no node is delegated, TFLite runs the whole model", d->dev_error);
			d->said_dev_error = 1;
		}
		return kTfLiteOk;
	}
	if (ctx->GetExecutionPlan(ctx, &plan) != kTfLiteOk)
		return kTfLiteError;
	w.n = plan->size;
	w.dn = calloc((size_t)w.n + 1, sizeof(*w.dn));
	w.uses = calloc(ctx->tensors_size + 1, sizeof(int));
	w.producer = malloc((ctx->tensors_size + 1) * sizeof(int));
	w.why = calloc((size_t)w.n + 1, sizeof(*w.why));
	w.claimed = calloc((size_t)w.n + 1, sizeof(int));
	if (!w.dn || !w.uses || !w.producer || !w.why || !w.claimed) {
		ctx->ReportError(ctx, "mbnaccel-tflite: out of memory");
		return walk_free(&w, kTfLiteError);
	}
	for (int p = 0; p < w.n; p++)
		w.dn[p].index = plan->data[p];   /* copy: later context calls invalidate plan */
	for (size_t t = 0; t < ctx->tensors_size; t++)
		w.producer[t] = -1;
	for (int p = 0; p < w.n; p++) {
		struct dnode *dn = &w.dn[p];
		if (ctx->GetNodeAndRegistration(ctx, dn->index, &dn->node, &dn->reg) != kTfLiteOk)
			return walk_free(&w, kTfLiteError);
		dn->builtin = dn->reg->builtin_code;
		dn->version = dn->reg->version;
		for (int k = 0; dn->node->inputs && k < dn->node->inputs->size; k++) {
			int t = dn->node->inputs->data[k];
			if (t >= 0 && (size_t)t < ctx->tensors_size)
				w.uses[t]++;
		}
		for (int k = 0; dn->node->outputs && k < dn->node->outputs->size; k++) {
			int t = dn->node->outputs->data[k];
			if (t >= 0 && (size_t)t < ctx->tensors_size)
				w.producer[t] = p;
		}
	}
	/* steps 1 and 2 */
	int *valid = calloc((size_t)w.n + 1, sizeof(int));
	if (!valid)
		return walk_free(&w, kTfLiteError);
	for (int p = 0; p < w.n; p++) {
		const char *why = mbn_tfl_screen(ctx, &w.dn[p]);
		if (why) {
			snprintf(w.why[p], WHY_LEN, "%s", why);
			continue;
		}
		mbn_model *m;
		char msg[WHY_LEN];
		if (load_chain(&w, d->cpu, &p, 1, &m, msg)) {
			snprintf(w.why[p], WHY_LEN, "%s", msg);
			continue;
		}
		mbn_model_free(m);
		valid[p] = 1;
	}
	/* step 3: chains of valid nodes in plan order, each node reading the output of the
	 * one before, which nothing else reads */
	int cur[MAX_CHAIN], len = 0, r = 0;
	for (int p = 0; p <= w.n && !r; p++) {
		int cont = p < w.n && valid[p] && len > 0 && len < MAX_CHAIN &&
			   mbn_tfl_act_in(&w.dn[p]) == mbn_tfl_act_out(&w.dn[cur[len - 1]]) &&
			   w.uses[mbn_tfl_act_out(&w.dn[cur[len - 1]])] == 1;
		if (!cont && len) {
			r = eval_chain(&w, cur, len);
			len = 0;
		}
		if (p < w.n && valid[p])
			cur[len++] = p;
	}
	free(valid);
	if (r) {
		ctx->ReportError(ctx, "mbnaccel-tflite: out of memory");
		pthread_mutex_lock(&d->lock);
		while (d->n_pending)
			mbn_tfl_chain_free(&d->pending[--d->n_pending]);
		pthread_mutex_unlock(&d->lock);
		return walk_free(&w, kTfLiteError);
	}
	/* step 4 */
	for (int iter = 0; iter < 16 && check_partitions(&w); iter++)
		;
	/* step 5 */
	TfLiteIntArray *nodes = claimed_nodes(&w);
	TfLiteStatus st = kTfLiteOk;
	int before = (int)d->stats.partitions;
	if (!nodes) {
		st = kTfLiteError;
	} else if (nodes->size) {
		TfLiteRegistration reg;
		memset(&reg, 0, sizeof(reg));
		reg.init = mbn_tfl_part_init;
		reg.free = mbn_tfl_part_free;
		reg.prepare = mbn_tfl_part_prepare;
		reg.invoke = mbn_tfl_part_invoke;
		reg.builtin_code = BUILTIN_DELEGATE;
		reg.custom_name = "mbnaccel";
		reg.version = 1;
		st = ctx->ReplaceNodeSubsetsWithDelegateKernels(ctx, reg, nodes, base);
	}
	log_plan(&w, (int)d->stats.partitions - before);
	free(nodes);
	/* chains no kernel took (only if TFLite refused the replacement) */
	pthread_mutex_lock(&d->lock);
	while (d->n_pending)
		mbn_tfl_chain_free(&d->pending[--d->n_pending]);
	pthread_mutex_unlock(&d->lock);
	return walk_free(&w, st);
}
