// Tests for the Unigram trainer: the integer suffix array and its separator-aware LCP
// against naive sorting, the seed pieces on word lists worked out by hand, training on tiny
// corpora whose result follows from the method, and thread-count independence.
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/tok/hf_json.h"
#include "lmk/tok/suffix_sort.h"
#include "lmk/tok/trainer.h"
#include "lmk/tok/unigram.h"
#include "lmk/tok/unigram_trainer.h"

#include "test_util.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace lmk::tok;

namespace {

std::vector<int32_t> naive_sa(const std::vector<int32_t>& t) {
    std::vector<int32_t> sa(t.size());
    std::iota(sa.begin(), sa.end(), 0);
    std::sort(sa.begin(), sa.end(), [&](int32_t a, int32_t b) {
        return std::lexicographical_compare(t.begin() + a, t.end(), t.begin() + b, t.end());
    });
    return sa;
}

uint8_t naive_lcp(const std::vector<int32_t>& t, int32_t a, int32_t b, int32_t stop) {
    size_t h = 0;
    while (size_t(a) + h < t.size() && size_t(b) + h < t.size() && t[size_t(a) + h] > stop &&
           t[size_t(a) + h] == t[size_t(b) + h])
        h++;
    return uint8_t(std::min<size_t>(h, 255));
}

// (piece, freq, score) of the non-character seeds; the characters as one string.
struct SeedView {
    std::string chars;
    std::vector<std::tuple<std::string, uint64_t, uint64_t>> subs;
};
SeedView seeds_of(const std::vector<std::pair<std::string, uint64_t>>& words, TrainerOptions o = {}) {
    WordCounts wc;
    wc.words = words;
    SeedView v;
    for (const auto& s : unigram_seed_pieces(wc, o)) {
        if (s.is_char) v.chars += s.piece + "|";
        else v.subs.push_back({s.piece, s.freq, s.score});
    }
    return v;
}

std::vector<std::string> vocab_of(const Tokenizer& tk) {
    std::vector<std::string> v;
    for (uint32_t i = 0; i < tk.vocab_size(); i++) v.push_back(tk.id_to_token(i));
    return v;
}

} // namespace

TEST_CASE("integer suffix array: banana, and random texts against naive sorting") {
    std::vector<int32_t> banana = {3, 2, 4, 2, 4, 2, 0};
    auto sa = symbol_suffix_array(banana, 5);
    CHECK(sa == std::vector<int32_t>{6, 5, 3, 1, 0, 4, 2});
    CHECK(lcp_stopping_at(banana, sa, 0) == std::vector<uint8_t>{0, 0, 1, 3, 0, 0, 2});
    // "ab|ab" + sentinel: the separator (1) matches nothing, so "ab|ab" and "ab" share 2.
    std::vector<int32_t> sep = {2, 3, 1, 2, 3, 0};
    auto ssa = symbol_suffix_array(sep, 4);
    CHECK(ssa == std::vector<int32_t>{5, 2, 3, 0, 4, 1});
    CHECK(lcp_stopping_at(sep, ssa, 1) == std::vector<uint8_t>{0, 0, 0, 2, 0, 1});

    lmk::Rng rng(7);
    for (int trial = 0; trial < 300; trial++) {
        const int32_t alphabet = 2 + int32_t(rng.next_u64() % (trial % 3 == 0 ? 3 : 40));
        const size_t n = 1 + rng.next_u64() % (trial < 200 ? 60 : 3000);
        std::vector<int32_t> t(n);
        for (size_t i = 0; i + 1 < n; i++) {
            // Long runs and repeats stress the recursion; separators (1) appear now and then.
            if (i > 8 && rng.next_u64() % 3 == 0) t[i] = t[i - 1 - rng.next_u64() % 8];
            else t[i] = 1 + int32_t(rng.next_u64() % uint64_t(alphabet - 1));
        }
        t[n - 1] = 0;
        auto got = symbol_suffix_array(t, alphabet);
        REQUIRE(got == naive_sa(t));
        auto lcp = lcp_stopping_at(t, got, 1);
        for (size_t i = 1; i < n; i++) REQUIRE(lcp[i] == naive_lcp(t, got[i - 1], got[i], 1));
    }
    CHECK_THROWS(symbol_suffix_array(std::vector<int32_t>{2, 3}, 4)); // no sentinel
}

