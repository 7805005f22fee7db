/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_tiling.c - tiling and the cost models: depthwise row tiles, pointwise tilings
 * (pw_estimate, pw_choose), depthwise->pointwise fusion (fuse_estimate, fuse_choose)
 * and whether fusing a pair wins (fuse_wins). It decides tile sizes and orders only;
 * accel_emit.c turns them into descriptors.
 *
 * Tiling. A pointwise layer is a (pixels x input channels) by (input channels x output
 * channels) product. A tile is (pixel range, output-channel range); weights of an
 * output-channel range are contiguous, pixels of a range are contiguous. Loop orders:
 * output channels outer (weights read once, the input once per channel tile, or once
 * if it is one pixel tile) or pixels outer (input read once, weights once per pixel
 * tile, or once if they are one channel tile); reuse flags skip reloading what is
 * already on chip. Tile sizes and order come from a small cost model (accel_pw_choose):
 * tiles up to the reported half buffers keep the hardware's load/compute/store overlap, whole
 * buffers can read less. A depthwise layer is tiled by output rows, all channels at
 * once, within the halves (it is DRAM-bound: losing the overlap costs more than its
 * halo rows).
 *
 * One DRAM model (struct est_dram: FIFO servers of PW_EST_DRAM_BPC bytes per cycle)
 * under both estimators. They differ in one parameter of it: fuse_estimate queues loads
 * and stores on one shared server, the better model of the simulator's single port;
 * pw_estimate gives each direction a server of its own, as it always has, because a
 * shared port changes the pointwise tilings it picks (est_dram says where), and this
 * file's tilings, cycles and DRAM bytes are meant to stay as they are (issue 10).
 */
#include <stdint.h>

#include "compiler/accel_int.h"

/* Output rows per depthwise tile, or 0 if one row does not fit: the input rows (of
 * in_w * cp bytes) within IBUF space in_max, the output within out_max: OBUF bytes, or
 * for a fused DW (out_ibuf) IBUF space, whose rows are pixels of cp bytes (docs/hw.md
 * "IBUF row banks": the fused output is laid out as the PW input it becomes). */
static int dw_rows_within(const struct accel_caps *c, const struct mbn_layer *l, int cp, uint64_t in_max,
			  uint64_t out_max, bool out_ibuf)
{
	uint64_t in_row = (uint64_t)l->in_w * cp, out_row = (uint64_t)l->out_w * cp;

	for (int rows = l->out_h; rows >= 1; rows--) {
		uint64_t in_rows = (uint64_t)(rows - 1) * l->stride_h + 3;
		if (in_rows > (uint64_t)l->in_h)
			in_rows = (uint64_t)l->in_h;
		bool out_ok = out_ibuf ? accel_ibuf_fits(c, (uint64_t)rows * l->out_w, (uint64_t)cp, out_max)
				       : rows * out_row <= out_max;
		if (accel_ibuf_fits(c, in_rows, in_row, in_max) && out_ok)
			return rows;
		if (rows > 64) /* coarse steps down for big maps */
			rows = rows / 2 + 1;
	}
	return 0;
}

int accel_dw_tile_rows(const struct mbn_layer *l, int cp, const struct accel_caps *c)
{
	return dw_rows_within(c, l, cp, c->ibuf_bytes, c->obuf_bytes, false);
}

void accel_dw_in_rows(const struct mbn_layer *l, int oy0, int oy1, int *ld0, int *ld1)
{
	int s = l->stride_h, r_lo = oy0 * s - l->pad_top, r_hi = (oy1 - 1) * s - l->pad_top + 3;
	*ld0 = r_lo > 0 ? r_lo : 0;
	*ld1 = imin(r_hi, l->in_h);
}

/* DRAM bytes a depthwise layer reads in the row tiles of t (accel_fuse_tile_rows; an
 * unfused layer's are all alike): input tiles (halo rows included) and weights +
 * qparams, once or (reload) per tile; *tiles (if not NULL): how many tiles. */
