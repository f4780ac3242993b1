// text/filter_config.cpp: see filter_config.h. One table of (section, key, field) bindings
// drives both printing and parsing, so the two cannot drift apart.
#include "lmk/text/filter_config.h"

#include "lmk/core/error.h"
#include "lmk/io/jsonl.h"

#include <fmt/format.h>
#include <functional>
#include <simdjson.h>

namespace lmk {
namespace {

using Element = simdjson::dom::element;

struct Binding {
    const char* section; // "" = top level
    const char* key;
    std::function<std::string(const FilterConfig&)> print;
    std::function<void(FilterConfig&, Element, const std::string& where)> parse;
};

double get_number(Element e, const std::string& where) {
    double d;
    if (e.get_double().get(d) == simdjson::SUCCESS) return d;
    int64_t i;
    if (e.get_int64().get(i) == simdjson::SUCCESS) return double(i);
    uint64_t u;
    if (e.get_uint64().get(u) == simdjson::SUCCESS) return double(u);
    fail("{}: expected a number", where);
}

bool get_bool(Element e, const std::string& where) {
    bool b;
    if (e.get_bool().get(b) != simdjson::SUCCESS) fail("{}: expected true or false", where);
    return b;
}

std::string get_str(Element e, const std::string& where) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) fail("{}: expected a string", where);
    return std::string(s);
}

template <typename T> Binding num(const char* sec, const char* key, T FilterConfig::*part, double T::*field) {
    return {sec, key, [=](const FilterConfig& c) { return json_number((c.*part).*field); },
            [=](FilterConfig& c, Element e, const std::string& w) { (c.*part).*field = get_number(e, w); }};
}
template <typename T> Binding inum(const char* sec, const char* key, T FilterConfig::*part, int T::*field) {
    return {sec, key, [=](const FilterConfig& c) { return json_number(int64_t((c.*part).*field)); },
            [=](FilterConfig& c, Element e, const std::string& w) { (c.*part).*field = int(get_number(e, w)); }};
}
template <typename T> Binding flag(const char* sec, const char* key, T FilterConfig::*part, bool T::*field) {
    return {sec, key, [=](const FilterConfig& c) { return std::string((c.*part).*field ? "true" : "false"); },
            [=](FilterConfig& c, Element e, const std::string& w) { (c.*part).*field = get_bool(e, w); }};
}

std::string pairs_json(const std::vector<std::pair<int, double>>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++)
        s += fmt::format("{}[{}, {}]", i ? ", " : "", v[i].first, json_number(v[i].second));
    return s + "]";
}
std::vector<std::pair<int, double>> parse_pairs(Element e, const std::string& w) {
    simdjson::dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) fail("{}: expected [[n, fraction], ...]", w);
    std::vector<std::pair<int, double>> out;
    for (Element item : a) {
        simdjson::dom::array p;
        if (item.get_array().get(p) != simdjson::SUCCESS || p.size() != 2) fail("{}: expected [n, fraction] pairs", w);
        int n = int(get_number(p.at(0).value(), w));
        LMK_CHECK(n >= 1 && n <= 100, "{}: n-gram size {} out of range 1..100", w, n);
        out.emplace_back(n, get_number(p.at(1).value(), w));
    }
    return out;
}
std::string strings_json(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + json_string(v[i]);
    return s + "]";
}
std::vector<std::string> parse_strings(Element e, const std::string& w) {
    simdjson::dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) fail("{}: expected an array of strings", w);
    std::vector<std::string> out;
    for (Element item : a) out.push_back(get_str(item, w));
    return out;
}

