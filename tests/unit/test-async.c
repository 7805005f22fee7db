/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-async.c - asynchronous requests (mbn_model_submit / wait / wait_any /
 * completion_fd) on the cpu device with generated models (MBN_GEN, default
 * build/bin/mbn-gen): every request's output equals mbn_model_run()'s whatever the
 * order of collection, the queue bound holds, and misuse fails cleanly.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mbnaccel.h"

#define N_REQ 8

static uint32_t rng = 2463534242u;
static uint8_t rnd8(void)
{
	rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
	return (uint8_t)rng;
}

struct slot {
	uint64_t ticket;
	int collected;
	uint8_t *out;
	float *probs;
};

static void run_model(const char *name, const char *path)
{
	char what[256];
	mbn_device *dev;
	mbn_model *m;
	struct mbn_tensor_info in, out;
	int r;

	if (mbn_device_open("cpu", &dev) || mbn_model_load(dev, &path, 1, &m)) {
		check(name, 0, "cannot load %s: %s", path, mbn_last_error());
		return;
	}
	mbn_model_input_info(m, &in);
	mbn_model_output_info(m, &out);
	uint8_t *inputs = malloc(N_REQ * in.bytes), *ref = malloc(N_REQ * out.bytes);
	float *ref_p = malloc(N_REQ * out.bytes * sizeof(float));
	struct slot s[N_REQ];
	for (size_t i = 0; i < N_REQ * in.bytes; i++)
		inputs[i] = rnd8();
	int ok = 1;
	for (int i = 0; i < N_REQ && ok; i++)
		ok = !mbn_model_run(m, inputs + i * in.bytes, in.bytes, ref + i * out.bytes, out.bytes, ref_p + i * out.bytes);
	snprintf(what, sizeof(what), "%s: synchronous reference runs", name);
	check(what, ok, "%s", mbn_last_error());
	/* the references differ from each other, so a mixed-up output would show */
	snprintf(what, sizeof(what), "%s: random inputs give different outputs", name);
	check(what, memcmp(ref, ref + out.bytes, out.bytes) || memcmp(ref + out.bytes, ref + 2 * out.bytes, out.bytes),
	      "outputs of inputs 0..2 are identical");

	/* 8 requests, queue depth 3, collected in mixed order */
	r = mbn_model_set_queue_depth(m, 3);
	snprintf(what, sizeof(what), "%s: set_queue_depth 3", name);
	check(what, r == 0, "returned %d", r);
	for (int i = 0; i < N_REQ; i++) {
		s[i].out = malloc(out.bytes);
		s[i].probs = malloc(out.bytes * sizeof(float));
		s[i].collected = 0;
		s[i].ticket = 0;
	}
	int next = 0, busy_seen = 0, bad = 0, n_any = 0, n_wait = 0, max_pending = 0, round = 0;
	char why[512] = "";
	while (next < N_REQ || mbn_model_pending(m) > 0) {
		/* fill the queue */
		while (next < N_REQ) {
			r = mbn_model_submit(m, inputs + next * in.bytes, in.bytes, s[next].out, out.bytes, s[next].probs,
					     &s[next].ticket);
			if (r == -EBUSY) {
				busy_seen++;
				break;
			}
			if (r) {
				snprintf(why, sizeof(why), "submit %d: %s", next, mbn_last_error());
				bad++;
				next = N_REQ;
				break;
			}
			next++;
		}
		if (mbn_model_pending(m) > max_pending)
			max_pending = mbn_model_pending(m);
		if (!mbn_model_pending(m))
			break;
		/* collect one: alternately the newest by ticket, and whichever via wait_any */
		int idx = -1;
		if (round++ % 2 == 0) {
			for (int i = next - 1; i >= 0; i--)
				if (s[i].ticket && !s[i].collected) {
					idx = i;
					break;
				}
			r = mbn_model_wait(m, s[idx].ticket, -1);
			n_wait++;
		} else {
			uint64_t t;
			r = mbn_model_wait_any(m, -1, &t);
			for (int i = 0; i < next; i++)
				if (s[i].ticket == t)
					idx = i;
			n_any++;
			if (idx < 0) {
				snprintf(why, sizeof(why), "wait_any returned unknown ticket %llu (r=%d)", (unsigned long long)t, r);
				bad++;
				break;
			}
		}
		if (r) {
			snprintf(why, sizeof(why), "request %d: %d %s", idx, r, mbn_last_error());
			bad++;
		}
		s[idx].collected = 1;
	}
	int mismatched = 0, collected = 0;
	for (int i = 0; i < N_REQ; i++) {
		collected += s[i].collected;
		if (memcmp(s[i].out, ref + i * out.bytes, out.bytes) ||
		    memcmp(s[i].probs, ref_p + i * out.bytes, out.bytes * sizeof(float)))
			mismatched++;
	}
	snprintf(what, sizeof(what), "%s: 8 requests at queue depth 3, collected by wait (%d) and wait_any (%d)", name,
		 n_wait, n_any);
	check(what, !bad && collected == N_REQ, "%s; %d collected", why, collected);
	snprintf(what, sizeof(what), "%s: every async output and probs equal mbn_model_run's", name);
	check(what, !mismatched, "%d of %d requests differ", mismatched, N_REQ);
	snprintf(what, sizeof(what), "%s: queue bound: never more than 3 outstanding, submit beyond is -EBUSY", name);
	check(what, max_pending == 3 && busy_seen > 0, "max pending %d, -EBUSY seen %d times", max_pending, busy_seen);
	uint64_t tickets_unique = 1;
	for (int i = 0; i < N_REQ; i++)
		for (int j = 0; j < i; j++)
			if (s[i].ticket == s[j].ticket || !s[i].ticket)
				tickets_unique = 0;
	snprintf(what, sizeof(what), "%s: tickets are non-zero and unique", name);
	check(what, tickets_unique, "duplicate or zero ticket");

	/* error cases */
	uint64_t t = 1234;
	r = mbn_model_wait(m, s[0].ticket, 0);
	snprintf(what, sizeof(what), "%s: waiting twice for a ticket is -ENOENT", name);
	check(what, r == -ENOENT, "returned %d (%s)", r, mbn_strerror(r));
	r = mbn_model_wait(m, 999999, 0);
	snprintf(what, sizeof(what), "%s: unknown ticket is -ENOENT", name);
	check(what, r == -ENOENT && strstr(mbn_last_error(), "999999"), "returned %d (%s)", r, mbn_last_error());
	r = mbn_model_wait(m, 0, -1);
	snprintf(what, sizeof(what), "%s: ticket 0 is -ENOENT", name);
	check(what, r == -ENOENT, "returned %d", r);
	r = mbn_model_wait_any(m, 0, &t);
	snprintf(what, sizeof(what), "%s: wait_any with nothing outstanding is -ENOENT, ticket 0", name);
	check(what, r == -ENOENT && t == 0, "returned %d, ticket %llu", r, (unsigned long long)t);
	r = mbn_model_submit(m, inputs, in.bytes - 1, s[0].out, out.bytes, NULL, &t);
	snprintf(what, sizeof(what), "%s: submit with a wrong input size is -EINVAL", name);
	check(what, r == -EINVAL && t == 0 && strstr(mbn_last_error(), "input"), "returned %d: %s", r, mbn_last_error());
	r = mbn_model_submit(m, inputs, in.bytes, s[0].out, out.bytes + 1, NULL, &t);
	snprintf(what, sizeof(what), "%s: submit with a wrong output size is -EINVAL", name);
	check(what, r == -EINVAL && strstr(mbn_last_error(), "output"), "returned %d: %s", r, mbn_last_error());
	r = mbn_model_submit(m, inputs, in.bytes, s[0].out, out.bytes, NULL, NULL);
	snprintf(what, sizeof(what), "%s: submit without a ticket pointer is -EINVAL", name);
	check(what, r == -EINVAL, "returned %d", r);
	snprintf(what, sizeof(what), "%s: nothing pending after the failed submits", name);
	check(what, mbn_model_pending(m) == 0, "%d pending", mbn_model_pending(m));
	int r0 = mbn_model_set_queue_depth(m, 0), r65 = mbn_model_set_queue_depth(m, 65);
	snprintf(what, sizeof(what), "%s: queue depth 0 and 65 are -EINVAL", name);
	check(what, r0 == -EINVAL && r65 == -EINVAL, "returned %d, %d", r0, r65);

	/* timeout 0 either collects a finished request or says -EAGAIN and keeps it */
	uint64_t t1, t2;
	mbn_model_submit(m, inputs, in.bytes, s[0].out, out.bytes, NULL, &t1);
	r = mbn_model_wait(m, t1, 0);
	if (r == -EAGAIN)
		r = mbn_model_wait(m, t1, -1);
	snprintf(what, sizeof(what), "%s: wait with timeout 0, then collect", name);
	check(what, r == 0 && mbn_model_pending(m) == 0, "returned %d, %d pending", r, mbn_model_pending(m));

	/* the completion fd for the caller's own event loop */
	int fd = mbn_model_completion_fd(m);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int idle = fd >= 0 ? poll(&pfd, 1, 0) : -1;
	mbn_model_submit(m, inputs + in.bytes, in.bytes, s[1].out, out.bytes, NULL, &t1);
	mbn_model_submit(m, inputs + 2 * in.bytes, in.bytes, s[2].out, out.bytes, NULL, &t2);
	int ready = poll(&pfd, 1, 10000);
	int got = 0;
	uint64_t tt;
	for (int k = 0; k < 100 && got < 2; k++) {
		if (poll(&pfd, 1, 10000) != 1)
			break;
		while (mbn_model_wait_any(m, 0, &tt) == 0)
			got++;
	}
	int after = poll(&pfd, 1, 0);
	snprintf(what, sizeof(what), "%s: completion fd: idle, readable on completion, idle once collected", name);
	check(what, fd >= 0 && idle == 0 && ready == 1 && got == 2 && after == 0,
	      "fd %d, idle poll %d, ready poll %d, collected %d, after %d", fd, idle, ready, got, after);
	snprintf(what, sizeof(what), "%s: outputs via the completion fd equal mbn_model_run's", name);
	check(what, !memcmp(s[1].out, ref + out.bytes, out.bytes) && !memcmp(s[2].out, ref + 2 * out.bytes, out.bytes),
	      "differ");

	/* mbn_model_run while requests are in flight queues behind them */
	uint8_t *o = malloc(out.bytes);
	mbn_model_submit(m, inputs + 3 * in.bytes, in.bytes, s[3].out, out.bytes, NULL, &t1);
	mbn_model_submit(m, inputs + 4 * in.bytes, in.bytes, s[4].out, out.bytes, NULL, &t2);
	r = mbn_model_run(m, inputs + 5 * in.bytes, in.bytes, o, out.bytes, NULL);
	int ok_run = r == 0 && !memcmp(o, ref + 5 * out.bytes, out.bytes) && mbn_model_pending(m) == 2;
	int r1 = mbn_model_wait(m, t2, -1), r2 = mbn_model_wait(m, t1, -1);
	snprintf(what, sizeof(what), "%s: mbn_model_run between submits", name);
	check(what, ok_run && !r1 && !r2 && !memcmp(s[3].out, ref + 3 * out.bytes, out.bytes) &&
			    !memcmp(s[4].out, ref + 4 * out.bytes, out.bytes),
	      "run %d, waits %d %d: %s", r, r1, r2, mbn_last_error());

	/* profiling applies per request */
	mbn_model_set_profiling(m, 1);
	mbn_model_submit(m, inputs, in.bytes, s[0].out, out.bytes, NULL, &t1);
	r = mbn_model_wait(m, t1, -1);
	struct mbn_layer_stats ls;
	struct mbn_run_stats rs;
	int rl = mbn_model_layer_stats(m, 0, &ls);
	mbn_model_last_stats(m, &rs);
	snprintf(what, sizeof(what), "%s: a profiled request has layer statistics and wall time", name);
	check(what, r == 0 && rl == 0 && ls.macs > 0 && rs.wall_us > 0, "wait %d, layer_stats %d (%s), macs %llu", r, rl,
	      mbn_last_error(), (unsigned long long)ls.macs);
	mbn_model_set_profiling(m, 0);

	/* depth cannot go below what is outstanding; free with requests in flight */
	mbn_model_set_queue_depth(m, 3);
	for (int i = 0; i < 3; i++)
		mbn_model_submit(m, inputs + i * in.bytes, in.bytes, s[i].out, out.bytes, s[i].probs, &t);
	r = mbn_model_set_queue_depth(m, 2);
	snprintf(what, sizeof(what), "%s: queue depth below the outstanding requests is -EBUSY", name);
	check(what, r == -EBUSY && mbn_model_pending(m) == 3, "returned %d, %d pending", r, mbn_model_pending(m));
	mbn_model_free(m);
	snprintf(what, sizeof(what), "%s: mbn_model_free with 3 requests in flight", name);
	check(what, 1, "%s", "");

	for (int i = 0; i < N_REQ; i++) {
		free(s[i].out);
		free(s[i].probs);
	}
	free(o);
	free(inputs);
	free(ref);
	free(ref_p);
	mbn_device_close(dev);
}

