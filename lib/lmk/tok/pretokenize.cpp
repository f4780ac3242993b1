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

inline bool is_contraction_letter(char c) { return c == 's' || c == 't' || c == 'm' || c == 'd'; }

} // namespace

void gpt2_split(std::string_view text, std::vector<Span>& out) {
    const char* s = text.data();
    const size_t n = text.size();
    size_t i = 0;
    auto emit = [&](size_t b, size_t e) { out.push_back({uint32_t(b), uint32_t(e - b)}); };
    // Consumes a maximal run of characters whose class satisfies `want` from j; returns the end.
    auto run = [&](size_t j, auto want) {
        while (j < n) {
            Ch c = char_at(s, n, j);
            if (!want(c.cls)) break;
            j += c.len;
        }
        return j;
    };
    auto letter = [](uint8_t c) { return (c & kLetter) != 0; };
    auto number = [](uint8_t c) { return (c & kNumber) != 0; };
    auto other = [](uint8_t c) { return (c & (kLetter | kNumber | kSpace)) == 0; };

    while (i < n) {
        // 's 't 're 've 'm 'll 'd (case-sensitive, as in GPT-2 and r50k_base).
        if (s[i] == '\'' && i + 1 < n) {
            char a = s[i + 1];
            if (is_contraction_letter(a)) { emit(i, i + 2); i += 2; continue; }
            if (i + 2 < n) {
                char b = s[i + 2];
                if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                    emit(i, i + 3); i += 3; continue;
                }
            }
        }
        Ch c = char_at(s, n, i);
        size_t head = i;        // where the class run starts (after an optional ' ')
        uint8_t cls = c.cls;
        if (s[i] == ' ' && i + 1 < n) {
            Ch next = char_at(s, n, i + 1);
            if (!(next.cls & kSpace)) { head = i + 1; cls = next.cls; }
        }
        if (!(cls & kSpace) || head != i) {
            size_t e = letter(cls) ? run(head, letter) : number(cls) ? run(head, number) : run(head, other);
            emit(i, e);
            i = e;
            continue;
        }
        // Whitespace run [i, j). At the end of text it is one piece; followed by a non-space
        // it leaves its last character to the next piece (\s+(?!\S)), unless that character
        // is the whole run (\s+).
        size_t j = i, last = i;
        while (j < n) {
            Ch w = char_at(s, n, j);
            if (!(w.cls & kSpace)) break;
            last = j;
            j += w.len;
        }
        size_t e = (j == n || last == i) ? j : last;
        emit(i, e);
        i = e;
    }
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
