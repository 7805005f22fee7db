// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_job.c - jobs: SUBMIT (copy + validate), scheduling through drm_sched (an
 * entity per file, one hardware ring of one job), programming the region table,
 * completion from the interrupt, timeout + engine reset, WAIT, and the cleanup when a
 * file closes.
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
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/gpu_scheduler.h>

#include "mbnaccel.h"

#ifndef MBN_HAVE_SCHED_INIT_ARGS
#error "drm_sched_init() with struct drm_sched_init_args is required (Kbuild probe)"
#endif

/* Finished jobs whose result a file keeps for WAIT; beyond this the oldest finished
 * ones are forgotten (WAIT on them: ENOENT). Unfinished jobs are never dropped.
 */
#define MBN_FILE_MAX_JOBS       1024
#define MBN_MAX_TIMEOUT_MS      600000
#define MBN_RESET_IDLE_MS       2000
/*
 * drm_sched has one timeout per scheduler, SUBMIT one per job: the scheduler's timeout
 * is a tick at which the running job's own deadline is checked, so a job times out at
 * most this late.
 */
#define MBN_SCHED_TICK_MS       250
/* How long the last close waits for the scheduler to free its jobs before tearing it
 * down (drm_sched_fini does not free jobs still on its lists).
 */
#define MBN_SCHED_DRAIN_MS      10000

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
static struct dma_fence *mbn_fence_create(void)
{
	struct mbn_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &mbn_fence_ops, &f->lock, dma_fence_context_alloc(1), 1);
	return &f->base;
}

static inline struct mbn_job *to_mbn_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct mbn_job, base);
}

static void mbn_queue_release(struct kref *ref)
{
	struct mbn_queue *q = container_of(ref, struct mbn_queue, ref);

	mutex_destroy(&q->lock);
	kfree(q);
}

static void mbn_job_release(struct kref *ref)
{
	struct mbn_job *job = container_of(ref, struct mbn_job, ref);

	if (job->done)
		dma_fence_put(job->done);
	if (job->q)
		kref_put(&job->q->ref, mbn_queue_release);
	kfree(job);
}

static void mbn_job_put(struct mbn_job *job)
{
	kref_put(&job->ref, mbn_job_release);
}

/* Drop what the hardware needed. Only once the engine no longer runs the job. */
static void mbn_job_free_resources(struct mbn_job *job)
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

/* Hand @job to the scheduler. q->lock held: arm and push in the file's order. */
static void mbn_job_push(struct mbn_job *job)
{
	lockdep_assert_held(&job->q->lock);
	job->pushed = true;
	atomic_inc(&job->mdev->jobs_live);
	drm_sched_job_arm(&job->base);
	drm_sched_entity_push_job(&job->base);
}

/* The file's job in the scheduler is finished: hand it the next one. Called from
 * mbn_job_complete (mdev->lock held).
 */
static void mbn_queue_next(struct mbn_queue *q)
{
	struct mbn_job *next;

	mutex_lock(&q->lock);
	next = list_first_entry_or_null(&q->pending, struct mbn_job, qnode);
	if (next && !q->closed) {
		list_del_init(&next->qnode);
		mbn_job_push(next);
	} else {
		q->busy = false;
	}
	mutex_unlock(&q->lock);
}

/* The job is off the engine (or never reached it): record, signal, and unless @keep
 * release its resources. @keep: the engine may still DMA into them (wedged, below).
 * Called with mdev->lock held.
 */
static void mbn_job_complete(struct mbn_device *mdev, struct mbn_job *job, u32 status,
			     bool keep)
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

static void mbn_job_finish(struct mbn_device *mdev, struct mbn_job *job, u32 status)
{
	mbn_job_complete(mdev, job, status, false);
}

static u64 mbn_read64(struct mbn_device *mdev, u32 lo)
{
	u64 v = mbn_read(mdev, lo);

	/* counters are frozen once BUSY fell, so the halves are consistent */
	return v | (u64)mbn_read(mdev, lo + 4) << 32;
}

