#!/usr/bin/env bash
# pretrain under mpirun (data parallel, DESIGN.md §5): two processes train the run one
# process trains with the same --grad-accum (losses and validation loss equal to ~1e-6: only
# the order of the gradient sums differs); rank 0 alone writes the directory; a rerun gives
# the same bits; --stop-after then --resume under mpirun is bit-identical to the
# uninterrupted two-process run, and one process can resume it; SIGTERM to one rank or
# SIGUSR1 to mpirun stops both after the same step with a checkpoint (exit 130); a
# --grad-accum that does not share out is a usage error; ranks given different flags or
# weights are refused; an error on one rank ends the job. Skips when mpirun is absent.
set -eu
: "${LMK_BIN:?}"
for t in pretrain char-shards; do [ -x "$LMK_BIN/$t" ] || { echo "no $t built"; exit 77; }; done
command -v mpirun >/dev/null || { echo "skip: no mpirun (scripts/install-deps.sh installs openmpi-bin)"; exit 77; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT # a failed check leaves no training behind
cd "$tmp"
# Open MPI refuses root unless told, and may see fewer slots than processes in a container.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpi2() { mpirun -np 2 "$LMK_BIN/pretrain" "$@"; }
for i in $(seq 1 60); do
    echo "the quick brown fox $i jumps over the lazy dog; the dog sleeps, the fox runs."
done >corpus.txt
"$LMK_BIN/char-shards" -q corpus.txt -o data
common=(--train 'data/train_*.bin' --val data/val_000000.bin --tokenizer data/tokenizer.json
        --layers 2 --heads 2 --dim 32 --ctx 32 --batch 4 --lr 3e-3
        --warmup 2 --min-lr 3e-4 --eval-batches 3 --dropout 0.1 --seed 7 -q)
run8=(--steps 8 --eval-every 4 --grad-accum 4)

"$LMK_BIN/pretrain" -o S "${common[@]}" "${run8[@]}" -j 2
mpi2 -o M "${common[@]}" "${run8[@]}" -j 1
for f in config.json model.safetensors optimizer.safetensors trainer_state.json tokenizer.json metrics.jsonl loss.svg; do
    [ -s "M/$f" ] || { echo "FAIL: M/$f missing"; exit 1; }
done
[ "$(grep -c '"loss"' M/metrics.jsonl)" = 8 ] || { cat M/metrics.jsonl; echo "FAIL: expected 8 step rows (one writer)"; exit 1; }
[ "$(grep -c '"val_loss"' M/metrics.jsonl)" = 2 ] || { echo "FAIL: expected 2 eval rows"; exit 1; }
grep -q '"tokens": 4096,' M/metrics.jsonl || { echo "FAIL: step 8 should count 8 x 512 tokens"; exit 1; }
# Every loss, gradient norm and validation loss as one process computed it, to 1e-5 relative.
field() { sed -n "s/.*\"$2\": \([-0-9.e]*\).*/\1/p" "$1/metrics.jsonl"; }
for k in loss grad_norm val_loss; do
    paste <(field S "$k") <(field M "$k") | awk -v k="$k" '
        { d = $1 - $2; if (d < 0) d = -d; if (d > 1e-5 * $1) { print "FAIL: " k " " $1 " (one process) vs " $2; bad = 1 } }
        END { exit bad }'
done
# Not the same as the first half of the data alone: the step's losses are both ranks' mean.
"$LMK_BIN/pretrain" -o H "${common[@]}" --steps 8 --eval-every 4 --grad-accum 2 -j 1
[ "$(field H loss | head -2 | tail -1)" != "$(field M loss | head -2 | tail -1)" ] || { echo "FAIL: rank 1's share ignored"; exit 1; }

# The whole validation split scored by two processes (rows shared out) as by one.
"$LMK_BIN/pretrain" --resume S -q -j 2 --eval-batches 0
mpi2 --resume M -q -j 1 --eval-batches 0
paste <(field S val_loss | tail -1) <(field M val_loss | tail -1) |
    awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-5 * $1) { print "FAIL: exact val loss " $1 " vs " $2; exit 1 } }'

# The same two processes again: the same bits.
mpi2 -o M2 "${common[@]}" "${run8[@]}" -j 1
cmp M/model.safetensors M2/model.safetensors
cmp M/optimizer.safetensors M2/optimizer.safetensors

# Interrupted at step 3 and resumed under mpirun: bit-identical to the uninterrupted run.
mpi2 -o R "${common[@]}" "${run8[@]}" -j 1 --stop-after 3
grep -q '"step": 3,' R/trainer_state.json
cp -r R R1
mpi2 --resume R -q -j 1
cmp M/model.safetensors R/model.safetensors
cmp M/optimizer.safetensors R/optimizer.safetensors
# One process resumes a two-process checkpoint (same options, same data stream).
"$LMK_BIN/pretrain" --resume R1 -q -j 2
grep -q '"step": 8,' R1/trainer_state.json
paste <(field M loss) <(field R1 loss) | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-5 * $1) bad = 1 } END { exit bad }' ||
    { echo "FAIL: one process resuming M's checkpoint diverged"; exit 1; }

