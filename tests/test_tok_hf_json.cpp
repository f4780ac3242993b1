// Tests for tok/hf_json.h and tok/tokenizer.h: tokenizer.json parsing with located errors,
// round trips through to_hf_json, added tokens, and GPT-2's real files (skipped without
// ../shared).
#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/tok/bpe.h"
#include "lmk/tok/hf_json.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>

using namespace lmk::tok;

namespace {

// A byte-level BPE over "a", "b", " " (GPT-2's char form: Ġ) with two merges.
const char* kTiny = R"({
  "version": "1.0",
  "added_tokens": [{"id": 5, "content": "<|endoftext|>", "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "post_processor": null,
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġab": 4, "<|endoftext|>": 5},
            "merges": ["a b", ["Ġ", "ab"]]}
})";

// The lmk::Error message f() throws, or "" if it throws none.
template <class F> std::string error_from(F f) {
    try {
        f();
    } catch (const lmk::Error& e) {
        return e.what();
    }
    return "";
}
std::string error_of(const std::string& json) {
    return error_from([&] { parse_hf_json(json, "t.json"); });
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    size_t p = s.find(from);
    REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
}

} // namespace

TEST_CASE("tokenizer.json: tiny byte-level BPE") {
    auto tk = parse_hf_json(kTiny, "t.json");
    CHECK(tk->vocab_size() == 6);
    CHECK(tk->byte_level());
    CHECK(tk->encode("ab ab") == std::vector<uint32_t>{3, 4});
    CHECK(tk->encode("ab<|endoftext|> ab") == std::vector<uint32_t>{3, 5, 4});
    EncodeOptions as_text;
    as_text.split_special = false;
    // As text, "<|endoftext|>" has no byte symbols in this vocabulary: its bytes are dropped
    // by the model, only "ab" survives around it.
    CHECK(tk->encode("ab<|endoftext|>", as_text) == std::vector<uint32_t>{3});
    CHECK(tk->decode({4, 5, 3}) == " ab<|endoftext|>ab");
    CHECK(tk->decode({4, 5, 3}, true) == " abab");
    CHECK(tk->id_to_token(2) == "\u0120");
    CHECK(tk->token_to_id("\u0120ab") == 4u);
    CHECK(tk->eot_id() == 5u);
    CHECK_THROWS_WITH_AS(tk->decode({1, 9}), "token id 9 at position 1 is out of range (vocabulary size 6)",
                         lmk::Error);
}

TEST_CASE("tokenizer.json: round trip through to_hf_json") {
    auto tk = parse_hf_json(kTiny, "t.json");
    std::string out = to_hf_json(*tk);
    auto tk2 = parse_hf_json(out, "out.json");
    CHECK(to_hf_json(*tk2) == out);
    CHECK(tk2->encode("ab ab<|endoftext|>") == std::vector<uint32_t>{3, 4, 5});
    CHECK(out.find("\"Ġab\": 4") != std::string::npos);
    CHECK(out.find("[\"Ġ\", \"ab\"]") != std::string::npos);
}

TEST_CASE("tokenizer.json: errors name the JSON path") {
    CHECK(error_of("{") .starts_with("t.json: not valid JSON"));
    CHECK(error_of(replace(kTiny, "\"ab\": 3", "\"ab\": \"3\"")) ==
          "t.json: model.vocab[\"ab\"]: expected an integer, got string");
    CHECK(error_of(replace(kTiny, "\"a b\"", "\"a c\"")) == "t.json: model.merges[0]: \"c\" is not in model.vocab");
    CHECK(error_of(replace(kTiny, "[\"Ġ\", \"ab\"]", "[\"Ġ\"]")) == "t.json: model.merges[1]: expected a pair [left, right]");
    CHECK(error_of(replace(kTiny, "\"type\": \"BPE\"", "\"type\": \"Magic\"")) ==
          "t.json: model.type: unsupported model type \"Magic\"");
    CHECK(error_of(replace(kTiny, "\"id\": 5,", "")) == "t.json: added_tokens[0]: missing key \"id\"");
    CHECK(error_of(replace(kTiny, "\"b\": 1,", "\"b\": 0,")) == "t.json: model.vocab[\"b\"]: id 0 is used twice");
    CHECK(error_of(replace(kTiny, "\"Ġab\": 4", "\"Ġabx\": 4")) ==
          "t.json: model.merges: merge 1 (\" \" \"ab\"): the merged token is not in the vocabulary");
}

