/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn_sim_load.h: the one loader of the simulator library's C ABI (hw/sim/mbn_sim.h).
 * libmbnaccel's sim backend, the simulator tests (tests/sim) and the co-simulation
 * bridge (tools/cosim/mbn-cosim) dlopen() a libmbnsim*.so at run time, so that none of
 * them links Verilator or C++ and one binary runs against any simulator build (the
 * default, a parameter variant such as libmbnsim-mac512.so, the register-only stub).
 *
 * The table's field types are taken from the prototypes in mbn_sim.h (__typeof__), so
 * the ABI's signatures are written once, there. Plain C, no Verilator headers.
 */
#ifndef MBN_SIM_LOAD_H
#define MBN_SIM_LOAD_H

#include <stddef.h>

#include "mbn_sim.h"

/* Every function of mbn_sim.h, without the mbn_sim_ prefix. */
#define MBN_SIM_ABI_FUNCS(X)                                                            \
	X(default_config)                                                               \
	X(create)                                                                       \
	X(destroy)                                                                      \
	X(reg_read)                                                                     \
	X(reg_write)                                                                    \
	X(mem)                                                                          \
	X(wait_irq)                                                                     \
	X(step)                                                                         \
	X(irq)                                                                          \
	X(cycles)                                                                       \
	X(trace)                                                                        \
	X(inject_axi_error)                                                             \
	X(protocol_errors)                                                              \
	X(stats)                                                                        \
	X(params)

/* A loaded simulator library: L.create(...) calls its mbn_sim_create, and so on. */
struct mbn_sim_lib {
	void *dl; /* the dlopen() handle; NULL when not loaded */
#define MBN_SIM_LIB_FIELD(f) __typeof__(mbn_sim_##f) *f;
	MBN_SIM_ABI_FUNCS(MBN_SIM_LIB_FIELD)
#undef MBN_SIM_LIB_FIELD
};

/*
 * Load the simulator library at path and resolve every function of the ABI. 0, or -1
 * with *L zeroed and a message in err: "cannot load the simulator library PATH: <dlerror>"
 * or "the simulator library PATH lacks mbn_sim_NAME (not a libmbnsim?)"; callers append
 * their own hint (how to build or name one).
 */
int mbn_sim_lib_open(struct mbn_sim_lib *L, const char *path, char *err, size_t errlen);

/* Unload (dlclose) a library opened by mbn_sim_lib_open; no-op if none. Every mbn_sim
 * created from it must have been destroyed. */
void mbn_sim_lib_close(struct mbn_sim_lib *L);

#endif
