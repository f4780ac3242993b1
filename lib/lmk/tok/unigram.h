// tok/unigram.h: the Unigram language model (Kudo 2018; sentencepiece, HF "Unigram").
//
// A piece is segmented by Viterbi over the lattice of vocabulary substrings, maximizing the
// sum of log-probability scores. A character no vocabulary entry covers becomes unk with
// score min_score - 10 (HF's penalty); consecutive unks are fused into one. With
// byte_fallback an uncovered character becomes its <0xXX> byte tokens instead.
// Ties between equal-score paths keep the path found first (shorter last piece wins).
//
//   std::vector<std::pair<std::string, double>> pieces = {{"<unk>", 0}, {"▁a", -1.2}, ...};
//   lmk::tok::UnigramModel m(pieces, /*unk_id*/ 0);
//   m.encode_piece("▁ab", ids);
#pragma once
#include "lmk/tok/model.h"
#include "lmk/tok/vocab.h"

#include <utility>

namespace lmk::tok {

class UnigramModel final : public Model {
public:
    UnigramModel(const std::vector<std::pair<std::string, double>>& pieces, std::optional<uint32_t> unk_id,
                 bool byte_fallback = false);
    const char* type() const override { return "Unigram"; }
    void encode_piece(std::string_view piece, std::vector<uint32_t>& out) const override;
    size_t vocab_size() const override { return vocab_.size(); }
    const std::string& id_to_token(uint32_t id) const override { return vocab_.token(id); }
    std::optional<uint32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
    const Vocab& vocab() const { return vocab_; }
    double score(uint32_t id) const { return scores_[id]; }
    std::optional<uint32_t> unk_id() const { return unk_id_; }
    bool byte_fallback() const { return byte_fallback_; }
    // Viterbi segmentation score of a piece (sum of piece scores), for trainers and tests.
    double best_score(std::string_view piece) const;

private:
    double viterbi(std::string_view piece, std::vector<uint32_t>* out) const;
    Vocab vocab_;
    std::vector<double> scores_;
    std::optional<uint32_t> unk_id_;
    bool byte_fallback_;
    double unk_score_;
    size_t max_piece_bytes_ = 1;
};

} // namespace lmk::tok
