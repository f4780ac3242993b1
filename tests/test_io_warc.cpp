// Tests for io/warc.h: writer -> reader round trips, hand-written CRLF/LF inputs, and every
// kind of damage the reader must report, count and skip.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"
#include "lmk/io/warc.h"

#include "test_util.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using lmk_test::TempDir;
using lmk_test::LogCapture;
using lmk_test::raw_bytes;
using lmk_test::put_raw;

namespace {

lmk::WarcRecord make_record(const std::string& type, const std::string& uri, const std::string& body) {
    lmk::WarcRecord r;
    r.version = "WARC/1.0";
    r.headers = {{"WARC-Type", type},
                 {"WARC-Target-URI", uri},
                 {"WARC-Date", "2024-01-02T03:04:05Z"},
                 {"Content-Type", "text/plain"}};
    r.body = body;
    return r;
}

std::vector<lmk::WarcRecord> sample_records() {
    std::vector<lmk::WarcRecord> v;
    v.push_back(make_record("warcinfo", "", "software: lmkit\r\n"));
    v.push_back(make_record("conversion", "http://a.example/", "Hello, world.\nSecond line\n"));
    v.push_back(make_record("conversion", "http://b.example/", "")); // empty body
    // Bytes that look like structure: CRLFs, a fake header block, non-ASCII (length in bytes).
    v.push_back(make_record("conversion", "http://c.example/",
                            "WARC/1.0\r\nContent-Length: 5\r\n\r\nna\xc3\xafve caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\r\n"));
    v.back().headers.emplace_back("WARC-Identified-Content-Language", "fra,eng");
    return v;
}

void write_records(const std::string& path, const std::vector<lmk::WarcRecord>& recs, bool gzip) {
    auto out = lmk::Output::open(path, lmk::OutputOptions{.binary = true, .raw = true});
    lmk::WarcWriter w(*out, gzip);
    for (const auto& r : recs) w.write(r);
    out->commit();
}

std::vector<lmk::WarcRecord> read_all(const std::string& path, lmk::WarcStats* stats = nullptr,
                                      bool strict = false) {
    lmk::WarcReader r(path, strict);
    std::vector<lmk::WarcRecord> v;
    lmk::WarcRecord rec;
    while (r.next(rec)) v.push_back(rec);
    if (stats) *stats = r.stats();
    return v;
}

// Raw bytes of a file (no decompression).
// Start offsets of gzip members in a file written by WarcWriter (found by re-inflating).
std::vector<size_t> member_offsets(const std::string& raw) {
    std::vector<size_t> offs;
    size_t pos = 0;
    while (pos < raw.size()) {
        offs.push_back(pos);
        z_stream z{};
        REQUIRE(inflateInit2(&z, 31) == Z_OK);
        std::string sink(1 << 16, '\0');
        z.next_in = (Bytef*)raw.data() + pos;
        z.avail_in = uInt(raw.size() - pos);
        int rc;
        do {
            z.next_out = (Bytef*)sink.data();
            z.avail_out = uInt(sink.size());
            rc = inflate(&z, Z_NO_FLUSH);
        } while (rc == Z_OK);
        REQUIRE(rc == Z_STREAM_END);
        pos = raw.size() - z.avail_in;
        inflateEnd(&z);
    }
    return offs;
}

void check_same(const std::vector<lmk::WarcRecord>& got, const std::vector<lmk::WarcRecord>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); i++) {
        CHECK(got[i].version == want[i].version);
        CHECK(got[i].body == want[i].body);
        CHECK(got[i].index == i);
        // The writer appends Content-Length after the given headers.
        REQUIRE(got[i].headers.size() == want[i].headers.size() + 1);
        for (size_t k = 0; k < want[i].headers.size(); k++) CHECK(got[i].headers[k] == want[i].headers[k]);
        CHECK(got[i].headers.back().first == "Content-Length");
        CHECK(got[i].headers.back().second == std::to_string(want[i].body.size()));
    }
}

} // namespace

