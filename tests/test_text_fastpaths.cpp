// The fast paths of the text layer (docs/BENCHMARKS.md, clean-corpus) against the slow,
// obviously right computations they replace: utf8proc's NFC, a byte-at-a-time code point
// count, Python-style split. Byte identity of whole clean-corpus runs is checked by the CLI
// golden tests/cli/clean-corpus/0010, whose expected output predates the fast paths.
#include "lmk/core/utf8.h"
#include "lmk/text/filters_gopher.h"
#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utf8proc.h>

using namespace lmk;

namespace {

std::string utf8proc_nfc(const std::string& s) {
    utf8proc_uint8_t* out = nullptr;
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                      static_cast<utf8proc_ssize_t>(s.size()), &out,
                                      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    REQUIRE(n >= 0);
    std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    std::free(out);
    return r;
}

std::string cp_utf8(uint32_t cp) {
    std::string s;
    utf8_append(s, cp);
    return s;
}

// datatrove's n-gram measures computed the obvious way, on joined strings.
std::string join_words(const std::vector<std::string_view>& w, size_t i, size_t n, std::string_view sep) {
    std::string s;
    for (size_t k = 0; k < n; k++) {
        if (k) s += sep;
        s += w[i + k];
    }
    return s;
}

size_t reference_top_ngram_chars(const std::vector<std::string_view>& w, size_t n) {
    if (w.size() < n) return 0;
    std::map<std::string, std::pair<size_t, size_t>> seen; // n-gram -> count, first position
    size_t best_count = 0, best_first = 0;
    for (size_t i = 0; i + n <= w.size(); i++) {
        auto& e = seen.try_emplace(join_words(w, i, n, " "), 0, i).first->second;
        e.first++;
        if (e.first > best_count || (e.first == best_count && e.second < best_first)) best_count = e.first, best_first = e.second;
    }
    return char_count(join_words(w, best_first, n, " ")) * best_count;
}

size_t reference_duplicate_ngram_chars(const std::vector<std::string_view>& w, size_t n) {
    if (w.size() < n) return 0;
    std::set<std::string> seen;
    size_t repeated = 0, idx = 0;
    while (idx + n <= w.size()) {
        std::string g = join_words(w, idx, n, "");
        if (seen.count(g)) {
            repeated += char_count(g);
            idx += n;
        } else {
            seen.insert(g);
            idx++;
        }
    }
    return repeated;
}

// Word lists that make the shortcuts work hard: few distinct words, so n-grams repeat; words
// whose concatenations coincide ("ab"+"a" = "a"+"ba"); long words (16-byte windows); multibyte
// characters; "AAAAAAAA" and "@AAAAAAa", whose hashes collide (both read as little-endian
// numbers are equal mod 2^61-1); optionally words holding a space and empty words.
std::vector<std::string_view> random_words(std::mt19937& rng, bool odd_words) {
    static const std::vector<std::string_view> common = {
        "a", "b", "ab", "ba", "aab", "\u00e9", "\u00e9\u00e9", "abcdefghijklmnopq", "abcdefghijklmnopqr",
        "bcdefghijklmnopqr", "AAAAAAAA", "@AAAAAAa", "the", "of"};
    static const std::vector<std::string_view> odd = {"a b", "b a", "", " ", "ab "};
    std::vector<std::string_view> w(rng() % 70);
    size_t variety = 2 + rng() % (common.size() - 1); // 2 .. all of them
    for (auto& x : w) x = odd_words && rng() % 5 == 0 ? odd[rng() % odd.size()] : common[rng() % variety];
    return w;
}

} // namespace

TEST_CASE("is_nfc_inert: every inert BMP code point is left alone by NFC, after any starter") {
    // Starters that begin compositions in several scripts (Latin, Tamil, Sinhala, Hangul L and
    // LV, Myanmar, Kannada, Bengali) and one that begins none.
    const uint32_t starters[] = {0x61, 0x65, 0x41, 0x0B92, 0x0B95, 0x0DD9, 0x1100, 0xAC00, 0x1025, 0x0CC6, 0x09C7, 0x78};
    size_t inert = 0;
    for (uint32_t cp = 1; cp < 0x10000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        if (!is_nfc_inert(cp)) continue;
        inert++;
        std::string c = cp_utf8(cp);
        REQUIRE(utf8proc_nfc(c) == c);
        for (uint32_t s : starters) {
            std::string pair = cp_utf8(s) + c;
            INFO("starter ", s, " then code point ", cp);
            REQUIRE(utf8proc_nfc(pair) == pair);
        }
    }
    CHECK(inert > 50000); // the quick check must cover most of the BMP to be worth having
}

TEST_CASE("is_nfc_inert: characters NFC changes or composes are not inert") {
    for (uint32_t cp : {0x0301u, 0x0308u, 0x030Au, 0x0BD7u, 0x0BBEu, 0x0DCFu, 0x0CD5u, 0x102Eu, 0x09BEu, 0x1161u,
                        0x11A8u, 0x212Bu, 0x2126u, 0x0958u, 0x0344u, 0xF900u})
        CHECK_MESSAGE(!is_nfc_inert(cp), "code point ", cp);
    for (uint32_t cp : {0x61u, 0xE9u, 0x4E2Du, 0xAC01u, 0x2019u, 0xFF21u, 0x3002u, 0x1F600u}) CHECK(is_nfc_inert(cp));
}

