#!/usr/bin/env bash
# tok_tiktoken_parity: GPT-2 ids from `encode` equal npm tiktoken's r50k_base ids, document by
# document, on hand-picked edge cases and (when built) the Debian-docs corpora, loading GPT-2
# three ways: tokenizer.json, encoder.json + vocab.bpe, and a .tiktoken file written from
# tiktoken's own ranks. Also checks decode(encode(x)) == x, and p50k_base, cl100k_base and
# o200k_base ids from their .tiktoken files and the tokenizer.json lmkit converts them to.
# Skips (77) without node, the npm packages (LMK_NPM_REF, default ../npm-ref/node_modules) or
# ../shared. LMK_CORPUS (default ../corpus) holds corpus-*.jsonl from make-doc-corpus.sh;
# LMK_TOK_FULL=1 uses the 32 MB English corpus instead of its first 1 MB.
set -euo pipefail
: "${LMK_BIN:?}" "${LMK_SRC:?}"
NPM=${LMK_NPM_REF:-$LMK_SRC/../npm-ref/node_modules}
GPT2=$LMK_SRC/../shared/data/tokenizers/gpt2
CORPUS=${LMK_CORPUS:-$LMK_SRC/../corpus}
command -v node >/dev/null || { echo "node absent: skipped"; exit 77; }
[ -d "$NPM/tiktoken" ] || { echo "$NPM/tiktoken absent: skipped"; exit 77; }
[ -f "$GPT2/encoder.json" ] || { echo "$GPT2 absent: skipped"; exit 77; }
export NODE_PATH=$NPM
REF="node $LMK_SRC/tests/scripts/tok_ref.js"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Edge cases (JSON escapes keep this file ASCII).
cat >"$tmp/edge.jsonl" <<'JSONL'
{"text": "\ufeffBOM at the start"}
{"text": "no\u00a0break\u00a0space and a\u00a0\u00a0 double"}
{"text": "next\u0085line and line\u2028separator and para\u2029graph"}
{"text": "ideographic\u3000space \u3000\u3000 x"}
{"text": "zero\u200bwidth\u200b space \u200b"}
{"text": "info\u001cseparators\u001d\u001e\u001f here \u001f"}
{"text": "combining e\u0301 a\u0308 \u0301\u0301 n\u0303o"}
{"text": "emoji \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud83d\udc4d\ud83c\udffd flags \ud83c\uddeb\ud83c\uddf7!"}
{"text": "digits \u0663\u0664\u0665 \u096a\u096b \u0e51\u0e52 \uff11\uff12 \u2460\u2461 \u00b2\u00b3 \u216b"}
{"text": "end<|endoftext|>of text <|endoftext|> twice<|endoftext|>"}
{"text": "contractions: it's I'm we're they've he'll she'd don't IT'S Y'ALL 'tis ''s"}
{"text": "tabs\t\tand\r\nCRLF\r\n\r\n  indented\n\n\n   \n"}
{"text": "trailing spaces   "}
{"text": "   leading spaces"}
{"text": ""}
{"text": " "}
{"text": "\n"}
{"text": "mixed \u4e2d\u6587\u5b57\u7b26 and \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 and \ud55c\uad6d\uc5b4"}
{"text": "math \ud835\udc00\ud835\udc01 \u221e\u2260\u2264 arrows \u2192\u21d2 and symbols \u00a9\u00ae\u2122"}
{"text": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
{"text": "1234567890123456789 3.14159 1e-10 0x1F 1,000,000"}
{"text": "URLs https://example.com/a?b=c&d=e#f and emails a.b@c.org"}
{"text": "Arabic \u0645\u0631\u062d\u0628\u0627 Hebrew \u05e9\u05dc\u05d5\u05dd Thai \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 Devanagari \u0928\u092e\u0938\u094d\u0924\u0947"}
{"text": "control \u0000 \u0001 \u007f \u0080 \u009f chars"}
{"text": "soft\u00adhyphen word\u2060joiner left\u200eright\u200fmarks"}
{"text": "variation \u2764\ufe0f \u263a\ufe0e keycap 1\ufe0f\u20e3"}
{"text": "HelloWorld camelCase XMLHttpRequest ABCdef abcDEF \u01c5a \u01c8b NEWS's DON'T don't We'RE it'S 'S"}
{"text": "long s: \u017f '\u017f it\u017f x'\u017ft A\u02b0B \u02b0x \u02b0X"}
{"text": "lines a\n  \n b  \n\n\t\n x \r\n\r\n   "}
{"text": "paths a/b/ c//d\n/ e/\n/\n ./x ../y */\n x?\n/"}
{"text": "digits 1 12 123 1234 12345 123456 1234567 \u0661\u0662\u0663\u0664 x1y22z333"}
{"text": "marks \u0301 x\u0301\u0301 \u0301abc \u0301ABC A\u0301B\u0301c"}
{"text": "\u00a0word \tword \u3000word \u2028word \u0085word (parens) [b] {c} \"q\" \u00abguill\u00bb"}
{"text": "\u0130stanbul \u0131 \u03a3\u03c3\u03c2 \u1e9e\u00df \ufb01 \u212a Jap\u00f3n \u65e5\u672c\u8a9e\u30ab\u30bf\u30ab\u30ca ABC\u65e5\u672c"}
{"text": "specials <|endofprompt|> <|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>"}
{"text": "  \n"}
JSONL
# A long run of one character and of spaces (tiktoken is quadratic on long pieces: 20k chars).
node -e 'const s="x".repeat(20000); console.log(JSON.stringify({text: s})); console.log(JSON.stringify({text: " ".repeat(20000)+"y"}))' >>"$tmp/edge.jsonl"

files=("$tmp/edge.jsonl")
if [ "${LMK_TOK_FULL:-0}" = 1 ] && [ -f "$CORPUS/corpus-en.jsonl" ]; then
    files+=("$CORPUS/corpus-en.jsonl" "$CORPUS/corpus-zh.jsonl")
elif [ -f "$CORPUS/corpus-en-1mb.jsonl" ]; then
    files+=("$CORPUS/corpus-en-1mb.jsonl" "$CORPUS/corpus-zh.jsonl")
else
    echo "note: $CORPUS has no corpus-*.jsonl (make-doc-corpus.sh); edge cases only"
fi

$REF write-tiktoken "$tmp/r50k_base.tiktoken"
mkdir "$tmp/openai"   # OpenAI's file names only, so the directory loader takes that path
ln -s "$GPT2/encoder.json" "$GPT2/vocab.bpe" "$tmp/openai/"
fail=0
for f in "${files[@]}"; do
    name=$(basename "$f")
    $REF tiktoken-ids "$f" >"$tmp/ref.ids"
    $REF tiktoken-ids "$f" --ordinary >"$tmp/ref-ordinary.ids"
    n=$(wc -l <"$tmp/ref.ids")
    for tok in "$GPT2/tokenizer.json" "$tmp/openai" "$tmp/r50k_base.tiktoken"; do
        "$LMK_BIN/encode" -q -t "$tok" --format ids "$f" -o "$tmp/got.ids"
        if ! cmp -s "$tmp/ref.ids" "$tmp/got.ids"; then
            echo "FAIL $name with $(basename "$tok"): ids differ from tiktoken, first differing documents:"
            diff <(awk '{print NR": "$0}' "$tmp/ref.ids") <(awk '{print NR": "$0}' "$tmp/got.ids") | head -6 | cut -c1-300
            fail=1
        fi
    done
    "$LMK_BIN/encode" -q -t "$GPT2" --special-as-text --format ids "$f" -o "$tmp/got-ordinary.ids"
    if ! cmp -s "$tmp/ref-ordinary.ids" "$tmp/got-ordinary.ids"; then
        echo "FAIL $name --special-as-text: ids differ from tiktoken encode_ordinary"; fail=1
    fi
    # Round trip: decode(encode(x)) == x for every document.
    "$LMK_BIN/decode" -q -t "$GPT2" --format jsonl "$tmp/got.ids" -o "$tmp/back.jsonl"
    node -e '
      const fs=require("fs");
      const a=fs.readFileSync(process.argv[1],"utf8").split("\n").filter(l=>l.trim()).map(l=>JSON.parse(l).text);
      const b=fs.readFileSync(process.argv[2],"utf8").split("\n").filter(l=>l.trim()).map(l=>JSON.parse(l).text);
      if (a.length!==b.length) { console.log("round trip: "+a.length+" documents in, "+b.length+" out"); process.exit(1); }
      for (let i=0;i<a.length;i++) if (a[i]!==b[i]) { console.log("round trip differs at document "+(i+1)); process.exit(1); }
    ' "$f" "$tmp/back.jsonl" || { echo "FAIL $name: decode(encode(x)) != x"; fail=1; }
    [ $fail = 0 ] && echo "ok   $name: $n documents identical to tiktoken r50k_base (3 loaders, special and ordinary), round trip exact"
done

# The other encodings npm tiktoken ships, each from a .tiktoken file written from its ranks
# (the file says nothing of pre-tokenization: lmkit knows the rule by the number of ranks),
# and from the tokenizer.json `encode --save-tokenizer` converts it to, in lmkit and (when
# installed) in Hugging Face tokenizers. HF runs on the edge cases and the Chinese corpus only
# (it is slow). Without LMK_TOK_FULL=1 the English corpus is left to the r50k checks above.
other_files=()
for f in "${files[@]}"; do
    case $(basename "$f") in corpus-en*) [ "${LMK_TOK_FULL:-0}" = 1 ] && other_files+=("$f") ;; *) other_files+=("$f") ;; esac
