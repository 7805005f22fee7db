#!/usr/bin/env bash
# TensorFlow Lite's own arm64 build on the board's stack (issue 14): in arm64 QEMU guests
# (6.1 and 6.12 kernels, the arm64 module against the RTL), for real models and random
# inputs, three runs give the same output bytes:
#   - TFLite 2.9's arm64 library (build/oracle/lib-arm64) through tflite-run, in the guest;
#   - mbn-classify -d drm, the arm64 build's default arithmetic (the board's TFLite);
#   - TFLite through our delegate on the drm device (mbn-tflite-run --delegate linked).
# Also against the host: the same bytes as TFLite's arm64 build under qemu-user
# (tests/oracle/tflite-run-arm64), and as the host's mbn-classify -d sim --match arm64.
#   bash tests/arm64/test-arm64-tflite.sh
source "$(dirname "$0")/../lib.sh"
RUN=("$ROOT/tests/driver/qemu-run.sh" -a arm64)
A=$BUILD/arm64
require "$BUILD/bin/mbn-cosim" "$ROOT/build/lib/libmbnsim.so" "$A/bin/mbn-classify" "$A/bin/mbn-tflite-run" \
	"$BUILD/bin-arm64/tflite-run" "$ROOT/build/oracle/lib-arm64/libtensorflowlite_c.so" \
	"$BUILD/module-arm64/mbnaccel.ko" "$BUILD/module-arm64-6.12/mbnaccel.ko" "$ROOT/build/arm64-guest/bin/busybox" \
	"$MODELS/mobilenet_v1_0.25_128_quant.tflite" "$MODELS/vww_96_int8_keras.tflite" "$MODELS/mobilenet_v1_0.5_160_quant.tflite"
export MBN_COSIM=$BUILD/bin/mbn-cosim
ORACLE_ARM64=$ROOT/tests/oracle/tflite-run-arm64

# name | model | random inputs | seed
cases=(
	"0.25_128|mobilenet_v1_0.25_128_quant.tflite|3|11"
	"0.5_160|mobilenet_v1_0.5_160_quant.tflite|2|12"
	"vww_96_int8_keras|vww_96_int8_keras.tflite|3|13"
)
mkdir -p "$TMP/in"
declare -A want_q want_sim
for c in "${cases[@]}"; do
	IFS='|' read -r name model n seed <<<"$c"
	size=$("$ORACLE" -m "$MODELS/$model" --info | awk '/^input/ {for (i=1;i<=NF;i++) if ($i ~ /^bytes=/) {sub("bytes=","",$i); print $i; exit}}')
	random_inputs "$TMP/in/$name.raw" "$size" "$n" "$seed"
	(cd "$TMP/in" && split -a 2 -d -b "$size" "$name.raw" "$name.in.")
	if "$ORACLE_ARM64" -m "$MODELS/$model" -i "$TMP/in/$name.raw" -o "$TMP/q.raw" 2>"$TMP/err"; then
		want_q[$name]=$(md5sum <"$TMP/q.raw" | cut -d' ' -f1)
	else
		fail "host: TFLite arm64 under qemu-user, $name" "$(head -c 300 "$TMP/err")"
	fi
	rm -f "$TMP/s.raw"
	if "$BUILD/bin/mbn-classify" -d sim --match arm64 -m "$MODELS/$model" --raw --out-raw "$TMP/s.raw" "$TMP/in/$name".in.* >/dev/null 2>"$TMP/err"; then
		want_sim[$name]=$(md5sum <"$TMP/s.raw" | cut -d' ' -f1)
	else
		fail "host: mbn-classify -d sim --match arm64, $name" "$(head -c 300 "$TMP/err")"
	fi
done

