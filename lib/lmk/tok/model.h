// tok/model.h: the subword model interface (BPE, WordPiece, Unigram) behind a Tokenizer.
//
// A Model turns one pre-tokenized piece into ids and ids back into token strings. It sees
// neither normalization nor added tokens (tok/tokenizer.h does those). Token strings are in
// "model space": for byte-level BPE that is raw bytes (the GPT-2 byte-to-char mapping is
// undone when a vocabulary is loaded and redone when it is saved), otherwise UTF-8 text.
// Models are immutable after construction and safe to use from many threads.
//
//   std::vector<uint32_t> ids;
//   model.encode_piece(" world", ids);        // appends
//   std::string s = model.id_to_token(ids[0]);
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmk::tok {

class Model {
public:
    virtual ~Model() = default;
    virtual const char* type() const = 0; // "BPE", "WordPiece", "Unigram" (tokenizer.json's model.type)
    virtual void encode_piece(std::string_view piece, std::vector<uint32_t>& out) const = 0;
    virtual size_t vocab_size() const = 0;
    virtual const std::string& id_to_token(uint32_t id) const = 0; // id < vocab_size()
    virtual std::optional<uint32_t> token_to_id(std::string_view token) const = 0;
};

} // namespace lmk::tok
