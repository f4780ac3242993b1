#!/usr/bin/env bash
# bench-train: training throughput of `pretrain` against a PyTorch nanoGPT-style script
# (scripts/bench/nanogpt_train.py) on the same configs, data format and thread count,
# pinned with taskset. Configs (issue 7): baby (nanoGPT's shakespeare_char CPU demo: 4 layers,
# 4 heads, 128 dim, ctx 64, batch 12, char vocab), small (4/4/256, vocab 8192, B 16, T 256),
# gpt2-124M (12/12/768, vocab 50257, B 4, T 64). Prints tokens/s (median step after warmup)
# and ratios, at one thread and (fp32) at two threads on two cores for both; with
# BENCH_FULL=1 also the baby run to 2000 iterations (val loss and wall time).
# MFU (pretrain's metrics.jsonl) uses nanoGPT's estimate_mfu FLOP count (PaLM appendix B):
# 6 N + 12 L T C per token, N the parameters without position embeddings, against
# BENCH_PEAK_GFLOPS (default 266: this machine's nominal FP32 FMA peak per core, 64 FLOP per
# cycle at ~4.1 GHz) times the thread count.
# Environment: LMK_BIN (tools), LMK_SRC; BENCH_CPU (default 1) is the core pinned for one
# thread, BENCH_CPUS (default 0,1) for the two-thread run; PYTHON (default: a python3 with torch);
# BENCH_ROUNDS (default 1) repeats each config's runs and reports medians (see bench()).
# BENCH_STEPS_BABY / _SMALL / _124M: steps per run (200 / 8 / 5). A baby step takes 15-30 ms,
# so 30 steps of its two-core run last under half a second and scattered by 15% here.
# With mpirun installed, each config also runs as two MPI ranks (data parallel).
set -u
. "$(dirname "$0")/peer-env.sh"
: "${LMK_BIN:?}" "${LMK_SRC:?}"
cpu=${BENCH_CPU:-1}
cpus=${BENCH_CPUS:-0,1}
peak=${BENCH_PEAK_GFLOPS:-266}
py=${PYTHON:-}
if [ -z "$py" ]; then
    for p in /usr/bin/python3 python3; do
        if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
    done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shakespeare="$LMK_SRC/../shared/data/text/tinyshakespeare.txt"
corpus=shakespeare-char
if [ -f "$shakespeare" ]; then
    "$LMK_BIN/char-shards" -q "$shakespeare" -o "$tmp/char"
else
    corpus="stand-in-char (no $shakespeare: losses are not nanoGPT's)"
    echo "bench-train: $shakespeare is absent; the char configs run on a stand-in corpus"
    for i in $(seq 1 3000); do echo "line $i of a small stand-in corpus, since ../shared is absent."; done >"$tmp/c.txt"
    "$LMK_BIN/char-shards" -q "$tmp/c.txt" -o "$tmp/char"
fi
# The character vocabulary: the entries of tokenizer.json's model.vocab (65 for
# tinyshakespeare, nanoGPT's meta.pkl vocab_size). Counting every '": N' of the whole file, as
# this script did before, also counted other fields and gave 85.
char_vocab=$(perl -MJSON::PP -0777 -ne 'print scalar keys %{ decode_json($_)->{model}{vocab} }' "$tmp/char/tokenizer.json")

# Random-token shards for the larger vocabularies (throughput only).
make_random_shard() { # path vocab tokens
    perl -e 'my ($p,$v,$n)=@ARGV; srand(7); open(my $f,">:raw",$p) or die;
             print $f pack("l<256", 20240520, 1, $n, (0) x 253);
             print $f pack("S<*", map { int(rand($v)) } 1..$n); close $f' "$1" "$2" "$3"
}
make_random_shard "$tmp/v8192.bin" 8192 400000
make_random_shard "$tmp/v50257.bin" 50257 200000

