// Tests for io/safetensors.h: the exact bytes of a tiny file computed by hand, round trips of
// every dtype, exhaustive BF16/F16 rounding checks, and rejection of corrupt headers.
#include "lmk/core/error.h"
#include "lmk/io/safetensors.h"

#include "test_util.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using lmk_test::TempDir;
using lmk_test::raw_bytes;
using lmk_test::put_raw;

namespace {

// A safetensors file from a header text and data bytes (no padding added).
std::string st_file(const std::string& header, const std::string& data) {
    std::string s(8, '\0');
    uint64_t n = header.size();
    for (int i = 0; i < 8; i++) s[i] = char((n >> (8 * i)) & 0xff);
    return s + header + data;
}

std::string error_of(const std::string& path) {
    try {
        lmk::SafetensorsFile f(path);
    } catch (const lmk::Error& e) {
        return e.what();
    }
    return "";
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

} // namespace

TEST_CASE("safetensors: exact bytes of a tiny file") {
    TempDir t;
    std::string path = t.file("tiny.safetensors");
    float a[2] = {1.0f, -2.0f};
    float b[3] = {1.0f, -0.5f, 1.0f / 3.0f};
    lmk::SafetensorsWriter w;
    w.add("a", lmk::Dtype::f32, {2}, a);
    w.add_f32_as("b", lmk::Dtype::bf16, {1, 3}, b);
    w.set_metadata("format", "pt");
    w.write(path);
    // Header: 142 bytes of JSON padded with 2 spaces to 144 (0x90), so data starts at 152.
    std::string header = "{\"__metadata__\":{\"format\":\"pt\"},"
                         "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                         "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[8,14]}}  ";
    std::string want = std::string("\x90\0\0\0\0\0\0\0", 8) + header +
                       std::string("\x00\x00\x80\x3f" "\x00\x00\x00\xc0" // 1.0f, -2.0f
                                   "\x80\x3f" "\x00\xbf" "\xab\x3e",      // bf16 1, -0.5, 1/3 rounded up
                                   14);
    CHECK(raw_bytes(path) == want);

    lmk::SafetensorsFile f(path);
    REQUIRE(f.tensors().size() == 2);
    CHECK(f.tensors()[0].name == "a");
    CHECK(f.tensors()[1].name == "b");
    CHECK(f.metadata().at("format") == "pt");
    const lmk::TensorInfo& tb = f.at("b");
    CHECK(tb.dtype == lmk::Dtype::bf16);
    CHECK(tb.shape == std::vector<int64_t>{1, 3});
    CHECK(tb.numel() == 3);
    CHECK(tb.nbytes == 6);
    float back[3];
    f.read_f32("b", back, 3);
    CHECK(back[0] == 1.0f);
    CHECK(back[1] == -0.5f);
    CHECK(back[2] == lmk::bf16_to_f32(0x3eab));
    CHECK(f.find("c") == nullptr);
    CHECK_THROWS_AS(f.at("c"), lmk::Error);
    CHECK_THROWS_AS(f.read_f32("b", back, 2), lmk::Error);
}

