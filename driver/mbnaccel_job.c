// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_job.c - jobs: SUBMIT (copy + validate), the FIFO queue, programming the
 * region table, completion from the interrupt, timeout + engine reset, WAIT, and the
 * cleanup when a file closes.
 *
 * Lifetime: a job is its dma_fence (the fence is the first member; its refcount is the
 * job's). References: the file's id table (until the file closes or the entry is
 * evicted), the queue/engine (until the job is finished), a syncobj if one was given.
 * The job's resources (BO references, the descriptor copy) are dropped as soon as it is
 * finished, so a finished job costs only its result record.
 *
 * Locking: mdev->lock serializes the queue, mdev->running and every register sequence
 * (start, completion, reset). All of it runs in process context (ioctl, threaded IRQ
 * handler, timeout work), which the PCI glue needs: its register accesses sleep.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "mbnaccel.h"

/* Finished jobs whose result a file keeps for WAIT; beyond this the oldest finished
 * ones are forgotten (WAIT on them: ENOENT). Unfinished jobs are never dropped. */
#define MBN_FILE_MAX_JOBS       1024
#define MBN_MAX_TIMEOUT_MS      600000
#define MBN_RESET_IDLE_MS       2000

static const char *mbn_fence_driver_name(struct dma_fence *f)
{
	return MBN_DRIVER_NAME;
}

static const char *mbn_fence_timeline_name(struct dma_fence *f)
{
	return "mbnaccel-job";
}

static const struct dma_fence_ops mbn_fence_ops = {
	.get_driver_name = mbn_fence_driver_name,
	.get_timeline_name = mbn_fence_timeline_name,
	/* .release unset: dma_fence_free() kfree_rcu()s the fence, which is the job */
};

static inline struct mbn_job *to_mbn_job(struct dma_fence *f)
{
	return container_of(f, struct mbn_job, fence);
}

static void mbn_job_put(struct mbn_job *job)
{
	dma_fence_put(&job->fence);
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

/* The job is off the engine and off the queue: record, signal, and unless @keep
 * release its resources and drop the queue's reference. @keep: the engine may still
 * DMA into them (wedged, below). Called with mdev->lock held. */
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
		dma_fence_set_error(&job->fence, fence_err[status]);
	}
	dma_fence_signal(&job->fence);
	if (!keep)
		mbn_job_put(job);
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

/* Put the next queued job on the idle engine. Called with mdev->lock held. */
static void mbn_start_next(struct mbn_device *mdev)
{
	struct mbn_job *job;
	u32 r;

	if (mdev->running || mdev->dead || mdev->wedged || list_empty(&mdev->queue))
		return;
	job = list_first_entry(&mdev->queue, struct mbn_job, node);
	list_del_init(&job->node);
	mdev->running = job;

	/* Every region is rewritten for every job: regions the job did not bind get size
	 * 0, so nothing of an earlier job stays reachable (matters with NO_VALIDATE). */
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
	mod_delayed_work(system_wq, &mdev->timeout_work, job->timeout);
	mbn_write(mdev, MBN_REG_CTRL, MBN_CTRL_START);
}

/* If the running job has finished (DONE or FAULT, engine idle), complete it and start
 * the next. Reads STATUS rather than trusting the interrupt: an MSI-X message can be
 * lost (docs/cosim.md). Called with mdev->lock held. Returns true if it completed. */
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
	cancel_delayed_work(&mdev->timeout_work);
	mbn_job_finish(mdev, job, (st & MBN_STATUS_FAULT) ? MBNACCEL_JOB_FAULT : MBNACCEL_JOB_DONE);
	return true;
}

void mbn_job_irq(struct mbn_device *mdev)
{
	u32 st;

	mutex_lock(&mdev->lock);
	if (!mdev->dead) {
		st = mbn_read(mdev, MBN_REG_IRQ_STATUS);
		if (st)
			mbn_write(mdev, MBN_REG_IRQ_STATUS, st);    /* w1c */
		if (mbn_check_running(mdev))
			mbn_start_next(mdev);
	}
	mutex_unlock(&mdev->lock);
}

