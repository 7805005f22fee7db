/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-info - describe a model: per layer type, shapes, parameters, MACs, where it runs,
 * and for each depthwise-separable block the cost ratio to a standard convolution.
 *
 *   mbn-info [-d URI] -m FILE [-m FILE ...] [--match x86|arm64|native] [--json]
 *
 * Also: the device and the TFLite build whose arithmetic the model reproduces (--match),
 * the input and output tensors (int8, uint8 or float32) with the pixel range mbn-classify
 * maps images to, operators folded into a layer at load time (a PAD into the convolution
 * after it) and why a layer stays on the CPU of an accelerator device.
 *
 * The ratio is the MobileNet paper's (Howard et al. 2017, section 3.1): a depthwise
 * DkxDk conv followed by a 1x1 conv to N channels costs 1/N + 1/Dk^2 of a standard
 * DkxDk conv with the same input and output.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "json_out.h"
#include "mbnaccel.h"

#define MAX_MODELS 16

static void usage(FILE *f)
{
	fprintf(f, "usage: mbn-info [-d URI] -m MODEL.tflite [-m MODEL2.tflite ...] [--match x86|arm64|native] [--json]\n"
		   "  -d, --device URI   sim[:opts], cpu, drm[:path] (default: $MBN_DEVICE, else sim if built, else cpu)\n"
		   "  -m, --model FILE   .tflite file; repeat to chain files\n"
		   "      --match ARCH   x86, arm64 or native (default): which TFLite 2.9 build's arithmetic to reproduce\n"
		   "      --json         one JSON object\n");
}

static void dims_str(const struct mbn_tensor_info *t, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (int d = 0; d < t->ndims && o < len; d++)
		o += (size_t)snprintf(buf + o, len - o, "%s%d", d ? "x" : "", t->dims[d]);
}

/* The quantization of a tensor in words: float32 tensors carry that of the quantized
 * tensor next to them. */
static void print_tensor(const char *what, const struct mbn_tensor_info *t)
{
	char ds[64];
	dims_str(t, ds, sizeof(ds));
	if (t->type == MBN_TYPE_FLOAT32)
		printf("%-6s %s: %s float32 (%zu elements; quantized next to it with scale %g zero point %d)\n", what, t->name,
		       ds, t->elems, t->scale, t->zero_point);
	else
		printf("%-6s %s: %s %s scale %g zero point %d (%zu elements)\n", what, t->name, ds, mbn_type_name(t->type),
		       t->scale, t->zero_point, t->elems);
}

