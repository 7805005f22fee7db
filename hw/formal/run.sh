#!/bin/sh
# hw/formal/run.sh NAME [RTL_DIR [bmc:N]]: k-induction proof NAME (fv_NAME.sv / fv_NAME.ys)
# on the RTL in RTL_DIR (default hw/rtl). Engine: yosys-smtbmc + z3 for the DMA proofs;
# yosys's own SAT prover (`sat -tempinduct`, MiniSat) for ctrl, which z3 4.8 does not
# finish (README.md). Prints the status; exit 0 = proved (base case and induction),
# 1 = failed or not proved. With bmc:N only a bounded check of N steps from reset (the
# mutation check uses it: a failure there is a real counterexample trace, not a weak
# invariant). A failed assertion is reported as "Assert failed in fv_NAME: fv_NAME.sv:LINE".
# dma_rd256 is fv_dma_rd.sv (so its failures name that file) on mbn_dma_rd with
# RD_BYTES = 32, set by fv_dma_rd256.ys; likewise dma_wr256 is fv_dma_wr.sv on mbn_dma_wr
# with WR_BYTES = 32 (fv_dma_wr256.ys).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=$1
rtl=$(cd "${2:-$here/../rtl}" && pwd)
case $name in
dma_rd) k=4 engine=smtbmc ;;
dma_rd256) k=4 engine=smtbmc sv=fv_dma_rd.sv ;;
dma_wr) k=4 engine=smtbmc ;;
dma_wr256) k=4 engine=smtbmc sv=fv_dma_wr.sv ;;
ctrl) k=1 engine=sat ;;
*) echo "unknown proof $name"; exit 2 ;;
esac
work=$(mktemp -d /tmp/mbn-formal.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$here/${sv:-fv_$name.sv}" "$work/"
# the generated register/descriptor include (make regs) sits in build/gen
gen=$(cd "$here/../.." && pwd)/build/gen
[ -f "$gen/mbn_regs.vh" ] || { echo "$gen/mbn_regs.vh missing (make regs)"; exit 2; }
sed "s|\.\./rtl/|$rtl/|g; s|-I GEN|-I $gen|g" "$here/fv_$name.ys" >"$work/fv_$name.ys"
cd "$work"
mode=${3:-}
if [ "$engine" = sat ]; then
	# the harness sets ok[i] = 0 for a failing `CK(i, ...): name each one (lowest first)
	failed() {
		bits=$(grep -E '^ +[0-9]+ +\\ok ' "$1" | awk '{print $NF}' | grep -m1 0 || true)
		n=${#bits} i=0
		while [ "$i" -lt "$n" ]; do
			if [ "$(echo "$bits" | cut -c$((n - i)))" = 0 ]; then
				line=$(grep -n "\`CK($i," "fv_$name.sv" | head -n1 | cut -d: -f1)
				echo "Assert failed in fv_$name: fv_$name.sv:$line.1-$line.1 (ok[$i])"
			fi
			i=$((i + 1))
		done
	}
	if [ -n "$mode" ]; then
		# the properties only (FV_BMC: fv_ctrl.sv), so a failure is a real violation
		sed -i "s|-formal -sv -I \([^ ]*\) fv_$name.sv|-formal -sv -DFV_BMC -I \1 fv_$name.sv|" "fv_$name.ys"
		grep -q FV_BMC "fv_$name.ys" || { echo "run.sh: cannot set FV_BMC in fv_$name.ys"; exit 2; }
		yosys -q -l bmc.log -p "script fv_$name.ys; sat -seq ${mode#bmc:} -prove-asserts -set-assumes -show ok" \
			>/dev/null 2>&1 || true
		grep -m1 ERROR bmc.log || true
		failed bmc.log
		if grep -q 'no model found: SUCCESS' bmc.log; then echo "Status: PASSED"; exit 0; fi
		echo "Status: FAILED"; exit 1
	fi
	# -tempinduct -seq 1: the base case, then the induction step, for lengths 1..K;
	# assertions are checked from step 1 (the harness's own reset step is vacuous)
	yosys -q -l ind.log -p "script fv_$name.ys; sat -tempinduct -prove-asserts -set-assumes -seq 1 -maxsteps $k -show ok" \
		>/dev/null 2>&1 || true
	grep -E '^Base case for induction length|Induction step proven|proof failed|model found for base case' ind.log | sed 's/^/  /'
	grep -m1 ERROR ind.log || true
	failed ind.log
	grep -q 'Induction step proven: SUCCESS' ind.log
	exit
fi
yosys -q -l yosys.log "fv_$name.ys" >/dev/null
# smtbmc -i checks only the inductive step: the base case (K steps from reset) is a
# separate bounded run
if [ -n "$mode" ]; then
	yosys-smtbmc -s z3 -t "${mode#bmc:}" "fv_$name.smt2" >smtbmc.log 2>&1 || true
	tr '\r' '\n' <smtbmc.log | grep -o '##.*' | grep -E 'failed|Status|Assert' | sed 's/^##  *[0-9:]*  //'
	grep -q 'Status: PASSED' smtbmc.log
	exit
fi
ok=0
yosys-smtbmc -s z3 -t "$k" "fv_$name.smt2" >base.log 2>&1 || true
echo "base case ($k steps from reset):"
tr '\r' '\n' <base.log | grep -o '##.*' | grep -E 'failed|Status|Assert' | sed 's/^##  *[0-9:]*  /  /'
grep -q 'Status: PASSED' base.log || ok=1
yosys-smtbmc -s z3 -i -t "$k" "fv_$name.smt2" >smtbmc.log 2>&1 || true
echo "induction (k = $k):"
tr '\r' '\n' <smtbmc.log | grep -o '##.*' | grep -E 'failed|Status|successful|Assert' | sed 's/^##  *[0-9:]*  /  /'
grep -q 'Status: PASSED' smtbmc.log || ok=1
exit $ok
