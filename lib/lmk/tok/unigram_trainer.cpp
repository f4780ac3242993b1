// tok/unigram_trainer.cpp: sentencepiece's Unigram training (Kudo 2018), in outline:
//   1. seed pieces (unigram_trainer.h): every character plus the best-ranked substrings
//      from a suffix array over the distinct words (SA-IS over character ids, the same
//      separator after each word), each occurrence weighted by its word's count; scores are
//      the log of freq (characters) or freq x length (substrings), normalized;
//   2. EM: expected piece counts by forward-backward over each word's lattice, weighted by
//      the word count; pieces expected fewer than 0.5 times are dropped (characters never:
//      their count is floored at 0.5 instead); new scores are digamma(count) -
//      digamma(total) (sentencepiece's Bayesian update); two EM iterations per round;
//   3. prune: each word's Viterbi segmentation gives piece frequencies f; a piece whose own
//      best segmentation is split, or that no Viterbi path uses, goes; for the others the
//      loss is (f_i / words) x (log p_i - sum over its second-best segmentation of
//      log p'_j), with f_i moved to the alternatives (sentencepiece's approximation);
//      characters always stay; keep max(1.1 x target, 0.75 x size) pieces, largest loss
//      first; repeat 2-3 until at most 1.1 x target pieces remain;
//   4. final: characters, then the best-scored pieces, up to vocab_size minus the specials.
// Words are split the way the tokenizer will split them (NFKC, Metaspace "▁" prefix), so a
// piece never spans two words.
//
// Speed and memory. The words are written once as character ids; the lattice of every word
// is built once, straight from the suffix-array intervals of the seeds (every occurrence of
// a seed is one interval of suffixes, so no string is hashed or looked up), and stored as
// one 32-bit (piece id, length) entry per node, grouped by start position. When pieces are
// dropped the node lists and ids are compacted, so later rounds touch only live pieces.
// Forward-backward runs in probability space (a multiply-add per node; the log-space
// version is the fallback for a word whose probability underflows), Viterbi in log space.
// The second-best segmentation of a piece is the Viterbi path over the sub-lattice of one
// of its occurrences with the piece itself left out.
//
// Determinism: the E-step and the pruning pass run over a fixed number of word chunks
// (split by node count, never by thread count), each summing into its own array; the
// arrays are added in chunk order. Results are identical for any thread count.
#include "lmk/tok/unigram_trainer.h"

#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/utf8.h"
#include "lmk/tok/suffix_sort.h"
#include "lmk/tok/trainer.h"
#include "lmk/tok/unigram.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace lmk::tok {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr size_t kChunks = 8;              // fixed: results must not depend on the thread count
constexpr double kExpectedThreshold = 0.5; // sentencepiece's kExpectedFrequencyThreshold
constexpr int32_t kSeparator = 1;          // after every word; 0 ends the text
constexpr int32_t kFirstUnit = 2;
// A substring that only ever ends words becomes a seed after this many word-end occurrences
// (weighted): sentencepiece, reading lines of running text, sees such a substring followed
// by "▁" mid-line and by the line end, which makes it a suffix-tree node once it has ended a
// line; at ~10 words per line that takes about 10 occurrences.
constexpr uint64_t kWordEndBranchCount = 10;

double log_add(double a, double b) {
    if (a == kNegInf) return b;
    if (b == kNegInf) return a;
    double m = std::max(a, b);
    return m + std::log1p(std::exp(-std::fabs(a - b)));
}

double digamma(double x) {
    double r = 0;
    for (; x < 7; ++x) r -= 1 / x;
    x -= 0.5;
    double xx = 1.0 / x, xx2 = xx * xx, xx4 = xx2 * xx2;
    r += std::log(x) + (1.0 / 24) * xx2 - (7.0 / 960) * xx4 + (31.0 / 8064) * xx4 * xx2 - (127.0 / 30720) * xx4 * xx4;
    return r;
}

