// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_sched.c - the drm_sched backend: one scheduler (the engine is one ring of
 * one job) with run_job, timedout_job (a tick that checks the running job's own
 * deadline) and free_job, its setup and teardown with the DRM device; and each file's
 * side of it: the entity, the queue of jobs not yet handed to the scheduler (struct
 * mbn_queue: one job per file in the scheduler at a time, for fairness), from open to
 * close.
 *
 * The scheduler is never stopped (drm_sched_stop) with mdev->lock held: stopping waits
 * for a run_job that may be waiting for the lock.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include "mbnaccel.h"

#ifndef MBN_HAVE_SCHED_INIT_ARGS
#error "drm_sched_init() with struct drm_sched_init_args is required (Kbuild probe)"
#endif

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
/* How long a file's close waits for the scheduler to free the file's finished jobs
 * (mbn_queue_drain): free_job follows a completion within a tick or so.
 */
#define MBN_CLOSE_DRAIN_MS      (4 * MBN_SCHED_TICK_MS)

static inline struct mbn_job *to_mbn_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct mbn_job, base);
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
		mbn_engine_start(mdev, job);
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
	mbn_engine_timeout(mdev, job);
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

int mbn_sched_init_device(struct mbn_device *mdev)
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

/* ---- per-file queues and entities */

static void mbn_queue_release(struct kref *ref)
{
	struct mbn_queue *q = container_of(ref, struct mbn_queue, ref);

	mutex_destroy(&q->lock);
	kfree(q);
}

/* A put that leaves the queue alive wakes mbn_queue_drain (which holds a reference,
 * so the queue is not freed under it).
 */
void mbn_queue_put(struct mbn_queue *q)
{
	if (!kref_put(&q->ref, mbn_queue_release))
		wake_up_var(q);
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

/* A new job of the file: behind the file's job in the scheduler, if there is one, else
 * to the scheduler now. mf->lock held (the file's submission order).
 */
void mbn_queue_add(struct mbn_queue *q, struct mbn_job *job)
{
	mutex_lock(&q->lock);
	if (q->busy) {
		list_add_tail(&job->qnode, &q->pending);
	} else {
		q->busy = true;
		mbn_job_push(job);
	}
	mutex_unlock(&q->lock);
}

/* The file's job in the scheduler is finished: hand it the next one. Called from
 * mbn_job_complete (mdev->lock held).
 */
void mbn_queue_next(struct mbn_queue *q)
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

int mbn_sched_file_open(struct mbn_file *mf)
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

/*
 * Every job holds its file's queue until it is released, and its fence holds a module
 * reference (mbn_fence_create). A finished job is released by the scheduler's free_job,
 * which runs asynchronously after the completion (6.12: the scheduler's free work; 6.1:
 * its thread, which frees nothing while the timeout work runs, so up to a tick later):
 * without this wait a process could exit, and rmmod right after it fail with EBUSY,
 * though nothing used the device any more (CI of 2026-12-06; one rmmod in ten right
 * after mbn-drmtest --unsafe in a 6.12 guest). So the close waits, bounded, for the
 * queue's other references to go: a job cancelled by the entity's teardown or finished
 * and not yet freed. A job still on the engine (it may run until max_job_timeout_ms)
 * or kept by a wedged engine is not waited for: it holds the module, rightly, until it
 * is freed.
 */
static void mbn_queue_drain(struct mbn_device *mdev, struct mbn_queue *q)
{
	bool busy;

	mutex_lock(&mdev->lock);
	busy = (mdev->running && mdev->running->q == q) ||
	       (mdev->wedged_job && mdev->wedged_job->q == q);
	mutex_unlock(&mdev->lock);
	if (busy)
		return;
	if (!wait_var_event_timeout(q, kref_read(&q->ref) == 1,
				    msecs_to_jiffies(MBN_CLOSE_DRAIN_MS)))
		drm_dbg(&mdev->drm, "close: %u jobs of the file not freed yet\n",
			kref_read(&q->ref) - 1);
}

/* The file is closing (its GEM handles are already gone). Its queued jobs are
 * cancelled (drm_sched_entity_fini, without the flush that would run them first); a
 * job on the engine runs to completion or times out: it holds its own BO references,
 * so nothing under the hardware is freed.
 */
void mbn_sched_file_close(struct mbn_file *mf)
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
	mbn_queue_drain(mdev, mf->q);
	mbn_queue_put(mf->q);
}
