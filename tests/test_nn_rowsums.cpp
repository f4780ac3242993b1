// Column sums of rows (add_rows: bias and broadcast gradients) and transposed adds
// (add_transposed: the exchanged A^T B products, the tied head's gradient) against plain
// loops, bit for bit: both only add and multiply in a fixed order, so any ISA, thread count,
// row grouping or tile edge must give exactly the loop's floats.
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/kernels.h"

#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <vector>

using namespace lmk::nn;

namespace {

std::vector<float> random_floats(lmk::Rng& rng, int64_t n) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = -1.f + 2.f * rng.uniform_f();
    return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

TEST_CASE("add_rows sums each column's rows in order, at every ISA and thread count") {
    lmk::Rng rng(11);
    const int64_t shapes[][2] = {{0, 7}, {1, 37}, {3, 37}, {4, 16}, {5, 300}, {9, 1}, {70, 1029}, {4097, 48}};
    for (auto [R, C] : shapes) {
        auto src = random_floats(rng, R * C), prior = random_floats(rng, C);
        std::vector<float> want_over(static_cast<size_t>(C)), want_acc = prior;
        for (int64_t c = 0; c < C; c++) {
            float s = 0.f; // overwrite: 0 + row 0 + row 1 ...
            for (int64_t r = 0; r < R; r++) s += src[size_t(r * C + c)];
            want_over[size_t(c)] = s;
            for (int64_t r = 0; r < R; r++) want_acc[size_t(c)] += src[size_t(r * C + c)];
        }
        for (Isa isa : supported_isas()) {
            set_isa(isa);
            for (int threads : {1, 2, 3}) {
                lmk::set_threads(threads);
                INFO("R ", R, " C ", C, " on ", isa_name(isa), " at ", threads, " threads");
                std::vector<float> over(static_cast<size_t>(C), NAN), acc = prior;
                add_rows(GradOut(over.data(), GradMode::overwrite), src.data(), R, C);
                add_rows(GradOut(acc.data(), GradMode::accumulate), src.data(), R, C);
                CHECK(same_bits(over, want_over));
                CHECK(same_bits(acc, want_acc));
            }
        }
    }
    set_isa(best_isa());
    lmk::set_threads(0);
}

TEST_CASE("add_transposed: C = beta C + alpha T^T over whole and partial tiles") {
    lmk::Rng rng(12);
    const int64_t shapes[][2] = {{1, 5}, {16, 16}, {37, 21}, {64, 48}, {1024, 17}, {33, 260}};
    for (auto [M, N] : shapes) {
        const int64_t ldc = N + 3; // padded rows of C stay untouched
        auto t = random_floats(rng, N * M), c0 = random_floats(rng, M * ldc);
        for (float beta : {0.f, 1.f, 0.5f})
            for (float alpha : {1.f, -0.25f})
                for (int threads : {1, 3}) {
                    lmk::set_threads(threads);
                    INFO("M ", M, " N ", N, " beta ", beta, " alpha ", alpha, " at ", threads, " threads");
                    std::vector<float> want = c0, got = c0;
                    for (int64_t i = 0; i < M; i++)
                        for (int64_t j = 0; j < N; j++) {
                            float& w = want[size_t(i * ldc + j)];
                            w = beta == 0.f ? alpha * t[size_t(j * M + i)] : beta * w + alpha * t[size_t(j * M + i)];
                        }
                    if (beta == 0.f) // whatever C held is overwritten, NaN included
                        for (int64_t i = 0; i < M; i++)
                            for (int64_t j = 0; j < N; j++) got[size_t(i * ldc + j)] = NAN;
                    add_transposed(got.data(), ldc, t.data(), M, N, beta, alpha);
                    CHECK(same_bits(got, want));
                }
    }
    lmk::set_threads(0);
}