// The distinct words as character ("unit") ids: word k is text[start[k], start[k + 1] - 1),
// followed by kSeparator; the text ends with 0. Units are UTF-8 characters (an invalid byte
// is a unit of its own), numbered from kFirstUnit in byte order, so comparing id sequences
// compares the strings.
struct Words {
    std::vector<int32_t> text;
    std::vector<uint32_t> start; // words + 1 entries
    std::vector<uint64_t> count;
    std::vector<std::string> units; // id -> bytes (ids 0 and 1 unused)
    size_t size() const { return count.size(); }
    uint32_t length(size_t k) const { return start[k + 1] - start[k] - 1; }
    std::string piece(uint32_t pos, uint32_t len) const {
        std::string s;
        for (uint32_t i = 0; i < len; i++) s += units[size_t(text[pos + i])];
        return s;
    }
};

Words encode_words(const WordCounts& wc) {
    Words w;
    std::unordered_map<uint32_t, int32_t> code_to_tmp; // code point, or 0x110000 + invalid byte
    std::vector<std::string> tmp_units;
    size_t total = 1;
    for (const auto& [s, c] : wc.words) total += s.size() + 1;
    LMK_CHECK(total < size_t(INT32_MAX), "unigram: the distinct words hold {} bytes, more than 2^31 - 1", total);
    w.text.reserve(total);
    w.start.reserve(wc.words.size() + 1);
    w.count.reserve(wc.words.size());
    for (const auto& [s, c] : wc.words) {
        w.start.push_back(uint32_t(w.text.size()));
        w.count.push_back(c);
        for (size_t i = 0; i < s.size();) {
            uint32_t cp;
            size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
            if (n == 0) { cp = 0x110000 + uint8_t(s[i]); n = 1; }
            auto [it, fresh] = code_to_tmp.try_emplace(cp, int32_t(tmp_units.size()));
            if (fresh) tmp_units.emplace_back(s.substr(i, n));
            w.text.push_back(it->second);
            i += n;
        }
        w.text.push_back(-1);
    }
    w.start.push_back(uint32_t(w.text.size()));
    // Renumber units in byte order.
    std::vector<int32_t> order(tmp_units.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return tmp_units[size_t(a)] < tmp_units[size_t(b)]; });
    std::vector<int32_t> rank(tmp_units.size());
    w.units.assign(size_t(kFirstUnit), std::string());
    for (size_t r = 0; r < order.size(); r++) {
        rank[size_t(order[r])] = int32_t(r) + kFirstUnit;
        w.units.push_back(tmp_units[size_t(order[r])]);
    }
    for (int32_t& x : w.text) x = x < 0 ? kSeparator : rank[size_t(x)];
    w.text.push_back(0);
    return w;
}

// Training state: one entry per live piece. A piece is named by one occurrence (text
// position and length in units); its string is only built at the end.
struct Pieces {
    std::vector<uint32_t> pos;
    std::vector<uint8_t> len;
    std::vector<uint8_t> is_char;
    std::vector<double> score;
    size_t size() const { return pos.size(); }
    void push(uint32_t p, uint32_t l, bool c, double s) {
        pos.push_back(p);
        len.push_back(uint8_t(l));
        is_char.push_back(c);
        score.push_back(s);
    }
};

// Every word's lattice: the nodes starting at text position p are node[off[p], off[p + 1]),
// each (piece id << 8) | length, sorted by length.
struct Lattice {
    std::vector<uint32_t> off;
    std::vector<uint32_t> node;
    static uint32_t id(uint32_t x) { return x >> 8; }
    static uint32_t len(uint32_t x) { return x & 0xFF; }
};

// Seed candidates and, when asked, the lattice built from their occurrences.
struct Seed {
    Pieces pieces;
    std::vector<uint64_t> freq, rank_score;
};

