/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel.h - the accelerator compiler: turns the accelerator part of a graph (its
 * convolutions, in segments between CPU layers) into descriptor chains, packed
 * weights and an activation memory layout, for any device that runs the mbnaccel
 * hardware (sim and drm). docs/hw.md is the contract.
 *
 * Memory is two regions: CONST (descriptors at offset 0, then weights and
 * quantization entries; written once at load) and ACT (the input written by the host,
 * then two ping-pong feature maps). Feature maps are NHWC with the channel count
 * padded to `chan_pad` (16, or the pointwise lanes without CAPS3 PW16); padding
 * channels hold don't-care values that the next layer multiplies by zero weights.
 */
#ifndef MBN_ACCEL_H
#define MBN_ACCEL_H

#include <stdbool.h>
#include <stdint.h>

#include "desc_check.h" /* hw/model: the hardware's descriptor checks */
#include "graph.h"

enum { ACCEL_REGION_CONST = 0, ACCEL_REGION_ACT = 1 };

/* What the hardware reports in CAPS0..CAPS3. The buffer sizes are the reported halves:
 * descriptors up to them run double-buffered (the next one loads while this one
 * computes). The *_full fields are the capacity the hardware accepts (docs/hw.md: twice
 * the half for IBUF, WBUF and OBUF; QBUF is not halved); a descriptor above a half runs
 * without that overlap. 0 there means unknown: the compiler then stays within the halves.
 * With IBANK the IBUF sizes are of one of its three banks (accel_ibuf_fits below). */
struct accel_caps {
	int lanes;            /* pointwise output lanes; MACs = lanes * 16 */
	int macs;
	uint32_t ibuf_bytes, wbuf_rows, obuf_bytes, qbuf_entries;
	int regions;
	uint32_t ibuf_full_bytes, wbuf_full_rows, obuf_full_bytes;
	bool fuse;            /* CAPS3 FUSE: depthwise descriptors may keep their output on chip */
	bool ibank;           /* CAPS3 IBANK: IBUF is three row banks (docs/hw.md "IBUF row banks") */
	bool rsingle;         /* CAPS3 RSINGLE: requantizer rounding 2 (ruy's arm64 single rounding) */
	bool pw16;            /* CAPS3 PW16: a PW's out_c any multiple of 16 (activations padded to 16) */
	bool chain;           /* CAPS3 CHAIN: a PW's output may stay on chip as the next DW's input */
	bool dwg;             /* CAPS3 DWG: a DW item computes lanes/16 channel groups (else one) */
	int rd_bytes;         /* CAPS3 RD256: AXI read data bytes, 32 (two words per beat) or 16 */
	int wr_bytes;         /* CAPS3 WR256: AXI write data bytes, 32 or 16 */
};

/*
 * Does an IBUF tile of `rows` rows of `row_bytes` bytes fit `space` bytes (the reported
 * half, ibuf_bytes, or one whole bank, ibuf_full_bytes)? docs/hw.md "IBUF row banks":
 * with IBANK the rows are spread over three banks and the hardware checks
 * in_bytes + 2 * row_bytes <= 3 * S (the last, partial stripe of rows may take a row
 * of each of the two other banks); without it the whole tile sits in S. A row is a DW
 * input row (in_w * in_c bytes) or a pixel (in_c bytes: a PW input, a fused DW's output).
 * Every comparison of an IBUF tile with a capacity in the compiler goes through here.
 */
static inline bool accel_ibuf_fits(const struct accel_caps *c, uint64_t rows, uint64_t row_bytes, uint64_t space)
{
	const struct mbn_hw_limits lim = { .ibank = c->ibank };
	return mbn_ibuf_fits(&lim, rows, row_bytes, space) != 0;
}

/* The checker's view of the device (desc_check.h): the whole buffers it accepts. */
static inline struct mbn_hw_limits accel_hw_limits(const struct accel_caps *c)
{
	struct mbn_hw_limits lim = {
		.lanes = (uint32_t)c->lanes,
		.ibuf_words = (c->ibuf_full_bytes ? c->ibuf_full_bytes : c->ibuf_bytes) / 16,
		.wbuf_rows = c->wbuf_full_rows ? c->wbuf_full_rows : c->wbuf_rows,
		.obuf_words = (c->obuf_full_bytes ? c->obuf_full_bytes : c->obuf_bytes) / 16,
		.qbuf_entries = c->qbuf_entries,
		.fuse = c->fuse, .ibank = c->ibank, .rsingle = c->rsingle, .pw16 = c->pw16,
		.chain = c->chain,
	};
	return lim;
}

/* The most rows of row_bytes (> 0) that fit space by accel_ibuf_fits(), maybe 0. */
static inline uint64_t accel_ibuf_rows(const struct accel_caps *c, uint64_t row_bytes, uint64_t space)
{
	const struct mbn_hw_limits lim = { .ibank = c->ibank };
	return mbn_ibuf_max_rows(&lim, row_bytes, space);
}

