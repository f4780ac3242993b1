#!/usr/bin/env bash
# bench-tok: tokenizer throughput and training cost against the peers people use.
#   encode: lmkit `encode` (GPT-2 tokenizer.json, -j 1) vs npm tiktoken (r50k_base, WASM) and
#           npm HF tokenizers (same tokenizer.json), one thread each, pinned to one CPU, on the
#           Debian-docs English corpus; also lmkit with -j 2 (output must be identical).
#   train:  BPE 30k byte-level, lmkit `train-tokenizer -j 1` vs HF BpeTrainer (npm, one rayon
#           thread), time and peak memory; lmkit WordPiece 30k.
#   unigram: lmkit `train-tokenizer --model unigram -j 1` vs spm_train (sentencepiece, one
#           thread, settings matched to lmkit's pipeline: NFKC, spaces kept, no script or
#           number splitting, no byte fallback, <unk> only), 32000 pieces, on the same lines
#           of text (every non-blank line of the training documents as one sentence; lmkit
#           reads each as a JSONL document). Quality on the held-out documents' lines: bytes
#           per token and nats per byte (bench_unigram_ll), both vocabularies through lmkit's
#           encoder, spm's loaded from its .vocab. Skipped when spm_train is absent.
#           LMK_BENCH_TOK_ONLY=unigram runs this part alone.
#   quality: bytes per token of both trained BPE vocabularies on held-out text (the corpus's
#           last 300 documents, left out of training), through lmkit's encoder for both files.
# Figures are CPU seconds (user + system) so a loaded machine stays fair; wall seconds are
# printed too. lmkit's encode time is the whole process (tokenizer load, JSONL parsing, id
# output); the peers' is their encode loop alone. Needs ../corpus (make-doc-corpus.sh),
# ../shared and node with tiktoken + tokenizers under LMK_NPM_REF (default
# ../npm-ref/node_modules); peers that are absent are skipped.
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
NPM=${LMK_NPM_REF:-$LMK_SRC/../npm-ref/node_modules}
CDIR=${LMK_CORPUS:-$LMK_SRC/../corpus}
CORPUS=${LMK_BENCH_CORPUS:-$CDIR/corpus-en.jsonl}
GPT2=$LMK_SRC/../shared/data/tokenizers/gpt2
CPU=${LMK_BENCH_CPU:-1}
VOCAB=${LMK_BENCH_VOCAB:-30000}
[ -f "$CORPUS" ] || { echo "bench-tok: $CORPUS absent (../shared/scripts/make-doc-corpus.sh ../corpus); skipped"; exit 0; }
[ -f "$GPT2/tokenizer.json" ] || { echo "bench-tok: $GPT2 absent; skipped"; exit 0; }
command -v node >/dev/null || { echo "bench-tok: node absent; skipped"; exit 0; }
export NODE_PATH=$NPM
REF="node $LMK_SRC/tests/scripts/tok_ref.js"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Training text: every document but the last 300, which are held out (bytes per token).
node -e '
  const fs=require("fs");const d=fs.readFileSync(process.argv[1],"utf8").split("\n").filter(l=>l.trim());
  fs.writeFileSync(process.argv[2], d.slice(0,-300).map(l=>JSON.parse(l).text).join(""));
  fs.writeFileSync(process.argv[3], d.slice(-300).join("\n")+"\n");' "$CORPUS" "$tmp/corpus.txt" "$tmp/heldout.jsonl"
HELDOUT=$tmp/heldout.jsonl
text_mb=$(awk -v b="$(stat -c %s "$tmp/corpus.txt")" 'BEGIN{printf "%.2f", b/1e6}')
echo "corpus: $CORPUS, CPU $CPU; training text $text_mb MB (all but the last 300 documents)"

# cpu_time OUT CMD...: runs CMD (stdout discarded), writes "wall cpu peak_kb" to OUT.
cpu_time() {
    local out=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/tm" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
    awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}' "$tmp/tm" >"$out"
}
best_cpu() { # best of 3 runs of CMD; prints "wall cpu"
    local best="" line
    for _ in 1 2 3; do
        cpu_time "$tmp/r" "$@"
        line=$(cat "$tmp/r")
        if [ -z "$best" ] || awk -v a="${line#* }" -v b="${best#* }" 'BEGIN{exit !(a+0 < b+0)}'; then best=$line; fi
    done
    echo "$best" | awk '{print $1, $2}'
}

