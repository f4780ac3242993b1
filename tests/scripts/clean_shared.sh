#!/usr/bin/env bash
# clean_shared.sh: clean-corpus on the real web data in ../shared/data/web (skips when absent).
#  - every WET, WARC (the truncated one included) and JSONL file runs with all filters; for each
#    run docs in = kept + rejected, the output line counts match the stats, every rejected
#    document carries a filter and a reason, and -j1 and -j2 give identical bytes;
#  - OLMo's C4 samples (already C4-cleaned) through `c4` alone: the fraction kept is reported
#    and must be 1 (docs/TOOLS.md explains what would make a C4 document drop);
#  - bad input: a truncated gzip, a record of 100 MB; located messages, counts, no crash.
set -euo pipefail
: "${LMK_BIN:?}" "${LMK_SRC:?}"
WEB="$LMK_SRC/../shared/data/web"
[ -d "$WEB" ] || { echo "skip: $WEB absent"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 absent (used to check JSON)"; exit 77; }
CC="$LMK_BIN/clean-corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_run() { # check_run NAME: verifies $tmp/NAME.{out,rej,stats}
    python3 - "$tmp/$1" <<'PY'
import json, sys
base = sys.argv[1]
s = json.load(open(base + ".stats"))
kept = sum(1 for _ in open(base + ".out"))
rej = [json.loads(l) for l in open(base + ".rej")]
assert s["docs_in"] == s["kept"] + s["rejected"], s
assert kept == s["kept"] and len(rej) == s["rejected"], (kept, len(rej), s)
by_reason = sum(n for f in s["filters"].values() for n in f["reasons"].values())
assert by_reason == s["rejected"], (by_reason, s)
for d in rej:
    r = d["reject"]
    assert r["filter"] and r["reason"], d
for l in open(base + ".out"):
    d = json.loads(l)
    assert all(k in d for k in ("id", "text", "lang", "lang_score")), d.keys()
print(f'{base.split("/")[-1]}: {s["docs_in"]} docs, {s["kept"]} kept, {s["rejected"]} rejected')
PY
}

n=0
for f in "$WEB"/wet/* "$WEB"/warc/*.warc* "$WEB"/jsonl/*.jsonl.gz; do
    n=$((n + 1))
    name=run$n
    for j in 1 2; do
        "$CC" -j $j --filters all --lang any --badwords "$WEB/badwords" \
            --url-words "$WEB/badwords/datatrove_url_filter" \
            --rejected "$tmp/$name.rej$j" --stats "$tmp/$name.stats" -o "$tmp/$name.out$j" "$f" 2>"$tmp/$name.err" ||
            { echo "FAIL: $f"; cat "$tmp/$name.err"; exit 1; }
    done
    cmp "$tmp/$name.out1" "$tmp/$name.out2" && cmp "$tmp/$name.rej1" "$tmp/$name.rej2" ||
        { echo "FAIL: -j1 and -j2 differ on $f"; exit 1; }
    mv "$tmp/$name.out1" "$tmp/$name.out"; mv "$tmp/$name.rej1" "$tmp/$name.rej"
    echo -n "$(basename "$f"): "; check_run $name
done
grep -q "truncated gzip member" "$tmp"/run*.err || { echo "FAIL: truncated member not reported"; exit 1; }

# OLMo's C4 samples through c4 only.
"$CC" -q --filters c4 --stats "$tmp/c4.stats" --rejected "$tmp/c4.rej" -o "$tmp/c4.out" "$WEB"/jsonl/olmo_c4-sample.0*.jsonl.gz
python3 - "$tmp/c4.stats" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f'OLMo C4 samples through c4: {s["kept"]}/{s["docs_in"]} kept ({s["kept"] / s["docs_in"]:.1%})')
assert s["kept"] == s["docs_in"], s["filters"]
PY

# A truncated gzip (cut in the middle of the second member) and a 100 MB record.
head -c 2000 "$WEB/wet/cc-main-2024-22_whirlwind.warc.wet.gz" > "$tmp/cut.warc.wet.gz"
python3 - "$tmp/big.warc.wet" <<'PY'
import sys
body = (b"word " * 20_000_000)  # 100,000,000 bytes
with open(sys.argv[1], "wb") as f:
    f.write(b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:uuid:big>\r\n"
            b"WARC-Target-URI: http://big.example/\r\nContent-Length: %d\r\n\r\n" % len(body))
    f.write(body)
    f.write(b"\r\n\r\n")
PY
"$CC" --filters c4 --stats "$tmp/bad.stats" --rejected "$tmp/bad.rej" -o "$tmp/bad.out" \
    "$tmp/cut.warc.wet.gz" "$tmp/big.warc.wet" 2>"$tmp/bad.err" || { cat "$tmp/bad.err"; exit 1; }
cat "$tmp/bad.err"
grep -q "cut.warc.wet.gz: .*truncated" "$tmp/bad.err" || { echo "FAIL: no located message for the cut file"; exit 1; }
python3 - "$tmp/bad.stats" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["docs_in"] == 1 and s["rejected"] == 1, s
assert s["filters"]["c4"]["reasons"] == {"too_long": 1}, s["filters"]
assert s["input"]["warc_truncated"] + s["input"]["warc_damaged_members"] >= 1, s["input"]
print("bad input: truncated member counted, 100 MB record rejected as too_long")
PY
echo "ok"
