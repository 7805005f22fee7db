# tools/cosim/cosim.mk: the QEMU co-simulation bridge and its tests; included by the
# top-level Makefile (`-include tools/cosim/cosim.mk`) after hw/sim/sim.mk.
#
#   make cosim          -> $(BUILD)/bin/mbn-cosim        (the bridge: ivshmem server + libmbnsim)
#                          $(BUILD)/bin/mbn-cosim-probe  (static guest-side test program)
#   make check-driver   bash tests/run.sh driver/   (QEMU boots: tests/driver/test-*.sh)
#
# The bridge dlopen()s build/lib/libmbnsim.so (or --lib / $MBN_SIM_LIB) at run time, so it
# builds without the simulator; `make all` builds it whenever the simulator is part of
# `all` (not for SAN=1). docs/cosim.md documents the bridge and the harness.

COSIM_BIN    := $(BUILD)/bin/mbn-cosim
COSIM_PROBE  := $(BUILD)/bin/mbn-cosim-probe
COSIM_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Ihw/sim -I$(GEN) -Itools/cosim

.PHONY: cosim check-driver
cosim: $(COSIM_BIN) $(COSIM_PROBE)

$(COSIM_BIN): tools/cosim/mbn-cosim.c tools/cosim/cosim_mailbox.h $(SIM_LOAD) $(REGS_H) tools/cosim/cosim.mk
	@mkdir -p $(dir $@)
	$(CC) $(COSIM_CFLAGS) -o $@ $< hw/sim/mbn_sim_load.c -ldl

# Runs inside the QEMU guest: static, so it needs no shared libraries there.
$(COSIM_PROBE): tools/cosim/mbn-cosim-probe.c tools/cosim/cosim_mailbox.h $(REGS_H) tools/cosim/cosim.mk
	@mkdir -p $(dir $@)
	$(CC) $(COSIM_CFLAGS) -static -o $@ $<

ifneq ($(SAN),1)
ifneq ($(SIM_ALL),)
all: cosim
endif
endif

# The driver tests boot QEMU guests; they need the bridge, the simulator and (for the
# driver's own tests) the kernel module from driver/driver.mk.
check-driver: cosim $(SIM_LIB) module module-6.12 drmtest
	bash tests/run.sh driver/