/* Abort whatever the engine does and wait until it is idle: 0, or -ETIMEDOUT when
 * BUSY is still set after MBN_RESET_IDLE_MS (the engine may still move data; a lost
 * PCI mailbox reads all ones, so it lands here too). mdev->lock held. */
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
 * under a running DMA; mdev->wedged_job holds the queue's reference), abort the queue,
 * and refuse new jobs until a reset succeeds (mbn_unwedge). mdev->lock held.
 */
static void mbn_wedge(struct mbn_device *mdev, struct mbn_job *job, u32 status)
{
	struct mbn_job *q, *tmp;

	drm_err(&mdev->drm, "engine wedged: job %llu's memory is kept until a reset succeeds; SUBMIT fails with EIO\n",
		job->id);
	mdev->wedged = true;
	mdev->wedged_job = job;
	mbn_job_complete(mdev, job, status, true);
	list_for_each_entry_safe(q, tmp, &mdev->queue, node) {
		list_del_init(&q->node);
		mbn_job_finish(mdev, q, MBNACCEL_JOB_ABORTED);
	}
}

/* A wedged engine: try the reset again; once it goes idle, free the kept job's memory.
 * 0 when the engine is usable, else -EIO. mdev->lock held. */
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

static void mbn_timeout_work(struct work_struct *work)
{
	struct mbn_device *mdev = container_of(to_delayed_work(work), struct mbn_device,
					       timeout_work);
	struct mbn_job *job;
	int ret;

	mutex_lock(&mdev->lock);
	job = mdev->running;
	if (!job || mdev->dead)
		goto out;
	/* A stale timer from an earlier job: re-arm for this one. */
	if (time_before(jiffies, job->deadline)) {
		mod_delayed_work(system_wq, &mdev->timeout_work, job->deadline - jiffies);
		goto out;
	}
	if (mbn_check_running(mdev)) {
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
	mbn_start_next(mdev);
out:
	mutex_unlock(&mdev->lock);
}

void mbn_job_init_device(struct mbn_device *mdev)
{
	mutex_init(&mdev->lock);
	INIT_LIST_HEAD(&mdev->queue);
	INIT_DELAYED_WORK(&mdev->timeout_work, mbn_timeout_work);
	spin_lock_init(&mdev->fence_lock);
	atomic64_set(&mdev->fence_seqno, 0);
}

/* Device removal: stop the engine, finish everything as ABORTED. */
void mbn_job_shutdown(struct mbn_device *mdev)
{
	struct mbn_job *job, *tmp;

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
	list_for_each_entry_safe(job, tmp, &mdev->queue, node) {
		list_del_init(&job->node);
		mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
	}
	/* still wedged: one last reset; if the engine stays busy its job's memory is
	 * leaked for good (never freed under a DMA that may still run) */
	if (mdev->wedged && mbn_unwedge(mdev))
		drm_err(&mdev->drm, "engine still busy at removal: job %llu's memory is leaked\n",
			mdev->wedged_job ? mdev->wedged_job->id : 0);
	mutex_unlock(&mdev->lock);
	cancel_delayed_work_sync(&mdev->timeout_work);
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
		if (!dma_fence_is_signaled(&job->fence))
			continue;
		xa_erase(&mf->jobs, id);
		mbn_job_put(job);
		if (--n < MBN_FILE_MAX_JOBS)
			return 0;
	}
	return -EBUSY;  /* MBN_FILE_MAX_JOBS unfinished jobs of this file */
}

