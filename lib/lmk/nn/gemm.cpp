// nn/gemm.cpp: matrix multiplication through oneDNN (fp32 sgemm; bf16 matmul primitive with
// fp32 accumulation), with a blocked fallback when oneDNN is not installed.
//
// Threads: one pool. Debian's oneDNN runs on OpenMP, whose workers are a second pool beside
// oneTBB's; alternating the two (a GEMM, then our kernels, then a GEMM) made each pool's idle
// workers hold or wake cores the other needed (spinning OpenMP workers, or futex wake-ups per
// GEMM with a passive wait policy). So every oneDNN call here is single-threaded (each
// calling thread sets its OpenMP thread count to 1, resolved at run time with dlsym, so the
// build needs no OpenMP flags and still works with a TBB- or sequential-runtime oneDNN), and
// a product big enough to share is cut into blocks of rows or columns of C that oneTBB runs
// in parallel (lmk::parallel_for_chunks), one oneDNN call per block over the whole K. The cut
// depends on the shape and, in fp32, the calling task's thread count (see plan_for).
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
#include <unordered_map>
#include <vector>

#if __has_include(<oneapi/dnnl/dnnl.hpp>)
#include <oneapi/dnnl/dnnl.hpp>
#define LMK_HAVE_DNNL 1
#endif

