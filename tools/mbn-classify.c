/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-classify - classify images (or raw input tensors) with a .tflite MobileNet v1.
 *
 *   mbn-classify [-d URI] -m FILE [-m FILE ...] [--labels FILE] [-k K] [--raw]
 *                [--out-raw FILE] [--json] [--async N] INPUT...
 *
 * Images (JPEG, PNG, BMP, PPM; detected by content) are resized to the model's input
 * with TensorFlow's bilinear filter. With --raw each INPUT is the exact input tensor.
 * Every input is tried even if an earlier one fails; the exit status is 1 if any failed.
 * --async N pipelines: up to N inputs in flight through mbn_model_submit/mbn_model_wait,
 * results printed in input order (bytes identical to the synchronous path).
 */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "mbnaccel.h"

#define MAX_MODELS 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mbn-classify [-d URI] -m MODEL.tflite [-m MODEL2.tflite ...] [options] INPUT...\n"
		"  -d, --device URI     sim[:opts] (default if the simulator is built), cpu, drm[:path]\n"
		"  -m, --model FILE     .tflite file; repeat to chain files (output of one feeds the next)\n"
		"  -l, --labels FILE    one label per line (default: imagenet_labels.txt beside the first model)\n"
		"  -k K                 how many top classes to print (default 5)\n"
		"      --raw            each INPUT is the exact input tensor (HxWx3 bytes of the model's type)\n"
		"      --out-raw FILE   append each input's raw output scores to FILE\n"
		"      --json           one JSON object per input instead of text\n"
		"      --save-input FILE append each prepared input tensor to FILE (for comparing with other runtimes)\n"
		"      --async N        keep up to N inputs in flight (asynchronous submit/wait): the device runs\n"
		"                       one while the host prepares the next and finishes the previous; results\n"
		"                       are printed in input order, identical to the synchronous ones\n"
		"  -h, --help           this text\n");
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* Fill `tensor` (info->bytes) from one INPUT; 0 or -errno with a message printed. */
static int prepare_input(const char *path, int raw, const struct mbn_tensor_info *info, uint8_t *tensor)
{
	if (raw) {
		FILE *f = fopen(path, "rb");
		struct stat st;
		if (!f) {
			int e = errno;
			fprintf(stderr, "mbn-classify: %s: cannot open: %s\n", path, strerror(e));
			return -e;
		}
		if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "mbn-classify: %s: not a regular file\n", path);
			fclose(f);
			return -EINVAL;
		}
		if ((size_t)st.st_size != info->bytes) {
			fprintf(stderr, "mbn-classify: %s: raw input is %lld bytes, the model input '%s' needs exactly %zu (%dx%dx%d)\n",
				path, (long long)st.st_size, info->name, info->bytes, info->dims[1], info->dims[2], info->dims[3]);
			fclose(f);
			return -EINVAL;
		}
		size_t got = fread(tensor, 1, info->bytes, f);
		fclose(f);
		if (got != info->bytes) {
			fprintf(stderr, "mbn-classify: %s: read failed\n", path);
			return -EIO;
		}
		return 0;
	}
	if (info->ndims != 4 || info->dims[0] != 1 || info->dims[3] != 3) {
		fprintf(stderr, "mbn-classify: the model input '%s' is not a 1xHxWx3 image; use --raw\n", info->name);
		return -EINVAL;
	}
	struct mbn_image img;
	char err[512];
	int r = mbn_image_load(path, &img, err, sizeof(err));
	if (r) {
		fprintf(stderr, "mbn-classify: %s\n", err);
		return r;
	}
	r = mbn_image_resize_bilinear(&img, info->dims[2], info->dims[1], tensor);
	mbn_image_free(&img);
	if (r) {
		fprintf(stderr, "mbn-classify: %s: resize to %dx%d failed\n", path, info->dims[2], info->dims[1]);
		return r;
	}
	/* MobileNet's preprocessing maps pixel p to the real value (p - 128) / 128, which is
	 * exactly what the reference models' input quantization (uint8, scale 1/128, zero
	 * point 128) encodes: their input is the pixel itself. Any other input quantization
	 * gets the same real value, quantized its own way (int8 with scale 1/128 and zero
	 * point 0: p - 128). */
	uint8_t lut[256];
	for (int p = 0; p < 256; p++) {
		float real = (float)(p - 128) / 128.0f;
		long q = lroundf(real / info->scale) + info->zero_point;
		long lo = info->type == MBN_TYPE_INT8 ? -128 : 0, hi = info->type == MBN_TYPE_INT8 ? 127 : 255;
		q = q < lo ? lo : q > hi ? hi : q;
		lut[p] = (uint8_t)q;
	}
	for (size_t i = 0; i < info->bytes; i++)
		tensor[i] = lut[tensor[i]];
	return 0;
}