static uint64_t dw_read_bytes(const struct mbn_layer *l, int cp, const struct fuse_plan *t, bool reload,
			      uint64_t *tiles)
{
	uint64_t b = 0, n = 0, wq = 25ull * (uint64_t)cp;
	for (int oy0 = 0; oy0 < l->out_h; oy0 += accel_fuse_tile_rows(t, oy0), n++) {
		int ld0, ld1;
		accel_dw_in_rows(l, oy0, imin(oy0 + accel_fuse_tile_rows(t, oy0), l->out_h), &ld0, &ld1);
		b += (uint64_t)(ld1 - ld0) * l->in_w * cp + (reload || oy0 == 0 ? wq : 0);
	}
	if (tiles)
		*tiles = n;
	return b;
}

void accel_pw_tile_at(const struct pw_tiling *t, int cout, uint64_t npix, uint64_t k, struct pw_tile *d)
{
	uint64_t inner = t->oc_outer ? t->n_px : t->n_oc, a = k / inner, b = k % inner;
	uint64_t ti = t->oc_outer ? a : b, pi = t->oc_outer ? b : a;
	d->oc0 = (int)(ti * (uint64_t)t->oc_tile);
	d->noc = imin(t->oc_tile, cout - d->oc0);
	d->p0 = pi * t->pix_tile;
	d->np = npix - d->p0 < t->pix_tile ? npix - d->p0 : t->pix_tile;
	/* on chip from the previous descriptor: the same weights, or the same input */
	d->reuse_w = t->oc_outer ? b > 0 : t->n_oc == 1 && pi > 0;
	d->reuse_in = t->oc_outer ? t->n_px == 1 && ti > 0 : b > 0;
	d->chain = false; /* a pointwise layer alone stores its output */
}

/* DRAM bytes per cycle of the simulator (hw/rtl/README.md), for the estimates. */
#define PW_EST_DRAM_BPC 16
/* The write DMA keeps at most 8 bursts awaiting their B response (mbn_dma_wr.v; a
 * ZynqMP HP port accepts 8 write commands, UG1085 "AXI Interface Programming"), and a
 * burst's lifetime is about the simulator's B latency (16 cycles) plus its AW, last W
 * and B handshakes: so short bursts cap a store at 8 bursts per ~20 cycles. */
#define PW_EST_WR_OUTSTANDING 8
#define PW_EST_WR_BURST_LIFE 20

/*
 * The estimators' DRAM (pw_estimate and fuse_estimate), the one model of it: FIFO
 * servers of PW_EST_DRAM_BPC bytes per cycle. `shared`: loads and stores queue on one
 * server (the simulator's single port); else each direction has a server of its own.
 * A descriptor's store is requested when its compute ends; it is queued when the next
 * load is requested, before that load if it was requested first, else after it
 * (dram_load).
 *
 * Why pw_estimate does not share the port as well: its estimates decide the pointwise
 * tilings of every model, and a shared port changes them (measured: the 32- and 64-lane
 * tilings of MobileNet v1 0.25-128, 0.5-160, 1.0-224 and the VWW model differ, and
 * many with smaller buffers, so cycles and DRAM bytes would). Moving it onto the shared
 * port is a tiling change to measure on its own. (With separate servers a transfer never
 * waits for one of its own direction: pw_estimate requests each after the previous one
 * has ended.)
 */
struct est_dram {
	bool shared;
	uint64_t free[2];           /* [0] loads (and stores if shared), [1] stores: busy until */
	uint64_t s_prev, s_end;     /* ends of the last two stores queued */
	uint64_t st_req, st_bytes;  /* the store requested and not yet queued (if bytes) */
	uint64_t st_min;            /* ... and its least duration (burst-limited, store_floor) */
};

/* A transfer requested at `req` ends at the returned cycle: its bytes at the DRAM's
 * rate, or `min` cycles if longer (a store of short bursts). */
static uint64_t dram_xfer(struct est_dram *m, bool store, uint64_t req, uint64_t bytes, uint64_t min)
{
	uint64_t *srv = &m->free[store && !m->shared];
	uint64_t start = req > *srv ? req : *srv;
	uint64_t dur = (bytes + PW_EST_DRAM_BPC - 1) / PW_EST_DRAM_BPC;
	*srv = start + (dur > min ? dur : min);
	return *srv;
}