# the median of the numbers on stdin, one per line (0 for none)
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'; }
# median tokens/s of a metrics.jsonl, skipping the first two steps
lmk_rate() { sed -n 's/.*"tokens_per_s": \([0-9.e+]*\).*/\1/p' "$1" | tail -n +3 | median; }
# median MFU of a metrics.jsonl, skipping the first two steps
lmk_mfu() { sed -n 's/.*"mfu": \([0-9.e+-]*\).*/\1/p' "$1" | tail -n +3 | median; }
mfu_small=
lmk_run() { # name cpus threads precision steps args...
    local name=$1 cpuset=$2 threads=$3 prec=$4 steps=$5
    shift 5
    rm -rf "$tmp/run"
    taskset -c "$cpuset" "$LMK_BIN/pretrain" -o "$tmp/run" -q -j "$threads" --precision "$prec" --steps "$steps" \
        --eval-every 0 --save-every 0 --warmup 0 --peak-gflops "$(awk -v p="$peak" -v j="$threads" 'BEGIN { print p * j }')" \
        "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; echo 0; return; }
    if [ "$name/$threads/$prec" = small/1/fp32 ]; then cp "$tmp/run/metrics.jsonl" "$tmp/small.jsonl"; fi
    lmk_rate "$tmp/run/metrics.jsonl"
}
torch_run() { # cpus threads precision steps args...
    local cpuset=$1 threads=$2 prec=$3 steps=$4
    shift 4
    [ -n "$py" ] || { echo 0; return; }
    local envs=("${torch_env[@]}")
    [ "$threads" = 1 ] || envs=("${torch_train_mt_env[@]}")
    taskset -c "$cpuset" "${envs[@]}" "$py" "$LMK_SRC/scripts/bench/nanogpt_train.py" --threads "$threads" --precision "$prec" \
        --steps "$steps" "$@" 2>/dev/null | sed -n 's/.*"tokens_per_s": \([0-9.e+]*\).*/\1/p'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

printf '%-16s %10s %10s %10s %10s %12s %12s %8s %8s %8s %10s\n' config lmk-fp32 lmk-bf16 torch-fp32 torch-bf16 \
    lmk-fp32-2c torch-fp32-2c fp32/pt bf16/pt 2c/1c 2c/pt-2c
# One row per config: the six runs in a fixed order, BENCH_ROUNDS times (default 1; with
# more, a row per round and then the medians: each ratio the median of the rounds' ratios,
# whose two runs were minutes apart at most, so machine drift cancels).
bench() { # name steps model-args (shared by both)...
    local name=$1 steps=$2
    shift 2
    local train=$1 vocab=$2 L=$3 H=$4 C=$5 T=$6 B=$7
    local args=(--train "$train" --vocab "$vocab" --layers "$L" --heads "$H" --dim "$C" --ctx "$T" --batch "$B")
    local rounds=${BENCH_ROUNDS:-1} i row rows=()
    for ((i = 1; i <= rounds; i++)); do
        local f32 b16 pf32 pb16 f32x2 pf32x2
        f32=$(lmk_run "$name" "$cpu" 1 fp32 "$steps" "${args[@]}")
        b16=$(lmk_run "$name" "$cpu" 1 bf16 "$steps" "${args[@]}")
        pf32=$(torch_run "$cpu" 1 fp32 "$steps" "${args[@]}")
        pb16=$(torch_run "$cpu" 1 bf16 "$steps" "${args[@]}")
        f32x2=$(lmk_run "$name" "$cpus" 2 fp32 "$steps" "${args[@]}")
        pf32x2=$(torch_run "$cpus" 2 fp32 "$steps" "${args[@]}")
        row="$f32 $b16 ${pf32:-0} ${pb16:-0} $f32x2 ${pf32x2:-0} $(ratio "$f32" "${pf32:-0}") $(ratio "$b16" "${pf32:-0}")"
        row+=" $(ratio "$f32x2" "$f32") $(ratio "$f32x2" "${pf32x2:-0}")"
        rows+=("$row")
        [ "$rounds" -gt 1 ] && print_row "$name/$i" $row
    done
    [ "$rounds" -gt 1 ] || { print_row "$name" ${rows[0]}; return; }
    local col med=()
    for col in 1 2 3 4 5 6 7 8 9 10; do
        med+=("$(printf '%s\n' "${rows[@]}" | awk -v c=$col '{print $c}' | grep -v n/a | median)")
    done
    [ -n "$py" ] || med[6]=n/a med[7]=n/a med[9]=n/a
    print_row "$name median" "${med[@]}"
}
print_row() { # label lmk-fp32 lmk-bf16 torch-fp32 torch-bf16 lmk-fp32-2c torch-fp32-2c fp32/pt bf16/pt 2c/1c 2c/pt-2c
    printf '%-16s %10.0f %10.0f %10.0f %10.0f %12.0f %12.0f %8s %8s %8s %10s\n' "$@"
}
bench baby "${BENCH_STEPS_BABY:-200}" "$tmp/char/train_000000.bin" "$char_vocab" 4 4 128 64 12
bench small "${BENCH_STEPS_SMALL:-8}" "$tmp/v8192.bin" 8192 4 4 256 256 16
bench gpt2-124M "${BENCH_STEPS_124M:-5}" "$tmp/v50257.bin" 50257 12 12 768 64 4
# Data parallel (DESIGN.md §5): two MPI ranks of one thread each on the two cores, each
# step's micro-batches shared out (--grad-accum 2: each rank computes one), against one
# process on one core with --grad-accum 1 run just before (the same tokens per rank-step).
if command -v mpirun >/dev/null; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    mpi_bench() { # name steps model-args...
        local name=$1 steps=$2
        shift 2
        local args=(--train "$1" --vocab "$2" --layers "$3" --heads "$4" --dim "$5" --ctx "$6" --batch "$7")
        local one two
        one=$(lmk_run "$name" "$cpu" 1 fp32 "$steps" "${args[@]}")
        rm -rf "$tmp/mpi"
        taskset -c "$cpus" mpirun -np 2 --bind-to core "$LMK_BIN/pretrain" -o "$tmp/mpi" -q -j 1 --steps "$steps" \
            --eval-every 0 --save-every 0 --warmup 0 --grad-accum 2 "${args[@]}" >/dev/null 2>"$tmp/err" ||
            { cat "$tmp/err" >&2; return; }
        two=$(lmk_rate "$tmp/mpi/metrics.jsonl")
        printf '%-16s mpirun -np 2 (1 thread each): %.0f tokens/s, %s x one process on one core (%.0f)\n' \
            "$name" "$two" "$(ratio "$two" "$one")" "$one"
    }
    mpi_bench baby "${BENCH_STEPS_BABY:-200}" "$tmp/char/train_000000.bin" "$char_vocab" 4 4 128 64 12
    mpi_bench small "${BENCH_STEPS_SMALL:-8}" "$tmp/v8192.bin" 8192 4 4 256 256 16
    mpi_bench gpt2-124M "${BENCH_STEPS_124M:-5}" "$tmp/v50257.bin" 50257 12 12 768 64 4
fi
if [ -f "$tmp/small.jsonl" ]; then
    awk -v m="$(lmk_mfu "$tmp/small.jsonl")" -v p="$peak" 'BEGIN {
        printf "small fp32 1 thread: MFU %.1f%% of %g GFLOP/s (%.1f GFLOP/s of model FLOPs)\n", 100 * m, p, m * p }'
