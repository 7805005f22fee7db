/*
 * drmtest_lib.c - the plumbing every mbn-drmtest file uses: PASS/FAIL lines, the
 * repeatable random numbers, and raw ioctl() wrappers on the uapi header (no libdrm):
 * GET_PARAM, BO create/map/close, SUBMIT, WAIT, and finding the device node.
 */
#include "drmtest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int fails;
const char *devpath;
uint32_t g_lanes = 16;
uint32_t rng_state = 12345;

void pass(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("PASS ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

void fail(const char *name, const char *fmt, ...)
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

uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- ioctl helpers: 0 or -errno */

int xioctl(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? -errno : 0;
}

int get_param(int fd, uint32_t p, uint64_t *v)
{
	struct drm_mbnaccel_get_param a = { .param = p };
	int r = xioctl(fd, DRM_IOCTL_MBNACCEL_GET_PARAM, &a);
	if (!r && v)
		*v = a.value;
	return r;
}

int bo_create(int fd, uint64_t size, uint32_t *handle, uint64_t *real)
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

void *bo_map(int fd, uint32_t handle, size_t size)
{
	struct drm_mbnaccel_bo_mmap_offset a = { .handle = handle };
	if (xioctl(fd, DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET, &a))
		return NULL;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.offset);
	return p == MAP_FAILED ? NULL : p;
}

int gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close a = { .handle = handle };
	return xioctl(fd, DRM_IOCTL_GEM_CLOSE, &a);
}

int submit(int fd, const void *descs, uint32_t n, const uint32_t *handles, uint32_t nbo,
	   uint32_t flags, uint32_t timeout_ms, uint32_t syncobj, uint64_t *id)
{
	struct drm_mbnaccel_submit a = {
		.descs = (uintptr_t)descs,
		.bo_handles = (uintptr_t)handles,
		.desc_count = n,
		.bo_count = nbo,
		.flags = flags,
		.out_syncobj = syncobj,
		.timeout_ms = timeout_ms,
	};
	int r = xioctl(fd, DRM_IOCTL_MBNACCEL_SUBMIT, &a);
	if (!r && id)
		*id = a.job_id;
	return r;
}

int wait_job(int fd, uint64_t id, uint64_t ms, struct drm_mbnaccel_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->job_id = id;
	w->timeout_ns = now_ns() + ms * 1000000ull;
	return xioctl(fd, DRM_IOCTL_MBNACCEL_WAIT, w);
}

int open_dev(void)
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
