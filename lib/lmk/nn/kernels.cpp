// nn/kernels.cpp: ISA selection and the threaded drivers of the engine's kernels.
//
// The per-ISA tables (simd_table.h) hold row-level loops; this file decides how rows are
// split over oneTBB. Every split is a fixed function of the sizes (never of the thread
// count), and every cross-row reduction (norm weights, biases, embeddings, grad norms) sums
// per-chunk partials in chunk order, so a run is bit-identical for any number of threads.
#include "lmk/nn/kernels.h"
#include "lmk/core/error.h"
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/simd_table.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

namespace lmk::nn {

using detail::SimdTable;

// ---- ISA ----

namespace {

Isa detect_best() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return Isa::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
    return Isa::scalar;
}

std::atomic<int> g_isa{-1};

const SimdTable& table() {
    switch (current_isa()) {
    case Isa::avx512: return detail::simd_table_avx512();
    case Isa::avx2: return detail::simd_table_avx2();
    case Isa::scalar: break;
    }
    return detail::simd_table_scalar();
}

// Scratch for partial sums, reused across calls (grows once, then never allocates).
// Kernels are driven from one thread at a time (the step's main thread).
float* scratch_floats(size_t n) {
    static thread_local std::vector<float> buf;
    if (buf.size() < n) buf.resize(n);
    return buf.data();
}

// Rows per task: enough work per task to amortise scheduling (~16K floats).
size_t row_grain(int64_t C) { return size_t(std::max<int64_t>(1, 16384 / std::max<int64_t>(C, 1))); }

// Fixed chunking for cross-row reductions: at most 64 partials, a function of N only, of at
// least 128 rows (32-row chunks of the baby config's 768 x 128 layernorm gradients were too
// small to share: two threads ran its backward no faster than one).
int64_t reduction_chunk_rows(int64_t N) { return std::max<int64_t>(128, (N + 63) / 64); }

// Elementwise kernels: 16K floats per task, so a 768 x 128 activation (pretrain's baby
// config) makes 6 equal tasks, not 3 that two threads split 2:1.
constexpr size_t kElemGrain = 1 << 14;
// sum_squares' partials: 32K floats each (fixed: the partials' order sets the sum's bits).
constexpr size_t kSumChunk = 1 << 15;

} // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    }
    return "?";
}

bool isa_supported(Isa isa) { return int(isa) <= int(best_isa()); }

std::vector<Isa> supported_isas() {
    std::vector<Isa> out;
    for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512})
        if (isa_supported(i)) out.push_back(i);
    return out;
}

Isa best_isa() {
    static const Isa best = detect_best();
    return best;
}

Isa current_isa() {
    int v = g_isa.load(std::memory_order_relaxed);
    return v < 0 ? best_isa() : Isa(v);
}

void set_isa(Isa isa) {
    LMK_CHECK(isa_supported(isa), "this CPU does not support the {} kernels (best: {})",
              isa_name(isa), isa_name(best_isa()));
    g_isa.store(int(isa));
}

void set_isa(std::string_view name) {
    if (name == "auto") return set_isa(best_isa());
    for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512})
        if (name == isa_name(i)) return set_isa(i);
    fail("unknown instruction set '{}' (expected scalar, avx2, avx512 or auto)", name);
}

double measure_fma_peak_gflops(int threads, double seconds) {
    LMK_CHECK(threads > 0, "measure_fma_peak_gflops: {} threads", threads);
    const SimdTable& t = table();
    using Clock = std::chrono::steady_clock;
    auto elapsed = [](Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    // Many short runs, each thread keeping its best: on a shared machine a short run is
    // likelier to go undisturbed than a long one, and the best is what the core can do.
    constexpr int kRuns = 10;
    float sink = 0;
    int64_t iters = 1 << 10; // calibrated: doubled until one run takes seconds / kRuns
    for (;;) {
        const Clock::time_point t0 = Clock::now();
        t.fma_probe(iters, &sink);
        if (elapsed(t0) >= seconds / kRuns || iters >= (int64_t(1) << 40)) break;
        iters *= 2;
    }
    std::vector<double> best(static_cast<size_t>(threads), 0.0);
    std::vector<float> sinks(best.size());
    auto runs = [&](size_t i) { // all threads at once, so the clocks are those of that load
        for (int r = 0; r < kRuns; r++) {
            const Clock::time_point t0 = Clock::now();
            const double flops = double(t.fma_probe(iters, &sinks[i]));
            best[i] = std::max(best[i], flops / elapsed(t0) / 1e9);
        }
    };
    std::vector<std::thread> others;
    for (size_t i = 1; i < best.size(); i++) others.emplace_back(runs, i);
    runs(0);
    for (std::thread& th : others) th.join();
    double total = 0;
    for (double b : best) total += b;
    return total;
}

// ---- linear ----

void linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                    int64_t N, int64_t C, int64_t OC, WeightLayout layout, Precision precision) {
    // out (N,OC) = inp (N,C) op(W) with op(W) (C,OC): W itself for in_out, W^T for out_in.
    const bool trans_w = layout == WeightLayout::out_in;
    gemm_bias(false, trans_w, N, OC, C, inp, C, weight, trans_w ? C : OC, bias, out, OC, precision);
}

