/*
 * mbn-drmtest.c - tests of the mbnaccel DRM driver, run inside the QEMU guest against
 * the co-simulated RTL (docs/cosim.md). Raw ioctl() on the uapi header, no libdrm.
 *
 *   mbn-drmtest [-d DEV]            basic suite: params, BOs, bad arguments, a real job,
 *                                   validation, NO_VALIDATE fault + canaries, syncobj
 *   mbn-drmtest --fuzz N            N random ioctls, then check the device still works
 *   mbn-drmtest --hang              with the bridge's --hang-job 1: the first job times out,
 *                                   the next is correct
 *   mbn-drmtest --kill              a child is SIGKILLed mid-job; the next job is correct
 *   mbn-drmtest --procs N           N processes run jobs concurrently, all correct
 *   mbn-drmtest --leave-running     (bridge --hang-job 1) a job left on the engine at exit
 *   mbn-drmtest --wedge             (bridge --hang-job 1 --stuck-reset 2) a reset that leaves
 *                                   the engine busy wedges the device; EIO; recovery
 *   mbn-drmtest --probe-wedged      (bridge --hung-at-start --stuck-reset 2) the engine busy
 *                                   at probe: the driver waited, came up wedged; recovery
 *   mbn-drmtest --limits            (module loaded with max_pinned_mib=2 max_pinned_mib_per_file=1
 *                                   max_job_timeout_ms=5000) pinned-memory limits, timeout cap
 *   mbn-drmtest --unsafe            (module loaded with unsafe_test_mode=1) NO_VALIDATE: an
 *                                   out-of-bounds descriptor faults in hardware, canaries intact
 *   mbn-drmtest --in-fence-vgem     (vgem loaded) an in-fence that has not signaled (a
 *                                   vgem fence) holds the job back until it signals
 *   mbn-drmtest --fairness S        two processes submit continuously for S s: each gets
 *                                   >= 40 % of the jobs; a short job behind another
 *                                   process's queue of long jobs waits <= one long job
 *   mbn-drmtest --unbind            (bridge --hang-job 1) a job's sync_file outlives the
 *                                   device's unbind and pins the module until closed; a file
 *                                   open across the unbind gets ENODEV, its mapping
 *                                   faults (SIGBUS)
 *
 * Prints "PASS name" / "FAIL name: why"; exits 1 if anything failed.
 * Build: cc -static -O2 -I driver/uapi/drm -I /usr/include/libdrm tests/driver/mbn-drmtest.c
 * (driver/driver.mk: make drmtest -> build/bin/mbn-drmtest).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "drm.h"
#include "mbn_regs.h"           /* the contract: register fields, struct mbn_desc, pack */
#include "mbnaccel_drm.h"
#include "requant.h"            /* the one requantizer (hw/model/requant.h) */

#define ID_VALUE MBN_ID_VALUE

static int fails;
static const char *devpath;

static void pass(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("PASS ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL %s: ", name);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	fails++;
}

/* ---- ioctl helpers: 0 or -errno */

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int get_param(int fd, uint32_t p, uint64_t *v)
{
	struct drm_mbnaccel_get_param a = { .param = p };
	int r = xioctl(fd, DRM_IOCTL_MBNACCEL_GET_PARAM, &a);
	if (!r && v)
		*v = a.value;
	return r;
}

static int bo_create(int fd, uint64_t size, uint32_t *handle, uint64_t *real)
{
	struct drm_mbnaccel_bo_create a = { .size = size };
	int r = xioctl(fd, DRM_IOCTL_MBNACCEL_BO_CREATE, &a);
	if (!r) {
		*handle = a.handle;
		if (real)
			*real = a.size;
	}
	return r;
}

static void *bo_map(int fd, uint32_t handle, size_t size)
{
	struct drm_mbnaccel_bo_mmap_offset a = { .handle = handle };
	if (xioctl(fd, DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET, &a))
		return NULL;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.offset);
	return p == MAP_FAILED ? NULL : p;
}

static int gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close a = { .handle = handle };
	return xioctl(fd, DRM_IOCTL_GEM_CLOSE, &a);
}

static int submit(int fd, const void *descs, uint32_t n, const uint32_t *handles, uint32_t nbo,
		  uint32_t flags, uint32_t timeout_ms, uint32_t syncobj, uint64_t *id)
{
	struct drm_mbnaccel_submit a = {
		.descs = (uintptr_t)descs, .bo_handles = (uintptr_t)handles,
		.desc_count = n, .bo_count = nbo, .flags = flags,
		.out_syncobj = syncobj, .timeout_ms = timeout_ms,
	};
	int r = xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &a);
	if (!r && id)
		*id = a.job_id;
	return r;
}

/* WAIT with a relative timeout in ms (converted to the absolute deadline). */
static int wait_job(int fd, uint64_t id, uint64_t ms, struct drm_mbnaccel_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->job_id = id;
	w->timeout_ns = now_ns() + ms * 1000000ull;
	return xioctl(fd, DRM_IOCTL_MBNACCEL_WAIT, w);
}

static int open_dev(void)
{
	static const char *dirs[][2] = { { "/dev/accel", "accel" }, { "/dev/dri", "renderD" } };
	char path[300];
	if (devpath)
		return open(devpath, O_RDWR | O_CLOEXEC);
	for (unsigned d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d][0]);
		struct dirent *e;
		if (!dir)
			continue;
		while ((e = readdir(dir))) {
			if (strncmp(e->d_name, dirs[d][1], strlen(dirs[d][1])))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d][0], e->d_name);
			int fd = open(path, O_RDWR | O_CLOEXEC);
			uint64_t id = 0;
			if (fd >= 0 && !get_param(fd, MBNACCEL_PARAM_ID, &id) && id == ID_VALUE) {
				closedir(dir);
				devpath = strdup(path);
				return fd;
			}
			if (fd >= 0)
				close(fd);
		}
		closedir(dir);
	}
	errno = ENODEV;
	return -1;
}

/* ---- the arithmetic of docs/hw.md: the contract's requantizer (requant.h), shared
 * with the C model, the CPU kernels and the testbenches */

static uint8_t requant(int32_t acc, int32_t mult, int32_t shift, int round, uint8_t out_zp,
		       uint8_t act_min, uint8_t act_max)
{
	return mbn_requant_out(acc, mult, shift, round, out_zp, act_min, act_max);
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* ---- a PW job: BO0 input, BO1 weights, BO2 qparams, BO3 output */

struct pwjob {
	int fd;
	uint32_t rows, w, in_c, out_c, stride, ndesc, lanes;
	uint8_t in_zp, w_zp, out_zp, act_min, act_max;
	uint32_t h[4];
	uint64_t sz[4];
	uint8_t *p[4];
	uint8_t *win;           /* w[oc][ic] unpacked */
	int32_t *bias, *mult, *shift;
	uint32_t desc[][16];
};

static uint32_t g_lanes = 16;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);       /* little-endian guest */
}

static void pw_desc(const struct pwjob *j, uint32_t *d)
{
	const struct mbn_desc m = {
		.op = MBN_OP_PW, .round = 1,    /* ruy rounding */
		.in_rows = j->rows, .in_w = j->w, .in_c = j->in_c, .out_c = j->out_c,
		.out_rows = j->rows, .out_w = j->w, .w_zp = j->w_zp,
		.in_zp = j->in_zp, .out_zp = j->out_zp, .act_min = j->act_min, .act_max = j->act_max,
		.in_region = 0, .w_region = 1, .q_region = 2, .out_region = 3,
		.out_stride = j->stride,
	};
	mbn_desc_pack(&m, d);
}

/* Allocate, fill with random data (seeded), pack, build ndesc identical descriptors.
 * Output BO filled with the canary 0xA5. NULL on failure (reported). */
