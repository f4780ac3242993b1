#!/usr/bin/env bash
# demo.sh [BIN_DIR]: the `make demo` driver. Runs lmkit's pipeline end to end on the embedded
# dataset, from a synthetic Common Crawl WET file to an evaluated model:
#
#   inspect -> clean-corpus -> dedup -> train-tokenizer -> encode -> pretrain -> generate
#           -> finetune -> train-rm -> ppo -> eval-fewshot
#
# The data (scripts/gen/gen-demo-data.cpp) is generated into out/demo/data once (again when the
# size or seed below changes). Each stage runs when its program exists in BIN_DIR and its input
# was made; otherwise it is skipped with a line saying why. Every stage's stderr is kept in
# out/demo/logs/. At the end: what was made, where, and how big. Exit status: 0 when every stage
# that ran succeeded, 1 if one failed (its dependants are skipped).
#
# Sizes (environment overrides): DEMO_MB (web text, MiB), DEMO_THREADS, DEMO_SEED, and the
# model/training sizes below. The defaults target ~5 minutes on 2 cores with every stage present.
set -uo pipefail

BIN=${1:-build/bin}
OUT=${DEMO_OUT:-out/demo}
DATA=$OUT/data
LOGS=$OUT/logs

DEMO_MB=${DEMO_MB:-4}                 # uncompressed text in web.warc.wet.gz
THREADS=${DEMO_THREADS:-$(nproc 2>/dev/null || echo 2)}
SEED=${DEMO_SEED:-1337}
VOCAB=${DEMO_VOCAB:-1024}             # BPE vocabulary (counts <|endoftext|>)
VAL_TOKENS=${DEMO_VAL_TOKENS:-32768}  # first shard is the validation split
LAYERS=${DEMO_LAYERS:-4}
HEADS=${DEMO_HEADS:-4}
DIM=${DEMO_DIM:-128}
CTX=${DEMO_CTX:-128}
BATCH=${DEMO_BATCH:-16}
STEPS=${DEMO_STEPS:-600}              # pretraining steps (~2 minutes on 2 cores)
LR=${DEMO_LR:-2e-3}
SFT_STEPS=${DEMO_SFT_STEPS:-150}
RM_STEPS=${DEMO_RM_STEPS:-100}
PPO_STEPS=${DEMO_PPO_STEPS:-20}
EVAL_SHOTS=${DEMO_EVAL_SHOTS:-0,5}

COMMON=(-j "$THREADS" --seed "$SEED")

# ---- the stages: one function each, with the flags of docs/TOOLS.md ------------------------

stage_inspect() {
    "$BIN/inspect" "$DATA/web.warc.wet.gz"
}
stage_clean_corpus() {
    "$BIN/clean-corpus" "${COMMON[@]}" --lang en "$DATA/web.warc.wet.gz" -o "$OUT/clean.jsonl.gz" \
        --rejected "$OUT/rejected.jsonl.gz" --stats "$OUT/clean_stats.json"
}
stage_dedup() {
    "$BIN/dedup" exact "${COMMON[@]}" "$OUT/clean.jsonl.gz" -o "$OUT/exact.jsonl.gz" \
        --duplicates "$OUT/duplicates_exact.jsonl.gz" --stats "$OUT/dedup_exact_stats.json" &&
    "$BIN/dedup" minhash "${COMMON[@]}" "$OUT/exact.jsonl.gz" -o "$OUT/dedup.jsonl.gz" \
        --duplicates "$OUT/duplicates_minhash.jsonl.gz" --stats "$OUT/dedup_minhash_stats.json"
}
stage_train_tokenizer() {
    "$BIN/train-tokenizer" "${COMMON[@]}" --model bpe --vocab-size "$VOCAB" -o "$OUT/tokenizer.json" "$CORPUS"
}
stage_encode() {
    mkdir -p "$OUT/shards" &&
    "$BIN/encode" "${COMMON[@]}" -t "$OUT/tokenizer.json" --val-tokens "$VAL_TOKENS" "$CORPUS" -o "$OUT/shards/demo"
}
stage_pretrain() {
    "$BIN/pretrain" "${COMMON[@]}" --arch gpt -o "$OUT/model" --tokenizer "$OUT/tokenizer.json" \
        --train "$OUT/shards/demo_train_*.bin" --val "$OUT/shards/demo_val_*.bin" \
        --layers "$LAYERS" --heads "$HEADS" --dim "$DIM" --ctx "$CTX" --batch "$BATCH" \
        --steps "$STEPS" --lr "$LR" --warmup $((STEPS / 20)) --schedule cosine --eval-every $((STEPS / 6))
}
stage_generate() {
    {
        "$BIN/generate" "${COMMON[@]}" -m "$OUT/model" --prompt "Once upon a time" --max-new-tokens 80 \
            --temperature 0.8 --top-k 40 && echo &&
        "$BIN/generate" "${COMMON[@]}" -m "$OUT/model" --prompt "Question: What sound does a cow make? Answer:" \
            --max-new-tokens 12 --temperature 0 --stop $'\n' && echo
    } >"$OUT/samples.txt" && cat "$OUT/samples.txt"
}
stage_finetune() {
    "$BIN/finetune" "${COMMON[@]}" -m "$OUT/model" --data "$DATA/sft.jsonl" -o "$OUT/sft" --steps "$SFT_STEPS"
}
stage_train_rm() {
    "$BIN/train-rm" "${COMMON[@]}" -m "$TUNED" --data "$DATA/preferences.jsonl" -o "$OUT/rm" --steps "$RM_STEPS"
}
stage_ppo() {
    "$BIN/ppo" "${COMMON[@]}" --policy "$TUNED" --reward "$OUT/rm" --prompts "$DATA/prompts.jsonl" \
        -o "$OUT/ppo" --steps "$PPO_STEPS"
}
stage_eval_fewshot() {
    "$BIN/eval-fewshot" "${COMMON[@]}" -m "$OUT/model" --task "$DATA/eval_task.json" --shots "$EVAL_SHOTS" \
        -o "$OUT/eval_results.json" --samples "$OUT/eval_samples.jsonl"
}

