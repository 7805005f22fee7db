#!/usr/bin/env bash
# mbn-classify's labels for any class count: imagenet_labels.txt beside the model is
# used by default only for 1000 or 1001 classes (1001: class i = line i, as always;
# 1000: the first, "background", line is skipped); a file with one line more than the
# classes skips its first line (a warning if that is not "background"); any other count
# gives a warning, never a failure; classes without a label print as "class N" (JSON:
# "label": null).
source "$(dirname "$0")/../lib.sh"
CLS=$BUILD/bin/mbn-classify
GEN=$BUILD/bin/mbn-gen
Q=$MODELS/mobilenet_v1_0.25_128_quant.tflite
L=$MODELS/imagenet_labels.txt
require "$CLS" "$GEN" "$Q" "$L" "$IMAGES/cat.bmp"
cd "$TMP"
mkdir -p d10 d1000 d1001 nolabels
"$GEN" --alpha 0.25 --size 32 --int8 --classes 10 --seed 4 -o d10/m.tflite &&
	"$GEN" --alpha 0.25 --size 32 --classes 1000 --seed 5 -o d1000/m.tflite &&
	"$GEN" --alpha 0.25 --size 32 --int8 --classes 10 --seed 4 -o nolabels/m.tflite || fail "mbn-gen" "no models"
cp "$L" d10/imagenet_labels.txt
cp "$L" d1000/imagenet_labels.txt
cp "$Q" d1001/m.tflite
cp "$L" d1001/imagenet_labels.txt
IMG=$IMAGES/cat.bmp

# top K as "index<TAB>label" lines (text output), and stderr
top() { # model args...
	"$CLS" -d cpu -m "$@" >out 2>err
	local rc=$?
	sed -n '2,$p' out | grep -E '^ +[0-9.]+ +[0-9]+ ' | sed -E 's/^ +[0-9.]+ +([0-9]+)  (.*)$/\1\t\2/' >top
	return $rc
}
line() { sed -n "$(($1 + 1))p" "$2"; } # line i (0-based) of a file

# 1001 classes, labels beside the model: today's mapping, class i = line i, no warning
top d1001/m.tflite -k 5 "$IMG"
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "$(line "$i" "$L")" ] || ok=0; done <top
[ $ok -eq 1 ] && [ "$(wc -l <top)" -eq 5 ] && [ ! -s err ] && grep -q cat top &&
	pass "1001 classes: imagenet_labels.txt beside the model, class i = line i, no warning" || fail "1001 classes" "$(cat top err)"

# 1000 classes with the 1001-line file beside it: class i = line i + 1, no warning
top d1000/m.tflite -k 10 "$IMG"
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "$(line $((i + 1)) "$L")" ] || ok=0; done <top
[ $ok -eq 1 ] && [ "$(wc -l <top)" -eq 10 ] && [ ! -s err ] &&
	pass "1000 classes + 1001-line imagenet_labels.txt: background line skipped, class i = line i + 1, no warning" ||
	fail "1000 classes" "$(head -3 top) $(cat err)"

# 10 classes: the ImageNet file beside it is not used; "class N"
top d10/m.tflite -k 10 "$IMG"
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "class $i" ] || ok=0; done <top
[ $ok -eq 1 ] && [ "$(wc -l <top)" -eq 10 ] && [ ! -s err ] &&
	pass "10 classes: imagenet_labels.txt beside the model is not used, \"class N\"" || fail "10 classes default" "$(cat top err)"
top nolabels/m.tflite -k 3 "$IMG"
[ "$(cut -f2 top | grep -c '^class [0-9]')" -eq 3 ] && pass "no labels file: \"class N\"" || fail "no labels" "$(cat top err)"

# 10 classes, a 10-line file: used as is, no warning
printf 'c%d\n' 0 1 2 3 4 5 6 7 8 9 >ten.txt
top d10/m.tflite -k 10 --labels ten.txt "$IMG"
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "c$i" ] || ok=0; done <top
[ $ok -eq 1 ] && [ ! -s err ] && pass "10 classes, 10 labels: class i = line i" || fail "10 labels" "$(cat top err)"