/* The least cycles of a store of np pixels x noc channels into a map of cout channels:
 * mbn_dma_wr sends a dense store (noc = cout) in 16-beat bursts, else each pixel's
 * noc/16 words as bursts of their own, and keeps 8 bursts awaiting B. */
static uint64_t store_floor(uint64_t np, uint64_t noc, uint64_t cout)
{
	uint64_t words = noc / 16;
	uint64_t bursts = noc == cout ? (np * words + 15) / 16 : np * ((words + 15) / 16);
	return bursts * PW_EST_WR_BURST_LIFE / PW_EST_WR_OUTSTANDING;
}

/* Queue the pending store, if any; the last two stores' ends move. */
static void dram_queue_store(struct est_dram *m)
{
	if (!m->st_bytes)
		return;
	m->s_prev = m->s_end;
	m->s_end = dram_xfer(m, true, m->st_req, m->st_bytes, m->st_min);
	m->st_bytes = 0;
}

/* A load requested at req, in request order with the pending store: when it ends. */
static uint64_t dram_load(struct est_dram *m, uint64_t req, uint64_t bytes)
{
	if (m->st_req <= req)
		dram_queue_store(m);
	uint64_t end = dram_xfer(m, false, req, bytes, 0);
	dram_queue_store(m);
	return end;
}

/* A store requested at req (pending until the next load or dram_drain), lasting at
 * least min cycles. */
static void dram_store(struct est_dram *m, uint64_t req, uint64_t bytes, uint64_t min)
{
	m->st_req = req;
	m->st_bytes = bytes;
	m->st_min = min;
}

/* Queue the last store: the end of all traffic. */
static uint64_t dram_drain(struct est_dram *m)
{
	dram_queue_store(m);
	return m->s_end;
}

/*
 * Estimated cycles of a tiling run as a job of its own: the 3-stage descriptor pipeline
 * of hw/rtl/README.md (F loads descriptor k+1 while C computes k and S stores k-1) with
 * DMA at PW_EST_DRAM_BPC bytes per cycle (reads and writes not sharing it, latencies and
 * per-descriptor overheads but the 25-cycle compute prologue/drain ignored). A tile up to
 * the reported half of a buffer overlaps as described; one larger than a half takes the
 * whole buffer, so its load waits until the computing descriptor has released that
 * buffer (and a load after it waits for its compute), and with a whole OBUF the compute
 * waits for the previous store. So with halves cycles ~= first load + max(compute, DMA)
 * + last store, and every whole-buffer load or store adds to the compute instead.
 */
static void pw_estimate(struct pw_tiling *t, const struct accel_caps *c, int cin, int cout, uint64_t npix)
{
	const uint64_t cols = (uint64_t)cin / 16, lanes = (uint64_t)c->lanes;
	struct est_dram m = { .shared = false }; /* (see est_dram) */
	uint64_t f = 0, c_free = 0, rd = 0;
	bool prev_if = false, prev_wf = false, prev_of = false;

	for (uint64_t k = 0; k < t->n_oc * t->n_px; k++) {
		struct pw_tile d;
		accel_pw_tile_at(t, cout, npix, k, &d);
		uint64_t noc = (uint64_t)d.noc, in_b = d.np * (uint64_t)cin, out_b = d.np * noc;
		bool i_full = d.reuse_in ? prev_if : !accel_ibuf_fits(c, d.np, (uint64_t)cin, c->ibuf_bytes);
		uint64_t ng = (noc + lanes - 1) / lanes; /* lane groups, the last maybe partial */
		bool w_full = d.reuse_w ? prev_wf : ng * cols > c->wbuf_rows;
		bool o_full = out_b > c->obuf_bytes;
		uint64_t ld = (d.reuse_in ? 0 : in_b) + (d.reuse_w ? 0 : ng * lanes * (uint64_t)cin + noc * 16);
		uint64_t ld_start = f;
		if ((!d.reuse_in && (i_full || prev_if)) || (!d.reuse_w && (w_full || prev_wf)))
			ld_start = c_free > ld_start ? c_free : ld_start;
		uint64_t hand = dram_load(&m, ld_start, ld);
		hand = hand > c_free ? hand : c_free;
		uint64_t c_start = hand;
		if ((o_full || prev_of) && m.s_end > c_start)
			c_start = m.s_end;
		uint64_t c_end = c_start + ng * d.np * cols + 25;
		c_free = c_end > m.s_end ? c_end : m.s_end;
		dram_store(&m, c_free, out_b, store_floor(d.np, noc, (uint64_t)cout));
		f = hand;
		rd += ld;
		prev_if = i_full, prev_wf = w_full, prev_of = o_full;
	}
	t->rd_bytes = rd;
	t->cycles = dram_drain(&m);
}