const std::vector<Binding>& bindings() {
    using FC = FilterConfig;
    static const std::vector<Binding> b = {
        {"", "normalize", [](const FC& c) { return std::string(c.normalize ? "true" : "false"); },
         [](FC& c, Element e, const std::string& w) { c.normalize = get_bool(e, w); }},
        num("length", "min_chars", &FC::length, &LengthParams::min_chars),
        num("length", "max_chars", &FC::length, &LengthParams::max_chars),
        inum("c4", "min_words_per_line", &FC::c4, &C4Params::min_words_per_line),
        inum("c4", "min_sentences", &FC::c4, &C4Params::min_sentences),
        inum("c4", "max_word_length", &FC::c4, &C4Params::max_word_length),
        num("c4", "max_page_chars", &FC::c4, &C4Params::max_page_chars),
        num("gopher_quality", "min_doc_words", &FC::gopher_quality, &GopherQualityParams::min_doc_words),
        num("gopher_quality", "max_doc_words", &FC::gopher_quality, &GopherQualityParams::max_doc_words),
        num("gopher_quality", "min_avg_word_length", &FC::gopher_quality, &GopherQualityParams::min_avg_word_length),
        num("gopher_quality", "max_avg_word_length", &FC::gopher_quality, &GopherQualityParams::max_avg_word_length),
        num("gopher_quality", "max_symbol_word_ratio", &FC::gopher_quality, &GopherQualityParams::max_symbol_word_ratio),
        num("gopher_quality", "max_bullet_lines_ratio", &FC::gopher_quality, &GopherQualityParams::max_bullet_lines_ratio),
        num("gopher_quality", "max_ellipsis_lines_ratio", &FC::gopher_quality,
            &GopherQualityParams::max_ellipsis_lines_ratio),
        num("gopher_quality", "max_non_alpha_words_ratio", &FC::gopher_quality,
            &GopherQualityParams::max_non_alpha_words_ratio),
        num("gopher_quality", "min_stop_words", &FC::gopher_quality, &GopherQualityParams::min_stop_words),
        {"gopher_quality", "stop_words", [](const FC& c) { return strings_json(c.gopher_quality.stop_words); },
         [](FC& c, Element e, const std::string& w) { c.gopher_quality.stop_words = parse_strings(e, w); }},
        num("gopher_repetition", "dup_line_frac", &FC::gopher_repetition, &GopherRepetitionParams::dup_line_frac),
        num("gopher_repetition", "dup_para_frac", &FC::gopher_repetition, &GopherRepetitionParams::dup_para_frac),
        num("gopher_repetition", "dup_line_char_frac", &FC::gopher_repetition,
            &GopherRepetitionParams::dup_line_char_frac),
        num("gopher_repetition", "dup_para_char_frac", &FC::gopher_repetition,
            &GopherRepetitionParams::dup_para_char_frac),
        {"gopher_repetition", "top_n_grams", [](const FC& c) { return pairs_json(c.gopher_repetition.top_n_grams); },
         [](FC& c, Element e, const std::string& w) { c.gopher_repetition.top_n_grams = parse_pairs(e, w); }},
        {"gopher_repetition", "dup_n_grams", [](const FC& c) { return pairs_json(c.gopher_repetition.dup_n_grams); },
         [](FC& c, Element e, const std::string& w) { c.gopher_repetition.dup_n_grams = parse_pairs(e, w); }},
        num("fineweb", "line_punct_thr", &FC::fineweb, &FineWebParams::line_punct_thr),
        flag("fineweb", "line_punct_exclude_zero", &FC::fineweb, &FineWebParams::line_punct_exclude_zero),
        num("fineweb", "short_line_thr", &FC::fineweb, &FineWebParams::short_line_thr),
        inum("fineweb", "short_line_length", &FC::fineweb, &FineWebParams::short_line_length),
        num("fineweb", "char_duplicates_ratio", &FC::fineweb, &FineWebParams::char_duplicates_ratio),
        num("fineweb", "new_line_ratio", &FC::fineweb, &FineWebParams::new_line_ratio),
        {"lang", "languages", [](const FC& c) { return strings_json(c.lang.languages); },
         [](FC& c, Element e, const std::string& w) { c.lang.languages = parse_strings(e, w); }},
        num("lang", "min_score", &FC::lang, &LangParams::min_score),
        {"lang", "source", [](const FC& c) { return json_string(c.lang.source); },
         [](FC& c, Element e, const std::string& w) {
             c.lang.source = get_str(e, w);
             LMK_CHECK(c.lang.source == "cld2" || c.lang.source == "warc", "{}: expected \"cld2\" or \"warc\"", w);
         }},
        num("lang", "max_bytes", &FC::lang, &LangParams::max_bytes),
        {"badwords", "default_lang", [](const FC& c) { return json_string(c.badwords.default_lang); },
         [](FC& c, Element e, const std::string& w) { c.badwords.default_lang = get_str(e, w); }},
        inum("url", "soft_word_threshold", &FC::url, &UrlParams::soft_word_threshold),
        flag("pii", "emails", &FC::pii, &PiiParams::emails),
        flag("pii", "ips", &FC::pii, &PiiParams::ips),
        flag("pii", "only_public_ips", &FC::pii, &PiiParams::only_public_ips),
    };
    return b;
}

} // namespace

std::string config_to_json(const FilterConfig& c) {
    // Top-level entries in binding order; a section's keys are grouped under it.
    std::vector<std::string> entries;
    std::string open_section;
    for (const Binding& b : bindings()) {
        std::string sec = b.section;
        if (sec.empty()) {
            entries.push_back(fmt::format("  \"{}\": {}", b.key, b.print(c)));
            open_section.clear();
            continue;
        }
        std::string item = fmt::format("    \"{}\": {}", b.key, b.print(c));
        if (sec != open_section) {
            entries.push_back(fmt::format("  \"{}\": {{\n{}\n  }}", sec, item));
            open_section = sec;
        } else {
            std::string& last = entries.back();
            last.insert(last.size() - 4, ",\n" + item);
        }
    }
    std::string out = "{\n";
    for (size_t i = 0; i < entries.size(); i++) out += entries[i] + (i + 1 < entries.size() ? ",\n" : "\n");
    return out + "}\n";
}

void apply_config_json(FilterConfig& c, std::string_view json, const std::string& source) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    Element root;
    auto err = parser.parse(padded).get(root);
    if (err) fail("{}: not valid JSON: {}", source, simdjson::error_message(err));
    simdjson::dom::object top;
    if (root.get_object().get(top) != simdjson::SUCCESS) fail("{}: expected a JSON object", source);
    const auto& bs = bindings();
    auto find = [&](std::string_view sec, std::string_view key) -> const Binding* {
        for (const auto& b : bs)
            if (sec == b.section && key == b.key) return &b;
        return nullptr;
    };
    for (auto [key, value] : top) {
        if (const Binding* b = find("", key)) {
            b->parse(c, value, fmt::format("{}: {}", source, key));
            continue;
        }
        simdjson::dom::object sec;
        bool known_section = false;
        for (const auto& b : bs) known_section |= key == b.section;
        if (!known_section) fail("{}: unknown setting \"{}\" (see --print-config)", source, key);
        if (value.get_object().get(sec) != simdjson::SUCCESS) fail("{}: \"{}\" must be an object", source, key);
        for (auto [k2, v2] : sec) {
            const Binding* b = find(key, k2);
            if (!b) fail("{}: unknown setting \"{}.{}\" (see --print-config)", source, key, k2);
            b->parse(c, v2, fmt::format("{}: {}.{}", source, key, k2));
        }
    }
}

} // namespace lmk
