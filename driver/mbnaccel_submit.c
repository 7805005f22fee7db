// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_submit.c - the job ioctls. SUBMIT, a function per step (mbn_submit_*): the
 * arguments and handle arrays, the BO lookup, the kernel's copy of the descriptors, its
 * validation, the fences (the job's own, in-syncobjs, implicit sync through the BOs'
 * reservation objects) and the commit (the file's job table, out_syncobj, the queue).
 * WAIT: a job's result, by id, with an absolute deadline.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
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
#include <drm/gpu_scheduler.h>

#include "mbnaccel.h"

/* Finished jobs whose result a file keeps for WAIT; beyond this the oldest finished
 * ones are forgotten (WAIT on them: ENOENT). Unfinished jobs are never dropped.
 */
#define MBN_FILE_MAX_JOBS       1024
#define MBN_MAX_TIMEOUT_MS      600000

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

/* A job's distinct BOs, their reservation objects locked (mbn_job_lock_resv). */
struct mbn_resv_set {
	struct drm_gem_object *objs[MBNACCEL_MAX_BOS];
	int n;
	struct ww_acquire_ctx ctx;
};

/*
 * Implicit sync: the job waits for the fences in its BOs' reservation objects and, once
 * it is committed, puts its own there with write usage (the kernel does not know which
 * BOs a job writes), so jobs sharing a BO run in submission order whatever their files.
 * Locks the (distinct) objects into @resv; they stay locked until mbn_job_unlock_resv.
 */
static int mbn_job_lock_resv(struct mbn_job *job, struct mbn_resv_set *resv)
{
	struct drm_gem_object **objs = resv->objs;
	int i, k, ret;

	resv->n = 0;
	for (i = 0; i < job->bo_count; i++) {
		for (k = 0; k < resv->n && objs[k] != job->bos[i]; k++)
			;
		if (k == resv->n)    /* the same BO may be bound to two regions: lock it once */
			objs[resv->n++] = job->bos[i];
	}
	ret = drm_gem_lock_reservations(objs, resv->n, &resv->ctx);
	if (ret)
		return ret;
	for (i = 0; i < resv->n; i++) {
		ret = dma_resv_reserve_fences(objs[i]->resv, 1);
		if (!ret)
			ret = drm_sched_job_add_implicit_dependencies(&job->base, objs[i], true);
		if (ret) {
			drm_gem_unlock_reservations(objs, resv->n, &resv->ctx);
			return ret;
		}
	}
	return 0;
}

/* @fence: the committed job's, added to every object; NULL: the job was not committed. */
static void mbn_job_unlock_resv(struct mbn_resv_set *resv, struct dma_fence *fence)
{
	int i;

	for (i = 0; fence && i < resv->n; i++)
		dma_resv_add_fence(resv->objs[i]->resv, fence, DMA_RESV_USAGE_WRITE);
	drm_gem_unlock_reservations(resv->objs, resv->n, &resv->ctx);
}

/* SUBMIT's step 1, before anything is looked up: the flags, reserved fields, counts and
 * timeout (EINVAL; NO_VALIDATE without the right: EPERM), then the handle arrays.
 */
static int mbn_submit_copy_args(const struct drm_mbnaccel_submit *args, u32 *handles,
				u32 *in_handles)
{
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
	return 0;
}

/* Step 2: BO i is bound to region i; the job holds a reference on each. */
static int mbn_submit_lookup_bos(struct mbn_job *job, struct drm_file *file, const u32 *handles,
				 u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		job->bos[i] = drm_gem_object_lookup(file, handles[i]);
		if (!job->bos[i])
			return -ENOENT;
		job->bo_count = i + 1;
	}
	return 0;
}

/* Step 3: the kernel's own copy: user space cannot change a descriptor after it was
 * validated, and the hardware reads exactly what was checked.
 */
static int mbn_submit_copy_descs(struct mbn_device *mdev, struct mbn_file *mf,
				 struct mbn_job *job, const struct drm_mbnaccel_submit *args)
{
	int ret;

	job->desc_count = args->desc_count;
	job->desc_size = (size_t)args->desc_count * MBNACCEL_DESC_BYTES;
	ret = mbn_pin_charge(mdev, mf->acct, job->desc_size);
	if (ret)
		return ret;
	job->acct = mf->acct;
	job->desc_cpu = dma_alloc_coherent(mdev->drm.dev, job->desc_size, &job->desc_dma,
					   GFP_KERNEL | __GFP_NOWARN);
	if (!job->desc_cpu)
		return -ENOMEM;
	if (copy_from_user(job->desc_cpu, u64_to_user_ptr(args->descs), job->desc_size))
		return -EFAULT;
	return 0;
}

/* Step 4: the validation (mbnaccel_validate.c), unless unsafe_test_mode's NO_VALIDATE. */
static int mbn_submit_validate(struct mbn_device *mdev, struct mbn_job *job, u32 flags)
{
	if (!(flags & MBNACCEL_SUBMIT_NO_VALIDATE))
		return mbn_validate(mdev, job);
	/* the hardware's checks alone guard memory now: say so in oopses */
	pr_warn_once("mbnaccel: unvalidated job submitted (unsafe_test_mode), tainting kernel\n");
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	return 0;
}

