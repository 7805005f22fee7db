/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-accel-compile - the accelerator compiler against the hardware's C functional
 * model (hw/sim/cmodel.c): compile a model, run its descriptor chain on the model's
 * memory, finish on the CPU, and compare with the CPU backend byte for byte. Uses the
 * real models and generated ones (MBN_GEN, default build/bin/mbn-gen), and several
 * buffer sizes so that every tiling path (oc-outer, pixel-outer, row tiles) runs.
 *
 *   test-accel-compile [MODEL.tflite ...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "backend.h"
#include "cmodel.h"
#include "cpu_ops.h"
#include "graph.h"
#include "mbn_regs.h"

static int failures;

static void *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *p = malloc(*n);
	if (fread(p, 1, *n, f) != *n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static uint32_t rng = 2463534242u;
static uint8_t rnd8(void)
{
	rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
	return (uint8_t)rng;
}

/* Run one graph through compile + cmodel + CPU tail and compare with the CPU path. */
static void check(const char *name, const struct mbn_graph *g, const struct accel_caps *caps, const char *capname)
{
	struct accel_plan p;
	char label[512];
	snprintf(label, sizeof(label), "%s [%s]", name, capname);
	int r = mbn_accel_compile(g, caps, &p);
	if (r) {
		printf("FAIL %s: compile: %s\n", label, mbn_last_error());
		failures++;
		return;
	}
	if (!p.n_accel) {
		printf("FAIL %s: nothing compiled for the accelerator\n", label);
		failures++;
		return;
	}
	size_t fm = mbn_graph_max_fmap(g);
	uint8_t *in = malloc(g->input.bytes), *s0 = malloc(fm), *s1 = malloc(fm), *ref = malloc(g->output.bytes);
	for (size_t i = 0; i < g->input.bytes; i++)
		in[i] = rnd8();
	memcpy(ref, mbn_cpu_run_range(g, 0, g->n_layers, in, s0, s1), g->output.bytes);

	uint64_t mem_size = p.const_size + p.act_size + 8192;
	uint8_t *mem = calloc(1, mem_size);
	struct mbn_cmodel_region regs[2] = { { 0, p.const_size }, { (p.const_size + 4095) & ~4095ull, p.act_size } };
	memcpy(mem, p.const_img, p.const_size);
	memset(mem + regs[1].base, 0xA5, p.act_size); /* garbage where nothing was written */
	mbn_accel_write_input(&p, in, mem + regs[1].base);
	struct mbn_cmodel_params cp;
	mbn_cmodel_default_params(&cp);
	cp.lanes = (unsigned)caps->lanes;
	/* the model checks the capacity the hardware accepts: the whole buffers */
	cp.ibuf_words = (caps->ibuf_full_bytes ? caps->ibuf_full_bytes : caps->ibuf_bytes) / 16;
	cp.obuf_words = (caps->obuf_full_bytes ? caps->obuf_full_bytes : caps->obuf_bytes) / 16;
	cp.wbuf_rows = caps->wbuf_full_rows ? caps->wbuf_full_rows : caps->wbuf_rows;
	cp.qbuf_entries = caps->qbuf_entries;
	cp.fuse = caps->fuse;
	/* docs/hw.md fusion rules the compiler guarantees: a fused DW is followed by PWs with
	 * reuse_input of exactly its output (pixels, channels), within an IBUF half */
	int n_fused = 0;
	for (uint32_t k = 0; k < p.n_desc; k++) {
		const uint8_t *b = p.const_img + (size_t)k * 64;
		uint32_t w[16];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
			       (uint32_t)b[4 * i + 3] << 24;
		if (!(w[0] & MBN_DESC_FUSE))
			continue;
		n_fused++;
		uint64_t npix = (uint64_t)(w[3] & 0xffff) * (w[3] >> 16), c_ = w[2] & 0xffff;
		uint64_t in_b = (uint64_t)(w[1] & 0xffff) * (w[1] >> 16) * c_;
		bool ok = caps->fuse && (w[0] & 0xf) == MBN_OP_DW && npix * c_ <= caps->ibuf_bytes &&
			  in_b <= caps->ibuf_bytes && k + 1 < p.n_desc;
		uint32_t oc = 0, k2 = k + 1;
		for (; ok && k2 < p.n_desc; k2++) {
			const uint8_t *e = p.const_img + (size_t)k2 * 64;
			uint32_t e0 = e[0] | (uint32_t)e[1] << 8, e1 = e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 | (uint32_t)e[7] << 24;
			uint32_t e2 = e[8] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 | (uint32_t)e[11] << 24;
			if ((e0 & 0xf) != MBN_OP_PW)
				break;
			ok = (e0 & (1u << 9)) && (uint64_t)(e1 & 0xffff) * (e1 >> 16) == npix && (e2 & 0xffff) == c_;
			oc += e2 >> 16;
		}
		if (!ok || !oc) {
			printf("FAIL %s: fused descriptor %u not followed by reuse_input PWs of its output\n", label, k);
			failures++;
			break;
		}
	}
	struct mbn_cmodel_fault f;
	r = mbn_cmodel_run_params(&cp, mem, mem_size, regs, 2, 0, 0, p.n_desc, &f);
	if (r) {
		printf("FAIL %s: cmodel fault %u at descriptor %u offset %u\n", label, f.code, f.desc, f.offset);
		failures++;
	} else {
		uint8_t *fmap = malloc((size_t)p.out_h * p.out_w * p.out_c);
		mbn_accel_read_output(&p, mem + regs[1].base, fmap);
		const uint8_t *out = mbn_cpu_run_range(g, p.n_accel, g->n_layers, fmap, s0, s1);
		if (memcmp(out, ref, g->output.bytes)) {
			size_t i = 0;
			while (out[i] == ref[i])
				i++;
			printf("FAIL %s: output byte %zu is %u, CPU gives %u\n", label, i, out[i], ref[i]);
			failures++;
		} else {
			printf("PASS %s: %d accelerator layers, %u descriptors (%d fused), %.2f MB read, %.2f MB written, identical output\n",
			       label, p.n_accel, p.n_desc, n_fused, f.rd_bytes / 1e6, f.wr_bytes / 1e6);
		}
		free(fmap);
	}
	free(mem);
	free(in);
	free(s0);
	free(s1);
	free(ref);
	mbn_accel_plan_free(&p);
}

static void check_file(const char *path)
{
	size_t n;
	void *buf = read_all(path, &n);
	struct mbn_graph g;
	if (!buf) {
		printf("FAIL %s: cannot read\n", path);
		failures++;
		return;
	}
	const void *bufs[1] = { buf };
	const char *names[1] = { path };
	if (mbn_graph_load(bufs, &n, names, 1, &g)) {
		printf("FAIL %s: load: %s\n", path, mbn_last_error());
		failures++;
		free(buf);
		return;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	/* as CAPS reports them (halves) with the whole-buffer capacity beside, and without
	 * it (the compiler then stays within the halves) */
	struct accel_caps def = { 16, 256, 4096 * 16, 256, 2048 * 16, 1024, 8, 8192 * 16, 512, 4096 * 16, false };
	struct accel_caps tiny = { 16, 256, 512 * 16, 32, 256 * 16, 1024, 8, 1024 * 16, 64, 512 * 16, false };
	struct accel_caps wide = { 32, 512, 4096 * 16, 256, 2048 * 16, 1024, 8, 8192 * 16, 512, 4096 * 16, false };
	struct accel_caps halves = { 16, 256, 4096 * 16, 256, 2048 * 16, 1024, 8, 0, 0, 0, false };
	struct accel_caps def_f = def, tiny_f = tiny;
	def_f.fuse = tiny_f.fuse = true;
	check(base, &g, &def_f, "default buffers, fusion");
	check(base, &g, &tiny_f, "tiny buffers, fusion");
	check(base, &g, &def, "default buffers");
	check(base, &g, &tiny, "tiny buffers: many tiles");
	check(base, &g, &wide, "32 lanes");
	check(base, &g, &halves, "halves only");
	mbn_graph_free(&g);
	free(buf);
}

int main(int argc, char **argv)
{
	const char *shared = getenv("MBN_SHARED") ? getenv("MBN_SHARED") : "../shared";
	const char *gen = getenv("MBN_GEN") ? getenv("MBN_GEN") : "build/bin/mbn-gen";
	char path[4096];

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			check_file(argv[i]);
		return failures != 0;
	}
	snprintf(path, sizeof(path), "%s/models/mobilenet_v1_0.25_128_quant.tflite", shared);
	check_file(path);
	snprintf(path, sizeof(path), "%s/models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite", shared);
	check_file(path);
	static const char *specs[] = {
		"--alpha 0.6 --size 97 --seed 3", "--alpha 1.3 --size 65 --int8 --seed 4",
		"--alpha 0.25 --size 33 --seed 5", "--alpha 0.1 --size 16 --int8 --seed 6",
		"--op DEPTHWISE_CONV_2D --h 9 --w 7 --c 21 --stride 2 --seed 7",
		"--op DEPTHWISE_CONV_2D --h 10 --w 12 --c 40 --stride 2 --padding valid --seed 8",
		"--op CONV_2D --h 5 --w 6 --c 33 --oc 70 --k 1 --act none --seed 9",
		"--op CONV_2D --h 11 --w 11 --c 3 --oc 8 --k 3 --stride 2 --seed 10 --int8",
		"--op CONV_2D --h 12 --w 9 --c 5 --oc 20 --k 5 --stride 1 --padding valid --act relu --seed 11",
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		char cmd[8192];
		snprintf(path, sizeof(path), "/tmp/test-accel-compile-%d-%zu.tflite", (int)getpid(), i);
		snprintf(cmd, sizeof(cmd), "%s %s -o %s", gen, specs[i], path);
		if (system(cmd)) {
			printf("FAIL mbn-gen %s: command failed (%s)\n", specs[i], cmd);
			failures++;
			continue;
		}
		check_file(path);
		remove(path);
	}
	return failures != 0;
}
