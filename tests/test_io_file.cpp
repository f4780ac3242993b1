// Tests for io/file: compression by magic and by name, atomic outputs, damaged input,
// line reading of long lines, direct (O_DIRECT) outputs and digests of what was written.
#include "lmk/core/error.h"
#include "lmk/io/file.h"

#include "test_util.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

using namespace lmk;
namespace fs = std::filesystem;

using lmk_test::TempDir;

namespace {
std::string gzip_member(const std::string& data) {
    z_stream zs{};
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(compressBound(uLong(data.size())) + 64, '\0');
    zs.next_in = (Bytef*)data.data();
    zs.avail_in = uInt(data.size());
    zs.next_out = (Bytef*)out.data();
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}
} // namespace

TEST_CASE("file: round trip through plain, gzip and zstd, detected by magic") {
    TempDir t;
    std::string data;
    for (int i = 0; i < 100000; i++) data += "line " + std::to_string(i) + "\n";
    for (const char* name : {"a.txt", "a.txt.gz", "a.txt.zst"}) {
        write_file(t / name, data);
        CHECK(read_file(t / name) == data);
        CHECK_FALSE(file_exists(t / name + std::string(".tmp")));
    }
    // Detection is by content: a gzip file with a misleading name still reads.
    fs::rename(t / "a.txt.gz", t / "renamed.txt");
    CHECK(Input::open(t / "renamed.txt")->compression() == Compression::gzip);
    CHECK(read_file(t / "renamed.txt") == data);
}

TEST_CASE("file: concatenated gzip members read as one stream") {
    TempDir t;
    write_file(t / "m.gz", gzip_member("first\n") + gzip_member("second\n"), {.raw = true});
    CHECK(read_file(t / "m.gz") == "first\nsecond\n");
}

TEST_CASE("file: truncated gzip is an error, or damage when tolerated") {
    TempDir t;
    std::string a = gzip_member(std::string(5000, 'a') + "\n"), b = gzip_member("bbb\n");
    std::string whole = a + b;
    write_file(t / "cut.gz", whole.substr(0, whole.size() - 5), {.raw = true});
    CHECK_THROWS_AS(read_file(t / "cut.gz"), Error);
    auto in = Input::open(t / "cut.gz", {.tolerate_damage = true});
    std::string got;
    char buf[4096];
    for (size_t k; (k = in->read(buf, sizeof buf));) got.append(buf, k);
    CHECK(got.substr(0, 5001) == std::string(5000, 'a') + "\n");
    CHECK(in->damage_count() == 1);
    auto d = in->take_damage();
    REQUIRE(d.size() == 1);
    CHECK(d[0].what.find("truncated") != std::string::npos);
}

TEST_CASE("file: a corrupt member in the middle is skipped when tolerated") {
    TempDir t;
    std::string a = gzip_member("aaa\n"), b = gzip_member(std::string(3000, 'b')), c = gzip_member("ccc\n");
    b[b.size() / 2] ^= 0x55;
    b[b.size() / 2 + 1] ^= 0x55;
    write_file(t / "bad.gz", a + "GARBAGE" + b + c, {.raw = true});
    auto in = Input::open(t / "bad.gz", {.tolerate_damage = true});
    std::string got;
    char buf[4096];
    for (size_t k; (k = in->read(buf, sizeof buf));) got.append(buf, k);
    CHECK(got.substr(0, 4) == "aaa\n");
    CHECK(got.substr(got.size() - 4) == "ccc\n");
    CHECK(in->damage_count() >= 1);
}

TEST_CASE("file: outputs are atomic; an uncommitted output leaves nothing") {
    TempDir t;
    {
        auto out = Output::open(t / "x.jsonl");
        out->write("partial");
        CHECK(file_exists(t / "x.jsonl.tmp"));
        CHECK_FALSE(file_exists(t / "x.jsonl"));
    }
    CHECK_FALSE(file_exists(t / "x.jsonl.tmp"));
    CHECK_FALSE(file_exists(t / "x.jsonl"));
    write_file(t / "x.jsonl", "old");
    {
        auto out = Output::open(t / "x.jsonl");
        out->write("new");
    } // not committed: the old file stays
    CHECK(read_file(t / "x.jsonl") == "old");
}

TEST_CASE("file: write errors are reported (/dev/full)") {
    if (!file_exists("/dev/full")) return;
    auto out = Output::open("/dev/full");
    std::string big(2 << 20, 'x');
    CHECK_THROWS_AS((out->write(big), out->commit()), Error);
}

