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
 * A model is one CONST buffer object (region 0: descriptors, weights, quantization
 * entries; written once at compile) and one ACT buffer object (region 1) per request in
 * flight, taken from a per-model pool, each with its own syncobj. A job is a SUBMIT of
 * the descriptor chain (the kernel copies it; the descriptors are also at offset 0 of
 * the CONST image, as the sim backend runs them) binding {CONST, ACT}. Asynchronous
 * requests export the job's out_syncobj as a sync_file, which api.c polls; finish()
 * then WAITs (the job is complete, so it does not block) for the status and counters,
 * reads the output and runs the CPU tail. With per-layer profiling every accelerator
 * layer is a job of its own (jobs run in submission order; the last one carries the
 * syncobj) and each job's counters are read.
 *
 * MBN_DEBUG=1 traces every node tried, buffer, SUBMIT and WAIT on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "compiler/accel.h"
#include "devices/backend.h"
#include "mbn_regs.h"
#include "mbnaccel_drm.h"
#include "util.h"

#define DRIVER_NAME "mbnaccel"
/* margin on top of the driver's own job timeout before WAIT gives up */
#define WAIT_MARGIN_MS 5000

struct drm_dev {
	int fd;
	char node[240];
	char driver_version[64];
	uint32_t hw_version;
	uint32_t timeout_ms;     /* the driver's default job timeout */
	struct accel_caps caps;
};

struct drm_bo {
	uint32_t handle;
	uint64_t size;
	uint8_t *map;
};

struct drm_act {
	struct drm_bo bo;
	uint32_t syncobj;
	struct drm_act *next;
};

struct drm_plan {
	const struct mbn_graph *g;
	struct accel_host h;        /* plan + CPU-tail buffers (accel.h) */
	struct drm_bo cbo;          /* CONST region */
	struct drm_act *free_acts;  /* ACT buffers not in use */
};

struct drm_job {
	struct drm_act *act;
	int cap;                    /* room in ids: jobs of one segment at most */
	int n_ids;
	int *layer;                 /* [cap]: the layer of each job when profiling */
	uint64_t ids[];             /* the kernel jobs of the segment in flight: one, or one
				     * per layer with descriptors when profiling */
};

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
	if ((r = mbn_accel_caps_decode(c, d->node, &d->caps)))
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

static void bo_free(struct drm_dev *d, struct drm_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle) {
		struct drm_gem_close gc = { .handle = bo->handle };
		drmIoctl(d->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	memset(bo, 0, sizeof(*bo));
}

static int bo_create(struct drm_dev *d, uint64_t size, const char *what, struct drm_bo *bo)
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
	bo->handle = c.handle;
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
	MBN_DEBUG("drm: %s: handle %u, %llu bytes\n", what, bo->handle, (unsigned long long)bo->size);
	return 0;
}

static int get_act(struct drm_dev *d, struct drm_plan *p, struct drm_act **out)
{
	struct drm_act *a = p->free_acts;
	int r;

	if (a) {
		p->free_acts = a->next;
		*out = a;
		return 0;
	}
	if (!(a = calloc(1, sizeof(*a))))
		return mbn_set_error(-ENOMEM, "out of memory");
	if ((r = bo_create(d, p->h.ap.act_size, "activation buffer", &a->bo))) {
		free(a);
		return r;
	}
	if (drmSyncobjCreate(d->fd, 0, &a->syncobj)) {
		r = mbn_set_error(-errno, "%s: cannot create a syncobj: %s", d->node, strerror(errno));
		bo_free(d, &a->bo);
		free(a);
		return r;
	}
	*out = a;
	return 0;
}

static void put_act(struct drm_plan *p, struct drm_act *a)
{
	a->next = p->free_acts;
	p->free_acts = a;
}

/* ---- models ----------------------------------------------------------------------- */

static void drm_release(struct mbn_device *dev, void *plan)
{
	struct drm_dev *d = dev->priv;
	struct drm_plan *p = plan;

	while (p->free_acts) {
		struct drm_act *a = p->free_acts;
		p->free_acts = a->next;
		drmSyncobjDestroy(d->fd, a->syncobj);
		bo_free(d, &a->bo);
		free(a);
	}
	bo_free(d, &p->cbo);
	mbn_accel_host_free(&p->h);
	free(p);
}

