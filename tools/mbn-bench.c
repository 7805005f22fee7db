/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-bench - measure a model on a device: latency over repeated runs, and per layer
 * MACs and parameters. (The accelerator's per-layer cycles, utilization and DRAM bytes
 * come with the sim backend.)
 *
 *   mbn-bench [-d URI] -m FILE [-m FILE ...] [--runs N] [--warmup N] [--json]
 *
 * The input is a fixed pseudo-random tensor (seeded), so runs are repeatable.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbnaccel.h"

#define MAX_MODELS 16

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

static long parse_count(const char *s, const char *opt)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0 || v > 1000000) {
		fprintf(stderr, "mbn-bench: %s '%s': expected a count 0..1000000\n", opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *device = NULL;
	int n_models = 0, json = 0, c;
	long runs = 20, warmup = 2;
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "runs", required_argument, 0, 'r' }, { "warmup", required_argument, 0, 'w' },
		{ "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};

	while ((c = getopt_long(argc, argv, "d:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'm':
			if (n_models == MAX_MODELS) {
				fprintf(stderr, "mbn-bench: at most %d -m files\n", MAX_MODELS);
				return 2;
			}
			models[n_models++] = optarg;
			break;
		case 'r': runs = parse_count(optarg, "--runs"); break;
		case 'w': warmup = parse_count(optarg, "--warmup"); break;
		case 'j': json = 1; break;
		case 'h':
			printf("usage: mbn-bench [-d URI] -m MODEL [-m MODEL...] [--runs N] [--warmup N] [--json]\n");
			return 0;
		default: return 2;
		}
	}
	if (!n_models || runs < 1) {
		fprintf(stderr, "usage: mbn-bench [-d URI] -m MODEL [-m MODEL...] [--runs N>=1] [--warmup N] [--json]\n");
		return 2;
	}
	mbn_device *dev;
	mbn_model *m;
	int r = mbn_device_open(device, &dev);
	if (r) {
		fprintf(stderr, "mbn-bench: %s\n", mbn_last_error());
		return 1;
	}
	double t_load = now_s();
	if ((r = mbn_model_load(dev, models, n_models, &m))) {
		fprintf(stderr, "mbn-bench: %s (%s)\n", mbn_last_error(), mbn_strerror(r));
		return 1;
	}
	t_load = now_s() - t_load;
	struct mbn_tensor_info in, out;
	mbn_model_input_info(m, &in);
	mbn_model_output_info(m, &out);
	uint8_t *input = malloc(in.bytes), *output = malloc(out.bytes);
	uint32_t x = 12345;
	for (size_t i = 0; i < in.bytes; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
		input[i] = (uint8_t)x;
	}
	double *lat = malloc((size_t)runs * sizeof(double));
	struct mbn_run_stats st = { 0 };
	int progress = !json && isatty(2);
	for (long i = 0; i < warmup + runs; i++) {
		if (progress)
			fprintf(stderr, "\rmbn-bench: run %ld/%ld", i + 1, warmup + runs);
		double t0 = now_s();
		if ((r = mbn_model_run(m, input, in.bytes, output, out.bytes, NULL))) {
			fprintf(stderr, "\nmbn-bench: run failed: %s\n", mbn_last_error());
			return 1;
		}
		if (i >= warmup)
			lat[i - warmup] = now_s() - t0;
		mbn_model_last_stats(m, &st);
	}
	if (progress)
		fprintf(stderr, "\r%40s\r", "");
	qsort(lat, (size_t)runs, sizeof(double), cmp_double);
	double sum = 0;
	for (long i = 0; i < runs; i++)
		sum += lat[i];
	uint64_t macs = 0;
	int n = mbn_model_layer_count(m);
	for (int i = 0; i < n; i++) {
		struct mbn_layer_info li;
		mbn_model_layer_info(m, i, &li);
		macs += li.macs;
	}
	double mean = sum / runs, median = lat[runs / 2], best = lat[0];
	if (json) {
		printf("{\"device\":\"%s\",\"model\":\"%s\",\"runs\":%ld,\"load_seconds\":%.6f,\"latency_mean_ms\":%.3f,"
		       "\"latency_median_ms\":%.3f,\"latency_min_ms\":%.3f,\"macs\":%llu,\"gmacs_per_second\":%.3f,"
		       "\"cycles\":%llu,\"dram_read_bytes\":%llu,\"dram_write_bytes\":%llu}\n",
		       mbn_device_uri(dev), mbn_model_describe(m), runs, t_load, mean * 1e3, median * 1e3, best * 1e3,
		       (unsigned long long)macs, macs / median / 1e9, (unsigned long long)st.accel_cycles,
		       (unsigned long long)st.dram_read_bytes, (unsigned long long)st.dram_write_bytes);
	} else {
		printf("%s on %s\n", mbn_model_describe(m), mbn_device_uri(dev));
		printf("load+compile %.1f ms; %ld runs: median %.2f ms, mean %.2f ms, min %.2f ms; %.1f M MACs, %.2f GMAC/s\n",
		       t_load * 1e3, runs, median * 1e3, mean * 1e3, best * 1e3, macs / 1e6, macs / median / 1e9);
	}
	free(lat);
	free(input);
	free(output);
	mbn_model_free(m);
	mbn_device_close(dev);
	return 0;
}