/*
 * Choose a pointwise tiling. Candidates: every output-channel tile (a multiple of the
 * lanes) that fits WBUF and QBUF, with the largest pixel tile that fits IBUF and OBUF,
 * either within the reported halves (double-buffered) or within the whole buffers
 * (caps *_full), in both loop orders; reuse flags as accel_pw_tile_at(). The rule: the least
 * DRAM traffic (input, weights, qparams) among the candidates whose
 * estimated cycles (pw_estimate) are within 1/32 of the fastest one's; equal traffic,
 * fewer cycles. So a whole-buffer tile is taken only when it reads less and what it
 * loses of the overlap costs at most ~3%: for the 14x14x512->512 layers of MobileNet v1
 * 1.0-224 without IBANK the whole input (100 KB > the 64 KB half) with 16-channel weight
 * tiles reads input and weights once (371 KB instead of 641 KB with half-buffer tiles,
 * which read the weights twice) for ~1% more estimated cycles; with IBANK it fits the
 * half (docs/hw.md "IBUF row banks"). Small output-channel tiles win the
 * estimate where the input stays on chip: the layer's first load and last store, which
 * nothing overlaps, are short.
 */
bool accel_pw_choose(struct pw_tiling *best, const struct accel_caps *c, int cin, int cout, uint64_t npix)
{
	const int lanes = c->lanes, cols = cin / 16, groups = (cout + lanes - 1) / lanes;
	const uint32_t full_i = c->ibuf_full_bytes > c->ibuf_bytes ? c->ibuf_full_bytes : c->ibuf_bytes;
	const uint32_t full_w = c->wbuf_full_rows > c->wbuf_rows ? c->wbuf_full_rows : c->wbuf_rows;
	const uint32_t full_o = c->obuf_full_bytes > c->obuf_bytes ? c->obuf_full_bytes : c->obuf_bytes;
	uint64_t fastest = UINT64_MAX;
	bool have = false;

	/* pass 0 finds the fastest estimate, pass 1 chooses */
	for (int pass = 0; pass < 2; pass++)
		for (int whole = 0; whole < 2; whole++) {
			uint32_t ib = whole ? full_i : c->ibuf_bytes, wr = whole ? full_w : c->wbuf_rows;
			uint32_t ob = whole ? full_o : c->obuf_bytes;
			int g_fit = imin(imin(groups, (int)(wr / (uint32_t)cols)), (int)(c->qbuf_entries / (uint32_t)lanes));
			for (int g = 1; g <= g_fit; g++) {
				struct pw_tiling t = { .oc_tile = g * lanes };
				t.pix_tile = accel_ibuf_rows(c, (uint64_t)cin, ib); /* one IBUF row per pixel */
				const uint64_t ob_pp = (uint64_t)imin(t.oc_tile, cout); /* OBUF bytes per pixel */
				if (t.pix_tile > ob / ob_pp)
					t.pix_tile = ob / ob_pp;
				if (t.pix_tile > npix)
					t.pix_tile = npix;
				if (t.pix_tile > 65535)
					t.pix_tile = 65535;
				if (!t.pix_tile)
					continue;
				t.n_oc = (uint64_t)(cout + t.oc_tile - 1) / (uint64_t)t.oc_tile;
				t.n_px = (npix + t.pix_tile - 1) / t.pix_tile;
				for (int o = 0; o < 2; o++) {
					t.oc_outer = o == 0;
					pw_estimate(&t, c, cin, cout, npix);
					if (pass == 0) {
						fastest = t.cycles < fastest ? t.cycles : fastest;
						continue;
					}
					if (t.cycles > fastest + fastest / 32)
						continue;
					if (!have || t.rd_bytes < best->rd_bytes ||
					    (t.rd_bytes == best->rd_bytes && t.cycles < best->cycles))
						*best = t, have = true;
				}
			}
		}
	return have;
}

