#!/usr/bin/env bash
# Single operators on the simulated accelerator RTL (-d sim): the accelerator runs the
# convolutions it supports (pointwise, depthwise 3x3, a first conv via im2col) and the CPU
# the rest; every output byte identical to TensorFlow Lite 2.9.
MBN_DEVICE=sim MBN_OP_CASES=${MBN_OP_CASES:-6} exec bash "$(dirname "$0")/test-ops.sh"
