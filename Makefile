# mbnaccel top-level build: library, tools, tests. The kernel module is built by Kbuild
# (see `make module`, issue 4). Every tool lands in build/bin, libraries in build/lib.
#
# Layout rules (so a new file needs no Makefile edit):
#   lib/src/*.c, lib/src/*/*.c -> libmbnaccel.so.$(SOVER) / libmbnaccel.a (lib/src/README.md:
#                             loader/, compiler/, devices/, kernels/; includes name the folder;
#                             plus hw/sim/mbn_sim_load.c, the simulator's loader)
#   tools/common/*.c       -> build/obj/tools-common.a, linked into every tool
#   tools/mbn-*.c          -> build/bin/mbn-*  (one file = one tool)
#   tests/unit/test-*.c    -> build/tests/test-*  (run by tests/run.sh)

VERSION   := 0.1.0
SOVER     := 0
PREFIX    ?= /usr/local
DESTDIR   ?=
SHARED    ?= $(abspath ../shared)

CC        ?= cc
# -ffp-contract=off: the CPU reference must round float products exactly as TFLite's
# scalar code does (softmax table, multipliers); a fused multiply-add would change bits.
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wno-unused-parameter -Werror=implicit-function-declaration
GEN       := build/gen
# libdrm's include directory also provides the "drm.h" that the driver's uapi header includes.
DRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
LIB_CFLAGS := -Idriver/uapi/drm $(DRM_CFLAGS)
BASEFLAGS := -std=gnu11 -fPIC -ffp-contract=off $(WARN) -Ilib/include -Ilib/src -Ihw/model -Itools/common -I$(GEN) $(LIB_CFLAGS)
SAN       ?=
ifeq ($(SAN),1)
  BUILD   ?= build-san
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
  BUILD   ?= build
  SANFLAGS :=
endif
ALLFLAGS  := $(BASEFLAGS) $(SANFLAGS) $(CFLAGS)
LDLIBS    := -ldrm -luring -lm -lpthread -ldl
TOOL_LIBS := -ljpeg -lpng -lz

