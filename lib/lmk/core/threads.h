// core/threads.h: the one thread pool setting (oneTBB) behind -j/--threads.
//
// set_threads(n) caps oneTBB's parallelism for the whole process (n = 0: all cores) and is
// what the GEMM library is told too, so the two never oversubscribe the machine. Work split
// over threads must not change results: use fixed chunking (parallel_for_chunks) or
// tbb::parallel_deterministic_reduce, never a thread-count-dependent partition.
//
//   lmk::set_threads(opts.threads);
//   lmk::parallel_for_chunks(n, 4096, [&](size_t begin, size_t end) { ... });
#pragma once
#include <cstddef>
#include <functional>

namespace lmk {

void set_threads(int n); // 0 = hardware concurrency
int num_threads();
int hardware_threads();

// Calls fn(begin, end) over [0, n) in chunks of `grain` (the last may be shorter), in
// parallel. Chunk boundaries depend only on n and grain.
void parallel_for_chunks(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

} // namespace lmk