static struct pwjob *pw_new(int fd, uint32_t rows, uint32_t w, uint32_t in_c, uint32_t out_c,
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

static int pw_submit(struct pwjob *j, uint32_t timeout_ms, uint64_t *id)
{
	return submit(j->fd, j->desc, j->ndesc, j->h, 4, 0, timeout_ms, 0, id);
}

/* Compare the output BO with the reference; gaps between pixels keep the canary. */
static int pw_check(const struct pwjob *j, char *why, size_t whylen)
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

static void pw_free(struct pwjob *j)
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

/* Run a PW job end to end; 0 if the output is right. */
static int pw_run(int fd, const char *name, uint32_t rows, uint32_t w, uint32_t in_c,
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
static void dw_run(int fd, const char *name, uint32_t rows, uint32_t w, uint32_t c,
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
		.op = MBN_OP_DW, .round = 0,
		.in_rows = rows, .in_w = w, .in_c = c, .out_c = c, .out_rows = orows, .out_w = ow,
		.stride = stride, .row_off = -1, .pad_left = 1, .w_zp = w_zp,
		.in_zp = in_zp, .out_zp = out_zp, .act_min = amin, .act_max = amax,
		.in_region = 0, .w_region = 1, .q_region = 2, .out_region = 3, .out_stride = c,
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

/* ---- basic suite */

#define CAPS3_FUSE  MBN_CAPS3_FUSE    /* docs/hw.md: the DW descriptor bit fuse (d0[10]) */
#define CAPS3_IBANK MBN_CAPS3_IBANK   /* docs/hw.md "IBUF row banks": the banked capacity rule */

#define EXPECT_ERR(name, expr, err) do { \
	int _r = (expr); \
	if (_r == -(err)) pass("%s (%s)", name, strerror(err)); \
	else fail(name, "got %s, want %s", _r ? strerror(-_r) : "success", strerror(err)); \
} while (0)

static void test_params(int fd)
{
	uint64_t id = 0, v, caps[4];
	int r = get_param(fd, MBNACCEL_PARAM_ID, &id);
	if (!r && id == ID_VALUE)
		pass("get-param-id (0x%08" PRIx64 ", %s)", id, devpath);
	else
		fail("get-param-id", "r=%d id=0x%" PRIx64, r, id);
	for (int i = 0; i < 4; i++)
		get_param(fd, MBNACCEL_PARAM_CAPS0 + i, &caps[i]);
	g_lanes = MBN_CAPS0_LANES_GET(caps[0]);
	if (g_lanes && g_lanes % 16 == 0 && MBN_CAPS0_MACS_GET(caps[0]) == g_lanes * 16 &&
	    MBN_CAPS3_REGIONS_GET(caps[3]) == MBN_NUM_REGIONS)
		pass("get-param-caps (%u MACs, %u lanes, IBUF/2 %u KiB, WBUF/2 %u KiB, OBUF/2 %u KiB, QBUF %u, %u regions)",
		     MBN_CAPS0_MACS_GET(caps[0]), g_lanes, MBN_CAPS1_IBUF_KIB_GET(caps[1]),
		     MBN_CAPS1_WBUF_KIB_GET(caps[1]), MBN_CAPS2_OBUF_KIB_GET(caps[2]), MBN_CAPS2_QBUF_GET(caps[2]),
		     MBN_CAPS3_REGIONS_GET(caps[3]));
	else
		fail("get-param-caps", "CAPS 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64,
		     caps[0], caps[1], caps[2], caps[3]);
	if (!g_lanes)
		g_lanes = 16;
	int ok = 1;
	for (uint32_t p = MBNACCEL_PARAM_VERSION; p <= MBNACCEL_PARAM_WEDGED; p++)
		ok &= get_param(fd, p, &v) == 0;
	if (ok)
		pass("get-param-all");
	else
		fail("get-param-all", "a defined parameter was refused");
	EXPECT_ERR("get-param-unknown", get_param(fd, 99, NULL), EINVAL);
	struct drm_mbnaccel_get_param gp = { .param = 0, .pad = 1 };
	EXPECT_ERR("get-param-pad", xioctl(fd, DRM_IOCTL_MBNACCEL_GET_PARAM, &gp), EINVAL);
}

static void test_bo(int fd)
{
	uint32_t h;
	uint64_t real = 0;
	int r = bo_create(fd, 3 * 4096 + 1, &h, &real);
	if (r || real != 4 * 4096) {
		fail("bo-create", "r=%d size %" PRIu64, r, real);
		return;
	}
	pass("bo-create (size rounded to %" PRIu64 ")", real);
	uint32_t *p = bo_map(fd, h, real);
	if (!p) {
		fail("bo-mmap", "%s", strerror(errno));
		return;
	}
	int zero = 1;
	for (size_t i = 0; i < real / 4; i++)
		zero &= p[i] == 0;
	for (size_t i = 0; i < real / 4; i++)
		p[i] = 0x9e3779b9u * (uint32_t)i;
	munmap(p, real);
	p = bo_map(fd, h, real);
	int same = p != NULL;
	for (size_t i = 0; same && i < real / 4; i++)
		same = p[i] == 0x9e3779b9u * (uint32_t)i;
	if (p)
		munmap(p, real);
	if (zero && same)
		pass("bo-mmap-write-read (new BO zeroed, pattern survives remap)");
	else
		fail("bo-mmap-write-read", "zeroed %d, pattern %d", zero, same);
	/* mapping more than the BO must fail */
	struct drm_mbnaccel_bo_mmap_offset mo = { .handle = h };
	xioctl(fd, DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET, &mo);
	void *big = mmap(NULL, real + 4096, PROT_READ, MAP_SHARED, fd, mo.offset);
	if (big == MAP_FAILED)
		pass("bo-mmap-too-long refused");
	else {
		fail("bo-mmap-too-long", "mapping beyond the BO succeeded");
		munmap(big, real + 4096);
	}
	EXPECT_ERR("bo-close", gem_close(fd, h), 0);
	EXPECT_ERR("bo-close-twice", gem_close(fd, h), EINVAL);

	struct drm_mbnaccel_bo_create bc = { .size = 4096, .flags = 1 };
	EXPECT_ERR("bo-create-flags", xioctl(fd, DRM_IOCTL_MBNACCEL_BO_CREATE, &bc), EINVAL);
	EXPECT_ERR("bo-create-size0", bo_create(fd, 0, &h, NULL), EINVAL);
	EXPECT_ERR("bo-create-huge", bo_create(fd, MBNACCEL_MAX_BO_SIZE + 1, &h, NULL), EINVAL);
	EXPECT_ERR("bo-create-u64max", bo_create(fd, ~0ull, &h, NULL), EINVAL);
	struct drm_mbnaccel_bo_mmap_offset bm = { .handle = 0xdead };
	EXPECT_ERR("bo-mmap-offset-unknown", xioctl(fd, DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET, &bm), ENOENT);
	if (!bo_create(fd, 4096, &h, NULL)) {
		struct drm_mbnaccel_bo_mmap_offset bp = { .handle = h, .pad = 1 };
		EXPECT_ERR("bo-mmap-offset-pad", xioctl(fd, DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET, &bp), EINVAL);
		gem_close(fd, h);
	}
	/* issue 13 item 5: PRIME export is refused with an error (6.12's default export
	 * WARNs on a BO without get_sg_table; the dmesg check catches a WARN) */
	if (!bo_create(fd, 4096, &h, NULL)) {
		struct drm_prime_handle ph = { .handle = h, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
		int r2 = xioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
		if (r2 && ph.fd < 0)
			pass("bo-prime-export refused (%s)", strerror(-r2));
		else {
			fail("bo-prime-export", "r=%d fd %d: a BO was exported", r2, ph.fd);
			if (ph.fd >= 0)
				close(ph.fd);
		}
		gem_close(fd, h);
	}
}

static void test_bad_submit(int fd)
{
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 7);
	struct drm_mbnaccel_submit s;
	uint32_t d[16];
	if (!j)
		return;
#define BASE_SUBMIT() (memset(&s, 0, sizeof(s)), s.descs = (uintptr_t)j->desc, \
	s.bo_handles = (uintptr_t)j->h, s.desc_count = 1, s.bo_count = 4)
	BASE_SUBMIT(); s.flags = 0x80;
	EXPECT_ERR("submit-flags", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.reserved = 1;
	EXPECT_ERR("submit-reserved", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.desc_count = 0;
	EXPECT_ERR("submit-desc-count-0", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.desc_count = MBNACCEL_MAX_DESCS + 1;
	EXPECT_ERR("submit-desc-count-max+1", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.desc_count = 0xffffffffu;
	EXPECT_ERR("submit-desc-count-u32max", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.bo_count = 0;
	EXPECT_ERR("submit-bo-count-0", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.bo_count = 8;
	EXPECT_ERR("submit-bo-count-8", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	BASE_SUBMIT(); s.timeout_ms = 600001;
	EXPECT_ERR("submit-timeout-too-long", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	uint32_t badh[4] = { j->h[0], j->h[1], 0xbeef, j->h[3] };
	BASE_SUBMIT(); s.bo_handles = (uintptr_t)badh;
	EXPECT_ERR("submit-unknown-handle", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), ENOENT);
	BASE_SUBMIT(); s.descs = 16;
	EXPECT_ERR("submit-bad-desc-pointer", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EFAULT);
	BASE_SUBMIT(); s.bo_handles = 16;
	EXPECT_ERR("submit-bad-handle-pointer", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EFAULT);
	BASE_SUBMIT(); s.out_syncobj = 0x1234;
	EXPECT_ERR("submit-unknown-syncobj", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), ENOENT);
	/* a chain of the maximum length is accepted by the size checks; its zero
	 * descriptors are then refused by validation (op 0) */
	void *zeros = calloc(MBNACCEL_MAX_DESCS, 64);
	BASE_SUBMIT(); s.descs = (uintptr_t)zeros; s.desc_count = MBNACCEL_MAX_DESCS;
	EXPECT_ERR("submit-max-descs-validated", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	free(zeros);

	/* descriptors the hardware would fault on: each refused with EINVAL */
	struct { const char *name; int word; uint32_t val; } bad[] = {
		{ "desc-op-0", 0, 0x10 }, { "desc-op-3", 0, 0x13 }, { "desc-reserved-bit", 0, 0x11 | 1u << 12 }, { "desc-round-3", 0, 0x31 },
		{ "desc-reserved-word", 13, 1 }, { "desc-in-c-not-16", 2, 24 | (2 * g_lanes) << 16 },
		{ "desc-region-unbound", 6, 0x4321 | 0 }, { "desc-region-7", 6, 0x7210 },
		{ "desc-in-offset-misaligned", 7, 8 }, { "desc-out-offset-oob", 10, 4096 - 736 }, /* extent 752 in a 4 KiB BO: 16 bytes over */
		{ "desc-w-offset-overflow", 8, 0xfffffff0u }, { "desc-q-offset-huge", 9, 0x80000000u },
		{ "desc-stride-small", 11, 16 }, { "desc-pw-shape", 3, 5 | 4 << 16 },
		{ "desc-zero-rows", 1, 0 | 4 << 16 }, { "desc-ibuf-capacity", 1, 0xffff | 0xffffu << 16 },
		{ "desc-fuse-on-pw", 0, 0x11 | 1u << 10 },      /* fuse is a DW-only bit (docs/hw.md) */
		/* bits the RTL ignores today (issue 13 item 6): refused, not passed on */
		{ "desc-d4-bits-7-4", 4, 1u << 4 }, { "desc-pw-row-off", 4, 1u << 8 },
		{ "desc-pw-pad-left", 4, 1u << 16 }, { "desc-d6-bits-31-16", 6, 0x3210 | 1u << 16 },
		{ "desc-d11-bits-31-16", 11, (uint32_t)j->stride | 1u << 16 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t chain[2][16];
		pw_desc(j, d);
		memcpy(chain[0], d, 64);
		d[bad[i].word] = bad[i].val;
		memcpy(chain[1], d, 64);
		/* the bad one second: every descriptor is checked, not only the first */
		EXPECT_ERR(bad[i].name, submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
	}
	/* On-chip reuse must not read what an earlier job (maybe another process's) left:
	 * reuse flags on descriptor 0 and reuse that reads more than this job loaded are
	 * refused; the same reuse after a load of the same size is fine. */
	{
		uint32_t chain[2][16];
		pw_desc(j, chain[0]);
		chain[0][0] |= 1u << 9;
		EXPECT_ERR("desc0-reuse-input", submit(fd, chain, 1, j->h, 4, 0, 0, 0, NULL), EINVAL);
		pw_desc(j, chain[0]);
		chain[0][0] |= 1u << 8;
		EXPECT_ERR("desc0-reuse-weights", submit(fd, chain, 1, j->h, 4, 0, 0, 0, NULL), EINVAL);
		pw_desc(j, chain[0]);
		chain[0][1] = chain[0][3] = (j->rows / 2) | j->w << 16;  /* half the pixels loaded (rows = 4) */
		pw_desc(j, chain[1]);
		chain[1][0] |= 1u << 9;                                  /* all of them reused */
		EXPECT_ERR("desc-reuse-input-grown", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
		/* The same bytes in other rows: 16 pixels of 32 channels are loaded as 16
		 * rows of 2 words; a DW reuse reading them as one row of 16 x 32 bytes (32
		 * words) reads, with IBUF row banks, 32 words of bank 0 where this job put 12
		 * (rows 0, 3, .., 15): refused. Without banks it reads the same words (run). */
		uint64_t caps3 = 0;
		get_param(fd, MBNACCEL_PARAM_CAPS3, &caps3);
		pw_desc(j, chain[0]);
		pw_desc(j, chain[1]);
		chain[1][0] = 2 | 1u << 9;                              /* DW, reuse_input */
		chain[1][1] = chain[1][3] = 1 | (j->rows * j->w) << 16; /* 1 x 16 px, 32 ch */
		chain[1][2] = j->in_c | j->in_c << 16;
		chain[1][4] |= 1;                                       /* stride 1 */
		if (caps3 & CAPS3_IBANK) {
			EXPECT_ERR("desc-reuse-input-regrouped", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL),
				   EINVAL);
		} else {
			uint64_t gid;
			struct drm_mbnaccel_wait gw = { 0 };
			int gr = submit(fd, chain, 2, j->h, 4, 0, 0, 0, &gid);
			if (!gr && !(gr = wait_job(fd, gid, 60000, &gw)) && gw.status == 0 && gw.desc_done == 2)
				pass("desc-reuse-input-regrouped accepted and done (no IBANK: one copy of the tile)");
			else
				fail("desc-reuse-input-regrouped", "no IBANK: r=%d status %u", gr, gw.status);
		}
		pw_desc(j, chain[0]);
		pw_desc(j, chain[1]);
		chain[1][0] |= 1u << 8 | 1u << 9;
		uint64_t rid;
		struct drm_mbnaccel_wait rw;
		int rr = submit(fd, chain, 2, j->h, 4, 0, 0, 0, &rid);
		if (!rr && !wait_job(fd, rid, 60000, &rw) && rw.status == 0 && rw.desc_done == 2)
			pass("desc-reuse-same-size accepted and done");
		else
			fail("desc-reuse-same-size", "r=%d status %u", rr, rr ? 0 : rw.status);
	}
	/* an output extent exactly filling the BO is fine; one byte more is not */
	pw_desc(j, d);
	d[10] = 0;
	uint64_t id;
	struct drm_mbnaccel_wait w;
	int r = submit(fd, d, 1, j->h, 4, 0, 0, 0, &id);
	if (!r && !wait_job(fd, id, 60000, &w) && w.status == 0)
		pass("desc-exact-fit accepted and done");
	else
		fail("desc-exact-fit", "r=%d status %u", r, w.status);

	struct drm_mbnaccel_wait wt = { .job_id = 0 };
	EXPECT_ERR("wait-job-0", xioctl(fd, DRM_IOCTL_MBNACCEL_WAIT, &wt), ENOENT);
	wt.job_id = 1ull << 40;
	EXPECT_ERR("wait-unknown-job", xioctl(fd, DRM_IOCTL_MBNACCEL_WAIT, &wt), ENOENT);
	wt.job_id = id;
	wt.flags = 1;
	EXPECT_ERR("wait-flags", xioctl(fd, DRM_IOCTL_MBNACCEL_WAIT, &wt), EINVAL);
	/* job ids are per file */
	int fd2 = open_dev();
	if (fd2 >= 0) {
		struct drm_mbnaccel_wait w2 = { .job_id = id };
		EXPECT_ERR("wait-other-files-job", xioctl(fd2, DRM_IOCTL_MBNACCEL_WAIT, &w2), ENOENT);
		uint32_t hh[1] = { j->h[0] };
		EXPECT_ERR("submit-other-files-handle", submit(fd2, j->desc, 1, hh, 1, 0, 0, 0, NULL), ENOENT);
		close(fd2);
	}
	pw_free(j);
}

/* NO_VALIDATE: the hardware's own region check must fault and write nothing. Without
 * unsafe_test_mode the flag is refused (EPERM): a pass in the basic suite, a failure
 * with --unsafe (must_run), which expects the module loaded with unsafe_test_mode=1. */
static void test_no_validate(int fd, int must_run)
{
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 9);
	uint32_t canh;
	uint64_t canreal, id;
	struct drm_mbnaccel_wait w;
	if (!j)
		return;
	/* a neighbour BO allocated right after the output: the likeliest victim of an
	 * overrun */
	if (bo_create(fd, 64 * 1024, &canh, &canreal)) {
		fail("no-validate", "canary BO");
		pw_free(j);
		return;
	}
	uint8_t *can = bo_map(fd, canh, canreal);
	memset(can, 0x5C, canreal);
	uint32_t chain[2][16];
	pw_desc(j, chain[0]);
	pw_desc(j, chain[1]);
	chain[1][10] = 4096;    /* output at the BO's end: extent beyond it */
	int r = submit(fd, chain, 2, j->h, 4, MBNACCEL_SUBMIT_NO_VALIDATE, 0, 0, &id);
	if (r == -EPERM) {
		if (must_run)
			fail("no-validate", "EPERM: load the module with unsafe_test_mode=1 for --unsafe");
		else
			pass("no-validate refused without unsafe_test_mode (EPERM); the hardware fault itself is checked by --unsafe");
		goto out;
	}
	EXPECT_ERR("no-validate-invalid-refused-without-flag", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
	if (r || wait_job(fd, id, 60000, &w)) {
		fail("no-validate-fault", "submit/wait: %s", strerror(-r));
		goto out;
	}
	if (w.status == MBNACCEL_JOB_FAULT && w.fault_code == 1 && w.fault_desc == 1 &&
	    w.fault_offset == 4096 && w.desc_done == 1)
		pass("no-validate-fault (status FAULT, code 1 BOUNDS, desc 1, offset 0x1000, desc_done 1)");
	else
		fail("no-validate-fault", "status %u code %u desc %u offset 0x%x done %u", w.status,
		     w.fault_code, w.fault_desc, w.fault_offset, w.desc_done);
	/* descriptor 0 ran (its output is right), descriptor 1 wrote nothing: the bytes
	 * after the output extent and the neighbour BO keep their canaries */
	char why[200];
	int ok = 1;
	uint64_t real3 = (j->sz[3] + 4095) & ~4095ull;
	for (uint64_t i = j->sz[3]; i < real3; i++)
		ok &= j->p[3][i] == 0xA5;
	for (uint64_t i = 0; i < canreal; i++)
		ok &= can[i] == 0x5C;
	if (pw_check(j, why, sizeof(why)))
		fail("no-validate-desc0-output", "%s", why);
	else
		pass("no-validate-desc0-output correct");
	if (ok)
		pass("no-validate-canaries unchanged (tail of output BO and a neighbour BO)");
	else
		fail("no-validate-canaries", "a canary byte changed");
	/* issue 13 item 8: a NO_VALIDATE job taints the kernel (TAINT_USER, bit 6), and
	 * the flag is CAP_SYS_ADMIN's only, even with unsafe_test_mode=1: a child that
	 * drops root (and with it every capability) keeps the fd but gets EPERM */
	{
		FILE *tf = fopen("/proc/sys/kernel/tainted", "r");
		unsigned long taint = 0;
		if (tf && fscanf(tf, "%lu", &taint) == 1 && (taint & (1ul << 6)))
			pass("no-validate taints the kernel (TAINT_USER)");
		else
			fail("no-validate-taint", "/proc/sys/kernel/tainted = %lu, want bit 6", taint);
		if (tf)
			fclose(tf);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(2);
			uint64_t cid;
			_exit(submit(fd, chain, 2, j->h, 4, MBNACCEL_SUBMIT_NO_VALIDATE, 0, 0, &cid) == -EPERM ? 0 : 1);
		}
		int st = 0;
		if (pid > 0)
			waitpid(pid, &st, 0);
		if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			pass("no-validate refused without CAP_SYS_ADMIN (EPERM)");
		else
			fail("no-validate-cap-sys-admin", "child without CAP_SYS_ADMIN: exit status 0x%x (1: not EPERM)", st);
	}
	/* region 5 is not bound: its size is 0, so the hardware faults too */
	pw_desc(j, chain[0]);
	chain[0][6] = 0x5210;
	r = submit(fd, chain, 1, j->h, 4, MBNACCEL_SUBMIT_NO_VALIDATE, 0, 0, &id);
	if (!r && !wait_job(fd, id, 60000, &w) && w.status == MBNACCEL_JOB_FAULT && w.fault_code == 1)
		pass("no-validate-unbound-region faults (BOUNDS on a size-0 region)");
	else
		fail("no-validate-unbound-region", "r=%d status %u code %u", r, w.status, w.fault_code);
out:
	munmap(can, canreal);
	gem_close(fd, canh);
	pw_free(j);
}

static void test_syncobj(int fd)
{
	struct drm_syncobj_create sc = { 0 };
	if (xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		fail("syncobj", "SYNCOBJ_CREATE: %s", strerror(errno));
		return;
	}
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 11);
	uint64_t id;
	if (!j)
		return;
	int r = submit(fd, j->desc, 1, j->h, 4, 0, 0, sc.handle, &id);
	struct drm_syncobj_wait sw = {
		.handles = (uintptr_t)&sc.handle, .count_handles = 1,
		.timeout_nsec = (int64_t)(now_ns() + 60000000000ull),
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};
	char why[200];
	if (r)
		fail("syncobj", "SUBMIT: %s", strerror(-r));
	else if ((r = xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw)))
		fail("syncobj", "SYNCOBJ_WAIT: %s", strerror(-r));
	else if (pw_check(j, why, sizeof(why)))
		fail("syncobj", "signaled but output wrong: %s", why);
	else
		pass("syncobj out-fence signaled, output correct");
	struct drm_syncobj_destroy sd = { .handle = sc.handle };
	xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
	pw_free(j);
}

/* SUBMIT version 1 (issue 13, scheduling): the struct as binaries built before the
 * in-fences have it, 48 bytes; the ioctl number encodes that size. */
struct submit_v1 {
	uint64_t descs, bo_handles;
	uint32_t desc_count, bo_count, flags, out_syncobj, timeout_ms, reserved;
	uint64_t job_id;
};
#define DRM_IOCTL_MBNACCEL_SUBMIT_V1 DRM_IOWR(DRM_COMMAND_BASE + DRM_MBNACCEL_SUBMIT, struct submit_v1)

static int syncobj_create(int fd, uint32_t *h)
{
	struct drm_syncobj_create sc = { 0 };
	int r = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);
	*h = sc.handle;
	return r;
}

static void syncobj_destroy(int fd, uint32_t h)
{
	struct drm_syncobj_destroy sd = { .handle = h };
	xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
}

/* SUBMIT with in-fences: 0 or -errno */
static int submit_in(struct pwjob *j, const uint32_t *in, uint32_t nin, uint32_t out, uint64_t *id)
{
	struct drm_mbnaccel_submit a = {
		.descs = (uintptr_t)j->desc, .bo_handles = (uintptr_t)j->h,
		.desc_count = j->ndesc, .bo_count = 4, .out_syncobj = out,
		.flags = MBNACCEL_SUBMIT_IN_SYNCOBJS,
		.in_syncobjs = (uintptr_t)in, .in_syncobj_count = nin,
	};
	int r = xioctl(j->fd, DRM_IOCTL_MBNACCEL_SUBMIT, &a);
	if (!r && id)
		*id = a.job_id;
	return r;
}

static void wait_check(struct pwjob *j, const char *name, uint64_t id, const char *what)
{
	struct drm_mbnaccel_wait w;
	char why[200];
	int r = wait_job(j->fd, id, 60000, &w);
	if (r)
		fail(name, "WAIT: %s", strerror(-r));
	else if (w.status != MBNACCEL_JOB_DONE)
		fail(name, "status %u", w.status);
	else if (pw_check(j, why, sizeof(why)))
		fail(name, "%s", why);
	else
		pass("%s (%s)", name, what);
}

/* In-fences (SUBMIT version 2) and the version 1 struct size. */
static void test_in_fences(int fd)
{
	struct pwjob *a = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 61);
	struct pwjob *b = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 62);
	uint32_t so = 0, empty = 0, bad = 0x4321;
	uint64_t ida, idb;
	int r;
	if (!a || !b || syncobj_create(fd, &so) || syncobj_create(fd, &empty)) {
		fail("in-fence", "setup");
		goto out;
	}
	/* a version 1 binary: the kernel sees its struct zero-extended */
	struct submit_v1 v1 = {
		.descs = (uintptr_t)a->desc, .bo_handles = (uintptr_t)a->h,
		.desc_count = 1, .bo_count = 4,
	};
	if ((r = xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT_V1, &v1)))
		fail("submit-v1-size", "SUBMIT with the 48-byte struct: %s", strerror(-r));
	else if (!v1.job_id)
		fail("submit-v1-size", "no job id written back");
	else
		wait_check(a, "submit-v1-size", v1.job_id, "the 48-byte version 1 struct still works");

	EXPECT_ERR("in-fence-bad-handle", submit_in(b, &bad, 1, 0, NULL), ENOENT);
	EXPECT_ERR("in-fence-no-fence", submit_in(b, &empty, 1, 0, NULL), EINVAL);
	EXPECT_ERR("in-fence-count-0", submit_in(b, &so, 0, 0, NULL), EINVAL);
	EXPECT_ERR("in-fence-count-max+1", submit_in(b, &so, MBNACCEL_MAX_IN_SYNCOBJS + 1, 0, NULL), EINVAL);
	EXPECT_ERR("in-fence-bad-pointer", submit_in(b, (const uint32_t *)16, 1, 0, NULL), EFAULT);
	struct drm_mbnaccel_submit s = {
		.descs = (uintptr_t)b->desc, .bo_handles = (uintptr_t)b->h,
		.desc_count = 1, .bo_count = 4, .in_syncobj_count = 1,
	};
	EXPECT_ERR("in-fence-count-without-flag", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);
	s.in_syncobj_count = 0;
	s.pad2 = 1;
	EXPECT_ERR("in-fence-pad2", xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s), EINVAL);

	/* a chain: b waits for a's out-fence (the same syncobj given twice is fine) */
	uint32_t in2[2] = { so, so };
	if ((r = submit(fd, a->desc, 1, a->h, 4, 0, 0, so, &ida)))
		fail("in-fence-chain", "SUBMIT a: %s", strerror(-r));
	else if ((r = submit_in(b, in2, 2, 0, &idb)))
		fail("in-fence-chain", "SUBMIT b: %s", strerror(-r));
	else {
		wait_check(b, "in-fence-chain", idb, "a job waiting for another's out_syncobj runs after it");
		struct drm_mbnaccel_wait w;
		if (wait_job(fd, ida, 0, &w) || w.status != MBNACCEL_JOB_DONE)
			fail("in-fence-chain-order", "the job waited for is not done");
	}
out:
	if (so)
		syncobj_destroy(fd, so);
	if (empty)
		syncobj_destroy(fd, empty);
	pw_free(a);
	pw_free(b);
}

/* Implicit sync (the BOs' reservation objects): the objects of a job are locked once
 * each, so a BO bound to two regions of one job must still be accepted and run. */
static void test_implicit(int fd)
{
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 81);
	uint32_t h5[5];
	uint64_t id;
	int r;
	if (!j)
		return;
	memcpy(h5, j->h, sizeof(j->h));
	h5[4] = j->h[3];
	if ((r = submit(fd, j->desc, 1, h5, 5, 0, 0, 0, &id)))
		fail("implicit-same-bo-twice", "SUBMIT with the output BO bound to regions 3 and 4: %s", strerror(-r));
	else
		wait_check(j, "implicit-same-bo-twice", id, "a BO bound to two regions of one job");
	pw_free(j);
}

/* ---- --in-fence-vgem: vgem (loaded by the guest script) makes fences that signal
 * only when told to (or after its 10 s timeout): a job whose in-fence is one must not
 * run before it signals, and must run right after. */

struct vgem_fence_attach { uint32_t handle, flags, out_fence, pad; };
struct vgem_fence_signal { uint32_t fence, flags; };
#define VGEM_IOCTL_FENCE_ATTACH DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)
#define VGEM_FENCE_WRITE 0x1

static int open_vgem(void)
{
	char path[64], name[32];
	for (int i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
		memset(name, 0, sizeof(name));
		if (!xioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

static void in_fence_vgem(int fd)
{
	int vfd = open_vgem(), r;
	struct pwjob *j = NULL;
	uint32_t so = 0;
	uint64_t id;
	if (vfd < 0) {
		fail("in-fence-vgem", "no vgem device (the guest must load vgem)");
		return;
	}
	struct drm_mode_create_dumb cd = { .height = 1, .width = 1024, .bpp = 32 };
	struct vgem_fence_attach fa = { .flags = VGEM_FENCE_WRITE };
	struct drm_prime_handle ph = { .flags = DRM_CLOEXEC };
	struct dma_buf_export_sync_file es = { .flags = DMA_BUF_SYNC_WRITE, .fd = -1 };
	if ((r = xioctl(vfd, DRM_IOCTL_MODE_CREATE_DUMB, &cd)) ||
	    (fa.handle = cd.handle, r = xioctl(vfd, VGEM_IOCTL_FENCE_ATTACH, &fa)) ||
	    (ph.handle = cd.handle, r = xioctl(vfd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph)) ||
	    (r = xioctl(ph.fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es))) {
		fail("in-fence-vgem", "vgem fence / sync_file: %s", strerror(-r));
		goto out;
	}
	struct drm_syncobj_handle sh = {
		.fd = es.fd, .flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
	};
	j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 63);
	if (!j || (r = syncobj_create(fd, &so)) || (sh.handle = so, r = xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh))) {
		fail("in-fence-vgem", "syncobj import: %s", strerror(-r));
		goto out;
	}
	if ((r = submit_in(j, &so, 1, 0, &id))) {
		fail("in-fence-vgem", "SUBMIT: %s", strerror(-r));
		goto out;
	}
	struct drm_mbnaccel_wait w;
	r = wait_job(fd, id, 2000, &w);
	if (r == -ETIMEDOUT)
		pass("in-fence-vgem-delays (the job has not run 2 s after SUBMIT: its in-fence is unsignaled)");
	else
		fail("in-fence-vgem-delays", "WAIT before the in-fence signaled: %s, status %u",
		     r ? strerror(-r) : "completed", w.status);
	struct vgem_fence_signal fs = { .fence = fa.out_fence };
	uint64_t t0 = now_ns();
	if ((r = xioctl(vfd, VGEM_IOCTL_FENCE_SIGNAL, &fs))) {
		fail("in-fence-vgem", "VGEM_FENCE_SIGNAL: %s", strerror(-r));
		goto out;
	}
	char what[80];
	r = wait_job(fd, id, 30000, &w);
	snprintf(what, sizeof(what), "ran once the in-fence signaled: done %.2f s later",
		 (now_ns() - t0) / 1e9);
	if (r)
		fail("in-fence-vgem-runs", "WAIT: %s", strerror(-r));
	else
		wait_check(j, "in-fence-vgem-runs", id, what);
out:
	if (so)
		syncobj_destroy(fd, so);
	if (es.fd >= 0)
		close(es.fd);
	pw_free(j);
	close(vfd);
}

static void test_wait_timeout(int fd)
{
	/* a longer job: WAIT with a deadline already passed returns ETIMEDOUT at once */
	struct pwjob *j = pw_new(fd, 16, 16, 256, 256, 4, 13);
	uint64_t id;
	struct drm_mbnaccel_wait w = { 0 };
	if (!j)
		return;
	if (pw_submit(j, 0, &id)) {
		fail("wait-deadline", "submit");
		pw_free(j);
		return;
	}
	w.job_id = id;
	w.timeout_ns = 0;
	int r = xioctl(fd, DRM_IOCTL_MBNACCEL_WAIT, &w);
	EXPECT_ERR("wait-deadline-passed", r, ETIMEDOUT);
	char why[200];
	if ((r = wait_job(fd, id, 120000, &w)) || w.status || pw_check(j, why, sizeof(why)))
		fail("wait-long-job", "r=%d status %u", r, w.status);
	else
		pass("wait-long-job (4 desc of 256 px 256->256 ch, %" PRIu64 " cycles, %" PRIu64 " MACs)",
		     (uint64_t)w.cycles, (uint64_t)w.mac_active);
	/* WAIT again on a finished job still answers */
	if (!wait_job(fd, id, 0, &w) && w.status == 0)
		pass("wait-again on a finished job");
	else
		fail("wait-again", "refused");
	pw_free(j);
}

/* ---- IBUF capacity at its bound (docs/hw.md "IBUF row banks", "Fusion") */

/* A DW descriptor: stride 1, row_off -1, pad_left 1, c channels, zero points 0; BO0
 * input, BO1 weights, BO2 qparams, BO3 output (fused: the output stays on chip and the
 * rules want out_region 0, out_offset 0). */
static void cap_dw_desc(uint32_t *d, uint32_t in_rows, uint32_t in_w, uint32_t c,
			uint32_t out_rows, uint32_t out_w, int fuse)
{
	const struct mbn_desc m = {
		.op = MBN_OP_DW, .fuse = fuse != 0,
		.in_rows = in_rows, .in_w = in_w, .in_c = c, .out_c = c,
		.out_rows = out_rows, .out_w = out_w,
		.stride = 1, .row_off = -1, .pad_left = 1, .w_zp = 128, .act_max = 255,
		.in_region = 0, .w_region = 1, .q_region = 2, .out_region = fuse ? 0 : 3,
		.out_stride = c,
	};
	mbn_desc_pack(&m, d);
}

/* Accepted and run to DONE (the output values are not checked, as for desc-exact-fit:
 * the point is that the driver and the hardware agree on the bound). */
static void cap_expect_done(int fd, const char *name, const uint32_t *d, const uint32_t *h,
			    const char *what)
{
	struct drm_mbnaccel_wait w = { 0 };
	uint64_t id;
	int r = submit(fd, d, 1, h, 4, 0, 0, 0, &id);
	if (!r && !(r = wait_job(fd, id, 120000, &w)) && w.status == MBNACCEL_JOB_DONE)
		pass("%s accepted and done (%s)", name, what);
	else
		fail(name, "%s: r=%d status %u fault %u", what, r, w.status, w.fault_code);
}

/*
 * CAPS1 reports half of IBUF, of one bank with IBANK: S = 2 x that. A DW tile of R rows
 * of row bytes fits with IBANK while (R + 2) * row <= 3 * S, else while R * row <= S; a
 * fused DW's input (DW rows) and output (one row per pixel) each within a half, S/2.
 * The largest tile that fits is accepted and runs, one row more is EINVAL.
 * Deliberately independent of desc_check.h's mbn_ibuf_fits (the one copy of the rule
 * the driver, the C model and the compiler share): this is the oracle they are held to.
 */
static void test_ibuf_capacity(int fd)
{
	uint64_t caps1 = 0, caps3 = 0, sz[4], real[4];
	uint32_t h[4] = { 0 }, d[16];
	char what[160];

	get_param(fd, MBNACCEL_PARAM_CAPS1, &caps1);
	get_param(fd, MBNACCEL_PARAM_CAPS3, &caps3);
	int ibank = (caps3 & CAPS3_IBANK) != 0, fuse = (caps3 & CAPS3_FUSE) != 0;
	uint64_t half = (uint64_t)MBN_CAPS1_IBUF_KIB_GET(caps1) * 1024, s = 2 * half;
	/* plain DW: 64 px x 16 ch = 1 KiB rows, one output row (1 KiB fits OBUF) */
	const uint32_t c = 16, iw = 64;
	uint64_t row = (uint64_t)iw * c;
	uint64_t fit = ibank ? 3 * s / row - 2 : s / row;
	/* fused DW: one pixel wide, 64 ch, output = input geometry: with IBANK the input
	 * ((R + 2) * fc) and the output ((R * 1 + 2) * fc) reach the bound together */
	const uint32_t fc = 64;
	uint64_t ffit = ibank ? 3 * half / fc - 2 : half / fc;
	const char *rule = ibank ? "IBANK: in + 2 rows <= 3 x" : "no IBANK: in <=";

	if (!half || fit + 1 > 0xffff || ffit + 1 > 0xffff) {
		fail("ibuf-capacity", "CAPS1 0x%" PRIx64 ": no 16-bit row count reaches the bound",
		     caps1);
		return;
	}
	sz[0] = (fit + 1) * row > (ffit + 1) * fc ? (fit + 1) * row : (ffit + 1) * fc;
	sz[1] = 9ull * fc;
	sz[2] = 16ull * fc;
	sz[3] = row;
	for (int i = 0; i < 4; i++)
		if (bo_create(fd, sz[i], &h[i], &real[i])) {
			fail("ibuf-capacity", "BO %d of %" PRIu64 " bytes: %s", i, sz[i], strerror(errno));
			goto out;
		}

	/* every bound sized so the input BO is big enough: EINVAL only from capacity */
	cap_dw_desc(d, (uint32_t)fit, iw, c, 1, iw, 0);
	snprintf(what, sizeof(what), "%" PRIu64 " rows x %" PRIu64 " B, %s %" PRIu64 " B", fit, row,
		 rule, s);
	cap_expect_done(fd, "desc-ibuf-bound-dw", d, h, what);
	cap_dw_desc(d, (uint32_t)fit + 1, iw, c, 1, iw, 0);
	EXPECT_ERR("desc-ibuf-bound-dw-plus-1-row", submit(fd, d, 1, h, 4, 0, 0, 0, NULL), EINVAL);

	if (!fuse) {
		printf("INFO no CAPS3 FUSE: fused DW capacity not tested\n");
		goto out;
	}
	cap_dw_desc(d, (uint32_t)ffit, 1, fc, (uint32_t)ffit, 1, 1);
	snprintf(what, sizeof(what), "%" PRIu64 " x 1 px x %u ch in and out, %s %" PRIu64 " B",
		 ffit, fc, rule, half);
	cap_expect_done(fd, "desc-ibuf-bound-fused", d, h, what);
	cap_dw_desc(d, (uint32_t)ffit + 1, 1, fc, (uint32_t)ffit, 1, 1);
	EXPECT_ERR("desc-ibuf-bound-fused-input-plus-1-row", submit(fd, d, 1, h, 4, 0, 0, 0, NULL),
		   EINVAL);
	cap_dw_desc(d, (uint32_t)ffit, 1, fc, (uint32_t)ffit + 1, 1, 1);
	EXPECT_ERR("desc-ibuf-bound-fused-output-plus-1-px", submit(fd, d, 1, h, 4, 0, 0, 0, NULL),
		   EINVAL);
out:
	for (int i = 0; i < 4; i++)
		if (h[i])
			gem_close(fd, h[i]);
}

static void basic(int fd)
{
	test_params(fd);
	test_bo(fd);
	pw_run(fd, "pw-job", 4, 4, 16, g_lanes, 1, 1, 0);
	pw_run(fd, "pw-job-2groups-2cols", 4, 4, 32, 2 * g_lanes, 1, 2, 0);
	dw_run(fd, "dw-job-stride1", 6, 6, 32, 1, 3);
	dw_run(fd, "dw-job-stride2", 7, 5, 48, 2, 4);
	test_bad_submit(fd);
	test_ibuf_capacity(fd);
	test_no_validate(fd, 0);
	test_syncobj(fd);
	test_in_fences(fd);
	test_implicit(fd);
	test_wait_timeout(fd);
}

/* ---- --fuzz N */

static void fuzz(int fd, long n)
{
	uint8_t buf[256], descbuf[4][64];
	uint32_t handles[8];
	uint64_t ids[16] = { 0 };
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 3);
	long counts[4] = { 0 };
	if (!j)
		return;
	rng_state = 0xC0FFEE ^ (uint32_t)getpid();
	for (long it = 0; it < n; it++) {
		for (unsigned i = 0; i < sizeof(buf); i++)
			buf[i] = rnd();
		uint32_t nr, kind = rnd() % 8;
		unsigned size = rnd() % 97;
		/* mostly our own ioctls (DRM_COMMAND_BASE + 0..0x10), some core ones 0..0x10 */
		nr = kind == 0 ? rnd() % 0x11 : DRM_COMMAND_BASE + rnd() % 0x11;
		unsigned dir = rnd() % 4;
		/* half the time: plausible fields, so the deeper paths run */
		if (rnd() % 2) {
			for (int i = 0; i < 8; i++)
				handles[i] = rnd() % 3 ? j->h[rnd() % 4] : rnd() % 16;
			for (int k = 0; k < 4; k++) {
				pw_desc(j, (uint32_t *)descbuf[k]);
				int flips = rnd() % 3;
				for (int f = 0; f < flips; f++)
					((uint32_t *)descbuf[k])[rnd() % 16] ^= 1u << (rnd() % 32);
			}
			switch (nr - DRM_COMMAND_BASE) {
			case DRM_MBNACCEL_GET_PARAM:
				((uint32_t *)buf)[0] = rnd() % 12;
				((uint32_t *)buf)[1] = rnd() % 8 == 0;
				size = 16, dir = 3;
				break;
			case DRM_MBNACCEL_BO_CREATE: {
				uint64_t sz = rnd() % 16 == 0 ? ((uint64_t)rnd() << 32 | rnd()) : rnd() % (256 * 1024);
				memcpy(buf, &sz, 8);
				((uint32_t *)buf)[2] = rnd() % 8 == 0;
				size = 16, dir = 3;
				break;
			}
			case DRM_MBNACCEL_BO_MMAP_OFFSET:
				((uint32_t *)buf)[0] = handles[0];
				((uint32_t *)buf)[1] = rnd() % 8 == 0;
				size = 16, dir = 3;
				break;
			case DRM_MBNACCEL_SUBMIT: {
				struct drm_mbnaccel_submit *s = (void *)buf;
				s->descs = rnd() % 16 ? (uintptr_t)descbuf : rnd();
				s->bo_handles = rnd() % 16 ? (uintptr_t)(rnd() % 2 ? j->h : handles) : rnd();
				s->desc_count = rnd() % 16 ? 1 + rnd() % 4 : rnd();
				s->bo_count = rnd() % 16 ? 1 + rnd() % 7 : rnd() % 9;
				s->flags = rnd() % 8 == 0 ? rnd() % 4 : 0;
				s->out_syncobj = rnd() % 8 == 0 ? rnd() % 4 : 0;
				s->timeout_ms = rnd() % 4 ? 0 : rnd() % 3000;
				s->reserved = rnd() % 16 == 0;
				size = sizeof(*s), dir = 3;
				break;
			}
			case DRM_MBNACCEL_WAIT: {
				struct drm_mbnaccel_wait *w = (void *)buf;
				w->job_id = rnd() % 4 ? ids[rnd() % 16] : rnd() % 64;
				w->timeout_ns = rnd() % 4 ? now_ns() + rnd() % 50000000 : rnd();
				w->flags = rnd() % 8 == 0;
				size = sizeof(*w), dir = 3;
				break;
			}
			}
		}
		/* keep BO handles alive mostly: GEM_CLOSE only hits our own BOs rarely */
		if (nr == 0x09 && rnd() % 8)
			((uint32_t *)buf)[0] = 1000 + rnd() % 1000;
		unsigned long req = _IOC(dir, DRM_IOCTL_BASE, nr, size);
		int r = ioctl(fd, req, buf);
		counts[r == 0 ? 0 : errno == EINVAL ? 1 : errno == ENOENT ? 2 : 3]++;
		if (r == 0 && nr == DRM_COMMAND_BASE + DRM_MBNACCEL_SUBMIT && size >= sizeof(struct drm_mbnaccel_submit))
			ids[rnd() % 16] = ((struct drm_mbnaccel_submit *)buf)->job_id;
		if (r == 0 && nr == DRM_COMMAND_BASE + DRM_MBNACCEL_BO_CREATE && rnd() % 2)
			gem_close(fd, ((struct drm_mbnaccel_bo_create *)buf)->handle);
	}
	pass("fuzz %ld ioctls done (ok %ld, EINVAL %ld, ENOENT %ld, other %ld)", n, counts[0],
	     counts[1], counts[2], counts[3]);
	pw_free(j);
	/* a fresh file and the same file must both still run jobs correctly */
	pw_run(fd, "fuzz-after-same-file", 4, 4, 32, 2 * g_lanes, 1, 21, 0);
	int fd2 = open_dev();
	if (fd2 >= 0) {
		pw_run(fd2, "fuzz-after-new-file", 4, 4, 32, 2 * g_lanes, 1, 22, 0);
		close(fd2);
	}
}

/* ---- --hang: the bridge hangs the first START until CTRL.RESET */

static void hang(int fd)
{
	uint64_t resets0 = 0, resets1 = 0, id;
	struct drm_mbnaccel_wait w;
	get_param(fd, MBNACCEL_PARAM_RESETS, &resets0);
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 31);
	if (!j)
		return;
	/* hang.sh loads the module with max_job_timeout_ms=3000: the job asks for the
	 * uapi's maximum (600 s) and must still time out after the cap (issue 13 item 3) */
	const uint32_t tmo = 3000;
	uint64_t t0 = now_ns();
	int r = pw_submit(j, 600000, &id);
	if (!r)
		r = wait_job(fd, id, tmo + 30000, &w);
	double el = (now_ns() - t0) / 1e9;
	get_param(fd, MBNACCEL_PARAM_RESETS, &resets1);
	if (r)
		fail("hang-timeout", "submit/wait: %s after %.1f s", strerror(-r), el);
	else if (w.status == MBNACCEL_JOB_TIMEOUT && el >= tmo / 1000.0 - 0.1 && el < tmo / 1000.0 + 10 &&
		 resets1 == resets0 + 1)
		pass("hang-timeout (status TIMEOUT after %.1f s, timeout_ms %u, one reset)", el, tmo);
	else
		fail("hang-timeout", "status %u after %.1f s (resets %" PRIu64 " -> %" PRIu64 ")", w.status, el,
		     resets0, resets1);
	pw_free(j);
	pw_run(fd, "hang-next-job", 4, 4, 32, 2 * g_lanes, 1, 32, 0);
}