namespace {
// The GEMM's beta for a gradient: 0 overwrites C, 1 adds to it.
float beta_for(GradOut g) { return g.overwrite() ? 0.f : 1.f; }
} // namespace

void linear_backward(GradOut dinp, GradOut dweight, GradOut dbias, const float* dout,
                     const float* inp, const float* weight, int64_t N, int64_t C, int64_t OC,
                     WeightLayout layout, Precision precision) {
    const bool out_in = layout == WeightLayout::out_in;
    auto input_grad = [&] { // (N,C) += dout (N,OC) op(W)^T
        gemm(false, !out_in, N, C, OC, 1.f, dout, OC, weight, out_in ? C : OC, beta_for(dinp), dinp.data, C,
             precision);
    };
    auto weight_grads = [&] {
        if (dweight) {
            if (out_in) // (OC,C) += dout^T inp
                gemm(true, false, OC, C, N, 1.f, dout, OC, inp, C, beta_for(dweight), dweight.data, C, precision);
            else // (C,OC) += inp^T dout
                gemm(true, false, C, OC, N, 1.f, inp, C, dout, OC, beta_for(dweight), dweight.data, OC, precision);
        }
        if (dbias) add_rows(dbias, dout, N, OC);
    };
    // The two products have the same FLOPs (N C OC) and write different tensors: at two
    // threads each runs whole on its own, the same call (and bits) as at one thread, without
    // a cut that re-packs the uncut operand per block: the baby config's backward linears 7.8
    // -> 7.2 ms a step. A bias gradient alone is no match for the input's product: not split.
    if (dinp && dweight) return parallel_invoke(input_grad, weight_grads);
    if (dinp) input_grad();
    weight_grads();
}

void linear_forward_bf16(float* out, const uint16_t* inp16, const uint16_t* weight16,
                         const float* bias, int64_t N, int64_t C, int64_t OC, WeightLayout layout) {
    const bool trans_w = layout == WeightLayout::out_in;
    gemm_bias_bf16(false, trans_w, N, OC, C, inp16, C, weight16, trans_w ? C : OC, bias, out, OC);
}

void linear_backward_bf16(GradOut dinp, GradOut dweight, GradOut dbias, const float* dout,
                          const uint16_t* inp16, const uint16_t* weight16, int64_t N, int64_t C,
                          int64_t OC, WeightLayout layout) {
    const bool out_in = layout == WeightLayout::out_in;
    if (dinp || dweight) {
        static thread_local std::vector<uint16_t> dout_buf; // grows once
        if (dout_buf.size() < size_t(N * OC)) dout_buf.resize(size_t(N * OC));
        uint16_t* dout16 = dout_buf.data();
        to_bf16_matrix(dout16, dout, N, OC, OC, false);
        if (dinp) // (N,C) += dout (N,OC) op(W)^T
            gemm_bf16(false, !out_in, N, C, OC, 1.f, dout16, OC, weight16, out_in ? C : OC, beta_for(dinp),
                      dinp.data, C);
        if (dweight) {
            if (out_in) // (OC,C) += dout^T inp
                gemm_bf16(true, false, OC, C, N, 1.f, dout16, OC, inp16, C, beta_for(dweight), dweight.data, C);
            else // (C,OC) += inp^T dout
                gemm_bf16(true, false, C, OC, N, 1.f, inp16, C, dout16, OC, beta_for(dweight), dweight.data, OC);
        }
    }
    if (dbias) add_rows(dbias, dout, N, OC);
}