namespace lmk::nn {

namespace {

// Makes oneDNN single-threaded in the calling thread (OpenMP's thread count is a per-thread
// setting, so each oneTBB worker that runs a block sets its own, once).
void single_threaded_gemm_library() {
    using SetFn = void (*)(int);
    static const SetFn set_fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    static thread_local bool done = false;
    if (!done) {
        if (set_fn) set_fn(1);
        done = true;
    }
}

// ---- the cut of C into blocks ----
//
// A product is cut along the longer of M and N (rows or columns of C) into blocks, one
// single-threaded oneDNN call each, the extent a multiple of kAlign so the micro-kernels run
// on full registers. Each block re-packs the uncut operand (a block `extent` wide does about
// 2 x extent FLOPs per element it packs), so thin blocks cost speed (on the baby config, 768
// x 128 inputs, 16 blocks of 48 rows ran 5% slower at one thread than uncut calls, 4 blocks
// of 192 rows 1-2%). Up to 4 blocks may be as thin as kMinExtent with kBlockFlops each; more
// (for machines with more cores) only wider.
//
// How many blocks depends on the precision:
// - fp32 follows the calling task's thread count: one call at one thread (no re-packing;
//   GPT-2 124M at one core: ~3% a step against 4 blocks), else up to twice as many blocks as
//   threads (at least kWideExtent wide beyond 4), so a core slowed by other work does not
//   hold the product up. sgemm usually gives an element of C the same bits whatever block
//   covers it (every product of the GPT configs here), but not always (B transposed, K
//   ~1000, some block widths: tests/test_nn_gemm.cpp), so fp32 results are reproducible for
//   a given thread count, and across thread counts only where sgemm's blocks agree.
// - bf16 is cut by the shape alone, the same at every thread count, so its bits never depend
//   on it: the matmul primitive runs blocks of a few thousand columns faster than whole
//   products (GPT-2 124M, one core: uncut 2-5% slower a step than 4 blocks), so even one
//   thread runs the cut. A power of two (equal shares for 2, 4, 8... threads) of up to 4
//   blocks, beyond 4 only blocks of at least kWideBlockFlops and kWideBf16Extent.
constexpr double kBlockFlops = 4e6;
constexpr double kWideBlockFlops = 256e6;
constexpr int64_t kFewBlocks = 4;
constexpr int64_t kMaxBf16Blocks = 64;
constexpr int64_t kMinExtent = 64;
constexpr int64_t kWideExtent = 256;
constexpr int64_t kWideBf16Extent = 1024;
constexpr int64_t kAlign = 16;

struct BlockPlan {
    bool by_rows = true; // blocks of rows of C (and op(A)); else columns of C (and op(B))
    int64_t extent = 0;  // rows or columns per block (the last may be shorter)
    int64_t count = 1;
};

// The most blocks `dim` rows or columns may be cut into.
int64_t most_blocks(int64_t dim, int64_t wide_extent) {
    return std::max(std::min(kFewBlocks, dim / kMinExtent), dim / wide_extent);
}

// At most `want` blocks (fewer when the product is too small for them).
BlockPlan plan_blocks(int64_t M, int64_t N, int64_t K, int64_t want, int64_t wide_extent) {
    BlockPlan plan;
    plan.by_rows = M >= N;
    const int64_t dim = plan.by_rows ? M : N;
    plan.extent = dim;
    const double flops = 2.0 * double(M) * double(N) * double(K);
    want = std::min({want, int64_t(flops / kBlockFlops), most_blocks(dim, wide_extent)});
    if (want <= 1) return plan;
    plan.extent = (dim + want - 1) / want;
    plan.extent = (plan.extent + kAlign - 1) / kAlign * kAlign;
    plan.count = (dim + plan.extent - 1) / plan.extent;
    return plan;
}

// bf16's block count: the shape's alone.
int64_t bf16_blocks(int64_t M, int64_t N, int64_t K) {
    const double flops = 2.0 * double(M) * double(N) * double(K);
    const int64_t limit = most_blocks(std::max(M, N), kWideBf16Extent);
    int64_t want = 1;
    while (want * 2 <= kMaxBf16Blocks && want * 2 <= limit &&
           double(want * 2) * (want * 2 <= kFewBlocks ? kBlockFlops : kWideBlockFlops) <= flops)
        want *= 2;
    return want;
}

BlockPlan plan_for(int64_t M, int64_t N, int64_t K, Precision precision) {
    if (precision == Precision::bf16) return plan_blocks(M, N, K, bf16_blocks(M, N, K), kWideBf16Extent);
    const int64_t threads = num_threads();
    return plan_blocks(M, N, K, threads == 1 ? 1 : 2 * threads, kWideExtent);
}

// Calls block(m0, m1, n0, n1) for each block of C (M x N), in parallel when there is more
// than one.
template <class Block>
void for_each_block(int64_t M, int64_t N, int64_t K, Precision precision, const Block& block) {
    const BlockPlan plan = plan_for(M, N, K, precision);
    if (plan.count == 1) return block(0, M, 0, N);
    const int64_t dim = plan.by_rows ? M : N;
    parallel_for_chunks(size_t(dim), size_t(plan.extent), [&](size_t b, size_t e) {
        if (plan.by_rows) block(int64_t(b), int64_t(e), 0, N);
        else block(0, M, int64_t(b), int64_t(e));
    });
}

// Pointers to a block's operands: rows [m0, m1) of op(A) and C, columns [n0, n1) of op(B)
// and C, for row-major storage with the given leading dimensions.
template <class T>
const T* op_a_rows(const T* A, bool trans_a, int64_t lda, int64_t m0) { return trans_a ? A + m0 : A + m0 * lda; }
template <class T>
const T* op_b_cols(const T* B, bool trans_b, int64_t ldb, int64_t n0) { return trans_b ? B + n0 * ldb : B + n0; }

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
    // bf16 matmul primitives by shape and layout: creating one costs far more than running a
    // small one. Blocks of one product run at once on several threads, so each primitive
    // takes its scratchpad from the calling thread (scratchpad_mode::user) and each thread
    // has its own stream; the map (node addresses are stable) is guarded only for lookups.
    std::map<DnnlKey, std::pair<dnnl::matmul, size_t>> cache; // primitive, scratchpad bytes
    std::mutex mu;
};
Dnnl& dnnl_state() {
    static Dnnl d;
    return d;
}

// C (M,N) = alpha op(A) op(B) + beta C with bf16 operands in place: op(A) (M,K) is A (M,K)
// with leading dimension lda, or A (K,M) read transposed; op(B) likewise. oneDNN takes the
// transposes as strides, so no operand is copied here. Single-threaded; safe to call from
// several threads at once.
void bf16_matmul(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
                 int64_t ldc) {
    using dt = dnnl::memory::data_type;
    using dims = dnnl::memory::dims;
    Dnnl& d = dnnl_state();
    single_threaded_gemm_library();
    dnnl::memory::desc a_md({M, K}, dt::bf16, trans_a ? dims{1, lda} : dims{lda, 1});
    dnnl::memory::desc b_md({K, N}, dt::bf16, trans_b ? dims{1, ldb} : dims{ldb, 1});
    dnnl::memory::desc c_md({M, N}, dt::f32, dims{ldc, 1});
    const DnnlKey key{M, N, K, lda * 2 + trans_a, ldb * 2 + trans_b, ldc, alpha, beta};
    const std::pair<dnnl::matmul, size_t>* prim = nullptr;
    {
        std::lock_guard<std::mutex> lock(d.mu);
        auto it = d.cache.find(key);
        if (it == d.cache.end()) {
            dnnl::primitive_attr attr;
            attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
            if (alpha != 1.f) attr.set_output_scales(0, {alpha});
            if (beta != 0.f) {
                dnnl::post_ops po;
                po.append_sum(beta);
                attr.set_post_ops(po);
            }
            dnnl::matmul::desc desc(a_md, b_md, c_md);
            dnnl::matmul::primitive_desc pd(desc, attr, d.engine);
            it = d.cache.emplace(key, std::make_pair(dnnl::matmul(pd), pd.scratchpad_desc().get_size())).first;
        }
        prim = &it->second;
    }
    static thread_local dnnl::stream stream(d.engine);
    static thread_local std::vector<uint8_t> scratch; // grows to the largest need, once
    if (scratch.size() < prim->second) scratch.resize(prim->second);
    dnnl::memory a_mem(a_md, d.engine, const_cast<uint16_t*>(A));
    dnnl::memory b_mem(b_md, d.engine, const_cast<uint16_t*>(B));
    dnnl::memory c_mem(c_md, d.engine, C);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}};
    if (prim->second) {
        dnnl::memory::desc s_md({int64_t(prim->second)}, dt::u8, dims{1});
        args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(s_md, d.engine, scratch.data()));
    }
    prim->first.execute(stream, args);
    stream.wait();
}

