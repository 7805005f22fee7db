# Shared helpers for the shell tests (sourced). Each check prints "PASS name" or
# "FAIL name: why"; the script exits 1 at the end if any check failed.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${MBN_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
BUILD=$ROOT/${MBN_BUILD:-build}
SANBUILD=$ROOT/${MBN_SAN_BUILD:-build-san}
MODELS=$SHARED/models
IMAGES=$SHARED/images
ORACLE=$BUILD/bin/tflite-run
TMP=$(mktemp -d /tmp/mbn-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
_fails=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; _fails=$((_fails + 1)); }
finish() { [ "$_fails" -eq 0 ]; exit $?; }

# Prerequisites are never skipped: a missing one is a failure of the whole script.
require() {
	for f in "$@"; do
		if [ ! -e "$f" ]; then
			echo "FAIL prerequisite: $f is missing (run make all, make SAN=1 all; shared data beside the checkout)"
			exit 1
		fi
	done
}

# bitexact NAME DEVICE INPUTS.raw MODEL...: run the inputs through mbn-classify --raw on
# DEVICE and through TFLite, compare every output byte.
bitexact() {
	local name=$1 dev=$2 inputs=$3
	shift 3
	local margs=() oargs=() m
	for m in "$@"; do margs+=(-m "$m"); done
	local insize one
	insize=$("$ORACLE" "${margs[@]}" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}')
	if [ -z "$insize" ]; then fail "$name" "TFLite cannot load the model"; return; fi
	rm -f "$TMP/ours.raw" "$TMP/theirs.raw"
	if ! "$ORACLE" "${margs[@]}" -i "$inputs" -o "$TMP/theirs.raw" 2>"$TMP/err"; then
		fail "$name" "TFLite failed: $(head -c 300 "$TMP/err")"; return
	fi
	local total n i files=()
	total=$(stat -c %s "$inputs")
	n=$((total / insize))
	split -a 4 -d -b "$insize" "$inputs" "$TMP/in."
	for ((i = 0; i < n; i++)); do files+=("$(printf '%s/in.%04d' "$TMP" "$i")"); done
	if ! "$BUILD/bin/mbn-classify" -d "$dev" "${margs[@]}" --raw --out-raw "$TMP/ours.raw" "${files[@]}" >/dev/null 2>"$TMP/err"; then
		fail "$name" "mbn-classify failed: $(head -c 300 "$TMP/err")"; rm -f "$TMP"/in.*; return
	fi
	rm -f "$TMP"/in.*
	if cmp -s "$TMP/ours.raw" "$TMP/theirs.raw"; then
		pass "$name ($n inputs, $(stat -c %s "$TMP/ours.raw") output bytes identical)"
	else
		fail "$name" "output differs from TFLite: $(cmp "$TMP/ours.raw" "$TMP/theirs.raw" | head -1); $(cmp -l "$TMP/ours.raw" "$TMP/theirs.raw" | wc -l) bytes differ"
	fi
}

# random_inputs FILE BYTES COUNT SEED: COUNT random tensors of BYTES each.
random_inputs() {
	python3 -c "import random,sys; r=random.Random($4); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range($2*$3)))" > "$1"
}