static void mbn_job_collect(struct mbn_device *mdev, struct mbn_job *job)
{
	struct drm_mbnaccel_wait *r = &job->result;

	r->fault_code = mbn_read(mdev, MBN_REG_FAULT_CODE);
	r->fault_desc = mbn_read(mdev, MBN_REG_FAULT_DESC);
	r->fault_offset = mbn_read(mdev, MBN_REG_FAULT_OFFSET);
	r->desc_done = mbn_read(mdev, MBN_REG_DESC_DONE);
	r->cycles = mbn_read64(mdev, MBN_REG_CYCLES_LO);
	r->pw_busy = mbn_read64(mdev, MBN_REG_PW_BUSY_LO);
	r->dw_busy = mbn_read64(mdev, MBN_REG_DW_BUSY_LO);
	r->mac_active = mbn_read64(mdev, MBN_REG_MAC_ACTIVE_LO);
	r->dma_rd_bytes = mbn_read64(mdev, MBN_REG_DMA_RD_BYTES_LO);
	r->dma_wr_bytes = mbn_read64(mdev, MBN_REG_DMA_WR_BYTES_LO);
	r->stall = mbn_read64(mdev, MBN_REG_STALL_LO);
}

static void mbn_set_region(struct mbn_device *mdev, u32 r, u64 base, u64 size)
{
	u32 off = MBN_REG_REGION(r);

	mbn_write(mdev, off + 0, lower_32_bits(base));
	mbn_write(mdev, off + 4, upper_32_bits(base));
	mbn_write(mdev, off + 8, lower_32_bits(size));
	mbn_write(mdev, off + 12, upper_32_bits(size));
}

