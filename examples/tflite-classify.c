/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite-classify - an ordinary TensorFlow Lite image classifier, written against
 * TFLite's C API only, that runs on the mbnaccel accelerator through one added line:
 * the delegate (search for "mbnaccel").
 *
 *   tflite-classify MODEL.tflite IMAGE [LABELS.txt] [DEVICE]
 *
 * DEVICE is an mbnaccel device URI (default sim; "none" runs plain TFLite). Images are
 * decoded and resized with the helpers mbn-classify uses (tools/common/image.h; any
 * decoder would do); the pixels become the model's input as its quantization implies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "mbnaccel_tflite.h"
#include "tensorflow/lite/c/c_api.h"

static int fail(const char *what, const char *detail)
{
	fprintf(stderr, "tflite-classify: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5)
		return fail("usage: tflite-classify MODEL.tflite IMAGE [LABELS.txt] [DEVICE]", NULL);
	const char *device = argc > 4 ? argv[4] : "sim";

	TfLiteModel *model = TfLiteModelCreateFromFile(argv[1]);
	if (!model)
		return fail("cannot load the model", argv[1]);
	TfLiteInterpreterOptions *options = TfLiteInterpreterOptionsCreate();

	/* mbnaccel: the one line a TFLite application adds (and the delete at the end) */
	TfLiteDelegate *delegate = strcmp(device, "none") ? mbn_tflite_delegate_create(device) : NULL;
	if (delegate)
		TfLiteInterpreterOptionsAddDelegate(options, delegate);

	TfLiteInterpreter *interpreter = TfLiteInterpreterCreate(model, options);
	TfLiteInterpreterOptionsDelete(options);
	if (!interpreter || TfLiteInterpreterAllocateTensors(interpreter) != kTfLiteOk)
		return fail("cannot create the interpreter", argv[1]);

	TfLiteTensor *in = TfLiteInterpreterGetInputTensor(interpreter, 0);
	TfLiteType type = TfLiteTensorType(in);
	if (TfLiteTensorNumDims(in) != 4 || (type != kTfLiteUInt8 && type != kTfLiteInt8 && type != kTfLiteFloat32))
		return fail("expected a 1xHxWxC uint8, int8 or float32 input", argv[1]);
	int h = TfLiteTensorDim(in, 1), w = TfLiteTensorDim(in, 2), c = TfLiteTensorDim(in, 3);
	TfLiteQuantizationParams q = TfLiteTensorQuantizationParams(in);

	struct mbn_image img;
	char err[256];
	if (mbn_image_load(argv[2], &img, err, sizeof(err)))
		return fail("cannot read the image", err);
	uint8_t *rgb = malloc((size_t)w * (size_t)h * 3);
	void *tensor = malloc(TfLiteTensorByteSize(in));
	struct mbn_input_range range;
	struct mbn_input_map map;
	enum mbn_type mt = type == kTfLiteUInt8 ? MBN_TYPE_UINT8 : type == kTfLiteInt8 ? MBN_TYPE_INT8 : MBN_TYPE_FLOAT32;
	if (!rgb || !tensor || mbn_image_resize_bilinear(&img, w, h, rgb) ||
	    mbn_input_range_for(mt, q.scale, q.zero_point, &range) ||
	    mbn_input_map_init(&map, &range, mt, q.scale, q.zero_point) ||
	    mbn_input_fill(&map, rgb, (size_t)w * (size_t)h, c, tensor))
		return fail("cannot make the input tensor", argv[2]);
	mbn_image_free(&img);

	if (TfLiteTensorCopyFromBuffer(in, tensor, TfLiteTensorByteSize(in)) != kTfLiteOk ||
	    TfLiteInterpreterInvoke(interpreter) != kTfLiteOk)
		return fail("Invoke failed", NULL);

	/* top 5 of the first output, as real values */
	const TfLiteTensor *out = TfLiteInterpreterGetOutputTensor(interpreter, 0);
	TfLiteQuantizationParams oq = TfLiteTensorQuantizationParams(out);
	int n = TfLiteTensorDim(out, TfLiteTensorNumDims(out) - 1);
	const void *od = TfLiteTensorData(out);
	float *score = malloc(sizeof(float) * (size_t)n);
	for (int i = 0; i < n; i++) {
		switch (TfLiteTensorType(out)) {
		case kTfLiteUInt8: score[i] = oq.scale * (((const uint8_t *)od)[i] - oq.zero_point); break;
		case kTfLiteInt8: score[i] = oq.scale * (((const int8_t *)od)[i] - oq.zero_point); break;
		default: score[i] = ((const float *)od)[i]; break;
		}
	}
	char **labels = calloc((size_t)n, sizeof(char *));
	FILE *lf = argc > 3 ? fopen(argv[3], "r") : NULL;
	char line[512];
	for (int i = 0; lf && i < n && fgets(line, sizeof(line), lf); i++) {
		line[strcspn(line, "\r\n")] = 0;
		labels[i] = strdup(line);
	}
	if (lf)
		fclose(lf);
	for (int k = 0; k < 5 && k < n; k++) {
		int best = -1;
		for (int i = 0; i < n; i++)
			if (score[i] > -1e30f && (best < 0 || score[i] > score[best]))
				best = i;
		printf("%d %.5f %s\n", best, score[best], labels[best] ? labels[best] : "");
		score[best] = -1e31f;
	}
	for (int i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(score);
	free(rgb);
	free(tensor);
	TfLiteInterpreterDelete(interpreter);
	mbn_tflite_delegate_delete(delegate); /* mbnaccel: after the interpreter */
	TfLiteModelDelete(model);
	return 0;
}
