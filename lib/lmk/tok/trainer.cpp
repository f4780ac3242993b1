// tok/trainer.cpp: parallel word counting and the BPE/WordPiece trainers.
#include "lmk/tok/trainer.h"

#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/utf8.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/tok/bpe.h"
#include "lmk/tok/vocab.h"
#include "lmk/tok/wordpiece.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace lmk::tok {
namespace {

struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return size_t(hash_bytes(s)); }
};
using CountMap = std::unordered_map<std::string, uint64_t, StrHash, std::equal_to<>>;

constexpr size_t kBatchBytes = 8 << 20;
constexpr size_t kDocsPerTask = 32;

bool fast_byte_level(const Tokenizer& t) {
    return t.normalizers.empty() && t.pre_tokenizers.size() == 1 &&
           t.pre_tokenizers[0].kind == PreTokenizerStep::ByteLevel && t.pre_tokenizers[0].use_regex &&
           !t.pre_tokenizers[0].add_prefix_space;
}

void add_piece(CountMap& m, std::string_view p) {
    auto it = m.find(p);
    if (it != m.end()) it->second++;
    else m.emplace(std::string(p), 1);
}

// Counts the pieces of one document; special-token strings are cut out first.
void count_doc(const Tokenizer& proto, bool fast, const std::vector<std::string>& special, std::string_view doc,
               CountMap& m, std::vector<Span>& spans, std::vector<std::string>& pieces) {
    size_t pos = 0;
    bool first = true;
    while (pos <= doc.size()) {
        size_t hit = std::string_view::npos, len = 0;
        for (const auto& s : special) {
            size_t h = doc.find(s, pos);
            if (h < hit || (h == hit && s.size() > len)) { hit = h; len = s.size(); }
        }
        std::string_view section = doc.substr(pos, (hit == std::string_view::npos ? doc.size() : hit) - pos);
        if (!section.empty()) {
            if (fast) {
                spans.clear();
                gpt2_split(section, spans);
                for (const Span& s : spans) add_piece(m, section.substr(s.begin, s.len));
            } else {
                pieces.clear();
                std::string norm = proto.normalize(utf8_valid(section) ? std::string(section) : repair_utf8(section));
                proto.pre_tokenize(norm, pieces, first);
                for (const auto& p : pieces) add_piece(m, p);
            }
        }
        if (hit == std::string_view::npos) break;
        pos = hit + len;
        first = false;
    }
}

} // namespace

namespace {

WordCounts count_docs_impl(const Tokenizer& proto, const TrainerOptions& o,
                           const std::function<bool(std::vector<std::string>&, uint64_t&)>& next_batch) {
    WordCounts wc;
    CountMap total;
    const bool fast = fast_byte_level(proto);
    std::vector<std::string> batch;
    Progress progress("count", 0, "B");
    uint64_t batch_bytes = 0;
    while (next_batch(batch, batch_bytes)) {
        size_t tasks = (batch.size() + kDocsPerTask - 1) / kDocsPerTask;
        std::vector<CountMap> local(tasks);
        tbb::parallel_for(tbb::blocked_range<size_t>(0, tasks, 1), [&](const tbb::blocked_range<size_t>& r) {
            std::vector<Span> spans;
            std::vector<std::string> pieces;
            for (size_t t = r.begin(); t != r.end(); t++)
                for (size_t d = t * kDocsPerTask; d < std::min(batch.size(), (t + 1) * kDocsPerTask); d++)
                    count_doc(proto, fast, o.special, batch[d], local[t], spans, pieces);
        });
        for (auto& m : local)
            for (auto& [k, v] : m) {
                auto it = total.find(k);
                if (it != total.end()) it->second += v;
                else total.emplace(k, v);
            }
        wc.documents += batch.size();
        wc.bytes += batch_bytes;
        progress.add(batch_bytes);
        batch.clear();
        batch_bytes = 0;
    }
    progress.finish();
    wc.words.reserve(total.size());
    for (auto& [k, v] : total) wc.words.emplace_back(k, v);
    std::sort(wc.words.begin(), wc.words.end());
    return wc;
}

} // namespace

