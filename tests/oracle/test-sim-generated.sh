#!/usr/bin/env bash
# The generated-model grid on the simulated accelerator RTL (-d sim): output bytes
# identical to TensorFlow Lite 2.9 (the same checks as test-generated.sh).
MBN_DEVICE=sim exec bash "$(dirname "$0")/test-generated.sh"