TEST_CASE("safetensors: round trip of every dtype, metadata escaping, scalars and empty tensors") {
    TempDir t;
    std::string path = t.file("all.safetensors");
    std::vector<float> f32 = {0.0f, -0.0f, 1.5f, -3.25f, 1e-30f, 3.4e38f};
    std::vector<int32_t> i32 = {0, -1, 2147483647, -2147483647 - 1};
    std::vector<int64_t> i64 = {int64_t(1) << 40, -5};
    std::vector<float> halfs = {1.0f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, -2.0f, 0.1f};
    float scalar = 42.0f;
    lmk::SafetensorsWriter w;
    w.add("transformer.h.0.attn.c_attn.weight", lmk::Dtype::f32, {2, 3}, f32.data());
    w.add("ids", lmk::Dtype::i32, {4}, i32.data());
    w.add("big", lmk::Dtype::i64, {2, 1}, i64.data());
    w.add_f32_as("half", lmk::Dtype::f16, {6}, halfs.data());
    w.add("scalar", lmk::Dtype::f32, {}, &scalar);
    w.add("empty", lmk::Dtype::f32, {0, 4}, nullptr);
    w.set_metadata("quote\"key", "line\nbreak \xc3\xa9");
    w.write(path);
    CHECK(raw_bytes(path).size() % 8 == 0); // 8 + padded header + 24+16+16+12+4 bytes = 72 data bytes
    CHECK((raw_bytes(path).size() - 72) % 8 == 0);

    lmk::SafetensorsFile f(path);
    REQUIRE(f.tensors().size() == 6);
    CHECK(f.metadata().at("quote\"key") == "line\nbreak \xc3\xa9");
    const auto& w0 = f.at("transformer.h.0.attn.c_attn.weight");
    CHECK(std::memcmp(w0.data, f32.data(), 24) == 0);
    CHECK(reinterpret_cast<uintptr_t>(w0.data) % 8 == 0); // data area is 8-byte aligned
    CHECK(std::memcmp(f.at("ids").data, i32.data(), 16) == 0);
    CHECK(std::memcmp(f.at("big").data, i64.data(), 16) == 0);
    std::vector<float> h(6);
    f.read_f32("half", h.data(), 6);
    CHECK(h[0] == 1.0f);
    CHECK(h[1] == 65504.0f);
    CHECK(h[2] == 6.1035156e-05f);  // smallest normal
    CHECK(h[3] == 5.9604645e-08f);  // smallest subnormal
    CHECK(h[4] == -2.0f);
    CHECK(h[5] == lmk::f16_to_f32(0x2e66)); // 0.1 -> 0.0999755859375
    CHECK(f.at("scalar").shape.empty());
    CHECK(f.at("scalar").numel() == 1);
    CHECK(f.at("empty").nbytes == 0);
    CHECK(f.at("empty").numel() == 0);
    CHECK_THROWS_AS(f.read_f32("ids", h.data(), 4), lmk::Error);
}

TEST_CASE("safetensors: writer refuses duplicates and reserved names") {
    lmk::SafetensorsWriter w;
    float x = 1;
    w.add("x", lmk::Dtype::f32, {1}, &x);
    CHECK_THROWS_AS(w.add("x", lmk::Dtype::f32, {1}, &x), lmk::Error);
    CHECK_THROWS_AS(w.add("__metadata__", lmk::Dtype::f32, {1}, &x), lmk::Error);
    CHECK_THROWS_AS(w.add("neg", lmk::Dtype::f32, {-1}, &x), lmk::Error);
    CHECK_THROWS_AS(w.add_f32_as("i", lmk::Dtype::i32, {1}, &x), lmk::Error);
}

TEST_CASE("safetensors: bf16 rounding is to nearest, ties to even, exhaustively") {
    for (uint32_t h = 0; h < 0x10000; h++) {
        float v = lmk::bf16_to_f32(uint16_t(h));
        if (std::isnan(v)) {
            CHECK(std::isnan(lmk::bf16_to_f32(lmk::f32_to_bf16(v))));
            continue;
        }
        REQUIRE(lmk::f32_to_bf16(v) == h);
        if ((h & 0x7fff) >= 0x7f80) continue; // inf: no upper neighbour
        // Midpoint to the next bf16 away from zero: low 16 bits = 0x8000.
        uint32_t mid = (h << 16) | 0x8000;
        float m;
        std::memcpy(&m, &mid, 4);
        uint16_t even = (h & 1) ? uint16_t(h + 1) : uint16_t(h);
        REQUIRE(lmk::f32_to_bf16(m) == even);
        uint32_t above = mid + 1, below = mid - 1;
        std::memcpy(&m, &above, 4);
        REQUIRE(lmk::f32_to_bf16(m) == uint16_t(h + 1));
        std::memcpy(&m, &below, 4);
        REQUIRE(lmk::f32_to_bf16(m) == uint16_t(h));
    }
}

