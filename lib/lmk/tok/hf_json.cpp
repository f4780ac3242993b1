// tok/hf_json.cpp: tokenizer.json / GPT-2 / tiktoken readers and writers.
#include "lmk/tok/hf_json.h"

#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/tok/bpe.h"
#include "lmk/tok/unigram.h"
#include "lmk/tok/wordpiece.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

namespace lmk::tok {
namespace {

namespace dom = simdjson::dom;
namespace fs = std::filesystem;

const char* json_type_name(dom::element_type t) {
    switch (t) {
    case dom::element_type::ARRAY: return "array";
    case dom::element_type::OBJECT: return "object";
    case dom::element_type::INT64: case dom::element_type::UINT64: return "integer";
    case dom::element_type::DOUBLE: return "number";
    case dom::element_type::STRING: return "string";
    case dom::element_type::BOOL: return "boolean";
    case dom::element_type::NULL_VALUE: return "null";
    }
    return "value";
}

// A JSON value with its path from the document root, so every error says where it is.
struct Node {
    dom::element e;
    std::string path;
    const std::string* file;

    [[noreturn]] void bad(const std::string& what) const {
        fail("{}: {}: {}", *file, path.empty() ? std::string("(root)") : path, what);
    }
    [[noreturn]] void expected(const char* what) const {
        bad(fmt::format("expected {}, got {}", what, json_type_name(e.type())));
    }
    bool is_null() const { return e.is_null(); }
    std::optional<Node> get(std::string_view key) const {
        if (!e.is_object()) expected("an object");
        dom::element v;
        dom::object obj = e.get_object().value();
        if (obj[key].get(v) != simdjson::SUCCESS) return std::nullopt;
        return Node{v, path.empty() ? std::string(key) : path + "." + std::string(key), file};
    }
    Node at(std::string_view key) const {
        auto n = get(key);
        if (!n) bad(fmt::format("missing key \"{}\"", key));
        return *n;
    }
    std::string str() const {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS) expected("a string");
        return std::string(s);
    }
    bool boolean() const {
        bool b;
        if (e.get_bool().get(b) != simdjson::SUCCESS) expected("true or false");
        return b;
    }
    int64_t integer() const {
        int64_t v;
        if (e.get_int64().get(v) != simdjson::SUCCESS) expected("an integer");
        return v;
    }
    uint32_t id() const {
        int64_t v = integer();
        if (v < 0 || v >= int64_t(0xFFFFFFFF)) bad(fmt::format("id {} is out of range", v));
        return uint32_t(v);
    }
    double number() const {
        double v;
        if (e.is_int64()) return double(e.get_int64().value());
        if (e.get_double().get(v) != simdjson::SUCCESS) expected("a number");
        return v;
    }
    std::vector<Node> items() const {
        if (!e.is_array()) expected("an array");
        std::vector<Node> out;
        size_t i = 0;
        dom::array arr = e.get_array().value();
        for (dom::element x : arr) out.push_back({x, fmt::format("{}[{}]", path, i++), file});
        return out;
    }
    std::string opt_str(std::string_view key, std::string def) const {
        auto n = get(key);
        return n && !n->is_null() ? n->str() : def;
    }
    bool opt_bool(std::string_view key, bool def) const {
        auto n = get(key);
        return n && !n->is_null() ? n->boolean() : def;
    }
    std::string type() const { return at("type").str(); }
};

void parse_normalizer(const Node& n, std::vector<NormalizerStep>& out) {
    if (n.is_null()) return;
    std::string t = n.type();
    NormalizerStep s{};
    if (t == "Sequence") {
        for (const Node& c : n.at("normalizers").items()) parse_normalizer(c, out);
        return;
    }
    if (t == "NFC") s.kind = NormalizerStep::NFC;
    else if (t == "NFD") s.kind = NormalizerStep::NFD;
    else if (t == "NFKC") s.kind = NormalizerStep::NFKC;
    else if (t == "NFKD") s.kind = NormalizerStep::NFKD;
    else if (t == "Lowercase") s.kind = NormalizerStep::Lowercase;
    else if (t == "StripAccents") s.kind = NormalizerStep::StripAccents;
    else if (t == "BertNormalizer") {
        s.kind = NormalizerStep::Bert;
        s.clean_text = n.opt_bool("clean_text", true);
        s.handle_chinese_chars = n.opt_bool("handle_chinese_chars", true);
        s.lowercase = n.opt_bool("lowercase", true);
        if (auto a = n.get("strip_accents"); a && !a->is_null()) s.strip_accents = a->boolean();
    } else if (t == "Replace") {
        s.kind = NormalizerStep::Replace;
        Node p = n.at("pattern");
        auto lit = p.get("String");
        if (!lit) p.bad("only literal {\"String\": ...} patterns are supported (not Regex)");
        s.pattern = lit->str();
        s.content = n.at("content").str();
    } else if (t == "Prepend") {
        s.kind = NormalizerStep::Prepend;
        s.content = n.at("prepend").str();
    } else if (t == "Strip") {
        s.kind = NormalizerStep::Strip;
        s.left = n.opt_bool("strip_left", true);
        s.right = n.opt_bool("strip_right", true);
    } else {
        n.at("type").bad(fmt::format("unsupported normalizer \"{}\"", t));
    }
    out.push_back(s);
}

void parse_pre_tokenizer(const Node& n, std::vector<PreTokenizerStep>& out) {
    if (n.is_null()) return;
    std::string t = n.type();
    PreTokenizerStep s{};
    if (t == "Sequence") {
        for (const Node& c : n.at("pretokenizers").items()) parse_pre_tokenizer(c, out);
        return;
    }
    if (t == "ByteLevel") {
        s.kind = PreTokenizerStep::ByteLevel;
        s.add_prefix_space = n.opt_bool("add_prefix_space", false);
        s.use_regex = n.opt_bool("use_regex", true);
    } else if (t == "BertPreTokenizer") s.kind = PreTokenizerStep::Bert;
    else if (t == "Whitespace") s.kind = PreTokenizerStep::Whitespace;
    else if (t == "WhitespaceSplit") s.kind = PreTokenizerStep::WhitespaceSplit;
    else if (t == "Metaspace") {
        s.kind = PreTokenizerStep::Metaspace;
        s.replacement = n.opt_str("replacement", s.replacement);
        if (auto ps = n.get("prepend_scheme"); ps && !ps->is_null()) s.prepend_scheme = ps->str();
        else s.prepend_scheme = n.opt_bool("add_prefix_space", true) ? "always" : "never";
        s.split = n.opt_bool("split", true);
    } else if (t == "Split") {
        s.kind = PreTokenizerStep::Split;
        Node p = n.at("pattern");
        auto re = p.get("Regex");
        auto rule = re ? split_rule_from_pattern(re->str()) : std::nullopt;
        if (!rule) p.bad("only GPT-2's, cl100k's and o200k's pre-tokenization patterns are supported in Split");
        s.rule = *rule;
        if (n.opt_str("behavior", "Isolated") != "Isolated" || n.opt_bool("invert", false))
            n.bad("Split: only behavior \"Isolated\" without invert is supported");
    } else if (t == "Digits") {
        s.kind = PreTokenizerStep::Digits;
        s.individual_digits = n.opt_bool("individual_digits", false);
    } else {
        n.at("type").bad(fmt::format("unsupported pre_tokenizer \"{}\"", t));
    }
    out.push_back(s);
}

void parse_decoder(const Node& n, std::vector<DecoderStep>& out) {
    if (n.is_null()) return;
    std::string t = n.type();
    DecoderStep s{};
    if (t == "Sequence") {
        for (const Node& c : n.at("decoders").items()) parse_decoder(c, out);
        return;
    }
    if (t == "ByteLevel") s.kind = DecoderStep::ByteLevel;
    else if (t == "WordPiece") {
        s.kind = DecoderStep::WordPiece;
        s.prefix = n.opt_str("prefix", "##");
        s.cleanup = n.opt_bool("cleanup", true);
    } else if (t == "Metaspace") {
        s.kind = DecoderStep::Metaspace;
        s.replacement = n.opt_str("replacement", s.replacement);
        if (auto ps = n.get("prepend_scheme"); ps && !ps->is_null()) s.prepend_scheme = ps->str();
        else s.prepend_scheme = n.opt_bool("add_prefix_space", true) ? "always" : "never";
    } else if (t == "BPEDecoder") {
        s.kind = DecoderStep::BPEDecoder;
        s.suffix = n.opt_str("suffix", "</w>");
    } else if (t == "ByteFallback") s.kind = DecoderStep::ByteFallback;
    else if (t == "Fuse") s.kind = DecoderStep::Fuse;
    else if (t == "Strip") {
        s.kind = DecoderStep::Strip;
        s.content = n.at("content").str();
        s.start = int(n.at("start").integer());
        s.stop = int(n.at("stop").integer());
    } else if (t == "Replace") {
        s.kind = DecoderStep::Replace;
        auto lit = n.at("pattern").get("String");
        if (!lit) n.at("pattern").bad("only literal {\"String\": ...} patterns are supported");
        s.pattern = lit->str();
        s.content = n.at("content").str();
    } else {
        n.at("type").bad(fmt::format("unsupported decoder \"{}\"", t));
    }
    out.push_back(s);
}

uint32_t special_id(const Node& n, const Tokenizer& tk, const std::string& tok) {
    auto id = tk.token_to_id(tok);
    if (!id) n.bad(fmt::format("special token \"{}\" is not in the vocabulary", tok));
    return *id;
}

void parse_post(const Node& n, Tokenizer& tk) {
    if (n.is_null()) return;
    std::string t = n.type();
    PostProcessor& p = tk.post;
    if (t == "Sequence") {
        for (const Node& c : n.at("processors").items()) {
            std::string ct = c.type();
            if (ct != "ByteLevel") parse_post(c, tk);
        }
        return;
    }
    if (t == "ByteLevel") { p.kind = PostProcessor::ByteLevel; return; }
    if (t == "BertProcessing" || t == "RobertaProcessing") {
        p.kind = t == "BertProcessing" ? PostProcessor::Bert : PostProcessor::Roberta;
        auto pair = [&](const char* key, std::string& tok, uint32_t& id) {
            auto it = n.at(key).items();
            if (it.size() != 2) n.at(key).bad("expected [token, id]");
            tok = it[0].str();
            id = it[1].id();
        };
        pair("cls", p.cls, p.cls_id);
        pair("sep", p.sep, p.sep_id);
        return;
    }
    if (t == "TemplateProcessing") {
        p.kind = PostProcessor::Template;
        auto parse_items = [&](const Node& list, std::vector<PostProcessor::Item>& items) {
            for (const Node& it : list.items()) {
                PostProcessor::Item x;
                if (auto sp = it.get("SpecialToken")) {
                    x.token = sp->at("id").str();
                    x.id = special_id(*sp, tk, x.token);
                    // special_tokens may map the name to other ids; use them when given.
                    if (auto st = n.get("special_tokens"))
                        if (auto e = st->get(x.token)) {
                            auto ids = e->at("ids").items();
                            if (ids.size() == 1) x.id = ids[0].id();
                        }
                } else if (auto sq = it.get("Sequence")) {
                    x.is_input = true;
                    x.token = sq->at("id").str();
                } else {
                    it.bad("expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
                }
                items.push_back(x);
            }
        };
        parse_items(n.at("single"), p.single);
        if (auto pr = n.get("pair"); pr && !pr->is_null()) parse_items(*pr, p.pair);
        return;
    }
    n.at("type").bad(fmt::format("unsupported post_processor \"{}\"", t));
}

bool has_byte_level(const Tokenizer& tk) {
    for (const auto& s : tk.pre_tokenizers)
        if (s.kind == PreTokenizerStep::ByteLevel) return true;
    for (const auto& s : tk.decoders)
        if (s.kind == DecoderStep::ByteLevel) return true;
    return false;
}

// Vocabulary object {token: id} -> strings by id (holes stay empty). Byte-level vocabularies
// are converted to raw bytes where every character is one of GPT-2's 256.
std::vector<std::string> parse_vocab_object(const Node& v, bool byte_level) {
    if (!v.e.is_object()) v.expected("an object {token: id}");
    std::vector<std::string> by_id;
    std::vector<uint8_t> seen;
    dom::object obj = v.e.get_object().value();
    for (auto [key, val] : obj) {
        Node n{val, fmt::format("{}[{}]", v.path, json_string(key)), v.file};
        uint32_t id = n.id();
        if (id >= by_id.size()) { by_id.resize(size_t(id) + 1); seen.resize(size_t(id) + 1); }
        if (seen[id]) n.bad(fmt::format("id {} is used twice", id));
        seen[id] = 1;
        std::string raw;
        by_id[id] = byte_level && decode_byte_chars(key, raw) ? raw : std::string(key);
    }
    return by_id;
}

Vocab make_vocab(std::vector<std::string> by_id) {
    Vocab v;
    for (auto& t : by_id) v.add(std::move(t));
    return v;
}

uint32_t merge_part(const Node& n, const Vocab& v, std::string_view part, bool byte_level) {
    std::string raw;
    uint32_t id = (byte_level && decode_byte_chars(part, raw)) ? v.lookup(raw) : v.lookup(part);
    if (id == Vocab::kNone) n.bad(fmt::format("\"{}\" is not in model.vocab", part));
    return id;
}

std::unique_ptr<Model> parse_model(const Node& m, bool byte_level) {
    std::string t = m.opt_str("type", "");
    if (t.empty()) {
        // Old files omit model.type: infer it from the fields.
        if (m.get("merges")) t = "BPE";
        else if (m.get("unk_id")) t = "Unigram";
        else t = "WordPiece";
    }
    if (t == "BPE") {
        BpeOptions o;
        o.byte_level = byte_level;
        o.ignore_merges = m.opt_bool("ignore_merges", false);
        if (auto u = m.get("unk_token"); u && !u->is_null()) o.unk_token = u->str();
        o.continuing_subword_prefix = m.opt_str("continuing_subword_prefix", "");
        o.end_of_word_suffix = m.opt_str("end_of_word_suffix", "");
        o.fuse_unk = m.opt_bool("fuse_unk", false);
        o.byte_fallback = m.opt_bool("byte_fallback", false);
        if (auto d = m.get("dropout"); d && !d->is_null() && d->number() > 0)
            d->bad("BPE dropout is not supported (it makes encoding random)");
        Vocab vocab = make_vocab(parse_vocab_object(m.at("vocab"), byte_level));
        std::vector<BpeModel::Pair> merges;
        for (const Node& x : m.at("merges").items()) {
            std::string a, b;
            if (x.e.is_string()) {
                std::string s = x.str();
                size_t sp = s.find(' ');
                if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                    x.bad("expected \"left right\" (two tokens separated by one space)");
                a = s.substr(0, sp);
                b = s.substr(sp + 1);
            } else {
                auto parts = x.items();
                if (parts.size() != 2) x.bad("expected a pair [left, right]");
                a = parts[0].str();
                b = parts[1].str();
            }
            merges.push_back({merge_part(x, vocab, a, byte_level), merge_part(x, vocab, b, byte_level)});
        }
        try {
            return std::make_unique<BpeModel>(std::move(vocab), std::move(merges), o);
        } catch (const Error& e) {
            m.at("merges").bad(e.what());
        }
    }
    if (t == "WordPiece") {
        WordPieceOptions o;
        o.unk_token = m.opt_str("unk_token", "[UNK]");
        o.continuing_subword_prefix = m.opt_str("continuing_subword_prefix", "##");
        if (auto x = m.get("max_input_chars_per_word")) o.max_input_chars_per_word = size_t(x->id());
        Vocab vocab = make_vocab(parse_vocab_object(m.at("vocab"), false));
        try {
            return std::make_unique<WordPieceModel>(std::move(vocab), o);
        } catch (const Error& e) {
            m.at("unk_token").bad(e.what());
        }
    }
    if (t == "Unigram") {
        std::vector<std::pair<std::string, double>> pieces;
        for (const Node& x : m.at("vocab").items()) {
            auto p = x.items();
            if (p.size() != 2) x.bad("expected [piece, score]");
            pieces.push_back({p[0].str(), p[1].number()});
        }
        std::optional<uint32_t> unk;
        if (auto u = m.get("unk_id"); u && !u->is_null()) {
            unk = u->id();
            if (*unk >= pieces.size()) u->bad(fmt::format("unk_id {} is out of range", *unk));
        }
        return std::make_unique<UnigramModel>(pieces, unk, m.opt_bool("byte_fallback", false));
    }
    m.at("type").bad(fmt::format("unsupported model type \"{}\"", t));
}

void register_gpt2_specials(Tokenizer& tk) {
    std::vector<AddedToken> added;
    if (auto id = tk.model().token_to_id("<|endoftext|>")) {
        AddedToken a;
        a.id = *id;
        a.content = "<|endoftext|>";
        added.push_back(a);
    }
    tk.set_added_tokens(std::move(added));
}

void gpt2_pipeline(Tokenizer& tk) {
    PreTokenizerStep p{};
    p.kind = PreTokenizerStep::ByteLevel;
    tk.pre_tokenizers = {p};
    DecoderStep d{};
    d.kind = DecoderStep::ByteLevel;
    tk.decoders = {d};
    tk.post.kind = PostProcessor::ByteLevel;
}

} // namespace

std::unique_ptr<Tokenizer> parse_hf_json(std::string_view json, const std::string& name) {
    dom::parser parser;
    simdjson::padded_string padded(json);
    dom::element root;
    if (auto err = parser.parse(padded).get(root))
        fail("{}: not valid JSON: {}", name, simdjson::error_message(err));
    Node r{root, "", &name};
    if (!root.is_object()) r.expected("a tokenizer.json object");
    // The pipeline decides whether the BPE vocabulary is in byte-level form, so read it first.
    Tokenizer probe(std::make_unique<UnigramModel>(std::vector<std::pair<std::string, double>>{}, std::nullopt));
    if (auto n = r.get("pre_tokenizer")) parse_pre_tokenizer(*n, probe.pre_tokenizers);
    if (auto n = r.get("decoder")) parse_decoder(*n, probe.decoders);
    bool byte_level = has_byte_level(probe);
    auto tk = std::make_unique<Tokenizer>(parse_model(r.at("model"), byte_level));
    tk->pre_tokenizers = std::move(probe.pre_tokenizers);
    tk->decoders = std::move(probe.decoders);
    if (auto n = r.get("normalizer")) parse_normalizer(*n, tk->normalizers);
    std::vector<AddedToken> added;
    if (auto n = r.get("added_tokens"); n && !n->is_null()) {
        for (const Node& a : n->items()) {
            AddedToken t;
            t.id = a.at("id").id();
            t.content = a.at("content").str();
            if (t.content.empty()) a.at("content").bad("an added token cannot be empty");
            t.special = a.opt_bool("special", false);
            t.single_word = a.opt_bool("single_word", false);
            t.lstrip = a.opt_bool("lstrip", false);
            t.rstrip = a.opt_bool("rstrip", false);
            t.normalized = a.opt_bool("normalized", !t.special);
            added.push_back(std::move(t));
        }
    }
    tk->set_added_tokens(std::move(added));
    if (auto n = r.get("post_processor")) parse_post(*n, *tk);
    tk->source = name;
    return tk;
}

std::unique_ptr<Tokenizer> parse_gpt2_files(std::string_view vocab_json, std::string_view merges_txt,
                                            const std::string& vocab_name, const std::string& merges_name) {
    dom::parser parser;
    simdjson::padded_string padded(vocab_json);
    dom::element root;
    if (auto err = parser.parse(padded).get(root))
        fail("{}: not valid JSON: {}", vocab_name, simdjson::error_message(err));
    Node r{root, "", &vocab_name};
    Vocab vocab = make_vocab(parse_vocab_object(r, true));
    std::vector<BpeModel::Pair> merges;
    size_t line_no = 0, pos = 0;
    while (pos < merges_txt.size()) {
        size_t end = merges_txt.find('\n', pos);
        if (end == std::string_view::npos) end = merges_txt.size();
        std::string_view line = merges_txt.substr(pos, end - pos);
        pos = end + 1;
        line_no++;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || (line_no == 1 && line.starts_with("#version"))) continue;
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos || line.find(' ', sp + 1) != std::string_view::npos)
            fail("{}:{}: expected \"left right\" (two tokens separated by one space)", merges_name, line_no);
        uint32_t ids[2];
        std::string_view parts[2] = {line.substr(0, sp), line.substr(sp + 1)};
        for (int k = 0; k < 2; k++) {
            std::string raw;
            ids[k] = decode_byte_chars(parts[k], raw) ? vocab.lookup(raw) : Vocab::kNone;
            if (ids[k] == Vocab::kNone)
                fail("{}:{}: \"{}\" is not in {}", merges_name, line_no, parts[k], vocab_name);
        }
        merges.push_back({ids[0], ids[1]});
    }
    BpeOptions o;
    o.byte_level = true;
    std::unique_ptr<Model> model;
    try {
        model = std::make_unique<BpeModel>(std::move(vocab), std::move(merges), o);
    } catch (const Error& e) {
        fail("{}: {}", merges_name, e.what());
    }
    auto tk = std::make_unique<Tokenizer>(std::move(model));
    gpt2_pipeline(*tk);
    register_gpt2_specials(*tk);
    tk->source = merges_name;
    return tk;
}

