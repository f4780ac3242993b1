// text/pipeline.cpp: see pipeline.h.
#include "lmk/text/pipeline.h"

#include "lmk/core/error.h"
#include "lmk/text/lang_id.h"
#include "lmk/text/tokenize.h"
#include "lmk/text/unicode.h"

#include <fmt/format.h>

namespace lmk {

const std::vector<FilterId> kFilterOrderAll = {
    FilterId::length, FilterId::url,     FilterId::lang,     FilterId::gopher_repetition, FilterId::gopher_quality,
    FilterId::c4,     FilterId::fineweb, FilterId::badwords, FilterId::pii};

const char* filter_name(FilterId f) {
    switch (f) {
    case FilterId::length: return "length";
    case FilterId::url: return "url";
    case FilterId::lang: return "lang";
    case FilterId::gopher_repetition: return "gopher-repetition";
    case FilterId::gopher_quality: return "gopher-quality";
    case FilterId::c4: return "c4";
    case FilterId::fineweb: return "fineweb";
    case FilterId::badwords: return "badwords";
    case FilterId::pii: return "pii";
    }
    return "?";
}

std::vector<FilterId> parse_filter_list(std::string_view list) {
    std::vector<FilterId> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view name = list.substr(start, comma - start);
        start = comma + 1;
        if (name.empty()) continue;
        if (name == "all") {
            out.insert(out.end(), kFilterOrderAll.begin(), kFilterOrderAll.end());
            continue;
        }
        bool found = false;
        for (FilterId f : kFilterOrderAll)
            if (name == filter_name(f)) {
                out.push_back(f);
                found = true;
            }
        if (!found)
            throw Error(fmt::format("unknown filter \"{}\"", name),
                        "filters are length, url, lang, gopher-repetition, gopher-quality, c4, fineweb, badwords, "
                        "pii, or all");
    }
    return out;
}

void PipelineStats::count_rejection(const std::string& filter, const std::string& reason) {
    auto& f = filters[filter];
    f.rejected++;
    f.reasons[reason]++;
}

void PipelineStats::merge(const PipelineStats& o) {
    docs_in += o.docs_in, kept += o.kept, rejected += o.rejected;
    chars_in += o.chars_in, chars_out += o.chars_out, bytes_in += o.bytes_in, bytes_out += o.bytes_out;
    for (const auto& [name, fc] : o.filters) {
        auto& f = filters[name];
        f.in += fc.in, f.rejected += fc.rejected;
        for (const auto& [r, n] : fc.reasons) f.reasons[r] += n;
    }
    for (const auto& [k, n] : o.languages) languages[k] += n;
    for (const auto& [k, n] : o.missing_badwords_lang) missing_badwords_lang[k] += n;
    c4_lines.too_long_word += o.c4_lines.too_long_word;
    c4_lines.no_endmark += o.c4_lines.no_endmark;
    c4_lines.too_short += o.c4_lines.too_short;
    c4_lines.javascript += o.c4_lines.javascript;
    c4_lines.policy += o.c4_lines.policy;
    c4_lines.valid += o.c4_lines.valid;
    pii.emails += o.pii.emails, pii.ips += o.pii.ips;
    no_url += o.no_url;
}

Pipeline::Pipeline(std::vector<FilterId> filters, FilterConfig config, FilterResources res)
    : filters_(std::move(filters)), cfg_(std::move(config)), res_(res) {
    for (FilterId f : filters_) {
        if (f == FilterId::badwords)
            LMK_CHECK(res_.badwords, "the badwords filter needs bad-word lists (--badwords DIR)");
        if (f == FilterId::url)
            LMK_CHECK(res_.url && !res_.url->empty(),
                      "the url filter needs a blocklist or word lists (--url-blocklist FILE, --url-words DIR)");
        if (f == FilterId::lang)
            LMK_CHECK(lang_id_available() || cfg_.lang.source == "warc",
                      "the lang filter needs CLD2, which this build lacks");
    }
}

