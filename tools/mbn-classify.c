/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-classify - classify images (or raw input tensors) with a .tflite MobileNet v1.
 *
 *   mbn-classify [-d URI] -m FILE [-m FILE ...] [--labels FILE] [-k K] [--raw]
 *                [--out-raw FILE] [--json] [--async N] [--match x86|arm64|native]
 *                [--input-range A:B] INPUT...
 *
 * Images (JPEG, PNG, BMP, PPM; detected by content) are resized to the model's input
 * with TensorFlow's bilinear filter. A 1-channel model gets the BT.601 luma (converted
 * before resizing, as Pillow's convert("L") then resize), a 4-channel model RGB plus a
 * 4th channel of pixel value 255. The pixels map to the real input range the model's
 * input quantization implies (mbn_input_range_for in tools/common/image.h), or to
 * --input-range A:B, then are quantized with the model's scale and zero point (float
 * inputs get the real values). With --raw each INPUT is the exact input tensor.
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
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "json_out.h"
#include "mbnaccel.h"

#define MAX_MODELS 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mbn-classify [-d URI] -m MODEL.tflite [-m MODEL2.tflite ...] [options] INPUT...\n"
		"  -d, --device URI     sim[:opts] (default if the simulator is built), cpu, drm[:path]\n"
		"  -m, --model FILE     .tflite file; repeat to chain files (output of one feeds the next)\n"
		"  -l, --labels FILE    one label per line, line i = class i (default for a model with 1000 or\n"
		"                       1001 classes: imagenet_labels.txt beside the first model); a file with one\n"
		"                       line more than the classes starts with a background line, which is\n"
		"                       skipped; other counts give a warning; classes without a label print as\n"
		"                       \"class N\"\n"
		"  -k K                 how many top classes to print (default 5)\n"
		"      --raw            each INPUT is the exact input tensor (the model's input bytes)\n"
		"      --input-range A:B  pixel 0 maps to the real input value A, 255 to B, linearly (e.g. 0:1,\n"
		"                       -1:1). Default, from the model's input tensor:\n"
		"                         int8 scale ~1/255 zero point -128, uint8 ~1/255 zp 0: [0, 1], pixel / 255\n"
		"                         int8 scale ~1/128 zero point 0, uint8 ~1/128 zp 128: (pixel - 128) / 128\n"
		"                         (-1 to 0.992; for the reference uint8 models the input is the pixel)\n"
		"                         any other int8/uint8: the type's whole range, scale * (q - zero point)\n"
		"                         for q = -128..127 (int8) or 0..255 (uint8), i.e. the input byte is\n"
		"                         pixel - 128 (int8) or the pixel (uint8)\n"
		"                         float32 input: [-1, 1], pixel / 127.5 - 1 (Keras preprocess_input),\n"
		"                         unless the quantization after it is one of the two presets above\n"
		"                       Quantized inputs: round(real / scale) + zero point, clamped.\n"
		"                       1-channel models get the BT.601 luma (Pillow's convert(\"L\"), before\n"
		"                       resizing), 4-channel models R, G, B and 255\n"
		"      --match ARCH     x86, arm64 or native (default): which TFLite 2.9 build's arithmetic\n"
		"                       to reproduce (their optimized kernels differ in a few output bytes)\n"
		"      --out-raw FILE   append each input's raw output scores to FILE\n"
		"      --json           one JSON object per input instead of text\n"
		"      --save-input FILE append each prepared input tensor to FILE (for comparing with other runtimes)\n"
		"      --async N        keep up to N inputs in flight (asynchronous submit/wait): the device runs\n"
		"                       one while the host prepares the next and finishes the previous; results\n"
		"                       are printed in input order, identical to the synchronous ones\n"
		"  -h, --help           this text\n");
}

/* Class i's label: line i + offset of the file (offset 1 skips a background line). */
struct label_map {
	mbn_labels *labels;
	int offset;
};

static const char *label_of(const struct label_map *lm, int i)
{
	return lm->labels ? mbn_labels_get(lm->labels, i + lm->offset) : NULL;
}