// ---- embeddings ----

void embedding_forward(float* out, const int32_t* ids, const float* table, int64_t N, int64_t C) {
    parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
        for (size_t i = b; i < e; i++)
            std::memcpy(out + i * size_t(C), table + size_t(ids[i]) * size_t(C), size_t(C) * 4);
    });
}

void embedding_backward(GradOut dtable, const float* dout, const int32_t* ids, int64_t N, int64_t V,
                        int64_t C) {
    if (!dtable) return;
    // Scattered writes: an overwritten table starts from zeros (rows no token uses stay so).
    if (dtable.overwrite()) std::memset(dtable.data, 0, size_t(V) * size_t(C) * sizeof(float));
    // Column slices in parallel, tokens in order inside each: no two tasks touch one float.
    const SimdTable& t = table();
    parallel_for_chunks(size_t(C), 64, [&](size_t c0, size_t c1) {
        for (int64_t i = 0; i < N; i++)
            t.axpy(dtable.data + size_t(ids[i]) * size_t(C) + c0, dout + size_t(i * C) + c0, int64_t(c1 - c0), 1.f);
    });
}

void sinusoidal_positions(float* out, int64_t T, int64_t C, int64_t offset) {
    for (int64_t t = 0; t < T; t++) {
        const double pos = double(t + offset);
        for (int64_t i = 0; i + 1 < C; i += 2) {
            double angle = pos / std::pow(10000.0, double(i) / double(C));
            out[t * C + i] = float(std::sin(angle));
            out[t * C + i + 1] = float(std::cos(angle));
        }
        if (C % 2) out[t * C + C - 1] = float(std::sin(pos / std::pow(10000.0, double(C - 1) / double(C))));
    }
}

// ---- normalisation ----

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp,
                       const float* weight, const float* bias, int64_t N, int64_t C, float eps) {
    const SimdTable& t = table();
    parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
        t.layernorm_fwd(out + b * size_t(C), mean ? mean + b : nullptr, rstd ? rstd + b : nullptr,
                        inp + b * size_t(C), weight, bias, int64_t(e - b), C, eps);
    });
}

namespace {
// Runs row_fn(partials_for_chunk, row_begin, row_end) over fixed row chunks, each chunk with
// its own zeroed `width`-float partial buffer, then adds the partials into dst0 (C floats,
// partial[0..C)) and dst1 (partial[C..2C)) in chunk order; an overwritten dst takes the first
// chunk's partial instead of adding it (0 + p == p: the same bits).
template <class F>
void reduce_over_row_chunks(int64_t N, int64_t width, F row_fn, GradOut dst0, GradOut dst1, int64_t C) {
    const int64_t rows = reduction_chunk_rows(N);
    const int64_t chunks = (N + rows - 1) / rows;
    if (chunks == 0) { // no rows: an overwritten gradient is zero
        if (dst0 && dst0.overwrite()) std::memset(dst0.data, 0, size_t(C) * sizeof(float));
        if (dst1 && dst1.overwrite()) std::memset(dst1.data, 0, size_t(C) * sizeof(float));
        return;
    }
    float* partial = scratch_floats(size_t(chunks * width));
    std::memset(partial, 0, size_t(chunks * width) * 4);
    parallel_for_chunks(size_t(chunks), 1, [&](size_t c0, size_t c1) {
        for (size_t c = c0; c < c1; c++)
            row_fn(partial + c * size_t(width), int64_t(c) * rows, std::min<int64_t>(N, int64_t(c + 1) * rows));
    });
    parallel_for_chunks(size_t(C), 256, [&](size_t j0, size_t j1) {
        for (int64_t c = 0; c < chunks; c++) {
            const float* p = partial + c * width;
            const bool store0 = c == 0 && dst0.overwrite(), store1 = c == 0 && dst1.overwrite();
            for (size_t j = j0; j < j1; j++) {
                if (dst0) dst0.data[j] = store0 ? p[j] : dst0.data[j] + p[j];
                if (dst1) dst1.data[j] = store1 ? p[C + int64_t(j)] : dst1.data[j] + p[C + int64_t(j)];
            }
        }
    });
}
} // namespace