/* ---- --wedge: the bridge runs with --hang-job 1 --stuck-reset 2 (issue 13 item 1): the
 * first job hangs and the driver's reset after its timeout is lost, so the engine stays
 * busy. The device must be wedged (GET_PARAM WEDGED), keep the job's memory, refuse a
 * SUBMIT with EIO while its retried reset is lost too, and recover on the next SUBMIT
 * whose reset works, with that job correct. */

static void wedge(int fd)
{
	uint64_t v = 0, id;
	struct drm_mbnaccel_wait w = { 0 };
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 41);
	if (!j)
		return;
	int r = pw_submit(j, 3000, &id);
	if (!r)
		r = wait_job(fd, id, 60000, &w);
	if (!r && w.status == MBNACCEL_JOB_TIMEOUT)
		pass("wedge-timeout (the hung job fails with TIMEOUT)");
	else
		fail("wedge-timeout", "r=%d status %u", r, w.status);
	if (!get_param(fd, MBNACCEL_PARAM_WEDGED, &v) && v == 1)
		pass("wedge-param (GET_PARAM WEDGED = 1 after a reset that left the engine busy)");
	else
		fail("wedge-param", "GET_PARAM WEDGED: %" PRIu64 " (want 1)", v);
	uint64_t id2;
	EXPECT_ERR("wedge-submit-refused", pw_submit(j, 3000, &id2), EIO);
	pw_free(j);
	/* the third reset reaches the engine: this SUBMIT recovers the device and runs */
	pw_run(fd, "wedge-recovered-job", 4, 4, 32, 2 * g_lanes, 1, 42, 0);
	v = 1;
	if (!get_param(fd, MBNACCEL_PARAM_WEDGED, &v) && v == 0)
		pass("wedge-recovered (GET_PARAM WEDGED = 0 after a successful reset)");
	else
		fail("wedge-recovered", "GET_PARAM WEDGED: %" PRIu64 " (want 0)", v);
}

