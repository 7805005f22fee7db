#!/bin/sh
# fetch-sysroot.sh DIR: the arm64 libraries libmbnaccel and its tools link against
# (libdrm, liburing, libjpeg, libpng, zlib: headers, .so links and runtime libraries),
# from Debian's arm64 packages unpacked into DIR (tools/arm64/fetch-debs.sh). The C
# library and libgcc come from the cross toolchain (/usr/aarch64-linux-gnu). The versions
# are bookworm's, the same as the amd64 build's. Used by `make arm64` (tools/arm64/arm64.mk).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/fetch-debs.sh" "$1" libdrm-dev libdrm2 liburing-dev liburing2 \
	libjpeg62-turbo-dev libjpeg62-turbo libpng-dev libpng16-16 zlib1g-dev zlib1g
