// tb_mac_array: mbn_mac_array alone against plain C++ dot products (docs/hw.md
// "Arithmetic"; the port comments of mbn_mac_array.v for the timing). The testbench
// plays the buffers: IBUF/WBUF data one cycle after the item is issued (registered
// RAM reads), QBUF as a registered RAM read at q_raddr.
//  - PW: operations of K random items (K = 1..64, some 1), every lane's
//    acc = bias + sum_k sum_i (x[k][i] - in_zp) * (w_l[k][i] - w_zp), int32 wrap,
//    random uint8 data and zero points, runs of the extremes (bytes 0/255, i.e. int8
//    -128/127 in the biased domain, zero points 0/255: operands +-255), biases near
//    INT32_MIN/MAX (wrap), operations back to back (first right after last) and,
//    rarely, with bubbles; every result's res_acc (every lane), res_mult,
//    res_shift and res_oaddr.
//  - DW: streams of input columns (3 rows of NB = LANES/16 words: channel groups, rows
//    flagged valid or not, column flag), emit on random columns once two have been
//    seen; every lane L = 16g + l against the 3x3 window sum of group g with the weight
//    words 9g + t at WBUF lane (sel + 9g + t) % LANES and its own QBUF entry
//    (docs/hw.md "Depthwise on all lanes").
// Zero points and the mode change only while the array is idle (per descriptor in the
// design). -DLANES=n selects the build (run.sh: 16, the default, and 32).
// TB_SEED sets the seed (printed), TB_MAC_N the number of operations.
#include "Vmbn_mac_array.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <vector>

#ifndef LANES
#define LANES 16
#endif
static const int NB = LANES / 16;
#if LANES == 16
#define NAME "mac_array"
#else
#define NAME "mac_array32" // run.sh builds LANES = 32 only
#endif
static const int LBITS = LANES == 16 ? 4 : LANES == 32 ? 5
	: LANES == 64                                  ? 6
						       : 7;
static const int QAW = 6, OAW = 12; // the module defaults
static const int QROWS = 1 << QAW;

static Vmbn_mac_array *M;
static std::mt19937_64 rng;
static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}

struct Q {
	int32_t bias, mult, shift;
};
static Q qbuf[QROWS][LANES];

// one issued item, with the data the RAMs return one cycle later
struct It {
	bool valid, first, last, emit, cv;
	int rv, sel, qrow, oaddr;
	uint8_t ib[3][NB][16]; // read port k, word g (PW: port 0 word 0)
	uint8_t wb[LANES][16];
};
struct Exp {
	int32_t acc[LANES];
	int32_t mult[LANES], shift[LANES];
	int oaddr;
	bool dw;
};
static std::deque<Exp> expq;
static int fails = 0;
static long results = 0, ops_pw = 0, ops_dw = 0, macs = 0;

template <class W>
static void setw(W &w, const uint8_t b[3][NB][16])
{
	for (int k = 0; k < 3; k++)
		for (int g = 0; g < NB; g++)
			for (int i = 0; i < 4; i++)
				w[(k * NB + g) * 4 + i] = b[k][g][4 * i] | b[k][g][4 * i + 1] << 8 | b[k][g][4 * i + 2] << 16 |
					(uint32_t)b[k][g][4 * i + 3] << 24;
}
template <class W>
static void setl(W &w, const uint8_t b[LANES][16])
{
	for (int l = 0; l < LANES; l++)
		for (int i = 0; i < 4; i++)
			w[l * 4 + i] = b[l][4 * i] | b[l][4 * i + 1] << 8 | b[l][4 * i + 2] << 16 | (uint32_t)b[l][4 * i + 3] << 24;
}
template <class W>
static uint32_t get32(const W &w, int idx)
{
	return w[idx];
}

static It pend{}; // the item issued last cycle (its RAM data is driven now)
static int qr_prev = 0;
static long cyc = 0;

static void check_result()
{
	if (!M->res_valid)
		return;
	if (expq.empty()) {
		if (fails++ < 5)
			printf("FAIL " NAME ": unexpected res_valid at cycle %ld\n", cyc);
		return;
	}
	Exp e = expq.front();
	expq.pop_front();
	results++;
	for (int l = 0; l < LANES; l++) {
		int32_t a = (int32_t)get32(M->res_acc, l), mu = (int32_t)get32(M->res_mult, l), sh = (int32_t)get32(M->res_shift, l);
		if (a != e.acc[l] || mu != e.mult[l] || sh != e.shift[l]) {
			if (fails++ < 5)
				printf("FAIL " NAME ": %s result %ld lane %d: acc %d mult %d shift %d, want %d %d %d\n",
				       e.dw ? "DW" : "PW", results, l, a, mu, sh, e.acc[l], e.mult[l], e.shift[l]);
			return;
		}
	}
	if ((int)M->res_oaddr != e.oaddr && fails++ < 5)
		printf("FAIL " NAME ": result %ld res_oaddr %u want %d\n", results, M->res_oaddr, e.oaddr);
}