# --grad-accum must share out over the processes: a usage error (exit 2) that says so.
status=0
mpi2 -o N "${common[@]}" --steps 2 --grad-accum 3 -j 1 2>err.txt || status=$?
[ "$status" = 2 ] && grep -q -- "--grad-accum 3 does not share out over 2 processes" err.txt ||
    { cat err.txt; echo "FAIL: --grad-accum 3 on 2 processes gave $status"; exit 1; }

# Ranks that would train different runs (mpirun's MPMD form) are refused before the first
# step: other flags, or other starting weights (--init-from two different runs).
check_refused() { # DIR EXPECTED-TEXT
    [ "$status" = 1 ] && grep -q "$2" err.txt && [ ! -e "$1/trainer_state.json" ] ||
        { cat err.txt; echo "FAIL: ranks with different $2: status $status"; exit 1; }
}
status=0
mpirun -np 1 "$LMK_BIN/pretrain" -o D "${common[@]}" --steps 2 --grad-accum 2 -j 1 : \
       -np 1 "$LMK_BIN/pretrain" -o D "${common[@]}" --steps 2 --grad-accum 2 -j 1 --weight-decay 0.05 2>err.txt || status=$?
check_refused D "options or model config differ"
status=0
mpirun -np 1 "$LMK_BIN/pretrain" -o E --init-from S --train 'data/train_*.bin' --ctx 32 --batch 4 --steps 2 --grad-accum 2 -j 1 -q : \
       -np 1 "$LMK_BIN/pretrain" -o E --init-from H --train 'data/train_*.bin' --ctx 32 --batch 4 --steps 2 --grad-accum 2 -j 1 -q \
       2>err.txt || status=$?
check_refused E "initial weights differ"

# An error on one rank only (rank 0 cannot commit its checkpoint: a directory is in the way)
# ends the whole job with that error, rather than leaving rank 1 waiting for a sum forever.
mkdir -p F/model.safetensors/in-the-way
status=0
timeout 120 mpirun -np 2 "$LMK_BIN/pretrain" -o F "${common[@]}" --steps 50 --save-every 2 --grad-accum 2 -j 1 \
    2>err.txt || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] && grep -q "model.safetensors" err.txt ||
    { cat err.txt; echo "FAIL: an error on rank 0 alone gave status $status"; exit 1; }

# A stop signal, to one rank only (SIGTERM) or to mpirun (SIGUSR1, which it passes on to
# every rank): all stop after the same step, rank 0 checkpoints, exit status 130.
steps_at_stop=""
for how in "TERM rank" "USR1 mpirun"; do
    rm -rf C
    mpirun -np 2 "$LMK_BIN/pretrain" -o C "${common[@]:0:${#common[@]}-1}" --steps 100000 --grad-accum 2 -j 1 \
        2>stop.txt & # without -q: each rank's report of the signal

    mpirun_pid=$!
    for _ in $(seq 1 600); do
        [ -f C/metrics.jsonl ] && [ "$(wc -l <C/metrics.jsonl)" -ge 3 ] && break
        sleep 0.1
    done
    target=$mpirun_pid
    if [ "${how#* }" = rank ]; then
        target=$(pgrep -f -n -- "^$LMK_BIN/pretrain -o C ") || { echo "FAIL: no rank process found"; exit 1; }
    fi
    kill -"${how% *}" "$target"
    status=0
    wait "$mpirun_pid" || status=$?
    [ "$status" = 130 ] || { echo "FAIL: exit status $status after SIG$how, expected 130"; exit 1; }
    step=$(sed -n 's/^  "step": \([0-9]*\),$/\1/p' C/trainer_state.json)
    [ -n "$step" ] && [ "$step" -ge 3 ] || { echo "FAIL: no checkpoint after SIG$how"; exit 1; }
    [ "$(grep -c '"loss"' C/metrics.jsonl)" = "$step" ] || { echo "FAIL: metrics rows != checkpoint step $step"; exit 1; }
    # Both ranks name the signal that stopped them, the unsignalled one included.
    signo=$(kill -l "${how% *}")
    [ "$(grep -c "signal $signo: stopped after step $step," stop.txt)" = 2 ] ||
        { cat stop.txt; echo "FAIL: both ranks should report signal $signo at step $step"; exit 1; }
    steps_at_stop="$steps_at_stop SIG$how: step $step,"
done
echo "ok: 2 processes = 1 process to 1e-5, reruns and resumes bit-identical, stopped with exit 130 at$steps_at_stop"
