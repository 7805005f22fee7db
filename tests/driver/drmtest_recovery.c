/*
 * drmtest_recovery.c - the device after things go wrong, each with the bridge set up
 * to make it happen (tests/driver/test-driver.sh): a hung job times out and the engine
 * is reset (--hang); a lost reset wedges the device until one works (--wedge), or the
 * engine is busy already at probe (--probe-wedged); a job left on the engine at exit
 * and poweroff (--leave-running); a job's fence, a file and a mapping across the PCI
 * unbind, rmmod and reload (--unbind).
 */
#include "drmtest.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sync_file.h>

/* ---- --hang: the bridge hangs the first START until CTRL.RESET */

void hang(int fd)
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

/* The wedged device, as --wedge and --probe-wedged find it: GET_PARAM WEDGED is 1
 * ("NAME-param (GET_PARAM WEDGED = 1WHY)"), a SUBMIT is refused with EIO while its
 * retried reset is lost too ("NAME-submit-refused"; the job j, or if j is NULL a new one
 * of seed refused_seed; freed), and the next SUBMIT, whose reset reaches the engine,
 * recovers the device: its job is correct ("NAME-recovered-job", seed recovered_seed)
 * and WEDGED is 0 again ("NAME-recovered"). */
static void expect_wedged(int fd, const char *name, const char *why, struct pwjob *j,
			  uint32_t refused_seed, uint32_t recovered_seed)
{
	char n[64];
	uint64_t v = 0, id;
	snprintf(n, sizeof(n), "%s-param", name);
	if (!get_param(fd, MBNACCEL_PARAM_WEDGED, &v) && v == 1)
		pass("%s (GET_PARAM WEDGED = 1%s)", n, why);
	else
		fail(n, "GET_PARAM WEDGED: %" PRIu64 " (want 1)", v);
	if (!j && !(j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, refused_seed)))
		return;
	snprintf(n, sizeof(n), "%s-submit-refused", name);
	EXPECT_ERR(n, pw_submit(j, 3000, &id), EIO);
	pw_free(j);
	/* the bridge's lost resets are used up: this SUBMIT's reaches the engine */
	snprintf(n, sizeof(n), "%s-recovered-job", name);
	pw_run(fd, n, 4, 4, 32, 2 * g_lanes, 1, recovered_seed, 0);
	snprintf(n, sizeof(n), "%s-recovered", name);
	v = 1;
	if (!get_param(fd, MBNACCEL_PARAM_WEDGED, &v) && v == 0)
		pass("%s (GET_PARAM WEDGED = 0 after a successful reset)", n);
	else
		fail(n, "GET_PARAM WEDGED: %" PRIu64 " (want 0)", v);
}

/* ---- --wedge: the bridge runs with --hang-job 1 --stuck-reset 2 (issue 13 item 1): the
 * first job hangs and the driver's reset after its timeout is lost, so the engine stays
 * busy. The device must be wedged (GET_PARAM WEDGED), keep the job's memory, refuse a
 * SUBMIT with EIO while its retried reset is lost too, and recover on the next SUBMIT,
 * whose reset (the third) works, with that job correct. */

void wedge(int fd)
{
	uint64_t id;
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
	/* the refused SUBMIT is the hung job's again: its BOs are still the job's */
	expect_wedged(fd, "wedge", " after a reset that left the engine busy", j, 0, 42);
}

/* ---- --probe-wedged: the bridge runs with --hung-at-start --stuck-reset 2 (issue 13 item
 * 7): a stalled job was left on the engine by a previous owner and the driver's reset at
 * probe is lost. The driver must have waited for the engine at probe and come up wedged
 * (GET_PARAM WEDGED 1), refuse a SUBMIT with EIO while its retried reset is lost too, and
 * recover on the next SUBMIT whose reset works. A driver that does not wait at probe
 * reports WEDGED 0 and starts the job on a busy engine. */

void probe_wedged(int fd)
{
	uint64_t resets = 0;
	/* read before the SUBMITs, whose resets count too */
	if (!get_param(fd, MBNACCEL_PARAM_RESETS, &resets) && resets >= 1)
		pass("probe-wedged-resets (RESETS = %" PRIu64 ": the probe's reset is counted)", resets);
	else
		fail("probe-wedged-resets", "GET_PARAM RESETS: %" PRIu64 " (want >= 1)", resets);
	expect_wedged(fd, "probe-wedged", ": the engine stayed busy after the probe's reset", NULL, 44, 45);
}

/* ---- --leave-running: submit a job (the bridge runs with --hang-job 1, so it stays on
 * the engine) and exit without waiting; the file's close leaves it running. The guest
 * then powers off: the driver's .shutdown must reset the engine (test-driver.sh checks
 * the bridge's log for the CTRL.RESET). */

void leave_running(int fd)
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

void unbind_fence(int fd)
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
		.handle = sc.handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
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
		uint64_t v;
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