namespace {

// The encodings tiktoken publishes as .tiktoken files. A file holds only the ranks, so its
// splitting rule and special tokens are known by the number of ranks (and p50k_edit, which
// shares p50k_base's ranks, by its name).
struct TiktokenEncoding {
    const char* name;
    size_t ranks;
    SplitRule rule;
    std::vector<std::pair<const char*, uint32_t>> specials;
};

const std::vector<TiktokenEncoding>& tiktoken_encodings() {
    static const std::vector<TiktokenEncoding> known = {
        {"r50k_base", 50256, SplitRule::gpt2, {{"<|endoftext|>", 50256}}},
        {"p50k_base", 50280, SplitRule::gpt2, {{"<|endoftext|>", 50256}}},
        {"p50k_edit", 50280, SplitRule::gpt2,
         {{"<|endoftext|>", 50256}, {"<|fim_prefix|>", 50281}, {"<|fim_middle|>", 50282}, {"<|fim_suffix|>", 50283}}},
        {"cl100k_base", 100256, SplitRule::cl100k,
         {{"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259},
          {"<|fim_suffix|>", 100260}, {"<|endofprompt|>", 100276}}},
        {"o200k_base", 199998, SplitRule::o200k, {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}},
    };
    return known;
}

const TiktokenEncoding& identify_tiktoken(size_t n_ranks, const std::string& name) {
    const TiktokenEncoding* found = nullptr;
    for (const auto& e : tiktoken_encodings()) {
        if (e.ranks != n_ranks) continue;
        if (!found || name.find(e.name) != std::string::npos) found = &e;
    }
    if (!found)
        fail("{}: {} ranks: not one of tiktoken's encodings (r50k_base, p50k_base, p50k_edit, cl100k_base, "
             "o200k_base), and a .tiktoken file does not say how to pre-tokenize", name, n_ranks);
    return *found;
}

} // namespace

std::unique_ptr<Tokenizer> parse_tiktoken(std::string_view text, const std::string& name) {
    static const auto b64 = [] {
        std::array<int8_t, 256> t;
        t.fill(-1);
        const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; i++) t[uint8_t(a[i])] = int8_t(i);
        return t;
    }();
    Vocab vocab;
    size_t n_ranks = 0, line_no = 0, pos = 0;
    std::vector<std::pair<uint32_t, size_t>> holes; // (id, line after which it is missing)
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        line_no++;
        if (line.empty()) continue;
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos) fail("{}:{}: expected \"base64 rank\"", name, line_no);
        std::string_view enc = line.substr(0, sp), rank_s = line.substr(sp + 1);
        uint32_t rank = 0;
        auto [p, ec] = std::from_chars(rank_s.data(), rank_s.data() + rank_s.size(), rank);
        if (ec != std::errc() || p != rank_s.data() + rank_s.size())
            fail("{}:{}: bad rank \"{}\"", name, line_no, rank_s);
        std::string bytes;
        uint32_t acc = 0;
        int bits = 0;
        for (char c : enc) {
            if (c == '=') break;
            int v = b64[uint8_t(c)];
            if (v < 0) fail("{}:{}: bad base64 character '{}'", name, line_no, c);
            acc = (acc << 6) | uint32_t(v);
            bits += 6;
            if (bits >= 8) { bits -= 8; bytes.push_back(char((acc >> bits) & 0xFF)); }
        }
        // Ranks ascend; a skipped rank is legal only where a special token sits (p50k's 50256).
        if (rank < vocab.size()) fail("{}:{}: rank {} out of order (expected {})", name, line_no, rank, vocab.size());
        for (uint32_t id = uint32_t(vocab.size()); id < rank; id++) holes.push_back({id, line_no});
        if (vocab.lookup(bytes) != Vocab::kNone) fail("{}:{}: token of rank {} repeats an earlier token", name, line_no, rank);
        vocab.set(rank, std::move(bytes));
        n_ranks++;
    }
    const TiktokenEncoding& e = identify_tiktoken(n_ranks, name);
    for (auto [id, line] : holes) {
        bool special = false;
        for (auto& [content, sid] : e.specials) special |= sid == id;
        if (!special) fail("{}:{}: rank {} is missing ({} has a token there)", name, line, id, e.name);
    }
    auto tk = std::make_unique<Tokenizer>(std::make_unique<BpeModel>(BpeModel::from_ranks(std::move(vocab))));
    if (e.rule == SplitRule::gpt2) {
        gpt2_pipeline(*tk);
    } else {
        PreTokenizerStep split{}, bytes{};
        split.kind = PreTokenizerStep::Split;
        split.rule = e.rule;
        bytes.kind = PreTokenizerStep::ByteLevel;
        bytes.use_regex = false;
        tk->pre_tokenizers = {split, bytes};
        DecoderStep d{};
        d.kind = DecoderStep::ByteLevel;
        tk->decoders = {d};
        tk->post.kind = PostProcessor::ByteLevel;
    }
    std::vector<AddedToken> specials;
    for (auto& [content, id] : e.specials) {
        AddedToken t;
        t.id = id;
        t.content = content;
        specials.push_back(t);
    }
    tk->set_added_tokens(std::move(specials));
    tk->source = name;
    return tk;
}

