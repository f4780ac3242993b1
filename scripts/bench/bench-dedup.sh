#!/usr/bin/env bash
# bench-dedup.sh: dedup benchmarks (make bench). Needs ../shared/data/web/jsonl (skips without).
#   1. MinHash signature throughput per CPU-second (bench-dedup; goal >= 20 MB/s).
#   2. Near-duplicate quality: gen-neardups makes edited copies of 697 real pages; precision and
#      recall per Jaccard bucket, without and with --verify-jaccard.
#   3. End to end: documents/s and peak RSS of every mode at two corpus sizes; the RSS slope
#      between them is the memory per million documents.
# Pinned to one core (taskset -c 1) unless LMK_BENCH_CPUS says otherwise.
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
pages="$LMK_SRC/../shared/data/web/jsonl/dolma_cc-main-2019-30_00140_ccby.jsonl.gz"
[ -f "$pages" ] || { echo "bench-dedup: $pages absent; skipped"; exit 0; }
cpus=${LMK_BENCH_CPUS:-1}
pin="taskset -c $cpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- signatures (one thread, CPU time)"
[ -x "$LMK_BIN/bench-dedup" ] && $pin "$LMK_BIN/bench-dedup" "$pages" 2

echo "-- quality (gen-neardups: 697 real pages + 6 edited copies each)"
"$LMK_BIN/gen-neardups" -q make "$pages" -o "$tmp/q.jsonl" --truth "$tmp/q.tsv" --variants 6
"$LMK_BIN/dedup" minhash -q "$tmp/q.jsonl" -o /dev/null --duplicates "$tmp/d0.jsonl"
echo "minhash (14x8, no verification):"
"$LMK_BIN/gen-neardups" score "$tmp/q.jsonl" "$tmp/q.tsv" "$tmp/d0.jsonl"
"$LMK_BIN/dedup" minhash -q "$tmp/q.jsonl" -o /dev/null --duplicates "$tmp/d1.jsonl" --verify-jaccard 0.75
echo "minhash --verify-jaccard 0.75:"
"$LMK_BIN/gen-neardups" score "$tmp/q.jsonl" "$tmp/q.tsv" "$tmp/d1.jsonl"

echo "-- end to end (docs/s wall and CPU; peak RSS)"
"$LMK_BIN/gen-neardups" -q make "$pages" -o "$tmp/small.jsonl" --truth "$tmp/s.tsv" --variants 2 --seed 5
"$LMK_BIN/gen-neardups" -q make "$pages" -o "$tmp/big.jsonl" --truth "$tmp/b.tsv" --variants 10 --seed 5
for mode in exact minhash lines substr; do
    for size in small big; do
        f="$tmp/$size.jsonl"
        docs=$(wc -l < "$f")
        mb=$(( $(stat -c %s "$f") / 1000000 ))
        /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" $pin "$LMK_BIN/dedup" "$mode" -q -j 1 "$f" -o /dev/null
        read -r wall user sys rss < "$tmp/time"
        cpu=$(echo "$user + $sys" | bc -l)
        printf "%-8s %-5s %6d docs %4d MB  %6.2f s wall %6.2f s cpu  %8.0f docs/s cpu  peak %6d KB\n" \
            "$mode" "$size" "$docs" "$mb" "$wall" "$cpu" "$(echo "$docs / ($cpu + 0.001)" | bc -l)" "$rss"
        echo "$mode $size $docs $rss" >> "$tmp/rss"
    done
done
awk '$1 == "substr" { if ($2 == "big") printf "substr   peak RSS: %.1f bytes per input byte\n", $4 * 1024 / size }' \
    size="$(stat -c %s "$tmp/big.jsonl")" "$tmp/rss"

# Memory per document: many short documents (30 words from a 5000-word vocabulary), two sizes;
# the RSS slope between them is the per-document state (batch buffers are the same at both).
echo "-- memory per million documents (short documents, RSS slope 50k -> 250k docs)"
for n in 50000 250000; do
    awk -v n=$n 'BEGIN { srand(11); for (d = 0; d < n; d++) { t = ""; for (w = 0; w < 30; w++) {
        v = int(rand() * 5000); t = t (w ? " " : "") sprintf("%c%c%c", 97 + v % 26, 97 + int(v / 26) % 26, 97 + int(v / 676) % 26) }
        printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", d, t } }' > "$tmp/short$n.jsonl"
done
for mode in exact minhash lines; do
    for n in 50000 250000; do
        /usr/bin/time -f "%M" -o "$tmp/time" $pin "$LMK_BIN/dedup" "$mode" -q -j 1 "$tmp/short$n.jsonl" -o /dev/null
        echo "$mode $n $(cat "$tmp/time")"
    done
done | awk '{ if ($2 == 50000) r[$1] = $3; else printf "%-8s %.0f MB per million documents (peak RSS %d KB at 250k)\n", $1, ($3 - r[$1]) / 200000 * 1e6 / 1024, $3 }'
