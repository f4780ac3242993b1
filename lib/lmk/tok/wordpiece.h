// tok/wordpiece.h: BERT's WordPiece model (greedy longest match first, `##` continuations).
//
// A piece longer than max_input_chars_per_word characters, or one that cannot be covered
// left to right by vocabulary entries (the first without, the rest with the prefix), becomes
// the single unk token, as in Google's BERT and HF tokenizers.
//
//   lmk::tok::WordPieceModel m(std::move(vocab), {.unk_token = "[UNK]"});
//   m.encode_piece("unaffable", ids);   // un ##aff ##able
#pragma once
#include "lmk/tok/model.h"
#include "lmk/tok/vocab.h"

namespace lmk::tok {

struct WordPieceOptions {
    std::string unk_token = "[UNK]";
    std::string continuing_subword_prefix = "##";
    size_t max_input_chars_per_word = 100;
};

class WordPieceModel final : public Model {
public:
    WordPieceModel(Vocab vocab, WordPieceOptions opts); // throws if unk_token is missing
    const char* type() const override { return "WordPiece"; }
    void encode_piece(std::string_view piece, std::vector<uint32_t>& out) const override;
    size_t vocab_size() const override { return vocab_.size(); }
    const std::string& id_to_token(uint32_t id) const override { return vocab_.token(id); }
    std::optional<uint32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
    const Vocab& vocab() const { return vocab_; }
    const WordPieceOptions& options() const { return opts_; }

private:
    Vocab vocab_;
    WordPieceOptions opts_;
    uint32_t unk_id_;
};

} // namespace lmk::tok
