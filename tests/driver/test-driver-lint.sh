#!/usr/bin/env bash
# The kernel driver as an upstream reviewer's tools see it (issue 13): checkpatch.pl
# --strict, sparse (make C=2) against the 6.1 and 6.12 headers, and coccinelle's
# report-mode semantic patches, from Debian's linux-source-6.1 (its scripts/, unpacked
# once into /var/cache/mbnaccel/ksrc). Every one must report nothing, with one stated
# exception: checkpatch's CHECK:BIT_MACRO in the uapi header (BIT() does not exist for
# user space; upstream uapi headers use shifts too).
#   bash tests/driver/test-driver-lint.sh      (bash tests/run.sh driver/test-driver-lint)
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
TARBALL=/usr/src/linux-source-6.1.tar.xz
CACHE=${MBN_KSRC_CACHE:-/var/cache/mbnaccel/ksrc}
require "$TARBALL" /usr/bin/sparse /usr/bin/spatch "$BUILD/gen/mbn_regs.h"
S=$CACHE/linux-source-6.1/scripts
stamp=$CACHE/.stamp-$(stat -c %Y "$TARBALL")
if [ ! -e "$stamp" ]; then
	mkdir -p "$CACHE" && rm -rf "$CACHE/linux-source-6.1" &&
		tar -xJf "$TARBALL" -C "$CACHE" --wildcards 'linux-source-6.1/scripts/checkpatch.pl' \
			'linux-source-6.1/scripts/spelling.txt' 'linux-source-6.1/scripts/const_structs.checkpatch' \
			'linux-source-6.1/scripts/coccinelle/*' && touch "$stamp" ||
		{ fail "unpack" "scripts from $TARBALL"; finish; }
fi
FILES=(driver/*.c driver/*.h driver/uapi/drm/mbnaccel_drm.h)

# checkpatch: the whole files (-f), strict, with the types shown
out=$(perl "$S/checkpatch.pl" --no-tree --strict --terse --show-types -f "${FILES[@]}" 2>&1 |
	grep -E ': (ERROR|WARNING|CHECK):' | grep -v '^driver/uapi/drm/mbnaccel_drm.h:[0-9]*: CHECK:BIT_MACRO:')
[ -z "$out" ] && pass "checkpatch --strict: 0 errors, 0 warnings, 0 checks on ${#FILES[@]} files (uapi BIT_MACRO excepted)" ||
	fail "checkpatch --strict" "$(head -5 <<<"$out" | tr '\n' ' ') ($(wc -l <<<"$out") findings)"

# sparse: the module built with C=2 (every file checked) against each kernel's headers
for k in 6.1 6.12; do
	kdir=$(ls -d /usr/src/linux-headers-$k.*-amd64 2>/dev/null | sort -V | tail -n1)
	[ -n "$kdir" ] || { fail "sparse $k" "no /usr/src/linux-headers-$k.*-amd64"; continue; }
	d=$TMP/sparse-$k
	mkdir -p "$d/uapi/drm" && cp driver/*.c driver/*.h driver/Kbuild hw/model/desc_check.h "$BUILD/gen/mbn_regs.h" "$d/" &&
		cp driver/uapi/drm/mbnaccel_drm.h "$d/uapi/drm/"
	make -s -C "$kdir" M="$d" C=2 CHECK=sparse modules >"$d.log" 2>&1
	rc=$?
	w=$(grep -E 'warning:|error:' "$d.log")
	[ $rc -eq 0 ] && [ -z "$w" ] && pass "sparse ($k headers, C=2): 0 warnings" ||
		fail "sparse $k" "rc $rc: $(head -3 <<<"${w:-$(tail -3 "$d.log")}" | tr '\n' ' ')"
done

# coccinelle: every semantic patch of scripts/coccinelle with a report mode
n=0 found=
for f in $(find "$S/coccinelle" -name '*.cocci' | sort); do
	grep -q 'virtual report' "$f" || continue
	n=$((n + 1))
	r=$(timeout 300 spatch -D report --very-quiet --no-show-diff --no-includes --include-headers \
		--sp-file "$f" --dir driver -I driver 2>/dev/null | grep -v '^$')
	[ -n "$r" ] && found+="${f#$S/coccinelle/}: $r; "
done
[ $n -gt 50 ] && [ -z "$found" ] && pass "coccinelle: $n report-mode semantic patches, 0 findings" ||
	fail "coccinelle" "${found:-only $n semantic patches found}"
finish
