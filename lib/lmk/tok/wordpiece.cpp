// tok/wordpiece.cpp: greedy longest-match-first segmentation.
#include "lmk/tok/wordpiece.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"

namespace lmk::tok {

WordPieceModel::WordPieceModel(Vocab vocab, WordPieceOptions opts)
    : vocab_(std::move(vocab)), opts_(std::move(opts)) {
    unk_id_ = vocab_.lookup(opts_.unk_token);
    LMK_CHECK(unk_id_ != Vocab::kNone, "WordPiece: unk_token \"{}\" is not in the vocabulary", opts_.unk_token);
}

void WordPieceModel::encode_piece(std::string_view piece, std::vector<uint32_t>& out) const {
    if (piece.empty()) return;
    // Character boundaries (byte offsets), so matches never split a character.
    thread_local std::vector<uint32_t> bounds;
    bounds.clear();
    for (size_t i = 0; i < piece.size();) {
        bounds.push_back(uint32_t(i));
        uint32_t cp;
        size_t n = utf8_decode(piece.data() + i, piece.size() - i, &cp);
        i += n ? n : 1;
    }
    const size_t nchars = bounds.size();
    bounds.push_back(uint32_t(piece.size()));
    if (nchars > opts_.max_input_chars_per_word) { out.push_back(unk_id_); return; }
    const size_t mark = out.size();
    std::string sub;
    for (size_t start = 0; start < nchars;) {
        size_t end = nchars;
        uint32_t found = Vocab::kNone;
        for (; end > start; end--) {
            sub.clear();
            if (start > 0) sub += opts_.continuing_subword_prefix;
            sub.append(piece.substr(bounds[start], bounds[end] - bounds[start]));
            found = vocab_.lookup(sub);
            if (found != Vocab::kNone) break;
        }
        if (found == Vocab::kNone) {
            out.resize(mark);
            out.push_back(unk_id_);
            return;
        }
        out.push_back(found);
        start = end;
    }
}

} // namespace lmk::tok
