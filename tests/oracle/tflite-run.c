/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite-run - the test oracle: runs .tflite models with TensorFlow Lite 2.9's own C
 * library (tests/oracle/fetch.sh) and writes the raw output bytes.
 *
 *   tflite-run -m A.tflite [-m B.tflite ...] -i INPUTS.raw -o OUTPUTS.raw [--threads N]
 *   tflite-run -m A.tflite --info
 *   tflite-run -m A.tflite ... -i IN.raw -o OUT.raw --repeat N   (timing: each input N times,
 *                                            the median per-inference latency on stderr)
 *
 * INPUTS.raw holds one or more input tensors back to back (exact byte size of the first
 * model's input each); the output tensor of each is appended to OUTPUTS.raw. Chained
 * models run in order, the output bytes of one copied into the input of the next, as
 * libmbnaccel's chained loading does. Models are loaded once for all inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tensorflow/lite/c/c_api.h"

#define MAX_MODELS 8

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "tflite-run: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static const char *type_name(TfLiteType t)
{
	switch (t) {
	case kTfLiteUInt8: return "uint8";
	case kTfLiteInt8: return "int8";
	case kTfLiteFloat32: return "float32";
	case kTfLiteInt32: return "int32";
	default: return "other";
	}
}

static void print_tensor(const char *what, const TfLiteTensor *t)
{
	TfLiteQuantizationParams q = TfLiteTensorQuantizationParams(t);
	printf("%s %s type=%s dims=", what, TfLiteTensorName(t), type_name(TfLiteTensorType(t)));
	for (int d = 0; d < TfLiteTensorNumDims(t); d++)
		printf("%s%d", d ? "x" : "", TfLiteTensorDim(t, d));
	printf(" bytes=%zu scale=%.9g zero_point=%d\n", TfLiteTensorByteSize(t), q.scale, q.zero_point);
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *in_path = NULL, *out_path = NULL;
	int n_models = 0, info = 0, threads = 1, repeat = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			if (n_models == MAX_MODELS)
				die("too many models", NULL);
			models[n_models++] = argv[++i];
		} else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
			in_path = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			threads = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			repeat = atoi(argv[++i]);
			if (repeat < 1 || repeat > 100000)
				die("--repeat: expected 1..100000", NULL);
		} else if (!strcmp(argv[i], "--info")) {
			info = 1;
		} else {
			die("usage: tflite-run -m MODEL [-m MODEL...] (-i IN.raw -o OUT.raw | --info)", NULL);
		}
	}
	if (!n_models || (!info && (!in_path || !out_path)))
		die("usage: tflite-run -m MODEL [-m MODEL...] (-i IN.raw -o OUT.raw | --info)", NULL);

	TfLiteInterpreter *interp[MAX_MODELS];
	for (int m = 0; m < n_models; m++) {
		TfLiteModel *model = TfLiteModelCreateFromFile(models[m]);
		if (!model)
			die("cannot load model", models[m]);
		TfLiteInterpreterOptions *opt = TfLiteInterpreterOptionsCreate();
		TfLiteInterpreterOptionsSetNumThreads(opt, threads);
		interp[m] = TfLiteInterpreterCreate(model, opt);
		TfLiteInterpreterOptionsDelete(opt);
		if (!interp[m])
			die("cannot create interpreter", models[m]);
		if (TfLiteInterpreterAllocateTensors(interp[m]) != kTfLiteOk)
			die("AllocateTensors failed", models[m]);
		if (info) {
			printf("model %s\n", models[m]);
			print_tensor("input", TfLiteInterpreterGetInputTensor(interp[m], 0));
			print_tensor("output", TfLiteInterpreterGetOutputTensor(interp[m], 0));
		}
	}
	if (info)
		return 0;

	FILE *fi = fopen(in_path, "rb");
	if (!fi)
		die("cannot open input", in_path);
	FILE *fo = fopen(out_path, "wb");
	if (!fo)
		die("cannot create output", out_path);
	TfLiteTensor *in0 = TfLiteInterpreterGetInputTensor(interp[0], 0);
	size_t in_bytes = TfLiteTensorByteSize(in0);
	unsigned char *buf = malloc(in_bytes);
	size_t got;
	int count = 0;
	double *lat = malloc(sizeof(double) * (size_t)repeat);
	while ((got = fread(buf, 1, in_bytes, fi)) == in_bytes) {
		const void *data = buf;
		size_t size = in_bytes;
		for (int rep = 0; rep < repeat; rep++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		data = buf;
		size = in_bytes;
		for (int m = 0; m < n_models; m++) {
			TfLiteTensor *in = TfLiteInterpreterGetInputTensor(interp[m], 0);
			if (TfLiteTensorByteSize(in) != size)
				die("chained model input size differs from the previous output", models[m]);
			if (TfLiteTensorCopyFromBuffer(in, data, size) != kTfLiteOk)
				die("copy to input failed", models[m]);
			if (TfLiteInterpreterInvoke(interp[m]) != kTfLiteOk)
				die("Invoke failed", models[m]);
			const TfLiteTensor *out = TfLiteInterpreterGetOutputTensor(interp[m], 0);
			data = TfLiteTensorData(out);
			size = TfLiteTensorByteSize(out);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		lat[rep] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		}
		if (repeat > 1) {
			/* insertion sort; repeat is small */
			for (int a = 1; a < repeat; a++)
				for (int b = a; b > 0 && lat[b] < lat[b - 1]; b--) {
					double t = lat[b]; lat[b] = lat[b - 1]; lat[b - 1] = t;
				}
			fprintf(stderr, "tflite-run: %d runs, median %.2f ms, min %.2f ms per inference\n", repeat,
				lat[repeat / 2], lat[0]);
		}
		if (fwrite(data, 1, size, fo) != size)
			die("write failed", out_path);
		count++;
	}
	if (got != 0)
		die("input file size is not a multiple of the model input size", in_path);
	if (!count)
		die("input file is empty", in_path);
	if (fclose(fo))
		die("write failed", out_path);
	fclose(fi);
	free(buf);
	free(lat);
	for (int m = 0; m < n_models; m++)
		TfLiteInterpreterDelete(interp[m]);
	return 0;
}
