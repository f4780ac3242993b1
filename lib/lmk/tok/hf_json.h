// tok/hf_json.h: loading and saving tokenizers in the files the ecosystem uses.
//
//   tokenizer.json      Hugging Face tokenizers, schema "1.0" (read and written; what we write
//                       loads in HF tokenizers >= 0.20 and gives the same ids)
//   vocab.json + merges.txt      GPT-2 / HF "slow" byte-level BPE (read and written)
//   encoder.json + vocab.bpe     OpenAI gpt-2's names for the same two files (read)
//   NAME.tiktoken       tiktoken: one "base64(token bytes) rank" per line (read). The file
//                       names no pre-tokenizer or special tokens, so the encoding is known by
//                       its number of ranks: r50k_base, p50k_base (p50k_edit by file name),
//                       cl100k_base, o200k_base, each with tiktoken's split rule and specials.
//                       Other rank counts are an error.
//
// load_tokenizer(path) picks the format: a directory holding tokenizer.json, vocab.json +
// merges.txt or encoder.json + vocab.bpe; a *.tiktoken file; otherwise a tokenizer.json.
// Errors name the file and, for JSON, the path inside it:
//   `tok.json: model.vocab["hello"]: expected an integer id, got string`.
// GPT-2-style files get GPT-2's pipeline (ByteLevel pre-tokenizer and decoder,
// <|endoftext|> as a special token when the vocabulary has it).
//
//   auto tk = lmk::tok::load_tokenizer("/data/gpt2");
//   lmk::write_file("out/tokenizer.json", lmk::tok::to_hf_json(*tk));
#pragma once
#include "lmk/tok/tokenizer.h"

#include <memory>
#include <string>
#include <string_view>

namespace lmk::tok {

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);
// Whether `path` is a directory load_tokenizer would find a tokenizer in.
bool holds_tokenizer(const std::string& path);
// `name` is used in error messages.
std::unique_ptr<Tokenizer> parse_hf_json(std::string_view json, const std::string& name);
std::unique_ptr<Tokenizer> parse_gpt2_files(std::string_view vocab_json, std::string_view merges_txt,
                                            const std::string& vocab_name, const std::string& merges_name);
std::unique_ptr<Tokenizer> parse_tiktoken(std::string_view text, const std::string& name);

// tokenizer.json text (2-space indented like HF's pretty output; keys in HF's order).
std::string to_hf_json(const Tokenizer& tk);
// GPT-2 vocab.json / merges.txt texts of a BPE tokenizer (throws for other models).
std::string to_gpt2_vocab_json(const Tokenizer& tk);
std::string to_gpt2_merges_txt(const Tokenizer& tk);

} // namespace lmk::tok
