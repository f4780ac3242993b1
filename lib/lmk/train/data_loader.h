// train/data_loader.h: next-token batches from llm.c token shards (io/shard.h).
//
// A loader reads every shard matching a glob (sorted by name; "a.bin,b*.bin" lists several
// patterns) and yields batches of B rows of T+1 consecutive tokens, split into inputs
// (tokens 0..T-1) and targets (1..T). Two orders:
//   random      each row is a window drawn uniformly over all windows of all shards (a
//               shard of n tokens has n - T windows), from an Rng seeded by the caller;
//   sequential  rows follow each other through a shard, T tokens apart (llm.c's loader);
//               a window that would cross a shard's end moves to the next shard, and the
//               last shard wraps to the first (one pass = one epoch).
// The loader's whole state is a DataPosition (shard, offset, RNG state, batches served), so
// a checkpoint restores it and the resumed run sees exactly the batches it would have seen.
// Same files + same seed = the same batches on any machine and thread count.
//
//   lmk::TokenDataLoader train("data/train_*.bin", B, T, lmk::DataOrder::random, seed);
//   std::vector<int32_t> x(B * T), y(B * T);
//   train.next_batch(x.data(), y.data());
//   DataPosition p = train.position();   ... later: train.set_position(p);
#pragma once
#include "lmk/core/rng.h"
#include "lmk/io/shard.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lmk {

enum class DataOrder { random, sequential };
DataOrder data_order_from_name(const std::string& s); // "random" | "sequential"; throws

struct DataPosition {
    uint64_t shard = 0, offset = 0;     // sequential: where the next row starts
    std::array<uint64_t, 4> rng{};      // random: the window generator's state
    uint64_t batches = 0;               // batches served so far
    bool operator==(const DataPosition&) const = default;
};

// Expands "pattern[,pattern...]" with glob(3); each pattern's matches are sorted by name.
// Throws, with a hint, when a pattern matches nothing.
std::vector<std::string> expand_shard_glob(const std::string& patterns);

class TokenDataLoader {
public:
    TokenDataLoader(const std::string& patterns, int64_t B, int64_t T, DataOrder order, uint64_t seed);
    ~TokenDataLoader();

    // inputs and targets each hold B*T ids (row-major [B, T]).
    void next_batch(int32_t* inputs, int32_t* targets);
    DataPosition position() const;
    void set_position(const DataPosition& p); // validated against the shards
    void rewind();                            // back to the start (evaluation passes)

    // Whole-split evaluation: rows that score every target token of every shard exactly
    // once, whatever the order. A shard of n tokens has ceil((n - 1) / T) rows; row r starts
    // at r * T, except that the last one ends at the shard's end, and its targets that the
    // row before already scored are set to `ignore` (so is a shard's only row when n <= T:
    // it starts at 0 and its missing tail is ignore with input 0).
    uint64_t coverage_rows() const;
    void coverage_row(uint64_t row, int32_t* inputs, int32_t* targets, int32_t ignore) const;

    size_t num_shards() const { return shards_.size(); }
    uint64_t total_tokens() const { return total_tokens_; }
    uint64_t num_windows() const { return total_windows_; }
    uint32_t max_token_id() const; // scans every shard
    const std::vector<std::string>& paths() const { return paths_; }
    int64_t batch_size() const { return B_; }
    int64_t context() const { return T_; }

private:
    void read_row(size_t shard, uint64_t offset, int32_t* in, int32_t* tgt) const;
    std::vector<std::string> paths_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::vector<uint64_t> window_prefix_; // cumulative windows per shard (random order)
    std::vector<uint64_t> coverage_prefix_; // cumulative coverage rows per shard
    int64_t B_, T_;
    DataOrder order_;
    uint64_t seed_, total_tokens_ = 0, total_windows_ = 0;
    Rng rng_;
    DataPosition pos_;
};

} // namespace lmk
