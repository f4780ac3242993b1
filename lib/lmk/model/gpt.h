// model/gpt.h: the GPT-2 family decoder on the engine's autograd (nn/ops.h).
//
// Architecture (GPT-2 by default; GptConfig selects the historical variants):
//   h0 = dropout(wte[ids] + wpe[pos])           learned positions, or a fixed sinusoid table
//   pre-LN block:  h += dropout(c_proj(attn(ln_1(h)))); h += dropout(mlp(ln_2(h)))
//   post-LN block: h = ln_1(h + dropout(attn(h)));      h = ln_2(h + dropout(mlp(h)))
//   mlp(x) = c_proj(act(c_fc(x))), act = GELU (tanh form, "gelu_new"), exact GELU or ReLU
//   logits = ln_f(h) wte^T (pre-LN only applies ln_f; post-LN blocks end normalised)
// The embedding is tied to the LM head. The engine's wte has padded_vocab_size rows (a
// multiple of 64 for GEMM speed); rows past vocab_size stay zero, their logits are never
// scored (cross_entropy reads V columns) nor sampled, and they are never saved.
// Dropout while training: embd_pdrop on the embeddings, resid_pdrop on each residual
// branch, attn_pdrop on the attention probabilities (inside the fused kernel, whose mask is a
// hash of seed and position, regenerated in backward).
//
// Parameters live in a ParameterStore under Hugging Face GPT2LMHeadModel names and layouts
// (model/hf_names.h; Conv1D weights in [in, out], read by linear() as WeightLayout::in_out),
// so model.safetensors is written and read without renaming or transposing.
// Initialisation (GPT-2 / nanoGPT): weights N(0, 0.02), residual projections (attn.c_proj,
// mlp.c_proj) N(0, 0.02 / sqrt(2 L)), biases 0, LayerNorm weights 1; each tensor draws from
// its own stream derive_seed(seed, stream_id(name)).
//
//   lmk::Gpt model(cfg);  model.init_weights(seed);
//   lmk::nn::Graph g;
//   lmk::nn::Var loss = model.loss(g, x, y, B, T);   g.backward(loss);
//   lmk::KvCache cache(model.config(), max_len);
//   lmk::nn::Var logits = model.forward_cached(g, ids, n, cache);   // (1, Vp): last position
#pragma once
#include "lmk/io/file.h"
#include "lmk/model/config.h"
#include "lmk/nn/ops.h"

#include <memory>
#include <string>
#include <vector>

namespace lmk {

// Keys and values of every layer for one sequence, for incremental decoding: k[l], v[l]
// are (capacity, C); length() positions are filled.
class KvCache {
public:
    KvCache(const GptConfig& cfg, int64_t capacity);
    int64_t length() const { return length_; }
    int64_t capacity() const { return capacity_; }
    void clear() { length_ = 0; }
    void truncate(int64_t n); // keep the first n positions (n <= length())

private:
    friend class Gpt;
    int64_t capacity_, length_ = 0;
    std::vector<nn::Tensor> k_, v_;
};

class Gpt {
public:
    explicit Gpt(GptConfig cfg); // parameters registered, zero (call init_weights or load)
    const GptConfig& config() const { return cfg_; }
    nn::ParameterStore& params() { return params_; }
    const nn::ParameterStore& params() const { return params_; }

    void init_weights(uint64_t seed);

    // ids (B,T) -> logits (B,T,Vp); positions 0..T-1. T <= n_positions.
    nn::Var forward(nn::Graph& g, const int32_t* ids, int64_t B, int64_t T);
    // Final hidden states (B,T,C) after ln_f (reward and value heads build on these).
    nn::Var hidden(nn::Graph& g, const int32_t* ids, int64_t B, int64_t T);
    // Mean next-token cross-entropy of targets (B,T) (ignore_index, label smoothing and
    // per-token weights in opt).
    nn::Var loss(nn::Graph& g, const int32_t* ids, const int32_t* targets, int64_t B, int64_t T,
                 const nn::CrossEntropyOptions& opt = {}, float* per_token_loss = nullptr);
    // Decoding: appends n tokens (one sequence) to the cache and returns the logits of the
    // last one, (1, Vp). Use under NoGradScope. Throws when the cache or n_positions is full.
    nn::Var forward_cached(nn::Graph& g, const int32_t* ids, int64_t n, KvCache& cache);

    // model.safetensors with HF names (wte saved with vocab_size rows).
    FileDigest save_safetensors(const std::string& path) const; // the file's size and XXH3-64
    // Loads HF GPT2LMHeadModel / GPT2Model tensors (with or without the "transformer."
    // prefix; buffers ignored). Every parameter must be present with the right shape.
    void load_safetensors(const std::string& path);

private:
    nn::Var embed(nn::Graph& g, const int32_t* ids, int64_t B, int64_t T, int64_t pos0);
    nn::Var block(nn::Graph& g, int layer, nn::Var h, KvCache* cache, int64_t B, int64_t T);
    nn::Var trunk(nn::Graph& g, nn::Var h, KvCache* cache, int64_t B, int64_t T);

    struct Layer {
        nn::Parameter *ln1_w, *ln1_b, *attn_w, *attn_b, *proj_w, *proj_b;
        nn::Parameter *ln2_w, *ln2_b, *fc_w, *fc_b, *fcproj_w, *fcproj_b;
    };
    GptConfig cfg_;
    nn::ParameterStore params_;
    nn::Parameter *wte_, *wpe_, *lnf_w_, *lnf_b_;
    std::vector<Layer> layers_;
};

} // namespace lmk
