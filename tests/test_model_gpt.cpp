// tests/test_model_gpt.cpp: a tiny GPT end to end: init, loss, gradients against finite
// differences, KV-cache decoding against the full forward, checkpoint round trips.
#include "lmk/core/error.h"
#include "lmk/core/threads.h"
#include "lmk/model/gpt.h"
#include "lmk/model/import.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include "test_util.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <vector>

using namespace lmk;
namespace fs = std::filesystem;

namespace {
GptConfig tiny(NormPosition norm = NormPosition::pre, PositionEmbedding pos = PositionEmbedding::learned,
               Activation act = Activation::gelu_tanh) {
    GptConfig c;
    c.vocab_size = 37, c.n_positions = 16, c.n_embd = 16, c.n_layer = 2, c.n_head = 2;
    c.norm_position = norm, c.position_embedding = pos, c.activation = act;
    c.resid_pdrop = c.embd_pdrop = c.attn_pdrop = 0.0f;
    c.validate();
    return c;
}
std::vector<int32_t> ids_of(int n, int salt = 0) {
    std::vector<int32_t> v;
    for (int i = 0; i < n; i++) v.push_back(int32_t((i * 7 + salt * 3 + 1) % 37));
    return v;
}
std::vector<float> full_logits(Gpt& m, const std::vector<int32_t>& ids) {
    nn::Graph g;
    nn::NoGradScope ng(g);
    g.training = false;
    nn::Var l = m.forward(g, ids.data(), 1, int64_t(ids.size()));
    return l.value().to_vector();
}
double loss_of(Gpt& m, const std::vector<int32_t>& x, const std::vector<int32_t>& y, int B, int T) {
    nn::Graph g;
    nn::NoGradScope ng(g);
    return m.loss(g, x.data(), y.data(), B, T).item();
}
using lmk_test::TempDir;
double stddev(const nn::Tensor& t) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < t.numel(); i++) s += t[i], s2 += double(t[i]) * t[i];
    double n = double(t.numel());
    return std::sqrt(s2 / n - (s / n) * (s / n));
}
} // namespace

TEST_CASE("init: GPT-2 scheme, padded rows zero, loss near ln V") {
    GptConfig c = tiny();
    c.n_embd = 64, c.n_head = 4;
    c.validate();
    Gpt m(c);
    m.init_weights(1);
    auto& ps = m.params();
    CHECK(ps.numel() == c.num_parameters() + (c.padded_vocab_size - c.vocab_size) * c.n_embd);
    CHECK(stddev(ps.at("transformer.h.0.mlp.c_fc.weight").value) == doctest::Approx(0.02).epsilon(0.05));
    CHECK(stddev(ps.at("transformer.h.1.mlp.c_proj.weight").value) == doctest::Approx(0.01).epsilon(0.05));
    CHECK(ps.at("transformer.h.0.ln_1.weight").value[5] == 1.0f);
    CHECK(ps.at("transformer.h.0.attn.c_attn.bias").value[5] == 0.0f);
    const nn::Tensor& wte = ps.at("transformer.wte.weight").value;
    CHECK(wte.shape()[0] == 64);
    for (int64_t i = c.vocab_size * c.n_embd; i < wte.numel(); i++) REQUIRE(wte[i] == 0.0f);
    CHECK_FALSE(ps.at("transformer.h.0.ln_1.bias").weight_decay);
    CHECK(ps.at("transformer.wte.weight").weight_decay);
    // Deterministic: same seed, same weights, at any thread count (the parameters are filled
    // in parallel, each from its own stream); another seed, other weights.
    for (int threads : {1, 3}) {
        lmk::set_threads(threads);
        Gpt m2(c);
        m2.init_weights(1);
        for (nn::Parameter* p : m.params().all()) {
            INFO(p->name, " at ", threads, " threads");
            const nn::Tensor& v2 = m2.params().at(p->name).value;
            CHECK(std::memcmp(p->value.data(), v2.data(), size_t(v2.numel()) * 4) == 0);
        }
    }
    lmk::set_threads(0);
    Gpt m3(c);
    m3.init_weights(2);
    CHECK(std::memcmp(wte.data(), m3.params().at("transformer.wte.weight").value.data(), size_t(wte.numel()) * 4) != 0);
    auto x = ids_of(32), y = ids_of(32, 1);
    CHECK(loss_of(m, x, y, 2, 16) == doctest::Approx(std::log(37.0)).epsilon(0.05));
}

