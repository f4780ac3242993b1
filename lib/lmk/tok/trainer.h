// tok/trainer.h: tokenizer training (BPE, WordPiece, Unigram) from a streamed corpus.
//
// Every trainer first counts words: documents are read in batches, normalized and
// pre-tokenized by the same pipeline the trained tokenizer will use (so training and
// encoding split text identically), and each piece's count is summed into a hash map.
// Batches are counted in parallel with one map per task and merged afterwards; counts are
// sums, so the result does not depend on the thread count. Memory grows with the number of
// distinct pieces, not with the corpus. Counts are 64-bit.
//
// BPE (train_bpe): the classic algorithm (Sennrich et al.; GPT-2 byte-level) with HF's rules.
//   ids: special tokens first, in the order given; then the alphabet: for byte-level all 256
//   byte symbols (seeded, whether seen or not) in code point order of GPT-2's byte chars,
//   which is GPT-2's own order; otherwise every character seen, in code point order, then
//   the "##"-continuation forms (WordPiece) in the same order; then one token per merge.
//   Each step merges the most frequent adjacent pair; ties go to the pair with the smaller
//   (left id, right id) — HF's BpeTrainer rule. Pairs whose merged token would exceed
//   max_token_length bytes are skipped; training stops at vocab_size tokens or when the best
//   count is below min_frequency (or no pair is left).
//   Pair counts are kept incrementally: a merge only visits the words that contain the pair
//   (an index from pair to words), and a lazy max-heap yields the next best pair.
// WordPiece (train_wordpiece): HF's method — the BPE trainer over characters with the "##"
//   continuation prefix; the resulting vocabulary becomes a WordPiece model (merges dropped).
// Unigram (train_unigram): see unigram_trainer.cpp — sentencepiece's EM method.
//
//   lmk::tok::TrainerOptions o; o.vocab_size = 32000; o.special = {"<|endoftext|>"};
//   lmk::tok::WordCounts wc = lmk::tok::count_words(*proto, corpus, o);
//   auto tk = lmk::tok::train_bpe(std::move(proto), wc, o);
#pragma once
#include "lmk/tok/tokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lmk::tok {

struct TrainerOptions {
    size_t vocab_size = 30000;          // counts special tokens, as HF does
    uint64_t min_frequency = 0;
    std::vector<std::string> special;   // inserted first, in order
    size_t max_token_length = 0;        // bytes; 0 = unlimited
    size_t unigram_seed_size = 1000000; // Unigram: seed pieces before EM
    double unigram_shrinking_factor = 0.75;
    int unigram_em_iterations = 2;
    size_t unigram_max_piece_length = 16; // characters
};

struct CorpusSpec {
    std::vector<std::string> inputs;    // "-" = stdin
    bool text_format = false;           // plain text: each line is a document (newline kept)
    std::string text_field = "text";
    bool strict = false;
};

// Distinct pieces and their counts, sorted by piece (bytes), so trainers see a fixed order.
struct WordCounts {
    std::vector<std::pair<std::string, uint64_t>> words;
    uint64_t documents = 0, bytes = 0, skipped = 0;
};

// Counts the pieces `proto`'s normalizer and pre-tokenizer produce over the corpus.
// Special-token strings in the text are split out first (never counted as text).
WordCounts count_words(const Tokenizer& proto, const CorpusSpec& corpus, const TrainerOptions& o);
// The same over in-memory documents (tests).
WordCounts count_words(const Tokenizer& proto, const std::vector<std::string>& docs, const TrainerOptions& o);

// A tokenizer with the pipeline of each model type and an empty model, to count words with
// and to receive the trained model (the model is replaced by the trainer).
std::unique_ptr<Tokenizer> bpe_pipeline(bool lowercase = false);        // GPT-2 byte-level
std::unique_ptr<Tokenizer> wordpiece_pipeline(bool lowercase = true);   // BERT
std::unique_ptr<Tokenizer> unigram_pipeline(bool lowercase = false);    // NFKC + Metaspace

// Train and return the complete tokenizer (pipeline of `proto`, trained model, specials as
// added tokens, post-processor where the model type has one).
std::unique_ptr<Tokenizer> train_bpe(const Tokenizer& proto, const WordCounts& wc, const TrainerOptions& o);
std::unique_ptr<Tokenizer> train_wordpiece(const Tokenizer& proto, const WordCounts& wc, const TrainerOptions& o);
std::unique_ptr<Tokenizer> train_unigram(const Tokenizer& proto, const WordCounts& wc, const TrainerOptions& o);

} // namespace lmk::tok
