/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim-rtl.h - what the files of the one program sim-rtl share: sim-rtl.c (main, running
 * a job on the RTL and on the C model, random chains, speed), rtl-faults.c (fault cases,
 * mutated descriptors) and rtl-control.c (descriptor fetch, CAPS, AXI errors, CTRL.RESET,
 * IBUF bank limits). The simulator library, the C model's parameters and the reference
 * memory are sim-rtl.c's; the other files define SIMTEST_PART before including this, so
 * simtest.h's counters and RNG are one copy for the whole program.
 */
#ifndef SIM_RTL_H
#define SIM_RTL_H

#include <stddef.h>

#include "simtest.h"

extern struct mbn_sim_lib L;
extern struct mbn_cmodel_params P;
#define MEM_BYTES (8u << 20)
extern uint8_t ref[MEM_BYTES];

struct result {
	int timeout;
	uint32_t status, irq_status, irq, code, fdesc, foff, done;
	uint64_t cycles, rd, wr, mac, pw_busy, dw_busy;
	uint64_t sim_cycles;
	double wait_s; /* wall time of the wait for irq */
};

void run_job(mbn_sim *s, const struct chain *c, int nreg, uint32_t count, uint64_t max_cycles,
	     struct result *r);
int run_both(mbn_sim *s, struct chain *c, uint32_t n, uint64_t max_cycles, struct mbn_cmodel_fault *f,
	     struct result *r);
mbn_sim *new_sim(int randomize, char *desc, size_t dlen);
int compare_mem(mbn_sim *s, char *why, size_t wlen);
void describe(const struct chain *c);

/* rtl-faults.c */
void test_mutated(int iters);
void test_faults(void);

/* rtl-control.c */
void test_desc_fetch(void);
void test_axi_error(int on_write);
void test_reset(void);
void test_ibank_limits(void);

#endif
