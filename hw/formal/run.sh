#!/bin/sh
# hw/formal/run.sh NAME [RTL_DIR [bmc:N]]: k-induction proof NAME (fv_NAME.sv / fv_NAME.ys)
# with yosys + yosys-smtbmc + z3 on the RTL in RTL_DIR (default hw/rtl). Prints the
# smtbmc status; exit 0 = proved (base case and induction), 1 = failed or not proved.
# With bmc:N only a bounded check of N steps from reset (the mutation check uses it: a
# failure there is a real counterexample trace, not a weak invariant).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=$1
rtl=$(cd "${2:-$here/../rtl}" && pwd)
case $name in
dma_rd) k=4 ;;
dma_wr) k=4 ;;
*) echo "unknown proof $name"; exit 2 ;;
esac
work=$(mktemp -d /tmp/mbn-formal.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$here/fv_$name.sv" "$work/"
sed "s|\.\./rtl/|$rtl/|g" "$here/fv_$name.ys" >"$work/fv_$name.ys"
cd "$work"
yosys -q -l yosys.log "fv_$name.ys" >/dev/null
# smtbmc -i checks only the inductive step: the base case (K steps from reset) is a
# separate bounded run
mode=${3:-}
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
