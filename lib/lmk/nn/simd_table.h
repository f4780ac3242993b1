// nn/simd_table.h (internal): the per-ISA inner loops behind nn/kernels.h.
//
// simd_kernels.inc holds each loop once, written against a small vector type; the files
// kernels_scalar.cpp, kernels_avx2.cpp and kernels_avx512.cpp compile it with their vector
// type and target flags and export one SimdTable each. kernels.cpp picks the table for the
// current ISA, splits rows over threads, and calls these on row ranges. Nothing here throws
// or uses threads; the only allocation is attention's per-thread scratch, grown once.
#pragma once
#include "lmk/nn/kernels.h"

#include <cstddef>
#include <cstdint>

namespace lmk::nn::detail {

struct AttentionOverwrite {
    bool dq = false, dk = false, dv = false;
};

struct SimdTable {
    // rows [0, n) of (n, C) row tensors; pointers already offset to the first row.
    void (*layernorm_fwd)(float* out, float* mean, float* rstd, const float* inp,
                          const float* w, const float* b, int64_t n, int64_t C, float eps);
    // dw, db: (C) partial sums for these rows (+=); either may be null. dinp_overwrite: store
    // dinp's rows instead of adding to them (kernels.h GradMode); likewise for the other
    // `overwrite` flags below.
    void (*layernorm_bwd)(float* dinp, bool dinp_overwrite, float* dw, float* db, const float* dout,
                          const float* inp, const float* w, const float* mean, const float* rstd,
                          int64_t n, int64_t C);
    void (*rmsnorm_fwd)(float* out, float* rstd, const float* inp, const float* w, int64_t n,
                        int64_t C, float eps);
    void (*rmsnorm_bwd)(float* dinp, bool dinp_overwrite, float* dw, const float* dout,
                        const float* inp, const float* w, const float* rstd, int64_t n, int64_t C);
    void (*activation_fwd)(float* out, const float* inp, int64_t n, Activation act);
    void (*activation_bwd)(float* dinp, bool overwrite, const float* dout, const float* inp, int64_t n,
                           Activation act);
    void (*add)(float* out, const float* a, const float* b, int64_t n);
    void (*mul)(float* out, const float* a, const float* b, int64_t n);
    void (*axpy)(float* dst, const float* src, int64_t n, float alpha);      // dst += alpha src
    void (*axpy_mul)(float* dst, const float* a, const float* b, int64_t n); // dst += a * b
    // dst[0, n) = (overwrite ? 0 : dst) + rows 0, 1, ... of src (rows ld apart), added in row
    // order (the bits of one axpy per row).
    void (*sum_rows)(float* dst, bool overwrite, const float* src, int64_t ld, int64_t rows, int64_t n);
    void (*scale)(float* x, int64_t n, float alpha);
    double (*sum_squares)(const float* x, int64_t n);
    int64_t (*fma_probe)(int64_t iters, float* sink); // returns the FLOPs done
    void (*softmax_fwd)(float* out, const float* inp, int64_t n, int64_t C);
    void (*softmax_bwd)(float* dinp, bool overwrite, const float* dout, const float* out, int64_t n, int64_t C);
    // Cross-entropy rows: losses/lse (n); targets (n); weights (n) or null.
    void (*ce_fwd)(float* losses, float* lse, const float* logits, const int32_t* targets,
                   int64_t n, int64_t V, int64_t Vp, int32_t ignore_index, float smoothing);
    // Overwrite also zeroes padding columns and rows that get no gradient.
    void (*ce_bwd)(float* dlogits, bool overwrite, const float* logits, const float* lse,
                   const int32_t* targets, const float* weights, int64_t n, int64_t V, int64_t Vp,
                   int32_t ignore_index, float smoothing, float grad_scale);
    // Both at once over logits nothing reads later: ce_fwd, then the row becomes its gradient
    // inv_weight_sum * w (softmax - target) (zero rows where ignored or weighted 0).
    void (*ce_fwd_grad)(float* losses, float* lse, float* logits, const int32_t* targets, const float* weights,
                        int64_t n, int64_t V, int64_t Vp, int32_t ignore_index, float smoothing,
                        float inv_weight_sum);
    // One (batch b, head h) of attention (see AttentionShape); bstrides already resolved.
    // The backward stores (rather than adds) the rows of dq, dk, dv whose flag in `overwrite`
    // is set; dbias always accumulates.
    void (*attention_fwd)(float* out, float* lse, const float* q, const float* k, const float* v,
                          const AttentionShape& s, int64_t b, int64_t h);
    void (*attention_bwd)(float* dq, float* dk, float* dv, float* dbias, AttentionOverwrite overwrite,
                          const float* dout, const float* out, const float* lse, const float* q,
                          const float* k, const float* v, const AttentionShape& s, int64_t b, int64_t h);
    // The updates read the gradient as g * gs (gs: a clipping factor, 1 for none).
    void (*adam)(float* p, const float* g, float gs, float* m, float* v, int64_t n, float lr, float b1,
                 float b2, float eps, float wd, float bc1, float bc2, bool decoupled);
    void (*sgd)(float* p, const float* g, float gs, float* buf, int64_t n, float lr, float mu, bool nesterov,
                float wd, bool first);
    void (*adagrad)(float* p, const float* g, float gs, float* sum, int64_t n, float lr, float eps, float wd);
};

// 64-byte aligned scratch of the calling thread, valid until its next call (attention tiles;
// grows, never shrinks). Defined in kernels.cpp, outside the ISA-specific translation units.
float* attention_scratch_floats(size_t n);

// ---- attention-probability dropout (shared by the kernels and attention_dropout_keep) ----
// Probability (b, h, t, j) is kept iff dropout_hash32(row_key(seed, b, h, t) + j * golden) >=
// threshold(p): a counter-based hash, so the backward regenerates the forward's mask without
// storing it and every thread split gives the same one. Static (internal linkage): each ISA's
// translation unit compiles its own copy, U = uint32_t or a GCC vector of them.
// In place (a vector passed by reference has no calling-convention variants across ISAs),
// and always inlined, so a vector instantiation compiles with its caller's ISA (this header
// sits before the ISA files' target pragmas).
template <class U> __attribute__((always_inline)) static inline void dropout_mix32(U& x) {
    x ^= x >> 16; // MurmurHash3's finaliser (a bijection)
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
}
static inline uint32_t dropout_hash32(uint32_t x) {
    dropout_mix32(x);
    return x;
}
constexpr uint32_t kDropoutGolden = 0x9e3779b9u;
static inline uint32_t attention_dropout_row_key(uint64_t seed, int64_t b, int64_t h, int64_t t) {
    uint32_t k = dropout_hash32(uint32_t(seed) ^ dropout_hash32(uint32_t(seed >> 32) + kDropoutGolden));
    k = dropout_hash32(k + uint32_t(b));
    k = dropout_hash32(k + uint32_t(h));
    return dropout_hash32(k + uint32_t(t));
}
static inline uint32_t attention_dropout_threshold(float p) { // P(hash < threshold) = p
    const double t = double(p) * 4294967296.0;
    return t >= 4294967295.0 ? 0xffffffffu : uint32_t(t);
}

const SimdTable& simd_table_scalar();
const SimdTable& simd_table_avx2();
const SimdTable& simd_table_avx512();

} // namespace lmk::nn::detail
