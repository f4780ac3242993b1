// tests/test_train_data_loader.cpp: shard windows, orders, restorable positions.
#include "lmk/core/error.h"
#include "lmk/io/shard.h"
#include "lmk/train/data_loader.h"

#include "test_util.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <numeric>
#include <vector>

using namespace lmk;
namespace fs = std::filesystem;

namespace {
using lmk_test::TempDir;
// A shard holding first, first+1, ..., first+n-1.
void write_shard(const std::string& path, uint32_t first, size_t n) {
    std::vector<uint32_t> ids(n);
    std::iota(ids.begin(), ids.end(), first);
    ShardWriter w(path, 1);
    w.append(ids.data(), n);
    w.commit();
}
} // namespace

TEST_CASE("sequential order walks the shards like llm.c, T apart, and wraps") {
    TempDir d;
    write_shard(d.path + "/a_000.bin", 0, 10);    // windows of T+1=4 at 0, 3, 6
    write_shard(d.path + "/a_001.bin", 100, 2);   // too short: skipped
    write_shard(d.path + "/a_002.bin", 200, 5);   // windows at 0
    TokenDataLoader dl(d.path + "/a_*.bin", 2, 3, DataOrder::sequential, 0);
    CHECK(dl.num_shards() == 3);
    CHECK(dl.total_tokens() == 17);
    std::vector<int32_t> x(6), y(6);
    dl.next_batch(x.data(), y.data());
    CHECK(x == std::vector<int32_t>{0, 1, 2, 3, 4, 5});
    CHECK(y == std::vector<int32_t>{1, 2, 3, 4, 5, 6});
    dl.next_batch(x.data(), y.data());
    // offset 6 fits (6..9), then the next window moves past the short shard to 200...
    CHECK(x == std::vector<int32_t>{6, 7, 8, 200, 201, 202});
    CHECK(y == std::vector<int32_t>{7, 8, 9, 201, 202, 203});
    dl.next_batch(x.data(), y.data());
    CHECK(x == std::vector<int32_t>{0, 1, 2, 3, 4, 5}); // wrapped: epoch 2
}

TEST_CASE("coverage rows score every target token of every shard exactly once") {
    TempDir d;
    write_shard(d.path + "/a_000.bin", 0, 10);    // 9 targets: rows at 0, 3, 6
    write_shard(d.path + "/a_001.bin", 100, 2);   // shorter than T + 1: one padded row
    write_shard(d.path + "/a_002.bin", 200, 5);   // 4 targets: rows at 0 and 1 (its end)
    TokenDataLoader dl(d.path + "/a_*.bin", 2, 3, DataOrder::random, 0);
    const int32_t I = -7;
    const std::vector<std::vector<int32_t>> want_in = {
        {0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {100, 101, 0}, {200, 201, 202}, {201, 202, 203}};
    const std::vector<std::vector<int32_t>> want_tgt = {
        {1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {101, I, I}, {201, 202, 203}, {I, I, 204}};
    REQUIRE(dl.coverage_rows() == want_in.size());
    std::vector<int32_t> x(3), y(3);
    for (uint64_t r = 0; r < dl.coverage_rows(); r++) {
        dl.coverage_row(r, x.data(), y.data(), I);
        CHECK(x == want_in[r]);
        CHECK(y == want_tgt[r]);
    }
    CHECK_THROWS_AS(dl.coverage_row(6, x.data(), y.data(), I), Error);
}

TEST_CASE("random windows are uniform over all shards, seeded, and restorable") {
    TempDir d;
    write_shard(d.path + "/s1.bin", 0, 50);
    write_shard(d.path + "/s2.bin", 1000, 150);
    const std::string glob = d.path + "/s1.bin," + d.path + "/s2.bin";
    TokenDataLoader a(glob, 4, 8, DataOrder::random, 42), b(glob, 4, 8, DataOrder::random, 42);
    CHECK(a.num_windows() == 42 + 142);
    std::vector<int32_t> xa(32), ya(32), xb(32), yb(32);
    int from_s2 = 0, rows = 0;
    for (int i = 0; i < 200; i++) {
        a.next_batch(xa.data(), ya.data());
        b.next_batch(xb.data(), yb.data());
        REQUIRE(xa == xb);
        for (int r = 0; r < 4; r++) {
            // Each row is consecutive ids within one shard; targets are inputs shifted by one.
            for (int t = 0; t < 8; t++) CHECK(ya[size_t(r * 8 + t)] == xa[size_t(r * 8 + t)] + 1);
            CHECK(xa[size_t(r * 8 + 7)] - xa[size_t(r * 8)] == 7);
            from_s2 += xa[size_t(r * 8)] >= 1000;
            rows++;
        }
    }
    // 142 of 184 windows are in s2: about 77%.
    CHECK(double(from_s2) / rows == doctest::Approx(142.0 / 184).epsilon(0.08));

    // Restore a saved position into a fresh loader: the same batches follow.
    DataPosition p = a.position();
    CHECK(p.batches == 200);
    TokenDataLoader c(glob, 4, 8, DataOrder::random, 42);
    c.set_position(p);
    a.next_batch(xa.data(), ya.data());
    c.next_batch(xb.data(), yb.data());
    CHECK(xa == xb);
    // A different seed gives different windows.
    TokenDataLoader e(glob, 4, 8, DataOrder::random, 43);
    TokenDataLoader f(glob, 4, 8, DataOrder::random, 42);
    e.next_batch(xa.data(), ya.data());
    f.next_batch(xb.data(), yb.data());
    CHECK(xa != xb);
}

TEST_CASE("sequential positions restore too, and rewind starts over") {
    TempDir d;
    write_shard(d.path + "/q.bin", 0, 100);
    TokenDataLoader a(d.path + "/q.bin", 2, 5, DataOrder::sequential, 0);
    std::vector<int32_t> x(10), y(10), x2(10), y2(10);
    for (int i = 0; i < 3; i++) a.next_batch(x.data(), y.data());
    DataPosition p = a.position();
    CHECK(p.offset == 30);
    TokenDataLoader b(d.path + "/q.bin", 2, 5, DataOrder::sequential, 0);
    b.set_position(p);
    a.next_batch(x.data(), y.data());
    b.next_batch(x2.data(), y2.data());
    CHECK(x == x2);
    CHECK(x[0] == 30);
    a.rewind();
    a.next_batch(x.data(), y.data());
    CHECK(x[0] == 0);
}

TEST_CASE("errors name the pattern and give hints") {
    TempDir d;
    CHECK_THROWS_AS(TokenDataLoader(d.path + "/none_*.bin", 1, 4, DataOrder::random, 0), Error);
    write_shard(d.path + "/tiny.bin", 0, 4);
    CHECK_THROWS_AS(TokenDataLoader(d.path + "/tiny.bin", 1, 4, DataOrder::random, 0), Error);
    CHECK_THROWS_AS(data_order_from_name("shuffled"), Error);
}
