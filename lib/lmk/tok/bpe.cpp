// tok/bpe.cpp: BPE merge loops, the whole-token shortcut and the per-thread piece cache.
#include "lmk/tok/bpe.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <queue>
#include <string>
#include <unordered_map>

namespace lmk::tok {
namespace {

constexpr uint32_t kNoRank = 0xFFFFFFFFu;
// Pieces longer than this (in symbols) use the heap; shorter ones the quadratic scan, whose
// small constant wins on the usual 1-20 symbol pieces.
constexpr size_t kHeapThreshold = 96;
// Pieces longer than this (bytes) are not cached: they are rare and would evict the rest.
constexpr size_t kMaxCachedPiece = 256;
constexpr size_t kMaxCacheEntries = 1 << 17;

std::atomic<uint64_t> g_next_serial{1};

struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return size_t(hash_bytes(s)); }
};

// One cache per thread, emptied when it serves a different model or grows too large.
struct PieceCache {
    uint64_t owner = 0;
    std::unordered_map<std::string, std::pair<uint32_t, uint32_t>, StrHash, std::equal_to<>> map;
    std::vector<uint32_t> ids;
    void reset(uint64_t serial) {
        owner = serial;
        map.clear();
        ids.clear();
    }
};
thread_local PieceCache t_cache;

} // namespace

BpeModel::BpeModel(Vocab vocab, std::vector<Pair> merges, BpeOptions opts)
    : vocab_(std::move(vocab)), merges_(std::move(merges)), opts_(std::move(opts)) {
    for (size_t r = 0; r < merges_.size(); r++) {
        auto [a, b] = merges_[r];
        LMK_CHECK(a < vocab_.size() && b < vocab_.size(), "merge {}: id out of range", r);
        std::string joined = vocab_.token(a) + vocab_.token(b);
        // With a continuing-subword prefix the right part's prefix is not repeated.
        const std::string& pre = opts_.continuing_subword_prefix;
        if (!pre.empty() && vocab_.token(b).starts_with(pre))
            joined = vocab_.token(a) + vocab_.token(b).substr(pre.size());
        uint32_t m = vocab_.lookup(joined);
        LMK_CHECK(m != Vocab::kNone, "merge {} (\"{}\" \"{}\"): the merged token is not in the vocabulary",
                  r, vocab_.token(a), vocab_.token(b));
        pairs_.insert(a, b, {uint32_t(r), m});
    }
    build_pairs();
}

BpeModel BpeModel::from_ranks(Vocab vocab) {
    BpeModel m;
    m.vocab_ = std::move(vocab);
    m.opts_.byte_level = true;
    m.opts_.ignore_merges = true;
    // Every split of a token into two tokens is a pair whose rank is the token's id; the
    // merge list (for saving as tokenizer.json) is ordered by that rank, then by split point.
    for (uint32_t id = 0; id < m.vocab_.size(); id++) {
        const std::string& t = m.vocab_.token(id);
        for (size_t k = 1; k < t.size(); k++) {
            uint32_t a = m.vocab_.lookup(std::string_view(t).substr(0, k));
            uint32_t b = m.vocab_.lookup(std::string_view(t).substr(k));
            if (a == Vocab::kNone || b == Vocab::kNone || a >= id || b >= id) continue;
            m.pairs_.insert(a, b, {id, id});
            m.merges_.push_back({a, b});
        }
    }
    m.build_pairs();
    return m;
}

void BpeModel::build_pairs() {
    serial_ = g_next_serial.fetch_add(1);
    std::fill(std::begin(byte_ids_), std::end(byte_ids_), Vocab::kNone);
    if (opts_.byte_level)
        for (int b = 0; b < 256; b++) byte_ids_[b] = vocab_.lookup(std::string(1, char(b)));
    if (opts_.unk_token) unk_id_ = vocab_.lookup(*opts_.unk_token);
    check_whole_tokens();
}

void BpeModel::check_whole_tokens() {
    whole_ok_.assign(vocab_.size(), 0);
    // The shortcut only applies where a piece's text is a token's text: no prefix/suffix.
    if (!opts_.continuing_subword_prefix.empty() || !opts_.end_of_word_suffix.empty()) return;
    std::vector<uint32_t> sym;
    for (uint32_t id = 0; id < vocab_.size(); id++) {
        const std::string& t = vocab_.token(id);
        if (t.empty()) continue;
        if (opts_.ignore_merges) { whole_ok_[id] = 1; continue; }
        sym.clear();
        initial_symbols(t, sym);
        merge_symbols(sym);
        whole_ok_[id] = sym.size() == 1 && sym[0] == id;
    }
}

