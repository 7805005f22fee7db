/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_grid.h - mbn-bench --grid: the MobileNet v1 paper's width multiplier x input
 * resolution grid (Howard et al. 2017, tables 6 and 7: alpha 0.25..1.0, 128..224) on one
 * device. Each cell's model is written by mbn-gen (the binary beside mbn-bench) into a
 * temporary directory, measured once with bench_measure (bench_run.h) and deleted; the
 * grid prints as text tables, JSON, or an SVG heat map of MAC utilization.
 */
#ifndef MBN_BENCH_GRID_H
#define MBN_BENCH_GRID_H

#include <stdint.h>

#include "bench_run.h"

#define GRID_MAX 16 /* values per axis */

struct grid_cell {
	char model[160]; /* mbn_model_describe() */
	uint64_t cycles, dram_read_bytes, dram_write_bytes;
	uint64_t macs, accel_macs;
	double util; /* accel_macs / (cycles x MACs), as mbn-bench --json "mac_utilization" */
	double fps; /* frames/s at the clock */
};

struct bench_grid {
	int n_alpha, n_size;
	double alpha[GRID_MAX];
	char alpha_arg[GRID_MAX][32]; /* each alpha as given: mbn-gen parses it itself */
	int size[GRID_MAX];
	unsigned long long seed; /* mbn-gen --seed */
	char dev_uri[256]; /* the device measured on (bench_grid_run) */
	char dev_desc[512];
	int array; /* its MACs */
	struct grid_cell cell[GRID_MAX * GRID_MAX]; /* alpha a, size s: cell[a * n_size + s] */
};

/* The paper's grid: alpha 0.25, 0.5, 0.75, 1.0 x size 128, 160, 192, 224; seed 1. */
void bench_grid_init(struct bench_grid *g);

/* --grid-alpha "0.25,0.5" (each in (0, 2]), --grid-size "128,224" (each 32..512),
 * --grid-seed N: replace the defaults. 0, or nonzero after an error on stderr that names
 * the option and the bad value. */
int bench_grid_set_alpha(struct bench_grid *g, const char *list);
int bench_grid_set_size(struct bench_grid *g, const char *list);
int bench_grid_set_seed(struct bench_grid *g, const char *arg);

/* Generates and measures every cell on the device `device` names (NULL: the default),
 * opened afresh for each cell (o->runs, o->profile as the caller sets them; mbn-bench
 * runs each once). 0, or nonzero after an error on stderr naming the cell; the temporary
 * files are removed either way. */
int bench_grid_run(struct bench_grid *g, const char *device, const struct bench_opts *o);

/* Output: tables (utilization, cycles, frames/s, DRAM traffic), JSON on stdout, or the
 * utilization heat map as a standalone SVG file (nonzero if it cannot be written). */
void bench_grid_print(const struct bench_grid *g, double clock_mhz);
void bench_grid_json(const struct bench_grid *g, double clock_mhz);
int bench_grid_svg(const struct bench_grid *g, const char *path);

#endif