namespace {
// The tokenizer files in directory d, in the order load_tokenizer takes them: tokenizer.json,
// else a GPT-2 pair (vocab.json + merges.txt, or encoder.json + vocab.bpe); empty if none.
std::vector<fs::path> tokenizer_files(const fs::path& d) {
    if (fs::exists(d / "tokenizer.json")) return {d / "tokenizer.json"};
    for (auto [v, m] : {std::pair{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}})
        if (fs::exists(d / v) && fs::exists(d / m)) return {d / v, d / m};
    return {};
}
} // namespace

bool holds_tokenizer(const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) && !tokenizer_files(path).empty();
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        const std::vector<fs::path> files = tokenizer_files(path);
        if (files.size() == 1) return load_tokenizer(files[0].string());
        if (files.size() == 2)
            return parse_gpt2_files(read_file(files[0].string()), read_file(files[1].string()), files[0].string(),
                                    files[1].string());
        throw Error(fmt::format("{}: no tokenizer.json, vocab.json + merges.txt or encoder.json + vocab.bpe here", path),
                    "pass a tokenizer.json, a .tiktoken file or a directory holding GPT-2's files");
    }
    if (path.ends_with(".tiktoken")) return parse_tiktoken(read_file(path), path);
    return parse_hf_json(read_file(path), path);
}

