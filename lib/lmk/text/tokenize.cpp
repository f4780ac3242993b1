// text/tokenize.cpp: see tokenize.h. The punctuation tables are code point lists taken from
// datatrove's utils/text.py (data, not code), sorted for binary search.
#include "lmk/text/tokenize.h"

#include "lmk/text/unicode.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace lmk {
namespace {

// Sorted code points.
static const uint32_t kTerminalPunctuation[] = {
    0x21, 0x2E, 0x3F, 0x589, 0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702, 0x7F9, 0x837, 0x839,
    0x83D, 0x83E, 0x964, 0x965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368, 0x166E, 0x1735, 0x1736,
    0x17D4, 0x17D5, 0x17D6, 0x17D9, 0x17DA, 0x1803, 0x1809, 0x1944, 0x1945, 0x1AA8, 0x1AA9, 0x1AAA,
    0x1AAB, 0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C, 0x1C7E, 0x1C7F, 0x203C,
    0x203D, 0x2047, 0x2048, 0x2049, 0x2E2E, 0x2E3C, 0x2E53, 0x2E54, 0x3002, 0xA4FF, 0xA60E, 0xA60F,
    0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F, 0xA9C8, 0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F,
    0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01, 0xFF0E, 0xFF1F, 0xFF61, 0x10A56,
    0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88, 0x10F89,
    0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141, 0x11142, 0x11143, 0x111C5,
    0x111C6, 0x111CD, 0x111DE, 0x111DF, 0x11238, 0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B,
    0x1144C, 0x115C2, 0x115C3, 0x115C9, 0x115CA, 0x115CB, 0x115CC, 0x115CD, 0x115CE, 0x115CF,
    0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4, 0x115D5, 0x115D6, 0x115D7, 0x11641, 0x11642,
    0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946, 0x11A42, 0x11A43, 0x11A9B, 0x11A9C, 0x11C41,
    0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44, 0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38,
    0x16B44, 0x16E98, 0x1BC9F, 0x1DA88,
};
// Printable part of datatrove's PUNCTUATION (its control characters are handled by range).
static const uint32_t kPunctuation[] = {
    0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x3A,
    0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60, 0x7B, 0x7C, 0x7D, 0x7E,
    0xAB, 0xB4, 0xBB, 0x2013, 0x2014, 0x2019, 0x201C, 0x201D, 0x201E, 0x2026, 0x2236, 0x2501,
    0x25BA, 0x3001, 0x3002, 0x3008, 0x3009, 0x300A, 0x300B, 0x300C, 0x300D, 0x3010, 0x3011, 0xFF01,
    0xFF05, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF11, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF5E,
};

bool in_table(const uint32_t* b, const uint32_t* e, uint32_t cp) { return std::binary_search(b, e, cp); }

// Characters that are always a token of their own.
bool always_split(uint32_t cp) {
    switch (cp) {
    case '?': case '!': case ';': case '@': case '#': case '$': case '%': case '&': case '(':
    case ')': case '[': case ']': case '{': case '}': case '<': case '>': case '"':
    case 0x201C: case 0x201D: case 0x2018: case 0xAB: case 0xBB:
        return true;
    default:
        return false;
    }
}

// Bytes that belong to a character the tokenizer passes over: ASCII letters and digits, and
// every byte of a non-ASCII character except those starting with C2 or E2 (the non-ASCII
// characters handled below, U+00AB, U+00BB and U+2018..U+2026, start with one of those, and
// they never occur inside another character's encoding).
constexpr auto kPlainByte = [] {
    struct Table {
        bool v[256];
    } t{};
    for (int c = 0; c < 256; c++)
        t.v[c] = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= 0x80 && c != 0xC2 && c != 0xE2);
    return t;
}();

// Closing characters that may follow a sentence-final period.
bool is_closer(uint32_t cp) {
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == '}' || cp == 0x201D || cp == 0x2019 ||
           cp == 0xBB;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

constexpr std::array<std::string_view, 40> kAbbreviations = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co", "corp",
    "no", "vol", "fig", "gen", "gov", "rev", "sgt", "capt", "col", "lt", "mt", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "dept", "est"};

// Splits a clitic off the end of [b, e) of s, returning the clitic's start (or e).
size_t clitic_start(std::string_view s, size_t b, size_t e) {
    std::string_view w = s.substr(b, e - b);
    // Every clitic (and the trailing apostrophe) has an ASCII apostrophe in the last three
    // bytes; most words have none, and need no case-insensitive suffix tests.
    std::string_view tail = w.substr(w.size() > 3 ? w.size() - 3 : 0);
    if (tail.find('\'') == std::string_view::npos) return e;
    auto ends = [&](std::string_view suf) {
        return w.size() > suf.size() && iequals(w.substr(w.size() - suf.size()), suf);
    };
    for (std::string_view suf : {"n't", "'ll", "'re", "'ve", "'s", "'m", "'d"})
        if (ends(suf)) return e - suf.size();
    if (w.size() > 1 && w.back() == '\'') return e - 1;
    return e;
}

} // namespace

bool is_terminal_punctuation(uint32_t cp) {
    return in_table(std::begin(kTerminalPunctuation), std::end(kTerminalPunctuation), cp);
}

