// Tests for io/jsonl: field spans, malformed lines located and counted, strict mode,
// UTF-8 repair, escaping, and byte-exact re-emission of untouched fields.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/jsonl.h"

#include <cmath>
#include <doctest/doctest.h>
#include <filesystem>
#include <unistd.h>

using namespace lmk;
namespace fs = std::filesystem;

static std::string temp_file(const std::string& name, const std::string& content) {
    std::string p = (fs::temp_directory_path() / ("lmk_jsonl_" + std::to_string(getpid()) + "_" + name)).string();
    write_file(p, content);
    return p;
}

TEST_CASE("jsonl: fields, raw spans and unescaped strings") {
    std::string p = temp_file("a.jsonl",
                              "{\"id\": \"d1\", \"text\": \"a\\nb \\u00e9\\ud83d\\ude00\", \"n\": 1.50, \"m\": {\"x\": [1, 2]}, \"f\": false, \"z\": null}\n");
    JsonlReader r(p);
    REQUIRE(r.next());
    CHECK(r.fields().size() == 6);
    CHECK(r.get_string("id") == std::optional<std::string_view>("d1"));
    CHECK(r.get_string("text") == std::optional<std::string_view>("a\nb \xc3\xa9\xf0\x9f\x98\x80"));
    CHECK(r.find("n")->raw == "1.50");
    CHECK(r.find("m")->raw == "{\"x\": [1, 2]}");
    CHECK(r.find("m")->type == JsonType::object);
    CHECK(r.find("f")->raw == "false");
    CHECK(r.get_number("n") == 1.5);
    CHECK_FALSE(r.get_string("n").has_value());
    CHECK_FALSE(r.get_string("missing").has_value());
    CHECK_FALSE(r.next());
    fs::remove(p);
}

TEST_CASE("jsonl: malformed lines are located, counted and skipped") {
    std::string p = temp_file("b.jsonl", "{\"a\":1}\n{\"a\":\n\n[1,2]\n{\"a\":2} x\n{\"a\":{\"b\":[1,,2]}}\n{\"a\":3}\n");
    std::string sink;
    set_log_sink(&sink);
    JsonlReader r(p);
    std::vector<uint64_t> lines;
    while (r.next()) lines.push_back(r.line());
    set_log_sink(nullptr);
    CHECK(lines == std::vector<uint64_t>{1, 7});
    CHECK(r.records() == 2);
    CHECK(r.malformed() == 4);
    CHECK(r.blank_lines() == 1);
    CHECK(sink.find(p + ":2: malformed JSON line") != std::string::npos);
    CHECK(sink.find(p + ":4: malformed JSON line: not a JSON object") != std::string::npos);
    CHECK(sink.find(p + ":5: malformed JSON line") != std::string::npos);
    CHECK(sink.find(p + ":6: malformed JSON line") != std::string::npos);
    fs::remove(p);
}

TEST_CASE("jsonl: strict mode throws at the first malformed line") {
    std::string p = temp_file("c.jsonl", "{\"a\":1}\nnot json\n");
    JsonlReader r(p, {.strict = true});
    CHECK(r.next());
    try {
        r.next();
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find(p + ":2: malformed JSON line") == 0);
    }
    fs::remove(p);
}

TEST_CASE("jsonl: invalid UTF-8 is replaced and counted, never emitted") {
    std::string p = temp_file("d.jsonl", "{\"text\":\"ok \xff\xfe end\",\"k\":1}\n");
    JsonlReader r(p);
    REQUIRE(r.next());
    CHECK(r.get_string("text") == std::optional<std::string_view>("ok \xEF\xBF\xBD\xEF\xBF\xBD end"));
    CHECK(r.utf8_replaced() == 2);
    fs::remove(p);
}

TEST_CASE("jsonl: writer keeps untouched fields byte for byte and edits in place") {
    std::string p = temp_file("e.jsonl", "{\"id\":\"x\",  \"meta\": {\"k\": [1, 2.50]}, \"text\":\"old\"}\n");
    std::string outp = p + ".out.jsonl";
    {
        JsonlReader r(p);
        auto out = Output::open(outp);
        JsonlWriter w(*out);
        REQUIRE(r.next());
        w.write_record(r);
        w.write_record(r, {{"text", json_string("new \"q\"")}, {"id", std::nullopt}, {"lang", json_string("en")}});
        out->commit();
    }
    CHECK(read_file(outp) == "{\"id\":\"x\",  \"meta\": {\"k\": [1, 2.50]}, \"text\":\"old\"}\n"
                             "{\"meta\":{\"k\": [1, 2.50]},\"text\":\"new \\\"q\\\"\",\"lang\":\"en\"}\n");
    fs::remove(p);
    fs::remove(outp);
}

TEST_CASE("json: escaping, numbers, unescape round trip") {
    CHECK(json_string("a\"b\\c\n\t\x01") == "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    size_t bad = 0;
    CHECK(json_string("x\xc3", &bad) == "\"x\xEF\xBF\xBD\"");
    CHECK(bad == 1);
    CHECK(json_number(3.0) == "3");
    CHECK(json_number(0.1) == "0.1");
    CHECK(json_number(-2.5e-7) == "-2.5e-07");
    CHECK(json_number(std::nan("")) == "null");
    std::string s = "tab\t quote\" uni \xe2\x82\xac \xf0\x9f\x98\x80 ctl\x1f";
    CHECK(json_unescape(json_string(s)) == s);
    CHECK(json_unescape("\"\\ud83d\\ude00\"") == "\xf0\x9f\x98\x80");
    CHECK_THROWS_AS(json_unescape("\"bad \\q\""), Error);
    JsonObjectWriter o;
    CHECK(o.str("id", "a").num("n", int64_t(5)).boolean("ok", true).finish() == "{\"id\":\"a\",\"n\":5,\"ok\":true}");
}
