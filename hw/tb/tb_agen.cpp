// tb_agen: mbn_agen alone against a reference loop nest written from docs/hw.md
// ("IBUF row banks", "Weights", "Arithmetic") and the port comments of mbn_agen.v:
// for random PW and DW geometries (stride 1/2, row_off and pad_left at and past the
// tile edges, fused DW output addresses, J/groups/pixels/rows of 1) the whole
// per-cycle item sequence is compared: valid (one item per cycle, no gaps, exact
// count), first/last/emit, the row/column validity flags, the three IBUF read
// addresses and the bank rotation (only where the row and column are inside the
// tile: elsewhere the data is replaced by in_zp), WBUF row and lane select, QBUF
// row, OBUF (or fused IBUF) address on every emitted output (with the flag of the last
// PW group / DW channel step, also for a partial one), and `done`. DW steps NB channel
// groups at a time (docs/hw.md "Depthwise on all lanes": the last step partial when J is
// not a multiple of NB).
// Descriptors run back to back (start in the cycle `done` is seen) or after gaps.
// Compile with -DLB=n for the LANES = 2^n build (run.sh builds LB=4 and LB=5).
// TB_SEED sets the seed (printed), TB_AGEN_N the number of geometries.
#include "Vmbn_agen.h"
#include "verilated.h"
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#ifndef LB
#define LB 4
#endif
static const int LANES = 1 << LB;
#if LB == 4
#define NAME "agen"
#else
#define NAME "agen32" // run.sh builds LB = 5 only
#endif
static const int NB = LANES / 16;
// widths as mbnaccel_top derives them from its default buffer sizes
static const int IAW = 13, WAW = 9, OAW = 12;
static const int QAW = LB == 4 ? 6 : LB == 5 ? 5
					     : 4; // clog2(1024 / LANES)

static Vmbn_agen *A;
static std::mt19937_64 rng;
static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}
static int rint_(int lo, int hi)
{
	return lo + (int)rnd((unsigned)(hi - lo + 1));
}

struct Geo {
	bool dw, fuse, s2;
	int in_rows, in_w, jn, oc16, groups, out_rows, out_w, row_off, pad_left;
	int obase, ostep; // a chained PW (fuse): its first word in each pixel, words per pixel
	long pixels;
};
// one expected cycle; -1 = don't care
struct Item {
	int emit, first, last, rv, cv, sel;
	long ia[3]; // port k address in its bank (-1: not checked)
	int rot; // bank of port 0 (-1: not checked)
	long wb, qrow, oaddr;
};

static long fdiv(long a, long b)
{
	long q = a / b;
	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}
static long fmod_(long a, long b)
{
	return a - fdiv(a, b) * b;
}

// the reference: the loop nests of docs/hw.md / mbn_agen.v's header, written directly
static std::vector<Item> reference(const Geo &g)
{
	std::vector<Item> v;
	const long J = g.jn;
	if (!g.dw) {
		for (long gr = 0; gr < g.groups; gr++)
			for (long p = 0; p < g.pixels; p++)
				for (long j = 0; j < J; j++) {
					Item it{};
					it.emit = 1;
					it.first = j == 0;
					it.last = j == J - 1;
					it.rv = -1;
					it.cv = -1;
					it.sel = -1;
					it.rot = (int)(p % 3); // pixel p = row p: bank p mod 3
					it.ia[0] = (p / 3) * J + j; // floor(p/3)*W + x, W = J
					it.ia[1] = it.ia[2] = -1;
					it.wb = gr * J + j;
					it.qrow = gr;
					// bit OAW+2: the last group (partial when oc16 is not a multiple of NB)
					long last = gr == g.groups - 1 ? 1L << (OAW + 2) : 0;
					it.oaddr = last | ((p * g.oc16 + gr * NB) & ((1L << OAW) - 1));
					if (g.fuse) { // chained (docs/hw.md "Chaining"): the map in the DW layout
						long y = p / g.in_w, x = p % g.in_w;
						it.oaddr = last | (y % 3) << OAW |
							(((y / 3) * g.in_w * g.ostep + x * g.ostep + g.obase + gr * NB) &
							 ((1L << OAW) - 1));
					}
					v.push_back(it);
				}
		return v;
	}
	const long st = g.s2 ? 2 : 1, NC = (g.out_w - 1) * st + 3, RW = (long)g.in_w * J;
	for (long cg = 0; cg < J; cg += NB)
		for (long oy = 0; oy < g.out_rows; oy++)
			for (long n = 0; n < NC; n++) {
				Item it{};
				long c = n - g.pad_left, r0 = oy * st + g.row_off;
				bool cv = c >= 0 && c < g.in_w;
				it.first = it.last = 1;
				it.emit = n >= 2 && (st == 1 || n % 2 == 0);
				it.cv = cv;
				it.rv = 0;
				for (int k = 0; k < 3; k++) {
					long r = r0 + k;
					bool rv = r >= 0 && r < g.in_rows;
					it.rv |= rv << k;
					it.ia[k] = (rv && cv) ? fdiv(r, 3) * RW + c * J + cg : -1;
				}
				it.rot = (int)fmod_(r0, 3);
				if (!cv || it.rv == 0)
					it.rot = -1; // no port reads valid data
				long k0 = 9 * cg;
				it.wb = k0 / LANES;
				it.sel = (int)(k0 % LANES);
				it.qrow = cg / NB;
				it.oaddr = -1;
				if (it.emit) {
					long ox = (n - 2) / st, pix = oy * g.out_w + ox;
					long last = cg + NB >= J ? 1L << (OAW + 2) : 0;
					it.oaddr = last | (g.fuse ? (fmod_(pix, 3) << OAW) | ((pix / 3) * J + cg) & ((1L << OAW) - 1) : ((pix * J + cg) & ((1L << OAW) - 1)));
				}
				v.push_back(it);
			}
	return v;
}

