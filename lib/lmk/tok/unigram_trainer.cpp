// tok/unigram_trainer.cpp: sentencepiece's Unigram training (Kudo 2018), in outline:
//   1. seed pieces: every character, plus the most frequent substrings of the counted words
//      (up to unigram_max_piece_length characters, occurring at least twice), ranked by
//      frequency x length, at most unigram_seed_size of them; scores = log relative score;
//   2. EM: expected piece counts by forward-backward over each word's lattice (weighted by
//      the word count); pieces expected fewer than 0.5 times are dropped; new scores are
//      digamma(count) - digamma(total) (sentencepiece's Bayesian update);
//   3. prune: each piece's loss is the drop in corpus likelihood if its occurrences were
//      re-segmented by their best alternative; keep the max(target, 0.75 x size) pieces with
//      the largest loss (characters are always kept); repeat 2-3 until the target size;
//   4. final: characters plus the best-scored pieces up to vocab_size minus the specials.
// Words are split the way the tokenizer will split them (NFKC, Metaspace "▁" prefix), so a
// piece never spans two words. E-step and pruning run over fixed chunks of words, summed in
// chunk order: results are identical for any thread count.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/utf8.h"
#include "lmk/tok/trainer.h"
#include "lmk/tok/unigram.h"
#include "lmk/tok/vocab.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace lmk::tok {
namespace {

struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return size_t(hash_bytes(s)); }
};

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr size_t kWordsPerChunk = 2048;

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

// Byte offsets of the character boundaries of w (including w.size()).
void char_bounds(std::string_view w, std::vector<uint32_t>& b) {
    b.clear();
    for (size_t i = 0; i < w.size();) {
        b.push_back(uint32_t(i));
        uint32_t cp;
        size_t n = utf8_decode(w.data() + i, w.size() - i, &cp);
        i += n ? n : 1;
    }
    b.push_back(uint32_t(w.size()));
}

// The current piece set: strings, scores, an index, and which pieces are single characters.
struct Pieces {
    std::vector<std::string> str;
    std::vector<double> score;
    std::vector<uint8_t> is_char;
    std::unordered_map<std::string, uint32_t, StrHash, std::equal_to<>> index;
    size_t max_chars = 1;
    void rebuild() {
        index.clear();
        for (uint32_t i = 0; i < str.size(); i++) index.emplace(str[i], i);
    }
    uint32_t find(std::string_view s) const {
        auto it = index.find(s);
        return it == index.end() ? UINT32_MAX : it->second;
    }
};

struct Node {
    uint32_t start, end, id; // char positions
};

// All lattice nodes of a word (pieces present in the set), by start position.
void lattice(const Pieces& P, std::string_view w, const std::vector<uint32_t>& b, std::vector<Node>& nodes) {
    nodes.clear();
    const uint32_t n = uint32_t(b.size() - 1);
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t e = s + 1; e <= n && e - s <= P.max_chars; e++) {
            uint32_t id = P.find(w.substr(b[s], b[e] - b[s]));
            if (id != UINT32_MAX) nodes.push_back({s, e, id});
        }
}

// Best segmentation (piece ids) of w, optionally with one piece excluded; returns the score.
double viterbi(const Pieces& P, std::string_view w, uint32_t excluded, std::vector<uint32_t>* out) {
    thread_local std::vector<uint32_t> b;
    thread_local std::vector<Node> nodes;
    char_bounds(w, b);
    lattice(P, w, b, nodes);
    const size_t n = b.size() - 1;
    std::vector<double> best(n + 1, kNegInf);
    std::vector<int32_t> back(n + 1, -1);
    best[0] = 0;
    for (size_t k = 0; k < nodes.size(); k++) {
        const Node& x = nodes[k];
        if (x.id == excluded || best[x.start] == kNegInf) continue;
        double s = best[x.start] + P.score[x.id];
        if (s > best[x.end]) { best[x.end] = s; back[x.end] = int32_t(k); }
    }
    if (out) {
        out->clear();
        if (best[n] != kNegInf) {
            for (size_t e = n; e > 0; e = nodes[size_t(back[e])].start) out->push_back(nodes[size_t(back[e])].id);
            std::reverse(out->begin(), out->end());
        }
    }
    return best[n];
}