if [ "${LMK_BENCH_TOK_ONLY:-}" != unigram ]; then
echo "-- encode (GPT-2 / r50k_base), one thread"
read -r w1 c1 < <(best_cpu taskset -c "$CPU" "$LMK_BIN/encode" -q -j 1 -t "$GPT2/tokenizer.json" --format ids "$CORPUS" -o "$tmp/ids1")
all_mb=$(node -e 'const fs=require("fs");let n=0;for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")) if(l.trim()) n+=Buffer.byteLength(JSON.parse(l).text);console.log((n/1e6).toFixed(2))' "$CORPUS")
ours=$(awk -v m="$all_mb" -v c="$c1" 'BEGIN{printf "%.1f", m/c}')
echo "lmkit encode -j 1:        $ours MB/s  (cpu $c1 s, wall $w1 s)"
read -r w2 c2 < <(best_cpu "$LMK_BIN/encode" -q -j 2 -t "$GPT2/tokenizer.json" --format ids "$CORPUS" -o "$tmp/ids2")
cmp -s "$tmp/ids1" "$tmp/ids2" && same=identical || same=DIFFERENT
echo "lmkit encode -j 2:        cpu $c2 s, wall $w2 s (output $same to -j 1)"
if [ -d "$NPM/tiktoken" ]; then
    tt=$(taskset -c "$CPU" $REF bench-tiktoken "$CORPUS")
    tmbs=$(echo "$tt" | sed -E 's/.*"mb_per_cpu_s":([0-9.]+).*/\1/')
    printf 'tiktoken (npm WASM):      %.1f MB/s  -> lmkit/tiktoken = %.2fx\n' "$tmbs" "$(awk -v a=$ours -v b=$tmbs 'BEGIN{print a/b}')"
fi
if [ -d "$NPM/tokenizers" ]; then
    hf=$(taskset -c "$CPU" env RAYON_NUM_THREADS=1 $REF bench-hf "$GPT2/tokenizer.json" "$CORPUS")
    hmbs=$(echo "$hf" | sed -E 's/.*"mb_per_cpu_s":([0-9.]+).*/\1/')
    printf 'HF tokenizers (npm):      %.1f MB/s  -> lmkit/HF = %.2fx\n' "$hmbs" "$(awk -v a=$ours -v b=$hmbs 'BEGIN{print a/b}')"
fi

echo "-- BPE training, $VOCAB tokens, byte-level, one thread"
cpu_time "$tmp/t1" taskset -c "$CPU" "$LMK_BIN/train-tokenizer" -q -j 1 --model bpe --vocab-size "$VOCAB" --format text "$tmp/corpus.txt" -o "$tmp/ours.json"
read -r tw tc tkb <"$tmp/t1"
echo "lmkit train-tokenizer:    cpu $tc s, wall $tw s, peak $((tkb / 1024)) MB"
if [ -d "$NPM/tokenizers" ]; then
    cat >"$tmp/hf_train.js" <<'JS'
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('tokenizers');
const tk = new Tokenizer(BPE.empty());
tk.setPreTokenizer(byteLevelPreTokenizer(false, true));
tk.train([process.argv[2]]);
tk.save(process.argv[3]);
JS
    cpu_time "$tmp/t2" taskset -c "$CPU" env RAYON_NUM_THREADS=1 node "$tmp/hf_train.js" "$tmp/corpus.txt" "$tmp/hf.json"
    read -r hw hc hkb <"$tmp/t2"
    printf 'HF BpeTrainer (npm):      cpu %s s, wall %s s, peak %d MB -> time HF/lmkit = %.2fx, memory %.2fx\n' \
        "$hc" "$hw" $((hkb / 1024)) "$(awk -v a=$hc -v b=$tc 'BEGIN{print a/b}')" "$(awk -v a=$hkb -v b=$tkb 'BEGIN{print a/b}')"
    if [ -f "$HELDOUT" ]; then
        for f in ours hf; do
            "$LMK_BIN/encode" -q -t "$tmp/$f.json" --format ids "$HELDOUT" -o "$tmp/$f.heldout"
        done
        hb=$(node -e 'const fs=require("fs");let n=0;for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")) if(l.trim()) n+=Buffer.byteLength(JSON.parse(l).text);console.log(n)' "$HELDOUT")
        bo=$(tr -cd ',[' <"$tmp/ours.heldout" | wc -c); bh=$(tr -cd ',[' <"$tmp/hf.heldout" | wc -c)
        printf 'bytes/token on held-out %s: lmkit %.3f, HF %.3f (ratio %.4f)\n' "$(basename "$HELDOUT")" \
            "$(awk -v b=$hb -v t=$bo 'BEGIN{print b/t}')" "$(awk -v b=$hb -v t=$bh 'BEGIN{print b/t}')" "$(awk -v a=$bo -v b=$bh 'BEGIN{print b/a}')"
    fi
