#!/usr/bin/env bash
# The fixture generator is deterministic: two runs into fresh directories give byte-identical
# files, and the set of files is the one testdata/README.md documents.
set -eu
: "${LMK_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$LMK_BIN/gen-testdata" -q "$tmp/a"
"$LMK_BIN/gen-testdata" -q "$tmp/b"
want="bad_json.jsonl bad_magic.bin docs.jsonl docs.jsonl.gz docs.jsonl.zst garbage.warc invalid_utf8.jsonl tiny.warc.gz tiny.warc.wet.gz truncated.jsonl.gz truncated.warc.gz truncated.jsonl.gz"
got=$(cd "$tmp/a" && ls -A | sort | tr '\n' ' ')
want=$(echo $want | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$got" != "$want" ]; then
    echo "fixture files differ from the documented set:"; echo " got:  $got"; echo " want: $want"; exit 1
fi
for f in $got; do
    cmp "$tmp/a/$f" "$tmp/b/$f" || { echo "$f differs between two runs"; exit 1; }
done
total=$(cat "$tmp"/a/* | wc -c)
[ "$total" -lt 102400 ] || { echo "fixtures take $total bytes, over the 100 KB budget"; exit 1; }
# A different seed must change the generated content (the seed really drives it).
"$LMK_BIN/gen-testdata" -q --seed 7 "$tmp/c"
if cmp -s "$tmp/a/docs.jsonl" "$tmp/c/docs.jsonl"; then echo "--seed has no effect"; exit 1; fi
echo "ok: $(echo $got | wc -w) files, $total bytes, identical across runs"