// E-step: expected piece counts over all words; returns the log-likelihood.
double expected_counts(const Pieces& P, const WordCounts& wc, std::vector<double>& expected) {
    const size_t nchunks = (wc.words.size() + kWordsPerChunk - 1) / kWordsPerChunk;
    std::vector<std::vector<double>> part(nchunks);
    std::vector<double> ll(nchunks, 0);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, nchunks, 1), [&](const tbb::blocked_range<size_t>& r) {
        std::vector<uint32_t> b;
        std::vector<Node> nodes;
        std::vector<double> alpha, beta;
        for (size_t c = r.begin(); c != r.end(); c++) {
            auto& ex = part[c];
            ex.assign(P.str.size(), 0.0);
            for (size_t k = c * kWordsPerChunk; k < std::min(wc.words.size(), (c + 1) * kWordsPerChunk); k++) {
                const auto& [w, count] = wc.words[k];
                char_bounds(w, b);
                lattice(P, w, b, nodes);
                const size_t n = b.size() - 1;
                alpha.assign(n + 1, kNegInf);
                beta.assign(n + 1, kNegInf);
                alpha[0] = 0;
                for (const Node& x : nodes) // nodes are sorted by start
                    if (alpha[x.start] != kNegInf) alpha[x.end] = log_add(alpha[x.end], alpha[x.start] + P.score[x.id]);
                beta[n] = 0;
                for (size_t i = nodes.size(); i-- > 0;) {
                    const Node& x = nodes[i];
                    if (beta[x.end] != kNegInf) beta[x.start] = log_add(beta[x.start], beta[x.end] + P.score[x.id]);
                }
                double z = alpha[n];
                if (z == kNegInf) continue;
                double f = double(count);
                ll[c] += f * z;
                for (const Node& x : nodes) {
                    if (alpha[x.start] == kNegInf || beta[x.end] == kNegInf) continue;
                    ex[x.id] += f * std::exp(alpha[x.start] + P.score[x.id] + beta[x.end] - z);
                }
            }
        }
    });
    expected.assign(P.str.size(), 0.0);
    double total_ll = 0;
    for (size_t c = 0; c < nchunks; c++) {
        for (size_t i = 0; i < expected.size(); i++) expected[i] += part[c][i];
        total_ll += ll[c];
    }
    return total_ll;
}

// M-step: drop rarely used pieces (never characters), digamma-normalized scores.
void m_step(Pieces& P, const std::vector<double>& expected) {
    Pieces next;
    double sum = 0;
    for (size_t i = 0; i < P.str.size(); i++)
        if (P.is_char[i] || expected[i] >= 0.5) sum += expected[i];
    double log_total = digamma(sum);
    for (size_t i = 0; i < P.str.size(); i++) {
        if (!P.is_char[i] && expected[i] < 0.5) continue;
        next.str.push_back(P.str[i]);
        next.is_char.push_back(P.is_char[i]);
        // Characters never seen get a tiny count so they stay usable.
        next.score.push_back(digamma(std::max(expected[i], 1e-3)) - log_total);
    }
    next.max_chars = P.max_chars;
    next.rebuild();
    P = std::move(next);
}

