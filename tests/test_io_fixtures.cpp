// The generated fixtures (gen-testdata, run by the testdata_generate ctest fixture into
// LMK_BINARY_DIR/testdata) are what testdata/README.md says they are, read through the
// project's own readers: counts, languages, duplicates and each malformed case's defect.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/shard.h"
#include "lmk/io/warc.h"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

const std::string kDir = std::string(LMK_BINARY_DIR) + "/testdata";

struct QuietLog {
    std::string text;
    QuietLog() { lmk::set_log_sink(&text); }
    ~QuietLog() { lmk::set_log_sink(nullptr); }
};

struct Doc {
    std::string id, text, url, lang;
};

std::vector<Doc> read_docs(const std::string& path) {
    lmk::JsonlReader r(path, {.strict = true});
    std::vector<Doc> docs;
    while (r.next()) {
        Doc d;
        d.id = std::string(r.get_string("id").value());
        d.text = std::string(r.get_string("text").value());
        d.url = std::string(r.get_string("url").value());
        const lmk::JsonField* meta = r.find("meta");
        REQUIRE(meta);
        CHECK(meta->type == lmk::JsonType::object);
        auto lang_at = std::string(meta->raw).find("\"lang\":\"");
        REQUIRE(lang_at != std::string::npos);
        d.lang = std::string(meta->raw).substr(lang_at + 8, 2);
        docs.push_back(d);
    }
    return docs;
}

std::vector<lmk::WarcRecord> read_warc(const std::string& path, lmk::WarcStats* stats) {
    QuietLog quiet;
    lmk::WarcReader r(path);
    std::vector<lmk::WarcRecord> recs;
    lmk::WarcRecord rec;
    while (r.next(rec)) recs.push_back(rec);
    *stats = r.stats();
    return recs;
}

} // namespace

TEST_CASE("fixtures: docs.jsonl has 50 documents in 8 languages with known duplicates") {
    if (!lmk::file_exists(kDir + "/docs.jsonl")) {
        MESSAGE("fixtures not generated (run ctest, which runs testdata_generate first)");
        return;
    }
    std::vector<Doc> docs = read_docs(kDir + "/docs.jsonl");
    REQUIRE(docs.size() == 50);
    const char* langs[] = {"en", "de", "fr", "es", "zh", "ja", "ru", "ar"};
    for (int i = 0; i < 40; i++) {
        CHECK(docs[size_t(i)].id == fmt::format("doc-{:03d}", i));
        CHECK(docs[size_t(i)].lang == langs[i / 5]);
    }
    // The 40 originals are pairwise distinct.
    std::set<std::string> texts;
    for (int i = 0; i < 40; i++) texts.insert(docs[size_t(i)].text);
    CHECK(texts.size() == 40);
    // Exact duplicates.
    int exact[][2] = {{40, 0}, {41, 5}, {42, 10}, {43, 15}, {44, 20}};
    for (auto [dup, src] : exact) {
        CHECK(docs[size_t(dup)].text == docs[size_t(src)].text);
        CHECK(docs[size_t(dup)].url != docs[size_t(src)].url);
    }
    // Near-duplicates: same number of words, exactly one differs.
    int near[][2] = {{45, 1}, {46, 2}, {47, 6}, {48, 11}, {49, 16}};
    auto words = [](const std::string& s) {
        std::vector<std::string> w;
        size_t i = 0;
        while (i < s.size()) {
            size_t j = s.find_first_of(" \n", i);
            if (j == std::string::npos) j = s.size();
            w.push_back(s.substr(i, j - i));
            i = j + 1;
        }
        return w;
    };
    for (auto [dup, src] : near) {
        auto a = words(docs[size_t(dup)].text), b = words(docs[size_t(src)].text);
        REQUIRE(a.size() == b.size());
        int diff = 0;
        for (size_t k = 0; k < a.size(); k++) diff += a[k] != b[k];
        CHECK(diff == 1);
    }
    // doc-004 carries the characters a JSON writer must escape; they round-trip.
    CHECK(docs[4].text.find("She said \"hello\", typed C:\\temp\\new\tand smiled \xF0\x9F\xA6\x8A") != std::string::npos);
}

TEST_CASE("fixtures: docs.jsonl.gz and docs.jsonl.zst decompress to docs.jsonl") {
    if (!lmk::file_exists(kDir + "/docs.jsonl")) return;
    std::string plain = lmk::read_file(kDir + "/docs.jsonl");
    for (const char* ext : {".jsonl.gz", ".jsonl.zst"}) {
        auto in = lmk::Input::open(kDir + "/docs" + ext);
        CHECK(in->compression() == (std::string(ext) == ".jsonl.gz" ? lmk::Compression::gzip : lmk::Compression::zstd));
        CHECK(lmk::read_file(kDir + "/docs" + ext) == plain);
    }
}

