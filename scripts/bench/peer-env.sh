# peer-env.sh: sourced by the bench scripts; `"${torch_env[@]}" python3 ...` runs a PyTorch peer
# with its best settings on these machines:
# - OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set here for other projects and hold OpenBLAS to
#   AVX2 kernels at half speed: unset for the peer.
# - glibc serves blocks over its mmap threshold (at most 32 MB) with mmap and returns them on
#   free, so each training step's large temporaries (logits, their gradients, AdamW's
#   intermediates) are page-faulted in again, and page faults are costly on these VMs (the
#   small config's PyTorch step: 3.4 s -> 1.2 s with these settings). lmkit reuses arenas and
#   does not care; the peer keeps its freed memory in the heap.
torch_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
           MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456)
# Training on more than one thread (bench-train's two-core column): PyTorch's OpenMP workers
# spin while OpenBLAS (Debian's pthread build) runs each GEMM on threads of its own, and the two
# fight over the cores. Small config, two threads: 2,500-2,970 tokens/s spinning, 4,000-4,330
# with passive waits; GPT-2 124M 120 -> 194; baby 6.6k -> 12.3k (one thread: 15.1k).
torch_train_mt_env=("${torch_env[@]}" OMP_WAIT_POLICY=PASSIVE)