Seed make_seed(const Words& w, const TrainerOptions& o, Lattice* lattice) {
    const size_t max_chars = o.unigram_max_piece_length;
    LMK_CHECK(max_chars >= 1 && max_chars <= 254, "unigram: max piece length {} is outside [1, 254]", max_chars);
    const size_t n = w.text.size();
    const int32_t alphabet = int32_t(w.units.size());
    Seed seed;
    // Characters: every unit with its weighted count; piece id = unit id - kFirstUnit.
    const size_t chars = w.units.size() - size_t(kFirstUnit);
    std::vector<uint64_t> unit_count(w.units.size(), 0);
    std::vector<uint32_t> unit_pos(w.units.size(), 0);
    std::vector<uint32_t> word_of(n, 0);
    for (size_t k = 0; k < w.size(); k++)
        for (uint32_t p = w.start[k]; p + 1 < w.start[k + 1]; p++) {
            unit_count[size_t(w.text[p])] += w.count[k];
            unit_pos[size_t(w.text[p])] = p;
            word_of[p] = uint32_t(k);
        }
    for (size_t u = size_t(kFirstUnit); u < w.units.size(); u++) {
        seed.pieces.push(unit_pos[u], 1, true, 0);
        seed.freq.push_back(unit_count[u]);
        seed.rank_score.push_back(unit_count[u]);
    }
    // Suffix array, LCP (never across a separator) and weights in suffix order.
    std::vector<int32_t> sa = symbol_suffix_array(w.text, alphabet);
    std::vector<uint8_t> lcp = lcp_stopping_at(w.text, sa, kSeparator);
    std::vector<uint64_t> weight_before(n + 1, 0); // sum of word counts of sa[0, r)
    for (size_t r = 0; r < n; r++) {
        int32_t u = w.text[size_t(sa[r])];
        weight_before[r + 1] = weight_before[r] + (u >= kFirstUnit ? w.count[word_of[size_t(sa[r])]] : 0);
    }
    auto bytes_ok = [&](uint32_t p, uint32_t len) {
        if (o.max_token_length == 0) return true;
        size_t b = 0;
        for (uint32_t i = 0; i < len; i++) b += w.units[size_t(w.text[p + i])].size();
        return b <= o.max_token_length;
    };
    struct Candidate {
        uint64_t score;
        uint32_t lb, rb; // suffix-array interval of its occurrences
        uint32_t len;
    };
    std::vector<Candidate> cand;
    // A candidate is right-branching in running text, where every word end is followed by
    // the same symbol (the next word's "▁"): two occurrences continue differently, a word end
    // counting as one continuation. A substring that only ever ends words is branching in
    // sentencepiece's input once one of its occurrences ends a line instead; here that is
    // assumed once it has ended words kWordEndBranchCount times (see unigram_trainer.h).
    auto to_end = [&](uint32_t p) { return w.start[word_of[p] + 1] - 1 - p; };
    auto consider = [&](uint32_t depth, uint32_t lb, uint32_t rb) {
        if (depth < 2 || depth > max_chars) return;
        const uint64_t f = weight_before[rb + 1] - weight_before[lb];
        const uint32_t p = uint32_t(sa[lb]);
        if (f < 2 || f < o.min_frequency || !bytes_ok(p, depth)) return;
        // Occurrences that end a word sort first in the interval (the separator is the
        // smallest symbol after the sentinel); the rest continue with the next symbol, and
        // they differ iff the first and last of them do.
        uint32_t r = lb;
        while (r <= rb && to_end(uint32_t(sa[r])) == depth) r++;
        const uint64_t word_end_weight = weight_before[r] - weight_before[lb];
        const int continuations = (r > lb ? 1 : 0) +
            (r <= rb ? 1 + (w.text[size_t(sa[r]) + depth] != w.text[size_t(sa[rb]) + depth]) : 0);
        if (continuations < 2 && word_end_weight < kWordEndBranchCount) return;
        cand.push_back({f * depth, lb, rb, depth});
    };
    // The suffix-tree nodes are the lcp-intervals, visited bottom-up (Abouelhoda, Kurtz &
    // Ohlebusch 2004); an interval of depth d holds every occurrence of its d-character string.
    struct Open {
        uint32_t depth, lb;
    };
    std::vector<Open> stack = {{0, 0}};
    for (size_t r = 1; r <= n; r++) {
        const uint32_t l = r < n ? lcp[r] : 0;
        uint32_t lb = uint32_t(r - 1);
        while (l < stack.back().depth) {
            Open top = stack.back();
            stack.pop_back();
            consider(top.depth, top.lb, uint32_t(r - 1));
            lb = top.lb;
        }
        if (l > stack.back().depth) stack.push_back({l, lb});
    }
    // Leaves: a word suffix whose string occurs nowhere else (only in one word, which may be
    // counted many times).
    for (size_t r = 0; r < n; r++) {
        const uint32_t p = uint32_t(sa[r]);
        if (w.text[p] < kFirstUnit) continue;
        const uint32_t shared = std::max<uint32_t>(lcp[r], r + 1 < n ? lcp[r + 1] : 0);
        if (to_end(p) > shared) consider(to_end(p), uint32_t(r), uint32_t(r));
    }
    lcp = {};
    word_of = {};
    weight_before = {};
    // Rank: freq x length, ties by the piece's string (suffix order, then the shorter).
    auto better = [](const Candidate& a, const Candidate& b) {
        if (a.score != b.score) return a.score > b.score;
        return a.lb != b.lb ? a.lb < b.lb : a.len < b.len;
    };
    const size_t limit = std::min(o.unigram_seed_size, (size_t(1) << 24) - chars - 1);
    const size_t candidates = cand.size();
    if (cand.size() > limit) {
        std::nth_element(cand.begin(), cand.begin() + std::ptrdiff_t(limit), cand.end(), better);
        cand.resize(limit);
    }
    std::sort(cand.begin(), cand.end(), better);
    for (const Candidate& c : cand) {
        seed.pieces.push(uint32_t(sa[c.lb]), c.len, false, 0);
        seed.freq.push_back(c.score / c.len);
        seed.rank_score.push_back(c.score);
    }
    log_info("unigram: {} distinct words, {} characters; {} seed pieces from {} substring candidates", w.size(), n,
             seed.pieces.size(), candidates);
    if (!lattice) return seed;
    // Lattice: one node per occurrence of every seed (its suffix-array interval) and per
    // character position.
    std::vector<uint32_t>& off = lattice->off;
    off.assign(n + 1, 0);
    for (size_t p = 0; p < n; p++)
        if (w.text[p] >= kFirstUnit) off[p + 1]++;
    for (const Candidate& c : cand)
        for (uint32_t r = c.lb; r <= c.rb; r++) off[size_t(sa[r]) + 1]++;
    for (size_t p = 0; p < n; p++) off[p + 1] += off[p];
    LMK_CHECK(off[n] < UINT32_MAX, "unigram: {} lattice nodes exceed 2^32", off[n]);
    std::vector<uint32_t>& node = lattice->node;
    const uint32_t total_nodes = off[n];
    node.assign(total_nodes, 0);
    // Fill each list from its end (off[p + 1] counts down to p's start), then shift.
    for (size_t p = 0; p < n; p++)
        if (w.text[p] >= kFirstUnit) node[--off[p + 1]] = (uint32_t(w.text[p] - kFirstUnit) << 8) | 1;
    for (size_t i = 0; i < cand.size(); i++) {
        const uint32_t id = uint32_t(chars + i);
        for (uint32_t r = cand[i].lb; r <= cand[i].rb; r++) node[--off[size_t(sa[r]) + 1]] = (id << 8) | cand[i].len;
    }
    std::move(off.begin() + 1, off.end(), off.begin());
    off[n] = total_nodes;
    for (size_t p = 0; p < n; p++)
        std::sort(node.begin() + off[p], node.begin() + off[p + 1],
                  [](uint32_t a, uint32_t b) { return Lattice::len(a) != Lattice::len(b) ? Lattice::len(a) < Lattice::len(b) : a < b; });
    log_info("unigram: {} lattice nodes ({} MB)", node.size(), (node.size() * 4 + off.size() * 4) >> 20);
    return seed;
}

