// Optimizers and schedules: steps equal hand-computed values (worked out in the comments),
// the SIMD paths equal a double-precision loop on every ISA, state round-trips by name.
#include "lmk/nn/kernels.h"
#include "lmk/train/optim.h"
#include "lmk/train/schedule.h"

#include <cmath>
#include <doctest/doctest.h>

using namespace lmk;
using lmk::train::OptimizerKind;

namespace {

nn::Parameter& param(nn::ParameterStore& s, const char* name, nn::Shape shape, std::vector<float> value,
                     std::vector<float> grad) {
    nn::Parameter& p = s.add(name, shape);
    p.value.copy_from(nn::Tensor::from(shape, value));
    p.grad.copy_from(nn::Tensor::from(shape, grad));
    return p;
}

train::OptimizerConfig config(OptimizerKind kind) {
    train::OptimizerConfig c;
    c.kind = kind;
    return c;
}

} // namespace

TEST_CASE("AdamW: two steps by hand, decay on matrices only") {
    // Step 1: m = 0.1 g, v = 0.001 g^2, bc1 = 0.1, bc2 = 0.001, so m/bc1 = g and
    // sqrt(v)/sqrt(bc2) = |g|: the update is lr * sign(g). Step 2 with the same g:
    // m = 0.095, v = 0.00049975, bc1 = 0.19, bc2 = 0.001999: again lr * sign(g).
    nn::ParameterStore s;
    nn::Parameter& w = param(s, "w", {1, 3}, {1.f, -2.f, 0.5f}, {0.5f, -0.1f, 0.f});
    nn::Parameter& b = param(s, "b", {3}, {1.f, 1.f, 1.f}, {0.5f, 0.5f, 0.5f});
    CHECK(w.weight_decay);
    CHECK(!b.weight_decay);
    auto c = config(OptimizerKind::adamw);
    c.weight_decay = 0.01f;
    train::Optimizer opt(s, c);
    opt.step(0.1f);
    CHECK(w.value[0] == doctest::Approx(0.999 - 0.1).epsilon(1e-6));  // p (1 - lr wd) - lr
    CHECK(w.value[1] == doctest::Approx(-1.998 + 0.1).epsilon(1e-6));
    CHECK(w.value[2] == doctest::Approx(0.4995).epsilon(1e-6));       // g = 0: decay only
    CHECK(b.value[0] == doctest::Approx(0.9).epsilon(1e-6));          // no decay on a bias
    opt.step(0.1f);
    CHECK(w.value[0] == doctest::Approx(0.899 * 0.999 - 0.1).epsilon(1e-6));
    CHECK(b.value[0] == doctest::Approx(0.8).epsilon(1e-6));
    CHECK(opt.step_count() == 2);
}

TEST_CASE("Adam adds L2 decay to the gradient") {
    // g' = g + wd p = 0.5 + 0.1 * 1 = 0.6; first step moves by lr * sign(g') = 0.1.
    nn::ParameterStore s;
    nn::Parameter& w = param(s, "w", {1, 1}, {1.f}, {0.5f});
    auto c = config(OptimizerKind::adam);
    c.weight_decay = 0.1f;
    train::Optimizer opt(s, c);
    opt.step(0.1f);
    CHECK(w.value[0] == doctest::Approx(0.9).epsilon(1e-6));
    CHECK(w.grad[0] == 0.5f); // the gradient buffer itself is left alone
    auto st = opt.state();
    REQUIRE(st.size() == 2);
    CHECK(st[0].name == "w.exp_avg");
    CHECK(st[0].data[0] == doctest::Approx(0.06));   // (1 - b1) g'
    CHECK(st[1].name == "w.exp_avg_sq");
    CHECK(st[1].data[0] == doctest::Approx(0.00036)); // (1 - b2) g'^2
}

TEST_CASE("SGD: plain with L2 decay, momentum, Nesterov") {
    {
        nn::ParameterStore s; // p = 1 - 0.1 * (1 + 0.1 * 1)
        nn::Parameter& w = param(s, "w", {1, 1}, {1.f}, {1.f});
        auto c = config(OptimizerKind::sgd);
        c.weight_decay = 0.1f;
        train::Optimizer opt(s, c);
        opt.step(0.1f);
        CHECK(w.value[0] == doctest::Approx(0.89));
        CHECK(opt.state().empty()); // no momentum buffer without momentum
    }
    for (bool nesterov : {false, true}) {
        // g = 1 each step, mu = 0.9, lr = 0.1.
        // momentum: buf 1 -> p 0.9; buf 1.9 -> p 0.71.
        // Nesterov: step g + mu buf = 1.9 -> p 0.81; buf 1.9, step 2.71 -> p 0.539.
        nn::ParameterStore s;
        nn::Parameter& w = param(s, "w", {1}, {1.f}, {1.f});
        auto c = config(OptimizerKind::sgd);
        c.momentum = 0.9f;
        c.nesterov = nesterov;
        train::Optimizer opt(s, c);
        opt.step(0.1f);
        CHECK(w.value[0] == doctest::Approx(nesterov ? 0.81 : 0.9));
        opt.step(0.1f);
        CHECK(w.value[0] == doctest::Approx(nesterov ? 0.539 : 0.71));
        CHECK(opt.state()[0].name == "w.momentum_buffer");
        CHECK(opt.state()[0].data[0] == doctest::Approx(1.9));
    }
}