TEST_CASE("gradients match finite differences of the loss") {
    for (NormPosition norm : {NormPosition::pre, NormPosition::post}) {
        Gpt m(tiny(norm, PositionEmbedding::learned, Activation::gelu_tanh));
        m.init_weights(3);
        // Larger weights than the init so every path carries signal.
        for (nn::Parameter* p : m.params().all())
            if (p->value.shape().ndim >= 2) nn::scale_inplace(p->value.data(), size_t(p->value.numel()), 5.0f);
        auto x = ids_of(16), y = ids_of(16, 2);
        nn::Graph g;
        m.params().zero_grad();
        g.backward(m.loss(g, x.data(), y.data(), 2, 8));
        struct Probe { const char* name; int64_t index; };
        for (Probe pr : {Probe{"transformer.wte.weight", 7 * 16 + 3}, Probe{"transformer.wpe.weight", 2 * 16 + 5},
                         Probe{"transformer.h.0.attn.c_attn.weight", 37}, Probe{"transformer.h.1.attn.c_proj.bias", 4},
                         Probe{"transformer.h.0.mlp.c_fc.weight", 100}, Probe{"transformer.h.1.ln_2.weight", 9}}) {
            nn::Parameter& p = m.params().at(pr.name);
            const float analytic = p.grad[pr.index];
            const float saved = p.value[pr.index];
            const float h = 1e-2f;
            p.value[pr.index] = saved + h;
            double up = loss_of(m, x, y, 2, 8);
            p.value[pr.index] = saved - h;
            double down = loss_of(m, x, y, 2, 8);
            p.value[pr.index] = saved;
            double numeric = (up - down) / (2 * h);
            INFO(pr.name, " ", (norm == NormPosition::pre ? "pre" : "post"), " analytic ", analytic, " numeric ", numeric);
            CHECK(std::abs(analytic - numeric) <= 2e-3 + 0.03 * std::abs(numeric));
        }
    }
}

TEST_CASE("KV-cache decoding equals the full forward, every variant") {
    struct V { NormPosition n; PositionEmbedding p; Activation a; };
    for (V v : {V{NormPosition::pre, PositionEmbedding::learned, Activation::gelu_tanh},
                V{NormPosition::post, PositionEmbedding::sinusoidal, Activation::relu},
                V{NormPosition::pre, PositionEmbedding::sinusoidal, Activation::gelu_exact}}) {
        GptConfig c = tiny(v.n, v.p, v.a);
        Gpt m(c);
        m.init_weights(5);
        auto ids = ids_of(12, 4);
        std::vector<float> full = full_logits(m, ids);
        KvCache cache(c, 16);
        nn::Graph g;
        nn::NoGradScope ng(g);
        g.training = false;
        // Prefill 5 tokens, then one at a time.
        int64_t pos = 0;
        auto check_last = [&](nn::Var logits, int64_t p) {
            const float* want = full.data() + p * c.padded_vocab_size;
            for (int64_t k = 0; k < c.vocab_size; k++) REQUIRE(logits.data()[k] == doctest::Approx(want[k]).epsilon(1e-4));
        };
        g.reset();
        check_last(m.forward_cached(g, ids.data(), 5, cache), 4);
        for (pos = 5; pos < 12; pos++) {
            g.reset();
            check_last(m.forward_cached(g, ids.data() + pos, 1, cache), pos);
        }
        CHECK(cache.length() == 12);
        g.reset();
        CHECK_THROWS_AS(m.forward_cached(g, ids.data(), 5, cache), Error); // 17 > capacity 16
    }
}