// Drops the pieces with keep[i] == 0 from the pieces and from every lattice node list;
// surviving ids are renumbered in order.
void compact(Pieces& P, Lattice& L, const std::vector<uint8_t>& keep) {
    std::vector<uint32_t> new_id(P.size(), UINT32_MAX);
    Pieces next;
    for (size_t i = 0; i < P.size(); i++)
        if (keep[i]) {
            new_id[i] = uint32_t(next.size());
            next.push(P.pos[i], P.len[i], P.is_char[i], P.score[i]);
        }
    P = std::move(next);
    size_t out = 0, begin = 0;
    for (size_t p = 0; p + 1 < L.off.size(); p++) {
        const size_t end = L.off[p + 1];
        for (size_t i = begin; i < end; i++) {
            uint32_t id = new_id[Lattice::id(L.node[i])];
            if (id != UINT32_MAX) L.node[out++] = (id << 8) | Lattice::len(L.node[i]);
        }
        begin = end;
        L.off[p + 1] = uint32_t(out);
    }
    L.node.resize(out); // capacity kept: reallocating would raise the peak
}

// Word ranges [bounds[c], bounds[c + 1]) with about equal node counts.
std::vector<size_t> chunk_bounds(const Words& w, const Lattice& L) {
    std::vector<size_t> b = {0};
    const double per = double(L.node.size()) / kChunks;
    for (size_t k = 0; k < w.size() && b.size() < kChunks; k++)
        if (double(L.off[w.start[k + 1]]) >= per * double(b.size())) b.push_back(k + 1);
    while (b.size() <= kChunks) b.push_back(w.size());
    return b;
}

