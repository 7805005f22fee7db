# hw/sim/sim.mk: the Verilated simulator library and RTL lint; included by the top-level
# Makefile (`-include hw/sim/sim.mk`), which defines BUILD, GEN, REGS_VH, REGS_H.
#
#   make sim                                       -> $(BUILD)/lib/libmbnsim.so
#   make sim SIM_CONFIG=mac512 SIM_PARAMS="-GLANES=32" -> build/lib/libmbnsim-mac512.so
#                                                     (what the sim backend loads, and
#                                                     builds on demand, for sim:mac=512)
#   make sim-stub                                  -> $(BUILD)/lib/libmbnsim-stub.so
#                                                     (hw/sim/stub: registers only)
#   make lint [SIM_PARAMS="-GLANES=32"]            verilator --lint-only -Wall on hw/rtl
#   make sim-test                                  build the tests/sim programs
#
# The library exports only the C ABI of hw/sim/mbn_sim.h (version script hw/sim/mbnsim.map).
# Verilator builds the model archives in build/sim-obj/<config>; the harness is compiled
# here so the parameter string can be quoted safely.

SIM_CONFIG    ?= default
SIM_PARAMS    ?=
VERILATOR     ?= verilator
SIM_RTL_DIR   ?= hw/rtl
SIM_RTL        = $(wildcard $(SIM_RTL_DIR)/*.v $(SIM_RTL_DIR)/*.sv)
SIM_HARNESS   := hw/sim/harness.cpp hw/sim/dram.h hw/sim/mbn_sim.h hw/sim/mbnsim.map
SIM_VROOT      = $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)
SIM_CXX       ?= g++
SIM_OPT       ?= -O3
# SIM_TRACE=0 compiles FST tracing out (mbn_sim_trace then returns -ENOTSUP)
SIM_TRACE     ?= 1
SIM_TRACE_FLAGS := $(if $(filter 1,$(SIM_TRACE)),--trace-fst,)
# -fno-dfg: Verilator 5.006's DFG optimizer merges the wide lane vectors of the large
# arrays into expressions it re-evaluates every cycle; without it the 128-lane build
# runs 0.25-128 at 106 k cycles/s instead of 48.7 k (measured, mbn-bench -d
# sim:mac=2048); the 16-lane build's speed is unchanged.
SIM_VFLAGS     = --cc --build -j 2 -O3 -fno-dfg --x-assign fast --x-initial fast --noassert \
                 $(SIM_TRACE_FLAGS) -Wno-fatal -Wno-lint -Wno-style \
                 --top-module mbnaccel_top --prefix Vmbnaccel_top \
                 -CFLAGS -fPIC -CFLAGS -fvisibility=hidden \
                 -MAKEFLAGS "OPT_FAST=$(SIM_OPT) OPT_SLOW=-O1 OPT_GLOBAL=-O2"

# Always the optimized build directory: the sanitizer build of the library loads the
# same simulator (Verilating twice would double the build for nothing).
ifeq ($(SIM_CONFIG),default)
  SIM_LIB     := build/lib/libmbnsim.so
else
  SIM_LIB     := build/lib/libmbnsim-$(SIM_CONFIG).so
endif
SIM_OBJ       := build/sim-obj/$(SIM_CONFIG)
# The Verilator run-time objects (verilator builds them only for --exe).
SIM_RT_OBJS    = verilated.o verilated_threads.o $(if $(filter 1,$(SIM_TRACE)),verilated_fst_c.o,)

# The one loader of the C ABI (dlopen + dlsym), compiled into every program that loads a
# simulator at run time: libmbnaccel's sim backend, the tests/sim programs, mbn-cosim.
SIM_LOAD      := hw/sim/mbn_sim_load.c hw/sim/mbn_sim_load.h hw/sim/mbn_sim.h

# Lead: add $(SIM_ALL) to the prerequisites of `all` (all: lib tools tests $(SIM_ALL)).
SIM_ALL       := sim

.PHONY: sim sim-stub lint sim-test sim-clean

# Rebuild when the parameters change: the stamp holds them.
$(SIM_OBJ)/params.stamp: FORCE_SIM
	@mkdir -p $(dir $@)
	@echo '$(SIM_PARAMS)' | cmp -s - $@ || echo '$(SIM_PARAMS)' > $@
FORCE_SIM:

# $(1) = output .so, $(2) = object dir, $(3) = RTL sources, $(4) = -G parameters
define sim_build
	@test -n "$(3)" || { echo "sim: no RTL in $(SIM_RTL_DIR) (need mbnaccel_top)"; exit 1; }
	@command -v $(VERILATOR) >/dev/null || { echo "sim: verilator not found (apt-get install verilator)"; exit 1; }
	@mkdir -p $(2) $(dir $(1))
	$(VERILATOR) $(SIM_VFLAGS) -Mdir $(2) -I$(SIM_RTL_DIR) -I$(GEN) $(4) $(3)
	$(MAKE) --no-print-directory -C $(2) -f Vmbnaccel_top.mk OPT_GLOBAL=-O2 $(SIM_RT_OBJS)
	$(SIM_CXX) -std=c++17 $(SIM_OPT) -fPIC -fvisibility=hidden -Wall -c -o $(2)/harness.o \
	    -I$(2) -Ihw/sim -I$(GEN) -I$(SIM_VROOT)/include -I$(SIM_VROOT)/include/vltstd \
	    -DVM_TRACE=$(if $(filter 1,$(SIM_TRACE)),1,0) -DVM_TRACE_FST=$(if $(filter 1,$(SIM_TRACE)),1,0) -DMBN_SIM_PARAM_OVERRIDES='"$(4)"' hw/sim/harness.cpp
	$(SIM_CXX) -shared -o $(1) -Wl,--version-script=hw/sim/mbnsim.map -Wl,-soname,$(notdir $(1)) \
	    $(2)/harness.o $(2)/Vmbnaccel_top__ALL.a $(addprefix $(2)/,$(SIM_RT_OBJS)) -lz -lpthread
endef

sim: $(SIM_LIB)
$(SIM_LIB): $(SIM_RTL) $(SIM_HARNESS) $(REGS_VH) $(REGS_H) $(SIM_OBJ)/params.stamp hw/sim/sim.mk
	$(call sim_build,$@,$(SIM_OBJ),$(SIM_RTL),$(SIM_PARAMS))

SIM_STUB_LIB := build/lib/libmbnsim-stub.so
sim-stub: $(SIM_STUB_LIB)
$(SIM_STUB_LIB): hw/sim/stub/mbnaccel_top.v $(SIM_HARNESS) $(REGS_VH) hw/sim/sim.mk
	$(call sim_build,$@,build/sim-obj/stub,hw/sim/stub/mbnaccel_top.v,)

lint: $(REGS_VH)
	@test -n "$(SIM_RTL)" || { echo "lint: no RTL in $(SIM_RTL_DIR)"; exit 1; }
	$(VERILATOR) --lint-only -Wall --top-module mbnaccel_top -I$(SIM_RTL_DIR) -I$(GEN) $(SIM_PARAMS) \
	    $(wildcard $(SIM_RTL_DIR)/mbnaccel.vlt) $(SIM_RTL)

# The simulator tests (tests/sim/test-sim.sh builds and runs them): plain C programs
# linked against the C model and, at run time, a libmbnsim*.so.
SIM_TEST_SRC  := $(wildcard tests/sim/sim-*.c)
SIM_TESTS     := $(patsubst tests/sim/%.c,$(BUILD)/tests-sim/%,$(SIM_TEST_SRC))
sim-test: $(SIM_TESTS)
# sim-rtl is one program of several files: sim-rtl.c (main) and tests/sim/rtl-*.c.
$(BUILD)/tests-sim/sim-rtl: $(wildcard tests/sim/rtl-*.c) tests/sim/sim-rtl.h
$(BUILD)/tests-sim/%: tests/sim/%.c tests/sim/simtest.h hw/model/cmodel.c hw/model/cmodel.h hw/model/requant.h hw/model/desc_check.h hw/sim/mbn_sim.h $(SIM_LOAD) $(REGS_H)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Ihw/sim -Ihw/model -I$(GEN) -o $@ $< $(filter tests/sim/rtl-%.c,$^) hw/model/cmodel.c hw/sim/mbn_sim_load.c -ldl -lm

sim-clean:
	rm -rf build/sim-obj $(BUILD)/lib/libmbnsim*.so $(BUILD)/tests-sim
