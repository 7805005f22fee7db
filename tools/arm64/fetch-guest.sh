#!/bin/sh
# fetch-guest.sh DIR: what an arm64 QEMU guest boots, from Debian's arm64 packages (the
# versions of the installed amd64 6.1 and 6.12 headers, so that `make module-arm64` and
# `make module-arm64-6.12` build for them), unpacked into DIR (tools/arm64/fetch-debs.sh):
# DIR/boot/vmlinuz-*, DIR/lib/modules/* (depmod run here: the packages' postinst would
# do it) and DIR/bin/busybox (busybox-static). tests/driver/qemu-run.sh -a arm64 uses it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
pkgs="busybox-static"
for series in 6.1 6.12; do
	common=$(ls -d /usr/src/linux-headers-"$series".*-common 2>/dev/null | sort -V | tail -n1)
	[ -n "$common" ] || { echo "fetch-guest: no /usr/src/linux-headers-$series.*-common (tests/deps.sh installs them)" >&2; exit 1; }
	abi=${common#/usr/src/linux-headers-}
	abi=${abi%-common}
	pkgs="$pkgs linux-image-$abi-arm64-unsigned"
done
# shellcheck disable=SC2086
sh "$here/fetch-debs.sh" "$dir" $pkgs
for m in "$dir"/lib/modules/*; do
	[ -f "$m/modules.dep" ] || depmod -b "$dir" "${m##*/}"
done
