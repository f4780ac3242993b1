#!/usr/bin/env bash
# bench-io: JSONL parse + rewrite MB/s on one core (pinned), plain / .gz / .zst input, against
# decompression alone (zcat, zstdcat) so the ratio shows what limits the compressed runs.
# Input: the real JSONL pages in ../shared/data/web/jsonl, concatenated to ~110 MB.
set -eu
: "${LMK_SRC:?}" "${LMK_BIN:?}"
data="$LMK_SRC/../shared/data/web/jsonl"
[ -d "$data" ] || { echo "bench-io: $data absent, skipped"; exit 0; }
work=${BENCH_WORK:-/tmp/lmk-bench-io}
mkdir -p "$work"
if [ ! -f "$work/io.jsonl" ]; then
    for i in $(seq 1 30); do zcat "$data"/*.jsonl.gz; done > "$work/io.jsonl"
    gzip -6 -k -f "$work/io.jsonl"
    zstd -q -3 -f "$work/io.jsonl" -o "$work/io.jsonl.zst"
fi
cpu=${BENCH_CPU:-1}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # prints the median MB/s of 5 runs
    for i in 1 2 3 4 5; do taskset -c "$cpu" "$LMK_BIN/bench_io" "$@" | awk '{print $3}'; done | median
}
decomp() { # MB/s of the decompressor alone
    local bytes; bytes=$(stat -c %s "$work/io.jsonl")
    for i in 1 2 3; do
        s=$(date +%s.%N); taskset -c "$cpu" "$@" > /dev/null; e=$(date +%s.%N)
        echo "$bytes $s $e" | awk '{printf "%.1f\n", $1/1e6/($3-$2)}'
    done | median
}
size=$(stat -c %s "$work/io.jsonl")
echo "input: $((size / 1000000)) MB of real web JSONL, one core (cpu $cpu), median of 5"
printf "%-10s %12s %12s %16s\n" input "parse+copy" "parse+edit" "decompress only"
printf "%-10s %9s MB/s %9s MB/s %13s\n" plain "$(run "$work/io.jsonl")" "$(run "$work/io.jsonl" --edit)" "-"
printf "%-10s %9s MB/s %9s MB/s %11s MB/s\n" gzip "$(run "$work/io.jsonl.gz")" "$(run "$work/io.jsonl.gz" --edit)" "$(decomp zcat "$work/io.jsonl.gz")"
printf "%-10s %9s MB/s %9s MB/s %11s MB/s\n" zstd "$(run "$work/io.jsonl.zst")" "$(run "$work/io.jsonl.zst" --edit)" "$(decomp zstdcat "$work/io.jsonl.zst")"
