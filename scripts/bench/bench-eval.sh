#!/usr/bin/env bash
# bench-eval: eval-fewshot's scoring speed against a plain-PyTorch reference (the lm-eval HFLM
# way: every (context, choice) request a full padded sequence, batched, sorted by length) on the
# same model and the same requests (token ids read from eval-fewshot's --samples file), plus the
# largest per-choice log-likelihood difference between the two. Model: a random GPT-2-vocabulary
# model (scripts/eval_reference.py make-model; 4 layers, 256 channels, 512 positions). Task:
# arc_easy (first LMK_BENCH_DOCS documents, default 100) zero- and 5-shot. One thread each
# (-j 1, torch 1 thread, taskset -c LMK_BENCH_CPUS), timed in process CPU seconds because the
# machine is shared (lmkit: results.json "cpu_seconds", which includes tokenizing and prompt
# building; torch: scoring only). PyTorch runs twice: its default CPU matmul (Debian's build
# sends it to the reference netlib BLAS) and with every projection and the LM head through its
# bundled oneDNN (--mkldnn), the fair peer. Needs ../shared (data, GPT-2 tokenizer) and torch.
set -eu
. "$(dirname "$0")/peer-env.sh"
: "${LMK_BIN:?}" "${LMK_SRC:?}"
shared="$LMK_SRC/../shared/data"
[ -f "$shared/tokenizers/gpt2/tokenizer.json" ] || { echo "bench-eval: ../shared absent; skipped"; exit 0; }
py=/usr/bin/python3
"$py" -c "import torch" 2>/dev/null || { echo "bench-eval: no torch; skipped"; exit 0; }
docs=${LMK_BENCH_DOCS:-100}
cpus=${LMK_BENCH_CPUS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" "$LMK_SRC/scripts/eval_reference.py" make-model --out "$tmp/m" --layers 4 --embd 256 --heads 4 \
    --positions 512 --scale 1 --tokenizer "$shared/tokenizers/gpt2/tokenizer.json" 2>/dev/null
printf '%-24s %10s %12s %11s %12s %8s %8s %12s\n' run "lmk doc/s" "lmk tok/s" "torch doc/s" "torch tok/s" "docs x" "tok x" "max |diff|"
for shots in 0 5; do
    taskset -c "$cpus" "$LMK_BIN/eval-fewshot" -q -j 1 -m "$tmp/m" --task arc_easy --data-dir "$shared/eval" \
        --shots $shots --limit "$docs" --samples "$tmp/s$shots.jsonl" -o "$tmp/r$shots.json"
    lmk=$(grep -o '"docs_scored": [0-9]*, .*"cpu_seconds": [0-9.e-]*' "$tmp/r$shots.json")
    for backend in "" --mkldnn; do
        ref=$(taskset -c "$cpus" "${torch_env[@]}" "$py" "$LMK_SRC/scripts/eval_reference.py" \
            bench --model "$tmp/m" --samples "$tmp/s$shots.jsonl" --threads 1 --batch-size 16 $backend)
        diff=$("$py" "$LMK_SRC/scripts/eval_reference.py" check --model "$tmp/m" --samples "$tmp/s$shots.jsonl" \
            $backend 2>&1 | sed -n 's/.*max |ours - torch| = \([^ ]*\).*/\1/p')
        "$py" - "$lmk" "$ref" "$shots" "$diff" <<'PYEOF'
import json, re, sys
lmk, ref, shots, diff = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
d = int(re.search(r'"docs_scored": (\d+)', lmk).group(1))
t = int(re.search(r'"tokens_scored": (\d+)', lmk).group(1))
s = float(re.search(r'"cpu_seconds": ([0-9.e-]+)', lmk).group(1))
name = f"arc_easy {shots}-shot ({ref['backend']})"
print(f"{name:<24} {d/s:10.1f} {t/s:12.0f} {ref['docs_per_s']:11.2f} {ref['tokens_per_s']:12.0f} "
      f"{d/s/ref['docs_per_s']:8.2f} {t/s/ref['tokens_per_s']:8.2f} {diff:>12}")
PYEOF
    done
done