TEST_CASE("fixtures: tiny.warc.wet.gz is warcinfo + 5 conversion records with languages") {
    if (!lmk::file_exists(kDir + "/tiny.warc.wet.gz")) return;
    lmk::WarcStats st;
    auto recs = read_warc(kDir + "/tiny.warc.wet.gz", &st);
    REQUIRE(recs.size() == 6);
    CHECK(st.truncated == 0);
    CHECK(st.garbage_bytes == 0);
    CHECK(recs[0].type() == "warcinfo");
    const char* langs[] = {"eng", "deu", "fra", "zho", "eng,spa"};
    for (size_t i = 1; i < 6; i++) {
        CHECK(recs[i].type() == "conversion");
        CHECK(recs[i].header("WARC-Identified-Content-Language") == langs[i - 1]);
        CHECK(recs[i].header("Content-Length") == std::to_string(recs[i].body.size()));
        CHECK(recs[i].header("WARC-Record-ID").starts_with("<urn:uuid:"));
    }
    // One gzip member per record: the compressed file holds 6 gzip headers.
    auto in = lmk::Input::open(kDir + "/tiny.warc.wet.gz");
    CHECK(in->compression() == lmk::Compression::gzip);
}

TEST_CASE("fixtures: tiny.warc.gz holds warcinfo, a request and 4 responses") {
    if (!lmk::file_exists(kDir + "/tiny.warc.gz")) return;
    lmk::WarcStats st;
    auto recs = read_warc(kDir + "/tiny.warc.gz", &st);
    REQUIRE(recs.size() == 6);
    CHECK(recs[0].type() == "warcinfo");
    CHECK(recs[1].type() == "request");
    for (size_t i = 2; i < 6; i++) CHECK(recs[i].type() == "response");
    CHECK(recs[2].body.find("Content-Type: text/html; charset=UTF-8") != std::string::npos);
    CHECK(recs[2].body.find("<script>") != std::string::npos);
    CHECK(recs[3].body.find("charset=ISO-8859-1") != std::string::npos);
    CHECK(recs[3].body.find("Die Stra\xDF" "e") != std::string::npos); // Latin-1 sharp s
    CHECK(recs[4].body.find("caf&eacute;") != std::string::npos);
    CHECK(recs[5].body.find("Content-Type: image/png") != std::string::npos);
}

TEST_CASE("fixtures: malformed JSONL cases") {
    if (!lmk::file_exists(kDir + "/bad_json.jsonl")) return;
    QuietLog quiet;
    {
        lmk::JsonlReader r(kDir + "/bad_json.jsonl");
        std::vector<uint64_t> lines;
        while (r.next()) lines.push_back(r.line());
        CHECK(lines == std::vector<uint64_t>{1, 2, 4, 5});
        CHECK(r.malformed() == 1);
    }
    {
        lmk::JsonlReader r(kDir + "/invalid_utf8.jsonl");
        int n = 0;
        while (r.next()) n++;
        CHECK(n == 3);
        CHECK(r.malformed() == 0);
        CHECK(r.utf8_replaced() == 9); // maximal-subpart repair: 1+1+2+1+3+1
    }
    {
        lmk::JsonlReader r(kDir + "/truncated.jsonl.gz");
        auto drain = [&] { while (r.next()) {} };
        CHECK_THROWS_AS(drain(), lmk::Error);
    }
}

TEST_CASE("fixtures: bad_magic.bin is refused with the shard magic in the message") {
    if (!lmk::file_exists(kDir + "/bad_magic.bin")) return;
    CHECK_THROWS_AS(lmk::Shard(kDir + "/bad_magic.bin"), lmk::Error);
}

TEST_CASE("fixtures: damaged WARC files") {
    if (!lmk::file_exists(kDir + "/truncated.warc.gz")) return;
    lmk::WarcStats st;
    auto recs = read_warc(kDir + "/truncated.warc.gz", &st);
    CHECK(recs.size() == 4); // warcinfo + 3 conversions; the 4th conversion's member is cut
    CHECK(st.truncated + st.damaged_members >= 1);

    recs = read_warc(kDir + "/garbage.warc", &st);
    REQUIRE(recs.size() == 4);
    CHECK(recs[2].header("WARC-Target-URI") == "http://example.com/g/2");
    CHECK(st.garbage_bytes == 49);
}