struct Scratch {
    std::vector<double> a, b;
    std::vector<uint32_t> back_node, back_start;
};

// Adds count x the expected piece counts of word k to ex; returns log P(word).
double word_expectation(const Words& w, const Lattice& L, const Pieces& P, const std::vector<double>& prob, size_t k,
                        std::vector<double>& ex, Scratch& s) {
    const uint32_t base = w.start[k], n = w.length(k);
    const double count = double(w.count[k]);
    auto& alpha = s.a;
    auto& beta = s.b;
    alpha.assign(n + 1, 0.0);
    alpha[0] = 1;
    for (uint32_t i = 0; i < n; i++) {
        const double a = alpha[i];
        if (a == 0) continue;
        for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++)
            alpha[i + Lattice::len(L.node[j])] += a * prob[Lattice::id(L.node[j])];
    }
    const double z = alpha[n];
    if (z >= 1e-250 && z <= 1e250) {
        beta.assign(n + 1, 0.0);
        beta[n] = 1;
        for (uint32_t i = n; i-- > 0;) {
            double b = 0;
            for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++)
                b += prob[Lattice::id(L.node[j])] * beta[i + Lattice::len(L.node[j])];
            beta[i] = b;
        }
        const double scale = count / z;
        for (uint32_t i = 0; i < n; i++) {
            const double a = alpha[i] * scale;
            if (a == 0) continue;
            for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++) {
                const uint32_t id = Lattice::id(L.node[j]);
                ex[id] += a * prob[id] * beta[i + Lattice::len(L.node[j])];
            }
        }
        return std::log(z);
    }
    // Underflow (a long word): the same in log space.
    alpha.assign(n + 1, kNegInf);
    beta.assign(n + 1, kNegInf);
    alpha[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (alpha[i] == kNegInf) continue;
        for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++) {
            const uint32_t e = i + Lattice::len(L.node[j]);
            alpha[e] = log_add(alpha[e], alpha[i] + P.score[Lattice::id(L.node[j])]);
        }
    }
    beta[n] = 0;
    for (uint32_t i = n; i-- > 0;)
        for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++) {
            const uint32_t e = i + Lattice::len(L.node[j]);
            beta[i] = log_add(beta[i], beta[e] + P.score[Lattice::id(L.node[j])]);
        }
    const double lz = alpha[n];
    if (lz == kNegInf) return 0; // no segmentation (cannot happen: every character is a piece)
    for (uint32_t i = 0; i < n; i++) {
        if (alpha[i] == kNegInf) continue;
        for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++) {
            const uint32_t id = Lattice::id(L.node[j]), e = i + Lattice::len(L.node[j]);
            if (beta[e] != kNegInf) ex[id] += count * std::exp(alpha[i] + P.score[id] + beta[e] - lz);
        }
    }
    return lz;
}

