// Gradient write modes (kernels.h GradMode): every backward kernel that takes a GradOut must,
// on every ISA,
//  - in overwrite mode define every element of the gradient (the buffers here start as NaN,
//    so an element left alone shows up) with the values accumulate mode adds onto zeros, bit
//    for bit (x equals 0 + x exactly; only a zero's sign may differ, so floats are compared
//    with ==, which also fails on NaN);
//  - in accumulate mode add that same result onto what the buffer held.
// The tape's side (first writer overwrites, later writers accumulate) is exercised by the
// finite-difference checks in test_nn_gradcheck.cpp, which run every op in both modes, and by
// the GPT steps in test_nn_engine.cpp.
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/kernels.h"

#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <functional>
#include <string>
#include <vector>

using namespace lmk::nn;

namespace {

std::vector<float> random_floats(lmk::Rng& rng, int64_t n, float lo = -1.f, float hi = 1.f) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = lo + (hi - lo) * rng.uniform_f();
    return v;
}

// Runs `backward` (which writes the gradients it is handed) three times: accumulating onto
// zeros, overwriting NaN garbage, accumulating onto random prior values; `sizes` are the
// gradients' lengths. Checks the contract in this file's header comment.
void check_modes(const std::string& name, const std::vector<int64_t>& sizes,
                 const std::function<void(std::vector<GradOut>&)>& backward) {
    lmk::Rng rng(lmk::stream_id(name));
    std::vector<std::vector<float>> onto_zero, overwritten, onto_prior, prior;
    std::vector<GradOut> acc0, over, acc;
    for (int64_t n : sizes) {
        onto_zero.emplace_back(size_t(n), 0.f);
        overwritten.emplace_back(size_t(n), NAN);
        prior.push_back(random_floats(rng, n));
        onto_prior.push_back(prior.back());
    }
    for (size_t k = 0; k < sizes.size(); k++) {
        acc0.emplace_back(onto_zero[k].data(), GradMode::accumulate);
        over.emplace_back(overwritten[k].data(), GradMode::overwrite);
        acc.emplace_back(onto_prior[k].data(), GradMode::accumulate);
    }
    backward(acc0);
    backward(over);
    backward(acc);
    for (size_t k = 0; k < sizes.size(); k++) {
        INFO(name, " on ", isa_name(current_isa()), ": gradient ", k);
        size_t differ = 0, nonzero = 0, sum_off = 0;
        for (size_t i = 0; i < size_t(sizes[k]); i++) {
            const float x = onto_zero[k][i];
            differ += !(overwritten[k][i] == x); // NaN (never written) counts as different
            nonzero += x != 0.f;
            // accumulate adds: prior + x, within the rounding of that one addition (kernels
            // may fold the add into an FMA) plus the sum's own rounding for reductions
            const double want = double(prior[k][i]) + double(x);
            sum_off += std::fabs(double(onto_prior[k][i]) - want) > 1e-5 * (1 + std::fabs(want));
        }
        CHECK(differ == 0);
        CHECK(sum_off == 0);
        CHECK(nonzero > 0); // the case really produced a gradient
    }
}

void for_each_isa(const std::function<void()>& fn) {
    for (Isa isa : supported_isas()) {
        set_isa(isa);
        fn();
    }
    set_isa(best_isa());
}

} // namespace

TEST_CASE("grad modes: linear (fp32 and bf16 operands, both layouts, bias)") {
    for_each_isa([] {
        lmk::Rng rng(1);
        const int64_t N = 37, C = 29, OC = 45;
        auto x = random_floats(rng, N * C), w = random_floats(rng, C * OC), dy = random_floats(rng, N * OC);
        std::vector<uint16_t> x16(x.size()), w16(w.size());
        for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out}) {
            const bool out_in = layout == WeightLayout::out_in;
            to_bf16_matrix(x16.data(), x.data(), N, C, C, false);
            to_bf16_matrix(w16.data(), w.data(), out_in ? OC : C, out_in ? C : OC, out_in ? C : OC, false);
            check_modes(out_in ? "linear out_in" : "linear in_out", {N * C, C * OC, OC}, [&](std::vector<GradOut>& g) {
                linear_backward(g[0], g[1], g[2], dy.data(), x.data(), w.data(), N, C, OC, layout);
            });
            check_modes("linear bf16", {N * C, C * OC, OC}, [&](std::vector<GradOut>& g) {
                linear_backward_bf16(g[0], g[1], g[2], dy.data(), x16.data(), w16.data(), N, C, OC, layout);
            });
        }
    });
}