TEST_CASE("file: missing input names the file") {
    try {
        Input::open("/nonexistent/file.jsonl");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("/nonexistent/file.jsonl: cannot open") == 0);
    }
}

TEST_CASE("lines: long lines, missing final newline, CR kept, padding readable") {
    TempDir t;
    std::string big(3 << 20, 'x');
    write_file(t / "l.txt", "a\r\n\n" + big + "\nlast");
    auto in = Input::open(t / "l.txt");
    LineReader r(*in, 4096);
    std::string_view line;
    REQUIRE(r.next(line));
    CHECK(line == "a\r");
    REQUIRE(r.next(line));
    CHECK(line.empty());
    REQUIRE(r.next(line));
    CHECK(line.size() == big.size());
    REQUIRE(r.next(line));
    CHECK(line == "last");
    CHECK(r.line_number() == 4);
    CHECK_FALSE(r.next(line));
}

TEST_CASE("file: a symlinked output is written through, the link is kept") {
    TempDir t;
    write_file(t / "target.txt", "old");
    fs::create_symlink(t / "target.txt", t / "link.txt");
    write_file(t / "link.txt", "new");
    CHECK(fs::is_symlink(t / "link.txt"));
    CHECK(read_file(t / "target.txt") == "new");
}

namespace {
std::string raw_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}
// Writes `total` pseudo-random bytes through opts in pieces of varying size (single put()s
// among them), commits, and checks the file's bytes and the returned digest.
void check_written(const std::string& path, size_t total, OutputOptions opts) {
    std::string data(total, '\0');
    uint64_t x = 0x9e3779b97f4a7c15ULL ^ total;
    for (char& c : data) c = char((x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 56);
    auto out = Output::open(path, opts);
    size_t at = 0, piece = 1;
    while (at < total) {
        size_t k = std::min(piece, total - at);
        if (k == 1) out->put(data[at]);
        else out->write(data.data() + at, k);
        at += k;
        piece = piece * 7 % 3000011 + 1; // 1, 8, 57, 400, ... up to ~3 MB, then wraps
    }
    out->commit();
    CAPTURE(path);
    CAPTURE(total);
    CHECK(out->bytes_written() == total);
    std::string got = raw_bytes(path);
    if (compression_from_name(path) == Compression::none) CHECK(got == data);
    else CHECK(read_file(path) == data);
    FileDigest d = out->digest();
    CHECK(d.bytes == got.size());
    CHECK(d.xxh3 == XXH3_64bits(got.data(), got.size()));
    CHECK(digest_file(path) == d); // reading the file back: its bytes as they are
}
} // namespace

TEST_CASE("file: direct outputs hold the same bytes; digests match the files") {
    TempDir t;
    const size_t piece = size_t(8) << 20; // the direct stage's write size
    for (size_t total : {size_t(0), size_t(1), size_t(4095), size_t(4096), size_t(4097), piece - 1, piece, piece + 1,
                         2 * piece + 12345}) {
        check_written(t / "d.bin", total, {.binary = true, .raw = true, .direct = true, .digest = true});
        check_written(t / "p.bin", total, {.binary = true, .raw = true, .digest = true});
    }
    // write_file's digest is the file's too.
    const FileDigest wf = write_file(t / "w.txt", "written once");
    CHECK(wf.bytes == 12);
    CHECK(wf.xxh3 == XXH3_64bits("written once", 12));
    // Compressed outputs ignore direct; the digest is that of the compressed file.
    check_written(t / "c.bin.zst", piece + 77, {.binary = true, .direct = true, .digest = true});
    // A file system that refuses O_DIRECT (tmpfs) gets the same bytes through the page cache.
    if (fs::is_directory("/dev/shm")) {
        TempDir shm("/dev/shm/lmk_test");
        check_written(shm / "d.bin", piece + 4097, {.binary = true, .raw = true, .direct = true, .digest = true});
    }
    // Uncommitted, a direct output leaves nothing; digest() needs the option and a commit.
    {
        auto out = Output::open(t / "u.bin", {.binary = true, .raw = true, .direct = true});
        out->write(std::string(piece + 5, 'u'));
        CHECK_THROWS_AS(out->digest(), Error);
    }
    CHECK_FALSE(file_exists(t / "u.bin"));
    CHECK_FALSE(file_exists(t / "u.bin.tmp"));
    CHECK_THROWS_WITH_AS(digest_file(t / "u.bin"), doctest::Contains("u.bin: cannot open"), Error);
    // A digest taken in pieces is the digest of the pieces joined.
    StreamDigest sd;
    sd.update("written", 7);
    sd.update(" once", 5);
    CHECK(sd.value() == wf);
}