WordCounts count_words(const Tokenizer& proto, const std::vector<std::string>& docs, const TrainerOptions& o) {
    bool done = false;
    return count_docs_impl(proto, o, [&](std::vector<std::string>& batch, uint64_t& bytes) {
        if (done) return false;
        done = true;
        batch = docs;
        for (auto& d : docs) bytes += d.size();
        return true;
    });
}

WordCounts count_words(const Tokenizer& proto, const CorpusSpec& corpus, const TrainerOptions& o) {
    std::vector<std::string> inputs = corpus.inputs.empty() ? std::vector<std::string>{"-"} : corpus.inputs;
    size_t file = 0;
    std::unique_ptr<JsonlReader> jsonl;
    std::unique_ptr<Input> text_in;
    std::unique_ptr<LineReader> lines;
    uint64_t skipped = 0;
    WordCounts wc = count_docs_impl(proto, o, [&](std::vector<std::string>& batch, uint64_t& bytes) {
        while (bytes < kBatchBytes) {
            if (!jsonl && !lines) {
                if (file == inputs.size()) break;
                const std::string& path = inputs[file++];
                if (corpus.text_format) {
                    text_in = Input::open(path);
                    lines = std::make_unique<LineReader>(*text_in);
                } else {
                    JsonlOptions jo;
                    jo.strict = corpus.strict;
                    jsonl = std::make_unique<JsonlReader>(path, jo);
                }
            }
            if (lines) {
                std::string_view line;
                if (!lines->next(line)) {
                    lines.reset();
                    text_in.reset();
                    continue;
                }
                batch.emplace_back(line);
                batch.back().push_back('\n');
                bytes += line.size() + 1;
            } else {
                if (!jsonl->next()) {
                    skipped += jsonl->malformed();
                    jsonl.reset();
                    continue;
                }
                auto t = jsonl->get_string(corpus.text_field);
                if (!t) {
                    if (corpus.strict) fail("{}:{}: no string field \"{}\"", jsonl->name(), jsonl->line(), corpus.text_field);
                    log_warn("{}:{}: no string field \"{}\"; skipped", jsonl->name(), jsonl->line(), corpus.text_field);
                    skipped++;
                    continue;
                }
                batch.emplace_back(*t);
                bytes += t->size();
            }
        }
        return !batch.empty();
    });
    wc.skipped = skipped;
    return wc;
}

// ---- pipelines ---------------------------------------------------------------------------

std::unique_ptr<Tokenizer> bpe_pipeline(bool lowercase) {
    auto t = std::make_unique<Tokenizer>(std::make_unique<BpeModel>(Vocab{}, std::vector<BpeModel::Pair>{}, BpeOptions{}));
    if (lowercase) t->normalizers.push_back({NormalizerStep::Lowercase});
    PreTokenizerStep p{};
    p.kind = PreTokenizerStep::ByteLevel;
    t->pre_tokenizers = {p};
    DecoderStep d{};
    d.kind = DecoderStep::ByteLevel;
    t->decoders = {d};
    t->post.kind = PostProcessor::ByteLevel;
    return t;
}

std::unique_ptr<Tokenizer> wordpiece_pipeline(bool lowercase) {
    auto t = std::make_unique<Tokenizer>(std::make_unique<BpeModel>(Vocab{}, std::vector<BpeModel::Pair>{}, BpeOptions{}));
    NormalizerStep n{NormalizerStep::Bert};
    n.lowercase = lowercase;
    t->normalizers = {n};
    PreTokenizerStep p{};
    p.kind = PreTokenizerStep::Bert;
    t->pre_tokenizers = {p};
    DecoderStep d{};
    d.kind = DecoderStep::WordPiece;
    t->decoders = {d};
    return t;
}

// ---- BPE core ----------------------------------------------------------------------------

