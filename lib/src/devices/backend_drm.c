/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend_drm.c - the "drm" device: the mbnaccel kernel driver (driver/, uapi in
 * driver/uapi/drm/mbnaccel_drm.h).
 *
 * URI: drm                       the first node whose driver is "mbnaccel":
 *                                /dev/accel/accel* (which libdrm does not list), then
 *                                the render nodes libdrm knows (drmGetDevices2)
 *      drm:/dev/accel/accel0     that node
 *      drm:/dev/dri/renderD128
 *
 * The device layer (accel_dev.h) runs models; this file gives it the driver's
 * primitives. A buffer is a GEM object (BO_CREATE, mmap through BO_MMAP_OFFSET); each
 * ACT buffer (one per request in flight) has a syncobj of its own. A job is a SUBMIT of
 * the descriptor chain (the kernel copies it; the descriptors are also at offset 0 of
 * the CONST image, as the sim backend runs them) binding {CONST, ACT}; the kernel queues
 * jobs and runs them in order. Asynchronous requests export the job's out_syncobj as a
 * sync_file, which api.c polls; finish() then WAITs (the job is complete, so it does not
 * block) for the status and counters.
 *
 * MBN_DEBUG=1 traces every node tried, buffer, SUBMIT and WAIT on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "compiler/accel.h"
#include "devices/accel_dev.h"
#include "devices/backend.h"
#include "mbn_regs.h"
#include "mbnaccel_drm.h"
#include "util.h"

#define DRIVER_NAME "mbnaccel"
/* margin on top of the driver's own job timeout before WAIT gives up */
#define WAIT_MARGIN_MS 5000

struct drm_dev {
	struct accel_dev ad;     /* first: the device layer's view (accel_dev.h) */
	int fd;
	char node[240];
	char driver_version[64];
	uint32_t hw_version;
	uint32_t timeout_ms;     /* the driver's default job timeout */
};

struct drm_act {
	struct accel_act a;      /* first (accel_dev.h) */
	uint32_t syncobj;        /* signalled by the request's job that carries it */
};

static const struct accel_dev_ops drm_ops;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}


/* ---- opening ---------------------------------------------------------------------- */

static int get_param(struct drm_dev *d, uint32_t param, const char *name, uint32_t *val)
{
	struct drm_mbnaccel_get_param gp = { .param = param };

	if (drmIoctl(d->fd, DRM_IOCTL_MBNACCEL_GET_PARAM, &gp)) {
		int e = errno;
		if (e == EINVAL || e == ENOTTY)
			return mbn_set_error(-ENODEV, "%s: the driver does not know GET_PARAM %s (%s): kernel module older than this library?",
					     d->node, name, strerror(e));
		return mbn_set_error(-e, "%s: GET_PARAM %s failed: %s", d->node, name, strerror(e));
	}
	*val = (uint32_t)gp.value;
	MBN_DEBUG("drm %s: %s = 0x%08x\n", d->node, name, *val);
	return 0;
}

/* Open `path` and check that it is an mbnaccel node: 0, or -errno with the reason in
 * `why` (also the error message). */
static int open_node(struct drm_dev *d, const char *path, char *why, size_t len)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	MBN_DEBUG("drm: trying %s\n", path);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(why, len, "%s: no such device node", path);
		else if (e == EACCES || e == EPERM)
			snprintf(why, len, "%s: permission denied (needs read and write access: the node's group, e.g. render, or a udev rule)", path);
		else
			snprintf(why, len, "%s: cannot open: %s", path, strerror(e));
		return -(e == EACCES ? EACCES : e == EPERM ? EPERM : ENODEV);
	}
	drmVersionPtr v = drmGetVersion(fd);
	if (!v) {
		snprintf(why, len, "%s: not a DRM device (DRM_IOCTL_VERSION: %s)", path, strerror(errno));
		close(fd);
		return -ENODEV;
	}
	if (!v->name || strcmp(v->name, DRIVER_NAME)) {
		snprintf(why, len, "%s: driver is '%s', not " DRIVER_NAME, path, v->name ? v->name : "?");
		drmFreeVersion(v);
		close(fd);
		return -ENODEV;
	}
	snprintf(d->driver_version, sizeof(d->driver_version), "%d.%d.%d", v->version_major, v->version_minor,
		 v->version_patchlevel);
	drmFreeVersion(v);
	d->fd = fd;
	snprintf(d->node, sizeof(d->node), "%s", path);
	return 0;
}