// ---- writing ----------------------------------------------------------------------------

namespace {

std::string q(std::string_view s) { return json_string(s); }
const char* tf(bool b) { return b ? "true" : "false"; }

std::string normalizer_json(const NormalizerStep& s) {
    switch (s.kind) {
    case NormalizerStep::NFC: return R"({"type": "NFC"})";
    case NormalizerStep::NFD: return R"({"type": "NFD"})";
    case NormalizerStep::NFKC: return R"({"type": "NFKC"})";
    case NormalizerStep::NFKD: return R"({"type": "NFKD"})";
    case NormalizerStep::Lowercase: return R"({"type": "Lowercase"})";
    case NormalizerStep::StripAccents: return R"({"type": "StripAccents"})";
    case NormalizerStep::Bert:
        return fmt::format(R"({{"type": "BertNormalizer", "clean_text": {}, "handle_chinese_chars": {}, "strip_accents": {}, "lowercase": {}}})",
                           tf(s.clean_text), tf(s.handle_chinese_chars),
                           s.strip_accents ? tf(*s.strip_accents) : "null", tf(s.lowercase));
    case NormalizerStep::Replace:
        return fmt::format(R"({{"type": "Replace", "pattern": {{"String": {}}}, "content": {}}})", q(s.pattern), q(s.content));
    case NormalizerStep::Prepend: return fmt::format(R"({{"type": "Prepend", "prepend": {}}})", q(s.content));
    case NormalizerStep::Strip:
        return fmt::format(R"({{"type": "Strip", "strip_left": {}, "strip_right": {}}})", tf(s.left), tf(s.right));
    }
    return "null";
}

std::string pre_json(const PreTokenizerStep& s) {
    switch (s.kind) {
    case PreTokenizerStep::ByteLevel:
        return fmt::format(R"({{"type": "ByteLevel", "add_prefix_space": {}, "trim_offsets": true, "use_regex": {}}})",
                           tf(s.add_prefix_space), tf(s.use_regex));
    case PreTokenizerStep::Bert: return R"({"type": "BertPreTokenizer"})";
    case PreTokenizerStep::Whitespace: return R"({"type": "Whitespace"})";
    case PreTokenizerStep::WhitespaceSplit: return R"({"type": "WhitespaceSplit"})";
    case PreTokenizerStep::Metaspace:
        return fmt::format(R"({{"type": "Metaspace", "replacement": {}, "prepend_scheme": {}, "split": {}}})",
                           q(s.replacement), q(s.prepend_scheme), tf(s.split));
    case PreTokenizerStep::Split:
        return fmt::format(R"({{"type": "Split", "pattern": {{"Regex": {}}}, "behavior": "Isolated", "invert": false}})",
                           q(split_rule_pattern(s.rule)));
    case PreTokenizerStep::Digits:
        return fmt::format(R"({{"type": "Digits", "individual_digits": {}}})", tf(s.individual_digits));
    }
    return "null";
}

std::string decoder_json(const DecoderStep& s) {
    switch (s.kind) {
    case DecoderStep::ByteLevel:
        return R"({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true})";
    case DecoderStep::WordPiece:
        return fmt::format(R"({{"type": "WordPiece", "prefix": {}, "cleanup": {}}})", q(s.prefix), tf(s.cleanup));
    case DecoderStep::Metaspace:
        return fmt::format(R"({{"type": "Metaspace", "replacement": {}, "prepend_scheme": {}, "split": true}})",
                           q(s.replacement), q(s.prepend_scheme));
    case DecoderStep::BPEDecoder: return fmt::format(R"({{"type": "BPEDecoder", "suffix": {}}})", q(s.suffix));
    case DecoderStep::ByteFallback: return R"({"type": "ByteFallback"})";
    case DecoderStep::Fuse: return R"({"type": "Fuse"})";
    case DecoderStep::Strip:
        return fmt::format(R"({{"type": "Strip", "content": {}, "start": {}, "stop": {}}})", q(s.content), s.start, s.stop);
    case DecoderStep::Replace:
        return fmt::format(R"({{"type": "Replace", "pattern": {{"String": {}}}, "content": {}}})", q(s.pattern), q(s.content));
    }
    return "null";
}

template <typename T, typename F>
std::string section(const std::vector<T>& steps, const char* seq_key, F one) {
    if (steps.empty()) return "null";
    if (steps.size() == 1) return one(steps[0]);
    std::string s = fmt::format(R"({{"type": "Sequence", "{}": [)", seq_key);
    for (size_t i = 0; i < steps.size(); i++) s += (i ? ", " : "") + one(steps[i]);
    return s + "]}";
}

std::string post_json(const Tokenizer& tk) {
    const PostProcessor& p = tk.post;
    switch (p.kind) {
    case PostProcessor::None: return "null";
    case PostProcessor::ByteLevel:
        return R"({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true})";
    case PostProcessor::Bert:
    case PostProcessor::Roberta:
        return fmt::format(R"({{"type": "{}", "sep": [{}, {}], "cls": [{}, {}]{}}})",
                           p.kind == PostProcessor::Bert ? "BertProcessing" : "RobertaProcessing", q(p.sep), p.sep_id,
                           q(p.cls), p.cls_id,
                           p.kind == PostProcessor::Roberta ? R"(, "trim_offsets": true, "add_prefix_space": false)" : "");
    case PostProcessor::Template: {
        std::map<std::string, uint32_t> specials;
        auto items = [&](const std::vector<PostProcessor::Item>& v, bool pair) {
            std::string s = "[";
            for (size_t i = 0; i < v.size(); i++) {
                if (i) s += ", ";
                if (v[i].is_input) {
                    s += fmt::format(R"({{"Sequence": {{"id": {}, "type_id": {}}}}})", q(v[i].token),
                                     pair && v[i].token == "B" ? 1 : 0);
                } else {
                    bool after_b = false;
                    for (size_t k = 0; k < i; k++) after_b |= v[k].is_input && v[k].token == "B";
                    s += fmt::format(R"({{"SpecialToken": {{"id": {}, "type_id": {}}}}})", q(v[i].token),
                                     pair && after_b ? 1 : 0);
                    specials[v[i].token] = v[i].id;
                }
            }
            return s + "]";
        };
        std::string single = items(p.single, false), pair = items(p.pair.empty() ? p.single : p.pair, true);
        std::string sp = "{";
        bool first = true;
        for (auto& [name, id] : specials) {
            sp += fmt::format(R"({}{}: {{"id": {}, "ids": [{}], "tokens": [{}]}})", first ? "" : ", ", q(name), q(name), id, q(name));
            first = false;
        }
        sp += "}";
        return fmt::format(R"({{"type": "TemplateProcessing", "single": {}, "pair": {}, "special_tokens": {}}})",
                           single, pair, sp);
    }
    }
    return "null";
}

} // namespace

