#!/usr/bin/env bash
# inspect on the real web data in ../shared/data (Common Crawl WET, WARC with a truncated
# member, JSONL.gz) and GPT-2's tokenizer.json, checking the key numbers (counted
# independently from the files' documentation in shared/data/web/SOURCES.md).
# Skips (exit 77) when ../shared is absent.
set -u
: "${LMK_BIN:?}" "${LMK_SRC:?}"
data="$LMK_SRC/../shared/data"
if [ ! -d "$data/web" ]; then
    echo "skip: $data/web not found (../shared absent)"
    exit 77
fi
inspect="$LMK_BIN/inspect"
fails=0
# expect FILE JSON-FRAGMENT...: each fragment must occur in `inspect --json FILE`.
expect() {
    local file=$1
    shift
    local out
    out=$("$inspect" --json "$file" 2>/dev/null)
    for want in "$@"; do
        case "$out" in
        *"$want"*) ;;
        *) echo "FAIL $file: missing $want"; echo "  got: ${out:0:600}"; fails=$((fails + 1)) ;;
        esac
    done
}
web="$data/web"
expect "$web/wet/cc-main-2024-22_whirlwind.warc.wet.gz" '"format":"wet"' '"compression":"gzip"' '"records":2,' \
    '"truncated_records":0' '"types":{"conversion":1,"warcinfo":1}' '"languages":{"spa":1}'
expect "$web/wet/cc-main-2024-22_whirlwind.warc.wet" '"format":"wet"' '"compression":"none"' '"records":2,'
expect "$web/warc/cc-main-2020-34_resiliparse_warcfile.warc.gz" '"format":"warc"' '"records":50,' \
    '"types":{"request":17,"metadata":16,"response":16,"warcinfo":1}' '"damaged_members":0'
expect "$web/warc/resiliparse_clipped_truncated.warc.gz" '"format":"warc"' '"records":0,' '"truncated_records":1' \
    '"damaged_members":1'
expect "$web/warc/warcio_example.warc.gz" '"records":6,' '"truncated_records":0'
expect "$web/jsonl/dolma_cc-main-2019-30_00140_ccby.jsonl.gz" '"format":"jsonl"' '"documents":697,' \
    '"malformed_lines":0'
expect "$web/jsonl/olmo_c4-sample.01.jsonl.gz" '"documents":10,' '"fields":{"text":10,"url":10,"date":10}'
for f in "$web"/jsonl/dolma_ccnet_cc_en_head-0091.jsonl.gz "$web"/jsonl/dolma_provided_documents_000.jsonl.gz; do
    expect "$f" '"documents":10,' '"malformed_lines":0'
done
tok="$data/tokenizers/gpt2/tokenizer.json"
if [ -f "$tok" ]; then
    expect "$tok" '"format":"tokenizer.json"' '"model":"BPE"' '"vocab_size":50257' '"merges":50000' \
        '"special_tokens":["<|endoftext|>"]' '"pre_tokenizer":"ByteLevel"'
fi
# Every file at once: all readable (exit 0) even though one WARC is truncated.
"$inspect" "$web"/wet/*.gz "$web"/warc/*.warc* "$web"/jsonl/*.jsonl.gz >/dev/null 2>&1 ||
    { echo "FAIL: inspect over all shared web files exited $?"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] && echo "ok: inspect on shared data"
[ "$fails" -eq 0 ]