TEST_CASE("Adagrad: accumulated squares") {
    // g = 2: sum 4, p = 1 - 0.1 * 2 / 2 = 0.9; sum 8, p = 0.9 - 0.2 / sqrt(8).
    nn::ParameterStore s;
    nn::Parameter& w = param(s, "w", {1}, {1.f}, {2.f});
    train::Optimizer opt(s, config(OptimizerKind::adagrad));
    opt.step(0.1f);
    CHECK(w.value[0] == doctest::Approx(0.9));
    opt.step(0.1f);
    CHECK(w.value[0] == doctest::Approx(0.9 - 0.2 / std::sqrt(8.0)));
    CHECK(opt.state()[0].name == "w.sum");
}

TEST_CASE("fused updates equal a double-precision loop on every ISA (vector body and tail), with a gradient scale") {
    const int n = 37;
    for (nn::Isa isa : nn::supported_isas()) {
        nn::set_isa(isa);
        for (OptimizerKind kind : {OptimizerKind::adamw, OptimizerKind::adam, OptimizerKind::sgd, OptimizerKind::adagrad}) {
            nn::ParameterStore s;
            std::vector<float> v(n), g(n);
            for (int i = 0; i < n; i++) v[size_t(i)] = std::sin(float(i)), g[size_t(i)] = std::cos(float(3 * i));
            nn::Parameter& w = param(s, "w", {1, n}, v, g);
            auto c = config(kind);
            c.weight_decay = 0.05f;
            c.momentum = 0.8f;
            c.nesterov = true;
            train::Optimizer opt(s, c);
            std::vector<double> p(v.begin(), v.end()), m(n, 0), sq(n, 0);
            for (int t = 1; t <= 3; t++) {
                const float scale = t == 2 ? 0.625f : 1.f; // a clipping factor on step 2
                opt.step(0.01f, scale);
                for (int i = 0; i < n; i++) {
                    double gi = double(g[size_t(i)]) * scale, pi = p[size_t(i)];
                    if (kind == OptimizerKind::adamw || kind == OptimizerKind::adam) {
                        if (kind == OptimizerKind::adam) gi += 0.05 * pi;
                        m[size_t(i)] = 0.9 * m[size_t(i)] + 0.1 * gi;
                        sq[size_t(i)] = 0.999 * sq[size_t(i)] + 0.001 * gi * gi;
                        double mh = m[size_t(i)] / (1 - std::pow(0.9, t)), vh = sq[size_t(i)] / (1 - std::pow(0.999, t));
                        if (kind == OptimizerKind::adamw) pi *= 1 - 0.01 * 0.05;
                        p[size_t(i)] = pi - 0.01 * mh / (std::sqrt(vh) + 1e-8);
                    } else if (kind == OptimizerKind::sgd) {
                        gi += 0.05 * pi;
                        m[size_t(i)] = t == 1 ? gi : 0.8 * m[size_t(i)] + gi;
                        p[size_t(i)] = pi - 0.01 * (gi + 0.8 * m[size_t(i)]);
                    } else {
                        gi += 0.05 * pi;
                        sq[size_t(i)] += gi * gi;
                        p[size_t(i)] = pi - 0.01 * gi / (std::sqrt(sq[size_t(i)]) + 1e-10);
                    }
                }
            }
            double err = 0;
            for (int i = 0; i < n; i++) err = std::max(err, std::fabs(double(w.value[i]) - p[size_t(i)]));
            INFO(nn::isa_name(isa), " ", train::optimizer_kind_name(kind));
            CHECK(err < 2e-6);
        }
    }
    nn::set_isa(nn::best_isa());
}

TEST_CASE("optimizer state round-trips by name; frozen parameters have none") {
    nn::ParameterStore s;
    param(s, "a", {2, 2}, {1, 2, 3, 4}, {0.1f, -0.2f, 0.3f, -0.4f});
    nn::Parameter& frozen = param(s, "frozen", {2}, {5, 6}, {1, 1});
    frozen.set_requires_grad(false);
    train::Optimizer opt(s, config(OptimizerKind::adamw));
    opt.step(1e-2f);
    auto st = opt.state();
    REQUIRE(st.size() == 2); // a.exp_avg, a.exp_avg_sq; nothing for the frozen one
    CHECK(frozen.value[0] == 5.f);

    nn::ParameterStore s2;
    param(s2, "a", {2, 2}, {1, 2, 3, 4}, {0.1f, -0.2f, 0.3f, -0.4f});
    s2.at("a").value.copy_from(s.at("a").value);
    train::Optimizer opt2(s2, config(OptimizerKind::adamw));
    for (auto& b : st) opt2.load_state(b.name, b.data, b.numel);
    opt2.set_step_count(opt.step_count());
    opt.step(1e-2f);
    opt2.step(1e-2f);
    for (int i = 0; i < 4; i++) CHECK(s.at("a").value[i] == s2.at("a").value[i]); // bit-identical
    CHECK_THROWS(opt2.load_state("nope.exp_avg", st[0].data, 4));
    CHECK_THROWS(opt2.load_state("a.exp_avg", st[0].data, 3));
}