/* Put @job on the idle engine. Called with mdev->lock held. */
static void mbn_start(struct mbn_device *mdev, struct mbn_job *job)
{
	u32 r;

	mdev->running = job;
	/* Every region is rewritten for every job: regions the job did not bind get size
	 * 0, so nothing of an earlier job stays reachable (matters with NO_VALIDATE).
	 */
	for (r = 0; r < MBN_NUM_REGIONS; r++) {
		if (r < job->bo_count)
			mbn_set_region(mdev, r, to_mbn_bo(job->bos[r])->dma, job->bos[r]->size);
		else if (r == MBN_DESC_REGION)
			mbn_set_region(mdev, r, job->desc_dma, job->desc_size);
		else
			mbn_set_region(mdev, r, 0, 0);
	}
	mbn_write(mdev, MBN_REG_DESC_REGION, MBN_DESC_REGION);
	mbn_write(mdev, MBN_REG_DESC_OFFSET, 0);
	mbn_write(mdev, MBN_REG_DESC_COUNT, job->desc_count);
	mbn_write(mdev, MBN_REG_IRQ_STATUS, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	mbn_write(mdev, MBN_REG_IRQ_ENABLE, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	job->deadline = jiffies + job->timeout;
	mbn_write(mdev, MBN_REG_CTRL, MBN_CTRL_START);
}

/* If the running job has finished (DONE or FAULT, engine idle), complete it. Reads
 * STATUS rather than trusting the interrupt: an MSI-X message can be lost
 * (docs/cosim.md). Called with mdev->lock held. Returns true if it completed.
 */
static bool mbn_check_running(struct mbn_device *mdev)
{
	struct mbn_job *job = mdev->running;
	u32 st;

	if (!job)
		return false;
	st = mbn_read(mdev, MBN_REG_STATUS);
	if ((st & MBN_STATUS_BUSY) || !(st & (MBN_STATUS_DONE | MBN_STATUS_FAULT)))
		return false;
	mbn_job_collect(mdev, job);
	mdev->running = NULL;
	mbn_job_finish(mdev, job, (st & MBN_STATUS_FAULT) ? MBNACCEL_JOB_FAULT : MBNACCEL_JOB_DONE);
	return true;
}

/* The signaled hardware fence wakes the scheduler, which runs the next job. */
void mbn_job_irq(struct mbn_device *mdev)
{
	u32 st;

	mutex_lock(&mdev->lock);
	if (!mdev->dead) {
		st = mbn_read(mdev, MBN_REG_IRQ_STATUS);
		if (st)
			mbn_write(mdev, MBN_REG_IRQ_STATUS, st);    /* w1c */
		mbn_check_running(mdev);
	}
	mutex_unlock(&mdev->lock);
}

/* Abort whatever the engine does and wait until it is idle: 0, or -ETIMEDOUT when
 * BUSY is still set after MBN_RESET_IDLE_MS (the engine may still move data; a lost
 * PCI mailbox reads all ones, so it lands here too). mdev->lock held.
 */
static int mbn_engine_reset(struct mbn_device *mdev)
{
	unsigned long end = jiffies + msecs_to_jiffies(MBN_RESET_IDLE_MS);
	int ret = 0;

	mbn_write(mdev, MBN_REG_CTRL, MBN_CTRL_RESET);
	while (mbn_read(mdev, MBN_REG_STATUS) & MBN_STATUS_BUSY) {
		if (time_after(jiffies, end)) {
			drm_err(&mdev->drm, "engine still busy %u ms after reset\n",
				MBN_RESET_IDLE_MS);
			ret = -ETIMEDOUT;
			break;
		}
		usleep_range(1000, 2000);
	}
	mbn_write(mdev, MBN_REG_IRQ_STATUS, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	atomic64_inc(&mdev->resets);
	return ret;
}

/*
 * The engine did not go idle after a reset, so it may still read and write @job's
 * descriptor copy and BOs: fail the job but keep its memory (leaked rather than freed
 * under a running DMA; mdev->wedged_job holds a reference), and refuse new jobs until
 * a reset succeeds (mbn_unwedge). Jobs already queued are aborted by run_job while
 * the device is wedged. mdev->lock held.
 */
static void mbn_wedge(struct mbn_device *mdev, struct mbn_job *job, u32 status)
{
	drm_err(&mdev->drm, "engine wedged: job %llu's memory is kept until a reset succeeds; SUBMIT fails with EIO\n",
		job->id);
	mdev->wedged = true;
	kref_get(&job->ref);
	mdev->wedged_job = job;
	mbn_job_complete(mdev, job, status, true);
}

/* A wedged engine: try the reset again; once it goes idle, free the kept job's memory.
 * 0 when the engine is usable, else -EIO. mdev->lock held.
 */
static int mbn_unwedge(struct mbn_device *mdev)
{
	if (!mdev->wedged)
		return 0;
	if (mbn_engine_reset(mdev))
		return -EIO;
	mdev->wedged = false;
	if (mdev->wedged_job) {
		mbn_job_free_resources(mdev->wedged_job);
		mbn_job_put(mdev->wedged_job);
		mdev->wedged_job = NULL;
	}
	drm_info(&mdev->drm, "engine idle after reset: no longer wedged\n");
	return 0;
}

/*
 * Probe: a previous owner (an earlier driver instance, a bootloader, the kernel before
 * a kexec) may have left a job running. Reset the engine and wait until it is idle
 * before user space can reach it. If it stays busy it may still move data into memory
 * we know nothing about: come up wedged (no job of ours to keep), so SUBMIT fails with
 * EIO and GET_PARAM WEDGED reads 1 until a retried reset succeeds. The probe itself
 * does not fail: the device stays visible, and its state is reported.
 */
void mbn_job_probe_reset(struct mbn_device *mdev)
{
	mutex_lock(&mdev->lock);
	if (mbn_engine_reset(mdev)) {
		drm_err(&mdev->drm, "engine wedged at probe: busy after reset; SUBMIT fails with EIO until a reset succeeds\n");
		mdev->wedged = true;
	}
	mutex_unlock(&mdev->lock);
}

/* ---- drm_sched backend */

static struct dma_fence *mbn_sched_run_job(struct drm_sched_job *sched_job)
{
	struct mbn_job *job = to_mbn_job(sched_job);
	struct mbn_device *mdev = job->mdev;

	mutex_lock(&mdev->lock);
	/* cancelled by the scheduler, or no engine that may run it: it never starts */
	if (sched_job->s_fence->finished.error || mdev->dead || mdev->wedged)
		mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
	else
		mbn_start(mdev, job);
	mutex_unlock(&mdev->lock);
	/* the scheduler's reference; an already signaled fence completes the job at once */
	return dma_fence_get(job->done);
}

/*
 * drm_sched took @sched_job off its pending list to call timedout_job; put it back,
 * as drm_sched_stop would, when no reset follows, or free_job would never see it.
 * Called with mdev->lock held, which every signaling of job->done also holds: a job
 * that is not signaled here can only complete once it is back on the list, where the
 * scheduler finds it. One that already completed found nothing to free: kick the
 * scheduler's cleanup (6.1: its thread, later kernels: the free work).
 */
static void mbn_sched_requeue(struct mbn_device *mdev, struct drm_sched_job *sched_job)
{
	struct drm_gpu_scheduler *sched = &mdev->sched;

	spin_lock(&sched->job_list_lock);
	list_add(&sched_job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	if (dma_fence_is_signaled(&sched_job->s_fence->finished)) {
#if defined(MBN_HAVE_SCHED_WQUEUE)
		drm_sched_wqueue_start(sched);
#elif defined(MBN_HAVE_SCHED_WAKE_UP_WORKER)
		/* drm_sched_wakeup() is not exported there */
		wake_up_interruptible(&sched->wake_up_worker);
#else
#error "no way to kick the scheduler's cleanup (Kbuild probe)"
#endif
	}
}

static void mbn_sched_restart(struct drm_gpu_scheduler *sched)
{
#ifdef MBN_HAVE_SCHED_START_RECOVERY
	drm_sched_start(sched, true);
#else
	drm_sched_start(sched);
#endif
}

static enum drm_gpu_sched_stat mbn_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct mbn_job *job = to_mbn_job(sched_job);
	struct mbn_device *mdev = job->mdev;
	bool overdue;
	int ret;

	mutex_lock(&mdev->lock);
	overdue = !mdev->dead && mdev->running == job && !time_before(jiffies, job->deadline);
	if (!overdue)
		mbn_sched_requeue(mdev, sched_job);
	mutex_unlock(&mdev->lock);
	if (!overdue)
		return DRM_GPU_SCHED_STAT_NOMINAL;

	/* Park the scheduler (no run_job during the reset); this also puts @sched_job
	 * back on the pending list, and drm_sched_start below completes it.
	 */
	drm_sched_stop(&mdev->sched, sched_job);
	mutex_lock(&mdev->lock);
	if (mdev->running != job) {
		/* completed (interrupt) while the scheduler was being parked */
	} else if (mbn_check_running(mdev)) {
		drm_warn(&mdev->drm, "job %llu completed without an interrupt\n", job->id);
	} else {
		drm_warn(&mdev->drm, "job %llu timed out after %u ms, resetting the engine\n",
			 job->id, jiffies_to_msecs(job->timeout));
		ret = mbn_engine_reset(mdev);
		mbn_job_collect(mdev, job);
		mdev->running = NULL;
		if (ret)
			mbn_wedge(mdev, job, MBNACCEL_JOB_TIMEOUT);
		else
			mbn_job_finish(mdev, job, MBNACCEL_JOB_TIMEOUT);
	}
	mutex_unlock(&mdev->lock);
	mbn_sched_restart(&mdev->sched);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void mbn_sched_free_job(struct drm_sched_job *sched_job)
{
	struct mbn_job *job = to_mbn_job(sched_job);
	struct mbn_device *mdev = job->mdev;

	/* never run: cancelled with its file's entity */
	mutex_lock(&mdev->lock);
	if (!job->finished)
		mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
	mutex_unlock(&mdev->lock);
	drm_sched_job_cleanup(sched_job);
	mbn_job_put(job);
	/* wake_up_var: a global wait queue, not one in mdev, which the waiter frees */
	if (atomic_dec_and_test(&mdev->jobs_live))
		wake_up_var(&mdev->jobs_live);
}

static const struct drm_sched_backend_ops mbn_sched_ops = {
	.run_job = mbn_sched_run_job,
	.timedout_job = mbn_sched_timedout_job,
	.free_job = mbn_sched_free_job,
};

/* The last reference to the DRM device is gone: every file is closed, so every entity
 * is torn down and no job can be added.
 */
static void mbn_sched_fini(struct drm_device *drm, void *arg)
{
	struct mbn_device *mdev = arg;

	if (!wait_var_event_timeout(&mdev->jobs_live, !atomic_read(&mdev->jobs_live),
				    msecs_to_jiffies(MBN_SCHED_DRAIN_MS)))
		drm_err(drm, "%d jobs not freed by the scheduler\n",
			atomic_read(&mdev->jobs_live));
	drm_sched_fini(&mdev->sched);
}

int mbn_job_init_device(struct mbn_device *mdev)
{
	const struct drm_sched_init_args args = {
		.ops = &mbn_sched_ops,
#ifdef MBN_HAVE_SCHED_NUM_RQS
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
		.credit_limit = 1,      /* one job on the engine at a time */
		.timeout = msecs_to_jiffies(MBN_SCHED_TICK_MS),
		.name = MBN_DRIVER_NAME,
		.dev = mdev->drm.dev,
	};
	int ret;

	mutex_init(&mdev->lock);
	atomic_set(&mdev->jobs_live, 0);
	ret = drm_sched_init(&mdev->sched, &args);
	if (ret)
		return ret;
	return drmm_add_action_or_reset(&mdev->drm, mbn_sched_fini, mdev);
}

/* Device removal (or system shutdown): stop the engine, end the running job as
 * ABORTED. Jobs the scheduler still has end as ABORTED in run_job (mdev->dead).
 */
void mbn_job_shutdown(struct mbn_device *mdev)
{
	struct mbn_job *job;

	mutex_lock(&mdev->lock);
	mdev->dead = true;
	mbn_write(mdev, MBN_REG_IRQ_ENABLE, 0);
	if (mdev->running) {
		job = mdev->running;
		mdev->running = NULL;
		if (mbn_engine_reset(mdev))
			mbn_wedge(mdev, job, MBNACCEL_JOB_ABORTED);
		else
			mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
	}
	/* still wedged: one last reset; if the engine stays busy its job's memory is
	 * leaked for good (never freed under a DMA that may still run)
	 */
	if (mdev->wedged && mbn_unwedge(mdev))
		drm_err(&mdev->drm, "engine still busy at removal: job %llu's memory is leaked\n",
			mdev->wedged_job ? mdev->wedged_job->id : 0);
	mutex_unlock(&mdev->lock);
}

/* ---- file side */

/* Make room in the file's table: forget the oldest finished jobs. mf->lock held. */
static int mbn_file_make_room(struct mbn_file *mf)
{
	struct mbn_job *job;
	unsigned long id, n = 0;

	xa_for_each(&mf->jobs, id, job)
		n++;
	if (n < MBN_FILE_MAX_JOBS)
		return 0;
	xa_for_each(&mf->jobs, id, job) {
		if (!dma_fence_is_signaled(job->done))
			continue;
		xa_erase(&mf->jobs, id);
		mbn_job_put(job);
		if (--n < MBN_FILE_MAX_JOBS)
			return 0;
	}
	return -EBUSY;  /* MBN_FILE_MAX_JOBS unfinished jobs of this file */
}

/* The job does not run before the fence @handle holds now has signaled. */
static int mbn_job_add_in_syncobj(struct mbn_job *job, struct drm_file *file, u32 handle)
{
#ifdef MBN_HAVE_SCHED_SYNCOBJ_DEP
	return drm_sched_job_add_syncobj_dependency(&job->base, file, handle, 0);
#else
	struct dma_fence *fence;
	int ret;

	ret = drm_syncobj_find_fence(file, handle, 0, 0, &fence);
	if (ret)
		return ret;
	/* consumes the reference, also on error */
	return drm_sched_job_add_dependency(&job->base, fence);
#endif
}

/*
 * Implicit sync: the job waits for the fences in its BOs' reservation objects and, once
 * it is committed, puts its own there with write usage (the kernel does not know which
 * BOs a job writes), so jobs sharing a BO run in submission order whatever their files.
 * Locks the (distinct) objects into @objs/@n; they stay locked until mbn_job_unlock_resv.
 */
static int mbn_job_lock_resv(struct mbn_job *job, struct drm_gem_object **objs, int *n,
			     struct ww_acquire_ctx *ctx)
{
	int i, k, ret;

	*n = 0;
	for (i = 0; i < job->bo_count; i++) {
		for (k = 0; k < *n && objs[k] != job->bos[i]; k++)
			;
		if (k == *n)    /* the same BO may be bound to two regions: lock it once */
			objs[(*n)++] = job->bos[i];
	}
	ret = drm_gem_lock_reservations(objs, *n, ctx);
	if (ret)
		return ret;
	for (i = 0; i < *n; i++) {
		ret = dma_resv_reserve_fences(objs[i]->resv, 1);
		if (!ret)
			ret = drm_sched_job_add_implicit_dependencies(&job->base, objs[i], true);
		if (ret) {
			drm_gem_unlock_reservations(objs, *n, ctx);
			return ret;
		}
	}
	return 0;
}

/* @fence: the committed job's, added to every object; NULL: the job was not committed. */
static void mbn_job_unlock_resv(struct drm_gem_object **objs, int n, struct ww_acquire_ctx *ctx,
				struct dma_fence *fence)
{
	int i;

	for (i = 0; fence && i < n; i++)
		dma_resv_add_fence(objs[i]->resv, fence, DMA_RESV_USAGE_WRITE);
	drm_gem_unlock_reservations(objs, n, ctx);
}

int mbn_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct mbn_device *mdev = to_mbn_device(drm);
	struct mbn_file *mf = file->driver_priv;
	struct drm_mbnaccel_submit *args = data;
	u32 handles[MBNACCEL_MAX_BOS], in_handles[MBNACCEL_MAX_IN_SYNCOBJS];
	struct drm_gem_object *objs[MBNACCEL_MAX_BOS];
	struct ww_acquire_ctx ctx;
	int nobjs;
	struct drm_syncobj *syncobj = NULL;
	struct mbn_job *job;
	unsigned int ms;
	int ret, idx;
	u64 id = 0;
	u32 i;

	if (args->flags & ~(MBNACCEL_SUBMIT_NO_VALIDATE | MBNACCEL_SUBMIT_IN_SYNCOBJS) ||
	    args->reserved || args->pad2)
		return -EINVAL;
	/* version 2's fields only with their flag (a version 1 binary has them zeroed) */
	if (args->flags & MBNACCEL_SUBMIT_IN_SYNCOBJS) {
		if (!args->in_syncobj_count || args->in_syncobj_count > MBNACCEL_MAX_IN_SYNCOBJS)
			return -EINVAL;
	} else if (args->in_syncobjs || args->in_syncobj_count) {
		return -EINVAL;
	}
	if (!args->desc_count || args->desc_count > MBNACCEL_MAX_DESCS)
		return -EINVAL;
	if (!args->bo_count || args->bo_count > MBNACCEL_MAX_BOS)
		return -EINVAL;
	if (args->timeout_ms > MBN_MAX_TIMEOUT_MS)
		return -EINVAL;
	if ((args->flags & MBNACCEL_SUBMIT_NO_VALIDATE) &&
	    (!mbn_unsafe_test_mode || !capable(CAP_SYS_ADMIN)))
		return -EPERM;
	if (copy_from_user(handles, u64_to_user_ptr(args->bo_handles),
			   args->bo_count * sizeof(u32)))
		return -EFAULT;
	if (copy_from_user(in_handles, u64_to_user_ptr(args->in_syncobjs),
			   args->in_syncobj_count * sizeof(u32)))
		return -EFAULT;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	/* a wedged engine (mbn_wedge) takes no job until a reset succeeds: retry it */
	mutex_lock(&mdev->lock);
	ret = mbn_unwedge(mdev);
	mutex_unlock(&mdev->lock);
	if (ret) {
		drm_dbg(&mdev->drm, "SUBMIT: engine wedged (busy after reset)\n");
		goto out_exit;
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto out_exit;
	}
	job->mdev = mdev;
	INIT_LIST_HEAD(&job->qnode);
	for (i = 0; i < args->bo_count; i++) {
		job->bos[i] = drm_gem_object_lookup(file, handles[i]);
		if (!job->bos[i]) {
			ret = -ENOENT;
			goto out_free;
		}
		job->bo_count = i + 1;
	}

	/* The kernel's own copy: user space cannot change a descriptor after it was
	 * validated, and the hardware reads exactly what was checked.
	 */
	job->desc_count = args->desc_count;
	job->desc_size = (size_t)args->desc_count * MBNACCEL_DESC_BYTES;
	ret = mbn_pin_charge(mdev, mf->acct, job->desc_size);
	if (ret)
		goto out_free;
	job->acct = mf->acct;
	job->desc_cpu = dma_alloc_coherent(drm->dev, job->desc_size, &job->desc_dma,
					   GFP_KERNEL | __GFP_NOWARN);
	if (!job->desc_cpu) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (copy_from_user(job->desc_cpu, u64_to_user_ptr(args->descs), job->desc_size)) {
		ret = -EFAULT;
		goto out_free;
	}
	if (!(args->flags & MBNACCEL_SUBMIT_NO_VALIDATE)) {
		ret = mbn_validate(mdev, job);
		if (ret)
			goto out_free;
	} else {
		/* the hardware's checks alone guard memory now: say so in oopses */
		pr_warn_once("mbnaccel: unvalidated job submitted (unsafe_test_mode), tainting kernel\n");
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	}

	if (args->out_syncobj) {
		syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!syncobj) {
			ret = -ENOENT;
			goto out_free;
		}
	}

	/* capped: one client must not hold the engine for longer than the admin allows */
	ms = args->timeout_ms ? args->timeout_ms : READ_ONCE(mbn_job_timeout_ms);
	ms = min(ms, READ_ONCE(mbn_max_job_timeout_ms));
	if (!ms || ms > MBN_MAX_TIMEOUT_MS)
		ms = 20000;
	job->timeout = msecs_to_jiffies(ms);

	job->done = mbn_fence_create();
	if (!job->done) {
		ret = -ENOMEM;
		goto out_free;
	}
#if defined(MBN_HAVE_SCHED_CLIENT_ID)
	ret = drm_sched_job_init(&job->base, &mf->entity, 1, mf, file->client_id);
#elif defined(MBN_HAVE_SCHED_CREDITS)
	ret = drm_sched_job_init(&job->base, &mf->entity, 1, mf);
#else
	ret = drm_sched_job_init(&job->base, &mf->entity, mf);
#endif
	if (ret)
		goto out_free;
	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = mbn_job_add_in_syncobj(job, file, in_handles[i]);
		if (ret)
			goto out_cleanup;
	}
	ret = mbn_job_lock_resv(job, objs, &nobjs, &ctx);
	if (ret)
		goto out_cleanup;

	/* From here on the job is refcounted: the table's reference, then the
	 * scheduler's (also while it waits in mf->q). mf->lock keeps the ids in
	 * submission order.
	 */
	kref_init(&job->ref);
	kref_get(&mf->q->ref);
	job->q = mf->q;
	mutex_lock(&mf->lock);
	ret = mbn_file_make_room(mf);
	if (!ret) {
		id = mf->next_id;
		job->id = id;
		ret = xa_err(xa_store(&mf->jobs, job->id, job, GFP_KERNEL));
	}
	if (ret) {
		mutex_unlock(&mf->lock);
		mbn_job_unlock_resv(objs, nobjs, &ctx, NULL);
		drm_sched_job_cleanup(&job->base);
		mbn_job_free_resources(job);
		mbn_job_put(job);
		goto out_syncobj;
	}
	mf->next_id++;
	kref_get(&job->ref);
	mbn_job_unlock_resv(objs, nobjs, &ctx, job->done);
	if (syncobj)
		drm_syncobj_replace_fence(syncobj, job->done);
	mutex_lock(&mf->q->lock);
	if (mf->q->busy) {
		list_add_tail(&job->qnode, &mf->q->pending);
	} else {
		mf->q->busy = true;
		mbn_job_push(job);
	}
	mutex_unlock(&mf->q->lock);
	mutex_unlock(&mf->lock);

	/* the local copy: once mf->lock is dropped the job can finish and a concurrent
	 * SUBMIT of this file can evict (free) it
	 */
	args->job_id = id;
	ret = 0;
	goto out_syncobj;

out_cleanup:
	drm_sched_job_cleanup(&job->base);      /* drops the dependencies */
out_free:
	mbn_job_free_resources(job);
	if (job->done)
		dma_fence_put(job->done);
	kfree(job);
out_syncobj:
	if (syncobj)
		drm_syncobj_put(syncobj);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

int mbn_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct mbn_file *mf = file->driver_priv;
	struct drm_mbnaccel_wait *args = data;
	struct mbn_job *job;
	long ret = 0;
	u64 now;

	if (args->flags)
		return -EINVAL;

	mutex_lock(&mf->lock);
	job = xa_load(&mf->jobs, args->job_id);
	if (job && job->id == args->job_id)
		kref_get(&job->ref);
	else
		job = NULL;
	mutex_unlock(&mf->lock);
	if (!job)
		return -ENOENT;

	now = ktime_get_ns();
	/* Lockless fast path: the acquire orders the result reads below after it (a
	 * plain dma_fence_is_signaled() test_bit has no such ordering on arm64).
	 */
	if (!smp_load_acquire(&job->finished)) {
		if (args->timeout_ns <= now) {
			ret = -ETIMEDOUT;
		} else {
			/* +1: never return before the absolute deadline */
			u64 j = nsecs_to_jiffies64(args->timeout_ns - now) + 1;

			ret = dma_fence_wait_timeout(job->done, true,
						     min_t(u64, j, MAX_SCHEDULE_TIMEOUT - 1));
			if (ret == 0)
				ret = -ETIMEDOUT;
			else if (ret > 0)
				ret = 0;
			/* signaled: dma_fence_signal's test_and_set_bit is fully ordered
			 * after the result writes; order our reads after the bit's
			 */
			smp_rmb();
		}
	}
	if (!ret) {
		/* the Input fields stay as given; result's are zero (the job is zeroed) */
		struct drm_mbnaccel_wait in = *args;

		*args = job->result;
		args->job_id = in.job_id;
		args->timeout_ns = in.timeout_ns;
		args->flags = in.flags;
	}
	mbn_job_put(job);
	/* -ERESTARTSYS restarts the ioctl: harmless, the deadline is absolute */
	return ret;
}

int mbn_job_file_open(struct mbn_file *mf)
{
	struct drm_gpu_scheduler *sched = &mf->mdev->sched;
	struct mbn_queue *q;
	int ret;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	ret = drm_sched_entity_init(&mf->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL);
	if (ret) {
		kfree(q);
		return ret;
	}
	kref_init(&q->ref);
	mutex_init(&q->lock);
	INIT_LIST_HEAD(&q->pending);
	mf->q = q;
	return 0;
}

/* The file is closing (its GEM handles are already gone). Its queued jobs are
 * cancelled (drm_sched_entity_fini, without the flush that would run them first); a
 * job on the engine runs to completion or times out: it holds its own BO references,
 * so nothing under the hardware is freed.
 */
void mbn_job_file_close(struct mbn_file *mf)
{
	struct mbn_device *mdev = mf->mdev;
	struct mbn_job *job, *tmp, *done;
	unsigned long id;
	LIST_HEAD(pending);

	/* jobs the scheduler has not got: never armed, so cleaned up here */
	mutex_lock(&mf->q->lock);
	mf->q->closed = true;
	list_splice_init(&mf->q->pending, &pending);
	mutex_unlock(&mf->q->lock);
	list_for_each_entry_safe(job, tmp, &pending, qnode) {
		list_del_init(&job->qnode);
		mutex_lock(&mdev->lock);
		mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
		mutex_unlock(&mdev->lock);
		drm_sched_job_cleanup(&job->base);
		mbn_job_put(job);       /* the scheduler's, which it never took */
	}
	/* the job the scheduler has, if it has not run yet, ends in free_job */
	drm_sched_entity_fini(&mf->entity);
	/* its own cursor: coccinelle's use_after_iter flags any reuse of the list cursor */
	xa_for_each(&mf->jobs, id, done) {
		xa_erase(&mf->jobs, id);
		mbn_job_put(done);
	}
	xa_destroy(&mf->jobs);
	kref_put(&mf->q->ref, mbn_queue_release);
}
