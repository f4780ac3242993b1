#!/usr/bin/env bash
# tok_hf_parity: tokenizer.json files that train-tokenizer writes (bpe, wordpiece, unigram)
# load in Hugging Face tokenizers (npm `tokenizers`) and give the same ids as `encode`, and
# GPT-2's tokenizer.json gives the same ids in both. Skips (77) without node or the npm
# package (LMK_NPM_REF, default ../npm-ref/node_modules). Training corpus: the 1 MB Debian-docs
# sample (LMK_CORPUS, default ../corpus) when built, else the repository's own docs/*.md.
set -euo pipefail
: "${LMK_BIN:?}" "${LMK_SRC:?}"
NPM=${LMK_NPM_REF:-$LMK_SRC/../npm-ref/node_modules}
CORPUS=${LMK_CORPUS:-$LMK_SRC/../corpus}
command -v node >/dev/null || { echo "node absent: skipped"; exit 77; }
[ -d "$NPM/tokenizers" ] || { echo "$NPM/tokenizers absent: skipped"; exit 77; }
export NODE_PATH=$NPM
REF="node $LMK_SRC/tests/scripts/tok_ref.js"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -f "$CORPUS/corpus-en-1mb.jsonl" ]; then
    train=$CORPUS/corpus-en-1mb.jsonl
    head -c 300000 "$CORPUS/corpus-zh.jsonl" | head -n -1 >"$tmp/zh.jsonl"
    cat "$train" "$tmp/zh.jsonl" >"$tmp/test.jsonl"
else
    for f in "$LMK_SRC"/docs/*.md "$LMK_SRC"/README.md; do
        [ -f "$f" ] && node -e 'const fs=require("fs");console.log(JSON.stringify({text: fs.readFileSync(process.argv[1],"utf8")}))' "$f"
    done >"$tmp/train.jsonl"
    train=$tmp/train.jsonl
    cp "$train" "$tmp/test.jsonl"
fi
# Edge cases every model must agree on.
cat >>"$tmp/test.jsonl" <<'JSONL'
{"text": "Caf\u00e9 na\u00efve \uff26\uff55\uff4c\uff4c\u3000width \u2460 \u4e2d\u6587 e\u0301 <|endoftext|> [CLS] x"}
{"text": "  spaces   and\ttabs\nnewlines \u00a0nbsp \u200bzwsp emoji \ud83d\ude00!"}
JSONL

fail=0
check() { # name tokenizer.json [encode flags...]
    local name=$1 tok=$2
    shift 2
    "$LMK_BIN/encode" -q -t "$tok" --format ids "$@" "$tmp/test.jsonl" -o "$tmp/ours.ids"
    $REF hf-ids "$tok" "$tmp/test.jsonl" >"$tmp/hf.ids"
    local n
    n=$(wc -l <"$tmp/hf.ids")
    if cmp -s "$tmp/ours.ids" "$tmp/hf.ids"; then
        echo "ok   $name: $n documents, ids identical to HF tokenizers"
    else
        echo "FAIL $name: ids differ from HF tokenizers; first differences:"
        diff <(awk '{print NR": "$0}' "$tmp/hf.ids") <(awk '{print NR": "$0}' "$tmp/ours.ids") | head -4 | cut -c1-300
        fail=1
    fi
}
GPT2=$LMK_SRC/../shared/data/tokenizers/gpt2/tokenizer.json
[ -f "$GPT2" ] && check gpt2 "$GPT2"
"$LMK_BIN/train-tokenizer" -q --model bpe --vocab-size 2000 "$train" -o "$tmp/bpe.json"
check bpe "$tmp/bpe.json"
"$LMK_BIN/train-tokenizer" -q --model wordpiece --lowercase --vocab-size 2000 "$train" -o "$tmp/wp.json"
check wordpiece "$tmp/wp.json"
"$LMK_BIN/train-tokenizer" -q --model unigram --vocab-size 2000 "$train" -o "$tmp/uni.json"
check unigram "$tmp/uni.json"
# Training itself: HF's BpeTrainer (byte-level, its default 30000 vocabulary) and ours on the
# same text must learn the same merges in the same order. HF seeds only the bytes it sees, so
# it has room for more merges: ours must be a prefix of HF's.
node -e 'const fs=require("fs");const o=[];for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")) if(l.trim()) o.push(JSON.parse(l).text);fs.writeFileSync(process.argv[2],o.join(""))' "$train" "$tmp/train.txt"
cat >"$tmp/hf_train.js" <<'JS'
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('tokenizers');
const tk = new Tokenizer(BPE.empty());
tk.setPreTokenizer(byteLevelPreTokenizer(false, true));
tk.train([process.argv[2]]);
tk.save(process.argv[3]);
JS
RAYON_NUM_THREADS=1 node "$tmp/hf_train.js" "$tmp/train.txt" "$tmp/hf_bpe.json" >/dev/null 2>&1
"$LMK_BIN/train-tokenizer" -q --model bpe --vocab-size 30000 --format text "$tmp/train.txt" -o "$tmp/our_bpe.json"
node -e '
  const fs=require("fs");
  const m=(f)=>JSON.parse(fs.readFileSync(f,"utf8")).model.merges.map(x=>Array.isArray(x)?x.join(" "):x);
  const hf=m(process.argv[1]), ours=m(process.argv[2]);
  let i=0; while(i<ours.length && i<hf.length && ours[i]===hf[i]) i++;
  if (i===ours.length && ours.length>0) console.log("ok   bpe training: our "+ours.length+" merges are HF BpeTrainer\x27s first "+ours.length+" (of "+hf.length+"), in order");
  else { console.log("FAIL bpe training: merge "+i+" differs: ours "+ours[i]+", HF "+hf[i]); process.exit(1); }
' "$tmp/hf_bpe.json" "$tmp/our_bpe.json" || fail=1
exit $fail
