// text/pipeline.h: an ordered list of filters applied to one document, and the counts.
//
// Pipeline::run(doc) normalizes the text (unless the config says not to), then applies each
// filter of the list in order; the first rejection ends the run. Filters that edit the text
// (c4 keeps only its good lines, pii masks addresses) pass the edited text on. The document's
// language is found once, when first needed (the lang or badwords filter, or the end): from
// the WARC-Identified-Content-Language header when config.lang.source is "warc" and the
// header is present (lang_score then unknown, -1), else with CLD2 on the text at that point
// (its first config.lang.max_bytes bytes when that is set; default 0, the whole text).
// run() is const and thread-safe; counts go into a DocStats the caller merges in input order.
//
// Filter names (for --filters): length, url, lang, gopher-repetition, gopher-quality, c4,
// fineweb, badwords, pii; "all" = every one in kFilterOrderAll's order.
//
//   lmk::Pipeline p(lmk::parse_filter_list("lang,c4,gopher-quality"), cfg, {&badwords, &urls});
//   lmk::PipelineStats stats;
//   lmk::DocOutcome o = p.run(doc, stats);
//   if (!o.kept) log_debug("{}: {}", o.filter, o.rejection.reason);
//   std::string json = stats.to_json();
#pragma once
#include "lmk/text/filter.h"
#include "lmk/text/filter_config.h"
#include "lmk/text/filters_badwords.h"
#include "lmk/text/filters_url.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

enum class FilterId { length, url, lang, gopher_repetition, gopher_quality, c4, fineweb, badwords, pii };

const char* filter_name(FilterId f);
// Comma list of names (or "all"); throws lmk::Error naming an unknown filter.
std::vector<FilterId> parse_filter_list(std::string_view list);
extern const std::vector<FilterId> kFilterOrderAll;

struct Document {
    std::string text;
    std::string url;       // "" when unknown
    std::string warc_lang; // WARC-Identified-Content-Language value, "" when absent
};

struct DocOutcome {
    bool kept = true;
    std::string filter; // the rejecting filter's name
    Rejection rejection;
    std::string text;      // final text (kept) or the text the rejecting filter saw
    std::string lang = "und";
    double lang_score = -1; // -1: unknown (language taken from the WARC header)
};

struct FilterCounts {
    uint64_t in = 0, rejected = 0;
    std::map<std::string, uint64_t> reasons;
};

// Counts of one run; merge() adds another's (merge in input order for identical output).
struct PipelineStats {
    uint64_t docs_in = 0, kept = 0, rejected = 0;
    uint64_t chars_in = 0, chars_out = 0, bytes_in = 0, bytes_out = 0;
    std::map<std::string, FilterCounts> filters;   // by filter name
    std::map<std::string, uint64_t> languages;     // kept docs per language
    std::map<std::string, uint64_t> missing_badwords_lang;
    C4LineCounts c4_lines;
    PiiCounts pii;
    uint64_t no_url = 0; // url filter saw a document without a URL (kept)

    void count_rejection(const std::string& filter, const std::string& reason);
    void merge(const PipelineStats& o);
};

struct FilterResources {
    const BadWords* badwords = nullptr; // required by the badwords filter
    const UrlFilter* url = nullptr;     // required by the url filter
};

class Pipeline {
public:
    Pipeline(std::vector<FilterId> filters, FilterConfig config, FilterResources res);
    DocOutcome run(const Document& doc, PipelineStats& stats) const;
    const std::vector<FilterId>& filters() const { return filters_; }
    const FilterConfig& config() const { return cfg_; }

private:
    std::vector<FilterId> filters_;
    FilterConfig cfg_;
    FilterResources res_;
};

} // namespace lmk
