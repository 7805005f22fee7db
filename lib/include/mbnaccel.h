/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbnaccel.h - public API of libmbnaccel.
 *
 * libmbnaccel loads a quantized MobileNet v1 (.tflite, one file or several chained),
 * compiles it once for a device, and runs it many times. Outputs are bit-identical to
 * TensorFlow Lite 2.9.
 *
 * Conventions (DESIGN.md section 7):
 *   - every function returning int gives 0 (or a count) on success and a negative errno
 *     on failure; mbn_strerror() names the errno, mbn_last_error() gives the message of
 *     the last failure in this thread (which file, which operator, expected vs found);
 *   - objects are opaque; *_open / *_load create them, *_close / *_free release them.
 */
#ifndef MBNACCEL_H
#define MBNACCEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MBN_VERSION_MAJOR 0
#define MBN_VERSION_MINOR 1
#define MBN_VERSION_PATCH 0

/* Version of the library actually loaded, "MAJOR.MINOR.PATCH". */
const char *mbn_version(void);

/* ---- errors ------------------------------------------------------------------- */

/* Text for a negative errno returned by any mbn_* function. */
const char *mbn_strerror(int err);
/* Detailed message of the last failure in the calling thread ("" if none). */
const char *mbn_last_error(void);

/* ---- devices ------------------------------------------------------------------ */

typedef struct mbn_device mbn_device;

/*
 * Open a device by URI:
 *   "cpu"                 the bit-exact CPU reference (always available)
 *   "sim[:key=val,...]"   the Verilated accelerator RTL in-process (bw=, lat=,
 *                         outstanding=, trace=FILE.fst, lib=PATH, mac=256)
 *   "drm[:/dev/...]"      the kernel driver: "drm" finds the first device whose driver
 *                         is "mbnaccel" (/dev/accel/accel*, then DRM render nodes);
 *                         "drm:/dev/accel/accel0" or "drm:/dev/dri/renderD128" opens
 *                         that node
 * NULL or "" selects the default device: $MBN_DEVICE if set, else "sim" if the
 * simulator library can be loaded, else "cpu". mbn_device_uri() tells which.
 */
int mbn_device_open(const char *uri, mbn_device **out);
void mbn_device_close(mbn_device *dev);
/* The canonical URI of an open device, e.g. "cpu". */
const char *mbn_device_uri(const mbn_device *dev);
/* A one-line description of the device (for sim: MAC array and buffer sizes). */
const char *mbn_device_describe(const mbn_device *dev);

/* ---- models ------------------------------------------------------------------- */

typedef struct mbn_model mbn_model;

enum mbn_type {
	MBN_TYPE_UINT8 = 1,   /* asymmetric per-tensor */
	MBN_TYPE_INT8 = 2,    /* symmetric per-channel weights, int8 activations */
	MBN_TYPE_FLOAT32 = 3, /* a float model input or output (QUANTIZE / DEQUANTIZE at the
			       * edge of a quantized network); scale and zero_point are then
			       * those of the quantized tensor next to it */
};

/* "uint8", "int8", "float32" ("?" for other values). */
const char *mbn_type_name(enum mbn_type type);

#define MBN_NAME_MAX 128
struct mbn_tensor_info {
	int ndims;
	int dims[4];           /* as in the model, e.g. {1, 224, 224, 3} */
	enum mbn_type type;
	float scale;
	int32_t zero_point;
	size_t bytes;          /* elems x element size (1, or 4 for MBN_TYPE_FLOAT32) */
	char name[MBN_NAME_MAX];
	size_t elems;          /* product of dims */
};

/*
 * Which TensorFlow Lite build's arithmetic to reproduce. TFLite's optimized kernels
 * do not give the same bytes on every architecture (docs/library.md, "x86-64 and
 * arm64"); a user compares with TFLite on the machine they run on, so the default is
 * the architecture the library runs on.
 */
enum mbn_match {
	MBN_MATCH_NATIVE = 0, /* the build of the architecture this library runs on */
	MBN_MATCH_X86 = 1,    /* TFLite 2.9, linux x86-64 */
	MBN_MATCH_ARM64 = 2,  /* TFLite 2.9, linux arm64 (a Zynq UltraScale+ board's CPU) */
};
/* "x86", "arm64"; NATIVE resolves to the running architecture. */
const char *mbn_match_name(enum mbn_match match);
/* Parse "x86" (or "x86-64", "x86_64", "amd64"), "arm64" ("aarch64"), "native". 0 or -EINVAL. */
int mbn_match_parse(const char *s, enum mbn_match *match);

/* Options of mbn_model_load_opts(); zero-initialize, then set what you need. */
struct mbn_load_options {
	enum mbn_match match;
	unsigned flags;        /* reserved, must be 0 */
};

/*
 * Load one model from n_paths chained .tflite files: the output tensor of file i is
 * the input of file i+1 (same shape element count, type and quantization). The graph
 * is validated and compiled for dev; the model keeps a reference to dev, which must
 * stay open until mbn_model_free().
 */
