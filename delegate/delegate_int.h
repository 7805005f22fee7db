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
