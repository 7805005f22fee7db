/* SPDX-License-Identifier: Apache-2.0 */
/*
 * delegate_int.h - what the delegate's two files share. delegate.c is the TFLite side
 * (plugin ABI, Prepare: which nodes to claim, the partition kernels); chain_model.c
 * turns a chain of TFLite nodes back into a .tflite buffer so that libmbnaccel's own
 * loader validates, folds and compiles it exactly as it would the file (one loader, one
 * set of rules: the delegate cannot claim what mbn_model_load would refuse).
 */
#ifndef MBN_DELEGATE_INT_H
#define MBN_DELEGATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tensorflow/lite/c/common.h"
/* the schema's BuiltinOperator values (TFL_OP_*), shared with the loader and the writer */
#include "loader/tflite_schema.h"
#include <pthread.h>

#include "mbnaccel.h"
#include "mbnaccel_tflite.h"

#define WHY_LEN 256
/* longest chain one kernel compiles (MobileNet v1: 27 convolutions, 32 with PADs) */
#define MAX_CHAIN 256
/* BuiltinOperator_DELEGATE (schema.fbs) */
#define BUILTIN_DELEGATE 51

struct chain {
	int first_pos;             /* position of its first node in the execution plan */
	int n;
	int *nodes;                /* node indices */
	int in_t, out_t;           /* TFLite tensors: activation input, output */
	int in_dims[4];            /* the input shape it was compiled for */
	size_t in_bytes, out_bytes;
	mbn_model *model;
	/* inside a partition: an output only the next chain reads has no TFLite memory
	 * (TFLite allocates only the partition's own inputs and outputs), so the kernel
	 * keeps it, allocated once at init */
	uint8_t *own_out;
	int src;                   /* chain of this kernel whose own_out is our input, -1 */
};

struct mbn_tfl_delegate {
	TfLiteDelegate base;       /* first: TfLiteDelegate* converts to ours */
	uint32_t magic;
	char uri[256];
	enum mbn_match match;
	int log;
	void (*report)(const char *);
	mbn_device *dev;           /* NULL: the device did not open, claim nothing */
	mbn_device *cpu;           /* the loader's judge for single nodes (step 2) */
	int is_cpu;
	char dev_error[512];
	int said_dev_error;
	/* the plugin ABI's answer to invalid options: Prepare fails with this message
	 * (TFLite 2.9's C external-delegate loader calls a NULL plugin delegate's Prepare,
	 * so the plugin never returns NULL) */
	char option_error[512];
	pthread_mutex_t lock;      /* stats, pending */
	struct mbn_tflite_stats stats;
	/* chains compiled in Prepare, waiting for their kernel's init */
	struct chain *pending;
	int n_pending, cap_pending;
};

struct part {                      /* one delegate kernel: a TFLite partition */
	struct mbn_tfl_delegate *d;
	int n;
	struct chain *chains;      /* in execution order */
	char error[WHY_LEN];       /* set by init if the partition is not ours */
};

/* delegate.c: messages (TFLite's report_error, else stderr), the clock, names */
void mbn_tfl_say(struct mbn_tfl_delegate *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double mbn_tfl_now_us(void);
const char *mbn_tfl_builtin_name(int b);
void mbn_tfl_chain_free(struct chain *c);

/* delegate_prepare.c: TfLiteDelegate.Prepare (what to claim; one kernel per partition) */
TfLiteStatus mbn_tfl_delegate_prepare(TfLiteContext *ctx, TfLiteDelegate *base);

/* delegate_kernel.c: the partition kernel's TfLiteRegistration callbacks */
void *mbn_tfl_part_init(TfLiteContext *ctx, const char *buffer, size_t length);
void mbn_tfl_part_free(TfLiteContext *ctx, void *buffer);
TfLiteStatus mbn_tfl_part_prepare(TfLiteContext *ctx, TfLiteNode *node);
TfLiteStatus mbn_tfl_part_invoke(TfLiteContext *ctx, TfLiteNode *node);

/* One node of the execution plan. */
struct dnode {
	int index;                 /* node index in the subgraph */
	int builtin;               /* TfLiteRegistration.builtin_code */
	int version;
	TfLiteNode *node;
	TfLiteRegistration *reg;
};

/* NULL if node n is worth offering to the loader (a convolution or pad with a
 * quantized activation input and constant parameters), else why TFLite keeps it. */
const char *mbn_tfl_screen(const TfLiteContext *ctx, const struct dnode *n);

/* The TFLite tensor index of a node's activation input and output. */
static inline int mbn_tfl_act_in(const struct dnode *n) { return n->node->inputs->data[0]; }
static inline int mbn_tfl_act_out(const struct dnode *n) { return n->node->outputs->data[0]; }

/* The builtin parameters of a CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D,
 * MAX_POOL_2D or MEAN node as read through tflite_builtin.h, "key=value ..." ("" for
 * other operators): what log=2 prints, and what tests/delegate/tflite-options.py
 * compares with the flatbuffer's option tables. */
void mbn_tfl_params_str(const struct dnode *n, char *s, size_t len);

/* Serializes the chain nodes[0..n) (each node's activation input the previous node's
 * output) as a one-subgraph .tflite model: its input is the first node's input, its
 * output the last node's output, operator i is nodes[i]. *buf is malloc'ed. 0, or a
 * negative errno with a message in why. */
int mbn_tfl_chain_serialize(const TfLiteContext *ctx, const struct dnode *nodes, int n, uint8_t **buf,
			    size_t *len, char *why, size_t why_len);

#endif