# The sim backend loads the simulator through hw/sim's one loader of its C ABI.
LIB_SRC   := $(wildcard lib/src/*.c lib/src/*/*.c) hw/sim/mbn_sim_load.c
LIB_HDR   := $(wildcard lib/src/*.h lib/src/*/*.h)
LIB_OBJ   := $(patsubst hw/sim/%.c,$(BUILD)/obj/hw-sim/%.o,$(patsubst lib/src/%.c,$(BUILD)/obj/lib/%.o,$(LIB_SRC)))
TC_SRC    := $(wildcard tools/common/*.c)
TC_OBJ    := $(patsubst tools/common/%.c,$(BUILD)/obj/tools-common/%.o,$(TC_SRC))
TOOL_SRC  := $(wildcard tools/mbn-*.c)
TOOLS     := $(patsubst tools/%.c,$(BUILD)/bin/%,$(TOOL_SRC))
TEST_SRC  := $(wildcard tests/unit/test-*.c)
TESTS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))

SONAME    := libmbnaccel.so.$(SOVER)
LIB_SO    := $(BUILD)/lib/libmbnaccel.so.$(VERSION)
LIB_A     := $(BUILD)/lib/libmbnaccel.a

.PHONY: all lib tools tests deps check demo install uninstall clean fuzz oracle san regs
all: lib tools tests $(if $(filter 1,$(SAN)),,$(SIM_ALL))

lib: $(LIB_SO) $(LIB_A)
tools: $(TOOLS)
tests: $(TESTS) $(BUILD)/bin/tflite-run

# The register map has one source (hw/regs/mbnaccel.regs); C and Verilog are generated.
REGS_H    := $(GEN)/mbn_regs.h
REGS_VH   := $(GEN)/mbn_regs.vh
$(REGS_H) $(REGS_VH): hw/regs/mbnaccel.regs hw/regs/gen-regs.py
	@mkdir -p $(GEN)
	python3 hw/regs/gen-regs.py hw/regs/mbnaccel.regs $(REGS_H) $(REGS_VH)
regs: $(REGS_H)

$(BUILD)/obj/lib/%.o: lib/src/%.c $(LIB_HDR) hw/model/requant.h hw/model/desc_check.h lib/include/mbnaccel.h $(REGS_H) hw/sim/mbn_sim.h hw/sim/mbn_sim_load.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) $(OBJ_DEFS) -fvisibility=hidden -c -o $@ $<

$(BUILD)/obj/hw-sim/%.o: hw/sim/%.c hw/sim/mbn_sim_load.h hw/sim/mbn_sim.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Ihw/sim -fvisibility=hidden -c -o $@ $<

# The sim backend dlopen()s the simulator library (always the optimized build in build/lib,
# also for the sanitizer build; PREFIX/lib/mbnaccel once installed).
$(BUILD)/obj/lib/devices/backend_sim.o: OBJ_DEFS = -Ihw/sim -DMBN_SIM_LIBDIR='"$(abspath build/lib)"' \
	-DMBN_SIM_INSTALLDIR='"$(PREFIX)/lib/mbnaccel"' -DMBN_SOURCE_DIR='"$(CURDIR)"'

$(BUILD)/obj/tools-common/%.o: tools/common/%.c $(wildcard tools/common/*.h) lib/include/mbnaccel.h lib/src/loader/tflite_schema.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -c -o $@ $<

$(LIB_SO): $(LIB_OBJ) lib/libmbnaccel.map
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/libmbnaccel.map -o $@ $(LIB_OBJ) $(LDLIBS)
	ln -sf libmbnaccel.so.$(VERSION) $(BUILD)/lib/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/lib/libmbnaccel.so

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/obj/tools-common.a: $(TC_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Tools link the static library so build/bin works without LD_LIBRARY_PATH; the
# shared library is what `make install` ships for applications.
$(BUILD)/bin/%: tools/%.c $(LIB_A) $(BUILD)/obj/tools-common.a $(wildcard tools/common/*.h) lib/src/loader/tflite_schema.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -o $@ $< $(BUILD)/obj/tools-common.a $(LIB_A) $(TOOL_LIBS) $(LDLIBS)

# Unit tests may use library internals, so they link the objects directly; they also
# get the hardware's C functional model (hw/model/cmodel.c) to test the compiler.
$(BUILD)/obj/cmodel.o: hw/model/cmodel.c hw/model/cmodel.h hw/model/requant.h hw/model/desc_check.h $(REGS_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -c -o $@ $<
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) $(BUILD)/obj/tools-common.a $(BUILD)/obj/cmodel.o $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Itests/unit -Ihw/sim -Ihw/model -o $@ $< $(LIB_OBJ) $(BUILD)/obj/tools-common.a $(BUILD)/obj/cmodel.o $(TOOL_LIBS) $(LDLIBS)

# The TFLite oracle: TensorFlow Lite 2.9's C library from npm (see tests/oracle/fetch.sh).
ORACLE_DIR := build/oracle
# fetch.sh installs the x86-64 and the arm64 library at once: one grouped target (&:),
# so that make -j does not run it twice at the same time into the same directory
$(ORACLE_DIR)/lib/libtensorflowlite_c.so $(ORACLE_DIR)/lib-arm64/libtensorflowlite_c.so &:
	bash tests/oracle/fetch.sh $(ORACLE_DIR)
oracle: $(ORACLE_DIR)/lib/libtensorflowlite_c.so
$(BUILD)/bin/tflite-run: tests/oracle/tflite-run.c $(ORACLE_DIR)/lib/libtensorflowlite_c.so
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -O2 -I$(ORACLE_DIR)/include -o $@ $< -L$(ORACLE_DIR)/lib -ltensorflowlite_c -Wl,-rpath,$(abspath $(ORACLE_DIR)/lib) $(LDLIBS)

# The arm64 oracle: the same TFLite 2.9 release built for linux arm64 (fetch.sh puts it in
# lib-arm64/), run under qemu-user by tests/oracle/tflite-run-arm64; and mbn-run-match,
# libmbnaccel loaded with a chosen build to match (tests/oracle/test-arm64.sh).
ARM64_CC ?= aarch64-linux-gnu-gcc
$(BUILD)/bin-arm64/tflite-run: tests/oracle/tflite-run.c $(ORACLE_DIR)/lib-arm64/libtensorflowlite_c.so
	@mkdir -p $(dir $@)
	$(ARM64_CC) -std=gnu11 -O2 -Wall -I$(ORACLE_DIR)/include -o $@ $< -L$(ORACLE_DIR)/lib-arm64 -ltensorflowlite_c \
	    -Wl,-rpath,$(abspath $(ORACLE_DIR)/lib-arm64) -lm -lpthread -ldl
$(BUILD)/bin/mbn-run-match: tests/oracle/mbn-run-match.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)
tests: $(BUILD)/bin-arm64/tflite-run $(BUILD)/bin/mbn-run-match

# Fuzzing (clang + libFuzzer, ASan/UBSan).
FUZZ_SECONDS ?= 60
fuzz: build-fuzz/fuzz-loader
build-fuzz/fuzz-loader: tests/fuzz/fuzz-loader.c $(LIB_SRC) $(LIB_HDR) $(REGS_H) hw/sim/mbn_sim.h hw/sim/mbn_sim_load.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -ffp-contract=off -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Ilib/include -Ilib/src -Ihw/model -I$(GEN) -Ihw/sim $(LIB_CFLAGS) -DMBN_SIM_LIBDIR='"$(abspath build/lib)"' \
	    -o $@ $< $(LIB_SRC) $(LDLIBS)

deps:
	bash tests/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) SAN=1 all
	$(MAKE) fuzz
	$(MAKE) module module-6.12 drmtest
	$(MAKE) arm64 arm64-guest module-arm64 module-arm64-6.12
	bash tests/run.sh

san:
	$(MAKE) SAN=1 all

demo: deps
	$(MAKE) all
	$(BUILD)/bin/mbn-classify -d sim -m $(SHARED)/models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite \
	    -m $(SHARED)/models/mobilenet_v1_1.0_224_quant_head_layers.tflite \
	    --labels $(SHARED)/models/imagenet_labels.txt -k 5 $(SHARED)/images/grace_hopper.bmp

install: lib tools $(DLG_SO)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 lib/include/mbnaccel.h $(DESTDIR)$(PREFIX)/include/
	install -d $(DESTDIR)$(PREFIX)/include/drm
	install -m 644 driver/uapi/drm/mbnaccel_drm.h $(DESTDIR)$(PREFIX)/include/drm/
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmbnaccel.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libmbnaccel.so
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	if [ -f build/lib/libmbnsim.so ]; then install -d $(DESTDIR)$(PREFIX)/lib/mbnaccel && \
	    install -m 755 build/lib/libmbnsim.so $(DESTDIR)$(PREFIX)/lib/mbnaccel/; fi
	for f in build/lib/libmbnsim-mac*.so; do if [ -f "$$f" ]; then install -d $(DESTDIR)$(PREFIX)/lib/mbnaccel && \
	    install -m 755 "$$f" $(DESTDIR)$(PREFIX)/lib/mbnaccel/; fi; done
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' lib/mbnaccel.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mbnaccel.pc
	install -m 755 $(DLG_SO) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 delegate/mbnaccel_tflite.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' delegate/mbnaccel-tflite.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mbnaccel-tflite.pc

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/lib/mbnaccel
	rm -f $(DESTDIR)$(PREFIX)/lib/libmbnaccel-tflite.so $(DESTDIR)$(PREFIX)/include/mbnaccel_tflite.h \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/mbnaccel-tflite.pc
	rm -f $(DESTDIR)$(PREFIX)/include/mbnaccel.h $(DESTDIR)$(PREFIX)/include/drm/mbnaccel_drm.h $(DESTDIR)$(PREFIX)/lib/libmbnaccel.* \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/mbnaccel.pc $(patsubst $(BUILD)/bin/%,$(DESTDIR)$(PREFIX)/bin/%,$(TOOLS))

clean:
	rm -rf build build-san build-fuzz

# The accelerator: RTL lint, Verilated simulator library (hw/sim/sim.mk), synthesis.
-include hw/sim/sim.mk
# The kernel driver (driver/driver.mk: make module, module-6.12, module-arm64) and the
# QEMU co-simulation bridge (tools/cosim/cosim.mk: build/bin/mbn-cosim, check-driver).
-include driver/driver.mk
-include tools/cosim/cosim.mk
# The TensorFlow Lite delegate (delegate/delegate.mk: libmbnaccel-tflite.so, examples).
include delegate/delegate.mk
# The arm64 userspace (tools/arm64/arm64.mk: make arm64) and its tests (make check-arm64).
include tools/arm64/arm64.mk
# The formal proofs (hw/formal/formal.mk: make formal).
-include hw/formal/formal.mk
# `all` was read before sim.mk defined SIM_ALL, so its simulator prerequisite is added here.
ifneq ($(SAN),1)
all: $(SIM_ALL)
endif
.PHONY: synth
# make synth [SYNTH_LANES=32|64|128]: the default array (16 lanes, 256 MACs) or another size
SYNTH_LANES ?= 16
synth: $(REGS_VH)
	sh hw/synth/synth.sh $(SYNTH_LANES)

# C formatting (.clang-format): `make format` rewrites, `make format-check` fails on any
# difference (tests/style/test-format.sh runs it in make check). driver/ is checked by the
# kernel's checkpatch instead; generated files (build/) are not ours to format.
CLANG_FORMAT ?= clang-format-14
FORMAT_FILES := $(wildcard tools/common/image*.c tools/common/image*.h tools/common/bench_*.c tools/common/bench_*.h \
	tests/unit/test-image*.c tests/unit/test-image.h \
	hw/tb/*.cpp hw/tb/*.h tests/driver/*.c tests/driver/*.h)
.PHONY: format format-check
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)
format-check:
	$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES)
	@echo "format-check: $(words $(FORMAT_FILES)) files formatted as .clang-format says"