// linear_backward runs the input and the weight gradients at once (lmk::parallel_invoke): at
// two threads each product runs whole on its own thread, at three the weight task gets two
// threads and cuts its product; with a frozen weight the input's product keeps every thread.
// Shapes big enough to be cut; every thread count, the same bits.
TEST_CASE("linear backward: the same bits at 1, 2 and 3 threads, both layouts, fp32") {
    lmk::Rng rng(5);
    const int64_t N = 300, C = 96, OC = 200;
    auto x = random_floats(rng, N * C), w = random_floats(rng, C * OC), dy = random_floats(rng, N * OC);
    for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out})
        for (bool frozen_weight : {false, true}) { // frozen: input and bias gradients only
            std::vector<std::vector<float>> first;
            for (int threads : {1, 2, 3}) {
                lmk::set_threads(threads);
                std::vector<float> dx(size_t(N * C), 0.5f), dw(size_t(C * OC), 0.25f), db(size_t(OC), 0.125f);
                linear_backward(dx.data(), frozen_weight ? nullptr : dw.data(), db.data(), dy.data(), x.data(),
                                w.data(), N, C, OC, layout);
                if (first.empty()) first = {dx, dw, db};
                CHECK(std::memcmp(dx.data(), first[0].data(), dx.size() * 4) == 0);
                CHECK(std::memcmp(dw.data(), first[1].data(), dw.size() * 4) == 0);
                CHECK(std::memcmp(db.data(), first[2].data(), db.size() * 4) == 0);
            }
            CHECK(first[0][0] != 0.5f); // accumulated onto the prior values
            CHECK((first[1][0] == 0.25f) == frozen_weight);
        }
    lmk::set_threads(0);
}

TEST_CASE("grad modes: embedding, add_rows") {
    for_each_isa([] {
        lmk::Rng rng(2);
        const int64_t V = 9, C = 37, N = 20;
        std::vector<int32_t> ids(static_cast<size_t>(N));
        for (int32_t& id : ids) id = int32_t(rng.below(V - 2)); // the last two rows get no token
        auto dy = random_floats(rng, N * C);
        check_modes("embedding", {V * C}, [&](std::vector<GradOut>& g) {
            embedding_backward(g[0], dy.data(), ids.data(), N, V, C);
        });
        check_modes("add_rows", {C}, [&](std::vector<GradOut>& g) { add_rows(g[0], dy.data(), N, C); });
    });
}

TEST_CASE("grad modes: layernorm and rmsnorm (every subset of gradients, several reduction chunks)") {
    for_each_isa([] {
        lmk::Rng rng(3);
        const int64_t N = 70, C = 37;
        auto x = random_floats(rng, N * C, -2.f, 3.f), w = random_floats(rng, C, 0.5f, 1.5f);
        auto b = random_floats(rng, C), dy = random_floats(rng, N * C);
        std::vector<float> y(x.size()), mean(static_cast<size_t>(N)), rstd(static_cast<size_t>(N));
        layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
        for (int mask = 1; mask < 8; mask++) {
            std::vector<int64_t> sizes;
            if (mask & 4) sizes.push_back(N * C);
            if (mask & 2) sizes.push_back(C);
            if (mask & 1) sizes.push_back(C);
            check_modes("layernorm " + std::to_string(mask), sizes, [&](std::vector<GradOut>& g) {
                size_t k = 0;
                GradOut dx = mask & 4 ? g[k++] : GradOut{}, dw = mask & 2 ? g[k++] : GradOut{};
                GradOut db = mask & 1 ? g[k++] : GradOut{};
                layernorm_backward(dx, dw, db, dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C);
            });
        }
        rmsnorm_forward(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-6f);
        check_modes("rmsnorm", {N * C, C}, [&](std::vector<GradOut>& g) {
            rmsnorm_backward(g[0], g[1], dy.data(), x.data(), w.data(), rstd.data(), N, C);
        });
        check_modes("rmsnorm dx", {N * C}, [&](std::vector<GradOut>& g) {
            rmsnorm_backward(g[0], {}, dy.data(), x.data(), w.data(), rstd.data(), N, C);
        });
    });
}

TEST_CASE("grad modes: activations, softmax, dropout") {
    for_each_isa([] {
        lmk::Rng rng(4);
        const int64_t n = 1000 + 13, N = 5, C = 43; // tails at every register width
        auto x = random_floats(rng, n, -4.f, 4.f), dy = random_floats(rng, n);
        for (Activation act : {Activation::gelu_tanh, Activation::gelu_erf, Activation::relu})
            check_modes("activation " + std::to_string(int(act)), {n}, [&](std::vector<GradOut>& g) {
                activation_backward(g[0], dy.data(), x.data(), size_t(n), act);
            });
        std::vector<float> y(static_cast<size_t>(N * C));
        softmax_forward(y.data(), x.data(), N, C);
        check_modes("softmax", {N * C}, [&](std::vector<GradOut>& g) {
            softmax_backward(g[0], dy.data(), y.data(), N, C);
        });
        check_modes("dropout", {n}, [&](std::vector<GradOut>& g) {
            dropout_backward(g[0], dy.data(), size_t(n), 0.3f, 77);
        });
    });
}

