/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * mbnaccel.h - shared declarations of the mbnaccel DRM driver.
 *
 * One core (mbnaccel_drv.c, _gem.c, _validate.c and the jobs: _job.c, _engine.c,
 * _sched.c, _submit.c) and two bus glues (_platform.c for the FPGA SoC, _pci.c for the
 * QEMU co-simulation bridge). The core never touches the bus:
 * it reaches the registers only through struct mbn_bus_ops, because on PCI a register
 * access is a mailbox round trip that sleeps.
 *
 * Compat switches (MBN_HAVE_*) come from Kbuild, which probes the kernel headers: Debian
 * backports APIs, so the kernel version number says little.
 */
#ifndef MBNACCEL_H
#define MBNACCEL_H

#include <linux/dma-fence.h>
#include <linux/irqreturn.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>

#include "mbn_regs.h"           /* generated from hw/regs/mbnaccel.regs */
#include "desc_check.h"         /* the contract's checks (hw/model/desc_check.h) */
#include "mbnaccel_drm.h"       /* the uapi */

#define MBN_DRIVER_NAME "mbnaccel"

/* The region the kernel's copy of the descriptor chain is bound to. */
#define MBN_DESC_REGION  7

/* MBN_STATUS_*, MBN_IRQ_*, MBN_CTRL_* (register bits) come from mbn_regs.h too. */

extern unsigned int mbn_job_timeout_ms;
extern unsigned int mbn_max_job_timeout_ms;
extern unsigned int mbn_max_pinned_mib;
extern unsigned int mbn_max_pinned_mib_per_file;
extern bool mbn_unsafe_test_mode;

/* The default job timeout, capped by max_job_timeout_ms (module parameters). */
static inline unsigned int mbn_default_timeout_ms(void)
{
	return min(READ_ONCE(mbn_job_timeout_ms), READ_ONCE(mbn_max_job_timeout_ms));
}

/* Pinned (coherent) memory one file has charged: its BOs and its jobs' descriptor
 * copies. Refcounted: a BO or a job can outlive the file.
 */
struct mbn_pin_acct {
	struct kref ref;
	atomic64_t bytes;
};

/* Register access supplied by the bus glue. May sleep (PCI). */
struct mbn_bus_ops {
	u32 (*read32)(void *ctx, u32 off);
	void (*write32)(void *ctx, u32 off, u32 val);
};

struct mbn_job;

struct mbn_device {
	struct drm_device drm;
	const struct mbn_bus_ops *ops;
	void *bus_ctx;

	u32 regs_id, regs_version, caps[4];
	struct mbn_hw_limits lim;       /* from CAPS (desc_check.h) */

	/* The one hardware ring: drm_sched picks the next job among the files' entities
	 * and runs it once the previous one has completed (credit limit 1).
	 */
	struct drm_gpu_scheduler sched;
	atomic_t jobs_live;             /* jobs the scheduler has not freed yet */

	/* lock: the running job and every register access sequence that must not
	 * interleave (start, completion, reset). Never taken in hard-irq context.
	 */
	struct mutex lock;
	struct mbn_job *running;        /* on the engine, or NULL */
	bool dead;                      /* device removed: accept nothing new */
	bool wedged;                    /* BUSY after a reset: no job runs (mbn_wedge) */
	struct mbn_job *wedged_job;     /* its memory kept while the engine may DMA */

	atomic64_t pinned;              /* bytes charged by all files (mbn_pin_charge) */

	atomic64_t jobs_done, jobs_failed, resets;
};

#define to_mbn_device(d) container_of(d, struct mbn_device, drm)

/*
 * A file's jobs not yet handed to the scheduler. The scheduler gets one job per file at
 * a time (the next when the previous is finished): 6.12's FIFO policy orders entities
 * by the submission time of their oldest queued job, so a file with many jobs queued
 * would hold another file's job back for all of them; with one each, a job waits for
 * at most one job of every other file (mbn-drmtest --fairness). Refcounted: a job
 * finishing after its file closed still looks here (and finds it closed).
 */
struct mbn_queue {
	struct kref ref;
	struct mutex lock;              /* below; taken inside mdev->lock and mf->lock */
	struct list_head pending;       /* struct mbn_job.qnode, in submission order */
	bool busy;                      /* a job of the file is in the scheduler */
	bool closed;                    /* the file is closing: push nothing more */
};

/* Per open file. */
struct mbn_file {
	struct mbn_device *mdev;
	struct drm_sched_entity entity; /* the file's queue on mdev->sched */
	struct mbn_queue *q;
	struct mutex lock;              /* jobs, next_id; orders arm + push on entity */
	struct xarray jobs;             /* job id -> struct mbn_job (one reference each) */
	u64 next_id;
	struct mbn_pin_acct *acct;
};

