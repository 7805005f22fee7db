/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu_ops.h - the bit-exact CPU reference of every layer kind (graph.h).
 *
 * Each function reads the layer's input feature map (biased-uint8 domain, NHWC,
 * in_h*in_w*in_c bytes) and writes its output (out_h*out_w*out_c bytes). They are
 * the test baseline and the fallback for the accelerator, and run the CPU tail
 * (pool, FC, softmax) on every device.
 */
#ifndef MBN_CPU_OPS_H
#define MBN_CPU_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "kernels/quant.h"

/* CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and FULLY_CONNECTED work in scratch
 * memory of mbn_cpu_scratch_bytes(l) bytes (int32-aligned, as malloc returns) that the
 * caller allocates once, when it compiles its plan: running a layer cannot fail. */
size_t mbn_cpu_scratch_bytes(const struct mbn_layer *l);
void mbn_cpu_conv(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch);
void mbn_cpu_dwconv(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch);
void mbn_cpu_avgpool(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch);
void mbn_cpu_fc(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch);
void mbn_cpu_softmax(const struct mbn_layer *l, const uint8_t *in, uint8_t *out);
/* cpu_convert.c: QUANTIZE (requantization between uint8 and int8), PAD; the float
 * edges of a graph (QUANTIZE float32 -> quantized, DEQUANTIZE), n elements each. */
void mbn_cpu_requantize(const struct mbn_layer *l, const uint8_t *in, uint8_t *out);
void mbn_cpu_pad(const struct mbn_layer *l, const uint8_t *in, uint8_t *out);
void mbn_edge_quantize(const struct mbn_edge *e, enum mbn_match match, const float *in, uint8_t *out, size_t n);
void mbn_edge_dequantize(const struct mbn_edge *e, enum mbn_match match, const uint8_t *in, float *out, size_t n);
/* cpu_mean.c: MEAN over H and W, every TFLite 2.9 code path. */
void mbn_cpu_mean(const struct mbn_layer *l, const uint8_t *in, uint8_t *out);
/* Its constants, once at load (tflite.c). */
void mbn_mean_prepare(struct mbn_layer *l);
/* CONV_2D / DEPTHWISE_CONV_2D: the rounding (quant.h enum mbn_rounding) of all the
 * layer's outputs in its TFLite build (l->match), or -1 if it differs between output
 * channels (arm64 int8 depthwise with a depth that is not a multiple of 8). */
int mbn_layer_rounding(const struct mbn_layer *l);
/* Dispatch on l->op (RESHAPE copies); scratch as for mbn_cpu_conv (NULL for an
 * operator whose mbn_cpu_scratch_bytes is 0). */
void mbn_cpu_run_layer(const struct mbn_layer *l, const uint8_t *in, uint8_t *out, void *scratch);

#endif
