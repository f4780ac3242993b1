#!/usr/bin/env bash
# bench-tok: tokenizer encode throughput (MB/s, one thread, pinned) for lmkit's encode, npm
# tiktoken (r50k_base, WASM) and npm HF tokenizers (GPT-2 tokenizer.json), all on the same
# Debian-docs English corpus; then BPE training time and peak memory for lmkit vs HF
# tokenizers (30k vocabulary, byte-level). Prints ratios. Needs ../corpus (make-doc-corpus.sh)
# and ../shared; the npm peers are skipped when LMK_NPM_REF (default ../npm-ref/node_modules)
# lacks them. LMK_BENCH_CORPUS overrides the corpus (default corpus-en.jsonl, 32 MB).
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
NPM=${LMK_NPM_REF:-$LMK_SRC/../npm-ref/node_modules}
CORPUS=${LMK_BENCH_CORPUS:-${LMK_CORPUS:-$LMK_SRC/../corpus}/corpus-en.jsonl}
GPT2=$LMK_SRC/../shared/data/tokenizers/gpt2
CPU=${LMK_BENCH_CPU:-1}
[ -f "$CORPUS" ] || { echo "bench-tok: $CORPUS absent (run ../shared/scripts/make-doc-corpus.sh ../corpus); skipped"; exit 0; }
[ -f "$GPT2/tokenizer.json" ] || { echo "bench-tok: $GPT2 absent; skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mb=$(( $(stat -c %s "$CORPUS") ))
echo "corpus: $CORPUS ($(awk -v b=$mb 'BEGIN{printf "%.1f", b/1e6}') MB of JSONL), pinned to CPU $CPU, 1 thread"

# Best of 3 wall-clock runs; prints seconds.
best_of3() {
    local best=""
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null
        t1=$(date +%s.%N)
        best=$(awk -v a="$best" -v b="$(awk -v x=$t0 -v y=$t1 'BEGIN{print y-x}')" 'BEGIN{ if (a=="" || b<a) print b; else print a }')
    done
    echo "$best"
}
# Text bytes (the "text" fields), so MB/s means the same thing for every tool.
text_mb=$(node -e 'const fs=require("fs");let n=0;for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")) if(l.trim()) n+=Buffer.byteLength(JSON.parse(l).text);console.log(n/1e6)' "$CORPUS" 2>/dev/null || echo "$mb" | awk '{print $1/1e6}')

ours_s=$(best_of3 taskset -c "$CPU" "$LMK_BIN/encode" -q -j 1 -t "$GPT2/tokenizer.json" --format ids "$CORPUS" -o "$tmp/ids")
ours=$(awk -v m="$text_mb" -v s="$ours_s" 'BEGIN{printf "%.1f", m/s}')
echo "lmkit encode (GPT-2, 1 thread): $ours MB/s (${ours_s} s for ${text_mb} MB of text, incl. JSONL read and id output)"
ours2_s=$(best_of3 taskset -c 0,1 "$LMK_BIN/encode" -q -j 2 -t "$GPT2/tokenizer.json" --format ids "$CORPUS" -o "$tmp/ids2")
cmp -s "$tmp/ids" "$tmp/ids2" || echo "bench-tok: -j 1 and -j 2 outputs differ!" >&2
echo "lmkit encode (GPT-2, 2 threads): $(awk -v m="$text_mb" -v s="$ours2_s" 'BEGIN{printf "%.1f", m/s}') MB/s"

if command -v node >/dev/null && [ -d "$NPM/tiktoken" ]; then
    export NODE_PATH=$NPM
    tt=$(taskset -c "$CPU" node "$LMK_SRC/tests/scripts/tok_ref.js" bench-tiktoken "$CORPUS" | sed -E 's/.*"mb_per_s":([0-9.]+).*/\1/')
    echo "tiktoken r50k_base (npm, WASM, 1 thread): $(printf %.1f "$tt") MB/s -> lmkit/tiktoken = $(awk -v a=$ours -v b=$tt 'BEGIN{printf "%.2f", a/b}')x"
else
    echo "tiktoken: npm package absent, skipped"
fi
if command -v node >/dev/null && [ -d "$NPM/tokenizers" ]; then
    export NODE_PATH=$NPM
    hf=$(taskset -c "$CPU" node "$LMK_SRC/tests/scripts/tok_ref.js" bench-hf "$GPT2/tokenizer.json" "$CORPUS" | sed -E 's/.*"mb_per_s":([0-9.]+).*/\1/')
    echo "HF tokenizers (npm, GPT-2 tokenizer.json, 1 thread): $(printf %.1f "$hf") MB/s -> lmkit/HF = $(awk -v a=$ours -v b=$hf 'BEGIN{printf "%.2f", a/b}')x"
fi

# BPE training: 30k byte-level vocabulary over the same corpus (as text), one thread.
node -e 'const fs=require("fs");const o=[];for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")) if(l.trim()) o.push(JSON.parse(l).text);fs.writeFileSync(process.argv[2],o.join(""))' "$CORPUS" "$tmp/corpus.txt" 2>/dev/null || true
if [ -s "$tmp/corpus.txt" ]; then
    /usr/bin/time -f "%e %M" -o "$tmp/t" taskset -c "$CPU" "$LMK_BIN/train-tokenizer" -q -j 1 --model bpe --vocab-size 30000 \
        --format text "$tmp/corpus.txt" -o "$tmp/bpe.json"
    read -r s kb <"$tmp/t"
    echo "lmkit train-tokenizer bpe 30k (1 thread): $s s, peak $((kb / 1024)) MB"
    if command -v node >/dev/null && [ -d "$NPM/tokenizers" ]; then
        cat >"$tmp/hf_train.js" <<'JS'
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('tokenizers');
const tk = new Tokenizer(BPE.empty());
tk.setPreTokenizer(byteLevelPreTokenizer(false, true));
tk.train([process.argv[2]]);
tk.save(process.argv[3]);
JS
        /usr/bin/time -f "%e %M" -o "$tmp/t2" taskset -c "$CPU" env RAYON_NUM_THREADS=1 node "$tmp/hf_train.js" "$tmp/corpus.txt" "$tmp/hf.json" 2>/dev/null || true
        if [ -s "$tmp/t2" ]; then
            read -r s2 kb2 <"$tmp/t2"
            echo "HF tokenizers BpeTrainer 30k (npm, 1 thread): $s2 s, peak $((kb2 / 1024)) MB -> time ratio HF/lmkit = $(awk -v a=$s2 -v b=$s 'BEGIN{printf "%.2f", a/b}')x"
        fi
    fi
    for m in wordpiece unigram; do
        /usr/bin/time -f "%e %M" -o "$tmp/t3" taskset -c "$CPU" "$LMK_BIN/train-tokenizer" -q -j 1 --model $m --vocab-size 30000 \
            --format text "$tmp/corpus.txt" -o "$tmp/$m.json" || continue
        read -r s3 kb3 <"$tmp/t3"
        echo "lmkit train-tokenizer $m 30k (1 thread): $s3 s, peak $((kb3 / 1024)) MB"
    done
fi
