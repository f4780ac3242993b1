// eval/text_util.cpp: see text_util.h.
#include "lmk/eval/text_util.h"
#include "lmk/core/utf8.h"

namespace lmk {

bool py_isspace(uint32_t cp) {
    if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f);
    switch (cp) {
    case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200a;
    }
}

// Start of the last code point before `end` (UTF-8 continuation bytes are 10xxxxxx).
static size_t prev_cp_start(std::string_view s, size_t end) {
    size_t i = end - 1;
    while (i > 0 && end - i < 4 && (uint8_t(s[i]) & 0xc0) == 0x80) i--;
    return i;
}

size_t py_rstrip_len(std::string_view s) {
    size_t end = s.size();
    while (end > 0) {
        size_t start = prev_cp_start(s, end);
        uint32_t cp = 0;
        if (utf8_decode(s.data() + start, end - start, &cp) != end - start || !py_isspace(cp)) break;
        end = start;
    }
    return end;
}

std::string_view py_strip(std::string_view s) {
    s = s.substr(0, py_rstrip_len(s));
    size_t i = 0;
    while (i < s.size()) {
        uint32_t cp = 0;
        size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
        if (n == 0 || !py_isspace(cp)) break;
        i += n;
    }
    return s.substr(i);
}

int64_t py_len(std::string_view s) {
    int64_t n = 0;
    for (size_t i = 0; i < s.size();) {
        uint32_t cp;
        size_t k = utf8_decode(s.data() + i, s.size() - i, &cp);
        i += k ? k : 1;
        n++;
    }
    return n;
}

} // namespace lmk
