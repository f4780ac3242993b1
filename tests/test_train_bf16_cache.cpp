// The optimizer step keeps the weights' bf16 copies (nn::Parameter::bf16_value) current: after
// opt.step the copy holds the updated weights' rounding (written by the optimizer piece by
// piece) and the next bf16 forward multiplies by them, bit-identical to rounding the new fp32
// weights inside the product, while within a step the copy is reused.
#include "lmk/core/rng.h"
#include "lmk/nn/ops.h"
#include "lmk/train/optim.h"

#include <cstring>
#include <doctest/doctest.h>
#include <vector>

using namespace lmk;

TEST_CASE("bf16 weight copies are remade after an optimizer step") {
    const int64_t N = 24, C = 32, OC = 48;
    nn::ParameterStore ps;
    nn::Parameter& w = ps.add("w", {C, OC});
    Rng rng(5);
    for (int64_t i = 0; i < w.value.numel(); i++) w.value[i] = 0.1f * float(rng.normal());
    std::vector<float> xv(size_t(N * C));
    for (float& v : xv) v = float(rng.normal());
    nn::Tensor x = nn::Tensor::from({N, C}, xv);
    train::OptimizerConfig oc;
    oc.kind = train::OptimizerKind::adamw;
    train::Optimizer opt(ps, oc);
    nn::Graph g;
    g.precision = nn::Precision::bf16;

    auto forward_matches_fresh_rounding = [&](const std::vector<float>& got) {
        std::vector<float> want(size_t(N * OC));
        nn::linear_forward(want.data(), xv.data(), w.value.data(), nullptr, N, C, OC, nn::WeightLayout::in_out,
                           nn::Precision::bf16);
        return std::memcmp(got.data(), want.data(), want.size() * 4) == 0;
    };
    std::vector<float> prev;
    for (int step = 0; step < 3; step++) {
        ps.zero_grad();
        g.reset();
        const uint16_t* copy_before = w.bf16_value();
        const uint64_t version = w.version;
        nn::Var y = nn::linear(g, g.constant(x), g.param(w), {}, nn::WeightLayout::in_out);
        std::vector<float> out = y.value().to_vector();
        CHECK(forward_matches_fresh_rounding(out));
        if (!prev.empty()) CHECK(std::memcmp(out.data(), prev.data(), out.size() * 4) != 0); // weights moved
        g.backward(nn::mean(g, y));
        CHECK(w.bf16_value() == copy_before); // reused within the step
        CHECK(w.version == version);
        opt.step(1e-2f);
        CHECK(w.version == version + 1);
        // The optimizer rounded each updated piece into the copy itself: it already holds the
        // new weights' bf16 bits (before, the next bf16_value() remade it from memory).
        std::vector<uint16_t> fresh(size_t(w.value.numel()));
        nn::to_bf16(w.value.data(), fresh.data(), fresh.size());
        REQUIRE(w.bf16_copy() != nullptr);
        CHECK(std::memcmp(w.bf16_copy(), fresh.data(), fresh.size() * 2) == 0);
        CHECK(w.bf16_value() == copy_before);
        prev = out;
    }
}
