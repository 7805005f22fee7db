/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_run.h - measuring one model on a device for mbn-bench: load and compile, a fixed
 * pseudo-random input, timed whole-network runs, an optional run with per-layer profiling,
 * and the totals derived from them (MAC utilization, accelerator share, frames/s). The
 * per-model report and the width x resolution grid (bench_grid.h) both measure with it.
 */
#ifndef MBN_BENCH_RUN_H
#define MBN_BENCH_RUN_H

#include <stdint.h>

#include "mbnaccel.h"

struct bench_opts {
	long runs; /* timed whole-network runs; 0: 2 if a layer runs on the accelerator, else 20 */
	int profile; /* then one run with per-layer profiling */
	int progress; /* progress lines on stderr */
	double clock_mhz; /* for frames/s */
	const struct mbn_load_options *lopts;
};

struct bench_result {
	mbn_model *m;
	int n; /* layers */
	struct mbn_layer_info *li; /* n of them */
	struct mbn_layer_stats *st; /* n, from the profiled run (zeros without one) */
	int accel; /* some layer runs on the accelerator */
	int array; /* MACs of the device's array (0: no accelerator) */
	long runs; /* timed runs made */
	struct mbn_run_stats rs; /* of the last timed run */
	double load_s; /* load and compile */
	double median_s, min_s; /* wall time per timed run */
	double host_min_us; /* host CPU time per run, minimum over the runs */
	uint64_t macs; /* the network's MACs */
	uint64_t accel_macs; /* of them on the accelerator */
	uint64_t cyc_sum; /* cycles layer by layer (profiled run) */
	double util; /* accel_macs / (cycles x array), as --json "mac_utilization" */
	double share; /* accel_macs / macs */
	double fps; /* frames/s: at clock_mhz on an accelerator, else 1 / median */
	char err[512]; /* why bench_measure failed */
};

/* MACs of the device's array from its description ("...: 256 MACs ..."), 0 if none. */
int bench_array_macs(const mbn_device *dev);

/* MACs of the accelerator job that layer i ran: with depthwise->pointwise fusion the
 * depthwise layer's job also computed the pointwise layer after it (st[i+1].fused), and
 * with chaining the pairs after that whose input stayed on chip (docs/hw.md "Chaining"):
 * every fused layer after i. */
uint64_t bench_job_macs(const struct mbn_layer_stats *st, int n, int i);

/* Loads models[0..n_models) on dev and measures them as o says. 0 on success; else
 * nonzero with r->err set (the library's message), r released. */
int bench_measure(mbn_device *dev, const char *const *models, int n_models, const struct bench_opts *o,
		  struct bench_result *r);
void bench_result_free(struct bench_result *r);

/* "mbn-bench: WHAT" on stderr's progress line (only with progress on); "" clears it. */
void bench_say(int progress, const char *what);

#endif
