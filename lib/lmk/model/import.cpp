// model/import.cpp: checkpoint readers and the llm.c writer (see import.h).
#include "lmk/model/import.h"
#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/io/safetensors.h"
#include "lmk/io/shard.h"
#include "lmk/model/hf_names.h"
#include "lmk/tok/hf_json.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace lmk {

GptConfig parse_llmc_header(const int32_t* h, const std::string& path, int* version) {
    if (h[0] != kLlmcModelMagic) {
        if (h[0] == kShardMagic)
            throw Error(fmt::format("{}: this is a token shard, not an llm.c model checkpoint", path));
        throw Error(fmt::format("{}: bad magic {} (expected llm.c's {})", path, h[0], kLlmcModelMagic),
                    "llm.c writes checkpoints with train_gpt2.py (gpt2_124M.bin)");
    }
    *version = h[1];
    if (h[1] != 1 && h[1] != 3 && h[1] != 5)
        throw Error(fmt::format("{}: unsupported llm.c model version {}", path, h[1]),
                    "versions 3 (fp32) and 5 (bf16) are read; re-export with llm.c's train_gpt2.py");
    GptConfig c;
    c.n_positions = h[2], c.vocab_size = h[3], c.n_layer = h[4], c.n_head = h[5], c.n_embd = h[6];
    c.padded_vocab_size = h[1] == 1 ? h[3] : h[7];
    c.activation = Activation::gelu_tanh;
    c.resid_pdrop = c.embd_pdrop = c.attn_pdrop = 0.0f;
    c.bos_token_id = c.eos_token_id = c.vocab_size == 50257 ? 50256 : -1;
    c.validate(path);
    return c;
}

namespace {
// Reads n values of the file's dtype as floats.
// The per-layer tensors of an llm.c checkpoint, in file order: HF name suffix and llm.c's
// [rows, cols] shape (matrices are [out, in], the transpose of HF's Conv1D [in, out]).
struct LlmcLayerTensor {
    const char* suffix;
    int64_t rows, cols;
    bool matrix;
};
std::vector<LlmcLayerTensor> llmc_layer_tensors(int64_t C, int64_t F) {
    return {{"ln_1.weight", 1, C, false},        {"ln_1.bias", 1, C, false},
            {"attn.c_attn.weight", 3 * C, C, true}, {"attn.c_attn.bias", 1, 3 * C, false},
            {"attn.c_proj.weight", C, C, true},  {"attn.c_proj.bias", 1, C, false},
            {"ln_2.weight", 1, C, false},        {"ln_2.bias", 1, C, false},
            {"mlp.c_fc.weight", F, C, true},     {"mlp.c_fc.bias", 1, F, false},
            {"mlp.c_proj.weight", C, F, true},   {"mlp.c_proj.bias", 1, C, false}};
}

void read_values(std::FILE* f, const std::string& path, bool bf16, float* out, size_t n) {
    if (!bf16) {
        if (std::fread(out, sizeof(float), n, f) != n)
            throw Error(fmt::format("{}: truncated llm.c checkpoint", path));
        return;
    }
    std::vector<uint16_t> tmp(n);
    if (std::fread(tmp.data(), sizeof(uint16_t), n, f) != n) throw Error(fmt::format("{}: truncated llm.c checkpoint", path));
    for (size_t i = 0; i < n; i++) out[i] = bf16_to_f32(tmp[i]);
}
} // namespace

std::unique_ptr<Gpt> load_llmc_checkpoint(const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw Error(fmt::format("{}: cannot open: {}", path, errno_text(errno)));
    int32_t header[256];
    if (std::fread(header, sizeof(header), 1, f.get()) != 1) throw Error(fmt::format("{}: shorter than an llm.c header", path));
    int version = 0;
    GptConfig cfg = parse_llmc_header(header, path, &version);
    auto model = std::make_unique<Gpt>(cfg);
    nn::ParameterStore& ps = model->params();
    const bool bf16 = version == 5;
    const int64_t C = cfg.n_embd, L = cfg.n_layer, F = cfg.inner(), Vp = cfg.padded_vocab_size;
    LMK_CHECK(F == 4 * C, "{}: llm.c checkpoints have n_inner = 4 C", path);
    auto param = [&](const std::string& n) -> float* { return ps.at(n).value.data(); };
    read_values(f.get(), path, bf16, param("transformer.wte.weight"), size_t(Vp * C));
    read_values(f.get(), path, bf16, param("transformer.wpe.weight"), size_t(cfg.n_positions * C));
    // Each llm.c tensor stacks all layers; HF keeps one tensor per layer, and Conv1D
    // matrices are the transpose of llm.c's.
    auto per_layer = [&](const char* suffix, int64_t rows, int64_t cols, bool matrix) {
        std::vector<float> buf(size_t(rows * cols));
        for (int64_t l = 0; l < L; l++) {
            read_values(f.get(), path, bf16, buf.data(), buf.size());
            float* dst = param(fmt::format("transformer.h.{}.{}", l, suffix));
            if (matrix) transpose_copy(buf.data(), rows, cols, dst);
            else std::memcpy(dst, buf.data(), buf.size() * sizeof(float));
        }
    };
    for (const LlmcLayerTensor& t : llmc_layer_tensors(C, F)) per_layer(t.suffix, t.rows, t.cols, t.matrix);
    read_values(f.get(), path, bf16, param("transformer.ln_f.weight"), size_t(C));
    read_values(f.get(), path, bf16, param("transformer.ln_f.bias"), size_t(C));
    if (std::fgetc(f.get()) != EOF) throw Error(fmt::format("{}: trailing bytes after the parameters", path));
    // llm.c's padding rows are zero by construction; keep the engine's invariant anyway.
    std::memset(param("transformer.wte.weight") + cfg.vocab_size * C, 0, size_t((Vp - cfg.vocab_size) * C) * sizeof(float));
    return model;
}

