// text/simplify.cpp: one pass over the code points; ASCII takes a table-driven fast path
// because web text is mostly ASCII and the MinHash signature rate depends on this loop.
#include "lmk/text/simplify.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"

#include <array>
#include <utf8proc.h>

namespace lmk {
namespace {

enum class CharClass : uint8_t { other, space, punct, format, digit, mark };

// Python's str.isspace: bidi class WS, B or S, or category Zs.
bool is_py_space(const utf8proc_property_t* p) {
    return p->category == UTF8PROC_CATEGORY_ZS || p->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
           p->bidi_class == UTF8PROC_BIDI_CLASS_B || p->bidi_class == UTF8PROC_BIDI_CLASS_S;
}

CharClass classify(int32_t cp) {
    const utf8proc_property_t* p = utf8proc_get_property(cp);
    if (is_py_space(p)) return CharClass::space;
    switch (p->category) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO: case UTF8PROC_CATEGORY_CC:
        return CharClass::punct;
    case UTF8PROC_CATEGORY_CF: return CharClass::format;
    case UTF8PROC_CATEGORY_ND: return CharClass::digit;
    case UTF8PROC_CATEGORY_MN: return CharClass::mark;
    default: return CharClass::other;
    }
}

const std::array<CharClass, 128>& ascii_classes() {
    static const std::array<CharClass, 128> table = [] {
        std::array<CharClass, 128> t{};
        for (int c = 0; c < 128; ++c) t[c] = classify(c);
        return t;
    }();
    return table;
}

// Appends code points while tracking the pending space and the digit run, so that spaces
// collapse and digit runs shrink to one "0" without a second pass.
struct Emitter {
    std::string& out;
    const SimplifyOptions& o;
    bool pending_space = false;
    bool in_digits = false;

    void space() {
        in_digits = false;
        if (o.collapse_whitespace) pending_space = !out.empty();
        else out.push_back(' ');
    }
    void flush_space() {
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
    }
    void digit(uint32_t cp) {
        if (!o.digits_to_zero) return emit(cp);
        if (in_digits) return; // the run already produced its "0"
        flush_space();
        out.push_back('0');
        in_digits = true;
    }
    void emit(uint32_t cp) {
        flush_space();
        in_digits = false;
        if (cp < 0x80) out.push_back(char(cp));
        else utf8_append(out, cp);
    }
};

void emit_general(Emitter& e, const SimplifyOptions& o, int32_t cp) {
    if (o.lowercase) cp = utf8proc_tolower(cp);
    CharClass cls = classify(cp);
    switch (cls) {
    case CharClass::space:
        if (o.collapse_whitespace) return e.space();
        break;
    case CharClass::punct:
        if (o.punctuation_to_space) return e.space();
        break;
    case CharClass::format:
        if (o.punctuation_to_space) return; // soft hyphen, zero-width joiners: invisible
        break;
    case CharClass::digit: return e.digit(uint32_t(cp));
    case CharClass::mark:
        if (o.strip_accents) return; // a combining mark does not end a digit run either
        break;
    case CharClass::other: break;
    }
    // Hangul syllables decompose into jamo without any mark: keep them composed.
    if (!o.strip_accents || cls != CharClass::other || (cp >= 0xAC00 && cp <= 0xD7A3))
        return e.emit(uint32_t(cp));
    utf8proc_int32_t parts[8];
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, parts, 8, UTF8PROC_DECOMPOSE, nullptr);
    if (n <= 0 || n > 8) return e.emit(uint32_t(cp));
    for (utf8proc_ssize_t k = 0; k < n; ++k) {
        const utf8proc_property_t* p = utf8proc_get_property(parts[k]);
        if (p->category == UTF8PROC_CATEGORY_MN) continue;
        e.emit(uint32_t(parts[k]));
    }
}

} // namespace

void simplify_text_into(std::string_view text, std::string& out, const SimplifyOptions& o) {
    out.clear();
    out.reserve(text.size());
    Emitter e{out, o};
    const auto& ascii = ascii_classes();
    const char* s = text.data();
    size_t n = text.size(), i = 0;
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            switch (ascii[c]) {
            case CharClass::other:
                e.emit(o.lowercase && c >= 'A' && c <= 'Z' ? c | 0x20 : c);
                break;
            case CharClass::digit: e.digit(c); break;
            case CharClass::space:
                if (o.collapse_whitespace) e.space();
                else e.emit(c);
                break;
            case CharClass::punct:
                if (o.punctuation_to_space) e.space();
                else e.emit(c);
                break;
            default: e.emit(c); break; // no ASCII format or mark characters exist
            }
            continue;
        }
        uint32_t cp = 0;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            cp = 0xFFFD; // invalid byte: the replacement character, a symbol
            len = utf8_invalid_length(s + i, n - i);
        }
        i += len;
        emit_general(e, o, int32_t(cp));
    }
    // A trailing pending space is simply never flushed: the result has no trailing space.
}

std::string simplify_text(std::string_view text, const SimplifyOptions& opts) {
    std::string out;
    simplify_text_into(text, out, opts);
    return out;
}

SimplifyOptions parse_simplify_steps(std::string_view list) {
    SimplifyOptions o{false, false, false, false, false};
    if (list == "all") return SimplifyOptions{};
    if (list == "none" || list.empty()) return o;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view item = list.substr(start, comma - start);
        if (item == "lower") o.lowercase = true;
        else if (item == "accents") o.strip_accents = true;
        else if (item == "digits") o.digits_to_zero = true;
        else if (item == "punct") o.punctuation_to_space = true;
        else if (item == "space") o.collapse_whitespace = true;
        else if (item == "all") o = SimplifyOptions{};
        else
            throw Error(fmt::format("unknown normalization step '{}'", item),
                        "use a comma list of lower,accents,digits,punct,space, or all, or none");
        start = comma + 1;
    }
    return o;
}

} // namespace lmk