DocOutcome Pipeline::run(const Document& doc, PipelineStats& st) const {
    DocOutcome o;
    st.docs_in++;
    st.bytes_in += doc.text.size();
    st.chars_in += char_count(doc.text);
    o.text = cfg_.normalize ? normalize_text(doc.text) : doc.text;
    bool lang_known = false;
    auto ensure_lang = [&] {
        if (lang_known) return;
        lang_known = true;
        if (cfg_.lang.source == "warc" && !doc.warc_lang.empty()) {
            o.lang = warc_language(doc.warc_lang);
            o.lang_score = -1;
            return;
        }
        std::string_view judged = o.text;
        if (cfg_.lang.max_bytes > 0 && double(judged.size()) > cfg_.lang.max_bytes) {
            size_t cut = size_t(cfg_.lang.max_bytes);
            while (cut > 0 && (static_cast<unsigned char>(judged[cut]) & 0xC0) == 0x80) cut--; // not inside a character
            judged = judged.substr(0, cut);
        }
        LangGuess g = detect_language(judged);
        o.lang = g.lang;
        o.lang_score = g.score;
    };
    // Words of the current text, tokenized once for the filters that count them; any filter
    // that edits the text drops them.
    std::vector<std::string_view> words;
    bool have_words = false;
    auto current_words = [&]() -> const std::vector<std::string_view>* {
        if (!have_words) words = word_tokenize(o.text), have_words = true;
        return &words;
    };
    auto reject = [&](FilterId f, Rejection r) {
        o.kept = false;
        o.filter = filter_name(f);
        o.rejection = std::move(r);
        st.rejected++;
        st.count_rejection(o.filter, o.rejection.reason);
        return o;
    };
    for (FilterId f : filters_) {
        st.filters[filter_name(f)].in++;
        Verdict v;
        switch (f) {
        case FilterId::length: {
            double n = double(char_count(o.text));
            if (n < cfg_.length.min_chars)
                v = Rejection{"too_short", fmt::format("{} chars < {}", n, cfg_.length.min_chars)};
            else if (cfg_.length.max_chars > 0 && n > cfg_.length.max_chars)
                v = Rejection{"too_long", fmt::format("{} chars > {}", n, cfg_.length.max_chars)};
            break;
        }
        case FilterId::url:
            if (doc.url.empty()) st.no_url++;
            else v = res_.url->check(doc.url);
            break;
        case FilterId::lang: {
            ensure_lang();
            const auto& want = cfg_.lang.languages;
            bool wanted = want.empty();
            for (const auto& w : want) wanted |= lang_matches(o.lang, w);
            if (!wanted) v = Rejection{"unwanted_language", fmt::format("{} ({:.2f})", o.lang, o.lang_score)};
            else if (o.lang_score >= 0 && o.lang_score < cfg_.lang.min_score)
                v = Rejection{"low_score", fmt::format("{} {:.2f} < {}", o.lang, o.lang_score, cfg_.lang.min_score)};
            break;
        }
        case FilterId::gopher_repetition:
            v = gopher_repetition_filter(o.text, cfg_.gopher_repetition, current_words());
            break;
        case FilterId::gopher_quality: v = gopher_quality_filter(o.text, cfg_.gopher_quality, current_words()); break;
        case FilterId::c4: {
            std::string t = o.text;
            v = c4_filter(t, cfg_.c4, &st.c4_lines);
            if (!v) o.text = std::move(t), have_words = false;
            break;
        }
        case FilterId::fineweb: v = fineweb_filter(o.text, cfg_.fineweb, current_words()); break;
        case FilterId::badwords: {
            ensure_lang();
            std::string lang = o.lang == "und" || o.lang.empty() ? cfg_.badwords.default_lang : o.lang;
            if (!res_.badwords->has_language(lang)) {
                // CLD2 tags variants ("zh-Hant"); the lists are per base language.
                std::string base = lang.substr(0, lang.find('-'));
                if (res_.badwords->has_language(base)) lang = base;
            }
            if (!res_.badwords->has_language(lang)) st.missing_badwords_lang[lang]++;
            else v = res_.badwords->check(o.text, lang);
            break;
        }
        case FilterId::pii:
            o.text = mask_pii(o.text, cfg_.pii, &st.pii);
            have_words = false;
            break;
        }
        if (v) return reject(f, std::move(*v));
    }
    ensure_lang();
    st.kept++;
    st.languages[o.lang]++;
    st.bytes_out += o.text.size();
    st.chars_out += char_count(o.text);
    return o;
}

} // namespace lmk