/* The node is an mbnaccel one: read what the library needs. */
static int init_dev(struct drm_dev *d)
{
	uint32_t id, c[4];
	uint64_t cap = 0;
	int r;

	if ((r = get_param(d, MBNACCEL_PARAM_ID, "ID", &id)))
		return r;
	if (id != MBN_ID_VALUE)
		return mbn_set_error(-ENODEV, "%s: ID register reads 0x%08x, expected 0x%08x", d->node, id, MBN_ID_VALUE);
	if ((r = get_param(d, MBNACCEL_PARAM_VERSION, "VERSION", &d->hw_version)) ||
	    (r = get_param(d, MBNACCEL_PARAM_CAPS0, "CAPS0", &c[0])) ||
	    (r = get_param(d, MBNACCEL_PARAM_CAPS1, "CAPS1", &c[1])) ||
	    (r = get_param(d, MBNACCEL_PARAM_CAPS2, "CAPS2", &c[2])) ||
	    (r = get_param(d, MBNACCEL_PARAM_CAPS3, "CAPS3", &c[3])) ||
	    (r = get_param(d, MBNACCEL_PARAM_JOB_TIMEOUT_MS, "JOB_TIMEOUT_MS", &d->timeout_ms)))
		return r;
	if ((r = mbn_accel_caps_decode(c, d->node, &d->ad.caps)))
		return r;
	if (drmGetCap(d->fd, DRM_CAP_SYNCOBJ, &cap) || !cap)
		return mbn_set_error(-ENODEV, "%s: the driver has no syncobj support (DRM_CAP_SYNCOBJ): kernel module too old",
				     d->node);
	if (!d->timeout_ms)
		d->timeout_ms = 10000;
	return 0;
}

static void drm_close(struct mbn_device *dev)
{
	struct drm_dev *d = dev->priv;

	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	dev->priv = NULL;
}

/* No path: /dev/accel/accel* first (libdrm does not list accel nodes), then the render
 * nodes of every DRM device libdrm finds. */
static int find_device(struct drm_dev *d)
{
	char tried[1536] = "", why[320];
	size_t used = 0;
	int n_tried = 0;
	glob_t gl;

	if (glob("/dev/accel/accel*", 0, NULL, &gl) == 0) {
		for (size_t i = 0; i < gl.gl_pathc && d->fd < 0; i++) {
			if (open_node(d, gl.gl_pathv[i], why, sizeof(why)) && used < sizeof(tried))
				used += (size_t)snprintf(tried + used, sizeof(tried) - used, "%s%s", n_tried++ ? "; " : "", why);
		}
		globfree(&gl);
	}
	if (d->fd < 0) {
		drmDevicePtr devs[64];
		int n = drmGetDevices2(0, devs, 64);
		for (int i = 0; i < n && d->fd < 0; i++) {
			if (!(devs[i]->available_nodes & (1 << DRM_NODE_RENDER)))
				continue;
			if (open_node(d, devs[i]->nodes[DRM_NODE_RENDER], why, sizeof(why)) && used < sizeof(tried))
				used += (size_t)snprintf(tried + used, sizeof(tried) - used, "%s%s", n_tried++ ? "; " : "", why);
		}
		if (n > 0)
			drmFreeDevices(devs, n);
	}
	if (d->fd >= 0)
		return 0;
	if (!n_tried)
		return mbn_set_error(-ENODEV, "no mbnaccel device found: no /dev/accel/accel* node and no DRM render node "
				     "(is the mbnaccel kernel module loaded?)");
	return mbn_set_error(-ENODEV, "no mbnaccel device found: %s (is the mbnaccel kernel module loaded?)", tried);
}

static int drm_open(struct mbn_device *dev, const char *args)
{
	struct drm_dev *d = calloc(1, sizeof(*d));
	char why[320];
	int r;

	if (!d)
		return mbn_set_error(-ENOMEM, "out of memory");
	d->fd = -1;
	d->ad.ops = &drm_ops;
	d->ad.name = d->node;
	dev->priv = d;
	if (!args[0]) {
		r = find_device(d);
	} else if (args[0] != '/') {
		r = mbn_set_error(-EINVAL, "device option '%s': drm takes a device node path, e.g. drm:/dev/accel/accel0", args);
	} else if ((r = open_node(d, args, why, sizeof(why)))) {
		r = mbn_set_error(r, "%s", why);
	}
	if (!r)
		r = init_dev(d);
	if (r) {
		drm_close(dev);
		return r;
	}
	snprintf(dev->uri, sizeof(dev->uri), "drm:%s", d->node);
	MBN_DEBUG("drm: using %s (driver %s, hw version 0x%08x, job timeout %u ms)\n", d->node, d->driver_version,
		  d->hw_version, d->timeout_ms);
	return 0;
}

/* ---- buffers ---------------------------------------------------------------------- */

