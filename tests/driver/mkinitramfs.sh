#!/usr/bin/env bash
# mkinitramfs.sh: a busybox-static initramfs for the QEMU driver tests (tests/driver/qemu-run.sh
# calls it; usable alone).
#
#   tests/driver/mkinitramfs.sh -o OUT.cpio -k KVER [options]
#     -k KVER        kernel version: modules come from /lib/modules/KVER (default: uname -r)
#     -o FILE        output cpio (newc); -z gzips it
#     -M FILE.ko     an extra module (the driver): copied to /lib/modules/mbn/, its
#                    dependencies (modinfo depends) are loaded first; init insmods it
#     -P PARAMS      module parameters for -M
#     -N             copy the -M module but do not load it (the script does: $MBN_MODULE)
#     -D NAME        a kernel module to load, with its dependencies (repeatable; default:
#                    drm drm_shmem_helper; -D none loads none)
#     -b FILE        a host binary for /usr/local/bin, with its shared libraries (ldd) and
#                    the dynamic loader (repeatable)
#     -f SRC[:DEST]  a data file or directory (default DEST /data/basename) (repeatable)
#     -s SCRIPT      the guest script (busybox sh) that init runs in /data
#     -A ARG         an argument for the script (repeatable)
#     -e VAR=VALUE   exported in the guest before the script (repeatable)
#
# The guest's /init mounts proc, sys, devtmpfs (/dev/dri, /dev/accel appear there) and
# keeps /tmp on the initramfs; insmods the modules in dependency order (then -M); runs the script; prints dmesg
# if anything failed (or always with -e MBN_DMESG=1); prints "GUEST-EXIT <rc>" and powers
# off (poweroff -f). rc 201: a dependency module failed to load, 202: the -M module did.
set -euo pipefail

kver=$(uname -r)
out=
gz=0
extra_mod=
mod_params=
mod_load=1
drm_mods=()
drm_default=1
bins=()
datas=()
script=
args=()
envs=()
modroot=
libdirs=
while getopts "k:R:S:o:zM:P:ND:b:f:s:A:e:h" o; do
	case $o in
	k) kver=$OPTARG ;;
	R) modroot=$OPTARG ;;
	S) libdirs=$OPTARG ;;
	o) out=$OPTARG ;;
	z) gz=1 ;;
	M) extra_mod=$OPTARG ;;
	P) mod_params=$OPTARG ;;
	N) mod_load=0 ;;
	D) drm_default=0; [ "$OPTARG" = none ] || drm_mods+=("$OPTARG") ;;
	b) bins+=("$OPTARG") ;;
	f) datas+=("$OPTARG") ;;
	s) script=$OPTARG ;;
	A) args+=("$OPTARG") ;;
	e) envs+=("$OPTARG") ;;
	h) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "mkinitramfs: bad option (see -h)" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs: -o OUT is required" >&2; exit 2; }
[ "$drm_default" = 1 ] && drm_mods=(drm drm_shmem_helper)
moddir=$modroot/lib/modules/$kver
mi=(modinfo)
[ -n "$modroot" ] && mi=(modinfo -b "$modroot")
die() { echo "mkinitramfs: $*" >&2; exit 1; }
[ -d "$moddir" ] || die "no modules for kernel $kver ($moddir missing: apt-get install linux-image-...)"
BB=${MBN_BUSYBOX:-/bin/busybox}
[ -x "$BB" ] || die "busybox not found (apt-get install busybox-static)"
ldd "$BB" >/dev/null 2>&1 && die "$BB is not static (apt-get install busybox-static)"
BBLIST=/bin/busybox
[ -z "$libdirs" ] && BBLIST=$BB
[ -n "$libdirs" ] && ! command -v readelf >/dev/null && die "readelf not found (apt-get install binutils)"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"
command -v modinfo >/dev/null || die "modinfo not found (apt-get install kmod)"

root=$(mktemp -d /tmp/mbn-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,proc,sys,dev,tmp,run,etc,data,lib/modules/mbn}
cp "$BB" "$root/bin/busybox"
"$BBLIST" --list-full | while read -r p; do
	[ -e "$root/$p" ] || ln -s /bin/busybox "$root/$p"
done

