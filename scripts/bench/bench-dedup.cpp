// bench-dedup: MinHash signature throughput on one core (simplify + shingle + 112 hashes),
// and the parts of it, over the texts of a JSONL file.
//
//   bench-dedup PAGES.jsonl[.gz] [seconds]
// Prints MB/s of input text for: simplify_text alone, shingling (simplify + word hashes +
// n-gram hashes), and the full signature with band keys (datatrove's 14 x 8, 5-grams).
#include "lmk/core/cli.h"
#include "lmk/io/jsonl.h"
#include "lmk/text/minhash.h"

#include <ctime>
#include <cstdio>

namespace {

// Thread CPU time, not wall time: on a shared, overloaded machine the wall clock measures the
// other tenants; CPU seconds measure this code (caches are still shared, so this is a floor).
double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

template <typename F>
double mb_per_s(const std::vector<std::string>& texts, double seconds, F&& fn) {
    size_t bytes = 0;
    double t0 = cpu_seconds(), el = 0;
    do {
        for (const auto& t : texts) {
            fn(t);
            bytes += t.size();
        }
        el = cpu_seconds() - t0;
    } while (el < seconds);
    return double(bytes) / el / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    std::string path;
    double seconds = 2;
    return lmk::tool_main(
        argc, argv, {"bench-dedup", "Usage: bench-dedup PAGES [SECONDS]\n\nMinHash signature throughput, one thread.", ""},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("PAGES", path)->required();
            app.add_option("SECONDS", seconds);
        },
        [&](const lmk::CommonFlags&) {
            std::vector<std::string> texts;
            lmk::JsonlReader in(path);
            size_t total = 0;
            while (in.next())
                if (auto t = in.get_string("text")) {
                    texts.emplace_back(*t);
                    total += t->size();
                }
            lmk::MinHasher mh(lmk::MinHashParams{});
            lmk::MinHasher::Scratch s;
            std::vector<uint64_t> sig(size_t(mh.num_hashes())), keys(size_t(mh.params().bands));
            std::string buf;
            uint64_t sink = 0;
            double simp = mb_per_s(texts, seconds, [&](const std::string& t) {
                lmk::simplify_text_into(t, buf);
                sink += buf.size();
            });
            double shing = mb_per_s(texts, seconds, [&](const std::string& t) {
                mh.shingles(t, s);
                sink += s.shingles.size();
            });
            double full = mb_per_s(texts, seconds, [&](const std::string& t) {
                if (mh.signature(t, sig.data(), s)) mh.band_keys(sig.data(), keys.data());
                sink += keys[0];
            });
            std::printf("corpus: %zu documents, %.2f MB of text\n", texts.size(), double(total) / 1e6);
            std::printf("simplify_text:                 %8.1f MB/s per CPU-second\n", simp);
            std::printf("shingles (simplify + hashes):  %8.1f MB/s per CPU-second\n", shing);
            std::printf("signature + band keys (14x8):  %8.1f MB/s per CPU-second   (goal >= 20)\n", full);
            return sink == 42 ? 1 : 0;
        });
}