TEST_CASE("nfc_normalize agrees with utf8proc on random mixed text") {
    const uint32_t alphabet[] = {'a', 'e', 'o', 'A', ' ', 0xE9, 0x0301, 0x0308, 0x030A, 0x0327, 0x212B, 0x1100, 0x1161,
                                 0x11A8, 0xAC00, 0x0B92, 0x0BD7, 0x4E2D, 0x2019, 0xFF21, 0x0958, 0x1F600};
    std::mt19937 rng(7);
    for (int t = 0; t < 2000; t++) {
        std::string s;
        size_t len = rng() % 12;
        for (size_t i = 0; i < len; i++) utf8_append(s, alphabet[rng() % std::size(alphabet)]);
        CHECK(nfc_normalize(s) == utf8proc_nfc(s));
    }
}

TEST_CASE("nfc_normalize agrees with utf8proc on long mixed text (only stretches around non-inert characters are mapped)") {
    // Starters that compose (Latin, Hangul L/LV, Tamil), marks of several combining classes
    // (230, 220, 202, 0), characters NFC replaces (Angstrom sign, Tibetan U+0F73, U+0344),
    // conjoining jamo V and T, and plenty of inert text between them.
    const uint32_t alphabet[] = {'a', 'e', 'o', 'A', ' ', '\n', 0xE9, 0x0301, 0x0323, 0x0327, 0x0308, 0x212B, 0x1100, 0x1161,
                                 0x11A8, 0xAC00, 0xAC01, 0x0B92, 0x0BD7, 0x0F71, 0x0F72, 0x0F73, 0x0344, 0x4E2D, 0x2019,
                                 0xFF21, 0x0958, 0x1F600, 0x00C5, 0x0041, 0x030A};
    std::mt19937 rng(9);
    for (int t = 0; t < 5000; t++) {
        std::string s;
        size_t len = rng() % 80;
        size_t bias = rng() % 3; // 0: mostly ASCII, else: dense marks
        for (size_t i = 0; i < len; i++) {
            uint32_t cp = bias == 0 && rng() % 4 ? uint32_t('a' + rng() % 26) : alphabet[rng() % std::size(alphabet)];
            utf8_append(s, cp);
        }
        INFO("case ", t);
        REQUIRE(nfc_normalize(s) == utf8proc_nfc(s));
    }
}

TEST_CASE("py_split_each splits where a decode-everything str.split() does") {
    // Every Python whitespace character, non-space characters sharing their lead bytes
    // (U+00A1, U+1681, U+2010, U+3001), other multibyte text, and invalid bytes.
    const std::vector<std::string> pieces = {" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\u0085", "\u00a0",
                                             "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f",
                                             "\u3000", "\u00a1", "\u1681", "\u2010", "\u3001", "\u00e9", "\u4e2d",
                                             "\xf0\x9f\x98\x80", "\xc2", "\xe2\x80", "\x85", "x", "yz", "."};
    std::mt19937 rng(3);
    for (int t = 0; t < 3000; t++) {
        std::string s;
        for (size_t k = rng() % 20; k > 0; k--) s += pieces[rng() % pieces.size()];
        std::vector<std::string_view> want;
        size_t i = 0, start = std::string::npos;
        while (i < s.size()) {
            size_t j = i;
            bool space = py_isspace(next_codepoint(s, j));
            if (space && start != std::string::npos) want.push_back(std::string_view(s).substr(start, i - start));
            if (space) start = std::string::npos;
            else if (start == std::string::npos) start = i;
            i = j;
        }
        if (start != std::string::npos) want.push_back(std::string_view(s).substr(start));
        INFO("case ", t);
        REQUIRE(py_split(s) == want);
    }
}

TEST_CASE("next_codepoint decodes every 1-3 byte sequence as utf8_decode does") {
    // All first and second bytes, third bytes from each class, and truncated inputs.
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            for (int c : {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xE0, 0xFF})
                for (size_t len = 1; len <= 3; len++) {
                    const char buf[3] = {char(a), char(b), char(c)};
                    std::string_view s(buf, len);
                    uint32_t want_cp;
                    size_t want_n = utf8_decode(buf, len, &want_cp);
                    if (want_n == 0) want_cp = 0xFFFD, want_n = 1;
                    size_t i = 0;
                    uint32_t got = next_codepoint(s, i);
                    INFO(a, " ", b, " ", c, " len ", len);
                    REQUIRE(got == want_cp);
                    REQUIRE(i == want_n);
                }
}

