#!/usr/bin/env bash
# bench-clean.sh: clean-corpus throughput on WET input with all filters on, and memory.
# The WET input is built from the 697 real pages of dolma_cc-main-2019-30 (one gzip member per
# conversion record, as Common Crawl writes them), repeated to ~LMK_BENCH_CLEAN_MB MB of text
# (default 30) with distinct record ids. Prints MB/s of uncompressed WET per CPU-second
# (user + system, which a loaded machine does not inflate) and per wall second, peak RSS
# (/usr/bin/time -v), for 1 and 2 threads, each pinned with taskset. LMK_BENCH_CLEAN_CONFIG
# names an optional --config file (e.g. {"lang": {"max_bytes": 2048}}).
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
WEB="$LMK_SRC/../shared/data/web"
SRC="$WEB/jsonl/dolma_cc-main-2019-30_00140_ccby.jsonl.gz"
[ -f "$SRC" ] || { echo "bench-clean: skipped ($SRC absent)"; exit 0; }
command -v python3 >/dev/null || { echo "bench-clean: skipped (python3 builds the WET input)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
MB=${LMK_BENCH_CLEAN_MB:-30}
python3 - "$SRC" "$tmp/bench.warc.wet.gz" "$MB" <<'PY'
import gzip, json, sys, zlib
src, out, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
docs = [json.loads(l) for l in gzip.open(src, "rt")]
total, n = 0, 0
with open(out, "wb") as f:
    while total < mb * 1e6:
        for d in docs:
            body = d["text"].encode("utf-8")
            url = d.get("metadata", {}).get("url", "http://example.com/%d" % n)
            head = ("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: %s\r\n"
                    "WARC-Date: 2019-07-17T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:bench-%08d>\r\n"
                    "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % (url, n, len(body))).encode()
            rec = head + body + b"\r\n\r\n"
            c = zlib.compressobj(6, zlib.DEFLATED, 31)
            f.write(c.compress(rec) + c.flush())
            total += len(rec)
            n += 1
print("bench-clean: %d records, %.1f MB uncompressed WET" % (n, total / 1e6))
PY
raw=$(gzip -dc "$tmp/bench.warc.wet.gz" | wc -c)
extra=()
[ -n "${LMK_BENCH_CLEAN_CONFIG:-}" ] && extra=(--config "$LMK_BENCH_CLEAN_CONFIG")
args=("${extra[@]}" --filters all --lang any --badwords "$WEB/badwords" --url-words "$WEB/badwords/datatrove_url_filter"
      --stats "$tmp/stats.json" -o "$tmp/out.jsonl" "$tmp/bench.warc.wet.gz")
for j in 1 2; do
    cpus=1; [ "$j" = 2 ] && cpus=0,1
    /usr/bin/time -v taskset -c $cpus "$LMK_BIN/clean-corpus" -q -j $j "${args[@]}" 2>"$tmp/time.txt"
    python3 - "$tmp/time.txt" "$raw" "$j" "$tmp/stats.json" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
raw, j = int(sys.argv[2]), sys.argv[3]
def field(name):
    return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
user, sys_ = float(field("User time (seconds)")), float(field("System time (seconds)"))
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
wall_s = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(field("Maximum resident set size (kbytes)"))
s = json.load(open(sys.argv[4]))
print(f"-j{j}: {raw / 1e6:.1f} MB WET, {s['docs_in']} docs, {s['kept']} kept | "
      f"{raw / 1e6 / (user + sys_):.1f} MB/s per CPU-second, {raw / 1e6 / wall_s:.1f} MB/s wall | "
      f"CPU {user + sys_:.1f} s, wall {wall_s:.1f} s, max RSS {rss / 1024:.0f} MB")
PY
done
