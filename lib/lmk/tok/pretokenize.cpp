// tok/pretokenize.cpp: hand-written splitters (no regex engine, no backtracking).
#include "lmk/tok/pretokenize.h"

#include "lmk/core/utf8.h"
#include "lmk/tok/unicode.h"

#include <array>

namespace lmk::tok {
namespace {

// Class of the character at s[i] and its byte length. Invalid UTF-8: one byte of class 0
// ("other"), so any byte string splits. ASCII is answered from a 128-entry table.
struct Ch {
    uint8_t cls;
    uint32_t len;
};

inline Ch char_at(const char* s, size_t n, size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        static const auto ascii = [] {
            std::array<uint8_t, 128> t{};
            for (uint32_t k = 0; k < 128; k++) t[k] = char_class(k);
            return t;
        }();
        return {ascii[c], 1};
    }
    uint32_t cp;
    size_t len = utf8_decode(s + i, n - i, &cp);
    if (len == 0) return {0, 1};
    return {char_class(cp), uint32_t(len)};
}

inline bool is_cr_or_lf(char c) { return c == '\r' || c == '\n'; }

// Bytes of a contraction ('s 't 're 've 'm 'll 'd) at s[i] == '\'', 0 if none. Case-insensitive
// as Rust's (?i:...) matches: simple case folding, under which 's' also matches U+017F (ſ).
size_t contraction_at(const char* s, size_t n, size_t i, bool case_insensitive) {
    if (i + 1 >= n) return 0;
    auto is = [&](size_t k, char lower) {
        return k < n && (s[k] == lower || (case_insensitive && s[k] == char(lower - 32)));
    };
    if (is(i + 1, 's') || is(i + 1, 't') || is(i + 1, 'm') || is(i + 1, 'd')) return 2;
    if (case_insensitive && i + 2 < n && s[i + 1] == '\xC5' && s[i + 2] == '\xBF') return 3;
    if ((is(i + 1, 'r') && is(i + 2, 'e')) || (is(i + 1, 'v') && is(i + 2, 'e')) || (is(i + 1, 'l') && is(i + 2, 'l')))
        return 3;
    return 0;
}

// The scanning vocabulary every byte-level rule shares.
struct Scan {
    const char* s;
    size_t n;
    Ch at(size_t i) const { return char_at(s, n, i); }
    // End of the maximal run from j of characters whose class satisfies want.
    template <class Want> size_t run(size_t j, Want want) const {
        while (j < n) {
            Ch c = at(j);
            if (!want(c.cls)) break;
            j += c.len;
        }
        return j;
    }
    // At a whitespace character i: the end of \s+(?!\S) if it matches, else of \s+. At the end
    // of text the run is one piece; followed by a non-space it leaves its last character to
    // the next piece, unless that character is the whole run. With newline_rule, first
    // \s*[\r\n]+: through the run's last CR or LF.
    size_t space_piece_end(size_t i, bool newline_rule) const {
        size_t j = i, last = i, after_newline = 0;
        while (j < n) {
            Ch w = at(j);
            if (!(w.cls & kSpace)) break;
            last = j;
            j += w.len;
            if (is_cr_or_lf(s[last])) after_newline = j;
        }
        if (newline_rule && after_newline) return after_newline;
        return (j == n || last == i) ? j : last;
    }
};

constexpr auto kIsLetter = [](uint8_t c) { return (c & kLetter) != 0; };
constexpr auto kIsNumber = [](uint8_t c) { return (c & kNumber) != 0; };
constexpr auto kIsOther = [](uint8_t c) { return (c & (kLetter | kNumber | kSpace)) == 0; };

// Tiles text with pieces: piece_end(scan, i) is where the piece starting at i < n ends (> i).
template <class PieceEnd> void split_by(std::string_view text, std::vector<Span>& out, PieceEnd piece_end) {
    const Scan sc{text.data(), text.size()};
    for (size_t i = 0; i < sc.n;) {
        size_t e = piece_end(sc, i);
        out.push_back({uint32_t(i), uint32_t(e - i)});
        i = e;
    }
}

size_t gpt2_piece_end(const Scan& sc, size_t i) {
    const char* s = sc.s;
    // 's 't 're 've 'm 'll 'd (case-sensitive, as in GPT-2 and r50k_base).
    if (s[i] == '\'')
        if (size_t k = contraction_at(s, sc.n, i, false)) return i + k;
    size_t head = i; // where the class run starts (after an optional ' ')
    uint8_t cls = sc.at(i).cls;
    if (s[i] == ' ' && i + 1 < sc.n) {
        Ch next = sc.at(i + 1);
        if (!(next.cls & kSpace)) { head = i + 1; cls = next.cls; }
    }
    if ((cls & kSpace) && head == i) return sc.space_piece_end(i, false);
    return kIsLetter(cls) ? sc.run(head, kIsLetter) : kIsNumber(cls) ? sc.run(head, kIsNumber) : sc.run(head, kIsOther);
}

// \p{N}{1,3} from a number character at i.
size_t up_to_three_numbers(const Scan& sc, size_t i) {
    size_t e = i;
    for (int k = 0; k < 3 && e < sc.n; k++) {
        Ch d = sc.at(e);
        if (!(d.cls & kNumber)) break;
        e += d.len;
    }
    return e;
}

// ' ?[^\s\p{L}\p{N}]+' then a run of the bytes in `tail`; 0 if it does not match at i.
size_t symbols_end(const Scan& sc, size_t i, Ch c, std::string_view tail) {
    size_t head = i;
    if (sc.s[i] == ' ' && i + 1 < sc.n && kIsOther(sc.at(i + 1).cls)) head = i + 1;
    else if (!kIsOther(c.cls)) return 0;
    size_t e = sc.run(head, kIsOther);
    while (e < sc.n && tail.find(sc.s[e]) != std::string_view::npos) e++;
    return e;
}

size_t cl100k_piece_end(const Scan& sc, size_t i) {
    const char* s = sc.s;
    if (s[i] == '\'')
        if (size_t k = contraction_at(s, sc.n, i, true)) return i + k; // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    Ch c = sc.at(i);
    if (c.cls & kLetter) return sc.run(i, kIsLetter);                     // \p{L}+
    if (!(c.cls & kNumber) && !is_cr_or_lf(s[i]) && i + c.len < sc.n && (sc.at(i + c.len).cls & kLetter))
        return sc.run(i + c.len, kIsLetter);                              // [^\r\n\p{L}\p{N}]\p{L}+
    if (c.cls & kNumber) return up_to_three_numbers(sc, i);
    if (size_t e = symbols_end(sc, i, c, "\r\n")) return e;
    return sc.space_piece_end(i, true);
}

// o200k's case classes: "upper" [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], "lower" [\p{Ll}\p{Lm}\p{Lo}\p{M}].
constexpr auto kO200kUpper = [](uint8_t c) { return (c & kMark) || ((c & kLetter) && !(c & kLower)); };
constexpr auto kO200kLower = [](uint8_t c) { return (c & kMark) || ((c & kLetter) && !(c & kUpper)); };

// A contraction may follow o200k's case runs: (?i:'s|'t|'re|'ve|'m|'ll|'d)?
size_t with_contraction(const Scan& sc, size_t e) {
    return e < sc.n && sc.s[e] == '\'' ? e + contraction_at(sc.s, sc.n, e, true) : e;
}

// upper* lower+ from q, as a backtracking engine matches it: the greedy upper run, then a
// lower run after it; failing that, the upper run gives back characters until one that is
// also lower (Lm, Lo, M) can stand as a one-character lower run. 0 if no match.
size_t upper_star_lower_plus(const Scan& sc, size_t q) {
    size_t j = q, last_both_end = 0;
    while (j < sc.n) {
        Ch c = sc.at(j);
        if (!kO200kUpper(c.cls)) break;
        j += c.len;
        if (kO200kLower(c.cls)) last_both_end = j;
    }
    if (j < sc.n && kO200kLower(sc.at(j).cls)) return sc.run(j, kO200kLower);
    return last_both_end;
}

// upper+ lower* from q; 0 if no match.
size_t upper_plus_lower_star(const Scan& sc, size_t q) {
    size_t a = sc.run(q, kO200kUpper);
    return a == q ? 0 : sc.run(a, kO200kLower);
}

size_t o200k_piece_end(const Scan& sc, size_t i) {
    Ch c = sc.at(i);
    // [^\r\n\p{L}\p{N}]? before either case run: tried taken first, then empty.
    const bool prefix = !(c.cls & (kLetter | kNumber)) && !is_cr_or_lf(sc.s[i]) && i + c.len < sc.n;
    for (auto word : {upper_star_lower_plus, upper_plus_lower_star}) {
        size_t e = prefix ? word(sc, i + c.len) : 0;
        if (!e) e = word(sc, i);
        if (e) return with_contraction(sc, e);
    }
    if (c.cls & kNumber) return up_to_three_numbers(sc, i);
    if (size_t e = symbols_end(sc, i, c, "\r\n/")) return e;
    return sc.space_piece_end(i, true);
}

} // namespace