TEST_CASE("grad modes: attention (packed causal, cross with mask, bias and dropout, KV cache)") {
    for_each_isa([] {
        lmk::Rng rng(5);
        struct Case {
            const char* name;
            int64_t B, Tq, Tk, NH, HS;
            bool causal, packed, mask, bias, shared_bias;
            float dropout;
        };
        const Case cases[] = {
            {"packed causal, two query blocks, odd head size", 2, 270, 270, 2, 12, true, true, false, false, false, 0.f},
            {"cross, mask, per-batch bias, dropout", 2, 7, 75, 2, 8, false, false, true, true, false, 0.2f},
            {"shared bias (T5)", 2, 9, 9, 3, 4, false, false, false, true, true, 0.f},
            // 10 cached positions: key rows first reached by a query block mid-tile
            {"KV cache, causal, two query blocks", 1, 270, 280, 2, 8, true, false, false, false, false, 0.f},
        };
        for (const Case& cs : cases) {
            AttentionShape s;
            s.B = cs.B, s.Tq = cs.Tq, s.Tk = cs.Tk, s.NH = cs.NH, s.HS = cs.HS, s.causal = cs.causal;
            const int64_t C = cs.NH * cs.HS;
            s.q_stride = s.k_stride = s.v_stride = cs.packed ? 3 * C : C;
            std::vector<uint8_t> mask;
            if (cs.mask) {
                for (int64_t i = 0; i < cs.B * cs.Tk; i++) mask.push_back(rng.below(4) != 0);
                mask[0] = mask[size_t(cs.Tk)] = 1;
                s.key_mask = mask.data();
            }
            std::vector<float> bias;
            if (cs.bias) {
                bias = random_floats(rng, (cs.shared_bias ? 1 : cs.B) * cs.NH * cs.Tq * cs.Tk);
                s.bias = bias.data();
                s.bias_h = cs.Tq * cs.Tk;
                s.bias_b = cs.shared_bias ? 0 : cs.NH * cs.Tq * cs.Tk;
            }
            s.dropout = cs.dropout, s.dropout_seed = 99;
            const int64_t nq = cs.B * cs.Tq * (cs.packed ? 3 * C : C), nk = cs.B * cs.Tk * C;
            auto q = random_floats(rng, nq), k = random_floats(rng, nk), v = random_floats(rng, nk);
            auto dy = random_floats(rng, cs.B * cs.Tq * C);
            std::vector<float> out(static_cast<size_t>(cs.B * cs.Tq * C)), lse(static_cast<size_t>(cs.B * cs.NH * cs.Tq));
            const float* qp = q.data();
            const float* kp = cs.packed ? qp + C : k.data();
            const float* vp = cs.packed ? qp + 2 * C : v.data();
            attention_forward(out.data(), lse.data(), qp, kp, vp, s);
            std::vector<int64_t> sizes = cs.packed ? std::vector<int64_t>{nq} : std::vector<int64_t>{nq, nk, nk};
            if (cs.bias) sizes.push_back(int64_t(bias.size()));
            check_modes(cs.name, sizes, [&](std::vector<GradOut>& g) {
                GradOut dq = g[0], dk, dv, db = cs.bias ? g.back() : GradOut{};
                if (cs.packed) {
                    dk = {g[0].data + C, g[0].mode};
                    dv = {g[0].data + 2 * C, g[0].mode};
                } else {
                    dk = g[1], dv = g[2];
                }
                attention_backward(dq, dk, dv, db, dy.data(), out.data(), lse.data(), qp, kp, vp, s);
            });
        }
    });
}

TEST_CASE("grad modes: cross-entropy (ignored rows, zero weights, padded vocabulary)") {
    for_each_isa([] {
        lmk::Rng rng(6);
        const int64_t N = 6, V = 21, Vp = 24;
        const std::vector<int32_t> targets = {3, -100, 20, 0, 7, 3};
        const std::vector<float> weights = {1.f, 1.f, 0.5f, 2.f, 0.f, 1.f};
        auto logits = random_floats(rng, N * Vp, -4.f, 4.f);
        for (float smoothing : {0.f, 0.1f}) {
            CrossEntropyOptions o;
            o.label_smoothing = smoothing;
            o.weights = weights.data();
            std::vector<float> lse(static_cast<size_t>(N));
            CrossEntropyResult r = cross_entropy_forward(nullptr, lse.data(), logits.data(), targets.data(), N, V, Vp, o);
            check_modes("cross_entropy", {N * Vp}, [&](std::vector<GradOut>& g) {
                cross_entropy_backward(g[0], logits.data(), lse.data(), targets.data(), N, V, Vp, o,
                                       float(1.0 / r.weight_sum));
            });
        }
    });
}
