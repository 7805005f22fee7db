/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-info - describe a model: per layer type, shapes, parameters, MACs, where it runs,
 * and for each depthwise-separable block the cost ratio to a standard convolution.
 *
 *   mbn-info [-d URI] -m FILE [-m FILE ...] [--json]
 *
 * The ratio is the MobileNet paper's (Howard et al. 2017, section 3.1): a depthwise
 * DkxDk conv followed by a 1x1 conv to N channels costs 1/N + 1/Dk^2 of a standard
 * DkxDk conv with the same input and output.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mbnaccel.h"

#define MAX_MODELS 16

static void usage(FILE *f)
{
	fprintf(f, "usage: mbn-info [-d URI] -m MODEL.tflite [-m MODEL2.tflite ...] [--json]\n");
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *device = NULL;
	int n_models = 0, json = 0, c;
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};

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
	if ((r = mbn_model_load(dev, models, n_models, &m))) {
		fprintf(stderr, "mbn-info: %s (%s)\n", mbn_last_error(), mbn_strerror(r));
		mbn_device_close(dev);
		return 1;
	}
	struct mbn_tensor_info in, out;
	mbn_model_input_info(m, &in);
	mbn_model_output_info(m, &out);
	int n = mbn_model_layer_count(m);
	uint64_t macs = 0, params = 0, accel_macs = 0;

	if (json) {
		printf("{\"model\":\"%s\",\"device\":\"%s\",\"layers\":[", mbn_model_describe(m), mbn_device_uri(dev));
	} else {
		printf("%s\n", mbn_model_describe(m));
		printf("input  %s: %dx%dx%d %s scale %g zero point %d\n", in.name, in.ndims > 1 ? in.dims[1] : 1,
		       in.ndims > 2 ? in.dims[2] : 1, in.ndims > 0 ? in.dims[in.ndims - 1] : 1, in.type == MBN_TYPE_INT8 ? "int8" : "uint8",
		       in.scale, in.zero_point);
		printf("output %s: %zu elements %s scale %g zero point %d\n", out.name, out.bytes,
		       out.type == MBN_TYPE_INT8 ? "int8" : "uint8", out.scale, out.zero_point);
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
			printf("%s{\"index\":%d,\"op\":\"%s\",\"name\":\"%s\",\"file\":%d,\"in\":[%d,%d,%d],\"out\":[%d,%d,%d],"
			       "\"kernel\":[%d,%d],\"stride\":[%d,%d],\"params\":%llu,\"macs\":%llu,\"runs_on\":\"%s\"",
			       i ? "," : "", i, li.op_name, li.name, li.file, li.in_h, li.in_w, li.in_c, li.out_h, li.out_w,
			       li.out_c, li.k_h, li.k_w, li.stride_h, li.stride_w, (unsigned long long)li.params,
			       (unsigned long long)li.macs, li.on_accel ? "accelerator" : "cpu");
			printf(",\"accelerator_layer\":%s", li.accel_layer ? "true" : "false");
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