TEST_CASE("warc: header lookup is case-insensitive") {
    lmk::WarcRecord r = make_record("conversion", "http://x/", "abc");
    CHECK(r.header("warc-target-uri") == "http://x/");
    CHECK(r.header("WARC-TYPE") == "conversion");
    CHECK(r.type() == "conversion");
    CHECK(r.header("missing").empty());
    r.set_header("warc-type", "response");
    CHECK(r.type() == "response");
    CHECK(r.headers.size() == 4);
}

TEST_CASE("warc: plain round trip with exact bytes and offsets") {
    TempDir t;
    auto recs = sample_records();
    std::string path = t.file("a.warc");
    write_records(path, recs, false);

    // The exact serialisation of the first record.
    std::string raw = raw_bytes(path);
    std::string first = "WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Target-URI: \r\n"
                        "WARC-Date: 2024-01-02T03:04:05Z\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 17\r\n\r\nsoftware: lmkit\r\n\r\n\r\n";
    REQUIRE(raw.substr(0, first.size()) == first);

    lmk::WarcStats st;
    auto got = read_all(path, &st);
    check_same(got, recs);
    CHECK(got[0].offset == 0);
    CHECK(got[1].offset == first.size());
    CHECK(got[3].header("WARC-Identified-Content-Language") == "fra,eng");
    CHECK(st.records == 4);
    CHECK(st.truncated == 0);
    CHECK(st.garbage_bytes == 0);
    CHECK(st.bad_headers == 0);
    CHECK(st.damaged_members == 0);
}

TEST_CASE("warc: gzip-per-record round trip writes one member per record") {
    TempDir t;
    auto recs = sample_records();
    std::string path = t.file("a.warc.gz");
    write_records(path, recs, true);
    std::string raw = raw_bytes(path);
    CHECK(member_offsets(raw).size() == recs.size());
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    check_same(got, recs);
    CHECK(st.records == 4);
    CHECK(st.damaged_members == 0);
    // Offsets are in the decompressed stream: same as in the plain file.
    std::string plain = t.file("a.warc");
    write_records(plain, recs, false);
    auto got_plain = read_all(plain);
    for (size_t i = 0; i < got.size(); i++) CHECK(got[i].offset == got_plain[i].offset);
}

TEST_CASE("warc: writer replaces a given Content-Length and rejects line breaks") {
    TempDir t;
    lmk::WarcRecord r = make_record("response", "http://x/", "12345");
    r.headers.insert(r.headers.begin() + 1, {"content-length", "999"});
    std::string path = t.file("b.warc");
    write_records(path, {r}, false);
    CHECK(raw_bytes(path) == "WARC/1.0\r\nWARC-Type: response\r\ncontent-length: 5\r\n"
                             "WARC-Target-URI: http://x/\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n"
                             "Content-Type: text/plain\r\n\r\n12345\r\n\r\n");
    auto out = lmk::Output::open(t.file("c.warc"), lmk::OutputOptions{.raw = true});
    lmk::WarcWriter w(*out, false);
    lmk::WarcRecord bad = make_record("response", "http://x/\r\nInjected: 1", "");
    CHECK_THROWS_AS(w.write(bad), lmk::Error);
}

