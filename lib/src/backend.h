/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend.h - what a device backend implements. The cpu backend is the first; the sim
 * (Verilated RTL) and drm (kernel driver) backends plug in here with the same graph,
 * and later add asynchronous submit/wait through a pollable completion fd.
 */
#ifndef MBN_BACKEND_H
#define MBN_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "mbnaccel.h"

struct mbn_device;

struct mbn_backend {
	const char *scheme;        /* URI scheme: "cpu", "sim", "drm" */
	/* args: the part of the URI after "scheme:" ("" if none). */
	int (*open)(struct mbn_device *dev, const char *args);
	void (*close)(struct mbn_device *dev);
	/* Compile a validated graph once; *plan is the backend's per-model state. */
	int (*compile)(struct mbn_device *dev, const struct mbn_graph *g, void **plan);
	void (*release)(struct mbn_device *dev, void *plan);
	/* Run: in and out are biased-domain feature maps (graph.h). per_layer is NULL, or
	 * (profiling) an array of g->n_layers zeroed entries whose macs are filled: the
	 * backend adds what it measures per layer (accelerator devices then run each layer
	 * as a job of its own). */
	int (*run)(struct mbn_device *dev, void *plan, const uint8_t *in, uint8_t *out,
		   struct mbn_run_stats *stats, struct mbn_layer_stats *per_layer);
	/* Does this device run layer i on the accelerator? */
	bool (*layer_on_accel)(struct mbn_device *dev, void *plan, int i);
	void (*describe)(struct mbn_device *dev, char *buf, size_t len);
};

struct mbn_device {
	const struct mbn_backend *be;
	char uri[256];
	char describe[256];
	void *priv;
};

extern const struct mbn_backend mbn_backend_cpu;
extern const struct mbn_backend mbn_backend_sim;

/* Runs layers [first, last) of g on the CPU, ping-ponging between two scratch buffers
 * of at least mbn_graph_max_fmap(g) bytes; returns the buffer holding the result. */
uint8_t *mbn_cpu_run_range(const struct mbn_graph *g, int first, int last, const uint8_t *in,
			   uint8_t *scratch0, uint8_t *scratch1);
size_t mbn_graph_max_fmap(const struct mbn_graph *g);

#endif
