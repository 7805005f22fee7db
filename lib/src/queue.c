/* SPDX-License-Identifier: Apache-2.0 */
/*
 * queue.c - the asynchronous request queue behind mbn_model_submit, mbn_model_wait,
 * mbn_model_wait_any and mbn_model_completion_fd: up to MAX_QUEUE_DEPTH request slots
 * per model, each a device job (backend submit/finish, or the worker thread for
 * backends without submit) whose fd is polled with io_uring (poll(2) where io_uring is
 * unavailable), and an epoll set plus eventfd for callers with their own event loop.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "api_int.h"
#include "util.h"

static struct mbn_req *find_req(const mbn_model *m, uint64_t ticket)
{
	for (int i = 0; ticket && i < MAX_QUEUE_DEPTH; i++)
		if (m->reqs[i] && m->reqs[i]->ticket == ticket)
			return m->reqs[i];
	return NULL;
}

/* The job's fd is readable (or the caller must wait anyway): finish the job and
 * deliver the output. The request stays until collected. */
static void complete_req(mbn_model *m, struct mbn_req *q)
{
	const struct mbn_backend *be = m->dev->be;

	if (m->epoll_fd >= 0)
		epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, q->job.fd, NULL);
	int r = be->submit ? be->finish(m->dev, m->plan, &q->job) : mbn_worker_finish(m->worker, &q->job);
	/* -EAGAIN and -ENOENT mean "not collected" to the caller of a wait */
	if (r)
		snprintf(q->err, sizeof(q->err), "%s", mbn_last_error());
	if (r == -EAGAIN || r == -ENOENT)
		r = -EIO;
	q->result = r;
	if (!r && !q->discard)
		mbn_deliver_output(m, q->out_buf, q->output, q->probs);
	q->stats.wall_us = mbn_now_us() - q->t0;
	if (q->stats.host_cpu_us == 0)
		q->stats.host_cpu_us = q->stats.wall_us;
	q->done = true;
	if (m->n_done++ == 0 && m->done_efd >= 0) {
		uint64_t one = 1;
		if (write(m->done_efd, &one, sizeof(one)) < 0)
			MBN_DEBUG("eventfd write failed: %s\n", strerror(errno));
	}
}

