// Engine behaviour beyond single-op gradients: determinism across runs and thread counts,
// steady-state steps that allocate nothing, no-grad scopes, frozen parameters, gradient
// accumulation, the adapter hook, ISA selection, tensor views, positions, bf16 rounding.
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/ops.h"

#include <cmath>
#include <cstring>
#include <doctest/doctest.h>

using namespace lmk::nn;

namespace {

// A two-layer GPT-shaped model small enough for a unit test.
struct TinyModel {
    static constexpr int64_t B = 2, T = 80, C = 32, NH = 4, V = 50, Vp = 64, L = 2;
    ParameterStore ps;
    TinyModel() {
        lmk::Rng rng(7);
        auto init = [&](const std::string& name, Shape s, float scale) {
            Parameter& p = ps.add(name, s);
            for (int64_t i = 0; i < p.value.numel(); i++) p.value[i] = scale * float(rng.normal());
        };
        auto ones = [&](const std::string& name, Shape s) { ps.add(name, s).value.fill(1.f); };
        init("transformer.wte.weight", {Vp, C}, 0.02f);
        init("transformer.wpe.weight", {T, C}, 0.01f);
        for (int l = 0; l < L; l++) {
            std::string h = "transformer.h." + std::to_string(l) + ".";
            ones(h + "ln_1.weight", {C});
            init(h + "ln_1.bias", {C}, 0.01f);
            init(h + "attn.c_attn.weight", {C, 3 * C}, 0.02f);
            init(h + "attn.c_attn.bias", {3 * C}, 0.01f);
            init(h + "attn.c_proj.weight", {C, C}, 0.02f);
            init(h + "attn.c_proj.bias", {C}, 0.01f);
            ones(h + "ln_2.weight", {C});
            init(h + "ln_2.bias", {C}, 0.01f);
            init(h + "mlp.c_fc.weight", {C, 4 * C}, 0.02f);
            init(h + "mlp.c_fc.bias", {4 * C}, 0.01f);
            init(h + "mlp.c_proj.weight", {4 * C, C}, 0.02f);
            init(h + "mlp.c_proj.bias", {C}, 0.01f);
        }
        ones("transformer.ln_f.weight", {C});
        init("transformer.ln_f.bias", {C}, 0.01f);
    }
    Var p(Graph& g, const std::string& name) { return g.param(ps.at(name)); }

    // Mean next-token loss of the batch; dropout p on the residual branches and attention.
    Var loss(Graph& g, const std::vector<int32_t>& tokens, const std::vector<int32_t>& targets, float drop = 0.f) {
        std::vector<int32_t> pos(T);
        for (int64_t t = 0; t < T; t++) pos[size_t(t)] = int32_t(t);
        Var x = add(g, embedding(g, tokens.data(), {B, T}, p(g, "transformer.wte.weight")),
                    embedding(g, pos.data(), {T}, p(g, "transformer.wpe.weight")));
        for (int l = 0; l < L; l++) {
            std::string h = "transformer.h." + std::to_string(l) + ".";
            Var a = layernorm(g, x, p(g, h + "ln_1.weight"), p(g, h + "ln_1.bias"));
            Var qkv = linear(g, a, p(g, h + "attn.c_attn.weight"), p(g, h + "attn.c_attn.bias"), WeightLayout::in_out);
            AttentionOptions ao;
            ao.n_head = NH;
            ao.causal = true;
            ao.dropout = drop; // on the attention probabilities too (seed from the graph)
            Var y = linear(g, self_attention(g, qkv, ao), p(g, h + "attn.c_proj.weight"), p(g, h + "attn.c_proj.bias"),
                           WeightLayout::in_out);
            x = add(g, x, dropout(g, y, drop));
            Var m = layernorm(g, x, p(g, h + "ln_2.weight"), p(g, h + "ln_2.bias"));
            m = gelu(g, linear(g, m, p(g, h + "mlp.c_fc.weight"), p(g, h + "mlp.c_fc.bias"), WeightLayout::in_out));
            m = linear(g, m, p(g, h + "mlp.c_proj.weight"), p(g, h + "mlp.c_proj.bias"), WeightLayout::in_out);
            x = add(g, x, dropout(g, m, drop));
        }
        x = layernorm(g, x, p(g, "transformer.ln_f.weight"), p(g, "transformer.ln_f.bias"));
        Var logits = linear(g, x, p(g, "transformer.wte.weight"), {}, WeightLayout::out_in); // tied
        return cross_entropy(g, logits, targets.data(), V);
    }
};

std::vector<int32_t> random_tokens(uint64_t seed, int64_t n, int64_t V) {
    lmk::Rng rng(seed);
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (int32_t& x : t) x = int32_t(rng.below(uint64_t(V)));
    return t;
}

// Runs one step of `micro` forward/backward passes and returns the last loss followed by every
// gradient, as raw bits. The gradients are cleared by zero_grad, or (release) filled with NaN
// and then released, the passes' first contributions overwriting them, and settled after.
std::vector<uint32_t> step_bits(TinyModel& m, Graph& g, float drop, int micro = 1, bool release = false) {
    auto tok = random_tokens(1, TinyModel::B * TinyModel::T, TinyModel::V);
    auto tgt = random_tokens(2, TinyModel::B * TinyModel::T, TinyModel::V);
    if (release) {
        for (Parameter* p : m.ps.all())
            for (int64_t i = 0; i < p->grad.numel(); i++) p->grad[i] = std::nanf("");
        m.ps.release_grads();
    } else {
        m.ps.zero_grad();
    }
    float l = 0;
    for (int i = 0; i < micro; i++) {
        g.reset();
        g.seed = 1234;
        Var loss = m.loss(g, tok, tgt, drop);
        g.backward(loss);
        l = loss.item();
    }
    if (release) m.ps.settle_grads();
    std::vector<uint32_t> bits;
    uint32_t u;
    std::memcpy(&u, &l, 4);
    bits.push_back(u);
    for (Parameter* p : m.ps.all())
        for (int64_t i = 0; i < p->grad.numel(); i++) {
            std::memcpy(&u, &p->grad[i], 4);
            bits.push_back(u);
        }
    return bits;
}

} // namespace