// one cycle: issue `it` (or nothing), drive last item's RAM data and the QBUF read
static void cycle(const It &it)
{
	M->iss_valid = it.valid;
	M->iss_first = it.first;
	M->iss_last = it.last;
	M->iss_emit = it.emit;
	M->iss_rv = it.rv;
	M->iss_cv = it.cv;
	M->iss_sel = it.sel;
	M->iss_qrow = it.qrow;
	M->iss_oaddr = it.oaddr;
	setw(M->ib_rdata, pend.ib);
	setl(M->wb_rdata, pend.wb);
	for (int l = 0; l < LANES; l++) {
		const Q &q = qbuf[qr_prev][l];
		M->q_rdata[l * 4 + 0] = (uint32_t)q.bias;
		M->q_rdata[l * 4 + 1] = (uint32_t)q.mult;
		M->q_rdata[l * 4 + 2] = (uint32_t)q.shift;
		M->q_rdata[l * 4 + 3] = 0;
	}
	M->eval();
	check_result();
	int qr = M->q_raddr;
	M->clk = 1;
	M->eval();
	M->clk = 0;
	M->eval();
	qr_prev = qr;
	pend = it;
	cyc++;
}

static uint8_t rbyte(int mode)
{
	// mode 0: uniform; 1: extremes 0/255; 2: mostly extremes
	if (mode == 1)
		return rnd(2) ? 255 : 0;
	if (mode == 2 && rnd(2))
		return rnd(2) ? 255 : 0;
	return (uint8_t)rng();
}
static int32_t rbias()
{
	switch (rnd(6)) {
	case 0:
		return INT32_MAX - (int32_t)rnd(2000000);
	case 1:
		return INT32_MIN + (int32_t)rnd(2000000);
	case 2:
		return 0;
	default:
		return (int32_t)(uint32_t)rng() >> rnd(16);
	}
}
static void fill_qbuf()
{
	for (int r = 0; r < QROWS; r++)
		for (int l = 0; l < LANES; l++)
			qbuf[r][l] = { rbias(), (int32_t)(uint32_t)rng(), (int32_t)rnd(63) - 31 };
}
static void drain()
{
	It idle{};
	for (int k = 0; k < 12; k++)
		cycle(idle);
	if (M->busy && fails++ < 5)
		printf("FAIL " NAME ": busy after drain\n");
	if (!expq.empty() && fails++ < 5)
		printf("FAIL " NAME ": %zu results missing\n", expq.size());
	expq.clear();
}

// PW: a batch of back-to-back operations with one zero-point pair
static void pw_batch(int nops)
{
	int zmode = rnd(4);
	int in_zp = zmode == 0 ? 0 : zmode == 1 ? 255
						: (int)(uint8_t)rng();
	int w_zp = rnd(4) == 0 ? (rnd(2) ? 0 : 255) : zmode == 3 ? 128
								 : (int)(uint8_t)rng();
	int dmode = rnd(5) == 0 ? 1 : rnd(5) == 0 ? 2
						  : 0;
	M->dw = 0;
	M->in_zp = in_zp;
	M->w_zp = w_zp;
	for (int op = 0; op < nops; op++) {
		int K = rnd(4) == 0 ? 1 : 1 + (int)rnd(rnd(4) == 0 ? 64 : 8);
		int qrow = rnd(QROWS), oaddr = rnd(1 << OAW);
		Exp e{};
		e.dw = false;
		e.oaddr = oaddr;
		int64_t acc[LANES];
		for (int l = 0; l < LANES; l++) {
			acc[l] = qbuf[qrow][l].bias;
			e.mult[l] = qbuf[qrow][l].mult;
			e.shift[l] = qbuf[qrow][l].shift;
		}
		for (int k = 0; k < K; k++) {
			It it{};
			it.valid = 1;
			it.first = k == 0;
			it.last = k == K - 1;
			it.emit = 1;
			it.qrow = qrow;
			it.oaddr = oaddr;
			it.rv = rnd(8);
			it.cv = rnd(2);
			it.sel = rnd(LANES);
			for (int i = 0; i < 16; i++)
				it.ib[0][0][i] = rbyte(dmode);
			for (int k = 0; k < 3; k++) // the words PW does not read
				for (int g = k == 0; g < NB; g++)
					for (int i = 0; i < 16; i++)
						it.ib[k][g][i] = (uint8_t)rng();
			for (int l = 0; l < LANES; l++)
				for (int i = 0; i < 16; i++)
					it.wb[l][i] = rbyte(dmode);
			// the reference: a plain dot product per lane
			for (int l = 0; l < LANES; l++) {
				int64_t d = 0;
				for (int i = 0; i < 16; i++)
					d += (int64_t)(it.ib[0][0][i] - in_zp) * (it.wb[l][i] - w_zp);
				acc[l] += d;
			}
			macs += 16 * LANES;
			if (rnd(40) == 0)
				cycle(It{}); // a bubble inside the operation
			cycle(it);
		}
		for (int l = 0; l < LANES; l++)
			e.acc[l] = (int32_t)(uint32_t)(uint64_t)acc[l];
		expq.push_back(e);
		ops_pw++;
		if (rnd(20) == 0)
			cycle(It{});
	}
	drain();
}

