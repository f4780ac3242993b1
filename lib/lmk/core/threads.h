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
#include <vector>

namespace lmk {

void set_threads(int n); // 0 = hardware concurrency
int num_threads();       // the calling task's share inside parallel_invoke
int hardware_threads();

// Calls fn(begin, end) over [0, n) in chunks of `grain` (the last may be shorter), in
// parallel. Chunk boundaries depend only on n and grain.
void parallel_for_chunks(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

// Runs a() and b() at once, each on half of the threads: inside them num_threads() is that
// half (at least 1), so work that decides by the thread count runs as it would at that count
// (a GEMM at one thread runs uncut). With one thread, a() then b(). For two independent pieces
// of work of similar size, such as a linear layer's input and weight gradients.
void parallel_invoke(const std::function<void()>& a, const std::function<void()>& b);

// Calls fn(i, begin, end) over elements [0, sizes[i]) of every array i, cut into pieces of
// `piece` elements, all arrays' pieces in one parallel loop (a model's many small tensors are
// each too small to share out; together they are not). The pieces depend only on the sizes.
void parallel_for_pieces(const std::vector<size_t>& sizes, size_t piece,
                         const std::function<void(size_t, size_t, size_t)>& fn);

} // namespace lmk