TEST_CASE("char_count equals a byte-at-a-time count at every length and alignment") {
    std::string s = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80 bc\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80xyz\xc3\xa9";
    s += s + s;
    for (size_t b = 0; b < 8; b++)
        for (size_t e = b; e <= s.size(); e++) {
            std::string_view v = std::string_view(s).substr(b, e - b);
            size_t slow = 0;
            for (unsigned char c : v) slow += (c & 0xC0) != 0x80;
            REQUIRE(char_count(v) == slow);
        }
}

TEST_CASE("py_split_each hands out py_split's items") {
    std::string_view s = " a\u00a0bb\tccc\u3000 d \n";
    std::vector<std::string_view> got;
    py_split_each(s, [&](std::string_view w) { got.push_back(w); });
    CHECK(got == py_split(s));
}

TEST_CASE("n-gram measures equal the joined-string definitions on random word lists") {
    // Hash collisions are confirmed by comparing bytes: the colliding pair counts as two.
    std::vector<std::string_view> pair = {"AAAAAAAA", "@AAAAAAa"};
    CHECK(duplicate_ngram_chars(pair, 1) == 0);
    CHECK(top_ngram_chars(pair, 1) == 8);
    std::mt19937 rng(11);
    for (int t = 0; t < 3000; t++) {
        auto w = random_words(rng, t % 2 == 1);
        for (size_t n = 1; n <= 7; n++) {
            INFO("case ", t, " n ", n);
            REQUIRE(top_ngram_chars(w, int(n)) == reference_top_ngram_chars(w, n));
            REQUIRE(duplicate_ngram_chars(w, int(n)) == reference_duplicate_ngram_chars(w, n));
        }
    }
}

TEST_CASE("gopher-repetition n-gram rules: one scan for several n, in any order, equals the definitions") {
    // The filter computes its n-gram rules in one pass over the words, letting shorter n
    // prune longer ones; every verdict (rule and measured ratio) must be the reference's.
    std::string text(400, 'x'); // L = 400 code points; no line or paragraph repeats
    {
        // Words holding a space: the 1-grams all differ, yet "a b" "c" and "a" "b c" are the
        // same spaced 2-gram, so 1-grams must not prune 2-grams here.
        std::vector<std::string_view> w = {"a b", "c", "a", "b c"};
        GopherRepetitionParams p;
        p.top_n_grams = {{1, 0.9}, {2, 0.02}};
        p.dup_n_grams.clear();
        Verdict v = gopher_repetition_filter(text, p, &w);
        REQUIRE(v);
        CHECK(v->reason == "top_2_gram");
        CHECK(v->detail == ratio_detail(10.0 / 400, ">", 0.02));
    }
    std::mt19937 rng(5);
    for (int t = 0; t < 3000; t++) {
        auto w = random_words(rng, t % 3 == 2);
        GopherRepetitionParams p;
        p.top_n_grams.clear(), p.dup_n_grams.clear();
        for (int k = int(rng() % 4); k > 0; k--) p.top_n_grams.emplace_back(1 + rng() % 6, double(rng() % 60) / 100);
        for (int k = int(rng() % 5); k > 0; k--) p.dup_n_grams.emplace_back(1 + rng() % 10, double(rng() % 40) / 100);
        Verdict want;
        for (auto [n, frac] : p.top_n_grams) {
            if (w.size() < size_t(n)) continue;
            double r = double(reference_top_ngram_chars(w, size_t(n))) / 400;
            if (r > frac) {
                want = Rejection{"top_" + std::to_string(n) + "_gram", ratio_detail(r, ">", frac)};
                break;
            }
        }
        if (!want)
            for (auto [n, frac] : p.dup_n_grams) {
                double r = double(reference_duplicate_ngram_chars(w, size_t(n))) / 400;
                if (r > frac) {
                    want = Rejection{"duplicated_" + std::to_string(n) + "_n_grams", ratio_detail(r, ">", frac)};
                    break;
                }
            }
        Verdict got = gopher_repetition_filter(text, p, &w);
        INFO("case ", t);
        REQUIRE(got.has_value() == want.has_value());
        if (got) {
            CHECK(got->reason == want->reason);
            CHECK(got->detail == want->detail);
        }
    }
}

TEST_CASE("n-gram counts: joined n-grams that differ in word boundaries but not bytes are equal") {
    // "".join(["ab", "c"]) == "".join(["a", "bc"]): the duplicate rule counts them as one
    // n-gram, as the definition (datatrove) does; with " " they differ.
    std::vector<std::string_view> w = {"ab", "c", "a", "bc"};
    CHECK(duplicate_ngram_chars(w, 2) == 3);
    CHECK(top_ngram_chars(w, 2) == 4); // every spaced 2-gram is distinct: "ab c" (4 chars) once
    // Reusing the per-thread tables across calls of different sizes gives the same answers.
    std::vector<std::string_view> many;
    for (int i = 0; i < 5000; i++) many.push_back(i % 2 ? "x" : "yy");
    size_t big = duplicate_ngram_chars(many, 5);
    CHECK(duplicate_ngram_chars(w, 2) == 3);
    CHECK(duplicate_ngram_chars(many, 5) == big);
}
