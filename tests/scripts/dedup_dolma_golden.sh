#!/usr/bin/env bash
# dedup_dolma_golden.sh (optional): `dedup lines` finds the same duplicate paragraphs as dolma's
# deduper on its own test documents (../shared/data/web/dedup-golden). Dolma's spans are
# character offsets that include the newline (and run one past the end on a text's last
# line); ours are byte offsets without it, converted here. Skips without the data or python3.
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
G="$LMK_SRC/../shared/data/web/dedup-golden"
[ -f "$G/dolma_deduper_input_000.jsonl.gz" ] || { echo "skip: $G absent"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$LMK_BIN/dedup" lines -q --min-sentences 0 "$G/dolma_deduper_input_000.jsonl.gz" -o /dev/null --duplicates "$tmp/d.jsonl"
python3 - "$G" "$tmp/d.jsonl" <<'PY'
import gzip, json, sys
g, dups = sys.argv[1], sys.argv[2]
texts = {}
for l in gzip.open(g + "/dolma_deduper_input_000.jsonl.gz", "rt"):
    d = json.loads(l); texts[d["id"]] = d["text"]
want = {}
for l in gzip.open(g + "/dolma_expected_dedupe-paragraphs.jsonl.gz", "rt"):
    d = json.loads(l)
    want[d["id"]] = {(a, min(b, len(texts[d["id"]]))) for a, b, _ in d["attributes"]["bff_duplicate_paragraph_spans"]}
got = {k: set() for k in want}
for l in open(dups):
    d = json.loads(l)
    t = texts[d["id"]]; raw = t.encode()
    b, e = d["span"]
    b, e = len(raw[:b].decode()), len(raw[:e].decode())
    if e < len(t) and t[e] == "\n": e += 1
    got[d["id"]].add((b, e))
missing = sum(len(want[k] - got[k]) for k in want)
extra = sum(len(got[k] - want[k]) for k in want)
total = sum(len(v) for v in want.values())
print(f"dolma paragraphs: {total} expected, {missing} missing, {extra} extra")
sys.exit(1 if missing or extra else 0)
PY
