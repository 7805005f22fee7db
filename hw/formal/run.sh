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
dma_rd) k=20 ;;
dma_wr) k=4 ;;
*) echo "unknown proof $name"; exit 2 ;;
esac
work=$(mktemp -d /tmp/mbn-formal.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$here/fv_$name.sv" "$work/"
sed "s|\.\./rtl/|$rtl/|g" "$here/fv_$name.ys" >"$work/fv_$name.ys"
cd "$work"
yosys -q -l yosys.log "fv_$name.ys" >/dev/null
mode=${3:-}
if [ -n "$mode" ]; then
	yosys-smtbmc -s z3 -t "${mode#bmc:}" "fv_$name.smt2" >smtbmc.log 2>&1 || true
else
	yosys-smtbmc -s z3 -i -t "$k" "fv_$name.smt2" >smtbmc.log 2>&1 || true
fi
tr '\r' '\n' <smtbmc.log | grep '^##' | grep -E 'failed|Status|successful|Assert' | sed 's/^##  *[0-9:]*  //'
grep -q 'Status: PASSED' smtbmc.log