done
for enc in p50k_base cl100k_base o200k_base; do
    $REF write-tiktoken "$tmp/$enc.tiktoken" --encoding "$enc"
    "$LMK_BIN/encode" -q -t "$tmp/$enc.tiktoken" --save-tokenizer "$tmp/$enc.json"
    for f in "${other_files[@]}"; do
        name=$(basename "$f")
        $REF tiktoken-ids "$f" --encoding "$enc" >"$tmp/ref.ids"
        for tok in "$tmp/$enc.tiktoken" "$tmp/$enc.json"; do
            "$LMK_BIN/encode" -q -t "$tok" --format ids "$f" -o "$tmp/got.ids"
            cmp -s "$tmp/ref.ids" "$tmp/got.ids" || {
                echo "FAIL $name with $(basename "$tok"): ids differ from tiktoken $enc:"
                diff <(awk '{print NR": "$0}' "$tmp/ref.ids") <(awk '{print NR": "$0}' "$tmp/got.ids") | head -6 | cut -c1-300
                fail=1
            }
        done
        if [ -d "$NPM/tokenizers" ] && [ "${name#corpus-en}" = "$name" ]; then
            $REF hf-ids "$tmp/$enc.json" "$f" >"$tmp/hf.ids"
            cmp -s "$tmp/ref.ids" "$tmp/hf.ids" || { echo "FAIL $name: HF tokenizers on lmkit's $enc tokenizer.json differs from tiktoken"; fail=1; }
        fi
        [ $fail = 0 ] && echo "ok   $name: $(wc -l <"$tmp/ref.ids") documents identical to tiktoken $enc (.tiktoken and tokenizer.json)"
    done
done
exit $fail
