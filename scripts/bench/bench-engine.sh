#!/usr/bin/env bash
# bench-engine: the engine's kernels (GEMM, layernorm, GELU, attention, cross-entropy, AdamW)
# on GPT-2-small shapes, at 1 and 2 threads pinned with taskset, next to PyTorch CPU on the same
# shapes in the same run (skipped when python3-torch is absent). Prints, per kernel, lmkit's
# time and throughput, the fraction of the measured FP32 FMA peak (GEMM, attention; bf16 GEMMs
# against twice it), PyTorch's time and the speedup; AdamW's GB/s against a STREAM-like copy.
# The bf16 GEMM is timed from fp32 operands (gemm_bf16: both sides round inside the call) and
# from operands already in bf16 (gemm_bf16_pre: what the engine's linear hands over, PyTorch
# given bf16 tensors). With one thread both sides time CPU seconds (the machine is shared),
# with two the wall clock. LMK_BENCH_THREADS overrides the thread counts ("1 2");
# LMK_BENCH_ONLY runs only the listed kernel groups (e.g. "layernorm" or "gemm,attention").
set -eu
. "$(dirname "$0")/peer-env.sh"
: "${LMK_BIN:?}" "${LMK_SRC:?}"
bench="$LMK_BIN/bench_engine"
[ -x "$bench" ] || { echo "bench-engine: $bench not built (make bench builds it)"; exit 1; }
py=/usr/bin/python3
have_torch=0
if [ -x "$py" ] && "$py" -c "import torch" 2>/dev/null; then have_torch=1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for threads in ${LMK_BENCH_THREADS:-1 2}; do
    cpus=$(seq -s, 0 $((threads - 1)))
    [ "$threads" = 1 ] && cpus=1
    taskset -c "$cpus" "$bench" "$threads" auto ${LMK_BENCH_ONLY:-} > "$tmp/lmk"
    : > "$tmp/torch"
    if [ $have_torch = 1 ]; then
        # PyTorch with its best settings here (peer-env.sh).
        taskset -c "$cpus" "${torch_env[@]}" "$py" \
            "$LMK_SRC/scripts/bench/bench_engine_torch.py" "$threads" ${LMK_BENCH_ONLY:-} > "$tmp/torch"
    fi
    echo "== $threads thread(s), cpus $cpus, $(head -1 "$tmp/lmk" | sed 's/^# //')"
    awk -v have_torch=$have_torch '
        FNR == NR { if ($1 !~ /^#/) torch[$1] = $2; next }
        /^#/ { next }
        $1 == "peak_fp32" { peak = $3; printf "%-14s %43s %8.1f GFLOP/s (measured FMA loop)\n", "fp32 peak", "", peak; next }
        $1 == "stream_copy" { copy = $3; printf "%-14s %9.2f ms %8.1f GB/s\n", $1, $2, $3; next }
        {
            line = sprintf("%-14s %9.2f ms %8.1f %-8s", $1, $2, $3, $4)
            # bf16 FMAs (VDPBF16PS) do twice the fp32 work per instruction: peak x2
            p = $1 ~ /^gemm_bf16/ ? 2 * peak : peak
            if ($4 == "GFLOP/s" && p > 0) line = line sprintf(" %5.1f%% of peak", 100 * $3 / p)
            else line = line sprintf(" %14s", "")
            if ($1 in torch) line = line sprintf(" | torch %9.2f ms  x%.2f", torch[$1], torch[$1] / $2)
            print line
            if ($1 == "adamw") adam = $3
        }
        END { if (adam > 0 && copy > 0) printf "adamw moves %.0f%% of the copy bandwidth\n", 100 * adam / copy }
    ' "$tmp/torch" "$tmp/lmk"
done