struct accel_layer {
	int layer;            /* graph layer index */
	bool on_accel;        /* in a segment (below); else cpu_reason says why not */
	const char *cpu_reason;
	uint32_t first_desc, n_desc; /* n_desc 0 on the accelerator: fused into the layer before */
	uint64_t macs;        /* useful MACs (the graph's, without padding channels) */
	uint64_t hw_macs;     /* MACs the hardware performs including padding channels */
	uint64_t cycle_budget;/* generous upper bound for the layer's cycles: a job that runs
			       * longer is declared hung (16 MACs/cycle, 1/4 of the DRAM bandwidth) */
};

/*
 * A segment: a maximal run of graph layers [first, end) the accelerator runs as one
 * job (descriptors [first_desc, first_desc + n_desc)). Its input is written by the host
 * at the ACT region's in_off (channel-padded, or as im2col rows when its first layer is
 * not a plain pointwise or depthwise layer); its output is read back from out_off. The
 * CPU runs the layers between segments (DESIGN.md section 7: device and CPU segments
 * alternate within one inference).
 */
struct accel_segment {
	int first, end;
	uint32_t first_desc, n_desc;
	bool im2col;
	int im2col_k;         /* padded im2col row length */
	uint64_t in_bytes;
	uint64_t out_off;     /* output feature map [out_h][out_w][out_cpad] */
	int out_h, out_w, out_c, out_cpad;
	uint64_t cycle_budget;
};

struct accel_plan {
	const struct mbn_graph *g;
	struct accel_caps caps;
	int chan_pad;
	int n_seg;
	struct accel_segment *seg;
	struct accel_layer *layers; /* [g->n_layers] */
	int seg_end;          /* (while compiling: the end of the segment being emitted) */

	uint8_t *const_img;   /* CONST region contents */
	uint64_t const_size;
	uint32_t n_desc;

	uint64_t act_size;    /* ACT region size */
	uint64_t in_off, in_bytes;  /* host-written input of a segment (the largest) */
};

/* Compile; n_seg may come out 0 (nothing for the accelerator). 0 or -errno. */
int mbn_accel_compile(const struct mbn_graph *g, const struct accel_caps *caps, struct accel_plan *p);
void mbn_accel_plan_free(struct accel_plan *p);
/* Host side of segment si: write its input (biased domain, the layer's input layout)
 * into the ACT region image (im2col or channel padding), and read its output back
 * without padding (out_h*out_w*out_c bytes). */
void mbn_accel_write_input(const struct accel_plan *p, int si, const uint8_t *in, uint8_t *act);
void mbn_accel_read_output(const struct accel_plan *p, int si, const uint8_t *act, uint8_t *out);

/* accel_host.c: what every accelerator device keeps per model on the host: the plan and
 * the buffers of the CPU layers between and after segments. */
struct mbn_layer_stats;
struct accel_host {
	struct accel_plan ap;
	uint8_t *fmap;        /* a segment's output without channel padding */
	uint8_t *buf[2];      /* CPU layers ping-pong */
	void *work;           /* the CPU layers' kernel scratch (mbn_cpu_range_work) */
};
/* Compile g for caps and allocate the buffers. 0 or -errno (message set). */
int mbn_accel_host_init(struct accel_host *h, const struct mbn_graph *g, const struct accel_caps *caps);
void mbn_accel_host_free(struct accel_host *h);
/* Profiling: mark the layers the accelerator runs (on_accel) and the pointwise layers
 * fused into the depthwise layer before them (fused: no descriptors, no job of their own). */
void mbn_accel_host_mark(const struct accel_host *h, struct mbn_layer_stats *per_layer);
/*
 * The host's part before segment si (si == ap.n_seg: after the last one): take the
 * previous segment's output from the ACT image act (for si == 0: the graph input `in`),
 * run the CPU layers up to segment si's first layer, and write segment si's input into
 * act. Returns NULL, or for si == ap.n_seg the graph output (g->out_elems bytes, valid
 * until the next call). per_layer (may be NULL): the CPU layers' host_us. *host_us
 * accumulates the host microseconds spent.
 */
const uint8_t *mbn_accel_host_step(struct accel_host *h, const struct mbn_graph *g, int si, const uint8_t *in,
				   uint8_t *act, struct mbn_layer_stats *per_layer, double *host_us);

/* accel_caps.c: decode CAPS0..CAPS3 (c[0..3]) as every device reports them; `who` names
 * the device in the message if they are unusable (-ENODEV). */
int mbn_accel_caps_decode(const uint32_t c[4], const char *who, struct accel_caps *caps);
int mbn_accel_caps_describe(const struct accel_caps *c, char *buf, size_t len);
/* Name of a FAULT_CODE value ("region bounds", ...). */
const char *mbn_accel_fault_name(uint32_t code);

#endif
