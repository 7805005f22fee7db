/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn_sim_load.c: dlopen() a libmbnsim*.so and resolve its C ABI (mbn_sim_load.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "mbn_sim_load.h"

int mbn_sim_lib_open(struct mbn_sim_lib *L, const char *path, char *err, size_t errlen)
{
	memset(L, 0, sizeof(*L));
	/* RTLD_LOCAL: the library's symbols stay out of the global namespace, so builds
	 * loaded side by side (mac=256 and mac=512) do not interpose each other. */
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, errlen, "cannot load the simulator library %s: %s", path, dlerror());
		return -1;
	}
#define MBN_SIM_LIB_SYM(f)                                                                      \
	do {                                                                                    \
		*(void **)&L->f = dlsym(dl, "mbn_sim_" #f);                                     \
		if (!L->f) {                                                                    \
			snprintf(err, errlen, "the simulator library %s lacks mbn_sim_" #f     \
				 " (not a libmbnsim?)", path);                                  \
			dlclose(dl);                                                            \
			memset(L, 0, sizeof(*L));                                               \
			return -1;                                                              \
		}                                                                               \
	} while (0);
	MBN_SIM_ABI_FUNCS(MBN_SIM_LIB_SYM)
#undef MBN_SIM_LIB_SYM
	L->dl = dl;
	return 0;
}

void mbn_sim_lib_close(struct mbn_sim_lib *L)
{
	if (L->dl)
		dlclose(L->dl);
	memset(L, 0, sizeof(*L));
}
