/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-bench - measure a model on a device, or the MobileNet v1 width x resolution grid.
 *
 *   mbn-bench [-d URI] -m FILE [-m FILE ...] [--runs N] [--clock MHZ] [--match ARCH] [--json]
 *             [--svg FILE]
 *   mbn-bench [-d URI] --grid [--grid-alpha A,A...] [--grid-size S,S...] [--grid-seed N]
 *             [--clock MHZ] [--match ARCH] [--json] [--svg FILE]
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
 * The measuring is tools/common/bench_run.c; this file is the command line and the report.
 *
 * --grid (tools/common/bench_grid.c): the paper's grid (alpha 0.25, 0.5, 0.75, 1.0 x input
 * 128, 160, 192, 224, or the lists given), each cell a model mbn-gen writes (seed 1 or
 * --grid-seed) run once on an accelerator device: tables of MAC utilization, cycles,
 * frames/s at --clock and DRAM bytes; --json the cells; --svg a utilization heat map.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_grid.h"
#include "bench_run.h"
#include "json_out.h"
#include "mbnaccel.h"

#define MAX_MODELS 16

#define USAGE                                                                                                  \
	"usage: mbn-bench [-d URI] -m MODEL [-m MODEL...] [--runs N] [--clock MHZ] [--match x86|arm64|native] " \
	"[--json] [--svg FILE]\n"                                                                               \
	"       mbn-bench [-d URI] --grid [--grid-alpha A,A...] [--grid-size S,S...] [--grid-seed N] [--clock MHZ] " \
	"[--match ARCH] [--json] [--svg FILE]\n"