// C = alpha op(A) op(B) + beta C in fp32, single-threaded.
void f32_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    single_threaded_gemm_library();
    dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha, A, lda,
                                  B, ldb, beta, C, ldc);
    LMK_CHECK(st == dnnl_success, "oneDNN sgemm failed (status {}) for M={} N={} K={}", int(st), M, N, K);
}
#else
// Portable fallback, single-threaded: C = alpha op(A) op(B) + beta C, i-k-j order over
// row-major data.
void f32_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        float* c = C + i * ldc;
        for (int64_t j = 0; j < N; j++) c[j] = beta == 0.f ? 0.f : c[j] * beta;
        for (int64_t k = 0; k < K; k++) {
            float a = alpha * (ta ? A[k * lda + i] : A[i * lda + k]);
            for (int64_t j = 0; j < N; j++) c[j] += a * (tb ? B[j * ldb + k] : B[k * ldb + j]);
        }
    }
}

// Widens the (already rounded) operands of a block to dense op(A), op(B) and multiplies in
// fp32.
void bf16_matmul(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
                 int64_t ldc) {
    std::vector<float> a(size_t(M * K)), b(size_t(K * N));
    for (int64_t i = 0; i < M; i++)
        for (int64_t k = 0; k < K; k++) from_bf16(trans_a ? &A[k * lda + i] : &A[i * lda + k], &a[size_t(i * K + k)], 1);
    for (int64_t k = 0; k < K; k++)
        for (int64_t j = 0; j < N; j++) from_bf16(trans_b ? &B[j * ldb + k] : &B[k * ldb + j], &b[size_t(k * N + j)], 1);
    f32_gemm(false, false, M, N, K, alpha, a.data(), K, b.data(), N, beta, C, ldc);
}
#endif

// C (M x N, leading dim ldc) = beta C, with beta 0 writing zeros (not 0 * NaN): the whole
// product when K == 0.
void scale_rows(float* C, int64_t M, int64_t N, int64_t ldc, float beta) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.f ? 0.f : C[i * ldc + j] * beta;
}

} // namespace

