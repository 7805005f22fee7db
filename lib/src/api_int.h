/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_int.h - what api.c (the public API: devices, models, synchronous runs, stats)
 * and queue.c (the asynchronous request queue) share: the model object, its request
 * slots, and the conversions at the graph's edges.
 */
#ifndef MBN_API_INT_H
#define MBN_API_INT_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/backend.h"
#include "graph.h"
#include "mbnaccel.h"

#define MAX_QUEUE_DEPTH 64
#define DEFAULT_QUEUE_DEPTH 4

/* One asynchronous request; a slot is reused once its request is collected. */
struct mbn_req {
	uint64_t ticket;                   /* 0: free slot */
	bool done;                         /* completed (output delivered), not collected */
	bool discard;                      /* model being freed: deliver nothing */
	int result;
	char err[512];
	uint8_t *in_buf, *out_buf;         /* biased domain */
	void *output;
	float *probs;
	struct mbn_run_stats stats;
	struct mbn_layer_stats *layer_stats; /* [n_layers] */
	bool profiled;
	struct mbn_job job;
	double t0;
};

struct mbn_model {
	mbn_device *dev;
	struct mbn_graph g;
	void *plan;
	uint8_t *in_buf, *out_buf;
	struct mbn_run_stats stats;
	bool profile;
	bool profiled;                     /* layer_stats hold a profiled run */
	struct mbn_layer_stats *layer_stats; /* [n_layers] */

	/* asynchronous requests */
	struct mbn_req *reqs[MAX_QUEUE_DEPTH];
	int depth, pending, n_done;        /* pending: submitted, not collected */
	uint64_t next_ticket;
	struct io_uring ring;
	bool ring_ok, ring_tried;          /* without io_uring: poll(2) */
	int epoll_fd, done_efd;            /* mbn_model_completion_fd(); -1 until asked for */
	struct mbn_worker *worker;         /* backends without submit */
};

/* api.c */
double mbn_now_us(void);
/* The argument checks of mbn_model_run and mbn_model_submit (fn names the caller). */
int mbn_check_sizes(const mbn_model *m, const char *fn, const void *input, size_t input_size,
		    const void *output, size_t output_size);
/* The caller's input into the biased domain (graph.h). */
void mbn_input_to_biased(const mbn_model *m, const void *input, uint8_t *dst);
void mbn_init_layer_stats(const mbn_model *m, struct mbn_layer_stats *st);
/* The raw output and the dequantized probabilities from the biased-domain result. */
void mbn_deliver_output(const mbn_model *m, const uint8_t *res, void *output, float *probs);

/* queue.c: wait for the requests in flight (the device may still write their buffers),
 * then free the queue's ring, fds, worker and slots (mbn_model_free). */
void mbn_queue_free(mbn_model *m);

#endif
