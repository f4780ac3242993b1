#!/usr/bin/env bash
# pretrain: an interrupted run (--stop-after, then SIGINT) resumed with --resume ends with
# weights and optimizer state byte-identical to an uninterrupted run; outputs are complete.
set -eu
: "${LMK_BIN:?}"
for t in pretrain char-shards; do [ -x "$LMK_BIN/$t" ] || { echo "no $t built"; exit 77; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for i in $(seq 1 60); do
    echo "the quick brown fox $i jumps over the lazy dog; the dog sleeps, the fox runs."
done >corpus.txt
"$LMK_BIN/char-shards" -q corpus.txt -o data
common=(--train 'data/train_*.bin' --val data/val_000000.bin --tokenizer data/tokenizer.json
        --layers 2 --heads 2 --dim 32 --ctx 32 --batch 4 --grad-accum 2 --lr 3e-3
        --warmup 3 --min-lr 3e-4 --eval-batches 2 --dropout 0.1 --seed 7 -j 1 -q)
run12=(--steps 12 --eval-every 4)

"$LMK_BIN/pretrain" -o A "${common[@]}" "${run12[@]}"
for f in config.json model.safetensors optimizer.safetensors trainer_state.json tokenizer.json metrics.jsonl loss.svg; do
    [ -s "A/$f" ] || { echo "FAIL: A/$f missing"; exit 1; }
done
[ "$(grep -c '"loss"' A/metrics.jsonl)" = 12 ] || { echo "FAIL: expected 12 step rows"; exit 1; }
[ "$(grep -c '"val_loss"' A/metrics.jsonl)" = 3 ] || { echo "FAIL: expected 3 eval rows"; exit 1; }
grep -q '"model_type": "gpt2"' A/config.json

# Interrupted at step 5, resumed to 12.
"$LMK_BIN/pretrain" -o B "${common[@]}" "${run12[@]}" --stop-after 5
grep -q '"step": 5,' B/trainer_state.json
"$LMK_BIN/pretrain" --resume B -q -j 1
cmp A/model.safetensors B/model.safetensors
cmp A/optimizer.safetensors B/optimizer.safetensors

# Resuming a finished run evaluates it again (here on every validation token) and trains nothing.
cp A/model.safetensors A.before
"$LMK_BIN/pretrain" --resume A -j 1 --eval-batches 0 2>eval.txt
grep -q 'val loss [0-9.]* (every token)' eval.txt || { cat eval.txt; echo "FAIL: no whole-split evaluation"; exit 1; }
[ "$(grep -c '"val_loss"' A/metrics.jsonl)" = 4 ] || { echo "FAIL: expected a 4th eval row"; exit 1; }
cmp A/model.safetensors A.before

# A flag value out of its range is a usage error (exit 2), named, and leaves no run directory.
for flag in "--eval-batches -1" "--beta2 1" "--weight-decay -0.1" "--batch-tokens -8" "--stop-after -1"; do
    status=0
    # shellcheck disable=SC2086
    "$LMK_BIN/pretrain" -o N "${common[@]}" --steps 2 $flag 2>err.txt || status=$?
    [ "$status" = 2 ] && grep -q -- "${flag%% *}" err.txt && [ ! -e N ] ||
        { cat err.txt; echo "FAIL: $flag gave $status"; exit 1; }
done

# A flag that would make a different run is refused on --resume (exit 2, named, with the
# way to do it), and the run is left as it was; the flags that apply still do.
cp A/trainer_state.json A.state
for flag in "--lr 1e-4" "--layers 3" "--seed 9" "--tokenizer data/tokenizer.json"; do
    status=0
    # shellcheck disable=SC2086
    "$LMK_BIN/pretrain" --resume A -j 1 --steps 14 $flag 2>err.txt || status=$?
    [ "$status" = 2 ] && grep -q -- "${flag%% *} cannot change a resumed run" err.txt && grep -q -- "--init-from" err.txt ||
        { cat err.txt; echo "FAIL: --resume with $flag gave $status"; exit 1; }
    cmp A/trainer_state.json A.state
    cmp A/model.safetensors A.before
done

# The way on with other options: a new run from the finished one. It starts from A's weights
# (its first loss well below a fresh model's, ~3.7) and takes A's tokenizer along.
"$LMK_BIN/pretrain" -o F --init-from A --train 'data/train_*.bin' --ctx 32 --batch 4 --lr 1e-4 --steps 2 -j 1 -q
"$LMK_BIN/pretrain" -o H --train 'data/train_*.bin' --tokenizer data/tokenizer.json --layers 2 --heads 2 --dim 32 \
    --ctx 32 --batch 4 --lr 1e-4 --steps 2 -j 1 -q
cmp A/tokenizer.json F/tokenizer.json
first_loss() { sed -n '1s/.*"loss": \([0-9.]*\).*/\1/p' "$1/metrics.jsonl"; }
awk -v f="$(first_loss F)" -v h="$(first_loss H)" 'BEGIN { exit !(f < h - 0.3) }' ||
    { echo "FAIL: --init-from run starts at loss $(first_loss F), a fresh one at $(first_loss H)"; exit 1; }
# --ctx beyond the model's positions is a usage error.
status=0
"$LMK_BIN/pretrain" -o G --init-from A --train 'data/train_*.bin' --ctx 64 --steps 2 -j 1 -q 2>err.txt || status=$?
[ "$status" = 2 ] && grep -q "exceeds the model's n_positions" err.txt || { cat err.txt; echo "FAIL: --ctx 64 gave $status"; exit 1; }

# A second -o into an existing run is refused (exit 1, with a hint to --resume).
if "$LMK_BIN/pretrain" -o A "${common[@]}" "${run12[@]}" 2>err.txt; then echo "FAIL: reused a run directory"; exit 1; fi
grep -q -- "--resume" err.txt

# SIGINT: the step finishes, a checkpoint is written, exit status 130; resuming extends it.
"$LMK_BIN/pretrain" -o C "${common[@]}" --steps 100000 2>/dev/null &
pid=$!
for _ in $(seq 1 600); do
    [ -f C/metrics.jsonl ] && [ "$(wc -l <C/metrics.jsonl)" -ge 3 ] && break
    sleep 0.1
done
kill -INT "$pid"
status=0
wait "$pid" || status=$?
[ "$status" = 130 ] || { echo "FAIL: exit status $status after SIGINT, expected 130"; exit 1; }
step=$(sed -n 's/^  "step": \([0-9]*\),$/\1/p' C/trainer_state.json)
[ -n "$step" ] && [ "$step" -ge 3 ] || { echo "FAIL: no checkpoint after SIGINT"; exit 1; }
"$LMK_BIN/pretrain" --resume C --steps $((step + 2)) -q -j 1
grep -q "\"step\": $((step + 2))," C/trainer_state.json
echo "ok: resume bit-identical, SIGINT -> 130 at step $step"
