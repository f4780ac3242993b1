// eval/scorer.cpp: see scorer.h. The forward pass is the GPT of model/gpt.h run over the
// model's own parameters (same HF names, same ops), reorganised for scoring: a prefix KV
// cache shared by a batch of continuations, and the LM head applied only to scored rows.
#include "lmk/eval/scorer.h"
#include "lmk/core/error.h"
#include "lmk/eval/prompt.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

namespace lmk {

using nn::Var;
using nn::WeightLayout;

struct Scorer::Cache {
    int64_t length = 0, capacity = 0, C = 0;
    std::vector<std::vector<float>> k, v; // per layer: (capacity, C)
};

Scorer::Scorer(Gpt& model, const tok::Tokenizer& tk, int64_t max_length) : model_(model), tk_(tk) {
    const GptConfig& c = model.config();
    max_len_ = max_length > 0 ? std::min(max_length, c.n_positions) : c.n_positions;
    auto eot = tk.eot_id();
    prefix_ = eot ? int32_t(*eot) : int32_t(c.eos_token_id >= 0 ? c.eos_token_id : 0);
    V_ = c.vocab_size;
    Vp_ = c.padded_vocab_size;
    LMK_CHECK(int64_t(tk.vocab_size()) <= V_, "tokenizer has {} tokens, the model {}: they do not belong together",
              tk.vocab_size(), V_);
    cache_ = std::make_unique<Cache>();
    cache_->capacity = c.n_positions;
    cache_->C = c.n_embd;
    cache_->k.assign(size_t(c.n_layer), std::vector<float>(size_t(c.n_positions * c.n_embd)));
    cache_->v.assign(size_t(c.n_layer), std::vector<float>(size_t(c.n_positions * c.n_embd)));
    g_.training = false;
    g_.set_grad_enabled(false);
}

Scorer::~Scorer() = default;

std::vector<int32_t> Scorer::encode(std::string_view text) const {
    std::vector<uint32_t> ids;
    tk_.encode(text, ids, {.split_special = true, .add_special_tokens = false});
    return std::vector<int32_t>(ids.begin(), ids.end());
}

std::pair<std::vector<int32_t>, std::vector<int32_t>> Scorer::encode_pair(std::string_view context,
                                                                           std::string_view continuation) const {
    if (context.empty()) {
        std::vector<int32_t> cont = encode(continuation);
        if (!cont.empty() && cont[0] == prefix_) return {{cont[0]}, std::vector<int32_t>(cont.begin() + 1, cont.end())};
        return {{prefix_}, cont};
    }
    auto [ctx, cont] = split_trailing_space(context, continuation);
    std::vector<int32_t> whole = encode(ctx + cont);
    std::vector<int32_t> ctx_enc = encode(ctx);
    std::vector<int32_t> cont_enc(whole.begin() + int64_t(std::min(ctx_enc.size(), whole.size())), whole.end());
    return {ctx_enc, cont_enc};
}

static const char* const kLayerKeys[] = {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
                                         "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias",
                                         "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"};

static nn::Activation engine_activation(Activation a) {
    switch (a) {
    case Activation::gelu_tanh: return nn::Activation::gelu_tanh;
    case Activation::gelu_exact: return nn::Activation::gelu_erf;
    case Activation::relu: return nn::Activation::relu;
    }
    return nn::Activation::gelu_tanh;
}

void Scorer::forward(const int32_t* tokens, int64_t B, int64_t T, Cache& cache, bool append,
                     const std::vector<int32_t>& rows) {
    const GptConfig& cfg = model_.config();
    const int64_t C = cfg.n_embd, P = cache.length;
    LMK_CHECK(P + T <= cfg.n_positions, "sequence of {} positions exceeds the model's context of {}", P + T,
              cfg.n_positions);
    LMK_CHECK(!append || B == 1, "scorer: only one row can be appended to the cache");
    nn::ParameterStore& ps = model_.params();
    nn::Graph& g = g_;
    g.reset();
    // h0 = wte[ids] + wpe[P..P+T)   (B, T, C)
    int32_t* pos = g.alloc_ints(size_t(T));
    for (int64_t t = 0; t < T; t++) pos[t] = int32_t(P + t);
    Var h = nn::add(g, nn::embedding(g, tokens, {B, T}, g.param(ps.at("transformer.wte.weight"))),
                    nn::embedding(g, pos, {T}, g.param(ps.at("transformer.wpe.weight"))));
    nn::AttentionOptions ao;
    ao.n_head = cfg.n_head;
    ao.causal = true;
    const bool pre = cfg.norm_position == NormPosition::pre;
    const float eps = cfg.layer_norm_epsilon;
    for (int64_t l = 0; l < cfg.n_layer; l++) {
        nn::Parameter* p[12];
        for (int i = 0; i < 12; i++) p[i] = &ps.at(fmt::format("transformer.h.{}.{}", l, kLayerKeys[i]));
        auto ln = [&](Var x, int w) { return nn::layernorm(g, x, g.param(*p[w]), g.param(*p[w + 1]), eps); };
        auto lin = [&](Var x, int w) { return nn::linear(g, x, g.param(*p[w]), g.param(*p[w + 1]), WeightLayout::in_out); };
        // attention: q from the new rows; keys/values = cached prefix ++ the new rows
        Var qkv = lin(pre ? ln(h, 0) : h, 2); // (B, T, 3C)
        Var q = g.input({B, T, C}), k = g.input({B, P + T, C}), v = g.input({B, P + T, C});
        const float* src = qkv.data();
        std::vector<float>& ck = cache.k[size_t(l)];
        std::vector<float>& cv = cache.v[size_t(l)];
        for (int64_t b = 0; b < B; b++) {
            float* kb = k.data() + b * (P + T) * C;
            float* vb = v.data() + b * (P + T) * C;
            std::memcpy(kb, ck.data(), size_t(P * C) * sizeof(float));
            std::memcpy(vb, cv.data(), size_t(P * C) * sizeof(float));
            for (int64_t t = 0; t < T; t++) {
                const float* row = src + (b * T + t) * 3 * C;
                std::memcpy(q.data() + (b * T + t) * C, row, size_t(C) * sizeof(float));
                std::memcpy(kb + (P + t) * C, row + C, size_t(C) * sizeof(float));
                std::memcpy(vb + (P + t) * C, row + 2 * C, size_t(C) * sizeof(float));
            }
        }
        if (append) {
            std::memcpy(ck.data() + P * C, k.data() + P * C, size_t(T * C) * sizeof(float));
            std::memcpy(cv.data() + P * C, v.data() + P * C, size_t(T * C) * sizeof(float));
        }
        Var y = lin(nn::attention(g, q, k, v, ao), 4);
        h = pre ? nn::add(g, h, y) : ln(nn::add(g, h, y), 0);
        auto mlp = [&](Var x) {
            Var m = nn::activation(g, lin(x, 8), engine_activation(cfg.activation));
            return lin(m, 10);
        };
        h = pre ? nn::add(g, h, mlp(ln(h, 6))) : ln(nn::add(g, h, mlp(h)), 6);
    }
    if (append) cache.length = P + T;
    const int64_t n = int64_t(rows.size());
    logits_.resize(size_t(n * Vp_));
    lse_.assign(size_t(n), 0.0);
    argmax_.assign(size_t(n), 0);
    if (n == 0) return;
    Var r = nn::gather_rows(g, nn::reshape(g, h, {B * T, C}), rows.data(), n);
    if (pre)
        r = nn::layernorm(g, r, g.param(ps.at("transformer.ln_f.weight")), g.param(ps.at("transformer.ln_f.bias")), eps);
    Var logits = nn::linear(g, r, g.param(ps.at("transformer.wte.weight")), Var{}, WeightLayout::out_in); // (n, Vp)
    std::memcpy(logits_.data(), logits.data(), logits_.size() * sizeof(float));
    for (int64_t i = 0; i < n; i++) {
        const float* x = logits_.data() + i * Vp_;
        int64_t best = 0;
        for (int64_t j = 1; j < V_; j++)
            if (x[j] > x[best]) best = j;
        double m = x[best], s = 0;
        for (int64_t j = 0; j < V_; j++) s += std::exp(double(x[j]) - m);
        lse_[size_t(i)] = m + std::log(s);
        argmax_[size_t(i)] = int32_t(best);
    }
}

double Scorer::logprob(size_t row, int32_t token) const {
    return double(logits_[row * size_t(Vp_) + size_t(token)]) - lse_[row];
}

LlResult Scorer::score(const std::vector<int32_t>& context, const std::vector<int32_t>& continuation) {
    LMK_CHECK(!context.empty() && !continuation.empty(), "scorer: empty context or continuation");
    LMK_CHECK(int64_t(continuation.size()) <= max_len_, "continuation of {} tokens exceeds the context {}",
              continuation.size(), max_len_);
    // (context + continuation)[-(L+1):][:-1]
    std::vector<int32_t> all(context);
    all.insert(all.end(), continuation.begin(), continuation.end());
    size_t start = all.size() > size_t(max_len_ + 1) ? all.size() - size_t(max_len_ + 1) : 0;
    std::vector<int32_t> inp(all.begin() + int64_t(start), all.end() - 1);
    const int64_t T = int64_t(inp.size()), m = int64_t(continuation.size());
    std::vector<int32_t> rows;
    for (int64_t j = 0; j < m; j++) rows.push_back(int32_t(T - m + j));
    cache_->length = 0;
    forward(inp.data(), 1, T, *cache_, false, rows);
    LlResult r;
    r.tokens = m;
    r.is_greedy = true;
    for (int64_t j = 0; j < m; j++) {
        double lp = logprob(size_t(j), continuation[size_t(j)]);
        r.token_logprobs.push_back(float(lp));
        r.logprob += lp;
        r.is_greedy = r.is_greedy && argmax_[size_t(j)] == continuation[size_t(j)];
    }
    return r;
}

std::vector<LlResult> Scorer::score_choices(const std::vector<int32_t>& context,
                                            const std::vector<std::vector<int32_t>>& continuations) {
    LMK_CHECK(!context.empty(), "scorer: empty context");
    std::vector<LlResult> out(continuations.size());
    // Choices that fit without truncation share the context's cache; the rest (rare: the
    // prompt fills the model's context) are scored one by one with lm-eval's truncation.
    std::vector<size_t> shared;
    int64_t T = 0;
    for (size_t i = 0; i < continuations.size(); i++) {
        LMK_CHECK(!continuations[i].empty(), "scorer: empty continuation");
        if (int64_t(context.size() + continuations[i].size()) <= max_len_ + 1) {
            shared.push_back(i);
            T = std::max(T, int64_t(continuations[i].size()) - 1);
        } else {
            out[i] = score(context, continuations[i]);
        }
    }
    if (shared.empty()) return out;
    const int64_t n_ctx = int64_t(context.size());
    // 1. the context into the cache; its last row predicts every continuation's first token
    cache_->length = 0;
    forward(context.data(), 1, n_ctx, *cache_, true, {int32_t(n_ctx - 1)});
    std::vector<double> first_lp(shared.size());
    std::vector<bool> first_greedy(shared.size());
    for (size_t s = 0; s < shared.size(); s++) {
        int32_t t0 = continuations[shared[s]][0];
        first_lp[s] = logprob(0, t0);
        first_greedy[s] = argmax_[0] == t0;
    }
    // 2. all continuations minus their last token, as one batch against the cached context
    const int64_t B = int64_t(shared.size());
    std::vector<int32_t> batch(size_t(B * std::max<int64_t>(T, 1)), 0), rows;
    for (int64_t b = 0; b < B; b++) {
        const auto& c = continuations[shared[size_t(b)]];
        for (size_t j = 0; j + 1 < c.size(); j++) {
            batch[size_t(b * T) + j] = c[j];
            rows.push_back(int32_t(b * T + int64_t(j)));
        }
    }
    if (T > 0) forward(batch.data(), B, T, *cache_, false, rows);
    size_t row = 0;
    for (int64_t b = 0; b < B; b++) {
        const auto& c = continuations[shared[size_t(b)]];
        LlResult& r = out[shared[size_t(b)]];
        r.tokens = int64_t(c.size());
        r.logprob = first_lp[size_t(b)];
        r.token_logprobs.push_back(float(first_lp[size_t(b)]));
        r.is_greedy = first_greedy[size_t(b)];
        for (size_t j = 1; j < c.size(); j++, row++) {
            double lp = logprob(row, c[j]);
            r.token_logprobs.push_back(float(lp));
            r.logprob += lp;
            r.is_greedy = r.is_greedy && argmax_[row] == c[j];
        }
    }
    return out;
}

std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> rolling_windows(const std::vector<int32_t>& tokens,
                                                                                   int32_t prefix, int64_t max_len,
                                                                                   int64_t context_len) {
    LMK_CHECK(context_len >= 1 && context_len <= max_len, "rolling windows: context_len {} outside [1, {}]",
              context_len, max_len);
    std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> out;
    const int64_t n = int64_t(tokens.size());
    if (n == 0) return out;
    auto slice = [&](int64_t a, int64_t b) { return std::vector<int32_t>(tokens.begin() + a, tokens.begin() + b); };
    auto disjoint = [&](std::vector<int32_t> a, std::vector<int32_t> b) {
        a.resize(a.size() - (b.size() - 1));
        out.emplace_back(std::move(a), std::move(b));
    };
    const int64_t pred_len = max_len - context_len + 1;
    const int64_t first = std::min(max_len, n);
    std::vector<int32_t> a{prefix};
    auto head = slice(0, first - 1);
    a.insert(a.end(), head.begin(), head.end());
    disjoint(a, slice(0, first));
    int64_t predicted = first;
    while (predicted < n) {
        const int64_t w = std::min(n - predicted, pred_len);
        const int64_t end = predicted + w;
        disjoint(slice(std::max<int64_t>(0, end - max_len - 1), end - 1), slice(end - w, end));
        predicted += w;
    }
    return out;
}

double Scorer::score_rolling(const std::vector<int32_t>& tokens, int64_t* windows) {
    auto ws = rolling_windows(tokens, prefix_, max_len_, 1);
    double total = 0;
    for (auto& [ctx, pred] : ws) total += score(ctx, pred).logprob;
    if (windows) *windows = int64_t(ws.size());
    return total;
}

std::string Scorer::generate_until(std::string_view context, const std::vector<std::string>& until, int max_gen_toks,
                                   int64_t* generated_tokens) {
    LMK_CHECK(max_gen_toks > 0 && max_gen_toks < max_len_, "max_gen_toks {} must be in [1, {})", max_gen_toks, max_len_);
    std::vector<int32_t> ctx = encode(context);
    if (ctx.empty()) ctx.push_back(prefix_);
    const size_t max_ctx = size_t(max_len_ - max_gen_toks);
    if (ctx.size() > max_ctx) ctx.erase(ctx.begin(), ctx.end() - int64_t(max_ctx));
    std::vector<uint32_t> gen;
    std::string text;
    cache_->length = 0;
    forward(ctx.data(), 1, int64_t(ctx.size()), *cache_, true, {int32_t(ctx.size() - 1)});
    for (int i = 0; i < max_gen_toks; i++) {
        int32_t next = argmax_[0];
        if (next == prefix_) break; // end-of-text is always a stop (lm-eval adds the EOS string)
        gen.push_back(uint32_t(next));
        text = tk_.decode(gen);
        bool stop = false;
        for (const std::string& s : until)
            if (!s.empty() && text.find(s) != std::string::npos) stop = true;
        if (stop || i + 1 == max_gen_toks) break;
        forward(&next, 1, 1, *cache_, true, {0});
    }
    if (generated_tokens) *generated_tokens = int64_t(gen.size());
    // lm-eval's postprocess: cut at each stop sequence in turn.
    for (const std::string& s : until) {
        if (s.empty()) continue;
        size_t p = text.find(s);
        if (p != std::string::npos) text.resize(p);
    }
    return text;
}

} // namespace lmk
