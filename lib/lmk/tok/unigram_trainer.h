// tok/unigram_trainer.h: pieces of the Unigram trainer that tests check directly; the trainer
// itself is train_unigram() in trainer.h.
//
// unigram_seed_pieces(): sentencepiece's seed step over a counted word list. Every distinct
// character is a seed (freq = its weighted count). Other seeds are the right-branching
// substrings of the text, as sentencepiece finds them with an enhanced suffix array over its
// input lines: here a suffix array over the distinct words, each written once and followed
// by a separator, with occurrences weighted by word counts. A substring of weighted count
// >= 2 is a candidate when two of its occurrences continue differently, all word ends
// counting as one continuation (in running text a word is followed by the next word's
// "▁"), or when it has ended words at least 10 times (weighted): sentencepiece sees such a
// substring also at a line end, which makes it a node, and at ~10 words per line that
// takes about 10 occurrences. Measured on Debian docs (held-out bytes per token): seeding
// every word end (a threshold of 2) costs 6% at 8k pieces / 1 MB; seeding none costs 2% at
// 32k / 25 MB; 10 is at or above spm_train on both.
// Candidates of 2 to unigram_max_piece_length characters (and at most max_token_length bytes
// when set) are ranked by freq x length (ties: the lexicographically smaller piece first)
// and the best unigram_seed_size are kept.
// Order: characters in byte order, then substrings by rank.
//
//   WordCounts wc; wc.words = {{"▁ab", 3}, {"▁abc", 2}};
//   auto seeds = lmk::tok::unigram_seed_pieces(wc, TrainerOptions{});
//   // ▁ a b c (characters), then ▁ab (freq 5, score 15) and ab (freq 5, score 10); "▁abc"
//   // (only a word end, 2 times) is no seed, but would be with a count of 10
#pragma once
#include "lmk/tok/trainer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmk::tok {

struct UnigramSeedPiece {
    std::string piece;
    uint64_t freq = 0;  // weighted occurrences
    uint64_t score = 0; // freq x characters
    bool is_char = false;
};

std::vector<UnigramSeedPiece> unigram_seed_pieces(const WordCounts& wc, const TrainerOptions& o);

} // namespace lmk::tok
