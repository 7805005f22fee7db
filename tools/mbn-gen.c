/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbn-gen - writes valid, runnable .tflite models with random weights: whole MobileNet
 * v1 classifiers of any width multiplier and input size, in the structure TF1 (TOCO),
 * Keras (the TF2 MLIR converter) or PyTorch (via ONNX) exports have, or single-operator
 * models for unit tests; uint8 per-tensor (the TF1 models' scheme) or int8 with
 * per-channel weights. This file is the command line; the model structure is
 * tools/common/gen_mobilenet.c (whole models) and gen_ops.c (single operators), the
 * operators, weight generation and calibration gen_core.c, the flatbuffer encoding
 * tflite_writer.c.
 *
 *   mbn-gen --alpha A --size S [--style tf1|keras|pytorch] [--int8] [--seed N]
 *           [--classes N] [--head reshape|squeeze] [--channels C] [--depth-mult M]
 *           [--in-type T] [--out-type T] -o FILE
 *   mbn-gen --op OPNAME [shape/param options] [--int8] [--seed N] -o FILE
 *
 * Determinism: splitmix64 and only correctly rounded float operations (+ - * / sqrt,
 * rounding) feed the output, so the same arguments and --seed give the same bytes on any
 * IEEE machine (the Makefile builds with -ffp-contract=off). The TF1 models are
 * byte-identical to those of mbn-gen before the Keras/PyTorch styles existed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_core.h"

/* ------------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
"usage: mbn-gen --alpha A --size S [--style tf1|keras|pytorch] [--int8] [--seed N]\n"
"               [--classes N] [--head reshape|squeeze] [--channels C] [--depth-mult M]\n"
"               [--in-type T] [--out-type T] -o FILE\n"
"       mbn-gen --op OP [options] [--int8] [--seed N] -o FILE\n"
"\n"
"Writes a .tflite model with random weights and calibrated quantization.\n"
"  --alpha A        width multiplier (0.1 .. 2.0 and beyond); channels max(int(d*A), 8)\n"
"                   (keras: int(d*A))\n"
"  --size S         input resolution SxS (>= 1)\n"
"  --style S        tf1 (default): TOCO's structure, as ../shared/models/*_quant.tflite;\n"
"                   keras: tf.keras.applications.MobileNet from the TF2 converter (PAD\n"
"                   (0,1) + VALID before stride-2 layers, MEAN, SHAPE/STRIDED_SLICE/PACK\n"
"                   reshapes, 1x1 conv classifier), always int8;\n"
"                   pytorch: via ONNX (PAD (1,1) + VALID before stride-2 layers, MEAN\n"
"                   keep_dims, FULLY_CONNECTED head), always int8\n"
"  --maxpool-after B  a MAX_POOL_2D 3x3/1 SAME after block B (1..13): an operator\n"
"                   libmbnaccel does not run (the TFLite delegate's two partitions)\n"
"  --per-channel    pytorch: per-channel FC head weights (TFLite 2.9 ignores per-channel\n"
"                   FC scales: its outputs are then all the zero point)\n"
"  --classes N      classifier outputs (default 1001)\n"
"  --head H         tf1: reshape (default, as the real models) or squeeze before softmax\n"
"  --channels C     input channels (default 3)\n"
"  --depth-mult M   first layer a 3x3/2 DEPTHWISE_CONV_2D with multiplier M (C*M\n"
"                   outputs, as TFLM's person detector) instead of CONV_2D\n"
"  --in-type T      int8, uint8 or float32 input: another type than the network's is\n"
"                   converted by a QUANTIZE (float32: scale/zp of the network input;\n"
"                   int8 <-> uint8: same scale, zero point +-128)\n"
"  --out-type T     int8, uint8 or float32 output (QUANTIZE or DEQUANTIZE after SOFTMAX)\n"
"  --int8           int8 activations, int8 symmetric per-channel weights\n"
"                   (default: uint8 asymmetric per-tensor, like the real models)\n"
"  --seed N         random seed (default 1); same arguments + seed = same bytes\n"
"  -o FILE          output file\n"
"\n"
"Single-operator models (--op):\n"
"  CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, FULLY_CONNECTED, FC_AS_CONV, SOFTMAX,\n"
"  RESHAPE, RESHAPE_KERAS, SQUEEZE, QUANTIZE, DEQUANTIZE, PAD, PADV2, MEAN, MAX_POOL_2D,\n"
"  UNSUPPORTED (= MAX_POOL_2D, an op the project does not run)\n"
"  --h H --w W --c C   input 1xHxWxC (default 8x8x8; FULLY_CONNECTED, SOFTMAX and\n"
"                      RESHAPE_KERAS take 1xC unless --h or --w is given)\n"
"  --oc N              conv output channels (default 16)\n"
"  --k K | --kh --kw   kernel / pool filter size (default 3)\n"
"  --stride S | --sh --sw   strides (default 1)\n"
"  --dilation D        conv/depthwise dilation (default 1)\n"
"  --padding same|valid   (default same)\n"
"  --act none|relu|relu6  fused activation (default relu6 for conv/depthwise, none\n"
"                         for the others)\n"
"  --dm N | --depth-mult N   depthwise depth multiplier (default 1)\n"
"  --units N           fully connected outputs (default 10)\n"
"  --per-channel       FULLY_CONNECTED / FC_AS_CONV: int8 per-channel weights (one scale\n"
"                      per output unit; needs --int8; TFLite 2.9 runs per-channel FC as\n"
"                      all zero point outputs). FC_AS_CONV writes the weights,\n"
"                      bias and quantization of FULLY_CONNECTED with the same arguments\n"
"                      and seed as a 1x1 CONV_2D on a 1x1x1xC input\n"
"  --beta B            softmax beta (default 1.0)\n"
"  --in-type T         QUANTIZE (default float32) / DEQUANTIZE input type\n"
"  --out-type T        QUANTIZE output type (default the network's): another scale and\n"
"                      zero point than the input's\n"
"  --pads T,B,L,R      PAD / PADV2 rows above/below, columns left/right (default 1,1,1,1)\n"
"  --pad-value V       PADV2 raw quantized fill value (default random)\n"
"  --keep-dims 0|1     MEAN (over H and W) keeps dims (default 0)\n"
"  --same-quant        MEAN output quantization = the input's (default calibrated)\n"
"RESHAPE_KERAS: RESHAPE whose shape is SHAPE -> STRIDED_SLICE -> PACK, as Keras exports.\n");
}

static int parse_dt(const char *s, const char *what)
{
	if (!strcmp(s, "int8")) return DT_I8;
	if (!strcmp(s, "uint8")) return DT_U8;
	if (!strcmp(s, "float32")) return DT_F32;
	fprintf(stderr, "mbn-gen: %s: '%s' is not int8, uint8 or float32\n", what, s);
	exit(2);
}

static int parse_int(const char *s, const char *what, int lo, int hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "mbn-gen: %s: '%s' is not an integer in %d..%d\n", what, s, lo, hi);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	enum { O_ALPHA = 256, O_SIZE, O_INT8, O_SEED, O_CLASSES, O_OP, O_H, O_W, O_C, O_OC,
	       O_K, O_KH, O_KW, O_STRIDE, O_SH, O_SW, O_PAD, O_ACT, O_DM, O_UNITS, O_BETA,
	       O_DIL, O_HEAD, O_HELP, O_STYLE, O_CHANNELS, O_DMULT, O_INTYPE, O_OUTTYPE,
	       O_PERCH, O_PADS, O_PADVAL, O_KEEP, O_SAMEQ, O_MAXPOOL };
	static const struct option lo[] = {
		{ "alpha", 1, 0, O_ALPHA }, { "size", 1, 0, O_SIZE }, { "int8", 0, 0, O_INT8 },
		{ "seed", 1, 0, O_SEED }, { "classes", 1, 0, O_CLASSES }, { "op", 1, 0, O_OP },
		{ "h", 1, 0, O_H }, { "w", 1, 0, O_W }, { "c", 1, 0, O_C }, { "oc", 1, 0, O_OC },
		{ "k", 1, 0, O_K }, { "kh", 1, 0, O_KH }, { "kw", 1, 0, O_KW },
		{ "stride", 1, 0, O_STRIDE }, { "sh", 1, 0, O_SH }, { "sw", 1, 0, O_SW },
		{ "padding", 1, 0, O_PAD }, { "act", 1, 0, O_ACT }, { "dm", 1, 0, O_DM },
		{ "units", 1, 0, O_UNITS }, { "beta", 1, 0, O_BETA }, { "dilation", 1, 0, O_DIL },
		{ "head", 1, 0, O_HEAD }, { "output", 1, 0, 'o' }, { "help", 0, 0, O_HELP },
		{ "style", 1, 0, O_STYLE }, { "channels", 1, 0, O_CHANNELS },
		{ "depth-mult", 1, 0, O_DMULT }, { "in-type", 1, 0, O_INTYPE },
		{ "out-type", 1, 0, O_OUTTYPE }, { "per-channel", 0, 0, O_PERCH },
		{ "pads", 1, 0, O_PADS }, { "pad-value", 1, 0, O_PADVAL },
		{ "keep-dims", 1, 0, O_KEEP }, { "same-quant", 0, 0, O_SAMEQ },
		{ "maxpool-after", 1, 0, O_MAXPOOL },
		{ 0, 0, 0, 0 } };
	double alpha = 0;
	int size = 0, classes = 1001, squeeze = 0, act_given = 0;
	uint64_t seed = 1;
	const char *outp = NULL;
	struct opargs A = { NULL, 8, 8, 8, 16, 3, 3, 1, 1, TFL_PAD_SAME, TFL_ACT_NONE, 1, 10,
			    1, 0, 1.0f, DT_NET, DT_NET, { 1, 1, 1, 1 }, -1000, 0, 0, 0 };
	struct gen_net N = { "tf1", 0, 0, 1001, 0, 3, 0, DT_NET, DT_NET, 0, 0 };
	int ch;
	char *end;

	while ((ch = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (ch) {
		case O_ALPHA:
			alpha = strtod(optarg, &end);
			if (*end || !(alpha > 0 && alpha <= 8))
				die("--alpha: '%s' is not a number in (0, 8]", optarg);
			break;
		case O_SIZE: size = parse_int(optarg, "--size", 1, 4096); break;
		case O_INT8: g_int8 = 1; break;
		case O_SEED:
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end)
				die("--seed: '%s' is not an integer", optarg);
			break;
		case O_CLASSES: classes = parse_int(optarg, "--classes", 1, 1 << 20); break;
		case O_OP: A.op = optarg; break;
		case O_H: A.h = parse_int(optarg, "--h", 1, 4096); A.hw_given = 1; break;
		case O_W: A.w = parse_int(optarg, "--w", 1, 4096); A.hw_given = 1; break;
		case O_C: A.c = parse_int(optarg, "--c", 1, 1 << 20); break;
		case O_OC: A.oc = parse_int(optarg, "--oc", 1, 1 << 20); break;
		case O_K: A.kh = A.kw = parse_int(optarg, "--k", 1, 256); break;
		case O_KH: A.kh = parse_int(optarg, "--kh", 1, 256); break;
		case O_KW: A.kw = parse_int(optarg, "--kw", 1, 256); break;
		case O_STRIDE: A.sh = A.sw = parse_int(optarg, "--stride", 1, 256); break;
		case O_SH: A.sh = parse_int(optarg, "--sh", 1, 256); break;
		case O_SW: A.sw = parse_int(optarg, "--sw", 1, 256); break;
		case O_DIL: A.dil = parse_int(optarg, "--dilation", 1, 64); break;
		case O_DM: A.dm = parse_int(optarg, "--dm", 1, 4096); break;
		case O_UNITS: A.units = parse_int(optarg, "--units", 1, 1 << 20); break;
		case O_BETA:
			A.beta = strtof(optarg, &end);
			if (*end || !(A.beta > 0))
				die("--beta: '%s' is not a positive number", optarg);
			break;
		case O_PAD:
			if (!strcmp(optarg, "same")) A.pad = TFL_PAD_SAME;
			else if (!strcmp(optarg, "valid")) A.pad = TFL_PAD_VALID;
			else die("--padding: '%s' is not same or valid", optarg);
			break;
		case O_ACT:
			act_given = 1;
			if (!strcmp(optarg, "none")) A.act = TFL_ACT_NONE;
			else if (!strcmp(optarg, "relu")) A.act = TFL_ACT_RELU;
			else if (!strcmp(optarg, "relu6")) A.act = TFL_ACT_RELU6;
			else die("--act: '%s' is not none, relu or relu6", optarg);
			break;
		case O_HEAD:
			if (!strcmp(optarg, "reshape")) squeeze = 0;
			else if (!strcmp(optarg, "squeeze")) squeeze = 1;
			else die("--head: '%s' is not reshape or squeeze", optarg);
			break;
		case O_STYLE:
			if (strcmp(optarg, "tf1") && strcmp(optarg, "keras") && strcmp(optarg, "pytorch"))
				die("--style: '%s' is not tf1, keras or pytorch", optarg);
			N.style = optarg;
			break;
		case O_CHANNELS: N.channels = parse_int(optarg, "--channels", 1, 64); break;
		case O_MAXPOOL: N.maxpool_after = parse_int(optarg, "--maxpool-after", 1, 13); break;
		case O_DMULT:
			A.dm = N.depth_mult = parse_int(optarg, "--depth-mult", 1, 4096);
			break;
		case O_INTYPE: A.in_dt = N.in_dt = parse_dt(optarg, "--in-type"); break;
		case O_OUTTYPE: A.out_dt = N.out_dt = parse_dt(optarg, "--out-type"); break;
		case O_PERCH: A.per_channel = N.fc_per_channel = 1; break;
		case O_PADS: {
			int n = 0;
			char *tok, *save = NULL, buf[64];
			snprintf(buf, sizeof(buf), "%s", optarg);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (n == 4)
					die("--pads: '%s' is not T,B,L,R", optarg);
				A.pads[n++] = parse_int(tok, "--pads", 0, 4096);
			}
			if (n != 4)
				die("--pads: '%s' is not T,B,L,R", optarg);
			break;
		}
		case O_PADVAL: A.pad_value = parse_int(optarg, "--pad-value", -128, 255); break;
		case O_KEEP: A.keep_dims = parse_int(optarg, "--keep-dims", 0, 1); break;
		case O_SAMEQ: A.same_quant = 1; break;
		case 'o': outp = optarg; break;
		case 'h':
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !outp) {
		usage(stderr);
		return 2;
	}
	int tf1 = !strcmp(N.style, "tf1");
	if (!A.op && !tf1)
		g_int8 = 1;	/* the keras and pytorch styles are int8 networks */
	if (g_int8) {
		g_qmin = -128;
		g_qmax = 127;
	}
	gen_seed(seed);

	char desc[512];
	if (A.op) {
		if (!act_given && (!strcmp(A.op, "CONV_2D") || !strcmp(A.op, "DEPTHWISE_CONV_2D")))
			A.act = TFL_ACT_RELU6;
		snprintf(desc, sizeof(desc), "mbn-gen --op %s %s seed %llu", A.op,
			 g_int8 ? "int8" : "uint8", (unsigned long long)seed);
	} else {
		static const char *dtn[] = { "net", "uint8", "int8", "float32" };
		if (alpha <= 0 || size <= 0)
			die("%s", "a whole model needs --alpha and --size (or use --op)");
		int n = snprintf(desc, sizeof(desc), "mbn-gen MobileNet v1 alpha %g size %d %s seed %llu",
				 alpha, size, g_int8 ? "int8" : "uint8", (unsigned long long)seed);
		/* the TF1 defaults keep the description (and so the bytes) of before */
		if (!tf1 || N.channels != 3 || N.depth_mult || N.in_dt || N.out_dt)
			n += snprintf(desc + n, sizeof(desc) - (size_t)n,
				      " style %s channels %d depth-mult %d in %s out %s%s", N.style,
				      N.channels, N.depth_mult, dtn[N.in_dt], dtn[N.out_dt],
				      N.fc_per_channel ? " per-channel-fc" : "");
		if (N.maxpool_after)
			snprintf(desc + n, sizeof(desc) - (size_t)n, " maxpool-after %d", N.maxpool_after);
		if (!tf1 && squeeze)
			die("%s", "--head squeeze is for --style tf1");
		if (N.fc_per_channel && strcmp(N.style, "pytorch"))
			die("%s", "--per-channel (whole models) is for --style pytorch's FC head");
		if (N.maxpool_after && A.op)
			die("%s", "--maxpool-after is for whole models");
		N.alpha = alpha;
		N.size = size;
		N.classes = classes;
		N.squeeze = squeeze;
	}
	g_m = tflw_model_new(desc);
	if (!g_m)
		die("%s", "out of memory");
	if (A.op)
		build_op(&A);
	else
		build_mobilenet(&N);
	int rc = tflw_model_write_file(g_m, outp);
	if (rc) {
		fprintf(stderr, "mbn-gen: %s: %s\n", outp, strerror(-rc));
		return 1;
	}
	tflw_model_free(g_m);
	return 0;
}
