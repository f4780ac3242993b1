// model/hf_names.h: the Hugging Face GPT2LMHeadModel tensor names and layouts.
//
// model.safetensors holds, for L layers, C = n_embd, F = n_inner, V = vocab_size (unpadded),
// P = n_positions (all F32):
//   transformer.wte.weight                 [V, C]   (tied: also the LM head; lm_head.weight
//                                                     is not stored, as save_pretrained does)
//   transformer.wpe.weight                 [P, C]
//   transformer.h.{i}.ln_1.weight|bias     [C]
//   transformer.h.{i}.attn.c_attn.weight   [C, 3C]  Conv1D: [in, out], columns q|k|v
//   transformer.h.{i}.attn.c_attn.bias     [3C]
//   transformer.h.{i}.attn.c_proj.weight   [C, C]   Conv1D
//   transformer.h.{i}.attn.c_proj.bias     [C]
//   transformer.h.{i}.ln_2.weight|bias     [C]
//   transformer.h.{i}.mlp.c_fc.weight      [C, F]   Conv1D
//   transformer.h.{i}.mlp.c_fc.bias        [F]
//   transformer.h.{i}.mlp.c_proj.weight    [F, C]   Conv1D
//   transformer.h.{i}.mlp.c_proj.bias      [C]
//   transformer.ln_f.weight|bias           [C]
// Conv1D weights are the transpose of an nn.Linear weight ([out, in], the engine's and
// llm.c's layout); `conv1d` marks them so loaders and savers transpose exactly those.
// Checkpoints saved from GPT2Model (the hub's "gpt2") lack the "transformer." prefix and
// carry non-parameter buffers (attn.bias, attn.masked_bias); canonical_hf_name() and
// is_hf_buffer_name() let the importer accept both.
//
//   for (const HfTensor& t : gpt2_hf_tensors(cfg)) writer.add(t.name, ...);
#pragma once
#include "lmk/model/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmk {

struct HfTensor {
    std::string name;
    std::vector<int64_t> shape; // as stored in the file (Conv1D: [in, out])
    bool conv1d = false;        // stored transposed relative to [out, in]
    int layer = -1;             // block index, -1 for embeddings and ln_f
};

// Every tensor of GPT2LMHeadModel for `cfg`, in the order save_pretrained writes them
// (embeddings, blocks in order, final norm).
std::vector<HfTensor> gpt2_hf_tensors(const GptConfig& cfg);

// "h.0.attn.c_attn.weight" -> "transformer.h.0.attn.c_attn.weight"; "lm_head.weight" and
// names already prefixed are returned unchanged.
std::string canonical_hf_name(const std::string& name);
// attn.bias / attn.masked_bias: causal-mask buffers of older checkpoints, not parameters.
bool is_hf_buffer_name(const std::string& name);

// Transposes a rows x cols row-major matrix into out (cols x rows).
void transpose_copy(const float* in, int64_t rows, int64_t cols, float* out);

} // namespace lmk