// Runs f(chunk, words range) for the kChunks chunks in parallel; each chunk owns its output.
template <typename F> void for_chunks(const std::vector<size_t>& bounds, F f) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, kChunks, 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t c = r.begin(); c != r.end(); c++) f(c, bounds[c], bounds[c + 1]);
    });
}

// Per-chunk accumulators, reused by every pass (allocating them anew each time costs page
// faults).
using ChunkArrays = std::vector<std::vector<double>>;

// Sums per-chunk arrays in chunk order.
void sum_chunks(const ChunkArrays& part, std::vector<double>& total) {
    total.assign(part[0].begin(), part[0].end());
    for (size_t c = 1; c < part.size(); c++)
        for (size_t i = 0; i < total.size(); i++) total[i] += part[c][i];
}

// E-step: expected counts of every piece; returns the corpus log-likelihood.
double e_step(const Words& w, const Lattice& L, const Pieces& P, ChunkArrays& part, std::vector<double>& expected) {
    std::vector<double> prob(P.size());
    for (size_t i = 0; i < P.size(); i++) prob[i] = std::exp(P.score[i]);
    const std::vector<size_t> bounds = chunk_bounds(w, L);
    std::vector<double> ll(kChunks, 0.0);
    for_chunks(bounds, [&](size_t c, size_t begin, size_t end) {
        Scratch s;
        part[c].assign(P.size(), 0.0);
        for (size_t k = begin; k < end; k++) ll[c] += double(w.count[k]) * word_expectation(w, L, P, prob, k, part[c], s);
    });
    sum_chunks(part, expected);
    return std::accumulate(ll.begin(), ll.end(), 0.0);
}

// M-step: drops pieces expected fewer than 0.5 times (never characters, whose count is
// floored at 0.5 so they stay usable) and sets score = digamma(count) - digamma(total).
void m_step(Pieces& P, Lattice& L, const std::vector<double>& expected) {
    std::vector<uint8_t> keep(P.size());
    double sum = 0;
    for (size_t i = 0; i < P.size(); i++) {
        keep[i] = P.is_char[i] || expected[i] >= kExpectedThreshold;
        if (keep[i]) sum += std::max(expected[i], kExpectedThreshold);
    }
    const double log_total = digamma(sum);
    for (size_t i = 0; i < P.size(); i++)
        if (keep[i]) P.score[i] = digamma(std::max(expected[i], kExpectedThreshold)) - log_total;
    compact(P, L, keep);
}

// Viterbi over text positions [base, base + n) of the lattice, leaving out nodes of piece
// `excluded` whose length is `excluded_len` at the first position (the piece itself).
// Fills path (piece ids, in order) when given; returns the best score.
double viterbi(const Lattice& L, const Pieces& P, uint32_t base, uint32_t n, uint32_t excluded,
               std::vector<uint32_t>* path, Scratch& s) {
    auto& best = s.a;
    best.assign(n + 1, kNegInf);
    s.back_node.assign(n + 1, 0);
    s.back_start.assign(n + 1, 0);
    best[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (best[i] == kNegInf) continue;
        for (uint32_t j = L.off[base + i]; j < L.off[base + i + 1]; j++) {
            const uint32_t id = Lattice::id(L.node[j]), e = i + Lattice::len(L.node[j]);
            if (e > n || id == excluded) continue;
            const double v = best[i] + P.score[id];
            if (v > best[e]) { best[e] = v; s.back_node[e] = id; s.back_start[e] = i; }
        }
    }
    if (path) {
        path->clear();
        if (best[n] != kNegInf) {
            for (uint32_t e = n; e > 0; e = s.back_start[e]) path->push_back(s.back_node[e]);
            std::reverse(path->begin(), path->end());
        }
    }
    return best[n];
}