// Keeps the `keep` pieces (plus all characters) whose removal would cost the most likelihood.
void prune(Pieces& P, const WordCounts& wc, size_t keep) {
    const size_t V = P.str.size();
    // Best alternative segmentation of each piece without itself.
    std::vector<std::vector<uint32_t>> alt(V);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, V, 256), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i != r.end(); i++)
            if (!P.is_char[i]) viterbi(P, P.str[i], uint32_t(i), &alt[i]);
    });
    // Piece frequencies in the Viterbi segmentation of the corpus.
    const size_t nchunks = (wc.words.size() + kWordsPerChunk - 1) / kWordsPerChunk;
    std::vector<std::vector<double>> part(nchunks);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, nchunks, 1), [&](const tbb::blocked_range<size_t>& r) {
        std::vector<uint32_t> seg;
        for (size_t c = r.begin(); c != r.end(); c++) {
            part[c].assign(V, 0.0);
            for (size_t k = c * kWordsPerChunk; k < std::min(wc.words.size(), (c + 1) * kWordsPerChunk); k++) {
                viterbi(P, wc.words[k].first, UINT32_MAX, &seg);
                for (uint32_t id : seg) part[c][id] += double(wc.words[k].second);
            }
        }
    });
    std::vector<double> freq(V, 0.0);
    for (auto& p : part)
        for (size_t i = 0; i < V; i++) freq[i] += p[i];
    double F = std::accumulate(freq.begin(), freq.end(), 0.0);
    double logF = std::log(F);
    std::vector<std::pair<double, uint32_t>> loss; // (loss, id), characters excluded
    for (uint32_t i = 0; i < V; i++) {
        if (P.is_char[i]) continue;
        if (freq[i] == 0 || alt[i].empty()) { loss.push_back({0.0, i}); continue; }
        double logprob = std::log(freq[i]) - logF;
        double F2 = F + freq[i] * double(alt[i].size() - 1);
        double logF2 = std::log(F2), alt_logprob = 0;
        for (uint32_t j : alt[i]) alt_logprob += std::log(freq[j] + freq[i]) - logF2;
        loss.push_back({freq[i] * (logprob - alt_logprob), i});
    }
    // Largest loss first; ties by id (earlier, i.e. better-seeded, pieces first).
    std::sort(loss.begin(), loss.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    size_t chars = 0;
    for (uint8_t c : P.is_char) chars += c;
    std::vector<uint8_t> kept(V, 0);
    for (size_t i = 0; i < V; i++) kept[i] = P.is_char[i];
    for (size_t k = 0; k < loss.size() && k + chars < keep; k++) kept[loss[k].second] = 1;
    Pieces next;
    for (size_t i = 0; i < V; i++)
        if (kept[i]) {
            next.str.push_back(P.str[i]);
            next.score.push_back(P.score[i]);
            next.is_char.push_back(P.is_char[i]);
        }
    next.max_chars = P.max_chars;
    next.rebuild();
    P = std::move(next);
}

} // namespace

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
    LMK_CHECK(o.vocab_size > o.special.size(), "--vocab-size {} leaves no room beside {} special tokens", o.vocab_size,
              o.special.size());
    const size_t target = o.vocab_size - o.special.size();
    // 1. Seeds: characters and frequent substrings (frequency x length).
    std::unordered_map<std::string, double, StrHash, std::equal_to<>> sub;
    std::unordered_map<std::string, double, StrHash, std::equal_to<>> chars;
    std::vector<uint32_t> b;
    for (const auto& [w, count] : wc.words) {
        char_bounds(w, b);
        const size_t n = b.size() - 1;
        for (size_t s = 0; s < n; s++) {
            chars[std::string(w.substr(b[s], b[s + 1] - b[s]))] += double(count);
            for (size_t e = s + 2; e <= n && e - s <= o.unigram_max_piece_length; e++)
                sub[std::string(w.substr(b[s], b[e] - b[s]))] += double(count);
        }
    }
    Pieces P;
    P.max_chars = std::max<size_t>(1, o.unigram_max_piece_length);
    std::vector<std::pair<std::string, double>> seeds;
    for (auto& [s, f] : chars) seeds.push_back({s, f});
    std::sort(seeds.begin(), seeds.end());
    for (auto& [s, f] : seeds) {
        P.str.push_back(s);
        P.score.push_back(f);
        P.is_char.push_back(1);
    }
    seeds.clear();
    std::vector<uint32_t> cb;
    for (auto& [s, f] : sub) {
        if (f < 2) continue;
        char_bounds(s, cb);
        seeds.push_back({s, f * double(cb.size() - 1)});
    }
    sub.clear();
    std::sort(seeds.begin(), seeds.end(), [](auto& a, auto& c) { return a.second != c.second ? a.second > c.second : a.first < c.first; });
    if (seeds.size() > o.unigram_seed_size) seeds.resize(o.unigram_seed_size);
    for (auto& [s, f] : seeds) {
        P.str.push_back(s);
        P.score.push_back(f);
        P.is_char.push_back(0);
    }
    double total = std::accumulate(P.score.begin(), P.score.end(), 0.0);
    for (double& s : P.score) s = std::log(s / total);
    P.rebuild();
    log_info("unigram: {} seed pieces ({} characters)", P.str.size(), chars.size());
    LMK_CHECK(chars.size() <= target, "--vocab-size {} is smaller than the {} characters of the corpus plus specials",
              o.vocab_size, chars.size());
    // 2-3. EM and pruning until the target size (sentencepiece stops pruning at 1.1 x target).
    std::vector<double> expected;
    const size_t stop = target + target / 10;
    while (true) {
        double ll = 0;
        for (int it = 0; it < o.unigram_em_iterations; it++) {
            ll = expected_counts(P, wc, expected);
            m_step(P, expected);
        }
        log_debug("unigram: {} pieces, log-likelihood {:.1f}", P.str.size(), ll);
        if (P.str.size() <= stop) break;
        size_t keep = std::max(stop, size_t(double(P.str.size()) * o.unigram_shrinking_factor));
        prune(P, wc, keep);
    }
    // 4. Final: characters, then the best-scored pieces.
    std::vector<uint32_t> order(P.str.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t c) {
        if (P.is_char[a] != P.is_char[c]) return P.is_char[a] > P.is_char[c];
        return P.score[a] > P.score[c];
    });
    if (order.size() > target) order.resize(target);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t c) { return P.score[a] > P.score[c]; });
    std::vector<std::pair<std::string, double>> vocab;
    for (const auto& s : o.special) vocab.push_back({s, 0.0});
    // Scores are kept at float precision, as sentencepiece stores them, and set to the value
    // their shortest decimal form parses to: any JSON reader (HF's serde_json included) then
    // sees exactly the doubles this model uses, so equal-score paths tie identically.
    for (uint32_t i : order) {
        std::string text = fmt::format("{}", float(P.score[i]));
        vocab.push_back({P.str[i], std::strtod(text.c_str(), nullptr)});
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
