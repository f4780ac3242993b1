// train/data_loader.cpp: see data_loader.h.
#include "lmk/train/data_loader.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"

#include <algorithm>
#include <glob.h>

namespace lmk {

DataOrder data_order_from_name(const std::string& s) {
    if (s == "random") return DataOrder::random;
    if (s == "sequential") return DataOrder::sequential;
    throw Error(fmt::format("unknown data order \"{}\"", s), "use random or sequential");
}

std::vector<std::string> expand_shard_glob(const std::string& patterns) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= patterns.size()) {
        size_t comma = patterns.find(',', start);
        if (comma == std::string::npos) comma = patterns.size();
        std::string pat = patterns.substr(start, comma - start);
        start = comma + 1;
        if (pat.empty()) continue;
        glob_t g{};
        int rc = glob(pat.c_str(), GLOB_ERR, nullptr, &g);
        std::vector<std::string> found;
        if (rc == 0)
            for (size_t i = 0; i < g.gl_pathc; i++) found.emplace_back(g.gl_pathv[i]);
        globfree(&g);
        if (found.empty())
            throw Error(fmt::format("{}: no token shard matches", pat),
                        "make shards with encode; quote the glob so the shell leaves it to pretrain");
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    LMK_CHECK(!out.empty(), "no token shards given");
    return out;
}

// Rows that score each of a shard's n - 1 targets once (TokenDataLoader::coverage_row).
static uint64_t shard_coverage_rows(uint64_t n, int64_t T) {
    return n < 2 ? 0 : (n - 1 + uint64_t(T) - 1) / uint64_t(T);
}

TokenDataLoader::TokenDataLoader(const std::string& patterns, int64_t B, int64_t T, DataOrder order, uint64_t seed)
    : B_(B), T_(T), order_(order), seed_(seed), rng_(seed) {
    LMK_CHECK(B > 0 && T > 0, "data loader: batch {} and context {} must be positive", B, T);
    paths_ = expand_shard_glob(patterns);
    window_prefix_.push_back(0);
    coverage_prefix_.push_back(0);
    for (const auto& p : paths_) {
        shards_.push_back(std::make_unique<Shard>(p));
        uint64_t n = shards_.back()->size();
        total_tokens_ += n;
        uint64_t windows = n > uint64_t(T) ? n - uint64_t(T) : 0;
        if (windows == 0) log_warn("{}: {} tokens, fewer than context + 1 = {}: not used", p, n, T + 1);
        total_windows_ += windows;
        window_prefix_.push_back(total_windows_);
        coverage_prefix_.push_back(coverage_prefix_.back() + shard_coverage_rows(n, T));
    }
    if (total_windows_ == 0)
        throw Error(fmt::format("{}: no shard holds {} tokens (context + 1)", patterns, T + 1),
                    "use a smaller --ctx or more data");
    rewind();
}

TokenDataLoader::~TokenDataLoader() = default;

void TokenDataLoader::rewind() {
    pos_ = DataPosition{};
    rng_ = Rng(seed_);
    pos_.rng = rng_.state();
    // Sequential order starts at the first shard that holds a window.
    while (shards_[pos_.shard]->size() <= uint64_t(T_)) pos_.shard++;
}

void TokenDataLoader::read_row(size_t shard, uint64_t offset, int32_t* in, int32_t* tgt) const {
    const Shard& s = *shards_[shard];
    // T+1 tokens: inputs are the first T, targets the last T.
    int32_t first = int32_t(s[offset]);
    for (int64_t t = 0; t < T_; t++) {
        int32_t next = int32_t(s[offset + uint64_t(t) + 1]);
        in[t] = first;
        tgt[t] = next;
        first = next;
    }
}

void TokenDataLoader::next_batch(int32_t* inputs, int32_t* targets) {
    for (int64_t b = 0; b < B_; b++) {
        int32_t* in = inputs + b * T_;
        int32_t* tgt = targets + b * T_;
        if (order_ == DataOrder::random) {
            uint64_t k = rng_.below(total_windows_);
            // The shard whose window range holds k (empty shards have empty ranges).
            size_t shard = size_t(std::upper_bound(window_prefix_.begin(), window_prefix_.end(), k) - window_prefix_.begin()) - 1;
            read_row(shard, k - window_prefix_[shard], in, tgt);
        } else {
            read_row(pos_.shard, pos_.offset, in, tgt);
            pos_.offset += uint64_t(T_);
            // The next window needs T+1 tokens from offset; otherwise move to the next shard.
            while (pos_.offset + uint64_t(T_) + 1 > shards_[pos_.shard]->size()) {
                pos_.offset = 0;
                pos_.shard = (pos_.shard + 1) % shards_.size();
                if (shards_[pos_.shard]->size() > uint64_t(T_)) break;
            }
        }
    }
    pos_.rng = rng_.state();
    pos_.batches++;
}

uint64_t TokenDataLoader::coverage_rows() const { return coverage_prefix_.back(); }

void TokenDataLoader::coverage_row(uint64_t row, int32_t* in, int32_t* tgt, int32_t ignore) const {
    LMK_CHECK(row < coverage_rows(), "coverage row {} past the last of {}", row, coverage_rows());
    // The shard whose row range holds `row` (shards without rows have empty ranges).
    const size_t shard = size_t(std::upper_bound(coverage_prefix_.begin(), coverage_prefix_.end(), row) -
                                coverage_prefix_.begin()) - 1;
    row -= coverage_prefix_[shard];
    const Shard& s = *shards_[shard];
    const uint64_t n = s.size(), T = uint64_t(T_);
    if (n <= T) { // one short row: the tokens there are, the rest ignored
        for (uint64_t t = 0; t < T; t++) {
            in[t] = t < n ? int32_t(s[t]) : 0;
            tgt[t] = t + 1 < n ? int32_t(s[t + 1]) : ignore;
        }
        return;
    }
    const uint64_t first_target = row * T + 1;            // the first token this row scores
    const uint64_t start = std::min(row * T, n - 1 - T);  // the last row ends at the shard's end
    read_row(shard, start, in, tgt);
    for (uint64_t t = 0; start + t + 1 < first_target; t++) tgt[t] = ignore;
}

DataPosition TokenDataLoader::position() const { return pos_; }

void TokenDataLoader::set_position(const DataPosition& p) {
    LMK_CHECK(p.shard < shards_.size(), "data position: shard {} but only {} shards match (were shards removed?)",
              p.shard, shards_.size());
    LMK_CHECK(p.offset + uint64_t(T_) < shards_[p.shard]->size() || order_ == DataOrder::random,
              "data position: offset {} is past the end of {}", p.offset, paths_[p.shard]);
    pos_ = p;
    rng_.set_state(p.rng);
}

uint32_t TokenDataLoader::max_token_id() const {
    uint32_t m = 0;
    for (const auto& s : shards_) m = std::max(m, s->max_id());
    return m;
}

} // namespace lmk
