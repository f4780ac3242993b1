// tok/unigram.cpp: Viterbi segmentation over vocabulary substrings.
#include "lmk/tok/unigram.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace lmk::tok {

UnigramModel::UnigramModel(const std::vector<std::pair<std::string, double>>& pieces,
                           std::optional<uint32_t> unk_id, bool byte_fallback)
    : unk_id_(unk_id), byte_fallback_(byte_fallback) {
    double min_score = std::numeric_limits<double>::infinity();
    for (const auto& [p, s] : pieces) {
        vocab_.add(p);
        scores_.push_back(s);
        min_score = std::min(min_score, s);
        max_piece_bytes_ = std::max(max_piece_bytes_, p.size());
    }
    if (pieces.empty()) min_score = 0;
    unk_score_ = min_score - 10.0;
    LMK_CHECK(!unk_id_ || *unk_id_ < vocab_.size(), "Unigram: unk_id {} is out of range", *unk_id_);
}

double UnigramModel::viterbi(std::string_view piece, std::vector<uint32_t>* out) const {
    const size_t n = piece.size();
    constexpr double kNeg = -std::numeric_limits<double>::infinity();
    // best[i]: best score of a segmentation of piece[0, i); from[i]/tok[i]: its last piece
    // (tok = kNone marks an unknown character).
    thread_local std::vector<double> best;
    thread_local std::vector<uint32_t> from, tok;
    best.assign(n + 1, kNeg);
    from.assign(n + 1, 0);
    tok.assign(n + 1, Vocab::kNone);
    best[0] = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t clen = utf8_decode(piece.data() + i, n - i, &cp);
        if (clen == 0) clen = 1;
        if (best[i] != kNeg) {
            bool single = false;
            size_t limit = std::min(n, i + max_piece_bytes_);
            for (size_t j = i + clen; j <= limit;) {
                uint32_t id = vocab_.lookup(piece.substr(i, j - i));
                if (id != Vocab::kNone) {
                    if (j == i + clen) single = true;
                    double s = best[i] + scores_[id];
                    if (s > best[j]) { best[j] = s; from[j] = uint32_t(i); tok[j] = id; }
                }
                if (j == n) break;
                uint32_t c2;
                size_t l2 = utf8_decode(piece.data() + j, n - j, &c2);
                j += l2 ? l2 : 1;
            }
            if (!single) {
                double s = best[i] + unk_score_;
                size_t j = i + clen;
                if (s > best[j]) { best[j] = s; from[j] = uint32_t(i); tok[j] = Vocab::kNone; }
            }
        }
        i += clen;
    }
    if (out) {
        std::vector<std::pair<uint32_t, uint32_t>> path; // (start, token)
        for (size_t j = n; j > 0; j = from[j]) path.push_back({from[j], tok[j]});
        std::reverse(path.begin(), path.end());
        bool last_unk = false;
        for (size_t k = 0; k < path.size(); k++) {
            auto [start, id] = path[k];
            if (id != Vocab::kNone) { out->push_back(id); last_unk = false; continue; }
            size_t end = k + 1 < path.size() ? path[k + 1].first : n;
            if (byte_fallback_) {
                bool all = true;
                std::vector<uint32_t> bytes;
                for (size_t b = start; b < end; b++) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "<0x%02X>", unsigned(uint8_t(piece[b])));
                    uint32_t bid = vocab_.lookup(hex);
                    if (bid == Vocab::kNone) { all = false; break; }
                    bytes.push_back(bid);
                }
                if (all) { out->insert(out->end(), bytes.begin(), bytes.end()); last_unk = false; continue; }
            }
            if (!last_unk && unk_id_) out->push_back(*unk_id_);
            last_unk = true;
        }
    }
    return best[n];
}

void UnigramModel::encode_piece(std::string_view piece, std::vector<uint32_t>& out) const {
    if (!piece.empty()) viterbi(piece, &out);
}

double UnigramModel::best_score(std::string_view piece) const { return viterbi(piece, nullptr); }

} // namespace lmk::tok