void layernorm_backward(GradOut dinp, GradOut dweight, GradOut dbias, const float* dout,
                        const float* inp, const float* weight, const float* mean,
                        const float* rstd, int64_t N, int64_t C) {
    const SimdTable& t = table();
    float* dx = dinp.data;
    if (!dweight && !dbias) {
        if (!dx) return;
        parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
            t.layernorm_bwd(dx + b * C, dinp.overwrite(), nullptr, nullptr, dout + b * C, inp + b * C, weight,
                            mean + b, rstd + b, int64_t(e - b), C);
        });
        return;
    }
    reduce_over_row_chunks(N, 2 * C, [&](float* part, int64_t b, int64_t e) {
        t.layernorm_bwd(dx ? dx + b * C : nullptr, dinp.overwrite(), dweight ? part : nullptr,
                        dbias ? part + C : nullptr, dout + b * C, inp + b * C, weight, mean + b, rstd + b,
                        e - b, C);
    }, dweight, dbias, C);
}

void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, int64_t N,
                     int64_t C, float eps) {
    const SimdTable& t = table();
    parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
        t.rmsnorm_fwd(out + b * C, rstd ? rstd + b : nullptr, inp + b * C, weight, int64_t(e - b), C, eps);
    });
}

void rmsnorm_backward(GradOut dinp, GradOut dweight, const float* dout, const float* inp,
                      const float* weight, const float* rstd, int64_t N, int64_t C) {
    const SimdTable& t = table();
    float* dx = dinp.data;
    if (!dweight) {
        if (!dx) return;
        parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
            t.rmsnorm_bwd(dx + b * C, dinp.overwrite(), nullptr, dout + b * C, inp + b * C, weight, rstd + b,
                          int64_t(e - b), C);
        });
        return;
    }
    reduce_over_row_chunks(N, C, [&](float* part, int64_t b, int64_t e) {
        t.rmsnorm_bwd(dx ? dx + b * C : nullptr, dinp.overwrite(), part, dout + b * C, inp + b * C, weight,
                      rstd + b, e - b, C);
    }, dweight, nullptr, C);
}

// ---- pointwise ----

void activation_forward(float* out, const float* inp, size_t n, Activation act) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) { t.activation_fwd(out + b, inp + b, int64_t(e - b), act); });
}

void activation_backward(GradOut dinp, const float* dout, const float* inp, size_t n, Activation act) {
    if (!dinp) return;
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
        t.activation_bwd(dinp.data + b, dinp.overwrite(), dout + b, inp + b, int64_t(e - b), act);
    });
}

void add_forward(float* out, const float* a, const float* b, size_t n) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) { t.add(out + s, a + s, b + s, int64_t(e - s)); });
}

void mul_forward(float* out, const float* a, const float* b, size_t n) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) { t.mul(out + s, a + s, b + s, int64_t(e - s)); });
}

void accumulate_transposed(GradOut dst, const float* src, int64_t rows, int64_t cols, float alpha) {
    if (dst) add_transposed(dst.data, cols, src, rows, cols, beta_for(dst), alpha);
}

void accumulate(GradOut dst, const float* src, size_t n, float alpha) {
    if (!dst) return;
    const SimdTable& t = table();
    float* d = dst.data;
    if (dst.overwrite()) { // alpha * src rounds like fma(alpha, src, 0)
        parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) {
            std::memcpy(d + s, src + s, (e - s) * sizeof(float));
            if (alpha != 1.f) t.scale(d + s, int64_t(e - s), alpha);
        });
        return;
    }
    parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) { t.axpy(d + s, src + s, int64_t(e - s), alpha); });
}

void accumulate_product(GradOut dst, const float* a, const float* b, size_t n) {
    if (!dst) return;
    const SimdTable& t = table();
    float* d = dst.data;
    if (dst.overwrite()) {
        parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) { t.mul(d + s, a + s, b + s, int64_t(e - s)); });
        return;
    }
    parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) { t.axpy_mul(d + s, a + s, b + s, int64_t(e - s)); });
}

void scale_inplace(float* x, size_t n, float alpha) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t s, size_t e) { t.scale(x + s, int64_t(e - s), alpha); });
}

