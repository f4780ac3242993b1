// tok/corpus.h: whole-corpus encoding (JSONL documents -> llm.c shards or id arrays) and
// decoding (shards or id arrays -> text), the library side of the encode/decode tools.
//
// Encoding reads documents in batches (about 8 MB of text), encodes a batch in parallel
// (oneTBB, one document per task) and writes the batch in input order, so the output is
// byte-identical for any thread count.
//
// Shards follow llm.c (io/shard.h) and its fineweb.py: every document is preceded by the
// end-of-text token, the token stream is cut into shards of exactly shard_tokens tokens
// (a document may straddle two shards; the last shard is shorter), uint16 tokens when the
// vocabulary fits in 16 bits. Names: PREFIX_000000.bin, PREFIX_000001.bin, ...; with
// val_tokens > 0 the first val_tokens tokens form PREFIX_val_000000.bin and the rest
// PREFIX_train_000001.bin, ... (llm.c's fineweb_val_000000.bin / fineweb_train_000001.bin).
//
// Ids: one compact JSON array per input document ("[15496,995]\n"), in input order, the
// post-processor applied as HF's encode() does (add_special_tokens), and the end-of-text
// token appended only when asked.
//
// A record without a string text field is counted, reported as file:line and skipped
// (an Error under strict). Decoding: ids out of the vocabulary are an Error naming the
// file and the token's position.
//
//   lmk::tok::EncodeJob job{.tokenizer = tk.get(), .inputs = {"docs.jsonl"}, .prefix = "data/tok"};
//   lmk::tok::EncodeSummary s = lmk::tok::encode_corpus(job);
#pragma once
#include "lmk/tok/tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmk::tok {

struct EncodeJob {
    const Tokenizer* tokenizer = nullptr;
    std::vector<std::string> inputs;     // JSONL files ("-" = stdin)
    std::string text_field = "text";
    bool ids_format = false;             // false: shards under `prefix`; true: id arrays to `output`
    std::string prefix;                  // shards
    std::string output = "-";            // ids
    uint64_t shard_tokens = 100000000;   // llm.c's fineweb shard size
    uint64_t val_tokens = 0;
    bool eot_in_ids = false;             // ids: append the end-of-text token
    bool post_process = true;            // ids: apply the post-processor
    bool split_special = true;           // false: special tokens in the text are plain text
    bool strict = false;
    bool text_input = false;             // inputs are plain text, one document per file
};

struct EncodeSummary {
    uint64_t documents = 0, tokens = 0, bytes = 0;
    uint64_t skipped = 0;                // records without a text field, malformed lines
    std::vector<std::string> shards;     // written shard paths
    double seconds = 0;
};

EncodeSummary encode_corpus(const EncodeJob& job);

struct DecodeJob {
    const Tokenizer* tokenizer = nullptr;
    std::vector<std::string> inputs;     // shards (by magic) or JSONL id arrays
    std::string output = "-";
    bool jsonl = false;                  // {"text": ...} per document; else raw text
    bool skip_special = false;
};

struct DecodeSummary {
    uint64_t documents = 0, tokens = 0;
};

// Raw text: shards are decoded as one stream (end-of-text tokens appear as their text unless
// skip_special); an id array is decoded and followed by "\n". JSONL: a shard is split into
// documents at end-of-text tokens; an id array is one document.
DecodeSummary decode_corpus(const DecodeJob& job);

} // namespace lmk::tok