/* Returns 0, or 1 after saying why the file could not be written. */
static int write_svg(const char *path, int n, const struct mbn_layer_info *li, const struct mbn_layer_stats *st,
		     int macs_per_cycle)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mbn-bench: %s: cannot create: %s\n", path, strerror(errno));
		return 1;
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
		double u = (double)bench_job_macs(st, n, i) / ((double)st[i].cycles * macs_per_cycle);
		int bh = (int)(u * h + 0.5), x = 60 + i * bw;
		const char *color = li[i].kind == MBN_LAYER_DEPTHWISE ? "#e08030" : "#3070c0";
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>layer %d %s: %.1f%%</title></rect>\n",
			x, 30 + h - bh, bw - 4, bh, color, i, li[i].op_name, u * 100);
		fprintf(f, "<text x=\"%d\" y=\"%d\" transform=\"rotate(90 %d %d)\">%d %s</text>\n", x + 4, 35 + h, x + 4,
			35 + h, i, li[i].kind == MBN_LAYER_DEPTHWISE ? (i + 1 < n && st[i + 1].fused ? "dw+pw" : "dw") : "conv");
	}
	fprintf(f, "</svg>\n");
	int bad = ferror(f);
	if (fclose(f) || bad) {
		fprintf(stderr, "mbn-bench: %s: write failed: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* The per-model report: totals, per layer, SVG. */
static void report(mbn_device *dev, const struct bench_result *r, const struct bench_opts *o, int json)
{
	const struct mbn_layer_info *li = r->li;
	const struct mbn_layer_stats *st = r->st;
	const char *desc = mbn_device_describe(dev);
	int n = r->n, array = r->array;

	if (json) {
		printf("{\"device\":");
		json_string(mbn_device_uri(dev));
		printf(",\"device_description\":");
		json_string(desc);
		printf(",\"model\":");
		json_string(mbn_model_describe(r->m));
		printf(",\"match\":");
		json_string(mbn_match_name(mbn_model_match(r->m)));
		printf(",\"load_seconds\":%.4f,"
		       "\"cycles\":%llu,\"dram_read_bytes\":%llu,\"dram_write_bytes\":%llu,\"mac_utilization\":%.4f,"
		       "\"macs\":%llu,\"accelerator_macs\":%llu,\"accel_mac_share\":%.6f,\"clock_mhz\":%g,"
		       "\"frames_per_second\":%.2f,\"sim_wall_seconds\":%.4f,\"sim_cycles_per_second\":%.0f,"
		       "\"host_cpu_us\":%.1f,\"layers\":[",
		       r->load_s, (unsigned long long)r->rs.accel_cycles,
		       (unsigned long long)r->rs.dram_read_bytes, (unsigned long long)r->rs.dram_write_bytes, r->util,
		       (unsigned long long)r->macs, (unsigned long long)r->accel_macs, r->share, o->clock_mhz, r->fps,
		       r->median_s, r->median_s > 0 ? r->rs.accel_cycles / r->median_s : 0, r->host_min_us);
		for (int i = 0; i < n; i++) {
			double u = st[i].cycles && array ? (double)bench_job_macs(st, n, i) / ((double)st[i].cycles * array) : 0;
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
		return;
	}
	printf("%s\non %s (%s), arithmetic of TFLite 2.9 for %s\n", mbn_model_describe(r->m), mbn_device_uri(dev), desc,
	       mbn_match_name(mbn_model_match(r->m)));
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
			       st[i].cycles && array ? 100.0 * bench_job_macs(st, n, i) / ((double)st[i].cycles * array) : 0.0,
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
		printf("fused: a layer that ran inside the job of the depthwise layer above it (depthwise->pointwise\n"
		       "       fusion; with chaining also the next pairs, whose input stayed on chip); that row's cycles,\n"
		       "       utilization and DRAM traffic cover all of them\n");
	if (any_folded)
		printf("[OP folded]: an operator of the file merged into this layer at load time (a PAD into the\n"
		       "       convolution's padding); it costs nothing of its own\n");
	if (r->accel) {
		printf("total: %.3f M cycles (%.3f M layer by layer), %.1f%% MAC utilization, DRAM %.2f MB read + %.2f MB written\n",
		       r->rs.accel_cycles / 1e6, r->cyc_sum / 1e6, r->util * 100, r->rs.dram_read_bytes / 1e6,
		       r->rs.dram_write_bytes / 1e6);
		printf("at %g MHz: %.1f frames/s; simulator: %.2f s wall (median of %ld), %.0f cycles/s; host CPU %.0f us per inference (min)\n",
		       o->clock_mhz, r->fps, r->median_s, r->runs, r->rs.accel_cycles / r->median_s, r->host_min_us);
	} else {
		printf("total: %.2f M MACs; %ld runs: median %.2f ms, min %.2f ms (%.2f GMAC/s); load+compile %.1f ms\n",
		       r->macs / 1e6, r->runs, r->median_s * 1e3, r->min_s * 1e3, r->macs / r->median_s / 1e9, r->load_s * 1e3);
	}
	printf("accelerator share: %.1f %% of MACs (%.3f of %.3f M)\n", r->share * 100, r->accel_macs / 1e6, r->macs / 1e6);
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *device = NULL, *svg = NULL;
	int n_models = 0, json = 0, grid = 0, grid_opt = 0, c;
	long runs = -1;
	double clock_mhz = 200;
	enum { O_GRID = 256, O_GRID_ALPHA, O_GRID_SIZE, O_GRID_SEED };
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "runs", required_argument, 0, 'r' }, { "clock", required_argument, 0, 'c' },
		{ "json", no_argument, 0, 'j' }, { "svg", required_argument, 0, 's' },
		{ "match", required_argument, 0, 'M' }, { "help", no_argument, 0, 'h' },
		{ "grid", no_argument, 0, O_GRID }, { "grid-alpha", required_argument, 0, O_GRID_ALPHA },
		{ "grid-size", required_argument, 0, O_GRID_SIZE }, { "grid-seed", required_argument, 0, O_GRID_SEED },
		{ 0, 0, 0, 0 },
	};
	struct mbn_load_options lopts = { .match = MBN_MATCH_NATIVE };
	static struct bench_grid g; /* 256 cells: not on the stack */

	bench_grid_init(&g);
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
		case O_GRID: grid = 1; break;
		case O_GRID_ALPHA:
			grid_opt = 1;
			if (bench_grid_set_alpha(&g, optarg))
				return 2;
			break;
		case O_GRID_SIZE:
			grid_opt = 1;
			if (bench_grid_set_size(&g, optarg))
				return 2;
			break;
		case O_GRID_SEED:
			grid_opt = 1;
			if (bench_grid_set_seed(&g, optarg))
				return 2;
			break;
		case 'h':
			printf(USAGE "  --match ARCH  which TFLite 2.9 build's arithmetic to reproduce (default native)\n"
				     "  --grid        the MobileNet v1 paper's grid: mbn-gen models of each width multiplier x\n"
				     "                input size, each run once; MAC utilization, cycles, frames/s, DRAM\n"
				     "                traffic per cell (--svg: a heat map of the utilization)\n"
				     "  --grid-alpha  width multipliers, each in (0, 2] (default 0.25,0.5,0.75,1.0)\n"
				     "  --grid-size   input sizes, each 32..512 (default 128,160,192,224)\n"
				     "  --grid-seed   mbn-gen --seed of the models (default 1)\n");
			return 0;
		default: return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (grid && n_models) {
		fprintf(stderr, "mbn-bench: --grid generates its own models (mbn-gen); it takes no -m\n");
		return 2;
	}
	if (grid && runs >= 0) {
		fprintf(stderr, "mbn-bench: --grid runs each model once; it takes no --runs\n");
		return 2;
	}
	if (grid_opt && !grid) {
		fprintf(stderr, "mbn-bench: --grid-alpha, --grid-size and --grid-seed need --grid\n");
		return 2;
	}
	if (!grid && !n_models) {
		fprintf(stderr, USAGE);
		return 2;
	}
	int progress = !json && isatty(2);
	if (grid) {
		/* One run per cell: the cycle counts of an accelerator are the same every run. */
		struct bench_opts o = { .runs = 1, .profile = 0, .progress = progress, .clock_mhz = clock_mhz, .lopts = &lopts };
		int rc = bench_grid_run(&g, device, &o);
		if (!rc) {
			if (json)
				bench_grid_json(&g, clock_mhz);
			else
				bench_grid_print(&g, clock_mhz);
			if (svg)
				rc = bench_grid_svg(&g, svg);
		}
		return rc ? 1 : 0;
	}

	mbn_device *dev;
	bench_say(progress, "opening the device");
	if (mbn_device_open(device, &dev)) {
		if (progress)
			fprintf(stderr, "\n");
		fprintf(stderr, "mbn-bench: %s\n", mbn_last_error());
		return 1;
	}
	struct bench_opts o = { .runs = runs > 0 ? runs : 0, .profile = 1, .progress = progress,
				.clock_mhz = clock_mhz, .lopts = &lopts };
	struct bench_result r;
	if (bench_measure(dev, models, n_models, &o, &r)) {
		if (progress)
			fprintf(stderr, "\n");
		fprintf(stderr, "mbn-bench: %s\n", r.err);
		mbn_device_close(dev);
		return 1;
	}
	report(dev, &r, &o, json);
	int rc = svg ? write_svg(svg, r.n, r.li, r.st, r.array) : 0;
	bench_result_free(&r);
	mbn_device_close(dev);
	return rc;
}