/*
 * Estimated cycles of a fused pair run as a job of its own, descriptor by descriptor
 * through the 3-stage pipeline of hw/rtl/README.md: F loads descriptor k+1 (once k has
 * moved to C) while C computes k and S stores k-1; DRAM is shared by loads and stores
 * (dram_xfer; a store is queued before a later-requested load). A fused DW needs no
 * OBUF and holds IBUF while it computes; a PW tile within the OBUF half waits for the
 * store of the tile two before it, one that takes the whole OBUF (`o_full`) for every
 * store. Per-descriptor overheads: ~80 cycles of descriptor fetch, 25 of compute
 * prologue/drain. What it captures: the next DW tile's input load hides behind the last
 * PW tile's compute only if that is long enough (stride-2 pairs with few PW channels),
 * and a whole-OBUF PW tile's store behind the next DW compute.
 */
static uint64_t fuse_estimate(const struct accel_caps *c, const struct mbn_layer *l, int cp, int cout,
			      const struct fuse_plan *fp, bool o_full)
{
	const uint64_t cols = (uint64_t)cp / 16, lanes = (uint64_t)c->lanes;
	const uint64_t nc = (uint64_t)(l->out_w - 1) * (uint64_t)l->stride_w + 3;
	const uint64_t dw_steps = accel_dw_steps(c, cp); /* channel steps of the depthwise engine */
	struct est_dram m = { .shared = true };
	uint64_t f = 0, c_free = 0;

	for (int oy0 = 0; oy0 < l->out_h; oy0 += accel_fuse_tile_rows(fp, oy0)) {
		int oy1 = imin(oy0 + accel_fuse_tile_rows(fp, oy0), l->out_h), ld0, ld1;
		accel_dw_in_rows(l, oy0, oy1, &ld0, &ld1);
		uint64_t P = (uint64_t)(oy1 - oy0) * (uint64_t)l->out_w;
		for (int k = -1; k < fp->n_oc; k++) {
			bool dw = k < 0;
			int oc0 = 0, n = 0;
			if (!dw)
				accel_fuse_oc_tile(fp, cout, k, &oc0, &n);
			uint64_t noc = (uint64_t)n;
			uint64_t ld = dw ? (uint64_t)(ld1 - ld0) * (uint64_t)l->in_w * (uint64_t)cp + 25ull * (uint64_t)cp
					 : noc * (uint64_t)cp + 16 * noc;
			uint64_t ld_end = dram_load(&m, f + 80, ld);
			uint64_t hand = ld_end > c_free ? ld_end : c_free;
			uint64_t c_start = hand;
			if (!dw) {
				uint64_t o_wait = o_full ? m.s_end : m.s_prev; /* the store from this half */
				c_start = o_wait > c_start ? o_wait : c_start;
			}
			uint64_t comp = dw ? (uint64_t)(oy1 - oy0) * nc * dw_steps : P * ((noc + lanes - 1) / lanes) * cols;
			c_free = c_start + comp + 25;
			if (!dw)
				dram_store(&m, c_free > m.s_end ? c_free : m.s_end, P * noc,
					   store_floor(P, noc, (uint64_t)cout));
			f = hand;
		}
	}
	uint64_t s_end = dram_drain(&m);
	return s_end > c_free ? s_end : c_free;
}

