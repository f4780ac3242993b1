#!/usr/bin/env bash
# gen-demo-data (make demo's embedded dataset) is deterministic and its outputs parse:
#  - two runs with the same seed are byte-identical, another seed differs;
#  - web.warc.wet.gz, parsed here independently of lmkit's reader (awk over zcat, byte
#    lengths): every record is "WARC/1.0" + CRLF headers + exactly Content-Length bytes +
#    CRLF CRLF; a warcinfo record first, then conversion records with the WET headers; the
#    page mix has English, lorem ipsum (lat), German, French, Spanish, Chinese and exact
#    duplicates; the text size is what --mb asked for;
#  - the JSONL files have the documented record counts and fields (fully checked with
#    python3's json module when python3 is installed).
set -eu
: "${LMK_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen() { "$LMK_BIN/gen-demo-data" -q "$@"; }

gen --mb 0.5 "$tmp/a"
gen --mb 0.5 "$tmp/b"
for f in web.warc.wet.gz web_pages.jsonl sft.jsonl preferences.jsonl prompts.jsonl eval_task.jsonl eval_task.json; do
    [ -s "$tmp/a/$f" ] || { echo "missing or empty: $f"; exit 1; }
    cmp "$tmp/a/$f" "$tmp/b/$f" || { echo "$f differs between two runs with the same seed"; exit 1; }
done
[ "$(ls -A "$tmp/a" | wc -l)" -eq 7 ] || { echo "unexpected files:"; ls -A "$tmp/a"; exit 1; }
gen --mb 0.5 --seed 99 --sft 1 --preferences 1 --prompts 1 --eval-items 1 "$tmp/c"
if cmp -s "$tmp/a/web.warc.wet.gz" "$tmp/c/web.warc.wet.gz"; then echo "--seed has no effect"; exit 1; fi

head -c 2 "$tmp/a/web.warc.wet.gz" | od -An -tx1 | grep -q "1f 8b" || { echo "web.warc.wet.gz is not gzip"; exit 1; }

