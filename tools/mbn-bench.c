/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-bench - measure a model on a device.
 *
 *   mbn-bench [-d URI] -m FILE [-m FILE ...] [--runs N] [--clock MHZ] [--match ARCH] [--json]
 *             [--svg FILE]
 *
 * Accelerator devices (sim): the whole network once as one job (total cycles, DRAM
 * traffic, simulator wall time), then once more with per-layer profiling (each layer a
 * job of its own, counters read after each): per layer MACs, cycles, MAC utilization,
 * DRAM bytes, stall cycles. All cycle counts come from the RTL's counters.
 * cpu: --runs timed runs (default 20) and per-layer host time.
 * The input is a fixed pseudo-random tensor, so runs repeat exactly (random bytes for a
 * quantized input, floats in [-1, 1) for a float32 one).
 * Every layer also says what was folded into it at load time (a PAD into the
 * convolution after it) and, on an accelerator device, why it stays on the CPU; the
 * totals give the share of the network's MACs that ran on the accelerator.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json_out.h"
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

#define USAGE "usage: mbn-bench [-d URI] -m MODEL [-m MODEL...] [--runs N] [--clock MHZ] [--match x86|arm64|native] [--json] [--svg FILE]\n"

static int progress;
static void say(const char *what)
{
	if (progress)
		fprintf(stderr, "\r\033[Kmbn-bench: %s", what);
}

/* MACs of the accelerator job that layer i ran: with depthwise->pointwise fusion the
 * depthwise layer's job also computed the pointwise layer after it (st[i+1].fused). */
static uint64_t job_macs(const struct mbn_layer_stats *st, int n, int i)
{
	return st[i].macs + (i + 1 < n && st[i + 1].fused ? st[i + 1].macs : 0);
}

