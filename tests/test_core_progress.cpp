// Tests for core/progress and core/log formatting.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/threads.h"

#include <algorithm>
#include <atomic>
#include <doctest/doctest.h>
#include <stdexcept>
#include <string>

using namespace lmk;

TEST_CASE("progress: count and duration formatting") {
    CHECK(Progress::format_count(512, "B") == "512 B");
    CHECK(Progress::format_count(1.5e6, "B") == "1.50 MB");
    CHECK(Progress::format_count(12345, "docs") == "12.3k docs");
    CHECK(Progress::format_count(42, "") == "42");
    CHECK(Progress::format_duration(59) == "59s");
    CHECK(Progress::format_duration(61) == "1m01s");
    CHECK(Progress::format_duration(3700) == "1h01m");
    CHECK(parse_progress_mode("never") == ProgressMode::never);
    CHECK_THROWS_AS(parse_progress_mode("sometimes"), Error);
}

TEST_CASE("log: levels and tool prefix") {
    std::string sink;
    set_log_sink(&sink);
    set_tool_name("demo");
    set_log_level(LogLevel::warn);
    log_info("hidden {}", 1);
    log_warn("a.jsonl:{}: bad", 3);
    set_log_level(LogLevel::info);
    set_log_sink(nullptr);
    CHECK(sink == "demo: a.jsonl:3: bad\n");
}

TEST_CASE("threads: fixed chunks cover the range exactly once") {
    set_threads(2);
    std::vector<std::atomic<int>> hits(1000);
    parallel_for_chunks(1000, 64, [&](size_t b, size_t e) {
        CHECK(b % 64 == 0);
        for (size_t i = b; i < e; i++) hits[i]++;
    });
    for (auto& h : hits) CHECK(h.load() == 1);
    CHECK_THROWS_AS(set_threads(-1), Error);
    set_threads(0);
}

TEST_CASE("threads: pieces of several arrays cover every element once, pieces fixed by the sizes") {
    set_threads(2);
    const std::vector<size_t> sizes = {5, 0, 16, 33};
    std::vector<std::vector<std::atomic<int>>> hits;
    for (size_t n : sizes) hits.emplace_back(n);
    std::atomic<int> calls{0};
    parallel_for_pieces(sizes, 16, [&](size_t i, size_t b, size_t e) {
        CHECK(b % 16 == 0);
        CHECK(e == std::min(sizes[i], b + 16));
        for (size_t k = b; k < e; k++) hits[i][k]++;
        calls++;
    });
    CHECK(calls.load() == 1 + 0 + 1 + 3); // 5; none; 16; 16 + 16 + 1
    for (auto& array : hits)
        for (auto& h : array) CHECK(h.load() == 1);
    set_threads(0);
}

TEST_CASE("threads: parallel_invoke runs both tasks, each seeing its share of the threads") {
    for (int n : {1, 2, 3, 5}) {
        set_threads(n);
        std::atomic<int> share_a{0}, share_b{0}, order{0}, a_at{-1}, b_at{-1};
        parallel_invoke([&] { share_a = num_threads(); a_at = order++; },
                        [&] { share_b = num_threads(); b_at = order++; });
        CHECK(share_a.load() == (n == 1 ? 1 : n / 2));
        CHECK(share_b.load() == (n == 1 ? 1 : n - n / 2));
        CHECK(order.load() == 2);
        if (n == 1) CHECK((a_at.load() == 0 && b_at.load() == 1)); // one thread: a, then b
        CHECK(num_threads() == n); // the shares end with the tasks
    }
    set_threads(4); // nested: halves of halves
    std::atomic<int> inner{0};
    parallel_invoke([&] { parallel_invoke([&] { inner += num_threads(); }, [&] { inner += num_threads(); }); },
                    [&] { CHECK(num_threads() == 2); });
    CHECK(inner.load() == 2);
    set_threads(0);
}

TEST_CASE("errors: as_usage turns an lmk::Error into a UsageError, keeping message and hint") {
    CHECK(as_usage([] { return 7; }) == 7);
    try {
        as_usage([]() -> int { throw Error("x.json: bad", "fix it"); });
        FAIL("no throw");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == "x.json: bad");
        CHECK(e.hint() == "fix it");
    }
    CHECK_THROWS_WITH_AS(as_usage([] { usage_fail("--n must be positive, got {}", -1); }),
                         "--n must be positive, got -1", UsageError);
    CHECK_THROWS_AS(as_usage([] { throw std::runtime_error("other"); }), std::runtime_error);
    CHECK_THROWS_AS(LMK_CHECK_USAGE(1 < 0, "never"), UsageError);
}