/* ---- --probe-wedged: the bridge runs with --hung-at-start --stuck-reset 2 (issue 13 item
 * 7): a stalled job was left on the engine by a previous owner and the driver's reset at
 * probe is lost. The driver must have waited for the engine at probe and come up wedged
 * (GET_PARAM WEDGED 1), refuse a SUBMIT with EIO while its retried reset is lost too, and
 * recover on the next SUBMIT whose reset works. A driver that does not wait at probe
 * reports WEDGED 0 and starts the job on a busy engine. */

static void probe_wedged(int fd)
{
	uint64_t v = 0, resets = 0, id;
	if (!get_param(fd, MBNACCEL_PARAM_WEDGED, &v) && v == 1)
		pass("probe-wedged-param (GET_PARAM WEDGED = 1: the engine stayed busy after the probe's reset)");
	else
		fail("probe-wedged-param", "GET_PARAM WEDGED: %" PRIu64 " (want 1)", v);
	if (!get_param(fd, MBNACCEL_PARAM_RESETS, &resets) && resets >= 1)
		pass("probe-wedged-resets (RESETS = %" PRIu64 ": the probe's reset is counted)", resets);
	else
		fail("probe-wedged-resets", "GET_PARAM RESETS: %" PRIu64 " (want >= 1)", resets);
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 44);
	if (!j)
		return;
	EXPECT_ERR("probe-wedged-submit-refused", pw_submit(j, 3000, &id), EIO);
	pw_free(j);
	/* the bridge's second lost reset was that SUBMIT's; this one reaches the engine */
	pw_run(fd, "probe-wedged-recovered-job", 4, 4, 32, 2 * g_lanes, 1, 45, 0);
	v = 1;
	if (!get_param(fd, MBNACCEL_PARAM_WEDGED, &v) && v == 0)
		pass("probe-wedged-recovered (GET_PARAM WEDGED = 0 after a successful reset)");
	else
		fail("probe-wedged-recovered", "GET_PARAM WEDGED: %" PRIu64 " (want 0)", v);
}

