#!/usr/bin/env bash
# The TensorFlow Lite delegate on the drm device: in QEMU guests (Debian 6.1 and 6.12)
# with the RTL co-simulated behind the driver (tests/driver/qemu-run.sh), TFLite 2.9 +
# libmbnaccel-tflite.so (linked, and through TFLite's external-delegate loader) gives
# the bytes host TFLite gives without it, on the four real models (1.0-224 as its two
# files), the Keras export and a model with two partitions; ten interpreters in turn leave no partition behind; dmesg stays
# free of warnings.
source "$(dirname "$0")/../lib.sh"
RUN=$ROOT/tests/driver/qemu-run.sh
DRUN=$BUILD/bin/mbn-tflite-run
EXT=$ROOT/build/oracle/lib/libexternal_delegate_obj.so
require "$BUILD/bin/mbn-cosim" "$DRUN" "$EXT" "$BUILD/bin/mbn-gen" "$ROOT/build/lib/libmbnsim.so" \
	"$BUILD/module-6.1/mbnaccel.ko" "$BUILD/module-6.12/mbnaccel.ko" "$MODELS/mobilenet_v1_0.25_128_quant.tflite" \
	"$MODELS/mobilenet_v1_0.5_160_quant.tflite" "$MODELS/mobilenet_v1_0.75_192_quant.tflite" \
	"$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite" "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite" \
	"$MODELS/vww_96_int8_keras.tflite"
export MBN_COSIM=$BUILD/bin/mbn-cosim

mkdir -p "$TMP/d"
cp "$MODELS/mobilenet_v1_0.25_128_quant.tflite" "$TMP/d/m025.tflite"
cp "$MODELS/mobilenet_v1_0.5_160_quant.tflite" "$TMP/d/m050.tflite"
cp "$MODELS/mobilenet_v1_0.75_192_quant.tflite" "$TMP/d/m075.tflite"
cp "$MODELS/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite" "$TMP/d/m100e.tflite"
cp "$MODELS/mobilenet_v1_1.0_224_quant_head_layers.tflite" "$TMP/d/m100h.tflite"
cp "$MODELS/vww_96_int8_keras.tflite" "$TMP/d/vww.tflite"
"$BUILD/bin/mbn-gen" --alpha 0.25 --size 64 --maxpool-after 6 --seed 5 -o "$TMP/d/mp.tflite" ||
	{ echo "FAIL mbn-gen"; exit 1; }
models="m025 m050 m075 m100e m100h vww mp"
for m in $models; do
	sz=$("$ORACLE" -m "$TMP/d/$m.tflite" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}')
	n=2
	case $m in m075 | m100e) n=1 ;; esac # 1-4 s per inference behind the bridge
	random_inputs "$TMP/d/$m.in" "$sz" $n 11
	"$ORACLE" -m "$TMP/d/$m.tflite" -i "$TMP/d/$m.in" -o "$TMP/d/$m.ref" || { echo "FAIL host TFLite on $m"; exit 1; }
done

cat >"$TMP/guest.sh" <<EOF
dev=drm
for m in $models; do
	for mode in linked external; do
		if mbn-tflite-run -m /data/d/\$m.tflite -i /data/d/\$m.in -o /tmp/\$m.out --delegate \$mode -O device=\$dev -O log=1 > /tmp/log 2>&1 &&
		   cmp -s /tmp/\$m.out /data/d/\$m.ref; then
			echo "PASS \$m (\$mode, drm): bytes = host TFLite's; \$(grep 'nodes claimed' /tmp/log | sed 's/^mbnaccel-tflite: //')"
		else
			echo "FAIL \$m (\$mode, drm): \$(grep -v 'claimed (on' /tmp/log | tail -3 | tr '\n' ' ')"
		fi
	done
done
if mbn-tflite-run -m /data/d/m025.tflite -i /data/d/m025.in -o /tmp/i.out --interpreters 10 -O device=\$dev > /tmp/log 2>&1 &&
   cmp -s /tmp/i.out /data/d/m025.ref; then
	echo "PASS ten interpreters in turn on drm: same bytes, no partition left"
else
	echo "FAIL ten interpreters: \$(tail -3 /tmp/log | tr '\n' ' ')"
fi
echo DMESG-BEGIN
dmesg
echo DMESG-END
EOF

for k in 6.1 6.12; do
	t0=$SECONDS
	"$RUN" -q -k "$k" -m 1024 -t 600 -M "$BUILD/module-$k/mbnaccel.ko" -b "$DRUN" -f "$EXT:$EXT" -f "$TMP/d" \
		-l "$TMP/con-$k.log" "$TMP/guest.sh" 2>"$TMP/run-$k.err"
	rc=$?
	[ $rc -eq 0 ] && pass "[$k] guest run finished ($((SECONDS - t0)) s)" ||
		fail "[$k] guest run" "rc $rc: $(tail -3 "$TMP/run-$k.err" | tr '\n' ' ') console: $(tail -6 "$TMP/con-$k.log" | tr '\n' ' ')"
	sed -n 's/^\(PASS\|FAIL\) /\1 ['"$k"'] /p' "$TMP/con-$k.log"
	grep -q '^FAIL' "$TMP/con-$k.log" && _fails=$((_fails + 1))
	bad=$(sed -n '/^DMESG-BEGIN/,/^DMESG-END/p' "$TMP/con-$k.log" | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace' | head -3)
	if ! grep -q '^DMESG-END' "$TMP/con-$k.log"; then
		fail "[$k] dmesg" "the guest printed no dmesg"
	elif [ -z "$bad" ]; then
		pass "[$k] dmesg free of WARNING/BUG/Oops"
	else
		fail "[$k] dmesg" "$bad"
	fi
done
finish