# --- kernel modules, dependencies first --------------------------------------------------
declare -A seen=()
order=()
copy_ko() { # SRC DESTNAME
	local src=$1 dst=$root/lib/modules/mbn/$2.ko
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
}
add_mod() { # NAME (as modinfo knows it)
	local name=${1//-/_} file dep
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	file=$("${mi[@]}" -k "$kver" -F filename "$1" 2>/dev/null | head -1) || true
	[ -n "$file" ] || die "module $1 not found for $kver"
	[ "$file" = "(builtin)" ] && return 0
	for dep in $("${mi[@]}" -k "$kver" -F depends "$1" | tr ',' ' '); do
		add_mod "$dep"
	done
	copy_ko "$file" "$name"
	order+=("$name")
}
for m in "${drm_mods[@]}"; do add_mod "$m"; done
mod_name=
if [ -n "$extra_mod" ]; then
	[ -f "$extra_mod" ] || die "module $extra_mod not found"
	vm=$(modinfo -F vermagic "$extra_mod" | cut -d' ' -f1)
	[ "$vm" = "$kver" ] || echo "mkinitramfs: warning: $extra_mod is built for $vm, the kernel is $kver" >&2
	for dep in $(modinfo -F depends "$extra_mod" | tr ',' ' '); do add_mod "$dep"; done
	mod_name=$(basename "$extra_mod"); mod_name=${mod_name%%.ko*}
	copy_ko "$extra_mod" "$mod_name"
fi
printf '%s\n' "${order[@]}" >"$root/etc/mbn-modules"

# --- binaries and their libraries ----------------------------------------------------------
copy_lib() {
	local f=$1
	[ -e "$root$f" ] && return 0
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
}
# another architecture's binary: ldd cannot run it; follow its dynamic section instead
declare -A seenlib=()
find_lib() { # NAME -> path in $libdirs
	local d
	local IFS=:
	for d in $libdirs; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}
copy_foreign() { # ELF: its loader and NEEDED libraries, recursively, into /lib
	local interp n f
	interp=$(readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		f=$(find_lib "$(basename "$interp")") || die "$1: loader $interp not found in $libdirs"
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$f" "$root$interp"
	fi
	for n in $(readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		[ -n "${seenlib[$n]:-}" ] && continue
		seenlib[$n]=1
		f=$(find_lib "$n") || die "$1: shared library $n not found in $libdirs"
		cp -L "$f" "$root/lib/$n"
		copy_foreign "$f"
	done
}
for b in "${bins[@]}"; do
	[ -f "$b" ] || die "binary $b not found"
	cp -L "$b" "$root/usr/local/bin/"
	chmod +x "$root/usr/local/bin/$(basename "$b")"
	if [ -n "$libdirs" ]; then
		copy_foreign "$b"
	elif ldd "$b" >/dev/null 2>&1; then
		while read -r l; do
			case $l in
			*"=> not found"*) die "$b: shared library ${l%% *} not found" ;;
			*"=> /"*) f=${l#*=> }; copy_lib "${f%% (*}" ;;
			/*) copy_lib "${l%% (*}" ;;
			esac
		done < <(ldd "$b")
	fi
done

# --- data -----------------------------------------------------------------------------------
for d in "${datas[@]}"; do
	src=${d%%:*}
	dst=/data/$(basename "$src")
	[[ "$d" == *:* ]] && dst=${d#*:}
	[ -e "$src" ] || die "data file $src not found"
	mkdir -p "$root$(dirname "$dst")"
	cp -rL "$src" "$root$dst"
done
if [ -n "$script" ]; then
	[ -f "$script" ] || die "guest script $script not found"
	cp "$script" "$root/guest-script"
	chmod +x "$root/guest-script"
fi

# --- environment for init -----------------------------------------------------------------
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "MBN_KVER=$(sq "$kver")"
	if [ -n "$mod_name" ]; then
		echo "MBN_MODULE=/lib/modules/mbn/$mod_name.ko"
		echo "MBN_MODULE_PARAMS=$(sq "$mod_params")"
		echo "MBN_MODULE_LOAD=$mod_load"
	fi
	for e in "${envs[@]}"; do echo "${e%%=*}=$(sq "${e#*=}")"; echo "export ${e%%=*}"; done
	printf 'set --'
	for a in "${args[@]}"; do printf ' %s' "$(sq "$a")"; done
	echo
	echo "export MBN_KVER MBN_MODULE MBN_MODULE_PARAMS"
} >"$root/etc/mbn-env"

cat >"$root/init" <<'EOF'
#!/bin/sh
# generated by tests/driver/mkinitramfs.sh
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /root
mount -t devpts devpts /dev/pts
# /tmp stays on the initramfs (itself a RAM filesystem): a tmpfs over it would hide the
# binaries' libraries and data when the checkout lives under /tmp (their host paths)
mkdir -p /tmp && chmod 1777 /tmp
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
. /etc/mbn-env
echo "GUEST-BOOT $(uname -r) uptime $(cut -d' ' -f1 /proc/uptime) s"
rc=0
for m in $(cat /etc/mbn-modules); do
	insmod /lib/modules/mbn/$m.ko 2>&1 || { echo "GUEST: insmod $m failed"; rc=201; break; }
done
if [ $rc = 0 ] && [ -n "${MBN_MODULE:-}" ] && [ "$MBN_MODULE_LOAD" = 1 ]; then
	insmod "$MBN_MODULE" $MBN_MODULE_PARAMS 2>&1 || { echo "GUEST: insmod $MBN_MODULE failed"; rc=202; }
fi
if [ $rc = 0 ] && [ -f /guest-script ]; then
	cd /data
	sh /guest-script "$@"
	rc=$?
	cd /
fi
if [ $rc != 0 ] || [ "${MBN_DMESG:-0}" = 1 ]; then
	echo "---- guest dmesg ----"
	dmesg | tail -n 150
	echo "---- end of guest dmesg ----"
fi
echo "GUEST-EXIT $rc"
sync
poweroff -f
EOF
chmod +x "$root/init"

out_abs=$(realpath -m "$out")
mkdir -p "$(dirname "$out_abs")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$out_abs.tmp"
if [ "$gz" = 1 ]; then gzip -1 -c "$out_abs.tmp" >"$out_abs"; rm -f "$out_abs.tmp"; else mv "$out_abs.tmp" "$out_abs"; fi
