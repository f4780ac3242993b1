// tok/tokenizer.cpp: added-token splitting, normalizers, pre-tokenizers, post-processors and
// decoders around a Model.
#include "lmk/tok/tokenizer.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"
#include "lmk/tok/bpe.h"
#include "lmk/tok/unicode.h"

#include <algorithm>

namespace lmk::tok {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    if (from.empty()) return;
    std::string out;
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
        out.append(s, pos, hit - pos);
        out.append(to);
    }
    if (pos == 0) return;
    out.append(s, pos);
    s = std::move(out);
}

// HF BertNormalizer: drop NUL, U+FFFD and control characters, map whitespace to ' ',
// surround CJK ideographs with spaces, then strip accents (NFD minus Mn) and lowercase.
std::string bert_normalize(std::string_view in, const NormalizerStep& st) {
    std::string out;
    out.reserve(in.size() + 16);
    for (size_t i = 0; i < in.size();) {
        uint32_t cp;
        size_t n = utf8_decode(in.data() + i, in.size() - i, &cp);
        if (n == 0) { cp = 0xFFFD; n = 1; }
        i += n;
        if (st.clean_text) {
            if (cp == 0 || cp == 0xFFFD || bert_control(cp)) continue;
            if (bert_whitespace(cp)) { out.push_back(' '); continue; }
        }
        if (st.handle_chinese_chars && bert_cjk(cp)) {
            out.push_back(' ');
            utf8_append(out, cp);
            out.push_back(' ');
            continue;
        }
        utf8_append(out, cp);
    }
    bool strip = st.strip_accents.value_or(st.lowercase);
    if (strip) out = strip_marks(out);
    if (st.lowercase) out = lowercase(out);
    return out;
}

bool is_ws_byte_at(std::string_view s, size_t i, size_t* len) {
    uint32_t cp;
    size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
    if (n == 0) return false;
    *len = n;
    return is_space(cp);
}

bool word_char_before(std::string_view s, size_t i) {
    if (i == 0) return false;
    size_t b = i - 1;
    while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) b--;
    uint32_t cp;
    if (utf8_decode(s.data() + b, i - b, &cp) == 0) return false;
    return (char_class(cp) & (kLetter | kNumber | kMark)) || cp == '_';
}

bool word_char_at(std::string_view s, size_t i) {
    if (i >= s.size()) return false;
    uint32_t cp;
    if (utf8_decode(s.data() + i, s.size() - i, &cp) == 0) return false;
    return (char_class(cp) & (kLetter | kNumber | kMark)) || cp == '_';
}

} // namespace

Tokenizer::Tokenizer(std::unique_ptr<Model> model, std::vector<AddedToken> added)
    : model_(std::move(model)) {
    set_added_tokens(std::move(added));
}

void Tokenizer::set_added_tokens(std::vector<AddedToken> added) {
    added_ = std::move(added);
    by_first_byte_.assign(256, {});
    for (uint32_t k = 0; k < added_.size(); k++)
        if (!added_[k].content.empty())
            by_first_byte_[static_cast<unsigned char>(added_[k].content[0])].push_back(k);
    for (auto& v : by_first_byte_)
        std::stable_sort(v.begin(), v.end(), [&](uint32_t a, uint32_t b) {
            return added_[a].content.size() > added_[b].content.size();
        });
}

bool Tokenizer::byte_level() const {
    auto* bpe = dynamic_cast<const BpeModel*>(model_.get());
    return bpe && bpe->options().byte_level;
}

size_t Tokenizer::vocab_size() const {
    size_t n = model_->vocab_size();
    for (const auto& a : added_) n = std::max(n, size_t(a.id) + 1);
    return n;
}

std::optional<uint32_t> Tokenizer::token_to_id(std::string_view token) const {
    for (const auto& a : added_)
        if (a.content == token) return a.id;
    if (byte_level()) {
        std::string raw;
        if (decode_byte_chars(token, raw)) return model_->token_to_id(raw);
        return std::nullopt;
    }
    return model_->token_to_id(token);
}