static int drm_compile(struct mbn_device *dev, const struct mbn_graph *g, void **plan)
{
	struct drm_dev *d = dev->priv;
	struct drm_plan *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return mbn_set_error(-ENOMEM, "out of memory");
	p->g = g;
	if ((r = mbn_accel_host_init(&p->h, g, &d->caps))) {
		free(p);
		return r;
	}
	for (int k = 0; k < p->h.ap.n_seg; k++)
		if (p->h.ap.seg[k].n_desc > MBNACCEL_MAX_DESCS) {
			drm_release(dev, p);
			return mbn_set_error(-ENOTSUP, "the model needs %u descriptors in one job, the driver takes at most %u",
					     p->h.ap.seg[k].n_desc, MBNACCEL_MAX_DESCS);
		}
	if (p->h.ap.n_seg) {
		if ((r = bo_create(d, p->h.ap.const_size, "constant buffer (descriptors, weights)", &p->cbo))) {
			drm_release(dev, p);
			return r;
		}
		memcpy(p->cbo.map, p->h.ap.const_img, p->h.ap.const_size);
		/* one activation buffer now, so that a model that does not fit fails here */
		struct drm_act *a;
		if ((r = get_act(d, p, &a))) {
			drm_release(dev, p);
			return r;
		}
		put_act(p, a);
	}
	*plan = p;
	return 0;
}

/* ---- jobs ------------------------------------------------------------------------- */

static int submit_chain(struct drm_dev *d, struct drm_plan *p, struct drm_act *a, uint32_t first, uint32_t count,
			uint32_t syncobj, uint64_t *id)
{
	uint32_t bos[2] = { p->cbo.handle, a->bo.handle };
	struct drm_mbnaccel_submit s = {
		.descs = (uintptr_t)(p->h.ap.const_img + (size_t)first * MBNACCEL_DESC_BYTES),
		.bo_handles = (uintptr_t)bos,
		.desc_count = count,
		.bo_count = 2,
		.out_syncobj = syncobj,
	};

	if (drmIoctl(d->fd, DRM_IOCTL_MBNACCEL_SUBMIT, &s)) {
		int e = errno;
		return mbn_set_error(-e, "%s: SUBMIT of descriptors %u..%u failed: %s%s", d->node, first, first + count - 1,
				     strerror(e), e == EINVAL ? " (the driver rejected the descriptor chain or its buffers)" : "");
	}
	*id = s.job_id;
	MBN_DEBUG("drm: job %llu: descriptors %u..%u, CONST handle %u, ACT handle %u, syncobj %u\n",
		  (unsigned long long)s.job_id, first, first + count - 1, bos[0], bos[1], syncobj);
	return 0;
}

/* WAIT for one job (absolute deadline) and add its counters to *st; `first` is its first
 * descriptor in the plan (for the fault message). */
static int wait_job(struct drm_dev *d, uint64_t id, uint32_t first, struct mbn_layer_stats *st)
{
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
		st->cycles += w.cycles;
		st->dram_read_bytes += w.dma_rd_bytes;
		st->dram_write_bytes += w.dma_wr_bytes;
		st->stall_cycles += w.stall;
		st->mac_ops += w.mac_active;
		st->pw_busy += w.pw_busy;
		st->dw_busy += w.dw_busy;
		return 0;
	case MBNACCEL_JOB_FAULT:
		return mbn_set_error(-EIO, "accelerator fault: %s (code %u) at descriptor %u, offset 0x%x",
				     mbn_accel_fault_name(w.fault_code), w.fault_code, first + w.fault_desc, w.fault_offset);
	case MBNACCEL_JOB_TIMEOUT:
		return mbn_set_error(-ETIMEDOUT, "the accelerator did not finish within the driver's job timeout (%u ms; hung?); "
				     "engine reset (%u descriptors done)", d->timeout_ms, w.desc_done);
	case MBNACCEL_JOB_ABORTED:
		return mbn_set_error(-ECANCELED, "%s: job %llu was aborted (device removed or reset before it ran)", d->node,
				     (unsigned long long)id);
	default:
		return mbn_set_error(-EIO, "%s: job %llu: unknown status %u", d->node, (unsigned long long)id, w.status);
	}
}

static void free_job(struct drm_plan *p, struct mbn_job *job)
{
	struct drm_job *dj = job->priv;

	if (job->fd >= 0)
		close(job->fd);
	job->fd = -1;
	if (dj) {
		if (dj->act)
			put_act(p, dj->act);
		free(dj);
	}
	job->priv = NULL;
}

