// Tests for tok/trainer.h: BPE and WordPiece training on tiny corpora whose merges were
// worked out by hand, tie-breaking, min_frequency, and thread-count independence.
#include "lmk/core/threads.h"
#include "lmk/core/utf8.h"
#include "lmk/tok/bpe.h"
#include "lmk/tok/hf_json.h"
#include "lmk/tok/trainer.h"

#include "test_util.h"

#include <doctest/doctest.h>

using namespace lmk::tok;

namespace {

std::vector<std::pair<std::string, std::string>> merges_of(const Tokenizer& tk) {
    auto* b = dynamic_cast<const BpeModel*>(&tk.model());
    REQUIRE(b);
    std::vector<std::pair<std::string, std::string>> out;
    for (auto [a, c] : b->merges()) out.push_back({tk.id_to_token(a), tk.id_to_token(c)});
    return out;
}

using M = std::vector<std::pair<std::string, std::string>>;

} // namespace

TEST_CASE("word counting splits like the tokenizer and skips special tokens") {
    auto proto = bpe_pipeline();
    TrainerOptions o;
    o.special = {"<|endoftext|>"};
    WordCounts wc = count_words(*proto, {"ab ab<|endoftext|>ab", "x ab"}, o);
    std::vector<std::pair<std::string, uint64_t>> want = {{" ab", 2}, {"ab", 2}, {"x", 1}};
    CHECK(wc.words == want);
    CHECK(wc.documents == 2);
}

TEST_CASE("BPE training: hand-computed merges") {
    // Pieces: "ab" x1, " ab" x2, " abc" x1. Pair counts: (a,b) 4, (Ġ,a) 3, (b,c) 1.
    // 1: a+b (4). Then (Ġ,ab) 3, (ab,c) 1. 2: Ġ+ab. Then (Ġab,c) 1. 3: Ġab+c.
    auto proto = bpe_pipeline();
    TrainerOptions o;
    o.special = {"<|endoftext|>"};
    o.vocab_size = 1 + 256 + 3;
    auto tk = train_bpe(*proto, count_words(*proto, {"ab ab ab abc"}, o), o);
    CHECK(merges_of(*tk) == M{{"a", "b"}, {"Ġ", "ab"}, {"Ġab", "c"}});
    CHECK(tk->vocab_size() == 260);
    CHECK(tk->token_to_id("<|endoftext|>") == 0u);
    CHECK(tk->token_to_id("!") == 1u);            // alphabet in GPT-2's order after the specials
    CHECK(tk->token_to_id("Ġ") == 1u + 220);
    CHECK(tk->token_to_id("Ġabc") == 259u);
    CHECK(tk->encode("ab abc<|endoftext|>") == std::vector<uint32_t>{257, 259, 0});
    // Asking for more than the corpus offers stops when no pair is left.
    o.vocab_size = 1000;
    auto big = train_bpe(*proto, count_words(*proto, {"ab ab ab abc"}, o), o);
    CHECK(big->vocab_size() == 260);
}

TEST_CASE("BPE training: ties go to the smaller (left id, right id) pair") {
    // "xy" and " yx", once each: (x,y)=(87,88), (y,x)=(88,87), (Ġ,y)=(220,88) all count 1.
    auto proto = bpe_pipeline();
    TrainerOptions o;
    o.vocab_size = 256 + 3;
    auto tk = train_bpe(*proto, count_words(*proto, {"xy yx"}, o), o);
    CHECK(merges_of(*tk) == M{{"x", "y"}, {"y", "x"}, {"Ġ", "yx"}});
}

TEST_CASE("BPE training: overlapping pairs and min_frequency") {
    // "aaaa" x1: (a,a) counts 3 occurrences; merge -> [aa, aa]; then (aa,aa) 1.
    auto proto = bpe_pipeline();
    TrainerOptions o;
    o.vocab_size = 300;
    auto tk = train_bpe(*proto, count_words(*proto, {"aaaa"}, o), o);
    CHECK(merges_of(*tk) == M{{"a", "a"}, {"aa", "aa"}});
    o.min_frequency = 2;
    auto tk2 = train_bpe(*proto, count_words(*proto, {"aaaa"}, o), o);
    CHECK(merges_of(*tk2) == M{{"a", "a"}});
}

TEST_CASE("BPE training is identical for any thread count") {
    const auto docs = lmk_test::numbered_documents(3000);
    TrainerOptions o;
    o.vocab_size = 600;
    o.special = {"<|endoftext|>"};
    auto proto = bpe_pipeline();
    lmk_test::check_same_for_1_and_4_threads([&] { return to_hf_json(*train_bpe(*proto, count_words(*proto, docs, o), o)); });
}

TEST_CASE("WordPiece training: hand-computed vocabulary") {
    // BERT split: "ab" x2, "abc" x1. Alphabet a b c, continuations ##b ##c.
    // (a,##b) 3 -> "ab"; then (ab,##c) 1 -> "abc".
    auto proto = wordpiece_pipeline(true);
    TrainerOptions o;
    o.special = {"[UNK]"};
    o.vocab_size = 8;
    auto tk = train_wordpiece(*proto, count_words(*proto, {"AB ab abc"}, o), o);
    std::vector<std::string> vocab;
    for (uint32_t i = 0; i < tk->vocab_size(); i++) vocab.push_back(tk->id_to_token(i));
    CHECK(vocab == std::vector<std::string>{"[UNK]", "a", "b", "c", "##b", "##c", "ab", "abc"});
    CHECK(tk->encode("abc AB abd") == std::vector<uint32_t>{7, 6, 0});
    CHECK(tk->decode({7, 6}) == "abc ab");
    auto again = parse_hf_json(to_hf_json(*tk), "wp.json");
    CHECK(again->encode("abc AB abd") == std::vector<uint32_t>{7, 6, 0});
}

TEST_CASE("byte-level BPE: decode(encode(x)) == x for random text, valid or not") {
    std::vector<std::string> docs = {"the quick brown fox jumps over the lazy dog; naïve café 中文 😀",
                                     "  spaces\tand\nnewlines<|endoftext|> 123 456"};
    TrainerOptions o;
    o.vocab_size = 400;
    o.special = {"<|endoftext|>"};
    auto proto = bpe_pipeline();
    auto tk = train_bpe(*proto, count_words(*proto, docs, o), o);
    // Code points from several scripts and classes, plus raw bytes that are not UTF-8.
    const std::vector<uint32_t> pool = {'a', 'b', ' ', '\n', '\t', '\'', 's', '1', '!', 0xA0, 0x85, 0x2028, 0x3000,
                                        0x200B, 0x1C, 0xFEFF, 0x301, 0x4E2D, 0x1F600, 0x663, 0x10FFFF, 0xE9};
    uint64_t state = 12345;
    auto next = [&] { state = state * 6364136223846793005ULL + 1442695040888963407ULL; return state >> 33; };
    for (int t = 0; t < 500; t++) {
        std::string s;
        size_t n = next() % 40;
        for (size_t i = 0; i < n; i++) {
            if (next() % 10 == 0) s.push_back(char(0x80 + next() % 0x80)); // stray continuation byte
            else lmk::utf8_append(s, pool[next() % pool.size()]);
        }
        if (next() % 5 == 0) s += "<|endoftext|>";
        auto ids = tk->encode(s);
        CHECK(tk->decode(ids) == s);
        // The same tokenizer saved and reloaded gives the same ids.
        if (t == 0) {
            auto again = parse_hf_json(to_hf_json(*tk), "t.json");
            CHECK(again->encode(s) == ids);
        }
    }
}