/* ---- --leave-running: submit a job (the bridge runs with --hang-job 1, so it stays on
 * the engine) and exit without waiting; the file's close leaves it running. The guest
 * then powers off: the driver's .shutdown must reset the engine (test-driver.sh checks
 * the bridge's log for the CTRL.RESET). */

static void leave_running(int fd)
{
	uint64_t id;
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 43);
	if (!j)
		return;
	int r = pw_submit(j, 0, &id);
	/* drm_sched puts the job on the engine asynchronously, and closing the file
	 * cancels a job still queued: give the scheduler time to start it */
	if (!r)
		sleep(2);
	if (!r)
		pass("leave-running submitted job %" PRIu64 " (left on the engine)", id);
	else
		fail("leave-running", "submit: %s", strerror(-r));
}

/* ---- --fairness S (issue 13, scheduling): measured in the guest, against the RTL.
 * Share: two processes keep FAIR_DEPTH jobs each in flight for S seconds (the same
 * 4-descriptor job); the jobs each completed within the window, and the engine
 * cycles they got. Delay: one process keeps FAIR_DEPTH long jobs in flight while
 * another submits a short job now and then; the short job's latency minus its time
 * alone is how long it waited for the other process, compared to a long job's time
 * alone. Prints a FAIRNESS line with the figures (driver/README.md quotes them). */

