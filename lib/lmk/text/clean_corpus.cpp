// text/clean_corpus.cpp: see clean_corpus.h.
//
// The reader stage turns records into Items (cheap: copies of raw fields or WARC bodies);
// everything costly — HTML parsing, charset conversion, filtering, JSON formatting — happens
// in the parallel stage, which leaves each item's output lines ready; the writer stage only
// appends bytes and merges counts, in input order.
#include "lmk/text/clean_corpus.h"

#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/threads.h"
#include "lmk/core/utf8.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/warc.h"
#include "lmk/text/html_extract.h"
#include "lmk/text/unicode.h"

#include <chrono>
#include <fmt/format.h>
#include <memory>
#include <tbb/parallel_pipeline.h>
#include <xxhash.h>

namespace lmk {
namespace {

enum class ItemKind { jsonl, wet, warc_response };

struct Item {
    ItemKind kind;
    std::vector<std::pair<std::string, std::string>> fields; // JSONL: key, raw JSON value
    bool has_text = true;
    std::string text;    // JSONL text / WET body / WARC payload
    std::string id, url, date, warc_lang;
    // Filled by the parallel stage:
    std::string kept_line, rejected_line;
    std::string skipped; // non-empty: not a document, counted under this key
    uint64_t utf8_replaced = 0;
};

struct Batch {
    std::vector<Item> items;
    PipelineStats stats;
    InputStats input; // reader-side counts that belong with this batch
};

std::string hash_id(std::string_view text) {
    return fmt::format("xxh3:{:016x}", XXH3_64bits(text.data(), text.size()));
}

std::string strip_angle(std::string_view s) {
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return std::string(s);
}

// Reads items from the inputs one after another.
class Reader {
public:
    explicit Reader(const CleanJob& job) : job_(job) {}

    bool fill(Batch& b) {
        size_t bytes = 0;
        while (b.items.size() < job_.batch_docs && bytes < job_.batch_bytes) {
            if (!jsonl_ && !warc_) {
                if (file_ >= job_.inputs.size()) break;
                open(job_.inputs[file_++], b.input);
            }
            Item it;
            bool got = jsonl_ ? next_jsonl(it) : next_warc(it, b.input);
            if (!got) {
                close(b.input);
                continue;
            }
            bytes += it.text.size();
            b.items.push_back(std::move(it));
        }
        return !b.items.empty();
    }

    void finish(InputStats& s) { close(s); }

private:
    void open(const std::string& path, InputStats& s) {
        s.files++;
        if (detect_input_format(path) == InputFormat::warc) {
            warc_ = std::make_unique<WarcReader>(path, job_.strict);
        } else {
            JsonlOptions o;
            o.strict = job_.strict;
            jsonl_ = std::make_unique<JsonlReader>(path, o);
        }
    }

    void close(InputStats& s) {
        if (jsonl_) {
            s.jsonl_records += jsonl_->records();
            s.malformed_lines += jsonl_->malformed();
            s.blank_lines += jsonl_->blank_lines();
            s.utf8_replaced += jsonl_->utf8_replaced();
            jsonl_.reset();
        }
        if (warc_) {
            const WarcStats& w = warc_->stats();
            s.warc_records += w.records;
            s.warc_truncated += w.truncated;
            s.warc_damaged_members += w.damaged_members;
            s.warc_garbage_bytes += w.garbage_bytes;
            s.warc_bad_headers += w.bad_headers;
            warc_.reset();
        }
    }

    bool next_jsonl(Item& it) {
        if (!jsonl_->next()) return false;
        it.kind = ItemKind::jsonl;
        for (const JsonField& f : jsonl_->fields()) it.fields.emplace_back(std::string(f.key), std::string(f.raw));
        auto text = jsonl_->get_string(job_.text_field);
        it.has_text = text.has_value();
        if (text) it.text = std::string(*text);
        if (auto u = jsonl_->get_string("url")) it.url = std::string(*u);
        it.id = jsonl_->find(job_.id_field) ? std::string() : hash_id(it.text);
        return true;
    }

    bool next_warc(Item& it, InputStats& s) {
        WarcRecord rec;
        while (warc_->next(rec)) {
            std::string_view type = rec.type();
            if (type != "conversion" && type != "response") {
                s.skipped[fmt::format("warc_{}", type.empty() ? "untyped" : type)]++;
                continue;
            }
            it.kind = type == "conversion" ? ItemKind::wet : ItemKind::warc_response;
            it.text = std::move(rec.body);
            it.id = strip_angle(rec.header("WARC-Record-ID"));
            it.url = std::string(rec.header("WARC-Target-URI"));
            it.date = std::string(rec.header("WARC-Date"));
            it.warc_lang = std::string(rec.header("WARC-Identified-Content-Language"));
            if (it.id.empty()) it.id = hash_id(it.text);
            return true;
        }
        return false;
    }

