#!/usr/bin/env bash
# make bench: builds the benchmark programs and runs every scripts/bench/bench-*.sh in order.
# Each prints its figures (and ratios against peers measured in the same run) to stdout.
# Benchmarks are not tests: they never fail on a slow machine, only on a broken tool.
set -eu
build=${1:-build}
src=$(cd "$(dirname "$0")/../.." && pwd)
export LMK_SRC=$src LMK_BUILD=$(cd "$build" && pwd) LMK_BIN=$(cd "$build" && pwd)/bin
benches=$(cd "$src/scripts/bench" && ls *.cpp 2>/dev/null | sed 's/\.cpp$//' || true)
[ -n "$benches" ] && cmake --build "$build" -j "$(nproc)" --target $benches
for b in "$src"/scripts/bench/bench-*.sh; do
    [ -f "$b" ] || continue
    echo "== $(basename "$b")"
    bash "$b" || echo "bench: $(basename "$b") failed (status $?)" >&2
done