std::string to_hf_json(const Tokenizer& tk) {
    std::string o = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [";
    const auto& added = tk.added_tokens();
    for (size_t i = 0; i < added.size(); i++) {
        const AddedToken& a = added[i];
        o += fmt::format(R"({}
    {{"id": {}, "content": {}, "single_word": {}, "lstrip": {}, "rstrip": {}, "normalized": {}, "special": {}}})",
                         i ? "," : "", a.id, q(a.content), tf(a.single_word), tf(a.lstrip), tf(a.rstrip),
                         tf(a.normalized), tf(a.special));
    }
    o += added.empty() ? "],\n" : "\n  ],\n";
    o += "  \"normalizer\": " + section(tk.normalizers, "normalizers", normalizer_json) + ",\n";
    o += "  \"pre_tokenizer\": " + section(tk.pre_tokenizers, "pretokenizers", pre_json) + ",\n";
    o += "  \"post_processor\": " + post_json(tk) + ",\n";
    o += "  \"decoder\": " + section(tk.decoders, "decoders", decoder_json) + ",\n";
    o += "  \"model\": {\n";
    const Model& m = tk.model();
    bool bl = tk.byte_level();
    auto tok_text = [&](uint32_t id) { return bl ? encode_byte_chars(m.id_to_token(id)) : m.id_to_token(id); };
    auto vocab_object = [&] {
        std::string s = "{";
        bool first = true;
        for (uint32_t id = 0; id < m.vocab_size(); id++) {
            if (m.id_to_token(id).empty()) continue;
            s += fmt::format("{}\n      {}: {}", first ? "" : ",", q(tok_text(id)), id);
            first = false;
        }
        // Added tokens whose id the model leaves free (tiktoken's specials, past the ranks or
        // in a gap) are listed in the vocabulary too, as GPT-2's own file does with
        // <|endoftext|>: Hugging Face numbers an added token that the model lacks as
        // vocab_size + k, whatever id the file gives it.
        std::vector<const AddedToken*> extra;
        for (const AddedToken& a : tk.added_tokens())
            if (a.id >= m.vocab_size() || m.id_to_token(a.id).empty()) extra.push_back(&a);
        std::sort(extra.begin(), extra.end(), [](auto* x, auto* y) { return x->id < y->id; });
        for (const AddedToken* a : extra) {
            s += fmt::format("{}\n      {}: {}", first ? "" : ",", q(a->content), a->id);
            first = false;
        }
        return s + "\n    }";
    };
    if (auto* b = dynamic_cast<const BpeModel*>(&m)) {
        const BpeOptions& bo = b->options();
        o += fmt::format(R"(    "type": "BPE",
    "dropout": null,
    "unk_token": {},
    "continuing_subword_prefix": {},
    "end_of_word_suffix": {},
    "fuse_unk": {},
    "byte_fallback": {},
    "ignore_merges": {},
    "vocab": )",
                         bo.unk_token ? q(*bo.unk_token) : "null", q(bo.continuing_subword_prefix),
                         q(bo.end_of_word_suffix), tf(bo.fuse_unk), tf(bo.byte_fallback), tf(bo.ignore_merges));
        o += vocab_object();
        o += ",\n    \"merges\": [";
        const auto& merges = b->merges();
        for (size_t r = 0; r < merges.size(); r++)
            o += fmt::format("{}\n      [{}, {}]", r ? "," : "", q(tok_text(merges[r].first)), q(tok_text(merges[r].second)));
        o += merges.empty() ? "]\n" : "\n    ]\n";
    } else if (auto* w = dynamic_cast<const WordPieceModel*>(&m)) {
        const auto& wo = w->options();
        o += fmt::format(R"(    "type": "WordPiece",
    "unk_token": {},
    "continuing_subword_prefix": {},
    "max_input_chars_per_word": {},
    "vocab": )",
                         q(wo.unk_token), q(wo.continuing_subword_prefix), wo.max_input_chars_per_word);
        o += vocab_object() + "\n";
    } else if (auto* u = dynamic_cast<const UnigramModel*>(&m)) {
        o += "    \"type\": \"Unigram\",\n    \"unk_id\": ";
        o += u->unk_id() ? std::to_string(*u->unk_id()) : "null";
        o += ",\n    \"vocab\": [";
        for (uint32_t id = 0; id < u->vocab_size(); id++)
            o += fmt::format("{}\n      [{}, {}]", id ? "," : "", q(u->id_to_token(id)), json_number(u->score(id)));
        o += fmt::format("\n    ],\n    \"byte_fallback\": {}\n", tf(u->byte_fallback()));
    } else {
        fail("to_hf_json: unknown model type {}", m.type());
    }
    o += "  }\n}\n";
    return o;
}

std::string to_gpt2_vocab_json(const Tokenizer& tk) {
    auto* b = dynamic_cast<const BpeModel*>(&tk.model());
    LMK_CHECK(b, "vocab.json/merges.txt hold BPE models only (this one is {})", tk.model().type());
    std::string s = "{";
    for (uint32_t id = 0; id < b->vocab_size(); id++)
        s += fmt::format("{}{}: {}", id ? ", " : "", q(tk.id_to_token(id)), id);
    return s + "}\n";
}

std::string to_gpt2_merges_txt(const Tokenizer& tk) {
    auto* b = dynamic_cast<const BpeModel*>(&tk.model());
    LMK_CHECK(b, "vocab.json/merges.txt hold BPE models only (this one is {})", tk.model().type());
    std::string s = "#version: 0.2\n";
    for (auto [a, c] : b->merges()) s += tk.id_to_token(a) + " " + tk.id_to_token(c) + "\n";
    return s;
}

} // namespace lmk::tok