/* Submit segment k's kernel jobs (one, or one per layer with descriptors when
 * profiling); the last signals syncobj (0: none). */
static int submit_segment(struct drm_dev *d, struct drm_plan *p, struct mbn_job *job, int k, uint32_t syncobj)
{
	struct drm_job *dj = job->priv;
	const struct accel_segment *sg = &p->h.ap.seg[k];
	int r = 0;

	dj->n_ids = 0;
	if (!job->per_layer) {
		if ((r = submit_chain(d, p, dj->act, sg->first_desc, sg->n_desc, syncobj, &dj->ids[0])))
			return r;
		dj->layer[0] = sg->first;
		dj->n_ids = 1;
		return 0;
	}
	/* profiling: a pointwise layer fused into the depthwise layer before it has no
	 * descriptors of its own (the depthwise layer's job runs both) */
	int last = sg->end - 1;
	while (last > sg->first && !p->h.ap.layers[last].n_desc)
		last--;
	for (int i = sg->first; i < sg->end && !r; i++) {
		const struct accel_layer *al = &p->h.ap.layers[i];
		if (!al->n_desc)
			continue;
		r = submit_chain(d, p, dj->act, al->first_desc, al->n_desc, i == last ? syncobj : 0, &dj->ids[dj->n_ids]);
		if (!r)
			dj->layer[dj->n_ids++] = i;
	}
	return r;
}

/* Wait for the submitted jobs of a segment, adding their counters to the layers'
 * (profiling) and to *total. The first failure is returned, with its message. */
static int wait_segment(struct drm_dev *d, struct drm_plan *p, struct mbn_job *job, struct mbn_layer_stats *total)
{
	struct drm_job *dj = job->priv;
	struct mbn_layer_stats dummy;
	char err[512] = "";
	int r = 0;

	for (int k = 0; k < dj->n_ids; k++) {
		int i = dj->layer[k];
		struct mbn_layer_stats *st = job->per_layer ? &job->per_layer[i] : total;
		uint32_t first = job->per_layer ? p->h.ap.layers[i].first_desc : p->h.ap.seg[0].first_desc;
		int e = wait_job(d, dj->ids[k], first, r ? &dummy : st);
		if (e && !r) {
			r = e;
			snprintf(err, sizeof(err), "%s", mbn_last_error());
		}
		if (job->per_layer && !r) {
			total->cycles += st->cycles;
			total->dram_read_bytes += st->dram_read_bytes;
			total->dram_write_bytes += st->dram_write_bytes;
		}
	}
	dj->n_ids = 0;
	return r ? mbn_set_error(r, "%s", err) : 0;
}

/* Start the accelerator part (the host part before the first segment, then its jobs);
 * with want_fd, job->fd becomes readable when the first segment is done. The remaining
 * segments run in end_job(): each needs the host's part before it. */
static int start_job(struct drm_dev *d, struct drm_plan *p, struct mbn_job *job, bool want_fd)
{
	const struct accel_plan *ap = &p->h.ap;
	int cap = job->per_layer ? p->g->n_layers : 1;
	struct drm_job *dj = calloc(1, sizeof(*dj) + (size_t)cap * (sizeof(uint64_t) + sizeof(int)));
	int r = 0;

	job->fd = -1;
	job->priv = dj;
	if (!dj)
		return mbn_set_error(-ENOMEM, "out of memory");
	dj->cap = cap;
	dj->layer = (int *)(dj->ids + cap);
	if (job->per_layer)
		mbn_accel_host_mark(&p->h, job->per_layer);
	if (!ap->n_seg) {
		/* nothing for the accelerator: the whole model runs on the CPU in end_job */
		if (want_fd && (job->fd = eventfd(1, EFD_CLOEXEC)) < 0) {
			r = mbn_set_error(-errno, "cannot create an eventfd: %s", strerror(errno));
			free_job(p, job);
		}
		return r;
	}
	if ((r = get_act(d, p, &dj->act))) {
		free_job(p, job);
		return r;
	}
	mbn_accel_host_step(&p->h, p->g, 0, job->in, dj->act->bo.map, job->per_layer, &job->stats->host_cpu_us);
	r = submit_segment(d, p, job, 0, want_fd ? dj->act->syncobj : 0);
	if (!r && want_fd && drmSyncobjExportSyncFile(d->fd, dj->act->syncobj, &job->fd))
		r = mbn_set_error(-errno, "%s: cannot export the job's syncobj as a sync_file: %s", d->node, strerror(errno));
	if (r) {
		/* the jobs already queued use the ACT buffer: let them end before reusing it */
		struct mbn_layer_stats dummy = { 0 };
		char err[512];
		snprintf(err, sizeof(err), "%s", mbn_last_error());
		struct mbn_layer_stats *pl = job->per_layer;
		job->per_layer = NULL;
		wait_segment(d, p, job, &dummy);
		job->per_layer = pl;
		mbn_set_error(r, "%s", err);
		free_job(p, job);
	}
	return r;
}

