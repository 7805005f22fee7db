#!/usr/bin/env bash
# The formal proofs of hw/formal (k-induction, yosys-smtbmc + z3; hw/formal/README.md):
# each proof must pass on hw/rtl, and must FAIL on each of three mutants of a copy of
# the RTL (so the properties are not vacuous). Installs nothing: a missing tool fails.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
for t in yosys yosys-smtbmc z3; do
	command -v "$t" >/dev/null || { fail "formal prerequisite" "$t not installed (make deps installs it)"; finish; }
done
prove() { # NAME RTL_DIR [bmc:N] -> 0 if proved
	sh hw/formal/run.sh "$@" >"$TMP/$1.out" 2>&1
}
for p in dma_rd dma_wr; do
	start=$SECONDS
	if prove "$p" hw/rtl; then
		pass "formal $p: k-induction proof ($((SECONDS - start)) s)"
	else
		fail "formal $p" "not proved: $(tr '\n' ' ' <"$TMP/$p.out" | cut -c1-300)"
	fi
done
# mutant NAME PROOF DEPTH FILE SED-EXPR: the proof must fail on the RTL with the bug,
# with a real counterexample from reset (a bounded check of DEPTH steps finds it)
mutant() {
	local name=$1 proof=$2 depth=$3 file=$4 expr=$5 dir=$TMP/mut
	rm -rf "$dir"; mkdir -p "$dir"; cp hw/rtl/*.v "$dir/"
	sed -i "$expr" "$dir/$file"
	if cmp -s "$dir/$file" "hw/rtl/$file"; then
		fail "mutant $name" "the sed expression did not change $file"; return
	fi
	if prove "$proof" "$dir" "bmc:$depth"; then
		fail "mutant $name" "proof $proof still passes with the bug ($depth steps)"
	elif grep -q 'Status: FAILED' "$TMP/$proof.out" && grep -q '^Assert failed' "$TMP/$proof.out"; then
		local loc line
		loc=$(grep -m1 '^Assert failed' "$TMP/$proof.out" | sed -n 's/.*fv_[a-z_]*\.sv:[0-9.]*-\([0-9]*\)\..*/\1/p')
		line=$(sed -n "${loc:-0}p" "hw/formal/fv_$proof.sv" | sed 's/^ *//; s/ *\/\/.*//')
		pass "mutant $name: $proof fails with a counterexample from reset (fv_$proof.sv:$loc $line)"
	else
		fail "mutant $name" "no counterexample: $(tr '\n' ' ' <"$TMP/$proof.out" | cut -c1-200)"
	fi
	if prove "$proof" "$dir"; then
		fail "mutant $name" "k-induction still proves $proof with the bug"
	fi
}
mutant "off-by-one extent (arlen = len, one beat too many)" dma_rd 6 mbn_dma_rd.v \
	's/arlen_reg   <= len\[7:0\] - 8.d1;/arlen_reg   <= len[7:0];/'
mutant "missing overflow check (outstanding-read limit removed)" dma_rd 24 mbn_dma_rd.v \
	's/outst_reg < MAX_RD_OUTSTANDING;/1'"'"'b1;/'
mutant "burst crosses 4 KiB (no clamp to the 4 KiB line)" dma_wr 6 mbn_dma_wr.v \
	's/wire \[11:0\] len    = (len_a > {3.d0, bwords}) ? {3.d0, bwords} : len_a;/wire [11:0] len    = len_a;/'
finish