void save_llmc_checkpoint(const Gpt& model, const std::string& path) {
    const GptConfig& cfg = model.config();
    LMK_CHECK(cfg.norm_position == NormPosition::pre && cfg.position_embedding == PositionEmbedding::learned &&
                  cfg.activation == Activation::gelu_tanh && cfg.inner() == 4 * cfg.n_embd,
              "{}: llm.c's format holds only the GPT-2 architecture (pre-LN, learned positions, gelu_new, 4C MLP)", path);
    const int64_t C = cfg.n_embd, L = cfg.n_layer, F = cfg.inner();
    OutputOptions oo;
    oo.binary = true;
    oo.raw = true;
    auto out = Output::open(path, oo);
    int32_t header[256] = {};
    header[0] = kLlmcModelMagic, header[1] = 3, header[2] = int32_t(cfg.n_positions), header[3] = int32_t(cfg.vocab_size);
    header[4] = int32_t(L), header[5] = int32_t(cfg.n_head), header[6] = int32_t(C), header[7] = int32_t(cfg.padded_vocab_size);
    out->write(header, sizeof(header));
    const nn::ParameterStore& ps = model.params();
    auto put = [&](const std::string& n) { const auto& t = ps.at(n).value; out->write(t.data(), size_t(t.numel()) * 4); };
    put("transformer.wte.weight");
    put("transformer.wpe.weight");
    auto per_layer = [&](const char* suffix, int64_t rows, int64_t cols, bool matrix) {
        std::vector<float> buf(size_t(rows * cols));
        for (int64_t l = 0; l < L; l++) {
            const float* src = ps.at(fmt::format("transformer.h.{}.{}", l, suffix)).value.data();
            // Conv1D [in, out] = [cols, rows] back to llm.c's [out, in] = [rows, cols].
            if (matrix) transpose_copy(src, cols, rows, buf.data());
            else std::memcpy(buf.data(), src, buf.size() * sizeof(float));
            out->write(buf.data(), buf.size() * sizeof(float));
        }
    };
    for (const LlmcLayerTensor& t : llmc_layer_tensors(C, F)) per_layer(t.suffix, t.rows, t.cols, t.matrix);
    put("transformer.ln_f.weight");
    put("transformer.ln_f.bias");
    out->commit();
}

std::unique_ptr<Gpt> load_model_dir(const std::string& dir) {
    std::string cfg_path = dir + "/config.json";
    if (!file_exists(cfg_path))
        throw Error(fmt::format("{}: no config.json: not a model directory", dir),
                    "give a directory written by pretrain (or transformers' save_pretrained), or an llm.c .bin");
    GptConfig cfg = gpt_config_from_json(read_file(cfg_path), cfg_path);
    // Inference and continued training start without dropout unless asked again.
    auto model = std::make_unique<Gpt>(cfg);
    model->load_safetensors(dir + "/model.safetensors");
    return model;
}

std::unique_ptr<Gpt> load_gpt(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return load_model_dir(path);
    if (!std::filesystem::exists(path, ec))
        throw Error(fmt::format("{}: no such model directory or checkpoint file", path),
                    "give a directory written by pretrain, a Hugging Face GPT-2 directory or an llm.c gpt2_*.bin");
    return load_llmc_checkpoint(path);
}

std::unique_ptr<tok::Tokenizer> load_model_tokenizer(const std::string& path, const std::string& tokenizer,
                                                     const Gpt& model) {
    std::string tk_path = tokenizer;
    if (tk_path.empty()) {
        std::error_code ec;
        LMK_CHECK(std::filesystem::is_directory(path, ec), "{}: give --tokenizer for an llm.c checkpoint", path);
        tk_path = path;
    }
    auto tk = tok::load_tokenizer(tk_path);
    LMK_CHECK(int64_t(tk->vocab_size()) <= model.config().vocab_size,
              "{}: tokenizer has {} tokens, the model only {}", tk_path, tk->vocab_size(), model.config().vocab_size);
    return tk;
}

} // namespace lmk