    const CleanJob& job_;
    size_t file_ = 0;
    std::unique_ptr<JsonlReader> jsonl_;
    std::unique_ptr<WarcReader> warc_;
};

std::string lang_score_json(double s) { return s < 0 ? "null" : json_number(double(int64_t(s * 10000 + 0.5)) / 10000); }

// Builds the output object of an item: its fields with edits applied, new keys appended.
std::string build_object(const Item& it, const std::vector<JsonEdit>& edits) {
    JsonObjectWriter w;
    std::vector<bool> used(edits.size(), false);
    for (const auto& [key, raw] : it.fields) {
        bool edited = false;
        for (size_t e = 0; e < edits.size(); e++)
            if (edits[e].first == key) {
                used[e] = true;
                edited = true;
                if (edits[e].second) w.raw(key, *edits[e].second);
            }
        if (!edited) w.raw(key, raw);
    }
    for (size_t e = 0; e < edits.size(); e++)
        if (!used[e] && edits[e].second) w.raw(edits[e].first, *edits[e].second);
    return w.finish();
}

void process(Item& it, const CleanJob& job, PipelineStats& st) {
    const Pipeline& p = *job.pipeline;
    Document doc;
    doc.url = it.url;
    doc.warc_lang = it.warc_lang;
    size_t replaced = 0;
    if (it.kind == ItemKind::warc_response) {
        auto resp = parse_http_response(it.text);
        if (!resp) {
            it.skipped = "warc_response_not_http";
            return;
        }
        if (resp->status != 200) {
            it.skipped = "warc_response_not_200";
            return;
        }
        if (!is_html_content_type(resp->content_type)) {
            it.skipped = "warc_response_not_html";
            return;
        }
        doc.text = html_to_text(to_utf8(resp->body, detect_charset(resp->content_type, resp->body), &replaced));
    } else if (it.kind == ItemKind::wet) {
        doc.text = utf8_valid(it.text) ? std::move(it.text) : repair_utf8(it.text, &replaced);
    } else {
        doc.text = std::move(it.text);
    }
    it.utf8_replaced = replaced;

    DocOutcome o;
    if (it.kind == ItemKind::jsonl && !it.has_text) {
        // Counted as a document rejected by the input stage, so docs in = kept + rejected.
        st.docs_in++;
        st.rejected++;
        st.count_rejection("input", "missing_text");
        o.kept = false;
        o.filter = "input";
        o.rejection = {"missing_text", fmt::format("no string field \"{}\"", job.text_field)};
    } else if (it.kind == ItemKind::warc_response && py_strip(doc.text).empty()) {
        st.docs_in++;
        st.rejected++;
        st.count_rejection("extract", "no_text");
        o.kept = false;
        o.filter = "extract";
        o.rejection = {"no_text", "the HTML holds no main text"};
    } else {
        o = p.run(doc, st);
    }

    std::vector<JsonEdit> edits;
    if (it.kind == ItemKind::jsonl) {
        if (!it.id.empty()) edits.push_back({job.id_field, json_string(it.id)});
    } else {
        edits.push_back({"id", json_string(it.id)});
        // The input text is only written on a rejected line; a kept line gets the filtered
        // text below, and escaping a page that no line will hold is wasted work.
        edits.push_back({"text", !o.kept && job.rejected ? json_string(doc.text) : std::string()});
        edits.push_back({"url", json_string(it.url)});
        edits.push_back({"date", json_string(it.date)});
    }
    if (o.kept) {
        std::vector<JsonEdit> k = edits;
        bool text_set = false;
        for (auto& e : k)
            if (e.first == "text") e.second = json_string(o.text), text_set = true;
        if (!text_set) k.push_back({job.text_field, json_string(o.text)});
        k.push_back({"lang", json_string(o.lang)});
        k.push_back({"lang_score", lang_score_json(o.lang_score)});
        it.kept_line = build_object(it, k);
        it.kept_line.push_back('\n');
    } else if (job.rejected) {
        JsonObjectWriter r;
        r.str("filter", o.filter).str("reason", o.rejection.reason).str("detail", o.rejection.detail);
        edits.push_back({"reject", r.finish()});
        it.rejected_line = build_object(it, edits);
        it.rejected_line.push_back('\n');
    }
}

void add_input(InputStats& s, const InputStats& b) {
    s.files += b.files;
    s.jsonl_records += b.jsonl_records, s.malformed_lines += b.malformed_lines;
    s.blank_lines += b.blank_lines, s.utf8_replaced += b.utf8_replaced;
    s.warc_records += b.warc_records, s.warc_truncated += b.warc_truncated;
    s.warc_damaged_members += b.warc_damaged_members;
    s.warc_garbage_bytes += b.warc_garbage_bytes, s.warc_bad_headers += b.warc_bad_headers;
    for (auto& [k, n] : b.skipped) s.skipped[k] += n;
}

} // namespace

InputFormat detect_input_format(const std::string& path) {
    if (path == "-") return InputFormat::jsonl; // stdin cannot be rewound: JSONL
    auto in = Input::open(path, InputOptions{.tolerate_damage = true});
    char buf[16];
    size_t n = 0;
    while (n < 5) {
        size_t got = in->read(buf + n, 5 - n);
        if (got == 0) break;
        n += got;
    }
    return std::string_view(buf, n) == "WARC/" ? InputFormat::warc : InputFormat::jsonl;
}

CleanSummary run_clean(const CleanJob& job) {
    LMK_CHECK(job.pipeline && job.out, "run_clean: pipeline and output are required");
    CleanSummary sum;
    sum.threads = num_threads();
    auto t0 = std::chrono::steady_clock::now();
    Reader reader(job);
    // Progress in documents read (a terminal line, or a plain line every few seconds on long
    // runs); the tool prints its own summary, so finish() is not called.
    Progress progress("clean-corpus", 0, "docs");
    bool done = false;
    InputStats last_input;
    size_t tokens = size_t(std::max(2, num_threads() * 2));
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, std::shared_ptr<Batch>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<Batch> {
                auto b = std::make_shared<Batch>();
                if (done || !reader.fill(*b)) {
                    done = true;
                    reader.finish(last_input); // folded in after the pipeline: no race with the writer
                    fc.stop();
                    return nullptr;
                }
                return b;
            }) &
            tbb::make_filter<std::shared_ptr<Batch>, std::shared_ptr<Batch>>(
                tbb::filter_mode::parallel,
                [&](std::shared_ptr<Batch> b) {
                    for (Item& it : b->items) process(it, job, b->stats);
                    return b;
                }) &
            tbb::make_filter<std::shared_ptr<Batch>, void>(
                tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Batch> b) {
                    for (Item& it : b->items) {
                        if (!it.skipped.empty()) {
                            b->input.skipped[it.skipped]++;
                            continue;
                        }
                        b->input.utf8_replaced += it.utf8_replaced;
                        if (!it.kept_line.empty()) job.out->write(it.kept_line);
                        if (!it.rejected_line.empty()) job.rejected->write(it.rejected_line);
                    }
                    sum.docs.merge(b->stats);
                    add_input(sum.input, b->input);
                    progress.add(b->items.size());
                }));
    add_input(sum.input, last_input);
    sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum;
}