int mbn_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct mbn_device *mdev = to_mbn_device(drm);
	struct mbn_file *mf = file->driver_priv;
	struct drm_mbnaccel_submit *args = data;
	u32 handles[MBNACCEL_MAX_BOS];
	struct drm_syncobj *syncobj = NULL;
	struct mbn_job *job;
	unsigned int ms;
	int ret, idx;
	u64 id = 0;
	u32 i;

	if (args->flags & ~MBNACCEL_SUBMIT_NO_VALIDATE || args->reserved)
		return -EINVAL;
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
	job->owner = mf;
	INIT_LIST_HEAD(&job->node);
	for (i = 0; i < args->bo_count; i++) {
		job->bos[i] = drm_gem_object_lookup(file, handles[i]);
		if (!job->bos[i]) {
			ret = -ENOENT;
			goto out_free;
		}
		job->bo_count = i + 1;
	}

	/* The kernel's own copy: user space cannot change a descriptor after it was
	 * validated, and the hardware reads exactly what was checked. */
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

	/* From here on the fence owns the job. One context per job: jobs of different
	 * files can finish out of submission order (cancellation), so no shared
	 * timeline would be honest. */
	dma_fence_init(&job->fence, &mbn_fence_ops, &mdev->fence_lock,
		       dma_fence_context_alloc(1), 1);

	mutex_lock(&mf->lock);
	ret = mbn_file_make_room(mf);
	if (!ret) {
		id = mf->next_id++;
		job->id = id;
		ret = xa_err(xa_store(&mf->jobs, job->id, job, GFP_KERNEL));
	}
	mutex_unlock(&mf->lock);
	if (ret) {
		mbn_job_free_resources(job);
		mbn_job_put(job);
		goto out_syncobj;
	}

	if (syncobj)
		drm_syncobj_replace_fence(syncobj, &job->fence);

	mutex_lock(&mdev->lock);
	dma_fence_get(&job->fence);             /* the queue's reference */
	if (mdev->dead || mdev->wedged) {   /* wedged since the check above */
		mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
	} else {
		list_add_tail(&job->node, &mdev->queue);
		mbn_start_next(mdev);
	}
	mutex_unlock(&mdev->lock);

	/* the local copy: once mdev->lock is dropped the job can finish and a concurrent
	 * SUBMIT of this file can evict (free) it */
	args->job_id = id;
	ret = 0;
	goto out_syncobj;

out_free:
	mbn_job_free_resources(job);
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
		dma_fence_get(&job->fence);
	else
		job = NULL;
	mutex_unlock(&mf->lock);
	if (!job)
		return -ENOENT;

	now = ktime_get_ns();
	/* Lockless fast path: the acquire orders the result reads below after it (a
	 * plain dma_fence_is_signaled() test_bit has no such ordering on arm64). */
	if (!smp_load_acquire(&job->finished)) {
		if (args->timeout_ns <= now) {
			ret = -ETIMEDOUT;
		} else {
			/* +1: never return before the absolute deadline */
			u64 j = nsecs_to_jiffies64(args->timeout_ns - now) + 1;

			ret = dma_fence_wait_timeout(&job->fence, true,
						     min_t(u64, j, MAX_SCHEDULE_TIMEOUT - 1));
			if (ret == 0)
				ret = -ETIMEDOUT;
			else if (ret > 0)
				ret = 0;
			/* signaled: dma_fence_signal's test_and_set_bit is fully ordered
			 * after the result writes; order our reads after the bit's */
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

/* The file is closing (its GEM handles are already gone). Its queued jobs are
 * cancelled; a job on the engine runs to completion or times out: it holds its own BO
 * references, so nothing under the hardware is freed. */
void mbn_job_file_close(struct mbn_file *mf)
{
	struct mbn_device *mdev = mf->mdev;
	struct mbn_job *job, *tmp;
	unsigned long id;

	mutex_lock(&mdev->lock);
	list_for_each_entry_safe(job, tmp, &mdev->queue, node) {
		if (job->owner != mf)
			continue;
		list_del_init(&job->node);
		mbn_job_finish(mdev, job, MBNACCEL_JOB_ABORTED);
	}
	mutex_unlock(&mdev->lock);

	xa_for_each(&mf->jobs, id, job) {
		xa_erase(&mf->jobs, id);
		mbn_job_put(job);
	}
	xa_destroy(&mf->jobs);
}