/* Fill `tensor` (info->bytes) from one INPUT; 0 or -errno with a message printed. */
static int prepare_input(const char *path, int raw, const struct mbn_tensor_info *info, const struct mbn_input_map *map,
			 uint8_t *tensor)
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
			fprintf(stderr, "mbn-classify: %s: raw input is %lld bytes, the model input '%s' needs exactly %zu (%zu elements of %s)\n",
				path, (long long)st.st_size, info->name, info->bytes, info->elems, mbn_type_name(info->type));
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
	int channels = info->ndims == 4 ? info->dims[3] : 0;
	if (info->ndims != 4 || info->dims[0] != 1 || (channels != 1 && channels != 3 && channels != 4)) {
		fprintf(stderr, "mbn-classify: the model input '%s' is not a 1xHxWxC image with C = 1, 3 or 4; use --raw\n",
			info->name);
		return -EINVAL;
	}
	struct mbn_image img;
	char err[512];
	int r = mbn_image_load(path, &img, err, sizeof(err));
	if (r) {
		fprintf(stderr, "mbn-classify: %s\n", err);
		return r;
	}
	/* Grayscale as Pillow pipelines do it: convert("L") first, then resize. */
	if (channels == 1)
		mbn_image_to_gray(&img);
	size_t pixels = (size_t)info->dims[1] * (size_t)info->dims[2];
	uint8_t *rgb = malloc(pixels * 3);
	if (!rgb) {
		mbn_image_free(&img);
		fprintf(stderr, "mbn-classify: %s: out of memory\n", path);
		return -ENOMEM;
	}
	r = mbn_image_resize_bilinear(&img, info->dims[2], info->dims[1], rgb);
	mbn_image_free(&img);
	if (r) {
		fprintf(stderr, "mbn-classify: %s: resize to %dx%d failed\n", path, info->dims[2], info->dims[1]);
		free(rgb);
		return r;
	}
	/* Each pixel value becomes the real value of the model's input range (see usage())
	 * quantized with the model's own scale and zero point: for the reference models
	 * ((p - 128) / 128 with uint8 scale 1/128 zero point 128) the input is the pixel
	 * itself; int8 scale 1/128 zero point 0 gives p - 128. */
	r = mbn_input_fill(map, rgb, pixels, channels, tensor);
	free(rgb);
	return r;
}

/* Print one input's result (in input order) and append its raw scores; 1 on a write failure. */
static int report(mbn_model *model, mbn_device *dev, const struct label_map *labels, const char *path, int json, int k,
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
	int n = mbn_topk(probs, (int)out_info->elems, k, top);
	if (json) {
		printf("{\"input\":");
		json_string(path);
		printf(",\"device\":");
		json_string(mbn_device_uri(dev));
		printf(",\"match\":");
		json_string(mbn_match_name(mbn_model_match(model)));
		printf(",\"cycles\":%llu,\"wall_us\":%.1f,\"top\":[", (unsigned long long)st.accel_cycles, st.wall_us);
		for (int j = 0; j < n; j++) {
			const char *lbl = label_of(labels, top[j]);
			printf("%s{\"index\":%d,", j ? "," : "", top[j]);
			if (out_info->type == MBN_TYPE_FLOAT32) {
				float v;
				memcpy(&v, scores + 4 * (size_t)top[j], sizeof(v));
				printf("\"score\":%.9g", v);
			} else {
				printf("\"score\":%d", out_info->type == MBN_TYPE_INT8 ? (int8_t)scores[top[j]] : scores[top[j]]);
			}
			printf(",\"probability\":%.6f,\"label\":", probs[top[j]]);
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
			const char *lbl = label_of(labels, top[j]);
			if (lbl)
				printf("  %8.5f  %4d  %s\n", probs[top[j]], top[j], lbl);
			else
				printf("  %8.5f  %4d  class %d\n", probs[top[j]], top[j], top[j]);
		}
		if (st.accel_cycles)
			printf("  accelerator cycles: %llu\n", (unsigned long long)st.accel_cycles);
	}
	return fail;
}

/* --async N: up to N inputs in flight (mbn_model_submit); while the device runs one, the
 * next is decoded and the previous one's CPU part finishes. Results are printed in input
 * order. Returns the number of failures. */