std::string Tokenizer::id_to_token(uint32_t id) const {
    for (const auto& a : added_)
        if (a.id == id) return a.content;
    LMK_CHECK(id < model_->vocab_size(), "token id {} is out of range (vocabulary size {})", id, vocab_size());
    const std::string& t = model_->id_to_token(id);
    return byte_level() ? encode_byte_chars(t) : t;
}

std::optional<uint32_t> Tokenizer::eot_id() const {
    for (const char* name : {"<|endoftext|>", "</s>", "<eos>", "[SEP]"})
        if (auto id = token_to_id(name)) return id;
    return std::nullopt;
}

std::string Tokenizer::normalize(std::string_view text) const {
    std::string s(text);
    for (const auto& st : normalizers) {
        switch (st.kind) {
        case NormalizerStep::NFC: s = nfc(s); break;
        case NormalizerStep::NFD: s = nfd(s); break;
        case NormalizerStep::NFKC: s = nfkc(s); break;
        case NormalizerStep::NFKD: s = nfkd(s); break;
        case NormalizerStep::Lowercase: s = lowercase(s); break;
        case NormalizerStep::StripAccents: s = strip_marks(s); break;
        case NormalizerStep::Bert: s = bert_normalize(s, st); break;
        case NormalizerStep::Replace: replace_all(s, st.pattern, st.content); break;
        case NormalizerStep::Prepend:
            if (!s.empty()) s.insert(0, st.content);
            break;
        case NormalizerStep::Strip: {
            size_t b = 0, e = s.size(), n;
            if (st.left)
                while (b < e && is_ws_byte_at(s, b, &n)) b += n;
            if (st.right)
                while (e > b) {
                    size_t k = e - 1;
                    while (k > b && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) k--;
                    if (!is_ws_byte_at(s, k, &n)) break;
                    e = k;
                }
            s = s.substr(b, e - b);
            break;
        }
        }
    }
    return s;
}

void Tokenizer::split_pieces(std::string& buf, std::vector<Span>& spans, bool first) const {
    spans.clear();
    spans.push_back({0, uint32_t(buf.size())});
    std::vector<Span> next;
    for (const auto& st : pre_tokenizers) {
        next.clear();
        // Steps that rewrite text build a new buffer; the others only subdivide spans.
        if ((st.kind == PreTokenizerStep::ByteLevel && st.add_prefix_space) ||
            st.kind == PreTokenizerStep::Metaspace) {
            std::string nb;
            for (size_t k = 0; k < spans.size(); k++) {
                std::string_view p(buf.data() + spans[k].begin, spans[k].len);
                uint32_t b = uint32_t(nb.size());
                if (st.kind == PreTokenizerStep::ByteLevel) {
                    if (!p.starts_with(' ')) nb.push_back(' ');
                    nb.append(p);
                } else {
                    std::string q(p);
                    replace_all(q, " ", st.replacement);
                    bool prepend = st.prepend_scheme == "always" ||
                                   (st.prepend_scheme == "first" && first && spans[k].begin == 0);
                    if (prepend && !q.starts_with(st.replacement)) nb.append(st.replacement);
                    nb.append(q);
                }
                next.push_back({b, uint32_t(nb.size() - b)});
            }
            buf = std::move(nb);
            spans.swap(next);
            next.clear();
            if (st.kind == PreTokenizerStep::ByteLevel && !st.use_regex) continue;
        }
        for (const Span& sp : spans) {
            std::string_view p(buf.data() + sp.begin, sp.len);
            size_t from = next.size();
            switch (st.kind) {
            case PreTokenizerStep::ByteLevel:
                if (st.use_regex) gpt2_split(p, next);
                else next.push_back({0, sp.len});
                break;
            case PreTokenizerStep::Split: split_with(st.rule, p, next); break;
            case PreTokenizerStep::Bert: bert_split(p, next); break;
            case PreTokenizerStep::Whitespace: whitespace_split(p, next); break;
            case PreTokenizerStep::WhitespaceSplit: whitespace_only_split(p, next); break;
            case PreTokenizerStep::Metaspace:
                if (st.split) split_before(p, st.replacement, next);
                else next.push_back({0, sp.len});
                break;
            case PreTokenizerStep::Digits: {
                size_t i = 0;
                while (i < p.size()) {
                    uint32_t cp;
                    size_t n = utf8_decode(p.data() + i, p.size() - i, &cp);
                    if (n == 0) { cp = 0xFFFD; n = 1; }
                    bool digit = is_number(cp);
                    size_t b = i;
                    i += n;
                    if (!(digit && st.individual_digits))
                        while (i < p.size()) {
                            uint32_t c2;
                            size_t n2 = utf8_decode(p.data() + i, p.size() - i, &c2);
                            if (n2 == 0) { c2 = 0xFFFD; n2 = 1; }
                            if (is_number(c2) != digit) break;
                            i += n2;
                        }
                    next.push_back({uint32_t(b), uint32_t(i - b)});
                }
                break;
            }
            }
            for (size_t k = from; k < next.size(); k++) next[k].begin += sp.begin;
        }
        spans.swap(next);
    }
}