void add_rows(GradOut dst, const float* src, int64_t R, int64_t C) {
    if (!dst) return;
    const SimdTable& t = table();
    // One column slice per thread, each streaming whole rows of its columns (slices of a few
    // hundred columns made every task walk the rows with a stride the prefetcher lost); each
    // column's rows are summed in order, so the slicing does not change a bit. Small sums, or
    // a residual's same-shape add (R = 1, a copy), in one piece or ~kElemGrain per task.
    const int64_t threads = std::max(1, num_threads());
    const int64_t per_thread = (C + threads - 1) / threads;
    const size_t slice = size_t(std::max<int64_t>(16, (per_thread + 15) / 16 * 16)); // whole registers
    const size_t grain = std::max(slice, kElemGrain / size_t(std::max<int64_t>(R, 1)));
    parallel_for_chunks(size_t(C), grain, [&](size_t c0, size_t c1) {
        t.sum_rows(dst.data + c0, dst.overwrite(), src + c0, C, R, int64_t(c1 - c0));
    });
}

double sum_squares(const float* x, size_t n) {
    const SimdTable& t = table();
    const size_t chunks = (n + kSumChunk - 1) / kSumChunk;
    // Grows once; no steady-state allocation. The lambda runs on TBB workers, so it must use
    // this (calling) thread's vector through a reference: naming the thread_local inside the
    // lambda would give each worker its own empty vector.
    static thread_local std::vector<double> tls_part;
    std::vector<double>& part = tls_part;
    part.assign(chunks, 0.0);
    parallel_for_chunks(n, kSumChunk, [&](size_t s, size_t e) { part[s / kSumChunk] = t.sum_squares(x + s, int64_t(e - s)); });
    double total = 0;
    for (size_t c = 0; c < chunks; c++) total += part[c];
    return total;
}

namespace {
// keep(i) for dropout: 24 random bits from a counter-based hash of (seed, i).
inline bool dropout_keep(uint64_t seed, size_t i, uint32_t threshold) {
    return uint32_t(mix64(seed ^ (uint64_t(i) * 0x9e3779b97f4a7c15ULL)) >> 40) >= threshold;
}
uint32_t dropout_threshold(float p) { return uint32_t(double(p) * double(1u << 24)); }
} // namespace

void dropout_forward(float* out, const float* inp, size_t n, float p, uint64_t seed) {
    const uint32_t th = dropout_threshold(p);
    const float s = 1.f / (1.f - p);
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; i++) out[i] = dropout_keep(seed, i, th) ? inp[i] * s : 0.f;
    });
}

void dropout_backward(GradOut dinp, const float* dout, size_t n, float p, uint64_t seed) {
    if (!dinp) return;
    const uint32_t th = dropout_threshold(p);
    const float s = 1.f / (1.f - p);
    float* d = dinp.data;
    if (dinp.overwrite()) {
        parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
            for (size_t i = b; i < e; i++) d[i] = dropout_keep(seed, i, th) ? dout[i] * s : 0.f;
        });
        return;
    }
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; i++)
            if (dropout_keep(seed, i, th)) d[i] += dout[i] * s;
    });
}

// ---- softmax ----

void softmax_forward(float* out, const float* inp, int64_t N, int64_t C) {
    const SimdTable& t = table();
    parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
        t.softmax_fwd(out + b * C, inp + b * C, int64_t(e - b), C);
    });
}

void softmax_backward(GradOut dinp, const float* dout, const float* out, int64_t N, int64_t C) {
    if (!dinp) return;
    const SimdTable& t = table();
    parallel_for_chunks(size_t(N), row_grain(C), [&](size_t b, size_t e) {
        t.softmax_bwd(dinp.data + b * C, dinp.overwrite(), dout + b * C, out + b * C, int64_t(e - b), C);
    });
}

// ---- attention ----

namespace detail {
float* attention_scratch_floats(size_t n) {
    static thread_local std::vector<float> buf;
    if (buf.size() < n + 16) buf.resize(n + 16);
    const uintptr_t p = reinterpret_cast<uintptr_t>(buf.data());
    return reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
}
} // namespace detail

namespace {
AttentionShape resolved(const AttentionShape& s0) {
    AttentionShape s = s0;
    if (s.scale == 0.f) s.scale = 1.f / std::sqrt(float(s.HS));
    if (!s.q_bstride) s.q_bstride = s.Tq * s.q_stride;
    if (!s.k_bstride) s.k_bstride = s.Tk * s.k_stride;
    if (!s.v_bstride) s.v_bstride = s.Tk * s.v_stride;
    return s;
}
} // namespace

