// Tests for io/inspect.h: content detection on tiny files the test writes itself, and the two
// renderings of one summary tree. (The CLI goldens in tests/cli/inspect/ cover every format's
// full output through the tool.)
#include "lmk/io/inspect.h"
#include "lmk/io/shard.h"
#include "lmk/io/warc.h"

#include "test_util.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

using lmk_test::TempDir;

namespace {

std::string format_of(const std::string& path) {
    lmk::InspectResult r = lmk::inspect_file(path, {});
    return r.ok ? r.format : "error: " + r.error;
}

} // namespace

TEST_CASE("inspect: formats are detected by content, not by name") {
    TempDir t;
    CHECK(format_of(t.put("a.json", "")) == "empty");
    CHECK(format_of(t.put("b.txt", "{\"text\":\"x\"}\n{\"text\":\"y\"}\n")) == "jsonl");
    CHECK(format_of(t.put("c.jsonl", "{\n  \"a\": [1, 2]\n}\n")) == "json");
    CHECK(format_of(t.put("d.bin", "[1, 2, 3]")) == "json");
    CHECK(format_of(t.put("e.safetensors", "just some text\nover two lines\n")) == "text");
    CHECK(format_of(t.put("f.txt", std::string("\x00\x01\x02\xff", 4))) == "binary");
    CHECK(format_of(t.put("g.dat", "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 0\r\n\r\n\r\n\r\n")) == "warc");
    CHECK(format_of(t.put("h.dat", "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 0\r\n\r\n\r\n\r\n")) == "wet");
    CHECK(format_of(t.put("i.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}")) ==
          "tokenizer.json");
    std::string shard = (t.dir / "j.txt").string();
    lmk::ShardWriter w(shard, 2);
    uint32_t ids[3] = {5, 70000, 5};
    w.append(ids, 3);
    w.commit();
    lmk::InspectOptions opts;
    opts.eot = 5;
    lmk::InspectResult r = lmk::inspect_file(shard, opts);
    REQUIRE(r.ok);
    CHECK(r.format == "shard");
    CHECK(lmk::render_json(r) == "{\"file\":\"" + shard +
                                     "\",\"format\":\"shard\",\"compression\":\"none\",\"version\":2,\"token_bytes\":4,"
                                     "\"tokens\":3,\"max_id\":70000,\"eot_id\":5,\"eot_tokens\":2}");
    lmk::InspectResult missing = lmk::inspect_file((t.dir / "nope").string(), {});
    CHECK(!missing.ok);
    CHECK(missing.error.find("cannot open") != std::string::npos);
    CHECK(lmk::render_json(missing).find("\"error\":") != std::string::npos);
}

TEST_CASE("inspect: text and JSON renderings of one summary") {
    lmk::InspectResult r;
    r.path = "x.bin";
    r.ok = true;
    r.format = "demo";
    r.label = "Demo";
    r.compression = "gzip";
    r.summary = {{"count", uint64_t(3)},
                 {"ratio", 0.5},
                 {"name", "a\tb"},
                 {"empty list", lmk::InspectArray{}},
                 {"ids", lmk::InspectArray{1, 2}},
                 {"by kind", lmk::InspectObject{{"x", uint64_t(2)}, {"y z", uint64_t(1)}}},
                 {"rows", lmk::InspectArray{lmk::InspectObject{{"n", "w"}, {"s", lmk::InspectArray{2, 3}}}}}};
    CHECK(lmk::render_text(r) == "x.bin: Demo (gzip)\n"
                                 "  count: 3\n"
                                 "  ratio: 0.5\n"
                                 "  name: a\\tb\n"
                                 "  empty list: (none)\n"
                                 "  ids: 1, 2\n"
                                 "  by kind:\n"
                                 "    x: 2\n"
                                 "    y z: 1\n"
                                 "  rows:\n"
                                 "    w [2, 3]\n");
    CHECK(lmk::render_json(r) == "{\"file\":\"x.bin\",\"format\":\"demo\",\"compression\":\"gzip\",\"count\":3,"
                                 "\"ratio\":0.5,\"name\":\"a\\tb\",\"empty_list\":[],\"ids\":[1,2],"
                                 "\"by_kind\":{\"x\":2,\"y z\":1},\"rows\":[{\"n\":\"w\",\"s\":[2,3]}]}");
}