/* Wait for the first segment's jobs (already complete for the asynchronous path), run
 * the host part and the jobs of each further segment, then the CPU tail; reads the
 * counters and the output, gives everything back. */
static int end_job(struct drm_dev *d, struct drm_plan *p, struct mbn_job *job)
{
	struct drm_job *dj = job->priv;
	const struct accel_plan *ap = &p->h.ap;
	struct mbn_layer_stats total = { 0 };
	uint8_t *act = dj->act ? dj->act->bo.map : NULL;
	int r = 0;

	for (int k = 0;; k++) {
		if (k > 0 || ap->n_seg) {
			if ((r = wait_segment(d, p, job, &total)))
				break;
		}
		const uint8_t *res =
			mbn_accel_host_step(&p->h, p->g, k + (ap->n_seg ? 1 : 0), job->in, act, job->per_layer,
					    &job->stats->host_cpu_us);
		if (k + 1 >= ap->n_seg) {
			memcpy(job->out, res, p->g->out_elems);
			break;
		}
		if ((r = submit_segment(d, p, job, k + 1, 0)))
			break;
	}
	if (r) {
		char err[512];
		snprintf(err, sizeof(err), "%s", mbn_last_error());
		wait_segment(d, p, job, &total); /* (a partly submitted segment) */
		free_job(p, job);
		return mbn_set_error(r, "%s", err);
	}
	job->stats->accel_cycles = total.cycles;
	job->stats->dram_read_bytes = total.dram_read_bytes;
	job->stats->dram_write_bytes = total.dram_write_bytes;
	free_job(p, job);
	return 0;
}

static int drm_run(struct mbn_device *dev, void *plan, const uint8_t *in, uint8_t *out, struct mbn_run_stats *stats,
		   struct mbn_layer_stats *per_layer)
{
	struct mbn_job job = { .in = in, .out = out, .stats = stats, .per_layer = per_layer, .fd = -1 };
	int r = start_job(dev->priv, plan, &job, false);

	return r ? r : end_job(dev->priv, plan, &job);
}

static int drm_submit(struct mbn_device *dev, void *plan, struct mbn_job *job)
{
	return start_job(dev->priv, plan, job, true);
}

static int drm_finish(struct mbn_device *dev, void *plan, struct mbn_job *job)
{
	return end_job(dev->priv, plan, job);
}

static bool drm_layer_on_accel(struct mbn_device *dev, void *plan, int i)
{
	return ((struct drm_plan *)plan)->h.ap.layers[i].on_accel;
}

static const char *drm_layer_cpu_reason(struct mbn_device *dev, void *plan, int i)
{
	return ((struct drm_plan *)plan)->h.ap.layers[i].cpu_reason;
}

static void drm_describe(struct mbn_device *dev, char *buf, size_t len)
{
	struct drm_dev *d = dev->priv;

	int n = snprintf(buf, len, "mbnaccel %s on %s (hw version 0x%08x): ", d->driver_version, d->node, d->hw_version);
	if (n >= 0 && (size_t)n < len)
		mbn_accel_caps_describe(&d->caps, buf + n, len - (size_t)n);
}

const struct mbn_backend mbn_backend_drm = {
	.scheme = "drm",
	.open = drm_open,
	.close = drm_close,
	.compile = drm_compile,
	.release = drm_release,
	.run = drm_run,
	.submit = drm_submit,
	.finish = drm_finish,
	.layer_on_accel = drm_layer_on_accel,
	.layer_cpu_reason = drm_layer_cpu_reason,
	.describe = drm_describe,
};
