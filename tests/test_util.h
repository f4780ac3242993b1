// tests/test_util.h: helpers every unit test may share: a temporary directory removed at
// the end of the test, raw byte reads/writes that bypass lmkit's own I/O (so a test of that
// I/O checks it against the C library), a capture of lmkit's log lines, and a check that a
// result does not depend on the thread count.
#pragma once
#include "lmk/core/log.h"
#include "lmk/core/threads.h"

#include <cstdio>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lmk_test {

// Runs make() with 1 and with 4 threads and checks both give the same result (the
// determinism every parallel stage promises); restores the default thread count.
template <class Make> void check_same_for_1_and_4_threads(Make make) {
    lmk::set_threads(1);
    auto one = make();
    lmk::set_threads(4);
    auto four = make();
    lmk::set_threads(0);
    CHECK(one == four);
}

// n short documents with repeated and varying words, numbers and accents.
inline std::vector<std::string> numbered_documents(int n) {
    std::vector<std::string> docs;
    for (int i = 0; i < n; i++)
        docs.push_back("document " + std::to_string(i * 7919 % 1000) + " with words like token, tokens, tokenizer "
                       "and numbers " + std::to_string(i) + " repeated; na\u00efve caf\u00e9 " + std::to_string(i % 13));
    return docs;
}

// Writes bytes with the C library (not lmk::Output).
inline void put_raw(const std::string& path, const std::string& bytes) {
    FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    std::fclose(f);
}

// Reads a whole file with the C library (no decompression).
inline std::string raw_bytes(const std::string& path) {
    std::string s;
    FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f);
    char buf[65536];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
    std::fclose(f);
    return s;
}

struct TempDir {
    std::filesystem::path dir;
    std::string path; // dir as a string, for building paths with +
    explicit TempDir(const std::string& prefix = "lmk_test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
        REQUIRE(mkdtemp(tmpl.data()));
        dir = tmpl;
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(dir); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (dir / name).string(); }
    std::string operator/(const std::string& name) const { return file(name); }
    // Writes `bytes` to `name` inside the directory and returns its path.
    std::string put(const std::string& name, const std::string& bytes) const {
        std::string p = file(name);
        put_raw(p, bytes);
        return p;
    }
};

// Captures lmkit's log lines for the lifetime of the object.
struct LogCapture {
    std::string text;
    LogCapture() { lmk::set_log_sink(&text); }
    ~LogCapture() { lmk::set_log_sink(nullptr); }
    size_t count(std::string_view needle) const {
        size_t n = 0;
        for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) n++;
        return n;
    }
};

} // namespace lmk_test
