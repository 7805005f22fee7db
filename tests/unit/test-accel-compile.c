/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-accel-compile - the accelerator compiler against the hardware's C functional
 * model (hw/model/cmodel.c): compile a model, run its descriptor chain on the model's
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

#include "compiler/accel.h"
#include "devices/backend.h"
#include "cmodel.h"
#include "kernels/cpu_ops.h"
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

/* Descriptor k of the plan's constant image (little-endian words), unpacked by the
 * contract's generated decoder (mbn_regs.h). */
static struct mbn_desc plan_desc(const struct accel_plan *p, uint32_t k)
{
	const uint8_t *b = p->const_img + (size_t)k * 64;
	uint32_t w[16];
	struct mbn_desc d;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
		       (uint32_t)b[4 * i + 3] << 24;
	mbn_desc_unpack(w, &d);
	return d;
}

/* docs/hw.md "IBUF row banks": a tile of `rows` rows of row_bytes within S bytes. Written
 * out from the document here, not taken from accel.h, so that the compiler's helper is
 * checked against the document. */
static bool ibuf_fits(bool ibank, uint64_t rows, uint64_t row_bytes, uint64_t S)
{
	return ibank ? rows * row_bytes + 2 * row_bytes <= 3 * S : rows * row_bytes <= S;
}

/*
 * The IBUF and OBUF capacity rules of docs/hw.md for every descriptor of a plan, with
 * IBANK as caps says: the input tile (DW: in_rows rows of in_w*in_c bytes; PW: a row per
 * pixel of in_c bytes) within the whole IBUF (bank); the output within OBUF unless
 * fused; a fused DW's input and output (a row per pixel of out_c bytes) within an IBUF
 * half; and a reuse_input descriptor reads the tile geometry (rows, row bytes) the one
 * before left (with IBANK the rows are spread over the banks by that geometry). Returns
 * the index of the first violating descriptor, or -1.
 */