#define FAIR_DEPTH 8

struct fair_result {
	long jobs;
	uint64_t cycles;
};

/* Completion times of a fair_loop's jobs (shared with the parent), so a long job's
 * duration is measured under the same host load as the short job's delay. */
#define FAIR_TIMES 4096
static uint64_t *fair_times;            /* [0] = count, then times in ns */

/* Keep @depth jobs of @j in flight until @end_ns (jobs completed by then counted),
 * then drain. */
static struct fair_result fair_loop(struct pwjob *j, int depth, uint64_t end_ns)
{
	struct fair_result res = { 0, 0 };
	uint64_t ids[FAIR_DEPTH];
	int head = 0, n = 0;
	for (;;) {
		if (now_ns() < end_ns && n < depth) {
			if (pw_submit(j, 0, &ids[(head + n) % FAIR_DEPTH]))
				break;
			n++;
			continue;
		}
		if (!n)
			break;
		struct drm_mbnaccel_wait w;
		int r = wait_job(j->fd, ids[head], 120000, &w);
		uint64_t t = now_ns();
		if (!r && w.status == MBNACCEL_JOB_DONE && t <= end_ns) {
			res.jobs++;
			res.cycles += w.cycles;
			if (fair_times && fair_times[0] < FAIR_TIMES - 1)
				fair_times[1 + fair_times[0]++] = t;
		}
		head = (head + 1) % FAIR_DEPTH;
		n--;
	}
	return res;
}

/* A child that opens its own file, waits for the write end of the pipe @go to close
 * (it closes its own copy), runs fair_loop for @secs and writes its result to @out. */
static pid_t fair_child(const int go[2], int out, uint32_t rows, uint32_t in_c, uint32_t ndesc,
			uint32_t seed, double secs)
{
	pid_t pid = fork();
	if (pid)
		return pid;
	close(go[1]);
	int fd = open_dev();
	struct pwjob *j = pw_new(fd, rows, rows, in_c, 2 * g_lanes, ndesc, seed);
	struct fair_result res = { -1, 0 };
	char c;
	if (j && read(go[0], &c, 1) == 0)
		res = fair_loop(j, FAIR_DEPTH, now_ns() + (uint64_t)(secs * 1e9));
	if (write(out, &res, sizeof(res)) != sizeof(res))
		_exit(1);
	_exit(0);
}

