/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate.c - libmbnaccel as a TensorFlow Lite delegate (mbnaccel_tflite.h).
 *
 * TFLite calls the delegate's Prepare once per interpreter (again after an input resize
 * undid the delegation). Prepare walks the execution plan and decides, node by node,
 * what to claim:
 *   1. screen: CONV_2D, DEPTHWISE_CONV_2D, PAD, PADV2 with a quantized activation input
 *      and constant parameters (chain_model.c, mbn_tfl_screen);
 *   2. each such node alone is written back as a .tflite buffer and loaded on the cpu
 *      device: the loader's own rules decide what is valid, with its message;
 *   3. runs of valid nodes, each consuming the one output of the previous, form chains;
 *      a chain is loaded on the delegate's device and claimed where every layer of it
 *      runs on the accelerator (on the cpu device: where it is an accelerator layer), a
 *      PAD where it was folded into the convolution after it; a chain with a layer
 *      left on the CPU is split around that node and the parts tried again;
 *   4. TFLite's PreviewDelegatePartitioning checks that every partition it would form
 *      reads and writes only the ends of our chains (a chain's inner tensor that
 *      something else reads, e.g. a graph output, splits the chain there);
 *   5. ReplaceNodeSubsetsWithDelegateKernels: one kernel per partition, holding the
 *      chains' models compiled in step 3 (compiled once: weights packed, descriptors
 *      written), run one mbnaccel job sequence per chain per invoke, reading and
 *      writing TFLite's own tensor memory.
 * Nothing here aborts: errors go to TFLite's ReportError (and TfLiteStatus) or to the
 * report_error callback of the plugin ABI.
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

#define EXPORT __attribute__((visibility("default")))
#define DELEGATE_MAGIC 0x4d424e54u /* "MBNT" */
#define WHY_LEN 256
/* longest chain one kernel compiles (MobileNet v1: 27 convolutions, 32 with PADs) */
#define MAX_CHAIN 256
/* BuiltinOperator_DELEGATE (schema.fbs) */
#define BUILTIN_DELEGATE 51

struct chain {
	int first_pos;             /* position of its first node in the execution plan */
	int n;
	int *nodes;                /* node indices */
	int in_t, out_t;           /* TFLite tensors: activation input, output */
	int in_dims[4];            /* the input shape it was compiled for */
	size_t in_bytes, out_bytes;
	mbn_model *model;
	/* inside a partition: an output only the next chain reads has no TFLite memory
	 * (TFLite allocates only the partition's own inputs and outputs), so the kernel
	 * keeps it, allocated once at init */
	uint8_t *own_out;
	int src;                   /* chain of this kernel whose own_out is our input, -1 */
};

struct mbn_tfl_delegate {
	TfLiteDelegate base;       /* first: TfLiteDelegate* converts to ours */
	uint32_t magic;
	char uri[256];
	enum mbn_match match;
	int log;
	void (*report)(const char *);
	mbn_device *dev;           /* NULL: the device did not open, claim nothing */
	mbn_device *cpu;           /* the loader's judge for single nodes (step 2) */
	int is_cpu;
	char dev_error[512];
	int said_dev_error;
	/* the plugin ABI's answer to invalid options: Prepare fails with this message
	 * (TFLite 2.9's C external-delegate loader calls a NULL plugin delegate's Prepare,
	 * so the plugin never returns NULL) */
	char option_error[512];
	pthread_mutex_t lock;      /* stats, pending */
	struct mbn_tflite_stats stats;
	/* chains compiled in Prepare, waiting for their kernel's init */
	struct chain *pending;
	int n_pending, cap_pending;
};

struct part {                      /* one delegate kernel: a TFLite partition */
	struct mbn_tfl_delegate *d;
	int n;
	struct chain *chains;      /* in execution order */
	char error[WHY_LEN];       /* set by init if the partition is not ours */
};

