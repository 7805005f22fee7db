#!/usr/bin/env bash
# The board's device tree (issue 14): the binding driver/dt-bindings/accel/mbnaccel.yaml
# and the ZCU104 overlay driver/overlay/mbnaccel-zcu104.dtso, checked with Debian's
# dt-schema (2022.08) and dtc:
#   - the binding passes dt-doc-validate (the meta-schemas);
#   - its example (dt-extract-example), built with the 6.12 headers' include/dt-bindings (arm-gic.h), passes
#     dt-validate against the binding;
#   - the overlay compiles (dtc -@), applies (fdtoverlay) to a minimal ZynqMP base that
#     has the labels it targets (fpga_full, amba, gic, zynqmp_clk; the real base is
#     arch/arm64/boot/dts/xilinx/zynqmp.dtsi, not in the headers), and the result passes
#     dt-validate: the accel node the board gets matches the binding;
#   - a broken node (no interrupts, a property the binding does not allow) fails.
#   bash tests/arm64/test-arm64-dt.sh
source "$(dirname "$0")/../lib.sh"
BIND=$ROOT/driver/dt-bindings
OVL=$ROOT/driver/overlay/mbnaccel-zcu104.dtso
for t in dtc fdtoverlay dt-doc-validate dt-mk-schema dt-validate cpp; do
	command -v "$t" >/dev/null || { echo "FAIL prerequisite: $t missing (tests/deps.sh installs dt-schema, device-tree-compiler)"; exit 1; }
done
inc=$(ls -d /usr/src/linux-headers-6.12.*-common/include 2>/dev/null | sort -V | tail -n1)
[ -f "$inc/dt-bindings/interrupt-controller/arm-gic.h" ] ||
	{ echo "FAIL prerequisite: no include/dt-bindings in the 6.12 headers (linux-headers-6.12-amd64)"; exit 1; }

out=$(dt-doc-validate -u "$BIND" "$BIND/accel/mbnaccel.yaml" 2>&1)
[ $? -eq 0 ] && [ -z "$out" ] && pass "binding: dt-doc-validate clean" || fail "binding: dt-doc-validate" "$out"
if dt-mk-schema -j "$BIND" >"$TMP/schema.json" 2>"$TMP/mk.err" && [ -s "$TMP/schema.json" ]; then
	pass "binding: dt-mk-schema processed it"
else
	fail "binding: dt-mk-schema" "$(tail -3 "$TMP/mk.err")"
fi

# validate NAME DTS: preprocess with the kernel's dt-bindings, compile, dt-validate
validate() {
	cpp -nostdinc -undef -x assembler-with-cpp -I "$inc" "$2" -o "$TMP/$1.pp" 2>"$TMP/$1.err" &&
		dtc -q -@ -I dts -O dtb -o "$TMP/$1.dtb" "$TMP/$1.pp" 2>>"$TMP/$1.err" &&
		dt-validate -s "$TMP/schema.json" "$TMP/$1.dtb" >>"$TMP/$1.err" 2>&1 && ! grep -q . "$TMP/$1.err"
}

# the binding's example, wrapped as the kernel's dt_binding_check does (dt-extract-example)
dt-extract-example "$BIND/accel/mbnaccel.yaml" >"$TMP/example.dts" 2>"$TMP/ex.err" ||
	fail "binding: dt-extract-example" "$(head -c 300 "$TMP/ex.err")"
validate example "$TMP/example.dts" && pass "binding: its example passes dt-validate" ||
	fail "binding: example" "$(head -c 400 "$TMP/example.err")"

# a minimal ZynqMP base with the overlay's targets
cat >"$TMP/base.dts" <<'EOF2'
/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	compatible = "xlnx,zynqmp-zcu104-revC", "xlnx,zynqmp";
	model = "ZynqMP ZCU104 RevC (test base)";
	fpga_full: fpga-full {
		compatible = "fpga-region";
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
	};
	zynqmp_clk: clock-controller {
		compatible = "xlnx,zynqmp-clk";
		#clock-cells = <1>;
	};
	amba: axi {
		compatible = "simple-bus";
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		gic: interrupt-controller@f9010000 {
			compatible = "arm,gic-400";
			#interrupt-cells = <3>;
			interrupt-controller;
			reg = <0x0 0xf9010000 0x0 0x10000>, <0x0 0xf9020000 0x0 0x20000>;
		};
	};
};
EOF2
if dtc -q -@ -I dts -O dtb -o "$TMP/base.dtb" "$TMP/base.dts" 2>"$TMP/base.err" &&
	dtc -q -@ -I dts -O dtb -o "$TMP/ovl.dtbo" "$OVL" 2>"$TMP/ovl.err" &&
	fdtoverlay -i "$TMP/base.dtb" -o "$TMP/board.dtb" "$TMP/ovl.dtbo" 2>>"$TMP/ovl.err"; then
	pass "overlay: compiles with dtc -@ and applies to the ZynqMP base (fdtoverlay)"
	dt-validate -s "$TMP/schema.json" "$TMP/board.dtb" >"$TMP/board.err" 2>&1
	rc=$?
	node=$(dtc -q -I dtb -O dts "$TMP/board.dtb" | grep -c 'compatible = "mbnaccel,mbnaccel-1.0"')
	[ $rc -eq 0 ] && ! grep -q . "$TMP/board.err" && [ "$node" = 1 ] &&
		pass "overlay: the applied tree's accel node passes dt-validate against the binding" ||
		fail "overlay: dt-validate" "rc $rc, accel nodes $node: $(head -c 400 "$TMP/board.err")"
	# (dt-validate exits 0 even when it reports errors: its output is the verdict)
	sed 's/interrupts = <0 89 4>;/bogus-prop = <1>;/' "$OVL" >"$TMP/bad.dtso"
	dtc -q -@ -I dts -O dtb -o "$TMP/bad.dtbo" "$TMP/bad.dtso" &&
		fdtoverlay -i "$TMP/base.dtb" -o "$TMP/badboard.dtb" "$TMP/bad.dtbo" &&
		dt-validate -s "$TMP/schema.json" "$TMP/badboard.dtb" >"$TMP/badboard.err" 2>&1
	grep -q bogus-prop "$TMP/bad.dtso" && grep -q "'interrupts' is a required property" "$TMP/badboard.err" &&
		pass "overlay: the same overlay without its interrupts fails dt-validate" ||
		fail "overlay: broken overlay" "not refused: $(head -c 300 "$TMP/badboard.err")"
else
	fail "overlay: build/apply" "$(cat "$TMP/base.err" "$TMP/ovl.err" | head -c 400)"
fi

# the check can fail: no interrupts, and a property the binding does not know
sed -e 's/interrupts = <GIC_SPI 89 IRQ_TYPE_LEVEL_HIGH>;/bogus-prop = <1>;/' "$TMP/example.dts" >"$TMP/bad.dts"
if grep -q bogus-prop "$TMP/bad.dts" && ! validate bad "$TMP/bad.dts" && grep -q "interrupts" "$TMP/bad.err" &&
	grep -q "bogus-prop" "$TMP/bad.err"; then
	pass "binding: a node without interrupts and with an unknown property fails dt-validate"
else
	fail "binding: bad node" "not refused: $(head -c 300 "$TMP/bad.err")"
fi
finish