static Geo random_geo()
{
	Geo g{};
	g.dw = rnd(2);
	int big = rnd(8) == 0;
	if (!g.dw) {
		g.jn = rnd(4) == 0 ? 1 : rint_(1, big ? 40 : 8);
		g.groups = rnd(4) == 0 ? 1 : rint_(1, big ? 8 : 4);
		g.oc16 = g.groups * NB;
		if (NB > 1 && rnd(2)) /* CAPS3 PW16: the last group partial */
			g.oc16 -= rint_(1, NB - 1);
		g.in_rows = rint_(1, big ? 12 : 5);
		g.in_w = rint_(1, big ? 12 : 5);
		g.pixels = (long)g.in_rows * g.in_w;
		g.out_rows = g.in_rows;
		g.out_w = g.in_w;
		if (rnd(3) == 0) { // chained: out_c within a pixel slot of ostep words
			g.fuse = true;
			g.ostep = g.oc16 + rint_(0, 6);
			g.obase = rint_(0, g.ostep - g.oc16);
		}
	} else {
		g.s2 = rnd(2);
		g.fuse = rnd(4) == 0;
		g.jn = rnd(3) == 0 ? 1 : rint_(1, big ? 24 : 5);
		g.oc16 = g.jn;
		g.groups = 1;
		g.out_w = rnd(5) == 0 ? 1 : rint_(1, big ? 40 : 10);
		g.out_rows = rnd(5) == 0 ? 1 : rint_(1, big ? 12 : 5);
		g.pad_left = rnd(3);
		int st = g.s2 ? 2 : 1;
		// the tile usually holds the rows/columns the outputs need, give or take
		// the padding; sometimes any size (rows/columns flagged outside)
		g.in_w = std::max(1, (g.out_w - 1) * st + 3 - g.pad_left - rint_(0, 2));
		g.in_rows = std::max(1, (g.out_rows - 1) * st + 3 - rint_(0, 3));
		g.row_off = rint_(-2, 1);
		if (rnd(8) == 0) {
			g.in_w = rint_(1, 50);
			g.in_rows = rint_(1, 140);
		}
		if (rnd(8) == 0)
			g.row_off = rint_(-128, 127); // the whole signed field
		g.pixels = (long)g.in_rows * g.in_w;
	}
	return g;
}

static void tick()
{
	A->clk = 1;
	A->eval();
	A->clk = 0;
	A->eval();
}

