// Tests for tok/bpe.h: hand-computed merges on a tiny byte-level model, the whole-token
// shortcut's reachability check, and the heap merge loop against a naive reference.
#include "lmk/core/error.h"
#include "lmk/tok/bpe.h"

#include <doctest/doctest.h>

#include <random>

using namespace lmk::tok;

namespace {

// Byte-level vocabulary: ids 0..255 are the bytes themselves, then `extra` tokens.
BpeModel tiny_model(const std::vector<std::pair<std::string, std::string>>& merges,
                    const std::vector<std::string>& extra_unmerged = {}) {
    Vocab v;
    for (int b = 0; b < 256; b++) v.add(std::string(1, char(b)));
    std::vector<BpeModel::Pair> ids;
    for (auto& [a, b] : merges) {
        if (!v.find(a + b)) v.add(a + b);
        ids.push_back({*v.find(a), *v.find(b)});
    }
    for (auto& t : extra_unmerged) v.add(t);
    BpeOptions o;
    o.byte_level = true;
    return BpeModel(std::move(v), ids, o);
}

std::vector<std::string> pieces(const BpeModel& m, std::string_view s) {
    std::vector<uint32_t> ids;
    m.encode_piece(s, ids);
    std::vector<std::string> out;
    for (auto id : ids) out.push_back(m.id_to_token(id));
    return out;
}

using V = std::vector<std::string>;

} // namespace

TEST_CASE("BPE merges by rank, leftmost first") {
    auto m = tiny_model({{"a", "b"}, {"b", "c"}, {"ab", "c"}, {"a", "a"}, {"aa", "aa"}}, {"ca"});
    CHECK(pieces(m, "abc") == V{"abc"});          // ab (rank 0), then abc (rank 2)
    CHECK(pieces(m, "bcab") == V{"bc", "ab"});    // ab first (rank 0), then bc; no bc+ab merge
    CHECK(pieces(m, "aaa") == V{"aa", "a"});      // leftmost of equal ranks
    CHECK(pieces(m, "aaaa") == V{"aaaa"});
    CHECK(pieces(m, "aaaaa") == V{"aaaa", "a"});
    CHECK(pieces(m, "xyz") == V{"x", "y", "z"});
    // "ca" is a token that no merge produces: the whole-piece shortcut must not fire.
    CHECK(pieces(m, "ca") == V{"c", "a"});
    // Cached path gives the same answer twice.
    CHECK(pieces(m, "bcab") == V{"bc", "ab"});
}

TEST_CASE("BPE from ranks (tiktoken rule) merges by the merged token's rank") {
    Vocab v;
    for (int b = 0; b < 256; b++) v.add(std::string(1, char(b)));
    v.add("bc");  // 256
    v.add("ab");  // 257
    v.add("abc"); // 258
    BpeModel m = BpeModel::from_ranks(std::move(v));
    CHECK(pieces(m, "abc") == V{"abc"});     // whole token (ignore_merges)
    // bc (256) merges before ab (257); then a+bc is the token abc (258).
    CHECK(pieces(m, "abca") == V{"abc", "a"});
    CHECK(pieces(m, "cabc") == V{"c", "abc"});
    CHECK(pieces(m, "bcb") == V{"bc", "b"});
    CHECK(m.merges().size() == 4);           // b+c, a+b, a+bc, ab+c
}

TEST_CASE("a merge whose result is missing is an error") {
    Vocab v;
    v.add("a");
    v.add("b");
    CHECK_THROWS_WITH_AS(BpeModel(std::move(v), {{0, 1}}, BpeOptions{}),
                         "merge 0 (\"a\" \"b\"): the merged token is not in the vocabulary", lmk::Error);
}

TEST_CASE("heap merge loop equals the naive loop on long pieces") {
    // Random merges over a 4-letter alphabet; compare merge_symbols (heap above 96 symbols)
    // with a direct transcription of the rule: merge the lowest-rank, leftmost pair.
    std::mt19937 rng(7);
    std::vector<std::pair<std::string, std::string>> merges;
    std::vector<std::string> toks = {"a", "b", "c", "d"};
    std::vector<std::string> seen = toks;
    for (int r = 0; r < 60; r++) {
        std::string a = seen[rng() % seen.size()], b = seen[rng() % seen.size()];
        if (a.size() + b.size() > 8) continue;
        bool dup = false;
        for (auto& m : merges) dup |= (m.first == a && m.second == b);
        if (dup) continue;
        merges.push_back({a, b});
        seen.push_back(a + b);
    }
    auto m = tiny_model(merges);
    for (int trial = 0; trial < 50; trial++) {
        std::string s;
        size_t len = 100 + rng() % 400;
        for (size_t i = 0; i < len; i++) s.push_back("abcd"[rng() % 4]);
        std::vector<uint32_t> sym;
        for (unsigned char c : s) sym.push_back(c);
        std::vector<uint32_t> ref = sym;
        m.merge_symbols(sym);
        // naive reference
        while (true) {
            size_t best = SIZE_MAX, best_rank = SIZE_MAX;
            for (size_t i = 0; i + 1 < ref.size(); i++) {
                for (size_t r = 0; r < m.merges().size(); r++)
                    if (m.merges()[r].first == ref[i] && m.merges()[r].second == ref[i + 1] && r < best_rank) {
                        best_rank = r;
                        best = i;
                    }
            }
            if (best == SIZE_MAX) break;
            ref[best] = *m.token_to_id(m.id_to_token(ref[best]) + m.id_to_token(ref[best + 1]));
            ref.erase(ref.begin() + ptrdiff_t(best) + 1);
        }
        CHECK(sym == ref);
    }
}

TEST_CASE("BPE on a long run of one character is fast") {
    auto m = tiny_model({{"a", "a"}, {"aa", "aa"}, {"aaaa", "aaaa"}});
    std::string s(1000000, 'a');
    std::vector<uint32_t> ids;
    m.encode_piece(s, ids);
    CHECK(ids.size() == 125000);
}

TEST_CASE("character-level BPE with prefix, suffix and unk") {
    Vocab w;
    for (const char* t : {"<unk>", "a", "##b", "##c", "ab", "abc"}) w.add(t);
    BpeOptions o;
    o.unk_token = "<unk>";
    o.continuing_subword_prefix = "##";
    o.fuse_unk = true;
    BpeModel m(std::move(w), {{1, 2}, {4, 3}}, o); // a ##b -> ab ; ab ##c -> abc
    CHECK(pieces(m, "abc") == V{"abc"});
    CHECK(pieces(m, "ab") == V{"ab"});
    CHECK(pieces(m, "axyb") == V{"a", "<unk>", "##b"});
}