TEST_CASE("tokenizer.json: Split steps name one of the three byte-level rules") {
    const std::string cl100k(split_rule_pattern(SplitRule::cl100k));
    const std::string seq = R"({"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": PATTERN},
        "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]})";
    auto with_split = [&](const std::string& pattern_json) {
        return replace(kTiny, R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})",
                       replace(seq, "PATTERN", pattern_json));
    };
    auto tk = parse_hf_json(with_split(lmk::json_string(cl100k)), "t.json");
    REQUIRE(tk->pre_tokenizers.size() == 2);
    CHECK(tk->pre_tokenizers[0].rule == SplitRule::cl100k);
    CHECK(to_hf_json(*tk).find(lmk::json_string(cl100k)) != std::string::npos); // written back as read
    CHECK(error_of(with_split(R"("\\w+")")).find("only GPT-2's, cl100k's and o200k's pre-tokenization patterns") !=
          std::string::npos);
}

namespace {
std::string tiktoken_error(const std::string& text) {
    return error_from([&] { parse_tiktoken(text, "x.tiktoken"); });
}
std::string base64_3(uint32_t v) { // three bytes, big-endian, as four base64 characters
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string s;
    for (int shift = 18; shift >= 0; shift -= 6) s.push_back(a[(v >> shift) & 63]);
    return s;
}
} // namespace

TEST_CASE(".tiktoken: the encoding is known by its rank count; bad files are located") {
    CHECK(tiktoken_error("IQ== 0\nIg== 1\nIw== 2\n") ==
          "x.tiktoken: 3 ranks: not one of tiktoken's encodings (r50k_base, p50k_base, p50k_edit, cl100k_base, "
          "o200k_base), and a .tiktoken file does not say how to pre-tokenize");
    CHECK(tiktoken_error("IQ== 0\nIg== 0\n") == "x.tiktoken:2: rank 0 out of order (expected 1)");
    CHECK(tiktoken_error("IQ== 0\nIQ== 1\n") == "x.tiktoken:2: token of rank 1 repeats an earlier token");
    CHECK(tiktoken_error("I*== 0\n") == "x.tiktoken:1: bad base64 character '*'");
    CHECK(tiktoken_error("IQ==\n") == "x.tiktoken:1: expected \"base64 rank\"");
    // 50,256 ranks (r50k_base's count) with rank 7 skipped: only a special token may sit in a gap.
    std::string gap;
    for (uint32_t r = 0; r <= 50256; r++)
        if (r != 7) gap += base64_3(r + 1) + " " + std::to_string(r) + "\n";
    CHECK(tiktoken_error(gap) == "x.tiktoken:8: rank 7 is missing (r50k_base has a token there)");
    // The same ranks without the gap load as r50k_base, <|endoftext|> = 50256.
    std::string full;
    for (uint32_t r = 0; r < 50256; r++) full += base64_3(r + 1) + " " + std::to_string(r) + "\n";
    auto tk = parse_tiktoken(full, "x.tiktoken");
    CHECK(tk->token_to_id("<|endoftext|>") == std::optional<uint32_t>(50256));
    CHECK(tk->vocab_size() == 50257);
}

