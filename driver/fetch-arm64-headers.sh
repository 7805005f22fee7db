#!/bin/sh
# fetch-arm64-headers.sh DIR: Debian's arm64 6.1 kernel headers for the cross build,
# following DESIGN.md section 5: `apt-get download` the :arm64 package matching the
# installed amd64 6.1 headers (same ABI, so the installed -common and linux-kbuild-6.1
# serve it), `dpkg -x` it into DIR, point its scripts link at linux-kbuild-6.1.
# Never `apt-get install` an :arm64 package: it would pull arm64 gcc-12, which
# overwrites the cross compiler's binaries. Writes the header path to DIR/KDIR.
set -eu
dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

common=$(ls -d /usr/src/linux-headers-6.1.*-common 2>/dev/null | sort -V | tail -n1)
[ -n "$common" ] || { echo "no /usr/src/linux-headers-6.1.*-common (install linux-headers-amd64)" >&2; exit 1; }
abi=${common#/usr/src/linux-headers-}
abi=${abi%-common}                       # e.g. 6.1.0-56
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
# of linux-kbuild-6.1 build modules for any target.
ln -sfn /usr/lib/linux-kbuild-6.1/scripts "$kdir/scripts"
if [ -L "$kdir/tools" ] || [ ! -e "$kdir/tools" ]; then
	ln -sfn /usr/lib/linux-kbuild-6.1/tools "$kdir/tools"
fi
grep -q "$common" "$kdir/Makefile" || echo "warning: $kdir/Makefile does not use $common" >&2
echo "$kdir" > "$dir/KDIR"
echo "$kdir"
