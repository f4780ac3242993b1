// The linear head fused with its cross-entropy (ops::linear_cross_entropy) against the two
// ops it replaces (linear, then cross_entropy on logits it does not consume): the same loss
// bits (each logit is one GEMM element over the same K, whatever rows a call covers), and
// gradients equal to rounding (dW^T sums its chunks in a different order, the softmax comes
// from the summed exponentials); the same bits at one, two and three threads; every row
// ignored; and bad input (a target outside the vocabulary, a head of the wrong width).
#include "lmk/core/error.h"
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/ops.h"

#include <cmath>
#include <doctest/doctest.h>
#include <vector>

using namespace lmk::nn;

namespace {

struct HeadRun {
    float loss = 0;
    std::vector<float> dx, dw, per_token;
};

// x (N, C), head w (Vp, C) out_in, leaves; the loss fused or as two ops.
HeadRun run_head(bool fused, int64_t N, int64_t C, int64_t V, int64_t Vp, const std::vector<int32_t>& targets,
                 const CrossEntropyOptions& o) {
    lmk::Rng rng(3);
    Tensor x = Tensor::zeros({N, C}), w = Tensor::zeros({Vp, C});
    for (int64_t i = 0; i < x.numel(); i++) x[i] = float(rng.normal());
    for (int64_t i = 0; i < w.numel(); i++) w[i] = 0.3f * float(rng.normal());
    Graph g;
    Var xv = g.leaf(x, true), wv = g.leaf(w, true);
    HeadRun r;
    r.per_token.resize(size_t(N));
    Var loss = fused ? linear_cross_entropy(g, xv, wv, targets.data(), V, o, r.per_token.data())
                     : cross_entropy(g, linear(g, xv, wv, Var{}, WeightLayout::out_in), targets.data(), V, o,
                                     r.per_token.data());
    g.backward(scale(g, loss, 0.75f)); // d(loss) 0.75: the handed-over gradients get scaled
    r.loss = loss.value()[0];
    r.dx = xv.grad().to_vector();
    r.dw = wv.grad().to_vector();
    return r;
}

double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double scale = 1e-30, err = 0;
    for (size_t i = 0; i < a.size(); i++) {
        scale = std::max(scale, double(std::fabs(b[i])));
        err = std::max(err, double(std::fabs(a[i] - b[i])));
    }
    return err / scale;
}

} // namespace

TEST_CASE("linear_cross_entropy equals linear + cross_entropy, chunked or not") {
    const int64_t C = 24, V = 37, Vp = 48;
    for (int64_t N : {int64_t(100), 2 * kHeadChunkRows + 55}) {
        std::vector<int32_t> targets(static_cast<size_t>(N));
        std::vector<float> weights(static_cast<size_t>(N));
        lmk::Rng rng(5);
        for (int64_t i = 0; i < N; i++) {
            targets[size_t(i)] = i % 17 == 3 ? -100 : int32_t(rng.below(uint64_t(V)));
            weights[size_t(i)] = i % 11 == 0 ? 0.f : 0.5f + float(rng.below(3));
        }
        for (bool weighted : {false, true}) {
            CrossEntropyOptions o;
            o.weights = weighted ? weights.data() : nullptr;
            o.label_smoothing = weighted ? 0.05f : 0.f;
            const HeadRun fused = run_head(true, N, C, V, Vp, targets, o), two = run_head(false, N, C, V, Vp, targets, o);
            INFO("N ", N, " weighted ", weighted);
            CHECK(fused.loss == two.loss);
            CHECK(fused.per_token == two.per_token);
            CHECK(max_rel_diff(fused.dx, two.dx) < 1e-5);
            CHECK(max_rel_diff(fused.dw, two.dw) < 1e-5);
        }
    }
}

TEST_CASE("linear_cross_entropy: the same bits at 1, 2 and 3 threads") {
    const int64_t N = kHeadChunkRows + 300, C = 40, V = 90, Vp = 96;
    std::vector<int32_t> targets(static_cast<size_t>(N));
    for (int64_t i = 0; i < N; i++) targets[size_t(i)] = int32_t((i * 31) % V);
    std::vector<HeadRun> runs;
    for (int threads : {1, 2, 3}) {
        lmk::set_threads(threads);
        runs.push_back(run_head(true, N, C, V, Vp, targets, {}));
    }
    lmk::set_threads(0);
    for (size_t k = 1; k < runs.size(); k++) {
        CHECK(runs[k].loss == runs[0].loss);
        CHECK(runs[k].dx == runs[0].dx);
        CHECK(runs[k].dw == runs[0].dw);
    }
}

TEST_CASE("linear_cross_entropy: every row ignored gives loss 0 and zero gradients, chunked or not") {
    const int64_t C = 8, V = 11, Vp = 16;
    for (int64_t N : {int64_t(40), kHeadChunkRows + 9}) {
        const std::vector<int32_t> targets(static_cast<size_t>(N), -100);
        const HeadRun fused = run_head(true, N, C, V, Vp, targets, {}), two = run_head(false, N, C, V, Vp, targets, {});
        INFO("N ", N);
        CHECK(fused.loss == 0.f);
        CHECK(two.loss == 0.f);
        CHECK(fused.dx == std::vector<float>(fused.dx.size(), 0.f));
        CHECK(fused.dw == std::vector<float>(fused.dw.size(), 0.f));
        CHECK(fused.dw == two.dw);
    }
}

TEST_CASE("linear_cross_entropy: bad targets and a head of the wrong width are errors, chunked or not") {
    for (int64_t N : {int64_t(40), kHeadChunkRows + 9}) {
        Graph g;
        Tensor x = Tensor::zeros({N, 8}), w = Tensor::zeros({16, 8}), narrow = Tensor::zeros({16, 7});
        Var xv = g.leaf(x, true), wv = g.leaf(w, true);
        std::vector<int32_t> targets(static_cast<size_t>(N), 3);
        targets[size_t(N - 1)] = 11; // vocabulary 11: ids 0..10
        INFO("N ", N);
        CHECK_THROWS_AS(linear_cross_entropy(g, xv, wv, targets.data(), 11), lmk::Error);
        targets[size_t(N - 1)] = -7; // negative and not the ignore index
        CHECK_THROWS_AS(linear_cross_entropy(g, xv, wv, targets.data(), 11), lmk::Error);
        targets[size_t(N - 1)] = 3;
        CHECK_THROWS_AS(linear_cross_entropy(g, xv, wv, targets.data(), 17), lmk::Error); // V > Vp
        CHECK_THROWS_AS(linear_cross_entropy(g, xv, g.leaf(narrow, true), targets.data(), 11), lmk::Error);
    }
}
