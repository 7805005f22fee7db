/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-loader.c - libFuzzer target for the .tflite loader (lib/src/loader/tflite.c,
 * lib/src/loader/flatbuf.c) and, through models that load, the CPU operators.
 *
 * Each input is used twice:
 *   1. the whole input as one model file;
 *   2. the input split in two at a position taken from its last 4 bytes (little
 *      endian, modulo the size), loaded as two chained files (first part, then the
 *      rest). A seed "A ++ B ++ u32le(len(A))" is therefore the chained pair A, B;
 *      flatbuffers ignore trailing bytes, so the trailer does not disturb part B.
 * When a model loads, every query function is called and, if its total work is small
 * (<= MAX_MACS multiply-accumulates, see mbn_model_layer_info), it runs once on a zero
 * input, so the CPU operators see fuzzed shapes and quantization.
 *
 * Build: make fuzz  (clang -fsanitize=fuzzer,address,undefined). Run:
 *   build-fuzz/fuzz-loader -max_len=2000000 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbnaccel.h"

#define MAX_MACS (50u * 1000 * 1000)
/* Feature maps of a model that passes MAX_MACS can still be large (a pool or reshape
 * costs no MACs); keep the run's buffers reasonable too. */
#define MAX_IO_BYTES (64u << 20)

static mbn_device *dev;

static void exercise(mbn_model *m)
{
	struct mbn_tensor_info in, out;
	uint64_t macs = 0;
	size_t fmap = 0;

	if (mbn_model_input_info(m, &in) || mbn_model_output_info(m, &out))
		abort();
	(void)strlen(mbn_model_describe(m));
	int n = mbn_model_layer_count(m);
	if (n < 0)  /* 0: a model of float edges only (QUANTIZE from float32) */
		abort();
	for (int i = 0; i < n; i++) {
		struct mbn_layer_info li;
		if (mbn_model_layer_info(m, i, &li))
			abort();
		(void)strlen(li.op_name);
		(void)strlen(li.name);
		macs += li.macs;
		/* Pools and softmax cost no MACs but still touch every element (and
		 * the window of every output element). */
		macs += (uint64_t)li.out_h * li.out_w * li.out_c * (uint64_t)(li.k_h > 0 ? li.k_h : 1) *
			(uint64_t)(li.k_w > 0 ? li.k_w : 1);
		size_t a = (size_t)li.in_h * li.in_w * li.in_c, b = (size_t)li.out_h * li.out_w * li.out_c;
		if (a > fmap)
			fmap = a;
		if (b > fmap)
			fmap = b;
	}
	if (macs > MAX_MACS || fmap > MAX_IO_BYTES || in.bytes > MAX_IO_BYTES || out.bytes > MAX_IO_BYTES)
		return;
	uint8_t *x = calloc(1, in.bytes ? in.bytes : 1), *y = malloc(out.bytes ? out.bytes : 1);
	float *p = malloc((out.bytes ? out.bytes : 1) * sizeof(float));
	if (!x || !y || !p)
		abort();
	if (mbn_model_run(m, x, in.bytes, y, out.bytes, p))
		abort(); /* a model that loaded must run */
	struct mbn_run_stats st;
	mbn_model_last_stats(m, &st);
	/* Wrong sizes must be refused, not run. */
	if (mbn_model_run(m, x, in.bytes + 1, y, out.bytes, NULL) == 0)
		abort();
	free(x);
	free(y);
	free(p);
}

static void try_load(const void *const *bufs, const size_t *sizes, int n)
{
	static const char *const names[2] = { "fuzz-a.tflite", "fuzz-b.tflite" };
	mbn_model *m = NULL;
	int r = mbn_model_load_buffers(dev, bufs, sizes, names, n, &m);

	if (r == 0) {
		if (!m)
			abort();
		exercise(m);
		mbn_model_free(m);
	} else {
		/* A failure must say why, and leave no model behind. */
		if (r > 0 || m || !mbn_last_error()[0] || !mbn_strerror(r))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dev && mbn_device_open("cpu", &dev))
		abort();

	/* mbn_model_load_buffers copies nothing it keeps pointers to after returning;
	 * give it exact-size heap copies so ASan sees any read past the end. */
	uint8_t *whole = malloc(size ? size : 1);
	if (!whole)
		return 0;
	memcpy(whole, data, size);
	const void *b1[1] = { whole };
	size_t s1[1] = { size };
	try_load(b1, s1, 1);
	free(whole);

	if (size >= 8) {
		uint32_t split;
		memcpy(&split, data + size - 4, 4);
		size_t body = size - 4; /* the trailer is not part of either file */
		size_t cut = split % (body + 1);
		uint8_t *a = malloc(cut ? cut : 1), *b = malloc(body - cut ? body - cut : 1);
		if (a && b) {
			memcpy(a, data, cut);
			memcpy(b, data + cut, body - cut);
			const void *b2[2] = { a, b };
			size_t s2[2] = { cut, body - cut };
			try_load(b2, s2, 2);
		}
		free(a);
		free(b);
	}
	return 0;
}