static void bo_free(struct drm_dev *d, struct accel_buf *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->id) {
		struct drm_gem_close gc = { .handle = (uint32_t)bo->id };
		drmIoctl(d->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	memset(bo, 0, sizeof(*bo));
}

static int bo_create(struct drm_dev *d, uint64_t size, const char *what, struct accel_buf *bo)
{
	struct drm_mbnaccel_bo_create c = { .size = size };
	struct drm_mbnaccel_bo_mmap_offset mo = { 0 };

	memset(bo, 0, sizeof(*bo));
	if (size > MBNACCEL_MAX_BO_SIZE)
		return mbn_set_error(-EFBIG, "%s: the %s needs %llu bytes, more than a buffer object may hold (%llu)", d->node,
				     what, (unsigned long long)size, (unsigned long long)MBNACCEL_MAX_BO_SIZE);
	if (drmIoctl(d->fd, DRM_IOCTL_MBNACCEL_BO_CREATE, &c))
		return mbn_set_error(-errno, "%s: BO_CREATE of %llu bytes for the %s failed: %s", d->node,
				     (unsigned long long)size, what, strerror(errno));
	bo->id = c.handle;
	bo->size = c.size;
	mo.handle = c.handle;
	if (drmIoctl(d->fd, DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET, &mo)) {
		int e = errno;
		bo_free(d, bo);
		return mbn_set_error(-e, "%s: BO_MMAP_OFFSET of the %s failed: %s", d->node, what, strerror(e));
	}
	void *p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)mo.offset);
	if (p == MAP_FAILED) {
		int e = errno;
		bo_free(d, bo);
		return mbn_set_error(-e, "%s: mmap of the %s (%llu bytes) failed: %s", d->node, what,
				     (unsigned long long)c.size, strerror(e));
	}
	bo->map = p;
	MBN_DEBUG("drm: %s: handle %u, %llu bytes\n", what, (unsigned)bo->id, (unsigned long long)bo->size);
	return 0;
}

static int drm_buf_alloc(struct accel_dev *ad, uint64_t size, const char *what, struct accel_buf *b)
{
	return bo_create((struct drm_dev *)ad, size, what, b);
}

static void drm_buf_free(struct accel_dev *ad, struct accel_buf *b)
{
	bo_free((struct drm_dev *)ad, b);
}

/* An ACT buffer object with the syncobj its request's jobs signal. */
static int drm_act_alloc(struct accel_dev *ad, uint64_t size, struct accel_act **out)
{
	struct drm_dev *d = (struct drm_dev *)ad;
	struct drm_act *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return mbn_set_error(-ENOMEM, "out of memory");
	if ((r = bo_create(d, size, "activation buffer", &a->a.buf))) {
		free(a);
		return r;
	}
	if (drmSyncobjCreate(d->fd, 0, &a->syncobj)) {
		r = mbn_set_error(-errno, "%s: cannot create a syncobj: %s", d->node, strerror(errno));
		bo_free(d, &a->a.buf);
		free(a);
		return r;
	}
	*out = &a->a;
	return 0;
}

static void drm_act_free(struct accel_dev *ad, struct accel_act *aa)
{
	struct drm_dev *d = (struct drm_dev *)ad;
	struct drm_act *a = (struct drm_act *)aa;

	drmSyncobjDestroy(d->fd, a->syncobj);
	bo_free(d, &a->a.buf);
	free(a);
}

/* ---- jobs ------------------------------------------------------------------------- */

/* SUBMIT: the kernel copies and checks the chain and binds the buffer objects to the
 * regions in the order given. */
static int drm_submit(struct accel_dev *ad, const struct accel_job_desc *j, uint64_t *id)
{
	struct drm_dev *d = (struct drm_dev *)ad;
	uint32_t bos[2] = { (uint32_t)j->region[0]->id, (uint32_t)j->region[1]->id };
	uint32_t syncobj = j->signal ? ((struct drm_act *)j->signal)->syncobj : 0;
	struct drm_mbnaccel_submit s = {
		.descs = (uintptr_t)j->descs,
		.bo_handles = (uintptr_t)bos,
		.desc_count = j->count,
		.bo_count = 2,
		.out_syncobj = syncobj,
	};

	if (drmIoctl(d->fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s)) {
		int e = errno;
		return mbn_set_error(-e, "%s: SUBMIT of descriptors %u..%u failed: %s%s", d->node, j->first,
				     j->first + j->count - 1, strerror(e),
				     e == EINVAL ? " (the driver rejected the descriptor chain or its buffers)" : "");
	}
	*id = s.job_id;
	MBN_DEBUG("drm: job %llu: descriptors %u..%u, CONST handle %u, ACT handle %u, syncobj %u\n",
		  (unsigned long long)s.job_id, j->first, j->first + j->count - 1, bos[0], bos[1], syncobj);
	return 0;
}