int mbn_model_load(mbn_device *dev, const char *const *paths, int n_paths, mbn_model **out);
/* Same, from memory (the buffers are copied). names[i] may be NULL; used in messages. */
int mbn_model_load_buffers(mbn_device *dev, const void *const *bufs, const size_t *sizes,
			   const char *const *names, int n_bufs, mbn_model **out);
/* Same as the two above, with options (NULL: defaults). */
int mbn_model_load_opts(mbn_device *dev, const char *const *paths, int n_paths,
			const struct mbn_load_options *opts, mbn_model **out);
int mbn_model_load_buffers_opts(mbn_device *dev, const void *const *bufs, const size_t *sizes,
				const char *const *names, int n_bufs, const struct mbn_load_options *opts,
				mbn_model **out);
void mbn_model_free(mbn_model *model);
/* The arithmetic the model was loaded to reproduce (never MBN_MATCH_NATIVE). */
enum mbn_match mbn_model_match(const mbn_model *model);

int mbn_model_input_info(const mbn_model *model, struct mbn_tensor_info *info);
int mbn_model_output_info(const mbn_model *model, struct mbn_tensor_info *info);

/*
 * Run one inference. input: exactly input_info.bytes bytes of the model's input type
 * (NHWC; floats for a MBN_TYPE_FLOAT32 input). output: exactly output_info.bytes bytes
 * receive the model's raw output (quantized bytes, or for a float output the floats
 * TFLite's DEQUANTIZE gives). probs (may be NULL): output_info.elems floats, the real
 * values (scale * (q - zero_point), or the float output itself), i.e. probabilities
 * for a softmax classifier.
 */
int mbn_model_run(mbn_model *model, const void *input, size_t input_size, void *output,
		  size_t output_size, float *probs);

/*
 * ---- asynchronous requests ----
 *
 * Several inferences of one model in flight at once: on an accelerator device the CPU
 * part of one request (input layout, pooling, classifier, softmax) overlaps the
 * accelerator part of the next. Works on every device: drm runs one kernel job per
 * request (each with its own activation buffer); cpu and sim run the requests in
 * submission order on a worker thread of the model. The library waits on the requests'
 * completion fds with io_uring.
 *
 * mbn_model_submit() checks the sizes, copies the input and returns at once with a
 * ticket (> 0, never reused by this model). output (output_size bytes) and probs
 * (output_size floats, may be NULL) must stay valid and untouched until the request is
 * collected: the library writes them at the latest when mbn_model_wait() or
 * mbn_model_wait_any() returns that ticket.
 *
 * Queue depth: at most mbn_model_set_queue_depth() requests (default 4, 1..64) may be
 * submitted and not yet collected; one more fails at once with -EBUSY (nothing blocks,
 * so a caller that never collects cannot deadlock). Collect with a wait call, then
 * submit again.
 *
 * Waiting: timeout_ms < 0 waits forever, 0 only looks. A wait returns -EAGAIN if the
 * request is not complete within timeout_ms, and -ENOENT for a ticket that is unknown or
 * already collected (each request is collected exactly once); nothing is collected then.
 * Any other return collects the request and is the result of its inference: 0, or the
 * negative errno mbn_model_run() would have returned (with mbn_last_error() set) -
 * including -ETIMEDOUT for a hung accelerator, which is why "not complete yet" is
 * -EAGAIN. After a collected request, mbn_model_last_stats() and (if profiling was on at
 * its submit) mbn_model_layer_stats() describe it; wall_us is from submit to completion.
 *
 * mbn_model_run() may be mixed in: with requests in flight it queues behind them (and
 * fails with -EBUSY when the queue is full). mbn_model_free() waits for the requests in
 * flight and discards them.
 *
 * Threads: one model's functions must not be called concurrently (use one thread per
 * model, or a lock of your own); different models, also on one device, may be used from
 * different threads. The library's own threads never call back into user code.
 */
int mbn_model_submit(mbn_model *model, const void *input, size_t input_size, void *output,
		     size_t output_size, float *probs, uint64_t *ticket);
/* Wait for one request; see above for the return values. */
int mbn_model_wait(mbn_model *model, uint64_t ticket, int timeout_ms);
/* Wait for whichever request completes first (the oldest if several are complete) and
 * collect it: *ticket is set to its ticket, or to 0 when nothing was collected
 * (-EAGAIN: none completed within timeout_ms; -ENOENT: none submitted and uncollected). */
int mbn_model_wait_any(mbn_model *model, int timeout_ms, uint64_t *ticket);
/*
 * A file descriptor for the caller's own event loop (poll, epoll, io_uring): readable
 * (POLLIN) exactly while mbn_model_wait_any(model, 0, &t) would collect a request. Read
 * nothing from it; it belongs to the model (valid until mbn_model_free()). When it is
 * readable, call mbn_model_wait_any(model, 0, &t) until it returns -EAGAIN or -ENOENT.
 */
int mbn_model_completion_fd(mbn_model *model);
/* Bound on requests submitted and not yet collected (1..64, default 4). -EBUSY while
 * more than `depth` are outstanding. */