void gpt2_split(std::string_view text, std::vector<Span>& out) {
    split_by(text, out, [](const Scan& sc, size_t i) { return gpt2_piece_end(sc, i); }); // inlined
}
void cl100k_split(std::string_view text, std::vector<Span>& out) {
    split_by(text, out, [](const Scan& sc, size_t i) { return cl100k_piece_end(sc, i); }); // inlined
}
void o200k_split(std::string_view text, std::vector<Span>& out) {
    split_by(text, out, [](const Scan& sc, size_t i) { return o200k_piece_end(sc, i); }); // inlined
}

void split_with(SplitRule rule, std::string_view text, std::vector<Span>& out) {
    switch (rule) {
    case SplitRule::gpt2: gpt2_split(text, out); return;
    case SplitRule::cl100k: cl100k_split(text, out); return;
    case SplitRule::o200k: o200k_split(text, out); return;
    }
}

namespace {
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kCl100kPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kO200kPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// tiktoken's own spellings (possessive quantifiers; the same matches).
constexpr std::string_view kGpt2PatternTiktoken =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kCl100kPatternTiktoken =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
} // namespace

std::string_view split_rule_pattern(SplitRule rule) {
    switch (rule) {
    case SplitRule::gpt2: return kGpt2Pattern;
    case SplitRule::cl100k: return kCl100kPattern;
    case SplitRule::o200k: return kO200kPattern;
    }
    return kGpt2Pattern;
}

