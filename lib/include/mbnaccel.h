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
 *   "drm[:/dev/...]"      the kernel driver (not built yet)
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
	MBN_TYPE_UINT8 = 1, /* asymmetric per-tensor */
	MBN_TYPE_INT8 = 2,  /* symmetric per-channel weights, int8 activations */
};

#define MBN_NAME_MAX 128
struct mbn_tensor_info {
	int ndims;
	int dims[4];           /* as in the model, e.g. {1, 224, 224, 3} */
	enum mbn_type type;
	float scale;
	int32_t zero_point;
	size_t bytes;          /* product of dims (one byte per element) */
	char name[MBN_NAME_MAX];
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
void mbn_model_free(mbn_model *model);

int mbn_model_input_info(const mbn_model *model, struct mbn_tensor_info *info);
int mbn_model_output_info(const mbn_model *model, struct mbn_tensor_info *info);

/*
 * Run one inference. input: exactly input_info.bytes bytes of the model's input type
 * (NHWC). output: exactly output_info.bytes bytes receive the model's raw quantized
 * output. probs (may be NULL): output_info.bytes floats, the dequantized output
 * (scale * (q - zero_point)), i.e. probabilities for a softmax classifier.
 */
int mbn_model_run(mbn_model *model, const void *input, size_t input_size, void *output,
		  size_t output_size, float *probs);

/* What the last mbn_model_run() cost. */
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
	int accel_layer;        /* 1 if it is an accelerator layer (conv0, depthwise, pointwise
				 * before the pool): what an accelerator device would take */
};

/* Number of layers (>0) or negative errno. */
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