static void json_tensor(const char *key, const struct mbn_tensor_info *t)
{
	printf(",\"%s\":{\"name\":", key);
	json_string(t->name);
	printf(",\"dims\":[");
	for (int d = 0; d < t->ndims; d++)
		printf("%s%d", d ? "," : "", t->dims[d]);
	printf("],\"type\":\"%s\",\"scale\":%.9g,\"zero_point\":%d,\"elems\":%zu,\"bytes\":%zu}", mbn_type_name(t->type),
	       t->scale, t->zero_point, t->elems, t->bytes);
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *device = NULL;
	int n_models = 0, json = 0, c;
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "json", no_argument, 0, 'j' }, { "match", required_argument, 0, 'M' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct mbn_load_options lopts = { .match = MBN_MATCH_NATIVE };

	while ((c = getopt_long(argc, argv, "d:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'm':
			if (n_models == MAX_MODELS) {
				fprintf(stderr, "mbn-info: at most %d -m files\n", MAX_MODELS);
				return 2;
			}
			models[n_models++] = optarg;
			break;
		case 'j': json = 1; break;
		case 'M':
			if (mbn_match_parse(optarg, &lopts.match)) {
				fprintf(stderr, "mbn-info: --match '%s': expected x86, arm64 or native\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!n_models || optind != argc) {
		if (!n_models)
			fprintf(stderr, "mbn-info: no model given (-m FILE)\n");
		else
			fprintf(stderr, "mbn-info: unexpected argument '%s' (models are given with -m)\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	mbn_device *dev;
	mbn_model *m;
	int r = mbn_device_open(device, &dev);
	if (r) {
		fprintf(stderr, "mbn-info: %s\n", mbn_last_error());
		return 1;
	}
	if ((r = mbn_model_load_opts(dev, models, n_models, &lopts, &m))) {
		fprintf(stderr, "mbn-info: %s (%s)\n", mbn_last_error(), mbn_strerror(r));
		mbn_device_close(dev);
		return 1;
	}
	struct mbn_tensor_info in, out;
	mbn_model_input_info(m, &in);
	mbn_model_output_info(m, &out);
	int n = mbn_model_layer_count(m);
	uint64_t macs = 0, params = 0, accel_macs = 0;

	/* The pixel range mbn-classify maps an image to (for an image-shaped input). */
	struct mbn_input_range range;
	int image_in = in.ndims == 4 && in.dims[0] == 1 && (in.dims[3] == 1 || in.dims[3] == 3 || in.dims[3] == 4);
	int have_range = image_in && mbn_input_range_for(in.type, in.scale, in.zero_point, &range) == 0;
	const char *match = mbn_match_name(mbn_model_match(m));

	if (json) {
		printf("{\"model\":");
		json_string(mbn_model_describe(m));
		printf(",\"device\":");
		json_string(mbn_device_uri(dev));
		printf(",\"device_description\":");
		json_string(mbn_device_describe(dev));
		printf(",\"match\":");
		json_string(match);
		json_tensor("input", &in);
		json_tensor("output", &out);
		if (have_range)
			printf(",\"input_range\":[%.9g,%.9g]", range.lo, range.hi);
		printf(",\"layers\":[");
	} else {
		printf("%s\n", mbn_model_describe(m));
		const char *desc = mbn_device_describe(dev);
		if (desc && *desc && strcmp(desc, mbn_device_uri(dev)))
			printf("device %s: %s\n", mbn_device_uri(dev), desc);
		else
			printf("device %s\n", mbn_device_uri(dev));
		printf("match  %s: the arithmetic of TensorFlow Lite 2.9 on linux %s\n", match,
		       mbn_model_match(m) == MBN_MATCH_ARM64 ? "arm64" : "x86-64");
		print_tensor("input", &in);
		if (have_range)
			printf("       images (mbn-classify): pixel 0..255 -> [%g, %g], %s%s\n", range.lo, range.hi,
			       mbn_input_range_rule(&range),
			       in.dims[3] == 1 ? "; BT.601 luma" : in.dims[3] == 4 ? "; RGB + 255" : "");
		print_tensor("output", &out);
		printf("%3s %-18s %-5s %-14s %-14s %-9s %10s %12s %-5s %s\n", "#", "operator", "k/s", "input", "output",
		       "params", "", "MACs", "runs", "separable cost vs standard conv");
	}
	for (int i = 0; i < n; i++) {
		struct mbn_layer_info li, next;
		mbn_model_layer_info(m, i, &li);
		macs += li.macs;
		params += li.params;
		if (li.on_accel)
			accel_macs += li.macs;
		/* A depthwise layer followed by a 1x1 conv is a separable block. */
		double ratio = 0;
		if (li.kind == MBN_LAYER_DEPTHWISE && i + 1 < n && mbn_model_layer_info(m, i + 1, &next) == 0 &&
		    next.kind == MBN_LAYER_CONV && next.k_h == 1 && next.k_w == 1)
			ratio = 1.0 / next.out_c + 1.0 / (li.k_h * li.k_w);
		if (json) {
			printf("%s{\"index\":%d,\"op\":\"%s\",\"name\":", i ? "," : "", i, li.op_name);
			json_string(li.name);
			printf(",\"file\":%d,\"in\":[%d,%d,%d],\"out\":[%d,%d,%d],"
			       "\"kernel\":[%d,%d],\"stride\":[%d,%d],\"params\":%llu,\"macs\":%llu,\"runs_on\":\"%s\"",
			       li.file, li.in_h, li.in_w, li.in_c, li.out_h, li.out_w,
			       li.out_c, li.k_h, li.k_w, li.stride_h, li.stride_w, (unsigned long long)li.params,
			       (unsigned long long)li.macs, li.on_accel ? "accelerator" : "cpu");
			printf(",\"accelerator_layer\":%s,\"folded\":", li.accel_layer ? "true" : "false");
			json_string(li.folded);
			printf(",\"cpu_reason\":");
			json_string(li.cpu_reason);
			if (ratio)
				printf(",\"separable_cost_ratio\":%.5f", ratio);
			printf("}");
		} else {
			char ks[16] = "", is[32], os[32];
			if (li.kind == MBN_LAYER_CONV || li.kind == MBN_LAYER_DEPTHWISE || li.kind == MBN_LAYER_AVGPOOL)
				snprintf(ks, sizeof(ks), "%dx%d/%d", li.k_h, li.k_w, li.stride_h);
			snprintf(is, sizeof(is), "%dx%dx%d", li.in_h, li.in_w, li.in_c);
			snprintf(os, sizeof(os), "%dx%dx%d", li.out_h, li.out_w, li.out_c);
			printf("%3d %-18s %-5s %-14s %-14s %9llu %10s %12llu %-5s", i, li.op_name, ks, is, os,
			       (unsigned long long)li.params, "", (unsigned long long)li.macs,
			       li.on_accel ? "accel" : li.accel_layer ? "cpu*" : "cpu");
			if (ratio)
				printf(" 1/%d + 1/%d = %.4f", next.out_c, li.k_h * li.k_w, ratio);
			if (li.folded)
				printf("  [%s folded]", li.folded);
			if (li.cpu_reason)
				printf("  cpu: %s", li.cpu_reason);
			printf("\n");
		}
	}
	if (json) {
		printf("],\"total_macs\":%llu,\"total_params\":%llu,\"accelerator_macs\":%llu}\n", (unsigned long long)macs,
		       (unsigned long long)params, (unsigned long long)accel_macs);
	} else {
		printf("total: %d layers, %.2f M MACs (%.2f M on the accelerator), %.3f M parameters\n", n, macs / 1e6,
		       accel_macs / 1e6, params / 1e6);
		if (accel_macs == 0)
			printf("device %s runs every layer on the CPU; cpu* marks the layers an accelerator device (sim, drm) runs\n",
			       mbn_device_uri(dev));
	}
	mbn_model_free(m);
	mbn_device_close(dev);
	return 0;
}
