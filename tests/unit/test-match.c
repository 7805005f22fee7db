// SPDX-License-Identifier: Apache-2.0
/*
 * test-match.c - which multiplier rounding each layer gets per TFLite build
 * (cpu_ops.c mbn_layer_rounding, docs/library.md "x86-64 and arm64"), on the real
 * mobilenet_v1_0.25_128 (MBN_SHARED, default ../shared): with match x86 every
 * convolution rounds ties up (ruy AVX) and every depthwise layer away from zero; with
 * match arm64 the convolutions round once (ruy NEON) except the classifier (CustomGemv:
 * ties up), the stride-1 depthwise layers take the 3x3 kernel (ties up) and the stride-2
 * ones, whose last window lies one past the unpadded input, the general one (away).
 * The bytes themselves are tests/oracle/test-arm64.sh's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu_ops.h"
#include "graph.h"
#include "kernels/quant.h"

#include "check.h"

static void *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len)) && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		*n = (size_t)len;
	fclose(f);
	return buf;
}

static int expected(const struct mbn_layer *l, enum mbn_match match)
{
	if (l->op == MBN_OP_DWCONV)
		return match == MBN_MATCH_X86 || l->stride_h == 2 ? MBN_ROUND_AWAY : MBN_ROUND_UP;
	if (match == MBN_MATCH_X86 || (l->in_h == 1 && l->in_w == 1))
		return MBN_ROUND_UP;
	return MBN_ROUND_SINGLE;
}

int main(void)
{
	const char *shared = getenv("MBN_SHARED") ? getenv("MBN_SHARED") : "../shared";
	char path[4096];
	size_t n = 0;
	void *buf;

	snprintf(path, sizeof(path), "%s/models/mobilenet_v1_0.25_128_quant.tflite", shared);
	buf = read_all(path, &n);
	check("read mobilenet_v1_0.25_128", buf != NULL, "cannot read %s", path);
	if (!buf)
		return 1;
	for (int m = 0; m < 2; m++) {
		const enum mbn_match match = m ? MBN_MATCH_ARM64 : MBN_MATCH_X86;
		const void *bufs[1] = { buf };
		const char *names[1] = { path };
		struct mbn_graph g;
		char name[128];
		int convs = 0, bad = 0;

		if (mbn_graph_load(bufs, &n, names, 1, match, &g)) {
			check("load", 0, "%s", mbn_last_error());
			continue;
		}
		for (int i = 0; i < g.n_layers; i++) {
			const struct mbn_layer *l = &g.layers[i];

			if (l->op != MBN_OP_CONV && l->op != MBN_OP_DWCONV)
				continue;
			convs++;
			if (mbn_layer_rounding(l) != expected(l, match)) {
				if (!bad++)
					printf("  layer %d %s %dx%d/%d: rounding %d, want %d\n", i, l->op_name, l->k_h,
					       l->k_w, l->stride_h, mbn_layer_rounding(l), expected(l, match));
			}
		}
		snprintf(name, sizeof(name), "match %s: rounding of the 28 convolutions", mbn_match_name(match));
		check(name, convs == 28 && bad == 0, "%d convolutions, %d with another rounding", convs, bad);
		mbn_graph_free(&g);
	}
	free(buf);
	return failures != 0;
}