/* Print one input's result (in input order) and append its raw scores; 1 on a write failure. */
static int report(mbn_model *model, mbn_device *dev, mbn_labels *labels, const char *path, int json, int k,
		  const struct mbn_tensor_info *out_info, const uint8_t *scores, const float *probs, int *top, FILE *raw_out,
		  const char *out_raw)
{
	int fail = 0;

	if (raw_out && fwrite(scores, 1, out_info->bytes, raw_out) != out_info->bytes) {
		fprintf(stderr, "mbn-classify: %s: write failed\n", out_raw);
		fail = 1;
	}
	struct mbn_run_stats st;
	mbn_model_last_stats(model, &st);
	int n = mbn_topk(probs, (int)out_info->bytes, k, top);
	if (json) {
		printf("{\"input\":");
		json_string(path);
		printf(",\"device\":");
		json_string(mbn_device_uri(dev));
		printf(",\"cycles\":%llu,\"wall_us\":%.1f,\"top\":[", (unsigned long long)st.accel_cycles, st.wall_us);
		for (int j = 0; j < n; j++) {
			const char *lbl = mbn_labels_get(labels, top[j]);
			printf("%s{\"index\":%d,\"score\":%d,\"probability\":%.6f,\"label\":", j ? "," : "", top[j],
			       out_info->type == MBN_TYPE_INT8 ? (int8_t)scores[top[j]] : scores[top[j]], probs[top[j]]);
			if (lbl)
				json_string(lbl);
			else
				printf("null");
			putchar('}');
		}
		printf("]}\n");
	} else {
		printf("%s:\n", path);
		for (int j = 0; j < n; j++) {
			const char *lbl = mbn_labels_get(labels, top[j]);
			printf("  %8.5f  %4d  %s\n", probs[top[j]], top[j], lbl ? lbl : "");
		}
		if (st.accel_cycles)
			printf("  accelerator cycles: %llu\n", (unsigned long long)st.accel_cycles);
	}
	return fail;
}

/* --async N: up to N inputs in flight (mbn_model_submit); while the device runs one, the
 * next is decoded and the previous one's CPU part finishes. Results are printed in input
 * order. Returns the number of failures. */
