// model/hf_names.cpp: the GPT2LMHeadModel name table (see hf_names.h).
#include "lmk/model/hf_names.h"

#include <algorithm>
#include <fmt/format.h>

namespace lmk {

std::vector<HfTensor> gpt2_hf_tensors(const GptConfig& cfg) {
    const int64_t C = cfg.n_embd, F = cfg.inner();
    std::vector<HfTensor> t;
    t.push_back({"transformer.wte.weight", {cfg.vocab_size, C}, false, -1});
    t.push_back({"transformer.wpe.weight", {cfg.n_positions, C}, false, -1});
    for (int i = 0; i < int(cfg.n_layer); i++) {
        auto p = fmt::format("transformer.h.{}.", i);
        t.push_back({p + "ln_1.weight", {C}, false, i});
        t.push_back({p + "ln_1.bias", {C}, false, i});
        t.push_back({p + "attn.c_attn.weight", {C, 3 * C}, true, i});
        t.push_back({p + "attn.c_attn.bias", {3 * C}, false, i});
        t.push_back({p + "attn.c_proj.weight", {C, C}, true, i});
        t.push_back({p + "attn.c_proj.bias", {C}, false, i});
        t.push_back({p + "ln_2.weight", {C}, false, i});
        t.push_back({p + "ln_2.bias", {C}, false, i});
        t.push_back({p + "mlp.c_fc.weight", {C, F}, true, i});
        t.push_back({p + "mlp.c_fc.bias", {F}, false, i});
        t.push_back({p + "mlp.c_proj.weight", {F, C}, true, i});
        t.push_back({p + "mlp.c_proj.bias", {C}, false, i});
    }
    t.push_back({"transformer.ln_f.weight", {C}, false, -1});
    t.push_back({"transformer.ln_f.bias", {C}, false, -1});
    return t;
}

std::string canonical_hf_name(const std::string& name) {
    if (name.starts_with("transformer.") || name.starts_with("lm_head.")) return name;
    if (name.starts_with("wte.") || name.starts_with("wpe.") || name.starts_with("h.") || name.starts_with("ln_f."))
        return "transformer." + name;
    return name;
}

bool is_hf_buffer_name(const std::string& name) {
    return name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias");
}

void transpose_copy(const float* in, int64_t rows, int64_t cols, float* out) {
    // Blocked so both sides stream through cache lines (the 124M import moves ~0.5 GB).
    constexpr int64_t kB = 32;
    for (int64_t r0 = 0; r0 < rows; r0 += kB)
        for (int64_t c0 = 0; c0 < cols; c0 += kB)
            for (int64_t r = r0; r < std::min(rows, r0 + kB); r++)
                for (int64_t c = c0; c < std::min(cols, c0 + kB); c++) out[c * rows + r] = in[r * cols + c];
}

} // namespace lmk