TEST_CASE("safetensors and llm.c round trips give identical logits") {
    TempDir d;
    GptConfig c = tiny();
    Gpt m(c);
    m.init_weights(9);
    auto ids = ids_of(10);
    std::vector<float> want = full_logits(m, ids);
    m.save_safetensors(d.path + "/model.safetensors");
    Gpt back(c);
    back.load_safetensors(d.path + "/model.safetensors");
    CHECK(full_logits(back, ids) == want);

    save_llmc_checkpoint(m, d.path + "/gpt2_tiny.bin");
    auto l = load_gpt(d.path + "/gpt2_tiny.bin");
    CHECK(l->config().padded_vocab_size == c.padded_vocab_size);
    CHECK(full_logits(*l, ids) == want);

    // A wrong config is reported with the tensor's name.
    GptConfig wide = c;
    wide.n_embd = 32;
    Gpt other(wide);
    CHECK_THROWS_AS(other.load_safetensors(d.path + "/model.safetensors"), Error);
}

TEST_CASE("a model's tokenizer: its directory's, or the one given; llm.c files need one") {
    TempDir d;
    auto wordpiece = [](int n) {
        std::string vocab = R"("[UNK]": 0)";
        for (int i = 1; i < n; i++) vocab += fmt::format(R"(, "w{}": {})", i, i);
        return R"({"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
                   "post_processor": null, "decoder": null, "model": {"type": "WordPiece", "unk_token": "[UNK]",
                   "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {)" + vocab + "}}}";
    };
    GptConfig c = tiny();
    Gpt m(c);
    m.init_weights(1);
    std::filesystem::create_directories(d.path + "/run");
    d.put("run/tokenizer.json", wordpiece(5));
    CHECK(load_model_tokenizer(d.path + "/run", "", m)->vocab_size() == 5);
    save_llmc_checkpoint(m, d.path + "/gpt2.bin");
    CHECK_THROWS_WITH_AS(load_model_tokenizer(d.path + "/gpt2.bin", "", m),
                         doctest::Contains("give --tokenizer for an llm.c checkpoint"), Error);
    CHECK(load_model_tokenizer(d.path + "/gpt2.bin", d.path + "/run/tokenizer.json", m)->vocab_size() == 5);
    const std::string big = d.put("big.json", wordpiece(int(c.vocab_size) + 1));
    CHECK_THROWS_WITH_AS(load_model_tokenizer(d.path + "/run", big, m),
                         doctest::Contains("tokenizer has 38 tokens, the model only 37"), Error);
}

TEST_CASE("a few AdamW steps memorise a batch; padding rows stay zero; no-bias stays bias-free") {
  for (bool bias : {true, false}) {
    GptConfig c = tiny();
    c.bias = bias;
    Gpt m(c);
    m.init_weights(2);
    // AdamW through the engine's fused update kernel (the optimizer class lives in train/).
    std::vector<std::vector<float>> mom, var;
    for (nn::Parameter* p : m.params().all()) {
        mom.emplace_back(size_t(p->value.numel()), 0.0f);
        var.emplace_back(size_t(p->value.numel()), 0.0f);
    }
    auto x = ids_of(32), y = ids_of(32, 3);
    double first = 0, last = 0;
    nn::Graph g;
    for (int step = 0; step < 40; step++) {
        g.reset();
        m.params().zero_grad();
        nn::Var loss = m.loss(g, x.data(), y.data(), 2, 16);
        if (step == 0) first = loss.item();
        last = loss.item();
        g.backward(loss);
        const float bc1 = 1 - std::pow(0.9f, float(step + 1)), bc2 = 1 - std::pow(0.999f, float(step + 1));
        size_t i = 0;
        for (nn::Parameter* p : m.params().all()) {
            if (p->requires_grad)
                nn::adam_update(p->value.data(), p->grad.data(), mom[i].data(), var[i].data(), size_t(p->value.numel()),
                                1e-2f, 0.9f, 0.999f, 1e-8f, p->weight_decay ? 0.1f : 0.0f, bc1, bc2);
            i++;
        }
    }
    CHECK(last < 0.2 * first);
    const nn::Tensor& wte = m.params().at("transformer.wte.weight").value;
    for (int64_t i = c.vocab_size * c.n_embd; i < wte.numel(); i++) REQUIRE(wte[i] == 0.0f);
    // Biases move when they exist and stay exactly zero (frozen) when they do not.
    double bias_norm = 0;
    for (nn::Parameter* p : m.params().all())
        if (p->name.ends_with(".bias"))
            for (int64_t i = 0; i < p->value.numel(); i++) bias_norm += std::fabs(p->value[i]);
    CHECK((bias_norm > 0) == bias);
  }
}