// Prunes to `keep_size` pieces (see the file comment, step 3).
void prune(const Words& w, Pieces& P, Lattice& L, ChunkArrays& part, size_t keep_size) {
    const size_t V = P.size();
    // Piece frequencies in the Viterbi segmentations of all words.
    const std::vector<size_t> bounds = chunk_bounds(w, L);
    for_chunks(bounds, [&](size_t c, size_t begin, size_t end) {
        Scratch s;
        std::vector<uint32_t> path;
        part[c].assign(V, 0.0);
        for (size_t k = begin; k < end; k++) {
            viterbi(L, P, w.start[k], w.length(k), UINT32_MAX, &path, s);
            for (uint32_t id : path) part[c][id] += double(w.count[k]);
        }
    });
    std::vector<double> freq;
    sum_chunks(part, freq);
    double words = 0;
    for (uint64_t c : w.count) words += double(c);
    const double sum = std::accumulate(freq.begin(), freq.end(), 0.0);
    const double log_sum = std::log(sum);
    // Loss of every piece from its second-best segmentation (NaN: remove outright).
    std::vector<double> loss(V, 0.0);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, V, 1024), [&](const tbb::blocked_range<size_t>& r) {
        Scratch s;
        std::vector<uint32_t> alt;
        for (size_t i = r.begin(); i != r.end(); i++) {
            if (P.is_char[i]) continue;
            if (freq[i] == 0) { loss[i] = std::numeric_limits<double>::quiet_NaN(); continue; }
            const double alt_score = viterbi(L, P, P.pos[i], P.len[i], uint32_t(i), &alt, s);
            if (alt_score > P.score[i]) { loss[i] = std::numeric_limits<double>::quiet_NaN(); continue; }
            const double logprob = std::log(freq[i]) - log_sum;
            const double log_sum_alt = std::log(sum + freq[i] * (double(alt.size()) - 1));
            double alt_logprob = 0;
            for (uint32_t j : alt) alt_logprob += std::log(freq[j] + freq[i]) - log_sum_alt;
            loss[i] = freq[i] / words * (logprob - alt_logprob);
        }
    });
    std::vector<uint8_t> keep(V, 0);
    size_t kept = 0;
    std::vector<uint32_t> order;
    for (uint32_t i = 0; i < V; i++) {
        if (P.is_char[i]) { keep[i] = 1; kept++; }
        else if (!std::isnan(loss[i])) order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return loss[a] != loss[b] ? loss[a] > loss[b] : a < b; });
    for (size_t k = 0; k < order.size() && kept < keep_size; k++, kept++) keep[order[k]] = 1;
    compact(P, L, keep);
}

} // namespace

std::vector<UnigramSeedPiece> unigram_seed_pieces(const WordCounts& wc, const TrainerOptions& o) {
    const Words w = encode_words(wc);
    const Seed seed = make_seed(w, o, nullptr);
    std::vector<UnigramSeedPiece> out;
    for (size_t i = 0; i < seed.pieces.size(); i++)
        out.push_back({w.piece(seed.pieces.pos[i], seed.pieces.len[i]), seed.freq[i], seed.rank_score[i],
                       bool(seed.pieces.is_char[i])});
    return out;
}

std::unique_ptr<Tokenizer> unigram_pipeline(bool lowercase) {
    auto t = std::make_unique<Tokenizer>(
        std::make_unique<UnigramModel>(std::vector<std::pair<std::string, double>>{}, std::nullopt));
    t->normalizers.push_back({NormalizerStep::NFKC});
    if (lowercase) t->normalizers.push_back({NormalizerStep::Lowercase});
    PreTokenizerStep p{};
    p.kind = PreTokenizerStep::Metaspace;
    t->pre_tokenizers = {p};
    DecoderStep d{};
    d.kind = DecoderStep::Metaspace;
    t->decoders = {d};
    return t;
}