bool attention_dropout_keep(uint64_t seed, int64_t b, int64_t h, int64_t t, int64_t j, float p) {
    const uint32_t key = detail::attention_dropout_row_key(seed, b, h, t);
    return detail::dropout_hash32(key + uint32_t(j) * detail::kDropoutGolden) >= detail::attention_dropout_threshold(p);
}

void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                       const AttentionShape& s0) {
    const AttentionShape s = resolved(s0);
    LMK_CHECK(s.HS > 0, "attention: head size {}", s.HS);
    LMK_CHECK(s.dropout >= 0.f && s.dropout < 1.f, "attention: dropout {} outside [0, 1)", s.dropout);
    const SimdTable& t = table();
    parallel_for_chunks(size_t(s.B * s.NH), 1, [&](size_t b0, size_t b1) {
        for (size_t bh = b0; bh < b1; bh++) t.attention_fwd(out, lse, q, k, v, s, int64_t(bh) / s.NH, int64_t(bh) % s.NH);
    });
}

void attention_backward(GradOut dq_out, GradOut dk_out, GradOut dv_out, GradOut dbias_out,
                        const float* dout, const float* out, const float* lse, const float* q,
                        const float* k, const float* v, const AttentionShape& s0) {
    const AttentionShape s = resolved(s0);
    LMK_CHECK(s.HS > 0, "attention: head size {}", s.HS);
    const SimdTable& t = table();
    float *dq = dq_out.data, *dk = dk_out.data, *dv = dv_out.data, *dbias = dbias_out.data;
    const detail::AttentionOverwrite ow{dq_out.overwrite(), dk_out.overwrite(), dv_out.overwrite()};
    if (dbias && dbias_out.overwrite()) { // written sparsely (visible scores only): zeroed first
        const int64_t n = (s.B - 1) * s.bias_b + (s.NH - 1) * s.bias_h + s.Tq * s.Tk;
        std::memset(dbias, 0, size_t(n) * sizeof(float));
    }
    // A bias shared across batch items (or heads) gets contributions from several (b, h):
    // those run in one task, in order, so the sum is deterministic and race-free.
    const bool shared_b = dbias && s.bias_b == 0, shared_h = dbias && s.bias_h == 0;
    const int64_t outer = shared_h ? 1 : s.NH; // tasks
    if (shared_b || shared_h) {
        parallel_for_chunks(size_t(outer), 1, [&](size_t h0, size_t h1) {
            for (size_t task = h0; task < h1; task++)
                for (int64_t b = 0; b < s.B; b++)
                    for (int64_t h = shared_h ? 0 : int64_t(task); h < (shared_h ? s.NH : int64_t(task) + 1); h++)
                        t.attention_bwd(dq, dk, dv, dbias, ow, dout, out, lse, q, k, v, s, b, h);
        });
        return;
    }
    parallel_for_chunks(size_t(s.B * s.NH), 1, [&](size_t b0, size_t b1) {
        for (size_t bh = b0; bh < b1; bh++)
            t.attention_bwd(dq, dk, dv, dbias, ow, dout, out, lse, q, k, v, s, int64_t(bh) / s.NH, int64_t(bh) % s.NH);
    });
}

// ---- cross-entropy ----

CrossEntropyResult cross_entropy_forward(float* losses, float* lse, const float* logits,
                                         const int32_t* targets, int64_t N, int64_t V,
                                         int64_t Vp, const CrossEntropyOptions& opt) {
    const SimdTable& t = table();
    float* row_loss = losses ? losses : scratch_floats(size_t(N));
    parallel_for_chunks(size_t(N), std::max<size_t>(1, row_grain(V)), [&](size_t b, size_t e) {
        t.ce_fwd(row_loss + b, lse + b, logits + b * Vp, targets + b, int64_t(e - b), V, Vp,
                 opt.ignore_index, opt.label_smoothing);
    });
    return cross_entropy_mean(row_loss, targets, N, opt, cross_entropy_weight_sum(targets, N, opt));
}

