// clean-corpus: Common Crawl WET/WARC or JSONL documents -> clean JSONL documents, with the
// C4, Gopher, FineWeb, language, URL, bad-word, length and PII filters (lib/lmk/text/).
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"
#include "lmk/text/clean_corpus.h"
#include "lmk/text/filter_config.h"

#include <fmt/format.h>

namespace {

struct Options {
    std::vector<std::string> files;
    std::string output = "-";
    std::string filters;
    std::string badwords, url_blocklist, url_words, public_suffix_list = "/usr/share/publicsuffix/public_suffix_list.dat";
    std::string rejected, stats, config;
    std::string lang, lang_source;
    double lang_min_score = -1;
    bool print_config = false, strict = false;
    int rank = 0, world = 1;
    std::string text_field = "text", id_field = "id";
};

const char* kExamples = R"(Examples:
  clean-corpus CC-MAIN-*.warc.wet.gz --badwords shared/data/web/badwords -o clean.jsonl.zst
  clean-corpus --filters c4,badwords --badwords DIR docs.jsonl.gz --rejected rej.jsonl --stats s.json
  clean-corpus --print-config > filters.json; clean-corpus --config filters.json in.jsonl
  for r in 0 1 2 3; do clean-corpus --rank $r --world 4 -o out.$r.jsonl.gz *.wet.gz & done
)";

std::string default_filters(const Options& o) {
    std::string f = "length";
    if (!o.url_blocklist.empty() || !o.url_words.empty()) f += ",url";
    f += ",lang,gopher-repetition,gopher-quality,c4,fineweb";
    if (!o.badwords.empty()) f += ",badwords";
    return f;
}