# ---- driver ---------------------------------------------------------------------------------

ran=() skipped=() failed=()

say() { printf '\n== %s\n' "$*" >&2; }

# run_stage NAME TOOL [NEEDED_PATH...]: runs stage_NAME when BIN/TOOL exists and every needed
# input exists (an unexpanded glob counts as missing); its stderr is shown and kept in LOGS.
run_stage() {
    local name=$1 tool=$2 need
    shift 2
    if [ ! -x "$BIN/$tool" ]; then
        say "$name: skipped ($tool is not built yet: no $BIN/$tool)"
        skipped+=("$name")
        return
    fi
    for need in "$@"; do
        if ! compgen -G "$need" >/dev/null; then
            say "$name: skipped (needs $need, which an earlier stage did not make)"
            skipped+=("$name")
            return
        fi
    done
    say "$name"
    local log="$LOGS/${name}.log" t0=$SECONDS
    # stdout passes through; stderr is shown and copied into the log.
    { "stage_${name//-/_}" 2>&1 1>&3 | tee "$log" >&2; } 3>&1
    local status=${PIPESTATUS[0]}
    if [ "$status" -ne 0 ]; then
        say "$name: FAILED (exit $status; log: $log)"
        failed+=("$name")
    else
        echo "($name: $((SECONDS - t0)) s)" >&2
        ran+=("$name")
    fi
}

if [ ! -x "$BIN/gen-demo-data" ]; then
    echo "demo.sh: $BIN/gen-demo-data not found; build first (make)" >&2
    exit 1
fi
mkdir -p "$DATA"
# Every run starts from the data alone: outputs of an earlier run never stand in for a stage.
# (Only the names this script makes are removed, whatever DEMO_OUT points at.)
for f in logs clean.jsonl.gz rejected.jsonl.gz clean_stats.json exact.jsonl.gz dedup.jsonl.gz \
         duplicates_exact.jsonl.gz duplicates_minhash.jsonl.gz dedup_exact_stats.json dedup_minhash_stats.json \
         tokenizer.json shards model samples.txt sft rm ppo eval_results.json eval_samples.jsonl; do
    rm -rf "${OUT:?}/$f"
done
mkdir -p "$LOGS"
stamp="mb=$DEMO_MB seed=$SEED"
if [ "$(cat "$DATA/.made-with" 2>/dev/null)" != "$stamp" ]; then
    say "generating the demo data into $DATA ($stamp)"
    "$BIN/gen-demo-data" --seed "$SEED" --mb "$DEMO_MB" "$DATA" || { echo "demo.sh: gen-demo-data failed" >&2; exit 1; }
    echo "$stamp" >"$DATA/.made-with"
else
    say "demo data: $DATA (already made; delete it to regenerate)"
fi