TEST_CASE("WordPiece and Unigram from tokenizer.json") {
    const char* wp = R"({"normalizer": {"type": "BertNormalizer", "lowercase": true},
      "pre_tokenizer": {"type": "BertPreTokenizer"},
      "post_processor": {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
         "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]},
                            "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}},
      "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
      "added_tokens": [{"id": 1, "content": "[CLS]", "special": true}, {"id": 2, "content": "[SEP]", "special": true}],
      "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "un": 3, "##aff": 4, "##able": 5, ",": 6, "hi": 7}}})";
    auto tk = parse_hf_json(wp, "wp.json");
    CHECK(tk->encode("Unaffable, HI xyz") == std::vector<uint32_t>{1, 3, 4, 5, 6, 7, 0, 2});
    CHECK(tk->decode({3, 4, 5, 6, 7}) == "unaffable, hi");
    auto again = parse_hf_json(to_hf_json(*tk), "wp2.json");
    CHECK(again->encode("Unaffable, HI xyz") == std::vector<uint32_t>{1, 3, 4, 5, 6, 7, 0, 2});

    const char* uni = R"({"normalizer": {"type": "NFKC"},
      "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
      "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"},
      "model": {"type": "Unigram", "unk_id": 0,
                "vocab": [["<unk>", 0.0], ["▁", -2.0], ["▁a", -1.0], ["b", -2.5], ["▁ab", -3.0], ["a", -3.0]]}})";
    auto ut = parse_hf_json(uni, "u.json");
    // "▁ab": one piece (-3.0) beats ▁a + b (-3.5).
    CHECK(ut->encode("ab") == std::vector<uint32_t>{4});
    CHECK(ut->encode("ａb b") == std::vector<uint32_t>{4, 1, 3});  // NFKC folds the full-width a
    CHECK(ut->encode("zz") == std::vector<uint32_t>{1, 0});       // ▁ then fused unknowns
    CHECK(ut->decode({4, 1, 3}) == "ab b");
    auto ut2 = parse_hf_json(to_hf_json(*ut), "u2.json");
    CHECK(ut2->encode("ab b") == std::vector<uint32_t>{4, 1, 3});
}

// ---- GPT-2's own files ---------------------------------------------------------------

static std::string gpt2_dir() {
    std::string d = std::string(LMK_SOURCE_DIR) + "/../shared/data/tokenizers/gpt2";
    return std::filesystem::exists(d + "/encoder.json") ? d : "";
}

TEST_CASE("GPT-2: encoder.json + vocab.bpe and tokenizer.json agree") {
    std::string d = gpt2_dir();
    if (d.empty()) {
        MESSAGE("../shared/data/tokenizers/gpt2 absent: skipped");
        return;
    }
    auto a = load_tokenizer(d); // tokenizer.json is preferred in a directory
    auto b = parse_gpt2_files(lmk::read_file(d + "/encoder.json"), lmk::read_file(d + "/vocab.bpe"), "encoder.json",
                              "vocab.bpe");
    CHECK(a->vocab_size() == 50257);
    CHECK(b->vocab_size() == 50257);
    CHECK(a->encode("Hello world") == std::vector<uint32_t>{15496, 995});
    CHECK(b->encode("Hello world<|endoftext|>") == std::vector<uint32_t>{15496, 995, 50256});
    std::mt19937 rng(3);
    const std::vector<std::string> parts = {"the", " ", "  ", "\n", "é", "中文", "'s", "123", "!?", "\u00A0", "😀", "\xC3"};
    for (int t = 0; t < 300; t++) {
        std::string s;
        for (int k = 0; k < 20; k++) s += parts[rng() % parts.size()];
        auto ia = a->encode(s), ib = b->encode(s);
        CHECK(ia == ib);
        CHECK(a->decode(ia) == s); // byte-level: exact, even for the invalid byte \xC3
    }
    // A million identical characters: heap merges, well under a few seconds.
    auto ids = a->encode(std::string(1000000, 'a'));
    CHECK(a->decode(ids) == std::string(1000000, 'a'));
    auto sp = a->encode(std::string(1000000, ' '));
    CHECK(a->decode(sp) == std::string(1000000, ' '));
    // Writing vocab.json + merges.txt and reading them back gives the same tokenizer.
    auto c = parse_gpt2_files(to_gpt2_vocab_json(*a), to_gpt2_merges_txt(*a), "v", "m");
    CHECK(c->encode("Hello world's 123") == a->encode("Hello world's 123"));
    auto j = parse_hf_json(to_hf_json(*b), "j");
    CHECK(j->encode("Hello world's 123 中文") == a->encode("Hello world's 123 中文"));
}
