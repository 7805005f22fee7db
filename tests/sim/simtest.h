/*
 * simtest.h: shared helpers of the simulator tests (tests/sim/sim-*.c): PASS/FAIL
 * reporting, a deterministic RNG, the libmbnsim*.so loaded at run time by
 * hw/sim/mbn_sim_load.h (so one test binary runs against any build: default, a parameter
 * variant, the stub), programming a job through the registers, and a random
 * descriptor-chain generator for the C model.
 */
#ifndef SIMTEST_H
#define SIMTEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#pragma GCC diagnostic ignored "-Wunused-function"

#include "cmodel.h"
#include "desc_check.h"
#include "mbn_regs.h"
#include "mbn_sim_load.h" /* the simulator library, loaded at run time */

/* The counters here and the RNG state below are one copy per program: a program of several
 * files (sim-rtl) defines SIMTEST_PART in all but the one with main. */
#ifdef SIMTEST_PART
extern int st_failed, st_passed;
#else
int st_failed, st_passed;
#endif

static void pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
	st_passed++;
}

static void __attribute__((format(printf, 2, 3))) fail(const char *name, const char *fmt, ...)
{
	va_list ap;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	st_failed++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* xorshift64* */
#ifdef SIMTEST_PART
extern uint64_t rng_state;
#else
uint64_t rng_state = 0x9e3779b97f4a7c15ull;
#endif
static uint64_t rnd64(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}
static void rng_seed(uint64_t seed)
{
	rng_state = 0x9e3779b97f4a7c15ull + seed * 0xbf58476d1ce4e5b9ull;
	if (!rng_state)
		rng_state = 1;
	for (int i = 0; i < 4; i++)
		rnd64();
}
static uint32_t rnd(uint32_t n) /* 0..n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}
static int rndr(int lo, int hi) /* lo..hi inclusive */
{
	return lo + (int)rnd((uint32_t)(hi - lo + 1));
}
static void rnd_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd64();
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Value of NAME=v in mbn_sim_params(), or def. */
static unsigned param_of(const char *params, const char *name, unsigned def)
{
	size_t n = strlen(name);
	for (const char *p = params; p && *p;) {
		if (!strncmp(p, name, n) && p[n] == '=')
			return (unsigned)strtoul(p + n + 1, NULL, 0);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	return def;
}

static void cmodel_params_from(const char *params, struct mbn_cmodel_params *p)
{
	mbn_cmodel_default_params(p);
	p->lanes = param_of(params, "LANES", p->lanes);
	p->ibuf_words = param_of(params, "IBUF_WORDS", p->ibuf_words);
	p->wbuf_rows = param_of(params, "WBUF_ROWS", p->wbuf_rows);
	p->obuf_words = param_of(params, "OBUF_WORDS", p->obuf_words);
	p->qbuf_entries = param_of(params, "QBUF_ENTRIES", p->qbuf_entries);
	/* mbn_ctrl FUSE_OK (CAPS3 FUSE, CHAIN) */
	p->fuse = p->ibuf_words / 2 <= p->obuf_words;
	p->chain = p->fuse;
}

static uint64_t reg64(struct mbn_sim_lib *L, mbn_sim *s, uint32_t lo)
{
	uint32_t l = L->reg_read(s, lo), h = L->reg_read(s, lo + 4);
	return (uint64_t)h << 32 | l;
}

/* Program the region table (entries >= nreg zeroed) and the chain, then START. */
static void job_start(struct mbn_sim_lib *L, mbn_sim *s, const struct mbn_cmodel_region *reg, int nreg,
		      uint32_t desc_region, uint32_t desc_offset, uint32_t count)
{
	for (int r = 0; r < (int)MBN_NUM_REGIONS; r++) {
		uint64_t b = r < nreg ? reg[r].base : 0, z = r < nreg ? reg[r].size : 0;
		L->reg_write(s, MBN_REG_REGION(r) + 0, (uint32_t)b);
		L->reg_write(s, MBN_REG_REGION(r) + 4, (uint32_t)(b >> 32));
		L->reg_write(s, MBN_REG_REGION(r) + 8, (uint32_t)z);
		L->reg_write(s, MBN_REG_REGION(r) + 12, (uint32_t)(z >> 32));
	}
	L->reg_write(s, MBN_REG_DESC_REGION, desc_region);
	L->reg_write(s, MBN_REG_DESC_OFFSET, desc_offset);
	L->reg_write(s, MBN_REG_DESC_COUNT, count);
	L->reg_write(s, MBN_REG_IRQ_ENABLE, 3);
	L->reg_write(s, MBN_REG_CTRL, 1);
}

/* ---- descriptors ---- */
struct tdesc {
	uint32_t op, round, reuse_weights, reuse_input, fuse, chained;
	uint32_t in_rows, in_w, in_c, out_c, out_rows, out_w;
	uint32_t stride, pad_left, w_zp;
	int32_t row_off;
	uint32_t in_zp, out_zp, act_min, act_max;
	uint32_t in_region, w_region, q_region, out_region;
	uint32_t in_offset, w_offset, q_offset, out_offset, out_stride;
	uint32_t d0_extra, d12; /* to inject reserved-bit faults */
};

static void desc_pack(const struct tdesc *d, uint8_t *p)
{
	/* the contract's packing (generated mbn_regs.h); the extra bits inject faults */
	const struct mbn_desc m = {
		.op = d->op,
		.round = d->round,
		.reuse_weights = d->reuse_weights,
		.reuse_input = d->reuse_input,
		.fuse = d->fuse,
		.chained = d->chained,
		.in_rows = d->in_rows,
		.in_w = d->in_w,
		.in_c = d->in_c,
		.out_c = d->out_c,
		.out_rows = d->out_rows,
		.out_w = d->out_w,
		.stride = d->stride,
		.row_off = d->row_off,
		.pad_left = d->pad_left,
		.w_zp = d->w_zp,
		.in_zp = d->in_zp,
		.out_zp = d->out_zp,
		.act_min = d->act_min,
		.act_max = d->act_max,
		.in_region = d->in_region,
		.w_region = d->w_region,
		.q_region = d->q_region,
		.out_region = d->out_region,
		.in_offset = d->in_offset,
		.w_offset = d->w_offset,
		.q_offset = d->q_offset,
		.out_offset = d->out_offset,
		.out_stride = d->out_stride,
	};
	uint32_t w[16];
	mbn_desc_pack(&m, w);
	w[0] |= d->d0_extra;
	w[12] = d->d12;
	for (int i = 0; i < 16; i++)
		wr32(p + 4 * i, w[i]);
}

static uint64_t desc_in_bytes(const struct tdesc *d)
{
	return (uint64_t)d->in_rows * d->in_w * d->in_c;
}
/* A PW's weights are ceil(out_c / LANES) groups of LANES rows (the last group's
 * missing rows padding, CAPS3 PW16), in_c bytes each. */
static uint64_t desc_w_bytes(const struct tdesc *d, unsigned lanes)
{
	return d->op == MBN_OP_PW ? (uint64_t)d->in_c * ((d->out_c + lanes - 1) / lanes * lanes) : 9ull * d->in_c;
}
static uint64_t desc_out_extent(const struct tdesc *d)
{
	return ((uint64_t)d->out_rows * d->out_w - 1) * d->out_stride + d->out_c;
}

/* The contract checker's limits for the C model's parameters. */
static struct mbn_hw_limits hw_limits_of(const struct mbn_cmodel_params *p)
{
	const struct mbn_hw_limits lim = { p->lanes,  p->ibuf_words, p->wbuf_rows, p->obuf_words, p->qbuf_entries,
					   p->fuse,   p->ibank,      p->rsingle,   p->pw16,   p->chain };
	return lim;
}

/* docs/hw.md "IBUF row banks": does d's input tile fit `space` bytes (per bank with
 * IBANK)? A DW input row is an image row, a PW input row one pixel. The rule itself is
 * the contract's (desc_check.h mbn_ibuf_fits). */
static int tile_rule(const struct mbn_cmodel_params *p, uint64_t rows, uint64_t row_bytes, uint64_t space)
{
	const struct mbn_hw_limits lim = hw_limits_of(p);
	return mbn_ibuf_fits(&lim, rows, row_bytes, space);
}
static int tile_in_fits(const struct mbn_cmodel_params *p, const struct tdesc *d, uint64_t space)
{
	if (d->op == MBN_OP_DW)
		return tile_rule(p, d->in_rows, (uint64_t)d->in_w * d->in_c, space);
	return tile_rule(p, (uint64_t)d->in_rows * d->in_w, d->in_c, space);
}
/* ... and a fused DW's output (one row per pixel) */
static int tile_fused_out_fits(const struct mbn_cmodel_params *p, const struct tdesc *d, uint64_t space)
{
	return tile_rule(p, (uint64_t)d->out_rows * d->out_w, d->out_c, space);
}

/*
 * A random chain in a fixed 4-region layout:
 *   region 0: descriptors, region 1: inputs, region 2: weights + qparams, region 3: outputs.
 * Bases are 16-byte aligned but deliberately not 4 KiB aligned (bursts must split).
 * Offsets are bump-allocated per region; chained descriptors read the previous output.
 */
struct chain {
	struct mbn_cmodel_region reg[4];
	uint64_t mem_size;
	uint32_t used[4];
	int n;
	struct tdesc d[64];
};

static uint32_t chain_alloc(struct chain *c, int r, uint64_t bytes)
{
	uint32_t off = c->used[r] + 16 * rnd(4);
	off = (off + 15) & ~15u;
	c->used[r] = off + (uint32_t)((bytes + 15) & ~15ull);
	return off;
}

static void chain_layout(struct chain *c, uint64_t mem_size)
{
	memset(c, 0, sizeof(*c));
	c->mem_size = mem_size;
	uint64_t q = mem_size / 4;
	for (int r = 0; r < 4; r++) {
		c->reg[r].base = r * q + 16 * rnd(200);
		c->reg[r].size = q - 4096;
	}
	c->reg[0].size = 64 * 1024; /* descriptors */
}

static void rnd_qparams(uint8_t *q, uint32_t n, int wild)
{
	for (uint32_t c = 0; c < n; c++) {
		int32_t bias = rndr(-70000, 70000), mult, shift;
		if (wild && rnd(4) == 0) {
			mult = (int32_t)rnd64();
			if (rnd(8) == 0)
				mult = INT32_MIN;
			shift = rndr(-40, 31);
			if (rnd(4) == 0)
				bias = (int32_t)rnd64();
		} else {
			mult = (int32_t)(0x40000000u + rnd(0x40000000u));
			shift = rndr(-14, 1);
		}
		wr32(q + 16 * c + 0, (uint32_t)bias);
		wr32(q + 16 * c + 4, (uint32_t)mult);
		wr32(q + 16 * c + 8, (uint32_t)shift);
		wr32(q + 16 * c + 12, 0);
	}
}

/* Make d (a DW) fused (docs/hw.md d0[10]): no output in DRAM. */
static void desc_make_fused(struct tdesc *d)
{
	d->fuse = 1;
	d->out_region = 0;
	d->out_offset = 0;
	d->out_stride = d->out_c;
}

/* Random weights and qparams (wild: also extreme multipliers and shifts) for d, at fresh
 * offsets of region 2. */
static void chain_weights(struct chain *c, uint8_t *mem, struct tdesc *d, unsigned lanes, int wild)
{
	d->w_offset = chain_alloc(c, 2, desc_w_bytes(d, lanes));
	rnd_fill(mem + c->reg[2].base + d->w_offset, desc_w_bytes(d, lanes));
	d->q_offset = chain_alloc(c, 2, 16ull * d->out_c);
	rnd_qparams(mem + c->reg[2].base + d->q_offset, d->out_c, wild);
}

/*
 * Append one random valid descriptor (filling its data in mem). max_px bounds the size.
 * allow_reuse also allows fused DW descriptors (if p->fuse): the descriptor after one is
 * a PW with reuse_input of exactly the DW's output (in_c = out_c, same pixels); PWs
 * after that may reuse it again.
 */
static void chain_add(struct chain *c, uint8_t *mem, const struct mbn_cmodel_params *p,
		      int max_px, int allow_reuse)
{
	struct tdesc *d = &c->d[c->n];
	struct tdesc *pr = c->n ? &c->d[c->n - 1] : NULL;
	memset(d, 0, sizeof(*d));
	int after_fuse = pr && pr->fuse && pr->op == MBN_OP_DW;
	d->op = after_fuse || rnd(2) ? MBN_OP_PW : MBN_OP_DW;
	d->round = rnd(3); /* AWAY, UP, SINGLE (CAPS3 RSINGLE) */
	int reuse_in = allow_reuse && pr && pr->op == d->op && rnd(4) == 0;
	int reuse_w = allow_reuse && pr && pr->op == d->op && rnd(4) == 0;
	int chained = !reuse_in && pr && pr->out_stride == pr->out_c && rnd(4) == 0;
	int fuse = allow_reuse && p->fuse && d->op == MBN_OP_DW && rnd(3) == 0;
	if (after_fuse) {
		reuse_in = 1;
		reuse_w = chained = 0;
	}
	int big = rnd(8) == 0;
	if (reuse_w && chained && pr->out_c != pr->in_c)
		chained = 0;
	if (after_fuse) {
		/* the fused DW's output: out_rows x out_w pixels of out_c, in any split */
		d->in_c = pr->out_c;
		d->in_rows = pr->out_rows;
		d->in_w = pr->out_w;
		if (rnd(2)) {
			d->in_w = pr->out_rows * pr->out_w;
			d->in_rows = 1;
		}
	} else if (reuse_in) {
		d->in_rows = pr->in_rows;
		d->in_w = pr->in_w;
		d->in_c = pr->in_c;
	} else if (chained) {
		d->in_c = pr->out_c;
		d->in_rows = pr->out_rows;
		d->in_w = pr->out_w;
	} else {
		d->in_c = reuse_w ? pr->in_c : 16u * (uint32_t)rndr(1, big ? 32 : 8);
		d->in_rows = rndr(1, 6);
		d->in_w = rndr(1, 24);
	}
	if (d->op == MBN_OP_PW) {
		/* with CAPS3 PW16 also out_c not a multiple of LANES (the last group partial) */
		if (reuse_w)
			d->out_c = pr->out_c;
		else if (p->pw16 && p->lanes > 16 && rnd(2))
			d->out_c = 16u * (uint32_t)rndr(1, (big ? 8 : 3) * (int)p->lanes / 16);
		else
			d->out_c = p->lanes * (uint32_t)rndr(1, big ? 8 : 3);
		d->out_rows = d->in_rows;
		d->out_w = d->in_w;
	} else {
		d->out_c = d->in_c;
		d->stride = rndr(1, 2);
		d->pad_left = rndr(0, 2);
		d->row_off = rndr(-2, 2);
		d->out_rows = rndr(1, (int)(d->in_rows + 2) / (int)d->stride + 1);
		d->out_w = rndr(1, (int)(d->in_w + 2) / (int)d->stride + 1);
	}
	/* keep within capacity and size budget */
	while ((uint64_t)d->in_rows * d->in_w > (uint64_t)max_px && !reuse_in && !chained) {
		if (d->in_w > 1)
			d->in_w = (d->in_w + 1) / 2;
		else
			d->in_rows = (d->in_rows + 1) / 2;
		if (d->op == MBN_OP_PW) {
			d->out_rows = d->in_rows;
			d->out_w = d->in_w;
		}
	}
	if (fuse && (!tile_in_fits(p, d, (uint64_t)p->ibuf_words * 8) ||
		     !tile_fused_out_fits(p, d, (uint64_t)p->ibuf_words * 8)))
		fuse = 0;
	if (!after_fuse && (!tile_in_fits(p, d, (uint64_t)p->ibuf_words * 16) ||
	    (!fuse && (uint64_t)d->out_rows * d->out_w * d->out_c > (uint64_t)p->obuf_words * 16) ||
	    d->out_c > p->qbuf_entries)) {
		/* fall back to a tiny PW descriptor */
		reuse_in = reuse_w = chained = fuse = 0;
		d->op = MBN_OP_PW;
		d->in_rows = d->out_rows = 1;
		d->in_w = d->out_w = 4;
		d->in_c = 16;
		d->out_c = p->lanes;
		d->stride = d->pad_left = 0;
		d->row_off = 0;
	}
	d->reuse_input = reuse_in;
	d->reuse_weights = reuse_w;
	d->w_zp = rnd(3) == 0 ? 128 : rnd(256);
	d->in_zp = rnd(256);
	d->out_zp = rnd(256);
	d->act_min = rnd(3) ? 0 : rnd(128);
	d->act_max = rnd(3) ? 255 : 128 + rnd(128);
	d->out_stride = d->out_c + 16 * (rnd(3) ? 0 : rndr(1, 2));
	d->w_region = 2;
	d->q_region = 2;
	d->out_region = 3;
	if (chained) {
		d->in_region = pr->out_region;
		d->in_offset = pr->out_offset;
	} else {
		/* reuse: point at fresh random data, so an ignored flag shows in the output */
		d->in_region = 1;
		d->in_offset = chain_alloc(c, 1, desc_in_bytes(d));
		rnd_fill(mem + c->reg[1].base + d->in_offset, desc_in_bytes(d));
	}
	chain_weights(c, mem, d, p->lanes, 1);
	d->out_offset = chain_alloc(c, 3, desc_out_extent(d));
	rnd_fill(mem + c->reg[3].base + d->out_offset, desc_out_extent(d)); /* gaps keep garbage */
	if (fuse)
		desc_make_fused(d);
	c->n++;
}

/* Random zero points, clamp and rounding, as chain_add draws them. */
static void rnd_quant(struct tdesc *d)
{
	d->round = rnd(3);
	d->w_zp = rnd(3) == 0 ? 128 : rnd(256);
	d->in_zp = rnd(256);
	d->out_zp = rnd(256);
	d->act_min = rnd(3) ? 0 : rnd(128);
	d->act_max = rnd(3) ? 255 : 128 + rnd(128);
}

/*
 * Append a pointwise->depthwise chain on chip (docs/hw.md "Chaining", CAPS3 CHAIN): PW
 * descriptors with fuse, whose output channel slices fill a map of R x W pixels of S
 * bytes in IBUF in order (the first loads its input, the others reuse it), then a DW
 * with `chained` and reuse_input that reads the map, its output stored or fused (the
 * next chain_add then adds the PW after it). Without CHAIN, or no room: chain_add.
 */
static void chain_add_onchip(struct chain *c, uint8_t *mem, const struct mbn_cmodel_params *p, int max_px)
{
	const uint64_t half = (uint64_t)p->ibuf_words * 8;
	uint32_t R = (uint32_t)rndr(1, 6), W = (uint32_t)rndr(1, 12), S = 16u * (uint32_t)rndr(1, 8);
	uint32_t in_c = 16u * (uint32_t)rndr(1, 6);
	if (!p->chain || c->n + 10 > (int)(sizeof(c->d) / sizeof(c->d[0]))) {
		chain_add(c, mem, p, max_px, 1);
		return;
	}
	while ((uint64_t)R * W > (uint64_t)max_px || !tile_rule(p, R, (uint64_t)W * S, half) ||
	       !tile_rule(p, (uint64_t)R * W, in_c, half)) {
		if (W > 1)
			W = (W + 1) / 2;
		else
			R = (R + 1) / 2;
	}
	struct tdesc *first = NULL;
	for (uint32_t off = 0; off < S;) {
		struct tdesc *d = &c->d[c->n];
		memset(d, 0, sizeof(*d));
		d->op = MBN_OP_PW;
		rnd_quant(d);
		d->in_rows = d->out_rows = R;
		d->in_w = d->out_w = W;
		d->in_c = in_c;
		d->out_c = 16u * (uint32_t)rndr(1, (int)(S - off) / 16);
		d->w_region = d->q_region = 2;
		d->in_region = 1;
		/* the first slice loads its input; the others reuse it (fresh data at
		 * in_offset, so an ignored reuse shows) */
		d->reuse_input = first != NULL;
		d->in_offset = chain_alloc(c, 1, desc_in_bytes(d));
		rnd_fill(mem + c->reg[1].base + d->in_offset, desc_in_bytes(d));
		chain_weights(c, mem, d, p->lanes, 1);
		d->fuse = 1;
		d->out_region = 0;
		d->out_offset = off;
		d->out_stride = S;
		off += d->out_c;
		if (!first)
			first = d;
		c->n++;
	}
	struct tdesc *d = &c->d[c->n];
	memset(d, 0, sizeof(*d));
	d->op = MBN_OP_DW;
	rnd_quant(d);
	d->reuse_input = d->chained = 1;
	d->in_rows = R;
	d->in_w = W;
	d->in_c = d->out_c = S;
	d->stride = (uint32_t)rndr(1, 2);
	d->pad_left = (uint32_t)rndr(0, 2);
	d->row_off = rndr(-2, 2);
	d->out_rows = (uint32_t)rndr(1, (int)(R + 2) / (int)d->stride + 1);
	d->out_w = (uint32_t)rndr(1, (int)(W + 2) / (int)d->stride + 1);
	d->w_region = d->q_region = 2;
	d->in_region = 1; /* fresh data: a load instead of the map shows */
	d->in_offset = chain_alloc(c, 1, desc_in_bytes(d));
	rnd_fill(mem + c->reg[1].base + d->in_offset, desc_in_bytes(d));
	chain_weights(c, mem, d, p->lanes, 1);
	d->out_region = 3;
	d->out_stride = d->out_c + 16 * (rnd(3) ? 0 : rndr(1, 2));
	int fuse = p->fuse && rnd(2) && tile_fused_out_fits(p, d, half);
	while (!fuse && (uint64_t)d->out_rows * d->out_w * d->out_c > (uint64_t)p->obuf_words * 16) {
		if (d->out_w > 1)
			d->out_w = (d->out_w + 1) / 2;
		else
			d->out_rows = (d->out_rows + 1) / 2;
	}
	d->out_offset = chain_alloc(c, 3, desc_out_extent(d));
	rnd_fill(mem + c->reg[3].base + d->out_offset, desc_out_extent(d));
	if (fuse)
		desc_make_fused(d);
	c->n++;
}

static void chain_write_descs(struct chain *c, uint8_t *mem)
{
	for (int i = 0; i < c->n; i++)
		desc_pack(&c->d[i], mem + c->reg[0].base + 64 * i);
}

/* First differing byte, or -1. */
static int64_t memdiff(const uint8_t *a, const uint8_t *b, uint64_t n)
{
	if (!memcmp(a, b, n))
		return -1;
	for (uint64_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (int64_t)i;
	return -1;
}

#endif