int run(Options& o, const lmk::CommonFlags&) {
    lmk::FilterConfig cfg;
    if (!o.config.empty()) lmk::apply_config_json(cfg, lmk::read_file(o.config), o.config);
    if (!o.lang.empty()) {
        cfg.lang.languages.clear();
        if (o.lang != "any") {
            size_t s = 0;
            while (s <= o.lang.size()) {
                size_t c = std::min(o.lang.find(',', s), o.lang.size());
                if (c > s) cfg.lang.languages.push_back(o.lang.substr(s, c - s));
                s = c + 1;
            }
        }
    }
    if (o.lang_min_score >= 0) cfg.lang.min_score = o.lang_min_score;
    if (!o.lang_source.empty()) cfg.lang.source = o.lang_source;
    if (o.print_config) {
        auto out = lmk::Output::open(o.output);
        out->write(lmk::config_to_json(cfg));
        out->commit();
        return 0;
    }
    LMK_CHECK_USAGE(o.world >= 1 && o.rank >= 0 && o.rank < o.world, "--rank {} is not in 0..{}", o.rank, o.world - 1);
    if (o.files.empty()) o.files.push_back("-");
    std::vector<std::string> mine;
    for (size_t i = 0; i < o.files.size(); i++)
        if (int(i % size_t(o.world)) == o.rank) mine.push_back(o.files[i]);
    std::string marker = o.output + ".done";
    if (o.world > 1) {
        LMK_CHECK_USAGE(o.output != "-", "--world needs -o FILE (one output per rank)");
        if (lmk::file_exists(marker) && lmk::file_exists(o.output)) {
            lmk::log_info("rank {}/{}: {} exists, already complete; skipped", o.rank, o.world, marker);
            return 0;
        }
    }

    lmk::BadWords badwords;
    lmk::UrlFilter urls;
    lmk::FilterResources res;
    if (!o.badwords.empty()) {
        badwords = lmk::BadWords::load_dir(o.badwords);
        res.badwords = &badwords;
    }
    if (!o.url_blocklist.empty()) urls.load_blocklist(o.url_blocklist);
    if (!o.url_words.empty()) urls.load_word_dir(o.url_words);
    if (!o.public_suffix_list.empty() && lmk::file_exists(o.public_suffix_list))
        urls.load_public_suffixes(o.public_suffix_list);
    urls.soft_word_threshold = cfg.url.soft_word_threshold;
    res.url = &urls;
    lmk::Pipeline pipeline(lmk::parse_filter_list(o.filters.empty() ? default_filters(o) : o.filters), cfg, res);

    auto out = lmk::Output::open(o.output);
    std::unique_ptr<lmk::Output> rej;
    if (!o.rejected.empty()) rej = lmk::Output::open(o.rejected);
    lmk::CleanJob job;
    job.inputs = mine;
    job.pipeline = &pipeline;
    job.out = out.get();
    job.rejected = rej.get();
    job.strict = o.strict;
    job.text_field = o.text_field;
    job.id_field = o.id_field;
    lmk::CleanSummary s = lmk::run_clean(job);
    out->commit();
    if (rej) rej->commit();
    if (!o.stats.empty()) lmk::write_file(o.stats, lmk::stats_json(s));
    const auto& d = s.docs;
    lmk::log_info("{} docs in, {} kept, {} rejected; {:.1f} MB in, {:.1f} MB out, {:.1f} s", d.docs_in, d.kept,
                  d.rejected, d.bytes_in / 1e6, d.bytes_out / 1e6, s.seconds);
    // A damaged gzip member inside a record is also counted as that record's truncation.
    uint64_t bad = s.input.malformed_lines + s.input.warc_truncated + s.input.warc_bad_headers;
    if (bad || s.input.warc_damaged_members)
        lmk::log_warn("{} malformed or truncated input records skipped, {} damaged gzip members (see --stats)", bad,
                      s.input.warc_damaged_members);
    if (o.world > 1) lmk::write_file(marker, lmk::stats_json(s));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"clean-corpus",
         "Clean web documents for language-model training: read Common Crawl WET/WARC files (HTML pages are "
         "reduced to their main text) or JSONL documents, apply the C4, Gopher, FineWeb, language, URL, bad-word, "
         "length and PII rules in the order given, and write kept documents as JSONL {\"id\",\"text\",\"url\","
         "\"date\",\"lang\",\"lang_score\",...}. Every dropped document has a filter and a reason (--rejected, "
         "--stats).",
         kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", o.files, "inputs: .warc.wet[.gz], .warc[.gz], .jsonl[.gz|.zst] (format from content)");
            app.add_option("-o,--output", o.output, "kept documents (.gz/.zst compress)")->capture_default_str();
            auto* g = "Filters";
            app.add_option("--filters", o.filters,
                           "comma list in order: length,url,lang,gopher-repetition,gopher-quality,c4,fineweb,"
                           "badwords,pii or all (default: all but pii; url/badwords only when their lists are given)")
                ->group(g);
            app.add_option("--config", o.config, "JSON overriding filter parameters (see --print-config)")->group(g);
            app.add_flag("--print-config", o.print_config, "print the filter parameters (published defaults) and exit")
                ->group(g);
            app.add_option("--badwords", o.badwords, "directory of LDNOOBW lists, one file per language")->group(g);
            app.add_option("--url-blocklist", o.url_blocklist, "file of blocked domains (or URLs), one a line")->group(g);
            app.add_option("--url-words", o.url_words,
                           "directory with banned_words.txt, banned_subwords.txt, soft_banned_words.txt")
                ->group(g);
            app.add_option("--public-suffix-list", o.public_suffix_list, "public suffix list for registered domains")
                ->group(g)->capture_default_str();
            app.add_option("--lang", o.lang, "languages to keep, comma list (default en; any = all)")->group(g);
            app.add_option("--lang-min-score", o.lang_min_score, "minimum language score (default 0.65)")->group(g);
            app.add_option("--lang-source", o.lang_source, "cld2, or warc (WET language header, else cld2)")
                ->group(g)->check(CLI::IsMember({"cld2", "warc"}));
            auto* io = "Input/output";
            app.add_option("--rejected", o.rejected, "write rejected documents here, with \"reject\"")->group(io);
            app.add_option("--stats", o.stats, "write JSON counts per filter and reason")->group(io);
            app.add_option("--text-field", o.text_field, "JSONL text field")->group(io)->capture_default_str();
            app.add_option("--id-field", o.id_field, "JSONL id field")->group(io)->capture_default_str();
            app.add_flag("--strict", o.strict, "stop at the first malformed record")->group(io);
            app.add_option("--rank", o.rank, "this worker's rank: takes every W-th input file from R")->group(io);
            app.add_option("--world", o.world, "number of workers; -o then gets a .done marker when complete")->group(io);
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
