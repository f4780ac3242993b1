#!/usr/bin/env bash
# pretrain + PyTorch: a checkpoint written by pretrain loads into an independent plain-torch
# GPT-2 (scripts/gpt2_reference.py, HF names and Conv1D layouts) and gives the same logits
# to 1e-4, for GPT-2's architecture and for the post-LN/sinusoidal/ReLU variant.
# Skipped (77) when no python3 with torch is installed.
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
py=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skip: no python3 with torch"; exit 77; }
for t in pretrain char-shards gpt-logits; do [ -x "$LMK_BIN/$t" ] || { echo "no $t built"; exit 77; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for i in $(seq 1 40); do echo "hickory dickory dock, the mouse ran up the clock $i."; done >corpus.txt
"$LMK_BIN/char-shards" -q corpus.txt -o data
common=(--train 'data/train_*.bin' --tokenizer data/tokenizer.json --layers 2 --heads 2 --dim 32
        --ctx 32 --batch 4 --steps 15 --lr 1e-2 -q -j 1)
"$LMK_BIN/pretrain" -o gpt2 "${common[@]}"
"$LMK_BIN/pretrain" -o variant "${common[@]}" --norm post --positions sinusoidal --activation relu
ids=3,1,4,1,5,9,2,6,5,3,5,8,9,7,9,3,2,3,8,4
for m in gpt2 variant; do
    "$LMK_BIN/gpt-logits" -m $m --ids $ids >$m.logits.json
    "$py" "$LMK_SRC/scripts/gpt2_reference.py" $m --ids $ids --logits $m.logits.json --tol 1e-4
done
