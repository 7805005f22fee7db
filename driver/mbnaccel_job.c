// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_job.c - a job's lifetime: its refcount, its hardware fence (mbn_fence), the
 * resources dropped as soon as it is finished, and its completion (result, fence, the
 * file's next job to the scheduler). The rest of a job's life: SUBMIT and WAIT in
 * mbnaccel_submit.c, the drm_sched backend and the per-file queues in mbnaccel_sched.c,
 * the engine's registers (start, completion, timeout, reset) in mbnaccel_engine.c.
 *
 * Lifetime: a job is refcounted (struct mbn_job.ref): the file's id table, the scheduler
 * (until free_job) and, on a wedged engine, mdev->wedged_job hold references. Its
 * hardware fence (mbn_fence) is a separate object with its own lock: it is what
 * out_syncobj receives, so a syncobj or sync_file can outlive the job, the file and the
 * device. The job's resources (BO references, the descriptor copy) are dropped as soon
 * as it is finished, so a finished job costs only its result record.
 *
 * Locking: mdev->lock serializes mdev->running and every register sequence (start,
 * completion, reset). All of it runs in process context (ioctl, threaded IRQ handler,
 * the scheduler's run_job, free_job and timeout work), which the PCI glue needs: its
 * register accesses sleep. The scheduler is never stopped (drm_sched_stop) with
 * mdev->lock held: stopping waits for a run_job that may be waiting for the lock.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <drm/drm_gem.h>

#include "mbnaccel.h"

/*
 * The hardware fence of a job. Its lock is its own and it points to nothing of the
 * device, so a sync_file exported from out_syncobj may outlive the device (unbind).
 * Its ops live in this module: each fence holds a module reference, dropped when the
 * fence is released, so rmmod fails (EBUSY) while a sync_file still holds one instead
 * of leaving it with ops in freed memory.
 */
struct mbn_fence {
	struct dma_fence base;          /* first: dma_fence_free() frees the container */
	spinlock_t lock;
};

static const char *mbn_fence_driver_name(struct dma_fence *f)
{
	return MBN_DRIVER_NAME;
}

static const char *mbn_fence_timeline_name(struct dma_fence *f)
{
	return "mbnaccel-job";
}

static void mbn_fence_release(struct dma_fence *f)
{
	dma_fence_free(f);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops mbn_fence_ops = {
	.get_driver_name = mbn_fence_driver_name,
	.get_timeline_name = mbn_fence_timeline_name,
	.release = mbn_fence_release,
};

/* One context per job: jobs of different files run in the scheduler's order, not in
 * submission order, so no shared timeline would be honest.
 */
struct dma_fence *mbn_fence_create(void)
{
	struct mbn_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &mbn_fence_ops, &f->lock, dma_fence_context_alloc(1), 1);
	return &f->base;
}

static void mbn_job_release(struct kref *ref)
{
	struct mbn_job *job = container_of(ref, struct mbn_job, ref);

	if (job->done)
		dma_fence_put(job->done);
	if (job->q)
		mbn_queue_put(job->q);
	kfree(job);
}

void mbn_job_put(struct mbn_job *job)
{
	kref_put(&job->ref, mbn_job_release);
}

/* Drop what the hardware needed. Only once the engine no longer runs the job. */
void mbn_job_free_resources(struct mbn_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++) {
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
		job->bos[i] = NULL;
	}
	job->bo_count = 0;
	if (job->desc_cpu)
		dma_free_coherent(job->mdev->drm.dev, job->desc_size, job->desc_cpu,
				  job->desc_dma);
	job->desc_cpu = NULL;
	if (job->acct)
		mbn_pin_uncharge(job->mdev, job->acct, job->desc_size);
	job->acct = NULL;
}

/* The job is off the engine (or never reached it): record, signal, and unless @keep
 * release its resources. @keep: the engine may still DMA into them (mbn_wedge).
 * Called with mdev->lock held.
 */
void mbn_job_complete(struct mbn_device *mdev, struct mbn_job *job, u32 status, bool keep)
{
	static const int fence_err[] = {
		[MBNACCEL_JOB_FAULT] = -EIO,
		[MBNACCEL_JOB_TIMEOUT] = -ETIMEDOUT,
		[MBNACCEL_JOB_ABORTED] = -ECANCELED,
	};

	job->result.status = status;
	/* pairs with WAIT's smp_load_acquire: the result is complete once it reads true */
	smp_store_release(&job->finished, true);
	if (!keep)
		mbn_job_free_resources(job);
	if (status == MBNACCEL_JOB_DONE) {
		atomic64_inc(&mdev->jobs_done);
	} else {
		atomic64_inc(&mdev->jobs_failed);
		dma_fence_set_error(job->done, fence_err[status]);
	}
	dma_fence_signal(job->done);
	if (job->pushed)
		mbn_queue_next(job->q);
}

void mbn_job_finish(struct mbn_device *mdev, struct mbn_job *job, u32 status)
{
	mbn_job_complete(mdev, job, status, false);
}