TEST_CASE("global-norm clipping") {
    nn::ParameterStore s;
    nn::Parameter& a = param(s, "a", {1}, {0}, {3});
    nn::Parameter& b = param(s, "b", {1, 1}, {0}, {4});
    CHECK(train::grad_norm(s) == doctest::Approx(5.0));
    CHECK(train::clip_grad_norm(s, 10.f) == doctest::Approx(5.0)); // under the limit: unchanged
    CHECK(a.grad[0] == 3.f);
    CHECK(train::clip_grad_norm(s, 1.f) == doctest::Approx(5.0));
    CHECK(a.grad[0] == doctest::Approx(0.6));
    CHECK(b.grad[0] == doctest::Approx(0.8));
    CHECK(train::clip_factor(5.f, 1.f) == doctest::Approx(0.2));
    CHECK(train::clip_factor(5.f, 10.f) == 1.f);
    CHECK(train::clip_factor(5.f, 0.f) == 1.f); // 0: no clipping
}

TEST_CASE("clipping folded into the update (step's gradient scale) equals clipping the gradients first") {
    // The trainer passes clip_factor to Optimizer::step instead of scaling every gradient in
    // a pass of its own; both read g * factor, so the parameters must come out bit-identical.
    for (nn::Isa isa : nn::supported_isas()) {
        nn::set_isa(isa);
        for (OptimizerKind kind : {OptimizerKind::adamw, OptimizerKind::adam, OptimizerKind::sgd, OptimizerKind::adagrad}) {
            nn::ParameterStore a, b;
            std::vector<float> v(21), g(21);
            for (size_t i = 0; i < v.size(); i++) v[i] = std::sin(float(i) + 1), g[i] = 3 * std::cos(float(5 * i));
            param(a, "w", {3, 7}, v, g);
            param(b, "w", {3, 7}, v, g);
            auto c = config(kind);
            c.weight_decay = 0.05f;
            c.momentum = 0.8f;
            train::Optimizer opt_a(a, c), opt_b(b, c);
            const float norm = train::clip_grad_norm(a, 1.f); // scales a's gradients in place
            opt_a.step(0.01f);
            opt_b.step(0.01f, train::clip_factor(train::grad_norm(b), 1.f));
            REQUIRE(norm > 1.f);
            INFO(nn::isa_name(isa), " ", train::optimizer_kind_name(kind));
            for (int64_t i = 0; i < 21; i++) CHECK(a.at("w").value[i] == b.at("w").value[i]);
        }
    }
    nn::set_isa(nn::best_isa());
}

TEST_CASE("schedules") {
    using train::Schedule;
    using train::ScheduleKind;
    Schedule cos{ScheduleKind::cosine, 1.f, 10, 110, 0.1f};
    CHECK(cos.lr(0) == doctest::Approx(0.1));   // warmup (s + 1) / 10
    CHECK(cos.lr(9) == doctest::Approx(1.0));
    CHECK(cos.lr(10) == doctest::Approx(1.0));  // decay starts at its peak
    CHECK(cos.lr(60) == doctest::Approx(0.55)); // halfway: (1 + 0.1) / 2
    CHECK(cos.lr(110) == doctest::Approx(0.1));
    CHECK(cos.lr(500) == doctest::Approx(0.1)); // clamped past the end
    Schedule lin{ScheduleKind::linear, 2.f, 0, 100, 0.f};
    CHECK(lin.lr(0) == doctest::Approx(2.0));
    CHECK(lin.lr(25) == doctest::Approx(1.5));
    CHECK(lin.lr(100) == doctest::Approx(0.0));
    Schedule con{ScheduleKind::constant, 3e-4f, 4, 100, 0.f};
    CHECK(con.lr(1) == doctest::Approx(1.5e-4));
    CHECK(con.lr(50) == doctest::Approx(3e-4));
    Schedule inv{ScheduleKind::inverse_sqrt, 1.f, 4, 0, 0.f};
    CHECK(inv.lr(3) == doctest::Approx(1.0));  // end of warmup: the peak
    CHECK(inv.lr(15) == doctest::Approx(0.5)); // sqrt(4 / 16)
    CHECK(train::schedule_kind_from_name("inverse_sqrt") == ScheduleKind::inverse_sqrt);
    CHECK_THROWS(train::schedule_kind_from_name("exp"));
    CHECK(train::optimizer_kind_from_name("adamw") == OptimizerKind::adamw);
    CHECK_THROWS(train::optimizer_kind_from_name("lion"));
}