static int fails = 0;
static std::string describe(const Geo &g)
{
	char b[256];
	snprintf(b, sizeof b, "%s%s in %dx%d J=%d groups=%d out %dx%d s%d row_off=%d pad_left=%d obase=%d ostep=%d",
		 g.dw ? "DW" : "PW", g.fuse ? (g.dw ? " fused" : " chained") : "", g.in_rows, g.in_w, g.jn, g.groups,
		 g.out_rows, g.out_w, g.s2 ? 2 : 1, g.row_off, g.pad_left, g.obase, g.ostep);
	return b;
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	uint64_t seed = getenv("TB_SEED") ? strtoull(getenv("TB_SEED"), 0, 0) : 1;
	long N = getenv("TB_AGEN_N") ? atol(getenv("TB_AGEN_N")) : 3000;
	rng.seed(seed ^ 0xa6e4);
	printf("tb_agen: LANES=%d seed=%llu geometries=%ld\n", LANES, (unsigned long long)seed, N);
	A = new Vmbn_agen;
	A->rst = 1;
	A->start = 0;
	A->clk = 0;
	A->eval();
	tick();
	tick();
	A->rst = 0;
	A->eval();
	long items = 0, checked_addr = 0, ngeo[2] = { 0, 0 };
	const long IM = (1L << IAW) - 1, WM = (1L << WAW) - 1, QM = (1L << QAW) - 1, OM = (1L << (OAW + 3)) - 1;
	for (long t = 0; t < N && fails < 5; t++) {
		Geo g = random_geo();
		std::vector<Item> ref = reference(g);
		ngeo[g.dw]++;
		A->dw = g.dw;
		A->fuse = g.fuse;
		A->obase = (uint16_t)g.obase;
		A->ostep = (uint16_t)g.ostep;
		A->in_rows = g.in_rows;
		A->in_w = g.in_w;
		A->jn = g.jn;
		A->oc16 = g.oc16;
		A->groups = g.groups;
		A->pixels = (uint32_t)g.pixels;
		A->out_rows = g.out_rows;
		A->out_w = g.out_w;
		A->stride2 = g.s2;
		A->row_off = (uint8_t)(int8_t)g.row_off;
		A->pad_left = g.pad_left;
		A->eval();
		if (!A->done) {
			printf("FAIL " NAME ": not done before start (%s)\n", describe(g).c_str());
			fails++;
			break;
		}
		A->start = 1;
		A->eval();
		if (A->done) {
			printf("FAIL " NAME ": done high in the start cycle\n");
			fails++;
		}
		tick();
		A->start = 0;
		A->eval();
		// the first item within a few set-up cycles, then one item per cycle, no gaps
		int lat = 0;
		while (!A->iss_valid && lat < 16) {
			if (A->done)
				break;
			tick();
			lat++;
		}
		std::string why;
		size_t i = 0;
		for (; i < ref.size() && why.empty(); i++) {
			const Item &e = ref[i];
			char b[200];
			auto chk = [&](const char *nm, long got, long want, long mask) {
				if (want >= 0 && why.empty() && (got & mask) != (want & mask)) {
					snprintf(b, sizeof b, "item %zu of %zu: %s = %ld, want %ld", i, ref.size(), nm, got & mask, want & mask);
					why = b;
				}
			};
			if (!A->iss_valid) {
				snprintf(b, sizeof b, "item %zu of %zu: iss_valid low", i, ref.size());
				why = b;
				break;
			}
			if (A->done) {
				why = "done high while issuing";
				break;
			}
			chk("iss_emit", A->iss_emit, e.emit, 1);
			chk("iss_first", A->iss_first, e.first, 1);
			chk("iss_last", A->iss_last, e.last, 1);
			chk("iss_rv", A->iss_rv, e.rv, 7);
			chk("iss_cv", A->iss_cv, e.cv, 1);
			chk("iss_sel", A->iss_sel, e.sel, LANES - 1);
			chk("iss_rot", A->iss_rot, e.rot, 3);
			chk("ib_raddr", A->ib_raddr, e.ia[0], IM);
			chk("ib_raddr1", A->ib_raddr1, e.ia[1], IM);
			chk("ib_raddr2", A->ib_raddr2, e.ia[2], IM);
			chk("wb_raddr", A->wb_raddr, e.wb, WM);
			chk("iss_qrow", A->iss_qrow, e.qrow, QM);
			if (e.emit)
				chk("iss_oaddr", A->iss_oaddr, e.oaddr, OM);
			checked_addr += (e.ia[0] >= 0) + (e.ia[1] >= 0) + (e.ia[2] >= 0);
			tick();
		}
		items += i;
		if (why.empty() && A->iss_valid)
			why = "iss_valid high after the last item";
		if (why.empty() && !A->done)
			why = "done low after the last item";
		if (!why.empty()) {
			printf("FAIL " NAME ": %s (%s)\n", why.c_str(), describe(g).c_str());
			fails++;
			A->rst = 1;
			tick();
			A->rst = 0;
			A->eval(); // recover for the next geometry
			continue;
		}
		// back to back (start in the cycle done is seen) or after a gap
		int gap = rnd(3) == 0 ? rint_(1, 4) : 0;
		for (int k = 0; k < gap; k++)
			tick();
	}
	delete A;
	if (fails) {
		printf("FAIL " NAME ": LANES=%d seed=%llu (%d failing geometries shown)\n", LANES, (unsigned long long)seed, fails);
		return 1;
	}
	printf("PASS " NAME ": LANES=%d %ld PW + %ld DW geometries, %ld items, %ld IBUF addresses checked\n",
	       LANES, ngeo[0], ngeo[1], items, checked_addr);
	return 0;
}