bool is_punctuation(uint32_t cp) {
    // ASCII (most calls) from a table built once from the same rule.
    static const std::array<bool, 128> ascii = [] {
        std::array<bool, 128> t{};
        for (uint32_t c = 0; c < 128; c++)
            t[c] = c <= 8 || c == 11 || c == 12 || (c >= 13 && c <= 31) || c == 127 ||
                   in_table(std::begin(kPunctuation), std::end(kPunctuation), c) || is_terminal_punctuation(c);
        return t;
    }();
    if (cp < 128) return ascii[cp];
    if (cp <= 8 || cp == 11 || cp == 12 || (cp >= 13 && cp <= 31) || (cp >= 127 && cp <= 159)) return true;
    return in_table(std::begin(kPunctuation), std::end(kPunctuation), cp) || is_terminal_punctuation(cp);
}

bool all_punctuation(std::string_view w) {
    size_t i = 0;
    while (i < w.size())
        if (!is_punctuation(next_codepoint(w, i))) return false;
    return true;
}

bool is_abbreviation(std::string_view word) {
    // word excludes the final period.
    if (word.empty()) return false;
    if (word.find('.') != std::string_view::npos) return true; // e.g, U.S
    if (char_count(word) == 1) {
        size_t i = 0;
        if (py_isalpha(next_codepoint(word, i))) return true; // an initial
    }
    if (std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
    for (auto a : kAbbreviations)
        if (iequals(word, a)) return true;
    return false;
}

std::vector<std::string_view> word_tokenize(std::string_view text) {
    std::vector<std::string_view> out;
    out.reserve(text.size() / 5);
    py_split_each(text, [&](std::string_view chunk) {
        // Tokens of this chunk are emitted left to right; `word` marks the pending plain run.
        size_t word_start = 0, i = 0;
        auto flush_word = [&](size_t end) {
            if (end <= word_start) return;
            size_t c = clitic_start(chunk, word_start, end);
            out.push_back(chunk.substr(word_start, c - word_start));
            if (c < end) out.push_back(chunk.substr(c, end - c));
        };
        while (true) {
            // Bytes of characters that never start or end a token are passed over.
            while (i < chunk.size() && kPlainByte.v[static_cast<unsigned char>(chunk[i])]) i++;
            if (i >= chunk.size()) break;
            size_t j = i;
            uint32_t cp = next_codepoint(chunk, j);
            if (always_split(cp)) {
                flush_word(i);
                out.push_back(chunk.substr(i, j - i));
                word_start = j;
            } else if (cp == 0x2026 || (cp == '.' && chunk.substr(i, 3) == "...")) {
                flush_word(i);
                size_t k = j;
                if (cp == '.') {
                    k = i;
                    while (k < chunk.size() && chunk[k] == '.') k++;
                }
                out.push_back(chunk.substr(i, k - i));
                word_start = k;
                j = k;
            } else if (cp == '-' && chunk.substr(i, 2) == "--") {
                flush_word(i);
                size_t k = i;
                while (k < chunk.size() && chunk[k] == '-') k++;
                out.push_back(chunk.substr(i, k - i));
                word_start = k;
                j = k;
            } else if (cp == ',' || cp == ':') {
                bool digit_follows = j < chunk.size() && chunk[j] >= '0' && chunk[j] <= '9';
                if (!digit_follows) {
                    flush_word(i);
                    out.push_back(chunk.substr(i, 1));
                    word_start = j;
                }
            } else if (cp == '.') {
                // A final period (possibly followed only by closers) leaves the word unless
                // the word is an abbreviation.
                size_t k = j;
                bool final = true;
                while (k < chunk.size()) {
                    size_t k2 = k;
                    if (!is_closer(next_codepoint(chunk, k2))) { final = false; break; }
                    k = k2;
                }
                if (final && !is_abbreviation(chunk.substr(word_start, i - word_start))) {
                    flush_word(i);
                    out.push_back(chunk.substr(i, 1));
                    word_start = j;
                }
            }
            i = j;
        }
        flush_word(chunk.size());
    });
    return out;
}

size_t sentence_count(std::string_view text) {
    std::string_view t = py_strip(text);
    if (t.empty()) return 0;
    size_t n = 1, i = 0;
    while (i < t.size()) {
        size_t j = i;
        uint32_t cp = next_codepoint(t, j);
        if (cp != '.' && cp != '?' && cp != '!') {
            i = j;
            continue;
        }
        // The word before this run of end marks (for the abbreviation test).
        size_t ws = i;
        while (ws > 0) {
            size_t p = ws;
            if (py_isspace(prev_codepoint(t, p))) break;
            ws = p;
        }
        std::string_view word = t.substr(ws, i - ws);
        size_t k = j;
        bool has_strong = cp != '.';
        while (k < t.size() && (t[k] == '.' || t[k] == '?' || t[k] == '!')) {
            has_strong |= t[k] != '.';
            k++;
        }
        size_t run_end = k;
        while (k < t.size()) {
            size_t k2 = k;
            if (!is_closer(next_codepoint(t, k2))) break;
            k = k2;
        }
        size_t after = k;
        bool space_follows = false;
        while (k < t.size()) {
            size_t k2 = k;
            if (!py_isspace(next_codepoint(t, k2))) break;
            space_follows = true;
            k = k2;
        }
        bool single_period = run_end - i == 1 && cp == '.';
        if (space_follows && k < t.size() && (has_strong || !single_period || !is_abbreviation(word))) n++;
        i = after > j ? after : j;
    }
    return n;
}

} // namespace lmk