std::string stats_json(const CleanSummary& s) {
    const PipelineStats& d = s.docs;
    std::string o = "{\n";
    o += fmt::format("  \"docs_in\": {},\n  \"kept\": {},\n  \"rejected\": {},\n", d.docs_in, d.kept, d.rejected);
    o += fmt::format("  \"bytes_in\": {},\n  \"bytes_out\": {},\n  \"chars_in\": {},\n  \"chars_out\": {},\n", d.bytes_in,
                     d.bytes_out, d.chars_in, d.chars_out);
    o += "  \"filters\": {";
    bool first = true;
    for (const auto& [name, fc] : d.filters) {
        o += fmt::format("{}\n    {}: {{\"in\": {}, \"rejected\": {}, \"reasons\": {{", first ? "" : ",", json_string(name),
                         fc.in, fc.rejected);
        bool f2 = true;
        for (const auto& [r, n] : fc.reasons) {
            o += fmt::format("{}{}: {}", f2 ? "" : ", ", json_string(r), n);
            f2 = false;
        }
        o += "}}";
        first = false;
    }
    o += first ? "},\n" : "\n  },\n";
    auto map_json = [](const std::map<std::string, uint64_t>& m) {
        std::string r = "{";
        bool f = true;
        for (const auto& [k, n] : m) {
            r += fmt::format("{}{}: {}", f ? "" : ", ", json_string(k), n);
            f = false;
        }
        return r + "}";
    };
    o += "  \"languages\": " + map_json(d.languages) + ",\n";
    o += "  \"missing_badwords_lang\": " + map_json(d.missing_badwords_lang) + ",\n";
    o += fmt::format(
        "  \"c4_lines\": {{\"too_long_word\": {}, \"no_endmark\": {}, \"too_short\": {}, \"javascript\": {}, "
        "\"policy\": {}, \"valid\": {}}},\n",
        d.c4_lines.too_long_word, d.c4_lines.no_endmark, d.c4_lines.too_short, d.c4_lines.javascript,
        d.c4_lines.policy, d.c4_lines.valid);
    o += fmt::format("  \"pii\": {{\"emails\": {}, \"ips\": {}}},\n  \"url_missing\": {},\n", d.pii.emails, d.pii.ips,
                     d.no_url);
    const InputStats& in = s.input;
    o += fmt::format(
        "  \"input\": {{\"files\": {}, \"jsonl_records\": {}, \"malformed_lines\": {}, \"blank_lines\": {}, "
        "\"warc_records\": {}, \"warc_truncated\": {}, \"warc_damaged_members\": {}, \"warc_garbage_bytes\": {}, "
        "\"warc_bad_headers\": {}, \"utf8_replaced\": {}, \"skipped\": {}}},\n",
        in.files, in.jsonl_records, in.malformed_lines, in.blank_lines, in.warc_records, in.warc_truncated,
        in.warc_damaged_members, in.warc_garbage_bytes, in.warc_bad_headers, in.utf8_replaced, map_json(in.skipped));
    o += fmt::format("  \"threads\": {},\n  \"seconds\": {:.3f}\n}}\n", s.threads, s.seconds);
    return o;
}

} // namespace lmk
