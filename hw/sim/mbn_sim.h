/*
 * mbn_sim.h: the C ABI of the Verilated mbnaccel (libmbnsim.so, built by hw/sim/sim.mk).
 * It owns nothing but this interface; hw/sim/harness.cpp implements it: the Verilated
 * mbnaccel_top, a clock, an AXI4-Lite master for the registers and an AXI4 DRAM slave
 * with configurable latency, bandwidth and outstanding reads (docs/hw.md, DESIGN.md s.4).
 *
 * Register offsets come from build/gen/mbn_regs.h (make regs); this header has none.
 * Every function is thread-compatible: one thread per mbn_sim at a time. Several
 * mbn_sim instances may coexist (each has its own VerilatedContext).
 */
#ifndef MBN_SIM_H
#define MBN_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mbn_sim mbn_sim;

struct mbn_sim_config {
	uint64_t mem_bytes;        /* DRAM size; default 256 MiB. Addresses >= mem_bytes: DECERR */
	unsigned read_latency;     /* cycles from AR acceptance to the first data beat; default 64 */
	unsigned bytes_per_cycle;  /* peak DRAM bandwidth, shared by reads and writes; default 16
				      (one 128-bit beat per cycle; 8 = a beat every 2 cycles) */
	unsigned max_outstanding;  /* read bursts accepted and not yet returned; default 8 (max 64) */
	unsigned write_latency;    /* cycles from the last W beat to B; default 16 */
	uint8_t *mem_external;     /* NULL: the sim allocates (zeroed) DRAM. Else the caller's
				      mem_bytes of memory (e.g. a QEMU guest-RAM mapping); not freed */
	uint64_t mem_base;         /* physical address of the DRAM's first byte; default 0. The
				      DRAM answers [mem_base, mem_base + mem_bytes), DECERR
				      elsewhere (an arm64 QEMU `virt` guest's RAM starts at 1 GiB) */
};

/* Fill *cfg with the defaults above. */
void mbn_sim_default_config(struct mbn_sim_config *cfg);

/* Create a simulator (the RTL comes out of reset). cfg NULL = defaults; a field of 0 =
 * its default (except mem_external). On failure NULL and a message in err. */
mbn_sim *mbn_sim_create(const struct mbn_sim_config *cfg, char *err, size_t errlen);
void mbn_sim_destroy(mbn_sim *sim);

/* Register access through real AXI4-Lite handshakes (the clock runs meanwhile, so a job
 * in progress advances). off: byte offset, MBN_REG_* from mbn_regs.h. A slave that does
 * not answer within 10000 cycles counts a protocol error; a read then returns ~0u. */
uint32_t mbn_sim_reg_read(mbn_sim *sim, uint32_t off);
void mbn_sim_reg_write(mbn_sim *sim, uint32_t off, uint32_t val);

/* The DRAM model's backing store: byte i is physical address mem_base + i, i < *size
 * (size may be NULL). */
uint8_t *mbn_sim_mem(mbn_sim *sim, uint64_t *size);

/* Clock until irq is high (checked before each cycle): 0, or -ETIMEDOUT after
 * max_cycles (0 = no limit). */
int mbn_sim_wait_irq(mbn_sim *sim, uint64_t max_cycles);

/* Clock n cycles unconditionally. */
void mbn_sim_step(mbn_sim *sim, uint64_t n);

/* The irq output now (0/1). */
int mbn_sim_irq(mbn_sim *sim);

/* Total cycles simulated since create. */
uint64_t mbn_sim_cycles(mbn_sim *sim);

/* FST waveform to path (NULL: stop and close). 0 or -errno. */
int mbn_sim_trace(mbn_sim *sim, const char *fst_path_or_null);

/* Accesses touching physical [lo, hi) get SLVERR (reads: the beats inside; writes: the
 * burst's B). lo == hi disables. */
void mbn_sim_inject_axi_error(mbn_sim *sim, uint64_t lo, uint64_t hi);

/* AXI protocol violations seen so far by the on-the-fly checker (each is also printed
 * on stderr with the cycle). Sticky. */
uint64_t mbn_sim_protocol_errors(mbn_sim *sim);

/* DRAM-side statistics: bytes transferred on R and W (strobed bytes) and bursts. */
struct mbn_sim_stats {
	uint64_t rd_bytes, wr_bytes, rd_bursts, wr_bursts;
	uint64_t rd_err_beats, wr_err_bursts;
};
void mbn_sim_stats(mbn_sim *sim, struct mbn_sim_stats *st);

/* The RTL parameters of this build, e.g. "LANES=16 IBUF_WORDS=8192 WBUF_ROWS=512
 * OBUF_WORDS=4096 QBUF_ENTRIES=1024 ADDR_W=40 MAX_RD_OUTSTANDING=4". */
const char *mbn_sim_params(void);

#ifdef __cplusplus
}
#endif
#endif
