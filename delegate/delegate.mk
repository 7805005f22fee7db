# The TensorFlow Lite delegate (delegate/, docs/delegate.md), included by the Makefile.
#   build/lib/libmbnaccel-tflite.so   the delegate: links libmbnaccel.so (rpath $ORIGIN,
#                                     installed beside it), not TFLite (TFLite hands it
#                                     function pointers; the application brings TFLite)
#   build/bin/mbn-tflite-run          runs a model in TFLite with or without the delegate
#                                     (linked or through TFLite's external-delegate loader):
#                                     the tests' and the benchmark's driver
#   build/bin/tflite-classify         the example application (examples/tflite-classify.c)
# Compiled against TensorFlow Lite 2.9's C headers from the oracle package (make oracle).
DLG_SRC   := $(wildcard delegate/*.c)
DLG_OBJ   := $(patsubst delegate/%.c,$(BUILD)/obj/delegate/%.o,$(DLG_SRC)) $(BUILD)/obj/delegate/tflite_writer.o
DLG_SO    := $(BUILD)/lib/libmbnaccel-tflite.so
DLG_FLAGS := $(ALLFLAGS) -Idelegate -I$(ORACLE_DIR)/include -fvisibility=hidden
ORACLE_EXT := $(ORACLE_DIR)/lib/libexternal_delegate_obj.so
# the TFLite the programs link against (make arm64 passes the arm64 build's lib-arm64)
ORACLE_LIBDIR ?= $(ORACLE_DIR)/lib

$(ORACLE_EXT):
	bash tests/oracle/fetch.sh $(ORACLE_DIR)

$(BUILD)/obj/delegate/%.o: delegate/%.c $(wildcard delegate/*.h) lib/include/mbnaccel.h lib/src/loader/tflite_schema.h $(ORACLE_DIR)/lib/libtensorflowlite_c.so
	@mkdir -p $(dir $@)
	$(CC) $(DLG_FLAGS) -c -o $@ $<
# the flatbuffer writer mbn-gen uses, compiled again with the delegate's visibility
$(BUILD)/obj/delegate/tflite_writer.o: tools/common/tflite_writer.c tools/common/tflite_writer.h tools/common/fb_builder.h lib/src/loader/tflite_schema.h
	@mkdir -p $(dir $@)
	$(CC) $(DLG_FLAGS) -c -o $@ $<

$(DLG_SO): $(DLG_OBJ) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -shared -Wl,-soname,libmbnaccel-tflite.so -o $@ $(DLG_OBJ) \
	    -L$(BUILD)/lib -lmbnaccel -Wl,-rpath,'$$ORIGIN' -lpthread

$(BUILD)/bin/mbn-tflite-run: tests/delegate/mbn-tflite-run.c delegate/mbnaccel_tflite.h $(DLG_SO) $(ORACLE_EXT)
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Idelegate -I$(ORACLE_DIR)/include -o $@ $< -L$(BUILD)/lib -lmbnaccel-tflite \
	    -L$(ORACLE_LIBDIR) -ltensorflowlite_c -Wl,-rpath,$(abspath $(BUILD)/lib):$(abspath $(ORACLE_LIBDIR)) -ldl -lm

$(BUILD)/bin/tflite-classify: examples/tflite-classify.c delegate/mbnaccel_tflite.h $(DLG_SO) $(BUILD)/obj/tools-common.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLFLAGS) -Idelegate -I$(ORACLE_DIR)/include -o $@ $< $(BUILD)/obj/tools-common.a -L$(BUILD)/lib -lmbnaccel-tflite \
	    -L$(ORACLE_LIBDIR) -ltensorflowlite_c -Wl,-rpath,$(abspath $(BUILD)/lib):$(abspath $(ORACLE_LIBDIR)) $(TOOL_LIBS) -lm

.PHONY: delegate
delegate: $(DLG_SO) $(BUILD)/bin/mbn-tflite-run $(BUILD)/bin/tflite-classify
all: delegate
