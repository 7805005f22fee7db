#!/bin/sh
# fetch-debs.sh DIR PKG...: Debian's arm64 packages PKG (without :arm64), downloaded once
# with `apt-get download` into /var/cache/mbnaccel/arm64-debs (a rerun reuses them) and
# unpacked with `dpkg -x` into DIR. Never `apt-get install` an :arm64 package (DESIGN.md
# section 5: it would replace the amd64 compilers). A package already unpacked into DIR
# (DIR/.pkgs lists them) is not unpacked again. Prints nothing on success.
set -eu
dir=$1
shift
cache=${MBN_DEB_CACHE:-/var/cache/mbnaccel/arm64-debs}
mkdir -p "$dir" "$cache"
touch "$dir/.pkgs"
# apt-get update takes /var/lib/apt/lists/lock and fails at once if another holds it:
# the sysroot and the guest are fetched in parallel under make -j, so take turns
apt_update() { flock "$cache/.apt-lock" apt-get update -qq; }
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt_update
fi
for pkg in "$@"; do
	grep -qx "$pkg" "$dir/.pkgs" && continue
	deb=$(ls "$cache/${pkg}"_*_arm64.deb 2>/dev/null | sort -V | tail -n1)
	if [ -z "$deb" ]; then
		apt-cache show "$pkg:arm64" >/dev/null 2>&1 || apt_update
		# download where the _apt user may write (else apt warns it runs unsandboxed)
		tmp=$(mktemp -d)
		chown _apt "$tmp" 2>/dev/null || true
		(cd "$tmp" && apt-get download -qq "$pkg:arm64") ||
			{ rm -rf "$tmp"; echo "fetch-debs: cannot download $pkg:arm64" >&2; exit 1; }
		mv "$tmp"/*.deb "$cache"/
		rmdir "$tmp"
		deb=$(ls "$cache/${pkg}"_*_arm64.deb | sort -V | tail -n1)
	fi
	dpkg -x "$deb" "$dir"
	echo "$pkg" >>"$dir/.pkgs"
done
# Absolute links (libz.so -> /lib/aarch64-linux-gnu/libz.so.1.2.13) would point into the
# host's root: make them point inside DIR.
find "$dir" -type l | while read -r l; do
	t=$(readlink "$l")
	case $t in /*) ln -sfn "$(cd "$dir" && pwd)$t" "$l" ;; esac
done