/* The job's timeout in jiffies: SUBMIT's timeout_ms, else job_timeout_ms. */
static unsigned long mbn_submit_timeout(u32 timeout_ms)
{
	unsigned int ms;

	/* capped: one client must not hold the engine for longer than the admin allows */
	ms = timeout_ms ? timeout_ms : READ_ONCE(mbn_job_timeout_ms);
	ms = min(ms, READ_ONCE(mbn_max_job_timeout_ms));
	if (!ms || ms > MBN_MAX_TIMEOUT_MS)
		ms = 20000;
	return msecs_to_jiffies(ms);
}

/*
 * Step 5, the fences: the job's own (job->done, put with the job on failure), its
 * scheduler job, and what it waits for: the in-syncobjs and, implicitly, the fences in
 * its BOs' reservation objects, which stay locked in @resv for mbn_submit_commit.
 */
static int mbn_submit_fences(struct mbn_job *job, struct mbn_file *mf, struct drm_file *file,
			     const u32 *in_handles, u32 in_count, struct mbn_resv_set *resv)
{
	int ret;
	u32 i;

	job->done = mbn_fence_create();
	if (!job->done)
		return -ENOMEM;
#if defined(MBN_HAVE_SCHED_CLIENT_ID)
	ret = drm_sched_job_init(&job->base, &mf->entity, 1, mf, file->client_id);
#elif defined(MBN_HAVE_SCHED_CREDITS)
	ret = drm_sched_job_init(&job->base, &mf->entity, 1, mf);
#else
	ret = drm_sched_job_init(&job->base, &mf->entity, mf);
#endif
	if (ret)
		return ret;
	for (i = 0; i < in_count; i++) {
		ret = mbn_job_add_in_syncobj(job, file, in_handles[i]);
		if (ret)
			goto out_cleanup;
	}
	ret = mbn_job_lock_resv(job, resv);
	if (ret)
		goto out_cleanup;
	return 0;

out_cleanup:
	drm_sched_job_cleanup(&job->base);      /* drops the dependencies */
	return ret;
}

/*
 * Step 6, the commit: from here on the job is refcounted: the table's reference, then the
 * scheduler's (also while it waits in mf->q). mf->lock keeps the ids in submission
 * order. The job gets its id (*@id) in the file's table, its fence goes into the BOs'
 * reservation objects (unlocked here) and out_syncobj, and it joins the file's queue.
 * On failure the job is freed.
 */
static int mbn_submit_commit(struct mbn_file *mf, struct mbn_job *job,
			     struct mbn_resv_set *resv, struct drm_syncobj *syncobj, u64 *id)
{
	int ret;

	kref_init(&job->ref);
	kref_get(&mf->q->ref);
	job->q = mf->q;
	mutex_lock(&mf->lock);
	ret = mbn_file_make_room(mf);
	if (!ret) {
		*id = mf->next_id;
		job->id = *id;
		ret = xa_err(xa_store(&mf->jobs, job->id, job, GFP_KERNEL));
	}
	if (ret) {
		mutex_unlock(&mf->lock);
		mbn_job_unlock_resv(resv, NULL);
		drm_sched_job_cleanup(&job->base);
		mbn_job_free_resources(job);
		mbn_job_put(job);
		return ret;
	}
	mf->next_id++;
	kref_get(&job->ref);
	mbn_job_unlock_resv(resv, job->done);
	if (syncobj)
		drm_syncobj_replace_fence(syncobj, job->done);
	mbn_queue_add(mf->q, job);
	mutex_unlock(&mf->lock);
	return 0;
}

int mbn_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct mbn_device *mdev = to_mbn_device(drm);
	struct mbn_file *mf = file->driver_priv;
	struct drm_mbnaccel_submit *args = data;
	u32 handles[MBNACCEL_MAX_BOS], in_handles[MBNACCEL_MAX_IN_SYNCOBJS];
	struct mbn_resv_set resv;
	struct drm_syncobj *syncobj = NULL;
	struct mbn_job *job;
	int ret, idx;
	u64 id = 0;

	ret = mbn_submit_copy_args(args, handles, in_handles);
	if (ret)
		return ret;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	/* a wedged engine (mbn_wedge) takes no job until a reset succeeds: retry it */
	mutex_lock(&mdev->lock);
	ret = mbn_engine_unwedge(mdev);
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
	ret = mbn_submit_lookup_bos(job, file, handles, args->bo_count);
	if (ret)
		goto out_free;
	ret = mbn_submit_copy_descs(mdev, mf, job, args);
	if (ret)
		goto out_free;
	ret = mbn_submit_validate(mdev, job, args->flags);
	if (ret)
		goto out_free;
	if (args->out_syncobj) {
		syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!syncobj) {
			ret = -ENOENT;
			goto out_free;
		}
	}
	job->timeout = mbn_submit_timeout(args->timeout_ms);
	ret = mbn_submit_fences(job, mf, file, in_handles, args->in_syncobj_count, &resv);
	if (ret)
		goto out_free;
	/* Committed, or freed on failure. id is a local copy: once mf->lock is dropped
	 * the job can finish and a concurrent SUBMIT of this file can evict (free) it.
	 */
	ret = mbn_submit_commit(mf, job, &resv, syncobj, &id);
	if (!ret)
		args->job_id = id;
	goto out_syncobj;

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
