// bf16 mixed precision with operands converted once: gemm_bf16 on pre-rounded operands and
// linear() with the weight's cached bf16 copy and the input's forward copy give exactly the
// bits of the path that rounds both operands inside every product; a parameter's bf16 copy
// follows its version.
#include "lmk/core/rng.h"
#include "lmk/nn/ops.h"

#include <cstring>
#include <doctest/doctest.h>
#include <vector>

using namespace lmk::nn;

namespace {

std::vector<float> normals(lmk::Rng& rng, int64_t n, float scale = 1.f) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = scale * float(rng.normal());
    return v;
}

bool same_bits(const float* a, const float* b, int64_t n) { return std::memcmp(a, b, size_t(n) * 4) == 0; }

std::vector<uint16_t> rounded(const std::vector<float>& v) {
    std::vector<uint16_t> h(v.size());
    to_bf16(v.data(), h.data(), v.size());
    return h;
}

} // namespace

TEST_CASE("gemm_bf16 on rounded operands gives gemm(bf16)'s bits for every transpose and ld") {
    lmk::Rng rng(11);
    const int64_t M = 37, N = 45, K = 70;
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (float beta : {0.f, 1.f}) {
                CAPTURE(ta);
                CAPTURE(tb);
                CAPTURE(beta);
                const int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5, ldc = N + 2;
                auto a = normals(rng, (ta ? K : M) * lda), b = normals(rng, (tb ? N : K) * ldb, 0.1f);
                auto c0 = normals(rng, M * ldc), c1 = c0;
                gemm(ta, tb, M, N, K, 0.5f, a.data(), lda, b.data(), ldb, beta, c0.data(), ldc, Precision::bf16);
                auto a16 = rounded(a), b16 = rounded(b);
                gemm_bf16(ta, tb, M, N, K, 0.5f, a16.data(), lda, b16.data(), ldb, beta, c1.data(), ldc);
                CHECK(same_bits(c0.data(), c1.data(), M * ldc));
            }
}

TEST_CASE("linear in bf16: weight and input rounded once, same bits as rounding in every product") {
    lmk::Rng rng(12);
    const int64_t N = 192, C = 128, OC = 96;
    for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out})
        for (bool with_bias : {false, true}) {
            const int layout_id = int(layout);
            CAPTURE(layout_id);
            CAPTURE(with_bias);
            ParameterStore ps;
            Parameter& w = ps.add("w", layout == WeightLayout::out_in ? Shape{OC, C} : Shape{C, OC});
            Parameter& b = ps.add("b", {OC});
            auto wv = normals(rng, C * OC, 0.05f), bv = normals(rng, OC), xv = normals(rng, N * C), dy = normals(rng, N * OC);
            std::memcpy(w.value.data(), wv.data(), wv.size() * 4);
            std::memcpy(b.value.data(), bv.data(), bv.size() * 4);
            Tensor x = Tensor::from({N, C}, xv);

            Graph g;
            g.precision = Precision::bf16;
            Var xv_ = g.leaf(x, true);
            Var y = linear(g, xv_, g.param(w), with_bias ? g.param(b) : Var{}, layout);
            g.backward(y, Tensor::from({N, OC}, dy));

            std::vector<float> y_ref(size_t(N * OC)), dx_ref(size_t(N * C), 0.f), dw_ref(wv.size(), 0.f), db_ref(size_t(OC), 0.f);
            linear_forward(y_ref.data(), xv.data(), wv.data(), with_bias ? bv.data() : nullptr, N, C, OC, layout, Precision::bf16);
            linear_backward(dx_ref.data(), dw_ref.data(), with_bias ? db_ref.data() : nullptr, dy.data(), xv.data(), wv.data(),
                            N, C, OC, layout, Precision::bf16);
            CHECK(same_bits(y.data(), y_ref.data(), N * OC));
            CHECK(same_bits(xv_.grad().data(), dx_ref.data(), N * C));
            CHECK(same_bits(w.grad.data(), dw_ref.data(), C * OC));
            if (with_bias) CHECK(same_bits(b.grad.data(), db_ref.data(), OC));
        }
}

TEST_CASE("a parameter's bf16 copy is remade after mark_modified, and only then") {
    lmk::Rng rng(13);
    const int64_t N = 8, C = 32, OC = 16;
    ParameterStore ps;
    Parameter& w = ps.add("w", {C, OC});
    auto wv = normals(rng, C * OC);
    std::memcpy(w.value.data(), wv.data(), wv.size() * 4);
    auto first = rounded(wv);
    const uint16_t* h = w.bf16_value();
    CHECK(std::memcmp(h, first.data(), first.size() * 2) == 0);

    // Forward uses the cached copy; a write to value without mark_modified is not seen (the
    // contract: writers call mark_modified), one with it is.
    Tensor x = Tensor::from({N, C}, normals(rng, N * C));
    auto run = [&] {
        Graph g;
        g.precision = Precision::bf16;
        return linear(g, g.constant(x), g.param(w), {}, WeightLayout::in_out).value().to_vector();
    };
    std::vector<float> before = run();
    for (int64_t i = 0; i < w.value.numel(); i++) w.value[i] *= 2.f; // exact in bf16 too
    CHECK(same_bits(run().data(), before.data(), N * OC));
    const uint64_t v0 = w.version;
    w.mark_modified();
    CHECK(w.version == v0 + 1);
    std::vector<float> after = run();
    for (int64_t i = 0; i < N * OC; i++) CHECK(after[size_t(i)] == 2.f * before[size_t(i)]);
    std::vector<float> doubled(wv.size());
    for (size_t i = 0; i < wv.size(); i++) doubled[i] = 2.f * wv[i];
    auto second = rounded(doubled);
    CHECK(std::memcmp(w.bf16_value(), second.data(), second.size() * 2) == 0);
}

TEST_CASE("to_bf16 gives bf16_round's bits on every ISA (ties, NaN, infinities, subnormals, tails)") {
    std::vector<float> v;
    lmk::Rng rng(14);
    for (int i = 0; i < 100003; i++) { // random bit patterns: every exponent, NaNs included
        const uint32_t u = uint32_t(rng.next_u64());
        float f;
        std::memcpy(&f, &u, 4);
        v.push_back(f);
    }
    for (uint32_t u : {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffffffffu,
                       0x00000001u, 0x007fffffu, 0x3f808000u, 0x3f818000u, 0x3f80ffffu, 0x7f7fffffu, 0x7f7f8000u})
        for (int rep = 0; rep < 3; rep++) { // at several offsets, vector body and tail
            float f;
            std::memcpy(&f, &u, 4);
            v.push_back(f);
        }
    std::vector<uint16_t> want(v.size());
    for (size_t i = 0; i < v.size(); i++) want[i] = bf16_round(v[i]);
    CHECK(want[v.size() - 3] == 0x7f80);      // 0x7f7f8000: a tie above the largest bf16 goes to even: +inf
    CHECK(bf16_round(1.00390625f) == 0x3f80); // 0x3f808000: tie, stays even
    for (Isa isa : supported_isas()) {
        set_isa(isa);
        CAPTURE(isa_name(isa));
        for (size_t n : {v.size(), size_t(7), size_t(9), size_t(17)}) {
            std::vector<uint16_t> got(n);
            to_bf16(v.data() + v.size() - n, got.data(), n);
            CHECK(std::memcmp(got.data(), want.data() + v.size() - n, n * 2) == 0);
        }
    }
    set_isa("auto");
}
