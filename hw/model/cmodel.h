/*
 * cmodel.h: the C functional model of one mbnaccel job (a descriptor chain), per
 * docs/hw.md ("Jobs", "Memory: regions", "Descriptor", "Arithmetic"). It is the golden
 * reference for the RTL tests (tests/sim) and lets the compiler be tested without the
 * RTL. Same names as the doc: in_rows, in_w, in_c, out_c, row_off, pad_left, w_zp, ...
 *
 * Plain C on the generated contract header (build/gen/mbn_regs.h, from hw/regs) and the
 * shared desc_check.h / requant.h, so it can be linked into the library, the tests or
 * the harness alike. The API below is stable.
 */
#ifndef MBN_CMODEL_H
#define MBN_CMODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One entry of the hardware region table: REGION[r].BASE / .SIZE. */
struct mbn_cmodel_region {
	uint64_t base;
	uint64_t size;
};

/* RTL parameters that matter functionally (capacity checks). */
struct mbn_cmodel_params {
	unsigned lanes;        /* LANES, default 16 */
	unsigned ibuf_words;   /* IBUF_WORDS, 16-byte words, default 8192 */
	unsigned wbuf_rows;    /* WBUF_ROWS per lane, default 512 */
	unsigned obuf_words;   /* OBUF_WORDS, default 4096 */
	unsigned qbuf_entries; /* QBUF_ENTRIES, default 1024 */
	unsigned fuse;         /* CAPS3 FUSE: DW d0 bit 10 accepted (default 1) */
	unsigned ibank;        /* CAPS3 IBANK: IBUF is 3 row banks of ibuf_words (default 1) */
	unsigned rsingle;      /* CAPS3 RSINGLE: requantizer rounding 2 accepted (default 1) */
	unsigned pw16;         /* CAPS3 PW16: a PW's out_c any multiple of 16 (default 1) */
	unsigned chain;        /* CAPS3 CHAIN: PW d0 bit 10, DW d0 bit 11 accepted (default 1) */
};

/* Outcome of a job: what the registers FAULT_*, DESC_DONE and the DMA counters show. */
struct mbn_cmodel_fault {
	uint32_t code;       /* FAULT_CODE: 0 none, 1 bounds, 2 AXI, 3 descriptor, 4 region */
	uint32_t desc;       /* FAULT_DESC: index of the faulting descriptor */
	uint32_t offset;     /* FAULT_OFFSET: region offset of the faulting access (see cmodel.c) */
	uint32_t desc_done;  /* DESC_DONE */
	uint64_t rd_bytes;   /* DMA_RD_BYTES expected (descriptors fetched + loaded extents) */
	uint64_t wr_bytes;   /* DMA_WR_BYTES expected */
	uint64_t macs;       /* MAC operations: PW npix*in_c*out_c, DW 9*out_rows*out_w*in_c */
	uint64_t macs_valid; /* same, DW counting only taps inside the input tile */
};

/* Default parameters (the defaults of mbnaccel_top). */
void mbn_cmodel_default_params(struct mbn_cmodel_params *p);

/*
 * Run `count` descriptors starting at (desc_region, desc_offset) on `mem` (physical
 * address 0..mem_size-1) with the region table `regions[0..nreg)` (entries nreg..7
 * are treated as base 0, size 0, as after reset). Returns the fault code (0 = DONE).
 * `fault` may be NULL. A faulting descriptor writes nothing; earlier ones have written.
 */
int mbn_cmodel_run(uint8_t *mem, uint64_t mem_size, const struct mbn_cmodel_region *regions,
		   int nreg, uint32_t desc_region, uint32_t desc_offset, uint32_t count,
		   struct mbn_cmodel_fault *fault);

/* The same with explicit RTL parameters (NULL = defaults). */
int mbn_cmodel_run_params(const struct mbn_cmodel_params *params, uint8_t *mem,
			  uint64_t mem_size, const struct mbn_cmodel_region *regions, int nreg,
			  uint32_t desc_region, uint32_t desc_offset, uint32_t count,
			  struct mbn_cmodel_fault *fault);

/* requant(acc) of docs/hw.md "Arithmetic" (requant.h's mbn_requant_out), exposed for unit
 * tests. round: 0, 1 or 2. */
uint8_t mbn_cmodel_requant(int32_t acc, int32_t mult, int32_t shift, int round, uint8_t out_zp,
			   uint8_t act_min, uint8_t act_max);

#ifdef __cplusplus
}
#endif
#endif