TEST_CASE("a training step is bit-identical across runs and thread counts") {
    TinyModel m;
    Graph g;
    lmk::set_threads(1);
    auto one = step_bits(m, g, 0.1f);
    auto again = step_bits(m, g, 0.1f);
    lmk::set_threads(2);
    auto two = step_bits(m, g, 0.1f);
    auto two_again = step_bits(m, g, 0.1f);
    lmk::set_threads(0);
    CHECK(one == again);
    CHECK(two == two_again);
    CHECK(one == two); // own kernels split by size only; oneDNN sgemm at these sizes too
    float loss;
    std::memcpy(&loss, &one[0], 4);
    CHECK(std::fabs(loss - std::log(float(TinyModel::V))) < 0.3f); // ~uniform at init
}

TEST_CASE("released gradients give zero_grad's bits: tied weight, two passes, an unused parameter") {
    TinyModel m;
    m.ps.add("unused.weight", {3, 5}); // no op reaches it: settle_grads must zero it
    Graph g;
    for (int micro : {1, 2}) {
        CAPTURE(micro);
        const auto zeroed = step_bits(m, g, 0.1f, micro, false);
        const auto released = step_bits(m, g, 0.1f, micro, true);
        CHECK(released == zeroed);
    }
    for (int64_t i = 0; i < 15; i++) CHECK(m.ps.at("unused.weight").grad[i] == 0.f);
}

TEST_CASE("steady-state steps allocate nothing in the arena or tape") {
    TinyModel m;
    Graph g;
    step_bits(m, g, 0.f); // the first step grows the arena block by block
    const size_t cap = g.arena().capacity(), blocks = g.arena().block_count();
    const size_t nodes = g.node_count(), tape = g.tape_size();
    CHECK(blocks >= 1);
    for (int i = 0; i < 4; i++) { // from the second step on: no block added, none replaced
        step_bits(m, g, 0.f);
        CHECK(g.arena().capacity() == cap);
        CHECK(g.arena().block_count() == blocks);
        CHECK(g.node_count() == nodes);
        CHECK(g.tape_size() == tape);
    }
}

