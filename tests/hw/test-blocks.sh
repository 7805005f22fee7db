#!/usr/bin/env bash
# RTL lint and the testbenches (hw/tb/run.sh, hw/tb/README.md): requantizer, address
# generator, MAC array, read and write DMA, the two-products-per-DSP48E2 wrapper (its
# behavioural model and its DSP48E2 instance) each alone against a C++ reference, then the
# top (pointwise and depthwise engines, faults) with random AXI latency and backpressure.
exec sh "$(dirname "$0")/../../hw/tb/run.sh"