static void write_svg(const char *path, int n, const struct mbn_layer_info *li, const struct mbn_layer_stats *st,
		      int macs_per_cycle)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mbn-bench: %s: cannot create\n", path);
		return;
	}
	int bw = 22, h = 240, w = 60 + n * bw + 20;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"10\">\n",
		w, h + 80);
	fprintf(f, "<text x=\"10\" y=\"14\" font-size=\"12\">MAC utilization per layer (%d MACs)</text>\n", macs_per_cycle);
	for (int pct = 0; pct <= 100; pct += 25) {
		int y = 30 + h - pct * h / 100;
		fprintf(f, "<line x1=\"50\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"20\" y=\"%d\">%d%%</text>\n", y,
			w - 10, y, y + 3, pct);
	}
	for (int i = 0; i < n; i++) {
		if (!st[i].on_accel || !st[i].cycles)
			continue;
		double u = (double)job_macs(st, n, i) / ((double)st[i].cycles * macs_per_cycle);
		int bh = (int)(u * h + 0.5), x = 60 + i * bw;
		const char *color = li[i].kind == MBN_LAYER_DEPTHWISE ? "#e08030" : "#3070c0";
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>layer %d %s: %.1f%%</title></rect>\n",
			x, 30 + h - bh, bw - 4, bh, color, i, li[i].op_name, u * 100);
		fprintf(f, "<text x=\"%d\" y=\"%d\" transform=\"rotate(90 %d %d)\">%d %s</text>\n", x + 4, 35 + h, x + 4,
			35 + h, i, li[i].kind == MBN_LAYER_DEPTHWISE ? (i + 1 < n && st[i + 1].fused ? "dw+pw" : "dw") : "conv");
	}
	fprintf(f, "</svg>\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *device = NULL, *svg = NULL;
	int n_models = 0, json = 0, c;
	long runs = -1;
	double clock_mhz = 200;
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "runs", required_argument, 0, 'r' }, { "clock", required_argument, 0, 'c' },
		{ "json", no_argument, 0, 'j' }, { "svg", required_argument, 0, 's' },
		{ "match", required_argument, 0, 'M' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct mbn_load_options lopts = { .match = MBN_MATCH_NATIVE };

	while ((c = getopt_long(argc, argv, "d:m:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': device = optarg; break;
		case 'm':
			if (n_models == MAX_MODELS) {
				fprintf(stderr, "mbn-bench: at most %d -m files\n", MAX_MODELS);
				return 2;
			}
			models[n_models++] = optarg;
			break;
		case 'r':
			runs = strtol(optarg, &end, 10);
			if (*end || runs < 1 || runs > 100000) {
				fprintf(stderr, "mbn-bench: --runs '%s': expected 1..100000\n", optarg);
				return 2;
			}
			break;
		case 'c':
			clock_mhz = strtod(optarg, &end);
			if (*end || !(clock_mhz > 0 && clock_mhz < 100000)) {
				fprintf(stderr, "mbn-bench: --clock '%s': expected MHz, e.g. 200\n", optarg);
				return 2;
			}
			break;
		case 'j': json = 1; break;
		case 's': svg = optarg; break;
		case 'M':
			if (mbn_match_parse(optarg, &lopts.match)) {
				fprintf(stderr, "mbn-bench: --match '%s': expected x86, arm64 or native\n", optarg);
				return 2;
			}
			break;
		case 'h':
			printf(USAGE "  --match ARCH  which TFLite 2.9 build's arithmetic to reproduce (default native)\n");
			return 0;
		default: return 2;
		}
	}
	if (!n_models || optind != argc) {
		fprintf(stderr, USAGE);
		return 2;
	}
	progress = !json && isatty(2);
	mbn_device *dev;
	mbn_model *m;
	say("opening the device");
	if (mbn_device_open(device, &dev)) {
		fprintf(stderr, "\nmbn-bench: %s\n", mbn_last_error());
		return 1;
	}
	say("loading and compiling");
	double t = now_s();
	int r = mbn_model_load_opts(dev, models, n_models, &lopts, &m);
	if (r) {
		fprintf(stderr, "\nmbn-bench: %s (%s)\n", mbn_last_error(), mbn_strerror(r));
		return 1;
	}
	double load_s = now_s() - t;
	struct mbn_tensor_info in, out;
	mbn_model_input_info(m, &in);
	mbn_model_output_info(m, &out);
	uint8_t *input = malloc(in.bytes), *output = malloc(out.bytes);
	uint32_t x = 12345;
	if (in.type == MBN_TYPE_FLOAT32) {
		float *f = (float *)input; /* random bytes would be NaNs and infinities */
		for (size_t i = 0; i < in.elems; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			f[i] = (float)((x >> 8) / 8388608.0 - 1.0);
		}
	} else {
		for (size_t i = 0; i < in.bytes; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
			input[i] = (uint8_t)x;
		}
	}
	int n = mbn_model_layer_count(m);
	struct mbn_layer_info *li = calloc((size_t)n, sizeof(*li));
	struct mbn_layer_stats *st = calloc((size_t)n, sizeof(*st));
	int accel = 0;
	for (int i = 0; i < n; i++) {
		mbn_model_layer_info(m, i, &li[i]);
		accel |= li[i].on_accel;
	}
	/* Two runs on an accelerator: the first pays for page faults in the simulated DRAM
	 * and cold caches, so host CPU time is reported as the minimum over the runs. */
	if (runs < 0)
		runs = accel ? 2 : 20;

	/* Timed runs of the whole network. */
	double *lat = malloc((size_t)runs * sizeof(double));
	struct mbn_run_stats rs = { 0 };
	double host_min = 0;
	for (long i = 0; i < runs; i++) {
		char msg[64];
		snprintf(msg, sizeof(msg), "run %ld/%ld", i + 1, runs);
		say(msg);
		t = now_s();
		if ((r = mbn_model_run(m, input, in.bytes, output, out.bytes, NULL))) {
			fprintf(stderr, "\nmbn-bench: run failed: %s\n", mbn_last_error());
			return 1;
		}
		lat[i] = now_s() - t;
		mbn_model_last_stats(m, &rs);
		if (i == 0 || rs.host_cpu_us < host_min)
			host_min = rs.host_cpu_us;
	}
	qsort(lat, (size_t)runs, sizeof(double), cmp_double);
	double median = lat[runs / 2];

	/* One profiled run for the per-layer numbers. */
	say("profiling layer by layer");
	if (mbn_model_set_profiling(m, 1) || mbn_model_run(m, input, in.bytes, output, out.bytes, NULL)) {
		fprintf(stderr, "\nmbn-bench: profiled run failed: %s\n", mbn_last_error());
		return 1;
	}
	say("");
	if (progress)
		fprintf(stderr, "\r\033[K");
	uint64_t macs = 0, accel_macs = 0, cyc_sum = 0;
	int array = 0;
	const char *desc = mbn_device_describe(dev);
	const char *mp = strstr(desc, " MACs");
	if (mp) { /* "...: 256 MACs ..." */
		const char *q = mp;
		while (q > desc && q[-1] >= '0' && q[-1] <= '9')
			q--;
		array = atoi(q);
	}
	for (int i = 0; i < n; i++) {
		mbn_model_layer_stats(m, i, &st[i]);
		macs += li[i].macs;
		if (st[i].on_accel) {
			accel_macs += li[i].macs;
			cyc_sum += st[i].cycles;
		}
	}
	double util = rs.accel_cycles && array ? (double)accel_macs / ((double)rs.accel_cycles * array) : 0;
	double share = macs ? (double)accel_macs / (double)macs : 0;
	double fps = rs.accel_cycles ? clock_mhz * 1e6 / (double)rs.accel_cycles : 1.0 / median;

	if (json) {
		printf("{\"device\":");
		json_string(mbn_device_uri(dev));
		printf(",\"device_description\":");
		json_string(desc);
		printf(",\"model\":");
		json_string(mbn_model_describe(m));
		printf(",\"match\":");
		json_string(mbn_match_name(mbn_model_match(m)));
		printf(",\"load_seconds\":%.4f,"
		       "\"cycles\":%llu,\"dram_read_bytes\":%llu,\"dram_write_bytes\":%llu,\"mac_utilization\":%.4f,"
		       "\"macs\":%llu,\"accelerator_macs\":%llu,\"accel_mac_share\":%.6f,\"clock_mhz\":%g,"
		       "\"frames_per_second\":%.2f,\"sim_wall_seconds\":%.4f,\"sim_cycles_per_second\":%.0f,"
		       "\"host_cpu_us\":%.1f,\"layers\":[",
		       load_s, (unsigned long long)rs.accel_cycles,
		       (unsigned long long)rs.dram_read_bytes, (unsigned long long)rs.dram_write_bytes, util,
		       (unsigned long long)macs, (unsigned long long)accel_macs, share, clock_mhz, fps, median,
		       median > 0 ? rs.accel_cycles / median : 0, host_min);
		for (int i = 0; i < n; i++) {
			double u = st[i].cycles && array ? (double)job_macs(st, n, i) / ((double)st[i].cycles * array) : 0;
			printf("%s{\"index\":%d,\"op\":\"%s\",\"runs_on\":\"%s\",\"fused_into_previous\":%s,\"macs\":%llu,"
			       "\"cycles\":%llu,\"mac_utilization\":%.4f,\"dram_read_bytes\":%llu,\"dram_write_bytes\":%llu,"
			       "\"stall_cycles\":%llu,\"host_us\":%.1f,\"folded\":",
			       i ? "," : "", i, li[i].op_name, st[i].on_accel ? "accelerator" : "cpu", st[i].fused ? "true" : "false",
			       (unsigned long long)li[i].macs, (unsigned long long)st[i].cycles, u,
			       (unsigned long long)st[i].dram_read_bytes, (unsigned long long)st[i].dram_write_bytes,
			       (unsigned long long)st[i].stall_cycles, st[i].host_us);
			json_string(li[i].folded);
			printf(",\"cpu_reason\":");
			json_string(st[i].on_accel ? NULL : li[i].cpu_reason);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("%s\non %s (%s), arithmetic of TFLite 2.9 for %s\n", mbn_model_describe(m), mbn_device_uri(dev), desc,
		       mbn_match_name(mbn_model_match(m)));
		printf("%3s %-18s %-14s %12s %10s %6s %10s %10s %9s %9s\n", "#", "operator", "output", "MACs", "cycles", "util",
		       "DRAM rd", "DRAM wr", "stall", "host us");
		for (int i = 0; i < n; i++) {
			char os[32];
			snprintf(os, sizeof(os), "%dx%dx%d", li[i].out_h, li[i].out_w, li[i].out_c);
			if (st[i].fused)
				printf("%3d %-18s %-14s %12llu %10s %6s %10s %10s %9s %9s", i, li[i].op_name, os,
				       (unsigned long long)li[i].macs, "fused", "", "", "", "", "");
			else if (st[i].on_accel)
				printf("%3d %-18s %-14s %12llu %10llu %5.1f%% %10llu %10llu %9llu %9s", i, li[i].op_name, os,
				       (unsigned long long)li[i].macs, (unsigned long long)st[i].cycles,
				       st[i].cycles && array ? 100.0 * job_macs(st, n, i) / ((double)st[i].cycles * array) : 0.0,
				       (unsigned long long)st[i].dram_read_bytes, (unsigned long long)st[i].dram_write_bytes,
				       (unsigned long long)st[i].stall_cycles, "");
			else
				printf("%3d %-18s %-14s %12llu %10s %6s %10s %10s %9s %9.1f", i, li[i].op_name, os,
				       (unsigned long long)li[i].macs, "cpu", "", "", "", "", st[i].host_us);
			if (li[i].folded)
				printf("  [%s folded]", li[i].folded);
			if (!st[i].on_accel && li[i].cpu_reason)
				printf("  cpu: %s", li[i].cpu_reason);
			printf("\n");
		}
		int any_fused = 0, any_folded = 0;
		for (int i = 0; i < n; i++) {
			any_fused |= st[i].fused;
			any_folded |= li[i].folded != NULL;
		}
		if (any_fused)
			printf("fused: a pointwise layer that ran inside the depthwise layer's job above it (depthwise->pointwise\n"
			       "       fusion); that row's cycles, utilization and DRAM traffic cover both layers\n");
		if (any_folded)
			printf("[OP folded]: an operator of the file merged into this layer at load time (a PAD into the\n"
			       "       convolution's padding); it costs nothing of its own\n");
		if (accel) {
			printf("total: %.3f M cycles (%.3f M layer by layer), %.1f%% MAC utilization, DRAM %.2f MB read + %.2f MB written\n",
			       rs.accel_cycles / 1e6, cyc_sum / 1e6, util * 100, rs.dram_read_bytes / 1e6, rs.dram_write_bytes / 1e6);
			printf("at %g MHz: %.1f frames/s; simulator: %.2f s wall (median of %ld), %.0f cycles/s; host CPU %.0f us per inference (min)\n",
			       clock_mhz, fps, median, runs, rs.accel_cycles / median, host_min);
		} else {
			printf("total: %.2f M MACs; %ld runs: median %.2f ms, min %.2f ms (%.2f GMAC/s); load+compile %.1f ms\n",
			       macs / 1e6, runs, median * 1e3, lat[0] * 1e3, macs / median / 1e9, load_s * 1e3);
		}
		printf("accelerator share: %.1f %% of MACs (%.3f of %.3f M)\n", share * 100, accel_macs / 1e6, macs / 1e6);
	}
	if (svg)
		write_svg(svg, n, li, st, array);
	free(lat);
	free(li);
	free(st);
	free(input);
	free(output);
	mbn_model_free(m);
	mbn_device_close(dev);
	return 0;
}
