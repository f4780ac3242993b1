#!/usr/bin/env bash
# generate: greedy is deterministic and matches --json's ids; sampling is seeded; stop
# strings cut the text; logprobs are log-probabilities; JSONL prompts keep their fields; a
# prompt the tokenizer cannot represent is reported; bad sampling flags exit 2.
set -eu
: "${LMK_BIN:?}"
for t in pretrain generate char-shards; do [ -x "$LMK_BIN/$t" ] || { echo "no $t built"; exit 77; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for i in $(seq 1 80); do echo "to be or not to be, that is the question."; done >corpus.txt
"$LMK_BIN/char-shards" -q corpus.txt -o data
"$LMK_BIN/pretrain" -o m --train 'data/train_*.bin' --tokenizer data/tokenizer.json --layers 2 --heads 2 \
    --dim 48 --ctx 48 --batch 8 --steps 120 --lr 1e-2 --warmup 10 -q -j 1

# Greedy continues the memorised line.
out=$("$LMK_BIN/generate" -m m --prompt 'to be or not' --temperature 0 --max-new-tokens 20)
case "$out" in " to be, that is the"*) ;; *) echo "FAIL: greedy gave '$out'"; exit 1;; esac
# --json carries completion, ids, logprobs (all <= 0), finish_reason.
"$LMK_BIN/generate" -m m --prompt 'to be or not' --temperature 0 --max-new-tokens 20 --json >g.json
grep -q '"completion": *" to be, that is the' g.json
grep -q '"finish_reason": *"length"' g.json
n_ids=$(sed 's/.*"ids": *\[\([^]]*\)\].*/\1/' g.json | tr ',' '\n' | wc -l)
[ "$n_ids" = 20 ] || { echo "FAIL: $n_ids ids"; exit 1; }
if sed 's/.*"logprobs": *\[\([^]]*\)\].*/\1/' g.json | tr ',' '\n' | grep -qv '^ *-\|^ *0$'; then
    echo "FAIL: positive logprob"; exit 1
fi
# Stop strings cut the completion before them.
"$LMK_BIN/generate" -m m --prompt 'to be or not' --temperature 0 --max-new-tokens 30 --stop 'that' --json >s.json
grep -q '"completion": *" to be, ",' s.json
grep -q '"finish_reason": *"stop"' s.json
# Sampling: the same seed repeats, another seed (almost surely) differs.
a=$("$LMK_BIN/generate" -m m --prompt 'to' --temperature 1.5 --max-new-tokens 40 --seed 1)
b=$("$LMK_BIN/generate" -m m --prompt 'to' --temperature 1.5 --max-new-tokens 40 --seed 1)
c=$("$LMK_BIN/generate" -m m --prompt 'to' --temperature 1.5 --max-new-tokens 40 --seed 2)
[ "$a" = "$b" ] || { echo "FAIL: same seed differs"; exit 1; }
[ "$a" != "$c" ] || { echo "FAIL: seeds 1 and 2 agree"; exit 1; }
# JSONL prompts on stdin keep their other fields.
printf '{"id": "x1", "prompt": "to be"}\n{"id": "x2", "prompt": "that is"}\n' |
    "$LMK_BIN/generate" -m m --json --temperature 0 --max-new-tokens 5 --top-k 5 --top-p 0.9 >j.jsonl
[ "$(wc -l <j.jsonl)" = 2 ] || { echo "FAIL: expected 2 lines"; exit 1; }
grep -q '^{"id": *"x1", *"prompt": *"to be", *"completion": *"' j.jsonl

# A prompt character outside the (char) vocabulary is dropped by the tokenizer, as HF's
# BPE without an unknown token does; generate says so instead of answering another prompt.
"$LMK_BIN/generate" -m m --prompt 'to be €' --temperature 0 --max-new-tokens 3 >/dev/null 2>err.txt
grep -q "prompt 0: the model sees other text than given" err.txt || { cat err.txt; echo "FAIL: no warning"; exit 1; }
"$LMK_BIN/generate" -m m --prompt 'to be' --temperature 0 --max-new-tokens 3 >/dev/null 2>err.txt
[ ! -s err.txt ] || { cat err.txt; echo "FAIL: warning on a prompt the vocabulary covers"; exit 1; }

# An empty prompt with no end-of-text token to start from is an error (exit 1, said);
# --prompt and JSONL files together are a usage error (exit 2).
status=0
"$LMK_BIN/generate" -m m --prompt '' --max-new-tokens 3 >bad.txt 2>err.txt || status=$?
[ "$status" = 1 ] && grep -q "empty prompt" err.txt || { cat err.txt; echo "FAIL: empty prompt gave $status"; exit 1; }
status=0
"$LMK_BIN/generate" -m m --prompt 'to' j.jsonl >bad.txt 2>err.txt || status=$?
[ "$status" = 2 ] && grep -q -- "--prompt or JSONL files" err.txt || { cat err.txt; echo "FAIL: --prompt with files gave $status"; exit 1; }

# A bad sampling flag is a usage error: exit 2, the flag named, nothing on stdout.
for flag in "--temperature -1" "--top-p 1.5" "--top-k -2" "--repetition-penalty 0" "--max-new-tokens -1" "--samples 0"; do
    status=0
    # shellcheck disable=SC2086
    "$LMK_BIN/generate" -m m --prompt "to be" $flag >bad.txt 2>err.txt || status=$?
    [ "$status" = 2 ] && grep -q -- "${flag%% *}" err.txt && [ ! -s bad.txt ] ||
        { cat err.txt; echo "FAIL: $flag gave exit $status"; exit 1; }
done
echo ok