void Tokenizer::pre_tokenize(std::string_view text, std::vector<std::string>& out, bool first) const {
    std::string buf(text);
    std::vector<Span> spans;
    split_pieces(buf, spans, first);
    for (const Span& s : spans) out.emplace_back(buf, s.begin, s.len);
}

std::optional<SplitRule> Tokenizer::plain_byte_level_rule() const {
    if (!normalizers.empty()) return std::nullopt;
    const auto& p = pre_tokenizers;
    auto plain_byte_level = [](const PreTokenizerStep& s, bool regex) {
        return s.kind == PreTokenizerStep::ByteLevel && s.use_regex == regex && !s.add_prefix_space;
    };
    if (p.size() == 1 && plain_byte_level(p[0], true)) return SplitRule::gpt2;
    if (p.size() == 2 && p[0].kind == PreTokenizerStep::Split && plain_byte_level(p[1], false)) return p[0].rule;
    return std::nullopt;
}

void Tokenizer::encode_section(std::string_view text, bool first, std::vector<uint32_t>& out) const {
    if (text.empty()) return;
    thread_local std::string buf;
    thread_local std::vector<Span> spans;
    // Byte-level BPE behind one splitting rule and nothing else: split in place, no copies.
    if (auto rule = plain_byte_level_rule()) {
        spans.clear();
        split_with(*rule, text, spans);
        for (const Span& s : spans) model_->encode_piece(text.substr(s.begin, s.len), out);
        return;
    }
    if (!normalizers.empty()) buf = normalize(text);
    else buf.assign(text);
    split_pieces(buf, spans, first);
    for (const Span& s : spans) model_->encode_piece(std::string_view(buf).substr(s.begin, s.len), out);
}

void Tokenizer::encode(std::string_view text, std::vector<uint32_t>& out, const EncodeOptions& o) const {
    std::string repaired;
    if (!byte_level() && !utf8_valid(text)) {
        repaired = repair_utf8(text);
        text = repaired;
    }
    size_t start = out.size();
    size_t pos = 0, section = 0;
    const bool any_added = !added_.empty();
    while (pos < text.size() && any_added) {
        // Leftmost-longest added token at or after pos.
        size_t hit = std::string::npos, hit_len = 0;
        const AddedToken* tok = nullptr;
        for (size_t i = pos; i < text.size() && !tok; i++) {
            const auto& cands = by_first_byte_[static_cast<unsigned char>(text[i])];
            for (uint32_t k : cands) {
                const AddedToken& a = added_[k];
                if (a.special && !o.split_special) continue;
                if (text.compare(i, a.content.size(), a.content) != 0) continue;
                if (a.single_word && (word_char_before(text, i) || word_char_at(text, i + a.content.size())))
                    continue;
                hit = i;
                hit_len = a.content.size();
                tok = &a;
                break;
            }
        }
        if (!tok) break;
        size_t sec_end = hit, after = hit + hit_len, n;
        if (tok->lstrip)
            while (sec_end > section) {
                size_t k = sec_end - 1;
                while (k > section && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) k--;
                if (!is_ws_byte_at(text, k, &n)) break;
                sec_end = k;
            }
        if (tok->rstrip)
            while (after < text.size() && is_ws_byte_at(text, after, &n)) after += n;
        encode_section(text.substr(section, sec_end - section), section == 0, out);
        out.push_back(tok->id);
        section = pos = after;
    }
    encode_section(text.substr(section), section == 0, out);

    if (!o.add_special_tokens) return;
    switch (post.kind) {
    case PostProcessor::None:
    case PostProcessor::ByteLevel:
        break;
    case PostProcessor::Template: {
        std::vector<uint32_t> body(out.begin() + ptrdiff_t(start), out.end());
        out.resize(start);
        for (const auto& it : post.single) {
            if (it.is_input) out.insert(out.end(), body.begin(), body.end());
            else out.push_back(it.id);
        }
        break;
    }
    case PostProcessor::Bert:
    case PostProcessor::Roberta:
        out.insert(out.begin() + ptrdiff_t(start), post.cls_id);
        out.push_back(post.sep_id);
        break;
    }
}

