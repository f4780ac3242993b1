// text/filters_c4.cpp: see filters_c4.h.
#include "lmk/text/filters_c4.h"

#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <array>
#include <fmt/format.h>
#include <vector>

namespace lmk {

std::string ratio_detail(double value, const char* op, double threshold) {
    return fmt::format("{:.4g} {} {:.4g}", value, op, threshold);
}

std::string c4_remove_citations(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == '[') {
            // \[\d*\]  (\d is any Unicode decimal digit, as in Python 3's re)
            size_t j = i + 1;
            while (j < line.size()) {
                size_t k = j;
                if (!py_isdecimal(next_codepoint(line, k))) break;
                j = k;
            }
            if (j < line.size() && line[j] == ']') {
                i = j + 1;
                continue;
            }
            std::string_view rest = line.substr(i);
            if (rest.starts_with("[edit]")) {
                i += 6;
                continue;
            }
            if (rest.starts_with("[citation needed]")) {
                i += 17;
                continue;
            }
        }
        out.push_back(line[i++]);
    }
    return out;
}

static bool has_too_long_word(std::string_view line, size_t max_len) {
    if (line.size() <= max_len) return false; // no word is longer than its line
    for (std::string_view w : py_split(line))
        if (w.size() > max_len && char_count(w) > max_len) return true;
    return false;
}

// to_lower(s) into `out` (its storage reused); ASCII lines inline. (Non-ASCII goes through
// to_lower: some non-ASCII letters lowercase to ASCII ones, e.g. U+212A KELVIN SIGN to "k".)
static void lower_into(std::string_view s, std::string& out) {
    out.resize(s.size());
    for (size_t i = 0; i < s.size(); i++) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            out = to_lower(s);
            return;
        }
        out[i] = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
}

static bool ends_with_end_mark(std::string_view s) {
    if (s.empty()) return false;
    char c = s.back();
    if (!(c == '.' || c == '?' || c == '!' || c == '"')) return false;
    return !s.ends_with("...");
}

Verdict c4_filter(std::string& text, const C4Params& p, C4LineCounts* counts) {
    C4LineCounts local;
    C4LineCounts& lc = counts ? *counts : local;
    size_t page_chars = char_count(text);
    if (double(page_chars) > p.max_page_chars)
        return Rejection{"too_long", fmt::format("{} chars > {}", page_chars, p.max_page_chars)};

    static constexpr std::array<std::string_view, 6> kPolicy = {
        "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"};
    // Kept lines go straight into `out`, joined with "\n"; a line is copied only when it
    // holds a citation to cut, and lowercased into a reused buffer.
    std::string out, cited, lower;
    size_t sentences = 0;
    bool any_kept = false;
    for (std::string_view raw : py_splitlines(text)) {
        std::string_view line0 = py_strip(raw);
        if (has_too_long_word(line0, size_t(p.max_word_length))) {
            lc.too_long_word++;
            continue;
        }
        std::string_view line = line0;
        if (line0.find('[') != std::string_view::npos) line = cited = c4_remove_citations(line0);
        if (!ends_with_end_mark(line)) {
            lc.no_endmark++;
            continue;
        }
        if (py_split_count(line) < size_t(p.min_words_per_line)) {
            lc.too_short++;
            continue;
        }
        lower_into(line, lower);
        if (lower.find("lorem ipsum") != std::string::npos)
            return Rejection{"lorem_ipsum", "a line contains \"lorem ipsum\""};
        if (lower.find("javascript") != std::string::npos) {
            lc.javascript++;
            continue;
        }
        if (line.find('{') != std::string::npos) return Rejection{"curly_bracket", "a line contains \"{\""};
        bool policy = false;
        for (auto phrase : kPolicy) policy |= lower.find(phrase) != std::string::npos;
        if (policy) {
            lc.policy++;
            continue;
        }
        sentences += sentence_count(line);
        if (any_kept) out.push_back('\n');
        out.append(line);
        any_kept = true;
        lc.valid++;
    }
    if (sentences < size_t(p.min_sentences))
        return Rejection{"too_few_sentences", fmt::format("{} sentences < {}", sentences, p.min_sentences)};
    text = std::string(py_strip(out));
    return std::nullopt;
}

} // namespace lmk