// DW: a stream of columns; emit on a column when two earlier DW columns exist
static void dw_batch(int ncols)
{
	int in_zp = rnd(3) == 0 ? (rnd(2) ? 0 : 255) : (int)(uint8_t)rng();
	int w_zp = rnd(3) == 0 ? (rnd(2) ? 0 : 255) : (int)(uint8_t)rng();
	int dmode = rnd(5) == 0 ? 1 : 0;
	M->dw = 1;
	M->in_zp = in_zp;
	M->w_zp = w_zp;
	std::vector<std::vector<uint8_t>> cols; // effective column (padding -> in_zp), 3*NB*16 bytes
	for (int n = 0; n < ncols; n++) {
		It it{};
		it.valid = 1;
		it.first = it.last = 1;
		it.cv = rnd(6) != 0;
		it.rv = rnd(3) == 0 ? rnd(8) : 7;
		it.sel = rnd(LANES);
		it.qrow = rnd(QROWS);
		it.oaddr = rnd(1 << OAW);
		it.emit = n >= 2 && rnd(3) != 0;
		for (int k = 0; k < 3; k++)
			for (int g = 0; g < NB; g++)
				for (int i = 0; i < 16; i++)
					it.ib[k][g][i] = rbyte(dmode);
		for (int l = 0; l < LANES; l++)
			for (int i = 0; i < 16; i++)
				it.wb[l][i] = rbyte(dmode);
		std::vector<uint8_t> c(3 * NB * 16);
		for (int k = 0; k < 3; k++)
			for (int g = 0; g < NB; g++)
				for (int i = 0; i < 16; i++)
					c[(k * NB + g) * 16 + i] = (it.cv && (it.rv >> k & 1)) ? it.ib[k][g][i] : (uint8_t)in_zp;
		cols.push_back(c);
		if (it.emit) {
			// window columns n-2, n-1, n (kw = 0, 1, 2); tap t = kh*3+kw; lane L = 16g + l
			// = channel l of group g: weight word 9g + t at WBUF lane (sel + 9g + t) % LANES
			Exp e{};
			e.dw = true;
			e.oaddr = it.oaddr;
			for (int L = 0; L < LANES; L++) {
				const int g = L / 16, l = L % 16;
				const Q &q = qbuf[it.qrow][L];
				int64_t a = q.bias;
				for (int kh = 0; kh < 3; kh++)
					for (int kw = 0; kw < 3; kw++) {
						int t = kh * 3 + kw;
						int x = cols[n - 2 + kw][(kh * NB + g) * 16 + l];
						int w = it.wb[(it.sel + 9 * g + t) % LANES][l];
						a += (int64_t)(x - in_zp) * (w - w_zp);
					}
				e.acc[L] = (int32_t)(uint32_t)(uint64_t)a;
				e.mult[L] = q.mult;
				e.shift[L] = q.shift;
			}
			expq.push_back(e);
			ops_dw++;
			macs += 144 * NB;
		}
		cycle(it);
	}
	drain();
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	uint64_t seed = getenv("TB_SEED") ? strtoull(getenv("TB_SEED"), 0, 0) : 1;
	long N = getenv("TB_MAC_N") ? atol(getenv("TB_MAC_N")) : 4000;
	rng.seed(seed ^ 0x3ac);
	printf("tb_mac_array: LANES=%d seed=%llu operations=%ld\n", LANES, (unsigned long long)seed, N);
	M = new Vmbn_mac_array;
	M->rst = 1;
	M->clk = 0;
	M->eval();
	for (int k = 0; k < 3; k++) {
		M->clk = 1;
		M->eval();
		M->clk = 0;
		M->eval();
	}
	M->rst = 0;
	M->eval();
	long done = 0;
	while (done < N && fails == 0) {
		fill_qbuf();
		if (rnd(4) != 0) {
			int n = 1 + rnd(60);
			pw_batch(n);
			done += n;
		} else {
			long before = ops_dw;
			dw_batch(3 + rnd(120));
			done += ops_dw - before;
		}
	}
	delete M;
	if (fails) {
		printf("FAIL " NAME ": LANES=%d seed=%llu\n", LANES, (unsigned long long)seed);
		return 1;
	}
	printf("PASS " NAME ": LANES=%d %ld PW + %ld DW operations, %ld results (all lanes), %ld MACs checked\n",
	       LANES, ops_pw, ops_dw, results, macs);
	return 0;
}
