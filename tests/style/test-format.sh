#!/usr/bin/env bash
# The C sources follow .clang-format (make format-check), and the check can fail: a file
# with one line mis-indented is refused.
#   bash tests/style/test-format.sh
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
command -v clang-format-14 >/dev/null || { echo "FAIL prerequisite: clang-format-14 missing (tests/deps.sh installs it)"; exit 1; }
if out=$(make -s format-check 2>&1); then
	pass "make format-check: $(tail -1 <<<"$out")"
else
	fail "make format-check" "$(grep -m5 'error:' <<<"$out" | tr '\n' ' ')"
fi
printf 'int f(void)\n{\n    return 0;\n}\n' >"$TMP/bad.c"
cp .clang-format "$TMP/"
(cd "$TMP" && clang-format-14 --dry-run -Werror bad.c) >/dev/null 2>&1 &&
	fail "format check" "a 4-space indented file passed" ||
	pass "format check refuses a 4-space indented file"
finish
