#!/usr/bin/env bash
# The formal proofs of hw/formal (k-induction: yosys-smtbmc + z3 for the DMA engines,
# yosys's SAT prover for mbn_ctrl; hw/formal/README.md):
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
[ -f build/gen/mbn_regs.vh ] || { fail "formal prerequisite" "build/gen/mbn_regs.vh missing (make regs)"; finish; }
for p in dma_rd dma_rd256 dma_wr dma_wr256 ctrl; do
	start=$SECONDS
	if prove "$p" hw/rtl; then
		pass "formal $p: k-induction proof ($((SECONDS - start)) s)"
	else
		fail "formal $p" "not proved: $(tr '\n' ' ' <"$TMP/$p.out" | cut -c1-300)"
	fi
done
# mutate FILE SED-EXPR: a copy of hw/rtl in $TMP/mut with the bug in FILE; 1 if the
# expression changed nothing (the test would prove nothing)
mutate() {
	rm -rf "$TMP/mut"; mkdir -p "$TMP/mut"; cp hw/rtl/*.v "$TMP/mut/"
	sed -i "$2" "$TMP/mut/$1"
	! cmp -s "$TMP/mut/$1" "hw/rtl/$1"
}
# failed_at PROOF: "fv_X.sv:LINE <the assertion>" of the first failed assertion (the
# harness file the message names: dma_rd256 is fv_dma_rd.sv, dma_wr256 fv_dma_wr.sv)
failed_at() {
	local msg sv loc
	msg=$(grep -m1 '^Assert failed' "$TMP/$1.out")
	sv=$(sed -n 's/.* \(fv_[a-z0-9_]*\.sv\):.*/\1/p' <<<"$msg")
	loc=$(sed -n 's/.*fv_[a-z0-9_]*\.sv:[0-9.]*-\([0-9]*\)\..*/\1/p' <<<"$msg")
	echo "${sv:-fv_$1.sv}:$loc $(sed -n "${loc:-0}p" "hw/formal/${sv:-fv_$1.sv}" | sed 's/^ *//; s/ *\/\/.*//')"
}
# mutant NAME PROOF DEPTH FILE SED-EXPR: the proof must fail on the RTL with the bug,
# with a real counterexample from reset (a bounded check of DEPTH steps finds it)
mutant() {
	local name=$1 proof=$2 depth=$3
	mutate "$4" "$5" || { fail "mutant $name" "the sed expression did not change $4"; return; }
	if prove "$proof" "$TMP/mut" "bmc:$depth"; then
		fail "mutant $name" "proof $proof still passes with the bug ($depth steps)"
	elif grep -q 'Status: FAILED' "$TMP/$proof.out" && grep -q '^Assert failed' "$TMP/$proof.out"; then
		pass "mutant $name: $proof fails with a counterexample from reset ($(failed_at "$proof"))"
	else
		fail "mutant $name" "no counterexample: $(tr '\n' ' ' <"$TMP/$proof.out" | cut -c1-200)"
	fi
	# (mbn_ctrl's induction takes minutes: a counterexample from reset already makes
	# that proof fail, so it is not rerun there)
	if [ "$proof" != ctrl ] && prove "$proof" "$TMP/mut"; then
		fail "mutant $name" "k-induction still proves $proof with the bug"
	fi
}
# mutant_ind NAME PROOF FILE SED-EXPR: a bug whose counterexample from reset is too deep
# for a bounded check in CI: k-induction must no longer prove the property
mutant_ind() {
	local name=$1 proof=$2
	mutate "$3" "$4" || { fail "mutant $name" "the sed expression did not change $3"; return; }
	if prove "$proof" "$TMP/mut"; then
		fail "mutant $name" "k-induction still proves $proof with the bug"
	elif grep -q '^Assert failed' "$TMP/$proof.out"; then
		pass "mutant $name: $proof no longer proved ($(failed_at "$proof"))"
	else
		fail "mutant $name" "not a failed assertion: $(tr '\n' ' ' <"$TMP/$proof.out" | cut -c1-200)"
	fi
}
mutant "off-by-one extent (arlen = len, one beat too many)" dma_rd 6 mbn_dma_rd.v \
	's/arlen_reg   <= {3.d0, nb_len_reg} - 8.d1;/arlen_reg   <= {3'"'"'d0, nb_len_reg};/'
mutant "missing overflow check (outstanding-read limit removed)" dma_rd 24 mbn_dma_rd.v \
	's/outst_reg < MAX_RD_OUTSTANDING;/1'"'"'b1;/'
# RD_BYTES = 32 only (the 16-byte proof still passes): an odd 16-byte start goes as a full
# 32-byte beat, unaligned to its size and one word before the window
mutant "misaligned burst (256-bit port: odd start not a narrow beat)" dma_rd256 6 mbn_dma_rd.v \
	's/wire        narrow = W2 \&\& (nx_addr\[4\] || nx_rem == 24.d1);/wire        narrow = W2 \&\& (nx_rem == 24'"'"'d1);/'
mutant "burst crosses 4 KiB (no clamp to the 4 KiB line)" dma_wr 6 mbn_dma_wr.v \
	's/wire \[4:0\]  len    = narrow ? 5.d1 : ({4.d0, len_a} > bbeats) ? bbeats\[4:0\] : len_a;/wire [4:0]  len    = narrow ? 5'"'"'d1 : len_a;/'
# WR_BYTES = 32 only (the 16-byte proof still passes): a segment's odd 16-byte start goes
# as a full 32-byte beat, unaligned to its size and one word before the extent
mutant "misaligned burst (256-bit write port: odd segment start not a narrow beat)" dma_wr256 6 mbn_dma_wr.v \
	's/wire        narrow = W2 \&\& (nx_lo\[4\] || nx_rem/wire        narrow = W2 \&\& (nx_rem/'
# mbn_ctrl and mbn_desc_check: the checks that keep each DMA window inside its region
mutant "off-by-one extent (descriptor fetch checked as 48 bytes, 64 read)" ctrl 9 mbn_ctrl.v \
	"s/dend_reg   <= {1'b0, doff_reg} + 41'd64;/dend_reg   <= {1'b0, doff_reg} + 41'd48;/"
mutant "missing overflow check (fetch bound compared in 32 bits, the carry lost)" ctrl 9 mbn_ctrl.v \
	"s/end else if ({24'd0, dend_reg} > {1'b0, dsz_reg}) begin/end else if (dend_reg[31:0] > dsz_reg[31:0]) begin/"
mutant_ind "missing check (the output extent's verdict ignored)" ctrl mbn_desc_check.v \
	"s/end else if (!fuse && ck_o_reg != 3'd0) begin/end else if (!fuse \&\& ck_o_reg == 3'd7) begin/"
finish
