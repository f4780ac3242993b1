// core/threads.cpp: oneTBB global_control held for the process lifetime.
#include "lmk/core/threads.h"
#include "lmk/core/error.h"

#include <memory>
#include <thread>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

namespace lmk {

namespace {
std::unique_ptr<tbb::global_control> g_control;
int g_threads = 0;
thread_local int tls_share = 0; // nonzero inside a parallel_invoke task: its threads

// Sets the calling thread's share for a scope (parallel_invoke tasks may nest).
struct ShareScope {
    int saved;
    explicit ShareScope(int share) : saved(tls_share) { tls_share = share; }
    ~ShareScope() { tls_share = saved; }
};
} // namespace

int hardware_threads() {
    unsigned n = std::thread::hardware_concurrency();
    return n ? int(n) : 1;
}

void set_threads(int n) {
    LMK_CHECK(n >= 0, "--threads: expected a count >= 0, got {}", n);
    g_threads = n == 0 ? hardware_threads() : n;
    g_control.reset();
    g_control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      size_t(g_threads));
}

int num_threads() {
    if (tls_share) return tls_share;
    return g_threads ? g_threads : hardware_threads();
}

void parallel_invoke(const std::function<void()>& a, const std::function<void()>& b) {
    const int n = num_threads();
    if (n == 1) {
        a();
        b();
        return;
    }
    const int half = n / 2;
    tbb::parallel_invoke([&] { ShareScope s(half); a(); }, [&] { ShareScope s(n - half); b(); });
}

void parallel_for_chunks(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
    if (n == 0) return;
    if (grain == 0) grain = 1;
    size_t chunks = (n + grain - 1) / grain;
    if (chunks == 1 || num_threads() == 1) {
        for (size_t c = 0; c < chunks; c++) fn(c * grain, std::min(n, (c + 1) * grain));
        return;
    }
    tbb::parallel_for(tbb::blocked_range<size_t>(0, chunks, 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t c = r.begin(); c < r.end(); c++) fn(c * grain, std::min(n, (c + 1) * grain));
    });
}

void parallel_for_pieces(const std::vector<size_t>& sizes, size_t piece,
                         const std::function<void(size_t, size_t, size_t)>& fn) {
    struct Piece {
        size_t array, begin, end;
    };
    // The calling thread's list, capacity kept across calls (workers only read it).
    static thread_local std::vector<Piece> reused;
    std::vector<Piece>& pieces = reused;
    pieces.clear();
    if (piece == 0) piece = 1;
    for (size_t i = 0; i < sizes.size(); i++)
        for (size_t b = 0; b < sizes[i]; b += piece) pieces.push_back({i, b, std::min(sizes[i], b + piece)});
    parallel_for_chunks(pieces.size(), 1, [&](size_t c0, size_t c1) {
        for (size_t c = c0; c < c1; c++) fn(pieces[c].array, pieces[c].begin, pieces[c].end);
    });
}

} // namespace lmk
