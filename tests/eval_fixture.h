// Shared fixture for the eval tests: a tiny byte-level BPE tokenizer (256 byte symbols, three
// merges, <|endoftext|>) and a randomly initialised 2-layer GPT over its 260 ids.
#pragma once
#include "lmk/io/jsonl.h"
#include "lmk/model/gpt.h"
#include "lmk/tok/hf_json.h"
#include "lmk/tok/pretokenize.h"

#include <memory>

namespace eval_fixture {

inline std::unique_ptr<lmk::tok::Tokenizer> tiny_tokenizer() {
    std::string vocab = "{";
    for (int b = 0; b < 256; b++) {
        std::string ch = lmk::tok::encode_byte_chars(std::string(1, char(b)));
        vocab += (b ? ", " : "") + lmk::json_string(ch) + ": " + std::to_string(b);
    }
    const std::string G = "\xc4\xa0"; // U+0120, GPT-2's char for the space byte
    vocab += ", " + lmk::json_string(G + "t") + ": 256, \"he\": 257, " + lmk::json_string(G + "the") +
             ": 258, \"<|endoftext|>\": 259}";
    std::string merges = "#version: 0.2\n" + G + " t\nh e\n" + G + "t he\n";
    return lmk::tok::parse_gpt2_files(vocab, merges, "vocab.json", "merges.txt");
}

inline std::unique_ptr<lmk::Gpt> tiny_gpt(int64_t n_positions = 64, uint64_t seed = 7) {
    lmk::GptConfig c;
    c.vocab_size = 260;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 32;
    c.n_positions = n_positions;
    auto m = std::make_unique<lmk::Gpt>(c);
    m->init_weights(seed);
    // larger weights than GPT-2's init so log-probs differ clearly between choices
    for (lmk::nn::Parameter* p : m->params().all())
        if (p->name.find("ln_") == std::string::npos)
            for (int64_t i = 0; i < p->value.numel(); i++) p->value[i] *= 8.0f;
    return m;
}

} // namespace eval_fixture