TEST_CASE("unigram seeds: right-branching substrings weighted by word counts") {
    // "▁ab" x3, "▁abc" x2. "▁ab" ends a word and continues with "c": a node, freq 5, score
    // 5 x 3. "ab" likewise (5, 10). "▁abc", "abc", "bc" only ever end a word, 2 < 10 times:
    // no seeds (sentencepiece would see them followed by the next word's "▁"). "b" and
    // "▁" are single characters.
    auto v = seeds_of({{"\xE2\x96\x81" "ab", 3}, {"\xE2\x96\x81" "abc", 2}});
    CHECK(v.chars == "a|b|c|\xE2\x96\x81|"); // byte order: ▁ (E2 96 81) last
    using T = std::tuple<std::string, uint64_t, uint64_t>;
    CHECK(v.subs == std::vector<T>{{"\xE2\x96\x81" "ab", 5, 15}, {"ab", 5, 10}});
    // With "▁abc" counted 12 times its word ends qualify: ▁abc (12 x 4 = 48), abc (36),
    // ▁ab (15 x 3 = 45), ab (30), bc (24).
    v = seeds_of({{"\xE2\x96\x81" "ab", 3}, {"\xE2\x96\x81" "abc", 12}});
    CHECK(v.subs == std::vector<T>{{"\xE2\x96\x81" "abc", 12, 48}, {"\xE2\x96\x81" "ab", 15, 45}, {"abc", 12, 36},
                                   {"ab", 15, 30}, {"bc", 12, 24}});
    // Limits: characters per piece, bytes per piece, seed count, min_frequency.
    TrainerOptions o;
    o.unigram_max_piece_length = 2;
    CHECK(seeds_of({{"\xE2\x96\x81" "ab", 3}, {"\xE2\x96\x81" "abc", 12}}, o).subs == std::vector<T>{{"ab", 15, 30}, {"bc", 12, 24}});
    o = {};
    o.max_token_length = 4; // bytes: "▁ab" is 5
    CHECK(seeds_of({{"\xE2\x96\x81" "ab", 3}, {"\xE2\x96\x81" "abc", 12}}, o).subs ==
          std::vector<T>{{"abc", 12, 36}, {"ab", 15, 30}, {"bc", 12, 24}});
    o = {};
    o.unigram_seed_size = 2;
    CHECK(seeds_of({{"\xE2\x96\x81" "ab", 3}, {"\xE2\x96\x81" "abc", 12}}, o).subs ==
          std::vector<T>{{"\xE2\x96\x81" "abc", 12, 48}, {"\xE2\x96\x81" "ab", 15, 45}});
    o = {};
    o.min_frequency = 13;
    CHECK(seeds_of({{"\xE2\x96\x81" "ab", 3}, {"\xE2\x96\x81" "abc", 12}}, o).subs ==
          std::vector<T>{{"\xE2\x96\x81" "ab", 15, 45}, {"ab", 15, 30}});
    // Ties in freq x length go to the smaller string; multi-byte characters count as one.
    v = seeds_of({{"xy", 10}, {"xyz", 1}, {"\xC3\xA9\xC3\xA9", 10}, {"\xC3\xA9\xC3\xA9q", 1}});
    CHECK(v.chars == "q|x|y|z|\xC3\xA9|");
    CHECK(v.subs == std::vector<T>{{"xy", 11, 22}, {"\xC3\xA9\xC3\xA9", 11, 22}});
}

