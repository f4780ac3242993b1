// core/utf8.cpp: see utf8.h. The ASCII fast path checks 8 bytes at a time.
#include "lmk/core/utf8.h"

#include <cstring>

namespace lmk {

size_t utf8_decode(const char* s, size_t len, uint32_t* cp) {
    const auto* u = reinterpret_cast<const unsigned char*>(s);
    unsigned char c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) n = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, v = c & 0x07, min = 0x10000;
    else return 0;
    if (len < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

size_t utf8_invalid_length(const char* s, size_t len) {
    // Maximal subpart: the lead byte plus the continuation bytes that could still belong to
    // a valid sequence (Unicode 15, Table 3-7 ranges for the second byte).
    const auto* u = reinterpret_cast<const unsigned char*>(s);
    unsigned char c = u[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c == 0xE0) need = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) need = 3;
    else if (c == 0xED) need = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) need = 3;
    else if (c == 0xF0) need = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 4;
    else if (c == 0xF4) need = 4, hi = 0x8F;
    else return 1;
    size_t i = 1;
    if (i < len && u[i] >= lo && u[i] <= hi) {
        i++;
        while (i < need && i < len && (u[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

size_t utf8_first_invalid(std::string_view sv) {
    const char* s = sv.data();
    size_t n = sv.size(), i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            std::memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (!k) return i;
        i += k;
    }
    return n;
}

void utf8_append(std::string& out, uint32_t cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

std::string repair_utf8(std::string_view sv, size_t* replaced) {
    size_t bad = utf8_first_invalid(sv);
    if (bad == sv.size()) return std::string(sv);
    std::string out(sv.substr(0, bad));
    size_t i = bad, n = sv.size(), count = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = (unsigned char)sv[i] < 0x80 ? 1 : utf8_decode(sv.data() + i, n - i, &cp);
        if (k) {
            out.append(sv.data() + i, k);
            i += k;
        } else {
            out += "\xEF\xBF\xBD";
            i += utf8_invalid_length(sv.data() + i, n - i);
            count++;
        }
    }
    if (replaced) *replaced += count;
    return out;
}

} // namespace lmk
