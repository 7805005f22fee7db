#!/usr/bin/env bash
# qemu-run.sh: boot a QEMU (TCG) guest with the accelerator co-simulated by build/bin/mbn-cosim
# and run a guest script in it (docs/cosim.md). Exits with the guest script's status.
#
#   tests/driver/qemu-run.sh [options] GUEST-SCRIPT [ARG...]
#     -a ARCH        x86_64 (default: q35 PC) or arm64 (virt, Cortex-A53: the ZynqMP's
#                    core; kernels, modules and busybox from build/arm64-guest, made by
#                    tools/arm64/fetch-guest.sh; -b binaries are arm64 builds, make arm64)
#     -k KERNEL      6.1 (default), 6.12, a version in /lib/modules, or a vmlinuz path
#     -M FILE.ko     the driver module: insmod'ed after its drm dependencies (-P PARAMS;
#                    -N: copy only, the script loads $MBN_MODULE)
#     -D NAME        kernel module to load with its deps (default drm drm_shmem_helper)
#     -b FILE        host binary for the guest's PATH, with its shared libraries (repeatable)
#     -f SRC[:DEST]  data file or directory, default /data/basename (repeatable)
#     -e VAR=VALUE   exported in the guest (repeatable; MBN_DMESG=1 prints dmesg at the end)
#     -B ARG         an argument for mbn-cosim (repeatable: -B --hang-job -B 2)
#     -m MIB         guest RAM (default 512; at most 2048 on x86_64, 1024 on arm64: the
#                    driver's 31-bit DMA mask must cover all of RAM, which starts at
#                    0 on a PC and at 1 GiB on virt)
#     -t SECONDS     wall-clock limit for the whole run (default 120)
#     -l FILE        keep the console log here (CR and terminal escapes stripped)
#     -L FILE        keep the bridge's log here (--log)
#     -q             do not copy the console to stdout
#     -K             keep the temporary directory (printed)
#
# The guest script runs under busybox sh in /data, PATH has the -b binaries. The guest
# prints "GUEST-EXIT <rc>" last; exit status: the script's rc, 124 on timeout, 125 if the
# guest or the bridge died without that line, 2 on bad usage / missing prerequisites.
# Environment: MBN_COSIM (bridge binary), MBN_SIM_LIB (simulator), QEMU (qemu binary).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
arch=x86_64
kernel=6.1
mod=
modp=
modn=0
ram=512
tmo=120
log=
blog=
quiet=0
keep=0
ini_args=()
bargs=()
while getopts "a:k:M:P:ND:b:f:e:B:m:t:l:L:qKh" o; do
	case $o in
	a) arch=$OPTARG ;;
	k) kernel=$OPTARG ;;
	M) mod=$OPTARG ;;
	P) modp=$OPTARG ;;
	N) modn=1 ;;
	D) ini_args+=(-D "$OPTARG") ;;
	b) ini_args+=(-b "$OPTARG") ;;
	f) ini_args+=(-f "$OPTARG") ;;
	e) ini_args+=(-e "$OPTARG") ;;
	B) bargs+=("$OPTARG") ;;
	m) ram=$OPTARG ;;
	t) tmo=$OPTARG ;;
	l) log=$OPTARG ;;
	L) blog=$OPTARG ;;
	q) quiet=1 ;;
	K) keep=1 ;;
	h) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "qemu-run: bad option (see -h)" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: qemu-run.sh [options] GUEST-SCRIPT [ARG...] (-h for help)" >&2; exit 2; }
gscript=$1
shift
err() { echo "qemu-run: $*" >&2; exit 2; }
[ -f "$gscript" ] || err "guest script $gscript not found"
# what differs between the machines: where kernels and modules come from, QEMU, the
# console, where RAM starts (the bridge's address translation follows it)
case $arch in
x86_64)
	sysroot=
	maxram=2048
	QEMU=${QEMU:-qemu-system-x86_64}
	qpkg=qemu-system-x86
	machine=(-machine q35,memory-backend=ram)
	console=ttyS0
	ram_base=0
	;;
arm64)
	sysroot=${MBN_ARM64_GUEST:-$root/build/arm64-guest}
	[ -x "$sysroot/bin/busybox" ] || err "$sysroot/bin/busybox missing (sh tools/arm64/fetch-guest.sh $sysroot)"
	export MBN_BUSYBOX=$sysroot/bin/busybox
	arm_libs=$root/build/arm64/lib:$root/build/oracle/lib-arm64:$root/build/arm64-sysroot/usr/lib/aarch64-linux-gnu
	arm_libs=$arm_libs:$root/build/arm64-sysroot/lib/aarch64-linux-gnu:/usr/aarch64-linux-gnu/lib
	ini_args+=(-R "$sysroot" -S "$arm_libs")
	maxram=1024
	QEMU=${QEMU:-qemu-system-aarch64}
	qpkg=qemu-system-arm
	machine=(-machine virt,memory-backend=ram -cpu cortex-a53)
	console=ttyAMA0
	ram_base=0x40000000   # the virt machine's RAM (hw/arm/virt.c: VIRT_MEM at 1 GiB)
	;;
*) err "-a $arch: x86_64 or arm64" ;;
esac
[ "$ram" -ge 64 ] && [ "$ram" -le "$maxram" ] || err "-m $ram: 64..$maxram MiB on $arch"