/* Wall time of one job of @j alone on the engine, in s (the best of @n). */
static double job_time_alone(struct pwjob *j, int n)
{
	double best = 1e9;
	for (int i = 0; i < n; i++) {
		struct drm_mbnaccel_wait w;
		uint64_t id, t0 = now_ns();
		if (pw_submit(j, 0, &id) || wait_job(j->fd, id, 120000, &w) || w.status)
			return -1;
		double t = (now_ns() - t0) / 1e9;
		best = t < best ? t : best;
	}
	return best;
}

static void fairness(int fd, double secs)
{
	int go[2], out[2];
	struct fair_result ra, rb;
	if (pipe(go) || pipe(out)) {
		fail("fairness", "pipe: %s", strerror(errno));
		return;
	}
	pid_t a = fair_child(go, out[1], 4, 32, 4, 71, secs);
	pid_t b = fair_child(go, out[1], 4, 32, 4, 72, secs);
	sleep(1);               /* both have their BOs and jobs ready */
	close(go[1]);
	int okr = read(out[0], &ra, sizeof(ra)) == sizeof(ra) && read(out[0], &rb, sizeof(rb)) == sizeof(rb);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	close(go[0]);
	close(out[0]);
	close(out[1]);
	double sa = 0, sb = 0, ca = 0, cb = 0;
	if (okr && ra.jobs > 0 && rb.jobs > 0) {
		sa = 100.0 * ra.jobs / (ra.jobs + rb.jobs), sb = 100 - sa;
		ca = 100.0 * ra.cycles / (ra.cycles + rb.cycles), cb = 100 - ca;
	}
	if (sa >= 40 && sb >= 40)
		pass("fairness-share (%.0f s, %d jobs in flight each: %ld and %ld jobs = %.1f %% / %.1f %% of the jobs, %.1f %% / %.1f %% of the engine cycles)",
		     secs, FAIR_DEPTH, ra.jobs, rb.jobs, sa, sb, ca, cb);
	else
		fail("fairness-share", "%ld and %ld jobs in %.0f s (%.1f %% / %.1f %%): want >= 40 %% each",
		     okr ? ra.jobs : -1, okr ? rb.jobs : -1, secs, sa, sb);

	/* the delay: a long job (64 descriptors) and a short one (1), each alone first */
	struct pwjob *lj = pw_new(fd, 8, 8, 64, 2 * g_lanes, 64, 73);
	struct pwjob *sj = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 74);
	if (!lj || !sj)
		return;
	double tl = job_time_alone(lj, 2), ts = job_time_alone(sj, 3);
	pw_free(lj);
	if (tl <= 0 || ts <= 0) {
		fail("fairness-delay", "a job alone failed");
		pw_free(sj);
		return;
	}
	const int samples = 6;
	double run = 2 + samples * (0.3 + ts) + 4 * tl;
	if (pipe(go) || pipe(out)) {
		fail("fairness", "pipe: %s", strerror(errno));
		return;
	}
	fair_times = mmap(NULL, FAIR_TIMES * 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fair_times == MAP_FAILED) {
		fair_times = NULL;
		fail("fairness", "mmap: %s", strerror(errno));
		return;
	}
	pid_t l = fair_child(go, out[1], 8, 64, 64, 73, run);
	sleep(1);
	close(go[1]);
	usleep(500000 + (useconds_t)(FAIR_DEPTH * tl * 1e6));  /* its queue is full */
	double worst = 0, sum = 0;
	int bad = 0, most_passed = 0;
	for (int i = 0; i < samples; i++) {
		struct drm_mbnaccel_wait w;
		uint64_t id, t0 = now_ns();
		if (pw_submit(sj, 0, &id) || wait_job(fd, id, 120000, &w) || w.status) {
			bad = 1;
			break;
		}
		uint64_t t1 = now_ns();
		double d = (t1 - t0) / 1e9 - ts;
		/* long jobs that completed while it waited: the one running when it was
		 * submitted may, no other. The long process notes a completion when its
		 * WAIT returns, a little late: one noted in the first 20 ms (a long job
		 * takes > 100 ms) completed before the short job was submitted. */
		int passed_by = 0;
		for (uint64_t k = 0; k < fair_times[0]; k++)
			passed_by += fair_times[1 + k] > t0 + 20000000 && fair_times[1 + k] < t1;
		most_passed = passed_by > most_passed ? passed_by : most_passed;
		worst = d > worst ? d : worst;
		sum += d;
		usleep(200000 + (useconds_t)(i * 37 % 100) * 1000);
	}
	struct fair_result rl;
	int okl = read(out[0], &rl, sizeof(rl)) == sizeof(rl);
	waitpid(l, NULL, 0);
	close(go[0]);
	close(out[0]);
	close(out[1]);
	pw_free(sj);
	/* a long job's time under load: the median interval between the long process's
	 * completions (a short job in between adds its few ms to one of them) */
	double tla = tl;
	uint64_t n = fair_times[0];
	if (n >= 3) {
		double *iv = calloc(n, sizeof(*iv));
		for (uint64_t i = 1; i < n; i++)
			iv[i - 1] = (fair_times[i + 1] - fair_times[i]) / 1e9;
		for (uint64_t i = 0; i + 1 < n - 1; i++)       /* sort n-1 intervals */
			for (uint64_t k = i + 1; k < n - 1; k++)
				if (iv[k] < iv[i]) {
					double t = iv[i];
					iv[i] = iv[k], iv[k] = t;
				}
		tla = iv[(n - 1) / 2];
		free(iv);
	}
	munmap(fair_times, FAIR_TIMES * 8);
	fair_times = NULL;
	double tl_alone = tl;
	tl = tla;
	/* at most one long job: counted (host load makes the times vary), the times
	 * reported */
	if (bad || !okl || rl.jobs <= 0)
		fail("fairness-delay", "a job failed (short %d, long process %ld jobs)", bad, okl ? rl.jobs : -1);
	else if (most_passed <= 1)
		pass("fairness-delay (behind another process's %d long jobs in flight a short job waited for at most %d of them; %.3f s at most = %.2f long jobs of %.3f s under load (%.3f s alone), mean %.2f; short job alone %.4f s; %d samples)",
		     FAIR_DEPTH, most_passed, worst, worst / tl, tl, tl_alone, sum / samples / tl, ts, samples);
	else
		fail("fairness-delay", "a short job waited for %d long jobs of another process (up to %.3f s = %.2f long jobs of %.3f s, mean %.2f), want <= 1",
		     most_passed, worst, worst / tl, tl, sum / samples / tl);
	printf("FAIRNESS share %ld %ld %.1f %.1f cycles %.1f %.1f long %.3f short %.4f worst %.3f (%.2f) mean %.2f passed-by %d\n",
	       ra.jobs, rb.jobs, sa, sb, ca, cb, tl, ts, worst, worst / tl, sum / samples / tl, most_passed);
}

/* ---- --unbind: the bridge runs with --hang-job 1, the module was loaded as $MBN_MODULE
 * (issue 13 item 4). A job's fence, exported as a sync_file, must outlive its file and
 * the device: the job stays on the (hung) engine, the file is closed, the PCI device is
 * unbound (which frees the device, since no file holds it). The sync_file then reads
 * signaled with an error, names its driver and timeline, keeps the module loaded
 * (rmmod fails while it is open: its fence ops are in the module) and, once closed,
 * lets rmmod succeed. The module is loaded again and a job is correct. */

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, val, strlen(val));
	int r = n < 0 ? -errno : 0;
	close(fd);
	return r;
}

