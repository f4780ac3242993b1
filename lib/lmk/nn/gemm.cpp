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

// fp32 -> bf16, round to nearest even (NaN quieted), inline for the packing loops.
inline uint16_t bf16_round(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);
    return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// Copies op(X) (rows x cols, leading dim ld, transposed storage if trans) to a dense bf16
// (rows, cols) buffer; rows in parallel (each writes its own output row).
void pack_bf16(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld, bool trans) {
    parallel_for_chunks(size_t(rows), 64, [&](size_t r0, size_t r1) {
        for (size_t r = r0; r < r1; r++) {
            uint16_t* out = dst + int64_t(r) * cols;
            if (!trans)
                for (int64_t c = 0; c < cols; c++) out[c] = bf16_round(src[int64_t(r) * ld + c]);
            else
                for (int64_t c = 0; c < cols; c++) out[c] = bf16_round(src[c * ld + int64_t(r)]);
        }
    });
}

uint16_t* bf16_scratch(int which, size_t n) {
    static thread_local std::vector<uint16_t> buf[2];
    if (buf[which].size() < n) buf[which].resize(n);
    return buf[which].data();
}

#ifdef LMK_HAVE_DNNL
struct Dnnl {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    // bf16 matmul primitives by shape: creating one costs far more than running a small one.
    std::map<std::tuple<int64_t, int64_t, int64_t, float, float>, dnnl::matmul> cache;
    std::mutex mu;
};
Dnnl& dnnl_state() {
    static Dnnl d;
    return d;
}

void bf16_matmul(int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A, const uint16_t* B,
                 float beta, float* C, int64_t ldc) {
    using dt = dnnl::memory::data_type;
    Dnnl& d = dnnl_state();
    std::lock_guard<std::mutex> lock(d.mu);
    dnnl::memory::desc a_md({M, K}, dt::bf16, dnnl::memory::dims{K, 1});
    dnnl::memory::desc b_md({K, N}, dt::bf16, dnnl::memory::dims{N, 1});
    dnnl::memory::desc c_md({M, N}, dt::f32, dnnl::memory::dims{ldc, 1});
    auto key = std::make_tuple(M, N, K * 1000003 + ldc, alpha, beta);
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

} // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc, Precision precision) {
    if (M == 0 || N == 0) return;
    if (K == 0) {
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.f ? 0.f : C[i * ldc + j] * beta;
        return;
    }
#ifdef LMK_HAVE_DNNL
    cap_gemm_threads();
    if (precision == Precision::bf16) {
        uint16_t* a16 = bf16_scratch(0, size_t(M * K));
        uint16_t* b16 = bf16_scratch(1, size_t(K * N));
        pack_bf16(a16, A, M, K, lda, trans_a);
        pack_bf16(b16, B, K, N, ldb, trans_b);
        bf16_matmul(M, N, K, alpha, a16, b16, beta, C, ldc);
        return;
    }
    dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha, A, lda,
                                  B, ldb, beta, C, ldc);
    LMK_CHECK(st == dnnl_success, "oneDNN sgemm failed (status {}) for M={} N={} K={}", int(st), M, N, K);
#else
    if (precision == Precision::bf16) {
        // Round the operands like the bf16 path would, then multiply in fp32.
        std::vector<float> a(size_t(M * K)), b(size_t(K * N));
        uint16_t* a16 = bf16_scratch(0, size_t(M * K));
        uint16_t* b16 = bf16_scratch(1, size_t(K * N));
        pack_bf16(a16, A, M, K, lda, trans_a);
        pack_bf16(b16, B, K, N, ldb, trans_b);
        from_bf16(a16, a.data(), a.size());
        from_bf16(b16, b.data(), b.size());
        fallback_gemm(false, false, M, N, K, alpha, a.data(), K, b.data(), N, beta, C, ldc);
        return;
    }
    fallback_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

} // namespace lmk::nn