TEST_CASE("the arena serves a repeated sequence of requests from the same places") {
    Arena a;
    constexpr size_t MB = size_t(1) << 20;
    const std::vector<size_t> step = {MB / 2, 100, 2 * MB, 64, 3 * MB, 1, 4 * MB, 4096};
    auto run = [&](const std::vector<size_t>& sizes) {
        a.reset();
        std::vector<void*> at;
        for (size_t n : sizes) {
            at.push_back(a.alloc_bytes(n));
            CHECK(reinterpret_cast<uintptr_t>(at.back()) % 64 == 0);
        }
        return at;
    };
    const std::vector<void*> first = run(step);
    const size_t cap = a.capacity(), blocks = a.block_count();
    REQUIRE(blocks > 1);
    REQUIRE(cap <= 2 * a.used()); // blocks within twice the high-water mark: kept as they are
    for (size_t i = 0; i + 1 < first.size(); i++) // no two requests overlap
        for (size_t j = i + 1; j < first.size(); j++) {
            const char *p = static_cast<char*>(first[i]), *q = static_cast<char*>(first[j]);
            CHECK((p + step[i] <= q || q + step[j] <= p));
        }
    CHECK(run(step) == first);
    run({2 * MB, 100}); // a smaller step of other shapes fits in the blocks
    CHECK(run(step) == first);
    CHECK(a.capacity() == cap);
    CHECK(a.block_count() == blocks);
    // A bigger one adds blocks beyond twice the high-water mark (12 MB): the next reset merges
    // them into one block of that size, which then serves every step without growing.
    run({6 * MB, 6 * MB, 100});
    const std::vector<void*> merged = run(step);
    CHECK(a.block_count() == 1);
    const size_t merged_cap = a.capacity();
    CHECK(merged_cap >= 12 * MB + 128);
    CHECK(merged_cap < cap);
    CHECK(run(step) == merged);
    CHECK(run({6 * MB, 6 * MB, 100}).size() == 3);
    CHECK(a.capacity() == merged_cap);
    CHECK(a.block_count() == 1);
}

TEST_CASE("no-grad scope, frozen parameters, gradient accumulation") {
    TinyModel m;
    auto tok = random_tokens(3, TinyModel::B * TinyModel::T, TinyModel::V);
    Graph g;
    {
        NoGradScope ng(g);
        Var loss = m.loss(g, tok, tok);
        CHECK(g.tape_size() == 0);
        CHECK(!loss.requires_grad());
    }
    // Freeze everything but the final norm: only it gets a gradient.
    for (Parameter* p : m.ps.all())
        if (p->name.rfind("transformer.ln_f.", 0) != 0) p->set_requires_grad(false);
    CHECK(m.ps.trainable().size() == 2);
    g.reset();
    m.loss(g, tok, tok);
    g.backward(m.loss(g, tok, tok)); // only the second loss is backpropagated
    Tensor g1 = Tensor::zeros(m.ps.at("transformer.ln_f.weight").grad.shape());
    g1.copy_from(m.ps.at("transformer.ln_f.weight").grad);
    CHECK(!m.ps.at("transformer.wte.weight").grad.defined());
    // A second micro-batch without zero_grad adds the same gradient again.
    g.reset();
    g.backward(m.loss(g, tok, tok));
    const Tensor& g2 = m.ps.at("transformer.ln_f.weight").grad;
    double norm = 0;
    for (int64_t i = 0; i < g1.numel(); i++) {
        CHECK(g2[i] == doctest::Approx(2 * g1[i]).epsilon(1e-5));
        norm += g1[i] * g1[i];
    }
    CHECK(norm > 0);
}

TEST_CASE("a same-shape add passes its gradient down in one buffer: residual chains, x + x, a parameter") {
    // Small integers: every sum below is exact, so the gradients compare with ==.
    std::vector<float> xv(10), rv(10);
    for (int i = 0; i < 10; i++) xv[size_t(i)] = float(i - 4), rv[size_t(i)] = float((i * 7) % 5 - 2);
    Tensor xt = Tensor::from({2, 5}, xv), r = Tensor::from({2, 5}, rv);
    Graph g;
    Var x = g.leaf(xt, true);
    Var y1 = add(g, x, scale(g, x, 2.f));   // residual 1: dy1 = 4 dy2 below, dx = 3 dy1
    Var y2 = add(g, y1, scale(g, y1, 3.f)); // residual 2: dy1 = dy2 + 3 dy2
    g.backward(y2, r);
    REQUIRE(x.grad().defined());
    for (int64_t i = 0; i < 10; i++) CHECK(x.grad()[i] == 12.f * rv[size_t(i)]);
    // The sums handed their gradient buffers on: none is kept for them.
    CHECK(!y2.grad().defined());
    CHECK(!y1.grad().defined());

    Graph h; // both inputs the same variable: dx = 2 dout
    Var x2 = h.leaf(xt, true);
    h.backward(add(h, x2, x2), r);
    for (int64_t i = 0; i < 10; i++) CHECK(x2.grad()[i] == 2.f * rv[size_t(i)]);

    ParameterStore ps; // a parameter's gradient is its own buffer: it accumulates a copy
    Parameter& p = ps.add("p", {2, 5});
    p.value.copy_from(xt);
    Graph k;
    Var pv = k.param(p);
    Var sum = add(k, pv, scale(k, pv, 2.f));
    k.backward(sum, r);
    for (int64_t i = 0; i < 10; i++) CHECK(p.grad[i] == 3.f * rv[size_t(i)]);
    CHECK(sum.grad().defined()); // not handed to the parameter
}