start=$SECONDS
run_stage inspect inspect "$DATA/web.warc.wet.gz"
run_stage clean-corpus clean-corpus "$DATA/web.warc.wet.gz"
run_stage dedup dedup "$OUT/clean.jsonl.gz"
# Later stages take the most processed corpus there is (dedup's, else clean-corpus's).
CORPUS=$OUT/dedup.jsonl.gz
if [ ! -e "$CORPUS" ] && [ -e "$OUT/clean.jsonl.gz" ]; then
    CORPUS=$OUT/clean.jsonl.gz
    say "note: no deduplicated corpus; the next stages use $CORPUS"
fi
run_stage train-tokenizer train-tokenizer "$CORPUS"
run_stage encode encode "$OUT/tokenizer.json" "$CORPUS"
run_stage pretrain pretrain "$OUT/shards/demo_train_*.bin" "$OUT/shards/demo_val_*.bin"
run_stage generate generate "$OUT/model/model.safetensors"
run_stage finetune finetune "$OUT/model/model.safetensors" "$DATA/sft.jsonl"
# The reward model and PPO start from the fine-tuned model (the pretrained one without it).
TUNED=$OUT/sft
[ -e "$TUNED" ] || TUNED=$OUT/model
run_stage train-rm train-rm "$TUNED/model.safetensors" "$DATA/preferences.jsonl"
run_stage ppo ppo "$TUNED/model.safetensors" "$OUT/rm" "$DATA/prompts.jsonl"
run_stage eval-fewshot eval-fewshot "$OUT/model/model.safetensors" "$DATA/eval_task.json"

# ---- what was made ----------------------------------------------------------------------------

# kind_report LABEL FILE: how many pages of each kind (data/web_pages.jsonl, the generator's
# answer key) survive as documents in FILE (JSONL whose "id" is the WARC-Record-ID).
kind_report() {
    [ -e "$2" ] && [ -e "$DATA/web_pages.jsonl" ] || return 0
    { cat "$DATA/web_pages.jsonl"; echo "--"; gzip -cdf "$2"; } | LC_ALL=C awk -v label="$1" '
        function field(name) { # the first "name":"value" on the line
            if (!match($0, "\"" name "\":\"[^\"]*\"")) return ""
            return substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
        }
        $0 == "--" { docs = 1; next }
        !docs { k = field("kind"); kind[field("id")] = k; total[k]++; next }
        { id = field("id"); if (id in kind) kept[kind[id]]++ }
        END {
            n = split("story qa facts exact-duplicate near-duplicate lorem non-english junk", order, " ")
            line = ""
            for (i = 1; i <= n; i++) if (order[i] in total) line = line sprintf("%s %d/%d, ", order[i], kept[order[i]], total[order[i]])
            printf "  %-28s %s\n", label, substr(line, 1, length(line) - 2)
        }' >&2
}

say "made in $((SECONDS - start)) s (stages ran: ${ran[*]:-none}; skipped: ${skipped[*]:-none}; failed: ${failed[*]:-none})"
{
    for f in "$DATA"/* "$OUT"/*.jsonl.gz "$OUT"/*.json "$OUT"/samples.txt "$OUT"/shards/*.bin \
             "$OUT"/model "$OUT"/sft "$OUT"/rm "$OUT"/ppo; do
        [ -e "$f" ] && du -sh "$f"
    done
} 2>/dev/null | awk '{ printf "  %6s  %s\n", $1, $2 }' >&2
if [ -e "$OUT/clean.jsonl.gz" ]; then
    say "pages of each kind kept (kept/generated; data/web_pages.jsonl says which page is which)"
    kind_report "after clean-corpus:" "$OUT/clean.jsonl.gz"
    kind_report "after dedup exact:" "$OUT/exact.jsonl.gz"
    kind_report "after dedup minhash:" "$OUT/dedup.jsonl.gz"
fi
if [ -x "$BIN/inspect" ]; then
    summary=()
    for f in "$OUT/clean.jsonl.gz" "$OUT/dedup.jsonl.gz" "$OUT"/shards/*.bin "$OUT/model/model.safetensors"; do
        [ -e "$f" ] && summary+=("$f")
    done
    if [ ${#summary[@]} -gt 0 ]; then
        say "inspect of the pipeline's outputs"
        "$BIN/inspect" "${summary[@]}" >&2 || true
    fi
fi
[ -s "$OUT/samples.txt" ] && { say "samples from the pretrained model ($OUT/samples.txt)"; cat "$OUT/samples.txt" >&2; }
[ -s "$OUT/eval_results.json" ] && say "evaluation results: $OUT/eval_results.json"
[ -e "$OUT/model/metrics.jsonl" ] && say "training metrics: $OUT/model/metrics.jsonl (loss curve beside it)"
[ ${#failed[@]} -eq 0 ]