double cross_entropy_weight_sum(const int32_t* targets, int64_t N, const CrossEntropyOptions& opt) {
    double den = 0;
    for (int64_t i = 0; i < N; i++)
        if (targets[i] != opt.ignore_index) den += opt.weights ? double(opt.weights[i]) : 1.0;
    return den;
}

CrossEntropyResult cross_entropy_mean(const float* losses, const int32_t* targets, int64_t N,
                                      const CrossEntropyOptions& opt, double weight_sum) {
    double num = 0;
    for (int64_t i = 0; i < N; i++) { // in row order: deterministic
        if (targets[i] == opt.ignore_index) continue;
        num += (opt.weights ? double(opt.weights[i]) : 1.0) * losses[i];
    }
    CrossEntropyResult r;
    r.weight_sum = weight_sum;
    r.loss = weight_sum > 0 ? float(num / weight_sum) : 0.f;
    return r;
}

void cross_entropy_rows_grad(float* losses, float* lse, float* logits, const int32_t* targets, int64_t N,
                             int64_t V, int64_t Vp, const CrossEntropyOptions& opt, double weight_sum) {
    const SimdTable& t = table();
    // cross_entropy_backward's grad_scale for d(loss) = 1: 1.f / float(weight_sum).
    const float inv_weight_sum = weight_sum > 0 ? 1.f / float(weight_sum) : 0.f;
    // Rows are independent (any cut gives the same bits); 16 tasks of consecutive rows, so
    // that the kernel fetches each task's next row while it computes the current one.
    parallel_for_chunks(size_t(N), size_t(std::max<int64_t>(1, (N + 15) / 16)), [&](size_t b, size_t e) {
        t.ce_fwd_grad(losses + b, lse + b, logits + b * Vp, targets + b, opt.weights ? opt.weights + b : nullptr,
                      int64_t(e - b), V, Vp, opt.ignore_index, opt.label_smoothing, inv_weight_sum);
    });
}

CrossEntropyResult cross_entropy_forward_grad(float* losses, float* lse, float* logits, const int32_t* targets,
                                              int64_t N, int64_t V, int64_t Vp, const CrossEntropyOptions& opt) {
    float* row_loss = losses ? losses : scratch_floats(size_t(N));
    const double weight_sum = cross_entropy_weight_sum(targets, N, opt);
    cross_entropy_rows_grad(row_loss, lse, logits, targets, N, V, Vp, opt, weight_sum);
    return cross_entropy_mean(row_loss, targets, N, opt, weight_sum);
}

void cross_entropy_backward(GradOut dlogits, const float* logits, const float* lse,
                            const int32_t* targets, int64_t N, int64_t V, int64_t Vp,
                            const CrossEntropyOptions& opt, float grad_scale) {
    if (!dlogits) return;
    const SimdTable& t = table();
    parallel_for_chunks(size_t(N), std::max<size_t>(1, row_grain(V)), [&](size_t b, size_t e) {
        t.ce_bwd(dlogits.data + b * Vp, dlogits.overwrite(), logits + b * Vp, lse + b, targets + b,
                 opt.weights ? opt.weights + b : nullptr, int64_t(e - b), V, Vp, opt.ignore_index,
                 opt.label_smoothing, grad_scale);
    });
}

// ---- optimizer updates ----

void adam_update(float* param, const float* grad, float* m, float* v, size_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, float bc1, float bc2,
                 bool decoupled, float grad_scale) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
        t.adam(param + b, grad + b, grad_scale, m + b, v + b, int64_t(e - b), lr, beta1, beta2, eps, weight_decay, bc1,
               bc2, decoupled);
    });
}

void sgd_update(float* param, const float* grad, float* buf, size_t n, float lr, float momentum,
                bool nesterov, float weight_decay, bool first_step, float grad_scale) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
        t.sgd(param + b, grad + b, grad_scale, buf ? buf + b : nullptr, int64_t(e - b), lr, momentum, nesterov,
              weight_decay, first_step);
    });
}

void adagrad_update(float* param, const float* grad, float* sum, size_t n, float lr, float eps,
                    float weight_decay, float grad_scale) {
    const SimdTable& t = table();
    parallel_for_chunks(n, kElemGrain, [&](size_t b, size_t e) {
        t.adagrad(param + b, grad + b, grad_scale, sum + b, int64_t(e - b), lr, eps, weight_decay);
    });
}

} // namespace lmk::nn
