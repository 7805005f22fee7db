/*
 * drmtest_job.c - the hand-built jobs: a PW job (BOs, random data from a seed, the
 * weights packed as docs/hw.md "Weights, PW" says, its descriptor from struct
 * mbn_desc) checked byte by byte against the contract's requantizer (requant.h, shared
 * with the C model, the CPU kernels and the testbenches), and a 3x3 DW job checked the
 * same way. The other files build their jobs here.
 */
#include "drmtest.h"

#include <stdlib.h>
#include <sys/mman.h>

#include "requant.h" /* the one requantizer (hw/model/requant.h) */

/* ---- the arithmetic of docs/hw.md: the contract's requantizer (requant.h), shared
 * with the C model, the CPU kernels and the testbenches */

static uint8_t requant(int32_t acc, int32_t mult, int32_t shift, int round, uint8_t out_zp,
		       uint8_t act_min, uint8_t act_max)
{
	return mbn_requant_out(acc, mult, shift, round, out_zp, act_min, act_max);
}

/* ---- a PW job: BO0 input, BO1 weights, BO2 qparams, BO3 output */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian guest */
}

struct mbn_desc pw_fields(const struct pwjob *j)
{
	const struct mbn_desc m = {
		.op = MBN_OP_PW,
		.round = 1, /* ruy rounding */
		.in_rows = j->rows,
		.in_w = j->w,
		.in_c = j->in_c,
		.out_c = j->out_c,
		.out_rows = j->rows,
		.out_w = j->w,
		.w_zp = j->w_zp,
		.in_zp = j->in_zp,
		.out_zp = j->out_zp,
		.act_min = j->act_min,
		.act_max = j->act_max,
		.in_region = 0,
		.w_region = 1,
		.q_region = 2,
		.out_region = 3,
		.out_stride = j->stride,
	};
	return m;
}

void pw_desc(const struct pwjob *j, uint32_t *d)
{
	const struct mbn_desc m = pw_fields(j);
	mbn_desc_pack(&m, d);
}

struct pwjob *pw_new(int fd, uint32_t rows, uint32_t w, uint32_t in_c, uint32_t out_c,
		     uint32_t ndesc, uint32_t seed)
{
	struct pwjob *j = calloc(1, sizeof(*j) + ndesc * 64);
	uint32_t npix = rows * w, L = g_lanes;
	j->fd = fd;
	j->rows = rows, j->w = w, j->in_c = in_c, j->out_c = out_c, j->ndesc = ndesc;
	j->lanes = L;
	j->stride = out_c + 16;
	rng_state = seed * 2654435761u + 1;
	j->in_zp = rnd() & 0xff, j->w_zp = 128, j->out_zp = rnd() & 0x3f;
	j->act_min = 5, j->act_max = 250;
	j->sz[0] = (uint64_t)npix * in_c;
	j->sz[1] = (uint64_t)out_c * in_c;
	j->sz[2] = (uint64_t)out_c * 16;
	j->sz[3] = (uint64_t)(npix - 1) * j->stride + out_c;
	for (int i = 0; i < 4; i++) {
		uint64_t real;
		if (bo_create(fd, j->sz[i], &j->h[i], &real) || !(j->p[i] = bo_map(fd, j->h[i], real))) {
			fail("pw-setup", "BO create/map %d failed: %s", i, strerror(errno));
			return NULL;
		}
		if (i == 3)
			memset(j->p[3], 0xA5, real);
	}
	j->win = malloc((size_t)out_c * in_c);
	j->bias = malloc(out_c * 4), j->mult = malloc(out_c * 4), j->shift = malloc(out_c * 4);
	for (uint32_t i = 0; i < npix * in_c; i++)
		j->p[0][i] = rnd();
	for (uint32_t i = 0; i < out_c * in_c; i++)
		j->win[i] = rnd();
	for (uint32_t oc = 0; oc < out_c; oc++) {
		j->bias[oc] = (int32_t)(rnd() % 20001) - 10000;
		j->mult[oc] = 0x40000000 + (int32_t)(rnd() % 0x3fffffff);
		j->shift[oc] = -(int32_t)(6 + rnd() % 6);
		put32(j->p[2] + oc * 16 + 0, (uint32_t)j->bias[oc]);
		put32(j->p[2] + oc * 16 + 4, (uint32_t)j->mult[oc]);
		put32(j->p[2] + oc * 16 + 8, (uint32_t)j->shift[oc]);
		put32(j->p[2] + oc * 16 + 12, 0);
	}
	/* docs/hw.md "Weights, PW": groups g, columns j, LANES words l */
	uint32_t cols = in_c / 16;
	for (uint32_t g = 0; g < out_c / L; g++)
		for (uint32_t c = 0; c < cols; c++)
			for (uint32_t l = 0; l < L; l++)
				memcpy(j->p[1] + ((size_t)(g * cols + c) * L + l) * 16,
				       j->win + (size_t)(g * L + l) * in_c + c * 16, 16);
	for (uint32_t i = 0; i < ndesc; i++)
		pw_desc(j, j->desc[i]);
	return j;
}

