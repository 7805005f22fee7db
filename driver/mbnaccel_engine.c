// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_engine.c - the engine's registers as the jobs use them: programming the
 * region table and starting a job, completion from the interrupt (STATUS, fault
 * registers, counters into the job's result), the timeout's engine side, CTRL.RESET and
 * the wedged state it can leave, the reset at probe and the stop at removal or
 * shutdown.
 *
 * Locking: mdev->lock (see mbnaccel_job.c) is held around every register sequence
 * here: the entry points from outside the job code (the interrupt, probe, removal)
 * take it, the others are called with it held. All of it runs in process context: the
 * PCI glue's register accesses sleep.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <drm/drm_print.h>

#include "mbnaccel.h"

#define MBN_RESET_IDLE_MS       2000

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
void mbn_engine_start(struct mbn_device *mdev, struct mbn_job *job)
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
void mbn_engine_irq(struct mbn_device *mdev)
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
 * a reset succeeds (mbn_engine_unwedge). Jobs already queued are aborted by run_job
 * while the device is wedged. mdev->lock held.
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
int mbn_engine_unwedge(struct mbn_device *mdev)
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

/* @job was running at its deadline; the scheduler is parked (mbn_sched_timedout_job).
 * A job that completed meanwhile, or whose completion only lacked the interrupt, ends
 * normally; else the engine is reset and the job ends as TIMEOUT (kept if the reset
 * leaves the engine busy: mbn_wedge). mdev->lock held.
 */
void mbn_engine_timeout(struct mbn_device *mdev, struct mbn_job *job)
{
	int ret;

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
}

/*
 * Probe: a previous owner (an earlier driver instance, a bootloader, the kernel before
 * a kexec) may have left a job running. Reset the engine and wait until it is idle
 * before user space can reach it. If it stays busy it may still move data into memory
 * we know nothing about: come up wedged (no job of ours to keep), so SUBMIT fails with
 * EIO and GET_PARAM WEDGED reads 1 until a retried reset succeeds. The probe itself
 * does not fail: the device stays visible, and its state is reported.
 */
void mbn_engine_probe_reset(struct mbn_device *mdev)
{
	mutex_lock(&mdev->lock);
	if (mbn_engine_reset(mdev)) {
		drm_err(&mdev->drm, "engine wedged at probe: busy after reset; SUBMIT fails with EIO until a reset succeeds\n");
		mdev->wedged = true;
	}
	mutex_unlock(&mdev->lock);
}

/* Device removal (or system shutdown): stop the engine, end the running job as
 * ABORTED. Jobs the scheduler still has end as ABORTED in run_job (mdev->dead).
 */
void mbn_engine_shutdown(struct mbn_device *mdev)
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
	if (mdev->wedged && mbn_engine_unwedge(mdev))
		drm_err(&mdev->drm, "engine still busy at removal: job %llu's memory is leaked\n",
			mdev->wedged_job ? mdev->wedged_job->id : 0);
	mutex_unlock(&mdev->lock);
}
