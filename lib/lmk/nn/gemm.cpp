// nn/gemm.cpp: matrix multiplication through oneDNN (fp32 sgemm; bf16 matmul primitive with
// fp32 accumulation), with a blocked fallback when oneDNN is not installed.
//
// Threads: Debian's oneDNN runs on OpenMP, whose pool is separate from oneTBB's. Before
// every call we cap OpenMP at lmk::num_threads() (resolved at run time with dlsym, so the
// build needs no OpenMP flags and still works with a TBB- or sequential-runtime oneDNN), so
// the two pools never run more threads than the user asked for: GEMMs run between, never
// inside, our parallel kernels.
#include "lmk/core/error.h"
#include "lmk/core/threads.h"
#include "lmk/nn/kernels.h"
#include "lmk/nn/tensor.h"

#include <algorithm>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#if __has_include(<oneapi/dnnl/dnnl.hpp>)
#include <oneapi/dnnl/dnnl.hpp>
#define LMK_HAVE_DNNL 1
#endif

namespace lmk::nn {

namespace {

void cap_gemm_threads() {
    using SetFn = void (*)(int);
    static SetFn set_fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    static int last = -1;
    int n = num_threads();
    if (set_fn && n != last) {
        set_fn(n);
        last = n;
    }
}

uint16_t* bf16_scratch(int which, size_t n) {
    static thread_local std::vector<uint16_t> buf[2];
    if (buf[which].size() < n) buf[which].resize(n);
    return buf[which].data();
}

#ifdef LMK_HAVE_DNNL
// M, N, K, lda * 2 + trans_a, ldb * 2 + trans_b, ldc, alpha, beta
using DnnlKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float, float>;
struct Dnnl {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    // bf16 matmul primitives by shape and layout: creating one costs far more than running a
    // small one.
    std::map<DnnlKey, dnnl::matmul> cache;
    std::mutex mu;
};
Dnnl& dnnl_state() {
    static Dnnl d;
    return d;
}

// C (M,N) = alpha op(A) op(B) + beta C with bf16 operands in place: op(A) (M,K) is A (M,K)
// with leading dimension lda, or A (K,M) read transposed; op(B) likewise. oneDNN takes the
// transposes as strides, so no operand is copied here.
void bf16_matmul(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
                 int64_t ldc) {
    using dt = dnnl::memory::data_type;
    using dims = dnnl::memory::dims;
    Dnnl& d = dnnl_state();
    std::lock_guard<std::mutex> lock(d.mu);
    dnnl::memory::desc a_md({M, K}, dt::bf16, trans_a ? dims{1, lda} : dims{lda, 1});
    dnnl::memory::desc b_md({K, N}, dt::bf16, trans_b ? dims{1, ldb} : dims{ldb, 1});
    dnnl::memory::desc c_md({M, N}, dt::f32, dims{ldc, 1});
    const DnnlKey key{M, N, K, lda * 2 + trans_a, ldb * 2 + trans_b, ldc, alpha, beta};
    auto it = d.cache.find(key);
    if (it == d.cache.end()) {
        dnnl::primitive_attr attr;
        if (alpha != 1.f) attr.set_output_scales(0, {alpha});
        if (beta != 0.f) {
            dnnl::post_ops po;
            po.append_sum(beta);
            attr.set_post_ops(po);
        }
        dnnl::matmul::desc desc(a_md, b_md, c_md);
        dnnl::matmul::primitive_desc pd(desc, attr, d.engine);
        it = d.cache.emplace(key, dnnl::matmul(pd)).first;
    }
    dnnl::memory a_mem(a_md, d.engine, const_cast<uint16_t*>(A));
    dnnl::memory b_mem(b_md, d.engine, const_cast<uint16_t*>(B));
    dnnl::memory c_mem(c_md, d.engine, C);
    it->second.execute(d.stream, {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}});
    d.stream.wait();
}
#else
// Portable fallback: C = alpha op(A) op(B) + beta C, i-k-j order over row-major data.
void fallback_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    parallel_for_chunks(size_t(M), 16, [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; i++) {
            float* c = C + i * ldc;
            for (int64_t j = 0; j < N; j++) c[j] = beta == 0.f ? 0.f : c[j] * beta;
            for (int64_t k = 0; k < K; k++) {
                float a = alpha * (ta ? A[k * lda + int64_t(i)] : A[int64_t(i) * lda + k]);
                for (int64_t j = 0; j < N; j++) c[j] += a * (tb ? B[j * ldb + k] : B[k * ldb + j]);
            }
        }
    });
}
#endif

// C (M x N, leading dim ldc) = beta C, with beta 0 writing zeros (not 0 * NaN): the whole
// product when K == 0.
void scale_rows(float* C, int64_t M, int64_t N, int64_t ldc, float beta) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.f ? 0.f : C[i * ldc + j] * beta;
}

} // namespace

void to_bf16_matrix(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld, bool trans) {
    // Rows in parallel, each task writing its own output rows; ~16K elements per task.
    const size_t grain = size_t(std::max<int64_t>(1, 16384 / std::max<int64_t>(cols, 1)));
    parallel_for_chunks(size_t(rows), grain, [&](size_t r0, size_t r1) {
        for (size_t r = r0; r < r1; r++) {
            uint16_t* out = dst + int64_t(r) * cols;
            if (!trans) to_bf16(src + int64_t(r) * ld, out, size_t(cols));
            else
                for (int64_t c = 0; c < cols; c++) out[c] = bf16_round(src[c * ld + int64_t(r)]);
        }
    });
}

void gemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
               int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (K == 0) return scale_rows(C, M, N, ldc, beta);
#ifdef LMK_HAVE_DNNL
    cap_gemm_threads();
    bf16_matmul(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    // Widen the (already rounded) operands to dense op(A), op(B) and multiply in fp32.
    std::vector<float> a(size_t(M * K)), b(size_t(K * N));
    for (int64_t i = 0; i < M; i++)
        for (int64_t k = 0; k < K; k++) from_bf16(trans_a ? &A[k * lda + i] : &A[i * lda + k], &a[size_t(i * K + k)], 1);
    for (int64_t k = 0; k < K; k++)
        for (int64_t j = 0; j < N; j++) from_bf16(trans_b ? &B[j * ldb + k] : &B[k * ldb + j], &b[size_t(k * N + j)], 1);
    fallback_gemm(false, false, M, N, K, alpha, a.data(), K, b.data(), N, beta, C, ldc);
#endif
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc, Precision precision) {
    if (M == 0 || N == 0) return;
    if (precision == Precision::bf16 && K > 0) {
        // Round op(A), op(B) into dense scratch, then the bf16 matmul. Callers that reuse an
        // operand (a weight over a step, an activation from forward to backward) convert it
        // once with to_bf16_matrix and call gemm_bf16 instead.
        uint16_t* a16 = bf16_scratch(0, size_t(M * K));
        uint16_t* b16 = bf16_scratch(1, size_t(K * N));
        to_bf16_matrix(a16, A, M, K, lda, trans_a);
        to_bf16_matrix(b16, B, K, N, ldb, trans_b);
        gemm_bf16(false, false, M, N, K, alpha, a16, K, b16, N, beta, C, ldc);
        return;
    }
    if (K == 0) return scale_rows(C, M, N, ldc, beta);
#ifdef LMK_HAVE_DNNL
    cap_gemm_threads();
    dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha, A, lda,
                                  B, ldb, beta, C, ldc);
    LMK_CHECK(st == dnnl_success, "oneDNN sgemm failed (status {}) for M={} N={} K={}", int(st), M, N, K);
#else
    fallback_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

} // namespace lmk::nn