cat >"$TMP/guest.sh" <<'EOF2'
M=$1; I=$2; shift 2
insmod "$MBN_MODULE" || { echo "FAIL insmod"; exit 1; }
for c in "$@"; do
	name=${c%%:*}; model=${c#*:}
	tflite-run -m $M/$model -i $I/$name.raw -o /tmp/t.raw > /tmp/t.out 2>&1 &&
		echo "TFLITE $name $(md5sum < /tmp/t.raw | cut -d' ' -f1)" || echo "TFLITE $name error: $(head -c 200 /tmp/t.out)"
	rm -f /tmp/o.raw
	mbn-classify -d drm -m $M/$model --raw --out-raw /tmp/o.raw $I/$name.in.* > /tmp/o.out 2>&1 &&
		echo "DRM $name $(md5sum < /tmp/o.raw | cut -d' ' -f1)" || echo "DRM $name error: $(head -c 200 /tmp/o.out)"
	mbn-tflite-run -m $M/$model -i $I/$name.raw -o /tmp/d.raw --delegate linked -O device=drm -O log=1 > /tmp/d.out 2>&1 &&
		echo "DELEGATE $name $(md5sum < /tmp/d.raw | cut -d' ' -f1) $(grep -c 'claimed (on the accelerator)' /tmp/d.out) $(grep -c '^mbnaccel-tflite: device drm' /tmp/d.out)" ||
		echo "DELEGATE $name error: $(tr '\n' ' ' < /tmp/d.out | head -c 200)"
done
rmmod mbnaccel && echo "RMMOD ok"
echo "DMESG-BEGIN"; dmesg; echo "DMESG-END"
EOF2
gargs=()
for c in "${cases[@]}"; do
	IFS='|' read -r name model n seed <<<"$c"
	gargs+=("$name:$model")
done

for k in 6.1 6.12; do
	ko=$BUILD/module-arm64/mbnaccel.ko
	[ "$k" = 6.12 ] && ko=$BUILD/module-arm64-6.12/mbnaccel.ko
	t0=$SECONDS
	"${RUN[@]}" -q -k "$k" -m 1024 -t 600 -N -M "$ko" -b "$BUILD/bin-arm64/tflite-run" -b "$A/bin/mbn-classify" \
		-b "$A/bin/mbn-tflite-run" -f "$MODELS:/data/models" -f "$TMP/in:/data/in" \
		-l "$TMP/con-$k.log" -L "$TMP/cosim-$k.log" "$TMP/guest.sh" /data/models /data/in "${gargs[@]}" 2>"$TMP/run-$k.err"
	rc=$?
	log=$TMP/con-$k.log
	[ $rc -eq 0 ] && pass "[arm64 $k] guest run finished ($((SECONDS - t0)) s)" ||
		fail "[arm64 $k] guest run" "rc $rc: $(tail -3 "$TMP/run-$k.err" | tr '\n' ' ') console: $(tail -8 "$log" | tr '\n' ' ')"
	for c in "${cases[@]}"; do
		IFS='|' read -r name model n seed <<<"$c"
		t=$(grep -m1 "^TFLITE $name " "$log" | awk '{print $3}')
		d=$(grep -m1 "^DRM $name " "$log" | awk '{print $3}')
		g=$(grep -m1 "^DELEGATE $name " "$log" | awk '{print $3}')
		claimed=$(grep -m1 "^DELEGATE $name " "$log" | awk '{print $4, $5}')
		[ -n "$t" ] && [ "$t" = "${want_q[$name]:-none}" ] &&
			pass "[arm64 $k] $name: TFLite arm64 in the guest = TFLite arm64 under qemu-user ($n inputs)" ||
			fail "[arm64 $k] $name: TFLite in the guest" "guest $(grep -m1 "^TFLITE $name " "$log"), qemu-user ${want_q[$name]:-none}"
		[ -n "$d" ] && [ "$d" = "$t" ] && [ "$d" = "${want_sim[$name]:-none}" ] &&
			pass "[arm64 $k] $name: mbn-classify -d drm = TFLite arm64 in the same guest = host -d sim --match arm64" ||
			fail "[arm64 $k] $name: drm vs TFLite" "drm $(grep -m1 "^DRM $name " "$log"), TFLite $t, host sim ${want_sim[$name]:-none}"
		# the delegate opened the drm device and took the convolutions (log=1 says so)
		[ -n "$g" ] && [ "$g" = "$t" ] && [ "${claimed#* }" = 1 ] && [ "${claimed% *}" -ge 20 ] &&
			pass "[arm64 $k] $name: TFLite + the mbnaccel delegate on drm (${claimed% *} nodes claimed) = TFLite alone" ||
			fail "[arm64 $k] $name: delegate" "delegate $(grep -m1 "^DELEGATE $name " "$log") (md5, nodes claimed, drm device lines), TFLite $t"
	done
	grep -q '^RMMOD ok' "$log" && pass "[arm64 $k] rmmod" || fail "[arm64 $k] rmmod" "not unloaded"
	bad=$(sed -n '/^DMESG-BEGIN/,/^DMESG-END/p' "$log" | grep -E 'WARNING:|BUG:|Oops|Call Trace|UBSAN|KASAN' | head -3)
	[ -z "$bad" ] && grep -q '^DMESG-END' "$log" && pass "[arm64 $k] dmesg: no warning, oops or BUG" ||
		fail "[arm64 $k] dmesg" "${bad:-no dmesg captured}"
done
finish
