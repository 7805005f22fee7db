/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-run-match - libmbnaccel's side of tests/oracle/test-arm64.sh: runs raw inputs
 * through a model loaded with a chosen TFLite build to match (mbn_model_load_opts) and
 * writes the raw outputs, in tflite-run's file format.
 *
 *   mbn-run-match [-d DEVICE] --match x86|arm64|native -m A.tflite [-m B.tflite ...]
 *                 -i INPUTS.raw -o OUTPUTS.raw [--layers]
 *
 * --layers prints, per layer, "on_accel N op_name [why not]" on stdout (the layers an
 * accelerator device runs); --layers without -i/-o prints only that.
 * INPUTS.raw holds one or more input tensors back to back (input_info.bytes each); the
 * output tensor of each is appended to OUTPUTS.raw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbnaccel.h"

#define MAX_MODELS 16

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mbn-run-match: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *in_path = NULL, *out_path = NULL, *dev_uri = "cpu";
	struct mbn_load_options opts = { 0 };
	int n_models = 0, have_match = 0, layers = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			if (n_models == MAX_MODELS)
				die("too many models", NULL);
			models[n_models++] = argv[++i];
		} else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
			in_path = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			dev_uri = argv[++i];
		} else if (!strcmp(argv[i], "--layers")) {
			layers = 1;
		} else if (!strcmp(argv[i], "--match") && i + 1 < argc) {
			if (mbn_match_parse(argv[++i], &opts.match))
				die("--match: expected x86, arm64 or native", argv[i]);
			have_match = 1;
		} else {
			die("usage: mbn-run-match [-d DEV] --match x86|arm64|native -m MODEL... -i IN.raw -o OUT.raw",
			    NULL);
		}
	}
	if (!n_models || (!layers && (!in_path || !out_path)) || !have_match)
		die("usage: mbn-run-match [-d DEV] --match x86|arm64|native -m MODEL... -i IN.raw -o OUT.raw",
		    NULL);

	mbn_device *dev;
	mbn_model *model;
	struct mbn_tensor_info ii, oi;

	if (mbn_device_open(dev_uri, &dev) < 0)
		die("cannot open device", mbn_last_error());
	if (mbn_model_load_opts(dev, models, n_models, &opts, &model) < 0)
		die("cannot load model", mbn_last_error());
	mbn_model_input_info(model, &ii);
	mbn_model_output_info(model, &oi);
	for (int i = 0; layers && i < mbn_model_layer_count(model); i++) {
		struct mbn_layer_info li;

		if (mbn_model_layer_info(model, i, &li) == 0)
			printf("on_accel %d %s%s%s\n", li.on_accel, li.op_name, li.cpu_reason ? ": " : "",
			       li.cpu_reason ? li.cpu_reason : "");
	}
	if (!in_path || !out_path) {
		mbn_model_free(model);
		mbn_device_close(dev);
		return 0;
	}

	FILE *fi = fopen(in_path, "rb");
	FILE *fo = fopen(out_path, "wb");
	unsigned char *in = malloc(ii.bytes), *out = malloc(oi.bytes);
	size_t got;
	int count = 0;

	if (!fi)
		die("cannot open input", in_path);
	if (!fo)
		die("cannot create output", out_path);
	if (!in || !out)
		die("out of memory", NULL);
	while ((got = fread(in, 1, ii.bytes, fi)) == ii.bytes) {
		if (mbn_model_run(model, in, ii.bytes, out, oi.bytes, NULL) < 0)
			die("run failed", mbn_last_error());
		if (fwrite(out, 1, oi.bytes, fo) != oi.bytes)
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
	free(in);
	free(out);
	mbn_model_free(model);
	mbn_device_close(dev);
	return 0;
}