TEST_CASE("linear calls the weight's adapter") {
    struct AddOne : Adapter {
        int calls = 0;
        Var apply(Graph& g, Var x, Var y) override {
            calls++;
            Var one = g.input({y.shape().last()});
            one.value().fill(1.f);
            return add(g, y, one);
        }
    } adapter;
    ParameterStore ps;
    Parameter& w = ps.add("w", {2, 3});
    w.value.fill(0.5f);
    w.adapter = &adapter;
    Graph g;
    Tensor x = Tensor::from({1, 3}, {1, 2, 3});
    Var y = linear(g, g.constant(x), g.param(w), {}, WeightLayout::out_in);
    CHECK(adapter.calls == 1);
    CHECK(y.value()[0] == doctest::Approx(4.0)); // 0.5 * 6 + 1
}

TEST_CASE("ISA selection") {
    CHECK(supported_isas().front() == Isa::scalar);
    CHECK_THROWS(set_isa("sse9"));
    set_isa("scalar");
    CHECK(current_isa() == Isa::scalar);
    set_isa("auto");
    CHECK(current_isa() == best_isa());
}

TEST_CASE("tensor views, shapes, errors") {
    Tensor t = Tensor::from({2, 3}, {0, 1, 2, 3, 4, 5});
    Tensor r = t.reshape({3, 2});
    CHECK(r.data() == t.data());
    CHECK(t.rows(1, 2)[0] == 3.f);
    CHECK(t.shape().str() == "(2, 3)");
    CHECK_THROWS(t.reshape({4}));
    ParameterStore ps;
    ps.add("a", {2});
    CHECK_THROWS(ps.add("a", {2}));
    CHECK_THROWS(ps.at("b"));
    Graph g;
    std::vector<int32_t> bad = {0, 7};
    CHECK_THROWS(embedding(g, bad.data(), {2}, g.param(ps.at("a")))); // table must be 2-D
    Parameter& e = ps.add("e", {3, 2});
    CHECK_THROWS(embedding(g, bad.data(), {2}, g.param(e))); // id 7 >= V = 3
}

TEST_CASE("sinusoidal positions and bf16 rounding") {
    Graph g;
    Var pe = sinusoidal_positions(g, 3, 4, 1);
    // position 1: sin(1), cos(1), sin(1/100), cos(1/100)
    CHECK(pe.value()[0] == doctest::Approx(std::sin(1.0)));
    CHECK(pe.value()[1] == doctest::Approx(std::cos(1.0)));
    CHECK(pe.value()[2] == doctest::Approx(std::sin(0.01)));
    CHECK(pe.value()[3] == doctest::Approx(std::cos(0.01)));
    const float in[4] = {1.f, 1.00390625f, 1.01171875f, -2.5f}; // 1 + 2^-8 ties to even (1)
    uint16_t h[4];
    float back[4];
    to_bf16(in, h, 4);
    from_bf16(h, back, 4);
    CHECK(h[0] == 0x3f80);
    CHECK(back[1] == 1.f);
    CHECK(back[2] == 1.015625f); // 1 + 3 * 2^-8 ties up to the even 1 + 2^-6
    CHECK(back[3] == -2.5f);
}