fi

if [ "${BENCH_FULL:-0}" = 1 ]; then
    # nanoGPT's shakespeare_char baby run: 2000 iterations, lr 1e-3 -> 1e-4, warmup 100,
    # beta2 0.99, dropout 0, eval every 250 on 20 batches; wall time and final val loss.
    run_args=(--train "$tmp/char/train_000000.bin" --val "$tmp/char/val_000000.bin" --vocab "$char_vocab"
              --layers 4 --heads 4 --dim 128 --ctx 64 --batch 12 --steps 2000 --lr 1e-3 --min-lr 1e-4
              --warmup 100 --beta2 0.99 --eval-every 250 --eval-batches 20)
    # Validation loss as nanoGPT estimates it: the mean over --eval-batches batches of windows
    # drawn uniformly over the validation split (the text's last 10%, as prepare.py splits it);
    # pretrain draws the same windows at every evaluation, the peer fresh ones. Wall time is
    # the whole process (start-up, data, training, the 8 evaluations, checkpoint) on both sides.
    rm -rf "$tmp/full"
    start=$(date +%s.%N)
    taskset -c "$cpu" "$LMK_BIN/pretrain" -o "$tmp/full" -q -j 1 "${run_args[@]}" 2>/dev/null
    end=$(date +%s.%N)
    lmk_wall=$(echo "$end - $start" | bc)
    val=$(grep val_loss "$tmp/full/metrics.jsonl" | tail -1 | sed 's/.*"val_loss": \([0-9.]*\).*/\1/')
    # The exact validation loss (every token once), untimed: a 20-batch estimate scatters by
    # about +-0.015 with the windows drawn (nanoGPT's own checkpoint: 1.889-1.922).
    taskset -c "$cpu" "$LMK_BIN/pretrain" --resume "$tmp/full" -q -j 1 --eval-batches 0 2>/dev/null
    exact=$(grep val_loss "$tmp/full/metrics.jsonl" | tail -1 | sed 's/.*"val_loss": \([0-9.]*\).*/\1/')
    printf '%s 2000 iters: lmkit val loss %.4f (20-batch estimate), %.4f exact, in %.1f s\n' \
        "$corpus" "$val" "$exact" "$lmk_wall"
    if [ -n "$py" ]; then
        start=$(date +%s.%N)
        out=$(taskset -c "$cpu" "${torch_env[@]}" "$py" \
            "$LMK_SRC/scripts/bench/nanogpt_train.py" --threads 1 --exact-val "${run_args[@]}" 2>/dev/null)
        end=$(date +%s.%N)
        exact_s=$(echo "$out" | sed -n 's/.*"exact_eval_s": \([0-9.]*\).*/\1/p')
        pt_wall=$(echo "$end - $start - ${exact_s:-0}" | bc)
        pt_val=$(echo "$out" | sed -n 's/.*"val_loss": \([0-9.]*\).*/\1/p')
        pt_exact=$(echo "$out" | sed -n 's/.*"exact_val_loss": \([0-9.]*\).*/\1/p')
        printf '%s 2000 iters: pytorch val loss %s (20-batch estimate), %s exact, in %.1f s (%s)\n' \
            "$corpus" "$pt_val" "$pt_exact" "$pt_wall" "$out"
        printf '%s wall time lmkit / pytorch: %s\n' "$corpus" "$(ratio "$lmk_wall" "$pt_wall")"
    fi
fi
