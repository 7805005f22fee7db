/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-cpu-ops.h - what test-cpu-ops.c (random layers against naive references, the
 * benchmark) and test-cpu-ops-hand.c (hand-computed cases) share: allocating and freeing
 * a layer's parameters, the softmax table as TFLite fills it, and running one layer
 * through mbn_cpu_run_layer with exactly the scratch it asks for.
 */
#ifndef MBN_TEST_CPU_OPS_H
#define MBN_TEST_CPU_OPS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu_ops.h"
#include "graph.h"

static void free_layer(struct mbn_layer *l)
{
	free(l->weights);
	free(l->bias);
	free(l->mult);
	free(l->shift);
	free(l->table);
	memset(l, 0, sizeof(*l));
}

static void alloc_params(struct mbn_layer *l, size_t n_weights)
{
	l->weights = calloc(n_weights ? n_weights : 1, sizeof(int16_t));
	l->bias = calloc((size_t)l->out_c, sizeof(int32_t));
	l->mult = calloc((size_t)l->out_c, sizeof(int32_t));
	l->shift = calloc((size_t)l->out_c, sizeof(int32_t));
	if (!l->weights || !l->bias || !l->mult || !l->shift) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
}

/* optimized_ops::PopulateSoftmaxLookupTable */
static void fill_table(struct mbn_layer *l)
{
	const float scale = -l->in_scale * l->beta;
	l->table = calloc(256, sizeof(float));
	for (int32_t val = 0; val <= 255; ++val)
		l->table[255 - val] = expf(scale * (float)val);
}

/* mbn_cpu_run_layer with exactly the scratch mbn_cpu_scratch_bytes asks for (a malloc
 * of that size: under ASan an undersized request shows as an overflow) */
static void run_layer(const struct mbn_layer *l, const uint8_t *in, uint8_t *out)
{
	size_t n = mbn_cpu_scratch_bytes(l);
	void *work = n ? malloc(n) : NULL;

	if (n && !work) {
		fprintf(stderr, "out of memory for %zu bytes of scratch\n", n);
		exit(2);
	}
	mbn_cpu_run_layer(l, in, out, work);
	free(work);
}

#endif
