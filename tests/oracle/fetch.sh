#!/usr/bin/env bash
# Fetch the test oracle: TensorFlow Lite 2.9.0's prebuilt C library, shipped inside the
# npm package tfjs-tflite-node@0.0.2 (cc_deps/linux_amd64/libtensorflowlite_c.so), and
# the same release built for linux arm64 (cc_deps/linux_arm64/, into DEST/lib-arm64/),
# which tests/oracle/tflite-run-arm64 runs under qemu-user; and each build's
# libexternal_delegate_obj.so, TFLite's external-delegate loader (the path Python's
# load_delegate takes), which the delegate tests (tests/delegate) load ours through.
# `npm pack` downloads the tarball without installing anything. Fails loudly: the
# bit-exact tests cannot run without the oracle and must not pass without it.
set -euo pipefail
dest=${1:?usage: fetch.sh DEST_DIR}
if ! command -v npm >/dev/null; then
	echo "fetch.sh: npm not found (make deps installs it)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent tfjs-tflite-node@0.0.2 >/dev/null)
tar -xzf "$tmp"/tfjs-tflite-node-0.0.2.tgz -C "$tmp"
so="$tmp/package/cc_deps/linux_amd64/libtensorflowlite_c.so"
[ -f "$so" ] || { echo "fetch.sh: $so missing from the npm package" >&2; exit 1; }
so_arm64="$tmp/package/cc_deps/linux_arm64/libtensorflowlite_c.so"
[ -f "$so_arm64" ] || { echo "fetch.sh: $so_arm64 missing from the npm package" >&2; exit 1; }
for f in linux_amd64/libexternal_delegate_obj.so linux_arm64/libexternal_delegate_obj.so; do
	[ -f "$tmp/package/cc_deps/$f" ] || { echo "fetch.sh: cc_deps/$f missing from the npm package" >&2; exit 1; }
done
mkdir -p "$dest/lib" "$dest/lib-arm64" "$dest/include"
cp "$so" "$tmp/package/cc_deps/linux_amd64/libexternal_delegate_obj.so" "$dest/lib/"
cp "$so_arm64" "$tmp/package/cc_deps/linux_arm64/libexternal_delegate_obj.so" "$dest/lib-arm64/"
cp -r "$tmp/package/cc_deps/include/." "$dest/include/"
echo "oracle: TensorFlow Lite 2.9 C library in $dest (x86-64: lib/, arm64: lib-arm64/)"
