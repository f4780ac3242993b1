#!/usr/bin/env bash
# eval-fewshot's per-choice log-likelihoods equal a plain-PyTorch GPT-2 forward on the same
# checkpoint (scripts/eval_reference.py) to 1e-4, zero- and few-shot. Skips (77) without torch.
set -eu
: "${LMK_BIN:?}" "${LMK_SRC:?}"
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import torch" 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "eval_reference: no python3 with torch, skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$LMK_BIN/gen-eval-fixture" fx
"$LMK_BIN/eval-fewshot" -q -m fx/model --task fx/task.json --shots 0,3 --samples s.jsonl -o r.json
"$PY" "$LMK_SRC/scripts/eval_reference.py" check --model fx/model --samples s.jsonl --tol 1e-4