int mbn_model_set_queue_depth(mbn_model *model, int depth);
/* Requests submitted and not yet collected. */
int mbn_model_pending(const mbn_model *model);

/* What the last mbn_model_run() (or collected request) cost. */
struct mbn_run_stats {
	uint64_t accel_cycles;    /* accelerator cycles (0 on the cpu device) */
	uint64_t dram_read_bytes; /* accelerator DRAM traffic (0 on the cpu device) */
	uint64_t dram_write_bytes;
	double wall_us;           /* whole mbn_model_run, host wall clock */
	double host_cpu_us;       /* the part run on the host CPU */
};
int mbn_model_last_stats(const mbn_model *model, struct mbn_run_stats *stats);

/*
 * Per-layer profiling (for benchmarks): with profiling on, accelerator devices run each
 * layer as a job of its own and read the hardware counters after it, so the numbers of
 * every layer are exact; the whole run is slightly slower. Off by default.
 */
int mbn_model_set_profiling(mbn_model *model, int on);
struct mbn_layer_stats {
	int on_accel;              /* ran on the accelerator */
	uint64_t macs;             /* the layer's MACs (as mbn_layer_info) */
	uint64_t mac_ops;          /* MAC operations the hardware did (padding channels included) */
	uint64_t cycles;           /* accelerator cycles */
	uint64_t pw_busy, dw_busy; /* cycles each engine computed */
	uint64_t stall_cycles;     /* cycles waiting on DRAM */
	uint64_t dram_read_bytes, dram_write_bytes;
	double host_us;            /* host CPU time (layers run on the CPU) */
	int fused;                 /* 1: a pointwise layer fused into the depthwise layer before
				    * it (docs/hw.md, fusion): that layer's job ran both, and its
				    * numbers count both; this one's are 0 */
};
/* Statistics of layer `index` from the last run with profiling on. */
int mbn_model_layer_stats(const mbn_model *model, int index, struct mbn_layer_stats *stats);

/* ---- model description (mbn-info) --------------------------------------------- */

enum mbn_layer_kind {
	MBN_LAYER_CONV = 1,     /* CONV_2D */
	MBN_LAYER_DEPTHWISE,    /* DEPTHWISE_CONV_2D */
	MBN_LAYER_AVGPOOL,      /* AVERAGE_POOL_2D */
	MBN_LAYER_FC,           /* FULLY_CONNECTED */
	MBN_LAYER_RESHAPE,      /* RESHAPE or SQUEEZE (no arithmetic) */
	MBN_LAYER_SOFTMAX,      /* SOFTMAX */
	MBN_LAYER_QUANTIZE,     /* QUANTIZE between quantized types (requantization) */
	MBN_LAYER_PAD,          /* PAD / PADV2 not folded into the convolution after it */
	MBN_LAYER_MEAN,         /* MEAN over height and width */
};

struct mbn_layer_info {
	enum mbn_layer_kind kind;
	const char *op_name;    /* TFLite operator name, e.g. "DEPTHWISE_CONV_2D" */
	const char *name;       /* output tensor name */
	int file;               /* index of the .tflite file it came from */
	int in_h, in_w, in_c;
	int out_h, out_w, out_c;
	int k_h, k_w, stride_h, stride_w;
	uint64_t params;        /* weights + biases */
	uint64_t macs;
	int on_accel;           /* 1 if this device runs it on the accelerator */
	int accel_layer;        /* 1 if it is an accelerator layer (a convolution the
				 * hardware can run): what an accelerator device would take */
	const char *cpu_reason; /* why an accelerator device leaves it on the CPU (NULL if
				 * on_accel or the device is the cpu) */
	const char *folded;     /* operators folded into this layer at load time, e.g. "PAD"
				 * (NULL if none) */
	int op_index;           /* index of its operator in that file's subgraph 0 (a folded
				 * operator's consumer: the convolution after a folded PAD) */
};

/* Number of layers (0 for a model that only converts types at its edges, e.g. a lone
 * QUANTIZE from float32) or negative errno. */
int mbn_model_layer_count(const mbn_model *model);
int mbn_model_layer_info(const mbn_model *model, int index, struct mbn_layer_info *info);
/* A one-line description, e.g. "MobileNet v1 (alpha 1.0, 224x224, uint8)". */
const char *mbn_model_describe(const mbn_model *model);

/* ---- helpers for classifiers -------------------------------------------------- */

/* Indices of the k largest scores (ties: lower index first). Returns k' = min(k, n). */
int mbn_topk(const float *scores, int n, int k, int *indices);

typedef struct mbn_labels mbn_labels;
/* One label per line. */
int mbn_labels_load(const char *path, mbn_labels **out);
int mbn_labels_count(const mbn_labels *labels);
/* Label of index i, or NULL if out of range. */
const char *mbn_labels_get(const mbn_labels *labels, int i);
void mbn_labels_free(mbn_labels *labels);

#ifdef __cplusplus
}
#endif
#endif /* MBNACCEL_H */