static void unbind_fence(int fd)
{
	char p[300], real[PATH_MAX], cmd[400];
	const char *node = strrchr(devpath, '/') + 1;
	snprintf(p, sizeof(p), "/sys/class/%s/%s/device", strstr(devpath, "accel") ? "accel" : "drm", node);
	if (!realpath(p, real)) {
		fail("unbind", "no PCI device behind %s: %s", p, strerror(errno));
		return;
	}
	const char *addr = strrchr(real, '/') + 1;
	struct drm_syncobj_create sc = { 0 };
	if (xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		fail("unbind", "SYNCOBJ_CREATE: %s", strerror(errno));
		return;
	}
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 51);
	uint64_t id;
	if (!j)
		return;
	int r = submit(fd, j->desc, 1, j->h, 4, 0, 0, sc.handle, &id);
	struct drm_syncobj_handle sh = {
		.handle = sc.handle, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1,
	};
	if (!r)
		r = xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &sh);
	pw_free(j);
	close(fd);
	if (r) {
		fail("unbind", "SUBMIT / SYNCOBJ_HANDLE_TO_FD: %s", strerror(-r));
		return;
	}
	/* a second file stays open across the unbind, with a BO mapped (issue 13 item 7) */
	int fd2 = open_dev();
	uint32_t h2 = 0;
	uint32_t *map2 = NULL;
	if (fd2 >= 0 && !bo_create(fd2, 4096, &h2, NULL))
		map2 = bo_map(fd2, h2, 4096);
	if (map2) {
		for (int i = 0; i < 1024; i++)
			map2[i] = 0x5eed0000u + i;
	} else {
		fail("unbind-open-file", "a second file with a mapped BO: %s", strerror(errno));
	}
	struct pollfd pf = { .fd = sh.fd, .events = POLLIN };
	if (poll(&pf, 1, 0) == 0)
		pass("unbind-fence-pending (the hung job's sync_file is not signaled)");
	else
		fail("unbind-fence-pending", "the sync_file of a hung job polls readable");
	snprintf(p, sizeof(p), "/sys/bus/pci/drivers/%s/unbind", "mbnaccel");
	if ((r = sysfs_write(p, addr))) {
		fail("unbind", "write %s to %s: %s", addr, p, strerror(-r));
		close(sh.fd);
		return;
	}
	pf.revents = 0;
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { .num_fences = 1, .sync_fence_info = (uintptr_t)&fi };
	if (poll(&pf, 1, 10000) == 1 && (pf.revents & POLLIN))
		pass("unbind-fence-signaled (the sync_file signals when the device goes away)");
	else
		fail("unbind-fence-signaled", "poll: revents 0x%x", pf.revents);
	if ((r = xioctl(sh.fd, SYNC_IOC_FILE_INFO, &info)))
		fail("unbind-fence-info", "SYNC_IOC_FILE_INFO: %s", strerror(-r));
	else if (fi.status < 0 && !strcmp(fi.driver_name, "mbnaccel") &&
		 !strcmp(fi.obj_name, "mbnaccel-job"))
		pass("unbind-fence-info (after unbind: status %d, driver %s, timeline %s)",
		     fi.status, fi.driver_name, fi.obj_name);
	else
		fail("unbind-fence-info", "status %d driver '%s' timeline '%s'", fi.status,
		     fi.driver_name, fi.obj_name);
	if (map2) {
		/* the DRM core refuses every ioctl of an unplugged device (drm_ioctl():
		 * drm_dev_is_unplugged), GEM_CLOSE and WAIT included; the BO's memory stays
		 * until the mapping and the file are gone */
		uint64_t v, id;
		uint32_t h3;
		struct drm_mbnaccel_wait w;
		uint32_t d[16] = { 0 };
		EXPECT_ERR("unbind-after-get-param", get_param(fd2, MBNACCEL_PARAM_ID, &v), ENODEV);
		EXPECT_ERR("unbind-after-bo-create", bo_create(fd2, 4096, &h3, NULL), ENODEV);
		EXPECT_ERR("unbind-after-submit", submit(fd2, d, 1, &h2, 1, 0, 0, 0, &id), ENODEV);
		EXPECT_ERR("unbind-after-wait", wait_job(fd2, 1, 0, &w), ENODEV);
		EXPECT_ERR("unbind-after-gem-close", gem_close(fd2, h2), ENODEV);
		/* drm_dev_unplug() zaps every CPU mapping of the device
		 * (unmap_mapping_range on its anon inode) and the BO's pages were
		 * inserted by dma_mmap_coherent (no fault handler): an access after the
		 * unbind raises SIGBUS instead of reaching freed or stale memory. Read it
		 * in a child, which must die of exactly that. */
		pid_t c = fork();
		if (c == 0) {
			volatile uint32_t x = map2[0];
			(void)x;
			_exit(0);
		}
		int st = 0;
		if (c > 0 && waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS)
			pass("unbind-after-mapping (reading a BO mapped before the unbind: SIGBUS, the DRM core unmapped it)");
		else if (c > 0 && WIFEXITED(st))
			fail("unbind-after-mapping", "a mapping made before the unbind is still readable");
		else
			fail("unbind-after-mapping", "child: fork %d, status 0x%x", (int)c, st);
		munmap(map2, 4096);
	}
	if (fd2 >= 0)
		close(fd2);
	if (system("rmmod mbnaccel 2>/dev/null") != 0)
		pass("unbind-fence-pins-module (rmmod refused while the sync_file is open)");
	else
		fail("unbind-fence-pins-module", "rmmod succeeded with a sync_file of the module open");
	close(sh.fd);
	if (system("rmmod mbnaccel") == 0)
		pass("unbind-rmmod (rmmod once the sync_file is closed)");
	else
		fail("unbind-rmmod", "rmmod failed after the sync_file was closed");
	snprintf(cmd, sizeof(cmd), "insmod %s", getenv("MBN_MODULE") ? getenv("MBN_MODULE") : "mbnaccel.ko");
	if (system(cmd) != 0) {
		fail("unbind-reload", "%s failed", cmd);
		return;
	}
	devpath = NULL;
	fd = open_dev();
	if (fd < 0) {
		fail("unbind-reload", "no device after reload");
		return;
	}
	pw_run(fd, "unbind-reload-job", 4, 4, 32, 2 * g_lanes, 1, 52, 0);
	close(fd);
}

/* ---- --limits: the module loaded with max_pinned_mib=2 max_pinned_mib_per_file=1
 * max_job_timeout_ms=5000 (issue 13 item 3): pinned memory is limited per file
 * (ENOMEM) and device-wide (ENOSPC), freed charges are returned, the default timeout
 * GET_PARAM reports is capped. */

static void limits(void)
{
	const uint64_t mib = 1 << 20;
	uint32_t h1, h2, h3, hs;
	uint64_t v = 0;
	int fd1 = open_dev(), fd2 = open_dev(), fd3 = open_dev();
	if (fd1 < 0 || fd2 < 0 || fd3 < 0) {
		fail("limits", "open: %s", strerror(errno));
		return;
	}
	EXPECT_ERR("limits-file-1mib", bo_create(fd1, mib, &h1, NULL), 0);
	EXPECT_ERR("limits-file-over", bo_create(fd1, 4096, &hs, NULL), ENOMEM);
	EXPECT_ERR("limits-file2-1mib", bo_create(fd2, mib, &h2, NULL), 0);
	EXPECT_ERR("limits-device-over", bo_create(fd3, 4096, &hs, NULL), ENOSPC);
	gem_close(fd2, h2);
	/* a job's descriptor copy counts too: fd1 is at its limit (the device is not) */
	uint32_t d[16] = { 1 };
	EXPECT_ERR("limits-desc-copy-charged", submit(fd1, d, 1, &h1, 1, 0, 0, 0, NULL), ENOMEM);
	EXPECT_ERR("limits-device-freed", bo_create(fd3, mib, &h3, NULL), 0);
	close(fd1);             /* closing the file returns its charge */
	fd1 = open_dev();
	EXPECT_ERR("limits-file-closed-freed", bo_create(fd1, mib - 4096, &h1, NULL), 0);
	if (!get_param(fd1, MBNACCEL_PARAM_JOB_TIMEOUT_MS, &v) && v == 5000)
		pass("limits-default-timeout capped (GET_PARAM JOB_TIMEOUT_MS 5000)");
	else
		fail("limits-default-timeout", "JOB_TIMEOUT_MS %" PRIu64 ", want 5000 (max_job_timeout_ms)", v);
	close(fd1);
	close(fd2);
	close(fd3);
}

/* ---- --kill: a child is killed while its job runs */

static void kill_test(void)
{
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open_dev();
		close(pfd[0]);
		struct pwjob *j = pw_new(fd, 16, 16, 256, 256, 16, 41);
		uint64_t id;
		if (!j || pw_submit(j, 0, &id) || pw_submit(j, 0, &id))   /* running + queued */
			_exit(1);
		if (write(pfd[1], "s", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	char c;
	int ok = read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	usleep(300 * 1000);     /* the job is on the engine now */
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	if (ok && WIFSIGNALED(st))
		pass("kill-child submitted a long job and was killed mid-job");
	else
		fail("kill-child", "child did not get to submit (status 0x%x)", st);
	int fd = open_dev();
	uint64_t t0 = now_ns();
	pw_run(fd, "kill-next-job", 4, 4, 32, 2 * g_lanes, 1, 42, 1) == 0
		? pass("kill-next-job correct (%.1f s, waited for the killed child's running job)",
		       (now_ns() - t0) / 1e9)
		: (void)0;
	uint64_t failed = 0;
	get_param(fd, MBNACCEL_PARAM_JOBS_FAILED, &failed);
	printf("INFO jobs_failed %" PRIu64 " (the killed child's queued job is ABORTED)\n", failed);
	close(fd);
}

/* ---- --procs N: concurrent processes */

static void procs(int n)
{
	pid_t pids[64];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int fd = open_dev();
			int bad = 0;
			for (int k = 0; k < 3; k++) {
				char name[64];
				snprintf(name, sizeof(name), "procs-%d-job-%d", i, k);
				bad |= pw_run(fd, name, 4, 4 + k, 32, 2 * g_lanes, 1 + k, 100 * i + k, 1) != 0;
			}
			close(fd);
			_exit(bad);
		}
	}
	int all = 1;
	for (int i = 0; i < n; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		all &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	if (all)
		pass("procs %d processes x 3 jobs, all correct", n);
	else
		fail("procs", "a process saw a wrong result");
}

int main(int argc, char **argv)
{
	long fuzz_n = -1, nprocs = 0;
	int do_hang = 0, do_kill = 0, do_unsafe = 0, do_limits = 0, do_wedge = 0, do_leave = 0;
	int do_unbind = 0, do_vgem = 0, do_probe_wedged = 0;
	double fair_s = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc)
			devpath = argv[++i];
		else if (!strcmp(argv[i], "--fuzz") && i + 1 < argc)
			fuzz_n = atol(argv[++i]);
		else if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			nprocs = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hang"))
			do_hang = 1;
		else if (!strcmp(argv[i], "--kill"))
			do_kill = 1;
		else if (!strcmp(argv[i], "--unsafe"))
			do_unsafe = 1;
		else if (!strcmp(argv[i], "--limits"))
			do_limits = 1;
		else if (!strcmp(argv[i], "--wedge"))
			do_wedge = 1;
		else if (!strcmp(argv[i], "--probe-wedged"))
			do_probe_wedged = 1;
		else if (!strcmp(argv[i], "--leave-running"))
			do_leave = 1;
		else if (!strcmp(argv[i], "--unbind"))
			do_unbind = 1;
		else if (!strcmp(argv[i], "--in-fence-vgem"))
			do_vgem = 1;
		else if (!strcmp(argv[i], "--fairness") && i + 1 < argc)
			fair_s = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [-d DEV] [--fuzz N | --hang | --kill | --limits | --procs N | --unsafe | --wedge | --probe-wedged | --leave-running | --unbind | --in-fence-vgem | --fairness S]\n", argv[0]);
			return 2;
		}
	}
	int fd = open_dev();
	if (fd < 0) {
		fail("open", "no mbnaccel device node in /dev/accel or /dev/dri: %s", strerror(errno));
		return 1;
	}
	uint64_t caps0 = 0;
	get_param(fd, MBNACCEL_PARAM_CAPS0, &caps0);
	g_lanes = (uint32_t)(caps0 >> 24) ? (uint32_t)(caps0 >> 24) : 16;

	if (fuzz_n >= 0)
		fuzz(fd, fuzz_n);
	else if (do_hang)
		hang(fd);
	else if (do_kill)
		kill_test();
	else if (nprocs > 0)
		procs((int)nprocs);
	else if (do_unsafe)
		test_no_validate(fd, 1);
	else if (do_limits)
		limits();
	else if (do_wedge)
		wedge(fd);
	else if (do_probe_wedged)
		probe_wedged(fd);
	else if (do_leave)
		leave_running(fd);
	else if (do_unbind)
		unbind_fence(fd);       /* closes fd */
	else if (do_vgem)
		in_fence_vgem(fd);
	else if (fair_s > 0)
		fairness(fd, fair_s);
	else
		basic(fd);
	if (!do_unbind)
		close(fd);
	printf("%s: %d failure(s)\n", fails ? "FAILED" : "ALL PASSED", fails);
	return fails ? 1 : 0;
}