static long check_capacity(const struct accel_plan *p, const struct accel_caps *caps, const char **why)
{
	const uint64_t i_half = caps->ibuf_bytes, i_full = caps->ibuf_full_bytes ? caps->ibuf_full_bytes : i_half;
	const uint64_t o_full = caps->obuf_full_bytes ? caps->obuf_full_bytes : caps->obuf_bytes;
	uint64_t prev_rows = 0, prev_row_bytes = 0; /* the tile IBUF holds after the previous descriptor */
	uint64_t map_rows = 0, map_row_bytes = 0;   /* the map the chained PWs before wrote (docs/hw.md "Chaining") */

	for (uint32_t k = 0; k < p->n_desc; k++) {
		const struct mbn_desc d = plan_desc(p, k);
		uint64_t in_rows = d.in_rows, in_w = d.in_w, in_c = d.in_c, out_c = d.out_c;
		uint64_t npix = (uint64_t)d.out_rows * d.out_w;
		bool dw = d.op == MBN_OP_DW, fused = d.fuse != 0 && dw, chain_pw = d.fuse != 0 && !dw;
		uint64_t rows = dw ? in_rows : in_rows * in_w, row_bytes = dw ? in_w * in_c : in_c;
		*why = NULL;
		if (d.chained && (rows != map_rows || row_bytes != map_row_bytes))
			*why = "chained DW with another tile geometry than the chained map's";
		else if (d.chained && !ibuf_fits(caps->ibank, rows, row_bytes, i_half))
			*why = "chained DW input above an IBUF half";
		else if (d.reuse_input && !d.chained && (rows != prev_rows || row_bytes != prev_row_bytes))
			*why = "reuse_input with another tile geometry than the previous descriptor's";
		else if (chain_pw && !ibuf_fits(caps->ibank, rows, row_bytes, i_half))
			*why = "chained PW input above an IBUF half";
		else if (chain_pw && !ibuf_fits(caps->ibank, d.out_rows, (uint64_t)d.out_w * d.out_stride, i_half))
			*why = "chained PW map above an IBUF half";
		else if (!ibuf_fits(caps->ibank, rows, row_bytes, i_full))
			*why = "input tile above IBUF";
		else if (!fused && !chain_pw && npix * out_c > o_full)
			*why = "output tile above OBUF";
		else if (fused && !ibuf_fits(caps->ibank, rows, row_bytes, i_half))
			*why = "fused DW input above an IBUF half";
		else if (fused && !ibuf_fits(caps->ibank, npix, out_c, i_half))
			*why = "fused DW output above an IBUF half";
		if (*why)
			return (long)k;
		if (chain_pw) { /* its input stays the tile; the map is for the chained DW */
			map_rows = d.out_rows;
			map_row_bytes = (uint64_t)d.out_w * d.out_stride;
			continue;
		}
		prev_rows = fused ? npix : rows;
		prev_row_bytes = fused ? out_c : row_bytes;
	}
	return -1;
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
	if (!p.n_seg) {
		printf("FAIL %s: nothing compiled for the accelerator\n", label);
		failures++;
		return;
	}
	size_t fm = mbn_graph_max_fmap(g);
	uint8_t *in = malloc(g->input.bytes), *s0 = malloc(fm), *s1 = malloc(fm), *ref = malloc(g->output.bytes);
	void *work = malloc(mbn_cpu_range_work(g, 0, g->n_layers) + 1);
	for (size_t i = 0; i < g->input.bytes; i++)
		in[i] = rnd8();
	memcpy(ref, mbn_cpu_run_range(g, 0, g->n_layers, in, s0, s1, work), g->output.bytes);

	uint64_t mem_size = p.const_size + p.act_size + 8192;
	uint8_t *mem = calloc(1, mem_size);
	struct mbn_cmodel_region regs[2] = { { 0, p.const_size }, { (p.const_size + 4095) & ~4095ull, p.act_size } };
	memcpy(mem, p.const_img, p.const_size);
	memset(mem + regs[1].base, 0xA5, p.act_size); /* garbage where nothing was written */
	struct mbn_cmodel_params cp;
	mbn_cmodel_default_params(&cp);
	cp.lanes = (unsigned)caps->lanes;
	/* the model checks the capacity the hardware accepts: the whole buffers */
	cp.ibuf_words = (caps->ibuf_full_bytes ? caps->ibuf_full_bytes : caps->ibuf_bytes) / 16;
	cp.obuf_words = (caps->obuf_full_bytes ? caps->obuf_full_bytes : caps->obuf_bytes) / 16;
	cp.ibank = caps->ibank; /* docs/hw.md "IBUF row banks": the model applies the same rule */
	cp.wbuf_rows = caps->wbuf_full_rows ? caps->wbuf_full_rows : caps->wbuf_rows;
	cp.qbuf_entries = caps->qbuf_entries;
	cp.fuse = caps->fuse;
	cp.chain = caps->chain;
	const char *why;
	long bad = check_capacity(&p, caps, &why);
	if (bad >= 0) {
		printf("FAIL %s: descriptor %ld: %s\n", label, bad, why);
		failures++;
	}
	/* docs/hw.md fusion rules the compiler guarantees: a fused DW is followed by PWs with
	 * reuse_input of exactly its output (pixels, channels); check_capacity() checks that
	 * both of its tiles fit an IBUF half */
	int n_fused = 0, n_chained = 0;
	for (uint32_t k = 0; k < p.n_desc; k++) {
		const struct mbn_desc d = plan_desc(&p, k);
		n_chained += d.chained;
		if (!d.fuse || d.op != MBN_OP_DW)
			continue;
		n_fused++;
		uint64_t npix = (uint64_t)d.out_rows * d.out_w, c_ = d.in_c;
		bool ok = caps->fuse && d.op == MBN_OP_DW && k + 1 < p.n_desc;
		uint32_t oc = 0, k2 = k + 1;
		for (; ok && k2 < p.n_desc; k2++) {
			const struct mbn_desc e = plan_desc(&p, k2);
			if (e.op != MBN_OP_PW || !e.reuse_input)
				break; /* the end of the pair's group (maybe the next segment's PWs) */
			ok = (uint64_t)e.in_rows * e.in_w == npix && e.in_c == c_;
			oc += e.out_c;
		}
		if (!ok || !oc) {
			printf("FAIL %s: fused descriptor %u not followed by reuse_input PWs of its output\n", label, k);
			failures++;
			break;
		}
	}
	/* the segments in turn, the CPU layers before, between and after them */
	struct mbn_cmodel_fault f, sum = { 0 };
	const uint8_t *x = in;
	int from = 0, n_accel = 0;
	uint8_t *fmap = malloc(fm), *xb = malloc(fm);
	for (int k = 0; k < p.n_seg && !r; k++) {
		const struct accel_segment *sg = &p.seg[k];
		x = mbn_cpu_run_range(g, from, sg->first, x, s0, s1, work);
		mbn_accel_write_input(&p, k, x, mem + regs[1].base);
		r = mbn_cmodel_run_params(&cp, mem, mem_size, regs, 2, 0, sg->first_desc * 64, sg->n_desc, &f);
		sum.rd_bytes += f.rd_bytes;
		sum.wr_bytes += f.wr_bytes;
		mbn_accel_read_output(&p, k, mem + regs[1].base, fmap);
		memcpy(xb, fmap, (size_t)sg->out_h * sg->out_w * sg->out_c);
		x = xb;
		from = sg->end;
		n_accel += sg->end - sg->first;
	}
	if (r) {
		printf("FAIL %s: cmodel fault %u at descriptor %u offset %u\n", label, f.code, f.desc, f.offset);
		failures++;
	} else {
		const uint8_t *out = mbn_cpu_run_range(g, from, g->n_layers, x, s0, s1, work);
		if (memcmp(out, ref, g->output.bytes)) {
			size_t i = 0;
			while (out[i] == ref[i])
				i++;
			printf("FAIL %s: output byte %zu is %u, CPU gives %u\n", label, i, out[i], ref[i]);
			failures++;
		} else {
			printf("PASS %s: %d accelerator layers in %d segment(s), %u descriptors (%d fused, %d chained), %.2f MB read, %.2f MB written, identical output\n",
			       label, n_accel, p.n_seg, p.n_desc, n_fused, n_chained, sum.rd_bytes / 1e6, sum.wr_bytes / 1e6);
		}
	}
	free(fmap);
	free(xb);
	free(mem);
	free(in);
	free(s0);
	free(s1);
	free(work);
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
	if (mbn_graph_load(bufs, &n, names, 1, MBN_MATCH_X86, &g)) {
		printf("FAIL %s: load: %s\n", path, mbn_last_error());
		failures++;
		free(buf);
		return;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	/* as CAPS reports them (halves) with the whole-buffer capacity beside, and without
	 * it (the compiler then stays within the halves) */
	/* designated initializers: a field added to struct accel_caps is false/0 here
	 * unless a configuration below sets it */
	struct accel_caps def = { .lanes = 16, .macs = 256, .ibuf_bytes = 4096 * 16, .wbuf_rows = 256,
				  .obuf_bytes = 2048 * 16, .qbuf_entries = 1024, .regions = 8,
				  .ibuf_full_bytes = 8192 * 16, .wbuf_full_rows = 512, .obuf_full_bytes = 4096 * 16 };
	struct accel_caps tiny = { .lanes = 16, .macs = 256, .ibuf_bytes = 512 * 16, .wbuf_rows = 32,
				   .obuf_bytes = 256 * 16, .qbuf_entries = 1024, .regions = 8,
				   .ibuf_full_bytes = 1024 * 16, .wbuf_full_rows = 64, .obuf_full_bytes = 512 * 16 };
	struct accel_caps wide = def;
	wide.lanes = 32, wide.macs = 512;
	struct accel_caps halves = def;
	halves.ibuf_full_bytes = halves.wbuf_full_rows = halves.obuf_full_bytes = 0;
	struct accel_caps def_f = def, tiny_f = tiny;
	def_f.fuse = tiny_f.fuse = true;
	/* IBUF row banks (docs/hw.md, VERSION 1.2): the same sizes, ~3x the IBUF tiles */
	struct accel_caps def_fb = def_f, tiny_fb = tiny_f, def_b = def, halves_b = halves;
	def_fb.ibank = tiny_fb.ibank = def_b.ibank = halves_b.ibank = true;
	/* chaining (docs/hw.md "Chaining", VERSION 1.4): a PW's output on chip as the next DW's input */
	struct accel_caps def_fbc = def_fb, tiny_fbc = tiny_fb;
	def_fbc.chain = tiny_fbc.chain = true;
	/* depthwise on all lanes, fusion and chaining above 16 lanes (VERSION 1.5, CAPS3 DWG) */
	struct accel_caps wide_g = def_fbc, huge_g = def_fbc;
	wide_g.lanes = 32, wide_g.macs = 512, wide_g.pw16 = wide_g.dwg = true;
	huge_g.lanes = 128, huge_g.macs = 2048, huge_g.pw16 = huge_g.dwg = true;
	check(base, &g, &def_f, "default buffers, fusion");
	check(base, &g, &tiny_f, "tiny buffers, fusion");
	check(base, &g, &def, "default buffers");
	check(base, &g, &tiny, "tiny buffers: many tiles");
	check(base, &g, &wide, "32 lanes");
	check(base, &g, &halves, "halves only");
	check(base, &g, &def_fb, "default buffers, fusion, ibank");
	check(base, &g, &tiny_fb, "tiny buffers, fusion, ibank");
	check(base, &g, &def_b, "default buffers, ibank");
	check(base, &g, &halves_b, "halves only, ibank");
	check(base, &g, &def_fbc, "default buffers, fusion, ibank, chaining");
	check(base, &g, &tiny_fbc, "tiny buffers, fusion, ibank, chaining");
	check(base, &g, &wide_g, "32 lanes, fusion, ibank, chaining, dwg");
	check(base, &g, &huge_g, "128 lanes, fusion, ibank, chaining, dwg");
	mbn_graph_free(&g);
	free(buf);
}

int main(int argc, char **argv)
{
	const char *shared = getenv("MBN_SHARED") ? getenv("MBN_SHARED") : "../shared";
	const char *gen = getenv("MBN_GEN") ? getenv("MBN_GEN") : "build/bin/mbn-gen";
	char path[4096];

	/* docs/hw.md CAPS3[17] IBANK: decoded, and CAPS1 keeps its meaning (half of a bank) */
	for (int ib = 0; ib < 2; ib++) {
		uint32_t c[4] = {
			MBN_CAPS0_MACS_PUT(256) | MBN_CAPS0_AXI_BYTES_PUT(16) | MBN_CAPS0_LANES_PUT(16),
			MBN_CAPS1_IBUF_KIB_PUT(64) | MBN_CAPS1_WBUF_KIB_PUT(64),
			MBN_CAPS2_OBUF_KIB_PUT(32) | MBN_CAPS2_QBUF_PUT(1024),
			MBN_CAPS3_REGIONS_PUT(8) | MBN_CAPS3_OUTSTANDING_PUT(16) | MBN_CAPS3_FUSE |
				(ib ? MBN_CAPS3_IBANK : 0),
		};
		struct accel_caps dc;
		if (mbn_accel_caps_decode(c, "test", &dc) || dc.ibank != (ib == 1) || !dc.fuse ||
		    dc.ibuf_bytes != 64 * 1024 || dc.ibuf_full_bytes != 128 * 1024) {
			printf("FAIL caps decode, IBANK %d\n", ib);
			failures++;
		} else {
			printf("PASS caps decode, IBANK %d\n", ib);
		}
	}
	/* CAPS3[22] RD256, [23] WR256 (docs/hw.md "The 256-bit read port", "... write port"):
	 * decoded into the data widths and named in the device description */
	for (int m = 0; m < 4; m++) {
		uint32_t c[4] = {
			MBN_CAPS0_MACS_PUT(512) | MBN_CAPS0_AXI_BYTES_PUT(16) | MBN_CAPS0_LANES_PUT(32),
			MBN_CAPS1_IBUF_KIB_PUT(64) | MBN_CAPS1_WBUF_KIB_PUT(128),
			MBN_CAPS2_OBUF_KIB_PUT(32) | MBN_CAPS2_QBUF_PUT(1024),
			MBN_CAPS3_REGIONS_PUT(8) | MBN_CAPS3_OUTSTANDING_PUT(8) |
				((m & 1) ? MBN_CAPS3_RD256 : 0) | ((m & 2) ? MBN_CAPS3_WR256 : 0),
		};
		static const char *const want[] = { NULL, ", 256-bit DMA reads", ", 256-bit DMA writes",
						    ", 256-bit DMA" };
		struct accel_caps dc;
		char desc[512] = "";
		int ok = !mbn_accel_caps_decode(c, "test", &dc) && dc.rd_bytes == ((m & 1) ? 32 : 16) &&
			 dc.wr_bytes == ((m & 2) ? 32 : 16) && mbn_accel_caps_describe(&dc, desc, sizeof desc) > 0;
		/* the one phrase, whole (no other feature is set here, so nothing follows it) */
		const char *hit = ok ? strstr(desc, ", 256-bit DMA") : NULL;
		if (ok)
			ok = want[m] ? hit && !strcmp(hit, want[m]) : hit == NULL;
		printf("%s caps decode, RD256 %d WR256 %d: %s\n", ok ? "PASS" : "FAIL", m & 1, m >> 1, desc);
		failures += !ok;
	}
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