namespace {

struct BpeTrained {
    std::vector<std::string> tokens;
    std::vector<BpeModel::Pair> merges;
};

inline uint64_t pkey(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }

struct Change {
    uint64_t pair;
    int64_t delta;   // in occurrences (multiplied by the word count later)
    uint32_t word;
};

// Merges every non-overlapping occurrence of (a, b) in w, left to right, into m, and records
// the pair-count changes around each occurrence (HF's Word::merge).
void merge_word(std::vector<uint32_t>& w, uint32_t a, uint32_t b, uint32_t m, uint32_t word_index,
                std::vector<Change>& out) {
    for (size_t i = 0; i + 1 < w.size(); i++) {
        if (w[i] != a || w[i + 1] != b) continue;
        if (i > 0) {
            out.push_back({pkey(w[i - 1], a), -1, word_index});
            out.push_back({pkey(w[i - 1], m), +1, word_index});
        }
        if (i + 2 < w.size()) {
            out.push_back({pkey(b, w[i + 2]), -1, word_index});
            out.push_back({pkey(m, w[i + 2]), +1, word_index});
        }
        w[i] = m;
        w.erase(w.begin() + ptrdiff_t(i) + 1);
    }
}

BpeTrained bpe_core(const WordCounts& wc, const TrainerOptions& o, bool byte_level, const std::string& prefix) {
    BpeTrained r;
    std::unordered_map<std::string, uint32_t, StrHash, std::equal_to<>> ids;
    auto add = [&](const std::string& s) {
        auto it = ids.find(s);
        if (it != ids.end()) return it->second;
        uint32_t id = uint32_t(r.tokens.size());
        r.tokens.push_back(s);
        ids.emplace(s, id);
        return id;
    };
    for (const auto& s : o.special) add(s);
    // Alphabet.
    if (byte_level) {
        std::vector<std::pair<uint32_t, int>> order;
        for (int b = 0; b < 256; b++) order.push_back({byte_char(uint8_t(b)), b});
        std::sort(order.begin(), order.end());
        for (auto [cp, b] : order) add(std::string(1, char(b)));
    } else {
        std::vector<uint32_t> first_cps, cont_cps;
        std::unordered_set<uint32_t> seen_first, seen_cont;
        for (const auto& [w, c] : wc.words) {
            size_t i = 0;
            while (i < w.size()) {
                uint32_t cp;
                size_t n = utf8_decode(w.data() + i, w.size() - i, &cp);
                if (n == 0) { cp = 0xFFFD; n = 1; }
                seen_first.insert(cp);
                if (i > 0) seen_cont.insert(cp);
                i += n;
            }
        }
        first_cps.assign(seen_first.begin(), seen_first.end());
        cont_cps.assign(seen_cont.begin(), seen_cont.end());
        std::sort(first_cps.begin(), first_cps.end());
        std::sort(cont_cps.begin(), cont_cps.end());
        for (uint32_t cp : first_cps) { std::string s; utf8_append(s, cp); add(s); }
        if (!prefix.empty())
            for (uint32_t cp : cont_cps) { std::string s = prefix; utf8_append(s, cp); add(s); }
    }
    if (r.tokens.size() >= o.vocab_size) {
        log_warn("vocabulary size {} is reached by the special tokens and the alphabet alone ({} tokens)",
                 o.vocab_size, r.tokens.size());
        return r;
    }
    // Words as symbol ids.
    std::vector<std::vector<uint32_t>> words(wc.words.size());
    std::vector<int64_t> counts(wc.words.size());
    for (size_t k = 0; k < wc.words.size(); k++) {
        const std::string& w = wc.words[k].first;
        counts[k] = int64_t(wc.words[k].second);
        auto& sym = words[k];
        if (byte_level) {
            for (unsigned char c : w) sym.push_back(ids.find(std::string(1, char(c)))->second);
        } else {
            for (size_t i = 0; i < w.size();) {
                uint32_t cp;
                size_t n = utf8_decode(w.data() + i, w.size() - i, &cp);
                if (n == 0) { cp = 0xFFFD; n = 1; }
                std::string s = i > 0 ? prefix : std::string();
                utf8_append(s, cp);
                sym.push_back(ids.find(s)->second);
                i += n;
            }
        }
    }
    // Initial pair counts and the pair -> words index, counted in fixed chunks.
    std::unordered_map<uint64_t, int64_t> pair_count;
    std::unordered_map<uint64_t, std::vector<uint32_t>> where;
    {
        const size_t chunk = 4096, nchunks = (words.size() + chunk - 1) / chunk;
        std::vector<std::unordered_map<uint64_t, int64_t>> lc(nchunks);
        std::vector<std::unordered_map<uint64_t, std::vector<uint32_t>>> lw(nchunks);
        tbb::parallel_for(tbb::blocked_range<size_t>(0, nchunks, 1), [&](const tbb::blocked_range<size_t>& rg) {
            for (size_t c = rg.begin(); c != rg.end(); c++)
                for (size_t k = c * chunk; k < std::min(words.size(), (c + 1) * chunk); k++) {
                    const auto& w = words[k];
                    for (size_t i = 0; i + 1 < w.size(); i++) {
                        uint64_t p = pkey(w[i], w[i + 1]);
                        lc[c][p] += counts[k];
                        auto& v = lw[c][p];
                        if (v.empty() || v.back() != k) v.push_back(uint32_t(k));
                    }
                }
        });
        for (size_t c = 0; c < nchunks; c++) {
            for (auto& [p, n] : lc[c]) pair_count[p] += n;
            for (auto& [p, v] : lw[c]) {
                auto& dst = where[p];
                dst.insert(dst.end(), v.begin(), v.end());
            }
            lc[c].clear();
            lw[c].clear();
        }
    }
    // Max-heap on (count, then smaller pair); entries may be stale and are re-checked on pop.
    struct Entry {
        int64_t count;
        uint64_t pair;
        bool operator<(const Entry& o) const { return count != o.count ? count < o.count : pair > o.pair; }
    };
    std::priority_queue<Entry> heap;
    {
        std::vector<Entry> init;
        init.reserve(pair_count.size());
        for (auto& [p, n] : pair_count)
            if (n > 0) init.push_back({n, p});
        heap = std::priority_queue<Entry>(std::less<Entry>(), std::move(init));
    }
    std::vector<Change> changes;
    std::vector<uint32_t> todo;
    while (r.tokens.size() < o.vocab_size && !heap.empty()) {
        Entry top = heap.top();
        heap.pop();
        auto pc = pair_count.find(top.pair);
        int64_t cur = pc == pair_count.end() ? 0 : pc->second;
        if (cur != top.count) {
            if (cur > 0) heap.push({cur, top.pair});
            continue;
        }
        if (uint64_t(cur) < o.min_frequency || cur <= 0) break;
        uint32_t a = uint32_t(top.pair >> 32), b = uint32_t(top.pair);
        std::string right = r.tokens[b];
        if (!prefix.empty() && right.starts_with(prefix)) right.erase(0, prefix.size());
        std::string merged = r.tokens[a] + right;
        if (o.max_token_length && merged.size() > o.max_token_length) {
            pc->second = 0;
            continue;
        }
        uint32_t m = add(merged);
        r.merges.push_back({a, b});
        // Apply to every word holding the pair; words are split into fixed chunks so the
        // order of recorded changes (and so the result) is independent of threads.
        todo = std::move(where[top.pair]);
        where.erase(top.pair);
        std::sort(todo.begin(), todo.end());
        todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
        changes.clear();
        if (todo.size() < 2048) {
            for (uint32_t k : todo) merge_word(words[k], a, b, m, k, changes);
        } else {
            const size_t chunk = 512, nchunks = (todo.size() + chunk - 1) / chunk;
            std::vector<std::vector<Change>> part(nchunks);
            tbb::parallel_for(tbb::blocked_range<size_t>(0, nchunks, 1), [&](const tbb::blocked_range<size_t>& rg) {
                for (size_t c = rg.begin(); c != rg.end(); c++)
                    for (size_t i = c * chunk; i < std::min(todo.size(), (c + 1) * chunk); i++)
                        merge_word(words[todo[i]], a, b, m, todo[i], part[c]);
            });
            for (auto& p : part) changes.insert(changes.end(), p.begin(), p.end());
        }
        pc = pair_count.find(top.pair);
        if (pc != pair_count.end()) pair_count.erase(pc);
        std::vector<uint64_t> grown;
        for (const Change& c : changes) {
            if (c.pair == top.pair) continue;
            int64_t& n = pair_count[c.pair];
            n += c.delta * counts[c.word];
            if (c.delta > 0) {
                auto& v = where[c.pair];
                if (v.empty() || v.back() != c.word) v.push_back(c.word);
                grown.push_back(c.pair);
            }
        }
        std::sort(grown.begin(), grown.end());
        grown.erase(std::unique(grown.begin(), grown.end()), grown.end());
        for (uint64_t p : grown) {
            int64_t n = pair_count[p];
            if (n > 0) heap.push({n, p});
        }
    }
    return r;
}

std::vector<AddedToken> special_tokens(const std::vector<std::string>& special, const Vocab& v) {
    std::vector<AddedToken> out;
    for (const auto& s : special) {
        AddedToken a;
        a.id = *v.find(s);
        a.content = s;
        a.special = true;
        out.push_back(a);
    }
    return out;
}

Vocab to_vocab(const std::vector<std::string>& tokens) {
    Vocab v;
    for (const auto& t : tokens) v.add(t);
    return v;
}

} // namespace

