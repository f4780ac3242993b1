// model/import.h: opening GPT-2 checkpoints: lmkit/Hugging Face model directories and
// llm.c's gpt2_*.bin files.
//
// A model directory holds config.json (HF GPT2Config, model/config.h) and model.safetensors
// (HF GPT2LMHeadModel names, model/hf_names.h): what `pretrain -o DIR` writes and what
// transformers' save_pretrained writes for GPT-2.
//
// llm.c checkpoint (train_gpt2.py's write_model), little-endian:
//   int32 header[256]: [0] = 20240326 (magic), [1] = version (3: fp32 weights, 5: bf16;
//                      1: early fp32 files without padding), [2] = maxT, [3] = V, [4] = L,
//                      [5] = NH, [6] = C, [7] = Vp (padded vocab; versions 3 and 5)
//   then the parameters back to back, [out, in] matrices (nn.Linear layout):
//     wte (Vp, C), wpe (maxT, C), ln1w (L, C), ln1b (L, C), qkvw (L, 3C, C), qkvb (L, 3C),
//     attprojw (L, C, C), attprojb (L, C), ln2w (L, C), ln2b (L, C), fcw (L, 4C, C),
//     fcb (L, 4C), fcprojw (L, C, 4C), fcprojb (L, C), lnfw (C), lnfb (C)
// Import transposes the matrices into Conv1D [in, out] and keeps llm.c's padded vocab.
//
//   std::unique_ptr<lmk::Gpt> m = lmk::load_gpt("runs/gpt");          // a directory
//   std::unique_ptr<lmk::Gpt> m2 = lmk::load_gpt("gpt2_124M.bin");     // llm.c
#pragma once
#include "lmk/model/gpt.h"
#include "lmk/tok/tokenizer.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace lmk {

constexpr int32_t kLlmcModelMagic = 20240326;

// Parses and validates an llm.c model header (1024 bytes) into a config; *version gets
// header[1]. Throws naming `path`, with a hint for shard files given by mistake.
GptConfig parse_llmc_header(const int32_t* header, const std::string& path, int* version);
std::unique_ptr<Gpt> load_llmc_checkpoint(const std::string& path);
// Writes llm.c's version-3 (fp32) format, for llm.c to continue training or evaluate.
void save_llmc_checkpoint(const Gpt& model, const std::string& path);

// config.json + model.safetensors in `dir`.
std::unique_ptr<Gpt> load_model_dir(const std::string& dir);
// A directory or an llm.c .bin file (by its magic).
std::unique_ptr<Gpt> load_gpt(const std::string& path);
// The tokenizer that goes with model `path`: `tokenizer` when given, else the model
// directory's own (tokenizer.json, or GPT-2's vocab files). An llm.c checkpoint holds none,
// so it needs `tokenizer` (lmk::Error otherwise). A tokenizer with more tokens than the model
// has embedding rows is refused.
std::unique_ptr<tok::Tokenizer> load_model_tokenizer(const std::string& path, const std::string& tokenizer,
                                                     const Gpt& model);

} // namespace lmk
