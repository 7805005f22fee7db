/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-tflite-run - runs a .tflite model in TensorFlow Lite 2.9 with or without the
 * mbnaccel delegate: the delegate tests' driver and its benchmark.
 *
 *   mbn-tflite-run -m MODEL -i IN.raw -o OUT.raw [--delegate none|linked|external]
 *                  [-O key=value]... [--interpreters N] [--repeat N] [--stats]
 *   mbn-tflite-run -m MODEL --resize H,W [--delegate ...]   (resize after delegation)
 *
 * IN.raw holds one or more input tensors back to back; the output of each is appended
 * to OUT.raw (tests/oracle/tflite-run's format, so the bytes compare directly).
 * --delegate linked: mbn_tflite_delegate_create_opts() and
 * TfLiteInterpreterOptionsAddDelegate(); external: TFLite's own external-delegate
 * loader (libexternal_delegate_obj.so of the oracle package: TfLiteExternalDelegateCreate
 * with lib_path = libmbnaccel-tflite.so, what Python's load_delegate does); -O passes
 * delegate options (device=sim, match=x86, log=1). --interpreters N creates, runs (every
 * input) and deletes N interpreters in turn with one delegate, checking that each gives
 * the first one's bytes. --repeat N runs each input N times and prints the median
 * invoke time; --stats prints the delegate's counters per invoke (linked only).
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mbnaccel_tflite.h"
#include "tensorflow/lite/c/c_api.h"

/* tensorflow/lite/delegates/external/external_delegate.h (2.9) is C++ only (a const
 * int array bound, an untagged struct use), so its C layout is declared here:
 * kMaxOptions = 256. */
#define EXT_MAX_OPTIONS 256
typedef struct ext_options {
	const char *lib_path;
	int count;
	const char *keys[EXT_MAX_OPTIONS];
	const char *values[EXT_MAX_OPTIONS];
	TfLiteStatus (*insert)(struct ext_options *options, const char *key, const char *value);
} ext_options;

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mbn-tflite-run: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static void reporter(void *user, const char *fmt, va_list args)
{
	fprintf(stderr, "tflite: ");
	vfprintf(stderr, fmt, args);
	fprintf(stderr, "\n");
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define MAX_OPTS 16
static const char *opt_k[MAX_OPTS], *opt_v[MAX_OPTS];
static int n_opts;

static const char *opt(const char *k)
{
	for (int i = 0; i < n_opts; i++)
		if (!strcmp(opt_k[i], k))
			return opt_v[i];
	return NULL;
}

struct ext {
	void *dl;
	TfLiteDelegate *(*create)(const ext_options *);
	void (*destroy)(TfLiteDelegate *);
	ext_options (*defaults)(const char *);
};

static TfLiteDelegate *make_delegate(const char *mode, struct ext *e, const char *ext_lib, const char *our_lib)
{
	if (!strcmp(mode, "none"))
		return NULL;
	if (!strcmp(mode, "linked")) {
		struct mbn_tflite_options o = { .device = opt("device"), .match = opt("match") };
		const char *log = opt("log");
		o.log = log ? atoi(log) : 0;
		TfLiteDelegate *d = mbn_tflite_delegate_create_opts(&o);
		if (!d)
			die("mbn_tflite_delegate_create_opts failed", NULL);
		return d;
	}
	if (!strcmp(mode, "external")) {
		if (!e->dl) {
			e->dl = dlopen(ext_lib, RTLD_NOW | RTLD_LOCAL);
			if (!e->dl)
				die("cannot load TFLite's external-delegate loader", dlerror());
			e->create = (TfLiteDelegate * (*)(const ext_options *)) dlsym(e->dl, "TfLiteExternalDelegateCreate");
			e->destroy = (void (*)(TfLiteDelegate *))dlsym(e->dl, "TfLiteExternalDelegateDelete");
			e->defaults = (ext_options(*)(const char *))dlsym(e->dl, "TfLiteExternalDelegateOptionsDefault");
			if (!e->create || !e->destroy || !e->defaults)
				die("the external-delegate loader lacks its entry points", ext_lib);
		}
		ext_options o = e->defaults(our_lib);
		for (int i = 0; i < n_opts; i++)
			if (o.insert(&o, opt_k[i], opt_v[i]) != kTfLiteOk)
				die("TfLiteExternalDelegateOptions insert failed", opt_k[i]);
		TfLiteDelegate *d = e->create(&o);
		if (!d)
			die("TfLiteExternalDelegateCreate failed (see the messages above)", our_lib);
		return d;
	}
	die("--delegate: expected none, linked or external", mode);
	return NULL;
}

static void drop_delegate(const char *mode, struct ext *e, TfLiteDelegate *d)
{
	if (!d)
		return;
	if (!strcmp(mode, "linked"))
		mbn_tflite_delegate_delete(d);
	else
		e->destroy(d);
}

static TfLiteInterpreter *make_interp(TfLiteModel *model, TfLiteDelegate *d)
{
	TfLiteInterpreterOptions *o = TfLiteInterpreterOptionsCreate();
	TfLiteInterpreterOptionsSetNumThreads(o, 1);
	TfLiteInterpreterOptionsSetErrorReporter(o, reporter, NULL);
	if (d)
		TfLiteInterpreterOptionsAddDelegate(o, d);
	TfLiteInterpreter *it = TfLiteInterpreterCreate(model, o);
	TfLiteInterpreterOptionsDelete(o);
	if (!it)
		die("cannot create the interpreter (see the messages above)", NULL);
	if (TfLiteInterpreterAllocateTensors(it) != kTfLiteOk)
		die("AllocateTensors failed", NULL);
	return it;
}

/* per invoke: the partitions' counters, and the host time outside the accelerator:
 * the invoke's wall time minus the time inside the partitions' runs, plus the
 * library's own host part of those runs (layouts, copies) */
static void print_stats(const char *mode, TfLiteDelegate *d, const struct mbn_tflite_stats *before, int runs,
			double invoke_ms)
{
	struct mbn_tflite_stats s;
	if (strcmp(mode, "linked") || mbn_tflite_delegate_stats(d, &s))
		return;
	int n = runs > 0 ? runs : 1;
	double run_ms = (s.run_us - before->run_us) / n / 1e3, lib_ms = (s.host_cpu_us - before->host_cpu_us) / n / 1e3;
	printf("stats partitions=%llu nodes_claimed=%llu jobs_per_invoke=%.2f accel_cycles=%llu dram_read=%llu "
	       "dram_write=%llu run_ms=%.3f lib_host_ms=%.3f invoke_ms=%.3f host_outside_accel_ms=%.3f\n",
	       (unsigned long long)s.partitions, (unsigned long long)s.nodes_claimed,
	       (double)(s.jobs - before->jobs) / n, (unsigned long long)((s.accel_cycles - before->accel_cycles) / (uint64_t)n),
	       (unsigned long long)((s.dram_read_bytes - before->dram_read_bytes) / (uint64_t)n),
	       (unsigned long long)((s.dram_write_bytes - before->dram_write_bytes) / (uint64_t)n),
	       run_ms, lib_ms, invoke_ms, invoke_ms - run_ms + lib_ms);
}

int main(int argc, char **argv)
{
	const char *model_path = NULL, *in_path = NULL, *out_path = NULL, *mode = "linked";
	const char *ext_lib = NULL, *our_lib = NULL, *resize = NULL;
	int interpreters = 1, repeat = 1, stats = 0;
	static char ext_default[4096], our_default[4096];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-m") && v) {
			model_path = v, i++;
		} else if (!strcmp(a, "-i") && v) {
			in_path = v, i++;
		} else if (!strcmp(a, "-o") && v) {
			out_path = v, i++;
		} else if (!strcmp(a, "--delegate") && v) {
			mode = v, i++;
		} else if (!strcmp(a, "--ext-lib") && v) {
			ext_lib = v, i++;
		} else if (!strcmp(a, "--delegate-lib") && v) {
			our_lib = v, i++;
		} else if (!strcmp(a, "-O") && v) {
			const char *eq = strchr(v, '=');
			if (!eq || n_opts == MAX_OPTS)
				die("-O: expected key=value", v);
			opt_k[n_opts] = strndup(v, (size_t)(eq - v));
			opt_v[n_opts++] = eq + 1;
			i++;
		} else if (!strcmp(a, "--interpreters") && v) {
			interpreters = atoi(v), i++;
			if (interpreters < 1 || interpreters > 100000)
				die("--interpreters: expected 1..100000", v);
		} else if (!strcmp(a, "--repeat") && v) {
			repeat = atoi(v), i++;
			if (repeat < 1 || repeat > 100000)
				die("--repeat: expected 1..100000", v);
		} else if (!strcmp(a, "--resize") && v) {
			resize = v, i++;
		} else if (!strcmp(a, "--stats")) {
			stats = 1;
		} else {
			die("usage: mbn-tflite-run -m MODEL (-i IN.raw -o OUT.raw | --resize H,W) [--delegate none|linked|external] "
			    "[-O key=value]... [--interpreters N] [--repeat N] [--stats]", a);
		}
	}
	if (!model_path || (!resize && (!in_path || !out_path)))
		die("usage: mbn-tflite-run -m MODEL (-i IN.raw -o OUT.raw | --resize H,W) [--delegate ...]", NULL);
	/* default library paths: beside this program's libraries (build/lib, build/oracle/lib) */
	Dl_info info;
	if (!our_lib && dladdr((void *)mbn_tflite_delegate_create, &info) && info.dli_fname) {
		snprintf(our_default, sizeof(our_default), "%s", info.dli_fname);
		our_lib = our_default;
	}
	if (!ext_lib && dladdr((void *)TfLiteInterpreterCreate, &info) && info.dli_fname) {
		snprintf(ext_default, sizeof(ext_default), "%s", info.dli_fname);
		char *slash = strrchr(ext_default, '/');
		if (slash)
			snprintf(slash + 1, sizeof(ext_default) - (size_t)(slash + 1 - ext_default), "libexternal_delegate_obj.so");
		ext_lib = ext_default;
	}

	TfLiteModel *model = TfLiteModelCreateFromFile(model_path);
	if (!model)
		die("cannot load the model", model_path);
	struct ext e = {0};
	TfLiteDelegate *d = make_delegate(mode, &e, ext_lib, our_lib);

	if (resize) {
		int h, w;
		if (sscanf(resize, "%d,%d", &h, &w) != 2)
			die("--resize: expected H,W", resize);
		TfLiteInterpreter *it = make_interp(model, d);
		const TfLiteTensor *in = TfLiteInterpreterGetInputTensor(it, 0);
		int dims[4] = { 1, h, w, TfLiteTensorDim(in, 3) };
		int ok = TfLiteInterpreterResizeInputTensor(it, 0, dims, 4) == kTfLiteOk &&
			 TfLiteInterpreterAllocateTensors(it) == kTfLiteOk;
		if (ok) {
			in = TfLiteInterpreterGetInputTensor(it, 0);
			void *zero = calloc(1, TfLiteTensorByteSize(in));
			TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, 0), zero, TfLiteTensorByteSize(in));
			free(zero);
			ok = TfLiteInterpreterInvoke(it) == kTfLiteOk;
		}
		printf("resize %s\n", ok ? "ran" : "refused");
		TfLiteInterpreterDelete(it);
		drop_delegate(mode, &e, d);
		TfLiteModelDelete(model);
		return 0;
	}

	FILE *fi = fopen(in_path, "rb");
	if (!fi)
		die("cannot open the input", in_path);
	fseek(fi, 0, SEEK_END);
	long total = ftell(fi);
	fseek(fi, 0, SEEK_SET);
	unsigned char *inputs = malloc((size_t)total + 1);
	if (!inputs || fread(inputs, 1, (size_t)total, fi) != (size_t)total)
		die("cannot read the input", in_path);
	fclose(fi);

	unsigned char *first = NULL;
	size_t first_len = 0;
	double *lat = malloc(sizeof(double) * (size_t)repeat);
	struct mbn_tflite_stats before = {0};
	for (int k = 0; k < interpreters; k++) {
		TfLiteInterpreter *it = make_interp(model, d);
		TfLiteTensor *in = TfLiteInterpreterGetInputTensor(it, 0);
		size_t in_bytes = TfLiteTensorByteSize(in);
		if (!in_bytes || total % (long)in_bytes)
			die("the input file is not a whole number of input tensors", in_path);
		size_t n_in = (size_t)total / in_bytes;
		const TfLiteTensor *out = TfLiteInterpreterGetOutputTensor(it, 0);
		size_t out_bytes = TfLiteTensorByteSize(out);
		unsigned char *outs = malloc(out_bytes * n_in);
		for (size_t j = 0; j < n_in; j++) {
			if (stats && !strcmp(mode, "linked"))
				mbn_tflite_delegate_stats(d, &before);
			double sum_ms = 0;
			for (int rep = 0; rep < repeat; rep++) {
				double t0 = now_ms();
				if (TfLiteTensorCopyFromBuffer(in, inputs + j * in_bytes, in_bytes) != kTfLiteOk)
					die("copy to the input failed", NULL);
				if (TfLiteInterpreterInvoke(it) != kTfLiteOk)
					die("Invoke failed (see the messages above)", model_path);
				lat[rep] = now_ms() - t0;
				sum_ms += lat[rep];
			}
			memcpy(outs + j * out_bytes, TfLiteTensorData(out), out_bytes);
			if (stats)
				print_stats(mode, d, &before, repeat, sum_ms / repeat);
			if (repeat > 1) {
				qsort(lat, (size_t)repeat, sizeof(double), cmp_double);
				printf("invoke median_ms=%.3f min_ms=%.3f runs=%d\n", lat[repeat / 2], lat[0], repeat);
			}
		}
		if (k == 0) {
			first = outs;
			first_len = out_bytes * n_in;
		} else {
			if (memcmp(first, outs, first_len))
				die("an interpreter gave other bytes than the first", NULL);
			free(outs);
		}
		TfLiteInterpreterDelete(it);
	}
	struct mbn_tflite_stats fin;
	if (!strcmp(mode, "linked") && !mbn_tflite_delegate_stats(d, &fin) && fin.partitions_live)
		die("partitions are still alive after every interpreter was deleted", NULL);
	FILE *fo = fopen(out_path, "wb");
	if (!fo || fwrite(first, 1, first_len, fo) != first_len || fclose(fo))
		die("cannot write the output", out_path);
	free(first);
	free(lat);
	free(inputs);
	drop_delegate(mode, &e, d);
	TfLiteModelDelete(model);
	for (int i = 0; i < n_opts; i++)
		free((void *)opt_k[i]);
	if (e.dl)
		dlclose(e.dl);
	return 0;
}
