/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend.h - what a device backend implements: cpu (bit-exact reference), sim
 * (Verilated RTL in-process) and drm (the kernel driver) share the graph and the API.
 * sim and drm run the mbnaccel hardware: the accelerator device layer (accel_dev.h)
 * implements compile, run, submit and finish for both on top of their primitives.
 *
 * Asynchronous requests (mbn_model_submit): each in-flight job has a pollable
 * completion fd; api.c polls them all with io_uring. A backend with native jobs (drm:
 * a sync_file per job) implements submit/finish; for the others (cpu, sim) a library
 * worker thread per model (worker.c) calls run() and signals an eventfd per job.
 */
#ifndef MBN_BACKEND_H
#define MBN_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "graph.h"
#include "mbnaccel.h"

struct mbn_device;

/* One asynchronous job (api.c owns it, one per in-flight request). */
struct mbn_job {
	/* set by api.c before submit */
	const uint8_t *in;                 /* biased-domain input, valid until finish */
	uint8_t *out;                      /* biased-domain output, written by finish */
	struct mbn_run_stats *stats;       /* zeroed; as run() */
	struct mbn_layer_stats *per_layer; /* NULL or as run() */
	/* set by submit */
	int fd;                            /* readable (POLLIN) once finish need not block */
	void *priv;                        /* the backend's */
	/* worker.c (backends without submit) */
	struct mbn_job *next;
	int result;
	char err[512];
};

struct mbn_backend {
	const char *scheme;        /* URI scheme: "cpu", "sim", "drm" */
	/* args: the part of the URI after "scheme:" ("" if none). */
	int (*open)(struct mbn_device *dev, const char *args);
	void (*close)(struct mbn_device *dev);
	/* Compile a validated graph once; *plan is the backend's per-model state. */
	int (*compile)(struct mbn_device *dev, const struct mbn_graph *g, void **plan);
	void (*release)(struct mbn_device *dev, void *plan);
	/* Run: in and out are biased-domain feature maps (graph.h). per_layer is NULL, or
	 * (profiling) an array of g->n_layers zeroed entries whose macs are filled: the
	 * backend adds what it measures per layer (accelerator devices then run each layer
	 * as a job of its own). */
	int (*run)(struct mbn_device *dev, void *plan, const uint8_t *in, uint8_t *out,
		   struct mbn_run_stats *stats, struct mbn_layer_stats *per_layer);
	/* Optional native asynchronous jobs. submit starts one and sets job->fd; finish is
	 * called once, in the thread that waits, after job->fd became readable (or to wait
	 * for it, e.g. when the model is freed): it completes the job (output, stats), gives
	 * back job->fd and every resource, and returns the inference's result (0 or -errno
	 * with mbn_set_error). Several jobs of one plan may be in flight; submit and finish
	 * of one plan are never called concurrently. Without submit, worker.c runs run(). */
	int (*submit)(struct mbn_device *dev, void *plan, struct mbn_job *job);
	int (*finish)(struct mbn_device *dev, void *plan, struct mbn_job *job);
	/* run() and compile() use device-wide state (the simulator): api.c and worker.c
	 * hold dev->lock around them, so models on one device may run from several threads. */
	bool exclusive;
	/* Does this device run layer i on the accelerator? */
	bool (*layer_on_accel)(struct mbn_device *dev, void *plan, int i);
	/* Optional: why layer i stays on the CPU (a static string), NULL if it does not. */
	const char *(*layer_cpu_reason)(struct mbn_device *dev, void *plan, int i);
	void (*describe)(struct mbn_device *dev, char *buf, size_t len);
};

struct mbn_device {
	const struct mbn_backend *be;
	char uri[256];
	char describe[512]; /* the sim device's at 2048 MACs with every CAPS3 feature: ~310 */
	void *priv;
	pthread_mutex_t lock;      /* see mbn_backend.exclusive */
};

extern const struct mbn_backend mbn_backend_cpu;
extern const struct mbn_backend mbn_backend_sim;
extern const struct mbn_backend mbn_backend_drm;

/* worker.c: the asynchronous path of backends without submit/finish. One worker thread
 * per model runs its jobs in submission order with run(); each job gets an eventfd. */
struct mbn_worker;
int mbn_worker_create(struct mbn_device *dev, void *plan, struct mbn_worker **out);
int mbn_worker_submit(struct mbn_worker *w, struct mbn_job *job);
int mbn_worker_finish(struct mbn_worker *w, struct mbn_job *job);
/* All jobs must have been finished. */
void mbn_worker_destroy(struct mbn_worker *w);

/* MBN_DEBUG=1 in the environment: trace device activity on stderr. */
int mbn_debug_enabled(void);
#define MBN_DEBUG(...)                                                                  \
	do {                                                                            \
		if (mbn_debug_enabled())                                                \
			fprintf(stderr, "mbnaccel: " __VA_ARGS__);                      \
	} while (0)

/* Runs layers [first, last) of g on the CPU, ping-ponging between two scratch buffers
 * of at least mbn_graph_max_fmap(g) bytes, the kernels working in `work` (at least
 * mbn_cpu_range_work(g, first, last) bytes); returns the buffer holding the result. */
uint8_t *mbn_cpu_run_range(const struct mbn_graph *g, int first, int last, const uint8_t *in,
			   uint8_t *scratch0, uint8_t *scratch1, void *work);
size_t mbn_cpu_range_work(const struct mbn_graph *g, int first, int last);
size_t mbn_graph_max_fmap(const struct mbn_graph *g);

#endif
