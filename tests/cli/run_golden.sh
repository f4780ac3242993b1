#!/usr/bin/env bash
# run_golden.sh DIR: runs every CLI golden case DIR/NNNN/ (Miller/samtools style).
# A case holds:
#   cmd     a bash snippet, run in a fresh temporary directory with the tools on PATH and
#           $LMK_SRC (source tree), $LMK_BUILD (build tree), $TESTDATA (generated fixtures)
#   expout  expected standard output (optional; compared exactly when present)
#   experr  expected standard error (optional; compared exactly when present)
#   status  expected exit status (optional; default 0)
# Prints a diff for each failing case and exits 1 if any failed.
set -u
dir=$1
: "${LMK_BIN:?}" "${LMK_SRC:?}"
export PATH="$LMK_BIN:$PATH"
export TESTDATA="${LMK_BUILD:-}/testdata"
fails=0
for case in "$dir"/*/; do
    case=${case%/}
    [ -f "$case/cmd" ] || continue
    tmp=$(mktemp -d)
    want_status=0
    [ -f "$case/status" ] && want_status=$(cat "$case/status")
    (cd "$tmp" && bash "$case/cmd" >"$tmp/.out" 2>"$tmp/.err")
    got_status=$?
    bad=""
    [ "$got_status" = "$want_status" ] || bad="exit status $got_status, expected $want_status"
    if [ -f "$case/expout" ] && ! diff -u "$case/expout" "$tmp/.out" >"$tmp/.diff"; then
        bad="$bad; stdout differs"; cat "$tmp/.diff"
    fi
    if [ -f "$case/experr" ] && ! diff -u "$case/experr" "$tmp/.err" >"$tmp/.diff"; then
        bad="$bad; stderr differs"; cat "$tmp/.diff"
    fi
    if [ -n "$bad" ]; then
        echo "FAIL $case: $bad"
        echo "--- stderr:"; head -c 2000 "$tmp/.err"
        fails=$((fails + 1))
    else
        echo "ok   $case"
    fi
    rm -rf "$tmp"
done
[ "$fails" -eq 0 ]
