// model/gpt.cpp: GPT-2 family decoder (see gpt.h). The model only builds computation; the
// engine's ops run the kernels and record backward.
#include "lmk/model/gpt.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/io/safetensors.h"
#include "lmk/model/hf_names.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <map>

namespace lmk {

using nn::Var;
using nn::WeightLayout;

static nn::Activation engine_activation(Activation a) {
    switch (a) {
    case Activation::gelu_tanh: return nn::Activation::gelu_tanh;
    case Activation::gelu_exact: return nn::Activation::gelu_erf;
    case Activation::relu: return nn::Activation::relu;
    }
    return nn::Activation::gelu_tanh;
}

KvCache::KvCache(const GptConfig& cfg, int64_t capacity) : capacity_(capacity) {
    LMK_CHECK(capacity > 0 && capacity <= cfg.n_positions, "KV cache capacity {} outside [1, n_positions = {}]",
              capacity, cfg.n_positions);
    for (int64_t l = 0; l < cfg.n_layer; l++) {
        k_.push_back(nn::Tensor::zeros({capacity, cfg.n_embd}));
        v_.push_back(nn::Tensor::zeros({capacity, cfg.n_embd}));
    }
}

void KvCache::truncate(int64_t n) {
    LMK_CHECK(n >= 0 && n <= length_, "KV cache: cannot truncate {} positions to {}", length_, n);
    length_ = n;
}

Gpt::Gpt(GptConfig cfg) : cfg_(std::move(cfg)) {
    cfg_.validate();
    const int64_t C = cfg_.n_embd, F = cfg_.inner();
    // Registration order = HF's tensor order = checkpoint order.
    wte_ = &params_.add("transformer.wte.weight", {cfg_.padded_vocab_size, C});
    const bool learned = cfg_.position_embedding == PositionEmbedding::learned;
    wpe_ = &params_.add("transformer.wpe.weight", {cfg_.n_positions, C}, learned);
    for (int64_t i = 0; i < cfg_.n_layer; i++) {
        auto p = fmt::format("transformer.h.{}.", i);
        Layer L;
        L.ln1_w = &params_.add(p + "ln_1.weight", {C});
        L.ln1_b = &params_.add(p + "ln_1.bias", {C});
        L.attn_w = &params_.add(p + "attn.c_attn.weight", {C, 3 * C});
        L.attn_b = &params_.add(p + "attn.c_attn.bias", {3 * C});
        L.proj_w = &params_.add(p + "attn.c_proj.weight", {C, C});
        L.proj_b = &params_.add(p + "attn.c_proj.bias", {C});
        L.ln2_w = &params_.add(p + "ln_2.weight", {C});
        L.ln2_b = &params_.add(p + "ln_2.bias", {C});
        L.fc_w = &params_.add(p + "mlp.c_fc.weight", {C, F});
        L.fc_b = &params_.add(p + "mlp.c_fc.bias", {F});
        L.fcproj_w = &params_.add(p + "mlp.c_proj.weight", {F, C});
        L.fcproj_b = &params_.add(p + "mlp.c_proj.bias", {C});
        layers_.push_back(L);
    }
    lnf_w_ = &params_.add("transformer.ln_f.weight", {C});
    lnf_b_ = &params_.add("transformer.ln_f.bias", {C});
    // Post-LN blocks end normalised, so ln_f is unused there: freeze it so it stays the
    // identity it was initialised to and the optimizer keeps no state for it.
    if (cfg_.norm_position == NormPosition::post) {
        lnf_w_->set_requires_grad(false);
        lnf_b_->set_requires_grad(false);
    }
    // Without biases (nanoGPT's bias=False) every bias stays at its initial zero.
    if (!cfg_.bias)
        for (nn::Parameter* p : params_.all())
            if (p->name.ends_with(".bias")) p->set_requires_grad(false);
    // Norm weights and biases are never decayed; matrices and embeddings are (nanoGPT).
    for (nn::Parameter* p : params_.all()) p->weight_decay = p->value.shape().ndim >= 2;
}

void Gpt::init_weights(uint64_t seed) {
    const double std0 = cfg_.initializer_range;
    const double std_resid = std0 / std::sqrt(2.0 * double(cfg_.n_layer));
    // The normally distributed tensors, filled last, in pieces.
    struct Normal {
        float* data;
        uint64_t seed;
        double sd;
    };
    std::vector<Normal> normals;
    std::vector<size_t> counts;
    for (nn::Parameter* p : params_.all()) {
        const std::string& n = p->name;
        nn::Tensor& t = p->value;
        if (n.ends_with("ln_1.weight") || n.ends_with("ln_2.weight") || n.ends_with("ln_f.weight")) {
            t.fill(1.0f);
        } else if (n.ends_with(".bias")) {
            t.zero();
        } else if (n == "transformer.wpe.weight" && cfg_.position_embedding == PositionEmbedding::sinusoidal) {
            nn::sinusoidal_positions(t.data(), cfg_.n_positions, cfg_.n_embd, 0);
        } else {
            int64_t count = t.numel();
            if (p == wte_) { // padding rows stay zero
                count = cfg_.vocab_size * cfg_.n_embd;
                std::fill(t.data() + count, t.data() + t.numel(), 0.0f);
            }
            normals.push_back({t.data(), derive_seed(seed, stream_id(n)), n.ends_with("c_proj.weight") ? std_resid : std0});
            counts.push_back(size_t(count));
        }
    }
    // Piece k of a tensor draws from the stream (the tensor's seed, k): the same values at any
    // thread count, all tensors' pieces in one parallel loop (GPT-2 124M: 124M normals in
    // ~0.9 s on one core; one Box-Muller stream per tensor took ~4.5 s).
    constexpr size_t kPiece = size_t(1) << 16;
    parallel_for_pieces(counts, kPiece, [&](size_t i, size_t b, size_t e) {
        Rng rng(derive_seed(normals[i].seed, b / kPiece));
        rng.fill_normal(normals[i].data + b, e - b, normals[i].sd);
    });
}

Var Gpt::embed(nn::Graph& g, const int32_t* ids, int64_t B, int64_t T, int64_t pos0) {
    LMK_CHECK(pos0 + T <= cfg_.n_positions, "sequence of {} positions exceeds the model's context of {}", pos0 + T,
              cfg_.n_positions);
    for (int64_t i = 0; i < B * T; i++)
        LMK_CHECK(ids[i] >= 0 && ids[i] < cfg_.vocab_size, "token id {} outside the vocabulary [0, {})", ids[i],
                  cfg_.vocab_size);
    int32_t* pos = g.alloc_ints(size_t(T));
    for (int64_t t = 0; t < T; t++) pos[t] = int32_t(pos0 + t);
    Var tok = nn::embedding(g, ids, {B, T}, g.param(*wte_));
    Var wpe = nn::embedding(g, pos, {T}, g.param(*wpe_)); // (T, C), broadcast over B
    return nn::dropout(g, nn::add(g, tok, wpe), cfg_.embd_pdrop);
}

Var Gpt::block(nn::Graph& g, int l, Var h, KvCache* cache, int64_t B, int64_t T) {
    const Layer& L = layers_[size_t(l)];
    const int64_t C = cfg_.n_embd;
    const float eps = cfg_.layer_norm_epsilon;
    const bool pre = cfg_.norm_position == NormPosition::pre;
    nn::AttentionOptions ao;
    ao.n_head = cfg_.n_head;
    ao.causal = true;
    ao.dropout = cfg_.attn_pdrop; // on the attention probabilities, while training

    auto attention = [&](Var x) {
        Var qkv = nn::linear(g, x, g.param(*L.attn_w), g.param(*L.attn_b), WeightLayout::in_out);
        Var y;
        if (!cache) {
            y = nn::self_attention(g, qkv, ao);
        } else {
            // Append this step's keys and values to the cache, then attend from the new
            // queries over every cached position (causal offset handled by the kernel).
            const int64_t past = cache->length_;
            const float* src = qkv.data();
            Var q = g.input({1, T, C});
            for (int64_t t = 0; t < T; t++) {
                std::memcpy(q.data() + t * C, src + t * 3 * C, size_t(C) * sizeof(float));
                std::memcpy(cache->k_[size_t(l)].data() + (past + t) * C, src + t * 3 * C + C, size_t(C) * sizeof(float));
                std::memcpy(cache->v_[size_t(l)].data() + (past + t) * C, src + t * 3 * C + 2 * C, size_t(C) * sizeof(float));
            }
            Var k = g.constant(nn::Tensor(cache->k_[size_t(l)].data(), {1, past + T, C}));
            Var v = g.constant(nn::Tensor(cache->v_[size_t(l)].data(), {1, past + T, C}));
            y = nn::attention(g, q, k, v, ao);
        }
        y = nn::linear(g, y, g.param(*L.proj_w), g.param(*L.proj_b), WeightLayout::in_out);
        return nn::dropout(g, y, cfg_.resid_pdrop);
    };
    auto mlp = [&](Var x) {
        Var m = nn::linear(g, x, g.param(*L.fc_w), g.param(*L.fc_b), WeightLayout::in_out);
        m = nn::activation(g, m, engine_activation(cfg_.activation));
        m = nn::linear(g, m, g.param(*L.fcproj_w), g.param(*L.fcproj_b), WeightLayout::in_out);
        return nn::dropout(g, m, cfg_.resid_pdrop);
    };
    auto ln = [&](Var x, nn::Parameter* w, nn::Parameter* b) { return nn::layernorm(g, x, g.param(*w), g.param(*b), eps); };

    (void)B;
    if (pre) {
        h = nn::add(g, h, attention(ln(h, L.ln1_w, L.ln1_b)));
        h = nn::add(g, h, mlp(ln(h, L.ln2_w, L.ln2_b)));
    } else {
        h = ln(nn::add(g, h, attention(h)), L.ln1_w, L.ln1_b);
        h = ln(nn::add(g, h, mlp(h)), L.ln2_w, L.ln2_b);
    }
    return h;
}

Var Gpt::trunk(nn::Graph& g, Var h, KvCache* cache, int64_t B, int64_t T) {
    for (int l = 0; l < int(cfg_.n_layer); l++) h = block(g, l, h, cache, B, T);
    if (cfg_.norm_position == NormPosition::pre)
        h = nn::layernorm(g, h, g.param(*lnf_w_), g.param(*lnf_b_), cfg_.layer_norm_epsilon);
    return h;
}

Var Gpt::hidden(nn::Graph& g, const int32_t* ids, int64_t B, int64_t T) {
    return trunk(g, embed(g, ids, B, T, 0), nullptr, B, T);
}

Var Gpt::forward(nn::Graph& g, const int32_t* ids, int64_t B, int64_t T) {
    // Tied head: logits = h wte^T, wte stored (Vp, C) = [out, in].
    return nn::linear(g, hidden(g, ids, B, T), g.param(*wte_), Var{}, WeightLayout::out_in);
}

Var Gpt::loss(nn::Graph& g, const int32_t* ids, const int32_t* targets, int64_t B, int64_t T,
              const nn::CrossEntropyOptions& opt, float* per_token_loss) {
    // The tied head's logits are read by nothing but the loss.
    return nn::linear_cross_entropy(g, hidden(g, ids, B, T), g.param(*wte_), targets, cfg_.vocab_size, opt,
                                    per_token_loss);
}

Var Gpt::forward_cached(nn::Graph& g, const int32_t* ids, int64_t n, KvCache& cache) {
    LMK_CHECK(n > 0, "forward_cached: no tokens");
    LMK_CHECK(cache.length_ + n <= cache.capacity_, "KV cache full: {} + {} positions exceed its capacity {}",
              cache.length_, n, cache.capacity_);
    Var h = embed(g, ids, 1, n, cache.length_);
    for (int l = 0; l < int(cfg_.n_layer); l++) h = block(g, l, h, &cache, 1, n);
    cache.length_ += n;
    // Only the last position's logits are needed: normalise and project that row alone.
    int32_t* last = g.alloc_ints(1);
    last[0] = int32_t(n - 1);
    h = nn::gather_rows(g, nn::reshape(g, h, {n, cfg_.n_embd}), last, 1);
    if (cfg_.norm_position == NormPosition::pre)
        h = nn::layernorm(g, h, g.param(*lnf_w_), g.param(*lnf_b_), cfg_.layer_norm_epsilon);
    return nn::linear(g, h, g.param(*wte_), Var{}, WeightLayout::out_in);
}

FileDigest Gpt::save_safetensors(const std::string& path) const {
    SafetensorsWriter w;
    for (nn::Parameter* p : params_.all()) {
        std::vector<int64_t> shape = p->value.shape().to_vector();
        if (p == wte_) shape[0] = cfg_.vocab_size; // the padding rows are the engine's business
        w.add(p->name, Dtype::f32, shape, p->value.data());
    }
    w.set_metadata("format", "pt");
    return w.write(path);
}

void Gpt::load_safetensors(const std::string& path) {
    SafetensorsFile f(path);
    std::map<std::string, const TensorInfo*> by_name;
    for (const TensorInfo& t : f.tensors()) {
        if (is_hf_buffer_name(t.name)) continue;
        std::string c = canonical_hf_name(t.name);
        if (c == "lm_head.weight") continue; // checked against wte below
        if (!params_.find(c))
            throw Error(fmt::format("{}: unexpected tensor \"{}\" for this GPT-2 config", path, t.name),
                        "check config.json (n_layer, n_inner) against the checkpoint");
        by_name[c] = &t;
    }
    for (nn::Parameter* p : params_.all()) {
        auto it = by_name.find(p->name);
        if (it == by_name.end()) throw Error(fmt::format("{}: missing tensor \"{}\"", path, p->name));
        const TensorInfo& t = *it->second;
        std::vector<int64_t> want = p->value.shape().to_vector();
        if (p == wte_) want[0] = cfg_.vocab_size;
        if (t.shape != want)
            throw Error(fmt::format("{}: \"{}\" has shape [{}], config.json implies [{}]", path, t.name,
                                    fmt::join(t.shape, ", "), fmt::join(want, ", ")));
        p->value.zero();
        f.read_f32(t.name, p->value.data(), size_t(t.numel()));
        p->mark_modified();
    }
    if (const TensorInfo* head = f.find("lm_head.weight")) {
        std::vector<float> h(size_t(head->numel()));
        LMK_CHECK(head->numel() == cfg_.vocab_size * cfg_.n_embd, "{}: lm_head.weight has the wrong size", path);
        f.read_f32(head->name, h.data(), h.size());
        if (std::memcmp(h.data(), wte_->value.data(), h.size() * sizeof(float)) != 0)
            throw Error(fmt::format("{}: lm_head.weight differs from transformer.wte.weight", path),
                        "untied output embeddings are not supported");
    }
}

} // namespace lmk