/* GEM object backed by one dma_alloc_coherent buffer. */
struct mbn_bo {
	struct drm_gem_object base;
	void *vaddr;
	dma_addr_t dma;
	struct mbn_pin_acct *acct;      /* the creating file's, charged with base.size */
};

#define to_mbn_bo(o) container_of(o, struct mbn_bo, base)

struct mbn_job {
	struct drm_sched_job base;
	/* References: the file's id table (until the file closes or the entry is evicted),
	 * the scheduler (until free_job), mdev->wedged_job while the engine may DMA.
	 */
	struct kref ref;
	/* The hardware fence, returned by run_job and exported (out_syncobj): a struct
	 * mbn_fence, which has its own lock and no pointer into the device.
	 */
	struct dma_fence *done;
	struct mbn_device *mdev;
	u64 id;
	struct mbn_queue *q;            /* its file's (a reference) */
	struct list_head qnode;         /* in q->pending until handed to the scheduler */
	bool pushed;                    /* handed to the scheduler (entity) */

	/* Resources, dropped as soon as the job is finished. */
	struct drm_gem_object *bos[MBNACCEL_MAX_BOS];
	u32 bo_count;
	void *desc_cpu;
	dma_addr_t desc_dma;
	size_t desc_size;
	u32 desc_count;
	struct mbn_pin_acct *acct;      /* charged with desc_size while desc_cpu is held */
	unsigned long timeout;          /* jiffies */
	unsigned long deadline;         /* jiffies, set when started */

	/* Result, valid once done is signaled: the Output fields of WAIT (status,
	 * fault registers, counters), kept in the uapi struct so WAIT copies it whole.
	 */
	struct drm_mbnaccel_wait result;
	bool finished;                  /* result complete: smp_store_release/acquire */
};

static inline u32 mbn_read(struct mbn_device *mdev, u32 off)
{
	return mdev->ops->read32(mdev->bus_ctx, off);
}

static inline void mbn_write(struct mbn_device *mdev, u32 off, u32 val)
{
	mdev->ops->write32(mdev->bus_ctx, off, val);
}

/* mbnaccel_drv.c: called by the glues. mbn_device_probe allocates the device (devres),
 * reads ID/CAPS, resets the engine, requests irq (threaded: completion sleeps on the
 * job mutex and, on PCI, on mailbox round trips) and registers the DRM device.
 */
struct mbn_device *mbn_device_probe(struct device *dev, const struct mbn_bus_ops *ops,
				    void *bus_ctx, int irq);
void mbn_device_shutdown(struct mbn_device *mdev);
void mbn_device_unregister(struct mbn_device *mdev);

/* the bus glues, registered by the module init */
extern struct platform_driver mbn_platform_driver;
extern struct pci_driver mbn_pci_driver;

/* mbnaccel_validate.c */
int mbn_validate(struct mbn_device *mdev, struct mbn_job *job);

/* mbnaccel_gem.c */
struct mbn_bo *mbn_bo_create(struct drm_device *drm, size_t size);
struct mbn_pin_acct *mbn_pin_acct_new(void);
void mbn_pin_acct_put(struct mbn_pin_acct *acct);
int mbn_pin_charge(struct mbn_device *mdev, struct mbn_pin_acct *acct, u64 bytes);
void mbn_pin_uncharge(struct mbn_device *mdev, struct mbn_pin_acct *acct, u64 bytes);
int mbn_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int mbn_ioctl_bo_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file);

/* mbnaccel_job.c: a job's lifetime and its fence. complete/finish: mdev->lock held. */
struct dma_fence *mbn_fence_create(void);
void mbn_job_put(struct mbn_job *job);
void mbn_job_free_resources(struct mbn_job *job);
void mbn_job_complete(struct mbn_device *mdev, struct mbn_job *job, u32 status, bool keep);
void mbn_job_finish(struct mbn_device *mdev, struct mbn_job *job, u32 status);

/* mbnaccel_engine.c: the registers. start/unwedge/timeout: mdev->lock held; the rest
 * take it.
 */
void mbn_engine_start(struct mbn_device *mdev, struct mbn_job *job);
int mbn_engine_unwedge(struct mbn_device *mdev);
void mbn_engine_timeout(struct mbn_device *mdev, struct mbn_job *job);
void mbn_engine_irq(struct mbn_device *mdev);
void mbn_engine_shutdown(struct mbn_device *mdev);
void mbn_engine_probe_reset(struct mbn_device *mdev);

/* mbnaccel_sched.c: the drm_sched backend, the files' entities and queues */
int mbn_sched_init_device(struct mbn_device *mdev);
int mbn_sched_file_open(struct mbn_file *mf);
void mbn_sched_file_close(struct mbn_file *mf);
void mbn_queue_add(struct mbn_queue *q, struct mbn_job *job);
void mbn_queue_next(struct mbn_queue *q);
void mbn_queue_put(struct mbn_queue *q);

/* mbnaccel_submit.c */
int mbn_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int mbn_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);

#endif