std::unique_ptr<Tokenizer> train_bpe(const Tokenizer& proto, const WordCounts& wc, const TrainerOptions& o) {
    bool byte_level = false;
    for (const auto& s : proto.pre_tokenizers) byte_level |= s.kind == PreTokenizerStep::ByteLevel;
    BpeTrained t = bpe_core(wc, o, byte_level, "");
    BpeOptions bo;
    bo.byte_level = byte_level;
    Vocab v = to_vocab(t.tokens);
    auto specials = special_tokens(o.special, v);
    auto tk = std::make_unique<Tokenizer>(std::make_unique<BpeModel>(std::move(v), std::move(t.merges), bo),
                                          std::move(specials));
    tk->normalizers = proto.normalizers;
    tk->pre_tokenizers = proto.pre_tokenizers;
    tk->decoders = proto.decoders;
    tk->post = proto.post;
    return tk;
}

std::unique_ptr<Tokenizer> train_wordpiece(const Tokenizer& proto, const WordCounts& wc, const TrainerOptions& o) {
    const std::string unk = "[UNK]";
    LMK_CHECK(std::find(o.special.begin(), o.special.end(), unk) != o.special.end(),
              "WordPiece needs \"[UNK]\" among the special tokens");
    BpeTrained t = bpe_core(wc, o, false, "##");
    Vocab v = to_vocab(t.tokens);
    auto specials = special_tokens(o.special, v);
    WordPieceOptions wo;
    wo.unk_token = unk;
    auto tk = std::make_unique<Tokenizer>(std::make_unique<WordPieceModel>(std::move(v), wo), std::move(specials));
    tk->normalizers = proto.normalizers;
    tk->pre_tokenizers = proto.pre_tokenizers;
    tk->decoders = proto.decoders;
    auto cls = tk->token_to_id("[CLS]"), sep = tk->token_to_id("[SEP]");
    if (cls && sep) {
        tk->post.kind = PostProcessor::Template;
        PostProcessor::Item c{false, *cls, "[CLS]"}, a{true, 0, "A"}, s{false, *sep, "[SEP]"}, b{true, 0, "B"};
        tk->post.single = {c, a, s};
        tk->post.pair = {c, a, s, b, s};
    }
    return tk;
}

} // namespace lmk::tok