int pw_submit(struct pwjob *j, uint32_t timeout_ms, uint64_t *id)
{
	return submit(j->fd, j->desc, j->ndesc, j->h, 4, 0, timeout_ms, 0, id);
}

int pw_check(const struct pwjob *j, char *why, size_t whylen)
{
	uint32_t npix = j->rows * j->w;
	for (uint32_t p = 0; p < npix; p++) {
		for (uint32_t oc = 0; oc < j->out_c; oc++) {
			int32_t acc = j->bias[oc];
			for (uint32_t ic = 0; ic < j->in_c; ic++)
				acc += ((int32_t)j->p[0][p * j->in_c + ic] - j->in_zp) *
					((int32_t)j->win[oc * j->in_c + ic] - j->w_zp);
			uint8_t want = requant(acc, j->mult[oc], j->shift[oc], 1, j->out_zp,
					       j->act_min, j->act_max);
			uint8_t got = j->p[3][(size_t)p * j->stride + oc];
			if (got != want) {
				snprintf(why, whylen, "pixel %u channel %u: got %u want %u", p, oc, got, want);
				return -1;
			}
		}
		for (uint32_t b = j->out_c; b < j->stride && p + 1 < npix; b++)
			if (j->p[3][(size_t)p * j->stride + b] != 0xA5) {
				snprintf(why, whylen, "gap byte %u after pixel %u overwritten", b, p);
				return -1;
			}
	}
	return 0;
}

void pw_free(struct pwjob *j)
{
	if (!j)
		return;
	for (int i = 0; i < 4; i++) {
		if (j->p[i])
			munmap(j->p[i], (j->sz[i] + 4095) & ~4095ull);
		gem_close(j->fd, j->h[i]);
	}
	free(j->win), free(j->bias), free(j->mult), free(j->shift);
	free(j);
}

int pw_run(int fd, const char *name, uint32_t rows, uint32_t w, uint32_t in_c,
	   uint32_t out_c, uint32_t ndesc, uint32_t seed, int quiet)
{
	char why[200];
	struct drm_mbnaccel_wait wt;
	uint64_t id;
	int r;
	struct pwjob *j = pw_new(fd, rows, w, in_c, out_c, ndesc, seed);
	if (!j)
		return -1;
	if ((r = pw_submit(j, 0, &id))) {
		fail(name, "SUBMIT: %s", strerror(-r));
	} else if ((r = wait_job(fd, id, 120000, &wt))) {
		fail(name, "WAIT: %s", strerror(-r));
	} else if (wt.status != MBNACCEL_JOB_DONE) {
		fail(name, "status %u fault %u desc %u off 0x%x", wt.status, wt.fault_code,
		     wt.fault_desc, wt.fault_offset);
		r = -1;
	} else if (pw_check(j, why, sizeof(why))) {
		fail(name, "%s", why);
		r = -1;
	} else if (!quiet) {
		pass("%s (%ux%u px, %u -> %u ch, %u desc, %" PRIu64 " cycles, %" PRIu64 " MACs, desc_done %u)",
		     name, rows, w, in_c, out_c, ndesc, (uint64_t)wt.cycles, (uint64_t)wt.mac_active,
		     wt.desc_done);
	}
	pw_free(j);
	return r;
}

/* A DW (3x3 depthwise) job: rows x w x c input, stride 1 or 2, "same" padding
 * (row_off -1, pad_left 1), round 0; BO0 input, BO1 weights, BO2 qparams, BO3 output. */