namespace {
constexpr int64_t kTransposeTile = 16;

// One tile of add_transposed: rows [i0, i0 + ni) and columns [j0, j0 + nj) of C; Full tiles
// (ni = nj = kTransposeTile) have constant bounds, so their loops vectorise.
template <bool Full>
void add_transposed_tile(float* C, int64_t ldc, const float* T, int64_t M, int64_t i0, int64_t j0, int64_t ni,
                         int64_t nj, float beta, float alpha) {
    const int64_t ri = Full ? kTransposeTile : ni, rj = Full ? kTransposeTile : nj;
    float tile[kTransposeTile][kTransposeTile];
    for (int64_t j = 0; j < rj; j++)
        for (int64_t i = 0; i < ri; i++) tile[i][j] = T[(j0 + j) * M + i0 + i];
    for (int64_t i = 0; i < ri; i++) {
        float* c = C + (i0 + i) * ldc + j0;
        if (beta == 0.f)
            for (int64_t j = 0; j < rj; j++) c[j] = alpha * tile[i][j];
        else
            for (int64_t j = 0; j < rj; j++) c[j] = beta * c[j] + alpha * tile[i][j];
    }
}
} // namespace

// C (M,N; ldc) = beta C + alpha T^T for T (N,M) dense, beta 0 writing over whatever C held.
// Tiles of 16 x 16 through a buffer, rows of tiles in parallel. T's rows are M floats apart,
// often a multiple of 4 KB, so the 32 rows of the 32-wide tiles this replaced shared one L1
// set and evicted each other (1024 x 256, one core: 0.20-0.28 -> 0.10-0.11 ms).
void add_transposed(float* C, int64_t ldc, const float* T, int64_t M, int64_t N, float beta, float alpha) {
    const size_t tile_rows = size_t((M + kTransposeTile - 1) / kTransposeTile);
    const size_t grain = size_t(std::max<int64_t>(1, 16384 / std::max<int64_t>(N * kTransposeTile, 1)));
    parallel_for_chunks(tile_rows, grain, [&](size_t t0, size_t t1) {
        for (int64_t i0 = int64_t(t0) * kTransposeTile; i0 < std::min(M, int64_t(t1) * kTransposeTile);
             i0 += kTransposeTile)
            for (int64_t j0 = 0; j0 < N; j0 += kTransposeTile) {
                const int64_t ni = std::min(M - i0, kTransposeTile), nj = std::min(N - j0, kTransposeTile);
                if (ni == kTransposeTile && nj == kTransposeTile)
                    add_transposed_tile<true>(C, ldc, T, M, i0, j0, ni, nj, beta, alpha);
                else
                    add_transposed_tile<false>(C, ldc, T, M, i0, j0, ni, nj, beta, alpha);
            }
    });
}

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

namespace {

// C rows [m0, m1), columns [n0, n1) (leading dim ldc) = bias[n0, n1) in every row.
void fill_bias_block(float* C, int64_t ldc, const float* bias, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    for (int64_t i = m0; i < m1; i++) std::memcpy(C + i * ldc + n0, bias + n0, size_t(n1 - n0) * sizeof(float));
}

// Runs mul(m0, m1, n0, n1, beta) over the blocks of C (M x N): C = alpha op(A) op(B) + beta
// C, or with a bias, op(A) op(B) + bias as beta 1 over C filled with the bias row. Each
// block's bias is written just before its product, so it is still in cache when the GEMM
// reads it back (a separate pass over C first cost ~5% of a baby-config step).
template <class Mul>
void blocked_product(int64_t M, int64_t N, int64_t K, float beta, const float* bias, float* C, int64_t ldc,
                     Precision precision, const Mul& mul) {
    if (M == 0 || N == 0) return;
    if (K == 0) return bias ? fill_bias_block(C, ldc, bias, 0, M, 0, N) : scale_rows(C, M, N, ldc, beta);
    for_each_block(M, N, K, precision, [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
        if (bias) fill_bias_block(C, ldc, bias, m0, m1, n0, n1);
        mul(m0, m1, n0, n1, bias ? 1.f : beta);
    });
}

// ---- exchanged roles for A^T B with tall C ----
//
// oneDNN runs C = A^T B (A stored (K,M)) slower when C is tall (M >= 4 N) and K is long than
// with the roles exchanged: on this CPU (AVX-512) sgemm 115-140 GFLOP/s against ~185, the bf16
// matmul 277 against 353, for the small config's weight gradients (wte's: M 8192, N 256, K 4096
// tokens; the MLP c_proj's: 1024, 256, 4096). With K of a few hundred (GPT-2 124M at B 4, T 64)
// both ways run alike. Such products run as C^T = B^T A into scratch, then C = beta C + (C^T)^T.
// A function of the shape only, so the bits still do not depend on the thread count.
bool exchange_roles(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K) {
    return trans_a && !trans_b && K >= 1024 && M >= 4 * N;
}

// The calling thread's scratch for exchanged products (fp32 and bf16 alike: one buffer, grown
// to the largest need once).
float* exchange_scratch(size_t n) {
    static thread_local std::vector<float> buf;
    if (buf.size() < n) buf.resize(n);
    return buf.data();
}

// C = beta C + T^T after into(T) has written the exchanged product T (N x M, dense).
template <class Into>
void exchanged_product(int64_t M, int64_t N, float beta, float* C, int64_t ldc, const Into& into) {
    float* t = exchange_scratch(size_t(M * N));
    into(t);
    add_transposed(C, ldc, t, M, N, beta, 1.f);
}

void product_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A,
                  int64_t lda, const uint16_t* B, int64_t ldb, float beta, const float* bias, float* C, int64_t ldc) {
    if (!bias && exchange_roles(trans_a, trans_b, M, N, K))
        return exchanged_product(M, N, beta, C, ldc, [&](float* t) {
            product_bf16(true, false, N, M, K, alpha, B, ldb, A, lda, 0.f, nullptr, t, M);
        });
    const auto block = [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1, float b) {
        bf16_matmul(trans_a, trans_b, m1 - m0, n1 - n0, K, alpha, op_a_rows(A, trans_a, lda, m0), lda,
                    op_b_cols(B, trans_b, ldb, n0), ldb, b, C + m0 * ldc + n0, ldc);
    };
    blocked_product(M, N, K, beta, bias, C, ldc, Precision::bf16, block);
}

