#!/usr/bin/env bash
# RTL lint and block-level testbenches (hw/tb/run.sh): requantizer, pointwise and
# depthwise engines against C++ references, random AXI latency and backpressure.
exec sh "$(dirname "$0")/../../hw/tb/run.sh"