static void say(struct mbn_tfl_delegate *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct mbn_tfl_delegate *d, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d && d->report)
		d->report(msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static const char *builtin_name(int b)
{
	switch (b) {
	case 0: return "ADD";
	case 1: return "AVERAGE_POOL_2D";
	case 2: return "CONCATENATION";
	case 3: return "CONV_2D";
	case 4: return "DEPTHWISE_CONV_2D";
	case 6: return "DEQUANTIZE";
	case 9: return "FULLY_CONNECTED";
	case 14: return "LOGISTIC";
	case 17: return "MAX_POOL_2D";
	case 18: return "MUL";
	case 19: return "RELU";
	case 21: return "RELU6";
	case 22: return "RESHAPE";
	case 25: return "SOFTMAX";
	case 34: return "PAD";
	case 36: return "GATHER";
	case 40: return "MEAN";
	case 41: return "SUB";
	case 43: return "SQUEEZE";
	case 45: return "STRIDED_SLICE";
	case 51: return "DELEGATE";
	case 60: return "PADV2";
	case 77: return "SHAPE";
	case 83: return "PACK";
	case 114: return "QUANTIZE";
	default: return "builtin";
	}
}

static void chain_free(struct chain *c)
{
	free(c->own_out);
	mbn_model_free(c->model);
	free(c->nodes);
	memset(c, 0, sizeof(*c));
}

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
			chain_free(&c);
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
	chain_free(c);
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
				say(w->d, "mbnaccel-tflite: params node %d %s %s", dn->index, builtin_name(dn->builtin), params);
		}
		if (w->claimed[p]) {
			claimed++;
			say(w->d, "mbnaccel-tflite: node %d %s '%s': claimed (%s)", dn->index, builtin_name(dn->builtin), nm,
			    w->d->is_cpu ? "libmbnaccel's CPU kernels" : "on the accelerator");
		} else {
			say(w->d, "mbnaccel-tflite: node %d %s '%s': left to TFLite: %s", dn->index, builtin_name(dn->builtin),
			    nm, w->why[p]);
		}
	}
	say(w->d, "mbnaccel-tflite: %s: %d of %d nodes claimed in %d partition%s", mbn_device_uri(w->d->dev), claimed,
	    w->n, n_parts, n_parts == 1 ? "" : "s");
}

static void *part_init(TfLiteContext *ctx, const char *buffer, size_t length);
static void part_free(TfLiteContext *ctx, void *buffer);
static TfLiteStatus part_prepare(TfLiteContext *ctx, TfLiteNode *node);
static TfLiteStatus part_invoke(TfLiteContext *ctx, TfLiteNode *node);

static TfLiteStatus walk_free(struct walk *w, TfLiteStatus st)
{
	free(w->dn);
	free(w->uses);
	free(w->producer);
	free(w->why);
	free(w->claimed);
	return st;
}

static TfLiteStatus delegate_prepare(TfLiteContext *ctx, TfLiteDelegate *base)
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
			say(d, "mbnaccel-tflite: %s; no node is delegated, TFLite runs the whole model", d->dev_error);
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
			chain_free(&d->pending[--d->n_pending]);
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
		reg.init = part_init;
		reg.free = part_free;
		reg.prepare = part_prepare;
		reg.invoke = part_invoke;
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
		chain_free(&d->pending[--d->n_pending]);
	pthread_mutex_unlock(&d->lock);
	return walk_free(&w, st);
}

/* ---- the partition kernel ----------------------------------------------------- */

static void *part_init(TfLiteContext *ctx, const char *buffer, size_t length)
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

