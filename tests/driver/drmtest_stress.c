/*
 * drmtest_stress.c - the driver under abuse: random ioctls, then the device must still
 * compute right (--fuzz N); a process killed mid-job (--kill); processes running jobs
 * at once (--procs N); pinned-memory limits and the timeout cap (--limits, with the
 * module's max_pinned_mib* and max_job_timeout_ms parameters).
 */
#include "drmtest.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- --fuzz N */

void fuzz(int fd, long n)
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
		counts[r == 0 ? 0 : (errno == EINVAL ? 1 : (errno == ENOENT ? 2 : 3))]++;
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

/* ---- --limits: the module loaded with max_pinned_mib=2 max_pinned_mib_per_file=1
 * max_job_timeout_ms=5000 (issue 13 item 3): pinned memory is limited per file
 * (ENOMEM) and device-wide (ENOSPC), freed charges are returned, the default timeout
 * GET_PARAM reports is capped. */

void limits(void)
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
	const struct mbn_desc m = { .op = MBN_OP_PW };
	uint32_t d[16];
	mbn_desc_pack(&m, d);
	EXPECT_ERR("limits-desc-copy-charged", submit(fd1, d, 1, &h1, 1, 0, 0, 0, NULL), ENOMEM);
	EXPECT_ERR("limits-device-freed", bo_create(fd3, mib, &h3, NULL), 0);
	close(fd1); /* closing the file returns its charge */
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

void kill_test(void)
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
		if (!j || pw_submit(j, 0, &id) || pw_submit(j, 0, &id)) /* running + queued */
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
	usleep(300 * 1000); /* the job is on the engine now */
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

void procs(int n)
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
