/* SPDX-License-Identifier: Apache-2.0 */
/*
 * graph.c - facts about the layer chain: MACs, parameters, feature-map sizes, and which
 * layers are the accelerator's (its convolutions; the pool, classifier and softmax stay
 * on the CPU, DESIGN.md section 1).
 */
#include "devices/backend.h"
#include "graph.h"

uint64_t mbn_layer_macs(const struct mbn_layer *l)
{
	uint64_t out = (uint64_t)l->out_h * l->out_w * l->out_c;

	switch (l->op) {
	case MBN_OP_CONV:
		return out * (uint64_t)l->k_h * l->k_w * l->in_c;
	case MBN_OP_DWCONV:
		return out * (uint64_t)l->k_h * l->k_w;
	case MBN_OP_FC:
		return (uint64_t)l->out_c * l->in_c;
	default:
		return 0;
	}
}

uint64_t mbn_layer_params(const struct mbn_layer *l)
{
	switch (l->op) {
	case MBN_OP_CONV:
		return (uint64_t)l->out_c * l->k_h * l->k_w * l->in_c + (uint64_t)l->out_c;
	case MBN_OP_DWCONV:
		return (uint64_t)l->out_c * l->k_h * l->k_w + (uint64_t)l->out_c;
	case MBN_OP_FC:
		return (uint64_t)l->out_c * l->in_c + (uint64_t)l->out_c;
	default:
		return 0;
	}
}

bool mbn_layer_is_accel_candidate(const struct mbn_graph *g, int index)
{
	const struct mbn_layer *l = &g->layers[index];
	/* Convolutions, wherever they sit (the accelerator plan is in segments,
	 * accel_place.c); a conv on a 1x1 map after the pool is the classifier: CPU.
	 * Whether a device takes the layer also depends on its buffers (layer_on_accel). */
	return (l->op == MBN_OP_CONV || l->op == MBN_OP_DWCONV) && !(l->in_h == 1 && l->in_w == 1 && index > 0);
}

size_t mbn_graph_max_fmap(const struct mbn_graph *g)
{
	size_t m = g->input.bytes;

	for (int i = 0; i < g->n_layers; i++) {
		const struct mbn_layer *l = &g->layers[i];
		size_t in = (size_t)l->in_h * l->in_w * l->in_c, out = (size_t)l->out_h * l->out_w * l->out_c;
		if (in > m)
			m = in;
		if (out > m)
			m = out;
	}
	return m;
}