int main(void)
{
	const char *gen = getenv("MBN_GEN") ? getenv("MBN_GEN") : "build/bin/mbn-gen";
	static const struct {
		const char *name, *args;
	} models[] = {
		{ "uint8 alpha 0.25 size 33", "--alpha 0.25 --size 33 --seed 5" },
		{ "int8 alpha 0.35 size 40", "--alpha 0.35 --size 40 --int8 --seed 6" },
	};
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		char path[256], cmd[1024];
		snprintf(path, sizeof(path), "/tmp/test-async-%d-%zu.tflite", (int)getpid(), i);
		snprintf(cmd, sizeof(cmd), "%s %s -o %s", gen, models[i].args, path);
		if (system(cmd)) {
			check(models[i].name, 0, "mbn-gen failed (%s)", cmd);
			continue;
		}
		run_model(models[i].name, path);
		remove(path);
	}

	/* API misuse without a model */
	uint64_t t = 5;
	check("NULL model", mbn_model_wait(NULL, 1, 0) == -EINVAL && mbn_model_wait_any(NULL, 0, &t) == -EINVAL && t == 0 &&
				    mbn_model_completion_fd(NULL) == -EINVAL && mbn_model_set_queue_depth(NULL, 2) == -EINVAL,
	      "expected -EINVAL everywhere");
	/* drm without a device: a clear error */
	mbn_device *dev;
	int r = mbn_device_open("drm", &dev);
	if (r == 0) {
		check("drm device", 1, "%s", "");
		mbn_device_close(dev);
	} else {
		check("drm without a device: -ENODEV, 'no mbnaccel device found'",
		      r == -ENODEV && strstr(mbn_last_error(), "no mbnaccel device found"), "%d: %s", r, mbn_last_error());
	}
	r = mbn_device_open("drm:/nonexistent/accel9", &dev);
	check("drm:/nonexistent/accel9 names the node", r < 0 && strstr(mbn_last_error(), "/nonexistent/accel9"), "%d: %s", r,
	      mbn_last_error());
	return failures != 0;
}