TEST_CASE("warc: CRLF, bare LF and continuation lines") {
    TempDir t;
    SUBCASE("CRLF") {
        std::string path = t.file("crlf.warc");
        put_raw(path, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI:  http://x/  \r\n"
                      "Content-Length: 4\r\n\r\nab\r\n\r\n\r\n"
                      "WARC/1.1\r\nWARC-Type: metadata\r\nContent-Length: 0\r\n\r\n\r\n\r\n");
        lmk::WarcStats st;
        auto got = read_all(path, &st);
        REQUIRE(got.size() == 2);
        CHECK(got[0].version == "WARC/1.0");
        CHECK(got[0].header("WARC-Target-URI") == "http://x/");
        CHECK(got[0].body == "ab\r\n");
        CHECK(got[1].version == "WARC/1.1");
        CHECK(got[1].offset == 93);
        CHECK(got[1].body.empty());
        CHECK(st.garbage_bytes == 0);
    }
    SUBCASE("LF only") {
        std::string path = t.file("lf.warc");
        put_raw(path, "WARC/1.0\nWARC-Type: conversion\nContent-Length: 3\n\nab\n\n\n"
                      "WARC/1.0\nWARC-Type: conversion\nContent-Length: 2\n\nxy");
        lmk::WarcStats st;
        auto got = read_all(path, &st);
        REQUIRE(got.size() == 2);
        CHECK(got[0].body == "ab\n");
        CHECK(got[1].body == "xy");
        CHECK(got[1].offset == 55);
        CHECK(st.records == 2);
        CHECK(st.truncated == 0);
        CHECK(st.garbage_bytes == 0);
    }
    SUBCASE("continuation") {
        std::string path = t.file("cont.warc");
        put_raw(path, "WARC/1.0\r\nWARC-Type: conversion\r\nX-Long: first\r\n  second\r\n\tthird\r\n"
                      "Content-Length: 1\r\n\r\nz\r\n\r\n");
        auto got = read_all(path);
        REQUIRE(got.size() == 1);
        CHECK(got[0].header("X-Long") == "first second third");
        CHECK(got[0].body == "z");
    }
}

TEST_CASE("warc: truncated final gzip member is reported, counted and skipped") {
    TempDir t;
    auto recs = sample_records();
    std::string path = t.file("t.warc.gz");
    write_records(path, recs, true);
    std::string raw = raw_bytes(path);
    auto offs = member_offsets(raw);
    // Cut the last member in the middle of its compressed data.
    std::string cut = raw.substr(0, offs[3] + (raw.size() - offs[3]) / 2);
    put_raw(path, cut);
    LogCapture log;
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    REQUIRE(got.size() == 3);
    for (size_t i = 0; i < 3; i++) CHECK(got[i].body == recs[i].body);
    CHECK(st.records == 3);
    CHECK(st.truncated == 1);
    CHECK(st.damaged_members == 1);
    CHECK(st.bad_headers == 0);
    CHECK(log.count("record 4 at offset") == 1);
    CHECK(log.count("record skipped") == 1);
    // strict: the first problem throws
    CHECK_THROWS_AS(read_all(path, nullptr, true), lmk::Error);
}

TEST_CASE("warc: truncated body in a plain file") {
    TempDir t;
    std::string path = t.file("tb.warc");
    put_raw(path, "WARC/1.0\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
                  "WARC/1.0\r\nContent-Length: 100\r\n\r\nonly this");
    LogCapture log;
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "abc");
    CHECK(st.truncated == 1);
    CHECK(st.damaged_members == 0);
    CHECK(log.text.find("record 2 at offset 38: stream ends 91 bytes before the end of the body") !=
          std::string::npos);
}

TEST_CASE("warc: garbage between records is skipped and counted in bytes") {
    TempDir t;
    std::string path = t.file("g.warc");
    std::string garbage = "this is not a record\r\nnor is WARC/1.0 mid-line\n\n";
    put_raw(path, "WARC/1.0\r\nContent-Length: 2\r\n\r\nok\r\n\r\n" + garbage +
                      "WARC/1.0\r\nContent-Length: 3\r\n\r\nyes\r\n\r\ntrailing junk");
    LogCapture log;
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    REQUIRE(got.size() == 2);
    CHECK(got[0].body == "ok");
    CHECK(got[1].body == "yes");
    CHECK(got[1].offset == 37 + garbage.size());
    CHECK(st.garbage_bytes == garbage.size() + 13);
    CHECK(st.truncated == 0);
    CHECK(log.count("garbage") == 2);
    CHECK_THROWS_AS(read_all(path, nullptr, true), lmk::Error);
}

