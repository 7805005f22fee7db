/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker.c - asynchronous jobs for backends that only run synchronously (cpu, sim):
 * one thread per model takes the jobs in submission order, calls the backend's run()
 * (holding the device lock for exclusive backends) and signals the job's eventfd, which
 * api.c polls with io_uring like any other completion fd. The error message of a
 * failed job is carried to the thread that collects it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/backend.h"
#include "util.h"

struct mbn_worker {
	struct mbn_device *dev;
	void *plan;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mbn_job *head, *tail;
	bool stop;
};

static void *worker_main(void *arg)
{
	struct mbn_worker *w = arg;
	const struct mbn_backend *be = w->dev->be;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head)
			break;
		struct mbn_job *job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);

		if (be->exclusive)
			pthread_mutex_lock(&w->dev->lock);
		job->result = be->run(w->dev, w->plan, job->in, job->out, job->stats, job->per_layer);
		if (be->exclusive)
			pthread_mutex_unlock(&w->dev->lock);
		if (job->result)
			snprintf(job->err, sizeof(job->err), "%s", mbn_last_error());
		uint64_t one = 1;
		/* the eventfd's write is the release: api.c reads the job after reading it */
		while (write(job->fd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int mbn_worker_create(struct mbn_device *dev, void *plan, struct mbn_worker **out)
{
	struct mbn_worker *w = calloc(1, sizeof(*w));
	int e;

	if (!w)
		return mbn_set_error(-ENOMEM, "out of memory");
	w->dev = dev;
	w->plan = plan;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if ((e = pthread_create(&w->thread, NULL, worker_main, w))) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return mbn_set_error(-e, "cannot start the worker thread: %s", strerror(e));
	}
	*out = w;
	return 0;
}

int mbn_worker_submit(struct mbn_worker *w, struct mbn_job *job)
{
	job->fd = eventfd(0, EFD_CLOEXEC);
	if (job->fd < 0)
		return mbn_set_error(-errno, "cannot create an eventfd: %s", strerror(errno));
	job->next = NULL;
	job->result = 0;
	job->err[0] = 0;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int mbn_worker_finish(struct mbn_worker *w, struct mbn_job *job)
{
	uint64_t v;

	/* blocks until the worker is done with the job (normally it already is) */
	while (read(job->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	close(job->fd);
	job->fd = -1;
	if (job->result)
		return mbn_set_error(job->result, "%s", job->err);
	return 0;
}

void mbn_worker_destroy(struct mbn_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