static int classify_async(mbn_model *model, mbn_device *dev, mbn_labels *labels, int depth, char **inputs, int n_inputs,
			  int raw, int json, int k, const struct mbn_tensor_info *in_info,
			  const struct mbn_tensor_info *out_info, FILE *raw_out, const char *out_raw, FILE *in_out,
			  const char *save_input)
{
	struct pending {
		const char *path;
		uint64_t ticket;
		uint8_t *tensor, *scores;
		float *probs;
	} *q = calloc((size_t)depth, sizeof(*q));
	int *top = malloc((size_t)k * sizeof(int));
	int failures = 0, head = 0, count = 0, r;

	if (!q || !top || mbn_model_set_queue_depth(model, depth)) {
		fprintf(stderr, "mbn-classify: --async %d: %s\n", depth, q && top ? mbn_last_error() : "out of memory");
		free(q);
		free(top);
		return 1;
	}
	for (int i = 0; i < depth; i++) {
		q[i].tensor = malloc(in_info->bytes);
		q[i].scores = malloc(out_info->bytes);
		q[i].probs = malloc(out_info->bytes * sizeof(float));
		if (!q[i].tensor || !q[i].scores || !q[i].probs) {
			fprintf(stderr, "mbn-classify: out of memory\n");
			n_inputs = 0;
			failures++;
		}
	}
	for (int i = 0; i <= n_inputs; i++) {
		/* the oldest request completes when the queue is full, or at the end */
		while (count && (count == depth || i == n_inputs)) {
			struct pending *p = &q[head];
			if ((r = mbn_model_wait(model, p->ticket, -1))) {
				fprintf(stderr, "mbn-classify: %s: %s\n", p->path, mbn_last_error());
				failures++;
			} else {
				failures += report(model, dev, labels, p->path, json, k, out_info, p->scores, p->probs, top,
						   raw_out, out_raw);
			}
			head = (head + 1) % depth;
			count--;
		}
		if (i == n_inputs)
			break;
		struct pending *p = &q[(head + count) % depth];
		p->path = inputs[i];
		if (prepare_input(p->path, raw, in_info, p->tensor)) {
			failures++;
			continue;
		}
		if (in_out && fwrite(p->tensor, 1, in_info->bytes, in_out) != in_info->bytes) {
			fprintf(stderr, "mbn-classify: %s: write failed\n", save_input);
			failures++;
		}
		if ((r = mbn_model_submit(model, p->tensor, in_info->bytes, p->scores, out_info->bytes, p->probs, &p->ticket))) {
			fprintf(stderr, "mbn-classify: %s: %s\n", p->path, mbn_last_error());
			failures++;
			continue;
		}
		count++;
	}
	for (int i = 0; i < depth; i++) {
		free(q[i].tensor);
		free(q[i].scores);
		free(q[i].probs);
	}
	free(q);
	free(top);
	return failures;
}