std::optional<SplitRule> split_rule_from_pattern(std::string_view p) {
    if (p == kGpt2Pattern || p == kGpt2PatternTiktoken) return SplitRule::gpt2;
    if (p == kCl100kPattern || p == kCl100kPatternTiktoken) return SplitRule::cl100k;
    if (p == kO200kPattern) return SplitRule::o200k;
    return std::nullopt;
}

void bert_split(std::string_view text, std::vector<Span>& out) {
    const char* s = text.data();
    const size_t n = text.size();
    size_t i = 0, word = 0;
    bool in_word = false;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0) { cp = 0xFFFD; len = 1; }
        if (bert_whitespace(cp) || bert_punct(cp)) {
            if (in_word) out.push_back({uint32_t(word), uint32_t(i - word)});
            in_word = false;
            if (!bert_whitespace(cp)) out.push_back({uint32_t(i), uint32_t(len)});
        } else if (!in_word) {
            in_word = true;
            word = i;
        }
        i += len;
    }
    if (in_word) out.push_back({uint32_t(word), uint32_t(n - word)});
}

void whitespace_split(std::string_view text, std::vector<Span>& out) {
    const char* s = text.data();
    const size_t n = text.size();
    // 0 = space, 1 = word character (\w), 2 = other
    auto kind = [&](size_t i, uint32_t& len) {
        Ch c = char_at(s, n, i);
        len = c.len;
        if (c.cls & kSpace) return 0;
        if ((c.cls & (kLetter | kNumber | kMark)) || s[i] == '_') return 1;
        return 2;
    };
    size_t i = 0;
    while (i < n) {
        uint32_t len;
        int k = kind(i, len);
        if (k == 0) { i += len; continue; }
        size_t b = i;
        i += len;
        while (i < n) {
            uint32_t l2;
            if (kind(i, l2) != k) break;
            i += l2;
        }
        out.push_back({uint32_t(b), uint32_t(i - b)});
    }
}

void whitespace_only_split(std::string_view text, std::vector<Span>& out) {
    const char* s = text.data();
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        Ch c = char_at(s, n, i);
        if (c.cls & kSpace) { i += c.len; continue; }
        size_t b = i;
        while (i < n) {
            Ch d = char_at(s, n, i);
            if (d.cls & kSpace) break;
            i += d.len;
        }
        out.push_back({uint32_t(b), uint32_t(i - b)});
    }
}

void split_before(std::string_view text, std::string_view marker, std::vector<Span>& out) {
    size_t b = 0;
    size_t pos = marker.empty() ? std::string_view::npos : text.find(marker, 1);
    while (pos != std::string_view::npos) {
        out.push_back({uint32_t(b), uint32_t(pos - b)});
        b = pos;
        pos = text.find(marker, pos + marker.size());
    }
    if (b < text.size()) out.push_back({uint32_t(b), uint32_t(text.size() - b)});
}

namespace {
struct ByteMap {
    std::array<uint32_t, 256> to_char{};
    std::array<int16_t, 512> to_byte{}; // every mapped code point is < 0x144
    ByteMap() {
        to_byte.fill(-1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            to_char[b] = printable ? uint32_t(b) : uint32_t(256 + extra++);
            to_byte[to_char[b]] = int16_t(b);
        }
    }
};
const ByteMap& byte_map() {
    static const ByteMap m;
    return m;
}
} // namespace

uint32_t byte_char(uint8_t b) { return byte_map().to_char[b]; }
int char_byte(uint32_t cp) { return cp < 512 ? byte_map().to_byte[cp] : -1; }

bool decode_byte_chars(std::string_view s, std::string& out) {
    out.clear();
    for (size_t i = 0; i < s.size();) {
        uint32_t cp;
        size_t len = utf8_decode(s.data() + i, s.size() - i, &cp);
        if (len == 0) return false;
        int b = char_byte(cp);
        if (b < 0) return false;
        out.push_back(char(b));
        i += len;
    }
    return true;
}

std::string encode_byte_chars(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) utf8_append(out, byte_char(b));
    return out;
}

} // namespace lmk::tok
