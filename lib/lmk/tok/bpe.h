// tok/bpe.h: byte-pair encoding (GPT-2 byte-level, and character-level as in HF's BPE model).
//
// A piece starts as symbols: its bytes (byte_level) or its UTF-8 characters (the first
// without, the others with continuing_subword_prefix; the last with end_of_word_suffix;
// a character missing from the vocabulary becomes <0xXX> byte tokens with byte_fallback,
// else unk_token, consecutive unks fused when fuse_unk). Then, repeatedly, the adjacent pair
// with the lowest merge rank is merged, the leftmost one on ties — the rule HF tokenizers
// and tiktoken both follow (for tiktoken, a pair's rank is the rank of the merged token).
//
// Speed: a piece that is itself a token is emitted directly when BPE provably yields that
// token (checked for every token at construction) or when ignore_merges is set (tiktoken's
// rule, and HF's `ignore_merges`); other pieces go through a per-thread cache, then the
// merge loop: O(n^2) on short pieces (fast in practice), a heap over a linked list, O(n log n),
// on long ones, so a million identical characters cost about a second, not hours.
//
//   lmk::tok::BpeModel m(std::move(vocab), merges, {.byte_level = true});
//   std::vector<uint32_t> ids;
//   m.encode_piece(" hello", ids);
#pragma once
#include "lmk/tok/model.h"
#include "lmk/tok/vocab.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lmk::tok {

struct BpeOptions {
    bool byte_level = false;    // symbols are bytes; vocabulary strings are raw bytes
    bool ignore_merges = false; // a piece that is a token is emitted whole, unconditionally
    std::optional<std::string> unk_token;
    std::string continuing_subword_prefix;
    std::string end_of_word_suffix;
    bool fuse_unk = false;
    bool byte_fallback = false;
};

class BpeModel final : public Model {
public:
    using Pair = std::pair<uint32_t, uint32_t>;
    // merges[r] = the pair merged with rank r; the merged token must be in the vocabulary.
    // Throws lmk::Error naming the first merge whose result is missing.
    BpeModel(Vocab vocab, std::vector<Pair> merges, BpeOptions opts);
    // tiktoken: no merge list, a pair's rank is the rank (= id) of the concatenated token.
    static BpeModel from_ranks(Vocab vocab);

    const char* type() const override { return "BPE"; }
    void encode_piece(std::string_view piece, std::vector<uint32_t>& out) const override;
    size_t vocab_size() const override { return vocab_.size(); }
    const std::string& id_to_token(uint32_t id) const override { return vocab_.token(id); }
    std::optional<uint32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }

    const Vocab& vocab() const { return vocab_; }
    const std::vector<Pair>& merges() const { return merges_; }
    const BpeOptions& options() const { return opts_; }

    // The merge loop alone (no whole-piece shortcut, no cache), exposed for tests.
    void merge_symbols(std::vector<uint32_t>& symbols) const;

private:
    BpeModel() = default;
    void build_pairs();
    void check_whole_tokens();
    void initial_symbols(std::string_view piece, std::vector<uint32_t>& out) const;
    void merge_quadratic(std::vector<uint32_t>& symbols) const;
    void merge_heap(std::vector<uint32_t>& symbols) const;

    Vocab vocab_;
    std::vector<Pair> merges_;
    BpeOptions opts_;
    PairMap pairs_;
    std::vector<uint8_t> whole_ok_; // per id: a piece equal to this token encodes to it
    uint32_t byte_ids_[256];        // byte_level: id of each single-byte symbol (kNone if absent)
    uint32_t unk_id_ = Vocab::kNone;
    uint64_t serial_ = 0;           // identifies this model to the per-thread cache
};

} // namespace lmk::tok