# kernel image and its version
case $kernel in
/*|./*) vmlinuz=$kernel ;;
*) vmlinuz=$(ls -1 "$sysroot"/boot/vmlinuz-"$kernel"[.-]* "$sysroot"/boot/vmlinuz-"$kernel" 2>/dev/null | sort -V | tail -1) ;;
esac
[ -n "$vmlinuz" ] && [ -f "$vmlinuz" ] || err "no kernel for '$kernel' in $sysroot/boot (apt-get install linux-image-amd64 linux-image-6.12-amd64; arm64: tools/arm64/fetch-guest.sh)"
[ -r "$vmlinuz" ] || err "$vmlinuz is not readable (run as root)"
kver=${vmlinuz##*/vmlinuz-}
[ -d "$sysroot/lib/modules/$kver" ] || err "$sysroot/lib/modules/$kver missing for $vmlinuz"
command -v "$QEMU" >/dev/null || err "$QEMU not found (apt-get install $qpkg)"
cosim=${MBN_COSIM:-$root/build/bin/mbn-cosim}
[ -x "$cosim" ] || err "$cosim missing (make cosim)"

# Guest RAM lives in a file: /dev/shm if it has room for it (a container's /dev/shm is
# often 64 MiB, and a full tmpfs would SIGBUS the guest), else /tmp.
shm=${MBN_QEMU_TMP:-/dev/shm}
if [ -z "${MBN_QEMU_TMP:-}" ] && [ "$(df -Pm /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')" -lt $((ram + 256)) ] 2>/dev/null; then
	shm=/tmp
fi
tmp=$(mktemp -d "$shm/mbn-qemu.XXXXXX" 2>/dev/null || mktemp -d /tmp/mbn-qemu.XXXXXX)
bpid=
cleanup() {
	if [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null; then
		kill -TERM "$bpid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$bpid" 2>/dev/null
	fi
	if [ "$keep" = 1 ]; then echo "qemu-run: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s.%N)
elapsed() { awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# initramfs
margs=()
[ -n "$mod" ] && margs+=(-M "$mod")
[ -n "$modp" ] && margs+=(-P "$modp")
[ "$modn" = 1 ] && margs+=(-N)
for a in "$@"; do margs+=(-A "$a"); done
if ! bash "$here/mkinitramfs.sh" -k "$kver" -o "$tmp/initramfs.cpio" -s "$gscript" \
	"${ini_args[@]}" "${margs[@]}" >"$tmp/mkinitramfs.log" 2>&1; then
	cat "$tmp/mkinitramfs.log" >&2
	err "mkinitramfs failed"
fi
[ -s "$tmp/mkinitramfs.log" ] && cat "$tmp/mkinitramfs.log" >&2

# the bridge: listening before QEMU starts; it creates and sizes the guest RAM file
: "${blog:=$tmp/cosim.log}"
"$cosim" --socket "$tmp/ivshmem.sock" --mem "$tmp/guest-ram" --mem-size "${ram}M" \
	--mem-base "$ram_base" --vectors 2 --ready "$tmp/ready" --log "$blog" "${bargs[@]}" 2>"$tmp/cosim.err" &
bpid=$!
for _ in $(seq 200); do
	[ -e "$tmp/ready" ] && break
	kill -0 "$bpid" 2>/dev/null || break
	sleep 0.05
done
if [ ! -e "$tmp/ready" ]; then
	cat "$tmp/cosim.err" >&2
	err "mbn-cosim did not start"
fi

: "${log:=$tmp/console.log}"
: >"$log"
timeout -k 5 "$tmo" "$QEMU" \
	"${machine[@]}" -m "${ram}M" \
	-object memory-backend-file,id=ram,size="${ram}M",mem-path="$tmp/guest-ram",share=on \
	-smp 1 -nographic -no-reboot -net none \
	-kernel "$vmlinuz" -initrd "$tmp/initramfs.cpio" \
	-append "console=$console quiet panic=-1" \
	-chardev socket,id=ivsh,path="$tmp/ivshmem.sock" \
	-device ivshmem-doorbell,chardev=ivsh,vectors=2 \
	</dev/null 2>"$tmp/qemu.err" | sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | if [ "$quiet" = 1 ]; then cat >>"$log"; else tee -a "$log"; fi
qrc=${PIPESTATUS[0]}
# the console usually ends without a newline ("reboot: Power down")
if [ -s "$log" ] && [ -n "$(tail -c1 "$log")" ]; then
	echo >>"$log"
	[ "$quiet" = 1 ] || echo
fi

rc=$(sed -n 's/^GUEST-EXIT \([0-9][0-9]*\)$/\1/p' "$log" | tail -1)
if [ -z "$rc" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "qemu-run: timed out after ${tmo} s (kernel $kver)" >&2
		rc=124
	else
		echo "qemu-run: the guest ended without GUEST-EXIT (qemu status $qrc)" >&2
		rc=125
	fi
	[ -s "$tmp/qemu.err" ] && sed 's/^/qemu: /' "$tmp/qemu.err" >&2
	[ "$quiet" = 1 ] && tail -n 30 "$log" | sed 's/^/console: /' >&2
fi
# stop the bridge (it exits by itself when QEMU disconnects)
for _ in $(seq 30); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
kill -TERM "$bpid" 2>/dev/null
wait "$bpid"
brc=$?
bpid=
if [ "$brc" != 0 ]; then
	echo "qemu-run: mbn-cosim exited with status $brc:" >&2
	sed 's/^/mbn-cosim: /' "$tmp/cosim.err" >&2
	[ "$rc" = 0 ] && rc=125
fi
echo "qemu-run: kernel $kver, guest exit $rc, $(elapsed) s" >&2
exit "$rc"