TEST_CASE("warc: a corrupt member in the middle loses only its record") {
    TempDir t;
    std::vector<lmk::WarcRecord> recs;
    for (int i = 0; i < 5; i++) {
        std::string body;
        for (int k = 0; k < 200; k++) body += "record " + std::to_string(i) + " line " + std::to_string(k) + "\n";
        recs.push_back(make_record("conversion", "http://r" + std::to_string(i) + "/", body));
    }
    std::string path = t.file("c.warc.gz");
    write_records(path, recs, true);
    std::string raw = raw_bytes(path);
    auto offs = member_offsets(raw);
    // Overwrite the middle of member 2's deflate data with bytes that make inflate fail.
    size_t mid = offs[2] + (offs[3] - offs[2]) / 2;
    for (size_t i = 0; i < 16; i++) raw[mid + i] = char(0xff);
    put_raw(path, raw);
    LogCapture log;
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    REQUIRE(got.size() == 4);
    CHECK(got[0].body == recs[0].body);
    CHECK(got[1].body == recs[1].body);
    CHECK(got[2].body == recs[3].body);
    CHECK(got[3].body == recs[4].body);
    CHECK(got[2].index == 2);
    CHECK(st.records == 4);
    CHECK(st.truncated == 1);
    CHECK(st.damaged_members == 1);
    CHECK(st.bad_headers == 0);
    CHECK(log.count("record 3 at offset") >= 1);
}

TEST_CASE("warc: a member whose CRC fails loses its record, though every byte inflated") {
    TempDir t;
    auto recs = sample_records();
    std::string path = t.file("crc.warc.gz");
    write_records(path, recs, true);
    std::string raw = raw_bytes(path);
    auto offs = member_offsets(raw);
    raw[offs[2] - 8] ^= 0x55; // member 1's CRC32 (the 8-byte trailer is CRC32, ISIZE)
    put_raw(path, raw);
    LogCapture log;
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    REQUIRE(got.size() == 3);
    CHECK(got[0].body == recs[0].body);
    CHECK(got[1].body == recs[2].body);
    CHECK(got[2].body == recs[3].body);
    CHECK(st.truncated == 1);
    CHECK(st.damaged_members == 1);
    CHECK(log.count("record 2 at offset") == 1);
    CHECK(log.count("incorrect data check") == 1);
}

TEST_CASE("warc: bad Content-Length and missing Content-Length resync to the next record") {
    TempDir t;
    std::string path = t.file("bl.warc");
    put_raw(path, "WARC/1.0\r\nWARC-Type: a\r\nContent-Length: 12x\r\n\r\nbody one\r\n\r\n"
                  "WARC/1.0\r\nWARC-Type: b\r\n\r\nbody two\r\n\r\n"
                  "WARC/1.0\r\nWARC-Type: c\r\nContent-Length: 4\r\n\r\ngood\r\n\r\n"
                  "WARC/1.0\r\nno colon here\r\nContent-Length: 1\r\n\r\nx\r\n\r\n"
                  "WARC/1.0\r\nWARC-Type: d\r\nContent-Length: 0\r\n\r\n\r\n\r\n");
    LogCapture log;
    lmk::WarcStats st;
    auto got = read_all(path, &st);
    REQUIRE(got.size() == 2);
    CHECK(got[0].type() == "c");
    CHECK(got[0].body == "good");
    CHECK(got[1].type() == "d");
    CHECK(st.bad_headers == 3);
    CHECK(st.garbage_bytes == 0);
    CHECK(st.truncated == 0);
    CHECK(log.count("bad Content-Length \"12x\"") == 1);
    CHECK(log.count("no Content-Length header") == 1);
    CHECK(log.count("malformed header line \"no colon here\"") == 1);
    CHECK(log.text.find("bl.warc: record 1 at offset 0:") != std::string::npos);
    CHECK_THROWS_AS(read_all(path, nullptr, true), lmk::Error);
}

TEST_CASE("warc: a 100 MB record") {
    TempDir t;
    std::string body(100u << 20, '\0');
    for (size_t i = 0; i < body.size(); i++) body[i] = char('a' + (i * 7919) % 26);
    lmk::WarcRecord big = make_record("resource", "http://big/", body);
    std::string path = t.file("big.warc.gz");
    write_records(path, {make_record("warcinfo", "", "x"), big, make_record("metadata", "", "y")}, true);
    auto got = read_all(path);
    REQUIRE(got.size() == 3);
    CHECK(got[1].body.size() == body.size());
    CHECK(got[1].body == body);
    CHECK(got[2].body == "y");
}
