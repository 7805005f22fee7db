/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_dev.c - the accelerator device layer shared by sim and drm (accel_dev.h): a
 * model's device buffers, the jobs of one inference and the host's part between them,
 * per-layer profiling, the counters and the job failure messages.
 *
 * An inference is: the host's part before segment 0 (accel.h mbn_accel_host_step), the
 * jobs of segment 0, the host's part before segment 1, ..., the CPU tail. A segment is
 * one job, or with per-layer profiling one job per layer that has descriptors (a
 * pointwise layer fused into the depthwise layer before it runs in that layer's job), so
 * each job's counters are one layer's. start() runs up to submitting segment 0's jobs;
 * end() waits for them and does the rest, so a device with native asynchronous jobs
 * (drm) can hand out a completion fd in between.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/accel_dev.h"
#include "mbn_regs.h"
#include "util.h"

/* A model on an accelerator device (the backend's plan). */
struct accel_model {
	const struct mbn_graph *g;
	struct accel_host h;          /* plan + CPU-tail buffers (accel.h) */
	struct accel_buf cbuf;        /* the CONST region */
	struct accel_act *free_acts;  /* ACT buffers not in use */
};

/* One job of the segment in flight. */
struct req_job {
	uint64_t id;
	int layer;                    /* profiling: whose counters these are */
	struct accel_job_desc d;
};

/* One request (mbn_job.priv): its ACT buffer and the jobs of the segment in flight. */
struct accel_req {
	struct accel_act *act;
	int n_jobs;                   /* jobs of the segment */
	int n_started;                /* of those, submitted to the device */
	struct req_job job[];         /* room for the jobs of one segment at most */
};

static struct accel_dev *accel_dev_of(struct mbn_device *dev)
{
	return dev->priv;
}

/* ---- buffers ---------------------------------------------------------------------- */

static int act_get(struct accel_dev *ad, struct accel_model *m, struct accel_act **out)
{
	struct accel_act *a = m->free_acts;
	int r;

	if (a) {
		m->free_acts = a->next;
		*out = a;
		return 0;
	}
	if ((r = ad->ops->act_alloc(ad, m->h.ap.act_size, &a)))
		return r;
	*out = a;
	return 0;
}

static void act_put(struct accel_model *m, struct accel_act *a)
{
	a->next = m->free_acts;
	m->free_acts = a;
}

/* ---- models ----------------------------------------------------------------------- */

void mbn_accel_dev_release(struct mbn_device *dev, void *plan)
{
	struct accel_dev *ad = accel_dev_of(dev);
	struct accel_model *m = plan;

	if (m->cbuf.map)
		ad->ops->buf_free(ad, &m->cbuf);
	while (m->free_acts) {
		struct accel_act *a = m->free_acts;
		m->free_acts = a->next;
		ad->ops->act_free(ad, a);
	}
	mbn_accel_host_free(&m->h);
	free(m);
}

int mbn_accel_dev_compile(struct mbn_device *dev, const struct mbn_graph *g, void **plan)
{
	struct accel_dev *ad = accel_dev_of(dev);
	struct accel_model *m = calloc(1, sizeof(*m));
	const struct accel_plan *ap;
	int r;

	if (!m)
		return mbn_set_error(-ENOMEM, "out of memory");
	ap = &m->h.ap;
	m->g = g;
	if ((r = mbn_accel_host_init(&m->h, g, &ad->caps))) {
		free(m);
		return r;
	}
	for (int k = 0; k < ap->n_seg && ad->ops->max_job_descs; k++)
		if (ap->seg[k].n_desc > ad->ops->max_job_descs) {
			r = mbn_set_error(-ENOTSUP, "the model needs %u descriptors in one job, %s takes at most %u",
					  ap->seg[k].n_desc, ad->name, ad->ops->max_job_descs);
			mbn_accel_dev_release(dev, m);
			return r;
		}
	if (ap->n_seg) {
		struct accel_act *a;
		if ((r = ad->ops->buf_alloc(ad, ap->const_size, "constant buffer (descriptors, weights)", &m->cbuf))) {
			mbn_accel_dev_release(dev, m);
			return r;
		}
		memcpy(m->cbuf.map, ap->const_img, ap->const_size);
		/* one activation buffer now, so that a model that does not fit fails here */
		if ((r = act_get(ad, m, &a))) {
			mbn_accel_dev_release(dev, m);
			return r;
		}
		act_put(m, a);
	}
	*plan = m;
	return 0;
}

bool mbn_accel_dev_layer_on_accel(struct mbn_device *dev, void *plan, int i)
{
	return ((struct accel_model *)plan)->h.ap.layers[i].on_accel;
}

const char *mbn_accel_dev_layer_cpu_reason(struct mbn_device *dev, void *plan, int i)
{
	return ((struct accel_model *)plan)->h.ap.layers[i].cpu_reason;
}

/* ---- one job's end ---------------------------------------------------------------- */

static void counters_add(struct mbn_layer_stats *st, const struct accel_counters *c)
{
	st->cycles += c->cycles;
	st->dram_read_bytes += c->dma_rd_bytes;
	st->dram_write_bytes += c->dma_wr_bytes;
	st->stall_cycles += c->stall;
	st->mac_ops += c->mac_active;
	st->pw_busy += c->pw_busy;
	st->dw_busy += c->dw_busy;
}

/* A job's result: its counters added to *st, or the message of its failure. */
static int job_result(const struct accel_dev *ad, const struct req_job *j, const struct accel_job_result *res,
		      struct mbn_layer_stats *st)
{
	switch (res->status) {
	case ACCEL_JOB_DONE:
		counters_add(st, &res->cnt);
		return 0;
	case ACCEL_JOB_FAULT:
		return mbn_set_error(-EIO, "accelerator fault: %s (code %u) at descriptor %u, offset 0x%x",
				     mbn_accel_fault_name(res->fault_code), res->fault_code, j->d.first + res->fault_desc,
				     res->fault_offset);
	case ACCEL_JOB_TIMEOUT:
		return mbn_set_error(-ETIMEDOUT, "the accelerator did not finish within %s (hung?); engine reset "
				     "(%u descriptors done)", res->limit, res->desc_done);
	case ACCEL_JOB_ABORTED:
		return mbn_set_error(-ECANCELED, "%s: job %llu was aborted (device removed or reset before it ran)", ad->name,
				     (unsigned long long)j->id);
	default:
		return mbn_set_error(-EIO, "%s: job %llu: unknown status %u", ad->name, (unsigned long long)j->id,
				     res->raw_status);
	}
}

/* ---- the jobs of a segment -------------------------------------------------------- */

static void req_free(struct accel_model *m, struct mbn_job *job)
{
	struct accel_req *q = job->priv;

	if (job->fd >= 0)
		close(job->fd);
	job->fd = -1;
	if (q) {
		if (q->act)
			act_put(m, q->act);
		free(q);
	}
	job->priv = NULL;
}

/* A job binds the model's CONST buffer and the request's ACT buffer. */
static void seg_add(struct accel_req *q, const struct accel_model *m, int layer, uint32_t first, uint32_t count,
		    uint64_t budget)
{
	struct req_job *j = &q->job[q->n_jobs++];

	j->layer = layer;
	j->d.region[ACCEL_REGION_CONST] = &m->cbuf;
	j->d.region[ACCEL_REGION_ACT] = &q->act->buf;
	j->d.descs = m->h.ap.const_img + (size_t)first * MBN_DESC_BYTES;
	j->d.first = first;
	j->d.count = count;
	j->d.budget = budget;
	j->d.signal = NULL;
}

/* Segment k's jobs: one, or one per layer with descriptors when profiling; the last one
 * signals `signal` (NULL: none). A queued device gets them all now; on the others each
 * starts in seg_wait() once the one before it has ended. */
static int seg_submit(struct accel_dev *ad, struct accel_model *m, struct mbn_job *job, int k, struct accel_act *signal)
{
	struct accel_req *q = job->priv;
	const struct accel_segment *sg = &m->h.ap.seg[k];
	int r = 0;

	q->n_jobs = q->n_started = 0;
	if (!job->per_layer) {
		seg_add(q, m, sg->first, sg->first_desc, sg->n_desc, sg->cycle_budget);
	} else {
		/* a pointwise layer fused into the depthwise layer before it has no
		 * descriptors of its own (the depthwise layer's job runs both) */
		for (int i = sg->first; i < sg->end; i++) {
			const struct accel_layer *al = &m->h.ap.layers[i];
			if (al->n_desc)
				seg_add(q, m, i, al->first_desc, al->n_desc, al->cycle_budget);
		}
	}
	if (q->n_jobs) /* (always: a segment starts with a layer that has descriptors) */
		q->job[q->n_jobs - 1].d.signal = signal;
	while (ad->ops->queued && !r && q->n_started < q->n_jobs) {
		struct req_job *j = &q->job[q->n_started];
		if (!(r = ad->ops->submit(ad, &j->d, &j->id)))
			q->n_started++;
	}
	return r;
}

/*
 * Wait for the segment's jobs, adding their counters to the layers' (profiling) and to
 * *total; on a device that does not queue, start each first. The first failure is
 * returned, with its message; after it, jobs already submitted are still waited for (they
 * use the ACT buffer) and no other one starts. drain: only wait for the submitted ones.
 */
static int seg_wait(struct accel_dev *ad, struct accel_model *m, struct mbn_job *job, struct mbn_layer_stats *total,
		    bool drain)
{
	struct accel_req *q = job->priv;
	struct mbn_layer_stats dummy = { 0 };
	char err[512] = "";
	int r = 0;

	for (int k = 0; k < q->n_jobs; k++) {
		struct req_job *j = &q->job[k];
		struct mbn_layer_stats *st = job->per_layer ? &job->per_layer[j->layer] : total;
		struct accel_job_result res;
		int e;

		if (k >= q->n_started) {
			if (r || drain || ad->ops->queued)
				break;
			if ((e = ad->ops->submit(ad, &j->d, &j->id))) {
				r = e;
				snprintf(err, sizeof(err), "%s", mbn_last_error());
				break;
			}
			q->n_started++;
		}
		memset(&res, 0, sizeof(res));
		e = ad->ops->wait(ad, j->id, &res);
		if (!e)
			e = job_result(ad, j, &res, r ? &dummy : st);
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
	q->n_jobs = q->n_started = 0;
	return r ? mbn_set_error(r, "%s", err) : 0;
}

/* ---- one inference ---------------------------------------------------------------- */

/* The host's part before the first segment, then its jobs; with want_fd, job->fd becomes
 * readable when they are done. The remaining segments run in req_end(): each needs the
 * host's part before it. */
static int req_start(struct accel_dev *ad, struct accel_model *m, struct mbn_job *job, bool want_fd)
{
	const struct accel_plan *ap = &m->h.ap;
	int cap = job->per_layer ? m->g->n_layers : 1;
	struct accel_req *q = calloc(1, sizeof(*q) + (size_t)cap * sizeof(q->job[0]));
	int r = 0;

	job->fd = -1;
	job->priv = q;
	if (!q)
		return mbn_set_error(-ENOMEM, "out of memory");
	if (job->per_layer)
		mbn_accel_host_mark(&m->h, job->per_layer);
	if (!ap->n_seg) {
		/* nothing for the accelerator: the whole model runs on the CPU in req_end */
		if (want_fd && (job->fd = eventfd(1, EFD_CLOEXEC)) < 0) {
			r = mbn_set_error(-errno, "cannot create an eventfd: %s", strerror(errno));
			req_free(m, job);
		}
		return r;
	}
	if ((r = act_get(ad, m, &q->act))) {
		req_free(m, job);
		return r;
	}
	mbn_accel_host_step(&m->h, m->g, 0, job->in, q->act->buf.map, job->per_layer, &job->stats->host_cpu_us);
	r = seg_submit(ad, m, job, 0, want_fd ? q->act : NULL);
	if (!r && want_fd)
		r = ad->ops->signal_fd(ad, q->act, &job->fd);
	if (r) {
		/* the jobs already queued use the ACT buffer: let them end before reusing it */
		struct mbn_layer_stats dummy = { 0 };
		struct mbn_layer_stats *pl = job->per_layer;
		char err[512];
		snprintf(err, sizeof(err), "%s", mbn_last_error());
		job->per_layer = NULL;
		seg_wait(ad, m, job, &dummy, true);
		job->per_layer = pl;
		mbn_set_error(r, "%s", err);
		req_free(m, job);
	}
	return r;
}

/* Wait for the first segment's jobs (already complete on the asynchronous path), run the
 * host's part and the jobs of each further segment, then the CPU tail; fill the stats and
 * the output, give everything back. */
static int req_end(struct accel_dev *ad, struct accel_model *m, struct mbn_job *job)
{
	struct accel_req *q = job->priv;
	const struct accel_plan *ap = &m->h.ap;
	struct mbn_layer_stats total = { 0 };
	uint8_t *act = q->act ? q->act->buf.map : NULL;
	int r = 0;

	for (int k = 0;; k++) {
		if (k > 0 || ap->n_seg) {
			if ((r = seg_wait(ad, m, job, &total, false)))
				break;
		}
		const uint8_t *res = mbn_accel_host_step(&m->h, m->g, k + (ap->n_seg ? 1 : 0), job->in, act,
							 job->per_layer, &job->stats->host_cpu_us);
		if (k + 1 >= ap->n_seg) {
			memcpy(job->out, res, m->g->out_elems);
			break;
		}
		if ((r = seg_submit(ad, m, job, k + 1, NULL)))
			break;
	}
	if (r) {
		char err[512];
		snprintf(err, sizeof(err), "%s", mbn_last_error());
		seg_wait(ad, m, job, &total, true); /* (a partly submitted segment) */
		req_free(m, job);
		return mbn_set_error(r, "%s", err);
	}
	job->stats->accel_cycles = total.cycles;
	job->stats->dram_read_bytes = total.dram_read_bytes;
	job->stats->dram_write_bytes = total.dram_write_bytes;
	req_free(m, job);
	return 0;
}

int mbn_accel_dev_run(struct mbn_device *dev, void *plan, const uint8_t *in, uint8_t *out,
		      struct mbn_run_stats *stats, struct mbn_layer_stats *per_layer)
{
	struct mbn_job job = { .in = in, .out = out, .stats = stats, .per_layer = per_layer, .fd = -1 };
	int r = req_start(accel_dev_of(dev), plan, &job, false);

	return r ? r : req_end(accel_dev_of(dev), plan, &job);
}

int mbn_accel_dev_submit(struct mbn_device *dev, void *plan, struct mbn_job *job)
{
	return req_start(accel_dev_of(dev), plan, job, true);
}

int mbn_accel_dev_finish(struct mbn_device *dev, void *plan, struct mbn_job *job)
{
	return req_end(accel_dev_of(dev), plan, job);
}