summary=$(zcat "$tmp/a/web.warc.wet.gz" | LC_ALL=C awk '
    function fail(msg) { print "web.warc.wet.gz: record " n ": " msg; bad = 1; exit 1 }
    BEGIN { state = "version"; n = 0 }
    state == "version" {
        if ($0 != "WARC/1.0\r") fail("expected WARC/1.0 line, got [" $0 "]")
        state = "header"; cl = -1; delete h; next
    }
    state == "header" {
        if ($0 == "\r") {
            if (cl < 0) fail("no Content-Length")
            state = "body"; consumed = 0; block = ""; next
        }
        if (substr($0, length($0), 1) != "\r") fail("header line without CR: " $0)
        i = index($0, ": ")
        if (i == 0) fail("bad header line: " $0)
        name = substr($0, 1, i - 1); value = substr($0, i + 2, length($0) - i - 2)
        h[name] = value
        if (name == "Content-Length") cl = value + 0
        next
    }
    state == "body" {
        consumed += length($0) + 1
        block = block $0 "\n"
        if (consumed < cl + 4) next
        if (consumed > cl + 4) fail("Content-Length " cl " does not end the body at the CRLF CRLF separator")
        if (substr(block, cl + 1) != "\r\n\r\n") fail("no CRLF CRLF after " cl " bytes of body")
        body = substr(block, 1, cl)
        type = h["WARC-Type"]
        if (n == 0 && type != "warcinfo") fail("first record is " type ", not warcinfo")
        if (n > 0) {
            if (type != "conversion") fail("type " type)
            if (h["Content-Type"] != "text/plain") fail("Content-Type " h["Content-Type"])
            if (h["WARC-Target-URI"] !~ /^https?:\/\//) fail("WARC-Target-URI " h["WARC-Target-URI"])
            if (h["WARC-Date"] !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]+Z$/) fail("WARC-Date " h["WARC-Date"])
            if (h["WARC-Record-ID"] !~ /^<urn:uuid:[0-9a-f-]+>$/) fail("WARC-Record-ID " h["WARC-Record-ID"])
            if (h["WARC-Refers-To"] !~ /^<urn:uuid:[0-9a-f-]+>$/) fail("WARC-Refers-To " h["WARC-Refers-To"])
            if (ids[h["WARC-Record-ID"]]++) fail("duplicate WARC-Record-ID")
            lang[h["WARC-Identified-Content-Language"]]++
            if (seen[body]++) dups++
            text += cl
        }
        n++; state = "version"
    }
    END {
        if (bad) exit 1
        if (state != "version") { print "web.warc.wet.gz: ends inside record " n; exit 1 }
        pages = n - 1
        printf "web.warc.wet.gz: %d records (1 warcinfo + %d pages), %d text bytes, %d exact duplicates;", n, pages, text, dups
        for (l in lang) printf " %s %d", l, lang[l]
        printf "\n"
        if (text < 0.5 * 1048576 || text > 0.5 * 1048576 + 20000) { print "text size is not what --mb 0.5 asked"; exit 1 }
        if (lang["eng"] < pages / 2) { print "fewer than half the pages are English"; exit 1 }
        split("lat deu fra spa zho", want, " ")
        for (k in want) if (lang[want[k]] < 1) { print "no page in " want[k]; exit 1 }
        if (dups < pages * 0.04 || dups > pages * 0.2) { print "exact duplicates are not ~10% of pages"; exit 1 }
    }') || { echo "$summary"; exit 1; }
echo "$summary"
records=$(echo "$summary" | sed -E 's/^web.warc.wet.gz: ([0-9]+) records.*/\1/')

lines() { wc -l <"$1" | tr -d ' '; }
check_count() { [ "$(lines "$tmp/a/$1")" -eq "$2" ] || { echo "$1: $(lines "$tmp/a/$1") lines, expected $2"; exit 1; }; }
check_count web_pages.jsonl $((records - 1))
check_count sft.jsonl 500
check_count preferences.jsonl 300
check_count prompts.jsonl 200
check_count eval_task.jsonl 100
for f in web_pages.jsonl sft.jsonl preferences.jsonl prompts.jsonl eval_task.jsonl; do
    if grep -qv '^{.*}$' "$tmp/a/$f"; then echo "$f: a line is not one JSON object"; exit 1; fi
done
grep -q '"prompt":' "$tmp/a/sft.jsonl" && grep -q '"response":' "$tmp/a/sft.jsonl"
[ "$(grep -c '"chosen":.*"rejected":' "$tmp/a/preferences.jsonl")" -eq 300 ]
[ "$(grep -c '"choices":\[.*\],"gold":[0-3]}$' "$tmp/a/eval_task.jsonl")" -eq 100 ]

if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/a" "$records" <<'EOF'
import json, sys, os
d, records = sys.argv[1], int(sys.argv[2])
def rows(name):
    with open(os.path.join(d, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f]
kinds = {}
for r in rows("web_pages.jsonl"):
    assert set(r) == {"id", "url", "kind"} and r["id"].startswith("urn:uuid:"), r
    kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
assert set(kinds) == {"story", "qa", "facts", "lorem", "exact-duplicate", "near-duplicate", "non-english", "junk"}, kinds
good = kinds["story"] + kinds["qa"] + kinds["facts"]
assert 0.5 < good / (records - 1) < 0.65, kinds
for r in rows("sft.jsonl"):
    assert set(r) == {"prompt", "response"} and r["prompt"] and r["response"], r
for r in rows("preferences.jsonl"):
    assert set(r) == {"prompt", "chosen", "rejected"} and r["chosen"] != r["rejected"], r
for r in rows("prompts.jsonl"):
    assert set(r) == {"prompt"} and r["prompt"], r
items = rows("eval_task.jsonl")
assert len({r["question"] for r in items}) == len(items), "repeated questions"
for r in items:
    assert len(r["choices"]) == 4 and len(set(r["choices"])) == 4 and 0 <= r["gold"] < 4, r
golds = [r["gold"] for r in items]
assert all(golds.count(g) >= 10 for g in range(4)), "gold positions are not spread"
task = json.load(open(os.path.join(d, "eval_task.json")))
for k in ("task", "data", "output_type", "doc_to_text", "doc_to_choice", "doc_to_target"):
    assert k in task, k
assert os.path.exists(os.path.join(d, task["data"]))
import zlib
raw = open(os.path.join(d, "web.warc.wet.gz"), "rb").read()
members, pos = 0, 0
while pos < len(raw):
    z = zlib.decompressobj(16 + zlib.MAX_WBITS)
    text = z.decompress(raw[pos:])
    assert z.eof and text.startswith(b"WARC/1.0\r\n") and text.count(b"WARC/1.0\r\n") == 1, "member %d" % members
    members += 1
    pos = len(raw) - len(z.unused_data)
assert members == records, (members, records)
print("web.warc.wet.gz: one gzip member per record (%d)" % members)
print("jsonl: every line parses; fields, counts and eval items as documented")
EOF
fi

if [ -x "$LMK_BIN/inspect" ]; then
    "$LMK_BIN/inspect" "$tmp/a/web.warc.wet.gz" "$tmp/a/sft.jsonl" "$tmp/a/eval_task.jsonl" >/dev/null
fi
echo "ok"