TEST_CASE("safetensors: f16 rounding is to nearest, ties to even, exhaustively") {
    for (uint32_t h = 0; h < 0x10000; h++) {
        float v = lmk::f16_to_f32(uint16_t(h));
        if (std::isnan(v)) {
            CHECK(std::isnan(lmk::f16_to_f32(lmk::f32_to_f16(v))));
            continue;
        }
        REQUIRE(lmk::f32_to_f16(v) == h);
        uint16_t mag = uint16_t(h & 0x7fff);
        if (mag >= 0x7c00) continue; // inf
        // The next f16 away from zero (0x7bff's is 65536, which rounds to inf).
        double lo = std::fabs(double(v));
        double hi = mag == 0x7bff ? 65536.0 : std::fabs(double(lmk::f16_to_f32(uint16_t(mag + 1))));
        float mid = float((lo + hi) / 2); // exact: at most 12 significant bits
        REQUIRE(double(mid) == (lo + hi) / 2);
        uint16_t sign = uint16_t(h & 0x8000);
        uint16_t up = uint16_t(sign | (mag + 1)), down = uint16_t(h);
        uint16_t even = (mag & 1) ? up : down;
        float s = sign ? -1.0f : 1.0f;
        REQUIRE(lmk::f32_to_f16(s * mid) == even);
        REQUIRE(lmk::f32_to_f16(s * std::nextafter(mid, std::numeric_limits<float>::infinity())) == up);
        REQUIRE(lmk::f32_to_f16(s * std::nextafter(mid, 0.0f)) == down);
    }
    CHECK(lmk::f32_to_f16(1e10f) == 0x7c00);
    CHECK(lmk::f32_to_f16(-1e-10f) == 0x8000);
    CHECK(bits(lmk::f16_to_f32(0x7c00)) == 0x7f800000u);
}

TEST_CASE("safetensors: corrupt headers are rejected with the reason") {
    TempDir t;
    std::string path = t.file("bad.safetensors");
    auto expect = [&](const std::string& bytes, const std::string& needle) {
        put_raw(path, bytes);
        std::string e = error_of(path);
        INFO("error: " << e);
        CHECK(e.find(needle) != std::string::npos);
    };
    const std::string f8(8, '\1');
    expect("", "shorter than the 8-byte header length");
    expect(st_file("{}", "").substr(0, 9), "header length 2 for a 9-byte file");
    expect(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}", "not a safetensors file (header length");
    expect(st_file("[1,2]   ", ""), "does not start with '{'");
    expect(st_file("{\"a\":   ", ""), "invalid JSON");
    expect(st_file("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", f8), "unsupported dtype \"F64\"");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", f8),
           "F32 x [3] needs 12 bytes, data_offsets [0, 8] hold 8");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f8 + "xx"),
           "tensors cover 8 bytes of the 10-byte data area");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", f8),
           "data_offsets [0, 16] outside the 8-byte data area");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f8),
           "tensor \"a\" starts at byte 4, expected 0 (a gap in the data)");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                   "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                   f8),
           "overlapping another tensor");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", f8),
           "shape entries must be non-negative integers");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", f8),
           "data_offsets must have 2 entries");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", f8), "missing or non-array \"data_offsets\"");
    expect(st_file("{\"__metadata__\":{\"k\":1}}", ""), "__metadata__ value of \"k\" is not a string");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                   "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                   f8),
           "duplicate entry \"a\"");
    expect(st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
                   "\"data_offsets\":[0,8]}}",
                   f8),
           "shape overflows");
    // A valid minimal file: header "{}" and nothing else.
    put_raw(path, st_file("{}", ""));
    CHECK(error_of(path).empty());
}
