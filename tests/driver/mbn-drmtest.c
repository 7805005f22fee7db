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
 *
 * This file: the arguments, the basic suite and the mode dispatch. The tests are in
 * drmtest_*.c by concern, their shared helpers in drmtest.h (which lists the files).
 * Build: make drmtest -> build/bin/mbn-drmtest (static; driver/driver.mk), or
 * cc -static -O2 -I driver/uapi/drm -I build/gen -I hw/model -I /usr/include/libdrm
 *    tests/driver/mbn-drmtest.c tests/driver/drmtest_*.c
 */
#include "drmtest.h"

#include <stdlib.h>
#include <unistd.h>

/* ---- the basic suite (no option) */

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
	g_lanes = MBN_CAPS0_LANES_GET(caps0) ? MBN_CAPS0_LANES_GET(caps0) : 16;

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
		unbind_fence(fd); /* closes fd */
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