int main(int argc, char **argv)
{
	const char *models[MAX_MODELS], *device = NULL, *labels_path = NULL, *out_raw = NULL;
	int n_models = 0, k = 5, raw = 0, json = 0, async = 0;
	enum { OPT_RAW = 256, OPT_OUT_RAW, OPT_JSON, OPT_SAVE_INPUT, OPT_ASYNC };
	const char *save_input = NULL;
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "labels", required_argument, 0, 'l' }, { "raw", no_argument, 0, OPT_RAW },
		{ "out-raw", required_argument, 0, OPT_OUT_RAW }, { "json", no_argument, 0, OPT_JSON },
		{ "save-input", required_argument, 0, OPT_SAVE_INPUT }, { "async", required_argument, 0, OPT_ASYNC },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:m:l:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'm':
			if (n_models == MAX_MODELS) {
				fprintf(stderr, "mbn-classify: at most %d -m files\n", MAX_MODELS);
				return 2;
			}
			models[n_models++] = optarg;
			break;
		case 'l': labels_path = optarg; break;
		case 'k': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 100000) {
				fprintf(stderr, "mbn-classify: -k '%s': expected a positive integer\n", optarg);
				return 2;
			}
			k = (int)v;
			break;
		}
		case OPT_RAW: raw = 1; break;
		case OPT_OUT_RAW: out_raw = optarg; break;
		case OPT_JSON: json = 1; break;
		case OPT_SAVE_INPUT: save_input = optarg; break;
		case OPT_ASYNC: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 64) {
				fprintf(stderr, "mbn-classify: --async '%s': expected 1..64 inputs in flight\n", optarg);
				return 2;
			}
			async = (int)v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!n_models || optind >= argc) {
		fprintf(stderr, "mbn-classify: %s\n", !n_models ? "no model given (-m FILE)" : "no input given");
		usage(stderr);
		return 2;
	}

	mbn_device *dev;
	mbn_model *model;
	int r = mbn_device_open(device, &dev);
	if (r) {
		fprintf(stderr, "mbn-classify: %s\n", mbn_last_error());
		return 1;
	}
	r = mbn_model_load(dev, models, n_models, &model);
	if (r) {
		fprintf(stderr, "mbn-classify: %s (%s)\n", mbn_last_error(), mbn_strerror(r));
		mbn_device_close(dev);
		return 1;
	}

	/* Labels: explicit, or imagenet_labels.txt beside the first model if it exists. */
	mbn_labels *labels = NULL;
	char guess[4096];
	if (!labels_path) {
		const char *slash = strrchr(models[0], '/');
		int dirlen = slash ? (int)(slash - models[0] + 1) : 0;
		snprintf(guess, sizeof(guess), "%.*simagenet_labels.txt", dirlen, models[0]);
		if (access(guess, R_OK) == 0)
			labels_path = guess;
	}
	if (labels_path && (r = mbn_labels_load(labels_path, &labels)) < 0) {
		fprintf(stderr, "mbn-classify: %s\n", mbn_last_error());
		mbn_model_free(model);
		mbn_device_close(dev);
		return 1;
	}

	struct mbn_tensor_info in_info, out_info;
	mbn_model_input_info(model, &in_info);
	mbn_model_output_info(model, &out_info);
	uint8_t *tensor = malloc(in_info.bytes), *scores = malloc(out_info.bytes);
	float *probs = malloc(out_info.bytes * sizeof(float));
	int *top = malloc((size_t)k * sizeof(int));
	FILE *raw_out = NULL, *in_out = NULL;
	int failures = 0, setup_failed = 0;
	if (!tensor || !scores || !probs || !top) {
		fprintf(stderr, "mbn-classify: out of memory\n");
		setup_failed = 1;
	} else if (out_raw && !(raw_out = fopen(out_raw, "ab"))) {
		fprintf(stderr, "mbn-classify: %s: cannot open for appending: %s\n", out_raw, strerror(errno));
		setup_failed = 1;
	} else if (save_input && !(in_out = fopen(save_input, "ab"))) {
		fprintf(stderr, "mbn-classify: %s: cannot open for appending: %s\n", save_input, strerror(errno));
		setup_failed = 1;
	}
	if (setup_failed) {
		/* Release everything so that sanitizer builds report no leak. */
		if (raw_out)
			fclose(raw_out);
		free(tensor);
		free(scores);
		free(probs);
		free(top);
		mbn_labels_free(labels);
		mbn_model_free(model);
		mbn_device_close(dev);
		return 1;
	}

	if (async > 0) {
		failures += classify_async(model, dev, labels, async, argv + optind, argc - optind, raw, json, k, &in_info,
					   &out_info, raw_out, out_raw, in_out, save_input);
	} else {
		for (int i = optind; i < argc; i++) {
			const char *path = argv[i];
			if (prepare_input(path, raw, &in_info, tensor)) {
				failures++;
				continue;
			}
			if (in_out && fwrite(tensor, 1, in_info.bytes, in_out) != in_info.bytes) {
				fprintf(stderr, "mbn-classify: %s: write failed\n", save_input);
				failures++;
			}
			r = mbn_model_run(model, tensor, in_info.bytes, scores, out_info.bytes, probs);
			if (r) {
				fprintf(stderr, "mbn-classify: %s: %s\n", path, mbn_last_error());
				failures++;
				continue;
			}
			failures += report(model, dev, labels, path, json, k, &out_info, scores, probs, top, raw_out, out_raw);
		}
	}
	if (in_out && fclose(in_out)) {
		fprintf(stderr, "mbn-classify: %s: write failed\n", save_input);
		failures++;
	}
	if (raw_out && fclose(raw_out)) {
		fprintf(stderr, "mbn-classify: %s: write failed\n", out_raw);
		failures++;
	}
	free(tensor);
	free(scores);
	free(probs);
	free(top);
	mbn_labels_free(labels);
	mbn_model_free(model);
	mbn_device_close(dev);
	return failures ? 1 : 0;
}