/* DRAM reads of a fused tiling: DW input tiles, DW and PW weights and qparams per tile. */
static uint64_t fuse_read_bytes(const struct mbn_layer *l, int cp, int cout, const struct fuse_plan *f)
{
	uint64_t tiles, dw = dw_read_bytes(l, cp, f, true, &tiles);
	return dw + tiles * ((uint64_t)cout * cp + (uint64_t)cout * 16);
}

/* The most rows a first DW tile can have so that its input ends above tail_row (0 if
 * even one row reaches it, or tail_row < 0: nothing to keep clear of). */
static int head_clear_of(const struct mbn_layer *l, int tail_row)
{
	int h = 0;
	while (tail_row >= 0 && h < l->out_h) {
		int ld0, ld1;
		accel_dw_in_rows(l, 0, h + 1, &ld0, &ld1);
		if (ld1 > tail_row)
			break;
		h++;
	}
	return h;
}

/*
 * Choose a fused tiling: rows of DW output per tile (both of its IBUF tiles within the
 * halves, accel_ibuf_fits) and PW output-channel tiles: the largest within the OBUF
 * half, or all channels in one tile taking the whole OBUF (its store then overlaps the
 * next tile's DW compute, which uses no OBUF). Where the groups do not split evenly into
 * tiles within the half, also full tiles after one with the rest (big_last: the last
 * PW tile of a row tile is what the next DW tile's input load hides behind). When the
 * first DW tile's input would reach tail_row (accel_fuse_wins), also a smaller first
 * tile that stays clear of it (head_clear_of), the rest split evenly: its load then
 * need not wait for the layer before's last store. The rule, like accel_pw_choose's:
 * the fewest DRAM reads among the candidates whose estimated cycles (fuse_estimate, the
 * pair alone) are within 1/32 of the fastest one's; equal reads, fewer cycles. Larger
 * tiles read less (fewer halo rows, PW weights reloaded per pixel tile: with IBANK the
 * 14x14x512 pairs of MobileNet v1 1.0-224 are one pixel tile and read the 512x512
 * weights once), but a tile whose DW input load outlasts the PW compute it hides behind
 * costs cycles. (Estimating the pair after the layer before's last tile, with the
 * DRAM-order wait, chose worse: docs/hw.md "Where the 256-MAC run waited".) rows_only (0: any) restricts the
 * candidates to tiles of that many DW output rows (chain_link: the whole map, one tile).
 */
static bool fuse_choose(struct fuse_plan *f, const struct accel_caps *c, const struct mbn_layer *dl_, int cp, int cout,
			int rows_only, int tail_row)
{
	const int lanes = c->lanes, cols = cp / 16, groups = (cout + lanes - 1) / lanes, H = dl_->out_h;
	if (!c->fuse)
		return false;
	int g_max = imin((int)(c->wbuf_rows / (uint32_t)cols), (int)(c->qbuf_entries / (uint32_t)lanes));
	g_max = imin(g_max, groups); /* lane groups per PW tile; the last may be partial */
	if (g_max < 1)
		return false;
	const uint32_t o_all = c->obuf_full_bytes > c->obuf_bytes ? c->obuf_full_bytes : c->obuf_bytes;
	int rows_max = dw_rows_within(c, dl_, cp, c->ibuf_bytes, c->ibuf_bytes, true);
	const int h_clear = rows_only ? 0 : head_clear_of(dl_, tail_row);
	uint64_t fastest = UINT64_MAX;
	bool have = false;

	/* pass 0 finds the fastest estimate, pass 1 chooses */
	for (int pass = 0; pass < 2; pass++)
		for (int rows = rows_max; rows >= 1; rows--) {
			uint64_t P = (uint64_t)rows * dl_->out_w;
			if (P > 65535 || (rows_only && rows != rows_only))
				continue;
			for (int whole = 0; whole < 2; whole++) {
				int g = imin(g_max, (int)(c->obuf_bytes / (P * (uint64_t)lanes)));
				if (whole) {
					if (g_max != groups || P * (uint64_t)cout > o_all || g == g_max)
						continue;
					g = g_max;
				}
				if (g < 1)
					continue;
				int n_oc = (groups + g - 1) / g;
				for (int cand = 0; cand < 4; cand++) {
					/* bit 0: big_last; bit 1: a first tile clear of tail_row */
					struct fuse_plan t = { .head = rows, .rows = rows, .n_oc = n_oc, .big_last = cand & 1 };
					if ((cand & 1) && (n_oc < 2 || groups % g == 0))
						continue;
					if (cand & 2) {
						if (h_clear < 1 || h_clear >= rows || h_clear >= H)
							continue;
						int rest = H - h_clear, n = (rest + rows - 1) / rows;
						t.head = h_clear;
						t.rows = (rest + n - 1) / n;
					}
					t.oc_tile = t.big_last ? g * lanes : (groups + n_oc - 1) / n_oc * lanes;
					t.oc_first = t.big_last ? (groups - (n_oc - 1) * g) * lanes : t.oc_tile;
					if (!t.big_last) /* the even split: tiles of oc_tile, the last maybe partial */
						t.n_oc = (cout + t.oc_tile - 1) / t.oc_tile;
					uint64_t cyc = fuse_estimate(c, dl_, cp, cout, &t, whole);
					if (pass == 0) {
						fastest = cyc < fastest ? cyc : fastest;
						continue;
					}
					if (cyc > fastest + fastest / 32)
						continue;
					uint64_t rd = fuse_read_bytes(dl_, cp, cout, &t);
					if (have && (rd > f->rd_bytes || (rd == f->rd_bytes && cyc >= f->cycles)))
						continue;
					t.rd_bytes = rd, t.cycles = cyc;
					*f = t;
					have = true;
				}
			}
		}
	return have;
}

