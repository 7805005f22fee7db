#!/usr/bin/env bash
# make install into a DESTDIR: header, versioned shared library with its soname links,
# static library, tools, pkg-config file; then build and run a small application
# against the installed copy with pkg-config, as a user would.
source "$(dirname "$0")/../lib.sh"
require "$MODELS/mobilenet_v1_0.25_128_quant.tflite"
cd "$ROOT"
dest=$TMP/root
if make -s install DESTDIR="$dest" PREFIX=/usr/local >"$TMP/log" 2>&1; then pass "make install"; else fail "make install" "$(tail -5 "$TMP/log")"; finish; fi
for f in include/mbnaccel.h lib/libmbnaccel.so.0.1.0 lib/libmbnaccel.so.0 lib/libmbnaccel.so lib/libmbnaccel.a \
	bin/mbn-classify bin/mbn-info bin/mbn-bench lib/pkgconfig/mbnaccel.pc lib/mbnaccel/libmbnsim.so \
	lib/libmbnaccel-tflite.so include/mbnaccel_tflite.h lib/pkgconfig/mbnaccel-tflite.pc; do
	[ -e "$dest/usr/local/$f" ] && pass "installed $f" || fail "installed $f" "missing"
done
soname=$(objdump -p "$dest/usr/local/lib/libmbnaccel.so.0.1.0" | awk '/SONAME/ {print $2}')
[ "$soname" = "libmbnaccel.so.0" ] && pass "soname libmbnaccel.so.0" || fail "soname" "$soname"
# Only the public mbn_* API is exported, with the version node.
bad=$(nm -D --defined-only "$dest/usr/local/lib/libmbnaccel.so.0.1.0" | awk '{print $3}' | grep -v '^mbn_' | grep -v '^MBNACCEL_0' || true)
internal=$(nm -D --defined-only "$dest/usr/local/lib/libmbnaccel.so.0.1.0" | awk '{print $3}' | grep -E '^mbn_(graph|cpu|set_error|arena)' || true)
[ -z "$bad$internal" ] && pass "exports only the public API" || fail "exports" "$bad $internal"

cat > "$TMP/app.c" <<'APP'
#include <mbnaccel.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	mbn_device *dev;
	mbn_model *m;
	const char *paths[] = { argv[1] };
	if (mbn_device_open("cpu", &dev) || mbn_model_load(dev, paths, 1, &m)) {
		fprintf(stderr, "%s\n", mbn_last_error());
		return 1;
	}
	struct mbn_tensor_info in, out;
	mbn_model_input_info(m, &in);
	mbn_model_output_info(m, &out);
	unsigned char *x = calloc(in.bytes, 1), *y = malloc(out.bytes);
	float *p = malloc(out.bytes * sizeof(float));
	int r = mbn_model_run(m, x, in.bytes, y, out.bytes, p);
	int top;
	mbn_topk(p, (int)out.bytes, 1, &top);
	printf("%s %d %zu %d\n", mbn_version(), r, out.bytes, top);
	mbn_model_free(m);
	mbn_device_close(dev);
	return r != 0;
}
APP
export PKG_CONFIG_PATH=$dest/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
if cc -o "$TMP/app" "$TMP/app.c" $(pkg-config --cflags --libs mbnaccel) 2>"$TMP/err"; then pass "application builds with pkg-config"; else fail "pkg-config build" "$(cat "$TMP/err")"; fi
out=$(LD_LIBRARY_PATH=$dest/usr/local/lib "$TMP/app" "$MODELS/mobilenet_v1_0.25_128_quant.tflite" 2>&1)
[[ "$out" == "0.1.0 0 1001 "* ]] && pass "application runs against the installed shared library ($out)" || fail "application" "$out"

# A TFLite application with the installed delegate (pkg-config mbnaccel-tflite; TFLite's
# headers and library are the application's own: here the oracle package's).
cat > "$TMP/tapp.c" <<'APP'
#include <mbnaccel_tflite.h>
#include <stdio.h>
#include <tensorflow/lite/c/c_api.h>
int main(int argc, char **argv)
{
	TfLiteModel *model = TfLiteModelCreateFromFile(argv[1]);
	TfLiteInterpreterOptions *o = TfLiteInterpreterOptionsCreate();
	TfLiteDelegate *d = mbn_tflite_delegate_create("sim");
	TfLiteInterpreterOptionsAddDelegate(o, d);
	TfLiteInterpreter *it = TfLiteInterpreterCreate(model, o);
	if (!it || TfLiteInterpreterAllocateTensors(it) != kTfLiteOk || TfLiteInterpreterInvoke(it) != kTfLiteOk)
		return 1;
	struct mbn_tflite_stats s;
	mbn_tflite_delegate_stats(d, &s);
	printf("partitions %llu nodes %llu cycles %llu\n", (unsigned long long)s.partitions,
	       (unsigned long long)s.nodes_claimed, (unsigned long long)s.accel_cycles);
	TfLiteInterpreterDelete(it);
	TfLiteInterpreterOptionsDelete(o);
	mbn_tflite_delegate_delete(d);
	TfLiteModelDelete(model);
	return 0;
}
APP
if cc -o "$TMP/tapp" "$TMP/tapp.c" $(pkg-config --cflags --libs mbnaccel-tflite) -I"$ROOT/build/oracle/include" \
	-L"$ROOT/build/oracle/lib" -ltensorflowlite_c 2>"$TMP/err"; then
	pass "TFLite application builds with pkg-config mbnaccel-tflite"
else
	fail "pkg-config mbnaccel-tflite build" "$(cat "$TMP/err")"
fi
out=$(LD_LIBRARY_PATH=$dest/usr/local/lib:$ROOT/build/oracle/lib "$TMP/tapp" "$MODELS/mobilenet_v1_0.25_128_quant.tflite" 2>&1)
[[ "$out" == "partitions 1 nodes 27 cycles "[1-9]* ]] && pass "TFLite application runs on the installed delegate ($out)" ||
	fail "TFLite application with the delegate" "$out"
# the installed delegate finds the installed libmbnaccel beside it (rpath \$ORIGIN)
dep=$(env -u LD_LIBRARY_PATH ldd "$dest/usr/local/lib/libmbnaccel-tflite.so" | awk '/libmbnaccel.so/ {print $3}')
[ "$dep" = "$dest/usr/local/lib/libmbnaccel.so.0" ] && pass "installed delegate resolves libmbnaccel.so.0 beside it" ||
	fail "delegate's libmbnaccel" "resolves to '$dep'"
finish