void dw_run(int fd, const char *name, uint32_t rows, uint32_t w, uint32_t c,
	    uint32_t stride, uint32_t seed)
{
	uint32_t orows = (rows + stride - 1) / stride, ow = (w + stride - 1) / stride;
	uint32_t npix = orows * ow, h[4];
	uint64_t sz[4] = { (uint64_t)rows * w * c, 9ull * c, 16ull * c, (uint64_t)npix * c }, real[4];
	uint8_t *p[4] = { 0 }, in_zp, w_zp = 128, out_zp, amin = 0, amax = 255;
	int32_t bias[256], mult[256], shift[256];
	uint8_t wt[9][256];
	rng_state = seed * 2654435761u + 7;
	in_zp = rnd(), out_zp = rnd() & 0x7f;
	for (int i = 0; i < 4; i++)
		if (bo_create(fd, sz[i], &h[i], &real[i]) || !(p[i] = bo_map(fd, h[i], real[i]))) {
			fail(name, "BO setup");
			return;
		}
	for (uint64_t i = 0; i < sz[0]; i++)
		p[0][i] = rnd();
	for (uint32_t ch = 0; ch < c; ch++) {
		for (int t = 0; t < 9; t++)
			wt[t][ch] = rnd();
		bias[ch] = (int32_t)(rnd() % 4001) - 2000;
		mult[ch] = 0x40000000 + (int32_t)(rnd() % 0x3fffffff);
		shift[ch] = -(int32_t)(4 + rnd() % 4);
		put32(p[2] + ch * 16, (uint32_t)bias[ch]);
		put32(p[2] + ch * 16 + 4, (uint32_t)mult[ch]);
		put32(p[2] + ch * 16 + 8, (uint32_t)shift[ch]);
	}
	/* docs/hw.md "Weights, DW": word k = cg*9 + t holds w[t][cg*16 .. cg*16+15] */
	for (uint32_t cg = 0; cg < c / 16; cg++)
		for (int t = 0; t < 9; t++)
			memcpy(p[1] + (cg * 9 + t) * 16, &wt[t][cg * 16], 16);
	memset(p[3], 0xA5, real[3]);
	uint32_t d[16];
	const struct mbn_desc m = {
		.op = MBN_OP_DW,
		.round = 0,
		.in_rows = rows,
		.in_w = w,
		.in_c = c,
		.out_c = c,
		.out_rows = orows,
		.out_w = ow,
		.stride = stride,
		.row_off = -1,
		.pad_left = 1,
		.w_zp = w_zp,
		.in_zp = in_zp,
		.out_zp = out_zp,
		.act_min = amin,
		.act_max = amax,
		.in_region = 0,
		.w_region = 1,
		.q_region = 2,
		.out_region = 3,
		.out_stride = c,
	};
	mbn_desc_pack(&m, d);
	uint64_t id;
	struct drm_mbnaccel_wait wr;
	int r = submit(fd, d, 1, h, 4, 0, 0, 0, &id);
	if (r || (r = wait_job(fd, id, 60000, &wr)) || wr.status) {
		fail(name, "submit/wait %s status %u fault %u", strerror(-r), wr.status, wr.fault_code);
		goto out;
	}
	for (uint32_t oy = 0; oy < orows; oy++)
		for (uint32_t ox = 0; ox < ow; ox++)
			for (uint32_t ch = 0; ch < c; ch++) {
				int32_t acc = bias[ch];
				for (int kh = 0; kh < 3; kh++)
					for (int kw = 0; kw < 3; kw++) {
						int rr = (int)(oy * stride) + kh - 1, cc = (int)(ox * stride) + kw - 1;
						if (rr < 0 || rr >= (int)rows || cc < 0 || cc >= (int)w)
							continue;
						acc += ((int32_t)p[0][((uint32_t)rr * w + (uint32_t)cc) * c + ch] - in_zp) *
							((int32_t)wt[kh * 3 + kw][ch] - w_zp);
					}
				uint8_t want = requant(acc, mult[ch], shift[ch], 0, out_zp, amin, amax);
				uint8_t got = p[3][(oy * ow + ox) * c + ch];
				if (got != want) {
					fail(name, "out (%u,%u) ch %u: got %u want %u", oy, ox, ch, got, want);
					goto out;
				}
			}
	pass("%s (%ux%ux%u stride %u, %" PRIu64 " cycles)", name, rows, w, c, stride, (uint64_t)wr.cycles);
out:
	for (int i = 0; i < 4; i++) {
		if (p[i])
			munmap(p[i], real[i]);
		gem_close(fd, h[i]);
	}
}