/*
 * Fuse depthwise layer i with the pointwise layer after it? When both run on the
 * accelerator, a fused tiling fits (fuse_choose), and the pair's DRAM traffic grows by
 * at most the depthwise output's round trip that fusion removes (its write and the
 * pointwise layer's read of it, 2 x the map): that round trip is DRAM time the DRAM-bound
 * depthwise layer waits for, while the weight reloads fusion adds mostly overlap the
 * pointwise compute. (MobileNet v1 1.0-224 with the default buffers: without IBANK all
 * pairs but the 28x28x256 -> 512 and 14x14x512 -> 1024 ones, whose 2-4 pixel tiles
 * re-read 0.5-1 MB of weights. With IBANK all pairs: the 14x14 ones are one pixel tile
 * and read less than unfused; the 28x28x256 -> 512 one is two, +29 KB of traffic.)
 */
bool accel_fuse_wins(const struct accel_plan *p, const struct mbn_graph *g, int i, int cp, int tail_row,
		     struct fuse_plan *fp)
{
	const struct accel_caps *c = &p->caps;
	if (i + 1 >= p->seg_end || !p->layers[i + 1].on_accel)
		return false;
	const struct mbn_layer *ld = &g->layers[i], *lp = &g->layers[i + 1];
	if (!accel_is_pw(lp) || lp->in_h != ld->out_h || lp->in_w != ld->out_w)
		return false;
	int cout = (int)round_up((uint64_t)lp->out_c, (uint64_t)p->chan_pad);
	if (!fuse_choose(fp, c, ld, cp, cout, 0, tail_row))
		return false;
	uint64_t map = (uint64_t)ld->out_h * ld->out_w * (uint64_t)cp;
	struct pw_tiling t;
	if (!accel_pw_choose(&t, c, cp, cout, (uint64_t)ld->out_h * ld->out_w))
		return false;
	const int dw_rows = accel_dw_tile_rows(ld, cp, c);
	if (dw_rows < 1) /* unfused, not one output row fits OBUF: fusion is the only way */
		return true;
	const struct fuse_plan unfused = { .head = dw_rows, .rows = dw_rows };
	uint64_t unfused_rd = dw_read_bytes(ld, cp, &unfused, false, NULL) + t.rd_bytes;
	/* traffic fused (reads) vs unfused (reads + the map's write): grows by <= 2 * map */
	return fp->rd_bytes <= unfused_rd + map + 2 * map;
}

