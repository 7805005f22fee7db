/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbnaccel_tflite.h - libmbnaccel-tflite, the mbnaccel TensorFlow Lite delegate.
 *
 * A TFLite application runs its model on the accelerator by adding one delegate:
 *
 *     TfLiteDelegate *d = mbn_tflite_delegate_create("sim");   // or "drm", "cpu", ...
 *     TfLiteInterpreterOptionsAddDelegate(options, d);
 *     ... create the interpreter, AllocateTensors, Invoke as usual ...
 *     TfLiteInterpreterDelete(interpreter);
 *     mbn_tflite_delegate_delete(d);                          // after the interpreter
 *
 * or, without linking it, through TFLite's external delegate loader (Python:
 * tflite_runtime.interpreter.load_delegate("libmbnaccel-tflite.so", {"device": "sim"})),
 * which calls tflite_plugin_create_delegate() below.
 *
 * The delegate claims the convolutions the device runs (CONV_2D, DEPTHWISE_CONV_2D,
 * and PAD/PADV2 folded into the convolution after it: docs/delegate.md), replaces every
 * maximal chain of them by one kernel that runs one mbnaccel job per invoke, and
 * leaves every other node to TFLite's own kernels. Output bytes are those of TFLite
 * without the delegate. One delegate may serve several interpreters (one at a time
 * per interpreter, as TFLite requires); it must outlive them.
 *
 * The header needs no TFLite header: TfLiteDelegate is only passed by pointer.
 */
#ifndef MBNACCEL_TFLITE_H
#define MBNACCEL_TFLITE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct TfLiteDelegate;

struct mbn_tflite_options {
	const char *device;    /* mbnaccel device URI: "sim", "sim:mac=512", "drm",
				* "drm:/dev/accel/accel0", "cpu"; NULL or "": $MBN_DEVICE, else sim */
	const char *match;     /* "x86", "arm64" or "native" (NULL: native): whose TFLite
				* arithmetic the claimed nodes reproduce */
	int log;               /* 1: print on stderr which nodes were claimed and why the
				* others were not; 2: also each convolution's, pool's and
				* mean's builtin parameters */
	void (*report_error)(const char *message); /* NULL: messages go to stderr */
};

/* A delegate on device (NULL: $MBN_DEVICE, else "sim"). A device that cannot be opened
 * still gives a delegate: it claims no node (the application keeps running on TFLite's
 * CPU kernels) and says why once. NULL only when out of memory. */
struct TfLiteDelegate *mbn_tflite_delegate_create(const char *device);
/* Same with options; NULL (message through report_error) for an invalid option. */
struct TfLiteDelegate *mbn_tflite_delegate_create_opts(const struct mbn_tflite_options *opts);
/* Destroys a delegate of this library (NULL is fine). Every interpreter using it must
 * have been deleted. */
void mbn_tflite_delegate_delete(struct TfLiteDelegate *delegate);

/* Counters since the delegate was created, over all its partitions and interpreters. */
struct mbn_tflite_stats {
	int device_ok;             /* the device opened */
	uint64_t partitions;       /* kernels created (one per TFLite partition) */
	uint64_t partitions_live;  /* of those, not yet freed (0 once every interpreter
				    * using the delegate is deleted) */
	uint64_t nodes_claimed;    /* TFLite nodes replaced by them */
	uint64_t jobs;             /* chains run (one mbnaccel model run each) */
	uint64_t accel_cycles;     /* accelerator cycles of those runs */
	uint64_t dram_read_bytes, dram_write_bytes;
	double run_us;             /* wall time inside the runs (device + library host part) */
	double host_cpu_us;        /* of that, the library's host CPU part (layouts, copies) */
};
/* 0, or -EINVAL if delegate is not one of ours. */
int mbn_tflite_delegate_stats(const struct TfLiteDelegate *delegate, struct mbn_tflite_stats *stats);

/* The TensorFlow Lite external-delegate ABI (tensorflow/lite/delegates/external):
 * options "device", "match", "log" as above (values are strings; log: 0/1/2/true/false).
 * An unknown option or an invalid value is reported through report_error at once and
 * gives a delegate that refuses to be applied with that message (the interpreter
 * creation fails cleanly): TFLite 2.9's C external-delegate loader crashes on a NULL
 * plugin delegate. NULL only when out of memory. */
struct TfLiteDelegate *tflite_plugin_create_delegate(const char *const *keys, const char *const *values,
						     size_t n_options, void (*report_error)(const char *));
void tflite_plugin_destroy_delegate(struct TfLiteDelegate *delegate);

#ifdef __cplusplus
}
#endif
#endif /* MBNACCEL_TFLITE_H */