std::unique_ptr<Tokenizer> train_unigram(const Tokenizer& proto, const WordCounts& wc, const TrainerOptions& o) {
    LMK_CHECK_USAGE(o.vocab_size > o.special.size(), "--vocab-size {} leaves no room beside {} special tokens",
                    o.vocab_size, o.special.size());
    const size_t target = o.vocab_size - o.special.size();
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    const Words w = encode_words(wc);
    // 1. Seeds, their lattice, and initial scores log(rank score / total).
    Lattice L;
    Seed seed = make_seed(w, o, &L);
    Pieces P = std::move(seed.pieces);
    const size_t chars = w.units.size() - size_t(kFirstUnit);
    LMK_CHECK(chars <= target, "--vocab-size {} is smaller than the {} characters of the corpus plus specials",
              o.vocab_size, chars);
    double total = 0;
    for (uint64_t s : seed.rank_score) total += double(s);
    for (size_t i = 0; i < P.size(); i++) P.score[i] = std::log(double(seed.rank_score[i])) - std::log(total);
    seed = {};
    log_info("unigram: seeds and lattices in {:.2f} s", seconds());
    // 2-3. EM and pruning until 1.1 x target (sentencepiece's desired_vocab_size_).
    double words = 0;
    for (uint64_t c : w.count) words += double(c);
    std::vector<double> expected;
    ChunkArrays part(kChunks);
    double objective = 0;
    const size_t stop = target + target / 10;
    while (P.size() > 0) {
        for (int it = 0; it < o.unigram_em_iterations; it++) {
            const double ll = e_step(w, L, P, part, expected);
            m_step(P, L, expected);
            log_debug("unigram: EM {} pieces, objective {:.4f} (-log-likelihood per word)", P.size(), -ll / words);
            objective = -ll / words;
        }
        if (P.size() <= stop) break;
        prune(w, P, L, part, std::max(stop, size_t(double(P.size()) * o.unigram_shrinking_factor)));
    }
    log_info("unigram: EM and pruning done at {:.2f} s: {} pieces, objective {:.4f} (-log-likelihood per word)",
             seconds(), P.size(), objective);
    L = {};
    // 4. Final: characters, then the best-scored pieces; listed by score.
    std::vector<uint32_t> order(P.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t c) {
        if (P.is_char[a] != P.is_char[c]) return P.is_char[a] > P.is_char[c];
        return P.score[a] > P.score[c];
    });
    if (order.size() > target) order.resize(target);
    std::vector<std::pair<std::string, double>> ranked;
    for (uint32_t i : order) ranked.push_back({w.piece(P.pos[i], P.len[i]), P.score[i]});
    std::sort(ranked.begin(), ranked.end(),
              [](const auto& a, const auto& c) { return a.second != c.second ? a.second > c.second : a.first < c.first; });
    std::vector<std::pair<std::string, double>> vocab;
    for (const auto& s : o.special) vocab.push_back({s, 0.0});
    // Scores are kept at float precision, as sentencepiece stores them, and set to the value
    // their shortest decimal form parses to: any JSON reader (HF's serde_json included) then
    // sees exactly the doubles this model uses, so equal-score paths tie identically.
    for (auto& [piece, score] : ranked) {
        std::string text = fmt::format("{}", float(score));
        vocab.push_back({std::move(piece), std::strtod(text.c_str(), nullptr)});
    }
    std::optional<uint32_t> unk;
    for (uint32_t i = 0; i < o.special.size(); i++)
        if (o.special[i] == "<unk>" || o.special[i] == "[UNK]") unk = i;
    std::vector<AddedToken> added;
    for (uint32_t i = 0; i < o.special.size(); i++) {
        AddedToken a;
        a.id = i;
        a.content = o.special[i];
        added.push_back(a);
    }
    auto tk = std::make_unique<Tokenizer>(std::make_unique<UnigramModel>(vocab, unk), std::move(added));
    tk->normalizers = proto.normalizers;
    tk->pre_tokenizers = proto.pre_tokenizers;
    tk->decoders = proto.decoders;
    return tk;
}

} // namespace lmk::tok