/*
 * One chaining link (docs/hw.md "Chaining", CAPS3 CHAIN): can the fused pair (i, i+1),
 * planned as *f, keep its pointwise output on chip as the depthwise input of the pair
 * (i+2, i+3)? Both must be one pixel tile (the pointwise descriptors cover the whole
 * map; the next depthwise reads it whole) and the map must fit an IBUF half in the
 * depthwise input layout. *f1 and *n1 are the two pairs' one-tile plans (f1 = *f when
 * that is one tile already); *extra the cycles the link costs by the estimates
 * (fuse_estimate): what one tile costs over each pair's own plan, less the next pair's
 * input load, which a chained pair does not do (its one-tile estimate has it unhidden,
 * at 16 B/cycle). Negative: the link saves time.
 */
static bool chain_link(const struct accel_plan *p, const struct mbn_graph *g, int i, const struct fuse_plan *f,
		       struct fuse_plan *f1, struct fuse_plan *n1, int64_t *extra)
{
	const struct accel_caps *c = &p->caps;
	if (!c->chain || i + 3 >= p->seg_end)
		return false;
	const struct mbn_layer *ld = &g->layers[i], *lp = &g->layers[i + 1], *ld2 = &g->layers[i + 2];
	if (!p->layers[i + 2].on_accel || !accel_is_dw(ld2) || ld2->in_h != lp->out_h || ld2->in_w != lp->out_w)
		return false;
	int cp = (int)round_up((uint64_t)ld->in_c, (uint64_t)p->chan_pad);
	int cp2 = (int)round_up((uint64_t)lp->out_c, (uint64_t)p->chan_pad);
	int cout2 = (int)round_up((uint64_t)g->layers[i + 3].out_c, (uint64_t)p->chan_pad);
	uint64_t map = (uint64_t)ld2->in_h * ld2->in_w * (uint64_t)cp2;
	struct fuse_plan next;
	if (!accel_ibuf_fits(c, (uint64_t)ld2->in_h, (uint64_t)ld2->in_w * (uint64_t)cp2, c->ibuf_bytes) ||
	    !accel_fuse_wins(p, g, i + 2, cp2, -1, &next))
		return false;
	*f1 = *f;
	*n1 = next;
	if (f1->head < ld->out_h && !fuse_choose(f1, c, ld, cp, cp2, ld->out_h, -1))
		return false;
	if (n1->head < ld2->out_h && !fuse_choose(n1, c, ld2, cp2, cout2, ld2->out_h, -1))
		return false;
	*extra = (int64_t)(f1->cycles - f->cycles) + (int64_t)n1->cycles - (int64_t)(map / 16) - (int64_t)next.cycles;
	return true;
}

/*
 * Chain the fused pair (i, i+1) into the next one? Its map then never goes to DRAM: its
 * store, the next pair's load of it and the stall between them (the load waits for the
 * store by the DRAM-order rule) are gone, but both pairs must run as one pixel tile,
 * which costs where their own plans were several (the first tile's load no longer hides
 * the rest). Taken when chain_link estimates that it saves time (extra <= 0), so always
 * when both pairs are one tile in their own plans and the map fits. *f and *next become
 * the plans. Measured on the 256-MAC grid (sim device): alpha 0.25-128 97,783 -> 96,071
 * cycles, 0.5-224 693,690 -> 687,115, 0.75-192 1,048,754 -> 1,043,577; the worst cell,
 * 0.5-192, 504,087 -> 504,415. Following the chain further before deciding (summing the
 * later links' savings) chained more and gave 0.25-128 90,726, but 0.5-160 371,668 ->
 * 373,274 and 0.5-192 507,182: the estimates, made per pair, miss how much of a layer
 * boundary the device already overlaps across jobs.
 */
bool accel_chain_wins(const struct accel_plan *p, const struct mbn_graph *g, int i, struct fuse_plan *f,
		      struct fuse_plan *next)
{
	struct fuse_plan f1, n1;
	int64_t extra;
	if (!chain_link(p, g, i, f, &f1, &n1, &extra) || extra > 0)
		return false;
	*f = f1;
	*next = n1;
	return true;
}
