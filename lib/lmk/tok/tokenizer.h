// tok/tokenizer.h: the full text <-> ids pipeline, as Hugging Face tokenizers defines it.
//
//   text -> split out added/special tokens -> normalizer -> pre-tokenizer -> model
//        -> post-processor (e.g. [CLS] ... [SEP]) -> ids
//   ids  -> tokens -> decoder -> text
//
// The stages mirror tokenizer.json's sections (tok/hf_json.h reads and writes them); each
// is a plain struct with a kind and its parameters, and Sequence sections are flattened
// into vectors applied in order. Supported kinds:
//   normalizer     NFC NFD NFKC NFKD Lowercase StripAccents BertNormalizer Replace (literal)
//                  Prepend Strip
//   pre_tokenizer  ByteLevel BertPreTokenizer Whitespace WhitespaceSplit Metaspace
//                  Split (GPT-2's, cl100k's or o200k's pattern) Digits
//   model          BPE WordPiece Unigram
//   post_processor TemplateProcessing BertProcessing RobertaProcessing ByteLevel (no-op)
//   decoder        ByteLevel WordPiece Metaspace BPEDecoder ByteFallback Fuse Strip Replace
//
// Added tokens (tokenizer.json "added_tokens") are matched leftmost-longest in the raw text
// before normalization, as HF does; with split_special = false (encode --special-as-text)
// special ones are left in the text and tokenized like any other characters.
// Invalid UTF-8 never reaches the model unseen: byte-level BPE encodes every byte, so
// decode(encode(x)) == x for any byte string; other models see U+FFFD-repaired text.
//
//   auto tk = lmk::tok::load_tokenizer("gpt2/");      // tok/hf_json.h
//   std::vector<uint32_t> ids;
//   tk->encode("Hello world", ids);                    // [15496, 995]
//   std::string text = tk->decode(ids);
#pragma once
#include "lmk/tok/model.h"
#include "lmk/tok/pretokenize.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmk::tok {

struct AddedToken {
    uint32_t id = 0;
    std::string content;
    bool special = true;
    bool single_word = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
};

struct NormalizerStep {
    enum Kind { NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Bert, Replace, Prepend, Strip } kind;
    // Bert
    bool clean_text = true, handle_chinese_chars = true, lowercase = true;
    std::optional<bool> strip_accents; // null = follow lowercase
    // Replace (literal pattern), Prepend
    std::string pattern, content;
    // Strip
    bool left = true, right = true;
};

struct PreTokenizerStep {
    enum Kind { ByteLevel, Bert, Whitespace, WhitespaceSplit, Metaspace, Split, Digits } kind;
    bool add_prefix_space = false; // ByteLevel
    bool use_regex = true;         // ByteLevel
    std::string replacement = "\xE2\x96\x81"; // Metaspace "▁"
    std::string prepend_scheme = "always";    // Metaspace: always | first | never
    bool split = true;                        // Metaspace
    SplitRule rule = SplitRule::gpt2;         // Split: which byte-level rule its pattern names
    bool individual_digits = false;           // Digits
};

struct DecoderStep {
    enum Kind { ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace } kind;
    std::string prefix = "##";                     // WordPiece
    bool cleanup = true;                           // WordPiece
    std::string replacement = "\xE2\x96\x81";      // Metaspace
    std::string prepend_scheme = "always";         // Metaspace
    std::string suffix = "</w>";                   // BPEDecoder
    std::string content, pattern;                  // Strip (content), Replace
    int start = 0, stop = 0;                       // Strip
};

struct PostProcessor {
    enum Kind { None, Template, Bert, Roberta, ByteLevel } kind = None;
    // Template "single": a sequence of either a special token id or the input ($A).
    struct Item {
        bool is_input = false;
        uint32_t id = 0;
        std::string token;
    };
    std::vector<Item> single, pair;
    // Bert/Roberta: (token, id) pairs
    std::string cls, sep;
    uint32_t cls_id = 0, sep_id = 0;
    bool trim_offsets = true, add_prefix_space = false; // Roberta/ByteLevel (ids unaffected)
};

struct EncodeOptions {
    bool split_special = true;    // false: special tokens in the text are plain text
    bool add_special_tokens = true; // run the post-processor ([CLS] ... [SEP])
};

class Tokenizer {
public:
    Tokenizer(std::unique_ptr<Model> model, std::vector<AddedToken> added = {});

    // Appends the ids of text to out. Thread-safe (const; per-thread scratch only).
    void encode(std::string_view text, std::vector<uint32_t>& out, const EncodeOptions& o = {}) const;
    std::vector<uint32_t> encode(std::string_view text, const EncodeOptions& o = {}) const {
        std::vector<uint32_t> v;
        encode(text, v, o);
        return v;
    }
    // Text of ids; skip_special drops special added tokens. Throws lmk::Error on an id >=
    // vocab_size(). The result may be invalid UTF-8 when ids split a character.
    std::string decode(const uint32_t* ids, size_t n, bool skip_special = false) const;
    std::string decode(const std::vector<uint32_t>& ids, bool skip_special = false) const {
        return decode(ids.data(), ids.size(), skip_special);
    }

    // Model vocabulary plus added tokens beyond it.
    size_t vocab_size() const;
    std::optional<uint32_t> token_to_id(std::string_view token) const;
    // Token text as tokenizer.json writes it (byte-level tokens in GPT-2's char form).
    std::string id_to_token(uint32_t id) const;
    // The end-of-text id for shards: <|endoftext|>, </s>, [SEP] or <eos>, whichever exists.
    std::optional<uint32_t> eot_id() const;

    const Model& model() const { return *model_; }
    const std::vector<AddedToken>& added_tokens() const { return added_; }
    bool byte_level() const;

    std::vector<NormalizerStep> normalizers;
    std::vector<PreTokenizerStep> pre_tokenizers;
    std::vector<DecoderStep> decoders;
    PostProcessor post;
    // Set by the tiktoken loader: a shorter name for logs ("r50k_base.tiktoken").
    std::string source;

    // Pipeline stages, exposed for tests and trainers.
    std::string normalize(std::string_view text) const;
    // Splits (already normalized) text into pieces; returns them as owned strings appended
    // to `out` (the trainers count these).
    void pre_tokenize(std::string_view text, std::vector<std::string>& out, bool first_section = true) const;
    // Re-index added tokens after editing added_ (called by loaders).
    void set_added_tokens(std::vector<AddedToken> added);

private:
    void encode_section(std::string_view text, bool first, std::vector<uint32_t>& out) const;
    void split_pieces(std::string& buf, std::vector<Span>& spans, bool first) const;
    // The rule when the pipeline is byte-level BPE behind one splitting rule and nothing else
    // (GPT-2, tiktoken): text is then split in place.
    std::optional<SplitRule> plain_byte_level_rule() const;

    std::unique_ptr<Model> model_;
    std::vector<AddedToken> added_;
    // Added-token matcher: candidates by first byte, longest first.
    std::vector<std::vector<uint32_t>> by_first_byte_; // index into added_
};

} // namespace lmk::tok
