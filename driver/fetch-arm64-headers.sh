#!/bin/sh
# fetch-arm64-headers.sh DIR [SERIES]: Debian's arm64 kernel headers of SERIES (6.1, the
# default, or 6.12) for the cross build, following DESIGN.md section 5: `apt-get download`
# the :arm64 package matching the installed amd64 headers of that series (same ABI, so the
# installed -common and linux-kbuild package serve it), `dpkg -x` it into DIR, point its
# scripts link at the amd64 linux-kbuild.
# Never `apt-get install` an :arm64 package: it would pull arm64 gcc-12, which
# overwrites the cross compiler's binaries. Writes the header path to DIR/KDIR-SERIES.
set -eu
dir=$1
series=${2:-6.1}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

common=$(ls -d /usr/src/linux-headers-"$series".*-common 2>/dev/null | sort -V | tail -n1)
[ -n "$common" ] || { echo "no /usr/src/linux-headers-$series.*-common (install linux-headers-amd64 or linux-headers-6.12-amd64)" >&2; exit 1; }
abi=${common#/usr/src/linux-headers-}
abi=${abi%-common}                       # e.g. 6.1.0-56, 6.12.117+deb12
case $series in
6.1) kbuild=/usr/lib/linux-kbuild-6.1 ;;
*) kbuild=/usr/lib/linux-kbuild-$abi ;;
esac
[ -d "$kbuild" ] || { echo "$kbuild missing (the amd64 linux-kbuild package of $abi)" >&2; exit 1; }
pkg=linux-headers-$abi-arm64
kdir=$dir/root/usr/src/$pkg

if [ ! -f "$kdir/Makefile" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
	if ! apt-cache show "$pkg:arm64" >/dev/null 2>&1; then
		apt-get update -qq
	fi
	# download where the _apt user may write (else apt warns it runs unsandboxed)
	tmp=$(mktemp -d)
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download -qq "$pkg:arm64")
	rm -f "$dir"/"${pkg}"_*.deb
	mv "$tmp"/"${pkg}"_*_arm64.deb "$dir"/
	rmdir "$tmp"
	dpkg -x "$dir"/"${pkg}"_*_arm64.deb "$dir/root"
fi
[ -f "$kdir/Makefile" ] || { echo "$pkg did not unpack to $kdir" >&2; exit 1; }
# The package's scripts/ link points at the arm64 kbuild package; the amd64 host tools
# of the amd64 linux-kbuild package build modules for any target.
ln -sfn "$kbuild/scripts" "$kdir/scripts"
if [ -L "$kdir/tools" ] || [ ! -e "$kdir/tools" ]; then
	if [ -d "$kbuild/tools" ]; then ln -sfn "$kbuild/tools" "$kdir/tools"; fi
fi
grep -q "$common" "$kdir/Makefile" || echo "warning: $kdir/Makefile does not use $common" >&2
echo "$kdir" > "$dir/KDIR-$series"
echo "$kdir"