TEST_CASE("unigram training: a single word keeps itself and its characters") {
    // Word "▁ab" x20. Seeds: ▁ a b (20 each), "▁ab" (60), "ab" (40): probabilities 1/8 each,
    // 3/8, 1/4. First E-step: paths ▁ab 3/8, ▁|ab 1/32, ▁|a|b 1/512 (Z = 0.408), so "▁ab" is
    // expected 18.37 times, "▁" 1.63, "ab" 1.53, "a" and "b" 0.096 (floored to 0.5: they are
    // characters). Second E-step: ▁ab has probability e^(digamma(18.37) - digamma(22.53)) =
    // 0.81 against 0.0026 for ▁|ab, so "ab" and "▁" are expected 0.06 < 0.5 times: "ab" is
    // dropped, "▁" floored like a and b. Four pieces remain, the target: no pruning. Listed
    // by score; the three characters tie and follow in byte order.
    TrainerOptions o;
    o.vocab_size = 5;
    o.special = {"<unk>"};
    WordCounts wc;
    wc.words = {{"\xE2\x96\x81" "ab", 20}};
    auto tk = train_unigram(*unigram_pipeline(), wc, o);
    CHECK(vocab_of(*tk) == std::vector<std::string>{"<unk>", "\xE2\x96\x81" "ab", "a", "b", "\xE2\x96\x81"});
    auto* m = dynamic_cast<const UnigramModel*>(&tk->model());
    REQUIRE(m);
    CHECK(m->unk_id() == 0u);
    CHECK(m->score(1) > m->score(2));
    CHECK(m->score(2) == m->score(3));
    CHECK(m->score(3) == m->score(4));
    CHECK(tk->encode("ab ab") == std::vector<uint32_t>{1, 1});
}

TEST_CASE("unigram training: frequent words become pieces") {
    // Ten characters; five words seen 50-100 times each; room for all of them.
    std::vector<std::string> docs(50, "the cat sat on the mat");
    TrainerOptions o;
    o.vocab_size = 16;
    o.special = {"<unk>"};
    auto proto = unigram_pipeline();
    auto tk = train_unigram(*proto, count_words(*proto, docs, o), o);
    auto v = vocab_of(*tk);
    REQUIRE(v.size() == 16);
    for (const char* w : {"the", "cat", "sat", "on", "mat"})
        CHECK(std::count(v.begin(), v.end(), std::string("\xE2\x96\x81") + w) == 1);
    CHECK(tk->encode(docs[0]).size() == 6);
    CHECK(tk->decode(tk->encode(docs[0])) == docs[0]);
}

TEST_CASE("unigram training is identical for any thread count") {
    const auto docs = lmk_test::numbered_documents(3000);
    TrainerOptions o;
    o.vocab_size = 300;
    o.special = {"<unk>"};
    auto proto = unigram_pipeline();
    auto train = [&] { return to_hf_json(*train_unigram(*proto, count_words(*proto, docs, o), o)); };
    lmk_test::check_same_for_1_and_4_threads(train);
    auto tk = parse_hf_json(train(), "unigram.json");
    CHECK(tk->vocab_size() == 300);
    for (const auto& d : {docs[0], docs[1234]}) CHECK(tk->decode(tk->encode(d)) == d);
}

TEST_CASE("unigram training: words too long for probability space use the log-space path") {
    // A 3000-character word (about 1000 pieces, probability far below 1e-250) among short
    // words: its expected counts come from the log-space fallback and must stay finite.
    std::string long_word;
    lmk::Rng rng(3);
    for (int i = 0; i < 3000; i++) long_word += char('a' + rng.below(4));
    std::vector<std::string> docs(20, "ab ba abc cab " + long_word);
    TrainerOptions o;
    o.vocab_size = 30;
    o.special = {"<unk>"};
    auto proto = unigram_pipeline();
    auto tk = train_unigram(*proto, count_words(*proto, docs, o), o);
    auto* m = dynamic_cast<const UnigramModel*>(&tk->model());
    REQUIRE(m);
    REQUIRE(tk->vocab_size() == 30);
    for (uint32_t i = 1; i < tk->vocab_size(); i++) CHECK(std::isfinite(m->score(i)));
    CHECK(tk->decode(tk->encode(docs[0])) == docs[0]);
    CHECK(tk->encode(long_word).size() < 3000); // multi-character pieces were learned
}