static int collect_req(mbn_model *m, struct mbn_req *q)
{
	int r = q->result;

	m->stats = q->stats;
	m->profiled = q->profiled;
	if (q->profiled)
		memcpy(m->layer_stats, q->layer_stats, (size_t)m->g.n_layers * sizeof(*m->layer_stats));
	if (r)
		mbn_set_error(r, "%s", q->err);
	q->ticket = 0;
	q->done = false;
	m->pending--;
	if (--m->n_done == 0 && m->done_efd >= 0) {
		uint64_t v;
		if (read(m->done_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			MBN_DEBUG("eventfd read failed: %s\n", strerror(errno));
	}
	return r;
}

/* Wait until some request in flight completes or the deadline passes (deadline < 0:
 * forever) and complete every request whose fd is ready. 0, or -EAGAIN at the deadline. */
static int reap(mbn_model *m, double deadline)
{
	int timeout_ms = -1;

	if (deadline >= 0) {
		double left = deadline - mbn_now_us();
		timeout_ms = left > 0 ? (int)(left / 1000 + 0.999) : 0;
	}
	if (m->ring_ok) {
		struct io_uring_cqe *cqe;
		struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = timeout_ms % 1000 * 1000000ll };
		int r;
		do
			r = timeout_ms < 0 ? io_uring_wait_cqe(&m->ring, &cqe) : io_uring_wait_cqe_timeout(&m->ring, &cqe, &ts);
		while (r == -EINTR);
		if (r == -ETIME || r == -EAGAIN || r == -ETIMEDOUT)
			return -EAGAIN;
		if (r == 0) {
			unsigned head, n = 0;
			io_uring_for_each_cqe(&m->ring, head, cqe) {
				struct mbn_req *q = find_req(m, cqe->user_data);
				n++;
				if (q && !q->done)
					complete_req(m, q);
			}
			io_uring_cq_advance(&m->ring, n);
			return 0;
		}
		/* io_uring failed: from now on poll(2) */
		MBN_DEBUG("io_uring wait failed (%s); falling back to poll(2)\n", strerror(-r));
		m->ring_ok = false;
		io_uring_queue_exit(&m->ring);
	}
	struct pollfd pfd[MAX_QUEUE_DEPTH];
	struct mbn_req *which[MAX_QUEUE_DEPTH];
	int n = 0;
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		struct mbn_req *q = m->reqs[i];
		if (q && q->ticket && !q->done) {
			pfd[n] = (struct pollfd){ .fd = q->job.fd, .events = POLLIN };
			which[n++] = q;
		}
	}
	if (!n)
		return 0;
	int r;
	while ((r = poll(pfd, (nfds_t)n, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return -EAGAIN;
	for (int i = 0; i < n; i++)
		if (r < 0 || pfd[i].revents)
			complete_req(m, which[i]);
	return 0;
}

static int setup_ring(mbn_model *m)
{
	if (m->ring_tried)
		return 0;
	m->ring_tried = true;
	int r = io_uring_queue_init(MAX_QUEUE_DEPTH * 2, &m->ring, 0);
	if (r < 0)
		MBN_DEBUG("io_uring unavailable (%s); asynchronous requests use poll(2)\n", strerror(-r));
	m->ring_ok = r == 0;
	return 0;
}

MBN_EXPORT int mbn_model_submit(mbn_model *m, const void *input, size_t input_size, void *output,
				size_t output_size, float *probs, uint64_t *ticket)
{
	const struct mbn_backend *be;
	struct mbn_req *q = NULL;
	int r;

	if (ticket)
		*ticket = 0;
	if ((r = mbn_check_sizes(m, "mbn_model_submit", input, input_size, output, output_size)))
		return r;
	if (!ticket)
		return mbn_set_error(-EINVAL, "mbn_model_submit: ticket is NULL");
	if (m->pending >= m->depth)
		return mbn_set_error(-EBUSY, "%d requests are submitted and not collected (the queue depth); "
				     "collect one with mbn_model_wait first", m->pending);
	be = m->dev->be;
	setup_ring(m);
	if (!be->submit && !m->worker && (r = mbn_worker_create(m->dev, m->plan, &m->worker)))
		return r;
	for (int i = 0; i < MAX_QUEUE_DEPTH && !q; i++) {
		if (!m->reqs[i]) {
			struct mbn_req *n = calloc(1, sizeof(*n));
			if (n && (!(n->in_buf = malloc(m->g.in_elems)) || !(n->out_buf = malloc(m->g.out_elems)) ||
				  !(n->layer_stats = calloc((size_t)m->g.n_layers, sizeof(*n->layer_stats))))) {
				free(n->in_buf);
				free(n->out_buf);
				free(n);
				n = NULL;
			}
			if (!n)
				return mbn_set_error(-ENOMEM, "out of memory");
			m->reqs[i] = n;
		}
		if (!m->reqs[i]->ticket)
			q = m->reqs[i];
	}
	mbn_input_to_biased(m, input, q->in_buf);
	memset(&q->stats, 0, sizeof(q->stats));
	q->profiled = m->profile;
	if (q->profiled)
		mbn_init_layer_stats(m, q->layer_stats);
	memset(&q->job, 0, sizeof(q->job));
	q->job.in = q->in_buf;
	q->job.out = q->out_buf;
	q->job.stats = &q->stats;
	q->job.per_layer = q->profiled ? q->layer_stats : NULL;
	q->job.fd = -1;
	q->output = output;
	q->probs = probs;
	q->done = q->discard = false;
	q->result = 0;
	q->err[0] = 0;
	q->t0 = mbn_now_us();
	r = be->submit ? be->submit(m->dev, m->plan, &q->job) : mbn_worker_submit(m->worker, &q->job);
	if (r)
		return r;
	q->ticket = ++m->next_ticket;
	m->pending++;
	if (m->ring_ok) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&m->ring);
		if (sqe) {
			io_uring_prep_poll_add(sqe, q->job.fd, POLLIN);
			io_uring_sqe_set_data64(sqe, q->ticket);
		}
		if (!sqe || io_uring_submit(&m->ring) != 1) {
			/* cannot arm the poll: everything through poll(2) from now on */
			MBN_DEBUG("io_uring submit failed; falling back to poll(2)\n");
			m->ring_ok = false;
			io_uring_queue_exit(&m->ring);
		}
	}
	if (m->epoll_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = q->ticket };
		epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, q->job.fd, &ev);
	}
	MBN_DEBUG("submitted request %llu (fd %d, %d pending)\n", (unsigned long long)q->ticket, q->job.fd, m->pending);
	*ticket = q->ticket;
	return 0;
}