void BpeModel::initial_symbols(std::string_view piece, std::vector<uint32_t>& out) const {
    if (opts_.byte_level) {
        for (unsigned char c : piece) {
            uint32_t id = byte_ids_[c];
            if (id != Vocab::kNone) out.push_back(id);
            else if (unk_id_ != Vocab::kNone) out.push_back(unk_id_);
        }
        return;
    }
    std::string sym;
    bool last_unk = false;
    for (size_t i = 0; i < piece.size();) {
        uint32_t cp;
        size_t n = utf8_decode(piece.data() + i, piece.size() - i, &cp);
        if (n == 0) n = 1;
        sym.clear();
        if (i > 0) sym += opts_.continuing_subword_prefix;
        sym.append(piece.substr(i, n));
        if (i + n == piece.size()) sym += opts_.end_of_word_suffix;
        uint32_t id = vocab_.lookup(sym);
        if (id != Vocab::kNone) {
            out.push_back(id);
            last_unk = false;
        } else if (opts_.byte_fallback) {
            for (size_t k = 0; k < n; k++) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "<0x%02X>", unsigned(uint8_t(piece[i + k])));
                uint32_t bid = vocab_.lookup(hex);
                if (bid != Vocab::kNone) out.push_back(bid);
                else if (unk_id_ != Vocab::kNone) out.push_back(unk_id_);
            }
            last_unk = false;
        } else if (unk_id_ != Vocab::kNone) {
            if (!(opts_.fuse_unk && last_unk)) out.push_back(unk_id_);
            last_unk = true;
        }
        i += n;
    }
}

void BpeModel::merge_symbols(std::vector<uint32_t>& s) const {
    if (s.size() < 2) return;
    if (s.size() < kHeapThreshold) merge_quadratic(s);
    else merge_heap(s);
}

void BpeModel::merge_quadratic(std::vector<uint32_t>& s) const {
    // rank[i] is the rank of pair (s[i], s[i+1]); the lowest, leftmost one merges next.
    uint32_t rank_buf[kHeapThreshold];
    size_t n = s.size();
    auto rank_of = [&](size_t i) {
        const Merge* m = pairs_.find(s[i], s[i + 1]);
        return m ? m->rank : kNoRank;
    };
    for (size_t i = 0; i + 1 < n; i++) rank_buf[i] = rank_of(i);
    while (n > 1) {
        size_t best = 0;
        uint32_t best_rank = rank_buf[0];
        for (size_t i = 1; i + 1 < n; i++)
            if (rank_buf[i] < best_rank) { best_rank = rank_buf[i]; best = i; }
        if (best_rank == kNoRank) break;
        s[best] = pairs_.find(s[best], s[best + 1])->merged;
        for (size_t i = best + 1; i + 1 < n; i++) s[i] = s[i + 1];
        for (size_t i = best + 1; i + 2 < n; i++) rank_buf[i] = rank_buf[i + 1];
        n--;
        if (best + 1 < n) rank_buf[best] = rank_of(best);
        if (best > 0) rank_buf[best - 1] = rank_of(best - 1);
    }
    s.resize(n);
}

void BpeModel::merge_heap(std::vector<uint32_t>& s) const {
    // Symbols form a linked list over their original positions; the heap holds candidate
    // pairs keyed (rank, left position). An entry is stale when either symbol has changed
    // since it was pushed; stale entries are skipped when popped.
    const int32_t n = int32_t(s.size());
    std::vector<int32_t> prev(n), next(n);
    for (int32_t i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }
    struct Cand {
        uint32_t rank;
        int32_t pos;
        uint32_t left, right;
        bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
    auto push = [&](int32_t i) {
        if (i < 0 || next[i] < 0) return;
        if (const Merge* m = pairs_.find(s[i], s[next[i]])) heap.push({m->rank, i, s[i], s[next[i]]});
    };
    std::vector<uint8_t> alive(n, 1);
    for (int32_t i = 0; i + 1 < n; i++) push(i);
    while (!heap.empty()) {
        Cand c = heap.top();
        heap.pop();
        int32_t j = next[c.pos];
        if (!alive[c.pos] || j < 0 || s[c.pos] != c.left || s[j] != c.right) continue;
        s[c.pos] = pairs_.find(c.left, c.right)->merged;
        alive[j] = 0;
        next[c.pos] = next[j];
        if (next[j] >= 0) prev[next[j]] = c.pos;
        push(prev[c.pos]);
        push(c.pos);
    }
    size_t w = 0;
    for (int32_t i = 0; i >= 0 && i < n; i = next[i]) s[w++] = s[i];
    s.resize(w);
}

void BpeModel::encode_piece(std::string_view piece, std::vector<uint32_t>& out) const {
    if (piece.empty()) return;
    uint32_t whole = vocab_.lookup(piece);
    if (whole != Vocab::kNone && whole_ok_[whole]) {
        out.push_back(whole);
        return;
    }
    PieceCache& cache = t_cache;
    bool cacheable = piece.size() <= kMaxCachedPiece;
    if (cacheable) {
        if (cache.owner != serial_ || cache.map.size() >= kMaxCacheEntries) cache.reset(serial_);
        auto it = cache.map.find(piece);
        if (it != cache.map.end()) {
            auto [off, len] = it->second;
            out.insert(out.end(), cache.ids.begin() + off, cache.ids.begin() + off + len);
            return;
        }
    }
    thread_local std::vector<uint32_t> sym;
    sym.clear();
    initial_symbols(piece, sym);
    merge_symbols(sym);
    out.insert(out.end(), sym.begin(), sym.end());
    if (cacheable) {
        cache.map.emplace(std::string(piece), std::make_pair(uint32_t(cache.ids.size()), uint32_t(sym.size())));
        cache.ids.insert(cache.ids.end(), sym.begin(), sym.end());
    }
}

} // namespace lmk::tok