static int classify_async(mbn_model *model, mbn_device *dev, const struct label_map *labels, int depth, char **inputs,
			  int n_inputs, int raw, int json, int k, const struct mbn_tensor_info *in_info,
			  const struct mbn_input_map *map,
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
		q[i].probs = malloc(out_info->elems * sizeof(float));
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
		if (prepare_input(p->path, raw, in_info, map, p->tensor)) {
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
	enum { OPT_RAW = 256, OPT_OUT_RAW, OPT_JSON, OPT_SAVE_INPUT, OPT_ASYNC, OPT_MATCH, OPT_INPUT_RANGE };
	const char *save_input = NULL;
	struct mbn_load_options lopts = { .match = MBN_MATCH_NATIVE };
	struct mbn_input_range user_range;
	int have_range = 0;
	static const struct option opts[] = {
		{ "device", required_argument, 0, 'd' }, { "model", required_argument, 0, 'm' },
		{ "labels", required_argument, 0, 'l' }, { "raw", no_argument, 0, OPT_RAW },
		{ "out-raw", required_argument, 0, OPT_OUT_RAW }, { "json", no_argument, 0, OPT_JSON },
		{ "save-input", required_argument, 0, OPT_SAVE_INPUT }, { "async", required_argument, 0, OPT_ASYNC },
		{ "match", required_argument, 0, OPT_MATCH }, { "input-range", required_argument, 0, OPT_INPUT_RANGE },
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
		case OPT_MATCH:
			if (mbn_match_parse(optarg, &lopts.match)) {
				fprintf(stderr, "mbn-classify: --match '%s': expected x86, arm64 or native\n", optarg);
				return 2;
			}
			break;
		case OPT_INPUT_RANGE:
			if (mbn_input_range_parse(optarg, &user_range)) {
				fprintf(stderr, "mbn-classify: --input-range '%s': expected A:B, two different numbers "
						"(pixel 0 -> A, 255 -> B), e.g. 0:1 or -1:1\n", optarg);
				return 2;
			}
			have_range = 1;
			break;
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
	r = mbn_model_load_opts(dev, models, n_models, &lopts, &model);
	if (r) {
		fprintf(stderr, "mbn-classify: %s (%s)\n", mbn_last_error(), mbn_strerror(r));
		mbn_device_close(dev);
		return 1;
	}

	struct mbn_tensor_info in_info, out_info;
	mbn_model_input_info(model, &in_info);
	mbn_model_output_info(model, &out_info);
	int classes = (int)out_info.elems;

	/* Labels: explicit, or for an ImageNet-sized output (1000 or 1001 classes)
	 * imagenet_labels.txt beside the first model if it exists. */
	struct label_map labels = { 0 };
	char guess[4096];
	if (!labels_path && (classes == 1000 || classes == 1001)) {
		const char *slash = strrchr(models[0], '/');
		int dirlen = slash ? (int)(slash - models[0] + 1) : 0;
		snprintf(guess, sizeof(guess), "%.*simagenet_labels.txt", dirlen, models[0]);
		if (access(guess, R_OK) == 0)
			labels_path = guess;
	}
	if (labels_path && (r = mbn_labels_load(labels_path, &labels.labels)) < 0) {
		fprintf(stderr, "mbn-classify: %s\n", mbn_last_error());
		mbn_model_free(model);
		mbn_device_close(dev);
		return 1;
	}
	if (labels.labels) {
		int nl = mbn_labels_count(labels.labels);
		if (nl == classes + 1) {
			/* The TF-slim convention: line 0 is "background", class i is line i + 1
			 * (a 1000-class model with the 1001-line imagenet_labels.txt). */
			const char *first = mbn_labels_get(labels.labels, 0);
			labels.offset = 1;
			if (strcasecmp(first, "background"))
				fprintf(stderr, "mbn-classify: warning: %s has %d labels for %d classes: skipping its first line ('%s') "
						"as a background class\n", labels_path, nl, classes, first);
		} else if (nl != classes) {
			fprintf(stderr, "mbn-classify: warning: %s has %d labels but the model has %d classes: %s\n", labels_path,
				nl, classes, nl < classes ? "classes without a label print as \"class N\"" :
				"the lines after the last class are not used");
		}
	}

	if (have_range && raw)
		fprintf(stderr, "mbn-classify: warning: --input-range has no effect with --raw (the inputs are tensors)\n");
	/* How pixels become the model's input. */
	struct mbn_input_range range;
	struct mbn_input_map *map = malloc(sizeof(*map));
	if (have_range) {
		range = user_range;
	} else if (mbn_input_range_for(in_info.type, in_info.scale, in_info.zero_point, &range) && !raw) {
		fprintf(stderr, "mbn-classify: the model input '%s' has %s scale %g: no input range follows from it; "
				"give --input-range A:B\n", in_info.name, mbn_type_name(in_info.type), in_info.scale);
		free(map);
		mbn_labels_free(labels.labels);
		mbn_model_free(model);
		mbn_device_close(dev);
		return 1;
	}
	if (map && !raw && mbn_input_map_init(map, &range, in_info.type, in_info.scale, in_info.zero_point)) {
		fprintf(stderr, "mbn-classify: the model input '%s' (%s, scale %g): cannot map pixels to it; use --raw\n",
			in_info.name, mbn_type_name(in_info.type), in_info.scale);
		free(map);
		mbn_labels_free(labels.labels);
		mbn_model_free(model);
		mbn_device_close(dev);
		return 1;
	}

	uint8_t *tensor = malloc(in_info.bytes), *scores = malloc(out_info.bytes);
	float *probs = malloc(out_info.elems * sizeof(float));
	int *top = malloc((size_t)k * sizeof(int));
	FILE *raw_out = NULL, *in_out = NULL;
	int failures = 0, setup_failed = 0;
	if (!tensor || !scores || !probs || !top || !map) {
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
		free(map);
		mbn_labels_free(labels.labels);
		mbn_model_free(model);
		mbn_device_close(dev);
		return 1;
	}

	if (async > 0) {
		failures += classify_async(model, dev, &labels, async, argv + optind, argc - optind, raw, json, k, &in_info,
					   map, &out_info, raw_out, out_raw, in_out, save_input);
	} else {
		for (int i = optind; i < argc; i++) {
			const char *path = argv[i];
			if (prepare_input(path, raw, &in_info, map, tensor)) {
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
			failures += report(model, dev, &labels, path, json, k, &out_info, scores, probs, top, raw_out, out_raw);
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
	free(map);
	mbn_labels_free(labels.labels);
	mbn_model_free(model);
	mbn_device_close(dev);
	return failures ? 1 : 0;
}
