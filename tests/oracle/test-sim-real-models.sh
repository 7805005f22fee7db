#!/usr/bin/env bash
# The real models on every shared image, run on the simulated accelerator RTL (-d sim):
# output bytes identical to TensorFlow Lite 2.9 (the same checks as test-real-models.sh).
# Three images per model (two BMPs, one JPEG): the CPU test covers all of them.
MBN_DEVICE=sim MBN_QUICK=1 MBN_IMAGES="grace_hopper.bmp cat.bmp owl.jpg" exec bash "$(dirname "$0")/test-real-models.sh"
