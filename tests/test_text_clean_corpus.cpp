#include "lmk/text/clean_corpus.h"

#include "lmk/core/threads.h"
#include "lmk/io/file.h"
#include "lmk/io/warc.h"
#include "lmk/io/jsonl.h"
#include "lmk/text/lang_id.h"

#include <algorithm>
#include <fmt/format.h>
#include <xxhash.h>

#include "test_util.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <unistd.h>

using namespace lmk;

namespace {

using lmk_test::TempDir;

const char* kGoodText =
    "The history of the town goes back to the twelfth century, when farmers settled by the river.\n"
    "Over the following years the settlement grew into a market town with a church and a mill.\n"
    "Today the town is known for its old bridge and its annual summer fair for many visitors.";

std::string make_jsonl(int n) {
    std::string s;
    for (int i = 0; i < n; i++) {
        if (i % 3 == 0) s += fmt::format("{{\"id\":\"d{}\",\"text\":{},\"meta\":{{\"k\":[1,2]}}}}\n", i, json_string(kGoodText));
        else if (i % 3 == 1) s += fmt::format("{{\"text\":\"too short {}\",\"url\":\"http://x.org/{}\"}}\n", i, i);
        else s += fmt::format("{{\"id\":{},\"body\":\"no text field\"}}\n", i);
    }
    return s;
}

struct Run {
    std::string kept, rejected;
    CleanSummary summary;
};

Run run(const std::vector<std::string>& inputs, const std::string& dir, const std::string& filters, int threads,
        size_t batch_docs = 2) {
    set_threads(threads);
    Pipeline p(parse_filter_list(filters), FilterConfig{}, {});
    auto out = Output::open(dir + "/kept.jsonl");
    auto rej = Output::open(dir + "/rej.jsonl");
    CleanJob job;
    job.inputs = inputs;
    job.pipeline = &p;
    job.out = out.get();
    job.rejected = rej.get();
    job.batch_docs = batch_docs;
    Run r;
    r.summary = run_clean(job);
    out->commit();
    rej->commit();
    r.kept = read_file(dir + "/kept.jsonl");
    r.rejected = read_file(dir + "/rej.jsonl");
    set_threads(0);
    return r;
}

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

} // namespace

TEST_CASE("clean_corpus: JSONL fields kept, ids added, rejects explained") {
    TempDir t;
    write_file(t.path + "/in.jsonl", make_jsonl(3));
    Run r = run({t.path + "/in.jsonl"}, t.path, "length,c4", 1);
    CHECK(r.kept == fmt::format("{{\"id\":\"d0\",\"text\":{},\"meta\":{{\"k\":[1,2]}},\"lang\":\"en\",\"lang_score\":0.99}}\n",
                                json_string(kGoodText)));
    CHECK(r.rejected ==
          "{\"text\":\"too short 1\",\"url\":\"http://x.org/1\",\"id\":\"xxh3:" +
              fmt::format("{:016x}", XXH3_64bits("too short 1", 11)) +
              "\",\"reject\":{\"filter\":\"c4\",\"reason\":\"too_few_sentences\",\"detail\":\"0 sentences < 3\"}}\n"
              "{\"id\":2,\"body\":\"no text field\",\"reject\":{\"filter\":\"input\",\"reason\":\"missing_text\","
              "\"detail\":\"no string field \\\"text\\\"\"}}\n");
    CHECK(r.summary.docs.docs_in == 3);
    CHECK(r.summary.docs.kept == 1);
    CHECK(r.summary.docs.rejected == 2);
}

TEST_CASE("clean_corpus: output identical for any thread count; docs in = kept + rejected") {
    TempDir t;
    write_file(t.path + "/a.jsonl", make_jsonl(200));
    write_file(t.path + "/b.jsonl.gz", make_jsonl(101));
    std::vector<std::string> in = {t.path + "/a.jsonl", t.path + "/b.jsonl.gz"};
    Run one = run(in, t.path, "length,lang,gopher-repetition,gopher-quality,c4,fineweb", 1);
    Run four = run(in, t.path, "length,lang,gopher-repetition,gopher-quality,c4,fineweb", 4, 3);
    CHECK(one.kept == four.kept);
    CHECK(one.rejected == four.rejected);
    const auto& d = one.summary.docs;
    CHECK(d.docs_in == 301);
    CHECK(d.docs_in == d.kept + d.rejected);
    CHECK(lines(one.kept) == d.kept);
    CHECK(lines(one.rejected) == d.rejected);
    uint64_t by_reason = 0;
    for (const auto& [name, fc] : d.filters)
        for (const auto& [reason, n] : fc.reasons) by_reason += n;
    CHECK(by_reason == d.rejected);
    CHECK(stats_json(one.summary).find("\"docs_in\": 301") != std::string::npos);
}

TEST_CASE("clean_corpus: WET and WARC records") {
    TempDir t;
    {
        auto out = Output::open(t.path + "/x.warc.wet.gz", {.raw = true});
        WarcWriter w(*out, true);
        WarcRecord info;
        info.set_header("WARC-Type", "warcinfo");
        info.body = "software: test\r\n";
        w.write(info);
        WarcRecord conv;
        conv.set_header("WARC-Type", "conversion");
        conv.set_header("WARC-Target-URI", "http://example.com/a");
        conv.set_header("WARC-Date", "2024-05-18T01:02:03Z");
        conv.set_header("WARC-Record-ID", "<urn:uuid:1234>");
        conv.set_header("WARC-Identified-Content-Language", "eng");
        conv.body = kGoodText;
        w.write(conv);
        WarcRecord resp;
        resp.set_header("WARC-Type", "response");
        resp.set_header("WARC-Target-URI", "http://example.com/b");
        resp.set_header("WARC-Record-ID", "<urn:uuid:5678>");
        resp.body = std::string("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<html><body>"
                                "<nav>menu</nav><p>Caf\xe9 au lait.</p></body></html>");
        w.write(resp);
        WarcRecord pdf = resp;
        pdf.set_header("WARC-Record-ID", "<urn:uuid:9>");
        pdf.body = "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n%PDF";
        w.write(pdf);
        out->commit();
    }
    Run r = run({t.path + "/x.warc.wet.gz"}, t.path, "length", 2);
    CHECK(r.kept == fmt::format("{{\"id\":\"urn:uuid:1234\",\"text\":{},\"url\":\"http://example.com/a\","
                                "\"date\":\"2024-05-18T01:02:03Z\",\"lang\":\"en\",\"lang_score\":0.99}}\n"
                                "{{\"id\":\"urn:uuid:5678\",\"text\":\"Caf\xc3\xa9 au lait.\",\"url\":\"http://example.com/b\","
                                "\"date\":\"\",\"lang\":\"{}\",\"lang_score\":{}}}\n",
                                json_string(kGoodText), detect_language("Caf\xc3\xa9 au lait.").lang,
                                json_number(double(int64_t(detect_language("Caf\xc3\xa9 au lait.").score * 10000 + 0.5)) / 10000)));
    CHECK(r.summary.docs.docs_in == 2);
    CHECK(r.summary.input.skipped["warc_warcinfo"] == 1);
    CHECK(r.summary.input.skipped["warc_response_not_html"] == 1);
}