TEST_CASE("decoding with a KV cache equals full causal attention") {
    const int64_t B = 2, T = 12, Tmax = 20, NH = 2, HS = 8, C = NH * HS;
    lmk::Rng rng(21);
    Tensor q = Tensor::zeros({B, T, C}), k = Tensor::zeros({B, T, C}), v = Tensor::zeros({B, T, C});
    for (Tensor* t : {&q, &k, &v})
        for (int64_t i = 0; i < t->numel(); i++) (*t)[i] = float(rng.normal());
    Graph g;
    NoGradScope ng(g);
    AttentionOptions o;
    o.n_head = NH;
    o.causal = true;
    std::vector<float> full = attention(g, g.constant(q), g.constant(k), g.constant(v), o).value().to_vector();
    // The cache holds Tmax positions per batch item; step t appends k_t, v_t and attends.
    Tensor kc = Tensor::zeros({B, Tmax, C}), vc = Tensor::zeros({B, Tmax, C}), qt = Tensor::zeros({B, 1, C});
    o.kv_batch_stride = Tmax * C;
    double err = 0;
    for (int64_t t = 0; t < T; t++) {
        for (int64_t b = 0; b < B; b++) {
            std::memcpy(kc.data() + (b * Tmax + t) * C, k.data() + (b * T + t) * C, C * 4);
            std::memcpy(vc.data() + (b * Tmax + t) * C, v.data() + (b * T + t) * C, C * 4);
            std::memcpy(qt.data() + b * C, q.data() + (b * T + t) * C, C * 4);
        }
        Var y = attention(g, g.constant(qt), g.constant(Tensor(kc.data(), {B, t + 1, C})),
                          g.constant(Tensor(vc.data(), {B, t + 1, C})), o);
        for (int64_t b = 0; b < B; b++)
            for (int64_t c = 0; c < C; c++)
                err = std::max(err, double(std::fabs(y.value()[b * C + c] - full[size_t((b * T + t) * C + c)])));
    }
    CHECK(err < 1e-6);
}

TEST_CASE("sum_squares: multi-chunk reduction on worker threads equals a double sum") {
    // Regression: the per-chunk partials once lived in a thread_local named inside the
    // parallel lambda, so TBB workers wrote into their own empty vectors (crash in pretrain).
    lmk::set_threads(2);
    std::vector<float> x(300001);
    double want = 0;
    for (size_t i = 0; i < x.size(); i++) {
        x[i] = float(int(i % 17) - 8) * 0.125f;
        want += double(x[i]) * x[i];
    }
    for (int rep = 0; rep < 20; rep++) CHECK(lmk::nn::sum_squares(x.data(), x.size()) == doctest::Approx(want).epsilon(1e-12));
    lmk::set_threads(0);
}

TEST_CASE("attention dropout keeps 1 - p of the probabilities, one mask for every ISA and thread count") {
    // q = 0 makes every probability 1/T (bidirectional); v_j = e_j (HS = T) makes out[t][j]
    // = z_tj / T, so the output shows the mask: z = 1/(1-p) kept, 0 dropped.
    const int64_t B = 2, T = 128, HS = 128;
    const float p = 0.25f;
    const uint64_t seed = 42;
    AttentionShape s;
    s.B = B, s.Tq = s.Tk = T, s.NH = 1, s.HS = HS;
    s.q_stride = s.k_stride = s.v_stride = HS;
    s.dropout = p, s.dropout_seed = seed;
    std::vector<float> q(size_t(B * T * HS), 0.f), k(q.size()), v(q.size(), 0.f);
    lmk::Rng rng(3);
    for (float& x : k) x = float(rng.normal());
    for (int64_t b = 0; b < B; b++)
        for (int64_t j = 0; j < T; j++) v[size_t((b * T + j) * HS + j)] = 1.f;
    std::vector<float> first;
    for (Isa isa : supported_isas())
        for (int threads : {1, 2}) {
            set_isa(isa);
            lmk::set_threads(threads);
            std::vector<float> out(q.size()), lse(size_t(B * T));
            attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), s);
            int64_t kept = 0, wrong = 0;
            for (int64_t b = 0; b < B; b++)
                for (int64_t t = 0; t < T; t++)
                    for (int64_t j = 0; j < T; j++) {
                        const bool keep = attention_dropout_keep(seed, b, 0, t, j, p);
                        kept += keep;
                        const float want = keep ? 1.f / (float(T) * (1.f - p)) : 0.f;
                        wrong += std::fabs(out[size_t((b * T + t) * HS + j)] - want) > 1e-6f;
                    }
            CHECK(wrong == 0);
            CHECK(std::fabs(double(kept) / double(B * T * T) - (1.0 - p)) < 0.01); // sd 0.0024
            if (first.empty()) first = out;
            CHECK(std::memcmp(out.data(), first.data(), out.size() * 4) == 0);
        }
    set_isa("auto");
    lmk::set_threads(0);
    // Different seeds, rows and heads give different masks.
    int64_t same = 0;
    for (int64_t j = 0; j < 256; j++)
        same += attention_dropout_keep(1, 0, 0, 0, j, 0.5f) == attention_dropout_keep(2, 0, 0, 0, j, 0.5f);
    CHECK(same > 96);
    CHECK(same < 160);
}