void product(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
             const float* B, int64_t ldb, float beta, const float* bias, float* C, int64_t ldc, Precision precision) {
    if (precision == Precision::f32 && !bias && exchange_roles(trans_a, trans_b, M, N, K))
        return exchanged_product(M, N, beta, C, ldc, [&](float* t) {
            product(true, false, N, M, K, alpha, B, ldb, A, lda, 0.f, nullptr, t, M, precision);
        });
    if (precision == Precision::bf16 && K > 0 && M > 0 && N > 0) {
        // Round op(A), op(B) into dense scratch, then the bf16 matmul. Callers that reuse an
        // operand (a weight over a step, an activation from forward to backward) convert it
        // once with to_bf16_matrix and call gemm_bf16 instead.
        uint16_t* a16 = bf16_scratch(0, size_t(M * K));
        uint16_t* b16 = bf16_scratch(1, size_t(K * N));
        to_bf16_matrix(a16, A, M, K, lda, trans_a);
        to_bf16_matrix(b16, B, K, N, ldb, trans_b);
        return product_bf16(false, false, M, N, K, alpha, a16, K, b16, N, beta, bias, C, ldc);
    }
    const auto block = [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1, float b) {
        f32_gemm(trans_a, trans_b, m1 - m0, n1 - n0, K, alpha, op_a_rows(A, trans_a, lda, m0), lda,
                 op_b_cols(B, trans_b, ldb, n0), ldb, b, C + m0 * ldc + n0, ldc);
    };
    blocked_product(M, N, K, beta, bias, C, ldc, Precision::f32, block);
}

} // namespace

int64_t gemm_blocks(int64_t M, int64_t N, int64_t K, Precision precision) {
    return plan_for(M, N, K, precision).count;
}

void gemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
               int64_t ldc) {
    product_bf16(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, nullptr, C, ldc);
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc, Precision precision) {
    product(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, nullptr, C, ldc, precision);
}

void gemm_bias(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
               const float* B, int64_t ldb, const float* bias, float* C, int64_t ldc, Precision precision) {
    product(trans_a, trans_b, M, N, K, 1.f, A, lda, B, ldb, 0.f, bias, C, ldc, precision);
}

void gemm_bias_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const uint16_t* A, int64_t lda,
                    const uint16_t* B, int64_t ldb, const float* bias, float* C, int64_t ldc) {
    product_bf16(trans_a, trans_b, M, N, K, 1.f, A, lda, B, ldb, 0.f, bias, C, ldc);
}

} // namespace lmk::nn