# 11 lines, "background" first: skipped silently; another first line: skipped, warned
{ echo background; cat ten.txt; } >bg.txt
top d10/m.tflite -k 10 --labels bg.txt "$IMG"
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "c$i" ] || ok=0; done <top
[ $ok -eq 1 ] && [ ! -s err ] && pass "10 classes, 11 labels starting with background: skipped, no warning" || fail "background line" "$(cat top err)"
{ echo unknown; cat ten.txt; } >un.txt
top d10/m.tflite -k 10 --labels un.txt "$IMG"; rc=$?
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "c$i" ] || ok=0; done <top
[ $rc -eq 0 ] && [ $ok -eq 1 ] && grep -q "warning: un.txt has 11 labels for 10 classes: skipping its first line ('unknown')" err &&
	pass "10 classes, 11 labels: first line skipped with a warning" || fail "11 labels" "rc=$rc $(cat top err)"

# fewer labels than classes: a warning, the rest print "class N" (JSON null)
printf 'c%d\n' 0 1 2 3 4 >five.txt
top d10/m.tflite -k 10 --labels five.txt "$IMG"; rc=$?
ok=1
while IFS=$'\t' read -r i lbl; do
	if [ "$i" -lt 5 ]; then [ "$lbl" == "c$i" ] || ok=0; else [ "$lbl" == "class $i" ] || ok=0; fi
done <top
[ $rc -eq 0 ] && [ $ok -eq 1 ] && [ "$(wc -l <top)" -eq 10 ] &&
	grep -q 'warning: five.txt has 5 labels but the model has 10 classes: classes without a label print as "class N"' err &&
	pass "10 classes, 5 labels: warning, labels 0-4, \"class N\" for 5-9, exit 0" || fail "5 labels" "rc=$rc $(cat top err)"
"$CLS" -d cpu -m d10/m.tflite -k 10 --labels five.txt --json "$IMG" 2>err | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
for t in d["top"]:
    assert t["label"] == ("c%d" % t["index"] if t["index"] < 5 else None), t
assert len(d["top"]) == 10
' && pass "--json: \"label\": null for classes without a label" || fail "--json null labels" "$(cat err)"

# more labels than classes (the 1001-line file on a 10-class model): a warning
top d10/m.tflite -k 3 --labels "$L" "$IMG"; rc=$?
ok=1
while IFS=$'\t' read -r i lbl; do [ "$lbl" == "$(line "$i" "$L")" ] || ok=0; done <top
[ $rc -eq 0 ] && [ $ok -eq 1 ] && grep -q "has 1001 labels but the model has 10 classes: the lines after the last class are not used" err &&
	pass "10 classes, 1001 labels: warning, class i = line i" || fail "1001 labels on 10 classes" "rc=$rc $(cat top err)"

# an empty labels file: a warning, every class "class N"
: >empty.txt
top d10/m.tflite -k 2 --labels empty.txt "$IMG"; rc=$?
[ $rc -eq 0 ] && [ "$(cut -f2 top | grep -c '^class [0-9]')" -eq 2 ] && grep -q "empty.txt has 0 labels" err &&
	pass "empty labels file: warning, \"class N\"" || fail "empty labels" "rc=$rc $(cat top err)"

# 2 classes (the shape of the VWW person detector), -k larger than the class count
"$GEN" --alpha 0.25 --size 32 --int8 --classes 2 --seed 6 -o two.tflite
printf 'no person\nperson\n' >vww.txt
top two.tflite -k 5 --labels vww.txt "$IMG"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <top)" -eq 2 ] && [ "$(cut -f2 top | sort | tr '\n' ,)" == "no person,person," ] && [ ! -s err ] &&
	pass "2 classes, -k 5: both classes with their labels" || fail "2 classes" "rc=$rc $(cat top err)"
finish
