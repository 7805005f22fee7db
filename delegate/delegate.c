/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate.c - libmbnaccel as a TensorFlow Lite delegate (mbnaccel_tflite.h): creation,
 * options, statistics and the external-delegate plugin ABI; Prepare is in
 * delegate_prepare.c, the partition kernel in delegate_kernel.c.
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

void mbn_tfl_say(struct mbn_tfl_delegate *d, const char *fmt, ...)
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

double mbn_tfl_now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* for the log: the schema's name, else "builtin" */
const char *mbn_tfl_builtin_name(int b)
{
	const char *n = tfl_builtin_name(b);
	return n ? n : "builtin";
}

void mbn_tfl_chain_free(struct chain *c)
{
	free(c->own_out);
	mbn_model_free(c->model);
	free(c->nodes);
	memset(c, 0, sizeof(*c));
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
		mbn_tfl_say(d, "mbnaccel-tflite: option match=%s: expected x86, arm64 or native", o.match);
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
	d->base.Prepare = mbn_tfl_delegate_prepare;
	/* Models of the TF2 converter compute their classifier's RESHAPE shape at run time
	 * (SHAPE, STRIDED_SLICE, PACK): a dynamic tensor, and TFLite refuses a delegate
	 * without this flag on such a graph. Our kernels are static: mbn_tfl_part_prepare refuses
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
		mbn_tfl_say(d, "mbnaccel-tflite: %s; no node will be delegated, TFLite runs the whole model", d->dev_error);
		d->said_dev_error = 1;
	} else {
		d->is_cpu = !strncmp(mbn_device_uri(d->dev), "cpu", 3);
		d->stats.device_ok = 1;
		if (d->log)
			mbn_tfl_say(d, "mbnaccel-tflite: device %s (%s), match %s", mbn_device_uri(d->dev),
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
		mbn_tfl_chain_free(&d->pending[--d->n_pending]);
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
	mbn_tfl_say(d, "%s", d->option_error);
	d->magic = DELEGATE_MAGIC;
	pthread_mutex_init(&d->lock, NULL);
	d->base.data_ = d;
	d->base.Prepare = mbn_tfl_delegate_prepare;
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