std::string Tokenizer::decode(const uint32_t* ids, size_t n, bool skip_special) const {
    const size_t vsize = vocab_size();
    std::vector<std::string> toks;
    toks.reserve(n);
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        LMK_CHECK(id < vsize, "token id {} at position {} is out of range (vocabulary size {})", id, i, vsize);
        const AddedToken* a = nullptr;
        for (const auto& t : added_)
            if (t.id == id) { a = &t; break; }
        if (a) {
            if (skip_special && a->special) continue;
            toks.push_back(a->content);
        } else {
            LMK_CHECK(id < model_->vocab_size(), "token id {} at position {} has no token", id, i);
            toks.push_back(model_->id_to_token(id));
        }
    }
    for (const auto& st : decoders) {
        switch (st.kind) {
        case DecoderStep::ByteLevel: break; // byte-level tokens are held as raw bytes already
        case DecoderStep::WordPiece:
            for (size_t i = 0; i < toks.size(); i++) {
                std::string& t = toks[i];
                if (i > 0) {
                    if (t.starts_with(st.prefix)) t.erase(0, st.prefix.size());
                    else t.insert(0, " ");
                }
                if (st.cleanup) {
                    for (auto [from, to] : {std::pair{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","},
                                            {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
                                            {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"},
                                            {" 're", "'re"}})
                        replace_all(t, from, to);
                }
            }
            break;
        case DecoderStep::Metaspace:
            for (size_t i = 0; i < toks.size(); i++) {
                replace_all(toks[i], st.replacement, " ");
                if (i == 0 && st.prepend_scheme != "never" && toks[i].starts_with(' ')) toks[i].erase(0, 1);
            }
            break;
        case DecoderStep::BPEDecoder:
            for (size_t i = 0; i < toks.size(); i++)
                replace_all(toks[i], st.suffix, i + 1 == toks.size() ? "" : " ");
            break;
        case DecoderStep::ByteFallback: {
            std::vector<std::string> merged;
            std::string bytes;
            auto flush = [&] {
                if (bytes.empty()) return;
                if (utf8_valid(bytes)) merged.push_back(bytes);
                else for (size_t k = 0; k < bytes.size(); k++) merged.push_back("\xEF\xBF\xBD");
                bytes.clear();
            };
            for (auto& t : toks) {
                if (t.size() == 6 && t.starts_with("<0x") && t.back() == '>') {
                    bytes.push_back(char(std::stoi(t.substr(3, 2), nullptr, 16)));
                } else {
                    flush();
                    merged.push_back(std::move(t));
                }
            }
            flush();
            toks.swap(merged);
            break;
        }
        case DecoderStep::Fuse: {
            std::string all;
            for (auto& t : toks) all += t;
            toks.assign(1, all);
            break;
        }
        case DecoderStep::Strip:
            for (auto& t : toks) {
                int k = 0;
                while (k < st.start && t.starts_with(st.content)) { t.erase(0, st.content.size()); k++; }
                k = 0;
                while (k < st.stop && t.ends_with(st.content)) { t.resize(t.size() - st.content.size()); k++; }
            }
            break;
        case DecoderStep::Replace:
            for (auto& t : toks) replace_all(t, st.pattern, st.content);
            break;
        }
    }
    std::string out;
    for (const auto& t : toks) out += t;
    return out;
}

} // namespace lmk::tok
