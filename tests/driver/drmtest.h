/*
 * drmtest.h - what the files of mbn-drmtest share: the PASS/FAIL reporting and
 * EXPECT_ERR, the raw ioctl wrappers and BO helpers (drmtest_lib.c), the PW job builder
 * and the hand-built jobs checked against the requantizer (drmtest_job.c), and the
 * tests each file runs for mbn-drmtest.c's modes.
 *
 * The files: mbn-drmtest.c (arguments, the basic suite, the mode dispatch),
 * drmtest_lib.c, drmtest_job.c, drmtest_ioctl.c (parameters, BOs, ioctl arguments),
 * drmtest_desc.c (descriptor validation and reuse, IBUF capacity, NO_VALIDATE),
 * drmtest_sched.c (syncobjs, in-fences, implicit sync, fairness), drmtest_stress.c
 * (fuzz, kill, procs, limits), drmtest_recovery.c (hang, wedge, probe-wedged,
 * leave-running, unbind).
 */
#ifndef MBN_DRMTEST_H
#define MBN_DRMTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drm.h"
#include "mbn_regs.h" /* the contract: register fields, struct mbn_desc, pack */
#include "mbnaccel_drm.h"

#define ID_VALUE MBN_ID_VALUE
#define CAPS3_FUSE MBN_CAPS3_FUSE /* docs/hw.md: the DW descriptor bit fuse (d0[10]) */
#define CAPS3_IBANK MBN_CAPS3_IBANK /* docs/hw.md "IBUF row banks": the banked capacity rule */
#define CAPS3_CHAIN MBN_CAPS3_CHAIN /* docs/hw.md "Chaining": fuse on a PW, chained on a DW */

/* ---- reporting (drmtest_lib.c): "PASS name ..." / "FAIL name: why" */

extern int fails; /* FAIL lines printed */
extern const char *devpath; /* the device node (-d, or the one open_dev found) */
extern uint32_t g_lanes; /* CAPS0 LANES: the PW output channels per group */
extern uint32_t rng_state; /* rnd()'s state: seeded per job, so jobs are repeatable */

void pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint32_t rnd(void);
uint64_t now_ns(void);

#define EXPECT_ERR(name, expr, err)                                                                   \
	do {                                                                                          \
		int _r = (expr);                                                                      \
		if (_r == -(err))                                                                     \
			pass("%s (%s)", name, strerror(err));                                         \
		else                                                                                  \
			fail(name, "got %s, want %s", _r ? strerror(-_r) : "success", strerror(err)); \
	} while (0)

/* ---- ioctl helpers (drmtest_lib.c): 0 or -errno */

int xioctl(int fd, unsigned long req, void *arg);
int get_param(int fd, uint32_t p, uint64_t *v);
int bo_create(int fd, uint64_t size, uint32_t *handle, uint64_t *real);
void *bo_map(int fd, uint32_t handle, size_t size); /* NULL on failure */
int gem_close(int fd, uint32_t handle);
int submit(int fd, const void *descs, uint32_t n, const uint32_t *handles, uint32_t nbo,
	   uint32_t flags, uint32_t timeout_ms, uint32_t syncobj, uint64_t *id);
/* WAIT with a relative timeout in ms (converted to the absolute deadline). */
int wait_job(int fd, uint64_t id, uint64_t ms, struct drm_mbnaccel_wait *w);
/* The mbnaccel node (devpath, or the first in /dev/accel, /dev/dri whose ID matches). */
int open_dev(void);

/* ---- a PW job (drmtest_job.c): BO0 input, BO1 weights, BO2 qparams, BO3 output */

struct pwjob {
	int fd;
	uint32_t rows, w, in_c, out_c, stride, ndesc, lanes;
	uint8_t in_zp, w_zp, out_zp, act_min, act_max;
	uint32_t h[4];
	uint64_t sz[4];
	uint8_t *p[4];
	uint8_t *win; /* w[oc][ic] unpacked */
	int32_t *bias, *mult, *shift;
	uint32_t desc[][16];
};

/* The job's descriptor, field by field (every one of its ndesc is this), and packed. */
struct mbn_desc pw_fields(const struct pwjob *j);
void pw_desc(const struct pwjob *j, uint32_t *d);
/* Allocate, fill with random data (seeded), pack, build ndesc identical descriptors.
 * Output BO filled with the canary 0xA5. NULL on failure (reported). */
struct pwjob *pw_new(int fd, uint32_t rows, uint32_t w, uint32_t in_c, uint32_t out_c,
		     uint32_t ndesc, uint32_t seed);
int pw_submit(struct pwjob *j, uint32_t timeout_ms, uint64_t *id);
/* Compare the output BO with the reference; gaps between pixels keep the canary. */
int pw_check(const struct pwjob *j, char *why, size_t whylen);
void pw_free(struct pwjob *j);
/* Run a PW job end to end; 0 if the output is right (PASS line unless quiet). */
int pw_run(int fd, const char *name, uint32_t rows, uint32_t w, uint32_t in_c,
	   uint32_t out_c, uint32_t ndesc, uint32_t seed, int quiet);
/* A 3x3 depthwise job, "same" padding, stride 1 or 2, checked the same way. */
void dw_run(int fd, const char *name, uint32_t rows, uint32_t w, uint32_t c,
	    uint32_t stride, uint32_t seed);

/* ---- the tests, by file */

/* drmtest_ioctl.c */
void test_params(int fd);
void test_bo(int fd);
void test_bad_submit(int fd);
void test_wait_timeout(int fd);

/* drmtest_desc.c: on the job test_bad_submit made */
void test_desc_refused(int fd, struct pwjob *j);
void test_desc_reuse(int fd, struct pwjob *j);
void test_desc_chain(int fd, struct pwjob *j);
/* an output extent exactly filling the BO: runs; returns its job id (0 if none) */
uint64_t test_desc_exact_fit(int fd, struct pwjob *j);
void test_ibuf_capacity(int fd);
void test_no_validate(int fd, int must_run);

/* drmtest_sched.c */
void test_syncobj(int fd);
void test_in_fences(int fd);
void test_implicit(int fd);
void in_fence_vgem(int fd);
void fairness(int fd, double secs);

/* drmtest_stress.c */
void fuzz(int fd, long n);
void kill_test(void);
void procs(int n);
void limits(void);

/* drmtest_recovery.c */
void hang(int fd);
void wedge(int fd);
void probe_wedged(int fd);
void leave_running(int fd);
void unbind_fence(int fd); /* closes fd */

#endif
