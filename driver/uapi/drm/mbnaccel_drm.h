/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mbnaccel_drm.h - the userspace interface of the mbnaccel DRM driver (driver/).
 *
 * The device node is /dev/accel/accelN where the kernel has CONFIG_DRM_ACCEL, else a
 * render node /dev/dri/renderDN; the driver's name (drmVersion.name) is "mbnaccel".
 *
 * Memory: user space allocates buffer objects (BO_CREATE), maps them through the fake
 * offset (BO_MMAP_OFFSET + mmap on the device fd) and names memory to the accelerator
 * only as (region, offset): SUBMIT binds BO handles to regions 0..bo_count-1 and the
 * kernel programs the region table itself. No physical or bus address ever reaches
 * user space.
 *
 * Jobs: SUBMIT copies the descriptor chain (docs/hw.md, 64 bytes each), checks every
 * descriptor's extents against the bound BOs and queues the job; one job runs at a
 * time, each file's jobs in its submission order, the files' queues interleaved by the
 * kernel's GPU scheduler (drm_sched). Closing a file cancels its jobs not yet started.
 * Completion: WAIT on the job's id, or the out_syncobj (a DRM syncobj; export it as a
 * sync_file to poll()). A job's fence does not depend on the device: a sync_file may
 * outlive the file and the device (it then reads signaled); while one is open the
 * module cannot be unloaded.
 *
 * Device removal (unbind, hot unplug, module unload after unbind): jobs still queued or
 * running end as MBNACCEL_JOB_ABORTED and their fences signal with an error. From then
 * on the DRM core refuses every ioctl on a file still open, with ENODEV (GEM_CLOSE and
 * WAIT included: a job's final status is not readable after removal; use its fence);
 * the DRM core also unmaps every CPU mapping of the device (drm_dev_unplug), so an
 * access through a mapping made before the removal raises SIGBUS; the BOs' memory is
 * freed at munmap and close. No new file can be opened (the node is gone).
 * Probe: if the engine stays busy after the reset at probe (a job left by a previous
 * owner), the device comes up wedged (MBNACCEL_PARAM_WEDGED).
 *
 * Every struct holds __u32/__u64 only, is 8-byte aligned, and has no implicit padding;
 * `reserved` and `pad` fields must be zero (else EINVAL), so they can gain meaning
 * later. Every field says whether the kernel reads it (Input) or writes it (Output).
 */
#ifndef MBNACCEL_DRM_H
#define MBNACCEL_DRM_H

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_MBNACCEL_GET_PARAM      0x00
#define DRM_MBNACCEL_BO_CREATE      0x01
#define DRM_MBNACCEL_BO_MMAP_OFFSET 0x02
#define DRM_MBNACCEL_SUBMIT         0x03
#define DRM_MBNACCEL_WAIT           0x04

/* Regions user space may bind; region 7 is the kernel's copy of the descriptor chain. */
#define MBNACCEL_MAX_BOS       7
#define MBNACCEL_MAX_DESCS     65536
#define MBNACCEL_DESC_BYTES    64
#define MBNACCEL_MAX_BO_SIZE   (1ull << 30)

enum drm_mbnaccel_param {
	MBNACCEL_PARAM_ID = 0,         /* the ID register, 0x4D424E31 */
	MBNACCEL_PARAM_VERSION = 1,    /* the VERSION register */
	MBNACCEL_PARAM_CAPS0 = 2,      /* CAPS0..CAPS3 registers (docs/hw.md) */
	MBNACCEL_PARAM_CAPS1 = 3,
	MBNACCEL_PARAM_CAPS2 = 4,
	MBNACCEL_PARAM_CAPS3 = 5,
	MBNACCEL_PARAM_JOB_TIMEOUT_MS = 6, /* default job timeout (module parameter) */
	MBNACCEL_PARAM_JOBS_DONE = 7,  /* jobs completed successfully since load */
	MBNACCEL_PARAM_JOBS_FAILED = 8,/* jobs that faulted, timed out or were aborted */
	MBNACCEL_PARAM_RESETS = 9,     /* engine resets since load (the probe's, timeouts,
					* retries on a wedged engine)
					*/
	MBNACCEL_PARAM_WEDGED = 10,    /* 1 while the engine stayed busy after a reset: the
					* job that ran keeps its memory, SUBMIT fails with EIO;
					* each SUBMIT retries the reset, a successful one ends it.
					* Also 1 from probe if the engine stayed busy there
					*/
};

struct drm_mbnaccel_get_param {
	__u32 param;    /* Input: enum drm_mbnaccel_param */
	__u32 pad;      /* Input: must be 0 */
	__u64 value;    /* Output */
};

struct drm_mbnaccel_bo_create {
	__u64 size;     /* Input: bytes, 1..MBNACCEL_MAX_BO_SIZE; rounded up to pages.
			 * Output: the size actually allocated. Pinned memory is
			 * limited: ENOMEM beyond the per-file limit, ENOSPC beyond the
			 * device-wide one (module parameters; descriptor copies of
			 * jobs count too, so SUBMIT can fail the same way)
			 */
	__u32 flags;    /* Input: must be 0 */
	__u32 handle;   /* Output: GEM handle (free with DRM_IOCTL_GEM_CLOSE) */
};

struct drm_mbnaccel_bo_mmap_offset {
	__u32 handle;   /* Input */
	__u32 pad;      /* Input: must be 0 */
	__u64 offset;   /* Output: pass to mmap() on the device fd */
};

/* Test-only: skip the kernel's extent check so the hardware's own region check is
 * exercised. Refused (EPERM) unless the module was loaded with unsafe_test_mode=1 and
 * the caller has CAP_SYS_ADMIN; a job submitted with it taints the kernel (TAINT_USER).
 */
#define MBNACCEL_SUBMIT_NO_VALIDATE (1u << 0)
/* The job waits for the fences of in_syncobjs (below) before it reaches the engine. */
#define MBNACCEL_SUBMIT_IN_SYNCOBJS (1u << 1)

#define MBNACCEL_MAX_IN_SYNCOBJS 16

/*
 * Versions: the struct only grows at its end. Version 1 ended at job_id (48 bytes);
 * version 2 adds in_syncobjs/in_syncobj_count/pad2 (64 bytes). The DRM core passes the
 * kernel a zero-extended copy of a shorter struct, so a binary built against version 1
 * keeps working: its missing fields read 0 (no in-fences). A field of a later version
 * is used only with its flag; without the flag it must be 0.
 */
struct drm_mbnaccel_submit {
	__u64 descs;        /* Input: user pointer to desc_count * 64 bytes of descriptors */
	__u64 bo_handles;   /* Input: user pointer to bo_count __u32 handles; handle i is
			     * bound to region i for this job
			     */
	__u32 desc_count;   /* Input: 1..MBNACCEL_MAX_DESCS */
	__u32 bo_count;     /* Input: 1..MBNACCEL_MAX_BOS */
	__u32 flags;        /* Input: MBNACCEL_SUBMIT_* */
	__u32 out_syncobj;  /* Input: 0, or a syncobj handle that receives the job's fence */
	__u32 timeout_ms;   /* Input: 0 = the driver's default; else 1..600000; either
			     * is capped at the module parameter max_job_timeout_ms. The
			     * time counts from the job's start on the engine, not from SUBMIT
			     */
	__u32 reserved;     /* Input: must be 0 */
	__u64 job_id;       /* Output: the job's id for WAIT (never 0) */
	/* version 2 */
	__u64 in_syncobjs;  /* Input: with MBNACCEL_SUBMIT_IN_SYNCOBJS, a user pointer to
			     * in_syncobj_count __u32 syncobj handles (binary syncobjs): the
			     * job reaches the engine only once the fences they hold at
			     * SUBMIT have signaled. An unknown handle: ENOENT; a syncobj
			     * without a fence: EINVAL. Without the flag: 0
			     */
	__u32 in_syncobj_count; /* Input: 1..MBNACCEL_MAX_IN_SYNCOBJS with the flag, else 0 */
	__u32 pad2;         /* Input: must be 0 */
};

enum drm_mbnaccel_job_status {
	MBNACCEL_JOB_DONE = 0,       /* completed; counters valid */
	MBNACCEL_JOB_FAULT = 1,      /* the hardware faulted: fault_code/desc/offset valid */
	MBNACCEL_JOB_TIMEOUT = 2,    /* did not complete in time; the engine was reset */
	MBNACCEL_JOB_ABORTED = 3,    /* cancelled (device removed or reset before it ran) */
};

struct drm_mbnaccel_wait {
	__u64 job_id;        /* Input: from SUBMIT on this same file */
	__u64 timeout_ns;    /* Input: absolute CLOCK_MONOTONIC deadline in ns; 0 = do not block.
			      * ETIMEDOUT if the job is still running then
			      */
	__u32 flags;         /* Input: must be 0 */
	__u32 status;        /* Output: enum drm_mbnaccel_job_status */
	__u32 fault_code;    /* Output: FAULT_CODE register (docs/hw.md) */
	__u32 fault_desc;    /* Output: index of the faulting descriptor */
	__u32 fault_offset;  /* Output: region offset of the faulting access */
	__u32 desc_done;     /* Output: descriptors completed */
	__u64 cycles;        /* Output: the job's counters (docs/hw.md) */
	__u64 mac_active;
	__u64 dma_rd_bytes;
	__u64 dma_wr_bytes;
	__u64 stall;
	__u64 pw_busy;
	__u64 dw_busy;
	__u64 reserved[2];   /* Output: zero */
};

#define DRM_IOCTL_MBNACCEL_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MBNACCEL_GET_PARAM, struct drm_mbnaccel_get_param)
#define DRM_IOCTL_MBNACCEL_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MBNACCEL_BO_CREATE, struct drm_mbnaccel_bo_create)
#define DRM_IOCTL_MBNACCEL_BO_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MBNACCEL_BO_MMAP_OFFSET, struct drm_mbnaccel_bo_mmap_offset)
#define DRM_IOCTL_MBNACCEL_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MBNACCEL_SUBMIT, struct drm_mbnaccel_submit)
#define DRM_IOCTL_MBNACCEL_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MBNACCEL_WAIT, struct drm_mbnaccel_wait)

#if defined(__cplusplus)
}
#endif

#endif