MBN_EXPORT int mbn_model_wait(mbn_model *m, uint64_t ticket, int timeout_ms)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_wait: NULL model");
	struct mbn_req *q = find_req(m, ticket);
	if (!q)
		return mbn_set_error(-ENOENT, "ticket %llu is unknown or already collected", (unsigned long long)ticket);
	double deadline = timeout_ms < 0 ? -1 : mbn_now_us() + timeout_ms * 1e3;
	while (!q->done) {
		if (reap(m, deadline) == -EAGAIN && !q->done)
			return mbn_set_error(-EAGAIN, "request %llu is not complete after %d ms", (unsigned long long)ticket,
					     timeout_ms);
	}
	return collect_req(m, q);
}

MBN_EXPORT int mbn_model_wait_any(mbn_model *m, int timeout_ms, uint64_t *ticket)
{
	if (ticket)
		*ticket = 0;
	if (!m || !ticket)
		return mbn_set_error(-EINVAL, "mbn_model_wait_any: NULL argument");
	if (!m->pending)
		return mbn_set_error(-ENOENT, "no request is submitted and uncollected");
	double deadline = timeout_ms < 0 ? -1 : mbn_now_us() + timeout_ms * 1e3;
	for (;;) {
		struct mbn_req *best = NULL;
		for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
			struct mbn_req *q = m->reqs[i];
			if (q && q->ticket && q->done && (!best || q->ticket < best->ticket))
				best = q;
		}
		if (best) {
			*ticket = best->ticket;
			return collect_req(m, best);
		}
		if (reap(m, deadline) == -EAGAIN && !m->n_done)
			return mbn_set_error(-EAGAIN, "no request completed within %d ms", timeout_ms);
	}
}

MBN_EXPORT int mbn_model_completion_fd(mbn_model *m)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_completion_fd: NULL model");
	if (m->epoll_fd >= 0)
		return m->epoll_fd;
	/* an epoll set of every in-flight job's fd, plus an eventfd that is non-zero while
	 * completed requests wait to be collected */
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = eventfd(m->n_done ? 1 : 0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 };
	if (ep < 0 || efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev)) {
		int e = errno;
		if (ep >= 0)
			close(ep);
		if (efd >= 0)
			close(efd);
		return mbn_set_error(-e, "cannot create the completion fd: %s", strerror(e));
	}
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		struct mbn_req *q = m->reqs[i];
		if (q && q->ticket && !q->done) {
			ev.data.u64 = q->ticket;
			epoll_ctl(ep, EPOLL_CTL_ADD, q->job.fd, &ev);
		}
	}
	m->epoll_fd = ep;
	m->done_efd = efd;
	return ep;
}

MBN_EXPORT int mbn_model_set_queue_depth(mbn_model *m, int depth)
{
	if (!m)
		return mbn_set_error(-EINVAL, "mbn_model_set_queue_depth: NULL model");
	if (depth < 1 || depth > MAX_QUEUE_DEPTH)
		return mbn_set_error(-EINVAL, "queue depth %d: expected 1..%d", depth, MAX_QUEUE_DEPTH);
	if (depth < m->pending)
		return mbn_set_error(-EBUSY, "queue depth %d: %d requests are outstanding", depth, m->pending);
	m->depth = depth;
	return 0;
}

MBN_EXPORT int mbn_model_pending(const mbn_model *m)
{
	return m ? m->pending : mbn_set_error(-EINVAL, "mbn_model_pending: NULL model");
}

void mbn_queue_free(mbn_model *m)
{
	/* requests in flight: wait for them (the device may still write their buffers) */
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		struct mbn_req *q = m->reqs[i];
		if (q && q->ticket && !q->done) {
			q->discard = true;
			complete_req(m, q);
		}
	}
	mbn_worker_destroy(m->worker);
	if (m->ring_ok)
		io_uring_queue_exit(&m->ring);
	if (m->epoll_fd >= 0)
		close(m->epoll_fd);
	if (m->done_efd >= 0)
		close(m->done_efd);
	for (int i = 0; i < MAX_QUEUE_DEPTH; i++) {
		if (!m->reqs[i])
			continue;
		free(m->reqs[i]->in_buf);
		free(m->reqs[i]->out_buf);
		free(m->reqs[i]->layer_stats);
		free(m->reqs[i]);
	}
}