/* WAIT for one job (absolute deadline): the driver reports its status and counters. */
static int drm_wait(struct accel_dev *ad, uint64_t id, struct accel_job_result *res)
{
	struct drm_dev *d = (struct drm_dev *)ad;
	struct drm_mbnaccel_wait w = {
		.job_id = id,
		.timeout_ns = now_ns() + (uint64_t)(d->timeout_ms + WAIT_MARGIN_MS) * 1000000ull,
	};

	if (drmIoctl(d->fd, DRM_IOCTL_MBNACCEL_WAIT, &w)) {
		int e = errno;
		if (e == ETIMEDOUT)
			return mbn_set_error(-ETIMEDOUT, "%s: job %llu still not complete %u ms after the driver's job timeout",
					     d->node, (unsigned long long)id, WAIT_MARGIN_MS);
		return mbn_set_error(-e, "%s: WAIT for job %llu failed: %s", d->node, (unsigned long long)id, strerror(e));
	}
	MBN_DEBUG("drm: job %llu: status %u, %llu cycles, %u descriptors done\n", (unsigned long long)id, w.status,
		  (unsigned long long)w.cycles, w.desc_done);
	switch (w.status) {
	case MBNACCEL_JOB_DONE:
		res->status = ACCEL_JOB_DONE;
		res->cnt.cycles = w.cycles;
		res->cnt.dma_rd_bytes = w.dma_rd_bytes;
		res->cnt.dma_wr_bytes = w.dma_wr_bytes;
		res->cnt.stall = w.stall;
		res->cnt.mac_active = w.mac_active;
		res->cnt.pw_busy = w.pw_busy;
		res->cnt.dw_busy = w.dw_busy;
		break;
	case MBNACCEL_JOB_FAULT:
		res->status = ACCEL_JOB_FAULT;
		res->fault_code = w.fault_code;
		res->fault_desc = w.fault_desc;
		res->fault_offset = w.fault_offset;
		break;
	case MBNACCEL_JOB_TIMEOUT:
		res->status = ACCEL_JOB_TIMEOUT;
		res->desc_done = w.desc_done;
		snprintf(res->limit, sizeof(res->limit), "the driver's job timeout (%u ms)", d->timeout_ms);
		break;
	case MBNACCEL_JOB_ABORTED:
		res->status = ACCEL_JOB_ABORTED;
		break;
	default:
		res->status = ACCEL_JOB_UNKNOWN;
		res->raw_status = w.status;
		break;
	}
	return 0;
}

/* The request's syncobj as a sync_file, which api.c polls. */
static int drm_signal_fd(struct accel_dev *ad, struct accel_act *a, int *fd)
{
	struct drm_dev *d = (struct drm_dev *)ad;

	if (drmSyncobjExportSyncFile(d->fd, ((struct drm_act *)a)->syncobj, fd))
		return mbn_set_error(-errno, "%s: cannot export the job's syncobj as a sync_file: %s", d->node, strerror(errno));
	return 0;
}

static const struct accel_dev_ops drm_ops = {
	.queued = true, /* the kernel runs a file's jobs in submission order */
	.max_job_descs = MBNACCEL_MAX_DESCS,
	.buf_alloc = drm_buf_alloc,
	.buf_free = drm_buf_free,
	.act_alloc = drm_act_alloc,
	.act_free = drm_act_free,
	.submit = drm_submit,
	.wait = drm_wait,
	.signal_fd = drm_signal_fd,
};

static void drm_describe(struct mbn_device *dev, char *buf, size_t len)
{
	struct drm_dev *d = dev->priv;

	int n = snprintf(buf, len, "mbnaccel %s on %s (hw version 0x%08x): ", d->driver_version, d->node, d->hw_version);
	if (n >= 0 && (size_t)n < len)
		mbn_accel_caps_describe(&d->ad.caps, buf + n, len - (size_t)n);
}

const struct mbn_backend mbn_backend_drm = {
	.scheme = "drm",
	.open = drm_open,
	.close = drm_close,
	.compile = mbn_accel_dev_compile,
	.release = mbn_accel_dev_release,
	.run = mbn_accel_dev_run,
	.submit = mbn_accel_dev_submit,
	.finish = mbn_accel_dev_finish,
	.layer_on_accel = mbn_accel_dev_layer_on_accel,
	.layer_cpu_reason = mbn_accel_dev_layer_cpu_reason,
	.describe = drm_describe,
};
