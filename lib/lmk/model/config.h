// model/config.h: GPT model hyperparameters and their Hugging Face GPT2Config JSON form.
//
// A model directory's config.json is what transformers' GPT2Config reads (model_type "gpt2",
// architectures ["GPT2LMHeadModel"], n_layer, n_head, n_embd, n_positions, vocab_size,
// activation_function, *_pdrop, layer_norm_epsilon, initializer_range, bos/eos ids,
// tie_word_embeddings). The architecture choices GPT2Config cannot express are kept in
// lmkit-prefixed keys that transformers ignores:
//   "lmk_norm_position": "pre" (GPT-2, default) | "post" (original Transformer / GPT-1)
//   "lmk_position_embedding": "learned" (default) | "sinusoidal" (fixed table, saved in
//                             transformer.wpe.weight so GPT2LMHeadModel computes the same)
//   "lmk_padded_vocab_size": rows of the engine's embedding (>= vocab_size, multiple of 64
//                            by default; padded logits are masked and never saved)
// A pre-LN, learned-position config with activation gelu_new or relu is exactly
// GPT2LMHeadModel; post-LN is not (transformers would load it as pre-LN: docs/FORMATS.md).
//
//   lmk::GptConfig c; c.n_layer = 4; c.n_head = 4; c.n_embd = 128; c.vocab_size = 65;
//   c.validate();
//   lmk::write_file(dir + "/config.json", lmk::gpt_config_to_json(c));
//   lmk::GptConfig back = lmk::gpt_config_from_json(lmk::read_file(path), path);
#pragma once
#include <cstdint>
#include <string>

namespace lmk {

enum class Activation { gelu_tanh, gelu_exact, relu };
enum class NormPosition { pre, post };
enum class PositionEmbedding { learned, sinusoidal };

struct GptConfig {
    int64_t vocab_size = 50257;
    int64_t padded_vocab_size = 0; // 0: derived by validate() (vocab rounded up to 64)
    int64_t n_positions = 1024;    // maximum context
    int64_t n_embd = 768;
    int64_t n_layer = 12;
    int64_t n_head = 12;
    int64_t n_inner = 0;           // 0: 4 * n_embd
    Activation activation = Activation::gelu_tanh;
    NormPosition norm_position = NormPosition::pre;
    PositionEmbedding position_embedding = PositionEmbedding::learned;
    float resid_pdrop = 0.0f, embd_pdrop = 0.0f, attn_pdrop = 0.0f;
    float layer_norm_epsilon = 1e-5f;
    float initializer_range = 0.02f;
    int64_t bos_token_id = -1, eos_token_id = -1; // -1: absent (null in JSON)
    // false: nanoGPT's bias=False. The bias tensors stay (Hugging Face layouts need them) but
    // are zero and frozen, so the model computes exactly a bias-free network; config.json
    // records it as "lmk_bias": false (absent = true).
    bool bias = true;

    // Fills derived fields (padded vocab, n_inner) and checks consistency; throws lmk::Error
    // naming `context` (a file name or "flags").
    void validate(const std::string& context = "config");
    int64_t inner() const { return n_inner > 0 ? n_inner : 4 * n_embd; }
    int64_t head_dim() const { return n_embd / n_head; }
    // Trainable parameter count (embedding rows counted at vocab_size, as HF counts them).
    int64_t num_parameters() const;
    // Training FLOPs per token (forward + backward), PaLM's 6N + 12 L T C, for MFU.
    double flops_per_token(int64_t T) const;
};

const char* activation_name(Activation a);   // HF names: "gelu_new", "gelu", "relu"
Activation activation_from_name(const std::string& s, const std::string& context);

// HF GPT2Config JSON (pretty-printed, keys in a fixed order, trailing newline).
std::string gpt_config_to_json(const GptConfig& c);
// Parses config.json text; unknown keys are ignored, missing ones take GPT2Config defaults.
// Throws if model_type is present and not "gpt2", or a value has the wrong type.
GptConfig gpt_config_from_json(const std::string& json, const std::string& context);

} // namespace lmk