static void part_free(TfLiteContext *ctx, void *buffer)
{
	struct part *k = buffer;
	if (!k)
		return;
	pthread_mutex_lock(&k->d->lock);
	k->d->stats.partitions_live--;
	pthread_mutex_unlock(&k->d->lock);
	for (int i = 0; i < k->n; i++)
		chain_free(&k->chains[i]);
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

static TfLiteStatus part_prepare(TfLiteContext *ctx, TfLiteNode *node)
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

static TfLiteStatus part_invoke(TfLiteContext *ctx, TfLiteNode *node)
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
		double t0 = now_us();
		if (mbn_model_run(c->model, src, c->in_bytes, dst, c->out_bytes, NULL)) {
			ctx->ReportError(ctx, "mbnaccel-tflite: %s: %s", mbn_device_uri(d->dev), mbn_last_error());
			return kTfLiteError;
		}
		double t1 = now_us();
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

/* ---- creation ----------------------------------------------------------------- */

EXPORT struct TfLiteDelegate *mbn_tflite_delegate_create_opts(const struct mbn_tflite_options *opts)
{
	struct mbn_tflite_options o = {0};
	if (opts)
		o = *opts;
	struct mbn_tfl_delegate *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->report = o.report_error;
	d->log = o.log;
	d->match = MBN_MATCH_NATIVE;
	if (o.match && o.match[0] && mbn_match_parse(o.match, &d->match)) {
		say(d, "mbnaccel-tflite: option match=%s: expected x86, arm64 or native", o.match);
		free(d);
		return NULL;
	}
	const char *uri = o.device && o.device[0] ? o.device : getenv("MBN_DEVICE");
	if (!uri || !uri[0])
		uri = "sim";
	snprintf(d->uri, sizeof(d->uri), "%s", uri);
	d->magic = DELEGATE_MAGIC;
	pthread_mutex_init(&d->lock, NULL);
	d->base.data_ = d;
	d->base.Prepare = delegate_prepare;
	/* Models of the TF2 converter compute their classifier's RESHAPE shape at run time
	 * (SHAPE, STRIDED_SLICE, PACK): a dynamic tensor, and TFLite refuses a delegate
	 * without this flag on such a graph. Our kernels are static: part_prepare refuses
	 * a partition whose input shape changed. */
	d->base.flags = kTfLiteDelegateFlagsAllowDynamicTensors;
	if (mbn_device_open(d->uri, &d->dev)) {
		snprintf(d->dev_error, sizeof(d->dev_error), "device '%s' cannot be opened: %s", d->uri, mbn_last_error());
		d->dev = NULL;
	} else if (mbn_device_open("cpu", &d->cpu)) {
		snprintf(d->dev_error, sizeof(d->dev_error), "the cpu device cannot be opened: %s", mbn_last_error());
		mbn_device_close(d->dev);
		d->dev = d->cpu = NULL;
	}
	if (!d->dev) {
		say(d, "mbnaccel-tflite: %s; no node will be delegated, TFLite runs the whole model", d->dev_error);
		d->said_dev_error = 1;
	} else {
		d->is_cpu = !strncmp(mbn_device_uri(d->dev), "cpu", 3);
		d->stats.device_ok = 1;
		if (d->log)
			say(d, "mbnaccel-tflite: device %s (%s), match %s", mbn_device_uri(d->dev),
			    mbn_device_describe(d->dev), mbn_match_name(d->match));
	}
	return &d->base;
}

EXPORT struct TfLiteDelegate *mbn_tflite_delegate_create(const char *device)
{
	struct mbn_tflite_options o = { .device = device };
	return mbn_tflite_delegate_create_opts(&o);
}

static struct mbn_tfl_delegate *ours(const struct TfLiteDelegate *base)
{
	struct mbn_tfl_delegate *d = base ? base->data_ : NULL;
	return d && (const struct TfLiteDelegate *)&d->base == base && d->magic == DELEGATE_MAGIC ? d : NULL;
}

EXPORT void mbn_tflite_delegate_delete(struct TfLiteDelegate *base)
{
	struct mbn_tfl_delegate *d = ours(base);
	if (!d)
		return;
	while (d->n_pending)
		chain_free(&d->pending[--d->n_pending]);
	free(d->pending);
	mbn_device_close(d->cpu);
	mbn_device_close(d->dev);
	pthread_mutex_destroy(&d->lock);
	d->magic = 0;
	free(d);
}

EXPORT int mbn_tflite_delegate_stats(const struct TfLiteDelegate *base, struct mbn_tflite_stats *stats)
{
	struct mbn_tfl_delegate *d = ours(base);
	if (!d || !stats)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	*stats = d->stats;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* ---- the external-delegate ABI ------------------------------------------------- */

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes"))
		return *out = 1, 0;
	if (!strcmp(v, "2"))
		return *out = 2, 0; /* also each node's builtin parameters */
	if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no"))
		return *out = 0, 0;
	return -EINVAL;
}

/* A delegate that refuses to be applied, saying why: what the plugin ABI gives for an
 * invalid option (the message also goes to report_error at once). */
static struct TfLiteDelegate *option_error_delegate(void (*report_error)(const char *), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct TfLiteDelegate *option_error_delegate(void (*report_error)(const char *), const char *fmt, ...)
{
	struct mbn_tfl_delegate *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->option_error, sizeof(d->option_error), fmt, ap);
	va_end(ap);
	d->report = report_error;
	say(d, "%s", d->option_error);
	d->magic = DELEGATE_MAGIC;
	pthread_mutex_init(&d->lock, NULL);
	d->base.data_ = d;
	d->base.Prepare = delegate_prepare;
	return &d->base;
}

EXPORT struct TfLiteDelegate *tflite_plugin_create_delegate(const char *const *keys, const char *const *values,
							    size_t n, void (*report_error)(const char *))
{
	struct mbn_tflite_options o = { .report_error = report_error };
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i] ? keys[i] : "", *v = values[i] ? values[i] : "";
		if (!strcmp(k, "device")) {
			o.device = v;
		} else if (!strcmp(k, "match")) {
			enum mbn_match mm;
			if (v[0] && mbn_match_parse(v, &mm))
				return option_error_delegate(report_error,
							     "mbnaccel-tflite: option match=%s: expected x86, arm64 or native", v);
			o.match = v;
		} else if (!strcmp(k, "log")) {
			if (parse_bool(v, &o.log))
				return option_error_delegate(report_error,
							     "mbnaccel-tflite: option log=%s: expected 0, 1, 2, true or false", v);
		} else {
			return option_error_delegate(report_error,
						     "mbnaccel-tflite: unknown option '%s' (options: device, match, log)", k);
		}
	}
	return mbn_tflite_delegate_create_opts(&o);
}

EXPORT void tflite_plugin_destroy_delegate(struct TfLiteDelegate *delegate)
{
	mbn_tflite_delegate_delete(delegate);
}
