// Tests for io/shard.h: exact bytes of llm.c shards, round trips of both versions, and header
// validation (wrong magic with its hint, bad version, size mismatch).
#include "lmk/core/error.h"
#include "lmk/io/shard.h"

#include "test_util.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using lmk_test::TempDir;
using lmk_test::raw_bytes;
using lmk_test::put_raw;

namespace {

// A header built by hand: little-endian int32 x 256.
std::string header(int32_t magic, int32_t version, int32_t count) {
    std::string h(1024, '\0');
    auto put = [&](size_t at, int32_t v) {
        for (int i = 0; i < 4; i++) h[at + i] = char((uint32_t(v) >> (8 * i)) & 0xff);
    };
    put(0, magic);
    put(4, version);
    put(8, count);
    return h;
}

std::string error_of(const std::string& path) {
    try {
        lmk::Shard s(path);
    } catch (const lmk::Error& e) {
        return std::string(e.what()) + " | " + e.hint();
    }
    return "";
}

} // namespace

TEST_CASE("shard: version 1 exact bytes and round trip") {
    TempDir t;
    std::string path = t.file("v1.bin");
    std::vector<uint32_t> ids = {50256, 0, 1, 65535, 258};
    lmk::ShardWriter w(path, 1);
    w.append(ids.data(), 3);
    w.append(ids.data() + 3, 2);
    CHECK(w.tokens() == 5);
    w.commit();
    std::string want = header(20240520, 1, 5) + std::string("\x50\xc4\x00\x00\x01\x00\xff\xff\x02\x01", 10);
    CHECK(raw_bytes(path) == want);
    CHECK(!fs::exists(path + ".tmp"));

    lmk::Shard s(path);
    CHECK(s.version() == 1);
    REQUIRE(s.size() == 5);
    for (size_t i = 0; i < ids.size(); i++) CHECK(s[i] == ids[i]);
    CHECK(s.max_id() == 65535);
    std::vector<uint32_t> part(2);
    s.read(3, 2, part.data());
    CHECK(part == std::vector<uint32_t>{65535, 258});
    CHECK_THROWS_AS(s.read(4, 2, part.data()), lmk::Error);
}

TEST_CASE("shard: version 2 holds 32-bit ids") {
    TempDir t;
    std::string path = t.file("v2.bin");
    std::vector<uint32_t> ids = {100000, 7, 0x7fffffff};
    lmk::ShardWriter w(path, 2);
    w.append(ids.data(), ids.size());
    w.commit();
    std::string want = header(20240520, 2, 3) +
                       std::string("\xa0\x86\x01\x00\x07\x00\x00\x00\xff\xff\xff\x7f", 12);
    CHECK(raw_bytes(path) == want);
    lmk::Shard s(path);
    CHECK(s.version() == 2);
    REQUIRE(s.size() == 3);
    CHECK(s[0] == 100000);
    CHECK(s[2] == 0x7fffffffu);
    CHECK(s.max_id() == 0x7fffffffu);
}

TEST_CASE("shard: empty shard and ids too large for version 1") {
    TempDir t;
    std::string path = t.file("e.bin");
    lmk::ShardWriter w(path, 1);
    uint32_t big = 65536;
    CHECK_THROWS_AS(w.append(&big, 1), lmk::Error);
    CHECK(w.tokens() == 0);
    w.commit();
    lmk::Shard s(path);
    CHECK(s.size() == 0);
    CHECK(s.max_id() == 0);
    s.read(0, 0, nullptr); // an empty range needs no buffer (found by fuzz_shard under UBSan)
    CHECK_THROWS_AS(lmk::ShardWriter(t.file("x.bin"), 3), lmk::Error);
}

TEST_CASE("shard: an uncommitted writer leaves nothing behind") {
    TempDir t;
    std::string path = t.file("u.bin");
    {
        lmk::ShardWriter w(path, 1);
        uint32_t id = 5;
        w.append(&id, 1);
    }
    CHECK(!fs::exists(path));
    CHECK(!fs::exists(path + ".tmp"));
}

TEST_CASE("shard: header validation") {
    TempDir t;
    std::string path = t.file("bad.bin");
    SUBCASE("wrong magic names the file and hints at encode") {
        put_raw(path, header(12345, 1, 0));
        CHECK(error_of(path) == path + ": not an llm.c token shard (magic 12345, expected 20240520) | "
                                       "was it written by encode?");
    }
    SUBCASE("JSONL is not a shard") {
        put_raw(path, "{\"text\": \"hello\"}\n");
        CHECK(error_of(path).find("shorter than the 1024-byte header") != std::string::npos);
    }
    SUBCASE("bad version") {
        put_raw(path, header(20240520, 3, 0));
        CHECK(error_of(path).find("unsupported token shard version 3") != std::string::npos);
    }
    SUBCASE("negative count") {
        put_raw(path, header(20240520, 1, -1));
        CHECK(error_of(path).find("negative token count") != std::string::npos);
    }
    SUBCASE("cut short") {
        put_raw(path, header(20240520, 1, 4) + std::string(6, '\1'));
        CHECK(error_of(path) == path + ": token shard size mismatch: the header says 4 tokens of 2 bytes "
                                       "(1032 bytes with the header), the file has 1030 bytes | "
                                       "the file was cut short; re-run encode");
    }
    SUBCASE("trailing bytes") {
        put_raw(path, header(20240520, 2, 1) + std::string(5, '\1'));
        CHECK(error_of(path).find("the file has trailing bytes") != std::string::npos);
    }
    SUBCASE("missing file") {
        CHECK(error_of(t.file("nope.bin")).find("cannot open") != std::string::npos);
    }
    SUBCASE("parse_shard_header on memory") {
        std::string h = header(20240520, 2, 77);
        lmk::ShardHeader sh = lmk::parse_shard_header(h.data(), h.size(), "mem");
        CHECK(sh.version == 2);
        CHECK(sh.tokens == 77);
        CHECK_THROWS_AS(lmk::parse_shard_header(h.data(), 100, "mem"), lmk::Error);
    }
}