fi
if cpu_time "$tmp/t3" taskset -c "$CPU" "$LMK_BIN/train-tokenizer" -q -j 1 --model wordpiece --vocab-size "$VOCAB" --format text "$tmp/corpus.txt" -o "$tmp/wp.json"; then
    read -r mw mc mkb <"$tmp/t3"
    echo "lmkit train-tokenizer wordpiece $VOCAB: cpu $mc s, wall $mw s, peak $((mkb / 1024)) MB"
fi
fi

# Unigram vs spm_train.
UVOCAB=${LMK_BENCH_UNIGRAM_VOCAB:-32000}
echo "-- Unigram training, $UVOCAB pieces, one thread"
node -e '
  const fs=require("fs");const d=fs.readFileSync(process.argv[1],"utf8").split("\n").filter(l=>l.trim()).map(l=>JSON.parse(l).text);
  const lines=(ds)=>ds.flatMap(t=>t.split("\n")).filter(l=>l.trim());
  const tr=lines(d.slice(0,-300)), ho=lines(d.slice(-300));
  fs.writeFileSync(process.argv[2], tr.join("\n")+"\n");
  fs.writeFileSync(process.argv[3], tr.map(l=>JSON.stringify({text:l})).join("\n")+"\n");
  fs.writeFileSync(process.argv[4], ho.map(l=>JSON.stringify({text:l})).join("\n")+"\n");' \
    "$CORPUS" "$tmp/uni_train.txt" "$tmp/uni_train.jsonl" "$tmp/uni_held.jsonl"
echo "training lines: $(wc -l <"$tmp/uni_train.txt") ($(awk -v b="$(stat -c %s "$tmp/uni_train.txt")" 'BEGIN{printf "%.2f", b/1e6}') MB); held-out lines: $(wc -l <"$tmp/uni_held.jsonl")"
cpu_time "$tmp/t4" taskset -c "$CPU" "$LMK_BIN/train-tokenizer" -q -j 1 --model unigram --vocab-size "$UVOCAB" "$tmp/uni_train.jsonl" -o "$tmp/uni.json"
read -r uw uc ukb <"$tmp/t4"
echo "lmkit train-tokenizer:    cpu $uc s, wall $uw s, peak $((ukb / 1024)) MB"
if command -v spm_train >/dev/null; then
    cpu_time "$tmp/t5" taskset -c "$CPU" spm_train --input="$tmp/uni_train.txt" --model_prefix="$tmp/spm" \
        --vocab_size="$UVOCAB" --model_type=unigram --num_threads=1 --character_coverage=1.0 \
        --normalization_rule_name=nfkc --remove_extra_whitespaces=false --split_by_unicode_script=false \
        --split_by_number=false --byte_fallback=false --max_sentence_length=1000000 --input_sentence_size=0 \
        --bos_id=-1 --eos_id=-1
    read -r sw sc skb <"$tmp/t5"
    printf 'spm_train %s:  cpu %s s, wall %s s, peak %d MB -> time spm/lmkit = %.2fx, memory %.2fx\n' \
        "$(spm_train --version 2>&1 | awk '{print $2}')" "$sc" "$sw" $((skb / 1024)) \
        "$(awk -v a=$sc -v b=$uc 'BEGIN{print a/b}')" "$(awk -v a=$skb -v b=$ukb 'BEGIN{print a/b}')"
    # spm's pieces and scores in lmkit's pipeline (the same encoder segments both).
    node -e '
      const fs=require("fs");const t=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));
      t.model.vocab=fs.readFileSync(process.argv[2],"utf8").split("\n").filter(l=>l).map(l=>{const [p,s]=l.split("\t");return [p,parseFloat(s)];});
      t.model.unk_id=0;fs.writeFileSync(process.argv[3],JSON.stringify(t));' "$tmp/uni.json" "$tmp/spm.vocab" "$tmp/spm.json"
    if [ -x "$LMK_BIN/bench_unigram_ll" ]; then
        read -r hb ot ou obpt onpb < <("$LMK_BIN/bench_unigram_ll" "$tmp/uni.json" "$tmp/uni_held.jsonl")
        read -r _ st su sbpt snpb < <("$LMK_BIN/bench_unigram_ll" "$tmp/spm.json" "$tmp/uni_held.jsonl")
        printf 'held-out (%s bytes): bytes/token lmkit %s, spm %s (lmkit/spm %.4f); nats/byte lmkit %s, spm %s; unk tokens %s / %s\n' \
            "$hb" "$obpt" "$sbpt" "$(awk -v a=$obpt -v b=$sbpt 'BEGIN{print a/b}')" "$onpb" "$snpb" "$ou" "$su"
    fi
else
    echo "spm_train absent (sentencepiece, scripts/install-deps.sh OPTIONAL): Unigram comparison skipped"
fi
