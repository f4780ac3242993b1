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
